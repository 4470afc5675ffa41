//! The pooler against a real PostgreSQL, with real clients: tokio-postgres, psql and pgbench.

mod common;

use common::{wait_until, Pg, DATABASE, PASSWORD, USER};
use corral_hyperdrive::{
    auth::ScramVerifier, CacheSettings, ClientAuth, OriginConfig, PoolSettings, Pooler,
    PoolerConfig, PoolerHandle,
};
use futures_util::SinkExt;
use std::process::Command;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

fn config(pg: &Pg) -> PoolerConfig {
    PoolerConfig {
        origin: OriginConfig::parse(&pg.url()).unwrap(),
        pool: PoolSettings {
            max_size: 10,
            acquire_timeout: Duration::from_secs(10),
            ..PoolSettings::default()
        },
        cache: CacheSettings {
            enabled: false,
            ..CacheSettings::default()
        },
        client_auth: ClientAuth::Scram(ScramVerifier::new(PASSWORD, 4096)),
    }
}

fn start(pg: &Pg, f: impl FnOnce(&mut PoolerConfig)) -> PoolerHandle {
    let mut c = config(pg);
    f(&mut c);
    Pooler::spawn(c, "127.0.0.1:0".parse().unwrap(), 1).unwrap()
}

async fn connect(h: &PoolerHandle) -> Client {
    try_connect(h).await.expect("connect through the pooler")
}

async fn try_connect(h: &PoolerHandle) -> Result<Client, tokio_postgres::Error> {
    let (client, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user={USER} password={PASSWORD} dbname={DATABASE}",
            h.addr.port()
        ),
        NoTls,
    )
    .await?;
    tokio::spawn(conn);
    Ok(client)
}

fn code(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| format!("no SQLSTATE: {e}"))
}

async fn one_i64(c: &Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

async fn read(c: &Client, q: &str) -> String {
    c.query_one(q, &[&1i32]).await.unwrap().get::<_, String>(0)
}

async fn simple_value(c: &Client, sql: &str) -> String {
    for m in c.simple_query(sql).await.unwrap() {
        if let SimpleQueryMessage::Row(r) = m {
            return r.get(0).unwrap_or("").to_string();
        }
    }
    panic!("no row for {sql}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_statements_are_replayed_on_other_connections() {
    let pg = Pg::start(100);
    let h = start(&pg, |c| c.pool.max_size = 2);
    let a = connect(&h).await;
    let b = connect(&h).await;
    let stmt = a
        .prepare("SELECT $1::int8 + 1, pg_backend_pid()")
        .await
        .unwrap();
    let row = a.query_one(&stmt, &[&41i64]).await.unwrap();
    let (v, first_pid): (i64, i32) = (row.get(0), row.get(1));
    assert_eq!(v, 42);
    // B holds the connection the statement was prepared on; A must get the other one and re-prepare there.
    b.batch_execute("BEGIN").await.unwrap();
    let b_pid: i32 = b
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let row = a.query_one(&stmt, &[&1i64]).await.unwrap();
    let (v, second_pid): (i64, i32) = (row.get(0), row.get(1));
    assert_eq!(v, 2);
    assert_ne!(
        second_pid, b_pid,
        "A ran on B's connection inside B's transaction"
    );
    b.batch_execute("COMMIT").await.unwrap();
    // Many statements, many clients, used in any order.
    for i in 0..20i64 {
        let c = if i % 2 == 0 { &a } else { &b };
        let s = c.prepare(&format!("SELECT $1::int8 * {i}")).await.unwrap();
        let v: i64 = c.query_one(&s, &[&3i64]).await.unwrap().get(0);
        assert_eq!(v, 3 * i);
    }
    let row = a.query_one(&stmt, &[&9i64]).await.unwrap();
    assert_eq!(row.get::<_, i64>(0), 10);
    let _ = first_pid;
    // A statement closed by one client stays usable by another one that prepared the same text.
    let s1 = a.prepare("SELECT 7::int8").await.unwrap();
    let s2 = b.prepare("SELECT 7::int8").await.unwrap();
    drop(s1);
    assert_eq!(b.query_one(&s2, &[]).await.unwrap().get::<_, i64>(0), 7);
    assert_eq!(h.pooler.metrics().pool_open, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_hit_miss_expiry_and_stale_while_revalidate() {
    let pg = Pg::start(100);
    pg.admin(&format!("CREATE TABLE kv (id int PRIMARY KEY, v text); INSERT INTO kv VALUES (1, 'one'); GRANT ALL ON kv TO {USER}"));
    let h = start(&pg, |c| {
        c.cache = CacheSettings {
            enabled: true,
            max_age: Duration::from_millis(400),
            stale_while_revalidate: Duration::from_millis(800),
            ..CacheSettings::default()
        }
    });
    let c = connect(&h).await;
    assert_eq!(read(&c, "SELECT v FROM kv WHERE id = $1").await, "one"); // miss: stored
    let m0 = h.pooler.metrics();
    pg.admin("UPDATE kv SET v = 'two' WHERE id = 1");
    assert_eq!(
        read(&c, "SELECT v FROM kv WHERE id = $1").await,
        "one",
        "a fresh entry is served from the cache"
    );
    let m1 = h.pooler.metrics();
    assert_eq!(m1.cache_hits, m0.cache_hits + 1);
    // The simple protocol has its own entries.
    assert_eq!(
        simple_value(&c, "SELECT v FROM kv WHERE id = 1").await,
        "two"
    );
    pg.admin("UPDATE kv SET v = 'three' WHERE id = 1");
    assert_eq!(
        simple_value(&c, "SELECT v FROM kv WHERE id = 1").await,
        "two"
    );
    // Stale: served once more while the pooler refreshes it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        read(&c, "SELECT v FROM kv WHERE id = $1").await,
        "one",
        "a stale entry is served while it is refreshed"
    );
    let refreshed = {
        let mut ok = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if read(&c, "SELECT v FROM kv WHERE id = $1").await == "three" {
                ok = true;
                break;
            }
        }
        ok
    };
    assert!(refreshed, "the background refresh never landed");
    // Expired past stale_while_revalidate: a miss, read from the origin.
    pg.admin("UPDATE kv SET v = 'four' WHERE id = 1");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(read(&c, "SELECT v FROM kv WHERE id = $1").await, "four");
    // Inside a transaction nothing comes from the cache.
    pg.admin("UPDATE kv SET v = 'five' WHERE id = 1");
    c.batch_execute("BEGIN").await.unwrap();
    assert_eq!(read(&c, "SELECT v FROM kv WHERE id = $1").await, "five");
    c.batch_execute("COMMIT").await.unwrap();
    let m = h.pooler.metrics();
    assert!(m.cache_hits >= 3 && m.cache_misses >= 2, "{m:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_and_volatile_reads_are_never_cached() {
    let pg = Pg::start(100);
    pg.admin(&format!("CREATE TABLE items (id serial PRIMARY KEY, n int); CREATE SEQUENCE s; GRANT ALL ON items, items_id_seq, s TO {USER}"));
    let h = start(&pg, |c| c.cache.enabled = true);
    let c = connect(&h).await;
    for _ in 0..2 {
        c.execute("INSERT INTO items (n) VALUES (1)", &[])
            .await
            .unwrap();
    }
    assert_eq!(one_i64(&c, "SELECT count(*) FROM items").await, 2);
    let a = one_i64(&c, "SELECT nextval('s')").await;
    let b = one_i64(&c, "SELECT nextval('s')").await;
    assert_ne!(a, b, "nextval() was served from the cache");
    let r1: f64 = c.query_one("SELECT random()", &[]).await.unwrap().get(0);
    let r2: f64 = c.query_one("SELECT random()", &[]).await.unwrap().get(0);
    assert_ne!(r1, r2, "random() was served from the cache");
    let t1 = simple_value(&c, "SELECT clock_timestamp()::text").await;
    let t2 = simple_value(&c, "SELECT clock_timestamp()::text").await;
    assert_ne!(t1, t2);
    // A write hidden in a CTE runs every time.
    for _ in 0..2 {
        let n = one_i64(&c, "WITH d AS (DELETE FROM items WHERE id = (SELECT min(id) FROM items) RETURNING *) SELECT count(*) FROM d").await;
        assert_eq!(n, 1);
    }
    assert_eq!(pg.admin("SELECT count(*) FROM items"), "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_are_isolated_and_keep_their_connection() {
    let pg = Pg::start(100);
    pg.admin(&format!(
        "CREATE TABLE t (id int); GRANT ALL ON t TO {USER}"
    ));
    let h = start(&pg, |c| c.pool.max_size = 4);
    let a = connect(&h).await;
    let b = connect(&h).await;
    a.batch_execute("BEGIN").await.unwrap();
    let pid1: i32 = a
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    a.execute("INSERT INTO t VALUES (1)", &[]).await.unwrap();
    assert_eq!(
        one_i64(&b, "SELECT count(*) FROM t").await,
        0,
        "B saw A's uncommitted row"
    );
    let pid2: i32 = a
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(pid1, pid2, "a transaction moved between origin connections");
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(one_i64(&b, "SELECT count(*) FROM t").await, 1);
    // Rolled back work disappears; errors inside a transaction behave as on Postgres.
    a.batch_execute("BEGIN; INSERT INTO t VALUES (2)")
        .await
        .unwrap();
    let e = a.execute("SELECT 1/0", &[]).await.unwrap_err();
    assert_eq!(code(&e), "22012");
    let e = a.execute("SELECT 1", &[]).await.unwrap_err();
    assert_eq!(code(&e), "25P02");
    a.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(one_i64(&b, "SELECT count(*) FROM t").await, 1);
    // Session state: refused outside a transaction, reset after one.
    let e = a
        .batch_execute("SET search_path = nowhere")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "0A000");
    assert!(e.as_db_error().unwrap().message().contains("SET LOCAL"));
    let e = a.batch_execute("LISTEN chan").await.unwrap_err();
    assert_eq!(code(&e), "0A000");
    let e = a
        .query("SELECT pg_advisory_lock(1)", &[])
        .await
        .unwrap_err();
    assert_eq!(code(&e), "0A000");
    a.batch_execute("BEGIN; SET statement_timeout = 1234; COMMIT")
        .await
        .unwrap();
    for c in [&a, &b, &a] {
        assert_eq!(
            simple_value(c, "SHOW statement_timeout").await,
            "0",
            "a SET leaked to the pool"
        );
    }
    a.batch_execute("BEGIN; SET LOCAL statement_timeout = 1234")
        .await
        .unwrap();
    assert_eq!(simple_value(&a, "SHOW statement_timeout").await, "1234ms");
    a.batch_execute("COMMIT").await.unwrap();
    // COPY passes through.
    a.batch_execute("BEGIN").await.unwrap();
    let sink = a.copy_in("COPY t FROM STDIN").await.unwrap();
    let mut sink = std::pin::pin!(sink);
    sink.send(bytes::Bytes::from_static(b"10\n11\n12\n"))
        .await
        .unwrap();
    sink.as_mut().finish().await.unwrap();
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(one_i64(&b, "SELECT count(*) FROM t").await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_answers_53300_after_the_timeout() {
    let pg = Pg::start(100);
    let h = start(&pg, |c| {
        c.pool.max_size = 1;
        c.pool.acquire_timeout = Duration::from_millis(300);
    });
    let a = connect(&h).await;
    let b = connect(&h).await;
    a.batch_execute("BEGIN").await.unwrap();
    let started = Instant::now();
    let e = b.query("SELECT 1", &[]).await.unwrap_err();
    assert_eq!(code(&e), "53300");
    assert!(e
        .as_db_error()
        .unwrap()
        .message()
        .contains("origin connections"));
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!(h.pooler.metrics().acquire_timeouts, 1);
    a.batch_execute("COMMIT").await.unwrap();
    // The client that timed out is still usable.
    assert_eq!(one_i64(&b, "SELECT 5::int8").await, 5);
    // A waiting client gets the connection as soon as it is free.
    a.batch_execute("BEGIN").await.unwrap();
    let waiter = tokio::spawn(async move { one_i64(&b, "SELECT 6::int8").await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.pooler.metrics().pool_waiting, 1);
    a.batch_execute("COMMIT").await.unwrap();
    assert_eq!(waiter.await.unwrap(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_restart_fails_only_in_flight_transactions() {
    let pg = Pg::start(100);
    let h = start(&pg, |c| c.pool.max_size = 4);
    let idle = connect(&h).await;
    let in_tx = connect(&h).await;
    let _ = one_i64(&idle, "SELECT 1::int8").await;
    in_tx.batch_execute("BEGIN").await.unwrap();
    let _ = one_i64(&in_tx, "SELECT 2::int8").await;
    pg.restart();
    // The idle client does not notice.
    assert_eq!(one_i64(&idle, "SELECT 3::int8").await, 3);
    // The one in a transaction gets an error, then works again after ROLLBACK.
    let e = in_tx.query("SELECT 4::int8", &[]).await.unwrap_err();
    assert!(
        ["08006", "25P02", "57P01"].contains(&code(&e).as_str()),
        "{e:?}"
    );
    in_tx.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(one_i64(&in_tx, "SELECT 5::int8").await, 5);
    // New clients too.
    let fresh = connect(&h).await;
    assert_eq!(one_i64(&fresh, "SELECT 6::int8").await, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_leaving_mid_transaction_gives_back_a_clean_connection() {
    let pg = Pg::start(100);
    pg.admin(&format!(
        "CREATE TABLE t (id int); GRANT ALL ON t TO {USER}"
    ));
    let h = start(&pg, |c| {
        c.pool.max_size = 1;
        c.pool.acquire_timeout = Duration::from_secs(5);
    });
    {
        let a = connect(&h).await;
        a.batch_execute("BEGIN; INSERT INTO t VALUES (1)")
            .await
            .unwrap();
    } // dropped: the client closes its socket
    let b = connect(&h).await;
    assert_eq!(one_i64(&b, "SELECT count(*) FROM t").await, 0);
    let b_status = simple_value(
        &b,
        "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'",
    )
    .await;
    assert_eq!(b_status, "0");
    assert_eq!(
        h.pooler.metrics().pool_open,
        1,
        "the connection was reused, not replaced"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_requests_reach_the_right_backend() {
    let pg = Pg::start(100);
    let h = start(&pg, |_| {});
    let a = connect(&h).await;
    let token = a.cancel_token();
    let q = tokio::spawn(async move { a.query("SELECT pg_sleep(20)", &[]).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    token.cancel_query(NoTls).await.unwrap();
    let e = tokio::time::timeout(Duration::from_secs(5), q)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(code(&e), "57014");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_authentication() {
    let pg = Pg::start(100);
    let h = start(&pg, |_| {});
    let bad = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user={USER} password=wrong dbname={DATABASE}",
            h.addr.port()
        ),
        NoTls,
    )
    .await
    .err()
    .expect("a wrong password is refused");
    assert_eq!(code(&bad), "28P01");
    let other_db = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user={USER} password={PASSWORD} dbname=postgres",
            h.addr.port()
        ),
        NoTls,
    )
    .await
    .err()
    .expect("another database is refused");
    assert_eq!(code(&other_db), "3D000");
    // The cleartext mode of the worker-facing endpoints.
    let h = start(&pg, |c| {
        c.client_auth = ClientAuth::Password("local-pw".into())
    });
    let (c, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user={USER} password=local-pw dbname={DATABASE}",
            h.addr.port()
        ),
        NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    assert_eq!(one_i64(&c, "SELECT 1::int8").await, 1);
    // ParameterStatus values of the origin are replayed.
    let v = simple_value(&c, "SHOW server_version").await;
    assert!(!v.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_clients_share_a_hundred_connection_origin() {
    let pg = Pg::start(100);
    let h = start(&pg, |c| {
        c.pool.max_size = 40;
        c.pool.acquire_timeout = Duration::from_secs(30);
        c.client_auth = ClientAuth::Password(PASSWORD.into());
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..500i64 {
        let port = h.addr.port();
        tasks.push(tokio::spawn(async move {
            let (c, conn) = tokio_postgres::connect(
                &format!(
                    "host=127.0.0.1 port={port} user={USER} password={PASSWORD} dbname={DATABASE}"
                ),
                NoTls,
            )
            .await
            .map_err(|e| format!("connect {i}: {e}"))?;
            tokio::spawn(conn);
            for j in 0..3i64 {
                let v: i64 = c
                    .query_one("SELECT $1::int8 + $2::int8", &[&i, &j])
                    .await
                    .map_err(|e| format!("query {i}: {e}"))?
                    .get(0);
                if v != i + j {
                    return Err(format!("wrong answer {v} for {i}+{j}"));
                }
            }
            c.batch_execute("BEGIN; SELECT pg_sleep(0.01); COMMIT")
                .await
                .map_err(|e| format!("tx {i}: {e}"))?;
            Ok::<_, String>(c)
        }));
    }
    let mut clients = Vec::new();
    for t in tasks {
        clients.push(t.await.unwrap().unwrap());
    }
    let m = h.pooler.metrics();
    assert_eq!(m.clients, 500);
    assert!(m.pool_open <= 40, "{m:?}");
    let origin_conns: i64 = pg
        .admin("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'")
        .parse()
        .unwrap();
    assert!(origin_conns <= 40);
    eprintln!(
        "500 clients x 4 transactions in {:?}; {m:?}",
        started.elapsed()
    );
}

fn pgbench(pg: &Pg, port: u16, args: &[&str]) -> String {
    let out = Command::new(pg.bin("pgbench"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", USER])
        .args(args)
        .arg(DATABASE)
        .env("PGPASSWORD", PASSWORD)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "pgbench {args:?} failed:\n{text}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_and_pgbench_in_every_query_mode() {
    let pg = Pg::start(100);
    // pgbench -M prepared prepares synchronously (PQprepare blocks its thread) in the middle of transactions,
    // so with fewer pooled connections than clients one of its threads can wait on itself: give it 8 for 8.
    let h = start(&pg, |c| c.pool.max_size = 8);
    let port = h.addr.port();
    let init = pgbench(&pg, port, &["-i", "-s", "1", "-q"]);
    assert!(init.contains("done"), "{init}");
    for mode in ["simple", "extended", "prepared"] {
        let out = pgbench(&pg, port, &["-M", mode, "-c", "8", "-j", "2", "-t", "50"]);
        assert!(
            out.contains("number of transactions actually processed: 400/400"),
            "{mode}: {out}"
        );
        assert!(!out.contains("failed transactions: 1"), "{mode}: {out}");
        let out = pgbench(&pg, port, &["-M", mode, "-S", "-C", "-c", "4", "-t", "20"]);
        assert!(out.contains("processed: 80/80"), "{mode} -C: {out}");
    }
    let psql = Command::new(pg.bin("psql"))
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            USER,
            "-d",
            DATABASE,
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
        ])
        .args([
            "-c",
            "SELECT count(*) FROM pgbench_branches",
            "-c",
            "SHOW CORRAL STATS",
        ])
        .env("PGPASSWORD", PASSWORD)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&psql.stdout).to_string();
    assert!(
        psql.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&psql.stderr)
    );
    assert!(text.starts_with("1\n"), "{text}");
    assert!(text.contains("pool_open|"), "{text}");
    assert!(wait_until(Duration::from_secs(2), || h
        .pooler
        .metrics()
        .pool_in_use
        == 0));
}
