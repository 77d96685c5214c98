//! Parsing speed: the shipped sample documents, and the reference document when it is on the
//! machine (../shared), and a large synthetic one (200 measures).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use zhaoyin_core::policy::parse;

fn documents() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/policies");
    let mut docs: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    std::fs::read_to_string(e.path()).ok().map(|t| (name, t))
                })
                .collect()
        })
        .unwrap_or_default();
    let reference = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/policy/gaoqing-2019-18-measures.txt"
    );
    if let Ok(t) = std::fs::read_to_string(reference) {
        docs.push(("gaoqing-2019-18-measures".into(), t));
    }
    let mut big = String::from("某县关于全面推进重点工作的若干措施\n2024-01-02\n");
    for c in 1..=10 {
        big.push_str(&format!("{c}、第{c}方面\n"));
        for m in 1..=20 {
            big.push_str(&format!(
                "{n}.推进第{n}项重点工作。8月底前完成方案，每季度调度一次，年均增长10%以上，引进项目不少于20个。\n责任人：张三、李四\n责任单位：县发展和改革局、县财政局，县商务局、各镇（街道）、县直有关部门\n",
                n = (c - 1) * 20 + m
            ));
        }
    }
    docs.push(("synthetic-200-measures".into(), big));
    docs
}

fn bench(c: &mut Criterion) {
    for (name, text) in documents() {
        c.bench_function(&format!("parse {name}"), |b| {
            b.iter(|| parse(black_box(&text)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
