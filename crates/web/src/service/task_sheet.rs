//! The task breakdown table (任务分解表) as XLSX: every task a filter finds, laid out for print.

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_office::breakdown::{self, BreakdownRow, Headers};

use crate::ctx::Ctx;
use crate::{AppError, AppResult, AppState};
use zhaoyin_db::tasks::{self as db, TaskFilter};

pub async fn export(st: &AppState, ctx: &Ctx, f: &TaskFilter) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let vis = auth.principal.visibility(Entity::Task, Action::Read);
    let tasks = db::all(&st.db, &vis, f).await?;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let units = db::units_of(&st.db, &ids).await?;
    let leaders = db::leaders_of(&st.db, &ids).await?;
    let mut clause_ids: Vec<i64> = tasks.iter().filter_map(|t| t.clause_id).collect();
    clause_ids.sort_unstable();
    clause_ids.dedup();
    let clauses = db::clauses_by_ids(&st.db, &clause_ids).await?;
    let latest = db::latest_reports(&st.db, &ids).await?;
    let names = |id: i64, role: &str| {
        units
            .iter()
            .filter(|u| u.task_id == id && u.role == role)
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let rows: Vec<BreakdownRow> = tasks
        .iter()
        .map(|task| {
            let measure = task
                .clause_id
                .and_then(|c| clauses.iter().find(|x| x.id == c))
                .map(|c| format!("{}. {}", c.number, c.title))
                .unwrap_or_default();
            let deadline = match task.deadline {
                Some(d) => d.format("%Y-%m-%d").to_string(),
                None => t.label("cadence", &task.cadence),
            };
            let progress = latest
                .iter()
                .find(|(id, _, _)| *id == task.id)
                .map(|(_, p, pct)| match pct {
                    Some(pct) => format!("{p}（{pct}%）"),
                    None => p.clone(),
                })
                .unwrap_or_default();
            BreakdownRow {
                measure,
                task: task.title.clone(),
                leaders: leaders
                    .iter()
                    .filter(|l| l.task_id == task.id)
                    .map(|l| l.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、"),
                lead_units: names(task.id, "lead"),
                support_units: names(task.id, "support"),
                deadline,
                progress: format!(
                    "{}{}",
                    t.label("task.status", &task.status),
                    if progress.is_empty() {
                        String::new()
                    } else {
                        format!("：{progress}")
                    }
                ),
                light: task.light.clone(),
                light_label: t.label("light", &task.light),
            }
        })
        .collect();
    let headers = Headers(
        [
            "sheet.no",
            "sheet.measure",
            "sheet.task",
            "sheet.leaders",
            "sheet.lead_units",
            "sheet.support_units",
            "sheet.deadline",
            "sheet.progress",
            "sheet.light",
        ]
        .map(|k| t.t(k).to_string()),
    );
    let day = f.as_of.map(|a| a.day).unwrap_or_else(|| st.cfg.today());
    let title = match (f.policy_id, tasks.first()) {
        (Some(_), Some(first)) => t.tf1(
            "sheet.title_policy",
            "policy",
            first.policy_title.clone().unwrap_or_default(),
        ),
        _ => t.t("sheet.title").to_string(),
    };
    let subtitle = t.tf2(
        "sheet.subtitle",
        "date",
        day.format("%Y-%m-%d"),
        "n",
        rows.len(),
    );
    breakdown::write(&title, &subtitle, &headers, &rows)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}
