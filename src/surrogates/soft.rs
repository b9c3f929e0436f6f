//! Exact soft surrogate losses: soft Dice, soft Jaccard, soft Tversky, the
//! soft-label-safe Jaccard metric and Dice semimetric losses, and Lovász extensions
//! (Lovász-softmax for one class, and the generic extension of any count measure).
//!
//! # Why exact
//!
//! Training losses are relaxations of Dice and Jaccard to probabilities
//! p ∈ \[0,1\]^n. Whether a relaxation *equals* the hard loss at binary predictions,
//! whether two relaxations coincide for hard labels, or whether the Lovász extension
//! differs from soft Jaccard inside the cube are statements about exact values.
//! Every loss here is a ratio of sums of products of the inputs (the Lovász
//! extension adds a sort), so on rational inputs it is a rational, computed as
//! [`Q`] with no rounding and no hidden epsilon. Each loss also has an `f64` path
//! ([`SoftLoss::loss_f64`]) for speed, cross-checked against the exact one.
//!
//! # Inputs and conventions
//!
//! Labels y and probabilities p are slices of equal length n ≥ 1 with every value
//! in \[0, 1\] ([`validate`]). Labels may be soft except for the Lovász losses, which
//! need hard labels y ∈ {0, 1}^n (a soft label is an error naming it).
//!
//! With I = Σ p_i·y_i, Σp = Σ p_i, Σy = Σ y_i, S = Σp + Σy and ‖·‖ the L1 norm:
//!
//! | spec | loss |
//! |---|---|
//! | `soft-dice` | SD = 1 − 2I / S |
//! | `soft-dice:squared` | 1 − 2I / (Σp_i² + Σy_i²) (Milletari et al.'s V-Net form) |
//! | `soft-jaccard` | SJ = 1 − I / (S − I) |
//! | `soft-jaccard:squared` | 1 − I / (Σp_i² + Σy_i² − I) |
//! | `soft-tversky:a=A,b=B` | 1 − I / (I + A·(Σp − I) + B·(Σy − I)); A weights FP-like mass, B FN-like |
//! | `jml` | 1 − Σ min(p_i, y_i) / Σ max(p_i, y_i) = 2‖p−y‖ / (‖p‖+‖y‖+‖p−y‖) |
//! | `dml` | ‖p−y‖ / (‖p‖+‖y‖) |
//! | `lovasz-jaccard` | Lovász-softmax for one class, fast sort-based ([`lovasz_jaccard_fast`]) |
//! | `lovasz:SPEC` | Lovász extension of the count measure SPEC, from the definition ([`lovasz_extension_definition`]) |
//!
//! `jml` and `dml` are Wang & Blaschko's (2023) forms: they equal `soft-jaccard` and
//! `soft-dice` whenever y is binary (any p), and unlike those they are zero iff
//! p = y also for soft labels.
//!
//! **0/0.** Every ratio form has a denominator that vanishes only when its
//! numerator does (for `soft-dice`, `soft-jaccard`, `jml`, `dml`: p = y = 0; for
//! `soft-tversky` with a zero weight also other all-background cases).
//! [`SoftLoss::loss`] then returns `None` and the caller applies an
//! [`crate::measures::EmptyPolicy`]; `EmptyPolicy::One` (loss 0) is what the hard
//! measures do for two empty masks, and what the tests compare against. The `f64`
//! path returns NaN there. The Lovász losses are never 0/0.
//!
//! **Smoothing is explicit.** No loss adds an epsilon unless the spec says
//! `eps=P/Q` (a rational ≥ 0; `eps=0` is the same as leaving it out). It is added
//! to the numerator *and* the denominator of the similarity, and the loss is one
//! minus that:
//!
//! | spec with `eps=E` | loss |
//! |---|---|
//! | `soft-dice` | 1 − (2I + E) / (S + E) |
//! | `soft-jaccard` | 1 − (I + E) / (S − I + E) |
//! | `soft-tversky` | 1 − (I + E) / (I + A(Σp − I) + B(Σy − I) + E) |
//! | `jml` | 1 − (Σmin + E) / (Σmax + E) |
//! | `dml` | 1 − (‖p‖+‖y‖−‖p−y‖ + E) / (‖p‖+‖y‖ + E) = ‖p−y‖ / (‖p‖+‖y‖+E) |
//!
//! (`squared` replaces S as in the first table.) With E > 0 nothing is ever 0/0. The
//! smoothed `jml`/`dml` still equal the smoothed `soft-jaccard`/`soft-dice` for
//! binary y, but the identity SJ = 2·SD/(1+SD) holds only without smoothing.
//! The Lovász losses take no options.
//!
//! # Lovász extension
//!
//! For a set function Δ on subsets of the n voxels with Δ(∅) = 0 and an error
//! vector m, sorted decreasingly by a permutation π,
//!
//! ```text
//! Δ̄(m) = Σ_i m_{π(i)} · ( Δ({π1..πi}) − Δ({π1..π(i−1)}) )      (Berman et al., CVPR 2018)
//! ```
//!
//! The value does not depend on how ties are ordered: over a run of equal values
//! m_{π(i)} = … = m_{π(j)} = v the terms telescope to v·(Δ(prefix j) − Δ(prefix i−1)).
//! For Lovász-softmax, m_i = |y_i − p_i| and the set is the set M of mispredicted
//! voxels; Jaccard's set loss is Δ_J(M) = |M| / |y ∪ M| (and 0 when y ∪ M = ∅).
//! For `lovasz:SPEC` the set loss of an error set M is the count measure's loss of
//! the counts of (y, ŷ = y XOR M), under `EmptyPolicy::One`.
//!
//! Three evaluators:
//! * [`lovasz_extension_definition`]: any set loss, O(n) set-loss calls after one
//!   sort, i.e. O(n²) when each call recounts the masks from scratch (the
//!   definition-based reference used by `lovasz:SPEC`).
//! * [`lovasz_jaccard_fast`]: Jaccard only, O(n log n). The voxels are grouped by
//!   their (exact) error value, the distinct values sorted decreasingly, and the
//!   running counts of errors inside and outside y advanced group by group, so
//!   Δ_J is evaluated (and the exact sum extended) once per distinct value. This is
//!   Berman et al.'s sort-and-cumulative-sum algorithm with ties merged, which the
//!   tie-order independence above makes exact; it matters for speed because
//!   rationals with small denominators take few distinct values.
//! * `f64` versions of both ([`lovasz_extension_definition_f64`],
//!   [`lovasz_jaccard_fast_f64`], the latter per voxel like the reference code).

use std::collections::HashMap;
use std::fmt;

use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rug::Rational;

use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::convert::{big_to_rug, rug_to_big};
use crate::exact::{format_q, q_to_f64, Q};
use crate::measures::spec::{strip_family, Args};
use crate::measures::{parse_measure, EmptyPolicy, Measure};
use crate::surrogates::presets;
use crate::surrogates::soft_expr::SoftExpr;
use crate::surrogates::sums::{Needs, SoftNum, SoftSums};

/// What a loss's prediction input holds, which decides how a map is validated
/// before it is evaluated (`measure`, the Python `measure`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputDomain {
    /// Probabilities: every value in \[0, 1\] (every loss but the Lovász hinge).
    Probabilities,
    /// Logits: any finite value (the reference `lovasz_hinge`).
    Logits,
}

impl InputDomain {
    /// The word used in messages and in `specs`.
    pub fn name(self) -> &'static str {
        match self {
            InputDomain::Probabilities => "probabilities in [0, 1]",
            InputDomain::Logits => "logits (any finite number)",
        }
    }
}

/// How a loss is averaged over the classes of a multi-class map
/// (`measure --channel-axis`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassRule {
    /// The command chooses the classes (`--classes`, `--include-background`): the
    /// built-in losses, which have no class options of their own.
    Command,
    /// The loss's own options choose, as its library does (MONAI's
    /// `include_background`, the Lovász reference's `classes`); the command's class
    /// options may repeat that choice but not contradict it.
    Own {
        /// Which classes the mean runs over.
        classes: presets::Classes,
        /// Whether class 0 may be among them.
        include_background: bool,
        /// The options as the loss's library names them, for messages.
        options: String,
    },
    /// The loss is not a mean of per-class losses (MONAI's generalized Dice weighs
    /// the classes inside one ratio); a multi-class map is refused with this reason.
    NotAMean(String),
}

/// A loss on (labels, probabilities), exact and in `f64`.
pub trait SoftLoss: Send + Sync + fmt::Debug {
    /// The canonical spec, which [`parse_soft`] reads back to this loss.
    fn spec(&self) -> String;
    /// The exact loss; `None` when it is 0/0 (the caller applies an
    /// [`EmptyPolicy`]). Errors if the inputs fail [`validate`], or (Lovász losses)
    /// if a label is not 0 or 1.
    fn loss(&self, y: &[Q], p: &[Q]) -> Result<Option<Q>>;
    /// The loss in `f64`: fast, inexact, unvalidated; NaN for 0/0, for slices of
    /// different lengths, and (Lovász losses) for a label other than 0 or 1.
    fn loss_f64(&self, y: &[f64], p: &[f64]) -> f64;
    /// The exact loss from the per-image sums alone, for losses that are functions
    /// of them (every loss but the Lovász ones, which return an error saying they
    /// need the whole vector). `None` is 0/0, as in [`SoftLoss::loss`].
    fn loss_sums(&self, s: &SoftSums<Q>) -> Result<Option<Q>> {
        let _ = s;
        Err(Error::invalid(format!(
            "{} is not a function of the per-image sums: it needs the whole prediction",
            self.spec()
        )))
    }
    /// The same loss as a `soft-expr:` or built-in spec, when there is one (shown by
    /// `specs NAME` for the peer presets).
    fn equivalent(&self) -> Option<String> {
        None
    }
    /// The count measure this loss equals on binary labels and predictions, as a
    /// spec, when it is one (`search` evaluates relaxations through it).
    fn hard_restriction(&self) -> Option<String> {
        None
    }
    /// What the prediction input holds (probabilities unless the loss says
    /// otherwise); every caller that validates a map asks this, never the name.
    fn input_domain(&self) -> InputDomain {
        InputDomain::Probabilities
    }
    /// How the loss averages over the classes of a multi-class map.
    fn class_rule(&self) -> ClassRule {
        ClassRule::Command
    }
    /// The loss of one class channel against its one-hot target, when that is not
    /// this loss itself (`lovasz-softmax` is the flat Lovász–Jaccard per class).
    fn per_class(&self) -> Option<Box<dyn SoftLoss>> {
        None
    }
}

/// A loss that is a function of the per-image sums, written once over
/// [`SoftNum`] so that the exact ([`Q`]) and `f64` paths are the same code.
/// Every such loss is a [`SoftLoss`] through a blanket implementation.
pub trait SumFormula: Send + Sync + fmt::Debug {
    /// The canonical spec.
    fn spec(&self) -> String;
    /// Which of the optional sums the formula reads.
    fn needs(&self) -> Needs;
    /// The loss; `Ok(None)` for 0/0, `Err` for an evaluation error (a
    /// `soft-expr:` dividing a nonzero number by zero).
    fn formula<T: SoftNum>(&self, s: &SoftSums<T>) -> Result<Option<T>>;
    /// See [`SoftLoss::equivalent`].
    fn equivalent(&self) -> Option<String> {
        None
    }
    /// See [`SoftLoss::hard_restriction`].
    fn hard_restriction(&self) -> Option<String> {
        None
    }
    /// See [`SoftLoss::class_rule`].
    fn class_rule(&self) -> ClassRule {
        ClassRule::Command
    }
}

impl<F: SumFormula> SoftLoss for F {
    fn spec(&self) -> String {
        SumFormula::spec(self)
    }
    fn loss(&self, y: &[Q], p: &[Q]) -> Result<Option<Q>> {
        validate(y, p)?;
        self.formula(&SoftSums::exact_for(y, p, self.needs()))
    }
    fn loss_f64(&self, y: &[f64], p: &[f64]) -> f64 {
        if y.len() != p.len() {
            return f64::NAN;
        }
        match self.formula(&SoftSums::float(y, p)) {
            Ok(Some(v)) => v,
            _ => f64::NAN,
        }
    }
    fn loss_sums(&self, s: &SoftSums<Q>) -> Result<Option<Q>> {
        self.formula(s)
    }
    fn equivalent(&self) -> Option<String> {
        SumFormula::equivalent(self)
    }
    fn hard_restriction(&self) -> Option<String> {
        SumFormula::hard_restriction(self)
    }
    fn class_rule(&self) -> ClassRule {
        SumFormula::class_rule(self)
    }
}

/// One soft loss family: how it is written, what it means, what it mirrors, and
/// how it is built. [`SOFT_REGISTRY`] is the one table the parser, errors and
/// `specs` read.
pub struct SoftInfo {
    /// The name before `:`.
    pub name: &'static str,
    /// The full syntax.
    pub syntax: &'static str,
    /// The formula, in one line.
    pub summary: &'static str,
    /// Options and their defaults (empty when there are none).
    pub options: &'static str,
    /// The peer library and version this mirrors (`None` for diceproof's own).
    pub peer: Option<&'static str>,
    /// The option names the spec accepts. [`parse_soft`] refuses any other one,
    /// naming `syntax`, before `build` runs, so no builder repeats that check.
    pub keys: &'static [&'static str],
    /// Builds the loss from its arguments (already checked against `keys`); the
    /// second argument is `syntax`, for the builder's own error messages.
    pub build: fn(&Args, &'static str) -> Result<Box<dyn SoftLoss>>,
}

/// Every soft loss family. Adding one is adding an entry here (and its formula).
pub static SOFT_REGISTRY: &[SoftInfo] = &[
    SoftInfo {
        name: "soft-dice",
        syntax: "soft-dice[:squared,eps=P/Q]",
        summary: "soft Dice loss 1 − (2I + eps)/(S + eps), I = Σp·y, S = Σp + Σy (squared: S = Σp² + Σy²)",
        options: "squared (flag), eps=P/Q (default 0)",
        peer: None,
        keys: &["squared", "eps"],
        build: |o, syntax| SoftOverlap::from_args(o, syntax, false),
    },
    SoftInfo {
        name: "soft-jaccard",
        syntax: "soft-jaccard[:squared,eps=P/Q]",
        summary: "soft Jaccard loss 1 − (I + eps)/(S − I + eps) (squared: S = Σp² + Σy²)",
        options: "squared (flag), eps=P/Q (default 0)",
        peer: None,
        keys: &["squared", "eps"],
        build: |o, syntax| SoftOverlap::from_args(o, syntax, true),
    },
    SoftInfo {
        name: "soft-tversky",
        syntax: "soft-tversky:a=P/Q,b=P/Q[,eps=P/Q]",
        summary: "soft Tversky loss 1 − (I + eps)/(I + a(Σp − I) + b(Σy − I) + eps); a weights FP-like, b FN-like mass",
        options: "a=P/Q (alias alpha), b=P/Q (alias beta), both required; eps=P/Q (default 0)",
        peer: None,
        keys: &["a", "b", "alpha", "beta", "eps"],
        build: |o, syntax| {
            let spec = o.spec();
            let a = o.number_any(&["a", "alpha"], syntax)?;
            let b = o.number_any(&["b", "beta"], syntax)?;
            if a.is_negative() || b.is_negative() {
                return Err(Error::invalid(format!(
                    "soft loss spec {spec:?}: tversky weights must be non-negative, got a={} b={}",
                    format_q(&a),
                    format_q(&b)
                )));
            }
            if a.is_zero() && b.is_zero() {
                return Err(Error::invalid(format!(
                    "soft loss spec {spec:?}: soft-tversky with a=0 and b=0 is identically 0 \
                     wherever it is defined; give at least one positive weight"
                )));
            }
            Ok(Box::new(SoftTversky {
                a,
                b,
                eps: eps_arg(o, syntax)?,
            }))
        },
    },
    SoftInfo {
        name: "jml",
        syntax: "jml[:eps=P/Q]",
        summary: "Jaccard metric loss 1 − (Σmin(p,y) + eps)/(Σmax(p,y) + eps) (Wang & Blaschko 2023)",
        options: "eps=P/Q (default 0)",
        peer: None,
        keys: &["eps"],
        build: |o, syntax| {
            Ok(Box::new(MetricLoss {
                jaccard: true,
                eps: eps_arg(o, syntax)?,
            }))
        },
    },
    SoftInfo {
        name: "dml",
        syntax: "dml[:eps=P/Q]",
        summary: "Dice semimetric loss ‖p−y‖₁/(‖p‖₁+‖y‖₁+eps) (Wang & Blaschko 2023)",
        options: "eps=P/Q (default 0)",
        peer: None,
        keys: &["eps"],
        build: |o, syntax| {
            Ok(Box::new(MetricLoss {
                jaccard: false,
                eps: eps_arg(o, syntax)?,
            }))
        },
    },
    SoftInfo {
        name: "soft-expr",
        syntax: "soft-expr:FORMULA",
        summary: "your own loss on the per-image sums spy = Σp·y, sp = Σp, sy = Σy, spp = Σp², syy = Σy², sabs = Σ|p − y|, n; \
                  + - * / ^, min, max, abs; a 0/0 quotient takes the --empty value",
        options: "",
        peer: None,
        // Parsed before the registry lookup (the formula contains `,`); see parse_soft.
        keys: &[],
        build: |o, _| Err(Error::invalid(format!("soft loss spec {:?}: soft-expr needs a formula", o.spec()))),
    },
    SoftInfo {
        name: "lovasz-jaccard",
        syntax: "lovasz-jaccard",
        summary: "Lovász-softmax for one class (Berman et al. 2018), hard labels, fast sort-based",
        options: "",
        peer: None,
        keys: &[],
        build: |_, _| Ok(Box::new(LovaszJaccard)),
    },
    SoftInfo {
        name: "lovasz",
        syntax: "lovasz:SPEC",
        summary: "Lovász extension of the count measure SPEC (e.g. lovasz:dice), from the definition, O(n²); hard labels",
        options: "",
        peer: None,
        // Parsed before the registry lookup (SPEC has its own arguments); see parse_soft.
        keys: &[],
        build: |o, _| Err(Error::invalid(format!("soft loss spec {:?}: lovasz needs a count measure", o.spec()))),
    },
    presets::MONAI_DICE,
    presets::MONAI_GENERALIZED_DICE,
    presets::MONAI_TVERSKY,
    presets::SMP_DICE,
    presets::SMP_JACCARD,
    presets::JDT_DICE,
    presets::JDT_JACCARD,
    presets::LOVASZ_HINGE,
    presets::LOVASZ_SOFTMAX,
];

/// Every soft loss: (syntax, summary), read from [`SOFT_REGISTRY`]. Options after
/// `:` are comma-separated, in any order; `P/Q` is any exact number
/// (`crate::exact::parse_rational`).
pub fn soft_registry() -> &'static [(&'static str, &'static str)] {
    static PAIRS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        SOFT_REGISTRY
            .iter()
            .map(|i| (i.syntax, i.summary))
            .collect()
    })
}

fn valid_soft_specs() -> String {
    SOFT_REGISTRY
        .iter()
        .map(|i| i.syntax)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks the inputs of a soft loss: equal lengths ([`Error::Mismatch`]), at least
/// one voxel, and every label and probability in \[0, 1\] ([`Error::Invalid`] naming
/// the first offending index and value).
pub fn validate(y: &[Q], p: &[Q]) -> Result<()> {
    validate_labels(y, p)?;
    if let Some(i) = p.iter().position(|x| x.is_negative() || *x > Q::one()) {
        return Err(Error::invalid(format!(
            "probability p[{i}] = {} lies outside [0, 1]",
            format_q(&p[i])
        )));
    }
    Ok(())
}

/// [`validate`] without the range check on `p` (for losses on logits).
pub fn validate_labels(y: &[Q], p: &[Q]) -> Result<()> {
    if y.len() != p.len() {
        return Err(Error::Mismatch(format!(
            "{} labels but {} probabilities; a soft loss needs one of each per voxel",
            y.len(),
            p.len()
        )));
    }
    if y.is_empty() {
        return Err(Error::invalid(
            "a soft loss needs at least one voxel (the label and probability vectors are empty)",
        ));
    }
    if let Some(i) = y.iter().position(|x| x.is_negative() || *x > Q::one()) {
        return Err(Error::invalid(format!(
            "label y[{i}] = {} lies outside [0, 1]",
            format_q(&y[i])
        )));
    }
    Ok(())
}

/// The nearest `f64` of each value.
pub fn to_f64_vec(v: &[Q]) -> Vec<f64> {
    v.iter().map(q_to_f64).collect()
}

/// Parses a soft loss spec (see [`SOFT_REGISTRY`] and the module documentation).
pub fn parse_soft(spec: &str) -> Result<Box<dyn SoftLoss>> {
    let trimmed = spec.trim();
    if let Some(formula) = strip_family(trimmed, "soft-expr") {
        return Ok(Box::new(SoftExpr::parse(formula)?));
    }
    let (name, rest) = match trimmed.split_once(':') {
        Some((n, r)) => (n.trim(), Some(r)),
        None => (trimmed, None),
    };
    let lname = name.to_ascii_lowercase();
    if lname == "lovasz" {
        let inner = rest.map(str::trim).unwrap_or("");
        if inner.is_empty() {
            return Err(Error::invalid(format!(
                "soft loss spec {spec:?}: lovasz needs a count measure, as in `lovasz:jaccard`, \
                 `lovasz:dice` or `lovasz:tversky:a=1/2,b=1/2`"
            )));
        }
        let measure = parse_measure(inner)
            .map_err(|e| Error::invalid(format!("soft loss spec {spec:?}: {e}")))?;
        return Ok(Box::new(LovaszMeasure { measure }));
    }
    let info = SOFT_REGISTRY
        .iter()
        .find(|i| i.name == lname)
        .ok_or_else(|| {
            Error::invalid(format!(
                "unknown soft loss {name:?} in spec {spec:?}; valid specs are: {}",
                valid_soft_specs()
            ))
        })?;
    let opts = Args::parse(trimmed, rest)?;
    opts.only(info.keys, info.syntax)?;
    (info.build)(&opts, info.syntax)
}

/// The smoothing constant of a spec: `None` when absent or 0; an error when negative.
fn eps_arg(opts: &Args, syntax: &str) -> Result<Option<Q>> {
    match opts.number_opt(&["eps"], syntax)? {
        Some(e) if e.is_negative() => Err(Error::invalid(format!(
            "soft loss spec `{syntax}`: eps must be ≥ 0, got {}",
            format_q(&e)
        ))),
        Some(e) if e.is_zero() => Ok(None),
        other => Ok(other),
    }
}

/// `NAME` followed by the given options, comma-separated, or `NAME` alone.
pub(crate) fn with_options(name: &str, options: &[String]) -> String {
    if options.is_empty() {
        name.to_string()
    } else {
        format!("{name}:{}", options.join(","))
    }
}

fn eps_option(eps: &Option<Q>) -> Option<String> {
    eps.as_ref().map(|e| format!("eps={}", format_q(e)))
}

/// 1 − (num + eps)/(den + eps), or `None` when the denominator is 0.
pub(crate) fn one_minus_ratio<T: SoftNum>(num: T, den: T, eps: &Option<Q>) -> Option<T> {
    let (num, den) = match eps {
        Some(e) => (num + T::lift(e), den + T::lift(e)),
        None => (num, den),
    };
    if den.is_nil() {
        None
    } else {
        Some(T::lift(&Q::one()) - num / den)
    }
}

/// (A, B) = (Σp, Σy), or (Σp², Σy²) when squared.
fn denominators<T: SoftNum>(s: &SoftSums<T>, squared: bool) -> (T, T) {
    if squared {
        (s.spp.clone(), s.syy.clone())
    } else {
        (s.sp.clone(), s.sy.clone())
    }
}

fn squares(squared: bool) -> Needs {
    Needs {
        squares: squared,
        abs: false,
    }
}

/// The hard measure a relaxation equals at binary inputs, if it is unsmoothed.
fn restriction(eps: &Option<Q>, hard: String) -> Option<String> {
    eps.is_none().then_some(hard)
}

/// Soft Dice loss 1 − (2I + eps)/(S + eps) or soft Jaccard loss
/// 1 − (I + eps)/(S − I + eps), S = A + B from [`denominators`]. The two share
/// their options (`squared`, `eps`), their spec form and their sums, so they are
/// one type; `jaccard` picks the ratio.
#[derive(Clone, Debug)]
struct SoftOverlap {
    jaccard: bool,
    squared: bool,
    eps: Option<Q>,
}

impl SoftOverlap {
    /// From a `soft-dice` or `soft-jaccard` spec's options.
    fn from_args(o: &Args, syntax: &str, jaccard: bool) -> Result<Box<dyn SoftLoss>> {
        Ok(Box::new(SoftOverlap {
            jaccard,
            squared: o.flag_checked("squared", syntax)?,
            eps: eps_arg(o, syntax)?,
        }))
    }
}

impl SumFormula for SoftOverlap {
    fn spec(&self) -> String {
        let opts: Vec<String> = self
            .squared
            .then(|| "squared".to_string())
            .into_iter()
            .chain(eps_option(&self.eps))
            .collect();
        let name = if self.jaccard {
            "soft-jaccard"
        } else {
            "soft-dice"
        };
        with_options(name, &opts)
    }
    fn needs(&self) -> Needs {
        squares(self.squared)
    }
    fn formula<T: SoftNum>(&self, s: &SoftSums<T>) -> Result<Option<T>> {
        let (a, b) = denominators(s, self.squared);
        Ok(if self.jaccard {
            one_minus_ratio(s.spy.clone(), a + b - s.spy.clone(), &self.eps)
        } else {
            let two_i = s.spy.clone() + s.spy.clone();
            one_minus_ratio(two_i, a + b, &self.eps)
        })
    }
    fn hard_restriction(&self) -> Option<String> {
        let hard = if self.jaccard { "jaccard" } else { "dice" };
        restriction(&self.eps, hard.into())
    }
}

/// Soft Tversky loss 1 − (I + eps)/(I + a(Σp − I) + b(Σy − I) + eps).
#[derive(Clone, Debug)]
struct SoftTversky {
    a: Q,
    b: Q,
    eps: Option<Q>,
}

impl SumFormula for SoftTversky {
    fn spec(&self) -> String {
        let opts: Vec<String> = [
            Some(format!("a={}", format_q(&self.a))),
            Some(format!("b={}", format_q(&self.b))),
            eps_option(&self.eps),
        ]
        .into_iter()
        .flatten()
        .collect();
        with_options("soft-tversky", &opts)
    }
    fn needs(&self) -> Needs {
        squares(false)
    }
    fn formula<T: SoftNum>(&self, s: &SoftSums<T>) -> Result<Option<T>> {
        let i = s.spy.clone();
        let den = i.clone()
            + T::lift(&self.a) * (s.sp.clone() - i.clone())
            + T::lift(&self.b) * (s.sy.clone() - i.clone());
        Ok(one_minus_ratio(i, den, &self.eps))
    }
    fn hard_restriction(&self) -> Option<String> {
        restriction(
            &self.eps,
            format!("tversky:a={},b={}", format_q(&self.a), format_q(&self.b)),
        )
    }
}

/// The metric losses of Wang & Blaschko (2023), written on Σp, Σy and
/// ‖p − y‖₁ with Σmin = (Σp + Σy − ‖p − y‖)/2 and Σmax = (Σp + Σy + ‖p − y‖)/2:
/// the Jaccard metric loss (`jml`) 1 − (Σmin + eps)/(Σmax + eps), and the Dice
/// semimetric loss (`dml`) 1 − (‖p‖+‖y‖−‖p−y‖ + eps)/(‖p‖+‖y‖ + eps)
/// = ‖p−y‖/(‖p‖+‖y‖+eps). One type: they share the option, the sums and the
/// spec form; `jaccard` picks the ratio.
#[derive(Clone, Debug)]
struct MetricLoss {
    jaccard: bool,
    eps: Option<Q>,
}

impl SumFormula for MetricLoss {
    fn spec(&self) -> String {
        let name = if self.jaccard { "jml" } else { "dml" };
        with_options(name, &eps_option(&self.eps).into_iter().collect::<Vec<_>>())
    }
    fn needs(&self) -> Needs {
        Needs {
            squares: false,
            abs: true,
        }
    }
    fn formula<T: SoftNum>(&self, s: &SoftSums<T>) -> Result<Option<T>> {
        let total = s.sp.clone() + s.sy.clone();
        Ok(if self.jaccard {
            let half = T::lift(&Q::new(1.into(), 2.into()));
            let lo = (total.clone() - s.sabs.clone()) * half.clone();
            let hi = (total + s.sabs.clone()) * half;
            one_minus_ratio(lo, hi, &self.eps)
        } else {
            one_minus_ratio(total.clone() - s.sabs.clone(), total, &self.eps)
        })
    }
    fn hard_restriction(&self) -> Option<String> {
        let hard = if self.jaccard { "jaccard" } else { "dice" };
        restriction(&self.eps, hard.into())
    }
}

/// Reads hard labels: every y_i must be exactly 0 or 1.
fn hard_labels(y: &[Q], who: &str) -> Result<Vec<bool>> {
    y.iter()
        .enumerate()
        .map(|(i, v)| {
            if v.is_zero() {
                Ok(false)
            } else if v.is_one() {
                Ok(true)
            } else {
                Err(Error::invalid(format!(
                    "{who} needs hard labels (0 or 1), but label y[{i}] = {}",
                    format_q(v)
                )))
            }
        })
        .collect()
}

fn hard_labels_f64(y: &[f64]) -> Option<Vec<bool>> {
    y.iter()
        .map(|&v| {
            if v == 0.0 {
                Some(false)
            } else if v == 1.0 {
                Some(true)
            } else {
                None
            }
        })
        .collect()
}

/// The errors m_i = |y_i − p_i| for hard labels.
fn errors(y: &[bool], p: &[Q]) -> Vec<Q> {
    y.iter()
        .zip(p)
        .map(|(&yi, pi)| if yi { Q::one() - pi } else { pi.clone() })
        .collect()
}

fn errors_f64(y: &[bool], p: &[f64]) -> Vec<f64> {
    y.iter()
        .zip(p)
        .map(|(&yi, &pi)| if yi { 1.0 - pi } else { pi })
        .collect()
}

/// Lovász-softmax for one class, by [`lovasz_jaccard_fast`].
#[derive(Clone, Copy, Debug)]
struct LovaszJaccard;

impl SoftLoss for LovaszJaccard {
    fn spec(&self) -> String {
        "lovasz-jaccard".into()
    }
    fn hard_restriction(&self) -> Option<String> {
        Some("jaccard".into())
    }
    fn loss(&self, y: &[Q], p: &[Q]) -> Result<Option<Q>> {
        validate(y, p)?;
        let yb = hard_labels(y, "lovasz-jaccard")?;
        Ok(Some(lovasz_jaccard_fast(&yb, &errors(&yb, p))))
    }
    fn loss_f64(&self, y: &[f64], p: &[f64]) -> f64 {
        match hard_labels_f64(y) {
            Some(yb) if y.len() == p.len() => lovasz_jaccard_fast_f64(&yb, &errors_f64(&yb, p)),
            _ => f64::NAN,
        }
    }
}

/// The Lovász extension of a count measure, by [`lovasz_extension_definition`].
#[derive(Clone, Debug)]
struct LovaszMeasure {
    measure: Measure,
}

/// The confusion counts of (y, ŷ = y XOR M).
fn counts_with_errors(y: &[bool], errs: &[bool]) -> Counts {
    let mut c = Counts::default();
    for (&yi, &e) in y.iter().zip(errs) {
        match (yi, e) {
            (true, false) => c.tp += 1,
            (true, true) => c.fn_ += 1,
            (false, true) => c.fp += 1,
            (false, false) => c.tn += 1,
        }
    }
    c
}

impl LovaszMeasure {
    /// Δ(M): the measure's loss at (y, y XOR M), 0/0 read as 0 (`EmptyPolicy::One`).
    fn set_loss(&self, y: &[bool], errs: &[bool]) -> Q {
        self.measure
            .loss_raw(&counts_with_errors(y, errs))
            .unwrap_or_else(Q::zero)
    }
}

impl SoftLoss for LovaszMeasure {
    fn spec(&self) -> String {
        format!("lovasz:{}", self.measure.spec())
    }
    fn hard_restriction(&self) -> Option<String> {
        Some(self.measure.spec())
    }
    fn loss(&self, y: &[Q], p: &[Q]) -> Result<Option<Q>> {
        validate(y, p)?;
        let who = self.spec();
        let yb = hard_labels(y, &who)?;
        let empty = self.set_loss(&yb, &vec![false; yb.len()]);
        if !empty.is_zero() {
            return Err(Error::invalid(format!(
                "{who}: the Lovász extension needs a set loss with Δ(∅) = 0, but the measure's \
                 loss with no errors is {}",
                format_q(&empty)
            )));
        }
        let m = errors(&yb, p);
        Ok(Some(lovasz_extension_definition(
            |errs| self.set_loss(&yb, errs),
            &m,
        )))
    }
    fn loss_f64(&self, y: &[f64], p: &[f64]) -> f64 {
        match hard_labels_f64(y) {
            Some(yb) if y.len() == p.len() => lovasz_extension_definition_f64(
                |errs| {
                    self.measure
                        .loss_f64(&counts_with_errors(&yb, errs), EmptyPolicy::One)
                },
                &errors_f64(&yb, p),
            ),
            _ => f64::NAN,
        }
    }
}

/// The indices 0..n sorted by decreasing m (stable: ties keep index order).
fn decreasing_order(m: &[Q]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..m.len()).collect();
    order.sort_by(|&a, &b| m[b].cmp(&m[a]));
    order
}

/// Σ_i m_{π(i)}·(Δ(prefix i) − Δ(prefix i−1)) along the given order π, calling the
/// set loss on each prefix's indicator vector (Δ(∅) included).
fn extension_along(set_loss: impl Fn(&[bool]) -> Q, m: &[Q], order: &[usize]) -> Q {
    let mut set = vec![false; m.len()];
    let mut prev = set_loss(&set);
    let mut acc = Q::zero();
    for &k in order {
        set[k] = true;
        let cur = set_loss(&set);
        if !m[k].is_zero() && cur != prev {
            acc += &m[k] * (&cur - &prev);
        }
        prev = cur;
    }
    acc
}

/// The Lovász extension of a set loss at the error vector m, from the definition:
/// sort m decreasingly (π), then Σ_i m_{π(i)}·(Δ({π1..πi}) − Δ({π1..π(i−1)})).
///
/// `set_loss` receives the indicator vector (length n) of a set and must give
/// Δ(∅) = 0 for the result to be the Lovász extension (the sum is formed with
/// whatever it returns for the empty set). It is called n + 1 times, so the cost is
/// O(n log n) comparisons plus n + 1 set-loss evaluations: O(n²) for a set loss that
/// recounts. Ties are ordered by index; the value does not depend on that order.
pub fn lovasz_extension_definition(set_loss: impl Fn(&[bool]) -> Q, m: &[Q]) -> Q {
    extension_along(set_loss, m, &decreasing_order(m))
}

/// [`lovasz_extension_definition`] in `f64` (NaNs in m sort as by
/// [`f64::total_cmp`]).
pub fn lovasz_extension_definition_f64(set_loss: impl Fn(&[bool]) -> f64, m: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..m.len()).collect();
    order.sort_by(|&a, &b| m[b].total_cmp(&m[a]));
    let mut set = vec![false; m.len()];
    let mut prev = set_loss(&set);
    let mut acc = 0.0;
    for &k in &order {
        set[k] = true;
        let cur = set_loss(&set);
        acc += m[k] * (cur - prev);
        prev = cur;
    }
    acc
}

/// Δ_J = (k_in + k_out)/(|y| + k_out) for k_in errors inside y and k_out outside, as
/// (numerator, denominator); 0/1 when y ∪ M is empty.
fn jaccard_prefix_parts(gts: u64, k_in: u64, k_out: u64) -> (u64, u64) {
    let union = gts + k_out;
    if union == 0 {
        (0, 1)
    } else {
        (k_in + k_out, union)
    }
}

/// The order of two rationals: by cross-multiplication in `i128` when both fit in
/// 64 bits (no allocation), else `BigRational`'s own comparison.
fn cmp_q(a: &Q, b: &Q) -> std::cmp::Ordering {
    match (
        a.numer().to_i64(),
        a.denom().to_u64(),
        b.numer().to_i64(),
        b.denom().to_u64(),
    ) {
        (Some(an), Some(ad), Some(bn), Some(bd)) => {
            // Denominators of a BigRational are positive, so the order is preserved.
            (i128::from(an) * i128::from(bd)).cmp(&(i128::from(bn) * i128::from(ad)))
        }
        _ => a.cmp(b),
    }
}

/// Lovász-softmax for one class (the Lovász extension of Δ_J(M) = |M|/|y ∪ M|) at
/// the error vector m, exactly, in O(n log n).
///
/// Voxels are grouped by error value (hashing the reduced numerator and
/// denominator), the distinct values sorted decreasingly, and for each group the
/// running counts of errors inside y (k_in) and outside (k_out) are advanced and
/// Δ_J = (k_in + k_out)/(|y| + k_out) evaluated once. The sum gains one term
/// v·(Δ_J(after group) − Δ_J(before group)) per distinct value v, which is the
/// definition's sum with the tied terms telescoped.
///
/// The sum is accumulated in GMP rationals ([`rug::Rational`]) and converted back
/// exactly at the end: when the error values are (nearly) all distinct, the exact
/// result has a denominator of O(n) digits, and GMP adds a small fraction to such a
/// sum in linear time, where `BigRational` addition re-reduces both big parts with a
/// quadratic gcd on every step (16 s instead of milliseconds at n = 3000 with
/// 20-bit denominators). [`lovasz_extension_definition`] stays on `BigRational`,
/// so the tests compare two independent big-number implementations.
///
/// # Panics
///
/// If `y` and `m` have different lengths (the [`SoftLoss`] interface checks first).
pub fn lovasz_jaccard_fast(y: &[bool], m: &[Q]) -> Q {
    assert_eq!(
        y.len(),
        m.len(),
        "lovasz_jaccard_fast: {} labels but {} errors",
        y.len(),
        m.len()
    );
    let gts = y.iter().filter(|&&b| b).count() as u64;
    // value -> (errors inside y, errors outside y) among the voxels with that value.
    let mut index: HashMap<(&BigInt, &BigInt), usize> = HashMap::new();
    let mut groups: Vec<(&Q, u64, u64)> = Vec::new();
    for (&yi, v) in y.iter().zip(m) {
        let slot = *index.entry((v.numer(), v.denom())).or_insert_with(|| {
            groups.push((v, 0, 0));
            groups.len() - 1
        });
        if yi {
            groups[slot].1 += 1;
        } else {
            groups[slot].2 += 1;
        }
    }
    groups.sort_unstable_by(|a, b| cmp_q(b.0, a.0));
    lovasz_jaccard_of_groups(gts, groups)
}

/// The Lovász–Jaccard sum over error groups already sorted by decreasing value:
/// each `(v, g_in, g_out)` is a distinct error value v with g_in voxels inside y
/// and g_out outside; `gts` = |y|. The one accumulation behind
/// [`lovasz_jaccard_fast`] and the probability-map path
/// ([`crate::surrogates::maps`]), which group their voxels differently.
pub(crate) fn lovasz_jaccard_of_groups<V: std::borrow::Borrow<Q>>(
    gts: u64,
    groups: impl IntoIterator<Item = (V, u64, u64)>,
) -> Q {
    let (mut k_in, mut k_out) = (0u64, 0u64);
    let mut prev = (0u64, 1u64);
    let mut acc = Rational::new();
    for (v, g_in, g_out) in groups {
        k_in += g_in;
        k_out += g_out;
        let cur = jaccard_prefix_parts(gts, k_in, k_out);
        if !v.borrow().is_zero() && cur != prev {
            let step = Rational::from(cur) - Rational::from(prev);
            acc += big_to_rug(v.borrow()) * step;
        }
        prev = cur;
    }
    rug_to_big(&acc)
}

/// [`lovasz_jaccard_fast`] in `f64`, per voxel as in Berman et al.'s reference code
/// (sort, cumulative counts, Jaccard differences, dot product).
///
/// # Panics
///
/// If `y` and `m` have different lengths.
pub fn lovasz_jaccard_fast_f64(y: &[bool], m: &[f64]) -> f64 {
    assert_eq!(
        y.len(),
        m.len(),
        "lovasz_jaccard_fast_f64: {} labels but {} errors",
        y.len(),
        m.len()
    );
    let gts = y.iter().filter(|&&b| b).count() as f64;
    let mut order: Vec<usize> = (0..m.len()).collect();
    order.sort_unstable_by(|&a, &b| m[b].total_cmp(&m[a]));
    let (mut k_in, mut k_out) = (0.0f64, 0.0f64);
    let mut prev = 0.0;
    let mut acc = 0.0;
    for k in order {
        if y[k] {
            k_in += 1.0;
        } else {
            k_out += 1.0;
        }
        let union = gts + k_out;
        let cur = if union == 0.0 {
            0.0
        } else {
            (k_in + k_out) / union
        };
        acc += m[k] * (cur - prev);
        prev = cur;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::parse_rational;
    use crate::measures::Value;
    use proptest::prelude::*;

    fn q(s: &str) -> Q {
        parse_rational(s).expect("number")
    }

    fn qs(v: &[&str]) -> Vec<Q> {
        v.iter().map(|s| q(s)).collect()
    }

    fn soft(spec: &str) -> Box<dyn SoftLoss> {
        parse_soft(spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    fn hard_counts(y: &[Q], p: &[Q]) -> Counts {
        let yb: Vec<bool> = y.iter().map(|v| v.is_one()).collect();
        let errs: Vec<bool> = y.iter().zip(p).map(|(a, b)| a != b).collect();
        counts_with_errors(&yb, &errs)
    }

    /// The hard measure's loss with EmptyPolicy::One.
    fn hard_loss(spec: &str, c: &Counts) -> Q {
        match parse_measure(spec)
            .expect("measure")
            .loss(c, EmptyPolicy::One)
            .expect("loss")
        {
            Value::Exact(v) => v,
            Value::NaN => panic!("NaN under policy one"),
        }
    }

    /// The exact loss with None read as EmptyPolicy::One (loss 0).
    fn exact(spec: &str, y: &[Q], p: &[Q]) -> Q {
        soft(spec)
            .loss(y, p)
            .unwrap_or_else(|e| panic!("{spec}: {e}"))
            .unwrap_or_else(Q::zero)
    }

    const SPECS: &[&str] = &[
        "soft-dice",
        "soft-dice:squared",
        "soft-dice:eps=1/100",
        "soft-dice:squared,eps=1",
        "soft-jaccard",
        "soft-jaccard:squared",
        "soft-jaccard:eps=1/3",
        "soft-tversky:a=1/2,b=1/2",
        "soft-tversky:a=3/10,b=7/10",
        "soft-tversky:a=0,b=1",
        "soft-tversky:a=1,b=1,eps=1/2",
        "jml",
        "jml:eps=1/10",
        "dml",
        "dml:eps=2",
        "lovasz-jaccard",
        "lovasz:jaccard",
        "lovasz:dice",
        "lovasz:tversky:a=1/2,b=1/2",
        "lovasz:tversky:a=3/10,b=7/10",
        "lovasz:hamming",
        "lovasz:whamming:balanced",
    ];

    #[test]
    fn specs_are_canonical_and_parse_back() {
        for spec in SPECS {
            let l = soft(spec);
            assert_eq!(l.spec(), *spec);
            assert_eq!(soft(&l.spec()).spec(), *spec);
        }
        assert_eq!(
            soft(" Soft-Dice:EPS=0.01 , squared ").spec(),
            "soft-dice:squared,eps=1/100"
        );
        assert_eq!(soft("soft-dice:eps=0").spec(), "soft-dice");
        assert_eq!(
            soft("soft-tversky:beta=0.7,alpha=0.3").spec(),
            "soft-tversky:a=3/10,b=7/10"
        );
        assert_eq!(soft("lovasz:iou").spec(), "lovasz:jaccard");
        assert_eq!(soft("lovasz: f1").spec(), "lovasz:dice");
        for (syntax, _) in soft_registry() {
            assert!(valid_soft_specs().contains(syntax));
        }
    }

    #[test]
    fn bad_specs_are_clear_errors() {
        for (bad, needle) in [
            ("soft-dise", "valid specs are"),
            ("soft-dice:cubed", "unexpected argument"),
            ("soft-dice:squared=1", "takes no value"),
            ("soft-dice:eps", "needs a value"),
            ("soft-dice:eps=-1/2", "must be ≥ 0"),
            ("soft-dice:eps=x", "accepted:"),
            ("soft-dice:squared,squared", "twice"),
            ("soft-dice:", "empty argument"),
            ("soft-tversky:a=1/2", "missing b"),
            ("soft-tversky:a=1/2,b=-1", "non-negative"),
            ("soft-tversky:a=0,b=0", "at least one positive"),
            ("soft-tversky:a=1,alpha=1,b=1", "more than once"),
            ("lovasz-jaccard:eps=1", "unexpected argument"),
            ("jml:squared", "unexpected argument"),
            ("lovasz", "needs a count measure"),
            ("lovasz:", "needs a count measure"),
            ("lovasz:nope", "unknown measure"),
        ] {
            let err = parse_soft(bad).expect_err(bad).to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn invalid_inputs_are_errors_not_panics() {
        for spec in SPECS {
            let l = soft(spec);
            let err = l.loss(&qs(&["1", "0"]), &qs(&["1/2"])).unwrap_err();
            assert!(matches!(err, Error::Mismatch(_)), "{spec}: {err}");
            assert!(l
                .loss(&[], &[])
                .unwrap_err()
                .to_string()
                .contains("at least one"));
            let err = l
                .loss(&qs(&["1", "0"]), &qs(&["1/2", "3/2"]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("p[1] = 3/2"), "{spec}: {err}");
            let err = l
                .loss(&qs(&["-1/4", "0"]), &qs(&["1/2", "1"]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("y[0] = -1/4"), "{spec}: {err}");
            assert!(l.loss_f64(&[1.0], &[0.5, 0.5]).is_nan());
        }
        for spec in ["lovasz-jaccard", "lovasz:dice"] {
            let err = soft(spec)
                .loss(&qs(&["1", "1/2"]), &qs(&["1/2", "1"]))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("hard labels") && err.contains("y[1] = 1/2"),
                "{err}"
            );
            assert!(soft(spec).loss_f64(&[1.0, 0.5], &[0.5, 1.0]).is_nan());
        }
    }

    #[test]
    fn the_theory_example() {
        // y = (1,0,0), p = (1/2, 1/4, 0): I = 1/2, S = 7/4.
        let (y, p) = (qs(&["1", "0", "0"]), qs(&["1/2", "1/4", "0"]));
        assert_eq!(exact("soft-dice", &y, &p), q("3/7"));
        assert_eq!(exact("soft-jaccard", &y, &p), q("3/5"));
        assert_eq!(exact("jml", &y, &p), q("3/5"));
        assert_eq!(exact("dml", &y, &p), q("3/7"));
        assert_eq!(exact("lovasz-jaccard", &y, &p), q("1/2"));
        assert_eq!(exact("lovasz:jaccard", &y, &p), q("1/2"));
        // Soft Tversky at a = b = 1/2 is soft Dice, at a = b = 1 soft Jaccard.
        assert_eq!(exact("soft-tversky:a=1/2,b=1/2", &y, &p), q("3/7"));
        assert_eq!(exact("soft-tversky:a=1,b=1", &y, &p), q("3/5"));
        // Squared: Σp² + Σy² = 1/4 + 1/16 + 1 = 21/16, SD² = 1 − 1/(21/16) = 5/21.
        assert_eq!(exact("soft-dice:squared", &y, &p), q("5/21"));
        // Smoothing: 1 − (1 + 1)/(7/4 + 1) = 3/11.
        assert_eq!(exact("soft-dice:eps=1", &y, &p), q("3/11"));
        assert_eq!(exact("dml:eps=1", &y, &p), q("3/11"));
    }

    #[test]
    fn zero_over_zero_is_none_and_smoothing_removes_it() {
        let (y, p) = (qs(&["0", "0"]), qs(&["0", "0"]));
        for spec in [
            "soft-dice",
            "soft-dice:squared",
            "soft-jaccard",
            "soft-jaccard:squared",
            "soft-tversky:a=1,b=1",
            "jml",
            "dml",
        ] {
            assert_eq!(soft(spec).loss(&y, &p).expect("valid"), None, "{spec}");
            assert!(soft(spec).loss_f64(&[0.0, 0.0], &[0.0, 0.0]).is_nan());
            let smoothed = format!(
                "{spec}{}eps=1/10",
                if spec.contains(':') { "," } else { ":" }
            );
            assert_eq!(
                soft(&smoothed).loss(&y, &p).expect("valid"),
                Some(Q::zero())
            );
        }
        // Tversky with a = 0 ignores false-positive mass: 0/0 on an empty ground truth.
        let p = qs(&["1/2", "1"]);
        assert_eq!(
            soft("soft-tversky:a=0,b=1").loss(&y, &p).expect("valid"),
            None
        );
        for spec in ["lovasz-jaccard", "lovasz:jaccard", "lovasz:dice"] {
            assert_eq!(
                soft(spec).loss(&y, &qs(&["0", "0"])).expect("valid"),
                Some(Q::zero())
            );
            // Empty ground truth: Δ_J(M) = 1 for any M ≠ ∅, so the extension is max m.
            assert_eq!(exact(spec, &y, &qs(&["1/3", "1/2"])), q("1/2"));
        }
    }

    #[test]
    fn the_extension_of_a_modular_set_function_is_linear() {
        // Δ(M) = |M| has the extension Σ m_i; Δ(M) = [0 ∈ M] has the extension m_0.
        let m = qs(&["1/2", "1/4", "1/2", "0"]);
        let card = |s: &[bool]| Q::from_integer(s.iter().filter(|&&b| b).count().into());
        assert_eq!(lovasz_extension_definition(card, &m), q("5/4"));
        let first = |s: &[bool]| if s[0] { Q::one() } else { Q::zero() };
        assert_eq!(lovasz_extension_definition(first, &m), q("1/2"));
        let mf = to_f64_vec(&m);
        let card_f = |s: &[bool]| s.iter().filter(|&&b| b).count() as f64;
        assert_eq!(lovasz_extension_definition_f64(card_f, &mf), 1.25);
    }

    #[test]
    fn fast_comparison_is_the_rational_order() {
        let big = Q::new(
            BigInt::from(u64::MAX) * BigInt::from(3),
            BigInt::from(u64::MAX) * BigInt::from(7),
        );
        let vals = [
            q("0"),
            q("1"),
            q("-1/2"),
            q("1/3"),
            q("2/6"),
            q("9223372036854775807/18446744073709551615"),
            q("-9223372036854775808/18446744073709551613"),
            q("1/18446744073709551615"),
            big,
            q("3/7"),
            q("100000000000000000000000/3"),
        ];
        for a in &vals {
            for b in &vals {
                assert_eq!(cmp_q(a, b), a.cmp(b), "{a} vs {b}");
            }
        }
    }

    // ----- property tests -----

    fn unit_rational() -> impl Strategy<Value = Q> {
        (1i64..=12, 0i64..=12).prop_map(|(d, k)| Q::new(BigInt::from(k % (d + 1)), BigInt::from(d)))
    }

    fn bit() -> impl Strategy<Value = Q> {
        any::<bool>().prop_map(|b| if b { Q::one() } else { Q::zero() })
    }

    fn soft_pair() -> impl Strategy<Value = (Vec<Q>, Vec<Q>)> {
        (1usize..=8).prop_flat_map(|n| {
            (
                prop::collection::vec(unit_rational(), n),
                prop::collection::vec(unit_rational(), n),
            )
        })
    }

    fn hard_y_soft_p() -> impl Strategy<Value = (Vec<Q>, Vec<Q>)> {
        (1usize..=8).prop_flat_map(|n| {
            (
                prop::collection::vec(bit(), n),
                prop::collection::vec(unit_rational(), n),
            )
        })
    }

    fn binary_pair() -> impl Strategy<Value = (Vec<Q>, Vec<Q>)> {
        (1usize..=8).prop_flat_map(|n| {
            (
                prop::collection::vec(bit(), n),
                prop::collection::vec(bit(), n),
            )
        })
    }

    /// m with many ties (values from a small set), and a permutation.
    fn tied_errors() -> impl Strategy<Value = (Vec<bool>, Vec<Q>, Vec<usize>)> {
        (1usize..=8).prop_flat_map(|n| {
            (
                prop::collection::vec(any::<bool>(), n),
                prop::collection::vec(
                    prop_oneof![Just(q("0")), Just(q("1/3")), Just(q("1/2")), Just(q("1"))],
                    n,
                ),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            )
        })
    }

    fn jaccard_set_loss(y: &[bool]) -> impl Fn(&[bool]) -> Q + '_ {
        move |errs: &[bool]| {
            let c = counts_with_errors(y, errs);
            let (num, den) = jaccard_prefix_parts(c.tp + c.fn_, c.fn_, c.fp);
            Q::new(BigInt::from(num), BigInt::from(den))
        }
    }

    fn close(a: f64, b: &Q) -> bool {
        (a - q_to_f64(b)).abs() <= 1e-12
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn binary_inputs_give_the_hard_losses((y, p) in binary_pair()) {
            let c = hard_counts(&y, &p);
            for (s, h) in [
                ("soft-dice", "dice"),
                ("soft-dice:squared", "dice"),
                ("soft-jaccard", "jaccard"),
                ("soft-jaccard:squared", "jaccard"),
                ("soft-tversky:a=3/10,b=7/10", "tversky:a=3/10,b=7/10"),
                ("soft-tversky:a=0,b=1", "tversky:a=0,b=1"),
                ("soft-tversky:a=2,b=1/3", "tversky:a=2,b=1/3"),
                ("jml", "jaccard"),
                ("dml", "dice"),
                ("lovasz-jaccard", "jaccard"),
                ("lovasz:jaccard", "jaccard"),
                ("lovasz:dice", "dice"),
                ("lovasz:tversky:a=3/10,b=7/10", "tversky:a=3/10,b=7/10"),
                ("lovasz:whamming:w=1/4", "whamming:w=1/4"),
            ] {
                prop_assert_eq!(exact(s, &y, &p), hard_loss(h, &c), "{} vs {}", s, h);
            }
        }

        #[test]
        fn jml_and_dml_are_sj_and_sd_for_hard_labels((y, p) in hard_y_soft_p()) {
            for (a, b) in [
                ("jml", "soft-jaccard"),
                ("dml", "soft-dice"),
                ("jml:eps=1/7", "soft-jaccard:eps=1/7"),
                ("dml:eps=1/7", "soft-dice:eps=1/7"),
            ] {
                prop_assert_eq!(soft(a).loss(&y, &p).expect("valid"), soft(b).loss(&y, &p).expect("valid"));
            }
        }

        #[test]
        fn jml_matches_its_norm_form_and_both_vanish_iff_p_is_y((y, p) in soft_pair()) {
            let l1 = |v: &mut dyn Iterator<Item = Q>| v.fold(Q::zero(), |a, b| a + b);
            let d = l1(&mut y.iter().zip(&p).map(|(a, b)| (a - b).abs()));
            let (np, ny) = (l1(&mut p.iter().cloned()), l1(&mut y.iter().cloned()));
            let jml = soft("jml").loss(&y, &p).expect("valid");
            let dml = soft("dml").loss(&y, &p).expect("valid");
            if np.is_zero() && ny.is_zero() {
                prop_assert!(jml.is_none() && dml.is_none());
            } else {
                let norm_form = Q::from_integer(2.into()) * &d / (&np + &ny + &d);
                prop_assert_eq!(jml.clone(), Some(norm_form));
                prop_assert_eq!(dml.clone(), Some(&d / (&np + &ny)));
                let (jml, dml) = (jml.expect("some"), dml.expect("some"));
                prop_assert_eq!(jml.is_zero(), y == p);
                prop_assert_eq!(dml.is_zero(), y == p);
                prop_assert!(jml.is_positive() || y == p);
            }
            // At p = y itself: zero (or 0/0 when everything is 0).
            for s in ["jml", "dml"] {
                let v = soft(s).loss(&y, &y).expect("valid");
                prop_assert!(v.is_none_or(|v| v.is_zero()));
            }
        }

        #[test]
        fn soft_jaccard_is_2sd_over_1_plus_sd((y, p) in soft_pair()) {
            for squared in ["", ":squared"] {
                let sd = soft(&format!("soft-dice{squared}")).loss(&y, &p).expect("valid");
                let sj = soft(&format!("soft-jaccard{squared}")).loss(&y, &p).expect("valid");
                match (sd, sj) {
                    (Some(sd), Some(sj)) => {
                        let two = Q::from_integer(2.into());
                        prop_assert_eq!(sj, &two * &sd / (Q::one() + &sd));
                    }
                    (None, None) => {}
                    other => prop_assert!(false, "one 0/0 without the other: {:?}", other),
                }
            }
        }

        #[test]
        fn fast_lovasz_is_the_definition((y, p) in hard_y_soft_p()) {
            let yb: Vec<bool> = y.iter().map(|v| v.is_one()).collect();
            let m = errors(&yb, &p);
            let fast = lovasz_jaccard_fast(&yb, &m);
            prop_assert_eq!(&fast, &lovasz_extension_definition(jaccard_set_loss(&yb), &m));
            prop_assert_eq!(&fast, &exact("lovasz:jaccard", &y, &p));
            prop_assert_eq!(&fast, &exact("lovasz-jaccard", &y, &p));
            // Arbitrary non-negative m (not only |y − p|), including values above 1.
            let m2: Vec<Q> = m.iter().map(|v| v * Q::from_integer(3.into()) + &p[0]).collect();
            prop_assert_eq!(
                lovasz_jaccard_fast(&yb, &m2),
                lovasz_extension_definition(jaccard_set_loss(&yb), &m2)
            );
            // Δ_J is non-decreasing with Δ_J(all errors) ≤ 1, so 0 ≤ Δ̄ ≤ max m.
            prop_assert!(!fast.is_negative());
            prop_assert!(m.iter().any(|v| fast <= *v));
        }

        #[test]
        fn lovasz_does_not_depend_on_tie_order((y, m, perm) in tied_errors()) {
            // A random order among the ties: shuffle, then stable-sort decreasingly.
            let mut order = perm.clone();
            order.sort_by(|&a, &b| m[b].cmp(&m[a]));
            let by_index = lovasz_extension_definition(jaccard_set_loss(&y), &m);
            prop_assert_eq!(&extension_along(jaccard_set_loss(&y), &m, &order), &by_index);
            prop_assert_eq!(&lovasz_jaccard_fast(&y, &m), &by_index);
            // Dice too, through the generic path with a permuted input.
            let dice = LovaszMeasure { measure: parse_measure("dice").expect("dice") };
            let direct = lovasz_extension_definition(|e| dice.set_loss(&y, e), &m);
            prop_assert_eq!(extension_along(|e| dice.set_loss(&y, e), &m, &order), direct.clone());
            let yp: Vec<bool> = perm.iter().map(|&i| y[i]).collect();
            let mp: Vec<Q> = perm.iter().map(|&i| m[i].clone()).collect();
            prop_assert_eq!(lovasz_jaccard_fast(&yp, &mp), by_index);
            prop_assert_eq!(lovasz_extension_definition(|e| dice.set_loss(&yp, e), &mp), direct);
            // And the f64 reference is within rounding whatever the tie order.
            let mf = to_f64_vec(&mp);
            prop_assert!(close(lovasz_jaccard_fast_f64(&yp, &mf), &lovasz_jaccard_fast(&y, &m)));
        }

        #[test]
        fn f64_paths_agree_with_the_exact_paths((y, p) in soft_pair(), (yh, ph) in hard_y_soft_p()) {
            for spec in SPECS {
                let l = soft(spec);
                let (yy, pp) = if spec.starts_with("lovasz") { (&yh, &ph) } else { (&y, &p) };
                let f = l.loss_f64(&to_f64_vec(yy), &to_f64_vec(pp));
                match l.loss(yy, pp).expect("valid") {
                    Some(v) => prop_assert!(close(f, &v), "{}: {} vs {}", spec, f, format_q(&v)),
                    None => prop_assert!(f.is_nan(), "{}: {}", spec, f),
                }
            }
            let yb: Vec<bool> = yh.iter().map(|v| v.is_one()).collect();
            let m = errors(&yb, &ph);
            let mf = to_f64_vec(&m);
            let fast = lovasz_jaccard_fast(&yb, &m);
            prop_assert!(close(lovasz_jaccard_fast_f64(&yb, &mf), &fast));
            let def = lovasz_extension_definition_f64(
                |e| q_to_f64(&jaccard_set_loss(&yb)(e)),
                &mf,
            );
            prop_assert!(close(def, &fast));
        }
    }
}
