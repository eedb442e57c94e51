//! `dmctl doctor`: every finding with the command that fixes it (the
//! checks themselves: [`crate::doctor`]). `--from` judges pasted output
//! offline ([`crate::doctor::from`]); `--collect` writes the bundle
//! ([`crate::doctor::collect`]).

use anyhow::Result;
use serde::Serialize;

use crate::cli::{DoctorArgs, Format, GlobalOpts};
use crate::doctor::from::{self, Bundle, Kind};
use crate::doctor::{collect, gather, judge, render_human, worst, Finding, NotRun, Severity};
use crate::engine::{self, SystemRunner};
use crate::facts::Facts as HostFacts;

#[derive(Serialize)]
struct Input<'a> {
    file: &'a str,
    kind: Kind,
}

#[derive(Serialize)]
struct DoctorReport<'a> {
    worst: Severity,
    exit_code: i32,
    pool: Option<String>,
    findings: &'a [Finding],
    /// `--from` only: what each input was read as.
    #[serde(skip_serializing_if = "Option::is_none")]
    inputs: Option<Vec<Input<'a>>>,
    /// `--from` only: the checks the input did not allow.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_run: Option<&'a [NotRun]>,
}

pub fn run(g: &GlobalOpts, a: &DoctorArgs) -> Result<i32> {
    let pool_flag = a.pool.pool.as_deref();
    let ui = crate::cmd::ui(g);
    if let Some(dir) = &a.collect {
        let sys = SystemRunner::new(&ui);
        let host = HostFacts::new(&sys);
        let plan = collect::plan(g, &sys, &host, pool_flag, dir)?;
        std::fs::create_dir_all(dir)?;
        engine::apply(&plan, &sys, &ui, false)?;
        let n = plan.steps.iter().filter(|s| s.action.is_some()).count();
        ui.info(&format!(
            "doctor: {n} file(s) in {}; judge them anywhere with `dmctl doctor --from {}`",
            dir.display(),
            dir.display()
        ));
        return Ok(0);
    }
    let (ev, bundle) = match &a.from {
        Some(path) => {
            let b = Bundle::parse(&from::read_inputs(path)?)?;
            (from::evidence(&b, pool_flag)?, Some(b))
        }
        None => {
            let sys = SystemRunner::new(&ui);
            let host = HostFacts::new(&sys);
            (gather(g, &host, pool_flag)?, None)
        }
    };
    let (findings, not_run) = judge(&ev);
    let w = worst(&findings);
    match g.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&DoctorReport {
                worst: w,
                exit_code: w.exit_code(),
                pool: ev.pool.as_ref().map(|p| p.pool_path()),
                findings: &findings,
                inputs: bundle.as_ref().map(|b| {
                    b.files
                        .iter()
                        .map(|(file, kind)| Input { file, kind: *kind })
                        .collect()
                }),
                not_run: bundle.as_ref().map(|_| not_run.as_slice()),
            })?
        ),
        _ => {
            if let Some(b) = &bundle {
                for (file, kind) in &b.files {
                    ui.info(&format!("doctor: {file}: {}", kind.name()));
                }
            }
            print!("{}", render_human(&findings));
            for n in &not_run {
                println!("not run  {:<22} needs {}", n.check, n.needs);
            }
            let n = |s| findings.iter().filter(|f| f.severity == s).count();
            ui.info(&format!(
                "doctor: {} ok, {} note(s), {} warning(s), {} critical{}",
                n(Severity::Ok),
                n(Severity::Note),
                n(Severity::Warn),
                n(Severity::Critical),
                if bundle.is_some() {
                    format!(", {} not run (offline)", not_run.len())
                } else {
                    String::new()
                }
            ));
        }
    }
    Ok(w.exit_code())
}
