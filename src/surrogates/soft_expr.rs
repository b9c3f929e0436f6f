//! `soft-expr:FORMULA`: a user-written soft loss on the per-image sums.
//!
//! The formula language is the one of `expr:` ([`crate::measures::expr`]) with the
//! sum variables `spy`, `sp`, `sy`, `spp`, `syy`, `sabs`, `n` ([`SumVar`]). A formula is a
//! [`SumFormula`], so it gets the exact and `f64` paths, `loss_sums` for probability
//! maps, and its restriction to hard predictions (Σp·y = tp, Σp = Σp² = tp + fp,
//! Σy = Σy² = tp + fn, Σ|p − y| = fp + fn) for `search`. `sqrt` and `ln` are refused: soft losses are
//! exact rationals here, and no soft command certifies intervals.

use crate::error::{Error, Result};
use crate::exact::Q;
use crate::measures::expr::{evaluate, parse_expr, CountVar, Expr, Op, Stop, SumVar};
use crate::surrogates::soft::SumFormula;
use crate::surrogates::sums::{Needs, SoftNum, SoftSums};

/// A soft loss written as a formula over the per-image sums.
#[derive(Clone, Debug)]
pub struct SoftExpr {
    expr: Expr<SumVar>,
}

impl SoftExpr {
    /// Parses the formula of `soft-expr:FORMULA` (rational functions only).
    pub fn parse(formula: &str) -> Result<SoftExpr> {
        let expr = parse_expr::<SumVar>(formula)?;
        if expr.is_irrational() {
            return Err(Error::invalid(format!(
                "soft-expr:{formula}: sqrt and ln give irrational values; soft losses are exact \
                 rationals, so write a rational formula"
            )));
        }
        Ok(SoftExpr { expr })
    }

    /// From a formula built in code (the peer presets).
    pub fn from_expr(expr: Expr<SumVar>) -> SoftExpr {
        SoftExpr { expr }
    }

    /// The parsed formula.
    pub fn expr(&self) -> &Expr<SumVar> {
        &self.expr
    }

    /// The formula on hard inputs, over the confusion counts.
    pub fn hard_expr(&self) -> Expr<CountVar> {
        let v = |x| Expr::Var(x);
        let sum = |a, b| Expr::Bin(Op::Add, Box::new(v(a)), Box::new(v(b)));
        self.expr.substitute(&|s| match s {
            SumVar::Spy => v(CountVar::Tp),
            SumVar::Sp | SumVar::Spp => sum(CountVar::Tp, CountVar::Fp),
            SumVar::Sy | SumVar::Syy => sum(CountVar::Tp, CountVar::Fn),
            SumVar::Sabs => sum(CountVar::Fp, CountVar::Fn),
            SumVar::N => v(CountVar::N),
        })
    }

    /// Evaluates on sums; `spec` names the loss in errors.
    pub fn eval<T: SoftNum>(&self, s: &SoftSums<T>, spec: &str) -> Result<Option<T>> {
        let var = |v: SumVar| match v {
            SumVar::Spy => s.spy.clone(),
            SumVar::Sp => s.sp.clone(),
            SumVar::Sy => s.sy.clone(),
            SumVar::Spp => s.spp.clone(),
            SumVar::Syy => s.syy.clone(),
            SumVar::Sabs => s.sabs.clone(),
            SumVar::N => T::count(s.n),
        };
        match evaluate(&self.expr, &var, &|q: &Q| Ok(T::lift(q))) {
            Ok(v) => Ok(Some(v)),
            Err(Stop::ZeroOverZero) => Ok(None),
            Err(stop) => Err(Error::invalid(format!(
                "{spec}: {} at spy={} sp={} sy={} spp={} syy={} n={}",
                match stop {
                    Stop::DivByZero => "a nonzero number is divided by zero (only 0/0 takes the \
                                        --empty policy's value; guard the denominator)"
                        .to_string(),
                    other => format!("cannot be evaluated ({other:?})"),
                },
                s.spy.show(),
                s.sp.show(),
                s.sy.show(),
                s.spp.show(),
                s.syy.show(),
                s.n
            ))),
        }
    }

    fn uses(e: &Expr<SumVar>, which: &[SumVar]) -> bool {
        match e {
            Expr::Num(_) => false,
            Expr::Var(v) => which.contains(v),
            Expr::Neg(a) | Expr::Pow(a, _) | Expr::Call(_, a) => Self::uses(a, which),
            Expr::Bin(_, a, b) => Self::uses(a, which) || Self::uses(b, which),
        }
    }

    /// Which optional sums the formula reads.
    pub fn needs_of(&self) -> Needs {
        Needs {
            squares: Self::uses(&self.expr, &[SumVar::Spp, SumVar::Syy]),
            abs: Self::uses(&self.expr, &[SumVar::Sabs]),
        }
    }
}

impl SumFormula for SoftExpr {
    fn spec(&self) -> String {
        format!("soft-expr:{}", self.expr)
    }
    fn needs(&self) -> Needs {
        self.needs_of()
    }
    fn formula<T: SoftNum>(&self, s: &SoftSums<T>) -> Result<Option<T>> {
        self.eval(s, &SumFormula::spec(self))
    }
    fn hard_restriction(&self) -> Option<String> {
        Some(format!("expr:{}", self.hard_expr()))
    }
}
