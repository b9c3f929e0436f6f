//! Markdown rendering of a [`TrainingReport`]: kept apart from the statistics so
//! that the numbers and their layout can change independently.

use std::fmt::Write;

use super::training::{MetricReport, TrainingReport};
use super::wilcoxon::{Method, ZeroPolicy};

/// The report section: setup, then per metric a summary table, the matrix of
/// Holm-adjusted p-values, the list of pairwise tests, and the verdicts.
pub fn render(r: &TrainingReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Training comparison: {}\n", r.task);
    let seeds: Vec<String> = r
        .seeds
        .iter()
        .map(|(l, v)| format!("{l} ({})", v.len()))
        .collect();
    let _ = writeln!(
        s,
        "{} per-image records; losses and number of seeds: {}. \
         {} empty-ground-truth record(s) skipped ({} slice(s) dropped from every test); \
         {} slice(s) used.\n",
        r.n_records,
        seeds.join(", "),
        r.n_empty_records,
        r.empty_slices.len(),
        r.n_slices
    );
    let _ = writeln!(
        s,
        "Each slice's score is the exact mean over seeds; losses are paired by slice. \
         Tests: two-sided Wilcoxon signed-rank ({}, average ranks for ties decided on exact \
         rationals, exact null distribution for n ≤ 50, normal approximation with tie and continuity \
         correction above). Holm correction over all {} pairs per metric, α = {}. \
         Quartiles: Hyndman–Fan type 7.\n",
        match r.options.wilcoxon.zeros {
            ZeroPolicy::Wilcoxon => "zero differences dropped, Wilcoxon's rule",
            ZeroPolicy::Pratt => "zero differences ranked then left out of the sums, Pratt's rule",
        },
        r.metrics.first().map_or(0, |m| m.pairs.len()),
        r.options.alpha
    );
    for m in &r.metrics {
        metric_section(&mut s, &r.losses, m);
    }
    if !r.notes.is_empty() {
        let _ = writeln!(s, "**Caveats**\n");
        for n in &r.notes {
            let _ = writeln!(s, "- {n}");
        }
        s.push('\n');
    }
    s
}

/// One metric's summary table, p-value matrix, pair list and verdicts.
pub(super) fn metric_section(s: &mut String, losses: &[String], m: &MetricReport) {
    let name = m.metric.name();
    let _ = writeln!(s, "### {name}\n");
    let _ = writeln!(s, "| loss | n | mean ± sd | median | q1–q3 |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for l in &m.per_loss {
        let u = &l.summary;
        let sd = u.sd.map_or("—".to_string(), |x| format!("{x:.4}"));
        let _ = writeln!(
            s,
            "| {} | {} | {:.4} ± {} | {:.4} | {:.4}–{:.4} |",
            l.loss, u.n, u.mean, sd, u.median, u.q1, u.q3
        );
    }
    let _ = writeln!(
        s,
        "\nHolm-adjusted p-values (row vs column; ▲ row significantly better, ▼ worse):\n"
    );
    let _ = write!(s, "| |");
    for l in losses {
        let _ = write!(s, " {l} |");
    }
    let _ = write!(s, "\n|---|");
    for _ in losses {
        let _ = write!(s, "---:|");
    }
    s.push('\n');
    for a in losses {
        let _ = write!(s, "| {a} |");
        for b in losses {
            if a == b {
                let _ = write!(s, " — |");
                continue;
            }
            match m.pair(a, b) {
                Some(p) => {
                    let mark = match &p.better {
                        Some(w) if w == a => " ▲",
                        Some(_) => " ▼",
                        None => "",
                    };
                    let _ = write!(s, " {}{mark} |", p_str(p.p_holm));
                }
                None => {
                    let _ = write!(s, " |");
                }
            }
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "\n| A | B | slices (nonzero) | W+ | W− | mean A−B | median A−B | p (method) | Holm p |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for p in &m.pairs {
        let t = &p.test;
        let method = match (t.method, &t.p_exact) {
            (Method::Exact, Some(q)) if q.denom().bits() <= 64 => {
                format!("exact {}", crate::exact::format_q(q))
            }
            (Method::Exact, _) => "exact".to_string(),
            (Method::Normal, _) => "normal".to_string(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} ({}) | {} | {} | {} | {} | {} ({method}) | {} |",
            p.a,
            p.b,
            p.n_slices,
            t.n,
            t.w_plus,
            t.w_minus,
            signed(t.mean_difference),
            signed(t.median_difference),
            p_str(t.p_value),
            p_str(p.p_holm)
        );
    }
    let _ = writeln!(s, "\n**Verdicts ({name})**\n");
    for v in [&m.h1, &m.h2] {
        let _ = writeln!(s, "- **{} {}** — {}", v.hypothesis, v.label(), v.text);
    }
    s.push('\n');
}

/// A p-value as the reports print it: `0`, scientific below 1e-4, else four
/// decimals (the verdict texts and the tables use this one form).
pub(super) fn p_str(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

/// Signed to four decimals, without a "-0.0000" for tiny negative values.
fn signed(x: f64) -> String {
    let s = format!("{x:+.4}");
    if s == "-0.0000" {
        "+0.0000".into()
    } else {
        s
    }
}
