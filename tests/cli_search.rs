//! `diceproof search` from the command line: the commands the issue names.

mod common;

use common::{assert_refused, json, ok_stdout, search_dice};
use serde_json::Value;

#[test]
fn weightings_are_refuted_within_the_default_budget() {
    for cand in ["whamming:w=1/2", "whamming:balanced", "whamming:gdice"] {
        let v = search_dice(cand, "100", &[]);
        assert_eq!(v["found"], true, "{cand}: {v}");
        assert!(v["seconds"].as_f64().unwrap() < 10.0);
        let w = v["witnesses"].as_array().unwrap();
        assert_eq!(w.len(), 2, "a factor claim is refuted by a pair");
        for x in w {
            for key in ["n", "tp", "fp", "fn", "tn", "target", "candidate"] {
                assert!(!x[key].is_null(), "{key} missing: {x}");
            }
        }
        let spread = diceproof::exact::parse_rational(v["best_spread"].as_str().unwrap()).unwrap();
        assert!(spread > diceproof::exact::parse_rational("10000").unwrap());
    }
}

#[test]
fn true_bounds_find_nothing_and_say_so() {
    for cand in ["jaccard", "tversky:a=1/2,b=1/2"] {
        let v = search_dice(cand, "2", &["--max-evals", "2e6"]);
        assert_eq!(v["found"], false, "{cand}: {v}");
        assert!(v["evaluations"].as_u64().unwrap() >= 2_000_000);
    }
    let out = ok_stdout(&[
        "search",
        "--target",
        "dice",
        "--candidate",
        "jaccard",
        "--claim-factor",
        "2",
        "--quiet",
        "--max-evals",
        "1e6",
    ]);
    assert!(out.contains("no violation found"), "{out}");
}

#[test]
fn seeded_searches_replay() {
    let args = [
        "search",
        "--target",
        "jaccard",
        "--candidate",
        "whamming:sqrt",
        "--json",
        "--quiet",
        "--max-evals",
        "5e5",
        "--seed",
        "9",
        "--max-n",
        "5000",
    ];
    let (mut a, mut b) = (json(&args), json(&args));
    a["seconds"] = Value::Null;
    b["seconds"] = Value::Null;
    assert_eq!(a, b);
}

#[test]
fn growth_curves_in_csv_and_json() {
    let csv = ok_stdout(&[
        "search",
        "--target",
        "dice",
        "--candidate",
        "whamming:balanced",
        "--growth",
        "--sizes",
        "10,100,1000",
        "--csv",
        "--quiet",
        "--max-evals",
        "2e5",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "n,best_spread,best_spread_f64,evaluations");
    assert_eq!(lines.len(), 4);
    let v = json(&[
        "search",
        "--target",
        "dice",
        "--candidate",
        "jaccard",
        "--growth",
        "--sizes",
        "10,100,1000",
        "--json",
        "--quiet",
        "--max-evals",
        "2e5",
    ]);
    for row in v["rows"].as_array().unwrap() {
        assert!(row["best_spread_f64"].as_f64().unwrap() < 2.0, "{row}");
    }
    let e = v["exponent"].as_f64().unwrap();
    assert!(
        e.abs() < 0.1,
        "a bounded pair has growth exponent near 0, got {e}"
    );
}

#[test]
fn bad_arguments_are_clear_errors() {
    assert_refused(&[
        (
            "search --target dice --candidate jaccard --claim-factor 1/2",
            &["at least 1"],
        ),
        (
            "search --target dice --candidate nope",
            &["valid specs are"],
        ),
        (
            "search --target dice --candidate jaccard --max-n 1.5",
            &["positive integer"],
        ),
        (
            "measure --gt 01 --pred 01 --metric whamming:sqrt",
            &["irrational"],
        ),
    ]);
}
