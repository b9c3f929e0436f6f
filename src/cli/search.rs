//! `diceproof search`: find, verify and shrink counterexamples to an approximation
//! claim, or trace the best spread against image size (`--growth`).

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::bars::Bars;
use super::output::table;
use super::values;
use crate::error::{Error, Result};
use crate::exact::Q;
use crate::measures::parse_measure;
use crate::progress::Progress;
use crate::search::{growth_exponent, Bound, Found, Loss, Search, Witness};
use crate::table::Csv;

/// Arguments of `diceproof search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The loss being approximated (an exact measure spec, e.g. dice).
    #[arg(long, value_name = "SPEC")]
    target: String,
    /// The loss claimed to approximate it (any measure spec, or whamming:sqrt).
    #[arg(long, value_name = "SPEC")]
    candidate: String,
    /// Claim: some scale c gives target/K ≤ c·candidate ≤ K·target everywhere.
    #[arg(long, value_name = "K", conflicts_with = "claim_abs", value_parser = values::rational)]
    claim_factor: Option<Q>,
    /// Claim: |candidate − target| ≤ E everywhere.
    #[arg(long, value_name = "E", value_parser = values::rational)]
    claim_abs: Option<Q>,
    /// Largest image size searched (voxels).
    #[arg(long, value_name = "N", default_value = "1000000", value_parser = values::positive_count)]
    max_n: u64,
    /// Smallest image size searched.
    #[arg(long, value_name = "N", default_value = "1")]
    min_n: u64,
    /// Seed: the same seed and budget in evaluations give the same result.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Wall-clock budget in seconds.
    #[arg(long, value_name = "T", default_value_t = 10.0)]
    budget_s: f64,
    /// Evaluation budget.
    #[arg(long, value_name = "M", default_value = "1e12", value_parser = values::positive_count)]
    max_evals: u64,
    /// Best spread per image size (`--sizes`) with the fitted growth exponent.
    #[arg(long)]
    growth: bool,
    /// Sizes for --growth (comma-separated; 1e6 accepted).
    #[arg(
        long,
        value_name = "N,N,...",
        default_value = "10,100,1000,10000,100000,1000000",
        value_delimiter = ',',
        value_parser = values::positive_count
    )]
    sizes: Vec<u64>,
    /// Only consider images whose ground truth is not empty.
    #[arg(long)]
    nonempty_gt: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Print CSV (with --growth).
    #[arg(long)]
    csv: bool,
    /// Hide the progress display.
    #[arg(long)]
    quiet: bool,
}

/// A verified witness in `search --json`.
#[derive(Serialize)]
struct WitnessDoc {
    n: u64,
    tp: u64,
    fp: u64,
    #[serde(rename = "fn")]
    fn_: u64,
    tn: u64,
    /// Exact target loss.
    target: String,
    /// Candidate loss, exact or certified.
    candidate: String,
}

fn witness_doc(w: &Witness) -> WitnessDoc {
    WitnessDoc {
        n: w.counts.n(),
        tp: w.counts.tp,
        fp: w.counts.fp,
        fn_: w.counts.fn_,
        tn: w.counts.tn,
        target: crate::exact::format_q(&w.target),
        candidate: w.candidate.render(),
    }
}

/// The claim searched against: `{"factor": K}` or `{"abs": E}` (null for none).
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum ClaimDoc {
    Factor(String),
    Abs(String),
}

/// `search --json`.
#[derive(Serialize)]
struct SearchDoc {
    target: String,
    candidate: String,
    claim: Option<ClaimDoc>,
    found: bool,
    evaluations: u64,
    seconds: f64,
    best_spread: Option<String>,
    best_gap: Option<String>,
    witnesses: Vec<WitnessDoc>,
    shrink_steps: u64,
    seed: u64,
    max_n: u64,
    nonempty_gt: bool,
}

/// One size of `search --growth --json`.
#[derive(Serialize)]
struct GrowthRowDoc {
    n: u64,
    best_spread: String,
    best_spread_f64: f64,
    evaluations: u64,
    witnesses: Vec<WitnessDoc>,
}

/// `search --growth --json`.
#[derive(Serialize)]
struct GrowthDoc {
    target: String,
    candidate: String,
    seed: u64,
    rows: Vec<GrowthRowDoc>,
    exponent: Option<f64>,
}

/// Runs `diceproof search`.
pub fn run(args: &SearchArgs) -> Result<ExitCode> {
    let target = parse_measure(&args.target)?;
    let candidate = Loss::parse(&args.candidate)?;
    let bound = match (&args.claim_factor, &args.claim_abs) {
        (Some(k), _) => {
            let k = k.clone();
            if k < Q::from_integer(1.into()) {
                return Err(Error::invalid("--claim-factor K must be at least 1"));
            }
            Bound::Factor(k)
        }
        (_, Some(e)) => {
            let e = e.clone();
            if e < Q::from_integer(0.into()) {
                return Err(Error::invalid("--claim-abs E must be non-negative"));
            }
            Bound::Abs(e)
        }
        _ => Bound::None,
    };
    if args.budget_s.is_nan() || args.budget_s <= 0.0 {
        return Err(Error::invalid("--budget-s must be positive"));
    }
    let base = Search {
        target,
        candidate,
        bound,
        min_n: args.min_n,
        max_n: args.max_n,
        seed: args.seed,
        budget_s: args.budget_s,
        max_evals: args.max_evals,
        nonempty_gt: args.nonempty_gt,
    };
    if args.growth {
        return growth(args, base);
    }
    let bar = Bars::new(args.quiet || args.json).spinner("");
    let found = base.run(&Progress::new(&bar))?;
    drop(bar);
    print_found(args, &base, &found);
    Ok(ExitCode::SUCCESS)
}

fn claim_doc(b: &Bound) -> Option<ClaimDoc> {
    match b {
        Bound::Factor(k) => Some(ClaimDoc::Factor(crate::exact::format_q(k))),
        Bound::Abs(e) => Some(ClaimDoc::Abs(crate::exact::format_q(e))),
        Bound::None => None,
    }
}

fn print_found(args: &SearchArgs, s: &Search, f: &Found) {
    if args.json {
        let doc = SearchDoc {
            target: s.target.spec(),
            candidate: s.candidate.spec(),
            claim: claim_doc(&s.bound),
            found: f.found,
            evaluations: f.evaluations,
            seconds: (f.seconds * 1000.0).round() / 1000.0,
            best_spread: if f.best_gap.is_some() {
                None
            } else {
                Some(f.best_spread.clone())
            },
            best_gap: f.best_gap.clone(),
            witnesses: f.witnesses.iter().map(witness_doc).collect(),
            shrink_steps: f.shrink_steps,
            seed: s.seed,
            max_n: s.max_n,
            nonempty_gt: s.nonempty_gt,
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    let claim = match &s.bound {
        Bound::Factor(k) => format!(
            "some c gives target/K ≤ c·candidate ≤ K·target with K = {}",
            crate::exact::format_q(k)
        ),
        Bound::Abs(e) => format!("|candidate − target| ≤ {}", crate::exact::format_q(e)),
        Bound::None => "none (largest spread)".into(),
    };
    println!(
        "candidate {} against target {}; claim: {claim}",
        s.candidate.spec(),
        s.target.spec()
    );
    println!(
        "{} evaluations in {:.2} s (seed {}, sizes {}..={})",
        f.evaluations, f.seconds, s.seed, s.min_n, s.max_n
    );
    if f.found {
        println!(
            "REFUTED, verified exactly and shrunk in {} steps:",
            f.shrink_steps
        );
    } else if matches!(s.bound, Bound::None) {
        println!("best pair found:");
    } else {
        println!("no violation found within the budget; the most extreme configurations seen:");
    }
    let mut rows = vec![vec![
        "n".to_string(),
        "(TP,FP,FN,TN)".to_string(),
        "target".to_string(),
        "candidate".to_string(),
    ]];
    for w in &f.witnesses {
        rows.push(vec![
            w.counts.n().to_string(),
            format!(
                "({},{},{},{})",
                w.counts.tp, w.counts.fp, w.counts.fn_, w.counts.tn
            ),
            crate::exact::format_q(&w.target),
            w.candidate.render(),
        ]);
    }
    print!("{}", table(&rows));
    match &f.best_gap {
        Some(g) => println!("|candidate − target| at this configuration: {g}"),
        None => println!("spread of candidate/target over these: {}", f.best_spread),
    }
}

fn growth(args: &SearchArgs, base: Search) -> Result<ExitCode> {
    let sizes = args.sizes.clone();
    let per_size = args.budget_s / sizes.len() as f64;
    let mut rows = Vec::new();
    for &n in &sizes {
        let s = Search {
            min_n: n,
            max_n: n,
            bound: Bound::None,
            budget_s: per_size,
            ..base.clone()
        };
        let bar = Bars::new(args.quiet || args.json).spinner(&format!("n = {n}: "));
        let f = s.run(&Progress::new(&bar))?;
        drop(bar);
        rows.push((n, f));
    }
    let exponent = growth_exponent(
        &rows
            .iter()
            .map(|(n, f)| (*n as f64, f.best_spread_f64))
            .collect::<Vec<_>>(),
    );
    if args.json {
        let doc = GrowthDoc {
            target: base.target.spec(),
            candidate: base.candidate.spec(),
            seed: base.seed,
            rows: rows
                .iter()
                .map(|(n, f)| GrowthRowDoc {
                    n: *n,
                    best_spread: f.best_spread.clone(),
                    best_spread_f64: f.best_spread_f64,
                    evaluations: f.evaluations,
                    witnesses: f.witnesses.iter().map(witness_doc).collect(),
                })
                .collect(),
            exponent,
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else if args.csv {
        let mut csv = Csv::new(&["n", "best_spread", "best_spread_f64", "evaluations"]);
        for (n, f) in &rows {
            csv.row(&[
                n.to_string(),
                f.best_spread.to_string(),
                f.best_spread_f64.to_string(),
                f.evaluations.to_string(),
            ]);
        }
        print!("{}", csv.finish());
    } else {
        println!(
            "best spread of {} against {} per image size (seed {})",
            base.candidate.spec(),
            base.target.spec(),
            base.seed
        );
        let mut t = vec![vec![
            "n".to_string(),
            "best spread".to_string(),
            "≈".to_string(),
            "evaluations".to_string(),
        ]];
        for (n, f) in &rows {
            t.push(vec![
                n.to_string(),
                f.best_spread.clone(),
                format!("{:.6e}", f.best_spread_f64),
                f.evaluations.to_string(),
            ]);
        }
        print!("{}", table(&t));
        match exponent {
            Some(e) => println!("fitted growth exponent (spread ~ n^e): e = {e:.3}"),
            None => println!("fitted growth exponent: undefined (unbounded or constant spreads)"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
