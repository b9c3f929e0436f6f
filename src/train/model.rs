//! A small 2D U-Net with a one-channel logit output (sigmoid applied by the losses
//! and by evaluation).
//!
//! `levels` resolution levels (2 or 3; `levels − 1` max-poolings), each level two
//! 3×3 convolutions with zero padding 1, each followed by group normalisation (4
//! channels per group; `norm: false` drops it) and a leaky ReLU (slope 0.01);
//! channels `base · 2^level`; nearest-neighbour 2× upsampling and concatenation
//! with the skip connection on the way up; a final 1×1 convolution to one logit. No
//! dropout, and group normalisation uses no batch statistics, so training and
//! evaluation compute the same function. Default (3 levels, base 8, norm): 29 617
//! convolution parameters plus 320 normalisation parameters (29 937 in all).
//!
//! # Three ways to compute the same convolution
//!
//! [`ConvPath::Flex`] (the default) calls burn's `Conv2d`, whose flex kernel is a
//! tiled im2col + GEMM forward. [`ConvPath::Im2col`] computes the same 3×3
//! convolution from tensor operations: zero-pad, nine shifted slices stacked into a
//! `[b, c·9, h·w]` column matrix, one batched matmul with the `[c_out, c·9]`
//! weight, plus bias; the backward pass becomes matmul, slice and pad gradients
//! instead of the backend's convolution backward. [`ConvPath::Gemm`] calls the
//! custom op of [`super::conv`]: im2col + one GEMM per image forward, and a
//! hand-written GEMM backward registered with burn's autodiff; this path also
//! swaps burn's composed group norm and leaky ReLU for fused ops with analytic
//! backwards ([`super::norm`], [`super::leaky`]). All three use the
//! `Conv2d`'s own parameters (same initialisation, same checkpoints) and give the
//! same logits to float rounding (tested); the benchmark `train_step` times them.
//! The 1×1 head always uses burn's `Conv2d`.
//!
//! Why normalisation: without it, on the hippocampus task, soft Dice and soft
//! Jaccard runs (2 of 4 in the measured default run, and every seed-0 run with
//! shift augmentation) collapsed within 8–32 epochs to a constant all-background
//! output (training loss ≈ 0.995, sigmoid saturated, never recovering), while CE,
//! weighted CE and Lovász did not. With group normalisation the same soft-Dice and
//! soft-Jaccard runs trained smoothly (validation Dice 0.66 at epoch 25).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::interpolate::{Interpolate2d, Interpolate2dConfig, InterpolateMode};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{GroupNorm, GroupNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::leaky_relu;
use burn::tensor::ops::PadMode;

/// Negative slope of the leaky ReLU activations.
pub const LEAKY_SLOPE: f64 = 0.01;

/// Architecture settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UNetConfig {
    /// Resolution levels (2 or 3).
    pub levels: usize,
    /// Channels at full resolution.
    pub base: usize,
    /// Group normalisation (4 channels per group, or one group when the channel
    /// count is not a multiple of 4) after every 3×3 convolution.
    pub norm: bool,
    /// How the 3×3 convolutions are computed (same function and parameters; see
    /// the module docs).
    pub conv: ConvPath,
}

/// How the U-Net's 3×3 convolutions are computed (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConvPath {
    /// burn's `Conv2d` (the backend's kernels).
    #[default]
    Flex,
    /// im2col + matmul composed from burn tensor operations.
    Im2col,
    /// The custom GEMM op with a hand-written backward ([`super::conv`]), the
    /// fused group norm ([`super::norm`]) and leaky ReLU ([`super::leaky`]); flex
    /// backend only.
    Gemm,
}

impl ConvPath {
    /// Every path with its name, as accepted by `--conv`.
    pub const ALL: [(&'static str, ConvPath); 3] = [
        ("flex", ConvPath::Flex),
        ("im2col", ConvPath::Im2col),
        ("gemm", ConvPath::Gemm),
    ];

    /// The name accepted by `--conv` and `DICEPROOF_CONV`.
    pub fn name(self) -> &'static str {
        match self {
            ConvPath::Flex => "flex",
            ConvPath::Im2col => "im2col",
            ConvPath::Gemm => "gemm",
        }
    }
}

impl std::str::FromStr for ConvPath {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<ConvPath> {
        ConvPath::ALL
            .iter()
            .find(|(n, _)| *n == s)
            .map(|&(_, c)| c)
            .ok_or_else(|| {
                crate::Error::invalid(format!(
                    "unknown convolution path {s:?}; expected one of flex, im2col, gemm"
                ))
            })
    }
}

impl std::fmt::Display for ConvPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Default for UNetConfig {
    fn default() -> Self {
        UNetConfig {
            levels: 3,
            base: 8,
            norm: true,
            conv: ConvPath::Flex,
        }
    }
}

/// Two 3×3 convolutions with ReLU.
#[derive(Module, Debug)]
pub struct DoubleConv {
    a: Conv2d,
    b: Conv2d,
    na: Option<GroupNorm>,
    nb: Option<GroupNorm>,
    #[module(skip)]
    path: ConvPath,
}

/// A 3×3, stride 1, padding 1 convolution as im2col + matmul (see the module docs).
pub fn conv3x3_im2col(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let [b, cin, h, w] = x.dims();
    let weight = conv.weight.val();
    let [cout, _, kh, kw] = weight.dims();
    let k = cin * kh * kw;
    let xp = x.pad((kw / 2, kw / 2, kh / 2, kh / 2), PadMode::Constant(0.0));
    let mut cols = Vec::with_capacity(kh * kw);
    for dy in 0..kh {
        for dx in 0..kw {
            cols.push(xp.clone().slice([0..b, 0..cin, dy..dy + h, dx..dx + w]));
        }
    }
    // [b, cin, kh·kw, h, w] in the weight's (c, ky, kx) order.
    let col = Tensor::stack::<5>(cols, 2).reshape([b, k, h * w]);
    let wm = weight.reshape([1, cout, k]).expand([b, cout, k]);
    let y = wm.matmul(col).reshape([b, cout, h, w]);
    match &conv.bias {
        Some(bias) => y + bias.val().reshape([1, cout, 1, 1]),
        None => y,
    }
}

/// The 3×3, stride 1, padding 1 convolution through the custom GEMM op of
/// [`super::conv`]; burn's own `Conv2d` when the op declines (no bias, another
/// backend; the CLI refuses `--conv gemm` with another backend).
pub fn conv3x3_gemm(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    match &conv.bias {
        Some(bias) => super::conv::conv3x3(x.clone(), conv.weight.val(), bias.val())
            .unwrap_or_else(|| conv.forward(x)),
        None => conv.forward(x),
    }
}

impl DoubleConv {
    fn new(cin: usize, cout: usize, norm: bool, path: ConvPath, device: &Device) -> DoubleConv {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        let gn = || {
            let groups = if cout % 4 == 0 { cout / 4 } else { 1 };
            norm.then(|| GroupNormConfig::new(groups, cout).init(device))
        };
        DoubleConv {
            a: conv(cin, cout),
            b: conv(cout, cout),
            na: gn(),
            nb: gn(),
            path,
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let norm = |n: &Option<GroupNorm>, x: Tensor<4>| match (n, self.path) {
            (Some(n), ConvPath::Gemm) => {
                super::norm::group_norm(n, x.clone()).unwrap_or_else(|| n.forward(x))
            }
            (Some(n), _) => n.forward(x),
            (None, _) => x,
        };
        let conv = |c: &Conv2d, x: Tensor<4>| match self.path {
            ConvPath::Flex => c.forward(x),
            ConvPath::Im2col => conv3x3_im2col(c, x),
            ConvPath::Gemm => conv3x3_gemm(c, x),
        };
        let act = |x: Tensor<4>| match self.path {
            ConvPath::Gemm => super::leaky::leaky_relu(x.clone(), LEAKY_SLOPE)
                .unwrap_or_else(|| leaky_relu(x, LEAKY_SLOPE)),
            _ => leaky_relu(x, LEAKY_SLOPE),
        };
        let x = act(norm(&self.na, conv(&self.a, x)));
        act(norm(&self.nb, conv(&self.b, x)))
    }
}

/// The U-Net.
#[derive(Module, Debug)]
pub struct UNet {
    down: Vec<DoubleConv>,
    bottom: DoubleConv,
    up: Vec<DoubleConv>,
    head: Conv2d,
    pool: MaxPool2d,
    upsample: Interpolate2d,
}

impl UNetConfig {
    /// Checks the settings: 2 or 3 levels, base 1..=64.
    pub fn validate(&self) -> crate::Result<()> {
        if !(2..=3).contains(&self.levels) {
            return Err(crate::Error::invalid(format!(
                "U-Net levels must be 2 or 3, got {}",
                self.levels
            )));
        }
        if !(1..=64).contains(&self.base) {
            return Err(crate::Error::invalid(format!(
                "U-Net base channels must be 1..=64, got {}",
                self.base
            )));
        }
        Ok(())
    }

    /// A freshly initialised network (burn's default initialisers, drawn from the
    /// device's RNG: seed the device first for reproducibility).
    pub fn init(&self, device: &Device) -> UNet {
        let c = |l: usize| self.base << l;
        let depth = self.levels - 1;
        let mut down = Vec::new();
        let mut cin = 1;
        for l in 0..depth {
            down.push(DoubleConv::new(cin, c(l), self.norm, self.conv, device));
            cin = c(l);
        }
        let bottom = DoubleConv::new(cin, c(depth), self.norm, self.conv, device);
        // up[l] takes upsampled c(l+1) plus the skip c(l) to c(l).
        let up = (0..depth)
            .map(|l| DoubleConv::new(c(l + 1) + c(l), c(l), self.norm, self.conv, device))
            .collect();
        UNet {
            down,
            bottom,
            up,
            head: Conv2dConfig::new([c(0), 1], [1, 1]).init(device),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            upsample: Interpolate2dConfig::new()
                .with_scale_factor(Some([2.0, 2.0]))
                .with_mode(InterpolateMode::Nearest)
                .init(),
        }
    }
}

impl UNet {
    /// Switches every 3×3 convolution to `path` (same parameters).
    pub fn set_conv(&mut self, path: ConvPath) {
        for d in self.down.iter_mut().chain(self.up.iter_mut()) {
            d.path = path;
        }
        self.bottom.path = path;
    }

    /// Logits `[b, 1, h, w]` of images `[b, 1, h, w]`; h and w must be divisible by
    /// `2^(levels − 1)`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut skips = Vec::new();
        let mut x = x;
        for d in &self.down {
            let y = d.forward(x);
            x = self.pool.forward(y.clone());
            skips.push(y);
        }
        let mut x = self.bottom.forward(x);
        for (l, u) in self.up.iter().enumerate().rev() {
            let up = self.upsample.forward(x);
            x = u.forward(Tensor::cat(vec![up, skips[l].clone()], 1));
        }
        self.head.forward(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The im2col and gemm paths compute the same logits as burn's convolution,
    /// from the same parameters (one seeded initialisation, every forward), with
    /// and without autodiff.
    #[test]
    fn every_path_matches_the_native_convolution() {
        for device in [Device::flex(), Device::flex().autodiff()] {
            device.seed(3);
            let native = UNetConfig::default().init(&device);
            let mut rng = crate::rng::Rng::new(5, 6);
            let (b, h, w) = (3, 16, 12);
            let img: Vec<f32> = (0..b * h * w).map(|_| rng.unit() as f32 - 0.5).collect();
            let x = Tensor::<4>::from_data(TensorData::new(img, [b, 1, h, w]), &device);
            let a: Vec<f32> = native
                .forward(x.clone())
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            assert_eq!(a.len(), b * h * w);
            for path in [ConvPath::Im2col, ConvPath::Gemm] {
                let mut alt = native.clone();
                alt.set_conv(path);
                let c: Vec<f32> = alt
                    .forward(x.clone())
                    .into_data()
                    .try_to_vec::<f32>()
                    .unwrap();
                let worst = a
                    .iter()
                    .zip(&c)
                    .map(|(p, q)| (p - q).abs())
                    .fold(0.0f32, f32::max);
                assert!(worst < 1e-4, "{path}: largest difference {worst}");
            }
        }
    }

    /// Training with the gemm path tracks the flex path: the same initialisation,
    /// batch (4 images of 32×52, the default hippocampus input) and optimiser
    /// steps give losses that agree to float noise for each loss family, step
    /// after step. Plain gradient descent: Adam divides each gradient by its own
    /// running magnitude, so in its first steps every parameter moves by about
    /// ±lr whatever its gradient's size, and a parameter whose gradient is close
    /// to zero moves on the sign of rounding noise; with Adam the two paths parted
    /// by up to 2·10⁻³ in six steps in one of two runs, more than float noise,
    /// whatever the kernels (the gradients themselves are compared to 10⁻⁴ in the
    /// op tests).
    #[test]
    fn gemm_training_tracks_the_flex_path() {
        use super::super::{train_step, LossKind, LossOptions, Reduction, Targets};
        use burn::optim::SgdConfig;
        let device = Device::flex().autodiff();
        let (b, h, w) = (4, 32, 52);
        let mut rng = crate::rng::Rng::new(11, 12);
        let img: Vec<f32> = (0..b * h * w).map(|_| rng.unit() as f32 - 0.5).collect();
        let lab: Vec<bool> = (0..b * h * w).map(|_| rng.chance(0.1)).collect();
        let t = Targets::new(lab, b, h, w, &device);
        let x = Tensor::<4>::from_data(TensorData::new(img, [b, 1, h, w]), &device);
        let opts = LossOptions {
            eps: 1.0,
            reduction: Reduction::Image,
        };
        device.seed(7);
        let base = UNetConfig::default().init(&device);
        // Parameters are drawn lazily, at first use, from the device's RNG, which
        // tests running in parallel share: materialise them once with a forward
        // pass, then give each path its own copy.
        let _ = base.forward(x.clone());
        for kind in [LossKind::SoftDice, LossKind::Ce] {
            let losses = |path: ConvPath| {
                let mut model = base.clone();
                model.set_conv(path);
                let mut optim = SgdConfig::new().init();
                let mut out = Vec::new();
                for _ in 0..6 {
                    let (m, v) = train_step(model, &mut optim, x.clone(), &t, kind, opts, 0.5);
                    model = m;
                    out.push(v);
                }
                out
            };
            let a = losses(ConvPath::Flex);
            let c = losses(ConvPath::Gemm);
            assert!(a.first() != a.last(), "{kind:?}: the loss must move: {a:?}");
            for (p, q) in a.iter().zip(&c) {
                assert!(
                    (p - q).abs() <= 1e-4 * p.abs().max(1.0),
                    "{kind:?}: flex {a:?} against gemm {c:?}"
                );
            }
        }
    }
}
