//! Spread growth: the exact best spread sup/inf of candidate/Dice over every
//! configuration on n voxels, against n on log–log axes (claims 4, 5 and 7).
//!
//! Why exact enumeration rather than the randomized search of `diceproof search
//! --growth`: on count space the best spread at one n is a sweep over C(n+3, 3)
//! tuples, which takes well under a second up to a few hundred voxels, and an
//! exact value needs no budget or seed. Weighted-Hamming losses (the decision
//! part of weighted cross-entropy) grow like n (adaptive weights faster), so no constant factor relates
//! them to Dice; Jaccard and Tversky stay bounded. The fitted slope of each series
//! is [`crate::search::growth_exponent`], the same fit `search --growth` prints.

use std::path::{Path, PathBuf};

use crate::progress::Progress;

use super::chart::{self, geomspace, Chart, LegendAt, Mark, Panel, Series, BLACK_INDEX};
use super::{exact_spread, mismatch, Data, Figure, Size};
use crate::analysis::Pair;
use crate::error::Result;
use crate::exact::{format_q, q_to_f64};
use crate::measures::{parse_measure, EmptyPolicy};
use crate::search::growth_exponent;
use crate::table::Csv;

/// The figure's data, defined with every figure format in [`crate::schema::figures`].
pub use crate::schema::figures::{GrowthData, GrowthPoint, GrowthSeries};

/// The figure.
pub const FIGURE: Figure = Figure {
    name: "whamming-growth",
    caption: "Exact best spread (sup/inf of candidate loss over Dice loss) on n voxels: weighted-Hamming losses, the decisions of weighted cross-entropy, grow without bound (like n for fixed weights, faster for adaptive ones), while Jaccard and Tversky stay within their proven constant bounds.",
    compute: Some(compute_sized),
    draw,
};

/// The candidates compared with Dice: (spec, proven bound on the spread if any).
pub const CANDIDATES: &[(&str, Option<f64>)] = &[
    ("whamming:w=1/2", None),
    ("whamming:w=9/10", None),
    ("whamming:balanced", None),
    ("whamming:gdice", None),
    ("jaccard", Some(2.0)),
    ("tversky:a=1/4,b=3/4", Some(3.0)),
];

impl GrowthData {
    /// CSV: one line per (candidate, n).
    pub fn csv(&self) -> String {
        let mut s = Csv::new(&[
            "target",
            "candidate",
            "n",
            "inf",
            "sup",
            "spread",
            "spread_f64",
        ]);
        for g in &self.series {
            for p in &g.points {
                s.row(&[
                    self.target.clone(),
                    g.candidate.clone(),
                    p.n.to_string(),
                    p.inf.clone().unwrap_or_default(),
                    p.sup.clone().unwrap_or_else(|| "inf".into()),
                    p.spread.clone().unwrap_or_default(),
                    p.spread_f64.map(|v| v.to_string()).unwrap_or_default(),
                ]);
            }
        }
        s.finish()
    }
}

/// Image sizes per figure size: powers of two.
pub fn sizes(size: Size) -> Vec<u64> {
    let max = size.pick(32, 256, 512);
    std::iter::successors(Some(4u64), |n| Some(n * 2))
        .take_while(|n| *n <= max)
        .collect()
}

fn compute_sized(size: Size, progress: &Progress) -> Result<Data> {
    compute(CANDIDATES, &sizes(size), progress).map(Data::WhammingGrowth)
}

/// Exact best spread of each candidate against Dice at each n (empty masks: loss 0).
pub fn compute(
    candidates: &[(&str, Option<f64>)],
    ns: &[u64],
    progress: &Progress,
) -> Result<GrowthData> {
    let dice = parse_measure("dice")?;
    let work: u64 = ns.iter().map(|&n| n * n * n).sum::<u64>() * candidates.len() as u64;
    progress.set_len(work);
    let mut series = Vec::new();
    for &(spec, proven_bound) in candidates {
        let pair = Pair::new(dice.clone(), parse_measure(spec)?, EmptyPolicy::One)?;
        let mut points = Vec::new();
        for &n in ns {
            let s = exact_spread(&pair, n)?;
            progress.inc(n * n * n);
            let spread = s.spread();
            points.push(GrowthPoint {
                n,
                inf: s.min_ratio.as_ref().map(|e| format_q(&e.value)),
                sup: if s.unbounded.is_some() {
                    None
                } else {
                    s.max_ratio.as_ref().map(|e| format_q(&e.value))
                },
                spread_f64: spread.as_ref().map(q_to_f64),
                spread: spread.as_ref().map(format_q),
            });
        }
        let exponent = growth_exponent(
            &points
                .iter()
                .filter_map(|p| Some((p.n as f64, p.spread_f64?)))
                .collect::<Vec<_>>(),
        );
        series.push(GrowthSeries {
            candidate: parse_measure(spec)?.spec(),
            proven_bound,
            exponent,
            points,
        });
    }
    Ok(GrowthData {
        target: dice.spec(),
        series,
    })
}

fn draw(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::WhammingGrowth(d) = data else {
        return Err(mismatch(FIGURE.name, data));
    };
    let ns: Vec<f64> = d
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.n as f64))
        .collect();
    let (lo, hi) = ns
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &n| (a.min(n), b.max(n)));
    let mut c = Chart::new(
        format!("exact over every configuration, n = {lo}…{hi}"),
        "voxels n (log scale)",
        format!(
            "best spread sup/inf of candidate / {} loss (log scale)",
            d.target
        ),
    );
    c.log_x = true;
    c.log_y = true;
    c.legend = LegendAt::UpperLeft;
    let mut y_max: f64 = 1.0;
    for (i, s) in d.series.iter().enumerate() {
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|p| Some((p.n as f64, p.spread_f64?)))
            .collect();
        y_max = pts.iter().fold(y_max, |m, p| m.max(p.1));
        let slope = s
            .exponent
            .map(|e| format!(", slope {e:.2}"))
            .unwrap_or_default();
        c.series.push(Series::points(
            format!("{}{slope}", s.candidate),
            i,
            Mark::Line,
            pts.clone(),
        ));
        c.series
            .push(Series::points("", i, Mark::Dots(5), pts).unlabelled());
        if let Some(b) = s.proven_bound {
            c.series.push(Series::hline(
                format!("proven limit {b} for {}", s.candidate),
                i,
                b,
            ));
        }
    }
    if lo.is_finite() && hi > lo {
        c.series.push(Series::function(
            "∝ n (reference slope 1)",
            BLACK_INDEX,
            Mark::Dashed,
            geomspace(lo, hi, 2),
            |n| n / 2.0,
        ));
    }
    c.y_range = Some((0.8, y_max * 3.0));
    chart::save(
        &out.join(FIGURE.name),
        "Spread against Dice: weighted Hamming grows without bound",
        &[Panel::Xy(c)],
        chart::SINGLE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_spread_is_bounded_and_whamming_grows() {
        let d = compute(
            &[("jaccard", Some(2.0)), ("whamming:w=1/2", None)],
            &[4, 8, 16],
            &Progress::none(),
        )
        .unwrap();
        let j = &d.series[0];
        // sup Δ_J/Δ_D = (2n−1)/n and inf = 1.
        assert_eq!(j.points[2].spread.as_deref(), Some("31/16"));
        let w = &d.series[1];
        let s: Vec<f64> = w.points.iter().map(|p| p.spread_f64.unwrap()).collect();
        assert!(s[0] < s[1] && s[1] < s[2], "{s:?}");
        assert!(w.exponent.unwrap() > 0.8);
        assert!(d.csv().lines().count() == 7);
    }

    #[test]
    fn sizes_are_powers_of_two() {
        assert_eq!(sizes(Size::Quick), vec![4, 8, 16, 32]);
    }
}
