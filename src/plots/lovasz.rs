//! Lovász extension of the Jaccard loss against the soft Jaccard loss inside the
//! cube (claim 8): every binary label vector and every probability vector on a
//! rational grid, both losses exact.
//!
//! Why a grid and not random points: on a grid every point is reproducible and
//! the vertices of the cube (where both losses equal Δ_J) are included, so the
//! figure shows the diagonal they share and the region below it where Lovász is
//! strictly smaller inside the cube. Pairs with y = 0 are left out: soft Jaccard
//! is 0/0 there at p = 0 and the figure is about segmentations with an object.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::progress::Progress;
use num_traits::Signed;
use rayon::prelude::*;

use super::chart::{self, Chart, LegendAt, Mark, Panel, Series};
use super::{mismatch, Data, Figure, Size};
use crate::error::Result;
use crate::exact::{format_q, q_to_f64, Q};
use crate::surrogates::soft::{lovasz_jaccard_fast, parse_soft};
use crate::table::Csv;

/// The figure's data, defined with every figure format in [`crate::schema::figures`].
pub use crate::schema::figures::{LovaszData, LovaszPoint};

/// The figure.
pub const FIGURE: Figure = Figure {
    name: "lovasz-soft-jaccard",
    caption: "Lovász extension of the Jaccard loss against the soft Jaccard loss for every nonempty binary label vector and every probability vector on a rational grid: equal at the vertices, and the Lovász loss never above soft Jaccard.",
    compute: Some(compute_sized),
    draw,
};

impl LovaszData {
    /// CSV of the points.
    pub fn csv(&self) -> String {
        let mut s = Csv::new(&["soft_jaccard", "lovasz", "soft_jaccard_f64", "lovasz_f64"]);
        for p in &self.points {
            s.row(&[
                p.soft_jaccard.clone(),
                p.lovasz.clone(),
                p.x.to_string(),
                p.y.to_string(),
            ]);
        }
        s.finish()
    }
}

fn compute_sized(size: Size, progress: &Progress) -> Result<Data> {
    let (n, grid) = size.pick((3, 3), (4, 4), (5, 4));
    compute(n, grid, progress).map(Data::LovaszSoftJaccard)
}

/// Both losses at every nonempty binary y ∈ {0,1}ⁿ and p ∈ {0, 1/grid, …, 1}ⁿ.
pub fn compute(n: usize, grid: u64, progress: &Progress) -> Result<LovaszData> {
    let soft = parse_soft("soft-jaccard")?;
    let one = Q::from_integer(1.into());
    let values: Vec<Q> = (0..=grid).map(|k| Q::new(k.into(), grid.into())).collect();
    let per_label = (grid + 1).pow(n as u32);
    progress.set_len((1u64 << n) - 1);
    type Acc = (BTreeSet<(Q, Q)>, u64, u64, Q);
    let parts: Vec<Acc> = (1u64..(1 << n))
        .into_par_iter()
        .map(|mask| -> Result<Acc> {
            let y: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 1).collect();
            let yq: Vec<Q> = y
                .iter()
                .map(|&b| if b { one.clone() } else { Q::default() })
                .collect();
            let mut seen = BTreeSet::new();
            let (mut evaluated, mut violations, mut max_diff) = (0u64, 0u64, Q::default());
            for code in 0..per_label {
                let mut c = code;
                let p: Vec<Q> = (0..n)
                    .map(|_| {
                        let v = values[(c % (grid + 1)) as usize].clone();
                        c /= grid + 1;
                        v
                    })
                    .collect();
                let Some(sj) = soft.loss(&yq, &p)? else {
                    continue;
                };
                let m: Vec<Q> = yq.iter().zip(&p).map(|(a, b)| (a - b).abs()).collect();
                let lv = lovasz_jaccard_fast(&y, &m);
                evaluated += 1;
                let diff = &sj - &lv;
                if diff.is_negative() {
                    violations += 1;
                }
                if diff > max_diff {
                    max_diff = diff;
                }
                seen.insert((sj, lv));
            }
            progress.inc(1);
            Ok((seen, evaluated, violations, max_diff))
        })
        .collect::<Result<_>>()?;
    let mut seen = BTreeSet::new();
    let (mut evaluated, mut violations, mut max_diff) = (0, 0, Q::default());
    for (s, e, v, d) in parts {
        seen.extend(s);
        evaluated += e;
        violations += v;
        max_diff = max_diff.max(d);
    }
    Ok(LovaszData {
        n,
        grid,
        evaluated,
        violations,
        max_difference: format_q(&max_diff),
        points: seen
            .iter()
            .map(|(sj, lv)| LovaszPoint {
                soft_jaccard: format_q(sj),
                lovasz: format_q(lv),
                x: q_to_f64(sj),
                y: q_to_f64(lv),
            })
            .collect(),
    })
}

fn draw(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::LovaszSoftJaccard(d) = data else {
        return Err(mismatch(FIGURE.name, data));
    };
    let mut c = Chart::new(
        format!(
            "n = {}, p on the grid k/{}: {} pairs, {} distinct points, {} above y = x",
            d.n,
            d.grid,
            d.evaluated,
            d.points.len(),
            d.violations
        ),
        "soft Jaccard loss 1 − I/(S − I)",
        "Lovász extension of the Jaccard loss",
    );
    c.x_range = Some((0.0, 1.0));
    c.y_range = Some((0.0, 1.0));
    c.legend = LegendAt::UpperLeft;
    c.series = vec![
        Series::points(
            "(soft Jaccard, Lovász) at one (y, p)",
            0,
            Mark::Dots(3),
            d.points.iter().map(|p| (p.x, p.y)).collect(),
        ),
        Series::diagonal("y = x (proven: Lovász ≤ soft Jaccard, equal at vertices)"),
    ];
    chart::save(
        &out.join(FIGURE.name),
        "Lovász–Jaccard vs soft Jaccard inside the cube",
        &[Panel::Xy(c)],
        chart::SINGLE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lovasz_never_exceeds_soft_jaccard_on_a_small_grid() {
        let d = compute(3, 2, &Progress::none()).unwrap();
        assert_eq!(d.evaluated, 7 * 27);
        assert_eq!(d.violations, 0);
        assert!(d
            .points
            .iter()
            .any(|p| p.soft_jaccard == "3/5" || p.x > p.y));
        // The vertices: p = y gives (0, 0); p = 1 − y gives (1, 1).
        assert!(d
            .points
            .iter()
            .any(|p| p.soft_jaccard == "0" && p.lovasz == "0"));
        assert!(d
            .points
            .iter()
            .any(|p| p.soft_jaccard == "1" && p.lovasz == "1"));
    }
}
