//! Land-efficiency evaluation (亩产效益评价, M6): each industrial enterprise's year — land, tax,
//! revenue, output, energy, R&D, employees, emissions — gives six indicators (tax and revenue per
//! mu, output per tonne of coal equivalent and per tonne of emissions, R&D intensity, output per
//! employee); each earns its weight in proportion to the county's benchmark (by default the
//! year's average), up to a cap; the weighted score puts the enterprise in class A, B, C or D,
//! and each class has its policies (land and energy first, differential prices).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::assessment::{LARGEST, MOST_POINTS, rank_by, rounded};
use crate::validation::{FieldError, Invalid};

/// An enterprise's figures for a year, as imported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Year {
    /// Land used, 亩.
    pub land_mu: Decimal,
    /// Taxes paid, 万元.
    pub tax: Decimal,
    /// Operating revenue, 万元.
    pub revenue: Decimal,
    /// Industrial output, 万元.
    pub output: Decimal,
    /// Energy used, tonnes of coal equivalent.
    pub energy_tce: Decimal,
    /// R&D expense, 万元.
    pub rnd: Decimal,
    pub employees: i64,
    /// Main pollutants emitted, tonnes.
    pub emissions: Decimal,
}

impl Year {
    /// Land must be given, from 0.01 to a hundred million mu (everything is per mu); the other
    /// figures from nothing to ten billion, with at most four decimals (so that nothing divides
    /// by less than 0.0001 and no quotient overflows).
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        if !(Decimal::new(1, 2) <= self.land_mu && self.land_mu <= Decimal::from(100_000_000)) {
            errors.push(FieldError::new("land_mu", "err.land.land"));
        }
        for (name, v) in [
            ("tax", self.tax),
            ("revenue", self.revenue),
            ("output", self.output),
            ("energy_tce", self.energy_tce),
            ("rnd", self.rnd),
            ("emissions", self.emissions),
            ("employees", Decimal::from(self.employees)),
        ] {
            if !(Decimal::ZERO <= v && v <= Decimal::from(FIGURE_MAX)) {
                errors.push(FieldError::new(name, "err.land.range"));
            }
        }
        for (name, v) in [
            ("land_mu", self.land_mu),
            ("tax", self.tax),
            ("revenue", self.revenue),
            ("output", self.output),
            ("energy_tce", self.energy_tce),
            ("rnd", self.rnd),
            ("emissions", self.emissions),
        ] {
            if v.normalize().scale() > DECIMALS {
                errors.push(FieldError::new(name, "err.land.decimals").with("max", DECIMALS));
            }
        }
        errors.into_result()
    }
}

/// The most decimals of a figure or a benchmark.
const DECIMALS: u32 = 4;
/// The longest policy text of a class, in characters.
const MAX_POLICY: usize = 500;

/// The largest figure of a year (万元, tonnes, people): ten billion.
const FIGURE_MAX: i64 = 10_000_000_000;
/// Most enterprises in one evaluation: within it the year's totals cannot overflow.
const MOST_ENTERPRISES: usize = 100_000;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// 万元 of tax per mu.
    TaxPerMu,
    /// 万元 of revenue per mu.
    RevenuePerMu,
    /// 万元 of output per tonne of coal equivalent.
    OutputPerEnergy,
    /// 万元 of output per tonne of pollutants.
    OutputPerEmission,
    /// R&D expense per 万元 of revenue.
    RndIntensity,
    /// 万元 of output per employee.
    LabourProductivity,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::TaxPerMu,
        Metric::RevenuePerMu,
        Metric::OutputPerEnergy,
        Metric::OutputPerEmission,
        Metric::RndIntensity,
        Metric::LabourProductivity,
    ];

    /// Its name in configuration and the API.
    pub fn key(self) -> &'static str {
        match self {
            Metric::TaxPerMu => "tax_per_mu",
            Metric::RevenuePerMu => "revenue_per_mu",
            Metric::OutputPerEnergy => "output_per_energy",
            Metric::OutputPerEmission => "output_per_emission",
            Metric::RndIntensity => "rnd_intensity",
            Metric::LabourProductivity => "labour_productivity",
        }
    }

    /// (numerator, denominator) of the metric for `y`.
    fn parts(self, y: &Year) -> (Decimal, Decimal) {
        match self {
            Metric::TaxPerMu => (y.tax, y.land_mu),
            Metric::RevenuePerMu => (y.revenue, y.land_mu),
            Metric::OutputPerEnergy => (y.output, y.energy_tce),
            Metric::OutputPerEmission => (y.output, y.emissions),
            Metric::RndIntensity => (y.rnd, y.revenue),
            Metric::LabourProductivity => (y.output, Decimal::from(y.employees)),
        }
    }

    /// The metric's value; none where there is nothing to divide by (no energy reported, say):
    /// such a metric earns nothing.
    pub fn value(self, y: &Year) -> Option<Decimal> {
        let (n, d) = self.parts(y);
        (d > Decimal::ZERO).then(|| n / d)
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub enum Class {
    A,
    B,
    C,
    D,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::A, Class::B, Class::C, Class::D];

    /// Its name in the API and `locales/` (`land.class.A`).
    pub fn id(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
            Class::D => "D",
        }
    }
}

/// The evaluation's configuration (`[land]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Points of each metric at the benchmark.
    pub weights: BTreeMap<Metric, Decimal>,
    /// A metric earns at most this many times its weight.
    pub cap: Decimal,
    /// The value that earns a metric its weight; a metric not set here is measured against the
    /// county's figure for the year: the enterprises' totals divided (all their tax over all
    /// their land), as 亩均 figures are published.
    pub benchmarks: BTreeMap<Metric, Decimal>,
    /// Least score of classes A, B and C; below C's, D.
    pub a: Decimal,
    pub b: Decimal,
    pub c: Decimal,
    /// What each class gets (configurable text).
    pub policies: BTreeMap<Class, String>,
}

impl Default for Rules {
    fn default() -> Self {
        let d = Decimal::from;
        Self {
            weights: [
                (Metric::TaxPerMu, d(40)),
                (Metric::RevenuePerMu, d(15)),
                (Metric::OutputPerEnergy, d(15)),
                (Metric::OutputPerEmission, d(10)),
                (Metric::RndIntensity, d(10)),
                (Metric::LabourProductivity, d(10)),
            ]
            .into(),
            cap: Decimal::new(15, 1),
            benchmarks: BTreeMap::new(),
            a: d(110),
            b: d(80),
            c: d(50),
            policies: [
                (
                    Class::A,
                    "用地、用能、排污指标优先保障；享受最优惠的差别化价格和财政奖补。",
                ),
                (
                    Class::B,
                    "用地、用能、排污指标正常保障；享受一般性扶持政策。",
                ),
                (
                    Class::C,
                    "从严控制新增用地、用能；执行较高的差别化电价、水价。",
                ),
                (
                    Class::D,
                    "不再新增用地、用能；执行最高的差别化价格，限期整改提升或依法退出。",
                ),
            ]
            .into_iter()
            .map(|(c, s)| (c, s.to_string()))
            .collect(),
        }
    }
}

impl Rules {
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::default();
        if self.weights.is_empty() {
            errors.push(FieldError::new("weights", "err.required"));
        }
        for (m, w) in &self.weights {
            if !(Decimal::ZERO < *w && *w <= MOST_POINTS) {
                errors.push(FieldError::new(
                    format!("weights.{}", m.key()),
                    "err.assessment.points",
                ));
            }
        }
        for (m, b) in &self.benchmarks {
            if !(Decimal::new(1, 4) <= *b && *b <= LARGEST) || b.normalize().scale() > DECIMALS {
                errors.push(FieldError::new(
                    format!("benchmarks.{}", m.key()),
                    "err.assessment.positive",
                ));
            }
        }
        if !(Decimal::ONE <= self.cap && self.cap <= Decimal::TEN) {
            errors.push(FieldError::new("cap", "err.land.cap"));
        }
        if !(self.a > self.b && self.b > self.c && self.c > Decimal::ZERO) {
            errors.push(FieldError::new("a", "err.land.thresholds"));
        }
        for (class, text) in &self.policies {
            if text.chars().count() > MAX_POLICY {
                errors.push(
                    FieldError::new(format!("policies.{class:?}"), "err.too_long")
                        .with("max", MAX_POLICY),
                );
            }
        }
        errors.into_result()
    }

    pub fn class(&self, score: Decimal) -> Class {
        if score >= self.a {
            Class::A
        } else if score >= self.b {
            Class::B
        } else if score >= self.c {
            Class::C
        } else {
            Class::D
        }
    }
}

/// One enterprise's evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub enterprise_id: i64,
    /// Each metric's value (none where its denominator is zero) and points.
    pub metrics: Vec<MetricScore>,
    /// The points summed, to hundredths.
    pub score: Decimal,
    pub class: Class,
    /// 1 for the best; equal scores share the better rank.
    pub rank: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricScore {
    pub metric: Metric,
    pub value: Option<Decimal>,
    pub benchmark: Decimal,
    pub points: Decimal,
}

/// Every enterprise's evaluation for a year, best first (equal scores by id). Each year is
/// checked first; a bad one is refused with its enterprise named.
pub fn evaluate(rules: &Rules, years: &[(i64, Year)]) -> Result<Vec<Evaluation>, Invalid> {
    let mut errors = Invalid::default();
    for (id, y) in years {
        if let Err(e) = y.check() {
            for mut f in e.0 {
                f.field = format!("enterprises[{id}].{}", f.field);
                errors.push(f);
            }
        }
    }
    if years.len() > MOST_ENTERPRISES {
        errors.push(FieldError::new("enterprises", "err.too_many").with("max", MOST_ENTERPRISES));
    }
    errors.into_result()?;
    // Each metric's benchmark as a fraction (numerator, denominator): configured, or the
    // county's totals. Points are the weight times the value over the benchmark, multiplied out
    // before dividing, so they come out as a hand calculation does.
    let benchmark = |m: Metric| -> (Decimal, Decimal) {
        if let Some(b) = rules.benchmarks.get(&m) {
            return (*b, Decimal::ONE);
        }
        years
            .iter()
            .map(|(_, y)| m.parts(y))
            .filter(|(_, d)| *d > Decimal::ZERO)
            .fold((Decimal::ZERO, Decimal::ZERO), |(n, d), (yn, yd)| {
                (n + yn, d + yd)
            })
    };
    let benchmarks: Vec<(Metric, Decimal, (Decimal, Decimal))> = rules
        .weights
        .iter()
        .map(|(m, w)| (*m, *w, benchmark(*m)))
        .collect();
    let mut out: Vec<Evaluation> = years
        .iter()
        .map(|(id, y)| {
            let metrics: Vec<MetricScore> = benchmarks
                .iter()
                .map(|&(metric, weight, (b_num, b_den))| {
                    let (n, d) = metric.parts(y);
                    // No data, or a county total of nothing to compare with: nothing earned.
                    let points = if d > Decimal::ZERO && b_num > Decimal::ZERO {
                        (weight * n * b_den / (d * b_num)).min(weight * rules.cap)
                    } else {
                        Decimal::ZERO
                    };
                    MetricScore {
                        metric,
                        value: metric.value(y).map(|v| rounded(v, 4)),
                        benchmark: if b_den > Decimal::ZERO {
                            rounded(b_num / b_den, 4)
                        } else {
                            Decimal::ZERO
                        },
                        points: rounded(points, 2),
                    }
                })
                .collect();
            let score = metrics.iter().map(|m| m.points).sum();
            Evaluation {
                enterprise_id: *id,
                metrics,
                score,
                class: rules.class(score),
                rank: 0,
            }
        })
        .collect();
    rank_by(
        &mut out,
        |e| (e.score, e.enterprise_id),
        |e, rank| e.rank = rank,
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: i64) -> Decimal {
        Decimal::from(v)
    }

    /// An enterprise at exactly `k` times every benchmark below.
    fn year(k: i64) -> Year {
        Year {
            land_mu: d(100),
            tax: d(10 * k) * d(100),
            revenue: d(100 * k) * d(100),
            output: d(80 * k) * d(100),
            energy_tce: d(1000),
            rnd: d(100 * k) * d(100) * d(k) / d(50),
            employees: 100,
            emissions: d(10),
        }
    }

    fn rules() -> Rules {
        Rules {
            benchmarks: [
                (Metric::TaxPerMu, d(10)),
                (Metric::RevenuePerMu, d(100)),
                (Metric::OutputPerEnergy, d(8)),
                (Metric::OutputPerEmission, d(800)),
                (Metric::RndIntensity, Decimal::new(2, 2)),
                (Metric::LabourProductivity, d(80)),
            ]
            .into(),
            ..Rules::default()
        }
    }

    #[test]
    fn an_enterprise_at_the_benchmarks_scores_the_weights_and_the_cap_holds() {
        let r = rules();
        assert_eq!(r.check(), Ok(()));
        let e = evaluate(&r, &[(1, year(1)), (2, year(3))]).expect("evaluated");
        // Three times every benchmark earns the cap, 1.5× the weights: 150.
        assert_eq!(
            (e[0].enterprise_id, e[0].score, e[0].class),
            (2, d(150), Class::A)
        );
        assert_eq!(
            (e[1].enterprise_id, e[1].score, e[1].class),
            (1, d(100), Class::B)
        );
        assert_eq!(e[1].metrics[0].value, Some(d(10)));
    }

    #[test]
    fn figures_and_benchmarks_with_more_than_four_decimals_are_refused() {
        let tiny = Year {
            energy_tce: "0.00001".parse().expect("decimal"),
            ..year(1)
        };
        let err = tiny.check().expect_err("refused");
        assert_eq!(err.fields().collect::<Vec<_>>(), ["energy_tce"]);
        // The smallest allowed divisor gives a quotient well inside the decimal range.
        let least = Year {
            energy_tce: "0.0001".parse().expect("decimal"),
            output: d(10_000_000_000),
            ..year(1)
        };
        assert!(least.check().is_ok());
        assert!(evaluate(&Rules::default(), &[(1, least), (2, year(1))]).is_ok());
        let bad = Rules {
            benchmarks: [(Metric::TaxPerMu, "0.00001".parse().expect("decimal"))].into(),
            policies: [(Class::A, "长".repeat(501))].into(),
            ..Rules::default()
        };
        assert_eq!(
            bad.check()
                .expect_err("refused")
                .fields()
                .collect::<Vec<_>>(),
            ["benchmarks.tax_per_mu", "policies.A"]
        );
    }

    #[test]
    fn classes_begin_exactly_at_their_thresholds() {
        let r = Rules::default();
        let at = |s: &str| r.class(s.parse().expect("decimal"));
        assert_eq!(
            [
                at("110"),
                at("109.99"),
                at("80"),
                at("79.99"),
                at("50"),
                at("49.99"),
                at("0")
            ],
            [
                Class::A,
                Class::B,
                Class::B,
                Class::C,
                Class::C,
                Class::D,
                Class::D
            ]
        );
    }

    #[test]
    fn without_benchmarks_the_countys_totals_are_the_benchmark() {
        let r = Rules {
            weights: [(Metric::TaxPerMu, d(100))].into(),
            ..Rules::default()
        };
        let taxed = |land, tax| Year {
            land_mu: d(land),
            tax: d(tax),
            ..Year::default()
        };
        // 1 and 3 per mu; the county's 13 over 11 mu, not the average of 1 and 3 (which would
        // give the first 50 points).
        let e = evaluate(&r, &[(1, taxed(10, 10)), (2, taxed(1, 3))]).expect("ok");
        let scores: Vec<(i64, Decimal, usize)> = e
            .iter()
            .map(|x| (x.enterprise_id, x.score, x.rank))
            .collect();
        assert_eq!(
            scores,
            [(2, d(150), 1), (1, "84.62".parse().expect("decimal"), 2)]
        );
        assert_eq!(
            e[1].metrics[0].benchmark,
            "1.1818".parse().expect("decimal")
        );
    }

    #[test]
    fn a_metric_without_its_figure_earns_nothing() {
        let weights: BTreeMap<Metric, Decimal> = [(Metric::OutputPerEnergy, d(10))].into();
        let configured = Rules {
            weights: weights.clone(),
            ..rules()
        };
        let unreported = Year {
            land_mu: d(1),
            output: d(500),
            ..Year::default()
        };
        let e = evaluate(&configured, &[(1, unreported)]).expect("ok");
        assert_eq!((e[0].score, e[0].metrics[0].value), (d(0), None));
        // Measured against the county's figure: alone with its energy reported, the weight;
        // alone without, nothing (the county's figure is nothing to compare with).
        let county = Rules {
            weights,
            ..Rules::default()
        };
        let energy_free = Year {
            energy_tce: d(0),
            ..year(1)
        };
        assert_eq!(
            evaluate(&county, &[(1, year(1))]).expect("ok")[0].score,
            d(10)
        );
        assert_eq!(
            evaluate(&county, &[(2, energy_free)]).expect("ok")[0].score,
            d(0)
        );
    }

    #[test]
    fn a_year_without_land_or_with_a_negative_figure_is_refused_by_enterprise() {
        let bad = Year {
            land_mu: d(0),
            tax: d(-1),
            ..year(1)
        };
        let err = evaluate(&rules(), &[(1, year(1)), (9, bad)]).expect_err("refused");
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            ["enterprises[9].land_mu", "enterprises[9].tax"]
        );
    }

    #[test]
    fn a_metrics_key_is_its_name_in_configuration() {
        // The default weights name every metric.
        for m in Rules::default().weights.into_keys() {
            assert_eq!(serde_json::to_value(m).ok(), Some(m.key().into()));
        }
    }

    #[test]
    fn rules_out_of_order_are_refused() {
        let mut r = Rules {
            b: d(120),
            cap: Decimal::new(9, 1),
            ..Rules::default()
        };
        r.weights.insert(Metric::RndIntensity, d(0));
        let err = r.check().expect_err("refused");
        assert_eq!(
            err.fields().collect::<Vec<_>>(),
            ["weights.rnd_intensity", "cap", "a"]
        );
    }
}
