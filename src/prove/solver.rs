//! Running SMT solvers as processes: SMT-LIB 2 text on stdin, the answer and a
//! model on stdout, a wall-clock timeout enforced by us as well as by the solver.
//!
//! Why processes and not a binding: the queries stay plain text that anyone can
//! rerun with any solver (`--emit-smt`), two independent solvers can check each
//! other, and the build does not depend on a system libz3 (see `shared/deps.md`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::exact::Q;

/// A solver found on PATH.
#[derive(Clone, Debug, Serialize)]
pub struct Solver {
    /// `z3` or `cvc5`.
    pub name: &'static str,
    /// Its version string, e.g. `4.8.12`.
    pub version: String,
    /// The executable.
    #[serde(skip)]
    pub path: PathBuf,
}

/// The solvers `prove` knows, with the Debian package that installs each.
pub const KNOWN: [(&str, &str); 2] = [("z3", "z3"), ("cvc5", "cvc5")];

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn version_of(path: &Path) -> String {
    let out = Command::new(path).arg("--version").output();
    let text = out
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    // "Z3 version 4.8.12 - 64 bit" / "This is cvc5 version 1.0.3 [git ...]".
    text.split_whitespace()
        .skip_while(|w| *w != "version")
        .nth(1)
        .unwrap_or("unknown")
        .to_string()
}

/// The known solvers installed on PATH, and the names of the missing ones with
/// their Debian packages.
pub fn installed() -> (Vec<Solver>, Vec<(&'static str, &'static str)>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (name, package) in KNOWN {
        match on_path(name) {
            Some(path) => found.push(Solver {
                name,
                version: version_of(&path),
                path,
            }),
            None => missing.push((name, package)),
        }
    }
    (found, missing)
}

/// The sentence naming missing solvers and their Debian packages, e.g. `cvc5 not
/// found on PATH (Debian package cvc5: apt-get install cvc5)`; empty when none
/// is missing.
pub fn missing_note(missing: &[(&str, &str)]) -> String {
    match missing {
        [] => String::new(),
        [(name, package)] => format!(
            "{name} not found on PATH (Debian package {package}: apt-get install {package})"
        ),
        _ => {
            let names: Vec<&str> = missing.iter().map(|m| m.0).collect();
            let packages: Vec<&str> = missing.iter().map(|m| m.1).collect();
            format!(
                "{} not found on PATH (Debian packages {}: apt-get install {})",
                names.join(" and "),
                packages.join(", "),
                packages.join(" ")
            )
        }
    }
}

/// What a solver said about one query.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Satisfiable, with the rational values of the requested symbols that the
    /// model gave (symbols with algebraic values are left out).
    Sat(BTreeMap<String, Q>),
    /// Unsatisfiable.
    Unsat,
    /// Neither; the reason (`unknown`, `timeout`, or the solver's error).
    Unknown(String),
}

impl Answer {
    /// `sat`, `unsat`, `unknown` or `timeout`.
    pub fn word(&self) -> &'static str {
        match self {
            Answer::Sat(_) => "sat",
            Answer::Unsat => "unsat",
            Answer::Unknown(r) if r == "timeout" => "timeout",
            Answer::Unknown(r) if r == "stopped" => "stopped",
            Answer::Unknown(_) => "unknown",
        }
    }
}

/// Runs one query. `text` ends with `(check-sat)`; `symbols` are asked for with
/// `get-value` when the answer is sat.
///
/// `cut` is checked while the solver runs: when it returns true (another solver
/// has decided the query and its grace period is over) the process is stopped
/// and the answer is `Unknown("stopped")`.
pub fn run(
    solver: &Solver,
    text: &str,
    symbols: &[String],
    timeout_s: f64,
    cut: &dyn Fn() -> bool,
) -> (Answer, f64) {
    let ms = (timeout_s * 1000.0).ceil().max(1.0) as u64;
    let mut cmd = Command::new(&solver.path);
    match solver.name {
        "z3" => cmd.args(["-in", "-smt2", &format!("-t:{ms}")]),
        _ => cmd.args([
            "--lang",
            "smt2",
            "--produce-models",
            &format!("--tlimit={ms}"),
        ]),
    };
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return (
                Answer::Unknown(format!("could not start {}: {e}", solver.name)),
                0.0,
            )
        }
    };
    let mut input = text.to_string();
    if !symbols.is_empty() {
        input.push_str(&format!("(get-value ({}))\n", symbols.join(" ")));
    }
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_string(&mut s);
        }
        s
    });
    let deadline = Duration::from_secs_f64(timeout_s + 2.0);
    let mut killed = None;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > deadline || cut() => {
                let _ = child.kill();
                let _ = child.wait();
                killed = Some(if cut() { "stopped" } else { "timeout" });
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => break,
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let out = reader.join().unwrap_or_default();
    if let Some(why) = killed {
        return (Answer::Unknown(why.into()), seconds);
    }
    (parse_output(&out, seconds >= timeout_s), seconds)
}

fn parse_output(out: &str, late: bool) -> Answer {
    let mut lines = out.lines().map(str::trim).filter(|l| !l.is_empty());
    match lines.next() {
        Some("unsat") => Answer::Unsat,
        Some("sat") => Answer::Sat(parse_model(&lines.collect::<Vec<_>>().join(" "))),
        Some("timeout") => Answer::Unknown("timeout".into()),
        Some("unknown") if late => Answer::Unknown("timeout".into()),
        Some("unknown") => Answer::Unknown("unknown".into()),
        Some(other) => Answer::Unknown(other.chars().take(200).collect()),
        None if late => Answer::Unknown("timeout".into()),
        None => Answer::Unknown("no output".into()),
    }
}

/// S-expressions, just enough for `get-value` answers.
#[derive(Debug)]
enum Sx {
    Atom(String),
    List(Vec<Sx>),
}

fn sexprs(text: &str) -> Vec<Sx> {
    let tokens: Vec<String> = text
        .replace('(', " ( ")
        .replace(')', " ) ")
        .split_whitespace()
        .map(String::from)
        .collect();
    let mut stack: Vec<Vec<Sx>> = vec![Vec::new()];
    for t in tokens {
        match t.as_str() {
            "(" => stack.push(Vec::new()),
            ")" => {
                let l = stack.pop().unwrap_or_default();
                match stack.last_mut() {
                    Some(top) => top.push(Sx::List(l)),
                    None => return Vec::new(),
                }
            }
            _ => {
                if let Some(top) = stack.last_mut() {
                    top.push(Sx::Atom(t))
                }
            }
        }
    }
    stack.into_iter().next().unwrap_or_default()
}

fn rational(s: &Sx) -> Option<Q> {
    match s {
        Sx::Atom(a) => crate::exact::parse_rational(a).ok(),
        Sx::List(l) => match l.as_slice() {
            [Sx::Atom(op), x] if op == "-" => rational(x).map(|q| -q),
            [Sx::Atom(op), x, y] if op == "/" => {
                let d = rational(y)?;
                (d != Q::from_integer(0.into())).then(|| rational(x).map(|n| n / d))?
            }
            _ => None,
        },
    }
}

fn parse_model(text: &str) -> BTreeMap<String, Q> {
    let mut m = BTreeMap::new();
    for top in sexprs(text) {
        if let Sx::List(pairs) = top {
            for p in pairs {
                if let Sx::List(kv) = p {
                    if let [Sx::Atom(k), v] = kv.as_slice() {
                        if let Some(q) = rational(v) {
                            m.insert(k.clone(), q);
                        }
                    }
                }
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_of_both_solvers_parse() {
        let q = |n: i64, d: i64| Q::new(n.into(), d.into());
        let m = parse_model(
            "((tp_1 (/ 1.0 2.0)) (fp_1 3.0) (fn_1 (- 1.0)) (tn_1 (root-obj (+ (^ x 2) (- 2)) 2)))",
        );
        assert_eq!(m.get("tp_1"), Some(&q(1, 2)));
        assert_eq!(m.get("fp_1"), Some(&q(3, 1)));
        assert_eq!(m.get("fn_1"), Some(&q(-1, 1)));
        assert_eq!(m.get("tn_1"), None);
        assert_eq!(
            parse_output("unsat\n(error \"model is not available\")", false),
            Answer::Unsat
        );
        assert_eq!(
            parse_output("unknown", true),
            Answer::Unknown("timeout".into())
        );
    }
}
