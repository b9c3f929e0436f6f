//! SMT obligations for the registered claims whose for-all statement is a
//! polynomial inequality: a machine proof for every n, beside the exhaustive check
//! up to n.
//!
//! Each obligation is a list of queries, each the negation of one part of the
//! claim; the claim is proved when every part is unsat. They are committed as
//! `proofs/smt/<claim>.<part>.smt2` (one file per query, so that any solver can be
//! run on any file alone), and a test regenerates them and fails on any
//! difference.
//!
//! Where the terms come from: Dice and Jaccard are encoded from the measures
//! themselves ([`super::encode`]). Claims with *symbolic* parameters (Tversky α, β;
//! weighted Hamming w) or on the relaxed domain (soft Dice and soft Jaccard from
//! the sums I and S) need the weight or the sum as a variable, which no measure
//! spec has, so they are written here, and the tests of this module evaluate them
//! against the exact measures at sample parameters.
//!
//! Where integrality is used it is stated as a hypothesis: on integers a positive
//! error count is at least 1 (`fp + fn >= 1`), and the strict Dice–Jaccard gap
//! uses e² ≠ 2t² (√2 is irrational). Per-n statements keep n = TP + FP + FN + TN
//! symbolic, so one query covers every n.
//!
//! What is committed is each query with its denominators cleared
//! ([`Query::cleared`]): Debian's cvc5 1.0.3 decides polynomial comparisons but
//! not quotients. Where even that is beyond it, a part is split into a lemma and
//! steps (the Dice–Jaccard gap through the square (3 − 2s)(e − st)², Tversky
//! through bounds on A = α·FP + β·FN and one multiplication of inequalities per
//! step); so both z3 and cvc5 decide every part, each in a few seconds at most.
//! A step's assumption is never copied by hand: each step records which part
//! it uses, with which substitution, and which of its assertions are that
//! part's conclusion ([`super::query::Use`]), and [`super::chain::check`]
//! compares them on the term structure; the file headers are generated from
//! the same data.
//!
//! Set-function claims are stated on counts: submodularity of the Jaccard set
//! loss in Venn-region form (diminishing returns of x at A ⊆ B, one part per
//! side of y; each mask's loss is the Jaccard measure's own term, so the empty
//! image is included), and the metric claims through the Steinhaus-transform
//! lemma on the six distances among a, x, y, z, plus the form that makes each
//! loss such a transform (the Jaccard measure on Venn counts; the JML norm
//! form). As one query the triangle times out in cvc5, so it is split into
//! lemmas and a step as for Tversky.
//!
//! Not expressible here (no obligation): claims about logarithms (weighted
//! cross-entropy), sorting (Lovász extension), expectations over 2ⁿ labellings
//! (risk claims).

use super::encode::{count_names, encode};
use super::query::{Query, Sort, Use};
use super::term::Term;
use crate::error::Result;
use crate::exact::Q;
use crate::measures::{parse_measure, EmptyPolicy};

/// The claims that have an SMT obligation.
pub const CLAIMS: [&str; 10] = [
    "dice-jaccard-identity",
    "dice-jaccard-relative",
    "dice-jaccard-absolute",
    "tversky-dice",
    "soft-dice-jaccard",
    "whamming-dice",
    "whamming-jaccard",
    "jaccard-submodular",
    "jaccard-metric",
    "jml-metric",
];

fn q(n: i64, d: i64) -> Term {
    Term::q(&Q::new(n.into(), d.into()))
}

fn v(name: &str) -> Term {
    Term::var(name)
}

/// A query skeleton for part `part` of `claim`.
fn part(claim: &str, name: &str, what: &str) -> Query {
    Query {
        name: name.into(),
        comments: vec![
            format!("diceproof obligation for claim {claim} (proofs/{claim}.md), part {name}"),
            format!("negated: {what}"),
            "unsat proves the part; counts are non-negative reals".into(),
        ],
        decls: vec![],
        defs: vec![],
        asserts: vec![],
        uses: vec![],
        definitions: vec![],
    }
}

/// Declares tp_1 … tn_1 ≥ 0 with n ≥ 1, defines `n`, `e` = FP + FN and the Dice
/// and Jaccard losses from the measures (policy `policy`).
fn counts(qr: &mut Query, policy: EmptyPolicy) -> Result<()> {
    for c in count_names(1) {
        qr.decls.push((c.clone(), Sort::Real));
        qr.asserts.push(v(&c).ge(Term::int(0)));
    }
    let [tp, fp, fn_, tn] = count_names(1).map(Term::var);
    qr.defs
        .push(("n".into(), Term::Add(vec![tp, fp.clone(), fn_.clone(), tn])));
    qr.defs.push(("e".into(), fp.add(fn_)));
    qr.asserts.push(v("n").ge(Term::int(1)));
    for m in ["dice", "jaccard"] {
        let enc = encode(&parse_measure(m)?, 1, policy)?;
        qr.defs.push((m.into(), enc.value));
    }
    Ok(())
}

/// Asserts a hypothesis and returns its index.
fn hyp(qr: &mut Query, t: Term) -> usize {
    qr.asserts.push(t);
    qr.asserts.len() - 1
}

/// Asserts a definition or general fact (not another part's conclusion).
fn define(qr: &mut Query, t: Term) {
    let i = hyp(qr, t);
    qr.definitions.push(i);
}

/// Records that the assertions `assumes` of `qr` are the conclusion of part
/// `used`, read with `subst` (the used part's variables in `qr`'s terms) or
/// `instantiate` (`qr`'s variables in the used part's terms).
fn uses(
    qr: &mut Query,
    used: &str,
    subst: Vec<(&str, Term)>,
    instantiate: Vec<(&str, Term)>,
    assumes: Vec<usize>,
) {
    let own = |m: Vec<(&str, Term)>| m.into_iter().map(|(k, t)| (k.to_string(), t)).collect();
    qr.uses.push(Use {
        part: used.into(),
        subst: own(subst),
        instantiate: own(instantiate),
        assumes,
    });
}

fn real(qr: &mut Query, name: &str) {
    qr.decls.push((name.into(), Sort::Real));
}

/// At least one error (integers: e > 0 ⇒ e ≥ 1).
fn some_error(qr: &mut Query) {
    qr.asserts.push(v("e").ge(Term::int(1)));
    qr.comments
        .push("hypothesis fp + fn >= 1: error-free configurations are skipped, and a positive integer count is at least 1".into());
}

/// Tversky with symbolic weights a (on FP), b (on FN), a, b > 0.
fn tversky(qr: &mut Query) {
    real(qr, "a");
    real(qr, "b");
    qr.asserts.push(v("a").gt(Term::int(0)));
    qr.asserts.push(v("b").gt(Term::int(0)));
    qr.asserts.push(v("e").gt(Term::int(0)));
    qr.comments
        .push("hypothesis fp + fn > 0: error-free configurations are skipped".into());
    let [tp, fp, fn_, _] = count_names(1).map(Term::var);
    let err = v("a").mul(fp).add(v("b").mul(fn_));
    qr.defs
        .push(("tversky".into(), err.clone().div(tp.add(err))));
}

/// Weighted Hamming with symbolic w ∈ [0, 1] on FN, 1 − w on FP, over n.
fn whamming(qr: &mut Query) {
    real(qr, "w");
    qr.asserts.push(v("w").ge(Term::int(0)));
    qr.asserts.push(v("w").le(Term::int(1)));
    let [_, fp, fn_, _] = count_names(1).map(Term::var);
    let num = v("w").mul(fn_).add(Term::int(1).sub(v("w")).mul(fp));
    qr.defs.push(("whamming".into(), num.div(v("n"))));
}

/// The obligation of a claim as run and committed: [`obligation_terms`] with
/// every denominator cleared ([`Query::cleared`]; the purified form,
/// [`Query::purified`], where a term is outside what clearing translates).
pub fn obligation(claim: &str) -> Result<Option<Vec<Query>>> {
    Ok(obligation_terms(claim)?.map(|qs| {
        qs.iter()
            .map(|q| q.cleared().unwrap_or_else(|| q.purified()))
            .collect()
    }))
}

/// The obligation of a claim with its definitions as terms (what the tests
/// evaluate): its queries, or `None` if it has none.
pub fn obligation_terms(claim: &str) -> Result<Option<Vec<Query>>> {
    let one = EmptyPolicy::One;
    let mut parts = Vec::new();
    match claim {
        "dice-jaccard-identity" => {
            for policy in [EmptyPolicy::One, EmptyPolicy::Zero] {
                let what = format!("jaccard != 2*dice/(1 + dice) under --empty {policy}");
                let mut p = part(claim, &format!("empty-{policy}"), &what);
                counts(&mut p, policy)?;
                let rhs = Term::int(2).mul(v("dice")).div(Term::int(1).add(v("dice")));
                p.asserts.push(v("jaccard").eq(rhs).not());
                parts.push(p);
            }
        }
        "dice-jaccard-relative" => {
            let mut p = part(claim, "lower", "jaccard < dice");
            counts(&mut p, one)?;
            p.asserts.push(v("jaccard").lt(v("dice")));
            parts.push(p);
            let mut p = part(claim, "upper", "jaccard > 2*dice");
            counts(&mut p, one)?;
            p.asserts.push(v("jaccard").gt(Term::int(2).mul(v("dice"))));
            parts.push(p);
            let mut p = part(
                claim,
                "sup-per-n",
                "on n voxels jaccard/dice > (2n - 1)/n, i.e. n*jaccard > (2n - 1)*dice",
            );
            counts(&mut p, one)?;
            some_error(&mut p);
            let two_n_1 = Term::int(2).mul(v("n")).sub(Term::int(1));
            p.asserts
                .push(v("n").mul(v("jaccard")).gt(two_n_1.mul(v("dice"))));
            parts.push(p);
        }
        "dice-jaccard-absolute" => {
            let mut p = part(claim, "nonneg", "jaccard - dice < 0");
            counts(&mut p, one)?;
            p.asserts.push(v("jaccard").sub(v("dice")).lt(Term::int(0)));
            parts.push(p);
            // J − D ≤ 3 − 2√2 as a lemma and steps: cvc5 cannot find the square
            // behind the bound, so it is given. With g = e − s·t and s² = 2,
            // (3 − 2s)(t + e)(2t + e) − e·t = (3 − 2s)·g² (bound-square); so the
            // gap exceeds 3 − 2s nowhere (bound), reaches it only where g = 0
            // (strict-tight), and g = 0 means e² = 2t², which no integer
            // configuration with t + e > 0 satisfies as √2 is irrational (strict).
            let t = || v("tp_1");
            let square = || {
                let c = Term::int(3).sub(Term::int(2).mul(v("s")));
                let lhs = c
                    .clone()
                    .mul(t().add(v("e")))
                    .mul(Term::int(2).mul(t()).add(v("e")))
                    .sub(v("e").mul(t()));
                (lhs, c.mul(v("g")).mul(v("g")))
            };
            let root = |p: &mut Query| {
                real(p, "s");
                real(p, "g");
                define(p, v("s").mul(v("s")).eq(Term::int(2)));
                define(p, v("s").gt(Term::int(0)));
                define(p, v("g").eq(v("e").sub(v("s").mul(t()))));
            };
            // The lemma and the last step hold for all reals t, e: stated on two
            // variables (with t = TP, e = FP + FN they are what the steps use).
            let reals = |p: &mut Query| {
                real(p, "tp_1");
                real(p, "e");
                p.comments.push(
                    "for all reals tp_1 and e (the steps use it with e = fp_1 + fn_1)".into(),
                );
            };
            let mut p = part(
                claim,
                "bound-square",
                "(3 - 2s)(t + e)(2t + e) - e*t != (3 - 2s)*g^2 with g = e - s*t, s*s = 2, s > 0",
            );
            reals(&mut p);
            root(&mut p);
            let (lhs, rhs) = square();
            p.asserts.push(lhs.eq(rhs).not());
            parts.push(p);
            for (name, what) in [
                ("bound", "jaccard - dice > 3 - 2*s with s*s = 2, s > 0"),
                (
                    "strict-tight",
                    "jaccard - dice >= 3 - 2*s with s*s = 2, s > 0, and g = e - s*t != 0",
                ),
            ] {
                let mut p = part(claim, name, what);
                counts(&mut p, one)?;
                root(&mut p);
                let (lhs, rhs) = square();
                let i = hyp(&mut p, lhs.eq(rhs));
                uses(
                    &mut p,
                    "bound-square",
                    vec![("e", v("fp_1").add(v("fn_1")))],
                    vec![],
                    vec![i],
                );
                let bound = Term::int(3).sub(Term::int(2).mul(v("s")));
                let gap = v("jaccard").sub(v("dice"));
                if name == "bound" {
                    p.asserts.push(gap.gt(bound));
                } else {
                    p.asserts.push(v("g").eq(Term::int(0)).not());
                    p.asserts.push(gap.ge(bound));
                }
                parts.push(p);
            }
            let mut p = part(
                claim,
                "strict",
                "g = e - s*t = 0 with s*s = 2 on a configuration with e^2 != 2 t^2",
            );
            reals(&mut p);
            root(&mut p);
            define(
                &mut p,
                v("e").mul(v("e")).eq(Term::int(2).mul(t()).mul(t())).not(),
            );
            p.comments.push(
                "hypothesis e^2 != 2 t^2: true on integers with t + e > 0, since sqrt 2 is irrational; with strict-tight, J - D < 3 - 2 sqrt 2 there"
                    .into(),
            );
            p.asserts.push(v("g").eq(Term::int(0)));
            parts.push(p);
        }
        "tversky-dice" => {
            // Tversky T = A/(t + A) with the weighted error A = a*FP + b*FN. A
            // lemma per order of the weights (per-n-lemma: 0 < A and m*e <= A <=
            // M*e with m = min(a, b), M = max(a, b)), then steps that use only A,
            // one weight w and the counts, so they hold for either order; each
            // step is read with A and w as the lemma's (M := b where a <= b).
            // As single queries the per-n extremes time out (z3 at 120 s, cvc5
            // at any budget); cvc5 needs each multiplication of inequalities as
            // a step.
            let cases = [("a-le-b", "a", "b"), ("a-gt-b", "b", "a")];
            for (case, m, big) in cases {
                let mut p = part(
                    claim,
                    &format!("per-n-lemma.{case}"),
                    "not (0 < A and m*e <= A <= M*e) for A = a*fp + b*fn, m = min(a, b), M = max(a, b)",
                );
                counts(&mut p, one)?;
                tversky(&mut p);
                if case == "a-le-b" {
                    p.asserts.push(v("a").le(v("b")));
                } else {
                    p.asserts.push(v("a").gt(v("b")));
                }
                let [_, fp, fn_, _] = count_names(1).map(Term::var);
                p.defs
                    .push(("A".into(), v("a").mul(fp).add(v("b").mul(fn_))));
                p.asserts.push(
                    Term::and(vec![
                        v("A").gt(Term::int(0)),
                        v("A").ge(v(m).mul(v("e"))),
                        v("A").le(v(big).mul(v("e"))),
                    ])
                    .not(),
                );
                parts.push(p);
            }
            // A step on the losses: T = A/(t + A) with 0 < A <= w*e (upper) or
            // A >= w*e > 0 (lower), w = M or m by the lemma.
            let step = |name: &str, what: &str, upper: bool, per_n: bool| -> Result<Query> {
                let w = if upper { "M" } else { "m" };
                let mut p = part(claim, name, what);
                counts(&mut p, one)?;
                if per_n {
                    some_error(&mut p);
                } else {
                    p.asserts.push(v("e").gt(Term::int(0)));
                    p.comments.push(
                        "hypothesis fp + fn > 0: error-free configurations are skipped".into(),
                    );
                }
                real(&mut p, w);
                real(&mut p, "A");
                p.asserts.push(v(w).gt(Term::int(0)));
                let i = hyp(&mut p, v("A").gt(Term::int(0)));
                let j = hyp(
                    &mut p,
                    if upper {
                        v("A").le(v(w).mul(v("e")))
                    } else {
                        v("A").ge(v(w).mul(v("e")))
                    },
                );
                for (case, m, big) in cases {
                    let weight = if upper { big } else { m };
                    uses(
                        &mut p,
                        &format!("per-n-lemma.{case}"),
                        vec![],
                        vec![(w, v(weight))],
                        vec![i, j],
                    );
                }
                p.defs
                    .push(("tversky".into(), v("A").div(v("tp_1").add(v("A")))));
                Ok(p)
            };
            // Limit interval min(1, 2m) <= T/D <= max(1, 2M).
            let mut p = step("limit-upper", "tversky > max(1, 2M)*dice", true, false)?;
            p.asserts.push(v("tversky").gt(v("dice")));
            p.asserts
                .push(v("tversky").gt(Term::int(2).mul(v("M")).mul(v("dice"))));
            parts.push(p);
            let mut p = step("limit-lower", "tversky < min(1, 2m)*dice", false, false)?;
            p.asserts.push(v("tversky").lt(v("dice")));
            p.asserts
                .push(v("tversky").lt(Term::int(2).mul(v("m")).mul(v("dice"))));
            parts.push(p);
            // Per n: sup T/D = max(1, M(2n-1)/(n-1+M)), inf = min(1, m(2n-1)/(n-1+m)),
            // through P = t + w*e, Q = 2t + e, K = n - 1 + w, R = 2n - 1:
            //   ratio:  u = w*Q*D - T*P >= 0 (<= for the inf)   [T/D is at most wQ/P]
            //   size:   v = R*P - Q*K >= 0 when w > 1/2 (<= when w < 1/2)  [Q/P <= R/K]
            //   small:  w <= 1/2 (>= for the inf) gives T <= D (T >= D)
            //   identity and the step: x*P = -K*u - w*D*v with x = T*K - w*R*D,
            //   so x > 0 is impossible.
            // Each of x, u, v is built once here, so a step assumes exactly what
            // the part it uses proves.
            let pqkr = |p: &mut Query, w: &str| {
                let t = || v("tp_1");
                p.defs.push(("P".into(), t().add(v(w).mul(v("e")))));
                p.defs.push(("Q".into(), Term::int(2).mul(t()).add(v("e"))));
                p.defs
                    .push(("K".into(), v("n").sub(Term::int(1)).add(v(w))));
                p.defs
                    .push(("R".into(), Term::int(2).mul(v("n")).sub(Term::int(1))));
            };
            let half = || q(1, 2);
            let sign = |upper: bool, a: Term, b: Term| if upper { a.sub(b) } else { b.sub(a) };
            let u_of = |upper: bool, w: &str, t: Term, d: Term| {
                sign(upper, v(w).mul(v("Q")).mul(d), t.mul(v("P")))
            };
            let v_of = |upper: bool| sign(upper, v("R").mul(v("P")), v("Q").mul(v("K")));
            let x_of = |upper: bool, w: &str| {
                sign(upper, v("T").mul(v("K")), v(w).mul(v("R")).mul(v("D")))
            };
            let identity_eq = |w: &str| {
                v("x").mul(v("P")).eq(Term::int(0)
                    .sub(v("K").mul(v("u")))
                    .sub(v(w).mul(v("D")).mul(v("v"))))
            };
            // T and D of the steps are the losses of the ratio step.
            let losses = || vec![("T", v("tversky")), ("D", v("dice"))];
            for (kind, upper) in [("sup-per-n", true), ("inf-per-n", false)] {
                let w = if upper { "M" } else { "m" };
                type Cmp = fn(Term, Term) -> Term;
                let (le, lt): (Cmp, Cmp) = if upper {
                    (Term::le, Term::lt)
                } else {
                    (Term::ge, Term::gt)
                };
                let ratio = format!("{kind}.ratio");
                let size = format!("{kind}.size");
                let identity = format!("{kind}.identity");
                let mut p = step(
                    &ratio,
                    if upper {
                        "u = M*Q*dice - tversky*P < 0"
                    } else {
                        "u = tversky*P - m*Q*dice < 0"
                    },
                    upper,
                    true,
                )?;
                pqkr(&mut p, w);
                p.asserts.push(
                    u_of(upper, w, v("tversky"), v("dice"))
                        .ge(Term::int(0))
                        .not(),
                );
                parts.push(p);
                // A per-n part on the counts with weight w > 0 and P, Q, K, R;
                // with `td`, also any reals T, D >= 0 (the steps after ratio
                // hold for them given the facts).
                // `what` is the negated goal for the sup and for the inf.
                let per_n = |name: &str, what: [&str; 2], td: bool| -> Result<Query> {
                    let mut p = part(claim, name, what[usize::from(!upper)]);
                    counts(&mut p, one)?;
                    some_error(&mut p);
                    real(&mut p, w);
                    pqkr(&mut p, w);
                    if td {
                        real(&mut p, "T");
                        real(&mut p, "D");
                        p.asserts.push(v("T").ge(Term::int(0)));
                        p.asserts.push(v("D").ge(Term::int(0)));
                        p.comments.push(format!(
                            "T and D are any reals with the facts proved by {kind}.ratio (and {kind}.size) for tversky and dice"
                        ));
                    }
                    p.asserts.push(v(w).gt(Term::int(0)));
                    Ok(p)
                };
                let mut p = per_n(
                    &size,
                    [
                        "v = R*P - Q*K < 0 with M > 1/2",
                        "v = Q*K - R*P < 0 with m < 1/2",
                    ],
                    false,
                )?;
                p.asserts.push(lt(half(), v(w)));
                p.asserts.push(v_of(upper).ge(Term::int(0)).not());
                parts.push(p);
                let mut p = per_n(
                    &format!("{kind}.small"),
                    [
                        "T > D with M*Q*D - T*P >= 0 and M <= 1/2",
                        "T < D with T*P - m*Q*D >= 0 and m >= 1/2",
                    ],
                    true,
                )?;
                p.asserts.push(le(v(w), half()));
                let i = hyp(&mut p, u_of(upper, w, v("T"), v("D")).ge(Term::int(0)));
                uses(&mut p, &ratio, vec![], losses(), vec![i]);
                p.asserts.push(lt(v("D"), v("T")));
                parts.push(p);
                // The identity, for all reals.
                let mut p = part(
                    claim,
                    &identity,
                    "x*P != -K*u - w*D*v (a polynomial identity in T, D, P, Q, K, R, w)",
                );
                for s in ["T", "D", "P", "Q", "K", "R", w] {
                    real(&mut p, s);
                }
                p.defs.push(("x".into(), x_of(upper, w)));
                p.defs.push(("u".into(), u_of(upper, w, v("T"), v("D"))));
                p.defs.push(("v".into(), v_of(upper)));
                p.asserts.push(identity_eq(w).not());
                parts.push(p);
                let mut p = per_n(
                    kind,
                    [
                        "T*K > R*D (T/D above M(2n-1)/(n-1+M)) with M > 1/2",
                        "T*K < R*D (T/D below m(2n-1)/(n-1+m)) with m < 1/2",
                    ],
                    true,
                )?;
                p.asserts.push(lt(half(), v(w)));
                // x, u, v as variables with their values, and the identity as a
                // fact: cvc5 then needs only the signs of x*P, K*u and D*v.
                for (name, body) in [
                    ("x", x_of(upper, w)),
                    ("u", u_of(upper, w, v("T"), v("D"))),
                    ("v", v_of(upper)),
                ] {
                    real(&mut p, name);
                    define(&mut p, v(name).eq(body));
                }
                let i = hyp(&mut p, v("u").ge(Term::int(0)));
                uses(&mut p, &ratio, vec![], losses(), vec![i]);
                let i = hyp(&mut p, v("v").ge(Term::int(0)));
                uses(&mut p, &size, vec![], vec![], vec![i]);
                let i = hyp(&mut p, identity_eq(w));
                uses(&mut p, &identity, vec![], vec![], vec![i]);
                p.asserts.push(v("x").gt(Term::int(0)));
                parts.push(p);
            }
        }
        "soft-dice-jaccard" => {
            // Relaxed domain: sums I = Σ p·y and S = Σp + Σy (or Σp² + Σy²), with
            // 0 <= I <= S/2 (p·y <= min(p, y) <= (p + y)/2, or AM-GM), S > 0.
            // The domain is parametrised by i and the slack u = s − 2i >= 0 (a
            // bijection onto 0 <= i <= s/2): the upper bound is then a
            // polynomial with non-negative coefficients, which cvc5 proves at
            // once, where with s free it times out.
            let domain = |p: &mut Query| {
                for s in ["i", "u"] {
                    real(p, s);
                }
                p.defs
                    .push(("s".into(), Term::int(2).mul(v("i")).add(v("u"))));
                p.asserts.push(v("i").ge(Term::int(0)));
                p.asserts.push(v("u").ge(Term::int(0)));
                p.asserts.push(v("s").gt(Term::int(0)));
                p.comments.push(
                    "relaxed domain: i = sum p*y, s = sum p + sum y (or sum p^2 + sum y^2), 0 <= i <= s/2, s > 0; written with the slack u = s - 2i >= 0"
                        .into(),
                );
                p.defs.push((
                    "sd".into(),
                    Term::int(1).sub(Term::int(2).mul(v("i")).div(v("s"))),
                ));
                p.defs.push((
                    "sj".into(),
                    Term::int(1).sub(v("i").div(v("s").sub(v("i")))),
                ));
            };
            let checks: [(&str, &str, Term); 5] = [
                (
                    "identity",
                    "sj != 2*sd/(1 + sd)",
                    v("sj")
                        .eq(Term::int(2).mul(v("sd")).div(Term::int(1).add(v("sd"))))
                        .not(),
                ),
                ("sd-nonneg", "sd < 0", v("sd").lt(Term::int(0))),
                ("lower", "sj < sd", v("sj").lt(v("sd"))),
                ("upper", "sj > 2*sd", v("sj").gt(Term::int(2).mul(v("sd")))),
                (
                    "at-most-2",
                    "2*sd > 2",
                    Term::int(2).mul(v("sd")).gt(Term::int(2)),
                ),
            ];
            for (name, what, neg) in checks {
                let mut p = part(claim, name, what);
                domain(&mut p);
                p.asserts.push(neg);
                parts.push(p);
            }
        }
        "whamming-dice" | "whamming-jaccard" => {
            let other = if claim == "whamming-dice" {
                "dice"
            } else {
                "jaccard"
            };
            for (case, mu, nu) in [("w-le-half", "w", "1-w"), ("w-gt-half", "1-w", "w")] {
                let weight = |s: &str| {
                    if s == "w" {
                        v("w")
                    } else {
                        Term::int(1).sub(v("w"))
                    }
                };
                let setup = |p: &mut Query| -> Result<()> {
                    counts(p, one)?;
                    whamming(p);
                    if case == "w-le-half" {
                        p.asserts.push(v("w").le(q(1, 2)));
                    } else {
                        p.asserts.push(v("w").gt(q(1, 2)));
                    }
                    some_error(p);
                    Ok(())
                };
                // sup ratio: ν(2n−1)/n for dice, ν for jaccard.
                let mut p = part(
                    claim,
                    &format!("sup-per-n.{case}"),
                    &format!("whamming/{other} above its per-n sup"),
                );
                setup(&mut p)?;
                let rhs = if other == "dice" {
                    weight(nu)
                        .mul(Term::int(2).mul(v("n")).sub(Term::int(1)))
                        .mul(v(other))
                } else {
                    weight(nu).mul(v("n")).mul(v(other))
                };
                p.asserts.push(v("n").mul(v("whamming")).gt(rhs));
                parts.push(p);
                // inf ratio μ/n.
                let mut p = part(
                    claim,
                    &format!("inf-per-n.{case}"),
                    &format!("n*whamming < mu*{other}"),
                );
                setup(&mut p)?;
                p.asserts
                    .push(v("n").mul(v("whamming")).lt(weight(mu).mul(v(other))));
                parts.push(p);
                // abs gap 1 − μ/n, both directions.
                let bound = || Term::int(1).sub(weight(mu).div(v("n")));
                let mut p = part(
                    claim,
                    &format!("gap-per-n.{case}"),
                    &format!("|whamming - {other}| > 1 - mu/n"),
                );
                setup(&mut p)?;
                p.asserts.push(Term::or(vec![
                    v(other).sub(v("whamming")).gt(bound()),
                    v("whamming").sub(v(other)).gt(bound()),
                ]));
                parts.push(p);
            }
        }
        "jaccard-submodular" => {
            // Diminishing returns in Venn-region form (proofs/jaccard-submodular.md):
            // for A ⊆ B and x ∉ B, the gain of x at A is at least its gain at B.
            // Each mask M is the error set of the prediction y XOR M, so its counts
            // are TP = |y \ M|, FP = |M \ y|, FN = |M ∩ y|, and Δ_J(M) is the
            // Jaccard loss of the measure itself (empty image included). One part
            // per side of y that x lies on.
            for (case, x_in_y) in [("gain-fn", true), ("gain-fp", false)] {
                let mut p = part(
                    claim,
                    case,
                    &format!(
                        "for A subset of B and x not in B, x {} y: gain of x at A < gain of x at B",
                        if x_in_y { "in" } else { "not in" }
                    ),
                );
                venn_submodular(&mut p, x_in_y)?;
                parts.push(p);
            }
        }
        "jaccard-metric" | "jml-metric" => {
            // The Steinhaus-transform lemma (proofs/jaccard-metric.md) for any
            // metric d and base point a, then the form that makes each loss such
            // a transform: d_J(A, B) with d the Hamming distance and a = ∅ (on
            // Venn counts, through the Jaccard measure itself), or JML with d
            // the L1 distance and a = 0.
            steinhaus(claim, &mut parts);
            if claim == "jaccard-metric" {
                let mut p = part(
                    claim,
                    "hamming-form",
                    "jaccard loss of A against B != 2|A xor B|/(|A| + |B| + |A xor B|) (0 when A = B = empty)",
                );
                counts(&mut p, one)?;
                p.comments.push(
                    "tp_1 = |A and B|, fp_1 = |A \\ B|, fn_1 = |B \\ A|: |A| = tp_1 + fp_1, |B| = tp_1 + fn_1, d(A, B) = fp_1 + fn_1"
                        .into(),
                );
                let [tp, fp, fn_, _] = count_names(1).map(Term::var);
                let den = tp.clone().add(fp).add(tp.add(fn_)).add(v("e"));
                let st = Term::ite(
                    den.clone().eq(Term::int(0)),
                    Term::int(0),
                    Term::int(2).mul(v("e")).div(den),
                );
                p.asserts.push(v("jaccard").eq(st).not());
                parts.push(p);
            } else {
                let mut p = part(
                    claim,
                    "l1-form",
                    "1 - (|p| + |y| - |p - y|)/(|p| + |y| + |p - y|) != 2|p - y|/(|p| + |y| + |p - y|)",
                );
                for s in ["np", "ny", "d"] {
                    real(&mut p, s);
                    p.asserts.push(v(s).ge(Term::int(0)));
                }
                p.comments.push(
                    "np = |p|, ny = |y|, d = |p - y| (L1 norms of p, y in [0,1]^n); the JML of Wang, Ning & Blaschko on the left, the Steinhaus form on the right, both where the denominator is positive"
                        .into(),
                );
                let den = || v("np").add(v("ny")).add(v("d"));
                p.asserts.push(den().gt(Term::int(0)));
                let jml = Term::int(1).sub(v("np").add(v("ny")).sub(v("d")).div(den()));
                p.asserts
                    .push(jml.eq(Term::int(2).mul(v("d")).div(den())).not());
                parts.push(p);
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(parts))
}

/// Venn regions of y, A ⊆ B and x ∉ B (each a non-negative real count) and the
/// Jaccard loss of the four error sets A, A + x, B, B + x, then the negated
/// diminishing-returns inequality.
fn venn_submodular(p: &mut Query, x_in_y: bool) -> Result<()> {
    // ya = |y ∩ A|, yb = |y ∩ (B \ A)|, yr = |y \ B| without x; na, nb, nr the
    // same outside y.
    for s in ["ya", "yb", "yr", "na", "nb", "nr"] {
        real(p, s);
        p.asserts.push(v(s).ge(Term::int(0)));
    }
    p.comments.push(
        "Venn regions: ya = |y and A|, yb = |y and B \\ A|, yr = |y \\ B| - [x in y], na, nb, nr the same outside y; mask k is A, A + x, B, B + x for k = 1..4, with tp_k = |y \\ M|, fp_k = |M \\ y|, fn_k = |M and y|"
            .into(),
    );
    let x = |inside: bool| Term::int(i64::from(inside == x_in_y));
    let k_y = Term::Add(vec![v("ya"), v("yb"), v("yr"), x(true)]);
    let total = Term::Add(vec![k_y.clone(), v("na"), v("nb"), v("nr"), x(false)]);
    let jaccard = parse_measure("jaccard")?;
    // (in y, outside y) parts of each mask.
    let masks: [(Term, Term); 4] = [
        (v("ya"), v("na")),
        (v("ya").add(x(true)), v("na").add(x(false))),
        (v("ya").add(v("yb")), v("na").add(v("nb"))),
        (
            Term::Add(vec![v("ya"), v("yb"), x(true)]),
            Term::Add(vec![v("na"), v("nb"), x(false)]),
        ),
    ];
    for (k, (m_in, m_out)) in masks.into_iter().enumerate() {
        let k = k + 1;
        let [tp, fp, fn_, tn] = count_names(k);
        p.defs.push((tp.clone(), k_y.clone().sub(m_in.clone())));
        p.defs.push((fp.clone(), m_out));
        p.defs.push((fn_.clone(), m_in));
        p.defs.push((
            tn,
            total.clone().sub(Term::Add(vec![v(&tp), v(&fp), v(&fn_)])),
        ));
        let enc = encode(&jaccard, k, EmptyPolicy::One)?;
        p.defs.push((format!("loss_{k}"), enc.value));
    }
    p.asserts.push(
        v("loss_2")
            .sub(v("loss_1"))
            .lt(v("loss_4").sub(v("loss_3"))),
    );
    Ok(())
}

/// The Steinhaus-transform lemma for a metric d with base point a:
/// δ(x, z) ≤ δ(x, y) + δ(y, z) with δ(u, v) = 2d(u, v)/(d(u, a) + d(v, a) +
/// d(u, v)), δ = 0 where that denominator is 0; and δ ≤ 1.
fn steinhaus(claim: &str, parts: &mut Vec<Query>) {
    // al, be, ga: distances of x, y, z to a; dp = d(x, y), dq = d(y, z),
    // dr = d(x, z); the four triangles of the points a, x, y, z.
    let metric = |p: &mut Query| {
        for s in ["al", "be", "ga", "dp", "dq", "dr"] {
            real(p, s);
            p.asserts.push(v(s).ge(Term::int(0)));
        }
        for (s, t, u) in [
            ("dp", "al", "be"),
            ("dq", "be", "ga"),
            ("dr", "al", "ga"),
            ("dr", "dp", "dq"),
        ] {
            p.asserts.push(v(s).le(v(t).add(v(u))));
            p.asserts.push(v(t).le(v(s).add(v(u))));
            p.asserts.push(v(u).le(v(s).add(v(t))));
        }
        p.comments.push(
            "al, be, ga = d(x, a), d(y, a), d(z, a); dp, dq, dr = d(x, y), d(y, z), d(x, z); every triangle inequality of d on a, x, y, z"
                .into(),
        );
        let delta = |d: &str, s: &str, t: &str| {
            let den = v(s).add(v(t)).add(v(d));
            Term::ite(
                den.clone().eq(Term::int(0)),
                Term::int(0),
                Term::int(2).mul(v(d)).div(den),
            )
        };
        p.defs.push(("dxy".into(), delta("dp", "al", "be")));
        p.defs.push(("dyz".into(), delta("dq", "be", "ga")));
        p.defs.push(("dxz".into(), delta("dr", "al", "ga")));
    };
    // The generic case (every denominator positive) as lemmas and a step, as
    // for Tversky: with Dxy = al + be + dp, Dyz = be + ga + dq, Dxz = al + ga +
    // dr and S = al + ga + dp + dq, the cleared triangle is x >= 0 for
    // x = (dp*Dyz + dq*Dxy)*Dxz - dr*Dxy*Dyz, and
    //   S*x = Dxy*Dyz*u + Dxz*(Dyz*vp + Dxy*vq)                 (identity)
    // with u = (dp + dq)*Dxz - dr*S >= 0 (monotone: t/(c + t) grows in t and
    // dr <= dp + dq), vp = dp*(S - Dxy) >= 0 and vq = dq*(S - Dyz) >= 0 (shift:
    // be <= ga + dq and be <= al + dp). cvc5 times out on the triangle as
    // one query; z3 takes 0.1 s.
    let polys = |p: &mut Query| {
        let sum = |xs: &[&str]| Term::Add(xs.iter().map(|x| v(x)).collect());
        p.defs.push(("Dxy".into(), sum(&["al", "be", "dp"])));
        p.defs.push(("Dyz".into(), sum(&["be", "ga", "dq"])));
        p.defs.push(("Dxz".into(), sum(&["al", "ga", "dr"])));
        p.defs.push(("S".into(), sum(&["al", "ga", "dp", "dq"])));
    };
    let bodies = || {
        [
            (
                "x",
                v("dp")
                    .mul(v("Dyz"))
                    .add(v("dq").mul(v("Dxy")))
                    .mul(v("Dxz"))
                    .sub(v("dr").mul(v("Dxy")).mul(v("Dyz"))),
            ),
            (
                "u",
                v("dp").add(v("dq")).mul(v("Dxz")).sub(v("dr").mul(v("S"))),
            ),
            ("vp", v("dp").mul(v("S").sub(v("Dxy")))),
            ("vq", v("dq").mul(v("S").sub(v("Dyz")))),
        ]
    };
    let identity = || {
        v("S").mul(v("x")).eq(v("Dxy")
            .mul(v("Dyz"))
            .mul(v("u"))
            .add(v("Dxz").mul(v("Dyz").mul(v("vp")).add(v("Dxy").mul(v("vq"))))))
    };
    for (name, what, var) in [
        (
            "steinhaus-monotone",
            "not u = (dp + dq)*Dxz - dr*S >= 0",
            "u",
        ),
        ("steinhaus-shift-x", "not vp = dp*(S - Dxy) >= 0", "vp"),
        ("steinhaus-shift-y", "not vq = dq*(S - Dyz) >= 0", "vq"),
    ] {
        let mut p = part(claim, name, what);
        metric(&mut p);
        polys(&mut p);
        for (n, b) in bodies() {
            if n == var {
                p.defs.push((n.into(), b));
            }
        }
        p.asserts.push(v(var).ge(Term::int(0)).not());
        parts.push(p);
    }
    let mut p = part(
        claim,
        "steinhaus-identity",
        "S*x != Dxy*Dyz*u + Dxz*(Dyz*vp + Dxy*vq) (a polynomial identity in the six distances)",
    );
    for s in ["al", "be", "ga", "dp", "dq", "dr"] {
        real(&mut p, s);
    }
    polys(&mut p);
    for (n, b) in bodies() {
        p.defs.push((n.into(), b));
    }
    p.asserts.push(identity().not());
    parts.push(p);
    let mut p = part(
        claim,
        "steinhaus-generic",
        "not x >= 0 (the cleared triangle fails) where Dxy, Dyz, Dxz > 0",
    );
    metric(&mut p);
    polys(&mut p);
    for (n, b) in bodies() {
        real(&mut p, n);
        define(&mut p, v(n).eq(b));
    }
    for d in ["Dxy", "Dyz", "Dxz"] {
        p.asserts.push(v(d).gt(Term::int(0)));
    }
    for (var, used) in [
        ("u", "steinhaus-monotone"),
        ("vp", "steinhaus-shift-x"),
        ("vq", "steinhaus-shift-y"),
    ] {
        let i = hyp(&mut p, v(var).ge(Term::int(0)));
        uses(&mut p, used, vec![], vec![], vec![i]);
    }
    let i = hyp(&mut p, identity());
    uses(&mut p, "steinhaus-identity", vec![], vec![], vec![i]);
    p.asserts.push(v("x").ge(Term::int(0)).not());
    parts.push(p);
    // The triangle itself, split by whether a denominator is 0: z3 decides the
    // generic case only as quotients (with the ite form of delta it times out
    // even given x >= 0), cvc5 only with x >= 0 given.
    let negated =
        "delta(x, z) > delta(x, y) + delta(y, z) for the Steinhaus transform delta of a metric d";
    let mut p = part(claim, "steinhaus-triangle.generic", negated);
    metric(&mut p);
    polys(&mut p);
    for (n, b) in bodies() {
        if n == "x" {
            p.defs.push((n.into(), b));
        }
    }
    for d in ["Dxy", "Dyz", "Dxz"] {
        p.asserts.push(v(d).gt(Term::int(0)));
    }
    p.comments
        .push("Dxy, Dyz, Dxz > 0, where delta is the quotient itself".into());
    let i = hyp(&mut p, v("x").ge(Term::int(0)));
    uses(&mut p, "steinhaus-generic", vec![], vec![], vec![i]);
    let quot = |d: &str, den: &str| Term::int(2).mul(v(d)).div(v(den));
    p.asserts
        .push(quot("dr", "Dxz").gt(quot("dp", "Dxy").add(quot("dq", "Dyz"))));
    parts.push(p);
    let mut p = part(claim, "steinhaus-triangle.degenerate", negated);
    metric(&mut p);
    polys(&mut p);
    p.comments
        .push("a denominator is 0, so two of the points coincide with a".into());
    p.asserts.push(Term::or(vec![
        v("Dxy").le(Term::int(0)),
        v("Dyz").le(Term::int(0)),
        v("Dxz").le(Term::int(0)),
    ]));
    p.asserts.push(v("dxz").gt(v("dxy").add(v("dyz"))));
    parts.push(p);
    let mut p = part(claim, "steinhaus-bounded", "delta(x, y) > 1");
    metric(&mut p);
    p.asserts.push(v("dxy").gt(Term::int(1)));
    parts.push(p);
}

/// The committed file of one query: `proofs/smt/<claim>.<part>.smt2`.
pub fn file_name(claim: &str, q: &Query) -> String {
    format!("{claim}.{}.smt2", q.name)
}

/// The machine-proof result of one registered claim, as `check --json` carries it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClaimProof {
    /// `proved` only if every part was unsat for at least one solver and sat for
    /// none; otherwise `unknown`.
    pub status: super::Status,
    /// Each solver's overall answer and total time.
    pub solvers: Vec<super::SolverReport>,
    /// The committed files, `proofs/smt/<claim>.*.smt2`.
    pub file: String,
    /// Every part with each solver's answer.
    #[serde(skip)]
    pub queries: Vec<super::QueryReport>,
}

impl ClaimProof {
    /// `proved for all n (z3 4.8.12, cvc5 1.0.3)` or `no machine proof (…)`.
    pub fn summary(&self) -> String {
        let by: Vec<String> = self
            .solvers
            .iter()
            .filter(|s| s.answer == "unsat")
            .map(|s| format!("{} {}", s.name, s.version))
            .collect();
        match self.status {
            super::Status::Proved => format!("proved for all n ({})", by.join(", ")),
            _ => format!(
                "no machine proof ({})",
                self.solvers
                    .iter()
                    .map(|s| format!("{} {}", s.name, s.answer))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Runs the obligation of `claim` with every solver (`None` if the claim has
/// none), writing the query files into `emit` if given. After one solver answers
/// unsat the others get `grace_s` more seconds.
pub fn prove_claim(
    claim: &str,
    solvers: &[super::Solver],
    timeout_s: f64,
    grace_s: f64,
    emit: Option<&std::path::Path>,
) -> Result<Option<ClaimProof>> {
    let Some(parts) = obligation(claim)? else {
        return Ok(None);
    };
    if let Some(dir) = emit {
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::error::Error::input(dir, format!("cannot create directory: {e}"))
        })?;
        for q in &parts {
            let path = dir.join(file_name(claim, q));
            std::fs::write(&path, q.text())
                .map_err(|e| crate::error::Error::input(&path, format!("cannot write: {e}")))?;
        }
    }
    let mut totals: Vec<(super::Solver, Vec<&'static str>, f64)> =
        solvers.iter().map(|s| (s.clone(), vec![], 0.0)).collect();
    let mut queries = Vec::new();
    let mut proved = !solvers.is_empty();
    for q in &parts {
        let answers = super::ask_with_grace(solvers, q, timeout_s, grace_s);
        for (s, a, secs) in &answers {
            if let Some(t) = totals.iter_mut().find(|t| t.0.name == s.name) {
                t.1.push(a.word());
                t.2 += secs;
            }
        }
        proved &= super::verdict(&answers) == super::Verdict::Unsat;
        queries.push(super::QueryReport {
            name: q.name.clone(),
            answers: answers
                .iter()
                .map(|(s, a, secs)| (s.name.to_string(), a.word().to_string(), *secs))
                .collect(),
        });
    }
    Ok(Some(ClaimProof {
        status: if proved {
            super::Status::Proved
        } else {
            super::Status::Unknown
        },
        solvers: totals
            .into_iter()
            .map(|(s, words, secs)| super::SolverReport {
                name: s.name.into(),
                version: s.version,
                answer: super::overall(&words),
                stages: vec![],
                seconds: (secs * 1000.0).round() / 1000.0,
            })
            .collect(),
        file: format!("proofs/smt/{claim}.*.smt2"),
        queries,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::Counts;
    use crate::prove::term::{Env, Val};

    fn env(q: &Query, c: &Counts, extra: &[(&str, Q)]) -> Env {
        let mut env = q.env();
        for (name, x) in count_names(1).iter().zip([c.tp, c.fp, c.fn_, c.tn]) {
            env.values.insert(name.clone(), Q::from_integer(x.into()));
        }
        for (k, x) in extra {
            env.values.insert((*k).into(), x.clone());
        }
        env
    }

    /// The exact loss of a rational measure under `--empty one`.
    fn exact_loss(m: &crate::measures::Measure, c: &Counts) -> Q {
        m.loss(c, EmptyPolicy::One)
            .unwrap()
            .exact()
            .cloned()
            .unwrap()
    }

    #[test]
    fn symbolic_parameter_terms_equal_the_measures() {
        let qq = |n: i64, d: i64| Q::new(n.into(), d.into());
        let tv = &obligation_terms("tversky-dice").unwrap().unwrap()[0];
        let wh = &obligation_terms("whamming-dice").unwrap().unwrap()[0];
        // The term `name` of `q` with the weights `params` equals the measure
        // `spec` on a generic configuration and on one with an empty union.
        let agree = |q: &Query, name: &str, spec: String, params: &[(&str, Q)], empty: Counts| {
            let m = parse_measure(&spec).unwrap();
            let generic = Counts {
                tp: 3,
                fp: 1,
                fn_: 4,
                tn: 2,
            };
            for c in [generic, empty] {
                let want = exact_loss(&m, &c);
                assert_eq!(
                    v(name).eval(&env(q, &c, params)),
                    Ok(Val::Real(want)),
                    "{spec} at {c:?}"
                );
            }
        };
        let f = crate::exact::format_q;
        for (a, b) in [(qq(3, 10), qq(7, 10)), (qq(2, 1), qq(1, 3))] {
            let empty = Counts {
                tp: 0,
                fp: 2,
                fn_: 0,
                tn: 5,
            };
            let spec = format!("tversky:a={},b={}", f(&a), f(&b));
            agree(
                tv,
                "tversky",
                spec,
                &[("a", a.clone()), ("b", b.clone())],
                empty,
            );
        }
        for w in [qq(0, 1), qq(1, 3), qq(1, 1)] {
            let empty = Counts {
                tp: 0,
                fp: 0,
                fn_: 0,
                tn: 5,
            };
            agree(
                wh,
                "whamming",
                format!("whamming:w={}", f(&w)),
                &[("w", w.clone())],
                empty,
            );
        }
    }

    /// The Venn-region terms of the submodularity obligation against masks
    /// built voxel by voxel: for random region sizes, lay out y, A ⊆ B and x ∉ B
    /// as boolean vectors, count each error set M ∈ {A, A + x, B, B + x} against
    /// y directly (prediction y XOR M) and require `loss_k` to equal the exact
    /// Jaccard loss of those counts.
    #[test]
    fn submodular_terms_equal_the_set_loss_on_masks() {
        let jac = parse_measure("jaccard").unwrap();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        let qs = obligation_terms("jaccard-submodular").unwrap().unwrap();
        let mut seen_empty = false;
        for (case, x_in_y) in [(0, true), (1, false)] {
            for _ in 0..300 {
                // ya, yb, yr, na, nb, nr; zeros are frequent so empty masks occur.
                let r: Vec<u64> = (0..6).map(|_| next(4)).collect();
                let mut e = qs[case].env();
                for (name, x) in ["ya", "yb", "yr", "na", "nb", "nr"].iter().zip(&r) {
                    e.values
                        .insert((*name).into(), Q::from_integer((*x).into()));
                }
                // Voxels as (in y, in A, in B, is x).
                let mut vox = Vec::new();
                for (i, (y, a, b)) in [
                    (true, true, true),
                    (true, false, true),
                    (true, false, false),
                    (false, true, true),
                    (false, false, true),
                    (false, false, false),
                ]
                .into_iter()
                .enumerate()
                {
                    for _ in 0..r[i] {
                        vox.push((y, a, b, false));
                    }
                }
                vox.push((x_in_y, false, false, true));
                for (k, (in_b, with_x)) in
                    [(false, false), (false, true), (true, false), (true, true)]
                        .into_iter()
                        .enumerate()
                {
                    let mut c = Counts {
                        tp: 0,
                        fp: 0,
                        fn_: 0,
                        tn: 0,
                    };
                    for &(y, a, b, x) in &vox {
                        let m = (if in_b { b } else { a }) || (with_x && x);
                        let pred = y ^ m;
                        match (pred, y) {
                            (true, true) => c.tp += 1,
                            (true, false) => c.fp += 1,
                            (false, true) => c.fn_ += 1,
                            (false, false) => c.tn += 1,
                        }
                    }
                    seen_empty |= c.tp + c.fp + c.fn_ == 0;
                    let want = exact_loss(&jac, &c);
                    assert_eq!(
                        v(&format!("loss_{}", k + 1)).eval(&e),
                        Ok(Val::Real(want)),
                        "case {case}, regions {r:?}, mask {k}"
                    );
                }
            }
        }
        assert!(seen_empty, "no sample with an empty union");
    }

    #[test]
    fn soft_terms_equal_the_soft_losses() {
        // Soft Dice and soft Jaccard from per-voxel values, against the sums terms.
        let qq = |n: i64, d: i64| Q::new(n.into(), d.into());
        let sd = &obligation_terms("soft-dice-jaccard").unwrap().unwrap()[0];
        let y = [qq(1, 1), qq(1, 2), qq(0, 1)];
        let p = [qq(3, 4), qq(1, 3), qq(1, 5)];
        let i: Q = y.iter().zip(&p).map(|(a, b)| a * b).sum();
        let s: Q = y.iter().chain(&p).cloned().sum();
        let mut e = sd.env();
        e.values.insert("i".into(), i.clone());
        e.values
            .insert("u".into(), &s - Q::from_integer(2.into()) * &i);
        assert_eq!(v("s").eval(&e), Ok(Val::Real(s.clone())));
        let one = Q::from_integer(1.into());
        let two = Q::from_integer(2.into());
        assert_eq!(v("sd").eval(&e), Ok(Val::Real(&one - &two * &i / &s)));
        assert_eq!(v("sj").eval(&e), Ok(Val::Real(&one - &i / (&s - &i))));
    }

    /// The committed (cleared) form of every part against the terms it was
    /// cleared from ([`crate::prove::clear::assert_faithful`]).
    #[test]
    fn cleared_obligations_mean_what_their_terms_say() {
        let mut rng = crate::prove::clear::TestRng(0x9e37_79b9_7f4a_7c15);
        for claim in CLAIMS {
            for orig in obligation_terms(claim).unwrap().unwrap() {
                crate::prove::clear::assert_faithful(&orig, claim, 3000, &mut rng);
            }
        }
    }

    #[test]
    fn committed_files_are_what_the_code_generates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("proofs/smt");
        let mut expected = Vec::new();
        for claim in CLAIMS {
            for q in obligation(claim).unwrap().unwrap() {
                let name = file_name(claim, &q);
                let got = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
                assert!(
                    got == q.text(),
                    "proofs/smt/{name} differs from the generated obligation; regenerate with \
                     `diceproof prove --registry --emit-smt proofs/smt`"
                );
                expected.push(name);
            }
        }
        let mut present: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".smt2"))
            .collect();
        present.sort();
        expected.sort();
        assert_eq!(present, expected, "stray or missing files in proofs/smt");
    }
}
