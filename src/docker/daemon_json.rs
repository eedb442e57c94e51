//! Reading, checking and editing Docker's `daemon.json` for the storage driver settings
//! dmctl manages.
//!
//! Every edit keeps keys dmctl does not own in their original order (serde_json's
//! `preserve_order`), is deterministic, and is idempotent: merging the output again
//! reports `changed == false` and yields the identical text.
//!
//! dockerd 20.10 reads `daemon.json` with `json.NewDecoder(..).Decode` into a map and
//! refuses to start on any error (moby `daemon/config/config.go`,
//! `getConflictFreeConfiguration`); option rules are in [`super::dmopts`].

use std::fmt;

use serde_json::{Map, Value};

use super::dmopts::{is_dm_key, split_opt, validate_for_driver};

const DRIVER_KEY: &str = "storage-driver";
const OPTS_KEY: &str = "storage-opts";
const DATA_ROOT_KEY: &str = "data-root";
const DM: &str = "devicemapper";
const OVERLAY2: &str = "overlay2";

/// What dmctl wants in daemon.json for the devicemapper driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmWant {
    /// The thin pool device, e.g. "/dev/mapper/docker-thinpool".
    pub thinpooldev: String,
    /// `dm.basesize` (a go-units size such as "20G"), when dmctl should set it.
    pub basesize: Option<String>,
    /// `dm.fs` ("ext4" or "xfs"), when dmctl should set it.
    pub fs: Option<String>,
}

/// Why a daemon.json could not be read or merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// The text is not JSON; the serde error names line and column.
    InvalidJson(String),
    /// The JSON is valid but its top level is not an object.
    NotAnObject,
    /// `dm.thinpooldev` already points at another pool.
    OtherPool {
        /// The `dm.thinpooldev` value found.
        found: String,
    },
    /// The merged result fails validation; one line per problem.
    Invalid(Vec<String>),
    /// A key dmctl manages has the wrong JSON type.
    BadField {
        /// The daemon.json key.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeError::InvalidJson(e) => write!(
                f,
                "daemon.json is not valid JSON ({e}); fix the syntax or move the file away"
            ),
            MergeError::NotAnObject => write!(
                f,
                "daemon.json must contain a JSON object ({{...}}) at the top level; fix or move the file away"
            ),
            MergeError::OtherPool { found } => write!(
                f,
                "daemon.json already uses another thin pool (dm.thinpooldev={found}); remove that option first or tear the other pool down"
            ),
            MergeError::Invalid(problems) => write!(
                f,
                "the resulting daemon.json would be rejected by dockerd: {}; fix these storage-opts",
                problems.join("; ")
            ),
            MergeError::BadField { key, message } => {
                write!(f, "daemon.json field {key:?} {message}; correct it by hand")
            }
        }
    }
}

impl std::error::Error for MergeError {}

/// The result of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The new file content: `serde_json::to_string_pretty` (2-space indent) plus a trailing newline.
    pub text: String,
    /// Whether the content differs semantically from the existing file (formatting,
    /// whitespace and key order are ignored). A missing or empty file always counts as changed.
    pub changed: bool,
    /// Things the user should know, e.g. options removed.
    pub warnings: Vec<String>,
}

/// Facts read from a daemon.json for status/doctor: storage driver and dm.thinpooldev if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DaemonFacts {
    /// `storage-driver`, when set to a string.
    pub storage_driver: Option<String>,
    /// The last `dm.thinpooldev` value (dockerd uses the last one), as written.
    pub thinpooldev: Option<String>,
    /// All `storage-opts` entries, in order.
    pub storage_opts: Vec<String>,
}

/// Parsed daemon.json: `None` when the text is empty/whitespace only.
fn parse_root(text: &str) -> Result<Option<Map<String, Value>>, MergeError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let v: Value =
        serde_json::from_str(text).map_err(|e| MergeError::InvalidJson(e.to_string()))?;
    match v {
        Value::Object(m) => Ok(Some(m)),
        _ => Err(MergeError::NotAnObject),
    }
}

/// `storage-driver`: absent or null → None; a string → Some; anything else → BadField.
fn get_driver(root: &Map<String, Value>) -> Result<Option<String>, MergeError> {
    match root.get(DRIVER_KEY) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(MergeError::BadField {
            key: DRIVER_KEY.into(),
            message: format!("must be a string, got {}", json_type(other)),
        }),
    }
}

/// `storage-opts`: absent or null → empty; an array of strings → its items; else BadField.
fn get_opts(root: &Map<String, Value>) -> Result<Vec<String>, MergeError> {
    match root.get(OPTS_KEY) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, it)| match it {
                Value::String(s) => Ok(s.clone()),
                other => Err(MergeError::BadField {
                    key: OPTS_KEY.into(),
                    message: format!(
                        "must be an array of strings, but element {i} is {}",
                        json_type(other)
                    ),
                }),
            })
            .collect(),
        Some(other) => Err(MergeError::BadField {
            key: OPTS_KEY.into(),
            message: format!(
                "must be an array of strings like [\"dm.fs=xfs\"], got {}",
                json_type(other)
            ),
        }),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn opt_key(opt: &str) -> Option<String> {
    split_opt(opt).map(|(k, _)| k)
}

fn strip_mapper(dev: &str) -> &str {
    dev.strip_prefix("/dev/mapper/").unwrap_or(dev)
}

/// Serialises `root` and compares with the original.
fn finish(
    original: Option<&Map<String, Value>>,
    root: Map<String, Value>,
    warnings: Vec<String>,
) -> Merged {
    let changed = original != Some(&root);
    let value = Value::Object(root);
    let mut text = serde_json::to_string_pretty(&value).expect("serialising a JSON value");
    text.push('\n');
    Merged {
        text,
        changed,
        warnings,
    }
}

fn invalid_if_any(driver: &str, opts: &[String]) -> Result<(), MergeError> {
    let problems = validate_for_driver(Some(driver), opts);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(MergeError::Invalid(
            problems.iter().map(|p| p.to_string()).collect(),
        ))
    }
}

/// The parsed original object (`None` when missing or empty) and initial warnings.
type Start = (Option<Map<String, Value>>, Vec<String>);

fn start(existing: Option<&str>) -> Result<Start, MergeError> {
    let mut warnings = Vec::new();
    let original = match existing {
        None => None,
        Some(t) => {
            let parsed = parse_root(t)?;
            if parsed.is_none() {
                warnings.push(
                    "existing daemon.json is empty (dockerd 20.10 refuses to start with it); treating it as {}"
                        .to_string(),
                );
            }
            parsed
        }
    };
    Ok((original, warnings))
}

fn switch_driver_warning(old: &Option<String>, new: &str, warnings: &mut Vec<String>) {
    if let Some(old) = old {
        if old != new && !old.is_empty() {
            warnings.push(format!(
                "storage-driver changes from {old:?} to {new:?}: images and containers stored with {old} will not be visible until you switch back"
            ));
        }
    }
}

/// Options that make dockerd build or use a pool other than `dm.thinpooldev`.
fn conflicts_with_thinpooldev(key: &str) -> bool {
    key.starts_with("dm.directlvm_")
        || key.starts_with("dm.thinp_")
        || matches!(
            key,
            "dm.loopdatasize" | "dm.loopmetadatasize" | "dm.datadev" | "dm.metadatadev"
        )
}

/// existing: None = file missing (treated as {}). Merge rules: keep every key that is not ours, in original order (preserve_order); set "storage-driver": "devicemapper"; in "storage-opts" set dm.thinpooldev, dm.use_deferred_removal=true, dm.use_deferred_deletion=true, dm.basesize / dm.fs when given (replace existing values of those keys; keep other options in place; options that conflict with dm.thinpooldev — dm.directlvm_device and the other dm.directlvm_* / dm.thinp_* options, dm.loopdatasize, dm.loopmetadatasize, dm.datadev, dm.metadatadev — are removed with a warning each; overlay2.* or other-driver options removed with a warning when switching driver). If the existing storage-driver is set to something other than devicemapper, warn that images/containers of the old driver will not be visible. If existing dm.thinpooldev points at a different device → Err(OtherPool). The merged result is validated with validate_storage_opts → Err(Invalid) if problems. Must be deterministic and idempotent: merge(Some(merge(x).text)) has changed=false and identical text.
///
/// Details: a pool is "the same" when the names agree after stripping `/dev/mapper/`
/// (as dockerd does); the value is then rewritten to `want.thinpooldev`. Duplicates of the
/// keys dmctl sets are dropped (dockerd would use the last one). Non-`dm.*` options are
/// always removed, since dockerd's devicemapper driver rejects unknown options.
pub fn merge_devicemapper(existing: Option<&str>, want: &DmWant) -> Result<Merged, MergeError> {
    if want.thinpooldev.trim().is_empty() || strip_mapper(want.thinpooldev.trim()).is_empty() {
        return Err(MergeError::Invalid(vec![
            "dm.thinpooldev: must name a thin pool device, e.g. /dev/mapper/docker-thinpool".into(),
        ]));
    }
    let (original, mut warnings) = start(existing)?;
    let mut root = original.clone().unwrap_or_default();
    let old_driver = get_driver(&root)?;
    let old_opts = get_opts(&root)?;

    // An existing pool that is not ours: refuse before touching anything.
    let want_pool = strip_mapper(&want.thinpooldev);
    if let Some(found) = old_opts
        .iter()
        .filter_map(|o| split_opt(o).filter(|(k, _)| k == "dm.thinpooldev"))
        .map(|(_, v)| v)
        .find(|v| !strip_mapper(v).is_empty() && strip_mapper(v) != want_pool)
    {
        return Err(MergeError::OtherPool {
            found: found.to_string(),
        });
    }

    switch_driver_warning(&old_driver, DM, &mut warnings);

    let mut ours: Vec<(&str, String)> = vec![
        ("dm.thinpooldev", want.thinpooldev.clone()),
        ("dm.use_deferred_removal", "true".into()),
        ("dm.use_deferred_deletion", "true".into()),
    ];
    if let Some(b) = &want.basesize {
        ours.push(("dm.basesize", b.clone()));
    }
    if let Some(fs) = &want.fs {
        ours.push(("dm.fs", fs.clone()));
    }
    let mut placed = vec![false; ours.len()];
    let mut new_opts = Vec::new();
    for opt in &old_opts {
        let Some(key) = opt_key(opt) else {
            new_opts.push(opt.clone()); // validation reports it
            continue;
        };
        if let Some(i) = ours.iter().position(|(k, _)| *k == key) {
            let wanted = format!("{}={}", ours[i].0, ours[i].1);
            if placed[i] {
                warnings.push(format!("removed duplicate storage option {opt:?}"));
            } else {
                placed[i] = true;
                if *opt != wanted && key != "dm.thinpooldev" {
                    warnings.push(format!("replaced storage option {opt:?} with {wanted:?}"));
                }
                new_opts.push(wanted);
            }
        } else if conflicts_with_thinpooldev(&key) {
            warnings.push(format!(
                "removed storage option {opt:?}: it conflicts with dm.thinpooldev"
            ));
        } else if !is_dm_key(&key) {
            warnings.push(format!(
                "removed storage option {opt:?}: it is not a devicemapper option and dockerd would reject it"
            ));
        } else {
            new_opts.push(opt.clone());
        }
    }
    for (i, (k, v)) in ours.iter().enumerate() {
        if !placed[i] {
            new_opts.push(format!("{k}={v}"));
        }
    }

    invalid_if_any(DM, &new_opts)?;

    root.insert(DRIVER_KEY.into(), Value::String(DM.into()));
    root.insert(
        OPTS_KEY.into(),
        Value::Array(new_opts.into_iter().map(Value::String).collect()),
    );
    Ok(finish(original.as_ref(), root, warnings))
}

/// Same for overlay2 (a later feature): "storage-driver": "overlay2", storage-opts: remove all dm.* options (warning), set/remove "overlay2.size=SIZE" (Some → set, None → remove). Also `data_root: Option<String>` sets "data-root". Validate.
///
/// Options of other drivers (e.g. `zfs.*`) are removed with a warning too, because the
/// overlay2 driver rejects unknown options; `"storage-opts"` is dropped when it ends up
/// empty. `data_root` must be an absolute path (dmctl's rule).
pub fn merge_overlay2(
    existing: Option<&str>,
    size: Option<&str>,
    data_root: Option<&str>,
) -> Result<Merged, MergeError> {
    if let Some(dr) = data_root {
        if !dr.starts_with('/') {
            return Err(MergeError::Invalid(vec![format!(
                "data-root: must be an absolute path, got {dr:?}"
            )]));
        }
    }
    let (original, mut warnings) = start(existing)?;
    let mut root = original.clone().unwrap_or_default();
    let old_driver = get_driver(&root)?;
    let old_opts = get_opts(&root)?;
    let had_opts_key = root.contains_key(OPTS_KEY);

    switch_driver_warning(&old_driver, OVERLAY2, &mut warnings);

    let wanted_size = size.map(|s| format!("overlay2.size={s}"));
    let mut size_placed = false;
    let mut new_opts = Vec::new();
    for opt in &old_opts {
        let Some(key) = opt_key(opt) else {
            new_opts.push(opt.clone());
            continue;
        };
        if key == "overlay2.size" {
            if let Some(w) = &wanted_size {
                if !size_placed {
                    size_placed = true;
                    new_opts.push(w.clone());
                }
            }
        } else if is_dm_key(&key) {
            warnings.push(format!(
                "removed devicemapper storage option {opt:?} (not used by overlay2)"
            ));
        } else if !key.starts_with("overlay2.") {
            warnings.push(format!(
                "removed storage option {opt:?}: it is not an overlay2 option and dockerd would reject it"
            ));
        } else {
            new_opts.push(opt.clone());
        }
    }
    if let (Some(w), false) = (&wanted_size, size_placed) {
        new_opts.push(w.clone());
    }

    invalid_if_any(OVERLAY2, &new_opts)?;

    root.insert(DRIVER_KEY.into(), Value::String(OVERLAY2.into()));
    if new_opts.is_empty() {
        if had_opts_key {
            root.shift_remove(OPTS_KEY);
        }
    } else {
        root.insert(
            OPTS_KEY.into(),
            Value::Array(new_opts.into_iter().map(Value::String).collect()),
        );
    }
    if let Some(dr) = data_root {
        root.insert(DATA_ROOT_KEY.into(), Value::String(dr.into()));
    }
    Ok(finish(original.as_ref(), root, warnings))
}

/// Remove what dmctl owns for teardown: storage-driver (only if devicemapper) and dm.* options; drop "storage-opts" if it becomes empty. changed=false when nothing of ours is there. Unknown keys kept.
pub fn remove_devicemapper(existing: &str) -> Result<Merged, MergeError> {
    let (original, warnings) = start(Some(existing))?;
    let mut root = original.clone().unwrap_or_default();
    let driver = get_driver(&root)?;
    if driver.as_deref() == Some(DM) {
        root.shift_remove(DRIVER_KEY);
    }
    drop_opts(&mut root, is_dm_key)?;
    Ok(finish_removal(original, root, warnings))
}

/// Drop the storage options whose key matches; drop "storage-opts" when
/// none is left.
fn drop_opts(root: &mut Map<String, Value>, ours: impl Fn(&str) -> bool) -> Result<(), MergeError> {
    let opts = get_opts(root)?;
    let kept: Vec<String> = opts
        .iter()
        .filter(|o| !opt_key(o).is_some_and(|k| ours(&k)))
        .cloned()
        .collect();
    if kept.len() != opts.len() {
        if kept.is_empty() {
            root.shift_remove(OPTS_KEY);
        } else {
            root.insert(
                OPTS_KEY.into(),
                Value::Array(kept.into_iter().map(Value::String).collect()),
            );
        }
    }
    Ok(())
}

/// The result of a teardown edit: an empty file has nothing of ours in it.
fn finish_removal(
    original: Option<Map<String, Value>>,
    root: Map<String, Value>,
    warnings: Vec<String>,
) -> Merged {
    let mut m = finish(original.as_ref(), root, warnings);
    if original.is_none() {
        m.changed = false;
    }
    m
}

/// Remove what the docker-overlay2 target owns for teardown:
/// `storage-driver` (only if overlay2), `data-root` (only if it is
/// `data_root`) and `overlay2.*` options. changed=false when nothing of
/// ours is there. Unknown keys kept.
pub fn remove_overlay2(existing: &str, data_root: &str) -> Result<Merged, MergeError> {
    let (original, warnings) = start(Some(existing))?;
    let mut root = original.clone().unwrap_or_default();
    if get_driver(&root)?.as_deref() != Some(OVERLAY2) {
        return Ok(finish(
            original.as_ref(),
            original.clone().unwrap_or_default(),
            warnings,
        ));
    }
    root.shift_remove(DRIVER_KEY);
    if root.get(DATA_ROOT_KEY).and_then(Value::as_str) == Some(data_root) {
        root.shift_remove(DATA_ROOT_KEY);
    }
    drop_opts(&mut root, |k| k.starts_with("overlay2."))?;
    Ok(finish_removal(original, root, warnings))
}

/// True when a daemon.json text is an empty object (all dmctl put in it
/// was removed): teardown then removes the file it created.
pub fn is_empty_object(text: &str) -> bool {
    matches!(parse_root(text), Ok(Some(m)) if m.is_empty())
}

/// Validate a whole daemon.json text on its own (for `dmctl daemon-json --check FILE` and `dmctl doctor`): invalid JSON, not an object, "storage-opts" not array of strings, "storage-driver" not a string, every dm.* option's problems, devicemapper options present while storage-driver is something else. Returns problems as one-line strings (empty = valid).
///
/// Also reported: an empty file (dockerd 20.10 fails on it with "EOF"), options of other
/// drivers while storage-driver is devicemapper, and `overlay2.*` problems under overlay2.
pub fn check(text: &str) -> Vec<String> {
    let root = match parse_root(text) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return vec![
                "daemon.json is empty; dockerd 20.10 fails to start with \"EOF\" (write {} instead)"
                    .into(),
            ]
        }
        Err(e) => return vec![e.to_string()],
    };
    let mut out = Vec::new();
    let driver = match get_driver(&root) {
        Ok(d) => d,
        Err(e) => {
            out.push(e.to_string());
            None
        }
    };
    let opts = match get_opts(&root) {
        Ok(o) => o,
        Err(e) => {
            out.push(e.to_string());
            Vec::new()
        }
    };
    let driver = driver.filter(|d| !d.is_empty());
    out.extend(
        validate_for_driver(driver.as_deref(), &opts)
            .iter()
            .map(|p| format!("storage-opts: {p}")),
    );
    out
}

/// Reads the storage facts from a daemon.json text. An empty text yields empty facts.
pub fn facts(text: &str) -> Result<DaemonFacts, MergeError> {
    let root = parse_root(text)?.unwrap_or_default();
    let storage_driver = get_driver(&root)?;
    let storage_opts = get_opts(&root)?;
    let thinpooldev = storage_opts
        .iter()
        .filter_map(|o| split_opt(o).filter(|(k, _)| k == "dm.thinpooldev"))
        .map(|(_, v)| v.to_string())
        .next_back();
    Ok(DaemonFacts {
        storage_driver,
        thinpooldev,
        storage_opts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &str = "/dev/mapper/docker-thinpool";

    fn want() -> DmWant {
        DmWant {
            thinpooldev: POOL.into(),
            basesize: None,
            fs: None,
        }
    }

    fn opts_of(text: &str) -> Vec<String> {
        facts(text).unwrap().storage_opts
    }

    fn assert_idempotent(m: &Merged, w: &DmWant) {
        let again = merge_devicemapper(Some(&m.text), w).unwrap();
        assert!(!again.changed, "second merge changed:\n{}", m.text);
        assert_eq!(again.text, m.text);
        assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    }

    #[test]
    fn missing_file_gets_full_config() {
        let w = DmWant {
            thinpooldev: POOL.into(),
            basesize: Some("20G".into()),
            fs: Some("xfs".into()),
        };
        let m = merge_devicemapper(None, &w).unwrap();
        assert!(m.changed);
        assert!(m.warnings.is_empty());
        assert_eq!(m.text, include_str!("testdata/dm_fresh.json"));
        assert_idempotent(&m, &w);
    }

    #[test]
    fn keeps_foreign_keys_in_order_and_other_dm_options_in_place() {
        let existing = include_str!("testdata/existing_mixed.json");
        let m = merge_devicemapper(Some(existing), &want()).unwrap();
        assert!(m.changed);
        let v: Value = serde_json::from_str(&m.text).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "log-driver",
                "storage-opts",
                "log-opts",
                "storage-driver",
                "registry-mirrors"
            ]
        );
        // nested foreign object untouched, including its key order
        assert_eq!(
            v["log-opts"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["max-size", "max-file"]
        );
        assert_eq!(
            opts_of(&m.text),
            [
                "dm.min_free_space=5%",
                "dm.use_deferred_removal=true",
                "dm.mountopt=nodiscard",
                "dm.thinpooldev=/dev/mapper/docker-thinpool",
                "dm.use_deferred_deletion=true",
            ]
        );
        // storage-driver was not devicemapper before → warning; loop option removed → warning
        assert!(m
            .warnings
            .iter()
            .any(|w| w.contains("\"overlay2\"") && w.contains("will not be visible")));
        assert!(m
            .warnings
            .iter()
            .any(|w| w.contains("dm.loopdatasize") && w.contains("conflicts")));
        assert!(m
            .warnings
            .iter()
            .any(|w| w.contains("overlay2.size") && w.contains("not a devicemapper option")));
        assert!(m
            .warnings
            .iter()
            .any(|w| w.contains("dm.use_deferred_removal=false") && w.contains("replaced")));
        assert_idempotent(&m, &want());
    }

    #[test]
    fn already_configured_differently_formatted_is_unchanged() {
        let existing = r#"{"storage-opts":["dm.use_deferred_deletion=true","dm.thinpooldev=/dev/mapper/docker-thinpool","dm.use_deferred_removal=true"],
            "storage-driver":"devicemapper", "debug": true}"#;
        let m = merge_devicemapper(Some(existing), &want()).unwrap();
        assert!(!m.changed, "{}", m.text);
        assert!(m.warnings.is_empty());
        // text is canonical pretty JSON with original option order
        assert!(m
            .text
            .starts_with("{\n  \"storage-opts\": [\n    \"dm.use_deferred_deletion=true\""));
        assert!(m.text.ends_with("}\n"));
    }

    #[test]
    fn changing_our_values_is_a_change() {
        let existing = r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/docker-thinpool","dm.use_deferred_removal=true","dm.use_deferred_deletion=true","dm.basesize=10G","dm.fs=ext4"]}"#;
        let w = DmWant {
            thinpooldev: POOL.into(),
            basesize: Some("20G".into()),
            fs: Some("xfs".into()),
        };
        let m = merge_devicemapper(Some(existing), &w).unwrap();
        assert!(m.changed);
        assert_eq!(
            opts_of(&m.text)[3..],
            ["dm.basesize=20G".to_string(), "dm.fs=xfs".to_string()]
        );
        assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
        // basesize/fs None keeps the existing values
        let m = merge_devicemapper(Some(existing), &want()).unwrap();
        assert!(!m.changed);
        assert!(opts_of(&m.text).contains(&"dm.basesize=10G".to_string()));
    }

    #[test]
    fn same_pool_without_dev_mapper_prefix_is_not_other_pool() {
        let existing = r#"{"storage-opts":["dm.thinpooldev=docker-thinpool"]}"#;
        let m = merge_devicemapper(Some(existing), &want()).unwrap();
        assert!(m.changed);
        assert_eq!(
            opts_of(&m.text)[0],
            "dm.thinpooldev=/dev/mapper/docker-thinpool"
        );
    }

    #[test]
    fn other_pool_is_refused() {
        let existing = r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/vg0-pool"]}"#;
        let e = merge_devicemapper(Some(existing), &want()).unwrap_err();
        assert_eq!(
            e,
            MergeError::OtherPool {
                found: "/dev/mapper/vg0-pool".into()
            }
        );
        assert!(e.to_string().contains("vg0-pool"));
        // also when the other pool is only in a later duplicate
        let existing = r#"{"storage-opts":["dm.thinpooldev=/dev/mapper/docker-thinpool"," DM.THINPOOLDEV = other"]}"#;
        assert!(matches!(
            merge_devicemapper(Some(existing), &want()),
            Err(MergeError::OtherPool { found }) if found == "other"
        ));
    }

    #[test]
    fn direct_lvm_and_device_options_removed_with_warning_each() {
        let existing = r#"{"storage-driver":"devicemapper","storage-opts":[
            "dm.directlvm_device=/dev/xvdf","dm.thinp_percent=95","dm.thinp_metapercent=1",
            "dm.thinp_autoextend_threshold=80","dm.thinp_autoextend_percent=20",
            "dm.directlvm_device_force=false","dm.loopdatasize=200G","dm.loopmetadatasize=4G",
            "dm.datadev=/dev/sdb1","dm.metadatadev=/dev/sdc1","dm.blkdiscard=false"]}"#;
        let m = merge_devicemapper(Some(existing), &want()).unwrap();
        assert_eq!(m.warnings.len(), 10, "{:?}", m.warnings);
        assert_eq!(
            opts_of(&m.text),
            [
                "dm.blkdiscard=false",
                "dm.thinpooldev=/dev/mapper/docker-thinpool",
                "dm.use_deferred_removal=true",
                "dm.use_deferred_deletion=true"
            ]
        );
        assert_idempotent(&m, &want());
    }

    #[test]
    fn duplicates_of_our_keys_collapse() {
        let existing =
            r#"{"storage-opts":["dm.use_deferred_removal=true","dm.use_deferred_removal=true"]}"#;
        let m = merge_devicemapper(Some(existing), &want()).unwrap();
        assert_eq!(
            opts_of(&m.text)
                .iter()
                .filter(|o| o.starts_with("dm.use_deferred_removal"))
                .count(),
            1
        );
        assert!(m.warnings.iter().any(|w| w.contains("duplicate")));
    }

    #[test]
    fn invalid_results_are_refused() {
        let bad_fs = DmWant {
            fs: Some("btrfs".into()),
            ..want()
        };
        match merge_devicemapper(None, &bad_fs) {
            Err(MergeError::Invalid(p)) => {
                assert_eq!(p, ["dm.fs: must be ext4 or xfs, got \"btrfs\""])
            }
            other => panic!("{other:?}"),
        }
        let bad_size = DmWant {
            basesize: Some("20X".into()),
            ..want()
        };
        assert!(matches!(
            merge_devicemapper(None, &bad_size),
            Err(MergeError::Invalid(_))
        ));
        // a bad pre-existing dm option that we keep
        let existing = r#"{"storage-opts":["dm.min_free_space=10"]}"#;
        match merge_devicemapper(Some(existing), &want()) {
            Err(e @ MergeError::Invalid(_)) => assert!(e.to_string().contains("dm.min_free_space")),
            other => panic!("{other:?}"),
        }
        // unknown dm key is kept, so the result is invalid
        let existing = r#"{"storage-opts":["dm.bogus=1"]}"#;
        assert!(matches!(
            merge_devicemapper(Some(existing), &want()),
            Err(MergeError::Invalid(_))
        ));
        // no '=' at all
        let existing = r#"{"storage-opts":["dm.fs"]}"#;
        assert!(matches!(
            merge_devicemapper(Some(existing), &want()),
            Err(MergeError::Invalid(_))
        ));
        // empty pool name
        for p in ["", "  ", "/dev/mapper/"] {
            let w = DmWant {
                thinpooldev: p.into(),
                ..want()
            };
            assert!(
                matches!(merge_devicemapper(None, &w), Err(MergeError::Invalid(_))),
                "{p:?}"
            );
        }
    }

    #[test]
    fn json_and_type_errors() {
        let e = merge_devicemapper(Some("{\"a\": 1,\n}"), &want()).unwrap_err();
        match &e {
            MergeError::InvalidJson(m) => assert!(m.contains("line 2"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(e.to_string().contains("not valid JSON"));
        assert_eq!(
            merge_devicemapper(Some("[1]"), &want()).unwrap_err(),
            MergeError::NotAnObject
        );
        let e = merge_devicemapper(Some(r#"{"storage-opts":"dm.fs=xfs"}"#), &want()).unwrap_err();
        assert!(matches!(&e, MergeError::BadField { key, .. } if key == "storage-opts"));
        assert!(e.to_string().contains("storage-opts"));
        let e =
            merge_devicemapper(Some(r#"{"storage-opts":["dm.fs=xfs", 3]}"#), &want()).unwrap_err();
        assert!(
            matches!(&e, MergeError::BadField { message, .. } if message.contains("element 1"))
        );
        let e = merge_devicemapper(Some(r#"{"storage-driver":1}"#), &want()).unwrap_err();
        assert!(matches!(&e, MergeError::BadField { key, .. } if key == "storage-driver"));
    }

    #[test]
    fn empty_file_and_nulls() {
        let m = merge_devicemapper(Some("  \n"), &want()).unwrap();
        assert!(m.changed);
        assert_eq!(m.warnings.len(), 1);
        let m2 = merge_devicemapper(
            Some(r#"{"storage-driver":null,"storage-opts":null}"#),
            &want(),
        )
        .unwrap();
        assert!(m2.changed);
        assert_eq!(
            facts(&m2.text).unwrap().storage_driver.as_deref(),
            Some("devicemapper")
        );
    }

    #[test]
    fn display_of_every_error_is_one_line() {
        let errs = [
            MergeError::InvalidJson("x at line 1 column 2".into()),
            MergeError::NotAnObject,
            MergeError::OtherPool { found: "p".into() },
            MergeError::Invalid(vec!["a".into(), "b".into()]),
            MergeError::BadField {
                key: "k".into(),
                message: "m".into(),
            },
        ];
        for e in errs {
            let s = e.to_string();
            assert!(!s.contains('\n') && s.len() > 20, "{s}");
        }
        assert!(MergeError::Invalid(vec!["a".into(), "b".into()])
            .to_string()
            .contains("a; b"));
    }

    #[test]
    fn overlay2_switch() {
        let dm = merge_devicemapper(
            Some(
                r#"{"debug":true,"storage-opts":["dm.fs=xfs","overlay2.override_kernel_check=true","zfs.fsname=x"]}"#,
            ),
            &want(),
        );
        // zfs/overlay2 options are removed for devicemapper
        let dm = dm.unwrap();
        let m = merge_overlay2(Some(&dm.text), Some("20G"), Some("/srv/docker")).unwrap();
        assert!(m.changed);
        assert!(m
            .warnings
            .iter()
            .any(|w| w.contains("\"devicemapper\" to \"overlay2\"")));
        assert_eq!(
            m.warnings
                .iter()
                .filter(|w| w.contains("removed devicemapper"))
                .count(),
            4
        );
        let f = facts(&m.text).unwrap();
        assert_eq!(f.storage_driver.as_deref(), Some("overlay2"));
        assert_eq!(f.storage_opts, ["overlay2.size=20G"]);
        let v: Value = serde_json::from_str(&m.text).unwrap();
        assert_eq!(v["data-root"], "/srv/docker");
        assert_eq!(v.as_object().unwrap().keys().next().unwrap(), "debug");
        // idempotent
        let again = merge_overlay2(Some(&m.text), Some("20G"), Some("/srv/docker")).unwrap();
        assert!(!again.changed);
        assert_eq!(again.text, m.text);
        // size None removes it and the now-empty storage-opts
        let m2 = merge_overlay2(Some(&m.text), None, None).unwrap();
        assert!(m2.changed);
        let v: Value = serde_json::from_str(&m2.text).unwrap();
        assert!(v.get("storage-opts").is_none());
        assert_eq!(v["data-root"], "/srv/docker"); // None leaves data-root alone
    }

    #[test]
    fn overlay2_keeps_overlay_options_and_drops_others() {
        let existing = r#"{"storage-driver":"overlay2","storage-opts":["overlay2.override_kernel_check=true","overlay2.size=1G","zfs.fsname=x"]}"#;
        let m = merge_overlay2(Some(existing), Some("2G"), None).unwrap();
        assert_eq!(
            facts(&m.text).unwrap().storage_opts,
            ["overlay2.override_kernel_check=true", "overlay2.size=2G"]
        );
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
        assert!(m.warnings[0].contains("zfs.fsname"));
        // nothing to do
        let m = merge_overlay2(Some(r#"{"storage-driver":"overlay2"}"#), None, None).unwrap();
        assert!(!m.changed);
    }

    #[test]
    fn overlay2_validation() {
        assert!(matches!(
            merge_overlay2(None, Some("big"), None),
            Err(MergeError::Invalid(_))
        ));
        assert!(matches!(
            merge_overlay2(None, None, Some("var/lib/docker")),
            Err(MergeError::Invalid(_))
        ));
        assert!(matches!(
            merge_overlay2(Some(r#"{"storage-opts":["overlay2.bogus=1"]}"#), None, None),
            Err(MergeError::Invalid(_))
        ));
        assert_eq!(
            merge_overlay2(Some("7"), None, None).unwrap_err(),
            MergeError::NotAnObject
        );
    }

    #[test]
    fn remove_devicemapper_teardown() {
        let w = DmWant {
            basesize: Some("20G".into()),
            ..want()
        };
        let merged = merge_devicemapper(
            Some(r#"{"debug":true,"storage-opts":["dm.min_free_space=5%"]}"#),
            &w,
        )
        .unwrap();
        let r = remove_devicemapper(&merged.text).unwrap();
        assert!(r.changed);
        assert_eq!(r.text, "{\n  \"debug\": true\n}\n");
        let again = remove_devicemapper(&r.text).unwrap();
        assert!(!again.changed);
        assert_eq!(again.text, r.text);
    }

    #[test]
    fn remove_keeps_other_driver_and_options() {
        let t = r#"{"storage-driver":"overlay2","storage-opts":["overlay2.size=1G"]}"#;
        let r = remove_devicemapper(t).unwrap();
        assert!(!r.changed);
        let t = r#"{"storage-driver":"devicemapper","storage-opts":["dm.fs=xfs","overlay2.size=1G"],"x":1}"#;
        let r = remove_devicemapper(t).unwrap();
        let v: Value = serde_json::from_str(&r.text).unwrap();
        assert!(v.get("storage-driver").is_none());
        assert_eq!(v["storage-opts"], serde_json::json!(["overlay2.size=1G"]));
        assert_eq!(v["x"], 1);
        // an empty, pre-existing storage-opts is not ours to drop
        let r = remove_devicemapper(r#"{"storage-opts":[]}"#).unwrap();
        assert!(!r.changed);
        assert!(r.text.contains("storage-opts"));
        assert!(!remove_devicemapper("").unwrap().changed);
        assert!(matches!(
            remove_devicemapper("{"),
            Err(MergeError::InvalidJson(_))
        ));
        assert!(matches!(
            remove_devicemapper(r#"{"storage-opts":{}}"#),
            Err(MergeError::BadField { .. })
        ));
    }

    #[test]
    fn check_reports_each_kind_of_problem() {
        assert!(check(include_str!("testdata/dm_fresh.json")).is_empty());
        assert!(check("{}").is_empty());
        assert!(
            check(r#"{"storage-driver":"overlay2","storage-opts":["overlay2.size=10G"]}"#)
                .is_empty()
        );
        let p = check("");
        assert!(p.len() == 1 && p[0].contains("empty"));
        let p = check("{\"storage-driver\": \"devicemapper\",}");
        assert!(p.len() == 1 && p[0].contains("line 1"), "{p:?}");
        assert_eq!(check("\"x\"").len(), 1);
        let p = check(r#"{"storage-driver":["devicemapper"]}"#);
        assert!(p.len() == 1 && p[0].contains("storage-driver"), "{p:?}");
        let p = check(r#"{"storage-driver":"devicemapper","storage-opts":[1]}"#);
        assert!(p.len() == 1 && p[0].contains("storage-opts"), "{p:?}");
        let p = check(
            r#"{"storage-driver":"devicemapper","storage-opts":["dm.fs=zfs","dm.min_free_space=100%"]}"#,
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("storage-opts: dm.fs:"));
        let p = check(
            r#"{"storage-driver":"overlay2","storage-opts":["dm.thinpooldev=/dev/mapper/x"]}"#,
        );
        assert!(p.len() == 1 && p[0].contains("\"overlay2\""), "{p:?}");
        let p = check(r#"{"storage-opts":["dm.thinpooldev=/dev/mapper/x"]}"#);
        assert!(p.len() == 1 && p[0].contains("not set"), "{p:?}");
        let p = check(
            r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=x","overlay2.size=1G"]}"#,
        );
        assert!(p.len() == 1 && p[0].contains("overlay2.size"), "{p:?}");
    }

    #[test]
    fn facts_reads_driver_pool_and_opts() {
        let f = facts(
            r#"{"storage-driver":"devicemapper","storage-opts":["dm.thinpooldev=/dev/mapper/a","dm.fs=xfs"," dm.thinpooldev = /dev/mapper/b "]}"#,
        )
        .unwrap();
        assert_eq!(f.storage_driver.as_deref(), Some("devicemapper"));
        assert_eq!(f.thinpooldev.as_deref(), Some("/dev/mapper/b"));
        assert_eq!(f.storage_opts.len(), 3);
        assert_eq!(facts("").unwrap(), DaemonFacts::default());
        assert_eq!(facts("{}").unwrap(), DaemonFacts::default());
        assert!(matches!(facts("nope"), Err(MergeError::InvalidJson(_))));
        assert_eq!(facts("[]").unwrap_err(), MergeError::NotAnObject);
        assert!(matches!(
            facts(r#"{"storage-opts":[true]}"#),
            Err(MergeError::BadField { .. })
        ));
    }

    #[test]
    fn overlay2_removal_takes_only_what_dmctl_set() {
        let mine = r#"{"log-driver": "journald"}"#;
        let m = merge_overlay2(Some(mine), Some("10G"), Some("/var/lib/docker")).unwrap();
        let back = remove_overlay2(&m.text, "/var/lib/docker").unwrap();
        assert!(back.changed);
        assert_eq!(
            serde_json::from_str::<Value>(&back.text).unwrap(),
            serde_json::from_str::<Value>(mine).unwrap()
        );
        let fresh = merge_overlay2(None, None, Some("/var/lib/docker")).unwrap();
        let back = remove_overlay2(&fresh.text, "/var/lib/docker").unwrap();
        assert!(is_empty_object(&back.text));
        // Another driver: nothing of ours.
        let dm = r#"{"storage-driver": "devicemapper", "data-root": "/var/lib/docker"}"#;
        assert!(!remove_overlay2(dm, "/var/lib/docker").unwrap().changed);
    }
}
