//! External commands as data: argv only, shown quoted, with the full
//! command line and the tool's stderr in every error. Running them is the
//! engine's job ([`crate::engine::runner`]).

use std::fmt;

use crate::tools;

/// One external command as argv, plus whether it changes system state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub program: String,
    pub args: Vec<String>,
    /// Changes state (device, LVM metadata, kernel). Never run in dry-run.
    pub mutating: bool,
}

impl Cmd {
    /// A read-only command.
    pub fn new(program: &str) -> Self {
        Cmd {
            program: program.to_string(),
            args: Vec::new(),
            mutating: false,
        }
    }

    /// A command that changes state.
    pub fn mutating(program: &str) -> Self {
        Cmd {
            mutating: true,
            ..Cmd::new(program)
        }
    }

    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn args<I, S>(mut self, it: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(it.into_iter().map(Into::into));
        self
    }

    /// program followed by its arguments.
    pub fn argv(&self) -> Vec<String> {
        std::iter::once(self.program.clone())
            .chain(self.args.iter().cloned())
            .collect()
    }

    /// True for the lvm2 tools (each one rescans every block device).
    pub fn is_lvm(&self) -> bool {
        tools::LVM_TOOLS.contains(&self.program.as_str())
    }
}

impl fmt::Display for Cmd {
    /// The command line, quoted so it can be pasted into a shell.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self.argv().iter().map(|w| shell_quote(w)).collect();
        f.write_str(&words.join(" "))
    }
}

/// Quote a word for display in a POSIX shell (display only; nothing is
/// ever run through a shell).
pub fn shell_quote(w: &str) -> String {
    let safe = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+%@^".contains(c));
    if safe {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

/// What a finished command produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(stdout: &str) -> Self {
        Output {
            status: 0,
            stdout: stdout.to_string(),
            stderr: String::new(),
        }
    }
    pub fn failed(status: i32, stderr: &str) -> Self {
        Output {
            status,
            stdout: String::new(),
            stderr: stderr.to_string(),
        }
    }
}

/// An external command exited non-zero.
#[derive(Debug)]
pub struct CommandFailed {
    pub cmdline: String,
    pub status: i32,
    pub stderr: String,
}

impl fmt::Display for CommandFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` failed with exit status {}",
            self.cmdline, self.status
        )?;
        let err = self.stderr.trim_end();
        if !err.is_empty() {
            write!(f, "; its stderr:")?;
            for line in err.lines() {
                write!(f, "\n    {}", line.trim_end())?;
            }
        }
        Ok(())
    }
}
impl std::error::Error for CommandFailed {}
