//! The talent library (人才库): experts and teams the county courts, the talent programs they
//! belong to (national, provincial, municipal; the list is configuration), where contact stands,
//! and the company or project they came with. A talent whose status is 已落地 is an introduced
//! talent (已引进).

use serde::{Deserialize, Serialize};

use crate::org::string_enum;
use crate::validation::{self, FieldError, Invalid};

string_enum!(
    /// An expert, or a team with its leader.
    TalentKind {
        Person = "person",
        Team = "team",
    }
);

string_enum!(
    /// The level of a talent program.
    ProgramLevel {
        National = "national",
        Provincial = "provincial",
        Municipal = "municipal",
    }
);

/// One talent program a talent may belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub name: String,
    /// national, provincial or municipal.
    pub level: String,
}

/// The talent programs the county recognises (config `[talent] programs`). The default lists
/// the national programs policy documents name and common provincial and municipal ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Programs {
    pub programs: Vec<Program>,
}

impl Default for Programs {
    fn default() -> Self {
        let p = |name: &str, level: ProgramLevel| Program {
            name: name.into(),
            level: level.id().into(),
        };
        use ProgramLevel::*;
        Self {
            programs: vec![
                p("国家海外高层次人才引进计划（千人计划）", National),
                p("国家高层次人才特殊支持计划（万人计划）", National),
                p("长江学者奖励计划", National),
                p("国家杰出青年科学基金", National),
                p("泰山学者", Provincial),
                p("泰山产业领军人才", Provincial),
                p("齐鲁首席技师", Provincial),
                p("市级高层次人才", Municipal),
                p("市级产业领军人才", Municipal),
            ],
        }
    }
}

impl Programs {
    pub fn level_of(&self, name: &str) -> Option<ProgramLevel> {
        self.programs
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| ProgramLevel::parse(&p.level))
    }

    /// The programs of a level.
    pub fn of_level(&self, level: ProgramLevel) -> Vec<String> {
        self.programs
            .iter()
            .filter(|p| p.level == level.id())
            .map(|p| p.name.clone())
            .collect()
    }

    /// Puts program names in the configuration's order (names it does not list last).
    pub fn order(&self, names: &mut [String]) {
        names.sort_by_key(|n| {
            self.programs
                .iter()
                .position(|p| &p.name == n)
                .unwrap_or(usize::MAX)
        });
    }

    /// Refuses a configuration with an unknown level or a program named twice.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for p in &self.programs {
            if ProgramLevel::parse(&p.level).is_none() {
                return Err(format!(
                    "talent program “{}”: level must be national, provincial or municipal",
                    p.name
                ));
            }
            if !seen.insert(p.name.as_str()) {
                return Err(format!("talent program “{}” is listed twice", p.name));
            }
        }
        Ok(())
    }
}

/// A talent as entered in a form or the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TalentInput {
    /// person or team.
    pub kind: String,
    /// The person's name, or the team's.
    pub name: String,
    /// For a team: its leader.
    pub leader: String,
    /// For a team: how many people.
    pub team_size: Option<i64>,
    /// 研究领域 / 专业方向.
    pub field: String,
    /// University, institute or company the talent belongs to now.
    pub affiliation: String,
    /// 职称 / 职务.
    pub title: String,
    pub country: String,
    /// Names of configured talent programs.
    pub programs: Vec<String>,
    pub contact_phone: String,
    pub email: String,
    /// The company of the library the talent came with.
    pub company_id: Option<i64>,
    /// The project the talent works on.
    pub project_id: Option<i64>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TalentFields {
    pub kind: TalentKind,
    pub name: String,
    pub leader: Option<String>,
    pub team_size: Option<i64>,
    pub field: Option<String>,
    pub affiliation: Option<String>,
    pub title: Option<String>,
    pub country: String,
    pub programs: Vec<String>,
    /// The highest level among the programs.
    pub program_level: Option<ProgramLevel>,
    pub contact_phone: Option<String>,
    pub email: Option<String>,
    pub company_id: Option<i64>,
    pub project_id: Option<i64>,
    pub notes: Option<String>,
}

impl TalentInput {
    pub fn validate(&self, programs: &Programs) -> Result<TalentFields, Invalid> {
        let mut e = Invalid::default();
        let kind = match self.kind.trim() {
            "" => TalentKind::Person,
            k => TalentKind::parse(k).unwrap_or_else(|| {
                e.push(FieldError::new("kind", "err.choice"));
                TalentKind::Person
            }),
        };
        let name = validation::required(&mut e, "name", &self.name, 60);
        let leader = validation::optional(&mut e, "leader", &self.leader, 30);
        if kind == TalentKind::Team && leader.is_none() {
            e.push(FieldError::new("leader", "err.required"));
        }
        let team_size = match (kind, self.team_size) {
            (TalentKind::Team, Some(n)) if !(2..=500).contains(&n) => {
                e.push(
                    FieldError::new("team_size", "err.range")
                        .with("min", 2)
                        .with("max", 500),
                );
                None
            }
            (TalentKind::Team, n) => n,
            (TalentKind::Person, _) => None,
        };
        let field = validation::optional(&mut e, "field", &self.field, 60);
        let affiliation = validation::optional(&mut e, "affiliation", &self.affiliation, 100);
        let title = validation::optional(&mut e, "title", &self.title, 40);
        let country =
            validation::optional(&mut e, "country", &self.country, 40).unwrap_or("中国".into());
        let mut names: Vec<String> = Vec::new();
        let mut level: Option<ProgramLevel> = None;
        for p in self
            .programs
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            match programs.level_of(p) {
                Some(l) => {
                    if !names.iter().any(|n| n == p) {
                        names.push(p.to_string());
                    }
                    // The enum lists national first: the lowest rank is the highest level.
                    if level.is_none_or(|x| rank(l) < rank(x)) {
                        level = Some(l);
                    }
                }
                None => e.push(FieldError::new("programs", "err.talent_program").with("name", p)),
            }
        }
        // In the configuration's order, so that the same programs typed in another order are
        // the same talent.
        programs.order(&mut names);
        let phone = validation::optional(&mut e, "contact_phone", &self.contact_phone, 40);
        let contact_phone = validation::phone(&mut e, "contact_phone", phone);
        let email = validation::optional(&mut e, "email", &self.email, 100);
        let email = validation::email(&mut e, "email", email);
        let notes = validation::optional(&mut e, "notes", &self.notes, 2000);
        e.into_result()?;
        Ok(TalentFields {
            kind,
            name,
            leader: if kind == TalentKind::Team {
                leader
            } else {
                None
            },
            team_size,
            field,
            affiliation,
            title,
            country,
            programs: names,
            program_level: level,
            contact_phone,
            email,
            company_id: self.company_id,
            project_id: self.project_id,
            notes,
        })
    }
}

fn rank(l: ProgramLevel) -> usize {
    ProgramLevel::ALL
        .iter()
        .position(|x| *x == l)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_needs_its_leader_and_programs_must_be_configured() {
        let programs = Programs::default();
        let ok = TalentInput {
            name: "李明".into(),
            field: "高分子材料".into(),
            programs: vec![
                "泰山学者".into(),
                "长江学者奖励计划".into(),
                "泰山学者".into(),
            ],
            ..Default::default()
        }
        .validate(&programs)
        .expect("valid");
        assert_eq!(ok.kind, TalentKind::Person);
        assert_eq!(ok.programs.len(), 2);
        assert_eq!(ok.program_level, Some(ProgramLevel::National));
        assert_eq!(ok.country, "中国");

        let err = TalentInput {
            kind: "team".into(),
            name: "新型储能研发团队".into(),
            team_size: Some(1),
            programs: vec!["不存在的计划".into()],
            ..Default::default()
        }
        .validate(&programs)
        .expect_err("invalid");
        let fields: Vec<_> = err.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("leader", "err.required"),
                ("team_size", "err.range"),
                ("programs", "err.talent_program"),
            ]
        );
        assert!(Programs::default().check().is_ok());
        let bad = Programs {
            programs: vec![Program {
                name: "x".into(),
                level: "county".into(),
            }],
        };
        assert!(bad.check().is_err());
    }
}
