//! Peer presets: the soft losses of MONAI, segmentation_models_pytorch (smp),
//! JDTLosses and the Lovász-Softmax reference code, under their own names
//! (`LIBRARY-LOSS`), keyword names and defaults, so that a user can paste their
//! constructor arguments: `monai-dice:squared_pred=true,smooth_nr=0`.
//!
//! # Why presets, and why formulas
//!
//! The libraries' smoothing constants do not map one-to-one onto diceproof's `eps`
//! (MONAI's Jaccard `smooth` s is `eps` s/2, JDTLosses' Dice `smooth` s is `eps` 2s),
//! and each has its own empty-label rule (smp zeroes the loss of an image without
//! foreground; MONAI's generalized Dice sets an infinite weight to 0). A preset
//! states those conventions once. Every sum-based preset is a
//! [`SoftExpr`] built from the options (plus, where the library has one, the rule
//! for an image whose label sum Σy is 0), so its exact value, its `f64` value, its
//! value on a probability map (`loss_sums`) and the `soft-expr:` form `specs` shows
//! are one formula. The Lovász presets sort, so they are written on the vectors.
//!
//! Numbers are exact: MONAI's default `1e-5` is exactly 1/100000, not the double
//! nearest to it. Options that would make a loss irrational (a sigmoid or softmax
//! inside the loss, `log_loss`) are refused with a message, never ignored.
//!
//! Every preset is tested against values the library itself produced in float64
//! (`tests/fixtures/peers/*.json`, made by `scripts/peers/make_fixtures.py`), to
//! 1e-12, with the library version recorded in the fixture.
//!
//! For one image and one foreground channel, the options `batch` (MONAI) and
//! `per_image` (Lovász) change nothing; they are accepted so that pasted arguments
//! parse, and listed as such. The class options do change multi-class maps
//! (`measure --channel-axis`), so there the preset's own option decides
//! ([`SoftLoss::class_rule`]): MONAI's `include_background` (default true, as in
//! MONAI) and the Lovász reference's `classes` (default `present`). The command's
//! `--include-background`/`--classes` may repeat the preset's choice but a
//! contradiction is an error, never a silent winner. On a single-channel map MONAI
//! itself ignores `include_background=false` (with a warning), and so does the
//! preset.

use num_traits::{Signed, Zero};

use crate::error::{Error, Result};
use crate::exact::{format_q, parse_rational, Q};
use crate::measures::expr::{parse_expr, SumVar};
use crate::measures::spec::Args;
use crate::surrogates::soft::{
    lovasz_jaccard_fast, lovasz_jaccard_fast_f64, validate, validate_labels, ClassRule,
    InputDomain, SoftInfo, SoftLoss, SumFormula,
};
use crate::surrogates::soft_expr::SoftExpr;
use crate::surrogates::sums::{Needs, SoftNum, SoftSums};

/// MONAI's version the presets mirror.
pub const MONAI: &str = "MONAI 1.6.1";
/// segmentation_models_pytorch's version the presets mirror.
pub const SMP: &str = "segmentation_models_pytorch 0.6.0";
/// JDTLosses' commit the presets mirror.
pub const JDT: &str = "JDTLosses (GitHub zifuwanggg/JDTLosses @ 68ce8ac)";
/// The Lovász-Softmax reference code's commit the presets mirror.
pub const LOVASZ: &str = "LovaszSoftmax reference (GitHub bermanmaxim/LovaszSoftmax @ 7d48792, pytorch/lovasz_losses.py)";

/// A sum-based preset: a formula, and optionally another one for images whose
/// label sum Σy is 0.
#[derive(Clone, Debug)]
pub struct Preset {
    spec: String,
    main: SoftExpr,
    no_label: Option<SoftExpr>,
    equivalent: Option<String>,
    hard: Option<String>,
    classes: ClassRule,
}

impl Preset {
    fn new(spec: String, main: &str, no_label: Option<&str>) -> Result<Preset> {
        let main = SoftExpr::from_expr(parse_expr::<SumVar>(main)?);
        let no_label = match no_label {
            Some(f) => Some(SoftExpr::from_expr(parse_expr::<SumVar>(f)?)),
            None => None,
        };
        Ok(Preset {
            spec,
            main,
            no_label,
            equivalent: None,
            hard: None,
            classes: ClassRule::Command,
        })
    }

    fn with_classes(mut self, rule: ClassRule) -> Preset {
        self.classes = rule;
        self
    }

    fn equivalent_to(mut self, e: Option<String>) -> Preset {
        self.equivalent = e;
        self
    }

    fn restricts_to(mut self, h: Option<String>) -> Preset {
        self.hard = h;
        self
    }
}

impl SumFormula for Preset {
    fn spec(&self) -> String {
        self.spec.clone()
    }
    fn needs(&self) -> Needs {
        self.main.needs_of()
    }
    fn formula<T: SoftNum>(&self, s: &SoftSums<T>) -> Result<Option<T>> {
        match &self.no_label {
            Some(e) if s.sy.is_nil() => e.eval(s, &self.spec),
            _ => self.main.eval(s, &self.spec),
        }
    }
    fn equivalent(&self) -> Option<String> {
        let main = format!("soft-expr:{}", self.main.expr());
        Some(match (&self.equivalent, &self.no_label) {
            (Some(e), None) => format!("{e} = {main}"),
            (None, None) => main,
            (_, Some(z)) => format!("{main} when sy > 0; soft-expr:{} when sy = 0", z.expr()),
        })
    }
    fn hard_restriction(&self) -> Option<String> {
        self.hard.clone()
    }
    fn class_rule(&self) -> ClassRule {
        self.classes.clone()
    }
}

/// MONAI's class rule: a mean over every channel, channel 0 only with
/// `include_background` (MONAI's default: true).
fn monai_classes(include_background: bool) -> ClassRule {
    ClassRule::Own {
        classes: Classes::All,
        include_background,
        options: format!("include_background={include_background}"),
    }
}

/// `,include_background=false` for a canonical spec (true is MONAI's default).
fn background_suffix(include_background: bool) -> &'static str {
    if include_background {
        ""
    } else {
        ",include_background=false"
    }
}

/// A preset that is exactly a built-in soft loss under another name.
#[derive(Debug)]
pub struct Alias {
    spec: String,
    inner: Box<dyn SoftLoss>,
}

impl SoftLoss for Alias {
    fn spec(&self) -> String {
        self.spec.clone()
    }
    fn loss(&self, y: &[Q], p: &[Q]) -> Result<Option<Q>> {
        self.inner.loss(y, p)
    }
    fn loss_f64(&self, y: &[f64], p: &[f64]) -> f64 {
        self.inner.loss_f64(y, p)
    }
    fn loss_sums(&self, s: &SoftSums<Q>) -> Result<Option<Q>> {
        self.inner.loss_sums(s)
    }
    fn equivalent(&self) -> Option<String> {
        Some(self.inner.spec())
    }
    fn hard_restriction(&self) -> Option<String> {
        self.inner.hard_restriction()
    }
}

/// The value of a numeric option, `default` (an exact decimal) when absent; must be ≥ 0.
fn number(o: &Args, key: &str, default: &str, syntax: &str) -> Result<Q> {
    let v = match o.number_opt(&[key], syntax)? {
        Some(v) => v,
        None => parse_rational(default)?,
    };
    if v.is_negative() {
        return Err(Error::invalid(format!(
            "spec {:?}: {key} must be ≥ 0, got {}",
            o.spec(),
            format_q(&v)
        )));
    }
    Ok(v)
}

/// `key=false` is fine; `key=true` is refused with `why`.
fn must_be_false(o: &Args, key: &str, why: &str, syntax: &str) -> Result<()> {
    if o.bool_or(key, false, syntax)? {
        return Err(Error::invalid(format!(
            "spec {:?}: {key}=true {why}",
            o.spec()
        )));
    }
    Ok(())
}

/// The options every MONAI preset reads the same way, in one place: the
/// activations must be off, `batch` is accepted, and `include_background`,
/// `smooth_nr`, `smooth_dr` and `soft_label` have MONAI's defaults.
struct MonaiCommon {
    /// `include_background` (MONAI's default: true).
    background: bool,
    /// `smooth_nr` (default exactly 1/100000).
    nr: Q,
    /// `smooth_dr` (default exactly 1/100000).
    dr: Q,
    /// `soft_label`: true positives as [`TP_L1`] rather than Σp·y.
    soft: bool,
}

impl MonaiCommon {
    fn read(o: &Args, syn: &str) -> Result<MonaiCommon> {
        let soft = o.bool_or("soft_label", false, syn)?;
        must_be_false(o, "sigmoid", ACTIVATION, syn)?;
        must_be_false(o, "softmax", ACTIVATION, syn)?;
        o.bool_or("batch", false, syn)?;
        Ok(MonaiCommon {
            background: o.bool_or("include_background", true, syn)?,
            nr: number(o, "smooth_nr", "1e-5", syn)?,
            dr: number(o, "smooth_dr", "1e-5", syn)?,
            soft,
        })
    }
}

/// MONAI's soft-label true positives (Σp + Σy − ‖p − y‖₁)/2.
const TP_L1: &str = "((sp+sy-sabs)/2)";

const ACTIVATION: &str = "applies a sigmoid or softmax inside the loss, which is irrational; \
                          give diceproof the probabilities (the activation's output) instead";

fn q(v: &Q) -> String {
    let s = format_q(v);
    if s.contains('/') {
        format!("({s})")
    } else {
        s
    }
}

// ----- MONAI -----

const MONAI_DICE_SYNTAX: &str =
    "monai-dice[:smooth_nr=1e-5,smooth_dr=1e-5,squared_pred=false,jaccard=false,include_background=true]";

/// MONAI `DiceLoss` (binary, one channel, probabilities).
pub const MONAI_DICE: SoftInfo = SoftInfo {
    name: "monai-dice",
    syntax: MONAI_DICE_SYNTAX,
    summary: "MONAI DiceLoss: 1 − (2I + smooth_nr)/(D + smooth_dr), D = Σp + Σy (squared_pred: Σp² + Σy²); \
              jaccard=true replaces D by 2(D − I)",
    options: "smooth_nr=1e-5, smooth_dr=1e-5 (exact 1/100000), squared_pred=false, jaccard=false, soft_label=false; \
              include_background=true (decides class 0 on a multi-class map, --channel-axis; no effect on one channel); \
              batch accepted (no effect on one image); sigmoid/softmax must be false",
    peer: Some(MONAI),
    keys: &["smooth_nr", "smooth_dr", "squared_pred", "jaccard", "soft_label", "batch", "include_background", "sigmoid", "softmax"],
    build: |o, syn| {
        let MonaiCommon { background, nr, dr, soft } = MonaiCommon::read(o, syn)?;
        let squared = o.bool_or("squared_pred", false, syn)?;
        let jaccard = o.bool_or("jaccard", false, syn)?;
        // MONAI's compute_tp_fp_fn: with squared_pred (ord 2) TP = (‖p‖² + ‖y‖² − ‖p − y‖²)/2,
        // which is Σp·y exactly; with soft_label (ord 1) TP = (Σp + Σy − ‖p − y‖₁)/2.
        let tp = if soft && !squared { TP_L1 } else { "spy" };
        let d = if squared { "spp+syy" } else { "sp+sy" };
        let den = if jaccard { format!("2*({d}-{tp})") } else { d.to_string() };
        let spec = format!(
            "monai-dice:smooth_nr={},smooth_dr={},squared_pred={squared},jaccard={jaccard}{}{}",
            format_q(&nr),
            format_q(&dr),
            if soft { ",soft_label=true" } else { "" },
            background_suffix(background)
        );
        let main = format!("1-(2*{tp}+{})/({den}+{})", q(&nr), q(&dr));
        let base = if jaccard { "soft-jaccard" } else { "soft-dice" };
        let sq = if squared { "squared" } else { "" };
        let same = nr == dr && (tp == "spy");
        let eps = if jaccard { &nr / Q::from_integer(2.into()) } else { nr.clone() };
        let opts: Vec<String> = [
            (!sq.is_empty()).then(|| sq.to_string()),
            (!eps.is_zero()).then(|| format!("eps={}", format_q(&eps))),
        ]
        .into_iter()
        .flatten()
        .collect();
        let equivalent = same.then(|| crate::surrogates::soft::with_options(base, &opts));
        let hard = (nr.is_zero() && dr.is_zero()).then(|| if jaccard { "jaccard" } else { "dice" }.to_string());
        Ok(Box::new(
            Preset::new(spec, &main, None)?
                .equivalent_to(equivalent)
                .restricts_to(hard)
                .with_classes(monai_classes(background)),
        ))
    },
};

const MONAI_GDL_SYNTAX: &str = "monai-generalized-dice[:w_type=square|simple|uniform,smooth_nr=1e-5,smooth_dr=1e-5,batch=false]";

/// MONAI `GeneralizedDiceLoss` (binary, one channel, probabilities).
pub const MONAI_GENERALIZED_DICE: SoftInfo = SoftInfo {
    name: "monai-generalized-dice",
    syntax: MONAI_GDL_SYNTAX,
    summary: "MONAI GeneralizedDiceLoss: 1 − (2w·I + smooth_nr)/(w·(Σp + Σy) + smooth_dr), w = 1/Σy² (square), \
              1/Σy (simple) or 1 (uniform); an infinite weight (Σy = 0) becomes 0, as MONAI does",
    options: "w_type=square (default) | simple | uniform, smooth_nr=1e-5, smooth_dr=1e-5, soft_label=false; batch, include_background \
              accepted (no effect on one image and channel); one channel only (a multi-class map is refused: the class \
              weights sit inside one ratio); sigmoid/softmax must be false",
    peer: Some(MONAI),
    keys: &["w_type", "smooth_nr", "smooth_dr", "soft_label", "batch", "include_background", "sigmoid", "softmax"],
    build: |o, syn| {
        // include_background is read (and checked) but changes nothing on one channel.
        let MonaiCommon { nr, dr, soft, .. } = MonaiCommon::read(o, syn)?;
        let tp = if soft { TP_L1 } else { "spy" };
        let w = match o.value("w_type") {
            None => "square".to_string(),
            Some(Some(v)) => v.to_ascii_lowercase(),
            Some(None) => String::new(),
        };
        let weight = match w.as_str() {
            "square" => "sy^-2",
            "simple" => "sy^-1",
            "uniform" => "1",
            other => {
                return Err(Error::invalid(format!(
                    "spec {:?}: w_type={other:?} is not one of square, simple, uniform",
                    o.spec()
                )))
            }
        };
        let spec = format!(
            "monai-generalized-dice:w_type={w},smooth_nr={},smooth_dr={}{}",
            format_q(&nr),
            format_q(&dr),
            if tp == "spy" { "" } else { ",soft_label=true" }
        );
        let main = format!("1-(2*{tp}*{weight}+{})/((sp+sy)*{weight}+{})", q(&nr), q(&dr));
        let zero = format!("1-{}/{}", q(&nr), q(&dr));
        let no_label = (w != "uniform").then_some(zero.as_str());
        let preset = Preset::new(spec, &main, no_label)?.with_classes(ClassRule::NotAMean(
            "MONAI's GeneralizedDiceLoss weighs the classes inside one ratio \
             (Σ_c w_c·2I_c over Σ_c w_c·S_c), which is not a mean of per-class losses; \
             the preset covers one channel"
                .into(),
        ));
        let hard = (nr.is_zero() && dr.is_zero() && w == "uniform").then(|| "dice".to_string());
        Ok(Box::new(preset.restricts_to(hard)))
    },
};

const MONAI_TVERSKY_SYNTAX: &str =
    "monai-tversky[:alpha=0.5,beta=0.5,smooth_nr=1e-5,smooth_dr=1e-5,include_background=true]";

/// MONAI `TverskyLoss` (binary, one channel, probabilities).
pub const MONAI_TVERSKY: SoftInfo = SoftInfo {
    name: "monai-tversky",
    syntax: MONAI_TVERSKY_SYNTAX,
    summary: "MONAI TverskyLoss: 1 − (I + smooth_nr)/(I + alpha·Σp(1−y) + beta·Σ(1−p)y + smooth_dr); alpha weights FP, beta FN",
    options: "alpha=0.5, beta=0.5, smooth_nr=1e-5, smooth_dr=1e-5, soft_label=false; include_background=true (decides class 0 \
              on a multi-class map, --channel-axis; no effect on one channel); batch accepted (no effect on one image); \
              sigmoid/softmax must be false",
    peer: Some(MONAI),
    keys: &["alpha", "beta", "smooth_nr", "smooth_dr", "soft_label", "batch", "include_background", "sigmoid", "softmax"],
    build: |o, syn| {
        let MonaiCommon { background, nr, dr, soft } = MonaiCommon::read(o, syn)?;
        let tp = if soft { TP_L1 } else { "spy" };
        let a = number(o, "alpha", "0.5", syn)?;
        let b = number(o, "beta", "0.5", syn)?;
        let spec = format!(
            "monai-tversky:alpha={},beta={},smooth_nr={},smooth_dr={}{}{}",
            format_q(&a),
            format_q(&b),
            format_q(&nr),
            format_q(&dr),
            if tp == "spy" { "" } else { ",soft_label=true" },
            background_suffix(background)
        );
        let main = format!(
            "1-({tp}+{})/({tp}+{}*(sp-{tp})+{}*(sy-{tp})+{})",
            q(&nr),
            q(&a),
            q(&b),
            q(&dr)
        );
        let tv = format!("soft-tversky:a={},b={}", format_q(&a), format_q(&b));
        let equivalent = (nr == dr && tp == "spy").then(|| {
            if nr.is_zero() {
                tv.clone()
            } else {
                format!("{tv},eps={}", format_q(&nr))
            }
        });
        let hard = (nr.is_zero() && dr.is_zero() && !(a.is_zero() && b.is_zero()))
            .then(|| format!("tversky:a={},b={}", format_q(&a), format_q(&b)));
        Ok(Box::new(
            Preset::new(spec, &main, None)?
                .equivalent_to(equivalent)
                .restricts_to(hard)
                .with_classes(monai_classes(background)),
        ))
    },
};

// ----- segmentation_models_pytorch -----

const SMP_KEYS: &[&str] = &["mode", "smooth", "eps", "from_logits", "log_loss"];

fn smp(o: &Args, syn: &str, jaccard: bool) -> Result<Box<dyn SoftLoss>> {
    match o.value("mode") {
        None | Some(Some("binary")) => {}
        Some(v) => {
            return Err(Error::invalid(format!(
            "spec {:?}: mode={} is not supported; the smp presets are binary mode (one channel)",
            o.spec(),
            v.unwrap_or("")
        )))
        }
    }
    must_be_false(
        o,
        "from_logits",
        "applies a sigmoid inside the loss, which is irrational; give diceproof the probabilities \
         (smp's sigmoid output) and write from_logits=false, or leave it out",
        syn,
    )?;
    must_be_false(o, "log_loss", "takes a logarithm, which is irrational", syn)?;
    let smooth = number(o, "smooth", "0", syn)?;
    let eps = number(o, "eps", "1e-7", syn)?;
    let name = if jaccard { "smp-jaccard" } else { "smp-dice" };
    let spec = format!("{name}:smooth={},eps={}", format_q(&smooth), format_q(&eps));
    // smp ≥ 0.5 writes TP = (Σp + Σy − ‖p − y‖₁)/2, FP = Σp − TP, FN = Σy − TP and
    // the Tversky score (TP + smooth)/max(TP + a·FP + b·FN + smooth, eps).
    let den = if jaccard {
        "(sp+sy+sabs)/2"
    } else {
        "(sp+sy)/2"
    };
    let main = format!(
        "1-((sp+sy-sabs)/2+{s})/max({den}+{s},{e})",
        s = q(&smooth),
        e = q(&eps)
    );
    Ok(Box::new(Preset::new(spec, &main, Some("0"))?))
}

const SMP_DICE_SYNTAX: &str = "smp-dice[:smooth=0,eps=1e-7]";
const SMP_JACCARD_SYNTAX: &str = "smp-jaccard[:smooth=0,eps=1e-7]";

/// segmentation_models_pytorch `DiceLoss(mode="binary", from_logits=False)`.
pub const SMP_DICE: SoftInfo = SoftInfo {
    name: "smp-dice",
    syntax: SMP_DICE_SYNTAX,
    summary: "smp DiceLoss (binary): 1 − (TP + smooth)/max((Σp + Σy)/2 + smooth, eps), TP = (Σp + Σy − ‖p − y‖₁)/2; \
              0 for an image with Σy = 0 (smp masks it)",
    options: "smooth=0, eps=1e-7 (exact 1/10000000); mode=binary; from_logits and log_loss must be false \
              (inputs are probabilities)",
    peer: Some(SMP),
    keys: SMP_KEYS,
    build: |o, syn| smp(o, syn, false),
};

/// segmentation_models_pytorch `JaccardLoss(mode="binary", from_logits=False)`.
pub const SMP_JACCARD: SoftInfo = SoftInfo {
    name: "smp-jaccard",
    syntax: SMP_JACCARD_SYNTAX,
    summary: "smp JaccardLoss (binary): 1 − (TP + smooth)/max((Σp + Σy + ‖p − y‖₁)/2 + smooth, eps), \
              TP = (Σp + Σy − ‖p − y‖₁)/2; 0 for an image with Σy = 0",
    options: "smooth=0, eps=1e-7 (exact 1/10000000); mode=binary; from_logits and log_loss must be false \
              (inputs are probabilities)",
    peer: Some(SMP),
    keys: SMP_KEYS,
    build: |o, syn| smp(o, syn, true),
};

// ----- JDTLosses -----

const JDT_KEYS: &[&str] = &["smooth", "log_loss"];

fn jdt(o: &Args, syn: &str, jaccard: bool) -> Result<Box<dyn SoftLoss>> {
    must_be_false(o, "log_loss", "takes a logarithm, which is irrational", syn)?;
    let smooth = number(o, "smooth", "1e-3", syn)?;
    let (name, inner) = if jaccard {
        ("jdt-jaccard", format!("jml:eps={}", format_q(&smooth)))
    } else {
        let eps = &smooth * Q::from_integer(2.into());
        ("jdt-dice", format!("dml:eps={}", format_q(&eps)))
    };
    Ok(Box::new(Alias {
        spec: format!("{name}:smooth={}", format_q(&smooth)),
        inner: crate::surrogates::soft::parse_soft(&inner)?,
    }))
}

const JDT_DICE_SYNTAX: &str = "jdt-dice[:smooth=1e-3]";
const JDT_JACCARD_SYNTAX: &str = "jdt-jaccard[:smooth=1e-3]";

/// JDTLosses' Dice semimetric loss (`JDTLoss(alpha=0.5, beta=0.5)`, one class).
pub const JDT_DICE: SoftInfo = SoftInfo {
    name: "jdt-dice",
    syntax: JDT_DICE_SYNTAX,
    summary: "JDTLoss(alpha=beta=0.5) on one class: 1 − (TP + s)/(TP + (FP + FN)/2 + s) with TP = (‖p‖₁+‖y‖₁−‖p−y‖₁)/2 \
              = dml:eps=2s (JDTLoss.forward averages this over active classes)",
    options: "smooth=1e-3 (exact 1/1000); log_loss must be false",
    peer: Some(JDT),
    keys: JDT_KEYS,
    build: |o, syn| jdt(o, syn, false),
};

/// JDTLosses' Jaccard metric loss (`JDTLoss(alpha=1, beta=1)`, one class).
pub const JDT_JACCARD: SoftInfo = SoftInfo {
    name: "jdt-jaccard",
    syntax: JDT_JACCARD_SYNTAX,
    summary: "JDTLoss(alpha=beta=1) on one class: 1 − (TP + s)/(TP + FP + FN + s) = jml:eps=s",
    options: "smooth=1e-3 (exact 1/1000); log_loss must be false",
    peer: Some(JDT),
    keys: JDT_KEYS,
    build: |o, syn| jdt(o, syn, true),
};

// ----- Lovász reference -----

/// The reference `lovasz_hinge(logits, labels)` on one image: the Lovász–Jaccard
/// extension at the hinge errors max(0, 1 − z·(2y − 1)). Its second input is
/// logits (any rational), not probabilities.
#[derive(Clone, Copy, Debug)]
pub struct LovaszHinge;

fn hard(y: &[Q]) -> Result<Vec<bool>> {
    y.iter()
        .enumerate()
        .map(|(i, v)| {
            if v.is_zero() {
                Ok(false)
            } else if *v == Q::from_integer(1.into()) {
                Ok(true)
            } else {
                Err(Error::invalid(format!(
                    "the Lovász presets need hard labels (0 or 1), but label y[{i}] = {}",
                    format_q(v)
                )))
            }
        })
        .collect()
}

impl SoftLoss for LovaszHinge {
    fn spec(&self) -> String {
        "lovasz-hinge".into()
    }
    fn loss(&self, y: &[Q], z: &[Q]) -> Result<Option<Q>> {
        validate_labels(y, z)?;
        let yb = hard(y)?;
        let one = Q::from_integer(1.into());
        let m: Vec<Q> = yb
            .iter()
            .zip(z)
            .map(|(&t, zi)| {
                let e = if t { &one - zi } else { &one + zi };
                if e.is_negative() {
                    Q::zero()
                } else {
                    e
                }
            })
            .collect();
        Ok(Some(lovasz_jaccard_fast(&yb, &m)))
    }
    fn loss_f64(&self, y: &[f64], z: &[f64]) -> f64 {
        if y.len() != z.len() || y.iter().any(|&v| v != 0.0 && v != 1.0) {
            return f64::NAN;
        }
        let yb: Vec<bool> = y.iter().map(|&v| v == 1.0).collect();
        let m: Vec<f64> = yb
            .iter()
            .zip(z)
            .map(|(&t, &zi)| (1.0 - zi * if t { 1.0 } else { -1.0 }).max(0.0))
            .collect();
        lovasz_jaccard_fast_f64(&yb, &m)
    }
    fn hard_restriction(&self) -> Option<String> {
        None
    }
    fn input_domain(&self) -> InputDomain {
        InputDomain::Logits
    }
    fn class_rule(&self) -> ClassRule {
        ClassRule::NotAMean(
            "the reference lovasz_hinge is binary (one channel of logits); for classes use \
             lovasz-softmax on probabilities"
                .into(),
        )
    }
}

/// LOVASZ_HINGE syntax.
const LOVASZ_HINGE_SYNTAX: &str = "lovasz-hinge[:per_image=true]";

/// The reference `lovasz_hinge`.
pub const LOVASZ_HINGE: SoftInfo = SoftInfo {
    name: "lovasz-hinge",
    syntax: LOVASZ_HINGE_SYNTAX,
    summary: "reference lovasz_hinge on logits z: Lovász–Jaccard extension at the errors max(0, 1 − z·(2y − 1)); \
              the prediction input is logits, not probabilities",
    options: "per_image accepted (one image); ignore is not supported (drop those voxels first)",
    peer: Some(LOVASZ),
    keys: &["per_image"],
    build: |o, syn| {
        o.bool_or("per_image", true, syn)?;
        Ok(Box::new(LovaszHinge))
    },
};

/// Which classes `lovasz_softmax` averages over: the same selection as the
/// Lovász module's (`present` is the reference's default here).
pub use crate::surrogates::lovasz::Classes;

impl Classes {
    /// The option value as written in a spec: `present`, `all` or `1+3`.
    pub fn spec(&self) -> String {
        match self {
            Classes::All => "all".into(),
            Classes::Present => "present".into(),
            Classes::List(l) => l
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("+"),
        }
    }
}

/// The reference `lovasz_softmax(probas, labels, classes)` on one image, exactly:
/// `probas[i][c]` is voxel i's probability of class c, `labels[i]` its class. The
/// mean over the selected classes of the Lovász–Jaccard extension at the errors
/// |[label = c] − p_c|; 0 when no class is selected (as the reference's `mean`).
pub fn lovasz_softmax(probas: &[Vec<Q>], labels: &[usize], classes: &Classes) -> Result<Q> {
    if probas.len() != labels.len() {
        return Err(Error::Mismatch(format!(
            "{} probability vectors but {} labels",
            probas.len(),
            labels.len()
        )));
    }
    let c = probas.first().map_or(0, Vec::len);
    if let Some(i) = probas.iter().position(|v| v.len() != c) {
        return Err(Error::Mismatch(format!(
            "voxel {i} has {} class probabilities, voxel 0 has {c}",
            probas[i].len()
        )));
    }
    if let Some(i) = labels.iter().position(|&l| l >= c) {
        return Err(Error::invalid(format!(
            "label[{i}] = {} is not a class of the {c}-channel probabilities",
            labels[i]
        )));
    }
    let list: Vec<usize> = match classes {
        Classes::All | Classes::Present => (0..c).collect(),
        Classes::List(l) => {
            if let Some(bad) = l.iter().find(|&&k| k >= c) {
                return Err(Error::invalid(format!(
                    "classes lists class {bad}, but the probabilities have {c} channels"
                )));
            }
            l.clone()
        }
    };
    let mut total = Q::zero();
    let mut count = 0u64;
    for k in list {
        let fg: Vec<bool> = labels.iter().map(|&l| l == k).collect();
        if *classes == Classes::Present && !fg.iter().any(|&b| b) {
            continue;
        }
        let m: Vec<Q> = fg
            .iter()
            .zip(probas)
            .map(|(&f, p)| {
                let t = if f {
                    Q::from_integer(1.into())
                } else {
                    Q::zero()
                };
                (t - &p[k]).abs()
            })
            .collect();
        total += lovasz_jaccard_fast(&fg, &m);
        count += 1;
    }
    Ok(if count == 0 {
        Q::zero()
    } else {
        total / Q::from_integer(count.into())
    })
}

/// `lovasz-softmax` on a binary problem: the two channels (1 − p, p), labels y.
#[derive(Clone, Debug)]
pub struct LovaszSoftmax {
    classes: Classes,
}

impl SoftLoss for LovaszSoftmax {
    fn spec(&self) -> String {
        format!("lovasz-softmax:classes={}", self.classes.spec())
    }
    fn loss(&self, y: &[Q], p: &[Q]) -> Result<Option<Q>> {
        validate(y, p)?;
        let labels: Vec<usize> = hard(y)?.into_iter().map(usize::from).collect();
        let one = Q::from_integer(1.into());
        let probas: Vec<Vec<Q>> = p.iter().map(|pi| vec![&one - pi, pi.clone()]).collect();
        lovasz_softmax(&probas, &labels, &self.classes).map(Some)
    }
    fn loss_f64(&self, y: &[f64], p: &[f64]) -> f64 {
        if y.len() != p.len() || y.iter().any(|&v| v != 0.0 && v != 1.0) {
            return f64::NAN;
        }
        let (mut total, mut count) = (0.0, 0.0);
        for k in [false, true] {
            let fg: Vec<bool> = y.iter().map(|&v| (v == 1.0) == k).collect();
            let selected = match &self.classes {
                Classes::All => true,
                Classes::Present => fg.iter().any(|&b| b),
                Classes::List(l) => l.contains(&usize::from(k)),
            };
            if selected {
                let m: Vec<f64> = y.iter().zip(p).map(|(&t, &pi)| (t - pi).abs()).collect();
                total += lovasz_jaccard_fast_f64(&fg, &m);
                count += 1.0;
            }
        }
        if count == 0.0 {
            0.0
        } else {
            total / count
        }
    }
    fn hard_restriction(&self) -> Option<String> {
        None
    }
    fn class_rule(&self) -> ClassRule {
        ClassRule::Own {
            classes: self.classes.clone(),
            include_background: true,
            options: format!("classes={}", self.classes.spec()),
        }
    }
    fn per_class(&self) -> Option<Box<dyn SoftLoss>> {
        // lovasz_softmax_flat of one class: the Lovász–Jaccard extension at
        // |[label = c] − p_c|, which is diceproof's lovasz-jaccard.
        crate::surrogates::soft::parse_soft("lovasz-jaccard").ok()
    }
}

const LOVASZ_SOFTMAX_SYNTAX: &str = "lovasz-softmax[:classes=present|all|K+K…]";

/// The reference `lovasz_softmax`.
pub const LOVASZ_SOFTMAX: SoftInfo = SoftInfo {
    name: "lovasz-softmax",
    syntax: LOVASZ_SOFTMAX_SYNTAX,
    summary: "reference lovasz_softmax: mean over classes of the Lovász–Jaccard extension at |[label = c] − p_c|; \
              on a binary problem the channels are (1 − p, p)",
    options: "classes=present (default) | all | a list such as 1 or 0+1 (`+` separates, since `,` separates options); \
              on a multi-class map (--channel-axis) the mean over these classes of each channel's lovasz-jaccard, class 0 \
              included as in the reference; per_image accepted (one image); ignore: use measure --ignore-label",
    peer: Some(LOVASZ),
    keys: &["classes", "per_image"],
    build: |o, syn| {
        o.bool_or("per_image", false, syn)?;
        let classes = match o.value("classes") {
            None => Classes::Present,
            Some(Some(v)) if v.eq_ignore_ascii_case("present") => Classes::Present,
            Some(Some(v)) if v.eq_ignore_ascii_case("all") => Classes::All,
            Some(Some(v)) => {
                let list: std::result::Result<Vec<usize>, _> =
                    v.trim_matches(|c| c == '[' || c == ']').split('+').map(|k| k.trim().parse::<usize>()).collect();
                match list {
                    Ok(l) if !l.is_empty() => Classes::List(l),
                    _ => {
                        return Err(Error::invalid(format!(
                            "spec {:?}: classes={v:?} is not present, all or a list of class numbers such as 0+1",
                            o.spec()
                        )))
                    }
                }
            }
            Some(None) => {
                return Err(Error::invalid(format!(
                    "spec {:?}: classes needs a value (present, all or a list such as 0+1)",
                    o.spec()
                )))
            }
        };
        Ok(Box::new(LovaszSoftmax { classes }))
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surrogates::soft::parse_soft;

    #[test]
    fn input_domain_is_the_loss_own_word() {
        assert_eq!(
            parse_soft("lovasz-hinge").unwrap().input_domain(),
            InputDomain::Logits
        );
        for spec in [
            "soft-dice",
            "lovasz-jaccard",
            "lovasz-softmax",
            "monai-dice",
            "jdt-dice",
            "smp-jaccard",
            "soft-expr:1-spy/sp",
        ] {
            assert_eq!(
                parse_soft(spec).unwrap().input_domain(),
                InputDomain::Probabilities,
                "{spec}"
            );
        }
    }

    #[test]
    fn class_options_of_presets_are_read_and_round_trip() {
        let rule = |s: &str| parse_soft(s).unwrap().class_rule();
        let own = |classes: Classes, include_background: bool| (classes, include_background);
        let pick = |r: ClassRule| match r {
            ClassRule::Own {
                classes,
                include_background,
                ..
            } => Some((classes, include_background)),
            _ => None,
        };
        assert_eq!(pick(rule("monai-dice")), Some(own(Classes::All, true)));
        assert_eq!(
            pick(rule("monai-dice:include_background=false")),
            Some(own(Classes::All, false))
        );
        assert_eq!(
            pick(rule("monai-tversky:include_background=false")),
            Some(own(Classes::All, false))
        );
        assert_eq!(
            pick(rule("lovasz-softmax")),
            Some(own(Classes::Present, true))
        );
        assert_eq!(
            pick(rule("lovasz-softmax:classes=1+2")),
            Some(own(Classes::List(vec![1, 2]), true))
        );
        assert_eq!(rule("soft-dice"), ClassRule::Command);
        assert_eq!(rule("jdt-dice"), ClassRule::Command);
        assert!(matches!(
            rule("monai-generalized-dice"),
            ClassRule::NotAMean(_)
        ));
        assert!(matches!(rule("lovasz-hinge"), ClassRule::NotAMean(_)));
        // The canonical spec keeps a non-default include_background, so it parses
        // back to the same rule.
        for s in [
            "monai-dice:include_background=false",
            "monai-tversky:include_background=false",
        ] {
            let l = parse_soft(s).unwrap();
            assert!(
                l.spec().contains("include_background=false"),
                "{}",
                l.spec()
            );
            assert_eq!(parse_soft(&l.spec()).unwrap().class_rule(), l.class_rule());
        }
        assert!(!parse_soft("monai-dice")
            .unwrap()
            .spec()
            .contains("include_background"));
        // lovasz-softmax scores each class with the flat loss.
        let per = parse_soft("lovasz-softmax").unwrap().per_class().unwrap();
        assert_eq!(per.spec(), "lovasz-jaccard");
        assert!(parse_soft("monai-dice").unwrap().per_class().is_none());
    }
}
