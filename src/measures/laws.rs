//! Algebraic laws of the count measures, checked with `quickcheck`.
//!
//! Why quickcheck beside proptest: proptest (`tests.rs`) drives strategies that
//! are tuned to the code paths (small counts, counts that overflow the u128 path,
//! chosen parameter ranges). The laws here are statements about *all* counts and
//! *all* specs of a family, so they are written against `Arbitrary` types, the
//! way the law is stated: `Counts` and `Spec` values that know how to generate and
//! shrink themselves, reusable by any law. A failing law shrinks to the smallest
//! counts and the simplest spec that still break it.
//!
//! Laws: Dice and Jaccard are invariant under FP ↔ FN and Tversky(α, β) becomes
//! Tversky(β, α); overlap measures ignore TN and are invariant under scaling all
//! counts; Jaccard is the function D/(2 − D) of Dice; every loss lies in [0, 1];
//! and the u128, big-integer and f64 paths give the same value.

use num_traits::{One, ToPrimitive, Zero};
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

use super::{parse_measure, EmptyPolicy, Measure};
use crate::counts::Counts;
use crate::exact::Q;

impl Arbitrary for Counts {
    /// Mostly small counts (where 0/0 and ties live), sometimes counts near 2⁶¹
    /// (where the u128 path overflows for parametrised measures).
    fn arbitrary(g: &mut Gen) -> Counts {
        let huge = u8::arbitrary(g) % 5 == 0;
        let mut part = || {
            if huge {
                u64::arbitrary(g) >> 3
            } else {
                u64::from(u8::arbitrary(g) % 40)
            }
        };
        let (tp, fp, fn_) = (part(), part(), part());
        let tn = part();
        Counts::new(tp, fp, fn_, tn).expect("four parts below 2^61 sum below 2^63")
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Counts>> {
        let t = (self.tp, self.fp, self.fn_, self.tn);
        Box::new(
            t.shrink()
                .filter_map(|(tp, fp, fn_, tn)| Counts::new(tp, fp, fn_, tn).ok()),
        )
    }
}

/// A measure spec from the built-in families, with small rational parameters.
#[derive(Clone, Debug)]
struct Spec(String);

fn frac(g: &mut Gen) -> String {
    format!("{}/{}", u8::arbitrary(g) % 20, 1 + u8::arbitrary(g) % 20)
}

impl Arbitrary for Spec {
    fn arbitrary(g: &mut Gen) -> Spec {
        let s = match u8::arbitrary(g) % 6 {
            0 => "dice".to_string(),
            1 => "jaccard".to_string(),
            2 => "hamming".to_string(),
            3 => format!("whamming:w={}/20", u8::arbitrary(g) % 21),
            _ => {
                let (a, b) = (frac(g), frac(g));
                if a.starts_with("0/") && b.starts_with("0/") {
                    "tversky:a=1/2,b=1/2".to_string()
                } else {
                    format!("tversky:a={a},b={b}")
                }
            }
        };
        Spec(s)
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Spec>> {
        // The simplest specs first: a failure on dice explains more than one on
        // tversky with odd parameters.
        let simpler: Vec<Spec> = ["dice", "jaccard"]
            .into_iter()
            .filter(|s| *s != self.0)
            .map(|s| Spec(s.to_string()))
            .collect();
        Box::new(simpler.into_iter())
    }
}

fn m(spec: &str) -> Measure {
    parse_measure(spec).expect("generated specs parse")
}

fn swapped(c: &Counts) -> Counts {
    Counts::new(c.tp, c.fn_, c.fp, c.tn).expect("same total")
}

fn check<A: quickcheck::Testable>(law: A) {
    QuickCheck::new().tests(500).quickcheck(law);
}

#[test]
fn dice_and_jaccard_are_symmetric_in_fp_and_fn() {
    fn law(c: Counts) -> bool {
        ["dice", "jaccard"]
            .iter()
            .all(|s| m(s).loss_raw(&c) == m(s).loss_raw(&swapped(&c)))
    }
    check(law as fn(Counts) -> bool);
}

#[test]
fn tversky_swaps_its_weights_with_fp_and_fn() {
    fn law(c: Counts, a: u8, b: u8) -> TestResult {
        let (a, b) = (a % 16, b % 16);
        if a == 0 && b == 0 {
            return TestResult::discard();
        }
        let ab = m(&format!("tversky:a={a}/8,b={b}/8"));
        let ba = m(&format!("tversky:a={b}/8,b={a}/8"));
        TestResult::from_bool(ab.loss_raw(&c) == ba.loss_raw(&swapped(&c)))
    }
    check(law as fn(Counts, u8, u8) -> TestResult);
}

#[test]
fn overlap_measures_ignore_tn_and_scale() {
    fn law(c: Counts, tn: u32, k: u8) -> TestResult {
        let k = u64::from(k % 7) + 1;
        let (Some(other_tn), Some(scaled)) = (
            Counts::new(c.tp, c.fp, c.fn_, u64::from(tn)).ok(),
            c.tp.checked_mul(k).and_then(|tp| {
                Counts::new(tp, c.fp.checked_mul(k)?, c.fn_.checked_mul(k)?, c.tn).ok()
            }),
        ) else {
            return TestResult::discard();
        };
        let ok = ["dice", "jaccard", "tversky:a=3/10,b=7/10"]
            .iter()
            .all(|s| {
                let v = m(s).loss_raw(&c);
                v == m(s).loss_raw(&other_tn) && v == m(s).loss_raw(&scaled)
            });
        TestResult::from_bool(ok)
    }
    check(law as fn(Counts, u32, u8) -> TestResult);
}

#[test]
fn jaccard_is_dice_over_two_minus_dice() {
    fn law(c: Counts) -> TestResult {
        let pol = EmptyPolicy::One;
        let (Some(d), Some(j)) = (
            m("dice").similarity(&c, pol).unwrap().exact().cloned(),
            m("jaccard").similarity(&c, pol).unwrap().exact().cloned(),
        ) else {
            return TestResult::failed();
        };
        let two = Q::from_integer(2.into());
        TestResult::from_bool(j == &d / (&two - &d))
    }
    check(law as fn(Counts) -> TestResult);
}

#[test]
fn every_loss_lies_in_the_unit_interval() {
    fn law(s: Spec, c: Counts) -> bool {
        match m(&s.0).loss_raw(&c) {
            Some(l) => l >= Q::zero() && l <= Q::one(),
            None => c.n() == 0 || c.both_empty(),
        }
    }
    check(law as fn(Spec, Counts) -> bool);
}

#[test]
fn u128_big_integer_and_f64_paths_agree() {
    fn law(s: Spec, c: Counts) -> bool {
        let meas = m(&s.0);
        let big = meas.loss_big_only(&c);
        let wide_agrees = match meas.counts().loss_wide(&c).parts() {
            Some((_, 0)) => big.is_none(),
            Some((n, d)) => big == Some(super::q_from_u128(n, d)),
            None => true, // overflowed: the public path falls back to big integers
        };
        let public_agrees = meas.loss_raw(&c) == big;
        let float = meas.loss_f64(&c, EmptyPolicy::Nan);
        let float_agrees = match &big {
            Some(q) => (q.to_f64().unwrap() - float).abs() <= 1e-12,
            None => float.is_nan(),
        };
        wide_agrees && public_agrees && float_agrees
    }
    check(law as fn(Spec, Counts) -> bool);
}
