//! Progress reporting: the one callback type through which long computations
//! (enumerations, claim checks, figures) say how far they are, and learn whether
//! the user asked them to stop.
//!
//! Why one type, and why no terminal code here: the library runs under three
//! very different hosts. The CLI draws indicatif bars on stderr (and none under
//! `--quiet`, `--json` or when stderr is not a terminal); the Python package
//! draws nothing but must notice Ctrl-C between chunks; tests and benchmarks
//! want silence. When each layer built its own bars (`enumerate` and `plots`
//! made indicatif bars themselves, `claims` had a `(done, total)` closure), the
//! same flag behaved differently per command, and library code could print into
//! a terminal the host did not own. Now a computation receives a [`Progress`]
//! and calls four verbs on it:
//!
//! * [`Progress::set_len`] and [`Progress::set_position`] (or
//!   [`Progress::tick`], both at once) when the amount of work is known;
//! * [`Progress::inc`] as units finish (safe from many rayon workers at once);
//! * [`Progress::message`] for a short status line;
//! * [`Progress::is_cancelled`] between units of work: a computation that can
//!   stop cleanly (the enumerator stops after the running chunks, leaving its
//!   checkpoint complete) polls it and returns what it finished.
//!
//! The host decides what those verbs do by implementing [`Reporter`] (the CLI's
//! bar factory in `cli::bars` does, with indicatif), or by passing a closure
//! ([`Progress::from_fn`]) or nothing ([`Progress::none`]). Units are whatever
//! the computation counts (count tuples, mask pairs, grid points); only their
//! ratio is meaningful.
//!
//! ```
//! use diceproof::progress::Progress;
//! use std::sync::atomic::{AtomicU64, Ordering};
//!
//! let last = AtomicU64::new(0);
//! let progress = Progress::from_fn(|done, _total| last.store(done, Ordering::Relaxed));
//! progress.set_len(10);
//! progress.inc(4);
//! progress.inc(3);
//! assert_eq!(last.load(Ordering::Relaxed), 7);
//! assert!(!progress.is_cancelled());
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

/// What a host does with progress: the CLI implements it with an indicatif bar.
///
/// Every method may be called from several threads at once. Only
/// [`Reporter::set_len`], [`Reporter::set_position`] and [`Reporter::message`]
/// are required; [`Progress`] turns `inc` into positions.
pub trait Reporter: Sync {
    /// The total amount of work, in the computation's units.
    fn set_len(&self, len: u64);
    /// The amount of work done so far.
    fn set_position(&self, pos: u64);
    /// A short status line (what is being computed, the best value so far).
    fn message(&self, msg: &str);
    /// Whether the user asked the computation to stop (Ctrl-C). Computations
    /// that can stop cleanly poll this between units of work.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// The progress sink a long computation reports to (see the module docs).
pub struct Progress<'a> {
    sink: Sink<'a>,
    len: AtomicU64,
    pos: AtomicU64,
}

enum Sink<'a> {
    None,
    Reporter(&'a dyn Reporter),
    Fn(Box<dyn Fn(u64, u64) + Sync + 'a>),
}

impl<'a> Progress<'a> {
    fn with(sink: Sink<'a>) -> Progress<'a> {
        Progress {
            sink,
            len: AtomicU64::new(0),
            pos: AtomicU64::new(0),
        }
    }

    /// Progress that goes nowhere (tests, benchmarks, library callers that do not
    /// care).
    pub fn none() -> Progress<'static> {
        Progress::with(Sink::None)
    }

    /// Progress drawn by a host's [`Reporter`] (the CLI's bars).
    pub fn new(reporter: &'a dyn Reporter) -> Progress<'a> {
        Progress::with(Sink::Reporter(reporter))
    }

    /// Progress handed to a closure receiving `(done, total)` after every change
    /// of position or length; messages are dropped. The Python package uses this
    /// to leave a computation on Ctrl-C from inside the callback.
    pub fn from_fn(f: impl Fn(u64, u64) + Sync + 'a) -> Progress<'a> {
        Progress::with(Sink::Fn(Box::new(f)))
    }

    /// Sets the total amount of work.
    pub fn set_len(&self, len: u64) {
        self.len.store(len, Ordering::Relaxed);
        match &self.sink {
            Sink::None => {}
            Sink::Reporter(r) => r.set_len(len),
            Sink::Fn(f) => f(self.pos.load(Ordering::Relaxed), len),
        }
    }

    /// Sets the amount of work done.
    pub fn set_position(&self, pos: u64) {
        self.pos.store(pos, Ordering::Relaxed);
        self.report(pos);
    }

    /// Sets both at once: `done` of `total` units.
    pub fn tick(&self, done: u64, total: u64) {
        self.len.store(total, Ordering::Relaxed);
        self.pos.store(done, Ordering::Relaxed);
        match &self.sink {
            Sink::None => {}
            Sink::Reporter(r) => {
                r.set_len(total);
                r.set_position(done);
            }
            Sink::Fn(f) => f(done, total),
        }
    }

    /// Adds `delta` finished units (callable from many threads at once).
    pub fn inc(&self, delta: u64) {
        let pos = self.pos.fetch_add(delta, Ordering::Relaxed) + delta;
        self.report(pos);
    }

    /// Shows a short status line.
    pub fn message(&self, msg: &str) {
        if let Sink::Reporter(r) = &self.sink {
            r.message(msg);
        }
    }

    /// Whether the host asked the computation to stop.
    pub fn is_cancelled(&self) -> bool {
        match &self.sink {
            Sink::Reporter(r) => r.is_cancelled(),
            _ => false,
        }
    }

    /// Work done so far, as last set or incremented.
    pub fn position(&self) -> u64 {
        self.pos.load(Ordering::Relaxed)
    }

    /// Total work, as last set.
    pub fn len(&self) -> u64 {
        self.len.load(Ordering::Relaxed)
    }

    /// Whether no work has been announced (length 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn report(&self, pos: u64) {
        match &self.sink {
            Sink::None => {}
            Sink::Reporter(r) => r.set_position(pos),
            Sink::Fn(f) => f(pos, self.len.load(Ordering::Relaxed)),
        }
    }
}

/// Counts work items finished by parallel workers and reports progress every
/// `every` items (and once at the end, from [`Ticker::finish`]), so a loop over
/// millions of cheap items does not call the host for each of them.
pub struct Ticker<'p, 'a> {
    done: AtomicU64,
    total: u64,
    every: u64,
    progress: &'p Progress<'a>,
}

impl<'p, 'a> Ticker<'p, 'a> {
    /// A counter of `total` items reporting to `progress`.
    pub fn new(progress: &'p Progress<'a>, total: u64, every: u64) -> Self {
        progress.tick(0, total);
        Ticker {
            done: AtomicU64::new(0),
            total,
            every: every.max(1),
            progress,
        }
    }

    /// One item finished.
    pub fn step(&self) {
        let d = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if d % self.every == 0 {
            self.progress.tick(d, self.total);
        }
    }

    /// Every item finished.
    pub fn finish(&self) {
        self.progress.tick(self.total, self.total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Mutex;

    /// A reporter that records what it was told.
    #[derive(Default)]
    struct Record {
        len: AtomicU64,
        pos: AtomicU64,
        calls: AtomicU64,
        messages: Mutex<Vec<String>>,
        cancelled: AtomicBool,
    }

    impl Reporter for Record {
        fn set_len(&self, len: u64) {
            self.len.store(len, Ordering::Relaxed);
        }
        fn set_position(&self, pos: u64) {
            self.pos.fetch_max(pos, Ordering::Relaxed);
            self.calls.fetch_add(1, Ordering::Relaxed);
        }
        fn message(&self, msg: &str) {
            self.messages.lock().unwrap().push(msg.to_string());
        }
        fn is_cancelled(&self) -> bool {
            self.cancelled.load(Ordering::Relaxed)
        }
    }

    #[test]
    fn increments_from_many_threads_add_up() {
        let r = Record::default();
        let p = Progress::new(&r);
        p.set_len(1000);
        (0..1000u64).into_par_iter().for_each(|_| p.inc(1));
        assert_eq!(p.position(), 1000);
        assert_eq!(r.pos.load(Ordering::Relaxed), 1000);
        assert_eq!(r.len.load(Ordering::Relaxed), 1000);
        p.message("half way");
        assert_eq!(*r.messages.lock().unwrap(), vec!["half way".to_string()]);
    }

    #[test]
    fn cancellation_comes_from_the_reporter_only() {
        let r = Record::default();
        let p = Progress::new(&r);
        assert!(!p.is_cancelled());
        r.cancelled.store(true, Ordering::Relaxed);
        assert!(p.is_cancelled());
        assert!(!Progress::none().is_cancelled());
        assert!(!Progress::from_fn(|_, _| {}).is_cancelled());
    }

    #[test]
    fn closures_see_done_and_total() {
        let seen = Mutex::new(Vec::new());
        let p = Progress::from_fn(|d, t| seen.lock().unwrap().push((d, t)));
        p.set_len(5);
        p.inc(2);
        p.set_position(4);
        p.tick(5, 5);
        p.message("dropped");
        assert_eq!(*seen.lock().unwrap(), vec![(0, 5), (2, 5), (4, 5), (5, 5)]);
    }

    #[test]
    fn a_ticker_reports_in_batches_and_at_the_end() {
        let r = Record::default();
        let p = Progress::new(&r);
        let t = Ticker::new(&p, 100, 10);
        (0..95).into_par_iter().for_each(|_| t.step());
        // 9 batches of 10, plus the initial tick at 0.
        assert_eq!(r.calls.load(Ordering::Relaxed), 10);
        assert_eq!(r.pos.load(Ordering::Relaxed), 90);
        t.finish();
        assert_eq!(r.pos.load(Ordering::Relaxed), 100);
        assert_eq!(r.len.load(Ordering::Relaxed), 100);
    }
}
