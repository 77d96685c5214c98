//! Tables read as of a past instant. Projects and their problems (migration 0017) and activities
//! (0021) keep their earlier versions: a trigger copies a row to `…_versions` with `valid_to`
//! whenever a write moves its `updated_at`, or removes it; a row as it stood at an instant is
//! the current row when it was last written before then, else the version that was current then.

use chrono::{DateTime, Utc};

use crate::Sql;

/// A versioned table: its name, its versions' table and its columns (both have them, the
/// versions' table `valid_to` after them; a test checks).
pub struct Versioned {
    pub table: &'static str,
    pub versions: &'static str,
    pub columns: &'static str,
    /// Rows kept with each version by the same trigger (the units taking part in an activity:
    /// `activity_units`, copied to `activity_unit_versions` with the version's `updated_at` and
    /// `valid_to`). Where an arm reads the table's versions, [`arms`] reads these the same way
    /// wherever a statement names them as `table alias` with one of the aliases.
    pub links: &'static [Link],
}

/// See [`Versioned::links`].
pub struct Link {
    pub table: &'static str,
    pub versions: &'static str,
    pub aliases: &'static [&'static str],
}

/// `fragment` (a `FROM …` with no arguments yet) with each of `tables` it reads (`FROM t` or
/// `JOIN t`) as it stood at `end`; unchanged without one. A statement as of a past instant is
/// planned with its arguments each time ([`Sql::planned_each_run`]), as [`arms`]' are.
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
        replace_table(&mut text, v.table, &rows);
    }
    Sql::new(text).bind(end).planned_each_run()
}

/// A statement reading `tables` (each `FROM t alias` or `JOIN t alias` in `fragment`) as they
/// stood at `end`, written as one arm per combination of each table's current rows (written
/// before `end`) and its versions current then: `select`, the arm's `fragment`, and what `arm`
/// adds (filters, a grouping), the arms joined by `UNION ALL` for the caller to combine (to sum
/// again, say). Each arm is a plain join that the planner serves from the tables' indexes, where
/// [`from`]'s union of rows is read whole before it is joined (seconds at a province's scale).
/// Without `end`, the one arm reads the current rows.
pub(crate) fn arms(
    select: &str,
    fragment: &str,
    tables: &[&Versioned],
    end: Option<DateTime<Utc>>,
    arm: impl Fn(Sql) -> Sql,
) -> Sql {
    let Some(end) = end else {
        return arm(Sql::new(format!("{select}{fragment}")));
    };
    debug_assert!(
        reads_only_the_instant(fragment) && reads_only_the_instant(select),
        "the fragment and the selection bind nothing yet (they may read `$1`, the instant)"
    );
    let mut q: Option<Sql> = None;
    for combination in 0..1usize << tables.len() {
        // Where this arm begins in the statement.
        let start = q.as_ref().map_or(0, |q| q.text().len());
        let mut text = fragment.to_string();
        for (i, v) in tables.iter().enumerate() {
            let rows = if combination & (1 << i) == 0 {
                format!("(SELECT * FROM {} WHERE updated_at < $1) ", v.table)
            } else {
                format!(
                    "(SELECT * FROM {} WHERE updated_at < $1 AND valid_to >= $1) ",
                    v.versions
                )
            };
            replace_table(&mut text, v.table, &rows);
        }
        let mut this = match q {
            None => arm(Sql::new(format!("{select}{text}"))
                .bind(end)
                .planned_each_run()),
            Some(mut q) => {
                q.push(" UNION ALL ").push(select).push(&text);
                arm(q)
            }
        };
        for (i, v) in tables.iter().enumerate() {
            if combination & (1 << i) == 0 {
                continue;
            }
            for link in v.links {
                for alias in link.aliases {
                    this.replace_after(
                        start,
                        &format!("{} {alias} ", link.table),
                        &format!(
                            "(SELECT * FROM {} WHERE updated_at < $1 AND valid_to >= $1) {alias} ",
                            link.versions
                        ),
                    );
                }
            }
        }
        q = Some(this);
    }
    q.unwrap_or_default()
}

/// Whether every placeholder in `text` is `$1` (not `$10`, `$12`…).
fn reads_only_the_instant(text: &str) -> bool {
    text.match_indices('$').all(|(i, _)| {
        let mut after = text[i + 1..].chars();
        after.next() == Some('1') && !after.next().is_some_and(|c| c.is_ascii_digit())
    })
}

/// [`arms`] that each count per `keys` (the names of the arms' first columns), summed again:
/// `keys`, then each of `sums` (the names of the arms' other columns) as a BIGINT.
pub(crate) fn summed(arms: &Sql, keys: &str, sums: &[&str]) -> Sql {
    let sums: Vec<String> = sums
        .iter()
        .map(|s| format!("CAST(COALESCE(SUM({s}), 0) AS BIGINT) AS {s}"))
        .collect();
    let mut q = arms.prefixed(&format!("SELECT {keys}, {} FROM (", sums.join(", ")));
    q.push(") x GROUP BY ").push(keys);
    q
}

/// `text` reading `rows` where it read `table` (its first `FROM table ` or `JOIN table `).
fn replace_table(text: &mut String, table: &str, rows: &str) {
    for keyword in ["FROM", "JOIN"] {
        let read = format!("{keyword} {table} ");
        if let Some(at) = text.find(&read) {
            text.replace_range(at + keyword.len() + 1..at + read.len(), rows);
            return;
        }
    }
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
            links: &[],
        };
        let parts = Versioned {
            table: "parts",
            versions: "part_versions",
            columns: "id, thing_id, updated_at",
            links: &[],
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

    #[test]
    fn an_arm_of_versions_reads_their_links_as_versions_too() {
        let things = Versioned {
            table: "things",
            versions: "thing_versions",
            columns: "id, name, updated_at",
            links: &[Link {
                table: "thing_tags",
                versions: "thing_tag_versions",
                aliases: &["g"],
            }],
        };
        let q = arms(
            "SELECT g.tag",
            " FROM things t JOIN thing_tags g ON g.thing_id = t.id WHERE 1 = 1",
            &[&things],
            Some(Utc::now()),
            |mut w| {
                w.push(" AND EXISTS (SELECT 1 FROM thing_tags g WHERE g.tag = ")
                    .push_bind("x")
                    .push(") AND t.id IN (SELECT o.thing_id FROM thing_tags o)");
                w
            },
        );
        let arms: Vec<&str> = q.text().split(" UNION ALL ").collect();
        assert_eq!(arms.len(), 2);
        assert!(!arms[0].contains("thing_tag_versions"), "{}", arms[0]);
        let versions =
            "(SELECT * FROM thing_tag_versions WHERE updated_at < $1 AND valid_to >= $1) g ";
        assert_eq!(arms[1].matches(versions).count(), 2, "{}", arms[1]);
        // Another alias reads the links as they are now.
        assert!(arms[1].contains("FROM thing_tags o)"), "{}", arms[1]);
    }

    #[test]
    fn a_fragment_may_read_the_instant_and_nothing_else() {
        assert!(reads_only_the_instant(
            " FROM t WHERE t.at < $1 AND t.b >= $1)"
        ));
        assert!(reads_only_the_instant(" FROM t"));
        assert!(!reads_only_the_instant(" FROM t WHERE t.at < $12"));
        assert!(!reads_only_the_instant(" FROM t WHERE t.at < $2"));
        assert!(!reads_only_the_instant(" FROM t WHERE t.at < $"));
    }

    #[test]
    fn each_combination_of_current_rows_and_versions_is_an_arm() {
        let things = Versioned {
            table: "things",
            versions: "thing_versions",
            columns: "id, name, updated_at",
            links: &[],
        };
        let fragment = " FROM things t WHERE 1 = 1";
        let grouped = |mut w: Sql| {
            w.push(" AND t.name = ")
                .push_bind("x")
                .push(" GROUP BY t.id");
            w
        };
        let now = arms("SELECT t.id", fragment, &[&things], None, grouped);
        assert_eq!(
            now.text(),
            "SELECT t.id FROM things t WHERE 1 = 1 AND t.name = $1 GROUP BY t.id"
        );
        let then = arms(
            "SELECT t.id",
            fragment,
            &[&things],
            Some(Utc::now()),
            grouped,
        );
        assert_eq!(
            then.text(),
            "SELECT t.id FROM (SELECT * FROM things WHERE updated_at < $1) t WHERE 1 = 1 \
             AND t.name = $2 GROUP BY t.id UNION ALL SELECT t.id FROM (SELECT * FROM \
             thing_versions WHERE updated_at < $1 AND valid_to >= $1) t WHERE 1 = 1 \
             AND t.name = $3 GROUP BY t.id"
        );
    }
}
