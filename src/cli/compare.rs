//! `diceproof compare` and `diceproof merge`: exact approximation analysis of a
//! candidate loss against a target loss over every configuration on n voxels.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::bars::Bars;
use super::output::table;
use super::values::{self, Sizes};
use crate::analysis::json::{counts_doc, spread_doc_with};
use crate::analysis::{Extreme, Pair, Spread};
use crate::counts::Counts;
use crate::enumerate::relaxed::{self, Domain, SoftPoint};
use crate::enumerate::voxel_space::first_pair_with;
use crate::enumerate::{self, merge_shards, shard_file, Job, Mode, RunOptions, Shard};
use crate::error::{Error, Result};
use crate::exact::{decimal, format_q};
use crate::measures::{parse_measure, EmptyPolicy};
use crate::progress::Progress;
use crate::schema::spread::{CompareDoc, CountsDoc, SoftCompareDoc};
use crate::surrogates::soft::parse_soft;

/// Arguments of `diceproof compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The loss being approximated (Δ₂), e.g. dice.
    #[arg(long, value_name = "SPEC")]
    target: String,
    /// The loss approximating it (Δ₁), e.g. jaccard or whamming:w=1/2.
    #[arg(long, value_name = "SPEC")]
    candidate: String,
    /// Number of voxels: N, or a range A..=B (one row per size).
    #[arg(long, value_name = "N|A..=B", value_parser = values::sizes)]
    n: Sizes,
    /// Enumerator: counts (every count tuple with its multiplicity) or voxels (every
    /// pair of masks).
    #[arg(long, value_enum, default_value_t = Mode::Counts)]
    mode: Mode,
    /// What a measure's own 0/0 (both masks empty) is worth: one, zero or error.
    #[arg(long, value_name = "POLICY", value_enum, ignore_case = true, default_value_t = EmptyPolicy::One)]
    empty: EmptyPolicy,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Run even if the size estimate is beyond the limit.
    #[arg(long)]
    force: bool,
    /// Save progress to FILE after every chunk and resume from it (single n only).
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Run one of N disjoint slices (single n only); prints the shard JSON that
    /// `diceproof merge` combines.
    #[arg(long, value_name = "K/N", value_parser = values::shard)]
    shard: Option<Shard>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Testing aid: stop after this many chunks, as if interrupted.
    #[arg(long, hide = true)]
    stop_after_chunks: Option<u64>,
    /// Relaxed domain: every prediction p in {0, 1/K, …, 1}ⁿ (soft losses).
    #[arg(long, value_name = "K", conflicts_with = "random")]
    grid: Option<u64>,
    /// Relaxed domain: M seeded random rational points (soft losses).
    #[arg(long, value_name = "M")]
    random: Option<u64>,
    /// Largest denominator of --random rationals.
    #[arg(long, value_name = "D", default_value_t = 12)]
    den: u64,
    /// Seed of --random.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Relaxed domain: labels on the same grid (or random) instead of every 0/1 vector.
    #[arg(long)]
    soft_labels: bool,
}

/// Arguments of `diceproof merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard outputs of `compare --shard K/N` (or their checkpoints).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// A witness, with the masks in voxel mode.
fn witness_doc(c: &Counts, mode: Mode) -> CountsDoc {
    let mut w = counts_doc(c);
    if mode == Mode::Voxels {
        if let Ok((g, p)) = first_pair_with(c) {
            w.gt = Some(g.to_string());
            w.pred = Some(p.to_string());
        }
    }
    w
}

/// The `compare --json` object of one size.
pub fn result_doc(job: &Job, s: &Spread) -> CompareDoc {
    CompareDoc {
        job: job.identity(),
        spread: spread_doc_with(s, |c| witness_doc(c, job.mode)),
    }
}

/// A big count for tables: exact up to 15 digits, then d.ddd·10^k (JSON stays exact).
fn big_short(v: &num_bigint::BigUint) -> String {
    let s = v.to_string();
    if s.len() <= 15 {
        s
    } else {
        format!("{}.{}e{}", &s[..1], &s[1..4], s.len() - 1)
    }
}

fn short(c: &Counts) -> String {
    format!("({},{},{},{})", c.tp, c.fp, c.fn_, c.tn)
}

fn ext<W: crate::analysis::Witness>(
    e: &Option<Extreme<W>>,
    at: impl Fn(&W) -> String,
) -> (String, String) {
    match e {
        Some(e) => {
            let p = format_q(&e.value);
            let d = decimal(&e.value);
            (
                if p == d { p } else { format!("{p} ≈ {d}") },
                at(&e.witness),
            )
        }
        None => ("-".into(), "-".into()),
    }
}

fn print_table(rows: &[(Job, Spread)]) {
    let Some((first, _)) = rows.first() else {
        return;
    };
    println!(
        "candidate {} against target {} ({} mode, empty masks: {})",
        first.pair.candidate.spec(),
        first.pair.target.spec(),
        first.mode.name(),
        first.pair.policy
    );
    println!("ratio = candidate/target; witnesses are (TP,FP,FN,TN)");
    println!();
    let mut t = vec![vec![
        "n".to_string(),
        "configurations".to_string(),
        "skipped 0/0".to_string(),
        "min ratio".to_string(),
        "at".to_string(),
        "max ratio".to_string(),
        "at".to_string(),
        "spread".to_string(),
        "max |gap|".to_string(),
        "at".to_string(),
    ]];
    for (job, s) in rows {
        let (min, min_at) = ext(&s.min_ratio, short);
        let (max, max_at) = match &s.unbounded {
            Some(u) => ("inf".to_string(), short(u)),
            None => ext(&s.max_ratio, short),
        };
        let (gap, gap_at) = ext(&s.max_gap, short);
        let spread = s.spread().map_or("inf".to_string(), |q| format_q(&q));
        t.push(vec![
            job.n.to_string(),
            big_short(&s.configurations),
            big_short(&s.skipped),
            min,
            min_at,
            max,
            max_at,
            spread,
            gap,
            gap_at,
        ]);
    }
    print!("{}", table(&t));
}

/// Prints one object for `--n N` and an array for `--n A..=B`.
fn print_sizes_json<T: Serialize>(n_arg: &str, docs: Vec<T>) {
    let text = if docs.len() == 1 && !n_arg.contains("..") {
        serde_json::to_string_pretty(&docs[0])
    } else {
        serde_json::to_string_pretty(&docs)
    };
    println!("{}", text.unwrap_or_default());
}

/// Whether a spec names a relaxation (soft loss) rather than a count measure.
fn is_soft(spec: &str) -> bool {
    parse_measure(spec).is_err() && parse_soft(spec).is_ok()
}

/// `compare` on the relaxed domain: soft losses on grids or random rationals.
fn run_relaxed(args: &CompareArgs) -> Result<ExitCode> {
    let parse = |spec: &str| {
        parse_soft(spec).map_err(|e| {
            if parse_measure(spec).is_ok() {
                Error::invalid(format!(
                    "{spec} is defined on masks; in the relaxed domain (--grid/--random) use a \
                     relaxation such as soft-dice, soft-jaccard, jml, dml or lovasz:{spec}"
                ))
            } else {
                e
            }
        })
    };
    let (target, candidate) = (parse(&args.target)?, parse(&args.candidate)?);
    let domain = match (args.grid, args.random) {
        (_, Some(m)) => Domain::Random {
            m,
            den: args.den,
            seed: args.seed,
        },
        (Some(k), None) => Domain::Grid { k },
        (None, None) => Domain::Grid { k: 1 },
    };
    let sizes = args.n.sizes.clone();
    for &n in &sizes {
        let points = u32::try_from(n)
            .ok()
            .and_then(|n| relaxed::size(n, domain, args.soft_labels));
        match points {
            Some(p) if p <= 5_000_000 || args.force => {}
            _ => {
                return Err(Error::TooLarge(format!(
                "n = {n} on this domain is {} points; the limit is 5e6 (about a minute of exact \
                     arithmetic). Pass --force, or lower --n or --grid",
                points.map_or("more than 2^128".to_string(), |p| format!(
                    "{p:.3e}",
                    p = p as f64
                ))
            )))
            }
        }
    }
    let mut docs = Vec::new();
    let mut rows = vec![vec![
        "n".to_string(),
        "points".to_string(),
        "min ratio".to_string(),
        "max ratio".to_string(),
        "max |gap|".to_string(),
        "at (max ratio; max gap)".to_string(),
    ]];
    for &n in &sizes {
        let bar = Bars::new(args.quiet || args.json).bar(&format!("n={n}"));
        let s = relaxed::run_with_progress(
            &*target,
            &*candidate,
            n as u32,
            domain,
            args.soft_labels,
            &Progress::new(&bar),
        )?;
        drop(bar);
        let (grid, random, den, seed) = match domain {
            Domain::Grid { k } => (Some(k), None, None, None),
            Domain::Random { m, den, seed } => (None, Some(m), Some(den), Some(seed)),
        };
        let doc = SoftCompareDoc {
            target: target.spec(),
            candidate: candidate.spec(),
            n,
            mode: match domain {
                Domain::Grid { .. } => "grid",
                Domain::Random { .. } => "random",
            }
            .to_string(),
            soft_labels: args.soft_labels,
            grid,
            random,
            den,
            seed,
            spread: spread_doc_with(&s, SoftPoint::to_doc),
        };
        let (min, _) = ext(&s.min_ratio, SoftPoint::short);
        let (max, _) = match &s.unbounded {
            Some(_) => ("inf".to_string(), String::new()),
            None => ext(&s.max_ratio, SoftPoint::short),
        };
        let (gap, _) = ext(&s.max_gap, SoftPoint::short);
        let at =
            |e: &Option<Extreme<SoftPoint>>| e.as_ref().map_or("-".into(), |e| e.witness.short());
        rows.push(vec![
            n.to_string(),
            s.configurations.to_string(),
            min,
            max,
            gap,
            format!(
                "{}; {}",
                s.unbounded
                    .as_ref()
                    .map_or_else(|| at(&s.max_ratio), |u| u.short()),
                at(&s.max_gap)
            ),
        ]);
        docs.push(doc);
    }
    if args.json {
        print_sizes_json(&args.n.text, docs);
    } else {
        println!(
            "candidate {} against target {} on {} ({} labels)",
            candidate.spec(),
            target.spec(),
            match domain {
                Domain::Grid { k } => format!("the grid {{0, 1/{k}, …, 1}}ⁿ"),
                Domain::Random { m, den, seed } =>
                    format!("{m} random points (denominators ≤ {den}, seed {seed})"),
            },
            if args.soft_labels { "soft" } else { "hard" }
        );
        print!("{}", table(&rows));
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `diceproof compare`.
pub fn run(args: &CompareArgs) -> Result<ExitCode> {
    if args.grid.is_some()
        || args.random.is_some()
        || is_soft(&args.target)
        || is_soft(&args.candidate)
    {
        return run_relaxed(args);
    }
    let policy = args.empty;
    let pair = Pair::new(
        parse_measure(&args.target)?,
        parse_measure(&args.candidate)?,
        policy,
    )?;
    let mode = args.mode;
    let sizes = args.n.sizes.clone();
    let shard = args.shard;
    if sizes.len() > 1 && (args.checkpoint.is_some() || shard.is_some()) {
        return Err(Error::invalid(
            "--checkpoint and --shard split one enumeration: give a single --n",
        ));
    }
    let jobs: Vec<Job> = sizes
        .iter()
        .map(|&n| Job {
            pair: pair.clone(),
            n,
            mode,
        })
        .collect();
    // Refuse before doing any work if any size is too large.
    if !args.force {
        for job in &jobs {
            job.check_size(enumerate::DEFAULT_LIMIT_S)?;
        }
    }
    if !args.quiet {
        let secs: f64 = jobs.iter().map(|j| j.estimate().1).sum();
        let work: f64 = jobs.iter().map(|j| j.estimate().0).sum();
        if secs > 1.0 {
            eprintln!(
                "estimated {:.3e} {} in about {} on 2 cores",
                work,
                if mode == Mode::Counts {
                    "count tuples"
                } else {
                    "mask pairs"
                },
                enumerate::human_seconds(secs)
            );
        }
    }
    let bars = Bars::new(args.quiet || args.json);
    let mut rows = Vec::new();
    for job in jobs {
        let opts = RunOptions {
            force: args.force,
            limit_s: None,
            checkpoint: args.checkpoint.clone(),
            shard,
            stop_after: args.stop_after_chunks,
        };
        let bar = bars.cancellable_bar("");
        let out = enumerate::run_with_progress(&job, &opts, &Progress::new(&bar))?;
        let interrupted = bar.was_cancelled();
        drop(bar);
        if let Some(shard) = shard {
            println!(
                "{}",
                serde_json::to_string_pretty(&shard_file(&job, shard, &out)).unwrap_or_default()
            );
            return Ok(ExitCode::SUCCESS);
        }
        if !out.complete {
            eprintln!(
                "{} after {} of {} chunks; {}",
                if interrupted {
                    "interrupted"
                } else {
                    "stopped"
                },
                out.done.len(),
                job.chunks(),
                if args.checkpoint.is_some() {
                    "rerun with the same --checkpoint to resume"
                } else {
                    "nothing was saved (pass --checkpoint FILE to make a run resumable)"
                }
            );
            return Ok(ExitCode::from(3));
        }
        rows.push((job, out.spread));
    }
    if args.json {
        let docs: Vec<CompareDoc> = rows.iter().map(|(j, s)| result_doc(j, s)).collect();
        print_sizes_json(&args.n.text, docs);
    } else {
        print_table(&rows);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `diceproof merge`.
pub fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let (identity, spread) = merge_shards(&args.files)?;
    let job = Job {
        pair: Pair::new(
            parse_measure(&identity.target)?,
            parse_measure(&identity.candidate)?,
            identity.empty.parse()?,
        )?,
        n: identity.n,
        mode: identity.mode.parse()?,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result_doc(&job, &spread)).unwrap_or_default()
        );
    } else {
        print_table(&[(job, spread)]);
    }
    Ok(ExitCode::SUCCESS)
}
