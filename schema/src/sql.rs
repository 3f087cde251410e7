//! Queries assembled at run time from SQL text and bound values, portable across both backends
//! (the findings page, the gate's candidates, the lookups).

use crate::db::{DbConn, per_backend};
use crate::error::StoreError;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

/// A value bound to a placeholder.
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    Time(NaiveDateTime),
}

/// A piece of a query: SQL text, or a value the backend binds to a placeholder of its syntax.
enum Part {
    Sql(String),
    Bind(Bind),
}

/// A query assembled at run time from SQL text and bound values.
///
/// A query marked [`Sql::prepared`] is kept by diesel as a prepared statement per connection,
/// keyed by its text (unlike `diesel::sql_query`, which is parsed and planned every time): a
/// findings page in a shape seen before is neither parsed nor planned again, which was the
/// larger part of PostgreSQL's work per request. Only queries whose values are all bound, so
/// that the number of distinct texts stays small, may be marked.
pub(crate) struct Sql {
    parts: Vec<Part>,
    prepared: bool,
}

impl Sql {
    pub(crate) fn new() -> Sql {
        Sql {
            parts: Vec::new(),
            prepared: false,
        }
    }

    /// Keep this query prepared (every value in it is bound, none written into the text).
    pub(crate) fn prepared(mut self) -> Sql {
        self.prepared = true;
        self
    }

    pub(crate) fn push(&mut self, s: &str) {
        match self.parts.last_mut() {
            Some(Part::Sql(text)) => text.push_str(s),
            _ => self.parts.push(Part::Sql(s.to_string())),
        }
    }

    pub(crate) fn bind(&mut self, value: Bind) {
        self.parts.push(Part::Bind(value));
    }

    /// `(v1, v2, ...)`, each bound.
    pub(crate) fn bind_list(&mut self, values: impl IntoIterator<Item = String>) {
        self.bind_values(values.into_iter().map(Bind::Text));
    }

    pub(crate) fn bind_values(&mut self, values: impl IntoIterator<Item = Bind>) {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")");
    }

    /// Runs the query and reads every row as `T`.
    pub(crate) fn load<T>(self, conn: &mut DbConn) -> Result<Vec<T>, StoreError>
    where
        T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
    {
        Ok(per_backend!(conn, |c| RunQueryDsl::load::<T>(self, c))?)
    }
}

impl Sql {
    /// Runs the query and hands each row to `visit` as it is read: on PostgreSQL in libpq's
    /// row-by-row mode, so a large answer (a gate's candidates) is never held whole as well.
    pub(crate) fn for_each<T>(
        self,
        conn: &mut DbConn,
        mut visit: impl FnMut(T) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>
    where
        T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
    {
        match conn {
            DbConn::Postgres(c) => {
                let rows = RunQueryDsl::load_iter::<T, diesel::pg::PgRowByRowLoadingMode>(self, c)?;
                for row in rows {
                    visit(row?)?;
                }
            }
            DbConn::Sqlite(c) => {
                let rows =
                    RunQueryDsl::load_iter::<T, diesel::connection::DefaultLoadingMode>(self, c)?;
                for row in rows {
                    visit(row?)?;
                }
            }
        }
        Ok(())
    }
}

impl diesel::query_builder::QueryId for Sql {
    type QueryId = ();
    // No static id: diesel caches a prepared statement by its SQL text instead.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for Sql {
    type SqlType = diesel::sql_types::Untyped;
}

impl<C> RunQueryDsl<C> for Sql {}

impl<DB> diesel::query_builder::QueryFragment<DB> for Sql
where
    DB: diesel::backend::Backend,
    String: diesel::serialize::ToSql<Text, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        if !self.prepared {
            out.unsafe_to_cache_prepared();
        }
        for part in &self.parts {
            match part {
                Part::Sql(text) => out.push_sql(text),
                Part::Bind(Bind::Text(v)) => out.push_bind_param::<Text, _>(v)?,
                Part::Bind(Bind::Int(v)) => out.push_bind_param::<BigInt, _>(v)?,
                Part::Bind(Bind::Time(v)) => out.push_bind_param::<Timestamp, _>(v)?,
            }
        }
        Ok(())
    }
}

/// A [`Sql`] whose rows have the SQL types `ST`, so they are read by position (`Queryable`).
pub(crate) struct Typed<ST>(Sql, std::marker::PhantomData<ST>);

impl Sql {
    /// This query's rows have the SQL types `ST`.
    pub(crate) fn typed<ST>(self) -> Typed<ST> {
        Typed(self, std::marker::PhantomData)
    }
}

impl<ST> diesel::query_builder::QueryId for Typed<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> diesel::query_builder::Query for Typed<ST> {
    type SqlType = ST;
}

impl<ST, C> RunQueryDsl<C> for Typed<ST> {}

impl<ST, DB> diesel::query_builder::QueryFragment<DB> for Typed<ST>
where
    DB: diesel::backend::Backend,
    Sql: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        self.0.walk_ast(out)
    }
}

/// `%needle%` for LIKE, with the wildcards in the needle escaped.
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut out = String::from("%");
    for ch in needle.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
