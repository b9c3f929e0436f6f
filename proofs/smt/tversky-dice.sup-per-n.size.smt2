; diceproof obligation for claim tversky-dice (proofs/tversky-dice.md), part sup-per-n.size
; negated: v = R*P - Q*K < 0 with M > 1/2
; unsat proves the part; counts are non-negative reals
; hypothesis fp + fn >= 1: error-free configurations are skipped, and a positive integer count is at least 1
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(declare-fun M () Real)
(define-fun n () Real (+ tp_1 fp_1 fn_1 tn_1))
(define-fun e () Real (+ fp_1 fn_1))
(define-fun P () Real (+ tp_1 (* M e)))
(define-fun Q () Real (+ (* 2.0 tp_1) e))
(define-fun K () Real (+ (- n 1.0) M))
(define-fun R () Real (- (* 2.0 n) 1.0))
(assert (>= tp_1 0.0))
(assert (>= fp_1 0.0))
(assert (>= fn_1 0.0))
(assert (>= tn_1 0.0))
(assert (>= n 1.0))
(assert (>= e 1.0))
(assert (> M 0.0))
(assert (< (/ 1.0 2.0) M))
(assert (not (>= (- (* R P) (* Q K)) 0.0)))
(check-sat)
