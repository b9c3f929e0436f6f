//! Minimal training reproduction (issue 8, claim 11): a small 2D U-Net trained with
//! each loss on the same data and seeds, evaluated per test image with the exact
//! Dice and Jaccard of the library.
//!
//! Behind the cargo feature `training` (burn 0.22.1, flex CPU backend with autodiff).
//!
//! # Pipeline
//!
//! 1. Data from [`crate::data`] (task, crop, split, normalisation documented there):
//!    one train/test split per cross-validation fold (5 by default, every slice a
//!    test slice exactly once; `--split blocks` keeps the old single block split).
//! 2. For every (loss, seed, fold): seed burn's device RNG with the seed (the same
//!    initial network for every fold of a seed), initialise the
//!    U-Net ([`model::UNetConfig`]), train for a fixed number of epochs with Adam
//!    (burn's `AdamConfig` defaults: β = (0.9, 0.999), ε = 1e-5, no weight decay) at a
//!    constant learning rate. Each epoch visits the training slices in a seeded
//!    shuffle ([`crate::data::shuffled`]) in batches of `batch` (last batch smaller),
//!    with seeded augmentation ([`crate::data::augment`]). The shuffle and the
//!    augmentation depend only on (seed, epoch, index), so they need no saved RNG
//!    state.
//! 3. After each epoch: `val_dice` = mean f64 Dice over the test slices whose Dice is
//!    defined (monitoring only, no model selection: the final epoch's model is
//!    evaluated), then a checkpoint.
//! 4. After the last epoch: per test slice, threshold p > 1/2 (logit > 0), count
//!    with [`crate::Counts::from_bools`] and evaluate `dice` and `jaccard` exactly
//!    ([`crate::parse_measure`]) under [`crate::EmptyPolicy::Nan`].
//!
//! # Empty-mask policy of the results
//!
//! * Ground truth and prediction both empty: `"empty": true`, Dice and Jaccard
//!   `null` (0/0, the `nan` policy). Such slices are counted separately and left out
//!   of means.
//! * Ground truth empty, prediction not: Dice = Jaccard = 0 (the formula gives
//!   0/FP), `"empty": false`. The provenance file lists which test slices have an
//!   empty ground truth (`data.test_fg_pixels`).
//!
//! # Checkpoints and resume
//!
//! `OUT/checkpoints/<loss>-seed<k>-fold<f>/` holds `model-<e>.bpk` and `optim-<e>.bpk`
//! (burn's burnpack records of the module and of the Adam state, parameter ids
//! included) and `state.json` (epochs done, the seed, the curves so far, and once
//! finished the per-image results). `state.json` is written atomically after the
//! two records of its epoch, and older records are removed only after it, so an
//! interruption at any point leaves a consistent epoch to resume from.
//! `OUT/run_config.json` fingerprints everything that determines the numbers; a
//! resume with different settings is refused (the loss list and seed count may
//! grow). With `resume`, finished (loss, seed) runs are read back, unfinished ones
//! continue after their last completed epoch; without it an `OUT` holding a run is
//! an error.
//!
//! # Several tasks
//!
//! [`run_tasks`] runs every task of a list into `OUT/<task>/` (each a complete
//! run as above, resumable on its own) and then pools them: `OUT/stats.json` and
//! `OUT/report.md` ([`crate::stats::training::PooledReport`]). `diceproof train`
//! always writes under `OUT/<task>/`.
//!
//! # Outputs
//!
//! `OUT/results.json` (schema in [`write_outputs`]), `OUT/per_image.csv`,
//! `OUT/curves.csv`, `OUT/config.json` (provenance), `OUT/report.md`
//! ([`write_report`]).

pub mod conv;
pub mod leaky;
pub mod loss;
pub mod model;
pub mod norm;
#[cfg(test)]
mod testing;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::data::{self, augment, shuffled, Augment, DataConfig, Dataset, Sample, Task};
use crate::error::{Error, Result};
use crate::exact::{format_q, parse_rational, q_to_f64};
use crate::table::Csv;
use crate::{parse_measure, Counts, EmptyPolicy, Value};

pub use loss::{loss, parse_losses, LossKind, LossOptions, Reduction, Targets};
pub use model::{ConvPath, UNet, UNetConfig};

/// The burn backend that runs the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// burn's flex CPU backend (pure Rust; the default and the only one in a
    /// default build).
    Flex,
    /// burn's LibTorch backend (cargo feature `tch`; libtorch from an installed
    /// PyTorch wheel).
    LibTorch,
}

impl Backend {
    /// The backend's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::LibTorch => "libtorch",
        }
    }

    /// The plain (no autodiff) CPU device of the backend.
    pub fn device(self) -> Device {
        match self {
            Backend::Flex => Device::flex(),
            #[cfg(feature = "tch")]
            #[allow(deprecated)] // burn 0.22 marks burn-tch deprecated; it still works
            Backend::LibTorch => Device::libtorch(),
            #[cfg(not(feature = "tch"))]
            Backend::LibTorch => {
                unreachable!("Backend::LibTorch is refused by from_str without the tch feature")
            }
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = Error;
    fn from_str(s: &str) -> Result<Backend> {
        match s.trim() {
            "flex" => Ok(Backend::Flex),
            "libtorch" if cfg!(feature = "tch") => Ok(Backend::LibTorch),
            "libtorch" => Err(Error::invalid(
                "--backend libtorch needs a build with `--features tch` (libtorch from an installed \
                 PyTorch 2.9.0: LIBTORCH_USE_PYTORCH=1 cargo build --release --features tch)",
            )),
            other => Err(Error::invalid(format!(
                "unknown backend {other:?}; valid backends are: flex, libtorch (with --features tch)"
            ))),
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that defines a training comparison.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    /// Data set.
    pub data: DataConfig,
    /// Losses to compare.
    pub losses: Vec<LossKind>,
    /// Epochs per run.
    pub epochs: usize,
    /// Number of seeds (runs use seeds 0..seeds).
    pub seeds: u64,
    /// Batch size.
    pub batch: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Worker threads (rayon global pool; set once per process).
    pub threads: usize,
    /// Loss options (smoothing, reduction).
    pub loss_opts: LossOptions,
    /// Network.
    pub model: UNetConfig,
    /// burn backend.
    pub backend: Backend,
    /// Augmentation.
    pub augment: Augment,
    /// Output directory.
    pub out: PathBuf,
    /// Continue a previous run in `out`.
    pub resume: bool,
}

/// Default epochs of the MRI tasks, chosen so that the default comparison (4
/// tasks × 5 losses × 5 folds × 1 seed = 100 runs) fits in 45 minutes on 2 cores;
/// the README gives the measured time.
pub const DEFAULT_EPOCHS: usize = 30;
/// Default number of seeds (the folds already give every slice one test; more
/// seeds average out initialisation noise per slice).
pub const DEFAULT_SEEDS: u64 = 1;

impl TrainConfig {
    /// The defaults for a task, writing to `out`.
    pub fn new(task: Task, out: impl Into<PathBuf>) -> TrainConfig {
        TrainConfig {
            data: DataConfig::new(task),
            losses: LossKind::ALL.iter().map(|&(_, k)| k).collect(),
            epochs: DEFAULT_EPOCHS,
            seeds: DEFAULT_SEEDS,
            batch: 4,
            lr: 1e-3,
            threads: 2,
            loss_opts: LossOptions::default(),
            // LossOptions::default() reduces per batch; see crate::train::loss.
            model: UNetConfig::default(),
            backend: Backend::Flex,
            // Off by default. With flips and zero-padded shifts of up to 3 pixels
            // two hippocampus soft-Dice runs (seed 0, lr 1e-3 and 3e-4) collapsed
            // to an all-background output after 10-30 epochs, and without
            // augmentation seed 0 did not; but seed 1 of the default run collapsed
            // without augmentation too (epoch 9), so the collapse is a property of
            // soft Dice on sigmoid outputs here, not of the augmentation.
            augment: Augment::NONE,
            out: out.into(),
            resume: false,
        }
    }

    /// Checks every setting, with errors naming the option.
    pub fn validate(&self) -> Result<()> {
        if self.losses.is_empty() {
            return Err(Error::invalid("--losses needs at least one loss"));
        }
        if self.epochs == 0 {
            return Err(Error::invalid("--epochs must be at least 1"));
        }
        if self.seeds == 0 {
            return Err(Error::invalid("--seeds must be at least 1"));
        }
        if self.batch == 0 {
            return Err(Error::invalid("--batch must be at least 1"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::invalid("--lr must be a positive number"));
        }
        if self.threads == 0 {
            return Err(Error::invalid("--threads must be at least 1"));
        }
        if !(self.loss_opts.eps.is_finite() && self.loss_opts.eps >= 0.0) {
            return Err(Error::invalid("--eps must be a number >= 0"));
        }
        if self.model.conv == ConvPath::Gemm && self.backend != Backend::Flex {
            return Err(Error::invalid(format!(
                "--conv gemm runs on the flex backend only, got --backend {}; use --conv flex or im2col with it",
                self.backend
            )));
        }
        self.model.validate()
    }

    /// Everything that determines the numbers of one (loss, seed) run.
    pub fn fingerprint(&self) -> Json {
        let d = &self.data;
        let mut fp = json!({
            "task": d.task.name(),
            "template_dir": d.template_dir.display().to_string(),
            "scale": d.scale,
            "margin": d.margin,
            "z_stride": d.stride(),
            "split": d.split.fingerprint(),
            "synthetic": if d.task == Task::Synthetic {
                json!({
                    "images": d.synthetic.images, "size": d.synthetic.size,
                    "radius": [d.synthetic.radius.0, d.synthetic.radius.1],
                    "max_blobs": d.synthetic.max_blobs,
                    "empty_fraction": d.synthetic.empty_fraction,
                    "noise": d.synthetic.noise, "data_seed": d.data_seed,
                })
            } else { Json::Null },
            "epochs": self.epochs,
            "batch": self.batch,
            "lr": self.lr,
            "eps": self.loss_opts.eps,
            "reduction": self.loss_opts.reduction.name(),
            "unet_levels": self.model.levels,
            "unet_base": self.model.base,
            "unet_norm": self.model.norm,
            "unet_im2col": self.model.conv == ConvPath::Im2col,
            "backend": self.backend.name(),
            "augment_flip": self.augment.flip,
            "augment_shift": self.augment.shift,
        });
        // Only the gemm path adds a key, so that run directories written before
        // `--conv` existed (flex or im2col) still resume.
        if self.model.conv == ConvPath::Gemm {
            fp["unet_conv"] = json!(self.model.conv.name());
        }
        fp
    }
}

/// The records of `results.json` (and of the run state), defined once in
/// [`crate::schema::results`].
pub use crate::schema::results::{CurvePoint, ImageResult, TrainingResults};

#[derive(Clone, Debug, Serialize, Deserialize)]
struct RunState {
    loss: String,
    seed: u64,
    fold: u64,
    epochs_done: usize,
    finished: bool,
    wall_seconds: f64,
    curves: Vec<CurvePoint>,
    per_image: Vec<ImageResult>,
}

/// Progress events of [`run`]; every method has an empty default.
pub trait Observer {
    /// A (loss, seed, fold) run starts (or resumes after `done` epochs).
    fn run_start(
        &mut self,
        _loss: LossKind,
        _seed: u64,
        _fold: usize,
        _epochs: usize,
        _done: usize,
    ) {
    }
    /// An epoch finished.
    fn epoch_done(&mut self, _point: &CurvePoint) {}
    /// A run finished; `reused` when it was read back from a finished checkpoint.
    fn run_done(&mut self, _loss: LossKind, _seed: u64, _fold: usize, _reused: bool) {}
    /// The data set is loaded and split (one [`Dataset`] per fold).
    fn data_loaded(&mut self, _folds: &[Dataset]) {}
}

/// An [`Observer`] that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// What [`run`] produced.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// Output directory.
    pub out: PathBuf,
    /// Per-image results of every run, in (loss, seed, slice) order (each slice
    /// from the fold that tested it).
    pub per_image: Vec<ImageResult>,
    /// Curves of every run.
    pub curves: Vec<CurvePoint>,
    /// Wall time of this invocation, seconds.
    pub wall_seconds: f64,
    /// Runs read back from finished checkpoints.
    pub reused_runs: usize,
    /// Epochs trained in this invocation.
    pub trained_epochs: usize,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::input(path, e.to_string())
}

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, text).map_err(|e| io_err(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io_err(path, e))
}

/// Sets the size of rayon's global pool (burn flex and gemm run on it). Only the
/// first call in a process takes effect; returns the pool size in effect.
pub fn set_threads(threads: usize) -> usize {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
    rayon::current_num_threads()
}

/// Per-fold keys of a [`Dataset::layout`]; the rest is common to every fold.
const FOLD_KEYS: [&str; 8] = [
    "fold",
    "norm_mean",
    "norm_std",
    "train_slices",
    "test_slices",
    "gap_slices",
    "test_fg_pixels",
    "train_fg_pixels",
];

/// The data provenance of a run: the fields shared by every fold, plus `folds`
/// with each fold's split and normalisation.
fn data_provenance(folds: &[Dataset]) -> Json {
    let mut common = folds
        .first()
        .map(|d| d.layout.clone())
        .unwrap_or(Json::Null);
    if let Some(obj) = common.as_object_mut() {
        for k in FOLD_KEYS {
            obj.remove(k);
        }
        let per: Vec<Json> = folds
            .iter()
            .map(|d| {
                let mut m = serde_json::Map::new();
                for k in FOLD_KEYS {
                    if let Some(v) = d.layout.get(k) {
                        m.insert(k.to_string(), v.clone());
                    }
                }
                Json::Object(m)
            })
            .collect();
        obj.insert("folds".into(), Json::Array(per));
    }
    common
}

/// Runs the whole comparison of one task: every loss × seed × fold, then writes
/// the outputs.
pub fn run(cfg: &TrainConfig, obs: &mut dyn Observer) -> Result<RunSummary> {
    cfg.validate()?;
    let start = Instant::now();
    let threads = set_threads(cfg.threads);
    let folds = data::load(&cfg.data)?;
    let div = 1usize << (cfg.model.levels - 1);
    for ds in &folds {
        if ds.h % div != 0 || ds.w % div != 0 {
            return Err(Error::invalid(format!(
                "image size {}×{} is not divisible by {div} ({} U-Net levels)",
                ds.h, ds.w, cfg.model.levels
            )));
        }
    }
    obs.data_loaded(&folds);
    prepare_out(cfg)?;
    let mut per_image = Vec::new();
    let mut curves = Vec::new();
    let mut reused = 0;
    let mut trained = 0;
    let mut run_seconds = Vec::new();
    for &kind in &cfg.losses {
        for seed in 0..cfg.seeds {
            let mut mine = Vec::new();
            for ds in &folds {
                let (state, was_reused, epochs) = run_one(cfg, ds, kind, seed, obs)?;
                reused += was_reused as usize;
                trained += epochs;
                run_seconds.push(json!({"loss": kind.name(), "seed": seed, "fold": ds.fold,
                    "wall_seconds": state.wall_seconds}));
                mine.extend(state.per_image);
                curves.extend(state.curves);
            }
            mine.sort_by_key(|r| r.slice);
            per_image.extend(mine);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let summary = RunSummary {
        out: cfg.out.clone(),
        per_image,
        curves,
        wall_seconds: wall,
        reused_runs: reused,
        trained_epochs: trained,
    };
    let task = cfg.data.task;
    let provenance = json!({
        "task": task.name(),
        "losses": cfg.losses.iter().map(|k| k.name()).collect::<Vec<_>>(),
        "epochs": cfg.epochs,
        "seeds": (0..cfg.seeds).collect::<Vec<_>>(),
        "folds": folds.len(),
        "batch": cfg.batch,
        "optimizer": "Adam (burn AdamConfig defaults: beta1 0.9, beta2 0.999, epsilon 1e-5, no weight decay), constant learning rate",
        "lr": cfg.lr,
        "eps": cfg.loss_opts.eps,
        "reduction": cfg.loss_opts.reduction.name(),
        "wce_weights": "per group (image or batch): foreground w = N_bg/N, background 1-w = N_fg/N; w = 1/2 when a class is absent",
        "model": {
            "architecture": "2D U-Net, two 3x3 conv + leaky ReLU (0.01) per level, max-pool 2, nearest upsample 2, skip concat, 1x1 head, sigmoid output",
            "levels": cfg.model.levels,
            "base_channels": cfg.model.base,
            "group_norm": cfg.model.norm,
            "conv_path": match cfg.model.conv {
                ConvPath::Flex => "burn Conv2d (flex im2col + gemm kernel)",
                ConvPath::Im2col => "im2col + matmul from tensor ops",
                ConvPath::Gemm => "custom 3x3 op: im2col + gemm forward, hand-written gemm backward",
            },
            "parameters": count_params(cfg.model),
        },
        "augment": {"flip_lr": cfg.augment.flip, "max_shift": cfg.augment.shift},
        "threshold": "p > 1/2 (logit > 0)",
        "empty_policy": "both empty: empty=true, dice/jaccard null; ground truth empty and prediction not: 0",
        "data": data_provenance(&folds),
        "threads_requested": cfg.threads,
        "threads": threads,
        "wall_seconds": wall,
        "run_wall_seconds": run_seconds,
        "reused_runs": reused,
        "trained_epochs_this_invocation": trained,
        "versions": {
            "diceproof": env!("CARGO_PKG_VERSION"),
            "burn": "0.22.1",
            "backend": format!("burn {} (CPU) + autodiff", cfg.backend.name()),
        },
    });
    write_outputs(&cfg.out, task, &summary, &provenance)?;
    write_report(&cfg.out)?;
    Ok(summary)
}

/// What [`run_tasks`] produced: one summary per task and the pooled statistics.
#[derive(Clone, Debug)]
pub struct TasksSummary {
    /// Per task, in the order run.
    pub tasks: Vec<(Task, RunSummary)>,
    /// Wall time of this invocation, seconds.
    pub wall_seconds: f64,
}

/// Runs [`run`] for every task in `tasks` (each writing to `out/<task>/`, with
/// the settings of `cfg` apart from the task), then writes the pooled statistics
/// over the tasks to `out/stats.json` and `out/report.md`
/// ([`crate::stats::training::PooledReport`]).
pub fn run_tasks(
    cfg: &TrainConfig,
    tasks: &[Task],
    out: &Path,
    obs: &mut dyn Observer,
) -> Result<TasksSummary> {
    if tasks.is_empty() {
        return Err(Error::invalid("--task needs at least one task"));
    }
    let start = Instant::now();
    let mut done = Vec::new();
    for &t in tasks {
        let mut c = cfg.clone();
        c.data.task = t;
        c.out = out.join(t.name());
        done.push((t, run(&c, obs)?));
    }
    let files: Vec<PathBuf> = done
        .iter()
        .map(|(_, s)| s.out.join("results.json"))
        .collect();
    crate::stats::training::write_pooled(&files, out)?;
    Ok(TasksSummary {
        tasks: done,
        wall_seconds: start.elapsed().as_secs_f64(),
    })
}

fn count_params(m: UNetConfig) -> usize {
    m.init(&Device::flex()).num_params()
}

fn prepare_out(cfg: &TrainConfig) -> Result<()> {
    let out = &cfg.out;
    fs::create_dir_all(out.join("checkpoints")).map_err(|e| io_err(out, e))?;
    let fp_path = out.join("run_config.json");
    let fp = cfg.fingerprint();
    if fp_path.exists() {
        if !cfg.resume {
            return Err(Error::invalid(format!(
                "{} already holds a training run; pass --resume to continue it or choose another --out",
                out.display()
            )));
        }
        let text = fs::read_to_string(&fp_path).map_err(|e| io_err(&fp_path, e))?;
        let old: Json = serde_json::from_str(&text).map_err(|e| io_err(&fp_path, e))?;
        if old != fp {
            let diff: Vec<String> = fp
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| old.get(k.as_str()) != Some(v))
                .map(|(k, v)| {
                    format!(
                        "{k}: was {}, now {v}",
                        old.get(k.as_str()).unwrap_or(&Json::Null)
                    )
                })
                .collect();
            return Err(Error::invalid(format!(
                "cannot resume {}: settings differ from the run there ({})",
                out.display(),
                diff.join("; ")
            )));
        }
    } else {
        let text = serde_json::to_string_pretty(&fp).expect("json");
        write_atomic(&fp_path, &text)?;
    }
    Ok(())
}

fn run_dir(out: &Path, kind: LossKind, seed: u64, fold: usize) -> PathBuf {
    out.join("checkpoints")
        .join(format!("{}-seed{seed}-fold{fold}", kind.name()))
}

fn read_state(dir: &Path) -> Result<Option<RunState>> {
    let p = dir.join("state.json");
    if !p.exists() {
        return Ok(None);
    }
    let text = fs::read_to_string(&p).map_err(|e| io_err(&p, e))?;
    let mut st: RunState = serde_json::from_str(&text)
        .map_err(|e| io_err(&p, format!("unreadable checkpoint state: {e}")))?;
    // serde_json's default float parser may miss the last bit: recompute the f64
    // values from the exact ones so a resumed run writes the same numbers.
    for r in &mut st.per_image {
        let to_f64 = |v: &Option<String>| -> Result<Option<f64>> {
            v.as_deref()
                .map(|t| parse_rational(t).map(|q| q_to_f64(&q)))
                .transpose()
        };
        r.dice_f64 = to_f64(&r.dice)?;
        r.jaccard_f64 = to_f64(&r.jaccard)?;
    }
    Ok(Some(st))
}

/// Stacks samples into an image tensor `[b, 1, h, w]` and targets.
fn batch_tensors(samples: &[Sample], h: usize, w: usize, device: &Device) -> (Tensor<4>, Targets) {
    let b = samples.len();
    let mut img = Vec::with_capacity(b * h * w);
    let mut lab = Vec::with_capacity(b * h * w);
    for s in samples {
        img.extend_from_slice(&s.image);
        lab.extend_from_slice(&s.mask);
    }
    let x = Tensor::<4>::from_data(TensorData::new(img, [b, 1, h, w]), device);
    (x, Targets::new(lab, b, h, w, device))
}

/// One optimisation step: forward, loss, backward, Adam. Returns the updated model
/// and the loss value. Public for the benchmark.
pub fn train_step(
    model: UNet,
    optim: &mut burn::optim::ModuleOptimizer,
    x: Tensor<4>,
    t: &Targets,
    kind: LossKind,
    opts: LossOptions,
    lr: f64,
) -> (UNet, f64) {
    let logits = model.forward(x);
    let l = loss(kind, logits, t, opts);
    let value = l.clone().into_scalar::<f32>() as f64;
    let grads = GradientsParams::from_grads(l.backward(), &model);
    (optim.step(lr, model, grads), value)
}

/// Predicted masks (logit > 0) of `samples`, computed without autodiff.
pub fn predict(model: &UNet, samples: &[Sample], h: usize, w: usize) -> Vec<Vec<bool>> {
    let m = model.valid();
    let device = m.devices().into_iter().next().unwrap_or_else(Device::flex);
    let mut out = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(16) {
        let (x, _) = batch_tensors(chunk, h, w, &device);
        let z: Vec<f32> = m
            .forward(x)
            .into_data()
            .try_to_vec::<f32>()
            .expect("logits readable as f32");
        for i in 0..chunk.len() {
            out.push(
                z[i * h * w..(i + 1) * h * w]
                    .iter()
                    .map(|&v| v > 0.0)
                    .collect(),
            );
        }
    }
    out
}

/// Exact Dice and Jaccard of each test slice (see the module's empty-mask policy).
pub fn evaluate(
    kind: &str,
    seed: u64,
    fold: usize,
    samples: &[Sample],
    preds: &[Vec<bool>],
) -> Result<Vec<ImageResult>> {
    let dice = parse_measure("dice")?;
    let jac = parse_measure("jaccard")?;
    samples
        .iter()
        .zip(preds)
        .map(|(s, p)| {
            let c = Counts::from_bools(&s.mask, p)?;
            let d = dice.similarity(&c, EmptyPolicy::Nan)?;
            let j = jac.similarity(&c, EmptyPolicy::Nan)?;
            let (dq, jq) = match (d, j) {
                (Value::Exact(d), Value::Exact(j)) => (Some(d), Some(j)),
                _ => (None, None),
            };
            Ok(ImageResult {
                loss: kind.to_string(),
                seed,
                fold: fold as u64,
                slice: s.slice as u64,
                empty: dq.is_none(),
                dice: dq.as_ref().map(format_q),
                jaccard: jq.as_ref().map(format_q),
                dice_f64: dq.as_ref().map(q_to_f64),
                jaccard_f64: jq.as_ref().map(q_to_f64),
            })
        })
        .collect()
}

fn mean_dice(r: &[ImageResult]) -> f64 {
    let v: Vec<f64> = r.iter().filter_map(|x| x.dice_f64).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn run_one(
    cfg: &TrainConfig,
    ds: &Dataset,
    kind: LossKind,
    seed: u64,
    obs: &mut dyn Observer,
) -> Result<(RunState, bool, usize)> {
    let fold = ds.fold;
    let dir = run_dir(&cfg.out, kind, seed, fold);
    fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
    let prior = read_state(&dir)?;
    if let Some(st) = &prior {
        if st.finished {
            obs.run_start(kind, seed, fold, cfg.epochs, st.epochs_done);
            obs.run_done(kind, seed, fold, true);
            return Ok((st.clone(), true, 0));
        }
    }
    let plain = cfg.backend.device();
    let device = plain.clone().autodiff();
    device.seed(seed);
    let mut model = cfg.model.init(&device);
    let mut optim = AdamConfig::new().init();
    let mut state = RunState {
        loss: kind.name().to_string(),
        seed,
        fold: fold as u64,
        epochs_done: 0,
        finished: false,
        wall_seconds: 0.0,
        curves: Vec::new(),
        per_image: Vec::new(),
    };
    if let Some(st) = prior {
        if st.epochs_done > 0 {
            let mp = dir.join(format!("model-{}.bpk", st.epochs_done));
            let op = dir.join(format!("optim-{}.bpk", st.epochs_done));
            model = model
                .try_load_file(&mp)
                .map_err(|e| io_err(&mp, format!("cannot load checkpoint: {e}")))?;
            optim = optim
                .load(&op)
                .map_err(|e| io_err(&op, format!("cannot load optimiser state: {e}")))?;
        }
        state = st;
    }
    obs.run_start(kind, seed, fold, cfg.epochs, state.epochs_done);
    let (h, w) = (ds.h, ds.w);
    let start = Instant::now();
    let before = state.wall_seconds;
    let first = state.epochs_done + 1;
    for epoch in first..=cfg.epochs {
        let order = shuffled(ds.train.len(), seed, epoch);
        let mut total = 0.0;
        let mut batches = 0usize;
        for idx in order.chunks(cfg.batch) {
            let samples: Vec<Sample> = idx
                .iter()
                .map(|&i| augment(&ds.train[i], h, w, cfg.augment, seed, epoch, i))
                .collect();
            let (x, t) = batch_tensors(&samples, h, w, &device);
            let (m, v) = train_step(model, &mut optim, x, &t, kind, cfg.loss_opts, cfg.lr);
            model = m;
            total += v;
            batches += 1;
        }
        let preds = predict(&model, &ds.test, h, w);
        let val = evaluate(kind.name(), seed, fold, &ds.test, &preds)?;
        let point = CurvePoint {
            loss: kind.name().to_string(),
            seed,
            fold: fold as u64,
            epoch,
            train_loss: total / batches as f64,
            val_dice: Some(mean_dice(&val)).filter(|v| v.is_finite()),
        };
        obs.epoch_done(&point);
        state.curves.push(point);
        state.epochs_done = epoch;
        state.wall_seconds = before + start.elapsed().as_secs_f64();
        if epoch == cfg.epochs {
            state.finished = true;
            state.per_image = val;
        }
        let mp = dir.join(format!("model-{epoch}.bpk"));
        let op = dir.join(format!("optim-{epoch}.bpk"));
        model
            .clone()
            .save_file(&mp)
            .map_err(|e| io_err(&mp, format!("cannot save checkpoint: {e}")))?;
        optim
            .save(&op)
            .map_err(|e| io_err(&op, format!("cannot save optimiser state: {e}")))?;
        let text = serde_json::to_string(&state).expect("json");
        write_atomic(&dir.join("state.json"), &text)?;
        if epoch > 1 {
            let _ = fs::remove_file(dir.join(format!("model-{}.bpk", epoch - 1)));
            let _ = fs::remove_file(dir.join(format!("optim-{}.bpk", epoch - 1)));
        }
    }
    obs.run_done(kind, seed, fold, false);
    let trained = cfg.epochs + 1 - first;
    Ok((state, false, trained))
}

/// Writes `results.json`, `per_image.csv`, `curves.csv` and `config.json`.
///
/// `results.json`:
/// `{"task": "hippocampus", "per_image": [{"loss": "ce", "seed": 0, "slice": 57,
/// "empty": false, "dice": "p/q", "jaccard": "p/q", "dice_f64": 0.81,
/// "jaccard_f64": 0.68}, …], "curves": [{"loss": "ce", "seed": 0, "epoch": 1,
/// "train_loss": 0.53, "val_dice": 0.41}, …]}`. Exact values are the crate's
/// `p/q` strings (an integer is written without `/1`, e.g. `"0"`, `"1"`); they are
/// `null` (and so are the f64 values) when `empty` is true. A non-finite `val_dice`
/// (no test slice with a defined Dice) is written as `null`.
pub fn write_outputs(out: &Path, task: Task, s: &RunSummary, provenance: &Json) -> Result<()> {
    let results = TrainingResults {
        task: task.name().to_string(),
        per_image: s.per_image.clone(),
        curves: s.curves.clone(),
    };
    write_atomic(&out.join("results.json"), &results.to_json_string())?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let optf = |v: Option<f64>| v.map(|x| format!("{x}")).unwrap_or_default();
    let mut csv = Csv::new(&[
        "loss",
        "seed",
        "fold",
        "slice",
        "empty",
        "dice",
        "jaccard",
        "dice_f64",
        "jaccard_f64",
    ]);
    for r in &s.per_image {
        csv.row(&[
            r.loss.clone(),
            r.seed.to_string(),
            r.fold.to_string(),
            r.slice.to_string(),
            r.empty.to_string(),
            opt(&r.dice),
            opt(&r.jaccard),
            optf(r.dice_f64),
            optf(r.jaccard_f64),
        ]);
    }
    write_atomic(&out.join("per_image.csv"), &csv.finish())?;
    let mut csv = Csv::new(&["loss", "seed", "fold", "epoch", "train_loss", "val_dice"]);
    for c in &s.curves {
        csv.row(&[
            c.loss.clone(),
            c.seed.to_string(),
            c.fold.to_string(),
            c.epoch.to_string(),
            c.train_loss.to_string(),
            c.val_dice.unwrap_or(f64::NAN).to_string(),
        ]);
    }
    let csv = csv.finish();
    write_atomic(&out.join("curves.csv"), &csv)?;
    write_atomic(
        &out.join("config.json"),
        &serde_json::to_string_pretty(provenance).expect("json"),
    )
}

/// Per-loss summary rows of a `results.json`: (loss, images with a defined Dice,
/// both-empty images, mean Dice, median Dice, mean Jaccard, median Jaccard), in
/// order of first appearance. Means and medians pool images over seeds.
pub fn summary_table(results: &TrainingResults) -> Vec<(String, usize, usize, f64, f64, f64, f64)> {
    let mut order: Vec<&str> = Vec::new();
    for r in &results.per_image {
        if !order.contains(&r.loss.as_str()) {
            order.push(&r.loss);
        }
    }
    let stat = |mut v: Vec<f64>| -> (f64, f64) {
        if v.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let k = v.len();
        let med = if k % 2 == 1 {
            v[k / 2]
        } else {
            (v[k / 2 - 1] + v[k / 2]) / 2.0
        };
        (mean, med)
    };
    order
        .into_iter()
        .map(|l| {
            let mine: Vec<&ImageResult> =
                results.per_image.iter().filter(|r| r.loss == l).collect();
            let d: Vec<f64> = mine.iter().filter_map(|r| r.dice_f64).collect();
            let j: Vec<f64> = mine.iter().filter_map(|r| r.jaccard_f64).collect();
            let empty = mine.iter().filter(|r| r.empty).count();
            let n = d.len();
            let (dm, dmed) = stat(d);
            let (jm, jmed) = stat(j);
            (l.to_string(), n, empty, dm, dmed, jm, jmed)
        })
        .collect()
}

/// Writes `OUT/report.md` from `OUT/results.json`.
///
/// INTEGRATION POINT (main branch): the statistics branch provides
/// `crate::stats::training::report_from_file(path)` (paired Wilcoxon signed-rank
/// tests with Holm correction, Markdown section). After merging, append its output
/// here (or replace the body). For now this writes the mean/median table only.
pub fn write_report(out: &Path) -> Result<PathBuf> {
    let rp = out.join("results.json");
    let results = TrainingResults::read(&rp)?;
    let mut md = format!(
        "## Training reproduction: {}\n\nPer test image, threshold p > 1/2; images pooled over seeds; \
         both-empty images excluded from means and counted separately.\n\n\
         | loss | images | both empty | mean Dice | median Dice | mean Jaccard | median Jaccard |\n\
         |---|---|---|---|---|---|---|\n",
        results.task
    );
    for (l, n, e, dm, dmed, jm, jmed) in summary_table(&results) {
        md.push_str(&format!(
            "| {l} | {n} | {e} | {dm:.4} | {dmed:.4} | {jm:.4} | {jmed:.4} |\n"
        ));
    }
    // Paired Wilcoxon tests with Holm correction and the plain-words verdicts.
    let stats = crate::stats::training::report_from_file(&rp)?;
    md.push('\n');
    md.push_str(&stats.to_markdown());
    write_atomic(&out.join("stats.json"), &stats.to_json()?)?;
    let figures = crate::plots::render_training(&rp, &out.join("figures"))?;
    md.push_str("\n### Figures\n\n");
    for f in &figures {
        if let Some(png) = f
            .files
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "png"))
            .and_then(|p| p.file_name())
        {
            md.push_str(&format!(
                "![{}](figures/{})\n\n{}\n\n",
                f.name,
                png.to_string_lossy(),
                f.caption
            ));
        }
    }
    let path = out.join("report.md");
    write_atomic(&path, &md)?;
    Ok(path)
}
