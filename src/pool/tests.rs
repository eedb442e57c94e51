//! The pool planners on real captured LVM states and on every partial
//! state of the classic recipe (through [`crate::testkit`]).

use super::*;
use crate::cli::PoolOpts;
use crate::config;
use crate::config::MAX_METADATA;
use crate::docker::daemon_json::{self, DmWant};
use crate::engine::FakeRunner;
use crate::engine::{apply, describe, Action, Plan};
use crate::error::{exit, exit_code};
use crate::exec::Output;
use crate::lvm::{Pv, Vg};
use crate::pool::sizing::{metadata_size, vg_geometry};
use crate::testkit::{plan, Probe, Scope};
use crate::ui::Ui;

const DEV: &str = "/dev/vdb";
const EXT: u64 = 4 << 20;
const GIB2: u64 = 2 << 30;

fn settings() -> Settings {
    config::resolve(&PoolOpts::default()).unwrap()
}

fn lv(name: &str, segtype: &str, attr: &str, extents: u64) -> Lv {
    Lv {
        name: name.into(),
        vg_name: "docker".into(),
        uuid: format!("uuid-{name}"),
        attr: attr.into(),
        size: extents * EXT,
        segtype: segtype.into(),
        pool_lv: String::new(),
        metadata_size: None,
        chunk_size: None,
        profile: String::new(),
        monitor: String::new(),
        active: attr.chars().nth(4) == Some('a'),
        data_percent: None,
        metadata_percent: None,
        zero: String::new(),
        when_full: String::new(),
        health: String::new(),
        devices: format!("{DEV}(0)"),
    }
}

fn pool_lv(profile: &str, monitor: &str) -> Lv {
    Lv {
        profile: profile.into(),
        monitor: monitor.into(),
        chunk_size: Some(512 << 10),
        metadata_size: Some(5 * EXT),
        ..lv("thinpool", "thin-pool", "twi-a-t---", 485)
    }
}

/// The LVM state after each step of the classic recipe on a 2 GiB disk.
pub(crate) fn state(stage: u8) -> LvmState {
    let mut st = LvmState::default();
    if stage == 0 {
        return st;
    }
    st.pvs.push(Pv {
        name: DEV.into(),
        vg_name: if stage >= 2 {
            "docker".into()
        } else {
            String::new()
        },
        size: GIB2 - EXT,
    });
    if stage >= 2 {
        st.vgs.push(Vg {
            name: "docker".into(),
            size: 511 * EXT,
            free: 0,
            extent_size: EXT,
            extent_count: 511,
            free_count: 0,
            pv_count: 1,
            lv_count: 0,
        });
    }
    match stage {
        3 => st.lvs.push(lv("thinpool", "linear", "-wi-a-----", 485)),
        4 => {
            st.lvs.push(lv("thinpool", "linear", "-wi-a-----", 485));
            st.lvs.push(lv("thinpoolmeta", "linear", "-wi-a-----", 5));
        }
        5 => st.lvs.push(pool_lv("", "monitored")),
        6 => st.lvs.push(pool_lv("docker-thinpool", "monitored")),
        _ => {}
    }
    st
}

fn probe(stage: u8) -> Probe {
    Probe {
        lvm: state(stage),
        device_size: GIB2,
        profile: (stage >= 6).then(|| profile::text(&settings())),
        daemon_json: (stage >= 6).then(current_daemon_json),
        ..Default::default()
    }
}

fn current_daemon_json() -> String {
    let s = settings();
    let want = DmWant {
        thinpooldev: s.thinpooldev(),
        basesize: None,
        fs: None,
    };
    daemon_json::merge_devicemapper(None, &want).unwrap().text
}

fn setup(p: &Probe) -> Result<Plan> {
    plan(Scope::Setup, p, &settings(), Some(Path::new(DEV)))
}

/// `name` of each step with work to do, and the program it runs.
/// The names of the steps with something to do, in order.
fn todo_names(p: &Plan) -> Vec<String> {
    todo(p)
        .iter()
        .map(|t| t.split(':').next().unwrap().to_string())
        .collect()
}

fn todo(p: &Plan) -> Vec<String> {
    p.steps
        .iter()
        .filter_map(|s| {
            let a = s.action.as_ref()?;
            Some(match a {
                Action::Run(c) => format!("{}:{}", s.name, c.program),
                Action::Write { path, .. } => format!("{}:{}", s.name, path.display()),
                Action::Ensure(_) => format!("{}:check", s.name),
                Action::Remove { path, .. } => format!("{}:rm {}", s.name, path.display()),
                Action::WaitFor { .. } => format!("{}:wait", s.name),
            })
        })
        .collect()
}

fn cmd_of(p: &Plan, name: &str) -> String {
    p.steps
        .iter()
        .find_map(|s| match &s.action {
            Some(Action::Run(c)) if s.name == name => Some(c.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no command for {name}"))
}

#[test]
fn fresh_disk_plans_the_short_recipe() {
    let p = setup(&probe(0)).unwrap();
    assert_eq!(
        todo(&p),
        [
            "profile-file:/etc/lvm/profile/docker-thinpool.profile",
            "vgcreate:vgcreate",
            "lvcreate:lvcreate",
            "monitor:check",
            "daemon-json:/etc/docker/daemon.json"
        ]
    );
    assert_eq!(cmd_of(&p, "vgcreate"), "vgcreate docker /dev/vdb");
    // 1% of 511 extents = 5 extents = 20 MiB, as the classic -l 1%VG.
    assert_eq!(
        cmd_of(&p, "lvcreate"),
        "lvcreate -y --type thin-pool -n thinpool -l 95%VG --poolmetadatasize 20971520b \
         --chunksize 512K --zero n --metadataprofile docker-thinpool docker"
    );
    // 95% data on one disk leaves 64 MiB: less than one 20% step.
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("less than one autoextend step (388 MiB)"));
    let roomy = config::resolve(&PoolOpts {
        data_percent: Some(60),
        ..Default::default()
    })
    .unwrap();
    let p = plan(Scope::Setup, &probe(0), &roomy, Some(Path::new(DEV))).unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let off = config::resolve(&PoolOpts {
        autoextend_threshold: Some(100),
        ..Default::default()
    })
    .unwrap();
    let p = plan(Scope::Setup, &probe(0), &off, Some(Path::new(DEV))).unwrap();
    assert!(!p.warnings.iter().any(|w| w.contains("autoextend step")));
}

#[test]
fn each_partial_state_gets_only_the_missing_steps() {
    let cases: [(u8, &[&str]); 6] = [
        (
            1,
            &[
                "profile-file",
                "vgcreate",
                "lvcreate",
                "monitor",
                "daemon-json",
            ],
        ),
        (2, &["profile-file", "lvcreate", "monitor", "daemon-json"]),
        (
            3,
            &[
                "profile-file",
                "lvcreate-metadata",
                "lvconvert",
                "profile-attach",
                "monitor",
                "daemon-json",
            ],
        ),
        (
            4,
            &[
                "profile-file",
                "lvconvert",
                "profile-attach",
                "monitor",
                "daemon-json",
            ],
        ),
        (5, &["profile-file", "profile-attach", "daemon-json"]),
        (6, &[]),
    ];
    for (stage, want) in cases {
        let p = setup(&probe(stage)).unwrap();
        let names: Vec<String> = todo_names(&p);
        assert_eq!(names, want, "stage {stage}");
        assert_eq!(p.changes(), !want.is_empty(), "stage {stage}");
    }
    let p = setup(&probe(3)).unwrap();
    assert_eq!(
        cmd_of(&p, "lvcreate-metadata"),
        "lvcreate -y --wipesignatures y -n thinpoolmeta docker -l 1%VG"
    );
    assert_eq!(
        cmd_of(&p, "lvconvert"),
        "lvconvert -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta"
    );
    assert_eq!(
        cmd_of(&p, "profile-attach"),
        "lvchange --metadataprofile docker-thinpool docker/thinpool"
    );
}

#[test]
fn profile_present_but_not_attached() {
    let mut pr = probe(5);
    pr.profile = Some(profile::text(&settings()));
    let p = setup(&pr).unwrap();
    assert_eq!(
        todo(&p),
        [
            "profile-attach:lvchange",
            "daemon-json:/etc/docker/daemon.json"
        ]
    );
}

#[test]
fn stale_profile_and_monitoring_off_and_inactive_pool() {
    let mut pr = probe(6);
    pr.profile = Some(
        "activation {\n thin_pool_autoextend_threshold=70\n thin_pool_autoextend_percent=20\n}\n"
            .into(),
    );
    pr.lvm.lvs[0].monitor = "not monitored".into();
    let p = setup(&pr).unwrap();
    assert_eq!(
        todo(&p),
        [
            "profile-file:/etc/lvm/profile/docker-thinpool.profile",
            "monitor:lvchange"
        ]
    );
    assert_eq!(
        cmd_of(&p, "monitor"),
        "lvchange --monitor y docker/thinpool"
    );
    let mut pr = probe(6);
    pr.lvm.lvs[0].active = false;
    pr.lvm.lvs[0].monitor = String::new();
    assert_eq!(
        todo(&setup(&pr).unwrap()),
        ["deactivate:lvchange", "activate:lvchange", "monitor:check"]
    );
}

#[test]
fn daemon_json_missing_or_pointing_elsewhere() {
    let mut pr = probe(6);
    pr.daemon_json = None;
    assert_eq!(
        todo(&setup(&pr).unwrap()),
        ["daemon-json:/etc/docker/daemon.json"]
    );
    pr.daemon_json = Some(
        r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/other-pool"]}"#.into(),
    );
    let e = setup(&pr).unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED);
    assert!(e.to_string().contains("other-pool"), "{e}");
    pr.daemon_json = Some("{ not json".into());
    assert_eq!(exit_code(&setup(&pr).unwrap_err()), exit::REFUSED);
}

fn refusal(pr: &Probe) -> String {
    let e = setup(pr).unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED, "{e}");
    e.to_string()
}

#[test]
fn states_that_are_not_ours_are_refused() {
    // VG exists with another PV and no pool.
    let mut pr = probe(2);
    pr.lvm.pvs.push(Pv {
        name: "/dev/vdc".into(),
        vg_name: "docker".into(),
        size: GIB2,
    });
    pr.lvm.vgs[0].pv_count = 2;
    assert!(refusal(&pr).contains("spans /dev/vdb, /dev/vdc"));
    // The pool's name is a thin volume, not a pool.
    let mut pr = probe(2);
    pr.lvm.lvs.push(lv("thinpool", "thin", "Vwi-a-tz--", 10));
    assert!(refusal(&pr).contains("is a thin LV"));
    // An open linear LV of our name: someone uses it.
    let mut pr = probe(3);
    pr.lvm.lvs[0].attr = "-wi-ao----".into();
    assert!(refusal(&pr).contains("open linear"));
    // The pool (its VG) is on another device.
    let mut pr = probe(6);
    pr.lvm.pvs[0].name = "/dev/vdc".into();
    assert!(refusal(&pr).contains("already exists on /dev/vdc"));
    // The disk is a PV of another VG.
    let mut pr = probe(1);
    pr.lvm.pvs[0].vg_name = "other".into();
    assert!(refusal(&pr).contains("PV of volume group other"));
    // Other LVs in our VG before the pool exists.
    let mut pr = probe(2);
    pr.lvm.lvs.push(lv("data", "linear", "-wi-a-----", 10));
    assert!(refusal(&pr).contains("holds other LVs (data)"));
    // Metadata LV without the data LV.
    let mut pr = probe(2);
    pr.lvm
        .lvs
        .push(lv("thinpoolmeta", "linear", "-wi-a-----", 5));
    assert!(refusal(&pr).contains("lvremove docker/thinpoolmeta"));
}

#[test]
fn extended_vg_with_pool_is_still_ours() {
    let mut pr = probe(6);
    pr.lvm.pvs.push(Pv {
        name: "/dev/vdc".into(),
        vg_name: "docker".into(),
        size: GIB2,
    });
    assert!(!setup(&pr).unwrap().changes());
}

#[test]
fn metadata_is_clamped_to_lvm_limits() {
    let s = settings();
    // 20 TB: 1% would be 200 GB; LVM's maximum applies.
    let ext = (20u64 * 1000 * 1000 * 1000 * 1000) / EXT;
    let (m, note) = metadata_size(&s, ext, EXT);
    assert_eq!(m, MAX_METADATA / EXT * EXT);
    assert!(note.unwrap().contains("maximum"));
    // 100 MiB: 1% is below 2 MiB.
    let (m, note) = metadata_size(&s, 24, EXT);
    assert_eq!(m, EXT);
    assert!(note.unwrap().contains("minimum"));
    // The classic recipe on a tiny disk falls back to an exact size.
    let mut pr = probe(3);
    pr.lvm.vgs[0].extent_count = 24;
    let p = setup(&pr).unwrap();
    assert!(cmd_of(&p, "lvcreate-metadata").ends_with("-L 4194304b"));
    assert!(p.warnings.iter().any(|w| w.contains("minimum")));
}

#[test]
fn too_small_a_disk_is_refused() {
    let mut pr = probe(0);
    pr.device_size = 8 << 20;
    assert!(refusal(&pr).contains("too small"));
}

#[test]
fn custom_names_with_dashes() {
    let s = config::resolve(&PoolOpts {
        vg: Some("docker-vg".into()),
        pool: Some("thin-pool".into()),
        ..Default::default()
    })
    .unwrap();
    let p = plan(Scope::Setup, &probe(0), &s, Some(Path::new(DEV))).unwrap();
    let dj = p
        .steps
        .iter()
        .find_map(|st| match &st.action {
            Some(Action::Write { path, content, .. }) if path.ends_with("daemon.json") => {
                Some(content.clone())
            }
            _ => None,
        })
        .unwrap();
    assert!(
        dj.contains("dm.thinpooldev=/dev/mapper/docker--vg-thin--pool"),
        "{dj}"
    );
    assert!(cmd_of(&p, "lvcreate").contains("--metadataprofile docker-vg-thin-pool docker-vg"));
}

#[test]
fn step_subcommands_run_the_classic_commands() {
    let s = settings();
    let dev = Some(Path::new(DEV));
    let p = plan(Scope::Pvcreate, &probe(0), &s, dev).unwrap();
    assert_eq!(cmd_of(&p, "pvcreate"), "pvcreate /dev/vdb");
    // Another disk already holding VG docker does not matter to pvcreate.
    let p = plan(Scope::Pvcreate, &probe(6), &s, Some(Path::new("/dev/vdc"))).unwrap();
    assert_eq!(cmd_of(&p, "pvcreate"), "pvcreate /dev/vdc");
    assert!(!plan(Scope::Pvcreate, &probe(1), &s, dev).unwrap().changes());
    let p = plan(Scope::Vgcreate, &probe(1), &s, dev).unwrap();
    assert_eq!(cmd_of(&p, "vgcreate"), "vgcreate docker /dev/vdb");
    assert!(refusal_of(plan(Scope::Vgcreate, &probe(0), &s, dev)).contains("dmctl pvcreate"));
    let p = plan(Scope::Lvcreate, &probe(2), &s, None).unwrap();
    assert_eq!(
        cmd_of(&p, "lvcreate-data"),
        "lvcreate -y --wipesignatures y -n thinpool docker -l 95%VG"
    );
    assert!(p
        .steps
        .iter()
        .any(|s| s.name == "lvcreate-metadata" && s.action.is_some()));
    assert!(!plan(Scope::Lvcreate, &probe(4), &s, None)
        .unwrap()
        .changes());
    assert!(plan(Scope::Lvconvert, &probe(4), &s, None)
        .unwrap()
        .changes());
    assert!(!plan(Scope::Lvconvert, &probe(5), &s, None)
        .unwrap()
        .changes());
    assert!(refusal_of(plan(Scope::Lvconvert, &probe(2), &s, None)).contains("earlier steps"));
    let p = plan(Scope::Profile, &probe(5), &s, None).unwrap();
    assert_eq!(
        todo(&p),
        [
            "profile-file:/etc/lvm/profile/docker-thinpool.profile",
            "profile-attach:lvchange"
        ]
    );
    assert!(!plan(Scope::Profile, &probe(6), &s, None).unwrap().changes());
    assert!(!plan(Scope::DaemonJson, &probe(6), &s, None)
        .unwrap()
        .changes());
}

fn refusal_of(r: Result<Plan>) -> String {
    let e = r.unwrap_err();
    assert_eq!(exit_code(&e), exit::REFUSED, "{e}");
    e.to_string()
}

#[test]
fn profile_parse_roundtrip() {
    let s = settings();
    assert_eq!(profile::parse(&profile::text(&s)), (Some(80), Some(20)));
    assert_eq!(
        profile::parse("activation { thin_pool_autoextend_threshold=70 # x=1\n}"),
        (Some(70), None)
    );
    assert_eq!(
        profile::parse(
            "activation { thin_pool_autoextend_threshold=80  thin_pool_autoextend_percent = 20 }"
        ),
        (Some(80), Some(20))
    );
    assert_eq!(
        profile::parse("# thin_pool_autoextend_percent=5\n"),
        (None, None)
    );
}

#[test]
fn apply_runs_commands_in_order_and_writes_files() {
    let dir = tempfile::tempdir().unwrap();
    let s = config::resolve(&PoolOpts {
        profile_dir: Some(dir.path().join("profile")),
        daemon_json: Some(dir.path().join("docker/daemon.json")),
        ..Default::default()
    })
    .unwrap();
    let p = plan(Scope::Setup, &probe(0), &s, Some(Path::new(DEV))).unwrap();
    let f = FakeRunner::new();
    f.on(&["vgcreate"], Output::ok(""));
    f.on(&["lvcreate"], Output::ok(""));
    f.on(&["lvs"], Output::ok(&lvs_json("not monitored")));
    f.on(&["lvchange", "--monitor", "y"], Output::ok(""));
    let applied = apply(&p, &f, &Ui::silent(), false).unwrap();
    let (reports, warnings) = (applied.steps, applied.warnings);
    assert_eq!(
        f.programs(),
        ["vgcreate", "lvcreate", "lvs", "lvchange", "lvs"]
    );
    assert!(warnings[0].contains("still not monitored"), "{warnings:?}");
    assert!(reports.iter().all(|r| r.action == "done"), "{reports:?}");
    let profile = std::fs::read_to_string(s.profile_path()).unwrap();
    assert!(profile.contains("thin_pool_autoextend_threshold=80"));
    let dj = std::fs::read_to_string(&s.daemon_json).unwrap();
    assert!(dj.contains("dm.use_deferred_deletion=true"));
}

#[test]
fn apply_stops_at_the_first_failure_with_the_command_line() {
    let p = setup(&probe(0)).unwrap();
    let f = FakeRunner::new();
    f.on(
        &["vgcreate"],
        Output::failed(5, "  Device /dev/vdb excluded by a filter.\n"),
    );
    let dir = tempfile::tempdir().unwrap();
    // Redirect the file writes away from /etc.
    let mut p = p;
    for st in &mut p.steps {
        if let Some(Action::Write { path, .. }) = &mut st.action {
            *path = dir.path().join(path.file_name().unwrap());
        }
    }
    let e = apply(&p, &f, &Ui::silent(), false).unwrap_err();
    let msg = format!("{e:#}");
    assert!(
        msg.contains("`vgcreate docker /dev/vdb` failed with exit status 5"),
        "{msg}"
    );
    assert!(msg.contains("excluded by a filter"), "{msg}");
    assert!(msg.contains("re-run"), "{msg}");
    assert_eq!(f.programs(), ["vgcreate"]);
}

#[test]
fn dry_run_describes_commands_and_diffs() {
    let mut pr = probe(6);
    pr.daemon_json = Some("{\n  \"debug\": true\n}\n".into());
    let p = setup(&pr).unwrap();
    let d = describe(&p);
    assert!(d.contains("--- /etc/docker/daemon.json"), "{d}");
    assert!(
        d.contains("+  \"storage-driver\": \"devicemapper\","),
        "{d}"
    );
    assert!(d.contains("# vgcreate: already done"), "{d}");
    let d0 = describe(&setup(&probe(0)).unwrap());
    assert!(
        d0.contains("# new file /etc/lvm/profile/docker-thinpool.profile:"),
        "{d0}"
    );
    assert!(d0.contains("lvchange --monitor y docker/thinpool"), "{d0}");
}

macro_rules! real {
    ($state:literal) => {
        include_str!(concat!(
            "../../tests/fixtures/vm/",
            $state,
            "--fullreport-selected.out"
        ))
    };
}

/// Plans from LVM states captured on the real kernel (tests/fixtures/vm).
#[test]
fn real_states_plan_as_expected() {
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            "blank",
            real!("blank"),
            &[
                "profile-file",
                "vgcreate",
                "lvcreate",
                "monitor",
                "daemon-json",
            ],
        ),
        (
            "pv-only",
            real!("pv-only"),
            &[
                "profile-file",
                "vgcreate",
                "lvcreate",
                "monitor",
                "daemon-json",
            ],
        ),
        (
            "vg-only",
            real!("vg-only"),
            &["profile-file", "lvcreate", "monitor", "daemon-json"],
        ),
        (
            "data-lv-only",
            real!("data-lv-only"),
            &[
                "profile-file",
                "lvcreate-metadata",
                "lvconvert",
                "profile-attach",
                "monitor",
                "daemon-json",
            ],
        ),
        (
            "unconverted",
            real!("lvs-unconverted"),
            &[
                "profile-file",
                "lvconvert",
                "profile-attach",
                "monitor",
                "daemon-json",
            ],
        ),
        (
            "pool",
            real!("pool"),
            &["profile-file", "profile-attach", "daemon-json"],
        ),
        (
            "pool-profile",
            real!("pool-profile"),
            &["profile-file", "daemon-json"],
        ),
        (
            "pool-inactive",
            real!("pool-inactive"),
            &[
                "profile-file",
                "deactivate",
                "activate",
                "monitor",
                "daemon-json",
            ],
        ),
    ];
    for (name, json, want) in cases {
        let lvm = LvmState::from_report(json).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let pr = Probe {
            lvm,
            device_size: GIB2,
            ..Default::default()
        };
        let p = setup(&pr).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        let names: Vec<String> = todo_names(&p);
        assert_eq!(names, want, "{name}");
    }
    // A pool holding a thin LV (docker's or overlay2's) is still ours.
    let lvm = LvmState::from_report(real!("pool-thin-lv")).unwrap();
    assert_eq!(lvm.thin_volumes("docker", "thinpool").count(), 1);
    let pr = Probe {
        lvm,
        device_size: GIB2,
        ..probe(6)
    };
    assert!(!setup(&pr).unwrap().changes());
    // The other VG's disk is refused; ours is fine.
    let lvm = LvmState::from_report(real!("other-vg")).unwrap();
    let pr = Probe {
        lvm,
        device_size: GIB2,
        ..probe(6)
    };
    let e = plan(Scope::Setup, &pr, &settings(), Some(Path::new("/dev/vdc"))).unwrap_err();
    assert!(e.to_string().contains("PV of volume group other"), "{e}");
    assert!(!setup(&pr).unwrap().changes());
}

#[test]
fn real_pool_fields() {
    let lvm = LvmState::from_report(real!("pool-profile")).unwrap();
    let vg = lvm.vg("docker").unwrap();
    assert_eq!(
        (vg.extent_count, vg.extent_size, vg.free_count),
        (511, EXT, 16)
    );
    let lv = lvm.lv("docker", "thinpool").unwrap();
    assert!(lv.is_thin_pool() && lv.active && lv.is_monitored() && !lv.zeroing());
    assert_eq!(lv.size, 2034237440);
    assert_eq!(lv.metadata_size, Some(20971520));
    assert_eq!(lv.chunk_size, Some(512 << 10));
    assert_eq!(lv.profile, "docker-thinpool");
    assert_eq!(lv.when_full, "queue");
    assert_eq!(lv.data_percent, Some(0.0));
    // The metadata size dmctl computes for the short recipe equals what
    // the classic `-l 1%VG` gave on the same disk.
    let (m, note) = metadata_size(&settings(), vg.extent_count, vg.extent_size);
    assert_eq!((m, note), (20971520, None));
    let (ext, _) = vg_geometry(&LvmState::default(), &settings(), GIB2);
    assert_eq!(
        ext, vg.extent_count,
        "predicted VG size of a blank 2 GiB disk"
    );
    let inactive = LvmState::from_report(real!("pool-inactive")).unwrap();
    let lv = inactive.lv("docker", "thinpool").unwrap();
    assert!(!lv.active && !lv.is_monitored());
    let orphan = LvmState::from_report(real!("pv-only")).unwrap();
    assert_eq!(orphan.pv_on(Path::new("/dev/vdb")).unwrap().vg_name, "");
}

fn lvs_json(monitor: &str) -> String {
    format!(
        r#"{{"report":[{{"lv":[{{"lv_uuid":"u","lv_name":"thinpool","vg_name":"docker","lv_attr":"twi-a-t---","lv_size":"2034237440","pool_lv":"","lv_metadata_size":"20971520","lv_profile":"docker-thinpool","lv_active":"active","data_percent":"0.00","metadata_percent":"10.18","lv_when_full":"","lv_health_status":"","segtype":"thin-pool","chunk_size":"524288","seg_monitor":"{monitor}","zero":"","devices":"thinpool_tdata(0)"}}]}}]}}"#
    )
}

macro_rules! killpoint {
    ($state:literal) => {
        include_str!(concat!(
            "../../tests/fixtures/vm/killpoint-",
            $state,
            ".json"
        ))
    };
}

fn killpoint_probe(json: &str) -> Probe {
    Probe {
        lvm: LvmState::from_report(json).unwrap(),
        device_size: GIB2,
        ..Default::default()
    }
}

/// Partial states left by SIGKILL of dmctl and `lvcreate --type
/// thin-pool` (scenario 15-killpoints): each is removed and rebuilt.
#[test]
fn killed_pool_builds_are_removed_and_rebuilt() {
    // Killed early: only LVM's temporary metadata LV `lvol0`.
    let p = setup(&killpoint_probe(killpoint!("lvol0"))).unwrap();
    assert_eq!(cmd_of(&p, "remove-leftovers"), "lvremove -y docker/lvol0");
    assert!(cmd_of(&p, "lvcreate").contains("--type thin-pool"));
    // Killed later: a 20 MiB `thinpool` (linear) and the spare metadata
    // LV; the 20 MiB LV must not become the pool's data (the "8 MiB pool
    // reported done" bug).
    let p = setup(&killpoint_probe(killpoint!("data-cut"))).unwrap();
    assert_eq!(
        cmd_of(&p, "remove-leftovers"),
        "lvremove -y docker/thinpool"
    );
    let names: Vec<String> = todo_names(&p);
    assert_eq!(
        names,
        [
            "profile-file",
            "remove-leftovers",
            "lvcreate",
            "monitor",
            "daemon-json"
        ]
    );
    // Dry-run lists the removal.
    assert!(describe(&p).contains("lvremove -y docker/thinpool"));
    // Killed at the monitor step: the pool is whole; nothing is removed.
    let p = setup(&killpoint_probe(killpoint!("step-monitor"))).unwrap();
    assert!(!todo(&p).iter().any(|t| t.starts_with("remove-leftovers")));
}

/// A converted pool smaller than a run makes: rebuilt when the kernel says
/// it holds nothing, refused with the commands otherwise.
#[test]
fn undersized_pool_is_rebuilt_only_when_empty() {
    let mut st = state(6);
    st.lvs[0].size = 2 * EXT;
    st.lvs
        .push(lv("[lvol0_pmspare]", "linear", "ewi-------", 5));
    let empty = "docker-thinpool: 0 16384 thin-pool 0 10/5120 0/16 - rw no_discard_passdown queue_if_no_space - 1024\n";
    let pr = Probe {
        lvm: st.clone(),
        dm_status: Some(empty.into()),
        ..probe(6)
    };
    let p = setup(&pr).unwrap();
    assert_eq!(
        cmd_of(&p, "remove-leftovers"),
        "lvremove -y docker/thinpool"
    );
    assert!(cmd_of(&p, "lvcreate").contains("-l 95%VG"));
    let used = empty.replace(" 0 10/5120 0/16 ", " 1 10/5120 3/16 ");
    let pr = Probe {
        lvm: st,
        dm_status: Some(used),
        ..probe(6)
    };
    let e = refusal_of(setup(&pr));
    assert!(e.contains("transaction id 1, 3 data blocks used"), "{e}");
    assert!(e.contains("lvextend -L 2034237440B docker/thinpool"), "{e}");
    // The right size is left alone, with no kernel status asked.
    assert!(!setup(&probe(6)).unwrap().changes());
}

/// Killed after LVM activated the new pool's _tmeta/_tdata but before the
/// pool: LVM refuses `lvchange -ay` until they are deactivated.
#[test]
fn killed_before_pool_activation_deactivates_then_activates() {
    let p = setup(&killpoint_probe(killpoint!("pool-parts-active"))).unwrap();
    let names: Vec<String> = todo_names(&p);
    assert_eq!(
        names,
        [
            "profile-file",
            "deactivate",
            "activate",
            "monitor",
            "daemon-json"
        ]
    );
    assert_eq!(cmd_of(&p, "deactivate"), "lvchange -an docker/thinpool");
}

/// `dmctl lvconvert` killed part-way leaves the spare metadata LV under
/// LVM's temporary name `lvol0` beside the whole pool: removed. An `lvol0`
/// of another size is a user's own LV: refused, never removed.
#[test]
fn killed_lvconvert_spare_is_removed_but_a_users_lvol0_is_not() {
    let pr = killpoint_probe(killpoint!("lvconvert-spare"));
    let p = setup(&pr).unwrap();
    assert_eq!(cmd_of(&p, "remove-leftovers"), "lvremove -y docker/lvol0");
    // Killed right after LVM made lvol0 in an otherwise empty VG.
    let mut pr = killpoint_probe(killpoint!("lvol0"));
    pr.lvm.lvs[0].size *= 2;
    let e = refusal_of(setup(&pr));
    assert!(e.contains("holds other LVs (lvol0)"), "{e}");
    let mut pr = killpoint_probe(killpoint!("lvol0"));
    pr.lvm.lvs[0].attr = "-wi-ao----".into();
    assert!(refusal_of(setup(&pr)).contains("holds other LVs (lvol0)"));
}
