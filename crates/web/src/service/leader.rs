//! The leader's view (领导视图): on one page, the projects a leader owns (包挂), each with its
//! worst light, its unsolved problems and blockers, and its progress.

use serde::Serialize;
use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::problem::ProblemStatus;
use zhaoyin_core::project::Stage;
use zhaoyin_db::projects::{ProjectFilter, ProjectRow};

use crate::ctx::Auth;
use crate::service::problems::ProblemView;
use crate::service::progress::ProgressTotals;
use crate::{AppResult, AppState};

/// One owned project.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeaderProject {
    pub project: ProjectRow,
    /// The worst light of its unsolved problems (green without any).
    pub light: String,
    /// Its unsolved problems, blockers first, by deadline.
    pub problems: Vec<ProblemView>,
    pub progress: ProgressTotals,
}

impl LeaderProject {
    pub fn blockers(&self) -> usize {
        self.problems.iter().filter(|p| p.problem.blocking).count()
    }
}

fn rank(light: &str) -> u8 {
    match light {
        "red" => 2,
        "yellow" => 1,
        _ => 0,
    }
}

/// The projects `person_id` owns that the caller reads (terminated ones left out): red ones
/// first, then yellow, then by name.
pub async fn projects_of(
    st: &AppState,
    auth: &Auth,
    person_id: i64,
) -> AppResult<Vec<LeaderProject>> {
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    let projects: Vec<ProjectRow> = zhaoyin_db::projects::all(
        &st.db,
        &vis,
        &ProjectFilter {
            owner_leader_id: Some(person_id),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|p| p.stage != Stage::Terminated.id())
    .collect();
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let mut progress = zhaoyin_db::progress::progress_of(&st.db, &ids).await?;
    let mut open: std::collections::HashMap<i64, Vec<ProblemView>> =
        std::collections::HashMap::new();
    if !ids.is_empty() {
        let all = crate::service::problems::all(
            st,
            auth,
            &zhaoyin_db::problems::ProblemFilter {
                project_ids: ids.clone(),
                statuses: ProblemStatus::OPEN.to_vec(),
                ..Default::default()
            },
        )
        .await?;
        for x in all {
            open.entry(x.problem.project_id).or_default().push(x);
        }
    }
    let mut out = Vec::with_capacity(projects.len());
    for p in projects {
        let mut problems = open.remove(&p.id).unwrap_or_default();
        problems.sort_by_key(|x| (!x.problem.blocking, x.problem.deadline));
        let light = problems
            .iter()
            .map(|x| x.light.as_str())
            .max_by_key(|l| rank(l))
            .unwrap_or("green")
            .to_string();
        out.push(LeaderProject {
            progress: ProgressTotals::new(
                p.total_investment,
                &progress.remove(&p.id).unwrap_or_default(),
            ),
            light,
            problems,
            project: p,
        });
    }
    out.sort_by(|a, b| {
        (std::cmp::Reverse(rank(&a.light)), &a.project.name)
            .cmp(&(std::cmp::Reverse(rank(&b.light)), &b.project.name))
    });
    Ok(out)
}

/// The leaders owning projects the caller reads: (person id, name), by name.
pub async fn owners(st: &AppState, auth: &Auth) -> AppResult<Vec<(i64, String)>> {
    let vis = auth.principal.visibility(Entity::Project, Action::Read);
    Ok(zhaoyin_db::projects::owners(&st.db, &vis).await?)
}
