//! Exact conversions between the two big-number libraries the crate uses.
//!
//! Counting and the exact rational measures are written against
//! [`num_bigint`]/[`num_rational`]; certified interval arithmetic needs MPFR, which
//! `rug` wraps together with its own GMP integers and rationals. The functions here
//! move values between the two worlds without any rounding: an integer is carried as
//! its sign plus the little-endian base-2^32 digits of its magnitude, and a rational
//! as its numerator and denominator.

use num_bigint::{BigInt, Sign};
use num_rational::BigRational;
use num_traits::Zero;
use rug::integer::Order;
use rug::{Integer, Rational};

use crate::error::{Error, Result};

/// Converts a [`BigInt`] to a [`rug::Integer`] with the same value.
pub fn big_int_to_rug(n: &BigInt) -> Integer {
    let (sign, digits) = n.to_u32_digits();
    let magnitude = Integer::from_digits::<u32>(&digits, Order::Lsf);
    match sign {
        Sign::Minus => -magnitude,
        Sign::NoSign | Sign::Plus => magnitude,
    }
}

/// Converts a [`rug::Integer`] to a [`BigInt`] with the same value.
pub fn rug_int_to_big(n: &Integer) -> BigInt {
    // `to_digits` exports the magnitude only; the sign is carried separately.
    let digits = n.to_digits::<u32>(Order::Lsf);
    let sign = match n.cmp0() {
        std::cmp::Ordering::Less => Sign::Minus,
        std::cmp::Ordering::Equal => Sign::NoSign,
        std::cmp::Ordering::Greater => Sign::Plus,
    };
    BigInt::from_slice(sign, &digits)
}

/// Converts a [`BigRational`] to a [`rug::Rational`] with the same value.
///
/// The result is canonical (lowest terms, positive denominator) even if `q` was
/// built with [`num_rational::Ratio::new_raw`] and is not.
///
/// # Panics
///
/// Only if `q` has a zero denominator, which num-rational's checked
/// constructors and its string parser never produce (such a value can only come
/// from `Ratio::new_raw(_, 0)`, on which num-rational's own arithmetic panics as
/// well). Use [`try_big_to_rug`] when that cannot be ruled out.
pub fn big_to_rug(q: &BigRational) -> Rational {
    let numer = big_int_to_rug(q.numer());
    let denom = big_int_to_rug(q.denom());
    Rational::from((numer, denom))
}

/// Like [`big_to_rug`], but returns [`Error::Invalid`] instead of panicking when
/// the denominator is zero.
pub fn try_big_to_rug(q: &BigRational) -> Result<Rational> {
    if q.denom().is_zero() {
        return Err(Error::invalid(format!(
            "rational {}/0 has a zero denominator",
            q.numer()
        )));
    }
    Ok(big_to_rug(q))
}

/// Converts a [`rug::Rational`] to a [`BigRational`] with the same value.
///
/// A `rug::Rational` is always in lowest terms with a positive denominator, so
/// the result is already normalised.
pub fn rug_to_big(q: &Rational) -> BigRational {
    let numer = rug_int_to_big(q.numer());
    let denom = rug_int_to_big(q.denom());
    BigRational::new_raw(numer, denom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::{One, Pow};
    use proptest::prelude::*;

    fn big_from_parts(neg: bool, limbs: &[u32]) -> BigInt {
        let sign = if limbs.iter().all(|&d| d == 0) {
            Sign::NoSign
        } else if neg {
            Sign::Minus
        } else {
            Sign::Plus
        };
        BigInt::from_slice(sign, limbs)
    }

    #[test]
    fn small_integers() {
        for v in [
            0i64,
            1,
            -1,
            2,
            -2,
            i64::MAX,
            i64::MIN,
            u32::MAX as i64,
            -(u32::MAX as i64) - 1,
        ] {
            let b = BigInt::from(v);
            let r = big_int_to_rug(&b);
            assert_eq!(r, Integer::from(v));
            assert_eq!(rug_int_to_big(&r), b);
        }
    }

    #[test]
    fn huge_integers_and_rationals() {
        let ten = BigInt::from(10);
        let big: BigInt = Pow::pow(&ten, 1000u32) + BigInt::from(7);
        let r = big_int_to_rug(&big);
        assert_eq!(r, Integer::from(Integer::u_pow_u(10, 1000)) + 7);
        assert_eq!(rug_int_to_big(&r), big);
        assert_eq!(rug_int_to_big(&-r.clone()), -big.clone());

        let q = BigRational::new(-big.clone(), Pow::pow(&BigInt::from(3), 700u32));
        let rq = big_to_rug(&q);
        assert!(rq < 0);
        assert_eq!(rug_to_big(&rq), q);
        assert_eq!(rq.to_string(), q.to_string());
    }

    #[test]
    fn non_canonical_input_is_normalised() {
        let q = BigRational::new_raw(BigInt::from(6), BigInt::from(-4));
        assert_eq!(big_to_rug(&q), Rational::from((-3, 2)));
        let z = BigRational::new_raw(BigInt::from(0), BigInt::from(-5));
        assert_eq!(big_to_rug(&z), Rational::new());
    }

    #[test]
    fn zero_denominator_is_an_error() {
        let q = BigRational::new_raw(BigInt::one(), BigInt::zero());
        assert!(matches!(try_big_to_rug(&q), Err(Error::Invalid(_))));
        let ok = BigRational::new(BigInt::from(1), BigInt::from(3));
        assert_eq!(try_big_to_rug(&ok).ok(), Some(Rational::from((1, 3))));
    }

    proptest! {
        #[test]
        fn int_round_trip(neg in any::<bool>(), limbs in prop::collection::vec(any::<u32>(), 0..40)) {
            let b = big_from_parts(neg, &limbs);
            let r = big_int_to_rug(&b);
            prop_assert_eq!(r.to_string(), b.to_string());
            prop_assert_eq!(rug_int_to_big(&r), b);
        }

        #[test]
        fn rug_int_round_trip(s in "-?[1-9][0-9]{0,300}|0") {
            let r: Integer = s.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
            let b = rug_int_to_big(&r);
            prop_assert_eq!(b.to_string(), s);
            prop_assert_eq!(big_int_to_rug(&b), r);
        }

        #[test]
        fn rational_round_trip(
            nneg in any::<bool>(),
            nl in prop::collection::vec(any::<u32>(), 0..20),
            dl in prop::collection::vec(any::<u32>(), 1..20),
        ) {
            let n = big_from_parts(nneg, &nl);
            let mut d = big_from_parts(false, &dl);
            if d.is_zero() {
                d = BigInt::one();
            }
            let q = BigRational::new(n, d);
            let r = big_to_rug(&q);
            prop_assert_eq!(r.to_string(), q.to_string());
            prop_assert_eq!(rug_to_big(&r), q.clone());
            // A value computed on the rug side comes back exactly.
            let r3 = r.clone() * Rational::from((-7, 3));
            let q3 = q * BigRational::new(BigInt::from(-7), BigInt::from(3));
            prop_assert_eq!(rug_to_big(&r3), q3);
        }
    }
}
