//! Target lists (精准对接招引清单, M9): a county's list for a year of the companies it will court,
//! each with a responsible leader, unit and planned actions; quotas per company mark (at least
//! 20 世界500强, 50 中国500强, 10 总部机构 by default) with their progress; and the units with a
//! recruiting duty, each of which must plan at least two projects a year.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::company::{CompanyFlag, CompanyStatus};
use crate::validation::{self, FieldError, Invalid};

/// Defaults for a new list (config `[target_list]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetRules {
    /// Least entries per company mark, e.g. `{ global500 = 20, china500 = 50, headquarters = 10 }`.
    pub quotas: BTreeMap<String, i64>,
    /// Projects each unit with a recruiting duty must plan in the year.
    pub min_projects_per_unit: i64,
}

impl Default for TargetRules {
    fn default() -> Self {
        Self {
            quotas: [("global500", 20), ("china500", 50), ("headquarters", 10)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            min_projects_per_unit: 2,
        }
    }
}

impl TargetRules {
    pub fn check(&self) -> Result<(), String> {
        for (k, v) in &self.quotas {
            if CompanyFlag::parse(k).is_none() {
                return Err(format!(
                    "quota “{k}”: must be global500, china500, private500, headquarters or listed"
                ));
            }
            if *v < 0 {
                return Err(format!("quota “{k}” is negative"));
            }
        }
        if self.min_projects_per_unit < 0 {
            return Err("min_projects_per_unit is negative".into());
        }
        Ok(())
    }
}

/// A list as entered in its form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TargetListInput {
    pub year: Option<i64>,
    /// Default: “{year}年精准对接招引清单”.
    pub name: String,
    /// Least entries per company mark (global500, china500, private500, headquarters, listed).
    pub quotas: BTreeMap<String, i64>,
    /// The units with a recruiting duty this year.
    pub duty_unit_ids: Vec<i64>,
    /// Projects each duty unit must plan in the year.
    pub min_projects_per_unit: Option<i64>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetListFields {
    pub year: i64,
    pub name: String,
    pub quotas: Vec<(CompanyFlag, i64)>,
    pub duty_unit_ids: Vec<i64>,
    pub min_projects_per_unit: i64,
    pub notes: Option<String>,
}

impl TargetListInput {
    pub fn validate(&self) -> Result<TargetListFields, Invalid> {
        let mut e = Invalid::default();
        let year = match self.year {
            Some(y) if (2000..=2100).contains(&y) => y,
            Some(_) => {
                e.push(
                    FieldError::new("year", "err.range")
                        .with("min", 2000)
                        .with("max", 2100),
                );
                0
            }
            None => {
                e.push(FieldError::new("year", "err.required"));
                0
            }
        };
        let name = validation::optional(&mut e, "name", &self.name, 60)
            .unwrap_or_else(|| format!("{year}年精准对接招引清单"));
        let mut quotas = Vec::new();
        for (k, v) in &self.quotas {
            match CompanyFlag::parse(k) {
                None => e.push(FieldError::new("quotas", "err.choice")),
                Some(_) if !(0..=10_000).contains(v) => e.push(
                    FieldError::new(format!("quota_{k}"), "err.range")
                        .with("min", 0)
                        .with("max", 10_000),
                ),
                Some(f) if *v > 0 => quotas.push((f, *v)),
                Some(_) => {}
            }
        }
        quotas.sort_by_key(|(f, _)| CompanyFlag::ALL.iter().position(|x| x == f));
        let min_projects_per_unit = self.min_projects_per_unit.unwrap_or(2);
        if !(0..=100).contains(&min_projects_per_unit) {
            e.push(
                FieldError::new("min_projects_per_unit", "err.range")
                    .with("min", 0)
                    .with("max", 100),
            );
        }
        let mut duty_unit_ids = self.duty_unit_ids.clone();
        duty_unit_ids.sort_unstable();
        duty_unit_ids.dedup();
        if duty_unit_ids.len() > 200 {
            e.push(FieldError::new("duty_unit_ids", "err.too_many").with("max", 200));
        }
        let notes = validation::optional(&mut e, "notes", &self.notes, 2000);
        e.into_result()?;
        Ok(TargetListFields {
            year,
            name,
            quotas,
            duty_unit_ids,
            min_projects_per_unit,
            notes,
        })
    }
}

/// An entry of a list as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TargetEntryInput {
    /// A company of the county's library.
    pub company_id: Option<i64>,
    /// The responsible leader (a person).
    pub leader_id: Option<i64>,
    /// The responsible unit.
    pub unit_id: Option<i64>,
    /// Planned actions: visits, talks, events.
    pub actions: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetEntryFields {
    pub company_id: i64,
    pub leader_id: Option<i64>,
    pub unit_id: i64,
    pub actions: Option<String>,
}

impl TargetEntryInput {
    pub fn validate(&self) -> Result<TargetEntryFields, Invalid> {
        let mut e = Invalid::default();
        if self.company_id.is_none() {
            e.push(FieldError::new("company_id", "err.required"));
        }
        if self.unit_id.is_none() {
            e.push(FieldError::new("unit_id", "err.required"));
        }
        let actions = validation::optional(&mut e, "actions", &self.actions, 1000);
        e.into_result()?;
        Ok(TargetEntryFields {
            company_id: self.company_id.unwrap_or_default(),
            leader_id: self.leader_id,
            unit_id: self.unit_id.unwrap_or_default(),
            actions,
        })
    }
}

/// How a quota stands: entries with the mark, and how far their companies have come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuotaProgress {
    /// global500, china500, private500, headquarters or listed.
    pub flag: String,
    pub minimum: i64,
    /// Entries whose company has the mark.
    pub listed: i64,
    /// Of those, companies in contact, signed or landed.
    pub contacting: i64,
    pub signed: i64,
    pub landed: i64,
    /// Whether the list has at least `minimum` such entries.
    pub met: bool,
}

/// Quota progress from the entries' companies: (their marks, their status).
pub fn progress(
    quotas: &[(CompanyFlag, i64)],
    entries: &[(Vec<CompanyFlag>, CompanyStatus)],
) -> Vec<QuotaProgress> {
    quotas
        .iter()
        .map(|(flag, minimum)| {
            let with: Vec<CompanyStatus> = entries
                .iter()
                .filter(|(flags, _)| flags.contains(flag))
                .map(|(_, s)| *s)
                .collect();
            let count = |s: CompanyStatus| with.iter().filter(|x| **x == s).count() as i64;
            let listed = with.len() as i64;
            QuotaProgress {
                flag: flag.id().to_string(),
                minimum: *minimum,
                listed,
                contacting: count(CompanyStatus::Contacting),
                signed: count(CompanyStatus::Signed),
                landed: count(CompanyStatus::Landed),
                met: listed >= *minimum,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_count_marked_entries_and_their_progress() {
        use CompanyFlag::*;
        use CompanyStatus::*;
        let entries = vec![
            (vec![Global500, Listed], Landed),
            (vec![Global500], Contacting),
            (vec![China500], Signed),
            (vec![], Potential),
        ];
        let p = progress(&[(Global500, 2), (China500, 3)], &entries);
        assert_eq!(
            (p[0].listed, p[0].landed, p[0].contacting, p[0].met),
            (2, 1, 1, true)
        );
        assert_eq!((p[1].listed, p[1].signed, p[1].met), (1, 1, false));
    }

    #[test]
    fn a_list_needs_its_year_and_known_marks() {
        let ok = TargetListInput {
            year: Some(2026),
            quotas: [("china500".to_string(), 50), ("global500".to_string(), 20)]
                .into_iter()
                .collect(),
            duty_unit_ids: vec![3, 3, 1],
            ..Default::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.name, "2026年精准对接招引清单");
        assert_eq!(
            ok.quotas,
            vec![(CompanyFlag::Global500, 20), (CompanyFlag::China500, 50)]
        );
        assert_eq!(ok.duty_unit_ids, vec![1, 3]);
        assert_eq!(ok.min_projects_per_unit, 2);
        let err = TargetListInput {
            year: Some(1999),
            quotas: [("fortune".to_string(), 1)].into_iter().collect(),
            ..Default::default()
        }
        .validate()
        .expect_err("invalid");
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["year", "quotas"]);
        assert!(TargetRules::default().check().is_ok());
    }
}
