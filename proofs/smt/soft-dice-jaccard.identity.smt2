; diceproof obligation for claim soft-dice-jaccard (proofs/soft-dice-jaccard.md), part identity
; negated: sj != 2*sd/(1 + sd)
; unsat proves the part; counts are non-negative reals
; relaxed domain: i = sum p*y, s = sum p + sum y (or sum p^2 + sum y^2), 0 <= i <= s/2, s > 0; written with the slack u = s - 2i >= 0
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
(set-logic ALL)
(set-option :produce-models true)
(declare-fun i () Real)
(declare-fun u () Real)
(define-fun s () Real (+ (* 2.0 i) u))
(assert (>= i 0.0))
(assert (>= u 0.0))
(assert (> s 0.0))
(assert (not (and (> (- s i) 0.0) (> s 0.0) (> (+ (* 1.0 s) (- (* 1.0 s) (* 2.0 i))) 0.0) (= (* (- (- s i) i) s (+ s (- s (* 2.0 i)))) (* (* (* 2.0 (- s (* 2.0 i))) s) (- s i))))))
(check-sat)
