use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::time::Instant;

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde_json::Value as Json;

use super::relaxed::indicator;
use super::sets::{bit_string, set_braces};
use super::*;
use crate::counts::Counts;
use crate::exact::{format_q, parse_rational, Q};
use crate::measures::{parse_measure, EmptyPolicy, Value};

fn q(n: i64, d: i64) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

fn measure(spec: &str) -> crate::measures::Measure {
    parse_measure(spec).unwrap()
}

/// A value string of a witness, read back exactly.
fn wq(w: &Json, key: &str) -> Q {
    parse_rational(w[key].as_str().unwrap_or_else(|| panic!("no {key} in {w}"))).unwrap()
}

/// A point of a witness, read back exactly.
fn wpoint(w: &Json, key: &str) -> Vec<Q> {
    w[key]["point"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| parse_rational(s.as_str().unwrap()).unwrap())
        .collect()
}

/// A set of a witness, read back from its bit string (voxel 0 first).
fn wset(w: &Json, key: &str) -> u64 {
    w[key]["bits"]
        .as_str()
        .unwrap()
        .chars()
        .enumerate()
        .fold(0, |acc, (i, c)| acc | ((c == '1') as u64) << i)
}

fn dice_loss(a: u64, b: u64, n: u32) -> Q {
    match measure("dice")
        .loss(&Counts::from_bits(a, b, n), EmptyPolicy::One)
        .unwrap()
    {
        Value::Exact(v) => v,
        Value::NaN => unreachable!(),
    }
}

// ---------------------------------------------------------------- formatting

#[test]
fn sets_print_as_bits_and_one_based_lists() {
    assert_eq!(set_braces(0), "{}");
    assert_eq!(set_braces(0b1), "{1}");
    assert_eq!(set_braces(0b11), "{1,2}");
    assert_eq!(set_braces(0b101), "{1,3}");
    assert_eq!(bit_string(0b011, 3), "110");
    assert_eq!(bit_string(0b100, 3), "001");
    let m = crate::masks::SmallMask::new(0b1101, 5).unwrap();
    assert_eq!(bit_string(0b1101, 5), m.to_string());
}

// ---------------------------------------------------------------- metric, sets

#[test]
fn jaccard_distance_is_a_metric_on_sets_up_to_n6() {
    let j = measure("jaccard");
    for n in 0..=6u32 {
        let v = metric_axioms_sets(n, set_distance(&j, n)).unwrap();
        assert_eq!(
            v,
            Verdict::Holds {
                checked: 1 << (3 * n)
            },
            "n = {n}"
        );
    }
}

#[test]
fn dice_distance_is_not_a_metric_and_the_witness_is_the_theorys() {
    let d = measure("dice");
    // One voxel: the sets are ∅ and {1} at distance 1: trivially a metric.
    assert!(metric_axioms_sets(1, set_distance(&d, 1)).unwrap().holds());
    for n in 2..=6u32 {
        let v = metric_axioms_sets(n, set_distance(&d, n)).unwrap();
        let w = v.witness().unwrap_or_else(|| panic!("n = {n}: {v:?}"));
        assert_eq!(w["A"]["set"], "{1}", "{w}");
        assert_eq!(w["B"]["set"], "{1,2}", "{w}");
        assert_eq!(w["C"]["set"], "{2}", "{w}");
        assert_eq!(w["d(A,C)"], "1");
        assert_eq!(w["d(A,B)"], "1/3");
        assert_eq!(w["d(B,C)"], "1/3");
        assert_eq!(w["d(A,B)+d(B,C)"], "2/3");
        // Re-verify from the bit strings alone, outside the checker.
        let (a, b, c) = (wset(w, "A"), wset(w, "B"), wset(w, "C"));
        assert_eq!(a | b | c, 0b11);
        assert!(dice_loss(a, c, n) > dice_loss(a, b, n) + dice_loss(b, c, n));
        assert!(v
            .detail()
            .unwrap()
            .contains("1 > d(A,B) + d(B,C) = 1/3 + 1/3 = 2/3"));
    }
    let v = metric_axioms_sets(3, set_distance(&d, 3)).unwrap();
    let w = v.witness().unwrap();
    assert_eq!(
        (&w["A"]["bits"], &w["B"]["bits"], &w["C"]["bits"]),
        (&Json::from("100"), &Json::from("110"), &Json::from("010"))
    );
}

#[test]
fn hamming_distance_is_a_metric() {
    for n in 0..=6u32 {
        let popcount = |a: u64, b: u64| Ok(Q::from_integer((a ^ b).count_ones().into()));
        let v = metric_axioms_sets(n, popcount).unwrap();
        assert_eq!(
            v,
            Verdict::Holds {
                checked: 1 << (3 * n)
            }
        );
    }
    // The crate's normalised Hamming loss (FP+FN)/n, and a symmetric weighting of it.
    for spec in ["hamming", "whamming:w=1/2"] {
        let m = measure(spec);
        for n in 1..=5u32 {
            assert!(metric_axioms_sets(n, set_distance(&m, n)).unwrap().holds());
        }
    }
}

#[test]
fn asymmetric_tversky_fails_symmetry_on_the_smallest_pair() {
    // α = 1/4 on FP, β = 3/4 on FN: d({1}, {1,2}) has one FP, d({1,2}, {1}) one FN.
    let t = measure("tversky:a=1/4,b=3/4");
    let v = metric_axioms_sets(3, set_distance(&t, 3)).unwrap();
    let w = v.witness().unwrap();
    assert_eq!(w["axiom"], "symmetry: d(A,B) = d(B,A)");
    assert_eq!(
        (&w["A"]["set"], &w["B"]["set"]),
        (&"{1}".into(), &"{1,2}".into())
    );
    assert_eq!((&w["d(A,B)"], &w["d(B,A)"]), (&"1/5".into(), &"3/7".into()));
}

#[test]
fn non_metrics_are_caught_on_every_axiom() {
    // d(A,A) = 1 everywhere: identity fails first, at the empty set.
    let v = metric_axioms_sets(2, |_, _| Ok(Q::one())).unwrap();
    assert_eq!(v.witness().unwrap()["A"]["set"], "{}");
    assert!(v.detail().unwrap().starts_with("identity fails"));
    // A pseudometric that cannot tell {1} from ∅.
    let v = metric_axioms_sets(2, |a: u64, b: u64| {
        Ok(Q::from_integer(((a ^ b) >> 1).count_ones().into()))
    })
    .unwrap();
    let w = v.witness().unwrap();
    assert!(
        w["axiom"].as_str().unwrap().starts_with("positivity"),
        "{w}"
    );
    assert_eq!(
        (&w["A"]["set"], &w["B"]["set"]),
        (&"{}".into(), &"{1}".into())
    );
}

#[test]
fn the_triangle_check_at_n6_is_fast() {
    // 2^18 ordered triples on a 64 × 64 exact matrix. Release builds take a few
    // milliseconds; the bound is generous for debug builds and slow machines.
    let j = measure("jaccard");
    let start = Instant::now();
    let v = metric_axioms_sets(6, set_distance(&j, 6)).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(v, Verdict::Holds { checked: 1 << 18 });
    eprintln!("metric_axioms_sets(6, jaccard): {elapsed:?}");
    assert!(elapsed.as_secs_f64() < 5.0, "{elapsed:?}");
}

#[test]
fn big_rational_tables_give_the_same_verdicts() {
    // Scaling a distance by a positive constant keeps its metric verdicts; this
    // constant's denominator exceeds 2^64, so the table cannot be scaled to integers.
    let c = Q::one() + Q::new(BigInt::one(), BigInt::from(2u8).pow(70u32) + 1u8);
    assert!(matches!(
        Table::new(vec![c.clone(), q(1, 3)]),
        Table::Big(_)
    ));
    assert!(matches!(
        Table::new(vec![q(1, 2), q(1, 3)]),
        Table::Scaled(_)
    ));
    for spec in ["jaccard", "dice"] {
        let m = measure(spec);
        let plain = set_distance(&m, 4);
        let fast = metric_axioms_sets(4, &plain).unwrap();
        let slow = metric_axioms_sets(4, |a, b| Ok(plain(a, b)? * &c)).unwrap();
        assert_eq!(fast.holds(), slow.holds(), "{spec}");
        if let (Some(f), Some(s)) = (fast.witness(), slow.witness()) {
            assert_eq!((&f["A"], &f["B"], &f["C"]), (&s["A"], &s["B"], &s["C"]));
        }
    }
}

#[test]
fn errors_instead_of_panics() {
    assert!(matches!(
        metric_axioms_sets(9, |_, _| Ok(Q::zero())),
        Err(crate::Error::TooLarge(_))
    ));
    assert!(matches!(
        submodular_sets(17, |_| Ok(Q::zero())),
        Err(crate::Error::TooLarge(_))
    ));
    assert!(submodular_error_sets(&measure("dice"), 9).is_err());
    let d = set_distance(&measure("dice"), 3);
    assert!(d(0b1000, 0).is_err());
    assert!(error_set_loss(&measure("dice"), 0b1000, 3)(0).is_err());
    // A function that fails somewhere fails the check with its own error.
    let e = metric_axioms_sets(2, |a, _| {
        if a == 3 {
            Err(crate::Error::invalid("boom"))
        } else {
            Ok(Q::zero())
        }
    });
    assert_eq!(e.unwrap_err().to_string(), "boom");
}

#[test]
fn a_function_that_changes_its_mind_is_an_error_not_a_verdict() {
    // The Dice distance while the matrix is computed, then 0 everywhere: the
    // re-verification of the triangle witness must notice.
    let calls = AtomicU64::new(0);
    let d = set_distance(&measure("dice"), 2);
    let fickle = |a, b| {
        if calls.fetch_add(1, AtomicOrdering::SeqCst) < 16 {
            d(a, b)
        } else {
            Ok(Q::zero())
        }
    };
    let err = metric_axioms_sets(2, fickle).unwrap_err().to_string();
    assert!(err.contains("must be deterministic"), "{err}");
}

// ---------------------------------------------------------------- submodularity

#[test]
fn generic_submodularity() {
    // min(|S|, 2) is a concave function of the cardinality: submodular.
    let capped = |s: u64| Ok(Q::from_integer(s.count_ones().min(2).into()));
    assert_eq!(
        submodular_sets(5, capped).unwrap(),
        Verdict::Holds {
            checked: 32 * 31 / 2
        }
    );
    // |S|² is supermodular: 1 + 1 < 4 + 0 at A = {1}, B = {2}.
    let square = |s: u64| Ok(Q::from_integer((s.count_ones().pow(2)).into()));
    let v = submodular_sets(5, square).unwrap();
    let w = v.witness().unwrap();
    assert_eq!(
        (&w["A"]["set"], &w["B"]["set"]),
        (&"{1}".into(), &"{2}".into())
    );
    assert_eq!(
        (&w["f(A)+f(B)"], &w["f(A∪B)+f(A∩B)"]),
        (&"2".into(), &"4".into())
    );
    // Modular functions are (trivially) submodular, up to n = 12 here.
    let size = |s: u64| Ok(Q::from_integer(s.count_ones().into()));
    assert!(submodular_sets(12, size).unwrap().holds());
}

#[test]
fn jaccard_error_set_loss_is_submodular_for_every_y_up_to_n6() {
    let j = measure("jaccard");
    for n in 0..=6u32 {
        let size = 1u64 << n;
        assert_eq!(
            submodular_error_sets(&j, n).unwrap(),
            Verdict::Holds {
                checked: size * (size * (size - 1) / 2)
            },
            "n = {n}"
        );
    }
    // The same through the single-y entry point, and Δ_J(M) = |M| / |y ∪ M|.
    let y = 0b0110;
    let f = error_set_loss(&j, y, 4);
    for m in 1..16u64 {
        assert_eq!(
            f(m).unwrap(),
            q(m.count_ones() as i64, (y | m).count_ones() as i64)
        );
    }
    assert!(submodular_sets(4, f).unwrap().holds());
}

/// The Dice error-set loss is NOT submodular. With K = |y| and a of the K object
/// voxels missed (no false positives), Δ_D = a / (2K − a): each further miss costs
/// more than the previous one (increasing returns), while submodularity demands
/// diminishing returns. The smallest case is a two-voxel object y = {1,2}: missing
/// either voxel alone costs 1/(4−1) = 1/3, missing both costs 2/2 = 1, so
/// Δ({1}) + Δ({2}) = 2/3 < Δ({1,2}) + Δ(∅) = 1. (Jaccard, Δ_J = a / K along the
/// same path, is modular there and submodular overall.) Consequently the Lovász
/// extension of the Dice set loss is not convex (Lovász 1983; see
/// `lovasz_extension_of_dice_is_not_convex`), which is why the Lovász hinge is built
/// on the Jaccard loss.
#[test]
fn dice_error_set_loss_is_not_submodular() {
    let d = measure("dice");
    assert!(submodular_error_sets(&d, 0).unwrap().holds());
    assert!(submodular_error_sets(&d, 1).unwrap().holds());
    for n in 2..=6u32 {
        let v = submodular_error_sets(&d, n).unwrap();
        let w = v.witness().unwrap_or_else(|| panic!("n = {n}: {v:?}"));
        assert_eq!(w["y"]["set"], "{1,2}", "{w}");
        assert_eq!(w["A"]["set"], "{1}");
        assert_eq!(w["B"]["set"], "{2}");
        assert_eq!(w["A∪B"]["set"], "{1,2}");
        assert_eq!(w["A∩B"]["set"], "{}");
        assert_eq!(
            (&w["Δ(A)"], &w["Δ(B)"], &w["Δ(A∪B)"], &w["Δ(A∩B)"]),
            (&"1/3".into(), &"1/3".into(), &"1".into(), &"0".into())
        );
        assert_eq!(
            (&w["Δ(A)+Δ(B)"], &w["Δ(A∪B)+Δ(A∩B)"]),
            (&"2/3".into(), &"1".into())
        );
        // Re-verify from the masks: ground truth y, predictions y XOR M.
        let y = wset(w, "y");
        let pred = |key: &str| {
            let bits = w["predictions"][key].as_str().unwrap();
            bits.chars()
                .enumerate()
                .fold(0u64, |acc, (i, c)| acc | ((c == '1') as u64) << i)
        };
        let l = |key: &str| dice_loss(y, pred(key), n);
        assert!(l("A") + l("B") < l("A∪B") + l("A∩B"));
        assert_eq!(
            pred("A∪B"),
            0,
            "missing both object voxels predicts nothing"
        );
    }
    let v = submodular_error_sets(&d, 2).unwrap();
    assert_eq!(
        v.detail().unwrap(),
        "the dice error-set loss Δ(M) = loss(y, y XOR M) is not submodular: with y = {1,2}, \
         Δ(A) + Δ(B) = 1/3 + 1/3 = 2/3 < Δ(A∪B) + Δ(A∩B) = 1 + 0 = 1 with A = {1}, B = {2}, \
         A∪B = {1,2}, A∩B = {} (n = 2)"
    );
    // The witness also refutes the single-y check directly.
    assert!(!submodular_sets(2, error_set_loss(&d, 0b11, 2))
        .unwrap()
        .holds());
}

// ---------------------------------------------------------------- relaxed domain

fn l1(x: &[Q], y: &[Q]) -> Q {
    x.iter().zip(y).map(|(a, b)| (a - b).abs()).sum()
}

fn l1_norm(x: &[Q]) -> Q {
    x.iter().map(|a| a.abs()).sum()
}

/// Wang & Blaschko's Jaccard metric loss 2‖p−y‖ / (‖p‖+‖y‖+‖p−y‖), 0 at p = y = 0.
fn jml(p: &[Q], y: &[Q]) -> Result<Q> {
    let diff = l1(p, y);
    let den = l1_norm(p) + l1_norm(y) + &diff;
    Ok(if den.is_zero() {
        Q::zero()
    } else {
        Q::from_integer(2.into()) * diff / den
    })
}

/// The Dice semimetric loss ‖p−y‖ / (‖p‖+‖y‖), 0 at p = y = 0.
fn dml(p: &[Q], y: &[Q]) -> Result<Q> {
    let den = l1_norm(p) + l1_norm(y);
    Ok(if den.is_zero() {
        Q::zero()
    } else {
        l1(p, y) / den
    })
}

#[test]
fn grids_are_complete_and_lexicographic() {
    let g: Vec<Vec<Q>> = grid(2, 2).collect();
    assert_eq!(g.len(), 9);
    assert_eq!(g[0], vec![q(0, 1), q(0, 1)]);
    assert_eq!(g[1], vec![q(0, 1), q(1, 2)]);
    assert_eq!(g[3], vec![q(1, 2), q(0, 1)]);
    assert_eq!(g[8], vec![q(1, 1), q(1, 1)]);
    let mut sorted = g.clone();
    sorted.sort();
    assert_eq!(sorted, g);
    assert_eq!(grid(3, 4).count(), 125);
    assert_eq!(grid(0, 5).collect::<Vec<_>>(), vec![Vec::<Q>::new()]);
    assert_eq!(grid(2, 0).count(), 0);
}

#[test]
fn l1_is_a_metric_on_grids() {
    for (n, k) in [(1, 6), (2, 3), (3, 2)] {
        let points: Vec<_> = grid(n, k).collect();
        let v = metric_axioms_points(&points, |x, y| Ok(l1(x, y))).unwrap();
        assert_eq!(
            v,
            Verdict::Holds {
                checked: (points.len() as u64).pow(3)
            }
        );
    }
}

#[test]
fn squared_euclidean_is_not_a_metric() {
    let sq = |x: &[Q], y: &[Q]| -> Result<Q> {
        Ok(x.iter().zip(y).map(|(a, b)| (a - b) * (a - b)).sum())
    };
    let points: Vec<_> = grid(2, 2).collect();
    let v = metric_axioms_points(&points, sq).unwrap();
    let w = v.witness().unwrap();
    // The first three grid points (0,0), (0,1/2), (0,1): 1 > 1/4 + 1/4.
    assert_eq!(w["x"]["point"], serde_json::json!(["0", "0"]));
    assert_eq!(w["y"]["point"], serde_json::json!(["0", "1/2"]));
    assert_eq!(w["z"]["point"], serde_json::json!(["0", "1"]));
    assert_eq!(w["d(x,z)"], "1");
    assert_eq!(w["d(x,y)+d(y,z)"], "1/2");
    let (x, y, z) = (wpoint(w, "x"), wpoint(w, "y"), wpoint(w, "z"));
    assert!(sq(&x, &z).unwrap() > sq(&x, &y).unwrap() + sq(&y, &z).unwrap());
}

#[test]
fn jml_satisfies_the_triangle_inequality_and_dml_does_not() {
    for (n, k) in [(1, 8), (2, 4), (3, 2)] {
        let points: Vec<_> = grid(n, k).collect();
        assert!(
            metric_axioms_points(&points, jml).unwrap().holds(),
            "n={n} k={k}"
        );
    }
    let points: Vec<_> = grid(2, 2).collect();
    let v = metric_axioms_points(&points, dml).unwrap();
    let w = v.witness().unwrap_or_else(|| panic!("{v:?}"));
    assert_eq!(w["axiom"], "triangle inequality: d(x,z) <= d(x,y) + d(y,z)");
    let (x, y, z) = (wpoint(w, "x"), wpoint(w, "y"), wpoint(w, "z"));
    assert!(dml(&x, &z).unwrap() > dml(&x, &y).unwrap() + dml(&y, &z).unwrap());
    assert_eq!(wq(w, "d(x,z)"), dml(&x, &z).unwrap());
    // Already in one dimension: DML(1/2, 1) = 1/3 … the binary witness of the
    // theory, lifted to two coordinates, is refuted as well.
    let theory = vec![
        vec![q(1, 1), q(0, 1)],
        vec![q(1, 1), q(1, 1)],
        vec![q(0, 1), q(1, 1)],
    ];
    let v = metric_axioms_points(&theory, dml).unwrap();
    assert!(v
        .detail()
        .unwrap()
        .contains("1 > d(x,y) + d(y,z) = 1/3 + 1/3 = 2/3"));
}

#[test]
fn points_with_equal_coordinates_must_be_at_distance_zero() {
    let points = vec![vec![q(1, 2)], vec![q(1, 2)], vec![q(0, 1)]];
    assert!(metric_axioms_points(&points, |x, y| Ok(l1(x, y)))
        .unwrap()
        .holds());
    // A "distance" that is positive between two copies of the same point.
    let v = metric_axioms_points(&points, |x, y| Ok(l1(x, y) + Q::one())).unwrap();
    assert!(v.detail().unwrap().starts_with("identity fails"));
    let bad = vec![vec![q(1, 2)], vec![q(1, 2), q(0, 1)]];
    assert!(matches!(
        metric_axioms_points(&bad, |x, y| Ok(l1(x, y))),
        Err(crate::Error::Mismatch(_))
    ));
}

fn sum_squares(x: &[Q]) -> Result<Q> {
    Ok(x.iter().map(|a| a * a).sum())
}

#[test]
fn random_segments_are_seeded_and_on_the_grid() {
    let a = random_segments(3, 50, 7, 42);
    assert_eq!(a, random_segments(3, 50, 7, 42));
    assert_ne!(a, random_segments(3, 50, 7, 43));
    assert_eq!(a.len(), 50);
    for (x, y) in &a {
        for c in x.iter().chain(y) {
            assert!(*c >= Q::zero() && *c <= Q::one());
            assert!((c * Q::from_integer(7.into())).is_integer());
        }
    }
    // Every numerator 0..=7 occurs: the endpoints 0 and 1 are reachable.
    let nums: std::collections::BTreeSet<_> = a
        .iter()
        .flat_map(|(x, _)| x.iter().map(|c| c * Q::from_integer(7.into())))
        .collect();
    assert_eq!(nums.len(), 8);
    assert!(random_segments(2, 3, 0, 1)
        .iter()
        .all(|(x, _)| x.iter().all(|c| c.is_integer())));
}

#[test]
fn convex_passes_the_midpoint_check_and_concave_is_refuted() {
    let segs = random_segments(3, 200, 7, 1);
    assert_eq!(
        convex_midpoint(sum_squares, &segs).unwrap(),
        Verdict::Holds { checked: 600 }
    );
    let concave = |x: &[Q]| Ok(-sum_squares(x)?);
    let v = convex_midpoint(concave, &segs).unwrap();
    let w = v.witness().unwrap();
    assert_eq!(w["t"], "1/2");
    let x: Vec<Q> = w["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| parse_rational(s.as_str().unwrap()).unwrap())
        .collect();
    let y: Vec<Q> = w["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| parse_rational(s.as_str().unwrap()).unwrap())
        .collect();
    assert_ne!(x, y);
    let mid: Vec<Q> = x
        .iter()
        .zip(&y)
        .map(|(a, b)| (a + b) / Q::from_integer(2.into()))
        .collect();
    let chord = (concave(&x).unwrap() + concave(&y).unwrap()) / Q::from_integer(2.into());
    assert!(concave(&mid).unwrap() > chord);
    assert_eq!(wq(w, "(1-t)f(x)+tf(y)"), chord);
    // A function convex at midpoints of this segment but not at its quarter point:
    // f = 0 at 0, 1/2 and 1 of [0,1], f = 1 elsewhere.
    let spiky = |x: &[Q]| {
        Ok(if x[0].is_zero() || x[0] == q(1, 2) || x[0].is_one() {
            Q::zero()
        } else {
            Q::one()
        })
    };
    let v = convex_midpoint(spiky, &[(vec![q(0, 1)], vec![q(1, 1)])]).unwrap();
    let w = v.witness().unwrap();
    assert_eq!(
        (&w["t"], &w["point"]),
        (&"1/4".into(), &serde_json::json!(["1/4"]))
    );
    let bad = [(vec![q(0, 1)], vec![q(0, 1), q(1, 1)])];
    assert!(convex_midpoint(sum_squares, &bad).is_err());
}

#[test]
fn extension_of_the_cardinality() {
    let linear = |x: &[Q]| Ok(x.iter().sum());
    let size = |s: u64| Ok(Q::from_integer(s.count_ones().into()));
    for n in 0..=6 {
        assert_eq!(
            extension(linear, size, n).unwrap(),
            Verdict::Holds { checked: 1 << n }
        );
    }
    // Perturbed by (1/7)·Π x_i: the relaxations differ only at the all-ones vertex.
    let perturbed = |x: &[Q]| Ok(x.iter().sum::<Q>() + x.iter().product::<Q>() * q(1, 7));
    let v = extension(perturbed, size, 3).unwrap();
    let w = v.witness().unwrap();
    assert_eq!(w["S"]["set"], "{1,2,3}");
    assert_eq!(w["S"]["bits"], "111");
    assert_eq!(
        (&w["relax(1_S)"], &w["set(S)"]),
        (&"22/7".into(), &"3".into())
    );
    assert!(extension(linear, size, 17).is_err());
    assert_eq!(
        indicator(0b101, 4),
        vec![q(1, 1), q(0, 1), q(1, 1), q(0, 1)]
    );
}

// ---------------------------------------------------------------- Lovász (claim 8)

/// The Lovász extension by its definition: sort the error vector decreasingly
/// (ties by index) and sum m_π(i) · (Δ({π1..πi}) − Δ({π1..π(i−1)})).
fn lovasz(delta: &impl Fn(u64) -> Result<Q>, m: &[Q]) -> Result<Q> {
    let mut order: Vec<usize> = (0..m.len()).collect();
    order.sort_by(|&a, &b| m[b].cmp(&m[a]).then(a.cmp(&b)));
    let (mut set, mut prev, mut total) = (0u64, delta(0)?, Q::zero());
    for i in order {
        set |= 1 << i;
        let cur = delta(set)?;
        total += &m[i] * (&cur - &prev);
        prev = cur;
    }
    Ok(total)
}

#[test]
fn lovasz_extension_of_jaccard_extends_and_is_convex() {
    let j = measure("jaccard");
    // The theory's example: y = (1,0,0), p = (1/2,1/4,0), m = |y − p| = (1/2,1/4,0).
    let f = error_set_loss(&j, 0b001, 3);
    assert_eq!(lovasz(&f, &[q(1, 2), q(1, 4), q(0, 1)]).unwrap(), q(1, 2));
    for n in 1..=4u32 {
        for y in 0..1u64 << n {
            let f = error_set_loss(&j, y, n);
            let ext = |m: &[Q]| lovasz(&f, m);
            assert!(extension(ext, &f, n).unwrap().holds(), "y = {y:b}");
            let segs = random_segments(n as usize, 40, 6, y);
            let v = convex_midpoint(ext, &segs).unwrap();
            assert!(v.holds(), "y = {}: {v:?}", bit_string(y, n));
        }
    }
}

#[test]
fn lovasz_extension_of_dice_is_not_convex() {
    // Not submodular ⇒ its Lovász extension is not convex: on the segment from
    // "miss voxel 1" to "miss voxel 2" of y = {1,2}, the midpoint is worth 1/2 but
    // the chord only (1/3 + 1/3)/2 = 1/3.
    let d = measure("dice");
    let f = error_set_loss(&d, 0b11, 2);
    let ext = |m: &[Q]| lovasz(&f, m);
    assert!(extension(ext, &f, 2).unwrap().holds());
    let v = convex_midpoint(ext, &[(vec![q(1, 1), q(0, 1)], vec![q(0, 1), q(1, 1)])]).unwrap();
    let w = v.witness().unwrap();
    assert_eq!(
        (&w["f(point)"], &w["(1-t)f(x)+tf(y)"]),
        (&"1/2".into(), &"1/3".into())
    );
    // Random segments find it too, without being told.
    assert!(!convex_midpoint(ext, &random_segments(2, 50, 4, 7))
        .unwrap()
        .holds());
    assert_eq!(format_q(&lovasz(&f, &[q(1, 2), q(1, 2)]).unwrap()), "1/2");
}

#[test]
fn verdicts_serialise_with_a_tag() {
    let v = Verdict::Holds { checked: 3 };
    assert_eq!(
        serde_json::to_value(&v).unwrap(),
        serde_json::json!({"verdict": "holds", "checked": 3})
    );
    let v = metric_axioms_sets(2, set_distance(&measure("dice"), 2)).unwrap();
    let j = serde_json::to_value(&v).unwrap();
    assert_eq!(j["verdict"], "refuted");
    assert_eq!(j["witness"]["A"]["bits"], "10");
    assert!(j["detail"].is_string());
}
