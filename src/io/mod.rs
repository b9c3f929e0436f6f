//! Reading and writing voxel arrays: NIfTI-1 (`.nii`, `.nii.gz`), PNG and NumPy `.npy`.
//!
//! This module owns one job: turning a file into a typed array of voxels
//! ([`Volume`]) and back. It deliberately does **not** decide what counts as
//! foreground. A reader never binarises, thresholds, rounds or otherwise guesses;
//! it returns exactly the values stored in the file, in the file's own element type
//! ([`VoxelData`]), so that the rule turning values into a mask lives in one place
//! elsewhere in the crate and can be stated, tested and reported on its own. The
//! one transformation a reader applies is the one the format itself mandates:
//! NIfTI intensity scaling (see below).
//!
//! # Voxel order
//!
//! After reading, data is in **C order** (last axis varies fastest) whatever the
//! storage order in the file (a Fortran-order `.npy` is reordered; a PNG is
//! `[height, width]`, rows top to bottom).
//!
//! The exception is **NIfTI**, which keeps its native order: the first axis (x)
//! varies fastest and the shape is reported as `[nx, ny, nz, ...]`. Nothing is
//! transposed on reading, so two NIfTI files on the same grid compare voxel by voxel
//! at no cost, and a NIfTI written by [`write_volume`] reads back identically.
//!
//! Whatever the memory order, every reader reports the shape in the order users
//! index the array: `[nx, ny, nz]` is what nibabel's `img.get_fdata().shape` says
//! and what `np.save` of that array writes (in Fortran order, since nibabel's array
//! is a Fortran-ordered view). So voxel `[i, j, k]` of a NIfTI and voxel `[i, j, k]`
//! of the `.npy` made from it are the same place. Comparing files of different
//! families therefore only needs the NIfTI data re-laid in C order:
//! [`read_volume_indexed`] returns how a file was stored ([`Layout`]) and
//! [`into_c_order`] does the re-laying, so a caller pays for it only when the two
//! files differ in memory order.
//!
//! # Guarantees
//!
//! * Every malformed, truncated or unreadable file yields
//!   [`Error::Input`] naming the path and the problem;
//!   no input makes a reader panic.
//! * Voxel counts are computed with checked multiplication, and the amount of data
//!   is checked against the shape before anything is decoded. Bytes after the
//!   array data are ignored (both NumPy and NIfTI tools do the same).
//! * `VoxelData::len() == product(shape)` for every volume a reader returns (an
//!   empty shape, a NumPy scalar, holds one voxel).
//!
//! # Format-specific decisions
//!
//! * NIfTI scaling: if `scl_slope` is finite and nonzero and not the identity
//!   (`slope == 1 && inter == 0`), values are returned as `F64` computed as
//!   `value * slope + inter` (a non-finite `scl_inter` counts as 0). Otherwise the
//!   raw typed values are returned.
//! * `Bool` data is written as bytes 0/1: `uint8` in NIfTI and PNG, `|b1` in `.npy`.
//!   Only `.npy` reads back as `Bool`.
//! * PNG must be pure grayscale (1, 2, 4, 8 or 16 bit). Depths below 8 are expanded
//!   to 8 bit by the `png` crate, which scales them to 0..=255 (a 1-bit image reads
//!   as 0/255). A `tRNS` transparency entry is ignored.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

mod nifti;
pub use nifti::{read_gz_selected, Selected};
mod npy;
mod png;

#[cfg(test)]
mod fuzz;

/// A voxel array read from (or to be written to) a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// Extent of each axis. Data is in C order (last axis fastest), except for
    /// NIfTI, where the first axis is fastest (see the module documentation).
    pub shape: Vec<usize>,
    /// The voxel values, in the element type stored in the file.
    pub data: VoxelData,
}

/// Voxel values in their stored element type.
#[derive(Debug, Clone, PartialEq)]
pub enum VoxelData {
    /// Booleans (NumPy `|b1`).
    Bool(Vec<bool>),
    /// Unsigned 8-bit integers.
    U8(Vec<u8>),
    /// Signed 8-bit integers.
    I8(Vec<i8>),
    /// Unsigned 16-bit integers.
    U16(Vec<u16>),
    /// Signed 16-bit integers.
    I16(Vec<i16>),
    /// Unsigned 32-bit integers.
    U32(Vec<u32>),
    /// Signed 32-bit integers.
    I32(Vec<i32>),
    /// Signed 64-bit integers.
    I64(Vec<i64>),
    /// Unsigned 64-bit integers.
    U64(Vec<u64>),
    /// 32-bit floats.
    F32(Vec<f32>),
    /// 64-bit floats.
    F64(Vec<f64>),
}

/// Applies the same expression to the vector inside any [`VoxelData`] variant.
macro_rules! with_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            VoxelData::Bool($v) => $body,
            VoxelData::U8($v) => $body,
            VoxelData::I8($v) => $body,
            VoxelData::U16($v) => $body,
            VoxelData::I16($v) => $body,
            VoxelData::U32($v) => $body,
            VoxelData::I32($v) => $body,
            VoxelData::I64($v) => $body,
            VoxelData::U64($v) => $body,
            VoxelData::F32($v) => $body,
            VoxelData::F64($v) => $body,
        }
    };
}

/// Like [`with_data!`] but rebuilds the same variant from the expression's result.
macro_rules! map_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            VoxelData::Bool($v) => VoxelData::Bool($body),
            VoxelData::U8($v) => VoxelData::U8($body),
            VoxelData::I8($v) => VoxelData::I8($body),
            VoxelData::U16($v) => VoxelData::U16($body),
            VoxelData::I16($v) => VoxelData::I16($body),
            VoxelData::U32($v) => VoxelData::U32($body),
            VoxelData::I32($v) => VoxelData::I32($body),
            VoxelData::I64($v) => VoxelData::I64($body),
            VoxelData::U64($v) => VoxelData::U64($body),
            VoxelData::F32($v) => VoxelData::F32($body),
            VoxelData::F64($v) => VoxelData::F64($body),
        }
    };
}

impl VoxelData {
    /// Number of voxels.
    pub fn len(&self) -> usize {
        with_data!(self, v => v.len())
    }

    /// True when there are no voxels.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True for `F32` and `F64`.
    pub fn is_float(&self) -> bool {
        matches!(self, VoxelData::F32(_) | VoxelData::F64(_))
    }

    /// NumPy-style name of the element type: `"bool"`, `"uint8"`, `"int8"`,
    /// `"uint16"`, `"int16"`, `"uint32"`, `"int32"`, `"int64"`, `"uint64"`,
    /// `"float32"` or `"float64"`.
    pub fn type_name(&self) -> &'static str {
        self.dtype().name()
    }

    /// Voxel `i` as an `f64` (`true` is 1, `false` is 0), or `None` when `i` is out
    /// of range. 64-bit integers beyond 2^53 are rounded to the nearest `f64`.
    pub fn get_f64(&self, i: usize) -> Option<f64> {
        match self {
            VoxelData::Bool(v) => v.get(i).map(|&x| if x { 1.0 } else { 0.0 }),
            VoxelData::U8(v) => v.get(i).map(|&x| f64::from(x)),
            VoxelData::I8(v) => v.get(i).map(|&x| f64::from(x)),
            VoxelData::U16(v) => v.get(i).map(|&x| f64::from(x)),
            VoxelData::I16(v) => v.get(i).map(|&x| f64::from(x)),
            VoxelData::U32(v) => v.get(i).map(|&x| f64::from(x)),
            VoxelData::I32(v) => v.get(i).map(|&x| f64::from(x)),
            VoxelData::I64(v) => v.get(i).map(|&x| x as f64),
            VoxelData::U64(v) => v.get(i).map(|&x| x as f64),
            VoxelData::F32(v) => v.get(i).map(|&x| f64::from(x)),
            VoxelData::F64(v) => v.get(i).copied(),
        }
    }

    /// The element type tag.
    fn dtype(&self) -> Dtype {
        match self {
            VoxelData::Bool(_) => Dtype::Bool,
            VoxelData::U8(_) => Dtype::U8,
            VoxelData::I8(_) => Dtype::I8,
            VoxelData::U16(_) => Dtype::U16,
            VoxelData::I16(_) => Dtype::I16,
            VoxelData::U32(_) => Dtype::U32,
            VoxelData::I32(_) => Dtype::I32,
            VoxelData::I64(_) => Dtype::I64,
            VoxelData::U64(_) => Dtype::U64,
            VoxelData::F32(_) => Dtype::F32,
            VoxelData::F64(_) => Dtype::F64,
        }
    }
}

impl Volume {
    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when there are no voxels.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The shape joined by `x`, e.g. `"181x217x181"`; `"scalar"` for an empty shape.
    pub fn shape_string(&self) -> String {
        if self.shape.is_empty() {
            return "scalar".to_string();
        }
        let mut s = String::new();
        for (k, d) in self.shape.iter().enumerate() {
            if k > 0 {
                s.push('x');
            }
            let _ = write!(s, "{d}");
        }
        s
    }
}

/// A supported file format, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Uncompressed single-file NIfTI-1 (`.nii`).
    Nifti,
    /// Gzip-compressed single-file NIfTI-1 (`.nii.gz`).
    NiftiGz,
    /// Grayscale PNG (`.png`).
    Png,
    /// NumPy array file (`.npy`).
    Npy,
}

/// The format of `path`, from its extension (case-insensitive): `.nii`, `.nii.gz`,
/// `.png` or `.npy`.
pub fn format_of(path: &Path) -> Result<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".nii.gz") {
        Ok(Format::NiftiGz)
    } else if name.ends_with(".nii") {
        Ok(Format::Nifti)
    } else if name.ends_with(".png") {
        Ok(Format::Png)
    } else if name.ends_with(".npy") {
        Ok(Format::Npy)
    } else {
        Err(Error::input(
            path,
            "unrecognised file extension; supported formats are .nii, .nii.gz, .png and .npy",
        ))
    }
}

/// Reads the voxel array stored in `path`, choosing the reader by extension.
pub fn read_volume(path: &Path) -> Result<Volume> {
    read_volume_indexed(path).map(|(v, _)| v)
}

/// How a file's voxels were stored and how the returned [`Volume`] holds them.
///
/// Voxel `[i, j, k]` means the same logical index in every format (NIfTI `[x, y,
/// z]`, NumPy `a[i, j, k]`, PNG `[row, column]`); only the memory order of the
/// returned data differs, and only NIfTI differs from C order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The file format.
    pub format: Format,
    /// The order the file stored its voxels in.
    pub stored: MemoryOrder,
    /// The order of [`Volume::data`] as returned: C order except for NIfTI.
    pub held: MemoryOrder,
}

/// A memory order of a multi-dimensional array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryOrder {
    /// Last axis fastest (NumPy's default, PNG rows).
    C,
    /// First axis fastest (NIfTI; NumPy `fortran_order: True`).
    Fortran,
}

impl MemoryOrder {
    /// `"C"` or `"Fortran"`.
    pub fn name(self) -> &'static str {
        match self {
            MemoryOrder::C => "C",
            MemoryOrder::Fortran => "Fortran",
        }
    }
}

impl Layout {
    /// One line saying how the file was indexed, e.g. `"NIfTI, stored first axis
    /// fastest; voxel [i, j, k] = nibabel's get_fdata()[i, j, k]"`.
    pub fn describe(&self, ndim: usize) -> String {
        let index = match ndim {
            0 => "[]".to_string(),
            1 => "[i]".to_string(),
            2 => "[i, j]".to_string(),
            3 => "[i, j, k]".to_string(),
            n => format!("[i0, …, i{}]", n - 1),
        };
        match (self.format, self.stored) {
            (Format::Nifti | Format::NiftiGz, _) => format!(
                "NIfTI, stored first axis fastest; voxel {index} = nibabel's get_fdata(){index}"
            ),
            (Format::Npy, MemoryOrder::C) => {
                format!("NPY, stored in C order; voxel {index} = numpy's np.load(){index}")
            }
            (Format::Npy, MemoryOrder::Fortran) => {
                format!("NPY, stored in Fortran order; voxel {index} = numpy's np.load(){index}")
            }
            (Format::Png, _) => format!("PNG, stored row by row; voxel {index} = [row, column]"),
        }
    }
}

/// [`read_volume`], also saying how the file stored its voxels and how the returned
/// data holds them (see [`Layout`] and the module documentation on voxel order).
pub fn read_volume_indexed(path: &Path) -> Result<(Volume, Layout)> {
    let format = format_of(path)?;
    let (volume, stored) = match format {
        Format::Nifti => (nifti::read(path, false)?, MemoryOrder::Fortran),
        Format::NiftiGz => (nifti::read(path, true)?, MemoryOrder::Fortran),
        Format::Png => (png::read(path)?, MemoryOrder::C),
        Format::Npy => npy::read_with_order(path)?,
    };
    let held = match format {
        Format::Nifti | Format::NiftiGz => MemoryOrder::Fortran,
        Format::Png | Format::Npy => MemoryOrder::C,
    };
    Ok((
        volume,
        Layout {
            format,
            stored,
            held,
        },
    ))
}

/// Re-lays a volume held in Fortran order (a NIfTI as read) in C order, so that it
/// compares voxel by voxel with a volume read from `.npy` or PNG. The shape and the
/// logical index of every voxel are unchanged; a volume already in C order is
/// returned as it is.
pub fn into_c_order(v: Volume, held: MemoryOrder) -> Volume {
    match held {
        MemoryOrder::C => v,
        MemoryOrder::Fortran => Volume {
            data: data_fortran_to_c(v.data, &v.shape),
            shape: v.shape,
        },
    }
}

/// Writes `v` to `path` in the format given by the extension (gzip-compressed for
/// `.nii.gz`). Writing is the inverse of [`read_volume`]: the data is stored in the
/// order it is held, so a volume reads back unchanged (except that `Bool` becomes
/// `U8` in NIfTI and PNG).
pub fn write_volume(path: &Path, v: &Volume) -> Result<()> {
    check_volume(path, v)?;
    match format_of(path)? {
        Format::Nifti => nifti::write(path, v, false),
        Format::NiftiGz => nifti::write(path, v, true),
        Format::Png => png::write(path, v),
        Format::Npy => npy::write(path, v),
    }
}

// ---------------------------------------------------------------------------
// Helpers shared by the format modules.
// ---------------------------------------------------------------------------

/// Element types the readers can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dtype {
    Bool,
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    I64,
    U64,
    F32,
    F64,
}

impl Dtype {
    /// Bytes per element.
    fn size(self) -> usize {
        match self {
            Dtype::Bool | Dtype::U8 | Dtype::I8 => 1,
            Dtype::U16 | Dtype::I16 => 2,
            Dtype::U32 | Dtype::I32 | Dtype::F32 => 4,
            Dtype::I64 | Dtype::U64 | Dtype::F64 => 8,
        }
    }

    /// NumPy-style name.
    fn name(self) -> &'static str {
        match self {
            Dtype::Bool => "bool",
            Dtype::U8 => "uint8",
            Dtype::I8 => "int8",
            Dtype::U16 => "uint16",
            Dtype::I16 => "int16",
            Dtype::U32 => "uint32",
            Dtype::I32 => "int32",
            Dtype::I64 => "int64",
            Dtype::U64 => "uint64",
            Dtype::F32 => "float32",
            Dtype::F64 => "float64",
        }
    }
}

/// Product of `shape` (1 for an empty shape), or an error on overflow.
fn voxel_count(path: &Path, shape: &[usize]) -> Result<usize> {
    shape.iter().try_fold(1usize, |acc, &d| {
        acc.checked_mul(d).ok_or_else(|| {
            Error::input(
                path,
                format!(
                    "shape {} has too many voxels to address (the product overflows)",
                    join_shape(shape)
                ),
            )
        })
    })
}

/// Number of bytes for `count` elements of `dtype`, or an error on overflow.
fn byte_count(path: &Path, count: usize, dtype: Dtype) -> Result<usize> {
    count.checked_mul(dtype.size()).ok_or_else(|| {
        Error::input(
            path,
            format!("{count} {} voxels are too many to address", dtype.name()),
        )
    })
}

/// `shape` joined by `x` (for messages).
fn join_shape(shape: &[usize]) -> String {
    Volume {
        shape: shape.to_vec(),
        data: VoxelData::U8(Vec::new()),
    }
    .shape_string()
}

/// Checks that the data length matches the shape; returns the voxel count.
fn check_volume(path: &Path, v: &Volume) -> Result<usize> {
    let n = voxel_count(path, &v.shape)?;
    if n != v.data.len() {
        return Err(Error::input(
            path,
            format!(
                "cannot write: shape {} holds {n} voxels but the data has {}",
                v.shape_string(),
                v.data.len()
            ),
        ));
    }
    Ok(n)
}

/// Decodes packed elements of `N` bytes with the given byte-array conversion.
fn decode_chunks<const N: usize, T>(bytes: &[u8], convert: impl Fn([u8; N]) -> T) -> Vec<T> {
    bytes
        .chunks_exact(N)
        .map(|c| {
            let mut a = [0u8; N];
            a.copy_from_slice(c);
            convert(a)
        })
        .collect()
}

/// Decodes `bytes` (exactly `count * dtype.size()` of them, as checked by the
/// caller) into typed values. Booleans must be bytes 0 or 1.
fn decode_elements(
    path: &Path,
    dtype: Dtype,
    bytes: Vec<u8>,
    big_endian: bool,
) -> Result<VoxelData> {
    macro_rules! dec {
        ($t:ty, $n:literal) => {
            if big_endian {
                decode_chunks::<$n, $t>(&bytes, <$t>::from_be_bytes)
            } else {
                decode_chunks::<$n, $t>(&bytes, <$t>::from_le_bytes)
            }
        };
    }
    Ok(match dtype {
        Dtype::Bool => {
            if let Some(pos) = bytes.iter().position(|&b| b > 1) {
                let value = bytes.get(pos).copied().unwrap_or_default();
                return Err(Error::input(
                    path,
                    format!(
                        "boolean element {pos} holds byte value {value}; booleans must be stored as 0 or 1"
                    ),
                ));
            }
            VoxelData::Bool(bytes.into_iter().map(|b| b == 1).collect())
        }
        Dtype::U8 => VoxelData::U8(bytes),
        Dtype::I8 => VoxelData::I8(bytes.into_iter().map(|b| b as i8).collect()),
        Dtype::U16 => VoxelData::U16(dec!(u16, 2)),
        Dtype::I16 => VoxelData::I16(dec!(i16, 2)),
        Dtype::U32 => VoxelData::U32(dec!(u32, 4)),
        Dtype::I32 => VoxelData::I32(dec!(i32, 4)),
        Dtype::I64 => VoxelData::I64(dec!(i64, 8)),
        Dtype::U64 => VoxelData::U64(dec!(u64, 8)),
        Dtype::F32 => VoxelData::F32(dec!(f32, 4)),
        Dtype::F64 => VoxelData::F64(dec!(f64, 8)),
    })
}

/// Appends the little-endian bytes of every element (`Bool` as 0/1) to `out`.
fn encode_elements_le(data: &VoxelData, out: &mut Vec<u8>) {
    // The counterpart of `dec!` in decode_elements: one loop for every
    // multi-byte type.
    macro_rules! enc {
        ($v:expr) => {
            $v.iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes()))
        };
    }
    match data {
        VoxelData::Bool(v) => out.extend(v.iter().map(|&b| u8::from(b))),
        VoxelData::U8(v) => out.extend_from_slice(v),
        VoxelData::I8(v) => out.extend(v.iter().map(|&x| x as u8)),
        VoxelData::U16(v) => enc!(v),
        VoxelData::I16(v) => enc!(v),
        VoxelData::U32(v) => enc!(v),
        VoxelData::I32(v) => enc!(v),
        VoxelData::I64(v) => enc!(v),
        VoxelData::U64(v) => enc!(v),
        VoxelData::F32(v) => enc!(v),
        VoxelData::F64(v) => enc!(v),
    }
}

/// Reorders `data`, stored in Fortran order (first axis fastest) for `shape`, into
/// C order (last axis fastest). `data.len()` must equal the product of `shape`;
/// if it does not, the data is returned unchanged.
fn fortran_to_c<T: Copy>(data: Vec<T>, shape: &[usize]) -> Vec<T> {
    let n = data.len();
    if shape.len() < 2
        || shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)) != Some(n)
        || n == 0
    {
        return data;
    }
    // Fortran strides: axis k advances by the product of the extents before it.
    let mut strides = Vec::with_capacity(shape.len());
    let mut s = 1usize;
    for &d in shape {
        strides.push(s);
        s = s.saturating_mul(d);
    }
    let mut out = Vec::with_capacity(n);
    let mut index = vec![0usize; shape.len()];
    let mut src = 0usize;
    for _ in 0..n {
        match data.get(src) {
            Some(&x) => out.push(x),
            None => return data,
        }
        // Advance the C-order multi-index (last axis fastest), tracking `src`.
        for k in (0..shape.len()).rev() {
            let (Some(i), Some(&d), Some(&st)) = (index.get_mut(k), shape.get(k), strides.get(k))
            else {
                break;
            };
            *i += 1;
            src += st;
            if *i < d {
                break;
            }
            src -= st * d;
            *i = 0;
        }
    }
    out
}

/// Reorders typed data from Fortran to C order.
fn data_fortran_to_c(data: VoxelData, shape: &[usize]) -> VoxelData {
    map_data!(data, v => fortran_to_c(v, shape))
}

/// Maps an I/O error from opening or reading a file to a user-facing message.
fn io_error(path: &Path, action: &str, e: &std::io::Error) -> Error {
    Error::input(path, format!("cannot {action}: {e}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Writes `bytes` to `dir/name` and returns the path.
    pub(crate) fn tmp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// The error of reading `p`, asserting that it names the file.
    pub(crate) fn err_of(p: &Path) -> String {
        let msg = read_volume(p).unwrap_err().to_string();
        assert!(
            msg.contains(&p.display().to_string()),
            "message lacks the path: {msg}"
        );
        msg
    }

    /// Bitwise equality of data (so NaN payloads compare equal to themselves).
    pub(crate) fn same_data(a: &VoxelData, b: &VoxelData) -> bool {
        match (a, b) {
            (VoxelData::F32(x), VoxelData::F32(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
            }
            (VoxelData::F64(x), VoxelData::F64(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
            }
            _ => a == b,
        }
    }

    /// Random data of every type with `n` elements.
    pub(crate) fn arb_data(n: usize) -> impl Strategy<Value = VoxelData> {
        prop_oneof![
            prop::collection::vec(any::<bool>(), n).prop_map(VoxelData::Bool),
            prop::collection::vec(any::<u8>(), n).prop_map(VoxelData::U8),
            prop::collection::vec(any::<i8>(), n).prop_map(VoxelData::I8),
            prop::collection::vec(any::<u16>(), n).prop_map(VoxelData::U16),
            prop::collection::vec(any::<i16>(), n).prop_map(VoxelData::I16),
            prop::collection::vec(any::<u32>(), n).prop_map(VoxelData::U32),
            prop::collection::vec(any::<i32>(), n).prop_map(VoxelData::I32),
            prop::collection::vec(any::<i64>(), n).prop_map(VoxelData::I64),
            prop::collection::vec(any::<u64>(), n).prop_map(VoxelData::U64),
            prop::collection::vec(any::<f32>(), n).prop_map(VoxelData::F32),
            prop::collection::vec(any::<f64>(), n).prop_map(VoxelData::F64),
        ]
    }

    /// A random volume with 1 to `max_dims` axes of extent 1 to 5.
    pub(crate) fn arb_volume(max_dims: usize) -> impl Strategy<Value = Volume> {
        prop::collection::vec(1usize..=5, 1..=max_dims).prop_flat_map(|shape| {
            let n = shape.iter().product();
            arb_data(n).prop_map(move |data| Volume {
                shape: shape.clone(),
                data,
            })
        })
    }

    #[test]
    fn format_by_extension() {
        let f = |s: &str| format_of(Path::new(s));
        assert_eq!(f("a/b.nii").ok(), Some(Format::Nifti));
        assert_eq!(f("b.NII.GZ").ok(), Some(Format::NiftiGz));
        assert_eq!(f("b.Png").ok(), Some(Format::Png));
        assert_eq!(f("b.npy").ok(), Some(Format::Npy));
        let err = f("dir/b.mha").unwrap_err().to_string();
        assert!(err.contains("dir/b.mha"), "{err}");
        assert!(err.contains(".nii, .nii.gz, .png and .npy"), "{err}");
        assert!(f("b.gz").is_err());
        assert!(f("nii").is_err());
    }

    #[test]
    fn data_accessors() {
        let d = VoxelData::I16(vec![-3, 4]);
        assert_eq!(d.len(), 2);
        assert!(!d.is_empty());
        assert!(!d.is_float());
        assert_eq!(d.type_name(), "int16");
        assert_eq!(d.get_f64(0), Some(-3.0));
        assert_eq!(d.get_f64(2), None);
        assert!(VoxelData::F32(vec![]).is_float());
        assert!(VoxelData::F32(vec![]).is_empty());
        assert_eq!(VoxelData::Bool(vec![true]).get_f64(0), Some(1.0));
        assert_eq!(VoxelData::U64(vec![]).type_name(), "uint64");
        let v = Volume {
            shape: vec![181, 217, 181],
            data: VoxelData::U8(vec![]),
        };
        assert_eq!(v.shape_string(), "181x217x181");
        let s = Volume {
            shape: vec![],
            data: VoxelData::F64(vec![1.0]),
        };
        assert_eq!(s.shape_string(), "scalar");
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn voxel_count_overflow_is_an_error() {
        let err = voxel_count(Path::new("x.npy"), &[usize::MAX, 2])
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.npy") && err.contains("overflows"), "{err}");
        assert_eq!(voxel_count(Path::new("x"), &[]).ok(), Some(1));
        assert_eq!(voxel_count(Path::new("x"), &[3, 0]).ok(), Some(0));
    }

    #[test]
    fn fortran_reorder_2x3() {
        // F order of [[0,1,2],[3,4,5]] is 0,3,1,4,2,5.
        let f = vec![0, 3, 1, 4, 2, 5];
        assert_eq!(fortran_to_c(f, &[2, 3]), vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn write_rejects_inconsistent_volume() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.npy");
        let v = Volume {
            shape: vec![2, 3],
            data: VoxelData::U8(vec![0; 5]),
        };
        let err = write_volume(&p, &v).unwrap_err().to_string();
        assert!(
            err.contains("bad.npy") && err.contains("holds 6 voxels but the data has 5"),
            "{err}"
        );
    }

    #[test]
    fn missing_file_is_an_error() {
        for name in ["nope.nii", "nope.nii.gz", "nope.png", "nope.npy"] {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join(name);
            let err = read_volume(&p).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains("cannot open"), "{err}");
        }
    }

    proptest! {
        #[test]
        fn fortran_reorder_matches_index_formula(shape in prop::collection::vec(1usize..=4, 1..=4)) {
            let n: usize = shape.iter().product();
            // Element at C multi-index i has value = its C linear index; build F storage.
            let mut f = vec![0usize; n];
            for c in 0..n {
                // decompose c into a multi-index (C order), then compute F offset
                let mut rem = c;
                let mut idx = vec![0; shape.len()];
                for k in (0..shape.len()).rev() {
                    idx[k] = rem % shape[k];
                    rem /= shape[k];
                }
                let mut off = 0;
                let mut st = 1;
                for k in 0..shape.len() {
                    off += idx[k] * st;
                    st *= shape[k];
                }
                f[off] = c;
            }
            let c = fortran_to_c(f, &shape);
            prop_assert_eq!(c, (0..n).collect::<Vec<_>>());
        }
    }
}
