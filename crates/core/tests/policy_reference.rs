//! The parser on the reference document, ../shared/policy/gaoqing-2019-18-measures.txt, exactly as
//! a user pastes it from the web. The file is on the developers' and CI's machines, not in a
//! user's clone: where it is absent this test says so and checks nothing.

use zhaoyin_core::policy::{Cadence, Comparator, parse};

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_gaoqing_18_measures() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/policy/gaoqing-2019-18-measures.txt"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("SKIPPED: {path} is not on this machine (it is on the developers' and CI's)");
        return;
    };
    let p = parse(&text);
    assert_eq!(
        p.title.as_deref(),
        Some("高青县落实“七项真功夫”精准突破“双招双引”18条措施")
    );
    assert_eq!(p.date.map(|d| d.to_string()).as_deref(), Some("2019-09-01"));
    assert_eq!(p.chapters.len(), 7);
    assert_eq!(
        p.chapters
            .iter()
            .map(|c| c.number.as_str())
            .collect::<Vec<_>>(),
        vec!["一", "二", "三", "四", "五", "六", "七"]
    );
    assert_eq!(p.chapters[0].title, "拿出敢闯敢试的真功夫");
    let measures: Vec<_> = p.measures().collect();
    assert_eq!(measures.len(), 18);
    assert_eq!(
        measures
            .iter()
            .map(|m| m.number.as_str())
            .collect::<Vec<_>>(),
        (1..=18).map(|n| n.to_string()).collect::<Vec<_>>()
    );
    assert!(
        measures
            .iter()
            .all(|m| !m.leaders.is_empty() && !m.lead_units.is_empty()),
        "every measure has its people and units"
    );

    let m1 = measures[0];
    assert_eq!(m1.title, "精准确定“双招双引”创新突破事项");
    assert_eq!(m1.leaders, v(&["卢琳", "陈现彬"]));
    assert_eq!(m1.lead_units, v(&["县委办公室", "县政府办公室"]));
    assert_eq!(m1.support_units, v(&["县直各部门、单位"]));
    assert_eq!(m1.unit_groups, v(&["县直各部门、单位"]));
    assert_eq!(m1.notes, v(&["加黑字体单位为牵头单位,下同"]));
    assert_eq!(
        m1.deadline.map(|d| d.to_string()).as_deref(),
        Some("2019-08-31")
    );

    let m6 = measures[5];
    assert_eq!(m6.leaders, v(&["张亮云", "赵学"]));
    assert_eq!(
        m6.lead_units,
        v(&[
            "县发展和改革局",
            "县工业和信息化局",
            "县自然资源局",
            "市生态环境局高青分局"
        ])
    );
    assert_eq!(
        m6.support_units,
        v(&["县住房和城乡建设局", "经济开发区", "县化工产业园"])
    );

    let m4 = measures[3];
    assert_eq!(
        m4.cadences,
        vec![Cadence::Monthly, Cadence::Quarterly, Cadence::Yearly]
    );
    assert_eq!(
        m4.support_units,
        v(&["县投资促进中心", "县商务外事服务中心"])
    );

    let m7 = measures[6];
    assert!(
        m7.targets
            .iter()
            .any(|t| t.comparator == Comparator::AtLeast
                && t.value.to_string() == "10"
                && t.unit.as_deref() == Some("%"))
    );

    let m9 = measures[8];
    let quotas: Vec<(String, String)> = m9
        .targets
        .iter()
        .filter(|t| t.comparator == Comparator::AtLeast && t.unit.as_deref() == Some("个"))
        .map(|t| (t.subject.clone().unwrap_or_default(), t.value.to_string()))
        .collect();
    for (subject, value) in [("世界500强", "20"), ("中国500强", "50"), ("总部机构", "10")]
    {
        assert!(
            quotas.contains(&(subject.to_string(), value.to_string())),
            "{subject} {value} in {quotas:?}"
        );
    }
    assert!(
        m9.unit_groups
            .contains(&"承担招商引资任务的县直部门、单位".to_string())
    );
    assert!(m9.cadences.contains(&Cadence::Quarterly));

    let m10 = measures[9];
    assert_eq!(
        m10.support_units,
        v(&[
            "县审计局",
            "县商务外事服务中心",
            "县金融证券服务中心",
            "各镇(街道)",
            "经济开发区",
            "县化工产业园"
        ])
    );
    assert!(
        m10.targets
            .iter()
            .any(|t| t.comparator == Comparator::Between && t.value.to_string() == "20")
    );

    let m12 = measures[11];
    assert_eq!(
        m12.targets
            .iter()
            .map(|t| t.value.to_string())
            .collect::<Vec<_>>(),
        vec!["25", "15", "10"]
    );

    let m15 = measures[14];
    assert_eq!(
        m15.lead_units,
        v(&["县住房和城乡建设局", "县行政审批服务局"])
    );
    assert!(
        m15.support_units
            .ends_with(&v(&["市生态环境局高青分局", "审批职能部门"]))
    );
    assert!(m15.cadences.contains(&Cadence::Weekly));

    // Nothing of the portal around the text leaks into the measures.
    let all: String = measures.iter().map(|m| m.text.as_str()).collect();
    for chrome in ["上一页", "评论", "QQ", "020-28998648", "粉丝", "人气"] {
        assert!(!all.contains(chrome), "{chrome}");
    }
    assert!(m1.text.starts_with("精准确定"));
    assert!(
        measures[17]
            .text
            .ends_with("加大在市对县考核中通过认定的项目的得分权重。")
    );
}
