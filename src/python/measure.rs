//! `measure`: counts and exact metrics of two numpy arrays.
//!
//! The arrays arrive C-contiguous (the Python wrapper calls
//! `numpy.ascontiguousarray`, so any memory order is compared by logical index)
//! and are read in place through [`crate::buffers`]: no copy, one parallel pass
//! for the counts, one for the exact soft sums.

use numpy::{PyReadonlyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::{fraction, run_quick, OrPy};
use crate::buffers::{self, Buf, Layout, PredRule};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::{parse_rational, Q};
use crate::measures::{parse_measure, EmptyPolicy, Measure, Value};
use crate::surrogates::soft::{parse_soft, InputDomain, SoftLoss};

/// A borrowed numpy array of one of the supported element types.
enum Arr<'py> {
    Bool(PyReadonlyArrayDyn<'py, bool>),
    U8(PyReadonlyArrayDyn<'py, u8>),
    I8(PyReadonlyArrayDyn<'py, i8>),
    U16(PyReadonlyArrayDyn<'py, u16>),
    I16(PyReadonlyArrayDyn<'py, i16>),
    U32(PyReadonlyArrayDyn<'py, u32>),
    I32(PyReadonlyArrayDyn<'py, i32>),
    U64(PyReadonlyArrayDyn<'py, u64>),
    I64(PyReadonlyArrayDyn<'py, i64>),
    F32(PyReadonlyArrayDyn<'py, f32>),
    F64(PyReadonlyArrayDyn<'py, f64>),
}

macro_rules! try_arr {
    ($obj:expr, $($v:ident: $t:ty),*) => {$(
        if let Ok(a) = $obj.extract::<PyReadonlyArrayDyn<'py, $t>>() {
            return Ok(Arr::$v(a));
        }
    )*};
}

impl<'py> Arr<'py> {
    fn new(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Arr<'py>> {
        try_arr!(obj, Bool: bool, U8: u8, I8: i8, U16: u16, I16: i16, U32: u32, I32: i32,
                 U64: u64, I64: i64, F32: f32, F64: f64);
        let dtype = obj
            .getattr("dtype")
            .map(|d| d.to_string())
            .unwrap_or_else(|_| obj.get_type().to_string());
        Err(PyTypeError::new_err(format!(
            "{name} has type {dtype}; measure accepts numpy arrays of bool, int8 to int64, \
             uint8 to uint64, float32 or float64"
        )))
    }

    fn shape(&self) -> Vec<usize> {
        macro_rules! s {
            ($($v:ident),*) => { match self { $(Arr::$v(a) => a.shape().to_vec(),)* } };
        }
        s!(Bool, U8, I8, U16, I16, U32, I32, U64, I64, F32, F64)
    }

    fn buf(&self) -> PyResult<Buf<'_>> {
        let nc = |_| PyValueError::new_err("internal: array is not C-contiguous");
        Ok(match self {
            Arr::Bool(a) => Buf::Bool(a.as_slice().map_err(nc)?),
            Arr::U8(a) => Buf::U8(a.as_slice().map_err(nc)?),
            Arr::I8(a) => Buf::I8(a.as_slice().map_err(nc)?),
            Arr::U16(a) => Buf::U16(a.as_slice().map_err(nc)?),
            Arr::I16(a) => Buf::I16(a.as_slice().map_err(nc)?),
            Arr::U32(a) => Buf::U32(a.as_slice().map_err(nc)?),
            Arr::I32(a) => Buf::I32(a.as_slice().map_err(nc)?),
            Arr::U64(a) => Buf::U64(a.as_slice().map_err(nc)?),
            Arr::I64(a) => Buf::I64(a.as_slice().map_err(nc)?),
            Arr::F32(a) => Buf::F32(a.as_slice().map_err(nc)?),
            Arr::F64(a) => Buf::F64(a.as_slice().map_err(nc)?),
        })
    }
}

/// A requested spec: a count measure or a soft loss.
enum Spec {
    Hard(Measure),
    Soft(Box<dyn SoftLoss>),
}

impl Spec {
    /// A count measure, else a soft loss. When both fail, the error is the soft
    /// parser's if the spec names a soft loss (`soft-dice:eps=x`), else the
    /// measure parser's, which lists the valid measures.
    fn parse(s: &str) -> Result<Spec> {
        match parse_measure(s) {
            Ok(m) => Ok(Spec::Hard(m)),
            Err(e) => parse_soft(s).map(Spec::Soft).map_err(|soft| {
                let head = s
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                let soft_name = crate::surrogates::soft::soft_registry()
                    .iter()
                    .any(|(syntax, _)| syntax.split(['[', ':']).next() == Some(head.as_str()));
                if soft_name {
                    soft
                } else {
                    e
                }
            }),
        }
    }

    fn name(&self) -> String {
        match self {
            Spec::Hard(m) => m.spec(),
            Spec::Soft(l) => l.spec(),
        }
    }
}

/// A soft loss's 0/0 under the empty policy, as (similarity, loss).
fn soft_empty(spec: &str, policy: EmptyPolicy) -> Result<(Value, Value)> {
    let one = || Value::Exact(Q::from_integer(1.into()));
    let zero = || Value::Exact(Q::from_integer(0.into()));
    match policy {
        EmptyPolicy::One => Ok((one(), zero())),
        EmptyPolicy::Zero => Ok((zero(), one())),
        EmptyPolicy::Nan | EmptyPolicy::NanIfGtEmpty => Ok((Value::NaN, Value::NaN)),
        EmptyPolicy::Error => Err(Error::Empty(format!(
            "{spec} is 0/0 here (labels and prediction are all zero) and the empty policy is \
             error; pass empty=\"one\", \"zero\" or \"nan\""
        ))),
    }
}

type Row = (String, Value, Value);

fn compute(
    gt: &Buf,
    pred: &Buf,
    specs: &[Spec],
    policy: EmptyPolicy,
    threshold: Option<f64>,
    layout: Layout,
) -> Result<(Option<Counts>, Vec<Row>)> {
    let need_counts = specs.iter().any(|s| matches!(s, Spec::Hard(_)));
    let rule = threshold.map_or(PredRule::NonZero, PredRule::AtLeast);
    let counts = match buffers::counts(gt, pred, rule, ("gt", "pred"), layout) {
        Ok(c) => Some(c),
        Err(e) if need_counts || threshold.is_some() || matches!(e, Error::Mismatch(_)) => {
            return Err(e)
        }
        Err(_) => None,
    };
    let mut sums = None;
    let mut rows = Vec::new();
    for s in specs {
        let (sim, loss) = match s {
            Spec::Hard(m) => {
                let c = counts
                    .as_ref()
                    .expect("counts exist when a hard spec is asked");
                (m.similarity(c, policy)?, m.loss(c, policy)?)
            }
            Spec::Soft(l) => {
                let value = match l.input_domain() {
                    // Logits (lovasz-hinge): finite values, the whole vector.
                    InputDomain::Logits => {
                        buffers::check_unit(gt, "gt", "labels of a soft loss", layout)?;
                        buffers::check_finite(pred, "pred", "logits", layout)?;
                        l.loss(&buffers::exact_values(gt), &buffers::exact_values(pred))?
                    }
                    InputDomain::Probabilities => {
                        match l.loss_sums(&SoftSumsCache::get(&mut sums, gt, pred, layout)?) {
                            Ok(v) => v,
                            // Losses that need the whole vector (Lovász): the exact values.
                            Err(_) => {
                                l.loss(&buffers::exact_values(gt), &buffers::exact_values(pred))?
                            }
                        }
                    }
                };
                // MONAI's default: NaN whenever the ground truth is empty (Σy = 0),
                // whatever the prediction; the other policies govern 0/0 only.
                let gt_empty = policy == EmptyPolicy::NanIfGtEmpty && !gt_has_foreground(gt);
                match value {
                    _ if gt_empty => (Value::NaN, Value::NaN),
                    Some(v) => (
                        Value::Exact(Q::from_integer(1.into()) - &v),
                        Value::Exact(v),
                    ),
                    None => soft_empty(&l.spec(), policy)?,
                }
            }
        };
        rows.push((s.name(), sim, loss));
    }
    Ok((counts, rows))
}

/// True when some label is nonzero (Σy > 0 for labels in [0, 1]).
fn gt_has_foreground(gt: &Buf) -> bool {
    (0..gt.len()).any(|i| gt.get(i) != 0.0)
}

/// Computes the soft sums once, on first use.
struct SoftSumsCache;

impl SoftSumsCache {
    fn get(
        slot: &mut Option<crate::surrogates::sums::SoftSums<Q>>,
        gt: &Buf,
        pred: &Buf,
        layout: Layout,
    ) -> Result<crate::surrogates::sums::SoftSums<Q>> {
        if slot.is_none() {
            *slot = Some(buffers::soft_sums(gt, pred, ("gt", "pred"), layout)?);
        }
        Ok(slot.clone().expect("just filled"))
    }
}

fn value_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Value::Exact(q) => fraction(py, q),
        Value::NaN => Ok(f64::NAN.into_pyobject(py)?.into_any()),
    }
}

fn describe(a: &Arr, b: &Buf) -> String {
    let s: Vec<String> = a.shape().iter().map(|d| d.to_string()).collect();
    let tuple = match s.len() {
        1 => format!("({},)", s[0]),
        _ => format!("({})", s.join(", ")),
    };
    format!("shape {tuple} {}", b.type_name())
}

/// Native `measure` (see `diceproof.measure` for the documentation).
#[pyfunction]
#[pyo3(signature = (gt, pred, metrics, empty, threshold, fortran=None))]
pub fn measure<'py>(
    py: Python<'py>,
    gt: &Bound<'py, PyAny>,
    pred: &Bound<'py, PyAny>,
    metrics: Vec<String>,
    empty: &str,
    threshold: Option<String>,
    fortran: Option<Vec<usize>>,
) -> PyResult<Bound<'py, PyDict>> {
    let policy: EmptyPolicy = empty.parse().py()?;
    let specs = metrics
        .iter()
        .map(|s| Spec::parse(s))
        .collect::<Result<Vec<Spec>>>()
        .py()?;
    if specs.is_empty() {
        return Err(PyValueError::new_err(
            "metrics is empty; name at least one spec (see diceproof.specs())",
        ));
    }
    let threshold_q = threshold
        .map(|t| parse_rational(&t).map_err(|e| Error::invalid(format!("threshold {t:?}: {e}"))))
        .transpose()
        .py()?;
    let threshold = threshold_q.as_ref().map(buffers::threshold_f64);
    let (ga, pa) = (Arr::new(gt, "gt")?, Arr::new(pred, "pred")?);
    let (gb, pb) = (ga.buf()?, pa.buf()?);
    if ga.shape() != pa.shape() {
        return Err(PyValueError::new_err(format!(
            "shape mismatch: ground truth gt is {} but prediction pred is {}",
            describe(&ga, &gb),
            describe(&pa, &pb)
        )));
    }
    let layout = fortran.as_deref().map_or(Layout::C, Layout::Fortran);
    let (counts, rows) = run_quick(py, || compute(&gb, &pb, &specs, policy, threshold, layout))?;
    let out = PyDict::new(py);
    let n = gb.len() as u64;
    match counts {
        Some(c) => {
            out.set_item("tp", c.tp)?;
            out.set_item("fp", c.fp)?;
            out.set_item("fn", c.fn_)?;
            out.set_item("tn", c.tn)?;
        }
        None => {
            for k in ["tp", "fp", "fn", "tn"] {
                out.set_item(k, py.None())?;
            }
        }
    }
    out.set_item("n", n)?;
    let m = PyDict::new(py);
    for (name, sim, loss) in &rows {
        let d = PyDict::new(py);
        d.set_item("similarity", value_py(py, sim)?)?;
        d.set_item("loss", value_py(py, loss)?)?;
        m.set_item(name, d)?;
    }
    out.set_item("metrics", m)?;
    out.set_item("shape", fortran.unwrap_or_else(|| ga.shape()))?;
    match &threshold_q {
        Some(q) => out.set_item("threshold", fraction(py, q)?)?,
        None => out.set_item("threshold", py.None())?,
    }
    out.set_item("empty_policy", policy.name())?;
    Ok(out)
}
