//! Industry chains: a chain sits in the county of its lead unit; everyone in and beneath that
//! county reads it, the supervisor keeps it. The chain's view counts, per segment and everything
//! beneath it, the local companies (已落地), the targets being courted and the projects, and marks
//! the gaps: 缺链 with no local company, 弱链 with one.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::chain::{self, ChainFields, ChainInput, Gap, StoredSegment};
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::chains::{self as db, Chain, Segment, SegmentCompany, SegmentProject};

use crate::ctx::{Auth, Ctx};
use crate::service::projects::{Named, named_person, named_unit};
use crate::{AppError, AppResult, AppState};

/// A page of chains.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct ChainQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A chain with its totals, as lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChainSummary {
    #[serde(flatten)]
    pub chain: Chain,
    pub segments: usize,
    /// Distinct local companies (已落地) in the chain.
    pub local_companies: usize,
    /// Distinct companies being courted (潜在, 对接中, 已签约).
    pub targets: usize,
    pub projects: usize,
    /// Segments with no local company (缺链).
    pub missing: usize,
    /// Segments with one (弱链).
    pub weak: usize,
}

/// A segment with what fills it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SegmentView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// 0 for a top-level segment (上游, 中游, 下游 …).
    pub depth: usize,
    /// The segment's own companies and projects.
    pub local_companies: Vec<Named>,
    pub targets: Vec<Named>,
    pub projects: Vec<SegmentProjectView>,
    /// Counts over the segment and everything beneath it, each company once.
    pub local_total: usize,
    pub target_total: usize,
    pub project_total: usize,
    /// missing (缺链) or weak (弱链).
    pub gap: Option<Gap>,
    /// For a gap: the targets of the segment and beneath it, to recruit.
    pub gap_targets: Vec<Named>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SegmentProjectView {
    pub id: i64,
    pub name: String,
    pub stage: String,
}

/// A chain with its team and its segments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChainDetail {
    #[serde(flatten)]
    pub summary: ChainSummary,
    pub units: Vec<Named>,
    /// The segments in outline order (each parent before its children).
    pub segment_tree: Vec<SegmentView>,
    /// The outline that would save the segments unchanged.
    pub outline: String,
}

/// What fills the segments of some chains, read in three queries.
struct Contents {
    segments: Vec<Segment>,
    companies: Vec<SegmentCompany>,
    projects: Vec<SegmentProject>,
}

impl Contents {
    /// Projects are those the caller may read (a unit's clerk counts their unit's).
    async fn of(st: &AppState, auth: &Auth, chain_ids: &[i64]) -> AppResult<Contents> {
        let projects = auth.principal.visibility(Entity::Project, Action::Read);
        Ok(Contents {
            segments: db::segments(&st.db, chain_ids).await?,
            companies: db::segment_companies(&st.db, chain_ids).await?,
            projects: db::segment_projects(&st.db, &projects, chain_ids).await?,
        })
    }

    /// The segment views of one chain.
    fn views(&self, chain_id: i64) -> Vec<SegmentView> {
        let segs: Vec<&Segment> = self
            .segments
            .iter()
            .filter(|s| s.chain_id == chain_id)
            .collect();
        let stored: Vec<StoredSegment> = segs
            .iter()
            .map(|s| StoredSegment {
                id: s.id,
                parent_id: s.parent_id,
                name: s.name.clone(),
            })
            .collect();
        let mine = |id: i64| segs.iter().any(|s| s.id == id);
        let companies: Vec<&SegmentCompany> = self
            .companies
            .iter()
            .filter(|c| mine(c.segment_id))
            .collect();
        let projects: Vec<&SegmentProject> = self
            .projects
            .iter()
            .filter(|p| mine(p.segment_id))
            .collect();
        let cover = chain::coverage(
            &stored,
            &companies.iter().map(|c| c.link()).collect::<Vec<_>>(),
            &projects
                .iter()
                .map(|p| (p.segment_id, p.project_id))
                .collect::<Vec<_>>(),
        );
        let names: HashMap<i64, &str> = companies
            .iter()
            .map(|c| (c.company_id, c.name.as_str()))
            .collect();
        let depths = chain::depths(segs.iter().map(|s| (s.id, s.parent_id)));
        segs.iter()
            .zip(depths)
            .map(|(s, d)| {
                let own = |local: bool| {
                    companies
                        .iter()
                        .filter(|c| c.segment_id == s.id && c.is_local() == local)
                        .map(|c| Named {
                            id: c.company_id,
                            name: c.name.clone(),
                        })
                        .collect::<Vec<_>>()
                };
                let c = cover.get(&s.id).cloned().unwrap_or_default();
                let gap = Gap::of(c.local.len());
                SegmentView {
                    id: s.id,
                    parent_id: s.parent_id,
                    name: s.name.clone(),
                    depth: d,
                    local_companies: own(true),
                    targets: own(false),
                    projects: projects
                        .iter()
                        .filter(|p| p.segment_id == s.id)
                        .map(|p| SegmentProjectView {
                            id: p.project_id,
                            name: p.name.clone(),
                            stage: p.stage.clone(),
                        })
                        .collect(),
                    local_total: c.local.len(),
                    target_total: c.targets.len(),
                    project_total: c.projects.len(),
                    gap,
                    gap_targets: if gap.is_some() {
                        c.targets
                            .iter()
                            .map(|id| Named {
                                id: *id,
                                name: names.get(id).copied().unwrap_or_default().to_string(),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect()
    }

    fn summary(&self, chain: Chain) -> (ChainSummary, Vec<SegmentView>) {
        let views = self.views(chain.id);
        let ids: Vec<i64> = views.iter().map(|v| v.id).collect();
        let distinct = |local: bool| {
            let mut v: Vec<i64> = self
                .companies
                .iter()
                .filter(|c| ids.contains(&c.segment_id) && c.is_local() == local)
                .map(|c| c.company_id)
                .collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        let mut projects: Vec<i64> = self
            .projects
            .iter()
            .filter(|p| ids.contains(&p.segment_id))
            .map(|p| p.project_id)
            .collect();
        projects.sort_unstable();
        projects.dedup();
        let summary = ChainSummary {
            segments: views.len(),
            local_companies: distinct(true),
            targets: distinct(false),
            projects: projects.len(),
            missing: views.iter().filter(|v| v.gap == Some(Gap::Missing)).count(),
            weak: views.iter().filter(|v| v.gap == Some(Gap::Weak)).count(),
            chain,
        };
        (summary, views)
    }
}

pub async fn list(st: &AppState, auth: &Auth, page: Page) -> AppResult<(Vec<ChainSummary>, i64)> {
    let vis = auth.principal.visibility(Entity::Chain, Action::Read);
    let (chains, total) = db::list(&st.db, &vis, page).await?;
    let contents = Contents::of(st, auth, &chains.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
    Ok((
        chains.into_iter().map(|c| contents.summary(c).0).collect(),
        total,
    ))
}

pub async fn get(st: &AppState, auth: &Auth, id: i64) -> AppResult<Chain> {
    let c = db::get(&st.db, id).await?;
    auth.require(Entity::Chain, Action::Read, &c.place())?;
    Ok(c)
}

pub async fn detail(st: &AppState, auth: &Auth, id: i64) -> AppResult<ChainDetail> {
    let chain = get(st, auth, id).await?;
    let contents = Contents::of(st, auth, &[id]).await?;
    let outline = db::outline_of(&contents.segments);
    let (summary, segment_tree) = contents.summary(chain);
    Ok(ChainDetail {
        summary,
        units: db::units(&st.db, id)
            .await?
            .into_iter()
            .map(|(id, name)| Named { id, name })
            .collect(),
        segment_tree,
        outline,
    })
}

/// Checks what a chain names and where it sits: its region and place.
async fn checked(st: &AppState, auth: &Auth, input: &ChainInput) -> AppResult<(ChainFields, i64)> {
    // Only those who may keep chains get their outline read at all.
    if !auth.principal.can_somewhere(Entity::Chain, Action::Write) {
        return Err(AppError::Forbidden);
    }
    let fields = input.validate()?;
    let lead =
        crate::service::org::chosen_unit(st, auth, fields.lead_unit_id, "lead_unit_id").await?;
    let (region_id, county) = zhaoyin_db::companies::library_of_unit(&st.db, lead.id).await?;
    let place = Place {
        region_path: county.clone(),
        unit_id: None,
    };
    if !auth.can(Entity::Chain, Action::Write, &place) {
        return Err(AppError::Forbidden);
    }
    let mut e = Invalid::default();
    for id in &fields.unit_ids {
        if let Err(AppError::Invalid(i)) = named_unit(st, *id, &county, "unit_ids").await {
            e.0.extend(i.0);
        }
    }
    if let Some(id) = fields.leader_id
        && let Err(AppError::Invalid(i)) = named_person(st, id, &county, "leader_id").await
    {
        e.0.extend(i.0);
    }
    e.into_result()?;
    Ok((fields, region_id))
}

pub async fn create(st: &AppState, ctx: &Ctx, input: &ChainInput) -> AppResult<Chain> {
    let (fields, region_id) = checked(st, ctx.auth()?, input).await?;
    Ok(db::create(&st.db, &ctx.actor(), region_id, &fields).await?)
}

/// An edit of a chain, made from `version`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ChainUpdate {
    #[serde(flatten)]
    pub chain: ChainInput,
    /// The version the edit was made from (required).
    pub version: Option<i64>,
}

pub async fn update(st: &AppState, ctx: &Ctx, id: i64, input: &ChainUpdate) -> AppResult<Chain> {
    let auth = ctx.auth()?;
    let current = get(st, auth, id).await?;
    auth.require(Entity::Chain, Action::Write, &current.place())?;
    let (fields, region_id) = checked(st, auth, &input.chain).await?;
    if region_id != current.region_id {
        return Err(AppError::invalid("lead_unit_id", "err.chain_other_county"));
    }
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "err.required"))?;
    Ok(db::update(&st.db, &ctx.actor(), id, version, &fields).await?)
}

/// The input that would save a chain unchanged.
pub async fn input_of(st: &AppState, c: &Chain) -> AppResult<ChainInput> {
    let segments = db::segments(&st.db, &[c.id]).await?;
    Ok(ChainInput {
        name: c.name.clone(),
        lead_unit_id: Some(c.lead_unit_id),
        leader_id: c.leader_id,
        unit_ids: db::units(&st.db, c.id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect(),
        outline: db::outline_of(&segments),
        notes: c.notes.clone().unwrap_or_default(),
    })
}

/// Refuses segments that are not of a chain of `county` (a company's library, a project's
/// county), or named twice.
pub async fn check_segments(
    st: &AppState,
    county: &str,
    ids: &[i64],
    field: &str,
) -> AppResult<Vec<i64>> {
    let mut out = ids.to_vec();
    out.sort_unstable();
    out.dedup();
    if out.len() > 20 {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new(field, "err.too_many").with("max", 20),
        )));
    }
    for id in &out {
        match db::segment_county(&st.db, *id).await {
            Ok(path) if path == county => {}
            Ok(_) | Err(zhaoyin_db::Error::NotFound) => {
                return Err(AppError::invalid(field, "err.choice"));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

/// A segment as a form offers it.
#[derive(Debug, Clone)]
pub struct SegmentOption {
    pub id: i64,
    pub chain: String,
    /// Indented by depth.
    pub label: String,
}

/// The segments of the chains of `county`, for a form's picker.
pub async fn options(st: &AppState, county: &str) -> AppResult<Vec<SegmentOption>> {
    let rows = db::choices(&st.db, county).await?;
    let depths = chain::depths(rows.iter().map(|s| (s.id, s.parent_id)));
    Ok(rows
        .into_iter()
        .zip(depths)
        .map(|(s, d)| SegmentOption {
            id: s.id,
            chain: s.chain_name,
            label: format!("{}{}", "\u{3000}".repeat(d), s.name),
        })
        .collect())
}
