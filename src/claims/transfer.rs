//! Risk transfer (theory section 2): if a·ℓ₁ ≤ ℓ₂ ≤ b·ℓ₁ pointwise, the minimiser
//! h₂ of the ℓ₂-risk has ℓ₁-risk at most (b/a) times the optimal ℓ₁-risk:
//! R₁(h₂) ≤ R₂(h₂)/a ≤ R₂(h₁)/a ≤ (b/a)·R₁(h₁). With Δ_D ≤ Δ_J ≤ 2Δ_D the factor
//! between Dice and Jaccard is 2, in both directions.
//!
//! The check makes the statement concrete on finite objects, exactly: every
//! distribution in a family over the 2ⁿ label vectors (independent Bernoulli
//! labels on a grid, and every two-point mixture of label vectors), and three
//! hypothesis classes (all 2ⁿ predictions, the n + 1 top-k sets by π or by
//! mixture marginal, and seeded random classes of four predictions). For each it
//! computes both risks of every hypothesis as exact rationals, takes every
//! minimiser of one risk and compares its other risk with the optimum. The
//! largest ratios seen are reported with their instances. Ties are explicit: when
//! several hypotheses minimise a risk, the worst of them is what the bound is
//! checked on (the theorem covers any minimiser), and the best is reported beside
//! it. The Hamming loss (the cross-entropy decision) is run through the same
//! machinery as an *observation*: the factor condition fails for it, but that
//! condition is sufficient, not necessary, so nothing is claimed about a Hamming
//! transfer bound; the worst tied, best tied and tie-free ratios are reported.

use num_traits::{One, Zero};
use serde_json::{json, Value as Json};

use super::schema::Constant;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::measures::{parse_measure, EmptyPolicy, Measure, Value};
use crate::search::rng::Rng;
use crate::Counts;

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim {
        name: "risk-transfer",
        statement:
            "since Δ_D ≤ Δ_J ≤ 2Δ_D pointwise, a minimiser of the expected Jaccard loss has \
                    expected Dice loss at most 2 × the optimum and vice versa, over any \
                    distribution and hypothesis class (checked exactly on every distribution of \
                    the family and three hypothesis classes on n voxels; the worst of tied \
                    minimisers is checked)",
        expected: Status::HoldsOnSample,
        quick_n: 3,
        default_n: 4,
        max_n: 6,
        check,
    }]
}

/// Seed of the random hypothesis classes.
const RANDOM_SEED: u64 = 7;

/// A distribution over label vectors: (mask, probability) pairs.
type Dist = Vec<(u32, Q)>;

fn bernoulli(probs: &[Q]) -> Dist {
    let n = probs.len();
    (0u32..(1 << n))
        .map(|y| {
            let mut p = Q::one();
            for (i, pi) in probs.iter().enumerate() {
                if y >> i & 1 == 1 {
                    p *= pi;
                } else {
                    p *= Q::one() - pi;
                }
            }
            (y, p)
        })
        .filter(|(_, p)| !p.is_zero())
        .collect()
}

fn counts(y: u32, h: u32, n: u32) -> Result<Counts> {
    let all = if n == 32 { u32::MAX } else { (1u32 << n) - 1 };
    Counts::new(
        (y & h).count_ones() as u64,
        (!y & h & all).count_ones() as u64,
        (y & !h & all).count_ones() as u64,
        (!y & !h & all).count_ones() as u64,
    )
}

fn risk(m: &Measure, dist: &Dist, h: u32, n: u32) -> Result<Q> {
    let mut r = Q::zero();
    for (y, p) in dist {
        match m.loss(&counts(*y, h, n)?, EmptyPolicy::One)? {
            Value::Exact(l) => r += p * l,
            Value::NaN => return Err(Error::invalid("NaN loss under policy one")),
        }
    }
    Ok(r)
}

/// The ratios R_target(h) / min R_target over the tied minimisers h of `by`:
/// (best, worst, number of tied minimisers). A ratio is 1 when the optimum is 0
/// and the minimiser attains it, and `None` (unbounded) when the minimiser has
/// positive risk while the optimum is 0.
fn transfer_ratios(target: &[Q], by: &[Q]) -> Option<(Option<Q>, Option<Q>, usize)> {
    let best_by = by.iter().min()?;
    let opt = target.iter().min()?;
    let tied: Vec<&Q> = by
        .iter()
        .zip(target)
        .filter(|(b, _)| *b == best_by)
        .map(|(_, t)| t)
        .collect();
    let ratio = |t: &Q| -> Option<Q> {
        if opt.is_zero() {
            t.is_zero().then(Q::one)
        } else {
            Some(t / opt)
        }
    };
    let best = ratio(tied.iter().min()?);
    let worst = ratio(tied.iter().max()?);
    Some((best, worst, tied.len()))
}

/// The worst ratio over the tied minimisers (what the transfer bound covers).
#[cfg(test)]
fn transfer_ratio(target: &[Q], by: &[Q]) -> Option<Q> {
    transfer_ratios(target, by)?.1
}

#[derive(Default)]
struct Worst {
    ratio: Option<(Q, Json)>,
    unbounded: Option<Json>,
}

impl Worst {
    fn see(&mut self, r: Option<Q>, instance: impl FnOnce() -> Json) {
        match r {
            None => {
                if self.unbounded.is_none() {
                    self.unbounded = Some(instance());
                }
            }
            Some(r) => {
                if self.ratio.as_ref().is_none_or(|(w, _)| r > *w) {
                    self.ratio = Some((r, instance()));
                }
            }
        }
    }
    fn value(&self) -> String {
        if self.unbounded.is_some() {
            return "unbounded (a minimiser has positive risk where the optimum is 0)".into();
        }
        self.ratio
            .as_ref()
            .map(|(r, _)| format_q(r))
            .unwrap_or_else(|| "-".into())
    }
    fn json(&self) -> Json {
        match (&self.unbounded, &self.ratio) {
            (Some(i), _) => json!({"ratio": "unbounded", "instance": i}),
            (None, Some((r, i))) => json!({"ratio": format_q(r), "instance": i}),
            _ => Json::Null,
        }
    }
    fn within(&self, k: &Q) -> bool {
        self.unbounded.is_none() && self.ratio.as_ref().is_none_or(|(r, _)| r <= k)
    }
}

fn mask_bits(m: u32, n: u32) -> String {
    (0..n)
        .map(|i| if m >> i & 1 == 1 { '1' } else { '0' })
        .collect()
}

fn check(n: u64, progress: &Progress) -> Result<Outcome> {
    let n = u32::try_from(n)
        .ok()
        .filter(|k| (1..=6).contains(k))
        .ok_or_else(|| Error::invalid("risk-transfer needs --n between 1 and 6"))?;
    let dice = parse_measure("dice")?;
    let jaccard = parse_measure("jaccard")?;
    let hamming = parse_measure("hamming")?;
    let grid = [(1, 4), (1, 2), (3, 4)].map(|(a, b)| Q::new(a.into(), b.into()));
    let lambdas = grid.clone();
    // The distributions, each with the marginals used to order the top-k class.
    let mut dists: Vec<(Dist, Vec<Q>, Json)> = Vec::new();
    for probs in super::risk::multisets(&grid, n as usize) {
        let desc = json!({"bernoulli": probs.iter().map(format_q).collect::<Vec<_>>()});
        dists.push((bernoulli(&probs), probs, desc));
    }
    let size = 1u32 << n;
    for y1 in 0..size {
        for y2 in y1 + 1..size {
            for l in &lambdas {
                let d: Dist = vec![(y1, l.clone()), (y2, Q::one() - l)];
                let marg: Vec<Q> = (0..n)
                    .map(|i| {
                        d.iter()
                            .filter(|(y, _)| y >> i & 1 == 1)
                            .map(|(_, p)| p.clone())
                            .sum()
                    })
                    .collect();
                let desc = json!({"mixture": [
                    {"y": mask_bits(y1, n), "p": format_q(l)},
                    {"y": mask_bits(y2, n), "p": format_q(&(Q::one() - l))}]});
                dists.push((d, marg, desc));
            }
        }
    }
    let mut rng = Rng::new(RANDOM_SEED, n as u64);
    let (mut d_by_j, mut j_by_d) = (Worst::default(), Worst::default());
    // Hamming, an observation: worst tied, best tied, and unique minimisers.
    let (mut h_worst, mut h_best, mut h_unique) =
        (Worst::default(), Worst::default(), Worst::default());
    let mut h_tied_cases = 0u64;
    let mut cases = 0u64;
    let total = dists.len() as u64;
    for (idx, (dist, marg, desc)) in dists.iter().enumerate() {
        let rd: Vec<Q> = (0..size)
            .map(|h| risk(&dice, dist, h, n))
            .collect::<Result<_>>()?;
        let rj: Vec<Q> = (0..size)
            .map(|h| risk(&jaccard, dist, h, n))
            .collect::<Result<_>>()?;
        let rh: Vec<Q> = (0..size)
            .map(|h| risk(&hamming, dist, h, n))
            .collect::<Result<_>>()?;
        let order = crate::risk::order_by_prob(marg);
        let topk: Vec<u32> = (0..=n as usize)
            .map(|k| order.iter().take(k).fold(0u32, |m, &i| m | 1 << i))
            .collect();
        let random: Vec<Vec<u32>> = (0..3)
            .map(|_| (0..4).map(|_| rng.upto(size as u64 - 1) as u32).collect())
            .collect();
        let mut classes: Vec<(&str, Vec<u32>)> =
            vec![("all", (0..size).collect()), ("top-k", topk)];
        for r in random {
            classes.push(("random-4", r));
        }
        for (name, class) in &classes {
            let pick = |v: &Vec<Q>| {
                class
                    .iter()
                    .map(|&h| v[h as usize].clone())
                    .collect::<Vec<Q>>()
            };
            let (cd, cj, ch) = (pick(&rd), pick(&rj), pick(&rh));
            let inst = || {
                json!({"distribution": desc, "class": name,
                                 "hypotheses": class.iter().map(|&h| mask_bits(h, n)).collect::<Vec<_>>()})
            };
            if let Some((_, worst, _)) = transfer_ratios(&cd, &cj) {
                d_by_j.see(worst, inst);
            }
            if let Some((_, worst, _)) = transfer_ratios(&cj, &cd) {
                j_by_d.see(worst, inst);
            }
            if let Some((best, worst, tied)) = transfer_ratios(&cd, &ch) {
                h_worst.see(worst.clone(), inst);
                h_best.see(best, inst);
                if tied == 1 {
                    h_unique.see(worst, inst);
                } else {
                    h_tied_cases += 1;
                }
            }
            cases += 1;
        }
        if idx % 64 == 0 {
            progress.tick(idx as u64, total);
        }
    }
    progress.tick(total, total);
    let two = Q::from_integer(2.into());
    let holds = d_by_j.within(&two) && j_by_d.within(&two);
    let details = vec![
        format!(
            "{} distributions on {n} voxels ({} Bernoulli products, the rest two-point \
             mixtures) × 5 hypothesis classes = {cases} cases, risks exact",
            dists.len(),
            super::risk::multisets(&grid, n as usize).len()
        ),
        format!(
            "Dice risk of the Jaccard minimiser / optimal Dice risk: at most {} (bound 2)",
            d_by_j.value()
        ),
        format!(
            "Jaccard risk of the Dice minimiser / optimal Jaccard risk: at most {} (bound 2)",
            j_by_d.value()
        ),
        format!(
            "observation, not a claim: Dice risk of a Hamming (cross-entropy decision) minimiser \
             / optimal Dice risk at n = {n}: worst tied minimiser up to {}, best tied minimiser \
             up to {}, cases with a unique Hamming minimiser up to {} ({h_tied_cases} of {cases} \
             cases have tied Hamming minimisers). The factor condition fails for Hamming against \
             Dice (whamming-dice), but it is only sufficient for a transfer bound, so this \
             proves no unbounded transfer",
            h_worst.value(),
            h_best.value(),
            h_unique.value()
        ),
    ];
    let constant = d_by_j
        .ratio
        .as_ref()
        .zip(j_by_d.ratio.as_ref())
        .map(|(a, b)| Constant::Exact(if a.0 >= b.0 { &a.0 } else { &b.0 }.clone()));
    let witness = json!({
        "dice_risk_of_jaccard_minimiser": d_by_j.ratio.as_ref().map(|(r, i)| json!({"ratio": format_q(r), "instance": i})),
        "jaccard_risk_of_dice_minimiser": j_by_d.ratio.as_ref().map(|(r, i)| json!({"ratio": format_q(r), "instance": i})),
        "hamming_observation": {
            "worst_tied_minimiser": h_worst.json(),
            "best_tied_minimiser": h_best.json(),
            "unique_minimiser": h_unique.json(),
            "tied_cases": h_tied_cases,
        },
    });
    let families = format!(
        "{} distributions on {n} voxels: independent Bernoulli labels with π ∈ {{1/4, 1/2, \
         3/4}}ⁿ (as multisets) and every two-point mixture λ·δ_y₁ + (1 − λ)·δ_y₂ of distinct \
         label vectors with λ ∈ {{1/4, 1/2, 3/4}}",
        dists.len()
    );
    Ok(Outcome {
        parts: vec![
            Part::new(
                "worst tied minimiser within factor 2, hypothesis classes: all 2ⁿ predictions and the n + 1 top-k sets",
                Scope::family(families.clone()),
            ),
            Part::new(
                format!("worst tied minimiser within factor 2, three random classes of four predictions per distribution ({families})"),
                Scope::sampled(
                    3 * total,
                    "crate::rng::Rng (rand_xoshiro SplitMix64), stream n, uniform predictions",
                    RANDOM_SEED,
                ),
            ),
        ],
        status: Status::refuted_if(!holds),
        n: n as u64,
        constant,
        witness: Some(witness),
        consistent: true,
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_of_minimisers() {
        let q = |a: i64, b: i64| Q::new(a.into(), b.into());
        // by-minimiser is index 1, whose target risk is 3/4 against the optimum 1/2.
        assert_eq!(
            transfer_ratio(&[q(1, 2), q(3, 4)], &[q(1, 1), q(1, 3)]),
            Some(q(3, 2))
        );
        assert_eq!(
            transfer_ratio(&[q(0, 1), q(1, 4)], &[q(1, 1), q(0, 1)]),
            None
        );
        // Two tied minimisers of `by` (indices 0 and 2): best 1, worst 3.
        assert_eq!(
            transfer_ratios(&[q(1, 4), q(1, 2), q(3, 4)], &[q(0, 1), q(1, 1), q(0, 1)]),
            Some((Some(q(1, 1)), Some(q(3, 1)), 2))
        );
    }

    #[test]
    fn holds_on_three_voxels() {
        let o = check(3, &Progress::none()).unwrap();
        assert_eq!(o.status, Status::Holds, "{:?}", o.details);
        let h = &o.witness.unwrap()["hamming_observation"];
        assert!(h["best_tied_minimiser"]["ratio"].is_string(), "{h}");
    }
}
