//! The organisation: regions (province → city → county → town), units, people — and the rules
//! for entering them, shared by forms, the API and spreadsheet import.

use serde::{Deserialize, Serialize};

use crate::validation::{self, FieldError, Invalid};

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $id:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Identifier stored in the database and used in the API.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($id => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Administrative level of a region.
    RegionLevel { Province = "province", City = "city", County = "county", Town = "town" }
);

string_enum!(
    /// What kind of body a unit is.
    UnitKind { Department = "department", Park = "park", Town = "town", Office = "office" }
);

impl RegionLevel {
    /// The level a region's parent must have; `None` for a province, which has no parent.
    pub fn parent_level(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::Province => None,
            RegionLevel::City => Some(RegionLevel::Province),
            RegionLevel::County => Some(RegionLevel::City),
            RegionLevel::Town => Some(RegionLevel::County),
        }
    }
}

/// Where an entity sits in the organisation, for permission checks: the materialised path of
/// its region (`/1/7/23/`) and, for unit-bound entities, the unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub region_path: String,
    pub unit_id: Option<i64>,
}

/// Builds a child's path from its parent's path and its own id.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), id)
}

/// The regions a path is made of, from the top: the region and every region above it.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RegionInput {
    pub code: String,
    pub name: String,
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionFields {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
}

impl RegionInput {
    /// Checks the fields; `parent_level` is the level of the chosen parent (None for none).
    pub fn validate(&self, parent_level: Option<RegionLevel>) -> Result<RegionFields, Invalid> {
        let mut e = Invalid::default();
        let code = validation::code(&mut e, "code", &self.code);
        let name = validation::required(&mut e, "name", &self.name, 50);
        let level = RegionLevel::parse(self.level.trim());
        match level {
            None => e.push(FieldError::new("level", "err.choice")),
            Some(level) if level.parent_level() != parent_level => {
                e.push(FieldError::new("parent", "err.region_parent_level"));
            }
            Some(_) => {}
        }
        e.into_result()?;
        Ok(RegionFields {
            code,
            name,
            level: level.unwrap_or(RegionLevel::Town),
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    pub kind: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub sort_order: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitFields {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub phone: Option<String>,
    pub sort_order: i64,
}

impl UnitInput {
    pub fn validate(&self) -> Result<UnitFields, Invalid> {
        let mut e = Invalid::default();
        let code = validation::code(&mut e, "code", &self.code);
        let name = validation::required(&mut e, "name", &self.name, 60);
        let short_name = validation::optional(&mut e, "short_name", &self.short_name, 20);
        let kind = UnitKind::parse(self.kind.trim());
        if kind.is_none() {
            e.push(FieldError::new("kind", "err.choice"));
        }
        let phone = validation::optional(&mut e, "phone", &self.phone, 40);
        let phone = validation::phone(&mut e, "phone", phone);
        let sort_order = self.sort_order.unwrap_or(0);
        if !(0..=99_999).contains(&sort_order) {
            e.push(
                FieldError::new("sort_order", "err.range")
                    .with("min", 0)
                    .with("max", 99_999),
            );
        }
        e.into_result()?;
        Ok(UnitFields {
            code,
            name,
            short_name,
            kind: kind.unwrap_or(UnitKind::Department),
            phone,
            sort_order,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PersonInput {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonFields {
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl PersonInput {
    pub fn validate(&self) -> Result<PersonFields, Invalid> {
        let mut e = Invalid::default();
        let name = validation::required(&mut e, "name", &self.name, 30);
        let title = validation::optional(&mut e, "title", &self.title, 40);
        let phone = validation::optional(&mut e, "phone", &self.phone, 40);
        let phone = validation::phone(&mut e, "phone", phone);
        let email = validation::optional(&mut e, "email", &self.email, 254);
        let email = validation::email(&mut e, "email", email);
        e.into_result()?;
        Ok(PersonFields {
            name,
            title,
            phone,
            email,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_made_of_its_regions() {
        assert_eq!(path_ids(&child_path(Some("/1/9/"), 647)), [1, 9, 647]);
        assert_eq!(path_ids("/"), Vec::<i64>::new());
    }

    #[test]
    fn region_level_must_fit_parent() {
        let county = RegionInput {
            code: "370322".into(),
            name: "高青县".into(),
            level: "county".into(),
        };
        assert!(county.validate(Some(RegionLevel::City)).is_ok());
        let err = county
            .validate(Some(RegionLevel::Province))
            .expect_err("invalid");
        assert_eq!(err.0[0].code, "err.region_parent_level");
        let err = county.validate(None).expect_err("invalid");
        assert_eq!(err.0[0].field, "parent");
    }

    #[test]
    fn unit_reports_every_bad_field() {
        let bad = UnitInput {
            code: "县发改".into(),
            name: " ".into(),
            kind: "ministry".into(),
            phone: "abc".into(),
            ..Default::default()
        };
        let err = bad.validate().expect_err("invalid");
        let fields: Vec<_> = err.fields().collect();
        assert_eq!(fields, vec!["code", "name", "kind", "phone"]);
    }

    #[test]
    fn person_optional_fields_become_none() {
        let p = PersonInput {
            name: " 张亮云 ".into(),
            ..Default::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(p.name, "张亮云");
        assert_eq!(p.title, None);
    }

    #[test]
    fn paths() {
        assert_eq!(child_path(None, 1), "/1/");
        assert_eq!(child_path(Some("/1/"), 7), "/1/7/");
    }
}
