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

    use clap::Args;
    use indicatif::{ProgressBar, ProgressStyle};

    use crate::data::{Augment, Dataset, Task};
    use crate::error::{Error, Result};
    use crate::train::{
        parse_losses, run as train_run, summary_table, CurvePoint, LossKind, Observer, Reduction,
        TrainConfig, DEFAULT_EPOCHS, DEFAULT_SEEDS,
    };

    /// Arguments of `diceproof train`.
    #[derive(Debug, Args)]
    pub struct TrainArgs {
        /// Task: hippocampus, nuclei, brain (mricron-data MRI) or synthetic.
        #[arg(long, default_value = "hippocampus", value_parser = crate::cli::values::parsed::<Task>)]
        task: Task,
        /// Comma-separated losses: ce, wce, soft-dice, soft-jaccard, lovasz.
        #[arg(long, default_value = "ce,wce,soft-dice,soft-jaccard,lovasz")]
        losses: String,
        /// Epochs per run (default 40 for MRI tasks, 30 for synthetic).
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

    /// Builds the training configuration from the arguments.
    pub fn config(args: &TrainArgs) -> Result<TrainConfig> {
        let task = args.task;
        let mut cfg = TrainConfig::new(task, args.out.clone());
        cfg.losses = parse_losses(&args.losses)?;
        cfg.epochs = args.epochs.unwrap_or(if task == Task::Synthetic {
            30
        } else {
            DEFAULT_EPOCHS
        });
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
        cfg.data.synthetic.images = args.synthetic_images;
        cfg.data.synthetic.size = args.synthetic_size;
        cfg.validate()?;
        Ok(cfg)
    }

    struct Bars {
        bar: ProgressBar,
    }

    impl Observer for Bars {
        fn data_loaded(&mut self, ds: &Dataset) {
            self.bar.println(format!(
                "data: {} {}×{}, {} train / {} test slices",
                ds.task,
                ds.h,
                ds.w,
                ds.train.len(),
                ds.test.len()
            ));
        }
        fn run_start(&mut self, loss: LossKind, seed: u64, _epochs: usize, done: usize) {
            self.bar.inc(done as u64);
            self.bar.set_message(format!("{loss} seed {seed}"));
        }
        fn epoch_done(&mut self, p: &CurvePoint) {
            self.bar.inc(1);
            self.bar.set_message(format!(
                "{} seed {} loss {:.3} val Dice {:.3}",
                p.loss,
                p.seed,
                p.train_loss,
                p.val_dice.unwrap_or(f64::NAN)
            ));
        }
        fn run_done(&mut self, loss: LossKind, seed: u64, reused: bool) {
            if reused {
                self.bar
                    .println(format!("{loss} seed {seed}: finished earlier, reused"));
            }
        }
    }

    /// Runs `diceproof train`.
    pub fn run(args: &TrainArgs) -> Result<ExitCode> {
        let cfg = config(args)?;
        let total = cfg.losses.len() as u64 * cfg.seeds * cfg.epochs as u64;
        let bar = if args.quiet {
            ProgressBar::hidden()
        } else {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template(
                    "{msg:>44} [{bar:30}] {pos}/{len} epochs, {elapsed} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b
        };
        let mut obs = Bars { bar };
        let summary = train_run(&cfg, &mut obs)?;
        obs.bar.finish_and_clear();
        let results_path = summary.out.join("results.json");
        let text = std::fs::read_to_string(&results_path)
            .map_err(|e| Error::input(&results_path, e.to_string()))?;
        let results = crate::schema::results::TrainingResults::from_json_str(
            &text,
            &results_path.display().to_string(),
        )?;
        println!(
            "task {}: {} losses × {} seeds × {} epochs in {:.1} s ({} runs reused)",
            cfg.data.task,
            cfg.losses.len(),
            cfg.seeds,
            cfg.epochs,
            summary.wall_seconds,
            summary.reused_runs
        );
        println!(
            "{:<14} {:>6} {:>6} {:>10} {:>10} {:>10} {:>10}",
            "loss", "images", "empty", "mean Dice", "med Dice", "mean Jacc", "med Jacc"
        );
        for (l, n, e, dm, dmed, jm, jmed) in summary_table(&results) {
            println!("{l:<14} {n:>6} {e:>6} {dm:>10.4} {dmed:>10.4} {jm:>10.4} {jmed:>10.4}");
        }
        let stats = crate::stats::training::report_from_file(&results_path)?;
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
             report.md, figures/}}",
            summary.out.display()
        );
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
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template("{msg:>44} [{bar:30}] {pos}/{len} epochs, eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        };
        let mut obs = Bars { bar };
        let summary = train_run(&cfg, &mut obs)?;
        obs.bar.finish_and_clear();
        Ok(summary.out.join("results.json"))
    }
}
