//! File formats: the serde structs of every JSON file the crate writes and reads
//! back, one definition per format, always compiled.
//!
//! Why a module of its own: a format has two ends. The training run (feature
//! `training`) writes `results.json`; the statistics, the figures and `report`
//! read it without that feature. When each end kept its own structs they drifted
//! (three `results.json` schemas with different field types, one accepting a file
//! with no `task`, another reading `slice` as optional). A format defined once,
//! below every layer that touches it, cannot drift.
//!
//! Readers are strict: every field must be present with its type, so an older or
//! broken file is refused with serde's message naming the field (`missing field
//! \`slice\``, `invalid type: string "x", expected u64`) and the file, never filled
//! in with a default. Optional values are written as `null`, not left out.
//!
//! * [`results`]: `results.json` of a training run (per-image exact scores and
//!   training curves).
//!
//! * [`spread`]: the exact spread of `compare --json` and `merge --json`, and
//!   the enumerator's checkpoints and shard files.
//! * [`figures`]: each figure's `NAME.json` (one data struct per figure in a
//!   common envelope), written by `plot` and read back by `plot --from`.
//!
//! `stats.json` has two forms, each one set of serde types with its writer and
//! its strict reader side by side: a task's is [`crate::stats::TrainingReport`]
//! (`to_json` / `read`), the pooled one over tasks is
//! [`crate::stats::training::PooledReport`], whose writer reads the tasks' files
//! back through `TrainingReport::read`. Optional values are `null`, never left
//! out, and a missing field is an error naming it.

pub mod figures;
pub mod results;
pub mod spread;

/// Deserializes an `Option<T>` that must be present (as a value or `null`).
///
/// serde reads a missing `Option` field as `None`; with this as
/// `deserialize_with`, a missing field is an error naming it instead.
pub(crate) fn required<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d)
}
