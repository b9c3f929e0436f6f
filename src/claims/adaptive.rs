//! Claim 5 of the theory: adaptive class weightings do not approximate Dice either,
//! and the search finds the refutations on its own.

use serde_json::{json, Value as Json};

use super::{Claim, Outcome, Progress, Status};
use crate::error::Result;
use crate::exact::{format_q, Q};
use crate::measures::parse_measure;
use crate::search::{Bound, Found, Loss, Search};

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim {
        name: "adaptive-weights-fail",
        statement: "per-image class-balanced, generalized-Dice (1/|y|²), inverse square-root \
                    frequency and median-frequency weightings of Hamming (hence of weighted \
                    cross-entropy at the decision) have unbounded spread against Dice: the seeded \
                    search, not told any family, refutes every factor claim K ∈ {2, 10, 100} with \
                    K² ≤ n/4 (n the largest image size) by exactly verified, shrunk witnesses, and \
                    the best spread grows with the image size",
        expected: Status::Holds,
        quick_n: 1000,
        default_n: 1_000_000,
        max_n: 10_000_000,
        check,
    }]
}

/// The schemes under test, with the fixed-weight control.
const SCHEMES: [&str; 5] = [
    "whamming:balanced",
    "whamming:gdice",
    "whamming:sqrt",
    "whamming:medfreq,fg=1/100,bg=99/100",
    "whamming:w=1/2",
];

fn search(
    candidate: &str,
    bound: Bound,
    min_n: u64,
    max_n: u64,
    nonempty_gt: bool,
) -> Result<Found> {
    Search {
        target: parse_measure("dice")?,
        candidate: Loss::parse(candidate)?,
        bound,
        min_n,
        max_n,
        seed: 1,
        budget_s: 30.0,
        max_evals: 1 << 20,
        nonempty_gt,
    }
    .run(&|_, _| {})
}

fn witnesses(f: &Found) -> Json {
    Json::Array(
        f.witnesses
            .iter()
            .map(|w| {
                json!({"n": w.counts.n(), "tp": w.counts.tp, "fp": w.counts.fp, "fn": w.counts.fn_,
                       "tn": w.counts.tn, "target": format_q(&w.target),
                       "candidate": w.candidate.render()})
            })
            .collect(),
    )
}

fn check(n: u64, progress: &Progress) -> Result<Outcome> {
    if n < 16 {
        return Err(crate::error::Error::invalid(
            "adaptive-weights-fail needs images of at least 16 voxels (--n 16)",
        ));
    }
    // Only claims the size allows refuting: a spread above K² needs images of order K².
    let factors: Vec<u64> = [2u64, 10, 100]
        .into_iter()
        .filter(|k| k * k * 4 <= n)
        .collect();
    let mut sizes: Vec<u64> = (1..=6).map(|k| 10u64.pow(k)).filter(|&s| s <= n).collect();
    if sizes.len() < 2 {
        sizes = vec![n / 4, n];
    }
    let total = (SCHEMES.len() * (factors.len() + sizes.len())) as u64;
    let mut done = 0;
    let mut all_found = true;
    let mut consistent = true;
    let mut details = Vec::new();
    let mut per_scheme = serde_json::Map::new();
    for scheme in SCHEMES {
        let mut entry = serde_json::Map::new();
        for &k in &factors {
            // Once over all images, once over images with a nonempty ground truth (so
            // no witness relies on an empty object).
            for nonempty in [false, true] {
                let f = search(
                    scheme,
                    Bound::Factor(Q::from_integer(k.into())),
                    1,
                    n,
                    nonempty,
                )?;
                all_found &= f.found;
                let ws: Vec<String> = f
                    .witnesses
                    .iter()
                    .map(|w| {
                        let c = w.counts;
                        format!("({},{},{},{})", c.tp, c.fp, c.fn_, c.tn)
                    })
                    .collect();
                details.push(format!(
                    "{scheme}, K = {k}{}: {} after {} evaluations; witnesses (TP,FP,FN,TN) {} \
                     with spread {}",
                    if nonempty {
                        ", nonempty ground truth"
                    } else {
                        ""
                    },
                    if f.found { "refuted" } else { "NOT refuted" },
                    f.evaluations,
                    ws.join(" and "),
                    f.best_spread
                ));
                let key = if nonempty {
                    format!("K={k},nonempty_gt")
                } else {
                    format!("K={k}")
                };
                entry.insert(key, witnesses(&f));
            }
            done += 1;
            progress.tick(done, total);
        }
        // Growth: best spread on exactly n voxels, per decade.
        let mut curve = Vec::new();
        for &s in &sizes {
            let f = search(scheme, Bound::None, s, s, false)?;
            done += 1;
            progress.tick(done, total);
            curve.push((s as f64, f.best_spread_f64));
        }
        let exponent = crate::search::growth_exponent(&curve);
        let increasing = curve.windows(2).all(|w| w[1].1 > w[0].1);
        if !increasing || exponent.is_none_or(|e| e < 0.5) {
            consistent = false;
        }
        details.push(format!(
            "{scheme}: best spread on n = {} is {} (fitted exponent {})",
            sizes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            curve
                .iter()
                .map(|(_, v)| format!("{v:.3e}"))
                .collect::<Vec<_>>()
                .join(", "),
            exponent.map_or("undefined".into(), |e| format!("{e:.2}"))
        ));
        per_scheme.insert(scheme.to_string(), Json::Object(entry));
    }
    // Control: a bounded pair never reaches spread 2 whatever the size.
    let control = search("jaccard", Bound::None, 1, n, false)?;
    if control.best_spread_f64 >= 2.0 {
        consistent = false;
    }
    details.push(format!(
        "control jaccard vs dice: best spread found {} < 2, as proved",
        control.best_spread
    ));
    let kmax = factors.last().copied().unwrap_or(0);
    let balanced_n = per_scheme
        .get("whamming:balanced")
        .and_then(|e| e.get(format!("K={kmax}").as_str()))
        .and_then(|w| w.as_array())
        .map(|w| {
            w.iter()
                .map(|x| x["n"].to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .unwrap_or_default();
    Ok(Outcome {
        parts: Vec::new(),
        status: if all_found {
            Status::Holds
        } else {
            Status::Refuted
        },
        n,
        constant: Some(format!(
            "class-balanced refuted at K = {kmax} by images of n = {balanced_n}"
        )),
        witness: Some(Json::Object(per_scheme)),
        consistent,
        details,
    })
}
