; diceproof obligation for claim tversky-dice (proofs/tversky-dice.md), part limit-upper
; negated: tversky > max(1, 2M)*dice
; unsat proves the part; counts are non-negative reals
; hypothesis fp + fn > 0: error-free configurations are skipped
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
; uses per-n-lemma.a-le-b (assertions 8, 9), this part read with M := b
; uses per-n-lemma.a-gt-b (assertions 8, 9), this part read with M := a
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(declare-fun M () Real)
(declare-fun A () Real)
(define-fun n () Real (+ tp_1 fp_1 fn_1 tn_1))
(define-fun e () Real (+ fp_1 fn_1))
(assert (>= tp_1 0.0))
(assert (>= fp_1 0.0))
(assert (>= fn_1 0.0))
(assert (>= tn_1 0.0))
(assert (>= n 1.0))
(assert (> e 0.0))
(assert (> M 0.0))
(assert (> A 0.0))
(assert (<= A (* M e)))
(assert (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (<= (+ tp_1 A) 0.0) (> A 0.0))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (<= (+ tp_1 A) 0.0) (<= (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (> (* A (+ fn_1 fp_1 (* 2.0 tp_1))) (* (+ fn_1 fp_1) (+ tp_1 A)))))))
(assert (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (<= (+ tp_1 A) 0.0) (> A 0.0))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (<= (+ tp_1 A) 0.0) (<= (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (> (* A (+ fn_1 fp_1 (* 2.0 tp_1))) (* (* 2.0 M (+ fn_1 fp_1)) (+ tp_1 A)))))))
(check-sat)
