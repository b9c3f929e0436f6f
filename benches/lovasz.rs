//! Benchmarks of the one-class Lovász-softmax (Lovász extension of the Jaccard loss):
//! the exact sort-based algorithm (`lovasz_jaccard_fast`), the exact definition-based
//! O(n²) evaluation (`lovasz_extension_definition` with the `jaccard` count measure
//! recounting every prefix from scratch, as `lovasz:jaccard` does), and the `f64`
//! sort-based reference (`lovasz_jaccard_fast_f64`), at n = 100, 1000, 10000.
//!
//! Run with `cargo bench --bench lovasz`.
//!
//! Inputs are seeded pseudo-random: about 30% foreground labels and probabilities
//! k/d with d ≤ 12 (group `lovasz_jaccard`), so the errors m_i = |y_i − p_i| take
//! at most 46 distinct values. A second group (`lovasz_jaccard_distinct`) uses
//! denominators up to 2^20, so nearly every error value is distinct: the exact fast
//! algorithm then extends its sum once per voxel and the exact value has a
//! denominator of tens of thousands of bits, which is its worst case.
//!
//! The setup asserts that the two exact evaluations are equal (and that the f64
//! value is within 1e-9 of them), timing one definition-based run and printing it;
//! that evaluation is benchmarked only if the single run took under 3 s. In the
//! `distinct` group the definition-based evaluation (≈ 9 s at n = 3000 and growing
//! faster than n², because `BigRational` re-reduces its growing sum at every step)
//! is neither run nor benchmarked at n = 10000; there the setup checks the exact
//! fast value against f64 only.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use diceproof::counts::Counts;
use diceproof::exact::{q_to_f64, Q};
use diceproof::measures::{parse_measure, Measure};
use diceproof::surrogates::soft::{
    lovasz_extension_definition, lovasz_jaccard_fast, lovasz_jaccard_fast_f64, parse_soft,
    to_f64_vec,
};
use num_bigint::BigInt;
use num_traits::{One, Zero};

const SIZES: [usize; 3] = [100, 1000, 10_000];
const DEFINITION_BUDGET: Duration = Duration::from_secs(3);

struct Input {
    y: Vec<bool>,
    p: Vec<Q>,
    m: Vec<Q>,
    m_f64: Vec<f64>,
}

fn input(n: usize, max_den: u64, seed: u64) -> Input {
    let mut rng = diceproof::rng::Rng::from_state(seed);
    let y: Vec<bool> = (0..n).map(|_| rng.below(10) < 3).collect();
    let p: Vec<Q> = (0..n)
        .map(|_| {
            let d = rng.range(1, max_den);
            let k = rng.upto(d);
            Q::new(BigInt::from(k), BigInt::from(d))
        })
        .collect();
    let m: Vec<Q> = y
        .iter()
        .zip(&p)
        .map(|(&yi, pi)| if yi { Q::one() - pi } else { pi.clone() })
        .collect();
    let m_f64 = to_f64_vec(&m);
    Input { y, p, m, m_f64 }
}

/// Δ_J of the error set, recounted from scratch through the `jaccard` measure.
fn definition(jaccard: &Measure, y: &[bool], m: &[Q]) -> Q {
    lovasz_extension_definition(
        |errs| {
            let mut c = Counts::default();
            for (&yi, &e) in y.iter().zip(errs) {
                match (yi, e) {
                    (true, false) => c.tp += 1,
                    (true, true) => c.fn_ += 1,
                    (false, true) => c.fp += 1,
                    (false, false) => c.tn += 1,
                }
            }
            jaccard.loss_raw(&c).unwrap_or_else(Q::zero)
        },
        m,
    )
}

fn group(c: &mut Criterion, name: &str, max_den: u64, definition_max_n: usize) {
    let jaccard = parse_measure("jaccard").expect("jaccard");
    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    for n in SIZES {
        let inp = input(n, max_den, n as u64);
        let fast = lovasz_jaccard_fast(&inp.y, &inp.m);
        let f = lovasz_jaccard_fast_f64(&inp.y, &inp.m_f64);
        assert!((f - q_to_f64(&fast)).abs() <= 1e-9, "{f} vs {fast}");
        let def_time = if n <= definition_max_n {
            let t = Instant::now();
            let def = definition(&jaccard, &inp.y, &inp.m);
            let def_time = t.elapsed();
            assert_eq!(fast, def, "{name} n={n}: fast and definition disagree");
            let yq: Vec<Q> = inp
                .y
                .iter()
                .map(|&b| if b { Q::one() } else { Q::zero() })
                .collect();
            let via_spec = parse_soft("lovasz:jaccard")
                .expect("spec")
                .loss(&yq, &inp.p)
                .expect("valid");
            assert_eq!(via_spec, Some(fast.clone()));
            Some(def_time)
        } else {
            None
        };
        eprintln!(
            "{name} n={n}: value {:.12}, exact value has {} + {} bits (num + den); \
             one definition-based run: {}",
            q_to_f64(&fast),
            fast.numer().bits(),
            fast.denom().bits(),
            def_time.map_or("not run".to_string(), |t| format!(
                "{:.3} s, equal to the fast value",
                t.as_secs_f64()
            ))
        );

        g.bench_with_input(BenchmarkId::new("exact_fast", n), &inp, |b, inp| {
            b.iter(|| lovasz_jaccard_fast(black_box(&inp.y), black_box(&inp.m)))
        });
        if def_time.is_some_and(|t| n <= 1000 || t < DEFINITION_BUDGET) {
            g.bench_with_input(BenchmarkId::new("exact_definition", n), &inp, |b, inp| {
                b.iter(|| definition(&jaccard, black_box(&inp.y), black_box(&inp.m)))
            });
        } else {
            eprintln!("{name} n={n}: exact_definition not benchmarked");
        }
        g.bench_with_input(BenchmarkId::new("f64_fast", n), &inp, |b, inp| {
            b.iter(|| lovasz_jaccard_fast_f64(black_box(&inp.y), black_box(&inp.m_f64)))
        });
    }
    g.finish();
}

fn small_denominators(c: &mut Criterion) {
    group(c, "lovasz_jaccard", 12, 10_000);
}

fn distinct_values(c: &mut Criterion) {
    group(c, "lovasz_jaccard_distinct", 1 << 20, 1000);
}

criterion_group!(benches, small_denominators, distinct_values);
criterion_main!(benches);
