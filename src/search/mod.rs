//! Counterexample search: find configurations on which a candidate loss fails to
//! approximate a target loss, verify them exactly, and shrink them.
//!
//! A user who believes "candidate approximates target within factor K" means: there
//! is a scale c > 0 with target/K ≤ c·candidate ≤ K·target on every configuration.
//! That fails exactly when two configurations have ratios candidate/target more
//! than K² apart (or one configuration has target = 0 < candidate or candidate = 0 <
//! target), so a refutation is a *pair* of configurations. An absolute claim
//! |candidate − target| ≤ E is refuted by one configuration.
//!
//! How: several independent streams, each with its own seeded generator, evaluate
//! configurations in `f64` (the fast path, ~10⁷ per second) with a mix of
//! strategies: random sampling over sizes up to `max_n` in count space (sizes and
//! counts drawn log-uniformly so that tiny objects in huge images are as likely as
//! anything else), hill climbing with occasional downhill moves on the counts of the
//! current extremes, and, for n ≤ 64, bit flips on actual masks. After every round
//! the streams are merged in a fixed order, so results depend only on the seed and
//! the number of rounds, never on thread timing. A suspected violation is
//! re-verified exactly (rationals; certified intervals for irrational losses) and
//! then shrunk: sizes and counts are reduced greedily while the exact check still
//! fails, so the witness reported is small and always a real violation.

pub mod growth;
pub mod loss;
/// The crate's generator, under the path search streams have always used it by.
pub use crate::rng;

use std::cmp::Ordering;
use std::time::Instant;

use rayon::prelude::*;
use rug::Rational;

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::convert::big_to_rug;
use crate::exact::interval::{decide, Interval, Precision};
use crate::exact::{format_q, Q};
use crate::measures::{EmptyPolicy, Measure};
use crate::progress::Progress;
use crate::rng::Rng;
pub use growth::growth_exponent;
pub use loss::{Loss, LossValue};

/// What the search tries to refute.
#[derive(Clone, Debug)]
pub enum Bound {
    /// Two-sided factor K with free scale: refuted when ratios differ by more than K².
    Factor(Q),
    /// Absolute gap E: refuted when |candidate − target| > E.
    Abs(Q),
    /// No claim: report the largest spread found.
    None,
}

/// A search problem and its budget.
#[derive(Clone, Debug)]
pub struct Search {
    /// The loss being approximated (exact).
    pub target: Measure,
    /// The loss approximating it.
    pub candidate: Loss,
    /// The claim to refute.
    pub bound: Bound,
    /// Smallest image size searched.
    pub min_n: u64,
    /// Largest image size searched.
    pub max_n: u64,
    /// Seed of every stream.
    pub seed: u64,
    /// Wall-clock budget in seconds.
    pub budget_s: f64,
    /// Evaluation budget.
    pub max_evals: u64,
    /// Only consider images whose ground truth has at least one foreground voxel.
    pub nonempty_gt: bool,
}

/// A configuration with both losses, verified.
#[derive(Clone, Debug)]
pub struct Witness {
    /// The configuration (n = TP + FP + FN + TN).
    pub counts: Counts,
    /// Target loss, exact.
    pub target: Q,
    /// Candidate loss, exact or certified.
    pub candidate: LossValue,
}

/// What a search found.
#[derive(Clone, Debug)]
pub struct Found {
    /// True if the claim was refuted by verified witnesses.
    pub found: bool,
    /// Configurations evaluated.
    pub evaluations: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Spread max/min of candidate/target over the best pair: exact `p/q`, an
    /// interval, or `inf`.
    pub best_spread: String,
    /// Its f64 value (infinite when unbounded).
    pub best_spread_f64: f64,
    /// For absolute claims: |candidate − target| at the witness (exact or interval).
    pub best_gap: Option<String>,
    /// The witnesses: a pair for factor claims and spreads, one configuration for
    /// absolute claims.
    pub witnesses: Vec<Witness>,
    /// Successful shrinking steps.
    pub shrink_steps: u64,
}

/// Evaluations per stream per round.
const ROUND: u64 = 1 << 15;
/// Number of streams (fixed, so results do not depend on the core count).
const STREAMS: u64 = 4;

#[derive(Clone, Copy, Debug)]
struct Point {
    r: f64,
    c: Counts,
}

#[derive(Clone, Debug)]
struct Stream {
    rng: Rng,
    hi: Option<Point>,
    lo: Option<Point>,
    gap: Option<Point>,
    /// A configuration with target 0 < candidate, or candidate 0 < target.
    degenerate: Option<Counts>,
    /// Current positions of the two climbers and the mask walker.
    up: Option<Counts>,
    down: Option<Counts>,
    masks: Option<(u64, u64, u32)>,
    evals: u64,
}

impl Search {
    fn sample_n(&self, rng: &mut Rng) -> u64 {
        if self.min_n >= self.max_n {
            return self.max_n;
        }
        self.min_n + rng.log_upto(self.max_n - self.min_n)
    }

    fn part(rng: &mut Rng, m: u64) -> u64 {
        match rng.upto(5) {
            0 => 0,
            1 => m,
            2 => rng.upto(m),
            3 => rng.log_upto(m),
            _ => m - rng.log_upto(m),
        }
    }

    fn sample(&self, rng: &mut Rng) -> Counts {
        let n = self.sample_n(rng);
        let mut a = Self::part(rng, n);
        if self.nonempty_gt && a == 0 {
            a = 1;
        }
        let b = n - a;
        let tp = Self::part(rng, a);
        let fp = Self::part(rng, b);
        Counts {
            tp,
            fp,
            fn_: a - tp,
            tn: b - fp,
        }
    }

    /// A local move: shift a log-uniform amount between two counts, or grow/shrink
    /// the image through one count, staying within [min_n, max_n].
    fn perturb(&self, rng: &mut Rng, c: Counts) -> Counts {
        let mut v = [c.tp, c.fp, c.fn_, c.tn];
        let i = rng.upto(3) as usize;
        let n = c.n();
        if rng.chance(0.3) {
            // Resize through one count.
            if rng.chance(0.5) {
                let room = self.max_n - n.min(self.max_n);
                let d = rng.log_upto(room);
                v[i] += d;
            } else {
                let room = n.saturating_sub(self.min_n).min(v[i]);
                let d = rng.log_upto(room);
                v[i] -= d;
            }
        } else {
            let j = (i + 1 + rng.upto(2) as usize) % 4;
            let d = rng.log_upto(v[i]);
            v[i] -= d;
            v[j] += d;
        }
        Counts {
            tp: v[0],
            fp: v[1],
            fn_: v[2],
            tn: v[3],
        }
    }

    /// Evaluates one configuration in f64 and updates a stream's extremes; returns
    /// the ratio (NaN when undefined).
    #[inline]
    fn eval(&self, s: &mut Stream, c: Counts) -> f64 {
        s.evals += 1;
        if self.nonempty_gt && c.gt_size() == 0 {
            return f64::NAN;
        }
        let t = self.target.loss_f64(&c, EmptyPolicy::One);
        let k = self.candidate.f64(&c);
        let g = (k - t).abs();
        if s.gap.is_none_or(|p| g > p.r) {
            s.gap = Some(Point { r: g, c });
        }
        if t == 0.0 || k == 0.0 {
            if t != k && s.degenerate.is_none() {
                s.degenerate = Some(c);
            }
            return f64::NAN;
        }
        let r = k / t;
        if s.hi.is_none_or(|p| r > p.r) {
            s.hi = Some(Point { r, c });
        }
        if s.lo.is_none_or(|p| r < p.r) {
            s.lo = Some(Point { r, c });
        }
        r
    }

    fn round(&self, s: &mut Stream, stream: u64) {
        let mask_walk = stream == STREAMS - 1 && self.min_n <= 64;
        for _ in 0..ROUND {
            let u = s.rng.unit();
            if mask_walk && u < 0.5 {
                // Per-voxel search: flip one voxel of the ground truth or the prediction.
                let n = self.max_n.min(64) as u32;
                let (mut y, mut p, m) = s.masks.unwrap_or((0, 0, n));
                let bit = 1u64 << s.rng.upto(m as u64 - 1);
                if s.rng.chance(0.5) {
                    y ^= bit;
                } else {
                    p ^= bit;
                }
                s.masks = Some((y, p, m));
                self.eval(s, Counts::from_bits(y, p, m));
            } else if u < 0.55 || s.up.is_none() {
                let c = self.sample(&mut s.rng);
                let r = self.eval(s, c);
                if !r.is_nan() {
                    s.up.get_or_insert(c);
                    s.down.get_or_insert(c);
                }
            } else {
                // Hill climbing on both extremes, accepting a worse move now and then.
                let climb_up = s.rng.chance(0.5);
                let from = if climb_up { s.up } else { s.down }.unwrap_or_default();
                let base =
                    self.candidate.f64(&from) / self.target.loss_f64(&from, EmptyPolicy::One);
                let c = self.perturb(&mut s.rng, from);
                let r = self.eval(s, c);
                if r.is_nan() {
                    continue;
                }
                let better = if climb_up { r > base } else { r < base };
                if better || s.rng.chance(0.02) {
                    if climb_up {
                        s.up = Some(c);
                    } else {
                        s.down = Some(c);
                    }
                }
                // Restart from the best found now and then.
                if s.rng.chance(0.001) {
                    s.up = s.hi.map(|p| p.c);
                    s.down = s.lo.map(|p| p.c);
                }
            }
        }
    }

    /// Target and candidate at a configuration, exactly / certified.
    fn values(&self, c: &Counts, prec: u32) -> Result<(Q, LossValue)> {
        let t = self
            .target
            .loss(c, EmptyPolicy::One)?
            .exact()
            .cloned()
            .ok_or_else(|| Error::invalid("undefined target"))?;
        Ok((t, self.candidate.value(c, prec)?))
    }

    /// Exact verification. `Ok(true)`: the configurations certainly violate the
    /// bound; `Ok(false)`: certainly not, or undecided within the precision cap.
    pub fn violates(&self, w: &[Counts]) -> Result<bool> {
        match (&self.bound, w) {
            (Bound::Abs(e), [c]) => {
                let e = big_to_rug(e);
                let (t, _) = self.values(c, 64)?;
                let tq = big_to_rug(&t);
                let f = |prec: u32| -> Result<Interval> {
                    let k = self.candidate.value(c, prec)?.interval(prec);
                    Ok(k.sub(&Interval::from_rational(&tq, prec)))
                };
                let above = decide(f, &e, Precision::default());
                let neg_e = Rational::from(-&e);
                let below = decide(f, &neg_e, Precision::default());
                Ok(matches!(above, Ok((Ordering::Greater, _)))
                    || matches!(below, Ok((Ordering::Less, _))))
            }
            (Bound::Factor(k), [a]) => self.degenerate(a, k),
            (Bound::Factor(k), [a, b]) => {
                if self.degenerate(a, k)? || self.degenerate(b, k)? {
                    return Ok(true);
                }
                let (ta, _) = self.values(a, 64)?;
                let (tb, _) = self.values(b, 64)?;
                if ta == Q::from_integer(0.into()) || tb == Q::from_integer(0.into()) {
                    return Ok(false);
                }
                // (ka/ta)/(kb/tb) > K², i.e. ka·tb/(kb·ta) > K².
                let scale = big_to_rug(&(tb / ta));
                let k2 = big_to_rug(&(k * k));
                let f = |prec: u32| -> Result<Interval> {
                    let ka = self.candidate.value(a, prec)?.interval(prec);
                    let kb = self.candidate.value(b, prec)?.interval(prec);
                    ka.div(&kb)
                        .map(|x| x.mul(&Interval::from_rational(&scale, prec)))
                };
                Ok(matches!(
                    decide(f, &k2, Precision::default()),
                    Ok((Ordering::Greater, _))
                ))
            }
            _ => Ok(false),
        }
    }

    /// One configuration with target 0 < candidate or candidate 0 < target refutes
    /// every factor claim.
    fn degenerate(&self, c: &Counts, _k: &Q) -> Result<bool> {
        let (t, k) = self.values(c, 64)?;
        let zero = Q::from_integer(0.into());
        let k_sign = match &k {
            LossValue::Exact(q) => Some(q.cmp(&zero)),
            LossValue::Interval(i) => loss::sign_of(i),
        };
        Ok(matches!(
            (t.cmp(&zero), k_sign),
            (Ordering::Equal, Some(Ordering::Greater)) | (Ordering::Greater, Some(Ordering::Equal))
        ))
    }

    /// Greedy shrinking ([`shrink_greedy`]) of witnesses that stay admissible
    /// (size, non-empty ground truth) and still violate the bound exactly.
    pub fn shrink(&self, w: Vec<Counts>) -> Result<(Vec<Counts>, u64)> {
        shrink_greedy(w, |trial, idx| {
            let admissible = trial[idx].n() >= self.min_n.max(1)
                && (!self.nonempty_gt || trial[idx].gt_size() > 0);
            Ok(admissible && self.violates(trial)?)
        })
    }

    /// Runs the search. After every round `progress` gets the number of
    /// evaluations as its position and a message with the best spread so far.
    pub fn run(&self, progress: &Progress) -> Result<Found> {
        if self.min_n == 0 || self.min_n > self.max_n {
            return Err(Error::invalid(format!(
                "sizes must satisfy 1 <= min n <= max n, got {}..={}",
                self.min_n, self.max_n
            )));
        }
        let start = Instant::now();
        let mut streams: Vec<Stream> = (0..STREAMS)
            .map(|i| Stream {
                rng: Rng::new(self.seed, i),
                hi: None,
                lo: None,
                gap: None,
                degenerate: None,
                up: None,
                down: None,
                masks: None,
                evals: 0,
            })
            .collect();
        let threshold = match &self.bound {
            Bound::Factor(k) => crate::exact::q_to_f64(&(k * k)),
            Bound::Abs(e) => crate::exact::q_to_f64(e),
            Bound::None => f64::INFINITY,
        };
        let mut tried: Vec<Vec<Counts>> = Vec::new();
        loop {
            streams
                .par_iter_mut()
                .enumerate()
                .for_each(|(i, s)| self.round(s, i as u64));
            let evals: u64 = streams.iter().map(|s| s.evals).sum();
            let (hi, lo, gap, degenerate) = merge(&streams);
            let spread = match (hi, lo) {
                (Some(h), Some(l)) => h.r / l.r,
                _ => 0.0,
            };
            progress.set_position(evals);
            progress.message(&format!("{evals} evaluations, best spread ≈ {spread:.4e}"));
            // Candidate violations, in order of strength.
            let mut suspects: Vec<Vec<Counts>> = Vec::new();
            match &self.bound {
                Bound::Factor(_) => {
                    if let Some(d) = degenerate {
                        suspects.push(vec![d]);
                    }
                    if let (Some(h), Some(l)) = (hi, lo) {
                        if spread > threshold * (1.0 - 1e-9) {
                            suspects.push(vec![h.c, l.c]);
                        }
                    }
                }
                Bound::Abs(_) => {
                    if let Some(g) = gap {
                        if g.r > threshold * (1.0 - 1e-9) {
                            suspects.push(vec![g.c]);
                        }
                    }
                }
                Bound::None => {}
            }
            for w in suspects {
                if tried.contains(&w) {
                    continue;
                }
                tried.push(w.clone());
                if self.violates(&w)? {
                    let (w, steps) = self.shrink(w)?;
                    return self.report(true, evals, start, w, steps);
                }
            }
            let out_of_budget =
                evals >= self.max_evals || start.elapsed().as_secs_f64() >= self.budget_s;
            if out_of_budget {
                let w = match (&self.bound, hi, lo, gap, degenerate) {
                    (Bound::Abs(_), _, _, Some(g), _) => vec![g.c],
                    (_, _, _, _, Some(d)) if !matches!(self.bound, Bound::Abs(_)) => vec![d],
                    (_, Some(h), Some(l), _, _) => vec![h.c, l.c],
                    _ => vec![],
                };
                return self.report(false, evals, start, w, 0);
            }
        }
    }

    fn report(
        &self,
        found: bool,
        evaluations: u64,
        start: Instant,
        w: Vec<Counts>,
        shrink_steps: u64,
    ) -> Result<Found> {
        let witnesses = w
            .iter()
            .map(|c| {
                let (target, candidate) = self.values(c, 128)?;
                Ok(Witness {
                    counts: *c,
                    target,
                    candidate,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (best_spread, best_spread_f64) = spread_of(&witnesses);
        let best_gap = match (&self.bound, witnesses.as_slice()) {
            (Bound::Abs(_), [w]) => Some(match &w.candidate {
                LossValue::Exact(k) => {
                    let d = k - &w.target;
                    format_q(&if d < Q::from_integer(0.into()) { -d } else { d })
                }
                LossValue::Interval(i) => {
                    format!("{:.20}", i.sub(&Interval::from_big(&w.target, 128)))
                }
            }),
            _ => None,
        };
        Ok(Found {
            best_gap,
            found,
            evaluations,
            seconds: start.elapsed().as_secs_f64(),
            best_spread,
            best_spread_f64,
            witnesses,
            shrink_steps,
        })
    }
}

/// The spread of a witness pair: exact when both candidates are exact.
fn spread_of(w: &[Witness]) -> (String, f64) {
    let ratio = |x: &Witness| -> Option<(LossValue, f64)> {
        let zero = Q::from_integer(0.into());
        if x.target == zero {
            return None;
        }
        match &x.candidate {
            LossValue::Exact(k) => {
                let r = k / &x.target;
                let f = crate::exact::q_to_f64(&r);
                Some((LossValue::Exact(r), f))
            }
            LossValue::Interval(i) => {
                let t = Interval::from_big(&x.target, 128);
                let r = i.div(&t).ok()?;
                let f = r.midpoint_f64();
                Some((LossValue::Interval(r), f))
            }
        }
    };
    match w {
        [a, b] => match (ratio(a), ratio(b)) {
            (Some((ra, fa)), Some((rb, fb))) => {
                if fa == 0.0 || fb == 0.0 {
                    return ("inf".into(), f64::INFINITY);
                }
                let (hi, lo, fhi, flo) = if fa >= fb {
                    (ra, rb, fa, fb)
                } else {
                    (rb, ra, fb, fa)
                };
                match (hi, lo) {
                    (LossValue::Exact(h), LossValue::Exact(l)) => (format_q(&(h / l)), fhi / flo),
                    (h, l) => match h.interval(128).div(&l.interval(128)) {
                        Ok(i) => (format!("{i:.20}"), fhi / flo),
                        Err(_) => ("inf".into(), f64::INFINITY),
                    },
                }
            }
            _ => ("inf".into(), f64::INFINITY),
        },
        [a] => match ratio(a) {
            Some((_, f)) if f > 0.0 => ("1".into(), 1.0),
            _ => ("inf".into(), f64::INFINITY),
        },
        _ => ("-".into(), f64::NAN),
    }
}

type Merged = (Option<Point>, Option<Point>, Option<Point>, Option<Counts>);

/// Extremes over all streams, ties to the lowest stream (deterministic).
fn merge(streams: &[Stream]) -> Merged {
    let mut hi: Option<Point> = None;
    let mut lo: Option<Point> = None;
    let mut gap: Option<Point> = None;
    let mut degenerate = None;
    for s in streams {
        if let Some(p) = s.hi {
            if hi.is_none_or(|h| p.r > h.r) {
                hi = Some(p);
            }
        }
        if let Some(p) = s.lo {
            if lo.is_none_or(|l| p.r < l.r) {
                lo = Some(p);
            }
        }
        if let Some(p) = s.gap {
            if gap.is_none_or(|g| p.r > g.r) {
                gap = Some(p);
            }
        }
        if degenerate.is_none() {
            degenerate = s.degenerate;
        }
    }
    (hi, lo, gap, degenerate)
}

/// Greedy shrinking: reduce one count, or two counts together, of one witness
/// by halves, quarters, …, one, keeping every step for which `keep(trial,
/// index of the changed witness)` holds, until no step does. TN is tried first
/// (it only shrinks the image). Returns the witnesses and the number of steps
/// kept. `search` and `prove` shrink with it, each with its own exact check.
pub fn shrink_greedy(
    mut w: Vec<Counts>,
    mut keep: impl FnMut(&[Counts], usize) -> Result<bool>,
) -> Result<(Vec<Counts>, u64)> {
    const MOVES: [&[usize]; 10] = [
        &[3],
        &[1],
        &[2],
        &[0],
        &[0, 1],
        &[0, 2],
        &[1, 2],
        &[0, 3],
        &[1, 3],
        &[2, 3],
    ];
    let mut steps = 0;
    loop {
        let mut improved = false;
        'outer: for idx in 0..w.len() {
            for fields in MOVES {
                let mut d = fields.iter().map(|&f| get(&w[idx], f)).min().unwrap_or(0);
                while d > 0 {
                    let mut trial = w.clone();
                    for &f in fields {
                        let v = get(&trial[idx], f);
                        set(&mut trial[idx], f, v - d);
                    }
                    if keep(&trial, idx)? {
                        w = trial;
                        steps += 1;
                        improved = true;
                        break 'outer;
                    }
                    d /= 2;
                }
            }
        }
        if !improved {
            return Ok((w, steps));
        }
    }
}

fn get(c: &Counts, f: usize) -> u64 {
    [c.tp, c.fp, c.fn_, c.tn][f]
}

fn set(c: &mut Counts, f: usize, v: u64) {
    match f {
        0 => c.tp = v,
        1 => c.fp = v,
        2 => c.fn_ = v,
        _ => c.tn = v,
    }
}

#[cfg(test)]
mod tests;
