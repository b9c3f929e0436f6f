//! `expr:`, `soft-expr:`, peer presets and `specs` from the command line.

mod common;

use common::{err_stderr, json, ok_stdout, search_dice};
use serde_json::Value;

/// Equal field by field, except the candidate's spec string.
fn same_result(mut a: Value, mut b: Value) {
    a["candidate"] = Value::Null;
    b["candidate"] = Value::Null;
    assert_eq!(a, b);
}

#[test]
fn expr_jaccard_equals_jaccard_field_by_field() {
    let run = |cand: &str| {
        json(&[
            "compare",
            "--target",
            "dice",
            "--candidate",
            cand,
            "--n",
            "12",
            "--json",
            "--quiet",
        ])
    };
    let e = run("expr:(fp+fn)/(tp+fp+fn)");
    assert_eq!(e["candidate"], "expr:(fp+fn)/(tp+fp+fn)");
    same_result(e, run("jaccard"));
    // Also as the target, and under another empty policy.
    let run2 = |t: &str| {
        json(&[
            "compare",
            "--target",
            t,
            "--candidate",
            "jaccard",
            "--n",
            "9",
            "--empty",
            "zero",
            "--json",
            "--quiet",
        ])
    };
    let mut a = run2("expr:(fp+fn)/(2*tp+fp+fn)");
    let mut b = run2("dice");
    a["target"] = Value::Null;
    b["target"] = Value::Null;
    assert_eq!(a, b);
}

#[test]
fn expr_in_merge_risk_measure_and_search() {
    // merge: the shards of an expr: run merge into the whole run.
    let dir = tempfile::tempdir().unwrap();
    let cand = "expr:(fp+fn)/(2*tp+fp+fn+1)";
    let base = [
        "compare",
        "--target",
        "dice",
        "--candidate",
        cand,
        "--n",
        "14",
        "--quiet",
    ];
    let mut whole_args = base.to_vec();
    whole_args.push("--json");
    let whole = json(&whole_args);
    let mut files = Vec::new();
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let mut args = base.to_vec();
        args.extend(["--shard", &shard]);
        let path = dir.path().join(format!("s{k}.json"));
        std::fs::write(&path, ok_stdout(&args)).unwrap();
        files.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge", "--json"];
    args.extend(files.iter().map(String::as_str));
    assert_eq!(json(&args), whole);

    // risk --metric: expr: Jaccard decides as jaccard does.
    let r = |m: &str| {
        json(&[
            "risk",
            "--probs",
            "9/10,4/5,1/2,1/10",
            "--metric",
            m,
            "--json",
        ])
    };
    let (a, b) = (r("expr:(fp+fn)/(tp+fp+fn)"), r("jaccard"));
    assert_eq!(a["decision"], b["decision"]);
    assert_eq!(a["optimal"]["expected"], b["optimal"]["expected"]);

    // measure: a smoothed Dice, exactly.
    let v = json(&[
        "measure", "--gt", "0011", "--pred", "0110", "--metric", cand, "--json",
    ]);
    assert_eq!(v["metrics"][cand]["loss"], "2/5", "{v}");

    // search: an expr: candidate is searched like a built-in, and sqrt is certified.
    for candidate in ["expr:(fp+fn)/n", "expr:(fp+fn)/sqrt(n)"] {
        let v = search_dice(candidate, "100", &[]);
        assert_eq!(v["found"], true, "{candidate}: {v}");
    }
    // A soft-expr: candidate goes through its restriction to hard predictions.
    let v = search_dice("soft-expr:1-2*spy/(sp+sy)", "1", &["--budget-s", "2"]);
    assert_eq!(
        v["found"], false,
        "soft Dice restricted to hard predictions is Dice: {v}"
    );
}

#[test]
fn formula_errors_exit_2_with_a_caret() {
    for (spec, needle, caret) in [
        (
            "expr:tq+1",
            "unknown variable `tq`",
            "  expr:tq+1\n       ^",
        ),
        (
            "expr:(fp+fn/(2*tp",
            "this `(` is never closed",
            "  expr:(fp+fn/(2*tp\n              ^",
        ),
        (
            "expr:fp+fn)",
            "no matching `(`",
            "  expr:fp+fn)\n            ^",
        ),
        (
            "expr:fp fn",
            "after a complete formula",
            "  expr:fp fn\n          ^",
        ),
        (
            "expr:fp/0",
            "division by a constant that is zero",
            "  expr:fp/0\n         ^",
        ),
    ] {
        let err = err_stderr(&[
            "measure", "--gt", "0011", "--pred", "0110", "--metric", spec,
        ]);
        assert!(err.contains(needle) && err.contains(caret), "{spec}: {err}");
    }
    let err = err_stderr(&[
        "measure",
        "--gt",
        "0000",
        "--pred",
        "0110",
        "--metric",
        "expr:fp/tp",
    ]);
    assert!(
        err.contains("divided by zero at tp=0 fp=2 fn=0 tn=2"),
        "{err}"
    );
    let err = err_stderr(&[
        "measure",
        "--gt",
        "0011",
        "--pred",
        "0110",
        "--metric",
        "expr:sqrt(tp)",
    ]);
    assert!(err.contains("only `search`"), "{err}");
    let err = err_stderr(&[
        "compare",
        "--target",
        "soft-dice",
        "--candidate",
        "soft-expr:spy/sq",
        "--n",
        "2",
        "--grid",
        "2",
    ]);
    assert!(
        err.contains("unknown variable `sq`") && err.contains("soft-expr:spy/sq\n"),
        "{err}"
    );
    let err = err_stderr(&[
        "compare",
        "--target",
        "soft-dice",
        "--candidate",
        "monai-dice:smooth=1",
        "--n",
        "2",
        "--grid",
        "2",
    ]);
    assert!(
        err.contains("unexpected argument \"smooth\"") && err.contains("smooth_nr"),
        "{err}"
    );
}

#[test]
fn soft_expr_and_presets_in_compare() {
    // soft-expr: soft Dice written out equals soft-dice on the whole grid.
    let run = |c: &str| {
        json(&[
            "compare",
            "--target",
            "soft-jaccard",
            "--candidate",
            c,
            "--n",
            "2",
            "--grid",
            "4",
            "--json",
        ])
    };
    same_result(run("soft-expr:1-2*spy/(sp+sy)"), run("soft-dice"));
    // MONAI's Dice with smoothing s is soft-dice:eps=s; its Jaccard is soft-jaccard:eps=s/2.
    same_result(
        run("monai-dice:smooth_nr=1/10,smooth_dr=1/10"),
        run("soft-dice:eps=1/10"),
    );
    same_result(
        run("monai-dice:jaccard=true,smooth_nr=1/10,smooth_dr=1/10"),
        run("soft-jaccard:eps=1/20"),
    );
    same_result(run("jdt-dice:smooth=1/10"), run("dml:eps=1/5"));
}

#[test]
fn specs_lists_every_family_and_details_one() {
    let out = ok_stdout(&["specs"]);
    for needle in [
        "expr:FORMULA",
        "soft-expr:FORMULA",
        "soft-dice[:squared,eps=P/Q]",
        "monai-dice[:smooth_nr=1e-5",
        "MONAI 1.6.1",
        "segmentation_models_pytorch 0.6.0",
        "lovasz-softmax",
        "jdt-jaccard",
    ] {
        assert!(out.contains(needle), "{needle} missing from specs:\n{out}");
    }
    let one = ok_stdout(&["specs", "monai-dice"]);
    assert!(
        one.contains("soft-dice:eps=1/100000 = soft-expr:1-(2*spy+1/100000)/(sp+sy+1/100000)"),
        "{one}"
    );
    let one = ok_stdout(&["specs", "jdt-dice"]);
    assert!(one.contains("dml:eps=1/500"), "{one}");
    let v = json(&["specs", "--json"]);
    assert!(v["presets"].as_array().unwrap().len() >= 9);
    assert!(v["measures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "expr"));
    let v = json(&["specs", "smp-jaccard", "--json"]);
    assert_eq!(v["mirrors"], "segmentation_models_pytorch 0.6.0");
    let err = err_stderr(&["specs", "monai-dic"]);
    assert!(
        err.contains("unknown spec") && err.contains("monai-dice"),
        "{err}"
    );
}
