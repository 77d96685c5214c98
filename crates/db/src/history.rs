//! Tables read as of a past instant. Projects and their problems keep their earlier versions
//! (migration 0017: a trigger copies a row to `…_versions` with `valid_to` whenever a write moves
//! its `updated_at`, or removes it); a row as it stood at an instant is the current row when it
//! was last written before then, else the version that was current then.

use chrono::{DateTime, Utc};

use crate::Sql;

/// A versioned table: its name, its versions' table and its columns (both have them, the
/// versions' table `valid_to` after them; a test checks).
pub struct Versioned {
    pub table: &'static str,
    pub versions: &'static str,
    pub columns: &'static str,
}

/// `fragment` (a `FROM …` with no arguments yet) with each of `tables` it reads (`FROM t` or
/// `JOIN t`) as it stood at `end`; unchanged without one.
pub(crate) fn from(fragment: &str, tables: &[&Versioned], end: Option<DateTime<Utc>>) -> Sql {
    let Some(end) = end else {
        return Sql::new(fragment);
    };
    debug_assert!(!fragment.contains('$'), "the fragment binds nothing yet");
    let mut text = fragment.to_string();
    for v in tables {
        let rows = format!(
            "(SELECT {cols} FROM {t} WHERE updated_at < $1 UNION ALL SELECT {cols} FROM {versions} \
             WHERE updated_at < $1 AND valid_to >= $1) ",
            cols = v.columns,
            t = v.table,
            versions = v.versions,
        );
        for keyword in ["FROM", "JOIN"] {
            let read = format!("{keyword} {} ", v.table);
            if let Some(at) = text.find(&read) {
                text.replace_range(at + keyword.len() + 1..at + read.len(), &rows);
                break;
            }
        }
    }
    Sql::new(text).bind(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_reads_its_tables_as_they_stood() {
        let things = Versioned {
            table: "things",
            versions: "thing_versions",
            columns: "id, name, updated_at",
        };
        let parts = Versioned {
            table: "parts",
            versions: "part_versions",
            columns: "id, thing_id, updated_at",
        };
        let fragment = " FROM parts q JOIN things t ON t.id = q.thing_id WHERE 1 = 1";
        assert_eq!(from(fragment, &[&things, &parts], None).text(), fragment);
        let then = from(fragment, &[&things, &parts], Some(Utc::now()));
        assert_eq!(
            then.text(),
            " FROM (SELECT id, thing_id, updated_at FROM parts WHERE updated_at < $1 UNION ALL \
             SELECT id, thing_id, updated_at FROM part_versions WHERE updated_at < $1 AND \
             valid_to >= $1) q JOIN (SELECT id, name, updated_at FROM things WHERE updated_at < \
             $1 UNION ALL SELECT id, name, updated_at FROM thing_versions WHERE updated_at < $1 \
             AND valid_to >= $1) t ON t.id = q.thing_id WHERE 1 = 1"
        );
    }
}
