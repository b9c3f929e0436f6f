//! The JSON form of a [`Spread`]: what `compare --json` prints, what checkpoints and
//! shard files store, and what `merge` reads back. The format is the typed
//! [`crate::schema::spread`]; this module converts between it and [`Spread`].
//! Exact values are strings `p/q` so that nothing passes through a float on the
//! way.

use num_bigint::BigUint;

use super::{Extreme, Spread, Witness};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::{format_q, parse_rational};
use crate::schema::spread::{CountsDoc, GapDoc, RatioDoc, SpreadDoc};

/// A witness as `{"tp":…,"fp":…,"fn":…,"tn":…}` (no masks).
pub fn counts_doc(c: &Counts) -> CountsDoc {
    CountsDoc {
        tp: c.tp,
        fp: c.fp,
        fn_: c.fn_,
        tn: c.tn,
        gt: None,
        pred: None,
    }
}

fn counts_from(d: &Option<CountsDoc>, what: &str) -> Result<Counts> {
    let d = d
        .as_ref()
        .ok_or_else(|| Error::invalid(format!("{what}: a value without a witness")))?;
    Counts::new(d.tp, d.fp, d.fn_, d.tn)
}

fn big_from(s: &str, what: &str) -> Result<BigUint> {
    s.parse::<BigUint>()
        .map_err(|_| Error::invalid(format!("{what}: expected an integer string, got {s:?}")))
}

fn extreme_from(
    value: &Option<String>,
    witness: &Option<CountsDoc>,
    what: &str,
) -> Result<Option<Extreme>> {
    let Some(text) = value else {
        return Ok(None);
    };
    let q = parse_rational(text).map_err(|e| Error::invalid(format!("{what}: {e}")))?;
    Ok(Some(Extreme::from_q(q, counts_from(witness, what)?)))
}

fn value_of<W>(e: &Option<Extreme<W>>) -> Option<String> {
    e.as_ref().map(|e| format_q(&e.value))
}

/// The summary with count witnesses (the `compare --json` fields after
/// target/candidate/n/mode/empty).
pub fn spread_doc(s: &Spread) -> SpreadDoc<CountsDoc> {
    spread_doc_with(s, counts_doc)
}

/// The summary with witnesses written by `witness`.
pub fn spread_doc_with<W: Witness, D>(s: &Spread<W>, witness: impl Fn(&W) -> D) -> SpreadDoc<D> {
    let w = |e: &Option<Extreme<W>>| e.as_ref().map(|e| witness(&e.witness));
    SpreadDoc {
        configurations: s.configurations.to_string(),
        tuples: s.tuples,
        skipped: s.skipped.to_string(),
        ratio: RatioDoc {
            min: value_of(&s.min_ratio),
            max: if s.unbounded.is_some() {
                Some("inf".into())
            } else {
                value_of(&s.max_ratio)
            },
            unbounded: s.unbounded.is_some(),
            min_witness: w(&s.min_ratio),
            max_witness: match &s.unbounded {
                Some(u) => Some(witness(u)),
                None => w(&s.max_ratio),
            },
            max_finite: value_of(&s.max_ratio),
            max_finite_witness: w(&s.max_ratio),
            spread: s.spread().map(|q| format_q(&q)),
        },
        abs_gap: GapDoc {
            max: value_of(&s.max_gap),
            witness: w(&s.max_gap),
        },
    }
}

/// Reads a summary written by [`spread_doc`] (masks of voxel-mode witnesses are
/// not needed: the witness is the smallest configuration in count order).
pub fn spread_from_doc(d: &SpreadDoc<CountsDoc>) -> Result<Spread> {
    let unbounded = if d.ratio.unbounded {
        Some(counts_from(&d.ratio.max_witness, "ratio.max_witness")?)
    } else {
        None
    };
    Ok(Spread {
        configurations: big_from(&d.configurations, "configurations")?,
        tuples: d.tuples,
        skipped: big_from(&d.skipped, "skipped")?,
        min_ratio: extreme_from(&d.ratio.min, &d.ratio.min_witness, "ratio.min")?,
        max_ratio: extreme_from(
            &d.ratio.max_finite,
            &d.ratio.max_finite_witness,
            "ratio.max_finite",
        )?,
        unbounded,
        max_gap: extreme_from(&d.abs_gap.max, &d.abs_gap.witness, "abs_gap.max")?,
    })
}
