//! CLI behaviour that needs no root and no device: usage errors, invalid
//! input, help text, `daemon-json --check`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;

fn dmctl() -> Command {
    let mut c = Command::cargo_bin("dmctl").unwrap();
    // Never read the host's real config in tests.
    c.env("DMCTL_CONFIG", "/dev/null");
    c
}

/// Every subcommand path, for the help checks.
const SUBCOMMANDS: &[&str] = &[
    "setup",
    "pvcreate",
    "vgcreate",
    "lvcreate",
    "lvconvert",
    "profile",
    "daemon-json",
    "containerd",
    "data-lv",
    "activate",
    "status",
    "doctor",
    "extend",
    "teardown",
];

#[test]
fn usage_errors_exit_2() {
    dmctl().assert().code(2);
    dmctl()
        .arg("setup")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("DEVICE"));
    dmctl()
        .args(["setup", "/dev/null", "--data-percent", "lots"])
        .assert()
        .code(2);
    dmctl()
        .args([
            "setup",
            "/dev/null",
            "--metadata-size",
            "1G",
            "--metadata-percent",
            "2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    dmctl()
        .args(["setup", "/dev/null", "--fs", "btrfs"])
        .assert()
        .code(2);
    dmctl().arg("frobnicate").assert().code(2);
}

#[test]
fn ops_usage_and_input_errors() {
    dmctl().arg("extend").assert().code(2);
    dmctl()
        .args(["extend", "--grow", "--data", "+1G"])
        .assert()
        .code(2);
    dmctl()
        .args(["extend", "--data", "+1G", "--data-percent", "5"])
        .assert()
        .code(2);
    dmctl()
        .args(["setup", "/dev/null", "--format", "prometheus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only for `dmctl status`"));
    dmctl()
        .args(["extend", "--data", "-5G"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("never shrinks"));
    dmctl()
        .args(["extend", "--metadata", "+12"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no unit"));
    dmctl()
        .args(["status", "--pool", "thinpool"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("expected VG/LV"));
}

#[test]
fn invalid_settings_are_refused_with_3_before_anything_runs() {
    dmctl()
        .args([
            "setup",
            "/dev/null",
            "--autoextend-threshold",
            "40",
            "--chunk-size",
            "100K",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "autoextend-threshold 40 must be 50..100",
        ))
        .stderr(predicate::str::contains("chunk-size 100 KiB"));
    dmctl()
        .args(["setup", "/dev/null", "--vg", "bad name"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("VG name \"bad name\""));
}

#[test]
fn bad_config_file_is_refused_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("dmctl.toml");
    std::fs::write(&cfg, "vg-name = \"x\"\n").unwrap();
    dmctl()
        .args(["setup", "/dev/null", "--config"])
        .arg(&cfg)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("vg-name"));
    // A file value that is invalid is overridden by a valid flag: the
    // settings are resolved by `daemon-json --check` (no FILE), which then
    // checks the file the settings name.
    std::fs::write(&cfg, "vg = \"bad name\"\n").unwrap();
    let dj = dir.path().join("daemon.json");
    std::fs::write(&dj, "{}\n").unwrap();
    let check = |extra: &[&str]| {
        let mut c = dmctl();
        c.args(["daemon-json", "--check", "--config"])
            .arg(&cfg)
            .arg("--daemon-json")
            .arg(&dj)
            .args(extra);
        c.assert()
    };
    check(&[])
        .code(3)
        .stderr(predicate::str::contains("bad name"));
    check(&["--vg", "docker"]).code(0);
    // Each subcommand offers only the options it uses.
    dmctl()
        .args(["pvcreate", "/dev/null", "--overlay2-size", "1G"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--overlay2-size"));
}

#[test]
fn daemon_json_check_validates_a_file() {
    let mut good = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        good,
        r#"{{"storage-driver": "devicemapper", "storage-opts": ["dm.thinpooldev=/dev/mapper/docker-thinpool", "dm.use_deferred_removal=true"]}}"#
    )
    .unwrap();
    dmctl()
        .args(["daemon-json", "--check"])
        .arg(good.path())
        .assert()
        .code(0);
    let mut bad = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        bad,
        r#"{{"storage-driver": "devicemapper", "storage-opts": ["dm.fs=btrfs", "dm.min_free_space=10"]}}"#
    )
    .unwrap();
    dmctl()
        .args(["daemon-json", "--format", "json", "--check"])
        .arg(bad.path())
        .assert()
        .code(3)
        .stdout(predicate::str::contains("\"valid\":false"))
        .stderr(predicate::str::contains("dm.fs"))
        .stderr(predicate::str::contains("dm.min_free_space"));
    let mut broken = tempfile::NamedTempFile::new().unwrap();
    writeln!(broken, "{{\"storage-driver\": ").unwrap();
    dmctl()
        .args(["daemon-json", "--check"])
        .arg(broken.path())
        .assert()
        .code(3);
}

fn help_of(args: &[&str]) -> String {
    let out = dmctl()
        .args(args)
        .arg("--help")
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_fits_80_columns_and_has_examples() {
    let top = help_of(&[]);
    assert!(top.contains("Exit status:"), "{top}");
    for line in top.lines() {
        assert!(
            line.chars().count() <= 80,
            "dmctl --help line too long: {line:?}"
        );
    }
    for sub in SUBCOMMANDS {
        let h = help_of(&[sub]);
        assert!(h.contains("Example:"), "{sub} --help has no example");
        for line in h.lines() {
            assert!(
                line.chars().count() <= 80,
                "{sub} --help line too long: {line:?}"
            );
        }
    }
}

#[test]
fn every_subcommand_is_in_the_help_test_list() {
    let top = help_of(&[]);
    let listed: Vec<&str> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .collect();
    for w in &listed {
        assert!(SUBCOMMANDS.contains(w), "{w} missing from SUBCOMMANDS");
    }
}

#[test]
fn quiet_prints_only_errors() {
    let mut good = tempfile::NamedTempFile::new().unwrap();
    writeln!(good, r#"{{"storage-driver": "devicemapper"}}"#).unwrap();
    dmctl()
        .args(["-q", "daemon-json", "--check"])
        .arg(good.path())
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    let mut bad = tempfile::NamedTempFile::new().unwrap();
    writeln!(bad, r#"{{"storage-opts": ["dm.fs=btrfs"]}}"#).unwrap();
    dmctl()
        .args(["-q", "daemon-json", "--check"])
        .arg(bad.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("dm.fs"));
}

/// Run dmctl ARGS on a pseudo-terminal (util-linux `script`), so that
/// anything that colours "only on a terminal" would. None when `script`
/// is not installed.
fn on_a_terminal(args: &str, no_color: bool) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("dmctl");
    let mut c = std::process::Command::new("script");
    c.args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .env("DMCTL_CONFIG", "/dev/null")
        .env("TERM", "xterm-256color")
        .env_remove("CLICOLOR_FORCE")
        .stdin(std::process::Stdio::null());
    if no_color {
        c.env("NO_COLOR", "1");
    } else {
        c.env_remove("NO_COLOR");
    }
    let out = c.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn no_color_is_honoured_on_a_terminal() {
    // clap styles usage errors and help on a terminal; NO_COLOR turns that
    // off. dmctl's own output (steps, spinner) never has colour.
    let Some(plain) = on_a_terminal("frobnicate", true) else {
        eprintln!("skipped: util-linux `script` not installed");
        return;
    };
    assert!(plain.contains("unrecognized subcommand"), "{plain:?}");
    assert!(
        !plain.contains('\x1b'),
        "escape sequence with NO_COLOR: {plain:?}"
    );
    let help = on_a_terminal("setup --help", true).unwrap();
    assert!(
        help.contains("Example:") && !help.contains('\x1b'),
        "{help:?}"
    );
    // Without NO_COLOR clap does style it: the check above is not vacuous.
    let styled = on_a_terminal("frobnicate", false).unwrap();
    assert!(styled.contains('\x1b'), "{styled:?}");
}

#[test]
fn target_usage_and_input_errors() {
    dmctl()
        .args(["setup", "/dev/null", "--target", "podman"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("containerd-devmapper"));
    dmctl()
        .args(["activate", "--wait", "soon"])
        .assert()
        .code(2);
    dmctl()
        .args([
            "setup",
            "/dev/null",
            "--target",
            "docker-overlay2",
            "--lv-size",
            "10M",
            "--data-root",
            "relative",
            "--base-image-size",
            "big",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("lv-size 10 MiB"))
        .stderr(predicate::str::contains("data-root relative"))
        .stderr(predicate::str::contains("base_image_size"));
}
