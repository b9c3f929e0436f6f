//! Laws and identities of the built-in measures, on random counts.

use super::*;
use crate::exact::parse_rational;
use num_traits::{ToPrimitive, Zero};
use proptest::prelude::*;

fn m(spec: &str) -> Measure {
    parse_measure(spec).unwrap()
}

fn q(s: &str) -> Q {
    parse_rational(s).unwrap()
}

fn exact(v: Value) -> Q {
    v.exact().cloned().expect("defined")
}

/// Counts with a total that fits in u64: small ones most of the time, and huge ones
/// that force the u128 path to overflow for parametrised measures.
fn counts() -> impl Strategy<Value = Counts> {
    let small = (0u64..50, 0u64..50, 0u64..50, 0u64..50);
    let huge = (
        0u64..(1 << 61),
        0u64..(1 << 61),
        0u64..(1 << 61),
        0u64..(1 << 61),
    );
    prop_oneof![small, huge].prop_map(|(a, b, c, d)| Counts::new(a, b, c, d).unwrap())
}

fn spec_strategy() -> impl Strategy<Value = String> {
    let frac = (0u64..40, 1u64..40).prop_map(|(p, q)| format!("{p}/{q}"));
    let unit = (0u64..=40).prop_map(|p| format!("{p}/40"));
    prop_oneof![
        Just("dice".to_string()),
        Just("jaccard".to_string()),
        Just("hamming".to_string()),
        Just("whamming:balanced".to_string()),
        Just("whamming:gdice".to_string()),
        Just("whamming:medfreq,fg=1/50,bg=49/50".to_string()),
        unit.prop_map(|w| format!("whamming:w={w}")),
        (frac.clone(), frac)
            .prop_filter("not both zero", |(a, b)| !(a.starts_with("0/")
                && b.starts_with("0/")))
            .prop_map(|(a, b)| format!("tversky:a={a},b={b}")),
        // Large parameters push the wide path into overflow on huge counts.
        Just("tversky:a=123456789012345678901/7,b=3/99999999999999999999".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn jaccard_is_a_function_of_dice(c in counts()) {
        let pol = EmptyPolicy::One;
        let d = exact(m("dice").similarity(&c, pol).unwrap());
        let j = exact(m("jaccard").similarity(&c, pol).unwrap());
        let two = Q::from_integer(2.into());
        prop_assert_eq!(j.clone(), &d / (&two - &d));
        let (ld, lj) = (Q::one() - &d, Q::one() - &j);
        prop_assert_eq!(lj, &two * &ld / (Q::one() + &ld));
    }

    #[test]
    fn tversky_specialises_to_dice_and_jaccard(c in counts()) {
        for pol in [EmptyPolicy::One, EmptyPolicy::Zero, EmptyPolicy::Nan] {
            prop_assert_eq!(
                m("tversky:a=1/2,b=1/2").loss(&c, pol).unwrap(),
                m("dice").loss(&c, pol).unwrap()
            );
            prop_assert_eq!(
                m("tversky:a=1,b=1").loss(&c, pol).unwrap(),
                m("jaccard").loss(&c, pol).unwrap()
            );
        }
    }

    #[test]
    fn every_loss_lies_in_the_unit_interval(spec in spec_strategy(), c in counts()) {
        let meas = m(&spec);
        for pol in [EmptyPolicy::One, EmptyPolicy::Zero] {
            let l = exact(meas.loss(&c, pol).unwrap());
            prop_assert!(l >= Q::zero() && l <= Q::one(), "{} at {:?}: {}", spec, c, l);
        }
    }

    #[test]
    fn fast_path_equals_big_path(spec in spec_strategy(), c in counts()) {
        let meas = m(&spec);
        let wide = meas.counts().loss_wide(&c);
        let big = meas.loss_big_only(&c);
        if let Some((n, d)) = wide.parts() {
            let fast = if d == 0 { None } else { Some(q_from_u128(n, d)) };
            prop_assert_eq!(fast, big.clone());
        }
        // The public entry point agrees with the big path whether or not it overflowed.
        prop_assert_eq!(meas.loss_raw(&c), big);
    }

    #[test]
    fn f64_path_is_within_1e_12_of_exact(spec in spec_strategy(), c in counts()) {
        let meas = m(&spec);
        let exact_v = exact(meas.loss(&c, EmptyPolicy::One).unwrap()).to_f64().unwrap();
        let float_v = meas.loss_f64(&c, EmptyPolicy::One);
        prop_assert!((exact_v - float_v).abs() <= 1e-12, "{}: {} vs {}", spec, exact_v, float_v);
    }

    #[test]
    fn specs_round_trip(spec in spec_strategy()) {
        let canon = m(&spec).spec();
        prop_assert_eq!(m(&canon).spec(), canon);
    }

    #[test]
    fn half_weighted_hamming_is_half_hamming(c in counts()) {
        prop_assume!(c.n() > 0);
        let h = exact(m("hamming").loss(&c, EmptyPolicy::One).unwrap());
        let w = exact(m("whamming:w=1/2").loss(&c, EmptyPolicy::One).unwrap());
        prop_assert_eq!(w, h / Q::from_integer(2.into()));
    }
}

#[test]
fn worked_example() {
    // y = 1100, ŷ = 1010: TP 1, FP 1, FN 1, TN 1.
    let c = Counts::new(1, 1, 1, 1).unwrap();
    let pol = EmptyPolicy::One;
    assert_eq!(exact(m("dice").loss(&c, pol).unwrap()), q("1/2"));
    assert_eq!(exact(m("jaccard").loss(&c, pol).unwrap()), q("2/3"));
    assert_eq!(exact(m("hamming").loss(&c, pol).unwrap()), q("1/2"));
    assert_eq!(
        exact(m("tversky:a=3/10,b=7/10").loss(&c, pol).unwrap()),
        q("1/2")
    );
    assert_eq!(exact(m("whamming:w=1/4").loss(&c, pol).unwrap()), q("1/4"));
    assert_eq!(
        exact(m("whamming:balanced").loss(&c, pol).unwrap()),
        q("1/2")
    );
    // Tversky is asymmetric: a weights FP.
    let c = Counts::new(2, 1, 0, 1).unwrap();
    assert_eq!(exact(m("tversky:a=1,b=0").loss(&c, pol).unwrap()), q("1/3"));
    assert_eq!(exact(m("tversky:a=0,b=1").loss(&c, pol).unwrap()), q("0"));
}

#[test]
fn balanced_hamming_drops_terms_over_empty_classes() {
    let pol = EmptyPolicy::One;
    // No foreground: FP/(2n).
    let c = Counts::new(0, 3, 0, 1).unwrap();
    assert_eq!(
        exact(m("whamming:balanced").loss(&c, pol).unwrap()),
        q("3/8")
    );
    // No background: FN/(2n).
    let c = Counts::new(1, 0, 3, 0).unwrap();
    assert_eq!(
        exact(m("whamming:balanced").loss(&c, pol).unwrap()),
        q("3/8")
    );
}

#[test]
fn empty_policy_decides_every_0_over_0() {
    let c = Counts::new(0, 0, 0, 5).unwrap();
    let d = m("dice");
    assert_eq!(
        d.similarity(&c, EmptyPolicy::One).unwrap(),
        Value::Exact(Q::one())
    );
    assert_eq!(
        d.loss(&c, EmptyPolicy::One).unwrap(),
        Value::Exact(Q::zero())
    );
    assert_eq!(
        d.similarity(&c, EmptyPolicy::Zero).unwrap(),
        Value::Exact(Q::zero())
    );
    assert_eq!(
        d.loss(&c, EmptyPolicy::Zero).unwrap(),
        Value::Exact(Q::one())
    );
    assert_eq!(d.loss(&c, EmptyPolicy::Nan).unwrap(), Value::NaN);
    assert!(d.loss_f64(&c, EmptyPolicy::Nan).is_nan());
    let err = d.loss(&c, EmptyPolicy::Error).unwrap_err().to_string();
    assert!(
        err.contains("dice is 0/0") && err.contains("both masks are empty"),
        "{err}"
    );
    // Hamming is only 0/0 on zero voxels.
    let c = Counts::new(0, 0, 0, 0).unwrap();
    assert!(m("hamming").loss(&c, EmptyPolicy::Error).is_err());
    assert!(m("hamming")
        .loss(&Counts::new(0, 0, 0, 1).unwrap(), EmptyPolicy::Error)
        .is_ok());
    assert_eq!("NaN".parse::<EmptyPolicy>().unwrap(), EmptyPolicy::Nan);
    assert!("eps"
        .parse::<EmptyPolicy>()
        .unwrap_err()
        .to_string()
        .contains("one (default), zero, nan, error"));
}

#[test]
fn bad_specs_say_what_is_valid() {
    let err = parse_measure("dicee").unwrap_err().to_string();
    assert!(
        err.contains("unknown measure") && err.contains("tversky:a=P/Q,b=P/Q"),
        "{err}"
    );
    let err = parse_measure("tversky:a=1/2").unwrap_err().to_string();
    assert!(err.contains("missing b"), "{err}");
    let err = parse_measure("tversky:a=1/2,b=1/2,c=1")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unexpected argument \"c\""), "{err}");
    let err = parse_measure("whamming:w=3/2").unwrap_err().to_string();
    assert!(err.contains("[0, 1]"), "{err}");
    let err = parse_measure("whamming:w=abc").unwrap_err().to_string();
    assert!(err.contains("cannot read"), "{err}");
    let err = parse_measure("dice:x=1").unwrap_err().to_string();
    assert!(err.contains("unexpected argument"), "{err}");
    let err = parse_measure("tversky:a=0,b=0").unwrap_err().to_string();
    assert!(err.contains("at least one positive weight"), "{err}");
    let err = parse_measure("tversky:a=1,a=2").unwrap_err().to_string();
    assert!(err.contains("twice"), "{err}");
    assert!(parse_measure("tversky:a=-1,b=1").is_err());
    // Decimals are exact and canonicalised.
    assert_eq!(
        m("tversky:alpha=0.3,beta=0.7").spec(),
        "tversky:a=3/10,b=7/10"
    );
    assert_eq!(m("IoU").spec(), "jaccard");
}

#[test]
fn huge_counts_fall_back_to_big_integers() {
    let c = Counts::new(u64::MAX / 4, u64::MAX / 4, u64::MAX / 4, 0).unwrap();
    let t = m("tversky:a=123456789012345678901/7,b=3/99999999999999999999");
    assert!(
        t.counts().loss_wide(&c).parts().is_none(),
        "expected overflow"
    );
    assert!(t.loss_raw(&c).is_some());
    assert!(!num_traits::Zero::is_zero(&t.counts().loss_big(&c).den));
}
