; diceproof obligation for claim tversky-dice (proofs/tversky-dice.md), part inf-per-n.ratio
; negated: u = tversky*P - m*Q*dice < 0
; unsat proves the part; counts are non-negative reals
; hypothesis fp + fn >= 1: error-free configurations are skipped, and a positive integer count is at least 1
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
; uses per-n-lemma.a-le-b (assertions 8, 9), this part read with m := a
; uses per-n-lemma.a-gt-b (assertions 8, 9), this part read with m := b
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(declare-fun m () Real)
(declare-fun A () Real)
(define-fun n () Real (+ tp_1 fp_1 fn_1 tn_1))
(define-fun e () Real (+ fp_1 fn_1))
(define-fun P () Real (+ tp_1 (* m e)))
(define-fun Q () Real (+ (* 2.0 tp_1) e))
(define-fun K () Real (+ (- n 1.0) m))
(define-fun R () Real (- (* 2.0 n) 1.0))
(assert (>= tp_1 0.0))
(assert (>= fp_1 0.0))
(assert (>= fn_1 0.0))
(assert (>= tn_1 0.0))
(assert (>= n 1.0))
(assert (>= e 1.0))
(assert (> m 0.0))
(assert (> A 0.0))
(assert (>= A (* m e)))
(assert (not (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (and (> (+ tp_1 A) 0.0) (>= (* A P) 0.0))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (and (> (+ tp_1 A) 0.0) (> (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (>= (- (* (* A P) (+ fn_1 fp_1 (* 2.0 tp_1))) (* (* m Q (+ fn_1 fp_1)) (+ tp_1 A))) 0.0))))))
(check-sat)
