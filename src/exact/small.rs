//! Exact non-negative fractions of `u128`s, compared without ever rounding.
//!
//! Why: enumeration evaluates hundreds of millions of ratios such as
//! candidate/target. Reducing each to a `BigRational` would cost a gcd and an
//! allocation per configuration. Instead a [`Frac128`] keeps num/den unreduced and
//! compares by cross-multiplication into 256 bits ([`mul_wide`]), which is exact for
//! every pair of `u128` fractions. Arithmetic that could overflow `u128` returns
//! `None` and the caller falls back to big integers.

use std::cmp::Ordering;

use super::{q_from_u128, Q};

/// The full 256-bit product of two `u128`s as (high, low).
#[inline]
pub fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const M: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & M);
    let (b1, b0) = (b >> 64, b & M);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    // Middle column: high half of p00 plus the low halves of the cross terms.
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    let lo = (p00 & M) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// An f64 within one part in 2^52 of `x`, from two hardware `u64` conversions
/// (LLVM would otherwise call the slow software `u128` conversion). Not correctly
/// rounded: for prefilters and display only.
#[inline]
pub fn approx_f64(x: u128) -> f64 {
    const TWO64: f64 = 18446744073709551616.0;
    ((x >> 64) as u64) as f64 * TWO64 + (x as u64) as f64
}

/// A non-negative fraction num/den with den > 0, not necessarily reduced.
#[derive(Clone, Copy, Debug)]
pub struct Frac128 {
    /// Numerator.
    pub num: u128,
    /// Denominator, nonzero.
    pub den: u128,
}

impl Frac128 {
    /// A fraction; `den` must be nonzero (checked in debug builds).
    #[inline]
    pub fn new(num: u128, den: u128) -> Frac128 {
        debug_assert!(den != 0);
        Frac128 { num, den }
    }

    /// Exact comparison by 256-bit cross-multiplication.
    #[inline]
    pub fn cmp_exact(&self, o: &Frac128) -> Ordering {
        mul_wide(self.num, o.den).cmp(&mul_wide(o.num, self.den))
    }

    /// self / o as a fraction, if the products fit (o.num must be nonzero).
    #[inline]
    pub fn checked_div(&self, o: &Frac128) -> Option<Frac128> {
        if o.num == 0 {
            return None;
        }
        Some(Frac128::new(
            self.num.checked_mul(o.den)?,
            self.den.checked_mul(o.num)?,
        ))
    }

    /// |self − o| as a fraction, if the products fit.
    #[inline]
    pub fn checked_abs_diff(&self, o: &Frac128) -> Option<Frac128> {
        let a = self.num.checked_mul(o.den)?;
        let b = o.num.checked_mul(self.den)?;
        Some(Frac128::new(a.abs_diff(b), self.den.checked_mul(o.den)?))
    }

    /// The reduced rational.
    pub fn to_q(&self) -> Q {
        q_from_u128(self.num, self.den)
    }

    /// An f64 within a few parts in 2^52 of the value (prefilters and display only).
    #[inline]
    pub fn to_f64(&self) -> f64 {
        approx_f64(self.num) / approx_f64(self.den)
    }

    /// True if the value is zero.
    #[inline]
    pub fn is_zero(&self) -> bool {
        self.num == 0
    }
}

impl PartialEq for Frac128 {
    fn eq(&self, o: &Self) -> bool {
        self.cmp_exact(o) == Ordering::Equal
    }
}

/// A non-negative rational as a `u128` fraction, if it fits.
pub fn small_of(q: &Q) -> Option<Frac128> {
    use num_traits::ToPrimitive;
    match (q.numer().to_u128(), q.denom().to_u128()) {
        (Some(n), Some(d)) if d != 0 => Some(Frac128::new(n, d)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn wide_product_is_exact(a in any::<u128>(), b in any::<u128>()) {
            let (hi, lo) = mul_wide(a, b);
            let got = (BigUint::from(hi) << 128u32) + BigUint::from(lo);
            prop_assert_eq!(got, BigUint::from(a) * BigUint::from(b));
        }

        #[test]
        fn comparison_matches_big_rationals(
            a in any::<u128>(), b in 1..u128::MAX, c in any::<u128>(), d in 1..u128::MAX
        ) {
            let (x, y) = (Frac128::new(a, b), Frac128::new(c, d));
            prop_assert_eq!(x.cmp_exact(&y), x.to_q().cmp(&y.to_q()));
        }

        #[test]
        fn division_and_gap_are_exact(
            a in 0u128..1 << 60, b in 1u128..1 << 60, c in 1u128..1 << 60, d in 1u128..1 << 60
        ) {
            let (x, y) = (Frac128::new(a, b), Frac128::new(c, d));
            prop_assert_eq!(x.checked_div(&y).unwrap().to_q(), x.to_q() / y.to_q());
            let gap = x.to_q() - y.to_q();
            let gap = if gap < Q::from_integer(0.into()) { -gap } else { gap };
            prop_assert_eq!(x.checked_abs_diff(&y).unwrap().to_q(), gap);
        }
    }
}
