//! Data side of the training reproduction (runs without the `training` feature),
//! and the message of `diceproof train` in a build without it.

mod common;

use std::path::PathBuf;

use diceproof::data::{load, split_blocks, BlockLayout, DataConfig, Part, Split, Task};

#[test]
fn block_split_keeps_train_and_test_apart() {
    let mut cfg = DataConfig::new(Task::Synthetic);
    cfg.synthetic.images = 40;
    cfg.split = Split::Blocks(BlockLayout::default());
    let folds = load(&cfg).unwrap();
    assert_eq!(folds.len(), 1);
    let ds = &folds[0];
    for t in &ds.test {
        for s in &ds.train {
            assert_ne!(s.slice, t.slice);
            assert!(s.slice.abs_diff(t.slice) > BlockLayout::default().gap);
        }
    }
    let parts = split_blocks(40, BlockLayout::default()).unwrap();
    let n_test = parts.iter().filter(|p| **p == Part::Test).count();
    assert_eq!(n_test, ds.test.len());
}

#[test]
fn folds_test_every_image_once_and_keep_neighbours_out() {
    let mut cfg = DataConfig::new(Task::Synthetic);
    cfg.synthetic.images = 37;
    let folds = load(&cfg).unwrap();
    assert_eq!(folds.len(), 5);
    let mut tested: Vec<usize> = folds
        .iter()
        .flat_map(|d| d.test.iter().map(|s| s.slice))
        .collect();
    tested.sort_unstable();
    assert_eq!(tested, (0..37).collect::<Vec<_>>());
    for (f, ds) in folds.iter().enumerate() {
        assert_eq!(ds.fold, f);
        for t in &ds.test {
            assert!(ds.train.iter().all(|s| s.slice.abs_diff(t.slice) > 1));
        }
    }
}

#[test]
fn synthetic_data_depends_only_on_the_seed() {
    let mut cfg = DataConfig::new(Task::Synthetic);
    cfg.data_seed = 42;
    let a = load(&cfg).unwrap();
    let b = load(&cfg).unwrap();
    assert_eq!(a[0].train, b[0].train);
    assert_eq!(a[2].test, b[2].test);
    cfg.data_seed = 43;
    assert_ne!(load(&cfg).unwrap()[0].train, a[0].train);
}

#[test]
fn missing_mricron_data_is_a_clear_error() {
    for task in [Task::Hippocampus, Task::Nuclei, Task::Amygdala, Task::Brain] {
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
