//! From "sat" to a verified integer counterexample.
//!
//! A solver's model is over the reals (or algebraic numbers) and is not a witness
//! by itself. It is turned into integer configurations by clearing denominators
//! (every built-in loss is invariant under scaling all counts) and by rounding at
//! several scales; failing that, the exhaustive enumeration of small images and
//! then the randomized [`crate::search`] engine look for one. Every candidate is
//! re-verified here exactly, with rationals and the `--empty` policy, and shrunk
//! greedily with the same moves as `search`'s shrinker, so a reported witness is
//! always a real, small violation.

use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

use super::{Claim, Problem};
use crate::counts::Counts;
use crate::enumerate::count_space::for_each_tuple;
use crate::exact::Q;
use crate::measures::{EmptyPolicy, Measure};
use crate::search::{Bound, Loss, Search};

fn value(m: &Measure, c: &Counts, policy: EmptyPolicy) -> Option<Q> {
    m.loss(c, policy).ok()?.exact().cloned()
}

/// Both losses at `c`, when `c` is admissible (size, non-empty ground truth) and
/// both are defined under the policy.
pub fn values(p: &Problem, c: &Counts) -> Option<(Q, Q)> {
    let n = c.checked_n()?;
    if n < p.min_n.max(1) || (p.nonempty_gt && c.gt_size() == 0) {
        return None;
    }
    Some((
        value(&p.target, c, p.empty)?,
        value(&p.candidate, c, p.empty)?,
    ))
}

/// Exact check that the configurations violate the claim: one configuration for
/// the absolute and ratio claims and for a degenerate factor violation (target 0
/// < candidate, or candidate 0 < target), two for a factor spread
/// (ratio₁ > K²·ratio₂).
pub fn violates(p: &Problem, w: &[Counts]) -> bool {
    let zero = Q::zero();
    match (&p.claim, w) {
        (Claim::Abs(e), [c]) => values(p, c).is_some_and(|(t, k)| {
            let d = &k - &t;
            d > *e || -d > *e
        }),
        (Claim::Ratio(a, b), [c]) => values(p, c).is_some_and(|(t, k)| k < a * &t || k > b * &t),
        (Claim::Factor(_), [c]) => {
            values(p, c).is_some_and(|(t, k)| (t == zero && k > zero) || (k == zero && t > zero))
        }
        (Claim::Factor(kk), [a, b]) => match (values(p, a), values(p, b)) {
            (Some((ta, ka)), Some((tb, kb))) => {
                ta > zero && tb > zero && ka * &tb > kk * kk * kb * &ta
            }
            _ => false,
        },
        _ => false,
    }
}

/// Greedy shrinking with `search`'s moves ([`crate::search::shrink_greedy`]),
/// keeping each step whose configurations still violate the claim exactly.
pub fn shrink(p: &Problem, w: Vec<Counts>) -> (Vec<Counts>, u64) {
    let start = w.clone();
    crate::search::shrink_greedy(w, |trial, _| Ok(violates(p, trial))).unwrap_or((start, 0))
}

/// Integer configurations suggested by a model's values for configuration k.
fn from_values(x: &[Q; 4]) -> Vec<Counts> {
    if x.iter().any(|v| *v < Q::zero()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let lcm = x
        .iter()
        .fold(num_bigint::BigInt::from(1), |l, v| l.lcm(v.denom()));
    let scaled: Option<Vec<u64>> = x.iter().map(|v| (v * &lcm).to_integer().to_u64()).collect();
    if let Some(s) = scaled {
        out.push(Counts::new(s[0], s[1], s[2], s[3]).ok());
    }
    for scale in [1u64, 10, 100, 1000, 10_000, 1_000_000] {
        let s = Q::from_integer(scale.into());
        let r: Option<Vec<u64>> = x
            .iter()
            .map(|v| (v * &s).round().to_integer().to_u64())
            .collect();
        if let Some(r) = r {
            out.push(Counts::new(r[0], r[1], r[2], r[3]).ok());
        }
    }
    out.into_iter().flatten().collect()
}

/// A verified witness from a model (values of `tp_k … tn_k`).
pub fn from_model(
    p: &Problem,
    model: &std::collections::BTreeMap<String, Q>,
    configs: usize,
) -> Option<Vec<Counts>> {
    let per: Vec<Vec<Counts>> = (1..=configs)
        .map(|k| {
            let names = super::encode::count_names(k);
            let x: Option<Vec<Q>> = names.iter().map(|n| model.get(n).cloned()).collect();
            x.map(|x| from_values(&[x[0].clone(), x[1].clone(), x[2].clone(), x[3].clone()]))
                .unwrap_or_default()
        })
        .collect();
    match per.as_slice() {
        [one] => one.iter().find(|c| violates(p, &[**c])).map(|c| vec![*c]),
        [a, b] => {
            for x in a {
                for y in b {
                    if violates(p, &[*x, *y]) {
                        return Some(vec![*x, *y]);
                    }
                }
            }
            None
        }
        _ => None,
    }
}

/// Every configuration with min_n ≤ n ≤ max_n, in order of n: the first
/// violation for single-configuration claims, and for factor claims the first
/// pair (extreme ratios so far) that violates.
pub fn enumerate(p: &Problem, max_n: u64) -> Option<Vec<Counts>> {
    let mut hi: Option<(Q, Counts)> = None;
    let mut lo: Option<(Q, Counts)> = None;
    for n in p.min_n.max(1)..=max_n {
        let mut first: Option<Counts> = None;
        for_each_tuple(n, |c| {
            if first.is_some() {
                return;
            }
            if violates(p, &[c]) {
                first = Some(c);
                return;
            }
            if let Claim::Factor(_) = p.claim {
                if let Some((t, k)) = values(p, &c) {
                    if t > Q::zero() {
                        let r = k / t;
                        if hi.as_ref().is_none_or(|(h, _)| r > *h) {
                            hi = Some((r.clone(), c));
                        }
                        if lo.as_ref().is_none_or(|(l, _)| r < *l) {
                            lo = Some((r, c));
                        }
                    }
                }
            }
        });
        if let Some(c) = first {
            return Some(vec![c]);
        }
        if let (Some((_, h)), Some((_, l))) = (&hi, &lo) {
            if violates(p, &[*h, *l]) {
                return Some(vec![*h, *l]);
            }
        }
    }
    None
}

/// The randomized search engine (factor and absolute claims), its suspects
/// re-verified here under the problem's policy.
pub fn search(p: &Problem, budget_s: f64) -> Option<Vec<Counts>> {
    let bound = match &p.claim {
        Claim::Factor(k) => Bound::Factor(k.clone()),
        Claim::Abs(e) => Bound::Abs(e.clone()),
        Claim::Ratio(..) => return None,
    };
    let s = Search {
        target: p.target.clone(),
        candidate: Loss::Exact(p.candidate.clone()),
        bound,
        min_n: p.min_n.max(1),
        max_n: 1_000_000.max(p.min_n),
        seed: 1,
        budget_s,
        max_evals: u64::MAX,
        nonempty_gt: p.nonempty_gt,
    };
    let found = s.run(&crate::progress::Progress::none()).ok()?;
    let w: Vec<Counts> = found.witnesses.iter().map(|w| w.counts).collect();
    (found.found && violates(p, &w)).then_some(w)
}

/// A scale c for the fixed-scale lemma of a factor claim: from the extreme ratios
/// candidate/target seen on every configuration with n ≤ 40 (f64, an estimate
/// only; the solvers decide), the simplest rational in the middle of
/// [1/(K·r_min), K/r_max]. `None` when that interval looks empty.
pub fn estimate_scale(p: &Problem) -> Option<Q> {
    let Claim::Factor(k) = &p.claim else {
        return None;
    };
    // Images on more voxels than this are too many to scan; the spread query
    // (without the lemma) still decides the claim then.
    const SCAN_N: u64 = 40;
    if p.min_n > SCAN_N {
        return None;
    }
    let (mut hi, mut lo) = (0f64, f64::INFINITY);
    for n in p.min_n.max(1)..=SCAN_N {
        for_each_tuple(n, |c| {
            if p.nonempty_gt && c.gt_size() == 0 {
                return;
            }
            let t = p.target.loss_f64(&c, p.empty);
            let v = p.candidate.loss_f64(&c, p.empty);
            if t > 0.0 && v > 0.0 && t.is_finite() && v.is_finite() {
                hi = hi.max(v / t);
                lo = lo.min(v / t);
            }
        });
    }
    let kf = crate::exact::q_to_f64(k);
    if !(lo.is_finite() && hi > 0.0) {
        return None;
    }
    let (a, b) = (1.0 / (kf * lo), kf / hi);
    if a >= b {
        return None;
    }
    let (a, b) = (a + (b - a) / 3.0, b - (b - a) / 3.0);
    for d in 1..=10_000i64 {
        let num = (a * d as f64).ceil();
        if num / (d as f64) <= b && num > 0.0 {
            return Some(Q::new((num as i64).into(), d.into()));
        }
    }
    None
}
