//! The inbox: a person's notices, made by the notice job from the audit log and the deadline
//! scan (`zhaoyin_db::notices`); read and marked read here, each person their own only.

use serde::{Deserialize, Serialize};
use zhaoyin_core::paging::Page;
use zhaoyin_db::notices::{self as db, Notice};

use crate::ctx::Auth;
use crate::{AppResult, AppState};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct InboxQuery {
    /// Only those not read yet.
    pub unread: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboxView {
    pub items: Vec<Notice>,
    pub total: i64,
    /// Unread in all, up to 100.
    pub unread: i64,
}

pub async fn inbox(st: &AppState, auth: &Auth, q: &InboxQuery) -> AppResult<InboxView> {
    let page = Page::new(q.page, q.per_page);
    let (items, total) = db::inbox(&st.db, auth.user.id, q.unread == Some(true), page).await?;
    Ok(InboxView {
        items,
        total,
        unread: db::unread(&st.db, auth.user.id, 100).await?,
    })
}

/// Marks the caller's notice read; another's is not found.
pub async fn read(st: &AppState, auth: &Auth, id: i64) -> AppResult<Notice> {
    Ok(db::read(&st.db, auth.user.id, id).await?)
}

pub async fn read_all(st: &AppState, auth: &Auth) -> AppResult<u64> {
    Ok(db::read_all(&st.db, auth.user.id).await?)
}
