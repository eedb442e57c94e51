//! `dmctl doctor`: every finding with the command that fixes it (the
//! checks themselves: [`crate::doctor`]).

use anyhow::Result;
use serde::Serialize;

use crate::cli::{Format, GlobalOpts};
use crate::doctor::{diagnose, gather, render_human, worst, Finding, Severity};
use crate::engine::SystemRunner;
use crate::facts::Facts as HostFacts;

#[derive(Serialize)]
struct DoctorReport<'a> {
    worst: Severity,
    exit_code: i32,
    pool: Option<String>,
    findings: &'a [Finding],
}

pub fn run(g: &GlobalOpts, a: &crate::cli::PoolArg) -> Result<i32> {
    let pool_flag = a.pool.as_deref();
    let ui = crate::cmd::ui(g);
    let sys = SystemRunner::new(&ui);
    let host = HostFacts::new(&sys);
    let facts = gather(g, &host, pool_flag)?;
    let findings = diagnose(&facts);
    let w = worst(&findings);
    match g.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&DoctorReport {
                worst: w,
                exit_code: w.exit_code(),
                pool: facts.pool.as_ref().map(|p| p.pool_path()),
                findings: &findings,
            })?
        ),
        _ => {
            print!("{}", render_human(&findings));
            let n = |s| findings.iter().filter(|f| f.severity == s).count();
            ui.info(&format!(
                "doctor: {} ok, {} warning(s), {} critical",
                n(Severity::Ok),
                n(Severity::Warn),
                n(Severity::Critical)
            ));
        }
    }
    Ok(w.exit_code())
}
