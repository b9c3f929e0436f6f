//! The `claims.json` format: what `diceproof check --json` prints and what
//! `diceproof reproduce` writes to `DIR/claims.json` (and, while it runs, to
//! `DIR/claims.partial.json`).
//!
//! One set of serde structs, used by every writer ([`super::outcome_json`], the
//! `check` and `reproduce` commands) and every reader (the report, `reproduce
//! --resume`, the notebooks' `dp.py` by the same field names). Reading is strict
//! on purpose: a field that is missing, mistyped or holds an unknown status is an
//! error naming that field and the file, never a `"?"` or a default, because a
//! report built from a half-understood file would say things nobody checked. The
//! nullable fields (`constant`, `witness`) must be present (as `null` when
//! empty); only `coq` and `smt`, added after the format's first release, may be
//! absent.
//!
//! One entry looks like this (abridged):
//!
//! ```json
//! {"name": "soft-dice-jaccard", "statement": "…", "status": "holds on sample",
//!  "expected": "holds on sample", "as_expected": true, "n": 3, "requested_n": 3,
//!  "constant": "2", "witness": {…},
//!  "scope": [{"what": "SD ≤ SJ < 2·SD", "kind": "grid", "grid": "{0, 1/4, …, 1}ⁿ"},
//!            {"what": "…", "kind": "sampled", "points": 3000,
//!             "generator": "…", "seed": 1}],
//!  "proof": "proofs/soft-dice-jaccard.md", "details": ["…"], "seconds": 0.12,
//!  "coq": null, "smt": null}
//! ```

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use super::{Part, Status};
use crate::error::{Error, Result};

/// A whole `claims.json` document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimsFile {
    /// One entry per claim, in registry order.
    pub claims: Vec<ClaimEntry>,
}

/// The result of checking one claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimEntry {
    /// The claim's registered name.
    pub name: String,
    /// Its statement.
    pub statement: String,
    /// What the check found, qualified by the weakest scope of its parts.
    pub status: Status,
    /// What the statement predicts.
    pub expected: Status,
    /// The check is internally consistent, lists its parts, and found `expected`.
    pub as_expected: bool,
    /// Largest size reached (a refutation stops at the first size with a witness).
    pub n: u64,
    /// Size asked for, after capping at the claim's maximum (`--resume` matches on it).
    pub requested_n: u64,
    /// The tight constant, exact (`p/q`) or a certified interval, if any.
    #[serde(deserialize_with = "present")]
    pub constant: Option<String>,
    /// The attaining or refuting configuration(s), free-form per claim.
    #[serde(deserialize_with = "present")]
    pub witness: Option<Json>,
    /// What each part of the check covered.
    pub scope: Vec<Part>,
    /// The proof file, relative to the repository root.
    pub proof: String,
    /// Lines for people, generated from what was counted.
    pub details: Vec<String>,
    /// Wall time of the check.
    pub seconds: f64,
    /// The Coq theorem proving the statement, if there is one.
    #[serde(default)]
    pub coq: Option<CoqRef>,
    /// The SMT obligation discharged for the statement, if there is one.
    #[serde(default)]
    pub smt: Option<SmtRef>,
}

/// Where a claim's Coq proof lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoqRef {
    /// The `.v` file, relative to the repository root.
    pub file: String,
    /// The theorem's name.
    pub theorem: String,
}

/// The machine proof of a claim's SMT obligation for every n (see
/// [`crate::prove::registry`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmtRef {
    /// `proved` only when every part was unsat for a solver and sat for none;
    /// otherwise `unknown` (or `error` when the obligation could not be run).
    pub status: String,
    /// Each solver's overall answer and time.
    pub solvers: Vec<SmtSolver>,
    /// The SMT-LIB files, relative to the repository root
    /// (`proofs/smt/<claim>.*.smt2`); `null` when the obligation could not be built.
    pub file: Option<String>,
    /// `proved for all n (z3 4.8.12, …)` or `no machine proof (…)`, for people.
    pub summary: String,
    /// What is missing for a full answer: solvers not on PATH with the Debian
    /// package to install (`cvc5 not found: apt-get install cvc5`); empty when
    /// every known solver ran.
    #[serde(default)]
    pub note: String,
}

/// One solver's answer on a claim's obligation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmtSolver {
    /// `z3` or `cvc5`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `unsat` when every part it decided was unsat, `sat` if any was sat,
    /// otherwise `unknown` or `timeout`.
    pub answer: String,
    /// Total wall-clock seconds.
    pub seconds: f64,
}

/// An `Option` field that must be present in the file (as `null` when empty):
/// serde's derive would otherwise read a missing field as `None` silently.
fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

impl ClaimsFile {
    /// Parses a `claims.json` document; `source` names it in errors, together
    /// with the entry and the field that failed.
    pub fn parse(text: &str, source: &Path) -> Result<ClaimsFile> {
        let fail = |what: String| {
            Error::input(
                source,
                format!(
                    "not a claims.json of this diceproof version: {what}; rerun `diceproof \
                     reproduce` (or `check --json`) to regenerate it"
                ),
            )
        };
        let doc: Json = serde_json::from_str(text).map_err(|e| fail(format!("{e}")))?;
        let entries = doc
            .get("claims")
            .and_then(Json::as_array)
            .ok_or_else(|| fail("no `claims` array at the top level".into()))?;
        let mut claims = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let entry = ClaimEntry::deserialize(e).map_err(|err| {
                let name = e
                    .get("name")
                    .and_then(Json::as_str)
                    .unwrap_or("without a name");
                let field = bad_field(e).map_or(String::new(), |f| format!(" in field `{f}`"));
                fail(format!("claims[{i}] ({name}){field}: {err}"))
            })?;
            claims.push(entry);
        }
        Ok(ClaimsFile { claims })
    }

    /// Reads and parses a `claims.json` file.
    pub fn read(path: &Path) -> Result<ClaimsFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
        ClaimsFile::parse(&text, path)
    }

    /// The document as pretty JSON.
    pub fn to_json_string(&self) -> String {
        // Serialising these structs cannot fail: every key is a string and no
        // float is NaN (seconds are finite wall times).
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The first field of an entry whose value does not have its schema type
/// (serde's own message names missing fields and unknown variants, not the
/// field holding a mistyped value).
fn bad_field(e: &Json) -> Option<&'static str> {
    fn fits<'a, T: Deserialize<'a>>(v: &'a Json) -> bool {
        T::deserialize(v).is_ok()
    }
    const FIELDS: [&str; 15] = [
        "name",
        "statement",
        "status",
        "expected",
        "as_expected",
        "n",
        "requested_n",
        "constant",
        "witness",
        "scope",
        "proof",
        "details",
        "seconds",
        "coq",
        "smt",
    ];
    FIELDS.into_iter().find(|&f| {
        let Some(v) = e.get(f) else {
            return !matches!(f, "coq" | "smt");
        };
        !match f {
            "name" | "statement" | "proof" => fits::<String>(v),
            "status" | "expected" => fits::<Status>(v),
            "as_expected" => fits::<bool>(v),
            "n" | "requested_n" => fits::<u64>(v),
            "constant" => fits::<Option<String>>(v),
            "scope" => fits::<Vec<Part>>(v),
            "details" => fits::<Vec<String>>(v),
            "seconds" => fits::<f64>(v),
            "coq" => fits::<Option<CoqRef>>(v),
            "smt" => fits::<Option<SmtRef>>(v),
            _ => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Scope;

    fn entry() -> ClaimEntry {
        ClaimEntry {
            name: "a".into(),
            statement: "s".into(),
            status: Status::HoldsOnSample,
            expected: Status::HoldsOnSample,
            as_expected: true,
            n: 3,
            requested_n: 3,
            constant: None,
            witness: Some(serde_json::json!({"y": "01"})),
            scope: vec![
                Part::new("x", Scope::exhaustive("every y")),
                Part::new("z", Scope::sampled(10, "splitmix64", 7)),
            ],
            proof: "proofs/a.md".into(),
            details: vec!["d".into()],
            seconds: 0.5,
            coq: None,
            smt: None,
        }
    }

    #[test]
    fn round_trips_and_uses_the_documented_field_names() {
        let doc = ClaimsFile {
            claims: vec![entry()],
        };
        let text = doc.to_json_string();
        let v: Json = serde_json::from_str(&text).unwrap();
        let e = &v["claims"][0];
        assert_eq!(e["status"], "holds on sample");
        assert_eq!(e["scope"][0]["kind"], "exhaustive");
        assert_eq!(e["scope"][0]["what"], "x");
        assert_eq!(e["scope"][0]["over"], "every y");
        assert_eq!(e["scope"][1]["seed"], 7);
        assert!(e["constant"].is_null() && e["coq"].is_null() && e["smt"].is_null());
        assert_eq!(ClaimsFile::parse(&text, Path::new("c.json")).unwrap(), doc);
    }

    #[test]
    fn older_or_broken_files_name_the_field() {
        let mut v = serde_json::to_value(ClaimsFile {
            claims: vec![entry()],
        })
        .unwrap();
        for (field, bad) in [
            ("scope", None),
            ("constant", None),
            ("status", Some(serde_json::json!("holds-ish"))),
            ("n", Some(serde_json::json!("three"))),
        ] {
            let mut w = v.clone();
            match bad {
                None => {
                    w["claims"][0].as_object_mut().unwrap().remove(field);
                }
                Some(b) => w["claims"][0][field] = b,
            }
            let err = ClaimsFile::parse(&w.to_string(), Path::new("old/claims.json"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("old/claims.json"), "{err}");
            assert!(err.contains(&format!("`{field}`")), "{field}: {err}");
            assert!(err.contains("claims[0] (a)"), "{err}");
        }
        // coq and smt may be absent (files written before they existed).
        v["claims"][0].as_object_mut().unwrap().remove("coq");
        v["claims"][0].as_object_mut().unwrap().remove("smt");
        assert!(ClaimsFile::parse(&v.to_string(), Path::new("c.json")).is_ok());
    }
}
