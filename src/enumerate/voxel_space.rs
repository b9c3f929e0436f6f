//! Voxel space: every pair (y, ŷ) of binary masks on n voxels, bit-packed.
//!
//! Why it exists next to count space: it is the brute-force ground truth. It visits
//! all 4ⁿ pairs one by one, so it needs no combinatorics, and it is what checks
//! that the count-space shortcut (multinomial weights, per-chunk totals) is right.
//! It also serves losses that look at individual voxels rather than counts.
//!
//! Two paths:
//! * the histogram path, for count-based measures: for each y, a tight loop over
//!   every ŷ increments a histogram bin indexed by (|y∩ŷ|, |ŷ|) (two popcounts per
//!   pair, compiled with the `popcnt` instruction when the CPU has it); the
//!   measures are then evaluated once per occupied bin with its pair count;
//! * the per-pair path ([`run_chunk_per_pair`]), which evaluates a loss on each
//!   pair of masks; slow, general, and the reference the histogram is tested
//!   against.
//!
//! Chunks are ranges of y, so shards and checkpoints split the work evenly.

use std::ops::Range;

use num_bigint::BigUint;

use crate::analysis::{Pair, Spread, Val};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::masks::SmallMask;

/// Largest n the voxel enumerator accepts (4^n pairs must be countable in u64 and
/// masks must fit a u64 word).
pub const MAX_N: u64 = 31;

/// Number of chunks for n voxels: a power of two, aiming at about 2^22 pairs per
/// chunk (small runs are not drowned in per-chunk overhead), at most 256 (large runs
/// checkpoint and shard at a fine grain).
pub fn chunks(n: u64) -> u64 {
    1u64 << (2 * n).saturating_sub(22).clamp(0, 8).min(n)
}

/// The range of y in chunk `i`.
pub fn chunk_range(n: u64, i: u64) -> Range<u64> {
    let total = 1u64 << n;
    let k = chunks(n);
    let per = total / k;
    i * per..(i + 1) * per
}

/// A loss evaluated on a pair of masks (not only on counts).
pub trait PairLoss: Sync {
    /// The two losses (target, candidate) at a pair of masks.
    fn eval_pair(&self, gt: SmallMask, pred: SmallMask) -> Result<(Val, Val)>;
}

impl PairLoss for Pair {
    fn eval_pair(&self, gt: SmallMask, pred: SmallMask) -> Result<(Val, Val)> {
        self.eval(&Counts::from_small(gt, pred)?)
    }
}

fn check_n(n: u64) -> Result<()> {
    if n == 0 || n > MAX_N {
        return Err(Error::invalid(format!(
            "voxel-space enumeration needs 1 <= n <= {MAX_N}, got {n}"
        )));
    }
    Ok(())
}

/// Pair histogram of a range of y: `h[(k·w + tp)·w + ps]` counts the pairs with
/// |y| = k, |y∩ŷ| = tp and |ŷ| = ps, where w = n + 1.
pub fn histogram(n: u64, ys: Range<u64>) -> Vec<u64> {
    let w = n as usize + 1;
    let mut h = vec![0u64; w * w * w];
    let mut row = vec![0u32; w * w];
    for y in ys {
        row.iter_mut().for_each(|x| *x = 0);
        pairs_of(y, n as u32, &mut row);
        let k = y.count_ones() as usize;
        let base = k * w * w;
        for (dst, &src) in h[base..base + w * w].iter_mut().zip(&row) {
            *dst += src as u64;
        }
    }
    h
}

/// Histogram over every ŷ of (|y∩ŷ|, |ŷ|) for one y, into `row` (w·w entries).
///
/// Each ŷ is visited and increments its own bin. The popcounts are factored by
/// bit blocks: ŷ = (high << 8) | low, and for the 256 values of `low` the bin
/// offset `tp_low·w + |low|` depends only on y's low byte, so it is tabulated once
/// per y; the inner loop is then one table load and one increment per pair.
fn pairs_of(y: u64, n: u32, row: &mut [u32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the CPU supports popcnt, checked just above.
            unsafe { pairs_of_popcnt(y, n, row) };
            return;
        }
    }
    pairs_of_portable(y, n, row)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
unsafe fn pairs_of_popcnt(y: u64, n: u32, row: &mut [u32]) {
    pairs_of_portable(y, n, row)
}

/// Low-block width of the factored loop.
const LOW_BITS: u32 = 8;

#[inline(always)]
fn pairs_of_portable(y: u64, n: u32, row: &mut [u32]) {
    let w = n as usize + 1;
    if n <= LOW_BITS {
        for p in 0..(1u64 << n) {
            let tp = (y & p).count_ones() as usize;
            let ps = p.count_ones() as usize;
            row[tp * w + ps] += 1;
        }
        return;
    }
    let y_low = y & ((1 << LOW_BITS) - 1);
    let y_high = y >> LOW_BITS;
    let mut low = [0usize; 1 << LOW_BITS];
    for (l, slot) in low.iter_mut().enumerate() {
        let l = l as u64;
        *slot = (y_low & l).count_ones() as usize * w + l.count_ones() as usize;
    }
    let max_low = low.iter().copied().max().unwrap_or(0);
    for h in 0..(1u64 << (n - LOW_BITS)) {
        let offset = (y_high & h).count_ones() as usize * w + h.count_ones() as usize;
        // One bounds check per block instead of one per pair.
        let block = &mut row[offset..=offset + max_low];
        for &idx in &low {
            block[idx] += 1;
        }
    }
}

/// Analyses chunk `i` by the histogram path.
pub fn run_chunk(pair: &Pair, n: u64, i: u64) -> Result<Spread> {
    check_n(n)?;
    let ys = chunk_range(n, i);
    let h = histogram(n, ys.clone());
    let mut s = Spread {
        configurations: BigUint::from(ys.end - ys.start) << n,
        ..Spread::default()
    };
    let w = n as usize + 1;
    for k in 0..w {
        for tp in 0..=k {
            for ps in tp..w {
                let count = h[(k * w + tp) * w + ps];
                if count == 0 {
                    continue;
                }
                let (tp, k, ps) = (tp as u64, k as u64, ps as u64);
                let c = Counts {
                    tp,
                    fp: ps - tp,
                    fn_: k - tp,
                    tn: n - k - (ps - tp),
                };
                let (t, cand) = pair.eval(&c)?;
                s.visit(&c, &t, &cand, || BigUint::from(count));
            }
        }
    }
    s.tuples = 0; // tuples count distinct count tuples only in count space
    Ok(s)
}

/// Analyses chunk `i` by evaluating `loss` on every pair of masks.
pub fn run_chunk_per_pair(loss: &dyn PairLoss, n: u64, i: u64) -> Result<Spread> {
    check_n(n)?;
    let ys = chunk_range(n, i);
    let mut s = Spread {
        configurations: BigUint::from(ys.end - ys.start) << n,
        ..Spread::default()
    };
    for y in ys {
        let gt = SmallMask::new(y, n as u32)?;
        for p in 0..(1u64 << n) {
            let pred = SmallMask::new(p, n as u32)?;
            let (t, k) = loss.eval_pair(gt, pred)?;
            let c = Counts::from_small(gt, pred)?;
            s.visit(&c, &t, &k, || BigUint::from(1u32));
        }
    }
    s.tuples = 0;
    Ok(s)
}

/// The first pair (y, ŷ) in enumeration order (y ascending, then ŷ ascending) with
/// the given counts: how a count witness is shown as two concrete masks.
///
/// Every y with |y| = TP + FN admits such a ŷ, so the first y is the lowest
/// TP + FN bits; the smallest ŷ then takes the lowest TP bits inside y and the
/// lowest FP bits above it (tests check this against a scan).
pub fn first_pair_with(c: &Counts) -> Result<(SmallMask, SmallMask)> {
    let n = c.n();
    check_n(n)?;
    let ones = |k: u64| if k == 0 { 0 } else { u64::MAX >> (64 - k) };
    let k = c.tp + c.fn_;
    let y = ones(k);
    let p = ones(c.tp) | (ones(c.fp) << k);
    Ok((SmallMask::new(y, n as u32)?, SmallMask::new(p, n as u32)?))
}
