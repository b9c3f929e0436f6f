//! Class-weighting schemes and the weighted Hamming loss each one defines.
//!
//! A scheme maps the ground truth of one image, through n and |y|, to class weights
//! (w_fg, w_bg); its weighted Hamming loss is Σ_i w_{y_i}·[ŷ_i ≠ y_i] under the
//! normalisation the scheme defines. Weighted cross-entropy at the decision
//! ŷ = [p > 1/2] is at least log 2 times this loss (theory §1), so a scheme whose
//! Hamming loss cannot approximate Dice gives a cross-entropy that cannot either.
//!
//! Adding a scheme is one function: implement [`Scheme::terms`], returning integer
//! numerators for the two weights and the normaliser, and add a spec to
//! `whamming` in [`super::builtin::REGISTRY`]. Built in (a = |y|, b = n − |y|):
//!
//! | spec | weights (w_fg, w_bg) | normalisation | loss |
//! |---|---|---|---|
//! | `whamming:w=W` | (W, 1 − W) | n | (W·FN + (1 − W)·FP)/n |
//! | `whamming:balanced` | (1/(2a), 1/(2b)) | none (all wrong = 1) | FN/(2a) + FP/(2b) |
//! | `whamming:gdice` | (1/a², 1/b²) | all wrong = 1 | (FN·b² + FP·a²)/(a·b·n) |
//! | `whamming:medfreq:fg=F,bg=G` | (m/F, m/G), m = median(F, G) | as `w=G/(F+G)` | fixed weights from data-set class frequencies |
//!
//! A term over an empty class is 0 (for `balanced` and `gdice` the loss with a = 0
//! is FP/(2n) and FP/n, with b = 0 it is FN/(2n) and FN/n). The inverse square-root
//! frequency scheme has irrational weights; it lives with the certified losses of
//! the search module.

use super::arith::{Arith, Frac};
use super::Formula;
use crate::counts::Counts;

/// A rational class-weighting scheme: loss = (fg·FN + bg·FP) / norm, where the
/// three integers come from [`Scheme::terms`].
pub trait Scheme: Send + Sync + std::fmt::Debug + 'static {
    /// The canonical spec.
    fn spec(&self) -> String;
    /// (fg, bg, norm) for an image with a = |y| foreground and b = n − |y|
    /// background voxels; norm = 0 only when n = 0.
    fn terms<A: Arith>(&self, a: u64, b: u64) -> (A, A, A);
}

/// The weighted Hamming loss of a scheme.
#[derive(Clone, Debug)]
pub struct SchemeHamming<S>(pub S);

impl<S: Scheme> Formula for SchemeHamming<S> {
    fn spec(&self) -> String {
        self.0.spec()
    }
    #[inline]
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A> {
        let (a, b) = (c.gt_size(), c.fp + c.tn);
        let (fg, bg, norm) = self.0.terms::<A>(a, b);
        let num = fg.mul(&A::count(c.fn_)).add(&bg.mul(&A::count(c.fp)));
        Frac::new(num, norm)
    }
}

/// Per-image class-balanced (inverse frequency) weights.
#[derive(Clone, Copy, Debug)]
pub struct Balanced;

impl Scheme for Balanced {
    fn spec(&self) -> String {
        "whamming:balanced".into()
    }
    #[inline]
    fn terms<A: Arith>(&self, a: u64, b: u64) -> (A, A, A) {
        let two = A::count(2);
        match (a, b) {
            (0, _) => (A::count(0), A::count(1), two.mul(&A::count(b))),
            (_, 0) => (A::count(1), A::count(0), two.mul(&A::count(a))),
            _ => (
                A::count(b),
                A::count(a),
                two.mul(&A::count(a)).mul(&A::count(b)),
            ),
        }
    }
}

/// Generalized-Dice weights 1/|class|², normalised so that all-wrong is 1.
#[derive(Clone, Copy, Debug)]
pub struct GeneralizedDice;

impl Scheme for GeneralizedDice {
    fn spec(&self) -> String {
        "whamming:gdice".into()
    }
    #[inline]
    fn terms<A: Arith>(&self, a: u64, b: u64) -> (A, A, A) {
        match (a, b) {
            (0, _) => (A::count(0), A::count(1), A::count(b)),
            (_, 0) => (A::count(1), A::count(0), A::count(a)),
            _ => {
                let (aa, ab) = (A::count(a), A::count(b));
                (ab.mul(&ab), aa.mul(&aa), aa.mul(&ab).mul(&A::count(a + b)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::{parse_rational, Q};
    use crate::measures::{parse_measure, EmptyPolicy};
    use proptest::prelude::*;

    fn loss(spec: &str, c: &Counts) -> Q {
        parse_measure(spec)
            .unwrap()
            .loss(c, EmptyPolicy::One)
            .unwrap()
            .exact()
            .unwrap()
            .clone()
    }

    fn per_voxel(wfg: &Q, wbg: &Q, c: &Counts) -> Q {
        // Σ_i w_{y_i}[ŷ_i ≠ y_i] written out voxel by voxel.
        let mut s = Q::from_integer(0.into());
        for _ in 0..c.fn_ {
            s += wfg;
        }
        for _ in 0..c.fp {
            s += wbg;
        }
        s
    }

    proptest! {
        #[test]
        fn schemes_are_their_weights_summed_per_voxel(
            tp in 0u64..12, fp in 0u64..12, fn_ in 0u64..12, tn in 0u64..12
        ) {
            let c = Counts::new(tp, fp, fn_, tn).unwrap();
            prop_assume!(c.n() > 0);
            let (a, b) = (c.gt_size(), c.fp + c.tn);
            let q = |n: u64, d: u64| Q::new(n.into(), d.into());
            let zero = Q::from_integer(0.into());
            // balanced: weights 1/(2a), 1/(2b), no normalisation.
            let (wf, wb) = (if a > 0 { q(1, 2 * a) } else { zero.clone() },
                            if b > 0 { q(1, 2 * b) } else { zero.clone() });
            prop_assert_eq!(loss("whamming:balanced", &c), per_voxel(&wf, &wb, &c));
            // gdice: weights 1/a², 1/b², divided by the all-wrong total a/a² + b/b².
            let (wf, wb) = (if a > 0 { q(1, a * a) } else { zero.clone() },
                            if b > 0 { q(1, b * b) } else { zero.clone() });
            let norm = &wf * Q::from_integer(a.into()) + &wb * Q::from_integer(b.into());
            prop_assert_eq!(loss("whamming:gdice", &c), per_voxel(&wf, &wb, &c) / norm);
        }

        #[test]
        fn median_frequency_is_the_fixed_weight_it_implies(
            f in 1u64..100, g in 1u64..100, tp in 0u64..9, fp in 0u64..9, fn_ in 0u64..9, tn in 1u64..9
        ) {
            let c = Counts::new(tp, fp, fn_, tn).unwrap();
            let med = loss(&format!("whamming:medfreq,fg={f}/100,bg={g}/100"), &c);
            let w = parse_rational(&format!("{g}/{}", f + g)).unwrap();
            let fixed = loss(&format!("whamming:w={}", crate::exact::format_q(&w)), &c);
            prop_assert_eq!(med, fixed);
        }
    }
}
