//! Property tests of the policy parser: it never panics, whatever it is given, and a document
//! built from known parts is read back into exactly those parts, whichever punctuation is used.

use proptest::prelude::*;
use zhaoyin_core::policy::parse;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_text(s in "\\PC{0,400}") {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_policy_like_noise(parts in proptest::collection::vec(
        prop_oneof![
            Just("一、".to_string()), Just("（一）".to_string()), Just("1.".to_string()), Just("第一条".to_string()),
            Just("第二章".to_string()), Just("责任人:".to_string()), Just("责任单位：".to_string()), Just("牵头单位:".to_string()),
            Just("配合单位：".to_string()), Just("、".to_string()), Just("，".to_string()), Just(",".to_string()),
            Just("；".to_string()), Just("(".to_string()), Just("）".to_string()), Just("\n".to_string()),
            Just("8月底前".to_string()), Just("不少于".to_string()), Just("20".to_string()), Just("万元".to_string()),
            Just("—".to_string()), Just("以上".to_string()), Just("等".to_string()), Just("部门".to_string()),
            Just("每季度".to_string()), Just("2019年".to_string()), Just("上一页".to_string()), "[\\u4e00-\\u9fa5]{1,4}",
        ],
        0..80,
    )) {
        let _ = parse(&parts.concat());
    }

    #[test]
    fn a_built_document_reads_back(
        chapters in proptest::collection::vec(
            proptest::collection::vec(
                (
                    proptest::collection::vec("[张王李赵刘陈杨][明华军伟芳丽强]{1,2}", 1..3),
                    proptest::collection::vec("县[财政科技商务审计水利交通]{2}局", 1..4),
                    proptest::collection::vec("县[人社住建应急统计民政]{2}局", 0..4),
                ),
                1..4,
            ),
            1..4,
        ),
        full_width in any::<bool>(),
    ) {
        let (comma, colon) = if full_width { ("，", "：") } else { (",", ":") };
        let cn = ["一", "二", "三", "四"];
        let mut doc = String::from("某县关于推进工作的若干措施\n2023-05-06\n\n");
        let mut n = 0;
        for (ci, measures) in chapters.iter().enumerate() {
            doc.push_str(&format!("{}、第{}部分\n\n", cn[ci], ci + 1));
            for (leaders, lead, support) in measures {
                n += 1;
                doc.push_str(&format!("{n}.推进第{n}项工作。要求做好有关事项。\n\n"));
                doc.push_str(&format!("责任人{colon}{}\n\n", leaders.join("、")));
                let mut units = lead.join("、");
                if !support.is_empty() {
                    units.push_str(comma);
                    units.push_str(&support.join("、"));
                }
                doc.push_str(&format!("责任单位{colon}{units}\n\n"));
            }
        }
        let p = parse(&doc);
        prop_assert_eq!(p.chapters.len(), chapters.len());
        for (pc, measures) in p.chapters.iter().zip(&chapters) {
            prop_assert_eq!(pc.measures.len(), measures.len());
            for (pm, (leaders, lead, support)) in pc.measures.iter().zip(measures) {
                prop_assert_eq!(&pm.leaders, leaders);
                prop_assert_eq!(&pm.lead_units, lead);
                prop_assert_eq!(&pm.support_units, support);
            }
        }
    }
}
