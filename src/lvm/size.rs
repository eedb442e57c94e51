//! Sizes as admins type them (`512K`, `10G`, `+5G`) and as dmctl prints them.

/// Parse a size with a binary unit: `512K`, `512k`, `1.5G`, `10GiB`, `4096B`.
/// A unit is required: LVM reads a bare number as MiB, Docker as bytes, so
/// dmctl takes neither guess.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("size {s:?} has no unit: write e.g. 512K, 100M, 10G"))?;
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!("size {s:?} does not start with a number"));
    }
    let value: f64 = num
        .parse()
        .map_err(|_| format!("size {s:?}: {num:?} is not a number"))?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        "p" | "pb" | "pib" => 50,
        _ => {
            return Err(format!(
                "size {s:?}: unknown unit {unit:?} (use B, K, M, G, T or P)"
            ))
        }
    };
    if !num.contains('.') {
        // A whole number: exact (an f64 rounds above 2^53 bytes).
        return num
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(1u64 << shift))
            .ok_or_else(|| format!("size {s:?} is too large"));
    }
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(format!("size {s:?} is too large"));
    }
    if bytes.fract() != 0.0 {
        return Err(format!("size {s:?} is not a whole number of bytes"));
    }
    Ok(bytes as u64)
}

/// Human form with a binary unit and two decimals: `1.89 GiB`, `512 KiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if v.fract() == 0.0 {
        format!("{} {}", v as u64, UNITS[i])
    } else {
        format!("{v:.2} {}", UNITS[i])
    }
}

/// A size for an lvm2 argument, exact in bytes: `524288b`.
pub fn lvm_arg(bytes: u64) -> String {
    format!("{bytes}b")
}

/// The smallest multiple of `unit` that is >= `n`.
pub fn round_up(n: u64, unit: u64) -> u64 {
    n.div_ceil(unit) * unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_binary_units() {
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("10GiB"), Ok(10 << 30));
        assert_eq!(parse_size("4096B"), Ok(4096));
        assert_eq!(parse_size(" 2m "), Ok(2 << 20));
    }

    #[test]
    fn rejects_ambiguous_or_bad_sizes() {
        assert!(parse_size("100").unwrap_err().contains("no unit"));
        assert!(parse_size("G").unwrap_err().contains("number"));
        assert!(parse_size("10X").unwrap_err().contains("unknown unit"));
        assert!(parse_size("1.1b").unwrap_err().contains("whole"));
        assert!(parse_size("99999999P").unwrap_err().contains("too large"));
    }

    #[test]
    fn whole_numbers_are_exact() {
        // found by fuzz/fuzz_targets/sizes.rs: f64 rounded these to a neighbour
        assert_eq!(parse_size("9007199254740993B"), Ok(9007199254740993));
        assert_eq!(parse_size("9007199254740993K"), Ok(9007199254740993 << 10));
        assert_eq!(parse_size("18446744073709551615b"), Ok(u64::MAX));
        assert!(parse_size("18446744073709551616b")
            .unwrap_err()
            .contains("too large"));
        assert_eq!(parse_size("16383P"), Ok(16383 << 50));
    }

    #[test]
    fn human_and_rounding() {
        assert_eq!(human(512 * 1024), "512 KiB");
        assert_eq!(human(2034237440), "1.89 GiB");
        assert_eq!(human(0), "0 B");
        assert_eq!(round_up(5, 4), 8);
        assert_eq!(round_up(8, 4), 8);
        assert_eq!(lvm_arg(4096), "4096b");
    }
}
