//! `diceproof risk` from the command line, checked against brute force done here.

mod common;

use common::{err_stderr, json, ok_stdout};
use diceproof::exact::{parse_rational, Q};
use num_traits::{One, ToPrimitive, Zero};
use serde_json::Value;

/// E[Dice(y, pred)] over all 2^n label vectors (policy one).
fn brute_dice(probs: &[Q], pred: &[bool]) -> Q {
    let n = probs.len();
    let k = pred.iter().filter(|&&b| b).count();
    let mut total = Q::zero();
    for mask in 0u32..(1 << n) {
        let mut p = Q::one();
        let (mut tp, mut ny) = (0i64, 0i64);
        for i in 0..n {
            if mask >> i & 1 == 1 {
                p *= &probs[i];
                ny += 1;
                tp += pred[i] as i64;
            } else {
                p *= Q::one() - &probs[i];
            }
        }
        let den = ny + k as i64;
        let v = if den == 0 {
            Q::one()
        } else {
            Q::new((2 * tp).into(), den.into())
        };
        total += p * v;
    }
    total
}

fn bits(s: &str) -> Vec<bool> {
    s.chars().map(|c| c == '1').collect()
}

fn check(probs_text: &str, extra: &[&str]) {
    let mut args = vec!["risk", "--probs", probs_text, "--json"];
    args.extend_from_slice(extra);
    let v = json(&args);
    let probs: Vec<Q> = probs_text
        .split(',')
        .map(|p| parse_rational(p).unwrap())
        .collect();
    let pred = bits(v["decision"]["pred"].as_str().unwrap());
    let e = parse_rational(v["decision"]["expected"].as_str().unwrap()).unwrap();
    assert_eq!(e, brute_dice(&probs, &pred), "{v}");
    // The optimum over all 2^n predictions, by brute force.
    let n = probs.len();
    let best = (0u32..(1 << n))
        .map(|m| brute_dice(&probs, &(0..n).map(|i| m >> i & 1 == 1).collect::<Vec<_>>()))
        .max()
        .unwrap();
    let opt = parse_rational(v["optimal"]["expected"].as_str().unwrap()).unwrap();
    assert_eq!(opt, best);
    let opt_pred = bits(v["optimal"]["pred"].as_str().unwrap());
    assert_eq!(brute_dice(&probs, &opt_pred), best);
    assert_eq!(
        v["optimal"]["k"].as_u64().unwrap() as usize,
        opt_pred.iter().filter(|&&b| b).count()
    );
    let regret = parse_rational(v["regret"].as_str().unwrap()).unwrap();
    assert_eq!(regret, best - e);
    assert_eq!(v["metric"], "dice");
    assert_eq!(v["n"].as_u64().unwrap() as usize, n);
}

#[test]
fn issue_example_agrees_with_brute_force() {
    check("9/10,4/5,1/2,1/10", &["--threshold", "1/2"]);
    let v = json(&[
        "risk",
        "--probs",
        "9/10,4/5,1/2,1/10",
        "--threshold",
        "1/2",
        "--json",
    ]);
    assert_eq!(v["decision"]["pred"], "1100");
    assert_eq!(v["optimal"]["pred"], "1110");
}

#[test]
fn random_instances_agree_with_brute_force() {
    let mut rng = diceproof::rng::Rng::from_state(7);
    for _ in 0..12 {
        let n = rng.range(1, 7) as usize;
        let probs: Vec<String> = (0..n)
            .map(|_| {
                let d = rng.range(1, 9);
                format!("{}/{}", rng.upto(d), d)
            })
            .collect();
        let text = probs.join(",");
        let t = format!("{}/10", rng.upto(10));
        let w = format!("{}/7", rng.upto(7));
        let pred: String = (0..n)
            .map(|_| if rng.chance(0.5) { '1' } else { '0' })
            .collect();
        check(&text, &["--threshold", &t]);
        check(&text, &["--weight", &w]);
        check(&text, &["--pred", &pred]);
    }
}

#[test]
fn weight_is_threshold_one_minus_w() {
    let a = json(&[
        "risk",
        "--probs",
        "3/4,4/5,1/2",
        "--weight",
        "1/4",
        "--json",
    ]);
    let b = json(&[
        "risk",
        "--probs",
        "3/4,4/5,1/2",
        "--threshold",
        "3/4",
        "--json",
    ]);
    assert_eq!(a, b);
    assert_eq!(a["decision"]["pred"], "010");
}

#[test]
fn jaccard_and_text_output() {
    let v = json(&[
        "risk", "--probs", "1/2", "--pred", "1", "--metric", "jaccard", "--json",
    ]);
    assert_eq!(v["decision"]["expected"], "1/2");
    let out = ok_stdout(&["risk", "--probs", "9/10,4/5,1/2,1/10"]);
    assert!(out.contains("3921/5000 (0.7842)"), "{out}");
    assert!(out.contains("regret: 649/26250"), "{out}");
}

#[test]
fn bad_input_exits_2() {
    for (args, needle) in [
        (vec!["risk", "--probs", "1/2,3/2"], "[0, 1]"),
        (vec!["risk", "--probs", "1/2,-0.1"], "[0, 1]"),
        (vec!["risk", "--probs", "1/2,abc"], "cannot read"),
        (
            vec!["risk", "--probs", "1/2,1/3", "--pred", "101"],
            "3 voxels",
        ),
        (
            vec!["risk", "--probs", "1/2", "--threshold", "2"],
            "threshold",
        ),
        (vec!["risk", "--probs", "1/2", "--weight", "-1"], "weight"),
        (vec!["risk", "--probs", "1/2", "--metric", "f2"], "metric"),
        (
            vec!["risk", "--probs", "1/2", "--pred", "0", "--empty", "nan"],
            "undefined",
        ),
        (
            vec!["risk", "--probs", "1/2", "--pred", "0", "--empty", "error"],
            "undefined",
        ),
    ] {
        let err = err_stderr(&args);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn probs_file_uses_the_fast_path() {
    use diceproof::io::{write_volume, Volume, VoxelData};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.npy");
    let data = vec![0.9f64, 0.8, 0.5, 0.1];
    write_volume(
        &path,
        &Volume {
            shape: vec![4],
            data: VoxelData::F64(data),
        },
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let v = json(&["risk", "--probs-file", p, "--json"]);
    assert_eq!(v["fast_path"], true);
    let exact = parse_rational("3921/5000").unwrap().to_f64().unwrap();
    assert!((v["decision"]["expected"].as_f64().unwrap() - exact).abs() < 1e-12);
    let opt = parse_rational("84937/105000").unwrap().to_f64().unwrap();
    assert!((v["optimal"]["expected"].as_f64().unwrap() - opt).abs() < 1e-12);
    assert!(ok_stdout(&["risk", "--probs-file", p]).contains("fast path"));

    let bad = dir.path().join("nan.npy");
    write_volume(
        &bad,
        &Volume {
            shape: vec![2],
            data: VoxelData::F32(vec![0.5, f32::NAN]),
        },
    )
    .unwrap();
    assert!(err_stderr(&["risk", "--probs-file", bad.to_str().unwrap()]).contains("NaN"));
    let big = dir.path().join("big.npy");
    write_volume(
        &big,
        &Volume {
            shape: vec![2],
            data: VoxelData::F32(vec![0.5, 1.5]),
        },
    )
    .unwrap();
    assert!(err_stderr(&["risk", "--probs-file", big.to_str().unwrap()]).contains("outside"));
}

/// The best of all 2^n predictions by brute force (independent of the top-k scan).
fn brute_best(probs: &[Q]) -> Q {
    let n = probs.len();
    (0u32..(1 << n))
        .map(|m| {
            let pred: Vec<bool> = (0..n).map(|i| m >> i & 1 == 1).collect();
            brute_dice(probs, &pred)
        })
        .max()
        .expect("n ≥ 1")
}

fn probs_of(v: &Value) -> Vec<Q> {
    v.as_array()
        .expect("probs array")
        .iter()
        .map(|p| parse_rational(p.as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn no_universal_threshold_witnesses_reverify_by_brute_force() {
    let doc = json(&[
        "check",
        "no-universal-threshold",
        "--n",
        "10",
        "--json",
        "--quiet",
    ]);
    let claim = &doc["claims"][0];
    assert_eq!(claim["status"], "holds");
    let witnesses = claim["witness"]["thresholds"].as_array().unwrap();
    assert_eq!(witnesses.len(), 9, "one witness per t = j/10");
    for w in witnesses {
        let probs = probs_of(&w["probs"]);
        let t = parse_rational(w["t"].as_str().unwrap()).unwrap();
        assert!(probs.iter().all(|p| *p != t), "witness rests on a tie");
        let pred: Vec<bool> = probs.iter().map(|p| *p > t).collect();
        assert_eq!(bits(w["threshold_pred"].as_str().unwrap()), pred);
        let at_t = brute_dice(&probs, &pred);
        let best = brute_best(&probs);
        assert_eq!(
            at_t,
            parse_rational(w["threshold_expected"].as_str().unwrap()).unwrap()
        );
        assert_eq!(
            best,
            parse_rational(w["optimal_expected"].as_str().unwrap()).unwrap()
        );
        assert!(best > at_t, "no regret at t = {t}");
        assert_eq!(
            &best - &at_t,
            parse_rational(w["regret"].as_str().unwrap()).unwrap()
        );
    }
    // The disjoint pair: each instance's optimum is reached exactly on its interval.
    let pair = &claim["witness"]["disjoint_pair"];
    let interval = |s: &str| -> (Q, Q) {
        let inner = s.trim_start_matches('[').trim_end_matches(')');
        let (a, b) = inner.split_once(", ").unwrap();
        (parse_rational(a).unwrap(), parse_rational(b).unwrap())
    };
    let (alo, ahi) = interval(pair["a"]["thresholds"].as_str().unwrap());
    let (blo, bhi) = interval(pair["b"]["thresholds"].as_str().unwrap());
    assert!(bhi <= alo || ahi <= blo, "the intervals overlap");
    for side in ["a", "b"] {
        let probs = probs_of(&pair[side]["probs"]);
        let (lo, hi) = interval(pair[side]["thresholds"].as_str().unwrap());
        let best = brute_best(&probs);
        // Inside the interval the threshold decision is optimal; just outside it is not.
        let mid = (&lo + &hi) / Q::from_integer(2.into());
        let pred: Vec<bool> = probs.iter().map(|p| *p > mid).collect();
        assert_eq!(brute_dice(&probs, &pred), best);
        for t in [&lo - Q::new(1.into(), 1000.into()), hi.clone()] {
            if t < Q::zero() || t >= Q::one() {
                continue;
            }
            let pred: Vec<bool> = probs.iter().map(|p| *p > t).collect();
            assert!(
                brute_dice(&probs, &pred) < best,
                "{side}: t = {t} optimal too"
            );
        }
    }
}

#[test]
fn pooled_decision_thresholds_at_half_the_optimum() {
    let doc = json(&["risk", "--probs", "9/10,4/5,1/2,1/10", "--pooled", "--json"]);
    assert_eq!(doc["pooled"], true);
    assert_eq!(doc["decision"]["pred"], "1100");
    assert_eq!(doc["decision"]["value"], "34/43");
    // F({1,2,3}) = 2(9/10 + 4/5 + 1/2)/(23/10 + 3) = 44/53 is the best of all 16 subsets.
    assert_eq!(doc["optimal"]["value"], "44/53");
    assert_eq!(doc["optimal"]["threshold"], "22/53");
    assert_eq!(doc["optimal"]["pred"], "1110");
    assert_eq!(doc["regret"], "90/2279");
    let err = err_stderr(&["risk", "--probs", "1/2", "--pooled", "--metric", "hamming"]);
    assert!(
        err.contains("pooled decisions are implemented for dice and jaccard"),
        "{err}"
    );
}

#[test]
fn tversky_risk_agrees_with_brute_force() {
    // Tversky with α = 3/10 on FP and β = 7/10 on FN, by brute force here.
    let probs: Vec<Q> = ["9/10", "4/5", "1/2", "1/10"]
        .iter()
        .map(|s| parse_rational(s).unwrap())
        .collect();
    let (a, b) = (Q::new(3.into(), 10.into()), Q::new(7.into(), 10.into()));
    let doc = json(&[
        "risk",
        "--probs",
        "9/10,4/5,1/2,1/10",
        "--metric",
        "tversky:a=3/10,b=7/10",
        "--json",
    ]);
    let pred = bits(doc["decision"]["pred"].as_str().unwrap());
    let mut total = Q::zero();
    for mask in 0u32..16 {
        let mut p = Q::one();
        let (mut tp, mut fp, mut fne) = (0i64, 0i64, 0i64);
        for i in 0..4 {
            let y = mask >> i & 1 == 1;
            p *= if y {
                probs[i].clone()
            } else {
                Q::one() - &probs[i]
            };
            match (y, pred[i]) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fne += 1,
                _ => {}
            }
        }
        let den = Q::from_integer(tp.into())
            + &a * Q::from_integer(fp.into())
            + &b * Q::from_integer(fne.into());
        let v = if den.is_zero() {
            Q::one()
        } else {
            Q::from_integer(tp.into()) / den
        };
        total += p * v;
    }
    assert_eq!(
        parse_rational(doc["decision"]["expected"].as_str().unwrap()).unwrap(),
        total
    );
    assert_eq!(doc["metric"], "tversky:a=3/10,b=7/10");
}

#[test]
fn large_probability_maps_get_a_certified_optimum() {
    use diceproof::io::{write_volume, Volume, VoxelData};
    use diceproof::measures::EmptyPolicy;
    use diceproof::risk::fast::expected_f64;
    use diceproof::risk::{order_by_prob, RiskMetric};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.npy");
    // A 60×60 map: a bright disc in a dim background.
    let data: Vec<f64> = (0..3600)
        .map(|i| {
            let (x, y) = ((i % 60) as f64 - 30.0, (i / 60) as f64 - 30.0);
            let r = (x * x + y * y).sqrt();
            1.0 / (1.0 + ((r - 12.0) / 2.0).exp())
        })
        .collect();
    write_volume(
        &path,
        &Volume {
            shape: vec![60, 60],
            data: VoxelData::F64(data.clone()),
        },
    )
    .unwrap();
    let v = json(&["risk", "--probs-file", path.to_str().unwrap(), "--json"]);
    let k = v["optimal"]["k"]
        .as_u64()
        .expect("optimum reported above 1000 voxels") as usize;
    let best = v["optimal"]["expected"].as_f64().unwrap();
    let order = order_by_prob(&data);
    let topk = |k: usize| {
        let mut pred = vec![false; data.len()];
        for &i in order.iter().take(k) {
            pred[i] = true;
        }
        expected_f64(&data, &pred, &RiskMetric::Dice, EmptyPolicy::One).unwrap()
    };
    // The reported value is the value of the reported decision, and a scan of
    // every 25th size (plus the neighbours of k) finds nothing better.
    assert!((topk(k) - best).abs() < 1e-10);
    for j in (1..=data.len()).step_by(25).chain([k - 1, k + 1]) {
        assert!(
            topk(j) <= best + 1e-10,
            "top-{j} beats the reported top-{k}"
        );
    }
    assert!(v["regret"].as_f64().unwrap() >= -1e-12);
}
