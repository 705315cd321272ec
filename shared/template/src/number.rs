//! JavaScript's `Number.prototype.toString` for JSON numbers: what `{{n}}` prints. Used on every
//! render of a plain `serde_json::Value` and once per number when an event's data is prepared
//! (`prepared.rs`), so both paths print the same text.

/// Integers up to 2^53 print exactly; everything else goes through f64 like JSON.parse does, so a
/// 64-bit id prints with the precision JavaScript keeps.
pub(crate) fn write_number(out: &mut String, n: &serde_json::Number) {
    const SAFE: u64 = 1 << 53;
    if let Some(u) = n.as_u64() {
        if u <= SAFE {
            out.push_str(itoa::Buffer::new().format(u));
            return;
        }
    } else if let Some(i) = n.as_i64()
        && i.unsigned_abs() <= SAFE
    {
        out.push_str(itoa::Buffer::new().format(i));
        return;
    }
    write_f64(out, n.as_f64().unwrap_or(f64::NAN));
}

/// `Number.prototype.toString()` (ECMA-262 Number::toString): `20.0` -> `20`, `1e21` -> `1e+21`,
/// `1.5e-7` -> `1.5e-7`, `-0` -> `0`. ryu-js implements exactly that algorithm; numbers with few
/// digits (sensor readings, coordinates) take a shorter path that prints the same text.
pub(crate) fn write_f64(out: &mut String, f: f64) {
    if !write_short_decimal(out, f) {
        out.push_str(ryu_js::Buffer::new().format(f));
    }
}

const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const POW10_INT: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// Writes `f` in plain decimal notation when its shortest round-trip form has at most 15
/// significant digits and at most 9 after the point, and its magnitude is in JavaScript's plain
/// range; returns false (writing nothing) otherwise, and ryu-js prints it.
///
/// Why it prints what Number::toString prints: with at most 15 significant digits, exactly one
/// `k`-digit decimal `M / 10^k` lies within half an ulp of `f` (their spacing is far wider than
/// an ulp), and it is the nearest one. The first `k` whose product `f * 10^k` is an integer `m`
/// with `m / 10^k == f` (a correctly rounded division, like parsing) has found it; should the
/// product's rounding have hidden a shorter `k`, the longer match is that decimal followed by
/// zeros, which are stripped. No match means ryu-js. `tests::short_decimals_match_ryu_js` and the
/// `numbers_print_like_ryu_js` property test compare it with ryu-js.
fn write_short_decimal(out: &mut String, f: f64) -> bool {
    let a = f.abs();
    // JavaScript prints below 1e-6 and from 1e21 in exponent form; NaN fails both tests.
    if !(1e-6..1e15).contains(&a) {
        return false;
    }
    for (k, &scale) in POW10.iter().enumerate() {
        let scaled = a * scale;
        if scaled >= 1e15 {
            return false;
        }
        // `as i64` is one native instruction (`f64::trunc` is a libm call on baseline x86-64 and
        // `as u64` a branchy sequence), exact here because `0 <= scaled < 1e15`.
        let m = scaled as i64;
        if m as f64 != scaled || scaled / scale != a {
            continue;
        }
        let (mut m, mut k) = (m.unsigned_abs(), k);
        while k > 0 && m % 10 == 0 {
            m /= 10;
            k -= 1;
        }
        if f < 0.0 {
            out.push('-');
        }
        let mut digits = itoa::Buffer::new();
        out.push_str(digits.format(m / POW10_INT[k]));
        if k > 0 {
            out.push('.');
            let frac = digits.format(m % POW10_INT[k]);
            for _ in frac.len()..k {
                out.push('0');
            }
            out.push_str(frac);
        }
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_decimals_match_ryu_js() {
        let check = |f: f64| {
            let mut ours = String::new();
            if write_short_decimal(&mut ours, f) {
                assert_eq!(ours, ryu_js::Buffer::new().format(f), "{f:e}");
            }
        };
        for m in (0..50_000u64).chain((1..2000).map(|i| i * 7_919_993)) {
            for k in 0..12 {
                let f = m as f64 / 10f64.powi(k);
                check(f);
                check(-f);
                check(f + f * f64::EPSILON);
                check(f.next_up());
            }
        }
        for f in [
            0.1 + 0.2,
            1.0 / 3.0,
            42.3857729,
            -75.195375,
            1e-6,
            1.5e-6,
            999999999999999.0,
            0.000001,
        ] {
            check(f);
        }
    }
}
