//! `diceproof reproduce`: the report lists every registered claim, claims.json is
//! the `check --json` format, every figure is produced and non-trivial, an
//! interrupted run resumes, and training input is handled explicitly.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};

use common::{err_stderr, ok_stdout, run};
use serde_json::Value;

fn png_ok(path: &Path) -> bool {
    let Ok(f) = File::open(path) else {
        return false;
    };
    let mut reader = png::Decoder::new(f).read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let bytes = &buf[..info.buffer_size()];
    let px = info.color_type.samples();
    info.width >= 400 && info.height >= 300 && bytes.chunks(px).any(|p| p != &bytes[..px])
}

fn registered() -> Vec<String> {
    let v: Value = serde_json::from_str(&ok_stdout(&["claims", "--json"])).unwrap();
    v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn quick_report_lists_every_claim_and_figure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let stdout = ok_stdout(&["reproduce", "--quick", "--out", o, "--quiet"]);
    assert!(stdout.contains("0 contradicting"), "{stdout}");
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    let claims: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("claims.json")).unwrap()).unwrap();
    let names = registered();
    assert_eq!(claims["claims"].as_array().unwrap().len(), names.len());
    for name in &names {
        assert!(
            report.contains(&format!("| `{name}` |")),
            "{name} missing from the report"
        );
        let entry = claims["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name.as_str())
            .expect("entry");
        assert_eq!(entry["as_expected"], true, "{entry}");
    }
    // Every computed figure: PNG and SVG present, PNG decodes and is not blank,
    // and the report embeds it.
    let plots: Vec<PathBuf> = std::fs::read_dir(out.join("figures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert!(plots.len() >= 6, "{plots:?}");
    for png in &plots {
        assert!(png_ok(png), "{} is blank or broken", png.display());
        let svg = png.with_extension("svg");
        assert!(
            std::fs::metadata(&svg).unwrap().len() > 2000,
            "{}",
            svg.display()
        );
        let name = png.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            report.contains(&format!("(figures/{name})")),
            "{name} not embedded"
        );
    }
    assert!(!out.join("claims.partial.json").exists());
}

#[test]
fn resume_reuses_finished_claims() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A finished entry from an "interrupted" run at the quick size of the first
    // claim: --resume must reuse it verbatim (the marker shows up in the report).
    let first = &registered()[0];
    let quick: Value = serde_json::from_str(&ok_stdout(&["claims", "--json"])).unwrap();
    let n = quick["claims"][0]["quick_n"].as_u64().unwrap();
    let mut partial = serde_json::json!({"claims": [{
        "name": first, "statement": "s", "status": "holds", "expected": "holds",
        "as_expected": true, "n": n, "requested_n": n, "constant": "1", "witness": null,
        "scope": [{"what": "every configuration", "kind": "exhaustive", "over": "n ≤ 1"}],
        "proof": "p", "details": ["RESUMED-MARKER"], "seconds": 0.0}]});
    std::fs::write(out.join("claims.partial.json"), partial.to_string()).unwrap();
    let o = out.to_str().unwrap();
    ok_stdout(&["reproduce", "--quick", "--out", o, "--quiet", "--resume"]);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("RESUMED-MARKER"));
    assert!(report.contains("every configuration: exhaustive: n ≤ 1"));
    let claims: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("claims.json")).unwrap()).unwrap();
    for c in claims["claims"].as_array().unwrap() {
        assert!(!c["scope"].as_array().unwrap().is_empty(), "{c}");
    }

    // A partial file from before scopes existed is an error naming the field,
    // never resumed with a guessed scope.
    partial["claims"][0]
        .as_object_mut()
        .unwrap()
        .remove("scope");
    std::fs::write(out.join("claims.partial.json"), partial.to_string()).unwrap();
    let r = run(&["reproduce", "--quick", "--out", o, "--quiet", "--resume"]);
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("claims.partial.json") && err.contains("`scope`"),
        "{err}"
    );
}

#[test]
fn training_input_is_explicit() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("out");
    let o = o.to_str().unwrap();
    let missing = dir.path().join("none.json");
    let err = err_stderr(&[
        "reproduce",
        "--quick",
        "--out",
        o,
        "--training-results",
        missing.to_str().unwrap(),
    ]);
    assert!(err.contains("no such training results file"), "{err}");
    if !cfg!(feature = "training") {
        let r = run(&[
            "reproduce",
            "--quick",
            "--out",
            o,
            "--with-training",
            "--quiet",
        ]);
        assert_eq!(r.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&r.stderr).contains("--features training"));
    }
}
