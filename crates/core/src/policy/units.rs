//! The 责任单位 line: lead units before the first comma or semicolon (full-width or ASCII, since
//! scraped text has either), supporting units after; "、" between units; parenthetical notes
//! set aside; collective designations ("县直各部门、单位", "各镇(街道)", "…等审批职能部门") kept
//! whole rather than split into nonsense.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitList {
    pub lead: Vec<String>,
    pub support: Vec<String>,
    pub groups: Vec<String>,
    pub notes: Vec<String>,
}

const OPEN: [char; 2] = ['(', '（'];
const CLOSE: [char; 2] = [')', '）'];

/// Parenthesised text that is a remark about the line, not part of a unit's name: "(街道)" is a
/// name, "(加黑字体单位为牵头单位,下同)" is a note.
fn is_note(inner: &str) -> bool {
    inner.chars().count() > 6
        || inner.contains([',', '，', '；', ';', '。'])
        || ["下同", "牵头", "加黑", "注", "配合", "同上"]
            .iter()
            .any(|w| inner.contains(w))
}

/// Removes note parentheses, returning the text and the notes.
fn take_notes(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut notes = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if OPEN.contains(&chars[i])
            && let Some(len) = chars[i + 1..].iter().position(|c| CLOSE.contains(c))
        {
            let inner: String = chars[i + 1..i + 1 + len].iter().collect();
            if is_note(&inner) {
                notes.push(inner.trim().to_string());
            } else {
                out.extend(&chars[i..=i + 1 + len]);
            }
            i += len + 2;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    (out, notes)
}

/// Splits on any of `seps` outside parentheses.
fn split_outside(text: &str, seps: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in text.chars() {
        if OPEN.contains(&c) {
            depth += 1;
        } else if CLOSE.contains(&c) {
            depth = depth.saturating_sub(1);
        }
        if depth == 0 && seps.contains(&c) {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    parts
}

/// A designation of several units rather than one unit's name.
pub fn is_group(item: &str) -> bool {
    item.starts_with('各')
        || item.starts_with("承担")
        || [
            "各部门",
            "各有关",
            "各单位",
            "各镇",
            "各园区",
            "专班",
            "县直部门",
            "县直有关部门",
        ]
        .iter()
        .any(|w| item.contains(w))
        || ["有关部门", "职能部门", "有关单位", "相关部门", "相关单位"]
            .iter()
            .any(|w| item.ends_with(w))
}

fn clean(item: &str) -> String {
    item.trim()
        .trim_matches(|c: char| c.is_whitespace() || "。.：:、".contains(c))
        .to_string()
}

/// Splits one comma-group into units, keeping designations whole.
fn items(group: &str, groups: &mut Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in split_outside(group, &['、']) {
        let item = clean(&raw);
        if item.is_empty() {
            continue;
        }
        // "县直各部门、单位": a bare generic noun continues the designation before it.
        if matches!(item.as_str(), "单位" | "部门" | "单位等" | "机构")
            && let Some(prev) = out.last_mut()
        {
            prev.push('、');
            prev.push_str(&item);
            continue;
        }
        // "A等审批职能部门": a unit, then a designation.
        if let Some(pos) = item.find('等') {
            let (before, after) = item.split_at(pos);
            let after = &after['等'.len_utf8()..];
            if !after.is_empty()
                && (after.ends_with("部门") || after.ends_with("单位") || after.ends_with("机构"))
            {
                if !before.is_empty() {
                    out.push(before.to_string());
                }
                out.push(after.to_string());
                continue;
            }
        }
        out.push(item);
    }
    for item in &out {
        if is_group(item) && !groups.contains(item) {
            groups.push(item.clone());
        }
    }
    out
}

/// Reads a 责任单位 line (without its label).
pub fn split_units(text: &str) -> UnitList {
    let (text, notes) = take_notes(text);
    let mut groups = Vec::new();
    let mut parts = split_outside(&text, &['，', ',', '；', ';']).into_iter();
    let lead = parts
        .next()
        .map(|p| items(&p, &mut groups))
        .unwrap_or_default();
    let mut support = Vec::new();
    for p in parts {
        support.extend(items(&p, &mut groups));
    }
    UnitList {
        lead,
        support,
        groups,
        notes,
    }
}

/// Splits a 责任人 line into names.
pub fn split_names(text: &str) -> Vec<String> {
    let (text, _) = take_notes(text);
    text.split(['、', '，', ',', '；', ';', ' ', '\u{3000}'])
        .map(clean)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lead_before_the_first_comma() {
        let u = split_units(
            "县发展和改革局、县工业和信息化局、县自然资源局、市生态环境局高青分局,县住房和城乡建设局、经济开发区、县化工产业园",
        );
        assert_eq!(
            u.lead,
            v(&[
                "县发展和改革局",
                "县工业和信息化局",
                "县自然资源局",
                "市生态环境局高青分局"
            ])
        );
        assert_eq!(
            u.support,
            v(&["县住房和城乡建设局", "经济开发区", "县化工产业园"])
        );
        assert!(u.groups.is_empty());
    }

    #[test]
    fn notes_and_designations() {
        let u =
            split_units("县委办公室、县政府办公室,县直各部门、单位(加黑字体单位为牵头单位,下同)");
        assert_eq!(u.lead, v(&["县委办公室", "县政府办公室"]));
        assert_eq!(u.support, v(&["县直各部门、单位"]));
        assert_eq!(u.groups, v(&["县直各部门、单位"]));
        assert_eq!(u.notes, v(&["加黑字体单位为牵头单位,下同"]));

        let u = split_units(
            "县财政局、县投资促进中心，县审计局、县商务外事服务中心，各镇（街道），经济开发区，县化工产业园",
        );
        assert_eq!(u.lead, v(&["县财政局", "县投资促进中心"]));
        assert_eq!(
            u.support,
            v(&[
                "县审计局",
                "县商务外事服务中心",
                "各镇（街道）",
                "经济开发区",
                "县化工产业园"
            ])
        );
        assert_eq!(u.groups, v(&["各镇（街道）"]));

        let u = split_units(
            "县住房和城乡建设局、县行政审批服务局;县发展和改革局、市生态环境局高青分局等审批职能部门",
        );
        assert_eq!(
            u.support,
            v(&["县发展和改革局", "市生态环境局高青分局", "审批职能部门"])
        );
        assert_eq!(u.groups, v(&["审批职能部门"]));

        let u = split_units(
            "县投资促进中心、县商务外事服务中心,承担招商引资任务的县直部门、单位,县“双招双引”工作专班责任单位",
        );
        assert_eq!(
            u.support,
            v(&[
                "承担招商引资任务的县直部门、单位",
                "县“双招双引”工作专班责任单位"
            ])
        );
        assert_eq!(u.groups.len(), 2);
    }

    #[test]
    fn a_line_without_a_comma_is_all_lead() {
        let u = split_units("县纪委县监委机关、县委组织部");
        assert_eq!(u.lead.len(), 2);
        assert!(u.support.is_empty());
    }

    #[test]
    fn names() {
        assert_eq!(split_names("张亮云、赵学"), v(&["张亮云", "赵学"]));
        assert_eq!(split_names(" 王金栋，杨新胜 "), v(&["王金栋", "杨新胜"]));
    }
}
