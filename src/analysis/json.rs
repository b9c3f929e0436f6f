//! The JSON form of a [`Spread`]: what `compare --json` prints, what checkpoints and
//! shard files store, and what `merge` reads back. Exact values are strings `p/q`
//! so that nothing passes through a float on the way.

use num_bigint::BigUint;
use serde_json::{json, Value as Json};

use super::{Extreme, Spread, Witness};
use crate::counts::Counts;
use crate::error::{Error, Result};
use crate::exact::{format_q, parse_rational};

/// A witness as `{"tp":…,"fp":…,"fn":…,"tn":…}`.
pub fn counts_json(c: &Counts) -> Json {
    json!({"tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn})
}

fn counts_from(v: &Json, what: &str) -> Result<Counts> {
    let get = |k: &str| {
        v.get(k)
            .and_then(Json::as_u64)
            .ok_or_else(|| Error::invalid(format!("{what}: missing or invalid field {k:?}")))
    };
    Counts::new(get("tp")?, get("fp")?, get("fn")?, get("tn")?)
}

fn big_from(v: &Json, what: &str) -> Result<BigUint> {
    v.as_str()
        .and_then(|s| s.parse::<BigUint>().ok())
        .ok_or_else(|| Error::invalid(format!("{what}: expected an integer string")))
}

fn extreme_from(value: &Json, witness: &Json, what: &str) -> Result<Option<Extreme>> {
    if value.is_null() {
        return Ok(None);
    }
    let q = parse_rational(
        value
            .as_str()
            .ok_or_else(|| Error::invalid(format!("{what}: expected a string p/q")))?,
    )?;
    Ok(Some(Extreme::from_q(q, counts_from(witness, what)?)))
}

fn value_json<W>(e: &Option<Extreme<W>>) -> Json {
    e.as_ref()
        .map_or(Json::Null, |e| Json::String(format_q(&e.value)))
}

/// The summary as JSON (the `compare --json` fields after target/candidate/n/mode).
pub fn spread_to_json(s: &Spread) -> Json {
    spread_to_json_with(s, counts_json)
}

/// The summary as JSON with witnesses written by `witness`.
pub fn spread_to_json_with<W: Witness>(s: &Spread<W>, witness: impl Fn(&W) -> Json) -> Json {
    let w = |e: &Option<Extreme<W>>| e.as_ref().map_or(Json::Null, |e| witness(&e.witness));
    json!({
        "configurations": s.configurations.to_string(),
        "tuples": s.tuples,
        "skipped": s.skipped.to_string(),
        "ratio": {
            "min": value_json(&s.min_ratio),
            "max": if s.unbounded.is_some() { Json::String("inf".into()) } else { value_json(&s.max_ratio) },
            "unbounded": s.unbounded.is_some(),
            "min_witness": w(&s.min_ratio),
            "max_witness": match &s.unbounded {
                Some(u) => witness(u),
                None => w(&s.max_ratio),
            },
            "max_finite": value_json(&s.max_ratio),
            "max_finite_witness": w(&s.max_ratio),
            "spread": s.spread().map_or(Json::Null, |q| Json::String(format_q(&q))),
        },
        "abs_gap": {
            "max": value_json(&s.max_gap),
            "witness": w(&s.max_gap),
        },
    })
}

/// Reads a summary written by [`spread_to_json`].
pub fn spread_from_json(v: &Json) -> Result<Spread> {
    let ratio = &v["ratio"];
    let gap = &v["abs_gap"];
    let unbounded = if ratio["unbounded"].as_bool().unwrap_or(false) {
        Some(counts_from(&ratio["max_witness"], "ratio.max_witness")?)
    } else {
        None
    };
    Ok(Spread {
        configurations: big_from(&v["configurations"], "configurations")?,
        tuples: v["tuples"]
            .as_u64()
            .ok_or_else(|| Error::invalid("tuples: expected an integer"))?,
        skipped: big_from(&v["skipped"], "skipped")?,
        min_ratio: extreme_from(&ratio["min"], &ratio["min_witness"], "ratio.min")?,
        max_ratio: extreme_from(
            &ratio["max_finite"],
            &ratio["max_finite_witness"],
            "ratio.max_finite",
        )?,
        unbounded,
        max_gap: extreme_from(&gap["max"], &gap["witness"], "abs_gap.max")?,
    })
}
