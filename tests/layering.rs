//! Layering: the library's layers run io → masks/counts → measures → … → report →
//! cli, and nothing below `cli` may import `cli`. A library function that needs
//! something from the CLI is a sign the code lives in the wrong place (the growth
//! fit once did: it moved to `search::growth`). This scan reads every source file
//! outside `src/cli/` and `src/bin/` and fails on any code line that names
//! `crate::cli`, `super::cli` or a `crate::{…, cli, …}` group.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether a line of Rust code (not a comment) reaches into the `cli` module.
fn names_cli(line: &str) -> bool {
    let code = line.trim_start();
    if code.starts_with("//") {
        return false;
    }
    let code = code.split("//").next().unwrap_or("");
    if code.contains("crate::cli") || code.contains("super::cli") {
        return true;
    }
    // `use crate::{cli, …}` or `use crate::{…, cli::x}`.
    code.find("crate::{").is_some_and(|i| {
        code[i..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == "cli")
    })
}

#[test]
fn the_scan_recognises_imports_of_cli() {
    assert!(names_cli("use crate::cli::growth_exponent;"));
    assert!(names_cli("    let e = crate::cli::f(&x);"));
    assert!(names_cli("use crate::{cli, exact::Q};"));
    assert!(names_cli("use super::cli::x;"));
    assert!(!names_cli("//! is [`crate::cli::x`] in a doc comment"));
    assert!(!names_cli("use crate::claims::Outcome;"));
    assert!(!names_cli("use crate::{client, exact::Q};"));
}

#[test]
fn no_module_outside_cli_imports_cli() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 50,
        "expected the crate's sources under {}",
        src.display()
    );
    let offenders = library_lines(&src, &files, names_cli);
    assert!(
        offenders.is_empty(),
        "library code imports the CLI (move what it needs below `cli`):\n{}",
        offenders.join("\n")
    );
}

/// The lines `bad` flags in library code (every file under `src` outside `cli`
/// and `bin`), as `src/PATH:LINE: text`.
fn library_lines(src: &Path, files: &[PathBuf], bad: fn(&str) -> bool) -> Vec<String> {
    let mut offenders = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        if rel.starts_with("cli") || rel.starts_with("bin") {
            continue;
        }
        let text = fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if bad(line) {
                offenders.push(format!("src/{}:{}: {}", rel.display(), i + 1, line.trim()));
            }
        }
    }
    offenders
}

/// Whether a line of Rust code (not a comment) uses the terminal progress crate.
fn names_indicatif(line: &str) -> bool {
    let code = line.trim_start();
    !code.starts_with("//") && code.split("//").next().unwrap_or("").contains("indicatif")
}

#[test]
fn the_scan_recognises_indicatif() {
    assert!(names_indicatif("use indicatif::ProgressBar;"));
    assert!(names_indicatif(
        "    let b = indicatif::ProgressBar::hidden();"
    ));
    assert!(!names_indicatif("//! the CLI draws indicatif bars"));
}

/// Progress bars are drawn by the CLI only: library code reports through
/// `diceproof::progress::Progress` and never owns the terminal (issue 12, item 5).
#[test]
fn no_library_code_draws_progress_bars() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let offenders = library_lines(&src, &files, names_indicatif);
    assert!(
        offenders.is_empty(),
        "library code draws progress bars (report through crate::progress instead):\n{}",
        offenders.join("\n")
    );
}
