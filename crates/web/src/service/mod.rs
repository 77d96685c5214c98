//! What a request may do, decided once for pages and API alike: each function checks the
//! caller's permission on the exact record (or filters the list by scope), validates with the
//! core's rules, and calls storage. Handlers only parse input and render output.

pub mod account;
pub mod audit;
pub mod import;
pub mod org;
pub mod policies;
pub mod task_sheet;
pub mod tasks;
pub mod users;

use crate::AppError;

/// Runs CPU-heavy work (argon2) off the async executor.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("worker: {e}")))
}

pub(crate) async fn hash_password(password: String) -> Result<String, AppError> {
    blocking(move || zhaoyin_core::password::hash(&password))
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub(crate) async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    blocking(move || zhaoyin_core::password::verify(&password, &hash)).await
}
