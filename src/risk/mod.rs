//! Risk under label uncertainty: exact expected Dice and Jaccard of a fixed
//! prediction when the labels are independent Bernoulli variables, the
//! expected-Dice-optimal decision, threshold (weighted cross-entropy) decisions and
//! their regret. Theory: `theory.md` section 2 (risk transfer) and claim 10.
//!
//! # What and why
//!
//! A probabilistic model gives each voxel a probability π_i of being foreground.
//! With labels y_i ~ Bernoulli(π_i) independent and a fixed prediction ŷ of size
//! k = |ŷ|, TP = |y ∩ ŷ| and Y_out = |y \ ŷ| are independent Poisson-binomial
//! variables (over the voxels inside and outside ŷ), and
//!
//! ```text
//! Dice    = 2·TP / (TP + Y_out + k),   E[Dice]    = Σ_s 2/(s+k) · Σ_{a+b=s} a·P(TP=a)·P(Y_out=b)
//! Jaccard =   TP / (k + Y_out),        E[Jaccard] = E[TP] · E[1/(k + Y_out)]   (k > 0)
//! ```
//!
//! Both distributions come from the O(n²) dynamic programme
//! `P_{m+1}(j) = (1−π)·P_m(j) + π·P_m(j−1)`, run on integers over the common
//! denominator Π d_i (π_i = a_i/d_i) with GMP (`rug`), so no gcd is taken until the
//! very end; the Dice sum is one integer convolution, and the final Σ_s C_s/(s+k)
//! is taken over lcm(k..=n+k). The result is an exact [`Q`].
//!
//! Empty masks: the formula is 0/0 only when ŷ is empty *and* y is empty. Its value
//! is set by the [`EmptyPolicy`]: `one` → 1, `zero` → 0; under `error` and `nan`
//! the expectation is undefined whenever that event has positive probability and
//! the functions return an error saying so (when P(y empty) = 0 the event never
//! happens and the expectation is well defined under every policy).
//!
//! # Decisions
//!
//! Under independence the expected-Dice-optimal prediction is a top-k set by π
//! (Dembczyński et al. 2011; Nowozin 2014): exchanging an in-set voxel of smaller π
//! for an out-of-set voxel of larger π never lowers E\[Dice\]. [`optimal_topk`] scans
//! k = 0..=n exactly; the tests confirm optimality against all 2^n predictions.
//!
//! Weighted cross-entropy with weight w on the foreground term,
//! `L(p, y) = −w·y·log p − (1−w)(1−y)·log(1−p)`, has expected loss under y ~ B(π)
//! minimised by `p* = wπ / (wπ + (1−w)(1−π))`; rounding p* at 1/2 predicts 1 iff
//! `w·π > (1−w)(1−π)` iff `π > 1 − w`. So every weighted-CE Bayes rule is the fixed
//! threshold t(w) = 1 − w (equality predicts 0), see [`weight_threshold`]. Regret
//! is the optimal expected metric minus the decision's expected metric.
//!
//! # Speed
//!
//! [`fast`] does the same computations in `f64` for large maps (10^6 voxels): the
//! Poisson-binomial distributions by divide and conquer with FFT convolutions.

pub mod brute;
pub mod decide;
pub mod expected;
pub mod fast;
pub mod fast_opt;
mod poisson;
pub mod pooled;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::exact::{parse_unit_rational, Q};
use crate::measures::{EmptyPolicy, Measure, Value};

pub use decide::{
    optimal_topk, order_by_prob, regret, risk_report, threshold_pred, topk_pred, weight_threshold,
    Decision, RiskReport,
};
pub use expected::expected_exact;
pub use pooled::{pooled_optimal, pooled_value, PooledDecision, PooledOptimum};

/// The similarity whose expectation is taken.
///
/// Dice and Jaccard have dedicated O(n²) formulas (a single convolution for Dice,
/// a product of two expectations for Jaccard). Any other measure spec (for
/// example `tversky:a=3/10,b=7/10`, or a measure added to the registry later) is
/// handled by the generic path, which sums the measure's exact similarity over
/// the joint distribution of (TP, Y_out) in O(k·(n − k)) terms: so a new measure
/// gets expected values, decisions and regret without further code.
#[derive(Clone, Debug, Default)]
pub enum RiskMetric {
    /// Dice = 2TP / (|y| + |ŷ|).
    #[default]
    Dice,
    /// Jaccard = TP / |y ∪ ŷ|.
    Jaccard,
    /// Any count measure; its similarity 1 − loss is the metric.
    Measure(Measure),
}

impl RiskMetric {
    /// The metric's canonical spec (`dice`, `jaccard`, `tversky:a=3/10,b=7/10`).
    pub fn name(&self) -> String {
        match self {
            RiskMetric::Dice => "dice".into(),
            RiskMetric::Jaccard => "jaccard".into(),
            RiskMetric::Measure(m) => m.spec(),
        }
    }

    /// The similarity of one configuration, exactly (policy applied).
    pub fn similarity(&self, c: &crate::Counts, policy: EmptyPolicy) -> Result<Value> {
        match self {
            RiskMetric::Dice => DICE.with(|m| m.similarity(c, policy)),
            RiskMetric::Jaccard => JACCARD.with(|m| m.similarity(c, policy)),
            RiskMetric::Measure(m) => m.similarity(c, policy),
        }
    }

    /// Whether the optimum over all predictions is known to be a top-k set by π
    /// (Dice, Jaccard, Tversky: similarity increasing in TP at fixed |y| and |ŷ|;
    /// see proofs/dice-optimal-topk.md). For other measures [`optimal_topk`] is the
    /// best top-k set only.
    pub fn topk_is_optimal(&self) -> bool {
        match self {
            RiskMetric::Dice | RiskMetric::Jaccard => true,
            RiskMetric::Measure(m) => {
                let s = m.spec();
                s == "dice" || s == "jaccard" || s.starts_with("tversky:")
            }
        }
    }
}

thread_local! {
    static DICE: Measure = crate::parse_measure("dice").expect("builtin dice");
    static JACCARD: Measure = crate::parse_measure("jaccard").expect("builtin jaccard");
}

impl FromStr for RiskMetric {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dice" => Ok(RiskMetric::Dice),
            "jaccard" | "iou" => Ok(RiskMetric::Jaccard),
            _ => {
                let m = crate::parse_measure(s).map_err(|e| {
                    Error::invalid(format!(
                        "unknown risk metric {s:?}: use dice, jaccard or a measure spec \
                         (see `diceproof specs`); {e}"
                    ))
                })?;
                Ok(RiskMetric::Measure(m))
            }
        }
    }
}

impl PartialEq for RiskMetric {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl fmt::Display for RiskMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Parses a comma-separated list of exact probabilities in [0, 1]
/// (`9/10,0.8,1/2`), naming the offending entry on error.
pub fn parse_probs(text: &str) -> Result<Vec<Q>> {
    let parts: Vec<&str> = text.split(',').collect();
    if text.trim().is_empty() {
        return Err(Error::invalid("--probs needs at least one probability"));
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            parse_unit_rational(p, &format!("probability {} (entry {})", p.trim(), i + 1))
        })
        .collect()
}

/// Checks that a prediction has one bit per probability.
pub fn check_len(n: usize, pred: &[bool]) -> Result<()> {
    if pred.len() != n {
        return Err(Error::Mismatch(format!(
            "the prediction has {} voxels but there are {n} probabilities",
            pred.len()
        )));
    }
    Ok(())
}

/// Bits as a `0`/`1` string.
pub fn bits(pred: &[bool]) -> String {
    pred.iter().map(|&b| if b { '1' } else { '0' }).collect()
}
