//! Static files embedded in the binary (read from disk in debug builds). Every URL carries the
//! content version (`?v=`), so a versioned request may be cached for a year.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::AppState;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../assets"]
#[include = "*.css"]
#[include = "*.js"]
#[include = "*.svg"]
#[include = "*.png"]
#[include = "*.ico"]
#[include = "*.woff2"]
#[include = "LICENSE"]
#[exclude = "node_modules/*"]
pub struct Assets;

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(serve))
}

/// A short fingerprint of all embedded files.
pub fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        let mut names: Vec<_> = Assets::iter().collect();
        names.sort();
        hash_all(
            names
                .iter()
                .filter_map(|n| Assets::get(n).map(|f| f.metadata.sha256_hash())),
        )
    })
}

async fn serve(Path(path): Path<String>, RawQuery(q): RawQuery) -> Response {
    let Some(file) = Assets::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let versioned = q.is_some_and(|q| q == format!("v={}", version()));
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut r = file.data.into_owned().into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// Folds the files' SHA-256 digests (which rust-embed already has) into a short fingerprint.
fn hash_all(digests: impl Iterator<Item = [u8; 32]>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in digests.flatten() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")[..10].to_string()
}
