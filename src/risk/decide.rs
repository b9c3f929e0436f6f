//! Decisions under label uncertainty: top-k sets, thresholds, the weighted-CE Bayes
//! rule, the exact expected-metric-optimal top-k decision and regret.

use std::cmp::Ordering;

use num_traits::{One, Signed};

use super::expected::{expected_from, to_rug};
use super::poisson::Dist;
use super::{check_len, RiskMetric};
use crate::error::{Error, Result};
use crate::exact::convert::rug_to_big;
use crate::exact::{format_q, Q};
use crate::measures::EmptyPolicy;

/// A prediction with its exact expected metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// One bit per voxel.
    pub pred: Vec<bool>,
    /// |pred|.
    pub k: usize,
    /// E[metric(y, pred)].
    pub expected: Q,
}

/// A decision compared with the optimal top-k decision.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskReport {
    /// The metric.
    pub metric: RiskMetric,
    /// Number of voxels.
    pub n: usize,
    /// The decision that was asked about.
    pub decision: Decision,
    /// The optimal top-k decision (smallest optimal k).
    pub optimal: Decision,
    /// optimal.expected − decision.expected (≥ 0).
    pub regret: Q,
}

/// Voxel indices sorted by π descending, ties by index ascending.
pub fn order_by_prob<T: PartialOrd>(probs: &[T]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..probs.len()).collect();
    idx.sort_by(|&i, &j| {
        probs[j]
            .partial_cmp(&probs[i])
            .unwrap_or(Ordering::Equal)
            .then(i.cmp(&j))
    });
    idx
}

/// The top-k set by π (ties broken by lower index).
pub fn topk_pred(probs: &[Q], k: usize) -> Vec<bool> {
    let mut pred = vec![false; probs.len()];
    for &i in order_by_prob(probs).iter().take(k) {
        pred[i] = true;
    }
    pred
}

/// The threshold decision: predict voxel i iff π_i > t.
pub fn threshold_pred(probs: &[Q], t: &Q) -> Vec<bool> {
    probs.iter().map(|p| p > t).collect()
}

/// The threshold of the weighted-CE Bayes rule with weight `w` on the foreground
/// term: predict 1 iff w·π > (1−w)(1−π) iff π > 1 − w, so t(w) = 1 − w.
pub fn weight_threshold(w: &Q) -> Result<Q> {
    if w.is_negative() || *w > Q::one() {
        return Err(Error::invalid(format!(
            "the CE weight must lie in [0, 1], got {}",
            format_q(w)
        )));
    }
    Ok(Q::one() - w)
}

/// optimal − decision.
pub fn regret(optimal: &Q, decision: &Q) -> Q {
    optimal - decision
}

/// The exact expected-metric-optimal top-k decision: every k = 0..=n is scanned
/// with its exact expectation (prefix and suffix Poisson-binomial tables, then
/// O(k(n−k)) per k). A k whose expectation is undefined under the policy (k = 0
/// under `error`/`nan`) is skipped. The smallest optimal k is returned.
pub fn optimal_topk(probs: &[Q], metric: &RiskMetric, policy: EmptyPolicy) -> Result<Decision> {
    if probs.is_empty() {
        return Err(Error::invalid("there are no probabilities"));
    }
    let ps = to_rug(probs)?;
    let order = order_by_prob(probs);
    let n = probs.len();
    let mut prefix = Vec::with_capacity(n + 1);
    let mut d = Dist::unit();
    prefix.push(d.clone());
    for &i in &order {
        d.push(&ps[i]);
        prefix.push(d.clone());
    }
    let mut suffix = vec![Dist::unit(); n + 1];
    for k in (0..n).rev() {
        let mut s = suffix[k + 1].clone();
        s.push(&ps[order[k]]);
        suffix[k] = s;
    }
    let mut best: Option<(usize, rug::Rational)> = None;
    for k in 0..=n {
        let e = match expected_from(&prefix[k], &suffix[k], metric, policy) {
            Ok(e) => e,
            Err(Error::Empty(_)) => continue,
            Err(err) => return Err(err),
        };
        if best.as_ref().is_none_or(|(_, b)| e > *b) {
            best = Some((k, e));
        }
    }
    let (k, e) = best.ok_or_else(|| Error::invalid("no decision has a defined expectation"))?;
    let mut pred = vec![false; n];
    for &i in order.iter().take(k) {
        pred[i] = true;
    }
    Ok(Decision {
        pred,
        k,
        expected: rug_to_big(&e),
    })
}

/// The exact report for one decision: its expectation, the optimal top-k decision
/// and the regret.
pub fn risk_report(
    probs: &[Q],
    pred: &[bool],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<RiskReport> {
    check_len(probs.len(), pred)?;
    let expected = super::expected_exact(probs, pred, metric, policy)?;
    let optimal = optimal_topk(probs, metric, policy)?;
    let regret = regret(&optimal.expected, &expected);
    Ok(RiskReport {
        metric: metric.clone(),
        n: probs.len(),
        decision: Decision {
            pred: pred.to_vec(),
            k: pred.iter().filter(|&&b| b).count(),
            expected,
        },
        optimal,
        regret,
    })
}
