; diceproof obligation for claim dice-jaccard-absolute (proofs/dice-jaccard-absolute.md), part strict-tight
; negated: jaccard - dice >= 3 - 2*s with s*s = 2, s > 0, and g = e - s*t != 0
; unsat proves the part; counts are non-negative reals
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
; uses bound-square (assertion 9) with its e := (+ fp_1 fn_1)
; definitions and general facts, not other parts: assertions 6, 7, 8
(set-logic ALL)
(set-option :produce-models true)
(declare-fun tp_1 () Real)
(declare-fun fp_1 () Real)
(declare-fun fn_1 () Real)
(declare-fun tn_1 () Real)
(declare-fun s () Real)
(declare-fun g () Real)
(define-fun n () Real (+ tp_1 fp_1 fn_1 tn_1))
(define-fun e () Real (+ fp_1 fn_1))
(assert (>= tp_1 0.0))
(assert (>= fp_1 0.0))
(assert (>= fn_1 0.0))
(assert (>= tn_1 0.0))
(assert (>= n 1.0))
(assert (= (* s s) 2.0))
(assert (> s 0.0))
(assert (= g (- e (* s tp_1))))
(assert (= (- (* (* (- 3.0 (* 2.0 s)) (+ tp_1 e)) (+ (* 2.0 tp_1) e)) (* e tp_1)) (* (* (- 3.0 (* 2.0 s)) g) g)))
(assert (not (= g 0.0)))
(assert (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (>= (- 0.0 0.0) (- 3.0 (* 2.0 s)))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (<= (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (>= (- 0.0 (+ fn_1 fp_1)) (* (- 3.0 (* 2.0 s)) (+ fn_1 fp_1 (* 2.0 tp_1)))))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (and (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0)) (or (<= (+ fn_1 fp_1 tp_1) 0.0) (>= (+ fn_1 fp_1) (* (- 3.0 (* 2.0 s)) (+ fn_1 fp_1 tp_1))))) (and (not (and (= tp_1 0.0) (= fp_1 0.0) (= fn_1 0.0))) (or (<= (+ fn_1 fp_1 tp_1) 0.0) (<= (+ fn_1 fp_1 (* 2.0 tp_1)) 0.0) (>= (- (* (+ fn_1 fp_1) (+ fn_1 fp_1 (* 2.0 tp_1))) (* (+ fn_1 fp_1) (+ fn_1 fp_1 tp_1))) (* (- 3.0 (* 2.0 s)) (+ fn_1 fp_1 tp_1) (+ fn_1 fp_1 (* 2.0 tp_1))))))))))
(check-sat)
