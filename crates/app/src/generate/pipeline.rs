//! The generated county's pipeline: a company library (valid, distinct credit codes and names)
//! and projects spread over every stage, each with the stages it passed dated in order.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use zhaoyin_core::project::{MajorRule, Stage};
use zhaoyin_db::Value;

use super::morning;

/// Per county.
pub const COMPANIES: usize = 700;

pub const COMPANY_COLS: &[&str] = &[
    "id",
    "region_id",
    "unit_id",
    "name",
    "name_key",
    "credit_code",
    "country",
    "industry_section",
    "industry_division",
    "global500",
    "china500",
    "private500",
    "headquarters",
    "listed",
    "status",
    "search",
    "created_at",
    "updated_at",
];

pub const PROJECT_COLS: &[&str] = &[
    "id",
    "region_id",
    "unit_id",
    "name",
    "search",
    "investor_id",
    "industry_section",
    "industry_division",
    "key_industry",
    "location_unit_id",
    "first_unit_id",
    "total_investment",
    "outside_investment",
    "contract_amount",
    "project_credit_code",
    "stage",
    "stage_on",
    "paused_from",
    "signed_on",
    "is_major",
    "created_at",
    "updated_at",
    "version",
];

/// What a project's or a problem's earlier state has beside its columns: when the next
/// replaced it (and, for a project, a column its table defaults).
pub const PROJECT_VERSION_EXTRA: &[&str] = &["introducer_civil_servant", "valid_to"];
pub const PROBLEM_VERSION_EXTRA: &[&str] = &["valid_to"];

pub const STAGE_COLS: &[&str] = &["id", "project_id", "stage", "on_date", "reason", "at"];

pub const PROBLEM_COLS: &[&str] = &[
    "id",
    "project_id",
    "category",
    "description",
    "unit_id",
    "deadline",
    "blocking",
    "status",
    "resolution",
    "solved_at",
    "closed_at",
    "version",
    "created_at",
    "updated_at",
    "region_id",
];

pub const FUND_COLS: &[&str] = &[
    "id",
    "project_id",
    "received_on",
    "amount",
    "source",
    "evidence_type",
    "created_at",
];

pub const FUND_FILE_COLS: &[&str] = &[
    "id",
    "project_id",
    "fund_id",
    "filename",
    "content_type",
    "size",
    "sha256",
    "data",
    "created_at",
];

/// Category and description of the problems projects run into.
const PROBLEMS: &[(&str, &str)] = &[
    ("land", "用地指标尚未落实"),
    ("planning", "规划条件需调整"),
    ("environment", "环评批复待办理"),
    ("energy", "能耗指标待协调"),
    ("safety", "安全评价待完成"),
    ("funding", "配套资金未到位"),
    ("other", "水电气配套待完善"),
];

/// Per county: about a hundred a month over the past year.
pub const ACTIVITIES: usize = 1_200;

pub const ACTIVITY_COLS: &[&str] = &[
    "id",
    "region_id",
    "unit_id",
    "kind",
    "abroad",
    "title",
    "place",
    "starts_on",
    "ends_on",
    "purpose",
    "outcome",
    "status",
    "registered_late",
    "search",
    "created_at",
    "updated_at",
];

const PLACES: &[&str] = &[
    "山东", "淄博", "青岛", "潍坊", "东营", "上海", "江苏", "苏州", "浙江", "宁波", "深圳", "广州",
    "北京", "天津", "济南",
];
const CORES: &[&str] = &[
    "鑫源", "华泰", "瑞丰", "恒达", "金诺", "博远", "天成", "润禾", "中科", "远航", "德信", "宏业",
    "新朗", "凯盛", "九州", "海川", "信诚", "和顺", "嘉禾", "明德", "泰和", "永安", "汇通", "启航",
];
/// Name, GB/T 4754 section and division, key industry ("" for none).
const TRADES: &[(&str, &str, &str, &str)] = &[
    ("新材料", "C", "26", "新能源新材料"),
    ("精细化工", "C", "26", "高端化工"),
    ("智能装备", "C", "34", "高端装备"),
    ("生物医药", "C", "27", "医养健康"),
    ("食品", "C", "14", "现代高效农业"),
    ("新能源", "D", "44", "新能源新材料"),
    ("环保科技", "N", "77", ""),
    ("电子信息", "C", "39", "新一代信息技术"),
    ("纺织", "C", "17", ""),
    ("物流", "G", "59", ""),
    ("医疗器械", "C", "35", "医养健康"),
    ("文化旅游", "R", "88", "文化创意"),
];
const FORMS: &[&str] = &["有限公司", "股份有限公司", "集团有限公司"];
const KINDS: &[&str] = &[
    "产业园项目",
    "生产基地项目",
    "研发中心项目",
    "智能化改造项目",
];

/// Share of projects ending at each stage, in percent.
const SPREAD: &[(Stage, u32)] = &[
    (Stage::Lead, 20),
    (Stage::Negotiating, 18),
    (Stage::Signed, 15),
    (Stage::Registered, 10),
    (Stage::Started, 15),
    (Stage::Producing, 10),
    (Stage::AtCapacity, 4),
    (Stage::Paused, 4),
    (Stage::Terminated, 4),
];

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A credit code unique to (county, number), with its check character.
fn code(county: usize, n: usize) -> String {
    let mut s = String::from("91370000");
    let mut v = county * 1_000_000 + n;
    let mut org = [b'0'; 9];
    for slot in org.iter_mut().rev() {
        *slot = ALPHABET[v % ALPHABET.len()];
        v /= ALPHABET.len();
    }
    s.extend(org.iter().map(|b| char::from(*b)));
    let check = zhaoyin_core::credit_code::check_character(&s).unwrap_or('0');
    s.push(check);
    s
}

/// Ids the pipeline takes (continuing across counties).
#[derive(Default)]
pub struct Ids {
    pub company: i64,
    pub project: i64,
    pub stage: i64,
    pub activity: i64,
    pub problem: i64,
    pub fund: i64,
    pub file: i64,
}

#[derive(Default)]
pub struct Pipeline {
    pub companies: Vec<Vec<Value>>,
    pub projects: Vec<Vec<Value>>,
    pub project_versions: Vec<Vec<Value>>,
    pub stages: Vec<Vec<Value>>,
    pub problems: Vec<Vec<Value>>,
    pub problem_versions: Vec<Vec<Value>>,
    pub funds: Vec<Vec<Value>>,
    pub fund_files: Vec<Vec<Value>>,
    pub activities: Vec<Vec<Value>>,
    pub activity_units: Vec<Vec<Value>>,
    pub activity_leaders: Vec<Vec<Value>>,
    pub activity_companies: Vec<Vec<Value>>,
    pub activity_projects: Vec<Vec<Value>>,
}

/// A county's pipeline: `units` are its units (the first `towns` of them towns), `k` its number,
/// `leaders` the people who lead its trips.
#[allow(clippy::too_many_arguments)]
pub fn county(
    rng: &mut StdRng,
    ids: &mut Ids,
    k: usize,
    region_id: i64,
    units: &[i64],
    leaders: &[i64],
    towns: usize,
    projects: usize,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Pipeline {
    let rule = MajorRule::default();
    let mut out = Pipeline::default();
    let mut companies = Vec::with_capacity(COMPANIES);
    for i in 0..COMPANIES {
        ids.company += 1;
        let trade = TRADES[(i / (PLACES.len() * CORES.len())) % TRADES.len()];
        let name = format!(
            "{}{}{}{}",
            PLACES[i % PLACES.len()],
            CORES[(i / PLACES.len()) % CORES.len()],
            trade.0,
            FORMS[(i / (PLACES.len() * CORES.len() * TRADES.len())) % FORMS.len()]
        );
        let credit = code(k, i);
        out.companies.push(vec![
            ids.company.into(),
            region_id.into(),
            units[towns + i % (units.len() - towns)].into(),
            name.clone().into(),
            zhaoyin_core::company::name_key(&name).into(),
            credit.clone().into(),
            "中国".into(),
            trade.1.into(),
            trade.2.into(),
            (i % 50 == 0).into(),
            (i % 12 == 0).into(),
            (i % 15 == 0).into(),
            (i % 40 == 0).into(),
            (i % 8 == 0).into(),
            ["potential", "contacting", "signed", "landed"][i % 4].into(),
            zhaoyin_core::company::search_text(&name, Some(&credit)).into(),
            now.into(),
            now.into(),
        ]);
        companies.push((ids.company, name, trade));
    }
    for p in 0..projects {
        ids.project += 1;
        let id = ids.project;
        let (investor, investor_name, trade) = &companies[rng.random_range(0..companies.len())];
        let name = format!("{}{}（{}）", trade.0, KINDS[p % KINDS.len()], p + 1);
        let mut pick = rng.random_range(0..100);
        let stage = SPREAD
            .iter()
            .find(|(_, share)| {
                let hit = pick < *share;
                pick = pick.saturating_sub(*share);
                hit
            })
            .map_or(Stage::Lead, |(s, _)| *s);
        // One project in twenty is big (10–60亿元); most are a few thousand 万元.
        let total: i64 = if rng.random_range(0..20) == 0 {
            rng.random_range(100..600) * 1_000
        } else {
            rng.random_range(1..400) * 250
        };
        let outside = total * rng.random_range(5..10) / 10;
        let key = (!trade.3.is_empty()).then_some(trade.3);
        // The stages passed: paused and terminated projects stopped somewhere on the way.
        let stop = match stage {
            Stage::Paused | Stage::Terminated => Stage::PIPELINE[rng.random_range(0..5)],
            s => s,
        };
        let mut day = today - Duration::days(rng.random_range(60..720));
        let mut passed = vec![(Stage::Lead, day)];
        for s in &Stage::PIPELINE[1..=stop.rank().unwrap_or(0)] {
            day = (day + Duration::days(rng.random_range(3..40))).min(today);
            passed.push((*s, day));
        }
        if stage != stop {
            day = (day + Duration::days(rng.random_range(3..40))).min(today);
            passed.push((stage, day));
        }
        let unit = units[rng.random_range(0..units.len())];
        let location = units[rng.random_range(0..towns)];
        let credit_code = code(k, 500_000 + p);
        // The project as it stood after the stages passed up to `upto`: each move wrote it
        // again, so the earlier states are its versions, each until the next move.
        let state = |upto: usize| -> Vec<Value> {
            let (current, on) = passed[upto];
            let so_far = &passed[..=upto];
            let reached = |s: Stage| so_far.iter().any(|(x, _)| *x == s);
            let signed_on = so_far
                .iter()
                .find(|(s, _)| *s == Stage::Signed)
                .map(|(_, d)| *d);
            vec![
                id.into(),
                region_id.into(),
                unit.into(),
                name.clone().into(),
                zhaoyin_core::task::search_text(investor_name, &name).into(),
                (*investor).into(),
                trade.1.into(),
                trade.2.into(),
                Value::Text(key.map(str::to_string)),
                Value::I64(reached(Stage::Started).then_some(location)),
                unit.into(),
                total.into(),
                outside.into(),
                Value::I64(signed_on.map(|_| total)),
                Value::Text(reached(Stage::Registered).then(|| credit_code.clone())),
                current.id().into(),
                Value::Date(Some(on)),
                Value::Text((current == Stage::Paused).then(|| stop.id().to_string())),
                Value::Date(signed_on),
                rule.is_major(outside, key).into(),
                morning(passed[0].1).into(),
                morning(on).into(),
                (upto as i64 + 1).into(),
            ]
        };
        let last = passed.len() - 1;
        out.projects.push(state(last));
        for upto in 0..last {
            let mut row = state(upto);
            row.extend([false.into(), morning(passed[upto + 1].1).into()]);
            out.project_versions.push(row);
        }
        if stop.is_signed() && stage != Stage::Terminated {
            problems(
                rng,
                ids,
                &mut out,
                (id, region_id),
                &units[towns..],
                passed[0].1,
                today,
            );
        }
        if let Some(&(_, started)) = passed.iter().find(|(s, _)| *s == Stage::Started) {
            funds(rng, ids, &mut out, id, total, started, today);
        }
        for (s, d) in passed {
            ids.stage += 1;
            let reason = match s {
                Stage::Paused => Some("资金未到位，暂缓推进"),
                Stage::Terminated => Some("企业战略调整"),
                _ => None,
            };
            out.stages.push(vec![
                ids.stage.into(),
                id.into(),
                s.id().into(),
                Value::Date(Some(d)),
                Value::Text(reason.map(str::to_string)),
                morning(d).into(),
            ]);
        }
    }
    let project_ids: Vec<(i64, i64)> = out
        .projects
        .iter()
        .filter_map(|p| match (&p[0], &p[2]) {
            (Value::I64(Some(id)), Value::I64(Some(unit))) => Some((*id, *unit)),
            _ => None,
        })
        .collect();
    activities(
        rng,
        ids,
        &mut out,
        region_id,
        units,
        leaders,
        &companies.iter().map(|c| c.0).collect::<Vec<_>>(),
        &project_ids,
        today,
    );
    out
}

/// One signed project in three runs into problems, one or two, raised since it began, each
/// with a department to remove it and a deadline; taken up, solved and verified as the days
/// went (none today or later), each move a version of the problem, as the product's writes keep
/// them.
fn problems(
    rng: &mut StdRng,
    ids: &mut Ids,
    out: &mut Pipeline,
    (project, region): (i64, i64),
    departments: &[i64],
    since: NaiveDate,
    today: NaiveDate,
) {
    if rng.random_range(0..3) != 0 {
        return;
    }
    for _ in 0..rng.random_range(1..=2) {
        ids.problem += 1;
        let id = ids.problem;
        let (category, description) = PROBLEMS[rng.random_range(0..PROBLEMS.len())];
        let raised =
            today - Duration::days(rng.random_range(1..=(today - since).num_days().clamp(1, 300)));
        let deadline = raised + Duration::days(rng.random_range(15..90));
        let unit = departments[rng.random_range(0..departments.len())];
        let blocking = rng.random_range(0..4) == 0;
        // Open 35%, taken up 30%, solved 20%, verified 15%, as far as the days allow.
        let steps = match rng.random_range(0..100) {
            0..35 => 0,
            35..65 => 1,
            65..85 => 2,
            _ => 3,
        };
        let mut moves = vec![("open", raised)];
        let mut day = raised;
        for status in ["in_progress", "solved", "closed"].into_iter().take(steps) {
            day += Duration::days(rng.random_range(2..30));
            if day >= today {
                break;
            }
            moves.push((status, day));
        }
        let state = |upto: usize| -> Vec<Value> {
            let (status, on) = moves[upto];
            let solved = moves[..=upto]
                .iter()
                .find(|(s, _)| *s == "solved")
                .map(|(_, d)| morning(*d));
            vec![
                id.into(),
                project.into(),
                category.into(),
                description.into(),
                unit.into(),
                Value::Date(Some(deadline)),
                blocking.into(),
                status.into(),
                Value::Text(solved.map(|_| "已协调解决".to_string())),
                Value::Time(solved),
                Value::Time((status == "closed").then(|| morning(on))),
                (upto as i64 + 1).into(),
                morning(raised).into(),
                morning(on).into(),
                region.into(),
            ]
        };
        let last = moves.len() - 1;
        out.problems.push(state(last));
        for upto in 0..last {
            let mut row = state(upto);
            row.push(morning(moves[upto + 1].1).into());
            out.problem_versions.push(row);
        }
    }
}

/// What a generated fund's evidence holds.
const EVIDENCE: &[u8] = b"%PDF-1.4\n% zhaoyin generated evidence\n";

/// Funds in place since a project started (before today): one to three payments, together 5–30%
/// of its total investment; two in three with their evidence on file (verified).
fn funds(
    rng: &mut StdRng,
    ids: &mut Ids,
    out: &mut Pipeline,
    project: i64,
    total: i64,
    started: NaiveDate,
    today: NaiveDate,
) {
    let days = (today - started).num_days();
    if days < 1 {
        return;
    }
    let n = rng.random_range(1..=3);
    for i in 0..n {
        ids.fund += 1;
        let received = started + Duration::days(rng.random_range(0..days));
        let amount = (total * rng.random_range(5..30) / 100 / n).max(1);
        out.funds.push(vec![
            ids.fund.into(),
            project.into(),
            Value::Date(Some(received)),
            amount.into(),
            ["企业自有资金", "银行贷款", "股东增资"][i as usize % 3].into(),
            [
                "capital_verification",
                "bank_receipt",
                "equipment_invoice",
                "other",
            ][rng.random_range(0..4)]
            .into(),
            morning(received).into(),
        ]);
        if rng.random_range(0..3) != 0 {
            ids.file += 1;
            out.fund_files.push(vec![
                ids.file.into(),
                project.into(),
                ids.fund.into(),
                "到账凭证.pdf".into(),
                "application/pdf".into(),
                (EVIDENCE.len() as i64).into(),
                zhaoyin_db::follow_up::digest(EVIDENCE).into(),
                EVIDENCE.to_vec().into(),
                morning(received).into(),
            ]);
        }
    }
}

/// A year of activities: each unit's trips (done once back, approved or waiting when ahead; one
/// in ten abroad; one in twenty registered late), visits, negotiations, promotions and signings,
/// each with its leader, a company of the library and often a project of the unit; one in five
/// joined by another unit; a few cancelled.
#[allow(clippy::too_many_arguments)]
fn activities(
    rng: &mut StdRng,
    ids: &mut Ids,
    out: &mut Pipeline,
    region_id: i64,
    units: &[i64],
    leaders: &[i64],
    companies: &[i64],
    projects: &[(i64, i64)],
    today: NaiveDate,
) {
    const KINDS: [&str; 5] = ["trip", "visit", "talks", "promotion", "signing"];
    const PLACES: [&str; 6] = [
        "广东深圳",
        "上海",
        "江苏苏州",
        "浙江杭州",
        "北京",
        "山东青岛",
    ];
    for a in 0..ACTIVITIES {
        ids.activity += 1;
        let id = ids.activity;
        let unit = units[a % units.len()];
        let kind = KINDS[[0, 0, 1, 1, 2, 2, 2, 3, 4][rng.random_range(0..9)]];
        let trip = kind == "trip";
        let starts_on = today - Duration::days(rng.random_range(-10..365));
        let ends_on = starts_on + Duration::days(if trip { rng.random_range(0..4) } else { 0 });
        let starts_on = if trip {
            starts_on
        } else {
            starts_on.min(today)
        };
        let ends_on = ends_on.max(starts_on);
        let status = match (trip, starts_on > today, a % 40) {
            (_, _, 0) => "cancelled",
            (true, true, n) if n % 2 == 0 => "registered",
            (true, true, _) => "approved",
            _ => "done",
        };
        let place = if trip {
            PLACES[a % PLACES.len()]
        } else {
            "县内"
        };
        let title = format!("{}对接（{}）", place, a + 1);
        out.activities.push(vec![
            id.into(),
            region_id.into(),
            unit.into(),
            kind.into(),
            (trip && a % 10 == 0).into(),
            title.clone().into(),
            place.into(),
            Value::Date(Some(starts_on)),
            Value::Date(Some(ends_on)),
            Value::Text(trip.then(|| "拜访目标企业".to_string())),
            Value::Text((status == "done").then(|| "达成合作意向".to_string())),
            status.into(),
            (trip && a % 20 == 0).into(),
            zhaoyin_core::task::search_text(place, &title).into(),
            // Recorded, and last written, on its own day (a past day reads it as recorded).
            morning(starts_on.min(today)).into(),
            morning(starts_on.min(today)).into(),
        ]);
        out.activity_units.push(vec![id.into(), unit.into()]);
        if a % 5 == 0 {
            let other = units[(a / 5 + 1) % units.len()];
            if other != unit {
                out.activity_units.push(vec![id.into(), other.into()]);
            }
        }
        out.activity_leaders
            .push(vec![id.into(), leaders[a % leaders.len()].into()]);
        let company = companies[rng.random_range(0..companies.len())];
        out.activity_companies.push(vec![id.into(), company.into()]);
        if let Some((project, _)) = projects
            .iter()
            .find(|(_, u)| *u == unit)
            .filter(|_| a % 3 == 0)
        {
            out.activity_projects
                .push(vec![id.into(), (*project).into()]);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_codes_pass_the_check_and_differ() {
        let a = super::code(0, 1);
        let b = super::code(149, 699);
        assert!(zhaoyin_core::credit_code::check(&a).is_ok());
        assert!(zhaoyin_core::credit_code::check(&b).is_ok());
        assert_ne!(a, b);
    }
}
