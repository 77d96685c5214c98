//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
//! 31-character alphabet (digits and capitals without I, O, S, V, Z). Character 1 is the
//! registering authority, 2 the kind of organisation, 3–8 the administrative division, 9–17 the
//! organisation's own code, and 18 a check character over the first 17.

/// The alphabet, in value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17 (3^i mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a code is refused. Positions are 1-based, as a user counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditCodeError {
    /// Not 18 characters (after trimming).
    Length(usize),
    /// A character outside the alphabet, at this position.
    Character { position: usize, found: char },
    /// The check character (position 18) is not the one the first 17 give.
    Check { expected: char, found: char },
}

fn value(c: char) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|v| u32::try_from(v).ok())
}

/// The check character of the first 17 characters; `None` unless they are 17 of the alphabet.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut n = 0;
    for c in first17.chars() {
        sum += value(c)? * WEIGHTS.get(n)?;
        n += 1;
    }
    if n != 17 {
        return None;
    }
    let v = (31 - sum % 31) % 31;
    Some(char::from(ALPHABET[v as usize]))
}

/// Checks a code as typed (spaces around it and lower case are forgiven) and returns it in its
/// canonical form, upper case.
pub fn check(code: &str) -> Result<String, CreditCodeError> {
    let code = code.trim().to_uppercase();
    let n = code.chars().count();
    if n != 18 {
        return Err(CreditCodeError::Length(n));
    }
    if let Some((i, c)) = code.chars().enumerate().find(|(_, c)| value(*c).is_none()) {
        return Err(CreditCodeError::Character {
            position: i + 1,
            found: c,
        });
    }
    // All 18 are ASCII now, so byte 17 is the last character.
    let (first17, last) = code.split_at(17);
    let found = last.chars().next().unwrap_or('?');
    match check_character(first17) {
        Some(expected) if expected == found => Ok(code),
        Some(expected) => Err(CreditCodeError::Check { expected, found }),
        None => Err(CreditCodeError::Length(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Codes published on the national enterprise credit system (the standard's own example
    /// first, then three large companies).
    const REAL: [&str; 4] = [
        "91350100M000100Y43",
        "9144030071526726XG",
        "91330100799655058B",
        "914403001922038216",
    ];

    #[test]
    fn published_codes_pass_and_are_made_canonical() {
        for code in REAL {
            assert_eq!(check(code).as_deref(), Ok(code));
        }
        assert_eq!(
            check(" 9144030071526726xg ").as_deref(),
            Ok("9144030071526726XG")
        );
    }

    #[test]
    fn a_wrong_code_says_what_is_wrong() {
        assert_eq!(
            check("91350100M000100Y44"),
            Err(CreditCodeError::Check {
                expected: '3',
                found: '4'
            })
        );
        assert_eq!(check("91350100M000100Y4"), Err(CreditCodeError::Length(17)));
        assert_eq!(
            check("91350100M0001O0Y43"),
            Err(CreditCodeError::Character {
                position: 14,
                found: 'O'
            })
        );
        assert_eq!(
            check("91350100M000100Y4３"),
            Err(CreditCodeError::Character {
                position: 18,
                found: '３'
            })
        );
    }

    proptest! {
        /// Any 17 characters of the alphabet with their check character pass; changing any one
        /// character to another of the alphabet is caught (the check is a weighted sum mod 31
        /// with weights prime to 31).
        #[test]
        fn every_single_substitution_is_caught(
            body in proptest::collection::vec(0usize..31, 17),
            at in 0usize..18,
            delta in 1usize..31,
        ) {
            let mut chars: Vec<char> = body.iter().map(|&v| char::from(ALPHABET[v])).collect();
            let first17: String = chars.iter().collect();
            let c = check_character(&first17).expect("check");
            chars.push(c);
            let good: String = chars.iter().collect();
            prop_assert_eq!(check(&good), Ok(good.clone()));
            let old = value(chars[at]).expect("in alphabet") as usize;
            chars[at] = char::from(ALPHABET[(old + delta) % 31]);
            let bad: String = chars.iter().collect();
            let is_check_error = matches!(check(&bad), Err(CreditCodeError::Check { .. }));
            prop_assert!(is_check_error);
        }
    }
}
