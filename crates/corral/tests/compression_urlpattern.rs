//! End-to-end tests of `CompressionStream` / `DecompressionStream` and `URLPattern` as a Workers developer
//! sees them: a real `corral dev` process serving a worker whose routes each exercise one case, spoken to over
//! HTTP. Compressed bodies the worker streams out are decoded here with flate2, as they arrive.

mod common;

use common::{client, Corral, WorkerDir};
use serde_json::{json, Value};
use std::io::{Read, Write};

// ------------------------------------------------------------------------------------------- the worker

const WORKER_JS: &str = r##"
const enc = new TextEncoder();
const dec = new TextDecoder();
const json = (value) => Response.json(value);

// xorshift32 bytes: incompressible, and the test computes the same ones.
function noise(seed, length) {
  let x = seed;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function streamOf(chunks) {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
}

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return { bytes: out, chunks };
}

function errorInfo(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return { name: e.name, message: String(e.message) };
  }
}

async function rejection(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, message: String(e.message) };
  }
}

// Resolved by GET /release: lets the test see the first part of a streamed body before the rest is produced.
let release = null;

const routes = {
  // Compress a three-chunk text, then decompress it fed in 7-byte slices, in every format.
  async "/roundtrip"() {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i}: the quick brown fox\n`).join("");
    const out = {};
    for (const format of ["gzip", "deflate", "deflate-raw"]) {
      const thirds = [text.slice(0, 1000), text.slice(1000, 5000), text.slice(5000)].map((s) => enc.encode(s));
      const packed = await readAll(streamOf(thirds).pipeThrough(new CompressionStream(format)));
      const slices = [];
      for (let i = 0; i < packed.bytes.byteLength; i += 7) slices.push(packed.bytes.slice(i, i + 7));
      const unpacked = await readAll(streamOf(slices).pipeThrough(new DecompressionStream(format)));
      out[format] = {
        same: dec.decode(unpacked.bytes) === text,
        length: unpacked.bytes.byteLength,
        compressedSmaller: packed.bytes.byteLength < text.length / 4,
        firstBytes: Array.from(packed.bytes.subarray(0, 3)),
        allUint8Array: [...packed.chunks, ...unpacked.chunks].every((c) => c instanceof Uint8Array),
        inputSlices: slices.length,
      };
    }
    return json(out);
  },

  // A compressed response body streamed to the client: 100,000 noise bytes, then (after GET /release, or 10 s)
  // 100,000 more and "end".
  async "/compressed"(request, url) {
    const format = url.searchParams.get("format");
    let step = 0;
    const source = new ReadableStream({
      async pull(c) {
        step++;
        if (step === 1) c.enqueue(noise(1, 100000));
        else if (step === 2) {
          await Promise.race([new Promise((r) => (release = r)), new Promise((r) => setTimeout(r, 10000))]);
          c.enqueue(noise(2, 100000));
        } else {
          c.enqueue(enc.encode("end"));
          c.close();
        }
      },
    });
    return new Response(source.pipeThrough(new CompressionStream(format)), {
      headers: { "content-type": "application/octet-stream" },
    });
  },
  async "/release"() {
    const waiting = release !== null;
    if (waiting) release();
    release = null;
    return json({ released: waiting });
  },

  // The request body (as it arrives, chunk by chunk) decompressed straight into the response body.
  async "/decompress"(request, url) {
    return new Response(request.body.pipeThrough(new DecompressionStream(url.searchParams.get("format"))));
  },

  async "/errors"() {
    const gz = await readAll(streamOf([enc.encode("hello")]).pipeThrough(new CompressionStream("gzip")));
    const trailing = new Uint8Array(gz.bytes.byteLength + 2);
    trailing.set(gz.bytes);
    return json({
      unknownFormat: errorInfo(() => new CompressionStream("br")),
      unknownDecompressionFormat: errorInfo(() => new DecompressionStream("zip")),
      corruptGzip: await rejection(readAll(streamOf([enc.encode("plain text, not gzip")]).pipeThrough(new DecompressionStream("gzip")))),
      corruptDeflate: await rejection(readAll(streamOf([new Uint8Array([0x78, 0x9c, 0xff, 0xff, 0xff])]).pipeThrough(new DecompressionStream("deflate")))),
      trailingData: await rejection(readAll(streamOf([trailing]).pipeThrough(new DecompressionStream("gzip")))),
      truncated: await rejection(readAll(streamOf([gz.bytes.subarray(0, 12)]).pipeThrough(new DecompressionStream("gzip")))),
      notBytes: await rejection(readAll(streamOf(["text"]).pipeThrough(new CompressionStream("deflate")))),
    });
  },

  // Both globals are lazy accessors until first touched.
  async "/lazy"() {
    const isAccessor = (name) => typeof Object.getOwnPropertyDescriptor(globalThis, name).get === "function";
    const before = ["CompressionStream", "DecompressionStream", "URLPattern"].map(isAccessor);
    new URLPattern({ pathname: "/x" });
    new CompressionStream("gzip");
    const after = ["CompressionStream", "DecompressionStream", "URLPattern"].map(isAccessor);
    return json({ before, after });
  },

  async "/urlpattern"() {
    const books = new URLPattern({ pathname: "/books/:id" });
    const booksMatch = books.exec("https://example.com/books/42?ref=home");
    const api = new URLPattern("/api/:version/*", "https://example.com");
    const apiMatch = api.exec("https://example.com/api/v2/users/7/posts");
    const numeric = new URLPattern({ pathname: "/post/:id(\\d+)" });
    const host = new URLPattern({ hostname: "{:sub.}?example.com", pathname: "/*" });
    const caseless = new URLPattern({ pathname: "/Docs/:page" }, { ignoreCase: true });
    const full = new URLPattern("https://shop.example.com:8443/cart/:item/view?q=*#top");
    const withBaseOptions = new URLPattern("/About", "https://example.com", { ignoreCase: true });
    return json({
      booksTest: [books.test("https://example.com/books/42"), books.test("https://example.com/books"), books.test("https://example.com/books/4/2")],
      booksGroups: booksMatch.pathname.groups,
      booksInputs: booksMatch.inputs,
      booksProtocol: booksMatch.protocol,
      booksSearch: booksMatch.search,
      booksNoMatch: books.exec("https://example.com/authors/1"),
      apiComponents: [api.protocol, api.hostname, api.port, api.pathname, api.search, api.hash],
      apiGroups: apiMatch.pathname.groups,
      apiOtherHost: api.test("https://example.org/api/v2/x"),
      apiRelative: api.exec("/api/v1/x", "https://example.com").inputs,
      numericTest: [numeric.test("https://a.example/post/123"), numeric.test("https://a.example/post/abc")],
      numericGroups: numeric.exec({ pathname: "/post/123" }).pathname.groups,
      hasRegExpGroups: [numeric.hasRegExpGroups, books.hasRegExpGroups],
      hostGroups: host.exec("https://eu.example.com/anything").hostname.groups,
      hostBare: host.exec("https://example.com/").hostname.groups.sub === undefined,
      hostOther: host.test("https://example.net/"),
      initInput: books.exec({ pathname: "/books/9", baseURL: "https://example.com" }).inputs,
      caseless: [caseless.test({ pathname: "/docs/intro" }), new URLPattern({ pathname: "/Docs/:page" }).test({ pathname: "/docs/intro" })],
      caselessGroups: caseless.exec({ pathname: "/DOCS/Intro" }).pathname.groups,
      withBaseOptions: withBaseOptions.test("https://example.com/about"),
      fullComponents: [full.protocol, full.username, full.hostname, full.port, full.pathname, full.search, full.hash],
      fullTest: [full.test("https://shop.example.com:8443/cart/17/view?q=socks#top"), full.test("https://shop.example.com/cart/17/view?q=socks#top")],
      noBase: errorInfo(() => new URLPattern("/books/:id")),
      badToken: errorInfo(() => new URLPattern({ pathname: "/books/:id(" })),
      badRegExp: errorInfo(() => new URLPattern({ pathname: "/(a[)" })),
      initWithBase: errorInfo(() => new URLPattern({ pathname: "/a" }, "https://example.com")),
      badBase: errorInfo(() => new URLPattern("/a", "not a url")),
    });
  },
};

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const route = routes[url.pathname];
    if (!route) return new Response(`no route ${url.pathname}`, { status: 404 });
    return route(request, url);
  },
};
"##;

fn start() -> (Corral, WorkerDir) {
    let dir = WorkerDir::script("compression", WORKER_JS);
    let server = Corral::dev(dir.path(), &[]);
    (server, dir)
}

fn get_json(server: &Corral, path: &str) -> Value {
    let r = client().get(server.url(path)).send().unwrap();
    let status = r.status().as_u16();
    let text = r.text().unwrap();
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
}

/// The bytes the worker's `noise(seed, length)` makes.
fn noise(seed: u32, length: usize) -> Vec<u8> {
    let mut x = seed;
    (0..length)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect()
}

/// A flate2 streaming decoder for one of the formats, writing into a Vec.
fn decoder(format: &str) -> Box<dyn DecodeInto> {
    match format {
        "gzip" => Box::new(flate2::write::GzDecoder::new(Vec::new())),
        "deflate" => Box::new(flate2::write::ZlibDecoder::new(Vec::new())),
        "deflate-raw" => Box::new(flate2::write::DeflateDecoder::new(Vec::new())),
        other => panic!("no format {other}"),
    }
}

/// A streaming decoder: feed compressed bytes, see how much came out so far, finish.
trait DecodeInto {
    fn feed(&mut self, compressed: &[u8]);
    fn decoded(&self) -> &[u8];
    fn finish(self: Box<Self>) -> Vec<u8>;
}

macro_rules! decode_into {
    ($t:ty) => {
        impl DecodeInto for $t {
            fn feed(&mut self, compressed: &[u8]) {
                self.write_all(compressed).unwrap();
                self.flush().unwrap();
            }
            fn decoded(&self) -> &[u8] {
                self.get_ref()
            }
            fn finish(self: Box<Self>) -> Vec<u8> {
                (*self).finish().unwrap()
            }
        }
    };
}
decode_into!(flate2::write::GzDecoder<Vec<u8>>);
decode_into!(flate2::write::ZlibDecoder<Vec<u8>>);
decode_into!(flate2::write::DeflateDecoder<Vec<u8>>);

// ========================================================================================== the tests

#[test]
fn round_trips_in_every_format_with_multi_chunk_input() {
    let (server, _dir) = start();
    let v = get_json(&server, "/roundtrip");
    let text_len: usize = (0..300)
        .map(|i| format!("line {i}: the quick brown fox\n").len())
        .sum();
    for (format, first_bytes) in [
        ("gzip", json!([0x1f, 0x8b, 8])),
        (
            "deflate",
            json!([0x78, 0x9c, v["deflate"]["firstBytes"][2]]),
        ),
        ("deflate-raw", v["deflate-raw"]["firstBytes"].clone()),
    ] {
        let r = &v[format];
        assert_eq!(r["same"], true, "{format}: {r}");
        assert_eq!(r["length"], text_len, "{format}");
        assert_eq!(r["compressedSmaller"], true, "{format}");
        assert_eq!(r["allUint8Array"], true, "{format}");
        assert_eq!(r["firstBytes"], first_bytes, "{format}");
        assert!(r["inputSlices"].as_u64().unwrap() > 10, "{format}: {r}");
    }
    // Raw deflate has no header: it is the zlib stream without its first two bytes.
    assert_eq!(
        v["deflate-raw"]["firstBytes"][0],
        v["deflate"]["firstBytes"][2]
    );
}

/// Reads the streamed compressed body of `/compressed?format=...`, decoding as it arrives: part of the first
/// 100,000 bytes must be out before the worker is told to produce the rest.
fn streamed_compressed_response(format: &str) {
    let (server, _dir) = start();
    let mut response = client()
        .get(server.url(&format!("/compressed?format={format}")))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    let mut decoder = decoder(format);
    let mut buf = [0u8; 4096];
    let mut reads = 0;
    while decoder.decoded().len() < 32_768 {
        let n = response.read(&mut buf).unwrap();
        assert!(n > 0, "{format}: the body ended early");
        decoder.feed(&buf[..n]);
        reads += 1;
    }
    let early = decoder.decoded().len();
    assert!(early < 200_000, "{format}: {early} bytes before release");
    assert_eq!(
        get_json(&server, "/release"),
        json!({"released": true}),
        "{format}: the worker was waiting for the release"
    );
    loop {
        let n = response.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        decoder.feed(&buf[..n]);
        reads += 1;
    }
    assert!(reads > 2, "{format}: the body came in {reads} reads");
    let decoded = decoder.finish();
    let mut expected = noise(1, 100_000);
    expected.extend(noise(2, 100_000));
    expected.extend_from_slice(b"end");
    assert_eq!(decoded.len(), expected.len(), "{format}");
    assert!(decoded == expected, "{format}: decoded bytes differ");
}

#[test]
fn a_gzip_response_body_streams_to_the_client() {
    streamed_compressed_response("gzip");
}

#[test]
fn a_deflate_response_body_streams_to_the_client() {
    streamed_compressed_response("deflate");
}

#[test]
fn a_deflate_raw_response_body_streams_to_the_client() {
    streamed_compressed_response("deflate-raw");
}

#[test]
fn a_streamed_request_body_is_decompressed_into_the_response() {
    let (server, _dir) = start();
    let text: String = (0..20_000)
        .map(|i| format!("record {i}: some log text\n"))
        .collect();
    for format in ["gzip", "deflate", "deflate-raw"] {
        let compressed = match format {
            "gzip" => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(text.as_bytes()).unwrap();
                e.finish().unwrap()
            }
            "deflate" => {
                let mut e =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(text.as_bytes()).unwrap();
                e.finish().unwrap()
            }
            _ => {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(text.as_bytes()).unwrap();
                e.finish().unwrap()
            }
        };
        // Sent chunked, in pieces of at most 1,000 bytes.
        let body = reqwest::blocking::Body::new(SlowReader {
            data: compressed,
            at: 0,
        });
        let r = client()
            .post(server.url(&format!("/decompress?format={format}")))
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{format}");
        let answer = r.text().unwrap();
        assert_eq!(answer.len(), text.len(), "{format}");
        assert!(answer == text, "{format}: the decompressed body differs");
    }
}

/// A reader that hands out at most 1,000 bytes per read, so the request body goes out in many chunks.
struct SlowReader {
    data: Vec<u8>,
    at: usize,
}

impl Read for SlowReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.data.len() - self.at).min(buf.len()).min(1_000);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn bad_formats_and_bad_input_are_type_errors() {
    let (server, _dir) = start();
    let v = get_json(&server, "/errors");
    let formats = "The formats are \"gzip\", \"deflate\" and \"deflate-raw\".";
    assert_eq!(
        v["unknownFormat"],
        json!({"name": "TypeError", "message": format!("Unsupported compression format: 'br'. {formats}")})
    );
    assert_eq!(
        v["unknownDecompressionFormat"],
        json!({"name": "TypeError", "message": format!("Unsupported compression format: 'zip'. {formats}")})
    );
    assert_eq!(
        v["corruptGzip"],
        json!({"name": "TypeError", "message": "Decompression failed: the input is not gzip data (wrong magic bytes)."})
    );
    assert_eq!(
        v["corruptDeflate"],
        json!({"name": "TypeError", "message": "Decompression failed: the input is not valid deflate data."})
    );
    assert_eq!(
        v["trailingData"],
        json!({"name": "TypeError", "message": "Decompression failed: there is data after the end of the gzip stream."})
    );
    assert_eq!(
        v["truncated"],
        json!({"name": "TypeError", "message": "Decompression failed: the gzip stream ended before it was complete."})
    );
    assert_eq!(
        v["notBytes"],
        json!({"name": "TypeError", "message": "CompressionStream only accepts ArrayBuffer or ArrayBufferView chunks."})
    );
}

#[test]
fn corrupt_request_body_cuts_the_streamed_response() {
    let (server, _dir) = start();
    let r = client()
        .post(server.url("/decompress?format=gzip"))
        .body("this is not gzip")
        .send();
    // The stream errors before its first byte: the server drops the connection (a failed request), or a
    // response that had started is cut off.
    if let Ok(r) = r {
        let status = r.status().as_u16();
        let body = r.text();
        assert!(
            status != 200 || body.is_err(),
            "a corrupt body gave {status} {body:?}"
        );
    }
    assert!(
        server.wait_for_log("not gzip data", std::time::Duration::from_secs(5)),
        "the error is logged: {}",
        server.log()
    );
}

#[test]
fn the_globals_load_on_first_use() {
    let (server, _dir) = start();
    assert_eq!(
        get_json(&server, "/lazy"),
        json!({"before": [true, true, true], "after": [false, false, false]})
    );
}

#[test]
fn url_pattern_test_exec_groups_and_errors() {
    let (server, _dir) = start();
    let v = get_json(&server, "/urlpattern");
    assert_eq!(v["booksTest"], json!([true, false, false]));
    assert_eq!(v["booksGroups"], json!({"id": "42"}));
    assert_eq!(
        v["booksInputs"],
        json!(["https://example.com/books/42?ref=home"])
    );
    assert_eq!(
        v["booksProtocol"],
        json!({"input": "https", "groups": {"0": "https"}})
    );
    assert_eq!(
        v["booksSearch"],
        json!({"input": "ref=home", "groups": {"0": "ref=home"}})
    );
    assert_eq!(v["booksNoMatch"], Value::Null);
    assert_eq!(
        v["apiComponents"],
        json!(["https", "example.com", "", "/api/:version/*", "*", "*"])
    );
    assert_eq!(
        v["apiGroups"],
        json!({"0": "users/7/posts", "version": "v2"})
    );
    assert_eq!(v["apiOtherHost"], false);
    assert_eq!(
        v["apiRelative"],
        json!(["/api/v1/x", "https://example.com"])
    );
    assert_eq!(v["numericTest"], json!([true, false]));
    assert_eq!(v["numericGroups"], json!({"id": "123"}));
    assert_eq!(v["hasRegExpGroups"], json!([true, false]));
    assert_eq!(v["hostGroups"], json!({"sub": "eu"}));
    assert_eq!(v["hostBare"], true);
    assert_eq!(v["hostOther"], false);
    assert_eq!(
        v["initInput"],
        json!([{"baseURL": "https://example.com", "pathname": "/books/9"}])
    );
    assert_eq!(v["caseless"], json!([true, false]));
    assert_eq!(v["caselessGroups"], json!({"page": "Intro"}));
    assert_eq!(v["withBaseOptions"], true);
    assert_eq!(
        v["fullComponents"],
        json!([
            "https",
            "*",
            "shop.example.com",
            "8443",
            "/cart/:item/view",
            "q=*",
            "top"
        ])
    );
    assert_eq!(v["fullTest"], json!([true, false]));
    assert_eq!(
        v["noBase"],
        json!({"name": "TypeError", "message": "Invalid URL pattern \"/books/:id\": it has no protocol, so it needs a base URL as the second argument (or use an init object such as { pathname: \"/path/:id\" })."})
    );
    assert_eq!(v["badToken"]["name"], "TypeError");
    assert!(
        v["badToken"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid URL pattern: "),
        "{}",
        v["badToken"]
    );
    assert_eq!(v["badRegExp"]["name"], "TypeError");
    assert!(
        v["badRegExp"]["message"].as_str().unwrap().starts_with(
            "Invalid URL pattern: the regular expression of its pathname is not valid"
        ),
        "{}",
        v["badRegExp"]
    );
    assert_eq!(
        v["initWithBase"],
        json!({"name": "TypeError", "message": "Invalid URL pattern: a base URL cannot be given as a separate argument with an init object; set the object's baseURL instead."})
    );
    assert_eq!(
        v["badBase"],
        json!({"name": "TypeError", "message": "Invalid base URL \"not a url\" for a URL pattern: relative URL without a base."})
    );
}
