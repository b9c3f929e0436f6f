//! Per-image sums that every sum-based soft loss is a function of.
//!
//! Soft Dice, soft Jaccard, soft Tversky (with or without squared denominators and
//! smoothing), the Jaccard metric loss and the Dice semimetric loss depend on a
//! label vector y and a prediction p only through a handful of sums. Computing the
//! sums once and evaluating the formulas on them is what lets a 7-million-voxel
//! probability map be scored exactly: the sums of dyadic floats are accumulated in
//! wide integers by the map readers, and only the few resulting rationals reach the
//! formula. The Lovász losses need the whole vector (they sort it) and are not
//! functions of these sums.
//!
//! With ‖·‖ the L1 norm: Σmin(p, y) = (Σp + Σy − ‖p − y‖)/2 and
//! Σmax(p, y) = (Σp + Σy + ‖p − y‖)/2, so the metric-loss forms need `sabs` alone.

use std::ops::{Add, Div, Mul, Sub};

use num_traits::{Signed, Zero};

use crate::exact::{q_to_f64, Q};

/// The numbers a sum-based soft loss is written over: [`Q`] (exact) and `f64`
/// (fast, cross-checked). One formula, two paths, as [`crate::measures::arith`]
/// does for counts. (Also an [`crate::measures::expr::ExprNum`], so `soft-expr:` formulas run on it.)
pub trait SoftNum:
    crate::measures::expr::ExprNum
    + PartialOrd
    + std::fmt::Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    /// An exact constant in this arithmetic (the nearest double for `f64`).
    fn lift(q: &Q) -> Self;
    /// A count.
    fn count(n: u64) -> Self;
    /// Whether the value is zero.
    fn is_nil(&self) -> bool;
    /// The value for messages (`p/q` for exact values).
    fn show(&self) -> String;
}

impl SoftNum for Q {
    fn lift(q: &Q) -> Self {
        q.clone()
    }
    fn count(n: u64) -> Self {
        Q::from_integer(n.into())
    }
    fn is_nil(&self) -> bool {
        Zero::is_zero(self)
    }
    fn show(&self) -> String {
        crate::exact::format_q(self)
    }
}

impl SoftNum for f64 {
    fn lift(q: &Q) -> Self {
        q_to_f64(q)
    }
    fn count(n: u64) -> Self {
        n as f64
    }
    fn is_nil(&self) -> bool {
        *self == 0.0
    }
    fn show(&self) -> String {
        format!("{self:e}")
    }
}

/// Which optional sums a formula reads: the exact path skips the others (each
/// exact sum costs a rational addition per voxel). Σp·y, Σp and Σy are always
/// computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Σp² and Σy².
    pub squares: bool,
    /// Σ|p − y|.
    pub abs: bool,
}

impl Needs {
    /// Every sum.
    pub const ALL: Needs = Needs {
        squares: true,
        abs: true,
    };
}

/// The sums of one (labels, prediction) pair: `T` is [`Q`] for the exact path and
/// `f64` for the fast one.
#[derive(Clone, Debug, PartialEq)]
pub struct SoftSums<T> {
    /// Number of voxels.
    pub n: u64,
    /// Σ p_i·y_i.
    pub spy: T,
    /// Σ p_i.
    pub sp: T,
    /// Σ y_i.
    pub sy: T,
    /// Σ p_i².
    pub spp: T,
    /// Σ y_i².
    pub syy: T,
    /// Σ |p_i − y_i|.
    pub sabs: T,
}

impl SoftSums<Q> {
    /// The exact sums of two slices of equal length (the caller validates them).
    pub fn exact(y: &[Q], p: &[Q]) -> SoftSums<Q> {
        SoftSums::exact_for(y, p, Needs::ALL)
    }

    /// The exact sums a formula needs; the others are left at 0.
    pub fn exact_for(y: &[Q], p: &[Q], needs: Needs) -> SoftSums<Q> {
        let mut s = SoftSums {
            n: y.len() as u64,
            spy: Q::zero(),
            sp: Q::zero(),
            sy: Q::zero(),
            spp: Q::zero(),
            syy: Q::zero(),
            sabs: Q::zero(),
        };
        for (yi, pi) in y.iter().zip(p) {
            s.spy += yi * pi;
            s.sp += pi;
            s.sy += yi;
            if needs.squares {
                s.spp += pi * pi;
                s.syy += yi * yi;
            }
            if needs.abs {
                s.sabs += (pi - yi).abs();
            }
        }
        s
    }
}

impl SoftSums<f64> {
    /// The sums in `f64`.
    pub fn float(y: &[f64], p: &[f64]) -> SoftSums<f64> {
        let mut s = SoftSums {
            n: y.len() as u64,
            spy: 0.0,
            sp: 0.0,
            sy: 0.0,
            spp: 0.0,
            syy: 0.0,
            sabs: 0.0,
        };
        for (&yi, &pi) in y.iter().zip(p) {
            s.spy += yi * pi;
            s.sp += pi;
            s.sy += yi;
            s.spp += pi * pi;
            s.syy += yi * yi;
            s.sabs += (pi - yi).abs();
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::surrogates::soft::parse_soft;

    const SPECS: &[&str] = &[
        "soft-dice",
        "soft-dice:squared,eps=1/7",
        "soft-jaccard",
        "soft-jaccard:squared",
        "soft-tversky:a=3/10,b=7/10",
        "soft-tversky:a=0,b=1,eps=1/100000",
        "jml",
        "jml:eps=1/3",
        "dml",
        "dml:eps=2",
    ];

    fn q(num: i64, den: i64) -> Q {
        Q::new(num.into(), den.into())
    }

    proptest! {
        /// Every sum-based loss gives the same exact value from the sums as from the
        /// vectors, for soft labels too.
        #[test]
        fn sums_agree_with_vectors(v in proptest::collection::vec((0i64..=12, 0i64..=12), 1..8)) {
            let y: Vec<Q> = v.iter().map(|&(a, _)| q(a, 12)).collect();
            let p: Vec<Q> = v.iter().map(|&(_, b)| q(b, 12)).collect();
            let sums = SoftSums::exact(&y, &p);
            for spec in SPECS {
                let loss = parse_soft(spec).unwrap();
                prop_assert_eq!(loss.loss_sums(&sums).unwrap(), loss.loss(&y, &p).unwrap(), "{}", spec);
            }
        }
    }

    #[test]
    fn lovasz_needs_the_vector() {
        let sums = SoftSums::exact(&[q(1, 1)], &[q(1, 2)]);
        let err = parse_soft("lovasz-jaccard")
            .unwrap()
            .loss_sums(&sums)
            .unwrap_err();
        assert!(err.to_string().contains("whole prediction"), "{err}");
    }

    #[test]
    fn float_sums_match_exact_on_dyadics() {
        let (y, p) = ([1.0, 0.0, 1.0], [0.5, 0.25, 0.75]);
        let f = SoftSums::float(&y, &p);
        let qy: Vec<Q> = y.iter().map(|&v| q((v * 4.0) as i64, 4)).collect();
        let qp: Vec<Q> = p.iter().map(|&v| q((v * 4.0) as i64, 4)).collect();
        let e = SoftSums::exact(&qy, &qp);
        assert_eq!(f.spy, crate::exact::q_to_f64(&e.spy));
        assert_eq!(f.sabs, crate::exact::q_to_f64(&e.sabs));
        assert_eq!(f.spp, crate::exact::q_to_f64(&e.spp));
    }
}
