//! The parser on documents the project ships (crates/core/tests/policies): other counties,
//! other numbering styles ("（一）" under "一、", "第X章/第X条", "1、"), full-width and ASCII
//! punctuation, separate 牵头单位/配合单位 lines, signature dates, portal chrome.

use zhaoyin_core::policy::{Cadence, Comparator, ParsedPolicy, parse};

fn load(name: &str) -> ParsedPolicy {
    let path = format!("{}/tests/policies/{name}", env!("CARGO_MANIFEST_DIR"));
    parse(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn chapters_with_parenthesised_measures_and_full_width_punctuation() {
    let p = load("linhe-2021-talent.txt");
    assert_eq!(
        p.title.as_deref(),
        Some("临河县关于加快引进高层次人才和创新团队的若干措施")
    );
    assert_eq!(p.date.map(|d| d.to_string()).as_deref(), Some("2021-03-15"));
    assert_eq!(p.chapters.len(), 2);
    assert_eq!(p.chapters[1].title, "优化人才服务");
    let m: Vec<_> = p.measures().collect();
    assert_eq!(
        m.iter().map(|m| m.number.as_str()).collect::<Vec<_>>(),
        vec!["一", "二", "三", "四"]
    );
    assert_eq!(m[0].title, "实施顶尖人才集聚工程");
    // "（县委人才办）" is part of the name, and "；" separates lead from supporting units.
    assert_eq!(
        m[0].lead_units,
        v(&["县委组织部（县委人才办）", "县人力资源和社会保障局"])
    );
    assert_eq!(m[0].support_units, v(&["县财政局", "县科技局"]));
    assert_eq!(
        m[0].deadline.map(|d| d.to_string()).as_deref(),
        Some("2021-06-30")
    );
    assert!(
        m[0].targets
            .iter()
            .any(|t| t.comparator == Comparator::AtLeast
                && t.value.to_string() == "100"
                && t.unit.as_deref() == Some("万元"))
    );
    assert_eq!(
        m[1].deadline.map(|d| d.to_string()).as_deref(),
        Some("2021-12-31")
    );
    assert_eq!(m[1].support_units, v(&["县自然资源局", "各乡镇（街道）"]));
    assert_eq!(m[1].unit_groups, v(&["各乡镇（街道）"]));
    assert_eq!(m[2].cadences, vec![Cadence::Quarterly]);
    assert_eq!(m[2].unit_groups, v(&["县直有关部门单位"]));
    assert_eq!(m[3].cadences, vec![Cadence::Yearly]);
    assert!(
        m[3].targets
            .iter()
            .any(|t| t.value.to_string() == "500" && t.unit.as_deref() == Some("人"))
    );
    let all: String = m.iter().map(|m| m.text.as_str()).collect();
    assert!(!all.contains("上一篇") && !all.contains("扫一扫"));
}

#[test]
fn articles_under_chapters_with_ascii_punctuation_and_a_signature_date() {
    let p = load("beishan-2022-investment.txt");
    assert_eq!(
        p.title.as_deref(),
        Some("北山县促进招商引资高质量发展的实施办法")
    );
    assert_eq!(
        p.date.map(|d| d.to_string()).as_deref(),
        Some("2022-04-08"),
        "the date under the signature"
    );
    assert_eq!(
        p.chapters
            .iter()
            .map(|c| c.number.as_str())
            .collect::<Vec<_>>(),
        vec!["一", "二", "三"]
    );
    let m: Vec<_> = p.measures().collect();
    assert_eq!(m.len(), 4);
    assert_eq!(
        m[0].deadline.map(|d| d.to_string()).as_deref(),
        Some("2022-05-31")
    );
    assert_eq!(m[1].cadences, vec![Cadence::Monthly]);
    assert_eq!(m[1].support_units, v(&["各镇(街道)", "北山经济开发区"]));
    assert!(
        m[2].targets
            .iter()
            .any(|t| t.comparator == Comparator::Between
                && t.value_max.map(|x| x.to_string()) == Some("100".into()))
    );
    assert_eq!(
        m[3].support_units,
        v(&["县自然资源局", "县住房和城乡建设局", "审批部门"])
    );
    assert!(
        m[3].targets
            .iter()
            .any(|t| t.value.to_string() == "30" && t.unit.as_deref() == Some("%"))
    );
    assert!(
        !m[3].text.contains("北山县人民政府"),
        "the signature is not part of the last article"
    );
}

#[test]
fn numbered_measures_without_chapters_and_separate_lead_and_support_lines() {
    let p = load("dongping-2020-platforms.txt");
    assert_eq!(p.date.map(|d| d.to_string()).as_deref(), Some("2020-07-20"));
    assert_eq!(p.chapters.len(), 1);
    assert_eq!(p.chapters[0].number, "");
    let m: Vec<_> = p.measures().collect();
    assert_eq!(m.len(), 3);
    assert_eq!(m[0].lead_units, v(&["县科技局"]));
    assert_eq!(m[0].support_units, v(&["县财政局", "县工业和信息化局"]));
    assert_eq!(
        m[0].deadline.map(|d| d.to_string()).as_deref(),
        Some("2020-08-31")
    );
    assert_eq!(
        m[0].targets
            .iter()
            .map(|t| t.value.to_string())
            .collect::<Vec<_>>(),
        vec!["30", "20", "10"]
    );
    assert_eq!(m[1].leaders, v(&["何平"]));
    assert_eq!(m[1].lead_units, v(&["县科技局", "县教育局"]));
    assert_eq!(m[2].leaders, v(&["何平", "郭伟"]));
    assert_eq!(m[2].cadences, vec![Cadence::Quarterly, Cadence::Yearly]);
    let all: String = m.iter().map(|m| m.text.as_str()).collect();
    assert!(!all.contains("0538") && !all.contains("咨询"));
}

#[test]
fn the_parser_copes_with_nothing_useful() {
    for text in [
        "",
        "\n\n",
        "只有一句话。",
        "1.",
        "一、",
        "责任单位:县财政局",
        "第一条",
    ] {
        let p = parse(text);
        assert!(p.measures().all(|m| m.lead_units.len() <= 1), "{text:?}");
    }
}
