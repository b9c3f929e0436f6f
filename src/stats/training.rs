//! The training comparison: per-image Dice and Jaccard of several losses over
//! several seeds, turned into summaries, pairwise signed-rank tests, Holm-adjusted
//! p-values and plain-words verdicts on theory.md claim 11.
//!
//! # The hypotheses
//!
//! * **H1**: the metric-sensitive losses ([`METRIC_SENSITIVE`]: soft Dice, soft
//!   Jaccard, Lovász) beat the cross-entropy-based ones ([`CE_BASED`]: CE, weighted
//!   CE) on per-image Dice and Jaccard.
//! * **H2**: there is no significant difference among the metric-sensitive losses.
//!
//! # Pairing: average over seeds per slice, then pair by slice
//!
//! Each test image (a slice) is scored once per loss and seed. The unit of the
//! test is the slice: for each loss, a slice's score is the exact mean of its
//! scores over the seeds, and two losses are compared on the slices both have. We
//! do not pair per (seed, slice): the same slice under different seeds is the same
//! image, its scores are strongly correlated, and counting it once per seed would
//! inflate n and make the p-values too small. Averaging over seeds keeps one
//! observation per image (independent-ish: slices of one volume are neighbours,
//! which the report states rather than hides) and still uses every run.
//!
//! # Empty slices
//!
//! A record with `"empty": true` has an empty ground truth, where Dice and
//! Jaccard are 0/0 and any number would be a convention. Such slices are left out
//! of every test, for every loss (a slice flagged empty anywhere is dropped
//! everywhere, so the pairing stays aligned), and counted separately in the report.
//!
//! # Exactness
//!
//! Scores are read from the exact `p/q` strings when present (the `*_f64` fields
//! only when the exact one is missing, read as the exact value of the double), so
//! seed means and paired differences are rationals and rank ties are decided on
//! rationals. When both are present they must agree to 1e-9, which catches a
//! writer that mixed up columns. The f64 values feed only the descriptive
//! summaries.
//!
//! # Verdicts
//!
//! Per metric, all pairs of losses form one family for Holm's correction, at level
//! [`ReportOptions::alpha`]. A pair is significant when its adjusted p < α, and the
//! winner is the loss with the larger rank sum. A verdict is *inconclusive* when a
//! pair it depends on could not reach significance whatever the data: with n
//! paired slices the smallest two-sided exact p is 2^(1−n) (all differences
//! nonzero and of one sign), and every Holm-adjusted p of a family of m tests is
//! at least m times the smallest raw one. Reachability is judged on the number of
//! paired slices, not on the nonzero differences: many exactly equal scores are
//! evidence of no difference, not a lack of data.
//! H2 "supported" means only that no difference was detected; the text says so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde::{Deserialize, Serialize};

use super::holm::holm;
use super::markdown::p_str;
use super::summary::{summarize, Summary};
use super::wilcoxon::{wilcoxon, Direction, Options, WilcoxonResult};
use crate::error::{Error, Result};
use crate::exact::{parse_rational, q_to_f64, Q};

/// Losses that target the metric (H1's winners, H2's family).
pub const METRIC_SENSITIVE: [&str; 3] = ["soft-dice", "soft-jaccard", "lovasz"];

/// Cross-entropy-based losses (H1's losers).
pub const CE_BASED: [&str; 2] = ["ce", "wce"];

/// Largest allowed gap between an exact score and its `*_f64` companion.
pub const F64_TOLERANCE: f64 = 1e-9;

/// The results file written by the training run (schema in
/// [`crate::schema::results`]).
pub use crate::schema::results::{CurvePoint, ImageResult, TrainingResults};

/// Settings of the report.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Family-wise significance level for the Holm-adjusted p-values.
    pub alpha: f64,
    /// Options of every signed-rank test.
    pub wilcoxon: Options,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            alpha: 0.05,
            wilcoxon: Options::default(),
        }
    }
}

/// The two metrics compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Dice (F1).
    Dice,
    /// Jaccard (IoU).
    Jaccard,
}

impl Metric {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Dice => "Dice",
            Metric::Jaccard => "Jaccard",
        }
    }
}

/// Descriptive summary of one loss under one metric (seed-averaged per slice).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossSummary {
    /// Loss name.
    pub loss: String,
    /// Summary over slices.
    pub summary: Summary,
}

/// One pairwise test: differences are `a − b` per slice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairTest {
    /// First loss.
    pub a: String,
    /// Second loss.
    pub b: String,
    /// Slices both losses have.
    pub n_slices: usize,
    /// The signed-rank test on the differences `a − b`.
    pub test: WilcoxonResult,
    /// Holm-adjusted p over the metric's family.
    pub p_holm: f64,
    /// `p_holm < alpha`.
    pub significant: bool,
    /// The loss with the larger rank sum, when significant.
    #[serde(deserialize_with = "crate::schema::required")]
    pub better: Option<String>,
    /// Whether this pair could reach significance at all (see module docs).
    pub reachable: bool,
}

/// Outcome of a hypothesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The numbers support it.
    Supported,
    /// The numbers do not support it (or contradict it).
    NotSupported,
    /// The data cannot decide (missing losses, too few images).
    Inconclusive,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::NotSupported => "not supported",
            Status::Inconclusive => "inconclusive",
        }
    }
}

/// A verdict in words, derived from the numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// `H1` or `H2`.
    pub hypothesis: String,
    /// The outcome.
    pub status: Status,
    /// One or two sentences with the figures behind the outcome.
    pub text: String,
}

/// Everything about one metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricReport {
    /// Which metric.
    pub metric: Metric,
    /// One summary per loss, in report order.
    pub per_loss: Vec<LossSummary>,
    /// All pairs (i < j in report order), Holm-adjusted together.
    pub pairs: Vec<PairTest>,
    /// Lower bound of every Holm-adjusted p in the family, given the pair sizes.
    pub holm_floor: f64,
    /// Verdict on H1.
    pub h1: Verdict,
    /// Verdict on H2.
    pub h2: Verdict,
}

/// The statistics section of the training comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// Segmentation task.
    pub task: String,
    /// Settings used.
    pub options: ReportOptions,
    /// Number of per-image records read.
    pub n_records: usize,
    /// Records flagged empty (skipped).
    pub n_empty_records: usize,
    /// Slices dropped because they are flagged empty in some record.
    pub empty_slices: Vec<u64>,
    /// Slices used in at least one test.
    pub n_slices: usize,
    /// Losses in report order (known losses first, then others by name).
    pub losses: Vec<String>,
    /// Seeds seen per loss.
    pub seeds: BTreeMap<String, Vec<u64>>,
    /// Dice, then Jaccard.
    pub metrics: Vec<MetricReport>,
    /// Caveats found in the data (unbalanced seeds, inconsistent empty flags, …).
    pub notes: Vec<String>,
}

/// Reads a results file and builds the report with default options.
pub fn report_from_file(path: impl AsRef<Path>) -> Result<TrainingReport> {
    report_from_file_with(path, &ReportOptions::default())
}

/// Reads a results file and builds the report.
pub fn report_from_file_with(
    path: impl AsRef<Path>,
    opts: &ReportOptions,
) -> Result<TrainingReport> {
    let path = path.as_ref();
    TrainingReport::from_results(&TrainingResults::read(path)?, opts)
}

/// Seed-averaged exact scores per loss and slice.
type Table = BTreeMap<String, BTreeMap<u64, [Q; 2]>>;

/// Seed-averaged exact scores per loss and image, for any image key (a slice, or
/// (task, slice) when pooling).
type TableOf<K> = BTreeMap<String, BTreeMap<K, [Q; 2]>>;

/// A results file reduced to seed-averaged exact scores, with what was dropped.
struct Built {
    table: Table,
    losses: Vec<String>,
    seeds: BTreeMap<String, BTreeSet<u64>>,
    empty_slices: BTreeSet<u64>,
    n_empty_records: usize,
    notes: Vec<String>,
}

fn check_alpha(opts: &ReportOptions) -> Result<()> {
    if !(opts.alpha > 0.0 && opts.alpha < 1.0) {
        return Err(Error::invalid(format!(
            "significance level must lie strictly between 0 and 1, got {}",
            opts.alpha
        )));
    }
    Ok(())
}

impl Built {
    fn from_results(results: &TrainingResults) -> Result<Built> {
        let mut notes = Vec::new();
        let mut seen = BTreeSet::new();
        let mut empty_slices = BTreeSet::new();
        let mut nonempty_slices = BTreeSet::new();
        let mut n_empty_records = 0;
        // loss → slice → seed → [dice, jaccard]
        let mut raw: BTreeMap<String, BTreeMap<u64, BTreeMap<u64, [Q; 2]>>> = BTreeMap::new();
        let mut seeds: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        for (i, r) in results.per_image.iter().enumerate() {
            let at = || {
                format!(
                    "per_image[{i}] (loss {:?}, seed {}, slice {})",
                    r.loss, r.seed, r.slice
                )
            };
            if r.loss.trim().is_empty() {
                return Err(Error::invalid(format!("{}: the loss name is empty", at())));
            }
            if !seen.insert((r.loss.clone(), r.seed, r.slice)) {
                return Err(Error::invalid(format!(
                    "{}: a second record for the same loss, seed and slice",
                    at()
                )));
            }
            seeds.entry(r.loss.clone()).or_default().insert(r.seed);
            if r.empty {
                n_empty_records += 1;
                empty_slices.insert(r.slice);
                continue;
            }
            nonempty_slices.insert(r.slice);
            let dice = read_score(r.dice.as_deref(), r.dice_f64, "dice", &at)?;
            let jaccard = read_score(r.jaccard.as_deref(), r.jaccard_f64, "jaccard", &at)?;
            raw.entry(r.loss.clone())
                .or_default()
                .entry(r.slice)
                .or_default()
                .insert(r.seed, [dice, jaccard]);
        }
        let inconsistent: Vec<u64> = empty_slices
            .intersection(&nonempty_slices)
            .copied()
            .collect();
        if !inconsistent.is_empty() {
            notes.push(format!(
                "{} slice(s) flagged empty in some records and not in others ({}); dropped everywhere",
                inconsistent.len(),
                list(&inconsistent)
            ));
        }
        let seed_sets: BTreeSet<&BTreeSet<u64>> = seeds.values().collect();
        if seed_sets.len() > 1 {
            notes.push("losses were trained with different seed sets; slice means average over the seeds each loss has".into());
        }
        let mut table: Table = BTreeMap::new();
        let mut unbalanced = 0;
        for (loss, slices) in &raw {
            let all = &seeds[loss];
            for (slice, by_seed) in slices {
                if empty_slices.contains(slice) {
                    continue;
                }
                if by_seed.len() != all.len() {
                    unbalanced += 1;
                }
                let k = Q::from_integer(BigInt::from(by_seed.len()));
                let mut sum = [Q::zero(), Q::zero()];
                for s in by_seed.values() {
                    sum[0] += &s[0];
                    sum[1] += &s[1];
                }
                let [d, j] = sum;
                table
                    .entry(loss.clone())
                    .or_default()
                    .insert(*slice, [d / &k, j / &k]);
            }
        }
        if unbalanced > 0 {
            notes.push(format!(
                "{unbalanced} (loss, slice) cell(s) lack some of the loss's seeds; their mean is over the seeds present"
            ));
        }
        let mut losses: Vec<String> = table.keys().cloned().collect();
        losses.sort_by_key(|l| (order_key(l), l.clone()));
        for l in seeds.keys() {
            if !table.contains_key(l) {
                notes.push(format!("loss {l:?} has no non-empty slice and is left out"));
            }
        }
        if losses.is_empty() {
            return Err(Error::invalid(
                "training results: no loss has a non-empty test slice, nothing to compare",
            ));
        }
        Ok(Built {
            table,
            losses,
            seeds,
            empty_slices,
            n_empty_records,
            notes,
        })
    }
}

impl TrainingReport {
    /// Builds the report from parsed results.
    pub fn from_results(results: &TrainingResults, opts: &ReportOptions) -> Result<TrainingReport> {
        check_alpha(opts)?;
        let Built {
            table,
            losses,
            seeds,
            empty_slices,
            n_empty_records,
            mut notes,
        } = Built::from_results(results)?;
        let used: BTreeSet<u64> = table.values().flat_map(|m| m.keys().copied()).collect();
        notes.push(
            "slices of one volume are neighbours, so the per-slice observations are not fully independent; \
             the p-values treat them as independent"
                .into(),
        );
        let metrics = [Metric::Dice, Metric::Jaccard]
            .into_iter()
            .map(|m| metric_report(m, &losses, &table, opts))
            .collect::<Result<Vec<_>>>()?;
        Ok(TrainingReport {
            task: results.task.clone(),
            options: *opts,
            n_records: results.per_image.len(),
            n_empty_records,
            empty_slices: empty_slices.into_iter().collect(),
            n_slices: used.len(),
            seeds: seeds
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect(),
            losses,
            metrics,
            notes,
        })
    }

    /// Pretty-printed JSON (the `stats.json` of a task).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::invalid(format!("cannot serialise the training report: {e}")))
    }

    /// Parses a task's `stats.json`; `source` names it in errors, and serde's
    /// message names the missing or mistyped field.
    pub fn from_json_str(text: &str, source: &str) -> Result<TrainingReport> {
        serde_json::from_str(text).map_err(|e| {
            Error::source(
                source,
                format!("not a training statistics file (stats.json): {e}"),
            )
        })
    }

    /// Reads a task's `stats.json`.
    pub fn read(path: &Path) -> Result<TrainingReport> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::source(path.display().to_string(), format!("cannot read: {e}")))?;
        TrainingReport::from_json_str(&text, &path.display().to_string())
    }

    /// The report section in Markdown: setup, per-metric tables, verdicts.
    pub fn to_markdown(&self) -> String {
        super::markdown::render(self)
    }
}

fn list(xs: &[u64]) -> String {
    xs.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Known losses first in a fixed order, then the rest by name.
fn order_key(loss: &str) -> usize {
    CE_BASED
        .iter()
        .chain(METRIC_SENSITIVE.iter())
        .position(|l| *l == loss)
        .unwrap_or(usize::MAX)
}

fn read_score(
    exact: Option<&str>,
    approx: Option<f64>,
    name: &str,
    at: &dyn Fn() -> String,
) -> Result<Q> {
    let q = match (exact, approx) {
        (Some(s), _) => {
            parse_rational(s).map_err(|e| Error::invalid(format!("{}: {name}: {e}", at())))?
        }
        (None, Some(x)) => Q::from_float(x).ok_or_else(|| {
            Error::invalid(format!("{}: {name}_f64 is {x}, not a finite number", at()))
        })?,
        (None, None) => {
            return Err(Error::invalid(format!(
                "{}: not flagged empty but has neither {name} nor {name}_f64",
                at()
            )))
        }
    };
    if q.is_negative() || q > Q::one() {
        return Err(Error::invalid(format!(
            "{}: {name} = {} is outside [0, 1]",
            at(),
            q_to_f64(&q)
        )));
    }
    if let (Some(_), Some(x)) = (exact, approx) {
        if (q_to_f64(&q) - x).abs() > F64_TOLERANCE {
            return Err(Error::invalid(format!(
                "{}: {name} {} and {name}_f64 {x} disagree",
                at(),
                exact.unwrap_or_default()
            )));
        }
    }
    Ok(q)
}

fn metric_report<K: Ord>(
    metric: Metric,
    losses: &[String],
    table: &TableOf<K>,
    opts: &ReportOptions,
) -> Result<MetricReport> {
    let idx = metric as usize;
    let per_loss = losses
        .iter()
        .map(|l| {
            let xs: Vec<f64> = table[l].values().map(|s| q_to_f64(&s[idx])).collect();
            Ok(LossSummary {
                loss: l.clone(),
                summary: summarize(&xs, &format!("{} of {l}", metric.name()))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut tests = Vec::new();
    for (i, a) in losses.iter().enumerate() {
        for b in &losses[i + 1..] {
            let (ta, tb) = (&table[a], &table[b]);
            let diffs: Vec<Q> = ta
                .iter()
                .filter_map(|(slice, sa)| tb.get(slice).map(|sb| &sa[idx] - &sb[idx]))
                .collect();
            let test = wilcoxon(&diffs, &opts.wilcoxon)?;
            tests.push((a.clone(), b.clone(), diffs.len(), test));
        }
    }
    let raw: Vec<f64> = tests.iter().map(|t| t.3.p_value).collect();
    let adjusted = holm(&raw)?;
    let m = tests.len() as f64;
    let n_max = tests.iter().map(|t| t.2).max().unwrap_or(0);
    let holm_floor = (m * min_p(n_max)).min(1.0);
    let pairs: Vec<PairTest> = tests
        .into_iter()
        .zip(adjusted)
        .map(|((a, b, n_slices, test), p_holm)| {
            let significant = p_holm < opts.alpha;
            let better = match (significant, test.direction) {
                (true, Direction::Positive) => Some(a.clone()),
                (true, Direction::Negative) => Some(b.clone()),
                _ => None,
            };
            let reachable = holm_floor < opts.alpha && min_p(n_slices) < opts.alpha;
            PairTest {
                a,
                b,
                n_slices,
                test,
                p_holm,
                significant,
                better,
                reachable,
            }
        })
        .collect();
    let evidence = Evidence {
        name: metric.name(),
        losses,
        pairs: &pairs,
        alpha: opts.alpha,
        floor: holm_floor,
    };
    let (h1, h2) = (evidence.h1(), evidence.h2());
    Ok(MetricReport {
        metric,
        per_loss,
        pairs,
        holm_floor,
        h1,
        h2,
    })
}

/// Smallest attainable two-sided p with n nonzero differences: 2^(1−n), capped at 1.
fn min_p(n: usize) -> f64 {
    if n == 0 {
        1.0
    } else {
        (2.0f64).powi(1 - n as i32).min(1.0)
    }
}

fn find<'a>(pairs: &'a [PairTest], x: &str, y: &str) -> Option<&'a PairTest> {
    pairs
        .iter()
        .find(|p| (p.a == x && p.b == y) || (p.a == y && p.b == x))
}

fn pair_words(p: &PairTest) -> String {
    match &p.better {
        Some(w) => {
            let l = if *w == p.a { &p.b } else { &p.a };
            format!("{w} > {l} (adjusted p = {})", p_str(p.p_holm))
        }
        None => format!(
            "{} vs {} (adjusted p = {}, n = {})",
            p.a,
            p.b,
            p_str(p.p_holm),
            p.test.n
        ),
    }
}

fn present<'a>(losses: &'a [String], class: &[&str]) -> Vec<&'a String> {
    class
        .iter()
        .filter_map(|c| losses.iter().find(|l| l == c))
        .collect()
}

/// The verdict on hypothesis `h` for the metric `name`: its text opens with the
/// hypothesis, the status's own label and the metric, so the words can never
/// disagree with the status; `detail` gives the numbers behind it.
fn verdict(h: &str, status: Status, name: &str, detail: String) -> Verdict {
    Verdict {
        hypothesis: h.into(),
        status,
        text: format!("{h} {} for {name}: {detail}", status.label()),
    }
}

/// The pair tests in words, `; `-separated.
fn pairs_words(v: &[&PairTest]) -> String {
    v.iter()
        .map(|p| pair_words(p))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What both hypotheses are judged on, for one metric.
struct Evidence<'a> {
    /// The metric's name.
    name: &'a str,
    /// The losses in the results.
    losses: &'a [String],
    /// Every pair test, Holm-adjusted.
    pairs: &'a [PairTest],
    /// The significance level.
    alpha: f64,
    /// The smallest attainable Holm-adjusted p.
    floor: f64,
}

impl Evidence<'_> {
    fn h1(&self) -> Verdict {
        let (name, alpha) = (self.name, self.alpha);
        let ms = present(self.losses, &METRIC_SENSITIVE);
        let ce = present(self.losses, &CE_BASED);
        if ms.is_empty() || ce.is_empty() {
            return verdict(
                "H1",
                Status::Inconclusive,
                name,
                format!(
                    "the results lack {} losses",
                    if ms.is_empty() {
                        "metric-sensitive"
                    } else {
                        "CE-based"
                    }
                ),
            );
        }
        let mut wins = Vec::new();
        let mut reversed = Vec::new();
        let mut open = Vec::new();
        for m in &ms {
            for c in &ce {
                let Some(p) = find(self.pairs, m, c) else {
                    continue;
                };
                match &p.better {
                    Some(w) if w == *m => wins.push(p),
                    Some(_) => reversed.push(p),
                    None => open.push(p),
                }
            }
        }
        let total = ms.len() * ce.len();
        if wins.len() == total {
            let worst = wins.iter().map(|p| p.p_holm).fold(0.0, f64::max);
            verdict(
                "H1",
                Status::Supported,
                name,
                format!(
                    "every metric-sensitive loss beats every CE-based loss, \
                 Holm-adjusted p < {alpha} in {total}/{total} pairs (largest adjusted p = {})",
                    p_str(worst)
                ),
            )
        } else if !reversed.is_empty() {
            verdict(
                "H1",
                Status::NotSupported,
                name,
                format!(
                    "a CE-based loss is significantly better in {}/{total} pairs ({}); \
                 metric-sensitive significantly better in {}/{total}",
                    reversed.len(),
                    pairs_words(&reversed),
                    wins.len()
                ),
            )
        } else if open.iter().any(|p| !p.reachable) {
            verdict(
            "H1",
            Status::Inconclusive,
            name,
            format!(
                "too few paired images for significance to be attainable \
                 (smallest attainable adjusted p = {}); metric-sensitive significantly better in {}/{total} pairs, \
                 not decided: {}",
                p_str(self.floor.max(open.iter().map(|p| min_p(p.n_slices)).fold(0.0, f64::max))),
                wins.len(),
                pairs_words(&open)
            ),
        )
        } else {
            verdict(
                "H1",
                Status::NotSupported,
                name,
                format!(
                    "metric-sensitive loss significantly better in only {}/{total} pairs \
                 at Holm-adjusted p < {alpha}; no significant difference: {}",
                    wins.len(),
                    pairs_words(&open)
                ),
            )
        }
    }

    fn h2(&self) -> Verdict {
        let (name, alpha) = (self.name, self.alpha);
        let ms = present(self.losses, &METRIC_SENSITIVE);
        if ms.len() < 2 {
            return verdict(
                "H2",
                Status::Inconclusive,
                name,
                "fewer than two metric-sensitive losses in the results".to_string(),
            );
        }
        let mut family = Vec::new();
        for (i, a) in ms.iter().enumerate() {
            for b in &ms[i + 1..] {
                if let Some(p) = find(self.pairs, a, b) {
                    family.push(p);
                }
            }
        }
        let sig: Vec<&PairTest> = family.iter().copied().filter(|p| p.significant).collect();
        let smallest = family.iter().map(|p| p.p_holm).fold(1.0, f64::min);
        if !sig.is_empty() {
            verdict(
                "H2",
                Status::NotSupported,
                name,
                format!(
                    "metric-sensitive losses differ in {}/{} pairs: {}",
                    sig.len(),
                    family.len(),
                    pairs_words(&sig)
                ),
            )
        } else if family.iter().any(|p| !p.reachable) {
            verdict(
            "H2",
            Status::Inconclusive,
            name,
            format!(
                "no significant difference among metric-sensitive losses, \
                 but too few paired images for any difference to be detectable (smallest attainable adjusted p = {})",
                p_str(self.floor)
            ),
        )
        } else {
            verdict(
            "H2",
            Status::Supported,
            name,
            format!(
                "no significant difference among metric-sensitive losses \
                 (smallest adjusted p = {} ≥ {alpha} over {} pairs; absence of a detected difference, \
                 not proof of equality)",
                p_str(smallest),
                family.len()
            ),
        )
        }
    }
}

impl MetricReport {
    /// The pair test of two losses, in either order.
    pub fn pair(&self, x: &str, y: &str) -> Option<&PairTest> {
        find(&self.pairs, x, y)
    }
}

impl Verdict {
    /// `supported`, `not supported` or `inconclusive`.
    pub fn label(&self) -> &'static str {
        self.status.label()
    }
}

mod pooled;
pub use pooled::{write_pooled, MeanRank, PooledReport, TaskLine};

#[cfg(test)]
mod tests;
