//! Password rules and hashing (argon2id, PHC strings). Rules follow the usual requirement for
//! government systems (等保): a minimum length and at least three of four character classes.

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;

use crate::validation::{FieldError, Invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: 10 }
    }
}

pub const MAX_LENGTH: usize = 128;

impl PasswordPolicy {
    /// Every rule the password breaks, as field errors on `field`.
    pub fn check(&self, field: &str, username: &str, password: &str) -> Result<(), Invalid> {
        let mut e = Invalid::default();
        let len = password.chars().count();
        if len < self.min_length {
            e.push(FieldError::new(field, "err.password_short").with("min", self.min_length));
        }
        if len > MAX_LENGTH {
            e.push(FieldError::new(field, "err.too_long").with("max", MAX_LENGTH));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if classes < 3 {
            e.push(FieldError::new(field, "err.password_classes"));
        }
        let user = username.trim().to_lowercase();
        if !user.is_empty() && password.to_lowercase().contains(&user) {
            e.push(FieldError::new(field, "err.password_username"));
        }
        e.into_result()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes with argon2id and a random salt. CPU-heavy (tens of milliseconds): call it off the
/// async executor.
pub fn hash(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

thread_local! {
    /// The thread's argon2 working memory (19 MiB at the default cost), reused from one check
    /// to the next while sign-ins queue, and given back when none waits ([`release_memory`]):
    /// allocating it per check fragmented the heap until a server under concurrent sign-ins
    /// held hundreds of megabytes (see docs/PERFORMANCE.md).
    static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Gives the thread's argon2 working memory back, for a thread with no password work waiting.
pub fn release_memory() {
    MEMORY.with_borrow_mut(|memory| *memory = Vec::new());
}

/// Whether `password` matches the PHC string `phc`. A malformed hash never matches. The
/// comparison is constant-time (`Output`'s equality).
pub fn verify(password: &str, phc: &str) -> bool {
    use argon2::password_hash::phc::{Output, PasswordHash};
    use argon2::{Algorithm, Params, Version};
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&h.salt, &h.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(h.algorithm.as_str()),
        h.version.map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&h),
    ) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let computed = MEMORY.with_borrow_mut(|memory| {
        memory.resize(params.block_count(), argon2::Block::default());
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            &mut memory[..],
        )
    });
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == *expected)
}

/// A valid hash of a random secret, verified against when the username does not exist so that
/// a wrong username costs the same time as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy-Password-1").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let p = PasswordPolicy::default();
        assert!(p.check("password", "wangli", "Gaoqing@2026").is_ok());
        let codes = |pw: &str| -> Vec<&'static str> {
            p.check("password", "wangli", pw)
                .err()
                .map(|e| e.0.iter().map(|x| x.code).collect())
                .unwrap_or_default()
        };
        assert_eq!(codes("Ab1!"), vec!["err.password_short"]);
        assert_eq!(codes("abcdefghijkl"), vec!["err.password_classes"]);
        assert_eq!(codes("WangLi@20261"), vec!["err.password_username"]);
        assert_eq!(codes("县城招商引资工作123"), vec!["err.password_classes"]);
        assert_eq!(codes("县城招商引资工作a1Z"), Vec::<&str>::new());
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("Gaoqing@2026").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Gaoqing@2026", &h));
        assert!(!verify("gaoqing@2026", &h));
        assert!(!verify("Gaoqing@2026", "not a hash"));
        assert!(!verify("x", decoy_hash()));
        // With its working memory given back, the thread makes a new one for the next check.
        release_memory();
        assert_eq!(MEMORY.with_borrow(Vec::capacity), 0);
        assert!(verify("Gaoqing@2026", &h));
        assert!(!verify("gaoqing@2026", &h));
    }
}
