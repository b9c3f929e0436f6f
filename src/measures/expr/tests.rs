use proptest::prelude::*;

use super::*;
use crate::counts::Counts;
use crate::exact::parse_rational;
use crate::measures::{parse_measure, EmptyPolicy, Value};

fn q(s: &str) -> Q {
    parse_rational(s).expect("number")
}

fn loss(spec: &str, c: &Counts) -> Result<Value, crate::Error> {
    parse_measure(spec)
        .unwrap_or_else(|e| panic!("{spec}: {e}"))
        .loss(c, EmptyPolicy::One)
}

#[test]
fn expr_dice_is_dice_on_every_configuration_up_to_10_voxels() {
    let pairs = [
        ("expr:(fp+fn)/(2*tp+fp+fn)", "dice"),
        ("expr:(fp+fn)/(tp+fp+fn)", "jaccard"),
        ("expr:1-tp/(tp+0.3*fp+0.7*fn)", "tversky:a=3/10,b=7/10"),
        ("expr:(fp+fn)/n", "hamming"),
    ];
    let (e, b): (Vec<_>, Vec<_>) = pairs
        .iter()
        .map(|(e, b)| (parse_measure(e).unwrap(), parse_measure(b).unwrap()))
        .unzip();
    let mut seen = 0;
    for n in 0..=10u64 {
        for tp in 0..=n {
            for fp in 0..=n - tp {
                for fn_ in 0..=n - tp - fp {
                    let c = Counts::new(tp, fp, fn_, n - tp - fp - fn_).unwrap();
                    for (x, y) in e.iter().zip(&b) {
                        for policy in [EmptyPolicy::One, EmptyPolicy::Zero, EmptyPolicy::Nan] {
                            assert_eq!(
                                x.loss(&c, policy).unwrap(),
                                y.loss(&c, policy).unwrap(),
                                "{c:?}"
                            );
                        }
                        assert_eq!(x.loss_raw(&c), y.loss_raw(&c));
                        assert_eq!(x.loss_big_only(&c), y.loss_big_only(&c));
                    }
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, 1001); // C(14, 4): every (tp, fp, fn, tn) with n ≤ 10
}

#[test]
fn smoothing_negative_values_and_functions() {
    let c = Counts::new(1, 1, 1, 1).unwrap();
    let v = |s| loss(s, &c).unwrap();
    assert_eq!(v("expr:(fp+fn)/(2*tp+fp+fn+1)"), Value::Exact(q("2/5")));
    assert_eq!(v("expr:tp-fp-fn"), Value::Exact(q("-1")));
    assert_eq!(v("expr:-2^2"), Value::Exact(q("-4")));
    assert_eq!(v("expr:(-2)^2"), Value::Exact(q("4")));
    assert_eq!(v("expr:(tp+1)^-2"), Value::Exact(q("1/4")));
    assert_eq!(
        v("expr:min(tp,fp/2)+max(fn,3/10)+abs(tp-2*fp)"),
        Value::Exact(q("5/2"))
    );
    assert_eq!(
        v("expr:1e-5*n + 0.3"),
        Value::Exact(q("3/10") + q("4/100000"))
    );
    // Left associativity of - and /.
    assert_eq!(v("expr:8-4-2"), Value::Exact(q("2")));
    assert_eq!(v("expr:8/4/2"), Value::Exact(q("1")));
    // Similarity is 1 − loss even for a negative loss.
    let m = parse_measure("expr:tp-fp-fn").unwrap();
    assert_eq!(
        m.similarity(&c, EmptyPolicy::One).unwrap(),
        Value::Exact(q("2"))
    );
    // The f64 path agrees.
    assert_eq!(m.loss_f64(&c, EmptyPolicy::One), -1.0);
}

#[test]
fn zero_over_zero_takes_the_policy_and_nonzero_over_zero_is_an_error() {
    let empty = Counts::new(0, 0, 0, 5).unwrap();
    let m = parse_measure("expr:(fp+fn)/(2*tp+fp+fn) + tn").unwrap();
    // The whole loss takes the policy's value, not just the quotient.
    assert_eq!(
        m.loss(&empty, EmptyPolicy::One).unwrap(),
        Value::Exact(q("0"))
    );
    assert_eq!(
        m.loss(&empty, EmptyPolicy::Zero).unwrap(),
        Value::Exact(q("1"))
    );
    assert_eq!(m.loss(&empty, EmptyPolicy::Nan).unwrap(), Value::NaN);
    assert!(m.loss(&empty, EmptyPolicy::Error).is_err());
    assert!(m.loss_f64(&empty, EmptyPolicy::Zero) == 1.0);
    let m = parse_measure("expr:fp/tp").unwrap();
    let c = Counts::new(0, 2, 0, 2).unwrap();
    let err = m.loss(&c, EmptyPolicy::One).unwrap_err().to_string();
    assert!(
        err.contains("divided by zero") && err.contains("tp=0 fp=2 fn=0 tn=2"),
        "{err}"
    );
    assert_eq!(m.loss_raw(&c), None);
    assert!(m.loss_f64(&c, EmptyPolicy::One).is_nan());
    // A negative power of zero divides 1 by 0.
    let err = loss("expr:tp^-1", &c).unwrap_err().to_string();
    assert!(err.contains("divided by zero"), "{err}");
    // 0^0 is 1.
    assert_eq!(loss("expr:tp^0", &c).unwrap(), Value::Exact(q("1")));
}

#[test]
fn parse_errors_point_at_the_character() {
    for (formula, needle, caret_col) in [
        ("tq+1", "unknown variable `tq`", 0),
        ("(fp+fn/(2*tp", "this `(` is never closed", 7),
        ("tp^2.5", "exponent must be an integer", 4),
        ("fp+fn)", "this `)` has no matching `(`", 5),
        ("fp fn", "unexpected `f` after a complete formula", 3),
        ("fp/", "the formula ends where a value is expected", 3),
        ("2*+3", "a value is expected, found `+`", 2),
        ("tp^x", "exponent must be an integer literal", 3),
        ("tp^2^3", "chained powers", 4),
        ("tp^100", "above the 64 accepted", 3),
        ("sqrt tp", "needs parentheses", 0),
        ("foo(tp)", "unknown function `foo`", 0),
        ("min(tp)", "min takes 2 arguments, given 1", 0),
        ("1.2.3", "is not a number", 0),
        ("", "the formula is empty", 0),
        ("tp$", "unexpected `$`", 2),
        ("fp/(tp-tp+0)", "", 0),
        ("fp/(2-2)", "division by a constant that is zero", 2),
        ("((tp^64)^64)^64", "degree", 0),
    ] {
        if needle.is_empty() {
            // A divisor that is zero only at some configurations is a runtime matter.
            assert!(parse_expr::<CountVar>(formula).is_ok(), "{formula}");
            continue;
        }
        let err = parse_expr::<CountVar>(formula).unwrap_err().to_string();
        assert!(err.contains(needle), "{formula:?}: {err}");
        if needle != "degree" {
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 3, "{err}");
            assert_eq!(lines[1], format!("  expr:{formula}"));
            assert_eq!(
                lines[2],
                format!("  {}^", " ".repeat(5 + caret_col)),
                "{formula:?}: {err}"
            );
        }
    }
    let err = parse_expr::<SumVar>("spy/tp").unwrap_err().to_string();
    assert!(
        err.contains("soft-expr formulas know spy, sp, sy, spp, syy, sabs, n"),
        "{err}"
    );
    // Non-ASCII junk: the caret counts characters.
    let err = parse_expr::<CountVar>("tp+é").unwrap_err().to_string();
    assert!(err.ends_with("  expr:tp+é\n          ^"), "{err}");
}

#[test]
fn irrational_functions_are_refused_outside_search() {
    let err = parse_measure("expr:sqrt(tp)").unwrap_err().to_string();
    assert!(err.contains("only `search`"), "{err}");
    let e = CountExpr::parse("sqrt(tp)/ln(n)", true).unwrap();
    let c = Counts::new(4, 0, 0, 4).unwrap();
    match e.certified(&c, 128).unwrap() {
        Some(Err(i)) => {
            let want = 2.0 / 8f64.ln();
            let (lo, hi) = i.to_f64_bounds();
            assert!(lo <= want && want <= hi, "{i}");
        }
        other => panic!("expected an interval, got {other:?}"),
    }
    // √4 and ln 1 stay exact.
    let e = CountExpr::parse("sqrt(tp)+ln(n-7)", true).unwrap();
    assert!(matches!(e.certified(&c, 64).unwrap(), Some(Ok(v)) if v == q("2")));
    let e = CountExpr::parse("ln(fp)", true).unwrap();
    assert!(e.certified(&c, 64).is_err());
}

fn count_expr() -> impl Strategy<Value = Expr<CountVar>> {
    let leaf = prop_oneof![
        (0u32..20, 1u32..5).prop_map(|(a, b)| Expr::Num(Q::new(a.into(), b.into()))),
        prop::sample::select(vec![
            CountVar::Tp,
            CountVar::Fp,
            CountVar::Fn,
            CountVar::Tn,
            CountVar::N
        ])
        .prop_map(Expr::Var),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| Expr::Neg(Box::new(a))),
            (
                prop::sample::select(vec![Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Min, Op::Max]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(o, a, b)| Expr::Bin(o, Box::new(a), Box::new(b))),
            (inner.clone(), -3i32..4).prop_map(|(a, k)| Expr::Pow(Box::new(a), k)),
            inner.prop_map(|a| Expr::Call(Func::Abs, Box::new(a))),
        ]
    })
}

proptest! {
    /// The checked-i128, exact-rational and f64 paths agree, and the printed
    /// formula parses back to the same values.
    #[test]
    fn paths_agree_and_printing_round_trips(
        e in count_expr(),
        tp in 0u64..6, fp in 0u64..6, fn_ in 0u64..6, tn in 0u64..6,
    ) {
        let c = Counts::new(tp, fp, fn_, tn).unwrap();
        let m = CountExpr::from_expr(e.clone());
        let exact = m.eval_q(&c);
        match m.eval_small(&c) {
            Err(Stop::Overflow) => {}
            small => prop_assert_eq!(small.map(|s| s.to_q()), exact.clone()),
        }
        if let Ok(v) = &exact {
            let f = m.eval_f64(&c).unwrap();
            let want = crate::exact::q_to_f64(v);
            prop_assert!((f - want).abs() <= 1e-9 * want.abs().max(1.0) || !f.is_finite(), "{} vs {}", f, want);
        }
        let text = e.to_string();
        let back = match parse_expr::<CountVar>(&text) {
            Ok(back) => back,
            // The generator can build a division by the constant 0, which the parser
            // refuses on purpose (it would be 0/0 or an error on every image).
            Err(err) if err.to_string().contains("division by a constant that is zero") => {
                return Ok(());
            }
            Err(err) => panic!("{text}: {err}"),
        };
        prop_assert_eq!(back.to_string(), text.clone());
        let m2 = CountExpr::from_expr(back);
        prop_assert_eq!(m2.eval_q(&c), exact);
    }

    /// Large counts take the big path and still equal the built-in.
    #[test]
    fn big_counts_fall_back_exactly(tp in 0u64..1u64 << 62, fp in 0u64..1u64 << 62, fn_ in 0u64..1u64 << 62) {
        let c = Counts::new(tp, fp, fn_, 0).unwrap();
        let e = parse_measure("expr:(fp+fn)^2/(2*tp+fp+fn)^2").unwrap();
        let d = parse_measure("dice").unwrap();
        let dv = d.loss_raw(&c).map(|v| &v * &v);
        prop_assert_eq!(e.loss_raw(&c), dv);
    }
}
