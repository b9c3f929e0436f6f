//! The `reproduce` report: one Markdown page that says which statements hold,
//! which fail, with what constant or witness, and shows the figures.
//!
//! The report is assembled from data, never recomputed here: the claim entries
//! are exactly the objects of `claims.json` (the `diceproof check --json`
//! format), the figures are what [`crate::plots`] rendered, and the training
//! section (when asked for) is the Markdown of [`crate::stats::training`]. So the
//! page, the JSON next to it and the figures cannot disagree.

use std::path::Path;

use serde_json::Value as Json;

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

/// The "constant or witness" cell of one claim entry.
fn constant_or_witness(entry: &Json) -> String {
    let constant = entry["constant"].as_str();
    let witness = match &entry["witness"] {
        Json::Null => None,
        w => Some(w.to_string()),
    };
    match (constant, witness) {
        (Some(c), Some(w)) if entry["status"] != "holds" => {
            format!("`{}`; witness `{}`", c, short(&w))
        }
        (Some(c), _) => format!("`{c}`"),
        (None, Some(w)) => format!("witness `{}`", short(&w)),
        (None, None) => "-".into(),
    }
}

/// The Markdown report.
pub fn markdown(
    header: &Header,
    claims: &[Json],
    figures: &[Rendered],
    figure_dir: &str,
    training: Option<&str>,
) -> String {
    let bad = claims.iter().filter(|c| c["as_expected"] != true).count();
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
        "| claim | statement | status | constant or witness | size checked | time | for all n |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|\n");
    for c in claims {
        let status = c["status"].as_str().unwrap_or("?");
        let mark = if c["as_expected"] == true {
            format!("{status} ✓")
        } else {
            format!(
                "**{status}: expected {}**",
                c["expected"].as_str().unwrap_or("?")
            )
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | n = {} | {:.2} s | {} |\n",
            c["name"].as_str().unwrap_or("?"),
            cell(c["statement"].as_str().unwrap_or("")),
            mark,
            cell(&constant_or_witness(c)),
            c["n"],
            c["seconds"].as_f64().unwrap_or(0.0),
            cell(c["smt"]["summary"].as_str().unwrap_or("no machine proof"))
        ));
    }
    s.push_str(
        "\nStatus: `holds` = confirmed exactly on every configuration up to the size; \
         `refuted` = a witness, re-verified exactly, contradicts the statement as the \
         claim predicts; `constant` = a tight constant computed with its attaining \
         configuration. Each claim's proof is `proofs/<claim>.md` in the repository. \
         `for all n`: the claim's SMT obligation (`proofs/smt/<claim>.*.smt2`) was \
         unsat for the solvers named, a proof for every image size; `no machine proof` \
         where the statement is not expressible or no solver decided it.\n\n",
    );
    s.push_str("## Details\n\n");
    for c in claims {
        s.push_str(&format!("- `{}`:", c["name"].as_str().unwrap_or("?")));
        if let Some(d) = c["details"].as_array() {
            let lines: Vec<&str> = d.iter().filter_map(|x| x.as_str()).collect();
            s.push_str(&format!(" {}", lines.join("; ")));
        }
        s.push('\n');
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

    #[test]
    fn table_marks_contradictions_and_escapes_cells() {
        let claims = vec![
            json!({"name": "a", "statement": "x | y", "status": "holds", "expected": "holds",
                   "as_expected": true, "n": 3, "constant": "1/2", "witness": null,
                   "details": ["d1", "d2"], "seconds": 0.5}),
            json!({"name": "b", "statement": "s", "status": "refuted", "expected": "holds",
                   "as_expected": false, "n": 2, "constant": null, "witness": {"y": "01"},
                   "details": [], "seconds": 0.1}),
        ];
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
        assert!(md.contains("- `a`: d1; d2"));
        assert!(md.contains("## Training on real MRI\n\ntraining text"));
    }

    #[test]
    fn long_witnesses_are_cut() {
        let w = "x".repeat(500);
        assert!(short(&w).ends_with("(full witness in claims.json)"));
        assert_eq!(short("abc"), "abc");
    }
}
