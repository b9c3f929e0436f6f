//! `diceproof measure`: counts and exact metrics of two masks.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Map, Value as Json};

use super::output::{decimal_json, exact_json, exact_with_decimal, table};
use crate::counts::{per_label_counts, Counts};
use crate::error::{Error, Result};
use crate::io::{format_of, read_volume, Format, Volume};
use crate::masks::{
    labels_from_volume, looks_like_bits, mask_from_volume, parse_bits, Foreground, MaskOptions,
};
use crate::measures::{parse_measure, EmptyPolicy, Measure};

/// Arguments of `diceproof measure`.
#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// Ground truth: a .nii, .nii.gz, .png or .npy file, or an inline bit string (0110).
    #[arg(long, value_name = "FILE|BITS")]
    gt: String,
    /// Prediction: same forms as --gt, same shape.
    #[arg(long, value_name = "FILE|BITS")]
    pred: String,
    /// Foreground of the ground truth is `voxel == L` (default: voxel != 0).
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    gt_label: Option<i64>,
    /// Foreground of the prediction is `voxel == L` (default: voxel != 0).
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    pred_label: Option<i64>,
    /// Accept a --gt-label/--pred-label that occurs nowhere in its file (empty mask).
    #[arg(long)]
    allow_absent_label: bool,
    /// One-vs-rest counts and metrics for every nonzero label of two label maps.
    #[arg(long, conflicts_with_all = ["gt_label", "pred_label"])]
    per_label: bool,
    /// A measure spec (repeatable); see `diceproof specs`. Default: dice and jaccard.
    #[arg(long = "metric", value_name = "SPEC")]
    metrics: Vec<String>,
    /// What a 0/0 (both masks empty) is worth: one, zero, nan or error.
    #[arg(long, value_name = "POLICY", default_value = "one")]
    empty: String,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Where a mask comes from.
enum Source {
    Bits(Vec<bool>),
    File(Volume),
}

struct Loaded {
    name: String,
    source: Source,
    /// NIfTI stores x fastest; NPY and PNG are read in C order (last axis fastest).
    nifti_order: bool,
}

impl Loaded {
    fn open(arg: &str) -> Result<Loaded> {
        let path = Path::new(arg);
        if !path.exists() && looks_like_bits(arg) {
            return Ok(Loaded {
                name: format!("inline bits {arg}"),
                source: Source::Bits(parse_bits(arg)?),
                nifti_order: false,
            });
        }
        if !path.exists() {
            return Err(Error::input(
                path,
                "no such file (an inline mask must consist of 0 and 1 only)",
            ));
        }
        let nifti_order = matches!(format_of(path)?, Format::Nifti | Format::NiftiGz);
        Ok(Loaded {
            name: arg.to_string(),
            source: Source::File(read_volume(path)?),
            nifti_order,
        })
    }

    fn shape(&self) -> Vec<usize> {
        match &self.source {
            Source::Bits(b) => vec![b.len()],
            Source::File(v) => v.shape.clone(),
        }
    }

    fn describe(&self) -> String {
        match &self.source {
            Source::Bits(b) => format!("{} voxels", b.len()),
            Source::File(v) => format!("{} {}", v.shape_string(), v.data.type_name()),
        }
    }

    fn mask(&self, label: Option<i64>, allow_absent: bool, option: &str) -> Result<Vec<bool>> {
        match &self.source {
            Source::Bits(b) => match label {
                None => Ok(b.clone()),
                Some(_) => Err(Error::invalid(format!(
                    "{option} selects a label in a file; {} is already a binary mask",
                    self.name
                ))),
            },
            Source::File(v) => {
                let opts = MaskOptions {
                    rule: label.map_or(Foreground::NonZero, Foreground::Label),
                    allow_absent_label: allow_absent,
                };
                mask_from_volume(v, opts, &self.name)
            }
        }
    }

    fn labels(&self) -> Result<Vec<i64>> {
        match &self.source {
            Source::Bits(b) => Ok(b.iter().map(|&x| x as i64).collect()),
            Source::File(v) => labels_from_volume(v, &self.name),
        }
    }
}

/// Runs `diceproof measure`.
pub fn run(args: &MeasureArgs) -> Result<ExitCode> {
    let policy: EmptyPolicy = args.empty.parse()?;
    let specs: Vec<String> = if args.metrics.is_empty() {
        vec!["dice".into(), "jaccard".into()]
    } else {
        args.metrics.clone()
    };
    let measures = specs
        .iter()
        .map(|s| parse_measure(s))
        .collect::<Result<Vec<Measure>>>()?;

    // Decompression dominates on real volumes: read the two files on two threads.
    let (gt, pred) = std::thread::scope(|s| {
        let pred = s.spawn(|| Loaded::open(&args.pred));
        let gt = Loaded::open(&args.gt);
        let pred = pred
            .join()
            .unwrap_or_else(|_| Err(Error::invalid("the reader thread failed")));
        (gt, pred)
    });
    let (gt, pred) = (gt?, pred?);
    if gt.shape() != pred.shape() {
        return Err(Error::Mismatch(format!(
            "shape mismatch: ground truth {} is {} but prediction {} is {}",
            gt.name,
            gt.describe(),
            pred.name,
            pred.describe()
        )));
    }

    if gt.shape().len() > 1 && gt.nifti_order != pred.nifti_order {
        return Err(Error::Mismatch(format!(
            "voxel order mismatch: {} and {} have the same shape but NIfTI stores the first \
             axis fastest while NPY and PNG store the last axis fastest, so voxel i is not the \
             same place in both; convert one file to the other's format",
            gt.name, pred.name
        )));
    }

    if args.per_label {
        let table_counts = per_label_counts(&gt.labels()?, &pred.labels()?)?;
        let mut rows = Vec::new();
        for (label, c) in &table_counts {
            rows.push((Some(*label), *c, evaluate(&measures, c, policy)?));
        }
        print_results(args, &gt, &pred, &measures, &rows, policy);
        return Ok(ExitCode::SUCCESS);
    }

    let g = gt.mask(args.gt_label, args.allow_absent_label, "--gt-label")?;
    let p = pred.mask(args.pred_label, args.allow_absent_label, "--pred-label")?;
    let counts = Counts::from_bools(&g, &p)?;
    let values = evaluate(&measures, &counts, policy)?;
    print_results(
        args,
        &gt,
        &pred,
        &measures,
        &[(None, counts, values)],
        policy,
    );
    Ok(ExitCode::SUCCESS)
}

type Row = (Option<i64>, Counts, Vec<(crate::Value, crate::Value)>);

fn evaluate(
    measures: &[Measure],
    c: &Counts,
    policy: EmptyPolicy,
) -> Result<Vec<(crate::Value, crate::Value)>> {
    measures
        .iter()
        .map(|m| Ok((m.similarity(c, policy)?, m.loss(c, policy)?)))
        .collect()
}

fn counts_json(c: &Counts) -> Map<String, Json> {
    let mut o = Map::new();
    o.insert("tp".into(), json!(c.tp));
    o.insert("fp".into(), json!(c.fp));
    o.insert("fn".into(), json!(c.fn_));
    o.insert("tn".into(), json!(c.tn));
    o.insert("n".into(), json!(c.n()));
    o
}

fn metrics_json(measures: &[Measure], values: &[(crate::Value, crate::Value)]) -> Json {
    let mut m = Map::new();
    for (meas, (sim, loss)) in measures.iter().zip(values) {
        m.insert(
            meas.spec(),
            json!({
                "similarity": exact_json(sim),
                "loss": exact_json(loss),
                "decimal": decimal_json(sim),
                "loss_decimal": decimal_json(loss),
            }),
        );
    }
    Json::Object(m)
}

fn print_results(
    args: &MeasureArgs,
    gt: &Loaded,
    pred: &Loaded,
    measures: &[Measure],
    rows: &[Row],
    policy: EmptyPolicy,
) {
    let fg = |label: Option<i64>| match label {
        Some(l) => format!("label {l}"),
        None => "nonzero".to_string(),
    };
    if args.json {
        let mut doc = match rows {
            [(None, c, values)] => {
                let mut o = counts_json(c);
                o.insert("metrics".into(), metrics_json(measures, values));
                o
            }
            _ => {
                let labels: Vec<Json> = rows
                    .iter()
                    .map(|(label, c, values)| {
                        let mut o = Map::new();
                        o.insert("label".into(), json!(label));
                        o.extend(counts_json(c));
                        o.insert("metrics".into(), metrics_json(measures, values));
                        Json::Object(o)
                    })
                    .collect();
                let mut o = Map::new();
                o.insert("labels".into(), Json::Array(labels));
                o
            }
        };
        doc.insert(
            "gt".into(),
            json!({"source": gt.name, "shape": gt.shape(), "foreground": if args.per_label { "per-label".into() } else { fg(args.gt_label) }}),
        );
        doc.insert(
            "pred".into(),
            json!({"source": pred.name, "shape": pred.shape(), "foreground": if args.per_label { "per-label".into() } else { fg(args.pred_label) }}),
        );
        doc.insert("empty_policy".into(), json!(policy.name()));
        println!(
            "{}",
            serde_json::to_string_pretty(&Json::Object(doc)).unwrap_or_default()
        );
        return;
    }

    println!(
        "gt    {} ({}, {})",
        gt.name,
        gt.describe(),
        fg(args.gt_label)
    );
    println!(
        "pred  {} ({}, {})",
        pred.name,
        pred.describe(),
        fg(args.pred_label)
    );
    println!("empty masks: {policy}");
    for (label, c, values) in rows {
        println!();
        if let Some(l) = label {
            println!("label {l}");
        }
        let counts = vec![
            vec!["n".into(), c.n().to_string()],
            vec!["TP".into(), c.tp.to_string()],
            vec!["FP".into(), c.fp.to_string()],
            vec!["FN".into(), c.fn_.to_string()],
            vec!["TN".into(), c.tn.to_string()],
        ];
        print!("{}", table(&counts));
        println!();
        let mut t = vec![vec![
            "metric".to_string(),
            "similarity".to_string(),
            "loss".to_string(),
        ]];
        for (m, (sim, loss)) in measures.iter().zip(values) {
            t.push(vec![
                m.spec(),
                exact_with_decimal(sim),
                exact_with_decimal(loss),
            ]);
        }
        print!("{}", table(&t));
    }
}
