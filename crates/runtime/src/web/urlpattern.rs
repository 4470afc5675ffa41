//! Host functions behind `js/urlpattern.js` (the URL Pattern standard): parsing a pattern and canonicalizing
//! the URL to match, through the `urlpattern` crate (Deno's). The crate turns each component of a pattern into
//! the source of an ECMAScript regular expression; the JS side compiles those with QuickJS's `RegExp` and runs
//! the matching, so regular-expression groups in patterns have JavaScript's semantics.
//!
//! Components are always in the order protocol, username, password, hostname, port, pathname, search, hash.
//! An *init* is an array of nine strings or `null`s: those eight components, then `baseURL`.
//!
//! - `host.urlPatternParse(input, baseURL, ignoreCase)`: `input` a string or an init, `baseURL` a string or
//!   `undefined` → `[pattern, regexp, groupNames, ...]` (three entries per component: the normalized pattern
//!   string, the regular expression's source, the names of its capture groups in order), then
//!   `hasRegExpGroups`. Throws `TypeError` with a message naming the problem when the pattern is invalid.
//!   The JS side compiles each regular expression with the flags `"u"`, plus `"i"` for pathname, search and
//!   hash when `ignoreCase` is set (as the crate and the standard do).
//! - `host.urlPatternInput(input, baseURL)`: the URL or init to match, canonicalized → the eight component
//!   strings, or `null` when it is not a valid URL (so nothing matches). Throws `TypeError` when both an init
//!   and a separate `baseURL` are given.

use rquickjs::{function::Opt, Array, Ctx, Exception, Function, Object, Result, Value};
use url::Url;
use urlpattern::quirks;
use urlpattern::regexp::RegExp;
use urlpattern::{RegexSyntax, UrlPatternInit, UrlPatternOptions};

/// The components of a pattern, in the order of the arrays handed to JS.
pub const COMPONENTS: [&str; 8] = [
    "protocol", "username", "password", "hostname", "port", "pathname", "search", "hash",
];

pub fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    host.set(
        "urlPatternParse",
        Function::new(ctx.clone(), url_pattern_parse)?.with_name("urlPatternParse")?,
    )?;
    host.set(
        "urlPatternInput",
        Function::new(ctx.clone(), url_pattern_input)?.with_name("urlPatternInput")?,
    )?;
    Ok(())
}

/// The regular expression of a pattern component, kept as ECMAScript source for the JS side to compile.
/// The crate only runs one itself to tell whether a protocol pattern matches a special scheme (which decides
/// how the pathname is parsed); that uses the `regex` crate, as the crate's own quirks mode does.
#[derive(Debug)]
struct EcmaScriptSource(String);

impl RegExp for EcmaScriptSource {
    fn syntax() -> RegexSyntax {
        RegexSyntax::EcmaScript
    }

    fn parse(pattern: &str, _flags: &str, _force_eval: bool) -> std::result::Result<Self, ()> {
        // Not validated here: QuickJS compiles it, and reports a bad one as the pattern's TypeError.
        Ok(EcmaScriptSource(pattern.to_string()))
    }

    fn matches<'a>(&self, text: &'a str) -> Option<Vec<Option<&'a str>>> {
        <quirks::EcmaRegexp as RegExp>::parse(&self.0, "u", true)
            .ok()?
            .matches(text)
    }

    fn pattern_string(&self) -> &str {
        &self.0
    }
}

/// A pattern or URL as JS hands it over: a string, or an init's eight components and its base URL.
pub enum Input {
    String(String),
    Init([Option<String>; 8], Option<String>),
}

impl Input {
    fn from_js(value: Value<'_>) -> Result<Input> {
        if let Some(s) = value.as_string() {
            return Ok(Input::String(s.to_string()?));
        }
        let array = value.into_array().ok_or_else(|| {
            rquickjs::Error::new_from_js("value", "URLPattern input (string or init array)")
        })?;
        let mut parts: [Option<String>; 8] = Default::default();
        for (i, part) in parts.iter_mut().enumerate() {
            *part = array.get(i)?;
        }
        Ok(Input::Init(parts, array.get(8)?))
    }
}

fn describe_error(error: &urlpattern::Error, input: &Input) -> String {
    let detail = match error {
        urlpattern::Error::BaseUrlRequired => {
            "it has no protocol, so it needs a base URL as the second argument (or use an init object such as { pathname: \"/path/:id\" })".to_string()
        }
        urlpattern::Error::BaseUrlWithInit => {
            "a base URL cannot be given as a separate argument with an init object; set the object's baseURL instead".to_string()
        }
        urlpattern::Error::Tokenizer(e, at) => format!("{e} at character {at}"),
        urlpattern::Error::Parser(e) => e.to_string(),
        urlpattern::Error::Url(e) => format!("a part of it is not valid in a URL ({e})"),
        urlpattern::Error::RegExp(()) => "a regular expression in it is not valid".to_string(),
    };
    match input {
        Input::String(pattern) => format!("Invalid URL pattern {pattern:?}: {detail}."),
        Input::Init(..) => format!("Invalid URL pattern: {detail}."),
    }
}

/// Parses a base URL given to the constructor, with a message for the user when it is not one.
fn parse_base_url(base: &str) -> std::result::Result<Url, String> {
    Url::parse(base).map_err(|e| format!("Invalid base URL {base:?} for a URL pattern: {e}."))
}

/// What a pattern compiles to: per component its pattern string, regular expression source and group names,
/// and whether any component has a regular-expression group.
pub struct CompiledPattern {
    pub components: Vec<(String, String, Vec<String>)>,
    pub has_regexp_groups: bool,
}

/// Compiles a pattern (the URLPattern constructor's steps, up to compiling the regular expressions).
pub fn compile(
    input: &Input,
    base_url: Option<&str>,
    ignore_case: bool,
) -> std::result::Result<CompiledPattern, String> {
    let init = match input {
        Input::String(pattern) => {
            let base = base_url.map(parse_base_url).transpose()?;
            UrlPatternInit::parse_constructor_string::<EcmaScriptSource>(pattern, base)
                .map_err(|e| describe_error(&e, input))?
        }
        Input::Init(parts, init_base) => {
            if base_url.is_some() {
                return Err(describe_error(&urlpattern::Error::BaseUrlWithInit, input));
            }
            let [protocol, username, password, hostname, port, pathname, search, hash] =
                parts.clone();
            UrlPatternInit {
                protocol,
                username,
                password,
                hostname,
                port,
                pathname,
                search,
                hash,
                base_url: init_base.as_deref().map(parse_base_url).transpose()?,
            }
        }
    };
    let options = UrlPatternOptions {
        regex_syntax: RegexSyntax::EcmaScript,
        ignore_case,
    };
    let pattern = quirks::parse_pattern::<EcmaScriptSource>(init, options)
        .map_err(|e| describe_error(&e, input))?;
    let components = [
        pattern.protocol,
        pattern.username,
        pattern.password,
        pattern.hostname,
        pattern.port,
        pattern.pathname,
        pattern.search,
        pattern.hash,
    ]
    .into_iter()
    .map(|c| (c.pattern_string, c.regexp_string, c.group_name_list))
    .collect();
    Ok(CompiledPattern {
        components,
        has_regexp_groups: pattern.has_regexp_groups,
    })
}

/// Canonicalizes a URL (or init) to match: its eight components, `Ok(None)` when it is not a valid URL, `Err`
/// when an init comes with a separate base URL.
pub fn match_input(
    input: &Input,
    base_url: Option<&str>,
) -> std::result::Result<Option<[String; 8]>, String> {
    let input_for_crate = match input {
        Input::String(url) => quirks::StringOrInit::String(url.as_str().into()),
        Input::Init(parts, base) => {
            let [protocol, username, password, hostname, port, pathname, search, hash] =
                parts.clone();
            quirks::StringOrInit::Init(quirks::UrlPatternInit {
                protocol,
                username,
                password,
                hostname,
                port,
                pathname,
                search,
                hash,
                base_url: base.clone(),
            })
        }
    };
    let processed = quirks::process_match_input(input_for_crate, base_url)
        .map_err(|e| describe_error(&e, input))?;
    let Some(url) = processed.and_then(|(input, _)| quirks::parse_match_input(input)) else {
        return Ok(None);
    };
    Ok(Some([
        url.protocol,
        url.username,
        url.password,
        url.hostname,
        url.port,
        url.pathname,
        url.search,
        url.hash,
    ]))
}

fn url_pattern_parse<'js>(
    ctx: Ctx<'js>,
    input: Value<'js>,
    base_url: Opt<Option<String>>,
    ignore_case: Opt<bool>,
) -> Result<Array<'js>> {
    let input = Input::from_js(input)?;
    let compiled = compile(
        &input,
        base_url.0.flatten().as_deref(),
        ignore_case.0.unwrap_or(false),
    )
    .map_err(|message| Exception::throw_type(&ctx, &message))?;
    let out = Array::new(ctx)?;
    let mut i = 0;
    for (pattern, regexp, names) in compiled.components {
        out.set(i, pattern)?;
        out.set(i + 1, regexp)?;
        out.set(i + 2, names)?;
        i += 3;
    }
    out.set(i, compiled.has_regexp_groups)?;
    Ok(out)
}

fn url_pattern_input<'js>(
    ctx: Ctx<'js>,
    input: Value<'js>,
    base_url: Opt<Option<String>>,
) -> Result<Value<'js>> {
    let input = Input::from_js(input)?;
    match match_input(&input, base_url.0.flatten().as_deref()) {
        Ok(Some(parts)) => {
            let out = Array::new(ctx)?;
            for (i, part) in parts.into_iter().enumerate() {
                out.set(i, part)?;
            }
            Ok(out.into_value())
        }
        Ok(None) => Ok(Value::new_null(ctx)),
        Err(message) => Err(Exception::throw_type(&ctx, &message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Input {
        Input::String(s.to_string())
    }

    fn init(pairs: &[(&str, &str)], base: Option<&str>) -> Input {
        let mut parts: [Option<String>; 8] = Default::default();
        for (name, value) in pairs {
            let i = COMPONENTS.iter().position(|c| c == name).unwrap();
            parts[i] = Some(value.to_string());
        }
        Input::Init(parts, base.map(str::to_string))
    }

    fn component<'a>(p: &'a CompiledPattern, name: &str) -> &'a (String, String, Vec<String>) {
        &p.components[COMPONENTS.iter().position(|c| *c == name).unwrap()]
    }

    #[test]
    fn a_string_pattern_with_named_groups() {
        let p = compile(&string("https://example.com/books/:id"), None, false).unwrap();
        assert_eq!(component(&p, "protocol").0, "https");
        assert_eq!(component(&p, "hostname").0, "example.com");
        assert_eq!(component(&p, "port").0, "");
        let (pattern, regexp, names) = component(&p, "pathname");
        assert_eq!(pattern, "/books/:id");
        assert_eq!(regexp, r"^\/books(?:\/([^\/]+?))$");
        assert_eq!(names, &["id"]);
        // Components not in the string are wildcards, except that username, password and hash become empty
        // once a later component is given, as the constructor string parser says.
        assert_eq!(component(&p, "search").0, "*");
        assert_eq!(component(&p, "hash").0, "*");
        assert!(!p.has_regexp_groups);
    }

    #[test]
    fn a_relative_pattern_takes_its_other_components_from_the_base_url() {
        let p = compile(
            &string("/api/*"),
            Some("https://example.com:8443/x?q#h"),
            false,
        )
        .unwrap();
        assert_eq!(component(&p, "protocol").0, "https");
        assert_eq!(component(&p, "hostname").0, "example.com");
        assert_eq!(component(&p, "port").0, "8443");
        assert_eq!(component(&p, "pathname").0, "/api/*");
        assert_eq!(component(&p, "pathname").2, &["0"]);
        // Search and hash come from the base URL only when the pattern stops before the pathname.
        assert_eq!(component(&p, "search").0, "*");
        assert_eq!(component(&p, "hash").0, "*");
    }

    #[test]
    fn regexp_groups_and_ignore_case() {
        let p = compile(&init(&[("pathname", "/post/:id(\\d+)")], None), None, true).unwrap();
        assert!(p.has_regexp_groups);
        assert_eq!(component(&p, "pathname").1, r"^\/post(?:\/(\d+))$");
        assert_eq!(component(&p, "protocol").0, "*");
        // Not validated in Rust: a lookahead the regex crate lacks still compiles here.
        let p = compile(&init(&[("pathname", "/:n(a(?=b)\\w+)")], None), None, false).unwrap();
        assert_eq!(component(&p, "pathname").1, r"^(?:\/(a(?=b)\w+))$");
        // A group may not start with `?`, as the standard says.
        assert!(compile(&init(&[("pathname", "/(?!x)")], None), None, false).is_err());
    }

    #[test]
    fn invalid_patterns_say_why() {
        assert_eq!(
            compile(&string("/books/:id"), None, false).err().unwrap(),
            "Invalid URL pattern \"/books/:id\": it has no protocol, so it needs a base URL as the second argument (or use an init object such as { pathname: \"/path/:id\" })."
        );
        let e = compile(&string("https://example.com/:id("), None, false)
            .err()
            .unwrap();
        assert!(
            e.starts_with("Invalid URL pattern \"https://example.com/:id(\": "),
            "{e}"
        );
        assert_eq!(
            compile(&init(&[("pathname", "/a")], None), Some("https://x/"), false)
                .err()
                .unwrap(),
            "Invalid URL pattern: a base URL cannot be given as a separate argument with an init object; set the object's baseURL instead."
        );
        assert_eq!(
            compile(&string("/a"), Some("not a url"), false)
                .err()
                .unwrap(),
            "Invalid base URL \"not a url\" for a URL pattern: relative URL without a base."
        );
        assert!(compile(&init(&[("pathname", "/:a/:a")], None), None, false).is_err());
    }

    #[test]
    fn match_inputs() {
        let parts = match_input(
            &string("https://user:pw@Example.com:8080/a/b?x=1#top"),
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            parts,
            [
                "https",
                "user",
                "pw",
                "example.com",
                "8080",
                "/a/b",
                "x=1",
                "top"
            ]
            .map(String::from)
        );
        let parts = match_input(&string("../c"), Some("https://example.com/a/b"))
            .unwrap()
            .unwrap();
        assert_eq!(parts[5], "/c");
        assert_eq!(match_input(&string("/relative"), None).unwrap(), None);
        let parts = match_input(&init(&[("pathname", "/x y")], Some("http://h/")), None)
            .unwrap()
            .unwrap();
        assert_eq!(parts[0], "http");
        assert_eq!(parts[3], "h");
        assert_eq!(parts[5], "/x%20y");
        assert!(match_input(&init(&[("pathname", "/x")], None), Some("http://h/")).is_err());
    }
}
