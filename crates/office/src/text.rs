//! Plain text out of the documents officials upload: a policy saved from a portal as .html, or
//! received as .docx. Paragraphs become lines, which is what the policy parser reads.

use std::io::Cursor;

/// The document formats a policy may be uploaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    Docx,
}

impl Format {
    /// From a file name's extension; `None` when it is none of ours.
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit('.').next().unwrap_or("");
        match ext {
            "txt" | "text" => Some(Format::Text),
            "html" | "htm" => Some(Format::Html),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TextError {
    /// Neither UTF-8 nor GB18030/GBK text (a binary file).
    #[error("err.text_encoding")]
    Encoding,
    #[error("err.docx_unreadable")]
    Docx,
    #[error("err.html_unreadable")]
    Html,
    /// Unpacks to more than a document could be.
    #[error("err.docx_too_large")]
    TooLarge,
}

impl TextError {
    pub fn key(&self) -> &'static str {
        match self {
            TextError::Encoding => "err.text_encoding",
            TextError::Docx => "err.docx_unreadable",
            TextError::Html => "err.html_unreadable",
            TextError::TooLarge => "err.docx_too_large",
        }
    }
}

/// The text of an uploaded file.
pub fn extract(format: Format, bytes: &[u8]) -> Result<String, TextError> {
    match format {
        Format::Text => decode(bytes),
        Format::Html => html(bytes),
        Format::Docx => docx(bytes),
    }
}

/// Largest an uploaded .docx or .xlsx may grow when unpacked (a policy document is well under a
/// megabyte of XML; an import workbook of 5,000 rows, a few).
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// Unpacks every entry of the archive into nothing, counting, and refuses it once it would grow
/// past [`MAX_UNPACKED`] — so a small "zip bomb" is refused before the document reader (which
/// reads entries whole) sees it. Declared sizes are not trusted: the bytes are counted.
pub(crate) fn check_unpacked_size(bytes: &[u8]) -> Result<(), TextError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| TextError::Docx)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| TextError::Docx)?;
        let budget = MAX_UNPACKED - total;
        let n = std::io::copy(&mut entry.take(budget + 1), &mut std::io::sink())
            .map_err(|_| TextError::Docx)?;
        total += n;
        if total > MAX_UNPACKED {
            return Err(TextError::TooLarge);
        }
    }
    Ok(())
}

/// UTF-8, or else GB18030 (which covers GBK and GB2312): files saved by older Chinese Windows
/// programs are in it.
pub fn decode(bytes: &[u8]) -> Result<String, TextError> {
    let bytes = strip_bom(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors || text.contains('\0') {
        return Err(TextError::Encoding);
    }
    Ok(text.into_owned())
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

/// Block structure kept (one paragraph per line), links and images dropped, no wrapping.
pub fn html(bytes: &[u8]) -> Result<String, TextError> {
    let text = decode(bytes)?;
    html2text::config::plain_no_decorate()
        .allow_width_overflow()
        .no_table_borders()
        .string_from_read(Cursor::new(text.as_bytes()), 100_000)
        .map_err(|_| TextError::Html)
}

/// Every paragraph of the body, tables included (cell by cell), in order.
pub fn docx(bytes: &[u8]) -> Result<String, TextError> {
    use docx_rs::{DocumentChild, TableCellContent, TableChild, TableRowChild};
    check_unpacked_size(bytes)?;
    let doc = docx_rs::read_docx(bytes).map_err(|_| TextError::Docx)?;
    let mut out = String::new();
    for child in &doc.document.children {
        match child {
            DocumentChild::Paragraph(p) => {
                out.push_str(&p.raw_text());
                out.push('\n');
            }
            DocumentChild::Table(t) => {
                for TableChild::TableRow(row) in &t.rows {
                    for TableRowChild::TableCell(cell) in &row.cells {
                        for c in &cell.children {
                            if let TableCellContent::Paragraph(p) = c {
                                out.push_str(&p.raw_text());
                                out.push('\n');
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A small archive whose one entry unpacks to 65 MB of zeros, for tests of the unpacking bound.
#[cfg(test)]
pub(crate) fn zip_bomb(entry: &str) -> Vec<u8> {
    let mut bomb = Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut bomb);
    w.start_file(
        entry,
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )
    .expect("entry");
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..65 {
        std::io::Write::write_all(&mut w, &zeros).expect("write");
    }
    w.finish().expect("finish");
    bomb.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::from_name("措施.DOCX"), Some(Format::Docx));
        assert_eq!(Format::from_name("page.htm"), Some(Format::Html));
        assert_eq!(Format::from_name("a.txt"), Some(Format::Text));
        assert_eq!(Format::from_name("a.pdf"), None);
    }

    #[test]
    fn html_paragraphs_become_lines() {
        let page = "<html><body><div class=nav><a href='/'>首页</a></div>\
            <h1>某县若干措施</h1><p>一、强化招引</p><p>1.精准招商。8月底前完成。</p>\
            <p>责任人：张三</p><p>责任单位：县商务局，县财政局</p><script>var x=1;</script></body></html>";
        let text = extract(Format::Html, page.as_bytes()).expect("html");
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert!(lines.contains(&"1.精准招商。8月底前完成。"), "{lines:?}");
        assert!(lines.contains(&"责任单位：县商务局，县财政局"));
        assert!(!text.contains("var x"));
    }

    #[test]
    fn docx_paragraphs_become_lines() {
        use docx_rs::{Docx, Paragraph, Run};
        let mut buf = Cursor::new(Vec::new());
        Docx::new()
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text("一、强化招引")))
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text("1.精准招商。"))
                    .add_run(Run::new().add_text("8月底前完成。")),
            )
            .add_paragraph(
                Paragraph::new().add_run(Run::new().add_text("责任单位：县商务局，县财政局")),
            )
            .build()
            .pack(&mut buf)
            .expect("pack");
        let text = extract(Format::Docx, buf.get_ref()).expect("docx");
        assert_eq!(
            text,
            "一、强化招引\n1.精准招商。8月底前完成。\n责任单位：县商务局，县财政局\n"
        );
        assert_eq!(extract(Format::Docx, b"not a zip"), Err(TextError::Docx));
        // A small archive that unpacks past the limit is refused by counting, not by trusting.
        let bomb = zip_bomb("word/document.xml");
        assert!(bomb.len() < 200 * 1024);
        assert_eq!(extract(Format::Docx, &bomb), Err(TextError::TooLarge));
    }

    #[test]
    fn utf8_or_gbk() {
        assert_eq!(
            extract(Format::Text, "\u{feff}一、".as_bytes()),
            Ok("一、".into())
        );
        // "责任单位" as a GBK file.
        assert_eq!(
            extract(
                Format::Text,
                &[0xD4, 0xF0, 0xC8, 0xCE, 0xB5, 0xA5, 0xCE, 0xBB]
            ),
            Ok("责任单位".into())
        );
        assert_eq!(
            extract(Format::Text, &[0x00, 0xFF, 0xFE, 0x00, 0x81]),
            Err(TextError::Encoding)
        );
    }
}
