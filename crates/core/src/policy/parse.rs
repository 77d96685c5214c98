//! The document parser. It reads the family of the reference documents: a title and a date near
//! the top, an introduction, chapters ("一、" or "第一章"), measures ("1." "（一）" or "第一条"),
//! each followed by its 责任人 and 责任单位 lines; portal chrome around the text (menus, view
//! counts, comments, contact lines, "上一页/下一页") is left out.

use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;

use super::extract::{self, year_of};
use super::numerals::cn_number;
use super::units::{split_names, split_units};
use super::{Chapter, Measure, ParsedPolicy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 一、
    CnComma,
    /// 第一章
    DiZhang,
    /// 1.
    Arabic,
    /// （一）
    Paren,
    /// 第一条
    DiTiao,
}

#[derive(Debug, Clone)]
enum Line {
    Heading {
        kind: Kind,
        number: String,
        rest: String,
    },
    Leaders(String),
    Units(String),
    LeadOnly(String),
    SupportOnly(String),
    Text(String),
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("constant pattern compiles"))
}

/// Full-width digits and letters to ASCII; odd spaces to plain ones.
fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' | '\u{a0}' | '\t' | '\u{200b}' => ' ',
            '\r' => '\n',
            c => c,
        })
        .collect()
}

/// Labels that start a line of their own even when pasted into the middle of a paragraph.
fn split_labels(line: &str) -> Vec<String> {
    static LABEL: OnceLock<Regex> = OnceLock::new();
    let label = regex(
        &LABEL,
        r"(责任人|责任领导|牵头领导|责任单位|牵头单位|配合单位|责任部门)\s*[:：]",
    );
    let mut out = Vec::new();
    let mut last = 0;
    for m in label.find_iter(line) {
        if m.start() > last {
            out.push(line[last..m.start()].to_string());
        }
        last = m.start();
    }
    out.push(line[last..].to_string());
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn classify(line: &str) -> Line {
    static CN: OnceLock<Regex> = OnceLock::new();
    static ZHANG: OnceLock<Regex> = OnceLock::new();
    static ARABIC: OnceLock<Regex> = OnceLock::new();
    static PAREN: OnceLock<Regex> = OnceLock::new();
    static TIAO: OnceLock<Regex> = OnceLock::new();
    static LABELLED: OnceLock<Regex> = OnceLock::new();
    let labelled = regex(
        &LABELLED,
        r"^(责任人|责任领导|牵头领导|责任单位|牵头单位|配合单位|责任部门)\s*[:：]\s*(.*)$",
    );
    if let Some(c) = labelled.captures(line) {
        let body = c
            .get(2)
            .map(|m| m.as_str().trim().to_string())
            .unwrap_or_default();
        return match c.get(1).map(|m| m.as_str()) {
            Some("责任人" | "责任领导" | "牵头领导") => Line::Leaders(body),
            Some("牵头单位") => Line::LeadOnly(body),
            Some("配合单位") => Line::SupportOnly(body),
            _ => Line::Units(body),
        };
    }
    let heads: [(&'static OnceLock<Regex>, &str, Kind); 5] = [
        (
            &ZHANG,
            r"^第([一二三四五六七八九十百零〇0-9]+)章\s*(.*)$",
            Kind::DiZhang,
        ),
        (
            &TIAO,
            r"^第([一二三四五六七八九十百零〇0-9]+)条\s*(.*)$",
            Kind::DiTiao,
        ),
        (
            &CN,
            r"^([一二三四五六七八九十]+)[、.．]\s*(.+)$",
            Kind::CnComma,
        ),
        (
            &PAREN,
            r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.+)$",
            Kind::Paren,
        ),
        (
            &ARABIC,
            r"^([0-9]{1,3})\s*[.．、]\s*([^0-9].*)$",
            Kind::Arabic,
        ),
    ];
    for (cell, pattern, kind) in heads {
        if let Some(c) = regex(cell, pattern).captures(line) {
            let number = c.get(1).map(|m| m.as_str().to_string()).unwrap_or_default();
            let rest = c
                .get(2)
                .map(|m| m.as_str().trim().to_string())
                .unwrap_or_default();
            if cn_number(&number).is_some() {
                return Line::Heading { kind, number, rest };
            }
        }
    }
    Line::Text(line.to_string())
}

/// Page furniture of government portals: navigation, counters, comments, contacts, sharing.
fn is_chrome(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "上一页",
        "下一页",
        "上一篇",
        "下一篇",
        "全部评论",
        "网页即时交流",
        "QQ咨询",
        "咨询热线",
        "分享到",
        "打印本页",
        "关闭窗口",
        "责任编辑",
        "浏览次数",
        "阅读次数",
        "点击数",
        "收藏",
        "管理",
        "粉丝",
        "人气",
        "圈主",
        "联系方式",
        "电话",
        "地址",
        "扫一扫",
        "当前位置",
        "首页",
        "返回顶部",
        "【打印】",
        "【关闭】",
    ];
    let l = line.trim().trim_start_matches(['•', '·', '*', '-', ' ']);
    WORDS.iter().any(|w| l.starts_with(w))
        || l.chars()
            .all(|c| c.is_ascii_digit() || " -:()（）".contains(c))
        || (l.chars().count() <= 2 && !l.is_empty())
}

fn doc_date(text: &str) -> Option<NaiveDate> {
    static ISO: OnceLock<Regex> = OnceLock::new();
    static CN_DATE: OnceLock<Regex> = OnceLock::new();
    let iso = regex(&ISO, r"(20[0-9]{2}|19[0-9]{2})[-/.](\d{1,2})[-/.](\d{1,2})");
    let cn = regex(&CN_DATE, r"(20[0-9]{2}|19[0-9]{2})年(\d{1,2})月(\d{1,2})日");
    for r in [iso, cn] {
        if let Some(c) = r.captures(text) {
            let y = c.get(1).and_then(|m| m.as_str().parse().ok());
            let m = c.get(2).and_then(|m| m.as_str().parse().ok());
            let d = c.get(3).and_then(|m| m.as_str().parse().ok());
            if let (Some(y), Some(m), Some(d)) = (y, m, d)
                && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
            {
                return Some(date);
            }
        }
    }
    None
}

/// A line that reads like the title of a policy document.
fn looks_like_title(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "措施", "意见", "办法", "方案", "通知", "规定", "细则", "决定", "条例", "政策", "若干",
    ];
    let n = line.chars().count();
    (6..=80).contains(&n) && WORDS.iter().any(|w| line.contains(w)) && !line.ends_with('。')
}

/// The first sentence of a clause is its title.
fn first_sentence(text: &str) -> String {
    let end = text.find(['。', '；', ';']).unwrap_or(text.len());
    text[..end].trim().trim_end_matches(['，', ',']).to_string()
}

/// Parses a pasted policy document. Never fails: whatever is not understood is left out of the
/// structure (or listed in `ignored`), so the preview shows what was found.
pub fn parse(text: &str) -> ParsedPolicy {
    let text = normalize(text);
    let lines: Vec<Line> = text
        .lines()
        .flat_map(split_labels)
        .map(|l| classify(&l))
        .collect();

    // The measure level is the heading kind that the 责任 lines follow.
    let mut votes: Vec<(Kind, usize)> = Vec::new();
    let mut last_heading: Option<Kind> = None;
    for l in &lines {
        match l {
            Line::Heading { kind, .. } => last_heading = Some(*kind),
            Line::Leaders(_) | Line::Units(_) | Line::LeadOnly(_) | Line::SupportOnly(_) => {
                if let Some(k) = last_heading {
                    match votes.iter_mut().find(|(kk, _)| *kk == k) {
                        Some((_, n)) => *n += 1,
                        None => votes.push((k, 1)),
                    }
                    last_heading = None;
                }
            }
            Line::Text(_) => {}
        }
    }
    let present = |k: Kind| {
        lines
            .iter()
            .any(|l| matches!(l, Line::Heading { kind, .. } if *kind == k))
    };
    let measure_kind = votes
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(k, _)| *k)
        .or_else(|| {
            [Kind::Arabic, Kind::Paren, Kind::DiTiao]
                .into_iter()
                .find(|k| present(*k))
        });
    let chapter_kind = [Kind::DiZhang, Kind::CnComma]
        .into_iter()
        .find(|k| present(*k) && Some(*k) != measure_kind);

    let is_body_start = |l: &Line| matches!(l, Line::Heading { kind, .. } if Some(*kind) == measure_kind || Some(*kind) == chapter_kind);
    let start = lines.iter().position(is_body_start).unwrap_or(lines.len());

    // Head: title, date, introduction.
    let head: Vec<&str> = lines[..start]
        .iter()
        .filter_map(|l| match l {
            Line::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let title = head
        .iter()
        .rev()
        .find(|l| looks_like_title(l))
        .or_else(|| {
            head.iter()
                .find(|l| !is_chrome(l) && l.chars().count() >= 6)
        })
        .map(|s| s.trim().to_string());
    // The date near the title, else the one under the signature (a line of its own at the end);
    // never a date from inside a clause, which is a deadline.
    let date = doc_date(&head.join("\n")).or_else(|| {
        text.lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty() && l.chars().count() <= 20 && doc_date(l).is_some())
            .and_then(doc_date)
    });
    let preamble = head
        .iter()
        .filter(|l| {
            l.chars().count() > 40 && (l.contains('。') || l.contains('，') || l.contains(','))
        })
        .map(|s| s.trim())
        .collect::<Vec<_>>()
        .join("\n");
    let doc_year = year_of(date);

    // Body.
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut ignored = Vec::new();
    let mut measure: Option<(Measure, bool)> = None; // (measure, its unit line was seen)
    let finish = |chapters: &mut Vec<Chapter>, m: Option<(Measure, bool)>| {
        if let Some((mut m, _)) = m {
            m.title = first_sentence(&m.text);
            if let Some((d, t)) = extract::deadline(&m.text, doc_year) {
                m.deadline = d;
                m.deadline_text = Some(t);
            }
            m.cadences = extract::cadences(&m.text);
            m.targets = extract::targets(&m.text);
            if chapters.is_empty() {
                chapters.push(Chapter {
                    number: String::new(),
                    title: String::new(),
                    measures: Vec::new(),
                });
            }
            if let Some(c) = chapters.last_mut() {
                c.measures.push(m);
            }
        }
    };
    for l in lines.into_iter().skip(start) {
        match l {
            Line::Heading { kind, number, rest } if Some(kind) == chapter_kind => {
                finish(&mut chapters, measure.take());
                chapters.push(Chapter {
                    number,
                    title: rest.trim_end_matches(['。', ':', '：']).to_string(),
                    measures: Vec::new(),
                });
            }
            Line::Heading { kind, number, rest } if Some(kind) == measure_kind => {
                finish(&mut chapters, measure.take());
                measure = Some((
                    Measure {
                        number,
                        title: String::new(),
                        text: rest,
                        leaders: Vec::new(),
                        lead_units: Vec::new(),
                        support_units: Vec::new(),
                        unit_groups: Vec::new(),
                        notes: Vec::new(),
                        deadline: None,
                        deadline_text: None,
                        cadences: Vec::new(),
                        targets: Vec::new(),
                    },
                    false,
                ));
            }
            Line::Leaders(s) => match measure.as_mut() {
                Some((m, _)) => m.leaders.extend(split_names(&s)),
                None => ignored.push(s),
            },
            Line::Units(s) | Line::LeadOnly(s) | Line::SupportOnly(s) if measure.is_none() => {
                ignored.push(s)
            }
            Line::Units(s) => {
                if let Some((m, seen)) = measure.as_mut() {
                    let u = split_units(&s);
                    m.lead_units.extend(u.lead);
                    m.support_units.extend(u.support);
                    m.unit_groups.extend(u.groups);
                    m.notes.extend(u.notes);
                    *seen = true;
                }
            }
            Line::LeadOnly(s) => {
                if let Some((m, seen)) = measure.as_mut() {
                    // A separate 牵头单位 line: everything on it leads.
                    let u = split_units(&s.replace(['，', ',', '；', ';'], "、"));
                    m.lead_units.extend(u.lead);
                    m.unit_groups.extend(u.groups);
                    m.notes.extend(u.notes);
                    *seen = true;
                }
            }
            Line::SupportOnly(s) => {
                if let Some((m, seen)) = measure.as_mut() {
                    let u = split_units(&s.replace(['，', ',', '；', ';'], "、"));
                    m.support_units.extend(u.lead);
                    m.unit_groups.extend(u.groups);
                    m.notes.extend(u.notes);
                    *seen = true;
                }
            }
            Line::Text(t) => {
                if is_chrome(&t) {
                    // The page goes on with comments, links and contacts: the document is over.
                    if measure.as_ref().is_some_and(|(_, seen)| *seen)
                        || t.contains("上一页")
                        || t.contains("下一页")
                    {
                        break;
                    }
                    continue;
                }
                match measure.as_mut() {
                    Some((m, false)) if m.leaders.is_empty() => {
                        if !m.text.is_empty() {
                            m.text.push('\n');
                        }
                        m.text.push_str(t.trim());
                    }
                    _ => ignored.push(t.trim().to_string()),
                }
            }
            Line::Heading { rest, .. } => match measure.as_mut() {
                // A lower-level heading inside a measure is part of its text.
                Some((m, false)) => {
                    m.text.push('\n');
                    m.text.push_str(&rest);
                }
                _ => ignored.push(rest),
            },
        }
    }
    finish(&mut chapters, measure.take());
    ParsedPolicy {
        title,
        date,
        preamble: (!preamble.is_empty()).then_some(preamble),
        chapters,
        ignored,
    }
}
