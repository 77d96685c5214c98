//! The signed-in user's own account: sign-in, password, sessions, API tokens.

use chrono::{DateTime, Utc};
use zhaoyin_core::{FieldError, Invalid, validation};
use zhaoyin_db::audit::{self, Actor, Change};
use zhaoyin_db::tokens::{self, ApiToken};
use zhaoyin_db::{now, sessions, users};

use super::{hash_password, verify_password};
use crate::ctx::Ctx;
use crate::{AppError, AppResult, AppState};

pub enum LoginOutcome {
    /// Signed in: the new session's cookie token.
    Ok {
        token: String,
    },
    Failed,
    Locked {
        until: DateTime<Utc>,
    },
}

/// Checks the password and opens a session. Every attempt is audited; a wrong username costs
/// the same as a wrong password; repeated failures lock the account.
pub async fn login(
    st: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
    old_session: Option<&str>,
    user_agent: Option<&str>,
) -> AppResult<LoginOutcome> {
    let mut actor: Actor = ctx.actor();
    actor.name = users::normalize_username(username)
        .chars()
        .take(64)
        .collect();
    let user = users::by_username(&st.db, username).await?;
    let Some(user) = user.filter(|u| u.active) else {
        verify_password(
            password.to_string(),
            zhaoyin_core::password::decoy_hash().to_string(),
        )
        .await?;
        let mut change = Change::new("login_failed", "user", "");
        change.entity_id = None;
        audit::record(&st.db, &actor, change).await?;
        return Ok(LoginOutcome::Failed);
    };
    actor.user_id = Some(user.id);
    let (max, lock_for) = (st.cfg.max_failed_logins, st.cfg.lockout);
    let attempt = match users::reserve_login_attempt(&st.db, &actor, &user, max, lock_for).await? {
        users::Attempt::Allowed(n) => n,
        users::Attempt::Locked(until) => {
            // Same cost as a real check, so the answer's timing says nothing.
            verify_password(
                password.to_string(),
                zhaoyin_core::password::decoy_hash().to_string(),
            )
            .await?;
            audit::record(
                &st.db,
                &actor,
                Change::new("login_failed", "user", user.id)
                    .place(Some(user.region_id), Some(user.unit_id)),
            )
            .await?;
            return Ok(LoginOutcome::Locked { until });
        }
    };
    let hash = users::password_hash(&st.db, user.id).await?;
    if !verify_password(password.to_string(), hash).await? {
        return Ok(
            match users::record_failed_login(&st.db, &actor, &user, attempt, max, lock_for).await? {
                Some(until) => LoginOutcome::Locked { until },
                None => LoginOutcome::Failed,
            },
        );
    }
    match sessions::login(&st.db, &actor, &user, old_session, user_agent).await? {
        Some((token, _)) => Ok(LoginOutcome::Ok { token }),
        None => {
            let until = users::get(&st.db, user.id)
                .await?
                .locked_until
                .unwrap_or_else(now);
            Ok(LoginOutcome::Locked { until })
        }
    }
}

pub async fn logout(st: &AppState, ctx: &Ctx, everywhere: bool) -> AppResult<()> {
    let auth = ctx.auth()?;
    let Some(session) = &auth.session else {
        return Err(AppError::Forbidden);
    };
    sessions::logout(&st.db, &ctx.actor(), &auth.user, &session.id, everywhere).await?;
    Ok(())
}

/// Changes the caller's own password; other sessions end, this one stays.
pub async fn change_password(
    st: &AppState,
    ctx: &Ctx,
    current: &str,
    new: &str,
    confirm: &str,
) -> AppResult<()> {
    let auth = ctx.auth()?;
    let hash = users::password_hash(&st.db, auth.user.id).await?;
    let mut e = Invalid::default();
    if !verify_password(current.to_string(), hash).await? {
        e.push(FieldError::new("current_password", "err.password_wrong"));
    }
    if let Err(p) = st
        .cfg
        .password
        .check("new_password", &auth.user.username, new)
    {
        e.0.extend(p.0);
    }
    if new == current {
        e.push(FieldError::new("new_password", "err.password_same"));
    }
    if new != confirm {
        e.push(FieldError::new("password_confirm", "err.password_mismatch"));
    }
    e.into_result()?;
    let new_hash = hash_password(new.to_string()).await?;
    users::set_password(
        &st.db,
        &ctx.actor(),
        auth.user.id,
        &new_hash,
        false,
        auth.session.as_ref().map(|s| s.id.as_str()),
    )
    .await?;
    Ok(())
}

pub async fn tokens(st: &AppState, ctx: &Ctx) -> AppResult<Vec<ApiToken>> {
    let auth = ctx.auth()?;
    Ok(tokens::of_user(&st.db, auth.user.id).await?)
}

pub async fn create_token(st: &AppState, ctx: &Ctx, name: &str) -> AppResult<(String, ApiToken)> {
    let auth = ctx.auth()?;
    // A token cannot mint more tokens: that takes a signed-in person.
    if auth.session.is_none() {
        return Err(AppError::Forbidden);
    }
    let mut e = Invalid::default();
    let name = validation::required(&mut e, "token_name", name, 40);
    e.into_result()?;
    Ok(tokens::create(&st.db, &ctx.actor(), &auth.user, &name).await?)
}

pub async fn revoke_token(st: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let auth = ctx.auth()?;
    Ok(tokens::revoke(&st.db, &ctx.actor(), &auth.user, id).await?)
}
