// URLPattern.

const keys = (o) => JSON.stringify(Object.keys(o));

test("an init pattern with a named group", () => {
  const p = new URLPattern({ pathname: "/books/:id" });
  assertEq(p.pathname, "/books/:id");
  assertEq(p.protocol, "*");
  assertEq(p.hostname, "*");
  assertEq(p.hasRegExpGroups, false);
  assertEq(p.test("https://example.com/books/123"), true);
  assertEq(p.test("https://example.com/books/"), false);
  assertEq(p.test("https://example.com/books/1/2"), false);
  const r = p.exec("https://example.com/books/123?x=1");
  assertEq(r.pathname.input, "/books/123");
  assertEq(JSON.stringify(r.pathname.groups), '{"id":"123"}');
  assertEq(JSON.stringify(r.protocol), '{"input":"https","groups":{"0":"https"}}');
  assertEq(JSON.stringify(r.search), '{"input":"x=1","groups":{"0":"x=1"}}');
  assertEq(r.inputs, ["https://example.com/books/123?x=1"]);
  assertEq(p.exec("https://example.com/authors/1"), null);
});

test("a string pattern with a base URL, and wildcards", () => {
  const p = new URLPattern("/api/:version/*", "https://example.com");
  assertEq([p.protocol, p.hostname, p.port, p.pathname, p.search, p.hash], ["https", "example.com", "", "/api/:version/*", "*", "*"]);
  const r = p.exec("https://example.com/api/v1/users/42?x=1");
  // Integer-like keys come first in a JS object.
  assertEq(JSON.stringify(r.pathname.groups), '{"0":"users/42","version":"v1"}');
  assertEq(p.test("https://other.example/api/v1/x"), false);
  assertEq(p.test("http://example.com/api/v1/x"), false);
  assertEq(p.test("/api/v2/x", "https://example.com"), true);
  assertEq(p.exec("/api/v2/x", "https://example.com").inputs, ["/api/v2/x", "https://example.com"]);
});

test("every component of a full pattern string", () => {
  const p = new URLPattern("https://user@example.com:8080/p?q=1#h");
  assertEq(
    [p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash],
    ["https", "user", "*", "example.com", "8080", "/p", "q=1", "h"],
  );
  // In a pattern, `:pw` is a named group, not a password.
  assertEq(new URLPattern("https://user:pw@example.com/").username, "user:pw");
  const init = new URLPattern({ username: "u", password: "p", port: "81" });
  assertEq([init.username, init.password, init.port, init.hostname], ["u", "p", "81", "*"]);
  assertEq(new URLPattern("https://example.com:443/").port, "", "the default port is dropped");
  assertEq(keys(Object.getOwnPropertyDescriptors(URLPattern.prototype)).includes('"pathname"'), true);
});

test("regular-expression groups", () => {
  const p = new URLPattern({ pathname: "/post/:id(\\d+)" });
  assertEq(p.hasRegExpGroups, true);
  assertEq(p.test("https://x.example/post/42"), true);
  assertEq(p.test("https://x.example/post/abc"), false);
  assertEq(JSON.stringify(p.exec("https://x.example/post/42").pathname.groups), '{"id":"42"}');
  const two = new URLPattern({ pathname: "/:name([a-z]+)-:num(\\d+)" });
  assertEq(JSON.stringify(two.exec({ pathname: "/abc-42" }).pathname.groups), '{"name":"abc","num":"42"}');
  // A lookahead (JavaScript RegExp syntax, not the Rust regex crate's).
  const look = new URLPattern({ pathname: "/:file(a(?=b)\\w+)" });
  assertEq(look.test({ pathname: "/abc" }), true);
  assertEq(look.test({ pathname: "/acb" }), false);
});

test("optional groups and hostname wildcards", () => {
  const p = new URLPattern({ pathname: "/foo/:bar?" });
  const r = p.exec({ pathname: "/foo" });
  assert("bar" in r.pathname.groups);
  assertEq(r.pathname.groups.bar, undefined);
  assertEq(p.exec({ pathname: "/foo/baz" }).pathname.groups.bar, "baz");
  const h = new URLPattern({ hostname: "{*.}?example.com", pathname: "/x" });
  assertEq(h.exec("https://sub.example.com/x").hostname.groups["0"], "sub");
  assertEq(h.test("https://example.com/x"), true);
  assertEq(h.test("https://example.org/x"), false);
});

test("init inputs and the inputs of a result", () => {
  const p = new URLPattern({ hostname: "example.com", pathname: "/a/:b" });
  const r = p.exec({ hostname: "example.com", pathname: "/a/c", protocol: "https" });
  assertEq(JSON.stringify(r.inputs), '[{"hostname":"example.com","pathname":"/a/c","protocol":"https"}]');
  assertEq(r.pathname.groups.b, "c");
  assertEq(p.test({ pathname: "/a/c", baseURL: "https://example.com/" }), true);
  assertEq(p.test({ pathname: "/a/c", baseURL: "https://example.org/" }), false);
  // Init members are canonicalized like URL parts.
  assertEq(new URLPattern({ pathname: "/caf%C3%A9" }).test({ pathname: "/café" }), true);
});

test("ignoreCase", () => {
  const p = new URLPattern({ pathname: "/Hello/:name" }, { ignoreCase: true });
  assertEq(p.test({ pathname: "/hello/World" }), true);
  assertEq(p.exec({ pathname: "/HELLO/World" }).pathname.groups.name, "World");
  assertEq(new URLPattern({ pathname: "/Hello/:name" }).test({ pathname: "/hello/World" }), false);
  const withBase = new URLPattern("/Caps", "https://a.example", { ignoreCase: true });
  assertEq(withBase.test("https://a.example/caps"), true);
  assertEq(new URLPattern("/Caps", "https://a.example").test("https://a.example/caps"), false);
});

test("no arguments matches everything", () => {
  const p = new URLPattern();
  assertEq(p.pathname, "*");
  assertEq(p.test("https://any.example/thing?q#h"), true);
  assertEq(p.test({}), true);
});

test("an input that is not a URL matches nothing", () => {
  const p = new URLPattern({ pathname: "/*" });
  assertEq(p.test("not a url"), false);
  assertEq(p.exec("/relative"), null);
  assertEq(p.test("/relative", "not a base"), false);
});

test("invalid patterns are TypeErrors", () => {
  assertThrows(() => new URLPattern("/no-base"), TypeError, "needs a base URL");
  assertThrows(() => new URLPattern({ pathname: "/:id(" }), TypeError, "Invalid URL pattern");
  assertThrows(() => new URLPattern({ pathname: "/(a[)" }), TypeError, "regular expression of its pathname is not valid");
  assertThrows(() => new URLPattern({ pathname: "/:a/:a" }), TypeError, "duplicate name");
  assertThrows(() => new URLPattern({ pathname: "/a" }, "https://example.com"), TypeError, "set the object's baseURL");
  assertThrows(() => new URLPattern("/a", "not a url"), TypeError, "Invalid base URL");
  assertThrows(() => new URLPattern({ pathname: "/a" }, 5, 6), TypeError);
  assertThrows(() => new URLPattern({}).test({ pathname: "/a" }, "https://example.com"), TypeError);
});

test("brand checks and toStringTag", () => {
  const getter = Object.getOwnPropertyDescriptor(URLPattern.prototype, "pathname").get;
  assertThrows(() => getter.call({}), TypeError);
  assertThrows(() => URLPattern.prototype.test.call({}, "https://a/"), TypeError);
  assertEq(Object.prototype.toString.call(new URLPattern()), "[object URLPattern]");
});
