use super::*;
use crate::exact::parse_rational;
use proptest::prelude::*;

fn q(s: &str) -> Q {
    parse_rational(s).unwrap()
}

fn qs(xs: &[&str]) -> Vec<Q> {
    xs.iter().map(|s| q(s)).collect()
}

fn ints(xs: &[i64]) -> Vec<Q> {
    xs.iter()
        .map(|&x| Q::from_integer(BigInt::from(x)))
        .collect()
}

fn exact_opts() -> Options {
    Options {
        method: MethodChoice::Exact,
        ..Options::default()
    }
}

fn normal_opts(continuity: bool, zeros: ZeroPolicy) -> Options {
    Options {
        zeros,
        method: MethodChoice::Normal,
        continuity,
    }
}

/// Largest T with two-sided exact P(W ≤ T)·2 ≤ α, or None when even T = 0 fails.
fn critical_value(n: usize, alpha: &Q) -> Option<u64> {
    let ranks2: Vec<u64> = (1..=n as u64).map(|r| 2 * r).collect();
    let mut best = None;
    for t in 0..=(n * (n + 1) / 2) as u64 {
        if exact_p(&ranks2, 2 * t).unwrap() <= *alpha {
            best = Some(t);
        } else {
            break;
        }
    }
    best
}

/// Critical values T (reject when min(W+, W−) ≤ T) of the signed-rank test, untied,
/// as printed in the standard table: Wilcoxon, Katti & Wilcox, "Critical values and
/// probability levels for the Wilcoxon rank sum test and the Wilcoxon signed rank
/// test", Selected Tables in Mathematical Statistics vol. 1 (AMS, 1973), reproduced
/// e.g. in Zar, Biostatistical Analysis, appendix table B.12, and Siegel & Castellan,
/// Nonparametric Statistics, table H. "None" is the table's "—" (no rejection
/// possible). Each value is also re-derived below by the exact dynamic programme.
const TABLE_TWO_SIDED_05: &[(usize, Option<u64>)] = &[
    (5, None),
    (6, Some(0)),
    (7, Some(2)),
    (8, Some(3)),
    (9, Some(5)),
    (10, Some(8)),
    (11, Some(10)),
    (12, Some(13)),
    (13, Some(17)),
    (14, Some(21)),
    (15, Some(25)),
    (16, Some(29)),
    (17, Some(34)),
    (18, Some(40)),
    (19, Some(46)),
    (20, Some(52)),
    (25, Some(89)),
    (30, Some(137)),
];

/// Same source, two-sided α = 0.01.
const TABLE_TWO_SIDED_01: &[(usize, Option<u64>)] = &[
    (7, None),
    (8, Some(0)),
    (9, Some(1)),
    (10, Some(3)),
    (15, Some(15)),
    (20, Some(37)),
    (25, Some(68)),
    (30, Some(109)),
];

/// Same source, two-sided α = 0.10 (one-sided 0.05).
const TABLE_TWO_SIDED_10: &[(usize, Option<u64>)] = &[
    (5, Some(0)),
    (6, Some(2)),
    (10, Some(10)),
    (15, Some(30)),
    (20, Some(60)),
    (30, Some(151)),
];

#[test]
fn published_critical_values() {
    for (table, alpha) in [
        (TABLE_TWO_SIDED_05, "0.05"),
        (TABLE_TWO_SIDED_01, "0.01"),
        (TABLE_TWO_SIDED_10, "0.10"),
    ] {
        let a = q(alpha);
        for &(n, t) in table {
            assert_eq!(critical_value(n, &a), t, "n = {n}, α = {alpha}");
        }
    }
}

#[test]
fn all_positive_n5_is_one_sixteenth() {
    let r = wilcoxon(&ints(&[1, 2, 3, 4, 5]), &Options::default()).unwrap();
    assert_eq!(r.method, Method::Exact);
    assert_eq!(r.p_exact, Some(q("1/16")));
    assert_eq!(r.p_value, 0.0625);
    assert_eq!((r.w_plus, r.w_minus, r.statistic), (15.0, 0.0, 0.0));
    assert_eq!(r.direction, Direction::Positive);
}

#[test]
fn all_negative_n6_is_one_thirty_second() {
    let r = wilcoxon(&ints(&[-1, -2, -3, -4, -5, -6]), &Options::default()).unwrap();
    assert_eq!(r.p_exact, Some(q("1/32")));
    assert_eq!(r.direction, Direction::Negative);
}

#[test]
fn null_counts_small_n() {
    // n = 3, ranks 1,2,3: sums 0,1,2,3,3,4,5,6 → counts 1,1,1,2,1,1,1 (doubled scale).
    let c = null_counts(&[2, 4, 6]).unwrap();
    let nonzero: Vec<u128> = c.iter().step_by(2).copied().collect();
    assert_eq!(nonzero, vec![1, 1, 1, 2, 1, 1, 1]);
    assert_eq!(c.iter().sum::<u128>(), 8);
}

#[test]
fn zeros_dropped_or_pratt() {
    let d = ints(&[0, 0, 1, 2, 3]);
    let w = wilcoxon(&d, &Options::default()).unwrap();
    assert_eq!((w.n_total, w.n_zero, w.n), (5, 2, 3));
    assert_eq!(w.w_plus, 6.0);
    assert_eq!(w.p_exact, Some(q("1/4")));
    let p = wilcoxon(
        &d,
        &Options {
            zeros: ZeroPolicy::Pratt,
            ..Options::default()
        },
    )
    .unwrap();
    // Pratt: zeros take ranks 1 and 2 (average 1.5), the rest ranks 3, 4, 5.
    assert_eq!((p.n, p.w_plus, p.w_minus), (3, 12.0, 0.0));
    assert_eq!(p.p_exact, Some(q("1/4")));
}

#[test]
fn all_zero_is_p_one() {
    let r = wilcoxon(&ints(&[0, 0, 0]), &Options::default()).unwrap();
    assert_eq!(r.n, 0);
    assert_eq!(r.p_value, 1.0);
    assert_eq!(r.direction, Direction::None);
    let r = wilcoxon(&[], &Options::default()).unwrap();
    assert_eq!(r.p_value, 1.0);
}

#[test]
fn ties_are_decided_exactly() {
    // 1/3 and 0.333… as f64 are different numbers; 1/3 and 2/6 are the same.
    let d = vec![q("1/3"), q("-2/6"), q("1/2")];
    let r = signed_ranks(&d, ZeroPolicy::Wilcoxon);
    assert_eq!(r.positive, vec![3, 6]);
    assert_eq!(r.negative, vec![3]);
    assert!(r.has_ties());
}

#[test]
fn exact_too_large_is_an_error() {
    let d: Vec<Q> = ints(&(1..=121).collect::<Vec<i64>>());
    assert!(wilcoxon(&d, &exact_opts()).is_err());
    // Auto switches to the normal approximation instead.
    let r = wilcoxon(&d, &Options::default()).unwrap();
    assert_eq!(r.method, Method::Normal);
}

#[test]
fn nan_difference_is_an_error() {
    assert!(wilcoxon_f64(&[1.0, f64::NAN], &Options::default()).is_err());
    assert!(wilcoxon_f64(&[1.0, f64::INFINITY], &Options::default()).is_err());
}

// Reference values printed by benches/peer/wilcoxon_scipy.py (SciPy 1.17.1).
const D1: &[&str] = &[
    "0.5", "-1.2", "2.3", "3.1", "-0.4", "1.7", "2.9", "0.8", "-2.2", "4.0", "1.1", "3.6",
];
const D2: &[i64] = &[0, 0, 1, -1, 2, 2, -3, 4, 4, 4, 5, -6, 7, 8, 0, 9];

fn d3() -> Vec<Q> {
    // The script's ((i·7919) mod 1000)/10 − 30 in tenths; ranks depend only on order.
    ints(
        &(1..=60)
            .map(|i: i64| (i * 7919) % 1000 - 300)
            .collect::<Vec<i64>>(),
    )
}

/// Asserts that `got` is within relative tolerance `rel` of scipy's `want`.
#[track_caller]
fn assert_close(got: f64, want: f64, rel: f64) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{got}, scipy gives {want}"
    );
}

#[test]
fn scipy_d1_untied() {
    let d = qs(D1);
    let e = wilcoxon(&d, &Options::default()).unwrap();
    assert_eq!((e.w_plus, e.w_minus, e.statistic), (65.0, 13.0, 13.0));
    // scipy exact: 0.04248046875 = 87/2048.
    assert_eq!(e.p_exact, Some(q("87/2048")));
    assert_eq!(e.p_value, 0.04248046875);
    let cc = wilcoxon(&d, &normal_opts(true, ZeroPolicy::Wilcoxon)).unwrap();
    assert_close(cc.p_value, 0.045458752343819665, 1e-12);
    let nc = wilcoxon(&d, &normal_opts(false, ZeroPolicy::Wilcoxon)).unwrap();
    assert_close(nc.p_value, 0.041389404009149304, 1e-12);
}

#[test]
fn scipy_d2_ties_and_zeros() {
    let d = ints(D2);
    let w = wilcoxon(&d, &normal_opts(true, ZeroPolicy::Wilcoxon)).unwrap();
    assert_eq!(w.statistic, 16.5);
    assert_close(w.p_value, 0.045999366875037084, 1e-12);
    let w = wilcoxon(&d, &normal_opts(false, ZeroPolicy::Wilcoxon)).unwrap();
    assert_close(w.p_value, 0.04231527490571396, 1e-12);
    let p = wilcoxon(&d, &normal_opts(true, ZeroPolicy::Pratt)).unwrap();
    assert_eq!(p.statistic, 25.5);
    assert_close(p.p_value, 0.04253996507405369, 1e-12);
    let p = wilcoxon(&d, &normal_opts(false, ZeroPolicy::Pratt)).unwrap();
    assert_close(p.p_value, 0.03995621055691897, 1e-12);
    // Exact with ties: brute force over all 2^13 sign patterns in the script.
    let e = wilcoxon(&d, &Options::default()).unwrap();
    assert_eq!((e.w_plus, e.w_minus), (74.5, 16.5));
    assert_eq!(e.p_exact, Some(q("161/4096")));
    let e = wilcoxon(
        &d,
        &Options {
            zeros: ZeroPolicy::Pratt,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!((e.w_plus, e.w_minus), (104.5, 25.5));
    assert_eq!(e.p_exact, Some(q("159/4096")));
}

#[test]
fn scipy_d3_n60() {
    let d = d3();
    let a = wilcoxon(&d, &Options::default()).unwrap();
    assert_eq!(a.method, Method::Normal);
    assert_eq!(a.statistic, 328.0);
    assert_close(a.p_value, 1.577491257569602e-05, 1e-9);
    let nc = wilcoxon(&d, &normal_opts(false, ZeroPolicy::Wilcoxon)).unwrap();
    assert_close(nc.p_value, 1.5514005918410463e-05, 1e-9);
    let e = wilcoxon(&d, &exact_opts()).unwrap();
    // SciPy's exact p is 6.089748670001782e-06, computed in floating point; the exact
    // rational (the script's Fraction DP prints the same) is below, and its nearest
    // double differs from SciPy's in the 11th significant digit.
    assert_eq!(e.p_exact, Some(q("3510501099749/576460752303423488")));
    assert_close(e.p_value, 6.089748670001782e-06, 1e-9);
}

fn diffs_strategy(max_n: usize) -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(-20i64..=20, 0..max_n)
}

fn distinct_diffs(n: usize) -> impl Strategy<Value = Vec<i64>> {
    // Distinct magnitudes 1..=n with random signs: no ties, no zeros.
    prop::collection::vec(any::<bool>(), n).prop_map(|signs| {
        signs
            .iter()
            .enumerate()
            .map(|(i, &s)| if s { i as i64 + 1 } else { -(i as i64 + 1) })
            .collect()
    })
}

proptest! {
    #[test]
    fn rank_sums_add_up(d in diffs_strategy(40)) {
        let r = wilcoxon(&ints(&d), &Options::default()).unwrap();
        let n = r.n as f64;
        prop_assert_eq!(r.w_plus + r.w_minus, n * (n + 1.0) / 2.0);
    }

    #[test]
    fn exact_p_in_unit_interval_and_symmetric(d in diffs_strategy(30)) {
        let a = wilcoxon(&ints(&d), &exact_opts()).unwrap();
        let neg: Vec<i64> = d.iter().map(|x| -x).collect();
        let b = wilcoxon(&ints(&neg), &exact_opts()).unwrap();
        let p = a.p_exact.clone().unwrap();
        prop_assert!(p > Q::zero() && p <= Q::one());
        prop_assert_eq!(a.p_exact, b.p_exact);
        prop_assert_eq!(a.w_plus, b.w_minus);
    }

    #[test]
    fn scaling_leaves_test_unchanged(d in diffs_strategy(30), k in 1i64..1000, m in 1i64..1000) {
        let base = wilcoxon(&ints(&d), &Options::default()).unwrap();
        let c = Q::new(BigInt::from(k), BigInt::from(m));
        let scaled: Vec<Q> = ints(&d).iter().map(|x| x * &c).collect();
        let s = wilcoxon(&scaled, &Options::default()).unwrap();
        prop_assert_eq!(base.p_exact, s.p_exact);
        prop_assert_eq!(base.w_plus, s.w_plus);
        prop_assert_eq!(base.w_minus, s.w_minus);
    }

    #[test]
    fn exact_and_normal_agree_near_n45(n in 40usize..=50, d in distinct_diffs(50)) {
        let d = ints(&d[..n]);
        let e = wilcoxon(&d, &exact_opts()).unwrap();
        let z = wilcoxon(&d, &normal_opts(true, ZeroPolicy::Wilcoxon)).unwrap();
        prop_assert!((e.p_value - z.p_value).abs() < 0.01, "{} vs {}", e.p_value, z.p_value);
    }
}
