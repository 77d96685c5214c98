//! The weekly scheduling meeting (每周调度会) of a county: created by its supervisor with an
//! agenda generated from the county's major project supervision since the last meeting;
//! attendance; decisions, each becoming a task for a unit or a problem on a project's list;
//! and the minutes (会议纪要) as a Word document. Read by whoever reads the county's projects.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zhaoyin_core::FieldError;
use zhaoyin_core::authz::{Action, Entity, Role, Visibility};
use zhaoyin_core::meeting::{
    self as core, ApprovalFacts, DecisionFields, DecisionInput, DecisionKind, MeetingInput,
    PausedFacts, ProblemFacts,
};
use zhaoyin_core::org::Place;
use zhaoyin_core::problem::{ProblemFields, ProblemStatus};
use zhaoyin_core::project::Stage;
use zhaoyin_db::meetings::{self as db, AgendaRow, Attendee, Creates, Decision, Meeting};

use crate::ctx::{Auth, Ctx};
use crate::{AppError, AppResult, AppState};

/// A meeting with its agenda, attendance and decisions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    #[serde(flatten)]
    pub meeting: Meeting,
    pub agenda: Vec<AgendaRow>,
    pub attendees: Vec<Attendee>,
    pub decisions: Vec<Decision>,
    /// Whether the caller (the county's supervisor) records attendance and decisions.
    #[serde(skip)]
    pub may_edit: bool,
}

fn county_place(path: &str) -> Place {
    Place {
        region_path: path.to_string(),
        unit_id: None,
    }
}

fn may_edit(auth: &Auth, m: &Meeting) -> bool {
    auth.principal.holds_over(
        Role::Supervisor,
        Entity::Project,
        &county_place(&m.region_path),
    )
}

pub async fn list(st: &AppState, auth: &Auth) -> AppResult<Vec<Meeting>> {
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    // A unit's grant does not read the county's meetings.
    let vis = Visibility {
        units: Vec::new(),
        ..vis
    };
    Ok(db::list(&st.db, &vis).await?)
}

/// A meeting the caller reads (a grant over the county).
pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<MeetingView> {
    let meeting = db::get(&st.db, id).await?;
    auth.require(
        Entity::Project,
        Action::Read,
        &county_place(&meeting.region_path),
    )?;
    Ok(MeetingView {
        agenda: db::agenda(&st.db, id).await?,
        attendees: db::attendees(&st.db, id).await?,
        decisions: db::decisions(&st.db, id).await?,
        may_edit: may_edit(auth, &meeting),
        meeting,
    })
}

/// The agenda of a county's meeting as of `today` covering what happened since `since` (when
/// the last meeting was created): major projects only, terminated ones left out.
pub async fn agenda(
    st: &AppState,
    county_path: &str,
    since: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<Vec<core::AgendaItem>> {
    let vis = Visibility {
        subtrees: vec![county_path.to_string()],
        ..Default::default()
    };
    let pursued = |stage: &str| stage != Stage::Terminated.id();
    let problems: Vec<ProblemFacts> = zhaoyin_db::problems::all(
        &st.db,
        &vis,
        &zhaoyin_db::problems::ProblemFilter {
            major: true,
            statuses: ProblemStatus::OPEN.to_vec(),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|p| pursued(&p.project_stage))
    .map(|p| ProblemFacts {
        id: p.id,
        project_id: p.project_id,
        project_name: p.project_name,
        description: p.description,
        unit_name: p.unit_name,
        raised_at: p.created_at,
        deadline: p.deadline,
        blocking: p.blocking,
    })
    .collect();
    let rules = &st.cfg.approval_rules;
    let approvals: Vec<ApprovalFacts> = zhaoyin_db::approvals::all(&st.db, &vis, true)
        .await?
        .into_iter()
        .filter(|a| a.project_major && pursued(&a.project_stage))
        .filter_map(|a| {
            let used = rules.timing(&a.plan_item(), today).used?;
            Some(ApprovalFacts {
                id: a.id,
                project_id: a.project_id,
                project_name: a.project_name,
                name: a.name,
                unit_name: a.unit_name,
                days_over: used - a.committed_days,
            })
        })
        .collect();
    let paused: Vec<PausedFacts> = zhaoyin_db::projects::all(
        &st.db,
        &vis,
        &zhaoyin_db::projects::ProjectFilter {
            major: Some(true),
            stage: Some(Stage::Paused),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|p| PausedFacts {
        project_id: p.id,
        paused_on: p.stage_on,
        project_name: p.name,
        unit_name: p.unit_name,
    })
    .collect();
    Ok(core::agenda(since, today, &problems, &approvals, &paused))
}

/// Days ahead a meeting may be planned.
pub const PLANNED_AHEAD: i64 = 7;

/// When the agenda of a county's meeting on `held_on` starts: the county's last meeting before
/// it (its day, and when it was created), or the week before.
pub async fn since(
    st: &AppState,
    region: i64,
    held_on: NaiveDate,
) -> AppResult<(NaiveDate, DateTime<Utc>)> {
    Ok(match db::last_before(&st.db, region, held_on).await? {
        Some(last) => last,
        None => {
            let day = held_on - Duration::days(7);
            // The first instant of that day where the county is.
            let start = st.cfg.as_of(day - Duration::days(1)).end;
            (day, start)
        }
    })
}

/// A meeting of the caller's county (held at most a week ahead), its agenda generated as of
/// the meeting's day (today, for one planned ahead) from what happened since the county's last
/// meeting.
pub async fn create(st: &AppState, ctx: &Ctx, input: &MeetingInput) -> AppResult<MeetingView> {
    let auth = ctx.auth()?;
    let (region, path) = crate::service::approvals::supervised_county(st, auth)
        .await?
        .ok_or(AppError::Forbidden)?;
    let f = input.validate()?;
    let today = st.cfg.today();
    if f.held_on > today + Duration::days(PLANNED_AHEAD) {
        return Err(AppError::Invalid(zhaoyin_core::Invalid::one(
            FieldError::new("held_on", "err.meeting_ahead").with("n", PLANNED_AHEAD),
        )));
    }
    let (since_day, since_at) = since(st, region, f.held_on).await?;
    let items = agenda(st, &path, since_at, f.held_on.min(today)).await?;
    let m = db::create(&st.db, &ctx.actor(), region, &f, since_day, &items).await?;
    get(st, auth, m.id).await
}

async fn edited(st: &AppState, auth: &Auth, id: i64) -> AppResult<MeetingView> {
    let m = get(st, auth, id).await?;
    if !m.may_edit {
        return Err(AppError::Forbidden);
    }
    Ok(m)
}

/// Most people one meeting records.
pub const MAX_ATTENDEES: usize = 500;

/// The active people of the meeting's county (who may attend).
pub async fn county_people(
    st: &AppState,
    auth: &Auth,
    m: &Meeting,
) -> AppResult<Vec<zhaoyin_db::org::Person>> {
    let vis = auth.principal.visibility(Entity::Person, Action::Read);
    Ok(zhaoyin_db::org::all_people(&st.db, &vis)
        .await?
        .into_iter()
        .filter(|p| p.active && p.region_path.starts_with(&m.region_path))
        .collect())
}

/// One person's attendance.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AttendanceInput {
    pub person_id: i64,
    /// present or leave (请假).
    pub status: String,
}

/// Replaces the attendance with people of the county, each present or on leave.
pub async fn set_attendance(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    people: &[AttendanceInput],
) -> AppResult<MeetingView> {
    let auth = ctx.auth()?;
    let m = edited(st, auth, id).await?;
    if people.len() > MAX_ATTENDEES {
        return Err(AppError::Invalid(zhaoyin_core::Invalid::one(
            FieldError::new("people", "err.too_many").with("max", MAX_ATTENDEES),
        )));
    }
    let county = county_people(st, auth, &m.meeting).await?;
    let mut rows: Vec<(i64, &str)> = Vec::new();
    for (i, a) in people.iter().enumerate() {
        let status = match a.status.trim() {
            "" | "present" => "present",
            "leave" => "leave",
            _ => {
                return Err(AppError::invalid(
                    &format!("people[{i}].status"),
                    "err.choice",
                ));
            }
        };
        if !county.iter().any(|p| p.id == a.person_id) {
            return Err(AppError::invalid(
                &format!("people[{i}].person_id"),
                "err.choice",
            ));
        }
        if !rows.iter().any(|(p, _)| *p == a.person_id) {
            rows.push((a.person_id, status));
        }
    }
    db::set_attendance(&st.db, &ctx.actor(), &m.meeting, &rows).await?;
    get(st, auth, id).await
}

/// Records a decision and creates its task (for the unit, due on the deadline) or problem (on
/// the project's list, for the unit).
pub async fn decide(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &DecisionInput,
) -> AppResult<Decision> {
    let auth = ctx.auth()?;
    let m = edited(st, auth, id).await?;
    let f: DecisionFields = input.validate(st.cfg.today())?;
    let county = &m.meeting.region_path;
    crate::service::projects::named_unit(st, f.unit_id, county, "unit_id").await?;
    if let Some(p) = f.project_id {
        let project = crate::service::projects::get(st, auth, p)
            .await
            .map_err(|_| AppError::invalid("project_id", "err.choice"))?;
        if !project.region_path.starts_with(county.as_str()) {
            return Err(AppError::invalid("project_id", "err.choice"));
        }
    }
    let t = &ctx.t;
    let decision = match f.kind {
        DecisionKind::Task => {
            let task = decision_task(t, &m.meeting, &f);
            db::decide(
                &st.db,
                &ctx.actor(),
                &m.meeting,
                &f,
                Creates::Task(&task, st.cfg.clock()),
            )
            .await?
        }
        DecisionKind::Problem => {
            let problem = decision_problem(&f);
            db::decide(
                &st.db,
                &ctx.actor(),
                &m.meeting,
                &f,
                Creates::Problem(&problem),
            )
            .await?
        }
    };
    Ok(decision)
}

/// The task a decision of a meeting becomes: for its unit, once, due on its deadline (its code
/// is given when the decision is recorded).
pub fn decision_task(
    t: &crate::i18n::Tr,
    m: &Meeting,
    f: &DecisionFields,
) -> zhaoyin_db::tasks::NewTask {
    zhaoyin_db::tasks::NewTask {
        code: String::new(),
        title: f.text.chars().take(100).collect(),
        content: t.tf(
            "meetings.task_content",
            &[
                ("text", f.text.clone()),
                ("meeting", m.title.clone()),
                ("on", m.held_on.to_string()),
            ],
        ),
        cadence: zhaoyin_core::task::TaskCadence::Once,
        deadline: Some(f.deadline),
        lead_units: vec![f.unit_id],
        support_units: Vec::new(),
        leaders: Vec::new(),
        unit_groups: Vec::new(),
        indicators: Vec::new(),
    }
}

/// The problem a decision becomes on its project's list.
pub fn decision_problem(f: &DecisionFields) -> ProblemFields {
    ProblemFields {
        category: f
            .category
            .unwrap_or(zhaoyin_core::problem::ProblemCategory::Other),
        description: f.text.clone(),
        unit_id: f.unit_id,
        deadline: f.deadline,
        blocking: false,
    }
}

/// How the minutes download is named.
pub const MINUTES_FILE: &str = "attachment; filename=\"zhaoyin-minutes.docx\"; filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.docx";

/// The minutes (会议纪要) as a Word document in the customary layout.
pub async fn minutes(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<Vec<u8>> {
    use zhaoyin_office::document::{Block, Document};
    let m = get(st, ctx.auth()?, id).await?;
    let t = &ctx.t;
    let date = m
        .meeting
        .held_on
        .format(t.t("meetings.date_format"))
        .to_string();
    let names = |status: &str| -> String {
        let v: Vec<String> = m
            .attendees
            .iter()
            .filter(|a| a.status == status)
            .map(|a| format!("{}（{}）", a.name, a.unit_name))
            .collect();
        if v.is_empty() {
            "—".into()
        } else {
            v.join("、")
        }
    };
    let fact = |key: &str, v: String| Block::Line(format!("{}：{v}", t.t(key)));
    let mut body = vec![
        fact("meetings.held_on", date.clone()),
        fact(
            "meetings.place",
            m.meeting.place.clone().unwrap_or_else(|| "—".into()),
        ),
        fact(
            "meetings.chair",
            m.meeting.chair.clone().unwrap_or_else(|| "—".into()),
        ),
        fact("meetings.present", names("present")),
        fact("meetings.leave", names("leave")),
        Block::Heading(t.t("meetings.minutes_agenda").to_string()),
    ];
    if m.agenda.is_empty() {
        body.push(Block::Text(t.t("meetings.agenda_empty").to_string()));
    }
    for (i, a) in m.agenda.iter().enumerate() {
        body.push(Block::Text(format!("{}. {}", i + 1, agenda_line(t, a))));
    }
    body.push(Block::Heading(
        t.t("meetings.minutes_decisions").to_string(),
    ));
    if m.decisions.is_empty() {
        body.push(Block::Text(t.t("meetings.no_decisions").to_string()));
    } else {
        body.push(Block::Table(
            vec![
                t.t("meetings.seq").to_string(),
                t.t("meetings.decision").to_string(),
                t.t("meetings.unit").to_string(),
                t.t("meetings.deadline").to_string(),
                t.t("meetings.becomes").to_string(),
            ],
            m.decisions
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    vec![
                        (i + 1).to_string(),
                        d.text.clone(),
                        d.unit_name.clone(),
                        d.deadline.to_string(),
                        t.label("meetings.kind", &d.kind),
                    ]
                })
                .collect(),
        ));
    }
    let doc = Document {
        title: t.tf(
            "meetings.minutes_title",
            &[("title", m.meeting.title.clone())],
        ),
        subtitle: Some(date),
        body,
    };
    crate::service::blocking(move || zhaoyin_office::document::docx(&doc))
        .await?
        .map_err(AppError::Internal)
}

/// An agenda item in words, for the page and the minutes.
pub fn agenda_line(t: &crate::i18n::Tr, a: &AgendaRow) -> String {
    // A project held up by a blocker is told apart from a paused one by its subject.
    let kind = if a.kind == "stalled_project" && a.problem_id.is_some() {
        "blocked_project"
    } else {
        a.kind.as_str()
    };
    t.tf(
        &format!("meetings.line.{kind}"),
        &[
            ("project", a.project_name.clone()),
            ("subject", a.subject.clone()),
            ("unit", a.unit_name.clone()),
            ("days", a.days.to_string()),
        ],
    )
}

/// The next meeting's title and day, for the form: this week's Monday… as the county names it.
pub fn default_title(t: &crate::i18n::Tr, on: NaiveDate) -> String {
    use chrono::Datelike;
    t.tf(
        "meetings.default_title",
        &[
            ("year", on.year().to_string()),
            ("week", on.iso_week().week().to_string()),
        ],
    )
}
