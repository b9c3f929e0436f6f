//! The machine-checked proofs (`proofs/coq/`) against the Rust library.
//!
//! Three things are checked, each of which would silently drift otherwise:
//!
//! 1. **Same formulas.** The Coq definitions (in `Q`, tied to the `R` ones the
//!    theorems use by the `*_Q2R` lemmas of `defs.v`) are evaluated by `coqc` with
//!    `Eval vm_compute` on count configurations and soft configurations, edge cases
//!    included, and compared exactly with what `diceproof` computes.
//! 2. **No gaps in the proofs.** Every theorem of `proofs/coq/THEOREMS` exists in
//!    the compiled files, and `Print Assumptions` lists only the axioms of the
//!    allow-list below (the ones behind Coq's real numbers, functional
//!    extensionality and excluded middle).
//! 3. **No escape hatches.** No `Admitted`, `admit`, `give_up` or `Hypothesis`
//!    anywhere in `proofs/coq/` (a premise is a binder of the lemma that uses it),
//!    and no `Axiom`, `Parameter`, `Variable` or `Conjecture` outside a `Section`
//!    (a section `Variable` becomes an ordinary universally quantified argument).
//!
//! These tests need Coq (`coqc`, Debian's `coq` and the packages listed in
//! `.ci/debian-packages.txt`); without it they fail with the install command
//! rather than skip, since CI installs it. They build the proofs first with
//! `make -C proofs/coq` (about a minute on two cores).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use diceproof::exact::{parse_rational, Q};
use diceproof::surrogates::soft::parse_soft;
use diceproof::{parse_measure, Counts, EmptyPolicy};

/// The only axioms a theorem may rest on.
const ALLOWED_AXIOMS: &[&str] = &[
    // Coq's real numbers (Coq 8.16 builds R from Dedekind cuts with these two).
    "ClassicalDedekindReals.sig_forall_dec",
    "ClassicalDedekindReals.sig_not_dec",
    // Used by the standard library of reals.
    "FunctionalExtensionality.functional_extensionality_dep",
    // Excluded middle, used by the standard library (e.g. for ln and sqrt).
    "Classical_Prop.classic",
];

/// Theorems that back a claim without being its manifest entry: the identity behind
/// dice-jaccard-relative (not a registered claim of its own) and the Dice/Jaccard
/// instance of risk-transfer. They get the same assumption check.
const SUPPORTING: &[(&str, &str, &str)] = &[
    (
        "dice-jaccard-identity",
        "dice_jaccard_identity",
        "dice_jaccard_identity",
    ),
    (
        "risk-transfer",
        "risk_transfer",
        "risk_transfer_dice_jaccard",
    ),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn coq_dir() -> PathBuf {
    root().join("proofs/coq")
}

const INSTALL: &str = "coqc is missing: install Coq and the Coq libraries of \
    .ci/debian-packages.txt, e.g. `sudo apt-get install coq` (the README's set-up step)";

/// Builds the proofs once per test run; panics with the install command if Coq is
/// missing, or with make's output if a proof fails.
fn built() {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let r = BUILT.get_or_init(|| {
        match Command::new("coqc").arg("--version").output() {
            Ok(o) if o.status.success() => {}
            _ => return Err(INSTALL.to_string()),
        }
        let out = Command::new("make")
            .arg("-C")
            .arg(coq_dir())
            .output()
            .map_err(|e| format!("cannot run `make -C proofs/coq`: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`make -C proofs/coq` failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    });
    if let Err(e) = r {
        panic!("{e}");
    }
}

/// Runs `coqc` on a generated file that loads the compiled proofs; returns stdout.
fn run_coq(name: &str, text: &str) -> String {
    built();
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join(format!("{name}.v"));
    std::fs::write(&file, text).expect("write the generated .v");
    let out = Command::new("coqc")
        .arg("-R")
        .arg(coq_dir())
        .arg("Diceproof")
        .arg(&file)
        .current_dir(dir.path())
        .output()
        .expect("run coqc");
    assert!(
        out.status.success(),
        "coqc failed on the generated {name}.v:\n{text}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The manifest: (claim, module, theorem).
fn manifest() -> Vec<(String, String, String)> {
    diceproof::claims::coq::manifest()
        .iter()
        .map(|(c, t)| (c.clone(), t.module().to_string(), t.theorem.clone()))
        .collect()
}

// ---------------------------------------------------------------- evaluation

/// A rational as a Coq `Q` literal.
fn coq_q(q: &Q) -> String {
    format!("({} # {})", q.numer(), q.denom())
}

/// The `(num, den)` pairs printed by `Eval vm_compute in (Qnum q, Zpos (Qden q))`.
fn parse_pairs(stdout: &str) -> Vec<(String, String)> {
    stdout
        .split(": Z * Z")
        .filter_map(|chunk| {
            let start = chunk.find("= (")?;
            let body: String = chunk[start + 3..]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let body = body.trim_end_matches(')').trim_end_matches("%Z");
            let (n, d) = body.split_once(',')?;
            Some((
                n.trim_matches(|c| c == '(' || c == ')').to_string(),
                d.trim_matches(|c| c == '(' || c == ')').to_string(),
            ))
        })
        .collect()
}

fn q(text: &str) -> Q {
    parse_rational(text).expect("test rational")
}

#[test]
fn pair_parser_reads_coq_output() {
    let out = "     = (1, 79)\n     : Z * Z\n     = (-3,\n        4)\n     : Z * Z\n";
    assert_eq!(
        parse_pairs(out),
        vec![("1".into(), "79".into()), ("-3".into(), "4".into())]
    );
}

/// The count configurations: edge cases (empty image, both masks empty, no TP,
/// no error, one voxel), the witnesses of the claims, counts beyond 2^32, and a
/// seeded spread of small ones.
fn count_configs() -> Vec<[u64; 4]> {
    let mut v = vec![
        [0, 0, 0, 0],
        [0, 0, 0, 7],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [1, 0, 0, 0],
        [3, 0, 0, 2],
        [0, 1, 0, 4],
        [0, 0, 1, 4],
        [1, 1, 0, 0],
        [1, 1, 0, 10000],
        [39, 0, 1, 0],
        [39, 1, 0, 0],
        [5, 3, 4, 3],
        [12, 9, 8, 1],
        [1 << 40, 3, (1 << 33) + 1, 7],
        [(1 << 61) - 1, 1 << 50, 12345, 1 << 45],
    ];
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..24 {
        let mut c = [0u64; 4];
        for x in c.iter_mut() {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *x = (s >> 33) % 9;
        }
        v.push(c);
    }
    v
}

#[test]
fn coq_count_measures_equal_the_rust_ones() {
    // (Rust spec, Coq expression with TP FP FN TN as the last four arguments)
    let measures: &[(&str, &str)] = &[
        ("dice", "diceQ {tp} {fp} {fn}"),
        ("jaccard", "jaccardQ {tp} {fp} {fn}"),
        (
            "tversky:a=3/10,b=7/10",
            "tverskyQ (3 # 10) (7 # 10) {tp} {fp} {fn}",
        ),
        ("tversky:a=0,b=1", "tverskyQ 0 1 {tp} {fp} {fn}"),
        ("tversky:a=2,b=1/8", "tverskyQ 2 (1 # 8) {tp} {fp} {fn}"),
        ("whamming:w=1/3", "whammingQ (1 # 3) {tp} {fp} {fn} {tn}"),
        ("whamming:w=0", "whammingQ 0 {tp} {fp} {fn} {tn}"),
        ("whamming:w=1", "whammingQ 1 {tp} {fp} {fn} {tn}"),
        ("whamming:balanced", "balancedQ {tp} {fp} {fn} {tn}"),
        ("whamming:gdice", "gdiceQ {tp} {fp} {fn} {tn}"),
        (
            "whamming:medfreq,fg=1/10,bg=9/10",
            "medfreqQ (1 # 10) (9 # 10) {tp} {fp} {fn} {tn}",
        ),
    ];
    let configs = count_configs();
    let mut v = String::from(
        "From Coq Require Import ZArith QArith.\nFrom Diceproof Require Import defs.\n\
         Open Scope Z_scope.\n",
    );
    let mut expected = Vec::new();
    for (spec, expr) in measures {
        let m = parse_measure(spec).unwrap();
        for c in &configs {
            let counts = Counts::new(c[0], c[1], c[2], c[3]).unwrap();
            let value = m.loss(&counts, EmptyPolicy::One).unwrap();
            let exact = value.exact().expect("policy one is always exact").clone();
            let e = expr
                .replace("{tp}", &c[0].to_string())
                .replace("{fp}", &c[1].to_string())
                .replace("{fn}", &c[2].to_string())
                .replace("{tn}", &c[3].to_string());
            v.push_str(&format!(
                "Eval vm_compute in (let q := Qred ({e}) in (Qnum q, Zpos (Qden q))).\n"
            ));
            expected.push((spec.to_string(), *c, exact));
        }
    }
    let got = parse_pairs(&run_coq("eval_counts", &v));
    assert_eq!(got.len(), expected.len(), "one Coq value per evaluation");
    for ((spec, c, want), (n, d)) in expected.iter().zip(&got) {
        assert_eq!(
            (n.as_str(), d.as_str()),
            (
                want.numer().to_string().as_str(),
                want.denom().to_string().as_str()
            ),
            "{spec} at (TP, FP, FN, TN) = {c:?}: Coq {n}/{d}, Rust {want}"
        );
    }
}

#[test]
fn coq_soft_losses_equal_the_rust_ones() {
    // (labels y, probabilities p) as exact rationals
    let configs: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["0"], vec!["0"]),
        (vec!["0", "0"], vec!["0", "0"]),
        (vec!["1"], vec!["1"]),
        (vec!["1/2"], vec!["1/2"]),
        (vec!["1", "0", "0"], vec!["1/2", "1/4", "0"]),
        (vec!["1", "1", "1"], vec!["5/6", "1", "1"]),
        (vec!["0", "1"], vec!["1", "0"]),
        (vec!["1/3", "2/3", "1"], vec!["3/4", "0", "999/1000"]),
        (vec!["0", "0", "0"], vec!["1/7", "2/7", "3/7"]),
        (
            vec!["1", "0", "1", "0"],
            vec!["1/1000", "999/1000", "1/2", "1/2"],
        ),
    ];
    let losses: &[(&str, &str)] = &[
        ("soft-dice", "soft_diceQ {l}"),
        ("soft-jaccard", "soft_jaccardQ {l}"),
        ("soft-dice:squared", "soft_dice_sqQ {l}"),
        ("soft-jaccard:squared", "soft_jaccard_sqQ {l}"),
        (
            "soft-tversky:a=1/3,b=2/3",
            "soft_tverskyQ (1 # 3) (2 # 3) {l}",
        ),
        ("jml", "jmlQ {l}"),
        ("dml", "dmlQ {l}"),
    ];
    let mut v = String::from(
        "From Coq Require Import ZArith QArith List.\nFrom Diceproof Require Import defs.\n\
         Import ListNotations.\nOpen Scope Z_scope.\n",
    );
    let mut expected = Vec::new();
    for (spec, expr) in losses {
        let loss = parse_soft(spec).unwrap();
        for (ys, ps) in &configs {
            let y: Vec<Q> = ys.iter().map(|s| q(s)).collect();
            let p: Vec<Q> = ps.iter().map(|s| q(s)).collect();
            // 0/0 (S = 0) is 0 in the Coq definitions: the convention of policy `one`.
            let want = loss.loss(&y, &p).unwrap().unwrap_or_else(|| q("0"));
            let list = y
                .iter()
                .zip(&p)
                .map(|(a, b)| format!("({}, {})", coq_q(a), coq_q(b)))
                .collect::<Vec<_>>()
                .join("; ");
            let e = expr.replace("{l}", &format!("[{list}]%Q"));
            v.push_str(&format!(
                "Eval vm_compute in (let q := Qred ({e}) in (Qnum q, Zpos (Qden q))).\n"
            ));
            expected.push((spec.to_string(), ys.clone(), ps.clone(), want));
        }
    }
    let got = parse_pairs(&run_coq("eval_soft", &v));
    assert_eq!(got.len(), expected.len(), "one Coq value per evaluation");
    for ((spec, y, p, want), (n, d)) in expected.iter().zip(&got) {
        assert_eq!(
            (n.as_str(), d.as_str()),
            (
                want.numer().to_string().as_str(),
                want.denom().to_string().as_str()
            ),
            "{spec} at y = {y:?}, p = {p:?}: Coq {n}/{d}, Rust {want}"
        );
    }
}

// ---------------------------------------------------------------- assumptions

/// Splits `Print Assumptions` output into one list of axiom names per theorem.
fn parse_assumptions(stdout: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("Closed under the global context") || line.starts_with("Axioms:") {
            out.push(Vec::new());
        } else if !line.starts_with(' ') && line.contains(" : ") {
            if let (Some(cur), Some((name, _))) = (out.last_mut(), line.split_once(" : ")) {
                cur.push(name.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn assumption_parser_reads_coq_output() {
    let out = "Closed under the global context\nAxioms:\nA.x : forall P : Prop,\n  P\nB.y : nat\n";
    assert_eq!(
        parse_assumptions(out),
        vec![vec![], vec!["A.x".to_string(), "B.y".to_string()]]
    );
}

#[test]
fn every_manifest_theorem_exists_and_rests_only_on_allowed_axioms() {
    let mut entries = manifest();
    entries.extend(
        SUPPORTING
            .iter()
            .map(|(c, m, t)| (c.to_string(), m.to_string(), t.to_string())),
    );
    let mut modules: Vec<&str> = entries.iter().map(|(_, m, _)| m.as_str()).collect();
    modules.sort();
    modules.dedup();
    let mut v = format!("From Diceproof Require {}.\n", modules.join(" "));
    for (_, m, t) in &entries {
        v.push_str(&format!("Print Assumptions {m}.{t}.\n"));
    }
    let stdout = run_coq("assumptions", &v);
    let per = parse_assumptions(&stdout);
    assert_eq!(
        per.len(),
        entries.len(),
        "one Print Assumptions answer per theorem:\n{stdout}"
    );
    for ((claim, m, t), axioms) in entries.iter().zip(&per) {
        for a in axioms {
            assert!(
                ALLOWED_AXIOMS.contains(&a.as_str()),
                "{claim}: {m}.{t} rests on {a}, which is not in the allow-list {ALLOWED_AXIOMS:?}"
            );
        }
    }
}

// ---------------------------------------------------------------- lexical scan

/// Removes (nested) comments and string literals from Coq source.
fn strip_comments(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let (mut out, mut depth, mut i, mut in_str) = (String::new(), 0usize, 0usize, false);
    while i < b.len() {
        if in_str {
            if b[i] == '"' {
                in_str = false;
            }
            i += 1;
        } else if b[i] == '(' && b.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if depth > 0 && b[i] == '*' && b.get(i + 1) == Some(&')') {
            depth -= 1;
            i += 2;
        } else if depth > 0 {
            i += 1;
        } else {
            if b[i] == '"' {
                in_str = true;
            }
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Every forbidden construct in a Coq source: escape hatches and `Hypothesis`
/// anywhere (a premise is written as a binder of the lemma that needs it, so a
/// reader never has to check how a Section discharged it), and declarations that
/// add axioms outside a `Section`.
fn forbidden(src: &str) -> Vec<String> {
    const ANYWHERE: &[&str] = &["Admitted", "admit", "give_up", "Hypothesis", "Hypotheses"];
    const TOP_LEVEL: &[&str] = &[
        "Axiom",
        "Axioms",
        "Parameter",
        "Parameters",
        "Variable",
        "Variables",
        "Conjecture",
    ];
    let code = strip_comments(src);
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    let mut depth = 0i64;
    for (i, w) in words.iter().enumerate() {
        match *w {
            "Section" => depth += 1,
            // `End X.` closes a section (modules are not used in proofs/coq).
            "End" if words.get(i + 1).is_some() => depth -= 1,
            _ => {}
        }
        if ANYWHERE.contains(w) || (depth <= 0 && TOP_LEVEL.contains(w)) {
            found.push(w.to_string());
        }
    }
    found
}

#[test]
fn the_scan_finds_what_it_forbids() {
    assert_eq!(
        forbidden("Lemma x : True. Proof. admit. Admitted."),
        vec!["admit", "Admitted"]
    );
    assert_eq!(forbidden("Axiom a : False."), vec!["Axiom"]);
    assert_eq!(forbidden("Hypothesis h : False."), vec!["Hypothesis"]);
    assert!(forbidden("Section S. Variable n : nat. End S.").is_empty());
    assert_eq!(
        forbidden("Section S. Hypothesis h : True. End S."),
        vec!["Hypothesis"]
    );
    assert!(forbidden("(* Admitted, Axiom *) Lemma l : True. Proof. exact I. Qed.").is_empty());
    assert_eq!(
        forbidden("Section S. End S. Parameter p : nat."),
        vec!["Parameter"]
    );
}

#[test]
fn no_admitted_proof_and_no_top_level_axiom_in_proofs_coq() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(coq_dir())
        .expect("proofs/coq exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "v"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the Coq sources are in proofs/coq");
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let bad = forbidden(&src);
        assert!(bad.is_empty(), "{}: forbidden {bad:?}", f.display());
    }
    // Every manifest module is one of these files.
    for (claim, m, _) in manifest() {
        assert!(
            files
                .iter()
                .any(|f| f.file_stem().is_some_and(|s| s == m.as_str())),
            "{claim}: proofs/coq/{m}.v is missing"
        );
    }
}

// ---------------------------------------------------------------- the tools

fn cli_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_diceproof"))
        .args(args)
        .output()
        .expect("run diceproof");
    assert!(out.status.success(), "diceproof {args:?} failed");
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

#[test]
fn check_and_claims_json_carry_the_coq_theorem() {
    let listed = cli_json(&["claims", "--json"]);
    let listed = listed["claims"].as_array().unwrap();
    assert!(listed.len() > manifest().len());
    for c in listed {
        let name = c["name"].as_str().unwrap();
        match manifest().iter().find(|(claim, _, _)| claim == name) {
            Some((_, m, t)) => {
                assert_eq!(c["coq"]["file"], format!("proofs/coq/{m}.v"), "{name}");
                assert_eq!(c["coq"]["theorem"], t.as_str(), "{name}");
            }
            None => assert!(c["coq"].is_null(), "{name} has no theorem but {}", c["coq"]),
        }
    }
    // `check --json` carries the same field, for a claim with a theorem and one without.
    let v = cli_json(&[
        "check",
        "jaccard-metric",
        "lovasz-extension",
        "--n",
        "2",
        "--json",
        "--quiet",
    ]);
    let c = v["claims"].as_array().unwrap();
    let entry = |name: &str| c.iter().find(|e| e["name"] == name).unwrap().clone();
    let metric = entry("jaccard-metric");
    assert_eq!(metric["coq"]["theorem"], "jaccard_metric");
    assert_eq!(metric["coq"]["file"], "proofs/coq/jaccard_metric.v");
    let lovasz = entry("lovasz-extension");
    assert!(lovasz["coq"].is_null() && lovasz.get("coq").is_some());
}
