//! `diceproof measure`: counts and exact metrics of two masks, and exact soft losses
//! of a probability map against a label.
//!
//! # Voxel order
//!
//! Two inputs of the same shape are compared by logical index: voxel `[i, j, k]`
//! of one against voxel `[i, j, k]` of the other, whatever their formats. The
//! readers keep NIfTI in its stored order (first axis fastest) and everything else
//! in C order ([`crate::io::Layout`]); when the two inputs are held in different
//! orders the NIfTI one is re-laid in C order before comparing, and both the table
//! and the JSON say how each input was indexed.
//!
//! # Probability maps
//!
//! When a `--metric` is a soft spec (`soft-dice`, `lovasz-jaccard`, …) the
//! prediction must be a float32/float64 map. Sum-based losses get exact
//! [`SoftSums`] from [`crate::surrogates::maps`] and are evaluated by
//! [`SoftLoss::loss_sums`]; Lovász-Jaccard has its own exact map path; any other
//! loss that needs the whole vector gets it as exact rationals, up to
//! [`WHOLE_VECTOR_LIMIT`] voxels. Hard metrics on a map need `--threshold T`
//! (exact; foreground is `p ≥ T`, as MONAI's `AsDiscrete(threshold=T)`).
//!
//! With `--channel-axis K` the map has one channel per class and the ground truth
//! is a label map: each selected class c is scored against `labels == c` and the
//! losses are averaged over the classes, as MONAI's `DiceLoss` (mean over
//! channels) and the Lovász reference's `lovasz_softmax` (mean over `classes`) do.
//! Which classes: `--classes`/`--include-background` for the built-in losses; a
//! peer preset's own option for a preset ([`SoftLoss::class_rule`]), which the
//! flags may repeat but not contradict; and every metric of one run must average
//! over the same classes, since the output has one row per class. A loss whose
//! per-class form differs from itself ([`SoftLoss::per_class`], `lovasz-softmax`)
//! is scored per class in that form.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use num_bigint::BigInt;
use num_traits::{One, Zero};
use serde_json::{json, Map, Value as Json};

use super::output::{decimal_json, exact_json, exact_with_decimal, table};
use super::values;
use crate::counts::{per_label_counts_with, Counts, LabelSelection};
use crate::error::{Error, Result};
use crate::exact::{format_q, Q};
use crate::io::{into_c_order, read_volume_indexed, Layout, MemoryOrder, Volume, VoxelData};
use crate::masks::{
    labels_from_volume, looks_like_bits, mask_from_volume, parse_bits, Foreground, MaskOptions,
};
use crate::measures::{parse_measure, EmptyPolicy, Measure, Value};
use crate::surrogates::maps::{
    class_sums, class_vectors, lovasz_jaccard, map_sums, map_to_q, threshold_map, validate_map,
    ChannelLayout, MapDomain,
};
use crate::surrogates::presets::Classes;
use crate::surrogates::soft::{parse_soft, ClassRule, SoftLoss};
use crate::surrogates::sums::SoftSums;

/// Largest map (voxels per class) a soft loss without a sum or map path is
/// evaluated on, as exact rationals: beyond it the whole-vector path would take
/// minutes and gigabytes.
pub const WHOLE_VECTOR_LIMIT: usize = 1_000_000;

/// Arguments of `diceproof measure`.
#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// Ground truth: a .nii, .nii.gz, .png or .npy file, or an inline bit string (0110).
    #[arg(long, value_name = "FILE|BITS")]
    gt: String,
    /// Prediction: same forms as --gt, same shape; a float32/float64 probability map
    /// when a --metric is a soft spec.
    #[arg(long, value_name = "FILE|BITS")]
    pred: String,
    /// Foreground of the ground truth is `voxel == L` (default: voxel != 0).
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    gt_label: Option<i64>,
    /// Foreground of the prediction is `voxel == L` (default: voxel != 0).
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    pred_label: Option<i64>,
    /// Accept a --gt-label/--pred-label that occurs nowhere in its file (empty mask).
    #[arg(long)]
    allow_absent_label: bool,
    /// One-vs-rest counts and metrics for every label of two label maps (label 0
    /// only with --include-background).
    #[arg(long, conflicts_with_all = ["gt_label", "pred_label"])]
    per_label: bool,
    /// With --per-label or --channel-axis: report label/class 0 too (MONAI's
    /// include_background).
    #[arg(long)]
    include_background: bool,
    /// With --per-label or --channel-axis: leave out the voxels whose ground truth
    /// is L, and label L itself (repeatable; the Lovász reference's `ignore`).
    #[arg(long = "ignore-label", value_name = "L", allow_hyphen_values = true)]
    ignore_labels: Vec<i64>,
    /// Hard metrics on a probability map: foreground is p >= T, T exact (1/2, 0.5).
    #[arg(long, value_name = "T", value_parser = values::rational)]
    threshold: Option<Q>,
    /// The prediction is a multi-class probability map with its classes along axis
    /// K (0-based, in the shape as printed); the ground truth is a label map.
    #[arg(long, value_name = "K", conflicts_with_all = ["gt_label", "pred_label", "per_label"])]
    channel_axis: Option<usize>,
    /// With --channel-axis: the classes averaged over: all, present (in the ground
    /// truth) or a list such as 1,3 (the Lovász reference's `classes`).
    /// (default all; a peer preset's own class option decides for it, see `specs`).
    #[arg(long, value_name = "all|present|LIST", value_parser = classes_arg)]
    classes: Option<ClassesArg>,
    /// A measure spec (repeatable); see `diceproof specs`. Default: dice and jaccard.
    #[arg(long = "metric", value_name = "SPEC")]
    metrics: Vec<String>,
    /// What a 0/0 (both masks empty) is worth: one, zero, nan, error, or
    /// nan-if-gt-empty (MONAI's default: nan whenever the ground truth is empty).
    #[arg(long, value_name = "POLICY", value_enum, ignore_case = true, default_value_t = EmptyPolicy::One)]
    empty: EmptyPolicy,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Where an input comes from.
enum Source {
    Bits(Vec<bool>),
    File(Volume),
}

/// One input with how it was read and how its data is now held.
struct Loaded {
    name: String,
    source: Source,
    layout: Option<Layout>,
    held: MemoryOrder,
    relaid: bool,
}

impl Loaded {
    fn open(arg: &str) -> Result<Loaded> {
        let path = Path::new(arg);
        if !path.exists() && looks_like_bits(arg) {
            return Ok(Loaded {
                name: format!("inline bits {arg}"),
                source: Source::Bits(parse_bits(arg)?),
                layout: None,
                held: MemoryOrder::C,
                relaid: false,
            });
        }
        if !path.exists() {
            return Err(Error::input(
                path,
                "no such file (an inline mask must consist of 0 and 1 only)",
            ));
        }
        let (volume, layout) = read_volume_indexed(path)?;
        Ok(Loaded {
            name: arg.to_string(),
            source: Source::File(volume),
            held: layout.held,
            layout: Some(layout),
            relaid: false,
        })
    }

    /// Re-lays the data in C order (a no-op unless it is held in Fortran order).
    fn relay_to_c(&mut self) {
        if self.held == MemoryOrder::C {
            return;
        }
        let source = std::mem::replace(&mut self.source, Source::Bits(Vec::new()));
        self.source = match source {
            Source::File(v) => Source::File(into_c_order(v, self.held)),
            bits => bits,
        };
        self.held = MemoryOrder::C;
        self.relaid = true;
    }

    fn shape(&self) -> Vec<usize> {
        match &self.source {
            Source::Bits(b) => vec![b.len()],
            Source::File(v) => v.shape.clone(),
        }
    }

    fn describe(&self) -> String {
        match &self.source {
            Source::Bits(b) => format!("{} voxels", b.len()),
            Source::File(v) => format!("{} {}", v.shape_string(), v.data.type_name()),
        }
    }

    /// How voxel indices were read, for the output.
    fn indexing(&self) -> String {
        match self.layout {
            None => "inline bits; voxel [i] = the i-th character".to_string(),
            Some(l) => {
                let mut s = l.describe(self.shape().len());
                if self.relaid {
                    s.push_str("; re-laid in C order to compare with the other input");
                }
                s
            }
        }
    }

    fn data(&self) -> Option<&VoxelData> {
        match &self.source {
            Source::Bits(_) => None,
            Source::File(v) => Some(&v.data),
        }
    }

    /// The float map, or an error saying a probability map is needed and why.
    fn float_map(&self, why: &str) -> Result<&VoxelData> {
        match self.data() {
            Some(d) if d.is_float() => Ok(d),
            Some(d) => Err(Error::source(
                &self.name,
                format!(
                    "{why} needs a float32 or float64 probability map, but this file holds {} \
                     data (a hard mask: use a count measure such as `dice`, or save the \
                     probabilities as floats)",
                    d.type_name()
                ),
            )),
            None => Err(Error::invalid(format!(
                "{why} needs a float32 or float64 probability map, but {} is a binary mask \
                 (use a count measure such as `dice`)",
                self.name
            ))),
        }
    }

    fn mask(&self, label: Option<i64>, allow_absent: bool, option: &str) -> Result<Vec<bool>> {
        match &self.source {
            Source::Bits(b) => match label {
                None => Ok(b.clone()),
                Some(_) => Err(Error::invalid(format!(
                    "{option} selects a label in a file; {} is already a binary mask",
                    self.name
                ))),
            },
            Source::File(v) => {
                let opts = MaskOptions {
                    rule: label.map_or(Foreground::NonZero, Foreground::Label),
                    allow_absent_label: allow_absent,
                };
                mask_from_volume(v, opts, &self.name)
            }
        }
    }

    fn labels(&self) -> Result<Vec<i64>> {
        match &self.source {
            Source::Bits(b) => Ok(b.iter().map(|&x| x as i64).collect()),
            Source::File(v) => labels_from_volume(v, &self.name),
        }
    }
}

/// A `--metric`: a count measure or a soft loss.
enum Metric {
    Hard(Measure),
    Soft(Box<dyn SoftLoss>),
}

impl Metric {
    fn parse(spec: &str) -> Result<Metric> {
        match parse_measure(spec) {
            Ok(m) => Ok(Metric::Hard(m)),
            Err(hard) => match parse_soft(spec) {
                Ok(l) => Ok(Metric::Soft(l)),
                Err(soft) => Err(Error::invalid(format!(
                    "{hard}\nread as a soft loss instead: {soft}"
                ))),
            },
        }
    }

    fn spec(&self) -> String {
        match self {
            Metric::Hard(m) => m.spec(),
            Metric::Soft(l) => l.spec(),
        }
    }
}

/// The values a soft loss takes, as the loss itself says.
fn domain(loss: &dyn SoftLoss) -> MapDomain {
    loss.input_domain()
}

/// (similarity, loss) of one measure.
type Pair = (Value, Value);

/// A soft loss's raw value under the empty policy. `gt_empty`: Σy = 0.
fn soft_value(
    raw: Option<Q>,
    gt_empty: bool,
    policy: EmptyPolicy,
    spec: &str,
    what: &str,
) -> Result<Pair> {
    if policy == EmptyPolicy::NanIfGtEmpty && gt_empty {
        return Ok((Value::NaN, Value::NaN));
    }
    let loss = match raw {
        Some(q) => Value::Exact(q),
        None => match policy {
            EmptyPolicy::One => Value::Exact(Q::zero()),
            EmptyPolicy::Zero => Value::Exact(Q::one()),
            EmptyPolicy::Nan | EmptyPolicy::NanIfGtEmpty => Value::NaN,
            EmptyPolicy::Error => {
                return Err(Error::Empty(format!(
                    "{spec} is 0/0 on {what} and the empty-mask policy is `error`; choose \
                     --empty one, zero or nan to give it a value"
                )))
            }
        },
    };
    Ok((loss.complement(), loss))
}

/// A soft loss that is not a function of the sums, on the whole vector.
fn whole_vector(
    loss: &dyn SoftLoss,
    y: &[bool],
    p: &VoxelData,
    name: &str,
    why: Error,
) -> Result<Option<Q>> {
    if loss.spec() == "lovasz-jaccard" {
        return lovasz_jaccard(y, p, name).map(Some);
    }
    if y.len() > WHOLE_VECTOR_LIMIT {
        return Err(Error::invalid(format!(
            "{}: {why}; without a faster path the exact loss takes the map as rationals, \
             which is limited to {WHOLE_VECTOR_LIMIT} voxels (this one has {})",
            loss.spec(),
            y.len()
        )));
    }
    let yq: Vec<Q> = y
        .iter()
        .map(|&b| if b { Q::one() } else { Q::zero() })
        .collect();
    loss.loss(&yq, &map_to_q(p))
}

/// One soft loss of a binary problem; `sums` caches the map's sums.
fn soft_binary(
    loss: &dyn SoftLoss,
    y: &[bool],
    p: &VoxelData,
    name: &str,
    sums: &mut Option<SoftSums<Q>>,
) -> Result<Option<Q>> {
    match domain(loss) {
        MapDomain::Logits => {
            validate_map(p, MapDomain::Logits, name)?;
            whole_vector(loss, y, p, name, Error::invalid("it needs the whole map"))
        }
        MapDomain::Probabilities => {
            if sums.is_none() {
                *sums = Some(map_sums(y, p, name)?);
            }
            let Some(s) = sums.as_ref() else {
                return Err(Error::invalid("internal: the map sums are missing"));
            };
            match loss.loss_sums(s) {
                Ok(raw) => Ok(raw),
                Err(e) => whole_vector(loss, y, p, name, e),
            }
        }
    }
}

/// `--classes` as a class selection: `all`, `present` or a comma-separated list.
/// `--classes` as written (for messages) and as read.
#[derive(Clone, Debug)]
struct ClassesArg {
    text: String,
    classes: Classes,
}

/// clap's value parser for `--classes`.
fn classes_arg(s: &str) -> std::result::Result<ClassesArg, String> {
    let classes = parse_classes(s).map_err(|e| e.to_string())?;
    Ok(ClassesArg {
        text: s.to_string(),
        classes,
    })
}

fn parse_classes(spec: &str) -> Result<Classes> {
    Ok(match spec.trim().to_ascii_lowercase().as_str() {
        "all" => Classes::All,
        "present" => Classes::Present,
        _ => {
            let mut out = Vec::new();
            for part in spec.split(',') {
                let c: usize = part.trim().parse().map_err(|_| {
                    Error::invalid(format!(
                        "--classes {spec:?}: {:?} is not a class index; accepted forms are \
                         all, present, or a comma-separated list of indices such as 1,3",
                        part.trim()
                    ))
                })?;
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            Classes::List(out)
        }
    })
}

/// The classes a selection averages over in a map of `channels` classes; `who`
/// names where the selection came from, for errors.
fn select_classes(
    sel: &Classes,
    include_background: bool,
    ignore: &[i64],
    channels: usize,
    present: &[bool],
    who: &str,
) -> Result<Vec<usize>> {
    let keep = |c: usize| (c != 0 || include_background) && !ignore.contains(&(c as i64));
    let chosen: Vec<usize> = match sel {
        Classes::All => (0..channels).filter(|&c| keep(c)).collect(),
        Classes::Present => (0..channels)
            .filter(|&c| keep(c) && present.get(c).copied().unwrap_or(false))
            .collect(),
        Classes::List(list) => {
            for &c in list {
                if c >= channels {
                    return Err(Error::invalid(format!(
                        "{who}: class {c} does not exist; the map has {channels} channels \
                         (0 to {})",
                        channels.saturating_sub(1)
                    )));
                }
                if ignore.contains(&(c as i64)) {
                    return Err(Error::invalid(format!(
                        "{who} lists class {c}, which --ignore-label leaves out"
                    )));
                }
            }
            list.clone()
        }
    };
    if chosen.is_empty() {
        return Err(Error::invalid(format!(
            "no class to average over: {who} on a map of {channels} channels{}{}",
            if include_background {
                ""
            } else {
                " without class 0 (include_background is false)"
            },
            if ignore.is_empty() {
                String::new()
            } else {
                format!(" and --ignore-label {ignore:?}")
            }
        )));
    }
    Ok(chosen)
}

/// The classes each loss averages over: the command's options for the built-in
/// losses, the preset's own options for a peer preset ([`SoftLoss::class_rule`]),
/// where the command's options may repeat but not contradict them. All losses of
/// one run must average over the same classes (the output has one row per class).
/// Returns the classes and whether class 0 was allowed.
fn classes_of_losses(
    args: &MeasureArgs,
    losses: &[&dyn SoftLoss],
    channels: usize,
    present: &[bool],
) -> Result<(Vec<usize>, bool)> {
    let (cli_sel, cli_text) = match &args.classes {
        Some(c) => (c.classes.clone(), c.text.as_str()),
        None => (Classes::All, "all"),
    };
    let cli_who = format!("--classes {cli_text}");
    let ignore = &args.ignore_labels;
    let mut picked: Vec<(String, Vec<usize>, bool)> = Vec::new();
    for l in losses {
        let (list, background) = match l.class_rule() {
            ClassRule::Command => (
                select_classes(
                    &cli_sel,
                    args.include_background,
                    ignore,
                    channels,
                    present,
                    &cli_who,
                )?,
                args.include_background,
            ),
            ClassRule::Own {
                classes,
                include_background,
                options,
            } => {
                if args.include_background && !include_background {
                    return Err(Error::invalid(format!(
                        "--include-background contradicts {} ({options}); give the choice in \
                         one place",
                        l.spec()
                    )));
                }
                let own = select_classes(
                    &classes,
                    include_background,
                    ignore,
                    channels,
                    present,
                    &format!("{} ({options})", l.spec()),
                )?;
                if args.classes.is_some() {
                    let cli = select_classes(
                        &cli_sel,
                        include_background,
                        ignore,
                        channels,
                        present,
                        &cli_who,
                    )?;
                    if cli != own {
                        return Err(Error::invalid(format!(
                            "{cli_who} selects classes {cli:?} but {} ({options}, its \
                             library's rule) selects {own:?}; give the choice in one place \
                             (the preset's option)",
                            l.spec()
                        )));
                    }
                }
                (own, include_background)
            }
            ClassRule::NotAMean(why) => {
                return Err(Error::invalid(format!(
                    "{} cannot be averaged over the classes of a multi-class map: {why}",
                    l.spec()
                )))
            }
        };
        if let Some((first, fl, _)) = picked.first() {
            if *fl != list {
                return Err(Error::invalid(format!(
                    "{first} averages over classes {fl:?} but {} over {list:?} (class options \
                     of peer presets follow their library: MONAI includes class 0 by default, \
                     the Lovász reference averages over the classes present); measure them in \
                     separate runs, or set the classes so that they agree",
                    l.spec()
                )));
            }
        }
        picked.push((l.spec(), list, background));
    }
    let Some((_, list, background)) = picked.into_iter().next() else {
        return Err(Error::invalid("no soft loss to average over classes"));
    };
    Ok((list, background))
}

/// Checks options that only make sense in some modes, so none is silently ignored.
fn check_modes(args: &MeasureArgs) -> Result<()> {
    let grouped = args.per_label || args.channel_axis.is_some();
    if !grouped && args.include_background {
        return Err(Error::invalid(
            "--include-background applies with --per-label or --channel-axis only",
        ));
    }
    if !grouped && !args.ignore_labels.is_empty() {
        return Err(Error::invalid(
            "--ignore-label applies with --per-label or --channel-axis only",
        ));
    }
    if args.channel_axis.is_none() && args.classes.is_some() {
        return Err(Error::invalid("--classes applies with --channel-axis only"));
    }
    if args.threshold.is_some() && grouped {
        return Err(Error::invalid(
            "--threshold applies to a single-channel probability map, not with --per-label \
             or --channel-axis",
        ));
    }
    Ok(())
}

/// Runs `diceproof measure`.
pub fn run(args: &MeasureArgs) -> Result<ExitCode> {
    let policy = args.empty;
    check_modes(args)?;
    let specs: Vec<String> = if args.metrics.is_empty() {
        vec!["dice".into(), "jaccard".into()]
    } else {
        args.metrics.clone()
    };
    let metrics = specs
        .iter()
        .map(|s| Metric::parse(s))
        .collect::<Result<Vec<Metric>>>()?;
    let threshold = args.threshold.clone();

    // Decompression dominates on real volumes: read the two files on two threads.
    let (gt, pred) = std::thread::scope(|s| {
        let pred = s.spawn(|| Loaded::open(&args.pred));
        let gt = Loaded::open(&args.gt);
        let pred = pred
            .join()
            .unwrap_or_else(|_| Err(Error::invalid("the reader thread failed")));
        (gt, pred)
    });
    let (mut gt, mut pred) = (gt?, pred?);
    // Compare by logical index: if the two are held in different memory orders,
    // re-lay the Fortran-ordered one (a NIfTI) in C order.
    if gt.held != pred.held {
        gt.relay_to_c();
        pred.relay_to_c();
    }

    if let Some(axis) = args.channel_axis {
        return run_multiclass(args, &metrics, policy, &gt, &pred, axis);
    }

    if gt.shape() != pred.shape() {
        return Err(Error::Mismatch(format!(
            "shape mismatch: ground truth {} is {} but prediction {} is {}",
            gt.name,
            gt.describe(),
            pred.name,
            pred.describe()
        )));
    }
    let any_soft = metrics.iter().any(|m| matches!(m, Metric::Soft(_)));

    if args.per_label {
        if any_soft {
            return Err(Error::invalid(
                "--per-label compares two label maps with count measures; for soft losses of \
                 a multi-class probability map use --channel-axis",
            ));
        }
        let sel = LabelSelection {
            include_background: args.include_background,
            ignore: args.ignore_labels.clone(),
        };
        let table_counts = per_label_counts_with(&gt.labels()?, &pred.labels()?, &sel)?;
        let mut rows = Vec::new();
        for (label, c) in &table_counts {
            rows.push(Row {
                label: Some(*label),
                counts: Some(*c),
                sums: None,
                values: hard_values(&metrics, c, policy)?,
            });
        }
        print_results(args, &gt, &pred, &metrics, &rows, policy, None);
        return Ok(ExitCode::SUCCESS);
    }

    let g = gt.mask(args.gt_label, args.allow_absent_label, "--gt-label")?;
    if !any_soft && threshold.is_none() {
        let p = pred.mask(args.pred_label, args.allow_absent_label, "--pred-label")?;
        let counts = Counts::from_bools(&g, &p)?;
        let values = hard_values(&metrics, &counts, policy)?;
        let row = Row {
            label: None,
            counts: Some(counts),
            sums: None,
            values,
        };
        print_results(args, &gt, &pred, &metrics, &[row], policy, None);
        return Ok(ExitCode::SUCCESS);
    }

    // A probability map.
    if args.pred_label.is_some() {
        return Err(Error::invalid(
            "--pred-label selects a label of a label map; a probability map has none (use \
             --threshold for a hard mask)",
        ));
    }
    let why = if any_soft {
        "a soft --metric"
    } else {
        "--threshold"
    };
    let map = pred.float_map(why)?;
    let counts = match &threshold {
        Some(t) => Some(Counts::from_bools(&g, &threshold_map(map, t, &pred.name)?)?),
        None => None,
    };
    let gt_empty = !g.iter().any(|&b| b);
    let mut sums = None;
    let mut values = Vec::new();
    for m in &metrics {
        values.push(match m {
            Metric::Hard(measure) => match &counts {
                Some(c) => (measure.similarity(c, policy)?, measure.loss(c, policy)?),
                None => {
                    return Err(Error::invalid(format!(
                        "{} is a count measure and {} is a probability map; give \
                         --threshold T (exact, e.g. 1/2) to score the mask p >= T, or use a \
                         soft spec such as soft-dice",
                        measure.spec(),
                        pred.name
                    )))
                }
            },
            Metric::Soft(loss) => {
                let raw = soft_binary(loss.as_ref(), &g, map, &pred.name, &mut sums)?;
                soft_value(raw, gt_empty, policy, &loss.spec(), "this map")?
            }
        });
    }
    let row = Row {
        label: None,
        counts,
        sums,
        values,
    };
    print_results(
        args,
        &gt,
        &pred,
        &metrics,
        &[row],
        policy,
        threshold.as_ref(),
    );
    Ok(ExitCode::SUCCESS)
}

/// Soft losses of a multi-class map, per class and averaged.
fn run_multiclass(
    args: &MeasureArgs,
    metrics: &[Metric],
    policy: EmptyPolicy,
    gt: &Loaded,
    pred: &Loaded,
    axis: usize,
) -> Result<ExitCode> {
    let mut losses: Vec<&dyn SoftLoss> = Vec::new();
    for m in metrics {
        match m {
            Metric::Soft(l) => losses.push(l.as_ref()),
            Metric::Hard(h) => {
                return Err(Error::invalid(format!(
                    "{} is a count measure; --channel-axis takes soft specs (for count \
                     measures per class, compare two label maps with --per-label)",
                    h.spec()
                )))
            }
        }
    }
    let map = pred.float_map("--channel-axis")?;
    let pshape = pred.shape();
    if axis >= pshape.len() {
        return Err(Error::invalid(format!(
            "--channel-axis {axis}: {} has {} axes (shape {}), so the axis must be 0 to {}",
            pred.name,
            pshape.len(),
            pred.describe(),
            pshape.len().saturating_sub(1)
        )));
    }
    let spatial: Vec<usize> = pshape
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != axis)
        .map(|(_, &d)| d)
        .collect();
    if spatial != gt.shape() {
        return Err(Error::Mismatch(format!(
            "shape mismatch: ground truth {} is {} but prediction {} is {}, which without its \
             channel axis {axis} is {}",
            gt.name,
            gt.describe(),
            pred.name,
            pred.describe(),
            spatial
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("x")
        )));
    }
    let Some(layout) = ChannelLayout::new(&pshape, axis, pred.held == MemoryOrder::C) else {
        return Err(Error::invalid(format!(
            "--channel-axis {axis} is out of range"
        )));
    };
    let labels = gt.labels()?;
    let mut present = vec![false; layout.channels];
    for (i, &l) in labels.iter().enumerate() {
        if args.ignore_labels.contains(&l) {
            continue;
        }
        match usize::try_from(l).ok().and_then(|c| present.get_mut(c)) {
            Some(slot) => *slot = true,
            None => {
                return Err(Error::source(
                    &gt.name,
                    format!(
                        "voxel {i} has label {l}, which has no channel: {} has {} channels \
                         along axis {axis} (labels 0 to {}); leave it out with --ignore-label {l}",
                        pred.name,
                        layout.channels,
                        layout.channels.saturating_sub(1)
                    ),
                ))
            }
        }
    }
    let (classes, include_background) =
        classes_of_losses(args, &losses, layout.channels, &present)?;
    // Each loss per class: the loss itself, or its per-class form (lovasz-softmax
    // scores each class with the flat Lovász–Jaccard).
    let per_class: Vec<Option<Box<dyn SoftLoss>>> = losses.iter().map(|l| l.per_class()).collect();
    let losses: Vec<&dyn SoftLoss> = losses
        .iter()
        .zip(&per_class)
        .map(|(l, p)| p.as_deref().unwrap_or(*l))
        .collect();
    for &l in &losses {
        validate_map(map, domain(l), &pred.name)?;
    }
    let mut rows = Vec::new();
    for &c in &classes {
        let needs_sums = losses
            .iter()
            .any(|l| domain(*l) == MapDomain::Probabilities);
        let sums = if needs_sums {
            Some(class_sums(
                &labels,
                map,
                layout,
                c,
                &args.ignore_labels,
                &pred.name,
            )?)
        } else {
            None
        };
        let gt_empty = sums
            .as_ref()
            .is_some_and(|s| num_traits::Zero::is_zero(&s.sy));
        let mut values = Vec::new();
        for &l in &losses {
            let from_sums = match (&sums, domain(l)) {
                (Some(s), MapDomain::Probabilities) => l.loss_sums(s),
                _ => Err(Error::invalid("it needs the whole map")),
            };
            let raw = match from_sums {
                Ok(r) => r,
                Err(e) => {
                    let (y, p) = class_vectors(&labels, map, layout, c, &args.ignore_labels);
                    whole_vector(l, &y, &p, &pred.name, e)?
                }
            };
            values.push(soft_value(
                raw,
                gt_empty,
                policy,
                &l.spec(),
                &format!("class {c}"),
            )?);
        }
        rows.push(Row {
            label: Some(c as i64),
            counts: None,
            sums,
            values,
        });
    }
    // The mean over classes of every defined per-class loss.
    let mut means = Vec::new();
    for k in 0..losses.len() {
        let defined: Vec<&Q> = rows
            .iter()
            .filter_map(|r| r.values.get(k).and_then(|v| v.1.exact()))
            .collect();
        let loss = if defined.is_empty() {
            Value::NaN
        } else {
            let total = defined.iter().fold(Q::zero(), |acc, q| acc + *q);
            Value::Exact(total / Q::from_integer(BigInt::from(defined.len())))
        };
        means.push((loss.complement(), loss));
    }
    print_multiclass(
        args,
        gt,
        pred,
        metrics,
        &rows,
        &means,
        (&classes, include_background),
        policy,
    );
    Ok(ExitCode::SUCCESS)
}

/// One row of results: a label (per-label or class) or the whole image.
struct Row {
    label: Option<i64>,
    counts: Option<Counts>,
    sums: Option<SoftSums<Q>>,
    values: Vec<Pair>,
}

fn hard_values(metrics: &[Metric], c: &Counts, policy: EmptyPolicy) -> Result<Vec<Pair>> {
    metrics
        .iter()
        .map(|m| match m {
            Metric::Hard(m) => Ok((m.similarity(c, policy)?, m.loss(c, policy)?)),
            Metric::Soft(l) => Err(Error::invalid(format!(
                "{} is a soft loss; it needs a float probability map as --pred",
                l.spec()
            ))),
        })
        .collect()
}

fn counts_json(c: &Counts) -> Map<String, Json> {
    let mut o = Map::new();
    o.insert("tp".into(), json!(c.tp));
    o.insert("fp".into(), json!(c.fp));
    o.insert("fn".into(), json!(c.fn_));
    o.insert("tn".into(), json!(c.tn));
    o.insert("n".into(), json!(c.n()));
    o
}

/// The sums as exact strings (and n as a number).
fn sums_json(s: &SoftSums<Q>) -> Json {
    json!({
        "n": s.n,
        "spy": format_q(&s.spy),
        "sp": format_q(&s.sp),
        "sy": format_q(&s.sy),
        "spp": format_q(&s.spp),
        "syy": format_q(&s.syy),
        "sabs": format_q(&s.sabs),
    })
}

fn sums_rows(s: &SoftSums<Q>) -> Vec<Vec<String>> {
    let e = |q: &Q| exact_with_decimal(&Value::Exact(q.clone()));
    vec![
        vec!["n".into(), s.n.to_string()],
        vec!["Σp·y".into(), e(&s.spy)],
        vec!["Σp".into(), e(&s.sp)],
        vec!["Σy".into(), e(&s.sy)],
        vec!["Σp²".into(), e(&s.spp)],
        vec!["Σ|p−y|".into(), e(&s.sabs)],
    ]
}

fn metrics_json(metrics: &[Metric], values: &[Pair]) -> Json {
    let mut m = Map::new();
    for (meas, (sim, loss)) in metrics.iter().zip(values) {
        m.insert(
            meas.spec(),
            json!({
                "similarity": exact_json(sim),
                "loss": exact_json(loss),
                "decimal": decimal_json(sim),
                "loss_decimal": decimal_json(loss),
            }),
        );
    }
    Json::Object(m)
}

fn metrics_table(metrics: &[Metric], values: &[Pair]) -> String {
    let mut t = vec![vec![
        "metric".to_string(),
        "similarity".to_string(),
        "loss".to_string(),
    ]];
    for (m, (sim, loss)) in metrics.iter().zip(values) {
        t.push(vec![
            m.spec(),
            exact_with_decimal(sim),
            exact_with_decimal(loss),
        ]);
    }
    table(&t)
}

fn counts_table(c: &Counts) -> String {
    table(&[
        vec!["n".into(), c.n().to_string()],
        vec!["TP".into(), c.tp.to_string()],
        vec!["FP".into(), c.fp.to_string()],
        vec!["FN".into(), c.fn_.to_string()],
        vec!["TN".into(), c.tn.to_string()],
    ])
}

/// What the foreground of each input is, for the output.
fn foregrounds(args: &MeasureArgs, pred: &Loaded, threshold: Option<&Q>) -> (String, String) {
    let fg = |label: Option<i64>| match label {
        Some(l) => format!("label {l}"),
        None => "nonzero".to_string(),
    };
    if args.per_label {
        return ("per-label".into(), "per-label".into());
    }
    if args.channel_axis.is_some() {
        return (
            "label map".into(),
            format!(
                "probability map, classes along axis {}",
                args.channel_axis.unwrap_or_default()
            ),
        );
    }
    let soft = pred.data().is_some_and(VoxelData::is_float)
        && args.metrics.iter().any(|s| parse_soft(s).is_ok());
    let p = match (threshold, soft) {
        (Some(t), true) => format!("probability map; count measures on p >= {}", format_q(t)),
        (Some(t), false) => format!("p >= {}", format_q(t)),
        (None, true) => "probability map".into(),
        (None, false) => fg(args.pred_label),
    };
    (fg(args.gt_label), p)
}

fn input_json(l: &Loaded, foreground: &str) -> Json {
    json!({
        "source": l.name,
        "shape": l.shape(),
        "type": l.data().map_or("bits", VoxelData::type_name),
        "foreground": foreground,
        "indexing": l.indexing(),
    })
}

fn print_inputs(gt: &Loaded, pred: &Loaded, fg: &(String, String), policy: EmptyPolicy) {
    println!("gt    {} ({}, {})", gt.name, gt.describe(), fg.0);
    println!("      indexed as {}", gt.indexing());
    println!("pred  {} ({}, {})", pred.name, pred.describe(), fg.1);
    println!("      indexed as {}", pred.indexing());
    println!("empty masks: {policy}");
}

fn print_results(
    args: &MeasureArgs,
    gt: &Loaded,
    pred: &Loaded,
    metrics: &[Metric],
    rows: &[Row],
    policy: EmptyPolicy,
    threshold: Option<&Q>,
) {
    let fg = foregrounds(args, pred, threshold);
    if args.json {
        let row_json = |r: &Row| {
            let mut o = Map::new();
            if let Some(c) = &r.counts {
                o.extend(counts_json(c));
            }
            if let Some(s) = &r.sums {
                o.insert("sums".into(), sums_json(s));
            }
            o.insert("metrics".into(), metrics_json(metrics, &r.values));
            o
        };
        let mut doc = match rows {
            [r] if r.label.is_none() => row_json(r),
            _ => {
                let labels: Vec<Json> = rows
                    .iter()
                    .map(|r| {
                        let mut o = Map::new();
                        o.insert("label".into(), json!(r.label));
                        o.extend(row_json(r));
                        Json::Object(o)
                    })
                    .collect();
                let mut o = Map::new();
                o.insert("labels".into(), Json::Array(labels));
                o
            }
        };
        if let Some(t) = threshold {
            doc.insert("threshold".into(), json!(format_q(t)));
        }
        if args.per_label {
            doc.insert("include_background".into(), json!(args.include_background));
            doc.insert("ignore_labels".into(), json!(args.ignore_labels));
        }
        doc.insert("gt".into(), input_json(gt, &fg.0));
        doc.insert("pred".into(), input_json(pred, &fg.1));
        doc.insert("empty_policy".into(), json!(policy.name()));
        println!(
            "{}",
            serde_json::to_string_pretty(&Json::Object(doc)).unwrap_or_default()
        );
        return;
    }
    print_inputs(gt, pred, &fg, policy);
    if let Some(t) = threshold {
        println!(
            "threshold: count measures score the mask p >= {} (compared exactly with the \
             stored floats)",
            format_q(t)
        );
    }
    for r in rows {
        println!();
        if let Some(l) = r.label {
            println!("label {l}");
        }
        if let Some(c) = &r.counts {
            print!("{}", counts_table(c));
            println!();
        }
        if let Some(s) = &r.sums {
            print!("{}", table(&sums_rows(s)));
            println!();
        }
        print!("{}", metrics_table(metrics, &r.values));
    }
}

#[allow(clippy::too_many_arguments)]
fn print_multiclass(
    args: &MeasureArgs,
    gt: &Loaded,
    pred: &Loaded,
    metrics: &[Metric],
    rows: &[Row],
    means: &[Pair],
    (classes, include_background): (&[usize], bool),
    policy: EmptyPolicy,
) {
    let fg = foregrounds(args, pred, None);
    let rule = "mean of the defined per-class losses over the classes listed";
    if args.json {
        let per: Vec<Json> = rows
            .iter()
            .map(|r| {
                json!({
                    "class": r.label,
                    "sums": r.sums.as_ref().map(sums_json),
                    "metrics": metrics_json(metrics, &r.values),
                })
            })
            .collect();
        let doc = json!({
            "metrics": metrics_json(metrics, means),
            "averaging": {
                "channel_axis": args.channel_axis,
                "classes": classes,
                "include_background": include_background,
                "ignore_labels": args.ignore_labels,
                "rule": rule,
            },
            "classes": per,
            "gt": input_json(gt, &fg.0),
            "pred": input_json(pred, &fg.1),
            "empty_policy": policy.name(),
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    print_inputs(gt, pred, &fg, policy);
    println!(
        "classes {:?} (channel axis {}): {rule}",
        classes,
        args.channel_axis.unwrap_or_default()
    );
    for r in rows {
        println!();
        if let Some(l) = r.label {
            println!("class {l}");
        }
        if let Some(s) = &r.sums {
            print!("{}", table(&sums_rows(s)));
            println!();
        }
        print!("{}", metrics_table(metrics, &r.values));
    }
    println!();
    println!("mean over classes");
    print!("{}", metrics_table(metrics, means));
}
