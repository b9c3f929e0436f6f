; diceproof obligation for claim whamming-jaccard (proofs/whamming-jaccard.md), part sup-per-n.w-le-half
; negated: whamming/jaccard above its per-n sup
; unsat proves the part; counts are non-negative reals
; hypothesis fp + fn >= 1: error-free configurations are skipped, and a positive integer count is at least 1
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(declare-fun w () Real)
(define-fun n () Real (+ tp_1 fp_1 fn_1 tn_1))
(define-fun e () Real (+ fp_1 fn_1))
(assert (>= tp_1 0.0))
(assert (>= fp_1 0.0))
(assert (>= fn_1 0.0))
(assert (>= tn_1 0.0))
(assert (>= n 1.0))
(assert (>= w 0.0))
(assert (<= w 1.0))
(assert (<= w (/ 1.0 2.0)))
(assert (>= e 1.0))
(assert (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (> (+ (* w fn_1) (* (- 1.0 w) fp_1)) 0.0)) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (<= (+ fn_1 fp_1 tp_1) 0.0) (> (* (+ (* w fn_1) (* (- 1.0 w) fp_1)) (+ fn_1 fp_1 tp_1)) (* (- 1.0 w) n (+ fn_1 fp_1)))))))
(check-sat)
