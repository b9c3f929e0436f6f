//! Count space: every (TP, FP, FN, TN) with TP + FP + FN + TN = n, each standing for
//! its multinomial number of mask pairs.
//!
//! Why: a loss that depends only on counts takes C(n+3, 3) ≈ n³/6 distinct values on
//! the 4ⁿ mask pairs of n voxels, so the extremes over all pairs are found by
//! visiting the tuples. Work is split into chunks by TP; chunk TP = t stands for
//! C(n, t)·3^(n−t) mask pairs (choose the TP voxels, then one of three states for
//! each other voxel), which is how the configuration total is kept exact without
//! summing a multinomial per tuple. The voxel-space enumerator checks all of this.

use num_bigint::BigUint;

use crate::analysis::{binomial, multiplicity, Pair, Spread};
use crate::counts::Counts;
use crate::error::Result;

/// Number of count tuples on n voxels: C(n+3, 3).
pub fn tuples(n: u64) -> u128 {
    let n = n as u128;
    (n + 1) * (n + 2) * (n + 3) / 6
}

/// Number of chunks (one per TP value).
pub fn chunks(n: u64) -> u64 {
    n + 1
}

/// Count tuples in chunk `tp`.
pub fn chunk_tuples(n: u64, tp: u64) -> u128 {
    let r = (n - tp) as u128;
    (r + 1) * (r + 2) / 2
}

/// Mask pairs represented by chunk `tp`: C(n, tp)·3^(n−tp).
pub fn chunk_configurations(n: u64, tp: u64) -> BigUint {
    binomial(n, tp) * BigUint::from(3u32).pow((n - tp) as u32)
}

/// Analyses every tuple with TP = `tp`.
pub fn run_chunk(pair: &Pair, n: u64, tp: u64) -> Result<Spread> {
    let mut s = Spread {
        configurations: chunk_configurations(n, tp),
        ..Spread::default()
    };
    let rest = n - tp;
    for fp in 0..=rest {
        for fn_ in 0..=rest - fp {
            let c = Counts {
                tp,
                fp,
                fn_,
                tn: rest - fp - fn_,
            };
            match pair.eval_small(&c) {
                Some((t, k)) => s.visit_fracs(&c, &t, &k, || multiplicity(&c)),
                None => {
                    let (t, k) = pair.eval(&c)?;
                    s.visit(&c, &t, &k, || multiplicity(&c));
                }
            }
        }
    }
    Ok(s)
}

/// Calls `f` on every count tuple of n voxels, in (TP, FP, FN) order.
pub fn for_each_tuple(n: u64, mut f: impl FnMut(Counts)) {
    for tp in 0..=n {
        for fp in 0..=n - tp {
            for fn_ in 0..=n - tp - fp {
                f(Counts {
                    tp,
                    fp,
                    fn_,
                    tn: n - tp - fp - fn_,
                });
            }
        }
    }
}
