//! The claims registry: every statement diceproof settles, as data.
//!
//! A [`Claim`] has a name, a statement, the proof file that argues it, the outcome
//! its statement predicts, a default size, and a check. Running the check
//! ([`Claim::run`]) gives an [`Outcome`] whose [`Status`] is one of
//!
//! - `holds`: confirmed exactly on *every* configuration up to the size — every
//!   part of the check was [`Scope::Exhaustive`];
//! - `holds on grid`, `holds on family`, `holds on sample`: no counterexample, but
//!   the weakest part of the check only covered a stated grid, a stated family of
//!   instances, or seeded random points (ranked exhaustive > grid > family >
//!   sample: a grid is a structured cover of the domain at a resolution, a family
//!   is a hand-picked slice of it, a sample is whatever the seed drew);
//! - `refuted`: a witness, re-verified by an independent exact evaluation,
//!   contradicts the statement (one witness suffices whatever the scope);
//! - `constant`: a computed tight constant where the statement is the constant
//!   itself (its parts say over what it was computed).
//!
//! Every outcome lists its [`Part`]s, each with its own [`Scope`]; the qualified
//! status is derived from them in one place ([`Outcome::qualify`]), so a check
//! cannot report `holds` for work it sampled. An outcome that differs from the
//! predicted one, an outcome with no parts, or any internal cross-check that fails
//! makes `as_expected` false and `diceproof check` exit with code 1.
//!
//! The `check --json` / `claims.json` format is the typed [`schema`] module, used
//! by every writer and reader.
//!
//! Why a registry rather than tests: the same checks are what a reviewer runs
//! (`diceproof check NAME --n N`), what the report tabulates, and what the test
//! suite asserts, so a claim cannot drift between its proof, its check and its
//! reported result.

mod adaptive;
mod approx;
pub mod coq;
mod gtweights;
mod lovaszfactor;
mod multiclass;
mod relaxed;
mod risk;
pub mod schema;
mod softgap;
mod structure;
mod tally;
mod transfer;
mod wce;

use serde_json::Value as Json;

use crate::error::{Error, Result};
/// Checks report through the crate's one progress type ([`crate::progress`]).
pub use crate::progress::Progress;
pub(crate) use crate::progress::Ticker;

/// What a check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    /// Confirmed exactly on every configuration up to the size checked: every
    /// part of the check was exhaustive.
    #[serde(rename = "holds")]
    Holds,
    /// No counterexample on a stated grid (the weakest part was a grid).
    #[serde(rename = "holds on grid")]
    HoldsOnGrid,
    /// No counterexample on a stated family of instances (the weakest part).
    #[serde(rename = "holds on family")]
    HoldsOnFamily,
    /// No counterexample on seeded random points (the weakest part).
    #[serde(rename = "holds on sample")]
    HoldsOnSample,
    /// Refuted by a re-verified witness.
    #[serde(rename = "refuted")]
    Refuted,
    /// A tight constant computed with its witness.
    #[serde(rename = "constant")]
    Constant,
}

impl Status {
    /// Every status, in the order the docs list them.
    pub const ALL: [Status; 6] = [
        Status::Holds,
        Status::HoldsOnGrid,
        Status::HoldsOnFamily,
        Status::HoldsOnSample,
        Status::Refuted,
        Status::Constant,
    ];

    /// The status as printed (and as written in `claims.json`).
    pub fn name(&self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::HoldsOnGrid => "holds on grid",
            Status::HoldsOnFamily => "holds on family",
            Status::HoldsOnSample => "holds on sample",
            Status::Refuted => "refuted",
            Status::Constant => "constant",
        }
    }

    /// Whether the status says the statement held (on whatever scope).
    pub fn is_holds(&self) -> bool {
        matches!(
            self,
            Status::Holds | Status::HoldsOnGrid | Status::HoldsOnFamily | Status::HoldsOnSample
        )
    }

    /// `Refuted` when the check found a contradiction, otherwise `Holds` (which
    /// [`Outcome::qualify`] narrows to the weakest scope of the parts).
    pub fn refuted_if(refuted: bool) -> Status {
        if refuted {
            Status::Refuted
        } else {
            Status::Holds
        }
    }

    /// The `holds` status a check covering `scope` may claim.
    fn holds_on(scope: &Scope) -> Status {
        match scope {
            Scope::Exhaustive { .. } => Status::Holds,
            Scope::Grid { .. } => Status::HoldsOnGrid,
            Scope::Family { .. } => Status::HoldsOnFamily,
            Scope::Sampled { .. } => Status::HoldsOnSample,
        }
    }
}

/// The result of checking a claim.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// What was found.
    pub status: Status,
    /// Largest size checked.
    pub n: u64,
    /// The tight constant at `n`, typed, if the claim has one.
    pub constant: Option<schema::Constant>,
    /// The configuration attaining the constant, or refuting the claim.
    pub witness: Option<Json>,
    /// Every internal cross-check passed (closed forms equal enumeration, …).
    pub consistent: bool,
    /// Lines for people: what was checked and what was seen.
    pub details: Vec<String>,
    /// What each part of the check covered, with its own scope. A claim's status
    /// may say `holds` without qualification only when every part is
    /// [`Scope::Exhaustive`] ([`Outcome::qualify`] enforces it).
    pub parts: Vec<Part>,
}

/// How much of a statement one part of a check covered.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Scope {
    /// Every configuration up to the stated size (`over` says what was enumerated,
    /// e.g. "every (TP, FP, FN, TN) with n ≤ 100").
    Exhaustive {
        /// What was enumerated.
        over: String,
    },
    /// Every point of a stated grid, e.g. "p ∈ {0, 1/4, …, 1}³ for every hard label".
    Grid {
        /// The grid.
        grid: String,
    },
    /// Seeded random points.
    Sampled {
        /// How many points.
        points: u64,
        /// Which generator and distribution.
        generator: String,
        /// The seed.
        seed: u64,
    },
    /// A stated family of instances, e.g. "Bernoulli and two-point mixtures".
    Family {
        /// The family.
        family: String,
    },
}

impl Scope {
    /// Rank of the scope: exhaustive 3 > grid 2 > family 1 > sampled 0.
    fn rank(&self) -> u8 {
        match self {
            Scope::Exhaustive { .. } => 3,
            Scope::Grid { .. } => 2,
            Scope::Family { .. } => 1,
            Scope::Sampled { .. } => 0,
        }
    }

    /// The `kind` tag as written in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Exhaustive { .. } => "exhaustive",
            Scope::Grid { .. } => "grid",
            Scope::Family { .. } => "family",
            Scope::Sampled { .. } => "sampled",
        }
    }

    /// An exhaustive scope.
    pub fn exhaustive(over: impl Into<String>) -> Scope {
        Scope::Exhaustive { over: over.into() }
    }

    /// A grid scope.
    pub fn grid(grid: impl Into<String>) -> Scope {
        Scope::Grid { grid: grid.into() }
    }

    /// A family scope.
    pub fn family(family: impl Into<String>) -> Scope {
        Scope::Family {
            family: family.into(),
        }
    }

    /// A sampled scope.
    pub fn sampled(points: u64, generator: impl Into<String>, seed: u64) -> Scope {
        Scope::Sampled {
            points,
            generator: generator.into(),
            seed,
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Exhaustive { over } => write!(f, "exhaustive: {over}"),
            Scope::Grid { grid } => write!(f, "grid: {grid}"),
            Scope::Family { family } => write!(f, "family: {family}"),
            Scope::Sampled {
                points,
                generator,
                seed,
            } => write!(f, "sampled: {points} points, {generator}, seed {seed:#x}"),
        }
    }
}

/// One part of a claim's check: what it established, and over what.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// What this part checks, in words.
    pub what: String,
    /// What it covered.
    #[serde(flatten)]
    pub scope: Scope,
}

impl Part {
    /// A part checking `what` over `scope`.
    pub fn new(what: impl Into<String>, scope: Scope) -> Part {
        Part {
            what: what.into(),
            scope,
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.what, self.scope)
    }
}

impl Outcome {
    /// An outcome without a constant whose internal cross-checks all passed.
    pub fn plain(status: Status, n: u64, witness: Option<Json>, details: Vec<String>) -> Outcome {
        Outcome {
            parts: Vec::new(),
            status,
            n,
            constant: None,
            witness,
            consistent: true,
            details,
        }
    }

    /// The outcome of a check that kept a [`tally::Tally`] and has a tight
    /// constant: refuted, with `refuted` as its witness, when a counterexample was
    /// found; otherwise holding, with the witness `held()` (built only then).
    /// Consistent exactly when every cross-check of the tally held.
    pub(crate) fn tallied(
        tally: &tally::Tally,
        n: u64,
        constant: schema::Constant,
        refuted: Option<Json>,
        held: impl FnOnce() -> Json,
        details: Vec<String>,
    ) -> Outcome {
        Outcome {
            parts: Vec::new(),
            status: Status::refuted_if(refuted.is_some()),
            n,
            constant: Some(constant),
            witness: Some(refuted.unwrap_or_else(held)),
            consistent: tally.consistent(),
            details,
        }
    }

    /// The outcome with its parts.
    pub fn with_parts(mut self, parts: Vec<Part>) -> Outcome {
        self.parts = parts;
        self
    }

    /// Derives the reported status from the parts: a `holds` of any kind becomes
    /// `holds` only when every part is exhaustive, otherwise `holds on …` naming
    /// the weakest scope. An outcome without parts is inconsistent (it cannot say
    /// what was checked).
    pub fn qualify(&mut self) {
        if self.parts.is_empty() {
            self.consistent = false;
            self.details
                .push("INCONSISTENT: the check lists no parts, so its scope is unknown".into());
        }
        if self.status.is_holds() {
            self.status = self
                .parts
                .iter()
                .map(|p| &p.scope)
                .min_by_key(|s| s.rank())
                .map_or(Status::HoldsOnSample, Status::holds_on);
        }
    }
}

/// A registered claim.
pub struct Claim {
    /// Short name, e.g. `dice-jaccard-relative`.
    pub name: &'static str,
    /// The statement in words and formulas.
    pub statement: &'static str,
    /// The status the statement predicts.
    pub expected: Status,
    /// Size checked by `reproduce --quick` (a few seconds for all claims together).
    pub quick_n: u64,
    /// Size checked when none is given.
    pub default_n: u64,
    /// Largest size the check accepts; a larger `--n` is capped to it (each claim
    /// measures size in its own unit: voxels, set elements, grid dimensions).
    pub max_n: u64,
    /// Runs the check up to size n, returning the unqualified outcome (any
    /// `holds` kind meaning "no counterexample"). Call [`Claim::run`], which
    /// derives the reported status from the parts.
    pub check: fn(u64, &Progress) -> Result<Outcome>,
}

impl Claim {
    /// Runs the check up to size n and qualifies its status by the scopes of its
    /// parts ([`Outcome::qualify`]).
    pub fn run(&self, n: u64, progress: &Progress) -> Result<Outcome> {
        let mut out = (self.check)(n, progress)?;
        out.qualify();
        Ok(out)
    }

    /// The proof file, relative to the repository root.
    pub fn proof(&self) -> String {
        format!("proofs/{}.md", self.name)
    }
}

/// Every registered claim, in report order.
pub fn registry() -> Vec<Claim> {
    let mut all = approx::claims();
    all.extend(adaptive::claims());
    all.extend(wce::claims());
    all.extend(relaxed::claims());
    all.extend(structure::claims());
    all.extend(transfer::claims());
    all.extend(risk::claims());
    all.extend(gtweights::claims());
    all.extend(softgap::claims());
    all.extend(lovaszfactor::claims());
    all.extend(multiclass::claims());
    all
}

/// Claims selected by name (all if `names` is empty); unknown names are an error
/// listing the valid ones.
pub fn select(names: &[String]) -> Result<Vec<Claim>> {
    let all = registry();
    if names.is_empty() {
        return Ok(all);
    }
    let valid: Vec<&str> = all.iter().map(|c| c.name).collect();
    for n in names {
        if !valid.contains(&n.as_str()) {
            return Err(Error::invalid(format!(
                "unknown claim {n:?}; registered claims are: {}",
                valid.join(", ")
            )));
        }
    }
    Ok(all
        .into_iter()
        .filter(|c| names.iter().any(|n| n == c.name))
        .collect())
}

/// Whether an outcome is what the claim's statement predicts.
pub fn as_expected(claim: &Claim, out: &Outcome) -> bool {
    out.consistent && !out.parts.is_empty() && out.status == claim.expected
}

/// The `check --json` entry of one claim, checked at `requested_n` (after capping
/// at the claim's maximum) in `seconds`.
pub fn outcome_json(
    claim: &Claim,
    out: &Outcome,
    requested_n: u64,
    seconds: f64,
) -> schema::ClaimEntry {
    schema::ClaimEntry {
        name: claim.name.to_string(),
        statement: claim.statement.to_string(),
        status: out.status,
        expected: claim.expected,
        as_expected: as_expected(claim, out),
        n: out.n,
        requested_n,
        constant: out.constant.clone(),
        witness: out.witness.clone(),
        scope: out.parts.clone(),
        proof: claim.proof(),
        details: out.details.clone(),
        seconds: (seconds * 1000.0).round() / 1000.0,
        coq: coq::coq_theorem(claim.name).map(|t| schema::CoqRef {
            file: t.file,
            theorem: t.theorem,
        }),
        smt: smt_ref(claim.name),
    }
}

/// The machine proof for every n of a claim's SMT obligation
/// (`proofs/smt/<claim>.*.smt2`, see [`crate::prove::registry`]): `{"status",
/// "solvers": [{"name", "version", "answer", "seconds"}], "file", "summary",
/// "note"}`, or null when the claim has no obligation. Every installed solver
/// runs every part to its answer (the obligations are written so that each takes
/// well under a second), so "proved for all n (z3 …, cvc5 …)" names every solver
/// that proved every part. With no solver on PATH the status is `no solver` and
/// the note names the Debian packages; with one missing, the note names it.
pub fn smt_ref(name: &str) -> Option<schema::SmtRef> {
    use crate::prove;
    type Found = (
        Vec<prove::solver::Solver>,
        Vec<(&'static str, &'static str)>,
    );
    static SOLVERS: std::sync::OnceLock<Found> = std::sync::OnceLock::new();
    let (solvers, missing) = SOLVERS.get_or_init(prove::solver::installed);
    smt_ref_with(name, solvers, missing)
}

/// [`smt_ref`] with the solvers given (the tests pass none).
pub fn smt_ref_with(
    name: &str,
    solvers: &[crate::prove::solver::Solver],
    missing: &[(&'static str, &'static str)],
) -> Option<schema::SmtRef> {
    use crate::prove;
    let note = prove::solver::missing_note(missing);
    // Only claims with an obligation get an entry (`Ok(None)` otherwise).
    let found = if solvers.is_empty() {
        prove::registry::obligation(name).map(|o| {
            o.map(|_| schema::SmtRef {
                status: "no solver".to_string(),
                summary: format!("no machine proof: {note}"),
                solvers: Vec::new(),
                file: Some(format!("proofs/smt/{name}.*.smt2")),
                note: note.clone(),
            })
        })
    } else {
        prove::registry::prove_claim(name, solvers, 10.0, 10.0, None).map(|p| {
            p.map(|p| schema::SmtRef {
                status: p.status.name().to_string(),
                summary: if note.is_empty() {
                    p.summary()
                } else {
                    format!("{}; {note}", p.summary())
                },
                solvers: p
                    .solvers
                    .iter()
                    .map(|s| schema::SmtSolver {
                        name: s.name.clone(),
                        version: s.version.clone(),
                        answer: s.answer.clone(),
                        seconds: s.seconds,
                    })
                    .collect(),
                file: Some(p.file),
                note: note.clone(),
            })
        })
    };
    found.unwrap_or_else(|e| {
        Some(schema::SmtRef {
            status: "error".to_string(),
            summary: e.to_string(),
            solvers: Vec::new(),
            file: None,
            note,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(status: Status, parts: Vec<Part>) -> Outcome {
        Outcome::plain(status, 1, None, Vec::new()).with_parts(parts)
    }

    #[test]
    fn holds_is_qualified_by_the_weakest_part() {
        let ex = Part::new("a", Scope::exhaustive("every y"));
        let grid = Part::new("b", Scope::grid("{0, 1/2, 1}"));
        let fam = Part::new("c", Scope::family("mixtures"));
        let sam = Part::new("d", Scope::sampled(10, "splitmix64", 1));
        let cases = [
            (vec![ex.clone()], Status::Holds),
            (vec![ex.clone(), grid.clone()], Status::HoldsOnGrid),
            (vec![grid.clone(), fam.clone()], Status::HoldsOnFamily),
            (
                vec![sam.clone(), ex.clone(), grid.clone()],
                Status::HoldsOnSample,
            ),
        ];
        for (parts, want) in cases {
            let mut o = outcome(Status::Holds, parts);
            o.qualify();
            assert_eq!(o.status, want);
            assert!(o.consistent);
        }
        // Refutations and constants keep their status; no parts is inconsistent.
        let mut r = outcome(Status::Refuted, vec![sam.clone()]);
        r.qualify();
        assert_eq!(r.status, Status::Refuted);
        let mut none = outcome(Status::Holds, Vec::new());
        none.qualify();
        assert!(!none.consistent);
        assert_ne!(none.status, Status::Holds);
    }

    #[test]
    fn status_names_round_trip_through_json() {
        for s in Status::ALL {
            let j = serde_json::to_value(s).unwrap();
            assert_eq!(j, s.name());
            assert_eq!(serde_json::from_value::<Status>(j).unwrap(), s);
        }
    }

    /// The `## Check` section of a proof file.
    fn check_section(proof: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(proof);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{proof}: {e}"));
        let start = text
            .find("\n## Check")
            .unwrap_or_else(|| panic!("{proof} has no ## Check section"));
        let rest = &text[start + 1..];
        let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
        rest[..end].to_string()
    }

    /// The JSON paths listed on the section's `Reports:` line, e.g.
    /// "Reports: `constant`, `witness.min.tp`."
    fn reported_paths(section: &str, proof: &str) -> Vec<String> {
        let line = section
            .lines()
            .find(|l| l.starts_with("Reports:"))
            .unwrap_or_else(|| panic!("{proof}: the Check section has no `Reports:` line"));
        line.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    fn at<'j>(v: &'j Json, path: &str) -> Option<&'j Json> {
        path.split('.')
            .try_fold(v, |v, key| match key.parse::<usize>() {
                Ok(i) => v.get(i),
                Err(_) => v.get(key),
            })
    }

    /// Proof files owned by work in progress elsewhere whose Check section has
    /// no `Reports:` line yet. Empty this list when they gain one.
    const NO_REPORTS_LINE_YET: &[&str] = &[];

    /// Every claim at its quick size: its status agrees with its scopes (no
    /// sampled, grid or family check reported as exhaustively `holds`), it has
    /// its expected outcome, and every quantity its proof's Check section says
    /// it reports is in its JSON entry (and every scope kind it uses is named).
    #[test]
    fn every_claim_reports_its_scope_and_what_its_proof_promises() {
        for claim in registry() {
            let out = claim.run(claim.quick_n, &Progress::none()).unwrap();
            assert!(!out.parts.is_empty(), "{}: no parts", claim.name);
            if out.status == Status::Holds {
                for p in &out.parts {
                    assert!(
                        matches!(p.scope, Scope::Exhaustive { .. }),
                        "{}: `holds` with a non-exhaustive part {p}",
                        claim.name
                    );
                }
            }
            if out
                .parts
                .iter()
                .any(|p| matches!(p.scope, Scope::Sampled { .. }))
            {
                assert!(
                    !matches!(
                        out.status,
                        Status::Holds | Status::HoldsOnGrid | Status::HoldsOnFamily
                    ),
                    "{}: sampled, reported as {}",
                    claim.name,
                    out.status.name()
                );
            }
            assert!(
                as_expected(&claim, &out),
                "{}: {:?}",
                claim.name,
                out.details
            );
            // The constants that used to be free text are exact numbers now.
            let q = |s: &str| crate::exact::parse_rational(s).unwrap();
            let n = out.n.to_string();
            let want = match claim.name {
                "gt-weighting-fails" => {
                    Some(schema::Constant::Exact(q(&format!("{}/3", out.n + 1))))
                }
                "lovasz-soft-jaccard-factor" => Some(schema::Constant::Exact(q(&n))),
                "soft-dice-jaccard-absolute" => Some(schema::Constant::Surd {
                    a: q("3"),
                    b: q("-2"),
                    d: 2,
                }),
                "adaptive-weights-fail" => None,
                _ => out.constant.clone(),
            };
            assert_eq!(out.constant, want, "{}", claim.name);
            let entry =
                serde_json::to_value(outcome_json(&claim, &out, claim.quick_n, 0.0)).unwrap();
            let proof = claim.proof();
            let section = check_section(&proof);
            if NO_REPORTS_LINE_YET.contains(&claim.name) {
                continue;
            }
            for path in reported_paths(&section, &proof) {
                let v = at(&entry, &path);
                assert!(
                    v.is_some_and(|v| !v.is_null()),
                    "{proof} says the check reports `{path}`, but {}'s JSON has no such value",
                    claim.name
                );
            }
            for p in &out.parts {
                assert!(
                    section.contains(p.scope.kind()),
                    "{proof}: the Check section does not say that a part is {} ({p})",
                    p.scope.kind()
                );
            }
        }
    }
}
