//! Numbers as the CSV files write them: fixed decimals, exactly as `format!("{x:.N}")`.
//!
//! A national run writes about 10^5 numbers, and the standard formatter's exact algorithms
//! (Grisu with a Dragon4 fallback) were a tenth of the process's serial time. Fixed decimals
//! of a value that is not close to a rounding tie need no exact algorithm: scale, round,
//! print an integer. Values near a tie, very large values and non-finite values go to the
//! standard formatter, so the text is the same byte for byte.

/// `format!("{x:.decimals$}")` for `decimals` up to 6.
pub fn fixed(x: f64, decimals: usize) -> String {
    let mut out = String::with_capacity(24);
    push_fixed(&mut out, x, decimals);
    out
}

/// Appends `format!("{x:.decimals$}")` to `out`.
pub fn push_fixed(out: &mut String, x: f64, decimals: usize) {
    const SCALE: [f64; 7] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];
    const LIMIT: f64 = 1e12;
    let Some(&scale) = SCALE.get(decimals) else {
        push_std(out, x, decimals);
        return;
    };
    let scaled = x.abs() * scale;
    // Below 10^12 the product is within 10^12 * 2^-53 (about 1.1e-4) of the exact
    // x * 10^decimals, so unless the fraction is within 10^-3 of one half, rounding the
    // product rounds the exact value the same way (which is what `format!` does).
    let usable = scaled.is_finite() && scaled < LIMIT;
    if !usable || ((scaled - scaled.floor()) - 0.5).abs() < 1e-3 {
        push_std(out, x, decimals);
        return;
    }
    let digits = scaled.round() as u64;
    // `format!` keeps the sign of every negative value, -0.0 and those that round to 0 too.
    if x.is_sign_negative() {
        out.push('-');
    }
    let pow = 10u64.pow(decimals as u32);
    push_u64(out, digits / pow);
    if decimals > 0 {
        out.push('.');
        let frac = digits % pow;
        let mut buf = [b'0'; 6];
        let mut rest = frac;
        for slot in buf[..decimals].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        out.push_str(std::str::from_utf8(&buf[..decimals]).expect("ASCII digits"));
    }
}

fn push_std(out: &mut String, x: f64, decimals: usize) {
    use std::fmt::Write as _;
    write!(out, "{x:.decimals$}").expect("writing to a String cannot fail");
}

fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(x: f64, d: usize) {
        assert_eq!(fixed(x, d), format!("{x:.d$}"), "x = {x:e}, {d} decimals");
    }

    #[test]
    fn matches_the_standard_formatter_on_edge_cases() {
        let cases = [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.0005,
            0.0015,
            0.0625,
            1.0005,
            -0.0004,
            123456.7895,
            0.1 + 0.2,
            1e11,
            999_999_999_999.999_5,
            1e12,
            1e15,
            1e300,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for x in cases {
            for d in 0..=7 {
                same(x, d);
            }
        }
    }

    #[test]
    fn matches_on_every_thousandth_near_ties() {
        // Hours are often k/4 or k/8 of an hour: exact binary ties at 3 decimals.
        for k in -20_000..20_000 {
            for den in [2.0, 4.0, 8.0, 16.0, 1000.0, 2000.0] {
                let x = f64::from(k) / den;
                for d in [0, 1, 2, 3, 6] {
                    same(x, d);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn matches_the_standard_formatter(x in -1e13f64..1e13, d in 0usize..=6) {
            prop_assert_eq!(fixed(x, d), format!("{x:.d$}"));
        }

        #[test]
        fn matches_on_small_values(x in -1000.0f64..1000.0, d in 0usize..=6) {
            prop_assert_eq!(fixed(x, d), format!("{x:.d$}"));
        }

        #[test]
        fn matches_on_any_bits(bits in any::<u64>(), d in 0usize..=6) {
            let x = f64::from_bits(bits);
            prop_assert_eq!(fixed(x, d), format!("{x:.d$}"));
        }
    }
}
