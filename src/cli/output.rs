//! Output helpers shared by the commands: exact values as JSON strings, aligned
//! text tables, and the `specs` listing.

use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value as Json};

use crate::error::{Error, Result};
use crate::measures::expr::{EXPR_SUMMARY, EXPR_SYNTAX};
use crate::measures::spec::registry;
use crate::measures::{EmptyPolicy, Value};
use crate::surrogates::soft::{parse_soft, SOFT_REGISTRY};

/// An exact value as JSON: the string `p/q` (or `nan`).
pub fn exact_json(v: &Value) -> Json {
    Json::String(v.to_string())
}

/// A value's decimal as JSON: a number, or null when undefined.
pub fn decimal_json(v: &Value) -> Json {
    let x = v.to_f64();
    if x.is_finite() {
        json!(x)
    } else {
        Json::Null
    }
}

/// An exact value with its decimal beside it, for tables: `3/4 (0.75)`.
pub fn exact_with_decimal(v: &Value) -> String {
    match v {
        Value::Exact(q) => {
            let p = crate::exact::format_q(q);
            let d = crate::exact::decimal(q);
            if p == d {
                p
            } else {
                format!("{p} ({d})")
            }
        }
        Value::NaN => "nan".to_string(),
    }
}

/// Renders rows as a left-aligned table with two spaces between columns.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                let pad = widths[c] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Arguments of `diceproof specs`.
#[derive(Debug, Args)]
pub struct SpecsArgs {
    /// Show one spec family in full (`monai-dice`, `soft-dice`, `expr`, `tversky`, …).
    name: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// One row of the listing: every spec family, hard, expression, soft or preset.
struct Entry {
    kind: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    syntax: &'static str,
    summary: &'static str,
    options: &'static str,
    peer: Option<&'static str>,
}

fn entries() -> Vec<Entry> {
    let mut out: Vec<Entry> = registry()
        .iter()
        .map(|m| Entry {
            kind: "count",
            name: m.name,
            aliases: m.aliases,
            syntax: m.syntax,
            summary: m.summary,
            options: "",
            peer: None,
        })
        .collect();
    out.push(Entry {
        kind: "count",
        name: "expr",
        aliases: &[],
        syntax: EXPR_SYNTAX,
        summary: EXPR_SUMMARY,
        options: "",
        peer: None,
    });
    out.extend(SOFT_REGISTRY.iter().map(|s| Entry {
        kind: if s.peer.is_some() { "preset" } else { "soft" },
        name: s.name,
        aliases: &[],
        syntax: s.syntax,
        summary: s.summary,
        options: s.options,
        peer: s.peer,
    }));
    out
}

/// Details only one spec's defaults can give: its canonical spec at the defaults,
/// its equivalent form and its restriction to hard predictions.
fn details(e: &Entry) -> (Option<String>, Option<String>, Option<String>) {
    if e.kind == "count" {
        return (None, None, None);
    }
    match parse_soft(e.name) {
        Ok(l) => (Some(l.spec()), l.equivalent(), l.hard_restriction()),
        Err(_) => (None, None, None),
    }
}

fn entry_json(e: &Entry) -> Json {
    let (default, equivalent, hard) = details(e);
    json!({
        "kind": e.kind,
        "name": e.name,
        "aliases": e.aliases,
        "syntax": e.syntax,
        "summary": e.summary,
        "options": e.options,
        "mirrors": e.peer,
        "default": default,
        "equivalent": equivalent,
        "on_hard_predictions": hard,
    })
}

/// `diceproof specs`: every spec family (count measures, `expr:`, soft losses,
/// `soft-expr:`, peer presets) and the empty-mask policies; `specs NAME` for one.
pub fn specs(args: &SpecsArgs) -> Result<ExitCode> {
    let all = entries();
    if let Some(name) = &args.name {
        let key = name.trim().to_ascii_lowercase();
        let key = key.split(':').next().unwrap_or("");
        let e = all
            .iter()
            .find(|e| e.name == key || e.aliases.contains(&key))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "specs: unknown spec {name:?}; known: {}",
                    all.iter().map(|e| e.name).collect::<Vec<_>>().join(", ")
                ))
            })?;
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&entry_json(e)).unwrap_or_default()
            );
            return Ok(ExitCode::SUCCESS);
        }
        let (default, equivalent, hard) = details(e);
        let mut rows = vec![
            vec![format!("{}:", e.name), e.kind.to_string()],
            vec!["syntax".into(), e.syntax.to_string()],
            vec!["formula".into(), e.summary.to_string()],
        ];
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                rows.push(vec![k.to_string(), v]);
            }
        };
        add(
            "aliases",
            (!e.aliases.is_empty()).then(|| e.aliases.join(", ")),
        );
        add("options", Some(e.options.to_string()));
        add("mirrors", e.peer.map(str::to_string));
        add("defaults", default);
        add("equivalent", equivalent);
        add("on hard predictions", hard);
        print!("{}", table(&rows));
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        let pick = |kind: &str| -> Vec<Json> {
            all.iter()
                .filter(|e| e.kind == kind)
                .map(entry_json)
                .collect()
        };
        let measures: Vec<Json> = all
            .iter()
            .filter(|e| e.kind == "count")
            .map(|m| json!({"name": m.name, "aliases": m.aliases, "syntax": m.syntax, "summary": m.summary}))
            .collect();
        let policies: Vec<&str> = EmptyPolicy::ALL.iter().map(|p| p.0).collect();
        let doc = json!({
            "measures": measures,
            "soft": pick("soft"),
            "presets": pick("preset"),
            "empty_policies": policies,
            "default_empty_policy": EmptyPolicy::default().name(),
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let section = |title: &str, kind: &str, with_peer: bool| {
        let mut rows = vec![if with_peer {
            vec![
                "spec".to_string(),
                "mirrors".to_string(),
                "meaning".to_string(),
            ]
        } else {
            vec!["spec".to_string(), "meaning".to_string()]
        }];
        for e in all.iter().filter(|e| e.kind == kind) {
            let mut syntax = e.syntax.to_string();
            if !e.aliases.is_empty() {
                syntax.push_str(&format!(" (also {})", e.aliases.join(", ")));
            }
            let mut row = vec![syntax];
            if with_peer {
                row.push(
                    e.peer
                        .unwrap_or("")
                        .split(" (")
                        .next()
                        .unwrap_or("")
                        .to_string(),
                );
            }
            row.push(e.summary.split_whitespace().collect::<Vec<_>>().join(" "));
            rows.push(row);
        }
        println!("{title}");
        print!("{}", table(&rows));
        println!();
    };
    section(
        "Count measures (exact, on confusion counts):",
        "count",
        false,
    );
    section(
        "Soft losses (probabilities p, labels y; I = Σp·y; compare --grid/--random, search, measure on maps):",
        "soft",
        false,
    );
    section(
        "Peer presets (the library's keyword names and defaults; `specs NAME` for options and equivalent forms):",
        "preset",
        true,
    );
    println!("Numbers are exact: 3/10, 0.3 (= 3/10), 1e-2 (= 1/100).");
    println!(
        "Empty masks (0/0) follow --empty: one (default: similarity 1, loss 0), zero, nan, error; \
         nan-if-gt-empty is MONAI's default (nan whenever the ground truth is empty, and for 0/0)."
    );
    Ok(ExitCode::SUCCESS)
}
