//! Policy documents: reading a policy as a county office pastes it from a government portal
//! (chapters, measures, responsible leaders and units, deadlines, cadences, quantified targets)
//! into a structure that becomes supervised tasks.

mod extract;
mod matching;
mod numerals;
mod parse;
mod units;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use extract::{cadences, deadline, targets};
pub use matching::{Candidate, match_name};
pub use numerals::cn_number;
pub use parse::parse;
pub use units::{UnitList, split_names, split_units};

/// What the parser found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ParsedPolicy {
    pub title: Option<String>,
    /// The document's date (the year of deadlines such as "8月底前" comes from it).
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<NaiveDate>,
    /// The introduction before the first chapter or measure.
    pub preamble: Option<String>,
    pub chapters: Vec<Chapter>,
    /// Lines inside the body that belong to no measure (shown in the preview, never silently lost).
    pub ignored: Vec<String>,
}

impl ParsedPolicy {
    pub fn measures(&self) -> impl Iterator<Item = &Measure> {
        self.chapters.iter().flat_map(|c| c.measures.iter())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Chapter {
    /// As written: "一", "二", … (empty when the document has measures but no chapters).
    pub number: String,
    pub title: String,
    pub measures: Vec<Measure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Measure {
    /// As written: "1", "一" (from "（一）"), "三" (from "第三条").
    pub number: String,
    /// The first sentence.
    pub title: String,
    /// The whole clause.
    pub text: String,
    /// Responsible leaders (责任人).
    pub leaders: Vec<String>,
    /// Lead units (牵头单位): before the first comma or semicolon of the 责任单位 line.
    pub lead_units: Vec<String>,
    /// Supporting units (配合单位): the rest.
    pub support_units: Vec<String>,
    /// Collective designations among the units ("县直各部门、单位", "各镇(街道)"), kept whole.
    pub unit_groups: Vec<String>,
    /// Notes found in the unit line, e.g. "加黑字体单位为牵头单位,下同".
    pub notes: Vec<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<NaiveDate>,
    /// The words the deadline was read from ("8月底前").
    pub deadline_text: Option<String>,
    pub cadences: Vec<Cadence>,
    pub targets: Vec<Target>,
}

/// How often a task reports.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Cadence {
    pub fn id(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
            Cadence::Yearly => "yearly",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Comparator {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    Above,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "=")]
    Equal,
    /// From `value` to `value_max`.
    #[serde(rename = "between")]
    Between,
}

/// A quantified target, proposed as an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Target {
    /// The words it was read from ("世界500强不少于20个").
    pub text: String,
    /// What is counted, when the sentence names it ("世界500强").
    pub subject: Option<String>,
    pub comparator: Comparator,
    #[serde(with = "rust_decimal::serde::float")]
    #[schema(value_type = f64)]
    pub value: Decimal,
    #[serde(
        default,
        with = "rust_decimal::serde::float_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<f64>)]
    pub value_max: Option<Decimal>,
    /// Unit of measure as written ("个", "%", "万元", "倍").
    pub unit: Option<String>,
}
