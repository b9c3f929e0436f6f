//! Pooled (data-set level) Dice and Jaccard, and their optimal decision: the
//! threshold F*/2 (Lipton, Elkan and Narayanaswamy 2014).
//!
//! # What "pooled" means here
//!
//! Pooled Dice sums TP, |y| and |ŷ| over a whole data set before dividing. Over
//! many images with calibrated probabilities, the law of large numbers turns the
//! sums into expectations, so the pooled value of a decision S is the ratio of
//! expectations
//!
//! ```text
//! F(S) = 2·Σ_{i∈S} π_i / (Σ_i π_i + |S|)        J(S) = Σ_{i∈S} π_i / (Σ_i π_i + |S| − Σ_{i∈S} π_i)
//! ```
//!
//! (and F = 2J/(1 + J) for every S, so both have the same optimal decisions).
//!
//! # Why the optimum thresholds at F*/2
//!
//! Let F* = max_S F(S). For every S, F(S) ≤ F* ⇔ Σ_{i∈S} (2π_i − F*) ≤ F*·Σπ, with
//! equality exactly at the optimal sets. The left side is maximised over S by
//! taking every voxel with 2π_i > F* (voxels with 2π_i = F* add 0), so
//! S* = {i : π_i > F*/2} attains the bound: it is optimal, and every optimal set
//! lies between {π > F*/2} and {π ≥ F*/2}. For Jaccard the same argument gives
//! the threshold J*/(1 + J*), which equals F*/2. `proofs/pooled-threshold-half.md`
//! has the details; the claim `pooled-threshold-half` checks it by brute force.
//!
//! Unlike the per-image expected Dice, this threshold depends on the data only
//! through one number, F*; it is still not a fixed threshold such as 1/2.

use num_traits::{One, Zero};

use super::decide::order_by_prob;
use super::{check_len, RiskMetric};
use crate::error::{Error, Result};
use crate::exact::Q;
use crate::measures::EmptyPolicy;

/// A decision with its pooled value.
#[derive(Clone, Debug, PartialEq)]
pub struct PooledDecision {
    /// One bit per voxel.
    pub pred: Vec<bool>,
    /// |pred|.
    pub k: usize,
    /// The pooled metric F(pred) (or J(pred)).
    pub value: Q,
}

/// The optimal pooled decision and the threshold that produces it.
#[derive(Clone, Debug, PartialEq)]
pub struct PooledOptimum {
    /// The optimal decision {π > threshold}.
    pub decision: PooledDecision,
    /// F*/2 for Dice, J*/(1 + J*) for Jaccard (the same number).
    pub threshold: Q,
}

fn dice_or_jaccard(metric: &RiskMetric) -> Result<bool> {
    match metric {
        RiskMetric::Dice => Ok(true),
        RiskMetric::Jaccard => Ok(false),
        RiskMetric::Measure(m) => Err(Error::invalid(format!(
            "pooled decisions are implemented for dice and jaccard, not {}",
            m.spec()
        ))),
    }
}

/// The pooled value from A = Σ_{S} π, B = Σ π and k = |S|.
fn value(a: &Q, b: &Q, k: usize, dice: bool, policy: EmptyPolicy) -> Result<Q> {
    let kq = Q::from_integer(k.into());
    let den = if dice { b + &kq } else { b + &kq - a };
    if den.is_zero() {
        return match policy {
            EmptyPolicy::One => Ok(Q::one()),
            EmptyPolicy::Zero => Ok(Q::zero()),
            EmptyPolicy::Nan | EmptyPolicy::Error | EmptyPolicy::NanIfGtEmpty => {
                Err(Error::Empty(format!(
                    "the pooled value is 0/0 (no foreground probability and an empty \
                 prediction) under the empty-mask policy `{}`; use --empty one or zero",
                    policy.name()
                )))
            }
        };
    }
    let num = if dice {
        a * Q::from_integer(2.into())
    } else {
        a.clone()
    };
    Ok(num / den)
}

/// The pooled value of the decision `pred`.
pub fn pooled_value(
    probs: &[Q],
    pred: &[bool],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<Q> {
    check_len(probs.len(), pred)?;
    let dice = dice_or_jaccard(metric)?;
    let b: Q = probs.iter().sum();
    let a: Q = probs
        .iter()
        .zip(pred)
        .filter(|(_, &s)| s)
        .map(|(p, _)| p)
        .sum();
    let k = pred.iter().filter(|&&s| s).count();
    value(&a, &b, k, dice, policy)
}

/// The optimal pooled decision: the best top-k set (for a fixed size, a larger
/// Σ_{S} π is better), reported as the threshold decision {π > F*/2}.
pub fn pooled_optimal(
    probs: &[Q],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<PooledOptimum> {
    if probs.is_empty() {
        return Err(Error::invalid("there are no probabilities"));
    }
    let dice = dice_or_jaccard(metric)?;
    let b: Q = probs.iter().sum();
    let order = order_by_prob(probs);
    let mut a = Q::zero();
    let mut best: Option<Q> = None;
    for k in 0..=probs.len() {
        if k > 0 {
            a += &probs[order[k - 1]];
        }
        let v = match value(&a, &b, k, dice, policy) {
            Ok(v) => v,
            Err(Error::Empty(_)) => continue,
            Err(e) => return Err(e),
        };
        if best.as_ref().is_none_or(|x| v > *x) {
            best = Some(v);
        }
    }
    let star = best.ok_or_else(|| Error::invalid("no decision has a defined pooled value"))?;
    let threshold = if dice {
        &star / Q::from_integer(2.into())
    } else {
        &star / (Q::one() + &star)
    };
    let pred: Vec<bool> = probs.iter().map(|p| *p > threshold).collect();
    let k = pred.iter().filter(|&&s| s).count();
    let got = pooled_value(probs, &pred, metric, policy)?;
    if got != star {
        return Err(Error::invalid(
            "internal check failed: the threshold decision at F*/2 is not optimal",
        ));
    }
    Ok(PooledOptimum {
        decision: PooledDecision {
            pred,
            k,
            value: star,
        },
        threshold,
    })
}

#[cfg(test)]
mod tests {
    use num_bigint::BigInt;
    use proptest::prelude::*;

    use super::*;

    fn q(n: i64, d: i64) -> Q {
        Q::new(BigInt::from(n), BigInt::from(d))
    }

    fn all_subsets_best(probs: &[Q], metric: &RiskMetric) -> (Q, Vec<Vec<bool>>) {
        let n = probs.len();
        let mut best: Option<Q> = None;
        let mut arg = Vec::new();
        for mask in 0u32..(1 << n) {
            let pred: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 1).collect();
            let v = pooled_value(probs, &pred, metric, EmptyPolicy::One).unwrap();
            match &best {
                Some(b) if v < *b => {}
                Some(b) if v == *b => arg.push(pred),
                _ => {
                    best = Some(v);
                    arg = vec![pred];
                }
            }
        }
        (best.unwrap(), arg)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// F*/2 thresholding is optimal, and every optimal set is sandwiched between
        /// {π > F*/2} and {π ≥ F*/2}; Dice and Jaccard agree.
        #[test]
        fn threshold_half_of_optimum(v in prop::collection::vec((0i64..=10, 1i64..=10), 1..=8)) {
            let probs: Vec<Q> = v.into_iter().map(|(a, d)| q(a.min(d), d)).collect();
            let d = pooled_optimal(&probs, &RiskMetric::Dice, EmptyPolicy::One).unwrap();
            let j = pooled_optimal(&probs, &RiskMetric::Jaccard, EmptyPolicy::One).unwrap();
            prop_assert_eq!(&d.threshold, &j.threshold);
            prop_assert_eq!(&d.decision.pred, &j.decision.pred);
            let (best, arg) = all_subsets_best(&probs, &RiskMetric::Dice);
            prop_assert_eq!(&best, &d.decision.value);
            for s in arg {
                for (p, &b) in probs.iter().zip(&s) {
                    if *p > d.threshold { prop_assert!(b); }
                    if *p < d.threshold { prop_assert!(!b); }
                }
            }
        }
    }

    #[test]
    fn known_instance_and_errors() {
        // π = (1, 1/2): F({1}) = 2/(3/2 + 1) = 4/5, F({1,2}) = 3/(3/2 + 2) = 6/7.
        let p = vec![q(1, 1), q(1, 2)];
        let o = pooled_optimal(&p, &RiskMetric::Dice, EmptyPolicy::One).unwrap();
        assert_eq!(o.decision.value, q(6, 7));
        assert_eq!(o.threshold, q(3, 7));
        assert_eq!(o.decision.pred, vec![true, true]);
        let t: RiskMetric = "tversky:a=1/3,b=2/3".parse().unwrap();
        assert!(pooled_optimal(&p, &t, EmptyPolicy::One).is_err());
        let zeros = vec![q(0, 1); 3];
        assert!(pooled_value(&zeros, &[false; 3], &RiskMetric::Dice, EmptyPolicy::Error).is_err());
        let o = pooled_optimal(&zeros, &RiskMetric::Dice, EmptyPolicy::One).unwrap();
        assert_eq!(o.decision.k, 0);
    }
}
