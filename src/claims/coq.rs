//! Which claims have a machine-checked proof, and where it is.
//!
//! A claim's check confirms its statement up to a size; its `proofs/<claim>.md`
//! argues it for every size in prose. For most claims a third, stronger form
//! exists: a Coq theorem in `proofs/coq/` whose proof the Coq kernel has checked
//! (`make -C proofs/coq`). The manifest `proofs/coq/THEOREMS` names it, one line per
//! claim, `claim-name Module.theorem_name`, where `Module` is the file
//! `proofs/coq/Module.v`.
//!
//! Why the manifest is embedded rather than read at run time: `check --json` and
//! the report must say the same thing on every machine, with or without the
//! source tree, and a malformed manifest must fail the unit tests rather than a
//! user's run. The test suite (`tests/coq.rs`) ties the manifest to the compiled
//! proofs: each theorem exists, and `Print Assumptions` shows only the standard
//! axioms of Coq's real numbers.

use std::sync::OnceLock;

use serde_json::{json, Value as Json};

/// The manifest text, `proofs/coq/THEOREMS`.
pub const MANIFEST: &str = include_str!("../../proofs/coq/THEOREMS");

/// A claim's machine-checked theorem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoqTheorem {
    /// The Coq file, relative to the repository root (`proofs/coq/Module.v`).
    pub file: String,
    /// The theorem's name inside that file.
    pub theorem: String,
}

impl CoqTheorem {
    /// The Coq module (the file name without `.v`).
    pub fn module(&self) -> &str {
        self.file
            .strip_prefix("proofs/coq/")
            .and_then(|f| f.strip_suffix(".v"))
            .unwrap_or(&self.file)
    }

    /// The `"coq"` object of `check --json`: `{"file", "theorem"}`.
    pub fn json(&self) -> Json {
        json!({ "file": self.file, "theorem": self.theorem })
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '\'')
}

/// Parses manifest text: blank lines and `#` lines are skipped; every other line
/// is `claim-name Module.theorem_name`. Errors name the line and the expected form.
pub fn parse_manifest(text: &str) -> Result<Vec<(String, CoqTheorem)>, String> {
    let mut out: Vec<(String, CoqTheorem)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| {
            format!(
                "proofs/coq/THEOREMS line {}: {why} in {line:?}; expected `claim-name Module.theorem_name`",
                i + 1
            )
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [claim, qualified] = fields[..] else {
            return Err(bad("not two fields"));
        };
        let Some((module, theorem)) = qualified.split_once('.') else {
            return Err(bad("no `.` between module and theorem"));
        };
        if !is_ident(module) || !is_ident(theorem) {
            return Err(bad("module or theorem is not a Coq identifier"));
        }
        if !claim
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(bad("claim names are lowercase words joined by `-`"));
        }
        if out.iter().any(|(c, _)| c == claim) {
            return Err(bad("claim listed twice"));
        }
        out.push((
            claim.to_string(),
            CoqTheorem {
                file: format!("proofs/coq/{module}.v"),
                theorem: theorem.to_string(),
            },
        ));
    }
    Ok(out)
}

/// Every manifest entry, parsed once. A malformed manifest fails the unit tests,
/// so at run time it reads as no entries rather than a panic.
pub fn manifest() -> &'static [(String, CoqTheorem)] {
    static PARSED: OnceLock<Vec<(String, CoqTheorem)>> = OnceLock::new();
    PARSED.get_or_init(|| parse_manifest(MANIFEST).unwrap_or_default())
}

/// The machine-checked theorem of a claim, if it has one.
pub fn coq_theorem(claim: &str) -> Option<CoqTheorem> {
    manifest()
        .iter()
        .find(|(c, _)| c == claim)
        .map(|(_, t)| t.clone())
}

/// The `"coq"` value of a claim in `check --json`: `{"file", "theorem"}` or null.
pub fn coq_json(claim: &str) -> Json {
    coq_theorem(claim).map_or(Json::Null, |t| t.json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::registry;
    use std::path::Path;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn manifest_parses_and_names_registered_claims() {
        let entries = parse_manifest(MANIFEST).expect("proofs/coq/THEOREMS parses");
        assert!(!entries.is_empty());
        let names: Vec<&str> = registry().iter().map(|c| c.name).collect();
        for (claim, t) in &entries {
            assert!(
                names.contains(&claim.as_str()),
                "THEOREMS names {claim:?}, which is not a registered claim"
            );
            assert!(
                root().join(&t.file).is_file(),
                "THEOREMS: {claim} points at {}, which does not exist",
                t.file
            );
        }
        assert_eq!(manifest().len(), entries.len());
    }

    #[test]
    fn first_tier_claims_are_all_machine_checked() {
        for claim in [
            "dice-jaccard-relative",
            "dice-jaccard-absolute",
            "tversky-dice",
            "whamming-dice",
            "whamming-jaccard",
            "adaptive-weights-fail",
            "soft-dice-jaccard",
            "jaccard-metric",
            "jaccard-submodular",
            "dice-submodular",
            "dice-not-metric",
            "dml-semimetric",
            "risk-transfer",
            "wce-hamming-transfer",
        ] {
            assert!(coq_theorem(claim).is_some(), "{claim} has no Coq theorem");
        }
    }

    #[test]
    fn each_proof_file_names_its_theorem_in_a_machine_checked_section() {
        for (claim, t) in manifest() {
            let md = std::fs::read_to_string(root().join(format!("proofs/{claim}.md")))
                .unwrap_or_else(|e| panic!("proofs/{claim}.md: {e}"));
            let section = md
                .split("\n## Machine-checked")
                .nth(1)
                .unwrap_or_else(|| panic!("proofs/{claim}.md has no `## Machine-checked` section"));
            let section = section.split("\n## ").next().unwrap_or_default();
            assert!(
                section.contains(&t.theorem) && section.contains(&t.file),
                "the Machine-checked section of proofs/{claim}.md does not name {} in {}",
                t.theorem,
                t.file
            );
        }
    }

    #[test]
    fn bad_lines_are_errors_naming_the_line() {
        for bad in [
            "dice-jaccard-relative",
            "dice-jaccard-relative dice_jaccard_relative",
            "dice-jaccard-relative a.b extra",
            "Dice dice.thm",
            "dice-x 1bad.thm",
            "a x.y\na x.z",
        ] {
            let err = parse_manifest(bad).unwrap_err();
            assert!(
                err.contains("line ") && err.contains("claim-name Module.theorem_name"),
                "{err}"
            );
        }
        let ok = parse_manifest("# note\n\nabc-d mod_1.thm'\n").unwrap();
        assert_eq!(ok[0].1.file, "proofs/coq/mod_1.v");
        assert_eq!(ok[0].1.module(), "mod_1");
        assert_eq!(ok[0].1.theorem, "thm'");
        assert_eq!(coq_json("no-such-claim"), Json::Null);
    }
}
