//! The relaxed domain: soft predictions p on rational grids {0, 1/k, …, 1}ⁿ, or
//! seeded random rationals, with hard labels (every y ∈ {0,1}ⁿ) or soft labels on
//! the same grid.
//!
//! Why: soft Dice, soft Jaccard, JML, DML and the Lovász extension are defined
//! inside the cube, where the count shortcut does not apply; their relations are
//! checked on every grid point exactly, with the same mergeable [`Spread`] summary
//! (inf/sup of candidate/target, sup of the gap, witnesses) as hard labels.

use num_bigint::BigUint;
use serde_json::Value as Json;

use crate::analysis::{Spread, Val};
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::progress::{Progress, Ticker};
use crate::schema::spread::SoftPointDoc;
use crate::search::rng::Rng;
use crate::surrogates::soft::SoftLoss;

/// A point of the relaxed domain: labels y and prediction p (equal lengths).
/// Ordered lexicographically (y, then p), which is how ties between equal extremes
/// are broken.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SoftPoint {
    /// Labels, each in [0, 1] (0/1 for hard labels).
    pub y: Vec<Q>,
    /// Prediction probabilities, each in [0, 1].
    pub p: Vec<Q>,
}

impl SoftPoint {
    /// The point in its JSON form: `{"y": ["1", "0"], "p": ["1/2", "1/4"]}`.
    pub fn to_doc(&self) -> SoftPointDoc {
        let v = |x: &[Q]| x.iter().map(format_q).collect::<Vec<_>>();
        SoftPointDoc {
            y: v(&self.y),
            p: v(&self.p),
        }
    }

    /// The point as a JSON value (see [`SoftPoint::to_doc`]).
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self.to_doc()).unwrap_or(Json::Null)
    }

    /// A short form for tables: `y=(1,0) p=(1/2,1/4)`.
    pub fn short(&self) -> String {
        let v = |x: &[Q]| x.iter().map(format_q).collect::<Vec<_>>().join(",");
        format!("y=({}) p=({})", v(&self.y), v(&self.p))
    }
}

/// Which points to visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Every p in {0, 1/k, …, 1}ⁿ.
    Grid {
        /// Grid resolution.
        k: u64,
    },
    /// `m` seeded random points with denominators up to `den`.
    Random {
        /// Number of points.
        m: u64,
        /// Largest denominator.
        den: u64,
        /// Seed.
        seed: u64,
    },
}

/// Number of points a domain visits on n voxels, or `None` if it overflows.
pub fn size(n: u32, domain: Domain, soft_labels: bool) -> Option<u128> {
    match domain {
        Domain::Grid { k } => {
            let per = (k as u128 + 1).checked_pow(n)?;
            let labels = if soft_labels {
                per
            } else {
                1u128.checked_shl(n)?
            };
            per.checked_mul(labels)
        }
        Domain::Random { m, .. } => Some(m as u128),
    }
}

/// Every vector of {0, 1/k, …, 1}ⁿ in lexicographic order, as numerators.
fn grid_vectors(n: u32, k: u64) -> impl Iterator<Item = Vec<u64>> {
    let total = (k + 1).pow(n);
    (0..total).map(move |mut i| {
        let mut v = vec![0u64; n as usize];
        for slot in v.iter_mut().rev() {
            *slot = i % (k + 1);
            i /= k + 1;
        }
        v
    })
}

fn frac(num: u64, den: u64) -> Q {
    Q::new(num.into(), den.into())
}

/// Points visited between two calls of [`run_until`]'s `stop` check: about a
/// millisecond of exact arithmetic, so a stop is noticed well within a second.
pub const STOP_CHECK_EVERY: u64 = 256;

/// Visits every point of the domain and summarises candidate against target.
/// A loss's own 0/0 counts as 0 (the `one` policy); both zero is skipped.
pub fn run(
    target: &dyn SoftLoss,
    candidate: &dyn SoftLoss,
    n: u32,
    domain: Domain,
    soft_labels: bool,
) -> Result<Spread<SoftPoint>> {
    run_with_progress(target, candidate, n, domain, soft_labels, &Progress::none())
}

/// [`run`], asking `stop` every [`STOP_CHECK_EVERY`] points whether to give up
/// (the Python package's Ctrl-C); see [`run_with_progress`].
pub fn run_until(
    target: &dyn SoftLoss,
    candidate: &dyn SoftLoss,
    n: u32,
    domain: Domain,
    soft_labels: bool,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Spread<SoftPoint>> {
    struct Stop<'s>(&'s (dyn Fn() -> bool + Sync));
    impl crate::progress::Reporter for Stop<'_> {
        fn set_len(&self, _: u64) {}
        fn set_position(&self, _: u64) {}
        fn message(&self, _: &str) {}
        fn is_cancelled(&self) -> bool {
            (self.0)()
        }
    }
    let stop = Stop(stop);
    let progress = Progress::new(&stop);
    run_with_progress(target, candidate, n, domain, soft_labels, &progress)
}

/// [`run`], reporting the points visited to `progress` (length [`size`], one
/// report every 1024 points) and asking [`Progress::is_cancelled`] every
/// [`STOP_CHECK_EVERY`] points whether to give up (the CLI's and the Python
/// package's Ctrl-C): a grid of millions of points is otherwise one
/// uninterruptible call. A stop is an [`Error::Undecided`] saying how many points
/// were visited; no partial summary is returned, since it would describe only a
/// prefix of the domain.
pub fn run_with_progress(
    target: &dyn SoftLoss,
    candidate: &dyn SoftLoss,
    n: u32,
    domain: Domain,
    soft_labels: bool,
    progress: &Progress,
) -> Result<Spread<SoftPoint>> {
    if n == 0 {
        return Err(Error::invalid("the relaxed domain needs n >= 1"));
    }
    let total = size(n, domain, soft_labels).map_or(0, |t| u64::try_from(t).unwrap_or(u64::MAX));
    let ticker = Ticker::new(progress, total, 1024);
    let mut s: Spread<SoftPoint> = Spread::default();
    let mut visited = 0u64;
    let mut visit = |y: Vec<Q>, p: Vec<Q>| -> Result<()> {
        visited += 1;
        if visited % STOP_CHECK_EVERY == 0 && progress.is_cancelled() {
            return Err(Error::Undecided(format!(
                "stopped after {} of the domain's points",
                visited - 1
            )));
        }
        ticker.step();
        let value = |l: &dyn SoftLoss| -> Result<Val> {
            Ok(Val::from_q(
                l.loss(&y, &p)?.unwrap_or_else(|| Q::from_integer(0.into())),
            ))
        };
        let (t, c) = (value(target)?, value(candidate)?);
        let point = SoftPoint { y, p };
        s.visit(&point, &t, &c, || BigUint::from(1u32));
        s.configurations += 1u32;
        Ok(())
    };
    match domain {
        Domain::Grid { k } => {
            if k == 0 {
                return Err(Error::invalid("--grid K needs K >= 1"));
            }
            let labels: Vec<Vec<Q>> = if soft_labels {
                grid_vectors(n, k)
                    .map(|v| v.iter().map(|&x| frac(x, k)).collect())
                    .collect()
            } else {
                grid_vectors(n, 1)
                    .map(|v| v.iter().map(|&x| frac(x, 1)).collect())
                    .collect()
            };
            for y in &labels {
                for p in grid_vectors(n, k) {
                    visit(y.clone(), p.iter().map(|&x| frac(x, k)).collect())?;
                }
            }
        }
        Domain::Random { m, den, seed } => {
            if den == 0 {
                return Err(Error::invalid("random rationals need a denominator >= 1"));
            }
            let mut rng = Rng::new(seed, 0x5eed);
            let draw = |rng: &mut Rng| {
                let d = 1 + rng.upto(den - 1);
                frac(rng.upto(d), d)
            };
            for _ in 0..m {
                let y: Vec<Q> = (0..n)
                    .map(|_| {
                        if soft_labels {
                            draw(&mut rng)
                        } else {
                            frac(rng.upto(1), 1)
                        }
                    })
                    .collect();
                let p: Vec<Q> = (0..n).map(|_| draw(&mut rng)).collect();
                visit(y, p)?;
            }
        }
    }
    ticker.finish();
    Ok(s)
}

#[cfg(test)]
mod stop_tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::surrogates::soft::parse_soft;

    #[test]
    fn run_until_stops_at_the_first_check_and_otherwise_equals_run() {
        let (t, c) = (
            parse_soft("soft-dice").unwrap(),
            parse_soft("soft-jaccard").unwrap(),
        );
        let grid = Domain::Grid { k: 4 };
        // 2^3 labels × 5^3 predictions = 1000 points: several checks.
        let asked = AtomicU32::new(0);
        let err = run_until(&*t, &*c, 3, grid, false, &|| {
            asked.fetch_add(1, Ordering::Relaxed);
            true
        })
        .unwrap_err();
        assert_eq!(asked.load(Ordering::Relaxed), 1);
        assert!(
            matches!(&err, Error::Undecided(m) if m == &format!("stopped after {} of the domain's points", STOP_CHECK_EVERY - 1)),
            "{err}"
        );
        let never = run_until(&*t, &*c, 3, grid, false, &|| false).unwrap();
        let plain = run(&*t, &*c, 3, grid, false).unwrap();
        assert_eq!(never.configurations, plain.configurations);
        assert_eq!(never.configurations, 1000u32.into());
        assert_eq!(
            format!("{:?}", never.max_ratio),
            format!("{:?}", plain.max_ratio)
        );
    }
}
