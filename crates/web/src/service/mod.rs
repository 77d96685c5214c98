//! What a request may do, decided once for pages and API alike: each function checks the
//! caller's permission on the exact record (or filters the list by scope), validates with the
//! core's rules, and calls storage. Handlers only parse input and render output.

pub mod account;
pub mod activities;
pub mod activity_sheet;
pub mod approvals;
pub mod assessments;
pub mod audit;
pub mod chains;
pub mod companies;
pub mod company_sheet;
pub mod complaints;
pub mod dashboard;
pub mod deliveries;
pub mod exchange;
pub mod financing;
pub mod import;
pub mod incentives;
pub mod land;
pub mod leader;
pub mod meetings;
pub mod notices;
pub mod org;
pub mod policies;
pub mod portal;
pub mod problems;
pub mod progress;
pub mod project_sheet;
pub mod projects;
pub mod reports;
pub mod scheme_sheet;
pub mod screen;
pub(crate) mod sheet_kit;
pub mod talent_sheet;
pub mod talents;
pub mod targets;
pub mod task_sheet;
pub mod tasks;
pub mod users;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

use zhaoyin_core::authz::{Entity, Role};
use zhaoyin_core::org::Place;

use crate::ctx::Auth;
use crate::{AppError, AppState};

/// The county of the caller's unit (id, path): its library when that is a county; none for a
/// city's or a province's unit.
pub(crate) async fn own_county(
    st: &AppState,
    auth: &Auth,
) -> Result<Option<(i64, String)>, AppError> {
    let (id, path) = zhaoyin_db::companies::library_of_unit(&st.db, auth.user.unit_id).await?;
    let level = zhaoyin_db::org::get_region(&st.db, id).await?.level;
    Ok((level == zhaoyin_core::org::RegionLevel::County.id()).then_some((id, path)))
}

/// The library region of the caller's unit (its county; a city's or province's unit, its own
/// region), as (id, path), where the caller is a supervisor of `entity` over it.
pub(crate) async fn supervised_library(
    st: &AppState,
    auth: &Auth,
    entity: Entity,
) -> Result<Option<(i64, String)>, AppError> {
    let (id, path) = zhaoyin_db::companies::library_of_unit(&st.db, auth.user.unit_id).await?;
    let place = Place {
        region_path: path.clone(),
        unit_id: None,
    };
    Ok(auth
        .principal
        .holds_over(Role::Supervisor, entity, &place)
        .then_some((id, path)))
}

/// Runs CPU-heavy work (reading an uploaded document) off the async executor.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("worker: {e}")))
}

/// Reads an uploaded workbook off the async executor: unpacking and parsing it is CPU work.
pub(crate) async fn read_workbook(
    bytes: &[u8],
    sheets: Vec<zhaoyin_office::xlsx::Sheet>,
) -> Result<Vec<Vec<zhaoyin_office::xlsx::Row>>, AppError> {
    let bytes = bytes.to_vec();
    Ok(blocking(move || zhaoyin_office::xlsx::read(&bytes, &sheets)).await??)
}

/// A request's independent reads, run side by side (`tokio::try_join!`, each statement on its
/// own pooled connection) but at most as many at once as the machine has cores: more would only
/// queue for the cores while holding connections other requests wait for.
pub(crate) struct Reads(tokio::sync::Semaphore);

impl Reads {
    pub(crate) fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self(tokio::sync::Semaphore::new(cores))
    }

    /// `read` when `wanted` (else nothing: the empty default), once the request may start one.
    pub(crate) async fn read_if<T: Default, E: Into<AppError>>(
        &self,
        wanted: bool,
        read: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, AppError> {
        if !wanted {
            return Ok(T::default());
        }
        self.read(read).await
    }

    /// `read`, once the request may start one.
    pub(crate) async fn read<T, E: Into<AppError>>(
        &self,
        read: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, AppError> {
        let _started = self
            .0
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        read.await.map_err(Into::into)
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Password work waiting for a worker.
static PASSWORD_JOBS_WAITING: AtomicUsize = AtomicUsize::new(0);

/// Password work (argon2id, 19 MiB per hash) runs on one dedicated thread per core: no more
/// hashes at once than cores, and only these threads' allocator arenas ever hold the 19 MiB
/// blocks. On tokio's blocking pool each sign-in under load could land on another thread, and
/// memory grew to gigabytes (measured: 4.3 GB at 64 concurrent sign-ins; see PERFORMANCE.md).
/// A worker keeps its block while sign-ins queue and gives it back when none waits, so a server
/// holds none between bursts (it held one per core for good: 40 MB on two cores).
fn password_workers() -> &'static Sender<Job> {
    static JOBS: OnceLock<Sender<Job>> = OnceLock::new();
    JOBS.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..n {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("zhaoyin-password-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(jobs) => jobs.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        PASSWORD_JOBS_WAITING.fetch_sub(1, Ordering::AcqRel);
                        // A panic fails that one request (its answer channel drops), not the worker.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        if PASSWORD_JOBS_WAITING.load(Ordering::Acquire) == 0 {
                            zhaoyin_core::password::release_memory();
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("starting a password worker: {e}");
            }
        }
        tx
    })
}

/// Runs password work on the password workers and waits for its result.
async fn on_password_worker<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    PASSWORD_JOBS_WAITING.fetch_add(1, Ordering::AcqRel);
    password_workers()
        .send(Box::new(move || {
            // A request that went away while queued (the client gave up) costs no hash.
            if !tx.is_closed() {
                let _ = tx.send(f());
            }
        }))
        .map_err(|_| {
            PASSWORD_JOBS_WAITING.fetch_sub(1, Ordering::AcqRel);
            AppError::Internal("password workers stopped".into())
        })?;
    rx.await
        .map_err(|_| AppError::Internal("password worker failed".into()))
}

pub(crate) async fn hash_password(password: String) -> Result<String, AppError> {
    on_password_worker(move || zhaoyin_core::password::hash(&password))
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub(crate) async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    on_password_worker(move || zhaoyin_core::password::verify(&password, &hash)).await
}
