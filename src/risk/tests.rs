use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use proptest::prelude::*;

use super::brute::{brute_expected, brute_optimal};
use super::fast::{convolve, expected_f64, expected_f64_with, optimal_topk_f64};
use super::*;
use crate::measures::EmptyPolicy;

fn q(n: i64, d: i64) -> Q {
    Q::new(BigInt::from(n), BigInt::from(d))
}

fn probs_strategy(max_n: usize) -> impl Strategy<Value = Vec<Q>> {
    prop::collection::vec((0i64..=12, 1i64..=12), 1..=max_n)
        .prop_map(|v| v.into_iter().map(|(a, d)| q(a.min(d), d)).collect())
}

const POLICIES: [EmptyPolicy; 2] = [EmptyPolicy::One, EmptyPolicy::Zero];
const METRICS: [RiskMetric; 2] = [RiskMetric::Dice, RiskMetric::Jaccard];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn exact_equals_brute_force(probs in probs_strategy(8), mask in any::<u8>()) {
        let pred: Vec<bool> = (0..probs.len()).map(|i| mask >> i & 1 == 1).collect();
        for m in METRICS {
            for pol in POLICIES {
                let e = expected_exact(&probs, &pred, &m, pol).unwrap();
                let b = brute_expected(&probs, &pred, &m, pol).unwrap();
                prop_assert_eq!(e, b);
            }
        }
    }

    #[test]
    fn topk_is_optimal_over_all_predictions(probs in probs_strategy(8)) {
        for m in METRICS {
            for pol in POLICIES {
                let opt = optimal_topk(&probs, &m, pol).unwrap();
                let (_, best) = brute_optimal(&probs, &m, pol).unwrap();
                prop_assert_eq!(&opt.expected, &best);
                prop_assert_eq!(&expected_exact(&probs, &opt.pred, &m, pol).unwrap(), &best);
            }
        }
    }
}

#[test]
fn known_values() {
    // One voxel, π = 1/2, predicted: Dice = 1 w.p. 1/2, 0 otherwise.
    let p = vec![q(1, 2)];
    let e = expected_exact(&p, &[true], &RiskMetric::Dice, EmptyPolicy::One).unwrap();
    assert_eq!(e, q(1, 2));
    // Not predicted: 1 iff y empty (policy one).
    let e = expected_exact(&p, &[false], &RiskMetric::Dice, EmptyPolicy::One).unwrap();
    assert_eq!(e, q(1, 2));
    let e = expected_exact(&p, &[false], &RiskMetric::Dice, EmptyPolicy::Zero).unwrap();
    assert!(e.is_zero());
}

#[test]
fn undefined_expectations_are_errors() {
    let p = vec![q(1, 2), q(1, 3)];
    for pol in [EmptyPolicy::Nan, EmptyPolicy::Error] {
        let r = expected_exact(&p, &[false, false], &RiskMetric::Dice, pol);
        assert!(matches!(r, Err(crate::Error::Empty(_))), "{r:?}");
        // The optimum skips the undefined k = 0.
        assert!(optimal_topk(&p, &RiskMetric::Dice, pol).unwrap().k > 0);
    }
    // P(y empty) = 0: defined under every policy.
    let sure = vec![q(1, 1), q(1, 2)];
    let e = expected_exact(
        &sure,
        &[false, false],
        &RiskMetric::Dice,
        EmptyPolicy::Error,
    );
    assert!(e.unwrap().is_zero());
    assert!(expected_exact(&p, &[true], &RiskMetric::Dice, EmptyPolicy::One).is_err());
    assert!(expected_exact(&[q(3, 2)], &[true], &RiskMetric::Dice, EmptyPolicy::One).is_err());
    assert!(parse_probs("1/2,x").is_err());
    assert!(parse_probs("1/2,-1/3").is_err());
    assert!(weight_threshold(&q(2, 1)).is_err());
}

#[test]
fn weighted_ce_threshold_is_one_minus_w() {
    assert_eq!(weight_threshold(&q(1, 4)).unwrap(), q(3, 4));
    let probs = vec![q(3, 4), q(4, 5), q(1, 2)];
    // t = 3/4: tie at equality predicts 0.
    assert_eq!(threshold_pred(&probs, &q(3, 4)), vec![false, true, false]);
    // Direct Bayes rule w·π > (1−w)(1−π).
    let w = q(1, 4);
    for p in &probs {
        let bayes = &w * p > (Q::from_integer(1.into()) - &w) * (Q::from_integer(1.into()) - p);
        assert_eq!(bayes, *p > weight_threshold(&w).unwrap());
    }
}

fn random_probs(n: usize, seed: u64) -> Vec<Q> {
    let mut rng = crate::rng::Rng::from_state(seed);
    (0..n).map(|_| q(rng.upto(1000) as i64, 1000)).collect()
}

#[test]
fn fast_path_matches_exact() {
    for (n, seed) in [(1usize, 1u64), (7, 2), (50, 3), (120, 4), (200, 5)] {
        let probs = random_probs(n, seed);
        let pf: Vec<f64> = probs.iter().map(|p| p.to_f64().unwrap()).collect();
        let pred = threshold_pred(&probs, &q(1, 2));
        for m in METRICS {
            let e = expected_exact(&probs, &pred, &m, EmptyPolicy::One)
                .unwrap()
                .to_f64()
                .unwrap();
            let f = expected_f64(&pf, &pred, &m, EmptyPolicy::One).unwrap();
            // Force FFT merges with small leaves.
            let g = expected_f64_with(&pf, &pred, &m, EmptyPolicy::One, 4).unwrap();
            assert!((e - f).abs() < 1e-9, "n={n} {m}: {e} vs {f}");
            assert!((e - g).abs() < 1e-9, "n={n} {m} fft: {e} vs {g}");
        }
        if n <= 120 {
            let opt = optimal_topk(&probs, &RiskMetric::Dice, EmptyPolicy::One).unwrap();
            let (_, _, fe) = optimal_topk_f64(&pf, &RiskMetric::Dice, EmptyPolicy::One).unwrap();
            assert!((opt.expected.to_f64().unwrap() - fe).abs() < 1e-9);
        }
    }
}

#[test]
fn fft_convolution_matches_direct() {
    let a: Vec<f64> = (0..700).map(|i| ((i * 37 % 101) as f64) / 101.0).collect();
    let b: Vec<f64> = (0..300).map(|i| ((i * 13 % 71) as f64) / 71.0).collect();
    let (f, noisy) = convolve(&a, &b);
    assert!(noisy);
    for (s, &fs) in f.iter().enumerate() {
        let d: f64 = (0..a.len())
            .filter(|&i| s >= i && s - i < b.len())
            .map(|i| a[i] * b[s - i])
            .sum();
        assert!((d - fs).abs() < 1e-9 * d.abs().max(1.0));
    }
}

fn tversky() -> RiskMetric {
    "tversky:a=3/10,b=7/10".parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// The generic path (any measure spec) equals brute force, and on the spec
    /// `dice`/`jaccard` equals the dedicated formulas.
    #[test]
    fn generic_path_equals_brute_force_and_dedicated(probs in probs_strategy(7), mask in any::<u8>()) {
        let pred: Vec<bool> = (0..probs.len()).map(|i| mask >> i & 1 == 1).collect();
        for pol in POLICIES {
            let t = tversky();
            prop_assert_eq!(
                expected_exact(&probs, &pred, &t, pol).unwrap(),
                brute_expected(&probs, &pred, &t, pol).unwrap()
            );
            for (spec, dedicated) in [("tversky:a=1/2,b=1/2", RiskMetric::Dice), ("tversky:a=1,b=1", RiskMetric::Jaccard)] {
                let g: RiskMetric = spec.parse().unwrap();
                prop_assert_eq!(
                    expected_exact(&probs, &pred, &g, pol).unwrap(),
                    expected_exact(&probs, &pred, &dedicated, pol).unwrap()
                );
            }
            let pf: Vec<f64> = probs.iter().map(|p| p.to_f64().unwrap()).collect();
            let f = expected_f64(&pf, &pred, &t, pol).unwrap();
            let e = expected_exact(&probs, &pred, &t, pol).unwrap().to_f64().unwrap();
            prop_assert!((f - e).abs() < 1e-12, "f64 {} vs exact {}", f, e);
        }
    }

    /// Tversky's optimum over all predictions is a top-k set too.
    #[test]
    fn tversky_topk_is_optimal(probs in probs_strategy(7)) {
        let t = tversky();
        let opt = optimal_topk(&probs, &t, EmptyPolicy::One).unwrap();
        let (_, best) = brute_optimal(&probs, &t, EmptyPolicy::One).unwrap();
        prop_assert_eq!(opt.expected, best);
    }
}

#[test]
fn metric_specs_parse_and_report_names() {
    assert_eq!("iou".parse::<RiskMetric>().unwrap(), RiskMetric::Jaccard);
    assert_eq!(tversky().name(), "tversky:a=3/10,b=7/10");
    assert!(tversky().topk_is_optimal());
    let h: RiskMetric = "hamming".parse().unwrap();
    assert!(!h.topk_is_optimal());
    let err = "tversky:a=x".parse::<RiskMetric>().unwrap_err().to_string();
    assert!(err.contains("unknown risk metric"), "{err}");
}
