//! The request context, built once per request by [`context`]: language, who is signed in (by
//! session cookie or API token), the CSRF check for every state-changing request, the forced
//! password change, and — on the way out — error rendering and security headers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use zhaoyin_core::authz::{Action, Entity, Principal};
use zhaoyin_core::org::Place;
use zhaoyin_db::audit::Actor;
use zhaoyin_db::sessions::{self, Session};
use zhaoyin_db::users::{self, User};
use zhaoyin_db::{now, tokens};

use crate::error::{AppError, ErrorInfo};
use crate::i18n::{Lang, Tr};
use crate::{AppState, render};

pub const SESSION_COOKIE: &str = "zy_session";
pub const CSRF_COOKIE: &str = "zy_csrf";
pub const LANG_COOKIE: &str = "zy_lang";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in account with its permissions.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub principal: Principal,
    /// The browser session; `None` when the request carried an API token.
    pub session: Option<Session>,
}

impl Auth {
    /// Refuses unless the account may do `action` on `entity` at `place`. A read that is refused
    /// answers "not found", so that ids outside the scope reveal nothing.
    pub fn require(&self, entity: Entity, action: Action, place: &Place) -> Result<(), AppError> {
        if self.principal.can(entity, action, place) {
            Ok(())
        } else if action == Action::Read || !self.principal.can(entity, Action::Read, place) {
            Err(AppError::NotFound)
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn can(&self, entity: Entity, action: Action, place: &Place) -> bool {
        self.principal.can(entity, action, place)
    }
}

/// Everything a handler needs to know about the request besides its own input.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub t: Tr,
    pub request_id: String,
    pub ip: Option<String>,
    /// Path and query, for "back to where you were" links and the sign-in redirect.
    pub path_and_query: String,
    pub auth: Option<Arc<Auth>>,
    /// The token forms must echo (`_csrf` field or `X-CSRF-Token` header).
    pub csrf: String,
    pub htmx: bool,
    pub api: bool,
    /// Whether the browser reached us over https (cookies get `Secure`).
    pub secure: bool,
    /// Largest accepted request body, for the "too large" message.
    pub upload_limit: usize,
    /// Unread notices (up to 100), for the menu of a page.
    pub unread: Option<i64>,
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.auth.as_ref().map(|a| a.user.id),
            name: self
                .auth
                .as_ref()
                .map(|a| a.user.username.clone())
                .unwrap_or_else(|| "anonymous".into()),
            ip: self.ip.clone(),
            request_id: Some(self.request_id.clone()),
        }
    }

    pub fn auth(&self) -> Result<&Arc<Auth>, AppError> {
        self.auth.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// A cookie with the attributes every cookie of ours has.
    pub fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        let mut c = Cookie::new(name, value);
        c.set_http_only(true);
        c.set_same_site(SameSite::Lax);
        c.set_path("/");
        c.set_secure(self.secure);
        c
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal("request context missing".into()))
    }
}

fn cookies(headers: &HeaderMap) -> Vec<Cookie<'static>> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()).filter_map(Result::ok))
        .collect()
}

fn cookie_value(jar: &[Cookie<'static>], name: &str) -> Option<String> {
    jar.iter()
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

fn header_str(h: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Paths a user who must change the password may still open.
fn allowed_before_password_change(path: &str) -> bool {
    path == "/account/password"
        || path == "/logout"
        || path.starts_with("/assets/")
        || path.starts_with("/lang/")
        || path == "/healthz"
}

/// Constant-time comparison for tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The origin a browser would send for this server: scheme and Host.
fn own_origins(h: &HeaderMap, st: &AppState, secure: bool) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(host) = header_str(h, header::HOST) {
        v.push(format!(
            "{}://{host}",
            if secure { "https" } else { "http" }
        ));
    }
    if let Some(public) = &st.cfg.public_url {
        v.push(public.trim_end_matches('/').to_string());
    }
    v
}

fn origin_of(url: &str) -> Option<String> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let host_end = rest.find('/').unwrap_or(rest.len());
    Some(format!("{}{}", &url[..scheme_end], &rest[..host_end]))
}

/// `Origin` (or, lacking it, `Referer`) must name this server when present. Browsers send
/// Origin on every cross-site POST, so a forged form from elsewhere is refused here even before
/// its token is checked.
fn origin_ok(h: &HeaderMap, st: &AppState, secure: bool) -> bool {
    let claimed = match header_str(h, header::ORIGIN) {
        Some(o) => Some(o.to_string()),
        None => header_str(h, header::REFERER).and_then(origin_of),
    };
    match claimed {
        None => true,
        Some(o) => own_origins(h, st, secure)
            .iter()
            .any(|own| own.eq_ignore_ascii_case(&o)),
    }
}

/// The CSRF token the request carries: header first, else the form field (the body is read and
/// put back).
async fn submitted_token(
    req: Request,
    limit: usize,
) -> Result<(Option<String>, Request), AppError> {
    if let Some(t) = header_str(req.headers(), CSRF_HEADER) {
        let t = t.to_string();
        return Ok((Some(t), req));
    }
    let ctype = header_str(req.headers(), header::CONTENT_TYPE)
        .unwrap_or("")
        .to_string();
    let is_form = ctype.starts_with("application/x-www-form-urlencoded");
    let boundary = multer::parse_boundary(&ctype).ok();
    if !is_form && boundary.is_none() {
        return Ok((None, req));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let token = if is_form {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| {
                pairs
                    .into_iter()
                    .find(|(k, _)| k == CSRF_FIELD)
                    .map(|(_, v)| v)
            })
    } else if let Some(b) = boundary {
        let stream = futures_util::stream::once({
            let bytes = bytes.clone();
            async move { Ok::<_, std::io::Error>(bytes) }
        });
        let mut mp = multer::Multipart::new(stream, b);
        let mut found = None;
        while let Ok(Some(field)) = mp.next_field().await {
            if field.name() == Some(CSRF_FIELD) {
                found = field.text().await.ok();
                break;
            }
        }
        found
    } else {
        None
    };
    Ok((token, Request::from_parts(parts, Body::from(bytes))))
}

/// The peer address; behind a trusted proxy, the address that proxy saw (the last entry of
/// `X-Forwarded-For`: earlier entries are whatever the client chose to send).
fn client_ip(req: &Request, trust_proxy: bool) -> Option<String> {
    if trust_proxy
        && let Some(last) = header_str(req.headers(), "x-forwarded-for")
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return Some(last.to_string());
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// Resolves who is calling. Returns the auth and whether a session cookie was present but dead.
async fn authenticate(
    st: &AppState,
    headers: &HeaderMap,
    jar: &[Cookie<'static>],
) -> Result<(Option<Auth>, bool), AppError> {
    if let Some(token) =
        header_str(headers, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "))
    {
        let Some(tok) = tokens::lookup(&st.db, token.trim()).await? else {
            return Err(AppError::Unauthenticated);
        };
        let (user, principal) = users::signed_in(&st.db, tok.user_id).await?;
        if !user.active {
            return Err(AppError::Unauthenticated);
        }
        tokens::touch(&st.db, &tok).await?;
        return Ok((
            Some(Auth {
                user,
                principal,
                session: None,
            }),
            false,
        ));
    }
    let Some(token) = cookie_value(jar, SESSION_COOKIE) else {
        return Ok((None, false));
    };
    let Some(session) = sessions::lookup(&st.db, &token, st.cfg.lifetimes()).await? else {
        return Ok((None, true));
    };
    let (user, principal) = users::signed_in(&st.db, session.user_id).await?;
    if !user.active {
        return Ok((None, true));
    }
    if now() - session.last_seen_at > chrono::Duration::seconds(60) {
        sessions::touch(&st.db, &session.id).await?;
    }
    Ok((
        Some(Auth {
            user,
            principal,
            session: Some(session),
        }),
        false,
    ))
}

/// The middleware. See the module documentation.
pub async fn context(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let jar = cookies(&headers);
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let api = path.starts_with("/api/");
    let lang = cookie_value(&jar, LANG_COOKIE)
        .and_then(|v| Lang::parse(&v))
        .or_else(|| header_str(&headers, header::ACCEPT_LANGUAGE).and_then(Lang::parse))
        .unwrap_or(Lang::Zh);
    let secure = st
        .cfg
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
        || (st.cfg.trust_proxy && header_str(&headers, "x-forwarded-proto") == Some("https"));
    let request_id = header_str(&headers, "x-request-id")
        .unwrap_or("-")
        .to_string();
    let pre_csrf = cookie_value(&jar, CSRF_COOKIE);
    let mut ctx = Ctx {
        t: Tr::new(lang, st.cfg.tz),
        request_id,
        ip: client_ip(&req, st.cfg.trust_proxy),
        path_and_query,
        auth: None,
        csrf: String::new(),
        htmx: headers.contains_key("hx-request"),
        api,
        secure,
        upload_limit: st.cfg.upload_limit,
        unread: None,
    };
    let is_asset = path.starts_with("/assets/") || path == "/healthz" || path == "/metrics";
    if is_asset {
        let mut resp = next.run(req).await;
        security_headers(&ctx, &path, resp.headers_mut(), true);
        return resp;
    }

    let outcome = async {
        let (auth, expired) = authenticate(&st, &headers, &jar).await?;
        let via_token = auth.as_ref().is_some_and(|a| a.session.is_none());
        let new_pre_csrf = if auth.is_none() && pre_csrf.is_none() {
            Some(sessions::random_token())
        } else {
            None
        };
        ctx.csrf = match &auth {
            Some(Auth {
                session: Some(s), ..
            }) => s.csrf_token.clone(),
            _ => pre_csrf
                .clone()
                .or_else(|| new_pre_csrf.clone())
                .unwrap_or_default(),
        };
        ctx.auth = auth.map(Arc::new);
        Ok::<_, AppError>((expired, via_token, new_pre_csrf))
    }
    .await;
    let (expired, via_token, new_pre_csrf) = match outcome {
        Ok(x) => x,
        Err(e) => return finish_error(&ctx, e.into_response(), false),
    };

    let mut req = req;
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        // After sign-in, come back to a page, not to the address a form posted to.
        ctx.path_and_query = "/".into();
    }
    if unsafe_method && expired {
        return finish_error(&ctx, AppError::Unauthenticated.into_response(), true);
    }
    if unsafe_method && !via_token {
        if !origin_ok(&headers, &st, secure) {
            tracing::warn!(origin = ?headers.get(header::ORIGIN), "foreign origin refused");
            return finish_error(&ctx, AppError::Csrf.into_response(), expired);
        }
        match submitted_token(req, st.cfg.upload_limit).await {
            Ok((token, r)) => {
                req = r;
                let expected = match ctx.auth.as_ref().and_then(|a| a.session.as_ref()) {
                    Some(s) => Some(s.csrf_token.clone()),
                    None => pre_csrf.clone(),
                };
                let ok = matches!((&token, &expected), (Some(t), Some(e)) if same(t, e));
                if !ok {
                    return finish_error(&ctx, AppError::Csrf.into_response(), expired);
                }
            }
            Err(e) => return finish_error(&ctx, e.into_response(), expired),
        }
    }

    if let Some(a) = &ctx.auth
        && a.user.must_change_password
        && !allowed_before_password_change(&path)
    {
        if !api && req.method() == Method::GET {
            return Redirect::to("/account/password").into_response();
        }
        return finish_error(
            &ctx,
            AppError::PasswordChangeRequired.into_response(),
            false,
        );
    }

    // A page's menu shows the unread notices (one indexed count, pages only).
    if let Some(a) = &ctx.auth
        && !api
        && !ctx.htmx
        && req.method() == Method::GET
    {
        ctx.unread = zhaoyin_db::notices::unread(&st.db, a.user.id, 100)
            .await
            .ok();
    }
    req.extensions_mut().insert(ctx.clone());
    let mut resp = next.run(req).await;
    if resp.extensions().get::<ErrorInfo>().is_some()
        || ((resp.status().is_client_error() || resp.status().is_server_error())
            && !has_body_type(&resp))
    {
        resp = finish_error(&ctx, resp, expired);
    }
    if let Some(tok) = new_pre_csrf {
        let c = ctx.cookie(CSRF_COOKIE, tok);
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    if expired && ctx.auth.is_none() {
        let mut c = ctx.cookie(SESSION_COOKIE, String::new());
        c.make_removal();
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    security_headers(&ctx, &path, resp.headers_mut(), false);
    resp
}

fn has_body_type(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.contains("json"))
}

/// Turns an error response (ours or an extractor's) into the page or problem document.
fn finish_error(ctx: &Ctx, resp: Response, expired: bool) -> Response {
    let err = resp
        .extensions()
        .get::<ErrorInfo>()
        .map(|e| (*e.0).clone())
        .unwrap_or_else(|| AppError::from_status(resp.status()));
    if matches!(err, AppError::Unauthenticated) && !ctx.api {
        let next = urlencode(&ctx.path_and_query);
        let mut to = format!("/login?next={next}");
        if expired {
            to.push_str("&expired=1");
        }
        let mut r = Redirect::to(&to).into_response();
        if ctx.htmx {
            // htmx follows redirects inside the fragment; ask it to load the page instead.
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert("hx-redirect", v);
            }
        }
        return r;
    }
    let status = err.status();
    let mut r = if ctx.api {
        render::problem(ctx, &err).into_response()
    } else {
        render::error_page(ctx, &err).into_response()
    };
    *r.status_mut() = status;
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"zhaoyin\""),
        );
    }
    r
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|v| v.trim_start_matches("x=").to_string())
        .unwrap_or_default()
}

/// A strict policy: only our own scripts and styles; nothing inline, nothing from elsewhere.
/// The API viewer's stylesheet sets inline styles, so `/api/docs` alone allows them.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

fn security_headers(ctx: &Ctx, path: &str, h: &mut HeaderMap, asset: bool) {
    let csp = if path == "/api/docs" { CSP_DOCS } else { CSP };
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if ctx.secure {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !asset && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/units?x=1").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://a.gov.cn").as_deref(),
            Some("https://a.gov.cn")
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
