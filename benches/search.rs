//! Benchmark of the counterexample search: candidate evaluations per second in count
//! space on all cores, and the cost of refuting a weighting end to end (search,
//! exact verification, shrinking).
//!
//! `cargo bench --bench search`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use diceproof::exact::Q;
use diceproof::measures::parse_measure;
use diceproof::search::{Bound, Loss, Search};

fn search(candidate: &str, bound: Bound, max_evals: u64) -> Search {
    Search {
        target: parse_measure("dice").unwrap(),
        candidate: Loss::parse(candidate).unwrap(),
        bound,
        min_n: 1,
        max_n: 1_000_000,
        seed: 1,
        budget_s: 600.0,
        max_evals,
        nonempty_gt: false,
    }
}

fn evaluations(c: &mut Criterion) {
    let mut g = c.benchmark_group("search_evals");
    g.sample_size(10);
    let evals = 1u64 << 23;
    for cand in ["whamming:balanced", "jaccard", "whamming:sqrt"] {
        // A spread search with no claim runs exactly until the evaluation budget.
        let s = search(cand, Bound::None, evals);
        let done = s
            .run(&diceproof::progress::Progress::none())
            .unwrap()
            .evaluations;
        g.throughput(Throughput::Elements(done));
        g.bench_function(cand, |b| {
            b.iter(|| {
                let f = black_box(&s)
                    .run(&diceproof::progress::Progress::none())
                    .unwrap();
                assert_eq!(f.evaluations, done);
                f
            })
        });
    }
    g.finish();
}

fn refutation(c: &mut Criterion) {
    let mut g = c.benchmark_group("search_refute");
    g.sample_size(10);
    for cand in ["whamming:balanced", "whamming:gdice", "whamming:sqrt"] {
        let s = search(cand, Bound::Factor(Q::from_integer(100.into())), 1 << 24);
        g.bench_function(format!("{cand}/K=100"), |b| {
            b.iter(|| {
                let f = black_box(&s)
                    .run(&diceproof::progress::Progress::none())
                    .unwrap();
                assert!(f.found);
                f
            })
        });
    }
    g.finish();
}

criterion_group!(benches, evaluations, refutation);
criterion_main!(benches);
