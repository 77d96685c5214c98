//! The company library (企业库 / 目标库): what a company record must hold, its status of contact,
//! and the normalised name that catches the same company written twice.

use serde::{Deserialize, Serialize};

use crate::credit_code::{self, CreditCodeError};
use crate::org::string_enum;
use crate::validation::{self, FieldError, Invalid};

string_enum!(
    /// Where the county stands with a company.
    CompanyStatus {
        Potential = "potential",
        Contacting = "contacting",
        Signed = "signed",
        Landed = "landed",
        Abandoned = "abandoned",
    }
);

impl CompanyStatus {
    /// How far along contact is (abandoned is not on the way).
    pub fn rank(self) -> Option<u8> {
        use CompanyStatus::*;
        match self {
            Potential => Some(0),
            Contacting => Some(1),
            Signed => Some(2),
            Landed => Some(3),
            Abandoned => None,
        }
    }

    /// Contact moves forward (潜在 → 对接中 → 已签约 → 已落地), steps may be skipped (a company
    /// already in the county is entered as landed); any open status may be abandoned (with a
    /// reason), and an abandoned company may be taken up again.
    pub fn can_move(self, to: CompanyStatus) -> bool {
        use CompanyStatus::*;
        matches!(
            (self, to),
            (Potential, Contacting | Signed | Landed)
                | (Contacting, Signed | Landed)
                | (Signed, Landed)
                | (Potential | Contacting | Signed, Abandoned)
                | (Abandoned, Potential | Contacting)
        )
    }
}

string_enum!(
    /// The marks the target quotas count (世界500强 …).
    CompanyFlag {
        Global500 = "global500",
        China500 = "china500",
        Private500 = "private500",
        Headquarters = "headquarters",
        Listed = "listed",
    }
);

/// The sections of the national industry classification (国民经济行业分类, GB/T 4754-2017) with
/// the range of their two-digit divisions.
pub const INDUSTRY_SECTIONS: &[(char, u8, u8)] = &[
    ('A', 1, 5),
    ('B', 6, 12),
    ('C', 13, 43),
    ('D', 44, 46),
    ('E', 47, 50),
    ('F', 51, 52),
    ('G', 53, 60),
    ('H', 61, 62),
    ('I', 63, 65),
    ('J', 66, 69),
    ('K', 70, 70),
    ('L', 71, 72),
    ('M', 73, 75),
    ('N', 76, 79),
    ('O', 80, 82),
    ('P', 83, 83),
    ('Q', 84, 85),
    ('R', 86, 90),
    ('S', 91, 97),
    ('T', 98, 98),
];

/// Checks an industry section letter and, when given, a division of it (e.g. `C` and `27`).
pub fn industry(
    e: &mut Invalid,
    section: &str,
    division: &str,
) -> (Option<String>, Option<String>) {
    let section = section.trim().to_uppercase();
    let division = division.trim();
    let range = INDUSTRY_SECTIONS
        .iter()
        .find(|(s, _, _)| section.len() == 1 && section.starts_with(*s));
    if !section.is_empty() && range.is_none() {
        e.push(FieldError::new("industry_section", "err.choice"));
    }
    if division.is_empty() {
        return ((!section.is_empty()).then_some(section), None);
    }
    match (range, division.parse::<u8>()) {
        (Some((_, lo, hi)), Ok(d)) if division.len() == 2 && (*lo..=*hi).contains(&d) => {}
        (None, _) if section.is_empty() => {
            e.push(FieldError::new("industry_section", "err.required"));
        }
        (Some((s, lo, hi)), _) => e.push(
            FieldError::new("industry_division", "err.industry_division")
                .with("section", s)
                .with("from", format!("{lo:02}"))
                .with("to", format!("{hi:02}")),
        ),
        (None, _) => {}
    }
    (
        (!section.is_empty()).then_some(section),
        Some(division.to_string()),
    )
}

/// The message for a refused credit code, with the reason.
pub fn credit_code_error(field: &str, err: &CreditCodeError) -> FieldError {
    match err {
        CreditCodeError::Length(n) => FieldError::new(field, "err.credit_code_length").with("n", n),
        CreditCodeError::Character { position, found } => {
            FieldError::new(field, "err.credit_code_character")
                .with("position", position)
                .with("found", found)
        }
        CreditCodeError::Check { expected, found } => {
            FieldError::new(field, "err.credit_code_check")
                .with("expected", expected)
                .with("found", found)
        }
    }
}

/// An optional credit code, checked and made canonical.
pub fn optional_credit_code(e: &mut Invalid, field: &str, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    match credit_code::check(value) {
        Ok(code) => Some(code),
        Err(err) => {
            e.push(credit_code_error(field, &err));
            None
        }
    }
}

/// The name as compared for duplicates: full-width forms folded to half-width, spaces and
/// brackets dropped, Latin letters in lower case, and the legal-form spellings that mean the
/// same (有限责任公司 = 有限公司, 股份公司 = 股份有限公司) made one.
pub fn name_key(name: &str) -> String {
    let folded: String = name
        .chars()
        .filter_map(|c| {
            let c = match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            };
            let dropped = c.is_whitespace()
                || matches!(
                    c,
                    '(' | ')'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '【'
                        | '】'
                        | '〔'
                        | '〕'
                        | '「'
                        | '」'
                        | '·'
                );
            (!dropped).then(|| c.to_ascii_lowercase())
        })
        .collect();
    folded
        .replace("有限责任公司", "有限公司")
        .replace("股份公司", "股份有限公司")
}

/// What a text search matches: the name in lower case and its pinyin, full and as initials.
pub fn search_text(name: &str, credit_code: Option<&str>) -> String {
    crate::task::search_text(credit_code.unwrap_or_default(), name)
}

/// A company as entered in a form, the API or a spreadsheet row.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CompanyInput {
    pub name: String,
    /// 统一社会信用代码 (18 characters; its check character is verified). Empty for a company
    /// registered abroad.
    pub credit_code: String,
    pub country: String,
    pub hq_city: String,
    /// GB/T 4754 section letter (A–T).
    pub industry_section: String,
    /// GB/T 4754 two-digit division within the section.
    pub industry_division: String,
    /// Any of global500, china500, private500, headquarters, listed.
    pub flags: Vec<String>,
    /// The people to call at the company, the main one first; blank entries are dropped.
    pub contacts: Vec<Contact>,
    /// How the lead came (商会推荐, 以商招商, 中介机构 …).
    pub source: String,
    pub notes: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompanyFields {
    pub name: String,
    pub name_key: String,
    pub credit_code: Option<String>,
    pub country: String,
    pub hq_city: Option<String>,
    pub industry_section: Option<String>,
    pub industry_division: Option<String>,
    pub global500: bool,
    pub china500: bool,
    pub private500: bool,
    pub headquarters: bool,
    pub listed: bool,
    pub contacts: Contacts,
    pub source: Option<String>,
    pub notes: Option<String>,
}

impl CompanyFields {
    pub fn flags(&self) -> Vec<CompanyFlag> {
        [
            (self.global500, CompanyFlag::Global500),
            (self.china500, CompanyFlag::China500),
            (self.private500, CompanyFlag::Private500),
            (self.headquarters, CompanyFlag::Headquarters),
            (self.listed, CompanyFlag::Listed),
        ]
        .into_iter()
        .filter_map(|(on, f)| on.then_some(f))
        .collect()
    }
}

/// One person to call at a company. Empty strings are parts not known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Contact {
    pub name: String,
    /// 职务.
    pub title: String,
    pub phone: String,
    pub email: String,
}

/// A company's contacts as stored: a JSON array in one column, read and written whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Contacts(pub Vec<Contact>);

impl TryFrom<String> for Contacts {
    type Error = serde_json::Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        serde_json::from_str(&s)
    }
}

impl Contacts {
    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".to_string())
    }
}

/// Contacts one company may list.
pub const MAX_CONTACTS: usize = 10;

/// Checks each contact (errors name it as `contacts.<index>.<part>`); entries with nothing in
/// them are dropped, and one with only a title must say whom it means.
fn contacts(e: &mut Invalid, input: &[Contact]) -> Contacts {
    let mut out = Vec::new();
    for (i, c) in input.iter().enumerate() {
        let field = |part: &str| format!("contacts.{i}.{part}");
        let name = validation::optional(e, &field("name"), &c.name, 30);
        let title = validation::optional(e, &field("title"), &c.title, 40);
        let phone = validation::optional(e, &field("phone"), &c.phone, 40);
        let phone = validation::phone(e, &field("phone"), phone);
        let email = validation::optional(e, &field("email"), &c.email, 254);
        let email = validation::email(e, &field("email"), email);
        if name.is_none() && phone.is_none() && email.is_none() {
            if title.is_some() {
                e.push(FieldError::new(field("name"), "err.required"));
            }
            continue;
        }
        out.push(Contact {
            name: name.unwrap_or_default(),
            title: title.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            email: email.unwrap_or_default(),
        });
    }
    if out.len() > MAX_CONTACTS {
        e.push(FieldError::new("contacts", "err.too_many").with("max", MAX_CONTACTS));
    }
    Contacts(out)
}

/// Contacts as one spreadsheet cell writes them: one a line, parts split by commas, 、, /, |,
/// semicolons or tabs (or by spaces where a line has none of those, so that "John Smith, CEO"
/// keeps its name). A part that looks like an e-mail address or a phone number is taken as such
/// wherever it stands; of the rest the first is the name and the others the title.
pub fn parse_contacts(cell: &str) -> Vec<Contact> {
    const MARKS: [char; 9] = [',', '，', '、', '/', '|', ';', '；', '\t', '／'];
    cell.lines()
        .filter_map(|line| {
            let mut c = Contact::default();
            let mut rest = Vec::new();
            let parts: Vec<&str> = if line.contains(MARKS) {
                line.split(MARKS).collect()
            } else {
                line.split([' ', '\u{3000}']).collect()
            };
            for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
                let digits = part.chars().filter(char::is_ascii_digit).count();
                if part.contains('@') && c.email.is_empty() {
                    c.email = part.to_string();
                } else if digits >= 5 && digits * 2 >= part.chars().count() && c.phone.is_empty() {
                    c.phone = part.to_string();
                } else {
                    rest.push(part);
                }
            }
            let mut rest = rest.into_iter();
            c.name = rest.next().unwrap_or_default().to_string();
            c.title = rest.collect::<Vec<_>>().join(" ");
            (c != Contact::default()).then_some(c)
        })
        .collect()
}

/// Contacts written back into one cell, as [`parse_contacts`] reads them.
pub fn format_contacts(contacts: &[Contact]) -> String {
    contacts
        .iter()
        .map(|c| {
            [&c.name, &c.title, &c.phone, &c.email]
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("，")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The country a company is in unless the input says otherwise.
pub const HOME_COUNTRY: &str = "中国";

impl CompanyInput {
    pub fn validate(&self) -> Result<CompanyFields, Invalid> {
        let mut e = Invalid::default();
        let name = validation::required(&mut e, "name", &self.name, 100);
        let country = validation::optional(&mut e, "country", &self.country, 40)
            .unwrap_or_else(|| HOME_COUNTRY.to_string());
        let credit_code = optional_credit_code(&mut e, "credit_code", &self.credit_code);
        let hq_city = validation::optional(&mut e, "hq_city", &self.hq_city, 40);
        let (industry_section, industry_division) =
            industry(&mut e, &self.industry_section, &self.industry_division);
        let mut flags = Vec::new();
        for f in self
            .flags
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
        {
            match CompanyFlag::parse(f) {
                Some(flag) => flags.push(flag),
                None => e.push(FieldError::new("flags", "err.choice")),
            }
        }
        let contacts = contacts(&mut e, &self.contacts);
        let source = validation::optional(&mut e, "source", &self.source, 40);
        let notes = validation::optional(&mut e, "notes", &self.notes, 2000);
        e.into_result()?;
        let has = |f| flags.contains(&f);
        Ok(CompanyFields {
            name_key: name_key(&name),
            name,
            credit_code,
            country,
            hq_city,
            industry_section,
            industry_division,
            global500: has(CompanyFlag::Global500),
            china500: has(CompanyFlag::China500),
            private500: has(CompanyFlag::Private500),
            headquarters: has(CompanyFlag::Headquarters),
            listed: has(CompanyFlag::Listed),
            contacts,
            source,
            notes,
        })
    }
}

/// A status move as asked; abandoning needs a reason.
pub fn check_status_move(
    from: CompanyStatus,
    to: CompanyStatus,
    reason: &str,
) -> Result<Option<String>, Invalid> {
    if !from.can_move(to) {
        return Err(Invalid::one(
            FieldError::new("status", "err.company_status_move")
                .with("from", from)
                .with("to", to),
        ));
    }
    let mut e = Invalid::default();
    let reason = validation::optional(&mut e, "reason", reason, 500);
    if to == CompanyStatus::Abandoned && reason.is_none() {
        e.push(FieldError::new("reason", "err.required"));
    }
    e.into_result()?;
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_mean_the_same_company_share_a_key() {
        let a = name_key("山东高青（青岛）新材料有限责任公司");
        assert_eq!(a, name_key("山东高青(青岛)新材料有限公司"));
        assert_eq!(a, name_key(" 山东高青 青岛 新材料有限公司"));
        assert_eq!(
            name_key("ＡＢＣ化工股份公司"),
            name_key("abc化工股份有限公司")
        );
        assert_ne!(a, name_key("山东高青新材料有限公司淄博分公司"));
    }

    #[test]
    fn a_wrong_credit_code_is_refused_with_its_reason() {
        let input = CompanyInput {
            name: "测试".into(),
            credit_code: "91350100M000100Y44".into(),
            ..Default::default()
        };
        let err = input.validate().expect_err("bad check character");
        assert_eq!(err.0[0].code, "err.credit_code_check");
        assert!(err.0[0].params.contains(&("expected".into(), "3".into())));
        let ok = CompanyInput {
            credit_code: "91350100m000100y43".into(),
            ..input
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.credit_code.as_deref(), Some("91350100M000100Y43"));
        assert_eq!(ok.country, HOME_COUNTRY);
    }

    #[test]
    fn industry_divisions_belong_to_their_section() {
        let mut e = Invalid::default();
        assert_eq!(
            industry(&mut e, "c", "27"),
            (Some("C".into()), Some("27".into()))
        );
        assert!(e.is_empty());
        industry(&mut e, "C", "70");
        industry(&mut e, "Z", "");
        industry(&mut e, "", "27");
        let codes: Vec<_> = e.0.iter().map(|x| x.code).collect();
        assert_eq!(
            codes,
            vec!["err.industry_division", "err.choice", "err.required"]
        );
    }

    #[test]
    fn flags_are_read_by_name() {
        let f = CompanyInput {
            name: "x".into(),
            flags: vec!["global500".into(), "listed".into()],
            ..Default::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(f.flags(), vec![CompanyFlag::Global500, CompanyFlag::Listed]);
        let err = CompanyInput {
            name: "x".into(),
            flags: vec!["top10".into()],
            ..Default::default()
        }
        .validate()
        .expect_err("unknown flag");
        assert_eq!(err.0[0].field, "flags");
    }

    #[test]
    fn contacts_are_read_from_a_cell_as_people_write_them() {
        let cs = parse_contacts(
            "王建国，招商部经理，13805330001\n李娜 0533-6212345 lina@example.com\n\n  John Smith, CEO, +44 20 7946 0958\n赵敏、董事长助理、zm@example.cn",
        );
        fn row(c: &Contact) -> (&str, &str, &str, &str) {
            (&c.name, &c.title, &c.phone, &c.email)
        }
        assert_eq!(
            cs.iter().map(row).collect::<Vec<_>>(),
            vec![
                ("王建国", "招商部经理", "13805330001", ""),
                ("李娜", "", "0533-6212345", "lina@example.com"),
                ("John Smith", "CEO", "+44 20 7946 0958", ""),
                ("赵敏", "董事长助理", "", "zm@example.cn"),
            ]
        );
        // What the export writes reads back the same.
        assert_eq!(parse_contacts(&format_contacts(&cs)), cs);
        assert!(parse_contacts("  \n ").is_empty());
    }

    #[test]
    fn contacts_are_checked_one_by_one() {
        let c = |name: &str, title: &str, phone: &str, email: &str| Contact {
            name: name.into(),
            title: title.into(),
            phone: phone.into(),
            email: email.into(),
        };
        let input = CompanyInput {
            name: "某公司".into(),
            contacts: vec![
                c(" 王建国 ", "经理", "13805330001", ""),
                c("", "", "", ""),
                c("", "总经理", "", ""),
                c("李娜", "", "电话没有", "not-an-address"),
            ],
            ..Default::default()
        };
        let e = input.validate().expect_err("bad contacts");
        let got: Vec<_> = e.0.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            got,
            vec![
                ("contacts.2.name", "err.required"),
                ("contacts.3.phone", "err.phone_format"),
                ("contacts.3.email", "err.email_format"),
            ]
        );
        let input = CompanyInput {
            contacts: vec![c(" 王建国 ", "经理", "13805330001", ""), c("", "", "", "")],
            ..input
        };
        let f = input.validate().expect("good contacts");
        assert_eq!(f.contacts.0, vec![c("王建国", "经理", "13805330001", "")]);
        let many = CompanyInput {
            contacts: vec![c("某人", "", "", ""); MAX_CONTACTS + 1],
            ..input
        };
        let e = many.validate().expect_err("too many");
        assert_eq!(e.0[0].field, "contacts");
    }

    #[test]
    fn status_moves() {
        use CompanyStatus::*;
        assert!(check_status_move(Potential, Contacting, "").is_ok());
        // Forward steps may be skipped (a company already in the county is entered as landed).
        assert!(check_status_move(Potential, Landed, "").is_ok());
        assert!(check_status_move(Signed, Contacting, "").is_err());
        assert!(check_status_move(Landed, Abandoned, "x").is_err());
        let err = check_status_move(Contacting, Abandoned, " ").expect_err("reason");
        assert_eq!(err.0[0].field, "reason");
        assert_eq!(
            check_status_move(Contacting, Abandoned, "转投他县").expect("ok"),
            Some("转投他县".into())
        );
        assert!(check_status_move(Abandoned, Contacting, "").is_ok());
    }
}
