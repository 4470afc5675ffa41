// Bundles each worker with its npm dependencies, as wrangler does for Workers: src/index.ts (pg) into
// dist/worker.js and src/postgresjs.ts (postgres.js) into dist/postgresjs.js. The "workerd" export condition
// (pg picks pg-cloudflare's socket, postgres.js its Cloudflare build, both on cloudflare:sockets), Node.js
// built-ins left to the runtime (nodejs_compat), and require() of a built-in turned into an import.
// (Plain .cjs/.ts so that corral, which compiles every .js/.mjs file of a worker directory, skips the sources.)
const esbuild = require("esbuild");
const { builtinModules } = require("node:module");

const builtins = new Set(builtinModules.filter((m) => !m.startsWith("_")));

const nodeBuiltins = {
  name: "node-builtins",
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, "");
      if (!builtins.has(bare)) return undefined;
      const path = `node:${bare}`;
      // An import stays an import; a require() call becomes a small module that imports it.
      if (args.kind === "require-call") return { path, namespace: "require-node-builtin" };
      return { path, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: "require-node-builtin" }, (args) => ({
      contents: `import lib from ${JSON.stringify(args.path)}; module.exports = lib;`,
      loader: "js",
    }));
  },
};

esbuild
  .build({
    entryPoints: { worker: "src/index.ts", postgresjs: "src/postgresjs.ts" },
    outdir: process.argv[2] || "dist",
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "pg-native"],
    plugins: [nodeBuiltins],
    logLevel: "warning",
  })
  .catch(() => process.exit(1));
