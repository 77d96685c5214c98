//! Chinese numerals as they appear in headings and dates (一 … 九十九, 两, 〇).

/// The value of a Chinese numeral such as "十二", "二十", "一百零五", or of ASCII digits.
pub fn cn_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '〇' | '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let mut total: u32 = 0;
    let mut current: Option<u32> = None;
    for c in s.chars() {
        match c {
            '十' => {
                total = total.checked_add(current.unwrap_or(1).checked_mul(10)?)?;
                current = None;
            }
            '百' => {
                total = total.checked_add(current.unwrap_or(1).checked_mul(100)?)?;
                current = None;
            }
            c => {
                let d = digit(c)?;
                current = Some(current.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
            }
        }
    }
    total.checked_add(current.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::cn_number;

    #[test]
    fn numerals() {
        for (s, n) in [
            ("一", 1),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("二十三", 23),
            ("一百零五", 105),
            ("两", 2),
            ("18", 18),
        ] {
            assert_eq!(cn_number(s), Some(n), "{s}");
        }
        assert_eq!(cn_number("甲"), None);
        assert_eq!(cn_number(""), None);
    }
}
