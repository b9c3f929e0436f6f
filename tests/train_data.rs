//! Data side of the training reproduction (runs without the `training` feature),
//! and the message of `diceproof train` in a build without it.

mod common;

use std::path::PathBuf;

use diceproof::data::{load, split_blocks, BlockLayout, DataConfig, Part, Task};

#[test]
fn no_slice_is_in_both_sets_and_gaps_separate_them() {
    let mut cfg = DataConfig::new(Task::Synthetic);
    cfg.synthetic.images = 40;
    let ds = load(&cfg).unwrap();
    for t in &ds.test {
        for s in &ds.train {
            assert_ne!(s.slice, t.slice);
            assert!(s.slice.abs_diff(t.slice) > cfg.layout.gap);
        }
    }
    let parts = split_blocks(40, BlockLayout::default()).unwrap();
    let n_test = parts.iter().filter(|p| **p == Part::Test).count();
    assert_eq!(n_test, ds.test.len());
}

#[test]
fn synthetic_data_depends_only_on_the_seed() {
    let mut cfg = DataConfig::new(Task::Synthetic);
    cfg.data_seed = 42;
    let a = load(&cfg).unwrap();
    let b = load(&cfg).unwrap();
    assert_eq!(a.train, b.train);
    assert_eq!(a.test, b.test);
    cfg.data_seed = 43;
    assert_ne!(load(&cfg).unwrap().train, a.train);
}

#[test]
fn missing_mricron_data_is_a_clear_error() {
    for task in [Task::Hippocampus, Task::Nuclei, Task::Brain] {
        let mut cfg = DataConfig::new(task);
        cfg.template_dir = PathBuf::from("/no/such/dir");
        let err = load(&cfg).unwrap_err().to_string();
        assert!(err.contains("apt-get install mricron-data"), "{err}");
        assert!(err.contains("ch2.nii.gz"), "{err}");
    }
}

#[cfg(not(feature = "training"))]
#[test]
fn train_without_the_feature_says_so() {
    let err = common::err_stderr(&["train", "--task", "synthetic"]);
    assert!(err.contains("--features training"), "{err}");
}
