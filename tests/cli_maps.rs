//! `diceproof measure` across file formats (voxel order), on probability maps
//! (exact soft losses against an independent Python `fractions` computation, kept in
//! `tests/fixtures/maps/expected.json` with the script that made it), and the
//! per-label conventions.

mod common;

use std::path::PathBuf;

use common::{err_stderr, measure_args, ok_stdout, refused, write_map};
use diceproof::io::{read_volume, write_volume, Volume, VoxelData};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/maps")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn expected() -> serde_json::Value {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok_stdout(&all)).unwrap()
}

/// `measure --json` of two fixtures (ground truth, prediction) with `extra` options.
fn measure_fixtures(gt: &str, pred: &str, extra: &[&str]) -> serde_json::Value {
    let (gt, pred) = (fixture(gt), fixture(pred));
    json(&measure_args(&gt, &pred, extra))
}

#[test]
fn nifti_and_the_npy_numpy_makes_of_it_agree_in_both_memory_orders() {
    for npy in ["lab_f.npy", "lab_c.npy"] {
        for (gt, pred) in [
            (fixture("lab.nii.gz"), fixture(npy)),
            (fixture(npy), fixture("lab.nii.gz")),
        ] {
            let doc = json(&["measure", "--gt", &gt, "--pred", &pred]);
            assert_eq!(doc["metrics"]["dice"]["similarity"], "1", "{gt} {pred}");
            assert_eq!(doc["fp"], 0);
            assert_eq!(doc["fn"], 0);
            assert!(doc["tp"].as_u64().unwrap() > 0);
            let nifti = if gt.ends_with(".nii.gz") {
                "gt"
            } else {
                "pred"
            };
            let other = if nifti == "gt" { "pred" } else { "gt" };
            let idx = doc[nifti]["indexing"].as_str().unwrap();
            assert!(
                idx.starts_with("NIfTI, stored first axis fastest") && idx.contains("re-laid"),
                "{idx}"
            );
            let idx = doc[other]["indexing"].as_str().unwrap();
            let order = if npy == "lab_f.npy" { "Fortran" } else { "C" };
            assert!(idx.contains(&format!("stored in {order} order")), "{idx}");
        }
    }
    // The two NPY files agree with each other (both read by logical index).
    let doc = measure_fixtures("lab_f.npy", "lab_c.npy", &[]);
    assert_eq!(doc["metrics"]["dice"]["similarity"], "1");
}

#[test]
fn exact_soft_losses_match_python_fractions() {
    let exp = expected();
    for (map, key) in [("p.npy", "p"), ("p.nii.gz", "p"), ("p64_f.npy", "p64")] {
        for gt in ["lab.nii.gz", "lab_c.npy"] {
            let doc = measure_fixtures(
                gt,
                map,
                &[
                    "--metric",
                    "soft-dice",
                    "--metric",
                    "soft-jaccard",
                    "--metric",
                    "lovasz-jaccard",
                ],
            );
            for spec in ["soft-dice", "soft-jaccard", "lovasz-jaccard"] {
                assert_eq!(
                    doc["metrics"][spec]["loss"], exp[key][spec],
                    "{spec} of {map} against {gt}"
                );
                assert!(doc["metrics"][spec]["loss_decimal"].as_f64().unwrap() > 0.0);
            }
            assert_eq!(doc["sums"]["n"], 60);
            assert_eq!(doc["pred"]["foreground"], "probability map");
        }
    }
}

#[test]
fn multi_class_maps_average_over_classes() {
    let exp = expected();
    for (extra, key) in [
        (vec!["--include-background"], "all"),
        (vec![], "no_background"),
    ] {
        let mut args = vec![
            "measure".to_string(),
            "--gt".into(),
            fixture("labels3.nii.gz"),
            "--pred".into(),
            fixture("m.npy"),
            "--channel-axis".into(),
            "0".into(),
            "--metric".into(),
            "soft-dice".into(),
            "--metric".into(),
            "lovasz-jaccard".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let doc = json(&refs);
        for spec in ["soft-dice", "lovasz-jaccard"] {
            assert_eq!(
                doc["metrics"][spec]["loss"], exp["multi"][spec][key],
                "{spec} {key}"
            );
        }
        let classes = doc["classes"].as_array().unwrap();
        for c in classes {
            let k = c["class"].as_u64().unwrap() as usize;
            assert_eq!(
                c["metrics"]["soft-dice"]["loss"],
                exp["multi"]["soft-dice"]["per_class"][k]
            );
        }
    }
    // An explicit class list, as the Lovász reference's `classes`.
    let doc = measure_fixtures(
        "labels3.nii.gz",
        "m.npy",
        &[
            "--channel-axis",
            "0",
            "--metric",
            "soft-dice",
            "--classes",
            "2",
        ],
    );
    assert_eq!(
        doc["metrics"]["soft-dice"]["loss"],
        exp["multi"]["soft-dice"]["per_class"][2]
    );
    // A channel axis that is not there, and a class that is not there.
    let (gt, m) = (fixture("labels3.nii.gz"), fixture("m.npy"));
    let soft = ["--metric", "soft-dice"];
    let cases: [(&[&str], &[&str]); 3] = [
        (&["--channel-axis", "4"], &["--channel-axis 4", "4 axes"]),
        (
            &["--channel-axis", "1"],
            &["shape mismatch", "channel axis 1"],
        ),
        (
            &["--channel-axis", "0", "--classes", "1,7"],
            &["class 7 does not exist"],
        ),
    ];
    for (extra, fragments) in cases {
        refused(&measure_args(&gt, &m, &[extra, &soft].concat()), fragments);
    }
}

#[test]
fn threshold_scores_the_mask_p_at_least_t() {
    let gt = read_volume(std::path::Path::new(&fixture("lab_c.npy"))).unwrap();
    let p = read_volume(std::path::Path::new(&fixture("p.npy"))).unwrap();
    let VoxelData::F32(pv) = &p.data else {
        panic!("p.npy is float32")
    };
    let dir = tempfile::tempdir().unwrap();
    let mask = dir.path().join("mask.npy");
    write_volume(
        &mask,
        &Volume {
            shape: p.shape.clone(),
            data: VoxelData::U8(pv.iter().map(|&x| u8::from(x >= 0.5)).collect()),
        },
    )
    .unwrap();
    let gt_path = fixture("lab_c.npy");
    let by_hand = json(&[
        "measure",
        "--gt",
        &gt_path,
        "--pred",
        mask.to_str().unwrap(),
    ]);
    let doc = json(&[
        "measure",
        "--gt",
        &gt_path,
        "--pred",
        &fixture("p.npy"),
        "--threshold",
        "0.5",
        "--metric",
        "dice",
        "--metric",
        "soft-dice",
    ]);
    assert_eq!(doc["threshold"], "1/2");
    assert_eq!(doc["tp"], by_hand["tp"]);
    assert_eq!(doc["metrics"]["dice"], by_hand["metrics"]["dice"]);
    assert_eq!(
        doc["pred"]["foreground"],
        "probability map; count measures on p >= 1/2"
    );
    assert_eq!(gt.shape, p.shape);
}

#[test]
fn bad_maps_and_options_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let gt = fixture("lab_c.npy");
    let write = |name: &str, data: VoxelData| write_map(dir.path(), name, vec![4, 5, 3], data);
    let mut v = vec![0.25f32; 60];
    v[7] = f32::NAN;
    let nan = write("nan.npy", VoxelData::F32(v));
    let mut v = vec![0.25f64; 60];
    v[59] = 1.5;
    let big = write("big.npy", VoxelData::F64(v));
    let ints = write("ints.npy", VoxelData::U8(vec![1; 60]));
    for (pred, want) in [
        (&nan, "voxel 7 holds NaN"),
        (&big, "voxel 59 holds 1.5"),
        (&ints, "holds uint8 data"),
    ] {
        refused(
            &measure_args(&gt, pred, &["--metric", "soft-dice"]),
            &[want],
        );
    }
    let p = fixture("p.npy");
    let (labels3, m) = (fixture("labels3.nii.gz"), fixture("m.npy"));
    let cases: [(&str, &[&str], &[&str]); 7] = [
        // Count measures on a map need --threshold.
        (
            &p,
            &["--metric", "soft-dice", "--metric", "dice"],
            &["--threshold"],
        ),
        (&p, &[], &["--threshold"]),
        (
            &p,
            &["--threshold", "half"],
            &["'half' for '--threshold <T>'", "accepted"],
        ),
        // Options outside their mode are refused, not ignored.
        (
            &gt,
            &["--include-background"],
            &["--include-background applies with --per-label"],
        ),
        (&gt, &["--ignore-label", "3"], &["--ignore-label applies"]),
        (
            &gt,
            &["--metric", "soft-dicee"],
            &["valid specs are", "soft"],
        ),
        // Shapes differ (its own ground truth below).
        (&m, &["--metric", "soft-dice"], &["shape mismatch"]),
    ];
    for (pred, extra, fragments) in cases {
        let truth = if pred == m { &labels3 } else { &gt };
        refused(&measure_args(truth, pred, extra), fragments);
    }
}

#[test]
fn soft_losses_follow_the_empty_policy() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = write_map(dir.path(), "z.npy", vec![3], VoxelData::F32(vec![0.0; 3]));
    let half = write_map(dir.path(), "h.npy", vec![3], VoxelData::F32(vec![0.5; 3]));
    let soft_dice = |pred: &str, empty: &[&str]| -> Vec<String> {
        [
            "measure",
            "--gt",
            "000",
            "--pred",
            pred,
            "--metric",
            "soft-dice",
        ]
        .iter()
        .chain(empty)
        .map(|s| s.to_string())
        .collect()
    };
    let cases: [(&str, &[&str], &str); 4] = [
        (&zeros, &[], "0"),
        (&zeros, &["--empty", "zero"], "1"),
        // MONAI's default: nan whenever the ground truth is empty, even if p is not.
        (&half, &["--empty", "nan-if-gt-empty"], "nan"),
        (&half, &[], "1"),
    ];
    for (pred, empty, loss) in cases {
        let args = soft_dice(pred, empty);
        let doc = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(doc["metrics"]["soft-dice"]["loss"], loss, "{args:?}");
    }
    let args = soft_dice(&zeros, &["--empty", "error"]);
    let err = err_stderr(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("0/0"), "{err}");
}

#[test]
fn per_label_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let write =
        |name: &str, v: Vec<i32>| write_map(dir.path(), name, vec![v.len()], VoxelData::I32(v));
    let gt = write("gt.npy", vec![0, 0, 1, 1, 2, 9, 9]);
    let pred = write("pred.npy", vec![0, 3, 1, 0, 2, 2, 9]);
    let labels = |doc: &serde_json::Value| -> Vec<i64> {
        doc["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["label"].as_i64().unwrap())
            .collect()
    };
    let per_label = |extra: &[&str]| {
        let mut args = vec!["--per-label"];
        args.extend_from_slice(extra);
        json(&measure_args(&gt, &pred, &args))
    };
    let doc = per_label(&[]);
    assert_eq!(labels(&doc), vec![1, 2, 3, 9]);
    assert_eq!(doc["include_background"], false);
    let doc = per_label(&["--include-background", "--ignore-label", "9"]);
    assert_eq!(labels(&doc), vec![0, 1, 2, 3]);
    // Voxels with ground truth 9 are left out: n = 5, and label 2's FP at voxel 5 is gone.
    let l2 = &doc["labels"][2];
    assert_eq!(
        (l2["n"].as_u64(), l2["tp"].as_u64(), l2["fp"].as_u64()),
        (Some(5), Some(1), Some(0))
    );
    assert_eq!(doc["labels"][0]["tp"], 1);
    // Label 3 occurs only in the prediction: MONAI's default gives nan, `one` gives 0.
    let doc = per_label(&["--empty", "nan-if-gt-empty"]);
    assert_eq!(doc["labels"][2]["label"], 3);
    assert_eq!(doc["labels"][2]["metrics"]["dice"]["similarity"], "nan");
    assert_eq!(doc["labels"][0]["metrics"]["dice"]["similarity"], "2/3");
    let doc = per_label(&[]);
    assert_eq!(doc["labels"][2]["metrics"]["dice"]["similarity"], "0");
}

fn peers() -> serde_json::Value {
    let text = std::fs::read_to_string(fixture("peers.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The one metric of a `measure --json` document: (exact loss, decimal loss).
fn only_metric(doc: &serde_json::Value) -> (String, f64) {
    let m = doc["metrics"].as_object().unwrap();
    assert_eq!(m.len(), 1, "{doc}");
    let v = m.values().next().unwrap();
    (
        v["loss"].as_str().unwrap().to_string(),
        v["loss_decimal"].as_f64().unwrap(),
    )
}

/// MONAI's GeneralizedDiceLoss rounds its class weight to float32 even on float64
/// input (`ground_o.float()`, see tests/peers.rs); on this map that costs 2.1e-13,
/// still inside the 1e-12 every preset is held to.
const PEER_TOLERANCE: f64 = 1e-12;

#[test]
fn every_preset_on_a_map_is_the_fractions_value_and_the_library_float64() {
    let (exp, lib) = (expected(), peers());
    let mut checked = 0;
    for (map, key) in [("p.npy", "p"), ("p64_f.npy", "p64"), ("z.npy", "z")] {
        let specs = exp["presets"][key].as_object().unwrap();
        assert!(!specs.is_empty());
        for (spec, want) in specs {
            for gt in ["lab.nii.gz", "lab_c.npy"] {
                let doc = measure_fixtures(gt, map, &["--metric", spec]);
                let (loss, decimal) = only_metric(&doc);
                assert_eq!(&loss, want, "{spec} of {map} against {gt}: exact value");
                let theirs = lib[key][spec].as_f64().unwrap();
                assert!(
                    (decimal - theirs).abs() <= PEER_TOLERANCE,
                    "{spec} of {map}: diceproof {decimal}, {} gives {theirs}",
                    lib["versions"]["MONAI"]
                );
                checked += 1;
            }
        }
    }
    // Every preset the registry lists is covered on some map.
    let listed = ok_stdout(&["specs", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let text = listed.to_string();
    for name in [
        "monai-dice",
        "monai-generalized-dice",
        "monai-tversky",
        "smp-dice",
        "smp-jaccard",
        "jdt-dice",
        "jdt-jaccard",
        "lovasz-hinge",
        "lovasz-softmax",
    ] {
        assert!(text.contains(name), "specs lists {name}");
        let covered = ["p", "z"].iter().any(|k| {
            exp["presets"][k]
                .as_object()
                .unwrap()
                .keys()
                .any(|s| s.split(':').next() == Some(name))
        });
        assert!(covered, "{name} has a map fixture");
    }
    assert_eq!(checked, 2 * (18 + 18 + 1));
}

#[test]
fn multi_class_presets_follow_their_library_class_options() {
    let (exp, lib) = (expected(), peers());
    let run = |spec: &str, extra: &[&str]| {
        let mut args = vec!["--channel-axis", "0", "--metric", spec];
        args.extend_from_slice(extra);
        measure_fixtures("labels3.nii.gz", "m.npy", &args)
    };
    for spec in [
        "monai-dice",
        "monai-dice:include_background=false",
        "lovasz-softmax",
        "lovasz-softmax:classes=1+2",
    ] {
        let doc = run(spec, &[]);
        let (loss, decimal) = only_metric(&doc);
        assert_eq!(loss, exp["presets"]["multi"][spec], "{spec}");
        let theirs = lib["multi"][spec].as_f64().unwrap();
        assert!(
            (decimal - theirs).abs() <= PEER_TOLERANCE,
            "{spec}: {decimal} vs {theirs}"
        );
    }
    // MONAI's default keeps class 0 (include_background=True), without any flag.
    let doc = run("monai-dice", &[]);
    assert_eq!(doc["averaging"]["classes"], serde_json::json!([0, 1, 2]));
    assert_eq!(doc["averaging"]["include_background"], true);
    let doc = run("monai-dice:include_background=false", &[]);
    assert_eq!(doc["averaging"]["classes"], serde_json::json!([1, 2]));
    // Repeating the preset's choice on the command line is fine ...
    let same = run("monai-dice", &["--include-background", "--classes", "all"]);
    assert_eq!(same["metrics"], run("monai-dice", &[])["metrics"]);
    // ... contradicting it is an error naming both.
    let (gt, m) = (fixture("labels3.nii.gz"), fixture("m.npy"));
    let base = [
        "measure",
        "--gt",
        gt.as_str(),
        "--pred",
        m.as_str(),
        "--channel-axis",
        "0",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        err_stderr(&a)
    };
    let err = with(&[
        "--metric",
        "monai-dice:include_background=false",
        "--include-background",
    ]);
    assert!(
        err.contains("--include-background contradicts")
            && err.contains("include_background=false"),
        "{err}"
    );
    let err = with(&["--metric", "lovasz-softmax:classes=1+2", "--classes", "1"]);
    assert!(
        err.contains("--classes 1 selects classes [1]") && err.contains("classes=1+2"),
        "{err}"
    );
    // Two metrics that average over different classes cannot share the rows.
    let err = with(&["--metric", "monai-dice", "--metric", "soft-dice"]);
    assert!(
        err.contains("averages over classes [0, 1, 2]") && err.contains("[1, 2]"),
        "{err}"
    );
    // A loss that is not a mean over classes is refused with the reason.
    let err = with(&["--metric", "monai-generalized-dice"]);
    assert!(err.contains("not a mean of per-class losses"), "{err}");
}

#[test]
fn logits_are_accepted_only_by_a_loss_on_logits() {
    // z.npy holds values outside [0, 1]: lovasz-hinge takes them (its input domain
    // is logits), a loss on probabilities names the voxel.
    let gt = fixture("lab_c.npy");
    let z = fixture("z.npy");
    json(&measure_args(&gt, &z, &["--metric", "lovasz-hinge"]));
    let err = err_stderr(&measure_args(&gt, &z, &["--metric", "soft-dice"]));
    assert!(err.contains("not a probability in [0, 1]"), "{err}");
}
