//! The exact spread of a candidate against a target, as JSON: what `compare
//! --json` prints (and `merge` prints after combining shards), and what the
//! enumerator's checkpoints and shard files store and read back.
//!
//! ```text
//! {"target": "dice", "candidate": "jaccard", "n": 12, "mode": "counts", "empty": "one",
//!  "configurations": "16777216", "tuples": 455, "skipped": "4096",
//!  "ratio": {"min": "1", "max": "23/12", "unbounded": false,
//!            "min_witness": {"tp": 0, "fp": 0, "fn": 1, "tn": 11}, "max_witness": {…},
//!            "max_finite": "23/12", "max_finite_witness": {…}, "spread": "23/12"},
//!  "abs_gap": {"max": "35/204", "witness": {"tp": 5, "fp": 0, "fn": 7, "tn": 0}}}
//! ```
//!
//! Big counts and exact values are strings (`"16777216"`, `"p/q"`), so nothing
//! passes through a float; a value that does not exist (no finite ratio, no
//! witness) is `null`, never left out. `ratio.max` is `"inf"` when the ratio is
//! unbounded, and `max_witness` is then the configuration where it is. Voxel-mode
//! witnesses add the masks as bit strings (`"gt": "1110"`); the relaxed domain's
//! witnesses are points of probabilities and labels, so [`SpreadDoc`] is generic
//! in its witness.
//!
//! [`crate::analysis::json`] converts between these structs and
//! [`crate::analysis::Spread`]; readers are strict (a missing or mistyped field
//! is an error naming it).

use serde::{Deserialize, Serialize};

use super::required;

/// A configuration `{"tp", "fp", "fn", "tn"}`, with the masks in voxel mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsDoc {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// True negatives.
    pub tn: u64,
    /// Ground-truth mask as a bit string (voxel mode only; absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<String>,
    /// Predicted mask as a bit string (voxel mode only; absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pred: Option<String>,
}

/// The ratio candidate/target over the configurations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "W: Deserialize<'de>"))]
pub struct RatioDoc<W> {
    /// Exact minimum (`null`: no configuration with a defined ratio).
    #[serde(deserialize_with = "required")]
    pub min: Option<String>,
    /// Exact maximum, or `"inf"` when unbounded.
    #[serde(deserialize_with = "required")]
    pub max: Option<String>,
    /// Whether some configuration has target loss 0 and candidate loss > 0.
    pub unbounded: bool,
    /// Where the minimum is.
    #[serde(deserialize_with = "required")]
    pub min_witness: Option<W>,
    /// Where the maximum is (the unbounded configuration when unbounded).
    #[serde(deserialize_with = "required")]
    pub max_witness: Option<W>,
    /// The largest finite ratio.
    #[serde(deserialize_with = "required")]
    pub max_finite: Option<String>,
    /// Where the largest finite ratio is.
    #[serde(deserialize_with = "required")]
    pub max_finite_witness: Option<W>,
    /// max/min exactly (`null` when unbounded or undefined).
    #[serde(deserialize_with = "required")]
    pub spread: Option<String>,
}

/// The largest |candidate − target|.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "W: Deserialize<'de>"))]
pub struct GapDoc<W> {
    /// Exact maximum.
    #[serde(deserialize_with = "required")]
    pub max: Option<String>,
    /// Where it is.
    #[serde(deserialize_with = "required")]
    pub witness: Option<W>,
}

/// The summary of an exhaustive comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "W: Deserialize<'de>"))]
pub struct SpreadDoc<W> {
    /// Configurations visited (mask pairs, weighted by multiplicity), as a string.
    pub configurations: String,
    /// Count tuples visited (0 in voxel mode).
    pub tuples: u64,
    /// Configurations skipped because a loss was 0/0 under the policy, as a string.
    pub skipped: String,
    /// The ratio candidate/target.
    pub ratio: RatioDoc<W>,
    /// The absolute gap.
    pub abs_gap: GapDoc<W>,
}

/// Which enumeration a result, checkpoint or shard belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDoc {
    /// Target measure spec.
    pub target: String,
    /// Candidate measure spec.
    pub candidate: String,
    /// Voxels.
    pub n: u64,
    /// `counts` or `voxels`.
    pub mode: String,
    /// Both-empty policy.
    pub empty: String,
}

/// `compare --json` for one size of the count or voxel space (and `merge`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareDoc {
    /// The job.
    #[serde(flatten)]
    pub job: JobDoc,
    /// Its result.
    #[serde(flatten)]
    pub spread: SpreadDoc<CountsDoc>,
}

/// A checkpoint (`--checkpoint FILE`) or a shard output (`compare --shard K/N`):
/// the finished chunks and the summary over them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChunksFile {
    /// `"checkpoint"` or `"shard"`.
    pub diceproof: String,
    /// Format version, 1.
    pub version: u64,
    /// The job.
    pub job: JobDoc,
    /// `K/N`, or `null` for a checkpoint of a whole run.
    #[serde(deserialize_with = "required")]
    pub shard: Option<String>,
    /// Whether every chunk of the shard is finished (shard outputs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    /// Finished chunks.
    pub done: Vec<u64>,
    /// The summary over them.
    pub spread: SpreadDoc<CountsDoc>,
}

/// A point of the relaxed domain: `{"y": ["1", "0"], "p": ["1/2", "1/4"]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoftPointDoc {
    /// Labels, exact.
    pub y: Vec<String>,
    /// Prediction probabilities, exact.
    pub p: Vec<String>,
}

/// `compare --json` for one size of the relaxed domain (`--grid K` or
/// `--random M`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoftCompareDoc {
    /// Target loss spec.
    pub target: String,
    /// Candidate loss spec.
    pub candidate: String,
    /// Voxels.
    pub n: u64,
    /// `grid` or `random`.
    pub mode: String,
    /// Whether labels range over the grid too (else y ∈ {0,1}ⁿ).
    pub soft_labels: bool,
    /// Grid resolution (grid mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<u64>,
    /// Number of random points (random mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random: Option<u64>,
    /// Largest denominator of the random points (random mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub den: Option<u64>,
    /// Seed of the random points (random mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The result.
    #[serde(flatten)]
    pub spread: SpreadDoc<SoftPointDoc>,
}
