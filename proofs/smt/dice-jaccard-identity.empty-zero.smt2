; diceproof obligation for claim dice-jaccard-identity (proofs/dice-jaccard-identity.md), part empty-zero
; negated: jaccard != 2*dice/(1 + dice) under --empty zero
; unsat proves the part; counts are non-negative reals
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(define-fun n () Real (+ tp_1 fp_1 fn_1 tn_1))
(define-fun e () Real (+ fp_1 fn_1))
(assert (>= tp_1 0.0))
(assert (>= fp_1 0.0))
(assert (>= fn_1 0.0))
(assert (>= tn_1 0.0))
(assert (>= n 1.0))
(assert (not (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (and (> (+ 1.0 1.0) 0.0) (= (+ 1.0 1.0) 2.0))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (and (> (+ (* 1.0 (+ fn_1 fp_1 (* 2.0 tp_1))) (+ fn_1 fp_1)) 0.0) (= (+ (+ fn_1 fp_1 (* 2.0 tp_1)) (+ fn_1 fp_1)) (* 2.0 (+ fn_1 fp_1 (* 2.0 tp_1)))))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (and (> (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (> (+ 1.0 1.0) 0.0) (= (* (+ fn_1 fp_1 (* 2.0 tp_1)) (+ 1.0 1.0)) (* 2.0 (+ fn_1 fp_1))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (and (> (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (> (+ (* 1.0 (+ fn_1 fp_1 (* 2.0 tp_1))) (+ fn_1 fp_1)) 0.0) (= (* (+ fn_1 fp_1 (* 2.0 tp_1)) (+ (+ fn_1 fp_1 (* 2.0 tp_1)) (+ fn_1 fp_1))) (* (* 2.0 (+ fn_1 fp_1)) (+ fn_1 fp_1 (* 2.0 tp_1)))))))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (and (> (+ fn_1 fp_1 tp_1) 0.0) (> (+ 1.0 1.0) 0.0) (= (* (+ fn_1 fp_1) (+ 1.0 1.0)) (* 2.0 (+ fn_1 fp_1 tp_1))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (and (> (+ fn_1 fp_1 tp_1) 0.0) (> (+ (* 1.0 (+ fn_1 fp_1 (* 2.0 tp_1))) (+ fn_1 fp_1)) 0.0) (= (* (+ fn_1 fp_1) (+ (+ fn_1 fp_1 (* 2.0 tp_1)) (+ fn_1 fp_1))) (* (* 2.0 (+ fn_1 fp_1 (* 2.0 tp_1))) (+ fn_1 fp_1 tp_1))))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (and (> (+ fn_1 fp_1 tp_1) 0.0) (> (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (> (+ 1.0 1.0) 0.0) (= (* (+ fn_1 fp_1) (+ fn_1 fp_1 (* 2.0 tp_1)) (+ 1.0 1.0)) (* (* 2.0 (+ fn_1 fp_1)) (+ fn_1 fp_1 tp_1))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (and (> (+ fn_1 fp_1 tp_1) 0.0) (> (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (> (+ (* 1.0 (+ fn_1 fp_1 (* 2.0 tp_1))) (+ fn_1 fp_1)) 0.0) (= (* (+ fn_1 fp_1) (+ fn_1 fp_1 (* 2.0 tp_1)) (+ (+ fn_1 fp_1 (* 2.0 tp_1)) (+ fn_1 fp_1))) (* (* (* 2.0 (+ fn_1 fp_1)) (+ fn_1 fp_1 (* 2.0 tp_1))) (+ fn_1 fp_1 tp_1))))))))))))
(check-sat)
