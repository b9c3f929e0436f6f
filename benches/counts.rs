//! Benchmarks of the exact core: counting real-sized masks, evaluating measures on
//! the three arithmetic paths, and reading the mricron-data volumes.
//!
//! `cargo bench --bench counts`. The peer comparison for `measure` on real files
//! (against nibabel + numpy) is `python3 benches/peer/count_nibabel.py`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use diceproof::counts::Counts;
use diceproof::measures::{parse_measure, EmptyPolicy};
use diceproof::rng::Rng;

fn masks(n: usize) -> (Vec<bool>, Vec<bool>) {
    // A deterministic pseudo-random pair with about 30% foreground.
    let mut rng = Rng::from_state(1);
    let gt: Vec<bool> = (0..n).map(|_| rng.below(10) < 3).collect();
    let pred: Vec<bool> = (0..n).map(|_| rng.below(10) < 3).collect();
    (gt, pred)
}

fn counting(c: &mut Criterion) {
    let n = 181 * 217 * 181;
    let (gt, pred) = masks(n);
    let mut g = c.benchmark_group("count_masks");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("from_bools_181x217x181", |b| {
        b.iter(|| Counts::from_bools(black_box(&gt), black_box(&pred)).unwrap())
    });
    // The obvious alternative: branchy per-voxel matching.
    g.bench_function("naive_match_181x217x181", |b| {
        b.iter(|| {
            let (mut tp, mut fp, mut fn_, mut tn) = (0u64, 0u64, 0u64, 0u64);
            for (&a, &p) in black_box(&gt).iter().zip(black_box(&pred)) {
                match (a, p) {
                    (true, true) => tp += 1,
                    (false, true) => fp += 1,
                    (true, false) => fn_ += 1,
                    (false, false) => tn += 1,
                }
            }
            (tp, fp, fn_, tn)
        })
    });
    g.finish();
}

fn measures(c: &mut Criterion) {
    let counts: Vec<Counts> = (0..1000u64)
        .map(|i| Counts::new(i % 37, i % 11, i % 13, 1000 - i % 37 - i % 11 - i % 13).unwrap())
        .collect();
    let mut g = c.benchmark_group("measure_paths");
    g.throughput(Throughput::Elements(counts.len() as u64));
    for spec in ["dice", "tversky:a=3/10,b=7/10", "whamming:balanced"] {
        let m = parse_measure(spec).unwrap();
        g.bench_function(format!("{spec}/wide"), |b| {
            b.iter(|| {
                counts
                    .iter()
                    .map(|c| {
                        m.counts()
                            .loss_wide(black_box(c))
                            .parts()
                            .map_or(0, |p| p.0)
                    })
                    .sum::<u128>()
            })
        });
        g.bench_function(format!("{spec}/big"), |b| {
            b.iter(|| {
                counts
                    .iter()
                    .filter(|c| m.counts().loss_big(black_box(c)).den.bits() > 0)
                    .count()
            })
        });
        g.bench_function(format!("{spec}/reduced_bigrational"), |b| {
            b.iter(|| {
                counts
                    .iter()
                    .filter_map(|c| m.loss_raw(black_box(c)))
                    .count()
            })
        });
        g.bench_function(format!("{spec}/f64"), |b| {
            b.iter(|| {
                counts
                    .iter()
                    .map(|c| m.loss_f64(black_box(c), EmptyPolicy::One))
                    .sum::<f64>()
            })
        });
    }
    g.finish();
}

fn reading(c: &mut Criterion) {
    let path = Path::new("/usr/share/mricron/templates/aal.nii.gz");
    if !path.exists() {
        eprintln!("skipping read benchmark: install Debian's mricron-data");
        return;
    }
    let mut g = c.benchmark_group("read");
    g.sample_size(10);
    g.bench_function("aal.nii.gz", |b| {
        b.iter(|| diceproof::io::read_volume(black_box(path)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, counting, measures, reading);
criterion_main!(benches);
