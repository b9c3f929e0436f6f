//! User-written losses: `expr:FORMULA` on confusion counts and `soft-expr:FORMULA`
//! on per-image soft sums.
//!
//! # Why a formula language
//!
//! Users train with losses that are not built in: Dice with the usual `+1`
//! smoothing, a team's own Tversky variant, a library's idea of Jaccard. Rather than
//! asking for a new built-in each time, a spec can carry the formula itself:
//!
//! ```text
//! expr:(fp+fn)/(2*tp+fp+fn)          exactly `dice`
//! expr:(fp+fn)/(2*tp+fp+fn+1)        Dice with +1 smoothing
//! soft-expr:1-(2*spy+1e-5)/(sp+sy+1e-5)   MONAI's DiceLoss default, exactly
//! ```
//!
//! # Grammar
//!
//! ```text
//! expr   := term (('+' | '-') term)*
//! term   := unary (('*' | '/') unary)*
//! unary  := '-' unary | power
//! power  := atom ('^' ['-'] INTEGER)?        one exponent, an integer literal
//! atom   := NUMBER | VARIABLE | FUNC '(' expr (',' expr)* ')' | '(' expr ')'
//! FUNC   := min | max (two arguments) | abs | sqrt | ln (one argument)
//! ```
//!
//! Numbers are read by [`crate::exact::parse_rational`] (`7`, `0.3`, `1e-5`; a
//! fraction `3/10` is the division of two numbers, which is the same exact value).
//! Names are case-insensitive. `-x^2` is `-(x^2)`. Chained powers must be
//! parenthesised (`(x^2)^3`), exponents are limited to |k| ≤ 64, and the total
//! degree a formula can reach (products of exponents) to 4096, so that no formula
//! of a few characters can ask for a number of a billion digits.
//!
//! Variables: for `expr:` `tp`, `fp`, `fn`, `tn` and `n` = tp + fp + fn + tn
//! ([`CountVar`]); for `soft-expr:` `spy` = Σp·y, `sp` = Σp, `sy` = Σy,
//! `spp` = Σp², `syy` = Σy², `sabs` = Σ|p − y| and `n`, the number of voxels
//! ([`SumVar`]).
//!
//! # Division by zero: one rule
//!
//! The formula is evaluated left to right (both operands of a division before the
//! division). At the first division whose divisor is exactly zero:
//!
//! * a quotient 0/0 makes the *whole loss* take the `--empty` policy's value (as
//!   Dice's 0/0 on two empty masks does);
//! * a nonzero number over 0 is an error naming the spec and the configuration.
//!
//! A negative power of zero is a division of 1 by zero (an error).
//!
//! # Evaluation paths, and why not the built-ins' fast path
//!
//! Built-in count losses are ratios of non-negative integer polynomials, evaluated
//! by [`super::arith`] in `u128`/`BigUint`/`f64`. Formulas can subtract, go
//! negative, take `min`/`abs`, and divide anywhere, and the 0/0 rule above is about
//! each *quotient*, which rewriting the formula as one ratio N/D would lose (N/D
//! merges quotients: a nonzero/0 inside can turn into 0/0 outside). So a formula is
//! evaluated as written, over a small numeric trait ([`eval::ExprNum`]) with four
//! implementations: a checked `i128` rational (the fast exact path; overflow falls
//! back), [`crate::exact::Q`] (exact, never overflows), `f64` (cross-checked only)
//! and a certified value that stays exact while it can and becomes an MPFR
//! [`crate::exact::interval::Interval`] after `sqrt`/`ln` of a non-square or of a
//! number other than 1 (used by `search`, the one command that certifies irrational
//! losses; elsewhere `sqrt` and `ln` are a parse error saying so).
//!
//! The AST ([`Expr`]) is public so that other layers (the SMT translation of
//! `prove`) can walk it.

pub mod eval;
mod measure;
mod parse;
mod symbolic;

use std::fmt;

use crate::exact::{format_q, Q};
use num_traits::Signed;

pub use eval::{evaluate, ExprNum, Stop};
pub use measure::{CountExpr, EXPR_SUMMARY, EXPR_SYNTAX};
pub use parse::{parse_expr, MAX_DEGREE, MAX_EXPONENT, MAX_LEN};

/// The variables a formula may use: a closed set of names.
pub trait Variable: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// Every variable with its name (lower case).
    const ALL: &'static [(&'static str, Self)];
    /// The spec prefix these variables belong to (`expr` or `soft-expr`).
    const FAMILY: &'static str;
    /// The variable's name.
    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

/// A confusion-count variable of `expr:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CountVar {
    /// True positives.
    Tp,
    /// False positives.
    Fp,
    /// False negatives.
    Fn,
    /// True negatives.
    Tn,
    /// All voxels, tp + fp + fn + tn.
    N,
}

impl Variable for CountVar {
    const ALL: &'static [(&'static str, Self)] = &[
        ("tp", CountVar::Tp),
        ("fp", CountVar::Fp),
        ("fn", CountVar::Fn),
        ("tn", CountVar::Tn),
        ("n", CountVar::N),
    ];
    const FAMILY: &'static str = "expr";
}

/// A per-image soft sum of `soft-expr:` (see [`crate::surrogates::sums::SoftSums`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SumVar {
    /// Σ p_i·y_i.
    Spy,
    /// Σ p_i.
    Sp,
    /// Σ y_i.
    Sy,
    /// Σ p_i².
    Spp,
    /// Σ y_i².
    Syy,
    /// Σ |p_i − y_i| (the L1 distance, which Wang & Blaschko's losses and smp ≥ 0.5 use).
    Sabs,
    /// The number of voxels.
    N,
}

impl Variable for SumVar {
    const ALL: &'static [(&'static str, Self)] = &[
        ("spy", SumVar::Spy),
        ("sp", SumVar::Sp),
        ("sy", SumVar::Sy),
        ("spp", SumVar::Spp),
        ("syy", SumVar::Syy),
        ("sabs", SumVar::Sabs),
        ("n", SumVar::N),
    ];
    const FAMILY: &'static str = "soft-expr";
}

/// A binary operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// a + b.
    Add,
    /// a − b.
    Sub,
    /// a · b.
    Mul,
    /// a / b, under the division rule of the module docs.
    Div,
    /// min(a, b).
    Min,
    /// max(a, b).
    Max,
}

/// A function of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    /// |a|.
    Abs,
    /// √a (irrational in general: certified intervals only).
    Sqrt,
    /// ln a (irrational in general: certified intervals only).
    Ln,
}

impl Func {
    /// The function's name in formulas.
    pub fn name(self) -> &'static str {
        match self {
            Func::Abs => "abs",
            Func::Sqrt => "sqrt",
            Func::Ln => "ln",
        }
    }
}

/// A parsed formula over the variables `V`.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr<V> {
    /// An exact number.
    Num(Q),
    /// A variable.
    Var(V),
    /// −a.
    Neg(Box<Expr<V>>),
    /// a OP b.
    Bin(Op, Box<Expr<V>>, Box<Expr<V>>),
    /// a^k for an integer k with |k| ≤ [`MAX_EXPONENT`].
    Pow(Box<Expr<V>>, i32),
    /// f(a).
    Call(Func, Box<Expr<V>>),
}

impl<V: Variable> Expr<V> {
    /// Whether the formula uses `sqrt` or `ln` (and so may be irrational).
    pub fn is_irrational(&self) -> bool {
        match self {
            Expr::Num(_) | Expr::Var(_) => false,
            Expr::Neg(a) | Expr::Pow(a, _) => a.is_irrational(),
            Expr::Bin(_, a, b) => a.is_irrational() || b.is_irrational(),
            Expr::Call(f, a) => matches!(f, Func::Sqrt | Func::Ln) || a.is_irrational(),
        }
    }

    /// Replaces every variable by a formula over other variables (used to restrict
    /// a soft formula to hard predictions, where Σp·y = tp and so on).
    pub fn substitute<W: Variable>(&self, f: &impl Fn(V) -> Expr<W>) -> Expr<W> {
        match self {
            Expr::Num(q) => Expr::Num(q.clone()),
            Expr::Var(v) => f(*v),
            Expr::Neg(a) => Expr::Neg(Box::new(a.substitute(f))),
            Expr::Bin(op, a, b) => {
                Expr::Bin(*op, Box::new(a.substitute(f)), Box::new(b.substitute(f)))
            }
            Expr::Pow(a, k) => Expr::Pow(Box::new(a.substitute(f)), *k),
            Expr::Call(g, a) => Expr::Call(*g, Box::new(a.substitute(f))),
        }
    }

    /// Binding strength when printed: higher binds tighter.
    fn level(&self) -> u8 {
        match self {
            Expr::Bin(Op::Add | Op::Sub, ..) => 1,
            Expr::Bin(Op::Mul | Op::Div, ..) => 2,
            Expr::Neg(_) => 3,
            Expr::Pow(..) => 4,
            Expr::Num(q) if q.is_negative() || !q.is_integer() => 2,
            _ => 5,
        }
    }
}

/// Writes `e`, parenthesised when it binds looser than `min`.
fn write_at<V: Variable>(f: &mut fmt::Formatter<'_>, e: &Expr<V>, min: u8) -> fmt::Result {
    if e.level() < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

/// The canonical text, which parses back to the same tree: minimal parentheses,
/// numbers as exact `p/q`, lower-case names, no spaces.
impl<V: Variable> fmt::Display for Expr<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(q) if q.is_negative() => write!(f, "-{}", format_q(&-q)),
            Expr::Num(q) => f.write_str(&format_q(q)),
            Expr::Var(v) => f.write_str(v.name()),
            Expr::Neg(a) => {
                f.write_str("-")?;
                write_at(f, a, 4)
            }
            Expr::Bin(op @ (Op::Min | Op::Max), a, b) => {
                let name = if *op == Op::Min { "min" } else { "max" };
                write!(f, "{name}({a},{b})")
            }
            Expr::Bin(op, a, b) => {
                let (lvl, sym) = match op {
                    Op::Add => (1, "+"),
                    Op::Sub => (1, "-"),
                    Op::Mul => (2, "*"),
                    _ => (2, "/"),
                };
                write_at(f, a, lvl)?;
                f.write_str(sym)?;
                // Left-associative: the right operand needs parentheses at equal level.
                write_at(f, b, lvl + 1)
            }
            Expr::Pow(a, k) => {
                write_at(f, a, 5)?;
                write!(f, "^{k}")
            }
            Expr::Call(g, a) => write!(f, "{}({a})", g.name()),
        }
    }
}

#[cfg(test)]
mod tests;
