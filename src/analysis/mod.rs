//! Approximation analysis: how far a candidate loss is from a target loss over a set
//! of configurations, exactly, with the configurations that show it.
//!
//! For every configuration visited, with target Δ₂ and candidate Δ₁:
//!
//! * Δ₂ > 0: the ratio Δ₁/Δ₂ updates the exact inf and sup (and their witnesses);
//! * Δ₂ = 0 < Δ₁: the sup is infinite (`unbounded`), with a witness;
//! * Δ₂ = Δ₁ = 0: the ratio is 0/0 and the configuration is counted as skipped;
//! * always: |Δ₁ − Δ₂| updates the exact sup of the absolute gap.
//!
//! The spread sup/inf is what "equivalent up to a factor" means (theory §2).
//!
//! Why it is shaped like this: a [`Spread`] is a mergeable summary. Enumerators run
//! chunks in parallel, on cluster shards, or across an interrupted run, and merge
//! their summaries; ties between equal extreme values are broken by the smallest
//! count tuple (TP, FP, FN, TN), so the merged result, witnesses included, is the
//! same however the work was split. Values are compared exactly: `u128` fractions
//! by 256-bit cross-multiplication, with an `f64` prefilter that only skips
//! comparisons whose outcome the rounding error cannot change, and big rationals
//! whenever `u128` would overflow.

pub mod json;

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_traits::Zero;

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::small::{small_of, Frac128};
use crate::exact::Q;
use crate::measures::{EmptyPolicy, Measure, Value};

/// A loss value: a `u128` fraction on the fast path, a big rational otherwise.
#[derive(Clone, Debug)]
pub enum Val {
    /// Fast exact path.
    Small(Frac128),
    /// Overflowed `u128`: exact big rational.
    Big(Q),
}

impl Val {
    /// A value from an exact rational, on the fast path when it fits.
    pub fn from_q(q: Q) -> Val {
        match small_of(&q) {
            Some(f) => Val::Small(f),
            None => Val::Big(q),
        }
    }

    /// The exact rational.
    pub fn to_q(&self) -> Q {
        match self {
            Val::Small(f) => f.to_q(),
            Val::Big(q) => q.clone(),
        }
    }
}

/// A target/candidate pair of measures under an empty-mask policy: evaluates both
/// losses on a configuration with the fast path first.
#[derive(Clone, Debug)]
pub struct Pair {
    /// The loss being approximated (Δ₂).
    pub target: Measure,
    /// The loss approximating it (Δ₁).
    pub candidate: Measure,
    /// How a measure's own 0/0 is resolved before the comparison.
    pub policy: EmptyPolicy,
}

impl Pair {
    /// A pair under a policy. `nan` and `nan-if-gt-empty` are refused: a ratio with an
    /// undefined loss has no meaning, so analyses resolve 0/0 with `one`, `zero` or
    /// `error`.
    pub fn new(target: Measure, candidate: Measure, policy: EmptyPolicy) -> Result<Pair> {
        if matches!(policy, EmptyPolicy::Nan | EmptyPolicy::NanIfGtEmpty) {
            return Err(Error::invalid(
                "approximation analysis needs a value for every configuration: use --empty one, zero or error",
            ));
        }
        Ok(Pair {
            target,
            candidate,
            policy,
        })
    }

    /// One loss at a configuration, fast path first.
    #[inline]
    pub fn loss(&self, m: &Measure, c: &Counts) -> Result<Val> {
        match m.counts().loss_wide(c).parts() {
            Some((n, d)) if d != 0 => Ok(Val::Small(Frac128::new(n, d))),
            Some(_) => self.empty(m, c),
            None => match m.loss_raw(c) {
                Some(q) => Ok(Val::Big(q)),
                None => self.empty(m, c),
            },
        }
    }

    fn empty(&self, m: &Measure, c: &Counts) -> Result<Val> {
        match m.loss(c, self.policy)? {
            Value::Exact(q) => Ok(Val::from_q(q)),
            Value::NaN => Err(Error::invalid("undefined loss under the nan policy")),
        }
    }

    /// Both losses as `u128` fractions, or `None` when either overflowed or is a 0/0
    /// that the policy must resolve (then call [`Pair::eval`]). The hot path: no
    /// allocation, no `Result`.
    #[inline]
    pub fn eval_small(&self, c: &Counts) -> Option<(Frac128, Frac128)> {
        let (tn, td) = self.target.counts().loss_wide(c).parts()?;
        let (kn, kd) = self.candidate.counts().loss_wide(c).parts()?;
        if td == 0 || kd == 0 {
            return None;
        }
        Some((Frac128::new(tn, td), Frac128::new(kn, kd)))
    }

    /// Both losses at a configuration: (target, candidate).
    #[inline]
    pub fn eval(&self, c: &Counts) -> Result<(Val, Val)> {
        Ok((self.loss(&self.target, c)?, self.loss(&self.candidate, c)?))
    }
}

/// An extreme value with the configuration attaining it.
#[derive(Clone, Debug, PartialEq)]
pub struct Extreme<W = Counts> {
    /// The exact value, reduced.
    pub value: Q,
    /// The same value unreduced in `u128`, when it fits (fast comparisons).
    small: Option<Frac128>,
    /// f64 approximation, for the prefilter.
    approx: f64,
    /// The smallest configuration (for counts: in (TP, FP, FN, TN) order) attaining it.
    pub witness: W,
}

impl<W: Witness> Extreme<W> {
    fn from_val(v: &Val, witness: W) -> Extreme<W> {
        match v {
            Val::Small(f) => Extreme {
                value: f.to_q(),
                small: Some(*f),
                approx: f.to_f64(),
                witness,
            },
            Val::Big(q) => Extreme::from_q(q.clone(), witness),
        }
    }

    /// An extreme from an exact value (used when reading saved summaries).
    pub fn from_q(value: Q, witness: W) -> Extreme<W> {
        use num_traits::ToPrimitive;
        Extreme {
            approx: value.to_f64().unwrap_or(f64::NAN),
            small: small_of(&value),
            value,
            witness,
        }
    }

    fn cmp_val(&self, v: &Val) -> Ordering {
        match (v, &self.small) {
            (Val::Small(f), Some(s)) => f.cmp_exact(s),
            _ => v.to_q().cmp(&self.value),
        }
    }
}

/// Which way an extreme goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Max,
    Min,
}

/// Relative tolerance of the f64 prefilter: far above the ~4e-16 relative error of
/// converting a `u128` fraction to f64, so a skipped comparison is always one whose
/// exact outcome is "not better".
const PREFILTER: f64 = 1e-9;

#[inline]
fn update<W: Witness>(slot: &mut Option<Extreme<W>>, v: &Val, c: &W, dir: Dir) {
    let Some(cur) = slot else {
        *slot = Some(Extreme::from_val(v, c.clone()));
        return;
    };
    if let Val::Small(f) = v {
        let x = f.to_f64();
        let margin = PREFILTER * cur.approx.abs() + f64::MIN_POSITIVE;
        let clearly_worse = match dir {
            Dir::Max => x < cur.approx - margin,
            Dir::Min => x > cur.approx + margin,
        };
        if clearly_worse {
            return;
        }
    }
    let ord = cur.cmp_val(v);
    let better = match (dir, ord) {
        (Dir::Max, Ordering::Greater) | (Dir::Min, Ordering::Less) => true,
        (_, Ordering::Equal) => *c < cur.witness,
        _ => false,
    };
    if better {
        *slot = Some(Extreme::from_val(v, c.clone()));
    }
}

fn merge_extreme<W: Witness>(slot: &mut Option<Extreme<W>>, other: Option<Extreme<W>>, dir: Dir) {
    let Some(o) = other else { return };
    let Some(cur) = slot else {
        *slot = Some(o);
        return;
    };
    let better = match (dir, o.value.cmp(&cur.value)) {
        (Dir::Max, Ordering::Greater) | (Dir::Min, Ordering::Less) => true,
        (_, Ordering::Equal) => o.witness < cur.witness,
        _ => false,
    };
    if better {
        *slot = Some(o);
    }
}

/// The mergeable summary of an approximation analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread<W = Counts> {
    /// Configurations covered (mask pairs, counted with multiplicity).
    pub configurations: BigUint,
    /// Distinct count tuples evaluated.
    pub tuples: u64,
    /// Configurations with target = candidate = 0 (ratio 0/0).
    pub skipped: BigUint,
    /// inf candidate/target over configurations with target > 0.
    pub min_ratio: Option<Extreme<W>>,
    /// sup candidate/target over configurations with target > 0.
    pub max_ratio: Option<Extreme<W>>,
    /// Smallest configuration with target = 0 < candidate (sup is infinite).
    pub unbounded: Option<W>,
    /// sup |candidate − target|.
    pub max_gap: Option<Extreme<W>>,
}

/// What a configuration must offer to be a witness: a total order (ties between
/// equal extremes go to the smallest witness, so merging is order-independent).
pub trait Witness: Clone + Ord + std::fmt::Debug {}

impl<W: Clone + Ord + std::fmt::Debug> Witness for W {}

impl<W> Default for Spread<W> {
    fn default() -> Self {
        Spread {
            configurations: BigUint::default(),
            tuples: 0,
            skipped: BigUint::default(),
            min_ratio: None,
            max_ratio: None,
            unbounded: None,
            max_gap: None,
        }
    }
}

impl<W: Witness> Spread<W> {
    /// Visits one count tuple. `weight` gives its multiplicity and is only called
    /// for skipped tuples (the total is tracked by the enumerator per chunk).
    #[inline]
    pub fn visit(
        &mut self,
        c: &W,
        target: &Val,
        candidate: &Val,
        weight: impl FnOnce() -> BigUint,
    ) {
        if let (Val::Small(t), Val::Small(k)) = (target, candidate) {
            self.visit_fracs(c, t, k, weight);
        } else {
            self.tuples += 1;
            self.visit_big(c, target, candidate, weight);
        }
    }

    /// The hot path: both losses are `u128` fractions. An f64 estimate of the gap
    /// and the ratio decides whether the exact values can beat the current extremes
    /// at all; only then is the exact fraction formed and compared (on the big path
    /// if a product overflows `u128`).
    #[inline]
    pub fn visit_fracs(
        &mut self,
        c: &W,
        t: &Frac128,
        k: &Frac128,
        weight: impl FnOnce() -> BigUint,
    ) {
        self.tuples += 1;
        let (tf, kf) = (t.to_f64(), k.to_f64());
        // |kf − tf| is within ~1e-15·(kf + tf) of the exact gap.
        let gap_candidate = self.max_gap.as_ref().is_none_or(|cur| {
            (kf - tf).abs() >= cur.approx - PREFILTER * (cur.approx + kf + tf) - f64::MIN_POSITIVE
        });
        let (need_max, need_min) = if t.is_zero() {
            (false, false)
        } else {
            let rf = kf / tf;
            (
                self.max_ratio
                    .as_ref()
                    .is_none_or(|cur| rf >= cur.approx * (1.0 - PREFILTER)),
                self.min_ratio
                    .as_ref()
                    .is_none_or(|cur| rf <= cur.approx * (1.0 + PREFILTER) + f64::MIN_POSITIVE),
            )
        };
        // The exact values the prefilter could not rule out; an inner `None` is a
        // `u128` overflow, which sends the whole configuration to the big path.
        let gap = gap_candidate.then(|| k.checked_abs_diff(t));
        let ratio = (need_max || need_min).then(|| k.checked_div(t));
        if matches!(gap, Some(None)) || matches!(ratio, Some(None)) {
            self.visit_big(c, &Val::Small(*t), &Val::Small(*k), weight);
            return;
        }
        if let Some(Some(g)) = gap {
            update(&mut self.max_gap, &Val::Small(g), c, Dir::Max);
        }
        if t.is_zero() {
            if k.is_zero() {
                self.skipped += weight();
            } else if self.unbounded.as_ref().is_none_or(|u| c < u) {
                self.unbounded = Some(c.clone());
            }
            return;
        }
        if let Some(Some(r)) = ratio {
            let r = Val::Small(r);
            if need_max {
                update(&mut self.max_ratio, &r, c, Dir::Max);
            }
            if need_min {
                update(&mut self.min_ratio, &r, c, Dir::Min);
            }
        }
    }

    /// The general path with big rationals.
    fn visit_big(
        &mut self,
        c: &W,
        target: &Val,
        candidate: &Val,
        weight: impl FnOnce() -> BigUint,
    ) {
        let (tq, kq) = (target.to_q(), candidate.to_q());
        let d = &kq - &tq;
        let gap = Val::from_q(if d < Q::zero() { -d } else { d });
        update(&mut self.max_gap, &gap, c, Dir::Max);
        if tq.is_zero() {
            if kq.is_zero() {
                self.skipped += weight();
            } else if self.unbounded.as_ref().is_none_or(|u| c < u) {
                self.unbounded = Some(c.clone());
            }
            return;
        }
        let ratio = Val::from_q(kq / tq);
        update(&mut self.max_ratio, &ratio, c, Dir::Max);
        update(&mut self.min_ratio, &ratio, c, Dir::Min);
    }

    /// Folds another summary into this one. Order does not matter.
    pub fn merge(&mut self, o: Spread<W>) {
        self.configurations += o.configurations;
        self.tuples += o.tuples;
        self.skipped += o.skipped;
        merge_extreme(&mut self.min_ratio, o.min_ratio, Dir::Min);
        merge_extreme(&mut self.max_ratio, o.max_ratio, Dir::Max);
        merge_extreme(&mut self.max_gap, o.max_gap, Dir::Max);
        if let Some(u) = o.unbounded {
            if self.unbounded.as_ref().is_none_or(|cur| u < *cur) {
                self.unbounded = Some(u);
            }
        }
    }

    /// sup/inf of the ratio: `None` if unbounded, if the inf is 0, or if no
    /// configuration had target > 0.
    pub fn spread(&self) -> Option<Q> {
        if self.unbounded.is_some() {
            return None;
        }
        let (lo, hi) = (self.min_ratio.as_ref()?, self.max_ratio.as_ref()?);
        if lo.value.is_zero() {
            None
        } else {
            Some(&hi.value / &lo.value)
        }
    }
}

/// Multinomial coefficient n!/(tp! fp! fn! tn!) of a count tuple: the number of
/// mask pairs with those counts.
pub fn multiplicity(c: &Counts) -> BigUint {
    let n = c.n();
    binomial(n, c.tp) * binomial(n - c.tp, c.fp) * binomial(n - c.tp - c.fp, c.fn_)
}

/// Binomial coefficient C(n, k) exactly.
pub fn binomial(n: u64, k: u64) -> BigUint {
    if k > n {
        return BigUint::zero();
    }
    let k = k.min(n - k);
    let mut acc = BigUint::from(1u32);
    for i in 0..k {
        acc = acc * BigUint::from(n - i) / BigUint::from(i + 1);
    }
    acc
}
