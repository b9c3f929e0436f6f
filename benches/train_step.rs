//! One training step of the default U-Net (3 levels, 8 base channels, group norm,
//! leaky ReLU) on a batch of 8 single-channel 88×72 images (the whole-brain crop
//! 144×176 at 2× downsampling; the default hippocampus ROI input is 32×52 with
//! batch 4), soft Dice loss (per image, ε = 1), Adam at lr 3e-3: forward, loss,
//! backward, optimiser update.
//!
//! `cargo bench --features training --bench train_step` (threads: `DICEPROOF_THREADS`,
//! default 2; backend: `DICEPROOF_BACKEND=flex|libtorch`, libtorch needs `--features tch`).
//! Convolution paths (`UNetConfig::conv`, `diceproof train --conv`): `DICEPROOF_CONV` is a
//! comma-separated list of `flex`, `im2col`, `gemm` (default `flex,gemm`; `all` for the three).
//! The PyTorch peer with the same architecture, batch, input size and thread count is
//! `benches/peer/train_step_torch.sh`.

use std::hint::black_box;

use burn::optim::AdamConfig;
use burn::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};
use diceproof::search::rng::Rng;
use diceproof::train::{
    set_threads, train_step, Backend, ConvPath, LossKind, LossOptions, Reduction, Targets,
    UNetConfig,
};

const B: usize = 8;
const H: usize = 88;
const W: usize = 72;

/// One benchmark: `B` images of `H`×`W`, the given convolution path.
fn step_bench(
    c: &mut Criterion,
    backend: Backend,
    name: &str,
    (b, h, w): (usize, usize, usize),
    conv: ConvPath,
) {
    let device = backend.device().autodiff();
    device.seed(0);
    let cfg = UNetConfig {
        conv,
        ..UNetConfig::default()
    };
    let mut model = cfg.init(&device);
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng::new(1, 2);
    let img: Vec<f32> = (0..b * h * w).map(|_| rng.unit() as f32 - 0.5).collect();
    let lab: Vec<bool> = (0..b * h * w).map(|_| rng.chance(0.05)).collect();
    let t = Targets::new(lab, b, h, w, &device);
    let opts = LossOptions {
        eps: 1.0,
        reduction: Reduction::Image,
    };
    let x = Tensor::<4>::from_data(TensorData::new(img, [b, 1, h, w]), &device);
    let mut group = c.benchmark_group("train_step");
    group.sample_size(20);
    group.bench_function(name, |bch| {
        bch.iter(|| {
            let m = model.clone();
            let (m, v) = train_step(m, &mut optim, x.clone(), &t, LossKind::SoftDice, opts, 3e-3);
            model = m;
            black_box(v)
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let threads = std::env::var("DICEPROOF_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let got = set_threads(threads);
    let backend: Backend = std::env::var("DICEPROOF_BACKEND")
        .unwrap_or_else(|_| "flex".into())
        .parse()
        .expect("DICEPROOF_BACKEND is flex or libtorch");
    eprintln!("train_step: {got} threads, backend {backend}");
    eprintln!(
        "parameters: {}",
        UNetConfig::default().init(&Device::flex()).num_params()
    );
    let convs: Vec<ConvPath> = match std::env::var("DICEPROOF_CONV").as_deref() {
        Err(_) => vec![ConvPath::Flex, ConvPath::Gemm],
        Ok("all") => ConvPath::ALL.iter().map(|&(_, c)| c).collect(),
        Ok(list) => list
            .split(',')
            .map(|s| s.trim().parse().expect("DICEPROOF_CONV"))
            .collect(),
    };
    for conv in convs {
        let n = |s: &str| format!("{backend}/{s}_{conv}");
        // The peer script's size (batch 8 at 88×72).
        step_bench(
            c,
            backend,
            &n("unet3x8_b8_88x72_soft_dice"),
            (B, H, W),
            conv,
        );
        // The default hippocampus input (batch 4 at 32×52).
        step_bench(
            c,
            backend,
            &n("unet3x8_b4_32x52_soft_dice"),
            (4, 32, 52),
            conv,
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
