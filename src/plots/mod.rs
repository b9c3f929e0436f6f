//! Figures: every plot of the project, computed fresh from the library and drawn
//! as SVG and PNG with the data beside them.
//!
//! Each figure is an entry of [`figures`]: a short kebab-case `name`, a one-sentence
//! `caption`, a `compute` that runs the library (exact enumeration, exact risk,
//! exact soft losses) at a [`Size`], and a `draw` that turns the computed [`Data`]
//! into files. The split is deliberate:
//!
//! * computing is the slow part and drawing the fiddly part, so `diceproof plot
//!   --from NAME.json` redraws a figure from the saved data without recomputing,
//!   and drawing can be tuned without waiting for enumerations;
//! * the data is saved as JSON (exact values as `p/q` strings next to their
//!   `f64`) and, for tabular series, CSV, so every point of a figure can be
//!   checked or re-plotted with other tools;
//! * the training figures have no `compute`: they are drawn only from a training
//!   results file, which this module reads but never produces.
//!
//! Drawing primitives shared by all figures (scatter, lines, reference lines,
//! steps, markers, log axes, box plots) live in [`chart`]; each figure's file only
//! says what to draw. [`render_all`] is what `diceproof reproduce` calls.

pub mod chart;
pub mod dice_jaccard;
mod fonts;
pub mod growth;
pub mod lovasz;
pub mod risk;
pub mod training;
pub mod tversky;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::{Pair, Spread};
use crate::enumerate::count_space;
use crate::error::{Error, Result};
use crate::progress::Progress;
pub use crate::schema::figures::{Data, Saved, Size};

impl Data {
    /// The tabular series as CSV (header line first), when the figure has one.
    pub fn csv(&self) -> Option<String> {
        match self {
            Data::DiceJaccardScatter(d) => Some(d.csv()),
            Data::DiceJaccardRatio(d) => Some(d.csv()),
            Data::WhammingGrowth(d) => Some(d.csv()),
            Data::TverskyAlpha(d) => Some(d.csv()),
            Data::LovaszSoftJaccard(d) => Some(d.csv()),
            Data::RiskThreshold(d) => Some(d.csv()),
            Data::TrainingBoxplot(d) => Some(d.csv()),
            Data::TrainingCurves(d) => Some(d.csv()),
        }
    }
}

/// Computes a figure's data, reporting its work through `progress` (a length,
/// then increments; [`render`] has already set the message to the figure's name).
pub type ComputeFn = fn(Size, &Progress) -> Result<Data>;
/// Draws a figure's data into a directory and returns the files written.
pub type DrawFn = fn(&Data, &Path) -> Result<Vec<PathBuf>>;

/// One registered figure.
#[derive(Clone, Copy, Debug)]
pub struct Figure {
    /// Short kebab-case name: the file stem and the `plot` argument.
    pub name: &'static str,
    /// One sentence saying what the figure shows.
    pub caption: &'static str,
    /// Computes the data from the library; `None` for figures drawn only from a
    /// training results file.
    pub compute: Option<ComputeFn>,
    /// Draws `NAME.svg` and `NAME.png`.
    pub draw: DrawFn,
}

/// Every figure, in the order `plot all` draws them.
pub fn figures() -> &'static [Figure] {
    &[
        dice_jaccard::SCATTER,
        dice_jaccard::RATIO,
        growth::FIGURE,
        tversky::FIGURE,
        lovasz::FIGURE,
        risk::FIGURE,
        training::BOXPLOT,
        training::CURVES,
    ]
}

/// Comma-separated names of every figure.
pub fn figure_names() -> String {
    figures()
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The figure called `name`, or an error listing the valid names.
pub fn find(name: &str) -> Result<&'static Figure> {
    figures().iter().find(|f| f.name == name).ok_or_else(|| {
        Error::invalid(format!(
            "unknown figure {name:?}; valid figures are: all, {}",
            figure_names()
        ))
    })
}

/// What rendering one figure produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rendered {
    /// The figure name.
    pub name: String,
    /// Its caption.
    pub caption: String,
    /// Every file written: `NAME.json`, `NAME.csv` (if tabular), `NAME.svg`, `NAME.png`.
    pub files: Vec<PathBuf>,
    /// Seconds spent computing (0 when redrawn from saved data).
    pub compute_seconds: f64,
    /// Seconds spent computing, saving and drawing.
    pub seconds: f64,
}

/// Computes one figure at `size`, saves its data and draws it into `out_dir`.
///
/// `progress` is reset for the figure (message = its name, length and position
/// 0) and then advanced by the figure's compute.
pub fn render(fig: &Figure, size: Size, out_dir: &Path, progress: &Progress) -> Result<Rendered> {
    let compute = fig.compute.ok_or_else(|| {
        Error::invalid(format!(
            "figure {} is drawn only from a training results file: use --from results.json",
            fig.name
        ))
    })?;
    let start = Instant::now();
    progress.message(fig.name);
    progress.tick(0, 0);
    let data = compute(size, progress)?;
    let compute_seconds = start.elapsed().as_secs_f64();
    finish(fig, data, Some(size), compute_seconds, out_dir, start)
}

fn finish(
    fig: &Figure,
    data: Data,
    size: Option<Size>,
    compute_seconds: f64,
    out_dir: &Path,
    start: Instant,
) -> Result<Rendered> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| Error::input(out_dir, format!("cannot create the directory: {e}")))?;
    let saved = Saved {
        caption: fig.caption.to_string(),
        size,
        compute_seconds,
        data,
    };
    let mut files = save_data(&saved, out_dir)?;
    files.extend((fig.draw)(&saved.data, out_dir)?);
    Ok(Rendered {
        name: fig.name.to_string(),
        caption: fig.caption.to_string(),
        files,
        compute_seconds,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Saves and draws data computed elsewhere, for instance
/// [`risk::compute`] on the instances of a claim instead of the defaults.
pub fn render_data(data: Data, out_dir: &Path) -> Result<Rendered> {
    let fig = find(data.figure())?;
    finish(fig, data, None, 0.0, out_dir, Instant::now())
}

/// Computes and draws every figure that has a `compute` (all but the training
/// figures) at `size` into `out_dir`, one after the other on the same
/// `progress`. This is the entry point of `reproduce`.
pub fn render_all(size: Size, out_dir: &Path, progress: &Progress) -> Result<Vec<Rendered>> {
    figures()
        .iter()
        .filter(|f| f.compute.is_some())
        .map(|f| render(f, size, out_dir, progress))
        .collect()
}

/// Draws the training figures from a training results file (the schema of
/// [`training::Results`]) into `out_dir`.
pub fn render_training(results: &Path, out_dir: &Path) -> Result<Vec<Rendered>> {
    [training::BOXPLOT, training::CURVES]
        .iter()
        .map(|f| redraw(f, results, out_dir))
        .collect()
}

/// Redraws `fig` from a file without recomputing: a saved `NAME.json` of that
/// figure, or (training figures) a training results file.
pub fn redraw(fig: &Figure, from: &Path, out_dir: &Path) -> Result<Rendered> {
    let start = Instant::now();
    let text = std::fs::read_to_string(from)
        .map_err(|e| Error::input(from, format!("cannot read: {e}")))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::input(from, format!("not valid JSON: {e}")))?;
    let (data, size) = if json.get("figure").is_some() {
        let saved = Saved::from_json_str(&text, &from.display().to_string())?;
        (saved.data, saved.size)
    } else if fig.compute.is_none() {
        let results = training::Results::from_json_str(&text, &from.display().to_string())?;
        (
            training::data_for(fig.name, &results).map_err(|e| Error::input(from, e))?,
            None,
        )
    } else {
        return Err(Error::input(
            from,
            format!("not a saved figure (no \"figure\" field); expected the {}.json written by `diceproof plot`", fig.name),
        ));
    };
    if data.figure() != fig.name {
        return Err(Error::input(
            from,
            format!("holds data of figure {}, not {}", data.figure(), fig.name),
        ));
    }
    finish(fig, data, size, 0.0, out_dir, start)
}

/// Writes `NAME.json` and, when tabular, `NAME.csv`.
fn save_data(saved: &Saved, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let name = saved.data.figure();
    let json_path = out_dir.join(format!("{name}.json"));
    write(&json_path, &saved.to_json_string()?)?;
    let mut files = vec![json_path];
    if let Some(csv) = saved.data.csv() {
        let csv_path = out_dir.join(format!("{name}.csv"));
        write(&csv_path, &csv)?;
        files.push(csv_path);
    }
    Ok(files)
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::input(path, format!("cannot write: {e}")))
}

/// The data variant a draw function expects, or an error naming both figures.
fn mismatch(expected: &str, data: &Data) -> Error {
    Error::Mismatch(format!(
        "figure {expected} cannot draw data of figure {}",
        data.figure()
    ))
}

/// Exact spread of `pair` over every count tuple on n voxels (chunks by TP in
/// parallel, merged; the same result as `diceproof compare`).
pub fn exact_spread(pair: &Pair, n: u64) -> Result<Spread> {
    (0..count_space::chunks(n))
        .into_par_iter()
        .map(|tp| count_space::run_chunk(pair, n, tp))
        .try_reduce(Spread::default, |mut a, b| {
            a.merge(b);
            Ok(a)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_found() {
        let mut names: Vec<&str> = figures().iter().map(|f| f.name).collect();
        for n in &names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{n}");
            assert_eq!(find(n).unwrap().name, *n);
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), figures().len());
        let err = find("nope").unwrap_err().to_string();
        assert!(
            err.contains("dice-jaccard-scatter") && err.contains("all"),
            "{err}"
        );
    }

    #[test]
    fn captions_are_one_sentence() {
        for f in figures() {
            assert!(f.caption.ends_with('.'), "{}", f.name);
            assert!(
                !f.caption.trim_end_matches('.').contains(". "),
                "{}",
                f.name
            );
        }
    }

    #[test]
    fn data_computed_elsewhere_is_rendered() {
        let dir = tempfile::tempdir().unwrap();
        let probs = crate::risk::parse_probs("3/4,1/4").unwrap();
        let data = risk::compute(&[probs], &Progress::none()).unwrap();
        let r = render_data(Data::RiskThreshold(data), dir.path()).unwrap();
        assert_eq!(r.name, "risk-threshold");
        assert_eq!(r.files.len(), 4);
        assert!(r.files.iter().all(|f| f.exists()));
        let saved: Saved =
            serde_json::from_str(&std::fs::read_to_string(&r.files[0]).unwrap()).unwrap();
        assert_eq!((saved.size, saved.data.figure()), (None, "risk-threshold"));
    }

    #[test]
    fn sizes_parse() {
        assert_eq!("quick".parse::<Size>().unwrap(), Size::Quick);
        assert!("huge".parse::<Size>().is_err());
    }
}
