//! Leaky ReLU as one fused op on flex `f32` buffers, with a one-pass backward
//! registered with burn's autodiff: part of the `--conv gemm` path.
//!
//! burn composes `leaky_relu` from a comparison, a scalar multiply and a
//! `mask_where`, so its backward runs two `mask_where`s, a zero fill, a scalar
//! multiply and an add over the whole activation (about 6 % of a flex training step
//! in `mask_where` alone, plus memsets). Here the forward is one map and the
//! backward one zip: `dx = slope · dy` where `x < 0`, `dy` elsewhere: the same
//! test and the same products as burn's, so outputs and gradients are equal bit
//! for bit (tested).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::flex::FlexTensor;
use burn::backend::{Autodiff, Flex};
use burn::prelude::*;
use burn::tensor::DType;
use rayon::prelude::*;

type Ad = Autodiff<Flex, NoCheckpointing>;

/// Elements per rayon task (large enough that task overhead is negligible).
const CHUNK: usize = 1 << 15;

fn forward(x: &[f32], slope: f32) -> Vec<f32> {
    let mut y = vec![0.0f32; x.len()];
    y.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(yo, xi)| {
            for (o, &v) in yo.iter_mut().zip(xi) {
                *o = if v < 0.0 { v * slope } else { v };
            }
        });
    y
}

fn backward(x: &[f32], dy: &[f32], slope: f32) -> Vec<f32> {
    let mut dx = vec![0.0f32; x.len()];
    dx.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK).zip(dy.par_chunks(CHUNK)))
        .for_each(|(o, (xi, gi))| {
            for ((o, &v), &g) in o.iter_mut().zip(xi).zip(gi) {
                *o = if v < 0.0 { g * slope } else { g };
            }
        });
    dx
}

fn like(data: Vec<f32>, t: &FlexTensor) -> FlexTensor {
    let shape: Vec<usize> = t.layout().shape().iter().copied().collect();
    FlexTensor::from_data(TensorData::new(data, shape))
}

#[derive(Debug)]
struct LeakyBackward;

impl Backward<Flex, 1> for LeakyBackward {
    type State = (NodeId, u32);

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let Some(node) = node else { return };
        let (x_id, slope_bits) = ops.state;
        let x = checkpointer
            .retrieve_node_output::<FlexTensor>(x_id)
            .to_contiguous();
        let dy = dy.to_contiguous();
        let dx = backward(x.storage(), dy.storage(), f32::from_bits(slope_bits));
        grads.register::<Flex>(node.id, like(dx, &x));
    }
}

/// Leaky ReLU with the given negative slope through the fused op when `x` is an
/// `f32` tensor on the flex backend (with or without autodiff); `None` otherwise
/// (the caller then uses burn's `leaky_relu`).
pub fn leaky_relu(x: Tensor<4>, slope: f64) -> Option<Tensor<4>> {
    let s = slope as f32;
    if let Ok(xa) = x.clone().try_into_primitive::<Ad>() {
        if xa.primitive().dtype() != DType::F32 {
            return None;
        }
        let xc = xa.primitive().to_contiguous();
        let y = like(forward(xc.storage(), s), &xc);
        let out = match LeakyBackward
            .prepare::<NoCheckpointing>([xa.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let id = prep.checkpoint(&xa);
                prep.finish((id, s.to_bits()), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        return Some(Tensor::from_primitive::<Ad>(out));
    }
    let xf = x.try_into_primitive::<Flex>().ok()?;
    if xf.dtype() != DType::F32 {
        return None;
    }
    let xc = xf.to_contiguous();
    Some(Tensor::from_primitive::<Flex>(like(
        forward(xc.storage(), s),
        &xc,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use burn::tensor::activation;

    /// Output and input gradient equal burn's `leaky_relu` (exactly: the same
    /// products), on random values of both signs with a random upstream gradient.
    #[test]
    fn matches_burn_leaky_relu() {
        let device = Device::flex().autodiff();
        let mut rng = Rng::new(3, 4);
        let shape = [3, 4, 9, 7];
        let n: usize = shape.iter().product();
        let xv = crate::train::testing::random(&mut rng, n);
        let gv = crate::train::testing::random(&mut rng, n);
        let run = |ours: bool| {
            let x =
                Tensor::<4>::from_data(TensorData::new(xv.clone(), shape), &device).require_grad();
            let g = Tensor::<4>::from_data(TensorData::new(gv.clone(), shape), &device);
            let y = if ours {
                leaky_relu(x.clone(), 0.01).expect("flex autodiff f32")
            } else {
                activation::leaky_relu(x.clone(), 0.01)
            };
            let grads = (y.clone() * g).sum().backward();
            let dx = x.grad(&grads).unwrap();
            (
                y.into_data().try_to_vec::<f32>().unwrap(),
                dx.into_data().try_to_vec::<f32>().unwrap(),
            )
        };
        let (y0, d0) = run(false);
        let (y1, d1) = run(true);
        assert_eq!(y0, y1);
        assert_eq!(d0, d1);
        // Without autodiff too.
        let x = Tensor::<4>::from_data(TensorData::new(xv.clone(), shape), &Device::flex());
        let y2: Vec<f32> = leaky_relu(x, 0.01)
            .unwrap()
            .into_data()
            .try_to_vec()
            .unwrap();
        assert_eq!(y0, y2);
    }
}
