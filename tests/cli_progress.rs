//! Progress bars and Ctrl-C from the command line: bars reach a terminal's stderr
//! and nothing else (not stdout, not `--json`, not `--quiet`), and an
//! enumeration stops cleanly on Ctrl-C with its checkpoint saved (exit code 3).
//!
//! The bar test runs the binary under `script`, which gives it a pseudo-terminal
//! (util-linux's `script` is part of every Debian system): a bar is only ever
//! drawn on a terminal, so a pipe would show nothing either way.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A count-space job of a few seconds (about 3 s of CPU) on the shared 2-core machine: long
/// enough for a bar to appear (after one second), short enough for a test.
const LONG: &str = "compare --target dice --candidate jaccard --n 1000 --force";

/// Runs `diceproof ARGS > stdout_file` on a pseudo-terminal; returns what the
/// terminal showed (stderr) and the file (stdout).
fn on_terminal(args: &str, dir: &Path) -> (String, String) {
    let out_file = dir.join("stdout.txt");
    let cmd = format!(
        "{} {args} > {}",
        env!("CARGO_BIN_EXE_diceproof"),
        out_file.display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("`script` (util-linux, on every Debian system) runs the binary on a terminal");
    assert!(
        out.status.success(),
        "diceproof {args} failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = std::fs::read_to_string(&out_file).unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), stdout)
}

#[test]
fn bars_reach_a_terminal_on_stderr_only_and_never_with_json_or_quiet() {
    let dir = tempfile::tempdir().unwrap();

    let (terminal, stdout) = on_terminal(LONG, dir.path());
    assert!(
        terminal.contains("jaccard vs dice n=1000 (counts) [") && terminal.contains("% "),
        "no progress bar on the terminal: {terminal:?}"
    );
    assert!(
        !stdout.contains('['),
        "a bar leaked into stdout: {stdout:?}"
    );
    assert!(stdout.contains("1999/1000"), "{stdout}");

    let (terminal, stdout) = on_terminal(&format!("{LONG} --json"), dir.path());
    assert!(
        !terminal.contains("% "),
        "a bar was drawn under --json: {terminal:?}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is one JSON document");
    assert_eq!(v["n"], 1000);

    let (terminal, _) = on_terminal(&format!("{LONG} --quiet"), dir.path());
    assert!(
        !terminal.contains("% "),
        "a bar was drawn under --quiet: {terminal:?}"
    );
}

#[test]
fn ctrl_c_stops_an_enumeration_cleanly_with_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck.json");
    let child = Command::new(env!("CARGO_BIN_EXE_diceproof"))
        .args([
            "compare",
            "--target",
            "dice",
            "--candidate",
            "whamming:w=1/4",
            "--n",
            "4000",
            "--force",
            "--quiet",
            "--checkpoint",
        ])
        .arg(&ck)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The checkpoint appears after the first finished chunk: the run is under way
    // (and the handler installed, before the first chunk starts).
    let start = Instant::now();
    while !ck.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no checkpoint after 60 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "Ctrl-C should stop with exit code 3; stderr: {stderr}"
    );
    assert!(
        stderr.contains("interrupted after") && stderr.contains("--checkpoint to resume"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "an interrupted run printed a result");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ck).unwrap()).unwrap();
    let done = saved["done"].as_array().unwrap().len();
    assert!((1..4001).contains(&done), "{done} of 4001 chunks saved");
}
