//! Golden and error tests for `diceproof measure` and `diceproof specs`.

mod common;

use common::{err_stderr, golden, mricron, ok_stdout};
use diceproof::io::{write_volume, Volume, VoxelData};

#[test]
fn inline_bits_table() {
    let out = ok_stdout(&[
        "measure",
        "--gt",
        "0110",
        "--pred",
        "0100",
        "--metric",
        "dice",
        "--metric",
        "jaccard",
        "--metric",
        "tversky:a=3/10,b=7/10",
        "--metric",
        "whamming:w=1/4",
        "--metric",
        "whamming:balanced",
        "--metric",
        "hamming",
    ]);
    golden("measure_bits.txt", &out);
}

#[test]
fn inline_bits_json() {
    let out = ok_stdout(&["measure", "--gt", "0110", "--pred", "0100", "--json"]);
    golden("measure_bits.json", &out);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["tp"], 1);
    assert_eq!(doc["fn"], 1);
    assert_eq!(doc["metrics"]["dice"]["similarity"], "2/3");
    assert_eq!(doc["metrics"]["jaccard"]["loss"], "1/2");
}

#[test]
fn empty_masks_follow_the_policy() {
    let one = ok_stdout(&["measure", "--gt", "000", "--pred", "000", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(doc["metrics"]["dice"]["similarity"], "1");
    let nan = ok_stdout(&[
        "measure", "--gt", "000", "--pred", "000", "--json", "--empty", "nan",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&nan).unwrap();
    assert_eq!(doc["metrics"]["dice"]["similarity"], "nan");
    assert!(doc["metrics"]["dice"]["decimal"].is_null());
    let zero = ok_stdout(&[
        "measure", "--gt", "000", "--pred", "000", "--json", "--empty", "zero",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&zero).unwrap();
    assert_eq!(doc["metrics"]["jaccard"]["loss"], "1");
    let err = err_stderr(&[
        "measure", "--gt", "000", "--pred", "000", "--empty", "error",
    ]);
    assert!(err.contains("both masks are empty"), "{err}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let err = err_stderr(&["measure", "--gt", "0110", "--pred", "010"]);
    assert!(err.contains("shape mismatch"), "{err}");
    let err = err_stderr(&[
        "measure", "--gt", "0110", "--pred", "0100", "--metric", "dicee",
    ]);
    assert!(err.contains("valid specs are"), "{err}");
    let err = err_stderr(&["measure", "--gt", "nope.nii.gz", "--pred", "0100"]);
    assert!(err.contains("nope.nii.gz: no such file"), "{err}");
    let err = err_stderr(&[
        "measure", "--gt", "0110", "--pred", "0100", "--empty", "eps",
    ]);
    assert!(
        err.contains("'eps' for '--empty <POLICY>'")
            && err.contains("possible values: one, zero, nan, error, nan-if-gt-empty"),
        "{err}"
    );
    let err = err_stderr(&[
        "measure",
        "--gt",
        "0110",
        "--pred",
        "0100",
        "--gt-label",
        "3",
    ]);
    assert!(err.contains("already a binary mask"), "{err}");
}

#[test]
fn files_of_every_format_and_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let gt = Volume {
        shape: vec![2, 3],
        data: VoxelData::U8(vec![0, 1, 1, 0, 2, 0]),
    };
    let pred = Volume {
        shape: vec![2, 3],
        data: VoxelData::F32(vec![0.0, 1.0, 0.0, 0.0, 1.0, 1.0]),
    };
    for ext in ["npy", "nii", "nii.gz"] {
        let g = dir.path().join(format!("gt.{ext}"));
        let p = dir.path().join(format!("pred.{ext}"));
        write_volume(&g, &gt).unwrap();
        write_volume(&p, &pred).unwrap();
        let out = ok_stdout(&[
            "measure",
            "--gt",
            g.to_str().unwrap(),
            "--pred",
            p.to_str().unwrap(),
            "--json",
        ]);
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (&doc["tp"], &doc["fp"], &doc["fn"], &doc["tn"]),
            (&2.into(), &1.into(), &1.into(), &2.into()),
            "{ext}: {out}"
        );
        assert_eq!(doc["metrics"]["dice"]["similarity"], "2/3");
    }
    // NIfTI (first axis fastest) and NPY (last axis fastest) compare by logical
    // index: the crate's writers store the data as held, so the NIfTI written
    // from the same C-ordered buffer is a different array and must not agree.
    let out = ok_stdout(&[
        "measure",
        "--gt",
        dir.path().join("gt.nii").to_str().unwrap(),
        "--pred",
        dir.path().join("gt.npy").to_str().unwrap(),
        "--json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        doc["gt"]["indexing"].as_str().unwrap().contains("re-laid"),
        "{out}"
    );
    // NIfTI [i, j] = data[i + 2j]: rows (0 1 2) (1 0 0); the NPY rows are (0 1 1) (0 2 0).
    assert_eq!(
        (&doc["tp"], &doc["fp"], &doc["fn"], &doc["tn"]),
        (&2.into(), &1.into(), &1.into(), &2.into()),
        "{out}"
    );

    // PNG holds only integer grey levels.
    let g = dir.path().join("gt.png");
    write_volume(&g, &gt).unwrap();
    let out = ok_stdout(&[
        "measure",
        "--gt",
        g.to_str().unwrap(),
        "--pred",
        g.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.contains("\"tp\": 3"), "{out}");
    // An inline bit string is one-dimensional: it does not silently match a 2x3 image.
    let err = err_stderr(&["measure", "--gt", g.to_str().unwrap(), "--pred", "011_010"]);
    assert!(err.contains("shape mismatch"), "{err}");

    // A float mask with a non-binary value is refused, naming the file.
    let bad = Volume {
        shape: vec![2, 3],
        data: VoxelData::F32(vec![0.0, 0.5, 0.0, 0.0, 1.0, 1.0]),
    };
    let b = dir.path().join("prob.npy");
    write_volume(&b, &bad).unwrap();
    let err = err_stderr(&[
        "measure",
        "--gt",
        g.to_str().unwrap(),
        "--pred",
        b.to_str().unwrap(),
    ]);
    assert!(err.contains("prob.npy: non-binary value 0.5"), "{err}");

    // Truncated and corrupt files.
    let t = dir.path().join("trunc.nii.gz");
    let bytes = std::fs::read(dir.path().join("gt.nii.gz")).unwrap();
    std::fs::write(&t, &bytes[..bytes.len() / 2]).unwrap();
    let err = err_stderr(&["measure", "--gt", t.to_str().unwrap(), "--pred", "010101"]);
    assert!(err.contains("trunc.nii.gz"), "{err}");
    let c = dir.path().join("corrupt.npy");
    std::fs::write(&c, b"\x93NUMPY garbage").unwrap();
    let err = err_stderr(&["measure", "--gt", c.to_str().unwrap(), "--pred", "010101"]);
    assert!(err.contains("corrupt.npy"), "{err}");

    // Shapes must match, not just voxel counts.
    let flat = dir.path().join("flat.npy");
    write_volume(
        &flat,
        &Volume {
            shape: vec![6],
            data: VoxelData::U8(vec![0; 6]),
        },
    )
    .unwrap();
    let err = err_stderr(&[
        "measure",
        "--gt",
        g.to_str().unwrap(),
        "--pred",
        flat.to_str().unwrap(),
    ]);
    assert!(err.contains("shape mismatch"), "{err}");

    // Unknown label.
    let err = err_stderr(&[
        "measure",
        "--gt",
        dir.path().join("gt.npy").to_str().unwrap(),
        "--gt-label",
        "7",
        "--pred",
        dir.path().join("gt.npy").to_str().unwrap(),
    ]);
    assert!(err.contains("label 7 does not occur"), "{err}");
}

#[test]
fn specs_listing() {
    golden("specs.txt", &ok_stdout(&["specs"]));
}

#[test]
fn aal_label_against_itself_is_dice_one() {
    let aal = mricron("aal.nii.gz");
    let out = ok_stdout(&[
        "measure",
        "--gt",
        &aal,
        "--gt-label",
        "37",
        "--pred",
        &aal,
        "--pred-label",
        "37",
        "--json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["metrics"]["dice"]["similarity"], "1");
    assert_eq!(doc["metrics"]["jaccard"]["similarity"], "1");
    assert_eq!(doc["fp"], 0);
    assert_eq!(doc["fn"], 0);
    assert_eq!(doc["n"], 181 * 217 * 181);
    assert!(doc["tp"].as_u64().unwrap() > 0);
}

#[test]
fn brain_mask_against_atlas() {
    let out = ok_stdout(&[
        "measure",
        "--gt",
        &mricron("ch2bet.nii.gz"),
        "--pred",
        &mricron("aal.nii.gz"),
        "--json",
    ]);
    golden("measure_ch2bet_aal.json", &out);
}

#[test]
fn per_label_counts_of_the_atlas_against_itself() {
    let out = ok_stdout(&[
        "measure",
        "--gt",
        &mricron("aal.nii.gz"),
        "--pred",
        &mricron("aal.nii.gz"),
        "--per-label",
        "--json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let labels = doc["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 116);
    assert!(labels
        .iter()
        .all(|l| l["metrics"]["dice"]["similarity"] == "1"));
}
