; diceproof obligation for claim dice-jaccard-absolute (proofs/dice-jaccard-absolute.md), part bound-square
; negated: (3 - 2s)(t + e)(2t + e) - e*t != (3 - 2s)*g^2 with g = e - s*t, s*s = 2, s > 0
; unsat proves the part; counts are non-negative reals
; for all reals tp_1 and e (the steps use it with e = fp_1 + fn_1)
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
; definitions and general facts, not other parts: assertions 1, 2, 3
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun e () Real)
(declare-fun s () Real)
(declare-fun g () Real)
(assert (= (* s s) 2.0))
(assert (> s 0.0))
(assert (= g (- e (* s tp_1))))
(assert (not (= (- (* (* (- 3.0 (* 2.0 s)) (+ tp_1 e)) (+ (* 2.0 tp_1) e)) (* e tp_1)) (* (* (- 3.0 (* 2.0 s)) g) g))))
(check-sat)
