//! Browser smoke test in Debian's Chromium, driven by playwright-core (tests/browser). Skips,
//! saying so, where Node, Chromium or the npm packages are missing (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::{self, At, fixture, user_with};

/// The browser scripts' folder and Chromium, or why the test cannot run here.
fn tools() -> Result<(PathBuf, String), &'static str> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing = [
        (
            Command::new("node").arg("--version").output().is_err(),
            "node",
        ),
        (!Path::new(&chromium).exists(), "chromium"),
        (
            !root.join("node_modules/playwright-core").exists(),
            "tests/browser/node_modules (npm ci)",
        ),
    ];
    match missing.iter().find(|(m, _)| *m) {
        Some((_, what)) => Err(what),
        None => Ok((root, chromium)),
    }
}

/// Runs a browser script with its arguments; fails the test with its output if it fails.
async fn node(script: &Path, chromium: &str, args: &[String]) {
    let out = tokio::process::Command::new("node")
        .arg(script)
        .args(args)
        .env("CHROMIUM", chromium)
        .output()
        .await
        .expect("node");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a browser script against a server on the demo county; `args` makes the script's
/// arguments from the server's address and the screenshots' folder. Skips, saying so, where
/// the tools are missing.
async fn on_demo(script: &str, args: impl FnOnce(String, String) -> Vec<String>) {
    let (root, chromium) = match tools() {
        Ok(t) => t,
        Err(what) => {
            eprintln!("SKIPPED: browser test needs {what}; .ci/run installs it");
            return;
        }
    };
    let t = testing::fresh().await;
    let web = zhaoyin_web::WebConfig::default();
    zhaoyin::demo::load(&t.db, &web).await.expect("demo data");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = zhaoyin::launch(t.db.clone(), web, listener).expect("launch");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    node(
        &root.join(script),
        &chromium,
        &args(
            format!("http://{}", running.addr),
            shots.display().to_string(),
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_open_the_main_pages_in_chromium() {
    let (root, chromium) = match tools() {
        Ok(t) => t,
        Err(what) => {
            eprintln!("SKIPPED: browser test needs {what}; .ci/run installs it");
            return;
        }
    };
    let t = testing::fresh().await;
    let fx = fixture(&t.db).await;
    user_with(
        &t.db,
        "browser",
        &fx.unit_a,
        Role::Sysadmin,
        At::Region(&fx.county_a),
    )
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = zhaoyin::launch(t.db.clone(), Default::default(), listener).expect("launch");
    let base = format!("http://{}", running.addr);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    node(
        &root.join("smoke.mjs"),
        &chromium,
        &[
            base,
            "browser".into(),
            testing::PASSWORD.into(),
            shots.display().to_string(),
        ],
    )
    .await;
    eprintln!("screenshots in {}", shots.display());
}

/// The reference document (../shared, present here and in CI) imported through the pages on
/// the demo county's organisation: 7 chapters, 18 measures, 18 tasks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_the_reference_policy_in_chromium() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/policy/gaoqing-2019-18-measures.txt");
    if !doc.exists() {
        eprintln!(
            "SKIPPED: {} is absent (it is on the development machine and CI, not in a clone)",
            doc.display()
        );
        return;
    }
    on_demo("policy.mjs", |base, shots| {
        vec![
            base,
            "supervisor".into(),
            zhaoyin::demo::PASSWORD.into(),
            doc.display().to_string(),
            "18".into(),
            shots,
        ]
    })
    .await;
}

/// The pipeline on the demo county: a company registered in a chain segment (a wrong check
/// character refused first), a project for it, moved to 签约, seen on the board, found by
/// pinyin, and on the chain's page in its segment, whose gap lists the company as a target.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_a_company_and_sign_a_project_in_chromium() {
    on_demo("pipeline.mjs", |base, shots| {
        vec![
            base,
            "supervisor".into(),
            zhaoyin::demo::PASSWORD.into(),
            shots,
        ]
    })
    .await;
}

/// The trip green channel on the demo county: the clerk registers a trip (an unknown company line
/// refused with the line), the leader sees it waiting and approves it, and the unit's trip figure
/// on the monthly statistics opens the list that holds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_and_approve_a_trip_in_chromium() {
    on_demo("activities.mjs", |base, shots| {
        vec![
            base,
            "clerk".into(),
            "leader".into(),
            zhaoyin::demo::PASSWORD.into(),
            shots,
        ]
    })
    .await;
}

/// Major project supervision on the demo county: a major project opened from the list, a
/// problem raised on it, this week's meeting holding it on its generated agenda, a decision
/// recorded as a task, and the minutes downloaded as DOCX.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raise_a_problem_and_find_it_on_the_meeting_agenda_in_chromium() {
    on_demo("meeting.mjs", |base, shots| {
        vec![
            base,
            "supervisor".into(),
            zhaoyin::demo::PASSWORD.into(),
            shots,
        ]
    })
    .await;
}

/// The dashboard on the demo county: its charts drawn without console errors, a figure's link
/// leading to a list of the same count; screenshots of the dashboard and its print view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_draws_its_charts_and_its_figures_lead_to_their_lists_in_chromium() {
    on_demo("dashboard.mjs", |base, shots| {
        vec![
            base,
            "supervisor".into(),
            zhaoyin::demo::PASSWORD.into(),
            shots,
        ]
    })
    .await;
}

/// Assessment on the demo county: the demo's scheme computed over the last quarter, the
/// ranking shown group by group, published with its red and black lists and recomputed
/// identically; a figure leading to the list of as many rows. Screenshots of the draft and the
/// published ranking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_and_publish_a_quarter_of_assessment_in_chromium() {
    on_demo("assessment.mjs", |base, shots| {
        vec![
            base,
            "supervisor".into(),
            zhaoyin::demo::PASSWORD.into(),
            shots,
        ]
    })
    .await;
}

/// Investor complaints on the demo county: filed on the public form without an account and
/// followed by its code, routed by the supervisor, answered by the unit's clerk, read and rated
/// by the investor; then a policy published and read on the public portal. Screenshots of the
/// form, the staff's page, the tracking page and the portal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_a_complaint_in_public_and_answer_it_as_the_unit_in_chromium() {
    on_demo("complaint.mjs", |base, shots| {
        vec![
            base,
            "supervisor".into(),
            "clerk".into(),
            zhaoyin::demo::PASSWORD.into(),
            "县发展和改革局".into(),
            shots,
        ]
    })
    .await;
}
