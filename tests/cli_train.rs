//! `diceproof train` end to end on a test-sized synthetic task: schema of
//! results.json, exact values re-parsed, outputs, errors, and resume.

#![cfg(feature = "training")]

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use common::{err_stderr, ok_stdout};
use diceproof::data::Task;
use diceproof::data::{FoldConfig, Split};
use diceproof::exact::{parse_rational, Q};
use diceproof::train::{
    run, run_tasks, ConvPath, CurvePoint, LossKind, Observer, TrainConfig, UNetConfig,
};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use serde_json::Value;

const SMALL: &[&str] = &[
    "train",
    "--task",
    "synthetic",
    "--losses",
    "ce,wce,soft-dice,soft-jaccard,lovasz",
    "--epochs",
    "1",
    "--seeds",
    "2",
    "--synthetic-images",
    "12",
    "--synthetic-size",
    "16",
    "--batch",
    "4",
    "--levels",
    "2",
    "--base",
    "4",
    "--threads",
    "2",
    "--folds",
    "2",
    "--quiet",
];

fn args_with_out(out: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = SMALL.iter().map(|s| s.to_string()).collect();
    v.push("--out".into());
    v.push(out.into());
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn check_schema(results: &Value, losses: usize, seeds: usize, folds: usize, epochs: usize) {
    assert_eq!(keys(results), ["task", "per_image", "curves"]);
    assert_eq!(results["task"], "synthetic");
    let per = results["per_image"].as_array().unwrap();
    assert!(!per.is_empty());
    assert_eq!(per.len() % (losses * seeds), 0);
    for r in per {
        assert_eq!(
            keys(r),
            [
                "loss",
                "seed",
                "fold",
                "slice",
                "empty",
                "dice",
                "jaccard",
                "dice_f64",
                "jaccard_f64"
            ]
        );
        assert!(r["loss"].is_string() && r["seed"].is_u64() && r["slice"].is_u64());
        assert!(r["fold"].as_u64().unwrap() < folds as u64);
        if r["empty"].as_bool().unwrap() {
            for k in ["dice", "jaccard", "dice_f64", "jaccard_f64"] {
                assert!(r[k].is_null(), "{r}");
            }
            continue;
        }
        let d = parse_rational(r["dice"].as_str().unwrap()).unwrap();
        let j = parse_rational(r["jaccard"].as_str().unwrap()).unwrap();
        // Exact identity D = 2J / (1 + J).
        let two = Q::from_integer(BigInt::from(2));
        let one = Q::from_integer(BigInt::from(1));
        assert_eq!(d, &two * &j / (&one + &j), "{r}");
        assert!(d >= Q::zero() && d <= one);
        assert!((d.to_f64().unwrap() - r["dice_f64"].as_f64().unwrap()).abs() < 1e-12);
        assert!((j.to_f64().unwrap() - r["jaccard_f64"].as_f64().unwrap()).abs() < 1e-12);
    }
    let curves = results["curves"].as_array().unwrap();
    assert_eq!(curves.len(), losses * seeds * folds * epochs);
    for c in curves {
        assert_eq!(
            keys(c),
            ["loss", "seed", "fold", "epoch", "train_loss", "val_dice"]
        );
        assert!(c["train_loss"].as_f64().unwrap().is_finite());
    }
}

#[test]
fn synthetic_run_end_to_end_and_resume_reuses_finished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    let args = args_with_out(out_s, &[]);
    let stdout = ok_stdout(&refs(&args));
    assert!(stdout.contains("soft-jaccard"), "{stdout}");
    let task_dir = out.join("synthetic");
    let results = read_json(&task_dir.join("results.json"));
    check_schema(&results, 5, 2, 2, 1);
    // Every one of the 12 images is tested exactly once per (loss, seed).
    let per = results["per_image"].as_array().unwrap();
    assert_eq!(per.len(), 5 * 2 * 12);
    for loss in ["ce", "lovasz"] {
        let mut slices: Vec<u64> = per
            .iter()
            .filter(|r| r["loss"] == loss && r["seed"] == 1)
            .map(|r| r["slice"].as_u64().unwrap())
            .collect();
        slices.sort_unstable();
        assert_eq!(slices, (0..12).collect::<Vec<u64>>());
    }
    let out = task_dir;
    let per_csv = std::fs::read_to_string(out.join("per_image.csv")).unwrap();
    assert!(per_csv.starts_with("loss,seed,fold,slice,empty,dice,jaccard,dice_f64,jaccard_f64\n"));
    assert_eq!(
        per_csv.lines().count(),
        1 + results["per_image"].as_array().unwrap().len()
    );
    let curves_csv = std::fs::read_to_string(out.join("curves.csv")).unwrap();
    assert_eq!(curves_csv.lines().count(), 1 + 20);
    let stats = std::fs::read_to_string(out.join("stats.json")).unwrap();
    diceproof::stats::training::TrainingReport::from_json_str(&stats, "stats.json").unwrap();
    let config = read_json(&out.join("config.json"));
    assert_eq!(config["task"], "synthetic");
    assert!(config["wall_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(config["versions"]["burn"], "0.22.1");
    assert_eq!(config["folds"], 2);
    assert_eq!(config["data"]["folds"].as_array().unwrap().len(), 2);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("| lovasz |"), "{report}");

    // Same --out without --resume is refused.
    let err = err_stderr(&refs(&args));
    assert!(err.contains("--resume"), "{err}");
    // A resume with different settings is refused.
    let err = err_stderr(&refs(&args_with_out(out_s, &["--resume", "--lr", "0.01"])));
    assert!(
        err.contains("settings differ") && err.contains("lr"),
        "{err}"
    );
    // --resume reuses every finished run and reproduces the results exactly.
    let stdout = ok_stdout(&refs(&args_with_out(out_s, &["--resume"])));
    assert!(stdout.contains("(20 runs reused)"), "{stdout}");
    let again = read_json(&out.join("results.json"));
    assert_eq!(again["per_image"], results["per_image"]);
    assert_eq!(again["curves"], results["curves"]);
}

#[test]
fn bad_values_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let out_s = out.to_str().unwrap();
    for (flag, value, expect) in [
        ("--losses", "ce,dice", "unknown training loss"),
        ("--task", "liver", "unknown task"),
        ("--reduction", "pooled", "unknown reduction"),
        ("--epochs", "0", "--epochs"),
        ("--seeds", "0", "--seeds"),
        ("--levels", "5", "levels"),
        ("--scale", "3", "--scale"),
        ("--folds", "1", "--folds"),
        ("--gap", "0", "--gap"),
        ("--split", "random", "--split"),
        ("--task", "hippocampus,synthetic", "synthetic runs alone"),
        ("--conv", "winograd", "expected one of flex, im2col, gemm"),
    ] {
        let mut args = vec!["train", "--quiet", "--out", out_s, flag, value];
        if !value.contains("synthetic") && value != "liver" {
            args.extend(["--task", "synthetic"]);
        }
        let err = err_stderr(&args);
        assert!(err.contains(expect), "{flag} {value}: {err}");
    }
}

/// Panics at the end of a chosen epoch of a chosen run, before its checkpoint.
struct Interrupt {
    loss: LossKind,
    seed: u64,
    epoch: usize,
    seen: Vec<(String, u64, u64, usize)>,
    starts: Vec<(LossKind, u64, usize, usize)>,
}

impl Observer for Interrupt {
    fn run_start(&mut self, loss: LossKind, seed: u64, fold: usize, _epochs: usize, done: usize) {
        self.starts.push((loss, seed, fold, done));
    }
    fn epoch_done(&mut self, p: &CurvePoint) {
        self.seen.push((p.loss.clone(), p.seed, p.fold, p.epoch));
        if p.loss == self.loss.name() && p.seed == self.seed && p.fold == 0 && p.epoch == self.epoch
        {
            panic!("simulated interruption");
        }
    }
}

/// The in-process training tests share rayon's global pool; run together, the
/// pool's work splitting (and so the order of floating-point sums) depends on
/// the other test's load, and two runs of one configuration stop being
/// bit-identical. The tests that train in this process take this lock so that
/// each trains alone, as `diceproof train` does.
static IN_PROCESS_TRAINING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn small_config(out: &std::path::Path) -> TrainConfig {
    let mut cfg = TrainConfig::new(Task::Synthetic, out);
    cfg.losses = vec![LossKind::SoftDice, LossKind::Lovasz];
    cfg.epochs = 3;
    cfg.seeds = 1;
    cfg.batch = 4;
    cfg.data.synthetic.images = 12;
    cfg.data.synthetic.size = 16;
    cfg.data.split = Split::Folds(FoldConfig {
        folds: 2,
        ..FoldConfig::default()
    });
    cfg.model = UNetConfig {
        levels: 2,
        base: 4,
        norm: true,
        conv: ConvPath::Flex,
    };
    cfg
}

#[test]
fn an_interrupted_run_resumes_after_its_last_epoch() {
    let _alone = IN_PROCESS_TRAINING
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // Reference: uninterrupted.
    let ref_out = dir.path().join("ref");
    let reference = run(&small_config(&ref_out), &mut diceproof::train::Silent).unwrap();

    // Interrupted in the second run (lovasz) at the end of epoch 3, i.e. after the
    // checkpoint of epoch 2.
    let out = dir.path().join("int");
    let mut obs = Interrupt {
        loss: LossKind::Lovasz,
        seed: 0,
        epoch: 3,
        seen: Vec::new(),
        starts: Vec::new(),
    };
    let cfg = small_config(&out);
    let r = catch_unwind(AssertUnwindSafe(|| run(&cfg, &mut obs)));
    assert!(r.is_err());
    assert!(!out.join("results.json").exists());

    let mut cfg = small_config(&out);
    cfg.resume = true;
    let mut obs2 = Interrupt {
        loss: LossKind::Ce, // never trained here: no interruption
        seed: 0,
        epoch: 0,
        seen: Vec::new(),
        starts: Vec::new(),
    };
    let resumed = run(&cfg, &mut obs2).unwrap();
    // soft-dice (both folds) was finished and reused; lovasz fold 0 restarted after
    // epoch 2, lovasz fold 1 from the start.
    assert_eq!(
        obs2.starts,
        vec![
            (LossKind::SoftDice, 0, 0, 3),
            (LossKind::SoftDice, 0, 1, 3),
            (LossKind::Lovasz, 0, 0, 2),
            (LossKind::Lovasz, 0, 1, 0)
        ]
    );
    let l = "lovasz".to_string();
    assert_eq!(
        obs2.seen,
        vec![
            (l.clone(), 0, 0, 3),
            (l.clone(), 0, 1, 1),
            (l.clone(), 0, 1, 2),
            (l, 0, 1, 3)
        ]
    );
    assert_eq!(resumed.reused_runs, 2);
    assert_eq!(resumed.trained_epochs, 4);
    // Same numbers as the uninterrupted run.
    assert_eq!(resumed.per_image, reference.per_image);
    assert_eq!(resumed.curves.len(), reference.curves.len());
    for (a, b) in resumed.curves.iter().zip(&reference.curves) {
        assert_eq!((a.epoch, &a.loss), (b.epoch, &b.loss));
        assert!((a.train_loss - b.train_loss).abs() < 1e-5, "{a:?} vs {b:?}");
    }
}

/// `run_tasks` writes each task under its name and the pooled statistics beside.
#[test]
fn run_tasks_writes_per_task_and_pooled_files() {
    let _alone = IN_PROCESS_TRAINING
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = small_config(dir.path());
    cfg.epochs = 1;
    cfg.losses = vec![LossKind::Ce, LossKind::SoftDice];
    let s = run_tasks(
        &cfg,
        &[Task::Synthetic],
        dir.path(),
        &mut diceproof::train::Silent,
    )
    .unwrap();
    assert_eq!(s.tasks.len(), 1);
    assert!(dir.path().join("synthetic/results.json").is_file());
    let pooled =
        diceproof::stats::training::PooledReport::read(&dir.path().join("stats.json")).unwrap();
    assert_eq!(pooled.tasks.len(), 1);
    assert_eq!(pooled.tasks[0].task, "synthetic");
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("What the numbers support"), "{md}");
}
