//! Claims about how well one loss approximates another on hard labels (theory §3,
//! claims 1, 2, 4 and 7): the Dice–Jaccard identity it all rests on, Dice–Jaccard
//! relative and absolute, Tversky–Dice, and weighted Hamming against Dice and
//! Jaccard. The grids of weights these claims are checked at are registry
//! constants parsed by [`constant`], which fails loudly on a typo; a grid of
//! weights makes the claim's status `holds on grid`, since the statements
//! quantify over every weight. Each check enumerates every count
//! tuple for every size up to n, compares the exact extremes with the closed forms
//! proved in `proofs/`, and re-verifies the reported witnesses by the big-integer
//! path, which shares no code with the `u128` fast path that found them.

use std::cmp::Ordering;

use num_traits::{One, Zero};
use rug::Rational;
use serde_json::{json, Value as Json};

use super::schema::Constant;
use super::tally::Tally;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::analysis::{Extreme, Pair, Spread};
use crate::counts::Counts;
use crate::enumerate::{self, Job, Mode, RunOptions};
use crate::error::{Error, Result};
use crate::exact::convert::big_to_rug;
use crate::exact::interval::{decide, three_minus_two_sqrt2, Interval, Precision};
use crate::exact::{decimal, format_q, parse_rational, Q};
use crate::measures::{parse_measure, EmptyPolicy};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim {
            name: "dice-jaccard-identity",
            statement: "for confusion counts with TP + FP + FN > 0, J = D/(2 − D), \
                        D = 2J/(1 + J) and Δ_J = 2Δ_D/(1 + Δ_D); with both masks empty, D = J \
                        under the policies one and zero",
            expected: Status::Holds,
            quick_n: 12,
            default_n: 24,
            max_n: 100,
            check: dice_jaccard_identity,
        },
        Claim {
            name: "dice-jaccard-relative",
            statement: "Δ_D ≤ Δ_J ≤ 2Δ_D on every configuration; on n voxels the exact sup of \
                        Δ_J/Δ_D is (2n−1)/n, so 2 is approached and never reached",
            expected: Status::Holds,
            quick_n: 40,
            default_n: 100,
            max_n: 2000,
            check: dice_jaccard_relative,
        },
        Claim {
            name: "dice-jaccard-absolute",
            statement: "|Δ_J − Δ_D| < 3 − 2√2 on every configuration; on n voxels the max is \
                        P_k·Q_k/(P_{k+1}·Q_{k+1}) for P_{k+1} ≤ n < P_{k+2}, attained at the Pell \
                        pairs (TP, FP+FN) = (P_k, Q_k)",
            expected: Status::Holds,
            quick_n: 60,
            default_n: 200,
            max_n: 1000,
            check: dice_jaccard_absolute,
        },
        Claim {
            name: "tversky-dice",
            statement: "Δ_T(α,β)/Δ_D lies in [min(1, 2·min(α,β)), max(1, 2·max(α,β))] with n-voxel \
                        extremes min/max(1, w(2n−1)/(n−1+w)); along α+β = 1 the spread is 1 only at \
                        α = 1/2 and grows strictly with |α − 1/2|; sup |Δ_T − Δ_D| ≤ \
                        max over w∈{α,β} of |√(2w)−1|/(√(2w)+1)",
            expected: Status::HoldsOnGrid,
            quick_n: 30,
            default_n: 60,
            max_n: 200,
            check: tversky_dice,
        },
        Claim {
            name: "whamming-dice",
            statement: "weighted Hamming does not approximate Dice: for w ∈ (0,1) the best spread \
                        on n voxels is (2n−1)·max(w,1−w)/min(w,1−w), unbounded in n; for w ∈ {0,1} \
                        it is infinite at every n; sup |H_w − Δ_D| = 1 − min(w,1−w)/n → 1",
            expected: Status::HoldsOnGrid,
            quick_n: 30,
            default_n: 60,
            max_n: 300,
            check: whamming_dice,
        },
        Claim {
            name: "whamming-jaccard",
            statement: "weighted Hamming does not approximate Jaccard: for w ∈ (0,1) the best \
                        spread on n voxels is n·max(w,1−w)/min(w,1−w), unbounded in n; for \
                        w ∈ {0,1} it is infinite at every n; sup |H_w − Δ_J| = 1 − min(w,1−w)/n",
            expected: Status::HoldsOnGrid,
            quick_n: 30,
            default_n: 60,
            max_n: 300,
            check: whamming_jaccard,
        },
    ]
}

/// The weights of the weighted-Hamming claims.
const WHAMMING_WEIGHTS: [&str; 7] = ["0", "1/10", "1/4", "1/2", "3/4", "9/10", "1"];

/// The (α, β) pairs off the line α + β = 1 at which tversky-dice is also checked.
const TVERSKY_OFF_LINE: [(&str, &str); 9] = [
    ("1/4", "1/4"),
    ("1/4", "1"),
    ("1/4", "2"),
    ("1", "1/4"),
    ("1", "1"),
    ("1", "2"),
    ("2", "1/4"),
    ("2", "1"),
    ("2", "2"),
];

/// Parses a registry constant; a typo is an error naming it (and fails the
/// tests that run every claim), never a silent zero.
pub(super) fn constant(s: &str) -> Result<Q> {
    parse_rational(s).map_err(|e| Error::invalid(format!("registry constant {s:?}: {e}")))
}

fn qi(v: u64) -> Q {
    Q::from_integer(v.into())
}

fn pair(target: &str, candidate: &str) -> Result<Pair> {
    Pair::new(
        parse_measure(target)?,
        parse_measure(candidate)?,
        EmptyPolicy::One,
    )
}

/// Exact count-space analysis of one size (parallel over chunks).
fn spread_at(pair: &Pair, n: u64) -> Result<Spread> {
    let job = Job {
        pair: pair.clone(),
        n,
        mode: Mode::Counts,
    };
    let opts = RunOptions {
        force: true,
        ..RunOptions::default()
    };
    Ok(enumerate::run(&job, &opts)?.spread)
}

/// Both losses at a configuration by the big-integer path only.
fn reverify(pair: &Pair, c: &Counts) -> Result<(Q, Q)> {
    let get = |m: &crate::measures::Measure| {
        m.loss_big_only(c)
            .or_else(|| m.loss(c, pair.policy).ok().and_then(|v| v.exact().cloned()))
            .ok_or_else(|| Error::invalid(format!("{} is undefined at {c:?}", m.spec())))
    };
    Ok((get(&pair.target)?, get(&pair.candidate)?))
}

/// A witness as JSON with both losses, re-verified independently.
fn witness(pair: &Pair, c: &Counts) -> Result<Json> {
    let (t, k) = reverify(pair, c)?;
    Ok(json!({
        "n": c.n(), "tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn,
        "target": format_q(&t), "candidate": format_q(&k),
    }))
}

/// Re-verifies that an extreme's witness has the reported ratio.
fn ratio_ok(pair: &Pair, e: &Extreme) -> Result<bool> {
    let (t, k) = reverify(pair, &e.witness)?;
    Ok(!t.is_zero() && k / t == e.value)
}

/// Re-verifies that an extreme's witness has the reported absolute gap.
fn gap_ok(pair: &Pair, e: &Extreme) -> Result<bool> {
    let (t, k) = reverify(pair, &e.witness)?;
    let d = k - t;
    Ok((if d < Q::zero() { -d } else { d }) == e.value)
}

fn value(e: &Option<Extreme>) -> Option<&Q> {
    e.as_ref().map(|e| &e.value)
}

/// The identity at one configuration, by the measures' own exact losses:
/// Ok(true) when J = D/(2 − D), D = 2J/(1 + J) and Δ_J = 2Δ_D/(1 + Δ_D).
fn identity_at(
    dice: &crate::measures::Measure,
    jac: &crate::measures::Measure,
    c: &Counts,
) -> Result<bool> {
    let mut ok = true;
    for policy in [EmptyPolicy::One, EmptyPolicy::Zero] {
        let get = |m: &crate::measures::Measure| -> Result<Q> {
            m.loss(c, policy)?
                .exact()
                .cloned()
                .ok_or_else(|| Error::invalid(format!("{} is NaN at {c:?}", m.spec())))
        };
        let (ld, lj) = (get(dice)?, get(jac)?);
        let (d, j) = (Q::one() - &ld, Q::one() - &lj);
        let two = qi(2);
        ok &= j == &d / (&two - &d)
            && d == &two * &j / (Q::one() + &j)
            && lj == &two * &ld / (Q::one() + &ld);
    }
    Ok(ok)
}

fn dice_jaccard_identity(n: u64, progress: &Progress) -> Result<Outcome> {
    if n == 0 {
        return Err(Error::invalid("check needs n >= 1"));
    }
    let dice = parse_measure("dice")?;
    let jac = parse_measure("jaccard")?;
    let (mut seen, mut failed) = (0u64, None);
    for m in 1..=n {
        for tp in 0..=m {
            for fp in 0..=(m - tp) {
                for fn_ in 0..=(m - tp - fp) {
                    let c = Counts::new(tp, fp, fn_, m - tp - fp - fn_)?;
                    seen += 1;
                    if failed.is_none() && !identity_at(&dice, &jac, &c)? {
                        failed = Some(c);
                    }
                }
            }
        }
        progress.tick(m, n);
    }
    let over =
        format!("every (TP, FP, FN, TN) on n = 1..={n} voxels, empty-mask policies one and zero");
    Ok(Outcome {
        parts: vec![Part::new(
            "J = D/(2 − D), D = 2J/(1 + J) and Δ_J = 2Δ_D/(1 + Δ_D), exactly, from the measures' own losses",
            Scope::exhaustive(over),
        )],
        status: Status::refuted_if(failed.is_some()),
        n,
        constant: None,
        witness: failed.map(|c| json!({"tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn})),
        consistent: true,
        details: vec![format!(
            "{seen} configurations × 2 policies: the three identities {}",
            if failed.is_some() { "FAIL" } else { "hold exactly" }
        )],
    })
}

fn dice_jaccard_relative(n: u64, progress: &Progress) -> Result<Outcome> {
    let p = pair("dice", "jaccard")?;
    let mut tally = Tally::new(format!("every (TP, FP, FN, TN) on n = 1..={n} voxels"));
    let (mut violation, mut last) = (None, None);
    let mut details = Vec::new();
    for m in 1..=n {
        let s = spread_at(&p, m)?;
        let (lo, hi) = (value(&s.min_ratio), value(&s.max_ratio));
        let closed = Q::new((2 * m - 1).into(), m.into());
        let below_two = s.max_ratio.as_ref().is_none_or(|e| e.value < qi(2));
        let above_one = s.unbounded.is_none() && lo.is_none_or(|v| *v >= Q::one());
        if !above_one {
            violation = s.unbounded.or(s.min_ratio.as_ref().map(|e| e.witness));
        }
        if !below_two {
            violation = s.max_ratio.as_ref().map(|e| e.witness);
        }
        tally.statement_once("Δ_D ≤ Δ_J < 2Δ_D", "sizes n", above_one && below_two);
        if let Some(e) = &s.max_ratio {
            if !tally.cross_check_once("sup witness re-verified", "sizes n", ratio_ok(&p, e)?) {
                details.push(format!("n={m}: witness of the sup failed re-verification"));
            }
        }
        let exact = hi == Some(&closed) && lo == Some(&Q::one());
        if !tally.cross_check_once(
            "inf Δ_J/Δ_D = 1 and sup = (2n−1)/n exactly",
            "sizes n",
            exact,
        ) {
            details.push(format!(
                "n={m}: enumerated [{}, {}] differs from [1, {}]",
                lo.map_or("-".into(), format_q),
                hi.map_or("-".into(), format_q),
                format_q(&closed)
            ));
        }
        progress.tick(m, n);
        last = Some(s);
    }
    let s = last.ok_or_else(|| Error::invalid("check needs n >= 1"))?;
    details.insert(0, tally.summary());
    let hi = s
        .max_ratio
        .ok_or_else(|| Error::invalid("no configuration with Δ_D > 0"))?;
    Ok(Outcome {
        parts: vec![Part::new(
            "Δ_D ≤ Δ_J ≤ 2Δ_D, inf ratio 1 and sup (2n−1)/n, witnesses re-verified",
            Scope::exhaustive(format!("every (TP, FP, FN, TN) on n = 1..={n} voxels")),
        )],
        status: Status::refuted_if(violation.is_some()),
        n,
        constant: Some(Constant::Exact(hi.value.clone())),
        witness: Some(witness(&p, &violation.unwrap_or(hi.witness))?),
        consistent: tally.consistent(),
        details,
    })
}

/// Pell numbers P and the companions Q (numerators of √2's convergents), enough
/// terms to cover n.
fn pell(n: u64) -> Vec<(u64, u64)> {
    let mut v = vec![(0u64, 1u64), (1, 1)];
    while v[v.len() - 1].0 <= n.saturating_mul(2) + 2 {
        let (a, b) = (v[v.len() - 1], v[v.len() - 2]);
        v.push((2 * a.0 + b.0, 2 * a.1 + b.1));
    }
    v
}

/// The closed-form max |Δ_J − Δ_D| on n voxels and its Pell pair (t, e).
fn pell_gap(n: u64) -> (Q, (u64, u64)) {
    if n < 2 {
        return (Q::zero(), (0, 1));
    }
    let p = pell(n);
    // k with P_{k+1} ≤ n < P_{k+2}.
    let k = (1..p.len() - 2)
        .find(|&k| p[k + 1].0 <= n && n < p[k + 2].0)
        .unwrap_or(1);
    let (pk, qk) = p[k];
    let (pk1, qk1) = p[k + 1];
    (Q::new((pk * qk).into(), (pk1 * qk1).into()), (pk, qk))
}

fn dice_jaccard_absolute(n: u64, progress: &Progress) -> Result<Outcome> {
    let p = pair("dice", "jaccard")?;
    let mut tally = Tally::new(format!("every (TP, FP, FN, TN) on n = 1..={n} voxels"));
    let mut violation = None;
    let mut details = Vec::new();
    let mut changes: Vec<(u64, u64, u64)> = Vec::new();
    let mut last = None;
    let mut max_bits = 0;
    for m in 1..=n {
        let s = spread_at(&p, m)?;
        let e = s
            .max_gap
            .clone()
            .ok_or_else(|| Error::invalid("no configuration"))?;
        let g = &e.value;
        // Exact algebraic criterion: g < 3 − 2√2 ⇔ (3 − g)² > 8 for g < 3.
        let three_minus = qi(3) - g;
        let below_algebraic = *g < qi(3) && &three_minus * &three_minus > qi(8);
        // Certified intervals, independently.
        let gr: Rational = big_to_rug(g);
        let (ord, bits) = decide(
            |prec| Ok(three_minus_two_sqrt2(prec)),
            &gr,
            Precision::default(),
        )?;
        max_bits = max_bits.max(bits);
        let below_interval = ord == Ordering::Greater;
        if !tally.cross_check_once(
            "exact (3 − g)² > 8 and certified-interval comparisons agree",
            "sizes n",
            below_algebraic == below_interval,
        ) {
            details.push(format!(
                "n={m}: algebraic and interval comparisons disagree at {}",
                format_q(g)
            ));
        }
        if !tally.statement_once("max gap < 3 − 2√2", "sizes n", below_algebraic) {
            violation = Some(e.witness);
        }
        if !tally.cross_check_once("gap witness re-verified", "sizes n", gap_ok(&p, &e)?) {
            details.push(format!("n={m}: gap witness failed re-verification"));
        }
        let (closed, pk) = pell_gap(m);
        let t_e = (e.witness.tp, e.witness.fp + e.witness.fn_);
        let pell_ok = *g == closed && (m < 2 || t_e == pk);
        if !tally.cross_check_once("max gap = Pell closed form", "sizes n", pell_ok) {
            details.push(format!(
                "n={m}: enumerated max {} at (t,e)={t_e:?}, closed form {} at {pk:?}",
                format_q(g),
                format_q(&closed)
            ));
        }
        // At n = 1 every configuration has gap 0; the sequence starts at n = 2.
        if m >= 2 && changes.last().is_none_or(|&(_, t, e)| (t, e) != t_e) {
            changes.push((m, t_e.0, t_e.1));
        }
        progress.tick(m, n);
        last = Some(e);
    }
    let e = last.ok_or_else(|| Error::invalid("check needs n >= 1"))?;
    let bound = three_minus_two_sqrt2(128);
    let gap_to_bound = bound.sub(&Interval::from_big(&e.value, 128));
    details.insert(
        0,
        format!(
            "{} (intervals needed at most {max_bits} bits)",
            tally.summary()
        ),
    );
    details.push(format!(
        "maximiser (TP, FP+FN) changes at n = {}: {}",
        changes
            .iter()
            .map(|c| c.0.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        changes
            .iter()
            .map(|c| format!("({},{})", c.1, c.2))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    details.push(format!(
        "at n = {n}: max gap {} ≈ {}, 3 − 2√2 − gap ∈ {:.3}",
        format_q(&e.value),
        decimal(&e.value),
        gap_to_bound
    ));
    Ok(Outcome {
        parts: vec![Part::new(
            "max |Δ_J − Δ_D| < 3 − 2√2 (algebraic and certified) and equal to the Pell closed form",
            Scope::exhaustive(format!("every (TP, FP, FN, TN) on n = 1..={n} voxels")),
        )],
        status: Status::refuted_if(violation.is_some()),
        n,
        constant: Some(Constant::Exact(e.value.clone())),
        witness: Some(witness(&p, &violation.unwrap_or(e.witness))?),
        consistent: tally.consistent(),
        details,
    })
}

/// Compares a gap g ∈ [0, 1) with |√c − 1|/(√c + 1), c = 2w, exactly:
/// (g strictly below, g exactly on). With s = √c: for s ≥ 1 the bound is
/// g ≤ (s − 1)/(s + 1) ⇔ c(1 − g)² ≥ (1 + g)², for s < 1 it is
/// g ≤ (1 − s)/(1 + s) ⇔ c(1 + g)² ≤ (1 − g)².
fn tversky_gap_exact(g: &Q, w: &Q) -> (bool, bool) {
    let c = qi(2) * w;
    let one = Q::one();
    if *g >= one {
        return (false, false);
    }
    let (lhs, rhs) = if c >= one {
        (&c * (&one - g) * (&one - g), (&one + g) * (&one + g))
    } else {
        ((&one - g) * (&one - g), &c * (&one + g) * (&one + g))
    };
    (lhs > rhs, lhs == rhs)
}

/// |√(2w) − 1| / (√(2w) + 1) as a certified interval.
fn tversky_gap_bound(w: &Q, prec: u32) -> Result<Interval> {
    let r = Interval::from_big(&(qi(2) * w), prec).sqrt()?;
    let one = Interval::from_int(1, prec);
    let num = r.sub(&one);
    let num = if num.lo().is_sign_negative() && !num.hi().is_sign_positive() {
        num.neg()
    } else if num.lo().is_sign_negative() {
        // Straddles 0: |x| lies in [0, max(|lo|, hi)]; only happens for w near 1/2.
        let m = if num.hi().clone().abs() > num.lo().clone().abs() {
            num.hi().clone().abs()
        } else {
            num.lo().clone().abs()
        };
        Interval::new(rug::Float::with_val(prec, 0), m)?
    } else {
        num
    };
    num.div(&r.add(&one))
}

/// What the tversky-dice check saw at one (α, β) over n = 1..=n.
struct TverskyRun {
    /// The candidate spec, e.g. `tversky:a=3/10,b=7/10`.
    spec: String,
    pair: Pair,
    /// The spread at the largest n (exact).
    spread: Q,
    /// The count-space analysis at the largest n.
    last: Spread,
    /// A configuration contradicting the statement.
    violation: Option<Counts>,
    /// Internal cross-checks that failed (closed forms, re-verification).
    problems: Vec<String>,
}

/// Every configuration on 1..=n voxels at one (α, β): extremes equal the
/// closed forms min/max(1, w(2n−1)/(n−1+w)) and lie in the limit interval, and
/// the absolute gap is below the √ bound (certified intervals).
fn tversky_at(
    alpha: &Q,
    beta: &Q,
    n: u64,
    tally: &mut Tally,
    tick: &dyn Fn(u64),
) -> Result<TverskyRun> {
    let spec = format!("tversky:a={},b={}", format_q(alpha), format_q(beta));
    let p = pair("dice", &spec)?;
    let (lo_w, hi_w) = if alpha < beta {
        (alpha.clone(), beta.clone())
    } else {
        (beta.clone(), alpha.clone())
    };
    let lim_lo = Q::one().min(qi(2) * &lo_w);
    let lim_hi = Q::one().max(qi(2) * &hi_w);
    let (mut violation, mut problems, mut last) = (None, Vec::new(), None);
    for m in 1..=n {
        let s = spread_at(&p, m)?;
        let none = || Error::invalid("no configuration");
        let (lo, hi) = (
            s.min_ratio.clone().ok_or_else(none)?,
            s.max_ratio.clone().ok_or_else(none)?,
        );
        let at_n = |w: &Q| qi(2 * m - 1) * w / (qi(m - 1) + w);
        let closed_lo = Q::one().min(at_n(&lo_w));
        let closed_hi = Q::one().max(at_n(&hi_w));
        let in_limits = s.unbounded.is_none() && lo.value >= lim_lo && hi.value <= lim_hi;
        if !tally.statement_once(
            "ratio extremes in the limit interval",
            "(α, β, n) triples",
            in_limits,
        ) {
            violation = violation.or(Some(s.unbounded.unwrap_or(hi.witness)));
        }
        let closed = lo.value == closed_lo && hi.value == closed_hi;
        if !tally.cross_check_once(
            "extremes = min/max(1, w(2n−1)/(n−1+w))",
            "(α, β, n) triples",
            closed,
        ) {
            problems.push(format!(
                "{spec} n={m}: enumerated [{}, {}], closed form [{}, {}]",
                format_q(&lo.value),
                format_q(&hi.value),
                format_q(&closed_lo),
                format_q(&closed_hi)
            ));
        }
        let verified = ratio_ok(&p, &lo)? && ratio_ok(&p, &hi)?;
        if !tally.cross_check_once(
            "extreme witnesses re-verified",
            "(α, β, n) triples",
            verified,
        ) {
            problems.push(format!("{spec} n={m}: witness failed re-verification"));
        }
        // Absolute gap against the bound |√(2w) − 1|/(√(2w) + 1): decided exactly
        // by the algebraic criterion, and again by certified intervals wherever
        // the gap is not exactly on the bound (intervals cannot settle equality,
        // which happens when √(2w) is rational, e.g. w = 2 or 1/8).
        if let Some(g) = &s.max_gap {
            let gr = big_to_rug(&g.value);
            let mut within = false;
            for w in [alpha, beta] {
                let (below, on) = tversky_gap_exact(&g.value, w);
                within |= below || on;
                if !on {
                    let (ord, _) =
                        decide(|prec| tversky_gap_bound(w, prec), &gr, Precision::default())?;
                    if !tally.cross_check_once(
                        "exact and certified comparisons of the gap agree",
                        "(α, β, n, w) off the bound",
                        (ord == Ordering::Greater) == below,
                    ) {
                        problems.push(format!(
                            "{spec} n={m}: algebraic and interval comparisons of the gap disagree"
                        ));
                    }
                }
            }
            if !tally.statement_once("abs gap ≤ the √ bound", "(α, β, n) triples", within) {
                violation = violation.or(Some(g.witness));
            }
        }
        tick(m);
        last = Some(s);
    }
    let last = last.ok_or_else(|| Error::invalid("check needs n >= 1"))?;
    let spread = last
        .spread()
        .ok_or_else(|| Error::invalid("tversky spread undefined"))?;
    Ok(TverskyRun {
        spec,
        pair: p,
        spread,
        last,
        violation,
        problems,
    })
}

/// The finite-n spread along α + β = 1 with M = max(α, β):
/// M(n − M)/((1 − M)(n − 1 + M)) (proofs/tversky-dice.md, step 3).
fn tversky_line_spread(big_m: &Q, n: u64) -> Q {
    big_m * (qi(n) - big_m) / ((Q::one() - big_m) * (qi(n - 1) + big_m))
}

fn tversky_dice(n: u64, progress: &Progress) -> Result<Outcome> {
    let line: Vec<u64> = (1..20).collect(); // α = k/20, β = 1 − α
    let off: Vec<(Q, Q)> = TVERSKY_OFF_LINE
        .iter()
        .map(|(a, b)| Ok((constant(a)?, constant(b)?)))
        .collect::<Result<_>>()?;
    let total = (line.len() + off.len()) as u64 * n;
    let mut runs: Vec<TverskyRun> = Vec::new();
    let mut details = Vec::new();
    let mut tally = Tally::new(format!(
        "{} pairs (α, β): α = 1/20..19/20 with β = 1 − α, and α, β ∈ {{1/4, 1, 2}} off the \
         line; every (TP, FP, FN, TN) on n = 1..={n}",
        line.len() + off.len()
    ));
    let mut spreads: Vec<(u64, Q)> = Vec::new();
    for (gi, &k) in line.iter().enumerate() {
        let alpha = Q::new(k.into(), 20u64.into());
        let beta = Q::one() - &alpha;
        let run = tversky_at(&alpha, &beta, n, &mut tally, &|m| {
            progress.tick(gi as u64 * n + m, total)
        })?;
        // The spread at n equals the finite-n closed form.
        let big_m = alpha.clone().max(beta.clone());
        let closed = tversky_line_spread(&big_m, n);
        if !tally.cross_check_once(
            "spread at n along the line = M(n − M)/((1 − M)(n − 1 + M))",
            "values of α",
            run.spread == closed,
        ) {
            details.push(format!(
                "{}: spread {} at n = {n}, closed form M(n − M)/((1 − M)(n − 1 + M)) = {}",
                run.spec,
                format_q(&run.spread),
                format_q(&closed)
            ));
        }
        spreads.push((k, run.spread.clone()));
        runs.push(run);
    }
    for (oi, (a, b)) in off.iter().enumerate() {
        let base = (line.len() + oi) as u64 * n;
        runs.push(tversky_at(a, b, n, &mut tally, &|m| {
            progress.tick(base + m, total)
        })?);
    }
    // Spread along α + β = 1: exactly 1 at α = 1/2, strictly increasing away from it.
    for (k, sp) in &spreads {
        if !tally.cross_check_once(
            "spread 1 exactly at α = 1/2 only",
            "values of α",
            (*k == 10) == sp.is_one(),
        ) {
            details.push(format!("spread {} at α = {k}/20", format_q(sp)));
        }
    }
    for w in spreads.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let ok = if b.0 <= 10 { a.1 > b.1 } else { a.1 < b.1 };
        if !tally.cross_check_once(
            "spread strictly increasing in |α − 1/2|",
            "neighbouring α",
            ok,
        ) {
            details.push(format!(
                "spread not strictly monotone between α = {}/20 and {}/20",
                a.0, b.0
            ));
        }
    }
    for r in &runs {
        details.extend(r.problems.iter().cloned());
    }
    let violation = runs
        .iter()
        .find_map(|r| r.violation.map(|c| (r.pair.clone(), c)));
    details.insert(0, tally.summary());
    details.push(format!(
        "spread at n = {n} along α = k/20: {}",
        spreads
            .iter()
            .map(|(k, s)| format!("{k}:{}", decimal(s)))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    details.push(format!(
        "spread at n = {n} off the line: {}",
        runs[line.len()..]
            .iter()
            .map(|r| format!(
                "{}: {}",
                r.spec.trim_start_matches("tversky:"),
                decimal(&r.spread)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let reported = runs
        .iter()
        .find(|r| r.spec == "tversky:a=3/10,b=7/10")
        .ok_or_else(|| Error::invalid("grid misses α = 3/10"))?;
    details.push(format!(
        "tversky:a=3/10,b=7/10 at n = {n}: spread {} (limit 7/3)",
        format_q(&reported.spread)
    ));
    let witness_json = match &violation {
        Some((vp, c)) => witness(vp, c)?,
        None => {
            let s = &reported.last;
            let p = &reported.pair;
            json!({
                "candidate_spec": p.candidate.spec(),
                "min": witness(p, &s.min_ratio.as_ref().map(|e| e.witness).unwrap_or_default())?,
                "max": witness(p, &s.max_ratio.as_ref().map(|e| e.witness).unwrap_or_default())?,
            })
        }
    };
    let every = format!("every (TP, FP, FN, TN) on n = 1..={n} voxels at each pair");
    Ok(Outcome {
        parts: vec![
            Part::new(
                format!("ratio extremes and abs gap along α + β = 1 ({every})"),
                Scope::grid("α ∈ {1/20, 2/20, …, 19/20}, β = 1 − α"),
            ),
            Part::new(
                format!("ratio extremes and abs gap off the line ({every})"),
                Scope::grid("(α, β) ∈ {1/4, 1, 2}²"),
            ),
        ],
        status: Status::refuted_if(violation.is_some()),
        n,
        constant: Some(Constant::Exact(reported.spread.clone())),
        witness: Some(witness_json),
        consistent: tally.consistent(),
        details,
    })
}

/// Which Dice-family target a weighted-Hamming claim is about.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Dice,
    Jaccard,
}

fn whamming_dice(n: u64, progress: &Progress) -> Result<Outcome> {
    whamming(Target::Dice, n, progress)
}

fn whamming_jaccard(n: u64, progress: &Progress) -> Result<Outcome> {
    whamming(Target::Jaccard, n, progress)
}

fn whamming(target: Target, n: u64, progress: &Progress) -> Result<Outcome> {
    let tname = match target {
        Target::Dice => "dice",
        Target::Jaccard => "jaccard",
    };
    let weights = WHAMMING_WEIGHTS;
    let total = weights.len() as u64 * n;
    let mut tally = Tally::new(format!(
        "w ∈ {{{}}}, every (TP, FP, FN, TN) on n = 1..={n}",
        weights.join(", ")
    ));
    let mut bounded = None;
    let mut details = Vec::new();
    let mut summary = Vec::new();
    let mut reported = None;
    let mut zero_weight = None;
    for (wi, ws) in weights.iter().enumerate() {
        let w = constant(ws)?;
        let p = pair(tname, &format!("whamming:w={ws}"))?;
        let (mu, nu) = if w < Q::one() - &w {
            (w.clone(), Q::one() - &w)
        } else {
            (Q::one() - &w, w.clone())
        };
        let mut prev: Option<Q> = None;
        let mut last = None;
        for m in 1..=n {
            let s = spread_at(&p, m)?;
            let lo = s
                .min_ratio
                .clone()
                .ok_or_else(|| Error::invalid("no configuration"))?;
            let hi = s
                .max_ratio
                .clone()
                .ok_or_else(|| Error::invalid("no configuration"))?;
            let gap = s
                .max_gap
                .clone()
                .ok_or_else(|| Error::invalid("no configuration"))?;
            let closed_hi = match target {
                Target::Dice => &nu * qi(2 * m - 1) / qi(m),
                Target::Jaccard => nu.clone(),
            };
            let closed_lo = &mu / qi(m);
            let closed_gap = Q::one() - &mu / qi(m);
            let closed = hi.value == closed_hi
                && lo.value == closed_lo
                && gap.value == closed_gap
                && s.unbounded.is_none();
            let verified = ratio_ok(&p, &lo)? && ratio_ok(&p, &hi)? && gap_ok(&p, &gap)?;
            tally.cross_check_once("witnesses re-verified", "(w, n) pairs", verified);
            if !tally.cross_check_once(
                "inf, sup and abs gap = closed forms",
                "(w, n) pairs",
                closed,
            ) {
                details.push(format!(
                    "w={ws} n={m}: enumerated inf {} sup {} gap {}; closed forms {} {} {}",
                    format_q(&lo.value),
                    format_q(&hi.value),
                    format_q(&gap.value),
                    format_q(&closed_lo),
                    format_q(&closed_hi),
                    format_q(&closed_gap)
                ));
            }
            match s.spread() {
                Some(sp) => {
                    tally.cross_check_once(
                        "spread finite iff 0 < w < 1 (inf 0 at w ∈ {0, 1})",
                        "(w, n) pairs",
                        !mu.is_zero(),
                    );
                    // Unbounded growth: the spread strictly increases with n.
                    if let Some(pv) = &prev {
                        let grows = sp > *pv;
                        if !tally.statement_once(
                            "spread strictly increasing in n",
                            "(w, n) pairs",
                            grows,
                        ) {
                            bounded = Some((ws.to_string(), m));
                        }
                    }
                    prev = Some(sp);
                }
                None => {
                    tally.cross_check_once(
                        "spread finite iff 0 < w < 1 (inf 0 at w ∈ {0, 1})",
                        "(w, n) pairs",
                        mu.is_zero(),
                    );
                }
            }
            progress.tick(wi as u64 * n + m, total);
            last = Some(s);
        }
        let s = last.ok_or_else(|| Error::invalid("check needs n >= 1"))?;
        summary.push(format!(
            "w={ws}: {}",
            s.spread().map_or("inf".to_string(), |q| format_q(&q))
        ));
        if *ws == "0" {
            let c = s.min_ratio.as_ref().map(|e| e.witness).unwrap_or_default();
            zero_weight = Some(witness(&p, &c)?);
        }
        if *ws == "1/2" {
            reported = Some((p, s));
        }
    }
    details.insert(0, tally.summary());
    details.push(format!("spread at n = {n}: {}", summary.join(", ")));
    let (p, s) = reported.ok_or_else(|| Error::invalid("grid misses w = 1/2"))?;
    let lo = s.min_ratio.as_ref().map(|e| e.witness).unwrap_or_default();
    let hi = s.max_ratio.as_ref().map(|e| e.witness).unwrap_or_default();
    Ok(Outcome {
        parts: vec![Part::new(
            format!(
                "inf, sup, spread and abs gap equal the closed forms, spread strictly increasing \
                 in n (every (TP, FP, FN, TN) on n = 1..={n} voxels at each w)"
            ),
            Scope::grid(format!("w ∈ {{{}}}", weights.join(", "))),
        )],
        status: Status::refuted_if(bounded.is_some()),
        n,
        constant: s.spread().map(Constant::Exact),
        witness: Some(json!({
            "candidate_spec": "whamming:w=1/2",
            "min": witness(&p, &lo)?,
            "max": witness(&p, &hi)?,
            "w0_infinite_ratio": zero_weight,
        })),
        consistent: tally.consistent(),
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_constants_parse() {
        for w in WHAMMING_WEIGHTS {
            constant(w).unwrap();
        }
        for (a, b) in TVERSKY_OFF_LINE {
            constant(a).unwrap();
            constant(b).unwrap();
        }
        let err = constant("1/O").unwrap_err().to_string();
        assert!(err.contains("registry constant \"1/O\""), "{err}");
    }

    #[test]
    fn tversky_gap_bound_is_decided_exactly_on_the_bound() {
        // w = 2: c = 4, bound (2 − 1)/(2 + 1) = 1/3; w = 1/8: c = 1/4, bound 1/3.
        for w in [qi(2), Q::new(1.into(), 8u64.into())] {
            let third = Q::new(1.into(), 3u64.into());
            assert_eq!(tversky_gap_exact(&third, &w), (false, true));
            let below = Q::new(33.into(), 100u64.into());
            assert_eq!(tversky_gap_exact(&below, &w), (true, false));
            let above = Q::new(34.into(), 100u64.into());
            assert_eq!(tversky_gap_exact(&above, &w), (false, false));
        }
        // w = 1 (Jaccard): bound 3 − 2√2 ≈ 0.1716.
        assert!(tversky_gap_exact(&Q::new(17.into(), 100u64.into()), &qi(1)).0);
        assert!(!tversky_gap_exact(&Q::new(18.into(), 100u64.into()), &qi(1)).0);
    }

    #[test]
    fn tversky_line_spread_is_the_ratio_of_the_extremes() {
        // M(n − M)/((1 − M)(n − 1 + M)) = [M(2n−1)/(n−1+M)] / [m(2n−1)/(n−1+m)].
        for n in 2..30u64 {
            for k in 10..20u64 {
                let big_m = Q::new(k.into(), 20u64.into());
                let m = Q::one() - &big_m;
                let at = |w: &Q| qi(2 * n - 1) * w / (qi(n - 1) + w);
                assert_eq!(tversky_line_spread(&big_m, n), at(&big_m) / at(&m));
            }
        }
    }
}
