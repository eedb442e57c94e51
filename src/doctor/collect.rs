//! `dmctl doctor --collect DIR`: the raw tool outputs and files the host
//! doctor reads, as a plan of file writes (a bundle for a ticket that
//! `doctor --from DIR` judges the same way).

use anyhow::{Context, Result};
use std::path::Path;

use crate::cli::GlobalOpts;
use crate::engine::{self, Plan, Runner};
use crate::error::refused;
use crate::exec::Cmd;
use crate::facts::Facts;
use crate::lvm::{self, LvmState};
use crate::status;

/// The files of a bundle, in the order written.
pub const FILES: &[&str] = &[
    "lvm-fullreport.json",
    "dmsetup-status.txt",
    "daemon.json",
    "containerd-config.toml",
    "<profile>.profile",
    "dockerd-version.txt",
];

/// Plan the bundle's files in `dir` (which must be empty or absent).
pub fn plan(
    g: &GlobalOpts,
    r: &dyn Runner,
    f: &Facts,
    pool_flag: Option<&str>,
    dir: &Path,
) -> Result<Plan> {
    if let Ok(mut rd) = std::fs::read_dir(dir) {
        if rd.next().is_some() {
            return Err(refused(format!(
                "--collect {}: the directory is not empty (doctor --from reads every file \
                 in it): give a new or empty directory",
                dir.display()
            )));
        }
    } else if dir.exists() {
        return Err(refused(format!(
            "--collect {}: not a directory",
            dir.display()
        )));
    }
    let mut p = Plan::default();
    let mut put = |name: &'static str, file: String, text: Option<String>| {
        // An empty file says nothing (and --from refuses empty input).
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            p.write_if_changed(name, dir.join(file), Some(t), None);
        }
    };
    let cmd = lvm::fullreport_cmd();
    let out = engine::run(r, &cmd).map_err(|e| status::root_hint(e, "doctor --collect"))?;
    let state = LvmState::from_report(&out.stdout)
        .with_context(|| format!("reading the output of `{cmd}`"))?;
    f.set_lvm(state);
    put(
        "collect-lvm",
        "lvm-fullreport.json".into(),
        Some(out.stdout.clone()),
    );
    let (s, hints) = status::hints(g, f, pool_flag, "doctor --collect")?;
    if let Ok(Some((vg, pool, _))) = status::locate(f.lvm()?, &hints) {
        let lv = f.lvm()?.lv(&vg, &pool).cloned();
        if lv.as_ref().is_some_and(|l| l.active) {
            let st = f.dm_status(&crate::dm::dm_name(&vg, &pool))?;
            put(
                "collect-dmsetup-status",
                "dmsetup-status.txt".into(),
                Some(st.to_string()),
            );
        }
        if let Some(name) = lv.map(|l| l.profile).filter(|n| !n.is_empty()) {
            let text = f.file(&s.profile_dir.join(format!("{name}.profile")))?;
            put("collect-profile", format!("{name}.profile"), text);
        }
    }
    put(
        "collect-daemon-json",
        "daemon.json".into(),
        f.file(&s.daemon_json)?,
    );
    put(
        "collect-containerd-config",
        "containerd-config.toml".into(),
        f.file(&s.containerd_config)?,
    );
    if f.dockerd_installed() {
        let o = r.exec(&Cmd::new("dockerd").arg("--version"))?;
        if o.status == 0 {
            put(
                "collect-dockerd-version",
                "dockerd-version.txt".into(),
                Some(o.stdout),
            );
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Action, FakeRunner};
    use crate::exec::Output;

    macro_rules! real {
        ($n:literal) => {
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/triage/bookworm/healthy/bundle/",
                $n
            ))
        };
    }

    #[test]
    fn the_bundle_is_what_doctor_reads() {
        // bookworm's real bundle, played back: one lvm process; the pool's
        // status (the kernel's, read by ioctl on a host) preset.
        let status = real!("dmsetup-status.txt");
        let r = FakeRunner::new();
        r.on(
            &["lvm", "fullreport"],
            Output::ok(real!("lvm-fullreport.json")),
        );
        let f = Facts::new(&r);
        f.set_dm_status(status);
        f.set_file(
            Path::new("/etc/docker/daemon.json"),
            Some(real!("daemon.json")),
        )
        .set_file(Path::new("/etc/containerd/config.toml"), None)
        .set_file(
            Path::new("/etc/lvm/profile/docker-thinpool.profile"),
            Some(real!("docker-thinpool.profile")),
        )
        .set_mountinfo("")
        .set_dockerd(None, false);
        let g = GlobalOpts {
            config: None,
            dry_run: false,
            format: crate::cli::Format::Human,
            quiet: true,
            verbose: false,
            lock_timeout: 0,
        };
        let p = plan(&g, &r, &f, None, Path::new("/nonexistent/bundle")).unwrap();
        let files: Vec<(String, String)> = p
            .steps
            .iter()
            .filter_map(|s| match &s.action {
                Some(Action::Write { path, content, .. }) => Some((
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    content.clone(),
                )),
                _ => None,
            })
            .collect();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "lvm-fullreport.json",
                "dmsetup-status.txt",
                "docker-thinpool.profile",
                "daemon.json"
            ]
        );
        assert_eq!(files[0].1, real!("lvm-fullreport.json"));
        assert_eq!(files[1].1, status);
        assert_eq!(r.programs(), ["lvm"]);
    }
}
