//! Helpers shared by the integration tests: run the built binary, compare with
//! golden files.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `diceproof` with arguments.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_diceproof"))
        .args(args)
        .output()
        .expect("the diceproof binary runs")
}

/// Stdout as a string, asserting success.
pub fn ok_stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "diceproof {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Stderr of a run that must fail with exit code 2 and print `error: ...`.
pub fn err_stderr(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "diceproof {args:?} should exit 2; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert!(!err.contains("panicked"), "panic: {err}");
    err
}

/// Compares `actual` with `tests/golden/NAME`; with UPDATE_GOLDEN=1 rewrites it.
pub fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with UPDATE_GOLDEN=1 once and review it",
            path.display()
        )
    });
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

/// The mricron-data templates, which `.ci/run` installs. Missing files fail the
/// test with the install command rather than skipping silently.
pub fn mricron(name: &str) -> String {
    let p = format!("/usr/share/mricron/templates/{name}");
    assert!(
        std::path::Path::new(&p).exists(),
        "{p} is missing: apt-get install mricron-data (the README's set-up step)"
    );
    p
}

/// Parsed JSON of a successful run's stdout.
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok_stdout(args)).expect("valid JSON")
}

/// Runs each `(command line, fragments)` case, the command line split on white
/// space, and asserts that it exits 2 with an error containing every fragment
/// (the option, the value, the accepted forms). Table-driven, so a new bad input
/// is one line.
pub fn assert_refused(cases: &[(&str, &[&str])]) {
    for (line, fragments) in cases {
        let args: Vec<&str> = line.split_whitespace().collect();
        refused(&args, fragments);
    }
}

/// Asserts that `args` exits 2 with an error containing every fragment.
pub fn refused(args: &[&str], fragments: &[&str]) {
    let err = err_stderr(args);
    for f in fragments {
        assert!(err.contains(f), "diceproof {args:?}: no {f:?} in: {err}");
    }
}

/// `measure --gt GT --pred PRED` followed by `extra` (file paths are passed as
/// single arguments, so they may contain spaces).
pub fn measure_args<'a>(gt: &'a str, pred: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["measure", "--gt", gt, "--pred", pred];
    args.extend_from_slice(extra);
    args
}

/// Writes a volume of `shape` holding `data` to `dir/name` (format by extension)
/// and returns the path as a string for the command line.
pub fn write_map(
    dir: &std::path::Path,
    name: &str,
    shape: Vec<usize>,
    data: diceproof::io::VoxelData,
) -> String {
    let path = dir.join(name);
    diceproof::io::write_volume(&path, &diceproof::io::Volume { shape, data })
        .expect("write a test volume");
    path.to_string_lossy().into_owned()
}

/// `search --target dice --candidate CANDIDATE --claim-factor FACTOR --json
/// --quiet` followed by `extra`, parsed.
pub fn search_dice(candidate: &str, factor: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "search",
        "--target",
        "dice",
        "--candidate",
        candidate,
        "--claim-factor",
        factor,
        "--json",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    json(&args)
}
