//! Holm–Bonferroni step-down adjustment of a family of p-values.
//!
//! # Why Holm
//!
//! The training comparison runs every pairwise test among the losses (ten pairs for
//! five losses) and reads verdicts off the whole family, so the family-wise error
//! rate has to be controlled. Holm (1979) controls it under any dependence between
//! the tests, as Bonferroni does, and is uniformly more powerful; the pairwise
//! tests here share samples, so a method that needs independence or positive
//! dependence (Hochberg, Hommel) would need an argument we cannot make.
//!
//! # Definition
//!
//! Sort the m raw p-values ascending, p(1) ≤ … ≤ p(m). The adjusted value of the
//! i-th smallest is `max_{j ≤ i} min(1, (m − j + 1)·p(j))`: the running maximum
//! makes the adjusted values monotone in the rank of the raw ones, and the cap keeps
//! them probabilities. Rejecting where adjusted ≤ α is exactly Holm's step-down
//! procedure at level α. Equal raw p-values get equal adjusted values, whatever
//! order the sort leaves them in (the running maximum sees the larger multiplier
//! first for the earlier one, then carries it).

use crate::error::{Error, Result};

/// Holm-adjusted p-values, in the order of the input. NaN or values outside
/// [0, 1] are an error; an empty family gives an empty result.
pub fn holm(p: &[f64]) -> Result<Vec<f64>> {
    if let Some((i, x)) = p
        .iter()
        .enumerate()
        .find(|(_, x)| x.is_nan() || **x < 0.0 || **x > 1.0)
    {
        return Err(Error::invalid(format!(
            "Holm adjustment: p-value #{i} is {x}, not a probability in [0, 1]"
        )));
    }
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    // NaN was rejected above, so total_cmp is the usual order here.
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (j, &idx) in order.iter().enumerate() {
        let scaled = ((m - j) as f64 * p[idx]).min(1.0);
        running = running.max(scaled);
        adjusted[idx] = running;
    }
    Ok(adjusted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_four() {
        // Sorted 0.01, 0.02, 0.03, 0.04 with m = 4:
        // 4·0.01 = 0.04; 3·0.02 = 0.06; 2·0.03 = 0.06; 1·0.04 = 0.04 → max so far 0.06.
        let adj = holm(&[0.03, 0.01, 0.04, 0.02]).unwrap();
        let want = [0.06, 0.04, 0.06, 0.06];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-15, "{adj:?}");
        }
    }

    #[test]
    fn hand_computed_cap_and_monotone() {
        // m = 3: 3·0.2 = 0.6; 2·0.5 = 1.0; 1·0.9 = 0.9 → running max 1.0.
        let adj = holm(&[0.5, 0.2, 0.9]).unwrap();
        assert_eq!(adj, vec![1.0, 0.6000000000000001, 1.0]);
        // Capped at 1.
        assert_eq!(holm(&[0.6, 0.7]).unwrap(), vec![1.0, 1.0]);
    }

    #[test]
    fn ties_get_equal_values() {
        let adj = holm(&[0.01, 0.01, 0.5]).unwrap();
        assert_eq!(adj[0], adj[1]);
        assert_eq!(adj[0], 0.03);
    }

    #[test]
    fn single_and_empty() {
        assert_eq!(holm(&[0.3]).unwrap(), vec![0.3]);
        assert!(holm(&[]).unwrap().is_empty());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(holm(&[0.1, f64::NAN]).is_err());
        assert!(holm(&[1.5]).is_err());
        assert!(holm(&[-0.1]).is_err());
    }

    proptest! {
        #[test]
        fn adjusted_dominates_and_is_monotone(p in prop::collection::vec(0.0f64..=1.0, 0..30)) {
            let adj = holm(&p).unwrap();
            for i in 0..p.len() {
                prop_assert!(adj[i] >= p[i]);
                prop_assert!(adj[i] <= 1.0);
                for j in 0..p.len() {
                    if p[i] <= p[j] {
                        prop_assert!(adj[i] <= adj[j]);
                    }
                }
            }
        }
    }
}
