; diceproof obligation for claim jml-metric (proofs/jml-metric.md), part l1-form
; negated: 1 - (|p| + |y| - |p - y|)/(|p| + |y| + |p - y|) != 2|p - y|/(|p| + |y| + |p - y|)
; unsat proves the part; counts are non-negative reals
; np = |p|, ny = |y|, d = |p - y| (L1 norms of p, y in [0,1]^n); the JML of Wang, Ning & Blaschko on the left, the Steinhaus form on the right, both where the denominator is positive
; denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver
(set-logic ALL)
(set-option :produce-models true)
(declare-fun np () Real)
(declare-fun ny () Real)
(declare-fun d () Real)
(assert (>= np 0.0))
(assert (>= ny 0.0))
(assert (>= d 0.0))
(assert (> (+ (+ np ny) d) 0.0))
(assert (not (and (> (+ (+ np ny) d) 0.0) (= (- (+ (+ np ny) d) (- (+ np ny) d)) (* 2.0 d)))))
(check-sat)
