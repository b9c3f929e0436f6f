//! Class-averaged (multi-class) Dice against class-averaged Jaccard: the factor-2
//! relation carries over to the mean over classes (proofs/mean-dice-jaccard.md).
//!
//! # Why confusion matrices
//!
//! Per-class losses depend on a pair of label maps only through its C × C confusion
//! matrix (voxel order is irrelevant), so enumerating every matrix with entries
//! summing to n covers every pair of label maps on n voxels, at a tiny fraction of
//! the C^{2n} pairs. A second, independent path enumerates the label maps
//! themselves for the smallest sizes, counts them with the crate's
//! [`per_label_counts`] and the crate's Dice and Jaccard measures, and must find the
//! same extremes. Sums are `u128` fractions, reduced after every addition.

use std::cmp::Ordering;

use serde_json::json;

use super::schema::Constant;
use super::tally::Tally;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::counts::per_label_counts;
use crate::error::{Error, Result};
use crate::exact::q_from_u128;
use crate::exact::Q;
use crate::measures::{parse_measure, EmptyPolicy};

pub(super) fn claims() -> Vec<Claim> {
    vec![Claim {
        name: "mean-dice-jaccard",
        statement: "for label maps with C classes on n voxels, the class-averaged losses \
                    mΔ_D = (1/C)·Σ_c Δ_D,c and mΔ_J = (1/C)·Σ_c Δ_J,c satisfy \
                    mΔ_D ≤ mΔ_J ≤ 2·mΔ_D, with the lower end attained and mΔ_J < 2·mΔ_D \
                    wherever mΔ_D > 0 (sup 2 over all n, never attained); a class absent from \
                    both maps counts loss 0 (policy one) — averaging over present classes only \
                    gives the same ratio, and the bounds also hold with loss 1 (policy zero); \
                    on n voxels the sup of the ratio is at most (2n − 1)/n",
        expected: Status::Holds,
        quick_n: 6,
        default_n: 10,
        max_n: 14,
        check,
    }]
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A non-negative fraction of `u128`s, kept reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Frac(u128, u128);

impl Frac {
    const ZERO: Frac = Frac(0, 1);

    fn new(n: u128, d: u128) -> Frac {
        let g = gcd(n, d).max(1);
        Frac(n / g, d / g)
    }

    fn add(self, o: Frac) -> Frac {
        let g = gcd(self.1, o.1);
        Frac::new(self.0 * (o.1 / g) + o.0 * (self.1 / g), self.1 / g * o.1)
    }

    fn cmp(self, o: Frac) -> Ordering {
        (self.0 * o.1).cmp(&(o.0 * self.1))
    }
}

/// Σ_c Δ_D,c and Σ_c Δ_J,c from per-class (TP, FP + FN); `absent` is the loss of a
/// class missing from both maps (0 for policy one, 1 for zero), the same for both.
fn sums(classes: &[(u64, u64)], absent: u64) -> (Frac, Frac) {
    let (mut d, mut j) = (Frac::ZERO, Frac::ZERO);
    for &(t, e) in classes {
        let (t, e) = (u128::from(t), u128::from(e));
        if t + e == 0 {
            d = d.add(Frac(u128::from(absent), 1));
            j = j.add(Frac(u128::from(absent), 1));
        } else if e > 0 {
            d = d.add(Frac::new(e, 2 * t + e));
            j = j.add(Frac::new(e, t + e));
        }
    }
    (d, j)
}

/// Per-class (TP, FP + FN) of a C × C confusion matrix (row = truth, column =
/// prediction).
fn classes_of(m: &[u64], c: usize) -> Vec<(u64, u64)> {
    (0..c)
        .map(|k| {
            let row: u64 = (0..c).map(|j| m[k * c + j]).sum();
            let col: u64 = (0..c).map(|i| m[i * c + k]).sum();
            let t = m[k * c + k];
            (t, row + col - 2 * t)
        })
        .collect()
}

/// Extremes of mΔ_J/mΔ_D over a set of configurations with mΔ_D > 0.
#[derive(Clone, Debug, Default)]
struct Ext {
    min: Option<Frac>,
    max: Option<(Frac, Vec<u64>)>,
    configurations: u64,
    /// A configuration violating mΔ_D ≤ mΔ_J < 2·mΔ_D (or mΔ_D = 0 < mΔ_J).
    violation: Option<Vec<u64>>,
}

impl Ext {
    fn visit(&mut self, d: Frac, j: Frac, at: &[u64]) {
        self.configurations += 1;
        if d.0 == 0 {
            if j.0 != 0 {
                self.violation.get_or_insert_with(|| at.to_vec());
            }
            return;
        }
        // d ≤ j < 2d
        if j.cmp(d) == Ordering::Less || j.cmp(Frac(2 * d.0, d.1)) != Ordering::Less {
            self.violation.get_or_insert_with(|| at.to_vec());
        }
        let r = Frac::new(j.0 * d.1, j.1 * d.0);
        if self.min.is_none_or(|m| r.cmp(m) == Ordering::Less) {
            self.min = Some(r);
        }
        if self
            .max
            .as_ref()
            .is_none_or(|(m, _)| r.cmp(*m) == Ordering::Greater)
        {
            self.max = Some((r, at.to_vec()));
        }
    }
}

/// Every C × C matrix with entries summing to n (compositions of n into C² parts).
fn for_each_matrix(c: usize, n: u64, f: &mut dyn FnMut(&[u64])) {
    fn rec(m: &mut Vec<u64>, left: u64, slots: usize, f: &mut dyn FnMut(&[u64])) {
        if slots == 1 {
            m.push(left);
            f(m);
            m.pop();
            return;
        }
        for v in 0..=left {
            m.push(v);
            rec(m, left - v, slots - 1, f);
            m.pop();
        }
    }
    rec(&mut Vec::with_capacity(c * c), n, c * c, f);
}

/// The exact per-n supremum found by enumeration for policy one (proved only as the
/// upper bound (2n − 1)/n): 2n/(n + 1) for odd n, 2(n + 1)²(n − 1)/(n²(n + 2)) for even
/// n — one mislabelled voxel between two classes whose correct voxels split as evenly
/// as possible.
fn observed_sup(n: u64) -> Frac {
    let n = u128::from(n);
    if n % 2 == 1 {
        Frac::new(2 * n, n + 1)
    } else {
        Frac::new(2 * (n + 1) * (n + 1) * (n - 1), n * n * (n + 2))
    }
}

/// Largest n per class count C for the matrix enumeration at size `n`.
fn cap(c: usize, n: u64) -> u64 {
    match c {
        2 | 3 => n,
        4 => n.min(7),
        _ => n.min(4),
    }
}

/// The label-map path: every pair of maps with labels 1..=C on `n` voxels, through
/// `per_label_counts` and the crate's measures (absent labels have no entry:
/// excluded, which is policy one's ratio).
fn label_maps(c: usize, n: usize) -> Result<Ext> {
    let dice = parse_measure("dice")?;
    let jac = parse_measure("jaccard")?;
    let total = (c as u64).pow(2 * n as u32);
    let mut ext = Ext::default();
    let mut gt = vec![0i64; n];
    let mut pred = vec![0i64; n];
    for code in 0..total {
        let mut x = code;
        for v in gt.iter_mut().chain(pred.iter_mut()) {
            *v = 1 + (x % c as u64) as i64;
            x /= c as u64;
        }
        let (mut d, mut j) = (Q::default(), Q::default());
        for counts in per_label_counts(&gt, &pred)?.values() {
            d += dice
                .loss(counts, EmptyPolicy::One)?
                .exact()
                .cloned()
                .unwrap_or_default();
            j += jac
                .loss(counts, EmptyPolicy::One)?
                .exact()
                .cloned()
                .unwrap_or_default();
        }
        let to = |q: &Q| -> Frac {
            Frac::new(
                q.numer().try_into().unwrap_or(u128::MAX),
                q.denom().try_into().unwrap_or(u128::MAX),
            )
        };
        ext.visit(to(&d), to(&j), &[code]);
    }
    Ok(ext)
}

fn fs(f: Frac) -> String {
    if f.1 == 1 {
        f.0.to_string()
    } else {
        format!("{}/{}", f.0, f.1)
    }
}

fn check(n: u64, progress: &Progress) -> Result<Outcome> {
    if !(1..=14).contains(&n) {
        return Err(Error::invalid(format!(
            "mean-dice-jaccard enumerates label maps on 1..=14 voxels (--n 1 to 14), got --n {n}"
        )));
    }
    let mut tally = Tally::new(format!(
        "every C × C confusion matrix on n voxels (C = 2, 3 up to n = {n}, C = 4 up to {}, \
         C = 5 up to {}), policies one and zero",
        cap(4, n),
        cap(5, n)
    ));
    let mut refuted = None;
    let mut details = Vec::new();
    let mut rows = Vec::new();
    let mut matrices = 0u64;
    let class_counts = [2usize, 3, 4, 5];
    for (ci, &c) in class_counts.iter().enumerate() {
        for m in 1..=cap(c, n) {
            let mut one = Ext::default();
            let mut zero = Ext::default();
            for_each_matrix(c, m, &mut |mat| {
                let cls = classes_of(mat, c);
                let (d, j) = sums(&cls, 0);
                one.visit(d, j, mat);
                let (d, j) = sums(&cls, 1);
                zero.visit(d, j, mat);
            });
            matrices += one.configurations;
            for (policy, e) in [("one", &one), ("zero", &zero)] {
                let what = "mΔ_D ≤ mΔ_J < 2·mΔ_D (mΔ_J = 0 where mΔ_D = 0)";
                let unit = "(C, n, policy) enumerations";
                tally.statement_once(what, unit, e.violation.is_none());
                if let Some(v) = &e.violation {
                    refuted.get_or_insert_with(
                        || json!({"C": c, "n": m, "policy": policy, "matrix": v}),
                    );
                }
            }
            let sup = one.max.as_ref().map(|x| x.0);
            // Observed closed form, the proved bound (2n − 1)/n, and inf 1 attained.
            let bound = Frac::new(2 * u128::from(m) - 1, u128::from(m));
            let expected = sup == Some(observed_sup(m))
                && sup.is_some_and(|s| s.cmp(bound) != Ordering::Greater)
                && one.min == Some(Frac(1, 1));
            let what = "inf 1 attained; sup (policy one) = 2n/(n + 1) for odd n, \
                        2(n + 1)²(n − 1)/(n²(n + 2)) for even n, ≤ (2n − 1)/n";
            if !tally.cross_check_once(what, "(C, n) enumerations", expected) {
                details.push(format!(
                    "C = {c}, n = {m}: sup {:?} or inf {:?} unexpected",
                    sup, one.min
                ));
            }
            rows.push(json!({
                "C": c, "n": m,
                "sup": sup.map(fs),
                "at": one.max.as_ref().map(|x| x.1.clone()),
                "sup_policy_zero": zero.max.as_ref().map(|x| fs(x.0)),
            }));
        }
        progress.tick(ci as u64 + 1, class_counts.len() as u64 + 1);
    }
    // Differential: every pair of label maps for the smallest sizes.
    let mut maps = 0u64;
    for (c, nmax) in [
        (2usize, 6usize.min(n as usize)),
        (3, 4usize.min(n as usize)),
    ] {
        for m in 1..=nmax {
            let e = label_maps(c, m)?;
            maps += e.configurations;
            let what = "mΔ_D ≤ mΔ_J < 2·mΔ_D on label maps through per_label_counts";
            if !tally.statement_once(what, "(C, n) label-map enumerations", e.violation.is_none()) {
                refuted
                    .get_or_insert_with(|| json!({"C": c, "n": m, "label_map_code": e.violation}));
            }
            let same =
                e.max.map(|x| x.0) == Some(observed_sup(m as u64)) && e.min == Some(Frac(1, 1));
            let what = "label maps give the same extremes as the matrices";
            if !tally.cross_check_once(what, "(C, n) label-map enumerations", same) {
                details.push(format!(
                    "C = {c}, n = {m}: label maps disagree with matrices"
                ));
            }
        }
    }
    progress.tick(class_counts.len() as u64 + 1, class_counts.len() as u64 + 1);
    details.insert(
        0,
        format!(
            "{}; {matrices} matrices, sup at n = {n}: {}",
            tally.summary(),
            fs(observed_sup(n))
        ),
    );
    details.push(format!(
        "label maps: {maps} pairs of maps with C = 2 (n ≤ {}) and C = 3 (n ≤ {}) through \
         per_label_counts and the dice/jaccard measures",
        6.min(n),
        4.min(n)
    ));
    let parts = vec![
        Part {
            what: "mΔ_D ≤ mΔ_J < 2·mΔ_D (policies one and zero), inf 1 attained, sup on n voxels \
                   ≤ (2n − 1)/n and equal to the observed closed form"
                .into(),
            scope: Scope::Exhaustive {
                over: format!(
                    "every C × C confusion matrix (every pair of label maps up to voxel order) \
                     with C = 2, 3 and n ≤ {n}, C = 4 and n ≤ {}, C = 5 and n ≤ {}",
                    cap(4, n),
                    cap(5, n)
                ),
            },
        },
        Part {
            what: "the same extremes from the label maps themselves (per_label_counts and the \
                   crate's measures)"
                .into(),
            scope: Scope::Exhaustive {
                over: format!(
                    "every pair of label maps with C = 2 and n ≤ {}, C = 3 and n ≤ {}",
                    6.min(n),
                    4.min(n)
                ),
            },
        },
    ];
    let sup = observed_sup(n);
    Ok(Outcome::tallied(
        &tally,
        n,
        Constant::Exact(q_from_u128(sup.0, sup.1)),
        refuted,
        || json!({ "per_size": rows }),
        details,
    )
    .with_parts(parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_error_between_two_balanced_classes() {
        // n = 3: truth (1, 1, 2), prediction (1, 2, 2): classes TP 1 and 1, one error
        // each: Δ_D = 1/3 each, Δ_J = 1/2 each, ratio 3/2 = 2n/(n + 1).
        let (d, j) = sums(&[(1, 1), (1, 1)], 0);
        assert_eq!(Frac::new(j.0 * d.1, j.1 * d.0), Frac(3, 2));
        assert_eq!(observed_sup(3), Frac(3, 2));
        assert_eq!(observed_sup(4), Frac(25, 16));
    }

    #[test]
    fn matrices_count_compositions() {
        let mut k = 0;
        for_each_matrix(3, 4, &mut |_| k += 1);
        // C(4 + 8, 8) = 495
        assert_eq!(k, 495);
    }

    proptest! {
        #[test]
        fn fractions_add_like_rationals(a in 0u64..1000, b in 1u64..1000, c in 0u64..1000, d in 1u64..1000) {
            let s = Frac::new(a.into(), b.into()).add(Frac::new(c.into(), d.into()));
            let q = Q::new(a.into(), b.into()) + Q::new(c.into(), d.into());
            prop_assert_eq!(Q::new(s.0.into(), s.1.into()), q);
        }
    }

    #[test]
    fn check_holds_at_the_quick_size() {
        let out = check(5, &Progress::none()).unwrap();
        assert_eq!(out.status, Status::Holds);
        assert!(out.consistent, "{:?}", out.details);
        assert!(check(15, &Progress::none()).is_err());
    }
}
