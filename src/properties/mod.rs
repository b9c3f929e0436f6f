//! Structural properties of losses, settled exhaustively with exact arithmetic:
//! metric axioms, submodularity, midpoint convexity and agreement of a relaxation
//! with a set function on the vertices of the cube.
//!
//! Why a module of its own: claims 8 and 9 of the theory brief are not about how
//! two losses compare on counts (that is [`crate::enumerate`]'s job) but about the
//! *shape* of one loss: is the Jaccard distance a metric (yes), is the Dice distance
//! one (no: A = {1}, B = {1,2}, C = {2} gives 1 > 1/3 + 1/3), is the Jaccard set loss
//! that the Lovász hinge extends submodular (yes, Berman et al.), is the Dice one
//! (the computation says no, see [`sets::submodular_error_sets`]), does the soft
//! JML satisfy the triangle inequality on \[0,1\]^n (DML does not). Each question is
//! a universally quantified inequality, so each check here either confirms it on
//! every instance up to a size or returns one counterexample.
//!
//! Every check returns a [`Verdict`]:
//!
//! * [`Verdict::Holds`] with the number of instances checked, or
//! * [`Verdict::Refuted`] with a witness a person can check by hand (sets as bit
//!   strings, voxel 0 first, *and* as 1-based index lists such as `{1,2}` the way the
//!   theory writes them; values as exact `p/q` strings) and a one-line detail.
//!
//! A witness is found in a fixed order (the result never depends on thread
//! scheduling), the smallest one first (fewest elements involved; for points, the
//! shortest prefix of the point list), and before it is returned it is *re-verified*:
//! the function under test is evaluated again on the witness alone and the
//! violated inequality recomputed exactly. A function that answers differently the
//! second time is an error, not a verdict.
//!
//! How it is fast: every check first tabulates the function once (a 2^n × 2^n
//! distance matrix, or 2^n set values), exactly. When all values share a common
//! denominator L < 2^64 with scaled numerators below 2^124 (true for every count
//! measure on small n), the table is stored as `i128` numerators over L and each
//! inequality is integer additions and one comparison; otherwise the table stays in
//! [`Q`] and the same scan runs on big rationals. The n = 6 triangle check (2^18
//! ordered triples of subsets) takes a few milliseconds in release builds.
//!
//! ```
//! use diceproof::parse_measure;
//! use diceproof::properties::{metric_axioms_sets, set_distance, submodular_error_sets};
//!
//! let jaccard = parse_measure("jaccard").unwrap();
//! assert!(metric_axioms_sets(4, set_distance(&jaccard, 4)).unwrap().holds());
//! assert!(submodular_error_sets(&jaccard, 4).unwrap().holds());
//!
//! let dice = parse_measure("dice").unwrap();
//! let v = metric_axioms_sets(3, set_distance(&dice, 3)).unwrap();
//! let w = v.witness().unwrap();
//! assert_eq!((&w["A"]["set"], &w["B"]["set"], &w["C"]["set"]),
//!            (&"{1}".into(), &"{1,2}".into(), &"{2}".into()));
//! assert_eq!(w["B"]["bits"], "110");
//! assert!(!submodular_error_sets(&dice, 2).unwrap().holds());
//! ```
//!
//! * [`sets`]: metric axioms and submodularity for functions of subsets of
//!   {1..n} (bitmasks, voxel i in bit i−1), set distances from count measures, and
//!   the error-set loss Δ(M) = loss(y, y XOR M) of the Lovász hinge.
//! * [`relaxed`]: the same metric axioms on lists of rational points, rational
//!   grids, midpoint (and quarter-point) convexity on seeded random segments, and
//!   the extension check relax(1_S) = set(S) on every vertex.

pub mod relaxed;
pub mod sets;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::exact::Q;

pub use relaxed::{convex_midpoint, extension, grid, metric_axioms_points, random_segments};
pub use sets::{
    error_set_loss, metric_axioms_sets, set_distance, submodular_error_sets, submodular_sets,
};

/// The outcome of a property check.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The property holds on every instance examined; `checked` counts them (each
    /// check documents what one instance is).
    Holds {
        /// Number of instances examined.
        checked: u64,
    },
    /// The property fails; `witness` is a re-verified counterexample.
    Refuted {
        /// The counterexample: sets as `{"bits": "110", "set": "{1,2}"}`, points as
        /// arrays of `p/q` strings, values as `p/q` strings.
        witness: serde_json::Value,
        /// The violated inequality in one line, with its exact values.
        detail: String,
    },
}

impl Verdict {
    /// True for [`Verdict::Holds`].
    pub fn holds(&self) -> bool {
        matches!(self, Verdict::Holds { .. })
    }

    /// The witness of a refutation.
    pub fn witness(&self) -> Option<&serde_json::Value> {
        match self {
            Verdict::Holds { .. } => None,
            Verdict::Refuted { witness, .. } => Some(witness),
        }
    }

    /// The detail line of a refutation.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Verdict::Holds { .. } => None,
            Verdict::Refuted { detail, .. } => Some(detail),
        }
    }
}

/// The error returned when a re-evaluation on the witness disagrees with the table.
pub(crate) fn not_reproducible(what: &str) -> Error {
    Error::invalid(format!(
        "property check: re-evaluating the function on the witness ({what}) did not reproduce \
         the violation found in the table; the function under test must be deterministic"
    ))
}

/// Evaluates `f` on `0..count` in parallel and returns the values in order, or the
/// error of the smallest failing index (deterministic whatever the scheduling).
pub(crate) fn tabulate(count: usize, f: impl Fn(usize) -> Result<Q> + Sync) -> Result<Vec<Q>> {
    let results: Vec<Result<Q>> = (0..count).into_par_iter().map(&f).collect();
    results.into_iter().collect()
}

/// An exact table of values in the fastest faithful representation.
pub(crate) enum Table {
    /// Numerators over one common positive denominator; all below 2^124 in
    /// magnitude, so a sum of two never overflows.
    Scaled(Vec<i128>),
    /// The values themselves.
    Big(Vec<Q>),
}

/// Largest common denominator the scaled representation accepts.
const MAX_LCM_BITS: u64 = 64;
/// Largest magnitude (in bits) of a scaled numerator.
const MAX_SCALED_BITS: u64 = 124;

impl Table {
    /// Chooses the representation: scaled integers when they fit, big rationals
    /// otherwise.
    pub(crate) fn new(values: Vec<Q>) -> Table {
        match scale(&values) {
            Some(s) => Table::Scaled(s),
            None => Table::Big(values),
        }
    }
}

fn scale(values: &[Q]) -> Option<Vec<i128>> {
    let mut lcm = BigInt::one();
    for v in values {
        if !v.denom().is_one() {
            lcm = lcm.lcm(v.denom());
            if lcm.bits() > MAX_LCM_BITS {
                return None;
            }
        }
    }
    values
        .iter()
        .map(|v| {
            let s = v.numer() * (&lcm / v.denom());
            if s.bits() > MAX_SCALED_BITS {
                None
            } else {
                s.to_i128()
            }
        })
        .collect()
}

/// Exact comparisons on a table, implemented for both representations so the scans
/// are written once and monomorphised.
pub(crate) trait Exact: Sync {
    /// The sign of entry `i`.
    fn sign(&self, i: usize) -> Ordering;
    /// Entry `i` equals entry `j`.
    fn same(&self, i: usize, j: usize) -> bool;
    /// Entry `i` exceeds entry `j` + entry `k`.
    fn exceeds_sum(&self, i: usize, j: usize, k: usize) -> bool;
    /// Entry `a` + entry `b` is less than entry `c` + entry `d`.
    fn sum_less(&self, a: usize, b: usize, c: usize, d: usize) -> bool;
}

impl Exact for [i128] {
    #[inline]
    fn sign(&self, i: usize) -> Ordering {
        self[i].cmp(&0)
    }
    #[inline]
    fn same(&self, i: usize, j: usize) -> bool {
        self[i] == self[j]
    }
    #[inline]
    fn exceeds_sum(&self, i: usize, j: usize, k: usize) -> bool {
        self[i] > self[j] + self[k]
    }
    #[inline]
    fn sum_less(&self, a: usize, b: usize, c: usize, d: usize) -> bool {
        self[a] + self[b] < self[c] + self[d]
    }
}

impl Exact for [Q] {
    fn sign(&self, i: usize) -> Ordering {
        if self[i].is_zero() {
            Ordering::Equal
        } else if self[i].is_positive() {
            Ordering::Greater
        } else {
            Ordering::Less
        }
    }
    fn same(&self, i: usize, j: usize) -> bool {
        self[i] == self[j]
    }
    fn exceeds_sum(&self, i: usize, j: usize, k: usize) -> bool {
        self[i] > &self[j] + &self[k]
    }
    fn sum_less(&self, a: usize, b: usize, c: usize, d: usize) -> bool {
        &self[a] + &self[b] < &self[c] + &self[d]
    }
}

/// A witness ordering key: smaller is preferred.
pub(crate) type Key = [u64; 6];

/// The first failing metric axiom, by indices into the tabulated domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetricViolation {
    /// d(a, b) ≠ 0 although a and b are the same element (always for a = b; for
    /// points, also for two indices holding equal coordinates).
    Identity(usize, usize),
    /// d(a, b) ≤ 0 with a ≠ b.
    Positivity(usize, usize),
    /// d(a, b) ≠ d(b, a).
    Symmetry(usize, usize),
    /// d(a, c) > d(a, b) + d(b, c).
    Triangle(usize, usize, usize),
}

/// Witness orderings for a metric scan over a domain of `size` elements.
pub(crate) trait MetricOrder: Sync {
    /// Whether indices `a` and `b` denote different elements of the domain.
    fn distinct(&self, a: usize, b: usize) -> bool;
    /// Key of an ordered pair.
    fn two(&self, a: usize, b: usize) -> Key;
    /// Key of an ordered triple.
    fn three(&self, a: usize, b: usize, c: usize) -> Key;
}

/// Checks the metric axioms on a `size × size` matrix (row-major, entry a·size + b
/// is d(a, b)) and returns the smallest violation of the first failing axiom, in
/// the order identity, positivity, symmetry, triangle.
pub(crate) fn metric_scan(
    table: &Table,
    size: usize,
    order: &impl MetricOrder,
) -> Option<MetricViolation> {
    match table {
        Table::Scaled(v) => metric_scan_in(v.as_slice(), size, order),
        Table::Big(v) => metric_scan_in(v.as_slice(), size, order),
    }
}

fn metric_scan_in<T: Exact + ?Sized>(
    d: &T,
    size: usize,
    order: &impl MetricOrder,
) -> Option<MetricViolation> {
    let identity = (0..size)
        .into_par_iter()
        .flat_map_iter(|a| {
            (0..size)
                .filter(move |&b| {
                    (a == b || !order.distinct(a, b)) && d.sign(a * size + b) != Ordering::Equal
                })
                .map(move |b| (order.two(a, b), a, b))
        })
        .min();
    if let Some((_, a, b)) = identity {
        return Some(MetricViolation::Identity(a, b));
    }
    let positivity = (0..size)
        .into_par_iter()
        .flat_map_iter(|a| {
            (0..size)
                .filter(move |&b| {
                    a != b && order.distinct(a, b) && d.sign(a * size + b) != Ordering::Greater
                })
                .map(move |b| (order.two(a, b), a, b))
        })
        .min();
    if let Some((_, a, b)) = positivity {
        return Some(MetricViolation::Positivity(a, b));
    }
    let symmetry = (0..size)
        .into_par_iter()
        .flat_map_iter(|a| {
            (a + 1..size)
                .filter(move |&b| !d.same(a * size + b, b * size + a))
                .map(move |b| (order.two(a, b), a, b))
        })
        .min();
    if let Some((_, a, b)) = symmetry {
        return Some(MetricViolation::Symmetry(a, b));
    }
    let triangle = (0..size)
        .into_par_iter()
        .filter_map(|a| {
            let mut best: Option<(Key, usize, usize, usize)> = None;
            let row = a * size;
            for b in 0..size {
                let ab = row + b;
                let brow = b * size;
                for c in 0..size {
                    if d.exceeds_sum(row + c, ab, brow + c) {
                        let cand = (order.three(a, b, c), a, b, c);
                        if best.as_ref().is_none_or(|x| cand < *x) {
                            best = Some(cand);
                        }
                    }
                }
            }
            best
        })
        .min();
    triangle.map(|(_, a, b, c)| MetricViolation::Triangle(a, b, c))
}

/// The number of ordered triples of a domain of `size` elements, as reported by
/// [`Verdict::Holds`] for a metric check.
pub(crate) fn triples(size: usize) -> u64 {
    (size as u64).pow(3)
}
