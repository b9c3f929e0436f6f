//! Benchmarks of exact soft losses on whole probability maps
//! (`diceproof::surrogates::maps`): the exact sums of a 181×217×181 float32 map
//! against a mask (integer buckets per binary exponent), the same sums as general
//! rationals on a 10⁵-voxel slice (the path the buckets replace), and exact
//! Lovász-Jaccard of the map quantised to 256 levels.
//!
//! Run with `cargo bench --bench maps`. Inputs are the mricron templates: the mask
//! is AAL's labelled brain, the map p = ch2 / 255 nudged by a seeded ±2⁻²⁰ so that
//! most voxels hold distinct floats. The setup asserts that the bucketed sums equal
//! the rational sums on the slice.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use diceproof::exact::Q;
use diceproof::io::{read_volume, VoxelData};
use diceproof::surrogates::maps::{float_to_q, lovasz_jaccard, map_sums};
use diceproof::surrogates::sums::SoftSums;
use num_traits::{One, Zero};

fn inputs() -> (Vec<bool>, Vec<f32>) {
    let t = Path::new("/usr/share/mricron/templates");
    let aal = read_volume(&t.join("aal.nii.gz")).expect("mricron-data is installed");
    let ch2 = read_volume(&t.join("ch2.nii.gz")).expect("mricron-data is installed");
    let y: Vec<bool> = (0..aal.len())
        .map(|i| aal.data.get_f64(i).unwrap_or(0.0) != 0.0)
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let p: Vec<f32> = (0..ch2.len())
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = ch2.data.get_f64(i).unwrap_or(0.0) / 255.0;
            let nudge = ((state >> 40) as f64 / (1u64 << 24) as f64 - 0.5) / (1u64 << 19) as f64;
            (v + nudge).clamp(0.0, 1.0) as f32
        })
        .collect();
    (y, p)
}

fn bench(c: &mut Criterion) {
    let (y, p) = inputs();
    let map = VoxelData::F32(p.clone());
    let slice = 100_000;
    let ys = &y[..slice];
    let ps = VoxelData::F32(p[..slice].to_vec());
    let yq: Vec<Q> = ys
        .iter()
        .map(|&b| if b { Q::one() } else { Q::zero() })
        .collect();
    let pq: Vec<_> = p[..slice].iter().map(|&x| float_to_q(x)).collect();
    assert_eq!(
        map_sums(ys, &ps, "slice").unwrap(),
        SoftSums::exact(&yq, &pq)
    );

    let mut g = c.benchmark_group("maps");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("sums, 181x217x181 float32, integer buckets", |b| {
        b.iter(|| map_sums(black_box(&y), black_box(&map), "map").unwrap())
    });
    g.bench_function("sums, 1e5 voxels, integer buckets", |b| {
        b.iter(|| map_sums(black_box(ys), black_box(&ps), "slice").unwrap())
    });
    g.bench_function("sums, 1e5 voxels, BigRational", |b| {
        b.iter(|| SoftSums::exact(black_box(&yq), black_box(&pq)))
    });
    let quantised = VoxelData::F32(p.iter().map(|&x| (x * 255.0).round() / 255.0).collect());
    g.bench_function("lovasz-jaccard, 181x217x181, 256 levels", |b| {
        b.iter(|| lovasz_jaccard(black_box(&y), black_box(&quantised), "map").unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
