//! Exact counts and soft-loss sums straight from in-memory numeric buffers: the
//! arrays a Python caller hands to `diceproof.measure`.
//!
//! # Why a separate path from `io` + `masks`
//!
//! The CLI reads a file into an owned [`crate::io::Volume`], turns it into a
//! `Vec<bool>` and counts. A caller that already holds the arrays should pay
//! neither the copy nor the intermediate masks, so this module works on borrowed
//! slices of any element type ([`Buf`]), in one parallel pass. The foreground
//! rules and their error messages are the ones of [`crate::masks`] (integer data:
//! `voxel != 0`; floating-point data must be exactly 0 or 1; NaN is an error), so
//! an array and the same array saved as `.npy` give the same counts.
//!
//! # Exact sums of floats
//!
//! Every finite `f64` is a dyadic rational m·2^e with an integer mantissa
//! m < 2^53 and −1074 ≤ e. For a probability p ∈ \[0, 1\] the exponent is at most
//! −52 (1.0 = 2^52·2^−52), so Σp is exact if the mantissas are added in one
//! integer accumulator *per exponent*: `FloatSums` keeps 1 023 `u128` buckets
//! (no overflow before 2^75 voxels) and joins them into one big rational at the
//! end. Squares m²·2^2e go to buckets per doubled exponent, split into low and
//! high 64-bit halves so that those `u128` sums cannot overflow either. With hard
//! labels y ∈ {0, 1} every sum of [`SoftSums`] follows from these:
//! Σp·y = Σ_{y=1} p, Σ|p − y| = Σ_{y=0} p + |y| − Σ_{y=1} p, Σy = Σy² = |y|.
//! Soft labels (a ground truth holding values strictly between 0 and 1) take the
//! general rational path [`SoftSums::exact`], which is exact but slower.

use num_bigint::BigInt;
use num_traits::{One, Zero};
use rayon::prelude::*;

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::Q;
use crate::surrogates::sums::SoftSums;

/// A borrowed numeric buffer in logical (C) order.
#[derive(Clone, Copy, Debug)]
pub enum Buf<'a> {
    /// `bool`.
    Bool(&'a [bool]),
    /// `uint8`.
    U8(&'a [u8]),
    /// `int8`.
    I8(&'a [i8]),
    /// `uint16`.
    U16(&'a [u16]),
    /// `int16`.
    I16(&'a [i16]),
    /// `uint32`.
    U32(&'a [u32]),
    /// `int32`.
    I32(&'a [i32]),
    /// `uint64`.
    U64(&'a [u64]),
    /// `int64`.
    I64(&'a [i64]),
    /// `float32`.
    F32(&'a [f32]),
    /// `float64`.
    F64(&'a [f64]),
}

/// How a buffer's storage order relates to the logical (C) order that error
/// messages use: `Fortran(shape)` for an array stored first axis fastest (what
/// nibabel returns), which is read in place when both arrays share the layout —
/// counts and sums do not depend on the order voxels are visited in, as long as
/// both arrays are visited in the same one.
#[derive(Clone, Copy, Debug, Default)]
pub enum Layout<'a> {
    /// Storage order is the logical order.
    #[default]
    C,
    /// Storage is first-axis-fastest for this logical shape.
    Fortran(&'a [usize]),
}

impl Layout<'_> {
    /// The logical (C-order) flat index of storage index `i`.
    pub fn logical(&self, mut i: usize) -> usize {
        match self {
            Layout::C => i,
            Layout::Fortran(shape) => {
                let mut idx = vec![0usize; shape.len()];
                for (k, &d) in shape.iter().enumerate() {
                    idx[k] = i % d.max(1);
                    i /= d.max(1);
                }
                idx.iter()
                    .zip(shape.iter())
                    .fold(0, |acc, (&x, &d)| acc * d + x)
            }
        }
    }
}

/// Voxels per parallel chunk.
const CHUNK: usize = 1 << 18;

/// Applies `$body` to the slice inside a [`Buf`], whatever its element type.
macro_rules! with_slice {
    ($buf:expr, $s:ident => $body:expr) => {
        match $buf {
            Buf::Bool($s) => $body,
            Buf::U8($s) => $body,
            Buf::I8($s) => $body,
            Buf::U16($s) => $body,
            Buf::I16($s) => $body,
            Buf::U32($s) => $body,
            Buf::I32($s) => $body,
            Buf::U64($s) => $body,
            Buf::I64($s) => $body,
            Buf::F32($s) => $body,
            Buf::F64($s) => $body,
        }
    };
}

/// One element seen as a number.
trait Elem: Copy + Sync {
    /// The value as `f64` (exact for floats and for integers below 2^53).
    fn f(self) -> f64;
    /// Whether the value is nonzero.
    fn nz(self) -> bool;
}

macro_rules! elem_int {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            #[inline]
            fn f(self) -> f64 { self as f64 }
            #[inline]
            fn nz(self) -> bool { self != 0 }
        }
    )*};
}
elem_int!(u8, i8, u16, i16, u32, i32, u64, i64);

impl Elem for bool {
    #[inline]
    fn f(self) -> f64 {
        self as u8 as f64
    }
    #[inline]
    fn nz(self) -> bool {
        self
    }
}
impl Elem for f32 {
    #[inline]
    fn f(self) -> f64 {
        self as f64
    }
    #[inline]
    fn nz(self) -> bool {
        self != 0.0
    }
}
impl Elem for f64 {
    #[inline]
    fn f(self) -> f64 {
        self
    }
    #[inline]
    fn nz(self) -> bool {
        self != 0.0
    }
}

impl Buf<'_> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        with_slice!(self, s => s.len())
    }

    /// True for a buffer without elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True for `float32`/`float64`.
    pub fn is_float(&self) -> bool {
        matches!(self, Buf::F32(_) | Buf::F64(_))
    }

    /// numpy's name of the element type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Buf::Bool(_) => "bool",
            Buf::U8(_) => "uint8",
            Buf::I8(_) => "int8",
            Buf::U16(_) => "uint16",
            Buf::I16(_) => "int16",
            Buf::U32(_) => "uint32",
            Buf::I32(_) => "int32",
            Buf::U64(_) => "uint64",
            Buf::I64(_) => "int64",
            Buf::F32(_) => "float32",
            Buf::F64(_) => "float64",
        }
    }

    /// Element `i` as `f64`.
    pub fn get(&self, i: usize) -> f64 {
        with_slice!(self, s => s[i].f())
    }

    /// The first index whose value fails `bad` (parallel, smallest index).
    fn find(&self, bad: impl Fn(f64) -> bool + Sync) -> Option<usize> {
        fn go<T: Elem>(s: &[T], bad: &(impl Fn(f64) -> bool + Sync)) -> Option<usize> {
            s.par_chunks(CHUNK)
                .enumerate()
                .filter_map(|(c, ch)| ch.iter().position(|x| bad(x.f())).map(|i| c * CHUNK + i))
                .min()
        }
        with_slice!(self, s => go(s, &bad))
    }
}

/// How the prediction becomes a mask.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PredRule {
    /// Like the ground truth: nonzero, floats must be exactly 0 or 1.
    NonZero,
    /// Foreground is `p >= t` for the `f64` t (see [`threshold_f64`]).
    AtLeast(f64),
}

/// The smallest `f64` that is ≥ the rational t: `p >= t` ⇔ `p >= threshold_f64(t)`
/// for every `f64` p, so thresholding stays exact for any rational threshold.
pub fn threshold_f64(t: &Q) -> f64 {
    let f = crate::exact::q_to_f64(t);
    match exact_f64(f) {
        Some(q) if q < *t => next_up(f),
        _ => f,
    }
}

/// The next `f64` above a finite x (`f64::next_up` needs Rust 1.86; MSRV is 1.85).
fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// The exact rational value of a finite `f64`.
pub fn exact_f64(x: f64) -> Option<Q> {
    if !x.is_finite() {
        return None;
    }
    let (m, e) = decompose(x.abs());
    let mut num = BigInt::from(m);
    if x < 0.0 {
        num = -num;
    }
    Some(if e >= 0 {
        Q::from_integer(num << e as usize)
    } else {
        Q::new(num, BigInt::one() << (-e) as usize)
    })
}

/// x = m·2^e for a finite x ≥ 0 (m < 2^53).
#[inline]
fn decompose(x: f64) -> (u64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp - 1075)
    }
}

fn nan_error(name: &str, i: usize) -> Error {
    Error::source(name, format!("voxel {i} is NaN; a mask must hold numbers"))
}

/// Checks the NaN and binary-float rules of [`crate::masks`] (`NonZero`).
fn check_mask(b: &Buf, name: &str, hint: &str, layout: Layout) -> Result<()> {
    if !b.is_float() {
        return Ok(());
    }
    if let Some(i) = b.find(f64::is_nan) {
        return Err(nan_error(name, layout.logical(i)));
    }
    if let Some(i) = b.find(|x| x != 0.0 && x != 1.0) {
        return Err(Error::source(
            name,
            format!(
                "non-binary value {} at voxel {} in {} data; a floating-point mask must hold \
                 only 0 and 1 ({hint})",
                b.get(i),
                layout.logical(i),
                b.type_name()
            ),
        ));
    }
    Ok(())
}

/// The confusion counts of a ground truth (foreground: nonzero) and a prediction
/// (foreground by `rule`), compared index by index. `names` name the arrays in
/// errors, `layout` says how their common storage order maps to the logical voxel
/// index the errors give.
pub fn counts(
    gt: &Buf,
    pred: &Buf,
    rule: PredRule,
    names: (&str, &str),
    layout: Layout,
) -> Result<Counts> {
    let (gt_name, pred_name) = names;
    if gt.len() != pred.len() {
        return Err(Error::Mismatch(format!(
            "ground truth has {} voxels but prediction has {}",
            gt.len(),
            pred.len()
        )));
    }
    check_mask(gt, gt_name, "threshold it first", layout)?;
    match rule {
        PredRule::NonZero => check_mask(
            pred,
            pred_name,
            "pass threshold=T to count p >= T as foreground, or ask only for soft specs",
            layout,
        )?,
        PredRule::AtLeast(_) => {
            if let Some(i) = pred.find(f64::is_nan) {
                return Err(nan_error(pred_name, layout.logical(i)));
            }
        }
    }
    fn go<G: Elem, P: Elem>(g: &[G], p: &[P], rule: PredRule) -> (u64, u64, u64) {
        g.par_chunks(CHUNK)
            .zip(p.par_chunks(CHUNK))
            .map(|(gc, pc)| {
                let (mut t, mut gs, mut ps) = (0u64, 0u64, 0u64);
                for (&a, &b) in gc.iter().zip(pc) {
                    let ga = a.nz() as u64;
                    let pb = match rule {
                        PredRule::NonZero => b.nz(),
                        PredRule::AtLeast(th) => b.f() >= th,
                    } as u64;
                    t += ga & pb;
                    gs += ga;
                    ps += pb;
                }
                (t, gs, ps)
            })
            .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
    }
    let (tp, gs, ps) = with_slice!(gt, g => with_slice!(pred, p => go(g, p, rule)));
    let n = gt.len() as u64;
    Counts::new(tp, ps - tp, gs - tp, n + tp - gs - ps)
}

/// Checks that every value of a buffer lies in \[0, 1\] (and is not NaN); the error
/// names the array, the (logical) index and the value.
pub fn check_unit(b: &Buf, name: &str, what: &str, layout: Layout) -> Result<()> {
    if let Some(s) = b.find(|x| !(0.0..=1.0).contains(&x)) {
        let (x, i) = (b.get(s), layout.logical(s));
        return Err(Error::source(
            name,
            if x.is_nan() {
                format!("voxel {i} is NaN; {what} must be numbers in [0, 1]")
            } else {
                format!("value {x} at voxel {i} lies outside [0, 1]; {what} must lie in [0, 1]")
            },
        ));
    }
    Ok(())
}

/// Exponent buckets: bucket i holds mantissas of exponent i − 1074.
const BUCKETS: usize = 1075;

/// Integer accumulators of a probability map split by a hard label (see the module
/// documentation): Σp over y = 0 and over y = 1, and Σp² (low and high halves).
#[derive(Clone)]
struct FloatSums {
    p0: Vec<u128>,
    p1: Vec<u128>,
    sq_lo: Vec<u128>,
    sq_hi: Vec<u128>,
    ones: u64,
}

impl FloatSums {
    fn new() -> FloatSums {
        FloatSums {
            p0: vec![0; BUCKETS],
            p1: vec![0; BUCKETS],
            sq_lo: vec![0; 2 * BUCKETS],
            sq_hi: vec![0; 2 * BUCKETS],
            ones: 0,
        }
    }

    #[inline]
    fn add(&mut self, p: f64, y: bool) {
        let (m, e) = decompose(p);
        let i = (e + 1074) as usize;
        if y {
            self.p1[i] += m as u128;
            self.ones += 1;
        } else {
            self.p0[i] += m as u128;
        }
        let sq = (m as u128) * (m as u128);
        self.sq_lo[2 * i] += sq & u64::MAX as u128;
        self.sq_hi[2 * i] += sq >> 64;
    }

    fn merge(mut self, o: FloatSums) -> FloatSums {
        for (a, b) in [
            (&mut self.p0, &o.p0),
            (&mut self.p1, &o.p1),
            (&mut self.sq_lo, &o.sq_lo),
            (&mut self.sq_hi, &o.sq_hi),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += *y;
            }
        }
        self.ones += o.ones;
        self
    }
}

/// Σ bucket[i]·2^(i − offset) · 2^shift, exactly.
fn join(buckets: &[u128], offset: usize, shift: usize) -> Q {
    let mut num = BigInt::zero();
    for (i, &b) in buckets.iter().enumerate() {
        if b != 0 {
            num += BigInt::from(b) << (i + shift);
        }
    }
    Q::new(num, BigInt::one() << offset)
}

/// The exact [`SoftSums`] of labels `y` (the ground truth, values in \[0, 1\]) and
/// probabilities `p`. Hard labels take the integer-bucket path of the module
/// documentation; soft labels the rational one. Both are checked with
/// [`check_unit`] first.
pub fn soft_sums(y: &Buf, p: &Buf, names: (&str, &str), layout: Layout) -> Result<SoftSums<Q>> {
    let (gt_name, pred_name) = names;
    if y.len() != p.len() {
        return Err(Error::Mismatch(format!(
            "ground truth has {} voxels but prediction has {}",
            y.len(),
            p.len()
        )));
    }
    if y.is_empty() {
        return Err(Error::invalid(
            "a soft loss needs at least one voxel (the arrays are empty)",
        ));
    }
    check_unit(y, gt_name, "labels of a soft loss", layout)?;
    check_unit(p, pred_name, "probabilities", layout)?;
    let hard = y.find(|x| x != 0.0 && x != 1.0).is_none();
    if !hard {
        let to_q = |b: &Buf| -> Vec<Q> {
            (0..b.len())
                .map(|i| exact_f64(b.get(i)).unwrap_or_default())
                .collect()
        };
        return Ok(SoftSums::exact(&to_q(y), &to_q(p)));
    }
    fn go<G: Elem, P: Elem>(g: &[G], p: &[P]) -> FloatSums {
        g.par_chunks(CHUNK)
            .zip(p.par_chunks(CHUNK))
            .map(|(gc, pc)| {
                let mut s = FloatSums::new();
                for (&a, &b) in gc.iter().zip(pc) {
                    s.add(b.f(), a.nz());
                }
                s
            })
            .reduce(FloatSums::new, FloatSums::merge)
    }
    let s = with_slice!(y, g => with_slice!(p, q => go(g, q)));
    let (p0, p1) = (join(&s.p0, 1074, 0), join(&s.p1, 1074, 0));
    let spp = join(&s.sq_lo, 2148, 0) + join(&s.sq_hi, 2148, 64);
    let ones = Q::from_integer(BigInt::from(s.ones));
    Ok(SoftSums {
        n: y.len() as u64,
        spy: p1.clone(),
        sp: &p0 + &p1,
        sy: ones.clone(),
        spp,
        syy: ones.clone(),
        sabs: p0 + ones - p1,
    })
}

/// The exact values of a buffer, for losses that need the whole vector (Lovász).
pub fn exact_values(b: &Buf) -> Vec<Q> {
    (0..b.len())
        .map(|i| exact_f64(b.get(i)).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::masks::mask_from_volume;

    fn q(num: i64, den: i64) -> Q {
        Q::new(num.into(), den.into())
    }

    proptest! {
        /// The bucket sums equal the rational sums of the same floats, including
        /// subnormals, exact zeros and ones, and values of every exponent.
        #[test]
        fn bucket_sums_are_exact(v in proptest::collection::vec((any::<bool>(), 0u64..4, any::<u64>()), 1..60)) {
            let y: Vec<bool> = v.iter().map(|t| t.0).collect();
            let p: Vec<f64> = v.iter().map(|&(_, kind, bits)| match kind {
                0 => 0.0,
                1 => 1.0,
                2 => f64::from_bits(bits % (1u64 << 52)), // subnormal
                _ => (bits >> 11) as f64 / (1u64 << 53) as f64 / (1u64 << (bits % 60)) as f64,
            }).collect();
            let fast = soft_sums(&Buf::Bool(&y), &Buf::F64(&p), ("gt", "pred"), Layout::C).unwrap();
            let qy: Vec<Q> = y.iter().map(|&b| q(b as i64, 1)).collect();
            let qp: Vec<Q> = p.iter().map(|&x| exact_f64(x).unwrap()).collect();
            prop_assert_eq!(fast, SoftSums::exact(&qy, &qp));
        }

        /// Counts from buffers equal the CLI's mask path (io volume, masks, counts).
        #[test]
        fn counts_match_the_mask_path(v in proptest::collection::vec((0u8..3, 0u8..2), 1..200)) {
            let g: Vec<u8> = v.iter().map(|t| t.0).collect();
            let p: Vec<f32> = v.iter().map(|t| t.1 as f32).collect();
            let c = counts(&Buf::U8(&g), &Buf::F32(&p), PredRule::NonZero, ("gt", "pred"), Layout::C).unwrap();
            let vol = |d| crate::io::Volume { shape: vec![v.len()], data: d };
            let opts = crate::masks::MaskOptions { rule: crate::masks::Foreground::NonZero, allow_absent_label: false };
            let gm = mask_from_volume(&vol(crate::io::VoxelData::U8(g.clone())), opts, "gt").unwrap();
            let pm = mask_from_volume(&vol(crate::io::VoxelData::F32(p.clone())), opts, "pred").unwrap();
            prop_assert_eq!(c, Counts::from_bools(&gm, &pm).unwrap());
        }

        /// Thresholding at the rounded-up f64 is thresholding at the rational.
        #[test]
        fn threshold_is_exact(num in 0i64..1000, den in 1i64..1000, x in 0.0f64..1.0) {
            let t = q(num, den);
            prop_assert_eq!(x >= threshold_f64(&t), exact_f64(x).unwrap() >= t);
        }
    }

    #[test]
    fn soft_labels_take_the_rational_path() {
        let (y, p) = ([0.5f64, 1.0, 0.0], [0.25f32, 1.0, 0.75]);
        let s = soft_sums(&Buf::F64(&y), &Buf::F32(&p), ("gt", "pred"), Layout::C).unwrap();
        assert_eq!(s.spy, q(1, 8) + q(1, 1));
        assert_eq!(s.sabs, q(1, 4) + q(3, 4));
        assert_eq!(s.syy, q(5, 4));
    }

    #[test]
    fn errors_name_array_index_and_value() {
        let p = [0.5f64, 1.5];
        let err =
            soft_sums(&Buf::U8(&[0, 1]), &Buf::F64(&p), ("gt", "pred"), Layout::C).unwrap_err();
        assert_eq!(
            err.to_string(),
            "pred: value 1.5 at voxel 1 lies outside [0, 1]; probabilities must lie in [0, 1]"
        );
        let p = [f64::NAN, 0.5];
        let err =
            soft_sums(&Buf::U8(&[0, 1]), &Buf::F64(&p), ("gt", "pred"), Layout::C).unwrap_err();
        assert!(err.to_string().contains("voxel 0 is NaN"), "{err}");
        let err = counts(
            &Buf::U8(&[0, 1]),
            &Buf::F64(&[0.0, 0.5]),
            PredRule::NonZero,
            ("gt", "pred"),
            Layout::C,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("non-binary value 0.5 at voxel 1 in float64"),
            "{err}"
        );
        let err = counts(
            &Buf::U8(&[0]),
            &Buf::F64(&[0.0, 0.5]),
            PredRule::NonZero,
            ("gt", "pred"),
            Layout::C,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Mismatch(_)));
    }

    #[test]
    fn fortran_storage_index_maps_to_the_c_index() {
        // shape (2, 3): storage order (0,0) (1,0) (0,1) (1,1) (0,2) (1,2)
        let l = Layout::Fortran(&[2, 3]);
        let c: Vec<usize> = (0..6).map(|i| l.logical(i)).collect();
        assert_eq!(c, [0, 3, 1, 4, 2, 5]);
        let p = [0.0f64, 0.0, 0.0, 2.0, 0.0, 0.0];
        let err = soft_sums(&Buf::U8(&[0; 6]), &Buf::F64(&p), ("gt", "pred"), l).unwrap_err();
        assert!(err.to_string().contains("value 2 at voxel 4 "), "{err}");
    }

    #[test]
    fn threshold_counts_p_at_least_t() {
        let p = [0.25f64, 0.5, 0.75];
        let c = counts(
            &Buf::Bool(&[true, true, false]),
            &Buf::F64(&p),
            PredRule::AtLeast(0.5),
            ("gt", "pred"),
            Layout::C,
        )
        .unwrap();
        assert_eq!(c, Counts::new(1, 1, 1, 0).unwrap());
    }
}
