//! `diceproof prove`: a proof for every image size, or a verified counterexample,
//! from SMT solvers (see [`crate::prove`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::bars::Bars;
use super::output::table;
use super::values;
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::measures::{parse_measure, EmptyPolicy};
use crate::progress::Reporter;
use crate::prove::{self, Claim, Outcome, Problem, Status};

/// Arguments of `diceproof prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The loss being approximated (a rational measure spec, e.g. dice).
    #[arg(long, value_name = "SPEC", required_unless_present = "registry")]
    target: Option<String>,
    /// The loss claimed to approximate it (a rational measure spec).
    #[arg(long, value_name = "SPEC", required_unless_present = "registry")]
    candidate: Option<String>,
    /// Instead of a target and a candidate: run the SMT obligations of the
    /// registered claims (all, or the names given with --claim) and print each
    /// part's answer and time per solver.
    #[arg(long, conflicts_with_all = ["target", "candidate", "claim_factor", "claim_abs", "ratio_lower"])]
    registry: bool,
    /// With --registry: only this claim (repeatable).
    #[arg(long, value_name = "NAME", requires = "registry")]
    claim: Vec<String>,
    /// Claim: some scale c gives target/K ≤ c·candidate ≤ K·target everywhere.
    #[arg(long, value_name = "K", conflicts_with_all = ["claim_abs", "ratio_lower"], value_parser = values::rational)]
    claim_factor: Option<Q>,
    /// Claim: |candidate − target| ≤ E everywhere.
    #[arg(long, value_name = "E", conflicts_with = "ratio_lower", value_parser = values::rational)]
    claim_abs: Option<Q>,
    /// Claim (with --ratio-upper): A·target ≤ candidate ≤ B·target everywhere.
    #[arg(long, value_name = "A", requires = "ratio_upper", value_parser = values::rational)]
    ratio_lower: Option<Q>,
    /// Claim (with --ratio-lower): A·target ≤ candidate ≤ B·target everywhere.
    #[arg(long, value_name = "B", requires = "ratio_lower", value_parser = values::rational)]
    ratio_upper: Option<Q>,
    /// Value of 0/0 (both masks empty): one, zero, nan or error (nan and error
    /// exclude those configurations from the claim).
    #[arg(long, value_name = "POLICY", value_enum, ignore_case = true, default_value_t = EmptyPolicy::One)]
    empty: EmptyPolicy,
    /// Only images whose ground truth is not empty.
    #[arg(long)]
    nonempty_gt: bool,
    /// Smallest image size the claim covers.
    #[arg(long, value_name = "N", default_value_t = 1)]
    min_n: u64,
    /// Timeout per query and solver, in seconds.
    #[arg(long, value_name = "T", default_value = "10", value_parser = values::seconds)]
    timeout_s: f64,
    /// Write the SMT-LIB 2 file of every query into DIR.
    #[arg(long, value_name = "DIR")]
    emit_smt: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Hide the progress display.
    #[arg(long)]
    quiet: bool,
}

/// A claim constant with its lower limit (clap has already read it exactly).
fn number(q: &Q, option: &str, min: i64) -> Result<Q> {
    if *q < Q::from_integer(min.into()) {
        return Err(Error::invalid(format!(
            "{option} must be at least {min}, got {}",
            format_q(q)
        )));
    }
    Ok(q.clone())
}

fn claim(args: &ProveArgs) -> Result<Claim> {
    match (&args.claim_factor, &args.claim_abs, &args.ratio_lower, &args.ratio_upper) {
        (Some(k), None, None, None) => Ok(Claim::Factor(number(k, "--claim-factor K", 1)?)),
        (None, Some(e), None, None) => Ok(Claim::Abs(number(e, "--claim-abs E", 0)?)),
        (None, None, Some(a), Some(b)) => {
            let (a, b) = (number(a, "--ratio-lower A", 0)?, number(b, "--ratio-upper B", 0)?);
            if a > b {
                return Err(Error::invalid(
                    "--ratio-lower A must not exceed --ratio-upper B",
                ));
            }
            Ok(Claim::Ratio(a, b))
        }
        _ => Err(Error::invalid(
            "give exactly one claim: --claim-factor K, --claim-abs E, or --ratio-lower A --ratio-upper B",
        )),
    }
}

/// Runs `diceproof prove`.
pub fn run(args: &ProveArgs) -> Result<ExitCode> {
    let timeout_s = args.timeout_s;
    if args.min_n == 0 {
        return Err(Error::invalid("--min-n must be at least 1"));
    }
    if args.registry {
        return registry(args, timeout_s);
    }
    fn spec<'a>(s: &'a Option<String>, option: &str) -> Result<&'a str> {
        s.as_deref()
            .ok_or_else(|| Error::invalid(format!("{option} SPEC is required (or --registry)")))
    }
    let problem = Problem {
        target: parse_measure(spec(&args.target, "--target")?)?,
        candidate: parse_measure(spec(&args.candidate, "--candidate")?)?,
        claim: claim(args)?,
        empty: args.empty,
        nonempty_gt: args.nonempty_gt,
        min_n: args.min_n,
    };
    // Fail on an inexpressible spec before looking for solvers.
    prove::encode::symbolic(&problem.target)?;
    prove::encode::symbolic(&problem.candidate)?;
    let (solvers, _) = prove::solver::installed();
    if solvers.is_empty() {
        return Err(prove::missing_solvers_error());
    }
    let bar = Bars::new(args.quiet || args.json).spinner("");
    let opts = prove::Options {
        timeout_s,
        emit_dir: args.emit_smt.clone(),
        solvers,
    };
    let out = prove::prove(&problem, &opts, &|q| bar.message(&format!("query {q}")));
    drop(bar);
    let out = out?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| Error::invalid(e.to_string()))?
        );
    } else {
        print!("{}", render(&out));
    }
    Ok(ExitCode::from(match out.status {
        Status::Proved => 0,
        Status::Refuted => 1,
        Status::Unknown => 3,
    }))
}

fn registry(args: &ProveArgs, timeout_s: f64) -> Result<ExitCode> {
    let names: Vec<String> = if args.claim.is_empty() {
        prove::registry::CLAIMS
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        args.claim.clone()
    };
    for n in &names {
        if !prove::registry::CLAIMS.contains(&n.as_str()) {
            return Err(Error::invalid(format!(
                "--claim {n:?} has no SMT obligation; claims with one are: {}",
                prove::registry::CLAIMS.join(", ")
            )));
        }
    }
    let (solvers, _) = prove::solver::installed();
    if solvers.is_empty() {
        return Err(prove::missing_solvers_error());
    }
    let mut rows = vec![vec!["claim".to_string(), "part".to_string()]];
    rows[0].extend(solvers.iter().map(|s| format!("{} {}", s.name, s.version)));
    let mut all_proved = true;
    let mut json = Vec::new();
    for name in &names {
        let Some(p) = prove::registry::prove_claim(
            name,
            &solvers,
            timeout_s,
            // Every solver answers every part: no early stop.
            timeout_s,
            args.emit_smt.as_deref(),
        )?
        else {
            continue;
        };
        all_proved &= p.status == Status::Proved;
        for q in &p.queries {
            let mut r = vec![name.clone(), q.name.clone()];
            for s in &solvers {
                r.push(
                    q.answers
                        .iter()
                        .find(|a| a.0 == s.name)
                        .map(|a| format!("{} {:.2}s", a.1, a.2))
                        .unwrap_or_default(),
                );
            }
            rows.push(r);
        }
        json.push(serde_json::json!({"claim": name, "smt": p, "summary": p.summary()}));
        if !args.json {
            eprintln!("{name}: {}", p.summary());
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| Error::invalid(e.to_string()))?
        );
    } else {
        print!("{}", table(&rows));
    }
    Ok(ExitCode::from(if all_proved { 0 } else { 3 }))
}

/// The table for people.
pub fn render(out: &Outcome) -> String {
    let mut s = format!(
        "{} vs {}: {} is {}\n",
        out.candidate,
        out.target,
        out.claim,
        out.status.name().to_uppercase()
    );
    let mut rows = vec![vec!["query".to_string()]];
    rows[0].extend(
        out.solvers
            .iter()
            .map(|v| format!("{} {}", v.name, v.version)),
    );
    for q in &out.queries {
        let mut r = vec![q.name.clone()];
        for v in &out.solvers {
            r.push(
                q.answers
                    .iter()
                    .find(|a| a.0 == v.name)
                    .map(|a| format!("{} {:.3}s", a.1, a.2))
                    .unwrap_or_default(),
            );
        }
        rows.push(r);
    }
    s.push_str(&table(&rows));
    if !out.witnesses.is_empty() {
        let mut rows = vec![["n", "tp", "fp", "fn", "tn", "target", "candidate"]
            .map(String::from)
            .to_vec()];
        for w in &out.witnesses {
            rows.push(vec![
                w.n.to_string(),
                w.tp.to_string(),
                w.fp.to_string(),
                w.fn_.to_string(),
                w.tn.to_string(),
                w.target.clone(),
                w.candidate.clone(),
            ]);
        }
        s.push_str("verified witness (exact):\n");
        s.push_str(&table(&rows));
    }
    if let Some(d) = &out.smt {
        s.push_str(&format!("SMT-LIB files: {d}\n"));
    }
    s.push_str(&format!("note: {}\n", out.note));
    s
}
