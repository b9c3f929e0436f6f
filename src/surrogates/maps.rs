//! Exact soft losses of whole probability maps, from the floats as stored.
//!
//! A probability map read from a `.npy` or NIfTI file is a few million `float32`
//! or `float64` values. Every such value is a dyadic rational m·2^e (m an integer
//! of at most 24 or 53 bits), so the per-image sums a soft loss needs
//! ([`SoftSums`]) are exact rationals with a power-of-two denominator. They could be
//! summed as general rationals, but each addition would then reduce a fraction; at
//! 7 million voxels that is seconds. Instead the mantissas are added in *integer
//! buckets, one per binary exponent*: Σ m over all values with exponent e is an
//! integer that fits in a `u128` (2^53 · 2^64 < 2^128), and Σ m² over the same
//! values fits in a `u128` plus a carry counter. A voxel costs a few integer
//! additions and no allocation; only the ~300 (float32) or ~2000 (float64) buckets
//! are combined into big rationals at the end. The result is the exact sum, not an
//! approximation of it, which is what lets `measure` print `p/q` for a soft loss of
//! a real map.
//!
//! With hard labels y ∈ {0, 1} the six sums need only three accumulations: the
//! probability mass inside and outside the ground truth and Σp². Then Σp·y is the
//! mass inside, Σy = Σy² is the number of foreground voxels, and
//! Σ|p − y| = (mass outside) + |y| − (mass inside).
//!
//! The same pass validates the map: a NaN or a value outside \[0, 1\] stops it and
//! is reported with its voxel index and value (`-0.0` counts as 0, since NumPy
//! produces it and it is the number 0).
//!
//! # Lovász-Jaccard
//!
//! Lovász-softmax needs the whole error vector in sorted order. [`lovasz_jaccard`]
//! counts, per distinct stored float, the voxels inside and outside the ground
//! truth (a hash of the float's bits), turns each *distinct* value into an exact
//! rational once, and then runs the grouped exact sum of
//! [`crate::surrogates::soft::lovasz_jaccard_fast`] over the distinct errors. Its
//! cost grows with the number of distinct values: a map quantised to a few thousand
//! levels is as fast as the sums, while a map of millions of distinct floats pays
//! one big-rational term per distinct value.
//!
//! # Multi-class maps
//!
//! [`class_sums`] computes the sums of every channel c against the one-hot target
//! `labels == c`, in one pass per channel, skipping voxels whose label is ignored.
//! Averaging the per-class losses is the caller's business (the CLI does it as MONAI
//! and the Lovász reference do: a plain mean over the selected classes).

use std::collections::HashMap;

use num_bigint::{BigInt, BigUint};
use num_traits::{One, Zero};

use crate::error::{Error, Result};
use crate::exact::Q;
use crate::io::VoxelData;
use crate::surrogates::soft::lovasz_jaccard_of_groups;
use crate::surrogates::sums::SoftSums;

/// What the values of a map are, which decides how they are validated: the
/// loss's own [`SoftLoss::input_domain`](crate::surrogates::soft::SoftLoss::input_domain).
pub use crate::surrogates::soft::InputDomain as MapDomain;

/// A stored floating-point type whose values decompose exactly as m·2^e.
pub trait MapFloat: Copy + Send + Sync + 'static {
    /// Number of exponent buckets.
    const BUCKETS: usize;
    /// e = bucket + `OFFSET` for every value in that bucket.
    const OFFSET: i64;
    /// `(m, bucket)` of a finite value's magnitude.
    fn split(self) -> (u64, usize);
    /// True for a value in \[0, 1\] (including `-0.0`).
    fn in_unit(self) -> bool;
    /// True when finite.
    fn finite(self) -> bool;
    /// The value as `f64` (exact for both types).
    fn as_f64(self) -> f64;
    /// The raw bits, for hashing distinct values.
    fn key(self) -> u64;
    /// True when the sign bit is set and the value is not zero.
    fn negative(self) -> bool;
}

impl MapFloat for f32 {
    const BUCKETS: usize = 256;
    const OFFSET: i64 = -150;
    #[inline]
    fn split(self) -> (u64, usize) {
        let bits = self.to_bits();
        let exp = ((bits >> 23) & 0xff) as usize;
        let frac = u64::from(bits & 0x7f_ffff);
        if exp == 0 {
            (frac, 1)
        } else {
            (frac | 0x80_0000, exp)
        }
    }
    #[inline]
    fn in_unit(self) -> bool {
        let bits = self.to_bits();
        bits <= 0x3f80_0000 || bits == 0x8000_0000
    }
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn key(self) -> u64 {
        // -0.0 and 0.0 are the same number.
        if self == 0.0 {
            0
        } else {
            u64::from(self.to_bits())
        }
    }
    fn negative(self) -> bool {
        self < 0.0
    }
}

impl MapFloat for f64 {
    const BUCKETS: usize = 2048;
    const OFFSET: i64 = -1075;
    #[inline]
    fn split(self) -> (u64, usize) {
        let bits = self.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as usize;
        let frac = bits & 0x000f_ffff_ffff_ffff;
        if exp == 0 {
            (frac, 1)
        } else {
            (frac | 0x0010_0000_0000_0000, exp)
        }
    }
    #[inline]
    fn in_unit(self) -> bool {
        let bits = self.to_bits();
        bits <= 0x3ff0_0000_0000_0000 || bits == 0x8000_0000_0000_0000
    }
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn as_f64(self) -> f64 {
        self
    }
    #[inline]
    fn key(self) -> u64 {
        if self == 0.0 {
            0
        } else {
            self.to_bits()
        }
    }
    fn negative(self) -> bool {
        self < 0.0
    }
}

/// The exact rational value of a finite float.
pub fn float_to_q<T: MapFloat>(v: T) -> Q {
    let (m, b) = v.split();
    let q = dyadic(BigInt::from(m), b as i64 + T::OFFSET);
    if v.negative() {
        -q
    } else {
        q
    }
}

/// m·2^e as a rational.
fn dyadic(m: BigInt, e: i64) -> Q {
    if e >= 0 {
        Q::from_integer(m << e as usize)
    } else {
        Q::new(m, BigInt::one() << (-e) as usize)
    }
}

/// Exact sums of mantissas per exponent bucket.
struct Buckets {
    /// Σ m inside the ground truth, per bucket.
    inside: Vec<u128>,
    /// Σ m outside the ground truth, per bucket.
    outside: Vec<u128>,
    /// Σ m² per bucket (exponent 2e): low 128 bits and carries.
    sq_lo: Vec<u128>,
    sq_hi: Vec<u64>,
    n_inside: u64,
    n: u64,
}

impl Buckets {
    fn new(buckets: usize) -> Buckets {
        Buckets {
            inside: vec![0; buckets],
            outside: vec![0; buckets],
            sq_lo: vec![0; buckets],
            sq_hi: vec![0; buckets],
            n_inside: 0,
            n: 0,
        }
    }

    #[inline]
    fn push<T: MapFloat>(&mut self, y: bool, v: T) {
        let (m, b) = v.split();
        // `b < T::BUCKETS` by construction of `split`; `get_mut` keeps it panic-free.
        if let (Some(s), Some(lo), Some(hi)) = (
            if y {
                self.inside.get_mut(b)
            } else {
                self.outside.get_mut(b)
            },
            self.sq_lo.get_mut(b),
            self.sq_hi.get_mut(b),
        ) {
            *s += u128::from(m);
            let (r, carry) = lo.overflowing_add(u128::from(m) * u128::from(m));
            *lo = r;
            *hi += u64::from(carry);
        }
        self.n_inside += u64::from(y);
        self.n += 1;
    }

    /// Adds another accumulator's buckets (both over the same float type).
    fn merge(mut self, o: Buckets) -> Buckets {
        for (a, b) in [
            (&mut self.inside, &o.inside),
            (&mut self.outside, &o.outside),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += *y;
            }
        }
        for ((lo, hi), (olo, ohi)) in self
            .sq_lo
            .iter_mut()
            .zip(self.sq_hi.iter_mut())
            .zip(o.sq_lo.iter().zip(&o.sq_hi))
        {
            let (r, carry) = lo.overflowing_add(*olo);
            *lo = r;
            *hi += ohi + u64::from(carry);
        }
        self.n_inside += o.n_inside;
        self.n += o.n;
        self
    }

    /// Σ_b s[b]·2^(scale·(b + offset)) exactly.
    fn total(parts: impl Iterator<Item = (usize, BigUint)>, offset: i64, scale: i64) -> Q {
        let mut num = BigInt::zero();
        let mut low: Option<i64> = None;
        // Accumulate from the highest exponent down so every shift is nonnegative.
        let mut terms: Vec<(i64, BigUint)> = parts
            .filter(|(_, s)| !s.is_zero())
            .map(|(b, s)| (scale * (b as i64 + offset), s))
            .collect();
        terms.sort_by_key(|&(e, _)| std::cmp::Reverse(e));
        for (e, s) in terms {
            if let Some(prev) = low {
                num <<= (prev - e) as usize;
            }
            num += BigInt::from(s);
            low = Some(e);
        }
        match low {
            None => Q::zero(),
            Some(e) => dyadic(num, e),
        }
    }

    fn finish(self, offset: i64) -> SoftSums<Q> {
        let inside = Self::total(
            self.inside
                .iter()
                .enumerate()
                .map(|(b, &s)| (b, BigUint::from(s))),
            offset,
            1,
        );
        let outside = Self::total(
            self.outside
                .iter()
                .enumerate()
                .map(|(b, &s)| (b, BigUint::from(s))),
            offset,
            1,
        );
        let spp = Self::total(
            self.sq_lo
                .iter()
                .zip(&self.sq_hi)
                .enumerate()
                .map(|(b, (&lo, &hi))| (b, (BigUint::from(hi) << 128usize) + BigUint::from(lo))),
            offset,
            2,
        );
        let ny = Q::from_integer(BigInt::from(self.n_inside));
        SoftSums {
            n: self.n,
            sp: &inside + &outside,
            sabs: &outside + &ny - &inside,
            spy: inside,
            sy: ny.clone(),
            syy: ny,
            spp,
        }
    }
}

/// The first voxel (index into the data as held) whose value is outside the
/// domain, with the value.
fn first_bad<T: MapFloat>(p: &[T], domain: MapDomain) -> Option<(usize, f64)> {
    let ok = |v: T| match domain {
        MapDomain::Probabilities => v.in_unit(),
        MapDomain::Logits => v.finite(),
    };
    p.iter()
        .position(|&v| !ok(v))
        .and_then(|i| p.get(i).map(|&v| (i, v.as_f64())))
}

/// Checks every value of a float map against `domain`. `name` names the file in
/// the error, which gives the voxel index (in the order the data is held) and the
/// value. A map of any other element type is an error saying a float map is needed.
pub fn validate_map(p: &VoxelData, domain: MapDomain, name: &str) -> Result<()> {
    let bad = match p {
        VoxelData::F32(v) => first_bad(v, domain),
        VoxelData::F64(v) => first_bad(v, domain),
        other => {
            return Err(Error::source(
                name,
                format!(
                    "a soft loss needs a float32 or float64 probability map, but this file \
                     holds {} data (a hard mask: use a count measure such as `dice`, or save \
                     the probabilities as floats)",
                    other.type_name()
                ),
            ))
        }
    };
    match bad {
        None => Ok(()),
        Some((i, v)) => Err(Error::source(
            name,
            match domain {
                MapDomain::Probabilities => format!(
                    "voxel {i} holds {v:?}, which is not a probability in [0, 1] (a soft loss \
                     needs p in [0, 1]; apply a sigmoid or softmax first)"
                ),
                MapDomain::Logits => format!("voxel {i} holds {v:?}; logits must be finite"),
            },
        )),
    }
}

/// Voxels per parallel chunk of [`hard_label_sums`].
const CHUNK: usize = 1 << 18;

/// The exact [`SoftSums`] of a hard label `y` (voxel i is foreground iff
/// `fg(y[i])`, so a label array of any element type is read in place) and a float
/// map `p` of the same length, held in the same voxel order. Chunks of voxels are
/// accumulated in parallel, each into its own buckets, and the buckets added; the
/// values are not validated (see [`validate_map`]). This is the one exact
/// accumulator of float maps: the CLI (`measure`) and the Python `measure`
/// (through [`crate::buffers`]) both end here.
pub fn hard_label_sums<L: Copy + Sync, T: MapFloat>(
    y: &[L],
    fg: impl Fn(L) -> bool + Sync,
    p: &[T],
) -> SoftSums<Q> {
    use rayon::prelude::*;
    y.par_chunks(CHUNK)
        .zip(p.par_chunks(CHUNK))
        .map(|(yc, pc)| {
            let mut acc = Buckets::new(T::BUCKETS);
            for (&yi, &pi) in yc.iter().zip(pc) {
                acc.push(fg(yi), pi);
            }
            acc
        })
        .reduce(|| Buckets::new(T::BUCKETS), Buckets::merge)
        .finish(T::OFFSET)
}

/// The exact [`SoftSums`] of a hard label mask `y` and a float probability map `p`
/// held in the same voxel order. Errors when the lengths differ or a value is not a
/// probability (see [`validate_map`]).
pub fn map_sums(y: &[bool], p: &VoxelData, name: &str) -> Result<SoftSums<Q>> {
    check_len(y.len(), p.len(), name)?;
    validate_map(p, MapDomain::Probabilities, name)?;
    Ok(match p {
        VoxelData::F32(v) => hard_label_sums(y, |b| b, v),
        VoxelData::F64(v) => hard_label_sums(y, |b| b, v),
        _ => unreachable_type(name)?,
    })
}

fn unreachable_type<T>(name: &str) -> Result<T> {
    Err(Error::source(name, "a probability map must hold floats"))
}

fn check_len(ny: usize, np: usize, name: &str) -> Result<()> {
    if ny != np {
        return Err(Error::Mismatch(format!(
            "{name}: the map has {np} voxels per channel but the ground truth has {ny}"
        )));
    }
    Ok(())
}

/// How a multi-class map is laid out: the channel axis splits the held data into
/// `outer` blocks of `channels` runs of `inner` voxels each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelLayout {
    /// Product of the axes that vary slower than the channel axis in memory.
    pub outer: usize,
    /// Number of channels (classes).
    pub channels: usize,
    /// Product of the axes that vary faster than the channel axis in memory.
    pub inner: usize,
}

impl ChannelLayout {
    /// The layout of channel axis `axis` of `shape`, for data held in C order
    /// (`c_order`, last axis fastest) or Fortran order (first axis fastest).
    /// Removing the channel axis leaves the voxels of each channel in the same
    /// memory order convention, so they line up with a label map of the remaining
    /// shape held in that order.
    pub fn new(shape: &[usize], axis: usize, c_order: bool) -> Option<ChannelLayout> {
        let channels = *shape.get(axis)?;
        let before: usize = shape.get(..axis)?.iter().product();
        let after: usize = shape.get(axis + 1..)?.iter().product();
        Some(if c_order {
            ChannelLayout {
                outer: before,
                channels,
                inner: after,
            }
        } else {
            ChannelLayout {
                outer: after,
                channels,
                inner: before,
            }
        })
    }

    /// Number of voxels per channel.
    pub fn voxels(&self) -> usize {
        self.outer * self.inner
    }

    /// Calls `f(voxel, value index)` for every voxel of channel `c`, in order.
    fn for_channel(&self, c: usize, mut f: impl FnMut(usize, usize)) {
        for o in 0..self.outer {
            let start = (o * self.channels + c) * self.inner;
            for i in 0..self.inner {
                f(o * self.inner + i, start + i);
            }
        }
    }
}

fn class_sums_typed<T: MapFloat>(
    labels: &[i64],
    p: &[T],
    layout: ChannelLayout,
    class: usize,
    ignore: &[i64],
) -> SoftSums<Q> {
    let mut acc = Buckets::new(T::BUCKETS);
    let c = class as i64;
    layout.for_channel(class, |voxel, at| {
        if let (Some(&l), Some(&v)) = (labels.get(voxel), p.get(at)) {
            if !ignore.contains(&l) {
                acc.push(l == c, v);
            }
        }
    });
    acc.finish(T::OFFSET)
}

/// The exact [`SoftSums`] of channel `class` of a multi-class probability map
/// against the one-hot target `labels == class`, leaving out every voxel whose
/// label is in `ignore` (the Lovász reference's `ignore`, nnU-Net's ignore label).
/// `labels` is held in the same order as the map's spatial voxels.
pub fn class_sums(
    labels: &[i64],
    p: &VoxelData,
    layout: ChannelLayout,
    class: usize,
    ignore: &[i64],
    name: &str,
) -> Result<SoftSums<Q>> {
    check_len(labels.len(), layout.voxels(), name)?;
    if layout.voxels() * layout.channels != p.len() || class >= layout.channels {
        return Err(Error::Mismatch(format!(
            "{name}: channel {class} of {} channels does not fit {} values",
            layout.channels,
            p.len()
        )));
    }
    validate_map(p, MapDomain::Probabilities, name)?;
    Ok(match p {
        VoxelData::F32(v) => class_sums_typed(labels, v, layout, class, ignore),
        VoxelData::F64(v) => class_sums_typed(labels, v, layout, class, ignore),
        _ => unreachable_type(name)?,
    })
}

/// The values of channel `class` and the one-hot target `labels == class`, without
/// the ignored voxels (for losses that need the whole vector).
pub fn class_vectors(
    labels: &[i64],
    p: &VoxelData,
    layout: ChannelLayout,
    class: usize,
    ignore: &[i64],
) -> (Vec<bool>, VoxelData) {
    let c = class as i64;
    let mut y = Vec::new();
    macro_rules! pick {
        ($v:expr, $variant:ident) => {{
            let mut out = Vec::new();
            layout.for_channel(class, |voxel, at| {
                if let (Some(&l), Some(&x)) = (labels.get(voxel), $v.get(at)) {
                    if !ignore.contains(&l) {
                        y.push(l == c);
                        out.push(x);
                    }
                }
            });
            VoxelData::$variant(out)
        }};
    }
    let data = match p {
        VoxelData::F32(v) => pick!(v, F32),
        VoxelData::F64(v) => pick!(v, F64),
        _ => VoxelData::F64(Vec::new()),
    };
    (y, data)
}

/// Voxel counts (inside, outside the ground truth) per distinct stored value.
fn value_counts<T: MapFloat>(y: &[bool], p: &[T]) -> Vec<(T, u64, u64)> {
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut groups: Vec<(T, u64, u64)> = Vec::new();
    for (&yi, &v) in y.iter().zip(p) {
        let slot = *index.entry(v.key()).or_insert_with(|| {
            groups.push((v, 0, 0));
            groups.len() - 1
        });
        if let Some(g) = groups.get_mut(slot) {
            if yi {
                g.1 += 1;
            } else {
                g.2 += 1;
            }
        }
    }
    groups
}

fn lovasz_typed<T: MapFloat>(y: &[bool], p: &[T]) -> Q {
    let gts = y.iter().filter(|&&b| b).count() as u64;
    // Error of a voxel: p outside the ground truth, 1 − p inside. Group by exact error.
    let mut errs: HashMap<Q, (u64, u64)> = HashMap::new();
    for (v, g_in, g_out) in value_counts(y, p) {
        let q = float_to_q(v);
        if g_in > 0 {
            errs.entry(Q::one() - &q).or_default().0 += g_in;
        }
        if g_out > 0 {
            errs.entry(q).or_default().1 += g_out;
        }
    }
    let mut groups: Vec<(Q, u64, u64)> = errs.into_iter().map(|(q, (a, b))| (q, a, b)).collect();
    groups.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    lovasz_jaccard_of_groups(gts, groups)
}

/// Lovász-softmax for one class (the reference `lovasz_softmax_flat` on a binary
/// problem, diceproof's `lovasz-jaccard`) of a hard mask `y` and a float
/// probability map `p`, exactly. See the module documentation for the cost.
pub fn lovasz_jaccard(y: &[bool], p: &VoxelData, name: &str) -> Result<Q> {
    check_len(y.len(), p.len(), name)?;
    validate_map(p, MapDomain::Probabilities, name)?;
    if y.is_empty() {
        return Err(Error::source(name, "the map has no voxels"));
    }
    Ok(match p {
        VoxelData::F32(v) => lovasz_typed(y, v),
        VoxelData::F64(v) => lovasz_typed(y, v),
        _ => unreachable_type(name)?,
    })
}

/// The map as exact rationals (for losses that need the whole vector and have no
/// faster path; costly on large maps).
pub fn map_to_q(p: &VoxelData) -> Vec<Q> {
    match p {
        VoxelData::F32(v) => v.iter().map(|&x| float_to_q(x)).collect(),
        VoxelData::F64(v) => v.iter().map(|&x| float_to_q(x)).collect(),
        _ => Vec::new(),
    }
}

/// The smallest `f64` that is ≥ `t`, so that a float `p ≥ t` exactly iff `p ≥`
/// that double; `None` when no finite double is ≥ `t`.
pub fn float_at_least_f64(t: &Q) -> Option<f64> {
    let mut f = crate::exact::q_to_f64(t);
    if f == f64::NEG_INFINITY {
        return Some(f);
    }
    if !f.is_finite() {
        return None;
    }
    while float_to_q(f) < *t {
        f = next_up(f);
    }
    loop {
        let down = next_down(f);
        if down.is_finite() && float_to_q(down) >= *t {
            f = down;
        } else {
            return Some(f);
        }
    }
}

fn next_up(f: f64) -> f64 {
    if f == 0.0 {
        return f64::from_bits(1);
    }
    if f > 0.0 {
        f64::from_bits(f.to_bits() + 1)
    } else {
        f64::from_bits(f.to_bits() - 1)
    }
}

fn next_down(f: f64) -> f64 {
    -next_up(-f)
}

/// The hard mask `p ≥ t` of a float map, compared exactly with the rational `t`
/// (MONAI's `AsDiscrete(threshold=t)` uses `>=` too). NaN voxels are an error.
pub fn threshold_map(p: &VoxelData, t: &Q, name: &str) -> Result<Vec<bool>> {
    let nan = |i: usize| {
        Error::source(
            name,
            format!("voxel {i} is NaN and cannot be compared with the threshold"),
        )
    };
    match p {
        VoxelData::F32(v) => {
            if let Some(i) = v.iter().position(|x| x.is_nan()) {
                return Err(nan(i));
            }
            // Every float32 is a float64, so `x ≥ t` iff `x ≥` the least float64 ≥ t.
            Ok(match float_at_least_f64(t) {
                Some(f) => v.iter().map(|&x| f64::from(x) >= f).collect(),
                None => vec![false; v.len()],
            })
        }
        VoxelData::F64(v) => {
            if let Some(i) = v.iter().position(|x| x.is_nan()) {
                return Err(nan(i));
            }
            Ok(match float_at_least_f64(t) {
                Some(f) => v.iter().map(|&x| x >= f).collect(),
                None => vec![false; v.len()],
            })
        }
        other => Err(Error::source(
            name,
            format!(
                "--threshold applies to a float probability map, but this file holds {} data",
                other.type_name()
            ),
        )),
    }
}

#[cfg(test)]
mod tests;
