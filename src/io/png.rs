//! Grayscale PNG reader and writer, built on the `png` crate.
//!
//! A mask PNG must be pure grayscale: 8- or 16-bit samples are returned as `U8` or
//! `U16`; 1-, 2- and 4-bit images are expanded to 8 bit by the `png` crate (which
//! scales them to the 0..=255 range, so a 1-bit image reads as 0/255). Colour,
//! palette and grayscale+alpha images are refused rather than converted, because
//! any conversion would be a guess about what the colours mean. A `tRNS`
//! transparency entry does not change the gray values and is ignored. The shape is
//! `[height, width]`, rows top to bottom (C order). Only the first frame of an
//! animated PNG is read.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::Path;

use png::{BitDepth, ColorType, Transformations};

use super::{io_error, Volume, VoxelData};
use crate::error::{Error, Result};

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

fn colour_name(c: ColorType) -> &'static str {
    match c {
        ColorType::Grayscale => "grayscale",
        ColorType::Rgb => "RGB",
        ColorType::Indexed => "palette (indexed colour)",
        ColorType::GrayscaleAlpha => "grayscale+alpha",
        ColorType::Rgba => "RGBA",
    }
}

/// Reads a grayscale PNG.
pub(super) fn read(path: &Path) -> Result<Volume> {
    let file = File::open(path).map_err(|e| io_error(path, "open", &e))?;
    let file_len = file
        .metadata()
        .map_err(|e| io_error(path, "read", &e))?
        .len();
    read_from(path, file, file_len)
}

/// Decodes a PNG of `file_len` bytes from `file`; `path` names it in errors.
pub(super) fn read_from(path: &Path, mut file: impl Read, file_len: u64) -> Result<Volume> {
    let mut sig = [0u8; 8];
    let mut got = 0;
    while got < sig.len() {
        let Some(rest) = sig.get_mut(got..) else {
            break;
        };
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(path, "read", &e)),
        }
    }
    if sig.get(..got) != SIGNATURE.get(..got) {
        return Err(Error::input(path, "not a PNG file (bad signature)"));
    }
    if got < sig.len() {
        return Err(Error::input(
            path,
            "truncated PNG: the file ends inside the signature",
        ));
    }
    let stream = std::io::Cursor::new(sig).chain(BufReader::new(file));
    let decode_err = |e: png::DecodingError| {
        let msg = match e {
            png::DecodingError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                "truncated PNG: the file ends before the image data is complete".to_string()
            }
            e => format!("invalid or corrupt PNG: {e}"),
        };
        Error::input(path, msg)
    };

    let mut decoder = png::Decoder::new(stream);
    let info = decoder.read_header_info().map_err(decode_err)?;
    let (colour, depth) = (info.color_type, info.bit_depth);
    if colour != ColorType::Grayscale {
        return Err(Error::input(
            path,
            format!(
                "PNG colour type is {}; a mask PNG must be grayscale (no colour, palette or alpha)",
                colour_name(colour)
            ),
        ));
    }
    let (width, height) = (info.width as usize, info.height as usize);
    if (depth as u8) < 8 {
        decoder.set_transformations(Transformations::EXPAND);
    } else {
        decoder.set_transformations(Transformations::IDENTITY);
    }
    let mut reader = decoder.read_info().map_err(decode_err)?;
    let (out_colour, out_depth) = reader.output_color_type();
    // With EXPAND a tRNS chunk adds an alpha channel; we drop it again.
    let channels = match out_colour {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        other => {
            return Err(Error::input(
                path,
                format!(
                    "PNG decodes to {}; a mask PNG must be grayscale",
                    colour_name(other)
                ),
            ))
        }
    };
    let sample_bytes = if out_depth == BitDepth::Sixteen { 2 } else { 1 };
    let size = reader.output_buffer_size();
    // Deflate cannot expand data by more than ~1032x; a header claiming more
    // pixels than the file could hold is corrupt, so refuse before allocating.
    let plausible = file_len.saturating_mul(8 * 1100).saturating_add(1 << 20);
    if size as u64 > plausible {
        return Err(Error::input(
            path,
            format!(
                "PNG header claims {width}x{height} pixels, more than a {file_len}-byte file can hold"
            ),
        ));
    }
    let mut buf = Vec::new();
    buf.try_reserve_exact(size)
        .map_err(|_| Error::input(path, format!("cannot allocate {size} bytes for the image")))?;
    buf.resize(size, 0);
    let frame = reader.next_frame(&mut buf).map_err(decode_err)?;
    let line = frame.line_size;
    let pixel = channels * sample_bytes;
    let count = width
        .checked_mul(height)
        .ok_or_else(|| Error::input(path, format!("PNG size {width}x{height} is too large")))?;

    // Gray sample of every pixel, row by row, skipping any alpha and row padding.
    let samples = buf
        .chunks(line.max(1))
        .take(height)
        .flat_map(|row| row.chunks_exact(pixel).take(width))
        .map(|px| px.get(..sample_bytes).unwrap_or(&[]));
    let data = if sample_bytes == 2 {
        let v: Vec<u16> = samples
            .map(|s| match s {
                &[hi, lo] => u16::from_be_bytes([hi, lo]),
                _ => 0,
            })
            .collect();
        VoxelData::U16(v)
    } else {
        let v: Vec<u8> = samples.map(|s| s.first().copied().unwrap_or(0)).collect();
        VoxelData::U8(v)
    };
    if data.len() != count {
        return Err(Error::input(
            path,
            format!(
                "PNG decoded to {} pixels but the header says {width}x{height}",
                data.len()
            ),
        ));
    }
    Ok(Volume {
        shape: vec![height, width],
        data,
    })
}

/// Writes a 2-D `U8`/`Bool` (8-bit, `true` as 1) or `U16` (16-bit) volume as a
/// grayscale PNG.
pub(super) fn write(path: &Path, v: &Volume) -> Result<()> {
    let &[height, width] = v.shape.as_slice() else {
        return Err(Error::input(
            path,
            format!(
                "cannot write shape {} as PNG: a PNG holds a 2-D [height, width] array",
                v.shape_string()
            ),
        ));
    };
    let dims = (u32::try_from(width), u32::try_from(height));
    let (Ok(w), Ok(h)) = dims else {
        return Err(Error::input(path, "cannot write: image too large for PNG"));
    };
    if w == 0 || h == 0 {
        return Err(Error::input(path, "cannot write an empty image as PNG"));
    }
    let (depth, bytes): (BitDepth, Vec<u8>) = match &v.data {
        VoxelData::U8(d) => (BitDepth::Eight, d.clone()),
        VoxelData::Bool(d) => (BitDepth::Eight, d.iter().map(|&b| u8::from(b)).collect()),
        VoxelData::U16(d) => (
            BitDepth::Sixteen,
            d.iter().flat_map(|x| x.to_be_bytes()).collect(),
        ),
        other => {
            return Err(Error::input(
                path,
                format!(
                    "cannot write {} data as PNG; PNG output supports uint8, bool and uint16",
                    other.type_name()
                ),
            ))
        }
    };
    let file = File::create(path).map_err(|e| io_error(path, "create", &e))?;
    let mut enc = png::Encoder::new(BufWriter::new(file), w, h);
    enc.set_color(ColorType::Grayscale);
    enc.set_depth(depth);
    let enc_err = |e: png::EncodingError| Error::input(path, format!("cannot write PNG: {e}"));
    let mut writer = enc.write_header().map_err(enc_err)?;
    writer.write_image_data(&bytes).map_err(enc_err)?;
    writer.finish().map_err(enc_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::tests::{err_of, tmp};
    use crate::io::{read_volume, write_volume};
    use proptest::prelude::*;

    fn encode(
        w: u32,
        h: u32,
        colour: ColorType,
        depth: BitDepth,
        data: &[u8],
        trns: Option<&[u8]>,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(colour);
            enc.set_depth(depth);
            if let Some(t) = trns {
                enc.set_trns(t.to_vec());
            }
            if colour == ColorType::Indexed {
                enc.set_palette(vec![0, 0, 0, 255, 255, 255]);
            }
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(data).unwrap();
        }
        out
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.png");
        let v8 = Volume {
            shape: vec![2, 3],
            data: VoxelData::U8(vec![0, 1, 2, 253, 254, 255]),
        };
        write_volume(&p, &v8).unwrap();
        assert_eq!(read_volume(&p).unwrap(), v8);
        let v16 = Volume {
            shape: vec![3, 2],
            data: VoxelData::U16(vec![0, 1, 256, 4095, 65534, 65535]),
        };
        write_volume(&p, &v16).unwrap();
        assert_eq!(read_volume(&p).unwrap(), v16);
        let vb = Volume {
            shape: vec![1, 3],
            data: VoxelData::Bool(vec![true, false, true]),
        };
        write_volume(&p, &vb).unwrap();
        assert_eq!(read_volume(&p).unwrap().data, VoxelData::U8(vec![1, 0, 1]));
    }

    #[test]
    fn low_bit_depths_expand_to_8_bit() {
        let dir = tempfile::tempdir().unwrap();
        // 1-bit, 5 pixels wide, 2 rows: 10110 / 01001 (rows padded to a byte).
        let b = encode(
            5,
            2,
            ColorType::Grayscale,
            BitDepth::One,
            &[0b1011_0000, 0b0100_1000],
            None,
        );
        let v = read_volume(&tmp(&dir, "b.png", &b)).unwrap();
        assert_eq!(v.shape, vec![2, 5]);
        assert_eq!(
            v.data,
            VoxelData::U8(vec![255, 0, 255, 255, 0, 0, 255, 0, 0, 255])
        );
        // 4-bit: values 0..=15 scale by 17.
        let b = encode(2, 1, ColorType::Grayscale, BitDepth::Four, &[0x1f], None);
        let v = read_volume(&tmp(&dir, "f.png", &b)).unwrap();
        assert_eq!(v.data, VoxelData::U8(vec![17, 255]));
        // tRNS on 2-bit grayscale is ignored.
        let b = encode(
            3,
            1,
            ColorType::Grayscale,
            BitDepth::Two,
            &[0b0001_1100],
            Some(&[0, 0]),
        );
        let v = read_volume(&tmp(&dir, "t.png", &b)).unwrap();
        assert_eq!(v.data, VoxelData::U8(vec![0, 85, 255]));
        // tRNS on 8 and 16 bit.
        let b = encode(
            2,
            1,
            ColorType::Grayscale,
            BitDepth::Eight,
            &[7, 9],
            Some(&[0, 7]),
        );
        assert_eq!(
            read_volume(&tmp(&dir, "t8.png", &b)).unwrap().data,
            VoxelData::U8(vec![7, 9])
        );
        let b = encode(
            1,
            1,
            ColorType::Grayscale,
            BitDepth::Sixteen,
            &[1, 2],
            Some(&[1, 2]),
        );
        assert_eq!(
            read_volume(&tmp(&dir, "t16.png", &b)).unwrap().data,
            VoxelData::U16(vec![258])
        );
    }

    #[test]
    fn colour_images_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (colour, data, name) in [
            (ColorType::Rgb, vec![0u8; 6], "RGB"),
            (ColorType::Rgba, vec![0u8; 8], "RGBA"),
            (ColorType::GrayscaleAlpha, vec![0u8; 4], "grayscale+alpha"),
            (ColorType::Indexed, vec![0u8; 2], "palette"),
        ] {
            let b = encode(2, 1, colour, BitDepth::Eight, &data, None);
            let msg = err_of(&tmp(&dir, "c.png", &b));
            assert!(
                msg.contains(name) && msg.contains("must be grayscale"),
                "{msg}"
            );
        }
    }

    #[test]
    fn corrupt_files() {
        let dir = tempfile::tempdir().unwrap();
        let good = encode(
            16,
            16,
            ColorType::Grayscale,
            BitDepth::Eight,
            &[3u8; 256],
            None,
        );
        let msg = err_of(&tmp(&dir, "m.png", b"GIF89a not a png"));
        assert!(msg.contains("bad signature"), "{msg}");
        let msg = err_of(&tmp(&dir, "s.png", &good[..5]));
        assert!(msg.contains("truncated PNG"), "{msg}");
        let msg = err_of(&tmp(&dir, "e.png", &[]));
        assert!(msg.contains("truncated PNG"), "{msg}");
        let msg = err_of(&tmp(&dir, "h.png", &good[..20]));
        assert!(
            msg.contains("truncated PNG") || msg.contains("invalid or corrupt PNG"),
            "{msg}"
        );
        let msg = err_of(&tmp(&dir, "d.png", &good[..good.len() - 20]));
        assert!(
            msg.contains("truncated PNG") || msg.contains("invalid or corrupt PNG"),
            "{msg}"
        );
        let mut bad = good.clone();
        let n = bad.len();
        bad[n - 20] ^= 0xff; // inside IDAT: CRC mismatch
        let msg = err_of(&tmp(&dir, "c.png", &bad));
        assert!(msg.contains("invalid or corrupt PNG"), "{msg}");
    }

    #[test]
    fn writer_rejects_other_types_and_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.png");
        let v = Volume {
            shape: vec![1, 2],
            data: VoxelData::F32(vec![0.0, 1.0]),
        };
        let msg = write_volume(&p, &v).unwrap_err().to_string();
        assert!(msg.contains("cannot write float32 data as PNG"), "{msg}");
        let v = Volume {
            shape: vec![2, 1, 1],
            data: VoxelData::U8(vec![0, 1]),
        };
        let msg = write_volume(&p, &v).unwrap_err().to_string();
        assert!(msg.contains("2-D"), "{msg}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn round_trip_u8(h in 1usize..6, w in 1usize..6, seed in any::<u64>()) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("p.png");
            let data: Vec<u8> = (0..h * w).map(|i| (seed.rotate_left(i as u32 % 64) as u8) ^ i as u8).collect();
            let v = Volume { shape: vec![h, w], data: VoxelData::U8(data) };
            write_volume(&p, &v).unwrap();
            prop_assert_eq!(read_volume(&p).unwrap(), v);
        }

        #[test]
        fn never_panics_on_mutated_files(pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
            let dir = tempfile::tempdir().unwrap();
            let mut b = encode(7, 5, ColorType::Grayscale, BitDepth::Sixteen, &[9u8; 70], None);
            let i = pos.index(b.len());
            b[i] = byte;
            b.truncate(cut.index(b.len() + 1).max(b.len() / 2));
            let _ = read_volume(&tmp(&dir, "x.png", &b));
        }
    }
}
