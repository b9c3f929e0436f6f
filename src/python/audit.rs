//! The exact half of `diceproof.audit`: the domain's points in batches, and the
//! mergeable [`Spread`] of a user's loss (its floats, taken exactly as the dyadic
//! rationals they are) against an exact target.
//!
//! The Python side (`python/diceproof/__init__.py`) asks for a batch of points,
//! calls the user's `loss_fn(p, y)` on them, and feeds the floats back; it also
//! re-evaluates each witness. Points are numbered so that the numbering is the
//! tie-break order of the witnesses:
//!
//! * `masks` on n voxels: index i = g·2ⁿ + p, where g and p read as n-bit numbers
//!   with voxel 0 the most significant bit (lexicographic in (gt, pred));
//! * `grid:K`: index i = y·(K+1)ⁿ + q, y the label as an n-bit number and q the
//!   prediction's numerators j (p = j/K) as an n-digit base-(K+1) number, voxel 0
//!   most significant (the order of `compare --grid`).

use std::collections::HashMap;

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::analyses::spread_dict;
use super::{fraction, OrPy};
use crate::analysis::{Spread, Val};
use crate::buffers::exact_f64;
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::Q;
use crate::measures::{parse_measure, EmptyPolicy, Measure, Value};
use crate::surrogates::soft::{parse_soft, SoftLoss};

/// Largest domain an audit accepts (the losses are kept: 8 bytes per point).
const MAX_POINTS: u64 = 1 << 26;

enum Target {
    Hard(Measure, EmptyPolicy),
    Soft(Box<dyn SoftLoss>),
}

#[derive(Clone, Copy, PartialEq)]
enum Dom {
    Masks,
    Grid(u64),
}

/// An audit in progress (see the module documentation).
#[pyclass(module = "diceproof._native")]
pub struct Audit {
    target: Target,
    n: u32,
    dom: Dom,
    size: u64,
    next: u64,
    losses: Vec<f64>,
    spread: Spread<u64>,
    cache: HashMap<(u64, u64, u64), Q>,
}

fn parse_domain(s: &str) -> Result<Dom> {
    let bad = || {
        Error::invalid(format!(
            "domain must be \"masks\" or \"grid:K\" with an integer K >= 1, got {s:?}"
        ))
    };
    let t = s.trim();
    if t.eq_ignore_ascii_case("masks") {
        return Ok(Dom::Masks);
    }
    match t.split_once(':') {
        Some((g, k)) if g.trim().eq_ignore_ascii_case("grid") => {
            let k: u64 = k.trim().parse().map_err(|_| bad())?;
            if k == 0 {
                return Err(bad());
            }
            Ok(Dom::Grid(k))
        }
        _ => Err(bad()),
    }
}

impl Audit {
    fn build(target: &str, n: u64, domain: &str, empty: &str) -> Result<Audit> {
        let dom = parse_domain(domain)?;
        let policy: EmptyPolicy = empty.parse()?;
        if n == 0 {
            return Err(Error::invalid("n must be a size >= 1 (number of voxels)"));
        }
        let target = match (parse_measure(target), dom) {
            (Ok(m), Dom::Masks) => {
                if policy == EmptyPolicy::Nan {
                    return Err(Error::invalid(
                        "empty=\"nan\" leaves the target undefined on two empty masks; an \
                         audit needs empty=\"one\", \"zero\" or \"error\"",
                    ));
                }
                Target::Hard(m, policy)
            }
            (Ok(_), Dom::Grid(_)) => {
                return Err(Error::invalid(format!(
                    "{target} is defined on masks; on domain=\"grid:K\" use a relaxation such \
                     as soft-dice, soft-jaccard, jml, dml or lovasz:{target}"
                )))
            }
            (Err(e), _) => Target::Soft(parse_soft(target).map_err(|_| e)?),
        };
        let size = match dom {
            Dom::Masks => 4u64.checked_pow(n as u32),
            Dom::Grid(k) => (k + 1)
                .checked_pow(n as u32)
                .and_then(|p| p.checked_mul(1u64.checked_shl(n as u32)?)),
        }
        .filter(|&s| n <= 32 && s <= MAX_POINTS)
        .ok_or_else(|| {
            Error::TooLarge(format!(
                "domain {domain:?} on n = {n} voxels has more than 2^26 points; lower n or K"
            ))
        })?;
        Ok(Audit {
            target,
            n: n as u32,
            dom,
            size,
            next: 0,
            losses: Vec::with_capacity(size as usize),
            spread: Spread::default(),
            cache: HashMap::new(),
        })
    }

    /// Labels y and prediction numerators of point i (p = numerator / K; K = 1 on masks).
    fn point(&self, i: u64) -> (Vec<u64>, Vec<u64>) {
        let n = self.n as usize;
        let (mut y, mut p) = (vec![0u64; n], vec![0u64; n]);
        let (yi, mut pi, base) = match self.dom {
            Dom::Masks => (i >> self.n, i & ((1u64 << self.n) - 1), 2),
            Dom::Grid(k) => {
                let per = (k + 1).pow(self.n);
                (i / per, i % per, k + 1)
            }
        };
        for j in (0..n).rev() {
            y[j] = (yi >> (n - 1 - j)) & 1;
            p[j] = pi % base;
            pi /= base;
        }
        (y, p)
    }

    fn k(&self) -> u64 {
        match self.dom {
            Dom::Masks => 1,
            Dom::Grid(k) => k,
        }
    }

    /// The exact target at point i.
    fn target_at(&mut self, i: u64) -> Result<Q> {
        let (y, p) = self.point(i);
        match &self.target {
            Target::Hard(m, policy) => {
                let tp = y
                    .iter()
                    .zip(&p)
                    .filter(|(a, b)| **a == 1 && **b == 1)
                    .count() as u64;
                let gs = y.iter().sum::<u64>();
                let ps = p.iter().sum::<u64>();
                let key = (tp, gs - tp, ps - tp);
                if let Some(q) = self.cache.get(&key) {
                    return Ok(q.clone());
                }
                let c = Counts::new(tp, ps - tp, gs - tp, self.n as u64 + tp - gs - ps)?;
                let q = match m.loss(&c, *policy)? {
                    Value::Exact(q) => q,
                    Value::NaN => return Err(Error::invalid("the target is undefined here")),
                };
                self.cache.insert(key, q.clone());
                Ok(q)
            }
            Target::Soft(l) => {
                let k = self.k();
                let yq: Vec<Q> = y.iter().map(|&v| Q::from_integer(v.into())).collect();
                let pq: Vec<Q> = p.iter().map(|&v| Q::new(v.into(), k.into())).collect();
                Ok(l.loss(&yq, &pq)?
                    .unwrap_or_else(|| Q::from_integer(0.into())))
            }
        }
    }

    fn describe(&self, i: u64) -> String {
        let (y, p) = self.point(i);
        let k = self.k();
        let f = |v: &[u64], den: u64| {
            v.iter()
                .map(|&x| {
                    if den == 1 || x == 0 || x == den {
                        (x / den).to_string()
                    } else {
                        format!("{x}/{den}")
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("point {i}: y=({}) p=({})", f(&y, 1), f(&p, k))
    }

    fn feed_values(&mut self, losses: &[f64]) -> Result<()> {
        for &x in losses {
            let i = self.next;
            let cand = exact_f64(x).ok_or_else(|| {
                Error::invalid(format!(
                    "loss_fn returned {x} at {}; an audit needs a finite loss everywhere",
                    self.describe(i)
                ))
            })?;
            let t = self.target_at(i)?;
            self.spread
                .visit(&i, &Val::from_q(t), &Val::from_q(cand), || 1u32.into());
            self.spread.configurations += 1u32;
            self.losses.push(x);
            self.next += 1;
        }
        Ok(())
    }

    fn witness<'py>(&mut self, py: Python<'py>, i: u64) -> PyResult<Bound<'py, PyAny>> {
        let (y, p) = self.point(i);
        let k = self.k();
        let d = PyDict::new(py);
        d.set_item("index", i)?;
        d.set_item("y", y.clone())?;
        if k == 1 {
            d.set_item("p", p.clone())?;
        } else {
            let l = PyList::empty(py);
            for &v in &p {
                l.append(fraction(py, &Q::new(v.into(), k.into()))?)?;
            }
            d.set_item("p", l)?;
        }
        d.set_item("loss", self.losses[i as usize])?;
        let t = self.target_at(i).py()?;
        d.set_item("target", fraction(py, &t)?)?;
        Ok(d.into_any())
    }
}

#[pymethods]
impl Audit {
    /// Starts an audit of a loss against `target` on `domain` ("masks" or "grid:K").
    #[new]
    #[pyo3(signature = (target, n, domain, empty))]
    fn new(target: &str, n: u64, domain: &str, empty: &str) -> PyResult<Audit> {
        Audit::build(target, n, domain, empty).py()
    }

    /// Number of points of the domain.
    #[getter]
    fn size(&self) -> u64 {
        self.size
    }

    /// Points fed so far.
    #[getter]
    fn fed(&self) -> u64 {
        self.next
    }

    /// The canonical target spec.
    #[getter]
    fn target(&self) -> String {
        match &self.target {
            Target::Hard(m, _) => m.spec(),
            Target::Soft(l) => l.spec(),
        }
    }

    /// Points `start .. start + count` as `(p, y)`, two float64 arrays (count, n).
    fn points<'py>(
        &self,
        py: Python<'py>,
        start: u64,
        count: u64,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
        if start.checked_add(count).is_none_or(|e| e > self.size) {
            return Err(PyValueError::new_err(format!(
                "points {start}..{} lie outside the domain of {} points",
                start.saturating_add(count),
                self.size
            )));
        }
        let n = self.n as usize;
        let k = self.k() as f64;
        let mut pv = Vec::with_capacity(count as usize * n);
        let mut yv = Vec::with_capacity(count as usize * n);
        for i in start..start + count {
            let (y, p) = self.point(i);
            yv.extend(y.iter().map(|&v| v as f64));
            // j/K rounded once: exactly the float a user's grid would hold.
            pv.extend(p.iter().map(|&v| v as f64 / k));
        }
        let shape = [count as usize, n];
        Ok((
            PyArray1::from_vec(py, pv).reshape(shape)?.into_any(),
            PyArray1::from_vec(py, yv).reshape(shape)?.into_any(),
        ))
    }

    /// Feeds the losses of the next `len(losses)` points, which must start at `start`.
    fn feed(
        &mut self,
        py: Python<'_>,
        start: u64,
        losses: PyReadonlyArray1<'_, f64>,
    ) -> PyResult<()> {
        if start != self.next {
            return Err(PyValueError::new_err(format!(
                "feed expects the losses of point {} next, got start={start}",
                self.next
            )));
        }
        let v = losses
            .as_slice()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        if start + v.len() as u64 > self.size {
            return Err(PyValueError::new_err(format!(
                "{} losses from point {start} overrun the domain of {} points",
                v.len(),
                self.size
            )));
        }
        let me = &mut *self;
        super::run_quick(py, || me.feed_values(v))
    }

    /// The summary (the fields of `compare`) with witnesses as dicts
    /// `{index, y, p, loss, target}`.
    fn result<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        if self.next != self.size {
            return Err(PyValueError::new_err(format!(
                "the audit has seen {} of {} points",
                self.next, self.size
            )));
        }
        let spread = self.spread.clone();
        let me = std::cell::RefCell::new(self);
        let d = spread_dict(py, &spread, &|i| me.borrow_mut().witness(py, *i))?;
        Ok(d)
    }
}
