//! The symbolic form of an `expr:` count loss, for `diceproof prove`.
//!
//! Built-in measures get their [`Symbolic`] form by running their generic
//! formula on tagged counts ([`crate::measures::symbolic::extract`]). A user's
//! formula is not a generic formula, so this module walks its tree instead, once
//! per zero pattern of (TP, FP, FN, TN), and hands the result to the same
//! `extract`, which merges the patterns and re-checks every region against the
//! exact evaluator. Only what that form can state faithfully is translated:
//!
//! * numbers, variables, `+ − ·`, `/`, integer powers;
//! * a division only when, on the pattern, the divisor's numerator is the zero
//!   polynomial (then a zero dividend is the 0/0 case and the `--empty` policy
//!   decides; a nonzero one is an error and the formula is refused), a polynomial
//!   with positive coefficients (positive wherever its non-zero counts are), or a
//!   nonzero constant (negated to keep every denominator positive). A divisor of
//!   mixed sign could vanish inside a pattern, which the piecewise form cannot say;
//! * `min`, `max`, `abs`, `sqrt` and `ln` are not translated (`None`): `prove`
//!   then says the candidate is not expressible, rather than proving something
//!   else.

use num_bigint::BigInt;
use num_traits::{One, Zero};

use super::{CountVar, Expr, Func, Op};
use crate::counts::Counts;
use crate::exact::Q;
use crate::measures::arith::{Arith, Frac};
use crate::measures::symbolic::{extract, Poly, Symbolic};

/// Why a subtree has no faithful symbolic value on a pattern.
enum Stop {
    /// A 0/0 quotient: the whole loss is the empty policy's value.
    Empty,
    /// Not expressible (see the module docs).
    Unsupported,
}

/// num/den with den positive on the pattern.
struct Ratio {
    num: Poly,
    den: Poly,
}

fn neg(p: &Poly) -> Poly {
    p.mul(&Poly::constant(-BigInt::one()))
}

/// True when `p` is positive wherever the pattern's non-zero counts are positive.
fn positive(p: &Poly) -> bool {
    !p.is_zero() && p.nonnegative_coefficients()
}

/// Whether `p` is a negative constant.
fn negative_constant(p: &Poly) -> bool {
    let terms: Vec<_> = p.terms().collect();
    terms.len() == 1 && *terms[0].0 == [0; 4] && terms[0].1 < &BigInt::zero()
}

fn divide(a: Ratio, b: Ratio) -> Result<Ratio, Stop> {
    if b.num.is_zero() {
        return Err(if a.num.is_zero() {
            Stop::Empty
        } else {
            Stop::Unsupported
        });
    }
    let num = a.num.mul(&b.den);
    let den = a.den.mul(&b.num);
    if positive(&b.num) {
        Ok(Ratio { num, den })
    } else if negative_constant(&b.num) {
        Ok(Ratio {
            num: neg(&num),
            den: neg(&den),
        })
    } else {
        Err(Stop::Unsupported)
    }
}

fn walk(e: &Expr<CountVar>, vars: &[Poly; 4]) -> Result<Ratio, Stop> {
    let one = || Poly::constant(BigInt::one());
    Ok(match e {
        Expr::Num(q) => Ratio {
            num: Poly::constant(q.numer().clone()),
            den: Poly::constant(q.denom().clone()),
        },
        Expr::Var(v) => Ratio {
            num: match v {
                CountVar::Tp => vars[0].clone(),
                CountVar::Fp => vars[1].clone(),
                CountVar::Fn => vars[2].clone(),
                CountVar::Tn => vars[3].clone(),
                CountVar::N => vars[0].add(&vars[1]).add(&vars[2]).add(&vars[3]),
            },
            den: one(),
        },
        Expr::Neg(a) => {
            let a = walk(a, vars)?;
            Ratio {
                num: neg(&a.num),
                den: a.den,
            }
        }
        Expr::Bin(op, a, b) => {
            let a = walk(a, vars)?;
            let b = walk(b, vars)?;
            match op {
                Op::Add => Ratio {
                    num: a.num.mul(&b.den).add(&b.num.mul(&a.den)),
                    den: a.den.mul(&b.den),
                },
                Op::Sub => Ratio {
                    num: a.num.mul(&b.den).add(&neg(&b.num.mul(&a.den))),
                    den: a.den.mul(&b.den),
                },
                Op::Mul => Ratio {
                    num: a.num.mul(&b.num),
                    den: a.den.mul(&b.den),
                },
                Op::Div => divide(a, b)?,
                Op::Min | Op::Max => return Err(Stop::Unsupported),
            }
        }
        Expr::Pow(a, k) => {
            let a = walk(a, vars)?;
            let mut p = Ratio {
                num: one(),
                den: one(),
            };
            for _ in 0..k.unsigned_abs() {
                p = Ratio {
                    num: p.num.mul(&a.num),
                    den: p.den.mul(&a.den),
                };
            }
            if *k < 0 {
                divide(
                    Ratio {
                        num: one(),
                        den: one(),
                    },
                    p,
                )?
            } else {
                p
            }
        }
        Expr::Call(Func::Abs | Func::Sqrt | Func::Ln, _) => return Err(Stop::Unsupported),
    })
}

/// The symbolic form of `e`, checked by `extract` against `exact` (the formula's
/// exact loss, `None` for 0/0); `None` when it is not expressible.
pub(super) fn symbolic(
    e: &Expr<CountVar>,
    exact: impl Fn(&Counts) -> Option<Q>,
) -> Option<Symbolic> {
    // `extract` calls back with tagged counts: a count is zero exactly where the
    // pattern says so, and is otherwise read as its variable.
    let f = |c: &Counts| -> Frac<Poly> {
        let counts = [c.tp, c.fp, c.fn_, c.tn];
        let vars: [Poly; 4] = std::array::from_fn(|i| {
            if counts[i] == 0 {
                Poly::default()
            } else {
                Poly::var(i)
            }
        });
        match walk(e, &vars) {
            Ok(r) => Frac {
                num: r.num,
                den: r.den,
            },
            Err(Stop::Empty) => Frac {
                num: Poly::default(),
                den: Poly::default(),
            },
            // A nonzero value over a zero denominator: `extract` refuses it.
            Err(Stop::Unsupported) => Frac {
                num: Poly::constant(BigInt::one()),
                den: Poly::default(),
            },
        }
    };
    extract(f, exact)
}

#[cfg(test)]
mod tests {
    use crate::counts::Counts;
    use crate::measures::parse_measure;

    fn sym(spec: &str) -> Option<crate::measures::symbolic::Symbolic> {
        parse_measure(spec).unwrap().counts().symbolic()
    }

    /// The symbolic form equals the exact engine on every configuration of
    /// n ≤ 9 (0/0 included), for formulas with subtraction, constants,
    /// powers, smoothing and a negative constant divisor.
    #[test]
    fn agrees_with_the_exact_engine() {
        for spec in [
            "expr:(fp+fn)/(2*tp+fp+fn)",
            "expr:(fp+fn)/(2*tp+fp+fn+1)",
            "expr:1 - (2*tp+1/100000)/(2*tp+fp+fn+1/100000)",
            "expr:(fp+fn)/(tp+fp+fn)",
            "expr:(fp^2 + fn)/n",
            "expr:(tp - fp)/(-2)",
            "expr:(3/10*fp+7/10*fn)/(tp+3/10*fp+7/10*fn)",
        ] {
            let m = parse_measure(spec).unwrap();
            let s = m.counts().symbolic().unwrap_or_else(|| panic!("{spec}"));
            for n in 1..=9u64 {
                for tp in 0..=n {
                    for fp in 0..=n - tp {
                        for fn_ in 0..=n - tp - fp {
                            let c = Counts::new(tp, fp, fn_, n - tp - fp - fn_).unwrap();
                            let exact = m.counts().loss_exact(&c).unwrap();
                            assert_eq!(s.eval(&c), exact, "{spec} at {c:?}");
                        }
                    }
                }
            }
        }
    }

    /// What cannot be stated faithfully is refused, not approximated.
    #[test]
    fn refuses_what_it_cannot_state() {
        for spec in [
            "expr:min(fp, fn)/(tp+1)",
            "expr:abs(fp-fn)/(tp+1)",
            "expr:(fp+fn)/(tp-fp)",
        ] {
            assert!(sym(spec).is_none(), "{spec}");
        }
    }
}
