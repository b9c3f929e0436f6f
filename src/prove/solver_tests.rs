//! Tests that ask the solvers themselves: an `unsat` proves nothing if the
//! hypotheses are contradictory, and a solver that answers `unsat` to anything
//! proves nothing either. So every committed obligation without its negated
//! goal must be `sat` (non-vacuity), and a few representative obligations with
//! a wrong constant or a reversed inequality must be `sat` too (the mutants the
//! solver is expected to kill). They run when z3 is on PATH (CI installs it)
//! and print why they are skipped otherwise.

use super::query::Query;
use super::registry::{obligation, obligation_terms, CLAIMS};
use super::solver::{self, Answer, Solver};
use super::term::Term;
use crate::exact::Q;

fn z3() -> Option<Solver> {
    let found = solver::installed().0.into_iter().find(|s| s.name == "z3");
    if found.is_none() {
        eprintln!("skipped: z3 is not on PATH (apt-get install z3)");
    }
    found
}

fn answer(z3: &Solver, q: &Query) -> Answer {
    solver::run(z3, &q.text(), &[], 10.0, &|| false).0
}

/// The named queries that z3 does not find satisfiable, with its answer.
fn not_sat(z3: &Solver, queries: &[(String, Query)]) -> Vec<String> {
    queries
        .iter()
        .filter_map(|(name, q)| match answer(z3, q) {
            Answer::Sat(_) => None,
            other => Some(format!("{name}: hypotheses {}", other.word())),
        })
        .collect()
}

#[test]
fn every_obligation_has_satisfiable_hypotheses() {
    let Some(z3) = z3() else { return };
    let mut all: Vec<(String, Query)> = Vec::new();
    for claim in CLAIMS {
        for mut q in obligation(claim).unwrap().unwrap() {
            q.asserts.pop();
            all.push((format!("{claim}.{}", q.name), q));
        }
    }
    assert!(all.len() >= 61, "{} obligations", all.len());
    // Two at a time: the solvers are single-threaded processes.
    let (a, b) = all.split_at(all.len() / 2);
    let failures: Vec<String> = std::thread::scope(|s| {
        let h = s.spawn(|| not_sat(&z3, a));
        let mut f = not_sat(&z3, b);
        f.extend(h.join().unwrap());
        f
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The part `name` of `claim` with its last assertion (the negated goal)
/// replaced by `f` of it, cleared as committed.
fn mutant(claim: &str, name: &str, f: impl Fn(&mut Query)) -> Query {
    let mut q = obligation_terms(claim)
        .unwrap()
        .unwrap()
        .into_iter()
        .find(|q| q.name == name)
        .unwrap();
    f(&mut q);
    q.cleared().unwrap()
}

fn negated_goal(q: &mut Query) -> (&'static str, Term, Term) {
    match q.asserts.pop() {
        Some(Term::Cmp(op, a, b)) => (op, *a, *b),
        other => panic!("{}: negated goal {other:?}", q.name),
    }
}

#[test]
fn wrong_claims_are_satisfiable() {
    let Some(z3) = z3() else { return };
    let qq = |n: i64, d: i64| Term::q(&Q::new(n.into(), d.into()));
    let mutants = [
        // J <= (19/10)·D is false (the factor 2 is the supremum).
        mutant("dice-jaccard-relative", "upper", |q| {
            let (op, j, _) = negated_goal(q);
            q.asserts.push(Term::Cmp(
                op,
                Box::new(j),
                Box::new(qq(19, 10).mul(Term::var("dice"))),
            ));
        }),
        // J - D <= 0.1715 < 3 - 2√2 ≈ 0.171573 is false.
        mutant("dice-jaccard-absolute", "bound", |q| {
            let (op, gap, _) = negated_goal(q);
            q.asserts
                .push(Term::Cmp(op, Box::new(gap), Box::new(qq(1715, 10000))));
        }),
        // Supermodularity instead of submodularity.
        mutant("jaccard-submodular", "gain-fn", |q| {
            let (op, a, b) = negated_goal(q);
            assert_eq!(op, "<");
            q.asserts.push(a.gt(b));
        }),
        // The Tversky limit step with the smaller weight m in place of M.
        mutant("tversky-dice", "limit-upper", |q| {
            let (op, t, rhs) = negated_goal(q);
            let m = || Term::var("m");
            let swapped = super::chain::substitute(&rhs, &[("M".into(), m())]);
            assert_ne!(swapped, rhs);
            q.decls.push(("m".into(), super::query::Sort::Real));
            q.asserts.push(m().gt(Term::int(0)));
            q.asserts.push(m().lt(Term::var("M")));
            q.asserts
                .push(Term::Cmp(op, Box::new(t), Box::new(swapped)));
        }),
    ];
    for q in &mutants {
        let a = answer(&z3, q);
        assert!(
            matches!(a, Answer::Sat(_)),
            "mutant of {} is {}:\n{}",
            q.name,
            a.word(),
            q.text()
        );
    }
}
