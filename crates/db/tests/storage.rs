//! Storage tests. They run on SQLite; with ZHAOYIN_TEST_POSTGRES set they run on PostgreSQL,
//! each test in a fresh database.

use std::collections::BTreeMap;

use zhaoyin_core::audit::Broken;
use zhaoyin_core::authz::{Action, Entity, Role};
use zhaoyin_core::org::{PersonInput, UnitInput};
use zhaoyin_core::paging::Page;
use zhaoyin_db::audit::{self, Actor, Verification};
use zhaoyin_db::org::{self, PersonFilter, RegionFilter, UnitFilter};
use zhaoyin_db::testing::{self, At, fixture, fresh, user_with};
use zhaoyin_db::{Db, Error, Kind, PoolConfig, Sql, users};

fn unit_input(code: &str, name: &str) -> zhaoyin_core::org::UnitFields {
    UnitInput {
        code: code.into(),
        name: name.into(),
        kind: "office".into(),
        ..Default::default()
    }
    .validate()
    .expect("valid unit")
}

#[tokio::test]
async fn sqlite_runs_in_wal_with_foreign_keys_and_mapped_readers() {
    let t = testing::fresh_sqlite().await;
    let (mode,): (String,) =
        t.db.one(Sql::new("PRAGMA journal_mode"))
            .await
            .expect("pragma");
    assert_eq!(mode, "wal");
    let (fk,): (i64,) =
        t.db.one(Sql::new("PRAGMA foreign_keys"))
            .await
            .expect("pragma");
    assert_eq!(fk, 1);
    // Readers map the file rather than each copying the pages it reads.
    let (mapped,): (i64,) =
        t.db.one(Sql::new("PRAGMA mmap_size"))
            .await
            .expect("pragma");
    assert_eq!(mapped, zhaoyin_db::READER_MMAP_BYTES);
    // Foreign keys are enforced on the writer too.
    let err = org::create_unit(&t.db, &Actor::cli(), 999, &unit_input("x1", "无区划单位"))
        .await
        .expect_err("unknown region");
    assert!(matches!(err, Error::ForeignKey), "{err:?}");
}

/// PostgreSQL sessions read and write in UTC and never JIT-compile a statement.
#[tokio::test]
async fn postgres_sessions_run_in_utc_without_jit() {
    let t = fresh().await;
    if t.db.kind() != Kind::Postgres {
        eprintln!("skipped: runs on PostgreSQL ({} unset)", testing::ENV);
        return;
    }
    let settings: (String, String) =
        t.db.one(Sql::new(
            "SELECT current_setting('timezone'), current_setting('jit')",
        ))
        .await
        .expect("settings");
    assert_eq!(settings, ("UTC".to_string(), "off".to_string()));
}

#[tokio::test]
async fn unknown_scheme_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("typo.db");
    let err = Db::connect(
        &format!("sqlit://{}", path.display()),
        &PoolConfig::default(),
    )
    .await
    .err()
    .expect("refused");
    assert!(matches!(err, Error::UnsupportedScheme(_)), "{err}");
    assert!(!path.exists());
}

/// Columns of every table and view, by engine.
async fn schema(db: &Db) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> = match db.kind() {
        Kind::Sqlite => db
            .all(Sql::new(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' \
                 ORDER BY m.name, p.name",
            ))
            .await
            .expect("sqlite schema"),
        Kind::Postgres => db
            .all(Sql::new(
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                 WHERE table_schema = 'public' ORDER BY table_name, column_name",
            ))
            .await
            .expect("pg schema"),
    };
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (t, c) in rows {
        m.entry(t).or_default().push(c);
    }
    m
}

#[tokio::test]
async fn versioned_tables_and_their_versions_have_the_columns_read_as_of_a_day() {
    let t = fresh().await;
    let schema = schema(&t.db).await;
    for v in [
        zhaoyin_db::projects::VERSIONED,
        zhaoyin_db::problems::VERSIONED,
        zhaoyin_db::activities::VERSIONED,
    ] {
        let mut columns: Vec<String> = v.columns.split(", ").map(str::to_string).collect();
        columns.sort();
        assert_eq!(schema[v.table], columns, "{}", v.table);
        columns.push("valid_to".into());
        columns.sort();
        assert_eq!(schema[v.versions], columns, "{}", v.versions);
    }
}

#[tokio::test]
async fn both_schemas_have_the_same_tables_and_columns() {
    let Some(admin) = testing::postgres_admin_url() else {
        eprintln!(
            "SKIPPED: set {} to compare the SQLite and PostgreSQL schemas",
            testing::ENV
        );
        return;
    };
    let lite = testing::fresh_sqlite().await;
    let pg = testing::fresh_postgres(&admin).await;
    let (a, b) = (schema(&lite.db).await, schema(&pg.db).await);
    assert!(a.contains_key("audit_log") && a.contains_key("users"));
    assert_eq!(a, b);
}

#[tokio::test]
async fn writes_are_audited_and_the_chain_verifies() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let actor = Actor {
        user_id: None,
        name: "tester".into(),
        ip: Some("10.0.0.8".into()),
        request_id: Some("req-1".into()),
    };
    let u = org::update_unit(
        &t.db,
        &actor,
        f.unit_a.id,
        f.unit_a.version,
        f.county_a.id,
        &unit_input("gq-fgj", "高青县发展和改革局"),
    )
    .await
    .expect("update");
    assert_eq!(u.version, 2);
    let (entries, total) = audit::search(
        &t.db,
        &zhaoyin_core::authz::Visibility {
            subtrees: vec![f.province.path.clone()],
            ..Default::default()
        },
        &audit::Filter {
            entity: Some("unit".into()),
            entity_id: Some(f.unit_a.id.to_string()),
            ..Default::default()
        },
        Page::default(),
    )
    .await
    .expect("search");
    assert_eq!(total, 2, "create and update");
    let last = &entries[0];
    assert_eq!(last.action, "update");
    assert_eq!(last.ip.as_deref(), Some("10.0.0.8"));
    assert!(
        last.before_json
            .as_deref()
            .unwrap_or("")
            .contains("县发展和改革局")
    );
    assert!(
        last.after_json
            .as_deref()
            .unwrap_or("")
            .contains("高青县发展和改革局")
    );
    assert!(
        matches!(audit::verify(&t.db).await, Ok(Verification::Intact { entries }) if entries >= 11)
    );
}

#[tokio::test]
async fn the_audit_log_refuses_edits_and_verify_finds_them() {
    let t = fresh().await;
    fixture(&t.db).await;
    let edit = Sql::new("UPDATE audit_log SET actor_name = 'someone' WHERE seq = 3");
    assert!(t.db.execute(edit.clone()).await.is_err(), "trigger refuses");
    assert!(
        t.db.execute(Sql::new("DELETE FROM audit_log WHERE seq = 3"))
            .await
            .is_err()
    );
    // An administrator with database access drops the trigger and edits a row by hand.
    match t.db.kind() {
        Kind::Sqlite => {
            t.db.execute(Sql::new("DROP TRIGGER audit_log_no_update"))
                .await
        }
        Kind::Postgres => {
            t.db.execute(Sql::new("DROP TRIGGER audit_log_no_update ON audit_log"))
                .await
        }
    }
    .expect("drop trigger");
    t.db.execute(edit).await.expect("edit by hand");
    assert_eq!(
        audit::verify(&t.db).await.expect("verify"),
        Verification::Broken {
            checked: 2,
            at: Broken::Content { seq: 3 }
        }
    );
}

#[tokio::test]
async fn removing_the_newest_entries_is_found() {
    let t = fresh().await;
    fixture(&t.db).await;
    match t.db.kind() {
        Kind::Sqlite => {
            t.db.execute(Sql::new("DROP TRIGGER audit_log_no_delete"))
                .await
        }
        Kind::Postgres => {
            t.db.execute(Sql::new("DROP TRIGGER audit_log_no_delete ON audit_log"))
                .await
        }
    }
    .expect("drop trigger");
    let (max,): (i64,) =
        t.db.one(Sql::new("SELECT MAX(seq) FROM audit_log"))
            .await
            .expect("max");
    t.db.execute(Sql::new("DELETE FROM audit_log WHERE seq = $1").bind(max))
        .await
        .expect("delete");
    assert_eq!(
        audit::verify(&t.db).await.expect("verify"),
        Verification::HeadMismatch {
            head_seq: max,
            last_seq: max - 1
        }
    );
}

#[tokio::test]
async fn a_stale_edit_is_refused() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let a = Actor::cli();
    org::update_unit(
        &t.db,
        &a,
        f.unit_a.id,
        1,
        f.county_a.id,
        &unit_input("gq-fgj", "甲"),
    )
    .await
    .expect("first edit");
    let err = org::update_unit(
        &t.db,
        &a,
        f.unit_a.id,
        1,
        f.county_a.id,
        &unit_input("gq-fgj", "乙"),
    )
    .await
    .expect_err("second edit from the same version");
    assert!(matches!(err, Error::Stale), "{err:?}");
    assert_eq!(
        org::get_unit(&t.db, f.unit_a.id).await.expect("get").name,
        "甲"
    );
}

#[tokio::test]
async fn duplicates_name_the_field() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let err = org::create_unit(
        &t.db,
        &Actor::cli(),
        f.county_a.id,
        &unit_input("gq-fgj", "重复"),
    )
    .await
    .expect_err("duplicate code");
    assert!(
        matches!(&err, Error::Duplicate { field } if field == "code"),
        "{err:?}"
    );
    let err = users::create(
        &t.db,
        &Actor::cli(),
        &users::NewUser {
            username: "Admin".into(),
            display_name: "甲".into(),
            unit_id: f.unit_a.id,
            person_id: None,
            password_hash: "x".into(),
            must_change_password: true,
        },
        &[],
    )
    .await
    .and(
        users::create(
            &t.db,
            &Actor::cli(),
            &users::NewUser {
                username: "admin".into(),
                display_name: "乙".into(),
                unit_id: f.unit_a.id,
                person_id: None,
                password_hash: "x".into(),
                must_change_password: true,
            },
            &[],
        )
        .await,
    )
    .expect_err("username taken, case-insensitively");
    assert!(
        matches!(&err, Error::Duplicate { field } if field == "username"),
        "{err:?}"
    );
}

#[tokio::test]
async fn disabling_refuses_while_in_use() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let a = Actor::cli();
    let err = org::set_region_active(&t.db, &a, f.county_b.id, f.county_b.version, false)
        .await
        .expect_err("county B has a unit");
    assert!(matches!(err, Error::Invalid(_)));
    org::set_region_active(&t.db, &a, f.town_a.id, f.town_a.version, false)
        .await
        .expect("an empty town can be disabled");
    user_with(&t.db, "clerk", &f.unit_b, Role::Clerk, At::Unit(&f.unit_b)).await;
    let err = org::set_unit_active(&t.db, &a, f.unit_b.id, f.unit_b.version, false)
        .await
        .expect_err("unit B has an active account");
    assert!(matches!(err, Error::Invalid(_)));
}

/// What a list shows is exactly what `Principal::can` allows, row by row.
#[tokio::test]
async fn lists_show_exactly_what_the_scope_allows() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let cases = [
        user_with(
            &t.db,
            "leader-a",
            &f.unit_a,
            Role::Leader,
            At::Region(&f.county_a),
        )
        .await,
        user_with(
            &t.db,
            "clerk-a",
            &f.unit_a,
            Role::Clerk,
            At::Unit(&f.unit_a),
        )
        .await,
        user_with(
            &t.db,
            "viewer-city",
            &f.unit_b,
            Role::Viewer,
            At::Region(&f.city),
        )
        .await,
        user_with(
            &t.db,
            "auditor-b",
            &f.unit_b,
            Role::Auditor,
            At::Region(&f.county_b),
        )
        .await,
    ];
    let all = zhaoyin_core::authz::Visibility::everywhere();
    let page = Page::new(Some(1), Some(200));
    let (regions, _) = org::list_regions(&t.db, &all, &RegionFilter::default(), page)
        .await
        .expect("regions");
    let (units, _) = org::list_units(&t.db, &all, &UnitFilter::default(), page)
        .await
        .expect("units");
    let (people, _) = org::list_people(&t.db, &all, &PersonFilter::default(), page)
        .await
        .expect("people");
    assert_eq!((regions.len(), units.len(), people.len()), (5, 3, 2));
    for user in &cases {
        let p = users::principal(&t.db, user).await.expect("principal");
        let ids = |v: Vec<i64>| {
            let mut v = v;
            v.sort_unstable();
            v
        };
        let (seen, _) = org::list_regions(
            &t.db,
            &p.visibility(Entity::Region, Action::Read),
            &RegionFilter::default(),
            page,
        )
        .await
        .expect("regions");
        let want: Vec<i64> = regions
            .iter()
            .filter(|r| p.can(Entity::Region, Action::Read, &r.place()))
            .map(|r| r.id)
            .collect();
        assert_eq!(
            ids(seen.iter().map(|r| r.id).collect()),
            ids(want),
            "regions for {}",
            user.username
        );
        let (seen, _) = org::list_units(
            &t.db,
            &p.visibility(Entity::Unit, Action::Read),
            &UnitFilter::default(),
            page,
        )
        .await
        .expect("units");
        let want: Vec<i64> = units
            .iter()
            .filter(|u| p.can(Entity::Unit, Action::Read, &u.place()))
            .map(|u| u.id)
            .collect();
        assert_eq!(
            ids(seen.iter().map(|u| u.id).collect()),
            ids(want),
            "units for {}",
            user.username
        );
        let (seen, _) = org::list_people(
            &t.db,
            &p.visibility(Entity::Person, Action::Read),
            &PersonFilter::default(),
            page,
        )
        .await
        .expect("people");
        let want: Vec<i64> = people
            .iter()
            .filter(|x| p.can(Entity::Person, Action::Read, &x.place()))
            .map(|x| x.id)
            .collect();
        assert_eq!(
            ids(seen.iter().map(|x| x.id).collect()),
            ids(want),
            "people for {}",
            user.username
        );
    }
    // And the expectations themselves, for two of them.
    let clerk = users::principal(&t.db, &cases[1]).await.expect("principal");
    let (u, _) = org::list_units(
        &t.db,
        &clerk.visibility(Entity::Unit, Action::Read),
        &UnitFilter::default(),
        page,
    )
    .await
    .expect("units");
    assert_eq!(
        u.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(),
        vec!["gq-fgj"]
    );
    let city = users::principal(&t.db, &cases[2]).await.expect("principal");
    let (r, _) = org::list_regions(
        &t.db,
        &city.visibility(Entity::Region, Action::Read),
        &RegionFilter::default(),
        page,
    )
    .await
    .expect("regions");
    assert_eq!(
        r.len(),
        5,
        "city, its counties and town, and the province above"
    );
    // A request reads the account and its grants in one statement: the grants the account's
    // page lists, with two grants, and with none.
    let actor = Actor::cli();
    let second = users::NewGrant {
        role: Role::Viewer,
        scope_unit_id: None,
        scope_region_id: Some(f.city.id),
    };
    let extra = users::grant(&t.db, &actor, &cases[1], &second)
        .await
        .expect("grant");
    let first = users::grants_of(&t.db, cases[0].id).await.expect("grants");
    users::revoke(&t.db, &actor, &cases[0], first[0].id)
        .await
        .expect("revoke");
    for user in &cases {
        let (u, p) = users::signed_in(&t.db, user.id).await.expect("signed in");
        assert_eq!(u.username, user.username);
        let grants = users::grants_of(&t.db, user.id).await.expect("grants");
        assert_eq!(
            p.grants,
            grants
                .iter()
                .filter_map(users::GrantRow::to_grant)
                .collect::<Vec<_>>(),
            "{}",
            user.username
        );
    }
    let (_, clerk) = users::signed_in(&t.db, cases[1].id).await.expect("clerk");
    assert_eq!(clerk.grants.len(), 2, "grant {extra} read with the first");
    let (_, none) = users::signed_in(&t.db, cases[0].id).await.expect("none");
    assert!(none.grants.is_empty());
    assert!(matches!(
        users::signed_in(&t.db, i64::MAX).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn filters_and_paging() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let all = zhaoyin_core::authz::Visibility {
        subtrees: vec![f.province.path.clone()],
        ..Default::default()
    };
    let (u, total) = org::list_units(
        &t.db,
        &all,
        &UnitFilter {
            q: Some("投资".into()),
            ..Default::default()
        },
        Page::default(),
    )
    .await
    .expect("units");
    assert_eq!((total, u[0].code.as_str()), (1, "gq-tcj"));
    let (u, total) = org::list_units(
        &t.db,
        &all,
        &UnitFilter {
            region_id: Some(f.county_a.id),
            ..Default::default()
        },
        Page::new(Some(2), Some(1)),
    )
    .await
    .expect("units");
    assert_eq!((total, u.len()), (2, 1));
    // `%` and `_` in a search are text, not wildcards.
    let (_, total) = org::list_units(
        &t.db,
        &all,
        &UnitFilter {
            q: Some("%".into()),
            ..Default::default()
        },
        Page::default(),
    )
    .await
    .expect("units");
    assert_eq!(total, 0);
}

/// Many concurrent writers on one SQLite file all succeed: they queue on the single writer
/// connection instead of failing with "database is locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_queue_and_the_chain_stays_whole() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let db = t.db.clone();
        let region = f.county_a.id;
        tasks.push(tokio::spawn(async move {
            org::create_unit(
                &db,
                &Actor::cli(),
                region,
                &unit_input(&format!("c{i}"), &format!("单位{i}")),
            )
            .await
        }));
    }
    for task in tasks {
        task.await.expect("join").expect("write");
    }
    let (n,): (i64,) =
        t.db.one(Sql::new("SELECT COUNT(*) FROM units"))
            .await
            .expect("count");
    assert_eq!(n, 63);
    assert!(matches!(
        audit::verify(&t.db).await,
        Ok(Verification::Intact { .. })
    ));
}

#[tokio::test]
async fn import_is_all_or_nothing_and_idempotent() {
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let a = Actor::cli();
    let units = vec![
        org::UnitRow {
            row: 2,
            region_id: f.county_a.id,
            fields: unit_input("gq-kjj", "县科技局"),
        },
        org::UnitRow {
            row: 3,
            region_id: f.county_a.id,
            fields: UnitInput {
                code: "gq-fgj".into(),
                name: "县发展和改革局".into(),
                kind: "department".into(),
                ..Default::default()
            }
            .validate()
            .expect("valid"),
        },
    ];
    let person = |unit: &str, name: &str| org::PersonRow {
        row: 2,
        unit_code: unit.into(),
        fields: PersonInput {
            name: name.into(),
            title: "科员".into(),
            ..Default::default()
        }
        .validate()
        .expect("valid"),
    };
    // A person in an unknown unit: nothing at all is written.
    let err = org::import(
        &t.db,
        &a,
        &units,
        &[person("gq-kjj", "王芳"), person("nope", "赵磊")],
    )
    .await
    .expect_err("unknown unit");
    assert!(matches!(err, Error::Invalid(_)));
    assert!(
        org::unit_by_code(&t.db, "gq-kjj")
            .await
            .expect("query")
            .is_none()
    );

    let people = [person("gq-kjj", "王芳"), person("gq-fgj", "张伟")];
    let s = org::import(&t.db, &a, &units, &people)
        .await
        .expect("import");
    assert_eq!(
        (s.units_created, s.units_updated, s.units_unchanged),
        (1, 0, 1)
    );
    assert_eq!(
        (s.people_created, s.people_updated),
        (1, 1),
        "张伟 gets the new title"
    );
    let (seq_before,): (i64,) =
        t.db.one(Sql::new("SELECT seq FROM audit_head"))
            .await
            .expect("head");
    let s = org::import(&t.db, &a, &units, &people)
        .await
        .expect("again");
    assert_eq!(
        (
            s.units_created + s.units_updated,
            s.people_created + s.people_updated
        ),
        (0, 0)
    );
    let (seq_after,): (i64,) =
        t.db.one(Sql::new("SELECT seq FROM audit_head"))
            .await
            .expect("head");
    assert_eq!(seq_before, seq_after, "a second import changes nothing");
}

#[tokio::test]
async fn sessions_expire_and_logout_everywhere_ends_them_all() {
    use chrono::Duration;
    use zhaoyin_db::sessions::{self, Lifetimes};
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let u = user_with(&t.db, "wang", &f.unit_a, Role::Clerk, At::Unit(&f.unit_a)).await;
    let a = Actor::cli();
    let l = Lifetimes {
        idle: Duration::minutes(30),
        absolute: Duration::hours(12),
    };
    let (tok1, s1) = sessions::login(&t.db, &a, &u, None, Some("test"))
        .await
        .expect("login")
        .expect("not locked");
    let (tok2, _) = sessions::login(&t.db, &a, &u, None, None)
        .await
        .expect("login")
        .expect("not locked");
    assert_eq!(
        sessions::lookup(&t.db, &tok1, l)
            .await
            .expect("lookup")
            .map(|s| s.user_id),
        Some(u.id)
    );
    // Signing in again from the same browser replaces its session (fixation defence).
    let (tok3, _) = sessions::login(&t.db, &a, &u, Some(&tok1), None)
        .await
        .expect("login")
        .expect("not locked");
    assert!(
        sessions::lookup(&t.db, &tok1, l)
            .await
            .expect("lookup")
            .is_none()
    );
    // A session idle for longer than the limit is gone.
    let old = chrono::Utc::now() - Duration::minutes(31);
    t.db.execute(
        Sql::new("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(old)
            .bind(sessions::token_hash(&tok2)),
    )
    .await
    .expect("age");
    assert!(
        sessions::lookup(&t.db, &tok2, l)
            .await
            .expect("lookup")
            .is_none()
    );
    sessions::logout(&t.db, &a, &u, &s1.id, true)
        .await
        .expect("logout all");
    assert!(
        sessions::lookup(&t.db, &tok3, l)
            .await
            .expect("lookup")
            .is_none()
    );
}

/// Attempts sent all at once cannot slip past the lockout: at most `max` passwords are checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_sign_in_attempts_respect_the_lockout() {
    use zhaoyin_db::users::{Attempt, reserve_login_attempt};
    let t = fresh().await;
    let f = fixture(&t.db).await;
    let u = user_with(
        &t.db,
        "target",
        &f.unit_a,
        Role::Viewer,
        At::Unit(&f.unit_a),
    )
    .await;
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let (db, u) = (t.db.clone(), u.clone());
        tasks.push(tokio::spawn(async move {
            reserve_login_attempt(&db, &Actor::cli(), &u, 5, chrono::Duration::minutes(15)).await
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        if matches!(
            task.await.expect("join").expect("reserve"),
            Attempt::Allowed(_)
        ) {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5);
    assert!(
        users::get(&t.db, u.id)
            .await
            .expect("user")
            .locked_until
            .is_some()
    );
    // A correct password arriving now does not open a session.
    let opened = zhaoyin_db::sessions::login(&t.db, &Actor::cli(), &u, None, None)
        .await
        .expect("login");
    assert!(opened.is_none());
}

#[tokio::test]
async fn backup_is_a_consistent_copy() {
    let t = testing::fresh_sqlite().await;
    let f = fixture(&t.db).await;
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("backup.db");
    let size = zhaoyin_db::backup::backup(&t.db, &t.url, &file)
        .await
        .expect("backup");
    assert!(size > 0);
    // The live database moves on; the restored copy is the state at backup time.
    org::create_unit(
        &t.db,
        &Actor::cli(),
        f.county_a.id,
        &unit_input("later", "之后的单位"),
    )
    .await
    .expect("write after backup");
    let target = dir.path().join("restored.db");
    let url = format!("sqlite://{}", target.display());
    zhaoyin_db::backup::restore(&url, &file, false)
        .await
        .expect("restore");
    let db = Db::connect(&url, &PoolConfig::default())
        .await
        .expect("open");
    let (n,): (i64,) = db
        .one(Sql::new("SELECT COUNT(*) FROM units"))
        .await
        .expect("count");
    assert_eq!(n, 3);
    assert!(matches!(
        audit::verify(&db).await,
        Ok(Verification::Intact { .. })
    ));
    // Not a backup: refused, nothing replaced.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").expect("write");
    assert!(
        zhaoyin_db::backup::restore(&url, &junk, true)
            .await
            .is_err()
    );
    let (n,): (i64,) = db
        .one(Sql::new("SELECT COUNT(*) FROM units"))
        .await
        .expect("count");
    assert_eq!(n, 3);
}
