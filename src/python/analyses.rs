//! `compare`, `search`, `check`, `claims`: the CLI's analyses as Python calls
//! returning dicts of `Fraction`s.
//!
//! `compare` on masks runs the enumerator's chunks itself (in parallel, as
//! `enumerate::run` does) so that Ctrl-C is seen between chunks; the relaxed
//! domain, the search and the claims stop through their progress callbacks.

use std::sync::Mutex;

use num_bigint::BigUint;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;

use super::{fraction, fraction_text, json_to_py, run_blocking, OrPy, Stop};
use crate::analysis::{Extreme, Pair, Spread};
use crate::claims::schema::Constant;
use crate::claims::{outcome_json, registry, select, Progress};
use crate::counts::Counts;
use crate::enumerate::relaxed::{self, Domain, SoftPoint};
use crate::enumerate::voxel_space::first_pair_with;
use crate::enumerate::{Job, Mode, DEFAULT_LIMIT_S};
use crate::error::{Error, Result};
use crate::exact::{parse_rational, Q};
use crate::measures::{parse_measure, EmptyPolicy};
use crate::search::{Bound as Claim, Found, Loss, LossValue, Search, Witness};
use crate::surrogates::soft::parse_soft;

/// A witness of the counts enumerators: counts, and the masks in voxel mode.
fn counts_witness<'py>(py: Python<'py>, c: &Counts, mode: Mode) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    d.set_item("tp", c.tp)?;
    d.set_item("fp", c.fp)?;
    d.set_item("fn", c.fn_)?;
    d.set_item("tn", c.tn)?;
    if mode == Mode::Voxels {
        if let Ok((g, p)) = first_pair_with(c) {
            d.set_item("gt", g.to_string())?;
            d.set_item("pred", p.to_string())?;
        }
    }
    Ok(d.into_any())
}

/// A relaxed-domain witness: y and p as lists of `Fraction`s.
fn soft_witness<'py>(py: Python<'py>, w: &SoftPoint) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    let v = |x: &[Q]| -> PyResult<Bound<'py, PyList>> {
        let l = PyList::empty(py);
        for q in x {
            l.append(fraction(py, q)?)?;
        }
        Ok(l)
    };
    d.set_item("y", v(&w.y)?)?;
    d.set_item("p", v(&w.p)?)?;
    Ok(d.into_any())
}

/// The `compare --json` fields of a spread, with `Fraction`s and witnesses written
/// by `witness`. Also used by `audit`.
pub(super) fn spread_dict<'py, W: crate::analysis::Witness>(
    py: Python<'py>,
    s: &Spread<W>,
    witness: &dyn Fn(&W) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let val = |e: &Option<Extreme<W>>| -> PyResult<Bound<'py, PyAny>> {
        match e {
            Some(e) => fraction(py, &e.value),
            None => Ok(py.None().into_bound(py)),
        }
    };
    let wit = |e: &Option<Extreme<W>>| -> PyResult<Bound<'py, PyAny>> {
        match e {
            Some(e) => witness(&e.witness),
            None => Ok(py.None().into_bound(py)),
        }
    };
    let out = PyDict::new(py);
    let int = |b: &BigUint| -> PyResult<Bound<'py, PyAny>> {
        py.import("builtins")?
            .getattr("int")?
            .call1((b.to_string(),))
    };
    out.set_item("configurations", int(&s.configurations)?)?;
    out.set_item("tuples", s.tuples)?;
    out.set_item("skipped", int(&s.skipped)?)?;
    let r = PyDict::new(py);
    r.set_item("min", val(&s.min_ratio)?)?;
    r.set_item("min_witness", wit(&s.min_ratio)?)?;
    match &s.unbounded {
        Some(u) => {
            r.set_item("max", f64::INFINITY)?;
            r.set_item("max_witness", witness(u)?)?;
        }
        None => {
            r.set_item("max", val(&s.max_ratio)?)?;
            r.set_item("max_witness", wit(&s.max_ratio)?)?;
        }
    }
    r.set_item("unbounded", s.unbounded.is_some())?;
    r.set_item("max_finite", val(&s.max_ratio)?)?;
    r.set_item("max_finite_witness", wit(&s.max_ratio)?)?;
    match s.spread() {
        Some(q) => r.set_item("spread", fraction(py, &q)?)?,
        None => r.set_item("spread", f64::INFINITY)?,
    }
    out.set_item("ratio", r)?;
    let g = PyDict::new(py);
    g.set_item("max", val(&s.max_gap)?)?;
    g.set_item("witness", wit(&s.max_gap)?)?;
    out.set_item("abs_gap", g)?;
    Ok(out)
}

/// Whether a spec names a relaxation rather than a count measure (as the CLI).
fn is_soft(spec: &str) -> bool {
    parse_measure(spec).is_err() && parse_soft(spec).is_ok()
}

/// Every chunk of a job in parallel, stopping between chunks on Ctrl-C.
fn run_job(job: &Job, stop: &Stop) -> Result<Spread> {
    let total = Mutex::new(Spread::default());
    (0..job.chunks())
        .into_par_iter()
        .try_for_each(|i| -> Result<()> {
            stop.bail_if_set();
            let s = job.run_chunk(i)?;
            total.lock().unwrap_or_else(|e| e.into_inner()).merge(s);
            Ok(())
        })?;
    Ok(total.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Native `compare` (see `diceproof.compare`).
#[pyfunction]
#[pyo3(signature = (target, candidate, n, mode, empty, grid, soft_labels, force))]
#[allow(clippy::too_many_arguments)]
pub fn compare<'py>(
    py: Python<'py>,
    target: String,
    candidate: String,
    n: u64,
    mode: String,
    empty: String,
    grid: Option<u64>,
    soft_labels: bool,
    force: bool,
) -> PyResult<Bound<'py, PyDict>> {
    if n == 0 {
        return Err(super::py_err(Error::invalid(
            "n must be a size >= 1 (number of voxels)",
        )));
    }
    if grid.is_some() || is_soft(&target) || is_soft(&candidate) {
        let parse = |spec: &str| {
            parse_soft(spec).map_err(|e| {
                if parse_measure(spec).is_ok() {
                    Error::invalid(format!(
                        "{spec} is defined on masks; in the relaxed domain (grid=K) use a \
                         relaxation such as soft-dice, soft-jaccard, jml, dml or lovasz:{spec}"
                    ))
                } else {
                    e
                }
            })
        };
        let (t, c) = (parse(&target).py()?, parse(&candidate).py()?);
        let domain = Domain::Grid {
            k: grid.unwrap_or(1),
        };
        let points = u32::try_from(n)
            .ok()
            .and_then(|n| relaxed::size(n, domain, soft_labels));
        if !force && points.is_none_or(|p| p > 5_000_000) {
            return Err(super::py_err(Error::TooLarge(format!(
                "n = {n} on this domain is {} points; the limit is 5e6 (about a minute of exact \
                 arithmetic). Pass force=True, or lower n or grid",
                points.map_or("more than 2^128".to_string(), |p| format!(
                    "{:.3e}",
                    p as f64
                ))
            ))));
        }
        let nn = n as u32;
        // Grid enumeration asks the stop flag every few hundred points, so Ctrl-C
        // ends the call within a second.
        let s = run_blocking(py, move |stop| {
            relaxed::run_until(&*t, &*c, nn, domain, soft_labels, &|| stop.is_set())
        })?;
        let d = spread_dict(py, &s, &|w| soft_witness(py, w))?;
        d.set_item("target", parse_soft(&target).py()?.spec())?;
        d.set_item("candidate", parse_soft(&candidate).py()?.spec())?;
        d.set_item("n", n)?;
        d.set_item("mode", "grid")?;
        d.set_item("grid", grid.unwrap_or(1))?;
        d.set_item("soft_labels", soft_labels)?;
        return Ok(d);
    }
    let policy: EmptyPolicy = empty.parse().py()?;
    let pair = Pair::new(
        parse_measure(&target).py()?,
        parse_measure(&candidate).py()?,
        policy,
    )
    .py()?;
    let mode: Mode = mode.parse().py()?;
    let job = Job { pair, n, mode };
    if force {
        if mode == Mode::Voxels {
            job.check_size(f64::INFINITY).py()?;
        }
    } else {
        job.check_size(DEFAULT_LIMIT_S).py()?;
    }
    let j = job.clone();
    let s = run_blocking(py, move |stop| run_job(&j, stop))?;
    let d = spread_dict(py, &s, &|c| counts_witness(py, c, mode))?;
    d.set_item("target", job.pair.target.spec())?;
    d.set_item("candidate", job.pair.candidate.spec())?;
    d.set_item("n", n)?;
    d.set_item("mode", mode.name())?;
    d.set_item("empty", policy.name())?;
    Ok(d)
}

/// A search value: a `Fraction`, or a certified interval as `(lo, hi)` `Fraction`s.
fn loss_value<'py>(py: Python<'py>, v: &LossValue) -> PyResult<Bound<'py, PyAny>> {
    match v {
        LossValue::Exact(q) => fraction(py, q),
        LossValue::Interval(i) => match i.to_rational_bounds() {
            Some((lo, hi)) => Ok((
                fraction_text(py, &lo.to_string())?,
                fraction_text(py, &hi.to_string())?,
            )
                .into_pyobject(py)?
                .into_any()),
            None => Ok(v.render().into_pyobject(py)?.into_any()),
        },
    }
}

/// `p/q` → `Fraction`, `inf` → `float("inf")`, other text (an interval) stays text.
fn exact_or_text<'py>(py: Python<'py>, s: &str) -> PyResult<Bound<'py, PyAny>> {
    if s == "inf" {
        return Ok(f64::INFINITY.into_pyobject(py)?.into_any());
    }
    match parse_rational(s) {
        Ok(q) => fraction(py, &q),
        Err(_) => Ok(s.into_pyobject(py)?.into_any()),
    }
}

fn search_witness<'py>(py: Python<'py>, w: &Witness) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    d.set_item("n", w.counts.n())?;
    d.set_item("tp", w.counts.tp)?;
    d.set_item("fp", w.counts.fp)?;
    d.set_item("fn", w.counts.fn_)?;
    d.set_item("tn", w.counts.tn)?;
    d.set_item("target", fraction(py, &w.target)?)?;
    d.set_item("candidate", loss_value(py, &w.candidate)?)?;
    Ok(d.into_any())
}

/// A positive integer given as an exact number (`1e6` accepted), as the CLI.
fn count_arg(s: &str, what: &str) -> Result<u64> {
    let q = parse_rational(s)?;
    if !q.is_integer() || q < Q::from_integer(1.into()) {
        return Err(Error::invalid(format!(
            "{what} must be a positive integer, got {s:?}"
        )));
    }
    num_traits::ToPrimitive::to_u64(q.numer())
        .ok_or_else(|| Error::invalid(format!("{what} is too large: {s:?}")))
}

/// Native `search` (see `diceproof.search`).
#[pyfunction]
#[pyo3(signature = (target, candidate, claim_factor, claim_abs, max_n, min_n, seed, budget_s, max_evals, nonempty_gt))]
#[allow(clippy::too_many_arguments)]
pub fn search<'py>(
    py: Python<'py>,
    target: String,
    candidate: String,
    claim_factor: Option<String>,
    claim_abs: Option<String>,
    max_n: String,
    min_n: u64,
    seed: u64,
    budget_s: f64,
    max_evals: String,
    nonempty_gt: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let bound = match (&claim_factor, &claim_abs) {
        (Some(_), Some(_)) => {
            return Err(super::py_err(Error::invalid(
                "claim_factor and claim_abs are two different claims: give one",
            )))
        }
        (Some(k), None) => {
            let k = parse_rational(k).py()?;
            if k < Q::from_integer(1.into()) {
                return Err(super::py_err(Error::invalid(
                    "claim_factor K must be at least 1",
                )));
            }
            Claim::Factor(k)
        }
        (None, Some(e)) => {
            let e = parse_rational(e).py()?;
            if e < Q::from_integer(0.into()) {
                return Err(super::py_err(Error::invalid(
                    "claim_abs E must be non-negative",
                )));
            }
            Claim::Abs(e)
        }
        (None, None) => Claim::None,
    };
    if budget_s.is_nan() || budget_s <= 0.0 {
        return Err(super::py_err(Error::invalid("budget_s must be positive")));
    }
    let s = Search {
        target: parse_measure(&target).py()?,
        candidate: Loss::parse(&candidate).py()?,
        bound,
        min_n,
        max_n: count_arg(&max_n, "max_n").py()?,
        seed,
        budget_s,
        max_evals: count_arg(&max_evals, "max_evals").py()?,
        nonempty_gt,
    };
    let spec = (s.target.spec(), s.candidate.spec());
    let found: Found = run_blocking(py, move |stop| {
        let stop = stop.clone();
        s.run(&Progress::from_fn(move |_, _| stop.bail_if_set()))
    })?;
    let d = PyDict::new(py);
    d.set_item("target", spec.0)?;
    d.set_item("candidate", spec.1)?;
    d.set_item("found", found.found)?;
    d.set_item("evaluations", found.evaluations)?;
    d.set_item("seconds", found.seconds)?;
    d.set_item("best_spread", exact_or_text(py, &found.best_spread)?)?;
    d.set_item(
        "best_gap",
        match &found.best_gap {
            Some(g) => exact_or_text(py, g)?,
            None => py.None().into_bound(py),
        },
    )?;
    let w = PyList::empty(py);
    for x in &found.witnesses {
        w.append(search_witness(py, x)?)?;
    }
    d.set_item("witnesses", w)?;
    d.set_item("shrink_steps", found.shrink_steps)?;
    Ok(d)
}

/// Native `check` (see `diceproof.check`): one dict per claim, the `check --json`
/// entries with `constant` as a `Fraction` when it is a rational.
#[pyfunction]
#[pyo3(signature = (names, n))]
pub fn check<'py>(
    py: Python<'py>,
    names: Vec<String>,
    n: Option<u64>,
) -> PyResult<Bound<'py, PyList>> {
    let claims = select(&names).py()?;
    let out = PyList::empty(py);
    for claim in claims {
        let size = n.unwrap_or(claim.default_n).min(claim.max_n);
        let (claim, outcome, secs) = run_blocking(py, move |stop| {
            let stop = stop.clone();
            let progress = Progress::from_fn(move |_, _| stop.bail_if_set());
            let start = std::time::Instant::now();
            // `run` qualifies the status by the check's scopes (holds on sample, …).
            let o = claim.run(size, &progress)?;
            Ok((claim, o, start.elapsed().as_secs_f64()))
        })?;
        let j = serde_json::to_value(outcome_json(&claim, &outcome, size, secs))
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("claim entry: {e}")))?;
        let d = json_to_py(py, &j)?;
        if let Some(Constant::Exact(q)) = &outcome.constant {
            d.set_item("constant", fraction(py, q)?)?;
        }
        out.append(d)?;
    }
    Ok(out)
}

/// Native `claims`: the registered claims.
#[pyfunction]
pub fn claims(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for c in registry() {
        let d = PyDict::new(py);
        d.set_item("name", c.name)?;
        d.set_item("statement", c.statement)?;
        d.set_item("expected", c.expected.name())?;
        d.set_item("quick_n", c.quick_n)?;
        d.set_item("default_n", c.default_n)?;
        d.set_item("max_n", c.max_n)?;
        d.set_item("proof", c.proof())?;
        out.append(d)?;
    }
    Ok(out)
}

/// Native `prove` (see `diceproof.prove`): the `prove --json` document, with each
/// witness's `target` and `candidate` as `Fraction`s.
#[pyfunction]
#[pyo3(signature = (target, candidate, claim_factor, claim_abs, ratio_lower, ratio_upper, empty, nonempty_gt, min_n, timeout_s))]
#[allow(clippy::too_many_arguments)]
pub fn prove<'py>(
    py: Python<'py>,
    target: String,
    candidate: String,
    claim_factor: Option<String>,
    claim_abs: Option<String>,
    ratio_lower: Option<String>,
    ratio_upper: Option<String>,
    empty: String,
    nonempty_gt: bool,
    min_n: u64,
    timeout_s: f64,
) -> PyResult<Bound<'py, PyDict>> {
    use crate::prove::{self, Claim as ProveClaim, Options, Problem};
    let claim = match (&claim_factor, &claim_abs, &ratio_lower, &ratio_upper) {
        (Some(k), None, None, None) => ProveClaim::Factor(parse_rational(k).py()?),
        (None, Some(e), None, None) => ProveClaim::Abs(parse_rational(e).py()?),
        (None, None, Some(a), Some(b)) => {
            ProveClaim::Ratio(parse_rational(a).py()?, parse_rational(b).py()?)
        }
        _ => {
            return Err(super::py_err(Error::invalid(
                "give exactly one claim: claim_factor=K, claim_abs=E, or ratio_lower=A with \
                 ratio_upper=B",
            )))
        }
    };
    if timeout_s.is_nan() || timeout_s <= 0.0 {
        return Err(super::py_err(Error::invalid("timeout_s must be positive")));
    }
    let problem = Problem {
        target: parse_measure(&target).py()?,
        candidate: parse_measure(&candidate).py()?,
        claim,
        empty: empty.parse::<EmptyPolicy>().py()?,
        nonempty_gt,
        min_n: min_n.max(1),
    };
    let opts = Options {
        timeout_s,
        emit_dir: None,
        solvers: prove::solver::installed().0,
    };
    let outcome = run_blocking(py, move |_stop| prove::prove(&problem, &opts, &|_| {}))?;
    let v = serde_json::to_value(&outcome)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("prove outcome: {e}")))?;
    let d = json_to_py(py, &v)?.cast_into::<PyDict>()?;
    let ws = PyList::empty(py);
    for w in v["witnesses"].as_array().into_iter().flatten() {
        let wd = json_to_py(py, w)?.cast_into::<PyDict>()?;
        for key in ["target", "candidate"] {
            if let Some(t) = w[key].as_str() {
                wd.set_item(key, fraction_text(py, t)?)?;
            }
        }
        ws.append(wd)?;
    }
    d.set_item("witnesses", ws)?;
    Ok(d)
}
