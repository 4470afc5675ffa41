//! Host functions behind `js/url.js`: WHATWG URL parsing and the URL setters, through the `url` crate
//! (its `quirks` module mirrors the WHATWG URL API's getters and setters), plus
//! `application/x-www-form-urlencoded` parsing and serialization for `URLSearchParams`.
//!
//! Contract (all strings are expected to be well-formed; `url.js` calls `toWellFormed` first):
//!
//! - `host.urlParse(input, base?)` → `[href, s1, e1, s2, e2, ..., s9, e9, origin]`, or `null` when `input`
//!   (against `base`, when given and not `undefined`) does not parse, or when `base` itself does not parse.
//!   Component `i` (1 protocol, 2 username, 3 password, 4 host, 5 hostname, 6 port, 7 pathname, 8 search,
//!   9 hash) is `href.slice(si, ei)`, or `si` itself when that is a string; `origin` is a string, or the length of
//!   the prefix of `href` that is the origin. One string instead of eleven: `new URL` runs on most requests.
//! - `host.urlSet(href, setter, value)` → the same array after running the WHATWG setter named `setter`
//!   (`"href"`, `"protocol"`, `"username"`, `"password"`, `"host"`, `"hostname"`, `"port"`, `"pathname"`,
//!   `"search"`, `"hash"`) on the URL `href`. Only the `href` setter can fail: it then returns `null` (the
//!   caller throws `TypeError`). Other setters silently leave the URL unchanged on bad input, as the spec says.
//! - `host.urlSearchParamsParse(str)` → flat `[name0, value0, name1, value1, ...]`.
//! - `host.urlSearchParamsSerialize(flat)` → the urlencoded string of a flat `[name, value, ...]` array.
//! - `host.domainToASCII(domain)` / `host.domainToUnicode(domain)` → string (`""` when invalid).

use rquickjs::{function::Opt, Array, Ctx, Exception, Function, Object, Result, Value};
use url::{quirks, Url};

/// Number of WHATWG getters (`href` to `origin`).
#[cfg(test)]
const COMPONENTS: usize = 11;

pub fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    host.set(
        "urlParse",
        Function::new(ctx.clone(), url_parse)?.with_name("urlParse")?,
    )?;
    host.set(
        "urlSet",
        Function::new(ctx.clone(), url_set)?.with_name("urlSet")?,
    )?;
    host.set(
        "urlSearchParamsParse",
        Function::new(ctx.clone(), search_params_parse)?.with_name("urlSearchParamsParse")?,
    )?;
    host.set(
        "urlSearchParamsSerialize",
        Function::new(ctx.clone(), search_params_serialize)?
            .with_name("urlSearchParamsSerialize")?,
    )?;
    host.set(
        "domainToASCII",
        Function::new(ctx.clone(), |domain: String| {
            quirks::domain_to_ascii(&domain)
        })?
        .with_name("domainToASCII")?,
    )?;
    host.set(
        "domainToUnicode",
        Function::new(ctx.clone(), |domain: String| {
            quirks::domain_to_unicode(&domain)
        })?
        .with_name("domainToUnicode")?,
    )?;
    Ok(())
}

/// The WHATWG getters of `url`, in the order `url.js` numbers them.
#[cfg(test)]
fn components(url: &Url) -> [String; COMPONENTS] {
    [
        quirks::href(url).to_owned(),
        quirks::protocol(url).to_owned(),
        quirks::username(url).to_owned(),
        quirks::password(url).to_owned(),
        quirks::host(url).to_owned(),
        quirks::hostname(url).to_owned(),
        quirks::port(url).to_owned(),
        quirks::pathname(url).to_owned(),
        quirks::search(url).to_owned(),
        quirks::hash(url).to_owned(),
        quirks::origin(url),
    ]
}

/// Parses `input` against the optional `base`, per the WHATWG "API URL parser".
pub fn parse(input: &str, base: Option<&str>) -> Option<Url> {
    match base {
        Some(base) => {
            let base = Url::parse(base).ok()?;
            Url::options().base_url(Some(&base)).parse(input).ok()
        }
        None => Url::parse(input).ok(),
    }
}

/// Runs the WHATWG setter `setter` on `url`. `Err` only for an invalid `href` or an unknown setter name.
pub fn set(url: &mut Url, setter: &str, value: &str) -> std::result::Result<(), String> {
    match setter {
        "href" => return quirks::set_href(url, value).map_err(|e| e.to_string()),
        // The other setters report failures that the WHATWG API ignores.
        "protocol" => drop(quirks::set_protocol(url, value)),
        "username" => drop(quirks::set_username(url, value)),
        "password" => drop(quirks::set_password(url, value)),
        "host" => drop(quirks::set_host(url, value)),
        "hostname" => drop(quirks::set_hostname(url, value)),
        "port" => drop(quirks::set_port(url, value)),
        "pathname" => quirks::set_pathname(url, value),
        "search" => quirks::set_search(url, value),
        "hash" => quirks::set_hash(url, value),
        other => return Err(format!("unknown URL setter {other:?}")),
    }
    Ok(())
}

/// Number of entries in the array that `urlParse` / `urlSet` return.
pub const PARSED_LEN: usize = 20;

fn to_js_array<'js>(ctx: &Ctx<'js>, url: &Url) -> Result<Value<'js>> {
    use rquickjs::qjs;
    let href = url.as_str();
    let ptr = ctx.as_raw().as_ptr();
    let string = |text: &str| {
        // SAFETY: `text` is valid for `len` bytes of UTF-8.
        unsafe { qjs::JS_NewStringLen(ptr, text.as_ptr().cast(), text.len() as _) }
    };
    let int = |n: usize| qjs::JS_MKVAL(qjs::JS_TAG_INT, n as i32);
    let mut raw = Vec::with_capacity(PARSED_LEN);
    raw.push(string(href));
    // The getters' results borrow from `href` (or are a static ""): each becomes its offsets.
    let parts = [
        quirks::protocol(url),
        quirks::username(url),
        quirks::password(url),
        quirks::host(url),
        quirks::hostname(url),
        quirks::port(url),
        quirks::pathname(url),
        quirks::search(url),
        quirks::hash(url),
    ];
    for part in parts {
        let start = (part.as_ptr() as usize).wrapping_sub(href.as_ptr() as usize);
        if part.is_empty() {
            raw.extend([int(0), int(0)]);
        } else if start < href.len() && start + part.len() <= href.len() {
            raw.extend([int(start), int(start + part.len())]);
        } else {
            raw.extend([string(part), int(0)]);
        }
    }
    let origin = quirks::origin(url);
    raw.push(if href.starts_with(&origin) {
        int(origin.len())
    } else {
        string(&origin)
    });
    // A string that could not be made (out of memory) is an exception marker: free the rest and fail.
    // SAFETY: reads the tags of values made above.
    if raw.iter().any(|v| unsafe { qjs::JS_IsException(*v) }) {
        for v in raw {
            // SAFETY: each is an owned value (an exception marker holds nothing to free).
            unsafe { qjs::JS_FreeValue(ptr, v) };
        }
        return Err(rquickjs::Error::Exception);
    }
    // SAFETY: `raw` holds PARSED_LEN owned values, which JS_NewArrayFrom takes over.
    let array = unsafe { qjs::JS_NewArrayFrom(ptr, raw.len() as _, raw.as_ptr()) };
    // SAFETY: a new reference (or the exception marker) returned for this context.
    let array = unsafe { Value::from_raw(ctx.clone(), array) };
    if array.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    Ok(array)
}

fn url_parse<'js>(ctx: Ctx<'js>, input: String, base: Opt<Option<String>>) -> Result<Value<'js>> {
    match parse(&input, base.0.flatten().as_deref()) {
        Some(url) => to_js_array(&ctx, &url),
        None => Ok(Value::new_null(ctx)),
    }
}

fn url_set<'js>(ctx: Ctx<'js>, href: String, setter: String, value: String) -> Result<Value<'js>> {
    let Ok(mut url) = Url::parse(&href) else {
        return Ok(Value::new_null(ctx));
    };
    match set(&mut url, &setter, &value) {
        Ok(()) => to_js_array(&ctx, &url),
        Err(_) if setter == "href" => Ok(Value::new_null(ctx)),
        Err(message) => Err(Exception::throw_type(&ctx, &message)),
    }
}

fn search_params_parse<'js>(ctx: Ctx<'js>, input: String) -> Result<Array<'js>> {
    let array = Array::new(ctx)?;
    let mut i = 0;
    for (name, value) in url::form_urlencoded::parse(input.as_bytes()) {
        array.set(i, name.as_ref())?;
        array.set(i + 1, value.as_ref())?;
        i += 2;
    }
    Ok(array)
}

fn search_params_serialize(flat: Array<'_>) -> Result<String> {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    let len = flat.len();
    let mut i = 0;
    while i + 1 < len {
        let name: String = flat.get(i)?;
        let value: String = flat.get(i + 1)?;
        serializer.append_pair(&name, &value);
        i += 2;
    }
    Ok(serializer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rquickjs::{Context, Runtime};

    fn with_host<F: FnOnce(&Ctx<'_>)>(f: F) {
        let runtime = Runtime::new().unwrap();
        let context = Context::full(&runtime).unwrap();
        context.with(|ctx| {
            let host = Object::new(ctx.clone()).unwrap();
            register(&ctx, &host).unwrap();
            ctx.globals().set("host", host).unwrap();
            // The eleven WHATWG getters from urlParse's offsets (as url.js reads them).
            ctx.eval::<(), _>(
                "globalThis.decode = (c) => c === null ? null : [c[0], \
                   ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => typeof c[2 * i - 1] === 'string' ? c[2 * i - 1] : c[0].slice(c[2 * i - 1], c[2 * i])), \
                   typeof c[19] === 'string' ? c[19] : c[0].slice(0, c[19])];",
            )
            .unwrap();
            f(&ctx);
        });
    }

    fn eval_string(ctx: &Ctx<'_>, source: &str) -> String {
        match ctx.eval::<String, _>(source) {
            Ok(s) => s,
            Err(e) => panic!("{source}: {e:?} {:?}", ctx.catch()),
        }
    }

    #[test]
    fn parse_components() {
        with_host(|ctx| {
            assert_eq!(
                eval_string(ctx, "decode(host.urlParse('HTTPS://user:pa%20ss@EXAMPLE.com:443/a/../b?x=1#frag')).join('|')"),
                "https://user:pa%20ss@example.com/b?x=1#frag|https:|user|pa%20ss|example.com|example.com||/b|?x=1|#frag|https://example.com"
            );
            assert_eq!(
                eval_string(ctx, "decode(host.urlParse('http://h:8080/p?')).join('|')"),
                "http://h:8080/p?|http:|||h:8080|h|8080|/p|||http://h:8080"
            );
        });
    }

    #[test]
    fn parse_relative_and_invalid() {
        with_host(|ctx| {
            assert_eq!(
                eval_string(ctx, "host.urlParse('../c?q', 'http://a/b/d/e')[0]"),
                "http://a/b/c?q"
            );
            assert_eq!(
                eval_string(ctx, "host.urlParse('//x.org/', 'https://a/')[0]"),
                "https://x.org/"
            );
            assert_eq!(
                eval_string(ctx, "String(host.urlParse('/relative'))"),
                "null"
            );
            assert_eq!(
                eval_string(ctx, "String(host.urlParse('x', 'not a base'))"),
                "null"
            );
            assert_eq!(
                eval_string(ctx, "String(host.urlParse('http://[::1', undefined))"),
                "null"
            );
            assert_eq!(
                eval_string(ctx, "host.urlParse('http://a/', undefined)[0]"),
                "http://a/"
            );
        });
    }

    #[test]
    fn idna_and_opaque_origin() {
        with_host(|ctx| {
            assert_eq!(
                eval_string(ctx, "decode(host.urlParse('http://münchen.de/'))[5]"),
                "xn--mnchen-3ya.de"
            );
            assert_eq!(
                eval_string(ctx, "decode(host.urlParse('data:text/plain,hi'))[10]"),
                "null"
            );
            assert_eq!(
                eval_string(ctx, "host.domainToASCII('BÜCHER.example')"),
                "xn--bcher-kva.example"
            );
            assert_eq!(
                eval_string(ctx, "host.domainToUnicode('xn--bcher-kva.example')"),
                "bücher.example"
            );
        });
    }

    #[test]
    fn offsets_decode_to_the_getters() {
        with_host(|ctx| {
            for input in [
                "https://user:pa%20ss@example.com:8443/a/b?x=1&y#frag",
                "http://[::1]:80/",
                "file:///tmp/x.txt",
                "data:text/plain,hi",
                "blob:https://a.example/uuid",
                "mailto:someone@example.com?subject=x",
                "http://xn--mnchen-3ya.de/?#",
                "ws://u@h/",
            ] {
                let url = Url::parse(input).unwrap();
                let decoded = eval_string(
                    ctx,
                    &format!("decode(host.urlParse({input:?})).join('\\n')"),
                );
                assert_eq!(decoded, components(&url).join("\n"), "{input}");
            }
        });
    }

    #[test]
    fn setters() {
        with_host(|ctx| {
            let h = "'https://example.com:8443/p?q=1#h'";
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'port', '443')[0]")),
                "https://example.com/p?q=1#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'port', 'abc')[0]")),
                "https://example.com:8443/p?q=1#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'protocol', 'http')[0]")),
                "http://example.com:8443/p?q=1#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'protocol', 'mailto')[0]")),
                "https://example.com:8443/p?q=1#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'search', 'a b')[0]")),
                "https://example.com:8443/p?a%20b#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'search', '')[0]")),
                "https://example.com:8443/p#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'hash', '')[0]")),
                "https://example.com:8443/p?q=1"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'pathname', 'x y')[0]")),
                "https://example.com:8443/x%20y?q=1#h"
            );
            assert_eq!(
                eval_string(
                    ctx,
                    &format!("host.urlSet({h}, 'hostname', 'other.org')[0]")
                ),
                "https://other.org:8443/p?q=1#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'username', 'me')[0]")),
                "https://me@example.com:8443/p?q=1#h"
            );
            assert_eq!(
                eval_string(ctx, &format!("String(host.urlSet({h}, 'href', 'nope'))")),
                "null"
            );
            assert_eq!(
                eval_string(ctx, &format!("host.urlSet({h}, 'href', 'http://z/')[0]")),
                "http://z/"
            );
        });
    }

    #[test]
    fn search_params() {
        with_host(|ctx| {
            assert_eq!(
                eval_string(
                    ctx,
                    "JSON.stringify(host.urlSearchParamsParse('a=1&b=x+y&&c&%zz=%E2%82%AC&d=%FF'))"
                ),
                "[\"a\",\"1\",\"b\",\"x y\",\"c\",\"\",\"%zz\",\"€\",\"d\",\"\u{fffd}\"]"
            );
            assert_eq!(
                eval_string(
                    ctx,
                    "host.urlSearchParamsSerialize(['a b', 'x&y=z', '€', \"*-._!~'()\"])"
                ),
                "a+b=x%26y%3Dz&%E2%82%AC=*-._%21%7E%27%28%29"
            );
            assert_eq!(eval_string(ctx, "host.urlSearchParamsSerialize([])"), "");
        });
    }
}
