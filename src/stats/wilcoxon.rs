//! The paired Wilcoxon signed-rank test, with exact ranks and an exact null
//! distribution.
//!
//! # What
//!
//! Given paired differences d_i = a_i − b_i, rank the |d_i| (average ranks for ties),
//! and let W+ be the sum of the ranks of the positive differences and W− that of the
//! negative ones. Under the null hypothesis (the distribution of each d_i is
//! symmetric about zero) every sign pattern is equally likely, so the null
//! distribution of W+ is that of the sum of a uniformly random subset of the ranks.
//!
//! # Why exact
//!
//! The training comparison has a few dozen test images per loss. For that n the
//! normal approximation is off in the second digit near α = 0.05, which is where
//! the verdicts are decided. So for n ≤ [`EXACT_MAX_AUTO`] the p-value is the exact
//! rational `count / 2^n`, obtained by counting subsets with a dynamic programme
//! over rank sums, and only reported as `f64` alongside.
//!
//! # Decisions, each an option
//!
//! * **Zeros** ([`ZeroPolicy`]). Default [`ZeroPolicy::Wilcoxon`]: zero differences
//!   are dropped before ranking (Wilcoxon 1945; `zero_method="wilcox"` in SciPy), so
//!   n is the number of nonzero differences. [`ZeroPolicy::Pratt`] (Pratt 1959)
//!   ranks the zeros together with the rest and then leaves their ranks out of both
//!   sums; the null distribution is then over the nonzero ranks as they stand.
//! * **Ties** in |d|: average ranks. The statistic is kept on *doubled* ranks, which
//!   are integers (a tie group starting at position s of size t has doubled rank
//!   2s + t − 1), so the exact dynamic programme runs on integers with ties too and
//!   gives the exact permutation (conditional) null distribution given the observed
//!   ranks. No fallback to the normal approximation is needed for ties.
//! * **Ties are decided exactly**: the differences are [`Q`] values, so two
//!   differences tie only when they are equal as rationals, never because two
//!   floats happened to round alike.
//! * **Method** ([`MethodChoice`]): `Auto` uses the exact distribution for
//!   n ≤ [`EXACT_MAX_AUTO`] (50, as SciPy's `method="auto"`) and the normal
//!   approximation above; `Exact` forces it up to [`EXACT_MAX`] (counts are `u128`).
//! * **Normal approximation**: mean Σr/2 and variance Σr²/4 over the ranks used.
//!   Without zeros this is the textbook n(n+1)(2n+1)/24 − Σ(t³ − t)/48, the tie
//!   correction following from Σr² over averaged ranks; with Pratt it equals the
//!   textbook formula with the zero ranks subtracted. A continuity correction of
//!   1/2 towards the mean is applied by default (`continuity: true`, conservative;
//!   SciPy's default is `correction=False`, so comparisons with SciPy must say
//!   which). The normal tail is computed with MPFR's `erfc`, not a polynomial fit.
//!
//! The two-sided p-value is `min(1, 2·P(W+ ≤ min(W+, W−)))`; the null distribution
//! of W+ is symmetric about Σr/2, so this equals doubling the smaller tail.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::exact::{q_to_f64, Q};

/// Largest n for which [`MethodChoice::Auto`] uses the exact null distribution.
pub const EXACT_MAX_AUTO: usize = 50;

/// Largest n the exact distribution accepts (subset counts stay below 2^128).
pub const EXACT_MAX: usize = 120;

/// What to do with zero differences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ZeroPolicy {
    /// Drop zero differences before ranking (Wilcoxon 1945; the default).
    #[default]
    Wilcoxon,
    /// Rank zeros with the others, then leave their ranks out of W+ and W− (Pratt 1959).
    Pratt,
}

/// Which null distribution to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodChoice {
    /// Exact for n ≤ [`EXACT_MAX_AUTO`], normal above.
    #[default]
    Auto,
    /// Exact; an error for n > [`EXACT_MAX`].
    Exact,
    /// Normal approximation with tie correction.
    Normal,
}

/// The method that produced a p-value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Exact (conditional, given the ranks) null distribution.
    Exact,
    /// Normal approximation.
    Normal,
}

/// Which way the differences lean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// W+ > W−: the first sample tends to be larger.
    Positive,
    /// W+ < W−: the second sample tends to be larger.
    Negative,
    /// W+ = W− (or no nonzero differences).
    None,
}

/// Options of [`wilcoxon`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// Zero-difference policy.
    pub zeros: ZeroPolicy,
    /// Exact, normal, or automatic choice.
    pub method: MethodChoice,
    /// Continuity correction of 1/2 in the normal approximation.
    pub continuity: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            zeros: ZeroPolicy::Wilcoxon,
            method: MethodChoice::Auto,
            continuity: true,
        }
    }
}

/// The outcome of a signed-rank test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WilcoxonResult {
    /// Number of differences given.
    pub n_total: usize,
    /// Number of zero differences among them.
    pub n_zero: usize,
    /// Number of differences whose ranks enter W+ and W− (the nonzero ones).
    pub n: usize,
    /// Sum of the ranks of the positive differences (a multiple of 1/2).
    pub w_plus: f64,
    /// Sum of the ranks of the negative differences (a multiple of 1/2).
    pub w_minus: f64,
    /// The test statistic T = min(W+, W−).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// The exact two-sided p-value as a rational `count / 2^(n−1)`, when exact.
    #[serde(serialize_with = "ser_opt_q", deserialize_with = "de_opt_q")]
    pub p_exact: Option<Q>,
    /// The method that produced the p-value.
    pub method: Method,
    /// z-score of the normal approximation (with continuity correction if chosen), when normal.
    #[serde(deserialize_with = "crate::schema::required")]
    pub z: Option<f64>,
    /// Median of all differences (zeros included).
    pub median_difference: f64,
    /// Mean of all differences (zeros included).
    pub mean_difference: f64,
    /// Which way W+ − W− leans.
    pub direction: Direction,
}

fn de_opt_q<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Q>, D::Error> {
    let s: Option<String> = Deserialize::deserialize(d)?;
    s.map(|t| crate::exact::parse_rational(&t).map_err(serde::de::Error::custom))
        .transpose()
}

fn ser_opt_q<S: serde::Serializer>(q: &Option<Q>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match q {
        Some(q) => s.serialize_str(&crate::exact::format_q(q)),
        None => s.serialize_none(),
    }
}

/// Signed ranks of the differences, on the doubled scale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRanks {
    /// Doubled ranks of the positive differences.
    pub positive: Vec<u64>,
    /// Doubled ranks of the negative differences.
    pub negative: Vec<u64>,
    /// Number of zero differences.
    pub n_zero: usize,
}

impl SignedRanks {
    /// Doubled W+.
    pub fn w_plus2(&self) -> u64 {
        self.positive.iter().sum()
    }

    /// Doubled W−.
    pub fn w_minus2(&self) -> u64 {
        self.negative.iter().sum()
    }

    /// All doubled ranks that enter the statistic.
    pub fn used(&self) -> Vec<u64> {
        let mut v = self.positive.clone();
        v.extend_from_slice(&self.negative);
        v
    }

    /// Whether some |d| values tie (among the ranks used).
    pub fn has_ties(&self) -> bool {
        // Average ranks of a tie group of size t ≥ 2 repeat; untied doubled ranks are distinct.
        let mut v = self.used();
        v.sort_unstable();
        v.windows(2).any(|w| w[0] == w[1])
    }
}

/// Ranks |d| exactly (average ranks, doubled) under the zero policy.
pub fn signed_ranks(diffs: &[Q], zeros: ZeroPolicy) -> SignedRanks {
    let n_zero = diffs.iter().filter(|d| d.is_zero()).count();
    let mut items: Vec<(Q, Ordering)> = diffs
        .iter()
        .filter(|d| zeros == ZeroPolicy::Pratt || !d.is_zero())
        .map(|d| (d.abs(), d.cmp(&Q::zero())))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let mut j = i + 1;
        while j < items.len() && items[j].0 == items[i].0 {
            j += 1;
        }
        // Positions i..j (0-based) hold ranks i+1..=j; their average doubled is i+1+j.
        let rank2 = (i + 1 + j) as u64;
        for item in &items[i..j] {
            match item.1 {
                Ordering::Greater => positive.push(rank2),
                Ordering::Less => negative.push(rank2),
                Ordering::Equal => {}
            }
        }
        i = j;
    }
    SignedRanks {
        positive,
        negative,
        n_zero,
    }
}

/// Null distribution of doubled W+: `counts[s]` is the number of sign patterns
/// (subsets of `ranks2`) whose doubled ranks sum to `s`. Errors when more than
/// [`EXACT_MAX`] ranks are given.
pub fn null_counts(ranks2: &[u64]) -> Result<Vec<u128>> {
    if ranks2.len() > EXACT_MAX {
        return Err(Error::TooLarge(format!(
            "the exact Wilcoxon distribution is limited to n ≤ {EXACT_MAX} differences, got {}; \
             use the normal approximation",
            ranks2.len()
        )));
    }
    let total: u64 = ranks2.iter().sum();
    let mut counts = vec![0u128; total as usize + 1];
    counts[0] = 1;
    let mut reach = 0usize;
    for &r in ranks2 {
        let r = r as usize;
        reach += r;
        for s in (r..=reach).rev() {
            counts[s] += counts[s - r];
        }
    }
    Ok(counts)
}

/// Exact two-sided p-value `min(1, 2·P(W+ ≤ t2/2))` for doubled statistic `t2`
/// (the smaller of doubled W+ and W−), as a rational.
pub fn exact_p(ranks2: &[u64], t2: u64) -> Result<Q> {
    let counts = null_counts(ranks2)?;
    let upto = (t2 as usize).min(counts.len() - 1);
    let tail: u128 = counts[..=upto].iter().sum();
    let n = ranks2.len() as u32;
    // 2·tail / 2^n = tail / 2^(n−1); n = 0 gives the single empty pattern, p = 1.
    let p = if n == 0 {
        Q::one()
    } else {
        Q::new(BigInt::from(tail), BigInt::from(1u8) << (n - 1))
    };
    Ok(if p > Q::one() { Q::one() } else { p })
}

/// Normal-approximation two-sided p-value and z for doubled ranks and doubled W+.
pub fn normal_p(ranks2: &[u64], w_plus2: u64, continuity: bool) -> (f64, f64) {
    // On the doubled scale: mean = Σr2/2, variance = Σr2²/4; halve back at the end.
    let sum2: f64 = ranks2.iter().map(|&r| r as f64).sum();
    let sq2: f64 = ranks2.iter().map(|&r| (r as f64) * (r as f64)).sum();
    let mean = sum2 / 4.0; // mean of W+ = (Σr)/2 = (Σr2/2)/2
    let sd = (sq2 / 16.0).sqrt(); // Var W+ = Σr²/4 = Σr2²/16
    if sd == 0.0 {
        return (1.0, 0.0);
    }
    let mut d = (w_plus2 as f64) / 2.0 - mean;
    if continuity {
        d = d.signum() * (d.abs() - 0.5).max(0.0);
    }
    let z = d / sd;
    (two_sided_normal(z), z)
}

/// Two-sided standard-normal tail P(|Z| ≥ |z|) = erfc(|z|/√2), via MPFR.
pub fn two_sided_normal(z: f64) -> f64 {
    let x = rug::Float::with_val(128, z.abs()) / rug::Float::with_val(128, 2).sqrt();
    x.erfc().to_f64().min(1.0)
}

/// The Wilcoxon signed-rank test on exact paired differences.
pub fn wilcoxon(diffs: &[Q], opts: &Options) -> Result<WilcoxonResult> {
    let ranks = signed_ranks(diffs, opts.zeros);
    let used = ranks.used();
    let n = used.len();
    let wp2 = ranks.w_plus2();
    let wm2 = ranks.w_minus2();
    let t2 = wp2.min(wm2);
    let method = match opts.method {
        MethodChoice::Auto if n <= EXACT_MAX_AUTO => Method::Exact,
        MethodChoice::Auto => Method::Normal,
        MethodChoice::Exact => Method::Exact,
        MethodChoice::Normal => Method::Normal,
    };
    let (p_value, p_exact, z) = match method {
        Method::Exact => {
            let p = exact_p(&used, t2)?;
            (q_to_f64(&p), Some(p), None)
        }
        Method::Normal => {
            let (p, z) = normal_p(&used, wp2, opts.continuity);
            (p, None, Some(z))
        }
    };
    let direction = match wp2.cmp(&wm2) {
        Ordering::Greater => Direction::Positive,
        Ordering::Less => Direction::Negative,
        Ordering::Equal => Direction::None,
    };
    Ok(WilcoxonResult {
        n_total: diffs.len(),
        n_zero: ranks.n_zero,
        n,
        w_plus: wp2 as f64 / 2.0,
        w_minus: wm2 as f64 / 2.0,
        statistic: t2 as f64 / 2.0,
        p_value,
        p_exact,
        method,
        z,
        median_difference: median_q(diffs),
        mean_difference: mean_q(diffs),
        direction,
    })
}

/// The test on `f64` differences, each read exactly (every finite double is a
/// rational). NaN or infinite differences are an error.
pub fn wilcoxon_f64(diffs: &[f64], opts: &Options) -> Result<WilcoxonResult> {
    let qs = diffs
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            Q::from_float(d).ok_or_else(|| {
                Error::invalid(format!(
                    "Wilcoxon test: difference #{i} is {d}, not a finite number"
                ))
            })
        })
        .collect::<Result<Vec<Q>>>()?;
    wilcoxon(&qs, opts)
}

fn median_q(xs: &[Q]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort();
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        q_to_f64(&v[m])
    } else {
        q_to_f64(&((&v[m - 1] + &v[m]) / Q::from_integer(BigInt::from(2))))
    }
}

fn mean_q(xs: &[Q]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let sum: Q = xs.iter().sum();
    q_to_f64(&(sum / Q::from_integer(BigInt::from(xs.len()))))
}

#[cfg(test)]
mod tests;
