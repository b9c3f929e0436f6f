//! The comparison pooled over tasks, as the papers report it: per task the
//! verdicts of [`TrainingReport`], then one paired test over every test image of
//! every task, and the per-task mean ranks of the losses.
//!
//! # Pairing across tasks
//!
//! An image is a (task, slice) pair. Its score under a loss is, as within a task,
//! the exact mean over seeds; two losses are compared on the images both have,
//! with the same signed-rank test and Holm family as a single task
//! ([`super::metric_report`]). Pooling raises n from tens to about a hundred and
//! fifty, which is what can separate "no difference" from "too little data"; it
//! also weights a task by its number of slices, so the per-task mean ranks are
//! reported beside it: a loss that wins the pooled test on the strength of one
//! large task shows a poor mean rank on the others.
//!
//! # Mean ranks
//!
//! Within a task the losses are ranked by their exact mean score over the task's
//! images (1 = best, ties get the average rank), per metric; the mean rank of a
//! loss is the average of its ranks over the tasks that have it. With four tasks
//! no rank test (Friedman) can reach significance after correction, so the ranks
//! are descriptive, and the report says so.
//!
//! # Files
//!
//! [`write_pooled`] reads each task's `results.json` (for the scores) and
//! `stats.json` (for the task's verdicts, through [`TrainingReport::read`], the
//! same types that wrote it) and writes `stats.json` ([`PooledReport`]) and
//! `report.md` in the output directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use num_bigint::BigInt;
use num_traits::Zero;
use serde::{Deserialize, Serialize};

use super::{
    check_alpha, metric_report, order_key, Built, Metric, MetricReport, ReportOptions, Status,
    TableOf, TrainingReport, TrainingResults, Verdict,
};
use crate::error::{Error, Result};
use crate::exact::{q_to_f64, Q};

/// One task's line of the pooled report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskLine {
    /// Task name.
    pub task: String,
    /// Test slices with a defined score (used in the task's tests).
    pub n_slices: usize,
    /// Test slices left out because ground truth and prediction were both empty.
    pub n_empty_slices: usize,
    /// Seeds per loss (the largest count).
    pub seeds: usize,
    /// Mean Dice per loss over the task's slices (seed-averaged first).
    pub mean_dice: BTreeMap<String, f64>,
    /// Mean Jaccard per loss.
    pub mean_jaccard: BTreeMap<String, f64>,
    /// The task's verdicts: H1 and H2 for Dice, then for Jaccard.
    pub verdicts: Vec<TaskVerdict>,
}

/// A verdict of one task, with the metric it is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskVerdict {
    /// Dice or Jaccard.
    pub metric: Metric,
    /// The verdict as in the task's `stats.json`.
    pub verdict: Verdict,
    /// The largest Holm-adjusted p among the pairs the hypothesis rests on
    /// (metric-sensitive vs CE-based for H1, among metric-sensitive for H2);
    /// `null` when the task lacks those pairs.
    #[serde(deserialize_with = "crate::schema::required")]
    pub max_p_holm: Option<f64>,
    /// The smallest such p.
    #[serde(deserialize_with = "crate::schema::required")]
    pub min_p_holm: Option<f64>,
}

/// Mean rank of one loss under one metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeanRank {
    /// Dice or Jaccard.
    pub metric: Metric,
    /// Loss name.
    pub loss: String,
    /// Average of the per-task ranks (1 = best).
    pub mean_rank: f64,
    /// Rank in each task that has the loss, in the order of [`PooledReport::tasks`].
    pub ranks: Vec<f64>,
}

/// The pooled `stats.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PooledReport {
    /// Settings of every test.
    pub options: ReportOptions,
    /// One line per task.
    pub tasks: Vec<TaskLine>,
    /// Images (task, slice) used in at least one pooled test.
    pub n_images: usize,
    /// Losses in report order.
    pub losses: Vec<String>,
    /// Pooled tests and verdicts: Dice, then Jaccard.
    pub metrics: Vec<MetricReport>,
    /// Per-task mean ranks: every loss under Dice, then under Jaccard.
    pub mean_ranks: Vec<MeanRank>,
    /// What the numbers do and do not support, in plain sentences.
    pub conclusions: Vec<String>,
    /// Caveats.
    pub notes: Vec<String>,
}

/// Average ranks (1 = largest) of exact values; ties share the mean of their ranks.
fn ranks_desc(values: &[(String, Q)]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (l, v) in values {
        let greater = values.iter().filter(|(_, w)| w > v).count();
        let equal = values.iter().filter(|(_, w)| w == v).count();
        // Ranks greater+1 ..= greater+equal, averaged.
        out.insert(l.clone(), greater as f64 + (equal as f64 + 1.0) / 2.0);
    }
    out
}

fn mean_q(xs: impl Iterator<Item = Q>) -> Option<Q> {
    let mut n = 0i64;
    let mut sum = Q::zero();
    for x in xs {
        sum += x;
        n += 1;
    }
    (n > 0).then(|| sum / Q::from_integer(BigInt::from(n)))
}

fn hypothesis_ps(m: &MetricReport, h: &str) -> (Option<f64>, Option<f64>) {
    let ms = super::METRIC_SENSITIVE;
    let ce = super::CE_BASED;
    let ps: Vec<f64> = m
        .pairs
        .iter()
        .filter(|p| {
            let (a, b) = (p.a.as_str(), p.b.as_str());
            if h == "H1" {
                (ms.contains(&a) && ce.contains(&b)) || (ms.contains(&b) && ce.contains(&a))
            } else {
                ms.contains(&a) && ms.contains(&b)
            }
        })
        .map(|p| p.p_holm)
        .collect();
    let max = ps.iter().copied().reduce(f64::max);
    let min = ps.iter().copied().reduce(f64::min);
    (max, min)
}

impl PooledReport {
    /// Builds the pooled report from each task's results and statistics.
    pub fn build(
        tasks: &[(TrainingResults, TrainingReport)],
        opts: &ReportOptions,
    ) -> Result<PooledReport> {
        check_alpha(opts)?;
        if tasks.is_empty() {
            return Err(Error::invalid("pooled statistics need at least one task"));
        }
        let mut names = BTreeSet::new();
        let mut pooled: TableOf<(usize, u64)> = BTreeMap::new();
        let mut lines = Vec::new();
        let mut per_task_means: Vec<BTreeMap<String, [Q; 2]>> = Vec::new();
        let mut notes = Vec::new();
        for (ti, (results, stats)) in tasks.iter().enumerate() {
            if !names.insert(results.task.clone()) {
                return Err(Error::invalid(format!(
                    "task {:?} appears twice in the pooled statistics",
                    results.task
                )));
            }
            if stats.task != results.task {
                return Err(Error::invalid(format!(
                    "stats.json of task {:?} sits beside results.json of task {:?}",
                    stats.task, results.task
                )));
            }
            let built = Built::from_results(results)?;
            let mut means = BTreeMap::new();
            for (loss, by_slice) in &built.table {
                let d = mean_q(by_slice.values().map(|s| s[0].clone()));
                let j = mean_q(by_slice.values().map(|s| s[1].clone()));
                if let (Some(d), Some(j)) = (d, j) {
                    means.insert(loss.clone(), [d, j]);
                }
                for (slice, s) in by_slice {
                    pooled
                        .entry(loss.clone())
                        .or_default()
                        .insert((ti, *slice), s.clone());
                }
            }
            let mut verdicts = Vec::new();
            for m in &stats.metrics {
                for v in [&m.h1, &m.h2] {
                    let (max, min) = hypothesis_ps(m, &v.hypothesis);
                    verdicts.push(TaskVerdict {
                        metric: m.metric,
                        verdict: v.clone(),
                        max_p_holm: max,
                        min_p_holm: min,
                    });
                }
            }
            let used: BTreeSet<u64> = built
                .table
                .values()
                .flat_map(|m| m.keys().copied())
                .collect();
            lines.push(TaskLine {
                task: results.task.clone(),
                n_slices: used.len(),
                n_empty_slices: built.empty_slices.len(),
                seeds: built.seeds.values().map(BTreeSet::len).max().unwrap_or(0),
                mean_dice: means
                    .iter()
                    .map(|(l, v)| (l.clone(), q_to_f64(&v[0])))
                    .collect(),
                mean_jaccard: means
                    .iter()
                    .map(|(l, v)| (l.clone(), q_to_f64(&v[1])))
                    .collect(),
                verdicts,
            });
            per_task_means.push(means);
        }
        let mut losses: Vec<String> = pooled.keys().cloned().collect();
        losses.sort_by_key(|l| (order_key(l), l.clone()));
        let metrics = [Metric::Dice, Metric::Jaccard]
            .into_iter()
            .map(|m| metric_report(m, &losses, &pooled, opts))
            .collect::<Result<Vec<_>>>()?;
        let mut mean_ranks = Vec::new();
        for (mi, metric) in [Metric::Dice, Metric::Jaccard].into_iter().enumerate() {
            let per_task: Vec<BTreeMap<String, f64>> = per_task_means
                .iter()
                .map(|means| {
                    let v: Vec<(String, Q)> = means
                        .iter()
                        .map(|(l, s)| (l.clone(), s[mi].clone()))
                        .collect();
                    ranks_desc(&v)
                })
                .collect();
            for l in &losses {
                let ranks: Vec<f64> = per_task.iter().filter_map(|r| r.get(l).copied()).collect();
                let mean_rank = ranks.iter().sum::<f64>() / ranks.len().max(1) as f64;
                mean_ranks.push(MeanRank {
                    metric,
                    loss: l.clone(),
                    mean_rank,
                    ranks,
                });
            }
        }
        let n_images = pooled
            .values()
            .flat_map(|m| m.keys().copied())
            .collect::<BTreeSet<_>>()
            .len();
        notes.push(format!(
            "the pooled tests treat the {n_images} images as independent; they are slices of {} \
             volume(s) (neighbouring slices of one brain are correlated), so the pooled p-values are \
             optimistic about the evidence across subjects",
            tasks.len()
        ));
        notes.push(
            "the tasks come from two brains (Colin27 and the MNI152 template); this is a reproduction \
             on atlas-derived targets, not a multi-subject benchmark"
                .into(),
        );
        notes.push(format!(
            "mean ranks over {} task(s) are descriptive; no rank test is applied to them",
            tasks.len()
        ));
        let conclusions = conclusions(&lines, &metrics);
        Ok(PooledReport {
            options: *opts,
            tasks: lines,
            n_images,
            losses,
            metrics,
            mean_ranks,
            conclusions,
            notes,
        })
    }

    /// Pretty-printed JSON (the pooled `stats.json`).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::invalid(format!("cannot serialise the pooled report: {e}")))
    }

    /// Parses a pooled `stats.json`; `source` names it in errors.
    pub fn from_json_str(text: &str, source: &str) -> Result<PooledReport> {
        serde_json::from_str(text).map_err(|e| {
            Error::source(
                source,
                format!("not a pooled training statistics file (stats.json): {e}"),
            )
        })
    }

    /// Reads a pooled `stats.json`.
    pub fn read(path: &Path) -> Result<PooledReport> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::source(path.display().to_string(), format!("cannot read: {e}")))?;
        PooledReport::from_json_str(&text, &path.display().to_string())
    }

    /// The pooled report in Markdown.
    pub fn to_markdown(&self) -> String {
        render(self)
    }
}

fn count_status(lines: &[TaskLine], metric: Metric, h: &str, st: Status) -> Vec<String> {
    lines
        .iter()
        .filter(|l| {
            l.verdicts
                .iter()
                .any(|v| v.metric == metric && v.verdict.hypothesis == h && v.verdict.status == st)
        })
        .map(|l| l.task.clone())
        .collect()
}

/// Plain sentences: per hypothesis and metric, which tasks support it, and the
/// pooled verdict.
fn conclusions(lines: &[TaskLine], metrics: &[MetricReport]) -> Vec<String> {
    let mut out = Vec::new();
    for m in metrics {
        for v in [&m.h1, &m.h2] {
            let h = v.hypothesis.as_str();
            let what = if h == "H1" {
                "metric-sensitive losses beat CE-based ones"
            } else {
                "metric-sensitive losses do not differ"
            };
            let per = |st| {
                let t = count_status(lines, m.metric, h, st);
                if t.is_empty() {
                    "none".to_string()
                } else {
                    t.join(", ")
                }
            };
            out.push(format!(
                "{h} ({what}), {}: pooled over tasks {} — {}. Per task: supported in {}; not supported in {}; \
                 inconclusive in {}.",
                m.metric.name(),
                v.label(),
                v.text,
                per(Status::Supported),
                per(Status::NotSupported),
                per(Status::Inconclusive)
            ));
        }
    }
    out.push(
        "\"Supported\" for H2 means no difference was detected at the Holm-corrected level, not that \
         the losses are equal; \"not supported\" for H1 can mean a CE-based loss was as good or better."
            .into(),
    );
    out
}

fn render(r: &PooledReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Training comparison pooled over {} tasks\n",
        r.tasks.len()
    );
    let _ = writeln!(s, "### What the numbers support\n");
    for c in &r.conclusions {
        let _ = writeln!(s, "- {c}");
    }
    let _ = writeln!(s, "\n### Per task\n");
    let _ = write!(
        s,
        "| task | slices in the tests (dropped: both masks empty) | seeds |"
    );
    for l in &r.losses {
        let _ = write!(s, " {l} Dice / Jaccard |");
    }
    let _ = write!(s, "\n|---|---:|---:|");
    for _ in &r.losses {
        let _ = write!(s, "---:|");
    }
    s.push('\n');
    for t in &r.tasks {
        let _ = write!(
            s,
            "| {} | {} ({}) | {} |",
            t.task, t.n_slices, t.n_empty_slices, t.seeds
        );
        for l in &r.losses {
            match (t.mean_dice.get(l), t.mean_jaccard.get(l)) {
                (Some(d), Some(j)) => {
                    let _ = write!(s, " {d:.4} / {j:.4} |");
                }
                _ => {
                    let _ = write!(s, " — |");
                }
            }
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "\nVerdicts per task (Holm-adjusted p of the pairs each hypothesis rests on, largest / smallest):\n"
    );
    let _ = writeln!(
        s,
        "| task | H1 Dice | H2 Dice | H1 Jaccard | H2 Jaccard |\n|---|---|---|---|---|"
    );
    for t in &r.tasks {
        let _ = write!(s, "| {} |", t.task);
        for (metric, h) in [
            (Metric::Dice, "H1"),
            (Metric::Dice, "H2"),
            (Metric::Jaccard, "H1"),
            (Metric::Jaccard, "H2"),
        ] {
            match t
                .verdicts
                .iter()
                .find(|v| v.metric == metric && v.verdict.hypothesis == h)
            {
                Some(v) => {
                    let p = |x: Option<f64>| x.map_or("—".into(), crate::stats::markdown::p_str);
                    let _ = write!(
                        s,
                        " {} (p {} / {}) |",
                        v.verdict.label(),
                        p(v.max_p_holm),
                        p(v.min_p_holm)
                    );
                }
                None => {
                    let _ = write!(s, " — |");
                }
            }
        }
        s.push('\n');
    }
    let _ = writeln!(s, "\n### Mean ranks over tasks (1 = best)\n");
    let _ = writeln!(s, "| loss | Dice | Jaccard | Dice ranks per task |");
    let _ = writeln!(s, "|---|---:|---:|---|");
    for l in &r.losses {
        let get = |m: Metric| r.mean_ranks.iter().find(|x| x.metric == m && &x.loss == l);
        let (Some(d), Some(j)) = (get(Metric::Dice), get(Metric::Jaccard)) else {
            continue;
        };
        let per: Vec<String> = d.ranks.iter().map(|x| format!("{x}")).collect();
        let _ = writeln!(
            s,
            "| {l} | {:.2} | {:.2} | {} |",
            d.mean_rank,
            j.mean_rank,
            per.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\n### Pooled paired tests ({} images: (task, slice) pairs, seed-averaged)\n",
        r.n_images
    );
    for m in &r.metrics {
        crate::stats::markdown::metric_section(&mut s, &r.losses, m);
    }
    let _ = writeln!(s, "**Caveats**\n");
    for n in &r.notes {
        let _ = writeln!(s, "- {n}");
    }
    s
}

/// Reads `results.json` and `stats.json` beside each of `results` and writes the
/// pooled `stats.json` and `report.md` into `out`. Returns the report.
pub fn write_pooled(results: &[PathBuf], out: &Path) -> Result<PooledReport> {
    let mut tasks = Vec::new();
    for p in results {
        let r = TrainingResults::read(p)?;
        let sp = p.with_file_name("stats.json");
        let st = TrainingReport::read(&sp)?;
        tasks.push((r, st));
    }
    let report = PooledReport::build(&tasks, &ReportOptions::default())?;
    std::fs::create_dir_all(out).map_err(|e| Error::input(out, e.to_string()))?;
    let sp = out.join("stats.json");
    std::fs::write(&sp, report.to_json()?).map_err(|e| Error::input(&sp, e.to_string()))?;
    let rp = out.join("report.md");
    std::fs::write(&rp, report.to_markdown()).map_err(|e| Error::input(&rp, e.to_string()))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Results of one task: `n` slices, CE-based near 300/1000 Dice and the
    /// metric-sensitive ones `lift` thousandths higher, with alternating jitter.
    fn task(name: &str, n: u64, lift: i64) -> TrainingResults {
        let mut recs = Vec::new();
        for slice in 0..n {
            let base = 300 + 7 * slice as i64;
            let jit = if slice % 2 == 0 { 3 } else { -3 };
            for (loss, v) in [
                ("ce", base),
                ("wce", base + 2 * jit),
                ("soft-dice", base + lift),
                ("soft-jaccard", base + lift + jit),
                ("lovasz", base + lift - jit),
            ] {
                recs.push(json!({"loss": loss, "seed": 0, "fold": slice % 3, "slice": slice,
                    "empty": false, "dice": format!("{v}/1000"), "jaccard": format!("{v}/{}", 2000 - v),
                    "dice_f64": v as f64 / 1000.0, "jaccard_f64": v as f64 / (2000 - v) as f64}));
            }
        }
        let v = json!({"task": name, "per_image": recs, "curves": []});
        TrainingResults::from_json_str(&v.to_string(), name).unwrap()
    }

    fn with_stats(r: TrainingResults) -> (TrainingResults, TrainingReport) {
        let s = TrainingReport::from_results(&r, &ReportOptions::default()).unwrap();
        (r, s)
    }

    /// Three tasks too small to decide alone (6 slices each: the smallest Holm p
    /// is 10 · 2^-5) decide once pooled (18 images).
    #[test]
    fn pooling_decides_what_small_tasks_cannot() {
        let tasks: Vec<_> = ["a", "b", "c"]
            .into_iter()
            .map(|t| with_stats(task(t, 6, 100)))
            .collect();
        for (_, s) in &tasks {
            assert_eq!(s.metrics[0].h1.status, Status::Inconclusive);
        }
        let p = PooledReport::build(&tasks, &ReportOptions::default()).unwrap();
        assert_eq!(p.n_images, 18);
        assert_eq!(
            p.metrics[0].h1.status,
            Status::Supported,
            "{:?}",
            p.metrics[0].h1
        );
        // Mean ranks: CE is rank 5 or 4 everywhere, a metric-sensitive loss ranks first.
        let ce = p
            .mean_ranks
            .iter()
            .find(|m| m.metric == Metric::Dice && m.loss == "ce")
            .unwrap();
        assert!(ce.mean_rank >= 4.0, "{ce:?}");
        assert_eq!(ce.ranks.len(), 3);
        assert!(p.conclusions[0].contains("H1"));
        let md = p.to_markdown();
        assert!(md.contains("| a | 6 (0) | 1 |"), "{md}");
    }

    #[test]
    fn pooled_stats_round_trip_and_name_missing_fields() {
        let tasks: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|t| with_stats(task(t, 8, 50)))
            .collect();
        let p = PooledReport::build(&tasks, &ReportOptions::default()).unwrap();
        let text = p.to_json().unwrap();
        let back = PooledReport::from_json_str(&text, "s.json").unwrap();
        assert_eq!(back.to_json().unwrap(), text);
        for key in ["tasks", "metrics", "mean_ranks", "conclusions"] {
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            v.as_object_mut().unwrap().remove(key);
            let e = PooledReport::from_json_str(&v.to_string(), "s.json").unwrap_err();
            assert!(
                e.to_string().contains(&format!("missing field `{key}`"))
                    && e.to_string().contains("s.json"),
                "{e}"
            );
        }
        // A nested optional field must be present too.
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["metrics"][0]["pairs"][0]
            .as_object_mut()
            .unwrap()
            .remove("better");
        let e = PooledReport::from_json_str(&v.to_string(), "s.json").unwrap_err();
        assert!(e.to_string().contains("missing field `better`"), "{e}");
        // The task report round-trips through the same types.
        let t = tasks[0].1.to_json().unwrap();
        let back = TrainingReport::from_json_str(&t, "t.json").unwrap();
        assert_eq!(back, tasks[0].1);
    }

    #[test]
    fn ties_share_ranks_and_duplicates_are_refused() {
        let q = |n: i64| Q::new(BigInt::from(n), BigInt::from(10));
        let r = ranks_desc(&[("a".into(), q(5)), ("b".into(), q(7)), ("c".into(), q(5))]);
        assert_eq!((r["b"], r["a"], r["c"]), (1.0, 2.5, 2.5));
        let t = with_stats(task("a", 6, 10));
        let e = PooledReport::build(&[t.clone(), t], &ReportOptions::default()).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
    }
}
