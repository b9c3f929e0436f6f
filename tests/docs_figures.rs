//! The figures embedded in the README (`docs/figures/`) are kept fresh: their
//! saved data must equal what `diceproof plot NAME` computes now. Regenerate with
//! `for f in dice-jaccard-scatter whamming-growth risk-threshold; do
//! diceproof plot $f --out docs/figures; done` (then delete the .svg/.csv files).

mod common;

use std::path::PathBuf;

use common::ok_stdout;
use serde_json::Value;

#[test]
fn readme_figures_match_a_fresh_computation() {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/figures");
    let dir = tempfile::tempdir().unwrap();
    for name in ["dice-jaccard-scatter", "whamming-growth", "risk-threshold"] {
        ok_stdout(&[
            "plot",
            name,
            "--out",
            dir.path().to_str().unwrap(),
            "--quiet",
        ]);
        let read = |p: PathBuf| -> Value {
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
        };
        let fresh = read(dir.path().join(format!("{name}.json")));
        let committed = read(docs.join(format!("{name}.json")));
        assert_eq!(
            fresh["data"], committed["data"],
            "docs/figures/{name}.json is stale: regenerate it (see this file's docs)"
        );
        assert_eq!(fresh["caption"], committed["caption"]);
        assert!(docs.join(format!("{name}.png")).exists());
    }
}
