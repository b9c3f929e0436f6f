//! The Python extension module `diceproof._native` (feature `python`), wrapped by
//! the pure-Python package in `python/diceproof/` that users import.
//!
//! # Shape of the layer
//!
//! Everything here goes through the library's public API, never through `cli`, so
//! a spec another module learns to parse works from Python without a change here.
//! The split with the Python side is deliberate: argument normalisation that numpy
//! does best (making an array C-contiguous, turning a float threshold into an exact
//! `Fraction`) and the loop that calls a user's loss function live in Python; the
//! exact arithmetic, the enumerations and the parsing of specs live in Rust.
//!
//! # Results, errors, panics, Ctrl-C
//!
//! * Exact numbers become `fractions.Fraction` (built from the `p/q` text, so no
//!   float is ever on the way); certified intervals become `(lo, hi)` pairs of
//!   `Fraction`s; undefined values (the `nan` empty policy) become `float("nan")`.
//! * Library errors become `ValueError` with the CLI's message (the CLI prints the
//!   same text after `error:`); arrays of an unsupported type are a `TypeError`.
//! * Every entry point runs under `catch_unwind`: a Rust panic is a `RuntimeError`
//!   naming it, never a crash of the interpreter.
//! * Long calls ([`run_blocking`]) run on a worker thread while the calling thread
//!   releases the GIL and polls `Python::check_signals` every 50 ms. On Ctrl-C
//!   the worker is told to stop through a flag that the enumeration checks between
//!   chunks and that the library's progress callbacks check (unwinding out of the
//!   library with a private payload, which [`run_blocking`] turns back into
//!   `KeyboardInterrupt`).

mod analyses;
mod audit;
mod measure;
mod risk;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::error::Error;
use crate::exact::{format_q, Q};

/// Library errors as Python exceptions: every variant is bad input or an input
/// too large, i.e. a `ValueError`, with the CLI's message.
fn py_err(e: Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// `Result` of the library as `PyResult`.
trait OrPy<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for crate::error::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

/// An exact rational as `fractions.Fraction`.
fn fraction<'py>(py: Python<'py>, q: &Q) -> PyResult<Bound<'py, PyAny>> {
    py.import("fractions")?
        .getattr("Fraction")?
        .call1((format_q(q),))
}

/// A rational given as text `p/q` (rug or num formatting) as `fractions.Fraction`.
fn fraction_text<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("fractions")?.getattr("Fraction")?.call1((text,))
}

/// The payload a stopped computation unwinds with (never shown to anyone).
struct Stopped;

/// A stop flag shared between the waiting thread and the worker.
#[derive(Clone, Default)]
struct Stop(Arc<AtomicBool>);

impl Stop {
    /// True once Ctrl-C was seen.
    fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Call from inside a library callback: leaves the computation if stopped.
    /// `resume_unwind` does not run the panic hook, so nothing is printed.
    fn bail_if_set(&self) {
        if self.is_set() {
            std::panic::resume_unwind(Box::new(Stopped));
        }
    }
}

/// A panic payload as text.
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Outcome of a worker: its result, a stop, or a panic message.
enum Done<T> {
    Value(crate::error::Result<T>),
    Stopped,
    Panicked(String),
}

fn guarded<T>(f: impl FnOnce() -> crate::error::Result<T>) -> Done<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Done::Value(v),
        Err(p) if p.is::<Stopped>() => Done::Stopped,
        Err(p) => Done::Panicked(panic_message(&*p)),
    }
}

fn finish<T>(d: Done<T>) -> PyResult<T> {
    match d {
        Done::Value(v) => v.py(),
        Done::Stopped => Err(PyKeyboardInterrupt::new_err("stopped by Ctrl-C")),
        Done::Panicked(m) => Err(PyRuntimeError::new_err(format!(
            "internal error in diceproof (a Rust panic, please report it): {m}"
        ))),
    }
}

/// Runs a short computation without the GIL, panics caught.
fn run_quick<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> crate::error::Result<T> + Send,
) -> PyResult<T> {
    finish(py.detach(|| guarded(f)))
}

/// Runs a long computation on a worker thread; the caller's thread waits without
/// the GIL and checks for Ctrl-C every 50 ms (see the module documentation).
fn run_blocking<T: Send + 'static>(
    py: Python<'_>,
    f: impl FnOnce(&Stop) -> crate::error::Result<T> + Send + 'static,
) -> PyResult<T> {
    let stop = Stop::default();
    let (tx, rx) = mpsc::channel();
    let worker_stop = stop.clone();
    std::thread::Builder::new()
        .name("diceproof".into())
        .spawn(move || {
            let _ = tx.send(guarded(|| f(&worker_stop)));
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a worker thread: {e}")))?;
    // A Receiver is not Sync; the mutex lets the GIL-free closure borrow it.
    let rx = std::sync::Mutex::new(rx);
    let wait = |d: Duration| {
        rx.lock()
            .map_err(|_| mpsc::RecvTimeoutError::Disconnected)
            .and_then(|r| r.recv_timeout(d))
    };
    loop {
        match py.detach(|| wait(Duration::from_millis(50))) {
            Ok(done) => return finish(done),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals() {
                    stop.0.store(true, Ordering::Relaxed);
                    // Wait for the worker to notice, so no computation outlives the
                    // call (it checks between chunks and in progress callbacks).
                    let _ = py.detach(|| wait(Duration::from_secs(30)));
                    return Err(e);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err("the diceproof worker thread died"))
            }
        }
    }
}

/// A `serde_json` value as plain Python objects (via the `json` module).
fn json_to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.getattr("loads")?.call1((v.to_string(),))
}

/// The module: private functions that `python/diceproof/__init__.py` wraps.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(measure::measure, m)?)?;
    m.add_function(wrap_pyfunction!(analyses::compare, m)?)?;
    m.add_function(wrap_pyfunction!(analyses::search, m)?)?;
    m.add_function(wrap_pyfunction!(analyses::check, m)?)?;
    m.add_function(wrap_pyfunction!(analyses::claims, m)?)?;
    m.add_function(wrap_pyfunction!(analyses::prove, m)?)?;
    m.add_function(wrap_pyfunction!(risk::risk, m)?)?;
    m.add_function(wrap_pyfunction!(specs, m)?)?;
    m.add_class::<audit::Audit>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// The measure specs, soft losses and empty-mask policies diceproof understands.
#[pyfunction]
fn specs(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    let measures = PyList::empty(py);
    for m in crate::measures::spec::registry() {
        let d = PyDict::new(py);
        d.set_item("name", m.name)?;
        d.set_item("aliases", m.aliases.to_vec())?;
        d.set_item("syntax", m.syntax)?;
        d.set_item("summary", m.summary)?;
        measures.append(d)?;
    }
    out.set_item("measures", measures)?;
    let soft = PyList::empty(py);
    for (syntax, summary) in crate::surrogates::soft::soft_registry() {
        let d = PyDict::new(py);
        d.set_item("syntax", *syntax)?;
        d.set_item("summary", *summary)?;
        soft.append(d)?;
    }
    out.set_item("soft", soft)?;
    let policies: Vec<&str> = crate::EmptyPolicy::ALL.iter().map(|p| p.0).collect();
    out.set_item("empty_policies", policies)?;
    out.set_item("default_empty_policy", crate::EmptyPolicy::default().name())?;
    Ok(out)
}
