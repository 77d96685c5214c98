//! The demo county's investment pipeline: a library of invented companies (with credit codes
//! that pass the check), and projects in every stage, walked there day by day over the past
//! year through the same rules a user's moves go through. Every name here is invented.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zhaoyin_core::approval::Mechanism;
use zhaoyin_core::chain::ChainInput;
use zhaoyin_core::company::{CompanyInput, CompanyStatus, Contact};
use zhaoyin_core::credit_code;
use zhaoyin_core::incentive::FundUse;
use zhaoyin_core::problem::ProblemCategory;
use zhaoyin_core::progress::EvidenceType;
use zhaoyin_core::project::{MajorRule, ProjectInput, Stage};
use zhaoyin_core::talent::{Programs, TalentInput};
use zhaoyin_core::target::{TargetEntryInput, TargetListInput, TargetRules};
use zhaoyin_db::Db;
use zhaoyin_db::audit::Actor;
use zhaoyin_db::projects::{self, MoveValues};
use zhaoyin_db::{chains, companies, talents, targets};

/// Where invented companies have their seat: place in the name, city, division code.
const PLACES: &[(&str, &str, &str)] = &[
    ("山东", "济南", "370100"),
    ("淄博", "淄博", "370300"),
    ("高青", "淄博", "370322"),
    ("青岛", "青岛", "370200"),
    ("潍坊", "潍坊", "370700"),
    ("东营", "东营", "370500"),
    ("上海", "上海", "310000"),
    ("江苏", "南京", "320100"),
    ("苏州", "苏州", "320500"),
    ("浙江", "杭州", "330100"),
    ("宁波", "宁波", "330200"),
    ("深圳", "深圳", "440300"),
    ("广州", "广州", "440100"),
    ("北京", "北京", "110000"),
    ("天津", "天津", "120000"),
];

const CORES: &[&str] = &[
    "鑫源", "华泰", "瑞丰", "恒达", "金诺", "博远", "天成", "润禾", "中科", "远航", "德信", "宏业",
    "新朗", "凯盛", "九州", "海川", "信诚", "和顺", "嘉禾", "明德", "泰和", "永安", "汇通", "启航",
];

/// Lines of business: the word in the name, GB/T 4754 section and division, key industry.
const TRADES: &[(&str, char, &str, &str)] = &[
    ("新材料", 'C', "26", "新能源新材料"),
    ("精细化工", 'C', "26", "高端化工"),
    ("智能装备", 'C', "34", "高端装备"),
    ("生物医药", 'C', "27", "医养健康"),
    ("食品", 'C', "14", "现代高效农业"),
    ("新能源", 'D', "44", "新能源新材料"),
    ("环保科技", 'N', "77", ""),
    ("电子信息", 'C', "39", "新一代信息技术"),
    ("纺织", 'C', "17", ""),
    ("现代农业", 'A', "01", "现代高效农业"),
    ("物流", 'G', "59", ""),
    ("医疗器械", 'C', "35", "医养健康"),
    ("文化旅游", 'R', "88", "文化创意"),
];

const FORMS: &[&str] = &["有限公司", "股份有限公司", "集团有限公司"];

/// Invented groups abroad (no Chinese credit code): name, country, city.
const ABROAD: &[(&str, &str, &str)] = &[
    ("莱茵菲尔德化学集团", "德国", "法兰克福"),
    ("北海能源控股", "荷兰", "鹿特丹"),
    ("阿尔卑斯精密机械集团", "瑞士", "苏黎世"),
    ("塞纳生命科学集团", "法国", "里昂"),
    ("樱川电子工业株式会社", "日本", "大阪"),
    ("汉江材料株式会社", "韩国", "首尔"),
    ("五大湖工业集团", "美国", "芝加哥"),
    ("北欧绿色动力集团", "瑞典", "哥德堡"),
    ("泰晤士医疗器械集团", "英国", "曼彻斯特"),
    ("米兰时尚纺织集团", "意大利", "米兰"),
    ("多瑙河装备集团", "奥地利", "林茨"),
    ("南十字农业集团", "澳大利亚", "墨尔本"),
];

/// Invented contacts: names from [`SURNAMES`] and [`GIVEN`], a title, and an address at
/// example.com (reserved for examples); no phone numbers are made up.
const TITLES: &[&str] = &[
    "总经理",
    "副总经理",
    "投资部经理",
    "董事会秘书",
    "战略发展部总监",
];

/// One or two contacts for the `n`th invented company.
fn invented_contacts(rng: &mut StdRng, n: usize) -> Vec<Contact> {
    (0..1 + n % 2)
        .map(|k| {
            let name = format!(
                "{}{}",
                SURNAMES[rng.random_range(0..SURNAMES.len())],
                GIVEN[rng.random_range(0..GIVEN.len())]
            );
            Contact {
                title: TITLES[rng.random_range(0..TITLES.len())].into(),
                email: format!("contact{n}-{k}@example.com"),
                name,
                ..Default::default()
            }
        })
        .collect()
}

const SOURCES: &[&str] = &[
    "商会推荐",
    "以商招商",
    "中介机构",
    "展会洽谈",
    "驻外招商",
    "网络信息",
];

/// Units that recruit (follow companies, own projects).
const RECRUITERS: &[&str] = &[
    "gq-tcz", "gq-swz", "gq-fgj", "gq-gxj", "gq-kjj", "gq-kfq", "gq-hgy", "gq-tz", "gq-qc",
    "gq-gc", "gq-hg",
];

/// Where projects are built.
const LOCATIONS: &[&str] = &[
    "gq-kfq", "gq-hgy", "gq-tz", "gq-lh", "gq-qc", "gq-gc", "gq-hg",
];

const PROJECT_KINDS: &[&str] = &[
    "年产{n}万吨{t}项目",
    "{t}产业园项目",
    "{t}研发中心项目",
    "{t}智能化改造项目",
    "{t}生产基地项目",
];

/// How many projects end at each stage.
const SPREAD: &[(Stage, usize)] = &[
    (Stage::Lead, 14),
    (Stage::Negotiating, 14),
    (Stage::Signed, 12),
    (Stage::Registered, 8),
    (Stage::Started, 12),
    (Stage::Producing, 8),
    (Stage::AtCapacity, 4),
    (Stage::Paused, 4),
    (Stage::Terminated, 4),
];

/// The county's industry chains: name, lead unit, team units, and the segments as an outline
/// whose lines name the trades (words of [`TRADES`]) whose companies sit there. Segments no
/// trade fills stay gaps.
/// An outline line and the trades whose companies sit in that segment.
type SegmentLine = (&'static str, &'static [&'static str]);

const CHAINS: &[(&str, &str, &[&str], &[SegmentLine])] = &[
    (
        "新能源新材料产业链",
        "gq-gxj",
        &["gq-fgj", "gq-kjj", "gq-kfq"],
        &[
            ("上游", &[]),
            ("  基础原料", &["精细化工"]),
            ("  矿产资源", &[]),
            ("中游", &[]),
            ("  高性能纤维", &["新材料"]),
            ("  功能膜材料", &["新材料"]),
            ("  锂电材料", &["新材料", "新能源"]),
            ("下游", &[]),
            ("  储能电池", &["新能源"]),
            ("  光伏组件", &[]),
        ],
    ),
    (
        "高端化工产业链",
        "gq-hgy",
        &["gq-gxj", "gq-yjj", "gq-fgj"],
        &[
            ("上游", &[]),
            ("  石化原料", &[]),
            ("中游", &[]),
            ("  精细化学品", &["精细化工"]),
            ("  医药中间体", &["精细化工", "生物医药"]),
            ("下游", &[]),
            ("  高端涂料", &["精细化工"]),
            ("  节能环保服务", &["环保科技"]),
        ],
    ),
    (
        "高端装备产业链",
        "gq-kfq",
        &["gq-gxj", "gq-kjj"],
        &[
            ("上游", &[]),
            ("  核心零部件", &["智能装备"]),
            ("  电子元器件", &["电子信息"]),
            ("中游", &[]),
            ("  智能制造装备", &["智能装备"]),
            ("  工业软件", &[]),
            ("下游", &[]),
            ("  系统集成服务", &["智能装备", "电子信息"]),
        ],
    ),
    (
        "医养健康产业链",
        "gq-kjj",
        &["gq-fgj", "gq-tcz"],
        &[
            ("上游", &[]),
            ("  中药材种植", &["现代农业"]),
            ("中游", &[]),
            ("  生物制药", &["生物医药"]),
            ("  医疗器械", &["医疗器械"]),
            ("下游", &[]),
            ("  康养服务", &[]),
            ("  健康食品", &["食品"]),
        ],
    ),
];

/// Adds the chains; returns, for each trade of [`TRADES`], the segments its companies may sit in.
async fn load_chains(
    db: &Db,
    actor: &Actor,
    unit: &dyn Fn(&str) -> anyhow::Result<i64>,
    leaders: &[i64],
    library: i64,
) -> anyhow::Result<Vec<Vec<i64>>> {
    let mut by_trade: Vec<Vec<i64>> = vec![Vec::new(); TRADES.len()];
    for (i, (name, lead, members, segments)) in CHAINS.iter().enumerate() {
        let input = ChainInput {
            name: (*name).into(),
            lead_unit_id: Some(unit(lead)?),
            leader_id: leaders.get(i).copied(),
            unit_ids: members
                .iter()
                .map(|m| unit(m))
                .collect::<anyhow::Result<_>>()?,
            outline: segments
                .iter()
                .map(|(line, _)| format!("{line}\n"))
                .collect(),
            notes: String::new(),
        };
        let chain = chains::create(db, actor, library, &fields(input.validate())?).await?;
        let stored = chains::segments(db, &[chain.id]).await?;
        for (seg, (_, trades)) in stored.iter().zip(segments.iter()) {
            for t in *trades {
                if let Some(k) = TRADES.iter().position(|x| x.0 == *t) {
                    by_trade[k].push(seg.id);
                }
            }
        }
    }
    Ok(by_trade)
}

/// Invented experts: surname and given names are combined; fields and affiliations are generic.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: &[&str] = &[
    "立新", "晓东", "建华", "海燕", "志强", "春梅", "文博", "静怡", "国栋", "雪松",
];
const EXPERTISE: &[(&str, &str)] = &[
    ("高分子材料", "省新材料研究院"),
    ("储能电池", "华东能源技术研究所"),
    ("精细化工工艺", "北方化工大学"),
    ("智能制造", "东部工业技术研究院"),
    ("生物制药", "省医药科学院"),
    ("食品安全", "农业科技大学"),
    ("工业软件", "信息技术研究中心"),
    ("医疗器械", "医学工程研究所"),
];

/// Talents: experts and a few teams, most with a program, some introduced with their company.
async fn load_talents(
    db: &Db,
    actor: &Actor,
    rng: &mut StdRng,
    library: i64,
    followers: &[i64],
    companies: &[i64],
    programs: &Programs,
) -> anyhow::Result<usize> {
    let mut made = 0;
    for i in 0..48 {
        let (field, affiliation) = EXPERTISE[i % EXPERTISE.len()];
        let team = i % 8 == 7;
        let person = format!(
            "{}{}",
            SURNAMES[rng.random_range(0..SURNAMES.len())],
            GIVEN[rng.random_range(0..GIVEN.len())]
        );
        let program = programs
            .programs
            .get(rng.random_range(0..programs.programs.len() + 3))
            .map(|p| p.name.clone());
        let input = TalentInput {
            kind: if team { "team" } else { "person" }.into(),
            name: if team {
                format!("{field}创新团队")
            } else {
                person.clone()
            },
            leader: if team { person } else { String::new() },
            team_size: team.then(|| rng.random_range(4..15)),
            field: field.into(),
            affiliation: affiliation.into(),
            title: ["教授", "研究员", "高级工程师", "首席科学家"][i % 4].into(),
            programs: program.into_iter().collect(),
            company_id: (i % 3 == 0).then(|| companies[rng.random_range(0..companies.len())]),
            ..Default::default()
        };
        let f = match input.validate(programs) {
            Ok(f) => f,
            Err(e) => anyhow::bail!("demo talent does not validate: {e:?}"),
        };
        let unit = followers[i % followers.len()];
        let t = match talents::create(db, actor, library, Some(unit), &f).await {
            Ok(t) => t,
            // Invented names may meet twice at one affiliation: that one is left out.
            Err(zhaoyin_db::Error::Invalid(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        let status = [
            CompanyStatus::Potential,
            CompanyStatus::Contacting,
            CompanyStatus::Signed,
            CompanyStatus::Landed,
        ][i % 4];
        if status != CompanyStatus::Potential {
            talents::set_status(db, actor, t.id, t.version, status, "").await?;
        }
        made += 1;
    }
    Ok(made)
}

/// Where trips go, and the companies' cities they meet there.
const DESTINATIONS: &[&str] = &[
    "广东深圳",
    "上海",
    "江苏苏州",
    "浙江杭州",
    "北京",
    "山东青岛",
    "浙江宁波",
    "广东广州",
];
const ABROAD_DESTINATIONS: &[&str] = &["德国法兰克福", "日本大阪", "韩国首尔", "新加坡"];

/// A year of recruiting activities: each recruiting unit's trips (approved, then done with
/// their outcome; this month a few still waiting, one returned, one registered late), visits,
/// negotiations, promotions and signings, meeting the companies it follows and serving its
/// projects. `approver` decides the trips.
#[allow(clippy::too_many_arguments)]
async fn load_activities(
    db: &Db,
    actor: &Actor,
    approver: &Actor,
    rng: &mut StdRng,
    units: &[i64],
    leaders: &[i64],
    met: &[(i64, i64)],
    served: &[(i64, i64)],
    today: NaiveDate,
) -> anyhow::Result<usize> {
    use zhaoyin_core::activity::{ActivityInput, ActivityRules, ActivityStatus};
    use zhaoyin_db::activities::{self, StatusMove};
    let rules = ActivityRules::default();
    let mut made = 0;
    let this_month = today.with_day(1).unwrap_or(today);
    for (n, &unit) in units.iter().enumerate() {
        let region = zhaoyin_db::org::get_unit(db, unit).await?.region_id;
        let companies: Vec<i64> = met.iter().filter(|m| m.1 == unit).map(|m| m.0).collect();
        let projects: Vec<i64> = served.iter().filter(|m| m.1 == unit).map(|m| m.0).collect();
        let pick = |rng: &mut StdRng, from: &[i64], k: usize| -> Vec<i64> {
            let mut out: Vec<i64> = (0..k)
                .filter_map(|_| from.get(rng.random_range(0..from.len().max(1))).copied())
                .collect();
            out.dedup();
            out
        };
        for back in 0..12u32 {
            let first = this_month
                .checked_sub_months(chrono::Months::new(back))
                .unwrap_or(this_month);
            let kinds: &[&str] = match (back + n as u32) % 4 {
                0 => &["trip", "talks", "visit"],
                1 => &["visit", "talks"],
                2 => &["trip", "promotion", "visit"],
                _ => &["talks", "signing"],
            };
            for kind in kinds {
                let trip = *kind == "trip";
                let abroad = trip && (back + n as u32).is_multiple_of(9);
                let mut starts_on = first + Duration::days(rng.random_range(0..27));
                // One trip of this month was registered two days after it began.
                let late = back == 0 && trip && n == 6;
                if late {
                    starts_on = today - Duration::days(2);
                } else if back == 0 && trip {
                    // This month's other trips are still ahead.
                    starts_on = today + Duration::days(rng.random_range(2..12));
                } else if starts_on > today {
                    starts_on = today - Duration::days(rng.random_range(0..5));
                }
                let days = if trip { rng.random_range(1..5) } else { 0 };
                let place = if abroad {
                    ABROAD_DESTINATIONS[rng.random_range(0..ABROAD_DESTINATIONS.len())]
                } else if trip {
                    DESTINATIONS[rng.random_range(0..DESTINATIONS.len())]
                } else {
                    "高青县"
                };
                let title = match *kind {
                    "trip" => format!("赴{place}开展招商对接"),
                    "visit" => "接待客商来县考察".to_string(),
                    "talks" => "项目合作洽谈".to_string(),
                    "promotion" => "高青县产业招商推介会".to_string(),
                    _ => "重点项目集中签约".to_string(),
                };
                let input = ActivityInput {
                    kind: (*kind).into(),
                    abroad,
                    title,
                    place: place.into(),
                    starts_on: Some(starts_on),
                    ends_on: Some(starts_on + Duration::days(days)),
                    purpose: if trip {
                        "拜访目标企业总部，推介园区载体与扶持政策".into()
                    } else {
                        String::new()
                    },
                    outcome: if trip {
                        String::new()
                    } else {
                        "达成初步合作意向，明确下一步对接事项".into()
                    },
                    unit_ids: if n % 3 == 0 {
                        vec![units[(n + 1) % units.len()]]
                    } else {
                        Vec::new()
                    },
                    leader_ids: pick(rng, leaders, if trip { 2 } else { 1 }),
                    company_ids: pick(rng, &companies, 2),
                    talent_ids: Vec::new(),
                    project_ids: pick(rng, &projects, 1),
                };
                // Dates in the future are for trips only; the rules check everything else.
                let f = fields(input.validate(&rules, today.max(starts_on)))?;
                let status = ActivityStatus::initial(f.kind);
                let a = activities::create(db, actor, region, unit, &f, status, late).await?;
                made += 1;
                if !trip {
                    continue;
                }
                // This month: one returned, the units of every other trip waiting for approval.
                let decision = if back == 0 && n == 2 {
                    Some((
                        ActivityStatus::Returned,
                        Some("行程安排过密，请压缩为两天".into()),
                    ))
                } else if back == 0 && n % 4 == 2 {
                    None
                } else {
                    Some((ActivityStatus::Approved, None))
                };
                let Some((to, reason)) = decision else {
                    continue;
                };
                let a = activities::set_status(
                    db,
                    approver,
                    a.id,
                    a.version,
                    &StatusMove {
                        from: status,
                        to,
                        reason,
                        outcome: None,
                        decided: true,
                    },
                )
                .await?;
                if to == ActivityStatus::Approved && starts_on <= today {
                    activities::set_status(
                        db,
                        actor,
                        a.id,
                        a.version,
                        &StatusMove {
                            from: to,
                            to: ActivityStatus::Done,
                            reason: None,
                            outcome: Some("拜访企业 3 家，其中 1 家有来县考察意向".into()),
                            decided: false,
                        },
                    )
                    .await?;
                }
            }
        }
    }
    Ok(made)
}

fn fields<T>(r: Result<T, zhaoyin_core::Invalid>) -> anyhow::Result<T> {
    r.map_err(|e| anyhow::anyhow!("demo data does not validate: {e:?}"))
}

/// A credit code that passes the check: legal-person company (91), the division, an invented
/// organisation code, and its check character.
fn invented_code(rng: &mut StdRng, division: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut s = format!("91{division}");
    for _ in 0..9 {
        s.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    let check = credit_code::check_character(&s).unwrap_or('0');
    s.push(check);
    s
}

/// Blockers of major and paused projects: category, what is wrong, the unit that must solve it.
const PROBLEMS: &[(ProblemCategory, &str, &str)] = &[
    (
        ProblemCategory::Land,
        "用地指标未落实，需协调调剂",
        "gq-zrj",
    ),
    (
        ProblemCategory::Planning,
        "规划条件未出具，影响设计方案审查",
        "gq-zrj",
    ),
    (
        ProblemCategory::Environment,
        "环评报告需补充大气专项论证",
        "gq-sthj",
    ),
    (
        ProblemCategory::Energy,
        "能耗指标缺口，需申请省级统筹",
        "gq-fgj",
    ),
    (
        ProblemCategory::Safety,
        "危化品仓储安全评价未通过",
        "gq-yjj",
    ),
    (ProblemCategory::Funding, "配套基础设施资金未到位", "gq-czj"),
    (ProblemCategory::Other, "项目区外供电线路未接入", "gq-gd"),
    (ProblemCategory::Other, "施工许可材料需补正", "gq-spj"),
];

/// One to three problems on each troubled project, in every status: some solved and verified,
/// some solved and waiting, some in hand, some overdue (raised earlier, their deadline passed),
/// a blocker among them with its written explanation.
async fn load_problems(
    db: &Db,
    actor: &Actor,
    unit: &impl Fn(&str) -> anyhow::Result<i64>,
    projects: &[i64],
    rng: &mut StdRng,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    use zhaoyin_core::problem::{ProblemFields, ProblemStatus};
    use zhaoyin_db::problems;
    let mut made = 0;
    for (i, project) in projects.iter().enumerate() {
        for k in 0..1 + i % 3 {
            let (category, text, owner) = PROBLEMS[(i * 3 + k) % PROBLEMS.len()];
            let f = ProblemFields {
                category,
                description: text.to_string(),
                unit_id: unit(owner)?,
                deadline: today + Duration::days(rng.random_range(-20..40)),
                blocking: k == 0 && i % 2 == 0,
            };
            let mut p = problems::create(db, actor, *project, &f).await?;
            let steps: &[(ProblemStatus, Option<&str>)] = match (i + k) % 5 {
                0 => &[],
                1 => &[(ProblemStatus::InProgress, None)],
                2 => &[
                    (ProblemStatus::InProgress, None),
                    (
                        ProblemStatus::Solved,
                        Some("已协调办结，相关批复文件已印发"),
                    ),
                ],
                3 => &[
                    (ProblemStatus::InProgress, None),
                    (ProblemStatus::Solved, Some("已召开专题会议协调解决")),
                    (ProblemStatus::Closed, None),
                ],
                // Returned as not the unit's, waiting to be assigned again.
                _ if k == 1 => &[(
                    ProblemStatus::Returned,
                    Some("该事项不属于本单位职责，建议由属地镇街协调办理"),
                )],
                _ => &[(ProblemStatus::InProgress, None)],
            };
            for (to, text) in steps {
                p = problems::set_status(
                    db,
                    actor,
                    p.id,
                    p.version,
                    (p.status(), *to),
                    text.map(str::to_string),
                    &[],
                )
                .await?;
            }
            let overdue = matches!(p.status(), ProblemStatus::Open | ProblemStatus::InProgress)
                && p.deadline < today;
            if overdue && (p.blocking || p.project_paused()) && i % 4 == 0 {
                problems::explain(
                    db,
                    actor,
                    p.id,
                    p.version,
                    "涉及省级审批事项，已多次对接，预计月底前办结",
                )
                .await?;
            }
            made += 1;
        }
    }
    Ok(made)
}

/// The items of the four stages of construction-project approval: stage, name, department,
/// statutory and committed days, mechanism; each waits for the one before it.
type DemoItem = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    Option<Mechanism>,
);
const APPROVAL_ITEMS: &[DemoItem] = &[
    (
        "land_planning",
        "建设项目用地预审与选址意见书",
        "gq-zrj",
        20,
        5,
        Some(Mechanism::StandardLand),
    ),
    (
        "land_planning",
        "建设用地规划许可证核发",
        "gq-zrj",
        20,
        5,
        None,
    ),
    (
        "engineering",
        "建设工程规划许可证核发",
        "gq-spj",
        20,
        7,
        Some(Mechanism::RegionalAssessment),
    ),
    (
        "engineering",
        "环境影响评价审批",
        "gq-sthj",
        30,
        10,
        Some(Mechanism::RegionalAssessment),
    ),
    (
        "construction",
        "建筑工程施工许可证核发",
        "gq-spj",
        7,
        3,
        Some(Mechanism::Promise),
    ),
    (
        "completion",
        "建设工程竣工联合验收",
        "gq-zjj",
        20,
        10,
        Some(Mechanism::BuildFirst),
    ),
];

/// Approval items of each signed major project: those of a started project were all approved
/// before its start, each in or near its committed days; a project not yet started has its
/// land-use items approved, the next in hand (one of them late), the rest to come. The land
/// day is recorded, and the approval service's stage leads named.
async fn load_approvals(
    db: &Db,
    actor: &Actor,
    unit: &impl Fn(&str) -> anyhow::Result<i64>,
    projects: &[(i64, NaiveDate, Option<NaiveDate>)],
    rng: &mut StdRng,
    today: NaiveDate,
) -> anyhow::Result<()> {
    use zhaoyin_core::approval::{ApprovalRules, ItemFields};
    use zhaoyin_db::approvals;
    let rules = ApprovalRules::default();
    let county = zhaoyin_db::companies::library_of_unit(db, unit("gq-spj")?)
        .await?
        .0;
    for (stage, lead) in [
        ("land_planning", "gq-zrj"),
        ("engineering", "gq-spj"),
        ("construction", "gq-spj"),
        ("completion", "gq-zjj"),
    ] {
        approvals::set_stage_lead(db, actor, county, stage, Some(unit(lead)?)).await?;
    }
    for (i, (project, signed, started)) in projects.iter().enumerate() {
        let land = (*signed + Duration::days(rng.random_range(10..30))).min(today);
        approvals::set_land_on(db, actor, *project, Some(land)).await?;
        // Applications follow one another from the land day; a project not started has its
        // first `done` items approved, the next one open since a few days.
        let done = match started {
            Some(_) => APPROVAL_ITEMS.len() - 1,
            None => 2 + i % 2,
        };
        let mut day = land;
        let mut previous: Option<i64> = None;
        for (k, (stage, name, dept, statutory, committed, mechanism)) in
            APPROVAL_ITEMS.iter().enumerate()
        {
            let (submitted_on, approved_on) = if k < done {
                let s = day.min(today);
                let a = rules
                    .add_days(s, committed + rng.random_range(-2..3))
                    .min(today)
                    .max(s);
                day = a + Duration::days(rng.random_range(1..4));
                (Some(s), Some(a))
            } else if k == done && started.is_none() {
                (Some(today - Duration::days(rng.random_range(2..16))), None)
            } else {
                (None, None)
            };
            let f = ItemFields {
                stage: (*stage).into(),
                name: (*name).into(),
                unit_id: unit(dept)?,
                statutory_days: *statutory,
                committed_days: *committed,
                mechanism: *mechanism,
                depends_on: previous.into_iter().collect(),
                submitted_on,
                approved_on,
                note: None,
            };
            previous = Some(approvals::create(db, actor, *project, &f).await?.id);
        }
    }
    Ok(())
}

/// Two past weekly scheduling meetings of the county, each with its generated agenda, the
/// county leaders and the approval service attending, and two decisions: a task for the land
/// bureau and a problem for the approval service on the first project of the agenda.
pub async fn load_meetings(
    st: &zhaoyin_web::AppState,
    actor: &Actor,
    units: &HashMap<String, i64>,
    leaders: &[i64],
    today: NaiveDate,
) -> anyhow::Result<usize> {
    use zhaoyin_core::meeting::{DecisionFields, DecisionKind, MeetingFields};
    use zhaoyin_db::meetings::{self, Creates};
    use zhaoyin_web::service::meetings as service;
    let db = &st.db;
    let unit = |code: &str| {
        units
            .get(code)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("demo data names an unknown unit {code}"))
    };
    let (county, path) = zhaoyin_db::companies::library_of_unit(db, unit("gq-tcz")?).await?;
    let mut made = 0;
    for (weeks, title, chair) in [(2, "第一次", "张亮云"), (1, "第二次", "张亮云")] {
        let held_on = today - Duration::days(7 * weeks);
        let (since, since_at) = service::since(st, county, held_on).await?;
        let agenda = service::agenda(st, &path, since_at, held_on).await?;
        let f = MeetingFields {
            held_on,
            title: format!("重大项目推进{title}调度会"),
            place: Some("县政府第一会议室".into()),
            chair: Some(chair.into()),
        };
        let m = meetings::create(db, actor, county, &f, since, &agenda).await?;
        let mut present: Vec<(i64, &str)> =
            leaders.iter().take(4).map(|l| (*l, "present")).collect();
        if let Some(l) = leaders.get(4) {
            present.push((*l, "leave"));
        }
        meetings::set_attendance(db, actor, &m, &present).await?;
        let Some(first) = agenda.first() else {
            made += 1;
            continue;
        };
        let task = DecisionFields {
            text: format!(
                "县自然资源局牵头，两周内协调解决{}的用地问题",
                first.project_name
            ),
            kind: DecisionKind::Task,
            unit_id: unit("gq-zrj")?,
            deadline: held_on + Duration::days(14),
            project_id: Some(first.project_id),
            category: None,
        };
        let new_task = service::decision_task(&crate::tr(), &m, &task);
        meetings::decide(
            db,
            actor,
            &m,
            &task,
            Creates::Task(&new_task, st.cfg.clock()),
        )
        .await?;
        let problem = DecisionFields {
            text: format!(
                "县行政审批服务局为{}开通审批绿色通道，容缺受理施工许可",
                first.project_name
            ),
            kind: DecisionKind::Problem,
            unit_id: unit("gq-spj")?,
            deadline: (held_on + Duration::days(21)).max(today),
            project_id: Some(first.project_id),
            category: Some(ProblemCategory::Other),
        };
        let fields = service::decision_problem(&problem);
        meetings::decide(db, actor, &m, &problem, Creates::Problem(&fields)).await?;
        made += 1;
    }
    Ok(made)
}

/// Where money came from, for the demo's funds in place.
const FUND_SOURCES: &[(&str, EvidenceType)] = &[
    ("企业自有资金", EvidenceType::BankReceipt),
    ("注册资本金", EvidenceType::CapitalVerification),
    ("银行项目贷款", EvidenceType::BankReceipt),
    ("设备购置", EvidenceType::EquipmentInvoice),
];

/// What a month on a building site looks like, by how far along it is.
fn site_state(percent: i64) -> &'static str {
    match percent {
        0..=15 => "场地平整、临建设施搭设完成，桩基施工中",
        16..=35 => "桩基和基础施工完成，主体结构施工中",
        36..=60 => "主体结构封顶，钢结构厂房安装中",
        61..=85 => "厂房外立面和配套设施施工，设备陆续进场",
        _ => "设备安装调试，具备试生产条件",
    }
}

/// Monthly updates of each project since its start (up to eight months), its progress rising,
/// part of its plan invested; funds in place with their evidence, the latest sum of every third
/// project still waiting for its evidence (unverified).
async fn load_progress(
    db: &Db,
    actor: &Actor,
    building: &[(i64, i64, NaiveDate)],
    rng: &mut StdRng,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    use zhaoyin_core::activity::Month;
    use zhaoyin_core::progress::{FundFields, UpdateFields};
    use zhaoyin_db::follow_up::NewFile;
    use zhaoyin_db::progress;
    let mut made = 0;
    for (i, (project, total, started)) in building.iter().enumerate() {
        let mut month = Month::of(*started);
        let last = Month::of(today);
        let mut percent = 0;
        let mut months = 0;
        while month.first <= last.first && months < 8 {
            percent = (percent + rng.random_range(6..16)).min(100);
            let invested = total * rng.random_range(3..9) / 100;
            let f = UpdateFields {
                period: month,
                percent,
                description: site_state(percent).to_string(),
                invested,
            };
            progress::create_update(db, actor, *project, &f, &[]).await?;
            made += 1;
            months += 1;
            month = Month {
                first: month.next(),
            };
        }
        let sums = 1 + i % 3;
        for k in 0..sums {
            let (source, evidence_type) = FUND_SOURCES[(i + k) % FUND_SOURCES.len()];
            let received_on = (*started + Duration::days(20 + 45 * k as i64)).min(today);
            let f = FundFields {
                received_on,
                amount: (total * rng.random_range(5..20) / 100).max(1),
                source: Some(source.to_string()),
                evidence_type,
                note: None,
                // A project's third sum is its land: an introducer's reward leaves it out.
                used_for: if k == 2 {
                    FundUse::Land
                } else {
                    FundUse::Investment
                },
                fiscal: false,
            };
            let waiting = i % 3 == 0 && k + 1 == sums;
            let evidence = if waiting {
                Vec::new()
            } else {
                vec![NewFile {
                    filename: format!("{}（演示凭证）.txt", evidence_label(evidence_type)),
                    content_type: "text/plain".into(),
                    data: format!(
                        "演示数据：{source} {} 万元，{received_on} 到位。\n",
                        f.amount
                    )
                    .into_bytes(),
                }]
            };
            progress::add_fund(db, actor, *project, &f, &evidence).await?;
        }
    }
    Ok(made)
}

fn evidence_label(e: EvidenceType) -> &'static str {
    match e {
        EvidenceType::CapitalVerification => "验资报告",
        EvidenceType::BankReceipt => "银行进账单",
        EvidenceType::EquipmentInvoice => "设备发票",
        EvidenceType::Other => "其他凭证",
    }
}

pub struct Made {
    pub companies: usize,
    pub projects: usize,
    pub chains: usize,
    pub talents: usize,
    pub activities: usize,
    pub problems: usize,
    /// Monthly progress updates of projects under construction.
    pub updates: usize,
}

/// Loads the pipeline. `units` maps unit codes to ids; `leaders` are the county leaders'
/// person ids; `actor` acts for every write, and `approver` decides registered trips.
#[allow(clippy::too_many_arguments)]
pub async fn load(
    db: &Db,
    actor: &Actor,
    approver: &Actor,
    units: &HashMap<String, i64>,
    leaders: &[i64],
    today: NaiveDate,
    rule: &MajorRule,
    programs: &Programs,
) -> anyhow::Result<Made> {
    let mut rng = StdRng::seed_from_u64(2019);
    let unit = |code: &str| {
        units
            .get(code)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("demo data names an unknown unit {code}"))
    };
    let (library, _) = companies::library_of_unit(db, unit("gq-tcz")?).await?;
    let segments_of_trade = load_chains(db, actor, &unit, leaders, library).await?;

    // The company library: domestic companies, then groups abroad.
    let mut names = HashSet::new();
    let mut domestic = Vec::new();
    let mut tx = db.begin().await?;
    while domestic.len() < 280 {
        let (place, city, division) = PLACES[rng.random_range(0..PLACES.len())];
        let core = CORES[rng.random_range(0..CORES.len())];
        let (trade, section, div, _) = TRADES[rng.random_range(0..TRADES.len())];
        let form = FORMS[rng.random_range(0..FORMS.len())];
        let name = format!("{place}{core}{trade}{form}");
        if !names.insert(zhaoyin_core::company::name_key(&name)) {
            continue;
        }
        let n = domestic.len();
        let mut flags = Vec::new();
        if n < 55 {
            flags.push("china500".to_string());
        }
        if (40..70).contains(&n) {
            flags.push("private500".to_string());
        }
        if n % 17 == 0 {
            flags.push("headquarters".to_string());
        }
        if n % 5 == 0 {
            flags.push("listed".to_string());
        }
        let input = CompanyInput {
            name,
            credit_code: invented_code(&mut rng, division),
            hq_city: city.into(),
            industry_section: section.to_string(),
            industry_division: div.into(),
            flags,
            contacts: invented_contacts(&mut rng, n),
            source: SOURCES[rng.random_range(0..SOURCES.len())].into(),
            ..Default::default()
        };
        let follower = unit(RECRUITERS[rng.random_range(0..RECRUITERS.len())])?;
        let trade = TRADES.iter().position(|t| t.0 == trade).unwrap_or(0);
        let options = &segments_of_trade[trade];
        let segment = (!options.is_empty()).then(|| options[rng.random_range(0..options.len())]);
        let c = companies::insert(
            &mut tx,
            actor,
            library,
            Some(follower),
            &fields(input.validate())?,
            segment.as_slice(),
        )
        .await?;
        // Companies of the county itself are already here.
        let status = if place == "高青" {
            CompanyStatus::Landed
        } else {
            CompanyStatus::Potential
        };
        domestic.push((c.id, follower, trade, segment, status));
    }
    let mut abroad = Vec::new();
    for (i, (name, country, city)) in ABROAD.iter().enumerate() {
        let mut flags = vec!["global500".to_string()];
        if i % 3 == 0 {
            flags.push("listed".into());
        }
        let input = CompanyInput {
            name: (*name).into(),
            country: (*country).into(),
            hq_city: (*city).into(),
            flags,
            source: "驻外招商".into(),
            ..Default::default()
        };
        let c = companies::insert(
            &mut tx,
            actor,
            library,
            Some(unit("gq-swz")?),
            &fields(input.validate())?,
            &[],
        )
        .await?;
        abroad.push(c.id);
    }
    tx.commit().await?;

    // Projects, each walked to its final stage over the past year.
    let mut made = 0;
    let mut signed = Vec::new();
    let mut served = Vec::new();
    let mut major_leaders = leaders.iter().copied();
    let mut troubled = Vec::new();
    let mut building = Vec::new();
    let mut approving = Vec::new();
    // The approval service's agent (帮办代办专员) serves every major project.
    let (agent,): (i64,) = db
        .one(
            zhaoyin_db::Sql::new("SELECT id FROM people WHERE unit_id = $1 ORDER BY id LIMIT 1")
                .bind(unit("gq-spj")?),
        )
        .await?;
    for (final_stage, count) in SPREAD {
        for _ in 0..*count {
            let pick = rng.random_range(0..domestic.len());
            let (investor, follower, trade, segment, _) = domestic[pick];
            let (tname, section, div, key) = TRADES[trade];
            let kind = PROJECT_KINDS[rng.random_range(0..PROJECT_KINDS.len())];
            let name = kind
                .replace("{n}", &rng.random_range(1..30).to_string())
                .replace("{t}", tname);
            // A few big ones in key industries, each owned by its own leader (M17).
            let big = !key.is_empty() && rng.random_range(0..5) == 0;
            let total: i64 = if big {
                rng.random_range(12..60) * 10_000
            } else {
                rng.random_range(5..200) * 500
            };
            let outside = total * rng.random_range(6..10) / 10;
            let major = rule.is_major(outside, Some(key));
            let owner = if major {
                match major_leaders.next() {
                    Some(l) => Some(l),
                    None => continue,
                }
            } else {
                Some(leaders[rng.random_range(0..leaders.len())])
            };
            let input = ProjectInput {
                name: name.clone(),
                investor_id: Some(investor),
                industry_section: section.to_string(),
                industry_division: div.into(),
                key_industry: key.into(),
                segment_id: segment,
                unit_id: Some(follower),
                first_unit_id: Some(follower),
                owner_leader_id: owner,
                agent_id: major.then_some(agent),
                total_investment: Some(total),
                outside_investment: Some(outside),
                first_phase_investment: Some(total / 2),
                land_mu: format!("{}", rng.random_range(20..400)),
                introducer: if rng.random_range(0..3) == 0 {
                    "王建国".into()
                } else {
                    String::new()
                },
                ..Default::default()
            };
            let f = fields(input.validate(rule))?;
            let region = zhaoyin_db::org::get_unit(db, follower).await?.region_id;
            let mut day = today - Duration::days(rng.random_range(200..360));
            let mut p = projects::create(db, actor, region, &f, f.is_major(rule), day).await?;
            let path: Vec<Stage> = match final_stage {
                Stage::Paused | Stage::Terminated => {
                    let stop = Stage::PIPELINE[rng.random_range(1..5)];
                    let mut v = Stage::PIPELINE[1..=stop.rank().unwrap_or(1)].to_vec();
                    v.push(*final_stage);
                    v
                }
                s => Stage::PIPELINE[1..=s.rank().unwrap_or(0)].to_vec(),
            };
            for to in path {
                day += Duration::days(rng.random_range(5..30));
                let day_on = day.min(today);
                if to == Stage::Started {
                    building.push((p.id, total, day_on));
                }
                let values = MoveValues {
                    contract_amount: (to == Stage::Signed).then_some(total),
                    project_credit_code: (to == Stage::Registered)
                        .then(|| invented_code(&mut rng, "370322")),
                    location_unit_id: match to {
                        Stage::Started => {
                            Some(unit(LOCATIONS[rng.random_range(0..LOCATIONS.len())])?)
                        }
                        _ => None,
                    },
                };
                let reason = match to {
                    Stage::Paused => Some("企业融资未到位，暂缓推进"),
                    Stage::Terminated => Some("企业战略调整，项目取消"),
                    _ => None,
                };
                p = projects::move_stage(
                    db, actor, p.id, p.version, to, day_on, reason, &values, today,
                )
                .await?;
            }
            served.push((p.id, follower));
            if p.is_major && p.stage().is_signed() && p.stage() != Stage::Terminated {
                let started = building.last().filter(|b| b.0 == p.id).map(|b| b.2);
                approving.push((p.id, p.signed_on.unwrap_or(p.stage_on), started));
            }
            if p.is_major || p.stage() == Stage::Paused {
                troubled.push(p.id);
            }
            if p.stage().is_signed() {
                signed.push((p.clone(), f.clone()));
            }
            // The investor's status of contact follows its furthest project.
            let reached = match p.stage() {
                Stage::Negotiating => CompanyStatus::Contacting,
                Stage::Signed => CompanyStatus::Signed,
                Stage::Registered | Stage::Started | Stage::Producing | Stage::AtCapacity => {
                    CompanyStatus::Landed
                }
                _ => CompanyStatus::Potential,
            };
            let status = &mut domestic[pick].4;
            if reached.rank() > status.rank() {
                *status = reached;
            }
            made += 1;
        }
    }
    // Two investments signed again at a later event: flagged, and counted once.
    for (first, f) in signed.into_iter().take(2) {
        let again = zhaoyin_core::project::ProjectFields {
            name: format!("{}（集中签约活动）", first.name),
            owner_leader_id: None,
            contract_amount: None,
            ..f
        };
        let on = first.signed_on.unwrap_or(first.stage_on) + Duration::days(20);
        let on = on.min(today);
        let p =
            projects::create(db, actor, first.region_id, &again, again.is_major(rule), on).await?;
        projects::move_stage(
            db,
            actor,
            p.id,
            p.version,
            Stage::Signed,
            on,
            None,
            &MoveValues {
                contract_amount: first.contract_amount,
                ..Default::default()
            },
            today,
        )
        .await?;
        made += 1;
    }
    let problems = load_problems(db, actor, &unit, &troubled, &mut rng, today).await?;
    let updates = load_progress(db, actor, &building, &mut rng, today).await?;
    load_approvals(db, actor, &unit, &approving, &mut rng, today).await?;
    for (id, _, _, _, status) in &domestic {
        if *status != CompanyStatus::Potential {
            let c = companies::get(db, *id).await?;
            companies::set_status(db, actor, *id, c.version, *status, "").await?;
        }
    }
    let followers = RECRUITERS
        .iter()
        .map(|c| unit(c))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // This year's target list: the groups abroad, and most of the China 500 at home, each with
    // the unit following it and a leader; the recruiting units as its duty units, and two
    // departments that have planned nothing yet.
    let mut duty = followers.clone();
    duty.extend([unit("gq-jrz")?, unit("gq-rsj")?]);
    let list = targets::create(
        db,
        actor,
        library,
        &fields(
            TargetListInput {
                year: Some(i64::from(today.year())),
                quotas: TargetRules::default().quotas,
                duty_unit_ids: duty,
                min_projects_per_unit: Some(2),
                ..Default::default()
            }
            .validate(),
        )?,
    )
    .await?;
    let china500 = domestic.iter().take(40).map(|d| (d.0, d.1));
    let swz = unit("gq-swz")?;
    let global = abroad.iter().map(|id| (*id, swz));
    for (n, (company, follower)) in global.chain(china500).enumerate() {
        let entry = TargetEntryInput {
            company_id: Some(company),
            unit_id: Some(follower),
            leader_id: leaders.get(n % leaders.len().max(1)).copied(),
            actions: [
                "赴总部拜访对接",
                "邀请来县考察",
                "参加专题推介会",
                "洽谈合作意向",
            ][n % 4]
                .into(),
        };
        targets::add_entry(db, actor, &list, &fields(entry.validate())?).await?;
    }
    let company_ids: Vec<i64> = domestic.iter().map(|d| d.0).collect();
    let talents = load_talents(
        db,
        actor,
        &mut rng,
        library,
        &followers,
        &company_ids,
        programs,
    )
    .await?;
    let met: Vec<(i64, i64)> = domestic.iter().map(|d| (d.0, d.1)).collect();
    let activities = load_activities(
        db, actor, approver, &mut rng, &followers, leaders, &met, &served, today,
    )
    .await?;
    Ok(Made {
        activities,
        companies: domestic.len() + ABROAD.len(),
        projects: made,
        chains: CHAINS.len(),
        talents,
        problems,
        updates,
    })
}
