//! Investor complaints (投资者诉求, M5). Anyone files one on the public form, without an account:
//! a small sum keeps simple bots out (see `zhaoyin_core::complaint::challenge`), and an address
//! files at most a few an hour. The complainant gets a tracking code, follows the complaint by it
//! and says whether the answer satisfies them. The county's supervisor routes it to a unit with
//! a day to answer by; the unit's clerks answer; the supervisor gives the verdict, and an upheld
//! complaint deducts from its unit in assessment.
//!
//! Readers: the supervisor and the leaders over the county read all its complaints; a unit's
//! clerk reads those sent to the unit. Nobody else learns that a complaint exists (404).

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity, Role, Visibility};
use zhaoyin_core::complaint::{
    self as core, AnswerInput, ChallengeError, ComplaintInput, RatingInput, RouteInput, Status,
    Step, VerdictInput,
};
use zhaoyin_core::org::{Place, RegionLevel};
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::complaints::{self as db, Complaint, FileMeta, Filing, Limits};
use zhaoyin_db::follow_up::NewFile;

use crate::ctx::{Auth, Ctx};
use crate::form::Upload;
use crate::{AppError, AppResult, AppState};

/// The days a unit is given to answer, unless the supervisor says otherwise.
pub const ANSWER_DAYS: i64 = 7;
/// The most files a complaint carries, and the largest.
pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// What a complaint's files may be.
const FILE_TYPES: &[&str] = &[
    "pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "txt",
];

/// The key the public form's challenges and the rate limit's address keys are made with, shared
/// by every instance through the database.
async fn key(st: &AppState) -> AppResult<&[u8]> {
    let k = st
        .challenge_key
        .get_or_try_init(|| db::secret(&st.db, "complaint_challenge"))
        .await?;
    Ok(k.as_slice())
}

/// What the public form needs: the counties a complaint may be filed with and a new sum.
#[derive(Debug, Clone)]
pub struct FormView {
    pub counties: Vec<(i64, String)>,
    pub challenge: core::Challenge,
}

pub async fn form(st: &AppState) -> AppResult<FormView> {
    use rand::RngCore;
    let mut nonce = [0u8; 16];
    let mut sum = [0u8; 2];
    rand::rng().fill_bytes(&mut nonce);
    rand::rng().fill_bytes(&mut sum);
    Ok(FormView {
        counties: db::counties(&st.db).await?,
        challenge: core::challenge(key(st).await?, nonce, sum[0], sum[1], chrono::Utc::now()),
    })
}

/// The public form as sent: the complaint, the challenge's token and answer, the field people
/// do not see (filled, a bot), the files.
pub struct Submission {
    pub input: ComplaintInput,
    pub token: String,
    pub answer: String,
    pub trap: String,
    pub files: Vec<Upload>,
}

fn files_of(uploads: Vec<Upload>, e: &mut Invalid) -> Vec<NewFile> {
    if uploads.len() > MAX_FILES {
        e.push(FieldError::new("files", "err.complaint.too_many_files").with("max", MAX_FILES));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, u) in uploads.into_iter().enumerate() {
        let ext = u
            .filename
            .rsplit_once('.')
            .map(|(_, x)| x.to_lowercase())
            .unwrap_or_default();
        if !FILE_TYPES.contains(&ext.as_str()) {
            e.push(
                FieldError::new(format!("files[{i}]"), "err.complaint.file_type")
                    .with("name", u.filename.clone())
                    .with("types", FILE_TYPES.join("、")),
            );
        } else if u.data.len() > MAX_FILE_BYTES {
            e.push(
                FieldError::new(format!("files[{i}]"), "err.complaint.file_size")
                    .with("name", u.filename.clone())
                    .with("mb", MAX_FILE_BYTES / 1024 / 1024),
            );
        } else {
            out.push(u.into_new_file());
        }
    }
    out
}

/// Files a complaint from the public form; gives it back with its tracking code, which only the
/// complainant ever sees (the platform keeps its hash).
pub async fn file(st: &AppState, ctx: &Ctx, s: Submission) -> AppResult<(Complaint, String)> {
    let key = key(st).await?;
    let now = chrono::Utc::now();
    let client = core::client_key(key, ctx.ip.as_deref().unwrap_or("-"));
    let mut e = Invalid::default();
    let nonce = if s.trap.trim().is_empty() {
        match core::check_challenge(key, &s.token, &s.answer, now) {
            Ok(n) => Some(n),
            Err(ChallengeError::Wrong) => {
                e.push(FieldError::new("answer", "err.complaint.challenge_wrong"));
                None
            }
            Err(ChallengeError::Expired) => {
                e.push(FieldError::new("answer", "err.complaint.challenge_expired"));
                None
            }
        }
    } else {
        e.push(FieldError::new("answer", "err.complaint.challenge_wrong"));
        None
    };
    let county = match zhaoyin_db::org::get_region(&st.db, s.input.region_id).await {
        Ok(r) if r.level == RegionLevel::County.id() && r.active => Some(r.id),
        Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
            e.push(FieldError::new("region_id", "err.choice"));
            None
        }
        Err(err) => return Err(err.into()),
    };
    let fields = match s.input.validate() {
        Ok(f) => Some(f),
        Err(v) => {
            e.0.extend(v.0);
            None
        }
    };
    let files = files_of(s.files, &mut e);
    e.into_result()?;
    let (Some(nonce), Some(region_id), Some(fields)) = (nonce, county, fields) else {
        return Err(AppError::invalid("answer", "err.complaint.challenge_wrong"));
    };
    let code = {
        use rand::RngCore;
        let mut b = [0u8; 10];
        rand::rng().fill_bytes(&mut b);
        core::tracking_code(b)
    };
    let hash = core::code_hash(&code);
    let filing = Filing {
        region_id,
        code_hash: &hash,
        challenge: &nonce,
        client_key: &client,
        fields: &fields,
        files: &files,
    };
    let limits = Limits {
        per_client: core::PER_ADDRESS_PER_HOUR,
        all: core::PER_HOUR,
    };
    match db::file(&st.db, &ctx.actor(), &filing, &limits).await {
        Ok(Some(c)) => Ok((c, core::display_code(&code))),
        Ok(None) => Err(AppError::TooMany),
        Err(zhaoyin_db::Error::Duplicate { .. }) => {
            Err(AppError::invalid("answer", "err.complaint.challenge_used"))
        }
        Err(e) => Err(e.into()),
    }
}

/// What the complainant reads by the tracking code: no internal note, no clerk's name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tracked {
    pub code: String,
    pub subject: String,
    pub status: String,
    pub region_name: String,
    pub filed_on: chrono::NaiveDate,
    pub unit_name: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<chrono::NaiveDate>,
    pub answer: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub answered_on: Option<chrono::NaiveDate>,
    pub satisfaction: Option<String>,
    pub verdict: Option<String>,
    pub verdict_reason: Option<String>,
    /// The answer may be rated now (answered, not yet rated).
    pub may_rate: bool,
}

/// The complainant may rate the answer now.
fn ratable(c: &Complaint) -> bool {
    Status::parse(&c.status)
        .is_some_and(|s| s.may_rate(c.answer.is_some(), c.satisfaction.is_some()))
}

fn tracked(st: &AppState, c: Complaint, code: &str) -> Tracked {
    Tracked {
        may_rate: ratable(&c),
        code: core::display_code(code),
        subject: c.subject,
        status: c.status,
        region_name: c.region_name,
        filed_on: st.cfg.local_date(c.created_at),
        unit_name: c.unit_name,
        due_on: c.due_on,
        answer: c.answer,
        answered_on: c.answered_at.map(|t| st.cfg.local_date(t)),
        satisfaction: c.satisfaction,
        verdict: c.verdict,
        verdict_reason: c.verdict_reason,
    }
}

/// The complaint of a code as typed, and the code as stored.
async fn by_code(st: &AppState, typed: &str) -> AppResult<(Complaint, String)> {
    let code = core::normalize_code(typed)
        .ok_or_else(|| AppError::invalid("code", "err.complaint.code_format"))?;
    Ok((db::by_code(&st.db, &core::code_hash(&code)).await?, code))
}

pub async fn track(st: &AppState, code: &str) -> AppResult<Tracked> {
    let (c, code) = by_code(st, code).await?;
    Ok(tracked(st, c, &code))
}

/// The complainant rates the answer, once.
pub async fn rate(st: &AppState, ctx: &Ctx, code: &str, input: &RatingInput) -> AppResult<Tracked> {
    let (c, code) = by_code(st, code).await?;
    if !ratable(&c) {
        return Err(AppError::invalid(
            "satisfaction",
            "err.complaint.not_ratable",
        ));
    }
    let (s, note) = input.validate()?;
    let c = db::rate(&st.db, &ctx.actor(), &c, s, note.as_deref()).await?;
    Ok(tracked(st, c, &code))
}

// ----------------------------------------------------------------------------------- staff

/// Who reads complaints: the supervisors and leaders over their region (or unit), and the
/// clerks of the unit a complaint was sent to — never a clerk through a grant over a region.
fn readers(auth: &Auth) -> Visibility {
    let p = &auth.principal;
    let mut vis = p.visibility_of_role(Role::Supervisor, Entity::Complaint);
    let leaders = p.visibility_of_role(Role::Leader, Entity::Complaint);
    vis.subtrees.extend(leaders.subtrees);
    vis.units.extend(leaders.units);
    vis.units
        .extend(p.visibility_of_role(Role::Clerk, Entity::Complaint).units);
    vis
}

fn reads(vis: &Visibility, c: &Complaint) -> bool {
    vis.subtrees
        .iter()
        .any(|p| c.region_path.starts_with(p.as_str()))
        || c.unit_id.is_some_and(|u| vis.units.contains(&u))
}

/// The complaint, when the caller reads it (404 otherwise).
async fn readable(st: &AppState, auth: &Auth, id: i64) -> AppResult<Complaint> {
    let c = db::get(&st.db, id).await?;
    if reads(&readers(auth), &c) {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

/// The county's supervisor routes and judges.
fn keeps(auth: &Auth, c: &Complaint) -> bool {
    auth.principal.holds_over(
        Role::Supervisor,
        Entity::Complaint,
        &Place {
            region_path: c.region_path.clone(),
            unit_id: None,
        },
    )
}

/// The unit it was sent to answers (its own clerks, not a grant over the region).
fn answers(auth: &Auth, c: &Complaint) -> bool {
    c.unit_id
        .is_some_and(|u| auth.principal.acts_for_unit(Entity::Complaint, u))
}

/// Which complaints (query of the list and the API).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// received, routed, answered or closed.
    pub status: Option<String>,
    pub unit_id: Option<i64>,
    /// Only those past the day to answer by.
    pub overdue: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListView {
    pub items: Vec<Complaint>,
    pub total: i64,
}

pub async fn list(st: &AppState, auth: &Auth, q: &ListQuery) -> AppResult<ListView> {
    if !auth
        .principal
        .can_somewhere(Entity::Complaint, Action::Read)
    {
        return Err(AppError::Forbidden);
    }
    if let Some(s) = &q.status
        && Status::parse(s).is_none()
    {
        return Err(AppError::invalid("status", "err.choice"));
    }
    let vis = readers(auth);
    let f = db::Filter {
        status: q.status.clone(),
        unit_id: q.unit_id,
        overdue_on: q.overdue.unwrap_or(false).then(|| st.cfg.today()),
    };
    let (items, total) = db::list(&st.db, &vis, &f, Page::new(q.page, q.per_page)).await?;
    Ok(ListView { items, total })
}

/// One complaint with its files and what the caller may do to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    pub complaint: Complaint,
    pub files: Vec<FileMeta>,
    /// Every step so far (an answer set aside by routing again among them).
    pub history: Vec<zhaoyin_db::complaints::Step>,
    /// Past the day to answer by, unanswered.
    pub overdue: bool,
    pub may_route: bool,
    pub may_answer: bool,
    pub may_judge: bool,
    /// The units it may be sent to (for the supervisor): the county's active units.
    pub units: Vec<(i64, String)>,
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<ComplaintView> {
    let c = readable(st, auth, id).await?;
    let status = Status::parse(&c.status)
        .ok_or_else(|| AppError::Internal(format!("complaint status {}", c.status)))?;
    let keeps = keeps(auth, &c);
    let units = if keeps && status.allows(Step::Route) {
        let ids: Vec<i64> = zhaoyin_db::assessments::units_of(&st.db, c.region_id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let mut names = zhaoyin_db::org::unit_names(&st.db, &ids).await?;
        ids.into_iter()
            .filter_map(|id| names.remove(&id).map(|n| (id, n)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(ComplaintView {
        files: db::files(&st.db, c.id).await?,
        history: db::history(&st.db, c.id).await?,
        overdue: status == Status::Routed && c.due_on.is_some_and(|d| d < st.cfg.today()),
        may_route: keeps && status.allows(Step::Route),
        may_answer: answers(auth, &c) && status.allows(Step::Answer),
        may_judge: keeps && status.allows(Step::Verdict(core::Verdict::NotUpheld)),
        units,
        complaint: c,
    })
}

/// A file of a complaint the caller reads.
pub async fn file_data(
    st: &AppState,
    auth: &Auth,
    id: i64,
    file: i64,
) -> AppResult<(String, Vec<u8>)> {
    readable(st, auth, id).await?;
    Ok(db::file_data(&st.db, id, file).await?)
}

/// Reads the complaint for a step: readable, at the version the caller read, the step allowed.
async fn for_step(
    st: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    step: Step,
) -> AppResult<Complaint> {
    let c = readable(st, auth, id).await?;
    let allowed = match step {
        Step::Answer => answers(auth, &c),
        Step::Route | Step::Verdict(_) => keeps(auth, &c),
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if c.version != version {
        return Err(AppError::Stale);
    }
    let status = Status::parse(&c.status)
        .ok_or_else(|| AppError::Internal(format!("complaint status {}", c.status)))?;
    if !status.allows(step) {
        return Err(AppError::invalid("status", "err.complaint.step"));
    }
    Ok(c)
}

pub async fn route(st: &AppState, ctx: &Ctx, id: i64, input: &RouteInput) -> AppResult<Complaint> {
    let auth = ctx.auth()?;
    let c = for_step(st, auth, id, input.version, Step::Route).await?;
    let mut e = Invalid::default();
    let in_county = zhaoyin_db::assessments::units_of(&st.db, c.region_id)
        .await?
        .iter()
        .any(|(u, _)| *u == input.unit_id);
    if !in_county {
        e.push(FieldError::new("unit_id", "err.choice"));
    }
    let fields = input.validate(st.cfg.today());
    if let Err(v) = &fields {
        e.0.extend(v.0.iter().cloned());
    }
    e.into_result()?;
    let fields = fields?;
    Ok(db::route(&st.db, &ctx.actor(), &c, input.unit_id, &fields).await?)
}

pub async fn answer(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &AnswerInput,
) -> AppResult<Complaint> {
    let auth = ctx.auth()?;
    let c = for_step(st, auth, id, input.version, Step::Answer).await?;
    let text = input.validate()?;
    Ok(db::answer(&st.db, &ctx.actor(), &c, &text).await?)
}

pub async fn judge(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    input: &VerdictInput,
) -> AppResult<Complaint> {
    let auth = ctx.auth()?;
    let (verdict, reason) = input.validate()?;
    let c = for_step(st, auth, id, input.version, Step::Verdict(verdict)).await?;
    Ok(db::judge(&st.db, &ctx.actor(), &c, verdict, &reason).await?)
}
