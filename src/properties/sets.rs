//! Properties of functions of subsets of a small universe {1..n}.
//!
//! A subset is a bitmask `u64` with element i (1-based, as the theory writes sets)
//! in bit i−1, the same packing as [`crate::masks::SmallMask`] (voxel 0 in bit 0).
//! Witnesses show each set twice: as a bit string, voxel 0 first (`"110"`), and as
//! a 1-based index list (`"{1,2}"`, the empty set `"{}"`).
//!
//! * [`metric_axioms_sets`]: identity of indiscernibles, symmetry and the triangle
//!   inequality over all ordered triples of subsets (n ≤ 8).
//! * [`set_distance`]: the distance d(A, B) = loss(ground truth A, prediction B) of
//!   a count measure, with the empty-mask policy `one` (so d(∅, ∅) = 0).
//! * [`submodular_sets`]: f(A) + f(B) ≥ f(A ∪ B) + f(A ∩ B) over all pairs (n ≤ 16).
//! * [`error_set_loss`] and [`submodular_error_sets`]: the set function the Lovász
//!   hinge extends, Δ_y(M) = loss(y, y XOR M) where M is the set of mispredicted
//!   voxels, checked for submodularity for every ground truth y (n ≤ 8).
//!
//! What the computation says (tests in `properties::tests`): the Jaccard distance
//! is a metric and its error-set loss is submodular; the Dice distance violates the
//! triangle inequality (A = {1}, B = {1,2}, C = {2}: 1 > 1/3 + 1/3) and the Dice
//! error-set loss is **not** submodular (y = {1,2}, A = {1}, B = {2}: missing either
//! voxel of a two-voxel object costs 1/3, missing both costs 1, and
//! 1/3 + 1/3 < 1 + 0). For Dice, each further missed voxel of the object costs more
//! than the previous one (increasing returns), which submodularity forbids.

use rayon::prelude::*;
use serde_json::{json, Value as Json};

use super::{
    metric_scan, not_reproducible, tabulate, triples, Exact, Key, MetricOrder, MetricViolation,
    Table, Verdict,
};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::measures::{EmptyPolicy, Measure, Value};

/// Largest universe for checks over triples of subsets (2^24 ordered triples).
pub const MAX_TRIPLE_N: u32 = 8;
/// Largest universe for checks over pairs of subsets (2^31 unordered pairs).
pub const MAX_PAIR_N: u32 = 16;
/// Largest universe for [`submodular_error_sets`] (every y and every pair: 2^(3n−1)).
pub const MAX_ERROR_SET_N: u32 = 8;

/// A set as a 1-based index list: `{1,3}` for bits 0 and 2, `{}` for the empty set.
pub fn set_braces(bits: u64) -> String {
    let items: Vec<String> = (0..64)
        .filter(|i| bits >> i & 1 == 1)
        .map(|i| (i + 1).to_string())
        .collect();
    format!("{{{}}}", items.join(","))
}

/// A set as a bit string of length `n`, voxel 0 (element 1) first, the format of
/// [`crate::masks::SmallMask`]'s `Display` and of [`crate::masks::parse_bits`].
pub fn bit_string(bits: u64, n: u32) -> String {
    (0..n.min(64))
        .map(|i| if bits >> i & 1 == 1 { '1' } else { '0' })
        .collect()
}

/// A set in a witness: `{"bits": "110", "set": "{1,2}"}`.
pub fn set_json(bits: u64, n: u32) -> Json {
    json!({ "bits": bit_string(bits, n), "set": set_braces(bits) })
}

fn check_universe(n: u32, max: u32, what: &str) -> Result<()> {
    if n > max {
        return Err(Error::TooLarge(format!(
            "{what} enumerates subsets of an n-element universe exhaustively and is limited to \
             n <= {max}; got n = {n}"
        )));
    }
    Ok(())
}

fn check_set(bits: u64, n: u32, what: &str) -> Result<()> {
    if n > 64 {
        return Err(Error::invalid(format!(
            "a set universe has at most 64 elements, got n = {n}"
        )));
    }
    if n < 64 && bits >> n != 0 {
        return Err(Error::invalid(format!(
            "{what} {bits:#b} has elements outside the universe {{1..{n}}}"
        )));
    }
    Ok(())
}

fn exact_loss(m: &Measure, c: &Counts) -> Result<Q> {
    match m.loss(c, EmptyPolicy::One)? {
        Value::Exact(q) => Ok(q),
        Value::NaN => Err(Error::invalid(format!(
            "{} has no value at tp={} fp={} fn={} tn={}",
            m.spec(),
            c.tp,
            c.fp,
            c.fn_,
            c.tn
        ))),
    }
}

/// The set distance of a count measure: d(A, B) = the measure's loss with ground
/// truth A and prediction B on n voxels, with [`EmptyPolicy::One`] (d(∅, ∅) = 0).
/// Sets with elements outside {1..n} are an error.
pub fn set_distance(m: &Measure, n: u32) -> impl Fn(u64, u64) -> Result<Q> + Send + Sync + Clone {
    let m = m.clone();
    move |a, b| {
        check_set(a, n, "set")?;
        check_set(b, n, "set")?;
        exact_loss(&m, &Counts::from_bits(a, b, n))
    }
}

/// The error-set loss of the Lovász hinge for a fixed ground truth `y`:
/// Δ(M) = loss(y, y XOR M), where M is the set of mispredicted voxels (FN = M ∩ y,
/// FP = M \ y), with [`EmptyPolicy::One`] so Δ(∅) = 0 for every y. For Jaccard this
/// is |M| / |y ∪ M|.
pub fn error_set_loss(
    m: &Measure,
    y: u64,
    n: u32,
) -> impl Fn(u64) -> Result<Q> + Send + Sync + Clone {
    let m = m.clone();
    move |errors| {
        check_set(y, n, "ground truth")?;
        check_set(errors, n, "error set")?;
        exact_loss(&m, &Counts::from_bits(y, y ^ errors, n))
    }
}

/// Witness order on subsets: fewest elements involved (size of the union), then
/// the smallest total size, then the union, then the sets, as numbers.
struct SetOrder;

fn pop(x: u64) -> u64 {
    x.count_ones() as u64
}

impl MetricOrder for SetOrder {
    fn distinct(&self, a: usize, b: usize) -> bool {
        a != b
    }
    fn two(&self, a: usize, b: usize) -> Key {
        let (a, b) = (a as u64, b as u64);
        [pop(a | b), pop(a) + pop(b), a | b, a, b, 0]
    }
    fn three(&self, a: usize, b: usize, c: usize) -> Key {
        let (a, b, c) = (a as u64, b as u64, c as u64);
        [pop(a | b | c), pop(a) + pop(b) + pop(c), a | b | c, a, b, c]
    }
}

/// Checks that `d` is a metric on the subsets of {1..n} (n ≤ 8): d(A, A) = 0,
/// d(A, B) > 0 for A ≠ B, d(A, B) = d(B, A), and d(A, C) ≤ d(A, B) + d(B, C) for
/// all ordered triples. The 2^n × 2^n distance matrix is computed once, exactly.
///
/// `Holds { checked }` counts the ordered triples (2^(3n)). On failure the witness
/// is the smallest violation (fewest elements in A ∪ B ∪ C, then smallest
/// |A| + |B| + |C|, then the sets as numbers) of the first failing axiom in the
/// order identity, positivity, symmetry, triangle; for the Dice distance it is
/// A = {1}, B = {1,2}, C = {2}.
pub fn metric_axioms_sets(n: u32, d: impl Fn(u64, u64) -> Result<Q> + Sync) -> Result<Verdict> {
    check_universe(n, MAX_TRIPLE_N, "metric_axioms_sets")?;
    let size = 1usize << n;
    let values = tabulate(size * size, |i| d((i / size) as u64, (i % size) as u64))?;
    let Some(v) = metric_scan(&Table::new(values), size, &SetOrder) else {
        return Ok(Verdict::Holds {
            checked: triples(size),
        });
    };
    let s = |x: usize| set_json(x as u64, n);
    let b = |x: usize| set_braces(x as u64);
    let dd = |x: usize, y: usize| d(x as u64, y as u64);
    Ok(match v {
        MetricViolation::Identity(a, _) => {
            let daa = dd(a, a)?;
            if num_traits::Zero::is_zero(&daa) {
                return Err(not_reproducible("d(A,A)"));
            }
            Verdict::Refuted {
                detail: format!(
                    "identity fails: d(A,A) = {} ≠ 0 with A = {} (n = {n})",
                    format_q(&daa),
                    b(a)
                ),
                witness: json!({
                    "axiom": "identity: d(A,A) = 0",
                    "n": n, "A": s(a), "d(A,A)": format_q(&daa),
                }),
            }
        }
        MetricViolation::Positivity(a, c) => {
            let dac = dd(a, c)?;
            if num_traits::Signed::is_positive(&dac) {
                return Err(not_reproducible("d(A,B)"));
            }
            Verdict::Refuted {
                detail: format!(
                    "positivity fails: d(A,B) = {} ≤ 0 with A = {} ≠ B = {} (n = {n})",
                    format_q(&dac),
                    b(a),
                    b(c)
                ),
                witness: json!({
                    "axiom": "positivity: d(A,B) > 0 for A != B",
                    "n": n, "A": s(a), "B": s(c), "d(A,B)": format_q(&dac),
                }),
            }
        }
        MetricViolation::Symmetry(a, c) => {
            let (dac, dca) = (dd(a, c)?, dd(c, a)?);
            if dac == dca {
                return Err(not_reproducible("d(A,B), d(B,A)"));
            }
            Verdict::Refuted {
                detail: format!(
                    "symmetry fails: d(A,B) = {} ≠ d(B,A) = {} with A = {}, B = {} (n = {n})",
                    format_q(&dac),
                    format_q(&dca),
                    b(a),
                    b(c)
                ),
                witness: json!({
                    "axiom": "symmetry: d(A,B) = d(B,A)",
                    "n": n, "A": s(a), "B": s(c),
                    "d(A,B)": format_q(&dac), "d(B,A)": format_q(&dca),
                }),
            }
        }
        MetricViolation::Triangle(a, m, c) => {
            let (dac, dam, dmc) = (dd(a, c)?, dd(a, m)?, dd(m, c)?);
            let sum = &dam + &dmc;
            if dac <= sum {
                return Err(not_reproducible("d(A,C), d(A,B), d(B,C)"));
            }
            Verdict::Refuted {
                detail: format!(
                    "triangle inequality fails: d(A,C) = {} > d(A,B) + d(B,C) = {} + {} = {} \
                     with A = {}, B = {}, C = {} (n = {n})",
                    format_q(&dac),
                    format_q(&dam),
                    format_q(&dmc),
                    format_q(&sum),
                    b(a),
                    b(m),
                    b(c)
                ),
                witness: json!({
                    "axiom": "triangle inequality: d(A,C) <= d(A,B) + d(B,C)",
                    "n": n, "A": s(a), "B": s(m), "C": s(c),
                    "d(A,C)": format_q(&dac), "d(A,B)": format_q(&dam),
                    "d(B,C)": format_q(&dmc), "d(A,B)+d(B,C)": format_q(&sum),
                }),
            }
        }
    })
}

/// The smallest (by `key`) pair a < b of subsets of a universe of `size` sets with
/// f(a) + f(b) < f(a ∪ b) + f(a ∩ b). Comparable pairs are skipped: for them the
/// inequality is an identity.
fn submodular_scan(
    table: &Table,
    size: usize,
    key: &(impl Fn(u64, u64) -> Key + Sync),
) -> Option<(Key, u64, u64)> {
    fn scan<T: Exact + ?Sized>(
        f: &T,
        size: usize,
        key: &(impl Fn(u64, u64) -> Key + Sync),
    ) -> Option<(Key, u64, u64)> {
        (0..size)
            .into_par_iter()
            .filter_map(|a| {
                let mut best: Option<(Key, u64, u64)> = None;
                for b in a + 1..size {
                    let (i, u) = (a & b, a | b);
                    if i == a || i == b {
                        continue;
                    }
                    if f.sum_less(a, b, u, i) {
                        let cand = (key(a as u64, b as u64), a as u64, b as u64);
                        if best.as_ref().is_none_or(|x| cand < *x) {
                            best = Some(cand);
                        }
                    }
                }
                best
            })
            .min()
    }
    match table {
        Table::Scaled(v) => scan(v.as_slice(), size, key),
        Table::Big(v) => scan(v.as_slice(), size, key),
    }
}

/// The number of unordered pairs of distinct subsets of an n-element universe.
fn pairs(n: u32) -> u64 {
    let size = 1u64 << n;
    size * (size - 1) / 2
}

/// A re-verified submodularity witness: (witness fields, detail).
fn submodular_witness(
    f: &impl Fn(u64) -> Result<Q>,
    n: u32,
    a: u64,
    b: u64,
    name: &str,
) -> Result<(serde_json::Map<String, Json>, String)> {
    let (u, i) = (a | b, a & b);
    let (fa, fb, fu, fi) = (f(a)?, f(b)?, f(u)?, f(i)?);
    let (lhs, rhs) = (&fa + &fb, &fu + &fi);
    if lhs >= rhs {
        return Err(not_reproducible("f(A), f(B), f(A∪B), f(A∩B)"));
    }
    let detail = format!(
        "{name}(A) + {name}(B) = {} + {} = {} < {name}(A∪B) + {name}(A∩B) = {} + {} = {} \
         with A = {}, B = {}, A∪B = {}, A∩B = {} (n = {n})",
        format_q(&fa),
        format_q(&fb),
        format_q(&lhs),
        format_q(&fu),
        format_q(&fi),
        format_q(&rhs),
        set_braces(a),
        set_braces(b),
        set_braces(u),
        set_braces(i),
    );
    let mut w = serde_json::Map::new();
    w.insert(
        "property".into(),
        json!(format!(
            "submodularity: {name}(A) + {name}(B) >= {name}(A∪B) + {name}(A∩B)"
        )),
    );
    w.insert("n".into(), json!(n));
    for (k, v) in [
        ("A", set_json(a, n)),
        ("B", set_json(b, n)),
        ("A∪B", set_json(u, n)),
        ("A∩B", set_json(i, n)),
    ] {
        w.insert(k.into(), v);
    }
    for (k, v) in [("A", &fa), ("B", &fb), ("A∪B", &fu), ("A∩B", &fi)] {
        w.insert(format!("{name}({k})"), json!(format_q(v)));
    }
    w.insert(format!("{name}(A)+{name}(B)"), json!(format_q(&lhs)));
    w.insert(format!("{name}(A∪B)+{name}(A∩B)"), json!(format_q(&rhs)));
    Ok((w, detail))
}

/// Checks that `f` is submodular on the subsets of {1..n} (n ≤ 16):
/// f(A) + f(B) ≥ f(A ∪ B) + f(A ∩ B) for every pair. `f` is tabulated once.
///
/// `Holds { checked }` counts the unordered pairs {A, B} of distinct subsets,
/// 2^n (2^n − 1) / 2 (the inequality is symmetric in A and B, and an identity when
/// one contains the other). The witness is the smallest violating pair (fewest
/// elements in A ∪ B, then smallest |A| + |B|, then the sets as numbers).
pub fn submodular_sets(n: u32, f: impl Fn(u64) -> Result<Q> + Sync) -> Result<Verdict> {
    check_universe(n, MAX_PAIR_N, "submodular_sets")?;
    let size = 1usize << n;
    let table = Table::new(tabulate(size, |m| f(m as u64))?);
    let key = |a: u64, b: u64| [pop(a | b), pop(a) + pop(b), a | b, a, b, 0];
    let Some((_, a, b)) = submodular_scan(&table, size, &key) else {
        return Ok(Verdict::Holds { checked: pairs(n) });
    };
    let (w, detail) = submodular_witness(&f, n, a, b, "f")?;
    Ok(Verdict::Refuted {
        witness: Json::Object(w),
        detail: format!("submodularity fails: {detail}"),
    })
}

/// Checks that the error-set loss Δ_y(M) = loss(y, y XOR M) of a count measure
/// ([`error_set_loss`]) is submodular in M for **every** ground truth y on n ≤ 8
/// voxels.
///
/// `Holds { checked }` counts (y, {A, B}) combinations: 2^n · 2^n (2^n − 1) / 2.
/// The witness is the smallest violation (fewest elements in y ∪ A ∪ B, then
/// smallest |y| + |A| + |B|, then y, then the error sets as numbers); besides y, A,
/// B, A ∪ B and A ∩ B it lists the prediction y XOR M for each error set M, so the
/// four losses can be recomputed from the masks directly.
///
/// Jaccard holds (Berman et al.: Δ_J(M) = |M| / |y ∪ M| is submodular). Dice does
/// not: y = {1,2}, A = {1}, B = {2} gives Δ(A) + Δ(B) = 1/3 + 1/3 < Δ(A∪B) + Δ(∅) = 1.
pub fn submodular_error_sets(m: &Measure, n: u32) -> Result<Verdict> {
    check_universe(n, MAX_ERROR_SET_N, "submodular_error_sets")?;
    let size = 1usize << n;
    let tables: Vec<Result<Table>> = (0..size as u64)
        .into_par_iter()
        .map(|y| {
            let f = error_set_loss(m, y, n);
            Ok(Table::new(tabulate(size, |e| f(e as u64))?))
        })
        .collect();
    let tables = tables.into_iter().collect::<Result<Vec<Table>>>()?;
    let best = tables
        .par_iter()
        .enumerate()
        .filter_map(|(y, table)| {
            let y = y as u64;
            let key = |a: u64, b: u64| [pop(y | a | b), pop(y) + pop(a) + pop(b), y, a | b, a, b];
            submodular_scan(table, size, &key).map(|(k, a, b)| (k, y, a, b))
        })
        .min();
    let Some((_, y, a, b)) = best else {
        return Ok(Verdict::Holds {
            checked: (size as u64) * pairs(n),
        });
    };
    let f = error_set_loss(m, y, n);
    let (mut w, detail) = submodular_witness(&f, n, a, b, "Δ")?;
    w.insert("measure".into(), json!(m.spec()));
    w.insert("y".into(), set_json(y, n));
    w.insert(
        "predictions".into(),
        json!({
            "A": bit_string(y ^ a, n),
            "B": bit_string(y ^ b, n),
            "A∪B": bit_string(y ^ (a | b), n),
            "A∩B": bit_string(y ^ (a & b), n),
        }),
    );
    Ok(Verdict::Refuted {
        witness: Json::Object(w),
        detail: format!(
            "the {} error-set loss Δ(M) = loss(y, y XOR M) is not submodular: with y = {}, {detail}",
            m.spec(),
            set_braces(y)
        ),
    })
}
