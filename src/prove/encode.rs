//! From a measure's [`Symbolic`] form to SMT terms: the loss of one configuration
//! as a nested `ite` over its cases, with the `--empty` policy filling in 0/0.
//!
//! Each configuration k of a query has its own count variables `tp_k fp_k fn_k
//! tn_k`. A case region is a union of cubes (`(= tp_1 0.0)`, `(> fp_1 0.0)`, …);
//! inside a `Ratio` region the denominator is positive (see
//! [`crate::measures::symbolic`]), so the `/` never divides by zero where the `ite`
//! selects it. Under the `one` and `zero` policies the 0/0 region gets the
//! policy's loss (0 and 1); under `nan` and `error` it has no value, and the
//! query excludes it with the [`Encoded::empty`] condition: the claim is then about
//! every configuration where both losses are defined.

use num_bigint::BigInt;
use num_traits::One;

use super::term::Term;
use crate::error::{Error, Result};
use crate::exact::Q;
use crate::measures::symbolic::{Cube, Piece, Poly, Symbolic, VARS};
use crate::measures::{EmptyPolicy, Measure};

/// The count variables of configuration `k`: `tp_k`, `fp_k`, `fn_k`, `tn_k`.
pub fn count_names(k: usize) -> [String; 4] {
    VARS.map(|v| format!("{v}_{k}"))
}

/// A polynomial as a term over the given variables.
pub fn poly_term(p: &Poly, vars: &[Term; 4]) -> Term {
    let mut sum = Vec::new();
    for (e, c) in p.terms() {
        let mut factors = Vec::new();
        if !c.is_one() {
            factors.push(Term::Num(Q::from_integer(c.clone())));
        }
        for (i, v) in vars.iter().enumerate() {
            for _ in 0..e[i] {
                factors.push(v.clone());
            }
        }
        sum.push(match factors.len() {
            0 => Term::Num(Q::from_integer(BigInt::one())),
            1 => factors.remove(0),
            _ => Term::Mul(factors),
        });
    }
    match sum.len() {
        0 => Term::int(0),
        1 => sum.remove(0),
        _ => Term::Add(sum),
    }
}

/// The condition of a cube.
pub fn cube_term(c: &Cube, vars: &[Term; 4]) -> Term {
    Term::and(
        (0..4)
            .filter_map(|i| {
                c.0[i].map(|zero| {
                    if zero {
                        vars[i].clone().eq(Term::int(0))
                    } else {
                        vars[i].clone().gt(Term::int(0))
                    }
                })
            })
            .collect(),
    )
}

/// One measure at one configuration.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// The loss.
    pub value: Term,
    /// Where the formula is 0/0 (`false` if nowhere).
    pub empty: Term,
    /// The case regions (special cases, then the generic one as the negation of
    /// all), for splitting a query by case.
    pub regions: Vec<Term>,
}

/// Encodes a measure at configuration `k` under a policy.
pub fn encode(m: &Measure, k: usize, policy: EmptyPolicy) -> Result<Encoded> {
    if policy == EmptyPolicy::NanIfGtEmpty {
        return Err(Error::invalid(
            "--empty nan-if-gt-empty is not available in prove: a claim must hold on every \
             image, and that policy leaves every image with an empty ground truth without a \
             value; prove with --nonempty-gt (and --empty one or zero) instead",
        ));
    }
    let s = symbolic(m)?;
    Ok(encode_symbolic(&s, k, policy))
}

/// The symbolic form of a measure, or an error that says why there is none.
pub fn symbolic(m: &Measure) -> Result<Symbolic> {
    m.counts().symbolic().ok_or_else(|| {
        Error::invalid(format!(
            "{} is not expressible as a piecewise rational function of the counts, so \
             `prove` cannot hand it to an SMT solver; rational specs are dice, jaccard, \
             tversky:a=..,b=.., hamming, whamming:w=.., whamming:balanced, whamming:gdice, \
             whamming:medfreq,fg=..,bg=.. (whamming:sqrt is irrational: use `search`)",
            m.spec()
        ))
    })
}

/// Encodes a symbolic form at configuration `k`.
pub fn encode_symbolic(s: &Symbolic, k: usize, policy: EmptyPolicy) -> Encoded {
    let vars = count_names(k).map(Term::var);
    let region = |cubes: &[Cube]| Term::or(cubes.iter().map(|c| cube_term(c, &vars)).collect());
    let ratio = |n: &Poly, d: &Poly| poly_term(n, &vars).div(poly_term(d, &vars));
    let empty_value = match policy {
        EmptyPolicy::Zero => Term::int(1),
        // One; and a placeholder under nan/error, where the region is excluded.
        _ => Term::int(0),
    };
    let mut value = ratio(&s.generic.0, &s.generic.1);
    let mut empty = Vec::new();
    let mut regions = Vec::new();
    for case in s.cases.iter().rev() {
        let r = region(&case.when);
        let v = match &case.value {
            Piece::Empty => {
                empty.push(r.clone());
                empty_value.clone()
            }
            Piece::Ratio(n, d) => ratio(n, d),
        };
        value = Term::ite(r.clone(), v, value);
        regions.push(r);
    }
    regions.reverse();
    let generic = Term::and(regions.iter().map(|r| r.clone().not()).collect());
    regions.push(generic);
    Encoded {
        value,
        empty: Term::or(empty),
        regions,
    }
}
