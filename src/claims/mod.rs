//! The claims registry: every statement diceproof settles, as data.
//!
//! A [`Claim`] has a name, a statement, the proof file that argues it, the outcome
//! its statement predicts, a default size, and a check. Running the check gives an
//! [`Outcome`]: `holds` (confirmed exactly on every configuration up to the size,
//! together with the tight constant and the configuration attaining it), `refuted`
//! (with a witness re-verified by an independent exact evaluation) or `constant`
//! (a computed tight constant where the statement is the constant itself). An
//! outcome that differs from the predicted one, or any internal cross-check that
//! fails, makes `as_expected` false and `diceproof check` exit with code 1.
//!
//! Why a registry rather than tests: the same checks are what a reviewer runs
//! (`diceproof check NAME --n N`), what the report tabulates, and what the test
//! suite asserts, so a claim cannot drift between its proof, its check and its
//! reported result.

mod adaptive;
mod approx;
mod relaxed;
mod risk;
mod structure;
mod transfer;
mod wce;

use serde_json::{json, Value as Json};

use crate::error::{Error, Result};

/// What a check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Confirmed exactly on every configuration up to the size checked.
    Holds,
    /// Refuted by a re-verified witness.
    Refuted,
    /// A tight constant computed with its witness.
    Constant,
}

impl Status {
    /// The status as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::Refuted => "refuted",
            Status::Constant => "constant",
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
    /// The tight constant at `n`, exact (`p/q`), if the claim has one.
    pub constant: Option<String>,
    /// The configuration attaining the constant, or refuting the claim.
    pub witness: Option<Json>,
    /// Every internal cross-check passed (closed forms equal enumeration, …).
    pub consistent: bool,
    /// Lines for people: what was checked and what was seen.
    pub details: Vec<String>,
    /// What each part of the check covered, with its own scope. A claim's status
    /// may say `holds` without qualification only when every part is
    /// [`Scope::Exhaustive`].
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

/// One part of a claim's check: what it established, and over what.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// What this part checks, in words.
    pub what: String,
    /// What it covered.
    pub scope: Scope,
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
}

/// Counts work items finished by parallel workers and reports progress every
/// `every` items (and once at the end, from [`Ticker::finish`]).
pub(crate) struct Ticker<'p, 'a> {
    done: std::sync::atomic::AtomicU64,
    total: u64,
    every: u64,
    progress: &'p Progress<'a>,
}

impl<'p, 'a> Ticker<'p, 'a> {
    /// A counter of `total` items reporting to `progress`.
    pub(crate) fn new(progress: &'p Progress<'a>, total: u64, every: u64) -> Self {
        Ticker {
            done: std::sync::atomic::AtomicU64::new(0),
            total,
            every: every.max(1),
            progress,
        }
    }

    /// One item finished.
    pub(crate) fn step(&self) {
        let d = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if d % self.every == 0 {
            self.progress.tick(d, self.total);
        }
    }

    /// Every item finished.
    pub(crate) fn finish(&self) {
        self.progress.tick(self.total, self.total);
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
    /// Runs the check up to size n.
    pub check: fn(u64, &Progress) -> Result<Outcome>,
}

impl Claim {
    /// The proof file, relative to the repository root.
    pub fn proof(&self) -> String {
        format!("proofs/{}.md", self.name)
    }
}

/// Progress reporting for checks: a callback receiving (done, total) work units.
pub struct Progress<'a> {
    report: Box<dyn Fn(u64, u64) + Sync + 'a>,
}

impl<'a> Progress<'a> {
    /// A progress sink.
    pub fn new(f: impl Fn(u64, u64) + Sync + 'a) -> Progress<'a> {
        Progress {
            report: Box::new(f),
        }
    }

    /// A sink that ignores progress.
    pub fn none() -> Progress<'static> {
        Progress::new(|_, _| {})
    }

    /// Reports progress.
    pub fn tick(&self, done: u64, total: u64) {
        (self.report)(done, total)
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
    out.consistent && out.status == claim.expected
}

/// The `check --json` entry of one claim.
pub fn outcome_json(claim: &Claim, out: &Outcome, seconds: f64) -> Json {
    json!({
        "name": claim.name,
        "statement": claim.statement,
        "status": out.status.name(),
        "expected": claim.expected.name(),
        "as_expected": as_expected(claim, out),
        "n": out.n,
        "constant": out.constant,
        "witness": out.witness,
        "proof": claim.proof(),
        "details": out.details,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "smt": smt_json(claim.name),
    })
}

/// The machine proof for every n of a claim's SMT obligation
/// (`proofs/smt/<claim>.*.smt2`, see [`crate::prove::registry`]): `{"status",
/// "solvers": [{"name", "version", "answer", "seconds"}], "file", "summary"}`, or
/// null when the claim has no obligation or no solver is installed. After one
/// solver proves a part the other gets a quarter of a second more, which keeps `check`
/// fast; `diceproof prove --registry` gives both solvers longer.
pub fn smt_json(name: &str) -> Json {
    use crate::prove;
    static SOLVERS: std::sync::OnceLock<Vec<prove::solver::Solver>> = std::sync::OnceLock::new();
    let solvers = SOLVERS.get_or_init(|| prove::solver::installed().0);
    if solvers.is_empty() {
        return Json::Null;
    }
    match prove::registry::prove_claim(name, solvers, 10.0, 0.25, None) {
        Ok(Some(p)) => {
            let mut v = serde_json::to_value(&p).unwrap_or(Json::Null);
            v["summary"] = Json::String(p.summary());
            v
        }
        Ok(None) => Json::Null,
        Err(e) => json!({"status": "error", "solvers": [], "file": null, "summary": e.to_string()}),
    }
}
