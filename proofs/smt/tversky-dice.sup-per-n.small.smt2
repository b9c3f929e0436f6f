; diceproof obligation for claim tversky-dice (proofs/tversky-dice.md), part sup-per-n.small
; negated: T > D with M*Q*D - T*P >= 0 and M <= 1/2
; unsat proves the part; counts are non-negative reals
; hypothesis fp + fn >= 1: error-free configurations are skipped, and a positive integer count is at least 1
; T and D are any reals with the facts proved by sup-per-n.ratio (and sup-per-n.size) for tversky and dice
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
; uses sup-per-n.ratio (assertion 11), this part read with T := tversky, D := dice
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(declare-fun M () Real)
(declare-fun T () Real)
(declare-fun D () Real)
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
(assert (>= T 0.0))
(assert (>= D 0.0))
(assert (> M 0.0))
(assert (<= M (/ 1.0 2.0)))
(assert (>= (- (* (* M Q) D) (* T P)) 0.0))
(assert (< D T))
(check-sat)
