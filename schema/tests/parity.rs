//! The schema is written three times: `src/tables.rs` (what diesel compiles queries against),
//! `migrations/sqlite` and `migrations/postgres` (what the databases hold). These tests apply each
//! migration folder to an empty database, read back its tables and columns, and compare them with
//! what `tables.rs` declares: same tables, same columns, same nullability, same portable type.
//! They also run every down migration once, on both backends.
//!
//! PostgreSQL is checked when `TEST_DATABASE_URL` is set, like every store test; the migrations
//! then run in a new, empty schema of that database (`harness::postgres_schema_url`), which is
//! what is introspected (`current_schema()`, the `public` of a database of its own).

use crate::harness;
use diesel::connection::SimpleConnection;
use diesel::expression::Expression;
use diesel::sql_types::{self, Bool, Integer, Text};
use diesel::{Column, Connection, QueryableByName, RunQueryDsl, Table};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// `tables.rs` itself, compiled into this test so that its declarations are read from code:
/// each table's `all_columns` and each column's `Column::NAME` and SQL type. (The crate keeps
/// the module private; it depends on nothing but diesel, so it compiles here as it is.)
#[allow(dead_code)]
#[path = "../src/tables.rs"]
mod tables;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// diesel's bookkeeping table, which no migration creates.
const DIESEL_TABLE: &str = "__diesel_schema_migrations";

/// The portable subset of SQL types both backends share (the header of `tables.rs`), or a
/// database type outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Class {
    BigInt,
    Integer,
    SmallInt,
    Text,
    Binary,
    Bool,
    Double,
    Timestamp,
    /// A database type outside the portable subset, as the database names it.
    Other(String),
}

/// What one side says of a column: its type class and whether it may be NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    class: Class,
    nullable: bool,
}

impl fmt::Display for Shape {
    /// In `tables.rs`'s own notation: `Nullable<Text>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = match &self.class {
            Class::Other(name) => format!("unportable type {name:?}"),
            class => format!("{class:?}"),
        };
        if self.nullable {
            write!(f, "Nullable<{class}>")
        } else {
            f.write_str(&class)
        }
    }
}

/// The columns of one side, by table and column name.
type Columns = BTreeMap<(String, String), Shape>;

// ---------------------------------------------------------------------------------------------
// tables.rs, read from code

/// A diesel SQL type of the portable subset, and `Nullable` of one.
trait Portable {
    fn class() -> Class;
    fn nullable() -> bool {
        false
    }
}

macro_rules! portable {
    ($($sql_type:ident),+) => {
        $(impl Portable for sql_types::$sql_type {
            fn class() -> Class {
                Class::$sql_type
            }
        })+
    };
}
portable!(
    BigInt, Integer, SmallInt, Text, Binary, Bool, Double, Timestamp
);

impl<T: Portable + sql_types::SqlType<IsNull = sql_types::is_nullable::NotNull>> Portable
    for sql_types::Nullable<T>
{
    fn class() -> Class {
        T::class()
    }
    fn nullable() -> bool {
        true
    }
}

/// A table's `all_columns` tuple: each column's name and shape, in declaration order.
trait ColumnList {
    fn shapes() -> Vec<(&'static str, Shape)>;
}

macro_rules! column_list {
    ($($column:ident),+) => {
        impl<$($column),+> ColumnList for ($($column,)+)
        where
            $($column: Column, <$column as Expression>::SqlType: Portable,)+
        {
            fn shapes() -> Vec<(&'static str, Shape)> {
                vec![$((
                    $column::NAME,
                    Shape {
                        class: <<$column as Expression>::SqlType as Portable>::class(),
                        nullable: <<$column as Expression>::SqlType as Portable>::nullable(),
                    },
                )),+]
            }
        }
    };
}

/// `column_list!` for tuples of every length up to diesel's limit (the `32-column-tables`
/// feature).
macro_rules! column_lists {
    ($first:ident $(, $rest:ident)*) => {
        column_list!($first $(, $rest)*);
        column_lists!($($rest),*);
    };
    () => {};
}
column_lists!(
    C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17, C18, C19, C20, C21,
    C22, C23, C24, C25, C26, C27, C28, C29, C30, C31, C32
);

fn columns_of<T: Table>(table: &str, into: &mut Columns)
where
    T::AllColumns: ColumnList,
{
    for (column, shape) in T::AllColumns::shapes() {
        into.insert((table.to_string(), column.to_string()), shape);
    }
}

/// Every table of `tables.rs`, by name. diesel keeps no list of all tables a `table!` declared,
/// so the list is written here once more; `declared_tables_are_all_listed` checks it against
/// the file.
macro_rules! declared {
    ($($table:ident),+ $(,)?) => {
        fn declared() -> Columns {
            let mut columns = Columns::new();
            $(columns_of::<tables::$table::table>(stringify!($table), &mut columns);)+
            columns
        }
        const DECLARED_TABLES: &[&str] = &[$(stringify!($table)),+];
    };
}
declared!(
    projects,
    releases,
    blobs,
    blob_chunks,
    scans,
    findings,
    components,
    occurrences,
    triage,
    triage_events,
    policies,
    gate_evaluations,
    audit_events,
    audit_head,
    users,
    api_tokens,
    bundles,
    sessions,
    login_failures,
    address_failures,
    login_forms,
    control_mappings,
    workload_exchanges,
    oidc_logins,
    oidc_identities,
);

/// The names of the tables `tables.rs` declares, read from its text: the identifier after each
/// `table! {`. Only to check `DECLARED_TABLES`; the columns themselves are read from code.
fn table_names_in_text(text: &str) -> BTreeSet<String> {
    text.split("table! {")
        .skip(1)
        .filter_map(|rest| {
            rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .find(|word| !word.is_empty())
                .map(str::to_string)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The databases, introspected

/// An empty database of one backend, connected directly (not through a `Store`, which would
/// run the migrations itself).
enum Db {
    Sqlite {
        conn: diesel::SqliteConnection,
        /// The folder the file lives in, removed with it.
        _dir: tempfile::TempDir,
    },
    Postgres(diesel::PgConnection),
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    /// The column's position in the primary key, 0 when it is not part of it.
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PostgresColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct Object {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
}

impl Db {
    /// A new SQLite file in a temporary folder, with foreign keys on as the store opens it.
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("parity.db");
        let mut conn =
            diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("open sqlite");
        conn.batch_execute("PRAGMA foreign_keys = ON")
            .expect("foreign keys on");
        Db::Sqlite { conn, _dir: dir }
    }

    /// A new, empty schema in the PostgreSQL test database, when one is configured.
    fn postgres() -> Option<Db> {
        let url = harness::postgres_schema_url()?;
        Some(Db::Postgres(
            diesel::PgConnection::establish(&url).expect("connect to postgres"),
        ))
    }

    fn name(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    fn apply_all(&mut self) {
        let result = match self {
            Db::Sqlite { conn, .. } => conn
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.len()),
            Db::Postgres(conn) => conn
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
        };
        let applied = result.unwrap_or_else(|e| panic!("{}: migrations fail: {e}", self.name()));
        assert!(applied > 0, "{}: no migration applied", self.name());
    }

    fn revert_all(&mut self) {
        let result = match self {
            Db::Sqlite { conn, .. } => conn
                .revert_all_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.len()),
            Db::Postgres(conn) => conn
                .revert_all_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
        };
        let reverted =
            result.unwrap_or_else(|e| panic!("{}: down migrations fail: {e}", self.name()));
        assert!(reverted > 0, "{}: no migration reverted", self.name());
    }

    fn applied_count(&mut self) -> usize {
        match self {
            Db::Sqlite { conn, .. } => MigrationHarness::applied_migrations(conn).map(|v| v.len()),
            Db::Postgres(conn) => MigrationHarness::applied_migrations(conn).map(|v| v.len()),
        }
        .expect("read applied migrations")
    }

    /// Every column of every table but diesel's, with its nullability and type class.
    fn columns(&mut self) -> Columns {
        match self {
            Db::Sqlite { conn, .. } => sqlite_columns(conn),
            Db::Postgres(conn) => postgres_columns(conn),
        }
    }

    /// What the migrations may have left behind: every table, index, view, sequence, trigger
    /// and function but diesel's own table and its index.
    fn objects(&mut self) -> Vec<String> {
        let query = match self {
            Db::Sqlite { .. } => format!(
                "SELECT type AS kind, name FROM sqlite_master \
                 WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 AND name <> '{DIESEL_TABLE}' AND tbl_name <> '{DIESEL_TABLE}' \
                 ORDER BY type, name"
            ),
            Db::Postgres(_) => format!(
                "SELECT c.relkind::TEXT AS kind, c.relname::TEXT AS name \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() \
                 AND c.relname NOT IN ('{DIESEL_TABLE}', '{DIESEL_TABLE}_pkey') \
                 UNION ALL \
                 SELECT 'function', p.proname::TEXT FROM pg_proc p \
                 JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE n.nspname = current_schema() \
                 UNION ALL \
                 SELECT 'trigger', t.tgname::TEXT FROM pg_trigger t \
                 JOIN pg_class c ON c.oid = t.tgrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND NOT t.tgisinternal \
                 ORDER BY 1, 2"
            ),
        };
        let objects: Vec<Object> = match self {
            Db::Sqlite { conn, .. } => diesel::sql_query(query).load(conn),
            Db::Postgres(conn) => diesel::sql_query(query).load(conn),
        }
        .expect("list schema objects");
        objects
            .into_iter()
            .map(|o| format!("{} {}", o.kind, o.name))
            .collect()
    }
}

fn sqlite_columns(conn: &mut diesel::SqliteConnection) -> Columns {
    let rows: Vec<SqliteColumn> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS declared, \
         p.\"notnull\" AS not_null, p.pk AS pk \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND m.name <> '{DIESEL_TABLE}' ORDER BY m.name, p.cid"
    ))
    .load(conn)
    .expect("introspect sqlite");
    let mut key_columns: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows.iter().filter(|row| row.pk > 0) {
        *key_columns.entry(row.table_name.as_str()).or_default() += 1;
    }
    rows.iter()
        .map(|row| {
            let declared = row.declared.to_ascii_uppercase();
            // A sole primary key declared exactly INTEGER is the rowid: a 64-bit integer that is
            // never NULL, whatever `notnull` says. It is the only way to spell a BigInt key
            // that numbers itself on SQLite.
            let rowid = declared == "INTEGER"
                && row.pk == 1
                && key_columns.get(row.table_name.as_str()) == Some(&1);
            let class = match declared.as_str() {
                _ if rowid => Class::BigInt,
                "BIGINT" => Class::BigInt,
                "INTEGER" => Class::Integer,
                "SMALLINT" => Class::SmallInt,
                "TEXT" => Class::Text,
                "BLOB" => Class::Binary,
                "BOOLEAN" => Class::Bool,
                "DOUBLE" => Class::Double,
                "TIMESTAMP" => Class::Timestamp,
                _ => Class::Other(row.declared.clone()),
            };
            let shape = Shape {
                class,
                nullable: !row.not_null && !rowid,
            };
            ((row.table_name.clone(), row.column_name.clone()), shape)
        })
        .collect()
}

fn postgres_columns(conn: &mut diesel::PgConnection) -> Columns {
    let rows: Vec<PostgresColumn> = diesel::sql_query(
        "SELECT c.table_name::TEXT AS table_name, c.column_name::TEXT AS column_name, \
         c.data_type::TEXT AS data_type, c.is_nullable = 'YES' AS nullable \
         FROM information_schema.columns c JOIN information_schema.tables t \
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
         AND c.table_name <> '__diesel_schema_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(conn)
    .expect("introspect postgres");
    rows.into_iter()
        .map(|row| {
            let class = match row.data_type.as_str() {
                "bigint" => Class::BigInt,
                "integer" => Class::Integer,
                "smallint" => Class::SmallInt,
                "text" => Class::Text,
                "bytea" => Class::Binary,
                "boolean" => Class::Bool,
                "double precision" => Class::Double,
                "timestamp without time zone" => Class::Timestamp,
                _ => Class::Other(row.data_type.clone()),
            };
            let shape = Shape {
                class,
                nullable: row.nullable,
            };
            ((row.table_name, row.column_name), shape)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The comparison

/// What a side says of a column that is absent from it.
const ABSENT: &str = "absent";
/// What the PostgreSQL side says when no PostgreSQL database is configured.
const NOT_CHECKED: &str = "not checked";

/// A column on which the three sides do not all agree, each side as text (a shape, `absent`
/// or `not checked`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Difference {
    table: String,
    column: String,
    tables_rs: String,
    sqlite: String,
    postgres: String,
}

impl Difference {
    /// Whether the sides that were checked disagree.
    fn disagrees(&self) -> bool {
        let checked: Vec<&String> = [&self.tables_rs, &self.sqlite, &self.postgres]
            .into_iter()
            .filter(|side| side.as_str() != NOT_CHECKED)
            .collect();
        checked.windows(2).any(|pair| pair[0] != pair[1])
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}: tables.rs {}, sqlite {}, postgres {}",
            self.table, self.column, self.tables_rs, self.sqlite, self.postgres
        )
    }
}

/// Every column on which the sides disagree; `postgres` is `None` when it was not checked.
fn differences(
    declared: &Columns,
    sqlite: &Columns,
    postgres: Option<&Columns>,
) -> BTreeSet<Difference> {
    let side = |columns: &Columns, key: &(String, String)| {
        columns
            .get(key)
            .map_or_else(|| ABSENT.to_string(), Shape::to_string)
    };
    let mut keys: BTreeSet<&(String, String)> = declared.keys().chain(sqlite.keys()).collect();
    keys.extend(postgres.into_iter().flat_map(Columns::keys));
    keys.into_iter()
        .map(|key| Difference {
            table: key.0.clone(),
            column: key.1.clone(),
            tables_rs: side(declared, key),
            sqlite: side(sqlite, key),
            postgres: postgres.map_or_else(|| NOT_CHECKED.to_string(), |pg| side(pg, key)),
        })
        .filter(Difference::disagrees)
        .collect()
}

/// A difference the three sides have today, and why it stays.
struct Known {
    table: &'static str,
    column: &'static str,
    tables_rs: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    reason: &'static str,
}

/// SQLite lets a PRIMARY KEY column hold NULL unless it is the rowid (`INTEGER PRIMARY KEY`) or
/// declared NOT NULL (a bug SQLite keeps for compatibility), so these keys accept NULL there.
/// Nothing writes NULL into them (diesel types them non-null), and making them NOT NULL on
/// SQLite means rebuilding the table in a new migration.
const NULLABLE_SQLITE_KEY: &str = "a SQLite primary key that is not the rowid and not NOT NULL";

/// Differences known today. A new difference fails the test; so does one of these going away
/// (remove it from the list then).
const KNOWN: &[Known] = &[
    Known {
        table: "audit_head",
        column: "id",
        tables_rs: "Integer",
        sqlite: "BigInt",
        postgres: "Integer",
        reason: "SQLite's INTEGER PRIMARY KEY is the 64-bit rowid; the one row is id 1",
    },
    Known {
        table: "audit_events",
        column: "seq",
        tables_rs: "BigInt",
        sqlite: "Nullable<BigInt>",
        postgres: "BigInt",
        reason: NULLABLE_SQLITE_KEY,
    },
    Known {
        table: "blobs",
        column: "sha256",
        tables_rs: "Text",
        sqlite: "Nullable<Text>",
        postgres: "Text",
        reason: NULLABLE_SQLITE_KEY,
    },
    Known {
        table: "bundles",
        column: "release_id",
        tables_rs: "BigInt",
        sqlite: "Nullable<BigInt>",
        postgres: "BigInt",
        reason: NULLABLE_SQLITE_KEY,
    },
    Known {
        table: "triage",
        column: "finding_id",
        tables_rs: "BigInt",
        sqlite: "Nullable<BigInt>",
        postgres: "BigInt",
        reason: NULLABLE_SQLITE_KEY,
    },
];

/// The known differences, as they show when PostgreSQL is checked or not, with their reasons.
fn known(postgres_checked: bool) -> BTreeMap<Difference, &'static str> {
    KNOWN
        .iter()
        .map(|k| {
            let difference = Difference {
                table: k.table.to_string(),
                column: k.column.to_string(),
                tables_rs: k.tables_rs.to_string(),
                sqlite: k.sqlite.to_string(),
                postgres: if postgres_checked {
                    k.postgres.to_string()
                } else {
                    NOT_CHECKED.to_string()
                },
            };
            (difference, k.reason)
        })
        .filter(|(difference, _)| difference.disagrees())
        .collect()
}

/// One line per item, or ` none`.
fn lines(items: impl IntoIterator<Item = String>) -> String {
    let lines: String = items
        .into_iter()
        .map(|item| format!("\n  {item}"))
        .collect();
    if lines.is_empty() {
        " none".to_string()
    } else {
        lines
    }
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn declared_tables_are_all_listed() {
    let in_text = table_names_in_text(include_str!("../src/tables.rs"));
    let listed: BTreeSet<String> = DECLARED_TABLES.iter().map(|t| t.to_string()).collect();
    assert_eq!(
        in_text, listed,
        "tables.rs declares other tables than parity.rs's `declared!` lists: add the new ones there"
    );
}

#[test]
fn migrations_match_tables_rs() {
    let declared = declared();
    let mut sqlite = Db::sqlite();
    sqlite.apply_all();
    let sqlite = sqlite.columns();
    let postgres = Db::postgres().map(|mut db| {
        db.apply_all();
        db.columns()
    });
    if postgres.is_none() {
        eprintln!("-- postgres not checked: TEST_DATABASE_URL is not set");
    }

    let found = differences(&declared, &sqlite, postgres.as_ref());
    let known = known(postgres.is_some());
    let new = found
        .iter()
        .filter(|d| !known.contains_key(d))
        .map(Difference::to_string);
    let gone = known
        .iter()
        .filter(|(d, _)| !found.contains(d))
        .map(|(d, reason)| format!("{d}; known because: {reason}"));
    let (new, gone) = (lines(new), lines(gone));
    assert!(
        new == " none" && gone == " none",
        "tables.rs and the migrations disagree.\nNew differences (fix them, or list them in \
         KNOWN with a reason):{new}\nKnown differences no longer found (remove them from \
         KNOWN):{gone}",
    );
}

#[test]
fn down_migrations_revert_everything() {
    let mut dbs = vec![Db::sqlite()];
    dbs.extend(Db::postgres());
    for db in &mut dbs {
        let name = db.name();
        db.apply_all();
        let applied = db.columns();
        db.revert_all();
        assert_eq!(
            db.applied_count(),
            0,
            "{name}: migrations still recorded as applied"
        );
        let left = db.objects();
        assert!(
            left.is_empty(),
            "{name}: the down migrations leave behind: {left:?}"
        );
        db.apply_all();
        assert!(
            db.columns() == applied,
            "{name}: applying the migrations again gives other columns than the first time"
        );
    }
}

#[test]
fn differences_name_table_column_and_every_side() {
    let shape = |class, nullable| Shape { class, nullable };
    let declared = Columns::from([(
        ("t".to_string(), "c".to_string()),
        shape(Class::Text, false),
    )]);
    let sqlite = Columns::from([(("t".to_string(), "c".to_string()), shape(Class::Text, true))]);
    let postgres = Columns::from([(
        ("t".to_string(), "d".to_string()),
        shape(Class::Other("jsonb".to_string()), false),
    )]);
    let found: Vec<String> = differences(&declared, &sqlite, Some(&postgres))
        .iter()
        .map(Difference::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "t.c: tables.rs Text, sqlite Nullable<Text>, postgres absent",
            "t.d: tables.rs absent, sqlite absent, postgres unportable type \"jsonb\"",
        ]
    );
    assert!(differences(&declared, &declared, None).is_empty());
}
