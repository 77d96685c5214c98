//! The task breakdown table (任务分解表) as a county office prints it: a title across the page,
//! the date it was made, then one row per task — 序号, 措施, 任务, 责任人, 牵头单位, 配合单位,
//! 完成时限, 进展, 灯 — on landscape A4, the header repeated on every printed page.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One printed row.
#[derive(Debug, Clone, Default)]
pub struct BreakdownRow {
    pub measure: String,
    pub task: String,
    pub leaders: String,
    pub lead_units: String,
    pub support_units: String,
    pub deadline: String,
    pub progress: String,
    /// green, yellow or red: the cell is filled with the colour.
    pub light: String,
    /// The light as written in the cell (红/黄/绿).
    pub light_label: String,
}

/// The column headers, in the user's language, in the order above (9 of them).
pub struct Headers(pub [String; 9]);

/// Column widths in characters, for the printed layout.
const WIDTHS: [f64; 9] = [6.0, 22.0, 36.0, 12.0, 20.0, 24.0, 12.0, 36.0, 6.0];

pub fn write(
    title: &str,
    subtitle: &str,
    headers: &Headers,
    rows: &[BreakdownRow],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(&headers.0[2])?;
    let font = "宋体";
    let title_fmt = Format::new()
        .set_bold()
        .set_font_name("方正小标宋简体")
        .set_font_size(18)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let sub_fmt = Format::new()
        .set_font_name(font)
        .set_font_size(11)
        .set_align(FormatAlign::Right);
    let head = Format::new()
        .set_bold()
        .set_font_name("黑体")
        .set_font_size(11)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border(FormatBorder::Thin);
    let cell = Format::new()
        .set_font_name(font)
        .set_font_size(10)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let centred = cell.clone().set_align(FormatAlign::Center);
    let light = |c: u32| centred.clone().set_background_color(Color::RGB(c));
    let (red, yellow, green) = (light(0xFF7C80), light(0xFFE699), light(0xA9D08E));

    ws.merge_range(0, 0, 0, 8, title, &title_fmt)?;
    ws.set_row_height(0, 36)?;
    ws.merge_range(1, 0, 1, 8, subtitle, &sub_fmt)?;
    for (c, h) in headers.0.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(2, c, h, &head)?;
        ws.set_column_width(c, WIDTHS[usize::from(c)])?;
    }
    ws.set_row_height(2, 30)?;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 3).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_number_with_format(row, 0, (i + 1) as f64, &centred)?;
        for (c, v) in [
            &r.measure,
            &r.task,
            &r.leaders,
            &r.lead_units,
            &r.support_units,
            &r.deadline,
            &r.progress,
        ]
        .into_iter()
        .enumerate()
        {
            let c = u16::try_from(c + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            let f = if c == 6 { &centred } else { &cell };
            ws.write_string_with_format(row, c, v, f)?;
        }
        let f = match r.light.as_str() {
            "red" => &red,
            "yellow" => &yellow,
            "green" => &green,
            _ => &centred,
        };
        ws.write_string_with_format(row, 8, &r.light_label, f)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(2, 2)?;
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_footer("&C第 &P 页，共 &N 页");
    ws.set_freeze_panes(3, 0)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    #[test]
    fn the_table_reads_back_as_printed() {
        let headers = Headers(
            [
                "序号",
                "措施",
                "任务",
                "责任人",
                "牵头单位",
                "配合单位",
                "完成时限",
                "进展",
                "灯",
            ]
            .map(String::from),
        );
        let rows = vec![BreakdownRow {
            measure: "1. 建立机制".into(),
            task: "成立领导小组".into(),
            leaders: "张伟".into(),
            lead_units: "县发展和改革局".into(),
            support_units: "县投资促进中心".into(),
            deadline: "2019-08-31".into(),
            progress: "已完成".into(),
            light: "red".into(),
            light_label: "红".into(),
        }];
        let bytes = write("任务分解表", "2019-09-01", &headers, &rows).expect("write");
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
        let range = wb.worksheet_range("任务").expect("sheet");
        assert_eq!(range.get((0, 0)), Some(&Data::String("任务分解表".into())));
        assert_eq!(range.get((2, 8)), Some(&Data::String("灯".into())));
        assert_eq!(
            range.get((3, 2)),
            Some(&Data::String("成立领导小组".into()))
        );
        assert_eq!(range.get((3, 8)), Some(&Data::String("红".into())));
    }
}
