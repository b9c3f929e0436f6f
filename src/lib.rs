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
//! Analyses (enumeration, approximation spreads, search, properties, risk) and the
//! claims registry and report sit between `measures` and `cli` as they are added.

pub mod cli;
pub mod counts;
pub mod error;
pub mod exact;
pub mod io;
pub mod masks;
pub mod measures;

pub use counts::Counts;
pub use error::{Error, Result};
pub use measures::{parse_measure, EmptyPolicy, Measure, Value};
