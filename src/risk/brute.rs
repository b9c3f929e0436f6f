//! Brute-force references: enumerate all 2^n label vectors (and all 2^n
//! predictions). Exponential; for tests and for benchmark comparison only.

use num_traits::{One, Zero};

use crate::measures::Value;
use crate::Counts;

use super::{check_len, RiskMetric};
use crate::error::{Error, Result};
use crate::exact::Q;
use crate::measures::EmptyPolicy;

/// Largest n the brute-force functions accept.
pub const BRUTE_MAX_N: usize = 24;

/// E[metric(y, pred)] by summing over all 2^n label vectors y, in `BigRational`
/// arithmetic (independent of the `rug` DP it checks).
pub fn brute_expected(
    probs: &[Q],
    pred: &[bool],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<Q> {
    let n = probs.len();
    check_len(n, pred)?;
    if n > BRUTE_MAX_N {
        return Err(Error::TooLarge(format!(
            "brute force over 2^{n} label vectors is too large (max n = {BRUTE_MAX_N})"
        )));
    }
    let k = pred.iter().filter(|&&b| b).count();
    let mut total = Q::zero();
    for mask in 0u64..(1u64 << n) {
        let mut p = Q::one();
        let (mut tp, mut ny) = (0usize, 0usize);
        for i in 0..n {
            let y = mask >> i & 1 == 1;
            if y {
                p *= &probs[i];
                ny += 1;
                if pred[i] {
                    tp += 1;
                }
            } else {
                p *= Q::one() - &probs[i];
            }
        }
        if p.is_zero() {
            continue;
        }
        let c = Counts::new(
            tp as u64,
            (k - tp) as u64,
            (ny - tp) as u64,
            (n - k - ny + tp) as u64,
        )?;
        let v = match metric.similarity(&c, policy) {
            Ok(Value::Exact(v)) => v,
            Ok(Value::NaN) | Err(Error::Empty(_)) => {
                return Err(Error::Empty(
                    "both masks empty with positive probability".into(),
                ))
            }
            Err(e) => return Err(e),
        };
        total += p * v;
    }
    Ok(total)
}

/// The best expectation over all 2^n predictions (each evaluated with the exact DP
/// [`super::expected_exact`]), with the first prediction attaining it in mask
/// order. Predictions whose expectation is undefined are skipped.
pub fn brute_optimal(
    probs: &[Q],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<(Vec<bool>, Q)> {
    let n = probs.len();
    if n > BRUTE_MAX_N {
        return Err(Error::TooLarge(format!(
            "brute force over 2^{n} predictions is too large"
        )));
    }
    let mut best: Option<(Vec<bool>, Q)> = None;
    for mask in 0u64..(1u64 << n) {
        let pred: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 1).collect();
        let e = match super::expected_exact(probs, &pred, metric, policy) {
            Ok(e) => e,
            Err(Error::Empty(_)) => continue,
            Err(err) => return Err(err),
        };
        if best.as_ref().is_none_or(|(_, b)| e > *b) {
            best = Some((pred, e));
        }
    }
    best.ok_or_else(|| Error::invalid("no prediction has a defined expectation"))
}
