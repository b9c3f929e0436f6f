//! Claims about weighted cross-entropy on soft predictions (theory §1, the wCE
//! bullet, and §3, claims 4–6): the transfer inequality wCE ≥ ln 2 · H_w at the
//! thresholded decision, and the unbounded spread between wCE and the soft Dice loss.
//!
//! Every wCE value is a certified MPFR interval ([`crate::surrogates::wce`]); every
//! decision is made by [`decide`] or [`decide_between`], which raise the precision
//! until the answer is certain, and comparisons with rational multiples of ln 2 are
//! decided a second time with integers alone ([`cmp_wce_ln2_exact`]), which also
//! settles the equalities intervals cannot. The `f64` path is checked against each
//! interval. Random configurations come from a fixed-seed generator, so a run is
//! reproducible.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering as Atomic};

use num_bigint::BigInt;
use num_traits::{One, Pow, Signed, Zero};
use rayon::prelude::*;
use rug::Rational;
use serde_json::{json, Value as Json};

use super::approx::constant;
use super::schema::Constant;
use super::tally::Tally;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::error::{Error, Result};
use crate::exact::convert::big_to_rug;
use crate::exact::interval::{decide, decide_between, ln2, Interval, Precision};
use crate::exact::{decimal, format_q, Q};
use crate::rng::Rng;
use crate::surrogates::wce::{
    cmp_wce_ln2, cmp_wce_ln2_exact, f64_within, infinite_group, transfer_gap, wce, wce_f64, Group,
    SoftConfig,
};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim {
            name: "wce-hamming-transfer",
            statement: "at the decision ŷ = [p > 1/2], wCE ≥ ln 2 · H_w with \
                        H_w = (w·FN + (1−w)·FP)/n, for every weight w ∈ [0,1] and every soft \
                        prediction; ln 2 is tight: for w > 0 it is attained (wCE = ln 2 · H_w > 0 \
                        exactly when every mispredicted voxel is foreground at p = 1/2 and every \
                        other term is 0), for w = 0 approached (a background voxel at p ↓ 1/2)",
            expected: Status::HoldsOnSample,
            quick_n: 20,
            default_n: 50,
            max_n: 400,
            check: hamming_transfer,
        },
        Claim {
            name: "wce-dice-unbounded",
            statement: "for every fixed w ∈ (0,1), wCE does not approximate the soft Dice loss \
                        SD: on every n, sup wCE/SD = ∞ and inf wCE/SD = 0; even on hedged \
                        predictions p_i ∈ {y_i, 1/2} the spread is exactly \
                        max(w(4n−1), (1−w)(4n−3)) / min(3w, 1−w) ≥ 4n − 3, unbounded in n; \
                        and n·wCE ≥ min(w,1−w)·‖p−y‖₁ = min(w,1−w)·S·SD on every configuration",
            expected: Status::HoldsOnSample,
            quick_n: 1000,
            default_n: 1_000_000,
            max_n: 10_000_000,
            check: dice_unbounded,
        },
    ]
}

/// The weights every wCE claim is checked at.
const WEIGHTS: [&str; 7] = ["0", "1/10", "1/4", "1/2", "3/4", "9/10", "1"];

/// Precision schedule of the checks: 64 bits doubling to 4096 (an undecided
/// comparison makes the check inconsistent rather than slow).
const PREC: Precision = Precision {
    start: 64,
    max: 4096,
};

/// Size cap for the integer path of [`cmp_wce_ln2_exact`].
const EXACT_BITS: u64 = 1 << 22;

/// Relative slack allowed between [`wce_f64`] and the certified interval.
const REL: f64 = 1e-12;

/// Random configurations of the transfer check.
const TRANSFER_RANDOM: u64 = 3000;

/// Random hedged and random general configurations per (w, n) of the spread check.
const SPREAD_RANDOM: u64 = 60;

const SEED: u64 = 0x005e_ed0f_d1ce;

/// Name of the private generator, recorded in the sampled scopes.
const GENERATOR: &str = "SplitMix64 (crate::rng, rand_xoshiro)";

/// The interior weights of [`WEIGHTS`], parsed.
fn weights() -> Result<Vec<Q>> {
    WEIGHTS.iter().map(|s| constant(s)).collect()
}

fn qu(v: u64) -> Q {
    Q::from_integer(BigInt::from(v))
}

fn frac(a: u64, b: u64) -> Q {
    Q::new(BigInt::from(a), BigInt::from(b))
}

fn half() -> Q {
    frac(1, 2)
}

fn undecided(r: Result<(Ordering, u32)>) -> Result<Option<(Ordering, u32)>> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(Error::Undecided(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A random rational probability with denominator ≤ 1000, with the special values
/// the claims care about over-represented: 0, 1, 1/2, just beside 1/2, near 0 and 1,
/// and exactly the label.
fn random_p(rng: &mut Rng, label: bool) -> Q {
    let d = rng.range(1, 1000);
    match rng.below(10) {
        0 => half(),
        1 => Q::zero(),
        2 => Q::one(),
        3 => frac(1, d),
        4 => Q::one() - frac(1, d),
        5 => {
            let e = frac(1, d + 2);
            if rng.coin() {
                half() + e
            } else {
                half() - e
            }
        }
        6 => qu(u64::from(label)),
        _ => frac(rng.range(0, d), d),
    }
}

/// A random per-voxel configuration on 1..=n_max voxels (merged into groups).
fn random_voxels(rng: &mut Rng, n_max: u64) -> Result<SoftConfig> {
    let n = rng.range(1, n_max);
    let mode = rng.below(8);
    let mut labels = Vec::new();
    let mut probs = Vec::new();
    for _ in 0..n {
        let y = match mode {
            0 => false,
            1 => true,
            2 => rng.below(10) == 0,
            _ => rng.coin(),
        };
        labels.push(y);
        probs.push(random_p(rng, y));
    }
    SoftConfig::from_voxels(&labels, &probs)
}

/// A random grouped configuration on exactly n voxels: 1 to 4 groups, often with
/// tiny groups (one to three voxels) beside a huge one.
fn random_grouped(rng: &mut Rng, n: u64) -> Result<SoftConfig> {
    let g = rng.range(1, 4);
    let mut left = n;
    let mut groups = Vec::new();
    for _ in 1..g {
        if left <= 1 {
            break;
        }
        let c = if rng.coin() {
            rng.range(1, 3.min(left - 1))
        } else {
            rng.range(1, left - 1)
        };
        let y = rng.coin();
        groups.push(Group::new(c, y, random_p(rng, y)));
        left -= c;
    }
    let y = rng.coin();
    groups.push(Group::new(left, y, random_p(rng, y)));
    SoftConfig::new(groups)
}

/// Every multiset of 1..=max_voxels voxels over label × {0, 1/k, …, 1}.
fn grid_configs(k: u64, max_voxels: u64) -> Result<Vec<SoftConfig>> {
    fn rec(kinds: usize, m: u64, prefix: &mut Vec<u64>, out: &mut Vec<Vec<u64>>) {
        if prefix.len() + 1 == kinds {
            prefix.push(m);
            out.push(prefix.clone());
            prefix.pop();
            return;
        }
        for c in 0..=m {
            prefix.push(c);
            rec(kinds, m - c, prefix, out);
            prefix.pop();
        }
    }
    let kinds: Vec<(bool, Q)> = [false, true]
        .iter()
        .flat_map(|&y| (0..=k).map(move |j| (y, frac(j, k))))
        .collect();
    let mut vectors = Vec::new();
    for m in 1..=max_voxels {
        rec(kinds.len(), m, &mut Vec::new(), &mut vectors);
    }
    vectors
        .into_iter()
        .map(|counts| {
            SoftConfig::new(
                counts
                    .iter()
                    .zip(&kinds)
                    .map(|(&c, (y, p))| Group::new(c, *y, p.clone()))
                    .collect(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// wce-hamming-transfer
// ---------------------------------------------------------------------------

/// One (configuration, weight) decision of wCE ≥ ln 2 · H_w.
struct TransferEval {
    cfg: usize,
    w: usize,
    h_zero: bool,
    infinite: bool,
    /// By integer powers; `None` if too large.
    exact: Option<Ordering>,
    /// By certified intervals (`Equal` taken from the integer path, see below);
    /// `None` if undecided at the cap.
    certified: Option<Ordering>,
    bits: u32,
    f64_ok: bool,
    /// For exact equalities: the interval of wCE − ln 2·H contains 0.
    equal_ok: bool,
    /// wCE / (ln 2 · H) at 128 bits, when H > 0 and wCE is finite.
    ratio: Option<Interval>,
}

fn eval_transfer(ci: usize, wi: usize, c: &SoftConfig, w: &Q) -> Result<TransferEval> {
    let h = c.weighted_hamming(w)?;
    let exact = cmp_wce_ln2_exact(c, w, &h, EXACT_BITS)?;
    let f = wce_f64(c, w);
    let mut e = TransferEval {
        cfg: ci,
        w: wi,
        h_zero: h.is_zero(),
        infinite: infinite_group(c, w).is_some(),
        exact,
        certified: None,
        bits: 0,
        f64_ok: true,
        equal_ok: true,
        ratio: None,
    };
    if e.infinite {
        // +∞ > ln 2 · H: decided exactly, nothing to evaluate.
        e.certified = Some(Ordering::Greater);
        e.f64_ok = f == f64::INFINITY;
        return Ok(e);
    }
    e.f64_ok = f64_within(&wce(c, w, 64)?, f, REL);
    if exact == Some(Ordering::Equal) {
        // Intervals cannot certify equality; the integer path did. The interval must
        // still contain 0, and the comparison is recorded as the integer path's.
        e.equal_ok = transfer_gap(c, w, 256)?.contains_zero();
        e.certified = Some(Ordering::Equal);
    } else if let Some((o, bits)) = undecided(cmp_wce_ln2(c, w, &h, PREC))? {
        e.certified = Some(o);
        e.bits = bits;
    }
    if !e.h_zero {
        let den = ln2(128).mul(&Interval::from_big(&h, 128));
        e.ratio = Some(wce(c, w, 128)?.div(&den)?);
    }
    Ok(e)
}

/// The configurations of the transfer check: the two grids (every grouped
/// configuration of 1..=e4 voxels over p ∈ {0, 1/4, …, 1} and of 1..=e10 over
/// {0, 1/10, …, 1}) followed by the seeded random ones.
struct TransferConfigs {
    configs: Vec<SoftConfig>,
    e4: u64,
    e10: u64,
    g4: usize,
    g10: usize,
}

fn transfer_configs(n: u64) -> Result<TransferConfigs> {
    let (e4, e10) = (n.min(5), n.min(3));
    let mut configs = grid_configs(4, e4)?;
    let g4 = configs.len();
    configs.extend(grid_configs(10, e10)?);
    let g10 = configs.len() - g4;
    let mut rng = Rng::from_state(SEED);
    for _ in 0..TRANSFER_RANDOM {
        configs.push(random_voxels(&mut rng, n)?);
    }
    Ok(TransferConfigs {
        configs,
        e4,
        e10,
        g4,
        g10,
    })
}

/// Every (configuration, weight) decision, in parallel over configurations.
fn evaluate_transfer(
    configs: &[SoftConfig],
    weights: &[Q],
    progress: &Progress,
) -> Result<Vec<TransferEval>> {
    let total = (configs.len() * weights.len()) as u64;
    let done = AtomicU64::new(0);
    let evals = configs
        .par_iter()
        .enumerate()
        .map(|(ci, c)| {
            let out = weights
                .iter()
                .enumerate()
                .map(|(wi, w)| eval_transfer(ci, wi, c, w))
                .collect::<Result<Vec<_>>>()?;
            let d = done.fetch_add(out.len() as u64, Atomic::Relaxed) + out.len() as u64;
            progress.tick(d, total);
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    progress.tick(total, total);
    Ok(evals)
}

/// One decision as JSON: weight, configuration, certified wCE, H_w and ratio.
fn transfer_json(e: &TransferEval, configs: &[SoftConfig], weights: &[Q]) -> Result<Json> {
    let c = &configs[e.cfg];
    let w = &weights[e.w];
    let h = c.weighted_hamming(w)?;
    Ok(json!({
        "w": WEIGHTS[e.w],
        "config": c.to_json(),
        "wce": if e.infinite { "+inf".to_string() } else { format!("{:.25}", wce(c, w, 128)?) },
        "weighted_hamming": format_q(&h),
        "ratio": if e.exact == Some(Ordering::Equal) && !e.h_zero {
            Some("1".to_string())
        } else {
            e.ratio.as_ref().map(|r| format!("{r:.25}"))
        },
        "exact": e.exact.map(|o| format!("{o:?}")),
    }))
}

/// The parts of the transfer check, with their scopes.
fn transfer_parts(t: &TransferConfigs, n: u64) -> Vec<Part> {
    let what = "wCE ≥ ln 2 · H_w decided by certified intervals and exact integer powers, f64 \
                inside the interval";
    vec![
        Part::new(
            what,
            Scope::grid(format!(
                "every grouped configuration of 1..={} voxels over label × p ∈ {{0, 1/4, …, 1}} \
                 and of 1..={} voxels over p ∈ {{0, 1/10, …, 1}}, at w ∈ {{{}}}",
                t.e4,
                t.e10,
                WEIGHTS.join(", ")
            )),
        ),
        Part::new(
            format!(
                "{what}; configurations of 1..={n} voxels, denominators ≤ 1000, special values \
                 over-represented"
            ),
            Scope::sampled(TRANSFER_RANDOM, GENERATOR, SEED),
        ),
        Part::new(
            "ratio wCE/(ln 2 · H) certified > 1 and strictly decreasing towards 1",
            Scope::family("one background voxel at p = 1/2 + 10^-k, k = 1..=6, w = 1/2"),
        ),
    ]
}

fn hamming_transfer(n: u64, progress: &Progress) -> Result<Outcome> {
    if n == 0 {
        return Err(Error::invalid("check needs n >= 1"));
    }
    let weights = weights()?;
    let t = transfer_configs(n)?;
    let configs = &t.configs;
    let evals = evaluate_transfer(configs, &weights, progress)?;
    let mut tally = TransferTally::default();
    for e in &evals {
        tally.add(e, configs);
    }
    let violation = tally.violation.map(|i| &evals[i]);
    let tight = tally.tight.map(|i| &evals[i]);
    let min_strict = tally.min_strict.map(|i| &evals[i]);
    let mut details = vec![
        format!(
            "{} configurations × {} weights w ∈ {{{}}} = {} decisions of wCE ≥ ln 2 · H_w at \
             ŷ = [p > 1/2]: all {} grouped configurations of 1..={} voxels over p ∈ {{0, \
             1/4, …, 1}}, all {} of 1..={} voxels over p ∈ {{0, 1/10, …, 1}}, and \
             {TRANSFER_RANDOM} seeded random configurations of 1..={n} voxels (denominators ≤ \
             1000; p = 0, 1, 1/2, 1/2 ± 1/d, 1/d, 1 − 1/d over-represented): {}",
            configs.len(),
            weights.len(),
            WEIGHTS.join(", "),
            evals.len(),
            t.g4,
            t.e4,
            t.g10,
            t.e10,
            if violation.is_some() {
                "VIOLATED"
            } else {
                "no violation"
            }
        ),
        tally.summary(),
    ];
    if let Some(e) = tight {
        details.push(format!(
            "inf wCE/(ln 2 · H) over H > 0 is exactly 1, attained in {} decisions, smallest: \
             w = {} at {}",
            tally.tight_count,
            WEIGHTS[e.w],
            configs[e.cfg].to_json()
        ));
    }
    if let Some(m) = min_strict {
        details.push(format!(
            "smallest ratio above 1 among the strict cases: {:.15} at w = {}, {}",
            m.ratio.clone().unwrap_or_else(|| Interval::from_int(0, 64)),
            WEIGHTS[m.w],
            configs[m.cfg].to_json()
        ));
    }
    details.push(approach_family()?);
    let constant = match (violation, tight, min_strict) {
        (Some(v), _, _) => v.ratio.as_ref().and_then(interval_constant),
        (None, Some(_), _) => Some(Constant::Exact(Q::one())),
        (None, None, Some(m)) => m.ratio.as_ref().and_then(interval_constant),
        (None, None, None) => None,
    };
    let wj = |e: &TransferEval| transfer_json(e, configs, &weights);
    let witness = match violation {
        Some(v) => json!({"violation": wj(v)?}),
        None => json!({
            "tight": tight.map(wj).transpose()?,
            "smallest_strict": min_strict.map(wj).transpose()?,
        }),
    };
    Ok(Outcome {
        parts: transfer_parts(&t, n),
        status: Status::refuted_if(violation.is_some()),
        n,
        constant,
        witness: Some(witness),
        consistent: tally.consistent(),
        details,
    })
}

/// What the transfer check counted over all its decisions; the summary line is
/// generated from these counts, so it never says more than was seen.
#[derive(Default)]
struct TransferTally {
    /// Index (into the evaluations) of the first violation.
    violation: Option<usize>,
    undecided: u64,
    disagree: u64,
    f64_bad: u64,
    equal_bad: u64,
    infinite: u64,
    h_zero: u64,
    exact_missing: u64,
    strict: u64,
    strict_both: u64,
    tight_count: u64,
    trivial_equal: u64,
    max_bits: u32,
    /// The smallest tight decision (fewest voxels, fewest groups, w = 1/2 first).
    tight: Option<usize>,
    tight_key: Option<(u64, usize, bool)>,
    /// The strict decision with the smallest ratio.
    min_strict: Option<usize>,
    min_strict_ratio: Option<f64>,
    seen: usize,
}

impl TransferTally {
    fn add(&mut self, e: &TransferEval, configs: &[SoftConfig]) {
        let i = self.seen;
        self.seen += 1;
        self.max_bits = self.max_bits.max(e.bits);
        if e.exact == Some(Ordering::Less) || e.certified == Some(Ordering::Less) {
            self.violation = self.violation.or(Some(i));
        }
        self.undecided += u64::from(e.certified.is_none());
        if let (Some(a), Some(b)) = (e.exact, e.certified) {
            self.disagree += u64::from(a != b);
        }
        self.exact_missing += u64::from(e.exact.is_none());
        self.f64_bad += u64::from(!e.f64_ok);
        self.equal_bad += u64::from(!e.equal_ok);
        if e.infinite {
            self.infinite += 1;
            return;
        }
        self.h_zero += u64::from(e.h_zero);
        match e.exact {
            Some(Ordering::Equal) if e.h_zero => self.trivial_equal += 1,
            Some(Ordering::Equal) => {
                self.tight_count += 1;
                let c = &configs[e.cfg];
                let key = (c.n(), c.groups().len(), WEIGHTS[e.w] != "1/2");
                if self.tight_key.is_none_or(|k| key < k) {
                    self.tight_key = Some(key);
                    self.tight = Some(i);
                }
            }
            _ => {}
        }
        if e.certified == Some(Ordering::Greater) && !e.h_zero {
            self.strict += 1;
            self.strict_both += u64::from(e.exact == Some(Ordering::Greater));
            if let Some(r) = &e.ratio {
                let mid = r.midpoint_f64();
                if self.min_strict_ratio.is_none_or(|m| mid < m) {
                    self.min_strict_ratio = Some(mid);
                    self.min_strict = Some(i);
                }
            }
        }
    }

    /// Every cross-check agreed.
    fn consistent(&self) -> bool {
        self.undecided + self.disagree + self.f64_bad + self.equal_bad == 0
    }

    /// The summary line, from the counts alone.
    fn summary(&self) -> String {
        let agreement = if self.disagree == 0 {
            "always agreeing".to_string()
        } else {
            format!("DISAGREEING {} times", self.disagree)
        };
        let f64_path = if self.f64_bad == 0 {
            "the f64 path lay inside the interval (±1e-12 relative) every time".to_string()
        } else {
            format!(
                "the f64 path lay OUTSIDE the interval {} times",
                self.f64_bad
            )
        };
        let mut s = format!(
            "{} strict (H > 0) decided by certified intervals (at most {} bits), {} of them \
             also by exact integer powers, {agreement} ({} too large for the integer path); {} \
             exact equalities wCE = ln 2 · H > 0 (integer path; {} of them with an interval \
             excluding 0); {} with H = 0 ({} of them with wCE = 0); {} with wCE = +∞ (a \
             positive-weight ln 0); {f64_path}",
            self.strict,
            self.max_bits,
            self.strict_both,
            self.exact_missing,
            self.tight_count,
            self.equal_bad,
            self.h_zero,
            self.trivial_equal,
            self.infinite
        );
        if self.undecided > 0 {
            s.push_str(&format!(
                "; INCONSISTENT: {} undecided past {} bits",
                self.undecided, PREC.max
            ));
        }
        s
    }
}

/// A certified ratio as a typed constant: its exact rational endpoints (`None`
/// if an endpoint is infinite, which a finite ratio's enclosure never is).
fn interval_constant(r: &Interval) -> Option<Constant> {
    let (lo, hi) = r.to_rational_bounds()?;
    Some(Constant::Interval {
        lo: crate::exact::convert::rug_to_big(&lo),
        hi: crate::exact::convert::rug_to_big(&hi),
    })
}

/// A background voxel at p = 1/2 + 10^-k (mispredicted, as p > 1/2): the ratio
/// wCE/(ln 2 · H) = −ln(1/2 − 10^-k)/ln 2 > 1 decreases to 1 (certified).
fn approach_family() -> Result<String> {
    let w = half();
    let mut parts = Vec::new();
    let mut prev: Option<SoftConfig> = None;
    let mut ok = true;
    for k in 1..=6u32 {
        let eps = Q::new(BigInt::one(), Pow::pow(BigInt::from(10), k));
        let c = SoftConfig::new(vec![Group::new(1, false, half() + eps)])?;
        let h = c.weighted_hamming(&w)?;
        ok &= cmp_wce_ln2(&c, &w, &h, PREC)?.0 == Ordering::Greater;
        let ratio = |c: &SoftConfig, p: u32| -> Result<Interval> {
            let h = c.weighted_hamming(&w)?;
            wce(c, &w, p)?.div(&ln2(p).mul(&Interval::from_big(&h, p)))
        };
        if let Some(pc) = &prev {
            let (o, _) = decide_between(|p| ratio(&c, p), |p| ratio(pc, p), PREC)?;
            ok &= o == Ordering::Less;
        }
        let r1 = ratio(&c, 128)?.sub(&Interval::from_int(1, 128));
        parts.push(format!("k={k}: {r1:.4}"));
        prev = Some(c);
    }
    Ok(format!(
        "ratio → 1 from above on the wrong side: one background voxel at p = 1/2 + 10^-k has \
         ratio − 1 ∈ {} ({})",
        parts.join(", "),
        if ok {
            "certified > 1 and strictly decreasing"
        } else {
            "NOT certified"
        }
    ))
}

// ---------------------------------------------------------------------------
// wce-dice-unbounded
// ---------------------------------------------------------------------------

/// The hedged configuration on n voxels with |y| = k, `a` foreground voxels at
/// p = 1/2 (the other k − a at p = 1), `b` background voxels at p = 1/2 (the others
/// at p = 0).
fn hedged(n: u64, k: u64, a: u64, b: u64) -> Result<SoftConfig> {
    SoftConfig::new(vec![
        Group::new(a, true, half()),
        Group::new(k - a, true, Q::one()),
        Group::new(b, false, half()),
        Group::new(n - k - b, false, Q::zero()),
    ])
}

/// Closed forms on the hedged configuration: (wCE / ln 2, SD).
fn hedged_closed(w: &Q, n: u64, k: u64, a: u64, b: u64) -> (Q, Q) {
    let wce_ln2 = (w * qu(a) + (Q::one() - w) * qu(b)) / qu(n);
    let sd = if a + b == 0 {
        Q::zero()
    } else {
        frac(a + b, 4 * k + b - a)
    };
    (wce_ln2, sd)
}

/// min(3w, 1 − w) and max(w(4n−1), (1−w)(4n−3)): n·(wCE/SD)/ln 2 ranges exactly over
/// [m, M] on the hedged configurations.
fn hedged_bounds(w: &Q, n: u64) -> (Q, Q) {
    let one_w = Q::one() - w;
    let m = (qu(3) * w).min(one_w.clone());
    let big = (w * qu(4 * n - 1)).max(one_w * qu(4 * n - 3));
    (m, big)
}

/// wCE/SD at `prec` bits (SD > 0, wCE finite).
fn ratio_iv(c: &SoftConfig, w: &Q, sd: &Q, prec: u32) -> Result<Interval> {
    wce(c, w, prec)?.div(&Interval::from_big(sd, prec))
}

/// What the spread check saw at one weight.
struct WeightRun {
    wi: usize,
    consistent: bool,
    problems: Vec<String>,
    /// A certified contradiction of the statement.
    violation: Option<Json>,
    /// (n, exact spread, certified spread at 128 bits) per size; empty for w ∈ {0,1}.
    spreads: Vec<(u64, Q, Interval)>,
    /// For w ∈ {0, 1}: the configuration with wCE = 0 < SD.
    zero_witness: Option<Json>,
    /// At the largest n: (min configuration, max configuration) as JSON.
    pair: Option<Json>,
    hedged_seen: u64,
    general_seen: u64,
    general_infinite: u64,
    /// Best hedged spread found by the random search at the largest n (exact).
    best_hedged: Option<Q>,
    /// Best general spread found at the largest n (certified interval).
    best_general: Option<Interval>,
}

fn point_json(c: &SoftConfig, w: &Q, sd: &Q) -> Result<Json> {
    let v = wce(c, w, 128)?;
    Ok(json!({
        "config": c.to_json(),
        "wce": format!("{v:.20}"),
        "soft_dice": format_q(sd),
        "ratio": format!("{:.20}", v.div(&Interval::from_big(sd, 128))?),
    }))
}

fn spread_weight(
    wi: usize,
    sizes: &[u64],
    done: &AtomicU64,
    progress: &Progress,
    total: u64,
) -> Result<WeightRun> {
    let w = constant(WEIGHTS[wi])?;
    let mu = w.clone().min(Q::one() - &w);
    let interior = w.is_positive() && w < Q::one();
    let mut run = WeightRun {
        wi,
        consistent: true,
        problems: Vec::new(),
        violation: None,
        spreads: Vec::new(),
        zero_witness: None,
        pair: None,
        hedged_seen: 0,
        general_seen: 0,
        general_infinite: 0,
        best_hedged: None,
        best_general: None,
    };
    let mut prev: Option<(SoftConfig, Q, SoftConfig, Q)> = None;
    for (si, &n) in sizes.iter().enumerate() {
        let last = si + 1 == sizes.len();
        // The four members of the family; closed forms checked exactly / certified.
        let members = [(1, 1, 0), (0, 0, 1), (n, 1, 0), (n - 1, 0, 1)];
        let mut evaluated = Vec::new();
        for &(k, a, b) in &members {
            let c = hedged(n, k, a, b)?;
            let (cl_wce, cl_sd) = hedged_closed(&w, n, k, a, b);
            let sd = c.soft_dice_loss();
            let v = wce(&c, &w, 128)?;
            let truth = ln2(128).mul(&Interval::from_big(&cl_wce, 128));
            if sd != cl_sd
                || v.cmp_interval(&truth).is_some_and(|o| o != Ordering::Equal)
                || !f64_within(&v, wce_f64(&c, &w), REL)
            {
                run.consistent = false;
                run.problems.push(format!(
                    "w={} n={n} (K,a,b)=({k},{a},{b}): wCE {v:.20} / SD {} differ from the \
                     closed forms ln 2·{} / {}",
                    WEIGHTS[wi],
                    format_q(&sd),
                    format_q(&cl_wce),
                    format_q(&cl_sd)
                ));
            }
            evaluated.push((c, cl_wce, sd));
        }
        if !interior {
            // w ∈ {0, 1}: a configuration with wCE = 0 exactly and SD > 0.
            let (c, _, sd) = &evaluated[if w.is_zero() { 0 } else { 1 }];
            let v = wce(c, &w, 64)?;
            if !(v.is_point() && v.contains_zero() && sd.is_positive()) {
                run.consistent = false;
                run.problems.push(format!(
                    "w={}: expected wCE = 0 < SD at {}",
                    WEIGHTS[wi],
                    c.to_json()
                ));
            }
            if last {
                run.zero_witness = Some(json!({
                    "config": c.to_json(), "wce": "0", "soft_dice": format_q(sd)
                }));
            }
        } else {
            let (m, big) = hedged_bounds(&w, n);
            // Exact extremes of the family equal the closed forms.
            let ratios: Vec<Q> = evaluated.iter().map(|(_, cw, sd)| cw / sd).collect();
            let lo_i = (0..4)
                .min_by(|&i, &j| ratios[i].cmp(&ratios[j]))
                .unwrap_or(0);
            let hi_i = (0..4)
                .max_by(|&i, &j| ratios[i].cmp(&ratios[j]))
                .unwrap_or(0);
            if ratios[lo_i] != &m / qu(n) || ratios[hi_i] != &big / qu(n) {
                run.consistent = false;
                run.problems.push(format!(
                    "w={} n={n}: family extremes {} and {} differ from m/n, M/n",
                    WEIGHTS[wi],
                    format_q(&ratios[lo_i]),
                    format_q(&ratios[hi_i])
                ));
            }
            let exact_spread = &big / &m;
            let (lc, _, lsd) = &evaluated[lo_i];
            let (hc, _, hsd) = &evaluated[hi_i];
            let spread = |p: u32| -> Result<Interval> {
                ratio_iv(hc, &w, hsd, p)?.div(&ratio_iv(lc, &w, lsd, p)?)
            };
            let iv = spread(256)?;
            if !iv.contains_rational(&big_to_rug(&exact_spread)) {
                run.consistent = false;
                run.problems.push(format!(
                    "w={} n={n}: certified spread {iv:.20} excludes M/m = {}",
                    WEIGHTS[wi],
                    format_q(&exact_spread)
                ));
            }
            // Growth: spread ≥ 4n − 3 exactly, and certified > 4n − 4 by intervals.
            let grows_exact = exact_spread >= qu(4 * n - 3);
            let grows_cert = undecided(decide(spread, &Rational::from(4 * n - 4), PREC))?;
            match grows_cert {
                None => {
                    run.consistent = false;
                    run.problems.push(format!(
                        "w={} n={n}: spread > 4n − 4 undecided",
                        WEIGHTS[wi]
                    ));
                }
                Some((o, _)) if o != Ordering::Greater || !grows_exact => {
                    run.violation.get_or_insert(json!({
                        "w": WEIGHTS[wi], "n": n, "spread": format!("{iv:.20}"),
                        "why": "spread not above 4n − 4",
                    }));
                }
                _ => {}
            }
            // Strictly increasing in n (certified).
            if let Some((plc, plsd, phc, phsd)) = &prev {
                let before = |p: u32| -> Result<Interval> {
                    ratio_iv(phc, &w, phsd, p)?.div(&ratio_iv(plc, &w, plsd, p)?)
                };
                match undecided(decide_between(spread, before, PREC))? {
                    Some((Ordering::Greater, _)) => {}
                    Some(_) => {
                        run.violation.get_or_insert(json!({
                            "w": WEIGHTS[wi], "n": n, "why": "spread did not increase",
                        }));
                    }
                    None => {
                        run.consistent = false;
                        run.problems
                            .push(format!("w={} n={n}: growth undecided", WEIGHTS[wi]));
                    }
                }
            }
            if last {
                run.pair = Some(json!({
                    "min": point_json(lc, &w, lsd)?,
                    "max": point_json(hc, &w, hsd)?,
                }));
            }
            run.spreads.push((n, exact_spread.clone(), spread(128)?));
            prev = Some((lc.clone(), lsd.clone(), hc.clone(), hsd.clone()));
            random_hedged(&mut run, &w, n, &m, &big, last)?;
        }
        random_general(&mut run, &w, &mu, n, last)?;
        let d = done.fetch_add(1, Atomic::Relaxed) + 1;
        progress.tick(d, total);
    }
    Ok(run)
}

fn seed_for(wi: usize, n: u64, salt: u64) -> u64 {
    SEED ^ ((wi as u64) << 56) ^ (salt << 48) ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Random hedged configurations at n: n·(wCE/SD)/ln 2 must lie in [m, M] (exact, and
/// the certified ratio must not lie strictly outside the certified bounds).
fn random_hedged(run: &mut WeightRun, w: &Q, n: u64, m: &Q, big: &Q, last: bool) -> Result<()> {
    let mut rng = Rng::from_state(seed_for(run.wi, n, 1));
    let pick = |rng: &mut Rng, top: u64| -> u64 {
        match rng.below(4) {
            0 => rng.range(0, top.min(2)),
            1 => top - rng.range(0, top.min(2)),
            _ => rng.range(0, top),
        }
    };
    let (mut lo, mut hi): (Option<Q>, Option<Q>) = (None, None);
    let lo_b = ln2(128).mul(&Interval::from_big(&(m / qu(n)), 128));
    let hi_b = ln2(128).mul(&Interval::from_big(&(big / qu(n)), 128));
    for _ in 0..SPREAD_RANDOM {
        let k = pick(&mut rng, n);
        let a = pick(&mut rng, k);
        let b = pick(&mut rng, n - k);
        if a + b == 0 {
            continue;
        }
        run.hedged_seen += 1;
        let c = hedged(n, k, a, b)?;
        let sd = c.soft_dice_loss();
        let (cw, _) = hedged_closed(w, n, k, a, b);
        let r = &cw / &sd * qu(n);
        let iv = ratio_iv(&c, w, &sd, 128)?;
        let outside = iv.cmp_interval(&lo_b) == Some(Ordering::Less)
            || iv.cmp_interval(&hi_b) == Some(Ordering::Greater);
        if r < *m || r > *big || outside {
            run.violation.get_or_insert(json!({
                "w": format_q(w), "n": n, "config": c.to_json(), "ratio": format!("{iv:.20}"),
                "why": "hedged ratio outside the closed-form range",
            }));
        }
        lo = Some(lo.map_or(r.clone(), |x| x.min(r.clone())));
        hi = Some(hi.map_or(r.clone(), |x| x.max(r)));
    }
    if let (Some(l), Some(h)) = (lo, hi) {
        let s = h / l;
        if s > big / m {
            run.violation.get_or_insert(json!({
                "w": format_q(w), "n": n, "why": "random hedged spread above M/m",
            }));
        }
        if last {
            run.best_hedged = Some(s);
        }
    }
    Ok(())
}

/// Random general grouped configurations at n: n·wCE ≥ μ·‖p − y‖₁ certified; the best
/// spread found is recorded.
fn random_general(run: &mut WeightRun, w: &Q, mu: &Q, n: u64, last: bool) -> Result<()> {
    let mut rng = Rng::from_state(seed_for(run.wi, n, 2));
    let mut lo: Option<Interval> = None;
    let mut hi: Option<Interval> = None;
    for _ in 0..SPREAD_RANDOM {
        let c = random_grouped(&mut rng, n)?;
        let sd = c.soft_dice_loss();
        if sd.is_zero() {
            continue;
        }
        run.general_seen += 1;
        if infinite_group(&c, w).is_some() {
            run.general_infinite += 1;
            continue;
        }
        let v = wce(&c, w, 64)?;
        if !f64_within(&v, wce_f64(&c, w), REL) {
            run.consistent = false;
            run.problems
                .push(format!("f64 outside the interval at {}", c.to_json()));
        }
        let bound = mu * c.l1_error() / qu(n);
        if bound.is_positive() {
            let r = undecided(decide(
                |p| Ok(wce(&c, w, p)?.sub(&Interval::from_big(&bound, p))),
                &Rational::new(),
                PREC,
            ))?;
            match r {
                Some((Ordering::Greater, _)) => {}
                Some(_) => {
                    run.violation.get_or_insert(json!({
                        "w": format_q(w), "n": n, "config": c.to_json(),
                        "why": "n·wCE < min(w,1−w)·‖p−y‖₁",
                    }));
                }
                None => {
                    run.consistent = false;
                    run.problems
                        .push(format!("general bound undecided at {}", c.to_json()));
                }
            }
        }
        let r = ratio_iv(&c, w, &sd, 128)?;
        if r.contains_zero() {
            continue; // wCE = 0 < SD (w ∈ {0,1}): ratio 0, spread infinite
        }
        if lo
            .as_ref()
            .is_none_or(|l| r.midpoint_f64() < l.midpoint_f64())
        {
            lo = Some(r.clone());
        }
        if hi
            .as_ref()
            .is_none_or(|h| r.midpoint_f64() > h.midpoint_f64())
        {
            hi = Some(r);
        }
    }
    if last {
        if let (Some(l), Some(h)) = (lo, hi) {
            run.best_general = Some(h.div(&l)?);
        }
    }
    Ok(())
}

/// The sizes checked: 10, 100, … up to n, and n itself.
fn spread_sizes(n: u64) -> Vec<u64> {
    let mut v = Vec::new();
    let mut s = 10u64;
    while s <= n {
        v.push(s);
        match s.checked_mul(10) {
            Some(t) => s = t,
            None => break,
        }
    }
    if v.last() != Some(&n) {
        v.push(n);
    }
    v
}

/// Over all configurations at n (w = 1/2): the ratio is unbounded above (an
/// all-foreground image at p = 10^-1000) and has inf 0 (empty ground truth, one
/// background voxel at p = 10^-100). Certified.
fn degenerate(n: u64) -> Result<(String, bool)> {
    let w = half();
    let tiny = Q::new(BigInt::one(), Pow::pow(BigInt::from(10), 1000u32));
    let faint_p = Q::new(BigInt::one(), Pow::pow(BigInt::from(10), 100u32));
    let big = SoftConfig::new(vec![Group::new(n, true, tiny)])?;
    let faint = SoftConfig::new(vec![
        Group::new(1, false, faint_p.clone()),
        Group::new(n - 1, false, Q::zero()),
    ])?;
    let (bsd, fsd) = (big.soft_dice_loss(), faint.soft_dice_loss());
    let (ob, bb) = decide(|p| ratio_iv(&big, &w, &bsd, p), &Rational::from(1000), PREC)?;
    let small = big_to_rug(&faint_p);
    let (of, fb) = decide(|p| ratio_iv(&faint, &w, &fsd, p), &small, PREC)?;
    let ok = ob == Ordering::Greater && of == Ordering::Less;
    Ok((
        format!(
            "unrestricted, w = 1/2, n = {n}: all voxels foreground at p = 10^-1000 gives \
             wCE/SD ∈ {:.6} (> 1000; → ∞ as p → 0), empty ground truth with one background \
             voxel at p = 10^-100 gives SD = {} and wCE/SD ∈ {:.6} (< 10^-100, decided at {fb} \
             bits; → 0): the ratio has sup ∞ and inf 0 at every n ({})",
            ratio_iv(&big, &w, &bsd, bb)?,
            format_q(&fsd),
            ratio_iv(&faint, &w, &fsd, fb)?,
            if ok { "certified" } else { "NOT certified" }
        ),
        ok,
    ))
}

/// Largest n of the exhaustive hedged part of wce-dice-unbounded.
const HEDGED_EXHAUSTIVE_N: u64 = 12;

/// Every hedged configuration (K, a, b) on n voxels: 0 ≤ a ≤ K ≤ n,
/// 0 ≤ b ≤ n − K, a + b > 0 (the family's parameters, see [`hedged`]).
fn hedged_triples(n: u64) -> impl Iterator<Item = (u64, u64, u64)> {
    (0..=n)
        .flat_map(move |k| (0..=k).flat_map(move |a| (0..=n - k).map(move |b| (k, a, b))))
        .filter(|&(_, a, b)| a + b > 0)
}

/// Every hedged configuration (K, a, b) on n = 1..=n_max voxels at every interior
/// weight: SD equals its closed form exactly, the certified wCE interval contains
/// ln 2 times its closed form, and n·(wCE/SD)/ln 2 has exactly the extremes m and
/// M. Returns the number of configurations evaluated and the problems found.
fn hedged_exhaustive(n_max: u64) -> Result<(u64, Vec<String>)> {
    let mut seen = 0u64;
    let mut problems = Vec::new();
    for w in weights()? {
        if !(w.is_positive() && w < Q::one()) {
            continue;
        }
        for n in 1..=n_max {
            let (m, big) = hedged_bounds(&w, n);
            let (mut lo, mut hi): (Option<Q>, Option<Q>) = (None, None);
            for (k, a, b) in hedged_triples(n) {
                seen += 1;
                let c = hedged(n, k, a, b)?;
                let (cw, sd) = hedged_closed(&w, n, k, a, b);
                let v = wce(&c, &w, 128)?;
                let truth = ln2(128).mul(&Interval::from_big(&cw, 128));
                if c.soft_dice_loss() != sd
                    || v.cmp_interval(&truth).is_some_and(|o| o != Ordering::Equal)
                {
                    problems.push(format!(
                        "w={} n={n} (K,a,b)=({k},{a},{b}): closed forms differ from the \
                         evaluation",
                        format_q(&w)
                    ));
                }
                let r = cw / sd * qu(n);
                lo = Some(lo.map_or(r.clone(), |x| x.min(r.clone())));
                hi = Some(hi.map_or(r.clone(), |x| x.max(r)));
            }
            if lo.as_ref() != Some(&m) || hi.as_ref() != Some(&big) {
                problems.push(format!(
                    "w={} n={n}: hedged extremes {} and {} differ from m = {} and M = {}",
                    format_q(&w),
                    lo.as_ref().map_or("-".into(), format_q),
                    hi.as_ref().map_or("-".into(), format_q),
                    format_q(&m),
                    format_q(&big)
                ));
            }
        }
    }
    Ok((seen, problems))
}

fn dice_unbounded(n: u64, progress: &Progress) -> Result<Outcome> {
    if n == 0 {
        return Err(Error::invalid("check needs n >= 1"));
    }
    let sizes = spread_sizes(n);
    let total = (WEIGHTS.len() * sizes.len()) as u64;
    let done = AtomicU64::new(0);
    let runs: Vec<WeightRun> = (0..WEIGHTS.len())
        .into_par_iter()
        .map(|wi| spread_weight(wi, &sizes, &done, progress, total))
        .collect::<Result<Vec<_>>>()?;
    let sizes_text = sizes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut tally = Tally::new(format!(
        "hedged family (|y| = K, a foreground and b background voxels at p = 1/2, all others \
         p = y: wCE = ln 2·(w·a + (1−w)·b)/n, SD = (a+b)/(4K − a + b), so n·(wCE/SD)/ln 2 spans \
         [min(3w, 1−w), max(w(4n−1), (1−w)(4n−3))]) at n ∈ {{{sizes_text}}}, w ∈ {{{}}}",
        WEIGHTS.join(", ")
    ));
    let statement = |r: &WeightRun| r.violation.is_none();
    tally.statement(
        "no certified contradiction (spread ≥ 4n − 3 exactly, certified > 4n − 4, increasing \
         in n; random configurations inside [m, M])",
        "weights",
        runs.len() as u64,
        runs.iter().filter(|r| statement(r)).count() as u64,
    );
    tally.cross_check(
        "extremes = closed forms (certified intervals, exact SD, f64 inside), spread in its \
         certified interval, n·wCE ≥ min(w, 1−w)·‖p−y‖₁ certified on the random search",
        "weights",
        runs.len() as u64,
        runs.iter().filter(|r| r.consistent).count() as u64,
    );
    let mut details = Vec::new();
    for r in &runs {
        if r.spreads.is_empty() {
            continue;
        }
        details.push(format!(
            "w={}: spread {}",
            WEIGHTS[r.wi],
            r.spreads
                .iter()
                .map(|(n, s, _)| format!("n={n}: {}", decimal(s)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for r in &runs {
        if let Some(z) = &r.zero_witness {
            details.push(format!(
                "w={}: wCE = 0 exactly with SD = {} > 0 at {}: inf 0, spread infinite at every n",
                WEIGHTS[r.wi],
                z["soft_dice"].as_str().unwrap_or("?"),
                z["config"]
            ));
        }
    }
    let hedged: u64 = runs.iter().map(|r| r.hedged_seen).sum();
    let general: u64 = runs.iter().map(|r| r.general_seen).sum();
    let infinite: u64 = runs.iter().map(|r| r.general_infinite).sum();
    details.push(format!(
        "seeded random search at every (w, n): {hedged} hedged configurations, {general} \
         general grouped configurations (1–4 groups, denominators ≤ 1000; {infinite} had \
         wCE = +∞)"
    ));
    let last_n = sizes.last().copied().unwrap_or(n);
    for r in &runs {
        let parts: Vec<String> = [
            r.best_hedged
                .as_ref()
                .map(|s| format!("best hedged spread {}", decimal(s))),
            r.best_general
                .as_ref()
                .filter(|_| !r.spreads.is_empty())
                .map(|s| format!("best general spread {s:.6}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !parts.is_empty() {
            details.push(format!(
                "random search at n = {last_n}, w = {}: {}",
                WEIGHTS[r.wi],
                parts.join(", ")
            ));
        }
    }
    let (line, ok) = degenerate(last_n.max(2))?;
    tally.cross_check_once(
        "degenerate configurations (p = 10^-1000, 10^-100)",
        "checks",
        ok,
    );
    details.push(line);
    let (hedged_all, hedged_problems) = hedged_exhaustive(HEDGED_EXHAUSTIVE_N)?;
    tally.cross_check(
        &format!(
            "every hedged configuration (K, a, b) on n = 1..={HEDGED_EXHAUSTIVE_N} voxels at \
             each interior w: SD exact = closed form, certified wCE contains ln 2 × closed form, \
             n·(wCE/SD)/ln 2 has exactly the extremes m and M"
        ),
        "configurations",
        hedged_all,
        hedged_all.saturating_sub(hedged_problems.len() as u64),
    );
    details.insert(0, tally.summary());
    details.extend(hedged_problems.into_iter().take(5));
    for r in &runs {
        details.extend(r.problems.iter().cloned());
    }
    let violation = runs.iter().find_map(|r| r.violation.clone());
    let half_run = runs
        .iter()
        .find(|r| WEIGHTS[r.wi] == "1/2")
        .ok_or_else(|| Error::invalid("weight grid misses 1/2"))?;
    let (constant, witness) = match (&violation, half_run.spreads.last()) {
        (Some(v), _) => (None, Some(json!({"violation": v}))),
        (None, Some((sn, s, iv))) => {
            details.push(format!(
                "constant: the w = 1/2 spread at n = {sn}, 4n − 1 = {} exactly (ln 2 cancels), \
                 certified interval {iv:.20}",
                format_q(s)
            ));
            (
                Some(Constant::Exact(s.clone())),
                Some(json!({
                    "w": "1/2",
                    "n": sn,
                    "spread": format_q(s),
                    "spread_interval": format!("{iv:.20}"),
                    "min": half_run.pair.as_ref().map(|p| p["min"].clone()),
                    "max": half_run.pair.as_ref().map(|p| p["max"].clone()),
                    "w0_infinite_spread": runs.iter().find(|r| WEIGHTS[r.wi] == "0")
                        .and_then(|r| r.zero_witness.clone()),
                })),
            )
        }
        (None, None) => (None, None),
    };
    progress.tick(total, total);
    let interior = "w ∈ {1/10, 1/4, 1/2, 3/4, 9/10}";
    let sizes_text = sizes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Outcome {
        parts: vec![
            Part::new(
                "m and M are the exact extremes of n·(wCE/SD)/ln 2 over hedged predictions (closed forms re-evaluated, wCE certified)",
                Scope::exhaustive(format!(
                    "every hedged configuration (K, a, b) on n = 1..={HEDGED_EXHAUSTIVE_N} voxels, at each {interior}"
                )),
            ),
            Part::new(
                "spread M/m ≥ 4n − 3 exactly, certified > 4n − 4 and strictly increasing in n; w ∈ {0, 1}: wCE = 0 < SD",
                Scope::family(format!(
                    "the four extreme hedged members (K, a, b) ∈ {{(1,1,0), (0,0,1), (n,1,0), (n−1,0,1)}} at n ∈ {{{sizes_text}}}, w ∈ {{{}}}",
                    WEIGHTS.join(", ")
                )),
            ),
            Part::new(
                "sup wCE/SD = ∞ and inf 0 at w = 1/2 (certified)",
                Scope::family("all voxels foreground at p = 10^-1000; empty ground truth with one voxel at p = 10^-100"),
            ),
            Part::new(
                format!("random hedged configurations inside [m, M] and random grouped configurations with n·wCE ≥ min(w,1−w)·‖p−y‖₁, {SPREAD_RANDOM} of each per (w, n), n ∈ {{{sizes_text}}}"),
                Scope::sampled(
                    2 * SPREAD_RANDOM * (WEIGHTS.len() * sizes.len()) as u64,
                    format!("{GENERATOR}, one stream per (w, n, kind): seed ^ (w index << 56) ^ (kind << 48) ^ n·0x9e3779b97f4a7c15"),
                    SEED,
                ),
            ),
        ],
        status: Status::refuted_if(violation.is_some()),
        n: last_n,
        constant,
        witness,
        consistent: tally.consistent(),
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_and_hold_at_small_sizes() {
        let all = claims();
        assert_eq!(all.len(), 2);
        let names: Vec<&str> = super::super::registry().iter().map(|c| c.name).collect();
        for c in &all {
            assert!(names.contains(&c.name), "{} is not in the registry", c.name);
        }
        for c in &all {
            let n = if c.name == "wce-dice-unbounded" {
                1000
            } else {
                8
            };
            let out = (c.check)(n, &Progress::none()).expect("check runs");
            assert!(out.consistent, "{}: {:?}", c.name, out.details);
            assert_eq!(out.status, Status::Holds, "{}: {:?}", c.name, out.details);
        }
    }

    #[test]
    fn transfer_constant_is_one_and_attained() {
        let out = hamming_transfer(4, &Progress::none()).expect("runs");
        assert_eq!(out.constant.map(|c| c.to_string()).as_deref(), Some("1"));
        let w = out.witness.expect("witness");
        assert_eq!(w["tight"]["exact"], "Equal");
    }

    #[test]
    fn spread_constant_is_4n_minus_1_at_half() {
        let out = dice_unbounded(100, &Progress::none()).expect("runs");
        assert_eq!(out.constant.map(|c| c.to_string()).as_deref(), Some("399"));
        assert_eq!(out.n, 100);
    }

    #[test]
    fn hedged_closed_forms_match_brute_force() {
        // Every hedged configuration on n ≤ 7: n·(wCE/SD)/ln 2 has exactly the
        // extremes m and M.
        for ws in ["1/10", "1/4", "1/3", "1/2", "5/8", "9/10"] {
            let w = constant(ws).unwrap();
            for n in 1..=7u64 {
                let (m, big) = hedged_bounds(&w, n);
                let (mut lo, mut hi): (Option<Q>, Option<Q>) = (None, None);
                for (k, a, b) in hedged_triples(n) {
                    let c = hedged(n, k, a, b).expect("valid");
                    let (cw, sd) = hedged_closed(&w, n, k, a, b);
                    assert_eq!(c.soft_dice_loss(), sd);
                    let r = cw / sd * qu(n);
                    lo = Some(lo.map_or(r.clone(), |x| x.min(r.clone())));
                    hi = Some(hi.map_or(r.clone(), |x| x.max(r)));
                }
                assert_eq!(lo, Some(m.clone()), "w={ws} n={n}");
                assert_eq!(hi, Some(big.clone()), "w={ws} n={n}");
                assert!(&big / &m >= qu(4 * n - 3));
            }
        }
    }

    #[test]
    fn grids_have_the_expected_sizes() {
        // Multisets of 1..=m items over 10 kinds: C(10 + m − 1, m) summed.
        assert_eq!(
            grid_configs(4, 5).expect("ok").len(),
            10 + 55 + 220 + 715 + 2002
        );
        assert_eq!(grid_configs(10, 3).expect("ok").len(), 22 + 253 + 2024);
        assert_eq!(
            spread_sizes(1_000_000),
            vec![10, 100, 1000, 10_000, 100_000, 1_000_000]
        );
        assert_eq!(spread_sizes(250), vec![10, 100, 250]);
        assert_eq!(spread_sizes(5), vec![5]);
    }
}
