//! Training losses as burn tensor functions of the network's logits z
//! (`[b, 1, h, w]`), with p = σ(z) and binary targets y.
//!
//! Each loss is cross-checked in the tests against the exact library
//! implementations (`crate::surrogates`), value to 1e-5 on random inputs, and its
//! gradient against central finite differences.
//!
//! | name | loss of one group G of voxels (an image, or the whole batch) | library reference |
//! |---|---|---|
//! | `ce` | (1/\|G\|) Σ −[y ln p + (1−y) ln(1−p)] (computed with log-sigmoid for stability) | 2 · `wce_f64` at w = 1/2 |
//! | `wce` | (1/\|G\|) Σ −[w y ln p + (1−w)(1−y) ln(1−p)], w = N_bg/\|G\| | `wce_f64` at that w |
//! | `soft-dice` | 1 − (2I + ε)/(S + ε), I = Σ p y, S = Σ p + Σ y | `parse_soft("soft-dice:eps=ε")` |
//! | `soft-jaccard` | 1 − (I + ε)/(S − I + ε) | `parse_soft("soft-jaccard:eps=ε")` |
//! | `lovasz` | Lovász extension of the Jaccard loss at m = \|y − p\| (Lovász-softmax, one class, probabilities, not the hinge variant) | `lovasz_jaccard_fast_f64`, `parse_soft("lovasz-jaccard")` |
//!
//! **Class-balanced weights (`wce`).** With N_fg foreground and N_bg background
//! voxels in the group (|G| = N_fg + N_bg), foreground voxels weigh w = N_bg/|G| and
//! background voxels 1 − w = N_fg/|G| (the library's convention: w multiplies the
//! foreground term). Both classes then carry the same total weight N_fg·N_bg/|G|.
//! When the group has no foreground (or no background) the balance is undefined and
//! w = 1/2 is used (plain CE halved), so an empty slice still teaches "background".
//!
//! **Reduction.** [`Reduction::Image`] computes the loss per image and averages
//! over the batch; [`Reduction::Batch`] (the default) pools every voxel of the batch
//! into one group. For `ce` the two coincide (equal image sizes). Why batch by
//! default: on the hippocampus task, per-image soft Dice with ε = 1 gives every
//! empty training slice loss 1 − ε/(Σp + ε) ≈ 1 at the start and ≈ 0 once p ≈ 0
//! everywhere, so the quickest early descent is to predict background everywhere;
//! the measured runs collapsed to that constant output (mean training loss ≈ 0.81 =
//! the share of non-empty slices) and did not recover within 40 epochs. Pooled over
//! the batch, empty slices carry no such reward. `--reduction image` remains
//! available for the comparison.
//!
//! **Smoothing.** ε (`LossOptions::eps`, default 1) is added to numerator and
//! denominator of the soft Dice/Jaccard similarity exactly as the library's `eps=`
//! option does. With ε = 0 a per-image soft Dice on an image with empty ground truth
//! is 1 − 0/Σp = 1 whatever p, i.e. no gradient, which is why the default is 1.
//! `ce`, `wce` and `lovasz` take no ε (the Lovász extension is never 0/0).
//!
//! **Lovász gradient.** The sort permutation is piecewise constant in p, so the
//! loss is Σ_i m_i·g_i with g the Jaccard-loss increments along the decreasing sort
//! of m (Berman et al.). g is computed on the CPU from the current m (ties broken by
//! index; the value does not depend on tie order) and enters the graph as a
//! constant; the gradient flows through m = |y − p|.

use std::fmt;
use std::str::FromStr;

use burn::prelude::*;
use burn::tensor::activation::{log_sigmoid, sigmoid};

use crate::error::{Error, Result};

/// A training loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossKind {
    /// Binary cross-entropy.
    Ce,
    /// Class-balanced weighted binary cross-entropy.
    Wce,
    /// Soft Dice.
    SoftDice,
    /// Soft Jaccard.
    SoftJaccard,
    /// Lovász extension of the Jaccard loss (Lovász-softmax, one class).
    Lovasz,
}

impl LossKind {
    /// Every loss with its name, in the default order.
    pub const ALL: [(&'static str, LossKind); 5] = [
        ("ce", LossKind::Ce),
        ("wce", LossKind::Wce),
        ("soft-dice", LossKind::SoftDice),
        ("soft-jaccard", LossKind::SoftJaccard),
        ("lovasz", LossKind::Lovasz),
    ];

    /// The loss's name.
    pub fn name(&self) -> &'static str {
        match self {
            LossKind::Ce => "ce",
            LossKind::Wce => "wce",
            LossKind::SoftDice => "soft-dice",
            LossKind::SoftJaccard => "soft-jaccard",
            LossKind::Lovasz => "lovasz",
        }
    }

    /// Whether the loss targets the metric (soft Dice, soft Jaccard, Lovász).
    pub fn metric_sensitive(&self) -> bool {
        matches!(
            self,
            LossKind::SoftDice | LossKind::SoftJaccard | LossKind::Lovasz
        )
    }
}

impl FromStr for LossKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<LossKind> {
        LossKind::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|&(_, k)| k)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown training loss {s:?}; valid losses are: ce, wce, soft-dice, soft-jaccard, lovasz"
                ))
            })
    }
}

impl fmt::Display for LossKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a comma-separated list of losses (no duplicates).
pub fn parse_losses(s: &str) -> Result<Vec<LossKind>> {
    let mut out: Vec<LossKind> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let k: LossKind = part.parse()?;
        if out.contains(&k) {
            return Err(Error::invalid(format!("loss {k} listed twice")));
        }
        out.push(k);
    }
    if out.is_empty() {
        return Err(Error::invalid("--losses needs at least one loss"));
    }
    Ok(out)
}

/// Per-image or per-batch reduction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// Loss per image, averaged over the batch.
    Image,
    /// One loss over all voxels of the batch (the default).
    #[default]
    Batch,
}

impl Reduction {
    /// The name (`image` or `batch`).
    pub fn name(&self) -> &'static str {
        match self {
            Reduction::Image => "image",
            Reduction::Batch => "batch",
        }
    }
}

impl FromStr for Reduction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Reduction> {
        match s.trim().to_ascii_lowercase().as_str() {
            "image" => Ok(Reduction::Image),
            "batch" => Ok(Reduction::Batch),
            _ => Err(Error::invalid(format!(
                "unknown reduction {s:?}; valid reductions are: image, batch"
            ))),
        }
    }
}

/// Loss options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossOptions {
    /// Smoothing ε of soft Dice and soft Jaccard (≥ 0).
    pub eps: f64,
    /// Reduction.
    pub reduction: Reduction,
}

impl Default for LossOptions {
    fn default() -> Self {
        LossOptions {
            eps: 1.0,
            reduction: Reduction::Batch,
        }
    }
}

/// Binary targets of a batch, as a tensor and as booleans (row-major `[b, h·w]`).
#[derive(Clone, Debug)]
pub struct Targets {
    /// 0/1 tensor `[b, 1, h, w]`.
    pub y: Tensor<4>,
    /// The same labels on the CPU.
    pub labels: Vec<bool>,
    /// Batch size.
    pub b: usize,
}

impl Targets {
    /// Builds targets from booleans `[b, h, w]` (row-major) on `device`.
    pub fn new(labels: Vec<bool>, b: usize, h: usize, w: usize, device: &Device) -> Targets {
        assert_eq!(labels.len(), b * h * w, "targets: wrong number of labels");
        let v: Vec<f32> = labels.iter().map(|&x| x as u8 as f32).collect();
        let y = Tensor::<4>::from_data(TensorData::new(v, [b, 1, h, w]), device);
        Targets { y, labels, b }
    }

    fn groups(&self, reduction: Reduction) -> usize {
        match reduction {
            Reduction::Image => self.b,
            Reduction::Batch => 1,
        }
    }
}

/// The loss of `logits` (`[b, 1, h, w]`) against `t`, a one-element tensor.
pub fn loss(kind: LossKind, logits: Tensor<4>, t: &Targets, opts: LossOptions) -> Tensor<1> {
    let [b, _, h, w] = logits.dims();
    let n = b * h * w;
    let g = t.groups(opts.reduction);
    let per = n / g;
    let device = logits.device();
    match kind {
        LossKind::Ce => bce_terms(logits, t.y.clone()).mean(),
        LossKind::Wce => {
            let mut coef = vec![0f32; n];
            for (gi, chunk) in t.labels.chunks(per).enumerate() {
                let fg = chunk.iter().filter(|&&x| x).count();
                let wfg = if fg == 0 || fg == per {
                    0.5
                } else {
                    (per - fg) as f64 / per as f64
                };
                for (j, &y) in chunk.iter().enumerate() {
                    coef[gi * per + j] = if y { wfg } else { 1.0 - wfg } as f32;
                }
            }
            let c = Tensor::<4>::from_data(TensorData::new(coef, [b, 1, h, w]), &device);
            (bce_terms(logits, t.y.clone()) * c).mean()
        }
        LossKind::SoftDice | LossKind::SoftJaccard => {
            let p = sigmoid(logits).reshape([g, per]);
            let y = t.y.clone().reshape([g, per]);
            let inter = (p.clone() * y.clone()).sum_dim(1);
            let s = p.sum_dim(1) + y.sum_dim(1);
            let e = opts.eps;
            let sim = if kind == LossKind::SoftDice {
                (inter.mul_scalar(2.0).add_scalar(e)) / s.add_scalar(e)
            } else {
                inter.clone().add_scalar(e) / (s - inter).add_scalar(e)
            };
            sim.neg().add_scalar(1.0).mean()
        }
        LossKind::Lovasz => {
            let p = sigmoid(logits).reshape([g, per]);
            let m = (t.y.clone().reshape([g, per]) - p).abs();
            let mv: Vec<f32> = m
                .to_data()
                .try_to_vec::<f32>()
                .expect("lovasz: errors readable as f32");
            let mut grad = vec![0f32; n];
            for gi in 0..g {
                let range = gi * per..(gi + 1) * per;
                let gw = lovasz_weights(&t.labels[range.clone()], &mv[range.clone()]);
                grad[range].copy_from_slice(&gw);
            }
            let gt = Tensor::<2>::from_data(TensorData::new(grad, [g, per]), &device);
            (m * gt).sum().div_scalar(g as f64)
        }
    }
}

/// Per-voxel −[y ln σ(z) + (1−y) ln σ(−z)].
fn bce_terms(z: Tensor<4>, y: Tensor<4>) -> Tensor<4> {
    let pos = log_sigmoid(z.clone());
    let neg = log_sigmoid(z.neg());
    let one_minus_y = y.clone().neg().add_scalar(1.0);
    (y * pos + one_minus_y * neg).neg()
}

/// The Lovász weights g (in the voxels' own order) for labels y and errors m: along
/// the decreasing sort of m, g is the increment of Δ_J(prefix) = |prefix| / |y ∪
/// prefix|, so that Σ m_i g_i is the Lovász extension of the Jaccard loss.
pub fn lovasz_weights(y: &[bool], m: &[f32]) -> Vec<f32> {
    let gts = y.iter().filter(|&&b| b).count() as f64;
    let mut order: Vec<usize> = (0..m.len()).collect();
    order.sort_by(|&a, &b| m[b].total_cmp(&m[a]).then(a.cmp(&b)));
    let (mut k_in, mut k_out) = (0.0f64, 0.0f64);
    let mut prev = 0.0f64;
    let mut g = vec![0f32; m.len()];
    for i in order {
        if y[i] {
            k_in += 1.0;
        } else {
            k_out += 1.0;
        }
        let union = gts + k_out;
        let cur = if union > 0.0 {
            (k_in + k_out) / union
        } else {
            0.0
        };
        g[i] = (cur - prev) as f32;
        prev = cur;
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::{q_to_f64, Q};
    use crate::rng::Rng;
    use crate::surrogates::soft::{lovasz_jaccard_fast_f64, parse_soft};
    use crate::surrogates::wce::{wce_f64, SoftConfig};
    use num_bigint::BigInt;

    fn sig(z: f64) -> f64 {
        1.0 / (1.0 + (-z).exp())
    }

    struct Case {
        z: Vec<f32>,
        y: Vec<bool>,
        b: usize,
        h: usize,
        w: usize,
    }

    fn case(seed: u64, b: usize, h: usize, w: usize, empty_image: bool) -> Case {
        let mut rng = Rng::new(seed, 11);
        let n = b * h * w;
        let z = (0..n).map(|_| (rng.unit() * 6.0 - 3.0) as f32).collect();
        let mut y: Vec<bool> = (0..n).map(|_| rng.chance(0.3)).collect();
        if empty_image {
            for v in &mut y[..h * w] {
                *v = false;
            }
        }
        Case { z, y, b, h, w }
    }

    fn tensor_loss(c: &Case, kind: LossKind, opts: LossOptions, dev: &Device) -> f64 {
        let z = Tensor::<4>::from_data(TensorData::new(c.z.clone(), [c.b, 1, c.h, c.w]), dev);
        let t = Targets::new(c.y.clone(), c.b, c.h, c.w, dev);
        loss(kind, z, &t, opts).into_scalar::<f32>() as f64
    }

    /// The library's value of a loss on one group (exact where the library is).
    fn library_group(kind: LossKind, y: &[bool], z: &[f32], eps: &str) -> f64 {
        let p: Vec<f64> = z.iter().map(|&v| sig(v as f64)).collect();
        let pq: Vec<Q> = p.iter().map(|&v| Q::from_float(v).unwrap()).collect();
        let yq: Vec<Q> = y
            .iter()
            .map(|&v| Q::from_integer(BigInt::from(v as u8)))
            .collect();
        match kind {
            LossKind::Ce | LossKind::Wce => {
                let n = y.len();
                let fg = y.iter().filter(|&&v| v).count();
                let w = if kind == LossKind::Ce || fg == 0 || fg == n {
                    Q::new(BigInt::from(1), BigInt::from(2))
                } else {
                    Q::new(BigInt::from(n - fg), BigInt::from(n))
                };
                let cfg = SoftConfig::from_voxels(y, &pq).unwrap();
                let v = wce_f64(&cfg, &w);
                if kind == LossKind::Ce {
                    2.0 * v
                } else {
                    v
                }
            }
            LossKind::SoftDice | LossKind::SoftJaccard => {
                let spec = format!("{}:eps={eps}", kind.name());
                let l = parse_soft(&spec).unwrap();
                q_to_f64(&l.loss(&yq, &pq).unwrap().unwrap())
            }
            LossKind::Lovasz => {
                let exact = parse_soft("lovasz-jaccard").unwrap();
                let e = q_to_f64(&exact.loss(&yq, &pq).unwrap().unwrap());
                let m: Vec<f64> = y
                    .iter()
                    .zip(&p)
                    .map(|(&yy, &pp)| (yy as u8 as f64 - pp).abs())
                    .collect();
                let fast = lovasz_jaccard_fast_f64(y, &m);
                assert!((e - fast).abs() < 1e-12, "library exact {e} vs fast {fast}");
                e
            }
        }
    }

    fn library_loss(c: &Case, kind: LossKind, red: Reduction, eps: &str) -> f64 {
        match red {
            Reduction::Batch => library_group(kind, &c.y, &c.z, eps),
            Reduction::Image => {
                let per = c.h * c.w;
                (0..c.b)
                    .map(|i| {
                        library_group(
                            kind,
                            &c.y[i * per..(i + 1) * per],
                            &c.z[i * per..(i + 1) * per],
                            eps,
                        )
                    })
                    .sum::<f64>()
                    / c.b as f64
            }
        }
    }

    #[test]
    fn every_loss_matches_the_library() {
        let dev = Device::flex();
        for seed in 0..4 {
            let c = case(seed, 3, 5, 4, seed % 2 == 1);
            for (_, kind) in LossKind::ALL {
                for red in [Reduction::Image, Reduction::Batch] {
                    for (eps, eps_s) in [(1.0, "1"), (0.0, "0"), (0.5, "1/2")] {
                        let opts = LossOptions {
                            eps,
                            reduction: red,
                        };
                        let got = tensor_loss(&c, kind, opts, &dev);
                        let want = library_loss(&c, kind, red, eps_s);
                        assert!(
                            (got - want).abs() < 1e-5,
                            "{kind} {red:?} eps {eps} seed {seed}: tensor {got} vs library {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let dev = Device::flex().autodiff();
        let c = case(7, 2, 4, 4, true);
        let shape = [c.b, 1, c.h, c.w];
        for (_, kind) in LossKind::ALL {
            for red in [Reduction::Image, Reduction::Batch] {
                let opts = LossOptions {
                    eps: 1.0,
                    reduction: red,
                };
                let t = Targets::new(c.y.clone(), c.b, c.h, c.w, &dev);
                let z = Tensor::<4>::from_data(TensorData::new(c.z.clone(), shape), &dev)
                    .require_grad();
                let l = loss(kind, z.clone(), &t, opts);
                let grads = l.backward();
                let g: Vec<f32> = z.grad(&grads).unwrap().into_data().try_to_vec().unwrap();
                let f = |zs: &[f32]| -> f64 {
                    let zt = Tensor::<4>::from_data(TensorData::new(zs.to_vec(), shape), &dev);
                    loss(kind, zt, &t, opts).into_scalar::<f32>() as f64
                };
                let h = 1e-2f32;
                for i in 0..c.z.len() {
                    let mut zp = c.z.clone();
                    let mut zm = c.z.clone();
                    zp[i] += h;
                    zm[i] -= h;
                    let fd = (f(&zp) - f(&zm)) / (2.0 * h as f64);
                    let tol = 2e-3 + 2e-2 * fd.abs();
                    assert!(
                        (fd - g[i] as f64).abs() < tol,
                        "{kind} {red:?} voxel {i}: autodiff {} vs finite difference {fd}",
                        g[i]
                    );
                }
            }
        }
    }

    #[test]
    fn lovasz_weights_sum_to_the_full_jaccard_loss() {
        // Σ g = Δ_J(all voxels) = 1 when some voxel is present.
        let y = [true, false, false, true, false];
        let m = [0.3f32, 0.9, 0.1, 0.3, 0.0];
        let g = lovasz_weights(&y, &m);
        let s: f32 = g.iter().sum();
        assert!((s - 1.0).abs() < 1e-6);
        // theory.md: y = (1,0,0), p = (1/2, 1/4, 0) gives Lovász 1/2.
        let y = [true, false, false];
        let m = [0.5f32, 0.25, 0.0];
        let g = lovasz_weights(&y, &m);
        let v: f32 = g.iter().zip(&m).map(|(a, b)| a * b).sum();
        assert!((v - 0.5).abs() < 1e-7);
    }

    #[test]
    fn loss_lists_parse_and_reject_bad_names() {
        assert_eq!(
            parse_losses("ce, lovasz").unwrap(),
            vec![LossKind::Ce, LossKind::Lovasz]
        );
        assert!(parse_losses("ce,ce").is_err());
        assert!(parse_losses("dice").is_err());
        assert!(parse_losses("").is_err());
        assert!("pooled".parse::<Reduction>().is_err());
    }
}
