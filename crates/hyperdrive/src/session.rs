//! One client connection: startup and authentication, then the transaction-mode loop. The client holds an
//! origin connection from its first message that needs one until the origin says ReadyForQuery with status
//! `I` (idle, no transaction) and every message sent has been answered.
//!
//! Between the two sides sits a queue of [`Marker`]s, one per message sent to the origin (or answered by the
//! pooler itself), in order. It tells which origin replies to pass on, which to swallow (the ParseComplete of a
//! statement the pooler re-prepared on its own), and where the pooler's own replies go in the stream.
//!
//! Prepared statements: a client's named statement `s1` is prepared on origin connections under a name derived
//! from its text and parameter types (`corral_<hash>`), so clients share them. Each origin connection remembers
//! which it has; when a client binds or describes a statement the connection has not seen, a Parse is injected
//! first. A client's Parse of a statement the connection already has is answered by the pooler.

use crate::cache::{CacheKey, CachedResult, Lookup};
use crate::classify::{self, Volatility};
use crate::origin::OriginConn;
use crate::pool::{AcquireError, Lease};
use crate::proto::{self, Builder, Msg, MsgReader};
use crate::session_state::{self, Verdict};
use crate::{ClientAuth, Pooler};
use bytes::{Bytes, BytesMut};
use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::io;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// A statement a client prepared.
#[derive(Debug)]
struct Stmt {
    sql: String,
    types: Vec<u32>,
    hash: u64,
}

impl Stmt {
    fn new(sql: &str, types: Vec<u32>) -> Arc<Stmt> {
        let mut h = DefaultHasher::new();
        sql.hash(&mut h);
        types.hash(&mut h);
        Arc::new(Stmt {
            sql: sql.to_string(),
            types,
            hash: h.finish(),
        })
    }

    fn server_name(&self) -> String {
        format!("corral_{:016x}", self.hash)
    }
}

/// What the origin's replies to one sent message look like, and what to do with them.
#[derive(Debug)]
enum Marker {
    /// A Parse. `reply` false: injected by the pooler, swallow the ParseComplete. `undo`: forget the statement
    /// (client name, hash) if the origin refuses it.
    Parse {
        reply: bool,
        undo: Option<(Option<String>, u64)>,
    },
    Bind,
    DescribeStatement,
    /// `swallow`: injected by the pooler to learn the row description for the cache.
    DescribePortal {
        swallow: bool,
    },
    Execute,
    Close,
    Sync,
    /// A simple Query or FunctionCall: everything up to ReadyForQuery.
    Query,
    /// Bytes the pooler answers itself, sent when every earlier marker is done.
    Own(Bytes),
}

/// A result being recorded for the cache while it streams to the client.
struct Capture {
    key: CacheKey,
    messages: BytesMut,
    failed: bool,
    completes: usize,
    select: bool,
}

pub(crate) struct Session {
    pooler: Arc<Pooler>,
    client: TcpStream,
    creader: MsgReader,
    out: BytesMut,
    server: Option<Lease>,
    sbuf: BytesMut,
    markers: VecDeque<Marker>,
    /// The transaction status the client last saw.
    status: u8,
    user: String,
    database: String,
    stmts: HashMap<String, Arc<Stmt>>,
    unnamed: Option<Arc<Stmt>>,
    batch: Vec<Msg>,
    batch_bytes: usize,
    /// The connection needs `RESET ALL` before it goes back to the pool.
    dirty: bool,
    /// The origin connection died in the middle of this client's transaction.
    lost_transaction: bool,
    capture: Option<Capture>,
    /// The origin backend this client is using now, for CancelRequest.
    cancel_slot: Arc<Mutex<Option<(i32, i32)>>>,
    /// The batch being sent on a fresh connection, kept until the origin answers anything, to send it again on
    /// another connection if this one turns out to be dead (an origin restart).
    retry: Option<Vec<Msg>>,
    /// Within the current extended-protocol batch (up to Sync): the unnamed statement was parsed on the held
    /// connection; the portal was described.
    unnamed_here: bool,
    described_portal: bool,
    /// The origin sent an error outside any request (it is shutting down): the connection is finished.
    broken: bool,
}

enum Event {
    Client(io::Result<Option<Msg>>),
    /// The origin connection's reader has new bytes (false: end of stream).
    Server(io::Result<bool>),
}

const BATCH_LIMIT: usize = 1 << 20;

impl Session {
    /// Runs one client connection to its end.
    pub(crate) async fn run(pooler: Arc<Pooler>, mut client: TcpStream) -> io::Result<()> {
        client.set_nodelay(true).ok();
        let params = loop {
            let Some(body) = proto::read_startup(&mut client).await? else {
                return Ok(());
            };
            let mut b = &body[..];
            let code = proto::take_i32(&mut b)?;
            match code {
                proto::SSL_REQUEST | proto::GSSENC_REQUEST => client.write_all(b"N").await?,
                proto::CANCEL_REQUEST => {
                    let pid = proto::take_i32(&mut b)?;
                    let secret = proto::take_i32(&mut b)?;
                    pooler.cancel(pid, secret).await;
                    return Ok(());
                }
                proto::PROTOCOL_3 => break proto::startup_params(b)?,
                _ => {
                    let e = proto::error_response(
                        "FATAL",
                        "0A000",
                        "unsupported frontend protocol: corral's pooler speaks protocol 3.0",
                    );
                    client.write_all(&e).await?;
                    return Ok(());
                }
            }
        };
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let user = get("user").unwrap_or_default();
        let database = get("database").unwrap_or_else(|| user.clone());
        let origin = &pooler.pool.origin;
        if user != origin.user {
            return fatal(
                &mut client,
                "28000",
                &format!(
                    "role \"{user}\" is not served here: connect as the origin's user \"{}\"",
                    origin.user
                ),
            )
            .await;
        }
        if database != origin.database {
            return fatal(&mut client, "3D000", &format!("database \"{database}\" is not served here: connect to the origin's database \"{}\"", origin.database)).await;
        }
        let mut creader = MsgReader::new();
        match &pooler.config.client_auth {
            ClientAuth::Trust => {}
            ClientAuth::Password(expected) => {
                client
                    .write_all(&Builder::new(b'R').i32(3).finish())
                    .await?;
                let Some(m) = creader.next(&mut client).await? else {
                    return Ok(());
                };
                let mut b = m.body();
                let given = proto::take_cstr(&mut b).unwrap_or("");
                if m.tag != b'p' || !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
                    return fatal(
                        &mut client,
                        "28P01",
                        &format!("password authentication failed for user \"{user}\""),
                    )
                    .await;
                }
            }
            ClientAuth::Scram(verifier) => {
                let mut sasl = Builder::new(b'R')
                    .i32(10)
                    .cstr("SCRAM-SHA-256")
                    .u8(0)
                    .finish()
                    .to_vec();
                client.write_all(&sasl).await?;
                let Some(m) = creader.next(&mut client).await? else {
                    return Ok(());
                };
                let mut b = m.body();
                let mech = proto::take_cstr(&mut b).unwrap_or("");
                let len = proto::take_i32(&mut b).unwrap_or(-1);
                if m.tag != b'p' || mech != "SCRAM-SHA-256" || len < 0 {
                    return fatal(
                        &mut client,
                        "28000",
                        "SCRAM-SHA-256 authentication expected",
                    )
                    .await;
                }
                let first = String::from_utf8_lossy(b).into_owned();
                let (server, server_first) = match crate::auth::ScramServer::start(verifier, &first)
                {
                    Ok(x) => x,
                    Err(e) => return fatal(&mut client, "28000", &e).await,
                };
                sasl = Builder::new(b'R')
                    .i32(11)
                    .bytes(server_first.as_bytes())
                    .finish()
                    .to_vec();
                client.write_all(&sasl).await?;
                let Some(m) = creader.next(&mut client).await? else {
                    return Ok(());
                };
                let fin = String::from_utf8_lossy(m.body()).into_owned();
                match server.finish(&fin) {
                    Ok(v) => {
                        client
                            .write_all(&Builder::new(b'R').i32(12).bytes(v.as_bytes()).finish())
                            .await?
                    }
                    Err(_) => {
                        return fatal(
                            &mut client,
                            "28P01",
                            &format!("password authentication failed for user \"{user}\""),
                        )
                        .await
                    }
                }
            }
        }
        let origin_params = match pooler.pool.params().await {
            Ok(p) => p,
            Err(e) => {
                let (code, msg) = acquire_error_text(&pooler, &e);
                return fatal(&mut client, &code, &msg).await;
            }
        };
        let (pid, secret, cancel_slot) = pooler.register_client();
        let mut out = BytesMut::with_capacity(1024);
        out.extend_from_slice(&Builder::new(b'R').i32(0).finish());
        for (k, v) in &origin_params {
            out.extend_from_slice(&proto::parameter_status(k, v));
        }
        out.extend_from_slice(&Builder::new(b'K').i32(pid).i32(secret).finish());
        out.extend_from_slice(&proto::ready_for_query(b'I'));
        client.write_all(&out).await?;
        out.clear();
        let mut session = Session {
            pooler: pooler.clone(),
            client,
            creader,
            out,
            server: None,
            sbuf: BytesMut::new(),
            markers: VecDeque::new(),
            status: b'I',
            user,
            database,
            stmts: HashMap::new(),
            unnamed: None,
            batch: Vec::new(),
            batch_bytes: 0,
            dirty: false,
            lost_transaction: false,
            capture: None,
            cancel_slot,
            retry: None,
            unnamed_here: false,
            described_portal: false,
            broken: false,
        };
        let result = session.main_loop().await;
        session.client_gone().await;
        pooler.unregister_client(pid, secret);
        result
    }

    async fn main_loop(&mut self) -> io::Result<()> {
        loop {
            let event = if let Some(lease) = self.server.as_mut() {
                let conn = lease.conn();
                tokio::select! {
                    biased;
                    m = conn.reader.fill(&mut conn.stream) => Event::Server(m),
                    m = self.creader.next(&mut self.client) => Event::Client(m),
                }
            } else {
                Event::Client(self.creader.next(&mut self.client).await)
            };
            match event {
                Event::Client(Ok(Some(msg))) => {
                    // Take every complete message already buffered, then act on them together.
                    let mut next = Some(msg);
                    while let Some(msg) = next {
                        if msg.tag == b'X' {
                            return Ok(());
                        }
                        self.batch_bytes += msg.raw.len();
                        tracing::trace!(tag = %(msg.tag as char), "client message");
                        self.batch.push(msg);
                        next = self.creader.try_next()?;
                    }
                    // Without a connection, each Sync-delimited batch on its own (each may be answered from
                    // the cache); with one, everything at once.
                    while !self.batch.is_empty() {
                        let end = self
                            .batch
                            .iter()
                            .position(|m| matches!(m.tag, b'S' | b'Q' | b'F' | b'H'));
                        let batch = match end {
                            Some(i) if self.server.is_none() && i + 1 < self.batch.len() => {
                                self.batch.drain(..=i).collect()
                            }
                            _ if end.is_some()
                                || self.server.is_some()
                                || self.batch_bytes > BATCH_LIMIT
                                || self.batch_needs_origin_now() =>
                            {
                                std::mem::take(&mut self.batch)
                            }
                            _ => break,
                        };
                        self.batch_bytes = self.batch.iter().map(|m| m.raw.len()).sum();
                        self.run_batch(batch, true).await?;
                    }
                }
                Event::Client(Ok(None)) => return Ok(()),
                Event::Client(Err(e)) => return Err(e),
                Event::Server(Ok(true)) => {
                    let r = self.server_messages();
                    if self.broken {
                        self.broken = false;
                        self.server_lost(io::Error::other(
                            "the origin sent an error outside a request",
                        ))
                        .await?;
                    } else if let Err(e) = r {
                        self.server_lost(e).await?;
                    }
                    self.flush_client().await?;
                    self.maybe_release().await;
                }
                Event::Server(Ok(false)) => {
                    self.server_lost(io::Error::new(io::ErrorKind::UnexpectedEof, "closed"))
                        .await?
                }
                Event::Server(Err(e)) => self.server_lost(e).await?,
            }
            self.flush_client().await?;
        }
    }

    /// Whether the pending batch must go out before its Sync: an Execute of a COPY (the client waits for
    /// CopyInResponse before it sends the rest).
    fn batch_needs_origin_now(&self) -> bool {
        let mut sql: Option<&str> = None;
        for m in &self.batch {
            match m.tag {
                b'P' => sql = proto::parse_parse(m.body()).ok().map(|p| p.sql),
                b'B' => {
                    if let Ok(b) = proto::parse_bind(m.body()) {
                        if !b.statement.is_empty() {
                            sql = self.stmts.get(b.statement).map(|s| s.sql.as_str());
                        } else if sql.is_none() {
                            sql = self.unnamed.as_ref().map(|s| s.sql.as_str());
                        }
                    }
                }
                b'E' if sql.is_some_and(|s| {
                    s.trim_start()
                        .get(..4)
                        .is_some_and(|w| w.eq_ignore_ascii_case("copy"))
                }) =>
                {
                    return true;
                }
                _ => {}
            }
        }
        false
    }

    async fn run_batch(&mut self, batch: Vec<Msg>, may_retry: bool) -> io::Result<()> {
        if self.lost_transaction {
            self.answer_lost(&batch);
            return self.flush_client().await;
        }
        if self.server.is_none() && self.markers.is_empty() && self.status == b'I' {
            if let Some(stats) = self.admin_command(&batch) {
                self.out.extend_from_slice(&stats);
                return self.flush_client().await;
            }
            if self.pooler.cache.settings().enabled && self.try_cache(&batch).await? {
                return self.flush_client().await;
            }
        }
        let fresh = self.server.is_none();
        self.send_batch(&batch).await;
        if fresh && may_retry && self.server.is_some() && self.status == b'I' {
            self.retry = Some(batch);
        } else {
            self.retry = None;
        }
        if !self.sbuf.is_empty() {
            // One write for the whole batch, straight from the buffer.
            let ok = match self.server.as_mut() {
                Some(l) => l.conn().stream.write_all(&self.sbuf).await.is_ok(),
                None => true,
            };
            self.sbuf.clear();
            if !ok {
                self.server_lost(io::Error::new(io::ErrorKind::BrokenPipe, "write failed"))
                    .await?;
            }
        }
        self.emit_own();
        self.flush_client().await?;
        self.maybe_release().await;
        Ok(())
    }

    /// Gets an origin connection if none is held; on failure answers the client with the error.
    async fn ensure_server(&mut self) -> bool {
        if self.server.is_some() {
            return true;
        }
        match self.pooler.pool.acquire().await {
            Ok(mut lease) => {
                *self.cancel_slot.lock().expect("cancel slot") = Some(lease.conn().backend_key);
                self.server = Some(lease);
                true
            }
            Err(e) => {
                let (code, msg) = acquire_error_text(&self.pooler, &e);
                self.markers
                    .push_back(Marker::Own(proto::error_response("ERROR", &code, &msg)));
                false
            }
        }
    }

    /// Translates a batch of client messages into messages for the origin (in `sbuf`) and markers.
    async fn send_batch(&mut self, batch: &[Msg]) {
        let mut skip_until_sync = false;
        for msg in batch {
            if skip_until_sync && msg.tag != b'S' {
                continue;
            }
            match msg.tag {
                b'd' | b'c' | b'f' => {
                    // COPY data goes straight through (Postgres ignores it outside COPY, and so do we).
                    if self.server.is_some() {
                        self.sbuf.extend_from_slice(&msg.raw);
                    }
                }
                b'Q' => {
                    let sql = proto::take_cstr(&mut msg.body()).unwrap_or("");
                    match session_state::check(sql, self.status != b'I') {
                        Verdict::Refuse(m) => {
                            let mut own = BytesMut::new();
                            own.extend_from_slice(&proto::error_response("ERROR", "0A000", &m));
                            own.extend_from_slice(&proto::ready_for_query(self.status));
                            self.markers.push_back(Marker::Own(own.freeze()));
                            continue;
                        }
                        Verdict::Answer(tag) if self.server.is_none() => {
                            self.stmts.clear();
                            self.unnamed = None;
                            let mut own = BytesMut::new();
                            own.extend_from_slice(&proto::command_complete(tag));
                            own.extend_from_slice(&proto::ready_for_query(self.status));
                            self.markers.push_back(Marker::Own(own.freeze()));
                            continue;
                        }
                        Verdict::ForwardDirty => self.dirty = true,
                        _ => {}
                    }
                    if !self.ensure_server().await {
                        self.markers
                            .push_back(Marker::Own(proto::ready_for_query(self.status)));
                        continue;
                    }
                    self.sbuf.extend_from_slice(&msg.raw);
                    self.markers.push_back(Marker::Query);
                }
                b'F' => {
                    if !self.ensure_server().await {
                        self.markers
                            .push_back(Marker::Own(proto::ready_for_query(self.status)));
                        continue;
                    }
                    self.sbuf.extend_from_slice(&msg.raw);
                    self.markers.push_back(Marker::Query);
                }
                b'P' => {
                    let Ok(p) = proto::parse_parse(msg.body()) else {
                        self.refuse_extended(
                            "08P01",
                            "malformed Parse message",
                            &mut skip_until_sync,
                        );
                        continue;
                    };
                    match session_state::check(p.sql, self.status != b'I') {
                        Verdict::Refuse(m) => {
                            self.refuse_extended("0A000", &m, &mut skip_until_sync);
                            continue;
                        }
                        Verdict::ForwardDirty => self.dirty = true,
                        _ => {}
                    }
                    if !self.ensure_server().await {
                        skip_until_sync = true;
                        continue;
                    }
                    let stmt = Stmt::new(p.sql, p.types.clone());
                    if p.name.is_empty() {
                        self.unnamed = Some(stmt);
                        self.unnamed_here = true;
                        self.sbuf.extend_from_slice(&msg.raw);
                        self.markers.push_back(Marker::Parse {
                            reply: true,
                            undo: None,
                        });
                        continue;
                    }
                    let name = p.name.to_string();
                    self.stmts.insert(name.clone(), stmt.clone());
                    let conn = self.server.as_mut().expect("held").conn();
                    if conn.prepared.contains(&stmt.hash) {
                        self.markers
                            .push_back(Marker::Own(Bytes::from_static(proto::PARSE_COMPLETE)));
                    } else {
                        conn.prepared.insert(stmt.hash);
                        self.sbuf.extend_from_slice(&proto::build_parse(
                            &stmt.server_name(),
                            &stmt.sql,
                            &stmt.types,
                        ));
                        self.markers.push_back(Marker::Parse {
                            reply: true,
                            undo: Some((Some(name), stmt.hash)),
                        });
                    }
                }
                b'B' | b'D' => {
                    if !self.ensure_server().await {
                        skip_until_sync = true;
                        continue;
                    }
                    let (statement, describe_kind) = if msg.tag == b'B' {
                        match proto::parse_bind(msg.body()) {
                            Ok(b) => (b.statement.to_string(), None),
                            Err(_) => {
                                self.refuse_extended(
                                    "08P01",
                                    "malformed Bind message",
                                    &mut skip_until_sync,
                                );
                                continue;
                            }
                        }
                    } else {
                        match proto::parse_target(msg.body()) {
                            Ok((kind, name)) => (name.to_string(), Some(kind)),
                            Err(_) => {
                                self.refuse_extended(
                                    "08P01",
                                    "malformed Describe message",
                                    &mut skip_until_sync,
                                );
                                continue;
                            }
                        }
                    };
                    if describe_kind == Some(b'P') {
                        self.described_portal = true;
                        self.sbuf.extend_from_slice(&msg.raw);
                        self.markers
                            .push_back(Marker::DescribePortal { swallow: false });
                        continue;
                    }
                    let marker = if msg.tag == b'B' {
                        Marker::Bind
                    } else {
                        Marker::DescribeStatement
                    };
                    if statement.is_empty() {
                        if !self.unnamed_here {
                            if let Some(stmt) = self.unnamed.clone() {
                                self.sbuf.extend_from_slice(&proto::build_parse(
                                    "",
                                    &stmt.sql,
                                    &stmt.types,
                                ));
                                self.markers.push_back(Marker::Parse {
                                    reply: false,
                                    undo: None,
                                });
                            }
                            self.unnamed_here = true;
                        }
                        self.sbuf.extend_from_slice(&msg.raw);
                        self.markers.push_back(marker);
                        continue;
                    }
                    let Some(stmt) = self.stmts.get(&statement).cloned() else {
                        // Unknown to us: the origin answers "prepared statement does not exist".
                        self.sbuf.extend_from_slice(&msg.raw);
                        self.markers.push_back(marker);
                        continue;
                    };
                    let server_name = stmt.server_name();
                    let conn = self.server.as_mut().expect("held").conn();
                    if !conn.prepared.contains(&stmt.hash) {
                        conn.prepared.insert(stmt.hash);
                        self.sbuf.extend_from_slice(&proto::build_parse(
                            &server_name,
                            &stmt.sql,
                            &stmt.types,
                        ));
                        self.markers.push_back(Marker::Parse {
                            reply: false,
                            undo: Some((None, stmt.hash)),
                        });
                    }
                    if msg.tag == b'B' {
                        let b = proto::parse_bind(msg.body()).expect("parsed above");
                        self.sbuf.extend_from_slice(&proto::build_bind(
                            b.portal,
                            &server_name,
                            b.rest,
                        ));
                    } else {
                        self.sbuf
                            .extend_from_slice(&proto::build_target(b'D', b'S', &server_name));
                    }
                    self.markers.push_back(marker);
                }
                b'E' => {
                    if !self.ensure_server().await {
                        skip_until_sync = true;
                        continue;
                    }
                    if self.capture.is_some() && !self.described_portal {
                        let portal = proto::parse_execute(msg.body())
                            .map(|(p, _)| p.to_string())
                            .unwrap_or_default();
                        self.sbuf
                            .extend_from_slice(&proto::build_target(b'D', b'P', &portal));
                        self.markers
                            .push_back(Marker::DescribePortal { swallow: true });
                        self.described_portal = true;
                    }
                    self.sbuf.extend_from_slice(&msg.raw);
                    self.markers.push_back(Marker::Execute);
                }
                b'C' => {
                    let Ok((kind, name)) = proto::parse_target(msg.body()) else {
                        self.refuse_extended(
                            "08P01",
                            "malformed Close message",
                            &mut skip_until_sync,
                        );
                        continue;
                    };
                    if kind == b'S' {
                        // The origin keeps the statement for other clients; this client forgets it.
                        if name.is_empty() {
                            self.unnamed = None;
                        } else {
                            self.stmts.remove(name);
                        }
                        self.markers
                            .push_back(Marker::Own(Bytes::from_static(proto::CLOSE_COMPLETE)));
                        continue;
                    }
                    if !self.ensure_server().await {
                        skip_until_sync = true;
                        continue;
                    }
                    self.sbuf.extend_from_slice(&msg.raw);
                    self.markers.push_back(Marker::Close);
                }
                b'S' => {
                    skip_until_sync = false;
                    self.unnamed_here = false;
                    self.described_portal = false;
                    if self.server.is_some() {
                        self.sbuf.extend_from_slice(&msg.raw);
                        self.markers.push_back(Marker::Sync);
                    } else {
                        self.markers
                            .push_back(Marker::Own(proto::ready_for_query(self.status)));
                    }
                }
                _ => {
                    // Flush and anything else: passed on when a connection is held.
                    if self.server.is_some() {
                        self.sbuf.extend_from_slice(&msg.raw);
                    }
                }
            }
        }
    }

    /// Answers an extended-protocol message with an error and skips to the next Sync, as Postgres does.
    fn refuse_extended(&mut self, code: &str, message: &str, skip: &mut bool) {
        self.markers
            .push_back(Marker::Own(proto::error_response("ERROR", code, message)));
        *skip = true;
    }

    /// Sends the pooler's own replies that are due (every marker before them is done).
    fn emit_own(&mut self) {
        while let Some(Marker::Own(_)) = self.markers.front() {
            if let Some(Marker::Own(b)) = self.markers.pop_front() {
                self.out.extend_from_slice(&b);
            }
        }
    }

    /// Every whole message the origin connection's reader holds, handled in place (no allocation per message);
    /// stops early when the connection turns out broken.
    fn server_messages(&mut self) -> io::Result<()> {
        let Some(lease) = self.server.as_mut() else {
            return Ok(());
        };
        let buf = lease.conn().reader.take_buf();
        let mut pos = 0;
        let result = loop {
            match proto::frame_len(&buf[pos..]) {
                Ok(Some(n)) => {
                    self.server_message(MsgRef {
                        tag: buf[pos],
                        raw: &buf[pos..pos + n],
                    });
                    pos += n;
                    if self.broken {
                        break Ok(());
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        if let Some(lease) = self.server.as_mut() {
            lease.conn().reader.put_buf(buf, pos);
        }
        result
    }

    /// One message from the origin.
    fn server_message(&mut self, msg: MsgRef<'_>) {
        tracing::trace!(tag = %(msg.tag as char), markers = ?self.markers, "origin message");
        if matches!(msg.tag, b'N' | b'S' | b'A') {
            self.out.extend_from_slice(msg.raw);
            return;
        }
        if self.retry.is_some()
            && msg.tag == b'E'
            && proto::error_fields(msg.body())
                .iter()
                .any(|(k, v)| *k == b'S' && v == "FATAL")
        {
            // The first answer to a batch on a fresh connection is FATAL (an origin that restarted while the
            // connection sat idle): the batch goes again on another connection.
            self.broken = true;
            return;
        }
        self.retry = None;
        self.emit_own();
        if self.markers.is_empty() {
            // Nothing was asked: an origin shutting down says FATAL before it closes. Not for the client.
            tracing::debug!(tag = msg.tag, "unsolicited message from the origin");
            if msg.tag == b'E' {
                self.broken = true;
            }
            return;
        }
        let front_is_query = matches!(self.markers.front(), Some(Marker::Query));
        match msg.tag {
            b'E' => {
                self.out.extend_from_slice(msg.raw);
                if let Some(c) = self.capture.as_mut() {
                    c.failed = true;
                }
                if !front_is_query {
                    // The origin skips everything up to the next Sync.
                    while let Some(m) = self.markers.front() {
                        if matches!(m, Marker::Sync) {
                            break;
                        }
                        if let Some(Marker::Parse {
                            undo: Some((name, hash)),
                            ..
                        }) = self.markers.pop_front()
                        {
                            if let Some(l) = self.server.as_mut() {
                                l.conn().prepared.remove(&hash);
                            }
                            if let Some(name) = name {
                                self.stmts.remove(&name);
                            }
                        }
                    }
                }
            }
            b'Z' => {
                self.markers.pop_front();
                self.status = msg.body().first().copied().unwrap_or(b'I');
                self.out.extend_from_slice(msg.raw);
            }
            b'1' => {
                if let Some(Marker::Parse { reply: false, .. }) = self.markers.pop_front() {
                } else {
                    self.out.extend_from_slice(msg.raw);
                }
            }
            b'2' | b'3' => {
                self.markers.pop_front();
                self.out.extend_from_slice(msg.raw);
            }
            b'T' | b'n' => match self.markers.front() {
                Some(Marker::DescribeStatement) => {
                    self.markers.pop_front();
                    self.out.extend_from_slice(msg.raw);
                }
                Some(Marker::DescribePortal { swallow }) => {
                    let swallow = *swallow;
                    self.markers.pop_front();
                    self.record(msg);
                    if !swallow {
                        self.out.extend_from_slice(msg.raw);
                    }
                }
                _ => {
                    self.record(msg);
                    self.out.extend_from_slice(msg.raw);
                }
            },
            b'D' => {
                self.record(msg);
                self.out.extend_from_slice(msg.raw);
            }
            b'C' | b'I' | b's' => {
                if matches!(self.markers.front(), Some(Marker::Execute)) {
                    self.markers.pop_front();
                }
                self.record(msg);
                self.out.extend_from_slice(msg.raw);
            }
            b'G' | b'W' => {
                // COPY FROM STDIN: Postgres ignores a Sync sent before the copy data; the one after CopyDone counts.
                if matches!(self.markers.front(), Some(Marker::Execute)) {
                    let mut first = true;
                    self.markers
                        .retain(|m| std::mem::take(&mut first) || !matches!(m, Marker::Sync));
                }
                self.out.extend_from_slice(msg.raw);
            }
            _ => self.out.extend_from_slice(msg.raw),
        }
        self.emit_own();
    }

    fn record(&mut self, msg: MsgRef<'_>) {
        if let Some(c) = self.capture.as_mut() {
            if msg.tag == b'C' {
                c.completes += 1;
                c.select = msg.body().starts_with(b"SELECT ");
            }
            if matches!(msg.tag, b'I' | b's') {
                c.failed = true;
            }
            c.messages.extend_from_slice(msg.raw);
        }
    }

    /// Gives the origin connection back when the client is between transactions and nothing is in flight.
    async fn maybe_release(&mut self) {
        if self.server.is_none() || !self.markers.is_empty() || self.status != b'I' {
            return;
        }
        if let Some(c) = self.capture.take() {
            if !c.failed && c.completes == 1 && c.select && !c.messages.is_empty() {
                self.pooler.cache.store(
                    c.key,
                    CachedResult {
                        messages: c.messages.freeze(),
                    },
                );
            }
        }
        let mut lease = self.server.take().expect("held");
        *self.cancel_slot.lock().expect("cancel slot") = None;
        self.retry = None;
        self.pooler
            .pool
            .metrics
            .transactions
            .fetch_add(1, Ordering::Relaxed);
        if self.dirty {
            self.dirty = false;
            if !matches!(lease.conn().simple("RESET ALL").await, Ok(Ok((_, b'I')))) {
                return; // dropped: closed
            }
        }
        let limit = self.pooler.pool.settings.max_prepared_per_conn;
        if lease.conn().prepared.len() > limit {
            if !matches!(
                lease.conn().simple("DEALLOCATE ALL").await,
                Ok(Ok((_, b'I')))
            ) {
                return;
            }
            lease.conn().prepared.clear();
        }
        lease.release();
    }

    /// The origin connection failed (origin restart, network).
    async fn server_lost(&mut self, e: io::Error) -> io::Result<()> {
        tracing::debug!(error = %e, "origin connection lost");
        self.server = None;
        *self.cancel_slot.lock().expect("cancel slot") = None;
        self.capture = None;
        self.dirty = false;
        self.unnamed_here = false;
        self.described_portal = false;
        if let Some(batch) = self.retry.take() {
            // Nothing of this batch reached the client and it was not in a transaction: send it again on
            // another connection.
            self.markers.clear();
            self.out.clear();
            return Box::pin(self.run_batch(batch, false)).await;
        }
        let in_transaction = self.status != b'I';
        let had_sync = self
            .markers
            .iter()
            .any(|m| matches!(m, Marker::Sync | Marker::Query));
        let pending = !self.markers.is_empty();
        self.markers.clear();
        let message = if in_transaction {
            "the connection to the origin database was lost (the server restarted or closed it); the transaction was rolled back"
        } else {
            "the connection to the origin database was lost (the server restarted or closed it) while running this statement"
        };
        if pending {
            self.out
                .extend_from_slice(&proto::error_response("ERROR", "08006", message));
            if had_sync {
                self.status = if in_transaction { b'E' } else { b'I' };
                self.out
                    .extend_from_slice(&proto::ready_for_query(self.status));
            }
            if in_transaction {
                self.lost_transaction = true;
            }
        } else if in_transaction {
            self.lost_transaction = true;
        }
        self.flush_client().await
    }

    /// The client's transaction is gone with its origin connection: every batch gets an error until the client
    /// rolls back.
    fn answer_lost(&mut self, batch: &[Msg]) {
        for msg in batch {
            match msg.tag {
                b'Q' => {
                    let sql = proto::take_cstr(&mut msg.body())
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase();
                    let sql = sql.trim_end_matches(';').trim();
                    if sql == "rollback" || sql == "abort" || sql == "end" || sql == "commit" {
                        self.lost_transaction = false;
                        self.status = b'I';
                        self.out
                            .extend_from_slice(&proto::command_complete("ROLLBACK"));
                    } else {
                        self.out.extend_from_slice(&proto::error_response("ERROR", "25P02", "current transaction is aborted (its origin connection was lost), commands ignored until end of transaction block"));
                        self.status = b'E';
                    }
                    self.out
                        .extend_from_slice(&proto::ready_for_query(self.status));
                }
                b'S' => {
                    self.out.extend_from_slice(&proto::error_response("ERROR", "25P02", "current transaction is aborted (its origin connection was lost), commands ignored until end of transaction block"));
                    self.status = b'E';
                    self.out
                        .extend_from_slice(&proto::ready_for_query(self.status));
                }
                _ => {}
            }
        }
    }

    /// The client went away: roll back its transaction and give the connection back clean, or close it.
    async fn client_gone(&mut self) {
        let Some(mut lease) = self.server.take() else {
            return;
        };
        *self.cancel_slot.lock().expect("cancel slot") = None;
        if !self.markers.is_empty() {
            return; // replies in flight: close rather than guess
        }
        let conn: &mut OriginConn = lease.conn();
        if self.status != b'I' {
            match tokio::time::timeout(std::time::Duration::from_secs(5), conn.simple("ROLLBACK"))
                .await
            {
                Ok(Ok(Ok((_, b'I')))) => {}
                _ => return,
            }
        }
        if self.dirty && !matches!(conn.simple("RESET ALL").await, Ok(Ok((_, b'I')))) {
            return;
        }
        self.pooler
            .pool
            .metrics
            .transactions
            .fetch_add(1, Ordering::Relaxed);
        lease.release();
    }

    async fn flush_client(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.client.write_all(&self.out).await?;
            self.out.clear();
        }
        Ok(())
    }

    /// `SHOW CORRAL STATS`: the pool's and the cache's counters as rows (name, value).
    fn admin_command(&self, batch: &[Msg]) -> Option<Bytes> {
        let [msg] = batch else { return None };
        if msg.tag != b'Q' {
            return None;
        }
        let sql = proto::take_cstr(&mut msg.body())
            .ok()?
            .trim()
            .trim_end_matches(';');
        if !sql.eq_ignore_ascii_case("show corral stats") {
            return None;
        }
        let rows = self.pooler.metrics().rows();
        let mut out = BytesMut::new();
        let mut t = Builder::new(b'T').i16(2);
        for col in ["name", "value"] {
            t = t.cstr(col).i32(0).i16(0).i32(25).i16(-1).i32(-1).i16(0);
        }
        out.extend_from_slice(&t.finish());
        for (k, v) in &rows {
            out.extend_from_slice(
                &Builder::new(b'D')
                    .i16(2)
                    .i32(k.len() as i32)
                    .bytes(k.as_bytes())
                    .i32(v.len() as i32)
                    .bytes(v.as_bytes())
                    .finish(),
            );
        }
        out.extend_from_slice(&proto::command_complete(&format!("SHOW {}", rows.len())));
        out.extend_from_slice(&proto::ready_for_query(b'I'));
        Some(out.freeze())
    }

    /// Answers a read-only statement from the cache, or arranges for its result to be recorded. True when the
    /// batch was answered.
    async fn try_cache(&mut self, batch: &[Msg]) -> io::Result<bool> {
        let Some(plan) = self.cache_plan(batch) else {
            return Ok(false);
        };
        if !self.pooler.is_cacheable(&plan.key.sql).await {
            return Ok(false);
        }
        let result = match self.pooler.cache.lookup(&plan.key) {
            Lookup::Fresh(r) => r,
            Lookup::Stale(r) => {
                self.pooler.clone().refresh(plan.key.clone());
                r
            }
            Lookup::Miss => {
                self.capture = Some(Capture {
                    key: plan.key,
                    messages: BytesMut::new(),
                    failed: false,
                    completes: 0,
                    select: false,
                });
                return Ok(false);
            }
        };
        // Replay: our own ParseComplete / BindComplete, the cached rows, ReadyForQuery.
        let messages = &result.messages[..];
        let first_len = if messages.len() >= 5 {
            1 + i32::from_be_bytes([messages[1], messages[2], messages[3], messages[4]]) as usize
        } else {
            0
        };
        for msg in batch {
            match msg.tag {
                b'Q' => {
                    self.out.extend_from_slice(messages);
                    self.out.extend_from_slice(&proto::ready_for_query(b'I'));
                }
                b'P' => {
                    if let Ok(p) = proto::parse_parse(msg.body()) {
                        let stmt = Stmt::new(p.sql, p.types.clone());
                        if p.name.is_empty() {
                            self.unnamed = Some(stmt);
                        } else {
                            self.stmts.insert(p.name.to_string(), stmt);
                        }
                    }
                    self.out.extend_from_slice(proto::PARSE_COMPLETE);
                }
                b'B' => self.out.extend_from_slice(proto::BIND_COMPLETE),
                b'D' => self.out.extend_from_slice(&messages[..first_len]),
                b'E' => self.out.extend_from_slice(&messages[first_len..]),
                b'S' => self.out.extend_from_slice(&proto::ready_for_query(b'I')),
                _ => {}
            }
        }
        Ok(true)
    }

    /// The cache key of a batch that is one read: a simple Query, or [Parse] Bind [Describe portal] Execute Sync
    /// on the unnamed portal.
    fn cache_plan(&self, batch: &[Msg]) -> Option<CachePlan> {
        let key = |sql: &str| CacheKey {
            database: self.database.clone(),
            user: self.user.clone(),
            sql: sql.to_string(),
            params: Vec::new(),
            param_formats: Vec::new(),
            param_types: Vec::new(),
            result_formats: Vec::new(),
        };
        if let [q] = batch {
            if q.tag != b'Q' {
                return None;
            }
            let sql = proto::take_cstr(&mut q.body()).ok()?;
            if !classify::may_be_cacheable(sql) {
                return None; // a write: no key, no memo lookup, no parse
            }
            return Some(CachePlan { key: key(sql) });
        }
        let tags: Vec<u8> = batch.iter().map(|m| m.tag).collect();
        let (parse, rest) = match tags.as_slice() {
            [b'P', rest @ ..] => (Some(proto::parse_parse(batch[0].body()).ok()?), rest),
            rest => (None, rest),
        };
        let offset = batch.len() - rest.len();
        if !matches!(rest, [b'B', b'D', b'E', b'S'] | [b'B', b'E', b'S']) {
            return None;
        }
        let bind = proto::parse_bind(batch[offset].body()).ok()?;
        if !bind.portal.is_empty() {
            return None;
        }
        if rest.len() == 4 && proto::parse_target(batch[offset + 1].body()).ok()? != (b'P', "") {
            return None;
        }
        let (_, max_rows) = proto::parse_execute(batch[offset + rest.len() - 2].body()).ok()?;
        if max_rows != 0 {
            return None;
        }
        let (sql, types): (&str, &[u32]) = match &parse {
            Some(p) if p.name == bind.statement => (p.sql, &p.types),
            Some(_) => return None,
            None if bind.statement.is_empty() => return None,
            None => {
                let s = self.stmts.get(bind.statement)?;
                (&s.sql, &s.types)
            }
        };
        if !classify::may_be_cacheable(sql) {
            return None;
        }
        let values = proto::bind_values(bind.rest).ok()?;
        let mut k = key(sql);
        k.params = values.params;
        k.param_formats = values.param_formats;
        k.param_types = types.to_vec();
        k.result_formats = values.result_formats;
        Some(CachePlan { key: k })
    }
}

/// An origin message in the reader's buffer.
#[derive(Clone, Copy)]
struct MsgRef<'a> {
    tag: u8,
    raw: &'a [u8],
}

impl MsgRef<'_> {
    fn body(&self) -> &[u8] {
        &self.raw[5..]
    }
}

struct CachePlan {
    key: CacheKey,
}

impl Pooler {
    /// Whether `sql` may be cached; looks the functions it calls up in `pg_proc` when they are not known yet.
    pub(crate) async fn is_cacheable(self: &Arc<Self>, sql: &str) -> bool {
        if let Some(known) = self.cacheable.lock().expect("cacheable").get(sql) {
            return *known;
        }
        let answer = self.classify(sql).await;
        let mut memo = self.cacheable.lock().expect("cacheable");
        if memo.len() >= 10_000 {
            memo.clear();
        }
        memo.insert(sql.to_string(), answer);
        answer
    }

    async fn classify(self: &Arc<Self>, sql: &str) -> bool {
        for _ in 0..2 {
            let unknown = RefCell::new(Vec::new());
            let answer = {
                let known = self.volatility.lock().expect("volatility");
                classify::is_cacheable(sql, &|name: &str| {
                    let name = name.to_ascii_lowercase();
                    let name = name.rsplit('.').next().unwrap_or(&name).to_string();
                    match known.get(&name) {
                        Some(v) => Some(*v),
                        None => {
                            unknown.borrow_mut().push(name);
                            None
                        }
                    }
                })
            };
            let unknown = unknown.into_inner();
            if answer || unknown.is_empty() {
                return answer;
            }
            if !self.learn_volatility(&unknown).await {
                return false;
            }
        }
        false
    }

    /// Reads `pg_proc.provolatile` for `names` (the most volatile overload wins; a name not found is volatile).
    async fn learn_volatility(self: &Arc<Self>, names: &[String]) -> bool {
        let Ok(mut lease) = self.pool.acquire().await else {
            return false;
        };
        let list: Vec<String> = names
            .iter()
            .map(|n| format!("'{}'", n.replace('\'', "''")))
            .collect();
        let sql = format!(
            "SELECT proname, max(CASE provolatile WHEN 'v' THEN 2 WHEN 's' THEN 1 ELSE 0 END) FROM pg_catalog.pg_proc WHERE proname IN ({}) GROUP BY proname",
            list.join(",")
        );
        let rows = match lease.conn().simple(&sql).await {
            Ok(Ok((rows, b'I'))) => rows,
            _ => return false,
        };
        lease.release();
        let mut known = self.volatility.lock().expect("volatility");
        for n in names {
            known.insert(n.clone(), Volatility::Volatile);
        }
        for row in rows {
            if let [Some(name), Some(v)] = row.as_slice() {
                let v = match v.as_str() {
                    "0" => Volatility::Immutable,
                    "1" => Volatility::Stable,
                    _ => Volatility::Volatile,
                };
                known.insert(name.clone(), v);
            }
        }
        true
    }

    /// Refreshes a stale cache entry in the background (one refresh per key at a time).
    pub(crate) fn refresh(self: Arc<Self>, key: CacheKey) {
        if !self.cache.begin_refresh(&key) {
            return;
        }
        tokio::spawn(async move {
            match self.run_for_cache(&key).await {
                Some(result) => self.cache.store(key, result),
                None => self.cache.end_refresh(&key),
            }
        });
    }

    async fn run_for_cache(self: &Arc<Self>, key: &CacheKey) -> Option<CachedResult> {
        let mut lease = self.pool.acquire().await.ok()?;
        let conn = lease.conn();
        let request =
            if key.params.is_empty() && key.param_types.is_empty() && key.result_formats.is_empty()
            {
                proto::simple_query(&key.sql)
            } else {
                let mut b = BytesMut::new();
                b.extend_from_slice(&proto::build_parse("", &key.sql, &key.param_types));
                let mut bind = Builder::new(b'B')
                    .cstr("")
                    .cstr("")
                    .i16(key.param_formats.len() as i16);
                for f in &key.param_formats {
                    bind = bind.i16(*f);
                }
                bind = bind.i16(key.params.len() as i16);
                for p in &key.params {
                    bind = match p {
                        None => bind.i32(-1),
                        Some(v) => bind.i32(v.len() as i32).bytes(v),
                    };
                }
                bind = bind.i16(key.result_formats.len() as i16);
                for f in &key.result_formats {
                    bind = bind.i16(*f);
                }
                b.extend_from_slice(&bind.finish());
                b.extend_from_slice(&proto::build_target(b'D', b'P', ""));
                b.extend_from_slice(&Builder::new(b'E').cstr("").i32(0).finish());
                b.extend_from_slice(proto::SYNC);
                b.freeze()
            };
        conn.stream.write_all(&request).await.ok()?;
        let mut messages = BytesMut::new();
        let mut ok = true;
        loop {
            let msg = conn.reader.next(&mut conn.stream).await.ok()??;
            match msg.tag {
                b'T' | b'n' | b'D' | b'C' => messages.extend_from_slice(&msg.raw),
                b'E' | b'I' => ok = false,
                b'Z' => {
                    let idle = msg.body().first() == Some(&b'I');
                    if idle {
                        lease.release();
                    }
                    break;
                }
                _ => {}
            }
        }
        ok.then(|| CachedResult {
            messages: messages.freeze(),
        })
    }
}

async fn fatal(client: &mut TcpStream, code: &str, message: &str) -> io::Result<()> {
    client
        .write_all(&proto::error_response("FATAL", code, message))
        .await
}

fn acquire_error_text(pooler: &Pooler, e: &AcquireError) -> (String, String) {
    match e {
        AcquireError::Timeout(d) => (
            "53300".into(),
            format!(
                "too many clients: all {} origin connections of the pool are in use and none became free within {} ms (raise the pool size or the origin's capacity)",
                pooler.pool.settings.max_size,
                d.as_millis()
            ),
        ),
        AcquireError::Origin(e) => (
            e.sqlstate.clone().unwrap_or_else(|| "08006".into()),
            e.message.clone(),
        ),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
