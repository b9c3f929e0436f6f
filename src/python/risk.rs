//! `risk`: exact expected Dice/Jaccard of a decision under independent Bernoulli
//! labels, the optimal top-k decision and the regret (the CLI's `risk --probs`),
//! or the pooled metric and its F*/2 threshold (`risk --pooled`).
//!
//! The probabilities arrive as exact number texts: the Python wrapper turns a
//! float into the `Fraction` it stores (`Fraction(0.1)` is 3602879701896397/2^55,
//! not 1/10), a `Fraction` or an `int` into `p/q`, and passes strings through, so
//! the CLI's parser ([`parse_probs`]) reads them and its messages are the errors.
//! Results are the CLI's `--json` document with `Fraction`s for the `p/q` strings.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::{fraction, run_blocking, OrPy};
use crate::error::Error;
use crate::exact::{parse_rational, parse_unit_rational, Q};
use crate::masks::parse_bits;
use crate::measures::EmptyPolicy;
use crate::risk::{
    bits, check_len, parse_probs, pooled_optimal, pooled_value, risk_report, threshold_pred,
    weight_threshold, RiskMetric,
};

/// What the worker computes: the per-image report or the pooled one.
enum Report {
    PerImage(crate::risk::RiskReport),
    Pooled {
        pred: Vec<bool>,
        value: Q,
        optimum: crate::risk::PooledOptimum,
    },
}

/// Native `risk` (see `diceproof.risk` for the documentation).
#[pyfunction]
#[pyo3(signature = (probs, metric, pred, threshold, weight, empty, pooled))]
#[allow(clippy::too_many_arguments)]
pub fn risk<'py>(
    py: Python<'py>,
    probs: Vec<String>,
    metric: &str,
    pred: Option<String>,
    threshold: Option<String>,
    weight: Option<String>,
    empty: &str,
    pooled: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let metric: RiskMetric = metric.parse().py()?;
    let policy: EmptyPolicy = empty.parse().py()?;
    if policy == EmptyPolicy::NanIfGtEmpty {
        return Err(super::py_err(Error::invalid(
            "empty=\"nan-if-gt-empty\" is not available in risk: an expectation over random \
             labels is undefined whenever the labels can all be 0; use empty=\"one\" or \"zero\"",
        )));
    }
    let probs = parse_probs(&probs.join(",")).py()?;
    let decision = match (&pred, &threshold, &weight) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
            return Err(super::py_err(Error::invalid(
                "give at most one of pred, threshold and weight (the decision is the bits \
                 pred, [π > threshold], or the weighted-CE rule [π > 1 − weight])",
            )))
        }
        (Some(b), None, None) => {
            let p = parse_bits(b).py()?;
            check_len(probs.len(), &p).py()?;
            p
        }
        (None, t, w) => {
            let t = match (t, w) {
                (_, Some(w)) => {
                    let w = parse_rational(w)
                        .map_err(|e| Error::invalid(format!("weight {w:?}: {e}")))
                        .py()?;
                    weight_threshold(&w).py()?
                }
                (Some(t), None) => parse_unit_rational(t, "the threshold").py()?,
                (None, None) => Q::new(1.into(), 2.into()),
            };
            threshold_pred(&probs, &t)
        }
    };
    let m = metric.clone();
    // O(n²) dynamic programming per candidate size: long for large n, so it runs
    // on a worker and Ctrl-C returns at once (the worker finishes in the background).
    let report = run_blocking(py, move |_stop| {
        if pooled {
            let value = pooled_value(&probs, &decision, &m, policy)?;
            let optimum = pooled_optimal(&probs, &m, policy)?;
            Ok(Report::Pooled {
                pred: decision,
                value,
                optimum,
            })
        } else {
            risk_report(&probs, &decision, &m, policy).map(Report::PerImage)
        }
    })?;
    let out = PyDict::new(py);
    out.set_item("metric", metric.name())?;
    match report {
        Report::PerImage(r) => {
            out.set_item("n", r.n)?;
            let d = PyDict::new(py);
            d.set_item("pred", bits(&r.decision.pred))?;
            d.set_item("expected", fraction(py, &r.decision.expected)?)?;
            out.set_item("decision", d)?;
            let o = PyDict::new(py);
            o.set_item("pred", bits(&r.optimal.pred))?;
            o.set_item("k", r.optimal.k)?;
            o.set_item("expected", fraction(py, &r.optimal.expected)?)?;
            out.set_item("optimal", o)?;
            out.set_item("regret", fraction(py, &r.regret)?)?;
        }
        Report::Pooled {
            pred,
            value,
            optimum,
        } => {
            out.set_item("n", pred.len())?;
            out.set_item("pooled", true)?;
            let d = PyDict::new(py);
            d.set_item("pred", bits(&pred))?;
            d.set_item("value", fraction(py, &value)?)?;
            out.set_item("decision", d)?;
            let o = PyDict::new(py);
            o.set_item("pred", bits(&optimum.decision.pred))?;
            o.set_item("k", optimum.decision.k)?;
            o.set_item("value", fraction(py, &optimum.decision.value)?)?;
            o.set_item("threshold", fraction(py, &optimum.threshold)?)?;
            out.set_item("optimal", o)?;
            out.set_item("regret", fraction(py, &(&optimum.decision.value - &value))?)?;
        }
    }
    Ok(out)
}
