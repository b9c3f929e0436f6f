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
//!  "constant": "35/18", "witness": {…},
//!  "scope": [{"what": "SD ≤ SJ < 2·SD", "kind": "grid", "grid": "{0, 1/4, …, 1}ⁿ"},
//!            {"what": "…", "kind": "sampled", "points": 3000,
//!             "generator": "…", "seed": 1}],
//!  "proof": "proofs/soft-dice-jaccard.md", "details": ["…"], "seconds": 0.12,
//!  "coq": null, "smt": null}
//! ```

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use num_traits::{One, Signed, Zero};

use super::{Part, Status};
use crate::error::{Error, Result};
use crate::exact::{decimal, format_q, parse_rational, q_to_f64, Q};

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
    /// The tight constant, typed ([`Constant`]), if the claim has one.
    #[serde(deserialize_with = "present")]
    pub constant: Option<Constant>,
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

/// A claim's tight constant, typed: an exact number, an exact quadratic surd, a
/// certified interval, or unbounded, never free text.
///
/// In JSON an exact rational is the string `"p/q"` (as in every file written
/// before this type existed, so old files still read); the other forms are
/// objects tagged by `kind`: `{"kind": "surd", "a": "3", "b": "-2", "d": 2}`
/// for 3 − 2√2, `{"kind": "interval", "lo": "p/q", "hi": "p/q"}`,
/// `{"kind": "unbounded"}`. Every number is parsed when the file is read, so a
/// malformed constant is an error naming the field `constant`, not a string
/// passed along.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// An exact rational.
    Exact(Q),
    /// The exact real a + b·√d, with d > 1 not a perfect square.
    Surd {
        /// The rational part.
        a: Q,
        /// The coefficient of √d.
        b: Q,
        /// The radicand.
        d: u64,
    },
    /// A certified enclosure lo ≤ c ≤ hi with exact rational endpoints (for
    /// constants with logarithms, which no finite expression here writes exactly).
    Interval {
        /// Lower endpoint.
        lo: Q,
        /// Upper endpoint.
        hi: Q,
    },
    /// No finite constant exists (the quantity is +∞).
    Unbounded,
}

/// The tagged (non-rational) forms as written in JSON.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
enum TaggedConstant {
    Surd { a: String, b: String, d: u64 },
    Interval { lo: String, hi: String },
    // A struct variant, not a unit one: serde's deny_unknown_fields only applies
    // to struct variants of an internally tagged enum.
    Unbounded {},
}

/// Either JSON form, before its numbers are parsed.
#[derive(Deserialize)]
#[serde(untagged)]
enum ConstantRepr {
    Exact(String),
    Tagged(TaggedConstant),
}

impl Constant {
    /// The constant from an exact rational.
    pub fn exact(q: Q) -> Constant {
        Constant::Exact(q)
    }

    /// The nearest `f64`, for plots and tables only (+∞ when unbounded, the
    /// midpoint of an interval).
    pub fn to_f64(&self) -> f64 {
        match self {
            Constant::Exact(q) => q_to_f64(q),
            Constant::Surd { a, b, d } => q_to_f64(a) + q_to_f64(b) * (*d as f64).sqrt(),
            Constant::Interval { lo, hi } => (q_to_f64(lo) + q_to_f64(hi)) / 2.0,
            Constant::Unbounded => f64::INFINITY,
        }
    }

    fn from_repr(r: ConstantRepr) -> std::result::Result<Constant, String> {
        let num = |field: &str, s: &str| {
            parse_rational(s).map_err(|e| format!("{field} {s:?} is not an exact number: {e}"))
        };
        Ok(match r {
            ConstantRepr::Exact(s) => Constant::Exact(num("value", &s)?),
            ConstantRepr::Tagged(TaggedConstant::Surd { a, b, d }) => {
                let root = (d as f64).sqrt().round() as u64;
                if d < 2 || root * root == d {
                    return Err(format!("surd radicand {d} must be > 1 and not a square"));
                }
                Constant::Surd {
                    a: num("a", &a)?,
                    b: num("b", &b)?,
                    d,
                }
            }
            ConstantRepr::Tagged(TaggedConstant::Interval { lo, hi }) => {
                let (lo, hi) = (num("lo", &lo)?, num("hi", &hi)?);
                if lo > hi {
                    return Err(format!(
                        "interval lo {} is above hi {}",
                        format_q(&lo),
                        format_q(&hi)
                    ));
                }
                Constant::Interval { lo, hi }
            }
            ConstantRepr::Tagged(TaggedConstant::Unbounded {}) => Constant::Unbounded,
        })
    }
}

impl std::fmt::Display for Constant {
    /// `p/q`; `3 − 2√2`; `[lo, hi]` in decimals (≈ 10 digits, the exact endpoints
    /// are in the JSON); `unbounded`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Constant::Exact(q) => f.write_str(&format_q(q)),
            Constant::Surd { a, b, d } => {
                let root = if b.is_one() {
                    format!("√{d}")
                } else if (-b).is_one() {
                    format!("−√{d}")
                } else {
                    format!("{}√{d}", format_q(b).replacen('-', "−", 1))
                };
                if a.is_zero() {
                    return f.write_str(&root);
                }
                let (sign, mag) = if b.is_negative() {
                    ("−", root.trim_start_matches('−').to_string())
                } else {
                    ("+", root)
                };
                write!(f, "{} {sign} {mag}", format_q(a).replacen('-', "−", 1))
            }
            Constant::Interval { lo, hi } => write!(f, "[{}, {}]", decimal(lo), decimal(hi)),
            Constant::Unbounded => f.write_str("unbounded"),
        }
    }
}

impl Serialize for Constant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Constant::Exact(q) => s.serialize_str(&format_q(q)),
            Constant::Surd { a, b, d } => TaggedConstant::Surd {
                a: format_q(a),
                b: format_q(b),
                d: *d,
            }
            .serialize(s),
            Constant::Interval { lo, hi } => TaggedConstant::Interval {
                lo: format_q(lo),
                hi: format_q(hi),
            }
            .serialize(s),
            Constant::Unbounded => TaggedConstant::Unbounded {}.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Constant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Constant, D::Error> {
        let repr = ConstantRepr::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "a constant is a string \"p/q\" or an object with kind surd (a, b, d), interval \
                 (lo, hi) or unbounded",
            )
        })?;
        Constant::from_repr(repr).map_err(serde::de::Error::custom)
    }
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
            "constant" => fits::<Option<Constant>>(v),
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
    fn constants_are_typed_and_parsed_once() {
        let q = |s: &str| parse_rational(s).unwrap();
        let cases = [
            (
                Constant::Exact(q("35/18")),
                serde_json::json!("35/18"),
                "35/18",
            ),
            (
                Constant::Surd {
                    a: q("3"),
                    b: q("-2"),
                    d: 2,
                },
                serde_json::json!({"kind": "surd", "a": "3", "b": "-2", "d": 2}),
                "3 − 2√2",
            ),
            (
                Constant::Interval {
                    lo: q("1/3"),
                    hi: q("1/2"),
                },
                serde_json::json!({"kind": "interval", "lo": "1/3", "hi": "1/2"}),
                "[0.3333333333, 0.5]",
            ),
            (
                Constant::Unbounded,
                serde_json::json!({"kind": "unbounded"}),
                "unbounded",
            ),
        ];
        for (c, json, text) in cases {
            assert_eq!(serde_json::to_value(&c).unwrap(), json);
            assert_eq!(serde_json::from_value::<Constant>(json).unwrap(), c);
            assert_eq!(c.to_string(), text);
        }
        let surd = Constant::Surd {
            a: q("3"),
            b: q("-2"),
            d: 2,
        };
        assert!((surd.to_f64() - (3.0 - 2.0 * 2f64.sqrt())).abs() < 1e-15);
        // Not a number, a square radicand, an empty interval, free text, an unknown
        // kind: each refused.
        for bad in [
            serde_json::json!("1/O"),
            serde_json::json!("3 − 2√2 ≈ 0.171573"),
            serde_json::json!({"kind": "surd", "a": "3", "b": "-2", "d": 4}),
            serde_json::json!({"kind": "interval", "lo": "1", "hi": "1/2"}),
            serde_json::json!({"kind": "circle"}),
            serde_json::json!({"kind": "unbounded", "note": "x"}),
            serde_json::json!(2),
        ] {
            assert!(
                serde_json::from_value::<Constant>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        // In a file, a bad constant is an error naming the field.
        let mut v = serde_json::to_value(ClaimsFile {
            claims: vec![entry()],
        })
        .unwrap();
        v["claims"][0]["constant"] = serde_json::json!("spread ≥ 3");
        let err = ClaimsFile::parse(&v.to_string(), Path::new("c.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`constant`"), "{err}");
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
