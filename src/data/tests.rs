use super::*;

#[test]
fn split_keeps_a_gap_between_train_and_test() {
    for layout in [
        BlockLayout::default(),
        BlockLayout {
            train_block: 2,
            gap: 2,
            test_block: 1,
        },
    ] {
        let parts = split_blocks(53, layout).unwrap();
        for (i, a) in parts.iter().enumerate() {
            for (j, b) in parts.iter().enumerate() {
                if *a == Part::Train && *b == Part::Test {
                    assert!(i.abs_diff(j) > layout.gap, "{i} train next to {j} test");
                }
            }
        }
        assert!(parts.contains(&Part::Train) && parts.contains(&Part::Test));
    }
}

#[test]
fn split_rejects_empty_blocks() {
    let bad = BlockLayout {
        train_block: 0,
        gap: 1,
        test_block: 1,
    };
    assert!(split_blocks(10, bad).is_err());
}

#[test]
fn synthetic_is_deterministic_by_seed_and_disjoint() {
    let cfg = DataConfig::new(Task::Synthetic);
    let a = load(&cfg).unwrap();
    let b = load(&cfg).unwrap();
    assert_eq!(a.train, b.train);
    assert_eq!(a.test, b.test);
    let mut other = cfg.clone();
    other.data_seed = 1;
    let c = load(&other).unwrap();
    assert_ne!(a.train, c.train);
    for t in &a.test {
        assert!(a.train.iter().all(|s| s.slice != t.slice));
    }
    assert!(a.train.iter().any(|s| s.fg() > 0));
}

#[test]
fn augmentation_is_seeded_and_keeps_pairs_aligned() {
    let ds = load(&DataConfig::new(Task::Synthetic)).unwrap();
    let s = &ds.train[0];
    let aug = Augment {
        flip: true,
        shift: 3,
    };
    let a = augment(s, ds.h, ds.w, aug, 7, 2, 0);
    assert_eq!(a, augment(s, ds.h, ds.w, aug, 7, 2, 0));
    // Every foreground pixel of the augmented mask comes from a foreground pixel.
    assert!(a.fg() <= s.fg());
    assert_eq!(augment(s, ds.h, ds.w, Augment::NONE, 7, 2, 0), *s);
}

#[test]
fn shuffle_is_a_permutation() {
    let mut p = shuffled(17, 3, 4);
    assert_eq!(p, shuffled(17, 3, 4));
    p.sort_unstable();
    assert_eq!(p, (0..17).collect::<Vec<_>>());
}

#[test]
fn missing_templates_say_how_to_install() {
    let mut cfg = DataConfig::new(Task::Hippocampus);
    cfg.template_dir = PathBuf::from("/nonexistent/templates");
    let err = load(&cfg).unwrap_err().to_string();
    assert!(err.contains("apt-get install mricron-data"), "{err}");
}

#[test]
fn task_names_round_trip() {
    for (n, t) in Task::ALL {
        assert_eq!(n.parse::<Task>().unwrap(), t);
        assert_eq!(t.to_string(), n);
    }
    assert!("liver".parse::<Task>().is_err());
}

#[test]
fn hippocampus_slices_when_installed() {
    let cfg = DataConfig::new(Task::Hippocampus);
    if !cfg.template_dir.join("ch2.nii.gz").is_file() {
        eprintln!("skipped: mricron-data not installed");
        return;
    }
    let ds = load(&cfg).unwrap();
    assert_eq!((ds.h, ds.w), (32, 52));
    // z 44..=83 holds the hippocampus; 4 empty margin slices each side.
    let all: Vec<usize> = ds
        .train
        .iter()
        .chain(&ds.test)
        .map(|s| s.slice)
        .chain(ds.gap_slices.iter().copied())
        .collect();
    assert_eq!(all.iter().min(), Some(&40));
    assert_eq!(all.iter().max(), Some(&87));
    for t in &ds.test {
        assert!(ds.train.iter().all(|s| s.slice.abs_diff(t.slice) >= 2));
    }
    assert!(ds.test.iter().any(|s| s.fg() == 0));
    assert!(ds.test.iter().any(|s| s.fg() > 0));
    // Training intensities are standardised.
    let n: usize = ds.train.iter().map(|s| s.image.len()).sum();
    let mean: f64 = ds
        .train
        .iter()
        .flat_map(|s| s.image.iter().map(|&x| x as f64))
        .sum::<f64>()
        / n as f64;
    assert!(mean.abs() < 1e-3);
}
