//! Query classification for the Hyperdrive query cache.
//!
//! [`is_cacheable`] decides whether the result of one SQL statement may be
//! served from the cache: it must be a single read-only query that calls no
//! volatile or stable function. The decision is made on a real parse tree
//! (`sqlparser` with the PostgreSQL dialect), never on string matching, so the
//! classic traps are handled:
//!
//! * `WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d` writes (a
//!   data-modifying CTE is a nested statement, which is rejected);
//! * `SELECT nextval('s')`, `SELECT now()`, `SELECT current_timestamp`,
//!   `SELECT random()` and their schema-qualified spellings
//!   (`pg_catalog.now()`) are volatile or stable;
//! * `FOR UPDATE` / `FOR SHARE` (in any subquery) take row locks;
//! * `SELECT … INTO t` creates a table;
//! * `EXPLAIN ANALYZE` executes its statement;
//! * `'now'::timestamptz` / `timestamp 'today'` read the clock at parse time;
//! * `TABLESAMPLE` returns random rows.
//!
//! Functions are classified by a built-in table of well-known PostgreSQL
//! functions first; for any other function the caller's callback is asked
//! (the pooler looks up `pg_proc.provolatile`). A function nobody knows makes
//! the statement non-cacheable.
//!
//! What the parse tree cannot show: a view or a SQL function that hides a
//! volatile call (`SELECT * FROM v` where `v` calls `now()`), and parameters
//! whose *value* is `'now'`. Results of such queries are cached for at most
//! `max_age` + `stale_while_revalidate`, like any other result.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Function, ObjectName, ObjectNamePart, Query, Select, SetExpr, Statement, TableFactor,
    Value, ValueWithSpan, Visit, Visitor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// PostgreSQL's function volatility classes (`pg_proc.provolatile`:
/// `i`, `s`, `v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Volatility {
    /// Same result for the same arguments, forever (`'i'`).
    Immutable,
    /// Same result within one statement / transaction, e.g. `now()` (`'s'`).
    Stable,
    /// May change at every call or has side effects, e.g. `random()` (`'v'`).
    Volatile,
}

impl Volatility {
    /// From `pg_proc.provolatile` (`"i"`, `"s"`, `"v"`); anything else is
    /// taken as volatile.
    pub fn from_provolatile(c: &str) -> Volatility {
        match c {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            _ => Volatility::Volatile,
        }
    }
}

/// Whether the result of `sql` may be cached.
///
/// True only for exactly one read-only query (`SELECT`, `VALUES`, `TABLE`,
/// set operations, `WITH` whose CTEs are all read-only) with no row locks, no
/// `INTO`, no `TABLESAMPLE` and only immutable functions. `volatility` is
/// asked about every function the built-in table does not know, with the
/// name normalised as [`referenced_functions`] returns it (lower-case unless
/// quoted; `pg_catalog.` dropped, any other schema kept as `schema.name`);
/// for an overloaded name it should answer for the most volatile overload.
/// `None` (unknown) means not cacheable. Parse errors mean not cacheable.
///
/// Costs a parse: a few µs for short statements, ~30 µs for a join with a
/// subquery; callers on the hot path should remember the answer per
/// statement text.
pub fn is_cacheable(sql: &str, volatility: &dyn Fn(&str) -> Option<Volatility>) -> bool {
    if !may_be_cacheable(sql) {
        return false;
    }
    let Some(statement) = parse_single(sql) else {
        return false;
    };
    let mut checker = Checker {
        volatility: Some(volatility),
        names: Vec::new(),
    };
    statement.visit(&mut checker).is_continue()
}

/// A look at the first word only, no parse: false when `sql` cannot be a query (`INSERT`, `UPDATE`, `BEGIN`,
/// `COMMIT`, ...), so writes never reach the parser. True for `SELECT`, `WITH`, `VALUES`, `TABLE`, a
/// parenthesis, or a leading comment (the parser decides).
pub fn may_be_cacheable(sql: &str) -> bool {
    let b = sql.trim_start().as_bytes();
    if b.first().is_some_and(|c| matches!(c, b'(' | b'-' | b'/')) {
        return true;
    }
    let end = b
        .iter()
        .position(|c| !c.is_ascii_alphabetic())
        .unwrap_or(b.len());
    let word = &b[..end];
    [&b"select"[..], b"with", b"values", b"table"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// Every function `sql` calls (in expressions and in `FROM`), normalised:
/// unquoted identifiers lower-cased, a `pg_catalog.` prefix dropped, other
/// schemas kept as `schema.name`. Distinct, in order of appearance. Empty when
/// `sql` does not parse to a single statement.
pub fn referenced_functions(sql: &str) -> Vec<String> {
    let Some(statement) = parse_single(sql) else {
        return Vec::new();
    };
    let mut checker = Checker {
        volatility: None,
        names: Vec::new(),
    };
    let _ = statement.visit(&mut checker);
    checker.names
}

/// The functions of `sql` that the built-in table does not classify: the
/// names [`is_cacheable`] would pass to its callback. Useful to prefetch
/// their `pg_proc.provolatile` in one round trip.
pub fn unknown_functions(sql: &str) -> Vec<String> {
    referenced_functions(sql)
        .into_iter()
        .filter(|name| builtin_volatility(name).is_none())
        .collect()
}

fn parse_single(sql: &str) -> Option<Statement> {
    let dialect = PostgreSqlDialect {};
    let mut statements = match Parser::parse_sql(&dialect, sql) {
        Ok(statements) => statements,
        // `TABLE t` means `SELECT * FROM t`; sqlparser accepts it only inside
        // a query (`… UNION TABLE t`, `WITH x AS (…) TABLE x`).
        Err(_) => {
            let sql = sql.trim_start();
            let rest = sql.get(5..).filter(|rest| {
                sql[..5].eq_ignore_ascii_case("table") && rest.starts_with(char::is_whitespace)
            })?;
            Parser::parse_sql(&dialect, &format!("SELECT * FROM{rest}")).ok()?
        }
    };
    if statements.len() != 1 {
        return None;
    }
    statements.pop()
}

/// The caller's `pg_proc` lookup.
type VolatilityFn<'a> = &'a dyn Fn(&str) -> Option<Volatility>;

struct Checker<'a> {
    /// `None`: only collect names, never break.
    volatility: Option<VolatilityFn<'a>>,
    names: Vec<String>,
}

impl Checker<'_> {
    fn reject(&self) -> ControlFlow<()> {
        if self.volatility.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn function(&mut self, name: &ObjectName) -> ControlFlow<()> {
        let Some(name) = normalize_function_name(name) else {
            return self.reject();
        };
        let Some(callback) = self.volatility else {
            if !self.names.contains(&name) {
                self.names.push(name);
            }
            return ControlFlow::Continue(());
        };
        match builtin_volatility(&name).or_else(|| callback(&name)) {
            Some(Volatility::Immutable) => ControlFlow::Continue(()),
            _ => ControlFlow::Break(()),
        }
    }
}

impl Visitor for Checker<'_> {
    type Break = ();

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        // The top statement and any nested one (a data-modifying CTE is
        // `SetExpr::Insert/Update/Delete/Merge(Statement)`) must be a query.
        match statement {
            Statement::Query(_) => ControlFlow::Continue(()),
            _ => self.reject(),
        }
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        let writes = matches!(
            *query.body,
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_)
        );
        if writes
            || !query.locks.is_empty()
            || query.for_clause.is_some()
            || !query.pipe_operators.is_empty()
        {
            return self.reject();
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        if select.into.is_some() {
            return self.reject();
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        match factor {
            // `FROM f(args)` parses as a table with arguments.
            TableFactor::Table {
                name, args, sample, ..
            } => {
                if sample.is_some() {
                    return self.reject();
                }
                if args.is_some() {
                    return self.function(name);
                }
                ControlFlow::Continue(())
            }
            TableFactor::Derived {
                sample: Some(_), ..
            } => self.reject(),
            TableFactor::Function { name, .. } => self.function(name),
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        match expr {
            Expr::Function(Function { name, .. }) => self.function(name),
            // SQL value functions sqlparser leaves as bare identifiers
            // (`SELECT current_schema`, `current_role`, `system_user`): in
            // PostgreSQL these are keywords, not columns.
            Expr::Identifier(ident)
                if ident.quote_style.is_none()
                    && SQL_VALUE_FUNCTIONS
                        .iter()
                        .any(|f| ident.value.eq_ignore_ascii_case(f)) =>
            {
                self.reject()
            }
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_value(&mut self, value: &ValueWithSpan) -> ControlFlow<()> {
        // 'now', 'today', 'tomorrow', 'yesterday' are read from the clock
        // when coerced to a date/time type (`'now'::timestamptz`,
        // `timestamp 'today'`, `WHERE ts > 'now'`).
        let text = match &value.value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::UnicodeStringLiteral(s) => s.as_str(),
            Value::DollarQuotedString(d) => d.value.as_str(),
            _ => return ControlFlow::Continue(()),
        };
        let text = text.trim();
        if ["now", "today", "tomorrow", "yesterday"]
            .iter()
            .any(|special| text.eq_ignore_ascii_case(special))
        {
            return self.reject();
        }
        ControlFlow::Continue(())
    }
}

/// Keywords that PostgreSQL evaluates as (stable) functions without parentheses.
const SQL_VALUE_FUNCTIONS: &[&str] = &[
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "localtime",
    "localtimestamp",
    "session_user",
    "system_user",
    "user",
];

/// `pg_catalog.NOW` → `now`; `My."Func"` → `my.Func`. `None` for names the
/// parser built from something other than identifiers.
fn normalize_function_name(name: &ObjectName) -> Option<String> {
    let mut parts = Vec::with_capacity(name.0.len());
    for part in &name.0 {
        let ObjectNamePart::Identifier(ident) = part else {
            return None;
        };
        parts.push(if ident.quote_style.is_some() {
            ident.value.clone()
        } else {
            ident.value.to_ascii_lowercase()
        });
    }
    if parts.len() == 2 && parts[0] == "pg_catalog" {
        parts.remove(0);
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("."))
}

/// Volatility of well-known PostgreSQL built-ins (the name as normalised by
/// [`referenced_functions`]). Only functions whose every overload has the
/// given class are listed as `Immutable`; anything else is left to the
/// caller's `pg_proc` lookup.
pub fn builtin_volatility(name: &str) -> Option<Volatility> {
    use Volatility::*;
    const VOLATILE_PREFIXES: &[&str] = &[
        "pg_advisory_",
        "pg_try_advisory_",
        "pg_sleep",
        "pg_notify",
        "pg_cancel_",
        "pg_terminate_",
        "pg_reload_",
        "pg_rotate_",
        "pg_switch_",
        "pg_create_",
        "pg_drop_",
        "pg_replication_",
        "pg_logical_",
        "pg_stat_",
        "pg_read_",
        "pg_ls_",
        "pg_backup_",
        "pg_start_",
        "pg_stop_",
        "pg_promote",
        "pg_wal_",
        "pg_current_",
        "pg_last_",
        "txid_",
        "lo_",
        "dblink",
        "uuid_generate_",
        "nextval",
        "setval",
        "currval",
        "lastval",
    ];
    let class = match name {
        // Volatile: side effects or a new value at every call.
        "random"
        | "random_normal"
        | "setseed"
        | "nextval"
        | "currval"
        | "setval"
        | "lastval"
        | "clock_timestamp"
        | "timeofday"
        | "gen_random_uuid"
        | "uuidv4"
        | "uuidv7"
        | "gen_random_bytes"
        | "gen_salt"
        | "set_config"
        | "current_query"
        | "pg_sleep"
        | "pg_notify"
        | "txid_current"
        | "txid_current_if_assigned"
        | "pg_current_xact_id"
        | "pg_current_xact_id_if_assigned"
        | "pg_relation_size"
        | "pg_table_size"
        | "pg_indexes_size"
        | "pg_total_relation_size"
        | "pg_database_size"
        | "pg_tablespace_size"
        | "query_to_xml"
        | "table_to_xml"
        | "cursor_to_xml"
        | "lo_import"
        | "lo_export"
        | "lo_create"
        | "lo_unlink"
        | "lo_from_bytea"
        | "lo_put"
        | "pg_trigger_depth" => Volatile,
        // Stable: depend on the transaction, the session or settings.
        "now"
        | "current_timestamp"
        | "current_date"
        | "current_time"
        | "localtime"
        | "localtimestamp"
        | "transaction_timestamp"
        | "statement_timestamp"
        | "current_user"
        | "current_role"
        | "session_user"
        | "user"
        | "system_user"
        | "current_catalog"
        | "current_database"
        | "current_schema"
        | "current_schemas"
        | "current_setting"
        | "inet_client_addr"
        | "inet_client_port"
        | "inet_server_addr"
        | "inet_server_port"
        | "pg_backend_pid"
        | "pg_postmaster_start_time"
        | "pg_conf_load_time"
        | "pg_my_temp_schema"
        | "pg_is_other_temp_schema"
        | "pg_blocking_pids"
        | "version"
        | "has_table_privilege"
        | "has_column_privilege"
        | "has_schema_privilege"
        | "has_database_privilege"
        | "has_function_privilege"
        | "has_sequence_privilege"
        | "pg_has_role"
        | "to_char"
        | "to_date"
        | "to_number"
        | "to_timestamp"
        | "age"
        | "date_trunc"
        | "date_part"
        | "concat"
        | "concat_ws"
        | "format"
        | "to_json"
        | "to_jsonb"
        | "row_to_json"
        | "array_to_json"
        | "json_build_object"
        | "jsonb_build_object"
        | "json_build_array"
        | "jsonb_build_array"
        | "json_agg"
        | "jsonb_agg"
        | "json_object_agg"
        | "jsonb_object_agg"
        | "array_to_string"
        | "pg_get_viewdef"
        | "pg_get_functiondef"
        | "pg_get_constraintdef"
        | "pg_get_indexdef"
        | "pg_get_expr"
        | "pg_table_is_visible"
        | "pg_type_is_visible"
        | "pg_function_is_visible"
        | "obj_description"
        | "col_description"
        | "shobj_description"
        | "format_type"
        | "pg_current_snapshot"
        | "pg_snapshot_xmin"
        | "txid_current_snapshot" => Stable,
        // Immutable: pure functions of their arguments.
        "abs"
        | "ceil"
        | "ceiling"
        | "floor"
        | "round"
        | "trunc"
        | "sqrt"
        | "cbrt"
        | "power"
        | "exp"
        | "ln"
        | "log"
        | "log10"
        | "mod"
        | "sign"
        | "pi"
        | "degrees"
        | "radians"
        | "sin"
        | "cos"
        | "tan"
        | "asin"
        | "acos"
        | "atan"
        | "atan2"
        | "div"
        | "gcd"
        | "lcm"
        | "width_bucket"
        | "greatest"
        | "least"
        | "coalesce"
        | "nullif"
        | "length"
        | "char_length"
        | "character_length"
        | "octet_length"
        | "bit_length"
        | "lower"
        | "upper"
        | "initcap"
        | "btrim"
        | "ltrim"
        | "rtrim"
        | "trim"
        | "lpad"
        | "rpad"
        | "substr"
        | "substring"
        | "replace"
        | "translate"
        | "left"
        | "right"
        | "reverse"
        | "repeat"
        | "split_part"
        | "strpos"
        | "position"
        | "md5"
        | "sha224"
        | "sha256"
        | "sha384"
        | "sha512"
        | "encode"
        | "decode"
        | "ascii"
        | "chr"
        | "starts_with"
        | "regexp_replace"
        | "regexp_match"
        | "regexp_matches"
        | "regexp_split_to_array"
        | "regexp_split_to_table"
        | "regexp_like"
        | "regexp_count"
        | "regexp_instr"
        | "regexp_substr"
        | "string_to_array"
        | "string_to_table"
        | "quote_ident"
        | "array_length"
        | "array_upper"
        | "array_lower"
        | "array_ndims"
        | "array_dims"
        | "cardinality"
        | "array_position"
        | "array_positions"
        | "array_append"
        | "array_prepend"
        | "array_cat"
        | "array_remove"
        | "array_replace"
        | "unnest"
        | "generate_series"
        | "generate_subscripts"
        | "count"
        | "sum"
        | "avg"
        | "min"
        | "max"
        | "array_agg"
        | "string_agg"
        | "bool_and"
        | "bool_or"
        | "every"
        | "bit_and"
        | "bit_or"
        | "stddev"
        | "stddev_pop"
        | "stddev_samp"
        | "variance"
        | "var_pop"
        | "var_samp"
        | "corr"
        | "covar_pop"
        | "covar_samp"
        | "mode"
        | "percentile_cont"
        | "percentile_disc"
        | "row_number"
        | "rank"
        | "dense_rank"
        | "percent_rank"
        | "cume_dist"
        | "ntile"
        | "lag"
        | "lead"
        | "first_value"
        | "last_value"
        | "nth_value"
        | "json_array_length"
        | "jsonb_array_length"
        | "json_typeof"
        | "jsonb_typeof"
        | "json_each"
        | "jsonb_each"
        | "json_each_text"
        | "jsonb_each_text"
        | "json_array_elements"
        | "jsonb_array_elements"
        | "json_array_elements_text"
        | "jsonb_array_elements_text"
        | "json_object_keys"
        | "jsonb_object_keys"
        | "json_extract_path"
        | "jsonb_extract_path"
        | "json_extract_path_text"
        | "jsonb_extract_path_text"
        | "jsonb_set"
        | "jsonb_insert"
        | "jsonb_strip_nulls"
        | "json_strip_nulls"
        | "jsonb_pretty"
        | "jsonb_path_exists"
        | "jsonb_path_match"
        | "jsonb_path_query"
        | "jsonb_path_query_array"
        | "jsonb_path_query_first"
        | "int4range"
        | "int8range"
        | "numrange"
        | "lower_inc"
        | "upper_inc"
        | "isempty"
        | "num_nulls"
        | "num_nonnulls"
        | "pg_size_pretty" => Immutable,
        _ => {
            return VOLATILE_PREFIXES
                .iter()
                .any(|prefix| name.starts_with(prefix))
                .then_some(Volatile)
        }
    };
    Some(class)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `pg_proc` stand-in: `my_volatile`, `my_stable`, `my_immutable`,
    /// `app.pure`; everything else unknown.
    fn catalog(name: &str) -> Option<Volatility> {
        match name {
            "my_volatile" => Some(Volatility::Volatile),
            "my_stable" => Some(Volatility::Stable),
            "my_immutable" | "app.pure" => Some(Volatility::Immutable),
            _ => None,
        }
    }

    fn cacheable(sql: &str) -> bool {
        is_cacheable(sql, &catalog)
    }

    #[test]
    fn plain_reads_are_cacheable() {
        for sql in [
            "SELECT 1",
            "select id, name from users where id = $1",
            "SELECT * FROM t;",
            "SELECT a.x, b.y FROM a JOIN b ON a.id = b.a_id WHERE a.x > 3 ORDER BY 1 LIMIT 10",
            "SELECT count(*), max(x) FROM t GROUP BY y HAVING sum(z) > 1",
            "SELECT lower(name), coalesce(x, 0) FROM t",
            "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE EXISTS (SELECT 1 FROM v))",
            "SELECT row_number() OVER (PARTITION BY a ORDER BY b) FROM t",
            "VALUES (1, 'a'), (2, 'b')",
            "TABLE users",
            "table public.users;",
            "SELECT 1 UNION TABLE t",
            "WITH x AS (SELECT 1) TABLE x",
            "SELECT 1 UNION SELECT 2",
            "SELECT x FROM a INTERSECT SELECT x FROM b EXCEPT SELECT x FROM c",
            "(SELECT 1) UNION ALL (SELECT 2)",
            "WITH x AS (SELECT * FROM t WHERE a = 1) SELECT * FROM x",
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
            "SELECT * FROM generate_series(1, 3)",
            "SELECT * FROM generate_series(1, 3) AS g(n), unnest(ARRAY[1, 2]) AS u(m)",
            "SELECT '2024-01-01'::date, 'epoch'::timestamp",
            "SELECT $1::int + 1",
            "SELECT \"current_schema\", \"user\" FROM t",
        ] {
            assert!(cacheable(sql), "{sql} should be cacheable");
        }
    }

    #[test]
    fn volatile_and_stable_builtins_are_not() {
        for sql in [
            "SELECT now()",
            "SELECT NOW()",
            "SELECT Now() AS t",
            "SELECT pg_catalog.now()",
            "SELECT PG_CATALOG.NOW()",
            "SELECT \"now\"()",
            "SELECT random()",
            "SELECT * FROM t ORDER BY random() LIMIT 1",
            "SELECT nextval('s')",
            "SELECT pg_catalog.nextval('s')",
            "SELECT currval('s')",
            "SELECT setval('s', 10)",
            "SELECT current_timestamp",
            "SELECT CURRENT_DATE",
            "SELECT localtimestamp",
            "SELECT current_user",
            "SELECT current_schema",
            "SELECT * FROM t WHERE owner = CURRENT_ROLE",
            "SELECT system_user",
            "SELECT session_user",
            "SELECT user",
            "SELECT current_catalog",
            "SELECT current_timestamp(3)",
            "SELECT clock_timestamp()",
            "SELECT txid_current()",
            "SELECT pg_advisory_lock(1)",
            "SELECT pg_try_advisory_xact_lock(1, 2)",
            "SELECT gen_random_uuid()",
            "SELECT * FROM t WHERE created_at > now() - interval '1 day'",
            "SELECT id FROM t WHERE id IN (SELECT id FROM u WHERE x < random())",
            "SELECT count(*) FILTER (WHERE t > now()) FROM t",
            "SELECT * FROM t WHERE ts > 'now'::timestamptz",
            "SELECT * FROM t WHERE ts > CAST('today' AS date)",
            "SELECT timestamp 'now'",
            "SELECT * FROM t WHERE d = 'Tomorrow'",
            "WITH x AS (SELECT now() AS t) SELECT * FROM x",
            "SELECT 1 UNION SELECT extract(epoch FROM now())::int",
            "SELECT * FROM t TABLESAMPLE BERNOULLI (10)",
            "SELECT to_char(1, '9')",
        ] {
            assert!(!cacheable(sql), "{sql} should not be cacheable");
        }
    }

    #[test]
    fn writes_locks_and_into_are_not() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "INSERT INTO t SELECT * FROM u RETURNING *",
            "UPDATE t SET x = 1",
            "DELETE FROM t",
            "MERGE INTO t USING u ON t.id = u.id WHEN MATCHED THEN DELETE",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
            "WITH i AS (INSERT INTO t VALUES (1) RETURNING id) SELECT id FROM i",
            "WITH u AS (UPDATE t SET x = 1 RETURNING *) SELECT count(*) FROM u",
            "WITH a AS (SELECT 1), d AS (DELETE FROM t RETURNING *) SELECT * FROM a",
            "SELECT * FROM t FOR UPDATE",
            "SELECT * FROM t FOR SHARE",
            "SELECT * FROM t FOR NO KEY UPDATE",
            "SELECT * FROM t FOR KEY SHARE",
            "SELECT * FROM t FOR UPDATE SKIP LOCKED",
            "SELECT * FROM (SELECT * FROM t FOR UPDATE) s",
            "WITH x AS (SELECT * FROM t FOR UPDATE) SELECT * FROM x",
            "SELECT * INTO new_t FROM t",
            "SELECT 1; SELECT 2",
            "SELECT 1; DELETE FROM t",
            "EXPLAIN ANALYZE SELECT 1",
            "EXPLAIN ANALYZE DELETE FROM t",
            "EXPLAIN SELECT 1",
            "CREATE TABLE t AS SELECT 1",
            "COPY t TO STDOUT",
            "SET search_path = x",
            "SHOW search_path",
            "BEGIN",
            "DECLARE c CURSOR FOR SELECT 1",
            "PREPARE p AS SELECT 1",
            "EXECUTE p",
            "CALL proc()",
            "LISTEN chan",
        ] {
            assert!(!cacheable(sql), "{sql} should not be cacheable");
        }
    }

    #[test]
    fn unknown_functions_ask_the_callback() {
        assert!(!cacheable("SELECT my_volatile(1)"));
        assert!(!cacheable("SELECT my_stable(1)"));
        assert!(cacheable("SELECT my_immutable(1)"));
        assert!(cacheable("SELECT MY_IMMUTABLE(1)"));
        assert!(!cacheable("SELECT my_unknown(1)"));
        assert!(cacheable("SELECT app.pure(x) FROM t"));
        assert!(!cacheable("SELECT other.pure(x) FROM t"));
        // In FROM, too.
        assert!(!cacheable("SELECT * FROM my_volatile(1)"));
        assert!(cacheable("SELECT * FROM my_immutable(1)"));
        assert!(!cacheable("SELECT * FROM t, LATERAL my_volatile(t.x)"));
        assert!(!cacheable("SELECT * FROM nextval('s')"));
        // Nested in an immutable call.
        assert!(!cacheable("SELECT abs(my_volatile(1))"));
        // The built-in table wins over the callback.
        assert!(!is_cacheable("SELECT now()", &|_| Some(
            Volatility::Immutable
        )));
        assert!(is_cacheable("SELECT abs(1)", &|_| None));
        assert!(!may_be_cacheable("UPDATE t SET a = 1"));
        assert!(!may_be_cacheable("  begin"));
        assert!(!may_be_cacheable("INSERT INTO t SELECT 1"));
        assert!(may_be_cacheable("\n select 1"));
        assert!(may_be_cacheable("WITH x AS (SELECT 1) SELECT * FROM x"));
        assert!(may_be_cacheable("(select 1) union (select 2)"));
        assert!(may_be_cacheable("/* hint */ select 1"));
        assert!(may_be_cacheable("TABLE t"));
        assert!(may_be_cacheable("values (1)"));

        let asked = std::cell::RefCell::new(Vec::new());
        let callback = |name: &str| {
            asked.borrow_mut().push(name.to_string());
            Some(Volatility::Immutable)
        };
        assert!(is_cacheable(
            "SELECT f(x), pg_catalog.lower(y), S.G(z), \"Q\"(1) FROM t",
            &callback
        ));
        assert_eq!(*asked.borrow(), ["f", "s.g", "Q"]);
    }

    #[test]
    fn parse_errors_and_empty_input_are_not() {
        for sql in [
            "",
            ";",
            "SELEC 1",
            "SELECT * FROM",
            "SELECT (1",
            "SELECT 'unterminated",
            "TABLE",
            "TABLEt",
            "TABLE t; DELETE FROM t",
        ] {
            assert!(!cacheable(sql), "{sql:?} should not be cacheable");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
        let nested = format!("SELECT {}1{}", "abs(".repeat(2000), ")".repeat(2000));
        // On the 2 MiB stack of a tokio worker (the parser stops at depth 50;
        // sqlparser is built at opt-level 2, see the workspace profile).
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                assert!(!cacheable(&deep));
                assert!(!cacheable(&nested));
                assert!(cacheable("SELECT ((((((((((1))))))))))"));
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn function_names_are_listed() {
        assert_eq!(
            referenced_functions(
                "SELECT NOW(), pg_catalog.lower(a), My.Func(b), \"Mixed\"(c), lower(d) \
                 FROM generate_series(1, 3), t WHERE x = ANY(f(1))"
            ),
            ["now", "lower", "my.func", "Mixed", "generate_series", "f"]
        );
        assert_eq!(
            unknown_functions("SELECT now(), my_func(1) FROM generate_series(1, 2), other(3)"),
            ["my_func", "other"]
        );
        assert!(referenced_functions("SELEC").is_empty());
        assert_eq!(
            builtin_volatility("pg_advisory_unlock_all"),
            Some(Volatility::Volatile)
        );
        assert_eq!(builtin_volatility("lower"), Some(Volatility::Immutable));
        assert_eq!(
            builtin_volatility("current_timestamp"),
            Some(Volatility::Stable)
        );
        assert_eq!(builtin_volatility("nope"), None);
        assert_eq!(Volatility::from_provolatile("s"), Volatility::Stable);
        assert_eq!(Volatility::from_provolatile("?"), Volatility::Volatile);
    }
}
