//! The `diceproof` command line: argument parsing and dispatch.
//!
//! Each subcommand is named after what a user does (`measure`, `specs`, and later
//! `compare`, `check`, `search`, `risk`, `plot`, `reproduce`, `train`) and lives in
//! its own file. Commands compute with the library and print either a table for
//! people or, with `--json`, one JSON document for machines; exact numbers are
//! always strings `p/q`. Every error is printed as `error: ...` with exit code 2.

mod bars;
mod check;
mod compare;
mod measure;
mod output;
mod plot;
mod prove;
mod reproduce;
mod risk;
mod search;
mod train;
pub mod values;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Error;

/// Exact arithmetic for how segmentation losses relate to Dice and Jaccard.
#[derive(Debug, Parser)]
#[command(name = "diceproof", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Confusion counts and exact metrics of a ground truth and a prediction
    /// (NIfTI, PNG, NPY files, or inline bit strings such as 0110).
    Measure(measure::MeasureArgs),
    /// Exact inf/sup of candidate/target and sup |candidate − target| over every
    /// configuration on n voxels, with witnesses.
    Compare(compare::CompareArgs),
    /// Combine the outputs of `compare --shard K/N` into the whole run's result.
    Merge(compare::MergeArgs),
    /// Find, verify exactly and shrink counterexamples to "candidate approximates
    /// target within factor K" (or within E), or trace spread growth with --growth.
    Search(search::SearchArgs),
    /// Prove "candidate approximates target" for every image size with SMT solvers
    /// (z3, cvc5), or refute it with a verified counterexample.
    Prove(prove::ProveArgs),
    /// Exact expected Dice/Jaccard of a decision under independent Bernoulli labels,
    /// the optimal top-k decision and the regret (f64 fast path for --probs-file).
    Risk(risk::RiskArgs),
    /// List the registered claims with their statements and proof files.
    Claims(check::ClaimsArgs),
    /// Check claims exactly up to a size: holds, refuted (with a witness) or a constant.
    Check(check::CheckArgs),
    /// List the measure specs diceproof understands.
    Specs(output::SpecsArgs),
    /// Draw a figure (or all) as SVG and PNG with its data as JSON and CSV, computed
    /// from the library or redrawn from saved data with --from.
    Plot(plot::PlotArgs),
    /// The main job: every claim at default sizes, every figure, a report
    /// (DIR/report.md, DIR/claims.json, DIR/figures/); exit 1 if any claim
    /// contradicts its statement.
    Reproduce(reproduce::ReproduceArgs),
    /// Train a small U-Net with each loss on real MRI slices and compare per-image
    /// exact Dice and Jaccard (needs a build with `--features training`).
    Train(train::TrainArgs),
}

/// Runs the CLI with the process arguments and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Measure(args) => measure::run(&args),
        Command::Specs(args) => output::specs(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Merge(args) => compare::merge(&args),
        Command::Claims(args) => check::claims(&args),
        Command::Search(args) => search::run(&args),
        Command::Prove(args) => prove::run(&args),
        Command::Check(args) => check::check(&args),
        Command::Risk(args) => risk::run(&args),
        Command::Plot(args) => plot::run(&args),
        Command::Reproduce(args) => reproduce::run(&args),
        Command::Train(args) => train::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

fn report(err: &Error) -> ExitCode {
    eprintln!("error: {err}");
    ExitCode::from(2)
}
