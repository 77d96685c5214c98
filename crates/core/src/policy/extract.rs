//! Reading deadlines ("8月底前", "年底前", "2020年6月30日前"), cadences ("每月", "每季度", "每周",
//! "年均") and quantified targets ("不少于20个", "10%以上", "25万元", "20—300万元") out of a clause.

use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use regex::{Captures, Regex};
use rust_decimal::Decimal;

use super::numerals::cn_number;
use super::{Cadence, Comparator, Target};

/// A compiled constant pattern (the patterns are fixed strings, checked by the tests).
fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("constant pattern compiles"))
}

const NUM: &str = r"[0-9]+|[〇零一二两三四五六七八九十]+";

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// The first deadline in `text`, with the words it was read from. Years not written come from
/// `doc_year`; without one, the words are kept and the date is unknown.
pub fn deadline(text: &str, doc_year: Option<i32>) -> Option<(Option<NaiveDate>, String)> {
    static FULL: OnceLock<Regex> = OnceLock::new();
    let full = re(
        &FULL,
        &format!(
            r"(?:([0-9]{{4}})年)?({NUM})月(?:({NUM})日|(底|末|中旬|上旬|下旬))?(?:前|之前|以前)"
        ),
    );
    static YEAR_END: OnceLock<Regex> = OnceLock::new();
    // "年底前", "年内": a deadline; a bare "年底兑现" is a rhythm, not a deadline.
    let year_end = re(
        &YEAR_END,
        r"(?:([0-9]{4})年)?(?:(?:年底|年末)(?:前|之前|以前)|年内)",
    );
    static HALF: OnceLock<Regex> = OnceLock::new();
    let half = re(&HALF, r"(?:([0-9]{4})年)?上半年(?:前|之前|以前|完成)?");

    let mut found: Vec<(usize, Option<NaiveDate>, String)> = Vec::new();
    if let Some(c) = full.captures(text)
        && let Some(m) = c.get(0)
    {
        let year = c.get(1).and_then(|y| y.as_str().parse().ok()).or(doc_year);
        let month = c
            .get(2)
            .and_then(|x| cn_number(x.as_str()))
            .filter(|m| (1..=12).contains(m));
        let date = match (year, month) {
            (Some(y), Some(mo)) => match (c.get(3), c.get(4).map(|x| x.as_str())) {
                (Some(d), _) => {
                    cn_number(d.as_str()).and_then(|d| NaiveDate::from_ymd_opt(y, mo, d))
                }
                (None, Some("上旬")) => NaiveDate::from_ymd_opt(y, mo, 10),
                (None, Some("中旬")) => NaiveDate::from_ymd_opt(y, mo, 20),
                // "8月前" reads as before August ends, the way offices use it.
                _ => last_day(y, mo),
            },
            _ => None,
        };
        found.push((m.start(), date, m.as_str().to_string()));
    }
    if let Some(c) = year_end.captures(text)
        && let Some(m) = c.get(0)
    {
        let year = c.get(1).and_then(|y| y.as_str().parse().ok()).or(doc_year);
        found.push((
            m.start(),
            year.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
            m.as_str().to_string(),
        ));
    }
    if let Some(c) = half.captures(text)
        && let Some(m) = c.get(0)
    {
        let year = c.get(1).and_then(|y| y.as_str().parse().ok()).or(doc_year);
        found.push((
            m.start(),
            year.and_then(|y| NaiveDate::from_ymd_opt(y, 6, 30)),
            m.as_str().to_string(),
        ));
    }
    found.sort_by_key(|(pos, _, _)| *pos);
    found.into_iter().next().map(|(_, d, t)| (d, t))
}

/// The reporting rhythms the clause mentions, in order weekly → yearly.
pub fn cadences(text: &str) -> Vec<Cadence> {
    let mut out = Vec::new();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["每周", "每星期", "每一周"]) {
        out.push(Cadence::Weekly);
    }
    if has(&["每月", "每个月", "按月", "月晾晒", "月调度"]) {
        out.push(Cadence::Monthly);
    }
    if has(&["每季度", "每个季度", "按季度", "季排名", "每季"]) {
        out.push(Cadence::Quarterly);
    }
    if has(&["每年", "年均", "每一年", "年度兑现", "年底兑现"]) {
        out.push(Cadence::Yearly);
    }
    out
}

fn decimal(s: &str) -> Option<Decimal> {
    if let Some(n) = cn_number(s) {
        return Some(Decimal::from(n));
    }
    Decimal::from_str(s).ok()
}

const UNIT: &str = r"(个百分点|个|家|项|次|亿元|万元|元|%|％|倍|人|名|亩|天|户|所|批|场)";

/// The words before a target that say what is counted ("世界500强不少于20个" → "世界500强"),
/// with the byte offset where they start.
fn subject_before(text: &str, start: usize) -> Option<(usize, String)> {
    let before = text.get(..start)?;
    let cut = before
        .char_indices()
        .rev()
        .find(|(_, c)| "，,。；;、（(：:“”\"\n".contains(*c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let raw = &before[cut..];
    let s = raw.trim_start();
    let from = cut + (raw.len() - s.len());
    let s = s.trim_end();
    let n = s.chars().count();
    (n > 0 && n <= 16).then(|| (from, s.to_string()))
}

/// The target's words: its subject, if any, through the end of the match.
fn with_subject(text: &str, m: &regex::Match<'_>) -> (String, Option<String>) {
    match subject_before(text, m.start()) {
        Some((from, subject)) => (
            text.get(from..m.end()).unwrap_or(m.as_str()).to_string(),
            Some(subject),
        ),
        None => (m.as_str().to_string(), None),
    }
}

/// What a pattern read from one match.
struct Reading {
    comparator: Comparator,
    value: Decimal,
    value_max: Option<Decimal>,
    unit: Option<String>,
    /// Whether the words before the match say what is counted.
    subject: bool,
}

/// Reads one match of a pattern.
type Reader<'a> = &'a dyn Fn(&Captures<'_>) -> Option<Reading>;

/// Quantified targets in the clause, each once, in the order they appear.
pub fn targets(text: &str) -> Vec<Target> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    let word = re(
        &WORD,
        &format!(
            r"(不少于|不低于|至少|不超过|不高于|超过|高于|达到|突破)\s*([0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十百]+)\s*{UNIT}?"
        ),
    );
    // "至少精准策划2个", "不低于…权重1.5倍": the number comes a few words after.
    static FAR: OnceLock<Regex> = OnceLock::new();
    let far = re(
        &FAR,
        &format!(r"(不低于|不少于|至少)[^，。；、0-9]{{1,20}}?([0-9]+(?:\.[0-9]+)?)\s*{UNIT}"),
    );
    static RANGE: OnceLock<Regex> = OnceLock::new();
    let range = re(
        &RANGE,
        &format!(
            r"([0-9]+(?:\.[0-9]+)?)\s*(?:万元|亿元)?\s*[—–\-~～至到]+\s*([0-9]+(?:\.[0-9]+)?)\s*{UNIT}"
        ),
    );
    static ABOVE: OnceLock<Regex> = OnceLock::new();
    let above = re(
        &ABOVE,
        &format!(r"([0-9]+(?:\.[0-9]+)?)\s*{UNIT}\s*(以上|以下|以内)"),
    );
    static AMOUNT: OnceLock<Regex> = OnceLock::new();
    let amount = re(&AMOUNT, r"([0-9]+(?:\.[0-9]+)?)\s*(万元|亿元)");
    static EACH: OnceLock<Regex> = OnceLock::new();
    let each = re(
        &EACH,
        &format!(r"每[^，。；、0-9]{{0,6}}?([0-9]+|[一二两三四五六七八九十]+)\s*{UNIT}"),
    );

    // Each pattern reads its match into a target; earlier patterns win where they overlap.
    let unit = |c: &Captures<'_>, i: usize| c.get(i).map(|u| u.as_str().to_string());
    let number = |c: &Captures<'_>, i: usize| c.get(i).and_then(|n| decimal(n.as_str()));
    let readers: [(&Regex, Reader<'_>); 6] = [
        (range, &|c| {
            Some(Reading {
                comparator: Comparator::Between,
                value: number(c, 1)?,
                value_max: Some(number(c, 2)?),
                unit: unit(c, 3),
                subject: false,
            })
        }),
        (word, &|c| {
            Some(Reading {
                comparator: match c.get(1)?.as_str() {
                    "不超过" | "不高于" => Comparator::AtMost,
                    "超过" | "高于" | "突破" => Comparator::Above,
                    _ => Comparator::AtLeast,
                },
                value: number(c, 2)?,
                value_max: None,
                unit: unit(c, 3),
                subject: true,
            })
        }),
        (far, &|c| {
            Some(Reading {
                comparator: Comparator::AtLeast,
                value: number(c, 2)?,
                value_max: None,
                unit: unit(c, 3),
                subject: true,
            })
        }),
        (above, &|c| {
            Some(Reading {
                comparator: if c.get(3)?.as_str() == "以上" {
                    Comparator::AtLeast
                } else {
                    Comparator::AtMost
                },
                value: number(c, 1)?,
                value_max: None,
                unit: unit(c, 2),
                subject: true,
            })
        }),
        (each, &|c| {
            Some(Reading {
                comparator: Comparator::Equal,
                value: number(c, 1)?,
                value_max: None,
                unit: unit(c, 2),
                subject: false,
            })
        }),
        (amount, &|c| {
            Some(Reading {
                comparator: Comparator::Equal,
                value: number(c, 1)?,
                value_max: None,
                unit: unit(c, 2),
                subject: false,
            })
        }),
    ];
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut out: Vec<(usize, Target)> = Vec::new();
    for (regex, read) in readers {
        for c in regex.captures_iter(text) {
            let Some(m) = c.get(0) else { continue };
            let overlaps = spans.iter().any(|(a, b)| m.end() > *a && m.start() < *b);
            let Some(r) = read(&c).filter(|_| !overlaps) else {
                continue;
            };
            let (words, subject) = if r.subject {
                with_subject(text, &m)
            } else {
                (m.as_str().to_string(), None)
            };
            spans.push((m.start(), m.end()));
            out.push((
                m.start(),
                Target {
                    text: words,
                    subject,
                    comparator: r.comparator,
                    value: r.value,
                    value_max: r.value_max,
                    unit: r.unit,
                },
            ));
        }
    }
    out.sort_by_key(|(pos, _)| *pos);
    out.into_iter().map(|(_, t)| t).collect()
}

/// The calendar year of a date, for deadlines that leave it out.
pub(crate) fn year_of(d: Option<NaiveDate>) -> Option<i32> {
    d.map(|d| d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn deadlines() {
        assert_eq!(
            deadline("8月底前拿出任务清单", Some(2019)),
            Some((d(2019, 8, 31), "8月底前".into()))
        );
        assert_eq!(
            deadline("年底前完成", Some(2019)),
            Some((d(2019, 12, 31), "年底前".into()))
        );
        assert_eq!(
            deadline("于2020年6月30日前报送", Some(2019)),
            Some((d(2020, 6, 30), "2020年6月30日前".into()))
        );
        assert_eq!(
            deadline("九月底前", Some(2021)),
            Some((d(2021, 9, 30), "九月底前".into()))
        );
        assert_eq!(
            deadline("2月底前", Some(2020)),
            Some((d(2020, 2, 29), "2月底前".into()))
        );
        assert_eq!(
            deadline("上半年完成", Some(2022)),
            Some((d(2022, 6, 30), "上半年完成".into()))
        );
        assert_eq!(deadline("8月底前", None), Some((None, "8月底前".into())));
        assert_eq!(deadline("加快推进", Some(2019)), None);
        assert_eq!(
            deadline("实行月晾晒、季排名、年底兑现奖惩", Some(2019)),
            None
        );
        assert_eq!(
            deadline("年内建成", Some(2019)).and_then(|x| x.0),
            d(2019, 12, 31)
        );
        assert_eq!(
            deadline("13月底前", Some(2019)).map(|x| x.0),
            Some(None),
            "no 13th month"
        );
    }

    #[test]
    fn rhythms() {
        assert_eq!(
            cadences("县委常委会每季度专题研究,县政府常务会议每月调度"),
            vec![Cadence::Monthly, Cadence::Quarterly]
        );
        assert_eq!(cadences("每周召开项目调度会"), vec![Cadence::Weekly]);
        assert_eq!(cadences("年均新增贷款增幅10%以上"), vec![Cadence::Yearly]);
        assert!(cadences("加快推进").is_empty());
    }

    #[test]
    fn quotas_of_measure_9() {
        let t = targets(
            "列出精准对接招引清单(世界500强不少于20个、中国500强不少于50个、总部机构不少于10个),每年至少精准策划2个招商项目",
        );
        let got: Vec<(Option<&str>, Comparator, String, Option<&str>)> = t
            .iter()
            .map(|x| {
                (
                    x.subject.as_deref(),
                    x.comparator,
                    x.value.to_string(),
                    x.unit.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Some("世界500强"),
                    Comparator::AtLeast,
                    "20".into(),
                    Some("个")
                ),
                (
                    Some("中国500强"),
                    Comparator::AtLeast,
                    "50".into(),
                    Some("个")
                ),
                (
                    Some("总部机构"),
                    Comparator::AtLeast,
                    "10".into(),
                    Some("个")
                ),
                (Some("每年"), Comparator::AtLeast, "2".into(), Some("个")),
            ]
        );
    }

    #[test]
    fn other_targets() {
        let t = targets("年均新增贷款增幅10%以上");
        assert_eq!(
            (
                t[0].comparator,
                t[0].value.to_string(),
                t[0].unit.as_deref()
            ),
            (Comparator::AtLeast, "10".into(), Some("%"))
        );
        let t = targets("县财政分别给予25万元、15万元、10万元补助");
        assert_eq!(
            t.iter().map(|x| x.value.to_string()).collect::<Vec<_>>(),
            vec!["25", "15", "10"]
        );
        let t = targets("予以20—300万元奖励");
        assert_eq!(
            (
                t[0].comparator,
                t[0].value.to_string(),
                t[0].value_max.map(|v| v.to_string())
            ),
            (Comparator::Between, "20".into(), Some("300".into()))
        );
        let t = targets("按不低于市对县综合考核对应指标赋分权重1.5倍计入");
        assert_eq!(
            (t[0].value.to_string(), t[0].unit.as_deref()),
            ("1.5".into(), Some("倍"))
        );
        let t = targets("县各大班子成员每人挂包1个重大招引项目");
        assert_eq!(
            (t[0].comparator, t[0].value.to_string()),
            (Comparator::Equal, "1".into())
        );
        let t = targets("每月至少一次直接带队外出");
        assert_eq!(
            (t[0].value.to_string(), t[0].unit.as_deref()),
            ("1".into(), Some("次"))
        );
        assert!(
            targets("由县“双招双引”6个产业专班负责").is_empty(),
            "a count that is a fact is not a target"
        );
    }
}
