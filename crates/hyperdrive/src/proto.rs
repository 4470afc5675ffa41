//! The Postgres v3 wire protocol, as far as a pooler needs it: framing (a tag byte and a length), the startup
//! packets (which have no tag), and builders and readers for the few messages the pooler makes or looks into.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt};

pub const PROTOCOL_3: i32 = 196608;
pub const SSL_REQUEST: i32 = 80877103;
pub const GSSENC_REQUEST: i32 = 80877104;
pub const CANCEL_REQUEST: i32 = 80877102;
/// Messages larger than this are refused (Postgres' own limit for most messages is 1 GiB; we are stricter).
pub const MAX_MESSAGE: usize = 256 << 20;

/// One protocol message: its tag and the whole encoded message (tag, length and body).
#[derive(Debug, Clone)]
pub struct Msg {
    pub tag: u8,
    pub raw: Bytes,
}

impl Msg {
    /// The body, after the tag and the length.
    pub fn body(&self) -> &[u8] {
        &self.raw[5..]
    }
}

/// Reads tagged messages from a stream into a buffer. `next` is cancel-safe (the partial message stays in the
/// buffer), so it can be used in `select!`.
#[derive(Default)]
pub struct MsgReader {
    buf: BytesMut,
}

impl MsgReader {
    pub fn new() -> MsgReader {
        MsgReader {
            buf: BytesMut::with_capacity(8192),
        }
    }

    /// A complete message already in the buffer.
    pub fn try_next(&mut self) -> io::Result<Option<Msg>> {
        if self.buf.len() < 5 {
            return Ok(None);
        }
        let len = i32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
        if len < 4 || len as usize > MAX_MESSAGE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("invalid message length {len}"),
            ));
        }
        let total = 1 + len as usize;
        if self.buf.len() < total {
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        let raw = self.buf.split_to(total).freeze();
        Ok(Some(Msg { tag: raw[0], raw }))
    }

    /// The next message, or `None` at end of stream.
    pub async fn next<R: AsyncRead + Unpin>(&mut self, io: &mut R) -> io::Result<Option<Msg>> {
        loop {
            if let Some(m) = self.try_next()? {
                return Ok(Some(m));
            }
            if self.buf.capacity() - self.buf.len() < 4096 {
                self.buf.reserve(8192);
            }
            let n = io.read_buf(&mut self.buf).await?;
            if n == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed in the middle of a message",
                ));
            }
        }
    }

    /// Reads once from `io` unless a whole message is already buffered; false at end of stream. Cancel-safe. The
    /// messages stay in the buffer, for [`MsgReader::take_buf`] and [`frame_len`]: no allocation per message.
    pub async fn fill<R: AsyncRead + Unpin>(&mut self, io: &mut R) -> io::Result<bool> {
        if self.buf.len() >= 5 {
            let total = frame_len(&self.buf)?;
            match total {
                Some(_) => return Ok(true),
                None => {
                    let want = 1 + i32::from_be_bytes([
                        self.buf[1],
                        self.buf[2],
                        self.buf[3],
                        self.buf[4],
                    ]) as usize;
                    self.buf.reserve(want.saturating_sub(self.buf.len()));
                }
            }
        }
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(8192);
        }
        let n = io.read_buf(&mut self.buf).await?;
        if n == 0 {
            if self.buf.is_empty() {
                return Ok(false);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed in the middle of a message",
            ));
        }
        Ok(true)
    }

    /// The buffer, to walk its messages in place with [`frame_len`]; give it back with [`MsgReader::put_buf`].
    pub fn take_buf(&mut self) -> BytesMut {
        std::mem::take(&mut self.buf)
    }

    /// Gives the buffer back after `consumed` bytes of whole messages were handled.
    pub fn put_buf(&mut self, mut buf: BytesMut, consumed: usize) {
        if consumed == buf.len() {
            buf.clear();
        } else {
            buf.advance(consumed);
        }
        self.buf = buf;
    }

    /// Whether bytes are waiting that are not yet a whole message.
    pub fn has_buffered(&self) -> bool {
        !self.buf.is_empty()
    }
}

/// The length of the whole message (tag, length, body) at the start of `b`, if all of it is there.
pub fn frame_len(b: &[u8]) -> io::Result<Option<usize>> {
    if b.len() < 5 {
        return Ok(None);
    }
    let len = i32::from_be_bytes([b[1], b[2], b[3], b[4]]);
    if len < 4 || len as usize > MAX_MESSAGE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("invalid message length {len}"),
        ));
    }
    let total = 1 + len as usize;
    Ok((b.len() >= total).then_some(total))
}

/// Reads an untagged startup-phase packet (length, then body); returns the body.
pub async fn read_startup<R: AsyncRead + Unpin>(io: &mut R) -> io::Result<Option<Bytes>> {
    let mut len = [0u8; 4];
    match io.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = i32::from_be_bytes(len);
    if !(8..=10_000).contains(&len) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "invalid startup packet length",
        ));
    }
    let mut body = vec![0u8; len as usize - 4];
    io.read_exact(&mut body).await?;
    Ok(Some(Bytes::from(body)))
}

/// A message builder: `tag`, then fields, then `finish` fills the length in.
pub struct Builder {
    buf: BytesMut,
    /// Where the length field starts: 1 after a tag, 0 for untagged startup packets.
    len_at: usize,
}

impl Builder {
    pub fn new(tag: u8) -> Builder {
        let mut buf = BytesMut::with_capacity(64);
        buf.put_u8(tag);
        buf.put_i32(0);
        Builder { buf, len_at: 1 }
    }

    /// An untagged message (startup packets).
    pub fn untagged() -> Builder {
        let mut buf = BytesMut::with_capacity(64);
        buf.put_i32(0);
        Builder { buf, len_at: 0 }
    }

    pub fn cstr(mut self, s: &str) -> Self {
        self.buf.put_slice(s.as_bytes());
        self.buf.put_u8(0);
        self
    }

    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.buf.put_slice(b);
        self
    }

    pub fn i32(mut self, v: i32) -> Self {
        self.buf.put_i32(v);
        self
    }

    pub fn i16(mut self, v: i16) -> Self {
        self.buf.put_i16(v);
        self
    }

    pub fn u8(mut self, v: u8) -> Self {
        self.buf.put_u8(v);
        self
    }

    pub fn finish(mut self) -> Bytes {
        let at = self.len_at;
        let len = (self.buf.len() - at) as i32;
        self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
        self.buf.freeze()
    }
}

/// Splits a NUL-terminated string off the front of `b`.
pub fn take_cstr<'a>(b: &mut &'a [u8]) -> io::Result<&'a str> {
    let Some(nul) = b.iter().position(|c| *c == 0) else {
        return Err(bad("missing NUL terminator"));
    };
    let s = std::str::from_utf8(&b[..nul]).map_err(|_| bad("string is not UTF-8"))?;
    *b = &b[nul + 1..];
    Ok(s)
}

pub fn take_i16(b: &mut &[u8]) -> io::Result<i16> {
    if b.len() < 2 {
        return Err(bad("message too short"));
    }
    Ok(b.get_i16())
}

pub fn take_i32(b: &mut &[u8]) -> io::Result<i32> {
    if b.len() < 4 {
        return Err(bad("message too short"));
    }
    Ok(b.get_i32())
}

pub fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// The startup parameters (`user`, `database`, ...) of a StartupMessage body (after the protocol version).
pub fn startup_params(mut body: &[u8]) -> io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    loop {
        let k = take_cstr(&mut body)?;
        if k.is_empty() {
            break;
        }
        let v = take_cstr(&mut body)?;
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// An ErrorResponse (or NoticeResponse with tag `N`) with severity, SQLSTATE and message.
pub fn error_response(severity: &str, code: &str, message: &str) -> Bytes {
    Builder::new(b'E')
        .u8(b'S')
        .cstr(severity)
        .u8(b'V')
        .cstr(severity)
        .u8(b'C')
        .cstr(code)
        .u8(b'M')
        .cstr(message)
        .u8(0)
        .finish()
}

pub fn ready_for_query(status: u8) -> Bytes {
    Builder::new(b'Z').u8(status).finish()
}

pub fn parameter_status(k: &str, v: &str) -> Bytes {
    Builder::new(b'S').cstr(k).cstr(v).finish()
}

pub fn command_complete(tag: &str) -> Bytes {
    Builder::new(b'C').cstr(tag).finish()
}

pub fn simple_query(sql: &str) -> Bytes {
    Builder::new(b'Q').cstr(sql).finish()
}

pub const PARSE_COMPLETE: &[u8] = &[b'1', 0, 0, 0, 4];
pub const BIND_COMPLETE: &[u8] = &[b'2', 0, 0, 0, 4];
pub const CLOSE_COMPLETE: &[u8] = &[b'3', 0, 0, 0, 4];
pub const SYNC: &[u8] = &[b'S', 0, 0, 0, 4];

/// Fields of an ErrorResponse / NoticeResponse body: (code letter, value).
pub fn error_fields(body: &[u8]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut b = body;
    while let Some((&code, rest)) = b.split_first() {
        if code == 0 {
            break;
        }
        b = rest;
        match take_cstr(&mut b) {
            Ok(v) => out.push((code, v.to_string())),
            Err(_) => break,
        }
    }
    out
}

/// `severity: message (SQLSTATE)` of an ErrorResponse body, for logs and error strings.
pub fn describe_error(body: &[u8]) -> String {
    let fields = error_fields(body);
    let get = |c: u8| {
        fields
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    format!("{}: {} ({})", get(b'S'), get(b'M'), get(b'C'))
}

/// The SQLSTATE of an ErrorResponse body.
pub fn error_code(body: &[u8]) -> String {
    error_fields(body)
        .into_iter()
        .find(|(k, _)| *k == b'C')
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// A parsed Parse message.
pub struct Parse<'a> {
    pub name: &'a str,
    pub sql: &'a str,
    pub types: Vec<u32>,
}

pub fn parse_parse(body: &[u8]) -> io::Result<Parse<'_>> {
    let mut b = body;
    let name = take_cstr(&mut b)?;
    let sql = take_cstr(&mut b)?;
    let n = take_i16(&mut b)?;
    let mut types = Vec::with_capacity(n.max(0) as usize);
    for _ in 0..n {
        types.push(take_i32(&mut b)? as u32);
    }
    Ok(Parse { name, sql, types })
}

pub fn build_parse(name: &str, sql: &str, types: &[u32]) -> Bytes {
    let mut b = Builder::new(b'P')
        .cstr(name)
        .cstr(sql)
        .i16(types.len() as i16);
    for t in types {
        b = b.i32(*t as i32);
    }
    b.finish()
}

/// A parsed Bind message (the portal, the statement, and where the statement name sits in the raw bytes).
pub struct Bind<'a> {
    pub portal: &'a str,
    pub statement: &'a str,
    /// The rest of the body after the statement name.
    pub rest: &'a [u8],
}

pub fn parse_bind(body: &[u8]) -> io::Result<Bind<'_>> {
    let mut b = body;
    let portal = take_cstr(&mut b)?;
    let statement = take_cstr(&mut b)?;
    Ok(Bind {
        portal,
        statement,
        rest: b,
    })
}

/// Parameter formats, values and result formats of a Bind body's rest.
pub struct BindValues {
    pub param_formats: Vec<i16>,
    pub params: Vec<Option<Vec<u8>>>,
    pub result_formats: Vec<i16>,
}

pub fn bind_values(rest: &[u8]) -> io::Result<BindValues> {
    let mut b = rest;
    let nf = take_i16(&mut b)?;
    let mut param_formats = Vec::new();
    for _ in 0..nf {
        param_formats.push(take_i16(&mut b)?);
    }
    let np = take_i16(&mut b)?;
    let mut params = Vec::new();
    for _ in 0..np {
        let len = take_i32(&mut b)?;
        if len < 0 {
            params.push(None);
        } else {
            let len = len as usize;
            if b.len() < len {
                return Err(bad("bind too short"));
            }
            params.push(Some(b[..len].to_vec()));
            b = &b[len..];
        }
    }
    let nr = take_i16(&mut b)?;
    let mut result_formats = Vec::new();
    for _ in 0..nr {
        result_formats.push(take_i16(&mut b)?);
    }
    Ok(BindValues {
        param_formats,
        params,
        result_formats,
    })
}

pub fn build_bind(portal: &str, statement: &str, rest: &[u8]) -> Bytes {
    Builder::new(b'B')
        .cstr(portal)
        .cstr(statement)
        .bytes(rest)
        .finish()
}

/// Describe or Close: the kind (`S` statement, `P` portal) and the name.
pub fn parse_target(body: &[u8]) -> io::Result<(u8, &str)> {
    let (&kind, mut rest) = body.split_first().ok_or_else(|| bad("empty message"))?;
    let name = take_cstr(&mut rest)?;
    Ok((kind, name))
}

pub fn build_target(tag: u8, kind: u8, name: &str) -> Bytes {
    Builder::new(tag).u8(kind).cstr(name).finish()
}

/// The Execute message's portal and row limit.
pub fn parse_execute(body: &[u8]) -> io::Result<(&str, i32)> {
    let mut b = body;
    let portal = take_cstr(&mut b)?;
    let max = take_i32(&mut b)?;
    Ok((portal, max))
}
