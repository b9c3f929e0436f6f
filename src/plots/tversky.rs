//! Tversky against Dice along α + β = 1 (claim 7): the exact inf and sup of
//! Δ_T/Δ_D over every configuration on n voxels, next to their limits
//! min(1, 2·min(α, β)) and max(1, 2·max(α, β)) as n grows.
//!
//! Why α + β = 1: the line passes through Dice (α = β = ½), where the interval
//! collapses to {1}, and shows that it widens monotonically on both sides; the
//! spread panel uses a log axis because it grows like 1/min(α, β) near the ends.

use std::path::{Path, PathBuf};

use crate::progress::Progress;
use num_traits::One;
use rayon::prelude::*;

use super::chart::{self, linspace, Chart, LegendAt, Mark, Panel, Series};
use super::{exact_spread, mismatch, Data, Figure, Size};
use crate::analysis::Pair;
use crate::error::{Error, Result};
use crate::exact::{format_q, q_to_f64, Q};
use crate::measures::{parse_measure, EmptyPolicy};
use crate::table::Csv;

/// The figure's data, defined with every figure format in [`crate::schema::figures`].
pub use crate::schema::figures::{TverskyData, TverskyRow};

/// The figure.
pub const FIGURE: Figure = Figure {
    name: "tversky-alpha",
    caption: "Exact inf and sup of Tversky loss over Dice loss on n voxels along α + β = 1, inside the limit interval [min(1, 2·min(α,β)), max(1, 2·max(α,β))] that collapses to 1 only at α = β = 1/2.",
    compute: Some(compute_sized),
    draw,
};

impl TverskyData {
    /// CSV of the rows.
    pub fn csv(&self) -> String {
        let mut s = Csv::new(&[
            "n",
            "alpha",
            "beta",
            "inf",
            "sup",
            "spread",
            "inf_f64",
            "sup_f64",
            "spread_f64",
        ]);
        for r in &self.rows {
            let a: Q = crate::exact::parse_rational(&r.alpha).unwrap_or_default();
            s.row(&[
                self.n.to_string(),
                r.alpha.clone(),
                format_q(&(Q::one() - a)),
                r.inf.clone(),
                r.sup.clone(),
                r.spread.clone(),
                r.inf_f64.to_string(),
                r.sup_f64.to_string(),
                r.spread_f64.to_string(),
            ]);
        }
        s.finish()
    }
}

/// The limit interval of Δ_T/Δ_D for Tversky(α, β).
pub fn limit(alpha: f64, beta: f64) -> (f64, f64) {
    (
        (2.0 * alpha.min(beta)).min(1.0),
        (2.0 * alpha.max(beta)).max(1.0),
    )
}

fn compute_sized(size: Size, progress: &Progress) -> Result<Data> {
    let (n, steps) = size.pick((16, 10), (60, 20), (150, 40));
    compute(n, steps, progress).map(Data::TverskyAlpha)
}

/// Exact inf/sup of Tversky(α, 1−α) over Dice at α = k/steps, k = 1..steps−1.
pub fn compute(n: u64, steps: u64, progress: &Progress) -> Result<TverskyData> {
    let dice = parse_measure("dice")?;
    progress.set_len(steps - 1);
    let rows = (1..steps)
        .into_par_iter()
        .map(|k| {
            let alpha = Q::new(k.into(), steps.into());
            let beta = Q::one() - &alpha;
            let spec = format!("tversky:a={},b={}", format_q(&alpha), format_q(&beta));
            let pair = Pair::new(dice.clone(), parse_measure(&spec)?, EmptyPolicy::One)?;
            let s = exact_spread(&pair, n)?;
            progress.inc(1);
            let (lo, hi) = match (&s.min_ratio, &s.max_ratio) {
                (Some(lo), Some(hi)) if s.unbounded.is_none() => {
                    (lo.value.clone(), hi.value.clone())
                }
                _ => return Err(Error::invalid(format!("{spec}: unbounded ratio to Dice"))),
            };
            let spread = &hi / &lo;
            Ok(TverskyRow {
                alpha: format_q(&alpha),
                alpha_f64: q_to_f64(&alpha),
                inf: format_q(&lo),
                sup: format_q(&hi),
                spread: format_q(&spread),
                inf_f64: q_to_f64(&lo),
                sup_f64: q_to_f64(&hi),
                spread_f64: q_to_f64(&spread),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(TverskyData { n, rows })
}

fn draw(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::TverskyAlpha(d) = data else {
        return Err(mismatch(FIGURE.name, data));
    };
    let xs = linspace(0.0, 1.0, 401);
    let mut left = Chart::new(
        format!("inf and sup of Δ_T / Δ_D, n = {}", d.n),
        "α (weight of false positives), β = 1 − α",
        "Tversky loss / Dice loss",
    );
    left.x_range = Some((0.0, 1.0));
    left.y_range = Some((0.0, 2.6));
    left.legend = LegendAt::UpperRight;
    left.series = vec![
        Series::function(
            "limit sup: max(1, 2·max(α, β))",
            3,
            Mark::Dashed,
            xs.clone(),
            |a| limit(a, 1.0 - a).1,
        ),
        Series::function(
            "limit inf: min(1, 2·min(α, β))",
            0,
            Mark::Dashed,
            xs.clone(),
            |a| limit(a, 1.0 - a).0,
        ),
        Series::points(
            "exact sup",
            3,
            Mark::Dots(6),
            d.rows.iter().map(|r| (r.alpha_f64, r.sup_f64)).collect(),
        ),
        Series::points(
            "exact inf",
            0,
            Mark::Dots(6),
            d.rows.iter().map(|r| (r.alpha_f64, r.inf_f64)).collect(),
        ),
    ];
    let mut right = Chart::new(
        format!("spread sup/inf, n = {}", d.n),
        "α (weight of false positives), β = 1 − α",
        "spread sup/inf (log scale)",
    );
    right.x_range = Some((0.0, 1.0));
    right.log_y = true;
    let max_spread = d.rows.iter().fold(2.0f64, |m, r| m.max(r.spread_f64));
    right.y_range = Some((0.9, max_spread * 1.6));
    right.legend = LegendAt::UpperRight;
    let inner = linspace(0.01, 0.99, 393);
    right.series = vec![
        Series::function(
            "limit: max(1,2·max(α,β)) / min(1,2·min(α,β))",
            2,
            Mark::Dashed,
            inner,
            |a| {
                let (lo, hi) = limit(a, 1.0 - a);
                hi / lo
            },
        ),
        Series::points(
            "exact spread",
            2,
            Mark::Dots(6),
            d.rows.iter().map(|r| (r.alpha_f64, r.spread_f64)).collect(),
        ),
    ];
    chart::save(
        &out.join(FIGURE.name),
        "Tversky vs Dice along α + β = 1",
        &[Panel::Xy(left), Panel::Xy(right)],
        chart::DOUBLE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_point_is_exactly_one_and_bounds_hold() {
        let d = compute(12, 4, &Progress::none()).unwrap();
        let mid = d.rows.iter().find(|r| r.alpha == "1/2").unwrap();
        assert_eq!(
            (mid.inf.as_str(), mid.sup.as_str(), mid.spread.as_str()),
            ("1", "1", "1")
        );
        for r in &d.rows {
            let (lo, hi) = limit(r.alpha_f64, 1.0 - r.alpha_f64);
            assert!(r.inf_f64 >= lo - 1e-12 && r.sup_f64 <= hi + 1e-12, "{r:?}");
        }
        assert_eq!(d.csv().lines().count(), 4);
    }
}
