//! Lemma chains as data: which earlier part a query assumes, and a check that
//! the assumption is exactly what that part proves.
//!
//! Why: several registry obligations are split into a lemma and steps, because
//! one query is beyond the solvers (cvc5 cannot find the square behind the
//! Dice–Jaccard gap; the Tversky per-n extremes time out as one query). A step
//! then *assumes* the lemma's conclusion. If that hypothesis were copied by
//! hand, a step's `unsat` would rest on an unchecked claim: change one constant
//! in it and the step may still be unsat while the chain proves nothing. So each
//! link is data ([`Use`]: the used part, a substitution, and which assertions
//! are the assumption), and [`check`] verifies on the term structure that
//!
//! - every used part exists among the claim's parts (each of which is an
//!   obligation of its own, proved by the solvers like any other);
//! - each assumed assertion, after expanding definitions and applying the
//!   substitution, is syntactically one conjunct of the used part's conclusion,
//!   the negation of its negated goal (its last assertion);
//! - the graph of uses has no cycle, so no part rests on itself.
//!
//! Hypotheses that are not another part's conclusion — definitions such as
//! `g = e - s*t` and general facts such as `s*s = 2` or `e^2 != 2t^2` on the
//! integers — are marked as [`Query::definitions`] instead. A definition `x = t`
//! of a declared `x` is read as that definition on both sides of a comparison
//! (the Steinhaus steps declare `u` with `u = …` where the lemma has a
//! `define-fun`), so a link cannot hide two different meanings of one name.
//!
//! What is not checked here: that the parts' remaining hypotheses fit together
//! (the composed statement is over the union of both parts' hypotheses, which
//! the non-vacuity test checks are satisfiable part by part), and that the cases
//! of a case split (`a <= b`, `a > b`) cover everything (read them in the file).
//! A claim is `proved` only when every one of its parts is, lemmas included
//! ([`super::registry::prove_claim`]).

use super::query::{Query, Use};
use super::term::Term;

/// The query's `define-fun`s and its definitions `x = t` of declared `x`.
fn definitions_of(q: &Query) -> Vec<(String, Term)> {
    let mut out = q.defs.clone();
    for &i in &q.definitions {
        if let Some(Term::Cmp("=", x, body)) = q.asserts.get(i) {
            if let Term::Var(x) = &**x {
                if q.decls.iter().any(|d| &d.0 == x) {
                    out.push((x.clone(), (**body).clone()));
                }
            }
        }
    }
    out
}

/// `t` with every definition of `q` expanded.
fn expand(t: &Term, q: &Query) -> Term {
    super::clear::inline(t, &definitions_of(q))
}

/// `t` with the variables of `map` replaced (once, not recursively).
pub(crate) fn substitute(t: &Term, map: &[(String, Term)]) -> Term {
    t.map_vars(&|v| map.iter().find(|m| m.0 == v).map(|m| m.1.clone()))
}

/// What a part proves: the negation of its negated goal (its last assertion),
/// with a double negation removed.
pub fn conclusion(q: &Query) -> Option<Term> {
    Some(match q.asserts.last()? {
        Term::Not(x) => (**x).clone(),
        other => other.clone().not(),
    })
}

fn conjuncts(t: Term) -> Vec<Term> {
    match t {
        Term::And(xs) => xs.into_iter().flat_map(conjuncts).collect(),
        other => vec![other],
    }
}

/// Checks one link of `user`; an error message per problem.
fn check_use(user: &Query, u: &Use, parts: &[Query], errors: &mut Vec<String>) {
    let at = format!("{} uses {}", user.name, u.part);
    let Some(used) = parts.iter().find(|p| p.name == u.part) else {
        errors.push(format!("{at}: no part {} in this claim", u.part));
        return;
    };
    if used.name == user.name {
        errors.push(format!("{at}: a part cannot use itself"));
        return;
    }
    if !u.subst.is_empty() && !u.instantiate.is_empty() {
        errors.push(format!("{at}: both a substitution and an instantiation"));
    }
    for (v, _) in &u.subst {
        if !used.decls.iter().any(|d| &d.0 == v) {
            errors.push(format!(
                "{at}: substituted {v} is not declared in {}",
                used.name
            ));
        }
    }
    for (v, _) in &u.instantiate {
        if !user.decls.iter().any(|d| &d.0 == v) {
            errors.push(format!(
                "{at}: instantiated {v} is not declared in {}",
                user.name
            ));
        }
    }
    if u.assumes.is_empty() {
        errors.push(format!("{at}: assumes no assertion"));
    }
    let Some(c) = conclusion(used) else {
        errors.push(format!("{at}: {} has no negated goal", used.name));
        return;
    };
    // The used conclusion in the user's terms, and each assumption in the same.
    let proved = conjuncts(expand(&substitute(&expand(&c, used), &u.subst), user));
    let goal = user.asserts.len().saturating_sub(1);
    for &i in &u.assumes {
        if i >= goal {
            errors.push(format!(
                "{at}: assertion {} is the negated goal or missing",
                i + 1
            ));
            continue;
        }
        if user.definitions.contains(&i) {
            errors.push(format!(
                "{at}: assertion {} is marked both a definition and a use",
                i + 1
            ));
        }
        let assumed = expand(
            &substitute(&expand(&user.asserts[i], user), &u.instantiate),
            used,
        );
        if !proved.contains(&assumed) {
            errors.push(format!(
                "{at}: assertion {} is {}, which is not a conjunct of what {} proves: {}",
                i + 1,
                assumed.smt(),
                used.name,
                proved
                    .iter()
                    .map(Term::smt)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
        }
    }
}

/// Checks every link among the parts of one claim: each used part exists, each
/// assumed assertion is (after definitions and the substitution) a conjunct of
/// the used part's conclusion, definitions and uses are distinct hypotheses,
/// and the uses form no cycle. Returns one message per problem; empty if the
/// chains hold.
pub fn check(parts: &[Query]) -> Vec<String> {
    let mut errors = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if parts[..i].iter().any(|q| q.name == p.name) {
            errors.push(format!("part {} appears twice", p.name));
        }
        let goal = p.asserts.len().saturating_sub(1);
        for &d in &p.definitions {
            if d >= goal {
                errors.push(format!(
                    "{}: definition {} is the negated goal or missing",
                    p.name,
                    d + 1
                ));
            }
        }
        // One assertion may be assumed by several uses: the cases of a split
        // lemma (Tversky's a <= b and a > b) each prove it.
        for u in &p.uses {
            check_use(p, u, parts, &mut errors);
        }
    }
    // No cycle: depth-first search with colours.
    fn visit(i: usize, parts: &[Query], colour: &mut [u8], errors: &mut Vec<String>) {
        colour[i] = 1;
        for u in &parts[i].uses {
            if let Some(j) = parts.iter().position(|p| p.name == u.part) {
                match colour[j] {
                    0 => visit(j, parts, colour, errors),
                    1 => errors.push(format!(
                        "cycle of uses through {} and {}",
                        parts[i].name, parts[j].name
                    )),
                    _ => {}
                }
            }
        }
        colour[i] = 2;
    }
    let mut colour = vec![0u8; parts.len()];
    for i in 0..parts.len() {
        if colour[i] == 0 {
            visit(i, parts, &mut colour, &mut errors);
        }
    }
    errors
}

/// The parts of a claim and whom they use, for `check --json` and the proof
/// files: `(part, [used parts])`, parts without uses included.
pub fn graph(parts: &[Query]) -> Vec<(String, Vec<String>)> {
    parts
        .iter()
        .map(|p| {
            let mut used: Vec<String> = p.uses.iter().map(|u| u.part.clone()).collect();
            used.dedup();
            (p.name.clone(), used)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::Q;
    use crate::prove::registry::{obligation_terms, CLAIMS};

    #[test]
    fn every_registry_link_assumes_what_the_used_part_proves() {
        let mut links = 0;
        for claim in CLAIMS {
            let parts = obligation_terms(claim).unwrap().unwrap();
            let errors = check(&parts);
            assert!(errors.is_empty(), "{claim}: {}", errors.join("\n"));
            links += parts.iter().map(|p| p.uses.len()).sum::<usize>();
        }
        // The chains of the Dice-Jaccard gap, Tversky and both Steinhaus lemmas.
        assert!(links >= 20, "only {links} links");
    }

    fn parts(claim: &str) -> Vec<Query> {
        obligation_terms(claim).unwrap().unwrap()
    }

    /// Replaces the first constant `from` in `t` by `to`.
    fn mutate(t: &Term, from: &Q, to: &Q, done: &mut bool) -> Term {
        match t {
            Term::Num(c) if !*done && c == from => {
                *done = true;
                Term::q(to)
            }
            Term::Add(xs) => Term::Add(xs.iter().map(|x| mutate(x, from, to, done)).collect()),
            Term::Mul(xs) => Term::Mul(xs.iter().map(|x| mutate(x, from, to, done)).collect()),
            Term::Sub(a, b) => {
                let a = mutate(a, from, to, done);
                a.sub(mutate(b, from, to, done))
            }
            Term::Cmp(op, a, b) => {
                let a = mutate(a, from, to, done);
                Term::Cmp(op, Box::new(a), Box::new(mutate(b, from, to, done)))
            }
            other => other.clone(),
        }
    }

    #[test]
    fn a_mutated_link_is_caught() {
        let q = |n: i64| Q::from_integer(n.into());
        // The Dice-Jaccard bound assumes bound-square's identity; its 3 as 4.
        let mut ps = parts("dice-jaccard-absolute");
        let bound = ps.iter().position(|p| p.name == "bound").unwrap();
        let i = ps[bound].uses[0].assumes[0];
        let mut done = false;
        ps[bound].asserts[i] = mutate(&ps[bound].asserts[i], &q(3), &q(4), &mut done);
        assert!(done);
        let errors = check(&ps);
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("bound uses bound-square")),
            "{errors:?}"
        );
        // A wrong substitution: e read as fp alone.
        let mut ps = parts("dice-jaccard-absolute");
        ps[bound].uses[0].subst = vec![("e".into(), Term::var("fp_1"))];
        assert!(!check(&ps).is_empty());
        // A Tversky step read with the wrong weight (m for M).
        let mut ps = parts("tversky-dice");
        let upper = ps.iter().position(|p| p.name == "limit-upper").unwrap();
        ps[upper].uses[0].instantiate = vec![("M".into(), Term::var("a"))];
        assert!(!check(&ps).is_empty());
        // A Steinhaus definition changed in the step only (u = ... + 1).
        let mut ps = parts("jaccard-metric");
        let generic = ps
            .iter()
            .position(|p| p.name == "steinhaus-generic")
            .unwrap();
        let d = ps[generic].definitions[1];
        if let Term::Cmp("=", x, body) = ps[generic].asserts[d].clone() {
            ps[generic].asserts[d] = (*x).eq(body.add(Term::int(1)));
        }
        assert!(!check(&ps).is_empty());
        // A missing part, a use of the negated goal, and a cycle.
        let mut ps = parts("dice-jaccard-absolute");
        ps[bound].uses[0].part = "bound-cube".into();
        assert!(check(&ps)[0].contains("no part bound-cube"));
        let mut ps = parts("dice-jaccard-absolute");
        ps[bound].uses[0].assumes = vec![ps[bound].asserts.len() - 1];
        assert!(check(&ps)[0].contains("negated goal"));
        let mut ps = parts("dice-jaccard-absolute");
        let square = ps.iter().position(|p| p.name == "bound-square").unwrap();
        let mut back = ps[bound].uses[0].clone();
        back.part = "bound".into();
        back.assumes = vec![0];
        ps[square].uses.push(back);
        assert!(check(&ps).iter().any(|e| e.starts_with("cycle")));
    }
}
