//! Dice against Jaccard: the scatter of (Δ_D, Δ_J) over every configuration on n
//! voxels, and the exact sup of Δ_J/Δ_D and of Δ_J − Δ_D as n grows (claims 1–2).
//!
//! Why these two: the scatter shows that every configuration lies on the single
//! curve Δ_J = 2Δ_D/(1+Δ_D), between the proven lines y = x and y = 2x and under
//! the absolute envelope y = x + (3 − 2√2); the second figure shows how the
//! exact sup of the ratio, (2n−1)/n, approaches 2 without reaching it, and how
//! the largest gap approaches 3 − 2√2 from below.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::progress::Progress;
use rayon::prelude::*;

use super::chart::{self, linspace, Chart, LegendAt, Mark, Panel, Series, BLACK_INDEX};
use super::{exact_spread, mismatch, Data, Figure, Size};
use crate::analysis::Pair;
use crate::enumerate::count_space::for_each_tuple;
use crate::error::{Error, Result};
use crate::exact::{format_q, q_to_f64, Q};
use crate::measures::{parse_measure, EmptyPolicy, Value};
use crate::table::Csv;

/// The figure's data, defined with every figure format in [`crate::schema::figures`].
pub use crate::schema::figures::{RatioData, RatioRow, ScatterData, ScatterPoint};

/// 3 − 2√2, the sup of Δ_J − Δ_D over all configurations.
pub const GAP_LIMIT: f64 = 0.171_572_875_253_809_9;

/// The scatter figure.
pub const SCATTER: Figure = Figure {
    name: "dice-jaccard-scatter",
    caption: "Jaccard loss against Dice loss over every configuration of n voxels: all points lie on Δ_J = 2Δ_D/(1+Δ_D), between the proven bounds Δ_D ≤ Δ_J ≤ 2Δ_D and below Δ_D + 3 − 2√2.",
    compute: Some(compute_scatter_sized),
    draw: draw_scatter,
};

/// The ratio and gap figure.
pub const RATIO: Figure = Figure {
    name: "dice-jaccard-ratio",
    caption: "Exact sup of Δ_J/Δ_D on n voxels, equal to (2n−1)/n and approaching the proven bound 2, and the exact sup of Δ_J − Δ_D, approaching 3 − 2√2 from below.",
    compute: Some(compute_ratio_sized),
    draw: draw_ratio,
};

impl ScatterData {
    /// CSV of the points.
    pub fn csv(&self) -> String {
        let mut s = Csv::new(&[
            "delta_dice",
            "delta_jaccard",
            "delta_dice_f64",
            "delta_jaccard_f64",
        ]);
        for p in &self.points {
            s.row(&[
                p.delta_dice.clone(),
                p.delta_jaccard.clone(),
                p.x.to_string(),
                p.y.to_string(),
            ]);
        }
        s.finish()
    }
}

fn exact(v: Value) -> Result<Q> {
    v.exact()
        .cloned()
        .ok_or_else(|| Error::invalid("an undefined loss under the policy one"))
}

fn compute_scatter_sized(size: Size, progress: &Progress) -> Result<Data> {
    compute_scatter(size.pick(12, 30, 80), progress).map(Data::DiceJaccardScatter)
}

/// Every distinct (Δ_D, Δ_J) over the count tuples of n voxels (both-empty counts
/// as loss 0 under the `one` policy).
pub fn compute_scatter(n: u64, progress: &Progress) -> Result<ScatterData> {
    let dice = parse_measure("dice")?;
    let jaccard = parse_measure("jaccard")?;
    let mut tuples = Vec::new();
    for_each_tuple(n, |c| tuples.push(c));
    progress.set_len(tuples.len() as u64);
    let mut seen: BTreeMap<Q, Q> = BTreeMap::new();
    for c in &tuples {
        let d = exact(dice.loss(c, EmptyPolicy::One)?)?;
        let j = exact(jaccard.loss(c, EmptyPolicy::One)?)?;
        seen.entry(d).or_insert(j);
        progress.inc(1);
    }
    let zero = Q::from_integer(0.into());
    let mut max_ratio = zero.clone();
    let mut max_gap = zero.clone();
    for (d, j) in &seen {
        if *d > zero {
            max_ratio = max_ratio.max(j / d);
        }
        max_gap = max_gap.max(j - d);
    }
    Ok(ScatterData {
        n,
        tuples: tuples.len() as u64,
        points: seen
            .iter()
            .map(|(d, j)| ScatterPoint {
                delta_dice: format_q(d),
                delta_jaccard: format_q(j),
                x: q_to_f64(d),
                y: q_to_f64(j),
            })
            .collect(),
        max_ratio: format_q(&max_ratio),
        max_gap: format_q(&max_gap),
    })
}

fn draw_scatter(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::DiceJaccardScatter(d) = data else {
        return Err(mismatch(SCATTER.name, data));
    };
    let xs = linspace(0.0, 1.0, 201);
    let mut c = Chart::new(
        format!(
            "n = {} voxels: {} distinct points from {} count tuples",
            d.n,
            d.points.len(),
            d.tuples
        ),
        "Dice loss Δ_D = 1 − Dice",
        "Jaccard loss Δ_J = 1 − Jaccard",
    );
    c.x_range = Some((0.0, 1.0));
    c.y_range = Some((0.0, 1.0));
    c.legend = LegendAt::LowerRight;
    c.series = vec![
        Series::function(
            "y = 2x (proven upper bound)",
            3,
            Mark::Dashed,
            linspace(0.0, 0.5, 2),
            |x| 2.0 * x,
        ),
        Series::function(
            "y = x + 3 − 2√2 (proven absolute bound)",
            1,
            Mark::Dashed,
            linspace(0.0, 1.0 - GAP_LIMIT, 2),
            |x| x + GAP_LIMIT,
        ),
        Series::diagonal("y = x (proven lower bound)"),
        Series::function(
            "exact relation Δ_J = 2Δ_D/(1+Δ_D)",
            2,
            Mark::Line,
            xs,
            |x| 2.0 * x / (1.0 + x),
        ),
        Series::points(
            format!(
                "configurations (max Δ_J/Δ_D = {}, max gap = {})",
                d.max_ratio, d.max_gap
            ),
            0,
            Mark::Dots(4),
            d.points.iter().map(|p| (p.x, p.y)).collect(),
        ),
    ];
    chart::save(
        &out.join(SCATTER.name),
        "Dice loss vs Jaccard loss over every configuration",
        &[Panel::Xy(c)],
        chart::SINGLE,
    )
}

impl RatioData {
    /// CSV of the rows.
    pub fn csv(&self) -> String {
        let mut s = Csv::new(&[
            "n",
            "sup_ratio",
            "sup_ratio_f64",
            "equals_2n_minus_1_over_n",
            "max_gap",
            "max_gap_f64",
            "gap_tp",
            "gap_fp",
            "gap_fn",
            "gap_tn",
        ]);
        for r in &self.rows {
            let w = r.gap_witness;
            s.row(&[
                r.n.to_string(),
                r.sup_ratio.clone(),
                r.sup_ratio_f64.to_string(),
                r.equals_formula.to_string(),
                r.max_gap.clone(),
                r.max_gap_f64.to_string(),
                w[0].to_string(),
                w[1].to_string(),
                w[2].to_string(),
                w[3].to_string(),
            ]);
        }
        s.finish()
    }
}

fn compute_ratio_sized(size: Size, progress: &Progress) -> Result<Data> {
    compute_ratio(size.pick(30, 120, 250), progress).map(Data::DiceJaccardRatio)
}

/// Exact enumeration of Jaccard against Dice for every n = 1..=max_n.
pub fn compute_ratio(max_n: u64, progress: &Progress) -> Result<RatioData> {
    let pair = Pair::new(
        parse_measure("dice")?,
        parse_measure("jaccard")?,
        EmptyPolicy::One,
    )?;
    progress.set_len(max_n);
    let rows = (1..=max_n)
        .into_par_iter()
        .map(|n| {
            let s = exact_spread(&pair, n)?;
            progress.inc(1);
            let sup = s
                .max_ratio
                .ok_or_else(|| Error::invalid("no configuration with Δ_D > 0"))?;
            let gap = s
                .max_gap
                .ok_or_else(|| Error::invalid("no configuration"))?;
            let formula = Q::new((2 * n - 1).into(), n.into());
            let w = &gap.witness;
            Ok(RatioRow {
                n,
                sup_ratio: format_q(&sup.value),
                sup_ratio_f64: q_to_f64(&sup.value),
                equals_formula: sup.value == formula,
                max_gap: format_q(&gap.value),
                max_gap_f64: q_to_f64(&gap.value),
                gap_witness: [w.tp, w.fp, w.fn_, w.tn],
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RatioData { rows })
}

fn draw_ratio(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::DiceJaccardRatio(d) = data else {
        return Err(mismatch(RATIO.name, data));
    };
    let max_n = d.rows.iter().map(|r| r.n).max().unwrap_or(1) as f64;
    let all_match = d.rows.iter().all(|r| r.equals_formula);
    let mut left = Chart::new(
        "sup Δ_J/Δ_D",
        "voxels n",
        "sup over configurations of Δ_J / Δ_D",
    );
    left.legend = LegendAt::LowerRight;
    left.y_range = Some((0.9, 2.1));
    left.series = vec![
        Series::hline("2 (proven bound, never attained)", BLACK_INDEX, 2.0),
        Series::function(
            "(2n−1)/n",
            3,
            Mark::Line,
            linspace(1.0, max_n, 400),
            |n| (2.0 * n - 1.0) / n,
        ),
        Series::points(
            format!(
                "exact enumeration ({})",
                if all_match {
                    "equals (2n−1)/n for every n"
                } else {
                    "DIFFERS from (2n−1)/n"
                }
            ),
            0,
            Mark::Dots(4),
            d.rows
                .iter()
                .map(|r| (r.n as f64, r.sup_ratio_f64))
                .collect(),
        ),
    ];
    let mut right = Chart::new(
        "sup (Δ_J − Δ_D), zoomed near the limit",
        "voxels n",
        "sup over configurations of Δ_J − Δ_D",
    );
    right.legend = LegendAt::LowerRight;
    right.y_range = Some((0.164, 0.1725));
    let off: Vec<String> = d
        .rows
        .iter()
        .filter(|r| r.max_gap_f64 < 0.164)
        .map(|r| format!("n = {}: {}", r.n, r.max_gap))
        .collect();
    right.series = vec![
        Series::hline(
            "3 − 2√2 ≈ 0.171573 (proven sup, irrational)",
            BLACK_INDEX,
            GAP_LIMIT,
        ),
        Series::points(
            if off.is_empty() {
                "exact enumeration".to_string()
            } else {
                format!("exact enumeration (off scale: {})", off.join(", "))
            },
            1,
            Mark::Dots(4),
            d.rows.iter().map(|r| (r.n as f64, r.max_gap_f64)).collect(),
        ),
    ];
    chart::save(
        &out.join(RATIO.name),
        "Dice vs Jaccard: exact relative and absolute gaps per image size",
        &[Panel::Xy(left), Panel::Xy(right)],
        chart::DOUBLE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_sup_is_2n_minus_1_over_n() {
        let d = compute_ratio(12, &Progress::none()).unwrap();
        assert_eq!(d.rows.len(), 12);
        for r in &d.rows {
            assert!(r.equals_formula, "n = {}: {}", r.n, r.sup_ratio);
            assert!(r.max_gap_f64 < GAP_LIMIT);
        }
        assert_eq!(d.rows[3].sup_ratio, "7/4");
        // n = 1: the only configurations with Δ_D > 0 have ratio 1.
        assert_eq!(d.rows[0].sup_ratio, "1");
    }

    #[test]
    fn scatter_points_lie_on_the_identity_and_are_distinct() {
        let d = compute_scatter(10, &Progress::none()).unwrap();
        assert_eq!(d.tuples, 286);
        assert_eq!(d.max_ratio, "19/10");
        for p in &d.points {
            assert!((p.y - 2.0 * p.x / (1.0 + p.x)).abs() < 1e-12);
        }
        let mut xs: Vec<&str> = d.points.iter().map(|p| p.delta_dice.as_str()).collect();
        xs.dedup();
        assert_eq!(xs.len(), d.points.len());
        assert!(
            d.points.iter().any(|p| p.delta_dice == "0")
                && d.points.iter().any(|p| p.delta_dice == "1")
        );
    }

    #[test]
    fn data_round_trips_through_json() {
        let data = Data::DiceJaccardRatio(compute_ratio(4, &Progress::none()).unwrap());
        let text = serde_json::to_string(&data).unwrap();
        assert!(text.starts_with("{\"figure\":\"dice-jaccard-ratio\""));
        assert_eq!(serde_json::from_str::<Data>(&text).unwrap(), data);
    }
}
