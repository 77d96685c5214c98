//! `zhaoyin demo --scale county|city|province [--seed N]`: a large, deterministic dataset for
//! benchmarks and load tests. Per county: 60 units (8 of them towns), a contact in each, a policy
//! of 20 measures broken into 1,000 tasks, a year of their reports (about 20,000), and the
//! timeline and light history those reports imply — computed with the same rules the platform
//! uses, so every light, list and "as of" answer is true of the data. A city has 10 counties, a
//! province 150 (in 15 cities).
//!
//! Rows are written in bulk (multi-row inserts with explicit ids, one transaction per county),
//! bypassing the per-write audit entries a user's actions make: this is generated data, not
//! anybody's actions, and it says so in the audit log with one entry.

mod pipeline;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zhaoyin_core::authz::Role;
use zhaoyin_core::task::{
    LightFacts, LightRules, TaskCadence, TaskStatus, due_periods, light, next_change, search_text,
};
use zhaoyin_db::audit::{self, Actor, Change};
use zhaoyin_db::users::{NewGrant, NewUser};
use zhaoyin_db::{Db, Sql, Tx, Value, users};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    County,
    City,
    Province,
}

impl Scale {
    pub fn counties(self) -> usize {
        match self {
            Scale::County => 1,
            Scale::City => 10,
            Scale::Province => 150,
        }
    }

    /// Projects per county: 500, and 2,000 at province scale (300,000 in all, the size the
    /// province dashboard is measured at).
    pub fn projects_per_county(self) -> usize {
        match self {
            Scale::County | Scale::City => 500,
            Scale::Province => 2_000,
        }
    }
}

/// What was made.
#[derive(Debug, Clone, Default)]
pub struct Made {
    pub counties: usize,
    pub regions: usize,
    pub units: usize,
    pub people: usize,
    pub accounts: usize,
    pub tasks: usize,
    pub reports: usize,
    pub events: usize,
    pub companies: usize,
    pub projects: usize,
    pub problems: usize,
    pub funds: usize,
    pub activities: usize,
}

const UNITS: usize = 60;
const TOWNS: usize = 8;
const TASKS: usize = 1_000;
const MEASURES: usize = 20;
const COUNTIES_PER_CITY: usize = 10;

const DEPARTMENTS: &[&str] = &[
    "发展和改革局",
    "工业和信息化局",
    "科技局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "行政审批服务局",
    "统计局",
    "医疗保障局",
    "投资促进中心",
    "金融服务中心",
    "大数据中心",
    "税务局",
    "供电公司",
];
const WORK: &[&str] = &[
    "招引重点项目",
    "对接世界500强企业",
    "建设产业链图谱",
    "落实要素保障",
    "开展驻点招商",
    "举办项目推介会",
    "推进项目开工",
    "优化审批服务",
    "引进高层次人才",
    "培育创新平台",
    "组织产业基金对接",
    "清理低效用地",
    "开展以商招商",
    "完善招商台账",
    "推进签约项目落地",
];

/// Fills an empty database. `progress(done, total)` is called after each county.
pub async fn generate(
    db: &Db,
    scale: Scale,
    seed: u64,
    today: NaiveDate,
    tz: chrono_tz::Tz,
    rules: LightRules,
    progress: impl Fn(u64, u64),
) -> anyhow::Result<Made> {
    let mut rng = StdRng::seed_from_u64(seed);
    let now = zhaoyin_db::now();
    let mut made = Made {
        counties: scale.counties(),
        ..Made::default()
    };
    let mut ids = Ids::default();
    // The province and its cities.
    let province = ids.next_region();
    let mut regions: Vec<Vec<Value>> = vec![region_row(
        province,
        "370000",
        "山东省",
        "province",
        None,
        &format!("/{province}/"),
        now,
    )];
    let cities = scale.counties().div_ceil(COUNTIES_PER_CITY);
    let mut city_rows = Vec::new();
    for c in 0..cities {
        let id = ids.next_region();
        let path = format!("/{province}/{id}/");
        regions.push(region_row(
            id,
            &format!("37{:02}00", c + 1),
            &format!("第{}市", c + 1),
            "city",
            Some(province),
            &path,
            now,
        ));
        city_rows.push((id, path));
    }
    made.regions += regions.len();
    let mut tx = db.begin().await?;
    insert(&mut tx, "regions", REGION_COLS, regions).await?;
    // The projects' tallies are rebuilt once, from all the projects and their versions, when
    // every county is loaded (a project inserted after a later one of its region and stage
    // would change each of that one's rows).
    zhaoyin_db::projects::suspend_tallies(&mut tx).await?;
    tx.commit().await?;

    let mut first_county = None;
    for k in 0..scale.counties() {
        let (city_id, city_path) = &city_rows[k / COUNTIES_PER_CITY];
        let first_task = ids.task + 1;
        let first_project = ids.pipeline.project + 1;
        let county = county(
            &mut rng, &mut ids, k, *city_id, city_path, today, rules, now,
        );
        made.regions += county.regions.len();
        made.units += county.units.len();
        made.people += county.people.len();
        made.tasks += county.tasks.len();
        made.reports += county.reports.len();
        made.events += county.events.len();
        let pipe = pipeline::county(
            &mut rng,
            &mut ids.pipeline,
            k,
            county.region_id,
            &county.unit_ids,
            &county.leader_ids,
            TOWNS,
            scale.projects_per_county(),
            today,
            now,
        );
        made.companies += pipe.companies.len();
        made.projects += pipe.projects.len();
        made.problems += pipe.problems.len();
        made.funds += pipe.funds.len();
        made.activities += pipe.activities.len();
        if first_county.is_none() {
            first_county = Some((county.region_id, county.first_unit));
        }
        let mut tx = db.begin().await?;
        insert(&mut tx, "regions", REGION_COLS, county.regions).await?;
        insert(&mut tx, "units", UNIT_COLS, county.units).await?;
        insert(&mut tx, "people", PEOPLE_COLS, county.people).await?;
        insert(&mut tx, "policies", POLICY_COLS, vec![county.policy]).await?;
        insert(&mut tx, "policy_clauses", CLAUSE_COLS, county.clauses).await?;
        insert(&mut tx, "tasks", TASK_COLS, county.tasks).await?;
        insert(&mut tx, "task_units", TASK_UNIT_COLS, county.task_units).await?;
        insert(
            &mut tx,
            "task_leaders",
            TASK_LEADER_COLS,
            county.task_leaders,
        )
        .await?;
        insert(&mut tx, "task_reports", REPORT_COLS, county.reports).await?;
        insert(&mut tx, "task_events", EVENT_COLS, county.events).await?;
        insert(&mut tx, "task_light_history", HISTORY_COLS, county.history).await?;
        zhaoyin_db::tasks::History::span_all(&mut tx, first_task, ids.task).await?;
        insert(&mut tx, "companies", pipeline::COMPANY_COLS, pipe.companies).await?;
        insert(&mut tx, "projects", pipeline::PROJECT_COLS, pipe.projects).await?;
        insert(
            &mut tx,
            "project_versions",
            &[pipeline::PROJECT_COLS, pipeline::PROJECT_VERSION_EXTRA].concat(),
            pipe.project_versions,
        )
        .await?;
        insert(&mut tx, "project_stages", pipeline::STAGE_COLS, pipe.stages).await?;
        zhaoyin_db::projects::span_stages(&mut tx, first_project..=ids.pipeline.project).await?;
        insert(
            &mut tx,
            "project_problems",
            pipeline::PROBLEM_COLS,
            pipe.problems,
        )
        .await?;
        insert(
            &mut tx,
            "project_problem_versions",
            &[pipeline::PROBLEM_COLS, pipeline::PROBLEM_VERSION_EXTRA].concat(),
            pipe.problem_versions,
        )
        .await?;
        insert(&mut tx, "project_funds", pipeline::FUND_COLS, pipe.funds).await?;
        insert(
            &mut tx,
            "project_files",
            pipeline::FUND_FILE_COLS,
            pipe.fund_files,
        )
        .await?;
        insert(
            &mut tx,
            "activities",
            pipeline::ACTIVITY_COLS,
            pipe.activities,
        )
        .await?;
        for (table, column, rows) in [
            ("activity_units", "unit_id", pipe.activity_units),
            ("activity_leaders", "person_id", pipe.activity_leaders),
            ("activity_companies", "company_id", pipe.activity_companies),
            ("activity_projects", "project_id", pipe.activity_projects),
        ] {
            insert(&mut tx, table, &["activity_id", column], rows).await?;
        }
        tx.commit().await?;
        progress(k as u64 + 1, scale.counties() as u64);
    }
    let mut tx = db.begin().await?;
    zhaoyin_db::projects::retally(&mut tx).await?;
    tx.commit().await?;
    for table in [
        "regions",
        "units",
        "people",
        "policies",
        "policy_clauses",
        "tasks",
        "task_reports",
        "task_events",
        "companies",
        "projects",
        "project_stages",
        "project_problems",
        "project_funds",
        "project_files",
        "activities",
    ] {
        db.sync_identity(table).await?;
    }

    // The tallies by day, counted once from everything loaded (the triggers only marked them out
    // of date); then statistics for the planner over all of it.
    zhaoyin_db::tallies::recount(db, tz, today).await?;
    db.analyze(true).await?;

    // Accounts to sign in with: the county's supervisor, leader and a clerk; a province-wide
    // supervisor; the system administrator.
    let (county_id, unit_id) = first_county.ok_or_else(|| anyhow::anyhow!("no county"))?;
    let hash = zhaoyin_core::password::hash(crate::demo::PASSWORD)?;
    let grant = |role, scope_unit_id, scope_region_id| NewGrant {
        role,
        scope_unit_id,
        scope_region_id,
    };
    let accounts = [
        (
            "admin",
            "系统管理员",
            grant(Role::Sysadmin, None, Some(province)),
        ),
        (
            "province",
            "省级督导员",
            grant(Role::Supervisor, None, Some(province)),
        ),
        (
            "supervisor",
            "县级督导员",
            grant(Role::Supervisor, None, Some(county_id)),
        ),
        (
            "leader",
            "县级领导",
            grant(Role::Leader, None, Some(county_id)),
        ),
        (
            "clerk",
            "单位联络员",
            grant(Role::Clerk, Some(unit_id), None),
        ),
    ];
    let system = Actor::system();
    for (username, name, grant) in accounts {
        users::create(
            db,
            &system,
            &NewUser {
                username: username.into(),
                display_name: name.into(),
                unit_id,
                person_id: None,
                password_hash: hash.clone(),
                must_change_password: false,
            },
            &[grant],
        )
        .await?;
        made.accounts += 1;
    }
    let mut tx = db.begin().await?;
    audit::append(
        &mut tx,
        &system,
        Change::new("generate", "region", province).after(&serde_json::json!({
            "scale": format!("{scale:?}"), "seed": seed, "counties": made.counties,
            "tasks": made.tasks, "reports": made.reports,
            "companies": made.companies, "projects": made.projects,
            "problems": made.problems, "funds": made.funds, "activities": made.activities,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(made)
}

/// Next ids per table (the generator fills an empty database).
#[derive(Default)]
struct Ids {
    region: i64,
    unit: i64,
    person: i64,
    policy: i64,
    clause: i64,
    task: i64,
    report: i64,
    event: i64,
    pipeline: pipeline::Ids,
}

impl Ids {
    fn next_region(&mut self) -> i64 {
        self.region += 1;
        self.region
    }
}

struct County {
    region_id: i64,
    first_unit: i64,
    /// Every unit of the county, its towns first.
    unit_ids: Vec<i64>,
    /// The county leaders (people).
    leader_ids: Vec<i64>,
    regions: Vec<Vec<Value>>,
    units: Vec<Vec<Value>>,
    people: Vec<Vec<Value>>,
    policy: Vec<Value>,
    clauses: Vec<Vec<Value>>,
    tasks: Vec<Vec<Value>>,
    task_units: Vec<Vec<Value>>,
    task_leaders: Vec<Vec<Value>>,
    reports: Vec<Vec<Value>>,
    events: Vec<Vec<Value>>,
    history: Vec<Vec<Value>>,
}

const REGION_COLS: &[&str] = &[
    "id",
    "code",
    "name",
    "level",
    "parent_id",
    "path",
    "created_at",
    "updated_at",
];
const UNIT_COLS: &[&str] = &[
    "id",
    "code",
    "name",
    "short_name",
    "kind",
    "region_id",
    "sort_order",
    "created_at",
    "updated_at",
];
const PEOPLE_COLS: &[&str] = &["id", "unit_id", "name", "title", "created_at", "updated_at"];
const POLICY_COLS: &[&str] = &[
    "id",
    "region_id",
    "title",
    "issuer",
    "doc_number",
    "issued_on",
    "source_text",
    "created_at",
    "updated_at",
];
const CLAUSE_COLS: &[&str] = &[
    "id",
    "policy_id",
    "position",
    "chapter_number",
    "chapter_title",
    "number",
    "title",
    "text",
];
const TASK_COLS: &[&str] = &[
    "id",
    "region_id",
    "policy_id",
    "clause_id",
    "code",
    "title",
    "content",
    "cadence",
    "assigned_on",
    "original_deadline",
    "deadline",
    "status",
    "search",
    "light",
    "light_next_change",
    "created_at",
    "updated_at",
    "closed_at",
];
const TASK_UNIT_COLS: &[&str] = &["task_id", "unit_id", "role"];
const TASK_LEADER_COLS: &[&str] = &["task_id", "person_id"];
const REPORT_COLS: &[&str] = &[
    "id",
    "task_id",
    "unit_id",
    "period_start",
    "period_end",
    "progress",
    "percent",
    "on_track",
    "status",
    "submitted_at",
];
const EVENT_COLS: &[&str] = &[
    "id",
    "task_id",
    "at",
    "actor_name",
    "kind",
    "from_status",
    "to_status",
    "text",
];
const HISTORY_COLS: &[&str] = &["task_id", "since", "light"];

fn region_row(
    id: i64,
    code: &str,
    name: &str,
    level: &str,
    parent: Option<i64>,
    path: &str,
    now: DateTime<Utc>,
) -> Vec<Value> {
    vec![
        id.into(),
        code.into(),
        name.into(),
        level.into(),
        parent.into(),
        path.into(),
        now.into(),
        now.into(),
    ]
}

/// Ten in the morning, Beijing time, of `day`.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(2, 0, 0).unwrap_or(NaiveTime::MIN))
        .and_utc()
}

#[allow(clippy::too_many_arguments)]
fn county(
    rng: &mut StdRng,
    ids: &mut Ids,
    k: usize,
    city_id: i64,
    city_path: &str,
    today: NaiveDate,
    rules: LightRules,
    now: DateTime<Utc>,
) -> County {
    let n = k + 1;
    let region_id = ids.next_region();
    let region_path = format!("{city_path}{region_id}/");
    let code = format!(
        "37{:02}{:02}",
        k / COUNTIES_PER_CITY + 1,
        k % COUNTIES_PER_CITY + 1
    );
    let name = format!("第{n}县");
    let mut regions = vec![region_row(
        region_id,
        &code,
        &name,
        "county",
        Some(city_id),
        &region_path,
        now,
    )];
    let mut units = Vec::new();
    let mut people = Vec::new();
    let mut unit_ids = Vec::new();
    for j in 0..UNITS {
        ids.unit += 1;
        let unit = ids.unit;
        let (unit_region, unit_name, kind) = if j < TOWNS {
            let town = ids.next_region();
            let town_name = format!("{name}第{}镇", j + 1);
            regions.push(region_row(
                town,
                &format!("{code}{:03}", j + 101),
                &town_name,
                "town",
                Some(region_id),
                &format!("{region_path}{town}/"),
                now,
            ));
            (town, town_name, "town")
        } else {
            let dept = DEPARTMENTS[(j - TOWNS) % DEPARTMENTS.len()];
            let suffix = if j - TOWNS >= DEPARTMENTS.len() {
                format!("{}", (j - TOWNS) / DEPARTMENTS.len() + 1)
            } else {
                String::new()
            };
            (
                region_id,
                format!("{name}{dept}{suffix}"),
                if j % 7 == 0 { "office" } else { "department" },
            )
        };
        units.push(vec![
            unit.into(),
            format!("c{n}-u{j}").into(),
            unit_name.into(),
            Value::Text(None),
            kind.into(),
            unit_region.into(),
            (j as i64 * 10).into(),
            now.into(),
            now.into(),
        ]);
        ids.person += 1;
        people.push(vec![
            ids.person.into(),
            unit.into(),
            format!("联络员{n}-{j}").into(),
            "科长".into(),
            now.into(),
            now.into(),
        ]);
        unit_ids.push(unit);
    }
    // County leaders, in the first office.
    let leader_unit = unit_ids[TOWNS];
    let mut leaders = Vec::new();
    for l in 0..6 {
        ids.person += 1;
        people.push(vec![
            ids.person.into(),
            leader_unit.into(),
            format!("县领导{n}-{l}").into(),
            "县级领导".into(),
            now.into(),
            now.into(),
        ]);
        leaders.push(ids.person);
    }
    let assigned_on = today - Duration::days(365);
    ids.policy += 1;
    let policy_id = ids.policy;
    let policy = vec![
        policy_id.into(),
        region_id.into(),
        format!("{name}推进“双招双引”若干措施").into(),
        format!("{name}人民政府").into(),
        format!("{name}政发〔{}〕{n}号", assigned_on.format("%Y")).into(),
        Value::Date(Some(assigned_on)),
        String::new().into(),
        morning(assigned_on).into(),
        morning(assigned_on).into(),
    ];
    let mut clauses = Vec::new();
    let mut clause_ids = Vec::new();
    for c in 0..MEASURES {
        ids.clause += 1;
        clauses.push(vec![
            ids.clause.into(),
            policy_id.into(),
            (c as i64).into(),
            format!("{}", c / 4 + 1).into(),
            format!("第{}部分", c / 4 + 1).into(),
            format!("{}", c + 1).into(),
            format!("措施{}", c + 1).into(),
            format!("措施{}的内容。", c + 1).into(),
        ]);
        clause_ids.push(ids.clause);
    }
    let mut out = County {
        region_id,
        first_unit: unit_ids[TOWNS],
        unit_ids: unit_ids.clone(),
        leader_ids: leaders.clone(),
        regions,
        units,
        people,
        policy,
        clauses,
        tasks: Vec::new(),
        task_units: Vec::new(),
        task_leaders: Vec::new(),
        reports: Vec::new(),
        events: Vec::new(),
        history: Vec::new(),
    };
    for t in 0..TASKS {
        ids.task += 1;
        let task_id = ids.task;
        let cadence = match rng.random_range(0..100) {
            0..10 => TaskCadence::Weekly,
            10..70 => TaskCadence::Monthly,
            70..93 => TaskCadence::Quarterly,
            _ => TaskCadence::Once,
        };
        let deadline = match cadence {
            TaskCadence::Once => Some(today + Duration::days(rng.random_range(-120..180))),
            _ if rng.random_bool(0.5) => Some(today + Duration::days(rng.random_range(-30..240))),
            _ => None,
        };
        // Lead units (1–2) and supporting units (0–2), all different.
        let mut picked: Vec<i64> = Vec::new();
        let leads = if rng.random_bool(0.8) { 2 } else { 1 };
        let supports = rng.random_range(0..3);
        while picked.len() < leads + supports {
            let u = unit_ids[rng.random_range(0..unit_ids.len())];
            if !picked.contains(&u) {
                picked.push(u);
            }
        }
        let lead: Vec<i64> = picked[..leads].to_vec();
        for (i, u) in picked.iter().enumerate() {
            out.task_units.push(vec![
                task_id.into(),
                (*u).into(),
                if i < leads { "lead" } else { "support" }.into(),
            ]);
        }
        out.task_leaders.push(vec![
            task_id.into(),
            leaders[rng.random_range(0..leaders.len())].into(),
        ]);
        // Where it ends up: most in progress, some waiting, some closed.
        let fate = rng.random_range(0..100);
        let accepted_on = assigned_on + Duration::days(rng.random_range(1..10));
        let closed_on = (fate >= 90).then(|| today - Duration::days(rng.random_range(1..200)));
        let final_status = match fate {
            0..5 => TaskStatus::Assigned,
            5..12 => TaskStatus::Accepted,
            85..90 => TaskStatus::CloseRequested,
            90.. => TaskStatus::Closed,
            _ => TaskStatus::InProgress,
        };
        // Reports: each lead unit, each period ended, mostly on time, some late; of the last two
        // periods some are still missing (older gaps were filled long ago).
        let mut submitted: Vec<(NaiveDate, NaiveDate, i64)> = Vec::new(); // (period end, day, unit)
        let until = closed_on.unwrap_or(today);
        let reporting = !matches!(final_status, TaskStatus::Assigned | TaskStatus::Accepted);
        let periods = if reporting {
            due_periods(cadence, assigned_on, until)
        } else {
            Vec::new()
        };
        for (pi, p) in periods.iter().enumerate() {
            for u in &lead {
                if pi + 2 >= periods.len() && rng.random_bool(0.08) {
                    continue;
                }
                let late = rng.random_bool(0.1);
                let day = if late {
                    p.end + Duration::days(rng.random_range(1..15))
                } else {
                    p.end - Duration::days(rng.random_range(0..5))
                }
                .max(accepted_on)
                .min(until);
                ids.report += 1;
                let percent = (((pi + 1) * 100) / (periods.len() + 1)) as i64;
                out.reports.push(vec![
                    ids.report.into(),
                    task_id.into(),
                    (*u).into(),
                    Value::Date(Some(p.start)),
                    Value::Date(Some(p.end)),
                    WORK[rng.random_range(0..WORK.len())].into(),
                    percent.into(),
                    rng.random_bool(0.9).into(),
                    if rng.random_bool(0.8) {
                        "approved"
                    } else {
                        "submitted"
                    }
                    .into(),
                    morning(day).into(),
                ]);
                submitted.push((p.end, day, *u));
            }
        }
        // The timeline of moves.
        let mut moves: Vec<(NaiveDate, &str, TaskStatus, TaskStatus)> = Vec::new();
        if final_status != TaskStatus::Assigned {
            moves.push((
                accepted_on,
                "accept",
                TaskStatus::Assigned,
                TaskStatus::Accepted,
            ));
        }
        let first_report = submitted.iter().map(|s| s.1).min();
        if reporting && let Some(d) = first_report {
            moves.push((
                d.max(accepted_on),
                "progress",
                TaskStatus::Accepted,
                TaskStatus::InProgress,
            ));
        }
        if matches!(
            final_status,
            TaskStatus::CloseRequested | TaskStatus::Closed
        ) {
            let from = if first_report.is_some() {
                TaskStatus::InProgress
            } else {
                TaskStatus::Accepted
            };
            let asked = closed_on
                .map(|c| c - Duration::days(3))
                .unwrap_or(today - Duration::days(rng.random_range(1..20)))
                .max(first_report.unwrap_or(accepted_on));
            moves.push((asked, "request_close", from, TaskStatus::CloseRequested));
            if let Some(c) = closed_on {
                moves.push((
                    c.max(asked),
                    "close",
                    TaskStatus::CloseRequested,
                    TaskStatus::Closed,
                ));
            }
        }
        ids.event += 1;
        out.events.push(vec![
            ids.event.into(),
            task_id.into(),
            morning(assigned_on).into(),
            "system".into(),
            "assign".into(),
            Value::Text(None),
            "assigned".into(),
            Value::Text(None),
        ]);
        for (day, kind, from, to) in &moves {
            ids.event += 1;
            out.events.push(vec![
                ids.event.into(),
                task_id.into(),
                (morning(*day) + Duration::minutes(1)).into(),
                "system".into(),
                (*kind).into(),
                from.id().into(),
                to.id().into(),
                Value::Text(None),
            ]);
        }
        // The light, day by day as the facts changed: the rules' own next change, and each
        // report's day and each move's day.
        let status_on = |day: NaiveDate| {
            moves
                .iter()
                .filter(|m| m.0 <= day)
                .map(|m| m.3)
                .next_back()
                .unwrap_or(TaskStatus::Assigned)
        };
        let reported_on = |day: NaiveDate| {
            let mut ends: Vec<NaiveDate> = submitted
                .iter()
                .filter(|s| s.1 <= day)
                .map(|s| s.0)
                .collect();
            ends.sort();
            ends.dedup();
            ends.into_iter()
                .filter(|end| {
                    lead.iter().all(|u| {
                        submitted
                            .iter()
                            .any(|s| s.0 == *end && s.2 == *u && s.1 <= day)
                    })
                })
                .collect::<Vec<_>>()
        };
        let mut events_days: Vec<NaiveDate> = submitted
            .iter()
            .map(|s| s.1)
            .chain(moves.iter().map(|m| m.0))
            .collect();
        events_days.sort();
        let mut day = assigned_on;
        let mut last: Option<&str> = None;
        let (final_light, next) = loop {
            let reported = reported_on(day);
            let facts = LightFacts {
                status: status_on(day),
                deadline,
                cadence,
                assigned_on,
                reported_periods: &reported,
            };
            let (l, _) = light(&facts, day, rules);
            if last != Some(l.id()) {
                out.history
                    .push(vec![task_id.into(), Value::Date(Some(day)), l.id().into()]);
                last = Some(l.id());
            }
            let by_rule = next_change(&facts, day, rules);
            let by_event = events_days.iter().find(|d| **d > day).copied();
            let next = match (by_rule, by_event) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            match next {
                Some(d) if d <= today => day = d,
                _ => break (l, by_rule.filter(|d| *d > today)),
            }
        };
        let title = format!("{}（{}）", WORK[t % WORK.len()], t + 1);
        let code = format!("T{n}-{:04}", t + 1);
        out.tasks.push(vec![
            task_id.into(),
            region_id.into(),
            policy_id.into(),
            clause_ids[t % MEASURES].into(),
            code.clone().into(),
            title.clone().into(),
            String::new().into(),
            cadence.id().into(),
            Value::Date(Some(assigned_on)),
            Value::Date(deadline),
            Value::Date(deadline),
            moves
                .last()
                .map_or(TaskStatus::Assigned, |m| m.3)
                .id()
                .into(),
            search_text(&code, &title).into(),
            final_light.id().into(),
            Value::Date(next),
            morning(assigned_on).into(),
            morning(assigned_on).into(),
            Value::Time(closed_on.map(morning)),
        ]);
    }
    out
}

/// Multi-row inserts, a few thousand values per statement (both engines take that many).
async fn insert(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> anyhow::Result<()> {
    let per = (4_000 / columns.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut q = Sql::new(format!(
            "INSERT INTO {table} ({}) VALUES ",
            columns.join(", ")
        ));
        for (i, row) in rows.by_ref().take(per).enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.into_iter().enumerate() {
                if j > 0 {
                    q.push(", ");
                }
                q.push_bind(v);
            }
            q.push(")");
        }
        tx.execute(q).await?;
    }
    Ok(())
}
