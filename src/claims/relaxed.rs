//! Claims on the relaxed domain (theory §1 and claims 3 and 8): soft Dice and soft
//! Jaccard keep the factor-2 relation inside the cube, the Lovász extension of the
//! Jaccard loss is an exact, convex extension computed correctly by the fast
//! algorithm, and how far the Lovász extension and soft Jaccard drift apart.

use num_traits::{One, Zero};
use serde_json::{json, Value as Json};

use super::schema::Constant;
use super::tally::Tally;
use super::{Claim, Outcome, Part, Progress, Scope, Status};
use crate::enumerate::relaxed::{self, Domain};
use crate::error::{Error, Result};
use crate::exact::{decimal, format_q, Q};
use crate::properties::{self, Verdict};
use crate::surrogates::soft::{lovasz_extension_definition, lovasz_jaccard_fast, parse_soft};

pub(super) fn claims() -> Vec<Claim> {
    vec![
        Claim {
            name: "soft-dice-jaccard",
            statement: "on the whole relaxed domain (soft predictions and soft labels) SJ = \
                        2·SD/(1 + SD) exactly, hence SD ≤ SJ ≤ 2·SD, with inf SJ/SD = 1 and sup 2, \
                        not attained; on the grid {0, 1/k, …, 1}ⁿ the sup is (2nk − 1)/(nk)",
            expected: Status::HoldsOnSample,
            quick_n: 2,
            default_n: 3,
            max_n: 3,
            check: soft_dice_jaccard,
        },
        Claim {
            name: "lovasz-extension",
            statement:
                "the Lovász extension of the Jaccard loss equals Δ_J at every vertex of the \
                        cube, the O(n log n) sort-based algorithm equals the definition, and the \
                        extension is convex",
            expected: Status::HoldsOnSample,
            quick_n: 4,
            default_n: 6,
            max_n: 6,
            check: lovasz_extension,
        },
        Claim {
            name: "lovasz-vs-soft-jaccard",
            statement: "inside the cube (hard labels y, K = |y|) the Lovász extension L and soft \
                        Jaccard SJ both extend Δ_J, and L ≤ SJ with sup L/SJ = 1. For y = ∅: \
                        L = max_i p_i and SJ = 1, so inf L/SJ = 0 and sup |L − SJ| = 1, neither \
                        attained. For y ≠ ∅: L/SJ ≥ K/|y ∪ supp m| ≥ 1/n (inf 1/n, not attained \
                        for n ≥ 2) and sup (SJ − L) ≥ (√n − 1)/(√n + 1) (equality conjectured)",
            expected: Status::HoldsOnSample,
            quick_n: 2,
            default_n: 3,
            max_n: 4,
            check: lovasz_vs_soft_jaccard,
        },
    ]
}

fn q(n: u64, d: u64) -> Q {
    Q::new(n.into(), d.into())
}

fn soft_dice_jaccard(n: u64, progress: &Progress) -> Result<Outcome> {
    let sd = parse_soft("soft-dice")?;
    let sj = parse_soft("soft-jaccard")?;
    let n32 = u32::try_from(n).map_err(|_| Error::invalid("n too large"))?;
    let mut tally = Tally::new(format!(
        "n = 1..={n}: soft labels and predictions on {{0, 1/4, …, 1}}ⁿ, hard labels with \
         predictions on {{0, 1/6, …, 1}}ⁿ, 3000 random rational points per n (denominators \
         ≤ 1000)"
    ));
    let mut violation = None;
    let mut details = Vec::new();
    let mut best = None;
    let mut grid_sup = None;
    let domains = [
        (Domain::Grid { k: 4 }, true),
        (Domain::Grid { k: 6 }, false),
        (
            Domain::Random {
                m: 3000,
                den: 1000,
                seed: 1,
            },
            true,
        ),
    ];
    let total = domains.len() as u64 * n;
    for (di, (domain, soft)) in domains.iter().enumerate() {
        for m in 1..=n32 {
            let s = relaxed::run(&*sd, &*sj, m, *domain, *soft)?;
            let (lo, hi) = (s.min_ratio.clone(), s.max_ratio.clone());
            let within = s.unbounded.is_none()
                && lo.as_ref().is_none_or(|e| e.value >= q(1, 1))
                && hi.as_ref().is_none_or(|e| e.value < q(2, 1));
            if !tally.statement_once("SD ≤ SJ < 2·SD", "(domain, n) runs", within) {
                violation = s
                    .unbounded
                    .clone()
                    .or(hi.as_ref().map(|e| e.witness.clone()));
            }
            // On a grid {0, 1/k, …, 1}^m the extremes are known exactly: inf 1 and
            // sup (2mk − 1)/(mk) (proofs/soft-dice-jaccard.md).
            if let Domain::Grid { k } = domain {
                let mk = m as u64 * k;
                let exact = lo.as_ref().is_some_and(|e| e.value == q(1, 1))
                    && hi.as_ref().is_some_and(|e| e.value == q(2 * mk - 1, mk));
                if !tally.cross_check_once(
                    "grid inf SJ/SD = 1 and sup = (2nk − 1)/(nk) exactly",
                    "(grid, n) runs",
                    exact,
                ) {
                    details.push(format!(
                        "grid k={k}, n={m}: extremes differ from [1, {}]",
                        format_q(&q(2 * mk - 1, mk))
                    ));
                }
            }
            // The identity at the extreme points, exactly.
            for e in s.min_ratio.iter().chain(s.max_ratio.iter()) {
                let d = sd.loss(&e.witness.y, &e.witness.p)?.unwrap_or_default();
                let j = sj.loss(&e.witness.y, &e.witness.p)?.unwrap_or_default();
                let identity = j == q(2, 1) * &d / (q(1, 1) + &d);
                if !tally.cross_check_once(
                    "SJ = 2·SD/(1 + SD) at the extremes",
                    "extremes",
                    identity,
                ) {
                    details.push(format!("identity fails at {}", e.witness.short()));
                }
            }
            if matches!(domain, Domain::Grid { k: 6 }) && m == n32 {
                grid_sup = s.max_ratio.clone();
            }
            if let (Domain::Random { .. }, Some(e)) = (domain, s.max_ratio) {
                if best
                    .as_ref()
                    .is_none_or(|b: &crate::analysis::Extreme<_>| e.value > b.value)
                {
                    best = Some(e);
                }
            }
            progress.tick(di as u64 * n + m as u64, total);
        }
    }
    // The identity on every point of a small soft grid, not only at the extremes.
    for y in properties::grid(2, 4) {
        for p in properties::grid(2, 4) {
            let d = sd.loss(&y, &p)?;
            let j = sj.loss(&y, &p)?;
            let identity = match (d, j) {
                (Some(d), Some(j)) => j == q(2, 1) * &d / (q(1, 1) + &d),
                (None, None) => true,
                _ => false,
            };
            tally.cross_check_once(
                "SJ = 2·SD/(1 + SD) on the 2-voxel soft grid {0, 1/4, …, 1}² × {0, 1/4, …, 1}²",
                "points",
                identity,
            );
        }
    }
    let best = best.ok_or_else(|| Error::invalid("no point with SD > 0"))?;
    let grid_sup = grid_sup.ok_or_else(|| Error::invalid("no grid point with SD > 0"))?;
    details.insert(0, tally.summary());
    details.push(format!(
        "constant: the sup of SJ/SD on {{0, 1/6, …, 1}}^{n} with hard labels, (2nk − 1)/(nk) = {}; \
         over the whole domain the sup is 2, not attained (SJ/SD = 2/(1 + SD) → 2 as SD → 0); \
         largest ratio among the random points (an observation): {}",
        format_q(&grid_sup.value),
        format_q(&best.value)
    ));
    let refuted = violation.is_some();
    let witness = match violation {
        Some(v) => v.to_json(),
        None => json!({
            "grid_sup": {"grid": format!("{{0, 1/6, …, 1}}^{n}, hard labels"),
                         "value": format_q(&grid_sup.value), "at": grid_sup.witness.to_json()},
            "domain_sup": "2, not attained",
        }),
    };
    Ok(Outcome {
        parts: vec![
            Part::new(
                "SD ≤ SJ < 2·SD, inf SJ/SD = 1 and sup (2nk − 1)/(nk) exactly, identity at the extremes",
                Scope::grid(format!(
                    "n = 1..={n}: soft labels and predictions on {{0, 1/4, …, 1}}ⁿ; hard labels \
                     with predictions on {{0, 1/6, …, 1}}ⁿ"
                )),
            ),
            Part::new(
                "SJ = 2·SD/(1 + SD) exactly",
                Scope::grid("every point of {0, 1/4, …, 1}² × {0, 1/4, …, 1}² (labels × predictions)"),
            ),
            Part::new(
                format!("SD ≤ SJ < 2·SD on random rationals (denominators ≤ 1000), n = 1..={n}"),
                Scope::sampled(3000 * n, "enumerate::relaxed Domain::Random (crate::rng, stream 0x5eed)", 1),
            ),
        ],
        status: Status::refuted_if(refuted),
        n,
        constant: Some(Constant::Exact(grid_sup.value.clone())),
        witness: Some(witness),
        consistent: tally.consistent(),
        details,
    })
}

fn lovasz_extension(n: u64, progress: &Progress) -> Result<Outcome> {
    let n32 = u32::try_from(n).map_err(|_| Error::invalid("n too large"))?;
    let jac = crate::measures::parse_measure("jaccard")?;
    let mut tally = Tally::new(format!("every hard label vector y on n = 1..={n}"));
    let mut refuted = None;
    let mut details = Vec::new();
    for m in 1..=n32 {
        for y in 0..(1u64 << m) {
            let labels: Vec<bool> = (0..m).map(|i| y >> i & 1 == 1).collect();
            // Δ_J of an error set M (ŷ = y xor M), the set function being extended.
            let set_loss = |err: u64| -> Result<Q> {
                let c = crate::counts::Counts::from_bits(y, y ^ err, m);
                Ok(jac
                    .loss(&c, crate::measures::EmptyPolicy::One)?
                    .exact()
                    .cloned()
                    .unwrap_or_default())
            };
            let fast = |errors: &[Q]| -> Result<Q> { Ok(lovasz_jaccard_fast(&labels, errors)) };
            // 1. Equal to Δ_J at every vertex.
            let what = "extension = Δ_J at every vertex";
            match properties::extension(fast, set_loss, m)? {
                Verdict::Holds { checked } => {
                    tally.statement(what, "vertex checks", checked, checked);
                }
                Verdict::Refuted { witness, detail } => {
                    tally.statement_once(what, "vertex checks", false);
                    refuted = Some(
                        json!({"property": "extension", "y": labels_str(&labels), "witness": witness, "detail": detail}),
                    );
                }
            }
            // 2. Fast algorithm = definition, on a grid of error vectors.
            let k = if m <= 3 { 4 } else { 2 };
            for errors in properties::grid(m as usize, k) {
                let def = lovasz_extension_definition(
                    |set: &[bool]| {
                        let e = set
                            .iter()
                            .enumerate()
                            .fold(0u64, |a, (i, &b)| a | (b as u64) << i);
                        set_loss(e).unwrap_or_default()
                    },
                    &errors,
                );
                if !tally.cross_check_once(
                    "sort-based algorithm = definition on the error grids",
                    "error vectors",
                    def == lovasz_jaccard_fast(&labels, &errors),
                ) {
                    details.push(format!(
                        "fast ≠ definition at y={} m={errors:?}",
                        labels_str(&labels)
                    ));
                }
            }
            // 3. Convex: exact midpoint and quarter-point checks on random segments.
            let segments = properties::random_segments(m as usize, 40, 12, y + 1);
            let what = "midpoint and quarter-point convexity on 40 random segments per y";
            match properties::convex_midpoint(fast, &segments)? {
                Verdict::Holds { checked } => {
                    tally.statement(what, "exact checks", checked, checked);
                }
                Verdict::Refuted { witness, detail } => {
                    tally.statement_once(what, "exact checks", false);
                    refuted = Some(
                        json!({"property": "convexity", "y": labels_str(&labels), "witness": witness, "detail": detail}),
                    );
                }
            }
        }
        progress.tick(m as u64, n);
    }
    details.insert(0, tally.summary());
    Ok(Outcome {
        parts: vec![
            Part::new(
                "the extension equals Δ_J at every vertex of the cube",
                Scope::exhaustive(format!("every hard label y and all 2ⁿ vertices, n = 1..={n}")),
            ),
            Part::new(
                "the sort-based algorithm equals the definition (sum over the sorted chain)",
                Scope::grid(format!(
                    "every hard label y, error vectors on {{0, 1/4, …, 1}}ⁿ for n ≤ 3 and \
                     {{0, 1/2, 1}}ⁿ for n = 4..={n}"
                )),
            ),
            Part::new(
                "midpoint and quarter-point convexity, exactly",
                Scope::sampled(
                    40 * ((1u64 << (n + 1)) - 2),
                    "properties::random_segments (crate::rng, rand_xoshiro SplitMix64), 40 segments per y, coordinates on {0, 1/12, …, 1}, seed = y + 1 for each label vector y",
                    1,
                ),
            ),
        ],
        status: Status::refuted_if(refuted.is_some()),
        n,
        constant: None,
        witness: refuted,
        consistent: tally.consistent(),
        details,
    })
}

fn labels_str(l: &[bool]) -> String {
    l.iter().map(|&b| if b { '1' } else { '0' }).collect()
}

/// What the lovasz-vs-soft-jaccard check saw for one side of y = ∅ / y ≠ ∅.
#[derive(Default)]
struct LsjSide {
    points: u64,
    /// inf L/SJ with its point (SJ > 0).
    min_ratio: Option<(Q, Json)>,
    /// sup (SJ − L) with its point.
    max_gap: Option<(Q, Json)>,
}

impl LsjSide {
    fn see(&mut self, ratio: Q, gap: Q, at: impl Fn() -> Json) {
        self.points += 1;
        if self.min_ratio.as_ref().is_none_or(|(r, _)| ratio < *r) {
            self.min_ratio = Some((ratio, at()));
        }
        if self.max_gap.as_ref().is_none_or(|(g, _)| gap > *g) {
            self.max_gap = Some((gap, at()));
        }
    }

    fn json(&self) -> Json {
        let f = |e: &Option<(Q, Json)>| {
            e.as_ref()
                .map(|(v, at)| json!({"value": format_q(v), "at": at}))
        };
        json!({"points": self.points, "min_ratio": f(&self.min_ratio), "max_gap": f(&self.max_gap)})
    }
}

/// The tally of the lovasz-vs-soft-jaccard check over every point visited.
#[derive(Default)]
struct LsjTally {
    empty: LsjSide,
    nonempty: LsjSide,
    /// Points where a proved relation failed, with the relation.
    broken: Vec<String>,
    /// Nonempty-y points with SJ − L above (√n − 1)/(√n + 1) (the conjecture).
    above_conjecture: Vec<String>,
}

/// SJ − L ≤ (√n − 1)/(√n + 1), decided exactly: for g < 1 it is n(1 − g)² ≥ (1 + g)².
fn within_conjecture(g: &Q, n: u32) -> bool {
    let one = Q::one();
    *g < one && Q::from_integer(n.into()) * (&one - g) * (&one - g) >= (&one + g) * (&one + g)
}

/// One point (y hard, p soft): checks the proved relations and tallies it.
fn lsj_point(
    t: &mut LsjTally,
    sj_loss: &dyn crate::surrogates::soft::SoftLoss,
    y: &[bool],
    p: &[Q],
) -> Result<()> {
    let n = y.len() as u32;
    let yq: Vec<Q> = y
        .iter()
        .map(|&b| if b { Q::one() } else { Q::zero() })
        .collect();
    let m: Vec<Q> = yq
        .iter()
        .zip(p)
        .map(|(a, b)| if a > b { a - b } else { b - a })
        .collect();
    if m.iter().all(Zero::is_zero) {
        return Ok(()); // p = y: both 0
    }
    let l = lovasz_jaccard_fast(y, &m);
    let sj = sj_loss.loss(&yq, p)?.unwrap_or_default();
    let at = || json!({"y": labels_str(y), "p": p.iter().map(format_q).collect::<Vec<_>>()});
    let k = y.iter().filter(|&&b| b).count() as u64;
    if l > sj {
        t.broken.push(format!("L > SJ at {}", at()));
    }
    if k == 0 {
        let max = m.iter().max().cloned().unwrap_or_default();
        if l != max || !sj.is_one() {
            t.broken
                .push(format!("y = ∅ but L ≠ max m or SJ ≠ 1 at {}", at()));
        }
        t.empty.see(&l / &sj, &sj - &l, at);
    } else {
        let support = y
            .iter()
            .zip(&m)
            .filter(|(&yi, mi)| yi || !mi.is_zero())
            .count() as u64;
        let ratio = &l / &sj;
        if ratio < Q::new(k.into(), support.into()) {
            t.broken.push(format!("L/SJ < K/|y ∪ supp m| at {}", at()));
        }
        let gap = &sj - &l;
        if !within_conjecture(&gap, n) {
            t.above_conjecture
                .push(format!("SJ − L = {} at {}", format_q(&gap), at()));
        }
        t.nonempty.see(ratio, gap, at);
    }
    Ok(())
}

fn lovasz_vs_soft_jaccard(n: u64, progress: &Progress) -> Result<Outcome> {
    const RANDOM: u64 = 2000;
    const SEED: u64 = 0x1075;
    let sj = parse_soft("soft-jaccard")?;
    let n32 = u32::try_from(n)
        .ok()
        .filter(|k| (1..=6).contains(k))
        .ok_or_else(|| Error::invalid("lovasz-vs-soft-jaccard is checked for 1 <= n <= 6"))?;
    let mut details = Vec::new();
    let mut last = LsjTally::default();
    let mut broken = Vec::new();
    let mut above = Vec::new();
    let mut rng = crate::search::rng::Rng::new(SEED, 0);
    for m in 1..=n32 {
        let k = if m <= 2 { 12 } else { 6 };
        let mut t = LsjTally::default();
        for ybits in 0..(1u64 << m) {
            let y: Vec<bool> = (0..m).map(|i| ybits >> i & 1 == 1).collect();
            for p in properties::grid(m as usize, k) {
                lsj_point(&mut t, &*sj, &y, &p)?;
            }
        }
        let mut r = LsjTally::default();
        for _ in 0..RANDOM {
            let y: Vec<bool> = (0..m).map(|_| rng.upto(1) == 1).collect();
            let p: Vec<Q> = (0..m)
                .map(|_| {
                    let d = 1 + rng.upto(999);
                    Q::new(rng.upto(d).into(), d.into())
                })
                .collect();
            lsj_point(&mut r, &*sj, &y, &p)?;
        }
        let f = |e: &Option<(Q, Json)>| {
            e.as_ref().map_or("-".to_string(), |(v, at)| {
                format!("{} ≈ {} at {at}", format_q(v), decimal(v))
            })
        };
        details.push(format!(
            "n = {m}, hard labels, p on {{0, 1/{k}, …, 1}}ⁿ: y = ∅ ({} points): inf L/SJ = {}, \
             sup (SJ − L) = {}; y ≠ ∅ ({} points): inf L/SJ = {} (bound 1/{m}), sup (SJ − L) = {}",
            t.empty.points,
            f(&t.empty.min_ratio),
            f(&t.empty.max_gap),
            t.nonempty.points,
            f(&t.nonempty.min_ratio),
            f(&t.nonempty.max_gap)
        ));
        broken.extend(t.broken.drain(..).chain(r.broken.drain(..)));
        above.extend(
            t.above_conjecture
                .drain(..)
                .chain(r.above_conjecture.drain(..)),
        );
        progress.tick(m as u64, n);
        last = t;
    }
    let consistent = broken.is_empty();
    details.insert(
        0,
        format!(
            "at every grid point and {RANDOM} random points per n (every proved relation checked \
             exactly: L ≤ SJ; y = ∅ ⇒ L = max m, SJ = 1; y ≠ ∅ ⇒ L/SJ ≥ K/|y ∪ supp m|): {} \
             failures; conjecture sup_{{y≠∅}} (SJ − L) ≤ (√n − 1)/(√n + 1), decided exactly by \
             n(1 − g)² ≥ (1 + g)²: {} points above it",
            broken.len(),
            above.len()
        ),
    );
    details.push(
        "proved (proofs/lovasz-vs-soft-jaccard.md): sup |L − SJ| = 1 over all y (y = ∅, \
         p = (ε, 0, …), not attained), inf L/SJ = 0 for y = ∅ and 1/n for y ≠ ∅ (not attained \
         for n ≥ 2); the grid values above are 1 − 1/k and (k + n − 1)/(nk), artefacts of the \
         grid resolution"
            .into(),
    );
    details.extend(broken.iter().take(5).cloned());
    details.extend(
        above
            .iter()
            .take(5)
            .map(|a| format!("conjecture exceeded: {a}")),
    );
    let bound = (f64::from(n32).sqrt() - 1.0) / (f64::from(n32).sqrt() + 1.0);
    let witness = json!({
        "y_empty": last.empty.json(),
        "y_nonempty": last.nonempty.json(),
        "conjecture": {"bound": format!("(√{n32} − 1)/(√{n32} + 1) ≈ {bound:.6}"),
                       "points_above": above.len()},
        "sup_abs_gap": {"value": "1", "attained": false, "family": "y = ∅, p = (ε, 0, …, 0), ε → 0"},
    });
    let grid = format!("every hard label y, p on {{0, 1/12, …, 1}}ⁿ for n ≤ 2 and {{0, 1/6, …, 1}}ⁿ for n = 3..={n}");
    let sample = |what: &str| {
        Part::new(
            what,
            Scope::sampled(
                RANDOM * n,
                "crate::rng::Rng (rand_xoshiro SplitMix64, stream 0), y uniform, p = j/d with d ≤ 1000",
                SEED,
            ),
        )
    };
    Ok(Outcome {
        parts: vec![
            Part::new(
                "L ≤ SJ; y = ∅: L = max m and SJ = 1; y ≠ ∅: L/SJ ≥ K/|y ∪ supp m|",
                Scope::grid(grid.clone()),
            ),
            sample("L ≤ SJ; y = ∅: L = max m and SJ = 1; y ≠ ∅: L/SJ ≥ K/|y ∪ supp m|"),
            Part::new(
                "conjecture (unproved): y ≠ ∅ ⇒ SJ − L ≤ (√n − 1)/(√n + 1)",
                Scope::grid(grid),
            ),
            sample("conjecture (unproved): y ≠ ∅ ⇒ SJ − L ≤ (√n − 1)/(√n + 1)"),
        ],
        status: Status::refuted_if(!above.is_empty()),
        n,
        constant: Some(Constant::Exact(Q::one())),
        witness: Some(witness),
        consistent,
        details,
    })
}
