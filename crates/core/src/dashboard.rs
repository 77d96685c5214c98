//! The dashboard's arithmetic: figures counted per region by the database are summed here into
//! the areas a dashboard shows side by side (a city's counties), and the overdue tasks and
//! problems are merged into one list, worst first.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// An area shown on a dashboard: a region and everything beneath it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub id: i64,
    pub path: String,
}

/// Which of `areas` (disjoint subtrees) holds the region at `path`.
pub fn area_of(areas: &[Area], path: &str) -> Option<usize> {
    areas.iter().position(|a| path.starts_with(&a.path))
}

/// Figures counted per region, summed into `areas`: `path_of` gives a region's path (rows of a
/// region it does not know, or outside every area, are left out of every area). Returns each
/// area's sum, in the order of `areas`.
pub fn sum_into<T: Default + Clone>(
    areas: &[Area],
    rows: impl IntoIterator<Item = (i64, T)>,
    path_of: impl Fn(i64) -> Option<String>,
    add: impl Fn(&mut T, &T),
) -> Vec<T> {
    let mut out = vec![T::default(); areas.len()];
    for (region, v) in rows {
        if let Some(i) = path_of(region).and_then(|p| area_of(areas, &p)) {
            add(&mut out[i], &v);
        }
    }
    out
}

/// The first day of `year` and of the year after, for figures "this year".
pub fn year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?,
    ))
}

/// The months of `year` up to and including `today`'s (all twelve for a past year), as YYYY-MM.
pub fn months_of(year: i32, today: NaiveDate) -> Vec<String> {
    let last = if year < today.year() {
        12
    } else if year == today.year() {
        today.month()
    } else {
        0
    };
    (1..=last).map(|m| format!("{year:04}-{m:02}")).collect()
}

/// What an overdue item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverdueKind {
    Task,
    Problem,
}

/// A task or problem past its deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Overdue {
    pub kind: OverdueKind,
    pub id: i64,
    pub title: String,
    /// The unit that must act (a task's lead units, a problem's responsible unit).
    pub unit: String,
    #[schema(value_type = String, format = Date)]
    pub deadline: NaiveDate,
    /// Days past the deadline on the day the dashboard is read.
    pub days: i64,
}

/// The `n` items longest overdue, tasks before problems on the same deadline.
pub fn worst(mut items: Vec<Overdue>, n: usize) -> Vec<Overdue> {
    items.sort_by(|a, b| {
        (a.deadline, a.kind == OverdueKind::Problem, a.id).cmp(&(
            b.deadline,
            b.kind == OverdueKind::Problem,
            b.id,
        ))
    });
    items.truncate(n);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a test date")
    }

    #[test]
    fn rows_add_up_into_the_area_holding_their_region() {
        let areas = [
            Area {
                id: 10,
                path: "/1/10/".into(),
            },
            Area {
                id: 11,
                path: "/1/11/".into(),
            },
        ];
        let paths = |id: i64| match id {
            10 => Some("/1/10/".to_string()),
            101 => Some("/1/10/101/".to_string()),
            11 => Some("/1/11/".to_string()),
            // The city itself: in no county.
            1 => Some("/1/".to_string()),
            _ => None,
        };
        let rows = vec![(10, 2i64), (101, 3), (11, 5), (1, 7), (99, 11)];
        let sums = sum_into(&areas, rows, paths, |a, b| *a += *b);
        assert_eq!(sums, vec![5, 5]);
        // A prefix of digits is not a parent: /1/1/ does not hold /1/11/.
        let one = [Area {
            id: 1,
            path: "/1/1/".into(),
        }];
        assert_eq!(area_of(&one, "/1/11/"), None);
    }

    #[test]
    fn a_year_is_bounded_and_its_months_stop_at_today() {
        assert_eq!(
            year_bounds(2026),
            Some((day("2026-01-01"), day("2027-01-01")))
        );
        assert_eq!(year_bounds(i32::MAX), None);
        assert_eq!(months_of(2026, day("2026-03-31")).len(), 3);
        assert_eq!(months_of(2026, day("2026-03-31"))[2], "2026-03");
        assert_eq!(months_of(2025, day("2026-03-31")).len(), 12);
        assert!(months_of(2027, day("2026-03-31")).is_empty());
    }

    #[test]
    fn the_longest_overdue_come_first() {
        let item = |kind, id, deadline: &str| Overdue {
            kind,
            id,
            title: String::new(),
            unit: String::new(),
            deadline: day(deadline),
            days: 0,
        };
        let items = vec![
            item(OverdueKind::Problem, 1, "2026-03-01"),
            item(OverdueKind::Task, 2, "2026-03-05"),
            item(OverdueKind::Task, 3, "2026-03-01"),
            item(OverdueKind::Problem, 4, "2026-02-01"),
        ];
        let w = worst(items, 3);
        let ids: Vec<i64> = w.iter().map(|o| o.id).collect();
        assert_eq!(ids, vec![4, 3, 1]);
    }
}
