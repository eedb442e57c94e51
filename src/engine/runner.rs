//! Running external commands: argv only, `LC_ALL=C`, the full command line
//! and the tool's stderr in every error.
//!
//! [`Runner::exec`] runs read-only commands (probes) and refuses a
//! mutating one; [`Runner::exec_live`] runs a mutating command and needs a
//! [`Live`], which only [`crate::engine::apply`] can make, and only when it
//! is not a dry run. [`SystemRunner`] runs commands; [`FakeRunner`] answers
//! from canned outputs (unit tests of planning logic).

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::process::{Command, Stdio};

use super::Live;
use crate::exec::{Cmd, CommandFailed, Output};
use crate::tools;
use crate::ui::Ui;

/// Runs commands. `exec` returns Ok for any exit status; use [`run`] to
/// treat a non-zero status as an error.
pub trait Runner {
    /// Run a read-only command; a mutating one is an error (a bug).
    fn exec(&self, cmd: &Cmd) -> Result<Output>;
    /// Run a command that changes the system (the engine only).
    fn exec_live(&self, cmd: &Cmd, live: &Live) -> Result<Output>;
    /// Every command this runner was asked to run, in order.
    fn history(&self) -> Vec<Cmd>;
    /// Start a read-only command and return at once; [`Started::wait`]
    /// gives its output. Lets a slow probe (`dockerd --version`: a Go
    /// binary, 0.3-0.6 s under emulation) run while dmctl asks LVM.
    fn start(&self, cmd: &Cmd) -> Result<Started> {
        Ok(Started::Done(self.exec(cmd)))
    }
}

/// A command started by [`Runner::start`].
pub enum Started {
    Done(Result<Output>),
    Running(Cmd, std::process::Child),
}

impl Started {
    /// Its output, once it has exited.
    pub fn wait(self) -> Result<Output> {
        match self {
            Started::Done(r) => r,
            Started::Running(cmd, child) => {
                let out = child
                    .wait_with_output()
                    .with_context(|| format!("running `{cmd}`"))?;
                Ok(output_of(out))
            }
        }
    }
}

fn output_of(out: std::process::Output) -> Output {
    let status = match out.status.code() {
        Some(c) => c,
        None => {
            use std::os::unix::process::ExitStatusExt;
            128 + out.status.signal().unwrap_or(0)
        }
    };
    Output {
        status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn refuse_mutating(cmd: &Cmd) -> Result<()> {
    if cmd.mutating {
        anyhow::bail!(
            "internal error: `{cmd}` changes the system and may only be run by the engine \
             (dmctl changed nothing with it)"
        );
    }
    Ok(())
}

fn check_status(cmd: &Cmd, out: Output) -> Result<Output> {
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

/// Run a read-only command and fail on a non-zero exit status.
pub fn run(r: &dyn Runner, cmd: &Cmd) -> Result<Output> {
    let out = r.exec(cmd)?;
    check_status(cmd, out)
}

/// Run a mutating command and fail on a non-zero exit status.
pub fn run_live(r: &dyn Runner, cmd: &Cmd, live: &Live) -> Result<Output> {
    let out = r.exec_live(cmd, live)?;
    check_status(cmd, out)
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

    fn command(&self, cmd: &Cmd) -> Result<Command> {
        self.history.borrow_mut().push(cmd.clone());
        self.ui.command(&cmd.to_string());
        let path = tools::find(&cmd.program).ok_or_else(|| {
            anyhow::anyhow!(
                "`{}` not found in PATH or {}: install {}",
                cmd.program,
                tools::SBIN_DIRS.join(", "),
                tools::package_of(&cmd.program)
            )
        })?;
        let mut c = Command::new(&path);
        c.args(&cmd.args)
            .env("LC_ALL", "C")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        Ok(c)
    }

    fn spawn(&self, cmd: &Cmd) -> Result<Output> {
        let out = self
            .command(cmd)?
            .output()
            .with_context(|| format!("running `{cmd}`"))?;
        Ok(output_of(out))
    }
}

impl Runner for SystemRunner<'_> {
    fn exec(&self, cmd: &Cmd) -> Result<Output> {
        refuse_mutating(cmd)?;
        self.spawn(cmd)
    }
    fn exec_live(&self, cmd: &Cmd, _live: &Live) -> Result<Output> {
        self.spawn(cmd)
    }
    fn history(&self) -> Vec<Cmd> {
        self.history.borrow().clone()
    }
    fn start(&self, cmd: &Cmd) -> Result<Started> {
        refuse_mutating(cmd)?;
        let child = self
            .command(cmd)?
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("running `{cmd}`"))?;
        Ok(Started::Running(cmd.clone(), child))
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

    fn answer(&self, cmd: &Cmd) -> Result<Output> {
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
}

impl Runner for FakeRunner {
    fn exec(&self, cmd: &Cmd) -> Result<Output> {
        refuse_mutating(cmd)?;
        self.answer(cmd)
    }
    fn exec_live(&self, cmd: &Cmd, _live: &Live) -> Result<Output> {
        self.answer(cmd)
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
        assert!(f.exec(&Cmd::new("pvs")).is_err());
        assert_eq!(f.programs(), ["pvs"]);
    }

    #[test]
    fn read_only_exec_refuses_a_mutating_command_before_running_it() {
        let f = FakeRunner::new();
        f.on(&["pvcreate"], Output::ok(""));
        let err = f
            .exec(&Cmd::mutating("pvcreate").arg("/dev/vdb"))
            .unwrap_err();
        assert!(
            format!("{err}").contains("only be run by the engine"),
            "{err}"
        );
        assert!(f.programs().is_empty(), "nothing was run");
        let ui = Ui::silent();
        let sys = SystemRunner::new(&ui);
        assert!(sys.exec(&Cmd::mutating("pvcreate")).is_err());
        assert!(sys.history().is_empty());
    }
}
