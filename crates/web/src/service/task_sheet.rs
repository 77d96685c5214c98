//! The task breakdown table (任务分解表) as XLSX: every task a filter finds, laid out for print;
//! and the same table read back to add tasks to a policy's measures.

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_db::tasks::{self as db, NewTask, TaskFilter};
use zhaoyin_office::breakdown::{self, BreakdownRow, Headers};
use zhaoyin_office::xlsx;

use crate::ctx::Ctx;
use crate::{AppError, AppResult, AppState};

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

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub created: usize,
    /// Rows naming a task the measure already has (same title): left as they are.
    pub unchanged: usize,
}

pub(crate) fn sheet_spec(t: &crate::i18n::Tr) -> xlsx::Sheet {
    let en = crate::i18n::Tr::new(crate::i18n::Lang::En, t.tz);
    let zh = crate::i18n::Tr::new(crate::i18n::Lang::Zh, t.tz);
    let col = |id: &'static str, key: &str, required: bool| xlsx::Column {
        id,
        header: zh.t(key).to_string(),
        aliases: vec![en.t(key).to_string()],
        required,
        width: 0.0,
        choices: Vec::new(),
    };
    xlsx::Sheet {
        id: "tasks",
        name: zh.t("sheet.task").to_string(),
        aliases: vec![en.t("sheet.task").to_string()],
        columns: vec![
            col("measure", "sheet.measure", true),
            col("task", "sheet.task", true),
            col("leaders", "sheet.leaders", false),
            col("lead_units", "sheet.lead_units", true),
            col("support_units", "sheet.support_units", false),
            col("deadline", "sheet.deadline", false),
        ],
    }
}

/// Reads a breakdown table laid out as [`export`] writes it and adds its new rows to the
/// policy's measures — all or nothing; every problem named by row and column. A row whose task
/// the measure already has (same title) is left alone, so importing the same table twice
/// changes nothing.
pub async fn import(
    st: &AppState,
    ctx: &Ctx,
    policy_id: i64,
    bytes: &[u8],
) -> AppResult<ImportSummary> {
    use zhaoyin_core::policy::{match_name, split_names, split_units};
    use zhaoyin_core::task::TaskCadence;
    use zhaoyin_core::{FieldError, Invalid};

    let auth = ctx.auth()?;
    let t = &ctx.t;
    let policy = db::get_policy(&st.db, policy_id).await?;
    let place = zhaoyin_core::org::Place {
        region_path: policy.region_path.clone(),
        unit_id: None,
    };
    auth.require(Entity::Policy, Action::Read, &place)?;
    auth.require(Entity::Policy, Action::Write, &place)?;
    let rows = super::read_workbook(bytes, vec![sheet_spec(t)])
        .await?
        .into_iter()
        .next()
        .unwrap_or_default();
    if rows.is_empty() {
        return Err(AppError::invalid("file", "err.xlsx_empty"));
    }
    let clauses = db::clauses_of(&st.db, policy_id).await?;
    let existing = db::task_keys(&st.db, policy_id).await?;
    let (units, people) = zhaoyin_db::org::candidates(&st.db, &policy.region_path).await?;
    let today = st.cfg.today();
    let mut e = Invalid::default();
    let mut new: Vec<(i64, NewTask)> = Vec::new();
    let mut summary = ImportSummary::default();
    let mut codes: Vec<String> = existing.iter().map(|(_, c, _)| c.clone()).collect();
    for r in &rows {
        let at =
            |field: &str, code: &'static str| FieldError::new(field, code).at_row("tasks", r.row);
        // 措施: "3. 保障经费", "3", "（三）…" — matched by its number, else by its title.
        let measure = r.get("measure");
        let number: String = measure
            .trim_start_matches(['（', '(', '第'])
            .chars()
            .take_while(|c| !matches!(c, '.' | '．' | '、' | ' ' | '）' | ')' | '条'))
            .collect();
        let clause = clauses
            .iter()
            .find(|c| c.number == number.trim())
            .or_else(|| {
                clauses
                    .iter()
                    .find(|c| !c.title.is_empty() && measure.contains(&c.title))
            });
        let Some(clause) = clause else {
            e.push(at("measure", "err.unknown_measure").with("name", measure));
            continue;
        };
        let title = r.get("task").trim().to_string();
        if title.is_empty() {
            e.push(at("task", "err.required"));
        } else if title.chars().count() > 200 {
            e.push(at("task", "err.too_long").with("max", 200));
        }
        if existing
            .iter()
            .any(|(c, _, tt)| *c == Some(clause.id) && *tt == title)
            || new.iter().any(|(c, n)| *c == clause.id && n.title == title)
        {
            summary.unchanged += 1;
            continue;
        }
        let mut ids_of = |field: &str, text: &str| -> (Vec<i64>, Vec<String>) {
            let list = split_units(text);
            let mut ids = Vec::new();
            for name in list.lead.iter().chain(&list.support) {
                if list.groups.contains(name) {
                    continue;
                }
                match match_name(name, &units) {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => e.push(at(field, "err.unknown_unit_name").with("name", name)),
                }
            }
            (ids, list.groups)
        };
        let (lead, mut groups) = ids_of("lead_units", r.get("lead_units"));
        let (support, more) = ids_of("support_units", r.get("support_units"));
        groups.extend(more);
        if lead.is_empty() {
            e.push(at("lead_units", "err.task_no_lead"));
        }
        if lead.iter().any(|u| support.contains(u)) {
            e.push(at("support_units", "err.task_lead_and_support"));
        }
        let mut leaders = Vec::new();
        for name in split_names(r.get("leaders")) {
            match match_name(&name, &people) {
                Some(id) => leaders.push(id),
                None => e.push(at("leaders", "err.unknown_person_name").with("name", &name)),
            }
        }
        // 完成时限: a date, or a rhythm as the export writes it ("每季度"), or words ("年底前").
        let when = r.get("deadline").trim();
        let (deadline, cadence) = if when.is_empty() {
            (None, TaskCadence::Quarterly)
        } else if let Ok(d) = chrono::NaiveDate::parse_from_str(when, "%Y-%m-%d") {
            if !zhaoyin_core::validation::date_in_range(d) {
                e.push(at("deadline", "err.date_range"));
            }
            (Some(d), TaskCadence::Once)
        } else if let Some(c) = TaskCadence::ALL
            .iter()
            .find(|c| t.label("cadence", c.id()) == when || c.id() == when)
        {
            (None, *c)
        } else {
            use chrono::Datelike;
            match zhaoyin_core::policy::deadline(when, Some(today.year())) {
                Some((Some(d), _)) => (Some(d), TaskCadence::Once),
                _ => {
                    e.push(at("deadline", "err.deadline_unreadable").with("value", when));
                    (None, TaskCadence::Once)
                }
            }
        };
        let mut n = 1;
        let code = loop {
            let c = format!("{}-{}-{n}", policy.id, clause.number);
            if !codes.contains(&c) {
                break c;
            }
            n += 1;
        };
        codes.push(code.clone());
        new.push((
            clause.id,
            NewTask {
                code,
                title,
                content: String::new(),
                cadence,
                deadline,
                lead_units: lead,
                support_units: support,
                leaders,
                unit_groups: groups,
                indicators: Vec::new(),
            },
        ));
    }
    e.into_result()?;
    summary.created = new.len();
    if !new.is_empty() {
        db::add_to_policy(&st.db, &ctx.actor(), &policy, &new, st.cfg.clock()).await?;
    }
    Ok(summary)
}
