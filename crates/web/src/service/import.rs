//! Importing units and people from the platform's XLSX template: everything is checked first
//! (every problem reported by sheet, row and column), then applied in one transaction.

use std::collections::{HashMap, HashSet};

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::org::{PersonInput, Place, UnitInput, UnitKind};
use zhaoyin_core::paging::Page;
use zhaoyin_core::{FieldError, Invalid};
use zhaoyin_db::org::{self, ImportSummary, PersonRow, Region, RegionFilter, UnitFilter, UnitRow};
use zhaoyin_office::xlsx::{self, Column, ReferenceSheet, Row, Sheet};

use crate::ctx::{Auth, Ctx};
use crate::i18n::{Lang, Tr};
use crate::{AppError, AppResult, AppState};

fn col(t: &Tr, other: &Tr, id: &'static str, key: &str, required: bool, width: f64) -> Column {
    Column {
        id,
        header: t.t(key).to_string(),
        aliases: vec![other.t(key).to_string(), id.to_string()],
        required,
        width,
        choices: Vec::new(),
    }
}

/// The template's sheets in the user's language; headers in the other language are accepted too.
pub fn sheets(t: &Tr) -> Vec<Sheet> {
    let other = Tr::new(t.lang.other(), t.tz);
    let mut kind = col(t, &other, "kind", "import.units_kind", true, 14.0);
    kind.choices = UnitKind::ALL
        .iter()
        .map(|k| t.label("unit.kind", k.id()))
        .collect();
    vec![
        Sheet {
            id: "units",
            name: t.t("import.sheet_units").to_string(),
            aliases: vec![other.t("import.sheet_units").to_string()],
            columns: vec![
                col(t, &other, "code", "import.units_code", true, 16.0),
                col(t, &other, "name", "import.units_name", true, 30.0),
                col(
                    t,
                    &other,
                    "short_name",
                    "import.units_short_name",
                    false,
                    14.0,
                ),
                kind,
                col(
                    t,
                    &other,
                    "region_code",
                    "import.units_region_code",
                    true,
                    16.0,
                ),
                col(t, &other, "phone", "import.units_phone", false, 16.0),
                col(
                    t,
                    &other,
                    "sort_order",
                    "import.units_sort_order",
                    false,
                    8.0,
                ),
            ],
        },
        Sheet {
            id: "people",
            name: t.t("import.sheet_people").to_string(),
            aliases: vec![other.t("import.sheet_people").to_string()],
            columns: vec![
                col(t, &other, "name", "import.people_name", true, 12.0),
                col(t, &other, "title", "import.people_title", false, 20.0),
                col(
                    t,
                    &other,
                    "unit_code",
                    "import.people_unit_code",
                    true,
                    16.0,
                ),
                col(t, &other, "phone", "import.people_phone", false, 16.0),
                col(t, &other, "email", "import.people_email", false, 24.0),
            ],
        },
    ]
}

/// The template, with the codes of the regions and units the caller may import into.
pub async fn template(st: &AppState, ctx: &Ctx) -> AppResult<Vec<u8>> {
    let auth = ctx.auth()?;
    let t = &ctx.t;
    let all = Page::largest();
    let (regions, _) = org::list_regions(
        &st.db,
        &auth.principal.visibility(Entity::Region, Action::Read),
        &RegionFilter::default(),
        all,
    )
    .await?;
    let (units, _) = org::list_units(
        &st.db,
        &auth.principal.visibility(Entity::Unit, Action::Read),
        &UnitFilter::default(),
        all,
    )
    .await?;
    let references = vec![
        ReferenceSheet {
            name: t.t("import.sheet_regions").to_string(),
            headers: vec![
                t.t("field.code").into(),
                t.t("field.name").into(),
                t.t("field.level").into(),
            ],
            rows: regions
                .iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.name.clone(),
                        t.label("region.level", &r.level),
                    ]
                })
                .collect(),
        },
        ReferenceSheet {
            name: t.t("import.sheet_unit_codes").to_string(),
            headers: vec![
                t.t("field.code").into(),
                t.t("field.name").into(),
                t.t("field.region").into(),
            ],
            rows: units
                .iter()
                .map(|u| vec![u.code.clone(), u.name.clone(), u.region_name.clone()])
                .collect(),
        },
    ];
    let notes: Vec<String> = [
        "import.note_1",
        "import.note_2",
        "import.note_3",
        "import.note_4",
    ]
    .iter()
    .map(|k| t.t(k).to_string())
    .collect();
    xlsx::template(&sheets(t), t.t("import.sheet_notes"), &notes, &references)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))
}

/// A kind as typed: its id, or its label in either language.
fn parse_kind(s: &str) -> Option<UnitKind> {
    let s = s.trim();
    UnitKind::parse(s).or_else(|| {
        UnitKind::ALL.iter().copied().find(|k| {
            [Lang::Zh, Lang::En]
                .iter()
                .any(|l| Tr::new(*l, chrono_tz::UTC).label("unit.kind", k.id()) == s)
        })
    })
}

fn at(e: FieldError, sheet: &str, row: usize) -> FieldError {
    e.at_row(sheet, row)
}

pub async fn import(st: &AppState, ctx: &Ctx, bytes: &[u8]) -> AppResult<ImportSummary> {
    let auth = ctx.auth()?;
    let mut read = super::read_workbook(bytes, sheets(&ctx.t))
        .await?
        .into_iter();
    let unit_rows = read.next().unwrap_or_default();
    let people_rows = read.next().unwrap_or_default();
    let (units, people) = check(st, auth, &unit_rows, &people_rows).await?;
    Ok(org::import(&st.db, &ctx.actor(), &units, &people).await?)
}

async fn check(
    st: &AppState,
    auth: &Auth,
    unit_rows: &[Row],
    people_rows: &[Row],
) -> AppResult<(Vec<UnitRow>, Vec<PersonRow>)> {
    let mut errors = Invalid::default();
    let mut regions: HashMap<String, Option<Region>> = HashMap::new();
    let codes: Vec<String> = unit_rows
        .iter()
        .map(|r| r.get("code").to_string())
        .collect();
    let existing: HashMap<String, org::Unit> = org::units_by_codes(&st.db, &codes)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let mut seen = HashSet::new();
    let mut units = Vec::new();
    let mut new_unit_places: HashMap<String, Place> = HashMap::new();
    for r in unit_rows {
        let sort_order = match r.get("sort_order") {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(at(
                        FieldError::new("sort_order", "err.number"),
                        "units",
                        r.row,
                    ));
                    None
                }
            },
        };
        let kind = match parse_kind(r.get("kind")) {
            Some(k) => k.id().to_string(),
            None => r.get("kind").to_string(),
        };
        let input = UnitInput {
            code: r.get("code").into(),
            name: r.get("name").into(),
            short_name: r.get("short_name").into(),
            kind,
            phone: r.get("phone").into(),
            sort_order,
        };
        let fields = match input.validate() {
            Ok(f) => Some(f),
            Err(e) => {
                errors
                    .0
                    .extend(e.0.into_iter().map(|x| at(x, "units", r.row)));
                None
            }
        };
        if !r.get("code").is_empty() && !seen.insert(r.get("code").to_string()) {
            errors.push(at(
                FieldError::new("code", "err.xlsx_duplicate_code").with("code", r.get("code")),
                "units",
                r.row,
            ));
        }
        let code = r.get("region_code").to_string();
        if !regions.contains_key(&code) {
            let found = org::region_by_code(&st.db, &code).await?;
            regions.insert(code.clone(), found);
        }
        // A region the caller cannot see reads as unknown.
        let region = regions
            .get(&code)
            .cloned()
            .flatten()
            .filter(|r| r.active && auth.can(Entity::Region, Action::Read, &r.place()));
        let Some(region) = region else {
            if !code.is_empty() {
                errors.push(at(
                    FieldError::new("region_code", "err.unknown_region").with("code", &code),
                    "units",
                    r.row,
                ));
            } else {
                errors.push(at(
                    FieldError::new("region_code", "err.required"),
                    "units",
                    r.row,
                ));
            }
            continue;
        };
        let existing_unit = existing.get(r.get("code"));
        let region_place = Place {
            region_path: region.path.clone(),
            unit_id: None,
        };
        // Updating a unit in place needs write permission on it; creating one, or moving one
        // to another region, needs write permission over the region itself.
        let allowed = match existing_unit {
            Some(u) if u.region_id == region.id => {
                auth.can(Entity::Unit, Action::Write, &u.place())
            }
            Some(u) => {
                auth.can(Entity::Unit, Action::Write, &u.place())
                    && auth.can(Entity::Unit, Action::Write, &region_place)
            }
            None => auth.can(Entity::Unit, Action::Write, &region_place),
        };
        if !allowed {
            errors.push(at(
                FieldError::new("region_code", "err.out_of_scope"),
                "units",
                r.row,
            ));
            continue;
        }
        let target = Place {
            region_path: region.path.clone(),
            unit_id: existing_unit.map(|u| u.id),
        };
        if let Some(fields) = fields {
            new_unit_places.insert(fields.code.clone(), target);
            units.push(UnitRow {
                row: r.row,
                region_id: region.id,
                fields,
            });
        }
    }
    let person_unit_codes: Vec<String> = people_rows
        .iter()
        .map(|r| r.get("unit_code").to_string())
        .filter(|c| !new_unit_places.contains_key(c))
        .collect();
    let person_units: HashMap<String, org::Unit> = org::units_by_codes(&st.db, &person_unit_codes)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let mut people = Vec::new();
    for r in people_rows {
        let input = PersonInput {
            name: r.get("name").into(),
            title: r.get("title").into(),
            phone: r.get("phone").into(),
            email: r.get("email").into(),
        };
        let fields = match input.validate() {
            Ok(f) => Some(f),
            Err(e) => {
                errors
                    .0
                    .extend(e.0.into_iter().map(|x| at(x, "people", r.row)));
                None
            }
        };
        let code = r.get("unit_code");
        let place = new_unit_places.get(code).cloned().or_else(|| {
            person_units
                .get(code)
                .filter(|u| u.active)
                .map(org::Unit::place)
        });
        let Some(place) = place else {
            let e = if code.is_empty() {
                FieldError::new("unit_code", "err.required")
            } else {
                FieldError::new("unit_code", "err.unknown_unit").with("code", code)
            };
            errors.push(at(e, "people", r.row));
            continue;
        };
        if !auth.can(Entity::Person, Action::Write, &place) {
            errors.push(at(
                FieldError::new("unit_code", "err.out_of_scope"),
                "people",
                r.row,
            ));
            continue;
        }
        if let Some(fields) = fields {
            people.push(PersonRow {
                row: r.row,
                unit_code: code.to_string(),
                fields,
            });
        }
    }
    if unit_rows.is_empty() && people_rows.is_empty() {
        errors.push(FieldError::new("file", "err.xlsx_empty"));
    }
    errors.into_result()?;
    Ok((units, people))
}
