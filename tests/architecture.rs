//! The shape ARCHITECTURE.md promises, checked on the source: no import
//! circle between the crate's top-level modules, and no non-test source
//! file over 800 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/pool/sizing.rs` → pool).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// A file's code before its first `#[cfg(test)]` (test-only files: none).
fn non_test_code(file: &Path) -> String {
    let name = file.file_name().unwrap().to_string_lossy();
    if name == "tests.rs" || name == "testkit.rs" {
        return String::new();
    }
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn files() -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut v = Vec::new();
    sources(&src, &mut v);
    v.sort();
    (src, v)
}

#[test]
fn no_import_circle_between_modules() {
    let (src, files) = files();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let from = module_of(&src, f);
        if from == "main" || from == "lib" {
            continue;
        }
        let code = non_test_code(f);
        let mut rest = code.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + 7..];
            let to: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !to.is_empty() && to != from {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
        graph.entry(from).or_default();
    }
    // Depth-first search for a back edge; report the circle.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| p == m).unwrap();
                    let mut c = path[start..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(n, &graph, &mut state, &mut Vec::new()) {
                panic!("import circle: {}", c.join(" -> "));
            }
        }
    }
    // The layering ARCHITECTURE.md draws: the engine and the parsers never
    // reach up into planning or commands.
    for low in [
        "engine",
        "exec",
        "lvm",
        "dm",
        "mounts",
        "docker",
        "containerd",
    ] {
        for high in [
            "cmd", "pool", "targets", "facts", "bootunit", "status", "doctor",
        ] {
            assert!(
                !graph.get(low).is_some_and(|d| d.contains(high)),
                "{low} imports {high}: {:?}",
                graph.get(low)
            );
        }
    }
}

#[test]
fn no_non_test_file_over_800_lines() {
    let (src, files) = files();
    for f in &files {
        let n = std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .count();
        let name = f.strip_prefix(&src).unwrap().display().to_string();
        if name.ends_with("tests.rs") || name == "testkit.rs" {
            continue;
        }
        assert!(
            n <= 800,
            "{name} has {n} lines of non-test code (at most 800)"
        );
    }
}
