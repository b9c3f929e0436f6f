//! Measure specs: the short names users type (`dice`, `tversky:a=3/10,b=7/10`,
//! `whamming:balanced`) and their parser.
//!
//! Grammar: `NAME` or `NAME:ARG,ARG,...` where an ARG is `key=value` or a bare word
//! (a flag such as `balanced`). Values are exact numbers read by
//! [`crate::exact::parse_rational`]. Unknown names, keys or flags are errors that
//! list what is valid: a typo never silently becomes a different loss.

use super::builtin::REGISTRY;
use super::expr::{CountExpr, EXPR_SYNTAX};
use super::{CountMeasure, Measure};
use crate::error::{Error, Result};
use crate::exact::{parse_rational, Q};

/// One registry entry.
pub struct MeasureInfo {
    /// Canonical name, the part of the spec before `:`.
    pub name: &'static str,
    /// Other accepted names.
    pub aliases: &'static [&'static str],
    /// The full syntax, shown in help and errors.
    pub syntax: &'static str,
    /// One line saying what the measure is.
    pub summary: &'static str,
    /// Builds the measure from its arguments.
    pub build: fn(&Args) -> Result<Box<dyn CountMeasure>>,
}

/// The arguments after `NAME:` in a spec.
#[derive(Debug, Default)]
pub struct Args {
    spec: String,
    items: Vec<(String, Option<String>)>,
}

impl Args {
    /// Splits the arguments after `NAME:` of a spec (shared by every spec family).
    pub fn parse(spec: &str, rest: Option<&str>) -> Result<Args> {
        let mut items = Vec::new();
        if let Some(rest) = rest {
            for part in rest.split(',') {
                let part = part.trim();
                if part.is_empty() {
                    return Err(Error::invalid(format!(
                        "measure spec {spec:?} has an empty argument"
                    )));
                }
                let item = match part.split_once('=') {
                    Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim().to_string())),
                    None => (part.to_ascii_lowercase(), None),
                };
                if items.iter().any(|(k, _): &(String, _)| *k == item.0) {
                    return Err(Error::invalid(format!(
                        "measure spec {spec:?} gives {:?} twice",
                        item.0
                    )));
                }
                items.push(item);
            }
        }
        Ok(Args {
            spec: spec.to_string(),
            items,
        })
    }

    /// Errors unless there are no arguments.
    pub fn no_args(&self, syntax: &str) -> Result<()> {
        self.only(&[], syntax)
    }

    /// Errors if any argument key is not in `allowed`.
    pub fn only(&self, allowed: &[&str], syntax: &str) -> Result<()> {
        for (k, _) in &self.items {
            if !allowed.contains(&k.as_str()) {
                return Err(Error::invalid(format!(
                    "measure spec {:?}: unexpected argument {k:?}; the syntax is `{syntax}`",
                    self.spec
                )));
            }
        }
        Ok(())
    }

    /// The raw argument under `key`: `None` if absent, `Some(None)` for a bare word.
    pub fn value(&self, key: &str) -> Option<Option<&str>> {
        self.items
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }

    /// A boolean option written `key=true|false` (also `True`, `False`, `1`, `0`,
    /// or the bare word `key` for true); `default` when absent.
    pub fn bool_or(&self, key: &str, default: bool, syntax: &str) -> Result<bool> {
        match self.value(key) {
            None => Ok(default),
            Some(None) => Ok(true),
            Some(Some(v)) => match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(Error::invalid(format!(
                    "spec {:?}: {key}={v} is not a boolean (true or false); the syntax is `{syntax}`",
                    self.spec
                ))),
            },
        }
    }

    /// The spec these arguments came from.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// True if the bare word `name` is present.
    pub fn flag(&self, name: &str) -> bool {
        self.items.iter().any(|(k, v)| k == name && v.is_none())
    }

    /// Like [`Args::flag`], but `name=value` is an error rather than "absent".
    pub fn flag_checked(&self, name: &str, syntax: &str) -> Result<bool> {
        match self.items.iter().find(|(k, _)| k == name) {
            None => Ok(false),
            Some((_, None)) => Ok(true),
            Some((_, Some(_))) => Err(Error::invalid(format!(
                "spec {:?}: {name} is a flag and takes no value; the syntax is `{syntax}`",
                self.spec
            ))),
        }
    }

    /// The exact number under the first of `keys` present, if any.
    pub fn number_opt(&self, keys: &[&str], syntax: &str) -> Result<Option<Q>> {
        let found: Vec<_> = self
            .items
            .iter()
            .filter(|(k, _)| keys.contains(&k.as_str()))
            .collect();
        match found.as_slice() {
            [] => Ok(None),
            [(k, Some(v))] => parse_rational(v).map(Some).map_err(|e| {
                Error::invalid(format!("measure spec {:?}, argument {k}: {e}", self.spec))
            }),
            [(k, None)] => Err(Error::invalid(format!(
                "measure spec {:?}: argument {k} needs a value; the syntax is `{syntax}`",
                self.spec
            ))),
            _ => Err(Error::invalid(format!(
                "measure spec {:?} gives {} more than once under different names",
                self.spec, keys[0]
            ))),
        }
    }

    /// The exact number under the first of `keys` present; errors if none is.
    pub fn number_any(&self, keys: &[&str], syntax: &str) -> Result<Q> {
        self.number_opt(keys, syntax)?.ok_or_else(|| {
            Error::invalid(format!(
                "measure spec {:?} is missing {}; the syntax is `{syntax}`",
                self.spec, keys[0]
            ))
        })
    }
}

/// Parses a measure spec.
pub fn parse_measure(spec: &str) -> Result<Measure> {
    let trimmed = spec.trim();
    if let Some(formula) = strip_family(trimmed, "expr") {
        return Ok(Measure::from_box(Box::new(CountExpr::parse(
            formula, false,
        )?)));
    }
    let (name, rest) = match trimmed.split_once(':') {
        Some((n, r)) => (n.trim(), Some(r)),
        None => (trimmed, None),
    };
    let lname = name.to_ascii_lowercase();
    let info = REGISTRY
        .iter()
        .find(|m| m.name == lname || m.aliases.contains(&lname.as_str()))
        .ok_or_else(|| {
            Error::invalid(format!(
                "unknown measure {name:?} in spec {spec:?}; valid specs are: {}",
                valid_specs()
            ))
        })?;
    let args = Args::parse(trimmed, rest)?;
    let m = (info.build)(&args)?;
    Ok(Measure::from_box(m))
}

/// The formula after `FAMILY:` when `spec` starts with it (case-insensitive).
pub fn strip_family<'a>(spec: &'a str, family: &str) -> Option<&'a str> {
    let (head, rest) = spec.split_once(':')?;
    head.trim().eq_ignore_ascii_case(family).then_some(rest)
}

/// The valid spec syntaxes, for error messages.
pub fn valid_specs() -> String {
    REGISTRY
        .iter()
        .map(|m| m.syntax)
        .chain([EXPR_SYNTAX])
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every registry entry, for `diceproof specs`.
pub fn registry() -> &'static [MeasureInfo] {
    REGISTRY
}
