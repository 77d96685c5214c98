//! HTTP tests: the real application on a loopback port, a fresh database per test (SQLite, or
//! PostgreSQL with ZHAOYIN_TEST_POSTGRES), one test binary.

mod activities;
mod api;
mod approvals;
mod assessments;
mod auth;
mod chains;
mod complaints;
mod dashboard;
mod deliveries;
mod exchange;
mod financing;
mod follow_up;
mod helpers;
mod incentives;
mod land;
mod matrix;
mod meetings;
mod notices;
mod ops;
mod org;
mod pipeline;
mod portal;
mod problems;
mod progress;
mod project_sheet;
mod reports;
mod security;
#[path = "../common/sinks.rs"]
mod sinks;
mod talents;
mod targets;
mod task_pages;
mod tasks;
