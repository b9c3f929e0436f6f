//! Soft losses on the relaxed domain from the command line.

mod common;

use common::{err_stderr, json, search_dice};
use diceproof::exact::{parse_rational, Q};
use serde_json::Value;

fn q(v: &Value) -> Q {
    parse_rational(v.as_str().expect("a p/q string")).unwrap()
}

#[test]
fn soft_dice_and_soft_jaccard_on_a_grid() {
    let v = json(&[
        "compare",
        "--target",
        "soft-dice",
        "--candidate",
        "soft-jaccard",
        "--n",
        "3",
        "--grid",
        "4",
        "--json",
    ]);
    assert_eq!(v["ratio"]["min"], "1");
    let max = q(&v["ratio"]["max"]);
    assert!(max < parse_rational("2").unwrap() && max > parse_rational("1").unwrap());
    assert_eq!(v["configurations"], "1000");
    for key in ["min_witness", "max_witness"] {
        let w = &v["ratio"][key];
        assert_eq!(w["y"].as_array().unwrap().len(), 3, "{w}");
        assert_eq!(w["p"].as_array().unwrap().len(), 3, "{w}");
    }
    // The witness of the max is verified by hand: SJ/SD = 2/(1 + SD).
    let w = &v["ratio"]["max_witness"];
    let (y, p): (Vec<Q>, Vec<Q>) = (
        w["y"].as_array().unwrap().iter().map(q).collect(),
        w["p"].as_array().unwrap().iter().map(q).collect(),
    );
    let i: Q = y.iter().zip(&p).map(|(a, b)| a * b).sum();
    let s: Q = y.iter().sum::<Q>() + p.iter().sum::<Q>();
    let one = Q::from_integer(1.into());
    let sd = &one - Q::from_integer(2.into()) * &i / &s;
    let sj = &one - &i / (&s - &i);
    assert_eq!(sj / sd, max);
}

#[test]
fn soft_labels_and_random_points_are_deterministic() {
    let args = [
        "compare",
        "--target",
        "dml",
        "--candidate",
        "jml",
        "--n",
        "4",
        "--random",
        "500",
        "--soft-labels",
        "--seed",
        "7",
        "--json",
    ];
    assert_eq!(json(&args), json(&args));
    let v = json(&args);
    assert_eq!(v["configurations"], "500");
    assert_eq!(v["soft_labels"], true);
}

#[test]
fn at_vertices_the_relaxations_are_the_set_losses() {
    // --grid 1 visits binary predictions only: soft Jaccard against soft Dice then has
    // exactly the hard sup (2n − 1)/n.
    let v = json(&[
        "compare",
        "--target",
        "soft-dice",
        "--candidate",
        "lovasz-jaccard",
        "--n",
        "4",
        "--json",
    ]);
    assert_eq!(v["ratio"]["max"], "7/4");
    assert_eq!(v["ratio"]["min"], "1");
}

#[test]
fn hard_specs_in_the_relaxed_domain_get_a_pointer() {
    let err = err_stderr(&[
        "compare",
        "--target",
        "dice",
        "--candidate",
        "soft-jaccard",
        "--n",
        "2",
        "--grid",
        "2",
    ]);
    assert!(err.contains("soft-dice"), "{err}");
    let err = err_stderr(&[
        "compare",
        "--target",
        "soft-dice",
        "--candidate",
        "soft-jaccard",
        "--n",
        "12",
        "--grid",
        "10",
    ]);
    assert!(err.contains("--force"), "{err}");
}

#[test]
fn search_accepts_relaxations_through_their_set_losses() {
    for cand in ["soft-jaccard", "jml", "lovasz-jaccard"] {
        let v = search_dice(cand, "2", &["--max-evals", "5e5"]);
        assert_eq!(v["found"], false, "{cand}");
        assert_eq!(v["candidate"], "jaccard");
    }
}
