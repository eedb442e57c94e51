//! `dmctl doctor --from` over the corpus in tests/fixtures/triage: real
//! outputs captured in the VM on each suite (tests/vm/scenarios/42-triage.sh,
//! where each verdict was checked against the host doctor) and hand-made
//! broken ones (broken/). Every input `X` has its verdict in `X.expected`:
//! `exit N`, then `CHECK SEVERITY` per finding, or `error TEXT` for exit 3.
//! The binary runs with an empty PATH: it needs no lvm2, no docker, no root.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/triage")
}

/// Every `X.expected` under `dir`, as (X, expected text).
fn cases(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if let Some(input) = name.strip_suffix(".expected") {
            let input = dir.join(input);
            assert!(
                input.exists(),
                "{}: no input {}",
                p.display(),
                input.display()
            );
            out.push((input, std::fs::read_to_string(&p).unwrap()));
        } else if p.is_dir() && !dir.join(format!("{name}.expected")).exists() {
            cases(&p, out);
        }
    }
}

fn from(input: &Path) -> (i32, String, String) {
    let empty = tempfile_dir();
    let o = Command::new(env!("CARGO_BIN_EXE_dmctl"))
        .args(["doctor", "--format", "json", "--from"])
        .arg(input)
        .env("PATH", &empty)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A directory with no programs in it, for PATH.
fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("dmctl-triage-empty-path-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn verdict(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut lines: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["check"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    format!("exit {}\n{}", v["exit_code"], lines.join("\n"))
}

#[test]
fn every_case_gives_its_expected_verdict() {
    let mut all = Vec::new();
    cases(&corpus(), &mut all);
    assert!(all.len() >= 16, "corpus too small: {}", all.len());
    let mut failures = Vec::new();
    for (input, expected) in &all {
        let (rc, out, err) = from(input);
        let want_exit: i32 = expected
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("exit "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{}.expected: no exit line", input.display()));
        assert_ne!(rc, 101, "{}: panic: {err}", input.display());
        if rc != want_exit {
            failures.push(format!(
                "{}: exit {rc}, expected {want_exit}: {err}",
                input.display()
            ));
            continue;
        }
        if rc == 3 {
            let want = expected
                .lines()
                .find_map(|l| l.strip_prefix("error "))
                .unwrap_or_else(|| panic!("{}.expected: no error line", input.display()));
            if !err.contains(want) || !err.contains(&*input.file_name().unwrap().to_string_lossy())
            {
                failures.push(format!(
                    "{}: error {err:?} lacks {want:?} or the file's name",
                    input.display()
                ));
            }
            assert_eq!(
                err.lines().count(),
                1,
                "{}: one line: {err}",
                input.display()
            );
            continue;
        }
        let got = verdict(&out);
        if got.trim() != expected.trim() {
            failures.push(format!(
                "{}:\n--- expected\n{}\n--- got\n{}",
                input.display(),
                expected.trim(),
                got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn stdin_is_an_input_too() {
    let input = corpus().join("broken/out-of-data-space-status.txt");
    let o = Command::new(env!("CARGO_BIN_EXE_dmctl"))
        .args(["doctor", "--from", "-"])
        .stdin(std::fs::File::open(&input).unwrap())
        .env("PATH", tempfile_dir())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(6));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("out of data space"), "{out}");
    assert!(
        out.contains("fix: lvextend -L +SIZE docker/thinpool"),
        "{out}"
    );
    assert!(out.contains("not run  pool.monitoring"), "{out}");
}

/// Issue 12: every suite's real lvm2 and thin-tools output goes through
/// the host's parsers, and the two agree on the pool's size.
#[test]
fn every_suites_real_output_parses() {
    let mut seen = 0;
    for suite in std::fs::read_dir(corpus()).unwrap() {
        let suite = suite.unwrap().path();
        if suite.file_name().unwrap() == "broken" || !suite.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&suite).unwrap() {
            let case = case.unwrap().path();
            // The fullreport dmctl itself runs (`doctor --collect`).
            let report = case.join("bundle/lvm-fullreport.json");
            let Ok(json) = std::fs::read_to_string(&report) else {
                continue;
            };
            let st = dmctl::lvm::LvmState::from_report(&json)
                .unwrap_or_else(|e| panic!("{}: {e:#}", report.display()));
            let pool = st
                .lv("docker", "thinpool")
                .unwrap_or_else(|| panic!("{}: no docker/thinpool", report.display()));
            assert!(pool.is_thin_pool(), "{}", report.display());
            let chunk = pool.chunk_size.expect("chunk size");
            let status = std::fs::read_to_string(case.join("dmsetup-status.txt")).unwrap();
            let line = dmctl::dm::pool_status_line(&status, "docker-thinpool")
                .unwrap_or_else(|| panic!("{}: no pool line", case.display()));
            match dmctl::dm::parse_pool_status(line).unwrap() {
                dmctl::dm::PoolStatus::Active(c) => {
                    assert_eq!(c.total_data_blocks * chunk, pool.size, "{}", case.display())
                }
                s => panic!("{}: {s:?}", case.display()),
            }
            let table = std::fs::read_to_string(case.join("dmsetup-table.txt")).unwrap();
            let tline = dmctl::dm::pool_status_line(&table, "docker-thinpool").unwrap();
            assert_eq!(dmctl::dm::pool_block_size(tline).unwrap(), chunk);
            seen += 1;
        }
    }
    assert!(
        seen >= 1,
        "no per-suite capture under {}",
        corpus().display()
    );
}
