//! Expected Dice of the threshold decision \[π > t\] against t, exactly, for a few
//! probability vectors, with the expected-Dice-optimal top-k decision marked
//! (claim 10).
//!
//! Why a step function: the decision only changes when t crosses one of the
//! probabilities, so the expected Dice is constant on each interval between
//! them and the whole curve is a handful of exact values. Every weighted-CE Bayes
//! rule is such a threshold (t = 1 − w), so a curve whose maximum lies below the
//! optimal top-k line, or whose maximum sits far from t = 1/2, is a witness
//! against fixed thresholds. The instance list is a parameter: the claims
//! registry supplies the final witnesses.

use std::path::{Path, PathBuf};

use crate::progress::Progress;
use num_traits::{One, Zero};

use super::chart::{self, Chart, LegendAt, Mark, Panel, Series, BLACK_INDEX};
use super::{mismatch, Data, Figure, Size};
use crate::error::Result;
use crate::exact::{format_q, q_to_f64, Q};
use crate::measures::EmptyPolicy;
use crate::risk::{expected_exact, optimal_topk, parse_probs, threshold_pred, RiskMetric};
use crate::table::Csv;

/// The figure's data, defined with every figure format in [`crate::schema::figures`].
pub use crate::schema::figures::{Instance, RiskData, Step};

/// The figure.
pub const FIGURE: Figure = Figure {
    name: "risk-threshold",
    caption: "Exact expected Dice of the threshold decision [π > t] under independent Bernoulli(π) labels as a function of t, for a few probability vectors, with the expected-Dice-optimal top-k decision marked: no single threshold is optimal for every vector.",
    compute: Some(compute_sized),
    draw,
};

/// The default probability vectors (exact, comma-separated).
pub const DEFAULT_INSTANCES: &[&str] = &[
    "9/10,4/5,1/2,1/10",
    "2/5,2/5,2/5,2/5,2/5,2/5",
    "9/10,9/10,9/10,9/10,2/5,2/5",
];

/// The default instances, parsed.
pub fn default_instances() -> Result<Vec<Vec<Q>>> {
    DEFAULT_INSTANCES.iter().map(|s| parse_probs(s)).collect()
}

impl RiskData {
    /// CSV: one line per (instance, step).
    pub fn csv(&self) -> String {
        let mut s = Csv::new(&[
            "instance",
            "probs",
            "t_from",
            "t_to",
            "k",
            "expected",
            "expected_f64",
            "optimal_k",
            "optimal_expected",
        ]);
        for (i, inst) in self.instances.iter().enumerate() {
            for st in &inst.steps {
                s.row(&[
                    (i + 1).to_string(),
                    inst.probs.join(" "),
                    st.t_from.clone(),
                    st.t_to.clone(),
                    st.k.to_string(),
                    st.expected.clone(),
                    st.expected_f64.to_string(),
                    inst.optimal_k.to_string(),
                    inst.optimal_expected.clone(),
                ]);
            }
        }
        s.finish()
    }
}

fn compute_sized(_size: Size, progress: &Progress) -> Result<Data> {
    compute(&default_instances()?, progress).map(Data::RiskThreshold)
}

/// The exact step functions for `instances` (expected Dice, both empty = 1).
pub fn compute(instances: &[Vec<Q>], progress: &Progress) -> Result<RiskData> {
    let (metric, policy) = (RiskMetric::Dice, EmptyPolicy::One);
    progress.set_len(instances.len() as u64);
    let mut out = Vec::new();
    // Per instance: (from, to, optimal?) for every step.
    let mut pieces: Vec<Vec<(Q, Q, bool)>> = Vec::new();
    let mut all_cuts: Vec<Q> = Vec::new();
    for probs in instances {
        let mut cuts: Vec<Q> = probs
            .iter()
            .filter(|p| !p.is_zero() && !p.is_one())
            .cloned()
            .collect();
        cuts.push(Q::zero());
        cuts.push(Q::one());
        cuts.sort();
        cuts.dedup();
        let optimal = optimal_topk(probs, &metric, policy)?;
        let mut steps = Vec::new();
        let mut mine = Vec::new();
        for w in cuts.windows(2) {
            let pred = threshold_pred(probs, &w[0]);
            let e = expected_exact(probs, &pred, &metric, policy)?;
            mine.push((w[0].clone(), w[1].clone(), e == optimal.expected));
            steps.push(Step {
                t_from: format_q(&w[0]),
                t_to: format_q(&w[1]),
                t_from_f64: q_to_f64(&w[0]),
                t_to_f64: q_to_f64(&w[1]),
                k: pred.iter().filter(|&&b| b).count(),
                expected_f64: q_to_f64(&e),
                expected: format_q(&e),
            });
        }
        all_cuts.extend(cuts);
        pieces.push(mine);
        let half = Q::new(1.into(), 2.into());
        let ce = expected_exact(probs, &threshold_pred(probs, &half), &metric, policy)?;
        let opt = format_q(&optimal.expected);
        out.push(Instance {
            probs: probs.iter().map(format_q).collect(),
            threshold_reaches_optimum: steps.iter().any(|s| s.expected == opt),
            steps,
            optimal_k: optimal.k,
            optimal_expected_f64: q_to_f64(&optimal.expected),
            optimal_expected: opt,
            ce_expected: format_q(&ce),
        });
        progress.inc(1);
    }
    all_cuts.sort();
    all_cuts.dedup();
    let optimal_for_all = all_cuts
        .windows(2)
        .filter(|w| {
            pieces
                .iter()
                .all(|p| p.iter().any(|(a, b, opt)| *opt && *a <= w[0] && w[0] < *b))
        })
        .map(|w| [format_q(&w[0]), format_q(&w[1])])
        .collect();
    Ok(RiskData {
        metric: metric.name(),
        empty: policy.name().into(),
        instances: out,
        optimal_for_all,
    })
}

/// `dice` → `Dice`.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A short legend name for a probability vector: runs of equal values as `v×k`.
fn short(probs: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < probs.len() {
        let j = (i..probs.len())
            .find(|&j| probs[j] != probs[i])
            .unwrap_or(probs.len());
        parts.push(if j - i > 1 {
            format!("{}×{}", probs[i], j - i)
        } else {
            probs[i].clone()
        });
        i = j;
    }
    format!("π = ({})", parts.join(", "))
}

fn draw(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::RiskThreshold(d) = data else {
        return Err(mismatch(FIGURE.name, data));
    };
    let mut c = Chart::new(
        format!(
            "{}; ring, dashed: optimal top-k",
            match d.optimal_for_all.first() {
                None => format!(
                    "no threshold is optimal for all {} vectors",
                    d.instances.len()
                ),
                Some([a, b]) => format!(
                    "t in [{a}, {b}) is optimal for all {} vectors",
                    d.instances.len()
                ),
            }
        ),
        "threshold t (predict voxel i iff π_i > t)",
        format!(
            "expected {} (both empty counts as {})",
            capitalised(&d.metric),
            d.empty
        ),
    );
    c.x_range = Some((0.0, 1.0));
    c.y_range = Some((0.0, 1.05));
    c.legend = LegendAt::LowerLeft;
    c.series.push(Series::vline(
        "t = 1/2 (unweighted CE decision)",
        BLACK_INDEX,
        0.5,
    ));
    for (i, inst) in d.instances.iter().enumerate() {
        let mut pts: Vec<(f64, f64)> = inst
            .steps
            .iter()
            .map(|s| (s.t_from_f64, s.expected_f64))
            .collect();
        if let Some(last) = inst.steps.last() {
            pts.push((last.t_to_f64, last.expected_f64));
        }
        c.series
            .push(Series::points(short(&inst.probs), i, Mark::Step, pts));
        c.series.push(
            Series::hline(
                format!(
                    "optimal top-{}: {:.4}",
                    inst.optimal_k, inst.optimal_expected_f64
                ),
                i,
                inst.optimal_expected_f64,
            )
            .unlabelled(),
        );
        let marks: Vec<(f64, f64)> = inst
            .steps
            .iter()
            .filter(|s| s.expected == inst.optimal_expected)
            .map(|s| ((s.t_from_f64 + s.t_to_f64) / 2.0, s.expected_f64))
            .collect();
        let label = if marks.is_empty() {
            format!(
                "  optimal top-{} = {:.4}, no threshold reaches it",
                inst.optimal_k, inst.optimal_expected_f64
            )
        } else {
            format!(
                "  optimal top-{} = {:.4}",
                inst.optimal_k, inst.optimal_expected_f64
            )
        };
        let at = if marks.is_empty() {
            vec![(0.02, inst.optimal_expected_f64)]
        } else {
            marks
        };
        c.series.push(Series::points(label, i, Mark::Rings(9), at));
    }
    chart::save(
        &out.join(FIGURE.name),
        "Expected Dice of threshold decisions vs the optimal top-k decision",
        &[Panel::Xy(c)],
        chart::SINGLE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_cover_the_unit_interval_and_optimum_dominates() {
        let d = compute(&default_instances().unwrap(), &Progress::none()).unwrap();
        for inst in &d.instances {
            assert_eq!(inst.steps.first().unwrap().t_from, "0");
            assert_eq!(inst.steps.last().unwrap().t_to, "1");
            for s in &inst.steps {
                assert!(s.expected_f64 <= inst.optimal_expected_f64 + 1e-15);
            }
        }
        // π = (9/10, 4/5, 1/2, 1/10): t ∈ [1/2, 4/5) predicts the top two.
        let first = &d.instances[0];
        let s = first.steps.iter().find(|s| s.t_from == "1/2").unwrap();
        assert_eq!((s.t_to.as_str(), s.k), ("4/5", 2));
        // The default instances admit no common optimal threshold.
        assert!(d.optimal_for_all.is_empty(), "{:?}", d.optimal_for_all);
        let two = compute(&default_instances().unwrap()[..1], &Progress::none()).unwrap();
        assert_eq!(
            two.optimal_for_all,
            vec![["1/10".to_string(), "1/2".to_string()]]
        );
        assert!(short(&first.probs).starts_with("π = (9/10"));
        assert_eq!(capitalised("dice"), "Dice");
        assert_eq!(short(&["1".into(), "1".into(), "2".into()]), "π = (1×2, 2)");
    }
}
