//! Helpers shared by the custom ops' tests (`conv`, `norm`, `leaky`): random
//! inputs, a scale-relative error and tensor readout, so that every op is compared
//! with burn's by the same yardstick.

use burn::prelude::*;

use crate::rng::Rng;

/// `n` seeded values uniform in [−1, 1).
pub fn random(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.unit() as f32 * 2.0 - 1.0).collect()
}

/// Largest |a − b| relative to the largest |a| (so that 1e-4 means 1e-4 of the
/// tensor's scale, the float noise of sums of up to a few thousand terms).
pub fn rel_err(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0f32, f32::max)
        / scale
}

/// A tensor's values in row-major order.
pub fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}
