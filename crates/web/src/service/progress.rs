//! The progress list of a project (进度清单): monthly updates with photos, funds in place with
//! their evidence, and the totals set against the plan. Read by the project's readers; written
//! by who keeps the project (its unit's clerks, the county's supervisor).

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::progress::{FundInput, FundsTotals, UpdateInput, percent_of};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::progress::{self as db, Fund, ProjectFile, Update};
use zhaoyin_db::projects::ProjectRow;

use crate::ctx::{Auth, Ctx};
use crate::form::{FileInput, Upload, new_files};
use crate::{AppError, AppResult, AppState};

/// An update with the investment completed up to its month and its photos.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UpdateView {
    #[serde(flatten)]
    pub update: Update,
    /// 万元 completed up to and including this month.
    pub invested_to_date: i64,
    pub photos: Vec<ProjectFile>,
}

/// Funds with their evidence; verified once evidence is on file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FundView {
    #[serde(flatten)]
    pub fund: Fund,
    pub verified: bool,
    pub evidence: Vec<ProjectFile>,
}

/// A project's figures against its plan.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ProgressTotals {
    /// The planned total investment, 万元.
    pub plan: i64,
    /// The latest physical progress (percent) and its month.
    pub percent: Option<i64>,
    pub period: Option<String>,
    /// 万元 completed in all updates, and as a percent of the plan.
    pub invested: i64,
    pub invested_of_plan: Option<i64>,
    pub funds: FundsTotals,
    /// Verified funds as a percent of the plan.
    pub verified_of_plan: Option<i64>,
}

impl ProgressTotals {
    pub fn new(plan: i64, p: &db::Progress) -> Self {
        let funds = FundsTotals::of(p.funds.iter().copied());
        Self {
            plan,
            percent: p.latest.as_ref().map(|(_, pct)| *pct),
            period: p.latest.as_ref().map(|(m, _)| m.clone()),
            invested: p.invested,
            invested_of_plan: percent_of(p.invested, plan),
            funds,
            verified_of_plan: percent_of(funds.verified, plan),
        }
    }
}

/// A project's progress list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressView {
    /// The latest month first.
    pub updates: Vec<UpdateView>,
    /// The latest first.
    pub funds: Vec<FundView>,
    pub totals: ProgressTotals,
}

/// The progress list of a project the caller reads.
pub async fn of_project(st: &AppState, auth: &Auth, project_id: i64) -> AppResult<ProgressView> {
    let project = crate::service::projects::get(st, auth, project_id).await?;
    view(st, &project).await
}

pub async fn view(st: &AppState, project: &ProjectRow) -> AppResult<ProgressView> {
    let updates = db::updates(&st.db, project.id).await?;
    let funds = db::funds(&st.db, project.id).await?;
    let files = db::progress_files(&st.db, project.id).await?;
    let files_of = |pick: &dyn Fn(&ProjectFile) -> bool| -> Vec<ProjectFile> {
        files.iter().filter(|f| pick(f)).cloned().collect()
    };
    let progress = db::Progress {
        // Updates come latest first.
        latest: updates.first().map(|u| (u.period.clone(), u.percent)),
        invested: updates.iter().map(|u| u.invested).sum(),
        funds: funds
            .iter()
            .map(|f| {
                let here = files.iter().any(|x| x.fund_id == Some(f.id));
                (f.amount, here || f.verified_at_origin)
            })
            .collect(),
    };
    let mut to_date = progress.invested;
    let updates = updates
        .into_iter()
        .map(|u| {
            let here = to_date;
            to_date -= u.invested;
            UpdateView {
                photos: files_of(&|f| f.update_id == Some(u.id)),
                invested_to_date: here,
                update: u,
            }
        })
        .collect();
    let funds = funds
        .into_iter()
        .map(|f| {
            let evidence = files_of(&|x| x.fund_id == Some(f.id));
            FundView {
                verified: !evidence.is_empty() || f.verified_at_origin,
                evidence,
                fund: f,
            }
        })
        .collect();
    Ok(ProgressView {
        updates,
        funds,
        totals: ProgressTotals::new(project.total_investment, &progress),
    })
}

/// The project, if the caller keeps it.
pub async fn kept(st: &AppState, auth: &Auth, project_id: i64) -> AppResult<ProjectRow> {
    let project = crate::service::projects::get(st, auth, project_id).await?;
    crate::service::projects::require_write(auth, &project)?;
    Ok(project)
}

/// Image files as sent for photos: only JPEG, PNG, GIF and WebP (by their bytes) are taken.
fn photos(field: &str, files: Vec<Upload>) -> AppResult<Vec<Upload>> {
    let mut e = Invalid::default();
    for (i, f) in files.iter().enumerate() {
        if image_type(&f.data).is_none() {
            e.push(
                FieldError::new(format!("{field}[{i}]"), "err.photo_type")
                    .with("name", &f.filename),
            );
        }
    }
    e.into_result()?;
    Ok(files)
}

/// The image type of `data` by its first bytes (never by the name a browser sent).
pub fn image_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A monthly update as sent, with its photos (base64 in the API).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UpdateWrite {
    #[serde(flatten)]
    pub update: UpdateInput,
    /// Photos of the site (JPEG, PNG, GIF or WebP), added to those the update has.
    pub photos: Vec<FileInput>,
    /// The version an edit was made from (not for a new update).
    pub version: Option<i64>,
}

/// A month's update of a project the caller keeps (one a month).
pub async fn add_update(
    st: &AppState,
    ctx: &Ctx,
    project_id: i64,
    input: &UpdateInput,
    files: Vec<Upload>,
) -> AppResult<Update> {
    kept(st, ctx.auth()?, project_id).await?;
    let fields = input.validate(st.cfg.today())?;
    let files = new_files(photos("photos", files)?);
    db::create_update(&st.db, &ctx.actor(), project_id, &fields, &files)
        .await
        .map_err(month_taken)
}

/// An edit of an update, made from `version`.
pub async fn edit_update(
    st: &AppState,
    ctx: &Ctx,
    project_id: i64,
    update_id: i64,
    input: &UpdateInput,
    version: Option<i64>,
    files: Vec<Upload>,
) -> AppResult<Update> {
    kept(st, ctx.auth()?, project_id).await?;
    let current = update_of(st, project_id, update_id).await?;
    let version = version.ok_or_else(|| AppError::invalid("version", "err.required"))?;
    let fields = input.validate(st.cfg.today())?;
    let files = new_files(photos("photos", files)?);
    db::edit_update(&st.db, &ctx.actor(), current.id, version, &fields, &files)
        .await
        .map_err(month_taken)
}

/// A second update of a month is refused by its month.
fn month_taken(e: zhaoyin_db::Error) -> AppError {
    match e {
        zhaoyin_db::Error::Duplicate { .. } => AppError::invalid("period", "err.update_exists"),
        e => e.into(),
    }
}

/// An update of the project (another project's is not found).
pub async fn update_of(st: &AppState, project_id: i64, update_id: i64) -> AppResult<Update> {
    let u = db::get_update(&st.db, update_id).await?;
    if u.project_id != project_id {
        return Err(AppError::NotFound);
    }
    Ok(u)
}

/// Funds as sent, with their evidence (base64 in the API).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FundWrite {
    #[serde(flatten)]
    pub fund: FundInput,
    /// The evidence (a scan of the report, receipt or invoice); without it the funds are shown
    /// as unverified until evidence is added.
    pub files: Vec<FileInput>,
}

/// Funds in place of a project the caller keeps.
pub async fn add_fund(
    st: &AppState,
    ctx: &Ctx,
    project_id: i64,
    input: &FundInput,
    files: Vec<Upload>,
) -> AppResult<Fund> {
    kept(st, ctx.auth()?, project_id).await?;
    let fields = input.validate(st.cfg.today())?;
    Ok(db::add_fund(&st.db, &ctx.actor(), project_id, &fields, &new_files(files)).await?)
}

/// A fund of the project (another project's is not found).
async fn fund_of(st: &AppState, project_id: i64, fund_id: i64) -> AppResult<Fund> {
    let f = db::get_fund(&st.db, fund_id).await?;
    if f.project_id != project_id {
        return Err(AppError::NotFound);
    }
    Ok(f)
}

/// Evidence handed in for funds already recorded.
pub async fn add_evidence(
    st: &AppState,
    ctx: &Ctx,
    project_id: i64,
    fund_id: i64,
    files: Vec<Upload>,
) -> AppResult<()> {
    kept(st, ctx.auth()?, project_id).await?;
    let fund = fund_of(st, project_id, fund_id).await?;
    if files.is_empty() {
        return Err(AppError::invalid("files", "err.required"));
    }
    Ok(db::add_evidence(&st.db, &ctx.actor(), fund.id, &new_files(files)).await?)
}

/// Takes back funds recorded in error.
pub async fn remove_fund(st: &AppState, ctx: &Ctx, project_id: i64, fund_id: i64) -> AppResult<()> {
    kept(st, ctx.auth()?, project_id).await?;
    let fund = fund_of(st, project_id, fund_id).await?;
    Ok(db::remove_fund(&st.db, &ctx.actor(), fund.id).await?)
}

/// A photo or a piece of evidence of the project's progress list, if the caller reads the
/// project; with the image type of a photo whose bytes are an image (shown, not downloaded).
pub async fn file(
    st: &AppState,
    auth: &Auth,
    project_id: i64,
    file_id: i64,
) -> AppResult<(ProjectFile, Vec<u8>, Option<&'static str>)> {
    crate::service::projects::get(st, auth, project_id).await?;
    let meta = db::file(&st.db, file_id).await?;
    if meta.project_id != project_id || meta.problem_id.is_some() {
        return Err(AppError::NotFound);
    }
    let data = db::file_data(&st.db, file_id).await?;
    let image = meta.update_id.and_then(|_| image_type(&data));
    Ok((meta, data, image))
}

// ------------------------------------------------------------------------- funds across projects

/// The funds list's query (empty values are "any"). Funds of a repeated signing are left out,
/// as every total leaves the signing out.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct FundQuery {
    /// Text in the project's name or its investor's; pinyin matches too.
    pub name: Option<String>,
    /// YYYY: funds received in that year.
    pub year: Option<String>,
    /// YYYY-MM or YYYY-Qn (or YYYY): funds received in that period, instead of a year.
    pub period: Option<String>,
    /// "1": with evidence on file (verified); "0": without.
    pub verified: Option<String>,
    /// Funds of projects of this region or one beneath it.
    pub region_id: Option<String>,
    /// Funds of projects filling this industry-chain segment or one beneath it.
    pub segment_id: Option<String>,
    /// Funds of projects this unit is responsible for.
    pub unit_id: Option<String>,
    /// Funds of projects credited to this unit (their first introducing unit, else the
    /// responsible unit).
    pub credit_unit_id: Option<String>,
    /// YYYY-MM-DD, a past day: only the funds recorded by that day's end, verified by evidence
    /// filed by then.
    pub as_of: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl FundQuery {
    /// Filters a link sets (from the dashboard) that the filter form keeps without showing a
    /// field for them.
    pub fn kept_filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("region_id", &self.region_id),
            ("segment_id", &self.segment_id),
            ("unit_id", &self.unit_id),
            ("credit_unit_id", &self.credit_unit_id),
            ("period", &self.period),
            ("as_of", &self.as_of),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (name, v)))
        .collect()
    }

    pub fn filter(&self, cfg: &crate::WebConfig) -> AppResult<db::FundFilter> {
        use crate::form::{nonempty, opt_i64, opt_period};
        let mut e = Invalid::default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let region_id = opt_i64(&mut e, "region_id", &text(&self.region_id));
        let segment_id = opt_i64(&mut e, "segment_id", &text(&self.segment_id));
        let unit_id = opt_i64(&mut e, "unit_id", &text(&self.unit_id));
        let credit_unit_id = opt_i64(&mut e, "credit_unit_id", &text(&self.credit_unit_id));
        let range = match (
            opt_period(&mut e, "year", &text(&self.year), "err.year"),
            opt_period(&mut e, "period", &text(&self.period), "err.period"),
        ) {
            (Some(_), Some(_)) => {
                e.push(FieldError::new("period", "err.period"));
                None
            }
            (y, p) => y.or(p),
        };
        let as_of = crate::form::opt_as_of(&mut e, cfg, &text(&self.as_of));
        let verified = match nonempty(&self.verified).as_deref() {
            None => None,
            Some("1") => Some(true),
            Some("0") => Some(false),
            Some(_) => {
                e.push(FieldError::new("verified", "err.choice"));
                None
            }
        };
        let name = nonempty(&self.name);
        if name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
        {
            e.push(FieldError::new("name", "err.control_char"));
        }
        e.into_result()?;
        Ok(db::FundFilter {
            project: zhaoyin_db::projects::ProjectFilter {
                q: name,
                region_id,
                segment_id,
                unit_id,
                credit_unit_id,
                // Repeated signings are left out of every total, their funds too.
                distinct: true,
                as_of,
                ..Default::default()
            },
            from: range.map(|r| r.0),
            until: range.map(|r| r.1),
            verified,
        })
    }
}

/// A page of the funds of the projects the caller reads, the latest first, with the totals of
/// every fund the filter admits.
pub async fn fund_lines(
    st: &AppState,
    auth: &Auth,
    f: &db::FundFilter,
    page: zhaoyin_core::paging::Page,
) -> AppResult<(Vec<db::FundLine>, i64, FundsTotals)> {
    if !auth.principal.can_somewhere(Entity::Project, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    Ok(db::fund_lines(&st.db, &vis, f, page).await?)
}

const FUND_SHEET: super::sheet_kit::SheetSpec = super::sheet_kit::SheetSpec {
    id: "funds",
    title_key: "funds.title",
    labels: "fund_sheet",
    columns: &[],
    export_only: &[
        ("received_on", 12.0),
        ("project", 32.0),
        ("unit", 20.0),
        ("amount", 12.0),
        ("source", 16.0),
        ("evidence_type", 12.0),
        ("verified", 10.0),
        ("note", 30.0),
    ],
};

/// The funds of a filter as a workbook.
pub async fn export_funds(st: &AppState, ctx: &Ctx, f: &db::FundFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::Project, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    let t = ctx.t;
    let lines = db::all_fund_lines(&st.db, &vis, f)
        .await?
        .into_iter()
        .map(|l| {
            vec![
                l.received_on.to_string(),
                l.project_name,
                l.unit_name,
                l.amount.to_string(),
                l.source.unwrap_or_default(),
                t.label("progress.evidence", &l.evidence_type),
                t.t(if l.verified {
                    "progress.verified"
                } else {
                    "progress.unverified"
                })
                .to_string(),
                l.note.unwrap_or_default(),
            ]
        })
        .collect();
    FUND_SHEET.table(&t, lines).await
}
