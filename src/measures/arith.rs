//! The three arithmetics every count formula is evaluated in.
//!
//! A measure writes its loss once, as a fraction of sums and products of counts and
//! precomputed integer parameters, generic over [`Arith`]. The same code then runs
//! as:
//!
//! * [`Wide`]: `u128` with overflow *poisoning* (any overflow turns the value into
//!   `None`), the fast exact path used by enumeration and search;
//! * [`BigUint`]: arbitrary precision, the path that cannot overflow;
//! * `f64`: the fast inexact path, used only where tests cross-check it.
//!
//! Only addition and multiplication of non-negative integers are needed: every
//! built-in loss is a ratio of such polynomials (parameters are scaled to integers
//! when the measure is built), so no path ever rounds or wraps silently.

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

/// A non-negative integer parameter, precomputed in every arithmetic.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    big: BigUint,
    wide: Option<u128>,
    float: f64,
}

impl Param {
    /// A parameter from an arbitrary-precision integer.
    pub fn new(big: BigUint) -> Param {
        Param {
            wide: big.to_u128(),
            float: big.to_f64().unwrap_or(f64::INFINITY),
            big,
        }
    }

    /// A parameter from a small integer.
    pub fn small(v: u64) -> Param {
        Param::new(BigUint::from(v))
    }

    /// The exact value.
    pub fn value(&self) -> &BigUint {
        &self.big
    }
}

/// Non-negative integer arithmetic that a count formula is generic over.
pub trait Arith: Clone + std::fmt::Debug {
    /// A count.
    fn count(v: u64) -> Self;
    /// A precomputed parameter.
    fn param(p: &Param) -> Self;
    /// Sum.
    fn add(&self, o: &Self) -> Self;
    /// Product.
    fn mul(&self, o: &Self) -> Self;
    /// Whether the value is zero (exactly, for the exact arithmetics).
    fn is_zero(&self) -> bool;
}

/// `u128` arithmetic in which any overflow poisons the result to `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wide(pub Option<u128>);

impl Arith for Wide {
    #[inline]
    fn count(v: u64) -> Self {
        Wide(Some(v as u128))
    }
    #[inline]
    fn param(p: &Param) -> Self {
        Wide(p.wide)
    }
    #[inline]
    fn add(&self, o: &Self) -> Self {
        Wide(match (self.0, o.0) {
            (Some(a), Some(b)) => a.checked_add(b),
            _ => None,
        })
    }
    #[inline]
    fn mul(&self, o: &Self) -> Self {
        Wide(match (self.0, o.0) {
            (Some(a), Some(b)) => a.checked_mul(b),
            _ => None,
        })
    }
    #[inline]
    fn is_zero(&self) -> bool {
        self.0 == Some(0)
    }
}

impl Arith for BigUint {
    fn count(v: u64) -> Self {
        BigUint::from(v)
    }
    fn param(p: &Param) -> Self {
        p.big.clone()
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
}

impl Arith for f64 {
    #[inline]
    fn count(v: u64) -> Self {
        v as f64
    }
    #[inline]
    fn param(p: &Param) -> Self {
        p.float
    }
    #[inline]
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    #[inline]
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    #[inline]
    fn is_zero(&self) -> bool {
        *self == 0.0
    }
}

/// An unreduced fraction num/den; den = 0 means the formula hit 0/0 (every
/// built-in loss has num = 0 whenever den = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frac<A> {
    /// Numerator.
    pub num: A,
    /// Denominator.
    pub den: A,
}

impl<A: Arith> Frac<A> {
    /// A fraction from its parts.
    pub fn new(num: A, den: A) -> Self {
        Frac { num, den }
    }
}

impl Frac<Wide> {
    /// Both parts, if no overflow happened.
    #[inline]
    pub fn parts(&self) -> Option<(u128, u128)> {
        Some((self.num.0?, self.den.0?))
    }
}
