//! Multi-class Lovász-softmax (Berman, Rannen Triki & Blaschko, CVPR 2018), exactly.
//!
//! Why: Lovász-softmax is the Jaccard surrogate used in practice for multi-class
//! segmentation. It is the mean, over a set of classes c, of the one-class Lovász
//! extension of the Jaccard loss ([`super::soft::lovasz_jaccard_fast`]) at the
//! error vector m_i = |[label_i = c] − probs\[i\]\[c\]|. On rational probabilities
//! every term is rational, so the mean is computed as an exact [`Q`]; an `f64`
//! version ([`lovasz_softmax_f64`]) follows the reference code for cross-checks.
//!
//! # Conventions
//!
//! * `labels[i]` is the ground-truth class of voxel i, `probs[i][c]` the predicted
//!   probability of class c at voxel i. Every row must have the same length C (the
//!   number of classes), every label must be < C, and every probability must lie
//!   in \[0, 1\]. Rows are **not** required to sum to 1: the loss is defined
//!   per class on the column `probs[·][c]`, and sigmoid (multi-label) outputs or
//!   truncated softmax rows are legitimate inputs. Check the sums yourself if your
//!   model must produce a distribution.
//! * Which classes are averaged ([`Classes`]): `all` (0..C), `present` (the classes
//!   that occur in `labels`, as in the reference code's default), or an explicit
//!   list such as `1,2,5` (each < C, no repeats). For a class absent from the ground
//!   truth Δ_J(M) = 1 for every non-empty error set, so its term is max_i m_i.
//! * The mean over no classes is 0 (the reference code's `mean(…, empty=0)`); this
//!   happens only with no voxels (n = 0), where C is unknown and every term is an
//!   empty sum, so the result is 0 for every [`Classes`].

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

use super::soft::{lovasz_jaccard_fast, lovasz_jaccard_fast_f64};
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};

/// The classes whose Lovász-Jaccard terms are averaged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Classes {
    /// Every class 0..C.
    All,
    /// The classes that occur in the ground-truth labels.
    Present,
    /// These classes (each < C, no repeats, at least one).
    List(Vec<usize>),
}

impl FromStr for Classes {
    type Err = Error;
    /// `all`, `present`, or a comma-separated list of class indices such as `1,2,5`.
    fn from_str(s: &str) -> Result<Classes> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(Classes::All);
        }
        if t.eq_ignore_ascii_case("present") {
            return Ok(Classes::Present);
        }
        let fail = |why: String| {
            Error::invalid(format!(
                "cannot read {s:?} as a class selection: {why} \
                 (accepted: `all`, `present`, or class indices such as `1,2,5`)"
            ))
        };
        if t.is_empty() {
            return Err(fail("it is empty".into()));
        }
        let mut list = Vec::new();
        for part in t.split(',') {
            let part = part.trim();
            let c: usize = part
                .parse()
                .map_err(|_| fail(format!("{part:?} is not a class index")))?;
            if list.contains(&c) {
                return Err(fail(format!("class {c} is listed twice")));
            }
            list.push(c);
        }
        Ok(Classes::List(list))
    }
}

impl fmt::Display for Classes {
    /// The form [`Classes::from_str`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Classes::All => f.write_str("all"),
            Classes::Present => f.write_str("present"),
            Classes::List(v) => {
                let parts: Vec<String> = v.iter().map(|c| c.to_string()).collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

/// Checks lengths, row lengths and labels; returns the number of classes C.
fn check_shape<T>(labels: &[usize], probs: &[Vec<T>]) -> Result<usize> {
    if labels.len() != probs.len() {
        return Err(Error::Mismatch(format!(
            "{} labels but {} probability rows; Lovász-softmax needs one row per voxel",
            labels.len(),
            probs.len()
        )));
    }
    let c = probs.first().map_or(0, Vec::len);
    if let Some(i) = probs.iter().position(|row| row.len() != c) {
        return Err(Error::Mismatch(format!(
            "probability row {i} has {} classes but row 0 has {c}; every row needs one \
             probability per class",
            probs[i].len()
        )));
    }
    if let Some(i) = labels.iter().position(|&l| l >= c) {
        return Err(Error::invalid(format!(
            "label {} at voxel {i} is not a class: the probability rows have {c} classes \
             (0..{c})",
            labels[i]
        )));
    }
    Ok(c)
}

/// The classes to average, checked against C.
fn select(classes: &Classes, labels: &[usize], c: usize) -> Result<Vec<usize>> {
    match classes {
        Classes::All => Ok((0..c).collect()),
        Classes::Present => Ok(labels
            .iter()
            .copied()
            .collect::<BTreeSet<usize>>()
            .into_iter()
            .collect()),
        Classes::List(list) => {
            if list.is_empty() {
                return Err(Error::invalid(
                    "the class list is empty; give at least one class, `all` or `present`",
                ));
            }
            if let Some(&bad) = list.iter().find(|&&k| k >= c) {
                return Err(Error::invalid(format!(
                    "class {bad} in the class list {classes} does not exist: the probability rows \
                     have {c} classes (0..{c})"
                )));
            }
            let mut seen = BTreeSet::new();
            if let Some(&dup) = list.iter().find(|&&k| !seen.insert(k)) {
                return Err(Error::invalid(format!(
                    "class {dup} appears twice in the class list {classes}"
                )));
            }
            Ok(list.clone())
        }
    }
}

/// Exact multi-class Lovász-softmax: the mean over the selected classes c of the
/// one-class Lovász-Jaccard at m_i = |[labels_i = c] − probs\[i\]\[c\]|.
///
/// Errors: [`Error::Mismatch`] if `labels` and `probs` differ in length or the rows
/// differ in length; [`Error::Invalid`] for a label ≥ C, a probability outside
/// \[0, 1\] (naming voxel, class and value), or a class list that is empty, repeats
/// a class or names a class ≥ C. With no voxels the result is 0 (see the module
/// documentation).
pub fn lovasz_softmax(labels: &[usize], probs: &[Vec<Q>], classes: &Classes) -> Result<Q> {
    if labels.is_empty() && probs.is_empty() {
        return Ok(Q::zero());
    }
    let c = check_shape(labels, probs)?;
    for (i, row) in probs.iter().enumerate() {
        if let Some(k) = row.iter().position(|x| x.is_negative() || *x > Q::one()) {
            return Err(Error::invalid(format!(
                "probability of class {k} at voxel {i} is {}, outside [0, 1]",
                format_q(&row[k])
            )));
        }
    }
    let selected = select(classes, labels, c)?;
    if selected.is_empty() {
        return Ok(Q::zero());
    }
    let mut sum = Q::zero();
    for &k in &selected {
        let y: Vec<bool> = labels.iter().map(|&l| l == k).collect();
        let m: Vec<Q> = y
            .iter()
            .zip(probs)
            .map(|(&yi, row)| {
                if yi {
                    Q::one() - &row[k]
                } else {
                    row[k].clone()
                }
            })
            .collect();
        sum += lovasz_jaccard_fast(&y, &m);
    }
    Ok(sum / Q::from_integer(BigInt::from(selected.len())))
}

/// [`lovasz_softmax`] in `f64`, with the same checks (a NaN probability is outside
/// \[0, 1\]).
pub fn lovasz_softmax_f64(labels: &[usize], probs: &[Vec<f64>], classes: &Classes) -> Result<f64> {
    if labels.is_empty() && probs.is_empty() {
        return Ok(0.0);
    }
    let c = check_shape(labels, probs)?;
    for (i, row) in probs.iter().enumerate() {
        if let Some(k) = row.iter().position(|x| !(0.0..=1.0).contains(x)) {
            return Err(Error::invalid(format!(
                "probability of class {k} at voxel {i} is {}, outside [0, 1]",
                row[k]
            )));
        }
    }
    let selected = select(classes, labels, c)?;
    if selected.is_empty() {
        return Ok(0.0);
    }
    let mut sum = 0.0;
    for &k in &selected {
        let y: Vec<bool> = labels.iter().map(|&l| l == k).collect();
        let m: Vec<f64> = y
            .iter()
            .zip(probs)
            .map(|(&yi, row)| if yi { 1.0 - row[k] } else { row[k] })
            .collect();
        sum += lovasz_jaccard_fast_f64(&y, &m);
    }
    Ok(sum / selected.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::{parse_rational, q_to_f64};
    use crate::surrogates::soft::{parse_soft, to_f64_vec};
    use proptest::prelude::*;

    fn q(s: &str) -> Q {
        parse_rational(s).expect("number")
    }

    fn rows(v: &[&[&str]]) -> Vec<Vec<Q>> {
        v.iter().map(|r| r.iter().map(|s| q(s)).collect()).collect()
    }

    fn rows_f64(v: &[Vec<Q>]) -> Vec<Vec<f64>> {
        v.iter().map(|r| to_f64_vec(r)).collect()
    }

    #[test]
    fn classes_parse_and_print() {
        assert_eq!("all".parse::<Classes>().expect("ok"), Classes::All);
        assert_eq!(
            " Present ".parse::<Classes>().expect("ok"),
            Classes::Present
        );
        assert_eq!(
            "1, 2,5".parse::<Classes>().expect("ok"),
            Classes::List(vec![1, 2, 5])
        );
        for c in ["all", "present", "0", "3,1,2"] {
            assert_eq!(c.parse::<Classes>().expect("ok").to_string(), c);
        }
        for (bad, needle) in [
            ("", "empty"),
            ("1,,2", "not a class index"),
            ("-1", "not a class index"),
            ("some", "not a class index"),
            ("1,2,1", "twice"),
        ] {
            let err = bad.parse::<Classes>().unwrap_err().to_string();
            assert!(
                err.contains(needle) && err.contains("accepted:"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn the_theory_example_as_two_classes() {
        // y = (1,0,0), p = (1/2, 1/4, 0) for class 1; class 0 gets 1 − p.
        let labels = [1, 0, 0];
        let probs = rows(&[&["1/2", "1/2"], &["3/4", "1/4"], &["1", "0"]]);
        let class1 = lovasz_softmax(&labels, &probs, &Classes::List(vec![1])).expect("ok");
        assert_eq!(class1, q("1/2"));
        // Class 0: y0 = (0,1,1), m = (1/2, 1/4, 0); Δ_J({0}) = 1/3, Δ_J({0,1}) = 2/3:
        // 1/2·1/3 + 1/4·1/3 = 1/4. Mean over both classes: 3/8.
        let class0 = lovasz_softmax(&labels, &probs, &Classes::List(vec![0])).expect("ok");
        assert_eq!(class0, q("1/4"));
        assert_eq!(
            lovasz_softmax(&labels, &probs, &Classes::All).expect("ok"),
            q("3/8")
        );
        assert_eq!(
            lovasz_softmax(&labels, &probs, &Classes::Present).expect("ok"),
            q("3/8")
        );
    }

    #[test]
    fn present_skips_absent_classes() {
        // Three classes, only class 0 in the ground truth.
        let labels = [0, 0];
        let probs = rows(&[&["1/2", "1/4", "1/4"], &["1", "0", "0"]]);
        let present = lovasz_softmax(&labels, &probs, &Classes::Present).expect("ok");
        let only0 = lovasz_softmax(&labels, &probs, &Classes::List(vec![0])).expect("ok");
        assert_eq!(present, only0);
        // Class 0: m = (1/2, 0), Δ_J({0}) = 1/2: term 1/4.
        assert_eq!(present, q("1/4"));
        // Absent classes contribute max m = 1/4 each under `all`: (1/4 + 1/4 + 1/4)/3.
        assert_eq!(
            lovasz_softmax(&labels, &probs, &Classes::All).expect("ok"),
            q("1/4")
        );
        let probs2 = rows(&[&["1/2", "1/2", "0"], &["1", "0", "0"]]);
        assert_eq!(
            lovasz_softmax(&labels, &probs2, &Classes::All).expect("ok"),
            (q("1/4") + q("1/2")) / q("3")
        );
        assert_eq!(
            lovasz_softmax(&labels, &probs2, &Classes::Present).expect("ok"),
            q("1/4")
        );
        // Rows need not sum to 1.
        let loose = rows(&[&["1", "1", "1"], &["0", "0", "0"]]);
        assert!(lovasz_softmax(&labels, &loose, &Classes::All).is_ok());
        // No voxels: 0 for every selection.
        for c in [Classes::All, Classes::Present, Classes::List(vec![4])] {
            assert_eq!(lovasz_softmax(&[], &[], &c).expect("ok"), Q::zero());
            assert_eq!(lovasz_softmax_f64(&[], &[], &c).expect("ok"), 0.0);
        }
    }

    #[test]
    fn bad_inputs_are_clear_errors() {
        let probs = rows(&[&["1/2", "1/2"], &["1", "0"]]);
        let all = Classes::All;
        let err = lovasz_softmax(&[0], &probs, &all).unwrap_err();
        assert!(matches!(err, Error::Mismatch(_)), "{err}");
        assert!(err.to_string().contains("1 labels but 2 probability rows"));
        let ragged = rows(&[&["1/2", "1/2"], &["1"]]);
        let err = lovasz_softmax(&[0, 1], &ragged, &all).unwrap_err();
        assert!(matches!(err, Error::Mismatch(_)), "{err}");
        assert!(err.to_string().contains("row 1 has 1 classes"), "{err}");
        let err = lovasz_softmax(&[0, 2], &probs, &all)
            .unwrap_err()
            .to_string();
        assert!(err.contains("label 2 at voxel 1"), "{err}");
        let bad = rows(&[&["1/2", "3/2"], &["1", "0"]]);
        let err = lovasz_softmax(&[0, 1], &bad, &all).unwrap_err().to_string();
        assert!(err.contains("class 1 at voxel 0 is 3/2"), "{err}");
        let neg = rows(&[&["1/2", "1/2"], &["-1/2", "0"]]);
        assert!(lovasz_softmax(&[0, 1], &neg, &all).is_err());
        for (list, needle) in [
            (vec![2], "class 2"),
            (vec![], "empty"),
            (vec![1, 1], "twice"),
        ] {
            let err = lovasz_softmax(&[0, 1], &probs, &Classes::List(list))
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        }
        let nan = vec![vec![0.5, f64::NAN], vec![1.0, 0.0]];
        assert!(lovasz_softmax_f64(&[0, 1], &nan, &all).is_err());
        assert!(lovasz_softmax_f64(&[0], &rows_f64(&probs), &all).is_err());
        // Zero-class rows: every label is out of range.
        assert!(lovasz_softmax(&[0], &[vec![]], &all).is_err());
    }

    fn unit_rational() -> impl Strategy<Value = Q> {
        (1i64..=12, 0i64..=12).prop_map(|(d, k)| Q::new(BigInt::from(k % (d + 1)), BigInt::from(d)))
    }

    fn multiclass() -> impl Strategy<Value = (Vec<usize>, Vec<Vec<Q>>)> {
        (1usize..=8, 1usize..=4).prop_flat_map(|(n, c)| {
            (
                prop::collection::vec(0..c, n),
                prop::collection::vec(prop::collection::vec(unit_rational(), c), n),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn two_classes_reduce_to_the_binary_loss(
            pairs in prop::collection::vec((any::<bool>(), unit_rational()), 1..=8)
        ) {
            let labels: Vec<usize> = pairs.iter().map(|(y, _)| usize::from(*y)).collect();
            let probs: Vec<Vec<Q>> = pairs.iter().map(|(_, p)| vec![Q::one() - p, p.clone()]).collect();
            let y: Vec<Q> = labels.iter().map(|&l| Q::from_integer(BigInt::from(l))).collect();
            let p: Vec<Q> = pairs.iter().map(|(_, p)| p.clone()).collect();
            let binary = parse_soft("lovasz-jaccard").expect("spec").loss(&y, &p).expect("valid");
            let class1 = lovasz_softmax(&labels, &probs, &Classes::List(vec![1])).expect("ok");
            prop_assert_eq!(Some(class1), binary);
            // Class 0 is the binary loss of the complements.
            let y0: Vec<Q> = y.iter().map(|v| Q::one() - v).collect();
            let p0: Vec<Q> = p.iter().map(|v| Q::one() - v).collect();
            let binary0 = parse_soft("lovasz-jaccard").expect("spec").loss(&y0, &p0).expect("valid");
            let class0 = lovasz_softmax(&labels, &probs, &Classes::List(vec![0])).expect("ok");
            prop_assert_eq!(Some(class0), binary0);
        }

        #[test]
        fn mean_of_per_class_terms_and_f64_agrees((labels, probs) in multiclass()) {
            let c = probs[0].len();
            let term = |k: usize| lovasz_softmax(&labels, &probs, &Classes::List(vec![k])).expect("ok");
            let all = lovasz_softmax(&labels, &probs, &Classes::All).expect("ok");
            let sum_all = (0..c).fold(Q::zero(), |a, k| a + term(k));
            prop_assert_eq!(&all, &(sum_all / Q::from_integer(BigInt::from(c))));
            let present: BTreeSet<usize> = labels.iter().copied().collect();
            let sum_present = present.iter().fold(Q::zero(), |a, &k| a + term(k));
            let pres = lovasz_softmax(&labels, &probs, &Classes::Present).expect("ok");
            prop_assert_eq!(&pres, &(sum_present / Q::from_integer(BigInt::from(present.len()))));
            let pf = rows_f64(&probs);
            for (cls, exact) in [(Classes::All, &all), (Classes::Present, &pres)] {
                let f = lovasz_softmax_f64(&labels, &pf, &cls).expect("ok");
                prop_assert!((f - q_to_f64(exact)).abs() <= 1e-12, "{} vs {}", f, format_q(exact));
            }
        }
    }
}
