//! The `f64` fast path for large probability maps (10^4 to 10^6 voxels and more).
//!
//! Same formulas as the exact path, in floating point: each Poisson-binomial
//! distribution is built by divide and conquer (a direct O(m²) DP on blocks of 64
//! voxels, then pairwise convolutions, by FFT once both sides are long, the two
//! halves in parallel), which is O(n log² n). After each FFT product, entries below
//! 1e-17 of the maximum (the FFT's own noise level) are set to 0 and zero tails are
//! cut, which keeps the vectors as short as the distribution's effective support.
//! The tests check this path against the exact one within 1e-9.

use std::f64::consts::PI;

use super::decide::order_by_prob;
use super::{check_len, RiskMetric};
use crate::error::{Error, Result};
use crate::measures::EmptyPolicy;

/// Largest n for which [`optimal_topk_f64`] scans every k (O(n³/6) time, O(n²) memory).
pub const FAST_SCAN_MAX: usize = 1000;

const LEAF: usize = 64;
const DIRECT: usize = 64;

/// A distribution on {off, off+1, ...}: P(X = off + i) = `p[i]`.
#[derive(Clone, Debug)]
pub struct Dist64 {
    /// The value of the first stored entry.
    pub off: usize,
    /// The probabilities.
    pub p: Vec<f64>,
}

impl Dist64 {
    fn at(&self, v: usize) -> f64 {
        v.checked_sub(self.off)
            .and_then(|i| self.p.get(i).copied())
            .unwrap_or(0.0)
    }
}

/// Checks that every probability is a number in [0, 1].
pub fn check_probs(probs: &[f64]) -> Result<()> {
    for (i, &p) in probs.iter().enumerate() {
        if p.is_nan() {
            return Err(Error::invalid(format!(
                "probability at voxel {i} is NaN; probabilities must lie in [0, 1]"
            )));
        }
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid(format!(
                "probability at voxel {i} is {p}, outside [0, 1]"
            )));
        }
    }
    Ok(())
}

fn dp(ps: &[f64]) -> Vec<f64> {
    let mut d = vec![1.0];
    for &p in ps {
        d.push(0.0);
        for j in (0..d.len()).rev() {
            let below = if j > 0 { d[j - 1] } else { 0.0 };
            d[j] = d[j] * (1.0 - p) + below * p;
        }
    }
    d
}

/// The Poisson-binomial distribution of Σ Bernoulli(`ps[i]`).
pub fn poisson_binomial(ps: &[f64]) -> Dist64 {
    pb_with(ps, LEAF)
}

pub(crate) fn pb_with(ps: &[f64], leaf: usize) -> Dist64 {
    if ps.len() <= leaf.max(1) {
        return trim(Dist64 { off: 0, p: dp(ps) }, 0.0);
    }
    let (l, r) = ps.split_at(ps.len() / 2);
    let (a, b) = if ps.len() > 4096 {
        rayon::join(|| pb_with(l, leaf), || pb_with(r, leaf))
    } else {
        (pb_with(l, leaf), pb_with(r, leaf))
    };
    let (p, noisy) = convolve(&a.p, &b.p);
    let max = p.iter().fold(0.0f64, |m, &x| m.max(x));
    let d = trim(
        Dist64 {
            off: a.off + b.off,
            p,
        },
        if noisy { 1e-17 * max } else { 0.0 },
    );
    if noisy {
        bernstein_window(d, ps)
    } else {
        d
    }
}

/// Restricts a Poisson-binomial distribution to μ ± t where Bernstein's inequality
/// P(|X − μ| ≥ t) ≤ 2·exp(−t²/(2(σ² + t/3))) is at most 10⁻¹⁸: beyond it the FFT
/// leaves only rounding noise (about 10⁻¹⁶ of the maximum), which would otherwise
/// keep the vectors as long as the number of voxels.
pub(crate) fn bernstein_window(d: Dist64, ps: &[f64]) -> Dist64 {
    let mu: f64 = ps.iter().sum();
    let var: f64 = ps.iter().map(|p| p * (1.0 - p)).sum();
    let l = (2.0f64 / 1e-18).ln();
    let t = l / 3.0 + ((l / 3.0).powi(2) + 2.0 * l * var).sqrt() + 1.0;
    let lo = ((mu - t).floor().max(0.0) as usize).max(d.off);
    let hi = ((mu + t).ceil() as usize).min(d.off + d.p.len() - 1);
    if lo > hi {
        return d;
    }
    Dist64 {
        off: lo,
        p: d.p[lo - d.off..=hi - d.off].to_vec(),
    }
}

fn trim(mut d: Dist64, floor: f64) -> Dist64 {
    for x in d.p.iter_mut() {
        if *x <= floor {
            *x = 0.0;
        }
    }
    let first = d.p.iter().position(|&x| x != 0.0).unwrap_or(0);
    let last = d.p.iter().rposition(|&x| x != 0.0).unwrap_or(0);
    if first <= last && !d.p.is_empty() {
        d.p.truncate(last + 1);
        d.p.drain(..first);
        d.off += first;
    }
    if d.p.is_empty() {
        d.p.push(0.0);
    }
    d
}

/// a * b; the flag says whether the FFT (with rounding noise) was used.
pub(crate) fn convolve(a: &[f64], b: &[f64]) -> (Vec<f64>, bool) {
    let len = a.len() + b.len() - 1;
    if a.len().min(b.len()) <= DIRECT {
        let mut out = vec![0.0; len];
        for (i, &x) in a.iter().enumerate() {
            if x == 0.0 {
                continue;
            }
            for (j, &y) in b.iter().enumerate() {
                out[i + j] += x * y;
            }
        }
        return (out, false);
    }
    let size = len.next_power_of_two();
    // a in the real part, b in the imaginary part: one forward transform.
    let mut z: Vec<(f64, f64)> = (0..size)
        .map(|i| {
            (
                a.get(i).copied().unwrap_or(0.0),
                b.get(i).copied().unwrap_or(0.0),
            )
        })
        .collect();
    let tw = twiddles(size);
    fft(&mut z, &tw, false);
    // A_k = (Z_k + conj Z_{-k})/2, B_k = (Z_k − conj Z_{-k})/(2i); product A_k·B_k.
    let mut w = vec![(0.0, 0.0); size];
    for k in 0..size {
        let (zr, zi) = z[k];
        let (cr, ci) = {
            let (r, i) = z[(size - k) % size];
            (r, -i)
        };
        let (ar, ai) = ((zr + cr) / 2.0, (zi + ci) / 2.0);
        // (z − c)/(2i) = (z − c)·(−i)/2
        let (dr, di) = (zr - cr, zi - ci);
        let (br, bi) = (di / 2.0, -dr / 2.0);
        w[k] = (ar * br - ai * bi, ar * bi + ai * br);
    }
    fft(&mut w, &tw, true);
    let out = w.iter().take(len).map(|&(r, _)| r / size as f64).collect();
    (out, true)
}

fn twiddles(size: usize) -> Vec<(f64, f64)> {
    (0..size / 2)
        .map(|j| {
            let t = -2.0 * PI * j as f64 / size as f64;
            (t.cos(), t.sin())
        })
        .collect()
}

fn fft(x: &mut [(f64, f64)], tw: &[(f64, f64)], inverse: bool) {
    let n = x.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            x.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let step = n / len;
        for start in (0..n).step_by(len) {
            for m in 0..len / 2 {
                let (wr, wi) = tw[m * step];
                let wi = if inverse { -wi } else { wi };
                let (ur, ui) = x[start + m];
                let (vr0, vi0) = x[start + m + len / 2];
                let (vr, vi) = (vr0 * wr - vi0 * wi, vr0 * wi + vi0 * wr);
                x[start + m] = (ur + vr, ui + vi);
                x[start + m + len / 2] = (ur - vr, ui - vi);
            }
        }
        len <<= 1;
    }
}

fn empty_term(p_empty: f64, policy: EmptyPolicy) -> Result<f64> {
    if p_empty == 0.0 {
        return Ok(0.0);
    }
    match policy {
        EmptyPolicy::One => Ok(p_empty),
        EmptyPolicy::Zero => Ok(0.0),
        EmptyPolicy::Nan | EmptyPolicy::Error | EmptyPolicy::NanIfGtEmpty => {
            Err(Error::Empty(format!(
                "the expectation is undefined under the empty-mask policy `{}`: the prediction \
             is empty and the labels are all empty with probability {p_empty:e} > 0; \
             use --empty one or --empty zero",
                policy.name()
            )))
        }
    }
}

fn expected_from(
    inside: &Dist64,
    outside: &Dist64,
    k: usize,
    nout: usize,
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<f64> {
    if let RiskMetric::Measure(m) = metric {
        return expected_generic_f64(inside, outside, k, nout, m, policy);
    }
    if k == 0 {
        return empty_term(outside.at(0), policy);
    }
    let weighted: Vec<f64> = inside
        .p
        .iter()
        .enumerate()
        .map(|(i, &x)| (inside.off + i) as f64 * x)
        .collect();
    match metric {
        RiskMetric::Dice => {
            let (c, _) = convolve(&weighted, &outside.p);
            let off = inside.off + outside.off;
            Ok(c.iter()
                .enumerate()
                .map(|(i, &x)| 2.0 * x / (off + i + k) as f64)
                .sum())
        }
        RiskMetric::Jaccard => {
            let etp: f64 = weighted.iter().sum();
            let inv: f64 = outside
                .p
                .iter()
                .enumerate()
                .map(|(i, &x)| x / (outside.off + i + k) as f64)
                .sum();
            Ok(etp * inv)
        }
        RiskMetric::Measure(_) => unreachable!("handled above"),
    }
}

/// E[similarity] of any count measure over the (trimmed) supports of TP and Y_out.
fn expected_generic_f64(
    inside: &Dist64,
    outside: &Dist64,
    k: usize,
    nout: usize,
    m: &crate::measures::Measure,
    policy: EmptyPolicy,
) -> Result<f64> {
    let mut total = 0.0;
    for (i, &pa) in inside.p.iter().enumerate() {
        let a = inside.off + i;
        if pa == 0.0 {
            continue;
        }
        for (j, &pb) in outside.p.iter().enumerate() {
            let b = outside.off + j;
            if pb == 0.0 {
                continue;
            }
            let c = crate::Counts::new(a as u64, (k - a) as u64, b as u64, (nout - b) as u64)?;
            let v = m.loss_f64(&c, policy);
            if v.is_nan() {
                return empty_term(pa * pb, EmptyPolicy::Error);
            }
            total += pa * pb * (1.0 - v);
        }
    }
    Ok(total)
}

/// E[metric(y, pred)] in `f64` for y_i ~ Bernoulli(`probs[i]`) independent.
pub fn expected_f64(
    probs: &[f64],
    pred: &[bool],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<f64> {
    expected_f64_with(probs, pred, metric, policy, LEAF)
}

pub(crate) fn expected_f64_with(
    probs: &[f64],
    pred: &[bool],
    metric: &RiskMetric,
    policy: EmptyPolicy,
    leaf: usize,
) -> Result<f64> {
    check_len(probs.len(), pred)?;
    check_probs(probs)?;
    let inside: Vec<f64> = probs
        .iter()
        .zip(pred)
        .filter(|(_, &b)| b)
        .map(|(&p, _)| p)
        .collect();
    let outside: Vec<f64> = probs
        .iter()
        .zip(pred)
        .filter(|(_, &b)| !b)
        .map(|(&p, _)| p)
        .collect();
    let (a, b) = rayon::join(|| pb_with(&inside, leaf), || pb_with(&outside, leaf));
    expected_from(&a, &b, inside.len(), outside.len(), metric, policy)
}

/// The best top-k decision in `f64` (smallest optimal k): `(pred, k, expected)`.
/// Refuses n > [`FAST_SCAN_MAX`].
pub fn optimal_topk_f64(
    probs: &[f64],
    metric: &RiskMetric,
    policy: EmptyPolicy,
) -> Result<(Vec<bool>, usize, f64)> {
    check_probs(probs)?;
    let n = probs.len();
    if n == 0 {
        return Err(Error::invalid("there are no probabilities"));
    }
    if n > FAST_SCAN_MAX {
        return Err(Error::TooLarge(format!(
            "the top-k scan on the fast path is limited to {FAST_SCAN_MAX} voxels, got {n}"
        )));
    }
    let order = order_by_prob(probs);
    let sorted: Vec<f64> = order.iter().map(|&i| probs[i]).collect();
    let mut prefix = vec![Dist64 {
        off: 0,
        p: vec![1.0],
    }];
    let mut d = vec![1.0];
    for &p in &sorted {
        d.push(0.0);
        for j in (0..d.len()).rev() {
            let below = if j > 0 { d[j - 1] } else { 0.0 };
            d[j] = d[j] * (1.0 - p) + below * p;
        }
        prefix.push(Dist64 {
            off: 0,
            p: d.clone(),
        });
    }
    let mut suffix = vec![
        Dist64 {
            off: 0,
            p: vec![1.0]
        };
        n + 1
    ];
    let mut d = vec![1.0];
    for k in (0..n).rev() {
        let p = sorted[k];
        d.push(0.0);
        for j in (0..d.len()).rev() {
            let below = if j > 0 { d[j - 1] } else { 0.0 };
            d[j] = d[j] * (1.0 - p) + below * p;
        }
        suffix[k] = Dist64 {
            off: 0,
            p: d.clone(),
        };
    }
    let mut best: Option<(usize, f64)> = None;
    for k in 0..=n {
        let e = match expected_from(&prefix[k], &suffix[k], k, n - k, metric, policy) {
            Ok(e) => e,
            Err(Error::Empty(_)) => continue,
            Err(err) => return Err(err),
        };
        if best.is_none_or(|(_, b)| e > b) {
            best = Some((k, e));
        }
    }
    let (k, e) = best.ok_or_else(|| Error::invalid("no decision has a defined expectation"))?;
    let mut pred = vec![false; n];
    for &i in order.iter().take(k) {
        pred[i] = true;
    }
    Ok((pred, k, e))
}
