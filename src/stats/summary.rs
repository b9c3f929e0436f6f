//! Descriptive statistics of a sample: mean, standard deviation, median, quartiles.
//!
//! # Quantile definition
//!
//! Quantiles are Hyndman & Fan (1996) type 7, the default of R and NumPy: for
//! probability p on the sorted sample x(1) ≤ … ≤ x(n), take h = (n − 1)·p and
//! interpolate linearly between x(⌊h⌋+1) and x(⌊h⌋+2). The median is the 0.5
//! quantile (for even n the mean of the two middle values, as usual); the quartiles
//! are the 0.25 and 0.75 quantiles. Other definitions give slightly different
//! quartiles on small samples; the table caption says which one is used.
//!
//! # Errors, not panics
//!
//! An empty sample has no mean, and a NaN has no place in a sorted sample, so both
//! are an [`Error`]. The standard deviation is the sample one (divisor n − 1) and is
//! `None` for a single value.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Summary of a sample of finite numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Sample size.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); `None` when n = 1.
    #[serde(deserialize_with = "crate::schema::required")]
    pub sd: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// First quartile (type 7).
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile (type 7).
    pub q3: f64,
    /// Largest value.
    pub max: f64,
}

/// Summarises a sample; `what` names it in error messages.
pub fn summarize(xs: &[f64], what: &str) -> Result<Summary> {
    let sorted = sorted_finite(xs, what)?;
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        let ss: f64 = sorted.iter().map(|x| (x - mean) * (x - mean)).sum();
        Some((ss / (n - 1) as f64).sqrt())
    } else {
        None
    };
    Ok(Summary {
        n,
        mean,
        sd,
        min: sorted[0],
        q1: quantile_sorted(&sorted, 0.25),
        median: quantile_sorted(&sorted, 0.5),
        q3: quantile_sorted(&sorted, 0.75),
        max: sorted[n - 1],
    })
}

/// The type-7 quantile of a sample at probability `p` ∈ [0, 1].
pub fn quantile(xs: &[f64], p: f64, what: &str) -> Result<f64> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::invalid(format!(
            "quantile of {what}: probability {p} is not in [0, 1]"
        )));
    }
    Ok(quantile_sorted(&sorted_finite(xs, what)?, p))
}

/// Sorted copy; errors on an empty sample or a non-finite value.
fn sorted_finite(xs: &[f64], what: &str) -> Result<Vec<f64>> {
    if xs.is_empty() {
        return Err(Error::invalid(format!(
            "cannot summarise {what}: the sample is empty"
        )));
    }
    if let Some((i, x)) = xs.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(Error::invalid(format!(
            "cannot summarise {what}: value #{i} is {x}, not a finite number"
        )));
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    Ok(v)
}

/// Type-7 quantile of a nonempty sorted sample.
fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sample() {
        // 1..=5: mean 3, sd √2.5, type-7 quartiles 2 and 4.
        let s = summarize(&[5.0, 1.0, 4.0, 2.0, 3.0], "x").unwrap();
        assert_eq!((s.n, s.mean, s.median, s.q1, s.q3), (5, 3.0, 3.0, 2.0, 4.0));
        assert!((s.sd.unwrap() - 2.5f64.sqrt()).abs() < 1e-15);
        assert_eq!((s.min, s.max), (1.0, 5.0));
    }

    #[test]
    fn even_sample_interpolates() {
        // 1,2,3,4: h(0.25) = 0.75 → 1.75; median 2.5; h(0.75) = 2.25 → 3.25 (R: quantile(1:4)).
        let s = summarize(&[4.0, 3.0, 2.0, 1.0], "x").unwrap();
        assert_eq!((s.q1, s.median, s.q3), (1.75, 2.5, 3.25));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.1, "x").unwrap(), 1.3);
    }

    #[test]
    fn single_value() {
        let s = summarize(&[0.7], "x").unwrap();
        assert_eq!(
            (s.mean, s.sd, s.median, s.q1, s.q3),
            (0.7, None, 0.7, 0.7, 0.7)
        );
    }

    proptest::proptest! {
        #[test]
        fn order_of_summaries(xs in proptest::collection::vec(-1e6f64..1e6, 1..50)) {
            let s = summarize(&xs, "x").unwrap();
            proptest::prop_assert!(s.min <= s.q1 && s.q1 <= s.median);
            proptest::prop_assert!(s.median <= s.q3 && s.q3 <= s.max);
            // The mean is a rounded sum: allow a few ulps beyond the extremes.
            let slack = 1e-9 * s.max.abs().max(s.min.abs()).max(1.0);
            proptest::prop_assert!(s.min - slack <= s.mean && s.mean <= s.max + slack);
            proptest::prop_assert!(s.sd.unwrap_or(0.0) >= 0.0);
        }
    }

    #[test]
    fn errors() {
        assert!(summarize(&[], "x").is_err());
        assert!(summarize(&[1.0, f64::NAN], "x").is_err());
        assert!(summarize(&[f64::INFINITY], "x").is_err());
        assert!(quantile(&[1.0], 1.5, "x").is_err());
        let msg = summarize(&[], "dice of ce").unwrap_err().to_string();
        assert!(msg.contains("dice of ce") && msg.contains("empty"), "{msg}");
    }
}
