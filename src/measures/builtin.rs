//! The built-in count measures: each is a struct, its loss formula, and one entry
//! in [`REGISTRY`]. Adding a measure is adding those three things here; parsing,
//! the exact and f64 paths, the empty-mask policy and every analysis follow.
//!
//! Conventions (documented because the field fights over them):
//! * Tversky `a` weights false positives and `b` false negatives:
//!   Δ_T = (a·FP + b·FN) / (TP + a·FP + b·FN). `tversky:a=1/2,b=1/2` is Dice and
//!   `tversky:a=1,b=1` is Jaccard.
//! * `whamming:w=W` puts weight W on false negatives and 1 − W on false positives,
//!   normalised by n: (W·FN + (1 − W)·FP) / n. `hamming` is (FP + FN) / n.
//! * `whamming:balanced`, `whamming:gdice` and `whamming:medfreq,fg=F,bg=G` are
//!   class-weighting schemes; see [`super::schemes`] for their weights and
//!   normalisations.

use num_bigint::BigUint;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::arith::{Arith, Frac, Param};
use super::schemes::{Balanced, GeneralizedDice, SchemeHamming};
use super::spec::{Args, MeasureInfo};
use super::Formula;
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::format_q;

/// Every built-in measure: name, syntax, one-line meaning, constructor.
pub const REGISTRY: &[MeasureInfo] = &[
    MeasureInfo {
        name: "dice",
        aliases: &["f1", "dsc"],
        syntax: "dice",
        summary: "Dice loss (FP+FN)/(2TP+FP+FN); similarity 2TP/(2TP+FP+FN)",
        build: |a| {
            a.no_args("dice")?;
            Ok(Box::new(Dice))
        },
    },
    MeasureInfo {
        name: "jaccard",
        aliases: &["iou"],
        syntax: "jaccard",
        summary: "Jaccard loss (FP+FN)/(TP+FP+FN); similarity TP/(TP+FP+FN)",
        build: |a| {
            a.no_args("jaccard")?;
            Ok(Box::new(Jaccard))
        },
    },
    MeasureInfo {
        name: "tversky",
        aliases: &[],
        syntax: "tversky:a=P/Q,b=P/Q",
        summary: "Tversky loss (a·FP+b·FN)/(TP+a·FP+b·FN); a weights FP, b weights FN",
        build: |a| Ok(Box::new(Tversky::from_args(a)?)),
    },
    MeasureInfo {
        name: "hamming",
        aliases: &["error-rate"],
        syntax: "hamming",
        summary: "Hamming loss (FP+FN)/n, the voxel error rate",
        build: |a| {
            a.no_args("hamming")?;
            Ok(Box::new(Hamming))
        },
    },
    MeasureInfo {
        name: "whamming",
        aliases: &[],
        syntax:
            "whamming:w=P/Q | whamming:balanced | whamming:gdice | whamming:medfreq,fg=P/Q,bg=P/Q",
        summary: "weighted Hamming Σ w_y·[error]: fixed (w on FN, 1−w on FP, /n), per-image \
                  class-balanced, generalized-Dice 1/|class|², or median-frequency weights",
        build: |a| {
            if a.flag("balanced") {
                a.only(&["balanced"], "whamming:balanced")?;
                Ok(Box::new(SchemeHamming(Balanced)))
            } else if a.flag("gdice") {
                a.only(&["gdice"], "whamming:gdice")?;
                Ok(Box::new(SchemeHamming(GeneralizedDice)))
            } else if a.flag("medfreq") {
                let syntax = "whamming:medfreq,fg=P/Q,bg=P/Q";
                a.only(&["medfreq", "fg", "bg"], syntax)?;
                Ok(Box::new(MedianFrequency::new(
                    a.number_any(&["fg"], syntax)?,
                    a.number_any(&["bg"], syntax)?,
                )?))
            } else if a.flag("sqrt") {
                Err(Error::invalid(
                    "whamming:sqrt (inverse square-root frequency weights) has irrational values: \
                     it is available in `search`, which certifies it with intervals, not in exact \
                     enumeration",
                ))
            } else {
                Ok(Box::new(WeightedHamming::from_args(a)?))
            }
        },
    },
];

/// Dice loss.
#[derive(Clone, Copy, Debug)]
pub struct Dice;

impl Formula for Dice {
    fn spec(&self) -> String {
        "dice".into()
    }
    #[inline]
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A> {
        let (tp, err) = (A::count(c.tp), A::count(c.fp).add(&A::count(c.fn_)));
        let den = tp.add(&tp).add(&err);
        Frac::new(err, den)
    }
}

/// Jaccard loss.
#[derive(Clone, Copy, Debug)]
pub struct Jaccard;

impl Formula for Jaccard {
    fn spec(&self) -> String {
        "jaccard".into()
    }
    #[inline]
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A> {
        let err = A::count(c.fp).add(&A::count(c.fn_));
        let den = A::count(c.tp).add(&err);
        Frac::new(err, den)
    }
}

/// Tversky loss with exact rational weights a (on FP) and b (on FN).
#[derive(Clone, Debug)]
pub struct Tversky {
    a: BigRational,
    b: BigRational,
    /// a·lcm-scaled integer weights: loss = (ka·FP + kb·FN) / (kt·TP + ka·FP + kb·FN).
    ka: Param,
    kb: Param,
    kt: Param,
}

impl Tversky {
    /// A Tversky loss; a, b ≥ 0 and not both zero.
    pub fn new(a: BigRational, b: BigRational) -> Result<Tversky> {
        if a.is_negative() || b.is_negative() {
            return Err(Error::invalid(format!(
                "tversky weights must be non-negative, got a={} b={}",
                format_q(&a),
                format_q(&b)
            )));
        }
        if a.is_zero() && b.is_zero() {
            return Err(Error::invalid(
                "tversky with a=0 and b=0 is identically 0 wherever it is defined; \
                 give at least one positive weight",
            ));
        }
        let (qa, qb) = (to_big(a.denom()), to_big(b.denom()));
        let ka = to_big(a.numer()) * &qb;
        let kb = to_big(b.numer()) * &qa;
        let kt = qa * qb;
        Ok(Tversky {
            a,
            b,
            ka: Param::new(ka),
            kb: Param::new(kb),
            kt: Param::new(kt),
        })
    }

    fn from_args(args: &Args) -> Result<Tversky> {
        args.only(&["a", "b", "alpha", "beta"], "tversky:a=P/Q,b=P/Q")?;
        let a = args.number_any(&["a", "alpha"], "tversky:a=P/Q,b=P/Q")?;
        let b = args.number_any(&["b", "beta"], "tversky:a=P/Q,b=P/Q")?;
        Tversky::new(a, b)
    }
}

impl Formula for Tversky {
    fn spec(&self) -> String {
        format!("tversky:a={},b={}", format_q(&self.a), format_q(&self.b))
    }
    #[inline]
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A> {
        let num = A::param(&self.ka)
            .mul(&A::count(c.fp))
            .add(&A::param(&self.kb).mul(&A::count(c.fn_)));
        let den = A::param(&self.kt).mul(&A::count(c.tp)).add(&num);
        Frac::new(num, den)
    }
}

/// Hamming loss (voxel error rate).
#[derive(Clone, Copy, Debug)]
pub struct Hamming;

impl Formula for Hamming {
    fn spec(&self) -> String {
        "hamming".into()
    }
    #[inline]
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A> {
        Frac::new(A::count(c.fp).add(&A::count(c.fn_)), A::count(c.n()))
    }
}

/// Weighted Hamming with a fixed weight w on FN and 1 − w on FP, normalised by n.
#[derive(Clone, Debug)]
pub struct WeightedHamming {
    w: BigRational,
    /// w = p/q: loss = (p·FN + (q − p)·FP) / (q·n).
    p: Param,
    q_minus_p: Param,
    q: Param,
}

impl WeightedHamming {
    /// A weighted Hamming loss; w must lie in [0, 1].
    pub fn new(w: BigRational) -> Result<WeightedHamming> {
        if w.is_negative() || w > BigRational::one() {
            return Err(Error::invalid(format!(
                "whamming weight w must lie in [0, 1], got {}",
                format_q(&w)
            )));
        }
        let p = to_big(w.numer());
        let q = to_big(w.denom());
        let q_minus_p = &q - &p;
        Ok(WeightedHamming {
            w,
            p: Param::new(p),
            q_minus_p: Param::new(q_minus_p),
            q: Param::new(q),
        })
    }

    fn from_args(args: &Args) -> Result<WeightedHamming> {
        let syntax = "whamming:w=P/Q or whamming:balanced";
        args.only(&["w"], syntax)?;
        WeightedHamming::new(args.number_any(&["w"], syntax)?)
    }
}

impl Formula for WeightedHamming {
    fn spec(&self) -> String {
        format!("whamming:w={}", format_q(&self.w))
    }
    #[inline]
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A> {
        let num = A::param(&self.p)
            .mul(&A::count(c.fn_))
            .add(&A::param(&self.q_minus_p).mul(&A::count(c.fp)));
        Frac::new(num, A::param(&self.q).mul(&A::count(c.n())))
    }
}

/// Median-frequency balancing: with data-set class frequencies F (foreground) and
/// G (background), the weights median(F, G)/F and median(F, G)/G are fixed for every
/// image; normalised as `whamming:w` they are w = G/(F + G) on FN.
#[derive(Clone, Debug)]
pub struct MedianFrequency {
    fg: BigRational,
    bg: BigRational,
    fixed: WeightedHamming,
}

impl MedianFrequency {
    /// From the two class frequencies (positive rationals).
    pub fn new(fg: BigRational, bg: BigRational) -> Result<MedianFrequency> {
        if !fg.is_positive() || !bg.is_positive() {
            return Err(Error::invalid(format!(
                "median-frequency class frequencies must be positive, got fg={} bg={}",
                format_q(&fg),
                format_q(&bg)
            )));
        }
        let w = &bg / (&fg + &bg);
        Ok(MedianFrequency {
            fixed: WeightedHamming::new(w)?,
            fg,
            bg,
        })
    }

    /// Class frequencies of a data set as median-frequency balancing defines them:
    /// for each class, its voxels over the voxels of the images in which it occurs.
    /// `images` holds (n, |y|) per image.
    pub fn frequencies(images: &[(u64, u64)]) -> Option<(BigRational, BigRational)> {
        let (mut fg, mut fg_total, mut bg, mut bg_total) = (0u128, 0u128, 0u128, 0u128);
        for &(n, y) in images {
            if y > 0 {
                fg += y as u128;
                fg_total += n as u128;
            }
            if n > y {
                bg += (n - y) as u128;
                bg_total += n as u128;
            }
        }
        if fg_total == 0 || bg_total == 0 {
            return None;
        }
        let q = |a: u128, b: u128| {
            BigRational::new(num_bigint::BigInt::from(a), num_bigint::BigInt::from(b))
        };
        Some((q(fg, fg_total), q(bg, bg_total)))
    }
}

impl Formula for MedianFrequency {
    fn spec(&self) -> String {
        format!(
            "whamming:medfreq,fg={},bg={}",
            format_q(&self.fg),
            format_q(&self.bg)
        )
    }
    #[inline]
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A> {
        self.fixed.loss(c)
    }
}

fn to_big(v: &num_bigint::BigInt) -> BigUint {
    v.magnitude().clone()
}
