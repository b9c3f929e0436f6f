//! Weighted cross-entropy (wCE) on soft predictions, with certified values, and
//! the exact rational quantities it is compared with: the soft Dice loss, and the
//! weighted Hamming and Dice losses of the thresholded decision.
//!
//! # Why intervals
//!
//! For n voxels with labels y ∈ {0,1}^n, rational probabilities p ∈ \[0,1\]^n and a
//! fixed weight w ∈ \[0,1\],
//!
//! ```text
//! wCE = (1/n) Σ_i −[ w·y_i·ln p_i + (1−w)·(1−y_i)·ln(1−p_i) ].
//! ```
//!
//! The natural logarithm of a positive rational other than 1 is irrational (even
//! transcendental, by Hermite–Lindemann), so wCE is almost never a rational and
//! cannot be written down exactly. Every wCE value returned here is therefore an
//! [`Interval`] that is *certain* to contain the true value: each logarithm, product
//! and sum is rounded outward by MPFR, so precision only affects the width, never the
//! containment. A question such as "is wCE ≥ ln 2 · H?" is settled by
//! [`decide`]: it evaluates the difference at 64 bits and doubles the precision until
//! the interval lies on one side of the reference (see [`cmp_wce`],
//! [`cmp_wce_ln2`]). Intervals cannot certify an *equality*, so for comparisons with
//! rational multiples of ln 2, where equality does occur (one foreground voxel at
//! p = 1/2 has wCE = w·ln 2 exactly), [`cmp_wce_ln2_exact`] decides with integers
//! alone: see its documentation. The two paths share no code and the claims run both.
//!
//! [`wce_f64`] is a fast `f64` evaluation for cross-checks and display only.
//!
//! # Conventions
//!
//! * **w multiplies the foreground term** (label 1, `ln p`) and 1 − w the background
//!   term (label 0, `ln(1−p)`), matching the weighted Hamming loss
//!   `(w·FN + (1−w)·FP)/n`, where w multiplies FN.
//! * **0 · ln 0 = 0.** A term whose coefficient is zero contributes exactly 0, even
//!   when its logarithm's argument is 0: a background voxel never involves `ln p`, a
//!   foreground voxel never involves `ln(1−p)`, and with w = 0 (or w = 1) the
//!   foreground (background) terms vanish whatever p is. This is the limit
//!   `x ln x → 0` and what label-masked implementations compute.
//! * **+∞ is an error, not a value.** A term with a positive coefficient and argument
//!   0 (a foreground voxel at p = 0 with w > 0, or a background voxel at p = 1 with
//!   w < 1) makes wCE = +∞. [`wce`] then returns [`Error::Invalid`] saying the loss is
//!   infinite and naming the group: an [`Interval`] holds real numbers only, and an
//!   infinite loss is not a number to do arithmetic with. [`infinite_group`] tests for
//!   it exactly beforehand, and the comparison functions ([`cmp_wce`],
//!   [`cmp_wce_ln2`], [`cmp_wce_ln2_exact`]) answer `Greater` for it without
//!   evaluating anything; [`wce_f64`] returns `f64::INFINITY`.
//! * **Decision ŷ = [p > 1/2].** p = 1/2 exactly is predicted background, as a
//!   `p > 0.5` threshold does.
//! * **Soft Dice** SD = 1 − 2I/S with I = Σ p_i y_i and S = Σ p_i + Σ y_i. S = 0 means
//!   the ground truth is empty and every p_i = 0; SD is then 0 (loss 0, the `one`
//!   policy of the hard measures). The Dice loss of the decision uses the same policy.
//!
//! # Grouped voxels
//!
//! Losses here depend on a configuration only through the multiset of
//! (label, probability) pairs, so a [`SoftConfig`] stores [`Group`]s of identical
//! voxels with a `u64` count. A million-voxel image with four kinds of voxel costs
//! four logarithms.

use std::cmp::Ordering;
use std::collections::HashMap;

use num_bigint::BigInt;
use num_traits::{One, Pow, Signed, ToPrimitive, Zero};
use rug::Rational;
use serde_json::{json, Value as Json};

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::convert::big_to_rug;
use crate::exact::interval::{decide, ln2, Interval, Precision};
use crate::exact::{format_q, q_to_f64, Q};

fn half() -> Q {
    Q::new(BigInt::from(1), BigInt::from(2))
}

fn qu(v: u64) -> Q {
    Q::from_integer(BigInt::from(v))
}

/// Checks that a wCE weight lies in [0, 1].
pub fn check_weight(w: &Q) -> Result<()> {
    if w.is_negative() || *w > Q::one() {
        return Err(Error::invalid(format!(
            "the weighted cross-entropy weight w must lie in [0, 1], got {}",
            format_q(w)
        )));
    }
    Ok(())
}

/// `count` identical voxels: ground-truth label `label` (true = foreground) and
/// predicted foreground probability `p` ∈ [0, 1].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Group {
    /// Number of voxels in the group.
    pub count: u64,
    /// Ground-truth label y (true = foreground).
    pub label: bool,
    /// Predicted foreground probability, exact.
    pub p: Q,
}

impl Group {
    /// A group (validated when put into a [`SoftConfig`]).
    pub fn new(count: u64, label: bool, p: Q) -> Group {
        Group { count, label, p }
    }

    /// The coefficient of this group's logarithm: w for label 1, 1 − w for label 0.
    pub fn weight(&self, w: &Q) -> Q {
        if self.label {
            w.clone()
        } else {
            Q::one() - w
        }
    }

    /// The argument of this group's logarithm, the predicted probability of the
    /// true class: p for label 1, 1 − p for label 0.
    pub fn log_arg(&self) -> Q {
        if self.label {
            self.p.clone()
        } else {
            Q::one() - &self.p
        }
    }

    /// |p − y| = 1 − [`Group::log_arg`].
    pub fn error(&self) -> Q {
        Q::one() - self.log_arg()
    }

    /// The decision ŷ = [p > 1/2].
    pub fn decision(&self) -> bool {
        self.p > half()
    }
}

/// A soft configuration: ground-truth labels and exact predicted probabilities on
/// n ≥ 1 voxels, stored as groups of identical voxels.
///
/// Invariants (checked by every constructor): every p lies in [0, 1], every group
/// has a positive count (groups with count 0 hold no voxel and are dropped), and the
/// total n fits in a `u64` and is at least 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoftConfig {
    groups: Vec<Group>,
    n: u64,
}

impl SoftConfig {
    /// A configuration from groups, validated as described on the type.
    pub fn new(groups: Vec<Group>) -> Result<SoftConfig> {
        let mut n: u64 = 0;
        let mut kept = Vec::with_capacity(groups.len());
        for (i, g) in groups.into_iter().enumerate() {
            if g.p.is_negative() || g.p > Q::one() {
                return Err(Error::invalid(format!(
                    "group {i}: the probability p must lie in [0, 1], got {}",
                    format_q(&g.p)
                )));
            }
            n = n.checked_add(g.count).ok_or_else(|| {
                Error::invalid("the group counts sum to more than 2^64 - 1 voxels")
            })?;
            if g.count > 0 {
                kept.push(g);
            }
        }
        if n == 0 {
            return Err(Error::invalid(
                "a soft configuration needs at least one voxel (the counts sum to 0)",
            ));
        }
        Ok(SoftConfig { groups: kept, n })
    }

    /// A configuration from per-voxel labels and probabilities of equal length.
    /// Voxels with the same (label, p) are merged into one group, in order of first
    /// appearance.
    pub fn from_voxels(labels: &[bool], probs: &[Q]) -> Result<SoftConfig> {
        if labels.len() != probs.len() {
            return Err(Error::Mismatch(format!(
                "{} labels but {} probabilities",
                labels.len(),
                probs.len()
            )));
        }
        let mut index: HashMap<(bool, &Q), usize> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for (&y, p) in labels.iter().zip(probs) {
            match index.get(&(y, p)) {
                Some(&i) => groups[i].count += 1,
                None => {
                    index.insert((y, p), groups.len());
                    groups.push(Group::new(1, y, p.clone()));
                }
            }
        }
        SoftConfig::new(groups)
    }

    /// The groups (each with a positive count).
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The number of voxels n.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// |y|, the number of foreground voxels in the ground truth.
    pub fn gt_size(&self) -> u64 {
        self.groups
            .iter()
            .filter(|g| g.label)
            .map(|g| g.count)
            .sum()
    }

    /// Confusion counts of the decision ŷ = [p > 1/2] against the labels.
    pub fn decision_counts(&self) -> Counts {
        let mut c = Counts::default();
        for g in &self.groups {
            match (g.label, g.decision()) {
                (true, true) => c.tp += g.count,
                (false, true) => c.fp += g.count,
                (true, false) => c.fn_ += g.count,
                (false, false) => c.tn += g.count,
            }
        }
        c
    }

    /// S = Σ p_i + Σ y_i, exact.
    pub fn soft_sum(&self) -> Q {
        let mut s = Q::zero();
        for g in &self.groups {
            s += qu(g.count) * &g.p;
            if g.label {
                s += qu(g.count);
            }
        }
        s
    }

    /// I = Σ p_i y_i, exact.
    pub fn soft_intersection(&self) -> Q {
        let mut i = Q::zero();
        for g in self.groups.iter().filter(|g| g.label) {
            i += qu(g.count) * &g.p;
        }
        i
    }

    /// ‖p − y‖₁, exact. For binary labels S − 2I = ‖p − y‖₁, so SD = ‖p − y‖₁ / S.
    pub fn l1_error(&self) -> Q {
        let mut e = Q::zero();
        for g in &self.groups {
            e += qu(g.count) * g.error();
        }
        e
    }

    /// The soft Dice loss SD = 1 − 2I/S, exact; 0 when S = 0 (empty ground truth and
    /// every p = 0).
    pub fn soft_dice_loss(&self) -> Q {
        let s = self.soft_sum();
        if s.is_zero() {
            return Q::zero();
        }
        Q::one() - qu(2) * self.soft_intersection() / s
    }

    /// The weighted Hamming loss (w·FN + (1−w)·FP)/n of the decision ŷ = [p > 1/2],
    /// exact.
    pub fn weighted_hamming(&self, w: &Q) -> Result<Q> {
        check_weight(w)?;
        let c = self.decision_counts();
        Ok((w * qu(c.fn_) + (Q::one() - w) * qu(c.fp)) / qu(self.n))
    }

    /// The Dice loss (FP+FN)/(2TP+FP+FN) of the decision ŷ = [p > 1/2], exact; 0 when
    /// both masks are empty.
    pub fn decision_dice_loss(&self) -> Q {
        let c = self.decision_counts();
        let e = c.fp + c.fn_;
        if e == 0 {
            return Q::zero();
        }
        Q::new(BigInt::from(e), BigInt::from(2 * c.tp + e))
    }

    /// `{"n": n, "groups": [{"count": c, "label": 0|1, "p": "p/q"}, …]}`.
    pub fn to_json(&self) -> Json {
        let groups: Vec<Json> = self
            .groups
            .iter()
            .map(|g| json!({"count": g.count, "label": u8::from(g.label), "p": format_q(&g.p)}))
            .collect();
        json!({"n": self.n, "groups": groups})
    }
}

/// The first group whose wCE term is +∞ (positive coefficient, logarithm of 0), or
/// `None` if wCE is finite. Exact.
pub fn infinite_group(cfg: &SoftConfig, w: &Q) -> Option<usize> {
    cfg.groups
        .iter()
        .position(|g| !g.weight(w).is_zero() && g.log_arg().is_zero())
}

fn infinite_error(cfg: &SoftConfig, w: &Q, i: usize) -> Error {
    let g = &cfg.groups[i];
    Error::invalid(format!(
        "the weighted cross-entropy is infinite (+∞): group {i} ({} voxel(s) with label {} \
         and p = {}) takes the logarithm of 0 with weight {} > 0",
        g.count,
        u8::from(g.label),
        format_q(&g.p),
        format_q(&g.weight(w))
    ))
}

/// wCE as an interval certain to contain it, computed at `prec` bits with outward
/// rounding.
///
/// Each group contributes `−(weight·count/n) · ln(arg)`: the coefficient is formed
/// exactly as a rational first, so only its conversion, the logarithm, the product
/// and the sum round. Terms with a zero coefficient or argument 1 are exactly 0 and
/// skipped. The lower endpoint is never negative.
///
/// Errors: [`Error::Invalid`] if w ∉ [0, 1], or if wCE is +∞ (see
/// [`infinite_group`]; the message says the loss is infinite).
pub fn wce(cfg: &SoftConfig, w: &Q, prec: u32) -> Result<Interval> {
    check_weight(w)?;
    if let Some(i) = infinite_group(cfg, w) {
        return Err(infinite_error(cfg, w, i));
    }
    let n = qu(cfg.n);
    let mut acc = Interval::from_int(0, prec);
    for g in &cfg.groups {
        let coef = g.weight(w) * qu(g.count) / &n;
        let arg = g.log_arg();
        if coef.is_zero() || arg.is_one() {
            continue;
        }
        let l = Interval::from_big(&arg, prec).ln()?;
        acc = acc.sub(&Interval::from_big(&coef, prec).mul(&l));
    }
    Ok(acc)
}

/// `ln` of a big positive integer in `f64`, without overflowing for huge values.
fn ln_big_f64(x: &BigInt) -> f64 {
    let bits = x.bits();
    if bits <= 1000 {
        return x.to_f64().unwrap_or(f64::NAN).ln();
    }
    let shift = bits - 64;
    let top = (x >> shift).to_f64().unwrap_or(f64::NAN);
    top.ln() + shift as f64 * std::f64::consts::LN_2
}

/// `−ln r` in `f64` for a rational r ∈ (0, 1], accurate to a few ulps relative:
/// `ln_1p` near 1 (so `−ln(1 − 10^-9)` keeps its digits), numerator and
/// denominator logs separately below `f64`'s normal range.
fn neg_ln_f64(r: &Q) -> f64 {
    if *r > half() {
        let m = Q::one() - r;
        return -(-q_to_f64(&m)).ln_1p();
    }
    let x = q_to_f64(r);
    if x.is_normal() {
        -x.ln()
    } else {
        ln_big_f64(r.denom()) - ln_big_f64(r.numer())
    }
}

/// wCE in `f64`: fast, **not certified**, for cross-checks and display. Each term is
/// accurate to a few ulps relative and all terms are non-negative, so the sum has
/// a small relative error. `f64::INFINITY` when wCE is +∞; NaN if w ∉ [0, 1].
pub fn wce_f64(cfg: &SoftConfig, w: &Q) -> f64 {
    if check_weight(w).is_err() {
        return f64::NAN;
    }
    if infinite_group(cfg, w).is_some() {
        return f64::INFINITY;
    }
    let n = qu(cfg.n);
    let mut acc = 0.0f64;
    for g in &cfg.groups {
        let coef = g.weight(w) * qu(g.count) / &n;
        let arg = g.log_arg();
        if coef.is_zero() || arg.is_one() {
            continue;
        }
        acc += q_to_f64(&coef) * neg_ln_f64(&arg);
    }
    acc
}

/// Whether `x` lies in `iv` widened by `rel` relative (and by `rel` times the
/// magnitude of the endpoints): for cross-checking [`wce_f64`] against [`wce`].
pub fn f64_within(iv: &Interval, x: f64, rel: f64) -> bool {
    let (lo, hi) = iv.to_f64_bounds();
    x.is_finite() && x >= lo - rel * lo.abs() && x <= hi + rel * hi.abs()
}

/// wCE − c·ln 2 as a certified interval at `prec` bits (errors as [`wce`]).
pub fn wce_minus_ln2_multiple(cfg: &SoftConfig, w: &Q, c: &Q, prec: u32) -> Result<Interval> {
    Ok(wce(cfg, w, prec)?.sub(&ln2(prec).mul(&Interval::from_big(c, prec))))
}

/// The transfer gap wCE − ln 2 · H_w(ŷ) at the decision ŷ = [p > 1/2], certified.
pub fn transfer_gap(cfg: &SoftConfig, w: &Q, prec: u32) -> Result<Interval> {
    let h = cfg.weighted_hamming(w)?;
    wce_minus_ln2_multiple(cfg, w, &h, prec)
}

/// Certified comparison of wCE with a rational q: the [`Ordering`] of wCE against q
/// and the precision (bits) that settled it. An infinite wCE is `Greater`, decided
/// exactly (precision 0). Equality is never certified (wCE is irrational unless it is
/// 0): a wCE of exactly q = 0 is `Equal` only because its interval is the point 0.
/// [`Error::Undecided`] past `precision.max`.
pub fn cmp_wce(cfg: &SoftConfig, w: &Q, q: &Q, precision: Precision) -> Result<(Ordering, u32)> {
    check_weight(w)?;
    if infinite_group(cfg, w).is_some() {
        return Ok((Ordering::Greater, 0));
    }
    decide(|p| wce(cfg, w, p), &big_to_rug(q), precision)
}

/// Certified comparison of wCE with c·ln 2 for a rational c, as [`cmp_wce`]. When
/// the two are equal the intervals keep straddling and the answer is
/// [`Error::Undecided`]; use [`cmp_wce_ln2_exact`] to settle equality.
pub fn cmp_wce_ln2(
    cfg: &SoftConfig,
    w: &Q,
    c: &Q,
    precision: Precision,
) -> Result<(Ordering, u32)> {
    check_weight(w)?;
    if infinite_group(cfg, w).is_some() {
        return Ok((Ordering::Greater, 0));
    }
    decide(
        |p| wce_minus_ln2_multiple(cfg, w, c, p),
        &Rational::new(),
        precision,
    )
}

/// Exact comparison of wCE with c·ln 2 for a rational c ≥ 0, with integers only (no
/// logarithm is evaluated), including equality.
///
/// Write w = a/b in lowest terms, give group g the integer exponent
/// e_g = count_g·a (label 1) or count_g·(b − a) (label 0), and its log argument
/// r_g = N_g/D_g. Then n·b·wCE = −Σ e_g ln r_g = ln(D/N) with N = Π N_g^{e_g} and
/// D = Π D_g^{e_g} (groups with e_g = 0 are left out: 0·ln 0 = 0). With
/// c·n·b = u/v in lowest terms,
///
/// ```text
/// wCE ⋛ c·ln 2  ⇔  v·ln(D/N) ⋛ u·ln 2  ⇔  D^v ⋛ N^v · 2^u,
/// ```
///
/// an exact integer comparison. An infinite wCE is `Greater`.
///
/// The integers have about Σ e_g·v·(bits N_g + bits D_g) + u bits; when that exceeds
/// `max_bits` (or an exponent does not fit in a `u64`) the answer is `Ok(None)`.
/// Errors: w ∉ [0, 1] or c < 0.
pub fn cmp_wce_ln2_exact(
    cfg: &SoftConfig,
    w: &Q,
    c: &Q,
    max_bits: u64,
) -> Result<Option<Ordering>> {
    check_weight(w)?;
    if c.is_negative() {
        return Err(Error::invalid(format!(
            "cmp_wce_ln2_exact needs c >= 0, got {}",
            format_q(c)
        )));
    }
    if infinite_group(cfg, w).is_some() {
        return Ok(Some(Ordering::Greater));
    }
    let (a, b) = (w.numer(), w.denom());
    let t = c * qu(cfg.n) * Q::from_integer(b.clone());
    let (Some(u), Some(v)) = (t.numer().to_u64(), t.denom().to_u64()) else {
        return Ok(None);
    };
    let mut factors: Vec<(u64, Q)> = Vec::new();
    let mut bits: u64 = u;
    for g in &cfg.groups {
        let k = if g.label { a.clone() } else { b - a };
        let Some(e) = (BigInt::from(g.count) * k).to_u64() else {
            return Ok(None);
        };
        let r = g.log_arg();
        if e == 0 || r.is_one() {
            continue;
        }
        let Some(e) = e.checked_mul(v) else {
            return Ok(None);
        };
        let size = r.numer().bits() + r.denom().bits();
        bits = match e.checked_mul(size).and_then(|x| x.checked_add(bits)) {
            Some(x) if x <= max_bits => x,
            _ => return Ok(None),
        };
        factors.push((e, r));
    }
    let mut num = BigInt::one();
    let mut den = BigInt::one();
    for (e, r) in &factors {
        num *= Pow::pow(r.numer(), *e);
        den *= Pow::pow(r.denom(), *e);
    }
    let Ok(shift) = usize::try_from(u) else {
        return Ok(None);
    };
    Ok(Some(den.cmp(&(num << shift))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::parse_rational;
    use crate::measures::{parse_measure, EmptyPolicy};
    use proptest::prelude::*;

    fn q(s: &str) -> Q {
        parse_rational(s).expect("rational")
    }

    fn cfg(groups: &[(u64, bool, &str)]) -> SoftConfig {
        SoftConfig::new(
            groups
                .iter()
                .map(|&(c, y, p)| Group::new(c, y, q(p)))
                .collect(),
        )
        .expect("valid")
    }

    const WEIGHTS: [&str; 7] = ["0", "1/10", "1/4", "1/2", "3/4", "9/10", "1"];

    #[test]
    fn one_hedged_voxel_is_half_ln2() {
        let c = cfg(&[(1, true, "1/2")]);
        let w = q("1/2");
        for prec in [53, 64, 200] {
            let v = wce(&c, &w, prec).expect("finite");
            // ln 2 / 2 at a higher precision lies inside.
            let truth = ln2(400).mul(&Interval::from_big(&w, 400));
            assert!(
                v.lo() <= truth.lo() && v.hi() >= truth.hi(),
                "{v} vs {truth}"
            );
        }
        assert_eq!(
            cmp_wce_ln2_exact(&c, &w, &q("1/2"), 1 << 20).expect("ok"),
            Some(Ordering::Equal)
        );
        // Background voxel at p = 1/2 with w = 1/2: also ln 2 / 2.
        let b = cfg(&[(1, false, "1/2")]);
        assert_eq!(
            cmp_wce_ln2_exact(&b, &w, &q("1/2"), 1 << 20).expect("ok"),
            Some(Ordering::Equal)
        );
        // p = 1/4 on a foreground voxel with w = 1: wCE = ln 4 = 2 ln 2.
        let f = cfg(&[(1, true, "1/4")]);
        assert_eq!(
            cmp_wce_ln2_exact(&f, &q("1"), &q("2"), 1 << 20).expect("ok"),
            Some(Ordering::Equal)
        );
        assert_eq!(
            cmp_wce_ln2_exact(&f, &q("1"), &q("199/100"), 1 << 20).expect("ok"),
            Some(Ordering::Greater)
        );
        let (o, _) = cmp_wce_ln2(&f, &q("1"), &q("199/100"), Precision::default()).expect("ok");
        assert_eq!(o, Ordering::Greater);
        // Four voxels, one hedged: wCE = ln 2 / 4 ≈ 0.1733.
        let g = cfg(&[(3, true, "1"), (1, true, "1/2")]);
        let (o, _) = cmp_wce(&g, &q("1"), &q("173/1000"), Precision::default()).expect("ok");
        assert_eq!(o, Ordering::Greater);
        let (o, _) = cmp_wce(&g, &q("1"), &q("174/1000"), Precision::default()).expect("ok");
        assert_eq!(o, Ordering::Less);
    }

    #[test]
    fn zero_weight_terms_vanish_and_positive_ones_are_infinite() {
        // Foreground voxel at p = 0: 0·ln 0 = 0 with w = 0, +∞ otherwise.
        let c = cfg(&[(1, true, "0"), (2, false, "0")]);
        let v = wce(&c, &q("0"), 64).expect("finite");
        assert!(v.is_point() && v.contains_zero());
        assert_eq!(wce_f64(&c, &q("0")), 0.0);
        let err = wce(&c, &q("1/2"), 64).unwrap_err().to_string();
        assert!(err.contains("infinite"), "{err}");
        assert_eq!(infinite_group(&c, &q("1/2")), Some(0));
        assert_eq!(wce_f64(&c, &q("1/2")), f64::INFINITY);
        assert_eq!(
            cmp_wce(&c, &q("1/2"), &q("1000"), Precision::default()).expect("ok"),
            (Ordering::Greater, 0)
        );
        // Background voxel at p = 1: infinite unless w = 1.
        let d = cfg(&[(1, false, "1")]);
        assert!(wce(&d, &q("1"), 64).expect("finite").is_point());
        assert!(wce(&d, &q("9/10"), 64).is_err());
        // Correct and certain voxels contribute exactly 0.
        let e = cfg(&[(5, true, "1"), (7, false, "0")]);
        for ws in WEIGHTS {
            let v = wce(&e, &q(ws), 64).expect("finite");
            assert!(v.is_point() && v.contains_zero());
        }
    }

    #[test]
    fn invalid_inputs_are_errors() {
        for p in ["11/10", "-1/10", "2"] {
            let err = SoftConfig::new(vec![Group::new(1, true, q(p))])
                .unwrap_err()
                .to_string();
            assert!(err.contains("must lie in [0, 1]"), "{err}");
            assert!(SoftConfig::from_voxels(&[false], &[q(p)]).is_err());
        }
        assert!(SoftConfig::new(vec![]).is_err());
        assert!(SoftConfig::new(vec![Group::new(0, true, q("1/2"))]).is_err());
        assert!(SoftConfig::new(vec![
            Group::new(u64::MAX, true, q("1/2")),
            Group::new(1, false, q("0"))
        ])
        .is_err());
        assert!(matches!(
            SoftConfig::from_voxels(&[true, false], &[q("1/2")]),
            Err(Error::Mismatch(_))
        ));
        let c = cfg(&[(1, true, "1/2")]);
        assert!(wce(&c, &q("3/2"), 64).is_err());
        assert!(wce(&c, &q("-1/2"), 64).is_err());
        assert!(c.weighted_hamming(&q("2")).is_err());
        assert!(cmp_wce_ln2_exact(&c, &q("1/2"), &q("-1"), 1 << 20).is_err());
        assert!(wce_f64(&c, &q("2")).is_nan());
    }

    #[test]
    fn from_voxels_merges_identical_voxels() {
        let labels = [true, false, true, true, false];
        let probs = [q("1/2"), q("0"), q("1/2"), q("1"), q("0")];
        let c = SoftConfig::from_voxels(&labels, &probs).expect("valid");
        assert_eq!(c.n(), 5);
        assert_eq!(c.groups().len(), 3);
        assert_eq!(c.groups()[0], Group::new(2, true, q("1/2")));
        assert_eq!(c.gt_size(), 3);
        assert_eq!(
            c.to_json(),
            json!({"n": 5, "groups": [
                {"count": 2, "label": 1, "p": "1/2"},
                {"count": 2, "label": 0, "p": "0"},
                {"count": 1, "label": 1, "p": "1"},
            ]})
        );
    }

    #[test]
    fn soft_dice_known_values() {
        // y = (1,0,0), p = (1/2, 1/4, 0): I = 1/2, S = 7/4, SD = 1 − 4/7 = 3/7.
        let c = cfg(&[(1, true, "1/2"), (1, false, "1/4"), (1, false, "0")]);
        assert_eq!(c.soft_dice_loss(), q("3/7"));
        assert_eq!(c.l1_error() / c.soft_sum(), q("3/7"));
        // Everything empty: S = 0, loss 0.
        assert_eq!(cfg(&[(4, false, "0")]).soft_dice_loss(), Q::zero());
        // Empty ground truth, faint false positive: SD = 1.
        assert_eq!(
            cfg(&[(1, false, "1/1000"), (3, false, "0")]).soft_dice_loss(),
            Q::one()
        );
        // Decision: p = 1/2 is background.
        let d = cfg(&[(1, true, "1/2"), (2, true, "3/4"), (1, false, "501/1000")]);
        assert_eq!(d.decision_counts(), Counts::new(2, 1, 1, 0).expect("ok"));
        assert_eq!(d.weighted_hamming(&q("1/4")).expect("ok"), q("1/4"));
        assert_eq!(d.decision_dice_loss(), q("2/6"));
    }

    #[test]
    fn soft_dice_at_binary_p_is_the_dice_loss() {
        let dice = parse_measure("dice").expect("dice");
        for n in 1..=5u32 {
            for gt in 0u32..(1 << n) {
                for pr in 0u32..(1 << n) {
                    let labels: Vec<bool> = (0..n).map(|i| gt >> i & 1 == 1).collect();
                    let pred: Vec<bool> = (0..n).map(|i| pr >> i & 1 == 1).collect();
                    let probs: Vec<Q> = pred.iter().map(|&b| qu(u64::from(b))).collect();
                    let c = SoftConfig::from_voxels(&labels, &probs).expect("valid");
                    // Counted by hand (not `Counts::from_bools`, whose TN formula
                    // `n - gs - ps + tp` underflows in debug builds when |y| + |ŷ| > n).
                    let both = |a: bool, b: bool| {
                        labels
                            .iter()
                            .zip(&pred)
                            .filter(|&(&y, &h)| y == a && h == b)
                            .count() as u64
                    };
                    let counts = Counts::new(
                        both(true, true),
                        both(false, true),
                        both(true, false),
                        both(false, false),
                    )
                    .expect("counts");
                    assert_eq!(c.decision_counts(), counts);
                    let exact = dice
                        .loss(&counts, EmptyPolicy::One)
                        .expect("loss")
                        .exact()
                        .cloned()
                        .expect("exact");
                    assert_eq!(c.soft_dice_loss(), exact, "{labels:?} {pred:?}");
                    assert_eq!(c.decision_dice_loss(), exact);
                    for ws in WEIGHTS {
                        let h = parse_measure(&format!("whamming:w={ws}")).expect("spec");
                        let hv = h.loss(&counts, EmptyPolicy::One).expect("loss");
                        assert_eq!(Some(&c.weighted_hamming(&q(ws)).expect("ok")), hv.exact());
                    }
                }
            }
        }
    }

    #[test]
    fn f64_handles_extreme_arguments() {
        // −ln(10^-400) = 400 ln 10 ≈ 921.03, outside f64's normal range for p.
        let c = SoftConfig::new(vec![Group::new(
            1,
            true,
            Q::new(BigInt::one(), Pow::pow(BigInt::from(10), 400u32)),
        )])
        .expect("valid");
        let v = wce(&c, &q("1"), 64).expect("finite");
        assert!(f64_within(&v, wce_f64(&c, &q("1")), 1e-12), "{v}");
        // −ln(1 − 10^-15) ≈ 10^-15: ln_1p keeps it.
        let d = cfg(&[(1, false, "1/1000000000000000")]);
        let v = wce(&d, &q("0"), 64).expect("finite");
        assert!(f64_within(&v, wce_f64(&d, &q("0")), 1e-12), "{v}");
    }

    fn arb_p() -> impl Strategy<Value = Q> {
        prop_oneof![
            Just(q("0")),
            Just(q("1")),
            Just(q("1/2")),
            (1u64..=1000).prop_map(|d| Q::new(BigInt::one(), BigInt::from(d))),
            (1u64..=1000).prop_map(|d| Q::one() - Q::new(BigInt::one(), BigInt::from(d))),
            (1u64..=1000, 0u64..=1000)
                .prop_map(|(d, k)| Q::new(BigInt::from(k % (d + 1)), BigInt::from(d))),
        ]
    }

    fn arb_cfg() -> impl Strategy<Value = SoftConfig> {
        prop::collection::vec((1u64..=20, any::<bool>(), arb_p()), 1..8).prop_map(|gs| {
            SoftConfig::new(
                gs.into_iter()
                    .map(|(c, y, p)| Group::new(c, y, p))
                    .collect(),
            )
            .expect("valid")
        })
    }

    fn arb_w() -> impl Strategy<Value = Q> {
        prop_oneof![
            (0usize..WEIGHTS.len()).prop_map(|i| q(WEIGHTS[i])),
            (1u64..=100, 0u64..=100)
                .prop_map(|(d, k)| Q::new(BigInt::from(k % (d + 1)), BigInt::from(d))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn f64_lies_in_the_interval(c in arb_cfg(), w in arb_w()) {
            let f = wce_f64(&c, &w);
            match infinite_group(&c, &w) {
                Some(_) => prop_assert!(f.is_infinite() && wce(&c, &w, 64).is_err()),
                None => {
                    for prec in [53u32, 64, 128] {
                        let v = wce(&c, &w, prec).map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert!(*v.lo() >= 0);
                        prop_assert!(f64_within(&v, f, 1e-12), "{} not in {}", f, v);
                    }
                }
            }
        }

        #[test]
        fn transfer_inequality_holds(c in arb_cfg(), w in arb_w()) {
            let h = c.weighted_hamming(&w).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let exact = cmp_wce_ln2_exact(&c, &w, &h, 1 << 22)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(exact.is_some());
            prop_assert_ne!(exact, Some(Ordering::Less));
            if exact != Some(Ordering::Equal) {
                let (o, _) = cmp_wce_ln2(&c, &w, &h, Precision { start: 64, max: 4096 })
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(Some(o), exact);
            } else {
                let g = transfer_gap(&c, &w, 128).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(g.contains_zero());
            }
        }

        #[test]
        fn exact_and_interval_paths_agree_on_wce_vs_multiples_of_ln2(
            c in arb_cfg(), w in arb_w(), num in 0u64..400, den in 1u64..100
        ) {
            let k = Q::new(BigInt::from(num), BigInt::from(den));
            let exact = cmp_wce_ln2_exact(&c, &w, &k, 1 << 22)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assume!(exact.is_some() && exact != Some(Ordering::Equal));
            let (o, _) = cmp_wce_ln2(&c, &w, &k, Precision { start: 64, max: 4096 })
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Some(o), exact);
        }

        #[test]
        fn soft_dice_is_l1_over_s(c in arb_cfg()) {
            let s = c.soft_sum();
            if s.is_zero() {
                prop_assert!(c.soft_dice_loss().is_zero());
            } else {
                prop_assert_eq!(c.soft_dice_loss(), c.l1_error() / s);
            }
        }
    }
}
