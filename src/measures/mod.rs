//! Measures: exact metrics and losses as functions of confusion counts.
//!
//! Why it is built this way: a loss is written once, as a [`Formula`] generic over
//! the arithmetic ([`arith::Arith`]). A blanket implementation turns every formula
//! into a [`CountMeasure`] with three evaluation paths: `u128` with overflow
//! detection (fast, exact), `BigUint` (exact, never overflows) and `f64` (fast,
//! inexact, only ever cross-checked against the exact paths). The exact entry point
//! [`Measure::loss`] takes the fast path and falls back to the big one on overflow,
//! so callers never choose and never get a wrapped or rounded value.
//!
//! Every 0/0 a formula can produce (for Dice and Jaccard: both masks empty) is
//! resolved by an explicit [`EmptyPolicy`], never an epsilon.
//!
//! To add a measure: write its struct and `Formula` in [`builtin`] and add one entry
//! to [`builtin::REGISTRY`]. Specs, the CLI and every analysis pick it up.
//!
//! Users add their own without touching the code: `expr:FORMULA` ([`expr`]) is a
//! count measure like the others, except that a formula may be negative and may
//! divide anywhere, so it is evaluated as written (checked `i128` rationals, then
//! exact rationals) rather than as one non-negative fraction; see [`expr`] for why.

pub mod arith;
pub mod builtin;
pub mod expr;
pub mod schemes;
pub mod spec;
pub mod symbolic;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use num_bigint::{BigInt, BigUint};
use num_traits::One;

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::{format_q, q_from_u128, Q};
use arith::{Arith, Frac, Wide};

pub use spec::{parse_measure, valid_specs};

/// A loss written once, generic over the arithmetic. `loss` returns an unreduced
/// fraction whose numerator is 0 whenever its denominator is (a 0/0 that the
/// [`EmptyPolicy`] resolves).
pub trait Formula: Send + Sync + fmt::Debug + 'static {
    /// The canonical spec, which parses back to this measure.
    fn spec(&self) -> String;
    /// The loss as num/den in arithmetic `A`.
    fn loss<A: Arith>(&self, c: &Counts) -> Frac<A>;
}

/// The object-safe face of a [`Formula`]: one method per arithmetic.
pub trait CountMeasure: Send + Sync + fmt::Debug {
    /// The canonical spec.
    fn spec(&self) -> String;
    /// Fast exact path; `None` parts mean overflow.
    fn loss_wide(&self, c: &Counts) -> Frac<Wide>;
    /// Exact path that cannot overflow.
    fn loss_big(&self, c: &Counts) -> Frac<BigUint>;
    /// Inexact path.
    fn loss_float(&self, c: &Counts) -> Frac<f64>;
    /// The exact loss, fast path first: `None` for 0/0, an error when the measure
    /// cannot be evaluated at `c` (an `expr:` dividing a nonzero number by zero).
    /// Built-ins never error; `expr:` overrides this because its value can be
    /// negative, which the non-negative fractions above cannot carry.
    fn loss_exact(&self, c: &Counts) -> Result<Option<Q>> {
        let w = self.loss_wide(c);
        match w.parts() {
            Some((_, 0)) => Ok(None),
            Some((n, d)) => Ok(Some(q_from_u128(n, d))),
            None => self.loss_exact_big(c),
        }
    }
    /// [`CountMeasure::loss_exact`] by the path that cannot overflow only.
    fn loss_exact_big(&self, c: &Counts) -> Result<Option<Q>> {
        let b = self.loss_big(c);
        if num_traits::Zero::is_zero(&b.den) {
            Ok(None)
        } else {
            Ok(Some(Q::new(BigInt::from(b.num), BigInt::from(b.den))))
        }
    }
    /// The formula, when this measure is an `expr:` (for layers that translate it).
    fn as_expr(&self) -> Option<&expr::CountExpr> {
        None
    }
    /// The loss as a piecewise rational function of the counts, for SMT proofs
    /// (`diceproof prove`); `None` when it is not expressible that way. Every
    /// [`Formula`] gets it by extraction from its own code (see [`symbolic`]); a
    /// measure written another way (a user expression) overrides this to supply
    /// its own.
    fn symbolic(&self) -> Option<symbolic::Symbolic> {
        None
    }
}

impl<F: Formula> CountMeasure for F {
    fn spec(&self) -> String {
        Formula::spec(self)
    }
    #[inline]
    fn loss_wide(&self, c: &Counts) -> Frac<Wide> {
        self.loss::<Wide>(c)
    }
    fn loss_big(&self, c: &Counts) -> Frac<BigUint> {
        self.loss::<BigUint>(c)
    }
    #[inline]
    fn loss_float(&self, c: &Counts) -> Frac<f64> {
        self.loss::<f64>(c)
    }
    fn symbolic(&self) -> Option<symbolic::Symbolic> {
        symbolic::extract(
            |c| self.loss::<symbolic::Poly>(c),
            |c| {
                let b = self.loss::<BigUint>(c);
                (!num_traits::Zero::is_zero(&b.den))
                    .then(|| Q::new(BigInt::from(b.num), BigInt::from(b.den)))
            },
        )
    }
}

/// What a measure is worth when its formula is 0/0 (for Dice and Jaccard: both
/// masks empty). Stated as the value of the *similarity*; the loss is 1 minus it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EmptyPolicy {
    /// Similarity 1, loss 0: two empty masks agree perfectly (the field's common
    /// convention, and the default).
    #[default]
    One,
    /// Similarity 0, loss 1.
    Zero,
    /// The value is undefined (`nan`); averages must skip or report it.
    Nan,
    /// 0/0 is an error that names the measure.
    Error,
    /// MONAI's default (`ignore_empty=True`): the value is `nan` whenever the
    /// ground truth is empty, whatever the prediction; otherwise (ground truth
    /// nonempty) a formula cannot be 0/0 for Dice-like measures, and any 0/0 that
    /// still occurs is `nan` as under [`EmptyPolicy::Nan`].
    NanIfGtEmpty,
}

impl EmptyPolicy {
    /// All policies with their names, for help and errors.
    pub const ALL: [(&'static str, EmptyPolicy); 5] = [
        ("one", EmptyPolicy::One),
        ("zero", EmptyPolicy::Zero),
        ("nan", EmptyPolicy::Nan),
        ("error", EmptyPolicy::Error),
        ("nan-if-gt-empty", EmptyPolicy::NanIfGtEmpty),
    ];

    /// The policy's name.
    pub fn name(&self) -> &'static str {
        match self {
            EmptyPolicy::One => "one",
            EmptyPolicy::Zero => "zero",
            EmptyPolicy::Nan => "nan",
            EmptyPolicy::Error => "error",
            EmptyPolicy::NanIfGtEmpty => "nan-if-gt-empty",
        }
    }
}

impl FromStr for EmptyPolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        EmptyPolicy::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|&(_, p)| p)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown empty-mask policy {s:?}; valid policies are: one (default), zero, nan, error, nan-if-gt-empty (MONAI's default: nan whenever the ground truth is empty)"
                ))
            })
    }
}

impl fmt::Display for EmptyPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An exact value, or `NaN` when the empty policy says the value is undefined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An exact rational.
    Exact(Q),
    /// Undefined (0/0 under [`EmptyPolicy::Nan`]).
    NaN,
}

impl Value {
    /// The exact rational, if defined.
    pub fn exact(&self) -> Option<&Q> {
        match self {
            Value::Exact(q) => Some(q),
            Value::NaN => None,
        }
    }

    /// 1 − self.
    pub fn complement(&self) -> Value {
        match self {
            Value::Exact(q) => Value::Exact(Q::one() - q),
            Value::NaN => Value::NaN,
        }
    }

    /// The nearest `f64`, NaN if undefined.
    pub fn to_f64(&self) -> f64 {
        match self {
            Value::Exact(q) => crate::exact::q_to_f64(q),
            Value::NaN => f64::NAN,
        }
    }
}

impl fmt::Display for Value {
    /// `p/q`, or `nan`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Exact(q) => f.write_str(&format_q(q)),
            Value::NaN => f.write_str("nan"),
        }
    }
}

/// A parsed, shareable measure.
#[derive(Clone, Debug)]
pub struct Measure(Arc<dyn CountMeasure>);

impl Measure {
    /// Wraps a boxed measure.
    pub fn from_box(m: Box<dyn CountMeasure>) -> Measure {
        Measure(Arc::from(m))
    }

    /// Wraps any formula.
    pub fn new<F: Formula>(f: F) -> Measure {
        Measure(Arc::new(f))
    }

    /// The canonical spec.
    pub fn spec(&self) -> String {
        self.0.spec()
    }

    /// The underlying count measure (for hot loops that want a specific path).
    pub fn counts(&self) -> &dyn CountMeasure {
        &*self.0
    }

    /// The exact loss, or `None` when the formula is 0/0 (before any policy). For
    /// an `expr:` that divides a nonzero number by zero at `c` this is also `None`;
    /// [`Measure::loss_checked`], [`Measure::loss`] and [`Measure::similarity`]
    /// report that error.
    pub fn loss_raw(&self, c: &Counts) -> Option<Q> {
        self.0.loss_exact(c).ok().flatten()
    }

    /// The exact loss before any policy, with evaluation errors kept.
    pub fn loss_checked(&self, c: &Counts) -> Result<Option<Q>> {
        self.0.loss_exact(c)
    }

    /// The exact loss by the big-integer path only (for differential tests).
    pub fn loss_big_only(&self, c: &Counts) -> Option<Q> {
        self.0.loss_exact_big(c).ok().flatten()
    }

    /// The exact loss with the empty policy applied.
    pub fn loss(&self, c: &Counts, policy: EmptyPolicy) -> Result<Value> {
        if policy == EmptyPolicy::NanIfGtEmpty && c.gt_size() == 0 {
            return Ok(Value::NaN);
        }
        match self.loss_checked(c)? {
            Some(q) => Ok(Value::Exact(q)),
            None => self.empty_similarity(c, policy).map(|v| v.complement()),
        }
    }

    /// The exact similarity 1 − loss with the empty policy applied.
    pub fn similarity(&self, c: &Counts, policy: EmptyPolicy) -> Result<Value> {
        if policy == EmptyPolicy::NanIfGtEmpty && c.gt_size() == 0 {
            return Ok(Value::NaN);
        }
        match self.loss_checked(c)? {
            Some(q) => Ok(Value::Exact(Q::one() - q)),
            None => self.empty_similarity(c, policy),
        }
    }

    /// The loss in `f64` (NaN under the `nan` policy; the `error` policy also
    /// yields NaN here, since this path is for speed and cross-checks only).
    pub fn loss_f64(&self, c: &Counts, policy: EmptyPolicy) -> f64 {
        if policy == EmptyPolicy::NanIfGtEmpty && c.gt_size() == 0 {
            return f64::NAN;
        }
        let f = self.0.loss_float(c);
        if f.den == 0.0 {
            match policy {
                EmptyPolicy::One => 0.0,
                EmptyPolicy::Zero => 1.0,
                EmptyPolicy::Nan | EmptyPolicy::Error | EmptyPolicy::NanIfGtEmpty => f64::NAN,
            }
        } else {
            f.num / f.den
        }
    }

    fn empty_similarity(&self, c: &Counts, policy: EmptyPolicy) -> Result<Value> {
        match policy {
            EmptyPolicy::One => Ok(Value::Exact(Q::one())),
            EmptyPolicy::Zero => Ok(Value::Exact(num_traits::Zero::zero())),
            EmptyPolicy::Nan | EmptyPolicy::NanIfGtEmpty => Ok(Value::NaN),
            EmptyPolicy::Error => Err(Error::Empty(format!(
                "{} is 0/0 at tp={} fp={} fn={} tn={} ({}) and the empty-mask policy is `error`; \
                 choose --empty one, zero or nan to give it a value",
                self.spec(),
                c.tp,
                c.fp,
                c.fn_,
                c.tn,
                if c.both_empty() {
                    "both masks are empty"
                } else {
                    "no voxels"
                }
            ))),
        }
    }
}

impl FromStr for Measure {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse_measure(s)
    }
}

#[cfg(test)]
mod laws;
#[cfg(test)]
mod tests;
