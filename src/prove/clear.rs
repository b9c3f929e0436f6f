//! Clearing denominators: a query whose comparisons are between polynomials, for
//! solvers whose nonlinear engine cannot reason through divisions.
//!
//! Why: cvc5 1.0.3 as Debian builds it has no cylindrical algebraic coverings
//! (`--nl-cov`), only incremental linearization, which refines products with
//! sign and tangent lemmas but learns almost nothing from `x·d = n`. Given
//! `J > 2·D` with the Dice and Jaccard losses as quotients (or as variables
//! constrained by their cross-multiplied definitions, [`Query::purified`]), it
//! times out after minutes; given the one polynomial inequality that the
//! comparison means once both sides are multiplied by their (positive)
//! denominators, it answers unsat in milliseconds. z3 decides both forms.
//!
//! The transformation, per comparison `a op b` of the negated claim:
//!
//! 1. definitions that divide or branch are inlined, and an `ite(c, x, y)`
//!    inside a comparison is lifted out, `(c ∧ cmp[x]) ∨ (¬c ∧ cmp[y])`;
//! 2. each side becomes a numerator and a list of denominator factors
//!    (`a = na/Πfa`), structurally, with factors shared by summands not repeated;
//! 3. `a op b` becomes `na·Πfb op nb·Πfa`, which is equivalent when every factor
//!    is positive. The positivity is not assumed: where the comparison occurs
//!    positively the query gets `f₁ ≤ 0 ∨ … ∨ cleared`, negatively
//!    `f₁ > 0 ∧ … ∧ cleared`. So the new query is implied by the old one at
//!    every point (its unsat still proves the claim), and the solver itself
//!    discharges the positivity from the domain's hypotheses.
//!
//! The tests evaluate both queries exactly at random points: every assertion
//! of the original implies its cleared form everywhere, and they agree on the
//! domain.

use super::query::Query;
use super::term::Term;
use crate::exact::Q;
use num_traits::{Signed, Zero};

/// `num / Π factors`.
#[derive(Clone, Debug)]
struct Ratio {
    num: Term,
    den: Vec<Term>,
}

fn product(mut xs: Vec<Term>) -> Term {
    match xs.len() {
        0 => Term::int(1),
        1 => xs.remove(0),
        _ => Term::Mul(xs),
    }
}

/// The factors of `all` left after removing one copy of each of `part`.
fn without(all: &[Term], part: &[Term]) -> Vec<Term> {
    let mut rest = all.to_vec();
    for p in part {
        if let Some(i) = rest.iter().position(|r| r == p) {
            rest.remove(i);
        }
    }
    rest
}

/// The smallest multiset of factors containing each of `dens`.
fn common(dens: &[&Vec<Term>]) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    for d in dens {
        let extra = without(d, &out);
        out.extend(extra);
    }
    out
}

fn ratio(t: &Term) -> Option<Ratio> {
    let plain = |t: &Term| Ratio {
        num: t.clone(),
        den: vec![],
    };
    Some(match t {
        Term::Num(_) | Term::Var(_) => plain(t),
        Term::Add(xs) => {
            let rs: Vec<Ratio> = xs.iter().map(ratio).collect::<Option<_>>()?;
            let den = common(&rs.iter().map(|r| &r.den).collect::<Vec<_>>());
            let num = Term::Add(
                rs.into_iter()
                    .map(|r| {
                        let rest = without(&den, &r.den);
                        if rest.is_empty() {
                            r.num
                        } else {
                            product([vec![r.num], rest].concat())
                        }
                    })
                    .collect(),
            );
            Ratio { num, den }
        }
        Term::Sub(a, b) => {
            let (ra, rb) = (ratio(a)?, ratio(b)?);
            let den = common(&[&ra.den, &rb.den]);
            let scale = |r: Ratio| {
                let rest = without(&den, &r.den);
                if rest.is_empty() {
                    r.num
                } else {
                    product([vec![r.num], rest].concat())
                }
            };
            Ratio {
                num: scale(ra).sub(scale(rb)),
                den,
            }
        }
        Term::Mul(xs) => {
            let rs: Vec<Ratio> = xs.iter().map(ratio).collect::<Option<_>>()?;
            let mut num = Vec::new();
            let mut den = Vec::new();
            for r in rs {
                match r.num {
                    Term::Mul(fs) => num.extend(fs),
                    other => num.push(other),
                }
                den.extend(r.den);
            }
            // Cancel a factor standing in both (n·(x/n) = x): the quotient is
            // only defined where the factor is non-zero.
            let mut i = 0;
            while i < num.len() {
                if let Some(j) = den.iter().position(|d| d == &num[i]) {
                    den.remove(j);
                    num.remove(i);
                } else {
                    i += 1;
                }
            }
            Ratio {
                num: product(num),
                den,
            }
        }
        Term::Div(a, b) => {
            let (ra, rb) = (ratio(a)?, ratio(b)?);
            // a/b = na·Πfb / (Πfa · nb); a negative constant divisor moves its
            // sign to the numerator, a positive one stays a (trivial) factor.
            let (mut num, mut den) = (product([vec![ra.num], rb.den].concat()), ra.den);
            match &rb.num {
                Term::Num(c) if c.is_zero() => return None,
                Term::Num(c) if c.is_negative() => {
                    num = Term::int(-1).mul(num);
                    den.push(Term::q(&-c));
                }
                other => den.push(other.clone()),
            }
            Ratio { num, den }
        }
        Term::Ite(..)
        | Term::Cmp(..)
        | Term::And(_)
        | Term::Or(_)
        | Term::Not(_)
        | Term::Bool(_) => return None,
    })
}

/// The first `ite` inside a real term.
fn first_ite(t: &Term) -> Option<(Term, Term, Term)> {
    match t {
        Term::Ite(c, a, b) => Some(((**c).clone(), (**a).clone(), (**b).clone())),
        Term::Add(xs) | Term::Mul(xs) => xs.iter().find_map(first_ite),
        Term::Sub(a, b) | Term::Div(a, b) => first_ite(a).or_else(|| first_ite(b)),
        _ => None,
    }
}

/// `t` with the first `ite` replaced by `by`.
fn replace_first_ite(t: &Term, by: &Term) -> (Term, bool) {
    match t {
        Term::Ite(..) => (by.clone(), true),
        Term::Add(xs) | Term::Mul(xs) => {
            let mut done = false;
            let ys = xs
                .iter()
                .map(|x| {
                    if done {
                        x.clone()
                    } else {
                        let (y, d) = replace_first_ite(x, by);
                        done = d;
                        y
                    }
                })
                .collect();
            (
                if matches!(t, Term::Add(_)) {
                    Term::Add(ys)
                } else {
                    Term::Mul(ys)
                },
                done,
            )
        }
        Term::Sub(a, b) | Term::Div(a, b) => {
            let (x, d) = replace_first_ite(a, by);
            let (y, d2) = if d {
                ((**b).clone(), false)
            } else {
                replace_first_ite(b, by)
            };
            let r = if matches!(t, Term::Sub(..)) {
                x.sub(y)
            } else {
                x.div(y)
            };
            (r, d || d2)
        }
        _ => (t.clone(), false),
    }
}

/// Whether a term divides or branches (what [`Query::cleared`] rewrites).
pub(crate) fn has_division(t: &Term) -> bool {
    match t {
        Term::Div(..) | Term::Ite(..) => true,
        Term::Add(xs) | Term::Mul(xs) | Term::And(xs) | Term::Or(xs) => xs.iter().any(has_division),
        Term::Sub(a, b) | Term::Cmp(_, a, b) => has_division(a) || has_division(b),
        Term::Not(a) => has_division(a),
        Term::Num(_) | Term::Var(_) | Term::Bool(_) => false,
    }
}

fn positive_constant(t: &Term) -> bool {
    matches!(t, Term::Num(c) if c > &Q::zero())
}

/// The cleared form of a Boolean term occurring with polarity `positive`.
fn clear(t: &Term, positive: bool) -> Option<Term> {
    Some(match t {
        Term::And(xs) => Term::And(
            xs.iter()
                .map(|x| clear(x, positive))
                .collect::<Option<_>>()?,
        ),
        Term::Or(xs) => Term::Or(
            xs.iter()
                .map(|x| clear(x, positive))
                .collect::<Option<_>>()?,
        ),
        Term::Not(a) => clear(a, !positive)?.not(),
        Term::Bool(_) => t.clone(),
        Term::Cmp(op, a, b) => {
            let op: &'static str = op;
            let whole = Term::Cmp(op, a.clone(), b.clone());
            if let Some((c, x, y)) = first_ite(&whole_sides(a, b)) {
                if has_division(&c) {
                    return None;
                }
                let pick = |v: &Term| {
                    let (a2, d) = replace_first_ite(a, v);
                    let b2 = if d {
                        (**b).clone()
                    } else {
                        replace_first_ite(b, v).0
                    };
                    Term::Cmp(op, Box::new(a2), Box::new(b2))
                };
                let lifted = Term::or(vec![
                    Term::and(vec![c.clone(), pick(&x)]),
                    Term::and(vec![c.not(), pick(&y)]),
                ]);
                return clear(&lifted, positive);
            }
            if !has_division(&whole) {
                return Some(whole);
            }
            let (ra, rb) = (ratio(a)?, ratio(b)?);
            // Multiply both sides by the common denominator C: a·C = na·(C/Πfa).
            let den = common(&[&ra.den, &rb.den]);
            let lhs = simplify(&product([vec![ra.num], without(&den, &ra.den)].concat()));
            let rhs = simplify(&product([vec![rb.num], without(&den, &rb.den)].concat()));
            let cleared = Term::Cmp(op, Box::new(lhs), Box::new(rhs));
            let mut factors: Vec<Term> = Vec::new();
            for f in den {
                if !positive_constant(&f) && !factors.contains(&f) {
                    factors.push(f);
                }
            }
            if positive {
                let mut parts: Vec<Term> =
                    factors.into_iter().map(|f| f.le(Term::int(0))).collect();
                parts.push(cleared);
                Term::or(parts)
            } else {
                let mut parts: Vec<Term> =
                    factors.into_iter().map(|f| f.gt(Term::int(0))).collect();
                parts.push(cleared);
                Term::and(parts)
            }
        }
        _ => return None,
    })
}

/// Drops products by 1 and sums of 0, folds products with a factor 0 to 0.
fn simplify(t: &Term) -> Term {
    let is = |t: &Term, v: i64| matches!(t, Term::Num(c) if *c == Q::from_integer(v.into()));
    match t {
        Term::Mul(xs) => {
            let ys: Vec<Term> = xs.iter().map(simplify).filter(|y| !is(y, 1)).collect();
            if ys.iter().any(|y| is(y, 0)) {
                Term::int(0)
            } else {
                product(ys)
            }
        }
        Term::Add(xs) => {
            let ys: Vec<Term> = xs.iter().map(simplify).filter(|y| !is(y, 0)).collect();
            match ys.len() {
                0 => Term::int(0),
                1 => ys.into_iter().next().unwrap_or_else(|| Term::int(0)),
                _ => Term::Add(ys),
            }
        }
        Term::Sub(a, b) => {
            let (a, b) = (simplify(a), simplify(b));
            if is(&b, 0) {
                a
            } else {
                a.sub(b)
            }
        }
        _ => t.clone(),
    }
}

fn whole_sides(a: &Term, b: &Term) -> Term {
    a.clone().sub(b.clone())
}

/// Whether `t` uses one of the definitions.
fn mentions(t: &Term, defs: &[(String, Term)]) -> bool {
    match t {
        Term::Var(v) => defs.iter().any(|d| &d.0 == v),
        Term::Num(_) | Term::Bool(_) => false,
        Term::Add(xs) | Term::Mul(xs) | Term::And(xs) | Term::Or(xs) => {
            xs.iter().any(|x| mentions(x, defs))
        }
        Term::Sub(a, b) | Term::Div(a, b) | Term::Cmp(_, a, b) => {
            mentions(a, defs) || mentions(b, defs)
        }
        Term::Not(a) => mentions(a, defs),
        Term::Ite(c, a, b) => mentions(c, defs) || mentions(a, defs) || mentions(b, defs),
    }
}

/// `t` with the named definitions substituted (recursively: a body may use
/// earlier definitions).
pub(crate) fn inline(t: &Term, defs: &[(String, Term)]) -> Term {
    t.map_vars(&|v| {
        defs.iter()
            .find(|d| d.0 == v)
            .map(|(_, body)| inline(body, defs))
    })
}

impl Query {
    /// The query with its denominators cleared (see the module docs), or `None`
    /// when a term is outside the translated fragment (a branch condition that
    /// divides, a division by the constant 0). Definitions that neither divide
    /// nor branch stay definitions; the others are inlined.
    pub fn cleared(&self) -> Option<Query> {
        let mut inlined: Vec<(String, Term)> = Vec::new();
        let mut keep: Vec<(String, Term)> = Vec::new();
        for (name, body) in &self.defs {
            if has_division(body) || mentions(body, &inlined) {
                inlined.push((name.clone(), body.clone()));
            } else {
                keep.push((name.clone(), body.clone()));
            }
        }
        // Bodies of inlined definitions may use other inlined ones.
        let mut q = self.clone();
        q.defs = keep;
        q.asserts = self
            .asserts
            .iter()
            .map(|a| clear(&inline(a, &inlined), true))
            .collect::<Option<_>>()?;
        q.comments
            .push("denominators cleared: a/b op c/d as a*d op c*b, each denominator's positivity left to the solver".into());
        Some(q)
    }
}

/// A small deterministic generator for the faithfulness tests.
#[cfg(test)]
pub(crate) struct TestRng(pub u64);

#[cfg(test)]
impl TestRng {
    /// A value in `0..m`.
    pub(crate) fn next(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % m
    }
}

/// The cleared form of `orig` against `orig`, assertion by assertion, at
/// `draws` random points: an assertion of the original implies its cleared
/// form everywhere (so unsat of the cleared query proves what the original
/// says), and on the domain (every division-free inequality hypothesis true)
/// the two agree. Used for the registry obligations and for `prove`'s own
/// queries, which are sent cleared too.
#[cfg(test)]
pub(crate) fn assert_faithful(orig: &Query, claim: &str, draws: usize, rng: &mut TestRng) {
    use super::term::Val;
    let cleared = orig
        .cleared()
        .unwrap_or_else(|| panic!("{claim}.{} does not clear", orig.name));
    assert_eq!(orig.asserts.len(), cleared.asserts.len());
    let (mut on_domain, mut decided) = (0, 0);
    for _ in 0..draws {
        let mut eo = orig.env();
        let mut ec = cleared.env();
        for (name, _) in &orig.decls {
            // Small counts and weights, some fractions, and zeros
            // often enough that degenerate cases (every distance to
            // a base point 0) are sampled.
            let num = if rng.next(3) == 0 {
                0
            } else {
                rng.next(9) as i64
            };
            let x = Q::new(num.into(), (1 + rng.next(3) as i64).into());
            eo.values.insert(name.clone(), x.clone());
            ec.values.insert(name.clone(), x);
        }
        // The domain: hypotheses that clearing leaves alone, except
        // equations (s*s = 2 has no rational solution) and the
        // negated claim itself (last).
        let last = orig.asserts.len() - 1;
        let domain = orig
            .asserts
            .iter()
            .zip(&cleared.asserts)
            .enumerate()
            .all(|(i, (a, c))| {
                i == last
                    || a != c
                    || matches!(a, Term::Cmp("=", ..))
                    || a.eval(&eo) == Ok(Val::Bool(true))
            });
        for (a, c) in orig.asserts.iter().zip(&cleared.asserts) {
            let (va, vc) = (a.eval(&eo), c.eval(&ec));
            if va == Ok(Val::Bool(true)) {
                assert_eq!(vc, va, "{claim}.{}: {} -> {}", orig.name, a.smt(), c.smt());
            }
            if domain && va.is_ok() {
                assert_eq!(vc, va, "{claim}.{}: {} -> {}", orig.name, a.smt(), c.smt());
                decided += usize::from(a != c);
            }
        }
        on_domain += usize::from(domain);
    }
    assert!(
        on_domain > 0,
        "{claim}.{}: no sample on the domain",
        orig.name
    );
    if orig.asserts != cleared.asserts {
        assert!(
            decided > 0,
            "{claim}.{}: no cleared assertion compared",
            orig.name
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prove::term::Val;

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    #[test]
    fn clearing_keeps_the_meaning_where_denominators_are_positive() {
        let x = || Term::var("x");
        let y = || Term::var("y");
        // x/(x + y) > 1/2 − 1/(y + 1), under a branch.
        let lhs = Term::ite(x().eq(Term::int(0)), Term::int(0), x().div(x().add(y())));
        let rhs = Term::q(&q(1, 2)).sub(Term::int(1).div(y().add(Term::int(1))));
        let atom = lhs.gt(rhs);
        for t in [atom.clone(), atom.clone().not()] {
            let c = clear(&t, true).unwrap();
            for (a, b) in [(0, 1), (1, 1), (3, 5), (7, 2), (2, 9), (1, 0)] {
                let mut env = crate::prove::term::Env::default();
                env.values.insert("x".into(), q(a, 1));
                env.values.insert("y".into(), q(b, 1));
                assert_eq!(t.eval(&env), c.eval(&env), "{} at {a},{b}", c.smt());
            }
            // With a non-positive denominator the cleared form is only weaker.
            let mut env = crate::prove::term::Env::default();
            env.values.insert("x".into(), q(2, 1));
            env.values.insert("y".into(), q(-5, 1));
            if t.eval(&env) == Ok(Val::Bool(true)) {
                assert_eq!(c.eval(&env), Ok(Val::Bool(true)));
            }
        }
    }
}
