//! The audit chain. Each entry's hash covers the previous entry's hash and the entry's own
//! fields in a fixed encoding, so editing, deleting or reordering any stored entry breaks every
//! hash after it, and `zhaoyin audit verify` names the first broken one.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry as stored, minus its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFields {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub region_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Timestamps are stored and hashed at microsecond precision, which both databases keep exactly.
pub fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let micros = t.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(t)
}

/// `sha256(prev_hash || "\n" || canonical JSON array of the fields)`, hex-encoded.
pub fn chain_hash(prev_hash: &str, f: &AuditFields) -> String {
    let canonical = serde_json::json!([
        f.seq,
        truncate_to_micros(f.at).to_rfc3339_opts(SecondsFormat::Micros, true),
        f.actor_user_id,
        f.actor_name,
        f.ip,
        f.request_id,
        f.action,
        f.entity,
        f.entity_id,
        f.region_id,
        f.unit_id,
        f.before_json,
        f.after_json,
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Why verification stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// The stored `prev_hash` is not the previous entry's hash (an entry was removed or reordered).
    Link { seq: i64 },
    /// The entry's fields no longer produce its stored hash (it was edited).
    Content { seq: i64 },
    /// Sequence numbers are not consecutive (an entry was deleted).
    Gap { expected: i64, found: i64 },
}

/// Incremental verifier: feed entries in `seq` order.
#[derive(Debug, Clone)]
pub struct Verifier {
    prev_hash: String,
    next_seq: Option<i64>,
    pub checked: u64,
}

impl Verifier {
    /// Starts at the genesis, or after a known-good entry.
    pub fn new(prev_hash: &str, next_seq: Option<i64>) -> Self {
        Self {
            prev_hash: prev_hash.to_string(),
            next_seq,
            checked: 0,
        }
    }

    pub fn feed(
        &mut self,
        fields: &AuditFields,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), Broken> {
        if let Some(expected) = self.next_seq
            && fields.seq != expected
        {
            return Err(Broken::Gap {
                expected,
                found: fields.seq,
            });
        }
        if prev_hash != self.prev_hash {
            return Err(Broken::Link { seq: fields.seq });
        }
        if chain_hash(prev_hash, fields) != hash {
            return Err(Broken::Content { seq: fields.seq });
        }
        self.prev_hash = hash.to_string();
        self.next_seq = Some(fields.seq + 1);
        self.checked += 1;
        Ok(())
    }

    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, after: &str) -> AuditFields {
        AuditFields {
            seq,
            at: DateTime::from_timestamp(1_700_000_000 + seq, 123_456_789).unwrap_or_default(),
            actor_user_id: Some(1),
            actor_name: "系统管理员".into(),
            ip: Some("127.0.0.1".into()),
            request_id: None,
            action: "create".into(),
            entity: "unit".into(),
            entity_id: Some(seq.to_string()),
            region_id: Some(3),
            unit_id: None,
            before_json: None,
            after_json: Some(after.into()),
        }
    }

    fn chain(n: i64) -> Vec<(AuditFields, String, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let f = entry(i, &format!("{{\"name\":\"单位{i}\"}}"));
                let h = chain_hash(&prev, &f);
                let row = (f, prev.clone(), h.clone());
                prev = h;
                row
            })
            .collect()
    }

    fn verify(rows: &[(AuditFields, String, String)]) -> Result<u64, Broken> {
        let mut v = Verifier::new(GENESIS, Some(1));
        for (f, p, h) in rows {
            v.feed(f, p, h)?;
        }
        Ok(v.checked)
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn edit_is_found() {
        let mut rows = chain(5);
        rows[2].0.after_json = Some("{\"name\":\"改过\"}".into());
        assert_eq!(verify(&rows), Err(Broken::Content { seq: 3 }));
    }

    #[test]
    fn deletion_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(
            verify(&rows),
            Err(Broken::Gap {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn rehashing_one_entry_breaks_the_next_link() {
        let mut rows = chain(5);
        rows[1].0.actor_name = "他人".into();
        rows[1].2 = chain_hash(&rows[1].1, &rows[1].0);
        assert_eq!(verify(&rows), Err(Broken::Link { seq: 3 }));
    }

    #[test]
    fn timestamps_hash_at_micro_precision() {
        let a = entry(1, "{}");
        let mut b = a.clone();
        b.at = truncate_to_micros(b.at);
        assert_eq!(chain_hash(GENESIS, &a), chain_hash(GENESIS, &b));
    }
}
