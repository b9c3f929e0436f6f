//! Output helpers shared by the commands: exact values as JSON strings, aligned
//! text tables, and the `specs` listing.

use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value as Json};

use crate::error::Result;
use crate::measures::spec::registry;
use crate::measures::{EmptyPolicy, Value};

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
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// `diceproof specs`: the measure registry and the empty-mask policies.
pub fn specs(args: &SpecsArgs) -> Result<ExitCode> {
    if args.json {
        let measures: Vec<Json> = registry()
            .iter()
            .map(|m| json!({"name": m.name, "aliases": m.aliases, "syntax": m.syntax, "summary": m.summary}))
            .collect();
        let policies: Vec<&str> = EmptyPolicy::ALL.iter().map(|p| p.0).collect();
        let doc = json!({"measures": measures, "empty_policies": policies, "default_empty_policy": EmptyPolicy::default().name()});
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![vec!["spec".to_string(), "meaning".to_string()]];
    for m in registry() {
        let mut syntax = m.syntax.to_string();
        if !m.aliases.is_empty() {
            syntax.push_str(&format!(" (also {})", m.aliases.join(", ")));
        }
        rows.push(vec![syntax, m.summary.to_string()]);
    }
    print!("{}", table(&rows));
    println!();
    println!("Numbers are exact: 3/10, 0.3 (= 3/10), 1e-2 (= 1/100).");
    println!(
        "Empty masks (0/0) follow --empty: one (default: similarity 1, loss 0), zero, nan, error."
    );
    Ok(ExitCode::SUCCESS)
}
