//! `diceproof plot`: every figure is written as SVG and PNG with its data, PNGs
//! decode to the expected size and are not blank, SVGs carry the axis labels,
//! `--from` redraws without recomputing, and bad input is an error naming it.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};

use common::{err_stderr, ok_stdout};

fn fixture() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/training-results.json")
        .display()
        .to_string()
}

/// Decodes a PNG and returns (width, height, distinct pixel values > 1).
fn png_info(path: &Path) -> (u32, u32, bool) {
    let decoder = png::Decoder::new(File::open(path).expect("png exists"));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let bytes = &buf[..info.buffer_size()];
    let px = info.color_type.samples();
    let first = &bytes[..px];
    let varied = bytes.chunks(px).any(|p| p != first);
    (info.width, info.height, varied)
}

/// Asserts NAME.svg/png/json exist, the PNG has `size` and is not one colour, and
/// the SVG holds `label`.
fn check_figure(dir: &Path, name: &str, size: (u32, u32), label: &str) {
    let (w, h, varied) = png_info(&dir.join(format!("{name}.png")));
    assert_eq!((w, h), size, "{name}.png size");
    assert!(varied, "{name}.png is a single colour");
    let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).expect("svg exists");
    assert!(svg.len() > 5000, "{name}.svg is tiny");
    assert!(svg.contains(label), "{name}.svg lacks the label {label:?}");
    let json = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("json exists");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json parses");
    assert_eq!(v["figure"], name);
    assert!(dir.join(format!("{name}.csv")).exists(), "{name}.csv");
}

const COMPUTED: &[(&str, (u32, u32), &str)] = &[
    ("dice-jaccard-scatter", (1000, 700), "Dice loss"),
    ("dice-jaccard-ratio", (1600, 700), "voxels n"),
    ("whamming-growth", (1000, 700), "voxels n (log scale)"),
    ("tversky-alpha", (1600, 700), "weight of false positives"),
    ("lovasz-soft-jaccard", (1000, 700), "soft Jaccard loss"),
    ("risk-threshold", (1000, 700), "threshold t"),
];

#[test]
fn all_computed_figures_are_drawn_and_redrawn() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("figs");
    let text = ok_stdout(&[
        "plot",
        "all",
        "--quick",
        "--quiet",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["figures"].as_array().unwrap().len(), COMPUTED.len());
    for &(name, size, label) in COMPUTED {
        check_figure(&out, name, size, label);
    }
    // Redraw one from its saved data: the same SVG, without recomputing.
    let again = dir.path().join("again");
    let from = out.join("risk-threshold.json");
    ok_stdout(&[
        "plot",
        "risk-threshold",
        "--from",
        from.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(out.join("risk-threshold.svg")).unwrap(),
        std::fs::read_to_string(again.join("risk-threshold.svg")).unwrap()
    );
    // `all --from` a saved figure redraws that figure.
    let third = dir.path().join("third");
    let from = out.join("tversky-alpha.json");
    ok_stdout(&[
        "plot",
        "all",
        "--from",
        from.to_str().unwrap(),
        "--out",
        third.to_str().unwrap(),
    ]);
    check_figure(
        &third,
        "tversky-alpha",
        (1600, 700),
        "weight of false positives",
    );
    // Redrawing with the wrong figure name is refused.
    let err = err_stderr(&[
        "plot",
        "lovasz-soft-jaccard",
        "--from",
        from.to_str().unwrap(),
        "--out",
        third.to_str().unwrap(),
    ]);
    assert!(err.contains("holds data of figure tversky-alpha"), "{err}");
}

#[test]
fn one_figure_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok_stdout(&[
        "plot",
        "dice-jaccard-scatter",
        "--quick",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(text.contains("dice-jaccard-scatter"), "{text}");
    check_figure(
        dir.path(),
        "dice-jaccard-scatter",
        (1000, 700),
        "Jaccard loss",
    );
    assert!(!dir.path().join("risk-threshold.png").exists());

    // An older or broken NAME.json is refused with the field at fault, for a
    // field of the envelope and one deep inside the figure's data.
    let saved = dir.path().join("dice-jaccard-scatter.json");
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let broken = dir.path().join("broken.json");
    type Edit = fn(&mut serde_json::Value);
    let cases: [(Edit, &str); 2] = [
        (
            |v| drop(v.as_object_mut().unwrap().remove("compute_seconds")),
            "missing field `compute_seconds`",
        ),
        (
            |v| {
                drop(
                    v["data"]["points"][0]
                        .as_object_mut()
                        .unwrap()
                        .remove("delta_jaccard"),
                )
            },
            "missing field `delta_jaccard`",
        ),
    ];
    for (edit, expected) in cases {
        let mut v = good.clone();
        edit(&mut v);
        std::fs::write(&broken, serde_json::to_string_pretty(&v).unwrap()).unwrap();
        let err = err_stderr(&[
            "plot",
            "dice-jaccard-scatter",
            "--from",
            broken.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(
            err.contains("broken.json: not a saved figure") && err.contains(expected),
            "{expected}: {err}"
        );
    }
}

#[test]
fn training_figures_from_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    ok_stdout(&[
        "plot",
        "training-boxplot",
        "--from",
        &fixture(),
        "--out",
        out,
    ]);
    check_figure(dir.path(), "training-boxplot", (1600, 700), "training loss");
    let svg = std::fs::read_to_string(dir.path().join("training-boxplot.svg")).unwrap();
    assert!(
        svg.contains("2 empty skipped"),
        "the skipped count is shown"
    );
    ok_stdout(&[
        "plot",
        "training-curves",
        "--from",
        &fixture(),
        "--out",
        out,
    ]);
    check_figure(dir.path(), "training-curves", (1600, 700), "epoch");
    let both = dir.path().join("both");
    ok_stdout(&[
        "plot",
        "all",
        "--from",
        &fixture(),
        "--out",
        both.to_str().unwrap(),
    ]);
    check_figure(&both, "training-boxplot", (1600, 700), "training loss");
    check_figure(&both, "training-curves", (1600, 700), "epoch");
    // The saved data of a training figure redraws too.
    let again = dir.path().join("again");
    let saved = dir.path().join("training-curves.json");
    ok_stdout(&[
        "plot",
        "training-curves",
        "--from",
        saved.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    check_figure(&again, "training-curves", (1600, 700), "epoch");
}

#[test]
fn bad_input_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let err = err_stderr(&["plot", "pie-chart", "--out", out]);
    assert!(
        err.contains("unknown figure \"pie-chart\"") && err.contains("whamming-growth"),
        "{err}"
    );
    let err = err_stderr(&["plot", "training-boxplot", "--out", out]);
    assert!(err.contains("--from"), "{err}");
    let missing = dir.path().join("missing.json");
    let err = err_stderr(&[
        "plot",
        "risk-threshold",
        "--from",
        missing.to_str().unwrap(),
        "--out",
        out,
    ]);
    assert!(err.contains("missing.json: cannot read"), "{err}");
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"figure\": ").unwrap();
    let err = err_stderr(&[
        "plot",
        "risk-threshold",
        "--from",
        corrupt.to_str().unwrap(),
        "--out",
        out,
    ]);
    assert!(err.contains("corrupt.json: not valid JSON"), "{err}");
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        "{\"figure\": \"risk-threshold\", \"data\": {\"metric\": 3}}",
    )
    .unwrap();
    let err = err_stderr(&[
        "plot",
        "risk-threshold",
        "--from",
        wrong.to_str().unwrap(),
        "--out",
        out,
    ]);
    assert!(err.contains("wrong.json: not a saved figure"), "{err}");
    // A computed figure is not drawn from training results.
    let err = err_stderr(&["plot", "risk-threshold", "--from", &fixture(), "--out", out]);
    assert!(err.contains("not a saved figure"), "{err}");
    let err = err_stderr(&[
        "plot",
        "all",
        "--from",
        corrupt.to_str().unwrap(),
        "--out",
        out,
    ]);
    assert!(err.contains("corrupt.json"), "{err}");
}
