; diceproof obligation for claim soft-dice-jaccard (proofs/soft-dice-jaccard.md), part sd-nonneg
; negated: sd < 0
; unsat proves the part; counts are non-negative reals
; relaxed domain: i = sum p*y, s = sum p + sum y (or sum p^2 + sum y^2), 0 <= i <= s/2, s > 0
(set-logic ALL)
(set-option :produce-models true)
(declare-fun i () Real)
(declare-fun s () Real)
(define-fun sd () Real (- 1.0 (/ (* 2.0 i) s)))
(define-fun sj () Real (- 1.0 (/ i (- s i))))
(assert (> s 0.0))
(assert (>= i 0.0))
(assert (<= (* 2.0 i) s))
(assert (< sd 0.0))
(check-sat)
