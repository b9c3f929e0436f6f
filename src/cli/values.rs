//! Typed command-line values: clap parses and checks every closed set and number
//! before a command runs, so commands receive `EmptyPolicy`, `Mode`, `Q`, `u64`
//! or `Shard` rather than strings to parse later.
//!
//! Why here: the library's types keep their `FromStr` (the one place a spelling is
//! defined, used by files and claims too) and stay free of clap; this module only
//! adapts them. Closed sets become `ValueEnum`s built from the library's own name
//! tables, so `--help` lists the accepted values and a typo gets clap's
//! `invalid value 'x' for '--empty <POLICY>' [possible values: one, zero, nan,
//! error]`. Open forms (exact numbers, sizes, ranges, shards, metrics) go through
//! `value_parser` functions below whose messages say what is accepted; clap adds
//! the option and the value in front. Every parse error exits with code 2 (bad
//! input), as the commands' own errors do.
//!
//! Other subcommands adopt these by naming the function, e.g.
//! `#[arg(long, value_parser = values::rational)] weight: Option<Q>` or
//! `#[arg(long, value_enum, ignore_case = true, default_value_t = EmptyPolicy::One)]`.

use std::str::FromStr;
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::enumerate::{Mode, Shard};
use crate::error::Error;
use crate::exact::{parse_rational, parse_unit_rational, Q};
use crate::measures::EmptyPolicy;
use crate::risk::RiskMetric;

static EMPTY_POLICIES: LazyLock<Vec<EmptyPolicy>> =
    LazyLock::new(|| EmptyPolicy::ALL.iter().map(|&(_, p)| p).collect());

impl ValueEnum for EmptyPolicy {
    fn value_variants<'a>() -> &'a [Self] {
        &EMPTY_POLICIES
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

impl ValueEnum for Mode {
    fn value_variants<'a>() -> &'a [Self] {
        &[Mode::Counts, Mode::Voxels]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            Mode::Counts => "counts",
            Mode::Voxels => "voxels",
        }))
    }
}

/// Any library type with a `FromStr` whose errors already name the accepted
/// forms (shards `K/N`, risk metrics, `train`'s task and reduction, …).
pub fn parsed<T: FromStr<Err = Error>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

/// A shard `K/N` (1 ≤ K ≤ N).
pub fn shard(s: &str) -> Result<Shard, String> {
    parsed(s)
}

/// A risk metric: dice, jaccard (iou) or a measure spec.
pub fn risk_metric(s: &str) -> Result<RiskMetric, String> {
    parsed(s)
}

/// An exact number: an integer, a fraction `p/q` or a decimal (`0.1` is 1/10).
pub fn rational(s: &str) -> Result<Q, String> {
    parse_rational(s).map_err(|e| e.to_string())
}

/// An exact number in [0, 1] (a probability or threshold).
pub fn unit_rational(s: &str) -> Result<Q, String> {
    parse_unit_rational(s, "the value").map_err(|e| e.to_string())
}

/// A positive, finite number of seconds (`10`, `0.5`, `1/4`).
pub fn seconds(s: &str) -> Result<f64, String> {
    parse_rational(s)
        .ok()
        .filter(|q| *q > Q::from_integer(0.into()))
        .map(|q| crate::exact::q_to_f64(&q))
        .filter(|t| t.is_finite() && *t > 0.0)
        .ok_or_else(|| {
            format!("a positive number of seconds is expected (e.g. 10 or 0.5), got {s:?}")
        })
}

/// A positive integer count, read exactly: any number form the crate accepts that
/// denotes an integer ≥ 1 (`1000000`, `1e6`); `1.5`, `0` and `-3` are refused.
pub fn positive_count(s: &str) -> Result<u64, String> {
    let q = parse_rational(s).map_err(|e| e.to_string())?;
    if !q.is_integer() || q < Q::from_integer(1.into()) {
        return Err(format!(
            "a positive integer is expected (e.g. 1000 or 1e6), got {s:?}"
        ));
    }
    num_traits::ToPrimitive::to_u64(q.numer())
        .ok_or_else(|| format!("{s:?} is too large (at most {})", u64::MAX))
}

/// Image sizes: one size `N` or an inclusive range `A..=B` (A ≥ 1), with the text
/// as given (JSON output echoes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// The argument as written.
    pub text: String,
    /// The sizes, ascending.
    pub sizes: Vec<u64>,
}

/// Parses `N` or `A..=B` into [`Sizes`] (the `--n` of `compare`; the message
/// names `--n` as it did before clap parsed it).
pub fn sizes(s: &str) -> Result<Sizes, String> {
    let bad = || format!("--n expects a size N or a range A..=B of sizes (A >= 1), got {s:?}");
    let sizes: Vec<u64> = match s.split_once("..=") {
        Some((a, b)) => {
            let a: u64 = a.trim().parse().map_err(|_| bad())?;
            let b: u64 = b.trim().parse().map_err(|_| bad())?;
            if a > b {
                return Err(bad());
            }
            (a..=b).collect()
        }
        None => vec![s.trim().parse().map_err(|_| bad())?],
    };
    if sizes.first() == Some(&0) {
        return Err(bad());
    }
    Ok(Sizes {
        text: s.to_string(),
        sizes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_sets_list_the_library_names() {
        let names: Vec<String> = EmptyPolicy::value_variants()
            .iter()
            .map(|p| p.to_possible_value().unwrap().get_name().to_string())
            .collect();
        let lib: Vec<&str> = EmptyPolicy::ALL.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, lib);
        for m in Mode::value_variants() {
            let name = m.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(name.parse::<Mode>().unwrap(), *m);
        }
        for p in EmptyPolicy::value_variants() {
            assert_eq!(
                <EmptyPolicy as ValueEnum>::from_str(p.name(), true).unwrap(),
                *p
            );
        }
    }

    #[test]
    fn counts_are_exact_positive_integers() {
        assert_eq!(positive_count("1e6"), Ok(1_000_000));
        assert_eq!(positive_count("12"), Ok(12));
        for bad in ["0", "1.5", "-3", "x", "1e40"] {
            let e = positive_count(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn sizes_and_ranges() {
        assert_eq!(sizes("3").unwrap().sizes, vec![3]);
        assert_eq!(sizes("2..=4").unwrap().sizes, vec![2, 3, 4]);
        assert_eq!(sizes("2..=4").unwrap().text, "2..=4");
        for bad in ["0", "4..=2", "a", "0..=3", ""] {
            assert!(sizes(bad).unwrap_err().contains("A..=B"), "{bad}");
        }
    }

    #[test]
    fn numbers_shards_and_metrics() {
        assert_eq!(rational("0.25").unwrap(), Q::new(1.into(), 4.into()));
        assert!(unit_rational("3/2").unwrap_err().contains("[0, 1]"));
        assert!(shard("3/2").is_err());
        assert!(shard("1/2").is_ok());
        assert!(risk_metric("f2").unwrap_err().contains("metric"));
    }
}
