//! `diceproof risk`: exact expected Dice or Jaccard of a decision under independent
//! Bernoulli labels, the optimal top-k decision and the regret (exact), or the same
//! in `f64` for a probability map file (`--probs-file`, the fast path).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::values;
use crate::error::{Error, Result};
use crate::exact::{decimal, format_q, Q};
use crate::io::{read_volume, VoxelData};
use crate::masks::parse_bits;
use crate::measures::EmptyPolicy;
use crate::risk::fast::{expected_f64, optimal_topk_f64, FAST_SCAN_MAX};
use crate::risk::fast_opt::optimal_dice_large;
use crate::risk::{
    bits, check_len, parse_probs, pooled_optimal, pooled_value, risk_report, threshold_pred,
    weight_threshold, RiskMetric,
};

/// Arguments of `diceproof risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// Foreground probabilities, comma-separated exact numbers (9/10,0.8,1/2).
    #[arg(
        long,
        value_name = "P,P,...",
        required_unless_present = "probs_file",
        allow_hyphen_values = true
    )]
    probs: Option<String>,
    /// A probability map (NPY or NIfTI float) evaluated with the f64 fast path.
    #[arg(long, value_name = "FILE", conflicts_with = "probs")]
    probs_file: Option<PathBuf>,
    /// The metric: dice, jaccard or any measure spec (tversky:a=3/10,b=7/10, ...).
    #[arg(long, default_value = "dice", value_parser = values::risk_metric)]
    metric: RiskMetric,
    /// The decision as bits, one per probability.
    #[arg(long, value_name = "BITS", conflicts_with_all = ["threshold", "weight"])]
    pred: Option<String>,
    /// Predict voxel i iff π_i > T (default 1/2).
    #[arg(
        long,
        value_name = "T",
        conflicts_with = "weight",
        allow_hyphen_values = true,
        value_parser = threshold
    )]
    threshold: Option<Q>,
    /// The weighted-CE Bayes rule with weight W on the foreground term (threshold 1 − W).
    #[arg(long, value_name = "W", allow_hyphen_values = true, value_parser = values::rational)]
    weight: Option<Q>,
    /// What a 0/0 (both masks empty) is worth: one, zero, nan or error.
    #[arg(long, value_name = "POLICY", value_enum, ignore_case = true, default_value_t = EmptyPolicy::One)]
    empty: EmptyPolicy,
    /// Pooled (data-set level) metric instead of the per-image expectation: the
    /// ratio of expected counts; its optimal decision thresholds at F*/2.
    #[arg(long, conflicts_with = "probs_file")]
    pooled: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `--threshold T`: an exact number in [0, 1].
/// `risk --json` (exact).
#[derive(Serialize)]
struct ExactDoc {
    metric: String,
    n: usize,
    decision: ExactDecision,
    optimal: ExactOptimal,
    regret: String,
}

/// The decision asked about, with its exact expected metric.
#[derive(Serialize)]
struct ExactDecision {
    pred: String,
    expected: String,
}

/// The optimal top-k decision.
#[derive(Serialize)]
struct ExactOptimal {
    pred: String,
    k: usize,
    expected: String,
}

/// `risk --pooled --json`.
#[derive(Serialize)]
struct PooledDoc {
    metric: String,
    n: usize,
    pooled: bool,
    decision: PooledDecision,
    optimal: PooledOptimal,
    regret: String,
}

/// The decision asked about, with its pooled metric.
#[derive(Serialize)]
struct PooledDecision {
    pred: String,
    value: String,
}

/// The pooled optimum and the threshold that reaches it.
#[derive(Serialize)]
struct PooledOptimal {
    pred: String,
    k: usize,
    value: String,
    threshold: String,
}

/// `risk --probs-file --json` (f64 fast path).
#[derive(Serialize)]
struct FastDoc {
    metric: String,
    n: usize,
    fast_path: bool,
    decision: FastDecision,
    optimal: Option<FastOptimal>,
    regret: Option<f64>,
}

/// The decision asked about (its size and expected metric).
#[derive(Serialize)]
struct FastDecision {
    k: usize,
    expected: f64,
}

/// The optimal top-k decision on the fast path (`pred` only for small n).
#[derive(Serialize)]
struct FastOptimal {
    pred: Option<String>,
    k: usize,
    expected: f64,
    error_bound: f64,
    sizes_evaluated: usize,
}

fn threshold(s: &str) -> std::result::Result<Q, String> {
    crate::exact::parse_unit_rational(s, "the threshold").map_err(|e| e.to_string())
}

fn threshold_of(args: &RiskArgs) -> Result<Q> {
    if let Some(w) = &args.weight {
        return weight_threshold(w);
    }
    Ok(args
        .threshold
        .clone()
        .unwrap_or_else(|| Q::new(1.into(), 2.into())))
}

/// Runs `diceproof risk`.
pub fn run(args: &RiskArgs) -> Result<ExitCode> {
    let metric = args.metric.clone();
    let policy = args.empty;
    if policy == EmptyPolicy::NanIfGtEmpty {
        return Err(crate::error::Error::invalid(
            "--empty nan-if-gt-empty is not available in risk: an expectation over random labels \
             is undefined whenever the labels can all be 0; use --empty one or --empty zero",
        ));
    }
    if let Some(path) = &args.probs_file {
        return run_fast(args, path, &metric, policy);
    }
    let probs = parse_probs(args.probs.as_deref().unwrap_or(""))?;
    let pred = match &args.pred {
        Some(b) => {
            let p = parse_bits(b)?;
            check_len(probs.len(), &p)?;
            p
        }
        None => threshold_pred(&probs, &threshold_of(args)?),
    };
    if args.pooled {
        return run_pooled(args, &probs, &pred, &metric, policy);
    }
    let r = risk_report(&probs, &pred, &metric, policy)?;
    if args.json {
        let doc = ExactDoc {
            metric: metric.name(),
            n: r.n,
            decision: ExactDecision {
                pred: bits(&r.decision.pred),
                expected: format_q(&r.decision.expected),
            },
            optimal: ExactOptimal {
                pred: bits(&r.optimal.pred),
                k: r.optimal.k,
                expected: format_q(&r.optimal.expected),
            },
            regret: format_q(&r.regret),
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let show = |q: &Q| format!("{} ({})", format_q(q), decimal(q));
    println!(
        "metric: {metric} (exact, n = {}, empty masks: {policy})",
        r.n
    );
    println!(
        "decision {}: expected {metric} = {}",
        bits(&r.decision.pred),
        show(&r.decision.expected)
    );
    println!(
        "optimal  {} (top-{}): expected {metric} = {}",
        bits(&r.optimal.pred),
        r.optimal.k,
        show(&r.optimal.expected)
    );
    println!("regret: {}", show(&r.regret));
    Ok(ExitCode::SUCCESS)
}

fn run_pooled(
    args: &RiskArgs,
    probs: &[Q],
    pred: &[bool],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<ExitCode> {
    let value = pooled_value(probs, pred, metric, policy)?;
    let opt = pooled_optimal(probs, metric, policy)?;
    let regret = &opt.decision.value - &value;
    if args.json {
        let doc = PooledDoc {
            metric: metric.name(),
            n: probs.len(),
            pooled: true,
            decision: PooledDecision {
                pred: bits(pred),
                value: format_q(&value),
            },
            optimal: PooledOptimal {
                pred: bits(&opt.decision.pred),
                k: opt.decision.k,
                value: format_q(&opt.decision.value),
                threshold: format_q(&opt.threshold),
            },
            regret: format_q(&regret),
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let show = |q: &Q| format!("{} ({})", format_q(q), decimal(q));
    println!(
        "metric: pooled {metric} (ratio of expected counts, exact, n = {})",
        probs.len()
    );
    println!(
        "decision {}: pooled {metric} = {}",
        bits(pred),
        show(&value)
    );
    println!(
        "optimal  {} (π > {}): pooled {metric} = {}",
        bits(&opt.decision.pred),
        format_q(&opt.threshold),
        show(&opt.decision.value)
    );
    println!("regret: {}", show(&regret));
    Ok(ExitCode::SUCCESS)
}

fn to_f64s(data: VoxelData) -> Vec<f64> {
    match data {
        VoxelData::F64(v) => v,
        VoxelData::F32(v) => v.into_iter().map(f64::from).collect(),
        VoxelData::Bool(v) => v.into_iter().map(|b| if b { 1.0 } else { 0.0 }).collect(),
        VoxelData::U8(v) => v.into_iter().map(f64::from).collect(),
        VoxelData::I8(v) => v.into_iter().map(f64::from).collect(),
        VoxelData::U16(v) => v.into_iter().map(f64::from).collect(),
        VoxelData::I16(v) => v.into_iter().map(f64::from).collect(),
        VoxelData::U32(v) => v.into_iter().map(f64::from).collect(),
        VoxelData::I32(v) => v.into_iter().map(f64::from).collect(),
        VoxelData::I64(v) => v.into_iter().map(|x| x as f64).collect(),
        VoxelData::U64(v) => v.into_iter().map(|x| x as f64).collect(),
    }
}

fn run_fast(
    args: &RiskArgs,
    path: &std::path::Path,
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<ExitCode> {
    let probs = to_f64s(read_volume(path)?.data);
    crate::risk::fast::check_probs(&probs).map_err(|e| Error::input(path, e.to_string()))?;
    let pred = match &args.pred {
        Some(b) => {
            let p = parse_bits(b)?;
            check_len(probs.len(), &p)?;
            p
        }
        None => {
            let t = crate::exact::q_to_f64(&threshold_of(args)?);
            probs.iter().map(|&p| p > t).collect()
        }
    };
    let e = expected_f64(&probs, &pred, metric, policy)?;
    let k = pred.iter().filter(|&&b| b).count();
    // (pred, k, expected, error bound, sizes evaluated)
    let optimal = if probs.len() <= FAST_SCAN_MAX {
        let (p, k, v) = optimal_topk_f64(&probs, metric, policy)?;
        Some((p, k, v, 0.0, probs.len() + 1))
    } else if *metric == RiskMetric::Dice {
        let o = optimal_dice_large(&probs, policy)?;
        Some((o.pred, o.k, o.expected, o.error, o.evaluated))
    } else {
        None
    };
    if args.json {
        let doc = FastDoc {
            metric: metric.name(),
            n: probs.len(),
            fast_path: true,
            decision: FastDecision { k, expected: e },
            optimal: optimal.as_ref().map(|(p, k, v, err, ev)| FastOptimal {
                pred: (p.len() <= FAST_SCAN_MAX).then(|| bits(p)),
                k: *k,
                expected: *v,
                error_bound: *err,
                sizes_evaluated: *ev,
            }),
            regret: optimal.as_ref().map(|(_, _, v, _, _)| v - e),
        };
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "metric: {metric} (f64 fast path, not exact; n = {}, empty masks: {policy})",
        probs.len()
    );
    println!("decision (k = {k}): expected {metric} ≈ {e:.12}");
    match optimal {
        Some((_, ok, v, err, ev)) => {
            println!(
                "optimal top-{ok}: expected {metric} ≈ {v:.12} (series error ≤ {err:.1e}; \
                 {ev} of {} sizes evaluated, the rest excluded by certified bounds)",
                probs.len() + 1
            );
            println!("regret ≈ {:.12}", v - e);
        }
        None => println!(
            "optimal: not computed (above {FAST_SCAN_MAX} voxels the fast optimum is implemented \
             for dice only)"
        ),
    }
    Ok(ExitCode::SUCCESS)
}
