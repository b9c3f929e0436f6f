//! The `reproduce` report: one Markdown page that says which statements hold,
//! which fail, with what constant or witness, and shows the figures.
//!
//! The report is assembled from data, never recomputed here: the claim entries
//! are exactly the objects of `claims.json` (the `diceproof check --json`
//! format), the figures are what [`crate::plots`] rendered, and the training
//! section (when asked for) is the Markdown of [`crate::stats::training`]. So the
//! page, the JSON next to it and the figures cannot disagree.

use std::path::Path;

use crate::claims::schema::ClaimEntry;
use crate::claims::{Scope, Status};
use crate::plots::Rendered;

/// What the report header says about the run.
pub struct Header<'a> {
    /// The command line that produced the report.
    pub command: &'a str,
    /// The size preset: quick, default or full.
    pub size: &'a str,
    /// Wall time of the whole run in seconds.
    pub seconds: f64,
}

/// Longest witness text shown in the table; the full witness is in claims.json.
const WITNESS_CHARS: usize = 160;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn short(text: &str) -> String {
    if text.chars().count() <= WITNESS_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(WITNESS_CHARS).collect();
    format!("{cut}… (full witness in claims.json)")
}

/// The "machine-checked" cell of one claim entry: its Coq theorem and file, or "no".
fn coq_cell(entry: &ClaimEntry) -> String {
    match &entry.coq {
        Some(c) => format!("`{}` ({})", c.theorem, c.file),
        None => "no".to_string(),
    }
}

/// The "for all n" cell of one claim entry: the SMT verdict, or "no machine proof".
fn smt_cell(entry: &ClaimEntry) -> String {
    entry
        .smt
        .as_ref()
        .map_or_else(|| "no machine proof".to_string(), |s| s.summary.clone())
}

/// The "constant or witness" cell of one claim entry.
fn constant_or_witness(entry: &ClaimEntry) -> String {
    let constant = entry.constant.as_ref().map(ToString::to_string);
    let witness = entry.witness.as_ref().map(|w| w.to_string());
    match (constant, witness) {
        (Some(c), Some(w)) if entry.status != Status::Holds => {
            format!("`{}`; witness `{}`", c, short(&w))
        }
        (Some(c), _) => format!("`{c}`"),
        (None, Some(w)) => format!("witness `{}`", short(&w)),
        (None, None) => "-".into(),
    }
}

/// The "scope" cell: the kinds of the parts, weakest last, e.g.
/// `exhaustive (2), sampled (1)`.
fn scope_cell(entry: &ClaimEntry) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for k in ["exhaustive", "grid", "family", "sampled"] {
        let c = entry.scope.iter().filter(|p| p.scope.kind() == k).count();
        if c > 0 {
            kinds.push((k, c));
        }
    }
    if kinds.is_empty() {
        return "**none listed**".into();
    }
    kinds
        .iter()
        .map(|(k, c)| format!("{k} ({c})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One part of a scope in the details list.
fn part_line(what: &str, scope: &Scope) -> String {
    format!("  - {what}: {scope}\n")
}

/// The Markdown report.
pub fn markdown(
    header: &Header,
    claims: &[ClaimEntry],
    figures: &[Rendered],
    figure_dir: &str,
    training: Option<&str>,
) -> String {
    let bad = claims.iter().filter(|c| !c.as_expected).count();
    let mut s = String::new();
    s.push_str("# diceproof: claims, witnesses and figures\n\n");
    s.push_str(&format!(
        "Produced by `{}` (diceproof {}, {} sizes) in {:.1} s. Every number below is exact \
         (`p/q`) unless marked otherwise; `claims.json` holds the full results in the \
         `diceproof check --json` format.\n\n",
        header.command,
        env!("CARGO_PKG_VERSION"),
        header.size,
        header.seconds
    ));
    s.push_str(&format!(
        "**{} claims checked: {} as expected, {} contradicting their statements.**\n\n",
        claims.len(),
        claims.len() - bad,
        bad
    ));
    s.push_str(
        "| claim | statement | status | scope | constant or witness | size checked | time | machine-checked | for all n |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for c in claims {
        let status = c.status.name();
        let mark = if c.as_expected {
            format!("{status} ✓")
        } else {
            format!("**{status}: expected {}**", c.expected.name())
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | n = {} | {:.2} s | {} | {} |\n",
            c.name,
            cell(&c.statement),
            mark,
            scope_cell(c),
            cell(&constant_or_witness(c)),
            c.n,
            c.seconds,
            coq_cell(c),
            cell(&smt_cell(c))
        ));
    }
    s.push_str(
        "\nStatus: `holds` = confirmed exactly on every configuration up to the size (every \
         part of the check exhaustive); `holds on grid` / `holds on family` / `holds on \
         sample` = no counterexample, but the weakest part of the check covered only a \
         stated grid, a stated family of instances, or seeded random points; `refuted` = a \
         witness, re-verified exactly, contradicts the statement as the claim predicts; \
         `constant` = a tight constant computed with its attaining configuration. The scope \
         column counts the parts of each check by kind; the details below list every part. \
         Each claim's proof is `proofs/<claim>.md` in the repository; \"machine-checked\" \
         names the Coq theorem (in `proofs/coq/`, checked by `make -C proofs/coq`) that \
         proves the claim's statement for every size; \"for all n\": the claim's SMT \
         obligation (`proofs/smt/<claim>.*.smt2`) was unsat for the solvers named, a proof \
         for every image size, or `no machine proof` where the statement is not expressible \
         or no solver decided it.\n\n",
    );
    s.push_str("## Details\n\n");
    for c in claims {
        s.push_str(&format!("- `{}`: {}\n", c.name, c.details.join("; ")));
        for p in &c.scope {
            s.push_str(&part_line(&p.what, &p.scope));
        }
    }
    if !figures.is_empty() {
        s.push_str("\n## Figures\n\n");
        for f in figures {
            let file = |ext: &str| {
                f.files
                    .iter()
                    .find(|p| p.extension().is_some_and(|e| e == ext))
                    .and_then(|p| p.file_name())
                    .map(|n| format!("{figure_dir}/{}", n.to_string_lossy()))
            };
            s.push_str(&format!("### {}\n\n", f.name));
            if let Some(png) = file("png") {
                s.push_str(&format!("![{}]({png})\n\n", cell(&f.caption)));
            }
            s.push_str(&format!("{}\n\n", f.caption));
            let mut links = Vec::new();
            for ext in ["svg", "json", "csv"] {
                if let Some(p) = file(ext) {
                    links.push(format!("[{ext}]({p})"));
                }
            }
            if !links.is_empty() {
                s.push_str(&format!("Files: {}.\n\n", links.join(", ")));
            }
        }
    }
    if let Some(t) = training {
        s.push_str("\n## Training on real MRI\n\n");
        s.push_str(t);
        s.push('\n');
    }
    s.push_str(
        "\n## Reproducing a single result\n\n\
         `diceproof check NAME --n N` reruns one claim at any size up to its maximum \
         (`diceproof claims` lists them); `diceproof plot NAME --out DIR` redraws one \
         figure, or `--from DIR/NAME.json` without recomputing.\n",
    );
    s
}

/// Writes `text` to `path` through a temporary file, so an interrupted run never
/// leaves a half-written report.
pub fn write_atomic(path: &Path, text: &str) -> crate::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .map_err(|e| crate::Error::input(&tmp, format!("cannot write: {e}")))?;
    std::fs::rename(&tmp, path).map_err(|e| crate::Error::input(path, format!("cannot write: {e}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::claims::schema::CoqRef;
    use crate::claims::Part;

    fn entry(name: &str, statement: &str, status: Status, expected: Status) -> ClaimEntry {
        ClaimEntry {
            name: name.into(),
            statement: statement.into(),
            status,
            expected,
            as_expected: status == expected,
            n: 3,
            requested_n: 3,
            constant: None,
            witness: None,
            scope: vec![Part::new("every y", Scope::exhaustive("n ≤ 3"))],
            proof: format!("proofs/{name}.md"),
            details: Vec::new(),
            seconds: 0.5,
            coq: None,
            smt: None,
        }
    }

    #[test]
    fn table_marks_contradictions_and_escapes_cells() {
        let mut a = entry("a", "x | y", Status::Holds, Status::Holds);
        a.constant = Some(crate::claims::schema::Constant::Exact(
            crate::exact::parse_rational("1/2").unwrap(),
        ));
        a.details = vec!["d1".into(), "d2".into()];
        let mut b = entry("b", "s", Status::Refuted, Status::Holds);
        b.witness = Some(json!({"y": "01"}));
        b.scope
            .push(Part::new("random", Scope::sampled(10, "splitmix64", 7)));
        a.coq = Some(CoqRef {
            file: "proofs/coq/a.v".into(),
            theorem: "a_thm".into(),
        });
        let claims = vec![a, b];
        let h = Header {
            command: "diceproof reproduce",
            size: "default",
            seconds: 1.0,
        };
        let md = markdown(&h, &claims, &[], "figures", Some("training text"));
        assert!(md.contains("2 claims checked: 1 as expected, 1 contradicting"));
        assert!(md.contains("x \\| y"));
        assert!(md.contains("**refuted: expected holds**"));
        assert!(md.contains("witness `{\"y\":\"01\"}`"));
        assert!(md.contains("- `a`: d1; d2\n  - every y: exhaustive: n ≤ 3\n"));
        assert!(md.contains("| exhaustive (1), sampled (1) |"));
        assert!(md.contains("random: sampled: 10 points, splitmix64, seed 0x7"));
        assert!(md.contains("| `a_thm` (proofs/coq/a.v) |"));
        assert!(md.contains("| 0.50 s | no |"));
        assert!(md.contains("## Training on real MRI\n\ntraining text"));
    }

    #[test]
    fn long_witnesses_are_cut() {
        let w = "x".repeat(500);
        assert!(short(&w).ends_with("(full witness in claims.json)"));
        assert_eq!(short("abc"), "abc");
    }
}
