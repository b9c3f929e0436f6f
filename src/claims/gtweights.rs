//! No weighting that depends only on the ground truth approximates Dice: the general
//! form of "no optimal weighting of cross-entropy exists" (proofs/gt-weighting-fails.md).
//!
//! # Why one image is enough
//!
//! A voxel-wise weighted Hamming loss H(ŷ) = Σ_i w_i·[ŷ_i ≠ y_i] with weights w ≥ 0
//! chosen from the ground truth y (per-image class weights, distance maps, anything)
//! is a fixed linear function of the error set once the image is fixed. Rescaling the
//! weights of an image (every normalisation a scheme might use) multiplies all of its
//! ratios H/Δ_D by one constant, so the spread sup H/Δ_D ÷ inf H/Δ_D over the
//! predictions of **one** image is a lower bound no choice of weights or scale can
//! undercut. False positives alone make it at least (n + K)/(2K + 1) on an image of n
//! voxels with |y| = K: one false positive of minimum weight against predicting every
//! voxel foreground.
//!
//! # What the check does
//!
//! For every image size m ≤ n and every K < m (ground truth the first K voxels; the
//! weights are arbitrary per voxel, so where y sits is immaterial) it enumerates
//! **every** prediction ŷ ≠ y and computes the exact spread for weight maps that are
//! (a) seeded random rationals, (b) the class-weight schemes of adaptive-weights-fail
//! that are rational, (c) an adversary: a seeded hill-climb over per-voxel weights
//! that tries to make the spread small. Every spread must be at least the bound, and
//! a zero weight must make the inf 0. Weights are integers over a common denominator,
//! so every ratio is a fraction of `u128`s compared by cross-multiplication.
//! The wCE consequence is certified with MPFR intervals on the adversary's extremes.

use std::cmp::Ordering;

use num_bigint::BigInt;
use rug::Rational;
use serde_json::json;

use super::schema::Constant;
use super::tally::Tally;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::error::{Error, Result};
use crate::exact::interval::{decide, Interval, Precision};
use crate::exact::Q;
use crate::search::rng::Rng;
use crate::surrogates::wce::{wce, Group, SoftConfig};

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim {
        name: "gt-weighting-fails",
        statement: "no voxel-wise weighted Hamming loss H = Σ w_i·[ŷ_i ≠ y_i] whose weights \
                    w ≥ 0 depend on the ground truth (in any way) but not on the prediction \
                    approximates Dice: on one image of n voxels with |y| = K < n, \
                    sup H/Δ_D ÷ inf H/Δ_D ≥ (n + K)/(2K + 1), so over images of n voxels the \
                    spread is ≥ (n + 1)/3 with a nonempty ground truth (≥ n with an empty one), \
                    unbounded; a zero weight makes it infinite. Every scheme of \
                    adaptive-weights-fail is a special case, and by the near-equality family \
                    the same bounds hold for the weighted cross-entropy with those weights",
        expected: Status::HoldsOnSample,
        quick_n: 6,
        default_n: 10,
        max_n: 12,
        check,
    }]
}

/// Random weight maps per (m, K).
const RANDOM_MAPS: u64 = 40;
/// Hill-climb steps of the adversary per (m, K).
const ADVERSARY_STEPS: u64 = 300;
/// Seed of every random choice in this check.
const SEED: u64 = 13;

/// The exact extremes of H/Δ_D over every prediction ŷ ≠ y of one image, with
/// integer weights `w` (over a common denominator that cancels in the spread).
#[derive(Clone, Debug)]
struct Extremes {
    /// inf as (numerator, denominator) and the error set attaining it.
    min: (u128, u128, u64),
    /// sup likewise.
    max: (u128, u128, u64),
}

impl Extremes {
    /// The spread max/min as a fraction (None when the inf is 0: infinite).
    fn spread(&self) -> Option<(u128, u128)> {
        if self.min.0 == 0 {
            return None;
        }
        Some((self.max.0 * self.min.1, self.max.1 * self.min.0))
    }
}

/// H/Δ_D = A·(2TP + E)/E for error set `err` (ŷ = y xor err), y the first k voxels.
fn extremes(w: &[u64], k: usize) -> Extremes {
    let m = w.len();
    let ymask: u64 = (1u64 << k) - 1;
    let mut best: Option<Extremes> = None;
    for err in 1u64..(1u64 << m) {
        let a: u128 = (0..m)
            .filter(|&i| err >> i & 1 == 1)
            .map(|i| u128::from(w[i]))
            .sum();
        let e = u128::from(err.count_ones());
        let tp = u128::from((ymask & !err).count_ones());
        let (num, den) = (a * (2 * tp + e), e);
        match &mut best {
            None => {
                best = Some(Extremes {
                    min: (num, den, err),
                    max: (num, den, err),
                })
            }
            Some(b) => {
                if num * b.min.1 < b.min.0 * den {
                    b.min = (num, den, err);
                }
                if num * b.max.1 > b.max.0 * den {
                    b.max = (num, den, err);
                }
            }
        }
    }
    best.expect("m >= 1 gives at least one prediction")
}

/// Whether spread ≥ (m + k)/(2k + 1), exactly (an infinite spread passes).
fn above_bound(x: &Extremes, m: usize, k: usize) -> bool {
    match x.spread() {
        None => true,
        Some((num, den)) => num * (2 * k as u128 + 1) >= den * (m + k) as u128,
    }
}

/// The two predictions of the proof, evaluated with the same weights: one minimum-
/// weight false positive, and every voxel predicted foreground. Their ratio alone is
/// at least the bound.
fn proof_pair_holds(w: &[u64], k: usize) -> bool {
    let m = w.len();
    let Some(j) = (k..m).min_by_key(|&i| w[i]) else {
        return true;
    };
    let (k128, m128) = (k as u128, m as u128);
    // ŷ = y ∪ {j}: H = w_j, Δ_D = 1/(2K + 1).
    let (n1, d1) = (u128::from(w[j]) * (2 * k128 + 1), 1u128);
    // ŷ = everything: H = Σ_bg w, Δ_D = (m − K)/(m + K).
    let a: u128 = w[k..].iter().map(|&x| u128::from(x)).sum();
    let (n2, d2) = (a * (m128 + k128), m128 - k128);
    // (n2/d2) / (n1/d1) ≥ (m + K)/(2K + 1)
    n2 * d1 * (2 * k128 + 1) >= (m128 + k128) * d2 * n1
}

fn random_map(rng: &mut Rng, m: usize) -> Vec<u64> {
    (0..m).map(|_| 1 + rng.log_upto(9999)).collect()
}

/// Per-voxel integer weights of a class-weight pair (fg, bg) over a denominator.
fn class_map(m: usize, k: usize, fg: u64, bg: u64) -> Vec<u64> {
    (0..m).map(|i| if i < k { fg } else { bg }).collect()
}

/// The rational schemes of adaptive-weights-fail on an image with a = k, b = m − k,
/// as integer class weights (a common factor removed): balanced 1/(2a) : 1/(2b) =
/// b : a; generalized Dice 1/a² : 1/b² = b² : a²; median frequency with data-set
/// frequencies 1/100, 99/100 is 99 : 1; fixed w = 1/2 is 1 : 1.
fn scheme_maps(m: usize, k: usize) -> Vec<(&'static str, Vec<u64>)> {
    let (a, b) = (k.max(1) as u64, (m - k) as u64);
    vec![
        ("whamming:balanced", class_map(m, k, b, a)),
        ("whamming:gdice", class_map(m, k, b * b, a * a)),
        (
            "whamming:medfreq,fg=1/100,bg=99/100",
            class_map(m, k, 99, 1),
        ),
        ("whamming:w=1/2", class_map(m, k, 1, 1)),
    ]
}

/// Spread as f64 for display (∞ when the inf is 0).
fn spread_f64(x: &Extremes) -> f64 {
    x.spread()
        .map_or(f64::INFINITY, |(n, d)| n as f64 / d as f64)
}

/// Whether spread `x` is smaller than spread `y` (∞ is largest).
fn smaller(x: &Extremes, y: &Extremes) -> bool {
    match (x.spread(), y.spread()) {
        (Some((a, b)), Some((c, d))) => a * d < c * b,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The adversary: a seeded hill-climb over per-voxel weights, from the best class
/// weighting on a grid, accepting moves that do not increase the spread.
fn adversary(rng: &mut Rng, m: usize, k: usize) -> (Vec<u64>, Extremes) {
    let mut best_w = class_map(m, k, 1, 1);
    let mut best = extremes(&best_w, k);
    for fg in 1..=(4 * m as u64) {
        let w = class_map(m, k, fg, 4);
        let x = extremes(&w, k);
        if smaller(&x, &best) {
            (best_w, best) = (w, x);
        }
    }
    // Scale up so multiplicative moves have room.
    let mut w: Vec<u64> = best_w.iter().map(|&x| x * 1000).collect();
    best = extremes(&w, k);
    for _ in 0..ADVERSARY_STEPS {
        let mut c = w.clone();
        let i = rng.upto(m as u64 - 1) as usize;
        let f = 1 + rng.upto(399);
        c[i] = (c[i] * f / 200).clamp(1, 1_000_000_000);
        let x = extremes(&c, k);
        if !smaller(&best, &x) {
            (w, best) = (c, x);
        }
    }
    (w, best)
}

const PREC: Precision = Precision {
    start: 64,
    max: 2048,
};

/// Certified: on the near-equality family (ε = 10^-6) of the two extreme
/// predictions of `w`, the weighted cross-entropy spread exceeds
/// (1 − 10^-5)·(m + K)/(2K + 1).
fn wce_consequence(w: &[u64], k: usize, x: &Extremes) -> Result<bool> {
    let m = w.len();
    let eps = Q::new(BigInt::from(1), BigInt::from(1_000_000));
    let half = Q::new(BigInt::from(1), BigInt::from(2));
    // Per-voxel costs of the family: ln 2 at a false negative (p = 1/2), −ln(1/2 − ε)
    // at a false positive (p = 1/2 + ε), both from the crate's certified wCE.
    let fn_cfg = SoftConfig::new(vec![Group::new(1, true, half.clone())])?;
    let fp_cfg = SoftConfig::new(vec![Group::new(1, false, half + &eps)])?;
    let one = Q::from_integer(1.into());
    let zero = Q::from_integer(0.into());
    let ratio = |err: u64, prec: u32| -> Result<Interval> {
        let (mut a_fn, mut a_fp) = (0u128, 0u128);
        for (i, &wi) in w.iter().enumerate() {
            if err >> i & 1 == 1 {
                if i < k {
                    a_fn += u128::from(wi);
                } else {
                    a_fp += u128::from(wi);
                }
            }
        }
        let big = |v: u128| Interval::from_big(&Q::from_integer(BigInt::from(v)), prec);
        let v = big(a_fn)
            .mul(&wce(&fn_cfg, &one, prec)?)
            .add(&big(a_fp).mul(&wce(&fp_cfg, &zero, prec)?));
        let e = u128::from(err.count_ones());
        let tp = u128::from((((1u64 << k) - 1) & !err).count_ones());
        // wCE / Δ_D = wCE·(2TP + E)/E
        v.mul(&big(2 * tp + e)).div(&big(e))
    };
    let target = Rational::from(((100_000 - 1) * (m + k) as u64, 100_000 * (2 * k as u64 + 1)));
    let r = decide(
        |prec| ratio(x.max.2, prec)?.div(&ratio(x.min.2, prec)?),
        &target,
        PREC,
    )?;
    Ok(r.0 == Ordering::Greater)
}

fn check(n: u64, progress: &Progress) -> Result<Outcome> {
    if !(2..=12).contains(&n) {
        return Err(Error::invalid(format!(
            "gt-weighting-fails enumerates every prediction of images of 2..=12 voxels \
             (--n 2 to 12), got --n {n}"
        )));
    }
    let n = n as usize;
    let mut rng = Rng::new(SEED, 0);
    let mut tally = Tally::new(format!(
        "every prediction ŷ ≠ y of every image of m = 2..={n} voxels and every K < m"
    ));
    let mut refuted = None;
    let mut details = Vec::new();
    let mut random_checked = 0u64;
    const BOUND: &str = "spread ≥ (m + K)/(2K + 1) exactly";
    const PAIR: &str = "the proof's two predictions alone reach the bound";
    let mut table = Vec::new();
    let total: u64 = (2..=n as u64).sum();
    let mut done = 0;
    for m in 2..=n {
        for k in 0..m {
            let bound = (m + k) as f64 / (2 * k + 1) as f64;
            let mut fail = |what: &str, w: &[u64], x: &Extremes| {
                refuted.get_or_insert_with(
                    || json!({"m": m, "k": k, "weights": w, "what": what, "spread": spread_f64(x)}),
                );
            };
            // (a) random rational maps.
            for _ in 0..RANDOM_MAPS {
                let w = random_map(&mut rng, m);
                let x = extremes(&w, k);
                random_checked += 1;
                if !tally.statement_once(BOUND, "random maps", above_bound(&x, m, k)) {
                    fail("random map below the bound", &w, &x);
                }
                tally.cross_check_once(
                    PAIR,
                    "random and adversarial maps",
                    proof_pair_holds(&w, k),
                );
            }
            // (b) the rational schemes.
            for (name, w) in scheme_maps(m, k) {
                let x = extremes(&w, k);
                let what =
                    "spread ≥ the bound for balanced, generalized Dice, median frequency and \
                            fixed 1/2 weights";
                if !tally.statement_once(what, "scheme maps", above_bound(&x, m, k)) {
                    fail(name, &w, &x);
                }
            }
            // (c) a zero weight: the inf is 0, the spread infinite.
            let mut w = random_map(&mut rng, m);
            let z = rng.upto(m as u64 - 1) as usize;
            w[z] = 0;
            let zero_inf = extremes(&w, k).min.0 == 0;
            if !tally.cross_check_once("a zero weight gives inf 0", "maps", zero_inf) {
                details.push(format!(
                    "m = {m}, K = {k}: a zero weight left the inf positive"
                ));
            }
            // (d) the adversary.
            let (w, x) = adversary(&mut rng, m, k);
            let what = format!(
                "spread ≥ the bound for the adversary (hill-climb, {ADVERSARY_STEPS} steps)"
            );
            if !tally.statement_once(&what, "adversarial maps", above_bound(&x, m, k)) {
                fail("adversary below the bound", &w, &x);
            }
            tally.cross_check_once(PAIR, "random and adversarial maps", proof_pair_holds(&w, k));
            if m <= 6 {
                let certified = wce_consequence(&w, k, &x)?;
                let what = "certified wCE spread > (1 − 10^-5)·bound on the near-equality family \
                            (ε = 10^-6) of the adversary's extremes, m ≤ 6";
                if !tally.cross_check_once(what, "images", certified) {
                    details.push(format!(
                        "m = {m}, K = {k}: the wCE spread of the adversary's extremes was not \
                         certified above the bound"
                    ));
                }
            }
            table.push(json!({
                "m": m, "k": k,
                "bound": format!("{}/{}", m + k, 2 * k + 1),
                "adversary_spread": spread_f64(&x),
                "adversary_over_bound": spread_f64(&x) / bound,
            }));
        }
        done += m as u64;
        progress.tick(done, total);
    }
    let tightest = table
        .iter()
        .filter_map(|r| r["adversary_over_bound"].as_f64())
        .fold(f64::INFINITY, f64::min);
    details.insert(
        0,
        format!(
            "{}; the closest the adversary came is {tightest:.4} × the bound",
            tally.summary()
        ),
    );
    details.push(format!(
        "constant: spread ≥ (n + K)/(2K + 1) on one image, so ≥ (n + 1)/3 = {:.4} over images of \
         n = {n} voxels with nonempty ground truth",
        (n as f64 + 1.0) / 3.0
    ));
    let parts = vec![
        Part {
            what: format!(
                "spread ≥ (m + K)/(2K + 1) over every prediction, for seeded random integer \
                 weight maps (each weight log-uniform in 1..=10000), on every image of \
                 m ≤ {n} voxels and every K < m"
            ),
            scope: Scope::Sampled {
                points: random_checked,
                generator: "SplitMix64 (crate::rng, rand_xoshiro), stream 0".into(),
                seed: SEED,
            },
        },
        Part {
            what: "adversarial weight maps: best class weighting on a grid, then a hill-climb \
                   over per-voxel weights minimising the spread; still ≥ the bound"
                .into(),
            scope: Scope::Sampled {
                points: table.len() as u64 * ADVERSARY_STEPS,
                generator: "SplitMix64 (crate::rng, rand_xoshiro), stream 0, multiplicative moves"
                    .into(),
                seed: SEED,
            },
        },
        Part {
            what: "the rational schemes of adaptive-weights-fail and a zero weight (infinite \
                   spread)"
                .into(),
            scope: Scope::Family {
                family: format!(
                    "balanced, generalized Dice, median frequency (1/100, 99/100), fixed 1/2 \
                     and one zero weight, on every image of m ≤ {n} voxels and every K < m"
                ),
            },
        },
        Part {
            what: "weighted cross-entropy with the same weights: certified spread above the \
                   bound (1 − 10^-5) on the near-equality family"
                .into(),
            scope: Scope::Family {
                family: "p = 1/2 at FN, 1/2 + 10^-6 at FP, y elsewhere, at the adversary's \
                         extreme predictions, images of m ≤ 6 voxels"
                    .into(),
            },
        },
    ];
    Ok(Outcome::tallied(
        &tally,
        n as u64,
        Constant::Exact(Q::new((n as i64 + 1).into(), 3.into())),
        refuted,
        || json!({ "per_image": table }),
        details,
    )
    .with_parts(parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_bound_holds_for_any_positive_weights(
            w in proptest::collection::vec(1u64..1000, 2..8), k in 0usize..7
        ) {
            prop_assume!(k < w.len());
            let x = extremes(&w, k);
            prop_assert!(above_bound(&x, w.len(), k));
            prop_assert!(proof_pair_holds(&w, k));
        }
    }

    #[test]
    fn extremes_match_a_rational_enumeration() {
        // Differential: the u128 path against BigRational on one map.
        let w = [3u64, 1, 4, 1, 5];
        let k = 2;
        let x = extremes(&w, k);
        let mut vals = Vec::new();
        for err in 1u64..32 {
            let a: u64 = (0..5).filter(|&i| err >> i & 1 == 1).map(|i| w[i]).sum();
            let e = u64::from(err.count_ones());
            let tp = u64::from((3u64 & !err).count_ones());
            vals.push(Q::new(BigInt::from(a * (2 * tp + e)), BigInt::from(e)));
        }
        let lo = vals.iter().min().unwrap();
        let hi = vals.iter().max().unwrap();
        assert_eq!(Q::new(x.min.0.into(), x.min.1.into()), *lo);
        assert_eq!(Q::new(x.max.0.into(), x.max.1.into()), *hi);
    }

    #[test]
    fn uniform_weights_on_a_one_voxel_object() {
        // K = 1, m = 5, all weights 1: ratios H/Δ_D = E·(2TP + E)/E = 2TP + E; inf 1
        // (miss the voxel: E = 1, TP = 0), sup 2 + 4 = 6; spread 6 ≥ 6/3.
        let x = extremes(&[1, 1, 1, 1, 1], 1);
        let (num, den) = x.spread().unwrap();
        assert_eq!(num, 6 * den);
    }

    #[test]
    fn a_zero_weight_makes_the_spread_infinite() {
        let x = extremes(&[1, 0, 2], 1);
        assert_eq!(x.spread(), None);
    }

    #[test]
    fn check_runs_at_the_quick_size() {
        let out = check(4, &Progress::none()).unwrap();
        assert_eq!(out.status, Status::Holds);
        assert!(out.consistent, "{:?}", out.details);
        assert_eq!(out.parts.len(), 4);
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert!(check(1, &Progress::none()).is_err());
        assert!(check(13, &Progress::none()).is_err());
    }
}
