//! `diceproof plot WHAT --out DIR`: compute a figure (or all of them) from the
//! library and write `NAME.json`, `NAME.csv`, `NAME.svg` and `NAME.png`, or
//! redraw one from saved data with `--from` (training figures: from the training
//! results file).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::bars::Bars;
use crate::error::{Error, Result};
use crate::plots::{self, Rendered, Size};
use crate::progress::Progress;

/// Arguments of `diceproof plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A figure or `all`: dice-jaccard-scatter, dice-jaccard-ratio, whamming-growth,
    /// tversky-alpha, lovasz-soft-jaccard, risk-threshold, and (only with --from a
    /// training results file) training-boxplot, training-curves.
    #[arg(value_name = "WHAT")]
    what: String,
    /// Directory for the files (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Redraw from a saved NAME.json, or draw the training figures from a
    /// training results file, without recomputing.
    #[arg(long, value_name = "FILE.json")]
    from: Option<PathBuf>,
    /// Small sizes (well under a second for all figures).
    #[arg(long, conflicts_with = "full")]
    quick: bool,
    /// Large sizes (about 30 s for all figures on 2 cores).
    #[arg(long)]
    full: bool,
    /// No progress bars.
    #[arg(long)]
    quiet: bool,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// `plot --json`: the size asked for and every figure written.
#[derive(Serialize)]
struct PlotOutput {
    size: &'static str,
    figures: Vec<Rendered>,
}

/// Runs `diceproof plot`.
pub fn run(args: &PlotArgs) -> Result<ExitCode> {
    let size = if args.quick {
        Size::Quick
    } else if args.full {
        Size::Full
    } else {
        Size::Default
    };
    let bar = Bars::new(args.quiet || args.json).bar("figures");
    let progress = Progress::new(&bar);
    let rendered: Vec<Rendered> = match (args.what.as_str(), &args.from) {
        ("all", None) => plots::render_all(size, &args.out, &progress)?,
        ("all", Some(from)) => {
            let text = std::fs::read_to_string(from)
                .map_err(|e| Error::input(from, format!("cannot read: {e}")))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Error::input(from, format!("not valid JSON: {e}")))?;
            match value.get("figure").and_then(|f| f.as_str()) {
                Some(name) => vec![plots::redraw(plots::find(name)?, from, &args.out)?],
                None => plots::render_training(from, &args.out)?,
            }
        }
        (name, None) => vec![plots::render(
            plots::find(name)?,
            size,
            &args.out,
            &progress,
        )?],
        (name, Some(from)) => vec![plots::redraw(plots::find(name)?, from, &args.out)?],
    };
    drop(progress);
    drop(bar);
    if args.json {
        let doc = PlotOutput {
            size: size.name(),
            figures: rendered,
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for r in &rendered {
            println!("{} ({:.2} s): {}", r.name, r.seconds, r.caption);
            for f in &r.files {
                println!("  {}", f.display());
            }
        }
        if args.what == "all" && args.from.is_none() {
            println!(
                "(training-boxplot and training-curves are drawn only with --from results.json)"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    /// The help text lists every figure.
    #[test]
    fn help_names_every_figure() {
        let src = include_str!("plot.rs");
        let help: String = src
            .lines()
            .skip_while(|l| !l.contains("A figure or `all`"))
            .take(3)
            .collect();
        for f in crate::plots::figures() {
            assert!(help.contains(f.name), "{} missing from the help", f.name);
        }
    }
}
