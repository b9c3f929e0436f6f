//! `diceproof reproduce`: the main job. Runs every registered claim at a size
//! preset, draws every figure, optionally trains on real MRI, and writes
//! `DIR/report.md`, `DIR/claims.json` and `DIR/figures/`.
//!
//! Claims are checked one after another (each check is itself parallel); after
//! each one the finished entries are saved to `DIR/claims.partial.json`, so
//! `--resume` after an interruption skips the claims already done at the same
//! size. Exit code 0 when every claim has its expected outcome, 1 otherwise.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::bars::Bars;
use crate::claims::schema::{ClaimEntry, ClaimsFile};
use crate::claims::{as_expected, outcome_json, registry, Claim, Progress};
use crate::error::{Error, Result};
use crate::plots::{self, Size};
use crate::report::{self, write_atomic, Header};
use clap::Args;

/// Arguments of `diceproof reproduce`.
#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR", default_value = "reproduce-out")]
    out: PathBuf,
    /// Small sizes: every claim at its quick size and quick figures (about 15 s).
    #[arg(long, conflicts_with = "full")]
    quick: bool,
    /// Each claim at its maximum size and large figures (several minutes).
    #[arg(long)]
    full: bool,
    /// Also train on real MRI (needs a build with `--features training`; minutes).
    #[arg(long)]
    with_training: bool,
    /// Include an existing training results.json instead of training.
    #[arg(long, value_name = "FILE", conflicts_with = "with_training")]
    training_results: Option<PathBuf>,
    /// Reuse the claims finished by an interrupted run at the same sizes.
    #[arg(long)]
    resume: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
}

fn size_of(args: &ReproduceArgs) -> (Size, &'static str) {
    if args.quick {
        (Size::Quick, "quick")
    } else if args.full {
        (Size::Full, "full")
    } else {
        (Size::Default, "default")
    }
}

fn claim_n(claim: &Claim, size: Size) -> u64 {
    match size {
        Size::Quick => claim.quick_n,
        Size::Default => claim.default_n,
        Size::Full => claim.max_n,
    }
}

/// The entries an interrupted run saved; none when it saved nothing. A file that
/// exists but does not parse is an error naming the field (resuming from a
/// misread file would report results nobody checked).
fn load_partial(path: &Path) -> Result<Vec<ClaimEntry>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    Ok(ClaimsFile::read(path)?.claims)
}

/// Runs `diceproof reproduce`.
pub fn run(args: &ReproduceArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let (size, size_name) = size_of(args);
    let figures_dir = args.out.join("figures");
    std::fs::create_dir_all(&figures_dir)
        .map_err(|e| Error::input(&figures_dir, format!("cannot create: {e}")))?;
    let training_results = training_input(args)?;
    let partial_path = args.out.join("claims.partial.json");
    let previous = if args.resume {
        load_partial(&partial_path)?
    } else {
        Vec::new()
    };

    let bars = Bars::new(args.quiet);
    let mut entries: Vec<ClaimEntry> = Vec::new();
    let mut all_ok = true;
    for claim in registry() {
        let n = claim_n(&claim, size).min(claim.max_n);
        if let Some(done) = previous
            .iter()
            .find(|e| e.name == claim.name && e.requested_n == n)
        {
            all_ok &= done.as_expected;
            entries.push(done.clone());
            continue;
        }
        let b = bars.bar(claim.name);
        let t = Instant::now();
        let out = claim.run(n, &Progress::new(&b))?;
        drop(b);
        all_ok &= as_expected(&claim, &out);
        entries.push(outcome_json(&claim, &out, n, t.elapsed().as_secs_f64()));
        let doc = ClaimsFile { claims: entries };
        write_atomic(&partial_path, &doc.to_json_string())?;
        entries = doc.claims;
    }
    let doc = ClaimsFile { claims: entries };
    write_atomic(&args.out.join("claims.json"), &doc.to_json_string())?;
    let entries = doc.claims;

    let figure_bar = bars.bar("figures");
    let mut rendered = plots::render_all(size, &figures_dir, &Progress::new(&figure_bar))?;
    drop(figure_bar);
    let training_md = match &training_results {
        Some(results) => {
            rendered.extend(plots::render_training(results, &figures_dir)?);
            let r = crate::stats::training::report_from_file(results)?;
            Some(r.to_markdown())
        }
        None => None,
    };
    let command = format!(
        "diceproof reproduce{}{}",
        match size {
            Size::Quick => " --quick",
            Size::Full => " --full",
            Size::Default => "",
        },
        if args.with_training {
            " --with-training"
        } else {
            ""
        }
    );
    let md = report::markdown(
        &Header {
            command: &command,
            size: size_name,
            seconds: start.elapsed().as_secs_f64(),
        },
        &entries,
        &rendered,
        "figures",
        training_md.as_deref(),
    );
    write_atomic(&args.out.join("report.md"), &md)?;
    let _ = std::fs::remove_file(&partial_path);
    let bad = entries.iter().filter(|e| !e.as_expected).count();
    println!(
        "{} claims checked: {} as expected, {} contradicting their statements; {} figures",
        entries.len(),
        entries.len() - bad,
        bad,
        rendered.len()
    );
    println!(
        "wrote {}, {} and {}/ in {:.1} s",
        args.out.join("report.md").display(),
        args.out.join("claims.json").display(),
        figures_dir.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The training results to include: an existing file, or a fresh training run
/// (feature `training`), or none.
fn training_input(args: &ReproduceArgs) -> Result<Option<PathBuf>> {
    if let Some(p) = &args.training_results {
        if !p.is_file() {
            return Err(Error::input(p, "no such training results file"));
        }
        return Ok(Some(p.clone()));
    }
    if !args.with_training {
        return Ok(None);
    }
    train_for_report(&args.out.join("training"), args.quiet).map(Some)
}

#[cfg(not(feature = "training"))]
fn train_for_report(_dir: &Path, _quiet: bool) -> Result<PathBuf> {
    Err(Error::invalid(
        "--with-training needs a binary built with `cargo build --release --features training` \
         (or pass --training-results FILE from an earlier `diceproof train`)",
    ))
}

#[cfg(feature = "training")]
fn train_for_report(dir: &Path, quiet: bool) -> Result<PathBuf> {
    super::train::run_default_for_report(dir, quiet)
}
