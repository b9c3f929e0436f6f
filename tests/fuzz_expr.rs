//! Fuzzing the `expr:` and `soft-expr:` parsers without cargo-fuzz (which needs a
//! nightly toolchain): a grammar-aware generator and an arbitrary-bytes generator,
//! each feeding ≥ 10⁶ inputs per parser, with no panic allowed. Run with
//!
//! ```text
//! cargo test --release --test fuzz_expr -- --ignored --nocapture
//! ```
//!
//! Parsed formulas are also evaluated (exact and f64 paths) on a few
//! configurations, so the evaluator sees the same inputs. Every crash found
//! becomes a case in `regressions` below, which runs in the normal suite.

use std::time::Instant;

use diceproof::counts::Counts;
use diceproof::exact::parse_rational;
use diceproof::measures::expr::{parse_expr, CountExpr, CountVar, SumVar, Variable};
use diceproof::measures::CountMeasure;
use diceproof::surrogates::soft::parse_soft;
use diceproof::surrogates::sums::SoftSums;
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

const TOKENS: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "^",
    "(",
    ")",
    ",",
    " ",
    "min(",
    "max(",
    "abs(",
    "sqrt(",
    "ln(",
    "0",
    "1",
    "2",
    "7",
    "0.3",
    "1e-5",
    "3/10",
    "1e400",
    "64",
    "-1",
    "99999999999999999999",
    ".",
    "e",
    "é",
    "\u{0}",
    "tp",
    "fp",
    "fn",
    "tn",
    "n",
    "spy",
    "sp",
    "sy",
    "spp",
    "syy",
    "sabs",
    "x",
];

fn pick<'a>(rng: &mut TestRng, v: &[&'a str]) -> &'a str {
    v[(rng.next_u32() as usize) % v.len()]
}

/// A mostly well-formed formula over `V`, mutated now and then.
fn grammar<V: Variable>(rng: &mut TestRng, depth: u32, out: &mut String) {
    let r = rng.next_u32() % 100;
    if depth == 0 || r < 30 {
        if rng.next_u32() % 2 == 0 {
            out.push_str(V::ALL[(rng.next_u32() as usize) % V::ALL.len()].0);
        } else {
            out.push_str(pick(rng, &["0", "1", "2", "3/10", "0.5", "1e-5", "12"]));
        }
    } else if r < 60 {
        grammar::<V>(rng, depth - 1, out);
        out.push_str(pick(rng, &["+", "-", "*", "/", " + ", "/"]));
        grammar::<V>(rng, depth - 1, out);
    } else if r < 70 {
        out.push('(');
        grammar::<V>(rng, depth - 1, out);
        out.push(')');
        out.push_str(pick(rng, &["", "", "^2", "^-1", "^0", "^3"]));
    } else if r < 80 {
        out.push_str(pick(rng, &["min(", "max("]));
        grammar::<V>(rng, depth - 1, out);
        out.push(',');
        grammar::<V>(rng, depth - 1, out);
        out.push(')');
    } else if r < 90 {
        out.push_str(pick(rng, &["abs(", "sqrt(", "ln(", "-"]));
        grammar::<V>(rng, depth - 1, out);
        if !out.ends_with('-') {
            out.push(')');
        }
    } else {
        // A mutation: any token at all.
        out.push_str(pick(rng, TOKENS));
    }
}

fn bytes(rng: &mut TestRng) -> String {
    let len = (rng.next_u32() % 40) as usize;
    let mut b = Vec::with_capacity(len);
    for _ in 0..len {
        if rng.next_u32() % 3 == 0 {
            b.extend_from_slice(pick(rng, TOKENS).as_bytes());
        } else {
            b.push((rng.next_u32() % 256) as u8);
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn configurations() -> Vec<Counts> {
    vec![
        Counts::new(0, 0, 0, 0).unwrap(),
        Counts::new(0, 0, 0, 3).unwrap(),
        Counts::new(1, 2, 3, 4).unwrap(),
        Counts::new(u64::MAX / 8, 1, 0, 5).unwrap(),
    ]
}

/// Parses and evaluates one input through both families; must never panic.
fn exercise(text: &str, evaluate: bool) -> (bool, bool) {
    let counts = parse_expr::<CountVar>(text);
    let sums = parse_expr::<SumVar>(text);
    if evaluate {
        if let Ok(e) = &counts {
            let m = CountExpr::from_expr(e.clone());
            for c in configurations() {
                let _ = m.loss_exact(&c);
                let _ = m.loss_float(&c);
                let _ = m.eval_certified(&c, 64);
            }
        }
        if sums.is_ok() {
            if let Ok(l) = parse_soft(&format!("soft-expr:{text}")) {
                let half = parse_rational("1/2").unwrap();
                let y = [half.clone(), parse_rational("0").unwrap()];
                let p = [parse_rational("1").unwrap(), half];
                let _ = l.loss(&y, &p);
                let _ = l.loss_f64(&[1.0, 0.0], &[0.5, 0.5]);
                let _ = l.loss_sums(&SoftSums::exact(&y, &p));
            }
        }
    }
    (counts.is_ok(), sums.is_ok())
}

#[test]
#[ignore = "a million inputs per parser and generator: run on demand, in release"]
fn fuzz_expr_parsers() {
    let per_generator = 1_000_000;
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[14; 32]);
    let start = Instant::now();
    let mut ok = [0usize; 4];
    for i in 0..per_generator {
        let mut f = String::new();
        if i % 2 == 0 {
            grammar::<CountVar>(&mut rng, 6, &mut f);
        } else {
            grammar::<SumVar>(&mut rng, 6, &mut f);
        }
        let (a, b) = exercise(&f, i % 10 == 0);
        ok[0] += usize::from(a);
        ok[1] += usize::from(b);
    }
    let grammar_time = start.elapsed();
    let start = Instant::now();
    for _ in 0..per_generator {
        let (a, b) = exercise(&bytes(&mut rng), true);
        ok[2] += usize::from(a);
        ok[3] += usize::from(b);
    }
    eprintln!(
        "fuzz_expr: {per_generator} grammar-aware inputs in {grammar_time:.1?} (parsed: expr {}, soft-expr {}), \
         {per_generator} arbitrary-byte inputs in {:.1?} (parsed: expr {}, soft-expr {}); each input goes \
         through both parsers: {} parses, no panic",
        ok[0],
        ok[1],
        start.elapsed(),
        ok[2],
        ok[3],
        4 * per_generator
    );
}

#[test]
fn regressions() {
    // Inputs that once crashed, or that stress the limits (deep nesting, huge
    // exponents and numbers, non-ASCII bytes, NUL).
    let deep = "(".repeat(5000) + "tp" + &")".repeat(5000);
    let neg = "-".repeat(5000) + "tp";
    for text in [
        deep.as_str(),
        neg.as_str(),
        "tp^99999999999999999999",
        "tp^-2147483648",
        "1e999999999999",
        "((((tp^64)^64)^64)^64)",
        "é",
        "\u{0}",
        "tp/",
        "min(",
        "max(tp,",
        "1e",
        "1e-",
        ".",
        "tp^",
        "tp^-",
        "abs()",
        "sqrt(-1)",
        "ln(0)",
        "0/0",
        "1/0",
        "(0)^-1",
        "99999999999999999999999999999999999999999*99999999999999999999999999999999999",
    ] {
        exercise(text, true);
    }
}
