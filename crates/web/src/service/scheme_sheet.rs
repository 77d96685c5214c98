//! An assessment scheme in Excel, how a supervisor edits its rules: the latest version as a
//! workbook (indicators by group, the groups' units, deductions), edited and uploaded back as
//! the next version. Every problem is reported at once by sheet, row and column, the scheme's
//! own checks placed on the rows they are about; nothing changes unless all is well.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::Serialize;
use zhaoyin_core::assessment::{
    Band, Cause, Deduction, Direction, Group, Indicator, Measure, Method, PeriodKind, Scheme,
};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_office::xlsx::{self, Row, Sheet};

use super::assessments::{self as svc, SchemeInput, SchemeView};

use super::sheet_kit::{SheetSpec, choice, items};
use crate::ctx::Ctx;
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

/// The workbook's download name.
pub const FILE: &str = "attachment; filename=\"zhaoyin-scheme.xlsx\"; \
     filename*=UTF-8''%E8%80%83%E6%A0%B8%E6%96%B9%E6%A1%88.xlsx";

const INDICATORS: SheetSpec = SheetSpec {
    id: "indicators",
    title_key: "scheme_sheet.indicators",
    labels: "scheme_sheet",
    columns: &[
        ("group", true, 12.0),
        ("group_name", false, 14.0),
        ("multiplier", false, 8.0),
        ("key", true, 12.0),
        ("name", true, 20.0),
        ("source", false, 24.0),
        ("weight", true, 8.0),
        ("direction", false, 10.0),
        ("method", true, 10.0),
        ("target", false, 8.0),
        ("zero", false, 8.0),
        ("step", false, 10.0),
        ("floor", false, 10.0),
        ("bands", false, 22.0),
        ("per", false, 8.0),
    ],
    export_only: &[],
};

const MEMBERS: SheetSpec = SheetSpec {
    id: "members",
    title_key: "scheme_sheet.members",
    labels: "scheme_sheet",
    columns: &[
        ("group", true, 12.0),
        ("unit_code", true, 14.0),
        ("unit_name", false, 28.0),
    ],
    export_only: &[],
};

const DEDUCTIONS: SheetSpec = SheetSpec {
    id: "deductions",
    title_key: "scheme_sheet.deductions",
    labels: "scheme_sheet",
    columns: &[
        ("cause", true, 16.0),
        ("points", true, 10.0),
        ("cap", false, 10.0),
    ],
    export_only: &[],
};

const METHODS: [&str; 5] = ["linear", "rank", "threshold", "points", "manual"];
const DIRECTIONS: [&str; 2] = ["higher", "lower"];
const CAUSES: [&str; 2] = ["upheld_complaint", "overdue_task"];

/// A value's serde name: its id in the workbook's choices.
fn id_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn sheets(t: &Tr) -> [Sheet; 3] {
    let mut indicators = INDICATORS.sheet(t, false);
    for c in &mut indicators.columns {
        c.choices = match c.id {
            "source" => Measure::ALL
                .iter()
                .map(|m| t.label("assessment.measure", &id_of(m)))
                .collect(),
            "direction" => DIRECTIONS
                .iter()
                .map(|d| t.label("assessment.direction", d))
                .collect(),
            "method" => METHODS
                .iter()
                .map(|m| t.label("scheme_sheet.methods", m))
                .collect(),
            _ => Vec::new(),
        };
    }
    let mut deductions = DEDUCTIONS.sheet(t, false);
    for c in &mut deductions.columns {
        if c.id == "cause" {
            c.choices = CAUSES
                .iter()
                .map(|k| t.label("assessment.cause", k))
                .collect();
        }
    }
    [indicators, MEMBERS.sheet(t, false), deductions]
}

/// A decimal as people write it.
fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

fn percent(d: Decimal) -> String {
    num(d * Decimal::ONE_HUNDRED)
}

/// The rows of one indicator: its group's columns, then its own.
fn indicator_row(t: &Tr, g: &Group, i: &Indicator) -> Vec<String> {
    let mut row = vec![
        g.key.clone(),
        g.name.clone(),
        num(g.multiplier),
        i.key.clone(),
        i.name.clone(),
        i.measure
            .map(|m| t.label("assessment.measure", &id_of(&m)))
            .unwrap_or_default(),
        num(i.weight),
        t.label("assessment.direction", &id_of(&i.direction)),
    ];
    let method = match &i.method {
        Method::Linear { .. } => "linear",
        Method::Rank { .. } => "rank",
        Method::Threshold { .. } => "threshold",
        Method::Points { .. } => "points",
        Method::Manual => "manual",
    };
    row.push(t.label("scheme_sheet.methods", method));
    let (mut target, mut zero, mut step, mut floor, mut bands, mut per) = Default::default();
    match &i.method {
        Method::Linear { target: a, zero: b } => (target, zero) = (num(*a), num(*b)),
        Method::Rank { step: a, floor: b } => (step, floor) = (percent(*a), percent(*b)),
        Method::Threshold { bands: b } => {
            bands = b
                .iter()
                .map(|b| format!("{}:{}", num(b.at), percent(b.share)))
                .collect::<Vec<_>>()
                .join("；");
        }
        Method::Points { per: a } => per = num(*a),
        Method::Manual => {}
    }
    row.extend([target, zero, step, floor, bands, per]);
    row
}

/// The scheme's latest version as a workbook to edit.
pub async fn workbook(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let v = svc::get(st, auth, id).await?;
    if !v.may_edit {
        return Err(AppError::Forbidden);
    }
    let t = &ctx.t;
    let body = &v.body;
    let indicators: Vec<Vec<String>> = body
        .scheme
        .groups
        .iter()
        .flat_map(|g| g.indicators.iter().map(move |i| indicator_row(t, g, i)))
        .collect();
    let mut members = Vec::new();
    for g in &body.scheme.groups {
        for unit in body.members.get(&g.key).into_iter().flatten() {
            let u = zhaoyin_db::org::get_unit(&st.db, *unit).await?;
            members.push(vec![g.key.clone(), u.code, u.name]);
        }
    }
    let deductions: Vec<Vec<String>> = body
        .scheme
        .deductions
        .iter()
        .map(|d| {
            vec![
                t.label("assessment.cause", &id_of(&d.cause)),
                num(d.points),
                d.cap.map(num).unwrap_or_default(),
            ]
        })
        .collect();
    let [a, b, c] = sheets(t);
    let notes: Vec<String> = (1..=5)
        .map(|n| t.t(&format!("scheme_sheet.note_{n}")).to_string())
        .collect();
    let notes_title = t.t("import.sheet_notes").to_string();
    crate::service::blocking(move || {
        xlsx::filled(
            &[(&a, &indicators), (&b, &members), (&c, &deductions)],
            &notes_title,
            &notes,
            &[],
        )
    })
    .await?
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}

/// The scheme's name, period and lists as the upload form gives them, with the version edited.
pub struct Upload {
    pub version: i64,
    pub name: String,
    pub period: String,
    pub listed: String,
}

/// An uploaded workbook becomes the scheme's next version.
pub async fn upload(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    form: &Upload,
    bytes: &[u8],
) -> AppResult<SchemeView> {
    let auth = ctx.auth()?;
    let current = svc::get(st, auth, id).await?;
    if !current.may_edit {
        return Err(AppError::Forbidden);
    }
    let t = &ctx.t;
    let specs = sheets(t).to_vec();
    let bytes = bytes.to_vec();
    let rows = crate::service::blocking(move || xlsx::read(&bytes, &specs)).await??;
    let [indicators, members, deductions]: [Vec<Row>; 3] = rows
        .try_into()
        .map_err(|_| AppError::Internal("scheme workbook: three sheets".into()))?;
    let mut e = Invalid::default();
    let period = match form.period.as_str() {
        "month" => PeriodKind::Month,
        "quarter" => PeriodKind::Quarter,
        "year" => PeriodKind::Year,
        _ => {
            e.push(FieldError::new("period", "err.choice"));
            PeriodKind::Quarter
        }
    };
    let listed = match form.listed.trim() {
        "" => 0,
        n => n.parse().unwrap_or_else(|_| {
            e.push(FieldError::new("listed", "err.number"));
            0
        }),
    };
    let (groups, places) = read_indicators(&indicators, &mut e);
    let mut units = HashMap::new();
    let mut member_rows: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut member_places: HashMap<i64, usize> = HashMap::new();
    for r in &members {
        let at = |f: FieldError| f.at_row("members", r.row);
        let group = r.get("group").to_string();
        if !groups.iter().any(|g| g.key == group) {
            e.push(at(FieldError::new("group", "err.assessment.group")));
        }
        let code = r.get("unit_code");
        let unit = match units.get(code) {
            Some(u) => *u,
            None => {
                let u = zhaoyin_db::org::unit_by_code(&st.db, code)
                    .await?
                    .filter(|u| u.active && u.region_path.starts_with(&current.scheme.region_path))
                    .map(|u| u.id);
                units.insert(code.to_string(), u);
                u
            }
        };
        match unit {
            Some(u) => {
                member_rows.entry(group).or_default().push(u);
                member_places.insert(u, r.row);
            }
            None => e.push(at(
                FieldError::new("unit_code", "err.scheme_sheet.unit").with("code", code)
            )),
        }
    }
    let mut rules = Vec::new();
    for r in &deductions {
        let at = |f: FieldError| f.at_row("deductions", r.row);
        let cause = match choice(r.get("cause"), CAUSES, "assessment.cause") {
            Ok(Some("upheld_complaint")) => Cause::UpheldComplaint,
            Ok(Some(_)) => Cause::OverdueTask,
            _ => {
                e.push(at(FieldError::new("cause", "err.choice")));
                continue;
            }
        };
        let points = decimal(&mut e, r, "deductions", "points");
        let cap = match r.get("cap") {
            "" => None,
            _ => Some(decimal(&mut e, r, "deductions", "cap")),
        };
        rules.push((r.row, Deduction { cause, points, cap }));
    }
    e.into_result()?;
    let input = SchemeInput {
        region_id: None,
        version: Some(form.version),
        scheme: Scheme {
            name: form.name.trim().to_string(),
            period,
            groups,
            deductions: rules.iter().map(|(_, d)| d.clone()).collect(),
            listed,
        },
        members: member_rows,
    };
    // The scheme's own checks, placed on the rows they are about.
    let deduction_rows: Vec<usize> = rules.iter().map(|(row, _)| *row).collect();
    match svc::revise(st, ctx, id, &input).await {
        Err(AppError::Invalid(i)) => Err(AppError::Invalid(Invalid(
            i.0.into_iter()
                .map(|f| placed(f, &places, &deduction_rows, &member_places))
                .collect(),
        ))),
        other => other,
    }
}

/// A decimal cell, or a problem at its row (and zero).
fn decimal(e: &mut Invalid, r: &Row, sheet: &'static str, column: &'static str) -> Decimal {
    let text = r.get(column).trim_end_matches('%');
    match text.parse() {
        Ok(d) => d,
        Err(_) => {
            let code = if text.is_empty() {
                "err.required"
            } else {
                "err.number"
            };
            e.push(FieldError::new(column, code).at_row(sheet, r.row));
            Decimal::ZERO
        }
    }
}

/// Where each indicator came from: its row, by group and indicator index; and each group's
/// first row.
struct Places {
    indicators: HashMap<(usize, usize), usize>,
    groups: HashMap<usize, usize>,
    /// Each group's first row, by key.
    group_keys: HashMap<String, usize>,
}

/// The groups and their indicators, in the sheet's order (a group where its key first appears);
/// every problem by row and column.
fn read_indicators(rows: &[Row], e: &mut Invalid) -> (Vec<Group>, Places) {
    let mut groups: Vec<Group> = Vec::new();
    let mut places = Places {
        indicators: HashMap::new(),
        groups: HashMap::new(),
        group_keys: HashMap::new(),
    };
    let sheet = "indicators";
    for r in rows {
        let at = |f: FieldError| f.at_row(sheet, r.row);
        let key = r.get("group").to_string();
        let g = match groups.iter().position(|g| g.key == key) {
            Some(g) => {
                // A group's name and multiplier are given once; a later row may repeat them.
                let name = r.get("group_name");
                if !name.is_empty() && name != groups[g].name {
                    e.push(at(FieldError::new(
                        "group_name",
                        "err.scheme_sheet.group_differs",
                    )));
                }
                if !r.get("multiplier").is_empty()
                    && decimal(e, r, sheet, "multiplier") != groups[g].multiplier
                {
                    e.push(at(FieldError::new(
                        "multiplier",
                        "err.scheme_sheet.group_differs",
                    )));
                }
                g
            }
            None => {
                let multiplier = match r.get("multiplier") {
                    "" => Decimal::ONE,
                    _ => decimal(e, r, sheet, "multiplier"),
                };
                places.group_keys.insert(key.clone(), r.row);
                groups.push(Group {
                    name: match r.get("group_name") {
                        "" => key.clone(),
                        n => n.to_string(),
                    },
                    key,
                    multiplier,
                    indicators: Vec::new(),
                });
                places.groups.insert(groups.len() - 1, r.row);
                groups.len() - 1
            }
        };
        let measure = match r.get("source") {
            "" => None,
            text => {
                let ids: Vec<String> = Measure::ALL.iter().map(id_of).collect();
                match choice(text, ids.iter().map(String::as_str), "assessment.measure") {
                    Ok(Some(id)) => Measure::ALL.iter().copied().find(|m| id_of(m) == id),
                    _ => {
                        e.push(at(FieldError::new("source", "err.choice")));
                        None
                    }
                }
            }
        };
        let direction = match choice(r.get("direction"), DIRECTIONS, "assessment.direction") {
            Ok(Some("lower")) => Direction::Lower,
            Ok(_) => Direction::Higher,
            Err(()) => {
                e.push(at(FieldError::new("direction", "err.choice")));
                Direction::Higher
            }
        };
        let method = match choice(r.get("method"), METHODS, "scheme_sheet.methods") {
            Ok(Some("linear")) => Method::Linear {
                target: decimal(e, r, sheet, "target"),
                zero: match r.get("zero") {
                    "" => Decimal::ZERO,
                    _ => decimal(e, r, sheet, "zero"),
                },
            },
            Ok(Some("rank")) => Method::Rank {
                step: decimal(e, r, sheet, "step") / Decimal::ONE_HUNDRED,
                floor: match r.get("floor") {
                    "" => Decimal::ZERO,
                    _ => decimal(e, r, sheet, "floor") / Decimal::ONE_HUNDRED,
                },
            },
            Ok(Some("threshold")) => Method::Threshold {
                bands: bands(r.get("bands")).unwrap_or_else(|| {
                    e.push(at(FieldError::new("bands", "err.scheme_sheet.bands")));
                    Vec::new()
                }),
            },
            Ok(Some("points")) => Method::Points {
                per: decimal(e, r, sheet, "per"),
            },
            Ok(Some(_)) => Method::Manual,
            _ => {
                e.push(at(FieldError::new("method", "err.choice")));
                Method::Manual
            }
        };
        let indicators = &mut groups[g].indicators;
        indicators.push(Indicator {
            key: r.get("key").to_string(),
            name: r.get("name").to_string(),
            measure,
            weight: decimal(e, r, sheet, "weight"),
            direction,
            method,
        });
        places.indicators.insert((g, indicators.len() - 1), r.row);
    }
    (groups, places)
}

/// `3:50；5:100` — reach 3 for half the points, 5 for all of them.
fn bands(text: &str) -> Option<Vec<Band>> {
    items(text)
        .map(|b| {
            let (at, share) = b.split_once([':', '：'])?;
            let share: Decimal = share.trim().trim_end_matches('%').parse().ok()?;
            Some(Band {
                at: at.trim().parse().ok()?,
                share: share / Decimal::ONE_HUNDRED,
            })
        })
        .collect::<Option<Vec<_>>>()
        .filter(|b| !b.is_empty())
}

/// A problem the scheme's checks found (`scheme.groups[0].indicators[2].weight`,
/// `scheme.deductions[1].cap`, `members.parks`), on the sheet row and column it is about.
fn placed(
    f: FieldError,
    places: &Places,
    deductions: &[usize],
    members: &HashMap<i64, usize>,
) -> FieldError {
    let path = f.field.clone();
    let index = |s: &str, name: &str| -> Option<usize> {
        let start = s.find(&format!("{name}["))? + name.len() + 1;
        s[start..].split(']').next()?.parse().ok()
    };
    let last = path.rsplit('.').next().unwrap_or_default().to_string();
    let column = |f: FieldError, c: &str| FieldError {
        field: c.to_string(),
        ..f
    };
    if let Some(g) = index(&path, "groups") {
        if let Some(i) = index(&path, "indicators")
            && let Some(row) = places.indicators.get(&(g, i))
        {
            let c = match last.as_str() {
                "target" | "zero" | "step" | "floor" | "per" | "weight" | "key" | "name"
                | "direction" => last.clone(),
                l if l.starts_with("bands") || path.contains(".bands") => "bands".into(),
                "measure" => "source".into(),
                _ => "method".into(),
            };
            return column(f, &c).at_row("indicators", *row);
        }
        if let Some(row) = places.groups.get(&g) {
            let c = if last == "multiplier" {
                "multiplier"
            } else {
                "group"
            };
            return column(f, c).at_row("indicators", *row);
        }
    }
    if let Some(d) = index(&path, "deductions")
        && let Some(row) = deductions.get(d)
    {
        let c = if last == "cap" || last == "points" {
            last.as_str()
        } else {
            "cause"
        };
        return column(f, c).at_row("deductions", *row);
    }
    if let Some(key) = path.strip_prefix("members.") {
        // A unit in two groups: its row; a group without units: the group's first row.
        let unit = f
            .params
            .iter()
            .find(|(k, _)| k == "unit")
            .and_then(|(_, v)| v.parse::<i64>().ok());
        if let Some(row) = unit.and_then(|u| members.get(&u)) {
            return column(f, "unit_code").at_row("members", *row);
        }
        if let Some(row) = places.group_keys.get(key) {
            return column(f, "group").at_row("indicators", *row);
        }
    }
    match path.as_str() {
        "scheme.name" => column(f, "name"),
        "scheme.listed" => column(f, "listed"),
        _ => f,
    }
}
