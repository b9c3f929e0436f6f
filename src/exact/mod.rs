//! Exact numbers: the rational type every measure returns, a parser for the numbers
//! users type, and certified intervals for everything irrational.
//!
//! Why a module of its own: the whole point of diceproof is that no reported figure
//! is a float that merely looks right. Metrics on counts are ratios of integers, so
//! they are [`Q`] (`num_rational::BigRational`) values, printed as `p/q`. Anything
//! involving a logarithm or a square root is an [`interval::Interval`] on MPFR
//! floats with outward rounding, and comparisons against irrational constants go
//! through [`interval::decide`], which raises precision until the answer is certain.
//!
//! User input is exact too: `0.3` is read as `3/10`, never as the binary double
//! nearest to it; `1e-2` is `1/100`.

pub mod convert;
pub mod interval;
pub mod small;

use num_bigint::{BigInt, BigUint, Sign};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::error::{Error, Result};

/// The exact rational type of the crate.
pub type Q = BigRational;

/// Largest decimal exponent accepted by [`parse_rational`]: keeps a typo such as
/// `1e999999999` from allocating a billion-digit integer.
pub const MAX_EXPONENT: i64 = 10_000;

/// Parses an exact rational from the forms users type: an integer `7`, a fraction
/// `3/10`, a decimal `0.3` (read exactly as `3/10`), scientific `1e-2` or `2.5E3`,
/// each optionally signed. Rejects `nan`, `inf`, division by zero and anything else,
/// with a message saying which forms are accepted.
pub fn parse_rational(text: &str) -> Result<Q> {
    let s = text.trim();
    let fail = |why: &str| {
        Error::invalid(format!(
            "cannot read {text:?} as an exact number: {why} \
             (accepted: an integer `7`, a fraction `3/10`, a decimal `0.3`, scientific `1e-2`)"
        ))
    };
    if s.is_empty() {
        return Err(fail("it is empty"));
    }
    if let Some((p, q)) = s.split_once('/') {
        let num = parse_integer(p.trim()).ok_or_else(|| fail("the numerator is not an integer"))?;
        let den =
            parse_integer(q.trim()).ok_or_else(|| fail("the denominator is not an integer"))?;
        if den.is_zero() {
            return Err(fail("the denominator is zero"));
        }
        return Ok(Q::new(num, den));
    }
    parse_decimal(s).ok_or_else(|| fail("it is not a number in any accepted form"))
}

/// Parses a rational and checks that it lies in the closed interval [0, 1].
pub fn parse_unit_rational(text: &str, what: &str) -> Result<Q> {
    let q = parse_rational(text)?;
    if q.is_negative() || q > Q::one() {
        return Err(Error::invalid(format!(
            "{what} must lie in [0, 1], got {} (from {text:?})",
            format_q(&q)
        )));
    }
    Ok(q)
}

fn parse_integer(s: &str) -> Option<BigInt> {
    let (neg, digits) = split_sign(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mag = BigUint::parse_bytes(digits.as_bytes(), 10)?;
    Some(BigInt::from_biguint(
        if neg { Sign::Minus } else { Sign::Plus },
        mag,
    ))
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

fn parse_decimal(s: &str) -> Option<Q> {
    let (neg, body) = split_sign(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => {
            let e: i64 = body[i + 1..].parse().ok()?;
            if e.abs() > MAX_EXPONENT {
                return None;
            }
            (&body[..i], e)
        }
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    let mag = BigUint::parse_bytes(digits.as_bytes(), 10)?;
    let scale = exponent - frac_part.len() as i64;
    let ten = BigInt::from(10u32);
    let mut value = Q::from_integer(BigInt::from_biguint(Sign::Plus, mag));
    let power = Q::from_integer(num_traits::pow(ten, scale.unsigned_abs() as usize));
    if scale >= 0 {
        value *= power;
    } else {
        value /= power;
    }
    Some(if neg { -value } else { value })
}

/// Formats a rational as `p/q`, or `p` when it is an integer. Always in lowest terms
/// (a `BigRational` is kept reduced).
pub fn format_q(q: &Q) -> String {
    if q.denom().is_one() {
        q.numer().to_string()
    } else {
        format!("{}/{}", q.numer(), q.denom())
    }
}

/// The nearest `f64` to a rational, for display beside the exact value only.
pub fn q_to_f64(q: &Q) -> f64 {
    q.to_f64().unwrap_or(f64::NAN)
}

/// A rational from a pair of unsigned integers; `den` must be nonzero.
pub fn q_from_u128(num: u128, den: u128) -> Q {
    Q::new(BigInt::from(num), BigInt::from(den))
}

/// A short decimal rendering (10 significant digits) for human-readable tables.
pub fn decimal(q: &Q) -> String {
    let x = q_to_f64(q);
    if x == 0.0 {
        return "0".to_string();
    }
    let s = format!("{:.10}", x);
    if x.abs() >= 1e-4 {
        let t = s.trim_end_matches('0').trim_end_matches('.');
        t.to_string()
    } else {
        format!("{x:.9e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn reads_every_accepted_form_exactly() {
        assert_eq!(parse_rational("3/10").unwrap(), q(3, 10));
        assert_eq!(parse_rational("0.3").unwrap(), q(3, 10));
        assert_eq!(parse_rational(".3").unwrap(), q(3, 10));
        assert_eq!(parse_rational("1e-2").unwrap(), q(1, 100));
        assert_eq!(parse_rational("2.5E3").unwrap(), q(2500, 1));
        assert_eq!(parse_rational("-7").unwrap(), q(-7, 1));
        assert_eq!(parse_rational(" 6/4 ").unwrap(), q(3, 2));
        assert_eq!(parse_rational("-1/-3").unwrap(), q(1, 3));
        assert_eq!(parse_rational("5.").unwrap(), q(5, 1));
        assert_eq!(
            parse_rational("0.1000000000000000055511151231257827").unwrap(),
            Q::new(
                BigInt::from(1000000000000000055511151231257827u128),
                num_traits::pow(BigInt::from(10), 34)
            )
        );
    }

    #[test]
    fn rejects_everything_else_with_a_helpful_message() {
        for bad in [
            "", "nan", "inf", "1/0", "1/", "/2", "0x10", "1e", "e5", ".", "1.2.3", "1e99999",
            "--1", "1/2/3",
        ] {
            let err = parse_rational(bad).unwrap_err().to_string();
            assert!(err.contains("accepted:"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn unit_interval_is_enforced() {
        assert!(parse_unit_rational("1", "w").is_ok());
        assert!(parse_unit_rational("0", "w").is_ok());
        let err = parse_unit_rational("11/10", "w").unwrap_err().to_string();
        assert!(err.contains("w must lie in [0, 1]"), "{err}");
        assert!(parse_unit_rational("-1e-9", "w").is_err());
    }

    #[test]
    fn formats_in_lowest_terms() {
        assert_eq!(format_q(&q(6, 4)), "3/2");
        assert_eq!(format_q(&q(4, 2)), "2");
        assert_eq!(format_q(&q(0, 5)), "0");
        assert_eq!(format_q(&q(-1, 3)), "-1/3");
        assert_eq!(decimal(&q(1, 3)), "0.3333333333");
        assert_eq!(decimal(&q(1, 2)), "0.5");
        assert_eq!(decimal(&q(1, 1)), "1");
    }
}
