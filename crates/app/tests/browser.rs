//! Browser smoke test in Debian's Chromium, driven by playwright-core (tests/browser). Skips,
//! saying so, where Node, Chromium or the npm packages are missing (`.ci/run` installs them).

use std::path::Path;
use std::process::Command;

use zhaoyin_core::authz::Role;
use zhaoyin_db::testing::{self, At, fixture, user_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_open_the_main_pages_in_chromium() {
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
    if let Some((_, what)) = missing.iter().find(|(m, _)| *m) {
        eprintln!("SKIPPED: browser test needs {what}; .ci/run installs it");
        return;
    }
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
    let out = tokio::process::Command::new("node")
        .arg(root.join("smoke.mjs"))
        .args([
            &base,
            "browser",
            testing::PASSWORD,
            &shots.display().to_string(),
        ])
        .env("CHROMIUM", &chromium)
        .output()
        .await
        .expect("node");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("screenshots in {}", shots.display());
}
