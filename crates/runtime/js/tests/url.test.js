// URL and URLSearchParams (js/url.js + src/web/url.rs). Cases follow the WHATWG URL spec and WPT
// (urltestdata.json, setters_tests.json, urlsearchparams-*.any.js).

test("URL: components of an absolute URL", () => {
  const u = new URL("HTTPS://User:Pa%20ss@EXAMPLE.com:8443/a/./b/../c?x=1&y=2#Frag");
  assertEq(u.href, "https://User:Pa%20ss@example.com:8443/a/c?x=1&y=2#Frag");
  assertEq(u.protocol, "https:");
  assertEq(u.username, "User");
  assertEq(u.password, "Pa%20ss");
  assertEq(u.host, "example.com:8443");
  assertEq(u.hostname, "example.com");
  assertEq(u.port, "8443");
  assertEq(u.pathname, "/a/c");
  assertEq(u.search, "?x=1&y=2");
  assertEq(u.hash, "#Frag");
  assertEq(u.origin, "https://example.com:8443");
  assertEq(String(u), u.href);
  assertEq(u.toJSON(), u.href);
  assertEq(JSON.stringify({ u }), `{"u":"${u.href}"}`);
});

test("URL: default port is dropped, empty query and fragment", () => {
  const u = new URL("http://example.com:80/?#");
  assertEq(u.href, "http://example.com/?#");
  assertEq(u.port, "");
  assertEq(u.host, "example.com");
  assertEq(u.search, "");
  assertEq(u.hash, "");
  assertEq(new URL("https://h:443").href, "https://h/");
});

test("URL: relative resolution against a base (RFC 3986 / WHATWG examples)", () => {
  const base = "http://a/b/c/d;p?q";
  const cases = [
    ["g", "http://a/b/c/g"],
    ["./g", "http://a/b/c/g"],
    ["g/", "http://a/b/c/g/"],
    ["/g", "http://a/g"],
    ["//g", "http://g/"],
    ["?y", "http://a/b/c/d;p?y"],
    ["g?y", "http://a/b/c/g?y"],
    ["#s", "http://a/b/c/d;p?q#s"],
    ["", "http://a/b/c/d;p?q"],
    [".", "http://a/b/c/"],
    ["..", "http://a/b/"],
    ["../g", "http://a/b/g"],
    ["../../../g", "http://a/g"],
    ["g;x=1/../y", "http://a/b/c/y"],
    ["\\g", "http://a/g"],
    ["https:g", "https://g/"],
    ["http:g", "http://a/b/c/g"],
  ];
  for (const [input, expected] of cases) {
    assertEq(new URL(input, base).href, expected, `new URL(${JSON.stringify(input)}, base)`);
  }
  assertEq(new URL("/x", new URL("https://example.org/y")).href, "https://example.org/x");
  // The base must parse even when the input is absolute.
  assertThrows(() => new URL("https://other/", "not a base"), TypeError);
  assertEq(new URL("https://other/", "http://base/").href, "https://other/");
});

test("URL: invalid input throws TypeError", () => {
  assertThrows(() => new URL("/relative"), TypeError, "Invalid URL string.");
  assertThrows(() => new URL("http://[::1"), TypeError);
  assertThrows(() => new URL("http://exa mple.com/"), TypeError);
  assertThrows(() => new URL("https://ex%41mple.com:99999/"), TypeError);
  assertThrows(() => new URL("x", "not a base"), TypeError);
  assertThrows(() => new URL(), TypeError);
});

test("URL: whitespace, tabs and newlines are stripped; backslashes in special URLs", () => {
  assertEq(new URL("  \thttp://ex\nample.com/a\tb  ").href, "http://example.com/ab");
  assertEq(new URL("http:\\\\example.com\\foo\\bar").href, "http://example.com/foo/bar");
});

test("URL: IDNA and host parsing", () => {
  assertEq(new URL("http://münchen.de/").hostname, "xn--mnchen-3ya.de");
  assertEq(new URL("http://EXAMPLE.COM./").hostname, "example.com.");
  assertEq(new URL("http://ＥＸＡＭＰＬＥ.com/").hostname, "example.com");
  assertEq(new URL("http://0x7f.1/").hostname, "127.0.0.1");
  assertEq(new URL("http://[0:0:0:0:0:0:0:1]:8080/").host, "[::1]:8080");
  assertEq(new URL("http://☃.net/").href, "http://xn--n3h.net/");
  assertThrows(() => new URL("http://a<b/"), TypeError);
});

test("URL: non-special and opaque URLs", () => {
  const data = new URL("data:text/plain,Hello World");
  assertEq(data.protocol, "data:");
  assertEq(data.pathname, "text/plain,Hello World");
  assertEq(data.origin, "null");
  assertEq(data.host, "");
  const mail = new URL("mailto:someone@example.com?subject=hi");
  assertEq(mail.pathname, "someone@example.com");
  assertEq(mail.search, "?subject=hi");
  const custom = new URL("foo://host/p%20q?r");
  assertEq(custom.host, "host");
  assertEq(custom.pathname, "/p%20q");
  assertEq(custom.origin, "null");
  assertEq(new URL("blob:https://example.com/uuid").origin, "https://example.com");
});

test("URL: percent-encoding of path, query and fragment", () => {
  const u = new URL("http://h/a b/ü?q=a b'\"#f g`");
  assertEq(u.pathname, "/a%20b/%C3%BC");
  assertEq(u.search, "?q=a%20b%27%22");
  assertEq(u.hash, "#f%20g%60");
  assertEq(new URL("foo://h/?'").search, "?'");
});

test("URL: lone surrogates become U+FFFD", () => {
  assertEq(new URL("http://h/\uD800").pathname, "/%EF%BF%BD");
});

test("URL.canParse and URL.parse", () => {
  assertEq(URL.canParse("https://example.com"), true);
  assertEq(URL.canParse("nope"), false);
  assertEq(URL.canParse("/p", "https://example.com"), true);
  assertEq(URL.canParse("/p", "bad base"), false);
  assertEq(URL.parse("nope"), null);
  assertEq(URL.parse("nope", "bad"), null);
  const u = URL.parse("../x?y", "https://h/a/b/c");
  assert(u instanceof URL, "URL.parse returns a URL");
  assertEq(u.href, "https://h/a/x?y");
  assertEq(u.searchParams.get("y"), "");
});

test("URL setters (WPT setters_tests)", () => {
  const u = new URL("https://user:pw@example.com:8443/p?q=1#h");
  u.protocol = "http";
  assertEq(u.href, "http://user:pw@example.com:8443/p?q=1#h");
  u.protocol = "mailto"; // special → non-special is ignored
  assertEq(u.protocol, "http:");
  u.port = "80";
  assertEq(u.port, "");
  assertEq(u.host, "example.com");
  u.port = "8080abc";
  assertEq(u.port, "8080");
  u.port = "99999";
  assertEq(u.port, "8080");
  u.port = "";
  assertEq(u.port, "");
  u.hostname = "other.org";
  assertEq(u.host, "other.org");
  u.host = "x.org:81";
  assertEq(u.host, "x.org:81");
  u.username = "a b";
  assertEq(u.username, "a%20b");
  u.password = "";
  assertEq(u.href, "http://a%20b@x.org:81/p?q=1#h");
  u.username = "";
  assertEq(u.href, "http://x.org:81/p?q=1#h");
  u.pathname = "a/b c";
  assertEq(u.pathname, "/a/b%20c");
  u.hash = "frag ment";
  assertEq(u.hash, "#frag%20ment");
  u.hash = "";
  assertEq(u.href, "http://x.org:81/a/b%20c?q=1");
  u.search = "?a=1";
  assertEq(u.search, "?a=1");
  u.search = "";
  assertEq(u.href, "http://x.org:81/a/b%20c");
  u.href = "https://new.example/";
  assertEq(u.host, "new.example");
  assertThrows(() => {
    u.href = "not a url";
  }, TypeError);
  assertEq(u.href, "https://new.example/");
  u.hostname = "";
  assertEq(u.hostname, "new.example", "special URLs cannot have an empty host");
});

test("URL: searchParams is live, both ways", () => {
  const u = new URL("https://example.com/?a=1&b=2&a=3");
  const sp = u.searchParams;
  assert(sp === u.searchParams, "same object each time");
  assertEq(sp.getAll("a"), ["1", "3"]);
  sp.append("c", "x y");
  assertEq(u.search, "?a=1&b=2&a=3&c=x+y");
  assertEq(u.href, "https://example.com/?a=1&b=2&a=3&c=x+y");
  sp.delete("a");
  assertEq(u.search, "?b=2&c=x+y");
  sp.delete("b");
  sp.delete("c");
  assertEq(u.search, "");
  assertEq(u.href, "https://example.com/");
  u.search = "?z=9&y=8";
  assertEq(sp.get("z"), "9");
  assertEq(sp.size, 2);
  u.href = "https://example.com/?only=1#h";
  assertEq([...sp.keys()], ["only"]);
  sp.set("only", "2");
  assertEq(u.href, "https://example.com/?only=2#h");
  u.hash = "#k";
  assertEq(sp.toString(), "only=2");
});

test("URLSearchParams: constructors", () => {
  assertEq(new URLSearchParams().toString(), "");
  assertEq(new URLSearchParams("?a=b&c=d").toString(), "a=b&c=d");
  assertEq(new URLSearchParams("??a=b").get("?a"), "b");
  assertEq(new URLSearchParams("a=b+c&d=%20%zz&=x&y").toString(), "a=b+c&d=+%25zz&=x&y=");
  assertEq(new URLSearchParams({ a: "1", b: 2 }).toString(), "a=1&b=2");
  assertEq(new URLSearchParams([["a", "1"], ["b", "2"], ["a", "3"]]).getAll("a"), ["1", "3"]);
  assertEq(new URLSearchParams(new Map([["k", "v"]])).toString(), "k=v");
  const copy = new URLSearchParams(new URLSearchParams("x=1&x=2"));
  assertEq(copy.getAll("x"), ["1", "2"]);
  assertThrows(() => new URLSearchParams([["a"]]), TypeError);
  assertThrows(() => new URLSearchParams([["a", "b", "c"]]), TypeError);
  assertThrows(() => new URLSearchParams([1]), TypeError);
  assertEq(new URLSearchParams(null).toString(), "null=");
  assertEq(new URLSearchParams("a=%E2%82%AC&%FF=1").get("a"), "€");
  assertEq(new URLSearchParams("%FF=1").has("\uFFFD"), true);
});

test("URLSearchParams: get/getAll/set/append/delete/has with value", () => {
  const p = new URLSearchParams("a=1&b=2&a=3&c=4");
  assertEq(p.get("a"), "1");
  assertEq(p.get("zz"), null);
  assertEq(p.has("b"), true);
  assertEq(p.has("a", "3"), true);
  assertEq(p.has("a", "5"), false);
  p.set("a", "9");
  assertEq(p.toString(), "a=9&b=2&c=4");
  p.append("a", "10");
  p.delete("a", "9");
  assertEq(p.toString(), "b=2&c=4&a=10");
  p.delete("b");
  assertEq(p.toString(), "c=4&a=10");
  p.set("new", "v");
  assertEq(p.toString(), "c=4&a=10&new=v");
  assertEq(p.size, 3);
  assertThrows(() => p.append("only-one"), TypeError);
});

test("URLSearchParams: serialization (application/x-www-form-urlencoded)", () => {
  const p = new URLSearchParams();
  p.append("a b", "c+d&e=f");
  p.append("€", "*-._~!'()");
  p.append("\uD800", "x");
  assertEq(p.toString(), "a+b=c%2Bd%26e%3Df&%E2%82%AC=*-._%7E%21%27%28%29&%EF%BF%BD=x");
});

test("URLSearchParams: sort is stable and by UTF-16 code units", () => {
  const p = new URLSearchParams("z=5&a=1&b=2&a=0&\uFFFD=x&\uD83D\uDE00=y&A=3");
  p.sort();
  assertEq([...p.keys()], ["A", "a", "a", "b", "z", "\uD83D\uDE00", "\uFFFD"]);
  assertEq(p.getAll("a"), ["1", "0"]);
  const u = new URL("https://h/?b=1&a=2");
  u.searchParams.sort();
  assertEq(u.search, "?a=2&b=1");
});

test("URLSearchParams: iteration and forEach", () => {
  const p = new URLSearchParams("a=1&b=2");
  assertEq(JSON.stringify([...p]), '[["a","1"],["b","2"]]');
  assertEq(JSON.stringify([...p.entries()]), '[["a","1"],["b","2"]]');
  assertEq([...p.values()], ["1", "2"]);
  const it = p.keys();
  assertEq(Object.prototype.toString.call(it), "[object URLSearchParams Iterator]");
  assert(it[Symbol.iterator]() === it, "iterators are iterable");
  assertEq(it.next().value, "a");
  p.append("c", "3"); // iteration is live
  assertEq(it.next().value, "b");
  assertEq(it.next().value, "c");
  assertEq(it.next().done, true);
  const seen = [];
  p.forEach(function (value, key, obj) {
    seen.push(key + "=" + value);
    assert(obj === p, "third argument is the URLSearchParams");
    assertEq(this.tag, "T");
  }, { tag: "T" });
  assertEq(seen, ["a=1", "b=2", "c=3"]);
  assertEq(Object.prototype.toString.call(p), "[object URLSearchParams]");
  assertEq(Object.prototype.toString.call(new URL("http://h")), "[object URL]");
});

test("URL/URLSearchParams: brand checks", () => {
  const hrefGetter = Object.getOwnPropertyDescriptor(URL.prototype, "href").get;
  assertThrows(() => hrefGetter.call({}), TypeError);
  assertThrows(() => URLSearchParams.prototype.get.call({}, "a"), TypeError);
  assertThrows(() => URLSearchParams.prototype.keys.call({}), TypeError);
});
