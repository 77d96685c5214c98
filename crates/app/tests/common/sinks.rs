//! Receivers for the delivery tests, run as child processes: a webhook receiver that checks the
//! bots' signatures with Python's hmac (tests/tools/webhook_sink.py) and an SMTP server
//! (aiosmtpd, tests/tools/smtp_sink.py). Each prints its port, then a line per message taken.

// Shared by several test binaries, each using a part.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

pub struct Sink {
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    pub port: u16,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

fn tool(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/tools")
        .join(name)
}

impl Sink {
    async fn start(script: &str, args: &[&str]) -> Sink {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("received.jsonl");
        let mut child = Command::new("python3")
            .arg(tool(script))
            .arg("--out")
            .arg(&out)
            .args(args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next_line().await.expect("read").expect("PORT line");
        let port = first
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .expect("port");
        Sink {
            _child: child,
            lines,
            port,
            out,
            _dir: dir,
        }
    }

    /// The webhook receiver; `secret` is the bots' signing secret it checks against.
    pub async fn webhook(secret: &str, extra: &[&str]) -> Sink {
        let mut args = vec!["--secret", secret];
        args.extend_from_slice(extra);
        Self::start("webhook_sink.py", &args).await
    }

    /// The SMTP server, or none (said on stderr) when aiosmtpd is not installed.
    pub async fn smtp() -> Option<Sink> {
        let has = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|s| s.success());
        if !has {
            eprintln!(
                "SKIPPED: the SMTP part needs aiosmtpd (pip install aiosmtpd); .ci/run installs it"
            );
            return None;
        }
        Some(Self::start("smtp_sink.py", &[]).await)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Everything received so far, in order.
    pub fn records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("record"))
            .collect()
    }

    /// Waits for the receiver's next message line (`GOT <ids>`) and gives its ids.
    pub async fn next(&mut self) -> String {
        let line = self.lines.next_line().await.expect("read").expect("line");
        line.strip_prefix("GOT ").unwrap_or(&line).to_string()
    }
}
