//! Progress bars: the one place the CLI draws them.
//!
//! Library code reports through [`crate::progress::Progress`] and never touches
//! the terminal; every command gets its bars from [`Bars`], so the rules are the
//! same everywhere:
//!
//! * bars go to stderr, never stdout, so `--json` output stays one document;
//! * no bar under `--quiet` or `--json`, and none when stderr is not a terminal
//!   (a log file or a pipe gets no control sequences);
//! * a bar appears only once its computation has run for a second, so the many
//!   quick steps of `check` or `plot all` do not flicker;
//! * a *cancellable* bar (the enumerator's, the only computation that can stop
//!   cleanly and resume) turns the first Ctrl-C into a request to stop after
//!   the running chunks; a second Ctrl-C ends the process at once. Other
//!   commands keep the default: Ctrl-C ends them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::Reporter;

/// How long a computation runs before its bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Set by the SIGINT handler while a cancellable bar is alive.
static CANCELLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    CANCELLED.store(true, Ordering::SeqCst);
    // A second Ctrl-C ends the process (signal() is async-signal-safe).
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
    }
}

/// The bar factory of one command: built from its `--quiet`/`--json` flags.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bars {
    hidden: bool,
}

impl Bars {
    /// Bars for a command; `hidden` is `--quiet || --json`.
    pub(super) fn new(hidden: bool) -> Bars {
        Bars { hidden }
    }

    /// A bar with a length: `message [=====>    ] 42% eta 3s`.
    pub(super) fn bar(&self, message: &str) -> Bar {
        let style = ProgressStyle::with_template("{msg:>24} [{bar:30}] {percent:>3}% eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        self.make(ProgressBar::new(0), style, message, false)
    }

    /// A bar for a computation that stops cleanly on Ctrl-C (see the module docs).
    pub(super) fn cancellable_bar(&self, message: &str) -> Bar {
        let style = ProgressStyle::with_template(
            "{msg} [{bar:30}] {percent:>3}% {human_pos}/{human_len} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        self.make(ProgressBar::new(0), style, message, true)
    }

    /// A bar counted in training epochs (`train`, `reproduce --with-training`),
    /// whose runs' messages are printed above it.
    #[cfg(feature = "training")]
    pub(super) fn epochs_bar(&self, len: u64) -> Bar {
        let style = ProgressStyle::with_template(
            "{msg:>44} [{bar:30}] {pos}/{len} epochs, {elapsed} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        self.make(ProgressBar::new(len), style, "", false)
    }

    /// A spinner with elapsed time, a fixed `prefix` and the computation's
    /// message, for work of unknown length.
    pub(super) fn spinner(&self, prefix: &str) -> Bar {
        let style = ProgressStyle::with_template("{spinner} {elapsed} {prefix}{msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.make(ProgressBar::new_spinner(), style, "", false);
        bar.pb.set_prefix(prefix.to_string());
        bar.pb.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    fn make(&self, pb: ProgressBar, style: ProgressStyle, message: &str, cancel: bool) -> Bar {
        // Drawn nowhere until the first update after SHOW_AFTER.
        pb.set_draw_target(ProgressDrawTarget::hidden());
        pb.set_style(style);
        pb.set_message(message.to_string());
        if cancel {
            CANCELLED.store(false, Ordering::SeqCst);
            unsafe {
                libc::signal(
                    libc::SIGINT,
                    on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
                );
            }
        }
        Bar {
            pb,
            start: Instant::now(),
            shown: Mutex::new(self.hidden),
            hidden: self.hidden,
            cancel,
        }
    }
}

/// One bar; implements the library's [`Reporter`]. Cleared when dropped.
pub(super) struct Bar {
    pb: ProgressBar,
    start: Instant,
    /// Whether the draw target was decided (shown, or hidden for good).
    shown: Mutex<bool>,
    /// `--quiet`/`--json`: nothing is drawn or printed.
    #[cfg_attr(not(feature = "training"), allow(dead_code))]
    hidden: bool,
    cancel: bool,
}

impl Bar {
    /// Shows the bar on stderr once it has run for [`SHOW_AFTER`] (indicatif's
    /// stderr target draws nothing when stderr is not a terminal).
    fn maybe_show(&self) {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        if !*shown && self.start.elapsed() >= SHOW_AFTER {
            self.pb.set_draw_target(ProgressDrawTarget::stderr());
            *shown = true;
        }
    }

    /// Advances the bar by `delta` units.
    #[cfg(feature = "training")]
    pub(super) fn inc(&self, delta: u64) {
        self.pb.inc(delta);
        self.maybe_show();
    }

    /// Prints a line on stderr above the bar (before the bar appears: as a
    /// plain line); nothing under `--quiet`/`--json`.
    #[cfg(feature = "training")]
    pub(super) fn println(&self, line: &str) {
        if self.hidden {
            return;
        }
        if self.pb.is_hidden() {
            eprintln!("{line}");
        } else {
            self.pb.println(line);
        }
    }

    /// Whether Ctrl-C was pressed while this cancellable bar was alive.
    pub(super) fn was_cancelled(&self) -> bool {
        self.cancel && CANCELLED.load(Ordering::SeqCst)
    }
}

impl Reporter for Bar {
    fn set_len(&self, len: u64) {
        self.pb.set_length(len);
        self.maybe_show();
    }

    fn set_position(&self, pos: u64) {
        self.pb.set_position(pos);
        self.maybe_show();
    }

    fn message(&self, msg: &str) {
        self.pb.set_message(msg.to_string());
        self.maybe_show();
    }

    fn is_cancelled(&self) -> bool {
        self.was_cancelled()
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.pb.finish_and_clear();
        if self.cancel {
            unsafe {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Progress;

    #[test]
    fn hidden_bars_stay_hidden_and_count() {
        let bars = Bars::new(true);
        let b = bars.bar("x");
        let p = Progress::new(&b);
        p.set_len(10);
        std::thread::sleep(SHOW_AFTER);
        p.inc(4);
        assert!(b.pb.is_hidden());
        assert_eq!((b.pb.position(), b.pb.length()), (4, Some(10)));
        assert!(!p.is_cancelled());
    }

    #[test]
    fn a_plain_bar_is_never_cancelled() {
        let b = Bars::new(true).bar("x");
        CANCELLED.store(true, Ordering::SeqCst);
        assert!(!b.was_cancelled());
        CANCELLED.store(false, Ordering::SeqCst);
    }
}
