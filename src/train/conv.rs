//! A 3×3 convolution (stride 1, zero padding 1, with bias) on raw `f32` buffers,
//! with a hand-written backward pass registered with burn's autodiff: the
//! `--conv gemm` path of [`super::model`].
//!
//! # Why a custom op
//!
//! A flex training step of the U-Net spends most of its time in the *backward*
//! convolutions: burn computes the input gradient as a transposed convolution with
//! direct loops and the weight gradient with rayon loops over the output, which
//! together cost more than the forward. PyTorch's CPU backward is GEMM-shaped. This
//! op makes every part of the convolution one GEMM per image with the `gemm` crate
//! (the same crate and kernels flex uses for its forward):
//!
//! - forward: `col = im2col(x[n])`, a `[cin·9, h·w]` matrix built with row copies,
//!   then `y[n] = W · col + b` with `W` viewed as `[cout, cin·9]`;
//! - weight and bias gradients: `dW = Σₙ dy[n] · col[n]ᵀ` (the column matrix is
//!   rebuilt from the saved input rather than kept: one `[cin·9, h·w]` buffer per
//!   worker instead of one per image and layer, which keeps the working set in
//!   cache), `db = Σₙ Σₚ dy[n]`;
//! - input gradient: the adjoint of a 3×3 same-padded convolution is the 3×3
//!   same-padded convolution of `dy` with the kernel flipped in both axes and its
//!   channel axes swapped, `dx[n] = W' · im2col(dy[n])` with
//!   `W'[ci, co·9 + t] = W[co, ci, 8 − t]`. It reuses the forward's im2col instead
//!   of a col2im scatter-add, and is skipped when the input needs no gradient (the
//!   image at the first layer).
//!
//! Images are split over rayon's pool (each worker with its own column buffer,
//! kept between calls, and, for the weight gradient, its own accumulator, summed
//! at the end); with fewer images than workers the GEMM itself runs on the pool
//! instead.
//!
//! # Same function as burn's `Conv2d`
//!
//! The op takes the `Conv2d`'s own `weight` `[cout, cin, 3, 3]` and `bias` `[cout]`
//! parameters, so a model can switch paths without changing its parameters,
//! initialisation or checkpoints. The tests compare the output and all three
//! gradients with burn's convolution on random inputs (batch > 1, several channel
//! counts, the U-Net's sizes) and a few U-Net training steps on both paths.
//!
//! Only the flex backend with `f32` tensors takes this path;
//! [`conv3x3`] returns `None` otherwise and the caller uses burn's convolution
//! (the CLI refuses `--conv gemm` with another backend, so a run never switches
//! silently).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::prelude::*;
use burn::tensor::DType;
use gemm::Parallelism;
use rayon::prelude::*;

/// The autodiff backend this op is registered with (flex, no checkpointing: the
/// configuration of [`super::run`] and the benchmark).
type Ad = Autodiff<Flex, NoCheckpointing>;
/// An autodiff float tensor of [`Ad`].
type AdTensor = burn::backend::tensor::FloatTensor<Ad>;

/// Image, channel and size counts of one convolution call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dims {
    n: usize,
    cin: usize,
    cout: usize,
    h: usize,
    w: usize,
}

impl Dims {
    /// Pixels per channel.
    fn p(self) -> usize {
        self.h * self.w
    }
    /// Rows of the column matrix.
    fn k(self) -> usize {
        self.cin * 9
    }
}

/// Writes the `[c·9, h·w]` column matrix of one image `x` (`[c, h, w]`) into `col`:
/// row `c·9 + ky·3 + kx` holds `x[c, i + ky − 1, j + kx − 1]` (zero outside).
fn im2col(x: &[f32], c: usize, h: usize, w: usize, col: &mut [f32]) {
    let p = h * w;
    debug_assert_eq!(x.len(), c * p);
    debug_assert_eq!(col.len(), c * 9 * p);
    for ch in 0..c {
        let src = &x[ch * p..(ch + 1) * p];
        for ky in 0..3 {
            for kx in 0..3 {
                let row = &mut col[(ch * 9 + ky * 3 + kx) * p..][..p];
                for i in 0..h {
                    let d = &mut row[i * w..(i + 1) * w];
                    let si = i + ky;
                    if si == 0 || si > h {
                        d.fill(0.0);
                        continue;
                    }
                    let s = &src[(si - 1) * w..si * w];
                    match kx {
                        0 => {
                            d[0] = 0.0;
                            d[1..].copy_from_slice(&s[..w - 1]);
                        }
                        1 => d.copy_from_slice(s),
                        _ => {
                            d[..w - 1].copy_from_slice(&s[1..]);
                            d[w - 1] = 0.0;
                        }
                    }
                }
            }
        }
    }
}

/// A read-only row-major-or-strided matrix operand: the slice and its row and
/// column strides.
#[derive(Clone, Copy)]
struct Mat<'a> {
    data: &'a [f32],
    rs: usize,
    cs: usize,
}

/// `dst (m×n, row-major) = [dst +] lhs (m×k) · rhs (k×n)` with the `gemm` crate.
/// Panics (never undefined behaviour) if a slice is too short for its strides.
fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: &mut [f32],
    accumulate: bool,
    lhs: Mat,
    rhs: Mat,
    par: Parallelism,
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(dst.len() >= m * n, "gemm: destination too short");
    let reach = |a: Mat, r: usize, c: usize| (r - 1) * a.rs + (c - 1) * a.cs + 1;
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    assert!(lhs.data.len() >= reach(lhs, m, k), "gemm: lhs too short");
    assert!(rhs.data.len() >= reach(rhs, k, n), "gemm: rhs too short");
    // SAFETY: the asserts above bound every index gemm reads (lhs, rhs) and writes
    // (dst, row stride n, column stride 1); the three slices do not overlap
    // because `dst` is borrowed mutably.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs.cs as isize,
            lhs.rs as isize,
            rhs.data.as_ptr(),
            rhs.cs as isize,
            rhs.rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            par,
        )
    }
}

thread_local! {
    /// Each worker's column buffer, kept between calls: a fresh multi-megabyte
    /// allocation per call costs page faults on every first touch.
    static SCRATCH: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's scratch buffer of `len` floats (contents
/// unspecified; a fresh buffer if the thread's is already in use).
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < len {
                buf.resize(len, 0.0);
            }
            f(&mut buf[..len])
        }
        Err(_) => f(&mut vec![0.0; len]),
    })
}

/// How to spread `n` images over rayon's pool: images per task (at least one task
/// per worker), and the parallelism left to each GEMM (the pool when there are
/// fewer images than workers).
fn split(n: usize) -> (usize, Parallelism) {
    let threads = rayon::current_num_threads().max(1);
    if n >= threads {
        (n.div_ceil(threads), Parallelism::None)
    } else {
        (n.max(1), Parallelism::Rayon(threads))
    }
}

/// Forward of a batch: `y[n] = W · im2col(x[n]) (+ b)`; `x` is `[n, cin, h, w]`,
/// `weight` `[cout, cin·9]` (row-major), `bias` `[cout]`. Returns `[n, cout, h, w]`.
fn forward(x: &[f32], weight: &[f32], bias: Option<&[f32]>, d: Dims) -> Vec<f32> {
    let (p, k) = (d.p(), d.k());
    let mut y = vec![0.0f32; d.n * d.cout * p];
    let (per_task, par) = split(d.n);
    let wm = Mat {
        data: weight,
        rs: k,
        cs: 1,
    };
    y.par_chunks_mut(d.cout * p)
        .zip(x.par_chunks(d.cin * p))
        .with_min_len(per_task)
        .for_each(|(yo, xi)| {
            with_scratch(k * p, |col| {
                im2col(xi, d.cin, d.h, d.w, col);
                let cm = Mat {
                    data: col,
                    rs: p,
                    cs: 1,
                };
                matmul((d.cout, p, k), yo, false, wm, cm, par);
            });
            if let Some(b) = bias {
                for (row, &bv) in yo.chunks_mut(p).zip(b) {
                    row.iter_mut().for_each(|v| *v += bv);
                }
            }
        });
    y
}

/// `W'[ci, co·9 + t] = W[co, ci, 8 − t]`: the kernel of the input gradient
/// (flipped in both spatial axes, channel axes swapped), `[cin, cout·9]`.
fn adjoint_kernel(weight: &[f32], cin: usize, cout: usize) -> Vec<f32> {
    let mut wt = vec![0.0f32; cin * cout * 9];
    for co in 0..cout {
        for ci in 0..cin {
            for t in 0..9 {
                wt[ci * cout * 9 + co * 9 + t] = weight[(co * cin + ci) * 9 + 8 - t];
            }
        }
    }
    wt
}

/// The three gradients of one call (each only when asked for).
struct Grads {
    dx: Option<Vec<f32>>,
    dw: Option<Vec<f32>>,
    db: Option<Vec<f32>>,
}

/// Backward of a batch given the output gradient `dy` (`[n, cout, h, w]`).
fn backward(
    x: &[f32],
    weight: &[f32],
    dy: &[f32],
    d: Dims,
    (want_dx, want_dw, want_db): (bool, bool, bool),
) -> Grads {
    let (p, k) = (d.p(), d.k());
    let (per_task, par) = split(d.n);
    let dx = want_dx.then(|| {
        // The adjoint convolution: `cout` input channels, `cin` outputs.
        let wt = adjoint_kernel(weight, d.cin, d.cout);
        let adj = Dims {
            cin: d.cout,
            cout: d.cin,
            ..d
        };
        forward(dy, &wt, None, adj)
    });
    let (dw, db) = if want_dw || want_db {
        let (dw, db) = dy
            .par_chunks(d.cout * p)
            .zip(x.par_chunks(d.cin * p))
            .with_min_len(per_task)
            .fold(
                || (vec![0.0f32; d.cout * k], vec![0.0f32; d.cout]),
                |(mut dw, mut db), (dyi, xi)| {
                    if want_dw {
                        with_scratch(k * p, |col| {
                            im2col(xi, d.cin, d.h, d.w, col);
                            // dW += dy[n] (cout×p) · col[n]ᵀ (p×k).
                            let lhs = Mat {
                                data: dyi,
                                rs: p,
                                cs: 1,
                            };
                            let rhs = Mat {
                                data: col,
                                rs: 1,
                                cs: p,
                            };
                            matmul((d.cout, k, p), &mut dw, true, lhs, rhs, par);
                        });
                    }
                    if want_db {
                        for (acc, row) in db.iter_mut().zip(dyi.chunks(p)) {
                            *acc += row.iter().sum::<f32>();
                        }
                    }
                    (dw, db)
                },
            )
            .reduce(
                || (vec![0.0f32; d.cout * k], vec![0.0f32; d.cout]),
                |(mut a, mut ab), (b, bb)| {
                    a.iter_mut().zip(&b).for_each(|(u, v)| *u += v);
                    ab.iter_mut().zip(&bb).for_each(|(u, v)| *u += v);
                    (a, ab)
                },
            );
        (want_dw.then_some(dw), want_db.then_some(db))
    } else {
        (None, None)
    };
    Grads { dx, dw, db }
}

/// The `f32` contents of a flex tensor (contiguous; copied only if it was not).
fn contiguous(t: &FlexTensor) -> FlexTensor {
    t.to_contiguous()
}

/// A flex tensor owning `data` with the given shape.
fn flex_tensor(data: Vec<f32>, shape: [usize; 4]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(data, shape))
}

/// The dims of `x` `[n, cin, h, w]` and `weight` `[cout, cin, 3, 3]`, if they fit
/// this op (f32, 3×3 kernel, matching channels, non-empty image).
fn dims_of(x: &FlexTensor, weight: &FlexTensor, bias: &FlexTensor) -> Option<Dims> {
    if x.dtype() != DType::F32 || weight.dtype() != DType::F32 || bias.dtype() != DType::F32 {
        return None;
    }
    let xs = x.layout().shape();
    let ws = weight.layout().shape();
    let bs = bias.layout().shape();
    if xs.num_dims() != 4 || ws.num_dims() != 4 || bs.num_dims() != 1 {
        return None;
    }
    let d = Dims {
        n: xs[0],
        cin: xs[1],
        cout: ws[0],
        h: xs[2],
        w: xs[3],
    };
    (ws[1] == d.cin && ws[2] == 3 && ws[3] == 3 && bs[0] == d.cout && d.h > 0 && d.w > 0)
        .then_some(d)
}

/// Forward on flex primitives.
fn forward_flex(x: &FlexTensor, weight: &FlexTensor, bias: &FlexTensor, d: Dims) -> FlexTensor {
    let (x, weight, bias) = (contiguous(x), contiguous(weight), contiguous(bias));
    let y = forward(
        x.storage::<f32>(),
        weight.storage::<f32>(),
        Some(bias.storage::<f32>()),
        d,
    );
    flex_tensor(y, [d.n, d.cout, d.h, d.w])
}

/// The backward step of the op in burn's autodiff graph. State: the checkpointed
/// input and weight nodes, and the call's dims.
#[derive(Debug)]
struct Conv3x3Backward;

impl Backward<Flex, 3> for Conv3x3Backward {
    type State = (NodeId, NodeId, [usize; 5]);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_w, node_b] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let (x_id, w_id, [n, cin, cout, h, w]) = ops.state;
        let d = Dims { n, cin, cout, h, w };
        let x = contiguous(&checkpointer.retrieve_node_output::<FlexTensor>(x_id));
        let weight = contiguous(&checkpointer.retrieve_node_output::<FlexTensor>(w_id));
        let dy = contiguous(&dy);
        let g = backward(
            x.storage::<f32>(),
            weight.storage::<f32>(),
            dy.storage::<f32>(),
            d,
            (node_x.is_some(), node_w.is_some(), node_b.is_some()),
        );
        if let (Some(node), Some(dx)) = (node_x, g.dx) {
            grads.register::<Flex>(node.id, flex_tensor(dx, [n, cin, h, w]));
        }
        if let (Some(node), Some(dw)) = (node_w, g.dw) {
            grads.register::<Flex>(node.id, flex_tensor(dw, [cout, cin, 3, 3]));
        }
        if let (Some(node), Some(db)) = (node_b, g.db) {
            let t = FlexTensor::from_data(TensorData::new(db, [cout]));
            grads.register::<Flex>(node.id, t);
        }
    }
}

/// The op on autodiff tensors: registers [`Conv3x3Backward`] when any input is
/// tracked. `None` if the tensors do not fit the op.
fn conv3x3_autodiff(x: AdTensor, weight: AdTensor, bias: AdTensor) -> Option<AdTensor> {
    let d = dims_of(x.primitive(), weight.primitive(), bias.primitive())?;
    let y = forward_flex(x.primitive(), weight.primitive(), bias.primitive(), d);
    let out = match Conv3x3Backward
        .prepare::<NoCheckpointing>([x.node(), weight.node(), bias.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(mut prep) => {
            let xs = prep.checkpoint(&x);
            let ws = prep.checkpoint(&weight);
            prep.finish((xs, ws, [d.n, d.cin, d.cout, d.h, d.w]), y)
        }
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    Some(out)
}

/// The 3×3, stride 1, zero-padding 1 convolution of `x` `[n, cin, h, w]` with
/// `weight` `[cout, cin, 3, 3]` and `bias` `[cout]`, computed by this module's
/// GEMM kernels, with gradients when the tensors live on the flex autodiff device.
/// `None` when the tensors are on another backend, are not `f32`, or the shapes do
/// not fit; the caller then uses burn's own convolution.
pub fn conv3x3(x: Tensor<4>, weight: Tensor<4>, bias: Tensor<1>) -> Option<Tensor<4>> {
    if let (Ok(xa), Ok(wa), Ok(ba)) = (
        x.clone().try_into_primitive::<Ad>(),
        weight.clone().try_into_primitive::<Ad>(),
        bias.clone().try_into_primitive::<Ad>(),
    ) {
        return conv3x3_autodiff(xa, wa, ba).map(Tensor::<4>::from_primitive::<Ad>);
    }
    let (xf, wf, bf) = (
        x.try_into_primitive::<Flex>().ok()?,
        weight.try_into_primitive::<Flex>().ok()?,
        bias.try_into_primitive::<Flex>().ok()?,
    );
    let d = dims_of(&xf, &wf, &bf)?;
    Some(Tensor::<4>::from_primitive::<Flex>(forward_flex(
        &xf, &wf, &bf, d,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use burn::nn::conv::Conv2dConfig;
    use burn::nn::PaddingConfig2d;
    use proptest::prelude::*;

    use crate::train::testing::{random, rel_err, values as vec4};

    /// Output and the three gradients of burn's `Conv2d` and of this op on the
    /// same parameters and input, with a random output weighting as the loss
    /// (so every output element's gradient differs).
    fn compare(n: usize, cin: usize, cout: usize, h: usize, w: usize, seed: u64) {
        let device = Device::flex().autodiff();
        device.seed(seed);
        let conv = Conv2dConfig::new([cin, cout], [3, 3])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init(&device);
        let mut rng = Rng::new(seed, 17);
        let xv = random(&mut rng, n * cin * h * w);
        let gv = random(&mut rng, n * cout * h * w);
        let run = |ours: bool| {
            let x = Tensor::<4>::from_data(TensorData::new(xv.clone(), [n, cin, h, w]), &device)
                .require_grad();
            let g = Tensor::<4>::from_data(TensorData::new(gv.clone(), [n, cout, h, w]), &device);
            let y = if ours {
                conv3x3(
                    x.clone(),
                    conv.weight.val(),
                    conv.bias.as_ref().unwrap().val(),
                )
                .expect("flex autodiff f32 tensors take the gemm path")
            } else {
                conv.forward(x.clone())
            };
            let grads = (y.clone() * g).sum().backward();
            let dx = x.grad(&grads).unwrap();
            let dw = conv.weight.grad(&grads).unwrap();
            let db = conv.bias.as_ref().unwrap().grad(&grads).unwrap();
            (
                vec4(y),
                dx.into_data().try_to_vec::<f32>().unwrap(),
                dw.into_data().try_to_vec::<f32>().unwrap(),
                db.into_data().try_to_vec::<f32>().unwrap(),
            )
        };
        let (y0, dx0, dw0, db0) = run(false);
        let (y1, dx1, dw1, db1) = run(true);
        for (name, a, b) in [
            ("output", &y0, &y1),
            ("input gradient", &dx0, &dx1),
            ("weight gradient", &dw0, &dw1),
            ("bias gradient", &db0, &db1),
        ] {
            let e = rel_err(a, b);
            assert!(
                e < 1e-4,
                "{name}: relative error {e} at n={n} cin={cin} cout={cout} {h}×{w}"
            );
        }
    }

    /// The U-Net's layer shapes at the benchmark's size (batch 8 at 88×72) and at
    /// the default hippocampus input (batch 4 at 32×52): every (cin, cout, size).
    #[test]
    fn matches_burn_conv_at_the_unet_sizes() {
        for &(cin, cout, h, w) in &[
            (1, 8, 88, 72),
            (8, 8, 88, 72),
            (8, 16, 44, 36),
            (16, 16, 44, 36),
            (16, 32, 22, 18),
            (32, 32, 22, 18),
            (48, 16, 44, 36),
            (24, 8, 88, 72),
        ] {
            compare(8, cin, cout, h, w, 1);
        }
        compare(4, 16, 32, 8, 13, 2);
        compare(4, 24, 8, 32, 52, 3);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Random small shapes, including 1-pixel-wide and 1-row images, one
        /// image, one channel and more images than threads.
        #[test]
        fn matches_burn_conv_on_random_shapes(
            n in 1usize..5, cin in 1usize..6, cout in 1usize..6,
            h in 1usize..9, w in 1usize..9, seed in 0u64..1000,
        ) {
            compare(n, cin, cout, h, w, seed);
        }
    }

    /// Without autodiff (evaluation), the op gives burn's output too.
    #[test]
    fn plain_flex_forward_matches() {
        let device = Device::flex();
        device.seed(4);
        let conv = Conv2dConfig::new([3, 5], [3, 3])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init(&device);
        let mut rng = Rng::new(9, 9);
        let x = Tensor::<4>::from_data(
            TensorData::new(random(&mut rng, 2 * 3 * 7 * 6), [2, 3, 7, 6]),
            &device,
        );
        let a = vec4(conv.forward(x.clone()));
        let b = vec4(
            conv3x3(x, conv.weight.val(), conv.bias.as_ref().unwrap().val())
                .expect("flex f32 tensors take the gemm path"),
        );
        assert!(rel_err(&a, &b) < 1e-5);
    }

    /// Shapes the op does not cover are declined, not computed wrongly: a 1×1
    /// kernel.
    #[test]
    fn declines_other_kernels() {
        let device = Device::flex();
        let conv = Conv2dConfig::new([2, 2], [1, 1]).init(&device);
        let x = Tensor::<4>::zeros([1, 2, 4, 4], &device);
        assert!(conv3x3(x, conv.weight.val(), conv.bias.as_ref().unwrap().val()).is_none());
    }
}
