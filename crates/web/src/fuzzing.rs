//! Entry points for the fuzz targets in `fuzz/` and for the test that replays their corpus:
//! what reads outside input here, run on arbitrary bytes. None may panic, and each checks what it
//! promises.

use zhaoyin_core::Invalid;
use zhaoyin_core::paging::{MAX_PER_PAGE, Page};

use crate::WebConfig;
use crate::form::{id_filter, opt_date, opt_i64, req_i64};
use crate::i18n::{Lang, Tr};

/// A query string as the list pages and the API read it (the same `serde_urlencoded` that
/// axum's `Query` uses), then turned into filters; and each value as the form helpers read it.
pub fn query_string(input: &str) {
    let cfg = WebConfig::default();
    let t = Tr::new(Lang::Zh, chrono_tz::Asia::Shanghai);
    if let Ok(q) = serde_urlencoded::from_str::<crate::service::tasks::TaskQuery>(input) {
        let _ = q.filter(&cfg);
    }
    if let Ok(q) = serde_urlencoded::from_str::<crate::pages::audit::AuditQuery>(input) {
        let f = q.filter(&t);
        if let (Some(from), Some(until)) = (f.from, f.until)
            && q.from == q.until
        {
            // `until` includes its whole day: one day from and until is not an empty range.
            assert!(from < until);
        }
        let page = Page::new(q.page, q.per_page);
        assert!(page.number >= 1 && (1..=MAX_PER_PAGE).contains(&page.per_page));
        assert!(page.offset() >= 0);
    }
    if let Ok(fields) = serde_urlencoded::from_str::<Vec<(String, String)>>(input) {
        for (name, value) in fields {
            let mut e = Invalid::default();
            let n = opt_i64(&mut e, &name, &value);
            assert_eq!(n.is_none() && !value.trim().is_empty(), !e.is_empty());
            let _ = opt_date(&mut e, &name, &value);
            let _ = req_i64(&mut e, &name, &value);
            let _ = id_filter(&Some(value.clone()));
            if name == "next" {
                // Where sign-in sends the browser: always a path on this site.
                let next = crate::pages::safe_next(Some(&value));
                assert!(next.starts_with('/') && !next.starts_with("//") && !next.contains('\\'));
            }
        }
    }
}

/// An uploaded workbook read as the two importers read it (units and people; a policy's task
/// breakdown): the file is refused with reasons or read into rows, never a panic.
pub fn xlsx_import(bytes: &[u8]) {
    let t = Tr::new(Lang::Zh, chrono_tz::Asia::Shanghai);
    let _ = zhaoyin_office::xlsx::read(bytes, &crate::service::import::sheets(&t));
    let spec = crate::service::task_sheet::sheet_spec(&t);
    if let Ok(sheets) = zhaoyin_office::xlsx::read(bytes, std::slice::from_ref(&spec)) {
        let rows: usize = sheets.iter().map(Vec::len).sum();
        assert!(rows <= zhaoyin_office::xlsx::MAX_ROWS);
    }
}
