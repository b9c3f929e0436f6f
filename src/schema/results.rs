//! `results.json`: what a training run measured, per test image and per epoch.
//!
//! ```text
//! {"task": "hippocampus",
//!  "per_image": [{"loss": "ce", "seed": 0, "fold": 2, "slice": 57, "empty": false,
//!                 "dice": "p/q", "jaccard": "p/q", "dice_f64": 0.81, "jaccard_f64": 0.68}, …],
//!  "curves": [{"loss": "ce", "seed": 0, "fold": 2, "epoch": 1, "train_loss": 0.53, "val_dice": 0.41}, …]}
//! ```
//!
//! Exact values are the crate's `p/q` strings (an integer without `/1`); they and
//! their `_f64` companions are `null` when `empty` is true (ground truth and
//! prediction both empty: Dice and Jaccard undefined). `val_dice` is `null` when no
//! test slice had a defined Dice. The training run writes this file; the
//! statistics (`stats.json`, `report.md`), the training figures and `plot --from`
//! read it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::required;
use crate::error::{Error, Result};

/// The whole `results.json` file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingResults {
    /// Segmentation task, e.g. `hippocampus` or `synthetic`.
    pub task: String,
    /// One record per (loss, seed, test slice).
    pub per_image: Vec<ImageResult>,
    /// One point per (loss, seed, epoch).
    pub curves: Vec<CurvePoint>,
}

/// The exact evaluation of one test slice under one loss and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageResult {
    /// Training loss name, e.g. `soft-dice`.
    pub loss: String,
    /// Training seed.
    pub seed: u64,
    /// The cross-validation fold whose model tested this slice (0 for the block
    /// split).
    pub fold: u64,
    /// Slice index (z, or image number for `synthetic`).
    pub slice: u64,
    /// Ground truth and prediction both empty (Dice, Jaccard undefined).
    pub empty: bool,
    /// Exact Dice `p/q` (`null` when `empty`).
    #[serde(deserialize_with = "required")]
    pub dice: Option<String>,
    /// Exact Jaccard `p/q` (`null` when `empty`).
    #[serde(deserialize_with = "required")]
    pub jaccard: Option<String>,
    /// Dice as f64 (`null` when `empty`).
    #[serde(deserialize_with = "required")]
    pub dice_f64: Option<f64>,
    /// Jaccard as f64 (`null` when `empty`).
    #[serde(deserialize_with = "required")]
    pub jaccard_f64: Option<f64>,
}

/// One point of a training curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Training loss name.
    pub loss: String,
    /// Training seed.
    pub seed: u64,
    /// Cross-validation fold (0 for the block split).
    pub fold: u64,
    /// Epoch (1-based).
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f64,
    /// Mean f64 Dice over the test slices with a defined Dice (monitoring only);
    /// `null` when there was none.
    #[serde(deserialize_with = "required")]
    pub val_dice: Option<f64>,
}

impl TrainingResults {
    /// Parses the JSON text of a results file; `source` (a path) names it in errors,
    /// and serde's message names the field that is missing or mistyped.
    pub fn from_json_str(text: &str, source: &str) -> Result<TrainingResults> {
        serde_json::from_str(text).map_err(|e| {
            Error::source(
                source,
                format!("not a training results file (results.json): {e}"),
            )
        })
    }

    /// Reads and parses `path`.
    pub fn read(path: &Path) -> Result<TrainingResults> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::source(path.display().to_string(), format!("cannot read: {e}")))?;
        TrainingResults::from_json_str(&text, &path.display().to_string())
    }

    /// The file's text: pretty JSON, fields in the order documented above.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(self).expect("results serialize to JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/training-results.json");

    #[test]
    fn the_fixture_round_trips_byte_for_byte() {
        let r = TrainingResults::from_json_str(FIXTURE, "fixture").unwrap();
        assert!(!r.per_image.is_empty() && !r.curves.is_empty());
        let again: serde_json::Value = serde_json::from_str(&r.to_json_string()).unwrap();
        let orig: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
        assert_eq!(again, orig);
    }

    /// Every field of every record is required: drop each in turn and the error
    /// names it.
    #[test]
    fn a_missing_field_is_named() {
        let orig: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
        for list in ["per_image", "curves"] {
            // Every key the fixture's first record has (all of them: the fixture is
            // a file the training run wrote).
            let keys: Vec<String> = orig[list][0].as_object().unwrap().keys().cloned().collect();
            assert_eq!(keys.len(), if list == "curves" { 6 } else { 9 });
            for key in &keys {
                let mut v = orig.clone();
                v[list][0].as_object_mut().unwrap().remove(key);
                let e = TrainingResults::from_json_str(&v.to_string(), "r.json")
                    .unwrap_err()
                    .to_string();
                assert!(
                    e.contains(&format!("missing field `{key}`")) && e.contains("r.json"),
                    "{e}"
                );
            }
        }
        for key in ["task", "per_image", "curves"] {
            let mut v = orig.clone();
            v.as_object_mut().unwrap().remove(key);
            let e = TrainingResults::from_json_str(&v.to_string(), "r.json").unwrap_err();
            assert!(
                e.to_string().contains(&format!("missing field `{key}`")),
                "{e}"
            );
        }
    }

    #[test]
    fn a_mistyped_field_is_refused() {
        let mut v: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
        v["per_image"][0]["slice"] = "57".into();
        let e = TrainingResults::from_json_str(&v.to_string(), "r.json").unwrap_err();
        assert!(e.to_string().contains("expected u64"), "{e}");
    }
}
