//! Demo data for `zhaoyin demo`: Gaoqing County (高青县, Zibo, Shandong) with its towns, the
//! county departments, parks and towns named in its 2019 investment-and-talent measures, a
//! contact person in each, the county leaders the measures name, and one account per role.
//! Names of contact persons are invented.

use std::collections::HashMap;

use zhaoyin_core::authz::Role;
use zhaoyin_core::org::{PersonInput, RegionInput, RegionLevel, UnitInput};
use zhaoyin_db::audit::Actor;
use zhaoyin_db::users::{NewGrant, NewUser};
use zhaoyin_db::{Db, Sql, org, users};

/// Password of every demo account (printed by `zhaoyin demo`).
pub const PASSWORD: &str = "Zhaoyin@2026";

const PROVINCE: (&str, &str) = ("370000", "山东省");
const CITY: (&str, &str) = ("370300", "淄博市");
const COUNTY: (&str, &str) = ("370322", "高青县");
const TOWNS: &[(&str, &str, &str)] = &[
    ("370322001", "田镇街道", "gq-tz"),
    ("370322002", "芦湖街道", "gq-lh"),
    ("370322101", "青城镇", "gq-qc"),
    ("370322102", "高城镇", "gq-gc"),
    ("370322103", "黑里寨镇", "gq-hlz"),
    ("370322104", "唐坊镇", "gq-tf"),
    ("370322105", "常家镇", "gq-cj"),
    ("370322106", "花沟镇", "gq-hg"),
    ("370322107", "木李镇", "gq-ml"),
];

/// County-level units: code, name, short name, kind.
const UNITS: &[(&str, &str, &str, &str)] = &[
    ("gq-xwb", "县委办公室", "县委办", "office"),
    ("gq-zfb", "县政府办公室", "县政府办", "office"),
    ("gq-jw", "县纪委县监委机关", "县纪委监委", "office"),
    ("gq-zzb", "县委组织部", "组织部", "office"),
    ("gq-bb", "县委编办", "编办", "office"),
    ("gq-tcz", "县投资促进中心", "投促中心", "office"),
    ("gq-swz", "县商务外事服务中心", "商务中心", "office"),
    ("gq-jrz", "县金融证券服务中心", "金融中心", "office"),
    (
        "gq-zhcs",
        "县智慧城市建设管理中心",
        "智慧城市中心",
        "office",
    ),
    ("gq-fgj", "县发展和改革局", "发改局", "department"),
    ("gq-gxj", "县工业和信息化局", "工信局", "department"),
    ("gq-kjj", "县科技局", "科技局", "department"),
    ("gq-czj", "县财政局", "财政局", "department"),
    ("gq-rsj", "县人力资源和社会保障局", "人社局", "department"),
    ("gq-zrj", "县自然资源局", "自然资源局", "department"),
    ("gq-zjj", "县住房和城乡建设局", "住建局", "department"),
    ("gq-jtj", "县交通运输局", "交通局", "department"),
    ("gq-slj", "县水利局", "水利局", "department"),
    ("gq-yjj", "县应急管理局", "应急局", "department"),
    ("gq-sjj", "县审计局", "审计局", "department"),
    ("gq-spj", "县行政审批服务局", "审批局", "department"),
    ("gq-sthj", "市生态环境局高青分局", "环境分局", "department"),
    ("gq-swj", "县税务局", "税务局", "department"),
    ("gq-rh", "县人行", "人行", "department"),
    ("gq-yjb", "县银监办", "银监办", "department"),
    ("gq-gd", "县供电公司", "供电公司", "department"),
    ("gq-xf", "县消防救援大队", "消防大队", "department"),
    ("gq-kfq", "经济开发区", "开发区", "park"),
    ("gq-hgy", "县化工产业园", "化工园", "park"),
];

/// Invented contact persons: unit code, name, title.
const CONTACTS: &[(&str, &str, &str)] = &[
    ("gq-xwb", "孙晓东", "督查科科长"),
    ("gq-zfb", "周文静", "综合科科长"),
    ("gq-jw", "吴国强", "党风政风监督室主任"),
    ("gq-zzb", "郑丽华", "干部科科长"),
    ("gq-bb", "王海涛", "综合科科长"),
    ("gq-tcz", "刘志远", "主任"),
    ("gq-tcz", "陈雪梅", "招商科科长"),
    ("gq-swz", "赵明辉", "副主任"),
    ("gq-jrz", "钱晓燕", "综合科科长"),
    ("gq-zhcs", "冯建军", "副主任"),
    ("gq-fgj", "杨振华", "局长"),
    ("gq-fgj", "许静", "项目科科长"),
    ("gq-gxj", "马立新", "副局长"),
    ("gq-kjj", "朱红梅", "科技服务科科长"),
    ("gq-czj", "胡永刚", "预算科科长"),
    ("gq-rsj", "林芳", "人才科科长"),
    ("gq-zrj", "何建平", "用地科科长"),
    ("gq-zjj", "高玉兰", "建管科科长"),
    ("gq-jtj", "罗成", "规划科科长"),
    ("gq-slj", "梁志强", "办公室主任"),
    ("gq-yjj", "宋丽", "安监科科长"),
    ("gq-sjj", "唐伟", "办公室主任"),
    ("gq-spj", "韩冬梅", "投资项目审批科科长"),
    ("gq-sthj", "曹磊", "环评科科长"),
    ("gq-swj", "邓洁", "纳税服务科科长"),
    ("gq-kfq", "谢国栋", "招商局局长"),
    ("gq-hgy", "董鹏", "招商部部长"),
    ("gq-tz", "袁静", "经济发展办主任"),
    ("gq-lh", "程刚", "经济发展办主任"),
    ("gq-qc", "傅晓红", "经济发展办主任"),
    ("gq-gc", "沈涛", "经济发展办主任"),
    ("gq-hlz", "彭丽娟", "经济发展办主任"),
    ("gq-tf", "吕建华", "经济发展办主任"),
    ("gq-cj", "苏明", "经济发展办主任"),
    ("gq-hg", "卢海燕", "经济发展办主任"),
    ("gq-ml", "蒋志勇", "经济发展办主任"),
];

/// The county leaders named as responsible persons in the measures.
const LEADERS: &[&str] = &[
    "卢琳",
    "陈现彬",
    "蔡华刚",
    "李慧",
    "张亮云",
    "赵学",
    "王金栋",
    "杨新胜",
];

/// Demo accounts: username, display name, unit code, role, scope (unit or county).
pub const ACCOUNTS: &[(&str, &str, &str, Role, bool)] = &[
    ("admin", "系统管理员", "gq-zhcs", Role::Sysadmin, false),
    ("secadmin", "安全管理员", "gq-zhcs", Role::Secadmin, false),
    ("auditor", "审计管理员", "gq-sjj", Role::Auditor, false),
    ("leader", "张亮云", "gq-zfb", Role::Leader, false),
    ("supervisor", "刘志远", "gq-tcz", Role::Supervisor, false),
    ("clerk", "许静", "gq-fgj", Role::Clerk, true),
    ("agent", "韩冬梅", "gq-spj", Role::Agent, false),
    ("viewer", "孙晓东", "gq-xwb", Role::Viewer, false),
];

/// The example assessment scheme ([`zhaoyin_core::assessment::example`]) with the county's
/// units, for the supervisor to compute a quarter with.
async fn load_assessment(db: &Db, supervisor: &Actor, county: i64) -> anyhow::Result<()> {
    use zhaoyin_db::assessments::{self, SchemeFields};
    let units = assessments::units_of(db, county).await?;
    let of = |kind: &str| -> Vec<i64> {
        units
            .iter()
            .filter(|(_, k)| k == kind)
            .map(|(id, _)| *id)
            .collect()
    };
    let v = zhaoyin_core::assessment::example(
        "“双招双引”季度考核（示例）",
        of("department"),
        of("park"),
        of("town"),
    );
    v.check()
        .map_err(|e| anyhow::anyhow!("the example scheme: {e:?}"))?;
    assessments::create_scheme(
        db,
        supervisor,
        county,
        &SchemeFields {
            name: &v.scheme.name,
            period_kind: "quarter",
            body: &serde_json::to_string(&v)?,
        },
    )
    .await?;
    Ok(())
}

/// The example incentive rules ([`zhaoyin_core::incentive::Rules::example`]) saved for the
/// county, and the introducer's award proposed for each project the rules give one today.
async fn load_incentives(db: &Db, supervisor: &Actor, county: i64) -> anyhow::Result<usize> {
    use zhaoyin_db::incentives;
    use zhaoyin_web::service::incentives as svc;
    let rules = zhaoyin_core::incentive::Rules::example();
    incentives::save_rules(
        db,
        supervisor,
        incentives::Config::Incentive,
        county,
        None,
        &serde_json::to_string(&rules)?,
    )
    .await?;
    let ids: Vec<(i64,)> = db
        .all(
            Sql::new(
                "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id \
                 WHERE r.path LIKE (SELECT path FROM regions WHERE id = $1) || '%' ORDER BY p.id",
            )
            .bind(county),
        )
        .await?;
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    let facts = incentives::claims(db, &ids).await?;
    let mut made = 0;
    for (p, funds) in ids.iter().filter_map(|id| facts.get(id)) {
        // Those the rules give nothing are not proposed.
        if let Ok(proposal) = svc::introducer_proposal(&rules.introducer, p, funds) {
            svc::propose_for(db, supervisor, county, p, &proposal)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            made += 1;
        }
    }
    Ok(made)
}

/// The example land-efficiency rules saved for the county, and two finished years of figures
/// for its library's first two dozen companies (invented, varied by company and year).
async fn load_land(
    db: &Db,
    supervisor: &Actor,
    county: i64,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use rust_decimal::Decimal;
    use zhaoyin_db::incentives::{self, Config};
    let rules = zhaoyin_core::land::Rules::default();
    incentives::save_rules(
        db,
        supervisor,
        Config::Land,
        county,
        None,
        &serde_json::to_string(&rules)?,
    )
    .await?;
    let mut companies: Vec<i64> = zhaoyin_db::land::library(db, county)
        .await?
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    companies.sort_unstable();
    companies.truncate(24);
    let last = i64::from(chrono::Datelike::year(&today)) - 1;
    for (age, year) in [(1i64, last - 1), (0, last)] {
        let rows = companies
            .iter()
            .enumerate()
            .map(|(n, id)| {
                let n = n as i64;
                // Land from 30 to 250 mu; per mu, tax from 2 to 40万元, moved a little by year.
                let land = 30 + (n * 37) % 220;
                let per_mu = 2 + (n * 13 + age * (n % 5)) % 38;
                let tax = land * per_mu;
                let revenue = tax * (9 + n % 7);
                let year = zhaoyin_core::land::Year {
                    land_mu: Decimal::from(land),
                    tax: Decimal::from(tax),
                    revenue: Decimal::from(revenue),
                    output: Decimal::from(revenue * 11 / 10),
                    energy_tce: Decimal::from(200 + (n * 53) % 3000),
                    rnd: Decimal::from(revenue * (1 + n % 4) / 100),
                    employees: 40 + (n * 29) % 600,
                    emissions: Decimal::from(5 + (n * 7) % 90),
                };
                year.check()
                    .map_err(|e| anyhow::anyhow!("demo land figures: {e:?}"))?;
                Ok((*id, serde_json::to_string(&year)?))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        zhaoyin_db::land::import(db, supervisor, county, year, &rows).await?;
    }
    Ok(())
}

/// New loans of last year and this year so far (this year's growth past the target), recorded
/// by the supervisor's unit, and two projects recommended to a bank and a fund, one financed.
async fn load_financing(
    db: &Db,
    supervisor: &Actor,
    county: i64,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use zhaoyin_core::financing::{
        Institution, LoanFields, LoanKind, Outcome, OutcomeFields, ReferralFields,
    };
    use zhaoyin_db::financing;
    let user = zhaoyin_db::users::by_username(db, &supervisor.name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo's supervisor"))?;
    let mut companies: Vec<i64> = zhaoyin_db::land::library(db, county)
        .await?
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    companies.sort_unstable();
    companies.truncate(8);
    let banks = [
        "县农商银行",
        "工商银行县支行",
        "建设银行县支行",
        "县融资担保公司合作银行",
    ];
    let kinds = LoanKind::ALL;
    let this_year = chrono::Datelike::year(&today);
    for (n, company) in companies.iter().enumerate() {
        let n32 = u32::try_from(n)?;
        for (year, scale) in [(this_year - 1, 100), (this_year, 125)] {
            // This year's loans are granted by today at the latest.
            let granted_on = chrono::NaiveDate::from_ymd_opt(year, 1 + n32 % 10, 5 + n32)
                .map(|d| d.min(today))
                .ok_or_else(|| anyhow::anyhow!("a day"))?;
            let fields = LoanFields {
                bank: banks[n % banks.len()].to_string(),
                kind: kinds[n % kinds.len()],
                granted_on,
                amount: (300 + 170 * i64::try_from(n)?) * scale / 100,
                note: None,
            };
            financing::add_loan(db, supervisor, (county, user.unit_id, *company), &fields).await?;
        }
    }
    let projects: Vec<(i64,)> = db
        .all(
            Sql::new(
                "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id \
                 WHERE p.stage IN ('signed', 'started') \
                 AND r.path LIKE (SELECT path FROM regions WHERE id = $1) || '%' \
                 ORDER BY p.id LIMIT 2",
            )
            .bind(county),
        )
        .await?;
    let referred_on = today - chrono::Duration::days(40);
    for (n, (project,)) in projects.iter().enumerate() {
        let (institution, kind) = if n == 0 {
            ("县农商银行", Institution::Bank)
        } else {
            ("省新旧动能转换引导基金", Institution::Fund)
        };
        let r = financing::add_referral(
            db,
            supervisor,
            (county, user.unit_id, *project),
            &ReferralFields {
                institution: institution.to_string(),
                institution_kind: kind,
                referred_on,
                sought: Some(5_000),
                note: None,
            },
        )
        .await?;
        if n == 0 {
            financing::decide(
                db,
                supervisor,
                &r,
                &OutcomeFields {
                    outcome: Outcome::Financed,
                    financed: Some(3_000),
                    decided_on: referred_on + chrono::Duration::days(20),
                    reason: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Whether the database already holds an organisation.
pub async fn is_empty(db: &Db) -> anyhow::Result<bool> {
    let (n,): (i64,) = db.one(Sql::new("SELECT COUNT(*) FROM regions")).await?;
    Ok(n == 0)
}

fn fields<T, E: std::fmt::Debug>(r: Result<T, E>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("demo data does not validate: {e:?}"))
}

/// What `load` made.
pub struct Loaded {
    pub units: usize,
    pub tasks: usize,
    pub companies: usize,
    pub projects: usize,
    pub chains: usize,
    pub talents: usize,
    pub activities: usize,
    pub problems: usize,
    pub updates: usize,
    pub meetings: usize,
}

/// The demo as if it had been kept day by day. Loading takes a moment and every row it writes
/// says "now"; reports and dashboards read as of a past day count only what was recorded by
/// then. So each record gets the time it would have had, at nine in the morning of its day:
/// activities their first day, stage entries and funds (with their evidence) theirs; each state
/// of a project the day of its stage; a problem is raised thirty days before its deadline
/// (yesterday at the latest), its moves following. Days from today on keep the time they were
/// loaded at.
async fn record_on_their_days(db: &Db, web: &zhaoyin_web::WebConfig) -> anyhow::Result<()> {
    use chrono::{DateTime, Duration, NaiveDate, Utc};
    type Time = DateTime<Utc>;
    let today = web.today();
    let morning = |d: NaiveDate| web.as_of(d.pred_opt().unwrap_or(d)).end + Duration::hours(9);
    let mut tx = db.begin().await?;
    // The projects' tallies are rebuilt below, from their versions as they end up.
    zhaoyin_db::projects::suspend_tallies(&mut tx).await?;

    // Projects: each state of a project (its versions in order, then its row) begins on the day
    // of its stage (`stage_on`), a second per state keeping them in order within a day.
    let mut states: HashMap<i64, Vec<(Time, NaiveDate)>> = HashMap::new();
    for table in ["project_versions", "projects"] {
        let rows: Vec<(i64, Time, NaiveDate)> = tx
            .all(Sql::new(format!(
                "SELECT id, updated_at, stage_on FROM {table} ORDER BY id, updated_at"
            )))
            .await?;
        for (id, updated, on) in rows {
            states.entry(id).or_default().push((updated, on));
        }
    }
    for (id, states) in states {
        let begins: Vec<Time> = states
            .iter()
            .enumerate()
            .map(|(i, (loaded, on))| {
                if *on < today {
                    morning(*on) + Duration::seconds(i as i64)
                } else {
                    *loaded
                }
            })
            .collect();
        let Some((&created, &current)) = begins.first().zip(begins.last()) else {
            continue;
        };
        // The versions first (each found by its start), then the row: moving its `updated_at`
        // makes the trigger keep one more version, removed below.
        for (i, (loaded, _)) in states.iter().enumerate().take(states.len() - 1) {
            tx.execute(
                Sql::new(
                    "UPDATE project_versions SET created_at = $1, updated_at = $2, valid_to = $3 \
                     WHERE id = $4 AND updated_at = $5",
                )
                .bind(created)
                .bind(begins[i])
                .bind(begins[i + 1])
                .bind(id)
                .bind(*loaded),
            )
            .await?;
        }
        tx.execute(
            Sql::new("UPDATE projects SET created_at = $1, updated_at = $2 WHERE id = $3")
                .bind(created)
                .bind(current)
                .bind(id),
        )
        .await?;
    }

    // Problems: every time of a problem and of its versions moved by the same span.
    let problems: Vec<(i64, NaiveDate, Time)> = tx
        .all(Sql::new(
            "SELECT id, deadline, created_at FROM project_problems",
        ))
        .await?;
    let yesterday = today.pred_opt().unwrap_or(today);
    for (id, deadline, created) in problems {
        let raised = (deadline - Duration::days(30)).min(yesterday);
        let by = morning(raised) - created;
        // The versions first (each found by its end), then the problem: moving its
        // `updated_at` makes the trigger keep one more version, removed below.
        type Times = (Time, Time, Option<Time>, Option<Time>, Option<Time>);
        let shifted = |q: Sql, (created, updated, solved, closed, explained): Times| {
            q.bind(created + by)
                .bind(updated + by)
                .bind(solved.map(|t| t + by))
                .bind(closed.map(|t| t + by))
                .bind(explained.map(|t| t + by))
        };
        const TIMES: &str = "created_at, updated_at, solved_at, closed_at, explained_at";
        const SET: &str = "created_at = $1, updated_at = $2, solved_at = $3, closed_at = $4, \
             explained_at = $5";
        // A version's times, and the end of its time.
        type Ended = (Time, Time, Option<Time>, Option<Time>, Option<Time>, Time);
        let versions: Vec<Ended> = tx
            .all(
                Sql::new(format!(
                    "SELECT {TIMES}, valid_to FROM project_problem_versions WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        for (c, u, s, cl, e, to) in versions {
            let q = Sql::new(format!(
                "UPDATE project_problem_versions SET {SET}, valid_to = $6 \
                 WHERE id = $7 AND updated_at = $8"
            ));
            tx.execute(shifted(q, (c, u, s, cl, e)).bind(to + by).bind(id).bind(u))
                .await?;
        }
        let now: Times = tx
            .one(
                Sql::new(format!(
                    "SELECT {TIMES} FROM project_problems WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        let q = Sql::new(format!("UPDATE project_problems SET {SET} WHERE id = $6"));
        tx.execute(shifted(q, now).bind(id)).await?;
    }
    // Moving a row's `updated_at` back made its trigger keep the row as a version ending before
    // it began: not a state it ever had.
    for versions in [
        "project_versions",
        "project_problem_versions",
        "project_unit_versions",
    ] {
        tx.execute(Sql::new(format!(
            "DELETE FROM {versions} WHERE valid_to < updated_at"
        )))
        .await?;
    }
    zhaoyin_db::projects::retally(&mut tx).await?;

    // An activity is also last written then (its versions begin there).
    for (table, day, recorded) in [
        ("activities", "starts_on", &["created_at", "updated_at"][..]),
        ("project_stages", "on_date", &["at"]),
        ("project_funds", "received_on", &["created_at"]),
    ] {
        let rows: Vec<(i64, NaiveDate)> = tx
            .all(Sql::new(format!("SELECT id, {day} FROM {table} WHERE {day} < $1")).bind(today))
            .await?;
        let set = recorded
            .iter()
            .map(|c| format!("{c} = $1"))
            .collect::<Vec<_>>()
            .join(", ");
        for (id, d) in rows {
            tx.execute(
                Sql::new(format!("UPDATE {table} SET {set} WHERE id = $2"))
                    .bind(morning(d))
                    .bind(id),
            )
            .await?;
        }
    }
    // Each stage entry now recorded on its own day: when it stopped being its project's first.
    zhaoyin_db::projects::span_stages(&mut tx, 0..=i64::MAX).await?;
    // A past activity is recorded as it stands on its own day: the versions its loading made
    // (a trip registered, then approved, a moment ago) and the one its move back made begin
    // after it and are not states it had.
    tx.execute(Sql::new(
        "DELETE FROM activity_versions WHERE updated_at >= \
         (SELECT a.updated_at FROM activities a WHERE a.id = activity_versions.id)",
    ))
    .await?;
    tx.execute(Sql::new(
        "DELETE FROM activity_unit_versions WHERE NOT EXISTS (SELECT 1 FROM activity_versions v \
         WHERE v.id = activity_unit_versions.activity_id \
         AND v.updated_at = activity_unit_versions.updated_at)",
    ))
    .await?;
    tx.execute(Sql::new(
        "UPDATE project_files SET created_at = (SELECT f.created_at FROM project_funds f \
         WHERE f.id = project_files.fund_id) WHERE fund_id IS NOT NULL",
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Loads the demo county, its policy supervision replayed up to the county's today by the light
/// rules in force, and its investment pipeline under the configured rules and talent programs.
pub async fn load(db: &Db, web: &zhaoyin_web::WebConfig) -> anyhow::Result<Loaded> {
    let (today, rules, major) = (web.today(), web.light_rules(), &web.major_rule);
    let a = Actor::system();
    let region = |code: &str, name: &str, level: RegionLevel| RegionInput {
        code: code.into(),
        name: name.into(),
        level: level.id().into(),
    };
    let province = org::create_region(
        db,
        &a,
        None,
        &fields(region(PROVINCE.0, PROVINCE.1, RegionLevel::Province).validate(None))?,
    )
    .await?;
    let city = org::create_region(
        db,
        &a,
        Some(province.id),
        &fields(region(CITY.0, CITY.1, RegionLevel::City).validate(Some(RegionLevel::Province)))?,
    )
    .await?;
    let county = org::create_region(
        db,
        &a,
        Some(city.id),
        &fields(region(COUNTY.0, COUNTY.1, RegionLevel::County).validate(Some(RegionLevel::City)))?,
    )
    .await?;
    let mut units = HashMap::new();
    for (i, (code, name, short, kind)) in UNITS.iter().enumerate() {
        let f = fields(
            UnitInput {
                code: (*code).into(),
                name: (*name).into(),
                short_name: (*short).into(),
                kind: (*kind).into(),
                phone: String::new(),
                sort_order: Some(i64::try_from(i * 10).unwrap_or(0)),
            }
            .validate(),
        )?;
        let u = org::create_unit(db, &a, county.id, &f).await?;
        units.insert(*code, u);
    }
    for (i, (rcode, name, ucode)) in TOWNS.iter().enumerate() {
        let town = org::create_region(
            db,
            &a,
            Some(county.id),
            &fields(region(rcode, name, RegionLevel::Town).validate(Some(RegionLevel::County)))?,
        )
        .await?;
        let f = fields(
            UnitInput {
                code: (*ucode).into(),
                name: (*name).into(),
                short_name: String::new(),
                kind: "town".into(),
                phone: String::new(),
                sort_order: Some(1000 + i64::try_from(i * 10).unwrap_or(0)),
            }
            .validate(),
        )?;
        let u = org::create_unit(db, &a, town.id, &f).await?;
        units.insert(*ucode, u);
    }
    let unit = |code: &str| {
        units
            .get(code)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("demo data names an unknown unit {code}"))
    };
    let leaders_unit = unit("gq-zfb")?;
    let mut leaders = Vec::new();
    for name in LEADERS {
        let f = fields(
            PersonInput {
                name: (*name).into(),
                title: "县级领导".into(),
                ..Default::default()
            }
            .validate(),
        )?;
        leaders.push(org::create_person(db, &a, leaders_unit.id, &f).await?.id);
    }
    let mut people = HashMap::new();
    for (code, name, title) in CONTACTS {
        let f = fields(
            PersonInput {
                name: (*name).into(),
                title: (*title).into(),
                ..Default::default()
            }
            .validate(),
        )?;
        let p = org::create_person(db, &a, unit(code)?.id, &f).await?;
        people.insert(*name, p.id);
    }
    let hash = zhaoyin_core::password::hash(PASSWORD)?;
    let mut cast = crate::demo_policy::Cast {
        supervisor: Actor::system(),
        leader: Actor::system(),
        clerks: HashMap::new(),
        units: units.iter().map(|(c, u)| (c.to_string(), u.id)).collect(),
        names: units
            .iter()
            .map(|(c, u)| (c.to_string(), u.name.clone()))
            .collect(),
    };
    for (code, name, _) in CONTACTS {
        cast.clerks
            .entry((*code).to_string())
            .or_insert_with(|| Actor {
                name: (*name).into(),
                ..Actor::default()
            });
    }
    for (username, display, code, role, unit_scope) in ACCOUNTS {
        let u = unit(code)?;
        let grant = if *unit_scope {
            NewGrant {
                role: *role,
                scope_unit_id: Some(u.id),
                scope_region_id: None,
            }
        } else {
            NewGrant {
                role: *role,
                scope_unit_id: None,
                scope_region_id: Some(county.id),
            }
        };
        let user = users::create(
            db,
            &a,
            &NewUser {
                username: (*username).into(),
                display_name: (*display).into(),
                unit_id: u.id,
                person_id: people.get(display).copied(),
                password_hash: hash.clone(),
                must_change_password: false,
            },
            &[grant],
        )
        .await?;
        let actor = Actor {
            user_id: Some(user.id),
            name: (*username).into(),
            ..Actor::default()
        };
        match role {
            Role::Supervisor => cast.supervisor = actor,
            Role::Leader => cast.leader = actor,
            Role::Clerk => {
                cast.clerks.insert((*code).to_string(), actor);
            }
            _ => {}
        }
    }
    let tasks = crate::demo_policy::load(db, county.id, &county.path, &cast, today, rules).await?;
    let pipeline = crate::demo_pipeline::load(
        db,
        &cast.supervisor,
        &cast.leader,
        &cast.units,
        &leaders,
        today,
        major,
        &web.talent_programs,
    )
    .await?;
    let st = zhaoyin_web::AppState::new(db.clone(), web.clone());
    let meetings =
        crate::demo_pipeline::load_meetings(&st, &cast.supervisor, &cast.units, &leaders, today)
            .await?;
    record_on_their_days(db, web).await?;
    load_assessment(db, &cast.supervisor, county.id).await?;
    load_incentives(db, &cast.supervisor, county.id).await?;
    load_land(db, &cast.supervisor, county.id, web.today()).await?;
    load_financing(db, &cast.supervisor, county.id, web.today()).await?;
    // The tasks' lights by day, as the dashboard reads them as of a past day.
    zhaoyin_db::tallies::recount(db, web.tz, today).await?;
    Ok(Loaded {
        units: units.len(),
        tasks,
        companies: pipeline.companies,
        projects: pipeline.projects,
        chains: pipeline.chains,
        talents: pipeline.talents,
        activities: pipeline.activities,
        problems: pipeline.problems,
        updates: pipeline.updates,
        meetings,
    })
}
