(function (host, internal) {
  "use strict";
  // The Hyperdrive binding (`env.<BINDING>` for `hyperdrive = [{ binding, id }]`): the connection details of the
  // local pooler that stands for the origin database, read from the host (`host.hyperdriveInfo(id)`, filled by
  // the pooler at start-up), and `connect()`, a `cloudflare:sockets` Socket to it.

  class Hyperdrive {
    #id;
    #binding;
    constructor(token, id, binding) {
      if (token !== Hyperdrive) throw new TypeError("Illegal constructor");
      this.#id = id;
      this.#binding = binding;
    }
    #info() {
      const info = host.hyperdriveInfo(this.#id);
      if (info === null || info === undefined) {
        throw new Error(
          `Hyperdrive binding ${this.#binding}: no local endpoint for Hyperdrive config "${this.#id}". ` +
            `Give it a localConnectionString in the wrangler config (or set ` +
            `CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_${this.#binding}).`,
        );
      }
      return info;
    }
    get host() {
      return this.#info().host;
    }
    get port() {
      return this.#info().port;
    }
    get user() {
      return this.#info().user;
    }
    get password() {
      return this.#info().password;
    }
    get database() {
      return this.#info().database;
    }
    get connectionString() {
      const i = this.#info();
      const h = i.host.includes(":") ? `[${i.host}]` : i.host;
      const e = encodeURIComponent;
      return `postgresql://${e(i.user)}:${e(i.password)}@${h}:${i.port}/${e(i.database)}`;
    }
    connect() {
      const i = this.#info();
      return internal.socketConnect({ hostname: i.host, port: i.port }, { secureTransport: "off" });
    }
    get [Symbol.toStringTag]() {
      return "Hyperdrive";
    }
  }

  internal["binding:hyperdrive"] = function (spec) {
    return new Hyperdrive(Hyperdrive, spec.id, spec.name);
  };
})
