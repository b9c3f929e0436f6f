//! Training figures (claim 11), drawn only from a results file written by the
//! training code, never computed here: per-image Dice and Jaccard per loss as box
//! plots, and training curves (training loss and validation Dice per epoch, mean
//! over seeds) per loss.
//!
//! Why read a file instead of training: training takes minutes to hours and
//! belongs to its own command; a figure must be redrawable in a second from the
//! results it describes. The schema ([`Results`]) is
//! [`crate::schema::results`], the same structs the training run writes. Test images whose ground truth and prediction are both empty
//! (`"empty": true`, Dice 0/0) carry no Dice or Jaccard and are skipped, and the
//! number skipped is shown on the figure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::chart::{self, BoxPlot, Chart, LegendAt, Mark, Panel, Series};
use super::{mismatch, Data, Figure};
use crate::error::{Error, Result};
use crate::exact::{parse_rational, q_to_f64};
use crate::table::Csv;

/// The figure's data, defined with every figure format in [`crate::schema::figures`].
pub use crate::schema::figures::{BoxData, CurveData, CurveSeries, LossDistribution};

/// The box-plot figure.
pub const BOXPLOT: Figure = Figure {
    name: "training-boxplot",
    caption: "Per-image Dice and Jaccard on the test images for each training loss, over all seeds, as box plots (images with empty ground truth and empty prediction are skipped).",
    compute: None,
    draw: draw_box,
};

/// The training-curve figure.
pub const CURVES: Figure = Figure {
    name: "training-curves",
    caption: "Training loss and validation Dice per epoch for each training loss, mean over seeds and cross-validation folds.",
    compute: None,
    draw: draw_curves,
};

/// The training results file these figures are drawn from (schema in
/// [`crate::schema::results`]).
pub use crate::schema::results::TrainingResults as Results;

/// The data of `name` from training results.
pub fn data_for(name: &str, r: &Results) -> std::result::Result<Data, String> {
    match name {
        "training-boxplot" => box_data(r).map(Data::TrainingBoxplot),
        "training-curves" => curve_data(r).map(Data::TrainingCurves),
        _ => Err(format!("figure {name} is not drawn from training results")),
    }
}

impl BoxData {
    /// CSV: one line per (loss, image).
    pub fn csv(&self) -> String {
        let mut s = Csv::new(&["loss", "dice", "jaccard"]);
        for l in &self.losses {
            for (d, j) in l.dice.iter().zip(&l.jaccard) {
                s.row(&[l.loss.clone(), d.to_string(), j.to_string()]);
            }
        }
        s.finish()
    }
}

fn value(
    exact: &Option<String>,
    approx: Option<f64>,
    what: &str,
    i: usize,
) -> std::result::Result<f64, String> {
    if let Some(v) = approx {
        return Ok(v);
    }
    let text = exact
        .as_deref()
        .ok_or_else(|| format!("per_image[{i}] is not empty but has no {what}"))?;
    parse_rational(text)
        .map(|q| q_to_f64(&q))
        .map_err(|e| format!("per_image[{i}].{what}: {e}"))
}

fn box_data(r: &Results) -> std::result::Result<BoxData, String> {
    if r.per_image.is_empty() {
        return Err("\"per_image\" is empty: there is nothing to draw".into());
    }
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, LossDistribution> = BTreeMap::new();
    let mut skipped = 0;
    for (i, e) in r.per_image.iter().enumerate() {
        if e.empty {
            skipped += 1;
            continue;
        }
        let d = value(&e.dice, e.dice_f64, "dice", i)?;
        let j = value(&e.jaccard, e.jaccard_f64, "jaccard", i)?;
        if !order.contains(&e.loss) {
            order.push(e.loss.clone());
        }
        let slot = by
            .entry(e.loss.clone())
            .or_insert_with(|| LossDistribution {
                loss: e.loss.clone(),
                dice: Vec::new(),
                jaccard: Vec::new(),
            });
        slot.dice.push(d);
        slot.jaccard.push(j);
    }
    Ok(BoxData {
        task: r.task.clone(),
        skipped_empty: skipped,
        losses: order.iter().filter_map(|l| by.remove(l)).collect(),
    })
}

impl CurveData {
    /// CSV: one line per (loss, epoch).
    pub fn csv(&self) -> String {
        let opt = |v: &Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        let mut s = Csv::new(&["loss", "seeds", "epoch", "mean_train_loss", "mean_val_dice"]);
        for c in &self.series {
            for (k, e) in c.epochs.iter().enumerate() {
                s.row(&[
                    c.loss.clone(),
                    c.seeds.to_string(),
                    e.to_string(),
                    opt(&c.train_loss[k]),
                    opt(&c.val_dice[k]),
                ]);
            }
        }
        s.finish()
    }
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Training losses and validation Dice reported for one epoch, over seeds.
type EpochValues = (Vec<f64>, Vec<f64>);

fn curve_data(r: &Results) -> std::result::Result<CurveData, String> {
    if r.curves.is_empty() {
        return Err("\"curves\" is empty: there is nothing to draw".into());
    }
    let mut order: Vec<String> = Vec::new();
    // loss -> epoch -> (train losses, val dices); loss -> seeds
    let mut by: BTreeMap<String, BTreeMap<u64, EpochValues>> = BTreeMap::new();
    let mut seeds: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for p in &r.curves {
        if !order.contains(&p.loss) {
            order.push(p.loss.clone());
        }
        let slot = by
            .entry(p.loss.clone())
            .or_default()
            .entry(p.epoch as u64)
            .or_default();
        slot.0.extend(Some(p.train_loss).filter(|v| v.is_finite()));
        slot.1.extend(p.val_dice.filter(|v| v.is_finite()));
        let s = seeds.entry(p.loss.clone()).or_default();
        if !s.contains(&p.seed) {
            s.push(p.seed);
        }
    }
    let series = order
        .iter()
        .map(|l| {
            let epochs = &by[l];
            CurveSeries {
                loss: l.clone(),
                seeds: seeds[l].len(),
                epochs: epochs.keys().copied().collect(),
                train_loss: epochs.values().map(|(t, _)| mean(t)).collect(),
                val_dice: epochs.values().map(|(_, v)| mean(v)).collect(),
            }
        })
        .collect();
    Ok(CurveData {
        task: r.task.clone(),
        series,
    })
}

fn draw_box(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::TrainingBoxplot(d) = data else {
        return Err(mismatch(BOXPLOT.name, data));
    };
    if d.losses.is_empty() {
        return Err(Error::invalid(
            "training-boxplot: every per-image entry is empty; nothing to draw",
        ));
    }
    let images: usize = d.losses.iter().map(|l| l.dice.len()).sum();
    let panel = |metric: &str, pick: fn(&LossDistribution) -> &Vec<f64>| {
        Panel::Box(BoxPlot {
            caption: format!("per-image {metric}"),
            x_label: "training loss".into(),
            y_label: format!("{metric} on a test image (1 = perfect)"),
            y_range: Some((0.0, 1.02)),
            groups: d
                .losses
                .iter()
                .map(|l| (l.loss.clone(), pick(l).clone()))
                .collect(),
        })
    };
    chart::save(
        &out.join(BOXPLOT.name),
        &format!(
            "{}: per-image scores by training loss ({images} image results; {} empty skipped)",
            if d.task.is_empty() {
                "training"
            } else {
                d.task.as_str()
            },
            d.skipped_empty
        ),
        &[panel("Dice", |l| &l.dice), panel("Jaccard", |l| &l.jaccard)],
        chart::DOUBLE,
    )
}

fn draw_curves(data: &Data, out: &Path) -> Result<Vec<PathBuf>> {
    let Data::TrainingCurves(d) = data else {
        return Err(mismatch(CURVES.name, data));
    };
    let mut left = Chart::new(
        "training loss (each loss on its own scale)",
        "epoch",
        "mean training loss over seeds",
    );
    left.legend = LegendAt::UpperRight;
    left.integer_x = true;
    let mut right = Chart::new(
        "validation Dice",
        "epoch",
        "mean validation Dice over seeds",
    );
    right.legend = LegendAt::LowerRight;
    right.integer_x = true;
    right.y_range = Some((0.0, 1.0));
    for (i, s) in d.series.iter().enumerate() {
        let pts = |v: &Vec<Option<f64>>| -> Vec<(f64, f64)> {
            s.epochs
                .iter()
                .zip(v)
                .filter_map(|(e, y)| Some((*e as f64, (*y)?)))
                .collect()
        };
        let label = format!(
            "{} ({} seed{})",
            s.loss,
            s.seeds,
            if s.seeds == 1 { "" } else { "s" }
        );
        left.series.push(Series::points(
            label.clone(),
            i,
            Mark::Line,
            pts(&s.train_loss),
        ));
        right
            .series
            .push(Series::points(label, i, Mark::Line, pts(&s.val_dice)));
    }
    chart::save(
        &out.join(CURVES.name),
        &format!(
            "{}: training curves by loss",
            if d.task.is_empty() {
                "training"
            } else {
                d.task.as_str()
            }
        ),
        &[Panel::Xy(left), Panel::Xy(right)],
        chart::DOUBLE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The synthetic fixture shared with the CLI tests.
    pub const FIXTURE: &str = include_str!("../../tests/fixtures/training-results.json");

    fn fixture() -> Results {
        Results::from_json_str(FIXTURE, "fixture").unwrap()
    }

    fn results(v: serde_json::Value) -> Results {
        Results::from_json_str(&v.to_string(), "test").unwrap()
    }

    #[test]
    fn empty_images_are_skipped() {
        let Data::TrainingBoxplot(b) = data_for("training-boxplot", &fixture()).unwrap() else {
            panic!()
        };
        assert_eq!(b.skipped_empty, 2);
        assert_eq!(
            b.losses.iter().map(|l| l.loss.as_str()).collect::<Vec<_>>(),
            ["ce", "soft-dice", "lovasz"]
        );
        let total: usize = b.losses.iter().map(|l| l.dice.len()).sum();
        assert_eq!(total + 2, fixture().per_image.len());
    }

    #[test]
    fn exact_strings_are_used_without_f64() {
        let r = results(serde_json::json!({
            "task": "t", "curves": [],
            "per_image": [{"loss": "ce", "seed": 0, "fold": 0, "slice": 0, "empty": false, "dice": "1/2",
                           "jaccard": "1/3", "dice_f64": null, "jaccard_f64": null}]
        }));
        let Data::TrainingBoxplot(b) = data_for("training-boxplot", &r).unwrap() else {
            panic!()
        };
        assert_eq!(b.losses[0].dice, vec![0.5]);
    }

    #[test]
    fn curves_average_over_seeds() {
        let Data::TrainingCurves(c) = data_for("training-curves", &fixture()).unwrap() else {
            panic!()
        };
        let ce = &c.series[0];
        assert_eq!((ce.loss.as_str(), ce.seeds), ("ce", 2));
        assert_eq!(ce.epochs, vec![1, 2, 3, 4]);
        assert!((ce.val_dice[0].unwrap() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn wrong_files_are_explained() {
        let e = Results::from_json_str(r#"{"x": 1}"#, "r.json").unwrap_err();
        assert!(e.to_string().contains("training results"), "{e}");
        let r = results(serde_json::json!({"task": "t", "per_image": [], "curves": []}));
        assert!(data_for("training-boxplot", &r)
            .unwrap_err()
            .contains("nothing to draw"));
    }
}
