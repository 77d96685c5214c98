//! Reports of a region for a period (M16): the monthly publication table (月晾晒) — every unit's
//! activities, projects signed, landed and started, funds in place and red and yellow tasks —
//! and the quarterly dispatch notice (季度调度通报) as a Word document: the same table, the
//! facts against the period before, and the tasks overdue.
//!
//! A report is read as of its period's last day (today while the period runs): activities,
//! stage entries and funds recorded by then, funds verified by evidence filed by then, and the
//! lights tasks had then. Data recorded later changes nothing, so a past period's report gives
//! the same figures every time. Every figure is a link to the list that counts it, with the same
//! filters (`period`, `as_of`).

use chrono::NaiveDate;
use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use zhaoyin_core::authz::{Action, Entity, Principal};
use zhaoyin_core::paging::Page;
use zhaoyin_core::project::Stage;

use zhaoyin_core::dashboard::Area;
use zhaoyin_core::report::{self as calc, COLUMNS, Fact, Line, Period};
use zhaoyin_db::activities::ActivityFilter;
use zhaoyin_db::org::Region;
use zhaoyin_db::progress::FundFilter;
use zhaoyin_db::projects::ProjectFilter;
use zhaoyin_db::tasks::{AsOf, TaskFilter, TaskSort};

use crate::form::href_with;
use crate::i18n::Tr;
use crate::service::Reads;
use crate::service::activities::ActivityQuery;
use crate::service::dashboard::Figure;
use crate::service::progress::FundQuery;
use crate::service::projects::ProjectQuery;
use crate::service::tasks::TaskQuery;
use crate::{AppError, AppResult, AppState};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// The region reported on; the widest the caller reads when none is given.
    pub region_id: Option<String>,
    /// YYYY-MM (the monthly table) or YYYY-Qn (the quarterly notice); the last complete month
    /// when none is given.
    pub period: Option<String>,
}

/// One line of the table, its figures in the order of `columns`: a unit's (a county's report),
/// a region's beneath (a city's or a province's), or the whole region's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportLine {
    /// The region the line counts in.
    pub region_id: i64,
    /// The unit the line counts for, on a county's unit lines.
    pub unit_id: Option<i64>,
    pub name: String,
    pub figures: Vec<Figure>,
}

/// A task overdue on the report's day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueTask {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub lead_units: String,
    #[schema(value_type = String, format = Date)]
    pub deadline: NaiveDate,
    pub days: i64,
    pub href: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodReport {
    pub region_id: i64,
    pub region_name: String,
    /// YYYY-MM or YYYY-Qn.
    pub period: String,
    pub previous: String,
    #[schema(value_type = String, format = Date)]
    pub first: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub last: NaiveDate,
    /// The day the report is read as of: the period's last day, or today while it runs.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// The ids of the figures of every line: trips, trips_abroad, visits, talks, promotions,
    /// signings (activities), signed, registered, started (projects that first entered the
    /// stage), funds, funds_verified (万元), tasks_red, tasks_yellow (open tasks led).
    pub columns: Vec<String>,
    /// The whole region: each figure counts the region's list (an activity several units took
    /// part in counts once here, once for each unit below).
    pub total: ReportLine,
    /// A county's: every unit of it, and any other unit a figure is credited to. A city's or a
    /// province's: each region directly beneath it (its counties, its cities), which add up to
    /// the whole.
    pub lines: Vec<ReportLine>,
    /// The region's figures against the period before's.
    pub facts: Vec<Fact>,
    /// Tasks overdue on the report's day, longest overdue first (at most [`OVERDUE_SHOWN`]).
    pub overdue: Vec<OverdueTask>,
    /// How many tasks were overdue that day, with the list.
    pub overdue_total: Figure,
}

impl PeriodReport {
    /// A quarter's report (the dispatch notice), not a month's (the publication table).
    pub fn is_quarter(&self) -> bool {
        self.period.contains('Q')
    }

    /// The heading of the lines' names: units (a county's report) or regions.
    pub fn first_column(&self) -> &'static str {
        if self.lines.iter().any(|l| l.unit_id.is_some()) {
            "report.unit"
        } else {
            "report.region"
        }
    }
}

/// How many overdue tasks a report lists.
pub const OVERDUE_SHOWN: usize = 30;

/// The period a query asks for, or the last complete month.
pub fn period_of(q: &ReportQuery, today: NaiveDate) -> AppResult<Period> {
    match crate::form::nonempty(&q.period) {
        None => Ok(Period::month_of(today).previous()),
        Some(s) => match Period::parse(&s) {
            Some(p @ (Period::Month { .. } | Period::Quarter { .. })) => Ok(p),
            _ => Err(AppError::invalid("period", "err.period")),
        },
    }
}

/// What the figures of a period are read from: the period's days and the day it is read as of.
pub(crate) struct Scope {
    region: Region,
    period: Period,
    pub(crate) first: NaiveDate,
    pub(crate) next: NaiveDate,
    pub(crate) day: NaiveDate,
    /// `None` when the day is today (the lists read now).
    as_of: Option<AsOf>,
}

impl Scope {
    pub(crate) fn new(st: &AppState, region: Region, period: Period) -> AppResult<Self> {
        let today = st.cfg.today();
        let (first, next) = period
            .bounds()
            .ok_or_else(|| AppError::invalid("period", "err.period"))?;
        let day = period
            .as_of(today)
            .ok_or_else(|| AppError::invalid("period", "err.period_not_begun"))?;
        Ok(Self {
            region,
            period,
            first,
            next,
            day,
            as_of: (day < today).then(|| st.cfg.as_of(day)),
        })
    }

    pub(crate) fn region_id(&self) -> i64 {
        self.region.id
    }

    fn as_of_text(&self) -> Option<String> {
        self.as_of.map(|a| a.day.to_string())
    }

    /// The activities the report counts.
    fn activities(&self) -> ActivityFilter {
        ActivityFilter {
            counted: true,
            from: Some(self.first),
            until: Some(self.next),
            region_id: Some(self.region.id),
            as_of: self.as_of,
            ..Default::default()
        }
    }

    /// The projects the report counts (without the stage entered).
    fn projects(&self) -> ProjectFilter {
        ProjectFilter {
            region_id: Some(self.region.id),
            distinct: true,
            as_of: self.as_of,
            ..Default::default()
        }
    }

    /// The tasks the report reads at the period's end.
    fn tasks(&self) -> TaskFilter {
        TaskFilter {
            region_id: Some(self.region.id),
            as_of: self.as_of,
            ..Default::default()
        }
    }

    /// The funds the report counts.
    fn funds(&self) -> FundFilter {
        FundFilter {
            project: self.projects(),
            from: Some(self.first),
            until: Some(self.next),
            ..Default::default()
        }
    }

    /// The link behind figure `column` of `unit` in `region` (the region's own with none).
    pub(crate) fn link(&self, column: &str, region: i64, unit: Option<i64>) -> Figure {
        let region_id = Some(region.to_string());
        let period = Some(self.period.to_string());
        let unit = unit.map(|u| u.to_string());
        let as_of = self.as_of_text();
        let one = || Some("1".to_string());
        let (list, query) = match column {
            "trips" | "trips_abroad" | "visits" | "talks" | "promotions" | "signings" => (
                "activities",
                query_of(&ActivityQuery {
                    counted: one(),
                    kind: Some(
                        match column {
                            "trips" | "trips_abroad" => "trip",
                            "visits" => "visit",
                            "promotions" => "promotion",
                            "signings" => "signing",
                            other => other,
                        }
                        .to_string(),
                    ),
                    abroad: (column == "trips_abroad").then(one).flatten(),
                    unit_id: unit,
                    period,
                    region_id,
                    as_of,
                    ..Default::default()
                }),
            ),
            "signed" | "registered" | "started" => (
                "projects",
                query_of(&ProjectQuery {
                    entered: Some(column.to_string()),
                    period,
                    distinct: one(),
                    credit_unit_id: unit,
                    region_id,
                    as_of,
                    ..Default::default()
                }),
            ),
            "funds" | "funds_verified" => (
                "funds",
                query_of(&FundQuery {
                    period,
                    verified: (column == "funds_verified").then(one).flatten(),
                    credit_unit_id: unit,
                    region_id,
                    as_of,
                    ..Default::default()
                }),
            ),
            _ => (
                "tasks",
                query_of(&TaskQuery {
                    light: Some(column.trim_start_matches("tasks_").to_string()),
                    role: unit.is_some().then(|| "lead".to_string()),
                    unit_id: unit,
                    open: one(),
                    region_id,
                    as_of,
                    ..Default::default()
                }),
            ),
        };
        Figure {
            value: 0,
            href: format!("/{list}{query}"),
            api: format!("/api/v1/{list}{query}"),
        }
    }
}

/// `?a=b&…` of a query (empty values left out), as `href_with` writes it.
fn query_of<Q: Serialize>(q: &Q) -> String {
    href_with("", q)
}

/// Adds `v` to figure `column` of the line of `key` (a unit or a region).
fn put(lines: &mut Vec<(i64, Line)>, key: i64, column: usize, v: i64) {
    match lines.iter_mut().find(|(k, _)| *k == key) {
        Some((_, line)) => line[column] += v,
        None => {
            let mut line = [0; COLUMNS.len()];
            line[column] = v;
            lines.push((key, line));
        }
    }
}

fn at(column: &str) -> usize {
    calc::column(column).unwrap_or(0)
}

/// The figures of a period per region: each row counted in its own region (an activity once
/// however many units took part), so the regions' lines add up to the lists' counts.
async fn region_lines(
    st: &AppState,
    p: &Principal,
    s: &Scope,
    reads: &Reads,
) -> AppResult<Vec<(i64, Line)>> {
    let avis = p.visibility(Entity::Activity, Action::Read);
    let (af, pf, ff) = (s.activities(), s.projects(), s.funds());
    let pvis = p.visibility(Entity::Project, Action::Read);
    let tvis = p.visibility(Entity::Task, Action::Read);
    let tf = s.tasks();
    let entered = |stage: Stage| {
        zhaoyin_db::projects::entered_by_region(&st.db, &pvis, &pf, stage, s.first, s.next)
    };
    let (activities, entered, funds, tasks) = tokio::try_join!(
        reads.read_if(
            p.can_somewhere(Entity::Activity, Action::Read),
            zhaoyin_db::activities::counts_by_region(&st.db, &avis, &af)
        ),
        try_join_all(ENTERED.map(|stage| reads.read_if(true, entered(stage)))),
        reads.read_if(
            true,
            zhaoyin_db::progress::funds_by_region(&st.db, &pvis, &ff)
        ),
        reads.read_if(
            p.can_somewhere(Entity::Task, Action::Read),
            zhaoyin_db::tasks::lights_by_region(&st.db, &tvis, &tf)
        ),
    )?;
    let mut lines = Vec::new();
    for (region, kinds) in activities {
        for (i, v) in kinds.into_iter().enumerate() {
            put(&mut lines, region, i, v);
        }
    }
    for (stage, rows) in ENTERED.iter().zip(entered) {
        for (region, _, n) in rows {
            put(&mut lines, region, at(stage.id()), n);
        }
    }
    for (region, verified, unverified) in funds {
        put(&mut lines, region, at("funds"), verified + unverified);
        put(&mut lines, region, at("funds_verified"), verified);
    }
    for (region, red, yellow, _, _) in tasks {
        put(&mut lines, region, at("tasks_red"), red);
        put(&mut lines, region, at("tasks_yellow"), yellow);
    }
    Ok(lines)
}

/// The figures of a period per unit: activities for every unit that took part, projects and
/// funds for the unit credited, tasks for each lead unit.
pub(crate) async fn unit_lines(
    st: &AppState,
    p: &Principal,
    s: &Scope,
    reads: &Reads,
) -> AppResult<Vec<(i64, Line)>> {
    let avis = p.visibility(Entity::Activity, Action::Read);
    let (af, ff) = (s.activities(), s.funds());
    let pvis = p.visibility(Entity::Project, Action::Read);
    let entered = ENTERED.map(|stage| ProjectFilter {
        entered: Some((stage, s.first, s.next)),
        ..s.projects()
    });
    let tvis = p.visibility(Entity::Task, Action::Read);
    let tf = s.tasks();
    let (activities, credited, funds, tasks) = tokio::try_join!(
        reads.read_if(
            p.can_somewhere(Entity::Activity, Action::Read),
            zhaoyin_db::activities::counts_by_unit(&st.db, &avis, &af)
        ),
        try_join_all(entered.iter().map(|f| reads.read_if(
            true,
            zhaoyin_db::projects::counts_by_credit_unit(&st.db, &pvis, f)
        ))),
        reads.read_if(
            true,
            zhaoyin_db::progress::funds_by_credit_unit(&st.db, &pvis, &ff)
        ),
        reads.read_if(
            p.can_somewhere(Entity::Task, Action::Read),
            zhaoyin_db::tasks::lights_by_unit(&st.db, &tvis, &tf)
        ),
    )?;
    let mut lines = Vec::new();
    for c in activities {
        for (i, v) in c.by_kind().into_iter().enumerate() {
            put(&mut lines, c.unit_id, i, v);
        }
    }
    for (stage, rows) in ENTERED.iter().zip(credited) {
        for (unit, n) in rows {
            put(&mut lines, unit, at(stage.id()), n);
        }
    }
    for (unit, verified, unverified) in funds {
        put(&mut lines, unit, at("funds"), verified + unverified);
        put(&mut lines, unit, at("funds_verified"), verified);
    }
    for u in tasks {
        put(&mut lines, u.unit_id, at("tasks_red"), u.red);
        put(&mut lines, u.unit_id, at("tasks_yellow"), u.yellow);
    }
    Ok(lines)
}

/// The stages whose first entry in the period the report counts.
const ENTERED: [Stage; 3] = [Stage::Signed, Stage::Registered, Stage::Started];

fn sum(lines: &[(i64, Line)]) -> Line {
    let mut total = [0; COLUMNS.len()];
    for (_, l) in lines {
        calc::add(&mut total, l);
    }
    total
}

/// The report `q` asks for, as `p` reads it: computed once per change of the data (a report of
/// a province reads for seconds; those asking for it meanwhile wait for that one computation).
pub async fn report(st: &AppState, p: &Principal, q: &ReportQuery) -> AppResult<PeriodReport> {
    let (pc, qc) = (p.clone(), q.clone());
    crate::service::dashboard::single_flight(
        st,
        |st| &st.reports,
        p,
        q,
        move |st| async move { compute(&st, &pc, &qc).await },
    )
    .await
}

async fn compute(st: &AppState, p: &Principal, q: &ReportQuery) -> AppResult<PeriodReport> {
    if !p.can_somewhere(Entity::Project, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let today = st.cfg.today();
    let period = period_of(q, today)?;
    let region_id = crate::form::id_filter(&q.region_id);
    if region_id.is_none() && crate::form::nonempty(&q.region_id).is_some() {
        return Err(AppError::invalid("region_id", "err.number"));
    }
    let region = crate::service::dashboard::region_of(st, p, region_id).await?;
    let s = Scope::new(st, region.clone(), period)?;
    let before = Scope::new(st, region, period.previous())?;
    let county = !matches!(s.region.level.as_str(), "province" | "city");
    // The tasks overdue on the report's day.
    let overdue_filter = TaskFilter {
        overdue_on: Some(s.day),
        sort: TaskSort::Deadline,
        ..s.tasks()
    };
    let reads = Reads::new();
    let (by_region, lines_before, by_unit, (overdue_rows, overdue_count)) = tokio::try_join!(
        region_lines(st, p, &s, &reads),
        region_lines(st, p, &before, &reads),
        async {
            if county {
                unit_lines(st, p, &s, &reads).await
            } else {
                Ok(Vec::new())
            }
        },
        reads.read_if(
            p.can_somewhere(Entity::Task, Action::Read),
            crate::service::tasks::list_for(
                st,
                p,
                &overdue_filter,
                Page::new(Some(1), Some(OVERDUE_SHOWN as u32)),
            )
        ),
    )?;
    let total = sum(&by_region);
    let total_before = sum(&lines_before);
    let empty: Line = [0; COLUMNS.len()];
    let line = |region_id: i64, unit: Option<i64>, name: String, values: &Line| ReportLine {
        figures: COLUMNS
            .iter()
            .zip(values)
            .map(|(c, v)| Figure {
                value: *v,
                ..s.link(c, region_id, unit)
            })
            .collect(),
        region_id,
        unit_id: unit,
        name,
    };

    let lines = if !county {
        // A city's counties (a province's cities), each the sum of the regions beneath it.
        let areas: Vec<(i64, String, String)> =
            zhaoyin_db::org::child_regions(&st.db, s.region.id).await?;
        let paths: HashMap<i64, String> = zhaoyin_db::org::regions_under(&st.db, &s.region.path)
            .await?
            .into_iter()
            .collect();
        let shown: Vec<Area> = areas
            .iter()
            .map(|(id, _, path)| Area {
                id: *id,
                path: path.clone(),
            })
            .collect();
        let sums = zhaoyin_core::dashboard::sum_into(
            &shown,
            by_region,
            |id| paths.get(&id).cloned(),
            |a: &mut Line, b: &Line| calc::add(a, b),
        );
        areas
            .into_iter()
            .zip(sums)
            .map(|((id, name, _), values)| line(id, None, name, &values))
            .collect()
    } else {
        // A county's units in their order, then any other unit a figure is credited to.
        let (region_units, _) = zhaoyin_db::org::list_units(
            &st.db,
            &p.visibility(Entity::Unit, Action::Read),
            &zhaoyin_db::org::UnitFilter {
                region_id: Some(s.region.id),
                ..Default::default()
            },
            Page::largest(),
        )
        .await?;
        let mut shown: Vec<(i64, String)> =
            region_units.into_iter().map(|u| (u.id, u.name)).collect();
        let others: Vec<i64> = by_unit
            .iter()
            .map(|(u, _)| *u)
            .filter(|u| !shown.iter().any(|(id, _)| id == u))
            .collect();
        let names = zhaoyin_db::org::unit_names(&st.db, &others).await?;
        shown.extend(
            others
                .into_iter()
                .map(|u| (u, names.get(&u).cloned().unwrap_or_default())),
        );
        shown
            .into_iter()
            .map(|(id, name)| {
                let values = by_unit
                    .iter()
                    .find(|(u, _)| *u == id)
                    .map_or(&empty, |(_, l)| l);
                line(s.region.id, Some(id), name, values)
            })
            .collect()
    };

    let overdue = overdue_rows
        .into_iter()
        .filter_map(|r| {
            let deadline = r.task.deadline?;
            Some(OverdueTask {
                id: r.task.id,
                code: r.task.code,
                title: r.task.title,
                lead_units: r.lead_units.join("、"),
                deadline,
                days: (s.day - deadline).num_days(),
                href: format!("/tasks/{}", r.task.id),
            })
        })
        .collect();
    let overdue_query = href_with(
        "",
        &TaskQuery {
            overdue: Some("1".into()),
            sort: Some("deadline".into()),
            region_id: Some(s.region.id.to_string()),
            as_of: s.as_of_text(),
            ..Default::default()
        },
    );
    Ok(PeriodReport {
        region_id: s.region.id,
        region_name: s.region.name.clone(),
        period: period.to_string(),
        previous: period.previous().to_string(),
        first: s.first,
        last: s.next.pred_opt().unwrap_or(s.first),
        as_of: s.day,
        columns: COLUMNS.iter().map(|c| (*c).to_string()).collect(),
        total: line(s.region.id, None, s.region.name.clone(), &total),
        lines,
        facts: calc::facts(&total, &total_before),
        overdue,
        overdue_total: Figure {
            value: overdue_count,
            href: format!("/tasks{overdue_query}"),
            api: format!("/api/v1/tasks{overdue_query}"),
        },
    })
}

/// A period in words: 2026年10月, 2026年第三季度.
pub fn period_words(t: &Tr, period: &str) -> String {
    match Period::parse(period) {
        Some(Period::Month { year, month }) => t.tf2(
            "report.month_words",
            "year",
            year.to_string(),
            "month",
            month.to_string(),
        ),
        Some(Period::Quarter { year, quarter }) => t.tf2(
            "report.quarter_words",
            "year",
            year.to_string(),
            "quarter",
            t.t(&format!("report.quarter_{quarter}")).to_string(),
        ),
        _ => period.to_string(),
    }
}

/// A figure of a column in words with its unit: "3 个", "1.23 亿元".
pub fn amount(t: &Tr, column: &str, v: i64) -> String {
    if column.starts_with("funds") {
        if v.abs() >= 10_000 {
            let h = calc::yi_hundredths(v);
            return t.tf(
                "report.yi",
                &[("n", format!("{}.{:02}", h / 100, (h % 100).abs()))],
            );
        }
        return t.tf("report.wan", &[("n", v.to_string())]);
    }
    t.tf(&format!("report.unit_{column}"), &[("n", v.to_string())])
}

/// The notice's opening: one sentence per fact, against the period before.
pub fn narrative(t: &Tr, r: &PeriodReport) -> Vec<String> {
    let before = t.t(if r.is_quarter() {
        "report.before_quarter"
    } else {
        "report.before_month"
    });
    let mut out = vec![t.tf(
        "report.opening",
        &[
            ("period", period_words(t, &r.period)),
            ("day", r.as_of.format(t.t("report.day_format")).to_string()),
            ("region", r.region_name.clone()),
        ],
    )];
    for f in &r.facts {
        let args = [
            ("before", before.to_string()),
            ("previous", amount(t, &f.id, f.previous)),
            ("n", amount(t, &f.id, f.delta)),
        ];
        let change = match f.change {
            calc::Change::Up => t.tf("report.change_up", &args),
            calc::Change::Down => t.tf("report.change_down", &args),
            calc::Change::Same => t.tf("report.change_same", &args),
        };
        out.push(t.tf(
            "report.fact",
            &[
                ("what", t.label("report.column", &f.id)),
                ("value", amount(t, &f.id, f.value)),
                ("change", change),
            ],
        ));
    }
    out.push(if r.overdue_total.value == 0 {
        t.t("report.no_overdue").to_string()
    } else {
        t.tf(
            "report.overdue_fact",
            &[("n", r.overdue_total.value.to_string())],
        )
    });
    out
}

/// The table's header and rows as text, the region's line last: for the workbook and the
/// notice.
pub fn table(t: &Tr, r: &PeriodReport) -> (Vec<String>, Vec<(String, Vec<i64>)>) {
    let mut header = vec![t.t(r.first_column()).to_string()];
    header.extend(r.columns.iter().map(|c| t.label("report.column", c)));
    let row = |l: &ReportLine| (l.name.clone(), l.figures.iter().map(|f| f.value).collect());
    let mut rows: Vec<(String, Vec<i64>)> = r.lines.iter().map(row).collect();
    rows.push((t.t("report.total").to_string(), row(&r.total).1));
    (header, rows)
}

/// The title of a report: 高青县2026年10月双招双引工作晾晒表.
pub fn title(t: &Tr, r: &PeriodReport) -> String {
    let key = if r.is_quarter() {
        "report.notice_title"
    } else {
        "report.table_title"
    };
    t.tf2(
        key,
        "region",
        r.region_name.clone(),
        "period",
        period_words(t, &r.period),
    )
}

/// The monthly table as a workbook: a title line, the header, a line per unit and the region's.
pub async fn workbook(t: &Tr, r: &PeriodReport) -> AppResult<Vec<u8>> {
    let (header, rows) = table(t, r);
    let title = title(t, r);
    let note = t.tf(
        "report.as_of_note",
        &[("day", r.as_of.format(t.t("report.day_format")).to_string())],
    );
    let sheet = t.t("report.sheet").to_string();
    crate::service::blocking(move || {
        zhaoyin_office::xlsx::figures(&sheet, &title, &note, &header, &rows)
    })
    .await?
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}

/// The quarterly dispatch notice as a Word document.
pub async fn notice(t: &Tr, r: &PeriodReport) -> AppResult<Vec<u8>> {
    use zhaoyin_office::document::{Block, Document};
    let (header, rows) = table(t, r);
    let mut body = vec![Block::Heading(t.t("report.part_overall").to_string())];
    body.extend(narrative(t, r).into_iter().map(Block::Text));
    body.push(Block::Heading(t.t("report.part_units").to_string()));
    body.push(Block::Table(
        header,
        rows.into_iter()
            .map(|(name, values)| {
                std::iter::once(name)
                    .chain(values.iter().map(i64::to_string))
                    .collect()
            })
            .collect(),
    ));
    body.push(Block::Heading(t.t("report.part_overdue").to_string()));
    if r.overdue.is_empty() {
        body.push(Block::Text(t.t("report.no_overdue").to_string()));
    } else {
        body.push(Block::Table(
            [
                "report.code",
                "report.task",
                "report.lead_units",
                "report.deadline",
                "report.days",
            ]
            .iter()
            .map(|k| t.t(k).to_string())
            .collect(),
            r.overdue
                .iter()
                .map(|o| {
                    vec![
                        o.code.clone(),
                        o.title.clone(),
                        o.lead_units.clone(),
                        o.deadline.to_string(),
                        o.days.to_string(),
                    ]
                })
                .collect(),
        ));
        if r.overdue_total.value > r.overdue.len() as i64 {
            body.push(Block::Text(t.tf(
                "report.overdue_more",
                &[("n", r.overdue_total.value.to_string())],
            )));
        }
    }
    let doc = Document {
        title: title(t, r),
        subtitle: Some(t.tf(
            "report.as_of_note",
            &[("day", r.as_of.format(t.t("report.day_format")).to_string())],
        )),
        body,
    };
    crate::service::blocking(move || zhaoyin_office::document::docx(&doc))
        .await?
        .map_err(AppError::Internal)
}
