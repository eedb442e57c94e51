//! Each target's steps after the pool, the Docker-version rule, the boot
//! unit and activation (through [`crate::testkit`]).

use super::*;
use crate::config::Settings;
use crate::docker::daemon_json;
use crate::engine::Runner as _;
use crate::engine::{apply, Action, Plan};
use crate::engine::{describe, Step};
use crate::lvm::{Lv, LvmState};
use crate::mounts::MountEntry;
use crate::pool::profile;
use crate::testkit::{plan, Probe, Scope};
use crate::ui::Ui;
use std::path::Path;

/// The Docker-version rule on the host `p`.
fn resolve_target(t: Option<TargetKind>, p: &Probe) -> anyhow::Result<(TargetKind, Vec<String>)> {
    let r = crate::engine::FakeRunner::new();
    let s = crate::config::resolve(&crate::cli::PoolOpts::default()).unwrap();
    resolve(t, &crate::testkit::facts(&r, p, &s, None))
}
use crate::cli::PoolOpts;
use crate::config;
use crate::engine::FakeRunner;
use crate::error::{exit, exit_code};
use crate::exec::Output;

const DEV: &str = "/dev/vdb";
const EXT: u64 = 4 << 20;

fn settings(t: TargetKind) -> Settings {
    config::resolve(&PoolOpts {
        target: Some(t),
        lv_size: Some("1G".into()),
        ..Default::default()
    })
    .unwrap()
}

fn lv(name: &str, segtype: &str, active: bool, pool_lv: &str, extents: u64) -> Lv {
    Lv {
        name: name.into(),
        vg_name: "docker".into(),
        uuid: format!("uuid-{name}"),
        attr: format!(
            "{}wi-{}-t---",
            if segtype == "thin" { 'V' } else { 't' },
            if active { 'a' } else { '-' }
        ),
        size: extents * EXT,
        segtype: segtype.into(),
        pool_lv: pool_lv.into(),
        metadata_size: None,
        chunk_size: Some(512 << 10),
        profile: "docker-thinpool".into(),
        monitor: if active {
            "monitored".into()
        } else {
            String::new()
        },
        active,
        data_percent: None,
        metadata_percent: None,
        zero: String::new(),
        when_full: String::new(),
        health: String::new(),
        devices: String::new(),
    }
}

/// A finished pool (active or not), with the data LV or not.
fn lvm(pool_active: bool, data_lv: Option<bool>) -> LvmState {
    // The PV and VG of the classic recipe's stage 2 (VG only).
    let mut st = crate::pool::tests::state(2);
    st.lvs
        .push(lv("thinpool", "thin-pool", pool_active, "", 485));
    if let Some(a) = data_lv {
        st.lvs.push(lv("docker-data", "thin", a, "thinpool", 256));
    }
    st
}

fn blank() -> Probe {
    Probe {
        device_size: 2 << 30,
        ..Default::default()
    }
}

fn done_pool(s: &Settings) -> Probe {
    Probe {
        lvm: lvm(true, None),
        profile: Some(profile::text(s)),
        ..blank()
    }
}

fn names(p: &Plan) -> Vec<String> {
    p.steps
        .iter()
        .filter(|s| s.action.is_some())
        .map(|s| s.name.to_string())
        .collect()
}

fn dockerd(v: &str) -> Probe {
    Probe {
        dockerd_installed: true,
        dockerd: crate::docker::version::parse_dockerd_version(&format!(
            "Docker version {v}, build x"
        )),
        ..blank()
    }
}

#[test]
fn default_target_follows_dockerd() {
    let (t, w) = resolve_target(None, &blank()).unwrap();
    assert_eq!((t, w.len()), (TargetKind::DockerDevicemapper, 0));
    let (t, _) = resolve_target(None, &dockerd("20.10.24+dfsg1")).unwrap();
    assert_eq!(t, TargetKind::DockerDevicemapper);
    let (t, w) = resolve_target(None, &dockerd("24.0.7")).unwrap();
    assert_eq!(t, TargetKind::DockerDevicemapper);
    assert!(w[0].contains("deprecates"), "{w:?}");
    let e = resolve_target(None, &dockerd("27.3.1")).unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED);
    let m = e.to_string();
    assert!(
        m.contains("--target docker-overlay2") && m.contains("--target containerd-devmapper"),
        "{m}"
    );
    assert!(resolve_target(Some(TargetKind::DockerDevicemapper), &dockerd("25.0.0")).is_err());
    for t in [TargetKind::DockerOverlay2, TargetKind::ContainerdDevmapper] {
        assert_eq!(resolve_target(Some(t), &dockerd("27.3.1")).unwrap().0, t);
    }
    // The planner refuses the same way: nothing planned.
    let s = config::resolve(&PoolOpts::default()).unwrap();
    let e = plan(Scope::Setup, &dockerd("26.1.0"), &s, Some(Path::new(DEV))).unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED);
}

#[test]
fn containerd_fresh_then_done() {
    let s = settings(TargetKind::ContainerdDevmapper);
    let p = plan(Scope::Setup, &blank(), &s, Some(Path::new(DEV))).unwrap();
    assert_eq!(
        names(&p),
        [
            "profile-file",
            "vgcreate",
            "lvcreate",
            "monitor",
            "containerd-config"
        ]
    );
    let Some(Action::Write { path, content, .. }) = &p.steps.last().unwrap().action else {
        panic!()
    };
    assert_eq!(path, Path::new("/etc/containerd/config.toml"));
    assert!(content.contains("pool_name = \"docker-thinpool\""));
    // Done: nothing to do; daemon.json is not touched by this target.
    let mut pr = done_pool(&s);
    pr.containerd_config = Some(content.clone());
    let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
    assert!(!p.changes(), "{:?}", p.steps);
    assert!(!p.steps.iter().any(|s| s.name == "daemon-json"));
    // The step subcommand alone.
    let p = plan(Scope::ContainerdConfig, &pr, &s, None).unwrap();
    assert_eq!(p.steps.len(), 1);
    assert!(!p.changes());
    // An option containerd 1.4 does not know is refused before anything
    // runs (exit 3), naming the key; 1.6 takes it.
    let mut s14 = s.clone();
    s14.discard_blocks = Some(true);
    let mut p14 = blank();
    p14.containerd = Some((1, 4));
    let e = plan(Scope::Setup, &p14, &s14, Some(Path::new(DEV))).unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED);
    assert!(format!("{e:#}").contains("discard_blocks"), "{e:#}");
    p14.containerd = Some((1, 6));
    assert!(plan(Scope::Setup, &p14, &s14, Some(Path::new(DEV))).is_ok());
    // A version 1 file is refused on containerd 2.x before anything runs.
    pr.containerd = Some((2, 1));
    pr.containerd_config = Some("[plugins.cri]\n".into());
    let e = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED);
}

#[test]
fn overlay2_fresh_plan_in_order() {
    let s = config::resolve(&PoolOpts {
        target: Some(TargetKind::DockerOverlay2),
        lv_size: Some("1G".into()),
        overlay2_size: Some("10G".into()),
        ..Default::default()
    })
    .unwrap();
    let mut pr = blank();
    pr.fstab = Some("UUID=1 / ext4 defaults 0 1\n".into());
    let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
    assert_eq!(
        names(&p),
        [
            "profile-file",
            "vgcreate",
            "lvcreate",
            "monitor",
            "data-lv",
            "mkfs",
            "mkdir",
            "fstab",
            "mount",
            "daemon-json"
        ]
    );
    let d = describe(&p);
    assert!(
        d.contains("\nlvcreate -y -V 1g -T docker/thinpool -n docker-data\n"),
        "{d}"
    );
    assert!(
        d.contains("\nmkfs.xfs -n ftype=1 -L docker-data /dev/mapper/docker-docker--data\n"),
        "{d}"
    );
    assert!(
        d.contains("+/dev/mapper/docker-docker--data /var/lib/docker xfs defaults,pquota 0 0"),
        "{d}"
    );
    assert!(d.contains("\nmount /var/lib/docker\n"), "{d}");
    assert!(d.contains("\"overlay2.size=10G\""), "{d}");
    assert!(d.contains("\"data-root\": \"/var/lib/docker\""), "{d}");
}

fn overlay_done(s: &Settings) -> Probe {
    let mut pr = done_pool(s);
    pr.lvm = lvm(true, Some(true));
    pr.fstab = crate::mounts::merge_fstab(None, &s.data_lv_dev(), &s.data_root).unwrap();
    pr.data_lv_devnum = Some("253:4".into());
    pr.data_lv_fs = Some("xfs".into());
    pr.data_root_entries = Some(vec!["overlay2".into()]);
    pr.data_root_mount = Some(MountEntry {
        devnum: "253:4".into(),
        target: "/var/lib/docker".into(),
        fstype: "xfs".into(),
        source: s.data_lv_dev(),
        options: "rw,relatime,rw,attr2,prjquota".into(),
    });
    pr.daemon_json = Some(
        daemon_json::merge_overlay2(None, None, Some("/var/lib/docker"))
            .unwrap()
            .text,
    );
    pr
}

#[test]
fn overlay2_done_is_a_no_op_and_partial_states_resume() {
    let s = settings(TargetKind::DockerOverlay2);
    let pr = overlay_done(&s);
    let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
    assert!(!p.changes(), "{:?}", p.steps);
    assert!(!plan(Scope::DataLv, &pr, &s, None).unwrap().changes());
    // LV made, no filesystem yet (crash after lvcreate).
    let mut half = pr.clone();
    half.data_lv_fs = None;
    half.data_root_mount = None;
    half.data_root_entries = None;
    half.fstab = None;
    let p = plan(Scope::DataLv, &half, &s, None).unwrap();
    assert_eq!(names(&p), ["mkfs", "mkdir", "fstab", "mount"]);
    // Mounted by hand without pquota: a warning, or a refusal with overlay2.size.
    let mut noq = pr.clone();
    noq.data_root_mount.as_mut().unwrap().options = "rw,relatime,rw,attr2,noquota".into();
    let p = plan(Scope::DataLv, &noq, &s, None).unwrap();
    assert!(
        p.warnings.iter().any(|w| w.contains("pquota")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn overlay2_refusals() {
    let s = settings(TargetKind::DockerOverlay2);
    let refused_with = |pr: &Probe, needle: &str| {
        let e = plan(Scope::Setup, pr, &s, Some(Path::new(DEV))).unwrap_err();
        assert_eq!(exit_code(&e), exit::REFUSED);
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    };
    // Existing data in /var/lib/docker.
    let mut pr = blank();
    pr.data_root_entries = Some(vec!["image".into(), "overlay2".into()]);
    refused_with(&pr, "already holds data (image, overlay2)");
    // Another filesystem mounted there.
    let mut pr = blank();
    pr.data_root_mount = Some(MountEntry {
        devnum: "8:17".into(),
        target: "/var/lib/docker".into(),
        fstype: "ext4".into(),
        source: "/dev/sdb1".into(),
        options: "rw".into(),
    });
    refused_with(&pr, "/dev/sdb1");
    // An fstab line of another device for the data root.
    let mut pr = blank();
    pr.fstab = Some("/dev/sdc1 /var/lib/docker ext4 defaults 0 0\n".into());
    refused_with(&pr, "/dev/sdc1");
    // The LV exists with another filesystem, or is not a thin LV of ours.
    let mut pr = overlay_done(&s);
    pr.data_root_mount = None;
    pr.data_root_entries = Some(vec![]);
    pr.data_lv_fs = Some("ext4".into());
    refused_with(&pr, "ext4 filesystem");
    let mut pr = overlay_done(&s);
    pr.lvm.lvs[1].segtype = "linear".into();
    pr.lvm.lvs[1].pool_lv = String::new();
    refused_with(&pr, "not a thin LV");
}

#[test]
fn activate_plans_and_runs() {
    let s = settings(TargetKind::DockerOverlay2);
    // After a reboot: pool and data LV inactive, data root in fstab.
    let mut pr = overlay_done(&s);
    pr.lvm = lvm(false, Some(false));
    pr.data_root_mount = None;
    let p = plan(Scope::Activate, &pr, &s, None).unwrap();
    assert_eq!(
        names(&p),
        ["activate", "monitor", "device", "data-lv-device", "mount"]
    );
    let Some(Action::Run(c)) = &p.steps[0].action else {
        panic!()
    };
    assert_eq!(
        c.argv(),
        ["lvchange", "-ay", "docker/thinpool", "docker/docker-data"]
    );
    // Active and mounted: nothing.
    assert!(!plan(Scope::Activate, &overlay_done(&s), &s, None)
        .unwrap()
        .changes());
    // No pool: refused.
    let e = plan(Scope::Activate, &blank(), &s, None).unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED);
    // Apply with a recording runner; the device wait sees an existing path.
    let dir = tempfile::tempdir().unwrap();
    let node = dir.path().join("node");
    std::fs::write(&node, "").unwrap();
    let mut pr = done_pool(&s);
    pr.lvm = lvm(false, None);
    let mut p = plan(Scope::Activate, &pr, &s, None).unwrap();
    assert_eq!(names(&p), ["activate", "monitor", "device"]);
    p.steps[2].action = Some(Action::WaitFor {
        path: node,
        secs: 1,
    });
    let f = FakeRunner::new();
    f.on(&["lvchange", "-ay"], Output::ok(""));
    f.on(&["lvs"], Output::ok(&monitored_lvs()));
    let applied = apply(&p, &f, &Ui::silent(), false).unwrap();
    let (r, w) = (applied.steps, applied.warnings);
    assert_eq!(f.programs(), ["lvchange", "lvs"]);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        r.iter().map(|r| r.action).collect::<Vec<_>>(),
        ["done", "already", "done"]
    );
    // A node that never comes: a bounded wait, then an error.
    let p = Plan {
        steps: vec![Step {
            name: "device",
            action: Some(Action::WaitFor {
                path: dir.path().join("never"),
                secs: 0,
            }),
        }],
        warnings: vec![],
    };
    let e = apply(&p, &FakeRunner::new(), &Ui::silent(), false).unwrap_err();
    assert!(format!("{e:#}").contains("did not appear within 0 s"));
}

fn monitored_lvs() -> String {
    r#"{"report":[{"lv":[{"lv_name":"thinpool","vg_name":"docker","lv_attr":"twi-a-tz--","seg_monitor":"monitored","lv_uuid":"u","lv_size":"1","segtype":"thin-pool","pool_lv":"","lv_metadata_size":"","lv_profile":"","lv_active":"active","data_percent":"","metadata_percent":"","lv_when_full":"","lv_health_status":"","chunk_size":"0","zero":"","devices":""}]}]}"#.to_string()
}

#[test]
fn unit_steps_with_and_without_systemd() {
    let mut s = settings(TargetKind::ContainerdDevmapper);
    s.install_unit = true;
    let mut pr = done_pool(&s);
    pr.containerd_config = Some(
        crate::containerd::merge_devmapper(None, &s.devmapper_want())
            .unwrap()
            .text,
    );
    pr.exe = "/usr/local/bin/dmctl".into();
    let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
    assert_eq!(names(&p), ["unit-file"]);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.contains("systemd is not PID 1")));
    pr.systemd = true;
    pr.unit_enabled = Some(false);
    let p = plan(Scope::Setup, &pr, &s, Some(Path::new(DEV))).unwrap();
    assert_eq!(names(&p), ["unit-file", "unit-reload", "unit-enable"]);
    assert!(describe(&p).contains("systemctl enable dmctl-activate.service"));
    pr.unit = Some(crate::bootunit::unit_text(
        "/usr/local/bin/dmctl",
        "docker",
        "thinpool",
        &[],
    ));
    pr.unit_enabled = Some(true);
    assert!(!plan(Scope::Setup, &pr, &s, Some(Path::new(DEV)))
        .unwrap()
        .changes());
}

#[test]
fn each_target_sees_its_own_wiring_and_overlay2_an_unmounted_root() {
    let s = settings(TargetKind::DockerOverlay2);
    let r = crate::engine::FakeRunner::new();
    let pr = overlay_done(&s);
    let f = crate::testkit::facts(&r, &pr, &s, None);
    let w = wirings(&f, &s, "docker", "thinpool");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].target, "docker-overlay2");
    assert!(w[0].problem.is_none(), "{w:?}");
    assert!(wirings(&f, &s, "docker", "other").is_empty());

    let unmounted = Probe {
        data_root_mount: None,
        ..overlay_done(&s)
    };
    let f = crate::testkit::facts(&r, &unmounted, &s, None);
    let w = wirings(&f, &s, "docker", "thinpool");
    assert!(
        w[0].problem.as_deref().unwrap().contains("not mounted"),
        "{w:?}"
    );
    assert!(w[0].fix.iter().any(|c| c.starts_with("dmctl activate")));

    // docker-devicemapper and containerd-devmapper: their config names the
    // pool's device.
    let s = settings(TargetKind::DockerDevicemapper);
    let dm = Probe {
        daemon_json: Some(
            daemon_json::merge_devicemapper(
                None,
                &daemon_json::DmWant {
                    thinpooldev: s.thinpooldev(),
                    basesize: None,
                    fs: None,
                },
            )
            .unwrap()
            .text,
        ),
        ..done_pool(&s)
    };
    let f = crate::testkit::facts(&r, &dm, &s, None);
    let kinds: Vec<_> = wirings(&f, &s, "docker", "thinpool")
        .iter()
        .map(|w| w.target)
        .collect();
    assert_eq!(kinds, ["docker-devicemapper"]);
    let s = settings(TargetKind::ContainerdDevmapper);
    let cd = Probe {
        containerd_config: Some(
            crate::containerd::merge_devmapper(None, &s.devmapper_want())
                .unwrap()
                .text,
        ),
        ..done_pool(&s)
    };
    let f = crate::testkit::facts(&r, &cd, &s, None);
    let kinds: Vec<_> = wirings(&f, &s, "docker", "thinpool")
        .iter()
        .map(|w| w.target)
        .collect();
    assert_eq!(kinds, ["containerd-devmapper"]);
    assert!(r.history().is_empty());
}

#[test]
fn overlay2_teardown_works_on_the_pool_named_not_the_configured_vg() {
    // Config says vg docker; teardown --pool ov/thinpool.
    let s = settings(TargetKind::DockerOverlay2);
    let mut pr = overlay_done(&s);
    for l in pr.lvm.lvs.iter_mut() {
        l.vg_name = "ov".into();
    }
    for v in pr.lvm.vgs.iter_mut() {
        v.name = "ov".into();
    }
    for p in pr.lvm.pvs.iter_mut() {
        p.vg_name = "ov".into();
    }
    let dev = "/dev/mapper/ov-docker--data";
    pr.fstab = crate::mounts::merge_fstab(None, dev, &s.data_root).unwrap();
    pr.data_root_mount.as_mut().unwrap().source = dev.into();
    let r = crate::engine::FakeRunner::new();
    let f = crate::testkit::facts(&r, &pr, &s, None);
    let mut p = Plan::default();
    docker_overlay2::DockerOverlay2
        .teardown(&mut p, &f, &s, "ov", "thinpool")
        .unwrap();
    let cmds: Vec<String> = p
        .steps
        .iter()
        .filter_map(|st| match &st.action {
            Some(Action::Run(c)) => Some(c.to_string()),
            Some(Action::Write { path, .. }) => Some(format!("write {}", path.display())),
            Some(Action::Remove { path, .. }) => Some(format!("rm {}", path.display())),
            _ => None,
        })
        .collect();
    assert_eq!(
        cmds,
        [
            "umount /var/lib/docker",
            "write /etc/fstab",
            "rm /etc/docker/daemon.json",
            "lvremove -y ov/docker-data"
        ]
    );
}
