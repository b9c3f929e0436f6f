//! Differential tests: count space against voxel space (histogram and per-pair
//! paths), shards and checkpoints against whole runs.

use num_bigint::BigUint;
use proptest::prelude::*;

use super::*;
use crate::analysis::{multiplicity, Pair, Spread};
use crate::counts::Counts;
use crate::measures::{parse_measure, EmptyPolicy};

const SPECS: &[&str] = &[
    "dice",
    "jaccard",
    "hamming",
    "whamming:w=1/4",
    "whamming:w=0",
    "whamming:balanced",
    "whamming:gdice",
    "tversky:a=3/10,b=7/10",
    "tversky:a=1,b=0",
];

fn pair(t: &str, c: &str, policy: EmptyPolicy) -> Pair {
    Pair::new(parse_measure(t).unwrap(), parse_measure(c).unwrap(), policy).unwrap()
}

fn whole(pair: &Pair, n: u64, mode: Mode) -> Spread {
    let job = Job {
        pair: pair.clone(),
        n,
        mode,
    };
    let opts = RunOptions {
        force: true,
        ..RunOptions::default()
    };
    let out = run(&job, &opts).unwrap();
    assert!(out.complete);
    out.spread
}

/// Everything but the tuple counter, which only count space fills.
fn same(a: &Spread, b: &Spread) -> bool {
    a.configurations == b.configurations
        && a.skipped == b.skipped
        && a.min_ratio == b.min_ratio
        && a.max_ratio == b.max_ratio
        && a.unbounded == b.unbounded
        && a.max_gap == b.max_gap
}

#[test]
fn count_space_equals_voxel_space_for_every_measure_pair_up_to_10() {
    for n in 1..=10 {
        for t in SPECS {
            for c in SPECS {
                if t == c {
                    continue;
                }
                let p = pair(t, c, EmptyPolicy::One);
                let counts = whole(&p, n, Mode::Counts);
                let voxels = whole(&p, n, Mode::Voxels);
                assert!(
                    same(&counts, &voxels),
                    "{c} vs {t} at n={n}:\ncounts {counts:?}\nvoxels {voxels:?}"
                );
                assert_eq!(counts.configurations, BigUint::from(4u32).pow(n as u32));
                assert_eq!(counts.tuples as u128, count_space::tuples(n));
            }
        }
    }
}

#[test]
fn histogram_path_equals_per_pair_path() {
    for n in 1..=7 {
        for (t, c) in [
            ("dice", "jaccard"),
            ("jaccard", "whamming:balanced"),
            ("dice", "whamming:w=0"),
        ] {
            let p = pair(t, c, EmptyPolicy::One);
            let mut hist = Spread::default();
            let mut per_pair = Spread::default();
            for i in 0..voxel_space::chunks(n) {
                hist.merge(voxel_space::run_chunk(&p, n, i).unwrap());
                per_pair.merge(voxel_space::run_chunk_per_pair(&p, n, i).unwrap());
            }
            assert!(same(&hist, &per_pair), "{c} vs {t} at n={n}");
        }
    }
}

#[test]
fn histogram_counts_are_the_multinomial_weights() {
    for n in 1..=11u64 {
        let h = voxel_space::histogram(n, 0..1 << n);
        let w = n as usize + 1;
        let mut total = 0u64;
        count_space::for_each_tuple(n, |c| {
            let (k, tp, ps) = (
                (c.tp + c.fn_) as usize,
                c.tp as usize,
                (c.tp + c.fp) as usize,
            );
            let got = h[(k * w + tp) * w + ps];
            assert_eq!(BigUint::from(got), multiplicity(&c), "{c:?}");
            total += got;
        });
        assert_eq!(total, 1 << (2 * n));
    }
}

#[test]
fn chunk_totals_sum_to_four_to_the_n() {
    for n in [1u64, 5, 30, 200] {
        let sum: BigUint = (0..=n)
            .map(|tp| count_space::chunk_configurations(n, tp))
            .sum();
        assert_eq!(sum, BigUint::from(4u32).pow(n as u32));
    }
}

#[test]
fn first_pair_with_is_the_first_in_enumeration_order() {
    for n in 1..=6u64 {
        count_space::for_each_tuple(n, |c| {
            let (g, p) = voxel_space::first_pair_with(&c).unwrap();
            let mut found = None;
            'outer: for y in 0..1u64 << n {
                for q in 0..1u64 << n {
                    if Counts::from_bits(y, q, n as u32) == c {
                        found = Some((y, q));
                        break 'outer;
                    }
                }
            }
            assert_eq!(Some((g.bits(), p.bits())), found, "{c:?}");
        });
    }
}

#[test]
fn shards_merge_into_the_whole_run() {
    for mode in [Mode::Counts, Mode::Voxels] {
        let p = pair("dice", "whamming:balanced", EmptyPolicy::One);
        let n = 9;
        let full = whole(&p, n, mode);
        for count in [1u64, 2, 3, 7] {
            let mut merged = Spread::default();
            let mut covered = 0;
            for index in 1..=count {
                let job = Job {
                    pair: p.clone(),
                    n,
                    mode,
                };
                let opts = RunOptions {
                    shard: Some(Shard { index, count }),
                    force: true,
                    ..RunOptions::default()
                };
                let out = run(&job, &opts).unwrap();
                covered += out.done.len() as u64;
                merged.merge(out.spread);
            }
            assert_eq!(
                covered,
                Job {
                    pair: p.clone(),
                    n,
                    mode
                }
                .chunks()
            );
            assert_eq!(merged, full, "{mode:?} in {count} shards");
        }
    }
}

#[test]
fn interrupted_checkpointed_run_resumes_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair("jaccard", "tversky:a=3/10,b=7/10", EmptyPolicy::One);
    for (mode, n) in [(Mode::Counts, 10), (Mode::Voxels, 13)] {
        let full = whole(&p, n, mode);
        let path = dir.path().join(format!("{}.json", mode.name()));
        let job = Job {
            pair: p.clone(),
            n,
            mode,
        };
        let mut rounds = 0;
        loop {
            let opts = RunOptions {
                checkpoint: Some(path.clone()),
                stop_after: Some(2),
                force: true,
                ..RunOptions::default()
            };
            let out = run(&job, &opts).unwrap();
            rounds += 1;
            if out.complete {
                assert_eq!(out.spread, full, "{mode:?}");
                break;
            }
            assert!(rounds < 1000);
        }
        assert!(rounds > 1, "the run was never interrupted");
        // A checkpoint of another job is refused, not silently reused.
        let other = Job {
            pair: p.clone(),
            n: n + 1,
            mode,
        };
        let opts = RunOptions {
            checkpoint: Some(path.clone()),
            force: true,
            ..RunOptions::default()
        };
        let err = run(&other, &opts).unwrap_err().to_string();
        assert!(err.contains("belongs to another run"), "{err}");
    }
}

#[test]
fn oversized_runs_are_refused_with_an_estimate() {
    let p = pair("dice", "jaccard", EmptyPolicy::One);
    let job = Job {
        pair: p.clone(),
        n: 24,
        mode: Mode::Voxels,
    };
    let err = run(&job, &RunOptions::default()).unwrap_err().to_string();
    assert!(
        err.contains("mask pairs") && err.contains("--force"),
        "{err}"
    );
    let job = Job {
        pair: p,
        n: 40,
        mode: Mode::Voxels,
    };
    let opts = RunOptions {
        force: true,
        ..RunOptions::default()
    };
    assert!(
        run(&job, &opts).is_err(),
        "n beyond a u64 mask is refused even with --force"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_tversky_pairs_agree_across_enumerators(
        a in 0u64..8, b in 1u64..8, c in 0u64..8, d in 1u64..8, n in 1u64..=7,
        zero in proptest::bool::ANY,
    ) {
        let t = format!("tversky:a={},b={}", a + 1, b);
        let k = format!("tversky:a={c}/{d},b={}/{}", d, c + 1);
        let policy = if zero { EmptyPolicy::Zero } else { EmptyPolicy::One };
        let p = pair(&t, &k, policy);
        let counts = whole(&p, n, Mode::Counts);
        let voxels = whole(&p, n, Mode::Voxels);
        prop_assert!(same(&counts, &voxels));
    }
}

/// A progress host that asks to stop once `after` units are reported done.
struct CancelAfter {
    after: u64,
    pos: std::sync::atomic::AtomicU64,
    len: std::sync::atomic::AtomicU64,
}

impl crate::progress::Reporter for CancelAfter {
    fn set_len(&self, len: u64) {
        self.len.store(len, std::sync::atomic::Ordering::Relaxed);
    }
    fn set_position(&self, pos: u64) {
        self.pos
            .fetch_max(pos, std::sync::atomic::Ordering::Relaxed);
    }
    fn message(&self, _msg: &str) {}
    fn is_cancelled(&self) -> bool {
        self.pos.load(std::sync::atomic::Ordering::Relaxed) >= self.after
    }
}

#[test]
fn a_cancelled_run_stops_reports_its_work_and_resumes_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair("dice", "whamming:w=1/4", EmptyPolicy::One);
    let (mode, n) = (Mode::Counts, 12);
    let full = whole(&p, n, mode);
    let job = Job {
        pair: p.clone(),
        n,
        mode,
    };
    let path = dir.path().join("cancel.json");
    let opts = RunOptions {
        checkpoint: Some(path.clone()),
        force: true,
        ..RunOptions::default()
    };
    let total = job.estimate().0 as u64;
    let host = CancelAfter {
        after: total / 3,
        pos: Default::default(),
        len: Default::default(),
    };
    let out = run_with_progress(&job, &opts, &crate::progress::Progress::new(&host)).unwrap();
    assert!(!out.complete, "the run ignored the cancellation");
    assert!(!out.done.is_empty());
    // The reported work is the work of the finished chunks, in tuples.
    let done_work: f64 = out.done.iter().map(|&i| job.chunk_work(i)).sum();
    assert_eq!(
        host.pos.load(std::sync::atomic::Ordering::Relaxed),
        done_work as u64
    );
    assert_eq!(host.len.load(std::sync::atomic::Ordering::Relaxed), total);
    // Resuming without cancellation finishes with the whole run's result.
    let rest = run(&job, &opts).unwrap();
    assert!(rest.complete);
    assert_eq!(rest.spread, full);
}

#[test]
fn broken_shard_files_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = pair("dice", "jaccard", EmptyPolicy::One);
    let job = Job {
        pair: p,
        n: 6,
        mode: Mode::Counts,
    };
    let mut files = Vec::new();
    for index in 1..=2 {
        let shard = Shard { index, count: 2 };
        let opts = RunOptions {
            shard: Some(shard),
            ..RunOptions::default()
        };
        let out = run(&job, &opts).unwrap();
        let path = dir.path().join(format!("s{index}.json"));
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&shard_file(&job, shard, &out)).unwrap(),
        )
        .unwrap();
        files.push(path);
    }
    let (identity, merged) = merge_shards(&files).unwrap();
    assert_eq!(identity, job.identity());
    assert_eq!(merged, whole(&job.pair, 6, Mode::Counts));

    // Each edit breaks the second file; the error names the file and the field.
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[1]).unwrap()).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(Edit, &str)> = vec![
        (
            |v| drop(v.as_object_mut().unwrap().remove("done")),
            "missing field `done`",
        ),
        (
            |v| {
                drop(
                    v["spread"]["ratio"]
                        .as_object_mut()
                        .unwrap()
                        .remove("max_finite"),
                )
            },
            "missing field `max_finite`",
        ),
        (
            |v| v["spread"]["abs_gap"]["witness"]["tp"] = serde_json::json!(-1),
            "invalid value: integer `-1`, expected u64",
        ),
        (
            |v| v["job"]["n"] = serde_json::json!("6"),
            "invalid type: string \"6\"",
        ),
        (
            |v| v["diceproof"] = serde_json::json!("results"),
            "\"diceproof\": \"results\"",
        ),
    ];
    for (edit, expected) in cases {
        let mut v = good.clone();
        edit(&mut v);
        std::fs::write(&files[1], serde_json::to_string(&v).unwrap()).unwrap();
        let err = merge_shards(&files).unwrap_err().to_string();
        assert!(
            err.starts_with(&files[1].display().to_string()) && err.contains(expected),
            "{expected}: {err}"
        );
    }
}

#[test]
fn the_relaxed_walk_reports_every_point() {
    use crate::surrogates::soft::parse_soft;
    let (sd, sj) = (
        parse_soft("soft-dice").unwrap(),
        parse_soft("soft-jaccard").unwrap(),
    );
    let domain = relaxed::Domain::Grid { k: 3 };
    let last = std::sync::Mutex::new((0, 0));
    let progress = crate::progress::Progress::from_fn(|d, t| *last.lock().unwrap() = (d, t));
    let with = relaxed::run_with_progress(&*sd, &*sj, 3, domain, false, &progress).unwrap();
    let points = relaxed::size(3, domain, false).unwrap() as u64;
    assert_eq!(*last.lock().unwrap(), (points, points));
    assert_eq!(with.configurations, BigUint::from(points));
    assert_eq!(with, relaxed::run(&*sd, &*sj, 3, domain, false).unwrap());
}
