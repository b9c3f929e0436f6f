//! k-fold cross-validation over contiguous slabs of slices.
//!
//! # Why slabs, and why a gap
//!
//! Neighbouring axial slices of one brain are nearly the same image: a test slice
//! whose neighbour was trained on is not a held-out image. So the slices, in z
//! order, are cut into `k` contiguous slabs; fold `f` tests slab `f` and trains on
//! every slice that is more than `gap` positions away from it. The `gap` slices on
//! each side of the test slab are left out of that fold (they are training slices
//! of the other folds), so no test slice is ever adjacent to a training slice of
//! its own fold. Over the `k` folds every slice is a test slice exactly once, which
//! is what lets the comparison use every slice that contains the structure instead
//! of the one block in three of the old block split ([`super::split_blocks`], kept
//! as `--split blocks`).
//!
//! # The seed
//!
//! With `n = q·k + r` slices, `r` slabs have `q + 1` slices and `k − r` have `q`.
//! Which slabs are the longer ones is drawn from the fold seed (a seeded
//! Fisher–Yates shuffle of the slab numbers), so the assignment is a pure function
//! of (seed, slice list): the same seed and slices give the same folds, on every
//! machine, and the training seeds share them. When `k` divides `n` the seed has
//! no effect. Fold numbers follow z order (fold 0 is the lowest slab).

use crate::error::{Error, Result};
use crate::rng::Rng;

use super::Part;

/// Settings of the k-fold split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoldConfig {
    /// Number of folds (≥ 2).
    pub folds: usize,
    /// Slices left out on each side of a test slab (≥ 1).
    pub gap: usize,
    /// Seed of the slab sizes.
    pub seed: u64,
}

impl Default for FoldConfig {
    fn default() -> Self {
        FoldConfig {
            folds: 5,
            gap: 1,
            seed: 0,
        }
    }
}

impl FoldConfig {
    /// The split in words, for provenance files.
    pub fn describe(&self) -> String {
        format!(
            "{}-fold cross-validation over contiguous slabs of slices in z order; fold f tests slab f \
             and trains on every slice more than {} position(s) away from it; slab sizes differ by at \
             most one, the longer slabs drawn with fold seed {}",
            self.folds, self.gap, self.seed
        )
    }
}

/// The test fold of each slice: `slices` are slice indices in strictly increasing
/// order; the result has one fold number per slice, non-decreasing, each of
/// `0..folds` used by one contiguous run.
///
/// Errors name the option: fewer than 2 folds, a gap of 0, slices not strictly
/// increasing, or too few slices for every fold to have a test slab and training
/// slices (`n ≥ folds` and `n > q + 1 + 2·gap` for the longest slab `q + 1`).
pub fn assign_folds(slices: &[usize], cfg: FoldConfig) -> Result<Vec<usize>> {
    let FoldConfig {
        folds: k,
        gap,
        seed,
    } = cfg;
    if k < 2 {
        return Err(Error::invalid(format!(
            "--folds must be at least 2, got {k} (use --split blocks for a single train/test split)"
        )));
    }
    if gap == 0 {
        return Err(Error::invalid(
            "--gap must be at least 1: a test slice next to a training slice is not held out",
        ));
    }
    if let Some(w) = slices.windows(2).find(|w| w[0] >= w[1]) {
        return Err(Error::invalid(format!(
            "fold assignment: slices must be strictly increasing, found {} then {}",
            w[0], w[1]
        )));
    }
    let n = slices.len();
    let (q, r) = (n / k, n % k);
    let longest = q + usize::from(r > 0);
    if q == 0 || longest + 2 * gap >= n {
        return Err(Error::invalid(format!(
            "{n} slices are too few for {k} folds with a gap of {gap}: every fold needs a test slab \
             and training slices; lower --folds or --gap"
        )));
    }
    // Which slabs get the extra slice: the first r of a seeded permutation.
    let mut rng = Rng::new(seed ^ 0x00f0_1d5e_ed00_0000, n as u64);
    let mut order: Vec<usize> = (0..k).collect();
    for i in (1..k).rev() {
        let j = rng.upto(i as u64) as usize;
        order.swap(i, j);
    }
    let mut len = vec![q; k];
    for &f in &order[..r] {
        len[f] += 1;
    }
    Ok(len
        .iter()
        .enumerate()
        .flat_map(|(f, &l)| std::iter::repeat_n(f, l))
        .collect())
}

/// The role of each slice in fold `fold` of an assignment from [`assign_folds`]:
/// its test slab, the `gap` slices on each side of it, and training elsewhere.
pub fn fold_parts(assign: &[usize], fold: usize, gap: usize) -> Vec<Part> {
    let first = assign.iter().position(|&f| f == fold);
    let last = assign.iter().rposition(|&f| f == fold);
    let (Some(a), Some(b)) = (first, last) else {
        return vec![Part::Train; assign.len()];
    };
    (0..assign.len())
        .map(|i| {
            if (a..=b).contains(&i) {
                Part::Test
            } else if i + gap >= a && i <= b + gap {
                Part::Gap
            } else {
                Part::Train
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn slice_list() -> impl Strategy<Value = Vec<usize>> {
        // Strictly increasing slice indices with steps of 1 or 2 (stride-2 tasks).
        (0usize..40, prop::collection::vec(1usize..=2, 0..120)).prop_map(|(start, steps)| {
            let mut v = vec![start];
            for s in steps {
                v.push(v.last().unwrap() + s);
            }
            v
        })
    }

    proptest! {
        /// Every slice is tested exactly once per assignment, every fold trains on
        /// something, and no test slice is adjacent to a training slice of its fold.
        #[test]
        fn every_slice_tested_once_and_held_out(
            slices in slice_list(), k in 2usize..8, gap in 1usize..3, seed in any::<u64>()
        ) {
            let cfg = FoldConfig { folds: k, gap, seed };
            let Ok(assign) = assign_folds(&slices, cfg) else {
                // Refused only when there are too few slices.
                let n = slices.len();
                prop_assert!(n < k || n.div_ceil(k) + 2 * gap >= n);
                return Ok(());
            };
            prop_assert_eq!(assign.len(), slices.len());
            prop_assert_eq!(assign.clone(), assign_folds(&slices, cfg).unwrap());
            let mut tested = vec![0usize; slices.len()];
            for f in 0..k {
                let parts = fold_parts(&assign, f, gap);
                prop_assert!(parts.contains(&Part::Train) && parts.contains(&Part::Test));
                for (i, p) in parts.iter().enumerate() {
                    if *p == Part::Test {
                        tested[i] += 1;
                        prop_assert_eq!(assign[i], f);
                        for (j, q) in parts.iter().enumerate() {
                            if *q == Part::Train {
                                prop_assert!(slices[i].abs_diff(slices[j]) > 1,
                                    "test slice {} next to training slice {}", slices[i], slices[j]);
                                prop_assert!(i.abs_diff(j) > gap);
                            }
                        }
                    }
                }
            }
            prop_assert!(tested.iter().all(|&t| t == 1));
            // Slabs are contiguous and differ in length by at most one.
            let lens: Vec<usize> = (0..k).map(|f| assign.iter().filter(|&&a| a == f).count()).collect();
            prop_assert!(lens.iter().max().unwrap() - lens.iter().min().unwrap() <= 1);
            prop_assert!(assign.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn the_seed_picks_the_longer_slabs() {
        let slices: Vec<usize> = (40..88).collect(); // 48 = 5·9 + 3
        let a = assign_folds(&slices, FoldConfig::default()).unwrap();
        let differs = (1..20).any(|s| {
            assign_folds(
                &slices,
                FoldConfig {
                    seed: s,
                    ..FoldConfig::default()
                },
            )
            .unwrap()
                != a
        });
        assert!(differs);
        // 45 slices: every slab has 9, whatever the seed.
        let even: Vec<usize> = (0..45).collect();
        for s in 0..5 {
            let cfg = FoldConfig {
                seed: s,
                ..FoldConfig::default()
            };
            let v = assign_folds(&even, cfg).unwrap();
            assert_eq!(v, (0..45).map(|i| i / 9).collect::<Vec<_>>());
        }
    }

    #[test]
    fn bad_settings_name_the_option() {
        let s: Vec<usize> = (0..20).collect();
        let e = |c| assign_folds(&s, c).unwrap_err().to_string();
        assert!(e(FoldConfig {
            folds: 1,
            gap: 1,
            seed: 0
        })
        .contains("--folds"));
        assert!(e(FoldConfig {
            folds: 5,
            gap: 0,
            seed: 0
        })
        .contains("--gap"));
        assert!(e(FoldConfig {
            folds: 10,
            gap: 9,
            seed: 0
        })
        .contains("too few"));
        let e = assign_folds(&[3, 2, 5], FoldConfig::default()).unwrap_err();
        assert!(e.to_string().contains("strictly increasing"));
    }
}
