//! diceproof: exact arithmetic for how segmentation losses relate to Dice and Jaccard.
//!
//! Data flows one way through the modules:
//!
//! ```text
//! io (NIfTI, PNG, NPY files) ─► masks (explicit foreground rules, bit strings)
//!                             ─► counts (TP, FP, FN, TN, per label)
//!                             ─► measures (one generic formula per loss, EmptyPolicy)
//!                             ─► surrogates (soft losses on probabilities), risk
//!                             ─► enumerate (every configuration, sharded, resumable)
//!                             ─► analysis, search, properties, prove
//!                             ─► claims (the registry of checked statements)
//!                             ─► plots, report
//!                             ─► cli (commands, text and JSON output)
//! exact (rationals, number parsing, certified MPFR intervals) serves every stage;
//! schema holds the file formats every writer and reader shares.
//! ```
//!
//! `stats` (the training statistics) sits beside `analysis`; `data` and `train`
//! (feature `training`) are the MRI training run.
//! Nothing below `cli` imports `cli` (`tests/layering.rs` fails if one does), so
//! every example below is plain library code.
//!
//! # One example per layer
//!
//! Each example is a doctest (`cargo test --doc`), so it runs as written; all of
//! them together take well under a second.
//!
//! **io → masks → counts.** Files become [`io::Volume`]s, a foreground rule turns
//! a volume into a mask, and two masks become confusion [`Counts`]. The rule is
//! explicit: a float voxel that is neither 0 nor 1 is an error, not a guess.
//!
//! ```
//! use diceproof::io::{read_volume, write_volume, Volume, VoxelData};
//! use diceproof::masks::{mask_from_volume, MaskOptions};
//! use diceproof::Counts;
//!
//! let dir = std::env::temp_dir().join(format!("diceproof-doc-io-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("gt.npy");
//! let gt = Volume { shape: vec![2, 3], data: VoxelData::U8(vec![0, 1, 1, 0, 0, 2]) };
//! write_volume(&path, &gt).unwrap();
//! let back = read_volume(&path).unwrap();
//! assert_eq!(back, gt);
//! let gt_mask = mask_from_volume(&back, MaskOptions::default(), "gt.npy").unwrap();
//! let pred_mask = [false, true, false, false, true, true];
//! let c = Counts::from_bools(&gt_mask, &pred_mask).unwrap();
//! assert_eq!((c.tp, c.fp, c.fn_, c.tn), (2, 1, 1, 2));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! **measures.** One generic formula per loss, evaluated as exact rationals (and
//! in `f64` from the same code). The empty-mask case is a policy, not an epsilon.
//!
//! ```
//! use diceproof::{parse_measure, Counts, EmptyPolicy, Value};
//! use diceproof::masks::parse_bits;
//!
//! let gt = parse_bits("0110").unwrap();
//! let pred = parse_bits("0100").unwrap();
//! let c = Counts::from_bools(&gt, &pred).unwrap();
//! let dice = parse_measure("dice").unwrap();
//! let sim = dice.similarity(&c, EmptyPolicy::One).unwrap();
//! assert_eq!(sim.to_string(), "2/3");
//! // Any spec the CLI accepts works here, user formulas included.
//! let smoothed = parse_measure("expr:(fp+fn)/(2*tp+fp+fn+1)").unwrap();
//! assert_eq!(smoothed.loss(&c, EmptyPolicy::One).unwrap().to_string(), "1/4");
//! // Both masks empty: the policy, not an epsilon, decides.
//! let empty = Counts::new(0, 0, 0, 4).unwrap();
//! assert_eq!(dice.similarity(&empty, EmptyPolicy::Nan).unwrap(), Value::NaN);
//! ```
//!
//! **surrogates.** Soft losses take probabilities, not masks; with rational
//! probabilities they are exact too.
//!
//! ```
//! use diceproof::exact::parse_rational;
//! use diceproof::surrogates::soft::parse_soft;
//!
//! let q = |s: &str| parse_rational(s).unwrap();
//! let y = [q("1"), q("0"), q("0")];
//! let p = [q("1/2"), q("1/4"), q("0")];
//! let soft_dice = parse_soft("soft-dice").unwrap();
//! // 1 − 2·(1/2) / (1 + 3/4) = 3/7
//! assert_eq!(soft_dice.loss(&y, &p).unwrap(), Some(q("3/7")));
//! ```
//!
//! **enumerate → analysis: compare two specs.** Every configuration on n voxels,
//! visited once per count tuple with its multiplicity; the [`analysis::Spread`]
//! keeps the exact extremes of Δ_candidate/Δ_target and their witnesses.
//!
//! ```
//! use diceproof::analysis::{Pair, Spread};
//! use diceproof::enumerate::count_space;
//! use diceproof::exact::format_q;
//! use diceproof::{parse_measure, EmptyPolicy};
//!
//! let pair = Pair::new(
//!     parse_measure("dice").unwrap(),
//!     parse_measure("jaccard").unwrap(),
//!     EmptyPolicy::One,
//! )
//! .unwrap();
//! let n = 4;
//! let mut all = Spread::default();
//! for tp in 0..count_space::chunks(n) {
//!     all.merge(count_space::run_chunk(&pair, n, tp).unwrap());
//! }
//! assert_eq!(all.configurations, 256u32.into()); // 4⁴ mask pairs
//! let max = all.max_ratio.unwrap();
//! // Δ_J/Δ_D = (2n − 1)/n at n = 4, attained at TP = 3 with one error.
//! assert_eq!(format_q(&max.value), "7/4");
//! assert_eq!(max.witness.tp, 3);
//! assert_eq!(format_q(&all.min_ratio.unwrap().value), "1");
//! ```
//!
//! **risk.** Expected Dice of a fixed prediction under independent Bernoulli
//! labels, exactly, and the expected-Dice-optimal decision.
//!
//! ```
//! use diceproof::exact::format_q;
//! use diceproof::risk::{expected_exact, parse_probs, RiskMetric};
//! use diceproof::EmptyPolicy;
//!
//! let probs = parse_probs("1/2,1/2").unwrap();
//! // Predict the first voxel only: Dice is 1 (y = 10), 2/3 (y = 11), 0 otherwise.
//! let e = expected_exact(&probs, &[true, false], &RiskMetric::Dice, EmptyPolicy::One).unwrap();
//! assert_eq!(format_q(&e), "5/12");
//! ```
//!
//! **claims.** Every statement diceproof settles is a registered [`claims::Claim`]
//! whose check returns a status qualified by what it covered.
//!
//! ```
//! use diceproof::claims::{self, Progress, Status};
//!
//! let claim = claims::select(&["dice-jaccard-relative".to_string()]).unwrap().remove(0);
//! let out = claim.run(12, &Progress::none()).unwrap();
//! assert_eq!(out.status, Status::Holds); // exhaustive over every configuration
//! assert!(claims::as_expected(&claim, &out));
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod buffers;
pub mod claims;
pub mod cli;
pub mod counts;
pub mod data;
pub mod enumerate;
pub mod error;
pub mod exact;
pub mod io;
pub mod masks;
pub mod measures;
pub mod plots;
pub mod progress;
pub mod properties;
pub mod prove;
#[cfg(feature = "python")]
mod python;
pub mod report;
pub mod risk;
pub mod rng;
pub mod schema;
pub mod search;
pub mod stats;
pub mod surrogates;
pub mod table;
#[cfg(feature = "training")]
pub mod train;

pub use counts::Counts;
pub use error::{Error, Result};
pub use measures::{parse_measure, EmptyPolicy, Measure, Value};
