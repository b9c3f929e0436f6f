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
}

impl Query {
    /// The SMT-LIB 2 text, ending with `(check-sat)`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.comments {
            let _ = writeln!(s, "; {c}");
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
