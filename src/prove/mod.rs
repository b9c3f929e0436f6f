//! Machine proofs for every image size: approximation claims as SMT queries.
//!
//! Why a layer of its own: everything below it settles claims by enumerating
//! configurations up to some n. A claim "for every n" is an inequality between
//! rational functions of four non-negative counts, and SMT solvers with nonlinear
//! real arithmetic decide many such inequalities in milliseconds. The flow is
//!
//! obligation → [`query::Query`] (SMT-LIB text) → solver processes
//! ([`solver`]) → `unsat` for every part: **proved**; `sat`: an integer witness
//! ([`witness`]), verified exactly and shrunk: **refuted**; neither: **unknown**
//! with the reason.
//!
//! The loss terms come from the measures themselves ([`encode`] reads the
//! [`crate::measures::symbolic`] form extracted from each measure's own generic
//! formula), never from a table kept beside them; the differential test in
//! `tests.rs` evaluates the printed terms exactly on enumerated and random
//! configurations against the exact engine, for every rational spec and policy.
//!
//! Soundness of "proved": counts are declared as non-negative reals, so an unsat
//! answer covers the integers as a special case. At least one solver must answer
//! unsat for each part, no solver may answer sat (a sat/unsat disagreement makes
//! the outcome `unknown`, never `proved`), and every installed solver's answer is
//! reported. Before answering `unknown`, a part is split into one query per case
//! of the piecewise losses of its first configuration, and a real counterexample
//! without an integer witness is re-asked with integer counts.
//!
//! Every query is sent with its denominators cleared ([`clear`]), as the
//! registry obligations are: the cleared query is implied by the quotient form
//! at every point, so its unsat proves the claim, and a sat answer only
//! suggests a witness that is verified exactly anyway. Measured on the issue's
//! examples (dice vs jaccard factor 3/2 and 7/5, abs 0.1716 and 0.17157,
//! whamming w=1/2, balanced and gdice at factor 100, Dice with `+1` smoothing
//! against Dice with ratio bounds [1/2, 1] and [1/2, 9/10]), each query file
//! run alone with a 30 s limit: with quotients cvc5 timed out on 7 of 26 queries
//! (every `spread`, `abs above`) and z3 on 2 (the gdice spread, which then
//! needed 8 case splits, and the integer re-query of the smoothing claim);
//! cleared, cvc5 timed out only on `abs above` of 0.1716 (z3: 0.11 s) and z3 on
//! none, mostly faster (the balanced spread 2.7 s against 0.2 s is the
//! exception; cvc5 decides it in 0.35 s). Whole runs: same statuses and
//! witness sizes; the gdice refutation 2.0 s instead of 13.9 s. The faithfulness
//! test of the cleared form covers these queries (`tests.rs`).

pub mod chain;
pub mod clear;
pub mod encode;
pub mod query;
pub mod registry;
pub mod solver;
pub mod term;
pub mod witness;

#[cfg(test)]
mod solver_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::measures::{EmptyPolicy, Measure};
use query::{Query, Sort};
use solver::{Answer, Solver};
use term::Term;

/// The claim forms of `prove`.
#[derive(Clone, Debug)]
pub enum Claim {
    /// Some c > 0 gives target/K ≤ c·candidate ≤ K·target everywhere; equivalently
    /// ratio₁ ≤ K²·ratio₂ for every two configurations, and target = 0 exactly
    /// where candidate = 0.
    Factor(Q),
    /// |candidate − target| ≤ E.
    Abs(Q),
    /// A·target ≤ candidate ≤ B·target.
    Ratio(Q, Q),
}

impl Claim {
    /// How the claim is printed: `factor 3/2`, `abs 1/10`, `ratio [1/2, 1]`.
    pub fn describe(&self) -> String {
        match self {
            Claim::Factor(k) => format!("factor {}", format_q(k)),
            Claim::Abs(e) => format!("abs {}", format_q(e)),
            Claim::Ratio(a, b) => format!("ratio [{}, {}]", format_q(a), format_q(b)),
        }
    }
}

/// A `prove` problem.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The loss approximated.
    pub target: Measure,
    /// The loss approximating it.
    pub candidate: Measure,
    /// What is claimed.
    pub claim: Claim,
    /// The value of 0/0.
    pub empty: EmptyPolicy,
    /// Only images with a non-empty ground truth.
    pub nonempty_gt: bool,
    /// Smallest image size (≥ 1).
    pub min_n: u64,
}

fn domain(p: &Problem, k: usize, q: &mut Query) -> Result<()> {
    let names = encode::count_names(k);
    let vars = names.clone().map(Term::var);
    for n in &names {
        q.decls.push((n.clone(), Sort::Real));
        q.asserts.push(Term::var(n.clone()).ge(Term::int(0)));
    }
    let n = Term::Add(vars.to_vec());
    let min_n = Q::from_integer(p.min_n.max(1).into());
    q.asserts.push(n.ge(Term::q(&min_n)));
    if p.nonempty_gt {
        q.asserts
            .push(vars[0].clone().add(vars[2].clone()).ge(Term::int(1)));
    }
    let t = encode::encode(&p.target, k, p.empty)?;
    let c = encode::encode(&p.candidate, k, p.empty)?;
    if matches!(p.empty, EmptyPolicy::Nan | EmptyPolicy::Error) {
        for e in [&t.empty, &c.empty] {
            if *e != Term::Bool(false) {
                q.asserts.push(e.clone().not());
            }
        }
    }
    q.defs.push((format!("target_{k}"), t.value));
    q.defs.push((format!("candidate_{k}"), c.value));
    Ok(())
}

/// The target and candidate case regions of configuration 1, for splitting.
fn regions(p: &Problem) -> Result<Vec<Term>> {
    let t = encode::encode(&p.target, 1, p.empty)?;
    let c = encode::encode(&p.candidate, 1, p.empty)?;
    let mut out = Vec::new();
    for a in &t.regions {
        for b in &c.regions {
            out.push(Term::and(vec![a.clone(), b.clone()]));
        }
    }
    Ok(out)
}

impl Problem {
    /// The negated claim as queries; the claim holds iff every one is unsat. The
    /// second value is the number of configurations of each query.
    ///
    /// With `scale = Some(c)` (factor claims only) the queries are instead the two
    /// one-configuration halves of the claim at that fixed scale, c·candidate ≤
    /// K·target and target ≤ K·c·candidate: a lemma that implies the claim and is
    /// far easier for the solvers than the two-configuration spread.
    pub fn queries_with(&self, scale: Option<&Q>) -> Result<Vec<(Query, usize)>> {
        let tv = |k: usize| Term::var(format!("target_{k}"));
        let cv = |k: usize| Term::var(format!("candidate_{k}"));
        let header: [String; 2] = [
            format!(
                "diceproof prove --target {} --candidate {} ({}), --empty {}{}, n >= {}",
                self.target.spec(),
                self.candidate.spec(),
                self.claim.describe(),
                self.empty,
                if self.nonempty_gt {
                    ", --nonempty-gt"
                } else {
                    ""
                },
                self.min_n.max(1)
            ),
            "counts are non-negative reals; unsat proves the claim for every integer configuration"
                .into(),
        ];
        let make = |name: &str, what: &str, configs: usize, neg: Term| -> Result<(Query, usize)> {
            let mut q = Query {
                name: name.into(),
                comments: header
                    .iter()
                    .cloned()
                    .chain([format!("negated claim: {what}")])
                    .collect(),
                decls: vec![],
                defs: vec![],
                asserts: vec![],
                uses: vec![],
                definitions: vec![],
            };
            for k in 1..=configs {
                domain(self, k, &mut q)?;
            }
            q.asserts.push(neg);
            Ok((q, configs))
        };
        if let (Claim::Factor(k), Some(c)) = (&self.claim, scale) {
            let kq = || Term::q(k);
            return Ok(vec![
                make(
                    "scale-upper",
                    &format!("c*candidate > K*target with c = {}", format_q(c)),
                    1,
                    Term::q(c).mul(cv(1)).gt(kq().mul(tv(1))),
                )?,
                make(
                    "scale-lower",
                    &format!("K*c*candidate < target with c = {}", format_q(c)),
                    1,
                    kq().mul(Term::q(c)).mul(cv(1)).lt(tv(1)),
                )?,
            ]);
        }
        Ok(match &self.claim {
            Claim::Abs(e) => vec![
                make(
                    "above",
                    "candidate - target > E",
                    1,
                    cv(1).sub(tv(1)).gt(Term::q(e)),
                )?,
                make(
                    "below",
                    "target - candidate > E",
                    1,
                    tv(1).sub(cv(1)).gt(Term::q(e)),
                )?,
            ],
            Claim::Ratio(a, b) => vec![
                make(
                    "lower",
                    "candidate < A*target",
                    1,
                    cv(1).lt(Term::q(a).mul(tv(1))),
                )?,
                make(
                    "upper",
                    "candidate > B*target",
                    1,
                    cv(1).gt(Term::q(b).mul(tv(1))),
                )?,
            ],
            Claim::Factor(k) => {
                let zero = || Term::int(0);
                let degenerate = Term::or(vec![
                    Term::and(vec![tv(1).eq(zero()), cv(1).gt(zero())]),
                    Term::and(vec![cv(1).eq(zero()), tv(1).gt(zero())]),
                ]);
                let k2 = k * k;
                let spread = Term::and(vec![
                    tv(1).gt(zero()),
                    tv(2).gt(zero()),
                    cv(1).mul(tv(2)).gt(Term::q(&k2).mul(cv(2)).mul(tv(1))),
                ]);
                vec![
                    make(
                        "degenerate",
                        "one loss is 0 where the other is positive",
                        1,
                        degenerate,
                    )?,
                    make(
                        "spread",
                        "ratio_1 > K^2 * ratio_2 (candidate_1*target_2 > K^2*candidate_2*target_1)",
                        2,
                        spread,
                    )?,
                ]
            }
        })
    }
}

impl Problem {
    /// [`Problem::queries_with`] without a scale: the claim itself.
    pub fn queries(&self) -> Result<Vec<(Query, usize)>> {
        self.queries_with(None)
    }
}

/// `proved`, `refuted` or `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every part of the negated claim is unsat.
    Proved,
    /// A verified integer witness.
    Refuted,
    /// Neither.
    Unknown,
}

impl Status {
    /// The status as printed.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Proved => "proved",
            Status::Refuted => "refuted",
            Status::Unknown => "unknown",
        }
    }
}

/// One solver's answers over all queries of a run.
#[derive(Clone, Debug, Serialize)]
pub struct SolverReport {
    /// `z3` or `cvc5`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The answer on the claim's parts as finally decided: `unsat` when every
    /// part was unsat (directly, by its case splits, or with integer counts after
    /// a counterexample over the reals only), `sat` if a part stayed sat,
    /// otherwise `unknown`, `timeout` or `stopped`.
    pub answer: String,
    /// Each part that needed more than one stage, with this solver's answer at
    /// every stage, e.g. `spread: sat over the reals, unsat over the integers`
    /// (so a `sat` in the per-query table is never left unexplained next to
    /// `proved`).
    pub stages: Vec<String>,
    /// Total wall-clock seconds.
    pub seconds: f64,
}

/// A verified configuration with both losses (exact `p/q`).
#[derive(Clone, Debug, Serialize)]
pub struct WitnessReport {
    /// Image size.
    pub n: u64,
    /// Counts.
    pub tp: u64,
    /// Counts.
    pub fp: u64,
    /// Counts.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Counts.
    pub tn: u64,
    /// Target loss.
    pub target: String,
    /// Candidate loss.
    pub candidate: String,
}

/// Per query: its name and each solver's answer, for the table and the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct QueryReport {
    /// Query name (file stem part).
    pub name: String,
    /// (solver, answer, seconds).
    pub answers: Vec<(String, String, f64)>,
}

/// The outcome of `prove`, serialised as the JSON.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Target spec.
    pub target: String,
    /// Candidate spec.
    pub candidate: String,
    /// The claim, e.g. `factor 3/2`.
    pub claim: String,
    /// proved / refuted / unknown.
    pub status: Status,
    /// Each solver's overall answer.
    pub solvers: Vec<SolverReport>,
    /// Verified witnesses (two for a factor spread).
    pub witnesses: Vec<WitnessReport>,
    /// The directory the query files were written to, if any.
    pub smt: Option<String>,
    /// Encoding used, reason for unknown, missing solvers.
    pub note: String,
    /// Every query run, with each solver's answer.
    pub queries: Vec<QueryReport>,
}

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Per query and solver.
    pub timeout_s: f64,
    /// Write every query here.
    pub emit_dir: Option<PathBuf>,
    /// Solvers to use (from [`solver::installed`]).
    pub solvers: Vec<Solver>,
}

/// Seconds the other solvers may still run after one has decided a query: long
/// enough for a second opinion on every query that is easy for both, short enough
/// that one slow solver does not cost a full timeout on every query.
pub const GRACE_S: f64 = 3.0;

/// Runs every solver on one query, in parallel; returns the answers. Once one
/// solver decides, the others get [`GRACE_S`] more seconds.
pub fn ask(solvers: &[Solver], q: &Query, timeout_s: f64) -> Vec<(Solver, Answer, f64)> {
    ask_with_grace(solvers, q, timeout_s, GRACE_S)
}

/// [`ask`] with a chosen grace period for the other solvers after an unsat.
pub fn ask_with_grace(
    solvers: &[Solver],
    q: &Query,
    timeout_s: f64,
    grace_s: f64,
) -> Vec<(Solver, Answer, f64)> {
    let text = q.text();
    let symbols = q.symbols();
    let decided: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);
    let cut = || {
        decided
            .lock()
            .ok()
            .and_then(|d| *d)
            .is_some_and(|t| t.elapsed().as_secs_f64() > grace_s)
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = solvers
            .iter()
            .map(|sv| {
                let (text, symbols, decided, cut) = (&text, &symbols, &decided, &cut);
                s.spawn(move || {
                    let (a, secs) = solver::run(sv, text, symbols, timeout_s, cut);
                    // A sat answer is checked by the witness, not by a second
                    // solver: stop the others at once. An unsat gets them a grace.
                    let stop = match a {
                        Answer::Sat(_) => Some(grace_s),
                        Answer::Unsat => Some(0.0),
                        Answer::Unknown(_) => None,
                    };
                    if let (Some(early), Ok(mut d)) = (stop, decided.lock()) {
                        let at = std::time::Instant::now()
                            .checked_sub(std::time::Duration::from_secs_f64(early))
                            .unwrap_or_else(std::time::Instant::now);
                        d.get_or_insert(at);
                    }
                    (sv.clone(), a, secs)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| unreachable_answer(solvers)))
            .collect()
    })
}

fn unreachable_answer(solvers: &[Solver]) -> (Solver, Answer, f64) {
    (
        solvers[0].clone(),
        Answer::Unknown("solver thread panicked".into()),
        0.0,
    )
}

/// The verdict of several solvers on one query.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// At least one unsat, none sat.
    Unsat,
    /// At least one sat, none unsat; the first model.
    Sat(std::collections::BTreeMap<String, Q>),
    /// Nobody decided.
    Unknown(String),
    /// sat and unsat both said.
    Disagree(String),
}

/// Combines answers.
pub fn verdict(answers: &[(Solver, Answer, f64)]) -> Verdict {
    let unsat: Vec<_> = answers
        .iter()
        .filter(|a| a.1 == Answer::Unsat)
        .map(|a| a.0.name)
        .collect();
    let sat: Vec<_> = answers
        .iter()
        .filter_map(|a| match &a.1 {
            Answer::Sat(m) => Some((a.0.name, m.clone())),
            _ => None,
        })
        .collect();
    match (unsat.is_empty(), sat.first()) {
        (false, Some((s, _))) => Verdict::Disagree(format!(
            "solvers disagree: {} unsat, {s} sat",
            unsat.join(", ")
        )),
        (false, None) => Verdict::Unsat,
        (true, Some((_, m))) => Verdict::Sat(m.clone()),
        (true, None) => Verdict::Unknown(
            answers
                .iter()
                .map(|a| format!("{} {}", a.0.name, a.1.word()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

fn write_query(dir: &Path, stem: &str, q: &Query) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::input(dir, format!("cannot create --emit-smt directory: {e}")))?;
    let path = dir.join(format!("{stem}.{}.smt2", q.name));
    std::fs::write(&path, q.text()).map_err(|e| Error::input(&path, format!("cannot write: {e}")))
}

/// A file-name stem for a problem: `dice-vs-jaccard.factor`.
pub fn stem(p: &Problem) -> String {
    let clean = |s: String| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    let kind = match p.claim {
        Claim::Factor(_) => "factor",
        Claim::Abs(_) => "abs",
        Claim::Ratio(..) => "ratio",
    };
    format!(
        "{}-vs-{}.{kind}",
        clean(p.target.spec()),
        clean(p.candidate.spec())
    )
}

/// Runs solvers on the problem's queries, splitting before giving up, and turns
/// a counterexample into a verified witness. `progress` is told each query name.
pub fn prove(p: &Problem, opts: &Options, progress: &dyn Fn(&str)) -> Result<Outcome> {
    if opts.solvers.is_empty() {
        return Err(missing_solvers_error());
    }
    let stem = stem(p);
    let mut reports: Vec<QueryReport> = Vec::new();
    let mut totals: Vec<(Solver, Vec<&'static str>, f64)> = opts
        .solvers
        .iter()
        .map(|s| (s.clone(), vec![], 0.0))
        .collect();
    let mut run =
        |q: &Query, totals: &mut Vec<(Solver, Vec<&'static str>, f64)>| -> Result<Verdict> {
            // What is sent (and emitted) is the query with its denominators
            // cleared, as for the registry obligations: implied by the
            // quotient form at every point, so its unsat proves the claim.
            let q = &q.cleared().unwrap_or_else(|| q.clone());
            if let Some(dir) = &opts.emit_dir {
                write_query(dir, &stem, q)?;
            }
            progress(&q.name);
            let answers = ask(&opts.solvers, q, opts.timeout_s);
            for (s, a, secs) in &answers {
                if let Some(t) = totals.iter_mut().find(|t| t.0.name == s.name) {
                    t.1.push(a.word());
                    t.2 += secs;
                }
            }
            reports.push(QueryReport {
                name: q.name.clone(),
                answers: answers
                    .iter()
                    .map(|(s, a, secs)| (s.name.to_string(), a.word().to_string(), *secs))
                    .collect(),
            });
            Ok(verdict(&answers))
        };
    let mut notes =
        vec!["encoding: counts as non-negative reals, denominators cleared".to_string()];
    let mut proved_all = true;
    let mut unknown_reason: Option<String> = None;
    let mut witness: Option<Vec<Counts>> = None;
    let mut plan = p.queries()?;
    if let Some(c) = witness::estimate_scale(p) {
        // Try the fixed-scale lemma first; keep the spread query only if it fails.
        let lemma = p.queries_with(Some(&c))?;
        let mut proved = true;
        for (q, _) in &lemma {
            if run(q, &mut totals)? != Verdict::Unsat {
                proved = false;
                break;
            }
        }
        if proved {
            notes.push(format!(
                "factor proved through the fixed scale c = {} (c*candidate <= K*target and target <= K*c*candidate)",
                format_q(&c)
            ));
            plan.retain(|(q, _)| q.name != "spread");
        }
    }
    for (q, configs) in plan {
        let v = run(&q, &mut totals)?;
        let v = match v {
            Verdict::Unknown(r) => {
                // Split by the piecewise cases of configuration 1.
                let mut all = Verdict::Unsat;
                for (i, region) in regions(p)?.into_iter().enumerate() {
                    let mut sub = q.clone();
                    sub.name = format!("{}.case{}", q.name, i + 1);
                    sub.comments
                        .push(format!("case split {}: {}", i + 1, region.smt()));
                    sub.asserts.push(region);
                    match run(&sub, &mut totals)? {
                        Verdict::Unsat => {}
                        other => {
                            all = other;
                            break;
                        }
                    }
                }
                if all == Verdict::Unsat {
                    notes.push(format!("{} decided by case splits", q.name));
                } else if let Verdict::Unknown(_) = all {
                    all = Verdict::Unknown(r);
                }
                all
            }
            v => v,
        };
        match v {
            Verdict::Unsat => {}
            Verdict::Disagree(d) => {
                proved_all = false;
                unknown_reason = Some(format!("{d} on query {}; not a proof", q.name));
                break;
            }
            Verdict::Unknown(r) => {
                proved_all = false;
                unknown_reason.get_or_insert(format!("query {}: {r}", q.name));
            }
            Verdict::Sat(model) => {
                // The smallest witness if there is one on few voxels, else the
                // solver's model made integer.
                if let Some(w) = witness::enumerate(p, 24) {
                    witness = Some(w);
                    notes.push(format!(
                        "{} sat; smallest witness from enumerating n <= 24",
                        q.name
                    ));
                    break;
                }
                if let Some(w) = witness::from_model(p, &model, configs) {
                    witness = Some(w);
                    notes.push(format!("witness from the {} model", q.name));
                    break;
                }
                // Ask again with integer counts.
                let qi = q.over_integers();
                match run(&qi, &mut totals)? {
                    Verdict::Sat(m) => {
                        if let Some(w) = witness::from_model(p, &m, configs) {
                            witness = Some(w);
                            notes.push(format!("witness from the integer model of {}", q.name));
                            break;
                        }
                    }
                    Verdict::Unsat => {
                        notes.push(format!(
                            "{}: counterexample over the reals only; unsat with integer counts",
                            q.name
                        ));
                        continue;
                    }
                    _ => {}
                }
                proved_all = false;
                unknown_reason.get_or_insert(format!(
                    "query {} has a counterexample over the reals that did not round to a verified integer one",
                    q.name
                ));
            }
        }
    }
    let status = if witness.is_none() && !proved_all {
        progress("searching for an integer witness");
        witness = witness::enumerate(p, 24).or_else(|| witness::search(p, opts.timeout_s.min(5.0)));
        if witness.is_some() {
            notes.push("witness from enumeration/search".into());
        }
        if witness.is_some() {
            Status::Refuted
        } else {
            Status::Unknown
        }
    } else if witness.is_some() {
        Status::Refuted
    } else {
        Status::Proved
    };
    let witnesses = match &witness {
        Some(w) if status == Status::Refuted => {
            let (w, steps) = witness::shrink(p, w.clone());
            if steps > 0 {
                notes.push(format!("witness shrunk in {steps} steps"));
            }
            w.iter()
                .map(|c| {
                    let (t, k) = witness::values(p, c).unwrap_or_default();
                    WitnessReport {
                        n: c.n(),
                        tp: c.tp,
                        fp: c.fp,
                        fn_: c.fn_,
                        tn: c.tn,
                        target: format_q(&t),
                        candidate: format_q(&k),
                    }
                })
                .collect()
        }
        _ => vec![],
    };
    if status == Status::Unknown {
        notes.push(unknown_reason.unwrap_or_else(|| "no solver decided".into()));
    }
    let (_, missing) = solver::installed();
    for (name, package) in missing {
        notes.push(format!(
            "{name} not found: apt-get install {package} for a second opinion"
        ));
    }
    Ok(Outcome {
        target: p.target.spec(),
        candidate: p.candidate.spec(),
        claim: p.claim.describe(),
        status,
        solvers: totals
            .into_iter()
            .map(|(s, _, secs)| {
                let (answer, stages) = staged(&reports, s.name);
                SolverReport {
                    name: s.name.into(),
                    version: s.version,
                    answer,
                    stages,
                    seconds: (secs * 1000.0).round() / 1000.0,
                }
            })
            .collect(),
        witnesses,
        smt: opts.emit_dir.as_ref().map(|d| d.display().to_string()),
        note: notes.join("; "),
        queries: reports,
    })
}

/// One solver's answer per part, with the later stages of a part (its case
/// splits `P.caseK`, its integer re-query `P.int`) deciding over the first: a
/// part that timed out but whose every case is unsat is unsat, and a part sat
/// over the reals but unsat over the integers is unsat. Returns the overall
/// answer ([`overall`] of the parts) and one line per multi-stage part.
pub(crate) fn staged(reports: &[QueryReport], solver: &str) -> (String, Vec<String>) {
    let word = |r: &QueryReport| {
        r.answers
            .iter()
            .find(|a| a.0 == solver)
            .map_or("-", |a| match a.1.as_str() {
                "sat" => "sat",
                "unsat" => "unsat",
                "timeout" => "timeout",
                "stopped" => "stopped",
                _ => "unknown",
            })
    };
    let mut parts: Vec<&'static str> = Vec::new();
    let mut stages = Vec::new();
    for r in reports {
        let name = r.name.as_str();
        if name.ends_with(".int") || name.contains(".case") {
            continue;
        }
        let first = word(r);
        let cases: Vec<&'static str> = reports
            .iter()
            .filter(|c| {
                c.name
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with(".case"))
            })
            .map(word)
            .collect();
        let int = reports
            .iter()
            .find(|c| c.name == format!("{name}.int"))
            .map(word);
        let mut last = first;
        if !cases.is_empty() {
            last = if cases.iter().all(|w| *w == "unsat") {
                "unsat"
            } else {
                cases.iter().copied().find(|w| *w != "unsat").unwrap_or("-")
            };
            stages.push(format!(
                "{name}: {first} as one query, {} by {} case splits",
                if last == "unsat" { "unsat" } else { last },
                cases.len()
            ));
        }
        if let Some(i) = int {
            stages.push(format!(
                "{name}: {first} over the reals, {i} over the integers"
            ));
            last = i;
        }
        parts.push(last);
    }
    (overall(&parts), stages)
}

pub(crate) fn overall(words: &[&str]) -> String {
    for w in ["sat", "timeout", "unknown", "stopped"] {
        if words.contains(&w) {
            return w.into();
        }
    }
    if words.is_empty() {
        "-".into()
    } else {
        "unsat".into()
    }
}

/// The error when no solver is installed: which Debian packages to install.
pub fn missing_solvers_error() -> Error {
    Error::invalid(
        "no SMT solver found on PATH: `prove` needs z3 or cvc5 (both for a second opinion); \
         install the Debian packages with `apt-get install z3 cvc5`",
    )
}
