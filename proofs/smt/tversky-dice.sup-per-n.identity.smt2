; diceproof obligation for claim tversky-dice (proofs/tversky-dice.md), part sup-per-n.identity
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
(declare-fun M () Real)
(define-fun x () Real (- (* T K) (* (* M R) D)))
(define-fun u () Real (- (* (* M Q) D) (* T P)))
(define-fun v () Real (- (* R P) (* Q K)))
(assert (not (= (* x P) (- (- 0.0 (* K u)) (* (* M D) v)))))
(check-sat)
