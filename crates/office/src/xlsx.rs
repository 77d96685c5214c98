//! XLSX templates and reading them back.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{Color, DataValidation, Format, FormatBorder, Workbook, XlsxError};
use zhaoyin_core::{FieldError, Invalid};

/// One column of a template sheet.
#[derive(Debug, Clone)]
pub struct Column {
    /// Field identifier the row map is keyed by (e.g. `code`).
    pub id: &'static str,
    /// Header as written into the template (user's language); `*` is appended when required.
    pub header: String,
    /// Other headers accepted when reading (the other language).
    pub aliases: Vec<String>,
    pub required: bool,
    /// Width in characters.
    pub width: f64,
    /// Allowed values, offered as a dropdown.
    pub choices: Vec<String>,
}

/// One sheet of a template.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Identifier used in error reports (e.g. `units`).
    pub id: &'static str,
    pub name: String,
    pub aliases: Vec<String>,
    pub columns: Vec<Column>,
}

/// A further sheet of plain reference rows (codes the user may use), written but never read.
#[derive(Debug, Clone)]
pub struct ReferenceSheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A data row read back: its row number as Excel shows it and its cells by column id,
/// trimmed, empty cells omitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub row: usize,
    pub cells: HashMap<&'static str, String>,
}

impl Row {
    pub fn get(&self, id: &str) -> &str {
        self.cells.get(id).map(String::as_str).unwrap_or("")
    }
}

/// The most rows one import may carry; larger files are refused with a clear message.
pub const MAX_ROWS: usize = 20_000;
/// Columns beyond this are not read (the widest template has nine).
pub const MAX_COLUMNS: usize = 64;

/// Writes a template: the data sheets, a notes sheet and the reference sheets.
pub fn template(
    sheets: &[Sheet],
    notes_title: &str,
    notes: &[String],
    references: &[ReferenceSheet],
) -> Result<Vec<u8>, XlsxError> {
    let empty: Vec<(&Sheet, &[Vec<String>])> = sheets.iter().map(|s| (s, &[][..])).collect();
    filled(&empty, notes_title, notes, references)
}

/// A [`template`] whose data sheets hold rows already, as text in the template's columns: a
/// workbook to edit and upload back (a few hundred rows; not streamed).
pub fn filled(
    sheets: &[(&Sheet, &[Vec<String>])],
    notes_title: &str,
    notes: &[String],
    references: &[ReferenceSheet],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_font_name("宋体")
        .set_background_color(Color::RGB(0xDCE6F1))
        .set_border(FormatBorder::Thin);
    let required = header.clone().set_font_color(Color::RGB(0xC00000));
    let text = Format::new().set_num_format("@").set_font_name("宋体");
    for (s, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name)?;
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, v) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                if !v.is_empty() {
                    ws.write_string_with_format(r, c, v, &text)?;
                }
            }
        }
        for (c, col) in s.columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            let title = if col.required {
                format!("{}*", col.header)
            } else {
                col.header.clone()
            };
            ws.write_string_with_format(
                0,
                c,
                title,
                if col.required { &required } else { &header },
            )?;
            ws.set_column_width(c, col.width)?;
            ws.set_column_format(c, &text)?;
            if !col.choices.is_empty() {
                let v = DataValidation::new().allow_list_strings(&col.choices)?;
                ws.add_data_validation(1, c, 5000, c, &v)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(notes_title)?;
    ws.set_column_width(0, 100)?;
    let wrap = Format::new().set_text_wrap().set_font_name("宋体");
    for (i, line) in notes.iter().enumerate() {
        let r = u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(r, 0, line, &wrap)?;
    }
    for reference in references {
        let ws = wb.add_worksheet();
        ws.set_name(&reference.name)?;
        for (c, h) in reference.headers.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            ws.write_string_with_format(0, c, h, &header)?;
            ws.set_column_width(c, 24)?;
        }
        for (r, row) in reference.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, v) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                ws.write_string_with_format(r, c, v, &text)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save_to_buffer()
}

/// Writes rows under a sheet's headers, as its template has them, so that an export edited in
/// Excel imports back. Rows are streamed (constant memory), for exports of 100,000s of rows.
pub fn table(
    sheet: &Sheet,
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_font_name("宋体")
        .set_background_color(Color::RGB(0xDCE6F1))
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_font_name("宋体");
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(&sheet.name)?;
    for (c, col) in sheet.columns.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.set_column_width(c, col.width)?;
        ws.write_string_with_format(0, c, &col.header, &header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.into_iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            if !v.is_empty() {
                ws.write_string_with_format(r, c, v, &text)?;
            }
        }
    }
    wb.save_to_buffer()
}

/// A report's table as a workbook: a title line, a note line (the day it is read as of), the
/// header, then a line per row with its name and its figures as numbers (so Excel sums them).
pub fn figures(
    sheet: &str,
    title: &str,
    note: &str,
    header: &[String],
    rows: &[(String, Vec<i64>)],
) -> Result<Vec<u8>, XlsxError> {
    tabled(&[Tabled {
        name: sheet.to_string(),
        title: title.to_string(),
        note: note.to_string(),
        header: header.to_vec(),
        rows: rows
            .iter()
            .map(|(name, values)| {
                std::iter::once(name.clone())
                    .chain(values.iter().map(i64::to_string))
                    .collect()
            })
            .collect(),
    }])
}

/// One sheet of [`tabled`].
#[derive(Debug, Clone)]
pub struct Tabled {
    pub name: String,
    pub title: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Tables as a workbook, a sheet each: a title line, a note line, the header, then the rows,
/// every cell that is a number written as a number (so Excel sums and sorts them). Meant for
/// figures beside names, not for codes (a code of digits would lose its leading zeros).
pub fn tabled(sheets: &[Tabled]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let font = "宋体";
    let bold = Format::new()
        .set_bold()
        .set_font_name(font)
        .set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_font_name(font)
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDCE6F1))
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_font_name(font)
        .set_border(FormatBorder::Thin);
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name)?;
        ws.write_string_with_format(0, 0, &sheet.title, &bold)?;
        ws.write_string_with_format(1, 0, &sheet.note, &Format::new().set_font_name(font))?;
        ws.set_column_width(0, 24)?;
        for (c, h) in sheet.header.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            if c > 0 {
                ws.set_column_width(c, 10)?;
            }
            ws.write_string_with_format(2, c, h, &head)?;
        }
        ws.set_freeze_panes(3, 1)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 3).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, v) in row.iter().enumerate() {
                let number = v.parse::<f64>().ok().filter(|n| n.is_finite());
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                match number {
                    Some(n) => ws.write_number_with_format(r, c, n, &cell)?,
                    None => ws.write_string_with_format(r, c, v, &cell)?,
                };
            }
        }
    }
    wb.save_to_buffer()
}

/// A cell as the text a user sees: integral numbers without `.0`, so a code typed as a number
/// (370322) reads back as typed.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn header_matches(cell: &str, col: &Column) -> bool {
    let cell = cell.trim().trim_end_matches('*').trim();
    cell == col.header || col.aliases.iter().any(|a| a == cell)
}

/// Reads the data sheets of a workbook made from [`template`]. Problems with the file itself
/// (not an XLSX, a sheet or a required column missing, too many rows) are reported as field
/// errors with sheet and column; rows are returned unvalidated, blank rows skipped.
pub fn read(bytes: &[u8], sheets: &[Sheet]) -> Result<Vec<Vec<Row>>, Invalid> {
    read_limited(bytes, sheets, MAX_ROWS)
}

/// [`read`] with another limit on the rows of a sheet (a company library runs to 100,000s).
pub fn read_limited(
    bytes: &[u8],
    sheets: &[Sheet],
    max_rows: usize,
) -> Result<Vec<Vec<Row>>, Invalid> {
    crate::text::check_unpacked_size(bytes).map_err(|e| {
        let key = match e {
            crate::text::TextError::TooLarge => "err.xlsx_too_large",
            _ => "err.xlsx_unreadable",
        };
        Invalid::one(FieldError::new("file", key))
    })?;
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| Invalid::one(FieldError::new("file", "err.xlsx_unreadable")))?;
    let names = wb.sheet_names();
    let mut out = Vec::with_capacity(sheets.len());
    let mut errors = Invalid::default();
    for s in sheets {
        let Some(name) = names
            .iter()
            .find(|n| **n == s.name || s.aliases.iter().any(|a| a == *n))
            .cloned()
        else {
            errors.push(FieldError::new("file", "err.xlsx_sheet_missing").with("sheet", &s.name));
            out.push(Vec::new());
            continue;
        };
        // Cell by cell, never as a grid: a sheet whose cells span A1 to XFD1048576 must not
        // make us allocate the rectangle between them.
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(|_| Invalid::one(FieldError::new("file", "err.xlsx_unreadable")))?;
        let mut cells_by_row: std::collections::BTreeMap<u32, Vec<(usize, String)>> =
            std::collections::BTreeMap::new();
        let mut too_many = false;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|_| Invalid::one(FieldError::new("file", "err.xlsx_unreadable")))?
        {
            let (r, c) = cell.get_position();
            let text = cell_text(&Data::from(cell.get_value().clone()));
            if text.is_empty() || c as usize >= MAX_COLUMNS {
                continue;
            }
            if !cells_by_row.contains_key(&r) && cells_by_row.len() > max_rows + 10 {
                too_many = true;
                break;
            }
            cells_by_row.entry(r).or_default().push((c as usize, text));
        }
        let as_row = |cells: &Vec<(usize, String)>| {
            let mut v = vec![String::new(); cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0)];
            for (c, t) in cells {
                v[*c] = t.clone();
            }
            v
        };
        let rows: Vec<(u32, Vec<String>)> = cells_by_row
            .iter()
            .map(|(r, cells)| (*r, as_row(cells)))
            .collect();
        // The header row is the first (of the top ten rows with anything in them) that has every
        // required column, so a sheet laid out for print — a title and a date above the table —
        // reads as well.
        let header_at = rows
            .iter()
            .take(10)
            .position(|(_, h)| {
                s.columns
                    .iter()
                    .filter(|c| c.required)
                    .all(|c| h.iter().any(|cell| header_matches(cell, c)))
            })
            .unwrap_or(0);
        let headers = rows
            .get(header_at)
            .map(|(_, h)| h.clone())
            .unwrap_or_default();
        let mut index: Vec<(usize, &'static str)> = Vec::new();
        for col in &s.columns {
            match headers.iter().position(|h| header_matches(h, col)) {
                Some(i) => index.push((i, col.id)),
                None if col.required => errors.push(
                    FieldError::new(col.id, "err.xlsx_column_missing")
                        .with("sheet", &s.name)
                        .with("column", &col.header),
                ),
                None => {}
            }
        }
        let mut data = Vec::new();
        for (r, cells) in rows.iter().skip(header_at + 1) {
            let mut map = HashMap::new();
            for (pos, id) in &index {
                if let Some(v) = cells.get(*pos).filter(|v| !v.is_empty()) {
                    map.insert(*id, v.clone());
                }
            }
            if map.is_empty() {
                continue;
            }
            if data.len() == max_rows {
                too_many = true;
                break;
            }
            // Rows are numbered as the spreadsheet shows them.
            data.push(Row {
                row: *r as usize + 1,
                cells: map,
            });
        }
        if too_many {
            errors.push(
                FieldError::new("file", "err.xlsx_too_many_rows")
                    .with("sheet", &s.name)
                    .with("max", max_rows),
            );
        }
        out.push(data);
    }
    errors.into_result()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two cells at opposite corners of the sheet: read cell by cell, not as the rectangle
    /// between them (which would be 17 billion cells).
    #[test]
    fn far_apart_cells_cost_nothing() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("单位").expect("name");
        ws.write_string(0, 0, "单位代码").expect("cell");
        ws.write_string(1, 0, "gq-fgj").expect("cell");
        ws.write_string(1_048_575, 16_383, "x").expect("cell");
        let bytes = wb.save_to_buffer().expect("xlsx");
        let rows = read(&bytes, &spec()).expect("read");
        assert_eq!(rows[0].len(), 1);
        assert_eq!(rows[0][0].get("code"), "gq-fgj");
    }

    fn spec() -> Vec<Sheet> {
        vec![Sheet {
            id: "units",
            name: "单位".into(),
            aliases: vec!["Units".into()],
            columns: vec![
                Column {
                    id: "code",
                    header: "单位代码".into(),
                    aliases: vec!["Code".into()],
                    required: true,
                    width: 16.0,
                    choices: vec![],
                },
                Column {
                    id: "kind",
                    header: "类型".into(),
                    aliases: vec![],
                    required: false,
                    width: 10.0,
                    choices: vec!["部门".into(), "园区".into()],
                },
            ],
        }]
    }

    #[test]
    fn template_round_trips_and_numbers_read_as_typed() {
        let bytes = template(&spec(), "说明", &["第一行".into()], &[]).expect("template");
        let rows = read(&bytes, &spec()).expect("read");
        assert_eq!(rows, vec![vec![]]);

        // A filled-in sheet, columns in another order, a code typed as a number.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("单位").expect("name");
        ws.write(0, 0, "类型").expect("w");
        ws.write(0, 1, "单位代码*").expect("w");
        ws.write(1, 0, "部门").expect("w");
        ws.write(1, 1, 370322).expect("w");
        ws.write(3, 1, "gq-kjj").expect("w");
        let bytes = wb.save_to_buffer().expect("save");
        let rows = read(&bytes, &spec()).expect("read");
        assert_eq!(rows[0].len(), 2);
        assert_eq!((rows[0][0].row, rows[0][0].get("code")), (2, "370322"));
        assert_eq!((rows[0][1].row, rows[0][1].get("kind")), (4, ""));
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let err = read(b"PK\x03\x04 not really", &spec()).expect_err("junk");
        assert_eq!(err.0[0].code, "err.xlsx_unreadable");
        let bomb = crate::text::zip_bomb("xl/worksheets/sheet1.xml");
        let err = read(&bomb, &spec()).expect_err("too large");
        assert_eq!(err.0[0].code, "err.xlsx_too_large");
        let mut wb = Workbook::new();
        wb.add_worksheet().set_name("Other").expect("name");
        let err = read(&wb.save_to_buffer().expect("save"), &spec()).expect_err("no sheet");
        assert_eq!(err.0[0].code, "err.xlsx_sheet_missing");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Units").expect("name");
        ws.write(0, 0, "类型").expect("w");
        let err = read(&wb.save_to_buffer().expect("save"), &spec()).expect_err("no code column");
        assert_eq!(
            (err.0[0].code, err.0[0].field.as_str()),
            ("err.xlsx_column_missing", "code")
        );
    }
}
