//! `dmctl status`: where the pool stands, from one lvm process and one
//! `dmsetup status` (the report itself: [`crate::status`]).

use anyhow::Result;

use crate::cli::{Format, GlobalOpts, PoolArg};
use crate::engine::SystemRunner;
use crate::error::exit;
use crate::facts::Facts;
use crate::status::{hints, locate, render_human, render_prometheus, report};

pub fn run(g: &GlobalOpts, a: &PoolArg) -> Result<i32> {
    let ui = crate::cmd::ui(g);
    let sys = SystemRunner::new(&ui);
    let f = Facts::new(&sys);
    let (s, h) = hints(g, &f, a.pool.as_deref(), "status")?;
    let (vg, pool, by) = locate(f.lvm()?, &h)?.expect("any=true always locates or fails");
    let rep = report(&f, &s, &vg, &pool, by, "status")?;
    match g.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rep)?),
        Format::Prometheus => print!("{}", render_prometheus(&rep)),
        Format::Human => print!("{}", render_human(&rep)),
    }
    Ok(exit::OK)
}
