//! The LVM profile file that carries the autoextend policy: its text,
//! reading it back, and whether it is dmctl's.

use crate::config::Settings;

/// The first line of every profile dmctl writes.
pub const MARK: &str = "# Written by dmctl";

/// Profile file text.
pub fn text(s: &Settings) -> String {
    format!(
        "# Written by dmctl: autoextend policy for the thin pool {pool}.\n\
         # dmeventd grows the pool by {pct}% when its data or metadata use\n\
         # reaches {thr}% (100 = never).\n\
         activation {{\n\
         \tthin_pool_autoextend_threshold={thr}\n\
         \tthin_pool_autoextend_percent={pct}\n\
         }}\n",
        pool = s.pool_path(),
        thr = s.autoextend_threshold,
        pct = s.autoextend_percent
    )
}

/// `(threshold, percent)` from a profile file. LVM's config syntax allows
/// `activation { a=1 b=2 }` on one line, so keys are found anywhere
/// outside comments.
pub fn parse(text: &str) -> (Option<u8>, Option<u8>) {
    let body: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let value = |key: &str| -> Option<u8> {
        let mut found = None;
        let mut rest = body.as_str();
        while let Some(i) = rest.find(key) {
            let after = rest[i + key.len()..].trim_start();
            if let Some(v) = after.strip_prefix('=') {
                let digits: String = v
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                found = digits.parse().ok();
            }
            rest = &rest[i + key.len()..];
        }
        found
    };
    (
        value("thin_pool_autoextend_threshold"),
        value("thin_pool_autoextend_percent"),
    )
}

pub fn is_current(s: &Settings, text: Option<&str>) -> bool {
    text.map(parse) == Some((Some(s.autoextend_threshold), Some(s.autoextend_percent)))
}
