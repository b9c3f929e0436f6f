//! diceproof: exact arithmetic for how segmentation losses relate to Dice and Jaccard.
//!
//! Data flows one way through the modules:
//!
//! ```text
//! io (NIfTI, PNG, NPY files) ─► masks (explicit foreground rules, bit strings)
//!                             ─► counts (TP, FP, FN, TN, per label)
//!                             ─► measures (exact losses on counts, EmptyPolicy)
//!                             ─► cli (commands, text and JSON output)
//! exact (rationals, number parsing, certified MPFR intervals) serves every stage.
//! ```
//!
//! Measuring two masks exactly:
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
//! // Both masks empty: the policy, not an epsilon, decides.
//! let empty = Counts::new(0, 0, 0, 4).unwrap();
//! assert_eq!(dice.similarity(&empty, EmptyPolicy::Nan).unwrap(), Value::NaN);
//! ```
//!
//! Analyses (enumeration, approximation spreads, search, properties, risk, the
//! training statistics) sit between `measures` and `cli`; the claims registry
//! turns them into checked statements, and `plots` and `report` draw and write
//! them up. `data` and `train` (feature `training`) are the MRI training run.

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
