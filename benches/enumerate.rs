//! Benchmarks of exhaustive enumeration: how fast `compare` visits every label
//! configuration on n voxels, in both enumerators, for Dice (target) against
//! Jaccard (candidate).
//!
//! * `voxel_space/whole_run/{12,14,16}`: `enumerate::run` in voxel mode (the
//!   histogram path, all cores); throughput in mask pairs, 4ⁿ per run.
//! * `voxel_space/per_pair_baseline/12`: the obvious alternative, evaluating both
//!   losses on every pair (`voxel_space::run_chunk_per_pair` over every chunk, on
//!   all cores too); same 4ⁿ pairs, same result.
//! * `voxel_space/histogram_one_core/12`: `voxel_space::histogram` alone on one
//!   thread, the per-core rate to set beside a single-threaded numpy script.
//! * `count_space/whole_run/{200,1000}`: `enumerate::run` in count mode; throughput
//!   in count tuples, C(n+3, 3) per run.
//!
//! Every iteration checks its result against values derived independently here
//! (max ratio (2n−1)/n at (n−1, 0, 1, 0), min ratio 1 at (0, 0, 1, n−1), the max gap
//! by a direct scan of (TP, FP+FN), 4ⁿ configurations, 2ⁿ skipped pairs, C(n+3, 3)
//! tuples in count mode), so a broken enumerator fails instead of benching fast.
//!
//! Run: `cargo bench --bench enumerate` (about three minutes on 2 cores). The peer
//! comparisons (numpy, Python `fractions`) are `benches/peer/voxel_histogram_numpy.py`
//! and `benches/peer/count_space_fractions.py`, against the release binary.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use diceproof::analysis::{Pair, Spread};
use diceproof::counts::Counts;
use diceproof::enumerate::{count_space, run, voxel_space, Job, Mode, RunOptions};
use diceproof::exact::{q_from_u128, Q};
use diceproof::{parse_measure, EmptyPolicy};
use num_bigint::BigUint;
use rayon::prelude::*;

fn dice_vs_jaccard() -> Pair {
    Pair::new(
        parse_measure("dice").unwrap(),
        parse_measure("jaccard").unwrap(),
        EmptyPolicy::One,
    )
    .unwrap()
}

/// What every enumeration of Dice vs Jaccard on n voxels must report.
struct Expected {
    n: u64,
    max_ratio: Q,
    max_gap: Q,
    gap_witness: Counts,
}

impl Expected {
    /// The max gap is found by scanning (t, e) = (TP, FP + FN) directly: the gap is
    /// e/(t+e) − e/(2t+e) = t·e / ((t+e)(2t+e)), and its smallest witness in
    /// (TP, FP, FN, TN) order puts all of e in FN.
    fn new(n: u64) -> Expected {
        let mut best: Option<(u128, u128, u64, u64)> = None;
        for t in 0..=n {
            for e in 0..=n - t {
                if t + e == 0 {
                    continue;
                }
                let (t, e) = (t as u128, e as u128);
                let (num, den) = (t * e, (t + e) * (2 * t + e));
                if best.is_none_or(|(bn, bd, _, _)| num * bd > bn * den) {
                    best = Some((num, den, t as u64, e as u64));
                }
            }
        }
        let (num, den, t, e) = best.unwrap();
        Expected {
            n,
            max_ratio: q_from_u128(2 * n as u128 - 1, n as u128),
            max_gap: q_from_u128(num, den),
            gap_witness: Counts::new(t, 0, e, n - t - e).unwrap(),
        }
    }

    fn check(&self, s: &Spread, mode: Mode) {
        let n = self.n;
        let one = BigUint::from(1u32);
        assert_eq!(s.configurations, &one << (2 * n), "configurations != 4^n");
        assert_eq!(
            s.skipped,
            &one << n,
            "skipped != 2^n (the pairs with y = ŷ)"
        );
        assert!(s.unbounded.is_none(), "Dice vs Jaccard is bounded");
        let hi = s.max_ratio.as_ref().expect("max ratio");
        assert_eq!(hi.value, self.max_ratio, "max ratio != (2n-1)/n");
        assert_eq!(hi.witness, Counts::new(n - 1, 0, 1, 0).unwrap());
        let lo = s.min_ratio.as_ref().expect("min ratio");
        assert_eq!(lo.value, q_from_u128(1, 1), "min ratio != 1");
        assert_eq!(lo.witness, Counts::new(0, 0, 1, n - 1).unwrap());
        let gap = s.max_gap.as_ref().expect("max gap");
        assert_eq!(gap.value, self.max_gap, "max gap");
        assert_eq!(gap.witness, self.gap_witness, "max gap witness");
        match mode {
            Mode::Counts => assert_eq!(s.tuples as u128, count_space::tuples(n)),
            Mode::Voxels => assert_eq!(s.tuples, 0),
        }
    }
}

fn whole_run(pair: &Pair, n: u64, mode: Mode) -> Spread {
    let job = Job {
        pair: pair.clone(),
        n,
        mode,
    };
    let out = run(
        &job,
        &RunOptions {
            force: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(out.complete);
    out.spread
}

fn voxel(c: &mut Criterion) {
    let pair = dice_vs_jaccard();
    let mut g = c.benchmark_group("voxel_space");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1));
    for (n, secs) in [(12u64, 3u64), (14, 5), (16, 25)] {
        let want = Expected::new(n);
        g.throughput(Throughput::Elements(1u64 << (2 * n)))
            .measurement_time(Duration::from_secs(secs));
        g.bench_with_input(BenchmarkId::new("whole_run", n), &n, |b, &n| {
            b.iter(|| want.check(&whole_run(&pair, black_box(n), Mode::Voxels), Mode::Voxels))
        });
    }

    // The obvious alternative: both losses evaluated on every one of the 4^n pairs.
    let n = 12u64;
    let want = Expected::new(n);
    g.throughput(Throughput::Elements(1u64 << (2 * n)))
        .measurement_time(Duration::from_secs(30));
    g.bench_with_input(BenchmarkId::new("per_pair_baseline", n), &n, |b, &n| {
        b.iter(|| {
            let s = (0..voxel_space::chunks(n))
                .into_par_iter()
                .map(|i| voxel_space::run_chunk_per_pair(&pair, black_box(n), i).unwrap())
                .reduce(Spread::default, |mut a, b| {
                    a.merge(b);
                    a
                });
            want.check(&s, Mode::Voxels)
        })
    });

    // The histogram kernel on one thread, for comparison with single-threaded peers.
    g.measurement_time(Duration::from_secs(5));
    g.bench_with_input(BenchmarkId::new("histogram_one_core", n), &n, |b, &n| {
        b.iter(|| {
            let h = voxel_space::histogram(black_box(n), 0..1 << n);
            assert_eq!(h.iter().sum::<u64>(), 1 << (2 * n));
            // Pairs with |y| = k, TP = tp, |ŷ| = ps: C(n,k)·C(k,tp)·C(n−k, ps−tp).
            let w = n as usize + 1;
            let (k, tp, ps) = (5usize, 2usize, 6usize);
            assert_eq!(h[(k * w + tp) * w + ps], 792 * 10 * 35);
            h
        })
    });
    g.finish();
}

fn count(c: &mut Criterion) {
    let pair = dice_vs_jaccard();
    let mut g = c.benchmark_group("count_space");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1));
    for (n, secs) in [(200u64, 3u64), (1000, 40)] {
        let want = Expected::new(n);
        g.throughput(Throughput::Elements(count_space::tuples(n) as u64))
            .measurement_time(Duration::from_secs(secs));
        g.bench_with_input(BenchmarkId::new("whole_run", n), &n, |b, &n| {
            b.iter(|| want.check(&whole_run(&pair, black_box(n), Mode::Counts), Mode::Counts))
        });
    }
    g.finish();
}

criterion_group!(benches, voxel, count);
criterion_main!(benches);
