//! One SMT query as data: declarations, definitions, assertions, and the text
//! that is sent to the solvers and written by `--emit-smt`.

use std::fmt::Write as _;

use super::term::{Env, Term};

/// The sort of the count variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Non-negative reals: unsat is a proof for the integers too.
    Real,
    /// Integers: tighter, for claims the relaxation cannot decide.
    Int,
}

/// A satisfiability query: the negation of (part of) a claim.
#[derive(Clone, Debug)]
pub struct Query {
    /// File-name part, e.g. `upper` or `spread.case3`.
    pub name: String,
    /// Comment lines at the top of the file (what is asked and why).
    pub comments: Vec<String>,
    /// Declared constants and their sorts.
    pub decls: Vec<(String, Sort)>,
    /// Definitions (nullary `define-fun`s of sort Real), in order.
    pub defs: Vec<(String, Term)>,
    /// Assertions.
    pub asserts: Vec<Term>,
    /// Earlier parts of the same claim whose conclusions this query assumes
    /// (the lemma chains of the registry; empty for user queries). Checked by
    /// [`super::chain::check`], printed as header comments.
    pub uses: Vec<Use>,
    /// Indices into `asserts` of hypotheses that are definitions or general
    /// facts rather than conclusions of other parts (`s*s = 2`, `g = e - s*t`,
    /// `e^2 != 2t^2` on integers). A definition `x = t` of a declared `x` is
    /// read as that definition when links are compared.
    pub definitions: Vec<usize>,
}

/// One use of an earlier part's conclusion as hypotheses of this query.
///
/// The two parts are universally quantified statements over their declared
/// symbols; a shared name denotes the same quantity. `subst` instantiates the
/// used part (a general lemma applied to this query's objects: its variable
/// `e` read as `fp_1 + fn_1`), `instantiate` this query (a general step applied
/// to the used part's objects: the Tversky steps' free `A` and `M` read as
/// `a*fp + b*fn` and `max(a, b)`). At most one of them is non-empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    /// The used part's name (`bound-square`, `per-n-lemma.a-le-b`).
    pub part: String,
    /// The used part's declared variables as terms over this query's symbols.
    pub subst: Vec<(String, Term)>,
    /// This query's declared variables as terms over the used part's symbols.
    pub instantiate: Vec<(String, Term)>,
    /// Indices into `asserts` of the hypotheses that are the used conclusion
    /// (each equal to one conjunct of it).
    pub assumes: Vec<usize>,
}

impl Use {
    /// The header comment line: `uses bound-square (assertions 9) with e := (+ fp_1 fn_1)`.
    pub fn describe(&self) -> String {
        let idx: Vec<String> = self.assumes.iter().map(|i| (i + 1).to_string()).collect();
        let mut s = format!(
            "uses {} (assertion{} {})",
            self.part,
            if idx.len() > 1 { "s" } else { "" },
            idx.join(", ")
        );
        let show = |m: &[(String, Term)]| {
            m.iter()
                .map(|(v, t)| format!("{v} := {}", t.smt()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.subst.is_empty() {
            s.push_str(&format!(" with its {}", show(&self.subst)));
        }
        if !self.instantiate.is_empty() {
            s.push_str(&format!(
                ", this part read with {}",
                show(&self.instantiate)
            ));
        }
        s
    }
}

impl Query {
    /// The SMT-LIB 2 text, ending with `(check-sat)`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.comments {
            let _ = writeln!(s, "; {c}");
        }
        for u in &self.uses {
            let _ = writeln!(s, "; {}", u.describe());
        }
        if !self.definitions.is_empty() {
            let idx: Vec<String> = self
                .definitions
                .iter()
                .map(|i| (i + 1).to_string())
                .collect();
            let _ = writeln!(
                s,
                "; definitions and general facts, not other parts: assertion{} {}",
                if idx.len() > 1 { "s" } else { "" },
                idx.join(", ")
            );
        }
        s.push_str("(set-logic ALL)\n(set-option :produce-models true)\n");
        for (v, sort) in &self.decls {
            let sort = match sort {
                Sort::Real => "Real",
                Sort::Int => "Int",
            };
            let _ = writeln!(s, "(declare-fun {v} () {sort})");
        }
        for (v, t) in &self.defs {
            let _ = writeln!(s, "(define-fun {v} () Real {})", t.smt());
        }
        for a in &self.asserts {
            let _ = writeln!(s, "(assert {})", a.smt());
        }
        s.push_str("(check-sat)\n");
        s
    }

    /// The declared constants (asked for in a model).
    pub fn symbols(&self) -> Vec<String> {
        self.decls.iter().map(|(v, _)| v.clone()).collect()
    }

    /// An evaluation environment with this query's definitions.
    pub fn env(&self) -> Env {
        Env {
            values: Default::default(),
            defs: self.defs.iter().cloned().collect(),
        }
    }

    /// The same query with every definition that divides, `X = num/den` or
    /// `X = ite(c, v, num/den)`, replaced by a declared variable X and the
    /// constraints `X·den = num` (under `¬c`) and `X = v` (under `c`). Equivalent
    /// wherever the divisions are guarded (den ≠ 0 where selected), and much
    /// easier for cvc5's nonlinear engine, which handles products far better
    /// than divisions.
    pub fn purified(&self) -> Query {
        let mut q = self.clone();
        q.defs.clear();
        let mut extra = Vec::new();
        for (name, body) in &self.defs {
            let x = Term::var(name.clone());
            let (guard, other, ratio) = match body {
                Term::Div(n, d) => (None, None, Some((n, d))),
                Term::Ite(c, v, r) => match &**r {
                    Term::Div(n, d) => (Some(c), Some(v), Some((n, d))),
                    _ => (None, None, None),
                },
                _ => (None, None, None),
            };
            match ratio {
                Some((n, d)) => {
                    q.decls.push((name.clone(), Sort::Real));
                    let eq = x.clone().mul((**d).clone()).eq((**n).clone());
                    match (guard, other) {
                        (Some(c), Some(v)) => {
                            extra.push(Term::or(vec![(**c).clone(), eq]));
                            extra.push(Term::or(vec![(**c).clone().not(), x.eq((**v).clone())]));
                        }
                        _ => extra.push(eq),
                    }
                }
                None => q.defs.push((name.clone(), body.clone())),
            }
        }
        // Definitions may refer to each other: keep the remaining ones, and put
        // the new constraints before the claim's negation.
        let last = q.asserts.pop();
        q.asserts.extend(extra);
        q.asserts.extend(last);
        q
    }

    /// The same query with the counts declared as integers.
    pub fn over_integers(&self) -> Query {
        let mut q = self.clone();
        q.name = format!("{}.int", self.name);
        for (_, s) in q.decls.iter_mut() {
            *s = Sort::Int;
        }
        q.comments
            .push("counts declared as integers (the real relaxation was not decisive)".into());
        q
    }
}
