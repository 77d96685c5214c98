//! Word documents in the customary layout of government papers (公文): a centred title in a
//! song-style face, an optional issue line, numbered headings in a hei-style face, body text
//! in a fangsong face at 16 pt (三号) with a first-line indent, and plain tables. The caller
//! gives the words; this gives the layout.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, Paragraph, Run, RunFonts, Table, TableCell, TableRow,
};

/// A part of a document's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A numbered heading ("一、会议议题").
    Heading(String),
    /// A paragraph of body text, indented two characters.
    Text(String),
    /// A line of facts ("时间：……"), not indented.
    Line(String),
    /// A table: the header row, then the rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub title: String,
    /// A line under the title (the issue number, or the date).
    pub subtitle: Option<String>,
    pub body: Vec<Block>,
}

/// Half-points: 二号 22 pt for the title, 三号 16 pt for the body.
const TITLE_SIZE: usize = 44;
const BODY_SIZE: usize = 32;
const SMALL_SIZE: usize = 24;

fn fonts(name: &str) -> RunFonts {
    RunFonts::new().east_asia(name).ascii(name).hi_ansi(name)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn spaced(p: Paragraph) -> Paragraph {
    // Fixed 28-point lines, as papers are set.
    p.line_spacing(
        LineSpacing::new()
            .line(560)
            .line_rule(docx_rs::LineSpacingType::Exact),
    )
}

fn cell(text: &str, bold: bool) -> TableCell {
    let mut r = run(text, "仿宋_GB2312", SMALL_SIZE);
    if bold {
        r = r.bold();
    }
    TableCell::new().add_paragraph(Paragraph::new().add_run(r))
}

/// The document as a .docx file.
pub fn docx(doc: &Document) -> Result<Vec<u8>, String> {
    let mut d = Docx::new().add_paragraph(spaced(
        Paragraph::new().align(AlignmentType::Center).add_run(run(
            &doc.title,
            "方正小标宋简体",
            TITLE_SIZE,
        )),
    ));
    if let Some(s) = &doc.subtitle {
        d = d.add_paragraph(spaced(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(s, "楷体_GB2312", BODY_SIZE)),
        ));
    }
    for b in &doc.body {
        d = match b {
            Block::Heading(h) => d.add_paragraph(spaced(
                Paragraph::new()
                    .indent(
                        None,
                        Some(docx_rs::SpecialIndentType::FirstLine(640)),
                        None,
                        None,
                    )
                    .add_run(run(h, "黑体", BODY_SIZE)),
            )),
            Block::Text(t) => d.add_paragraph(spaced(
                Paragraph::new()
                    .indent(
                        None,
                        Some(docx_rs::SpecialIndentType::FirstLine(640)),
                        None,
                        None,
                    )
                    .add_run(run(t, "仿宋_GB2312", BODY_SIZE)),
            )),
            Block::Line(t) => d.add_paragraph(spaced(Paragraph::new().add_run(run(
                t,
                "仿宋_GB2312",
                BODY_SIZE,
            )))),
            Block::Table(head, rows) => {
                let mut all = vec![TableRow::new(head.iter().map(|h| cell(h, true)).collect())];
                all.extend(
                    rows.iter()
                        .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())),
                );
                d.add_table(Table::new(all))
            }
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_reads_back_in_order() {
        let doc = Document {
            title: "重大项目调度会会议纪要".into(),
            subtitle: Some("2026年11月30日".into()),
            body: vec![
                Block::Line("时间：2026年11月30日".into()),
                Block::Heading("一、会议议题".into()),
                Block::Text("1. 某项目用地指标未落实。".into()),
                Block::Table(
                    vec!["议定事项".into(), "责任单位".into()],
                    vec![vec!["完成用地报批".into(), "县自然资源局".into()]],
                ),
            ],
        };
        let bytes = docx(&doc).expect("docx");
        let text = crate::text::docx(&bytes).expect("a valid package");
        assert_eq!(
            text,
            "重大项目调度会会议纪要\n2026年11月30日\n时间：2026年11月30日\n一、会议议题\n\
             1. 某项目用地指标未落实。\n议定事项\n责任单位\n完成用地报批\n县自然资源局\n"
        );
    }
}
