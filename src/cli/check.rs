//! `diceproof claims` and `diceproof check`: list and run the registered claims.

use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde::Serialize;

use super::bars::Bars;
use super::output::table;
use crate::claims::coq::coq_theorem;
use crate::claims::schema::{ClaimsFile, CoqRef};
use crate::claims::{as_expected, outcome_json, registry, select, Progress};
use crate::error::Result;

/// Arguments of `diceproof claims`.
#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `diceproof check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Claims to check (default: all); see `diceproof claims`.
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// Largest size to check (default: each claim's own default; capped at each
    /// claim's maximum, listed by `diceproof claims`).
    #[arg(long)]
    n: Option<u64>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Hide progress bars.
    #[arg(long)]
    quiet: bool,
}

/// `claims --json`: the registry without running anything.
#[derive(Serialize)]
struct ClaimsListing {
    claims: Vec<ClaimListing>,
}

/// One registered claim in `claims --json`.
#[derive(Serialize)]
struct ClaimListing {
    name: &'static str,
    statement: &'static str,
    expected: &'static str,
    quick_n: u64,
    default_n: u64,
    max_n: u64,
    proof: String,
    coq: Option<CoqRef>,
}

/// Runs `diceproof claims`.
pub fn claims(args: &ClaimsArgs) -> Result<ExitCode> {
    let all = registry();
    if args.json {
        let claims = all
            .iter()
            .map(|c| ClaimListing {
                name: c.name,
                statement: c.statement,
                expected: c.expected.name(),
                quick_n: c.quick_n,
                default_n: c.default_n,
                max_n: c.max_n,
                proof: c.proof(),
                coq: coq_theorem(c.name).map(|t| CoqRef {
                    file: t.file,
                    theorem: t.theorem,
                }),
            })
            .collect();
        let doc = ClaimsListing { claims };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![vec![
        "name".to_string(),
        "expected".to_string(),
        "quick n".to_string(),
        "default n".to_string(),
        "max n".to_string(),
        "proof".to_string(),
        "coq".to_string(),
    ]];
    for c in &all {
        rows.push(vec![
            c.name.to_string(),
            c.expected.name().to_string(),
            c.quick_n.to_string(),
            c.default_n.to_string(),
            c.max_n.to_string(),
            c.proof(),
            coq_cell(c.name),
        ]);
    }
    print!("{}", table(&rows));
    println!();
    for c in &all {
        println!("{}: {}", c.name, c.statement);
    }
    Ok(ExitCode::SUCCESS)
}

/// The machine-checked theorem of a claim (in `proofs/coq/`), or `-`.
fn coq_cell(name: &str) -> String {
    coq_theorem(name).map_or_else(|| "-".to_string(), |t| t.theorem)
}

/// Runs `diceproof check`.
pub fn check(args: &CheckArgs) -> Result<ExitCode> {
    let claims = select(&args.names)?;
    let bars = Bars::new(args.quiet || args.json);
    let mut entries = Vec::new();
    let mut all_ok = true;
    for claim in &claims {
        let n = args.n.unwrap_or(claim.default_n).min(claim.max_n);
        let b = bars.bar(claim.name);
        let start = Instant::now();
        let out = claim.run(n, &Progress::new(&b))?;
        let secs = start.elapsed().as_secs_f64();
        drop(b);
        let ok = as_expected(claim, &out);
        all_ok &= ok;
        if !args.json {
            println!(
                "{}  {}{}  n={}  constant {}  ({:.2} s)",
                claim.name,
                out.status.name(),
                if ok {
                    String::new()
                } else {
                    format!(
                        " (expected {}; CONTRADICTS THE STATEMENT)",
                        claim.expected.name()
                    )
                },
                out.n,
                out.constant
                    .as_ref()
                    .map_or("-".to_string(), ToString::to_string),
                secs
            );
            println!("  statement: {}", claim.statement);
            for p in &out.parts {
                println!("  scope:     {p}");
            }
            if let Some(w) = &out.witness {
                println!("  witness:   {w}");
            }
            for d in &out.details {
                println!("  - {d}");
            }
            println!("  proof:     {}", claim.proof());
            println!(
                "  coq:       {}",
                coq_theorem(claim.name).map_or_else(
                    || "not machine-checked".to_string(),
                    |t| format!("{} {} (kernel-checked)", t.file, t.theorem)
                )
            );
        }
        let entry = outcome_json(claim, &out, n, secs);
        if !args.json {
            println!(
                "  for all n: {}",
                entry
                    .smt
                    .as_ref()
                    .map_or("no machine proof", |s| s.summary.as_str())
            );
            println!();
        }
        entries.push(entry);
    }
    if args.json {
        println!("{}", ClaimsFile { claims: entries }.to_json_string());
    } else {
        let bad = entries.iter().filter(|e| !e.as_expected).count();
        println!(
            "{} claims checked: {} as expected, {} contradicting their statements",
            entries.len(),
            entries.len() - bad,
            bad
        );
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
