//! Decision claims under label uncertainty (theory claim 10): the expected-Dice
//! optimum is a top-k set, no fixed threshold (hence no cross-entropy weight) is
//! optimal for every instance, and the pooled optimum thresholds at F*/2.
//!
//! Instances are probability vectors drawn exhaustively from small rational grids
//! (as multisets: every quantity here is invariant under permuting voxels), so a
//! check covers every instance up to its size, and every witness is an exact
//! rational instance that `diceproof risk --probs ...` reproduces.

use num_traits::{One, Zero};
use rayon::prelude::*;
use serde_json::{json, Value as Json};

use super::{Claim, Outcome, Part, Progress, Scope, Status, Ticker};
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::measures::EmptyPolicy;
use crate::risk::brute::brute_optimal;
use crate::risk::{
    bits, expected_exact, optimal_topk, pooled_optimal, pooled_value, threshold_pred, topk_pred,
    RiskMetric,
};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim {
            name: "dice-optimal-topk",
            statement: "with independent labels y_i ~ Bernoulli(π_i), a prediction maximising \
                        expected Dice (also Jaccard and Tversky) is a top-k set by π: the best of \
                        the n + 1 top-k sets equals the best of all 2ⁿ predictions (every \
                        probability vector on the grid {0,1/4,1/3,1/2,2/3,3/4,1}, policies one \
                        and zero)",
            expected: Status::HoldsOnGrid,
            quick_n: 4,
            default_n: 5,
            max_n: 8,
            check: dice_optimal_topk,
        },
        Claim {
            name: "no-universal-threshold",
            statement: "no threshold on π (hence no weighted-CE Bayes rule, t(w) = 1 − w) is \
                        optimal for expected Dice: for every t = j/m in (0,1) an instance (with \
                        a non-empty ground truth) where predicting {π > t} has positive regret, and two instances whose optimal \
                        threshold sets are disjoint (n = m, the grid of thresholds)",
            expected: Status::Holds,
            quick_n: 10,
            default_n: 20,
            max_n: 30,
            check: no_universal_threshold,
        },
        Claim {
            name: "pooled-threshold-half",
            statement: "for pooled (data-set level) Dice F(S) = 2Σ_S π/(Σπ + |S|) the decision \
                        {π > F*/2} is optimal and every optimal decision lies between \
                        {π > F*/2} and {π ≥ F*/2}; for Jaccard the threshold J*/(1+J*) is the \
                        same number (all subsets, every vector on the grid)",
            expected: Status::HoldsOnGrid,
            quick_n: 5,
            default_n: 7,
            max_n: 10,
            check: pooled_threshold_half,
        },
    ]
}

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

/// The grid used by the exhaustive decision claims.
fn grid() -> Vec<Q> {
    [(1, 1), (3, 4), (2, 3), (1, 2), (1, 3), (1, 4), (0, 1)]
        .iter()
        .map(|&(a, b)| q(a, b))
        .collect()
}

/// Every multiset of `m` values (non-increasing vectors) from `values` (given in
/// decreasing order).
pub(super) fn multisets(values: &[Q], m: usize) -> Vec<Vec<Q>> {
    fn rec(values: &[Q], start: usize, m: usize, cur: &mut Vec<Q>, out: &mut Vec<Vec<Q>>) {
        if cur.len() == m {
            out.push(cur.clone());
            return;
        }
        for i in start..values.len() {
            cur.push(values[i].clone());
            rec(values, i, m, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(values, 0, m, &mut Vec::with_capacity(m), &mut out);
    out
}

fn probs_json(p: &[Q]) -> Json {
    Json::Array(p.iter().map(|x| json!(format_q(x))).collect())
}

fn size_of(n: u64, lo: u64, hi: u64, what: &str) -> Result<usize> {
    if !(lo..=hi).contains(&n) {
        return Err(Error::invalid(format!(
            "{what} needs --n between {lo} and {hi}, got {n}"
        )));
    }
    Ok(n as usize)
}

/// Every probability vector of size 1..=n on the grid, as multisets (the
/// instances of dice-optimal-topk and pooled-threshold-half).
fn grid_instances(n: usize) -> Vec<Vec<Q>> {
    (1..=n).flat_map(|m| multisets(&grid(), m)).collect()
}

/// Runs `check` on every instance of [`grid_instances`] in parallel, ticking
/// `progress`; returns the instances and, in the same order, the results.
fn over_grid<T: Send>(
    n: usize,
    progress: &Progress,
    check: impl Fn(&[Q]) -> Result<T> + Sync,
) -> (Vec<Vec<Q>>, Vec<Result<T>>) {
    let instances = grid_instances(n);
    let ticker = Ticker::new(progress, instances.len() as u64, 64);
    let results = instances
        .par_iter()
        .map(|p| {
            let r = check(p);
            ticker.step();
            r
        })
        .collect();
    ticker.finish();
    (instances, results)
}

/// The scope of a check over [`grid_instances`].
fn grid_scope(n: usize) -> Scope {
    Scope::grid(format!(
        "every probability vector of size 1..={n} on {{0, 1/4, 1/3, 1/2, 2/3, 3/4, 1}}"
    ))
}

/// A refuted grid check, with the failing instance as witness.
fn refuted_at(n: usize, probs: &[Q], details: Vec<String>, parts: Vec<Part>) -> Outcome {
    Outcome::plain(
        Status::Refuted,
        n as u64,
        Some(json!({ "probs": probs_json(probs) })),
        details,
    )
    .with_parts(parts)
}

fn dice_optimal_topk(n: u64, progress: &Progress) -> Result<Outcome> {
    let n = size_of(n, 1, 8, "dice-optimal-topk")?;
    let metrics: Vec<RiskMetric> = vec![
        RiskMetric::Dice,
        RiskMetric::Jaccard,
        "tversky:a=3/10,b=7/10".parse()?,
    ];
    let policies = [EmptyPolicy::One, EmptyPolicy::Zero];
    // Per instance: (all agree, worst regret of thresholding at 1/2 for Dice/one).
    let (instances, results) = over_grid(n, progress, |probs| {
        let mut agree = true;
        for m in &metrics {
            for &pol in &policies {
                let top = optimal_topk(probs, m, pol)?;
                let (_, best) = brute_optimal(probs, m, pol)?;
                agree &= top.expected == best;
            }
        }
        let opt = optimal_topk(probs, &RiskMetric::Dice, EmptyPolicy::One)?;
        let t = best_half_threshold(probs)?.1;
        Ok((agree, opt.expected - t))
    });
    let total = instances.len() as u64;
    let mut ok = 0u64;
    let mut failures = Vec::new();
    let mut suboptimal_half = 0u64;
    let mut worst: Option<(usize, Q)> = None;
    for (i, r) in results.into_iter().enumerate() {
        let (agree, regret) = r?;
        if agree {
            ok += 1;
        } else {
            failures.push(i);
        }
        if regret > Q::zero() {
            suboptimal_half += 1;
        }
        if worst.as_ref().is_none_or(|(_, w)| regret > *w) {
            worst = Some((i, regret));
        }
    }
    let checks = ok * (metrics.len() * policies.len()) as u64;
    let mut details = vec![format!(
        "{total} probability vectors of size 1..={n} × {{dice, jaccard, tversky:a=3/10,b=7/10}} × \
         {{one, zero}}: best top-k = best of all 2ⁿ predictions in {checks} of {} cases",
        total * 6
    )];
    details.push(format!(
        "thresholding at 1/2 (unweighted CE, either tie-break) is strictly suboptimal for \
         expected Dice on {suboptimal_half} of the {total} vectors"
    ));
    let parts = vec![Part::new(
        "best top-k set = best of all 2ⁿ predictions for dice, jaccard and \
         tversky:a=3/10,b=7/10 under policies one and zero",
        grid_scope(n),
    )];
    if let Some(&i) = failures.first() {
        return Ok(refuted_at(n, &instances[i], details, parts));
    }
    let witness = match worst {
        Some((i, regret)) if regret > Q::zero() => {
            let p = &instances[i];
            let opt = optimal_topk(p, &RiskMetric::Dice, EmptyPolicy::One)?;
            let (tp, te) = best_half_threshold(p)?;
            details.push(format!(
                "largest regret of the 1/2 threshold: {} at π = ({})",
                format_q(&regret),
                p.iter().map(format_q).collect::<Vec<_>>().join(", ")
            ));
            Some(
                json!({"probs": probs_json(p), "optimal": bits(&opt.pred), "k": opt.k,
                        "optimal_expected": format_q(&opt.expected),
                        "threshold_half": bits(&tp), "threshold_half_expected": format_q(&te),
                        "note": "the better of the tie-breaks {π > 1/2} and {π ≥ 1/2}",
                        "regret": format_q(&regret)}),
            )
        }
        _ => None,
    };
    Ok(Outcome::plain(Status::Holds, n as u64, witness, details).with_parts(parts))
}

/// The better of the two tie-breaks of the threshold 1/2 ({π > 1/2} and
/// {π ≥ 1/2}) for expected Dice: the regret reported is then never an artefact
/// of how a probability of exactly 1/2 is rounded.
fn best_half_threshold(probs: &[Q]) -> Result<(Vec<bool>, Q)> {
    let half = q(1, 2);
    let strict = threshold_pred(probs, &half);
    let loose: Vec<bool> = probs.iter().map(|p| *p >= half).collect();
    let a = expected_exact(probs, &strict, &RiskMetric::Dice, EmptyPolicy::One)?;
    let b = expected_exact(probs, &loose, &RiskMetric::Dice, EmptyPolicy::One)?;
    Ok(if b > a { (loose, b) } else { (strict, a) })
}

/// One instance with its exact expected Dice (policy one) for every top-k set.
struct Table {
    probs: Vec<Q>,
    values: Vec<Q>,
    best: Q,
}

impl Table {
    fn new(probs: Vec<Q>) -> Result<Table> {
        let values: Vec<Q> = (0..=probs.len())
            .map(|k| {
                expected_exact(
                    &probs,
                    &topk_pred(&probs, k),
                    &RiskMetric::Dice,
                    EmptyPolicy::One,
                )
            })
            .collect::<Result<_>>()?;
        let best = values.iter().max().cloned().unwrap_or_else(Q::zero);
        Ok(Table {
            probs,
            values,
            best,
        })
    }

    /// The number of voxels a threshold t selects (probs are non-increasing).
    fn k_at(&self, t: &Q) -> usize {
        self.probs.iter().filter(|p| *p > t).count()
    }

    /// The set of thresholds t ∈ [0, 1] whose decision {π > t} is optimal, as
    /// (inf, sup) of a union of intervals [π_(k+1), π_(k)); `None` if no
    /// threshold decision is optimal.
    fn optimal_thresholds(&self) -> Option<(Q, Q)> {
        let n = self.probs.len();
        let mut lo: Option<Q> = None;
        let mut hi: Option<Q> = None;
        for k in 0..=n {
            if self.values[k] != self.best {
                continue;
            }
            let a = if k < n {
                self.probs[k].clone()
            } else {
                Q::zero()
            };
            let b = if k > 0 {
                self.probs[k - 1].clone()
            } else {
                Q::one()
            };
            if a >= b && k > 0 {
                continue; // a tie makes this top-k set unreachable by a threshold
            }
            if lo.as_ref().is_none_or(|l| a < *l) {
                lo = Some(a);
            }
            if hi.as_ref().is_none_or(|h| b > *h) {
                hi = Some(b);
            }
        }
        lo.zip(hi)
    }
}

fn no_universal_threshold(m: u64, progress: &Progress) -> Result<Outcome> {
    let m = size_of(m, 2, 30, "no-universal-threshold")?;
    let values: Vec<Q> = (0..=2 * m as i64)
        .rev()
        .map(|i| q(i, 2 * m as i64))
        .collect();
    // Every instance contains one certain voxel (π = 1), so the ground truth is never
    // empty and no witness depends on the empty-mask policy.
    let instances: Vec<Vec<Q>> = (0..=3)
        .flat_map(|s| multisets(&values[1..], s))
        .map(|mut v| {
            v.insert(0, Q::one());
            v
        })
        .collect();
    let total = instances.len() as u64;
    let ticker = Ticker::new(progress, total, 256);
    let tables: Vec<Table> = instances
        .into_par_iter()
        .map(|p| {
            ticker.step();
            Table::new(p)
        })
        .collect::<Result<_>>()?;
    ticker.finish();
    let mut witnesses = Vec::new();
    let mut missing = Vec::new();
    for j in 1..m as i64 {
        let t = q(j, m as i64);
        // Smallest instance first, then the largest regret; instances with a
        // probability equal to t are skipped so that no witness rests on a tie.
        let best = tables
            .iter()
            .filter(|tb| tb.probs.iter().all(|p| *p != t))
            .map(|tb| (tb, &tb.best - &tb.values[tb.k_at(&t)]))
            .filter(|(_, r)| *r > Q::zero())
            .min_by(|(a, ra), (b, rb)| a.probs.len().cmp(&b.probs.len()).then(rb.cmp(ra)));
        match best {
            None => missing.push(format_q(&t)),
            Some((tb, regret)) => {
                let kt = tb.k_at(&t);
                let kopt = (0..tb.values.len())
                    .find(|&k| tb.values[k] == tb.best)
                    .unwrap_or(0);
                witnesses.push(json!({
                    "t": format_q(&t), "weight": format_q(&(Q::one() - &t)),
                    "probs": probs_json(&tb.probs),
                    "threshold_pred": bits(&threshold_pred(&tb.probs, &t)),
                    "threshold_expected": format_q(&tb.values[kt]),
                    "optimal_pred": bits(&topk_pred(&tb.probs, kopt)), "optimal_k": kopt,
                    "optimal_expected": format_q(&tb.best),
                    "regret": format_q(&regret),
                }));
            }
        }
    }
    // The pair with disjoint optimal-threshold sets and the widest gap between them.
    let ranges: Vec<(usize, Q, Q)> = tables
        .iter()
        .enumerate()
        .filter_map(|(i, tb)| tb.optimal_thresholds().map(|(lo, hi)| (i, lo, hi)))
        .collect();
    let (a, b, gap) = {
        let high = ranges.iter().max_by(|x, y| {
            x.1.cmp(&y.1)
                .then(tables[y.0].probs.len().cmp(&tables[x.0].probs.len()))
        });
        let low = ranges.iter().min_by(|x, y| {
            x.2.cmp(&y.2)
                .then(tables[x.0].probs.len().cmp(&tables[y.0].probs.len()))
        });
        match (high, low) {
            (Some(h), Some(l)) => (h.clone(), l.clone(), &h.1 - &l.2),
            _ => return Err(Error::invalid("no instance has an optimal threshold")),
        }
    };
    let interval = |r: &(usize, Q, Q)| {
        json!({"probs": probs_json(&tables[r.0].probs),
               "optimal_expected": format_q(&tables[r.0].best),
               "thresholds": format!("[{}, {})", format_q(&r.1), format_q(&r.2)),
               "weights": format!("({}, {}]", format_q(&(Q::one() - &r.2)), format_q(&(Q::one() - &r.1)))})
    };
    let disjoint = gap >= Q::zero();
    let mut details = vec![format!(
        "{total} probability vectors: one certain voxel (π = 1, so y is never empty and the \
         empty-mask policy plays no part) and up to 3 voxels with π ∈ {{0, 1/{}, …, 1}}, expected Dice",
        2 * m
    )];
    details.push(format!(
        "{} of {} thresholds t = j/{m} have an instance where {{π > t}} is strictly suboptimal \
         (no π equal to t)",
        witnesses.len(),
        m - 1
    ));
    details.push(format!(
        "disjoint optimal thresholds: instance A needs t ∈ [{}, {}) (weight ≤ {}), instance B \
         needs t ∈ [{}, {}) (weight > {}); gap {}",
        format_q(&a.1),
        format_q(&a.2),
        format_q(&(Q::one() - &a.1)),
        format_q(&b.1),
        format_q(&b.2),
        format_q(&(Q::one() - &b.2)),
        format_q(&gap)
    ));
    let status = if missing.is_empty() && disjoint {
        Status::Holds
    } else {
        details.push(format!(
            "no witness found for t ∈ {{{}}}",
            missing.join(", ")
        ));
        Status::Refuted
    };
    let witness = json!({"thresholds": witnesses,
                         "disjoint_pair": {"a": interval(&a), "b": interval(&b),
                                           "gap": format_q(&gap)}});
    let parts = vec![
        Part::new(
            "an instance where {π > t} has positive regret, re-verified exactly",
            Scope::exhaustive(format!("every threshold t = j/{m}, 0 < j < {m}")),
        ),
        Part::new(
            "two instances with disjoint sets of optimal thresholds",
            Scope::exhaustive(format!(
                "every instance searched: one certain voxel and up to 3 voxels with π ∈ \
                 {{0, 1/{}, …, 1}}",
                2 * m
            )),
        ),
    ];
    Ok(Outcome::plain(status, m as u64, Some(witness), details).with_parts(parts))
}

fn pooled_threshold_half(n: u64, progress: &Progress) -> Result<Outcome> {
    let n = size_of(n, 1, 10, "pooled-threshold-half")?;
    let (instances, results) = over_grid(n, progress, |p| {
        let d = pooled_optimal(p, &RiskMetric::Dice, EmptyPolicy::One)?;
        let j = pooled_optimal(p, &RiskMetric::Jaccard, EmptyPolicy::One)?;
        let mut ok = d.threshold == j.threshold && d.decision.pred == j.decision.pred;
        let len = p.len();
        let mut best: Option<Q> = None;
        let mut optimal_sets = Vec::new();
        for mask in 0u32..(1 << len) {
            let s: Vec<bool> = (0..len).map(|i| mask >> i & 1 == 1).collect();
            let v = pooled_value(p, &s, &RiskMetric::Dice, EmptyPolicy::One)?;
            match &best {
                Some(b) if v < *b => {}
                Some(b) if v == *b => optimal_sets.push(s),
                _ => {
                    best = Some(v);
                    optimal_sets = vec![s];
                }
            }
        }
        let star = best.unwrap_or_else(Q::zero);
        ok &= star == d.decision.value;
        let half = &star / Q::from_integer(2.into());
        ok &= d.threshold == half;
        for s in &optimal_sets {
            for (x, &b) in p.iter().zip(s) {
                // A voxel above F*/2 must be in, one below must be out.
                ok &= (b || *x <= half) && (!b || *x >= half);
            }
        }
        Ok((ok, half))
    });
    let total = instances.len() as u64;
    let mut lo: Option<(usize, Q)> = None;
    let mut hi: Option<(usize, Q)> = None;
    let mut failed = None;
    for (i, r) in results.into_iter().enumerate() {
        let (ok, t) = r?;
        if !ok && failed.is_none() {
            failed = Some(i);
        }
        if lo.as_ref().is_none_or(|(_, l)| t < *l) {
            lo = Some((i, t.clone()));
        }
        if hi.as_ref().is_none_or(|(_, h)| t > *h) {
            hi = Some((i, t));
        }
    }
    let details = vec![
        format!(
            "{total} probability vectors of size 1..={n} on the grid {{0,1/4,1/3,1/2,2/3,3/4,1}}, \
             every subset compared"
        ),
        format!(
            "the optimal threshold F*/2 ranges from {} to {} over these instances: it is a \
             property of the data, not a constant",
            lo.as_ref().map(|x| format_q(&x.1)).unwrap_or_default(),
            hi.as_ref().map(|x| format_q(&x.1)).unwrap_or_default()
        ),
    ];
    let parts = vec![Part::new(
        "{π > F*/2} optimal, every optimal decision between {π > F*/2} and {π ≥ F*/2}, \
         J*/(1+J*) = F*/2 (every subset compared)",
        grid_scope(n),
    )];
    if let Some(i) = failed {
        return Ok(refuted_at(n, &instances[i], details, parts));
    }
    let witness = match (lo, hi) {
        (Some((a, ta)), Some((b, tb))) => Some(json!({
            "lowest": {"probs": probs_json(&instances[a]), "threshold": format_q(&ta)},
            "highest": {"probs": probs_json(&instances[b]), "threshold": format_q(&tb)},
        })),
        _ => None,
    };
    Ok(Outcome::plain(Status::Holds, n as u64, witness, details).with_parts(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multisets_count() {
        // C(7 + 3 − 1, 3) = 84 multisets of size 3 from 7 values.
        assert_eq!(multisets(&grid(), 3).len(), 84);
        assert!(multisets(&grid(), 2).iter().all(|v| v[0] >= v[1]));
    }

    #[test]
    fn small_checks_have_expected_outcomes() {
        let p = Progress::none();
        assert_eq!(dice_optimal_topk(3, &p).unwrap().status, Status::Holds);
        assert_eq!(pooled_threshold_half(4, &p).unwrap().status, Status::Holds);
        let o = no_universal_threshold(6, &p).unwrap();
        assert_eq!(o.status, Status::Holds, "{:?}", o.details);
    }
}
