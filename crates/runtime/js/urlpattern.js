(function (host, internal) {
  "use strict";
  // URLPattern (https://urlpattern.spec.whatwg.org/). Rust (`src/web/urlpattern.rs`, Deno's `urlpattern` crate)
  // parses a pattern into one regular expression per component and canonicalizes the URLs to match; matching
  // runs those expressions here, with JavaScript's RegExp semantics.

  const COMPONENTS = ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"];
  // Where each URLPatternInit member goes in the array handed to Rust, in Web IDL's reading order (by name).
  const INIT_SLOT = { baseURL: 8, hash: 7, hostname: 3, password: 2, pathname: 5, port: 4, protocol: 0, search: 6, username: 1 };

  const isObject = (x) => x !== null && (typeof x === "object" || typeof x === "function");
  const usv = (x) => `${x}`.toWellFormed();

  // A URLPatternInput as [what Rust takes, what `exec` reports in `inputs`]: a string, or an init dictionary
  // as nine strings or nulls (and a copy holding the members that were given).
  function convertInput(input) {
    if (input !== undefined && input !== null && !isObject(input)) {
      const s = usv(input);
      return [s, s];
    }
    const slots = [null, null, null, null, null, null, null, null, null];
    const given = {};
    if (input != null) {
      for (const key in INIT_SLOT) {
        const value = input[key];
        if (value !== undefined) slots[INIT_SLOT[key]] = given[key] = usv(value);
      }
    }
    return [slots, given];
  }

  function ignoreCaseOf(options) {
    if (options === undefined || options === null) return false;
    if (!isObject(options)) throw new TypeError("The URLPattern options must be an object.");
    return !!options.ignoreCase;
  }

  let partsOf;

  class URLPattern {
    #parts; // per component: { pattern, regexp, names }
    #hasRegExpGroups;

    constructor(input = undefined, baseURLOrOptions = undefined, options = undefined) {
      // The overloads (input, baseURL, options) and (input, options).
      let baseURL;
      if (arguments.length >= 3 || (baseURLOrOptions !== undefined && baseURLOrOptions !== null && !isObject(baseURLOrOptions))) {
        baseURL = usv(baseURLOrOptions);
      } else {
        options = baseURLOrOptions;
      }
      const ignoreCase = ignoreCaseOf(options);
      const compiled = host.urlPatternParse(convertInput(input)[0], baseURL, ignoreCase);
      const parts = [];
      for (let i = 0; i < COMPONENTS.length; i++) {
        // Flags "u", and "i" too for pathname, search and hash with ignoreCase (the standard now says "v", but the
        // expressions the urlpattern crate generates are written for "u").
        const flags = ignoreCase && i >= 5 ? "ui" : "u";
        let regexp;
        try {
          regexp = new RegExp(compiled[3 * i + 1], flags);
        } catch (e) {
          throw new TypeError(`Invalid URL pattern: the regular expression of its ${COMPONENTS[i]} is not valid (${e.message}).`);
        }
        parts.push({ pattern: compiled[3 * i], regexp, names: compiled[3 * i + 2] });
      }
      this.#parts = parts;
      this.#hasRegExpGroups = compiled[3 * COMPONENTS.length];
    }

    get hasRegExpGroups() {
      return this.#hasRegExpGroups;
    }

    test(input = undefined, baseURL = undefined) {
      return this.#match(input, baseURL, false) !== null;
    }

    exec(input = undefined, baseURL = undefined) {
      return this.#match(input, baseURL, true);
    }

    // The standard's "match": null when the input does not match, else true (for `test`) or the result.
    #match(input, baseURL, wantResult) {
      const [value, given] = convertInput(input);
      const base = baseURL === undefined ? undefined : usv(baseURL);
      const values = host.urlPatternInput(value, base);
      if (values === null) return null;
      const result = wantResult ? { inputs: base === undefined ? [given] : [given, base] } : true;
      for (let i = 0; i < COMPONENTS.length; i++) {
        const part = this.#parts[i];
        const found = part.regexp.exec(values[i]);
        if (found === null) return null;
        if (!wantResult) continue;
        const groups = {};
        for (let g = 0; g < part.names.length; g++) {
          const name = part.names[g];
          if (name === "__proto__") {
            Object.defineProperty(groups, name, { value: found[g + 1], writable: true, enumerable: true, configurable: true });
          } else {
            groups[name] = found[g + 1];
          }
        }
        result[COMPONENTS[i]] = { input: values[i], groups };
      }
      return result;
    }

    static {
      partsOf = (pattern) => pattern.#parts;
    }
  }

  // The component getters (Web IDL attributes: enumerable accessors on the prototype).
  COMPONENTS.forEach((name, i) => {
    Object.defineProperty(URLPattern.prototype, name, {
      get() {
        return partsOf(this)[i].pattern;
      },
      enumerable: true,
      configurable: true,
    });
  });
  Object.defineProperty(URLPattern.prototype, Symbol.toStringTag, { value: "URLPattern", configurable: true });

  internal.defineGlobal("URLPattern", URLPattern);
})
