//! Count measures as symbolic, piecewise rational functions of TP, FP, FN, TN.
//!
//! Why this exists: `diceproof prove` hands loss formulas to SMT solvers, and the
//! formula it hands over must be the one the exact engine evaluates, not a second
//! hand-written copy that can drift. So the symbolic form is *extracted* from the
//! same generic [`Formula`](super::Formula) code, by running it in one more
//! arithmetic, [`Poly`]: multivariate polynomials with integer coefficients.
//!
//! The trick that lets a formula written on `u64` counts produce polynomials:
//! formulas only ever turn counts (and sums of counts such as n or |y|) into
//! arithmetic values through [`Arith::count`]. [`extract`] calls the formula on
//! *tagged* counts, TP = B, FP = B², FN = B³, TN = B⁴ with B = 2¹⁵, and
//! `Poly::count` reads a value back in base B: digit k is the coefficient of
//! variable k, digit 0 the constant. So `count(c.tp + c.fn_)` becomes the
//! polynomial TP + FN. This is exact as long as a formula passes counts through
//! small non-negative linear combinations and small constants, which every
//! built-in does; [`extract`] re-evaluates the result on random configurations of
//! every region against the exact engine and refuses (returns `None`) on any
//! disagreement, and the prove module's differential test checks it again on
//! every configuration up to a size.
//!
//! Formulas branch on data (the class-weighting schemes treat an empty class
//! separately). A branch can only be taken on the *zero pattern* of the counts in
//! the built-ins, so [`extract`] evaluates the formula once per zero pattern: with
//! the zero counts set to 0 and the others tagged. Within one pattern every
//! non-zero count is positive, and a polynomial with non-negative coefficients in
//! positive variables is either identically zero or positive; so a denominator
//! that is not the zero polynomial never vanishes there, and one that is is the
//! 0/0 case the [`EmptyPolicy`](super::EmptyPolicy) resolves. Patterns whose piece
//! equals the generic piece (all counts positive) with zeros substituted are
//! merged into it; the rest become cases, described by minimal cubes.
//!
//! A measure that is not a [`Formula`](super::Formula) (for example a user-defined expression)
//! supplies its own [`Symbolic`] by overriding
//! [`CountMeasure::symbolic`](super::CountMeasure::symbolic).

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

use super::arith::{Arith, Frac, Param};
use crate::counts::Counts;
use crate::exact::Q;

/// The count variables, in the order of [`Poly`] exponents.
pub const VARS: [&str; 4] = ["tp", "fp", "fn", "tn"];

/// Tag base: TP, FP, FN, TN are B¹, B², B³, B⁴ during extraction.
const TAG_BASE: u64 = 1 << 15;

/// A polynomial in TP, FP, FN, TN with integer coefficients: exponents → non-zero
/// coefficient.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Poly(BTreeMap<[u32; 4], BigInt>);

impl Poly {
    /// A constant.
    pub fn constant(c: BigInt) -> Poly {
        let mut m = BTreeMap::new();
        if !c.is_zero() {
            m.insert([0; 4], c);
        }
        Poly(m)
    }

    /// The variable with index `i` in [`VARS`].
    pub fn var(i: usize) -> Poly {
        let mut e = [0; 4];
        e[i] = 1;
        Poly(BTreeMap::from([(e, BigInt::one())]))
    }

    /// The monomials: exponents of TP, FP, FN, TN and the coefficient.
    pub fn terms(&self) -> impl Iterator<Item = (&[u32; 4], &BigInt)> {
        self.0.iter()
    }

    fn plus(&self, o: &Poly) -> Poly {
        let mut m = self.0.clone();
        for (e, c) in &o.0 {
            let v = m.entry(*e).or_insert_with(BigInt::zero);
            *v += c;
            if v.is_zero() {
                m.remove(e);
            }
        }
        Poly(m)
    }

    fn times(&self, o: &Poly) -> Poly {
        let mut acc = Poly::default();
        for (ea, ca) in &self.0 {
            let mut m = BTreeMap::new();
            for (eb, cb) in &o.0 {
                let e = [ea[0] + eb[0], ea[1] + eb[1], ea[2] + eb[2], ea[3] + eb[3]];
                m.insert(e, ca * cb);
            }
            acc = acc.plus(&Poly(m));
        }
        acc
    }

    /// The polynomial with the variables in `zero` (bit i = variable i) set to 0.
    pub fn zeroed(&self, zero: u8) -> Poly {
        Poly(
            self.0
                .iter()
                .filter(|(e, _)| (0..4).all(|i| zero & (1 << i) == 0 || e[i] == 0))
                .map(|(e, c)| (*e, c.clone()))
                .collect(),
        )
    }

    /// The exact value at a point.
    pub fn eval(&self, x: &[Q; 4]) -> Q {
        let mut s = Q::zero();
        for (e, c) in &self.0 {
            let mut t = Q::from_integer(c.clone());
            for (k, xi) in e.iter().zip(x) {
                for _ in 0..*k {
                    t *= xi;
                }
            }
            s += t;
        }
        s
    }

    /// True if every coefficient is positive (the polynomial is then positive
    /// wherever one of its variables is, and 0 only where all of its monomials are).
    pub fn nonnegative_coefficients(&self) -> bool {
        self.0.values().all(|c| c.is_positive())
    }
}

impl Arith for Poly {
    /// Reads a tagged value back in base B (see the module docs).
    fn count(v: u64) -> Self {
        let mut p = Poly::constant(BigInt::from(v % TAG_BASE));
        let mut rest = v / TAG_BASE;
        for i in 0..4 {
            let d = rest % TAG_BASE;
            if d > 0 {
                p = p.plus(&Poly::var(i).times(&Poly::constant(BigInt::from(d))));
            }
            rest /= TAG_BASE;
        }
        p
    }
    fn param(p: &Param) -> Self {
        Poly::constant(BigInt::from(p.value().clone()))
    }
    fn add(&self, o: &Self) -> Self {
        self.plus(o)
    }
    fn mul(&self, o: &Self) -> Self {
        self.times(o)
    }
    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

/// A conjunction over the four counts: `Some(true)` the count is 0, `Some(false)`
/// it is positive, `None` either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cube(pub [Option<bool>; 4]);

impl Cube {
    /// True if the zero pattern (bit i set = count i is 0) lies in the cube.
    pub fn contains(&self, pattern: u8) -> bool {
        (0..4).all(|i| self.0[i].is_none_or(|z| z == (pattern & (1 << i) != 0)))
    }
}

/// The value of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// num/den, with den non-zero on the case's region.
    Ratio(Poly, Poly),
    /// The formula is 0/0 on the whole region: the empty policy decides.
    Empty,
}

/// One case: where it applies (any of the cubes) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The region: the union of these cubes.
    pub when: Vec<Cube>,
    /// The value there.
    pub value: Piece,
}

/// A loss as a piecewise rational function: the first case whose region contains
/// the configuration applies, and `generic` applies where none does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbolic {
    /// Special cases, disjoint.
    pub cases: Vec<Case>,
    /// The value everywhere else (all counts positive, and the patterns that agree).
    pub generic: (Poly, Poly),
}

impl Symbolic {
    /// The exact loss at integer counts (`None` for the 0/0 case), for checks.
    pub fn eval(&self, c: &Counts) -> Option<Q> {
        let x = [c.tp, c.fp, c.fn_, c.tn].map(|v| Q::from_integer(v.into()));
        let pattern = zero_pattern(c);
        let piece = self
            .cases
            .iter()
            .find(|k| k.when.iter().any(|w| w.contains(pattern)))
            .map(|k| k.value.clone())
            .unwrap_or_else(|| Piece::Ratio(self.generic.0.clone(), self.generic.1.clone()));
        match piece {
            Piece::Empty => None,
            Piece::Ratio(n, d) => {
                let d = d.eval(&x);
                (!d.is_zero()).then(|| n.eval(&x) / d)
            }
        }
    }
}

/// Bit i set when count i (TP, FP, FN, TN) is zero.
pub fn zero_pattern(c: &Counts) -> u8 {
    [c.tp, c.fp, c.fn_, c.tn]
        .iter()
        .enumerate()
        .fold(0, |m, (i, &v)| if v == 0 { m | (1 << i) } else { m })
}

fn tagged(pattern: u8) -> Counts {
    let t = |i: u32| {
        if pattern & (1 << i) != 0 {
            0
        } else {
            TAG_BASE.pow(i + 1)
        }
    };
    Counts {
        tp: t(0),
        fp: t(1),
        fn_: t(2),
        tn: t(3),
    }
}

/// Minimal-ish cover of `set` by cubes inside `set ∪ {all zero}` (n = 0 never
/// occurs, so it is a don't-care): largest cubes first.
fn cover(set: &[u8]) -> Vec<Cube> {
    let mut cubes: Vec<Cube> = Vec::new();
    for code in 0..81u32 {
        let mut c = [None; 4];
        let mut k = code;
        for slot in &mut c {
            *slot = match k % 3 {
                0 => None,
                1 => Some(true),
                _ => Some(false),
            };
            k /= 3;
        }
        cubes.push(Cube(c));
    }
    cubes.sort_by_key(|c| std::cmp::Reverse(c.0.iter().filter(|x| x.is_none()).count()));
    let mut chosen: Vec<Cube> = Vec::new();
    for c in cubes {
        let inside = (0..16u8).all(|p| !c.contains(p) || p == 15 || set.contains(&p));
        let useful = set
            .iter()
            .any(|&p| c.contains(p) && !chosen.iter().any(|k| k.contains(p)));
        if inside && useful {
            chosen.push(c);
        }
    }
    chosen
}

/// Extracts the symbolic form of a formula given as a function of counts in the
/// [`Poly`] arithmetic, and checks it against `exact` (the measure's exact loss,
/// `None` for 0/0) on sample configurations of every region. `None` when the
/// formula does not read back as a piecewise rational function.
pub fn extract(
    f: impl Fn(&Counts) -> Frac<Poly>,
    exact: impl Fn(&Counts) -> Option<Q>,
) -> Option<Symbolic> {
    let g = f(&tagged(0));
    if g.den.is_zero() {
        return None;
    }
    let mut empty = Vec::new();
    let mut own: Vec<((Poly, Poly), Vec<u8>)> = Vec::new();
    for pattern in 1..15u8 {
        let t = f(&tagged(pattern));
        if t.den.is_zero() {
            if !t.num.is_zero() {
                return None;
            }
            empty.push(pattern);
        } else if t.num == g.num.zeroed(pattern) && t.den == g.den.zeroed(pattern) {
            continue;
        } else if let Some(slot) = own
            .iter_mut()
            .find(|(k, _)| *k == (t.num.clone(), t.den.clone()))
        {
            slot.1.push(pattern);
        } else {
            own.push(((t.num, t.den), vec![pattern]));
        }
    }
    let mut cases = Vec::new();
    if !empty.is_empty() {
        cases.push(Case {
            when: cover(&empty),
            value: Piece::Empty,
        });
    }
    for ((n, d), patterns) in own {
        cases.push(Case {
            when: cover(&patterns),
            value: Piece::Ratio(n, d),
        });
    }
    let s = Symbolic {
        cases,
        generic: (g.num, g.den),
    };
    // Spot checks in every region: small and medium counts.
    for pattern in 0..15u8 {
        for scale in [1u64, 2, 3, 7, 1000] {
            for shift in 0..3u64 {
                let v = |i: u64| {
                    if pattern & (1 << i) != 0 {
                        0
                    } else {
                        scale * (i + 1) + shift * (3 - i)
                    }
                };
                let c = Counts {
                    tp: v(0),
                    fp: v(1),
                    fn_: v(2),
                    tn: v(3),
                };
                if c.n() == 0 {
                    continue;
                }
                if s.eval(&c) != exact(&c) {
                    return None;
                }
            }
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::{parse_measure, EmptyPolicy};

    #[test]
    fn count_reads_tags_back() {
        let c = tagged(0);
        let p = Poly::count(c.tp + c.fn_ + 2);
        let want = Poly::var(0)
            .plus(&Poly::var(2))
            .plus(&Poly::constant(2.into()));
        assert_eq!(p, want);
        assert_eq!(Poly::count(c.n()).terms().count(), 4);
    }

    #[test]
    fn dice_has_one_empty_case_and_the_generic_ratio() {
        let s = parse_measure("dice").unwrap().counts().symbolic().unwrap();
        assert_eq!(s.cases.len(), 1);
        assert_eq!(s.cases[0].value, Piece::Empty);
        // tp = fp = fn = 0, tn anything.
        assert_eq!(
            s.cases[0].when,
            vec![Cube([Some(true), Some(true), Some(true), None])]
        );
    }

    #[test]
    fn schemes_get_their_empty_class_cases() {
        for spec in ["whamming:balanced", "whamming:gdice"] {
            let m = parse_measure(spec).unwrap();
            let s = m.counts().symbolic().unwrap();
            assert!(s.cases.len() >= 2, "{spec}: {s:?}");
            for tp in 0..4 {
                for fp in 0..4 {
                    for fn_ in 0..4 {
                        for tn in 0..4 {
                            let c = Counts { tp, fp, fn_, tn };
                            if c.n() == 0 {
                                continue;
                            }
                            let want = m.loss(&c, EmptyPolicy::One).unwrap();
                            assert_eq!(s.eval(&c).as_ref(), want.exact(), "{spec} {c:?}");
                        }
                    }
                }
            }
        }
    }
}
