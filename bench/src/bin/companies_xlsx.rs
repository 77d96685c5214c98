//! `companies-xlsx N PREFIX OUT`: a company-library workbook of N distinct companies (names
//! starting with PREFIX, credit codes that pass the check) in the import template's columns, for
//! the import benchmark.

use anyhow::Context;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().context("N")?.parse()?;
    let prefix = args.next().context("PREFIX")?;
    let out = args.next().context("OUT")?;
    // A run number in the codes' division digits keeps each run's codes apart (a hash of the
    // prefix: a sum of its bytes gave two runs' prefixes, such as 基准004312 and 基准011111, the
    // same codes).
    let run = prefix
        .bytes()
        .fold(0u64, |h, b| (h * 131 + u64::from(b)) % 900_000)
        + 100_000;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("企业")?;
    let headers = [
        "企业名称*",
        "统一社会信用代码",
        "行业门类",
        "行业大类",
        "标签",
        "总部城市",
        "来源",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, u16::try_from(c)?, *h)?;
    }
    for i in 0..n {
        let mut code = format!("91{run:06}");
        let mut v = i;
        let mut org = [b'0'; 9];
        for slot in org.iter_mut().rev() {
            *slot = ALPHABET[v % ALPHABET.len()];
            v /= ALPHABET.len();
        }
        code.extend(org.iter().map(|b| char::from(*b)));
        let check = zhaoyin_core::credit_code::check_character(&code).context("check")?;
        code.push(check);
        let r = u32::try_from(i + 1)?;
        let row = [
            format!("{prefix}第{i}号新材料有限公司"),
            code,
            "C".into(),
            "26".into(),
            if i % 10 == 0 {
                "中国500强".into()
            } else {
                String::new()
            },
            "淄博".into(),
            "基准测试".into(),
        ];
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, u16::try_from(c)?, v)?;
            }
        }
    }
    std::fs::write(&out, wb.save_to_buffer()?)?;
    Ok(())
}
