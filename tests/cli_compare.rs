//! `compare`, `merge`, `claims` and `check` from the command line.

mod common;

use common::{assert_refused, err_stderr, golden, json, ok_stdout, run};
use serde_json::Value;

#[test]
fn compare_json_has_the_documented_shape() {
    let out = ok_stdout(&[
        "compare",
        "--target",
        "dice",
        "--candidate",
        "jaccard",
        "--n",
        "12",
        "--json",
        "--quiet",
    ]);
    golden("compare_dice_jaccard_12.json", &out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["configurations"], "16777216");
    assert_eq!(v["ratio"]["min"], "1");
    assert_eq!(v["ratio"]["max"], "23/12");
    assert_eq!(v["ratio"]["unbounded"], false);
    assert_eq!(v["abs_gap"]["max"], "35/204");
    assert_eq!(
        v["abs_gap"]["witness"],
        serde_json::json!({"tp": 5, "fp": 0, "fn": 7, "tn": 0})
    );
}

#[test]
fn voxel_mode_witnesses_carry_masks() {
    let out = ok_stdout(&[
        "compare",
        "--target",
        "dice",
        "--candidate",
        "jaccard",
        "--n",
        "4",
        "--mode",
        "voxels",
        "--json",
        "--quiet",
    ]);
    golden("compare_dice_jaccard_4_voxels.json", &out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ratio"]["max_witness"]["gt"], "1111");
    assert_eq!(v["ratio"]["max_witness"]["pred"], "1110");
}

#[test]
fn modes_agree_and_ranges_give_arrays() {
    let counts = json(&[
        "compare",
        "--target",
        "jaccard",
        "--candidate",
        "whamming:balanced",
        "--n",
        "1..=6",
        "--json",
        "--quiet",
    ]);
    let voxels = json(&[
        "compare",
        "--target",
        "jaccard",
        "--candidate",
        "whamming:balanced",
        "--n",
        "1..=6",
        "--mode",
        "voxels",
        "--json",
        "--quiet",
    ]);
    let (c, v) = (counts.as_array().unwrap(), voxels.as_array().unwrap());
    assert_eq!(c.len(), 6);
    for (a, b) in c.iter().zip(v) {
        for key in ["configurations", "skipped"] {
            assert_eq!(a[key], b[key]);
        }
        for key in ["min", "max", "unbounded", "max_finite", "spread"] {
            assert_eq!(a["ratio"][key], b["ratio"][key]);
        }
        assert_eq!(a["abs_gap"]["max"], b["abs_gap"]["max"]);
    }
}

#[test]
fn table_output() {
    let out = ok_stdout(&[
        "compare",
        "--target",
        "dice",
        "--candidate",
        "whamming:w=1/2",
        "--n",
        "1..=5",
        "--quiet",
    ]);
    golden("compare_dice_whamming_table.txt", &out);
}

#[test]
fn unbounded_ratio_is_reported_with_its_witness() {
    let v = json(&[
        "compare",
        "--target",
        "whamming:w=0",
        "--candidate",
        "dice",
        "--n",
        "3",
        "--json",
        "--quiet",
    ]);
    assert_eq!(v["ratio"]["unbounded"], true);
    assert_eq!(v["ratio"]["max"], "inf");
    assert_eq!(
        v["ratio"]["max_witness"],
        serde_json::json!({"tp": 0, "fp": 0, "fn": 1, "tn": 2})
    );
}

#[test]
fn shards_merge_into_the_whole_result() {
    let dir = tempfile::tempdir().unwrap();
    let whole = json(&[
        "compare",
        "--target",
        "dice",
        "--candidate",
        "tversky:a=1/4,b=3/4",
        "--n",
        "40",
        "--json",
        "--quiet",
    ]);
    let mut files = Vec::new();
    for k in 1..=3 {
        let out = ok_stdout(&[
            "compare",
            "--target",
            "dice",
            "--candidate",
            "tversky:a=1/4,b=3/4",
            "--n",
            "40",
            "--shard",
            &format!("{k}/3"),
            "--quiet",
        ]);
        let path = dir.path().join(format!("shard{k}.json"));
        std::fs::write(&path, out).unwrap();
        files.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge", "--json"];
    args.extend(files.iter().map(String::as_str));
    assert_eq!(json(&args), whole);
    // A missing shard is an error, not a partial answer.
    let err = err_stderr(&["merge", &files[0], &files[1]]);
    assert!(err.contains("shards missing: [3]"), "{err}");
    let err = err_stderr(&["merge", &files[0], &files[0], &files[1]]);
    assert!(err.contains("given twice"), "{err}");
}

#[test]
fn an_interrupted_checkpointed_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck.json");
    let ck = ck.to_str().unwrap();
    let args = [
        "compare",
        "--target",
        "jaccard",
        "--candidate",
        "hamming",
        "--n",
        "60",
        "--json",
        "--quiet",
        "--checkpoint",
        ck,
    ];
    let whole = json(&args[..9]);
    let mut interrupted = args.to_vec();
    interrupted.extend(["--stop-after-chunks", "5"]);
    let out = run(&interrupted);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("rerun with the same --checkpoint"));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(ck).unwrap()).unwrap();
    let done = saved["done"].as_array().unwrap().len();
    assert!((5..61).contains(&done), "{done} chunks saved");
    assert_eq!(json(&args), whole);
}

#[test]
fn large_runs_are_refused_with_an_estimate() {
    let pair = "compare --target dice --candidate jaccard";
    assert_refused(&[
        (
            &format!("{pair} --n 20 --mode voxels"),
            &["mask pairs", "--force"],
        ),
        (
            &format!("{pair} --n 1..=5 --checkpoint x.json"),
            &["single --n"],
        ),
        (&format!("{pair} --n 0"), &["--n expects"]),
        (&format!("{pair} --n 3 --empty nan"), &["needs a value"]),
    ]);
}

#[test]
fn claims_listing() {
    golden("claims.txt", &ok_stdout(&["claims"]));
}

#[test]
fn every_claim_has_its_expected_outcome_and_proof() {
    // Default sizes: what `diceproof check` and `reproduce` run.
    let v = json(&["check", "--json", "--quiet"]);
    let registered = json(&["claims", "--json"]);
    let defaults = registered["claims"].as_array().unwrap();
    let claims = v["claims"].as_array().unwrap();
    assert_eq!(claims.len(), defaults.len());
    for (c, d) in claims.iter().zip(defaults) {
        assert_eq!(c["name"], d["name"]);
        assert_eq!(c["as_expected"], true, "{c}");
        assert_eq!(c["status"], c["expected"], "{c}");
        assert!(
            c["n"].as_u64().unwrap() <= d["default_n"].as_u64().unwrap(),
            "{c}"
        );
        for key in ["name", "statement", "status", "proof"] {
            assert!(!c[key].is_null(), "{key} missing in {c}");
        }
        // Every result says what it covered; plain `holds` only when all of it
        // was exhaustive.
        let scope = c["scope"].as_array().unwrap();
        assert!(!scope.is_empty(), "{c}");
        for part in scope {
            assert!(part["what"].is_string(), "{part}");
            if c["status"] == "holds" {
                assert_eq!(part["kind"], "exhaustive", "{}: {part}", c["name"]);
            }
        }
        // A refutation always carries its witness; a constant always its value.
        if c["status"] == "refuted" {
            assert!(!c["witness"].is_null(), "{c}");
        }
        if c["status"] == "constant" {
            assert!(!c["constant"].is_null() && !c["witness"].is_null(), "{c}");
        }
        let proof =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(c["proof"].as_str().unwrap());
        assert!(proof.exists(), "{} has no proof file", c["name"]);
    }
}

#[test]
fn check_reports_the_closed_form_constants() {
    let v = json(&[
        "check",
        "dice-jaccard-relative",
        "dice-jaccard-absolute",
        "--n",
        "12",
        "--json",
        "--quiet",
    ]);
    let c = &v["claims"];
    assert_eq!(c[0]["constant"], "23/12");
    assert_eq!(c[0]["witness"]["tp"], 11);
    assert_eq!(c[1]["constant"], "35/204");
    assert_eq!(c[1]["witness"]["tp"], 5);
    let err = err_stderr(&["check", "no-such-claim"]);
    assert!(err.contains("registered claims are"), "{err}");
}
