//! `dmctl teardown`: remove what every target made (runtime configs, the
//! fstab line and mount, the data LV), the boot unit, the pool, its VG and
//! the PV labels, then the profile — idempotently. The planner ([`plan`])
//! is pure over [`Facts`].

use anyhow::Result;
use serde::Serialize;
use std::path::Path;

use crate::bootunit;
use crate::cli::{Format, GlobalOpts, TargetKind, TeardownArgs};
use crate::config::Settings;
use crate::dm;
use crate::engine::{Action, Plan, StepReport};
use crate::error::{exit, refused};
use crate::facts::Facts;
use crate::pool::{lvmcmd, profile};
use crate::status;
use crate::targets;

/// The pool to tear down: `--pool`, else daemon.json's dm.thinpooldev,
/// else the config (defaults included). Never "the only pool": teardown
/// does not guess.
pub fn target(
    flag: Option<&str>,
    thinpooldev: Option<&str>,
    config: (&str, &str),
) -> Result<(String, String)> {
    if let Some(f) = flag {
        return status::parse_pool_arg(f);
    }
    if let Some(d) = thinpooldev {
        return dm::lv_of_mapper_path(d).ok_or_else(|| {
            refused(format!(
                "daemon.json's dm.thinpooldev={d} is not an LVM device: pass --pool VG/LV"
            ))
        });
    }
    Ok((config.0.to_string(), config.1.to_string()))
}

/// Teardown of `vg/pool`: every target's artifacts (runtime configs, fstab
/// line and mount, data LV), the boot unit, then the pool, its VG, the PV
/// labels and the profile. `dockerd`: its pid when it runs.
pub fn plan(
    f: &Facts,
    s: &Settings,
    vg: &str,
    pool: &str,
    dockerd: Option<u32>,
    force: bool,
) -> Result<Plan> {
    let lvm = f.lvm()?;
    let path = format!("{vg}/{pool}");
    let mut p = Plan::default();
    let lv = lvm.lv(vg, pool);
    // A target's own thin LV (docker-overlay2's data LV) is its to remove.
    let owned: Vec<String> = targets::wirings(f, s, vg, pool)
        .iter()
        .filter(|w| w.target == TargetKind::DockerOverlay2.as_str())
        .map(|_| s.lv_name.clone())
        .collect();
    let thin: Vec<String> = lvm
        .thin_volumes(vg, pool)
        .map(|l| l.name.clone())
        .filter(|n| !owned.contains(n))
        .collect();
    if let Some(l) = lv {
        if !l.is_thin_pool() {
            return Err(refused(format!(
                "{path} is not a thin pool (segment type {:?}): dmctl tears down only its own pools",
                l.segtype
            )));
        }
        if !thin.is_empty() && !force {
            return Err(refused(format!(
                "{path} holds thin volumes ({}): their data would be lost; remove them, or re-run \
                 with --force to remove them with the pool",
                thin.join(", ")
            )));
        }
    }
    if lvm.vg(vg).is_some() {
        let foreign: Vec<String> = lvm
            .lvs_of(vg)
            .filter(|l| !l.is_hidden() && l.name != pool && l.pool_lv != pool)
            .map(|l| l.name.clone())
            .collect();
        if !foreign.is_empty() {
            return Err(refused(format!(
                "VG {vg} also holds {}: dmctl will not remove a VG with other volumes; remove \
                 them first or remove only the pool with `lvremove {path}`",
                foreign.join(", ")
            )));
        }
    }
    let will_change_lvm = lv.is_some() || lvm.vg(vg).is_some();
    if will_change_lvm {
        if let Some(pid) = dockerd {
            if !force {
                return Err(refused(format!(
                    "dockerd is running (pid {pid}) and may be using {path}: stop it first \
                     (`systemctl stop docker`), or re-run with --force"
                )));
            }
        }
    }
    for t in targets::ALL {
        t.teardown(&mut p, f, s, vg, pool)?;
    }
    bootunit::plan_remove(&mut p, f, vg, pool)?;
    match lv {
        Some(_) => p.todo("lvremove", Action::Run(lvmcmd::lvremove(&path))),
        None => p.already("lvremove"),
    }
    let pvs: Vec<String> = lvm.pvs_of(vg).map(|p| p.name.clone()).collect();
    if lvm.vg(vg).is_some() {
        p.todo("vgremove", Action::Run(lvmcmd::vgremove(vg)));
    } else {
        p.already("vgremove");
    }
    if pvs.is_empty() {
        p.already("pvremove");
    } else {
        p.todo("pvremove", Action::Run(lvmcmd::pvremove(pvs)));
    }
    let profile_name = lv
        .map(|l| l.profile.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("{vg}-{pool}"));
    let profile_path = s.profile_dir.join(format!("{profile_name}.profile"));
    match f.file(&profile_path)? {
        Some(text) if text.starts_with(profile::MARK) => p.todo(
            "profile",
            Action::Remove {
                path: profile_path,
                old: text,
            },
        ),
        Some(_) => {
            p.warnings.push(format!(
                "{} was not written by dmctl: left as it is",
                profile_path.display()
            ));
            p.already("profile");
        }
        None => p.already("profile"),
    }
    Ok(p)
}

/// dockerd's pid from /run/docker.pid (or /var/run), when that process
/// lives, else from a /proc scan.
pub fn dockerd_pid() -> Option<u32> {
    for f in ["/run/docker.pid", "/var/run/docker.pid"] {
        if let Some(pid) = std::fs::read_to_string(f)
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        {
            if Path::new(&format!("/proc/{pid}")).exists() {
                return Some(pid);
            }
        }
    }
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let comm = std::fs::read_to_string(e.path().join("comm")).ok()?;
        (comm.trim() == "dockerd").then_some(pid)
    })
}

#[derive(Serialize)]
struct TeardownReport {
    changed: bool,
    dry_run: bool,
    pool: String,
    steps: Vec<StepReport>,
    warnings: Vec<String>,
}

pub fn run(g: &GlobalOpts, a: &TeardownArgs) -> Result<i32> {
    crate::cmd::require_root("teardown")?;
    let ui = crate::cmd::ui(g);
    let _lock = crate::cmd::lock(g, &ui)?;
    let (r, _) = crate::cmd::runner(&ui);
    crate::cmd::require_tools(&["lvm", "lvremove", "vgremove", "pvremove"])?;
    let f = Facts::new(&r);
    let (s, h) = status::hints(g, &f, a.pool.pool.as_deref(), "teardown")?;
    let (vg, pool) = target(
        a.pool.pool.as_deref(),
        h.thinpooldev.as_deref(),
        (&s.vg, &s.pool),
    )?;
    let pl = plan(&f, &s, &vg, &pool, dockerd_pid(), a.force)?;
    let out = crate::cmd::execute(g, &ui, &r, &pl, "teardown", Vec::new())?;
    match g.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&TeardownReport {
                changed: out.changed,
                dry_run: g.dry_run,
                pool: format!("{vg}/{pool}"),
                steps: out.steps,
                warnings: out.warnings,
            })?
        ),
        _ => ui.info(&format!(
            "dmctl teardown: {} ({vg}/{pool})",
            match (g.dry_run, out.changed) {
                (_, false) => "nothing to remove, nothing changed",
                (true, true) => "would remove the above",
                (false, true) => "done",
            }
        )),
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{describe, FakeRunner, Runner};
    use crate::error::exit_code;
    use crate::lvm::LvmState;
    use crate::status::tests::{fx, state};
    use std::path::{Path, PathBuf};

    /// What teardown's tests vary; turned into preset [`Facts`].
    #[derive(Clone)]
    struct Inputs {
        vg: String,
        pool: String,
        daemon_json_path: PathBuf,
        daemon_json: Option<String>,
        profile_path: PathBuf,
        profile: Option<String>,
        dockerd: Option<u32>,
        force: bool,
    }

    fn plan_i(lvm: &LvmState, i: &Inputs) -> Result<Plan> {
        let r = FakeRunner::new();
        let f = Facts::new(&r);
        f.set_lvm(lvm.clone())
            .set_file(&i.daemon_json_path, i.daemon_json.as_deref())
            .set_file(&crate::fsutil::backup_path(&i.daemon_json_path), None)
            .set_file(&i.profile_path, i.profile.as_deref())
            .set_file(Path::new("/etc/containerd/config.toml"), None)
            .set_file(Path::new("/etc/fstab"), None)
            .set_file(Path::new(crate::bootunit::UNIT_PATH), None)
            .set_mountinfo("")
            .set_systemd(false);
        let s = crate::config::resolve(&crate::cli::PoolOpts::default()).unwrap();
        let p = plan(&f, &s, &i.vg, &i.pool, i.dockerd, i.force);
        assert!(r.history().is_empty(), "{:?}", r.history());
        p
    }

    const DJ: &str = "{\n  \"log-level\": \"warn\",\n  \"storage-driver\": \"devicemapper\",\n  \"storage-opts\": [\n    \"dm.thinpooldev=/dev/mapper/docker-thinpool\",\n    \"dm.use_deferred_removal=true\"\n  ]\n}\n";

    fn inputs() -> Inputs {
        Inputs {
            vg: "docker".into(),
            pool: "thinpool".into(),
            daemon_json_path: "/etc/docker/daemon.json".into(),
            daemon_json: Some(DJ.into()),
            profile_path: "/etc/lvm/profile/docker-thinpool.profile".into(),
            profile: Some("# Written by dmctl: autoextend policy\nactivation {}\n".into()),
            dockerd: None,
            force: false,
        }
    }

    fn actions(p: &Plan) -> Vec<String> {
        p.steps
            .iter()
            .map(|s| match &s.action {
                None => format!("{}: already", s.name),
                Some(Action::Run(c)) => c.to_string(),
                Some(Action::Write { path, .. }) => format!("write {}", path.display()),
                Some(Action::Remove { path, .. }) => format!("rm {}", path.display()),
                Some(a) => format!("{a:?}"),
            })
            .collect()
    }

    #[test]
    fn fresh_pool_is_removed_in_order() {
        let p = plan_i(&state(fx!("01-fresh-fullreport.out")), &inputs()).unwrap();
        assert_eq!(
            actions(&p),
            [
                "containerd-config: already",
                "write /etc/docker/daemon.json",
                "unit-file: already",
                "lvremove -y docker/thinpool",
                "vgremove -y docker",
                "pvremove -y /dev/vdb",
                "rm /etc/lvm/profile/docker-thinpool.profile",
            ]
        );
        let Some(Action::Write { content, .. }) = &p.steps[1].action else {
            panic!()
        };
        assert_eq!(content, "{\n  \"log-level\": \"warn\"\n}\n");
        let text = describe(&p);
        assert!(
            text.contains("-  \"storage-driver\": \"devicemapper\","),
            "{text}"
        );
    }

    #[test]
    fn second_run_is_a_no_op() {
        let i = Inputs {
            daemon_json: Some("{\n  \"log-level\": \"warn\"\n}\n".into()),
            profile: None,
            dockerd: Some(42),
            ..inputs()
        };
        let p = plan_i(&state(fx!("00-fullreport-empty.out")), &i).unwrap();
        assert!(!p.changes(), "{:?}", actions(&p));
        let i = Inputs {
            daemon_json: None,
            ..i
        };
        assert!(!plan_i(&LvmState::default(), &i).unwrap().changes());
    }

    #[test]
    fn thin_volumes_and_dockerd_need_force() {
        let st = state(fx!("02-thinlv-fullreport.out"));
        let e = plan_i(&st, &inputs()).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert!(e.to_string().contains("vol1"), "{e}");
        let forced = Inputs {
            force: true,
            ..inputs()
        };
        assert!(plan_i(&st, &forced).unwrap().changes());
        let running = Inputs {
            dockerd: Some(1234),
            ..inputs()
        };
        let fresh = state(fx!("01-fresh-fullreport.out"));
        let e = plan_i(&fresh, &running).unwrap_err();
        assert!(
            e.to_string().contains("dockerd is running (pid 1234)"),
            "{e}"
        );
        assert!(plan_i(
            &fresh,
            &Inputs {
                force: true,
                ..running
            }
        )
        .is_ok());
    }

    #[test]
    fn foreign_things_are_left_alone() {
        let i = Inputs {
            daemon_json: Some(
                r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/vg2-pool"]}"#
                    .into(),
            ),
            profile: Some("activation {}\n".into()),
            ..inputs()
        };
        let p = plan_i(&state(fx!("01-fresh-fullreport.out")), &i).unwrap();
        assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
        assert_eq!(actions(&p)[1], "daemon-json: already");
        assert_eq!(actions(&p)[6], "profile: already");
        // A VG with other LVs is refused.
        let mut st = state(fx!("01-fresh-fullreport.out"));
        let mut other = st.lvs[0].clone();
        other.name = "data".into();
        other.segtype = "linear".into();
        other.attr = "-wi-a-----".into();
        st.lvs.push(other);
        let e = plan_i(&st, &inputs()).unwrap_err();
        assert!(e.to_string().contains("also holds data"), "{e}");
        // Something else named like the pool is refused.
        let e = plan_i(
            &st,
            &Inputs {
                pool: "data".into(),
                ..inputs()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("not a thin pool"), "{e}");
    }

    #[test]
    fn target_choice() {
        let t = |f, d, c| target(f, d, c).unwrap();
        let want = ("a-b".to_string(), "c".to_string());
        assert_eq!(t(Some("a-b/c"), None, ("x", "y")), want);
        assert_eq!(t(None, Some("/dev/mapper/a--b-c"), ("x", "y")), want);
        assert_eq!(t(None, None, ("a-b", "c")), want);
        assert!(target(None, Some("/dev/sdb"), ("x", "y")).is_err());
    }
}
