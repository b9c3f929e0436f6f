//! Binary masks: how a voxel array becomes a foreground set, explicitly.
//!
//! Why this is separate from the readers: reading a file and deciding which voxels
//! are foreground are different questions, and the second is where tools silently
//! guess. Here the rule is always named ([`Foreground`]):
//!
//! * `NonZero` (the default): for integer and boolean data, foreground is
//!   `voxel != 0`, the usual reading of a label map or a brain-extracted scan. For
//!   floating-point data every value must be exactly 0 or 1: a float array holding
//!   anything else is almost always a probability map passed by mistake, so it is
//!   an error, not a silent threshold.
//! * `Label(L)`: foreground is `voxel == L`. A label that occurs nowhere in the file
//!   is an error (usually a typo) unless the caller allows absent labels.
//!
//! NaN anywhere is an error under both rules. Small masks for enumeration
//! ([`SmallMask`]) are bit-packed into one `u64`, voxel i in bit i.

use crate::error::{Error, Result};
use crate::io::{Volume, VoxelData};

/// Which voxels of a volume are foreground.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Foreground {
    /// `voxel != 0` for integer data; float data must be exactly 0 or 1.
    NonZero,
    /// `voxel == L`.
    Label(i64),
}

/// Options for turning a volume into a mask.
#[derive(Clone, Copy, Debug)]
pub struct MaskOptions {
    /// The foreground rule.
    pub rule: Foreground,
    /// With `Label(L)`: accept a file in which L never occurs (an empty mask).
    pub allow_absent_label: bool,
}

impl Default for MaskOptions {
    fn default() -> Self {
        MaskOptions {
            rule: Foreground::NonZero,
            allow_absent_label: false,
        }
    }
}

/// Applies a foreground rule to a volume. `name` names the source in errors.
pub fn mask_from_volume(v: &Volume, opts: MaskOptions, name: &str) -> Result<Vec<bool>> {
    let data = &v.data;
    if let Some(i) = first_nan(data) {
        return Err(Error::source(
            name,
            format!("voxel {i} is NaN; a mask must hold numbers"),
        ));
    }
    let mask: Vec<bool> = match opts.rule {
        Foreground::NonZero => {
            if data.is_float() {
                if let Some(i) = (0..data.len()).find(|&i| {
                    let x = data.get_f64(i).unwrap_or(f64::NAN);
                    x != 0.0 && x != 1.0
                }) {
                    let x = data.get_f64(i).unwrap_or(f64::NAN);
                    return Err(Error::source(
                        name,
                        format!(
                            "non-binary value {x} at voxel {i} in {} data; a floating-point mask \
                             must hold only 0 and 1 (for a probability map give --threshold T, or score it \
                             with a soft spec such as --metric soft-dice; or select a label with \
                             --gt-label/--pred-label)",
                            data.type_name()
                        ),
                    ));
                }
            }
            map_values(data, |x| x != 0, |x| x != 0.0)
        }
        Foreground::Label(l) => {
            let m = map_values(data, |x| x == l as i128, |x| x == l as f64);
            if !opts.allow_absent_label && !m.iter().any(|&b| b) {
                return Err(Error::source(
                    name,
                    format!(
                        "label {l} does not occur in this {} volume of {} voxels{}",
                        data.type_name(),
                        data.len(),
                        label_range_hint(data)
                    ),
                ));
            }
            m
        }
    };
    Ok(mask)
}

/// Reads a volume as a label map: every value must be an integer (floats must be
/// finite and integral) that fits in an `i64`.
pub fn labels_from_volume(v: &Volume, name: &str) -> Result<Vec<i64>> {
    let data = &v.data;
    let mut out = Vec::with_capacity(data.len());
    for i in 0..data.len() {
        let label = match data {
            VoxelData::Bool(d) => d[i] as i64,
            VoxelData::U8(d) => d[i] as i64,
            VoxelData::I8(d) => d[i] as i64,
            VoxelData::U16(d) => d[i] as i64,
            VoxelData::I16(d) => d[i] as i64,
            VoxelData::U32(d) => d[i] as i64,
            VoxelData::I32(d) => d[i] as i64,
            VoxelData::I64(d) => d[i],
            VoxelData::U64(d) => i64::try_from(d[i]).map_err(|_| {
                Error::source(
                    name,
                    format!("label {} at voxel {i} exceeds 2^63 - 1", d[i]),
                )
            })?,
            VoxelData::F32(_) | VoxelData::F64(_) => {
                let x = data.get_f64(i).unwrap_or(f64::NAN);
                if !x.is_finite() || x.fract() != 0.0 || x.abs() > 9.0e15 {
                    return Err(Error::source(
                        name,
                        format!("value {x} at voxel {i} is not an integer label"),
                    ));
                }
                x as i64
            }
        };
        out.push(label);
    }
    Ok(out)
}

fn first_nan(data: &VoxelData) -> Option<usize> {
    match data {
        VoxelData::F32(d) => d.iter().position(|x| x.is_nan()),
        VoxelData::F64(d) => d.iter().position(|x| x.is_nan()),
        _ => None,
    }
}

fn map_values(
    data: &VoxelData,
    int: impl Fn(i128) -> bool,
    float: impl Fn(f64) -> bool,
) -> Vec<bool> {
    match data {
        VoxelData::Bool(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::U8(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::I8(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::U16(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::I16(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::U32(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::I32(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::I64(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::U64(d) => d.iter().map(|&x| int(x as i128)).collect(),
        VoxelData::F32(d) => d.iter().map(|&x| float(x as f64)).collect(),
        VoxelData::F64(d) => d.iter().map(|&x| float(x)).collect(),
    }
}

fn label_range_hint(data: &VoxelData) -> String {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..data.len() {
        if let Some(x) = data.get_f64(i) {
            lo = lo.min(x);
            hi = hi.max(x);
        }
    }
    if lo.is_finite() {
        format!(" (values range from {lo} to {hi})")
    } else {
        String::new()
    }
}

/// Parses an inline mask written as a bit string such as `0110` (voxel 0 first).
/// Underscores are allowed as separators (`0110_1001`).
pub fn parse_bits(text: &str) -> Result<Vec<bool>> {
    let mut out = Vec::with_capacity(text.len());
    for (i, ch) in text.chars().filter(|&c| c != '_').enumerate() {
        match ch {
            '0' => out.push(false),
            '1' => out.push(true),
            other => {
                return Err(Error::source(
                    format!("inline bits {text:?}"),
                    format!("character {other:?} at position {i} is not 0 or 1"),
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(Error::source(
            format!("inline bits {text:?}"),
            "an inline mask needs at least one voxel",
        ));
    }
    Ok(out)
}

/// True if `text` looks like an inline bit string rather than a file name.
pub fn looks_like_bits(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| matches!(c, '0' | '1' | '_'))
}

/// A mask on at most 64 voxels, voxel i in bit i. The unit of exhaustive
/// enumeration: counts of a pair are three popcounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SmallMask {
    bits: u64,
    len: u32,
}

impl SmallMask {
    /// Largest number of voxels a `SmallMask` holds.
    pub const MAX_LEN: u32 = 64;

    /// A mask from its bit pattern; bits at or above `len` must be zero.
    pub fn new(bits: u64, len: u32) -> Result<SmallMask> {
        if len > Self::MAX_LEN {
            return Err(Error::invalid(format!(
                "a small mask holds at most 64 voxels, asked for {len}"
            )));
        }
        if len < 64 && bits >> len != 0 {
            return Err(Error::invalid(format!(
                "bit pattern {bits:#x} has bits set at or above voxel {len}"
            )));
        }
        Ok(SmallMask { bits, len })
    }

    /// A mask from booleans (at most 64).
    pub fn from_bools(v: &[bool]) -> Result<SmallMask> {
        if v.len() > 64 {
            return Err(Error::invalid(format!(
                "a small mask holds at most 64 voxels, got {}",
                v.len()
            )));
        }
        let bits = v
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, &b)| acc | (b as u64) << i);
        Ok(SmallMask {
            bits,
            len: v.len() as u32,
        })
    }

    /// The bit pattern.
    pub fn bits(&self) -> u64 {
        self.bits
    }

    /// Number of voxels.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True for a mask on zero voxels.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of foreground voxels.
    pub fn count(&self) -> u32 {
        self.bits.count_ones()
    }

    /// Whether voxel `i` is foreground.
    pub fn get(&self, i: u32) -> bool {
        i < self.len && self.bits >> i & 1 == 1
    }
}

impl std::fmt::Display for SmallMask {
    /// Voxel 0 first, the same order [`parse_bits`] reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for i in 0..self.len {
            f.write_str(if self.get(i) { "1" } else { "0" })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(data: VoxelData) -> Volume {
        Volume {
            shape: vec![data.len()],
            data,
        }
    }

    #[test]
    fn nonzero_on_integers_and_binary_floats() {
        let v = vol(VoxelData::I16(vec![0, 3, -1, 0]));
        assert_eq!(
            mask_from_volume(&v, MaskOptions::default(), "x").unwrap(),
            vec![false, true, true, false]
        );
        let v = vol(VoxelData::F32(vec![0.0, 1.0, 1.0]));
        assert_eq!(
            mask_from_volume(&v, MaskOptions::default(), "x").unwrap(),
            vec![false, true, true]
        );
    }

    #[test]
    fn probability_maps_are_not_masks() {
        let v = vol(VoxelData::F64(vec![0.0, 0.37, 1.0]));
        let err = mask_from_volume(&v, MaskOptions::default(), "p.npy")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("p.npy: non-binary value 0.37 at voxel 1"),
            "{err}"
        );
    }

    #[test]
    fn nan_is_refused() {
        let v = vol(VoxelData::F32(vec![0.0, f32::NAN]));
        let err = mask_from_volume(&v, MaskOptions::default(), "m").unwrap_err();
        assert!(err.to_string().contains("voxel 1 is NaN"));
    }

    #[test]
    fn labels_select_and_absent_labels_fail_unless_allowed() {
        let v = vol(VoxelData::U8(vec![0, 37, 38, 37]));
        let opts = MaskOptions {
            rule: Foreground::Label(37),
            allow_absent_label: false,
        };
        assert_eq!(
            mask_from_volume(&v, opts, "a").unwrap(),
            vec![false, true, false, true]
        );
        let opts = MaskOptions {
            rule: Foreground::Label(99),
            allow_absent_label: false,
        };
        let err = mask_from_volume(&v, opts, "a").unwrap_err().to_string();
        assert!(
            err.contains("label 99 does not occur") && err.contains("0 to 38"),
            "{err}"
        );
        let opts = MaskOptions {
            rule: Foreground::Label(99),
            allow_absent_label: true,
        };
        assert_eq!(mask_from_volume(&v, opts, "a").unwrap(), vec![false; 4]);
    }

    #[test]
    fn bit_strings() {
        assert_eq!(parse_bits("0110").unwrap(), vec![false, true, true, false]);
        assert_eq!(parse_bits("01_1").unwrap(), vec![false, true, true]);
        assert!(parse_bits("0120")
            .unwrap_err()
            .to_string()
            .contains("'2' at position 2"));
        assert!(parse_bits("").is_err());
        assert!(looks_like_bits("0101"));
        assert!(!looks_like_bits("mask.png"));
    }

    #[test]
    fn small_masks_round_trip_through_display() {
        let m = SmallMask::from_bools(&parse_bits("10110").unwrap()).unwrap();
        assert_eq!(m.to_string(), "10110");
        assert_eq!(m.count(), 3);
        assert!(SmallMask::new(0b100, 2).is_err());
        assert!(SmallMask::new(1, 65).is_err());
    }

    #[test]
    fn label_maps_reject_fractional_floats() {
        let v = vol(VoxelData::F32(vec![1.0, 2.5]));
        assert!(labels_from_volume(&v, "f").is_err());
        let v = vol(VoxelData::F32(vec![1.0, 2.0]));
        assert_eq!(labels_from_volume(&v, "f").unwrap(), vec![1, 2]);
    }
}
