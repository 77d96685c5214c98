//! Zhaoyin's domain core: the rules that decide, with no I/O, no async and no SQL.
//!
//! Storage (`zhaoyin-db`) persists what this crate decides; the web layer asks it who may do what.

pub mod activity;
pub mod approval;
pub mod assessment;
pub mod audit;
pub mod authz;
pub mod chain;
pub mod company;
pub mod complaint;
pub mod credit_code;
pub mod dashboard;
pub mod exchange;
pub mod financing;
pub mod incentive;
pub mod jobs;
pub mod land;
pub mod meeting;
pub mod notify;
pub mod org;
pub mod paging;
pub mod password;
pub mod policy;
pub mod problem;
pub mod progress;
pub mod project;
pub mod report;
pub mod talent;
pub mod target;
pub mod task;
pub mod validation;

pub use validation::{FieldError, Invalid};
