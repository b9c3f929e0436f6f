//! Confusion counts: the four numbers every count-based measure is a function of.
//!
//! Why this is the narrow waist of the crate: Dice, Jaccard, Tversky and the
//! weighted Hamming losses depend on a pair of masks only through
//! (TP, FP, FN, TN). Readers and enumerators produce [`Counts`]; measures consume
//! them. Counts are `u64` and every constructor checks that the total
//! n = TP + FP + FN + TN still fits, so nothing overflows silently.
//!
//! Three producers live here: counting two boolean slices (real volumes), two
//! bit-packed small masks ([`crate::masks::SmallMask`], used by exhaustive
//! enumeration), and one-vs-rest counts for every label of two label maps.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::masks::SmallMask;

/// Confusion counts of a ground truth y and a prediction ŷ on n voxels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Counts {
    /// |y ∩ ŷ|
    pub tp: u64,
    /// |ŷ \ y|
    pub fp: u64,
    /// |y \ ŷ|
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// n − TP − FP − FN
    pub tn: u64,
}

impl Counts {
    /// Counts from their four values; fails if the total n does not fit in a `u64`.
    pub fn new(tp: u64, fp: u64, fn_: u64, tn: u64) -> Result<Counts> {
        let c = Counts { tp, fp, fn_, tn };
        c.checked_n().ok_or_else(|| {
            Error::invalid(format!(
                "counts tp={tp} fp={fp} fn={fn_} tn={tn} sum to more than 2^64 - 1 voxels"
            ))
        })?;
        Ok(c)
    }

    /// n = TP + FP + FN + TN, or `None` if that overflows.
    pub fn checked_n(&self) -> Option<u64> {
        self.tp
            .checked_add(self.fp)?
            .checked_add(self.fn_)?
            .checked_add(self.tn)
    }

    /// n = TP + FP + FN + TN. Every constructor in this module guarantees it fits;
    /// a `Counts` built by hand with a struct literal that overflows saturates.
    pub fn n(&self) -> u64 {
        self.checked_n().unwrap_or(u64::MAX)
    }

    /// |y| = TP + FN, the ground-truth foreground size.
    pub fn gt_size(&self) -> u64 {
        self.tp.saturating_add(self.fn_)
    }

    /// |ŷ| = TP + FP, the predicted foreground size.
    pub fn pred_size(&self) -> u64 {
        self.tp.saturating_add(self.fp)
    }

    /// True when both masks are empty (the 0/0 case of Dice and Jaccard).
    pub fn both_empty(&self) -> bool {
        self.tp == 0 && self.fp == 0 && self.fn_ == 0
    }

    /// Counts of two boolean masks of equal length.
    pub fn from_bools(gt: &[bool], pred: &[bool]) -> Result<Counts> {
        if gt.len() != pred.len() {
            return Err(Error::Mismatch(format!(
                "ground truth has {} voxels but prediction has {}",
                gt.len(),
                pred.len()
            )));
        }
        // |y ∩ ŷ|, |y| and |ŷ| in u32 lanes over blocks short enough not to overflow;
        // the compiler vectorises the inner loop. FP and FN follow by subtraction.
        let (mut tp, mut gs, mut ps) = (0u64, 0u64, 0u64);
        for (gb, pb) in gt.chunks(1 << 20).zip(pred.chunks(1 << 20)) {
            let (mut t, mut g_, mut p_) = (0u32, 0u32, 0u32);
            for (&g, &p) in gb.iter().zip(pb) {
                let (g, p) = (g as u32, p as u32);
                t += g & p;
                g_ += g;
                p_ += p;
            }
            tp += t as u64;
            gs += g_ as u64;
            ps += p_ as u64;
        }
        let n = gt.len() as u64;
        Ok(Counts {
            tp,
            fp: ps - tp,
            fn_: gs - tp,
            tn: n + tp - gs - ps,
        })
    }

    /// Counts of two bit-packed masks on the same number of voxels.
    pub fn from_small(gt: SmallMask, pred: SmallMask) -> Result<Counts> {
        if gt.len() != pred.len() {
            return Err(Error::Mismatch(format!(
                "ground truth has {} voxels but prediction has {}",
                gt.len(),
                pred.len()
            )));
        }
        Ok(Counts::from_bits(gt.bits(), pred.bits(), gt.len()))
    }

    /// Counts of two bit patterns on the low `n` bits (n ≤ 64); bits above n must
    /// be zero. This is the enumeration hot path: three popcounts.
    #[inline]
    pub fn from_bits(gt: u64, pred: u64, n: u32) -> Counts {
        let tp = (gt & pred).count_ones() as u64;
        let fp = (!gt & pred).count_ones() as u64;
        let fn_ = (gt & !pred).count_ones() as u64;
        Counts {
            tp,
            fp,
            fn_,
            tn: n as u64 - tp - fp - fn_,
        }
    }
}

/// One-vs-rest counts for every nonzero label occurring in either label map.
///
/// Label 0 is background and gets no entry; for each other label L the counts are
/// those of the masks `gt == L` and `pred == L`. One pass over the voxels, so a
/// whole atlas costs the same as one label. [`per_label_counts_with`] keeps the
/// background or ignores labels.
pub fn per_label_counts(gt: &[i64], pred: &[i64]) -> Result<BTreeMap<i64, Counts>> {
    per_label_counts_with(gt, pred, &LabelSelection::default())
}

/// Which labels a per-label comparison reports, in the peers' terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelection {
    /// Report label 0 too (MONAI's `include_background`, which defaults to true
    /// there; false here, as before this option existed).
    pub include_background: bool,
    /// Labels whose ground-truth voxels are left out of every count and which get
    /// no entry (the Lovász reference's `ignore`, nnU-Net's ignore label). A
    /// prediction of an ignored label elsewhere counts as predicting no reported
    /// label there.
    pub ignore: Vec<i64>,
}

/// [`per_label_counts`] with a [`LabelSelection`]: one-vs-rest counts of every
/// reported label occurring in either map, over the voxels whose ground truth is
/// not ignored.
pub fn per_label_counts_with(
    gt: &[i64],
    pred: &[i64],
    sel: &LabelSelection,
) -> Result<BTreeMap<i64, Counts>> {
    if gt.len() != pred.len() {
        return Err(Error::Mismatch(format!(
            "ground truth has {} voxels but prediction has {}",
            gt.len(),
            pred.len()
        )));
    }
    // (tp, fp, fn) per label; TN follows from n.
    let mut acc: BTreeMap<i64, [u64; 3]> = BTreeMap::new();
    let reported = |l: i64| (l != 0 || sel.include_background) && !sel.ignore.contains(&l);
    let mut n = 0u64;
    for (&g, &p) in gt.iter().zip(pred) {
        if !sel.ignore.is_empty() && sel.ignore.contains(&g) {
            continue;
        }
        n += 1;
        if g == p {
            if reported(g) {
                acc.entry(g).or_default()[0] += 1;
            }
        } else {
            if reported(g) {
                acc.entry(g).or_default()[2] += 1;
            }
            if reported(p) {
                acc.entry(p).or_default()[1] += 1;
            }
        }
    }
    Ok(acc
        .into_iter()
        .map(|(label, [tp, fp, fn_])| {
            (
                label,
                Counts {
                    tp,
                    fp,
                    fn_,
                    tn: n - tp - fp - fn_,
                },
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_of_a_small_example() {
        let gt = [true, true, false, false, true];
        let pred = [true, false, true, false, false];
        let c = Counts::from_bools(&gt, &pred).unwrap();
        assert_eq!(c, Counts::new(1, 1, 2, 1).unwrap());
        assert_eq!(c.n(), 5);
        assert_eq!(c.gt_size(), 3);
        assert_eq!(c.pred_size(), 2);
    }

    #[test]
    fn mismatched_lengths_are_an_error() {
        let err = Counts::from_bools(&[true], &[true, false]).unwrap_err();
        assert!(err.to_string().contains("1 voxels but prediction has 2"));
    }

    #[test]
    fn overflowing_totals_are_refused() {
        assert!(Counts::new(u64::MAX, 1, 0, 0).is_err());
        assert!(Counts::new(u64::MAX, 0, 0, 0).is_ok());
    }

    proptest! {
        #[test]
        fn bits_and_bools_agree(n in 0u32..=64, g in any::<u64>(), p in any::<u64>()) {
            let mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
            let (g, p) = (g & mask, p & mask);
            let gb: Vec<bool> = (0..n).map(|i| g >> i & 1 == 1).collect();
            let pb: Vec<bool> = (0..n).map(|i| p >> i & 1 == 1).collect();
            prop_assert_eq!(Counts::from_bits(g, p, n), Counts::from_bools(&gb, &pb).unwrap());
        }

        #[test]
        fn per_label_matches_binary_masks(
            pairs in proptest::collection::vec((0i64..4, 0i64..4), 0..200)
        ) {
            let gt: Vec<i64> = pairs.iter().map(|x| x.0).collect();
            let pred: Vec<i64> = pairs.iter().map(|x| x.1).collect();
            let table = per_label_counts(&gt, &pred).unwrap();
            for label in 1..4 {
                let g: Vec<bool> = gt.iter().map(|&v| v == label).collect();
                let p: Vec<bool> = pred.iter().map(|&v| v == label).collect();
                let direct = Counts::from_bools(&g, &p).unwrap();
                match table.get(&label) {
                    Some(c) => prop_assert_eq!(*c, direct),
                    None => prop_assert!(direct.both_empty()),
                }
            }
            prop_assert!(!table.contains_key(&0));
        }

        /// With background kept and labels ignored, each reported label's counts are
        /// those of its binary masks over the voxels whose ground truth is not ignored.
        #[test]
        fn per_label_selection_matches_binary_masks(
            pairs in proptest::collection::vec((0i64..4, 0i64..4), 0..200),
            ignore in proptest::collection::vec(0i64..4, 0..2),
            include_background in any::<bool>(),
        ) {
            let sel = LabelSelection { include_background, ignore: ignore.clone() };
            let kept: Vec<(i64, i64)> = pairs.iter().copied().filter(|(g, _)| !ignore.contains(g)).collect();
            let gt: Vec<i64> = pairs.iter().map(|x| x.0).collect();
            let pred: Vec<i64> = pairs.iter().map(|x| x.1).collect();
            let table = per_label_counts_with(&gt, &pred, &sel).unwrap();
            for label in 0..4 {
                let g: Vec<bool> = kept.iter().map(|&(v, _)| v == label).collect();
                let p: Vec<bool> = kept.iter().map(|&(_, v)| v == label).collect();
                let direct = Counts::from_bools(&g, &p).unwrap();
                let reported = (label != 0 || include_background) && !ignore.contains(&label);
                match table.get(&label) {
                    Some(c) => {
                        prop_assert!(reported);
                        prop_assert_eq!(*c, direct);
                    }
                    None => prop_assert!(!reported || direct.both_empty()),
                }
            }
        }
    }
}
