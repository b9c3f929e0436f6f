//! Benchmarks of `diceproof::risk`: exact E[Dice] (n = 300), the exact optimal top-k
//! decision (n = 100), the f64 fast path on 10^6 probabilities, and brute force over
//! 2^16 label vectors for comparison.

use criterion::{criterion_group, criterion_main, Criterion};
use diceproof::exact::Q;
use diceproof::measures::EmptyPolicy;
use diceproof::risk::brute::brute_expected;
use diceproof::risk::fast::{expected_f64, optimal_topk_f64};
use diceproof::risk::fast_opt::optimal_dice_large;
use diceproof::risk::{expected_exact, optimal_topk, threshold_pred, RiskMetric};
use diceproof::rng::Rng;
use num_bigint::BigInt;

fn probs(n: usize, seed: u64) -> Vec<Q> {
    let mut rng = Rng::from_state(seed);
    (0..n)
        .map(|_| Q::new(BigInt::from(rng.upto(1000)), BigInt::from(1000)))
        .collect()
}

fn bench(c: &mut Criterion) {
    let half = Q::new(BigInt::from(1), BigInt::from(2));
    let mut g = c.benchmark_group("risk");
    g.sample_size(10);

    let p300 = probs(300, 1);
    let pred300 = threshold_pred(&p300, &half);
    g.bench_function("exact_dice_n300", |b| {
        b.iter(|| expected_exact(&p300, &pred300, &RiskMetric::Dice, EmptyPolicy::One).unwrap())
    });

    let p100 = probs(100, 2);
    g.bench_function("exact_optimal_topk_n100", |b| {
        b.iter(|| optimal_topk(&p100, &RiskMetric::Dice, EmptyPolicy::One).unwrap())
    });

    let mut rng = Rng::from_state(3);
    let pf: Vec<f64> = (0..1_000_000).map(|_| rng.unit()).collect();
    let predf: Vec<bool> = pf.iter().map(|&p| p > 0.5).collect();
    g.bench_function("fast_dice_n1e6", |b| {
        b.iter(|| expected_f64(&pf, &predf, &RiskMetric::Dice, EmptyPolicy::One).unwrap())
    });

    g.bench_function("fast_optimum_n1e6", |b| {
        b.iter(|| optimal_dice_large(&pf, EmptyPolicy::One).unwrap())
    });
    let pf1000: Vec<f64> = pf[..1000].to_vec();
    g.bench_function("fast_optimum_n1000", |b| {
        b.iter(|| optimal_dice_large(&pf1000, EmptyPolicy::One).unwrap())
    });
    g.bench_function("scan_optimum_n1000", |b| {
        b.iter(|| optimal_topk_f64(&pf1000, &RiskMetric::Dice, EmptyPolicy::One).unwrap())
    });

    let p16 = probs(16, 4);
    let pred16 = threshold_pred(&p16, &half);
    g.bench_function("brute_dice_n16", |b| {
        b.iter(|| brute_expected(&p16, &pred16, &RiskMetric::Dice, EmptyPolicy::One).unwrap())
    });
    g.bench_function("exact_dice_n16", |b| {
        b.iter(|| expected_exact(&p16, &pred16, &RiskMetric::Dice, EmptyPolicy::One).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
