//! Account administration: the system administrator creates, edits, disables accounts and resets
//! passwords; the security administrator grants and revokes roles.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use zhaoyin_core::Invalid;
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::paging::Page;
use zhaoyin_db::org::{Person, PersonFilter, Region};
use zhaoyin_db::users::{GrantRow, User, UserFilter};

use super::org::{Row, unit_choices};
use super::{FormErrors, form_result, see_other};
use crate::ctx::Ctx;
use crate::form::{Form, Query, id_filter, nonempty, opt_i64, req_i64};
use crate::i18n::Tr;
use crate::render::{self, Choice, Chrome, Pager};
use crate::service::org as org_svc;
use crate::service::users::{self as svc, GrantInput, UserInput};
use crate::{AppError, AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/new", get(new))
        .route("/admin/users/{id}", get(detail).post(update))
        .route("/admin/users/{id}/edit", get(edit))
        .route("/admin/users/{id}/active", post(active))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/grants", post(grant))
        .route("/admin/users/{id}/grants/{grant}/revoke", post(revoke))
}

#[derive(Deserialize, Default)]
struct UserQuery {
    q: Option<String>,
    unit: Option<String>,
    role: Option<String>,
    inactive: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    t: Tr,
    page: Chrome,
    rows: Vec<Row<User>>,
    pager: Pager,
    q: String,
    inactive: bool,
    units: Vec<Choice>,
    roles: Vec<Choice>,
    can_create: bool,
}

fn roles(t: &Tr, business_only: bool, current: &str) -> Vec<Choice> {
    Choice::list(
        Role::ALL
            .iter()
            .filter(|r| !business_only || !r.is_admin())
            .map(|r| (r.id().to_string(), t.label("role", r.id()))),
        current,
    )
}

async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UserQuery>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    if !auth.principal.can_somewhere(Entity::User, Action::Read) {
        return Err(AppError::Forbidden);
    }
    let filter = UserFilter {
        q: nonempty(&q.q),
        unit_id: id_filter(&q.unit),
        role: nonempty(&q.role),
        include_inactive: q.inactive.is_some(),
    };
    let page = Page::new(q.page, None);
    let (items, total) = svc::list(&st, auth, &filter, page).await?;
    let rows = items
        .into_iter()
        .map(|u| Row {
            can_write: auth.can(Entity::User, Action::Write, &u.place()),
            item: u,
        })
        .collect();
    let query = [
        ("q", filter.q.clone().unwrap_or_default()),
        (
            "unit",
            filter.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        ),
        ("role", filter.role.clone().unwrap_or_default()),
        (
            "inactive",
            if filter.include_inactive {
                "1".into()
            } else {
                String::new()
            },
        ),
    ];
    let (units, _) = org_svc::units(&st, auth, &Default::default(), Page::largest()).await?;
    render::html(&UsersPage {
        t: ctx.t,
        page: render::chrome(&ctx, "users.title"),
        rows,
        pager: Pager::new("/admin/users", &query, page, total),
        units: unit_choices(
            units,
            &filter.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        ),
        roles: roles(&ctx.t, false, filter.role.as_deref().unwrap_or("")),
        q: filter.q.unwrap_or_default(),
        inactive: filter.include_inactive,
        can_create: auth.principal.can_somewhere(Entity::User, Action::Write),
    })
}

#[derive(Deserialize, Default)]
struct UserFormData {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserFormPage {
    t: Tr,
    page: Chrome,
    user: Option<User>,
    f: UserFormData,
    units: Vec<Choice>,
    people: Vec<Choice>,
    rules: String,
    errors: FormErrors,
}

const USER_FIELDS: &[&str] = &[
    "username",
    "display_name",
    "unit_id",
    "person_id",
    "password",
];

async fn user_form(
    st: &AppState,
    ctx: &Ctx,
    user: Option<User>,
    f: UserFormData,
    errors: FormErrors,
) -> AppResult<UserFormPage> {
    let auth = ctx.auth()?;
    let units = org_svc::writable_units(st, auth, Entity::User).await?;
    let (people, _) = org_svc::people(st, auth, &PersonFilter::default(), Page::largest()).await?;
    Ok(UserFormPage {
        t: ctx.t,
        page: render::chrome(
            ctx,
            if user.is_some() {
                "users.edit"
            } else {
                "users.new"
            },
        ),
        units: unit_choices(units, &f.unit_id),
        people: Choice::list(
            people
                .into_iter()
                .map(|p: Person| (p.id.to_string(), format!("{}（{}）", p.name, p.unit_name))),
            &f.person_id,
        ),
        user,
        f,
        rules: ctx.t.tf(
            "account.password_rules",
            &[("min", st.cfg.password.min_length.to_string())],
        ),
        errors,
    })
}

async fn new(State(st): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if !ctx
        .auth()?
        .principal
        .can_somewhere(Entity::User, Action::Write)
    {
        return Err(AppError::Forbidden);
    }
    render::html(
        &user_form(
            &st,
            &ctx,
            None,
            UserFormData::default(),
            FormErrors::default(),
        )
        .await?,
    )
}

async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<UserFormData>,
) -> AppResult<Response> {
    let mut e = Invalid::default();
    let unit_id = req_i64(&mut e, "unit_id", &f.unit_id);
    let person_id = opt_i64(&mut e, "person_id", &f.person_id);
    let r = match e.into_result() {
        Ok(()) => {
            svc::create(
                &st,
                &ctx,
                &UserInput {
                    username: f.username.clone(),
                    display_name: f.display_name.clone(),
                    unit_id,
                    person_id,
                    password: f.password.clone(),
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    match form_result(r, &ctx.t, USER_FIELDS)? {
        Ok(u) => Ok(see_other(&format!("/admin/users/{}", u.id), "created")),
        Err((status, errors)) => {
            let f = UserFormData {
                password: String::new(),
                ..f
            };
            render::html_status(status, &user_form(&st, &ctx, None, f, errors).await?)
        }
    }
}

async fn edit(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let (u, _) = svc::get(&st, auth, id).await?;
    auth.require(Entity::User, Action::Write, &u.place())?;
    let f = UserFormData {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        unit_id: u.unit_id.to_string(),
        person_id: u.person_id.map(|p| p.to_string()).unwrap_or_default(),
        password: String::new(),
        version: u.version.to_string(),
    };
    render::html(&user_form(&st, &ctx, Some(u), f, FormErrors::default()).await?)
}

async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<UserFormData>,
) -> AppResult<Response> {
    let auth = ctx.auth()?;
    let (current, _) = svc::get(&st, auth, id).await?;
    let mut e = Invalid::default();
    let unit_id = req_i64(&mut e, "unit_id", &f.unit_id);
    let person_id = opt_i64(&mut e, "person_id", &f.person_id);
    let version = req_i64(&mut e, "version", &f.version);
    let r = match e.into_result() {
        Ok(()) => svc::update(&st, &ctx, id, version, &f.display_name, unit_id, person_id).await,
        Err(e) => Err(e.into()),
    };
    match form_result(r, &ctx.t, USER_FIELDS)? {
        Ok(_) => Ok(see_other(&format!("/admin/users/{id}"), "saved")),
        Err((status, errors)) => render::html_status(
            status,
            &user_form(&st, &ctx, Some(current), f, errors).await?,
        ),
    }
}

#[derive(Template)]
#[template(path = "admin/user_detail.html")]
struct DetailPage {
    t: Tr,
    page: Chrome,
    user: User,
    grants: Vec<GrantRow>,
    can_write: bool,
    can_assign: bool,
    is_self: bool,
    roles: Vec<Choice>,
    scope_regions: Vec<Choice>,
    scope_units: Vec<Choice>,
    rules: String,
    errors: FormErrors,
    locked: bool,
}

async fn detail_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> AppResult<DetailPage> {
    let auth = ctx.auth()?;
    let (user, grants) = svc::get(st, auth, id).await?;
    let can_assign = auth.can(Entity::User, Action::AssignRoles, &user.place());
    // A security administrator assigns within the regions they can see; their units too.
    let (scope_regions, scope_units) = if can_assign {
        let regions = org_svc::regions(st, auth, &Default::default(), Page::largest())
            .await?
            .0;
        let units = org_svc::units(st, auth, &Default::default(), Page::largest())
            .await?
            .0;
        let reach = |path: &str, unit: Option<i64>| {
            auth.can(
                Entity::User,
                Action::AssignRoles,
                &zhaoyin_core::org::Place {
                    region_path: path.to_string(),
                    unit_id: unit,
                },
            )
        };
        (
            Choice::list(
                regions
                    .into_iter()
                    .filter(|r| reach(&r.path, None))
                    .map(|r: Region| (r.id.to_string(), r.name)),
                "",
            ),
            unit_choices(
                units
                    .into_iter()
                    .filter(|u| reach(&u.region_path, Some(u.id)))
                    .collect(),
                "",
            ),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(DetailPage {
        t: ctx.t,
        page: render::chrome(ctx, "users.detail"),
        can_write: auth.can(Entity::User, Action::Write, &user.place()),
        is_self: user.id == auth.user.id,
        locked: user.locked_until.is_some_and(|t| t > zhaoyin_db::now()),
        user,
        grants,
        can_assign,
        roles: roles(&ctx.t, true, ""),
        scope_regions,
        scope_units,
        rules: ctx.t.tf(
            "account.password_rules",
            &[("min", st.cfg.password.min_length.to_string())],
        ),
        errors,
    })
}

async fn detail(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render::html(&detail_page(&st, &ctx, id, FormErrors::default()).await?)
}

#[derive(Deserialize)]
struct ActiveForm {
    active: String,
    version: String,
}

async fn active(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ActiveForm>,
) -> AppResult<Response> {
    let version = f
        .version
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("version".into()))?;
    let on = f.active == "true";
    match form_result(
        svc::set_active(&st, &ctx, id, version, on).await,
        &ctx.t,
        &[],
    )? {
        Ok(_) => Ok(see_other(
            &format!("/admin/users/{id}"),
            if on { "enabled" } else { "disabled" },
        )),
        Err((status, errors)) => {
            render::html_status(status, &detail_page(&st, &ctx, id, errors).await?)
        }
    }
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn reset_password(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ResetForm>,
) -> AppResult<Response> {
    match form_result(
        svc::reset_password(&st, &ctx, id, &f.password).await,
        &ctx.t,
        &["password"],
    )? {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}"), "password_reset")),
        Err((status, errors)) => {
            render::html_status(status, &detail_page(&st, &ctx, id, errors).await?)
        }
    }
}

#[derive(Deserialize)]
struct GrantForm {
    role: String,
    /// `unit:ID` or `region:ID`.
    scope: String,
}

async fn grant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    let input = f.scope.split_once(':').and_then(|(kind, sid)| {
        sid.parse().ok().map(|scope_id| GrantInput {
            role: f.role.clone(),
            scope_kind: kind.to_string(),
            scope_id,
        })
    });
    let r = match input {
        Some(input) => svc::grant(&st, &ctx, id, &input).await.map(|_| ()),
        None => Err(AppError::invalid("scope", "err.choice")),
    };
    match form_result(r, &ctx.t, &["role", "scope"])? {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}"), "granted")),
        Err((status, errors)) => {
            render::html_status(status, &detail_page(&st, &ctx, id, errors).await?)
        }
    }
}

async fn revoke(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, grant)): Path<(i64, i64)>,
) -> AppResult<Response> {
    match form_result(svc::revoke(&st, &ctx, id, grant).await, &ctx.t, &[])? {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}"), "revoked")),
        Err((status, errors)) => {
            render::html_status(status, &detail_page(&st, &ctx, id, errors).await?)
        }
    }
}
