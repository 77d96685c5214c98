//! Reports (M16): the monthly publication table (月晾晒) and the quarterly dispatch notice
//! (季度调度通报). A report covers a period and is read as of the period's last day (or today,
//! for the period still running): what happened in the period and was recorded by then, and the
//! lights tasks and problems had then. This module holds the periods and the facts the notice
//! states; the figures come from the lists, so each one can be followed to its rows.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::validation;

/// A month (`2026-10`), a quarter (`2026-Q3`) or a year (`2026`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year(i32),
}

impl Period {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let p = if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let year = y.trim_end_matches('-').parse().ok()?;
            let quarter: u32 = q.parse().ok()?;
            (1..=4)
                .contains(&quarter)
                .then_some(Period::Quarter { year, quarter })?
        } else if let Some((y, m)) = s.split_once('-') {
            let month: u32 = m.parse().ok()?;
            (1..=12).contains(&month).then_some(Period::Month {
                year: y.parse().ok()?,
                month,
            })?
        } else {
            Period::Year(s.parse().ok()?)
        };
        let (first, _) = p.bounds()?;
        validation::date_in_range(first).then_some(p)
    }

    /// The month of a day.
    pub fn month_of(d: NaiveDate) -> Self {
        Period::Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The quarter of a day.
    pub fn quarter_of(d: NaiveDate) -> Self {
        Period::Quarter {
            year: d.year(),
            quarter: d.month0() / 3 + 1,
        }
    }

    /// The first day and the first day after: the period is `[first, next)`.
    pub fn bounds(self) -> Option<(NaiveDate, NaiveDate)> {
        let (year, month, months) = match self {
            Period::Month { year, month } => (year, month, 1),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2, 3),
            Period::Year(year) => (year, 1, 12),
        };
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        Some((
            first,
            first.checked_add_months(chrono::Months::new(months))?,
        ))
    }

    /// The last day of the period.
    pub fn last_day(self) -> Option<NaiveDate> {
        self.bounds()?.1.pred_opt()
    }

    /// The period before, of the same kind.
    pub fn previous(self) -> Self {
        match self {
            Period::Month { year, month: 1 } => Period::Month {
                year: year - 1,
                month: 12,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month - 1,
            },
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
            Period::Year(year) => Period::Year(year - 1),
        }
    }

    /// The day the period is read as of: its last day, or `today` while it runs; `None` for a
    /// period that has not begun.
    pub fn as_of(self, today: NaiveDate) -> Option<NaiveDate> {
        let (first, _) = self.bounds()?;
        if first > today {
            return None;
        }
        Some(self.last_day()?.min(today))
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Year(year) => write!(f, "{year:04}"),
        }
    }
}

/// The figures of one unit (or of the whole region) in a report, in the order of
/// [`COLUMNS`].
pub type Line = [i64; COLUMNS.len()];

/// The columns of the monthly table and of the notice's unit table: activities by kind (every
/// unit that took part), projects that first entered a stage (credited unit), funds in place
/// (credited unit, 万元), and at the period's end the red and yellow tasks each unit leads and
/// the overdue problems it must solve.
pub const COLUMNS: [&str; 13] = [
    "trips",
    "trips_abroad",
    "visits",
    "talks",
    "promotions",
    "signings",
    "signed",
    "registered",
    "started",
    "funds",
    "funds_verified",
    "tasks_red",
    "tasks_yellow",
];

/// Index of a column in [`COLUMNS`].
pub fn column(id: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| *c == id)
}

/// Adds `b` into `a`, column by column.
pub fn add(a: &mut Line, b: &Line) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// How a figure moved since the period before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Up,
    Down,
    Same,
}

/// One fact of the notice's narrative: a figure, the same figure the period before, and the
/// change. The wording is the locale's (`report.fact_{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Fact {
    /// A column of [`COLUMNS`].
    pub id: String,
    pub value: i64,
    pub previous: i64,
    pub change: Change,
    /// |value − previous|.
    pub delta: i64,
}

/// The facts the notice opens with: the period's figures against the period before, for the
/// columns that count what was achieved (signings, starts, funds, trips) and the lights at the
/// end of each period.
pub const FACT_COLUMNS: [&str; 8] = [
    "signed",
    "started",
    "funds",
    "funds_verified",
    "trips",
    "talks",
    "tasks_red",
    "tasks_yellow",
];

pub fn facts(now: &Line, before: &Line) -> Vec<Fact> {
    FACT_COLUMNS
        .iter()
        .filter_map(|id| {
            let i = column(id)?;
            let (value, previous) = (now[i], before[i]);
            Some(Fact {
                id: (*id).to_string(),
                value,
                previous,
                change: match value.cmp(&previous) {
                    std::cmp::Ordering::Greater => Change::Up,
                    std::cmp::Ordering::Less => Change::Down,
                    std::cmp::Ordering::Equal => Change::Same,
                },
                delta: (value - previous).abs(),
            })
        })
        .collect()
}

/// 万元 in hundredths of 亿元, rounded half away from zero (12,345万元 → 123, i.e. 1.23亿元).
pub fn yi_hundredths(wan: i64) -> i64 {
    (wan * 100 + wan.signum() * 5_000) / 10_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn periods_parse_and_bound() {
        let q = Period::parse("2026-Q3").expect("quarter");
        assert_eq!(q.bounds(), Some((d("2026-07-01"), d("2026-10-01"))));
        assert_eq!(q.last_day(), Some(d("2026-09-30")));
        assert_eq!(q.to_string(), "2026-Q3");
        assert_eq!(
            Period::parse("2026q4"),
            Some(Period::Quarter {
                year: 2026,
                quarter: 4
            })
        );
        let m = Period::parse("2026-02").expect("month");
        assert_eq!(m.bounds(), Some((d("2026-02-01"), d("2026-03-01"))));
        assert_eq!(m.to_string(), "2026-02");
        assert_eq!(
            Period::parse("2026").and_then(Period::bounds),
            Some((d("2026-01-01"), d("2027-01-01")))
        );
        for bad in [
            "2026-Q5", "2026-Q0", "2026-13", "2026-00", "", "abc", "2026-1x", "1800",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_period_before_crosses_years() {
        assert_eq!(
            Period::parse("2026-Q1").map(Period::previous),
            Period::parse("2025-Q4")
        );
        assert_eq!(
            Period::parse("2026-01").map(Period::previous),
            Period::parse("2025-12")
        );
        assert_eq!(
            Period::parse("2026-05").map(Period::previous),
            Period::parse("2026-04")
        );
        assert_eq!(
            Period::quarter_of(d("2026-09-30")),
            Period::Quarter {
                year: 2026,
                quarter: 3
            }
        );
        assert_eq!(
            Period::quarter_of(d("2026-10-01")),
            Period::Quarter {
                year: 2026,
                quarter: 4
            }
        );
    }

    #[test]
    fn a_period_is_read_as_of_its_last_day_or_today() {
        let today = d("2026-11-30");
        let q3 = Period::Quarter {
            year: 2026,
            quarter: 3,
        };
        assert_eq!(q3.as_of(today), Some(d("2026-09-30")));
        let q4 = Period::Quarter {
            year: 2026,
            quarter: 4,
        };
        assert_eq!(q4.as_of(today), Some(today));
        assert_eq!(Period::Year(2027).as_of(today), None);
    }

    #[test]
    fn facts_compare_with_the_period_before() {
        let mut now: Line = [0; COLUMNS.len()];
        let mut before: Line = [0; COLUMNS.len()];
        now[column("signed").expect("col")] = 5;
        before[column("signed").expect("col")] = 3;
        before[column("started").expect("col")] = 2;
        let f = facts(&now, &before);
        assert_eq!(f.len(), FACT_COLUMNS.len());
        assert_eq!((f[0].change, f[0].delta), (Change::Up, 2));
        assert_eq!((f[1].change, f[1].delta), (Change::Down, 2));
        assert_eq!((f[2].change, f[2].delta), (Change::Same, 0));
        let mut sum = now;
        add(&mut sum, &before);
        assert_eq!(sum[column("signed").expect("col")], 8);
    }

    #[test]
    fn money_rounds_to_hundredths_of_yi() {
        assert_eq!(yi_hundredths(0), 0);
        assert_eq!(yi_hundredths(10_000), 100);
        assert_eq!(yi_hundredths(12_345), 123);
        assert_eq!(yi_hundredths(12_350), 124);
        assert_eq!(yi_hundredths(-12_350), -124);
    }
}
