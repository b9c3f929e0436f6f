use super::*;
use serde_json::{json, Value};

/// Dice as the exact fraction num/1000 and its Jaccard d/(2−d) = num/(2000−num).
fn record(loss: &str, seed: u64, slice: u64, num: i64) -> Value {
    let d = num as f64 / 1000.0;
    json!({
        "loss": loss, "seed": seed, "fold": 0, "slice": slice, "empty": false,
        "dice": format!("{num}/1000"), "jaccard": format!("{num}/{}", 2000 - num),
        "dice_f64": d, "jaccard_f64": num as f64 / (2000 - num) as f64,
    })
}

fn empty(loss: &str, seed: u64, slice: u64) -> Value {
    json!({"loss": loss, "seed": seed, "fold": 0, "slice": slice, "empty": true,
           "dice": null, "jaccard": null, "dice_f64": null, "jaccard_f64": null})
}

fn try_results(records: Vec<Value>) -> crate::error::Result<TrainingResults> {
    let v = json!({"task": "hippocampus", "per_image": records,
                   "curves": [{"loss": "ce", "seed": 0, "fold": 0, "epoch": 1, "train_loss": 0.5, "val_dice": 0.4}]});
    TrainingResults::from_json_str(&v.to_string(), "test")
}

fn results(records: Vec<Value>) -> TrainingResults {
    try_results(records).unwrap()
}

/// Per-slice Dice (in thousandths) of each loss: CE-based near `base`, the
/// metric-sensitive ones `lift` higher, with ±5 alternating jitter between them so
/// that they tie in magnitude and cancel in sign.
fn synthetic(n_slices: u64, lift: i64) -> TrainingResults {
    let mut recs = Vec::new();
    for seed in 0..2u64 {
        for slice in 0..n_slices {
            let base = 300 + 10 * slice as i64 + seed as i64;
            let jitter = if slice % 2 == 0 { 5 } else { -5 };
            recs.push(record("ce", seed, slice, base));
            recs.push(record("wce", seed, slice, base + 2 * jitter));
            recs.push(record("soft-dice", seed, slice, base + lift));
            recs.push(record("soft-jaccard", seed, slice, base + lift + jitter));
            recs.push(record("lovasz", seed, slice, base + lift - jitter));
        }
        for loss in ["ce", "wce", "soft-dice", "soft-jaccard", "lovasz"] {
            recs.push(empty(loss, seed, 100));
            recs.push(empty(loss, seed, 101));
        }
    }
    results(recs)
}

#[test]
fn clear_win_supports_h1_and_h2() {
    let r = TrainingReport::from_results(&synthetic(20, 200), &ReportOptions::default()).unwrap();
    assert_eq!(
        r.losses,
        ["ce", "wce", "soft-dice", "soft-jaccard", "lovasz"]
    );
    assert_eq!(r.n_records, 2 * (5 * 20 + 10));
    assert_eq!(r.n_empty_records, 20);
    assert_eq!(r.empty_slices, vec![100, 101]);
    assert_eq!(r.n_slices, 20);
    for m in &r.metrics {
        assert_eq!(m.pairs.len(), 10);
        assert_eq!(m.h1.status, Status::Supported, "{}", m.h1.text);
        assert_eq!(m.h2.status, Status::Supported, "{}", m.h2.text);
        let p = m.pair("soft-dice", "ce").unwrap();
        assert_eq!(p.test.n, 20);
        // All 20 differences positive: exact p = 2/2^20, Holm multiplies by at most 10.
        assert_eq!(
            p.test
                .p_exact
                .as_ref()
                .map(crate::exact::format_q)
                .as_deref(),
            Some("1/524288")
        );
        assert_eq!(p.better.as_deref(), Some("soft-dice"));
        assert!(p.p_holm >= p.test.p_value);
        assert!(!m.pair("soft-jaccard", "lovasz").unwrap().significant);
    }
    // Dice of soft-jaccard vs lovasz: ±10 alternating, all |d| tie, W+ = W−, p = 1
    // (Jaccard is d/(2−d), so its differences do not tie).
    assert_eq!(
        r.metrics[0]
            .pair("soft-jaccard", "lovasz")
            .unwrap()
            .test
            .p_value,
        1.0
    );
    assert!(
        r.metrics[0].h1.text.starts_with("H1 supported for Dice"),
        "{}",
        r.metrics[0].h1.text
    );
    assert!(r.metrics[0].h1.text.contains("6/6"));
    let md = r.to_markdown();
    assert!(
        md.contains("### Dice") && md.contains("### Jaccard"),
        "{md}"
    );
    assert!(md.contains("**H1 supported**"), "{md}");
    assert!(md.contains("exact 1/524288"), "{md}");
    let v: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(v["metrics"][0]["h1"]["status"], "supported");
    assert_eq!(v["metrics"][0]["metric"], "dice");
}

#[test]
fn seeds_are_averaged_exactly_per_slice() {
    let recs = vec![
        record("ce", 0, 1, 500),
        record("ce", 1, 1, 250),
        record("lovasz", 0, 1, 600),
        record("lovasz", 1, 1, 600),
    ];
    let r = TrainingReport::from_results(&results(recs), &ReportOptions::default()).unwrap();
    let dice = &r.metrics[0];
    assert_eq!(dice.per_loss[0].summary.mean, 0.375);
    assert_eq!(dice.per_loss[0].summary.n, 1);
    let p = dice.pair("ce", "lovasz").unwrap();
    assert_eq!((p.n_slices, p.test.n), (1, 1));
    assert_eq!(p.test.mean_difference, -0.225);
}

#[test]
fn too_few_slices_is_inconclusive() {
    let r = TrainingReport::from_results(&synthetic(4, 200), &ReportOptions::default()).unwrap();
    for m in &r.metrics {
        assert_eq!(m.h1.status, Status::Inconclusive, "{}", m.h1.text);
        assert_eq!(m.h2.status, Status::Inconclusive, "{}", m.h2.text);
        assert!(m.holm_floor >= 0.05);
    }
}

#[test]
fn ce_winning_refutes_h1() {
    let r = TrainingReport::from_results(&synthetic(20, -200), &ReportOptions::default()).unwrap();
    let h1 = &r.metrics[0].h1;
    assert_eq!(h1.status, Status::NotSupported);
    assert!(
        h1.text.contains("6/6") && h1.text.contains("ce > soft-dice"),
        "{}",
        h1.text
    );
}

#[test]
fn no_difference_is_not_support_for_h1() {
    let r = TrainingReport::from_results(&synthetic(20, 0), &ReportOptions::default()).unwrap();
    let h1 = &r.metrics[1].h1;
    assert_eq!(h1.status, Status::NotSupported, "{}", h1.text);
    assert!(h1.text.contains("only"), "{}", h1.text);
}

#[test]
fn one_metric_sensitive_loss_differing_refutes_h2() {
    let mut recs = Vec::new();
    for slice in 0..20u64 {
        let base = 300 + 10 * slice as i64;
        recs.push(record("soft-dice", 0, slice, base + 100));
        recs.push(record("lovasz", 0, slice, base));
    }
    let r = TrainingReport::from_results(&results(recs), &ReportOptions::default()).unwrap();
    assert_eq!(r.metrics[0].h2.status, Status::NotSupported);
    assert!(r.metrics[0].h2.text.contains("soft-dice > lovasz"));
    assert_eq!(r.metrics[0].h1.status, Status::Inconclusive);
}

#[test]
fn exact_strings_win_over_floats_for_ties() {
    // 1/3 and 2/6 are equal, so the two |differences| tie; the f64 fields are ignored
    // for the value (they only have to agree with it).
    let recs = vec![
        json!({"loss": "ce", "seed": 0, "fold": 0, "slice": 0, "empty": false, "dice": "0", "jaccard": "0", "dice_f64": null, "jaccard_f64": null}),
        json!({"loss": "ce", "seed": 0, "fold": 0, "slice": 1, "empty": false, "dice": "2/6", "jaccard": "1/5", "dice_f64": null, "jaccard_f64": null}),
        json!({"loss": "lovasz", "seed": 0, "fold": 0, "slice": 0, "empty": false, "dice": "1/3", "jaccard": "1/5", "dice_f64": null, "jaccard_f64": null}),
        json!({"loss": "lovasz", "seed": 0, "fold": 0, "slice": 1, "empty": false, "dice": "0", "jaccard": "0", "dice_f64": null, "jaccard_f64": null}),
    ];
    let r = TrainingReport::from_results(&results(recs), &ReportOptions::default()).unwrap();
    let t = &r.metrics[0].pair("ce", "lovasz").unwrap().test;
    assert_eq!((t.w_plus, t.w_minus), (1.5, 1.5));
}

#[test]
fn bad_inputs_are_errors() {
    let dup = vec![record("ce", 0, 1, 500), record("ce", 0, 1, 400)];
    let e = TrainingReport::from_results(&results(dup), &ReportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("second record"), "{e}");
    // A record without its scores is refused when the file is read, naming the field.
    let missing = vec![json!({"loss": "ce", "seed": 0, "fold": 0, "slice": 0, "empty": false})];
    let e = try_results(missing).unwrap_err();
    assert!(e.to_string().contains("missing field `dice`"), "{e}");
    let no_scores = vec![
        json!({"loss": "ce", "seed": 0, "fold": 0, "slice": 0, "empty": false,
        "dice": null, "jaccard": null, "dice_f64": null, "jaccard_f64": null}),
    ];
    assert!(TrainingReport::from_results(&results(no_scores), &ReportOptions::default()).is_err());
    let disagree = vec![
        json!({"loss": "ce", "seed": 0, "fold": 0, "slice": 0, "empty": false,
        "dice": "1/2", "jaccard": "1/3", "dice_f64": 0.6, "jaccard_f64": 0.3333333333333333}),
    ];
    let e =
        TrainingReport::from_results(&results(disagree), &ReportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("disagree"), "{e}");
    let out_of_range = vec![
        json!({"loss": "ce", "seed": 0, "fold": 0, "slice": 0, "empty": false,
        "dice": "3/2", "jaccard": "1", "dice_f64": null, "jaccard_f64": null}),
    ];
    assert!(
        TrainingReport::from_results(&results(out_of_range), &ReportOptions::default()).is_err()
    );
    let all_empty = vec![empty("ce", 0, 0)];
    assert!(TrainingReport::from_results(&results(all_empty), &ReportOptions::default()).is_err());
    let bad_alpha = ReportOptions {
        alpha: 1.5,
        ..ReportOptions::default()
    };
    assert!(TrainingReport::from_results(&synthetic(3, 0), &bad_alpha).is_err());
    assert!(TrainingResults::from_json_str("{\"task\": 1}", "x").is_err());
}

#[test]
fn report_from_file_reads_and_reports_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    let text = serde_json::to_string(&synthetic(20, 200)).unwrap();
    std::fs::write(&path, text).unwrap();
    let r = report_from_file(&path).unwrap();
    assert_eq!(r.task, "hippocampus");
    let e = report_from_file(dir.path().join("nope.json")).unwrap_err();
    assert!(e.to_string().contains("nope.json"), "{e}");
}
