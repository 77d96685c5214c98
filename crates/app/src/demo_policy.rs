//! The demo's policy supervision: the Gaoqing measures (`demo/gaoqing-policy.toml`) filed about
//! five months before today, and those months replayed day by day through the same storage
//! calls the web uses — units accept, report on time, late or not at all, the supervisor reviews,
//! reminds and closes, a leader instructs, red tasks explain, deadlines move — so every light,
//! list, to-do and timeline shows something real, and "as of" any past day answers truly.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;
use zhaoyin_core::task::{FollowUp, LightRules, TaskCadence, TaskStatus, due_periods};
use zhaoyin_db::audit::Actor;
use zhaoyin_db::follow_up as fu;
use zhaoyin_db::tasks::{
    self, Clock, NewClause, NewIndicator, NewPolicy, NewReport, NewTask, TaskRow,
};
use zhaoyin_db::{Db, org};

const SOURCE: &str = include_str!("../demo/gaoqing-policy.toml");

/// How long before today the demo files the policy.
const DAYS_BACK: i64 = 150;

#[derive(Deserialize)]
struct DemoPolicy {
    title: String,
    issuer: String,
    doc_number: String,
    issued_on: NaiveDate,
    chapters: Vec<DemoChapter>,
}

#[derive(Deserialize)]
struct DemoChapter {
    number: String,
    title: String,
    measures: Vec<DemoMeasure>,
}

#[derive(Deserialize)]
struct DemoMeasure {
    number: String,
    title: String,
    summary: String,
    leaders: Vec<String>,
    lead: Vec<String>,
    support: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    deadline: Option<NaiveDate>,
    cadence: String,
    #[serde(default)]
    indicators: Vec<DemoIndicator>,
}

#[derive(Deserialize)]
struct DemoIndicator {
    name: String,
    comparator: String,
    value: String,
    max: Option<String>,
    unit: Option<String>,
}

/// Who does things in the demo: the accounts by role, and each unit's contact person.
pub struct Cast {
    pub supervisor: Actor,
    pub leader: Actor,
    /// Unit code → the actor reporting for it (the unit's account, or its contact person).
    pub clerks: HashMap<String, Actor>,
    /// Unit code → unit id.
    pub units: HashMap<String, i64>,
    /// Unit code → unit name.
    pub names: HashMap<String, String>,
}

impl Cast {
    fn clerk(&self, code: &str) -> Actor {
        self.clerks.get(code).cloned().unwrap_or_else(Actor::system)
    }
}

/// One step of the replay, on its day.
enum Step {
    Accept,
    Report {
        unit: String,
        period: (NaiveDate, NaiveDate),
        percent: i64,
        on_track: bool,
    },
    Review {
        unit: String,
        period_end: NaiveDate,
        approve: bool,
    },
    RequestClose,
    Close,
    Remind(&'static str),
    Instruct(&'static str),
    Explain(&'static str),
    RequestDeadline(i64, &'static str),
    DecideDeadline(bool),
}

const PROGRESS: &[&str] = &[
    "已召开专题会议研究部署，明确责任分工和时间节点，正按计划推进。",
    "本期对接重点企业3家，完成项目考察2次，形成对接台账。",
    "相关配套政策已起草完成，正在征求有关部门意见。",
    "已完成阶段性目标，资料整理归档，下步继续跟踪落实。",
    "组织召开调度会，梳理存在问题4项，已协调解决3项。",
    "按月调度落实情况，各责任单位均已报送阶段成果。",
];

/// A small deterministic mixer, so the replay is the same every time.
fn pick(seed: usize, n: usize) -> usize {
    (seed.wrapping_mul(2_654_435_761) >> 7) % n.max(1)
}

fn clock(day: NaiveDate, rules: LightRules) -> Clock {
    // Ten in the morning, Beijing time.
    let local = day.and_time(NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN));
    let now = chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| local.and_utc());
    Clock {
        today: day,
        now,
        rules,
    }
}

/// Files the policy `DAYS_BACK` days before `today` and replays the months since. Returns the
/// number of tasks.
pub async fn load(
    db: &Db,
    region_id: i64,
    region_path: &str,
    cast: &Cast,
    today: NaiveDate,
    rules: LightRules,
) -> anyhow::Result<usize> {
    let doc: DemoPolicy = toml::from_str(SOURCE)?;
    let start = today - Duration::days(DAYS_BACK);
    // Deadlines keep their distance from the document's date.
    let shift = start - doc.issued_on;
    let (_, people) = org::candidates(db, region_path).await?;
    let person = |name: &str| {
        people
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.id)
            .ok_or_else(|| anyhow::anyhow!("demo policy names an unknown person {name}"))
    };
    let unit = |code: &str| {
        cast.units
            .get(code)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("demo policy names an unknown unit {code}"))
    };
    let mut clauses = Vec::new();
    let mut measures = Vec::new();
    for ch in &doc.chapters {
        for m in &ch.measures {
            let cadence = TaskCadence::parse(&m.cadence)
                .ok_or_else(|| anyhow::anyhow!("measure {}: cadence {}", m.number, m.cadence))?;
            let names = |codes: &[String]| -> anyhow::Result<Vec<i64>> {
                codes.iter().map(|c| unit(c)).collect()
            };
            let task = NewTask {
                code: format!("GQ19-{:02}", m.number.parse::<u32>().unwrap_or(0)),
                title: m.title.clone(),
                content: m.summary.clone(),
                cadence,
                deadline: m.deadline.map(|d| d + shift),
                lead_units: names(&m.lead)?,
                support_units: names(&m.support)?,
                leaders: m
                    .leaders
                    .iter()
                    .map(|n| person(n))
                    .collect::<anyhow::Result<_>>()?,
                unit_groups: m.groups.clone(),
                indicators: m
                    .indicators
                    .iter()
                    .map(|i| NewIndicator {
                        name: i.name.clone(),
                        comparator: i.comparator.clone(),
                        target_value: i.value.clone(),
                        target_max: i.max.clone(),
                        unit_label: i.unit.clone(),
                    })
                    .collect(),
            };
            clauses.push(NewClause {
                chapter_number: ch.number.clone(),
                chapter_title: ch.title.clone(),
                number: m.number.clone(),
                title: m.title.clone(),
                text: format!(
                    "{}\n责任人：{}\n责任单位：{}{}{}",
                    m.summary,
                    m.leaders.join("、"),
                    m.lead.join("、"),
                    if m.support.is_empty() && m.groups.is_empty() {
                        ""
                    } else {
                        "；配合："
                    },
                    m.support
                        .iter()
                        .chain(&m.groups)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                tasks: vec![task],
            });
            measures.push(m);
        }
    }
    // Unit codes in the clause text read better as names (longest codes first: gq-sthj before
    // gq-sth…).
    let mut codes: Vec<(&String, &String)> = cast.names.iter().collect();
    codes.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
    for c in &mut clauses {
        for (code, name) in &codes {
            c.text = c.text.replace(code.as_str(), name);
        }
    }
    let policy = NewPolicy {
        status: "active".into(),
        region_id,
        title: doc.title.clone(),
        issuer: Some(doc.issuer.clone()),
        doc_number: Some(doc.doc_number.clone()),
        issued_on: Some(doc.issued_on),
        source_text: clauses
            .iter()
            .map(|c| format!("{}. {}\n{}", c.number, c.title, c.text))
            .collect::<Vec<_>>()
            .join("\n\n"),
        clauses,
    };
    let (_, ids) = tasks::create_policy(db, &cast.supervisor, &policy, clock(start, rules)).await?;

    // The script: what happens to each measure, by its number.
    let mut plan: Vec<(NaiveDate, usize, Step)> = Vec::new();
    for (i, m) in measures.iter().enumerate() {
        let n: u32 = m.number.parse().unwrap_or(0);
        let cadence = TaskCadence::parse(&m.cadence).unwrap_or(TaskCadence::Once);
        // Measure 3 is never accepted: it waits in its units' to-do, and turns red.
        if n == 3 {
            continue;
        }
        plan.push((start + Duration::days(1 + (i % 3) as i64), i, Step::Accept));
        // Reports for every period that has ended.
        let periods = due_periods(cadence, start, today);
        let last = periods.len().saturating_sub(1);
        for (pi, p) in periods.iter().enumerate() {
            for (ui, code) in m.lead.iter().enumerate() {
                let seed = i * 131 + pi * 17 + ui;
                // Measure 7's second lead unit never reports its last period; measure 17 misses
                // its last month; measure 15's last week is late.
                let missing = (n == 7 && ui == 1 && pi == last)
                    || (n == 17 && pi == last)
                    || (n == 15 && pi == last);
                if missing {
                    continue;
                }
                let late = n == 4 && pi == last;
                let day = if late {
                    p.end + Duration::days(3)
                } else {
                    p.end - Duration::days(pick(seed, 3) as i64)
                }
                .max(start + Duration::days(4));
                let percent = (((pi + 1) * 100) / (periods.len() + 1)).min(95) as i64;
                plan.push((
                    day,
                    i,
                    Step::Report {
                        unit: code.clone(),
                        period: (p.start, p.end),
                        percent,
                        on_track: true,
                    },
                ));
                // The supervisor reviews within a few days, except the latest reports, which
                // wait in the to-do; measure 6's Q3 report from the second unit is sent back.
                if pi < last || (cadence == TaskCadence::Quarterly && n != 6 && n != 14) {
                    plan.push((
                        day + Duration::days(2),
                        i,
                        Step::Review {
                            unit: code.clone(),
                            period_end: p.end,
                            approve: true,
                        },
                    ));
                }
                if n == 6 && ui == 1 && pi == last {
                    plan.push((
                        day + Duration::days(1),
                        i,
                        Step::Review {
                            unit: code.clone(),
                            period_end: p.end,
                            approve: false,
                        },
                    ));
                    // Sent in again, better, some days later; it waits for review.
                    plan.push((
                        day + Duration::days(9),
                        i,
                        Step::Report {
                            unit: code.clone(),
                            period: (p.start, p.end),
                            percent,
                            on_track: true,
                        },
                    ));
                }
            }
        }
        match n {
            1 => {
                plan.push((start + Duration::days(20), i, Step::RequestClose));
                plan.push((start + Duration::days(23), i, Step::Close));
            }
            2 => {
                // Red after its deadline; explains; a later deadline is approved.
                let d = m.deadline.map(|d| d + shift).unwrap_or(today);
                plan.push((d + Duration::days(2), i, Step::Explain("因上级政策尚未出台，容错纠错实施细则需待省市文件下发后修订完善，已形成初稿。")));
                plan.push((
                    d + Duration::days(3),
                    i,
                    Step::RequestDeadline(75, "待省市容错纠错文件下发后修订定稿"),
                ));
                plan.push((d + Duration::days(5), i, Step::DecideDeadline(true)));
            }
            9 => plan.push((
                start + Duration::days(40),
                i,
                Step::Instruct("要紧盯500强企业清单，逐一明确对接领导和时间表，每季度通报进度。"),
            )),
            16 => {
                let d = m.deadline.map(|d| d + shift).unwrap_or(today);
                plan.push((
                    d + Duration::days(4),
                    i,
                    Step::RequestDeadline(40, "平台数据接口联调未完成，申请延期"),
                ));
            }
            17 => plan.push((
                today - Duration::days(2),
                i,
                Step::Remind("10月份挂包项目进展尚未报送，请于本周内报送。"),
            )),
            18 => plan.push((today - Duration::days(3), i, Step::RequestClose)),
            _ => {}
        }
    }
    plan.sort_by_key(|(day, i, _)| (*day, *i));

    let mut report_ids: HashMap<(usize, String, NaiveDate), i64> = HashMap::new();
    for (day, i, step) in plan {
        if day > today {
            continue;
        }
        let c = clock(day, rules);
        // Lights (and the explanations red asks for) as they stood that morning.
        tasks::refresh_lights(db, c).await?;
        let task: TaskRow = tasks::get(db, ids[i]).await?;
        let m = measures[i];
        let lead = m.lead.first().cloned().unwrap_or_default();
        match step {
            Step::Accept => {
                tasks::move_to(
                    db,
                    &cast.clerk(&lead),
                    &task,
                    "accept",
                    TaskStatus::Accepted,
                    None,
                    &[],
                    c,
                )
                .await?;
            }
            Step::Report {
                unit: code,
                period,
                percent,
                on_track,
            } => {
                let r = NewReport {
                    unit_id: unit(&code)?,
                    period_start: period.0,
                    period_end: period.1,
                    progress: PROGRESS[pick(i * 7 + period.1.ordinal() as usize, PROGRESS.len())]
                        .into(),
                    percent: Some(percent),
                    problems: None,
                    support_needed: None,
                    on_track: Some(on_track),
                };
                let id = tasks::submit_report(db, &cast.clerk(&code), &task, &r, &[], c).await?;
                report_ids.insert((i, code, period.1), id);
            }
            Step::Review {
                unit: code,
                period_end,
                approve,
            } => {
                if let Some(id) = report_ids.get(&(i, code, period_end)) {
                    let comment =
                        (!approve).then_some("进展描述过于笼统，请补充具体对接企业和时间节点。");
                    fu::review_report(db, &cast.supervisor, &task, *id, approve, comment, c)
                        .await?;
                }
            }
            Step::RequestClose => {
                let evidence = "已按要求完成，相关文件和会议纪要已归档。";
                tasks::move_to(
                    db,
                    &cast.clerk(&lead),
                    &task,
                    "request_close",
                    TaskStatus::CloseRequested,
                    Some(evidence),
                    &[],
                    c,
                )
                .await?;
            }
            Step::Close => {
                tasks::move_to(
                    db,
                    &cast.supervisor,
                    &task,
                    "close",
                    TaskStatus::Closed,
                    Some("材料齐全，同意销号。"),
                    &[],
                    c,
                )
                .await?;
            }
            Step::Remind(text) => {
                fu::note(db, &cast.supervisor, &task, FollowUp::Remind, text, c).await?;
            }
            Step::Instruct(text) => {
                fu::note(db, &cast.leader, &task, FollowUp::Instruct, text, c).await?;
            }
            Step::Explain(text) => {
                let open = fu::explanations_of(db, task.id)
                    .await?
                    .into_iter()
                    .find(|e| e.status == "requested");
                if let Some(e) = open {
                    fu::explain(db, &cast.clerk(&lead), &task, e.id, text, c).await?;
                }
            }
            Step::RequestDeadline(days, reason) => {
                fu::request_deadline(
                    db,
                    &cast.clerk(&lead),
                    &task,
                    day + Duration::days(days),
                    reason,
                    c,
                )
                .await?;
            }
            Step::DecideDeadline(approve) => {
                if let Some(ch) = fu::deadline_changes_of(db, task.id)
                    .await?
                    .into_iter()
                    .find(|c| c.status == "pending")
                {
                    fu::decide_deadline(
                        db,
                        &cast.supervisor,
                        &task,
                        ch.id,
                        approve,
                        Some("同意"),
                        c,
                    )
                    .await?;
                }
            }
        }
    }
    tasks::refresh_lights(db, clock(today, rules)).await?;
    Ok(ids.len())
}
