//! The sweep that keeps lights current relies on `next_change`: between a day and its next
//! change the light must stay the same, and on that day it must differ.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use zhaoyin_core::task::{LightFacts, LightRules, TaskCadence, TaskStatus, light, next_change};

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default() + Duration::days(n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_light_holds_until_its_next_change(
        cadence in prop_oneof![Just(TaskCadence::Once), Just(TaskCadence::Weekly), Just(TaskCadence::Monthly), Just(TaskCadence::Quarterly), Just(TaskCadence::Yearly)],
        status in prop_oneof![Just(TaskStatus::Assigned), Just(TaskStatus::InProgress), Just(TaskStatus::CloseRequested), Just(TaskStatus::Closed)],
        assigned in 0i64..200,
        deadline in proptest::option::of(0i64..800),
        reported in proptest::collection::vec(0i64..800, 0..12),
        as_of in 0i64..800,
        warn in 1i64..15,
    ) {
        let reported: Vec<NaiveDate> = reported.into_iter().map(day).collect();
        let f = LightFacts {
            status,
            deadline: deadline.map(day),
            cadence,
            assigned_on: day(assigned),
            reported_periods: &reported,
        };
        let rules = LightRules { warn_days: warn };
        let now = light(&f, day(as_of), rules).0;
        let next = next_change(&f, day(as_of), rules);
        let horizon = next.unwrap_or(day(as_of) + Duration::days(500));
        let mut d = day(as_of) + Duration::days(1);
        while d < horizon {
            prop_assert_eq!(light(&f, d, rules).0, now, "changed on {} before the predicted {:?}", d, next);
            d += Duration::days(1);
        }
        if let Some(n) = next {
            prop_assert_ne!(light(&f, n, rules).0, now);
        }
    }
}
