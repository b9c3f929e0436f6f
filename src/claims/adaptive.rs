//! Claim 5 of the theory: adaptive class weightings do not approximate Dice either,
//! and the search finds the refutations on its own.
//!
//! # The cross-entropy half
//!
//! A scheme's weighted Hamming loss H is what its weighted cross-entropy (wCE) costs
//! at the decision ŷ = [p > 1/2], up to the factor ln 2: wCE ≥ ln 2 · H
//! (`wce-hamming-transfer`). That inequality only moves the *sup* of wCE/Δ_D up; to
//! carry an unbounded spread over to wCE the *inf* must come down as well, and that
//! needs predictions whose wCE is nearly ln 2 · H. The near-equality family does it:
//! p = 1/2 at false negatives (cost exactly ln 2 each), p = 1/2 + ε at false
//! positives (cost −ln(1/2 − ε) ↓ ln 2) and p = y elsewhere (cost 0). The check
//! builds that family for every witness pair the search returned, evaluates wCE with
//! certified MPFR intervals ([`crate::surrogates::wce::wce`]) under the scheme's own
//! weights (read off the scheme's loss, so no weight formula is restated here), and
//! certifies both wCE < (ln 2 + 2ε/(1 − 2ε))·H and that the pair's wCE spread
//! exceeds the refuted K², shrinking ε until the interval decides.

use num_bigint::BigInt;
use num_traits::Zero;
use rug::Rational;
use serde_json::{json, Value as Json};

use super::tally::Tally;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::convert::big_to_rug;
use crate::exact::interval::{decide, ln2, Interval, Precision};
use crate::exact::{format_q, Q};
use crate::measures::parse_measure;
use crate::search::{Bound, Found, Loss, LossValue, Search};
use crate::surrogates::wce::{wce, Group, SoftConfig};

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim {
        name: "adaptive-weights-fail",
        statement: "per-image class-balanced, generalized-Dice (1/|y|²), inverse square-root \
                    frequency and median-frequency weightings of Hamming (hence of weighted \
                    cross-entropy at the decision) have unbounded spread against Dice: the seeded \
                    search, not told any family, refutes every factor claim K ∈ {2, 10, 100} with \
                    K² ≤ n/4 (n the largest image size) by exactly verified, shrunk witnesses, and \
                    the best spread grows with the image size; the same holds for the schemes' \
                    weighted cross-entropy, because on the near-equality family (p = 1/2 at false \
                    negatives, p = 1/2 + ε at false positives, p = y elsewhere) wCE < \
                    (ln 2 + 2ε/(1 − 2ε))·H, so every witness pair also refutes K for wCE \
                    (certified intervals)",
        expected: Status::HoldsOnSample,
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
    .run(&crate::progress::Progress::none())
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
    let mut tally = Tally::new(format!(
        "{} schemes, factors K ∈ {{{}}}, images of 1..={n} voxels",
        SCHEMES.len(),
        factors
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut details = Vec::new();
    let mut per_scheme = serde_json::Map::new();
    let mut evaluations = 0u64;
    let mut wce_pairs = 0u64;
    let mut wce_min_spread = f64::INFINITY;
    let mut wce_eps_max = 0u32;
    let mut growth_evaluations = 0u64;
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
                tally.statement_once(
                    "the search refutes factor K (witnesses verified exactly)",
                    "searches",
                    f.found,
                );
                evaluations += f.evaluations;
                // The cross-entropy half: the same pair, as soft predictions.
                if f.found {
                    let pair = wce_pair(scheme, &f.witnesses, k)?;
                    tally.cross_check_once(
                        "the near-equality family certifies the pair for weighted \
                         cross-entropy (wCE < (ln 2 + 2ε/(1 − 2ε))·H, spread > K²)",
                        "witness pairs",
                        pair.is_some(),
                    );
                    match pair {
                        Some(r) => {
                            wce_pairs += 1;
                            wce_min_spread = wce_min_spread.min(r.spread_lo / (k * k) as f64);
                            wce_eps_max = wce_eps_max.max(r.eps_exponent);
                        }
                        None => {
                            details.push(format!(
                                "{scheme}, K = {k}{}: the near-equality family did NOT \
                                 certify the pair for weighted cross-entropy",
                                if nonempty {
                                    ", nonempty ground truth"
                                } else {
                                    ""
                                }
                            ));
                        }
                    }
                }
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
            growth_evaluations += f.evaluations;
            done += 1;
            progress.tick(done, total);
            curve.push((s as f64, f.best_spread_f64));
        }
        let exponent = crate::search::growth_exponent(&curve);
        let increasing = curve.windows(2).all(|w| w[1].1 > w[0].1);
        tally.cross_check_once(
            "best spread increases with n, fitted exponent ≥ 1/2",
            "schemes",
            increasing && exponent.is_some_and(|e| e >= 0.5),
        );
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
    tally.cross_check_once(
        "control: jaccard vs dice stays below spread 2 (proved)",
        "searches",
        control.best_spread_f64 < 2.0,
    );
    let searched = SCHEMES.len() * factors.len() * 2;
    details.insert(0, tally.summary());
    details.push(format!(
        "control jaccard vs dice: best spread found {}",
        control.best_spread
    ));
    details.push(format!(
        "weighted cross-entropy: {wce_pairs} of {searched} searches gave a witness pair \
         certified on the near-equality family (p = 1/2 at FN, 1/2 + ε at FP, y elsewhere; \
         ε ≥ 10^-{wce_eps_max}); smallest certified spread/K² {wce_min_spread:.4}"
    ));
    let sizes_text = sizes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let parts = vec![
        Part {
            what: format!(
                "the seeded search refutes every factor K ∈ {{{}}} for each of the {} schemes \
                 ({searched} searches, images of 1..={n} voxels, nonempty ground truth or not); \
                 witnesses verified exactly (certified intervals for the square-root scheme)",
                factors
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                SCHEMES.len()
            ),
            scope: Scope::Sampled {
                points: evaluations,
                generator: "search over confusion counts (TP, FP, FN, TN), SplitMix64 streams \
                            (crate::rng, rand_xoshiro), 2^20 evaluations at most per search"
                    .into(),
                seed: 1,
            },
        },
        Part {
            what: format!(
                "best spread on exactly n = {sizes_text} voxels increases with n, fitted \
                 exponent ≥ 1/2 for every scheme"
            ),
            scope: Scope::Sampled {
                points: growth_evaluations,
                generator: "search over confusion counts on exactly n voxels, SplitMix64 \
                            streams (crate::rng, rand_xoshiro)"
                    .into(),
                seed: 1,
            },
        },
        Part {
            what: "weighted cross-entropy: for every witness pair, wCE < (ln 2 + 2ε/(1 − 2ε))·H \
                   and wCE spread > K² (certified MPFR intervals)"
                .into(),
            scope: Scope::Family {
                family: format!(
                    "the near-equality predictions of the {wce_pairs} witness pairs: p = 1/2 at \
                     FN, p = 1/2 + ε at FP, p = y elsewhere, ε = 10^-3, 10^-6, … until decided"
                ),
            },
        },
        Part {
            what: "control: jaccard vs dice never reaches spread 2".into(),
            scope: Scope::Sampled {
                points: control.evaluations,
                generator:
                    "search over confusion counts, SplitMix64 streams (crate::rng, rand_xoshiro)"
                        .into(),
                seed: 1,
            },
        },
    ];
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
    details.push(format!(
        "class-balanced weighting refuted at K = {kmax} by images of n = {balanced_n}"
    ));
    Ok(Outcome {
        parts,
        status: Status::refuted_if(tally.refuted()),
        n,
        constant: None,
        witness: Some(Json::Object(per_scheme)),
        consistent: tally.consistent(),
        details,
    })
}

/// Precision schedule of the certified wCE comparisons.
const PREC: Precision = Precision {
    start: 64,
    max: 4096,
};

fn qi(v: u64) -> Q {
    Q::from_integer(BigInt::from(v))
}

/// ε = 10^-j for the near-equality family, j = 3, 6, 9, 12: the first one whose
/// intervals decide is used.
const EPS_EXPONENTS: [u32; 4] = [3, 6, 9, 12];

/// The per-voxel weights (w_fg, w_bg) a scheme gives the image of `c`, read off the
/// scheme's own loss: for a fixed image the loss is Σ_i w_{y_i}·[ŷ_i ≠ y_i], so one
/// false negative (one false positive) on that image costs exactly w_fg (w_bg). A
/// class the image does not have gets weight 0 (it has no voxel to weigh).
pub(super) fn scheme_weights(loss: &Loss, c: &Counts, prec: u32) -> Result<(Interval, Interval)> {
    let (a, b) = (c.gt_size(), c.fp + c.tn);
    let zero = Interval::from_int(0, prec);
    let wf = if a > 0 {
        loss.value(&Counts::new(a - 1, 0, 1, b)?, prec)?
            .interval(prec)
    } else {
        zero.clone()
    };
    let wb = if b > 0 {
        loss.value(&Counts::new(a, 1, 0, b - 1)?, prec)?
            .interval(prec)
    } else {
        zero
    };
    Ok((wf, wb))
}

/// The near-equality prediction for the confusion counts `c`: p = 1 at true
/// positives, 1/2 at false negatives, 1/2 + ε at false positives, 0 at true
/// negatives. Its decision [p > 1/2] has exactly the counts `c`.
pub(super) fn near_equality(c: &Counts, eps: &Q) -> Result<SoftConfig> {
    let half = Q::new(BigInt::from(1), BigInt::from(2));
    SoftConfig::new(vec![
        Group::new(c.tp, true, Q::from_integer(1.into())),
        Group::new(c.fn_, true, half.clone()),
        Group::new(c.fp, false, half + eps),
        Group::new(c.tn, false, Q::zero()),
    ])
}

/// The scheme-weighted cross-entropy Σ_i w_{y_i}·(−ln p_{y_i}) of `cfg`, certified:
/// n·(w_fg·wCE_{w=1} + w_bg·wCE_{w=0}) with the crate's fixed-weight wCE, which
/// averages the foreground (w = 1) or background (w = 0) terms over n.
pub(super) fn scheme_wce(
    cfg: &SoftConfig,
    wf: &Interval,
    wb: &Interval,
    prec: u32,
) -> Result<Interval> {
    let one = Q::from_integer(1.into());
    let fg = wce(cfg, &one, prec)?;
    let bg = wce(cfg, &Q::zero(), prec)?;
    let n = Interval::from_big(&qi(cfg.n()), prec);
    Ok(n.mul(&wf.mul(&fg).add(&wb.mul(&bg))))
}

/// The scheme's H at `c` as an interval, with a differential check: H computed from
/// the per-voxel weights must contain (or equal) the scheme's own value.
fn hamming(loss: &Loss, c: &Counts, prec: u32) -> Result<(Interval, bool)> {
    let (wf, wb) = scheme_weights(loss, c, prec)?;
    let h = wf
        .mul(&Interval::from_big(&qi(c.fn_), prec))
        .add(&wb.mul(&Interval::from_big(&qi(c.fp), prec)));
    let agrees = match loss.value(c, prec)? {
        LossValue::Exact(q) => h.contains_rational(&big_to_rug(&q)),
        // Overlapping (or equal point) intervals: neither certainly below the other.
        LossValue::Interval(i) => !matches!(
            h.cmp_interval(&i),
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Greater)
        ),
    };
    Ok((h, agrees))
}

/// What the cross-entropy half found for one witness pair.
struct WcePair {
    /// The ε = 10^-j that decided.
    eps_exponent: u32,
    /// A certified lower bound of the pair's wCE spread (f64, rounded down).
    spread_lo: f64,
}

/// Certifies, for the witness pair `pair` of `scheme` refuting factor `k`, that the
/// near-equality family gives wCE < (ln 2 + 2ε/(1 − 2ε))·H at both configurations and
/// a wCE spread (max/min of wCE/Δ_D) above k². `Ok(None)` when no ε in
/// [`EPS_EXPONENTS`] decides (the check then counts as inconsistent).
fn wce_pair(scheme: &str, pair: &[crate::search::Witness], k: u64) -> Result<Option<WcePair>> {
    let loss = Loss::parse(scheme)?;
    let [w1, w2] = pair else {
        return Err(Error::invalid(format!(
            "{scheme}: a factor refutation needs a witness pair, got {} configuration(s)",
            pair.len()
        )));
    };
    let k2 = Rational::from(k * k);
    for &j in &EPS_EXPONENTS {
        let eps = Q::new(BigInt::from(1), BigInt::from(10u64.pow(j)));
        let slack = Q::from_integer(2.into()) * &eps / (Q::from_integer(1.into()) - qi(2) * &eps);
        let cfgs = [
            near_equality(&w1.counts, &eps)?,
            near_equality(&w2.counts, &eps)?,
        ];
        // Every configuration: wCE − (ln 2 + slack)·H < 0, and H agrees with the scheme.
        let mut upper_ok = true;
        for (w, cfg) in [w1, w2].iter().zip(&cfgs) {
            if cfg.decision_counts() != w.counts {
                return Ok(None);
            }
            let (_, agrees) = hamming(&loss, &w.counts, 128)?;
            if !agrees {
                return Ok(None);
            }
            let r = decide(
                |prec| {
                    let (wf, wb) = scheme_weights(&loss, &w.counts, prec)?;
                    let (h, _) = hamming(&loss, &w.counts, prec)?;
                    let bound = ln2(prec).add(&Interval::from_big(&slack, prec)).mul(&h);
                    Ok(scheme_wce(cfg, &wf, &wb, prec)?.sub(&bound))
                },
                &Rational::new(),
                PREC,
            );
            upper_ok &= matches!(r, Ok((std::cmp::Ordering::Less, _)));
        }
        if !upper_ok {
            continue;
        }
        // The pair's wCE spread, oriented by the Hamming ratios.
        let ratio = |i: usize, prec: u32| -> Result<Interval> {
            let w = [w1, w2][i];
            let (wf, wb) = scheme_weights(&loss, &w.counts, prec)?;
            let v = scheme_wce(&cfgs[i], &wf, &wb, prec)?;
            v.div(&Interval::from_big(&w.target, prec))
        };
        let h1 = w1.candidate.interval(128).midpoint_f64() / crate::exact::q_to_f64(&w1.target);
        let h2 = w2.candidate.interval(128).midpoint_f64() / crate::exact::q_to_f64(&w2.target);
        let (hi, lo) = if h1 >= h2 { (0, 1) } else { (1, 0) };
        let spread = |prec: u32| -> Result<Interval> { ratio(hi, prec)?.div(&ratio(lo, prec)?) };
        if let Ok((std::cmp::Ordering::Greater, _)) = decide(spread, &k2, PREC) {
            let spread_lo = spread(PREC.start)?.to_f64_bounds().0;
            return Ok(Some(WcePair {
                eps_exponent: j,
                spread_lo,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RATIONAL_SCHEMES: [&str; 4] = [
        "whamming:balanced",
        "whamming:gdice",
        "whamming:medfreq,fg=1/100,bg=99/100",
        "whamming:w=1/2",
    ];

    fn witness(scheme: &str, c: Counts) -> crate::search::Witness {
        let dice = parse_measure("dice").unwrap();
        crate::search::Witness {
            counts: c,
            target: dice
                .loss(&c, crate::measures::EmptyPolicy::One)
                .unwrap()
                .exact()
                .cloned()
                .unwrap(),
            candidate: Loss::parse(scheme).unwrap().value(&c, 128).unwrap(),
        }
    }

    proptest! {
        #[test]
        fn near_equality_has_the_counts_it_was_built_from(
            tp in 0u64..50, fp in 0u64..50, fn_ in 0u64..50, tn in 0u64..50, j in 1u32..9
        ) {
            let c = Counts::new(tp, fp, fn_, tn).unwrap();
            prop_assume!(c.n() > 0);
            let eps = Q::new(1.into(), BigInt::from(10u64.pow(j)));
            prop_assert_eq!(near_equality(&c, &eps).unwrap().decision_counts(), c);
        }

        #[test]
        fn per_voxel_weights_sum_to_the_scheme_loss(
            tp in 0u64..30, fp in 0u64..30, fn_ in 0u64..30, tn in 0u64..30, s in 0usize..5
        ) {
            let c = Counts::new(tp, fp, fn_, tn).unwrap();
            prop_assume!(c.n() > 0);
            let loss = Loss::parse(SCHEMES[s]).unwrap();
            let (_, agrees) = hamming(&loss, &c, 128).unwrap();
            prop_assert!(agrees);
        }
    }

    #[test]
    fn the_false_positive_pair_is_certified_for_every_scheme() {
        // (1,1,0,0) against (1,1,0,t): H/Δ_D spread t + 1 (balanced), (t+1)(t+2)/2
        // (gdice), > t/2 (sqrt); medfreq and w = 1/2 need an FN/FP mix, tested below.
        for (scheme, t, k) in [
            ("whamming:balanced", 120u64, 10u64),
            ("whamming:gdice", 20, 10),
            ("whamming:sqrt", 300, 10),
        ] {
            let pair = [
                witness(scheme, Counts::new(1, 1, 0, 0).unwrap()),
                witness(scheme, Counts::new(1, 1, 0, t).unwrap()),
            ];
            let r = wce_pair(scheme, &pair, k).unwrap().expect(scheme);
            assert!(r.spread_lo > (k * k) as f64, "{scheme}: {}", r.spread_lo);
        }
        for scheme in RATIONAL_SCHEMES.iter().skip(2) {
            // A missed voxel alone, against the same miss in an image of 201 voxels
            // (spread 201 for fixed weights).
            let pair = [
                witness(scheme, Counts::new(0, 0, 1, 0).unwrap()),
                witness(scheme, Counts::new(0, 0, 1, 200).unwrap()),
            ];
            assert!(wce_pair(scheme, &pair, 10).unwrap().is_some(), "{scheme}");
        }
    }

    #[test]
    fn a_pair_below_the_factor_is_not_certified() {
        // Spread t + 1 = 11 < K² = 100: the wCE spread equals it, so no ε decides.
        let scheme = "whamming:balanced";
        let pair = [
            witness(scheme, Counts::new(1, 1, 0, 0).unwrap()),
            witness(scheme, Counts::new(1, 1, 0, 10).unwrap()),
        ];
        assert!(wce_pair(scheme, &pair, 10).unwrap().is_none());
    }

    #[test]
    fn scheme_wce_is_n_times_the_fixed_weight_wce_for_the_fixed_scheme() {
        // whamming:w=1/2 has weights (1/(2n), 1/(2n)), so its wCE is wce(cfg, 1/2).
        let c = Counts::new(3, 2, 4, 5).unwrap();
        let eps = Q::new(1.into(), 1000.into());
        let cfg = near_equality(&c, &eps).unwrap();
        let loss = Loss::parse("whamming:w=1/2").unwrap();
        let (wf, wb) = scheme_weights(&loss, &c, 200).unwrap();
        let ours = scheme_wce(&cfg, &wf, &wb, 200).unwrap();
        let direct = wce(&cfg, &Q::new(1.into(), 2.into()), 200).unwrap();
        assert!(!matches!(
            ours.cmp_interval(&direct),
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Greater)
        ));
        assert!(ours.width() < 1e-40);
    }
}
