; diceproof obligation for claim tversky-dice (proofs/tversky-dice.md), part per-n-lemma.a-le-b
; negated: A = a*fp + b*fn outside (0, ...] or outside [m*e, M*e]
; unsat proves the part; counts are non-negative reals
; hypothesis fp + fn > 0: error-free configurations are skipped
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(declare-fun a () Real)
(declare-fun b () Real)
(define-fun n () Real (+ tp_1 fp_1 fn_1 tn_1))
(define-fun e () Real (+ fp_1 fn_1))
(define-fun A () Real (+ (* a fp_1) (* b fn_1)))
(assert (>= tp_1 0.0))
(assert (>= fp_1 0.0))
(assert (>= fn_1 0.0))
(assert (>= tn_1 0.0))
(assert (>= n 1.0))
(assert (> a 0.0))
(assert (> b 0.0))
(assert (> e 0.0))
(assert (<= a b))
(assert (or (<= A 0.0) (< A (* a e)) (> A (* b e))))
(check-sat)
