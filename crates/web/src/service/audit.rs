//! The auditor's search.

use zhaoyin_core::authz::{Action, Entity};
use zhaoyin_core::paging::Page;
use zhaoyin_db::audit::{self, Entry, Filter};

use crate::ctx::Auth;
use crate::{AppError, AppResult, AppState};

pub async fn search(
    st: &AppState,
    auth: &Auth,
    f: &Filter,
    page: Page,
) -> AppResult<(Vec<Entry>, i64)> {
    if !auth.principal.can_somewhere(Entity::Audit, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let vis = auth.principal.visibility(Entity::Audit, Action::Read);
    Ok(audit::search(&st.db, &vis, f, page).await?)
}
