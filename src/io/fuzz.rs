//! Fuzz harnesses for the NIfTI, NPY and PNG readers (ignored tests).
//!
//! No nightly toolchain is available for cargo-fuzz, so each reader gets a
//! generator run as an `#[ignore]`d test: a mix of arbitrary bytes (behind the
//! right magic half of the time, so they reach the header parser) and
//! structure-aware mutations of valid files written by the crate's own writers
//! (random shapes and element types). The mutations know the formats: NIfTI header
//! fields (dims, datatype, bitpix, vox_offset, scaling) get interesting integers
//! and floats; the NPY header text gets other dtypes, shapes and flags; PNG chunks
//! get their CRC recomputed after a mutation so that the damage reaches the
//! decoder instead of stopping at the checksum. Every input runs under
//! `catch_unwind`; a panic fails the test and the input is saved under
//! `target/fuzz-crashes/` to become a regression test.
//!
//! Run: `cargo test --release --lib io::fuzz -- --ignored --nocapture`
//! (`DICEPROOF_FUZZ_INPUTS` sets the inputs per reader, default 10^6).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use proptest::test_runner::{RngAlgorithm, TestRng};
use std::ops::{Bound, RangeBounds};

use proptest::prelude::Rng as _;

use super::{nifti, npy, png, Volume, VoxelData};

fn rng(seed: u8) -> TestRng {
    TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32])
}

/// The few draws the generators need, on proptest's seeded ChaCha generator.
trait Draw {
    fn gen_range(&mut self, r: impl RangeBounds<usize>) -> usize;
    fn gen_bool(&mut self, p: f64) -> bool;
    fn gen<T: FromBits>(&mut self) -> T;
}

impl Draw for TestRng {
    fn gen_range(&mut self, r: impl RangeBounds<usize>) -> usize {
        let lo = match r.start_bound() {
            Bound::Included(&a) => a,
            Bound::Excluded(&a) => a + 1,
            Bound::Unbounded => 0,
        };
        let hi = match r.end_bound() {
            Bound::Included(&b) => b + 1,
            Bound::Excluded(&b) => b,
            Bound::Unbounded => usize::MAX,
        };
        lo + (self.next_u64() % (hi - lo).max(1) as u64) as usize
    }
    fn gen_bool(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn gen<T: FromBits>(&mut self) -> T {
        T::from_bits(self.next_u64())
    }
}

/// A value from 64 random bits (floats from their bit patterns, so NaN, infinities
/// and subnormals occur).
trait FromBits {
    fn from_bits(b: u64) -> Self;
}

macro_rules! from_bits_int {
    ($($t:ty),*) => {$(impl FromBits for $t { fn from_bits(b: u64) -> Self { b as $t } })*};
}
from_bits_int!(u8, i16, u16, i32, u32, i64, u64);

impl FromBits for bool {
    fn from_bits(b: u64) -> Self {
        b & 1 == 1
    }
}
impl FromBits for f32 {
    fn from_bits(b: u64) -> Self {
        f32::from_bits(b as u32)
    }
}
impl FromBits for f64 {
    fn from_bits(b: u64) -> Self {
        f64::from_bits(b)
    }
}

fn inputs() -> u64 {
    std::env::var("DICEPROOF_FUZZ_INPUTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// A random small volume of a random element type.
fn random_volume(r: &mut TestRng, max_dims: usize, types: &[usize]) -> Volume {
    let dims = r.gen_range(1..=max_dims);
    let shape: Vec<usize> = (0..dims).map(|_| r.gen_range(1..=4)).collect();
    let n: usize = shape.iter().product();
    let t = types[r.gen_range(0..types.len())];
    let data = match t {
        0 => VoxelData::Bool((0..n).map(|_| r.gen()).collect()),
        1 => VoxelData::U8((0..n).map(|_| r.gen()).collect()),
        2 => VoxelData::I16((0..n).map(|_| r.gen()).collect()),
        3 => VoxelData::U16((0..n).map(|_| r.gen()).collect()),
        4 => VoxelData::I32((0..n).map(|_| r.gen()).collect()),
        5 => VoxelData::F32((0..n).map(|_| r.gen()).collect()),
        6 => VoxelData::F64((0..n).map(|_| r.gen()).collect()),
        7 => VoxelData::I64((0..n).map(|_| r.gen()).collect()),
        _ => VoxelData::U64((0..n).map(|_| r.gen()).collect()),
    };
    Volume { shape, data }
}

/// Valid files of one format, written by the crate's writer.
fn seeds(ext: &str, count: usize, r: &mut TestRng) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (max_dims, types): (usize, &[usize]) = match ext {
        "png" => (2, &[1, 3]),
        _ => (5, &[0, 1, 2, 3, 4, 5, 6, 7, 8]),
    };
    let mut out = Vec::new();
    while out.len() < count {
        let mut v = random_volume(r, max_dims, types);
        if ext == "png" && v.shape.len() == 1 {
            v.shape.push(1);
        }
        let path = dir.path().join(format!("s.{ext}"));
        if super::write_volume(&path, &v).is_ok() {
            out.push(std::fs::read(&path).expect("read seed"));
        }
    }
    out
}

const INTERESTING: [i64; 14] = [
    0,
    1,
    -1,
    2,
    7,
    8,
    127,
    255,
    348,
    352,
    32767,
    -32768,
    i32::MAX as i64,
    i32::MIN as i64,
];

/// Generic byte-level mutations.
fn mutate_bytes(r: &mut TestRng, b: &mut Vec<u8>) {
    if b.is_empty() {
        b.push(r.gen());
        return;
    }
    match r.gen_range(0..7) {
        0 => {
            let i = r.gen_range(0..b.len());
            b[i] ^= 1 << r.gen_range(0..8);
        }
        1 => {
            let i = r.gen_range(0..b.len());
            b[i] = [0u8, 1, 0x7f, 0x80, 0xff, b'9', b'(', b','][r.gen_range(0..8)];
        }
        2 => {
            let cut = r.gen_range(0..b.len());
            b.truncate(cut);
        }
        3 => {
            let i = r.gen_range(0..=b.len());
            let extra: Vec<u8> = (0..r.gen_range(1..16)).map(|_| r.gen()).collect();
            b.splice(i..i, extra);
        }
        4 => {
            let i = r.gen_range(0..b.len());
            let j = (i + r.gen_range(1..32)).min(b.len());
            b.drain(i..j);
        }
        5 => {
            let i = r.gen_range(0..b.len());
            let v = INTERESTING[r.gen_range(0..INTERESTING.len())];
            let bytes = v.to_le_bytes();
            let w = [1usize, 2, 4, 8][r.gen_range(0..4)];
            for (k, &x) in bytes.iter().take(w).enumerate() {
                if let Some(slot) = b.get_mut(i + k) {
                    *slot = x;
                }
            }
        }
        _ => {
            let i = r.gen_range(0..b.len());
            let v: u8 = r.gen();
            b[i] = v;
        }
    }
}

/// Runs `parse` on `count` generated inputs, catching panics.
fn run(
    name: &str,
    count: u64,
    mut make: impl FnMut(&mut TestRng) -> Vec<u8>,
    parse: impl Fn(&[u8]) -> bool,
) {
    let mut r = rng(name.len() as u8);
    let start = Instant::now();
    let (mut ok, mut err) = (0u64, 0u64);
    let mut crashes: Vec<PathBuf> = Vec::new();
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for i in 0..count {
        let input = make(&mut r);
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(&input))) {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(_) => {
                let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-crashes");
                let _ = std::fs::create_dir_all(&dir);
                let path = dir.join(format!("{name}-{i}.bin"));
                let _ = std::fs::write(&path, &input);
                crashes.push(path);
            }
        }
    }
    std::panic::set_hook(prev);
    println!(
        "fuzz {name}: {count} inputs in {:.1} s, {ok} read, {err} refused with an error, {} panics",
        start.elapsed().as_secs_f64(),
        crashes.len()
    );
    assert!(crashes.is_empty(), "{name} panicked on {crashes:?}");
}

/// Unstructured input: with probability 1/2 the format's `magic` bytes, then up
/// to 300 random bytes (the same draws, in the same order, for every reader).
fn noise(r: &mut TestRng, magic: &[u8]) -> Vec<u8> {
    let mut b: Vec<u8> = if r.gen_bool(0.5) {
        magic.to_vec()
    } else {
        Vec::new()
    };
    let n = r.gen_range(0..300);
    b.extend((0..n).map(|_| r.gen::<u8>()));
    b
}

/// Recomputes the CRC of every complete chunk of a PNG (after the signature).
fn fix_png_crcs(b: &mut [u8]) {
    let mut at = 8usize;
    while at + 12 <= b.len() {
        let len = u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
        let end = match at.checked_add(8).and_then(|x| x.checked_add(len)) {
            Some(e) if e + 4 <= b.len() => e,
            _ => return,
        };
        let mut crc = flate2::Crc::new();
        crc.update(&b[at + 4..end]);
        b[end..end + 4].copy_from_slice(&crc.sum().to_be_bytes());
        at = end + 4;
    }
}

#[test]
#[ignore = "fuzz harness: run with --ignored (about a minute per reader in release)"]
fn fuzz_npy() {
    let mut r = rng(1);
    let corpus = seeds("npy", 64, &mut r);
    const DESCRS: [&str; 12] = [
        "'<f4'",
        "'|b1'",
        "'>u8'",
        "'<c8'",
        "'O'",
        "'<U3'",
        "'|u1'",
        "'<i8'",
        "'f8'",
        "''",
        "'<f2'",
        "[('a', '<i4')]",
    ];
    const SHAPES: [&str; 8] = [
        "()",
        "(0,)",
        "(18446744073709551615, 2)",
        "(4294967296, 4294967296)",
        "(-1,)",
        "(3, 4, 5, 6, 7, 8, 9, 10)",
        "(2,",
        "(1, 1, 1)",
    ];
    run(
        "npy",
        inputs(),
        |r| {
            if r.gen_bool(0.2) {
                return noise(r, b"\x93NUMPY\x01\x00");
            }
            let mut b = corpus[r.gen_range(0..corpus.len())].clone();
            // Structure-aware: rewrite the header dict, keeping the length field right.
            if r.gen_bool(0.5) && b.len() > 10 {
                let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
                if let Some(text) = b
                    .get(10..10 + hlen)
                    .map(|t| String::from_utf8_lossy(t).into_owned())
                {
                    let mut t = text;
                    match r.gen_range(0..4) {
                        0 => {
                            if let (Some(i), Some(j)) = (t.find("'descr': "), t.find(", 'fortran"))
                            {
                                t.replace_range(i + 9..j, DESCRS[r.gen_range(0..DESCRS.len())]);
                            }
                        }
                        1 => {
                            if let (Some(i), Some(j)) = (t.find("'shape': "), t.rfind(", }")) {
                                if i + 9 <= j {
                                    t.replace_range(i + 9..j, SHAPES[r.gen_range(0..SHAPES.len())]);
                                }
                            }
                        }
                        2 => {
                            t = t.replace("False", ["True", "0", "None", "Fals"][r.gen_range(0..4)])
                        }
                        _ => {
                            let i = r.gen_range(0..t.len().max(1));
                            let c = ['{', '}', '\'', '"', ':', ',', '(', ')', '\\', 'L']
                                [r.gen_range(0..10)];
                            if t.is_char_boundary(i) {
                                t.insert(i, c);
                            }
                        }
                    }
                    let mut nb = b[..8].to_vec();
                    nb.extend_from_slice(&(t.len() as u16).to_le_bytes());
                    nb.extend_from_slice(t.as_bytes());
                    nb.extend_from_slice(&b[(10 + hlen).min(b.len())..]);
                    b = nb;
                }
            }
            for _ in 0..r.gen_range(0..3) {
                mutate_bytes(r, &mut b);
            }
            b
        },
        |b| npy::parse_with_order(Path::new("fuzz.npy"), b.to_vec()).is_ok(),
    );
}

#[test]
#[ignore = "fuzz harness: run with --ignored (about a minute per reader in release)"]
fn fuzz_nifti() {
    let mut r = rng(2);
    let corpus = seeds("nii", 64, &mut r);
    // (offset, width) of dim[0..8], datatype, bitpix, vox_offset, scl_slope, scl_inter.
    let fields: Vec<(usize, usize)> = (0..8)
        .map(|k| (40 + 2 * k, 2))
        .chain([
            (70, 2),
            (72, 2),
            (108, 4),
            (112, 4),
            (116, 4),
            (0, 4),
            (344, 4),
        ])
        .collect();
    run(
        "nifti",
        inputs(),
        |r| {
            if r.gen_bool(0.2) {
                let n = r.gen_range(0..700);
                let mut b: Vec<u8> = (0..n).map(|_| r.gen::<u8>()).collect();
                if r.gen_bool(0.5) && b.len() >= 4 {
                    b[..4].copy_from_slice(&348i32.to_le_bytes());
                }
                return b;
            }
            let mut b = corpus[r.gen_range(0..corpus.len())].clone();
            for _ in 0..r.gen_range(1..4) {
                if r.gen_bool(0.6) {
                    let (off, w) = fields[r.gen_range(0..fields.len())];
                    let bytes: Vec<u8> = if (112..120).contains(&off) || off == 108 {
                        let f = [
                            f32::NAN,
                            f32::INFINITY,
                            -0.0,
                            0.0,
                            1e30,
                            -2.5,
                            1.0,
                            352.0,
                            1e-40,
                        ][r.gen_range(0..9)];
                        f.to_le_bytes().to_vec()
                    } else {
                        let v = INTERESTING[r.gen_range(0..INTERESTING.len())];
                        v.to_le_bytes()[..w].to_vec()
                    };
                    if let Some(slot) = b.get_mut(off..off + bytes.len()) {
                        slot.copy_from_slice(&bytes);
                    }
                } else {
                    mutate_bytes(r, &mut b);
                }
            }
            if r.gen_bool(0.1) {
                // Through the gzip path: compress the mutated file, or mutate the stream.
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                let _ = enc.write_all(&b);
                let mut gz = enc.finish().unwrap_or_default();
                if r.gen_bool(0.3) {
                    mutate_bytes(r, &mut gz);
                }
                gz.insert(0, 1); // marker: gzip input (removed before parsing)
                return gz;
            }
            b.insert(0, 0);
            b
        },
        |b| {
            let (gz, body) = match b.split_first() {
                Some((&1, rest)) => (true, rest),
                Some((_, rest)) => (false, rest),
                None => (false, b),
            };
            nifti::read_from(Path::new("fuzz.nii"), body, body.len() as u64, gz).is_ok()
        },
    );
}

#[test]
#[ignore = "fuzz harness: run with --ignored (about a minute per reader in release)"]
fn fuzz_png() {
    let mut r = rng(3);
    let corpus = seeds("png", 64, &mut r);
    run(
        "png",
        inputs(),
        |r| {
            if r.gen_bool(0.2) {
                return noise(r, b"\x89PNG\r\n\x1a\n");
            }
            let mut b = corpus[r.gen_range(0..corpus.len())].clone();
            for _ in 0..r.gen_range(1..4) {
                if r.gen_bool(0.5) && b.len() > 29 {
                    // IHDR: width 16..20, height 20..24, depth 24, colour 25, interlace 28.
                    match r.gen_range(0..4) {
                        0 => {
                            let v =
                                [0u32, 1, 0x7fff_ffff, 0xffff_ffff, 65536, 3][r.gen_range(0..6)];
                            let at = [16usize, 20][r.gen_range(0..2)];
                            b[at..at + 4].copy_from_slice(&v.to_be_bytes());
                        }
                        1 => b[24] = [1u8, 2, 4, 8, 16, 3, 0][r.gen_range(0..7)],
                        2 => b[25] = [0u8, 2, 3, 4, 6, 1][r.gen_range(0..6)],
                        _ => b[28] = r.gen_range(0..3) as u8,
                    }
                } else {
                    mutate_bytes(r, &mut b);
                }
            }
            if r.gen_bool(0.8) {
                fix_png_crcs(&mut b);
            }
            b
        },
        |b| png::read_from(Path::new("fuzz.png"), b, b.len() as u64).is_ok(),
    );
}

/// Keeps the harness's own helpers honest: a valid seed reads back.
#[test]
fn seeds_are_valid_files() {
    let mut r = rng(9);
    for s in seeds("npy", 4, &mut r) {
        assert!(npy::parse_with_order(Path::new("s.npy"), s).is_ok());
    }
    for s in seeds("nii", 4, &mut r) {
        assert!(nifti::read_from(Path::new("s.nii"), &s[..], s.len() as u64, false).is_ok());
    }
    for mut s in seeds("png", 4, &mut r) {
        fix_png_crcs(&mut s);
        assert!(png::read_from(Path::new("s.png"), &s[..], s.len() as u64).is_ok());
    }
}
