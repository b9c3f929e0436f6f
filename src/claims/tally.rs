//! Tallies: what a check counted, and the summary line written from the counts.
//!
//! Why: a claim check used to open its details with a fixed sentence ("… equal
//! the closed forms at every n") and list its failures below it, so a run whose
//! cross-checks failed still began by saying they held. A [`Tally`] instead
//! keeps, for every relation a check tests, how many times the relation was
//! tested and how many times it held, and [`Tally::summary`] is generated from
//! those numbers alone: it can never say more than was counted, and a single
//! failure changes the sentence.
//!
//! Two kinds of relation are kept apart, because they mean different things for
//! the outcome. A *statement* relation is (part of) what the claim asserts: when
//! it fails the claim is refuted, and the check reports a witness. A
//! *cross-check* is the check testing itself (enumeration against a closed form,
//! a witness re-evaluated, two exact paths compared): when it fails the outcome
//! is inconsistent ([`Tally::consistent`]), whatever the status.

/// One relation a check tests, with its counts.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    /// The relation, in words ("inf Δ_J/Δ_D = 1 and sup = (2n−1)/n").
    what: String,
    /// What one test covers, plural ("sizes n", "grid points").
    unit: String,
    /// Part of the statement (true) or a cross-check of the check (false).
    statement: bool,
    /// Times tested.
    tested: u64,
    /// Times it held.
    held: u64,
}

/// The counts of a claim check, from which its summary line is generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// What was visited, e.g. "every (TP, FP, FN, TN) on n = 1..=40 voxels".
    scope: String,
    rows: Vec<Row>,
}

impl Tally {
    /// An empty tally over `scope` (the first words of the summary).
    pub(crate) fn new(scope: impl Into<String>) -> Tally {
        Tally {
            scope: scope.into(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, what: &str, unit: &str, statement: bool) -> &mut Row {
        let i = match self.rows.iter().position(|r| r.what == what) {
            Some(i) => i,
            None => {
                self.rows.push(Row {
                    what: what.to_string(),
                    unit: unit.to_string(),
                    statement,
                    tested: 0,
                    held: 0,
                });
                self.rows.len() - 1
            }
        };
        &mut self.rows[i]
    }

    /// Records `tested` tests of the statement relation `what` (counted in
    /// `unit`), `held` of which held. Returns whether every one held.
    pub(crate) fn statement(&mut self, what: &str, unit: &str, tested: u64, held: u64) -> bool {
        let r = self.row(what, unit, true);
        r.tested += tested;
        r.held += held.min(tested);
        held >= tested
    }

    /// Records `tested` tests of the cross-check `what` (counted in `unit`),
    /// `held` of which held. Returns whether every one held.
    pub(crate) fn cross_check(&mut self, what: &str, unit: &str, tested: u64, held: u64) -> bool {
        let r = self.row(what, unit, false);
        r.tested += tested;
        r.held += held.min(tested);
        held >= tested
    }

    /// Records one test of the statement relation `what`; returns `ok`.
    pub(crate) fn statement_once(&mut self, what: &str, unit: &str, ok: bool) -> bool {
        self.statement(what, unit, 1, u64::from(ok));
        ok
    }

    /// Records one test of the cross-check `what`; returns `ok`.
    pub(crate) fn cross_check_once(&mut self, what: &str, unit: &str, ok: bool) -> bool {
        self.cross_check(what, unit, 1, u64::from(ok));
        ok
    }

    /// Every cross-check held every time it was tested. (A relation never
    /// tested, for example growth in n at n = 1, is not inconsistent; the summary
    /// says `NOT TESTED` rather than `held`.)
    pub(crate) fn consistent(&self) -> bool {
        self.rows.iter().all(|r| r.statement || r.held == r.tested)
    }

    /// Some statement relation failed at least once.
    pub(crate) fn refuted(&self) -> bool {
        self.rows.iter().any(|r| r.statement && r.held < r.tested)
    }

    /// The summary line: the scope, then each relation with its counts.
    pub(crate) fn summary(&self) -> String {
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                let verdict = if r.tested == 0 {
                    "NOT TESTED".to_string()
                } else if r.held == r.tested {
                    format!("held at {} of {} {}", r.held, r.tested, r.unit)
                } else {
                    format!(
                        "{} at {} of {} {}",
                        if r.statement {
                            "FAILED"
                        } else {
                            "CROSS-CHECK FAILED"
                        },
                        r.tested - r.held,
                        r.tested,
                        r.unit
                    )
                };
                format!("{}: {verdict}", r.what)
            })
            .collect();
        format!("{}: {}", self.scope, rows.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_follows_the_counts() {
        let mut t = Tally::new("every (TP, FP, FN, TN) on n = 1..=3 voxels");
        for _ in 0..3 {
            t.statement_once("Δ_D ≤ Δ_J < 2Δ_D", "sizes n", true);
            t.cross_check_once("sup = (2n−1)/n", "sizes n", true);
        }
        assert!(t.consistent() && !t.refuted());
        let all_held = t.summary();
        assert_eq!(
            all_held,
            "every (TP, FP, FN, TN) on n = 1..=3 voxels: Δ_D ≤ Δ_J < 2Δ_D: held at 3 of 3 \
             sizes n; sup = (2n−1)/n: held at 3 of 3 sizes n"
        );

        // One more size tested changes the count in the text.
        let mut more = t.clone();
        more.cross_check_once("sup = (2n−1)/n", "sizes n", true);
        assert!(more.summary().contains("held at 4 of 4 sizes n"));

        // A failing cross-check: inconsistent, not refuted, and the text says so.
        let mut bad = t.clone();
        bad.cross_check_once("sup = (2n−1)/n", "sizes n", false);
        assert!(!bad.consistent() && !bad.refuted());
        assert!(
            bad.summary()
                .ends_with("sup = (2n−1)/n: CROSS-CHECK FAILED at 1 of 4 sizes n"),
            "{}",
            bad.summary()
        );

        // A failing statement: refuted, still consistent.
        let mut refuted = t.clone();
        refuted.statement("Δ_D ≤ Δ_J < 2Δ_D", "sizes n", 2, 1);
        assert!(refuted.consistent() && refuted.refuted());
        assert!(refuted
            .summary()
            .contains("Δ_D ≤ Δ_J < 2Δ_D: FAILED at 1 of 5 sizes n"));
    }

    #[test]
    fn a_relation_never_tested_is_not_reported_as_held() {
        let mut t = Tally::new("nothing");
        t.cross_check("identity", "points", 0, 0);
        assert!(t.consistent());
        assert_eq!(t.summary(), "nothing: identity: NOT TESTED");
    }
}
