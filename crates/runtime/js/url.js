(function (host, internal) {
  "use strict";

  // URL and URLSearchParams (WHATWG URL Standard). Parsing and the setters run in Rust through the `url`
  // crate (src/web/url.rs); a URL keeps what the parser hands back (href, and where in it each component is), so
  // the getters never call into Rust.

  const urlParse = host.urlParse;
  const urlSet = host.urlSet;
  const formParse = host.urlSearchParamsParse;
  const formSerialize = host.urlSearchParamsSerialize;

  // `c` from urlParse/urlSet: [href, s1, e1, ..., s9, e9, origin]. Component i is href.slice(si, ei), or si when
  // that is a string; origin is a string or the length of href's prefix that is the origin.
  const HREF = 0, PROTOCOL = 1, USERNAME = 2, PASSWORD = 3, HOST = 4, HOSTNAME = 5, PORT = 6, PATHNAME = 7,
    SEARCH = 8, HASH = 9, ORIGIN = 19;
  function part(c, i) {
    const start = c[2 * i - 1];
    return typeof start === "string" ? start : c[HREF].slice(start, c[2 * i]);
  }

  const toWellFormed = String.prototype.toWellFormed;
  const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));

  // Web IDL USVString conversion: ToString (a TypeError for symbols), then lone surrogates → U+FFFD.
  function usv(value) {
    const s = typeof value === "string" ? value : `${value}`;
    return toWellFormed === undefined ? s : toWellFormed.call(s);
  }

  function requireArgs(count, required, what) {
    if (count < required) {
      throw new TypeError(`${what}: ${required} argument${required > 1 ? "s" : ""} required, but only ${count} present.`);
    }
  }

  // Private hooks between the two classes, set in their static blocks.
  let urlUpdateQuery; // (url, serializedQuery) → void: the URLSearchParams "update steps"
  let paramsForURL; // (url, query) → a URLSearchParams linked to url
  let paramsReplace; // (params, query) → void: a URL's query changed, reparse the list
  let paramsList; // (params) → its list of [name, value] pairs (for the live iterators)

  const INTERNAL = Symbol("internal");
  let pendingComponents = null;

  function parseComponents(url, base) {
    return base === undefined ? urlParse(usv(url)) : urlParse(usv(url), usv(base));
  }

  class URL {
    #c;
    #params = null;

    constructor(url, base = undefined) {
      if (url === INTERNAL && pendingComponents !== null) {
        this.#c = pendingComponents;
        pendingComponents = null;
        return;
      }
      requireArgs(arguments.length, 1, "Failed to construct 'URL'");
      const c = parseComponents(url, base);
      if (c === null) throw new TypeError("Invalid URL string.");
      this.#c = c;
    }

    static canParse(url, base = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'canParse' on 'URL'");
      return parseComponents(url, base) !== null;
    }

    static parse(url, base = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'parse' on 'URL'");
      const c = parseComponents(url, base);
      if (c === null) return null;
      pendingComponents = c;
      return new URL(INTERNAL);
    }

    // Runs a WHATWG setter in Rust; bad input leaves the URL unchanged.
    #set(setter, value) {
      const c = urlSet(this.#c[HREF], setter, usv(value));
      if (c !== null) this.#c = c;
    }

    // The query changed through the URL: the linked URLSearchParams takes the new list.
    #queryChanged() {
      if (this.#params !== null) paramsReplace(this.#params, part(this.#c, SEARCH).slice(1));
    }

    get href() { return this.#c[HREF]; }
    set href(value) {
      const c = urlParse(usv(value));
      if (c === null) throw new TypeError("Invalid URL string.");
      this.#c = c;
      this.#queryChanged();
    }

    get origin() {
      const origin = this.#c[ORIGIN];
      return typeof origin === "string" ? origin : this.#c[HREF].slice(0, origin);
    }

    get protocol() { return part(this.#c, PROTOCOL); }
    set protocol(value) { this.#set("protocol", value); }

    get username() { return part(this.#c, USERNAME); }
    set username(value) { this.#set("username", value); }

    get password() { return part(this.#c, PASSWORD); }
    set password(value) { this.#set("password", value); }

    get host() { return part(this.#c, HOST); }
    set host(value) { this.#set("host", value); }

    get hostname() { return part(this.#c, HOSTNAME); }
    set hostname(value) { this.#set("hostname", value); }

    get port() { return part(this.#c, PORT); }
    set port(value) { this.#set("port", value); }

    get pathname() { return part(this.#c, PATHNAME); }
    set pathname(value) { this.#set("pathname", value); }

    get search() { return part(this.#c, SEARCH); }
    set search(value) {
      this.#set("search", value);
      this.#queryChanged();
    }

    get searchParams() {
      if (this.#params === null) this.#params = paramsForURL(this, part(this.#c, SEARCH).slice(1));
      return this.#params;
    }

    get hash() { return part(this.#c, HASH); }
    set hash(value) { this.#set("hash", value); }

    toString() { return this.#c[HREF]; }
    toJSON() { return this.#c[HREF]; }

    static {
      urlUpdateQuery = (url, query) => {
        const c = urlSet(url.#c[HREF], "search", query);
        if (c !== null) url.#c = c;
      };
    }
  }

  function parseList(query) {
    const list = [];
    if (query === "") return list;
    const flat = formParse(query);
    for (let i = 0; i < flat.length; i += 2) list.push([flat[i], flat[i + 1]]);
    return list;
  }

  function serializeList(list) {
    if (list.length === 0) return "";
    const flat = new Array(list.length * 2);
    for (let i = 0; i < list.length; i++) {
      flat[2 * i] = list[i][0];
      flat[2 * i + 1] = list[i][1];
    }
    return formSerialize(flat);
  }

  const KEYS = 0, VALUES = 1, ENTRIES = 2;

  class URLSearchParamsIterator {
    #params;
    #kind;
    #index = 0;

    constructor(params, kind) {
      this.#params = params;
      this.#kind = kind;
    }

    next() {
      const params = this.#params;
      if (params === null) return { value: undefined, done: true };
      const list = paramsList(params);
      if (this.#index >= list.length) {
        this.#params = null;
        return { value: undefined, done: true };
      }
      const pair = list[this.#index++];
      const kind = this.#kind;
      return { value: kind === ENTRIES ? [pair[0], pair[1]] : kind === KEYS ? pair[0] : pair[1], done: false };
    }
  }
  Object.setPrototypeOf(URLSearchParamsIterator.prototype, iteratorPrototype);
  Object.defineProperty(URLSearchParamsIterator.prototype, Symbol.toStringTag, {
    value: "URLSearchParams Iterator",
    configurable: true,
  });

  class URLSearchParams {
    #list;
    #url = null;

    constructor(init = "") {
      if (init !== null && (typeof init === "object" || typeof init === "function")) {
        const method = init[Symbol.iterator];
        if (method !== undefined && method !== null) {
          if (typeof method !== "function") throw new TypeError("Failed to construct 'URLSearchParams': The provided value is not iterable.");
          const list = [];
          for (const pair of { [Symbol.iterator]() { return method.call(init); } }) {
            if (pair === null || (typeof pair !== "object" && typeof pair !== "function") || typeof pair[Symbol.iterator] !== "function") {
              throw new TypeError("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
            }
            const items = Array.from(pair);
            if (items.length !== 2) {
              throw new TypeError("Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements");
            }
            list.push([usv(items[0]), usv(items[1])]);
          }
          this.#list = list;
        } else {
          const list = [];
          for (const key of Reflect.ownKeys(init)) {
            const desc = Reflect.getOwnPropertyDescriptor(init, key);
            if (desc !== undefined && desc.enumerable) list.push([usv(key), usv(init[key])]);
          }
          this.#list = list;
        }
      } else {
        let query = usv(init);
        if (query.charCodeAt(0) === 0x3f /* ? */) query = query.slice(1);
        this.#list = parseList(query);
      }
    }

    #update() {
      if (this.#url !== null) urlUpdateQuery(this.#url, serializeList(this.#list));
    }

    get size() { return this.#list.length; }

    append(name, value) {
      requireArgs(arguments.length, 2, "Failed to execute 'append' on 'URLSearchParams'");
      this.#list.push([usv(name), usv(value)]);
      this.#update();
    }

    delete(name, value = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'URLSearchParams'");
      name = usv(name);
      if (value === undefined) {
        this.#list = this.#list.filter((pair) => pair[0] !== name);
      } else {
        value = usv(value);
        this.#list = this.#list.filter((pair) => pair[0] !== name || pair[1] !== value);
      }
      this.#update();
    }

    get(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'get' on 'URLSearchParams'");
      name = usv(name);
      const list = this.#list;
      for (let i = 0; i < list.length; i++) if (list[i][0] === name) return list[i][1];
      return null;
    }

    getAll(name) {
      requireArgs(arguments.length, 1, "Failed to execute 'getAll' on 'URLSearchParams'");
      name = usv(name);
      const out = [];
      const list = this.#list;
      for (let i = 0; i < list.length; i++) if (list[i][0] === name) out.push(list[i][1]);
      return out;
    }

    has(name, value = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'has' on 'URLSearchParams'");
      name = usv(name);
      if (value !== undefined) value = usv(value);
      const list = this.#list;
      for (let i = 0; i < list.length; i++) {
        if (list[i][0] === name && (value === undefined || list[i][1] === value)) return true;
      }
      return false;
    }

    set(name, value) {
      requireArgs(arguments.length, 2, "Failed to execute 'set' on 'URLSearchParams'");
      name = usv(name);
      value = usv(value);
      const list = this.#list;
      const out = [];
      let found = false;
      for (let i = 0; i < list.length; i++) {
        if (list[i][0] !== name) out.push(list[i]);
        else if (!found) {
          found = true;
          out.push([name, value]);
        }
      }
      if (!found) out.push([name, value]);
      this.#list = out;
      this.#update();
    }

    sort() {
      // Array.prototype.sort is stable; `<` on strings compares UTF-16 code units, as the spec asks.
      this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#update();
    }

    forEach(callback, thisArg = undefined) {
      requireArgs(arguments.length, 1, "Failed to execute 'forEach' on 'URLSearchParams'");
      if (typeof callback !== "function") {
        throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.");
      }
      for (let i = 0; i < this.#list.length; i++) {
        const pair = this.#list[i];
        callback.call(thisArg, pair[1], pair[0], this);
      }
    }

    entries() { return new URLSearchParamsIterator(this.#check(), ENTRIES); }
    keys() { return new URLSearchParamsIterator(this.#check(), KEYS); }
    values() { return new URLSearchParamsIterator(this.#check(), VALUES); }

    #check() {
      this.#list; // brand check: TypeError when `this` is not a URLSearchParams
      return this;
    }

    toString() { return serializeList(this.#list); }

    static {
      paramsForURL = (url, query) => {
        const params = new URLSearchParams();
        params.#list = parseList(query);
        params.#url = url;
        return params;
      };
      paramsReplace = (params, query) => {
        params.#list = parseList(query);
      };
      paramsList = (params) => params.#list;
    }
  }

  // Web IDL: attributes and operations are enumerable; classes have a @@toStringTag.
  function finishInterface(cls, name) {
    const proto = cls.prototype;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== "constructor") Object.defineProperty(proto, key, { enumerable: true });
    }
    Object.defineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
  }
  finishInterface(URL, "URL");
  finishInterface(URLSearchParams, "URLSearchParams");
  Object.defineProperty(URLSearchParams.prototype, Symbol.iterator, {
    value: URLSearchParams.prototype.entries,
    writable: true,
    configurable: true,
  });

  internal.defineGlobal("URL", URL);
  internal.defineGlobal("URLSearchParams", URLSearchParams);
})
