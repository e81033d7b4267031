//! Progress on stderr: an indicatif bar on a terminal, nothing otherwise (batch jobs).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tariffsim::engine::Observer;

/// Shows progress and carries the Ctrl-C flag into the engine.
pub struct Progress<'a> {
    bar: Option<ProgressBar>,
    cancel: &'a AtomicBool,
}

impl<'a> Progress<'a> {
    /// A bar for `total` trials, shown only when stderr is a terminal and not `quiet`.
    pub fn new(total: u64, label: &str, quiet: bool, cancel: &'a AtomicBool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {percent:>3}% {human_pos}/{human_len} trials  {rate}  ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} trials/s", state.per_sec());
            })
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(tariffsim::output::escape_controls(label).into_owned());
            bar
        });
        Progress { bar, cancel }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Observer for Progress<'_> {
    fn advance(&self, trials: u64) {
        if let Some(b) = &self.bar {
            b.inc(trials);
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}
