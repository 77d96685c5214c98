//! Periodic jobs' time slots. With several instances on one database, a job runs once per slot:
//! every instance computes the same slot for the same moment, and the first to claim it runs it.

use chrono::{DateTime, TimeZone, Utc};

/// The slot `at` falls in when a job runs every `every_secs` seconds: the slot's start, in UTC,
/// as text (`2026-11-29T12:10:00Z`). Slots are aligned to the Unix epoch, so instances started at
/// different moments agree.
pub fn slot(at: DateTime<Utc>, every_secs: u32) -> String {
    let every = i64::from(every_secs.max(1));
    let start = at.timestamp().div_euclid(every) * every;
    Utc.timestamp_opt(start, 0)
        .single()
        .unwrap_or(at)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    #[test]
    fn moments_in_one_slot_agree_and_the_next_slot_differs() {
        let a = slot(at("2026-11-29T12:10:00Z"), 600);
        assert_eq!(a, "2026-11-29T12:10:00Z");
        assert_eq!(slot(at("2026-11-29T12:19:59.999Z"), 600), a);
        assert_eq!(
            slot(at("2026-11-29T12:20:00Z"), 600),
            "2026-11-29T12:20:00Z"
        );
        assert_eq!(
            slot(at("2026-11-29T12:09:59Z"), 600),
            "2026-11-29T12:00:00Z"
        );
        assert_eq!(slot(at("2026-11-29T12:10:07Z"), 0), "2026-11-29T12:10:07Z");
    }
}
