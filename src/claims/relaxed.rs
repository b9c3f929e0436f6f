//! Claims on the relaxed domain (theory §1 and claims 3 and 8): soft Dice and soft
//! Jaccard keep the factor-2 relation inside the cube, the Lovász extension of the
//! Jaccard loss is an exact, convex extension computed correctly by the fast
//! algorithm, and how far the Lovász extension and soft Jaccard drift apart.

use serde_json::json;

use super::{Claim, Outcome, Progress, Status};
use crate::enumerate::relaxed::{self, Domain};
use crate::error::{Error, Result};
use crate::exact::{decimal, format_q, Q};
use crate::properties::{self, Verdict};
use crate::surrogates::soft::{lovasz_extension_definition, lovasz_jaccard_fast, parse_soft};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim {
            name: "soft-dice-jaccard",
            statement:
                "on the whole relaxed domain (soft predictions and soft labels) SJ = \
                        2·SD/(1 + SD) exactly, hence SD ≤ SJ ≤ 2·SD, with inf SJ/SD = 1 and sup < 2",
            expected: Status::Holds,
            quick_n: 2,
            default_n: 3,
            max_n: 3,
            check: soft_dice_jaccard,
        },
        Claim {
            name: "lovasz-extension",
            statement:
                "the Lovász extension of the Jaccard loss equals Δ_J at every vertex of the \
                        cube, the O(n log n) sort-based algorithm equals the definition, and the \
                        extension is convex",
            expected: Status::Holds,
            quick_n: 4,
            default_n: 6,
            max_n: 6,
            check: lovasz_extension,
        },
        Claim {
            name: "lovasz-vs-soft-jaccard",
            statement:
                "inside the cube the Lovász extension L and soft Jaccard SJ differ although \
                        both extend Δ_J; L ≤ SJ everywhere (proved); the exact inf and sup of L/SJ \
                        and sup |L − SJ| on rational grids, with witnesses",
            expected: Status::Constant,
            quick_n: 2,
            default_n: 3,
            max_n: 4,
            check: lovasz_vs_soft_jaccard,
        },
    ]
}

fn q(n: u64, d: u64) -> Q {
    Q::new(n.into(), d.into())
}

fn soft_dice_jaccard(n: u64, progress: &Progress) -> Result<Outcome> {
    let sd = parse_soft("soft-dice")?;
    let sj = parse_soft("soft-jaccard")?;
    let n32 = u32::try_from(n).map_err(|_| Error::invalid("n too large"))?;
    let mut consistent = true;
    let mut violation = None;
    let mut details = Vec::new();
    let mut best = None;
    let domains = [
        (Domain::Grid { k: 4 }, true),
        (Domain::Grid { k: 6 }, false),
        (
            Domain::Random {
                m: 3000,
                den: 1000,
                seed: 1,
            },
            true,
        ),
    ];
    let total = domains.len() as u64 * n;
    for (di, (domain, soft)) in domains.iter().enumerate() {
        for m in 1..=n32 {
            let s = relaxed::run(&*sd, &*sj, m, *domain, *soft)?;
            let (lo, hi) = (s.min_ratio.clone(), s.max_ratio.clone());
            if s.unbounded.is_some()
                || lo.as_ref().is_some_and(|e| e.value < q(1, 1))
                || hi.as_ref().is_some_and(|e| e.value >= q(2, 1))
            {
                violation = s
                    .unbounded
                    .clone()
                    .or(hi.as_ref().map(|e| e.witness.clone()));
            }
            // On a grid {0, 1/k, …, 1}^m the extremes are known exactly: inf 1 and
            // sup (2mk − 1)/(mk) (proofs/soft-dice-jaccard.md).
            if let Domain::Grid { k } = domain {
                let mk = m as u64 * k;
                if lo.as_ref().is_none_or(|e| e.value != q(1, 1))
                    || hi.as_ref().is_none_or(|e| e.value != q(2 * mk - 1, mk))
                {
                    consistent = false;
                    details.push(format!(
                        "grid k={k}, n={m}: extremes differ from [1, {}]",
                        format_q(&q(2 * mk - 1, mk))
                    ));
                }
            }
            // The identity at the extreme points, exactly.
            for e in s.min_ratio.iter().chain(s.max_ratio.iter()) {
                let d = sd.loss(&e.witness.y, &e.witness.p)?.unwrap_or_default();
                let j = sj.loss(&e.witness.y, &e.witness.p)?.unwrap_or_default();
                if j != q(2, 1) * &d / (q(1, 1) + &d) {
                    consistent = false;
                    details.push(format!("identity fails at {}", e.witness.short()));
                }
            }
            if let Some(e) = s.max_ratio {
                if best
                    .as_ref()
                    .is_none_or(|b: &crate::analysis::Extreme<_>| e.value > b.value)
                {
                    best = Some(e);
                }
            }
            progress.tick(di as u64 * n + m as u64, total);
        }
    }
    // The identity on every point of a small soft grid, not only at the extremes.
    let mut points = 0u64;
    for y in properties::grid(2, 4) {
        for p in properties::grid(2, 4) {
            let d = sd.loss(&y, &p)?;
            let j = sj.loss(&y, &p)?;
            points += 1;
            match (d, j) {
                (Some(d), Some(j)) if j != q(2, 1) * &d / (q(1, 1) + &d) => consistent = false,
                (Some(_), None) | (None, Some(_)) => consistent = false,
                _ => {}
            }
        }
    }
    let best = best.ok_or_else(|| Error::invalid("no point with SD > 0"))?;
    details.insert(
        0,
        format!(
            "n = 1..={n} on soft grids {{0, 1/4, …, 1}}ⁿ (labels and predictions), hard labels \
             with predictions on {{0, 1/6, …, 1}}ⁿ, and 3000 random rational points per n \
             (denominators ≤ 1000): SD ≤ SJ < 2·SD everywhere; on each grid inf SJ/SD = 1 and sup \
             = (2nk − 1)/(nk) exactly; identity exact at every extreme and at all {points} points \
             of the 2-voxel soft grid"
        ),
    );
    Ok(Outcome {
        parts: Vec::new(),
        status: if violation.is_some() {
            Status::Refuted
        } else {
            Status::Holds
        },
        n,
        constant: Some(format_q(&best.value)),
        witness: Some(violation.unwrap_or(best.witness).to_json()),
        consistent,
        details,
    })
}

fn lovasz_extension(n: u64, progress: &Progress) -> Result<Outcome> {
    let n32 = u32::try_from(n).map_err(|_| Error::invalid("n too large"))?;
    let jac = crate::measures::parse_measure("jaccard")?;
    let mut consistent = true;
    let mut refuted = None;
    let mut checks = 0u64;
    let mut details = Vec::new();
    for m in 1..=n32 {
        for y in 0..(1u64 << m) {
            let labels: Vec<bool> = (0..m).map(|i| y >> i & 1 == 1).collect();
            // Δ_J of an error set M (ŷ = y xor M), the set function being extended.
            let set_loss = |err: u64| -> Result<Q> {
                let c = crate::counts::Counts::from_bits(y, y ^ err, m);
                Ok(jac
                    .loss(&c, crate::measures::EmptyPolicy::One)?
                    .exact()
                    .cloned()
                    .unwrap_or_default())
            };
            let fast = |errors: &[Q]| -> Result<Q> { Ok(lovasz_jaccard_fast(&labels, errors)) };
            // 1. Equal to Δ_J at every vertex.
            match properties::extension(fast, set_loss, m)? {
                Verdict::Holds { checked } => checks += checked,
                Verdict::Refuted { witness, detail } => {
                    refuted = Some(
                        json!({"property": "extension", "y": labels_str(&labels), "witness": witness, "detail": detail}),
                    );
                }
            }
            // 2. Fast algorithm = definition, on a grid of error vectors.
            let k = if m <= 3 { 4 } else { 2 };
            for errors in properties::grid(m as usize, k) {
                let def = lovasz_extension_definition(
                    |set: &[bool]| {
                        let e = set
                            .iter()
                            .enumerate()
                            .fold(0u64, |a, (i, &b)| a | (b as u64) << i);
                        set_loss(e).unwrap_or_default()
                    },
                    &errors,
                );
                checks += 1;
                if def != lovasz_jaccard_fast(&labels, &errors) {
                    consistent = false;
                    details.push(format!(
                        "fast ≠ definition at y={} m={errors:?}",
                        labels_str(&labels)
                    ));
                }
            }
            // 3. Convex: exact midpoint and quarter-point checks on random segments.
            let segments = properties::random_segments(m as usize, 40, 12, y + 1);
            match properties::convex_midpoint(fast, &segments)? {
                Verdict::Holds { checked } => checks += checked,
                Verdict::Refuted { witness, detail } => {
                    refuted = Some(
                        json!({"property": "convexity", "y": labels_str(&labels), "witness": witness, "detail": detail}),
                    );
                }
            }
        }
        progress.tick(m as u64, n);
    }
    details.insert(
        0,
        format!(
            "every hard label vector y on n = 1..={n}: extension = Δ_J at all 2ⁿ vertices, fast \
             sort-based algorithm = definition on error grids, midpoint and quarter-point \
             convexity on 40 random segments per y; {checks} exact checks"
        ),
    );
    Ok(Outcome {
        parts: Vec::new(),
        status: if refuted.is_some() {
            Status::Refuted
        } else {
            Status::Holds
        },
        n,
        constant: None,
        witness: refuted,
        consistent,
        details,
    })
}

fn labels_str(l: &[bool]) -> String {
    l.iter().map(|&b| if b { '1' } else { '0' }).collect()
}

fn lovasz_vs_soft_jaccard(n: u64, progress: &Progress) -> Result<Outcome> {
    let sj = parse_soft("soft-jaccard")?;
    let lj = parse_soft("lovasz-jaccard")?;
    let n32 = u32::try_from(n).map_err(|_| Error::invalid("n too large"))?;
    let mut consistent = true;
    let mut details = Vec::new();
    let mut last = None;
    for m in 1..=n32 {
        let k = if m <= 2 { 12 } else { 6 };
        let s = relaxed::run(&*sj, &*lj, m, Domain::Grid { k }, false)?;
        let f = |e: &Option<crate::analysis::Extreme<relaxed::SoftPoint>>| {
            e.as_ref().map_or("-".to_string(), |e| {
                format!(
                    "{} ≈ {} at {}",
                    format_q(&e.value),
                    decimal(&e.value),
                    e.witness.short()
                )
            })
        };
        details.push(format!(
            "n = {m}, hard labels, p on {{0, 1/{k}, …, 1}}ⁿ: L/SJ ∈ [{}, {}]; sup |L − SJ| = {}",
            f(&s.min_ratio),
            if s.unbounded.is_some() {
                "inf".to_string()
            } else {
                f(&s.max_ratio)
            },
            f(&s.max_gap)
        ));
        // Proved: L ≤ SJ everywhere, so the ratio never exceeds 1.
        if s.unbounded.is_some() || s.max_ratio.as_ref().is_some_and(|e| e.value > q(1, 1)) {
            consistent = false;
            details.push(format!("n = {m}: L > SJ somewhere, against the proof"));
        }
        progress.tick(m as u64, n);
        last = Some(s);
    }
    let s = last.ok_or_else(|| Error::invalid("check needs n >= 1"))?;
    let gap = s
        .max_gap
        .clone()
        .ok_or_else(|| Error::invalid("no point"))?;
    Ok(Outcome {
        parts: Vec::new(),
        status: Status::Constant,
        n,
        constant: Some(format_q(&gap.value)),
        witness: Some(json!({
            "max_gap": gap.witness.to_json(),
            "min_ratio": s.min_ratio.as_ref().map(|e| json!({"value": format_q(&e.value), "at": e.witness.to_json()})),
            "max_ratio": s.max_ratio.as_ref().map(|e| json!({"value": format_q(&e.value), "at": e.witness.to_json()})),
        })),
        consistent,
        details,
    })
}
