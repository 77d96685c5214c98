//! Land-efficiency evaluation (亩产效益评价, M6): the county's supervisor keeps the rules (each
//! indicator's weight and benchmark, the cap, the class thresholds, each class's policies) and
//! imports the enterprises' figures of a year from Excel — every problem by row and column, all
//! or nothing, an import replacing the year's figures. A year's evaluation (scores, classes,
//! ranks, each indicator's value against its benchmark) is computed from the figures by the
//! current rules whenever it is read, beside the year before's by the same rules, so a class
//! change is a change in the enterprise, not in the rules; an enterprise's page shows its trend.
//! Readers over the whole county read it; the county's supervisor writes.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use zhaoyin_core::land::{self as core, Class, Evaluation, MetricScore, Rules, Year};
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::incentives::Config;
use zhaoyin_db::land as db;

use super::incentives::{county, county_reader, save_config, stored};
use super::sheet_kit::SheetSpec;
use crate::ctx::{Auth, Ctx};
use crate::i18n::Tr;
use crate::{AppError, AppResult, AppState};

/// Enterprises one import may carry.
pub const MAX_ROWS: usize = 20_000;

const SPEC: SheetSpec = SheetSpec {
    id: "land",
    title_key: "land.sheet",
    labels: "land_sheet",
    columns: &[
        ("credit_code", false, 22.0),
        ("name", false, 28.0),
        ("land_mu", true, 10.0),
        ("tax", true, 10.0),
        ("revenue", true, 12.0),
        ("output", true, 12.0),
        ("energy_tce", true, 12.0),
        ("rnd", true, 10.0),
        ("employees", true, 10.0),
        ("emissions", true, 12.0),
    ],
    export_only: &[],
};

/// The figures' columns, in the order of `Year`'s fields.
const FIGURES: [&str; 8] = [
    "land_mu",
    "tax",
    "revenue",
    "output",
    "energy_tce",
    "rnd",
    "employees",
    "emissions",
];

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> AppResult<T> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("stored land figures: {e}")))
}

fn json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("land JSON: {e}")))
}

// --------------------------------------------------------------------------------------- rules

/// The county's rules as read, and whether the caller may change them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LandRulesView)]
pub struct RulesView {
    pub region_id: i64,
    /// None until the supervisor saves them: nothing is evaluated before.
    #[schema(value_type = Option<Object>)]
    pub rules: Option<Rules>,
    pub version: Option<i64>,
    pub may_edit: bool,
}

/// Rules as saved, naming the version read (none the first time).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = LandRulesInput)]
pub struct RulesInput {
    #[schema(value_type = Object)]
    pub rules: Rules,
    pub version: Option<i64>,
}

pub async fn rules(st: &AppState, auth: &Auth) -> AppResult<RulesView> {
    let c = county_reader(st, auth).await?;
    let kept = stored::<Rules>(st, Config::Land, c.id).await?;
    Ok(RulesView {
        region_id: c.id,
        version: kept.as_ref().map(|(r, _)| r.version),
        rules: kept.map(|(_, r)| r),
        may_edit: c.keeps,
    })
}

pub async fn save_rules(st: &AppState, ctx: &Ctx, input: &RulesInput) -> AppResult<RulesView> {
    let auth = ctx.auth()?;
    let c = county(st, auth).await?;
    if c.keeps {
        input.rules.check()?;
    }
    save_config(st, ctx, Config::Land, &c, input.version, &input.rules).await?;
    rules(st, auth).await
}

async fn rules_in_force(st: &AppState, county: i64) -> AppResult<Rules> {
    stored(st, Config::Land, county)
        .await?
        .map(|(_, r)| r)
        .ok_or_else(|| AppError::invalid("rules", "err.land.no_rules"))
}

// ---------------------------------------------------------------------------------- evaluation

/// An enterprise's line of a year: its evaluation, and its class and score the year before (by
/// the same rules) when it was evaluated then.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub company_id: i64,
    pub company_name: String,
    pub rank: usize,
    #[schema(value_type = String)]
    pub score: Decimal,
    pub class: Class,
    /// Each indicator's value against its benchmark, and its points.
    #[schema(value_type = Vec<Object>)]
    pub metrics: Vec<MetricScore>,
    pub last_class: Option<Class>,
    #[schema(value_type = Option<String>)]
    pub last_score: Option<Decimal>,
}

/// A year's class list of the county.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearView {
    /// None: no figures imported yet.
    pub year: Option<i64>,
    /// The years with figures, the latest first.
    pub years: Vec<i64>,
    pub lines: Vec<Line>,
    /// Enterprises per class, A to D.
    pub counts: BTreeMap<Class, usize>,
    /// What each class gets.
    pub policies: BTreeMap<Class, String>,
    pub may_edit: bool,
}

/// Each year's evaluation by `rules`, with the names, for `rows` of several years.
fn evaluated(
    rules: &Rules,
    rows: Vec<db::YearRow>,
) -> AppResult<BTreeMap<i64, Vec<(Evaluation, String)>>> {
    let mut by_year: BTreeMap<i64, Vec<(i64, Year)>> = BTreeMap::new();
    let mut names: HashMap<i64, String> = HashMap::new();
    for r in rows {
        by_year
            .entry(r.year)
            .or_default()
            .push((r.company_id, parse(&r.figures)?));
        names.insert(r.company_id, r.company_name);
    }
    by_year
        .into_iter()
        .map(|(year, years)| {
            let e = core::evaluate(rules, &years).map_err(AppError::Invalid)?;
            let named = e
                .into_iter()
                .map(|x| {
                    let name = names.get(&x.enterprise_id).cloned().unwrap_or_default();
                    (x, name)
                })
                .collect();
            Ok((year, named))
        })
        .collect()
}

pub async fn evaluation(st: &AppState, auth: &Auth, year: Option<i64>) -> AppResult<YearView> {
    let c = county_reader(st, auth).await?;
    if let Some(y) = year
        && !(2000..=2100).contains(&y)
    {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("year", "err.range")
                .with("min", 2000)
                .with("max", 2100),
        )));
    }
    let years = db::years(&st.db, c.id).await?;
    let Some(year) = year.or_else(|| years.first().copied()) else {
        return Ok(YearView {
            year: None,
            years,
            lines: Vec::new(),
            counts: BTreeMap::new(),
            policies: BTreeMap::new(),
            may_edit: c.keeps,
        });
    };
    let rules = rules_in_force(st, c.id).await?;
    let rows = db::years_of(&st.db, c.id, &[year - 1, year]).await?;
    let mut by_year = evaluated(&rules, rows)?;
    let before: HashMap<i64, (Class, Decimal)> = by_year
        .remove(&(year - 1))
        .unwrap_or_default()
        .into_iter()
        .map(|(e, _)| (e.enterprise_id, (e.class, e.score)))
        .collect();
    let lines: Vec<Line> = by_year
        .remove(&year)
        .unwrap_or_default()
        .into_iter()
        .map(|(e, name)| {
            let last = before.get(&e.enterprise_id);
            Line {
                company_id: e.enterprise_id,
                company_name: name,
                rank: e.rank,
                score: e.score,
                class: e.class,
                metrics: e.metrics,
                last_class: last.map(|(c, _)| *c),
                last_score: last.map(|(_, s)| *s),
            }
        })
        .collect();
    let mut counts = BTreeMap::new();
    for l in &lines {
        *counts.entry(l.class).or_insert(0) += 1;
    }
    Ok(YearView {
        year: Some(year),
        years,
        lines,
        counts,
        policies: rules.policies,
        may_edit: c.keeps,
    })
}

/// An enterprise's year: its figures and where they put it among the county's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    pub year: i64,
    #[schema(value_type = Object)]
    pub figures: Year,
    pub rank: usize,
    /// Enterprises evaluated that year.
    pub of: usize,
    #[schema(value_type = String)]
    pub score: Decimal,
    pub class: Class,
    #[schema(value_type = Vec<Object>)]
    pub metrics: Vec<MetricScore>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Trend {
    pub company_id: i64,
    pub company_name: String,
    pub points: Vec<TrendPoint>,
}

pub async fn trend(st: &AppState, auth: &Auth, company_id: i64) -> AppResult<Trend> {
    let c = county_reader(st, auth).await?;
    let company = zhaoyin_db::incentives::company_facts(&st.db, company_id).await?;
    if company.region_id != c.id {
        return Err(AppError::NotFound);
    }
    let rules = rules_in_force(st, c.id).await?;
    let years = db::company_years(&st.db, company_id).await?;
    let rows = db::years_of(&st.db, c.id, &years).await?;
    let figures: HashMap<i64, Year> = rows
        .iter()
        .filter(|r| r.company_id == company_id)
        .map(|r| Ok((r.year, parse(&r.figures)?)))
        .collect::<AppResult<_>>()?;
    let points = evaluated(&rules, rows)?
        .into_iter()
        .filter_map(|(year, all)| {
            let of = all.len();
            let (e, _) = all
                .into_iter()
                .find(|(e, _)| e.enterprise_id == company_id)?;
            Some(TrendPoint {
                year,
                figures: figures.get(&year).cloned().unwrap_or_default(),
                rank: e.rank,
                of,
                score: e.score,
                class: e.class,
                metrics: e.metrics,
            })
        })
        .collect();
    Ok(Trend {
        company_id,
        company_name: company.name,
        points,
    })
}

// ---------------------------------------------------------------------------------- the import

pub fn template(t: &Tr) -> AppResult<Vec<u8>> {
    SPEC.template(t, 3)
}

/// An enterprise's figures as sent to the API.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct FiguresInput {
    /// A company of the county's library.
    pub company_id: i64,
    #[schema(value_type = Object)]
    pub figures: Year,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub year: i64,
    pub enterprises: usize,
}

/// The county whose figures of `year` the caller replaces: its supervisor's, for a finished
/// year (2000 to last year), once the county has rules to evaluate them by.
async fn writable(st: &AppState, auth: &Auth, year: i64) -> AppResult<i64> {
    let c = county(st, auth).await?;
    if !c.keeps {
        return Err(AppError::Forbidden);
    }
    let last = i64::from(chrono::Datelike::year(&st.cfg.today())) - 1;
    if !(2000..=last).contains(&year) {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("year", "err.range")
                .with("min", 2000)
                .with("max", last),
        )));
    }
    rules_in_force(st, c.id).await?;
    Ok(c.id)
}

/// Replaces county `county`'s figures of `year` with `rows`, checked.
async fn store(
    st: &AppState,
    ctx: &Ctx,
    county: i64,
    year: i64,
    rows: &[FiguresInput],
) -> AppResult<Imported> {
    let stored = rows
        .iter()
        .map(|r| Ok((r.company_id, json(&r.figures)?)))
        .collect::<AppResult<Vec<_>>>()?;
    db::import(&st.db, &ctx.actor(), county, year, &stored).await?;
    Ok(Imported {
        year,
        enterprises: stored.len(),
    })
}

/// Replaces the year's figures with `rows` (each checked, every problem at once).
pub async fn import_figures(
    st: &AppState,
    ctx: &Ctx,
    year: i64,
    rows: &[FiguresInput],
) -> AppResult<Imported> {
    let county = writable(st, ctx.auth()?, year).await?;
    if rows.len() > MAX_ROWS {
        return Err(AppError::Invalid(Invalid::one(
            FieldError::new("rows", "err.too_many").with("max", MAX_ROWS),
        )));
    }
    let library: std::collections::HashSet<i64> = db::library(&st.db, county)
        .await?
        .into_iter()
        .map(|(id, ..)| id)
        .collect();
    let mut errors = Invalid::default();
    let mut seen = std::collections::HashSet::new();
    for (n, r) in rows.iter().enumerate() {
        if !library.contains(&r.company_id) {
            errors.push(FieldError::new(
                format!("rows[{n}].company_id"),
                "err.choice",
            ));
        } else if !seen.insert(r.company_id) {
            errors.push(FieldError::new(
                format!("rows[{n}].company_id"),
                "err.land.twice",
            ));
        }
        if let Err(e) = r.figures.check() {
            for mut f in e.0 {
                f.field = format!("rows[{n}].{}", f.field);
                errors.push(f);
            }
        }
    }
    errors.into_result()?;
    store(st, ctx, county, year, rows).await
}

/// A workbook's rows for the year: each enterprise found in the library by its credit code or
/// its name, each figure a number; every problem by row and column, nothing imported unless all
/// are right.
pub async fn import(st: &AppState, ctx: &Ctx, year: i64, bytes: &[u8]) -> AppResult<Imported> {
    let county = writable(st, ctx.auth()?, year).await?;
    let rows = SPEC.read(&ctx.t, bytes, MAX_ROWS).await?;
    let library = db::library(&st.db, county).await?;
    let by_code: HashMap<&str, i64> = library
        .iter()
        .filter_map(|(id, _, code)| code.as_deref().map(|c| (c, *id)))
        .collect();
    let by_name: HashMap<&str, i64> = library.iter().map(|(id, k, _)| (k.as_str(), *id)).collect();
    let key_of: HashMap<i64, &str> = library.iter().map(|(id, k, _)| (*id, k.as_str())).collect();
    let mut errors = Invalid::default();
    let mut out = Vec::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for r in &rows {
        let at = |e: FieldError| e.at_row("land", r.row);
        let code = r.get("credit_code").trim().to_uppercase();
        let name = r.get("name").trim().to_string();
        let company = if !code.is_empty() {
            let found = by_code.get(code.as_str()).copied();
            // A name beside the code must be the code's company's.
            let key = zhaoyin_core::company::name_key(&name);
            if let Some(id) = found
                && !name.is_empty()
                && key_of.get(&id) != Some(&key.as_str())
            {
                errors.push(at(FieldError::new("name", "err.land.name_mismatch")));
            }
            found
        } else {
            by_name
                .get(zhaoyin_core::company::name_key(&name).as_str())
                .copied()
        };
        let company = match company {
            Some(id) => match seen.insert(id, r.row) {
                Some(first) => {
                    errors.push(at(
                        FieldError::new("name", "err.land.same_enterprise").with("row", first)
                    ));
                    None
                }
                None => Some(id),
            },
            None if code.is_empty() && name.is_empty() => {
                errors.push(at(FieldError::new("name", "err.required")));
                None
            }
            None => {
                errors.push(at(FieldError::new(
                    if code.is_empty() {
                        "name"
                    } else {
                        "credit_code"
                    },
                    "err.investor_unknown",
                )));
                None
            }
        };
        let mut figures = Year::default();
        let mut parsed = true;
        for col in FIGURES {
            let text = r.get(col).trim().replace([',', '，'], "");
            let value: Option<Decimal> = text.parse().ok();
            let Some(v) = value else {
                errors.push(at(FieldError::new(
                    col,
                    if text.is_empty() {
                        "err.required"
                    } else {
                        "err.decimal"
                    },
                )));
                parsed = false;
                continue;
            };
            match col {
                "land_mu" => figures.land_mu = v,
                "tax" => figures.tax = v,
                "revenue" => figures.revenue = v,
                "output" => figures.output = v,
                "energy_tce" => figures.energy_tce = v,
                "rnd" => figures.rnd = v,
                "emissions" => figures.emissions = v,
                "employees" => match i64::try_from(v.trunc()) {
                    Ok(n) if Decimal::from(n) == v => figures.employees = n,
                    _ => {
                        errors.push(at(FieldError::new(col, "err.number")));
                        parsed = false;
                    }
                },
                _ => {}
            }
        }
        // A figure already refused is not refused again for its range.
        if parsed && let Err(e) = figures.check() {
            for f in e.0 {
                errors.push(at(f));
            }
        }
        if let Some(company_id) = company {
            out.push(FiguresInput {
                company_id,
                figures,
            });
        }
    }
    errors.into_result()?;
    store(st, ctx, county, year, &out).await
}

/// The row of `r` in a class list workbook.
pub fn line_cells(t: &Tr, l: &Line) -> Vec<String> {
    let mut cells = vec![
        l.rank.to_string(),
        l.company_name.clone(),
        l.score.normalize().to_string(),
        t.label("land.class", l.class.id()),
        l.last_class
            .map(|c| t.label("land.class", c.id()))
            .unwrap_or_default(),
    ];
    cells.extend(metric_values(&l.metrics));
    cells
}

/// Each indicator's value, as written (empty where there is nothing to divide by).
pub fn metric_values(metrics: &[MetricScore]) -> Vec<String> {
    metrics
        .iter()
        .map(|m| {
            m.value
                .map(|v| v.normalize().to_string())
                .unwrap_or_default()
        })
        .collect()
}
