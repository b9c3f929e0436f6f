//! Evaluating a formula in one of four arithmetics, under the division rule.
//!
//! [`evaluate`] walks the tree once for any [`ExprNum`]; the arithmetics differ only
//! in what they can represent and how they fail ([`Stop`]):
//!
//! | type | exact | fails with |
//! |---|---|---|
//! | [`Small`] (`i128` num/den, reduced) | yes | `Overflow` (callers fall back to `Q`) |
//! | [`crate::exact::Q`] | yes | `Irrational` for `sqrt`/`ln` |
//! | `f64` | no (cross-check only) | never: NaN and ∞ propagate |
//! | [`Certified`] | exact until `sqrt`/`ln`, then a certified interval | `Uncertified` when a divisor's interval holds 0 |

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rug::Float;

use super::{Expr, Func, Op};
use crate::exact::interval::Interval;
use crate::exact::Q;

/// Why an evaluation stopped before producing a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// A quotient 0/0: the loss takes the empty-mask policy's value.
    ZeroOverZero,
    /// A nonzero number divided by zero (an error naming the configuration).
    DivByZero,
    /// The fast path overflowed `i128` (fall back to the exact path).
    Overflow,
    /// `sqrt` or `ln` in an arithmetic that cannot represent irrationals.
    Irrational(Func),
    /// `sqrt` of a negative number or `ln` of a non-positive one.
    Domain(Func),
    /// A certified divisor could not be shown nonzero at this precision.
    Uncertified,
}

/// An arithmetic a formula can be evaluated in.
pub trait ExprNum: Sized + Clone {
    /// Sum.
    fn add(&self, o: &Self) -> Result<Self, Stop>;
    /// Difference.
    fn sub(&self, o: &Self) -> Result<Self, Stop>;
    /// Product.
    fn mul(&self, o: &Self) -> Result<Self, Stop>;
    /// Negation.
    fn neg(&self) -> Result<Self, Stop>;
    /// Whether the value is zero: `None` when it cannot be decided (intervals).
    fn is_zero(&self) -> Option<bool>;
    /// Quotient by a divisor already known to be nonzero.
    fn div_nonzero(&self, o: &Self) -> Result<Self, Stop>;
    /// The smaller of two values.
    fn min(&self, o: &Self) -> Result<Self, Stop>;
    /// The larger of two values.
    fn max(&self, o: &Self) -> Result<Self, Stop>;
    /// Absolute value.
    fn abs(&self) -> Result<Self, Stop>;
    /// The multiplicative identity.
    fn one() -> Self;
    /// `sqrt` or `ln`.
    fn func(&self, f: Func) -> Result<Self, Stop>;
}

/// Evaluates `e` with `var` giving each variable's value and `num` each constant's.
/// Left to right; the first division by zero stops it ([`Stop::ZeroOverZero`] or
/// [`Stop::DivByZero`]).
pub fn evaluate<V: Copy, T: ExprNum>(
    e: &Expr<V>,
    var: &impl Fn(V) -> T,
    num: &impl Fn(&Q) -> Result<T, Stop>,
) -> Result<T, Stop> {
    match e {
        Expr::Num(q) => num(q),
        Expr::Var(v) => Ok(var(*v)),
        Expr::Neg(a) => evaluate(a, var, num)?.neg(),
        Expr::Bin(op, a, b) => {
            let x = evaluate(a, var, num)?;
            let y = evaluate(b, var, num)?;
            match op {
                Op::Add => x.add(&y),
                Op::Sub => x.sub(&y),
                Op::Mul => x.mul(&y),
                Op::Div => divide(&x, &y),
                Op::Min => x.min(&y),
                Op::Max => x.max(&y),
            }
        }
        Expr::Pow(a, k) => {
            let x = evaluate(a, var, num)?;
            let mut acc = T::one();
            // Square-and-multiply; |k| ≤ 64 keeps this a handful of steps.
            let (mut base, mut m) = (x, k.unsigned_abs());
            while m > 0 {
                if m & 1 == 1 {
                    acc = acc.mul(&base)?;
                }
                m >>= 1;
                if m > 0 {
                    base = base.mul(&base)?;
                }
            }
            if *k < 0 {
                divide(&T::one(), &acc)
            } else {
                Ok(acc)
            }
        }
        Expr::Call(Func::Abs, a) => evaluate(a, var, num)?.abs(),
        Expr::Call(f, a) => evaluate(a, var, num)?.func(*f),
    }
}

/// x / y under the division rule.
fn divide<T: ExprNum>(x: &T, y: &T) -> Result<T, Stop> {
    match y.is_zero() {
        Some(false) => x.div_nonzero(y),
        Some(true) => match x.is_zero() {
            Some(true) => Err(Stop::ZeroOverZero),
            Some(false) => Err(Stop::DivByZero),
            None => Err(Stop::Uncertified),
        },
        None => Err(Stop::Uncertified),
    }
}

/// The operations that never fail in a field type whose `&T op &T` is total
/// (`Q`: exact; `f64`: NaN and ∞ propagate): `add`, `sub`, `mul`, `neg` and
/// `div_nonzero` as the type's own operators. Written once for both impls.
macro_rules! field_ops {
    () => {
        fn add(&self, o: &Self) -> Result<Self, Stop> {
            Ok(self + o)
        }
        fn sub(&self, o: &Self) -> Result<Self, Stop> {
            Ok(self - o)
        }
        fn mul(&self, o: &Self) -> Result<Self, Stop> {
            Ok(self * o)
        }
        fn neg(&self) -> Result<Self, Stop> {
            Ok(-self)
        }
        fn div_nonzero(&self, o: &Self) -> Result<Self, Stop> {
            Ok(self / o)
        }
    };
}

// ----- exact rationals -----

impl ExprNum for Q {
    field_ops!();
    fn is_zero(&self) -> Option<bool> {
        Some(Zero::is_zero(self))
    }
    fn min(&self, o: &Self) -> Result<Self, Stop> {
        Ok(std::cmp::min(self, o).clone())
    }
    fn max(&self, o: &Self) -> Result<Self, Stop> {
        Ok(std::cmp::max(self, o).clone())
    }
    fn abs(&self) -> Result<Self, Stop> {
        Ok(Signed::abs(self))
    }
    fn one() -> Self {
        One::one()
    }
    fn func(&self, f: Func) -> Result<Self, Stop> {
        Err(Stop::Irrational(f))
    }
}

// ----- f64 -----

impl ExprNum for f64 {
    field_ops!();
    fn is_zero(&self) -> Option<bool> {
        Some(*self == 0.0)
    }
    fn min(&self, o: &Self) -> Result<Self, Stop> {
        Ok(f64::min(*self, *o))
    }
    fn max(&self, o: &Self) -> Result<Self, Stop> {
        Ok(f64::max(*self, *o))
    }
    fn abs(&self) -> Result<Self, Stop> {
        Ok(f64::abs(*self))
    }
    fn one() -> Self {
        1.0
    }
    fn func(&self, f: Func) -> Result<Self, Stop> {
        match f {
            Func::Abs => Ok(f64::abs(*self)),
            Func::Sqrt => Ok(f64::sqrt(*self)),
            Func::Ln => Ok(f64::ln(*self)),
        }
    }
}

// ----- checked i128 rationals -----

/// A reduced rational with `i128` parts (den > 0): the fast exact path. Every
/// operation is checked; an overflow stops with [`Stop::Overflow`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Small {
    /// Numerator.
    pub num: i128,
    /// Denominator, positive.
    pub den: i128,
}

impl Small {
    /// From an integer.
    pub fn int(v: i128) -> Small {
        Small { num: v, den: 1 }
    }

    /// From an exact rational, if both parts fit.
    pub fn from_q(q: &Q) -> Result<Small, Stop> {
        match (q.numer().to_i128(), q.denom().to_i128()) {
            (Some(num), Some(den)) => Ok(Small { num, den }),
            _ => Err(Stop::Overflow),
        }
    }

    /// As an exact rational.
    pub fn to_q(self) -> Q {
        Q::new(BigInt::from(self.num), BigInt::from(self.den))
    }

    fn make(num: Option<i128>, den: Option<i128>) -> Result<Small, Stop> {
        let (mut num, mut den) = (num.ok_or(Stop::Overflow)?, den.ok_or(Stop::Overflow)?);
        if den < 0 {
            num = num.checked_neg().ok_or(Stop::Overflow)?;
            den = den.checked_neg().ok_or(Stop::Overflow)?;
        }
        let g = num.gcd(&den);
        if g > 1 {
            num /= g;
            den /= g;
        }
        Ok(Small { num, den })
    }
}

impl ExprNum for Small {
    fn add(&self, o: &Self) -> Result<Self, Stop> {
        if self.den == o.den {
            return Small::make(self.num.checked_add(o.num), Some(self.den));
        }
        let a = self.num.checked_mul(o.den);
        let b = o.num.checked_mul(self.den);
        let num = a.zip(b).and_then(|(a, b)| a.checked_add(b));
        Small::make(num, self.den.checked_mul(o.den))
    }
    fn sub(&self, o: &Self) -> Result<Self, Stop> {
        self.add(&o.neg()?)
    }
    fn mul(&self, o: &Self) -> Result<Self, Stop> {
        Small::make(self.num.checked_mul(o.num), self.den.checked_mul(o.den))
    }
    fn neg(&self) -> Result<Self, Stop> {
        Small::make(self.num.checked_neg(), Some(self.den))
    }
    fn is_zero(&self) -> Option<bool> {
        Some(self.num == 0)
    }
    fn div_nonzero(&self, o: &Self) -> Result<Self, Stop> {
        Small::make(self.num.checked_mul(o.den), self.den.checked_mul(o.num))
    }
    fn min(&self, o: &Self) -> Result<Self, Stop> {
        Ok(if self.sub(o)?.num <= 0 { *self } else { *o })
    }
    fn max(&self, o: &Self) -> Result<Self, Stop> {
        Ok(if self.sub(o)?.num >= 0 { *self } else { *o })
    }
    fn abs(&self) -> Result<Self, Stop> {
        Small::make(self.num.checked_abs(), Some(self.den))
    }
    fn one() -> Self {
        Small::int(1)
    }
    fn func(&self, f: Func) -> Result<Self, Stop> {
        Err(Stop::Irrational(f))
    }
}

// ----- certified values -----

/// An exact rational, or a certified interval once an irrational function was
/// applied. Exact values stay exact through `sqrt` of a perfect square and `ln 1`.
/// Each carries the precision (bits) at which it becomes an interval.
#[derive(Clone, Debug)]
pub enum Certified {
    /// Exact, with the precision to use if it must become an interval.
    Exact(Q, u32),
    /// Certified to contain the true value.
    Approx(Interval),
}

impl Certified {
    /// The precision of this value (bits).
    pub fn prec(&self) -> u32 {
        match self {
            Certified::Exact(_, p) => *p,
            Certified::Approx(i) => i.prec(),
        }
    }

    /// The value as an interval at its precision.
    pub fn interval(&self) -> Interval {
        match self {
            Certified::Exact(q, p) => Interval::from_big(q, *p),
            Certified::Approx(i) => i.clone(),
        }
    }

    /// Applies an exact operation when both are exact, else the interval one.
    fn both(
        &self,
        o: &Certified,
        exact: impl Fn(&Q, &Q) -> Q,
        approx: impl Fn(&Interval, &Interval) -> Result<Interval, Stop>,
    ) -> Result<Certified, Stop> {
        match (self, o) {
            (Certified::Exact(a, p), Certified::Exact(b, r)) => {
                Ok(Certified::Exact(exact(a, b), (*p).max(*r)))
            }
            _ => approx(&self.interval(), &o.interval()).map(Certified::Approx),
        }
    }
}

fn min_max(a: &Interval, b: &Interval, max: bool) -> Result<Interval, Stop> {
    let pick = |x: &Float, y: &Float| {
        if (x < y) != max {
            x.clone()
        } else {
            y.clone()
        }
    };
    Interval::new(pick(a.lo(), b.lo()), pick(a.hi(), b.hi())).map_err(|_| Stop::Uncertified)
}

/// √q when q is the square of a rational.
fn exact_sqrt(q: &Q) -> Option<Q> {
    let (n, d) = (q.numer(), q.denom());
    if n.is_negative() {
        return None;
    }
    let (rn, rd) = (n.sqrt(), d.sqrt());
    (&rn * &rn == *n && &rd * &rd == *d).then(|| Q::new(rn, rd))
}

impl ExprNum for Certified {
    fn add(&self, o: &Self) -> Result<Self, Stop> {
        self.both(o, |a, b| a + b, |a, b| Ok(a.add(b)))
    }
    fn sub(&self, o: &Self) -> Result<Self, Stop> {
        self.both(o, |a, b| a - b, |a, b| Ok(a.sub(b)))
    }
    fn mul(&self, o: &Self) -> Result<Self, Stop> {
        self.both(o, |a, b| a * b, |a, b| Ok(a.mul(b)))
    }
    fn neg(&self) -> Result<Self, Stop> {
        Ok(match self {
            Certified::Exact(q, p) => Certified::Exact(-q, *p),
            Certified::Approx(i) => Certified::Approx(i.neg()),
        })
    }
    fn is_zero(&self) -> Option<bool> {
        match self {
            Certified::Exact(q, _) => Some(Zero::is_zero(q)),
            Certified::Approx(i) => (!i.contains_zero()).then_some(false),
        }
    }
    fn div_nonzero(&self, o: &Self) -> Result<Self, Stop> {
        self.both(
            o,
            |a, b| a / b,
            |a, b| a.div(b).map_err(|_| Stop::Uncertified),
        )
    }
    fn min(&self, o: &Self) -> Result<Self, Stop> {
        self.both(
            o,
            |a, b| std::cmp::min(a, b).clone(),
            |a, b| min_max(a, b, false),
        )
    }
    fn max(&self, o: &Self) -> Result<Self, Stop> {
        self.both(
            o,
            |a, b| std::cmp::max(a, b).clone(),
            |a, b| min_max(a, b, true),
        )
    }
    fn abs(&self) -> Result<Self, Stop> {
        match self {
            Certified::Exact(q, p) => Ok(Certified::Exact(Signed::abs(q), *p)),
            Certified::Approx(i) => {
                let zero = Float::with_val(i.prec(), 0);
                if *i.lo() >= zero {
                    Ok(self.clone())
                } else if *i.hi() <= zero {
                    Ok(Certified::Approx(i.neg()))
                } else {
                    let neg_lo = Float::with_val(i.prec(), -i.lo());
                    let hi = if neg_lo > *i.hi() {
                        neg_lo
                    } else {
                        i.hi().clone()
                    };
                    Interval::new(zero, hi)
                        .map(Certified::Approx)
                        .map_err(|_| Stop::Uncertified)
                }
            }
        }
    }
    fn one() -> Self {
        Certified::Exact(One::one(), 0)
    }
    fn func(&self, f: Func) -> Result<Self, Stop> {
        if f == Func::Abs {
            return self.abs();
        }
        if let Certified::Exact(q, p) = self {
            match f {
                Func::Sqrt if q.is_negative() => return Err(Stop::Domain(f)),
                Func::Ln if !q.is_positive() => return Err(Stop::Domain(f)),
                Func::Sqrt => {
                    if let Some(r) = exact_sqrt(q) {
                        return Ok(Certified::Exact(r, *p));
                    }
                }
                _ => {
                    if q.is_one() {
                        return Ok(Certified::Exact(Q::zero(), *p));
                    }
                }
            }
        }
        let i = self.interval();
        let r = if f == Func::Sqrt { i.sqrt() } else { i.ln() };
        r.map(Certified::Approx).map_err(|_| Stop::Uncertified)
    }
}
