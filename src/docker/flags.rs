//! Detection of storage flags given to dockerd outside `daemon.json`.
//!
//! dockerd refuses to start when a directive is set both as a flag and in the
//! configuration file (moby `daemon/config/config.go`, `findConfigurationConflicts`:
//! "the following directives are specified both as a flag and in the configuration
//! file"). The storage flags are registered in `cmd/dockerd/config.go`:
//! `--storage-driver` / `-s` and `--storage-opt` (the flag form of `storage-opts`).
//!
//! systemd semantics modelled here:
//! * only the highest-priority `docker.service` counts (`/etc` over `/run` over
//!   `/usr/lib` over `/lib`); `multi-user.target.wants/docker.service` is only an
//!   enablement symlink to one of those, so it is not read;
//! * drop-ins `docker.service.d/*.conf` from all of those directories apply, a file name
//!   in a higher-priority directory hiding the same name in a lower one, in file-name order;
//! * `ExecStart=` (empty) resets earlier `ExecStart=` lines, and `Environment=` (empty)
//!   resets earlier `Environment=` assignments; only the `[Service]` section is read;
//! * a trailing backslash continues a line; comment lines (`#`, `;`) are skipped.
//!
//! The environment files (`/etc/sysconfig/docker`, `/etc/sysconfig/docker-storage`,
//! `/etc/default/docker`) are read whenever present, since units commonly load them with
//! `EnvironmentFile=` and expand `$DOCKER_OPTS` / `$OPTIONS` / `$DOCKER_STORAGE_OPTIONS`.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A storage option given as a dockerd flag or env var outside daemon.json, which makes dockerd refuse to start ("the following directives are specified both as a flag and in the configuration file").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagConflict {
    /// The file the flag was found in (under the scanned root).
    pub file: PathBuf,
    /// 1-based line number; for a continued line, the line it starts on.
    pub line: usize,
    /// The trimmed line (continuations joined with a space).
    pub text: String,
    /// "--storage-driver", "-s" or "--storage-opt".
    pub flag: String,
}

/// Everything [`scan_storage_flags`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlagScan {
    /// Storage flags found, in scan order.
    pub conflicts: Vec<FlagConflict>,
    /// Files or directories that exist but could not be read, one line each.
    pub errors: Vec<String>,
}

/// systemd unit directories, highest priority first.
const UNIT_DIRS: &[&str] = &[
    "etc/systemd/system",
    "run/systemd/system",
    "usr/lib/systemd/system",
    "lib/systemd/system",
];

/// Environment files read by the distributions' docker units.
const ENV_FILES: &[&str] = &[
    "etc/sysconfig/docker",
    "etc/sysconfig/docker-storage",
    "etc/default/docker",
];

/// Variables that distributions' units expand into dockerd's command line.
const ENV_VARS: &[&str] = &["DOCKER_OPTS", "OPTIONS", "DOCKER_STORAGE_OPTIONS"];

/// Scan, under `root` (normally "/", tests pass a temp dir), these files if present: {etc,lib,usr/lib,run}/systemd/system/docker.service, the same dirs' docker.service.d/*.conf drop-ins (and etc/systemd/system/multi-user.target.wants/docker.service if a symlink is easier to ignore — decide), etc/sysconfig/docker, etc/sysconfig/docker-storage, etc/default/docker. Detect, on ExecStart= lines (handle line continuations with trailing backslash, and the "ExecStart=" reset line) and in env-file assignments (DOCKER_OPTS=, OPTIONS=, DOCKER_STORAGE_OPTIONS=, ignore comment lines): `--storage-driver`, `--storage-driver=`, `-s X` / `-s=X`/`-sX` (short form, careful not to match other short flags), `--storage-opt`. Files that don't exist are skipped; unreadable ones reported as an error string.
///
/// Read errors are dropped here; use [`scan_storage_flags`] to get them.
pub fn find_storage_flags(root: &Path) -> Vec<FlagConflict> {
    scan_storage_flags(root).conflicts
}

/// Storage options given as dockerd flags, as refusals: with storage
/// settings in daemon.json as well, dockerd will not start.
pub fn storage_flag_problems(root: &Path) -> Vec<crate::device::Problem> {
    find_storage_flags(root)
        .into_iter()
        .map(|c| crate::device::Problem {
            problem: format!(
                "{}:{} passes {} to dockerd ({}); with daemon.json storage settings dockerd will not start",
                c.file.display(),
                c.line,
                c.flag,
                c.text
            ),
            fix: "remove the flag from that line (keep storage settings in daemon.json only), \
                  then `systemctl daemon-reload`"
                .into(),
            forceable: false,
        })
        .collect()
}

/// Like [`find_storage_flags`], also returning the files that could not be read.
pub fn scan_storage_flags(root: &Path) -> FlagScan {
    let mut scan = FlagScan::default();

    // Unit file + drop-ins, in systemd's order.
    let mut unit_files: Vec<PathBuf> = Vec::new();
    for dir in UNIT_DIRS {
        let p = root.join(dir).join("docker.service");
        match fs::symlink_metadata(&p) {
            Ok(_) => {
                unit_files.push(p);
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                scan.errors.push(format!("{}: {e}", p.display()));
                break;
            }
        }
    }
    let mut dropins: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in UNIT_DIRS {
        let d = root.join(dir).join("docker.service.d");
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                scan.errors.push(format!("{}: {e}", d.display()));
                continue;
            }
        };
        for entry in entries {
            match entry {
                Ok(entry) => {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name.ends_with(".conf") {
                        dropins.entry(name).or_insert_with(|| entry.path());
                    }
                }
                Err(e) => scan.errors.push(format!("{}: {e}", d.display())),
            }
        }
    }
    unit_files.extend(dropins.into_values());

    let mut unit = UnitState::default();
    for path in &unit_files {
        if let Some(text) = read(path, &mut scan.errors) {
            unit.feed(path, &text);
        }
    }
    scan.conflicts.extend(unit.exec_start);
    scan.conflicts.extend(unit.env.into_values().flatten());

    for f in ENV_FILES {
        let path = root.join(f);
        if let Some(text) = read(&path, &mut scan.errors) {
            scan.conflicts.extend(scan_env_file(&path, &text));
        }
    }
    scan
}

fn read(path: &Path, errors: &mut Vec<String>) -> Option<String> {
    match fs::read(path) {
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            errors.push(format!("{}: cannot read: {e}", path.display()));
            None
        }
    }
}

/// Logical lines: (1-based start line, joined trimmed text), skipping blank and comment
/// lines. `comment` lists the comment characters.
fn logical_lines(text: &str, comment: &[char]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let is_comment = line.starts_with(comment);
        if cur.is_none() && (line.is_empty() || is_comment) {
            continue;
        }
        if cur.is_some() && is_comment {
            continue; // systemd ignores comment lines inside a continuation
        }
        let (body, continues) = match line.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (line, false),
        };
        match &mut cur {
            Some((_, acc)) => {
                if !body.is_empty() {
                    if !acc.is_empty() {
                        acc.push(' ');
                    }
                    acc.push_str(body);
                }
            }
            None => cur = Some((i + 1, body.to_string())),
        }
        if !continues {
            out.extend(cur.take());
        }
    }
    out.extend(cur.take());
    out
}

/// Splits like a shell / systemd command line: whitespace-separated words, with
/// double and single quotes (and backslash escapes outside single quotes).
fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        words.push(read_word(&mut chars));
    }
    words
}

/// Reads one shell word, stopping at unquoted whitespace.
fn read_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut w = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            break;
        }
        chars.next();
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        _ => w.push(c),
                    }
                }
            }
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    w.push(c);
                }
            }
            '\\' => w.extend(chars.next()),
            _ => w.push(c),
        }
    }
    w
}

/// dockerd shorthand flags without a value (`-D` debug, `-v` version, `-h` help).
const SHORT_BOOL: &[char] = &['D', 'v', 'h'];
/// dockerd shorthand flags that take a value (`-H` host, `-G` group, `-l` log-level,
/// `-p` pidfile, `-b` bridge, `-g` graph, `-e` exec-driver in old releases).
const SHORT_VALUE: &[char] = &['H', 'G', 'l', 'p', 'b', 'g', 'e'];

/// The storage flags among dockerd arguments, in order. Follows pflag's rules for
/// shorthand clusters (`-Ds overlay2`), so `-H` values like `-Hs` are not mistaken for `-s`.
fn storage_flags(args: &[String]) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, has_value) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            let flag = match name {
                "storage-driver" => Some("--storage-driver"),
                "storage-opt" => Some("--storage-opt"),
                _ => None,
            };
            if let Some(f) = flag {
                out.push(f);
                if !has_value {
                    i += 1; // the value
                }
            }
        } else if let Some(short) = a.strip_prefix('-') {
            let n = short.chars().count();
            for (j, c) in short.chars().enumerate() {
                let last = j + 1 == n;
                if c == 's' {
                    out.push("-s");
                    if last {
                        i += 1;
                    }
                    break;
                } else if SHORT_VALUE.contains(&c) {
                    if last {
                        i += 1;
                    }
                    break;
                } else if !SHORT_BOOL.contains(&c) {
                    break;
                }
            }
        }
        i += 1;
    }
    out
}

fn conflicts_for(path: &Path, line: usize, text: &str, args: &[String]) -> Vec<FlagConflict> {
    storage_flags(args)
        .into_iter()
        .map(|flag| FlagConflict {
            file: path.to_path_buf(),
            line,
            text: text.to_string(),
            flag: flag.to_string(),
        })
        .collect()
}

/// The effective `ExecStart=` and `Environment=` state across unit file and drop-ins.
#[derive(Default)]
struct UnitState {
    exec_start: Vec<FlagConflict>,
    /// variable → conflicts of its current assignment
    env: BTreeMap<String, Vec<FlagConflict>>,
}

impl UnitState {
    fn feed(&mut self, path: &Path, text: &str) {
        let mut in_service = false;
        for (line, l) in logical_lines(text, &['#', ';']) {
            if l.starts_with('[') {
                in_service = l == "[Service]";
                continue;
            }
            if !in_service {
                continue;
            }
            let Some((key, value)) = l.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "ExecStart" => {
                    if value.is_empty() {
                        self.exec_start.clear();
                        continue;
                    }
                    let words = split_words(value);
                    // words[0] is the program (possibly with @-:+! prefixes)
                    let args = words.get(1..).unwrap_or(&[]);
                    self.exec_start.extend(conflicts_for(path, line, &l, args));
                }
                "Environment" => {
                    if value.is_empty() {
                        self.env.clear();
                        continue;
                    }
                    for assignment in split_words(value) {
                        if let Some((var, val)) = assignment.split_once('=') {
                            if ENV_VARS.contains(&var) {
                                let c = conflicts_for(path, line, &l, &split_words(val));
                                self.env.insert(var.to_string(), c);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Shell-style env file (`VAR=value`, optional `export`, quotes, `#` comments); the last
/// assignment of a variable wins.
fn scan_env_file(path: &Path, text: &str) -> Vec<FlagConflict> {
    let mut vars: BTreeMap<String, Vec<FlagConflict>> = BTreeMap::new();
    for (line, l) in logical_lines(text, &['#']) {
        let stmt = l.strip_prefix("export ").map(str::trim_start).unwrap_or(&l);
        let Some((var, rest)) = stmt.split_once('=') else {
            continue;
        };
        if !ENV_VARS.contains(&var) {
            continue;
        }
        let value = read_word(&mut rest.chars().peekable());
        vars.insert(
            var.to_string(),
            conflicts_for(path, line, &l, &split_words(&value)),
        );
    }
    let mut out: Vec<FlagConflict> = vars.into_values().flatten().collect();
    out.sort_by_key(|c| c.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A unique temporary directory, removed on drop.
    struct TempRoot(PathBuf);

    impl TempRoot {
        fn new() -> TempRoot {
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "dmctl-flags-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            TempRoot(p)
        }

        fn write(&self, rel: &str, text: &str) -> PathBuf {
            let p = self.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, text).unwrap();
            p
        }
    }

    impl Drop for TempRoot {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    const DEBIAN_UNIT: &str = include_str!("testdata/debian_docker.service");
    const DEBIAN_DEFAULT: &str = include_str!("testdata/debian_default_docker");

    fn args(s: &str) -> Vec<&'static str> {
        storage_flags(&split_words(s))
    }

    fn flags(c: &[FlagConflict]) -> Vec<&str> {
        c.iter().map(|c| c.flag.as_str()).collect()
    }

    #[test]
    fn arg_forms() {
        assert_eq!(args("--storage-driver devicemapper"), ["--storage-driver"]);
        assert_eq!(args("--storage-driver=overlay2"), ["--storage-driver"]);
        assert_eq!(args("-s devicemapper"), ["-s"]);
        assert_eq!(args("-s=devicemapper"), ["-s"]);
        assert_eq!(args("-sdevicemapper"), ["-s"]);
        assert_eq!(args("-Ds overlay2"), ["-s"]);
        assert_eq!(args("--storage-opt dm.fs=xfs"), ["--storage-opt"]);
        assert_eq!(args("--storage-opt=dm.fs=xfs"), ["--storage-opt"]);
        assert_eq!(
            args("--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt=dm.basesize=20G"),
            ["--storage-driver", "--storage-opt", "--storage-opt"]
        );
    }

    #[test]
    fn other_flags_are_not_storage_flags() {
        for a in [
            "-H fd:// --containerd=/run/containerd/containerd.sock",
            "-H tcp://0.0.0.0:2375 -Hs", // -H with value "s"
            "-H -s",                     // "-s" is -H's value
            "-G docker -l debug -p /run/docker.pid",
            "--storage-drivers=x --storage-optx",
            "--selinux-enabled --log-driver=journald --signature-verification=false",
            "-D --debug",
            "-x -s", // unknown shorthand: no match, but -s itself is a flag
            "-- -s overlay2",
            "$DOCKER_OPTS $DOCKER_STORAGE_OPTIONS",
            "--data-root=/srv/-s",
        ] {
            let got = args(a);
            if a == "-x -s" {
                assert_eq!(got, ["-s"]);
            } else {
                assert!(got.is_empty(), "{a}: {got:?}");
            }
        }
        // the value of --storage-opt is skipped even when it looks like a flag
        assert_eq!(args("--storage-opt -s"), ["--storage-opt"]);
    }

    #[test]
    fn quoting_and_continuations() {
        assert_eq!(
            split_words(r#"a "b c" 'd e' f\ g "h\"i""#),
            ["a", "b c", "d e", "f g", "h\"i"]
        );
        let l = logical_lines("# c\nA=1 \\\n  # inner comment\n  B=2\n\nC=3\\", &['#']);
        assert_eq!(l, [(2, "A=1 B=2".to_string()), (6, "C=3".to_string())]);
    }

    #[test]
    fn debian_docker_io_unit_is_not_a_conflict() {
        let t = TempRoot::new();
        t.write("lib/systemd/system/docker.service", DEBIAN_UNIT);
        t.write("etc/default/docker", DEBIAN_DEFAULT);
        // enablement symlink target content is never read from the .wants dir
        t.write(
            "etc/systemd/system/multi-user.target.wants/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -s overlay2\n",
        );
        let s = scan_storage_flags(&t.0);
        assert_eq!(s, FlagScan::default());
        // sanity: the fixture really contains the ExecStart line and a "-s" in ExecReload
        assert!(DEBIAN_UNIT.contains(
            "ExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS --containerd=/run/containerd/containerd.sock"
        ));
        assert!(DEBIAN_UNIT.contains("ExecReload=/bin/kill -s HUP $MAINPID"));
    }

    #[test]
    fn conflicting_dropin_with_reset() {
        let t = TempRoot::new();
        t.write("lib/systemd/system/docker.service", DEBIAN_UNIT);
        let p = t.write(
            "etc/systemd/system/docker.service.d/override.conf",
            "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// \\\n    --storage-driver=devicemapper \\\n    --storage-opt dm.thinpooldev=/dev/mapper/docker-thinpool\n",
        );
        let c = find_storage_flags(&t.0);
        assert_eq!(flags(&c), ["--storage-driver", "--storage-opt"]);
        assert_eq!(c[0].file, p);
        assert_eq!(c[0].line, 3);
        assert_eq!(
            c[0].text,
            "ExecStart=/usr/bin/dockerd -H fd:// --storage-driver=devicemapper --storage-opt dm.thinpooldev=/dev/mapper/docker-thinpool"
        );
    }

    #[test]
    fn reset_in_later_dropin_clears_earlier_exec_start() {
        let t = TempRoot::new();
        t.write(
            "usr/lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -s devicemapper\n",
        );
        t.write(
            "etc/systemd/system/docker.service.d/10-storage.conf",
            "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n",
        );
        assert!(find_storage_flags(&t.0).is_empty());
        // without the reset, the unit's own flag is found
        let t2 = TempRoot::new();
        t2.write(
            "usr/lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -s devicemapper\n",
        );
        let c = find_storage_flags(&t2.0);
        assert_eq!(flags(&c), ["-s"]);
        assert_eq!(c[0].line, 2);
    }

    #[test]
    fn dropins_ordered_by_name_and_shadowed_by_priority() {
        let t = TempRoot::new();
        // /etc's 50-x.conf hides /lib's 50-x.conf; 90-reset.conf resets 20-a.conf
        t.write(
            "lib/systemd/system/docker.service.d/50-x.conf",
            "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --storage-driver overlay2\n",
        );
        t.write(
            "etc/systemd/system/docker.service.d/50-x.conf",
            "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n",
        );
        assert!(find_storage_flags(&t.0).is_empty());
        t.write(
            "run/systemd/system/docker.service.d/20-a.conf",
            "[Service]\nExecStart=/usr/bin/dockerd -s zfs\n",
        );
        assert!(find_storage_flags(&t.0).is_empty(), "50-x resets 20-a");
        t.write(
            "run/systemd/system/docker.service.d/90-b.conf",
            "[Service]\nExecStart=/usr/bin/dockerd --storage-opt=dm.fs=xfs\n",
        );
        assert_eq!(flags(&find_storage_flags(&t.0)), ["--storage-opt"]);
        // non-.conf files are ignored
        t.write(
            "etc/systemd/system/docker.service.d/zz.conf.bak",
            "[Service]\nExecStart=/usr/bin/dockerd -s x\n",
        );
        assert_eq!(find_storage_flags(&t.0).len(), 1);
    }

    #[test]
    fn only_highest_priority_unit_is_read() {
        let t = TempRoot::new();
        t.write(
            "lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd --storage-driver=devicemapper\n",
        );
        t.write("etc/systemd/system/docker.service", DEBIAN_UNIT);
        assert!(find_storage_flags(&t.0).is_empty());
    }

    #[test]
    fn exec_start_outside_service_and_comments_ignored() {
        let t = TempRoot::new();
        t.write(
            "etc/systemd/system/docker.service",
            "[Unit]\nExecStart=/usr/bin/dockerd -s x\n[Service]\n# ExecStart=/usr/bin/dockerd -s x\n; ExecStart=/usr/bin/dockerd -s x\nExecStartPost=/bin/foo -s x\nExecStart=/usr/bin/dockerd\n",
        );
        assert!(find_storage_flags(&t.0).is_empty());
    }

    #[test]
    fn environment_lines_in_units() {
        let t = TempRoot::new();
        t.write("lib/systemd/system/docker.service", DEBIAN_UNIT);
        t.write(
            "etc/systemd/system/docker.service.d/env.conf",
            "[Service]\nEnvironment=\"DOCKER_OPTS=--debug --storage-driver=devicemapper\" HTTP_PROXY=http://p:3128\n",
        );
        let c = find_storage_flags(&t.0);
        assert_eq!(flags(&c), ["--storage-driver"]);
        assert_eq!(c[0].line, 2);
        // a later drop-in reassigning DOCKER_OPTS wins
        t.write(
            "etc/systemd/system/docker.service.d/zz.conf",
            "[Service]\nEnvironment=DOCKER_OPTS=--debug\n",
        );
        assert!(find_storage_flags(&t.0).is_empty());
    }

    #[test]
    fn rhel_sysconfig_files() {
        let t = TempRoot::new();
        let p = t.write(
            "etc/sysconfig/docker-storage",
            "# This file may be automatically generated by an installation program.\n\nDOCKER_STORAGE_OPTIONS=\"--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool --storage-opt dm.use_deferred_removal=true\"\n",
        );
        t.write(
            "etc/sysconfig/docker",
            "# /etc/sysconfig/docker\n\n# Modify these options if you want to change the way the docker daemon runs\nOPTIONS='--selinux-enabled --log-driver=journald --signature-verification=false'\nif [ -z \"${DOCKER_CERT_PATH}\" ]; then\n    DOCKER_CERT_PATH=/etc/docker\nfi\n",
        );
        let c = find_storage_flags(&t.0);
        assert_eq!(
            flags(&c),
            [
                "--storage-driver",
                "--storage-opt",
                "--storage-opt",
                "--storage-opt"
            ]
        );
        assert!(c.iter().all(|c| c.file == p && c.line == 3));
        assert!(c[0]
            .text
            .starts_with("DOCKER_STORAGE_OPTIONS=\"--storage-driver"));
    }

    #[test]
    fn env_file_forms() {
        let t = TempRoot::new();
        t.write(
            "etc/default/docker",
            "#DOCKER_OPTS=\"-s overlay2\"\nexport DOCKER_OPTS=\"--dns 8.8.8.8 \\\n  -s overlay2\" # trailing comment -s x\nDOCKER_OPTSX=\"-s x\"\nOTHER_OPTS=\"--storage-driver x\"\n",
        );
        let c = find_storage_flags(&t.0);
        assert_eq!(flags(&c), ["-s"]);
        assert_eq!(c[0].line, 2);
        // last assignment wins
        t.write(
            "etc/default/docker",
            "DOCKER_OPTS=\"-s overlay2\"\nDOCKER_OPTS=\"--dns 1.1.1.1\"\n",
        );
        assert!(find_storage_flags(&t.0).is_empty());
        t.write(
            "etc/default/docker",
            "DOCKER_OPTS=--storage-opt=dm.fs=xfs\n",
        );
        assert_eq!(flags(&find_storage_flags(&t.0)), ["--storage-opt"]);
    }

    #[test]
    fn missing_files_and_unreadable_files() {
        let t = TempRoot::new();
        assert_eq!(scan_storage_flags(&t.0), FlagScan::default());
        // a directory where a file is expected cannot be read
        fs::create_dir_all(t.0.join("etc/default/docker")).unwrap();
        t.write(
            "etc/sysconfig/docker-storage",
            "DOCKER_STORAGE_OPTIONS=\"-s devicemapper\"\n",
        );
        let s = scan_storage_flags(&t.0);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        assert!(s.errors[0].contains("etc/default/docker"));
        assert_eq!(flags(&s.conflicts), ["-s"]);
        // a file where the drop-in directory is expected
        t.write("etc/systemd/system/docker.service.d", "x");
        assert_eq!(scan_storage_flags(&t.0).errors.len(), 2);
    }
}
