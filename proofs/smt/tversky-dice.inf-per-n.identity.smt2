; diceproof obligation for claim tversky-dice (proofs/tversky-dice.md), part inf-per-n.identity
; negated: x*P != -K*u - w*D*v (a polynomial identity in T, D, P, Q, K, R, w)
; unsat proves the part; counts are non-negative reals
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
(set-logic ALL)
(set-option :produce-models true)
(declare-fun T () Real)
(declare-fun D () Real)
(declare-fun P () Real)
(declare-fun Q () Real)
(declare-fun K () Real)
(declare-fun R () Real)
(declare-fun m () Real)
(define-fun x () Real (- (* (* m R) D) (* T K)))
(define-fun u () Real (- (* T P) (* (* m Q) D)))
(define-fun v () Real (- (* Q K) (* R P)))
(assert (not (= (* x P) (- (- 0.0 (* K u)) (* (* m D) v)))))
(check-sat)
