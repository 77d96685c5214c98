//! The supervision dashboard (督导看板) of a region: projects by stage with their investment,
//! funds in place this year, signings and starts per month, tasks and problems by light and by
//! unit, the items longest overdue, activities per unit this month and the target list's quotas;
//! for a city or a province, the same figures for each region beneath it side by side.
//!
//! Every figure carries the query of the list that produced it (projects, funds, tasks,
//! problems, activities): the list with that query counts (or sums) exactly the figure. The
//! database counts per region; `zhaoyin_core::dashboard` sums the counts into the areas shown.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use zhaoyin_core::activity::Month;
use zhaoyin_core::authz::{Action, Entity, Principal, Scope};
use zhaoyin_core::dashboard::{self as calc, Area, Overdue, OverdueKind};
use zhaoyin_core::paging::Page;
use zhaoyin_core::project::Stage;
use zhaoyin_core::target::QuotaProgress;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::activities::ActivityFilter;
use zhaoyin_db::org::Region;
use zhaoyin_db::problems::ProblemFilter;
use zhaoyin_db::progress::FundFilter;
use zhaoyin_db::projects::ProjectFilter;
use zhaoyin_db::tasks::{AsOf, TaskFilter, TaskSort};

use crate::form::href_with;
use crate::service::Reads;
use crate::service::activities::{ActivityQuery, counted_filter};
use crate::service::problems::{ProblemQuery, light_on};
use crate::service::progress::FundQuery;
use crate::service::projects::ProjectQuery;
use crate::service::tasks::TaskQuery;
use crate::{AppError, AppResult, AppState};

/// What a dashboard shows: a region, a year, and optionally a chain segment and a unit.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct DashboardQuery {
    /// The region (default: the widest the caller reads).
    pub region_id: Option<String>,
    /// The year of the funds and the monthly trend, YYYY (default: this year).
    pub year: Option<String>,
    /// Only projects (and their funds) filling this industry-chain segment or one beneath it.
    pub segment_id: Option<String>,
    /// Only the projects, funds, tasks, problems and activities of this unit.
    pub unit_id: Option<String>,
    /// YYYY-MM-DD, a past day: the dashboard as it stood at that day's end (only what was
    /// recorded by then; projects and problems as they stood; lights of that day). The year
    /// defaults to that day's.
    pub as_of: Option<String>,
}

/// A number on the dashboard and the list behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Figure {
    pub value: i64,
    /// The page listing what was counted (its count, or its total, is `value`).
    pub href: String,
    /// The same list in the API.
    pub api: String,
}

/// The headline figures of a region (or of one of the areas beneath it).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Projects still pursued (every stage but terminated), repeated signings left out.
    pub projects: Figure,
    /// Their total investment, 万元 (the list's totals by stage add up to it).
    pub total_investment: Figure,
    /// Of which from outside the county, 万元.
    pub outside_investment: Figure,
    /// Funds in place this year with evidence on file, 万元 (the funds list's total).
    pub funds_verified: Figure,
    /// Funds in place this year still without evidence, 万元.
    pub funds_unverified: Figure,
    /// Projects first signed this year.
    pub signed: Figure,
    /// Projects whose construction started this year.
    pub started: Figure,
    /// Open tasks by light.
    pub tasks_red: Figure,
    pub tasks_yellow: Figure,
    pub tasks_green: Figure,
    /// Unsolved problems by light today.
    pub problems_red: Figure,
    pub problems_yellow: Figure,
    pub problems_green: Figure,
}

/// One stage of the funnel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageFigure {
    pub stage: String,
    pub projects: Figure,
    /// 万元.
    pub total_investment: i64,
    /// 万元.
    pub outside_investment: i64,
}

/// Signings and starts of a month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthFigure {
    /// YYYY-MM.
    pub month: String,
    pub signed: Figure,
    pub started: Figure,
}

/// A unit's open tasks (those it leads) or unsolved problems, by light.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitFigure {
    pub unit_id: i64,
    pub unit_name: String,
    pub red: Figure,
    pub yellow: Figure,
    pub green: Figure,
}

/// The counted activities a unit took part in this month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitActivity {
    pub unit_id: i64,
    pub unit_name: String,
    pub activities: Figure,
}

/// An area beneath the region (a city's county) with its figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaFigures {
    pub region_id: i64,
    pub name: String,
    pub figures: Figures,
}

/// An overdue task or problem with its page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverdueItem {
    #[serde(flatten)]
    pub item: Overdue,
    pub href: String,
}

/// The region's target list of the year with its quotas (a county's).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Quotas {
    pub list_id: i64,
    pub name: String,
    pub href: String,
    pub quotas: Vec<QuotaProgress>,
}

/// A dashboard.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub region_id: i64,
    pub region_name: String,
    /// province, city, county or town.
    pub region_level: String,
    pub year: i32,
    /// The day it was read (lights and overdue items are as of this day): today, or the past
    /// day asked for.
    #[schema(value_type = String, format = Date)]
    pub today: NaiveDate,
    /// The past day asked for (`as_of`), when one was.
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// YYYY-MM: the month of the activity figures.
    pub month: String,
    pub segment_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub figures: Figures,
    /// The regions directly beneath (a city's counties), each with its figures; empty for a
    /// county.
    pub areas: Vec<AreaFigures>,
    pub funnel: Vec<StageFigure>,
    pub trend: Vec<MonthFigure>,
    /// Units with the most red tasks, then yellow (at most ten); a county's only (empty when
    /// `areas` are shown).
    pub task_units: Vec<UnitFigure>,
    /// Units with the most overdue problems, then near their deadline (at most ten); a
    /// county's only.
    pub problem_units: Vec<UnitFigure>,
    /// The ten items longest overdue.
    pub overdue: Vec<OverdueItem>,
    /// All overdue tasks and problems.
    pub overdue_tasks: Figure,
    pub overdue_problems: Figure,
    /// Units by counted activities this month, busiest first (at most ten); a county's only.
    pub activities: Vec<UnitActivity>,
    pub quotas: Option<Quotas>,
}

/// How many rows the per-unit tables and the overdue list show.
const TOP: usize = 10;

fn figure<Q: Serialize>(value: i64, list: &str, q: &Q) -> Figure {
    Figure {
        value,
        href: href_with(&format!("/{list}"), q),
        api: href_with(&format!("/api/v1/{list}"), q),
    }
}

/// The filter a dashboard applies to every list, parsed and checked.
struct Scoped {
    region: Region,
    year: i32,
    segment_id: Option<i64>,
    unit_id: Option<i64>,
    as_of: Option<AsOf>,
}

impl Scoped {
    fn projects(&self, region_id: i64) -> ProjectQuery {
        ProjectQuery {
            region_id: Some(region_id.to_string()),
            segment_id: self.segment_id.map(|s| s.to_string()),
            unit_id: self.unit_id.map(|u| u.to_string()),
            distinct: Some("1".into()),
            as_of: self.as_of_text(),
            ..Default::default()
        }
    }

    fn as_of_text(&self) -> Option<String> {
        self.as_of.map(|a| a.day.to_string())
    }

    fn funds(&self, region_id: i64) -> FundQuery {
        FundQuery {
            region_id: Some(region_id.to_string()),
            segment_id: self.segment_id.map(|s| s.to_string()),
            unit_id: self.unit_id.map(|u| u.to_string()),
            year: Some(self.year.to_string()),
            as_of: self.as_of_text(),
            ..Default::default()
        }
    }

    fn tasks(&self, region_id: i64) -> TaskQuery {
        TaskQuery {
            region_id: Some(region_id.to_string()),
            unit_id: self.unit_id.map(|u| u.to_string()),
            open: Some("1".into()),
            as_of: self.as_of_text(),
            ..Default::default()
        }
    }

    fn problems(&self, region_id: i64) -> ProblemQuery {
        ProblemQuery {
            region_id: Some(region_id.to_string()),
            unit_id: self.unit_id.map(|u| u.to_string()),
            status: Some("pending".into()),
            as_of: self.as_of_text(),
            ..Default::default()
        }
    }
}

/// What a query asks for, checked.
struct Asked {
    region_id: Option<i64>,
    year: i32,
    segment_id: Option<i64>,
    unit_id: Option<i64>,
    as_of: Option<AsOf>,
}

fn parse(q: &DashboardQuery, cfg: &crate::WebConfig) -> AppResult<Asked> {
    use crate::form::{nonempty, opt_i64};
    let mut e = Invalid::default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let as_of = crate::form::opt_as_of(&mut e, cfg, &text(&q.as_of));
    let today = as_of.map_or_else(|| cfg.today(), |a| a.day);
    let region_id = opt_i64(&mut e, "region_id", &text(&q.region_id));
    let segment_id = opt_i64(&mut e, "segment_id", &text(&q.segment_id));
    let unit_id = opt_i64(&mut e, "unit_id", &text(&q.unit_id));
    let year = match nonempty(&q.year) {
        None => today.year(),
        Some(y) => match y.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                e.push(FieldError::new("year", "err.year"));
                today.year()
            }
        },
    };
    e.into_result()?;
    Ok(Asked {
        region_id,
        year,
        segment_id,
        unit_id,
        as_of,
    })
}

/// The region a dashboard opens on: the given one if the caller reads it, else the widest the
/// caller reads.
pub(crate) async fn region_of(st: &AppState, p: &Principal, id: Option<i64>) -> AppResult<Region> {
    let id = match id {
        Some(id) => id,
        None => match p.widest_reach(Entity::Project) {
            Some(Scope::Region { id, .. }) => *id,
            Some(Scope::Unit { id, .. }) => zhaoyin_db::org::get_unit(&st.db, *id).await?.region_id,
            None => return Err(AppError::Forbidden),
        },
    };
    let region = zhaoyin_db::org::get_region(&st.db, id).await?;
    if !p.can(Entity::Region, Action::Read, &region.place()) {
        return Err(AppError::NotFound);
    }
    Ok(region)
}

/// Answers computed (dashboards, reports), kept while the data they were computed from has not
/// changed: the key holds the reader's grants, the query, the day and the data version
/// (`zhaoyin_db::audit::data_version`), so a write or a job run makes every older entry
/// unreachable; they are dropped wholesale when the cache grows past [`CACHE_ENTRIES`].
pub struct Cache<T> {
    kept: std::sync::Mutex<HashMap<String, T>>,
    /// Held while an answer is computed: one at a time (each reads side by side already).
    computing: tokio::sync::Mutex<()>,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Self {
            kept: Default::default(),
            computing: Default::default(),
        }
    }
}

const CACHE_ENTRIES: usize = 256;

impl<T: Clone> Cache<T> {
    fn get(&self, key: &str) -> Option<T> {
        self.kept.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: String, v: &T) {
        if let Ok(mut m) = self.kept.lock() {
            if m.len() >= CACHE_ENTRIES {
                m.clear();
            }
            m.insert(key, v.clone());
        }
    }
}

/// The answer `p` asks for with `q` (an account's principal, or a display link's), from
/// `cache` while the data has not changed since it was computed. One not kept is computed by
/// `compute` on a task of its own, one at a time: requests for one being computed wait and then
/// find it kept, and a computation is finished and kept even if its asker gave up. (Under load
/// every waiting request computed the province's dashboard at once, none finished before its
/// client gave up, and none was ever kept: see docs/PERFORMANCE.md.)
pub(crate) async fn single_flight<T, Q, F, Fut>(
    st: &AppState,
    cache: fn(&AppState) -> &Cache<T>,
    p: &Principal,
    q: &Q,
    compute: F,
) -> AppResult<T>
where
    T: Clone + Send + 'static,
    Q: Serialize,
    F: FnOnce(AppState) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = AppResult<T>> + Send,
{
    let version = zhaoyin_db::audit::data_version(&st.db).await?;
    let key = serde_json::to_string(&(&p.grants, q, st.cfg.today(), version))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(v) = cache(st).get(&key) {
        return Ok(v);
    }
    let st = st.clone();
    tokio::spawn(async move {
        let kept = cache(&st);
        let _one_at_a_time = kept.computing.lock().await;
        if let Some(v) = kept.get(&key) {
            return Ok(v);
        }
        let v = compute(st.clone()).await?;
        kept.put(key, &v);
        Ok(v)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// The dashboard `q` asks for, as `p` reads it: computed once per change of the data.
pub async fn dashboard(st: &AppState, p: &Principal, q: &DashboardQuery) -> AppResult<Dashboard> {
    let (pc, qc) = (p.clone(), q.clone());
    single_flight(
        st,
        |st| &st.dashboards,
        p,
        q,
        move |st| async move { compute(&st, &pc, &qc).await },
    )
    .await
}

async fn compute(st: &AppState, p: &Principal, q: &DashboardQuery) -> AppResult<Dashboard> {
    if !p.can_somewhere(Entity::Project, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let Asked {
        region_id,
        year,
        segment_id,
        unit_id,
        as_of,
    } = parse(q, &st.cfg)?;
    // The day read: today, or the past day asked for.
    let today = as_of.map_or_else(|| st.cfg.today(), |a| a.day);
    let region = region_of(st, p, region_id).await?;
    let s = Scoped {
        region,
        year,
        segment_id,
        unit_id,
        as_of,
    };
    let rid = s.region.id;
    let (from, until) = calc::year_bounds(year).ok_or(AppError::BadRequest("year".into()))?;

    // The areas side by side: a city's counties, a province's cities.
    let areas: Vec<(i64, String, String)> =
        if matches!(s.region.level.as_str(), "province" | "city") {
            zhaoyin_db::org::child_regions(&st.db, rid).await?
        } else {
            Vec::new()
        };
    let mut shown = vec![Area {
        id: rid,
        path: s.region.path.clone(),
    }];
    shown.extend(areas.iter().map(|(id, _, path)| Area {
        id: *id,
        path: path.clone(),
    }));
    let paths: HashMap<i64, String> = zhaoyin_db::org::regions_under(&st.db, &s.region.path)
        .await?
        .into_iter()
        .collect();
    let path_of = |id: i64| paths.get(&id).cloned();
    // Sums per shown area: first the whole region, then each area beneath it.
    let per_area = |rows: &Vec<(i64, [i64; 4])>| -> Vec<[i64; 4]> {
        let add = |t: &mut [i64; 4], v: &[i64; 4]| {
            for (x, y) in t.iter_mut().zip(v) {
                *x += y;
            }
        };
        let mut sums = calc::sum_into(&shown[..1], rows.iter().cloned(), path_of, add);
        sums.extend(calc::sum_into(
            &shown[1..],
            rows.iter().cloned(),
            path_of,
            add,
        ));
        sums
    };

    // What is read, for projects (and their funds and problems) and for tasks.
    let pvis = p.visibility(Entity::Project, Action::Read);
    let pf = ProjectFilter {
        region_id: Some(rid),
        segment_id,
        unit_id,
        distinct: true,
        as_of,
        ..Default::default()
    };
    let ff = FundFilter {
        project: pf.clone(),
        from: Some(from),
        until: Some(until),
        ..Default::default()
    };
    let tvis = p.visibility(Entity::Task, Action::Read);
    let tf = TaskFilter {
        region_id: Some(rid),
        unit_id,
        as_of,
        ..Default::default()
    };
    let on = light_on(&st.cfg, today);
    let qf = ProblemFilter {
        region_id: Some(rid),
        unit_id,
        as_of,
        ..Default::default()
    };
    let overdue_tf = TaskFilter {
        overdue_on: Some(today),
        sort: TaskSort::Deadline,
        ..tf.clone()
    };
    let overdue_qf = ProblemFilter {
        overdue_on: Some(today),
        ..qf.clone()
    };
    let top = Page::new(Some(1), Some(TOP as u32));
    let month = Month::of(today);
    let avis = p.visibility(Entity::Activity, Action::Read);
    let af = ActivityFilter {
        region_id: Some(rid),
        unit_id,
        as_of,
        ..counted_filter(month)
    };
    let may_tasks = p.can_somewhere(Entity::Task, Action::Read);
    // By unit: tasks each unit leads, problems each unit must solve, activities; a county's (a
    // city or a province compares the regions beneath it instead).
    let per_unit = areas.is_empty();
    let entered = |stage: Stage| {
        zhaoyin_db::projects::entered_by_region(&st.db, &pvis, &pf, stage, from, until)
    };
    let reads = Reads::new();
    let (
        stages,
        signed_rows,
        started_rows,
        fund_rows,
        task_rows,
        problem_rows,
        task_units,
        mut by_unit,
        (overdue_task_rows, overdue_tasks),
        (overdue_problem_rows, overdue_problems),
        mut activity_counts,
    ) = tokio::try_join!(
        reads.read_if(
            true,
            zhaoyin_db::projects::stages_by_region(&st.db, &pvis, &pf)
        ),
        reads.read_if(true, entered(Stage::Signed)),
        reads.read_if(true, entered(Stage::Started)),
        reads.read_if(
            true,
            zhaoyin_db::progress::funds_by_region(&st.db, &pvis, &ff)
        ),
        reads.read_if(
            may_tasks,
            zhaoyin_db::tasks::lights_by_region(&st.db, &tvis, &tf)
        ),
        reads.read_if(
            true,
            zhaoyin_db::problems::lights_by_region(&st.db, &pvis, &qf, on)
        ),
        reads.read_if(
            per_unit && may_tasks,
            zhaoyin_db::tasks::lights_by_unit(&st.db, &tvis, &tf)
        ),
        reads.read_if(
            per_unit,
            zhaoyin_db::problems::lights_by_unit(&st.db, &pvis, &qf, on)
        ),
        reads.read_if(
            may_tasks,
            crate::service::tasks::list_for(st, p, &overdue_tf, top)
        ),
        reads.read_if(
            true,
            zhaoyin_db::problems::list(&st.db, &pvis, &overdue_qf, top)
        ),
        reads.read_if(
            per_unit && p.can_somewhere(Entity::Activity, Action::Read),
            zhaoyin_db::activities::counts_by_unit(&st.db, &avis, &af)
        ),
    )?;

    // Projects by stage, with their investment.
    let live_rows: Vec<(i64, [i64; 4])> = stages
        .iter()
        .filter(|r| r.stage != Stage::Terminated.id())
        .map(|r| {
            (
                r.region_id,
                [r.projects, r.total_investment, r.outside_investment, 0],
            )
        })
        .collect();
    let live = per_area(&live_rows);
    let funnel = Stage::ALL
        .iter()
        .map(|stage| {
            let rows: Vec<&zhaoyin_db::projects::RegionStage> =
                stages.iter().filter(|r| r.stage == stage.id()).collect();
            let sum =
                |f: fn(&zhaoyin_db::projects::RegionStage) -> i64| rows.iter().map(|r| f(r)).sum();
            StageFigure {
                stage: stage.id().to_string(),
                projects: figure(
                    sum(|r| r.projects),
                    "projects",
                    &ProjectQuery {
                        stage: Some(stage.id().to_string()),
                        ..s.projects(rid)
                    },
                ),
                total_investment: sum(|r| r.total_investment),
                outside_investment: sum(|r| r.outside_investment),
            }
        })
        .collect();

    // Signings and starts per month of the year.
    let by_month = |rows: &Vec<(i64, String, i64)>, month: &str| -> Vec<(i64, [i64; 4])> {
        rows.iter()
            .filter(|(_, m, _)| m == month)
            .map(|(r, _, n)| (*r, [*n, 0, 0, 0]))
            .collect()
    };
    let months = calc::months_of(year, today);
    let entered_query = |stage: Stage, month: &str, region: i64| ProjectQuery {
        entered: Some(stage.id().to_string()),
        month: Some(month.to_string()),
        ..s.projects(region)
    };
    let trend: Vec<MonthFigure> = months
        .iter()
        .map(|m| MonthFigure {
            month: m.clone(),
            signed: figure(
                per_area(&by_month(&signed_rows, m))[0][0],
                "projects",
                &entered_query(Stage::Signed, m, rid),
            ),
            started: figure(
                per_area(&by_month(&started_rows, m))[0][0],
                "projects",
                &entered_query(Stage::Started, m, rid),
            ),
        })
        .collect();
    // The year's totals link to the year's list: the projects entered in each month add up.
    let year_rows = |rows: &Vec<(i64, String, i64)>| -> Vec<(i64, [i64; 4])> {
        rows.iter().map(|(r, _, n)| (*r, [*n, 0, 0, 0])).collect()
    };
    let signed_year = per_area(&year_rows(&signed_rows));
    let started_year = per_area(&year_rows(&started_rows));

    // Funds in place this year.
    let fund_rows: Vec<(i64, [i64; 4])> = fund_rows
        .into_iter()
        .map(|(r, v, u)| (r, [v, u, 0, 0]))
        .collect();
    let funds = per_area(&fund_rows);

    // Tasks and problems by light.
    let task_rows: Vec<(i64, [i64; 4])> = task_rows
        .into_iter()
        .map(|(r, red, yellow, green, closed)| (r, [red, yellow, green, closed]))
        .collect();
    let tasks = per_area(&task_rows);
    let problem_rows: Vec<(i64, [i64; 4])> = problem_rows
        .into_iter()
        .map(|(r, red, yellow, green, solved)| (r, [red, yellow, green, solved]))
        .collect();
    let problems = per_area(&problem_rows);

    let figures_of = |i: usize, region: i64| -> Figures {
        let projects = s.projects(region);
        let live_q = ProjectQuery {
            stage: Some("live".into()),
            ..projects.clone()
        };
        let funds_q = |verified: &str| FundQuery {
            verified: Some(verified.into()),
            ..s.funds(region)
        };
        let task = |light: &str| TaskQuery {
            light: Some(light.into()),
            ..s.tasks(region)
        };
        let problem = |light: &str| ProblemQuery {
            light: Some(light.into()),
            ..s.problems(region)
        };
        Figures {
            projects: figure(live[i][0], "projects", &live_q),
            total_investment: figure(live[i][1], "projects", &live_q),
            outside_investment: figure(live[i][2], "projects", &live_q),
            funds_verified: figure(funds[i][0], "funds", &funds_q("1")),
            funds_unverified: figure(funds[i][1], "funds", &funds_q("0")),
            signed: figure(
                signed_year[i][0],
                "projects",
                &ProjectQuery {
                    entered: Some(Stage::Signed.id().to_string()),
                    year: Some(year.to_string()),
                    ..projects.clone()
                },
            ),
            started: figure(
                started_year[i][0],
                "projects",
                &ProjectQuery {
                    entered: Some(Stage::Started.id().to_string()),
                    year: Some(year.to_string()),
                    ..projects.clone()
                },
            ),
            tasks_red: figure(tasks[i][0], "tasks", &task("red")),
            tasks_yellow: figure(tasks[i][1], "tasks", &task("yellow")),
            tasks_green: figure(tasks[i][2], "tasks", &task("green")),
            problems_red: figure(problems[i][0], "problems", &problem("red")),
            problems_yellow: figure(problems[i][1], "problems", &problem("yellow")),
            problems_green: figure(problems[i][2], "problems", &problem("green")),
        }
    };
    let figures = figures_of(0, rid);
    let area_figures = areas
        .iter()
        .enumerate()
        .map(|(i, (id, name, _))| AreaFigures {
            region_id: *id,
            name: name.clone(),
            figures: figures_of(i + 1, *id),
        })
        .collect();

    // By unit.
    let task_units = task_units
        .into_iter()
        // With a unit chosen, the tasks it leads (the others are led by other units).
        .filter(|u| u.red + u.yellow > 0 && unit_id.is_none_or(|id| id == u.unit_id))
        .take(TOP)
        .map(|u| {
            let task = |light: &str| TaskQuery {
                light: Some(light.into()),
                unit_id: Some(u.unit_id.to_string()),
                role: Some("lead".into()),
                ..s.tasks(rid)
            };
            UnitFigure {
                red: figure(u.red, "tasks", &task("red")),
                yellow: figure(u.yellow, "tasks", &task("yellow")),
                green: figure(u.green, "tasks", &task("green")),
                unit_id: u.unit_id,
                unit_name: u.unit_name,
            }
        })
        .collect();
    by_unit.retain(|(_, red, yellow, _, _)| red + yellow > 0);
    by_unit.sort_by(|a, b| (b.1, b.2, a.0).cmp(&(a.1, a.2, b.0)));
    by_unit.truncate(TOP);
    if let Some(u) = unit_id {
        activity_counts.retain(|c| c.unit_id == u);
    }
    let activity_total = |c: &zhaoyin_db::activities::UnitCounts| {
        c.trips + c.visits + c.talks + c.promotions + c.signings
    };
    activity_counts
        .sort_by(|a, b| (activity_total(b), a.unit_id).cmp(&(activity_total(a), b.unit_id)));
    activity_counts.truncate(TOP);
    // The names of the units both tables show, in one read.
    let named: Vec<i64> = by_unit
        .iter()
        .map(|u| u.0)
        .chain(activity_counts.iter().map(|c| c.unit_id))
        .collect();
    let names = zhaoyin_db::org::unit_names(&st.db, &named).await?;
    let problem_units = by_unit
        .into_iter()
        .map(|(unit, red, yellow, green, _)| {
            let problem = |light: &str| ProblemQuery {
                light: Some(light.into()),
                unit_id: Some(unit.to_string()),
                ..s.problems(rid)
            };
            UnitFigure {
                unit_id: unit,
                unit_name: names.get(&unit).cloned().unwrap_or_default(),
                red: figure(red, "problems", &problem("red")),
                yellow: figure(yellow, "problems", &problem("yellow")),
                green: figure(green, "problems", &problem("green")),
            }
        })
        .collect();

    // The items longest overdue.
    let mut items = Vec::new();
    for r in overdue_task_rows {
        if let Some(deadline) = r.task.deadline {
            items.push(Overdue {
                kind: OverdueKind::Task,
                id: r.task.id,
                title: format!("{} {}", r.task.code, r.task.title),
                unit: r.lead_units.join("、"),
                deadline,
                days: (today - deadline).num_days(),
            });
        }
    }
    for r in overdue_problem_rows {
        items.push(Overdue {
            kind: OverdueKind::Problem,
            id: r.id,
            title: format!("{}：{}", r.project_name, r.description),
            unit: r.unit_name.clone(),
            deadline: r.deadline,
            days: (today - r.deadline).num_days(),
        });
    }
    let overdue = calc::worst(items, TOP)
        .into_iter()
        .map(|item| OverdueItem {
            href: match item.kind {
                OverdueKind::Task => format!("/tasks/{}", item.id),
                OverdueKind::Problem => format!("/problems/{}", item.id),
            },
            item,
        })
        .collect();

    // Activities this month.
    let activities = activity_counts
        .into_iter()
        .map(|c| UnitActivity {
            unit_id: c.unit_id,
            unit_name: names.get(&c.unit_id).cloned().unwrap_or_default(),
            activities: figure(
                activity_total(&c),
                "activities",
                &ActivityQuery {
                    counted: Some("1".into()),
                    month: Some(month.to_string()),
                    unit_id: Some(c.unit_id.to_string()),
                    region_id: Some(rid.to_string()),
                    as_of: s.as_of_text(),
                    ..Default::default()
                },
            ),
        })
        .collect();

    // The county's target list of the year: its progress is read now, so it is left out of a
    // dashboard as of a past day.
    let quotas = match zhaoyin_db::targets::of_region(&st.db, rid, i64::from(year)).await? {
        Some(l) if as_of.is_none() && p.can(Entity::TargetList, Action::Read, &l.place()) => {
            let entries = zhaoyin_db::targets::entries(&st.db, l.id).await?;
            Some(Quotas {
                list_id: l.id,
                name: l.name.clone(),
                href: format!("/target-lists/{}", l.id),
                quotas: crate::service::targets::quotas_of(st, l.id, &entries).await?,
            })
        }
        _ => None,
    };

    Ok(Dashboard {
        region_id: rid,
        region_name: s.region.name.clone(),
        region_level: s.region.level.clone(),
        year,
        today,
        as_of: as_of.map(|a| a.day),
        month: month.to_string(),
        segment_id,
        unit_id,
        figures,
        areas: area_figures,
        funnel,
        trend,
        task_units,
        problem_units,
        overdue,
        overdue_tasks: figure(
            overdue_tasks,
            "tasks",
            &TaskQuery {
                overdue: Some("1".into()),
                sort: Some("deadline".into()),
                ..s.tasks(rid)
            },
        ),
        overdue_problems: figure(
            overdue_problems,
            "problems",
            &ProblemQuery {
                overdue: Some("1".into()),
                ..s.problems(rid)
            },
        ),
        activities,
        quotas,
    })
}
