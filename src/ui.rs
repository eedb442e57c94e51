//! Human output on stderr: a spinner per step on a terminal, one plain line
//! per step otherwise (journald and cloud-init logs stay free of carriage
//! returns). Machine output (`--format json`) goes to stdout elsewhere.
//! dmctl prints no colour, so `NO_COLOR` is honoured by construction.

use indicatif::{ProgressBar, ProgressStyle};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    Normal,
    /// Also echo every external command.
    Verbose,
}

pub struct Ui {
    pub verbosity: Verbosity,
    tty: bool,
    bar: RefCell<Option<ProgressBar>>,
}

impl Ui {
    pub fn new(verbosity: Verbosity) -> Self {
        let tty = std::io::stderr().is_terminal()
            && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(false);
        Ui {
            verbosity,
            tty,
            bar: RefCell::new(None),
        }
    }

    /// A Ui that prints nothing (tests).
    pub fn silent() -> Self {
        Ui {
            verbosity: Verbosity::Quiet,
            tty: false,
            bar: RefCell::new(None),
        }
    }

    fn line(&self, msg: &str) {
        match &*self.bar.borrow() {
            Some(bar) => bar.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    /// A step begins.
    pub fn step(&self, msg: &str) {
        if self.verbosity < Verbosity::Normal {
            return;
        }
        if self.tty {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .expect("static template"),
            );
            bar.set_message(msg.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            if let Some(old) = self.bar.replace(Some(bar)) {
                old.finish_and_clear();
            }
        } else {
            eprintln!("{msg}");
        }
    }

    /// The current step finished; on a terminal its spinner becomes a line.
    pub fn done(&self, msg: &str) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            if self.verbosity >= Verbosity::Normal {
                eprintln!("{msg}");
            }
        }
    }

    pub fn info(&self, msg: &str) {
        if self.verbosity >= Verbosity::Normal {
            self.line(msg);
        }
    }

    pub fn warn(&self, msg: &str) {
        if self.verbosity >= Verbosity::Normal {
            self.line(&format!("warning: {msg}"));
        }
    }

    /// Echo an external command (`-v`).
    pub fn command(&self, cmdline: &str) {
        if self.verbosity >= Verbosity::Verbose {
            self.line(&format!("+ {cmdline}"));
        }
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
