//! Structural claims (theory claims 8 and 9): submodularity of the Jaccard and Dice
//! set losses, and the metric axioms for the Jaccard and Dice distances on sets and
//! for the soft-label JML and DML on the cube. Exhaustive over every subset pair or
//! triple up to the size, and over every triple of grid points.

use serde_json::{json, Value as Json};

use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::error::{Error, Result};
use crate::exact::Q;
use crate::measures::parse_measure;
use crate::properties::{self, Verdict};
use crate::surrogates::soft::parse_soft;

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim {
            name: "jaccard-submodular",
            statement: "for every ground truth y the Jaccard loss of the error set, \
                        Δ_J(M) = |M|/|y ∪ M|, is submodular: Δ(A) + Δ(B) ≥ Δ(A∪B) + Δ(A∩B)",
            expected: Status::Holds,
            quick_n: 4,
            default_n: 6,
            max_n: 8,
            check: |n, p| submodular("jaccard", n, p),
        },
        Claim {
            name: "dice-submodular",
            statement: "the Dice loss of the error set, Δ_D(M) = |M|/(2|y| − 2|M∩y| + |M|), is \
                        not submodular: a ground truth and two error sets violate \
                        Δ(A) + Δ(B) ≥ Δ(A∪B) + Δ(A∩B)",
            expected: Status::Refuted,
            quick_n: 4,
            default_n: 6,
            max_n: 8,
            check: |n, p| submodular("dice", n, p),
        },
        Claim {
            name: "jaccard-metric",
            statement: "the Jaccard distance 1 − |A∩B|/|A∪B| is a metric on the subsets of n \
                        voxels (identity, symmetry, triangle inequality over all triples)",
            expected: Status::Holds,
            quick_n: 4,
            default_n: 6,
            max_n: 8,
            check: |n, p| set_metric("jaccard", n, p),
        },
        Claim {
            name: "dice-not-metric",
            statement: "the Dice distance 1 − 2|A∩B|/(|A|+|B|) violates the triangle inequality, \
                        e.g. A={1}, B={1,2}, C={2}: 1 > 1/3 + 1/3",
            expected: Status::Refuted,
            quick_n: 4,
            default_n: 6,
            max_n: 8,
            check: |n, p| set_metric("dice", n, p),
        },
        Claim {
            name: "jml-metric",
            statement:
                "the Jaccard metric loss JML(p, y) = 1 − Σmin(p,y)/Σmax(p,y) is a metric on \
                        [0,1]ⁿ (checked on every triple of grid points)",
            expected: Status::HoldsOnGrid,
            quick_n: 2,
            default_n: 2,
            max_n: 3,
            check: |n, p| soft_metric("jml", n, p),
        },
        Claim {
            name: "dml-semimetric",
            statement: "the Dice semimetric loss DML(p, y) = ‖p−y‖₁/(‖p‖₁+‖y‖₁) is zero iff p = y \
                        and symmetric but violates the triangle inequality on [0,1]ⁿ",
            expected: Status::Refuted,
            quick_n: 2,
            default_n: 2,
            max_n: 3,
            check: |n, p| soft_metric("dml", n, p),
        },
    ]
}

/// Runs a set check at every size k = 1..=n (n must lie in 1..=8; `what` begins
/// the error message, as in "submodularity is"), ticking `progress`; returns the first refutation as
/// (k, witness, detail), or `None` when every size held.
fn first_refuted_size(
    n: u64,
    what: &str,
    progress: &Progress,
    check: impl Fn(u32) -> Result<Verdict>,
) -> Result<Option<(u32, Json, String)>> {
    let n32 = u32::try_from(n)
        .ok()
        .filter(|&k| (1..=8).contains(&k))
        .ok_or_else(|| Error::invalid(format!("{what} checked for 1 <= n <= 8")))?;
    for k in 1..=n32 {
        let v = check(k)?;
        progress.tick(k as u64, n);
        if let Verdict::Refuted { witness, detail } = v {
            return Ok(Some((k, witness, detail)));
        }
    }
    Ok(None)
}

fn submodular(spec: &str, n: u64, progress: &Progress) -> Result<Outcome> {
    let m = parse_measure(spec)?;
    let found = first_refuted_size(n, "submodularity is", progress, |k| {
        properties::submodular_error_sets(&m, k)
    })?;
    if let Some((k, witness, detail)) = found {
        let part = Part::new(
            "Δ(A) + Δ(B) ≥ Δ(A∪B) + Δ(A∩B), stopping at the first violation",
            Scope::exhaustive(format!(
                "every ground truth y and every pair of error sets A, B on n = 1..={k} voxels"
            )),
        );
        return Ok(refuted(k as u64, "size", witness, detail, true).with_parts(vec![part]));
    }
    let over =
        format!("every ground truth y and every pair of error sets A, B on n = 1..={n} voxels");
    Ok(holds(n, over.clone()).with_parts(vec![Part::new(
        "Δ(A) + Δ(B) ≥ Δ(A∪B) + Δ(A∩B)",
        Scope::exhaustive(over),
    )]))
}

/// The outcome of a check refuted first at size `k` (`unit` names the size).
fn refuted(k: u64, unit: &str, witness: Json, detail: String, consistent: bool) -> Outcome {
    let details = vec![format!("smallest {unit} with a violation: n = {k}"), detail];
    Outcome {
        consistent,
        ..Outcome::plain(Status::Refuted, k, Some(witness), details)
    }
}

/// The outcome of a check that held up to size `n`.
fn holds(n: u64, detail: String) -> Outcome {
    Outcome::plain(Status::Holds, n, None, vec![detail])
}

/// The metric claims are about the triangle inequality: a refutation by identity or
/// symmetry would contradict their statements.
fn by_triangle(witness: &Json) -> bool {
    witness["axiom"]
        .as_str()
        .is_some_and(|a| a.starts_with("triangle"))
}

fn set_metric(spec: &str, n: u64, progress: &Progress) -> Result<Outcome> {
    let m = parse_measure(spec)?;
    let found = first_refuted_size(n, "metric axioms on sets are", progress, |k| {
        properties::metric_axioms_sets(k, properties::set_distance(&m, k))
    })?;
    if let Some((k, witness, detail)) = found {
        let triangle = by_triangle(&witness);
        let part = Part::new(
            "identity, symmetry and the triangle inequality, stopping at the first violation",
            Scope::exhaustive(format!("every triple of subsets of n = 1..={k} voxels")),
        );
        return Ok(refuted(k as u64, "size", witness, detail, triangle).with_parts(vec![part]));
    }
    let part = Part::new(
        "identity, symmetry and the triangle inequality",
        Scope::exhaustive(format!("every triple of subsets of n = 1..={n} voxels")),
    );
    Ok(holds(
        n,
        format!(
            "identity, symmetry and the triangle inequality over every triple of subsets of \
             n = 1..={n} voxels ({} triples at n = {n})",
            1u64 << (3 * n)
        ),
    )
    .with_parts(vec![part]))
}

fn soft_metric(spec: &str, n: u64, progress: &Progress) -> Result<Outcome> {
    let loss = parse_soft(spec)?;
    let dim = usize::try_from(n)
        .ok()
        .filter(|&k| (1..=3).contains(&k))
        .ok_or_else(|| Error::invalid("soft metric axioms are checked for 1 <= n <= 3"))?;
    let d = |a: &[Q], b: &[Q]| -> Result<Q> { Ok(loss.loss(b, a)?.unwrap_or_default()) };
    let mut checked = 0u64;
    for k in 1..=dim {
        let res = if k == 1 {
            12
        } else if k == 2 {
            4
        } else {
            2
        };
        let points: Vec<Vec<Q>> = properties::grid(k, res).collect();
        let v = properties::metric_axioms_points(&points, d)?;
        progress.tick(k as u64, n);
        match v {
            Verdict::Holds { checked: c } => checked += c,
            Verdict::Refuted { witness, detail } => {
                let triangle = by_triangle(&witness);
                let grid = format!("{{0, 1/{res}, …, 1}}^{k}");
                let part = Part::new(
                    "identity, symmetry and the triangle inequality, stopping at the first violation",
                    Scope::grid(format!("every triple of points of {}", grids(k))),
                );
                let witness = json!({"witness": witness, "grid": grid});
                return Ok(refuted(k as u64, "dimension", witness, detail, triangle)
                    .with_parts(vec![part]));
            }
        }
    }
    let part = Part::new(
        "identity, symmetry and the triangle inequality",
        Scope::grid(format!("every triple of points of {}", grids(dim))),
    );
    Ok(holds(
        n,
        format!(
            "identity, symmetry and the triangle inequality over every triple of points of the grids \
             {{0, 1/12, …, 1}}, {{0, 1/4, …, 1}}² and {{0, 1/2, 1}}³ up to n = {n} ({checked} checks)"
        )
    )
    .with_parts(vec![part]))
}

/// The grids of the soft metric checks up to dimension `dim`.
fn grids(dim: usize) -> String {
    ["{0, 1/12, …, 1}", "{0, 1/4, …, 1}²", "{0, 1/2, 1}³"][..dim].join(", ")
}
