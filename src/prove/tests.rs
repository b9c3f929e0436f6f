//! The translation is tested, not trusted: every emitted loss term, evaluated
//! exactly by [`Term::eval`], equals the exact engine on every configuration up to
//! a size and on random large ones, for every rational spec and empty policy.

use proptest::prelude::*;

use super::encode::{count_names, encode};
use super::term::{Env, Val};
use super::*;
use crate::measures::parse_measure;

const SPECS: [&str; 12] = [
    "dice",
    "jaccard",
    "tversky:a=3/10,b=7/10",
    "tversky:a=2,b=0",
    "hamming",
    "whamming:w=0",
    "whamming:w=1/3",
    "whamming:w=1",
    "whamming:balanced",
    "whamming:gdice",
    "whamming:medfreq,fg=1/10,bg=9/10",
    "f1",
];

fn env_at(c: &Counts) -> Env {
    let mut env = Env::default();
    for (name, v) in count_names(1).iter().zip([c.tp, c.fp, c.fn_, c.tn]) {
        env.values.insert(name.clone(), Q::from_integer(v.into()));
    }
    env
}

/// Compares the encoded term with the exact engine at one configuration.
fn agrees(
    spec: &str,
    m: &Measure,
    e: &super::encode::Encoded,
    policy: EmptyPolicy,
    c: &Counts,
) -> std::result::Result<(), String> {
    let env = env_at(c);
    let empty = e.empty.eval(&env)? == Val::Bool(true);
    let exact = m.loss(c, policy);
    match (exact, empty, policy) {
        (Ok(crate::measures::Value::Exact(q)), false, _)
        | (Ok(crate::measures::Value::Exact(q)), true, EmptyPolicy::One | EmptyPolicy::Zero) => {
            let got = e.value.eval(&env)?;
            if got != Val::Real(q.clone()) {
                return Err(format!("{spec} {policy} at {c:?}: term {got:?}, exact {q}"));
            }
            // Exactly one case region holds.
            let hits = e
                .regions
                .iter()
                .filter(|r| r.eval(&env) == Ok(Val::Bool(true)))
                .count();
            if hits != 1 {
                return Err(format!("{spec} at {c:?}: {hits} case regions hold"));
            }
            Ok(())
        }
        (Ok(crate::measures::Value::NaN), true, EmptyPolicy::Nan)
        | (Err(_), true, EmptyPolicy::Error) => Ok(()),
        (other, empty, _) => Err(format!(
            "{spec} {policy} at {c:?}: exact {other:?} but the empty condition is {empty}"
        )),
    }
}

#[test]
fn every_term_equals_the_exact_engine_on_every_small_configuration() {
    for spec in SPECS {
        let m = parse_measure(spec).unwrap();
        for (_, policy) in EmptyPolicy::ALL {
            if policy == EmptyPolicy::NanIfGtEmpty {
                assert!(encode(&m, 1, policy).is_err(), "{spec}");
                continue;
            }
            let e = encode(&m, 1, policy).unwrap();
            for n in 1..=7u64 {
                crate::enumerate::count_space::for_each_tuple(n, |c| {
                    agrees(spec, &m, &e, policy, &c).unwrap();
                });
            }
        }
    }
}

proptest! {
    #[test]
    fn every_term_equals_the_exact_engine_on_random_configurations(
        spec in prop::sample::select(SPECS.to_vec()),
        p in 0usize..4,
        tp in prop_oneof![Just(0u64), 0u64..1_000_000],
        fp in prop_oneof![Just(0u64), 0u64..1_000_000],
        fn_ in prop_oneof![Just(0u64), 0u64..1_000_000],
        tn in prop_oneof![Just(0u64), 0u64..1_000_000],
    ) {
        let c = Counts { tp, fp, fn_, tn };
        prop_assume!(c.n() > 0);
        let m = parse_measure(spec).unwrap();
        let policy = EmptyPolicy::ALL[p].1;
        let e = encode(&m, 1, policy).unwrap();
        let r = agrees(spec, &m, &e, policy, &c);
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

#[test]
fn queries_state_the_negated_claim() {
    // At a refuting configuration the negated claim evaluates to true, at a
    // satisfying one to false: the query text means what the claim says.
    let p = Problem {
        target: parse_measure("dice").unwrap(),
        candidate: parse_measure("jaccard").unwrap(),
        claim: Claim::Abs(Q::new(1.into(), 10.into())),
        empty: EmptyPolicy::One,
        nonempty_gt: false,
        min_n: 1,
    };
    let qs = p.queries().unwrap();
    let above = &qs[0].0;
    let holds = |c: Counts| {
        let mut env = above.env();
        env.values = env_at(&c).values;
        above
            .asserts
            .iter()
            .all(|a| a.eval(&env) == Ok(Val::Bool(true)))
    };
    // tp=2, e=3: J − D = 3/5 − 3/7 = 6/35 > 1/10.
    assert!(holds(Counts {
        tp: 2,
        fp: 3,
        fn_: 0,
        tn: 0
    }));
    assert!(witness::violates(
        &p,
        &[Counts {
            tp: 2,
            fp: 3,
            fn_: 0,
            tn: 0
        }]
    ));
    // tp=10, e=1: 1/11 − 1/21 < 1/10.
    assert!(!holds(Counts {
        tp: 10,
        fp: 1,
        fn_: 0,
        tn: 0
    }));
    assert!(!witness::violates(
        &p,
        &[Counts {
            tp: 10,
            fp: 1,
            fn_: 0,
            tn: 0
        }]
    ));
}

/// `prove` sends its queries with denominators cleared: for every rational
/// spec against Dice, every claim form, the fixed-scale lemma and the integer
/// re-query, under two policies, the cleared query is implied by the quotient
/// form everywhere and equal to it on the domain.
#[test]
fn user_queries_clear_faithfully() {
    let q = |n: i64, d: i64| Q::new(n.into(), d.into());
    let mut rng = super::clear::TestRng(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    for spec in SPECS {
        for claim in [
            Claim::Factor(q(3, 2)),
            Claim::Abs(q(1, 10)),
            Claim::Ratio(q(1, 2), q(1, 1)),
        ] {
            for empty in [EmptyPolicy::One, EmptyPolicy::Nan] {
                let p = Problem {
                    target: parse_measure("dice").unwrap(),
                    candidate: parse_measure(spec).unwrap(),
                    claim: claim.clone(),
                    empty,
                    nonempty_gt: spec == "f1",
                    min_n: 1,
                };
                let mut qs = p.queries().unwrap();
                if let Claim::Factor(_) = claim {
                    qs.extend(p.queries_with(Some(&q(5, 7))).unwrap());
                }
                for (query, _) in qs {
                    let name = format!("{spec} {} {empty}", claim.describe());
                    super::clear::assert_faithful(&query, &name, 150, &mut rng);
                    super::clear::assert_faithful(&query.over_integers(), &name, 50, &mut rng);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 12 * 3 * 2 * 2, "{checked} queries");
}
