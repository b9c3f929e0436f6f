//! Statistics for the training comparison (theory.md claim 11): paired Wilcoxon
//! signed-rank tests over test images, Holm correction over the family of pairwise
//! tests, descriptive summaries, and the report with its plain-words verdicts.
//!
//! ```text
//! results.json ─► training (parse, average over seeds per slice, pair by slice)
//!              ─► wilcoxon (exact ranks on rational differences, exact p for n ≤ 50)
//!              ─► holm (family-wise adjustment per metric)
//!              ─► TrainingReport (summary per loss, p-value matrix, H1/H2 verdicts;
//!                 JSON and Markdown)
//! ```
//!
//! Why a module of its own and not a statistics crate: none of the Rust crates
//! available here has a signed-rank test, and the crate's rule that reported
//! figures are exact extends to p-values: for the sample sizes of the comparison
//! they are rationals `count / 2^(n−1)`, and ties between per-image scores are
//! decided on the exact `p/q` scores, not on floats.
//!
//! Entry point for commands: [`report_from_file`].

pub mod holm;
mod markdown;
pub mod summary;
pub mod training;
pub mod wilcoxon;

pub use holm::holm;
pub use summary::{quantile, summarize, Summary};
pub use training::{report_from_file, ReportOptions, TrainingReport, TrainingResults};
pub use wilcoxon::{
    wilcoxon, wilcoxon_f64, Method, MethodChoice, Options, WilcoxonResult, ZeroPolicy,
};
