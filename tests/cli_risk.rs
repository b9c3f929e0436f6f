//! `diceproof risk` from the command line, checked against brute force done here.

mod common;

use common::{err_stderr, ok_stdout};
use diceproof::exact::{parse_rational, Q};
use num_traits::{One, ToPrimitive, Zero};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok_stdout(args)).expect("valid JSON")
}

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
    let mut s: u64 = 7;
    for _ in 0..12 {
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s >> 33
        };
        let n = 1 + (next() % 7) as usize;
        let probs: Vec<String> = (0..n)
            .map(|_| {
                let d = 1 + next() % 9;
                format!("{}/{}", next() % (d + 1), d)
            })
            .collect();
        let text = probs.join(",");
        let t = format!("{}/10", next() % 11);
        let w = format!("{}/7", next() % 8);
        let pred: String = (0..n)
            .map(|_| if next() % 2 == 0 { '0' } else { '1' })
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
