//! NIfTI-1 single-file reader and writer (`.nii` and gzip-compressed `.nii.gz`).
//!
//! Only what a voxel comparison needs is read from the 348-byte header: the
//! dimensions, the datatype, the offset of the voxel data and the intensity scaling.
//! Spatial metadata (qform, sform, pixdim) is not interpreted. Voxels keep their
//! native NIfTI order (x fastest) and the shape is `[nx, ny, nz, ...]` with trailing
//! size-1 dimensions dropped (at least one is kept).
//!
//! Big-endian files are recognised by a byte-swapped `sizeof_hdr` and read
//! correctly. Two-file `.hdr`/`.img` pairs (magic `ni1`) and NIfTI-2 are refused
//! with a message saying so.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use super::{
    byte_count, decode_elements, encode_elements_le, io_error, voxel_count, Dtype, Volume,
    VoxelData,
};
use crate::error::{Error, Result};

/// Size of a NIfTI-1 header.
const HEADER_SIZE: usize = 348;
/// Offset of the voxel data in the files we write (header plus 4 extension bytes).
const WRITE_OFFSET: usize = 352;
/// Largest expansion ratio deflate can achieve, with margin; used to bound the
/// initial buffer size from the compressed file size.
const MAX_DEFLATE_RATIO: u64 = 1100;

/// Supported datatype codes with their element types.
const DATATYPES: [(i16, Dtype); 10] = [
    (2, Dtype::U8),
    (4, Dtype::I16),
    (8, Dtype::I32),
    (16, Dtype::F32),
    (64, Dtype::F64),
    (256, Dtype::I8),
    (512, Dtype::U16),
    (768, Dtype::U32),
    (1024, Dtype::I64),
    (1280, Dtype::U64),
];

/// Names of datatype codes we recognise but cannot read.
fn unsupported_datatype_name(code: i16) -> Option<&'static str> {
    Some(match code {
        0 => "unknown",
        1 => "binary (1 bit per voxel)",
        32 => "complex64",
        128 => "RGB24",
        1536 => "float128",
        1792 => "complex128",
        2048 => "complex256",
        2304 => "RGBA32",
        _ => return None,
    })
}

/// The NIfTI datatype code for an element type (`Bool` is stored as uint8).
fn datatype_code(d: Dtype) -> i16 {
    match d {
        Dtype::Bool | Dtype::U8 => 2,
        Dtype::I16 => 4,
        Dtype::I32 => 8,
        Dtype::F32 => 16,
        Dtype::F64 => 64,
        Dtype::I8 => 256,
        Dtype::U16 => 512,
        Dtype::U32 => 768,
        Dtype::I64 => 1024,
        Dtype::U64 => 1280,
    }
}

/// Reads fixed-offset fields from a header buffer in a given byte order.
struct Fields<'a> {
    bytes: &'a [u8; HEADER_SIZE],
    big_endian: bool,
}

impl Fields<'_> {
    fn array<const N: usize>(&self, offset: usize) -> [u8; N] {
        let mut a = [0u8; N];
        if let Some(src) = self.bytes.get(offset..offset + N) {
            a.copy_from_slice(src);
        }
        a
    }
    fn i16(&self, offset: usize) -> i16 {
        let a = self.array::<2>(offset);
        if self.big_endian {
            i16::from_be_bytes(a)
        } else {
            i16::from_le_bytes(a)
        }
    }
    fn f32(&self, offset: usize) -> f32 {
        let a = self.array::<4>(offset);
        if self.big_endian {
            f32::from_be_bytes(a)
        } else {
            f32::from_le_bytes(a)
        }
    }
}

/// What the reader needs from a validated header.
#[derive(Debug)]
struct Header {
    shape: Vec<usize>,
    count: usize,
    dtype: Dtype,
    big_endian: bool,
    vox_offset: usize,
    /// `(slope, inter)` when scaling must be applied.
    scaling: Option<(f64, f64)>,
}

/// Validates a raw 348-byte header.
fn parse_header(path: &Path, raw: &[u8; HEADER_SIZE]) -> Result<Header> {
    let err = |msg: String| Error::input(path, msg);
    let size_bytes = [raw[0], raw[1], raw[2], raw[3]];
    let le = i32::from_le_bytes(size_bytes);
    let be = i32::from_be_bytes(size_bytes);
    let big_endian = if le == 348 {
        false
    } else if be == 348 {
        true
    } else if le == 540 || be == 540 {
        return Err(err(
            "this is a NIfTI-2 file (sizeof_hdr 540); only NIfTI-1 is supported".to_string(),
        ));
    } else {
        return Err(err(format!(
            "not a NIfTI-1 file: sizeof_hdr is {le}, expected 348"
        )));
    };
    let f = Fields {
        bytes: raw,
        big_endian,
    };

    let magic = f.array::<4>(344);
    if &magic[..3] == b"ni1" {
        return Err(err(
            "header has magic \"ni1\", meaning the voxels are in a separate .img file; \
             only single-file NIfTI-1 (.nii or .nii.gz, magic \"n+1\") is supported"
                .to_string(),
        ));
    }
    if magic != *b"n+1\0" {
        return Err(err(format!(
            "bad NIfTI-1 magic {:?}, expected \"n+1\"",
            String::from_utf8_lossy(&magic)
        )));
    }

    let ndim = f.i16(40);
    if !(1..=7).contains(&ndim) {
        return Err(err(format!("dim[0] is {ndim}; it must be between 1 and 7")));
    }
    let mut shape = Vec::with_capacity(7);
    for k in 1..=ndim as usize {
        let d = f.i16(40 + 2 * k);
        if d < 1 {
            return Err(err(format!(
                "dim[{k}] is {d}; every used dimension must be at least 1"
            )));
        }
        shape.push(d as usize);
    }
    let count = voxel_count(path, &shape)?;
    while shape.len() > 1 && shape.last() == Some(&1) {
        shape.pop();
    }

    let code = f.i16(70);
    let dtype = match DATATYPES.iter().find(|(c, _)| *c == code) {
        Some(&(_, d)) => d,
        None => {
            let what = unsupported_datatype_name(code)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            return Err(err(format!(
                "unsupported NIfTI datatype {code}{what}; supported are uint8 (2), int16 (4), \
                 int32 (8), float32 (16), float64 (64), int8 (256), uint16 (512), uint32 (768), \
                 int64 (1024) and uint64 (1280)"
            )));
        }
    };
    let bitpix = f.i16(72);
    let expected_bits = 8 * dtype.size() as i16;
    if bitpix != expected_bits {
        return Err(err(format!(
            "bitpix is {bitpix} but datatype {code} ({}) has {expected_bits} bits per voxel",
            dtype.name()
        )));
    }

    let vox = f.f32(108);
    if !vox.is_finite() || vox < WRITE_OFFSET as f32 || vox.fract() != 0.0 || vox > 1.0e15 {
        return Err(err(format!(
            "vox_offset is {vox}; a single-file NIfTI-1 needs a whole number of at least 352"
        )));
    }
    let vox_offset = vox as usize;

    let slope = f.f32(112);
    let inter = f.f32(116);
    let scaling = if slope.is_finite() && slope != 0.0 {
        let inter = if inter.is_finite() { inter } else { 0.0 };
        if slope == 1.0 && inter == 0.0 {
            None
        } else {
            Some((f64::from(slope), f64::from(inter)))
        }
    } else {
        None
    };

    Ok(Header {
        shape,
        count,
        dtype,
        big_endian,
        vox_offset,
        scaling,
    })
}

/// Reads up to `buf.len()` bytes, returning how many were read (less only at EOF).
fn read_fully(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads a `.nii` or (when `gz`) `.nii.gz` file.
pub(super) fn read(path: &Path, gz: bool) -> Result<Volume> {
    let file = File::open(path).map_err(|e| io_error(path, "open", &e))?;
    let file_len = file
        .metadata()
        .map_err(|e| io_error(path, "read", &e))?
        .len();
    read_from(path, file, file_len, gz)
}

/// Reads a NIfTI-1 of `file_len` bytes (gzip-compressed if `gz`) from `file`;
/// `path` names it in errors.
pub(super) fn read_from(path: &Path, file: impl Read, file_len: u64, gz: bool) -> Result<Volume> {
    let mut buffered = BufReader::with_capacity(1 << 16, file);
    if gz {
        let mut magic = [0u8; 4];
        let n = read_fully(&mut buffered, &mut magic).map_err(|e| io_error(path, "read", &e))?;
        if n < 2 || magic[..2] != [0x1f, 0x8b] {
            let hint = if n == 4
                && (i32::from_le_bytes(magic) == 348 || i32::from_be_bytes(magic) == 348)
            {
                " (it looks like an uncompressed NIfTI; name it .nii)"
            } else {
                ""
            };
            return Err(Error::input(
                path,
                format!("not a gzip file: a .nii.gz must be gzip-compressed{hint}"),
            ));
        }
        let stream = std::io::Cursor::new(magic).chain(buffered);
        let limit = file_len.saturating_mul(MAX_DEFLATE_RATIO);
        read_stream(path, MultiGzDecoder::new(stream), limit, true)
    } else {
        read_stream(path, buffered, file_len, false)
    }
}

/// Describes an I/O error while reading the (possibly compressed) stream.
fn stream_error(path: &Path, gz: bool, e: &std::io::Error) -> Error {
    if gz {
        Error::input(path, format!("gzip data is corrupt or truncated: {e}"))
    } else {
        io_error(path, "read", e)
    }
}

/// Reads header and voxels from `r`. `size_limit` bounds how many bytes the stream
/// can possibly hold (the file size, or a bound derived from it for gzip) and is
/// used to refuse impossible headers before allocating.
fn read_stream(path: &Path, mut r: impl Read, size_limit: u64, gz: bool) -> Result<Volume> {
    let mut raw = [0u8; HEADER_SIZE];
    let got = read_fully(&mut r, &mut raw).map_err(|e| stream_error(path, gz, &e))?;
    if got < HEADER_SIZE {
        return Err(Error::input(
            path,
            format!("truncated header: a NIfTI-1 header is 348 bytes, found only {got}"),
        ));
    }
    let h = parse_header(path, &raw)?;
    let nbytes = byte_count(path, h.count, h.dtype)?;

    // Skip extensions up to vox_offset.
    let skip = (h.vox_offset - HEADER_SIZE) as u64;
    let skipped = std::io::copy(&mut (&mut r).take(skip), &mut std::io::sink())
        .map_err(|e| stream_error(path, gz, &e))?;
    let truncated = |found: u64| {
        Error::input(
            path,
            format!(
                "truncated data: expected {nbytes} bytes of voxel data at offset {} \
                 ({} {} voxels), found {found}",
                h.vox_offset,
                h.count,
                h.dtype.name()
            ),
        )
    };
    if skipped < skip {
        return Err(truncated(0));
    }
    let needed_total = (h.vox_offset as u64).saturating_add(nbytes as u64);
    if !gz && needed_total > size_limit {
        return Err(truncated(size_limit.saturating_sub(h.vox_offset as u64)));
    }

    let mut data = Vec::new();
    let capacity = (nbytes as u64).min(size_limit) as usize;
    data.try_reserve_exact(capacity).map_err(|_| {
        Error::input(
            path,
            format!("cannot allocate {capacity} bytes for the voxel data"),
        )
    })?;
    (&mut r)
        .take(nbytes as u64)
        .read_to_end(&mut data)
        .map_err(|e| stream_error(path, gz, &e))?;
    if data.len() < nbytes {
        return Err(truncated(data.len() as u64));
    }
    if gz {
        // Read the rest of the stream so the gzip checksum is verified.
        std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| stream_error(path, gz, &e))?;
    }

    let values = decode_elements(path, h.dtype, data, h.big_endian)?;
    let data = match h.scaling {
        None => values,
        Some((slope, inter)) => VoxelData::F64(
            (0..values.len())
                .filter_map(|i| values.get_f64(i))
                .map(|x| x * slope + inter)
                .collect(),
        ),
    };
    Ok(Volume {
        shape: h.shape,
        data,
    })
}

/// Selected 3-D volumes of a (gzip-compressed) NIfTI-1 file with its sform affine:
/// what [`read_gz_selected`] returns.
#[derive(Clone, Debug)]
pub struct Selected {
    /// `[nx, ny, nz]` of every volume.
    pub shape: [usize; 3],
    /// The requested volumes in the order asked for, x fastest, scaling applied.
    pub volumes: Vec<Vec<f64>>,
    /// The sform rows `srow_x`, `srow_y`, `srow_z`: world = S · (i, j, k, 1).
    pub sform: [[f64; 4]; 3],
}

/// Reads volumes `wanted` (indices along the fourth axis; `[0]` for a 3-D file) of
/// the gzip-compressed NIfTI-1 stream `file`, and its sform affine. `path` names the
/// source in errors. Volumes after the last wanted one are not decompressed, so one
/// 3-D volume of a large 4-D atlas costs only its share of the stream.
///
/// Unlike this module's plain reader, this interprets the spatial header: the sform must be present
/// (`sform_code` > 0), because the caller resamples by it.
pub fn read_gz_selected(path: &Path, file: impl Read, wanted: &[usize]) -> Result<Selected> {
    let err = |msg: String| Error::input(path, msg);
    let mut r = MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
    let mut raw = [0u8; HEADER_SIZE];
    let got = read_fully(&mut r, &mut raw).map_err(|e| stream_error(path, true, &e))?;
    if got < HEADER_SIZE {
        return Err(err(format!(
            "truncated header: a NIfTI-1 header is 348 bytes, found only {got}"
        )));
    }
    let h = parse_header(path, &raw)?;
    let f = Fields {
        bytes: &raw,
        big_endian: h.big_endian,
    };
    let sform_code = f.i16(254);
    if sform_code <= 0 {
        return Err(err(format!(
            "sform_code is {sform_code}: the file has no sform affine to resample by"
        )));
    }
    let mut sform = [[0.0; 4]; 3];
    for (r_, row) in sform.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().enumerate() {
            *v = f64::from(f.f32(280 + 16 * r_ + 4 * c));
            if !v.is_finite() {
                return Err(err(format!("srow[{r_}][{c}] is not a finite number")));
            }
        }
    }
    let mut dims = h.shape.clone();
    dims.resize(4.max(dims.len()), 1);
    if dims[4..].iter().any(|&d| d != 1) {
        return Err(err(format!(
            "expected a 3-D or 4-D volume, found {} dimensions",
            h.shape.len()
        )));
    }
    let shape = [dims[0], dims[1], dims[2]];
    let per = voxel_count(path, &shape)?;
    let nbytes = byte_count(path, per, h.dtype)?;
    if let Some(&bad) = wanted.iter().find(|&&t| t >= dims[3]) {
        return Err(err(format!(
            "volume {bad} requested, but the file has {} volume(s)",
            dims[3]
        )));
    }
    let skip = (h.vox_offset - HEADER_SIZE) as u64;
    let skipped = std::io::copy(&mut (&mut r).take(skip), &mut std::io::sink())
        .map_err(|e| stream_error(path, true, &e))?;
    if skipped < skip {
        return Err(err("truncated before the voxel data".to_string()));
    }
    let last = wanted.iter().copied().max().unwrap_or(0);
    let mut found: Vec<Option<Vec<f64>>> = vec![None; wanted.len()];
    for t in 0..=last {
        let mut data = Vec::new();
        (&mut r)
            .take(nbytes as u64)
            .read_to_end(&mut data)
            .map_err(|e| stream_error(path, true, &e))?;
        if data.len() < nbytes {
            return Err(err(format!(
                "truncated data: volume {t} has {} of its {nbytes} bytes",
                data.len()
            )));
        }
        if !wanted.contains(&t) {
            continue;
        }
        let values = decode_elements(path, h.dtype, data, h.big_endian)?;
        let (slope, inter) = h.scaling.unwrap_or((1.0, 0.0));
        let v: Vec<f64> = (0..values.len())
            .filter_map(|i| values.get_f64(i))
            .map(|x| x * slope + inter)
            .collect();
        for (slot, _) in found.iter_mut().zip(wanted).filter(|(_, &w)| w == t) {
            *slot = Some(v.clone());
        }
    }
    Ok(Selected {
        shape,
        volumes: found.into_iter().map(Option::unwrap_or_default).collect(),
        sform,
    })
}

/// Builds the 352-byte little-endian header (with empty extension flag) for `v`.
fn build_header(path: &Path, v: &Volume) -> Result<Vec<u8>> {
    let mut h = vec![0u8; WRITE_OFFSET];
    let mut put = |offset: usize, bytes: &[u8]| {
        if let Some(dst) = h.get_mut(offset..offset + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    };
    let shape: &[usize] = if v.shape.is_empty() { &[1] } else { &v.shape };
    if shape.len() > 7 {
        return Err(Error::input(
            path,
            format!(
                "cannot write {} dimensions: NIfTI-1 allows at most 7",
                shape.len()
            ),
        ));
    }
    put(0, &348i32.to_le_bytes());
    put(40, &(shape.len() as i16).to_le_bytes());
    for k in 0..7 {
        let d = shape.get(k).copied().unwrap_or(1);
        let d16 = i16::try_from(d).ok().filter(|&x| x >= 1).ok_or_else(|| {
            Error::input(
                path,
                format!(
                    "cannot write dimension of size {d}: NIfTI-1 dimensions must be 1 to 32767"
                ),
            )
        })?;
        put(42 + 2 * k, &d16.to_le_bytes());
    }
    let dtype = v.data.dtype();
    let stored = if dtype == Dtype::Bool {
        Dtype::U8
    } else {
        dtype
    };
    put(70, &datatype_code(dtype).to_le_bytes());
    put(72, &(8 * stored.size() as i16).to_le_bytes());
    for k in 0..8 {
        put(76 + 4 * k, &1.0f32.to_le_bytes());
    }
    put(108, &(WRITE_OFFSET as f32).to_le_bytes());
    put(112, &1.0f32.to_le_bytes());
    put(116, &0.0f32.to_le_bytes());
    put(148, b"diceproof");
    // qform_code (252) and sform_code (254) stay 0.
    put(344, b"n+1\0");
    Ok(h)
}

/// Writes `v` as a single-file NIfTI-1, gzip-compressed when `gz`.
pub(super) fn write(path: &Path, v: &Volume, gz: bool) -> Result<()> {
    let mut bytes = build_header(path, v)?;
    let stored_size = if v.data.dtype() == Dtype::Bool {
        1
    } else {
        v.data.dtype().size()
    };
    bytes.reserve(v.data.len().saturating_mul(stored_size));
    encode_elements_le(&v.data, &mut bytes);

    let file = File::create(path).map_err(|e| io_error(path, "create", &e))?;
    let out = BufWriter::new(file);
    let write_err = |e: std::io::Error| io_error(path, "write", &e);
    if gz {
        let mut enc = GzEncoder::new(out, Compression::default());
        enc.write_all(&bytes).map_err(write_err)?;
        let mut out = enc.finish().map_err(write_err)?;
        out.flush().map_err(write_err)?;
    } else {
        let mut out = out;
        out.write_all(&bytes).map_err(write_err)?;
        out.flush().map_err(write_err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::tests::{arb_volume, err_of, same_data, tmp};
    use crate::io::{read_volume, write_volume};
    use proptest::prelude::*;

    /// A header built field by field, independently of the writer.
    struct Hand {
        big: bool,
        dims: Vec<i16>,
        datatype: i16,
        bitpix: i16,
        vox_offset: f32,
        slope: f32,
        inter: f32,
        magic: [u8; 4],
    }

    impl Hand {
        fn new(dims: &[i16], datatype: i16, bitpix: i16) -> Hand {
            Hand {
                big: false,
                dims: dims.to_vec(),
                datatype,
                bitpix,
                vox_offset: 352.0,
                slope: 0.0,
                inter: 0.0,
                magic: *b"n+1\0",
            }
        }

        fn bytes(&self) -> Vec<u8> {
            let mut b = vec![0u8; self.vox_offset.max(352.0) as usize];
            let big = self.big;
            let mut put = |off: usize, x: &[u8]| {
                let mut x = x.to_vec();
                if big && x.len() > 1 {
                    x.reverse();
                }
                b[off..off + x.len()].copy_from_slice(&x);
            };
            put(0, &348i32.to_le_bytes());
            put(40, &(self.dims.len() as i16).to_le_bytes());
            for k in 0..7 {
                put(
                    42 + 2 * k,
                    &self.dims.get(k).copied().unwrap_or(1).to_le_bytes(),
                );
            }
            put(70, &self.datatype.to_le_bytes());
            put(72, &self.bitpix.to_le_bytes());
            put(108, &self.vox_offset.to_le_bytes());
            put(112, &self.slope.to_le_bytes());
            put(116, &self.inter.to_le_bytes());
            b[344..348].copy_from_slice(&self.magic);
            b
        }
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn scaling_slope_2_inter_1() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = Hand::new(&[3], 4, 16);
        h.slope = 2.0;
        h.inter = 1.0;
        let mut b = h.bytes();
        for x in [1i16, -2, 3] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        let p = tmp(&dir, "s.nii", &b);
        let v = read_volume(&p).unwrap();
        assert_eq!(v.shape, vec![3]);
        assert_eq!(v.data, VoxelData::F64(vec![3.0, -3.0, 7.0]));
    }

    #[test]
    fn identity_or_zero_slope_keeps_raw_type() {
        let dir = tempfile::tempdir().unwrap();
        for (slope, inter) in [(0.0f32, 5.0f32), (1.0, 0.0), (f32::NAN, 0.0)] {
            let mut h = Hand::new(&[2, 1, 1], 2, 8);
            h.slope = slope;
            h.inter = inter;
            let mut b = h.bytes();
            b.extend_from_slice(&[7, 9]);
            let p = tmp(&dir, "r.nii", &b);
            let v = read_volume(&p).unwrap();
            assert_eq!(v.shape, vec![2], "trailing 1s dropped");
            assert_eq!(v.data, VoxelData::U8(vec![7, 9]));
        }
    }

    #[test]
    fn big_endian_header_and_data() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = Hand::new(&[2, 2], 4, 16);
        h.big = true;
        let mut b = h.bytes();
        for x in [1i16, -300, 3, 32000] {
            b.extend_from_slice(&x.to_be_bytes());
        }
        let p = tmp(&dir, "be.nii.gz", &gzip(&b));
        let v = read_volume(&p).unwrap();
        assert_eq!(v.shape, vec![2, 2]);
        assert_eq!(v.data, VoxelData::I16(vec![1, -300, 3, 32000]));
    }

    #[test]
    fn extension_bytes_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = Hand::new(&[2], 16, 32);
        h.vox_offset = 400.0;
        let mut b = h.bytes();
        b[348] = 1; // extension flag; contents are ignored
        b.extend_from_slice(&1.5f32.to_le_bytes());
        b.extend_from_slice(&(-2.0f32).to_le_bytes());
        b.extend_from_slice(b"trailing junk is ignored");
        let p = tmp(&dir, "x.nii", &b);
        assert_eq!(
            read_volume(&p).unwrap().data,
            VoxelData::F32(vec![1.5, -2.0])
        );
    }

    #[test]
    fn truncated_data() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Hand::new(&[4, 5], 4, 16).bytes();
        b.extend_from_slice(&[0u8; 15]);
        let p = tmp(&dir, "t.nii", &b);
        let msg = err_of(&p);
        assert!(msg.contains("truncated data: expected 40 bytes"), "{msg}");
        assert!(msg.contains("found 15"), "{msg}");
        let p = tmp(&dir, "t.nii.gz", &gzip(&b));
        let msg = err_of(&p);
        assert!(msg.contains("truncated data: expected 40 bytes"), "{msg}");
        assert!(msg.contains("found 15"), "{msg}");
    }

    #[test]
    fn truncated_header() {
        let dir = tempfile::tempdir().unwrap();
        let b = Hand::new(&[4], 2, 8).bytes();
        let p = tmp(&dir, "h.nii", &b[..100]);
        assert!(err_of(&p).contains("truncated header"));
        let p = tmp(&dir, "h.nii.gz", &gzip(&b[..100]));
        assert!(err_of(&p).contains("truncated header"));
        let p = tmp(&dir, "empty.nii", &[]);
        assert!(err_of(&p).contains("found only 0"));
    }

    #[test]
    fn bad_magic_and_pairs() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = Hand::new(&[1], 2, 8);
        h.magic = *b"ni1\0";
        let mut b = h.bytes();
        b.push(0);
        assert!(err_of(&tmp(&dir, "p.nii", &b)).contains("separate .img file"));
        h.magic = *b"abcd";
        let mut b = h.bytes();
        b.push(0);
        assert!(err_of(&tmp(&dir, "m.nii", &b)).contains("bad NIfTI-1 magic"));
        let mut b = Hand::new(&[1], 2, 8).bytes();
        b[0..4].copy_from_slice(&100i32.to_le_bytes());
        assert!(err_of(&tmp(&dir, "s.nii", &b)).contains("sizeof_hdr is 100, expected 348"));
        b[0..4].copy_from_slice(&540i32.to_le_bytes());
        assert!(err_of(&tmp(&dir, "n2.nii", &b)).contains("NIfTI-2"));
    }

    #[test]
    fn bad_gzip() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Hand::new(&[8], 2, 8).bytes();
        b.extend_from_slice(&[1; 8]);
        // Not gzip at all.
        let msg = err_of(&tmp(&dir, "a.nii.gz", &b));
        assert!(
            msg.contains("not a gzip file") && msg.contains("name it .nii"),
            "{msg}"
        );
        let msg = err_of(&tmp(&dir, "b.nii.gz", b"xy"));
        assert!(msg.contains("not a gzip file"), "{msg}");
        // Corrupt deflate stream.
        let mut g = gzip(&b);
        for x in g.iter_mut().skip(12).take(20) {
            *x ^= 0x5a;
        }
        let msg = err_of(&tmp(&dir, "c.nii.gz", &g));
        assert!(
            msg.contains("gzip data is corrupt or truncated") || msg.contains("truncated"),
            "{msg}"
        );
        // Truncated gzip (cut inside the stream, and cut inside the trailer).
        let g = gzip(&b);
        let msg = err_of(&tmp(&dir, "d.nii.gz", &g[..g.len() / 2]));
        assert!(msg.contains("gzip data is corrupt or truncated"), "{msg}");
        let msg = err_of(&tmp(&dir, "e.nii.gz", &g[..g.len() - 3]));
        assert!(msg.contains("gzip data is corrupt or truncated"), "{msg}");
        // Bad checksum.
        let mut g = gzip(&b);
        let n = g.len();
        g[n - 8] ^= 0xff;
        let msg = err_of(&tmp(&dir, "f.nii.gz", &g));
        assert!(msg.contains("gzip data is corrupt or truncated"), "{msg}");
    }

    #[test]
    fn header_validation() {
        let dir = tempfile::tempdir().unwrap();
        let cases: Vec<(Hand, &str)> = vec![
            (
                Hand::new(&[2], 128, 24),
                "unsupported NIfTI datatype 128 (RGB24)",
            ),
            (
                Hand::new(&[2], 32, 64),
                "unsupported NIfTI datatype 32 (complex64)",
            ),
            (Hand::new(&[2], 99, 8), "unsupported NIfTI datatype 99;"),
            (
                Hand::new(&[2], 2, 16),
                "bitpix is 16 but datatype 2 (uint8) has 8",
            ),
            (Hand::new(&[2, 0], 2, 8), "dim[2] is 0"),
            (Hand::new(&[2, -3], 2, 8), "dim[2] is -3"),
            (Hand::new(&[], 2, 8), "dim[0] is 0"),
            (Hand::new(&[1; 8], 2, 8), "dim[0] is 8"),
        ];
        for (h, phrase) in cases {
            let mut b = h.bytes();
            b.extend_from_slice(&[0; 64]);
            let msg = err_of(&tmp(&dir, "v.nii", &b));
            assert!(msg.contains(phrase), "{msg} lacks {phrase}");
        }
        for off in [0.0f32, 100.0, 352.5, f32::NAN] {
            let mut h = Hand::new(&[2], 2, 8);
            h.vox_offset = off;
            let mut b = h.bytes();
            b.extend_from_slice(&[0; 64]);
            let msg = err_of(&tmp(&dir, "o.nii", &b));
            assert!(msg.contains("vox_offset"), "{msg}");
        }
    }

    #[test]
    fn huge_claimed_size_is_refused_without_allocating() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Hand::new(&[32767, 32767, 32767, 32767, 32767, 32767, 32767], 64, 64).bytes();
        b.extend_from_slice(&[0; 16]);
        let msg = err_of(&tmp(&dir, "big.nii", &b));
        assert!(
            msg.contains("overflows") || msg.contains("truncated"),
            "{msg}"
        );
        let mut b = Hand::new(&[32767, 32767, 32767], 64, 64).bytes();
        b.extend_from_slice(&[0; 16]);
        let msg = err_of(&tmp(&dir, "big2.nii.gz", &gzip(&b)));
        assert!(msg.contains("truncated data"), "{msg}");
    }

    #[test]
    fn writer_layout_is_standard() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.nii");
        let v = Volume {
            shape: vec![2, 3],
            data: VoxelData::Bool(vec![true, false, true, true, false, false]),
        };
        write_volume(&p, &v).unwrap();
        let b = std::fs::read(&p).unwrap();
        assert_eq!(b.len(), 352 + 6);
        assert_eq!(&b[0..4], &348i32.to_le_bytes());
        assert_eq!(&b[344..348], b"n+1\0");
        assert_eq!(f32::from_le_bytes(b[108..112].try_into().unwrap()), 352.0);
        assert_eq!(i16::from_le_bytes([b[70], b[71]]), 2);
        assert_eq!(i16::from_le_bytes([b[72], b[73]]), 8);
        assert_eq!(&b[252..256], &[0, 0, 0, 0]);
        assert_eq!(&b[352..], &[1, 0, 1, 1, 0, 0]);
        let back = read_volume(&p).unwrap();
        assert_eq!(back.shape, vec![2, 3]);
        assert_eq!(back.data, VoxelData::U8(vec![1, 0, 1, 1, 0, 0]));
    }

    #[test]
    fn writer_rejects_unrepresentable_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.nii");
        let v = Volume {
            shape: vec![40000],
            data: VoxelData::U8(vec![0; 40000]),
        };
        assert!(write_volume(&p, &v)
            .unwrap_err()
            .to_string()
            .contains("1 to 32767"));
        let v = Volume {
            shape: vec![1; 8],
            data: VoxelData::U8(vec![0]),
        };
        assert!(write_volume(&p, &v)
            .unwrap_err()
            .to_string()
            .contains("at most 7"));
        let v = Volume {
            shape: vec![3, 0],
            data: VoxelData::U8(vec![]),
        };
        assert!(write_volume(&p, &v).is_err());
    }

    fn expected_after_nifti(v: &Volume) -> Volume {
        let mut shape = v.shape.clone();
        while shape.len() > 1 && shape.last() == Some(&1) {
            shape.pop();
        }
        let data = match &v.data {
            VoxelData::Bool(b) => VoxelData::U8(b.iter().map(|&x| u8::from(x)).collect()),
            d => d.clone(),
        };
        Volume { shape, data }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn round_trip(v in arb_volume(7), gz in any::<bool>()) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join(if gz { "r.nii.gz" } else { "r.nii" });
            write_volume(&p, &v).unwrap();
            let back = read_volume(&p).unwrap();
            let want = expected_after_nifti(&v);
            prop_assert_eq!(&back.shape, &want.shape);
            prop_assert!(same_data(&back.data, &want.data), "{:?} vs {:?}", back.data, want.data);
        }

        #[test]
        fn never_panics_on_mutated_files(v in arb_volume(3), pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>(), gz in any::<bool>()) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join(if gz { "m.nii.gz" } else { "m.nii" });
            write_volume(&p, &v).unwrap();
            let mut b = std::fs::read(&p).unwrap();
            let i = pos.index(b.len());
            b[i] = byte;
            let keep = cut.index(b.len() + 1);
            b.truncate(keep.max(b.len() / 2));
            std::fs::write(&p, &b).unwrap();
            let _ = read_volume(&p);
        }
    }

    const TEMPLATES: &str = "/usr/share/mricron/templates";

    #[test]
    fn aal_template() {
        let aal = Path::new(TEMPLATES).join("aal.nii.gz");
        if !aal.exists() {
            eprintln!("skipping: {} not found", aal.display());
            return;
        }
        let t = std::time::Instant::now();
        let v = read_volume(&aal).unwrap();
        eprintln!("read {} in {:?}", aal.display(), t.elapsed());
        assert_eq!(v.shape, vec![181, 217, 181]);
        assert_eq!(v.data.type_name(), "uint8");
        let VoxelData::U8(d) = &v.data else {
            panic!("expected uint8");
        };
        let mut seen = [false; 256];
        for &x in d {
            seen[x as usize] = true;
        }
        assert!((1..=116).all(|l| seen[l]), "labels 1..=116 all occur");
        assert_eq!(d.iter().max(), Some(&116));

        let ch2 = Path::new(TEMPLATES).join("ch2bet.nii.gz");
        if ch2.exists() {
            let c = read_volume(&ch2).unwrap();
            assert_eq!(c.shape, v.shape);
        }
    }
}
