//! `expr:FORMULA` as a count measure beside the built-ins.

use num_bigint::BigUint;
use num_traits::Signed;

use super::eval::{evaluate, Certified, Small};
use super::{parse_expr, CountVar, Expr, Stop};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::interval::Interval;
use crate::exact::Q;
use crate::measures::arith::{Frac, Wide};
use crate::measures::CountMeasure;

/// The syntax line of `expr:` in `specs` and errors.
pub const EXPR_SYNTAX: &str = "expr:FORMULA";

/// What `expr:` is, for `specs`.
pub const EXPR_SUMMARY: &str = "your own loss on tp, fp, fn, tn, n with + - * / ^, min, max, abs (sqrt, ln \
                                 certified in search only); a 0/0 quotient takes the --empty value, x/0 is an error";

/// A count loss written as a formula over tp, fp, fn, tn, n.
#[derive(Clone, Debug)]
pub struct CountExpr {
    expr: Expr<CountVar>,
}

fn var_value(c: &Counts, v: CountVar) -> u64 {
    match v {
        CountVar::Tp => c.tp,
        CountVar::Fp => c.fp,
        CountVar::Fn => c.fn_,
        CountVar::Tn => c.tn,
        CountVar::N => c.n(),
    }
}

impl CountExpr {
    /// Parses the formula of `expr:FORMULA`. With `certified` false (every command
    /// but `search`), `sqrt` and `ln` are refused with a message saying where they
    /// work.
    pub fn parse(formula: &str, certified: bool) -> Result<CountExpr> {
        let expr = parse_expr::<CountVar>(formula)?;
        if !certified && expr.is_irrational() {
            return Err(Error::invalid(format!(
                "expr:{formula}: sqrt and ln give irrational values, which only `search` \
                 certifies (with intervals); exact commands need a rational formula"
            )));
        }
        Ok(CountExpr { expr })
    }

    /// From a formula built in code (any functions; callers that need a rational
    /// formula check [`CountExpr::is_irrational`]).
    pub fn from_expr(expr: Expr<CountVar>) -> CountExpr {
        CountExpr { expr }
    }

    /// The parsed formula.
    pub fn expr(&self) -> &Expr<CountVar> {
        &self.expr
    }

    /// Whether the formula uses `sqrt` or `ln`.
    pub fn is_irrational(&self) -> bool {
        self.expr.is_irrational()
    }

    /// The fast exact path (`i128` rationals).
    pub fn eval_small(&self, c: &Counts) -> std::result::Result<Small, Stop> {
        evaluate(
            &self.expr,
            &|v| Small::int(i128::from(var_value(c, v))),
            &Small::from_q,
        )
    }

    /// The exact path that cannot overflow.
    pub fn eval_q(&self, c: &Counts) -> std::result::Result<Q, Stop> {
        evaluate(
            &self.expr,
            &|v| Q::from_integer(var_value(c, v).into()),
            &|q| Ok(q.clone()),
        )
    }

    /// The inexact path.
    pub fn eval_f64(&self, c: &Counts) -> std::result::Result<f64, Stop> {
        evaluate(&self.expr, &|v| var_value(c, v) as f64, &|q| {
            Ok(crate::exact::q_to_f64(q))
        })
    }

    /// The certified path at `prec` bits: exact unless `sqrt`/`ln` made it an interval.
    pub fn eval_certified(&self, c: &Counts, prec: u32) -> std::result::Result<Certified, Stop> {
        evaluate(
            &self.expr,
            &|v| Certified::Exact(Q::from_integer(var_value(c, v).into()), prec),
            &|q| Ok(Certified::Exact(q.clone(), prec)),
        )
    }

    /// The certified value as an interval, `None` for 0/0, errors as in
    /// the other evaluations (an error naming the spec and the configuration).
    pub fn certified(
        &self,
        c: &Counts,
        prec: u32,
    ) -> Result<Option<std::result::Result<Q, Interval>>> {
        match self.eval_certified(c, prec) {
            Ok(Certified::Exact(q, _)) => Ok(Some(Ok(q))),
            Ok(Certified::Approx(i)) => Ok(Some(Err(i))),
            Err(stop) => self.outcome(c, Err(stop)),
        }
    }

    /// Maps an evaluation to the measure's answer: `Some` value, `None` for 0/0,
    /// or an error naming the spec and the configuration.
    fn outcome<T>(&self, c: &Counts, r: std::result::Result<T, Stop>) -> Result<Option<T>> {
        let at = format!(
            "at tp={} fp={} fn={} tn={} (n={})",
            c.tp,
            c.fp,
            c.fn_,
            c.tn,
            c.n()
        );
        match r {
            Ok(v) => Ok(Some(v)),
            Err(Stop::ZeroOverZero) => Ok(None),
            Err(Stop::DivByZero) => Err(Error::invalid(format!(
                "{}: a nonzero number is divided by zero {at}; only 0/0 takes the --empty \
                 policy's value, so guard the denominator (e.g. add a smoothing constant)",
                self.spec()
            ))),
            Err(Stop::Domain(f)) => Err(Error::invalid(format!(
                "{}: {} of a number outside its domain {at}",
                self.spec(),
                f.name()
            ))),
            Err(Stop::Uncertified) => Err(Error::Undecided(format!(
                "{}: a divisor or logarithm argument could not be certified nonzero/positive {at} \
                 at the working precision",
                self.spec()
            ))),
            Err(Stop::Irrational(f)) => Err(Error::invalid(format!(
                "{}: {} is irrational; only `search` certifies it",
                self.spec(),
                f.name()
            ))),
            Err(Stop::Overflow) => Err(Error::invalid(format!(
                "{}: internal overflow {at}",
                self.spec()
            ))),
        }
    }
}

impl CountMeasure for CountExpr {
    fn spec(&self) -> String {
        format!("expr:{}", self.expr)
    }

    /// The formula as a piecewise rational function for `diceproof prove`, when it
    /// can be stated faithfully (see `expr::symbolic`), checked against
    /// [`CountMeasure::loss_exact`].
    fn symbolic(&self) -> Option<crate::measures::symbolic::Symbolic> {
        super::symbolic::symbolic(&self.expr, |c| self.loss_exact(c).ok().flatten())
    }

    /// The value when it is a non-negative rational whose parts fit; 0/0 as 0/0;
    /// anything else (negative, an error, overflow) as "overflow", which sends
    /// callers to [`CountMeasure::loss_exact`].
    fn loss_wide(&self, c: &Counts) -> Frac<Wide> {
        match self.eval_small(c) {
            Ok(s) if s.num >= 0 => Frac {
                num: Wide(Some(s.num as u128)),
                den: Wide(Some(s.den as u128)),
            },
            Err(Stop::ZeroOverZero) => Frac {
                num: Wide(Some(0)),
                den: Wide(Some(0)),
            },
            _ => Frac {
                num: Wide(None),
                den: Wide(None),
            },
        }
    }

    /// The value when it is a non-negative rational, 0/0 otherwise. Only meaningful
    /// for non-negative values: [`crate::measures::Measure`] calls
    /// [`CountMeasure::loss_exact`] instead, which keeps the sign and the errors.
    fn loss_big(&self, c: &Counts) -> Frac<BigUint> {
        match self.eval_q(c) {
            Ok(q) if !q.is_negative() => Frac {
                num: q.numer().magnitude().clone(),
                den: q.denom().magnitude().clone(),
            },
            _ => Frac {
                num: BigUint::default(),
                den: BigUint::default(),
            },
        }
    }

    /// value/1, 0/0 for a 0/0 quotient, NaN/1 for an error.
    fn loss_float(&self, c: &Counts) -> Frac<f64> {
        match self.eval_f64(c) {
            Ok(v) => Frac { num: v, den: 1.0 },
            Err(Stop::ZeroOverZero) => Frac { num: 0.0, den: 0.0 },
            Err(_) => Frac {
                num: f64::NAN,
                den: 1.0,
            },
        }
    }

    fn loss_exact(&self, c: &Counts) -> Result<Option<Q>> {
        match self.eval_small(c) {
            Ok(s) => Ok(Some(s.to_q())),
            Err(Stop::Overflow) => self.loss_exact_big(c),
            Err(stop) => self.outcome(c, Err(stop)),
        }
    }

    fn loss_exact_big(&self, c: &Counts) -> Result<Option<Q>> {
        let r = self.eval_q(c);
        self.outcome(c, r)
    }

    fn as_expr(&self) -> Option<&CountExpr> {
        Some(self)
    }
}
