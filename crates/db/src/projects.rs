//! Investment projects: lists and kanban counts filtered by what the caller may see, audited
//! writes with optimistic versions, stage moves with their timeline, the leader's one major
//! project (M17) and the same investment signed twice (flagged, and left out of totals).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::ops::RangeInclusive;
use zhaoyin_core::authz::Visibility;
use zhaoyin_core::org::Place;
use zhaoyin_core::paging::Page;
use zhaoyin_core::project::{self, ProjectFields, Signing, Stage, StageFacts};

use crate::audit::{self, Actor, Change};
use crate::org::{check_updated, push_region_visibility};
use crate::{COUNT_BOUND, Db, Result, Sql, Tx, escape_like, now};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ProjectRow {
    pub id: i64,
    pub region_id: i64,
    #[serde(skip)]
    pub region_path: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    pub investor_id: Option<i64>,
    pub investor_name: Option<String>,
    pub industry_section: Option<String>,
    pub industry_division: Option<String>,
    pub key_industry: Option<String>,
    pub location_unit_id: Option<i64>,
    pub location_name: Option<String>,
    pub first_unit_id: Option<i64>,
    pub first_unit_name: Option<String>,
    pub introducer: Option<String>,
    pub introducer_civil_servant: bool,
    pub owner_leader_id: Option<i64>,
    pub owner_leader_name: Option<String>,
    pub owner_override: Option<String>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub team: Option<String>,
    /// 万元.
    pub total_investment: i64,
    /// 万元.
    pub outside_investment: i64,
    /// 万元.
    pub first_phase_investment: Option<i64>,
    /// Hundredths of a 亩.
    pub land_mu_x100: Option<i64>,
    /// 万元.
    pub contract_amount: Option<i64>,
    pub project_credit_code: Option<String>,
    pub national_code: Option<String>,
    /// The industry-chain segment the project fills.
    pub segment_id: Option<i64>,
    /// "chain · segment", and the chain's id.
    pub segment_name: Option<String>,
    pub chain_id: Option<i64>,
    /// lead, negotiating, signed, registered, started, producing, at_capacity, paused or
    /// terminated.
    pub stage: String,
    #[schema(value_type = String, format = Date)]
    pub stage_on: NaiveDate,
    pub paused_from: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub signed_on: Option<NaiveDate>,
    pub is_major: bool,
    /// The earlier project this one signs again; it is left out of every total.
    pub duplicate_of: Option<i64>,
    /// Set on a project a county on its own deployment sent (its code and the project's key
    /// there): kept by the county, refreshed by its packages, not edited here.
    pub origin: Option<String>,
    /// When the county's packages stopped holding this project: it is kept (the city's own
    /// records may name it) but counts in no total, like a repeated signing.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProjectRow {
    pub fn place(&self) -> Place {
        Place {
            region_path: self.region_path.clone(),
            unit_id: Some(self.unit_id),
        }
    }

    pub fn stage(&self) -> Stage {
        Stage::parse(&self.stage).unwrap_or(Stage::Lead)
    }

    /// What a stage move is checked against, before the move's own values.
    pub fn facts(&self) -> StageFacts {
        StageFacts {
            stage: Some(self.stage()),
            stage_on: Some(self.stage_on),
            paused_from: self.paused_from.as_deref().and_then(Stage::parse),
            investor: self.investor_id.is_some(),
            contract_amount: self.contract_amount,
            total_investment: self.total_investment,
            project_credit_code: self.project_credit_code.is_some(),
            location: self.location_unit_id.is_some(),
        }
    }
}

const SELECT: &str = "SELECT p.id, p.region_id, r.path AS region_path, p.unit_id, \
     u.name AS unit_name, p.name, p.investor_id, c.name AS investor_name, p.industry_section, \
     p.industry_division, p.key_industry, p.location_unit_id, lu.name AS location_name, \
     p.first_unit_id, fu.name AS first_unit_name, p.introducer, p.introducer_civil_servant, \
     p.owner_leader_id, ol.name AS owner_leader_name, p.owner_override, p.agent_id, \
     ag.name AS agent_name, p.team, p.total_investment, p.outside_investment, \
     p.first_phase_investment, p.land_mu_x100, p.contract_amount, p.project_credit_code, \
     p.national_code, p.segment_id, \
     CASE WHEN sg.id IS NULL THEN NULL ELSE ch.name || ' · ' || sg.name END AS segment_name, \
     sg.chain_id, p.stage, p.stage_on, p.paused_from, p.signed_on, p.is_major, \
     p.duplicate_of, p.origin, p.withdrawn_at, p.version, p.created_at, p.updated_at";
/// What names a project's region, units, investor, leaders and segment, joined to `p`.
macro_rules! names {
    () => {
        " JOIN regions r ON r.id = p.region_id \
         JOIN units u ON u.id = p.unit_id LEFT JOIN companies c ON c.id = p.investor_id \
         LEFT JOIN units lu ON lu.id = p.location_unit_id \
         LEFT JOIN units fu ON fu.id = p.first_unit_id \
         LEFT JOIN people ol ON ol.id = p.owner_leader_id \
         LEFT JOIN people ag ON ag.id = p.agent_id \
         LEFT JOIN chain_segments sg ON sg.id = p.segment_id \
         LEFT JOIN chains ch ON ch.id = sg.chain_id"
    };
}
const FROM: &str = concat!(" FROM projects p", names!(), " WHERE 1 = 1");
/// The same rows without the joins that only name things (for counts and sums).
const FROM_BARE: &str = " FROM projects p JOIN regions r ON r.id = p.region_id WHERE 1 = 1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProjectSort {
    /// Last changed first.
    #[default]
    Recent,
    /// Largest total investment first.
    Investment,
    Name,
    /// Furthest along first.
    Stage,
}

impl ProjectSort {
    pub const ALL: &[(ProjectSort, &'static str)] = &[
        (ProjectSort::Recent, "recent"),
        (ProjectSort::Investment, "investment"),
        (ProjectSort::Name, "name"),
        (ProjectSort::Stage, "stage"),
    ];
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, id)| *id == s).map(|(v, _)| *v)
    }
    fn order(self) -> &'static str {
        match self {
            ProjectSort::Recent => "p.updated_at DESC, p.id DESC",
            ProjectSort::Investment => "p.total_investment DESC, p.id DESC",
            ProjectSort::Name => "p.name, p.id",
            ProjectSort::Stage => {
                "CASE p.stage WHEN 'at_capacity' THEN 0 WHEN 'producing' THEN 1 \
                 WHEN 'started' THEN 2 WHEN 'registered' THEN 3 WHEN 'signed' THEN 4 \
                 WHEN 'negotiating' THEN 5 WHEN 'lead' THEN 6 WHEN 'paused' THEN 7 ELSE 8 END, \
                 p.stage_on DESC, p.id DESC"
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// Name, investor or their pinyin (full or initials).
    pub q: Option<String>,
    pub stage: Option<Stage>,
    /// Only projects still pursued (every stage but terminated).
    pub live: bool,
    /// Projects of this region or one beneath it.
    pub region_id: Option<i64>,
    pub major: Option<bool>,
    /// Projects this unit is responsible for (its own or among the other units).
    pub unit_id: Option<i64>,
    pub key_industry: Option<String>,
    pub investor_id: Option<i64>,
    pub owner_leader_id: Option<i64>,
    /// Projects this person owns (包挂领导) or serves (帮办代办专员).
    pub person_id: Option<i64>,
    /// Projects owned or served by a person of this unit.
    pub people_unit_id: Option<i64>,
    /// Projects filling this segment or one beneath it.
    pub segment_id: Option<i64>,
    /// Only projects counted in totals (see [`COUNTED`]).
    pub distinct: bool,
    /// Projects that first entered this stage on a day in `[from, until)`.
    pub entered: Option<(Stage, NaiveDate, NaiveDate)>,
    /// As of a past day: the projects that existed at its end, each as it stood then; with
    /// `entered`, only the stage entries recorded by then.
    pub as_of: Option<crate::tasks::AsOf>,
    /// Projects credited to this unit: their first introducing unit, or when none is named the
    /// responsible unit (the unit the monthly statistics count a signing or landing for).
    pub credit_unit_id: Option<i64>,
    pub sort: ProjectSort,
}

/// The conditions that `e` is project `p`'s first entry into `stage` and falls in
/// `[from, until)` (as of a past day: the first of those recorded by then, by each entry's
/// `first_until`, migration 0033). Each entry is found by the project's index, so a county's
/// figures read its own projects' entries, not every entry of the stage.
fn push_first_entry(
    w: &mut Sql,
    stage: Stage,
    from: NaiveDate,
    until: NaiveDate,
    as_of: Option<crate::tasks::AsOf>,
) {
    w.push("e.project_id = p.id AND e.stage = ")
        .push_bind(stage.id())
        .push(" AND e.on_date >= ")
        .push_bind(from)
        .push(" AND e.on_date < ")
        .push_bind(until);
    match as_of {
        None => w.push(" AND e.first_until IS NULL"),
        Some(a) => w
            .push(" AND e.at < ")
            .push_bind(a.end)
            .push(" AND (e.first_until IS NULL OR e.first_until >= ")
            .push_bind(a.end)
            .push(")"),
    };
}

/// Sets, for each stage entry of the projects `ids`, when an earlier entry of its project and
/// stage was recorded (`first_until`, migration 0033), after a write to their stages (or a bulk
/// load). One sorted pass over their entries: a lookup of the earlier ones beside each entry
/// took PostgreSQL 1 s for the generator's first county and more for each next one, growing
/// with the table it had no statistics of yet.
pub async fn span_stages(tx: &mut Tx, ids: RangeInclusive<i64>) -> Result<()> {
    tx.execute(
        Sql::new(
            "UPDATE project_stages SET first_until = e.first_until FROM (SELECT id, \
             MIN(at) OVER (PARTITION BY project_id, stage ORDER BY on_date, id \
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS first_until \
             FROM project_stages WHERE project_id BETWEEN $1 AND $2) e \
             WHERE e.id = project_stages.id",
        )
        .bind(*ids.start())
        .bind(*ids.end()),
    )
    .await?;
    Ok(())
}

/// Suspends the tallies of projects per region and stage (migration 0034) until [`retally`]:
/// a bulk load (over one transaction or several, once this one commits) writes its projects and
/// their versions, then rebuilds the tallies once.
pub async fn suspend_tallies(tx: &mut Tx) -> Result<()> {
    tx.execute(Sql::new("INSERT INTO tallies_suspended (since) VALUES ($1)").bind(now()))
        .await?;
    Ok(())
}

/// Rebuilds the tallies of projects per region and stage from the projects and their versions
/// (after a bulk load, or after times were moved), and lifts [`suspend_tallies`].
pub async fn retally(tx: &mut Tx) -> Result<()> {
    tx.execute(Sql::new("DELETE FROM tallies_suspended"))
        .await?;
    tx.execute(Sql::new("DELETE FROM project_stage_tallies"))
        .await?;
    tx.execute(Sql::new(
        "INSERT INTO project_stage_tallies \
         (region_id, stage, since, projects, total_investment, outside_investment) \
         SELECT region_id, stage, since, SUM(SUM(projects)) OVER w, \
         SUM(SUM(total_investment)) OVER w, SUM(SUM(outside_investment)) OVER w \
         FROM project_stage_moves GROUP BY region_id, stage, since \
         WINDOW w AS (PARTITION BY region_id, stage ORDER BY since)",
    ))
    .await?;
    Ok(())
}

/// The unit a project is credited to (see [`ProjectFilter::credit_unit_id`]).
pub(crate) const CREDIT_UNIT: &str = "COALESCE(p.first_unit_id, p.unit_id)";

fn push_filter(w: &mut Sql, f: &ProjectFilter) {
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push(" AND p.search LIKE ")
            .push_bind(format!("%{}%", escape_like(&q.to_lowercase())))
            .push(" ESCAPE '\\'");
    }
    if let Some(s) = f.stage {
        w.push(" AND p.stage = ").push_bind(s.id());
    }
    if f.live {
        w.push(" AND p.stage <> ").push_bind(Stage::Terminated.id());
    }
    crate::org::push_within(w, "p.region_id", f.region_id);
    if let Some(m) = f.major {
        w.push(" AND p.is_major = ").push_bind(m);
    }
    if let Some(u) = f.unit_id {
        w.push(" AND (p.unit_id = ")
            .push_bind(u)
            .push(" OR p.id IN (SELECT pu.project_id FROM project_units pu ");
        match f.as_of {
            None => {
                w.push("WHERE pu.unit_id = ").push_bind(u);
            }
            // The units a project shared then: its current ones if its current row was written
            // before the end, else those of its version current then (migration 0022).
            Some(a) => {
                w.push("JOIN projects cp ON cp.id = pu.project_id WHERE pu.unit_id = ")
                    .push_bind(u)
                    .push(" AND cp.updated_at < ")
                    .push_bind(a.end)
                    .push(
                        " UNION ALL SELECT vu.project_id FROM project_unit_versions vu \
                         WHERE vu.unit_id = ",
                    )
                    .push_bind(u)
                    .push(" AND vu.updated_at < ")
                    .push_bind(a.end)
                    .push(" AND vu.valid_to >= ")
                    .push_bind(a.end);
            }
        }
        w.push("))");
    }
    if let Some(k) = &f.key_industry {
        w.push(" AND p.key_industry = ").push_bind(k);
    }
    if let Some(i) = f.investor_id {
        w.push(" AND p.investor_id = ").push_bind(i);
    }
    if let Some(l) = f.owner_leader_id {
        w.push(" AND p.owner_leader_id = ").push_bind(l);
    }
    if let Some(x) = f.person_id {
        w.push(" AND (p.owner_leader_id = ")
            .push_bind(x)
            .push(" OR p.agent_id = ")
            .push_bind(x)
            .push(")");
    }
    if let Some(u) = f.people_unit_id {
        let of_unit = "(SELECT pe.id FROM people pe WHERE pe.unit_id = ";
        w.push(" AND (p.owner_leader_id IN ")
            .push(of_unit)
            .push_bind(u)
            .push(") OR p.agent_id IN ")
            .push(of_unit)
            .push_bind(u)
            .push("))");
    }
    if let Some(s) = f.segment_id {
        w.push(" AND p.segment_id");
        crate::chains::push_subtree(w, s);
    }
    if f.distinct {
        w.push(" AND ").push(COUNTED);
    }
    if let Some((stage, from, until)) = f.entered {
        w.push(" AND EXISTS (SELECT 1 FROM project_stages e WHERE ");
        push_first_entry(w, stage, from, until, f.as_of);
        w.push(")");
    }
    if let Some(u) = f.credit_unit_id {
        w.push(" AND ").push(CREDIT_UNIT).push(" = ").push_bind(u);
    }
}

/// `from` (which joins `projects p` and its region `r`) narrowed to the projects `vis` admits
/// and `f` asks for.
pub(crate) fn visible(vis: &Visibility, from: &str, f: &ProjectFilter) -> Sql {
    visible_from(
        vis,
        crate::history::from(from, &[&VERSIONED], f.as_of.map(|a| a.end)),
        f,
    )
}

/// Projects and their earlier versions.
pub const VERSIONED: crate::history::Versioned = crate::history::Versioned {
    table: "projects",
    versions: "project_versions",
    columns: "id, region_id, unit_id, name, search, investor_id, industry_section, \
         industry_division, key_industry, location_unit_id, first_unit_id, introducer, \
         introducer_civil_servant, owner_leader_id, owner_override, agent_id, team, \
         total_investment, outside_investment, first_phase_investment, land_mu_x100, \
         contract_amount, project_credit_code, national_code, stage, stage_on, paused_from, \
         signed_on, is_major, duplicate_of, version, created_at, updated_at, segment_id, \
         land_on, origin, withdrawn_at",
    links: &[],
};

/// The condition on `projects p` of every total: neither a repeated signing nor withdrawn by
/// the county that sent it.
pub const COUNTED: &str = "p.duplicate_of IS NULL AND p.withdrawn_at IS NULL";

/// `w` (which joins `projects p` and its region `r`) narrowed to the projects `vis` admits and
/// `f` asks for.
pub(crate) fn visible_from(vis: &Visibility, mut w: Sql, f: &ProjectFilter) -> Sql {
    push_region_visibility(&mut w, vis, "p.region_id", Some("p.unit_id"));
    push_filter(&mut w, f);
    w
}

/// A page of the projects `vis` admits, with a count bounded at [`COUNT_BOUND`].
pub async fn list(
    db: &Db,
    vis: &Visibility,
    f: &ProjectFilter,
    page: Page,
) -> Result<(Vec<ProjectRow>, i64)> {
    let (count, rows) = list_queries(vis, f, page);
    let (total,): (i64,) = db.one(count).await?;
    Ok((db.all(rows).await?, total))
}

/// The two statements behind a list page: its bounded count and its rows (exposed for the
/// benchmark's ceiling). The page's projects are found first, on the projects and their regions
/// alone, and only those are joined to what names them: PostgreSQL otherwise joined every
/// candidate before testing its region (a county's page in a province's 300,000 projects
/// joined 8,243 to keep 50: docs/PERFORMANCE.md).
pub fn list_queries(vis: &Visibility, f: &ProjectFilter, page: Page) -> (Sql, Sql) {
    let bare = visible(vis, FROM_BARE, f);
    let mut rows = bare
        .page("SELECT p.*", f.sort.order(), page)
        .prefixed(&format!("{SELECT} FROM ("));
    rows.push(concat!(") p", names!(), " ORDER BY "))
        .push(f.sort.order());
    (bare.bounded_count(COUNT_BOUND), rows)
}

/// Every project of a filter, unpaged (for the export).
pub async fn all(db: &Db, vis: &Visibility, f: &ProjectFilter) -> Result<Vec<ProjectRow>> {
    let mut q = visible(vis, FROM, f).prefixed(SELECT);
    q.push(" ORDER BY ").push(f.sort.order());
    db.all(q).await
}

/// The leaders owning projects `vis` admits: (person id, name), by name.
pub async fn owners(db: &Db, vis: &Visibility) -> Result<Vec<(i64, String)>> {
    let mut q = visible(
        vis,
        " FROM projects p JOIN regions r ON r.id = p.region_id \
         JOIN people ol ON ol.id = p.owner_leader_id WHERE 1 = 1",
        &ProjectFilter::default(),
    )
    .prefixed("SELECT DISTINCT ol.id, ol.name");
    q.push(" ORDER BY ol.name, ol.id");
    db.all(q).await
}

/// Projects per stage with their investment, repeated signings left out.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StageCount {
    pub stage: String,
    pub projects: i64,
    /// 万元.
    pub total_investment: i64,
    /// 万元.
    pub outside_investment: i64,
}

pub async fn stage_counts(db: &Db, vis: &Visibility, f: &ProjectFilter) -> Result<Vec<StageCount>> {
    let f = ProjectFilter {
        stage: None,
        distinct: true,
        ..f.clone()
    };
    let mut q = visible(vis, FROM_BARE, &f).prefixed(
        "SELECT p.stage, COUNT(*) AS projects, \
         CAST(COALESCE(SUM(p.total_investment), 0) AS BIGINT) AS total_investment, \
         CAST(COALESCE(SUM(p.outside_investment), 0) AS BIGINT) AS outside_investment",
    );
    q.push(" GROUP BY p.stage");
    db.all(q).await
}

/// Per credited unit (see [`ProjectFilter::credit_unit_id`]), how many projects of `f` there
/// are: each figure is the count of the list filtered by that unit.
pub async fn counts_by_credit_unit(
    db: &Db,
    vis: &Visibility,
    f: &ProjectFilter,
) -> Result<Vec<(i64, i64)>> {
    let f = ProjectFilter {
        credit_unit_id: None,
        ..f.clone()
    };
    let mut q = visible(vis, FROM_BARE, &f)
        .prefixed(&format!("SELECT {CREDIT_UNIT} AS unit_id, COUNT(*) AS n"));
    q.push(" GROUP BY ").push(CREDIT_UNIT);
    db.all(q).await
}

/// Projects per region and stage with their investment, repeated signings left out: the
/// dashboard's funnel, summed per region by the caller (a city's counties side by side).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegionStage {
    pub region_id: i64,
    pub stage: String,
    pub projects: i64,
    pub total_investment: i64,
    pub outside_investment: i64,
}

pub async fn stages_by_region(
    db: &Db,
    vis: &Visibility,
    f: &ProjectFilter,
) -> Result<Vec<RegionStage>> {
    let f = ProjectFilter {
        stage: None,
        distinct: true,
        ..f.clone()
    };
    match tallied(vis, &f) {
        Some(end) => stages_tallied(db, vis, f.region_id, end).await,
        None => stages_counted(db, vis, &f).await,
    }
}

/// Where [`stages_by_region`] reads the tallies (migration 0034): `f` asks for the counted
/// projects of a region, by readers of whole regions, now (`None` inside) or as of an instant on
/// the hour (the end of a day in any time zone a whole number of hours from UTC).
fn tallied(vis: &Visibility, f: &ProjectFilter) -> Option<Option<DateTime<Utc>>> {
    let ProjectFilter {
        q,
        stage,
        live,
        region_id: _,
        major,
        unit_id,
        key_industry,
        investor_id,
        owner_leader_id,
        person_id,
        people_unit_id,
        segment_id,
        distinct,
        entered,
        as_of,
        credit_unit_id,
        sort: _,
    } = f;
    let only_region = q.as_deref().is_none_or(|q| q.trim().is_empty())
        && stage.is_none()
        && !live
        && major.is_none()
        && unit_id.is_none()
        && key_industry.is_none()
        && investor_id.is_none()
        && owner_leader_id.is_none()
        && person_id.is_none()
        && people_unit_id.is_none()
        && segment_id.is_none()
        && *distinct
        && entered.is_none()
        && credit_unit_id.is_none();
    if !only_region || !vis.units.is_empty() {
        return None;
    }
    tallied_at(*as_of)
}

/// Whether `f` asks only for a region's counted projects (its time aside), of a reader of whole
/// regions: what the tallies count.
pub(crate) fn only_region(vis: &Visibility, f: &ProjectFilter) -> bool {
    tallied(
        vis,
        &ProjectFilter {
            as_of: None,
            ..f.clone()
        },
    )
    .is_some()
}

/// Where the tallies of 0034 answer for a time: now, or an instant on the hour.
fn tallied_at(as_of: Option<crate::tasks::AsOf>) -> Option<Option<DateTime<Utc>>> {
    match as_of {
        None => Some(None),
        Some(a)
            if a.end.timestamp().rem_euclid(3600) == 0 && a.end.timestamp_subsec_nanos() == 0 =>
        {
            Some(Some(a.end))
        }
        Some(_) => None,
    }
}

/// [`stages_by_region`] from the tallies: per region `vis` reads (within `region_id`) and stage,
/// its last row before `end` (or its last).
pub(crate) async fn stages_tallied(
    db: &Db,
    vis: &Visibility,
    region_id: Option<i64>,
    end: Option<DateTime<Utc>>,
) -> Result<Vec<RegionStage>> {
    let stages: Vec<String> = Stage::ALL
        .iter()
        .map(|s| format!("SELECT '{}' AS stage", s.id()))
        .collect();
    let mut q = Sql::new(
        "SELECT t.region_id AS region_id, t.stage AS stage, t.projects AS projects, \
         t.total_investment AS total_investment, t.outside_investment AS outside_investment \
         FROM (SELECT r.id AS region_id, s.stage AS stage, (SELECT MAX(l.since) \
         FROM project_stage_tallies l WHERE l.region_id = r.id AND l.stage = s.stage",
    );
    if let Some(end) = end {
        q.push(" AND l.since < ").push_bind(end);
    }
    q.push(") AS since FROM regions r CROSS JOIN (")
        .push(&stages.join(" UNION ALL "))
        .push(") s WHERE 1 = 1");
    push_region_visibility(&mut q, vis, "r.id", None);
    crate::org::push_within(&mut q, "r.id", region_id);
    q.push(
        ") x JOIN project_stage_tallies t ON t.region_id = x.region_id AND t.stage = x.stage \
         AND t.since = x.since WHERE t.projects > 0",
    );
    db.all(q).await
}

/// [`stages_by_region`] counted from the projects (and as of a past day their versions).
pub(crate) async fn stages_counted(
    db: &Db,
    vis: &Visibility,
    f: &ProjectFilter,
) -> Result<Vec<RegionStage>> {
    let arms = crate::history::arms(
        "SELECT p.region_id AS region_id, p.stage AS stage, COUNT(*) AS projects, \
         SUM(p.total_investment) AS total_investment, \
         SUM(p.outside_investment) AS outside_investment",
        FROM_BARE,
        &[&VERSIONED],
        f.as_of.map(|a| a.end),
        |w| {
            let mut w = visible_from(vis, w, f);
            w.push(" GROUP BY p.region_id, p.stage");
            w
        },
    );
    let q = crate::history::summed(
        &arms,
        "region_id, stage",
        &["projects", "total_investment", "outside_investment"],
    );
    db.all(q).await
}

/// Per region and month (YYYY-MM), how many projects of `f` first entered `stage` on a day in
/// `[from, until)`, repeated signings left out: each figure is the count of the list filtered by
/// `entered` with that month.
pub async fn entered_by_region(
    db: &Db,
    vis: &Visibility,
    f: &ProjectFilter,
    stage: Stage,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<(i64, String, i64)>> {
    if let Some(a) = f.as_of
        && ENTRY_STAGES.contains(&stage)
        && only_region(vis, f)
        && let Some(rows) = entries_tallied(db, vis, f.region_id, stage, from, until, a).await?
    {
        return Ok(rows);
    }
    entries_counted(db, vis, f, stage, from, until).await
}

/// [`entered_by_region`] counted from the entries and their projects (as of a past day, their
/// versions).
pub async fn entries_counted(
    db: &Db,
    vis: &Visibility,
    f: &ProjectFilter,
    stage: Stage,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<(i64, String, i64)>> {
    let month = "SUBSTR(CAST(e.on_date AS TEXT), 1, 7)";
    // SQLite reads a CROSS JOIN's left side first. A county's few hundred projects come first,
    // then each one's entries through its own index (a county's quarter: 2 ms, where starting
    // from the period's entries in the province takes 100 ms); wider, the period's entries come
    // first (a province's month: 40 ms, against 260 ms through every project). PostgreSQL plans
    // a CROSS JOIN as any join, from its estimates: wider, the region asked for is tested by
    // its path on the joined region, which it estimates from its statistics, rather than as
    // "among the regions beneath it", which it guesses at 7 of 1,366 regions and so reads every
    // project first (a province's month: 450 ms, against 100 ms from the entries).
    let reach = crate::org::reach(db, vis, f.region_id).await?;
    let tables = if reach.narrow {
        " FROM projects p JOIN regions r ON r.id = p.region_id CROSS JOIN project_stages e"
    } else {
        " FROM project_stages e CROSS JOIN projects p JOIN regions r ON r.id = p.region_id"
    };
    let f = ProjectFilter {
        distinct: true,
        entered: None,
        region_id: reach.region_id(f.region_id),
        ..f.clone()
    };
    let arms = crate::history::arms(
        &format!("SELECT p.region_id AS region_id, {month} AS month, COUNT(*) AS n"),
        tables,
        &[&VERSIONED],
        f.as_of.map(|a| a.end),
        |mut w| {
            w.push(" WHERE ");
            push_first_entry(&mut w, stage, from, until, f.as_of);
            let mut w = visible_from(vis, w, &f);
            reach.push_path(&mut w);
            w.push(" GROUP BY p.region_id, ").push(month);
            w
        },
    );
    db.all(reach.planned(crate::history::summed(&arms, "region_id, month", &["n"])))
        .await
}

/// The stages whose first entries are tallied by month and day (migration 0038).
const ENTRY_STAGES: [Stage; 2] = [Stage::Signed, Stage::Started];

/// [`entered_by_region`] as of `a` from the tallies: per region and month of `from..until`
/// (whole months), the last row on or before the day. None when they do not count that day, or
/// the period is not whole months.
pub async fn entries_tallied(
    db: &Db,
    vis: &Visibility,
    region_id: Option<i64>,
    stage: Stage,
    from: NaiveDate,
    until: NaiveDate,
    a: crate::tasks::AsOf,
) -> Result<Option<Vec<(i64, String, i64)>>> {
    let Some(months) = crate::tallies::months(from, until) else {
        return Ok(None);
    };
    let mut q = Sql::new(
        "SELECT region_id, month, projects FROM (SELECT r.id AS region_id, mo.month AS month, \
         (SELECT m.projects FROM project_entry_tallies m WHERE m.region_id = r.id \
         AND m.stage = $1 AND m.month = mo.month AND m.day <= $2 ORDER BY m.day DESC LIMIT 1) \
         AS projects FROM ",
    )
    .bind(stage.id())
    .bind(a.day);
    crate::tallies::push_region_months(&mut q, "project_entry_tallies", &months, vis, region_id);
    q.push(") x WHERE projects > 0");
    crate::tallies::push_counted(&mut q, &ENTRY_TALLY, a, "'', 0");
    crate::tallies::read(db, q, |r: &(i64, String, i64)| r.0).await
}

/// Projects per region, stage and month of their first entry into it, by day (migration 0038).
/// Counted from day $2 on (which starts at $1): each key's last row before it plus the changes
/// since. Each project and stage with a change from then on (its row or a version of it begins
/// or ends, an entry is recorded) is looked at on the day before ($3) and on each day it changed,
/// as a list counts it then (the project as it stood at the day's end, counted or not; the first
/// entry recorded by then), and moves from the region and month it was counted in to the ones it
/// is.
pub(crate) const ENTRY_TALLY: crate::tallies::Tally = crate::tallies::Tally {
    name: "project_entries",
    table: "project_entry_tallies",
    instants: &[
        "SELECT MIN(updated_at), MAX(updated_at) FROM projects",
        "SELECT MIN(updated_at), MAX(valid_to) FROM project_versions",
        "SELECT MIN(at), MAX(at) FROM project_stages WHERE stage IN ('signed', 'started')",
    ],
    days: &[],
    recount: "WITH stages AS (SELECT 'signed' AS stage UNION ALL SELECT 'started'), \
     changed AS (\
     SELECT p.id AS project_id, s.stage, (SELECT d.day FROM tally_days d \
     WHERE d.end_at > p.updated_at ORDER BY d.end_at LIMIT 1) AS day \
     FROM projects p CROSS JOIN stages s WHERE p.updated_at >= $1 \
     UNION SELECT v.id, s.stage, (SELECT d.day FROM tally_days d \
     WHERE d.end_at > v.updated_at ORDER BY d.end_at LIMIT 1) \
     FROM project_versions v CROSS JOIN stages s WHERE v.valid_to >= $1 AND v.updated_at >= $1 \
     UNION SELECT v.id, s.stage, (SELECT d.day FROM tally_days d \
     WHERE d.end_at > v.valid_to ORDER BY d.end_at LIMIT 1) \
     FROM project_versions v CROSS JOIN stages s WHERE v.valid_to >= $1 \
     UNION SELECT e.project_id, e.stage, (SELECT d.day FROM tally_days d \
     WHERE d.end_at > e.at ORDER BY d.end_at LIMIT 1) \
     FROM project_stages e WHERE e.stage IN ('signed', 'started') AND e.at >= $1), \
     points AS (SELECT c.project_id, c.stage, c.day FROM changed c \
     WHERE EXISTS (SELECT 1 FROM project_stages e WHERE e.project_id = c.project_id \
     AND e.stage = c.stage) \
     UNION SELECT c.project_id, c.stage, $3 FROM changed c \
     WHERE EXISTS (SELECT 1 FROM project_stages e WHERE e.project_id = c.project_id \
     AND e.stage = c.stage)), \
     states AS (SELECT c.project_id, c.stage, c.day, COALESCE(\
     (SELECT CASE WHEN x.duplicate_of IS NULL AND x.withdrawn_at IS NULL THEN x.region_id ELSE 0 END \
     FROM projects x WHERE x.id = c.project_id AND x.updated_at < d.end_at), \
     (SELECT CASE WHEN v.duplicate_of IS NULL AND v.withdrawn_at IS NULL THEN v.region_id ELSE 0 END \
     FROM project_versions v WHERE v.id = c.project_id AND v.updated_at < d.end_at \
     AND v.valid_to >= d.end_at LIMIT 1), 0) AS region_id, \
     COALESCE((SELECT SUBSTR(CAST(e.on_date AS TEXT), 1, 7) FROM project_stages e \
     WHERE e.project_id = c.project_id AND e.stage = c.stage AND e.at < d.end_at \
     AND (e.first_until IS NULL OR e.first_until >= d.end_at) LIMIT 1), '') AS month \
     FROM points c JOIN tally_days d ON d.day = c.day), \
     moves AS (SELECT stage, day, region_id, month, \
     LAG(region_id, 1, 0) OVER (PARTITION BY project_id, stage ORDER BY day) AS was_region, \
     LAG(month, 1, '') OVER (PARTITION BY project_id, stage ORDER BY day) AS was_month \
     FROM states), \
     deltas AS (SELECT region_id, stage, month, day, SUM(n) AS n FROM (\
     SELECT region_id, stage, month, day, 1 AS n FROM moves \
     WHERE day >= $2 AND region_id > 0 AND month <> '' \
     AND (region_id <> was_region OR month <> was_month) \
     UNION ALL SELECT was_region, stage, was_month, day, -1 FROM moves \
     WHERE day >= $2 AND was_region > 0 AND was_month <> '' \
     AND (region_id <> was_region OR month <> was_month)) m \
     GROUP BY region_id, stage, month, day) \
     INSERT INTO project_entry_tallies (region_id, stage, month, day, projects) \
     SELECT x.region_id, x.stage, x.month, x.day, COALESCE(b.projects, 0) + SUM(x.n) OVER w \
     FROM deltas x LEFT JOIN project_entry_tallies b ON b.region_id = x.region_id \
     AND b.stage = x.stage AND b.month = x.month AND b.day = (SELECT MAX(m.day) \
     FROM project_entry_tallies m WHERE m.region_id = x.region_id AND m.stage = x.stage \
     AND m.month = x.month) \
     WINDOW w AS (PARTITION BY x.region_id, x.stage, x.month ORDER BY x.day)",
};

pub async fn get(db: &Db, id: i64) -> Result<ProjectRow> {
    db.one(Sql::new(format!("{SELECT}{FROM} AND p.id = $1")).bind(id))
        .await
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<ProjectRow> {
    tx.one(Sql::new(format!("{SELECT}{FROM} AND p.id = $1")).bind(id))
        .await
}

/// The other responsible units of a project (id, name).
pub async fn other_units(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    db.all(
        Sql::new(
            "SELECT u.id, u.name FROM project_units pu JOIN units u ON u.id = pu.unit_id \
             WHERE pu.project_id = $1 ORDER BY u.sort_order, u.id",
        )
        .bind(id),
    )
    .await
}

/// The other responsible units of many projects: (project id, unit id), in the units' order.
pub async fn other_units_of(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(
            "SELECT pu.project_id, u.id FROM project_units pu JOIN units u ON u.id = pu.unit_id \
             WHERE pu.project_id IN ",
        );
        q.push_list(chunk)
            .push(" ORDER BY pu.project_id, u.sort_order, u.id");
        out.extend(db.all::<(i64, i64)>(q).await?);
    }
    Ok(out)
}

/// A stage the project entered.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StageEvent {
    pub stage: String,
    #[schema(value_type = String, format = Date)]
    pub on_date: NaiveDate,
    pub reason: Option<String>,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

pub async fn timeline(db: &Db, id: i64) -> Result<Vec<StageEvent>> {
    db.all(
        Sql::new(
            "SELECT s.stage, s.on_date, s.reason, us.display_name AS user_name, s.at \
             FROM project_stages s LEFT JOIN users us ON us.id = s.user_id \
             WHERE s.project_id = $1 ORDER BY s.id",
        )
        .bind(id),
    )
    .await
}

/// M17: the leader's other open major projects.
async fn refuse_second_major(
    tx: &mut Tx,
    f: &ProjectFields,
    is_major: bool,
    except: Option<i64>,
) -> Result<()> {
    let Some(leader) = f.owner_leader_id.filter(|_| is_major) else {
        return Ok(());
    };
    // Two transactions giving the same leader a major project at once must not both pass: the
    // leader's row is locked first (a no-op update; SQLite has one writer anyway).
    tx.execute(Sql::new("UPDATE people SET id = id WHERE id = $1").bind(leader))
        .await?;
    let mut q = Sql::new(
        "SELECT id, name FROM projects WHERE owner_leader_id = $1 AND is_major = $2 \
         AND stage <> 'terminated' AND duplicate_of IS NULL",
    )
    .bind(leader)
    .bind(true);
    if let Some(id) = except {
        q.push(" AND id <> ").push_bind(id);
    }
    q.push(" ORDER BY id LIMIT 5");
    let others: Vec<(i64, String)> = tx.all(q).await?;
    Ok(project::check_owner(&others, f.owner_override.as_deref())?)
}

/// The earliest project of the same county this one signs again, if any: same investor,
/// similar name and amount, itself signed, not terminated and not a repetition.
async fn first_signing_of(tx: &mut Tx, p: &ProjectRow) -> Result<Option<i64>> {
    let Some(investor) = p.investor_id else {
        return Ok(None);
    };
    let candidates: Vec<(i64, String, Option<i64>, i64)> = tx
        .all(
            Sql::new(
                "SELECT p.id, p.name, p.contract_amount, p.total_investment FROM projects p \
                 JOIN regions r ON r.id = p.region_id \
                 WHERE p.investor_id = $1 AND p.id <> $2 AND p.duplicate_of IS NULL \
                 AND p.signed_on IS NOT NULL AND p.stage <> 'terminated' \
                 AND r.path LIKE (SELECT CASE WHEN x.level = 'town' THEN xp.path ELSE x.path END \
                   FROM regions x LEFT JOIN regions xp ON xp.id = x.parent_id WHERE x.id = $3) || '%' \
                 ORDER BY p.id",
            )
            .bind(investor)
            .bind(p.id)
            .bind(p.region_id),
        )
        .await?;
    let me = Signing {
        investor_id: Some(investor),
        name: &p.name,
        amount: p.contract_amount.unwrap_or(p.total_investment),
    };
    Ok(candidates
        .into_iter()
        .find(|(_, name, contract, total)| {
            project::same_investment(
                &me,
                &Signing {
                    investor_id: Some(investor),
                    name,
                    amount: contract.unwrap_or(*total),
                },
            )
        })
        .map(|(id, ..)| id))
}

async fn set_units(tx: &mut Tx, id: i64, units: &[i64]) -> Result<()> {
    tx.execute(Sql::new("DELETE FROM project_units WHERE project_id = $1").bind(id))
        .await?;
    for u in units {
        tx.execute(
            Sql::new("INSERT INTO project_units (project_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*u),
        )
        .await?;
    }
    Ok(())
}

async fn record_stage(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    stage: Stage,
    on: NaiveDate,
    reason: Option<&str>,
) -> Result<()> {
    tx.execute(
        Sql::new(
            "INSERT INTO project_stages (project_id, stage, on_date, reason, user_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(stage.id())
        .bind(on)
        .bind(reason)
        .bind(actor.user_id)
        .bind(now()),
    )
    .await?;
    span_stages(tx, id..=id).await
}

/// Binds $1–$24 of an insert or update: the region, then the fields in their column order.
fn bind_fields(q: Sql, region_id: i64, f: &ProjectFields, investor: Option<&str>) -> Sql {
    let search = zhaoyin_core::task::search_text(investor.unwrap_or_default(), &f.name);
    q.bind(region_id)
        .bind(f.unit_id)
        .bind(&f.name)
        .bind(search)
        .bind(f.investor_id)
        .bind(f.industry_section.as_ref())
        .bind(f.industry_division.as_ref())
        .bind(f.key_industry.as_ref())
        .bind(f.location_unit_id)
        .bind(f.first_unit_id)
        .bind(f.introducer.as_ref())
        .bind(f.introducer_civil_servant)
        .bind(f.owner_leader_id)
        .bind(f.owner_override.as_ref())
        .bind(f.agent_id)
        .bind(f.team.as_ref())
        .bind(f.total_investment)
        .bind(f.outside_investment)
        .bind(f.first_phase_investment)
        .bind(f.land_mu_x100)
        .bind(f.contract_amount)
        .bind(f.project_credit_code.as_ref())
        .bind(f.national_code.as_ref())
        .bind(f.segment_id)
}

async fn investor_name(tx: &mut Tx, investor: Option<i64>) -> Result<Option<String>> {
    match investor {
        Some(id) => Ok(tx
            .optional::<(String,)>(Sql::new("SELECT name FROM companies WHERE id = $1").bind(id))
            .await?
            .map(|(n,)| n)),
        None => Ok(None),
    }
}

/// Inserts a project at the lead stage entered on `on`, inside `tx`.
pub async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    region_id: i64,
    f: &ProjectFields,
    is_major: bool,
    on: NaiveDate,
) -> Result<ProjectRow> {
    refuse_second_major(tx, f, is_major, None).await?;
    let investor = investor_name(tx, f.investor_id).await?;
    let t = now();
    let (id,): (i64,) = tx
        .one(
            bind_fields(
                Sql::new(
                    "INSERT INTO projects (region_id, unit_id, name, search, investor_id, \
                 industry_section, industry_division, key_industry, location_unit_id, \
                 first_unit_id, introducer, introducer_civil_servant, owner_leader_id, \
                 owner_override, agent_id, team, total_investment, outside_investment, \
                 first_phase_investment, land_mu_x100, contract_amount, project_credit_code, \
                 national_code, segment_id, stage, stage_on, is_major, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19, $20, $21, $22, $23, $24, 'lead', $25, $26, $27, $27) RETURNING id",
                ),
                region_id,
                f,
                investor.as_deref(),
            )
            .bind(on)
            .bind(is_major)
            .bind(t),
        )
        .await?;
    set_units(tx, id, &f.other_unit_ids).await?;
    record_stage(tx, actor, id, Stage::Lead, on, None).await?;
    let after = get_in(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("create", "project", id)
            .place(Some(region_id), Some(f.unit_id))
            .after(&after),
    )
    .await?;
    Ok(after)
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    region_id: i64,
    f: &ProjectFields,
    is_major: bool,
    on: NaiveDate,
) -> Result<ProjectRow> {
    let mut tx = db.begin().await?;
    let p = insert(&mut tx, actor, region_id, f, is_major, on).await?;
    tx.commit().await?;
    Ok(p)
}

/// Changes the fields (not the stage: that is [`move_stage`]). A signed project is checked
/// again for being a repeated signing.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    region_id: i64,
    f: &ProjectFields,
    is_major: bool,
) -> Result<ProjectRow> {
    let mut tx = db.begin().await?;
    let after = update_in(&mut tx, actor, id, version, region_id, f, is_major).await?;
    tx.commit().await?;
    Ok(after)
}

async fn update_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    version: i64,
    region_id: i64,
    f: &ProjectFields,
    is_major: bool,
) -> Result<ProjectRow> {
    let before = get_in(tx, id).await?;
    refuse_second_major(tx, f, is_major, Some(id)).await?;
    let investor = investor_name(tx, f.investor_id).await?;
    let n = tx
        .execute(
            bind_fields(
                Sql::new(
                    "UPDATE projects SET region_id = $1, unit_id = $2, name = $3, search = $4, \
                 investor_id = $5, industry_section = $6, industry_division = $7, \
                 key_industry = $8, location_unit_id = $9, first_unit_id = $10, introducer = $11, \
                 introducer_civil_servant = $12, owner_leader_id = $13, owner_override = $14, \
                 agent_id = $15, team = $16, total_investment = $17, outside_investment = $18, \
                 first_phase_investment = $19, land_mu_x100 = $20, contract_amount = $21, \
                 project_credit_code = $22, national_code = $23, segment_id = $24, \
                 is_major = $25, version = version + 1, updated_at = $26 \
                 WHERE id = $27 AND version = $28",
                ),
                region_id,
                f,
                investor.as_deref(),
            )
            .bind(is_major)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(tx, n, "projects", id).await?;
    set_units(tx, id, &f.other_unit_ids).await?;
    let mut after = get_in(tx, id).await?;
    if after.signed_on.is_some() {
        after = flag_repeat(tx, after).await?;
    }
    recheck_repeats_of(tx, id).await?;
    audit::append(
        tx,
        actor,
        Change::new("update", "project", id)
            .place(Some(region_id), Some(f.unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// Checks again the projects flagged as repeating `id` (after it was edited or terminated): each
/// is cleared, or pointed at another first signing.
async fn recheck_repeats_of(tx: &mut Tx, id: i64) -> Result<()> {
    let repeats: Vec<(i64,)> = tx
        .all(Sql::new("SELECT id FROM projects WHERE duplicate_of = $1 ORDER BY id").bind(id))
        .await?;
    for (r,) in repeats {
        let p = get_in(tx, r).await?;
        flag_repeat(tx, p).await?;
    }
    Ok(())
}

/// Sets (or clears) `duplicate_of` from the current facts.
async fn flag_repeat(tx: &mut Tx, p: ProjectRow) -> Result<ProjectRow> {
    let first = first_signing_of(tx, &p).await?;
    if first == p.duplicate_of {
        return Ok(p);
    }
    tx.execute(
        Sql::new("UPDATE projects SET duplicate_of = $1, updated_at = $2 WHERE id = $3")
            .bind(first)
            .bind(now())
            .bind(p.id),
    )
    .await?;
    get_in(tx, p.id).await
}

/// Values a stage move brings with it (what the stage it enters requires).
#[derive(Debug, Clone, Default)]
pub struct MoveValues {
    pub contract_amount: Option<i64>,
    pub project_credit_code: Option<String>,
    pub location_unit_id: Option<i64>,
}

/// Moves the project to `to` on `on`, after checking the move on the row read in this
/// transaction with the move's values applied.
#[allow(clippy::too_many_arguments)]
pub async fn move_stage(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    to: Stage,
    on: NaiveDate,
    reason: Option<&str>,
    values: &MoveValues,
    today: NaiveDate,
) -> Result<ProjectRow> {
    let mut tx = db.begin().await?;
    let after = move_stage_in(&mut tx, actor, id, version, to, on, reason, values, today).await?;
    tx.commit().await?;
    Ok(after)
}

#[allow(clippy::too_many_arguments)]
async fn move_stage_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    version: i64,
    to: Stage,
    on: NaiveDate,
    reason: Option<&str>,
    values: &MoveValues,
    today: NaiveDate,
) -> Result<ProjectRow> {
    let before = get_in(tx, id).await?;
    let mut facts = before.facts();
    if values.contract_amount.is_some() {
        facts.contract_amount = values.contract_amount;
    }
    facts.project_credit_code |= values.project_credit_code.is_some();
    facts.location |= values.location_unit_id.is_some();
    project::check_move(&facts, to, on, reason, today)?;
    let from = before.stage();
    let paused_from = match (from, to) {
        (_, Stage::Paused) => Some(from.id()),
        _ => None,
    };
    let signed_now = !from.is_signed() && to.is_signed() && before.signed_on.is_none();
    let n = tx
        .execute(
            Sql::new(
                "UPDATE projects SET stage = $1, stage_on = $2, paused_from = $3, \
                 signed_on = CASE WHEN $4 THEN $2 ELSE signed_on END, \
                 contract_amount = COALESCE($5, contract_amount), \
                 project_credit_code = COALESCE($6, project_credit_code), \
                 location_unit_id = COALESCE($7, location_unit_id), \
                 version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10",
            )
            .bind(to.id())
            .bind(on)
            .bind(paused_from)
            .bind(signed_now)
            .bind(values.contract_amount)
            .bind(values.project_credit_code.as_ref())
            .bind(values.location_unit_id)
            .bind(now())
            .bind(id)
            .bind(version),
        )
        .await?;
    check_updated(tx, n, "projects", id).await?;
    record_stage(tx, actor, id, to, on, reason).await?;
    let mut after = get_in(tx, id).await?;
    if signed_now {
        after = flag_repeat(tx, after).await?;
    }
    if to == Stage::Terminated {
        recheck_repeats_of(tx, id).await?;
    }
    audit::append(
        tx,
        actor,
        Change::new("stage", "project", id)
            .place(Some(after.region_id), Some(after.unit_id))
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// The project an import row names: by its national code when it has one, else by its exact
/// name among the projects of its responsible unit.
pub async fn find(
    db: &Db,
    national_code: Option<&str>,
    unit_id: i64,
    name: &str,
) -> Result<Option<ProjectRow>> {
    let mut q = Sql::new(format!("{SELECT}{FROM}"));
    match national_code {
        Some(code) => q.push(" AND p.national_code = ").push_bind(code),
        None => q
            .push(" AND p.unit_id = ")
            .push_bind(unit_id)
            .push(" AND p.name = ")
            .push_bind(name),
    };
    q.push(" ORDER BY p.id LIMIT 1");
    db.optional(q).await
}

/// One checked row of an import: a new project (entered as a lead on `lead_on`) or an existing
/// one (id, version) to update, and the stage to move it to, if any.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The row as Excel numbers it, to name it in a problem found while writing.
    pub row: usize,
    pub region_id: i64,
    pub existing: Option<(i64, i64)>,
    /// For an existing project: whether its fields change (else it only moves stage).
    pub fields_changed: bool,
    pub fields: ProjectFields,
    pub is_major: bool,
    pub lead_on: NaiveDate,
    /// Stage, day, reason (paused, terminated).
    pub stage: Option<(Stage, NaiveDate, Option<String>)>,
}

/// Writes an import in one transaction: all rows or none. A problem found while writing (a
/// leader's second major project, a stage the row's facts do not allow) is reported at its row.
pub async fn import(
    db: &Db,
    actor: &Actor,
    sheet: &str,
    rows: &[ImportRow],
    today: NaiveDate,
) -> Result<()> {
    let mut tx = db.begin().await?;
    for r in rows {
        let at_row = |e: crate::Error| e.at_row(sheet, r.row);
        let p = match r.existing {
            Some((id, _)) if !r.fields_changed => get_in(&mut tx, id).await,
            Some((id, version)) => {
                update_in(
                    &mut tx,
                    actor,
                    id,
                    version,
                    r.region_id,
                    &r.fields,
                    r.is_major,
                )
                .await
            }
            None => {
                insert(
                    &mut tx,
                    actor,
                    r.region_id,
                    &r.fields,
                    r.is_major,
                    r.lead_on,
                )
                .await
            }
        }
        .map_err(at_row)?;
        if let Some((to, on, reason)) = &r.stage
            && *to != p.stage()
        {
            move_stage_in(
                &mut tx,
                actor,
                p.id,
                p.version,
                *to,
                *on,
                reason.as_deref(),
                &MoveValues::default(),
                today,
            )
            .await
            .map_err(at_row)?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Recomputes every project's major mark under `rule` (run at start, so a changed rule applies
/// to every project), with one audit entry saying how many changed. Returns that number. A
/// project a county sent keeps the mark the county gave it.
pub async fn apply_major_rule(db: &Db, rule: &project::MajorRule) -> Result<u64> {
    let mut tx = db.begin().await?;
    let q = if rule.key_industries.is_empty() {
        Sql::new(
            "UPDATE projects SET is_major = $1, updated_at = $3 \
             WHERE is_major = $2 AND origin IS NULL",
        )
        .bind(false)
        .bind(true)
        .bind(now())
    } else {
        let mut major = Sql::new("");
        major
            .push("(outside_investment >= ")
            .push_bind(rule.min_outside_investment)
            .push(" AND COALESCE(key_industry, '') IN ")
            .push_list(&rule.key_industries)
            .push(")");
        let mut q = major.prefixed("UPDATE projects SET is_major = ");
        // A project's versions (`history`) begin where `updated_at` moves.
        q.push(", updated_at = ").push_bind(now());
        // The same expression again for the WHERE, its arguments numbered after the first's.
        q.push(" WHERE origin IS NULL AND is_major <> (outside_investment >= ")
            .push_bind(rule.min_outside_investment)
            .push(" AND COALESCE(key_industry, '') IN ")
            .push_list(&rule.key_industries)
            .push(")");
        q
    };
    let n = tx.execute(q).await?;
    if n > 0 {
        audit::append(
            &mut tx,
            &Actor::system(),
            Change::new("major_rule", "project", "*").after(&serde_json::json!({
                "rule": rule, "changed": n,
            })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}
