//! A small 2D U-Net with a one-channel logit output (sigmoid applied by the losses
//! and by evaluation).
//!
//! `levels` resolution levels (2 or 3; `levels − 1` max-poolings), each level two
//! 3×3 convolutions with zero padding 1 and leaky ReLU (slope 0.01: with plain ReLU
//! and no normalisation layer, runs on the hippocampus task collapsed to a constant
//! all-background output within a dozen epochs, the dead-unit failure); channels `base · 2^level`;
//! nearest-neighbour 2× upsampling and concatenation with the skip connection on the
//! way up; a final 1×1 convolution to one logit. No normalisation layers and no
//! dropout, so training and evaluation compute the same function. Default (3 levels,
//! base 8): 29 617 parameters.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::interpolate::{Interpolate2d, Interpolate2dConfig, InterpolateMode};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::PaddingConfig2d;
use burn::prelude::*;
use burn::tensor::activation::leaky_relu;

/// Negative slope of the leaky ReLU activations.
pub const LEAKY_SLOPE: f64 = 0.01;

/// Architecture settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UNetConfig {
    /// Resolution levels (2 or 3).
    pub levels: usize,
    /// Channels at full resolution.
    pub base: usize,
}

impl Default for UNetConfig {
    fn default() -> Self {
        UNetConfig { levels: 3, base: 8 }
    }
}

/// Two 3×3 convolutions with ReLU.
#[derive(Module, Debug)]
pub struct DoubleConv {
    a: Conv2d,
    b: Conv2d,
}

impl DoubleConv {
    fn new(cin: usize, cout: usize, device: &Device) -> DoubleConv {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        DoubleConv {
            a: conv(cin, cout),
            b: conv(cout, cout),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        leaky_relu(
            self.b.forward(leaky_relu(self.a.forward(x), LEAKY_SLOPE)),
            LEAKY_SLOPE,
        )
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
            down.push(DoubleConv::new(cin, c(l), device));
            cin = c(l);
        }
        let bottom = DoubleConv::new(cin, c(depth), device);
        // up[l] takes upsampled c(l+1) plus the skip c(l) to c(l).
        let up = (0..depth)
            .map(|l| DoubleConv::new(c(l + 1) + c(l), c(l), device))
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
