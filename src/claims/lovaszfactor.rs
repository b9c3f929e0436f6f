//! A qualification of "all surrogates are equivalent up to a factor": inside the
//! cube the Lovász extension L of the Jaccard loss and soft Jaccard SJ differ by a
//! factor up to n (proofs/lovasz-soft-jaccard-factor.md).
//!
//! # Why a separate claim
//!
//! `lovasz-vs-soft-jaccard` reports the tight values of L/SJ and |L − SJ|. This claim
//! is about what they mean for the "equivalent up to a multiplicative factor"
//! reading: the hard losses (Δ_D, Δ_J) and the pair (SD, SJ) are within a factor 2 on
//! every input of every size, while L and SJ — two extensions of the *same* set
//! function Δ_J — are only within a factor n: 1 ≤ SJ/L < n for a nonempty ground
//! truth, with n approached, and no factor at all for an empty one. The check proves
//! nothing by sampling: it confirms on every grid point the sharper inequality the
//! proof rests on, L·|y ∪ supp m| ≥ SJ·(K + B), finds the exact grid supremum
//! nk/(n + k − 1) that inequality predicts, and follows the family that approaches n.

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde_json::json;

use super::schema::Constant;
use super::tally::Tally;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::error::{Error, Result};
use crate::exact::{decimal, format_q, Q};
use crate::properties;
use crate::search::rng::Rng;
use crate::surrogates::soft::{lovasz_jaccard_fast, parse_soft, SoftLoss};

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim {
        name: "lovasz-soft-jaccard-factor",
        statement: "equivalence up to a factor does not hold for every pair of relaxations: \
                    for hard labels with K = |y| ≥ 1 on n voxels, 1 ≤ SJ/L < n for the Lovász \
                    extension L and soft Jaccard SJ, with sup n approached (never attained for \
                    n ≥ 2), because L·|y ∪ supp m| ≥ SJ·(K + B) (B the false-positive mass); on \
                    the grid {0, 1/k, …, 1}ⁿ the sup is exactly nk/(n + k − 1); with y = ∅, \
                    SJ/L = 1/max m is unbounded. By contrast Δ_J/Δ_D and SJ/SD lie in [1, 2) on \
                    every n",
        expected: Status::HoldsOnSample,
        quick_n: 3,
        default_n: 4,
        max_n: 5,
        check,
    }]
}

fn q(n: u64, d: u64) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

/// What one point contributes: SJ/L (None when L = SJ = 0) and whether the proved
/// inequalities hold there.
struct PointResult {
    ratio: Option<Q>,
    ok: bool,
}

/// L ≤ SJ, and for K ≥ 1 the sharper L·N ≥ SJ·(K + B), N = |y ∪ supp m|.
fn point(sj: &dyn SoftLoss, y: &[bool], p: &[Q]) -> Result<PointResult> {
    let yq: Vec<Q> = y
        .iter()
        .map(|&b| if b { Q::one() } else { Q::zero() })
        .collect();
    let m: Vec<Q> = yq.iter().zip(p).map(|(a, b)| (a - b).abs()).collect();
    let l = lovasz_jaccard_fast(y, &m);
    let s = sj.loss(&yq, p)?.unwrap_or_default();
    let k = y.iter().filter(|&&b| b).count() as u64;
    let n_union = y.iter().zip(&m).filter(|(&b, v)| b || !v.is_zero()).count() as u64;
    let b: Q = y
        .iter()
        .zip(&m)
        .filter(|(&yb, _)| !yb)
        .map(|(_, v)| v.clone())
        .sum();
    let mut ok = l <= s;
    if k >= 1 {
        ok &= &l * q(n_union, 1) >= &s * (q(k, 1) + &b);
    }
    // Both are 0 exactly at p = y; L > 0 wherever SJ > 0.
    let ratio = if l.is_zero() {
        ok &= s.is_zero();
        None
    } else {
        Some(&s / &l)
    };
    Ok(PointResult { ratio, ok })
}

fn check(n: u64, progress: &Progress) -> Result<Outcome> {
    if !(1..=5).contains(&n) {
        return Err(Error::invalid(format!(
            "lovasz-soft-jaccard-factor enumerates grids on 1..=5 voxels (--n 1 to 5), got --n {n}"
        )));
    }
    let sj = parse_soft("soft-jaccard")?;
    let mut tally = Tally::new(format!(
        "every hard y and every p on {{0, 1/k, …, 1}}ⁿ for n = 1..={n} (k = 8, 8, 6, 4, 4), \
         seeded random rational points (n ≤ 8) and the family y = {{1}}, \
         p = (1 − ε, ε, …, ε)"
    ));
    let mut refuted = None;
    let mut details = Vec::new();
    let mut grids = Vec::new();
    for m in 1..=n as usize {
        let k = match m {
            1 | 2 => 8,
            3 => 6,
            _ => 4,
        };
        let mut sup_nonempty: Option<(Q, String)> = None;
        let mut sup_empty: Option<Q> = None;
        for bits in 0u64..(1 << m) {
            let y: Vec<bool> = (0..m).map(|i| bits >> i & 1 == 1).collect();
            for p in properties::grid(m, k) {
                let r = point(&*sj, &y, &p)?;
                if !tally.statement_once(
                    "L ≤ SJ and L·|y ∪ supp m| ≥ SJ·(K + B)",
                    "grid points",
                    r.ok,
                ) {
                    refuted.get_or_insert_with(|| {
                        json!({"y": y.iter().map(|&b| u8::from(b)).collect::<Vec<_>>(),
                               "p": p.iter().map(format_q).collect::<Vec<_>>()})
                    });
                }
                if let Some(v) = r.ratio {
                    if bits == 0 {
                        if sup_empty.as_ref().is_none_or(|s| v > *s) {
                            sup_empty = Some(v);
                        }
                    } else if sup_nonempty.as_ref().is_none_or(|(s, _)| v > *s) {
                        let at = format!(
                            "y=({}) p=({})",
                            y.iter()
                                .map(|&b| if b { "1" } else { "0" })
                                .collect::<Vec<_>>()
                                .join(","),
                            p.iter().map(format_q).collect::<Vec<_>>().join(",")
                        );
                        sup_nonempty = Some((v, at));
                    }
                }
            }
        }
        let (mm, kk) = (m as u64, k);
        let predicted = q(mm * kk, mm + kk - 1);
        let (sup, at) = sup_nonempty.unwrap_or((Q::zero(), String::new()));
        let exact = sup == predicted && sup_empty.as_ref() == Some(&q(kk, 1));
        let what = "grid sup SJ/L = nk/(n + k − 1) for y ≠ ∅ and k for y = ∅, exactly";
        if !tally.cross_check_once(what, "grids", exact) {
            details.push(format!(
                "n = {m}, k = {k}: grid sup {} (expected {}), empty-y sup {:?} (expected {k})",
                format_q(&sup),
                format_q(&predicted),
                sup_empty.as_ref().map(format_q)
            ));
        }
        grids.push(
            json!({"n": m, "k": k, "sup_sj_over_l": format_q(&sup), "at": at,
                          "sup_empty_y": sup_empty.as_ref().map(format_q)}),
        );
        progress.tick(m as u64, n + 2);
    }
    // Random rational points (hard labels, n up to 8).
    let mut rng = Rng::new(13, 1);
    let random_points = 2000u64;
    for _ in 0..random_points {
        let m = 1 + rng.upto(7) as usize;
        let y: Vec<bool> = (0..m).map(|_| rng.chance(0.5)).collect();
        let p: Vec<Q> = (0..m)
            .map(|_| {
                let d = 1 + rng.upto(999);
                q(rng.upto(d), d)
            })
            .collect();
        if !tally.statement_once(
            "L ≤ SJ and L·|y ∪ supp m| ≥ SJ·(K + B)",
            "random points",
            point(&*sj, &y, &p)?.ok,
        ) {
            refuted.get_or_insert_with(|| {
                json!({"y": y.iter().map(|&b| u8::from(b)).collect::<Vec<_>>(),
                       "p": p.iter().map(format_q).collect::<Vec<_>>()})
            });
        }
    }
    progress.tick(n + 1, n + 2);
    // The family y = {1}, p = (1 − ε, ε, …, ε): SJ/L = N/(1 + (N − 1)ε) → N.
    let mut family = Vec::new();
    for size in [10u64, 100, 1000] {
        for e in [1000u64, 1_000_000] {
            let eps = q(1, e);
            let y: Vec<bool> = (0..size).map(|i| i == 0).collect();
            let p: Vec<Q> = (0..size)
                .map(|i| if i == 0 { Q::one() - &eps } else { eps.clone() })
                .collect();
            let r = point(&*sj, &y, &p)?;
            let expected = q(size, 1) / (Q::one() + q(size - 1, 1) * &eps);
            let exact = r.ok && r.ratio.as_ref() == Some(&expected);
            if !tally.cross_check_once("family SJ/L = n/(1 + (n − 1)ε)", "family members", exact)
            {
                details.push(format!(
                    "family n = {size}, ε = 1/{e}: SJ/L ≠ n/(1 + (n − 1)ε)"
                ));
            }
            family.push(json!({"n": size, "eps": format_q(&eps),
                               "sj_over_l": r.ratio.as_ref().map(decimal)}));
        }
    }
    progress.tick(n + 2, n + 2);
    details.insert(
        0,
        format!(
            "{}; grid sups: {}",
            tally.summary(),
            grids
                .iter()
                .map(|g| format!(
                    "n = {}: {}",
                    g["n"],
                    g["sup_sj_over_l"].as_str().unwrap_or("")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    details.push(format!(
        "family y = {{1}}, p = (1 − ε, ε, …, ε): SJ/L = {} at n = 1000, ε = 10⁻⁶ — the factor \
         grows with the image; SD vs SJ stays below 2",
        family
            .last()
            .and_then(|f| f["sj_over_l"].as_str())
            .unwrap_or("")
    ));
    let parts = vec![
        Part {
            what: "L ≤ SJ and L·|y ∪ supp m| ≥ SJ·(K + B) at every point; grid sup of SJ/L \
                   (y ≠ ∅) = nk/(n + k − 1), and k for y = ∅"
                .into(),
            scope: Scope::Grid {
                grid: format!(
                    "every hard y ∈ {{0,1}}ⁿ and p ∈ {{0, 1/k, …, 1}}ⁿ, n = 1..={n}, k = 8 (n ≤ 2), \
                     6 (n = 3), 4 (n ≥ 4)"
                ),
            },
        },
        Part {
            what: "the same inequalities at random rational points".into(),
            scope: Scope::Sampled {
                points: random_points,
                generator: "SplitMix64 (crate::rng, rand_xoshiro) stream 1: n uniform in 1..=8, fair \
                            labels, p = a/d with d uniform in 1..=1000"
                    .into(),
                seed: 13,
            },
        },
        Part {
            what: "SJ/L = n/(1 + (n − 1)ε) → n".into(),
            scope: Scope::Family {
                family: "y = {1}, p = (1 − ε, ε, …, ε), n ∈ {10, 100, 1000}, ε ∈ {10⁻³, 10⁻⁶}"
                    .into(),
            },
        },
    ];
    // sup SJ/L = n, approached and not attained (the grid sups are in the
    // witness and the details).
    Ok(Outcome::tallied(
        &tally,
        n,
        Constant::Exact(q(n, 1)),
        refuted,
        || json!({"grids": grids, "family": family}),
        details,
    )
    .with_parts(parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_brief_example() {
        // y = (1, 0, 0), p = (1/2, 1/4, 0): SJ = 3/5, L = 1/2, SJ/L = 6/5.
        let sj = parse_soft("soft-jaccard").unwrap();
        let r = point(&*sj, &[true, false, false], &[q(1, 2), q(1, 4), q(0, 1)]).unwrap();
        assert!(r.ok);
        assert_eq!(r.ratio, Some(q(6, 5)));
    }

    #[test]
    fn empty_ground_truth_has_no_factor() {
        let sj = parse_soft("soft-jaccard").unwrap();
        let r = point(&*sj, &[false, false], &[q(1, 1000), q(0, 1)]).unwrap();
        assert_eq!(r.ratio, Some(q(1000, 1)));
    }

    proptest! {
        #[test]
        fn inequalities_hold_at_random_points(
            v in proptest::collection::vec((any::<bool>(), 0u64..=12), 1..7)
        ) {
            let sj = parse_soft("soft-jaccard").unwrap();
            let y: Vec<bool> = v.iter().map(|x| x.0).collect();
            let p: Vec<Q> = v.iter().map(|x| q(x.1, 12)).collect();
            let r = point(&*sj, &y, &p).unwrap();
            prop_assert!(r.ok);
            if y.iter().any(|&b| b) {
                if let Some(x) = r.ratio {
                    prop_assert!(x < q(y.len() as u64, 1) || y.len() == 1);
                }
            }
        }
    }

    #[test]
    fn check_holds_at_the_quick_size() {
        let out = check(3, &Progress::none()).unwrap();
        assert_eq!(out.status, Status::Holds);
        assert!(out.consistent, "{:?}", out.details);
    }
}
