//! The growth exponent of a spread curve: how fast the worst ratio between two
//! losses grows with the image size n.
//!
//! Why here and not in the CLI: the exponent is part of the analysis the search
//! serves. `search --growth` prints it, the growth figure draws it and the
//! adaptive-weights claim decides on it, so all three must read the same fit, and
//! library code must not reach up into `cli` for it.
//!
//! The fit is ordinary least squares of ln(spread) on ln(n). A bounded pair (Dice
//! against Jaccard) gives a slope near 0, a pair that grows like n a slope near 1.
//! Points that have no logarithm (n ≤ 0, spread ≤ 0 or not finite) are left out,
//! so an infinite spread (a zero-against-nonzero pair) never poisons the slope.

/// Least-squares slope of ln(spread) against ln(n) over `points` = `(n, spread)`.
///
/// `None` when fewer than two usable points remain or all usable points share one
/// n (the slope is undefined then).
pub fn growth_exponent(points: &[(f64, f64)]) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(n, s)| *n > 0.0 && s.is_finite() && *s > 0.0)
        .map(|(n, s)| (n.ln(), s.ln()))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let m = pts.len() as f64;
    let (sx, sy) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / m, sy / m);
    let (num, den) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        (a + (x - mx) * (y - my), b + (x - mx) * (x - mx))
    });
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::growth_exponent;
    use proptest::prelude::*;

    proptest! {
        /// A pure power law c·n^k is fitted to k whatever c and the sizes.
        #[test]
        fn power_law_slope_is_recovered(
            k in -2.0f64..3.0,
            c in 1e-3f64..1e3,
            sizes in proptest::collection::btree_set(1u32..1_000_000, 2..8),
        ) {
            let pts: Vec<(f64, f64)> =
                sizes.iter().map(|&n| (n as f64, c * (n as f64).powf(k))).collect();
            let e = growth_exponent(&pts).unwrap();
            prop_assert!((e - k).abs() < 1e-6, "fitted {e}, expected {k}");
        }
    }

    #[test]
    fn unusable_points_are_left_out() {
        // Infinite, zero and negative spreads have no logarithm.
        let pts = [
            (10.0, 1.0),
            (100.0, f64::INFINITY),
            (1000.0, 0.0),
            (100.0, 10.0),
        ];
        assert!((growth_exponent(&pts).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(growth_exponent(&[(10.0, 1.0)]), None);
        assert_eq!(growth_exponent(&[(10.0, 1.0), (10.0, 2.0)]), None);
        assert_eq!(growth_exponent(&[]), None);
    }
}
