//! Properties on the relaxed domain \[0,1\]^n, with exact rational points.
//!
//! Soft losses (soft Dice, soft Jaccard, JML, DML, the Lovász extension) are
//! functions of probability vectors. Their structural claims are checked here on
//! finite sets of rational points, exactly:
//!
//! * [`grid`]: every point of {0, 1/k, …, 1}^n, in lexicographic order;
//! * [`metric_axioms_points`]: identity of indiscernibles, symmetry and the
//!   triangle inequality over all ordered triples of a list of points (claim 9:
//!   JML satisfies the triangle inequality, DML does not);
//! * [`convex_midpoint`] and [`random_segments`]: f((1−t)x + ty) ≤ (1−t)f(x) + tf(y)
//!   at t = 1/2, 1/4, 3/4 on seeded random rational segments (claim 8: the Lovász
//!   extension of a submodular set loss is convex);
//! * [`extension`]: a relaxation agrees with its set function on every vertex
//!   1_S of the cube (claim 8: the Lovász extension equals Δ_J on vertices).
//!
//! A finite check of a statement about a continuum confirms it only on the points
//! examined; a refutation, being exact, is a proof.

use num_traits::{One, Zero};
use serde_json::{json, Value as Json};

use super::sets::{set_braces, set_json};
use super::{
    metric_scan, not_reproducible, tabulate, triples, Key, MetricOrder, MetricViolation, Table,
    Verdict,
};
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::rng::Rng;

/// Largest point list for [`metric_axioms_points`] (2^30 ordered triples).
pub const MAX_POINTS: usize = 1024;
/// Largest dimension for [`extension`] (2^16 vertices).
pub const MAX_EXTENSION_N: u32 = 16;

/// A point in a witness: an array of `p/q` strings.
pub fn point_json(x: &[Q]) -> Json {
    Json::Array(x.iter().map(|q| json!(format_q(q))).collect())
}

fn point_text(x: &[Q]) -> String {
    let items: Vec<String> = x.iter().map(format_q).collect();
    format!("({})", items.join(", "))
}

/// Every point of the grid {0, 1/k, 2/k, …, 1}^n, lexicographically (the first
/// coordinate varies slowest): (k+1)^n points. `n = 0` yields the single empty
/// point; `k = 0` (no grid spacing) yields nothing.
pub fn grid(n: usize, k: u64) -> impl Iterator<Item = Vec<Q>> {
    Grid {
        k,
        next: (k > 0).then(|| vec![0; n]),
    }
}

struct Grid {
    k: u64,
    next: Option<Vec<u64>>,
}

impl Iterator for Grid {
    type Item = Vec<Q>;

    fn next(&mut self) -> Option<Vec<Q>> {
        let digits = self.next.as_mut()?;
        let point = digits
            .iter()
            .map(|&i| Q::new(i.into(), self.k.into()))
            .collect();
        let mut pos = digits.len();
        loop {
            if pos == 0 {
                self.next = None;
                break;
            }
            pos -= 1;
            if digits[pos] < self.k {
                digits[pos] += 1;
                break;
            }
            digits[pos] = 0;
        }
        Some(point)
    }
}

/// Witness order on a point list: the shortest prefix of the list that holds the
/// witness, then the indices lexicographically.
struct PointOrder<'a>(&'a [Vec<Q>]);

impl MetricOrder for PointOrder<'_> {
    fn distinct(&self, a: usize, b: usize) -> bool {
        self.0[a] != self.0[b]
    }
    fn two(&self, a: usize, b: usize) -> Key {
        [a.max(b) as u64, a as u64, b as u64, 0, 0, 0]
    }
    fn three(&self, a: usize, b: usize, c: usize) -> Key {
        [a.max(b).max(c) as u64, a as u64, b as u64, c as u64, 0, 0]
    }
}

fn check_dimensions<'a>(mut points: impl Iterator<Item = &'a [Q]>, what: &str) -> Result<()> {
    if let Some(first) = points.next() {
        let dim = first.len();
        for (i, p) in points.enumerate() {
            if p.len() != dim {
                return Err(Error::Mismatch(format!(
                    "{what}: point {} has {} coordinates but point 0 has {dim}",
                    i + 1,
                    p.len()
                )));
            }
        }
    }
    Ok(())
}

/// Checks that `d` is a metric on the given points: d(x, x) = 0 (also for two
/// entries holding equal coordinates), d(x, y) > 0 for x ≠ y, d(x, y) = d(y, x),
/// and d(x, z) ≤ d(x, y) + d(y, z) over all ordered triples. The distance matrix is
/// computed once, exactly. At most [`MAX_POINTS`] points, all of one dimension.
///
/// `Holds { checked }` counts the ordered triples (len³). The witness is the
/// violation of the first failing axiom (order: identity, positivity, symmetry,
/// triangle) found in the shortest prefix of `points`, so listing simple points
/// first (as [`grid`] does) gives simple witnesses. Points are reported by value
/// and by index.
pub fn metric_axioms_points(
    points: &[Vec<Q>],
    d: impl Fn(&[Q], &[Q]) -> Result<Q> + Sync,
) -> Result<Verdict> {
    let size = points.len();
    if size > MAX_POINTS {
        return Err(Error::TooLarge(format!(
            "metric_axioms_points checks all ordered triples and is limited to {MAX_POINTS} \
             points; got {size}"
        )));
    }
    check_dimensions(points.iter().map(|p| p.as_slice()), "metric_axioms_points")?;
    let values = tabulate(size * size, |i| d(&points[i / size], &points[i % size]))?;
    let Some(v) = metric_scan(&Table::new(values), size, &PointOrder(points)) else {
        return Ok(Verdict::Holds {
            checked: triples(size),
        });
    };
    let p = |i: usize| json!({ "index": i, "point": point_json(&points[i]) });
    let t = |i: usize| point_text(&points[i]);
    let dd = |i: usize, j: usize| d(&points[i], &points[j]);
    Ok(match v {
        MetricViolation::Identity(a, b) => {
            let dab = dd(a, b)?;
            if dab.is_zero() {
                return Err(not_reproducible("d(x,x)"));
            }
            let copies = if a == b {
                String::new()
            } else {
                format!(" (entries {a} and {b} of the list hold the same point)")
            };
            Verdict::Refuted {
                detail: format!(
                    "identity fails: d(x,x) = {} ≠ 0 with x = {}{copies}",
                    format_q(&dab),
                    t(a)
                ),
                witness: json!({
                    "axiom": "identity: d(x,x) = 0",
                    "x": p(a), "copy": p(b), "d(x,x)": format_q(&dab),
                }),
            }
        }
        MetricViolation::Positivity(a, b) => {
            let dab = dd(a, b)?;
            if dab > Q::zero() {
                return Err(not_reproducible("d(x,y)"));
            }
            Verdict::Refuted {
                detail: format!(
                    "positivity fails: d(x,y) = {} ≤ 0 with x = {} ≠ y = {}",
                    format_q(&dab),
                    t(a),
                    t(b)
                ),
                witness: json!({
                    "axiom": "positivity: d(x,y) > 0 for x != y",
                    "x": p(a), "y": p(b), "d(x,y)": format_q(&dab),
                }),
            }
        }
        MetricViolation::Symmetry(a, b) => {
            let (dab, dba) = (dd(a, b)?, dd(b, a)?);
            if dab == dba {
                return Err(not_reproducible("d(x,y), d(y,x)"));
            }
            Verdict::Refuted {
                detail: format!(
                    "symmetry fails: d(x,y) = {} ≠ d(y,x) = {} with x = {}, y = {}",
                    format_q(&dab),
                    format_q(&dba),
                    t(a),
                    t(b)
                ),
                witness: json!({
                    "axiom": "symmetry: d(x,y) = d(y,x)",
                    "x": p(a), "y": p(b),
                    "d(x,y)": format_q(&dab), "d(y,x)": format_q(&dba),
                }),
            }
        }
        MetricViolation::Triangle(a, m, c) => {
            let (dac, dam, dmc) = (dd(a, c)?, dd(a, m)?, dd(m, c)?);
            let sum = &dam + &dmc;
            if dac <= sum {
                return Err(not_reproducible("d(x,z), d(x,y), d(y,z)"));
            }
            Verdict::Refuted {
                detail: format!(
                    "triangle inequality fails: d(x,z) = {} > d(x,y) + d(y,z) = {} + {} = {} \
                     with x = {}, y = {}, z = {}",
                    format_q(&dac),
                    format_q(&dam),
                    format_q(&dmc),
                    format_q(&sum),
                    t(a),
                    t(m),
                    t(c)
                ),
                witness: json!({
                    "axiom": "triangle inequality: d(x,z) <= d(x,y) + d(y,z)",
                    "x": p(a), "y": p(m), "z": p(c),
                    "d(x,z)": format_q(&dac), "d(x,y)": format_q(&dam),
                    "d(y,z)": format_q(&dmc), "d(x,y)+d(y,z)": format_q(&sum),
                }),
            }
        }
    })
}

/// The interpolation parameters checked on each segment, in order: the midpoint
/// and both quarter points. The point is (1−t)·x + t·y, so t = 1/4 is 3/4·x + 1/4·y.
fn ts() -> [Q; 3] {
    let q = |a: i64, b: i64| Q::new(a.into(), b.into());
    [q(1, 2), q(1, 4), q(3, 4)]
}

fn interpolate(x: &[Q], y: &[Q], t: &Q) -> Vec<Q> {
    let s = Q::one() - t;
    x.iter().zip(y).map(|(a, b)| &s * a + t * b).collect()
}

/// Checks convexity of `f` along each segment [x, y] exactly, at the midpoint and
/// the two quarter points: f((1−t)x + ty) ≤ (1−t)f(x) + tf(y) for t = 1/2, 1/4, 3/4
/// (t = 1/4 is the point 3/4·x + 1/4·y).
///
/// `Holds { checked }` counts the inequalities (3 per segment). The witness is the
/// first failure in segment order, then t in the order 1/2, 1/4, 3/4, with x, y, t,
/// the point, f at all three and the chord value (1−t)f(x) + tf(y).
pub fn convex_midpoint(
    f: impl Fn(&[Q]) -> Result<Q>,
    segments: &[(Vec<Q>, Vec<Q>)],
) -> Result<Verdict> {
    for (i, (x, y)) in segments.iter().enumerate() {
        if x.len() != y.len() {
            return Err(Error::Mismatch(format!(
                "convex_midpoint: segment {i} joins a point of {} coordinates to one of {}",
                x.len(),
                y.len()
            )));
        }
    }
    for (i, (x, y)) in segments.iter().enumerate() {
        let (fx, fy) = (f(x)?, f(y)?);
        for t in ts() {
            let point = interpolate(x, y, &t);
            let fp = f(&point)?;
            let chord = (Q::one() - &t) * &fx + &t * &fy;
            if fp <= chord {
                continue;
            }
            // Re-verify on the witness alone.
            let (fx2, fy2, fp2) = (f(x)?, f(y)?, f(&interpolate(x, y, &t))?);
            let chord2 = (Q::one() - &t) * &fx2 + &t * &fy2;
            if fp2 <= chord2 || fp2 != fp || chord2 != chord {
                return Err(not_reproducible("f(x), f(y), f((1-t)x+ty)"));
            }
            return Ok(Verdict::Refuted {
                detail: format!(
                    "convexity fails: f((1−t)x + ty) = {} > (1−t)f(x) + tf(y) = {} with t = {}, \
                     x = {}, y = {} (f(x) = {}, f(y) = {}, point {})",
                    format_q(&fp),
                    format_q(&chord),
                    format_q(&t),
                    point_text(x),
                    point_text(y),
                    format_q(&fx),
                    format_q(&fy),
                    point_text(&point)
                ),
                witness: json!({
                    "property": "convexity: f((1-t)x + t y) <= (1-t) f(x) + t f(y)",
                    "segment": i,
                    "t": format_q(&t),
                    "x": point_json(x),
                    "y": point_json(y),
                    "point": point_json(&point),
                    "f(x)": format_q(&fx),
                    "f(y)": format_q(&fy),
                    "f(point)": format_q(&fp),
                    "(1-t)f(x)+tf(y)": format_q(&chord),
                }),
            });
        }
    }
    Ok(Verdict::Holds {
        checked: 3 * segments.len() as u64,
    })
}

/// `count` random segments (x, y) in \[0,1\]^n whose coordinates are uniform on
/// {0, 1/den, …, 1} (`den = 0` is read as 1), from the crate's generator with state
/// `seed` ([`crate::rng::Rng::from_state`]): the same arguments always give the same segments. Coordinates are drawn
/// x then y, voxel 0 first.
pub fn random_segments(n: usize, count: usize, den: u64, seed: u64) -> Vec<(Vec<Q>, Vec<Q>)> {
    let den = den.max(1);
    let mut rng = Rng::from_state(seed);
    let point = |rng: &mut Rng| -> Vec<Q> {
        (0..n)
            .map(|_| Q::new(rng.upto(den).into(), den.into()))
            .collect()
    };
    (0..count)
        .map(|_| {
            let x = point(&mut rng);
            let y = point(&mut rng);
            (x, y)
        })
        .collect()
}

/// The indicator vector 1_S of a set S ⊆ {1..n} (coordinate i−1 is 1 iff i ∈ S).
pub fn indicator(set: u64, n: u32) -> Vec<Q> {
    (0..n)
        .map(|i| {
            if set >> i & 1 == 1 {
                Q::one()
            } else {
                Q::zero()
            }
        })
        .collect()
}

/// Checks that a relaxation agrees with a set function on every vertex of the
/// cube: relax(1_S) = set(S) for all S ⊆ {1..n}, n ≤ [`MAX_EXTENSION_N`].
///
/// `Holds { checked }` counts the vertices (2^n). The witness is the first
/// disagreement with vertices ordered by |S|, then S as a number.
pub fn extension(
    relax: impl Fn(&[Q]) -> Result<Q>,
    set: impl Fn(u64) -> Result<Q>,
    n: u32,
) -> Result<Verdict> {
    if n > MAX_EXTENSION_N {
        return Err(Error::TooLarge(format!(
            "extension checks every vertex of the n-cube and is limited to \
             n <= {MAX_EXTENSION_N}; got n = {n}"
        )));
    }
    let mut vertices: Vec<u64> = (0..1u64 << n).collect();
    vertices.sort_by_key(|&s| (s.count_ones(), s));
    for s in vertices {
        let x = indicator(s, n);
        let (r, v) = (relax(&x)?, set(s)?);
        if r == v {
            continue;
        }
        let (r2, v2) = (relax(&x)?, set(s)?);
        if r2 != r || v2 != v {
            return Err(not_reproducible("relax(1_S), set(S)"));
        }
        return Ok(Verdict::Refuted {
            detail: format!(
                "extension fails: relax(1_S) = {} ≠ set(S) = {} with S = {} (n = {n})",
                format_q(&r),
                format_q(&v),
                set_braces(s)
            ),
            witness: json!({
                "property": "extension: relax(1_S) = set(S) on every vertex",
                "n": n,
                "S": set_json(s, n),
                "indicator": point_json(&x),
                "relax(1_S)": format_q(&r),
                "set(S)": format_q(&v),
            }),
        });
    }
    Ok(Verdict::Holds { checked: 1u64 << n })
}
