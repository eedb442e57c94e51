//! The plan/apply engine: a [`Plan`] is a list of named [`Step`]s, each
//! already done or with one [`Action`]; [`apply`] runs them in order and
//! [`describe`] prints them for `--dry-run`.
//!
//! This is the only module that changes the system. Every mutating call
//! (a mutating command, a file write or removal) needs a [`Live`], and a
//! `Live` can only be made inside this module, by [`apply`], when it is not
//! a dry run. So "`--dry-run` changes nothing" has one guarantor.

pub mod files;
pub mod runner;

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;

pub use runner::{
    lvm_processes, run, run_json, run_live, FakeRunner, Runner, Started, SystemRunner,
};

use crate::exec::Cmd;
use crate::ui::Ui;

/// Proof that the engine is applying a plan for real. Its field is private
/// to the engine, so no other module can make one.
pub struct Live {
    _private: (),
}

/// Something a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Run(Cmd),
    /// Write a file atomically with a backup.
    Write {
        path: PathBuf,
        content: String,
        old: Option<String>,
    },
    /// Check a condition with a read-only command and run `fix` only when
    /// it does not hold (e.g. dmeventd monitoring of a new pool).
    Ensure(Ensure),
    /// Delete a file; `old` is its current content.
    Remove {
        path: PathBuf,
        old: String,
    },
    /// Wait (bounded) until a device node exists.
    WaitFor {
        path: PathBuf,
        secs: u64,
    },
}

/// A condition checked at apply time, fixed when it does not hold.
#[derive(Debug, Clone)]
pub struct Ensure {
    /// Read-only command whose stdout tells whether the condition holds.
    pub check: Cmd,
    /// From `check`'s stdout: `None` when it holds, else how it stands.
    pub unmet: fn(&str) -> Result<Option<String>>,
    /// Mutating command that makes it hold.
    pub fix: Cmd,
    /// The condition in words, e.g. "docker/thinpool is monitored".
    pub what: String,
    /// Its negation, e.g. "docker/thinpool is not monitored".
    pub negated: String,
    /// When `fix` did not help, e.g. "docker/thinpool is still not
    /// monitored".
    pub still: String,
    /// Why it matters, shown when `fix` did not help.
    pub consequence: String,
}

impl PartialEq for Ensure {
    /// Equal when the commands and words are (the reader function is code).
    fn eq(&self, o: &Self) -> bool {
        (&self.check, &self.fix, &self.what, &self.consequence)
            == (&o.check, &o.fix, &o.what, &o.consequence)
    }
}

/// One step of the plan; `action: None` means it is already done.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    pub action: Option<Action>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub warnings: Vec<String>,
}

impl Plan {
    /// True when any step has work to do.
    pub fn changes(&self) -> bool {
        self.steps.iter().any(|s| s.action.is_some())
    }
    pub fn todo(&mut self, name: &'static str, a: Action) {
        self.steps.push(Step {
            name,
            action: Some(a),
        });
    }
    pub fn already(&mut self, name: &'static str) {
        self.steps.push(Step { name, action: None });
    }
    /// A file edit: write `new` when it differs from `old`.
    pub fn write_if_changed(
        &mut self,
        name: &'static str,
        path: PathBuf,
        new: Option<String>,
        old: Option<&str>,
    ) {
        match new {
            Some(content) if old != Some(content.as_str()) => self.todo(
                name,
                Action::Write {
                    path,
                    content,
                    old: old.map(str::to_string),
                },
            ),
            _ => self.already(name),
        }
    }
}

/// What happened to one step, for `--format json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepReport {
    pub name: &'static str,
    /// `done`, `already` or `skipped` (dry run).
    pub action: &'static str,
    /// argv of the command run, if the step runs one.
    pub command: Option<Vec<String>>,
    /// File written, if the step writes one.
    pub path: Option<PathBuf>,
    /// A file step with work: the file's content before and after (`None`:
    /// no file), so callers can show a diff (Ansible's `--diff`). Absent
    /// from the JSON for other steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<FileDiff>,
}

/// A file's content before and after a step (`None`: no file).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileDiff {
    pub before: Option<String>,
    pub after: Option<String>,
}

fn report(step: &Step, action: &'static str) -> StepReport {
    let (command, path, diff) = match &step.action {
        Some(Action::Run(c)) => (Some(c.argv()), None, None),
        Some(Action::Write { path, content, old }) => {
            let diff = FileDiff {
                before: old.clone(),
                after: Some(content.clone()),
            };
            (None, Some(path.clone()), Some(diff))
        }
        Some(Action::Remove { path, old }) => {
            let diff = FileDiff {
                before: Some(old.clone()),
                after: None,
            };
            (None, Some(path.clone()), Some(diff))
        }
        _ => (None, None, None),
    };
    StepReport {
        name: step.name,
        action,
        command,
        path,
        diff,
    }
}

/// File mode for new files dmctl writes.
const NEW_FILE_MODE: u32 = 0o644;

/// What [`apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    pub steps: Vec<StepReport>,
    /// Found while applying (e.g. monitoring still off after the fix).
    pub warnings: Vec<String>,
}

/// Run the plan. With `dry_run` nothing is run or written and every step
/// with work is reported `skipped`.
pub fn apply(plan: &Plan, r: &dyn Runner, ui: &Ui, dry_run: bool) -> Result<Applied> {
    let mut out = Applied::default();
    if dry_run {
        out.steps = plan
            .steps
            .iter()
            .map(|s| {
                report(
                    s,
                    if s.action.is_some() {
                        "skipped"
                    } else {
                        "already"
                    },
                )
            })
            .collect();
        return Ok(out);
    }
    let live = Live { _private: () };
    for step in &plan.steps {
        let Some(action) = &step.action else {
            out.steps.push(report(step, "already"));
            continue;
        };
        let rep = apply_step(step, action, r, ui, &live, &mut out.warnings)
            .with_context(|| resume_hint(step.name))?;
        out.steps.push(rep);
    }
    Ok(out)
}

fn apply_step(
    step: &Step,
    action: &Action,
    r: &dyn Runner,
    ui: &Ui,
    live: &Live,
    warnings: &mut Vec<String>,
) -> Result<StepReport> {
    let name = step.name;
    match action {
        Action::Run(cmd) => {
            ui.step(&format!("{name}: {cmd}"));
            run_live(r, cmd, live)?;
            ui.done(&format!("{name}: done"));
        }
        Action::Write { path, content, .. } => {
            ui.step(&format!("{name}: writing {}", path.display()));
            if let Some(b) = files::write_atomic(path, content, NEW_FILE_MODE, live)? {
                ui.info(&format!("{name}: previous file kept as {}", b.display()));
            }
            ui.done(&format!("{name}: wrote {}", path.display()));
        }
        Action::Remove { path, .. } => {
            ui.step(&format!("{name}: removing {}", path.display()));
            files::remove(path, live)?;
            ui.done(&format!("{name}: removed {}", path.display()));
        }
        Action::WaitFor { path, secs } => {
            ui.step(&format!("{name}: waiting for {}", path.display()));
            files::wait_for(path, *secs)?;
            ui.done(&format!("{name}: {} is there", path.display()));
        }
        Action::Ensure(e) => {
            ui.step(&format!("{name}: checking that {}", e.what));
            let check = || -> Result<Option<String>> {
                let o = run(r, &e.check)?;
                (e.unmet)(&o.stdout).with_context(|| format!("reading the output of `{}`", e.check))
            };
            if check()?.is_none() {
                ui.done(&format!("{name}: {}", e.what));
                return Ok(report(step, "already"));
            }
            run_live(r, &e.fix, live)?;
            if let Some(state) = check()? {
                warnings.push(format!("{} ({state:?}): {}", e.still, e.consequence));
            }
            ui.done(&format!("{name}: done ({})", e.fix));
            return Ok(StepReport {
                command: Some(e.fix.argv()),
                ..report(step, "done")
            });
        }
    }
    Ok(report(step, "done"))
}

fn resume_hint(step: &str) -> String {
    format!("step {step} failed; fix the cause and re-run: dmctl resumes where it stopped")
}

/// The dry-run listing: each command, and each file's content or diff.
pub fn describe(plan: &Plan) -> String {
    let mut out = String::new();
    for step in &plan.steps {
        match &step.action {
            None => out.push_str(&format!("# {}: already done\n", step.name)),
            Some(Action::Run(c)) => out.push_str(&format!("{c}\n")),
            Some(Action::Ensure(e)) => out.push_str(&format!(
                "{}\n# then, if {}:\n{}\n",
                e.check, e.negated, e.fix
            )),
            Some(Action::WaitFor { path, secs }) => {
                out.push_str(&format!("# wait up to {secs} s for {}\n", path.display()))
            }
            Some(Action::Remove { path, old }) => {
                let name = path.display().to_string();
                let diff = similar::TextDiff::from_lines(old.as_str(), "");
                out.push_str(&format!("rm {}\n", crate::exec::shell_quote(&name)));
                out.push_str(&diff.unified_diff().header(&name, "/dev/null").to_string());
            }
            Some(Action::Write { path, content, old }) => {
                let name = path.display().to_string();
                match old {
                    None => out.push_str(&format!("# new file {name}:\n{content}")),
                    Some(o) => {
                        let diff = similar::TextDiff::from_lines(o.as_str(), content.as_str());
                        out.push_str(
                            &diff
                                .unified_diff()
                                .header(&name, &format!("{name} (new)"))
                                .to_string(),
                        );
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::Output;

    fn unmet_unless_yes(out: &str) -> Result<Option<String>> {
        Ok((out.trim() != "yes").then(|| out.trim().to_string()))
    }

    fn ensure() -> Ensure {
        Ensure {
            check: Cmd::new("probe"),
            unmet: unmet_unless_yes,
            fix: Cmd::mutating("fixit"),
            what: "it is so".into(),
            negated: "it is not so".into(),
            still: "it is still not so".into(),
            consequence: "bad things".into(),
        }
    }

    #[test]
    fn dry_run_runs_and_writes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("f");
        let mut p = Plan::default();
        p.todo("cmd", Action::Run(Cmd::mutating("pvcreate").arg("/dev/x")));
        p.todo(
            "write",
            Action::Write {
                path: path.clone(),
                content: "x".into(),
                old: None,
            },
        );
        p.todo("ensure", Action::Ensure(ensure()));
        p.already("old");
        let f = FakeRunner::new();
        let a = apply(&p, &f, &Ui::silent(), true).unwrap();
        assert!(f.history().is_empty(), "{:?}", f.history());
        assert!(!path.exists());
        let acts: Vec<_> = a.steps.iter().map(|s| s.action).collect();
        assert_eq!(acts, ["skipped", "skipped", "skipped", "already"]);
    }

    #[test]
    fn file_steps_report_before_and_after_in_json() {
        let mut p = Plan::default();
        p.todo("cmd", Action::Run(Cmd::mutating("pvcreate").arg("/dev/x")));
        p.write_if_changed("edit", "/e".into(), Some("new\n".into()), Some("old\n"));
        p.write_if_changed("create", "/c".into(), Some("c\n".into()), None);
        p.todo(
            "rm",
            Action::Remove {
                path: "/r".into(),
                old: "gone\n".into(),
            },
        );
        p.write_if_changed("same", "/s".into(), Some("s".into()), Some("s"));
        let a = apply(&p, &FakeRunner::new(), &Ui::silent(), true).unwrap();
        let j = serde_json::to_value(&a.steps).unwrap();
        assert!(j[0].get("diff").is_none(), "{j}");
        assert_eq!(
            j[1]["diff"],
            serde_json::json!({"before": "old\n", "after": "new\n"})
        );
        assert_eq!(
            j[2]["diff"],
            serde_json::json!({"before": null, "after": "c\n"})
        );
        assert_eq!(
            j[3]["diff"],
            serde_json::json!({"before": "gone\n", "after": null})
        );
        assert!(j[4].get("diff").is_none(), "{j}");
    }

    #[test]
    fn ensure_fixes_only_when_unmet_and_warns_when_still_unmet() {
        let mut p = Plan::default();
        p.todo("ensure", Action::Ensure(ensure()));
        let f = FakeRunner::new();
        f.on(&["probe"], Output::ok("yes\n"));
        let a = apply(&p, &f, &Ui::silent(), false).unwrap();
        assert_eq!(f.programs(), ["probe"]);
        assert_eq!(a.steps[0].action, "already");

        let f = FakeRunner::new();
        f.on(&["probe"], Output::ok("no\n"))
            .on(&["fixit"], Output::ok(""));
        let a = apply(&p, &f, &Ui::silent(), false).unwrap();
        assert_eq!(f.programs(), ["probe", "fixit", "probe"]);
        assert_eq!(a.steps[0].action, "done");
        assert_eq!(
            a.steps[0].command.as_deref(),
            Some(&["fixit".to_string()][..])
        );
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert!(a.warnings[0].contains("bad things"));
    }

    #[test]
    fn a_failed_step_names_itself_and_stops_the_plan() {
        let mut p = Plan::default();
        p.todo("first", Action::Run(Cmd::mutating("one")));
        p.todo("second", Action::Run(Cmd::mutating("two")));
        let f = FakeRunner::new();
        f.on(&["one"], Output::failed(5, "boom\n"));
        let e = apply(&p, &f, &Ui::silent(), false).unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("step first failed"), "{msg}");
        assert!(msg.contains("boom"), "{msg}");
        assert_eq!(f.programs(), ["one"]);
    }
}
