use proptest::prelude::*;

use super::*;
use crate::surrogates::soft::{lovasz_jaccard_fast, parse_soft};

/// Any float32 in [0, 1], every exponent equally likely (subnormals included), or
/// one of the edge values.
fn unit_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        (0u32..=0x3f80_0000).prop_map(f32::from_bits),
        prop::sample::select(vec![0.0f32, -0.0, 1.0, 0.5, f32::from_bits(1), 0.25]),
    ]
}

fn unit_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u64..=0x3ff0_0000_0000_0000).prop_map(f64::from_bits),
        prop::sample::select(vec![0.0f64, -0.0, 1.0, 0.5, f64::from_bits(1)]),
    ]
}

fn reference(y: &[bool], p: &[Q]) -> SoftSums<Q> {
    let yq: Vec<Q> = y
        .iter()
        .map(|&b| if b { Q::one() } else { Q::zero() })
        .collect();
    SoftSums::exact(&yq, p)
}

#[test]
fn float_to_q_known_values() {
    assert_eq!(float_to_q(0.5f32), Q::new(1.into(), 2.into()));
    assert_eq!(float_to_q(1.0f64), Q::one());
    assert_eq!(float_to_q(-0.0f32), Q::zero());
    assert_eq!(float_to_q(-0.75f64), Q::new((-3).into(), 4.into()));
    assert_eq!(
        float_to_q(f32::from_bits(1)),
        Q::new(1.into(), BigInt::one() << 149usize)
    );
    assert_eq!(
        float_to_q(f64::from_bits(1)),
        Q::new(1.into(), BigInt::one() << 1074usize)
    );
    // 0.1f32 is 13421773 / 2^27.
    assert_eq!(
        float_to_q(0.1f32),
        Q::new(13_421_773.into(), BigInt::one() << 27usize)
    );
}

proptest! {
    /// The bucketed integer sums equal the sums of the exact rationals.
    #[test]
    fn sums_f32_match_rationals(v in prop::collection::vec((any::<bool>(), unit_f32()), 1..40)) {
        let y: Vec<bool> = v.iter().map(|x| x.0).collect();
        let p: Vec<f32> = v.iter().map(|x| x.1).collect();
        let exact: Vec<Q> = p.iter().map(|&x| float_to_q(x)).collect();
        let got = map_sums(&y, &VoxelData::F32(p), "m.npy").unwrap();
        prop_assert_eq!(got, reference(&y, &exact));
    }

    #[test]
    fn sums_f64_match_rationals(v in prop::collection::vec((any::<bool>(), unit_f64()), 1..40)) {
        let y: Vec<bool> = v.iter().map(|x| x.0).collect();
        let p: Vec<f64> = v.iter().map(|x| x.1).collect();
        let exact: Vec<Q> = p.iter().map(|&x| float_to_q(x)).collect();
        let got = map_sums(&y, &VoxelData::F64(p), "m.npy").unwrap();
        prop_assert_eq!(got, reference(&y, &exact));
    }

    /// The map path of Lovász-Jaccard equals the crate's rational path (which is
    /// tested against the extension's definition).
    #[test]
    fn lovasz_matches_rational_path(v in prop::collection::vec((any::<bool>(), prop::sample::select(vec![0.0f32, 0.25, 0.5, 0.75, 1.0, 0.1, 0.3])), 1..30)) {
        let y: Vec<bool> = v.iter().map(|x| x.0).collect();
        let p: Vec<f32> = v.iter().map(|x| x.1).collect();
        let errs: Vec<Q> = y.iter().zip(&p).map(|(&b, &x)| {
            let q = float_to_q(x);
            if b { Q::one() - q } else { q }
        }).collect();
        let got = lovasz_jaccard(&y, &VoxelData::F32(p), "m").unwrap();
        prop_assert_eq!(got, lovasz_jaccard_fast(&y, &errs));
    }

    /// Thresholding compares the stored float with the rational exactly.
    #[test]
    fn threshold_is_exact(num in 0u32..=30, den in 1u32..=30, p in prop::collection::vec(unit_f32(), 1..30)) {
        prop_assume!(num <= den);
        let t = Q::new(num.into(), den.into());
        let mask = threshold_map(&VoxelData::F32(p.clone()), &t, "m").unwrap();
        let want: Vec<bool> = p.iter().map(|&x| float_to_q(x) >= t).collect();
        prop_assert_eq!(&mask, &want);
        let p64: Vec<f64> = p.iter().map(|&x| f64::from(x)).collect();
        prop_assert_eq!(threshold_map(&VoxelData::F64(p64), &t, "m").unwrap(), want);
    }

    /// Per-class sums equal the sums of the one-hot vectors, in both memory orders.
    #[test]
    fn class_sums_match_one_hot(
        (shape, axis, labels, p, c_order) in (prop::collection::vec(1usize..=3, 2..=3), any::<bool>())
            .prop_flat_map(|(shape, c_order)| {
                let n: usize = shape.iter().product();
                let axis = 0..shape.len();
                (Just(shape.clone()), axis, Just(n), Just(c_order))
            })
            .prop_flat_map(|(shape, axis, n, c_order)| {
                let k = shape[axis];
                let spatial = n / k;
                (
                    Just(shape),
                    Just(axis),
                    prop::collection::vec(0i64..(k as i64 + 1), spatial),
                    prop::collection::vec(unit_f32(), n),
                    Just(c_order),
                )
            })
    ) {
        let layout = ChannelLayout::new(&shape, axis, c_order).unwrap();
        let data = VoxelData::F32(p.clone());
        for class in 0..layout.channels {
            for ignore in [vec![], vec![0i64]] {
                let got = class_sums(&labels, &data, layout, class, &ignore, "m").unwrap();
                // Reference: walk the multi-index explicitly.
                let mut y = Vec::new();
                let mut pq = Vec::new();
                let spatial: Vec<usize> = shape.iter().enumerate().filter(|&(k, _)| k != axis).map(|(_, &d)| d).collect();
                let ns: usize = spatial.iter().product();
                for (s, &label) in labels.iter().enumerate().take(ns) {
                    // s is the linear spatial index in the held order.
                    let idx = unravel(s, &spatial, c_order);
                    let mut full = idx.clone();
                    full.insert(axis, class);
                    let at = ravel(&full, &shape, c_order);
                    if ignore.contains(&label) { continue; }
                    y.push(label == class as i64);
                    pq.push(float_to_q(p[at]));
                }
                prop_assert_eq!(got, reference(&y, &pq));
                let (vy, vp) = class_vectors(&labels, &data, layout, class, &ignore);
                prop_assert_eq!(vy, y);
                prop_assert_eq!(map_to_q(&vp), pq);
            }
        }
    }
}

fn unravel(mut s: usize, shape: &[usize], c_order: bool) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    let axes: Vec<usize> = if c_order {
        (0..shape.len()).rev().collect()
    } else {
        (0..shape.len()).collect()
    };
    for k in axes {
        idx[k] = s % shape[k];
        s /= shape[k];
    }
    idx
}

fn ravel(idx: &[usize], shape: &[usize], c_order: bool) -> usize {
    let axes: Vec<usize> = if c_order {
        (0..shape.len()).collect()
    } else {
        (0..shape.len()).rev().collect()
    };
    axes.iter().fold(0, |acc, &k| acc * shape[k] + idx[k])
}

#[test]
fn bad_values_are_named() {
    let err = map_sums(
        &[false; 3],
        &VoxelData::F32(vec![0.5, f32::NAN, 2.0]),
        "p.npy",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("p.npy") && err.contains("voxel 1") && err.contains("NaN"),
        "{err}"
    );
    let err = map_sums(&[false; 2], &VoxelData::F64(vec![0.5, 1.5]), "p.npy")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("voxel 1 holds 1.5") && err.contains("[0, 1]"),
        "{err}"
    );
    let err = map_sums(&[false; 1], &VoxelData::F64(vec![-1e-300]), "p")
        .unwrap_err()
        .to_string();
    assert!(err.contains("voxel 0 holds -1e-300"), "{err}");
    // -0.0 is the number 0.
    assert!(map_sums(&[true], &VoxelData::F32(vec![-0.0]), "p").is_ok());
    let err = map_sums(&[true], &VoxelData::U8(vec![1]), "p.nii")
        .unwrap_err()
        .to_string();
    assert!(err.contains("uint8") && err.contains("float32"), "{err}");
    let err = map_sums(&[true, false], &VoxelData::F32(vec![0.5]), "p.nii")
        .unwrap_err()
        .to_string();
    assert!(err.contains("1 voxels") && err.contains("has 2"), "{err}");
    assert!(validate_map(&VoxelData::F32(vec![-3.0, 7.5]), MapDomain::Logits, "l").is_ok());
    let err = validate_map(
        &VoxelData::F32(vec![0.0, f32::INFINITY]),
        MapDomain::Logits,
        "l",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("voxel 1") && err.contains("finite"), "{err}");
}

#[test]
fn soft_dice_of_a_small_map_by_hand() {
    // y = 1 1 0 0, p = 1/2 1/4 1/4 0: I = 3/4, Σp = 1, Σy = 2, Dice loss 1 − 1.5/3 = 1/2.
    let s = map_sums(
        &[true, true, false, false],
        &VoxelData::F32(vec![0.5, 0.25, 0.25, 0.0]),
        "m",
    )
    .unwrap();
    let dice = parse_soft("soft-dice").unwrap();
    assert_eq!(
        dice.loss_sums(&s).unwrap(),
        Some(Q::new(1.into(), 2.into()))
    );
    assert_eq!(s.sabs, Q::new(3.into(), 2.into()));
    assert_eq!(s.spp, Q::new(3.into(), 8.into()));
}

#[test]
fn squares_carry_past_128_bits() {
    // (2^53 − 1)² ≈ 2^106 per voxel; 2^23 voxels overflow a u128 bucket.
    let v = 1.0 - f64::EPSILON / 2.0; // (2^53 − 1)/2^53
    let n = 1usize << 23;
    let s = map_sums(&vec![false; n], &VoxelData::F64(vec![v; n]), "m").unwrap();
    let q = float_to_q(v);
    assert_eq!(s.spp, &q * &q * Q::from_integer(BigInt::from(n)));
    assert_eq!(s.sp, q * Q::from_integer(BigInt::from(n)));
}

#[test]
fn parallel_chunks_sum_like_one_sequential_pass() {
    // More than two chunks, with every kind of value, against a single-threaded
    // accumulation of the same voxels: the merge of per-chunk buckets (carries of
    // Σm² included) loses nothing.
    let n = 2 * CHUNK + 1234;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let p: Vec<f64> = (0..n)
        .map(|i| match i % 5 {
            0 => 1.0,
            1 => f64::from_bits(next() % 0x3ff0_0000_0000_0000),
            2 => 1.0 - f64::EPSILON / 2.0,
            3 => f64::from_bits(1 + next() % 1000),
            _ => (next() % 1000) as f64 / 1000.0,
        })
        .collect();
    let y: Vec<u8> = (0..n)
        .map(|i| u8::from(next() % 3 == 0 || i % 7 == 0))
        .collect();
    let mut seq = Buckets::new(<f64 as MapFloat>::BUCKETS);
    for (&yi, &pi) in y.iter().zip(&p) {
        seq.push(yi != 0, pi);
    }
    let want = seq.finish(<f64 as MapFloat>::OFFSET);
    assert_eq!(hard_label_sums(&y, |v| v != 0, &p), want);
    assert_eq!(want.n, n as u64);
}
