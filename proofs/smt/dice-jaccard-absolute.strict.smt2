; diceproof obligation for claim dice-jaccard-absolute (proofs/dice-jaccard-absolute.md), part strict
; negated: g = e - s*t = 0 with s*s = 2 on a configuration with e^2 != 2 t^2
; unsat proves the part; counts are non-negative reals
; for all reals tp_1 and e (the steps use it with e = fp_1 + fn_1)
; hypothesis e^2 != 2 t^2: true on integers with t + e > 0, since sqrt 2 is irrational; with strict-tight, J - D < 3 - 2 sqrt 2 there
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
; definitions and general facts, not other parts: assertions 1, 2, 3, 4
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun e () Real)
(declare-fun s () Real)
(declare-fun g () Real)
(assert (= (* s s) 2.0))
(assert (> s 0.0))
(assert (= g (- e (* s tp_1))))
(assert (not (= (* e e) (* (* 2.0 tp_1) tp_1))))
(assert (= g 0.0))
(check-sat)
