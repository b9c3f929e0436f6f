//! Exact expected Dice and Jaccard of a fixed prediction (see the module docs of
//! [`crate::risk`] for the formulas).

use std::collections::HashMap;

use rug::{Integer, Rational};

use super::poisson::{lcm_range, Dist};
use super::{check_len, RiskMetric};
use crate::error::{Error, Result};
use crate::exact::convert::{big_to_rug, rug_to_big};
use crate::exact::Q;
use crate::measures::{EmptyPolicy, Measure, Value};
use crate::Counts;

/// E[metric(y, ŷ)] exactly, for independent y_i ~ Bernoulli(`probs[i]`) and the
/// prediction `pred`, with `policy` deciding the both-empty case.
///
/// Errors: a length mismatch, a probability outside [0, 1], or an undefined
/// expectation (policy `error` or `nan` while P(ŷ and y both empty) > 0).
pub fn expected_exact(
    probs: &[Q],
    pred: &[bool],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<Q> {
    check_len(probs.len(), pred)?;
    let ps = to_rug(probs)?;
    let inside = Dist::of(ps.iter().zip(pred).filter(|(_, &b)| b).map(|(p, _)| p));
    let outside = Dist::of(ps.iter().zip(pred).filter(|(_, &b)| !b).map(|(p, _)| p));
    expected_from(&inside, &outside, metric, policy).map(|r| rug_to_big(&r))
}

/// Converts and range-checks probabilities.
pub(crate) fn to_rug(probs: &[Q]) -> Result<Vec<Rational>> {
    probs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let r = big_to_rug(p);
            if r.is_negative() || r > 1 {
                Err(Error::invalid(format!(
                    "probability {} (entry {}) is outside [0, 1]",
                    crate::exact::format_q(p),
                    i + 1
                )))
            } else {
                Ok(r)
            }
        })
        .collect()
}

/// The value of the both-empty event under `policy`, given its probability.
pub(crate) fn empty_term(p_empty: Rational, policy: EmptyPolicy) -> Result<Rational> {
    if p_empty == 0 {
        return Ok(Rational::new());
    }
    match policy {
        EmptyPolicy::One => Ok(p_empty),
        EmptyPolicy::Zero => Ok(Rational::new()),
        EmptyPolicy::Nan | EmptyPolicy::Error | EmptyPolicy::NanIfGtEmpty => {
            Err(Error::Empty(format!(
                "the expectation is undefined under the empty-mask policy `{}`: the prediction \
             is empty and the labels are all empty with probability {} > 0; \
             use --empty one or --empty zero",
                policy.name(),
                p_empty
            )))
        }
    }
}

/// E[metric] from the distributions of TP (inside ŷ) and Y_out (outside ŷ).
pub(crate) fn expected_from(
    inside: &Dist,
    outside: &Dist,
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<Rational> {
    let k = inside.num.len() - 1;
    let nout = outside.num.len() - 1;
    if let RiskMetric::Measure(m) = metric {
        return expected_generic(inside, outside, m, policy);
    }
    if k == 0 {
        // TP = 0: the metric is 0 unless y is empty too.
        let p_empty = Rational::from((outside.num[0].clone(), outside.den.clone()));
        return empty_term(p_empty, policy);
    }
    // a·P(TP = a), scaled by inside.den.
    let weighted: Vec<Integer> = inside
        .num
        .iter()
        .enumerate()
        .map(|(a, x)| Integer::from(x * a as u32))
        .collect();
    match metric {
        RiskMetric::Dice => {
            let n = k + nout;
            let l = lcm_range(k, n + k);
            let mut total = Integer::new();
            for s in 1..=n {
                let mut c = Integer::new();
                let lo = s.saturating_sub(nout).max(1);
                let hi = s.min(k);
                for (a, w) in weighted.iter().enumerate().take(hi + 1).skip(lo) {
                    c += w * &outside.num[s - a];
                }
                if c != 0 {
                    let f = Integer::from(&l / (s + k) as u32);
                    total += &c * f;
                }
            }
            total *= 2;
            let den = l * &inside.den * &outside.den;
            Ok(Rational::from((total, den)))
        }
        RiskMetric::Jaccard => {
            let etp: Integer = weighted.iter().sum();
            let l = lcm_range(k, nout + k);
            let mut inv = Integer::new();
            for (b, x) in outside.num.iter().enumerate() {
                inv += x * Integer::from(&l / (k + b) as u32);
            }
            let den = l * &inside.den * &outside.den;
            Ok(Rational::from((etp * inv, den)))
        }
        RiskMetric::Measure(_) => unreachable!("handled above"),
    }
}

/// E[similarity] for any count measure: Σ_{a,b} P(TP = a)·P(Y_out = b)·sim(a, k − a,
/// b, n − k − b). The similarities are grouped by denominator so that the big
/// integer work is one multiply-add per term and one lcm at the end.
fn expected_generic(
    inside: &Dist,
    outside: &Dist,
    m: &Measure,
    policy: EmptyPolicy,
) -> Result<Rational> {
    let k = inside.num.len() - 1;
    let nout = outside.num.len() - 1;
    let mut by_den: HashMap<Integer, Integer> = HashMap::new();
    for (a, wa) in inside.num.iter().enumerate() {
        if *wa == 0 {
            continue;
        }
        for (b, wb) in outside.num.iter().enumerate() {
            if *wb == 0 {
                continue;
            }
            let c = Counts::new(a as u64, (k - a) as u64, b as u64, (nout - b) as u64)?;
            let sim = match m.similarity(&c, policy)? {
                Value::Exact(q) => big_to_rug(&q),
                Value::NaN => {
                    let p = Rational::from((
                        Integer::from(wa * wb),
                        Integer::from(&inside.den * &outside.den),
                    ));
                    return empty_term(p, EmptyPolicy::Error);
                }
            };
            if sim == 0 {
                continue;
            }
            let (num, den) = sim.into_numer_denom();
            let w = Integer::from(wa * wb) * num;
            *by_den.entry(den).or_default() += w;
        }
    }
    let mut l = Integer::from(1);
    for d in by_den.keys() {
        l.lcm_mut(d);
    }
    let mut total = Integer::new();
    for (d, a) in &by_den {
        total += a * Integer::from(&l / d);
    }
    let den = l * &inside.den * &outside.den;
    Ok(Rational::from((total, den)))
}
