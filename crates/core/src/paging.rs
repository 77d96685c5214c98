//! Paging of lists: a page number and size from the query string, clamped so that no request
//! can ask for an unbounded list.

use serde::Serialize;

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    pub per_page: u32,
}

impl Page {
    pub fn new(number: Option<u32>, per_page: Option<u32>) -> Self {
        Self {
            number: number.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE),
        }
    }
    /// The first page at the largest size: for choosing from a list (a select), not for browsing.
    pub fn largest() -> Self {
        Self::new(Some(1), Some(MAX_PER_PAGE))
    }
    pub fn offset(&self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.per_page)
    }
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
    /// Number of pages for `total` rows (at least 1, so an empty list still has a page).
    pub fn pages(&self, total: i64) -> u32 {
        let per = i64::from(self.per_page);
        u32::try_from(((total + per - 1) / per).max(1)).unwrap_or(u32::MAX)
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::new(None, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps() {
        let p = Page::new(Some(0), Some(100_000));
        assert_eq!((p.number, p.per_page), (1, MAX_PER_PAGE));
        let p = Page::new(Some(3), Some(20));
        assert_eq!((p.offset(), p.limit()), (40, 20));
        assert_eq!(p.pages(0), 1);
        assert_eq!(p.pages(41), 3);
    }
}
