//! docs/API.md is generated from the OpenAPI document; this test fails when it is stale.
//! Regenerate with `ZHAOYIN_UPDATE_DOCS=1 cargo test -p zhaoyin-web --test api_doc`.

use std::fmt::Write;

use serde_json::Value;

fn type_of(v: &Value) -> String {
    if let Some(t) = v["type"].as_str() {
        if t == "array" {
            return format!("array of {}", type_of(&v["items"]));
        }
        return t.to_string();
    }
    if let Some(ts) = v["type"].as_array() {
        return ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    if let Some(r) = v["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = v[key].as_array() {
            return list.iter().map(type_of).collect::<Vec<_>>().join(" or ");
        }
    }
    "object".into()
}

fn render() -> String {
    let doc = serde_json::to_value(zhaoyin_web::api::openapi()).unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "# Zhaoyin API\n");
    let _ = writeln!(
        out,
        "Generated from `/api/openapi.json` (OpenAPI {}) by `crates/web/tests/api_doc.rs`; a running \
         server shows the same document at `/api/docs`.\n",
        doc["openapi"].as_str().unwrap_or("")
    );
    if let Some(d) = doc["info"]["description"].as_str() {
        let _ = writeln!(out, "{d}\n");
    }
    let _ = writeln!(
        out,
        "## Operations\n\n| method | path | tag |\n|---|---|---|"
    );
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let tag = op["tags"][0].as_str().unwrap_or("");
                let _ = writeln!(out, "| {} | `{path}` | {tag} |", method.to_uppercase());
            }
        }
    }
    let _ = writeln!(out, "\n## Schemas");
    for (name, s) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let _ = writeln!(out, "\n### {name}\n");
        if let Some(d) = s["description"].as_str() {
            let _ = writeln!(out, "{d}\n");
        }
        let _ = writeln!(out, "| field | type | required |\n|---|---|---|");
        let mut rows = Vec::new();
        fields(&doc, s, &mut rows);
        for (p, ty, req) in rows {
            let req = if req { "yes" } else { "" };
            let _ = writeln!(out, "| `{p}` | {ty} | {req} |");
        }
    }
    out
}

/// A schema's fields (name, type, required), those of the schemas it flattens (`allOf`) first.
fn fields(doc: &Value, s: &Value, out: &mut Vec<(String, String, bool)>) {
    for part in s["allOf"].as_array().into_iter().flatten() {
        match part["$ref"].as_str() {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or_default();
                fields(doc, &doc["components"]["schemas"][name], out);
            }
            None => fields(doc, part, out),
        }
    }
    let required: Vec<&str> = s["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (p, v) in s["properties"].as_object().into_iter().flatten() {
        out.push((p.clone(), type_of(v), required.contains(&p.as_str())));
    }
}

#[test]
fn api_md_matches_the_openapi_document() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/API.md");
    let want = render();
    if std::env::var("ZHAOYIN_UPDATE_DOCS").is_ok() {
        std::fs::write(path, &want).expect("write docs/API.md");
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/API.md is stale: run ZHAOYIN_UPDATE_DOCS=1 cargo test -p zhaoyin-web --test api_doc"
    );
}

/// Every type the OpenAPI document describes has its own name there: utoipa keeps one schema per
/// name, so two types of the same name would silently describe one response with the other's
/// fields (it happened: a task's `Report` and the period report). A type renamed with
/// `#[schema(as = …)]` counts under its new name.
#[test]
fn schema_names_are_unique() {
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["core", "db", "office", "web", "app"] {
        sources(&crates.join(krate).join("src"), &mut files);
    }
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        let mut derives = false;
        let mut renamed: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                derives = true;
            } else if derives && line.starts_with("#[schema(as = ") {
                renamed = line
                    .trim_start_matches("#[schema(as = ")
                    .split(')')
                    .next()
                    .map(str::to_string);
            } else if derives
                && let Some(rest) = line
                    .strip_prefix("pub struct ")
                    .or_else(|| line.strip_prefix("pub enum "))
            {
                let name = renamed.take().unwrap_or_else(|| {
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                });
                let place = file.display().to_string();
                if let Some(other) = seen.insert(name.clone(), place.clone()) {
                    panic!("two schemas named {name}: {other} and {place}");
                }
                derives = false;
            } else if derives && !line.starts_with("#[") && !line.starts_with("///") {
                derives = false;
                renamed = None;
            }
        }
    }
    assert!(seen.contains_key("PeriodReport") && seen.contains_key("ProjectProblem"));
}
