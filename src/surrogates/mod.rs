//! Surrogates: losses on soft predictions (probabilities), evaluated exactly or with
//! certified intervals.
//!
//! Why a module of its own: training losses take probabilities p ∈ \[0,1\]^n, not
//! masks, so they are not functions of the confusion counts and the count-space
//! machinery of [`crate::measures`] and [`crate::enumerate`] does not apply.
//! Configurations here are grouped voxels with exact rational probabilities;
//! rational quantities (soft Dice, the decision's Hamming and Dice losses) are
//! computed exactly as [`crate::exact::Q`], and anything with a logarithm
//! (cross-entropy) as a certified [`crate::exact::interval::Interval`].
//!
//! * [`maps`]: exact sums and Lovász-Jaccard of whole probability maps read from files.
//! * [`wce`]: weighted cross-entropy, soft Dice on soft configurations, and exact and
//!   certified comparisons with multiples of ln 2.

pub mod lovasz;
pub mod maps;
pub mod presets;
pub mod soft;
pub mod soft_expr;
pub mod sums;
pub mod wce;
