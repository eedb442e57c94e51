//! Running external commands: argv only, `LC_ALL=C`, the full command line
//! and the tool's stderr in every error.
//!
//! Three runners share one trait: [`SystemRunner`] runs commands, [`DryRunner`]
//! runs only read-only probes and records what it would have changed, and
//! [`FakeRunner`] answers from canned outputs (unit tests of planning logic).

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::fmt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::tools;
use crate::ui::Ui;

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

/// Runs commands. `exec` returns Ok for any exit status; use [`run`] to
/// treat a non-zero status as an error.
pub trait Runner {
    fn exec(&self, cmd: &Cmd) -> Result<Output>;
    /// Every command this runner was asked to run, in order.
    fn history(&self) -> Vec<Cmd>;
    /// True when mutating commands are only recorded.
    fn is_dry_run(&self) -> bool {
        false
    }
}

/// Run and fail on a non-zero exit status.
pub fn run(r: &dyn Runner, cmd: &Cmd) -> Result<Output> {
    let out = r.exec(cmd)?;
    if out.status != 0 {
        return Err(CommandFailed {
            cmdline: cmd.to_string(),
            status: out.status,
            stderr: out.stderr,
        }
        .into());
    }
    Ok(out)
}

/// Run and parse stdout as JSON.
pub fn run_json<T: DeserializeOwned>(r: &dyn Runner, cmd: &Cmd) -> Result<T> {
    let out = run(r, cmd)?;
    serde_json::from_str(&out.stdout).with_context(|| format!("parsing the JSON output of `{cmd}`"))
}

/// Count of lvm2 processes in a history.
pub fn lvm_processes(history: &[Cmd]) -> usize {
    history.iter().filter(|c| c.is_lvm()).count()
}

/// Runs commands for real.
pub struct SystemRunner<'a> {
    ui: &'a Ui,
    /// Extra environment, e.g. `DM_DISABLE_UDEV=1` on hosts without udevd.
    env: Vec<(String, String)>,
    history: RefCell<Vec<Cmd>>,
}

impl<'a> SystemRunner<'a> {
    pub fn new(ui: &'a Ui) -> Self {
        SystemRunner {
            ui,
            env: Vec::new(),
            history: RefCell::new(Vec::new()),
        }
    }

    /// Add an environment variable to every command.
    pub fn set_env(&mut self, k: &str, v: &str) {
        self.env.retain(|(key, _)| key != k);
        self.env.push((k.to_string(), v.to_string()));
    }

    fn resolve(&self, program: &str) -> Result<PathBuf> {
        tools::find(program).ok_or_else(|| {
            anyhow::anyhow!(
                "`{program}` not found in PATH or {}: install {}",
                tools::SBIN_DIRS.join(", "),
                tools::package_of(program)
            )
        })
    }
}

impl Runner for SystemRunner<'_> {
    fn exec(&self, cmd: &Cmd) -> Result<Output> {
        self.history.borrow_mut().push(cmd.clone());
        self.ui.command(cmd);
        let path = self.resolve(&cmd.program)?;
        let out = Command::new(&path)
            .args(&cmd.args)
            .env("LC_ALL", "C")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running `{cmd}`"))?;
        let status = match out.status.code() {
            Some(c) => c,
            None => {
                use std::os::unix::process::ExitStatusExt;
                128 + out.status.signal().unwrap_or(0)
            }
        };
        Ok(Output {
            status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    fn history(&self) -> Vec<Cmd> {
        self.history.borrow().clone()
    }
}

/// Runs read-only probes for real; records mutating commands without
/// running them.
pub struct DryRunner<'a> {
    inner: SystemRunner<'a>,
    skipped: RefCell<Vec<Cmd>>,
}

impl<'a> DryRunner<'a> {
    pub fn new(inner: SystemRunner<'a>) -> Self {
        DryRunner {
            inner,
            skipped: RefCell::new(Vec::new()),
        }
    }
}

impl Runner for DryRunner<'_> {
    fn exec(&self, cmd: &Cmd) -> Result<Output> {
        if cmd.mutating {
            self.skipped.borrow_mut().push(cmd.clone());
            return Ok(Output::default());
        }
        self.inner.exec(cmd)
    }
    fn history(&self) -> Vec<Cmd> {
        self.inner.history()
    }
    fn is_dry_run(&self) -> bool {
        true
    }
}

/// A runner for tests: answers each command with the first canned output
/// whose argv prefix matches, and records every call. A command with no
/// matching answer is an error, so a test sees any unexpected command.
#[derive(Default)]
pub struct FakeRunner {
    answers: RefCell<Vec<(Vec<String>, Output)>>,
    calls: RefCell<Vec<Cmd>>,
}

impl FakeRunner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answer commands starting with `prefix` (program first) with `out`.
    pub fn on(&self, prefix: &[&str], out: Output) -> &Self {
        self.answers
            .borrow_mut()
            .push((prefix.iter().map(|s| s.to_string()).collect(), out));
        self
    }

    /// Names of the programs called, in order.
    pub fn programs(&self) -> Vec<String> {
        self.calls
            .borrow()
            .iter()
            .map(|c| c.program.clone())
            .collect()
    }
}

impl Runner for FakeRunner {
    fn exec(&self, cmd: &Cmd) -> Result<Output> {
        self.calls.borrow_mut().push(cmd.clone());
        let argv = cmd.argv();
        let answers = self.answers.borrow();
        let hit = answers
            .iter()
            .find(|(prefix, _)| argv.len() >= prefix.len() && argv[..prefix.len()] == prefix[..]);
        match hit {
            Some((_, out)) => Ok(out.clone()),
            None => anyhow::bail!("FakeRunner: no answer for `{cmd}`"),
        }
    }
    fn history(&self) -> Vec<Cmd> {
        self.calls.borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_only_when_needed() {
        let c = Cmd::mutating("lvcreate")
            .args(["-l", "95%VG", "-n", "thin pool"])
            .arg("it's");
        assert_eq!(
            c.to_string(),
            r#"lvcreate -l 95%VG -n 'thin pool' 'it'\''s'"#
        );
        assert!(c.is_lvm());
        assert!(!Cmd::new("dmsetup").is_lvm());
    }

    #[test]
    fn failure_names_command_and_stderr() {
        let f = FakeRunner::new();
        f.on(
            &["lvs", "docker/nosuchlv"],
            Output::failed(5, "  Failed to find logical volume \"docker/nosuchlv\"\n"),
        );
        let err = run(&f, &Cmd::new("lvs").arg("docker/nosuchlv")).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("`lvs docker/nosuchlv` failed with exit status 5"),
            "{msg}"
        );
        assert!(msg.contains("Failed to find logical volume"), "{msg}");
    }

    #[test]
    fn fake_runner_rejects_unexpected_commands() {
        let f = FakeRunner::new();
        assert!(f.exec(&Cmd::new("pvcreate")).is_err());
        assert_eq!(f.programs(), ["pvcreate"]);
    }
}
