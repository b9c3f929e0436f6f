//! Losses the search can evaluate: every exact measure, plus schemes whose values are
//! irrational and are therefore certified with intervals.

use rug::Float;

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::interval::Interval;
use crate::exact::{format_q, Q};
use crate::measures::expr::CountExpr;
use crate::measures::spec::strip_family;
use crate::measures::{parse_measure, EmptyPolicy, Measure};

/// A candidate loss for the search.
#[derive(Clone, Debug)]
pub enum Loss {
    /// An exact rational measure.
    Exact(Measure),
    /// Inverse square-root frequency weights 1/√|class|, normalised so that all
    /// wrong is 1: (FN/√a + FP/√b)/(√a + √b) with a = |y|, b = n − |y|; a term over
    /// an empty class is 0 (a = 0 gives FP/b, b = 0 gives FN/a). Irrational.
    SqrtWeights,
    /// An `expr:` formula with `sqrt` or `ln`: exact where it can be, else a
    /// certified interval. A 0/0 quotient reads as loss 0 (the search's empty
    /// policy, `one`); a nonzero number over 0 is an error.
    Certified(std::sync::Arc<CountExpr>),
}

/// A value of a loss: exact, or a certified interval.
#[derive(Clone, Debug)]
pub enum LossValue {
    /// Exact rational.
    Exact(Q),
    /// Certified interval.
    Interval(Interval),
}

impl LossValue {
    /// As a certified interval at `prec` bits.
    pub fn interval(&self, prec: u32) -> Interval {
        match self {
            LossValue::Exact(q) => Interval::from_big(q, prec),
            LossValue::Interval(i) => i.clone(),
        }
    }

    /// `p/q`, or `[lo, hi]` for an interval.
    pub fn render(&self) -> String {
        match self {
            LossValue::Exact(q) => format_q(q),
            LossValue::Interval(i) => format!("{i:.20}"),
        }
    }
}

impl Loss {
    /// Parses a spec: every measure spec, `whamming:sqrt`, and the relaxations
    /// (`soft-dice`, `jml`, `lovasz:dice`, …), which the search evaluates on hard
    /// configurations through the set loss they extend (see [`hard_counterpart`]).
    pub fn parse(spec: &str) -> Result<Loss> {
        let s = spec.trim().to_ascii_lowercase();
        if s == "whamming:sqrt" {
            return Ok(Loss::SqrtWeights);
        }
        if let Some(formula) = strip_family(spec.trim(), "expr") {
            let e = CountExpr::parse(formula, true)?;
            if e.is_irrational() {
                return Ok(Loss::Certified(std::sync::Arc::new(e)));
            }
        }
        match parse_measure(spec) {
            Ok(m) => Ok(Loss::Exact(m)),
            Err(e) => match hard_counterpart(&s) {
                Some(hard) => Ok(Loss::Exact(parse_measure(&hard)?)),
                None => Err(e),
            },
        }
    }

    /// The canonical spec.
    pub fn spec(&self) -> String {
        match self {
            Loss::Exact(m) => m.spec(),
            Loss::SqrtWeights => "whamming:sqrt".into(),
            Loss::Certified(e) => crate::measures::CountMeasure::spec(&**e),
        }
    }

    /// The exact measure, if the loss is rational.
    pub fn exact_measure(&self) -> Option<&Measure> {
        match self {
            Loss::Exact(m) => Some(m),
            Loss::SqrtWeights | Loss::Certified(_) => None,
        }
    }

    /// Fast inexact value (empty masks: loss 0).
    #[inline]
    pub fn f64(&self, c: &Counts) -> f64 {
        match self {
            Loss::Exact(m) => m.loss_f64(c, EmptyPolicy::One),
            Loss::SqrtWeights => {
                let (a, b) = (c.gt_size() as f64, (c.fp + c.tn) as f64);
                match (a > 0.0, b > 0.0) {
                    (false, false) => 0.0,
                    (false, true) => c.fp as f64 / b,
                    (true, false) => c.fn_ as f64 / a,
                    (true, true) => {
                        let (ra, rb) = (a.sqrt(), b.sqrt());
                        (c.fn_ as f64 / ra + c.fp as f64 / rb) / (ra + rb)
                    }
                }
            }
            Loss::Certified(e) => match e.eval_f64(c) {
                Ok(v) => v,
                Err(crate::measures::expr::Stop::ZeroOverZero) => 0.0,
                Err(_) => f64::NAN,
            },
        }
    }

    /// The value, exactly or as a certified interval at `prec` bits.
    pub fn value(&self, c: &Counts, prec: u32) -> Result<LossValue> {
        match self {
            Loss::Exact(m) => m
                .loss(c, EmptyPolicy::One)?
                .exact()
                .cloned()
                .map(LossValue::Exact)
                .ok_or_else(|| Error::invalid("undefined loss")),
            Loss::SqrtWeights => {
                let q = |v: u64| Q::from_integer(v.into());
                let (a, b) = (c.gt_size(), c.fp + c.tn);
                match (a > 0, b > 0) {
                    (false, false) => Ok(LossValue::Exact(q(0))),
                    (false, true) => Ok(LossValue::Exact(Q::new(c.fp.into(), b.into()))),
                    (true, false) => Ok(LossValue::Exact(Q::new(c.fn_.into(), a.into()))),
                    (true, true) => {
                        let ra = Interval::from_big(&q(a), prec).sqrt()?;
                        let rb = Interval::from_big(&q(b), prec).sqrt()?;
                        let fnv = Interval::from_big(&q(c.fn_), prec);
                        let fpv = Interval::from_big(&q(c.fp), prec);
                        let num = fnv.div(&ra)?.add(&fpv.div(&rb)?);
                        Ok(LossValue::Interval(num.div(&ra.add(&rb))?))
                    }
                }
            }
            Loss::Certified(e) => match e.certified(c, prec)? {
                None => Ok(LossValue::Exact(Q::from_integer(0.into()))),
                Some(Ok(q)) => Ok(LossValue::Exact(q)),
                Some(Err(i)) => Ok(LossValue::Interval(i)),
            },
        }
    }
}

/// The set loss a relaxation equals at binary predictions and labels, which is all
/// the count-space search visits: soft Dice, DML → dice; soft Jaccard, JML,
/// Lovász-Jaccard → jaccard; soft Tversky → tversky; `lovasz:SPEC` → SPEC;
/// `soft-expr:F` → `expr:` of F with Σp·y = tp, Σp = Σp² = tp + fp, Σy = Σy² =
/// tp + fn; unsmoothed peer presets → their count measure. The squared-denominator
/// variants agree there too (p² = p for p ∈ {0, 1}); smoothed variants (`eps=`) do
/// not, and are refused. Each loss states its restriction
/// ([`crate::surrogates::soft::SoftLoss::hard_restriction`]); the `lovasz-extension`
/// claim and the surrogate property tests check these equalities exactly.
pub fn hard_counterpart(spec: &str) -> Option<String> {
    crate::surrogates::soft::parse_soft(spec)
        .ok()
        .and_then(|l| l.hard_restriction())
}

/// Whether an interval is certainly positive / certainly zero.
pub fn sign_of(i: &Interval) -> Option<std::cmp::Ordering> {
    let zero = Float::with_val(i.prec(), 0);
    if *i.lo() > zero {
        Some(std::cmp::Ordering::Greater)
    } else if *i.hi() < zero {
        Some(std::cmp::Ordering::Less)
    } else if i.lo().is_zero() && i.hi().is_zero() {
        Some(std::cmp::Ordering::Equal)
    } else {
        None
    }
}
