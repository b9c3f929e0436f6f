//! Each figure's `NAME.json`: the data `diceproof plot` computes, saves beside
//! the SVG and PNG, and reads back with `plot --from`.
//!
//! ```text
//! {"caption": "…", "size": "default", "compute_seconds": 0.8,
//!  "figure": "dice-jaccard-ratio",
//!  "data": {"rows": [{"n": 1, "sup_ratio": "1", "sup_ratio_f64": 1.0, …}, …]}}
//! ```
//!
//! One struct per figure, tagged by the figure's name ([`Data`]), inside the
//! common envelope ([`Saved`]). Exact values are `p/q` strings beside their
//! `f64`; a value that does not exist (an unbounded sup, no fitted exponent) is
//! `null`, never left out. The figure code in [`crate::plots`] fills these
//! structs and draws from them (its `csv` and `draw` functions are written
//! against them), and the redraw path reads them with [`Saved::from_json_str`],
//! which refuses an older or broken file with the field serde could not read and
//! the figure it belongs to (`dice-jaccard-ratio.json: not a saved figure of
//! diceproof's format: missing field \`sup_ratio\` at line 9 column 5`).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::required;
use crate::error::{Error, Result};

/// How much to compute: the sizes (n, grids) of every figure scale together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// Well under a second for every figure together (tests, smoke runs).
    Quick,
    /// About 5 s on 2 cores (release build): the figures of the README.
    #[default]
    Default,
    /// Larger n everywhere: about 30 s on 2 cores.
    Full,
}

impl Size {
    /// The size's name.
    pub fn name(&self) -> &'static str {
        match self {
            Size::Quick => "quick",
            Size::Default => "default",
            Size::Full => "full",
        }
    }

    /// Picks one of three values by size.
    pub fn pick<T>(&self, quick: T, default: T, full: T) -> T {
        match self {
            Size::Quick => quick,
            Size::Default => default,
            Size::Full => full,
        }
    }
}

impl FromStr for Size {
    type Err = Error;
    fn from_str(s: &str) -> Result<Size> {
        match s {
            "quick" => Ok(Size::Quick),
            "default" => Ok(Size::Default),
            "full" => Ok(Size::Full),
            _ => Err(Error::invalid(format!(
                "unknown size {s:?}; valid sizes are quick, default and full"
            ))),
        }
    }
}

/// The computed data of one figure, tagged with the figure's name (this is the
/// `figure` and `data` of a saved `NAME.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "figure", content = "data", rename_all = "kebab-case")]
pub enum Data {
    /// See [`ScatterData`].
    DiceJaccardScatter(ScatterData),
    /// See [`RatioData`].
    DiceJaccardRatio(RatioData),
    /// See [`GrowthData`].
    WhammingGrowth(GrowthData),
    /// See [`TverskyData`].
    TverskyAlpha(TverskyData),
    /// See [`LovaszData`].
    LovaszSoftJaccard(LovaszData),
    /// See [`RiskData`].
    RiskThreshold(RiskData),
    /// See [`BoxData`].
    TrainingBoxplot(BoxData),
    /// See [`CurveData`].
    TrainingCurves(CurveData),
}

impl Data {
    /// The name of the figure this data belongs to.
    pub fn figure(&self) -> &'static str {
        match self {
            Data::DiceJaccardScatter(_) => "dice-jaccard-scatter",
            Data::DiceJaccardRatio(_) => "dice-jaccard-ratio",
            Data::WhammingGrowth(_) => "whamming-growth",
            Data::TverskyAlpha(_) => "tversky-alpha",
            Data::LovaszSoftJaccard(_) => "lovasz-soft-jaccard",
            Data::RiskThreshold(_) => "risk-threshold",
            Data::TrainingBoxplot(_) => "training-boxplot",
            Data::TrainingCurves(_) => "training-curves",
        }
    }
}

/// A saved figure: `NAME.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// The caption of the figure.
    pub caption: String,
    /// The size it was computed at (`null` for figures drawn from training results).
    #[serde(deserialize_with = "required")]
    pub size: Option<Size>,
    /// Seconds the computation took.
    pub compute_seconds: f64,
    /// The data, tagged with the figure name.
    #[serde(flatten)]
    pub data: Data,
}

impl Saved {
    /// Reads a saved figure, refusing an older or broken file with the field
    /// serde could not read (its name, line and column) and the `source` named.
    pub fn from_json_str(text: &str, source: &str) -> Result<Saved> {
        serde_json::from_str(text).map_err(|e| {
            Error::source(
                source,
                format!("not a saved figure of this diceproof version: {e}"),
            )
        })
    }

    /// The file's text: pretty JSON and a final newline.
    pub fn to_json_string(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|t| t + "\n")
            .map_err(|e| {
                Error::invalid(format!(
                    "cannot serialise the data of {}: {e}",
                    self.data.figure()
                ))
            })
    }
}

// ---- `dice-jaccard-scatter` and `dice-jaccard-ratio` ----

/// One distinct (Δ_D, Δ_J) point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScatterPoint {
    /// Δ_D exactly.
    pub delta_dice: String,
    /// Δ_J exactly.
    pub delta_jaccard: String,
    /// Δ_D as f64.
    pub x: f64,
    /// Δ_J as f64.
    pub y: f64,
}

/// Data of `dice-jaccard-scatter`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScatterData {
    /// Voxels.
    pub n: u64,
    /// Count tuples visited.
    pub tuples: u64,
    /// Distinct points (sorted by Δ_D).
    pub points: Vec<ScatterPoint>,
    /// max Δ_J/Δ_D over the points with Δ_D > 0.
    pub max_ratio: String,
    /// max Δ_J − Δ_D.
    pub max_gap: String,
}

/// One n of `dice-jaccard-ratio`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatioRow {
    /// Voxels.
    pub n: u64,
    /// Exact sup Δ_J/Δ_D over every configuration with Δ_D > 0.
    pub sup_ratio: String,
    /// The same as f64.
    pub sup_ratio_f64: f64,
    /// Whether it equals (2n − 1)/n.
    pub equals_formula: bool,
    /// Exact sup Δ_J − Δ_D.
    pub max_gap: String,
    /// The same as f64.
    pub max_gap_f64: f64,
    /// The smallest maximiser of the gap, (TP, FP, FN, TN).
    pub gap_witness: [u64; 4],
}

/// Data of `dice-jaccard-ratio`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RatioData {
    /// One row per n = 1..=max.
    pub rows: Vec<RatioRow>,
}

// ---- `whamming-growth` ----

/// One (candidate, n) spread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthPoint {
    /// Voxels.
    pub n: u64,
    /// inf candidate/Dice, exact.
    #[serde(deserialize_with = "required")]
    pub inf: Option<String>,
    /// sup candidate/Dice, exact (`None`: unbounded).
    #[serde(deserialize_with = "required")]
    pub sup: Option<String>,
    /// sup/inf exactly (`None` if unbounded or the inf is 0).
    #[serde(deserialize_with = "required")]
    pub spread: Option<String>,
    /// The spread as f64.
    #[serde(deserialize_with = "required")]
    pub spread_f64: Option<f64>,
}

/// One candidate's series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthSeries {
    /// Candidate spec.
    pub candidate: String,
    /// Proven bound on the spread, when one exists.
    #[serde(deserialize_with = "required")]
    pub proven_bound: Option<f64>,
    /// Least-squares slope of ln spread against ln n.
    #[serde(deserialize_with = "required")]
    pub exponent: Option<f64>,
    /// One point per n.
    pub points: Vec<GrowthPoint>,
}

/// Data of `whamming-growth`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthData {
    /// The target measure.
    pub target: String,
    /// One series per candidate.
    pub series: Vec<GrowthSeries>,
}

// ---- `tversky-alpha` ----

/// One α.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TverskyRow {
    /// α (weight of FP), exact; β = 1 − α.
    pub alpha: String,
    /// α as f64.
    pub alpha_f64: f64,
    /// inf Δ_T/Δ_D, exact.
    pub inf: String,
    /// sup Δ_T/Δ_D, exact.
    pub sup: String,
    /// sup/inf, exact.
    pub spread: String,
    /// inf as f64.
    pub inf_f64: f64,
    /// sup as f64.
    pub sup_f64: f64,
    /// spread as f64.
    pub spread_f64: f64,
}

/// Data of `tversky-alpha`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TverskyData {
    /// Voxels.
    pub n: u64,
    /// One row per α.
    pub rows: Vec<TverskyRow>,
}

// ---- `lovasz-soft-jaccard` ----

/// One distinct (soft Jaccard, Lovász) pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LovaszPoint {
    /// Soft Jaccard loss, exact.
    pub soft_jaccard: String,
    /// Lovász–Jaccard loss, exact.
    pub lovasz: String,
    /// Soft Jaccard as f64.
    pub x: f64,
    /// Lovász as f64.
    pub y: f64,
}

/// Data of `lovasz-soft-jaccard`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LovaszData {
    /// Voxels.
    pub n: usize,
    /// Probabilities are k/grid, k = 0..=grid.
    pub grid: u64,
    /// (label, probability) pairs evaluated.
    pub evaluated: u64,
    /// Pairs with Lovász > soft Jaccard (0 is the proven statement).
    pub violations: u64,
    /// Largest soft Jaccard − Lovász, exact.
    pub max_difference: String,
    /// Distinct points.
    pub points: Vec<LovaszPoint>,
}

// ---- `risk-threshold` ----

/// One constant piece: thresholds t in [from, to) give the same decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Start of the interval (included), exact.
    pub t_from: String,
    /// End (excluded, except at 1), exact.
    pub t_to: String,
    /// Start as f64.
    pub t_from_f64: f64,
    /// End as f64.
    pub t_to_f64: f64,
    /// Voxels predicted.
    pub k: usize,
    /// E\[Dice\], exact.
    pub expected: String,
    /// E\[Dice\] as f64.
    pub expected_f64: f64,
}

/// One probability vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// π, exact.
    pub probs: Vec<String>,
    /// The step function over t ∈ [0, 1].
    pub steps: Vec<Step>,
    /// Size of the optimal top-k decision (smallest optimal k).
    pub optimal_k: usize,
    /// Its E\[Dice\], exact.
    pub optimal_expected: String,
    /// Its E\[Dice\] as f64.
    pub optimal_expected_f64: f64,
    /// Whether some threshold reaches the optimum.
    pub threshold_reaches_optimum: bool,
    /// E\[Dice\] of the plain-CE decision t = 1/2, exact.
    pub ce_expected: String,
}

/// Data of `risk-threshold`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskData {
    /// The metric (dice).
    pub metric: String,
    /// Both-empty policy name.
    pub empty: String,
    /// One entry per probability vector.
    pub instances: Vec<Instance>,
    /// Threshold intervals [from, to) optimal for every instance at once (empty:
    /// no single threshold is optimal for all of them).
    pub optimal_for_all: Vec<[String; 2]>,
}

// ---- `training-boxplot` and `training-curves` ----

/// Per-loss distributions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossDistribution {
    /// Training loss name.
    pub loss: String,
    /// Per-image Dice over all seeds.
    pub dice: Vec<f64>,
    /// Per-image Jaccard over all seeds.
    pub jaccard: Vec<f64>,
}

/// Data of `training-boxplot`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoxData {
    /// Task name.
    pub task: String,
    /// Entries skipped because both masks were empty.
    pub skipped_empty: u64,
    /// One distribution per loss, in order of first appearance.
    pub losses: Vec<LossDistribution>,
}

/// One loss's mean curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurveSeries {
    /// Training loss name.
    pub loss: String,
    /// Seeds averaged.
    pub seeds: usize,
    /// Epochs, ascending.
    pub epochs: Vec<u64>,
    /// Mean training loss per epoch (over the seeds that report it).
    pub train_loss: Vec<Option<f64>>,
    /// Mean validation Dice per epoch.
    pub val_dice: Vec<Option<f64>>,
}

/// Data of `training-curves`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurveData {
    /// Task name.
    pub task: String,
    /// One series per loss, in order of first appearance.
    pub series: Vec<CurveSeries>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn growth() -> Saved {
        Saved {
            caption: "c.".into(),
            size: Some(Size::Quick),
            compute_seconds: 0.5,
            data: Data::WhammingGrowth(GrowthData {
                target: "dice".into(),
                series: vec![GrowthSeries {
                    candidate: "whamming:w=1/2".into(),
                    proven_bound: None,
                    exponent: Some(1.0),
                    points: vec![GrowthPoint {
                        n: 4,
                        inf: Some("1/2".into()),
                        sup: None,
                        spread: None,
                        spread_f64: None,
                    }],
                }],
            }),
        }
    }

    /// The error reading `v` as a saved figure.
    fn refusal(v: &Value) -> String {
        Saved::from_json_str(&serde_json::to_string_pretty(v).unwrap(), "fig.json")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_saved_figure_reads_back_as_written() {
        let s = growth();
        let text = s.to_json_string().unwrap();
        assert!(text.ends_with("}\n"));
        assert_eq!(Saved::from_json_str(&text, "x").unwrap(), s);
        // The envelope and the tag are where the format says.
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["figure"], "whamming-growth");
        assert_eq!(v["size"], "quick");
        assert_eq!(v["data"]["series"][0]["points"][0]["sup"], Value::Null);
    }

    #[test]
    fn older_or_broken_files_are_refused_naming_the_field() {
        let good: Value = serde_json::from_str(&growth().to_json_string().unwrap()).unwrap();

        // A missing null (an older writer that left `sup` out) is not read as None.
        let mut v = good.clone();
        v["data"]["series"][0]["points"][0]
            .as_object_mut()
            .unwrap()
            .remove("sup");
        let e = refusal(&v);
        assert!(
            e.starts_with("fig.json: ") && e.contains("missing field `sup`"),
            "{e}"
        );

        // A mistyped value names what was expected.
        let mut v = good.clone();
        v["data"]["series"][0]["points"][0]["n"] = json!("four");
        let e = refusal(&v);
        assert!(
            e.contains("invalid type: string \"four\", expected u64"),
            "{e}"
        );

        // A missing field of the envelope.
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove("size");
        assert!(refusal(&v).contains("missing field `size`"));

        // A missing field of a figure's data.
        let mut v = good.clone();
        v["data"].as_object_mut().unwrap().remove("target");
        assert!(refusal(&v).contains("missing field `target`"));

        // An unknown figure lists the known ones.
        let mut v = good.clone();
        v["figure"] = json!("pie-chart");
        let e = refusal(&v);
        assert!(
            e.contains("unknown variant `pie-chart`") && e.contains("tversky-alpha"),
            "{e}"
        );

        // An unknown size lists the sizes.
        let mut v = good;
        v["size"] = json!("huge");
        let e = refusal(&v);
        assert!(
            e.contains("unknown variant `huge`") && e.contains("quick"),
            "{e}"
        );
    }
}
