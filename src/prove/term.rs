//! SMT-LIB 2 terms over the reals: the one type every query is built from, its
//! printer, and a small exact evaluator.
//!
//! Why an evaluator of our own: the translation from measures to SMT is tested, not
//! trusted. The differential test evaluates the very terms that are printed into
//! the query files, with exact rationals, on enumerated and random configurations,
//! and requires them to equal the exact engine. Division follows SMT-LIB only where
//! it matters to us: a term never divides by zero on the region its `ite` guard
//! selects, and the evaluator reports a division by zero as an error rather than
//! inventing a value.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use num_traits::{Signed, Zero};

use crate::exact::Q;

/// A real or Boolean SMT-LIB term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Term {
    /// A rational constant.
    Num(Q),
    /// A declared or defined symbol.
    Var(String),
    /// Sum.
    Add(Vec<Term>),
    /// Product.
    Mul(Vec<Term>),
    /// Difference.
    Sub(Box<Term>, Box<Term>),
    /// Quotient.
    Div(Box<Term>, Box<Term>),
    /// If-then-else.
    Ite(Box<Term>, Box<Term>, Box<Term>),
    /// Comparison `(op a b)` with op one of `=`, `<=`, `<`, `>=`, `>`.
    Cmp(&'static str, Box<Term>, Box<Term>),
    /// Conjunction.
    And(Vec<Term>),
    /// Disjunction.
    Or(Vec<Term>),
    /// Negation.
    Not(Box<Term>),
    /// A Boolean constant.
    Bool(bool),
}

/// Shorthands that keep query code readable. They build terms, so `add`, `eq`,
/// `not` and the rest are deliberately not the operator traits (`eq` returns a
/// Boolean *term*, not a `bool`).
#[allow(clippy::should_implement_trait)]
impl Term {
    /// A variable.
    pub fn var(name: impl Into<String>) -> Term {
        Term::Var(name.into())
    }
    /// An integer constant.
    pub fn int(v: i64) -> Term {
        Term::Num(Q::from_integer(v.into()))
    }
    /// A rational constant.
    pub fn q(v: &Q) -> Term {
        Term::Num(v.clone())
    }
    /// a + b.
    pub fn add(self, o: Term) -> Term {
        Term::Add(vec![self, o])
    }
    /// a · b.
    pub fn mul(self, o: Term) -> Term {
        Term::Mul(vec![self, o])
    }
    /// a − b.
    pub fn sub(self, o: Term) -> Term {
        Term::Sub(Box::new(self), Box::new(o))
    }
    /// a / b.
    pub fn div(self, o: Term) -> Term {
        Term::Div(Box::new(self), Box::new(o))
    }
    fn cmp(op: &'static str, a: Term, b: Term) -> Term {
        Term::Cmp(op, Box::new(a), Box::new(b))
    }
    /// a = b.
    pub fn eq(self, o: Term) -> Term {
        Term::cmp("=", self, o)
    }
    /// a ≤ b.
    pub fn le(self, o: Term) -> Term {
        Term::cmp("<=", self, o)
    }
    /// a < b.
    pub fn lt(self, o: Term) -> Term {
        Term::cmp("<", self, o)
    }
    /// a ≥ b.
    pub fn ge(self, o: Term) -> Term {
        Term::cmp(">=", self, o)
    }
    /// a > b.
    pub fn gt(self, o: Term) -> Term {
        Term::cmp(">", self, o)
    }
    /// ¬a.
    pub fn not(self) -> Term {
        Term::Not(Box::new(self))
    }
    /// if c then a else b.
    pub fn ite(c: Term, a: Term, b: Term) -> Term {
        Term::Ite(Box::new(c), Box::new(a), Box::new(b))
    }
    /// Conjunction, simplified when it has fewer than two parts.
    pub fn and(mut parts: Vec<Term>) -> Term {
        match parts.len() {
            0 => Term::Bool(true),
            1 => parts.remove(0),
            _ => Term::And(parts),
        }
    }
    /// Disjunction, simplified when it has fewer than two parts.
    pub fn or(mut parts: Vec<Term>) -> Term {
        match parts.len() {
            0 => Term::Bool(false),
            1 => parts.remove(0),
            _ => Term::Or(parts),
        }
    }
}

impl Term {
    /// The term with each variable for which `f` returns a term replaced by it
    /// (the replacement is not visited again): the one traversal behind
    /// inlining definitions ([`super::clear`]) and substituting a lemma's
    /// variables ([`super::chain`]).
    pub fn map_vars(&self, f: &dyn Fn(&str) -> Option<Term>) -> Term {
        let go = |x: &Term| x.map_vars(f);
        match self {
            Term::Var(v) => f(v).unwrap_or_else(|| self.clone()),
            Term::Num(_) | Term::Bool(_) => self.clone(),
            Term::Add(xs) => Term::Add(xs.iter().map(go).collect()),
            Term::Mul(xs) => Term::Mul(xs.iter().map(go).collect()),
            Term::And(xs) => Term::And(xs.iter().map(go).collect()),
            Term::Or(xs) => Term::Or(xs.iter().map(go).collect()),
            Term::Sub(a, b) => go(a).sub(go(b)),
            Term::Div(a, b) => go(a).div(go(b)),
            Term::Cmp(op, a, b) => Term::Cmp(op, Box::new(go(a)), Box::new(go(b))),
            Term::Not(a) => go(a).not(),
            Term::Ite(c, a, b) => Term::ite(go(c), go(a), go(b)),
        }
    }
}

/// A rational as an SMT-LIB real: `3.0`, `(/ 3.0 4.0)`, `(- 3.0)`.
pub fn real_literal(q: &Q) -> String {
    let body = |q: &Q| {
        if q.is_integer() {
            format!("{}.0", q.numer())
        } else {
            format!("(/ {}.0 {}.0)", q.numer(), q.denom())
        }
    };
    if q.is_negative() {
        format!("(- {})", body(&-q))
    } else {
        body(q)
    }
}

impl Term {
    /// The SMT-LIB 2 text.
    pub fn smt(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, s: &mut String) {
        let list = |s: &mut String, op: &str, xs: &[&Term]| {
            let _ = write!(s, "({op}");
            for x in xs {
                s.push(' ');
                x.write(s);
            }
            s.push(')');
        };
        match self {
            Term::Num(q) => s.push_str(&real_literal(q)),
            Term::Var(v) => s.push_str(v),
            Term::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
            Term::Add(xs) => list(s, "+", &xs.iter().collect::<Vec<_>>()),
            Term::Mul(xs) => list(s, "*", &xs.iter().collect::<Vec<_>>()),
            Term::And(xs) => list(s, "and", &xs.iter().collect::<Vec<_>>()),
            Term::Or(xs) => list(s, "or", &xs.iter().collect::<Vec<_>>()),
            Term::Sub(a, b) => list(s, "-", &[a, b]),
            Term::Div(a, b) => list(s, "/", &[a, b]),
            Term::Cmp(op, a, b) => list(s, op, &[a, b]),
            Term::Not(a) => list(s, "not", &[a]),
            Term::Ite(c, a, b) => list(s, "ite", &[c, a, b]),
        }
    }
}

/// A value of the evaluator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// A real.
    Real(Q),
    /// A Boolean.
    Bool(bool),
}

/// Symbols for [`Term::eval`]: declared variables bound to values, defined
/// functions (nullary) bound to their bodies.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// Values of declared constants.
    pub values: BTreeMap<String, Q>,
    /// Bodies of `define-fun`s.
    pub defs: BTreeMap<String, Term>,
}

impl Term {
    /// Exact value under `env`; an error names the unbound symbol, the division by
    /// zero or the sort mismatch.
    pub fn eval(&self, env: &Env) -> Result<Val, String> {
        let real = |t: &Term| match t.eval(env)? {
            Val::Real(q) => Ok(q),
            Val::Bool(_) => Err(format!("{} is Boolean, expected a real", t.smt())),
        };
        let boolean = |t: &Term| match t.eval(env)? {
            Val::Bool(b) => Ok(b),
            Val::Real(_) => Err(format!("{} is real, expected a Boolean", t.smt())),
        };
        Ok(match self {
            Term::Num(q) => Val::Real(q.clone()),
            Term::Bool(b) => Val::Bool(*b),
            Term::Var(v) => match (env.values.get(v), env.defs.get(v)) {
                (Some(q), _) => Val::Real(q.clone()),
                (None, Some(t)) => t.eval(env)?,
                _ => return Err(format!("unbound symbol {v}")),
            },
            Term::Add(xs) => {
                let mut s = Q::zero();
                for x in xs {
                    s += real(x)?;
                }
                Val::Real(s)
            }
            Term::Mul(xs) => {
                let mut s = Q::from_integer(1.into());
                for x in xs {
                    s *= real(x)?;
                }
                Val::Real(s)
            }
            Term::Sub(a, b) => Val::Real(real(a)? - real(b)?),
            Term::Div(a, b) => {
                let d = real(b)?;
                if d.is_zero() {
                    return Err(format!("division by zero in {}", self.smt()));
                }
                Val::Real(real(a)? / d)
            }
            Term::Ite(c, a, b) => {
                if boolean(c)? {
                    a.eval(env)?
                } else {
                    b.eval(env)?
                }
            }
            Term::Cmp(op, a, b) => {
                let (x, y) = (real(a)?, real(b)?);
                Val::Bool(match *op {
                    "=" => x == y,
                    "<=" => x <= y,
                    "<" => x < y,
                    ">=" => x >= y,
                    _ => x > y,
                })
            }
            Term::And(xs) => {
                let mut r = true;
                for x in xs {
                    r &= boolean(x)?;
                }
                Val::Bool(r)
            }
            Term::Or(xs) => {
                let mut r = false;
                for x in xs {
                    r |= boolean(x)?;
                }
                Val::Bool(r)
            }
            Term::Not(a) => Val::Bool(!boolean(a)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_smtlib_reals() {
        let q = |n: i64, d: i64| Q::new(n.into(), d.into());
        assert_eq!(real_literal(&q(3, 1)), "3.0");
        assert_eq!(real_literal(&q(-3, 4)), "(- (/ 3.0 4.0))");
        let t = Term::ite(
            Term::var("x").gt(Term::int(0)),
            Term::var("x").div(Term::q(&q(1, 2))),
            Term::int(1),
        );
        assert_eq!(t.smt(), "(ite (> x 0.0) (/ x (/ 1.0 2.0)) 1.0)");
        let mut env = Env::default();
        env.values.insert("x".into(), q(3, 1));
        assert_eq!(t.eval(&env), Ok(Val::Real(q(6, 1))));
        env.values.insert("x".into(), q(0, 1));
        assert_eq!(t.eval(&env), Ok(Val::Real(q(1, 1))));
        assert!(Term::int(1).div(Term::int(0)).eval(&env).is_err());
    }
}
