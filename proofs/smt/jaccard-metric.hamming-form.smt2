; diceproof obligation for claim jaccard-metric (proofs/jaccard-metric.md), part hamming-form
; negated: jaccard loss of A against B != 2|A xor B|/(|A| + |B| + |A xor B|) (0 when A = B = empty)
; unsat proves the part; counts are non-negative reals
; tp_1 = |A and B|, fp_1 = |A \ B|, fn_1 = |B \ A|: |A| = tp_1 + fp_1, |B| = tp_1 + fn_1, d(A, B) = fp_1 + fn_1
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
(assert (not (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (and (= (+ (+ (+ tp_1 fp_1) (+ tp_1 fn_1)) e) 0.0) (= 0.0 0.0)) (and (not (= (+ (+ (+ tp_1 fp_1) (+ tp_1 fn_1)) e) 0.0)) (and (> (+ (+ (+ tp_1 fp_1) (+ tp_1 fn_1)) e) 0.0) (= 0.0 (* 2.0 e)))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (and (= (+ (+ (+ tp_1 fp_1) (+ tp_1 fn_1)) e) 0.0) (and (> (+ fn_1 fp_1 tp_1) 0.0) (= (+ fn_1 fp_1) 0.0))) (and (not (= (+ (+ (+ tp_1 fp_1) (+ tp_1 fn_1)) e) 0.0)) (and (> (+ fn_1 fp_1 tp_1) 0.0) (> (+ (+ (+ tp_1 fp_1) (+ tp_1 fn_1)) e) 0.0) (= (* (+ fn_1 fp_1) (+ (+ (+ tp_1 fp_1) (+ tp_1 fn_1)) e)) (* (* 2.0 e) (+ fn_1 fp_1 tp_1))))))))))
(check-sat)
