//! The JSON API under `/api/v1`, its OpenAPI 3.1 document at `/api/openapi.json` and a viewer at
//! `/api/docs` (Swagger UI, embedded). Authentication is a session cookie (with the
//! `X-CSRF-Token` header for writes) or a personal token: `Authorization: Bearer zy_…`.
//! Errors are `application/problem+json`.

mod account;
mod activities;
mod approvals;
mod assessments;
mod audit;
mod chains;
mod companies;
mod complaints;
mod dashboard;
mod deliveries;
mod exchange;
mod financing;
mod incentives;
mod land;
mod leader;
mod meetings;
mod notices;
mod org;
mod policies;
mod portal;
mod problems;
mod progress;
mod projects;
mod talents;
mod targets;
mod tasks;
mod users;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use zhaoyin_core::paging::Page;

use crate::ctx::Ctx;
use crate::error::Problem;
use crate::i18n::Tr;
use crate::render::{self, Chrome};
use crate::{AppResult, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(org::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(account::router())
        .merge(policies::router())
        .merge(tasks::router())
        .merge(chains::router())
        .merge(talents::router())
        .merge(targets::router())
        .merge(companies::router())
        .merge(projects::router())
        .merge(activities::router())
        .merge(problems::router())
        .merge(progress::router())
        .merge(approvals::router())
        .merge(meetings::router())
        .merge(assessments::router())
        .merge(incentives::router())
        .merge(land::router())
        .merge(financing::router())
        .merge(complaints::router())
        .merge(notices::router())
        .merge(deliveries::router())
        .merge(portal::router())
        .merge(leader::router())
        .merge(dashboard::router())
        .merge(exchange::router())
}

pub fn docs_router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs", get(docs))
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListOf<T: ToSchema> {
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
    /// Rows matching the filter (for the audit log and tasks, counting stops above 10,000).
    pub total: i64,
}

impl<T: ToSchema> ListOf<T> {
    pub fn new(items: Vec<T>, page: Page, total: i64) -> Self {
        Self {
            items,
            page: page.number,
            per_page: page.per_page,
            total,
        }
    }
}

/// Applies a JSON merge patch (RFC 7396) to the input that would save a record unchanged:
/// fields left out keep their value, `null` clears one. Our inputs are flat, so one level suffices.
pub(crate) fn merged<T: Serialize + serde::de::DeserializeOwned>(
    base: &T,
    patch: serde_json::Value,
) -> AppResult<T> {
    let serde_json::Value::Object(patch) = patch else {
        return Err(crate::AppError::BadRequest(
            "a JSON object is expected".into(),
        ));
    };
    let mut v = serde_json::to_value(base).map_err(|e| crate::AppError::Internal(e.to_string()))?;
    if let Some(obj) = v.as_object_mut() {
        // A field the record does not have (a typo, or `stage`, which moves only through its own
        // operation) is refused by name rather than silently ignored.
        let unknown: Vec<_> = patch.keys().filter(|k| !obj.contains_key(*k)).collect();
        if !unknown.is_empty() {
            return Err(crate::AppError::Invalid(zhaoyin_core::Invalid(
                unknown
                    .into_iter()
                    .map(|k| zhaoyin_core::FieldError::new(k.as_str(), "err.unknown_field"))
                    .collect(),
            )));
        }
        for (k, val) in patch {
            if val.is_null() {
                obj.remove(&k);
            } else {
                obj.insert(k, val);
            }
        }
    }
    serde_json::from_value(v).map_err(|e| crate::AppError::BadRequest(e.to_string()))
}

pub fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every operation documents the errors it can answer, as `application/problem+json`: 401 and
/// 403 everywhere (sign-in and permission are checked for every call), 400 where a query string,
/// path or body can be malformed, 404 where the path names a record, 422 where a body is checked.
struct Errors;

impl Errors {
    fn describe(op: &mut utoipa::openapi::path::Operation, path: &str) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
        let has_body = op.request_body.is_some();
        let has_query = op
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)));
        let names_a_record = path.contains('{');
        let standard = [
            (
                "400",
                has_body || has_query || names_a_record,
                "Malformed query string, path or body.",
            ),
            (
                "401",
                true,
                "Not signed in, or the token is unknown, expired or revoked.",
            ),
            ("403", true, "Signed in, but not allowed to do this here."),
            (
                "404",
                names_a_record,
                "No such record, or not visible to the caller.",
            ),
            (
                "422",
                has_body || has_query,
                "A field was read but is invalid; the problem names it.",
            ),
        ];
        for (code, applies, description) in standard {
            if applies {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| {
                        ResponseBuilder::new()
                            .description(description)
                            .build()
                            .into()
                    });
            }
        }
        for (code, response) in &mut op.responses.responses {
            let is_error = code.parse::<u16>().is_ok_and(|c| c >= 400);
            if let (true, RefOr::T(response)) = (is_error, response) {
                response.content.clear();
                response.content.insert(
                    "application/problem+json".to_string(),
                    Content::new(Some(Ref::from_schema_name("Problem"))).into(),
                );
            }
        }
    }
}

impl Modify for Errors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                Self::describe(op, path);
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Zhaoyin API",
        license(name = "Apache-2.0"),
        description = "招引 双招双引督导服务平台 API. Authenticate with a personal token \
            (`Authorization: Bearer zy_…`, created on the account page or with `zhaoyin user token`). \
            Lists are paged (`page`, `per_page`) and filtered. Edits carry the `version` they were \
            made from; a stale edit gets 409. Errors are `application/problem+json` with a Chinese `title`."
    ),
    security(("token" = [])),
    modifiers(&Security, &Errors),
    paths(
        org::list_regions, org::create_region, org::get_region, org::patch_region,
        org::list_units, org::create_unit, org::get_unit, org::patch_unit,
        org::list_people, org::create_person, org::get_person, org::patch_person,
        users::list_users, users::create_user, users::get_user, users::patch_user,
        users::reset_password, users::grant, users::revoke,
        audit::search,
        account::me, account::list_tokens, account::create_token, account::revoke_token,
        policies::preview, policies::confirm, policies::list_policies, policies::get_policy,
        tasks::list_tasks, tasks::lights_by_unit, tasks::get_task, tasks::transition,
        tasks::list_reports, tasks::submit_report, tasks::review_report, tasks::add_note,
        tasks::list_explanations, tasks::ask_explanation, tasks::explain, tasks::review_explanation,
        tasks::list_deadline_changes, tasks::request_deadline, tasks::decide_deadline,
        companies::list_companies, companies::create_company, companies::get_company,
        companies::patch_company, companies::set_status,
        projects::list_projects, projects::stage_counts, projects::create_project,
        projects::get_project, projects::patch_project, projects::move_stage,
        chains::list_chains, chains::create_chain, chains::get_chain, chains::patch_chain,
        talents::list_talents, talents::create_talent, talents::get_talent,
        talents::patch_talent, talents::set_talent_status,
        targets::list_target_lists, targets::create_target_list, targets::get_target_list,
        targets::patch_target_list, targets::add_target_entry, targets::remove_target_entry,
        activities::list_activities, activities::create_activity, activities::get_activity,
        activities::patch_activity, activities::set_activity_status, activities::activity_stats,
        problems::list_problems, problems::create_problem, problems::get_problem,
        problems::patch_problem, problems::set_problem_status, problems::explain_problem,
        problems::problem_files, problems::problem_file,
        progress::get_progress, progress::add_update, progress::edit_update, progress::add_fund,
        progress::add_evidence, progress::remove_fund, progress::project_file,
        approvals::get_plan, approvals::create_item, approvals::get_item, approvals::patch_item,
        approvals::set_land, approvals::departments, approvals::set_stage_lead,
        meetings::list_meetings, meetings::create_meeting, meetings::get_meeting,
        meetings::set_attendance, meetings::decide, meetings::minutes,
        assessments::list_schemes, assessments::create_scheme, assessments::get_scheme,
        assessments::revise_scheme, assessments::compute, assessments::get_run,
        assessments::recompute, assessments::publish, assessments::hand_score,
        assessments::file_appeal, assessments::decide_appeal, assessments::exempt,
        incentives::get_rules, incentives::save_rules, incentives::what_if, incentives::ledger,
        incentives::get_award, incentives::propose_platform, incentives::take_step,
        incentives::project_claim, incentives::propose_introducer, incentives::excellent,
        incentives::add_veto, incentives::remove_veto,
        land::evaluation, land::get_rules, land::save_rules, land::import, land::trend,
        financing::list_loans, financing::add_loan, financing::remove_loan,
        financing::list_referrals, financing::add_referral, financing::decide,
        complaints::list, complaints::show, complaints::route, complaints::answer,
        complaints::verdict, complaints::download, complaints::track,
        notices::list, notices::read, notices::read_all,
        deliveries::settings, deliveries::save_settings, deliveries::bots, deliveries::bot,
        deliveries::add_bot, deliveries::update_bot, deliveries::test_bot, deliveries::log,
        deliveries::retry,
        portal::list, portal::show, portal::publish_policy, portal::publish_task,
        leader::list_leaders, leader::leader_projects,
        dashboard::dashboard, dashboard::list_funds, dashboard::report, exchange::package, exchange::take,
    ),
    components(schemas(Problem)),
    tags(
        (name = "organisation", description = "区划、单位、人员"),
        (name = "accounts", description = "账号与授权"),
        (name = "audit", description = "审计日志"),
        (name = "account", description = "我的账号与 API 令牌"),
        (name = "policies", description = "政策文件导入"),
        (name = "tasks", description = "督办任务、进展报告、催办、批示、书面说明、调整延期"),
        (name = "pipeline", description = "招商引资：企业库、人才库、项目及其阶段、产业链图谱、精准对接招引清单、招引活动与外出报备"),
        (name = "projects", description = "重大项目督导：问题清单、进度清单（形象进度、到位资金及凭证）、“1+N”审批帮办、每周调度会、领导视图"),
        (name = "assessment", description = "考核：考核方案（按版本保存）、按期计算（每个数字可追溯到其来源）、手工评分、晾晒发布、复算、申诉与免扣"),
        (name = "portal", description = "政策门户：已公开的政策、各条措施下公开进展的任务（状态、完成时限、牵头单位、最近一次审核通过的进展报告），无需登录；公开与撤回"),
        (name = "notices", description = "消息：本人的通知（任务交办、催办、批示、报告退回、要求说明、问题交办、诉求分派、奖励公示、临期与逾期提醒），未读数，标记已读；本人的接收设置（邮箱、类别、免打扰时段、每日汇总），单位群机器人（企业微信、钉钉、飞书、通用 JSON），投递记录与重发"),
        (name = "complaints", description = "投资者诉求：公开提交（带验证题与频率限制）、凭查询码查询、分派责任单位与答复期限、答复、满意度评价、属实认定（计入考核扣分）"),
        (name = "incentives", description = "激励：激励规则（引荐人奖励分档、创新平台补贴、公示天数）、试算、奖励台账（拟奖励、公示、批准、兑付、驳回）与追回提示、优秀等次资格与一票否决、亩产效益评价、融资（新增贷款与增幅目标、向银行和基金推介项目）"),
        (name = "dashboard", description = "可视化督导：地区看板（每个数字连到产生它的清单）、到位资金清单、市县数据交换包"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document (3.1).
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Response {
    static DOCUMENT: std::sync::LazyLock<Result<String, String>> =
        std::sync::LazyLock::new(|| openapi().to_pretty_json().map_err(|e| e.to_string()));
    match &*DOCUMENT {
        Ok(s) => {
            let mut r = s.clone().into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            r
        }
        Err(e) => crate::AppError::Internal(e.to_string()).into_response(),
    }
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    t: Tr,
    page: Chrome,
}

async fn docs(ctx: Ctx) -> AppResult<Response> {
    render::html(&DocsPage {
        t: ctx.t,
        page: render::chrome(&ctx, "api.docs_title"),
    })
}
