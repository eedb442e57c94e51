//! Validation of Docker storage options (`--storage-opt` / `"storage-opts"`).
//!
//! The rules are transcribed from Docker 20.10 (moby tag v20.10.27):
//!
//! * `daemon/graphdriver/devmapper/deviceset.go`, `NewDeviceSet`: the `dm.*` key set,
//!   booleans via `strconv.ParseBool`, sizes via `units.RAMInBytes`, `dm.fs` ext4|xfs,
//!   `dm.min_free_space` (`N%`, N < 100), `dm.thinp_*` percentages, `dm.libdm_log_level`
//!   in `[2,7]`, `dm.xfs_nospace_max_retries` an unsigned integer; keys are trimmed and
//!   lower-cased, values trimmed (`pkg/parsers/parsers.go`, `ParseKeyValueOpt`).
//! * `deviceset.go`, `initDevmapper` / `enableDeferredRemovalDeletion`: direct-lvm options
//!   cannot be combined with `dm.thinpooldev`; deferred deletion requires deferred
//!   removal (both default to true on kernels and libdm that support them).
//! * `daemon/graphdriver/devmapper/device_setup.go`, `validateLVMConfig`: direct-lvm needs
//!   `dm.directlvm_device`, `dm.thinp_percent` and `dm.thinp_metapercent` go together and
//!   their sum is at most 100.
//! * `daemon/graphdriver/overlay2/overlay.go`, `parseOptions`: the `overlay2.*` key set.
//! * `github.com/docker/go-units` v0.4.0 `size.go`, `RAMInBytes`: the size syntax.

use std::fmt;

/// One problem with one storage option, e.g. key "dm.fs", message "must be ext4 or xfs, got \"btrfs\"".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptProblem {
    /// The option key (lower-cased, as dockerd sees it), or the whole option when it has no `=`.
    pub option: String,
    /// What is wrong, in one line.
    pub message: String,
}

impl fmt::Display for OptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.option, self.message)
    }
}

fn problem(option: &str, message: impl Into<String>) -> OptProblem {
    OptProblem {
        option: option.to_string(),
        message: message.into(),
    }
}

/// Splits a storage option the way dockerd's `parsers.ParseKeyValueOpt` does: at the first
/// `=`, key and value trimmed; the key is returned lower-cased (every driver lower-cases it).
/// `None` when there is no `=`.
pub fn split_opt(opt: &str) -> Option<(String, &str)> {
    let (k, v) = opt.split_once('=')?;
    Some((k.trim().to_ascii_lowercase(), v.trim()))
}

/// Parse a size the way go-units RAMInBytes does ("10G", "512k", "1.5gb", "10GiB"...), binary multiples. Err(message) when invalid.
///
/// The accepted syntax is go-units' regular expression
/// `^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$` followed by `strconv.ParseFloat` of the
/// number, multiplied by 1024^n and truncated toward zero. Unlike Go (which silently
/// wraps), values that do not fit in an `int64` are rejected.
pub fn parse_docker_size(s: &str) -> Result<u64, String> {
    let invalid = || format!("invalid size: '{s}'");
    let b = s.as_bytes();
    let mut i = 0;
    // (\d+(\.\d+)*)
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return Err(invalid());
    }
    loop {
        if i < b.len() && b[i] == b'.' {
            let save = i;
            i += 1;
            if !digits(&mut i) {
                i = save;
                break;
            }
        } else {
            break;
        }
    }
    let number = &s[..i];
    // " ?"
    if i < b.len() && b[i] == b' ' {
        i += 1;
    }
    // ([kKmMgGtTpP])?
    let mut mult: u64 = 1;
    if i < b.len() {
        let p = match b[i].to_ascii_lowercase() {
            b'k' => Some(1),
            b'm' => Some(2),
            b'g' => Some(3),
            b't' => Some(4),
            b'p' => Some(5),
            _ => None,
        };
        if let Some(p) = p {
            mult = 1024u64.pow(p);
            i += 1;
        }
    }
    // [iI]?[bB]?$
    if i < b.len() && (b[i] == b'i' || b[i] == b'I') {
        i += 1;
    }
    if i < b.len() && (b[i] == b'b' || b[i] == b'B') {
        i += 1;
    }
    if i != b.len() {
        return Err(invalid());
    }
    // The regex allows "1.2.3", which strconv.ParseFloat then rejects.
    let value: f64 = number.parse().map_err(|_| {
        format!("strconv.ParseFloat: parsing {number:?}: invalid syntax (invalid size: '{s}')")
    })?;
    if !value.is_finite() {
        return Err(format!("size out of range: '{s}'"));
    }
    let bytes = value * mult as f64;
    // 2^63 is exactly representable; anything at or above it overflows Go's int64.
    if bytes >= 9_223_372_036_854_775_808.0 {
        return Err(format!("size too large: '{s}'"));
    }
    Ok(bytes as u64)
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(val: &str) -> Result<bool, String> {
    match val {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "must be a boolean (true/false/1/0/t/f), got {val:?} (strconv.ParseBool)"
        )),
    }
}

/// Go's `strconv.ParseUint(val, 10, bits)`: ASCII digits only, no sign, within range.
fn parse_go_uint(val: &str, bits: u32) -> Result<u64, String> {
    if val.is_empty() || !val.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("must be an unsigned decimal integer, got {val:?}"));
    }
    let max = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    match val.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("value {val:?} is out of range (max {max})")),
    }
}

/// Go's `strconv.ParseInt(val, 10, 32)`: optional sign, ASCII digits.
fn parse_go_int32(val: &str) -> Result<i64, String> {
    let digits = val.strip_prefix(['+', '-']).unwrap_or(val);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("must be a decimal integer, got {val:?}"));
    }
    match val.parse::<i64>() {
        Ok(n) if (i32::MIN as i64..=i32::MAX as i64).contains(&n) => Ok(n),
        _ => Err(format!(
            "value {val:?} is out of range for a 32-bit integer"
        )),
    }
}

/// libdevmapper log levels accepted by `dm.libdm_log_level` (`pkg/devicemapper/log.go`:
/// LogLevelFatal = 2 .. LogLevelDebug = 7).
const LIBDM_LOG_MIN: i64 = 2;
const LIBDM_LOG_MAX: i64 = 7;

/// Every `dm.*` key dockerd 20.10 accepts.
pub const DM_KEYS: &[&str] = &[
    "dm.basesize",
    "dm.loopdatasize",
    "dm.loopmetadatasize",
    "dm.fs",
    "dm.mkfsarg",
    "dm.mountopt",
    "dm.metadatadev",
    "dm.datadev",
    "dm.thinpooldev",
    "dm.blkdiscard",
    "dm.blocksize",
    "dm.override_udev_sync_check",
    "dm.use_deferred_removal",
    "dm.use_deferred_deletion",
    "dm.min_free_space",
    "dm.xfs_nospace_max_retries",
    "dm.directlvm_device",
    "dm.directlvm_device_force",
    "dm.thinp_percent",
    "dm.thinp_metapercent",
    "dm.thinp_autoextend_percent",
    "dm.thinp_autoextend_threshold",
    "dm.libdm_log_level",
];

/// True when the (already lower-cased) key belongs to the devicemapper driver.
pub fn is_dm_key(key: &str) -> bool {
    key.starts_with("dm.")
}

/// `dm.thinp_*` percentage: `strconv.ParseUint(strings.TrimSuffix(val, "%"), 10, 32)`.
fn parse_percent(key: &str, val: &str) -> Result<u64, String> {
    parse_go_uint(val.strip_suffix('%').unwrap_or(val), 32)
        .map_err(|e| format!("could not parse `{key}={val}`: {e}"))
}

/// The direct-lvm configuration as `NewDeviceSet` builds it (last value wins).
#[derive(Default, PartialEq)]
struct LvmConfig {
    device: String,
    thinp_percent: u64,
    thinp_metapercent: u64,
    autoextend_percent: u64,
    autoextend_threshold: u64,
}

/// Validate a list of storage-opts strings ("dm.key=value") by Docker 20.10's rules. Non-dm.* options (overlay2.size, etc.) are checked only for key=value shape.
pub fn validate_storage_opts(opts: &[String]) -> Vec<OptProblem> {
    let mut out = Vec::new();
    let mut lvm = LvmConfig::default();
    let mut thinpooldev = String::new();
    let mut removal: Option<bool> = None;
    let mut deletion: Option<bool> = None;
    let mut lvm_parse_failed = false;

    for opt in opts {
        let Some((key, val)) = split_opt(opt) else {
            out.push(problem(
                opt,
                "not in key=value form (dockerd: \"Unable to parse key/value option\")",
            ));
            continue;
        };
        if key.is_empty() {
            out.push(problem(opt, "empty option name before '='"));
            continue;
        }
        if !is_dm_key(&key) {
            continue;
        }
        let res: Result<(), String> = match key.as_str() {
            "dm.basesize" | "dm.loopdatasize" | "dm.loopmetadatasize" | "dm.blocksize" => {
                parse_docker_size(val).map(|_| ())
            }
            "dm.fs" => {
                if val == "ext4" || val == "xfs" {
                    Ok(())
                } else {
                    Err(format!("must be ext4 or xfs, got {val:?}"))
                }
            }
            "dm.mkfsarg" | "dm.mountopt" | "dm.metadatadev" | "dm.datadev" => Ok(()),
            "dm.thinpooldev" => {
                thinpooldev = val.strip_prefix("/dev/mapper/").unwrap_or(val).to_string();
                Ok(())
            }
            "dm.blkdiscard" | "dm.override_udev_sync_check" | "dm.directlvm_device_force" => {
                parse_go_bool(val).map(|_| ())
            }
            "dm.use_deferred_removal" => parse_go_bool(val).map(|b| removal = Some(b)),
            "dm.use_deferred_deletion" => parse_go_bool(val).map(|b| deletion = Some(b)),
            "dm.min_free_space" => match val.strip_suffix('%') {
                None => Err(format!("requires a % suffix, e.g. 10%, got {val:?}")),
                Some(n) => parse_go_uint(n, 32).and_then(|n| {
                    if n >= 100 {
                        Err(format!("must be 0% to 99%, got {val:?}"))
                    } else {
                        Ok(())
                    }
                }),
            },
            "dm.xfs_nospace_max_retries" => parse_go_uint(val, 64).map(|_| ()),
            "dm.directlvm_device" => {
                lvm.device = val.to_string();
                Ok(())
            }
            "dm.thinp_percent" | "dm.thinp_metapercent" => parse_percent(&key, val).and_then(|p| {
                if p >= 100 {
                    Err(format!("must be less than 100, got {val:?}"))
                } else {
                    if key == "dm.thinp_percent" {
                        lvm.thinp_percent = p;
                    } else {
                        lvm.thinp_metapercent = p;
                    }
                    Ok(())
                }
            }),
            "dm.thinp_autoextend_percent" | "dm.thinp_autoextend_threshold" => {
                parse_percent(&key, val).and_then(|p| {
                    if p > 100 {
                        Err(format!("must be at most 100, got {val:?}"))
                    } else {
                        if key == "dm.thinp_autoextend_percent" {
                            lvm.autoextend_percent = p;
                        } else {
                            lvm.autoextend_threshold = p;
                        }
                        Ok(())
                    }
                })
            }
            "dm.libdm_log_level" => parse_go_int32(val).and_then(|l| {
                if (LIBDM_LOG_MIN..=LIBDM_LOG_MAX).contains(&l) {
                    Ok(())
                } else {
                    Err(format!(
                        "must be in range [{LIBDM_LOG_MIN},{LIBDM_LOG_MAX}], got {val:?}"
                    ))
                }
            }),
            _ => Err(format!(
                "unknown devicemapper option (dockerd: \"devmapper: Unknown option {key}\")"
            )),
        };
        if let Err(m) = res {
            if key.starts_with("dm.thinp_") || key.starts_with("dm.directlvm_") {
                lvm_parse_failed = true;
            }
            out.push(problem(&key, m));
        }
    }

    // device_setup.go validateLVMConfig (dockerd never gets there after a parse error, and
    // a rejected value would otherwise look "missing")
    if !lvm_parse_failed && lvm != LvmConfig::default() {
        if lvm.device.is_empty() {
            out.push(problem(
                "dm.directlvm_device",
                "must be set to a device path when any dm.thinp_* option is given (direct-lvm)",
            ));
        }
        if (lvm.thinp_percent > 0) != (lvm.thinp_metapercent > 0) {
            out.push(problem(
                "dm.thinp_percent",
                "dm.thinp_percent and dm.thinp_metapercent must both be set if either is",
            ));
        }
        if lvm.thinp_percent + lvm.thinp_metapercent > 100 {
            out.push(problem(
                "dm.thinp_percent",
                format!(
                    "dm.thinp_percent + dm.thinp_metapercent must not exceed 100, got {} + {}",
                    lvm.thinp_percent, lvm.thinp_metapercent
                ),
            ));
        }
        // deviceset.go initDevmapper
        if !thinpooldev.is_empty() {
            out.push(problem(
                "dm.thinpooldev",
                "cannot be combined with direct-lvm options (dm.directlvm_device, dm.thinp_*)",
            ));
        }
    }

    // deviceset.go NewDeviceSet/enableDeferredRemovalDeletion: both default to true where
    // supported, and deferred deletion without deferred removal is refused.
    if !removal.unwrap_or(true) && deletion.unwrap_or(true) {
        out.push(problem(
            "dm.use_deferred_deletion",
            "deferred deletion needs deferred removal: dm.use_deferred_removal=false requires dm.use_deferred_deletion=false",
        ));
    }
    out
}

/// [`validate_storage_opts`] plus the rules of the driver the options are handed to:
/// dockerd passes every storage option to the selected driver, which rejects keys it
/// does not know. `driver` is the `storage-driver` value; `None` (not set) only runs
/// [`validate_storage_opts`] and flags `dm.*` options, because dockerd then picks a
/// driver itself.
pub fn validate_for_driver(driver: Option<&str>, opts: &[String]) -> Vec<OptProblem> {
    let mut out = validate_storage_opts(opts);
    for opt in opts {
        let Some((key, val)) = split_opt(opt) else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        match driver {
            Some("devicemapper") if !is_dm_key(&key) => {
                out.push(problem(
                    &key,
                    "not a devicemapper option; dockerd fails with \"devmapper: Unknown option\" (remove it)",
                ));
            }
            Some("devicemapper") => {}
            Some(d) if is_dm_key(&key) => {
                out.push(problem(
                    &key,
                    format!("devicemapper option while storage-driver is {d:?}; dockerd will refuse it (remove it or set storage-driver to devicemapper)"),
                ));
            }
            None if is_dm_key(&key) => {
                out.push(problem(
                    &key,
                    "devicemapper option but storage-driver is not set; set \"storage-driver\": \"devicemapper\"",
                ));
            }
            Some("overlay2") => {
                let res = match key.as_str() {
                    "overlay2.size" => parse_docker_size(val).map(|_| ()),
                    "overlay2.override_kernel_check" => parse_go_bool(val).map(|_| ()),
                    _ => Err(format!(
                        "unknown option (dockerd: \"overlay2: unknown option {key}\")"
                    )),
                };
                if let Err(m) = res {
                    out.push(problem(&key, m));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(opts: &[&str]) -> Vec<OptProblem> {
        validate_storage_opts(&opts.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn keys(p: &[OptProblem]) -> Vec<&str> {
        p.iter().map(|p| p.option.as_str()).collect()
    }

    const G: u64 = 1 << 30;

    #[test]
    fn size_units_are_binary_and_case_insensitive() {
        assert_eq!(parse_docker_size("10G"), Ok(10 * G));
        assert_eq!(parse_docker_size("10g"), Ok(10 * G));
        assert_eq!(parse_docker_size("10GiB"), Ok(10 * G));
        assert_eq!(parse_docker_size("10gb"), Ok(10 * G));
        assert_eq!(parse_docker_size("10GB"), Ok(10 * G));
        assert_eq!(parse_docker_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_docker_size("512KiB"), Ok(512 * 1024));
        assert_eq!(parse_docker_size("3m"), Ok(3 << 20));
        assert_eq!(parse_docker_size("2t"), Ok(2u64 << 40));
        assert_eq!(parse_docker_size("1p"), Ok(1u64 << 50));
        assert_eq!(parse_docker_size("1.5gb"), Ok(1_610_612_736));
        assert_eq!(parse_docker_size("100"), Ok(100));
        assert_eq!(parse_docker_size("100b"), Ok(100));
        assert_eq!(parse_docker_size("100B"), Ok(100));
        // go-units regex quirks that are nonetheless valid
        assert_eq!(parse_docker_size("10 G"), Ok(10 * G));
        assert_eq!(parse_docker_size("7i"), Ok(7));
        assert_eq!(parse_docker_size("7ib"), Ok(7));
        // truncation toward zero like Go's int64(float64)
        assert_eq!(parse_docker_size("0.5"), Ok(0));
        assert_eq!(parse_docker_size("1.0009k"), Ok(1024));
    }

    #[test]
    fn size_rejects_what_go_units_rejects() {
        for bad in [
            "", "G", "-1G", "+1G", "10x", "10GG", "10  G", " 10G", "10G ", "1e3", "10.G", ".5G",
            "10Bi", "10gib2", "ten",
        ] {
            assert!(parse_docker_size(bad).is_err(), "{bad:?} should be invalid");
        }
        let e = parse_docker_size("10x").unwrap_err();
        assert!(e.contains("invalid size: '10x'"), "{e}");
        // matches the regex, then strconv.ParseFloat fails
        let e = parse_docker_size("1.2.3g").unwrap_err();
        assert!(e.contains("ParseFloat"), "{e}");
    }

    #[test]
    fn size_overflow_is_rejected() {
        assert_eq!(parse_docker_size("8191p"), Ok(8191u64 << 50));
        assert!(parse_docker_size("8192p").is_err()); // 2^63
        assert!(parse_docker_size("99999999999999999999").is_err());
        let huge = "9".repeat(400);
        assert!(parse_docker_size(&huge).is_err());
    }

    #[test]
    fn go_parsers() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_go_bool(t), Ok(true), "{t}");
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_go_bool(f), Ok(false), "{f}");
        }
        for bad in ["yes", "no", "on", "tRUE", "", "2"] {
            assert!(parse_go_bool(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_go_uint("4294967295", 32), Ok(4294967295));
        assert!(parse_go_uint("4294967296", 32).is_err());
        assert!(parse_go_uint("+1", 32).is_err());
        assert!(parse_go_uint("1_0", 32).is_err());
        assert!(parse_go_uint("", 64).is_err());
        assert_eq!(parse_go_int32("-3"), Ok(-3));
        assert_eq!(parse_go_int32("+3"), Ok(3));
        assert!(parse_go_int32("2147483648").is_err());
        assert!(parse_go_int32("-").is_err());
    }

    #[test]
    fn valid_direct_lvm_thinpool_config_has_no_problems() {
        let p = v(&[
            "dm.thinpooldev=/dev/mapper/docker-thinpool",
            "dm.use_deferred_removal=true",
            "dm.use_deferred_deletion=true",
            "dm.basesize=20G",
            "dm.fs=xfs",
            "dm.min_free_space=10%",
            "dm.mountopt=nodiscard",
            "dm.mkfsarg=-m crc=0",
            "dm.blkdiscard=false",
            "dm.blocksize=512K",
            "dm.override_udev_sync_check=1",
            "dm.xfs_nospace_max_retries=0",
            "dm.libdm_log_level=7",
            "overlay2.size=whatever", // non-dm: shape only
        ]);
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn keys_are_trimmed_and_lowercased_values_trimmed() {
        assert!(v(&[" DM.FS = xfs "]).is_empty());
        let p = v(&["DM.FS=XFS"]);
        assert_eq!(keys(&p), ["dm.fs"]);
        assert!(p[0].message.contains("\"XFS\""));
    }

    #[test]
    fn shape_errors() {
        let p = v(&["dm.fs", "overlay2.size", "=x"]);
        assert_eq!(keys(&p), ["dm.fs", "overlay2.size", "=x"]);
        assert!(p[0].message.contains("key=value"));
        assert!(p[2].message.contains("empty option name"));
    }

    #[test]
    fn unknown_dm_key() {
        let p = v(&["dm.thinpool=/dev/mapper/x"]);
        assert_eq!(keys(&p), ["dm.thinpool"]);
        assert!(p[0].message.contains("Unknown option dm.thinpool"));
    }

    #[test]
    fn every_known_key_is_accepted_by_the_parser() {
        for k in DM_KEYS {
            let p = v(&[&format!("{k}=")]);
            assert!(
                p.iter().all(|p| !p.message.contains("unknown")),
                "{k} reported unknown: {p:?}"
            );
        }
    }

    #[test]
    fn fs_must_be_ext4_or_xfs() {
        assert!(v(&["dm.fs=ext4"]).is_empty());
        assert!(v(&["dm.fs=xfs"]).is_empty());
        let p = v(&["dm.fs=btrfs"]);
        assert_eq!(
            p,
            vec![OptProblem {
                option: "dm.fs".into(),
                message: "must be ext4 or xfs, got \"btrfs\"".into()
            }]
        );
        assert_eq!(keys(&v(&["dm.fs=ext3"])), ["dm.fs"]);
    }

    #[test]
    fn sizes_checked_for_each_size_key() {
        for k in [
            "dm.basesize",
            "dm.loopdatasize",
            "dm.loopmetadatasize",
            "dm.blocksize",
        ] {
            assert!(v(&[&format!("{k}=10G")]).is_empty(), "{k}");
            assert_eq!(keys(&v(&[&format!("{k}=10Q")])), [k]);
            assert_eq!(keys(&v(&[&format!("{k}=")])), [k]);
        }
    }

    #[test]
    fn booleans_use_parsebool() {
        for k in [
            "dm.blkdiscard",
            "dm.override_udev_sync_check",
            "dm.directlvm_device_force",
            "dm.use_deferred_removal",
            "dm.use_deferred_deletion",
        ] {
            assert!(v(&[&format!("{k}=True")]).is_empty(), "{k}");
            assert_eq!(keys(&v(&[&format!("{k}=yes")])), [k]);
        }
    }

    #[test]
    fn min_free_space_rule() {
        assert!(v(&["dm.min_free_space=0%"]).is_empty());
        assert!(v(&["dm.min_free_space=99%"]).is_empty());
        let p = v(&["dm.min_free_space=10"]);
        assert_eq!(keys(&p), ["dm.min_free_space"]);
        assert!(p[0].message.contains("% suffix"));
        assert_eq!(keys(&v(&["dm.min_free_space=100%"])), ["dm.min_free_space"]);
        assert_eq!(keys(&v(&["dm.min_free_space=-1%"])), ["dm.min_free_space"]);
        assert_eq!(keys(&v(&["dm.min_free_space=5.5%"])), ["dm.min_free_space"]);
        assert_eq!(keys(&v(&["dm.min_free_space=%"])), ["dm.min_free_space"]);
    }

    #[test]
    fn xfs_retries_and_log_level() {
        assert!(v(&["dm.xfs_nospace_max_retries=18446744073709551615"]).is_empty());
        assert_eq!(
            keys(&v(&["dm.xfs_nospace_max_retries=-1"])),
            ["dm.xfs_nospace_max_retries"]
        );
        assert!(v(&["dm.libdm_log_level=2"]).is_empty());
        assert_eq!(keys(&v(&["dm.libdm_log_level=1"])), ["dm.libdm_log_level"]);
        assert_eq!(keys(&v(&["dm.libdm_log_level=8"])), ["dm.libdm_log_level"]);
        assert_eq!(keys(&v(&["dm.libdm_log_level=x"])), ["dm.libdm_log_level"]);
    }

    #[test]
    fn direct_lvm_valid_config() {
        let p = v(&[
            "dm.directlvm_device=/dev/xvdf",
            "dm.thinp_percent=95",
            "dm.thinp_metapercent=1",
            "dm.thinp_autoextend_threshold=80",
            "dm.thinp_autoextend_percent=20",
            "dm.directlvm_device_force=false",
        ]);
        assert!(p.is_empty(), "{p:?}");
        // % suffix is tolerated on thinp_* values
        assert!(v(&[
            "dm.directlvm_device=/dev/xvdf",
            "dm.thinp_percent=95%",
            "dm.thinp_metapercent=5%"
        ])
        .is_empty());
    }

    #[test]
    fn thinp_percent_ranges() {
        let base = "dm.directlvm_device=/dev/xvdf";
        let p = v(&[base, "dm.thinp_percent=100", "dm.thinp_metapercent=1"]);
        assert_eq!(keys(&p), ["dm.thinp_percent"]);
        let p = v(&[base, "dm.thinp_percent=1", "dm.thinp_metapercent=100"]);
        assert_eq!(keys(&p), ["dm.thinp_metapercent"]);
        let p = v(&[base, "dm.thinp_percent=abc"]);
        assert!(p[0]
            .message
            .contains("could not parse `dm.thinp_percent=abc`"));
        // autoextend: 100 is fine, 101 is not
        assert!(v(&[base, "dm.thinp_autoextend_percent=100"]).is_empty());
        assert!(v(&[base, "dm.thinp_autoextend_threshold=100"]).is_empty());
        assert_eq!(
            keys(&v(&[base, "dm.thinp_autoextend_percent=101"])),
            ["dm.thinp_autoextend_percent"]
        );
        assert_eq!(
            keys(&v(&[base, "dm.thinp_autoextend_threshold=101"])),
            ["dm.thinp_autoextend_threshold"]
        );
    }

    #[test]
    fn thinp_percent_sum_and_pairing() {
        let base = "dm.directlvm_device=/dev/xvdf";
        assert!(v(&[base, "dm.thinp_percent=90", "dm.thinp_metapercent=10"]).is_empty());
        let p = v(&[base, "dm.thinp_percent=95", "dm.thinp_metapercent=6"]);
        assert_eq!(keys(&p), ["dm.thinp_percent"]);
        assert!(p[0].message.contains("must not exceed 100"));
        let p = v(&[base, "dm.thinp_percent=95"]);
        assert_eq!(keys(&p), ["dm.thinp_percent"]);
        assert!(p[0].message.contains("both"));
        let p = v(&[base, "dm.thinp_metapercent=5"]);
        assert!(p[0].message.contains("both"));
    }

    #[test]
    fn direct_lvm_needs_device() {
        let p = v(&["dm.thinp_autoextend_threshold=80"]);
        assert_eq!(keys(&p), ["dm.directlvm_device"]);
        // force alone is not part of the direct-lvm config in Docker
        assert!(v(&["dm.directlvm_device_force=true"]).is_empty());
    }

    #[test]
    fn thinpooldev_excludes_direct_lvm() {
        let p = v(&[
            "dm.thinpooldev=/dev/mapper/docker-thinpool",
            "dm.directlvm_device=/dev/xvdf",
        ]);
        assert_eq!(keys(&p), ["dm.thinpooldev"]);
        // an empty dm.thinpooldev means "no pool" to dockerd
        assert!(v(&[
            "dm.thinpooldev=/dev/mapper/",
            "dm.directlvm_device=/dev/xvdf"
        ])
        .is_empty());
    }

    #[test]
    fn deferred_deletion_requires_removal() {
        let p = v(&["dm.use_deferred_removal=false"]);
        assert_eq!(keys(&p), ["dm.use_deferred_deletion"]);
        let p = v(&[
            "dm.use_deferred_removal=false",
            "dm.use_deferred_deletion=true",
        ]);
        assert_eq!(keys(&p), ["dm.use_deferred_deletion"]);
        assert!(v(&[
            "dm.use_deferred_removal=false",
            "dm.use_deferred_deletion=false"
        ])
        .is_empty());
        assert!(v(&["dm.use_deferred_deletion=false"]).is_empty());
        // last value wins
        assert!(v(&[
            "dm.use_deferred_removal=false",
            "dm.use_deferred_removal=true"
        ])
        .is_empty());
    }

    #[test]
    fn driver_specific_rules() {
        let o = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let p = validate_for_driver(
            Some("devicemapper"),
            &o(&["dm.thinpooldev=x", "overlay2.size=1G"]),
        );
        assert_eq!(keys(&p), ["overlay2.size"]);
        let p = validate_for_driver(Some("overlay2"), &o(&["dm.fs=xfs", "overlay2.size=1G"]));
        assert_eq!(keys(&p), ["dm.fs"]);
        let p = validate_for_driver(Some("overlay2"), &o(&["overlay2.size=1Q"]));
        assert_eq!(keys(&p), ["overlay2.size"]);
        let p = validate_for_driver(Some("overlay2"), &o(&["overlay2.foo=1"]));
        assert!(p[0]
            .message
            .contains("overlay2: unknown option overlay2.foo"));
        let p = validate_for_driver(
            Some("overlay2"),
            &o(&["overlay2.override_kernel_check=maybe"]),
        );
        assert_eq!(keys(&p), ["overlay2.override_kernel_check"]);
        let p = validate_for_driver(None, &o(&["dm.fs=xfs"]));
        assert_eq!(keys(&p), ["dm.fs"]);
        assert!(validate_for_driver(Some("zfs"), &o(&["zfs.fsname=x"])).is_empty());
        assert_eq!(
            keys(&validate_for_driver(Some("zfs"), &o(&["dm.fs=xfs"]))),
            ["dm.fs"]
        );
    }

    #[test]
    fn display_is_key_colon_message() {
        let p = OptProblem {
            option: "dm.fs".into(),
            message: "m".into(),
        };
        assert_eq!(p.to_string(), "dm.fs: m");
    }
}
