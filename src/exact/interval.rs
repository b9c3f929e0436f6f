//! Certified interval arithmetic on MPFR floats, and decisions built on it.
//!
//! # Why intervals
//!
//! The counts behind Dice, Jaccard and the losses are integers, so most quantities
//! the toolkit handles are rationals and are computed exactly elsewhere. But many
//! of the questions it settles involve logarithms (cross-entropy style losses) and
//! square roots (the Dice/Jaccard absolute-gap bound `3 − 2√2`), and the log or
//! square root of a rational is irrational except in special cases. Such a value
//! cannot be written down exactly, and a plain floating-point approximation says
//! nothing certain about it.
//!
//! So every irrational value the toolkit reports is an [`Interval`]
//! `[lo, hi]` of MPFR floats that is *certain* to contain the true value. Each
//! operation computes its lower endpoint with rounding toward −∞ and its upper
//! endpoint with rounding toward +∞ ("outward rounding"), and MPFR rounds every
//! elementary operation and function correctly in the requested direction, so
//! the containment survives any chain of operations. Precision only affects how
//! *tight* the interval is, never whether it is right.
//!
//! # Deciding comparisons
//!
//! To decide whether an irrational value `x` lies below or above a rational `q`
//! (or another expression), [`decide`] evaluates `x` as an interval at some
//! precision. If the whole interval lies on one side of `q`, the answer is
//! certain. If the interval straddles `q`, the precision is doubled and the
//! expression re-evaluated, until the interval no longer straddles or a
//! precision cap is reached. An irrational `x` is never equal to a rational `q`,
//! so for such comparisons the loop always terminates given enough precision;
//! the cap turns the (unlikely) case of a value extraordinarily close to `q`, or
//! a true equality that intervals cannot prove, into [`Error::Undecided`]
//! rather than a wrong answer.
//!
//! # Invariants
//!
//! An [`Interval`] always satisfies `lo <= hi`, and neither endpoint is NaN. The
//! endpoints are finite in every ordinary computation. Only if a true bound lies
//! beyond MPFR's exponent range (magnitudes around 2^(2^30), e.g. `exp` of a
//! number above about 7·10^8) does an endpoint become infinite: then `hi` is
//! `+∞` or `lo` is `−∞`, which is still a correct bound. `lo` is never `+∞` and
//! `hi` is never `−∞` (MPFR rounds an overflow in the inward direction to the
//! largest finite float). All operations handle such endpoints without
//! producing NaN.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Mul, Neg, Sub};

use num_rational::BigRational;
use rug::float::{self, Constant, Round};
use rug::ops::Pow;
use rug::{Float, Rational};

use crate::error::{Error, Result};

use super::convert::big_to_rug;

/// Clamps a requested precision into the range MPFR accepts.
fn clamp_prec(prec: u32) -> u32 {
    prec.clamp(float::prec_min(), float::prec_max())
}

/// Replaces a negative zero by a positive one (purely cosmetic: `−0 == +0`).
fn unsign_zero(mut x: Float) -> Float {
    if x.is_zero() && x.is_sign_negative() {
        x.abs_mut();
    }
    x
}

/// `a * b` rounded in direction `round`, with `0 · ±∞ = 0`.
///
/// An infinite endpoint only stands for "some huge finite number", so a zero
/// factor makes the product exactly zero.
fn mul_round(prec: u32, a: &Float, b: &Float, round: Round) -> Float {
    if a.is_zero() || b.is_zero() {
        Float::new(prec)
    } else {
        Float::with_val_round(prec, a * b, round).0
    }
}

/// The smallest of a non-empty list of non-NaN floats.
fn min_of(values: [Float; 4]) -> Float {
    let [first, rest @ ..] = values;
    rest.into_iter()
        .fold(first, |acc, x| if x < acc { x } else { acc })
}

/// The largest of a non-empty list of non-NaN floats.
fn max_of(values: [Float; 4]) -> Float {
    let [first, rest @ ..] = values;
    rest.into_iter()
        .fold(first, |acc, x| if x > acc { x } else { acc })
}

/// A closed interval `[lo, hi]` of MPFR floats certain to contain a real value.
///
/// See the [module documentation](self) for the invariants. Endpoints are
/// private so that every interval in existence was produced by a constructor or
/// an outward-rounded operation.
#[derive(Clone, Debug)]
pub struct Interval {
    lo: Float,
    hi: Float,
}

/// The enclosure [f(least)↓, f(greatest)↑] at precision `p` of a function
/// monotone on an interval, given the endpoint where it is least and the one
/// where it is greatest (lo, hi for an increasing function; hi, lo for a
/// decreasing one). `f(x, p, round)` evaluates at one point with the given
/// rounding, so the outward rounding is written once for `sqrt`, `ln`, `exp`
/// and `recip`.
fn monotone(
    p: u32,
    least: &Float,
    greatest: &Float,
    f: impl Fn(&Float, u32, Round) -> Float,
) -> Interval {
    Interval::raw(f(least, p, Round::Down), f(greatest, p, Round::Up))
}

impl Interval {
    /// Builds an interval from endpoints already known to satisfy the invariants.
    fn raw(lo: Float, hi: Float) -> Interval {
        debug_assert!(!lo.is_nan() && !hi.is_nan() && lo <= hi);
        Interval {
            lo: unsign_zero(lo),
            hi: unsign_zero(hi),
        }
    }

    /// Builds an interval from explicit endpoints.
    ///
    /// Returns [`Error::Invalid`] if an endpoint is NaN, if `lo > hi`, or if
    /// `lo = +∞` or `hi = −∞` (such an interval contains no real number).
    pub fn new(lo: Float, hi: Float) -> Result<Interval> {
        if lo.is_nan() || hi.is_nan() {
            return Err(Error::invalid("interval endpoint is NaN"));
        }
        if lo > hi {
            return Err(Error::invalid(format!(
                "interval lower endpoint {lo} exceeds upper endpoint {hi}"
            )));
        }
        if (lo.is_infinite() && lo.is_sign_positive())
            || (hi.is_infinite() && hi.is_sign_negative())
        {
            return Err(Error::invalid(format!(
                "interval [{lo}, {hi}] contains no real number"
            )));
        }
        Ok(Interval::raw(lo, hi))
    }

    /// The point interval `[x, x]`, keeping the precision of `x`.
    ///
    /// Returns [`Error::Invalid`] if `x` is NaN or infinite.
    pub fn exact(x: Float) -> Result<Interval> {
        if !x.is_finite() {
            return Err(Error::invalid(format!(
                "cannot make an exact interval from {x}"
            )));
        }
        Ok(Interval::raw(x.clone(), x))
    }

    /// The tightest interval at `prec` bits containing `q`: `lo` is `q` rounded
    /// down and `hi` is `q` rounded up, so both equal `q` when it is
    /// representable.
    ///
    /// `prec` is clamped to MPFR's valid range (at least 1 bit).
    pub fn from_rational(q: &Rational, prec: u32) -> Interval {
        let p = clamp_prec(prec);
        let (lo, dir) = Float::with_val_round(p, q, Round::Down);
        let hi = if dir == Ordering::Equal {
            lo.clone()
        } else {
            Float::with_val_round(p, q, Round::Up).0
        };
        Interval::raw(lo, hi)
    }

    /// Like [`Interval::from_rational`] for a num-rational value.
    ///
    /// The rational must have a non-zero denominator, which every `BigRational`
    /// built by num-rational's checked constructors or parser has.
    pub fn from_big(q: &BigRational, prec: u32) -> Interval {
        Interval::from_rational(&big_to_rug(q), prec)
    }

    /// The tightest interval at `prec` bits containing the integer `n` (exact
    /// when `prec >= 64` or `n` fits in `prec` bits).
    pub fn from_int(n: i64, prec: u32) -> Interval {
        let p = clamp_prec(prec);
        let (lo, dir) = Float::with_val_round(p, n, Round::Down);
        let hi = if dir == Ordering::Equal {
            lo.clone()
        } else {
            Float::with_val_round(p, n, Round::Up).0
        };
        Interval::raw(lo, hi)
    }

    /// The lower endpoint.
    pub fn lo(&self) -> &Float {
        &self.lo
    }

    /// The upper endpoint.
    pub fn hi(&self) -> &Float {
        &self.hi
    }

    /// The working precision in bits (the larger of the endpoints' precisions).
    pub fn prec(&self) -> u32 {
        self.lo.prec().max(self.hi.prec())
    }

    /// Whether the interval is a single point (`lo == hi`).
    pub fn is_point(&self) -> bool {
        self.lo == self.hi
    }

    /// Whether the interval contains zero.
    pub fn contains_zero(&self) -> bool {
        self.lo <= 0 && self.hi >= 0
    }

    /// Whether `q` lies in `[lo, hi]` (an exact comparison).
    pub fn contains_rational(&self, q: &Rational) -> bool {
        self.lo <= *q && self.hi >= *q
    }

    /// The endpoints as exact rationals, or `None` if one is infinite.
    pub fn to_rational_bounds(&self) -> Option<(Rational, Rational)> {
        Some((self.lo.to_rational()?, self.hi.to_rational()?))
    }

    /// `hi − lo`, rounded up (an upper bound on the true width).
    pub fn width(&self) -> Float {
        Float::with_val_round(self.prec(), &self.hi - &self.lo, Round::Up).0
    }

    /// The midpoint rounded to the nearest `f64`. **Not certified**: for display
    /// and plotting only. If one endpoint is infinite, that infinity is
    /// returned; for `[−∞, +∞]` the result is `0.0`.
    pub fn midpoint_f64(&self) -> f64 {
        match (self.lo.is_infinite(), self.hi.is_infinite()) {
            (true, true) => 0.0,
            (true, false) => f64::NEG_INFINITY,
            (false, true) => f64::INFINITY,
            (false, false) => {
                let sum = Float::with_val(
                    clamp_prec(self.prec().saturating_add(1)),
                    &self.lo + &self.hi,
                );
                (sum / 2u32).to_f64()
            }
        }
    }

    /// `(lo rounded down to f64, hi rounded up to f64)`: still a certified
    /// enclosure (possibly with infinite or zero endpoints when the value is
    /// outside `f64`'s range).
    pub fn to_f64_bounds(&self) -> (f64, f64) {
        (
            self.lo.to_f64_round(Round::Down),
            self.hi.to_f64_round(Round::Up),
        )
    }

    /// Certified comparison against a rational.
    ///
    /// `Some(Less)` if every point is below `q` (`hi < q`), `Some(Greater)` if
    /// every point is above (`lo > q`), `Some(Equal)` only if the interval is
    /// exactly the point `q`, and `None` if the interval straddles or touches
    /// `q` without being equal to it.
    pub fn cmp_rational(&self, q: &Rational) -> Option<Ordering> {
        if self.hi < *q {
            Some(Ordering::Less)
        } else if self.lo > *q {
            Some(Ordering::Greater)
        } else if self.lo == *q && self.hi == *q {
            Some(Ordering::Equal)
        } else {
            None
        }
    }

    /// Certified comparison against another interval: `Some(Less)` if
    /// `self.hi < other.lo`, `Some(Greater)` if `self.lo > other.hi`,
    /// `Some(Equal)` only if both are the same single point, else `None`.
    pub fn cmp_interval(&self, other: &Interval) -> Option<Ordering> {
        if self.hi < other.lo {
            Some(Ordering::Less)
        } else if self.lo > other.hi {
            Some(Ordering::Greater)
        } else if self.is_point() && other.is_point() && self.lo == other.lo {
            Some(Ordering::Equal)
        } else {
            None
        }
    }

    /// `self + other` at the larger of the two precisions.
    pub fn add(&self, other: &Interval) -> Interval {
        let p = self.prec().max(other.prec());
        let lo = Float::with_val_round(p, &self.lo + &other.lo, Round::Down).0;
        let hi = Float::with_val_round(p, &self.hi + &other.hi, Round::Up).0;
        Interval::raw(lo, hi)
    }

    /// `self − other` at the larger of the two precisions.
    pub fn sub(&self, other: &Interval) -> Interval {
        let p = self.prec().max(other.prec());
        let lo = Float::with_val_round(p, &self.lo - &other.hi, Round::Down).0;
        let hi = Float::with_val_round(p, &self.hi - &other.lo, Round::Up).0;
        Interval::raw(lo, hi)
    }

    /// `−self` (exact).
    pub fn neg(&self) -> Interval {
        Interval::raw(-self.hi.clone(), -self.lo.clone())
    }

    /// `self · other` at the larger of the two precisions: the minimum of the
    /// four endpoint products rounded down and their maximum rounded up.
    pub fn mul(&self, other: &Interval) -> Interval {
        let p = self.prec().max(other.prec());
        let (a, b, c, d) = (&self.lo, &self.hi, &other.lo, &other.hi);
        let lo = min_of([
            mul_round(p, a, c, Round::Down),
            mul_round(p, a, d, Round::Down),
            mul_round(p, b, c, Round::Down),
            mul_round(p, b, d, Round::Down),
        ]);
        let hi = max_of([
            mul_round(p, a, c, Round::Up),
            mul_round(p, a, d, Round::Up),
            mul_round(p, b, c, Round::Up),
            mul_round(p, b, d, Round::Up),
        ]);
        Interval::raw(lo, hi)
    }

    /// `self / other` at the larger of the two precisions.
    ///
    /// Returns [`Error::Invalid`] if `other` contains zero.
    pub fn div(&self, other: &Interval) -> Result<Interval> {
        if other.contains_zero() {
            return Err(Error::invalid(format!(
                "cannot divide by the interval {other:.20}, which contains zero"
            )));
        }
        if other.hi < 0 {
            // x / y = (−x) / (−y), with −y > 0.
            return Ok(self.neg().div_positive(&other.neg()));
        }
        Ok(self.div_positive(other))
    }

    /// Division by an interval that lies strictly above zero.
    fn div_positive(&self, y: &Interval) -> Interval {
        let p = self.prec().max(y.prec());
        // y.lo is finite and positive; y.hi may be +∞ (then x / y.hi = 0 for
        // finite x, which only occurs below where x is finite).
        let lo = if self.lo >= 0 {
            Float::with_val_round(p, &self.lo / &y.hi, Round::Down).0
        } else {
            Float::with_val_round(p, &self.lo / &y.lo, Round::Down).0
        };
        let hi = if self.hi >= 0 {
            Float::with_val_round(p, &self.hi / &y.lo, Round::Up).0
        } else {
            Float::with_val_round(p, &self.hi / &y.hi, Round::Up).0
        };
        Interval::raw(lo, hi)
    }

    /// `1 / self`. Returns [`Error::Invalid`] if `self` contains zero.
    pub fn recip(&self) -> Result<Interval> {
        if self.contains_zero() {
            return Err(Error::invalid(format!(
                "cannot take the reciprocal of the interval {self:.20}, which contains zero"
            )));
        }
        // Decreasing: the least value is at hi, the greatest at lo.
        let v = monotone(self.prec(), &self.hi, &self.lo, |x, p, r| {
            Float::with_val_round(p, x.recip_ref(), r).0
        });
        Ok(v)
    }

    /// `√self`. Returns [`Error::Invalid`] if any point of the interval is
    /// negative (`lo < 0`); no clamping is done, so a value that should be
    /// non-negative but is only known to lie in `[−ε, h]` is an error too.
    pub fn sqrt(&self) -> Result<Interval> {
        if self.lo < 0 {
            return Err(Error::invalid(format!(
                "cannot take the square root of the interval {self:.20}, which contains negative numbers"
            )));
        }
        let v = monotone(self.prec(), &self.lo, &self.hi, |x, p, r| {
            Float::with_val_round(p, x.sqrt_ref(), r).0
        });
        Ok(v)
    }

    /// Natural logarithm. Returns [`Error::Invalid`] unless the interval lies
    /// strictly above zero (`lo > 0`).
    pub fn ln(&self) -> Result<Interval> {
        if self.lo <= 0 {
            return Err(Error::invalid(format!(
                "cannot take the logarithm of the interval {self:.20}, which is not strictly positive"
            )));
        }
        let v = monotone(self.prec(), &self.lo, &self.hi, |x, p, r| {
            Float::with_val_round(p, x.ln_ref(), r).0
        });
        Ok(v)
    }

    /// `e^self`. Total: an overflow makes `hi = +∞` (still a correct bound).
    pub fn exp(&self) -> Interval {
        monotone(self.prec(), &self.lo, &self.hi, |x, p, r| {
            Float::with_val_round(p, x.exp_ref(), r).0
        })
    }

    /// `self²`. Tighter than `self.mul(self)` when the interval straddles
    /// zero: `[−1, 2]² = [0, 4]`, whereas `[−1, 2]·[−1, 2] = [−2, 4]`.
    pub fn square(&self) -> Interval {
        self.pow_u32(2)
    }

    /// `self^n` for a non-negative integer exponent, with the dependency
    /// between factors taken into account (even powers are never negative).
    /// `x^0 = 1` for every `x`, including `0`.
    pub fn pow_u32(&self, n: u32) -> Interval {
        let p = self.prec();
        let pw = |x: &Float, round: Round| Float::with_val_round(p, x.pow(n), round).0;
        if n == 0 {
            return Interval::raw(Float::with_val(p, 1), Float::with_val(p, 1));
        }
        if n % 2 == 1 || self.lo >= 0 {
            // Monotone increasing on the interval.
            return Interval::raw(pw(&self.lo, Round::Down), pw(&self.hi, Round::Up));
        }
        if self.hi <= 0 {
            // Even power on non-positive numbers: decreasing.
            return Interval::raw(pw(&self.hi, Round::Down), pw(&self.lo, Round::Up));
        }
        // Even power, straddling zero.
        let a = pw(&self.lo, Round::Up);
        let b = pw(&self.hi, Round::Up);
        let hi = if a > b { a } else { b };
        Interval::raw(Float::new(p), hi)
    }

    /// Same as [`Interval::div`]; named for symmetry with `checked_*` methods
    /// elsewhere. There is deliberately no `Div` operator: division can fail.
    pub fn checked_div(&self, other: &Interval) -> Result<Interval> {
        self.div(other)
    }

    /// Same as [`Interval::ln`].
    pub fn checked_ln(&self) -> Result<Interval> {
        self.ln()
    }

    /// Same as [`Interval::sqrt`].
    pub fn checked_sqrt(&self) -> Result<Interval> {
        self.sqrt()
    }
}

/// Shows `[lo, hi]` in decimal scientific notation, with `lo` rounded down and
/// `hi` rounded up, so the printed interval still contains the value.
///
/// By default enough significant digits are printed to reflect the full binary
/// precision; a formatter precision (`{:.12}`) asks for that many significant
/// digits instead (still rounded outward).
impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = match f.precision() {
            Some(d) => d.max(1),
            None => {
                // ceil(prec · log10 2) + 1 significant decimal digits.
                let bits = u64::from(self.prec());
                usize::try_from(bits * 30103 / 100_000 + 2).unwrap_or(usize::MAX)
            }
        };
        let lo = self.lo.to_string_radix_round(10, Some(digits), Round::Down);
        let hi = self.hi.to_string_radix_round(10, Some(digits), Round::Up);
        write!(f, "[{lo}, {hi}]")
    }
}

macro_rules! forward_binop {
    ($Trait:ident, $method:ident) => {
        impl $Trait<&Interval> for &Interval {
            type Output = Interval;
            fn $method(self, rhs: &Interval) -> Interval {
                Interval::$method(self, rhs)
            }
        }
        impl $Trait<Interval> for &Interval {
            type Output = Interval;
            fn $method(self, rhs: Interval) -> Interval {
                Interval::$method(self, &rhs)
            }
        }
        impl $Trait<&Interval> for Interval {
            type Output = Interval;
            fn $method(self, rhs: &Interval) -> Interval {
                Interval::$method(&self, rhs)
            }
        }
        impl $Trait<Interval> for Interval {
            type Output = Interval;
            fn $method(self, rhs: Interval) -> Interval {
                Interval::$method(&self, &rhs)
            }
        }
    };
}

forward_binop!(Add, add);
forward_binop!(Sub, sub);
forward_binop!(Mul, mul);

impl Neg for &Interval {
    type Output = Interval;
    fn neg(self) -> Interval {
        Interval::neg(self)
    }
}

impl Neg for Interval {
    type Output = Interval;
    fn neg(self) -> Interval {
        Interval::raw(-self.hi, -self.lo)
    }
}

/// `ln 2` at `prec` bits (MPFR's constant, rounded down and up).
pub fn ln2(prec: u32) -> Interval {
    constant(Constant::Log2, prec)
}

/// `π` at `prec` bits (MPFR's constant, rounded down and up).
pub fn pi(prec: u32) -> Interval {
    constant(Constant::Pi, prec)
}

fn constant(c: Constant, prec: u32) -> Interval {
    let p = clamp_prec(prec);
    Interval::raw(
        Float::with_val_round(p, c, Round::Down).0,
        Float::with_val_round(p, c, Round::Up).0,
    )
}

/// `√2` at `prec` bits (correctly rounded square root of the exact 2, down and up).
pub fn sqrt2(prec: u32) -> Interval {
    let p = clamp_prec(prec);
    let two = Float::with_val(p, 2);
    Interval::raw(
        Float::with_val_round(p, two.sqrt_ref(), Round::Down).0,
        Float::with_val_round(p, two.sqrt_ref(), Round::Up).0,
    )
}

/// Euler's number `e = exp(1)` at `prec` bits (correctly rounded down and up).
pub fn e(prec: u32) -> Interval {
    let p = clamp_prec(prec);
    let one = Float::with_val(p, 1);
    Interval::raw(
        Float::with_val_round(p, one.exp_ref(), Round::Down).0,
        Float::with_val_round(p, one.exp_ref(), Round::Up).0,
    )
}

/// `3 − 2√2 ≈ 0.1716` at `prec` bits: the largest possible absolute gap
/// between Dice and Jaccard.
///
/// Computed as `1 / (3 + 2√2)` (the two are equal because
/// `(3 − 2√2)(3 + 2√2) = 1`), which avoids the cancellation in `3 − 2√2`.
pub fn three_minus_two_sqrt2(prec: u32) -> Interval {
    let p = clamp_prec(prec);
    let s = sqrt2(p);
    // 2·s is exact (a power-of-two scaling); only the additions and the
    // reciprocal round.
    let two_lo = Float::with_val(p, &s.lo * 2u32);
    let two_hi = Float::with_val(p, &s.hi * 2u32);
    let den_lo = Float::with_val_round(p, &two_lo + 3u32, Round::Down).0;
    let den_hi = Float::with_val_round(p, &two_hi + 3u32, Round::Up).0;
    Interval::raw(
        Float::with_val_round(p, den_hi.recip_ref(), Round::Down).0,
        Float::with_val_round(p, den_lo.recip_ref(), Round::Up).0,
    )
}

/// The outcome of a certified comparison, for callers that prefer a named
/// type over [`Ordering`]. Converts both ways with `From`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The value is certainly below the reference.
    Less,
    /// The value certainly equals the reference.
    Equal,
    /// The value is certainly above the reference.
    Greater,
}

impl Decision {
    /// `"<"`, `"="` or `">"`.
    pub fn symbol(self) -> &'static str {
        match self {
            Decision::Less => "<",
            Decision::Equal => "=",
            Decision::Greater => ">",
        }
    }
}

impl From<Ordering> for Decision {
    fn from(o: Ordering) -> Decision {
        match o {
            Ordering::Less => Decision::Less,
            Ordering::Equal => Decision::Equal,
            Ordering::Greater => Decision::Greater,
        }
    }
}

impl From<Decision> for Ordering {
    fn from(d: Decision) -> Ordering {
        match d {
            Decision::Less => Ordering::Less,
            Decision::Equal => Ordering::Equal,
            Decision::Greater => Ordering::Greater,
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// The precision schedule for [`decide`] and [`decide_between`]: evaluate at
/// `start` bits, then double, never going beyond `max` (the last attempt is
/// made at exactly `max` bits if doubling would overshoot it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precision {
    /// First precision tried, in bits (default 64).
    pub start: u32,
    /// Largest precision tried, in bits (default 65536).
    pub max: u32,
}

impl Default for Precision {
    fn default() -> Precision {
        Precision {
            start: 64,
            max: 1 << 16,
        }
    }
}

impl Precision {
    /// The precisions to try, in order. [`Error::Invalid`] if `start > max`.
    fn schedule(self) -> Result<Vec<u32>> {
        let max = clamp_prec(self.max);
        let start = clamp_prec(self.start);
        if self.start > self.max {
            return Err(Error::invalid(format!(
                "precision schedule starts at {} bits, above its cap of {} bits",
                self.start, self.max
            )));
        }
        let mut out = vec![start];
        let mut p = start;
        while p < max {
            p = p.saturating_mul(2).min(max);
            out.push(p);
        }
        Ok(out)
    }
}

/// Runs the precision schedule: `step(p)` evaluates at `p` bits and returns
/// `Ok(Some(ordering))` when decided, `Ok(None)` with the reason when not.
fn run_schedule<S>(cfg: Precision, mut step: S, what: &str) -> Result<(Ordering, u32)>
where
    S: FnMut(u32) -> Result<std::result::Result<Ordering, String>>,
{
    let mut last: Option<(u32, Result<String>)> = None;
    for p in cfg.schedule()? {
        match step(p) {
            Ok(Ok(o)) => return Ok((o, p)),
            Ok(Err(state)) => last = Some((p, Ok(state))),
            // A domain error at low precision (say, a logarithm of an interval
            // that still reaches down to zero) may vanish once the intervals are
            // tighter, so it is retried; any other error is final.
            Err(Error::Invalid(msg)) => last = Some((p, Err(Error::Invalid(msg)))),
            Err(other) => return Err(other),
        }
    }
    match last {
        Some((_, Err(err))) => Err(err),
        Some((p, Ok(state))) => Err(Error::Undecided(format!(
            "could not decide {what} within {} bits of precision; at {p} bits {state}",
            cfg.max
        ))),
        None => Err(Error::Undecided(format!(
            "could not decide {what}: no precision was tried"
        ))),
    }
}

/// Decides how the value computed by `f` compares with the rational `q`.
///
/// `f(p)` must return an interval certain to contain the value when evaluated
/// at `p` bits. Starting at `cfg.start` bits and doubling up to `cfg.max`, the
/// first precision at which the interval lies entirely on one side of `q`
/// settles the answer; returned with that precision. `Equal` is returned only
/// if the interval collapses to exactly `q` (e.g. `√4` vs `2`).
///
/// Errors: [`Error::Undecided`] (naming the last interval) if the cap is
/// reached without a decision; [`Error::Invalid`] if `cfg.start > cfg.max`.
/// If `f` fails with [`Error::Invalid`] (a domain error, possibly an artefact of
/// low precision) it is retried at the next precision, and its last such error
/// is returned if it still fails at the cap; any other error from `f` is
/// returned at once.
pub fn decide<F>(mut f: F, q: &Rational, cfg: Precision) -> Result<(Ordering, u32)>
where
    F: FnMut(u32) -> Result<Interval>,
{
    run_schedule(
        cfg,
        |p| {
            let iv = f(p)?;
            Ok(iv
                .cmp_rational(q)
                .ok_or_else(|| format!("the value is only known to lie in {iv:.30}")))
        },
        &format!("how the value compares with {q}"),
    )
}

/// Decides how the value computed by `f` compares with the value computed by
/// `g`, evaluating both at the same precisions (see [`decide`]).
///
/// Equality of two expressions cannot be established by intervals in general:
/// `Equal` is returned only if both intervals collapse to the same single
/// point; otherwise two equal values end in [`Error::Undecided`].
pub fn decide_between<F, G>(mut f: F, mut g: G, cfg: Precision) -> Result<(Ordering, u32)>
where
    F: FnMut(u32) -> Result<Interval>,
    G: FnMut(u32) -> Result<Interval>,
{
    run_schedule(
        cfg,
        |p| {
            let a = f(p)?;
            let b = g(p)?;
            Ok(a.cmp_interval(&b)
                .ok_or_else(|| format!("the values are only known to lie in {a:.30} and {b:.30}")))
        },
        "how the two values compare",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rug::Integer;

    /// Digits of constants (from `bc -l` at scale 60, truncated).
    const LN2: &str = "0.693147180559945309417232121458176568075500134360255254120680";
    const SQRT2: &str = "1.414213562373095048801688724209698078569671875376948073176679";
    const PI: &str = "3.141592653589793238462643383279502884197169399375105820974944";
    const E: &str = "2.718281828459045235360287471352662497757247093699959574966967";
    const THREE_MINUS_TWO_SQRT2: &str =
        "0.171572875253809902396622551580603842860656249246103853646642";

    const PRECS: [u32; 4] = [53, 64, 128, 1000];

    fn pow10(k: u32) -> Integer {
        Integer::from(Integer::u_pow_u(10, k))
    }

    fn rat(n: i64, d: i64) -> Rational {
        Rational::from((n, d))
    }

    /// Parses a decimal such as `-1.25`, `3`, `6.93e-1` into an exact rational.
    fn dec(s: &str) -> Rational {
        let (mant, exp) = match s.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i32>().expect("exponent")),
            None => (s, 0),
        };
        let (neg, mant) = match mant.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mant),
        };
        let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
        let digits: Integer = format!("{int_part}{frac_part}").parse().expect("digits");
        let scale = exp - frac_part.len() as i32;
        let mut q = Rational::from(digits);
        if scale >= 0 {
            q *= pow10(scale as u32);
        } else {
            q /= pow10((-scale) as u32);
        }
        if neg {
            -q
        } else {
            q
        }
    }

    /// `digits` truncated to `places` decimals, and that plus one unit in the
    /// last place: the true (positive) value lies in between.
    fn truncated_bounds(digits: &str, places: usize) -> (Rational, Rational) {
        let (int_part, frac) = digits.split_once('.').expect("decimal point");
        let lower = dec(&format!("{int_part}.{}", &frac[..places]));
        let upper = lower.clone() + Rational::from((1, pow10(places as u32)));
        (lower, upper)
    }

    fn check_constant(iv: &Interval, digits: &str, prec: u32) {
        for places in [40, 50, 59] {
            let (lower, upper) = truncated_bounds(digits, places);
            assert!(*iv.lo() <= upper, "{iv} vs {digits} at {prec} bits");
            assert!(*iv.hi() >= lower, "{iv} vs {digits} at {prec} bits");
        }
        // At 53 and 64 bits the interval is far wider than 10^-40, so it must
        // contain the whole decimal bracket's intersection with the truth;
        // check that the 40-digit truncation is close to the interval.
        let (lower, _) = truncated_bounds(digits, 40);
        let tol =
            Rational::from((1, Integer::from(1) << (prec - 3))) + Rational::from((1, pow10(40)));
        let diff = &lower - iv.lo().to_rational().expect("finite");
        assert!(diff.abs() <= tol);
        // Width is at most a couple of ulps (values below 4).
        let w = iv.width().to_rational().expect("finite");
        assert!(
            w <= Rational::from((1, Integer::from(1) << (prec - 3))),
            "width {w} at {prec}"
        );
        assert_eq!(iv.prec(), prec);
    }

    #[test]
    fn constants_contain_known_digits() {
        for prec in PRECS {
            check_constant(&ln2(prec), LN2, prec);
            check_constant(&sqrt2(prec), SQRT2, prec);
            check_constant(&pi(prec), PI, prec);
            check_constant(&e(prec), E, prec);
            check_constant(&three_minus_two_sqrt2(prec), THREE_MINUS_TWO_SQRT2, prec);
        }
    }

    #[test]
    fn constants_are_tight_at_high_precision() {
        // At 1000 bits the interval is much narrower than 10^-59, so it lies
        // inside the 59-digit decimal bracket.
        for (iv, digits) in [
            (ln2(1000), LN2),
            (sqrt2(1000), SQRT2),
            (pi(1000), PI),
            (e(1000), E),
            (three_minus_two_sqrt2(1000), THREE_MINUS_TWO_SQRT2),
        ] {
            let (lower, upper) = truncated_bounds(digits, 59);
            assert!(
                *iv.lo() >= lower && *iv.hi() <= upper,
                "{iv:.70} vs {digits}"
            );
        }
    }

    #[test]
    fn derived_constants_agree() {
        for prec in PRECS {
            // 3 − 2√2 computed directly must overlap the reciprocal form.
            let direct = Interval::from_int(3, prec) - Interval::from_int(2, prec) * sqrt2(prec);
            let recip = three_minus_two_sqrt2(prec);
            assert!(overlaps(&direct, &recip), "{direct} {recip}");
            // ln of 2 and exp of 1 overlap the constants.
            let l = Interval::from_int(2, prec).ln().expect("positive");
            assert!(overlaps(&l, &ln2(prec)));
            let ex = Interval::from_int(1, prec).exp();
            assert!(overlaps(&ex, &e(prec)));
            let s = Interval::from_int(2, prec).sqrt().expect("non-negative");
            assert!(overlaps(&s, &sqrt2(prec)));
            // √2² contains 2, and so does (3 − 2√2)(3 + 2√2) contain 1.
            assert!(sqrt2(prec).square().contains_rational(&rat(2, 1)));
            let conj = Interval::from_int(3, prec) + Interval::from_int(2, prec) * sqrt2(prec);
            assert!((&recip * &conj).contains_rational(&rat(1, 1)));
        }
    }

    #[test]
    fn from_rational_is_exact_or_brackets() {
        let half = Interval::from_rational(&rat(1, 2), 24);
        assert!(half.is_point());
        assert_eq!(half.cmp_rational(&rat(1, 2)), Some(Ordering::Equal));
        let third = Interval::from_rational(&rat(1, 3), 24);
        assert!(!third.is_point());
        assert!(third.contains_rational(&rat(1, 3)));
        assert_eq!(third.cmp_rational(&rat(1, 3)), None);
        assert_eq!(third.cmp_rational(&rat(1, 2)), Some(Ordering::Less));
        assert_eq!(third.cmp_rational(&rat(1, 4)), Some(Ordering::Greater));
        let n = Interval::from_int(i64::MAX, 24);
        assert!(n.contains_rational(&Rational::from(i64::MAX)));
        assert!(!n.is_point());
        assert!(Interval::from_int(i64::MIN, 64).is_point());
        // Precision 0 is clamped rather than rejected.
        assert!(Interval::from_rational(&rat(1, 3), 0).contains_rational(&rat(1, 3)));
        let big = num_rational::BigRational::new(7.into(), (-3).into());
        assert!(Interval::from_big(&big, 30).contains_rational(&rat(-7, 3)));
    }

    #[test]
    fn cmp_interval_cases() {
        let a = Interval::from_rational(&rat(1, 3), 64);
        let b = Interval::from_rational(&rat(2, 3), 64);
        assert_eq!(a.cmp_interval(&b), Some(Ordering::Less));
        assert_eq!(b.cmp_interval(&a), Some(Ordering::Greater));
        assert_eq!(a.cmp_interval(&a), None);
        let p = Interval::from_int(5, 10);
        assert_eq!(
            p.cmp_interval(&Interval::from_int(5, 64)),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn constructors_reject_bad_endpoints() {
        let f = |x: f64| Float::with_val(53, x);
        assert!(matches!(
            Interval::new(f(2.0), f(1.0)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            Interval::new(f(f64::NAN), f(1.0)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            Interval::new(f(f64::INFINITY), f(f64::INFINITY)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            Interval::exact(f(f64::INFINITY)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            Interval::exact(f(f64::NAN)),
            Err(Error::Invalid(_))
        ));
        let ok = Interval::new(f(-1.0), f(1.0)).expect("valid");
        assert!(ok.contains_zero());
        let whole = Interval::new(f(f64::NEG_INFINITY), f(f64::INFINITY)).expect("valid");
        assert_eq!(whole.midpoint_f64(), 0.0);
        assert!(Interval::exact(f(0.25)).expect("finite").is_point());
    }

    #[test]
    fn domain_errors() {
        let f = |a: f64, b: f64| {
            Interval::new(Float::with_val(53, a), Float::with_val(53, b)).expect("valid")
        };
        assert!(matches!(f(0.0, 1.0).ln(), Err(Error::Invalid(_))));
        assert!(matches!(f(-1.0, 2.0).ln(), Err(Error::Invalid(_))));
        assert!(matches!(f(-2.0, -1.0).ln(), Err(Error::Invalid(_))));
        assert!(matches!(
            f(1.0, 2.0).div(&f(-1.0, 1.0)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            f(1.0, 2.0).div(&f(0.0, 1.0)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            f(1.0, 2.0).checked_div(&f(-1.0, 0.0)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(f(0.0, 0.0).recip(), Err(Error::Invalid(_))));
        assert!(matches!(f(-2.0, -1.0).sqrt(), Err(Error::Invalid(_))));
        assert!(matches!(
            f(-1.0, 4.0).checked_sqrt(),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(f(0.0, 4.0).checked_ln(), Err(Error::Invalid(_))));
        // Boundary cases that are fine.
        assert!(f(0.0, 4.0).sqrt().is_ok());
        assert!(f(1.0, 2.0).div(&f(-3.0, -1.0)).is_ok());
    }

    #[test]
    fn square_is_tighter_than_mul_across_zero() {
        let x = Interval::new(Float::with_val(24, -1), Float::with_val(24, 2)).expect("valid");
        let sq = x.square();
        assert_eq!(*sq.lo(), 0);
        assert_eq!(*sq.hi(), 4);
        let m = &x * &x;
        assert_eq!(*m.lo(), -2);
        assert_eq!(*m.hi(), 4);
        let y = Interval::new(Float::with_val(24, -3), Float::with_val(24, -2)).expect("valid");
        assert!(*y.square().lo() == 4 && *y.square().hi() == 9);
        assert!(*y.pow_u32(3).lo() == -27 && *y.pow_u32(3).hi() == -8);
        assert!(x.pow_u32(0).is_point() && *x.pow_u32(0).lo() == 1);
    }

    #[test]
    fn overflow_keeps_certified_bounds() {
        let huge = Interval::from_int(i64::MAX, 64).exp();
        assert!(huge.lo().is_finite() && huge.hi().is_infinite());
        assert!(!huge.lo().is_nan());
        let zero = Interval::from_int(0, 64);
        let z = &huge * &zero;
        assert!(z.is_point() && z.lo().is_zero());
        let d = &huge - &huge;
        assert!(*d.lo() < 0 && *d.hi() > 0);
        let r = huge.recip().expect("positive");
        assert!(r.lo().is_zero() && *r.hi() > 0);
        let q = Interval::from_int(1, 64).div(&huge).expect("positive");
        assert!(q.lo().is_zero() && *q.hi() > 0);
        let q2 = huge.div(&huge).expect("positive");
        assert!(*q2.lo() >= 0 && q2.hi().is_infinite());
        let (flo, fhi) = huge.to_f64_bounds();
        assert!(flo >= f64::MAX && fhi == f64::INFINITY);
        assert!(huge.ln().expect("positive").lo().is_finite());
        let tiny = Interval::from_int(-i64::MAX, 64).exp();
        assert!(tiny.lo().is_zero() && *tiny.hi() > 0);
        assert!(tiny.recip().is_err());
        let neg_huge = -&huge;
        assert!(neg_huge.lo().is_infinite() && neg_huge.hi().is_finite());
        let sq = neg_huge.square();
        assert!(sq.hi().is_infinite() && *sq.lo() > 0);
        let m = &neg_huge * &Interval::from_int(-1, 64);
        assert!(*m.lo() > 0 && m.hi().is_infinite());
        assert!(huge.to_string().contains("inf"));
    }

    #[test]
    fn f64_bounds_are_outward() {
        let third = Interval::from_rational(&rat(1, 3), 200);
        let (lo, hi) = third.to_f64_bounds();
        assert!(lo < hi);
        assert!(Rational::from_f64(lo).expect("finite") < rat(1, 3));
        assert!(Rational::from_f64(hi).expect("finite") > rat(1, 3));
        let m = third.midpoint_f64();
        assert!((m - 1.0 / 3.0).abs() < 1e-15);
        // Tiny values do not round to a bound on the wrong side of zero.
        let tiny = Interval::from_rational(&Rational::from((1, Integer::from(1) << 2000)), 64);
        let (lo, hi) = tiny.to_f64_bounds();
        assert!(lo == 0.0 && hi > 0.0);
    }

    #[test]
    fn display_rounds_outward() {
        for iv in [
            ln2(128),
            pi(53),
            three_minus_two_sqrt2(300),
            Interval::from_rational(&rat(-22, 7), 80),
            Interval::from_rational(&rat(1, 3), 24).neg(),
            Interval::from_int(0, 10),
        ] {
            for s in [format!("{iv}"), format!("{iv:.5}"), format!("{iv:.1}")] {
                let inner = s.trim_start_matches('[').trim_end_matches(']');
                let (a, b) = inner.split_once(", ").expect("two endpoints");
                assert!(dec(a) <= *iv.lo(), "{s} vs {iv:?}");
                assert!(dec(b) >= *iv.hi(), "{s} vs {iv:?}");
            }
        }
        let s = ln2(128).to_string();
        assert!(
            s.starts_with("[6.931471805599453094172321214581765680"),
            "{s}"
        );
        assert_eq!(
            Interval::from_int(3, 64).to_string(),
            format!("[{0}, {0}]", "3.00000000000000000000")
        );
    }

    #[test]
    fn decision_conversions() {
        for o in [Ordering::Less, Ordering::Equal, Ordering::Greater] {
            assert_eq!(Ordering::from(Decision::from(o)), o);
        }
        assert_eq!(Decision::Less.to_string(), "<");
        assert_eq!(
            Precision::default(),
            Precision {
                start: 64,
                max: 65536
            }
        );
    }

    /// Exact criterion: for 0 < g < 3, g < 3 − 2√2 ⇔ (3 − g)² > 8.
    fn exact_cmp_to_gap(g: &Rational) -> Ordering {
        let t: Rational = 3 - g.clone();
        let sq = Rational::from(&t * &t);
        // (3 − g)² > 8 means g < 3 − 2√2, i.e. 3 − 2√2 > g.
        sq.cmp(&Rational::from(8))
    }

    /// `3·scale − floor(√8 · scale)`, an integer within 1 of `(3 − 2√2)·scale`.
    fn gap_numerator(scale: &Integer) -> Integer {
        let eight_s2: Integer = Integer::from(8) * scale * scale;
        let s = eight_s2.sqrt();
        Integer::from(3) * scale - s
    }

    fn decide_gap(g: &Rational) -> Result<(Ordering, u32)> {
        decide(|p| Ok(three_minus_two_sqrt2(p)), g, Precision::default())
    }

    #[test]
    fn decide_agrees_with_exact_criterion_near_the_gap() {
        let mut checked = 0;
        for k in 0..=30u32 {
            let scale = pow10(k);
            // s = floor(√8 · 10^k), so 3·10^k − s ≈ (3 − 2√2)·10^k.
            let m = gap_numerator(&scale);
            let fine = pow10(k + 3);
            for j in -5i64..=5 {
                let g =
                    Rational::from((m.clone(), scale.clone())) + Rational::from((j, fine.clone()));
                if g <= 0 || g >= 3 {
                    continue;
                }
                let (ord, prec) = decide_gap(&g).expect("decidable");
                // ord compares the irrational 3 − 2√2 against g.
                assert_eq!(ord, exact_cmp_to_gap(&g), "g = {g}, k = {k}, j = {j}");
                assert!(prec <= 512, "needed {prec} bits for k = {k}");
                checked += 1;
            }
        }
        assert!(checked > 300);
    }

    #[test]
    fn low_precision_cap_is_undecided() {
        let k = 40;
        let scale = pow10(k);
        let g = Rational::from((gap_numerator(&scale), scale));
        let cfg = Precision { start: 8, max: 16 };
        match decide(|p| Ok(three_minus_two_sqrt2(p)), &g, cfg) {
            Err(Error::Undecided(msg)) => {
                assert!(msg.contains("16 bits") && msg.contains('['), "{msg}")
            }
            other => panic!("expected Undecided, got {other:?}"),
        }
        // With the default cap the same g is decided correctly.
        assert_eq!(decide_gap(&g).expect("decidable").0, exact_cmp_to_gap(&g));
        // A malformed schedule is rejected.
        let bad = Precision {
            start: 128,
            max: 64,
        };
        assert!(matches!(
            decide(|p| Ok(sqrt2(p)), &g, bad),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn equalities_are_equal_or_undecided_never_wrong() {
        let two = rat(2, 1);
        let sqrt4 = |p: u32| Interval::from_int(4, p).sqrt();
        match decide(sqrt4, &two, Precision::default()) {
            Ok((o, p)) => assert_eq!((o, p), (Ordering::Equal, 64)),
            Err(e) => assert!(matches!(e, Error::Undecided(_))),
        }
        let cfg = Precision {
            start: 64,
            max: 1024,
        };
        match decide_between(
            |p| Ok(sqrt2(p).square()),
            |p| Ok(Interval::from_int(2, p)),
            cfg,
        ) {
            Ok((o, _)) => assert_eq!(o, Ordering::Equal),
            Err(e) => assert!(matches!(e, Error::Undecided(_)), "{e}"),
        }
        match decide(|p| Ok(sqrt2(p).square()), &two, cfg) {
            Ok((o, _)) => assert_eq!(o, Ordering::Equal),
            Err(e) => assert!(
                matches!(e, Error::Undecided(ref m) if m.contains("1024 bits")),
                "{e}"
            ),
        }
        let r = decide_between(sqrt4, |p| Ok(Interval::from_int(2, p)), cfg);
        assert!(matches!(
            r,
            Ok((Ordering::Equal, 64)) | Err(Error::Undecided(_))
        ));
        // Distinct expressions are separated.
        let r = decide_between(
            |p| Ok(pi(p)),
            |p| Ok(e(p).add(&Interval::from_rational(&rat(4, 10), p))),
            cfg,
        );
        assert_eq!(r.expect("decidable").0, Ordering::Greater); // π > e + 0.4
    }

    #[test]
    fn domain_errors_at_low_precision_are_retried() {
        // 1 + 10^-30 − 1 rounds to an interval reaching 0 at 64 bits.
        let x = Rational::from(1) + Rational::from((1, pow10(30)));
        let f = |p: u32| (Interval::from_rational(&x, p) - Interval::from_int(1, p)).ln();
        assert!(f(64).is_err());
        let (o, p) = decide(f, &rat(-60, 1), Precision::default()).expect("decidable");
        assert_eq!(o, Ordering::Less); // ln(10^-30) ≈ −69.08
        assert!(p >= 128);
        // A genuine domain error is reported as such.
        let r = decide(
            |p| Interval::from_int(0, p).ln(),
            &two_rat(),
            Precision::default(),
        );
        assert!(matches!(r, Err(Error::Invalid(_))));
        // Other errors are returned at once.
        let mut calls = 0;
        let r = decide(
            |_| {
                calls += 1;
                Err(Error::Empty("empty".into()))
            },
            &two_rat(),
            Precision::default(),
        );
        assert!(matches!(r, Err(Error::Empty(_))));
        assert_eq!(calls, 1);
    }

    /// Whether two intervals share a point (the overlap test of enclosures of
    /// the same value).
    fn overlaps(a: &Interval, b: &Interval) -> bool {
        !matches!(
            a.cmp_interval(b),
            Some(Ordering::Less) | Some(Ordering::Greater)
        )
    }

    fn two_rat() -> Rational {
        rat(2, 1)
    }

    // ---- property tests -------------------------------------------------

    fn rational() -> impl Strategy<Value = Rational> {
        prop_oneof![
            // Small values, so that signs and zero crossings are common.
            (-40i64..40, 1i64..12).prop_map(|(n, d)| rat(n, d)),
            (-(1i64 << 40)..(1i64 << 40), 1i64..(1i64 << 30)).prop_map(|(n, d)| rat(n, d)),
        ]
    }

    fn positive_rational() -> impl Strategy<Value = Rational> {
        (1i64..(1i64 << 40), 1i64..(1i64 << 30)).prop_map(|(n, d)| rat(n, d))
    }

    /// An interval at 24 bits enclosing [min(a, b), max(a, b)], and a rational
    /// point inside it.
    fn interval_and_point() -> impl Strategy<Value = (Interval, Rational)> {
        // Points at the endpoints are where wrong rounding or a wrong endpoint
        // choice shows, so they are picked often.
        let t = prop_oneof![Just(0i64), Just(1000i64), 0i64..=1000];
        (rational(), rational(), t).prop_map(|(a, b, t)| {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let iv = hull(&lo, &hi, 24);
            let x = lo.clone() + Rational::from(&hi - &lo) * rat(t, 1000);
            (iv, x)
        })
    }

    fn hull(lo: &Rational, hi: &Rational, prec: u32) -> Interval {
        let l = Interval::from_rational(lo, prec).lo().clone();
        let h = Interval::from_rational(hi, prec).hi().clone();
        Interval::new(l, h).expect("ordered")
    }

    fn pow_exact(x: &Rational, n: u32) -> Rational {
        let mut r = Rational::from(1);
        for _ in 0..n {
            r *= x;
        }
        r
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn binary_ops_contain_exact_results(
            (a, x) in interval_and_point(),
            (b, y) in interval_and_point(),
        ) {
            prop_assert!(a.contains_rational(&x) && b.contains_rational(&y));
            prop_assert!((&a + &b).contains_rational(&Rational::from(&x + &y)));
            prop_assert!((&a - &b).contains_rational(&Rational::from(&x - &y)));
            prop_assert!((&a * &b).contains_rational(&Rational::from(&x * &y)));
            prop_assert!((-&a).contains_rational(&Rational::from(-&x)));
            prop_assert!(a.clone().add(&b).contains_rational(&Rational::from(&x + &y)));
            if !b.contains_zero() {
                let q = a.div(&b).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(q.contains_rational(&Rational::from(&x / &y)));
                let r = b.recip().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(r.contains_rational(&Rational::from(y.recip_ref())));
            } else {
                prop_assert!(a.div(&b).is_err());
            }
            prop_assert!(a.square().contains_rational(&Rational::from(&x * &x)));
            // square is never wider than mul.
            let m = &a * &a;
            prop_assert!(*a.square().lo() >= *m.lo() && *a.square().hi() <= *m.hi());
        }

        #[test]
        fn powers_contain_exact_results((a, x) in interval_and_point(), n in 0u32..7) {
            prop_assert!(a.pow_u32(n).contains_rational(&pow_exact(&x, n)));
        }

        #[test]
        fn point_ops_at_low_precision(x in rational(), y in rational()) {
            let a = Interval::from_rational(&x, 24);
            let b = Interval::from_rational(&y, 24);
            prop_assert!((&a + &b).contains_rational(&Rational::from(&x + &y)));
            prop_assert!((&a - &b).contains_rational(&Rational::from(&x - &y)));
            prop_assert!((&a * &b).contains_rational(&Rational::from(&x * &y)));
            if let Ok(q) = a.div(&b) {
                prop_assert!(q.contains_rational(&Rational::from(&x / &y)));
            }
        }

        #[test]
        fn exp_of_ln_contains_x(x in positive_rational(), prec in prop::sample::select(vec![24u32, 53, 128])) {
            let iv = Interval::from_rational(&x, prec);
            let back = iv.ln().map_err(|e| TestCaseError::fail(e.to_string()))?.exp();
            prop_assert!(back.contains_rational(&x), "{} not in {}", x, back);
        }

        #[test]
        fn sqrt_squared_contains_x(x in positive_rational(), prec in prop::sample::select(vec![24u32, 53, 128])) {
            let iv = Interval::from_rational(&x, prec);
            let s = iv.sqrt().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(s.square().contains_rational(&x));
            prop_assert!((&s * &s).contains_rational(&x));
        }

        #[test]
        fn transcendental_ops_overlap_high_precision_values(
            (a, x) in interval_and_point(),
        ) {
            // f(x) lies in f(a) and in f([x, x] at 2000 bits), so they overlap.
            let hp = Interval::from_rational(&x, 2000);
            let small = Rational::from(&x / 1_000_000_000u64);
            let a_small = &a * &Interval::from_rational(&rat(1, 1_000_000_000), 24);
            let hp_small = Interval::from_rational(&small, 2000);
            prop_assert!(a_small.contains_rational(&small));
            prop_assert!(overlaps(&a_small.exp(), &hp_small.exp()));
            if *a.lo() > 0 {
                let l = a.ln().map_err(|e| TestCaseError::fail(e.to_string()))?;
                let lh = hp.ln().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(overlaps(&l, &lh));
                let s = a.sqrt().map_err(|e| TestCaseError::fail(e.to_string()))?;
                let sh = hp.sqrt().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(overlaps(&s, &sh));
            }
        }

        #[test]
        fn decide_agrees_on_random_rationals(n in 1u64..3_000_000_000_000u64, d in prop::sample::select(vec![1_000_000_000_000u64, 999_999_999_989, 1 << 40])) {
            let g = Rational::from((n, d));
            prop_assume!(g > 0 && g < 3);
            let (ord, _) = decide_gap(&g).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(ord, exact_cmp_to_gap(&g));
        }

        #[test]
        fn decide_agrees_near_the_gap(k in 5u32..40, j in -1000i64..1000, extra in 0u32..10) {
            let scale = pow10(k);
            let m = gap_numerator(&scale);
            let g = Rational::from((m, scale)) + Rational::from((j, pow10(k + extra)));
            prop_assume!(g > 0 && g < 3);
            let (ord, _) = decide_gap(&g).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(ord, exact_cmp_to_gap(&g));
        }
    }
}
