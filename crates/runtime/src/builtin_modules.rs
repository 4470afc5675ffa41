//! Modules built into the runtime that worker code imports by name: `cloudflare:workers`, `cloudflare:sockets`,
//! and the Node.js modules of `nodejs_compat` (`node:buffer`, ...; also by their bare names, `buffer`, which
//! resolve to the same module). The `cloudflare:sockets` and `node:*` modules are thin wrappers: their code lives
//! in prelude files (`js/sockets.js`, `js/node/*.js`) as `internal["module:<name>"]` hooks, loaded on first
//! import; the wrapper re-exports the hook's properties by name.

const CLOUDFLARE_WORKERS: &str = r#"
const internal = globalThis[Symbol.for("corral.internal.workers")];
export class DurableObject {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export class WorkerEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export class RpcTarget {}
export class WorkflowEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
export const env = internal.env;
export function waitUntil(promise) { internal.waitUntil(promise); }
export default { DurableObject, WorkerEntrypoint, RpcTarget, WorkflowEntrypoint, env, waitUntil };
"#;

/// The wrapped modules: name and named exports (the default export is the hook's `default`, or the hook).
const WRAPPED: &[(&str, &str)] = &[
    ("cloudflare:sockets", "connect SocketError"),
    ("node:buffer", "Buffer SlowBuffer kMaxLength kStringMaxLength constants INSPECT_MAX_BYTES atob btoa isUtf8 isAscii transcode Blob File"),
    ("node:events", "EventEmitter once on getEventListeners setMaxListeners listenerCount errorMonitor captureRejectionSymbol defaultMaxListeners EventTarget Event"),
    ("node:stream", "Stream Readable Writable Duplex Transform PassThrough finished pipeline promises addAbortSignal isReadable isErrored"),
    ("node:stream/promises", "finished pipeline"),
    ("node:util", "inherits promisify callbackify deprecate inspect format formatWithOptions isDeepStrictEqual types debuglog debug toUSVString stripVTControlCharacters isArray isBoolean isNull isNullOrUndefined isNumber isString isSymbol isUndefined isRegExp isObject isDate isError isFunction isPrimitive isBuffer TextEncoder TextDecoder"),
    ("node:util/types", "isDate isRegExp isPromise isMap isSet isWeakMap isWeakSet isArrayBuffer isSharedArrayBuffer isAnyArrayBuffer isArrayBufferView isDataView isTypedArray isUint8Array isUint8ClampedArray isUint16Array isUint32Array isInt8Array isInt16Array isInt32Array isFloat32Array isFloat64Array isBigInt64Array isBigUint64Array isAsyncFunction isGeneratorFunction isGeneratorObject isNativeError isBoxedPrimitive isNumberObject isStringObject isBooleanObject isBigIntObject isSymbolObject isProxy isKeyObject isCryptoKey"),
    ("node:crypto", "createHash createHmac hash pbkdf2 pbkdf2Sync randomBytes pseudoRandomBytes randomFill randomFillSync randomInt randomUUID getRandomValues timingSafeEqual getHashes getCiphers getCurves Hash Hmac constants webcrypto subtle"),
    ("node:net", "Socket Stream connect createConnection isIP isIPv4 isIPv6 createServer Server getDefaultAutoSelectFamily setDefaultAutoSelectFamily"),
    ("node:tls", "connect TLSSocket createSecureContext checkServerIdentity DEFAULT_ECDH_CURVE DEFAULT_MIN_VERSION DEFAULT_MAX_VERSION rootCertificates createServer"),
    ("node:string_decoder", "StringDecoder"),
    ("node:path", "sep delimiter normalize join resolve isAbsolute dirname basename extname relative parse format toNamespacedPath posix win32"),
    ("node:path/posix", "sep delimiter normalize join resolve isAbsolute dirname basename extname relative parse format toNamespacedPath posix win32"),
    ("node:url", "URL URLSearchParams fileURLToPath pathToFileURL parse format resolve domainToASCII domainToUnicode"),
    ("node:process", "env nextTick version versions release platform arch argv argv0 execArgv execPath pid ppid title cwd chdir umask uptime hrtime memoryUsage cpuUsage emitWarning exit abort kill exitCode features config getuid getgid geteuid getegid stdout stderr stdin binding"),
    ("node:timers", "setTimeout clearTimeout setInterval clearInterval setImmediate clearImmediate"),
    ("node:timers/promises", "setTimeout setImmediate scheduler"),
    ("node:assert", "AssertionError ok fail equal notEqual strictEqual notStrictEqual deepEqual deepStrictEqual notDeepEqual notDeepStrictEqual match doesNotMatch ifError throws doesNotThrow rejects doesNotReject strict"),
    ("node:assert/strict", "AssertionError ok fail equal notEqual strictEqual notStrictEqual deepEqual deepStrictEqual notDeepEqual notDeepStrictEqual match doesNotMatch ifError throws doesNotThrow rejects doesNotReject strict"),
    ("node:os", "EOL devNull platform type arch machine release version hostname homedir tmpdir endianness uptime loadavg totalmem freemem availableParallelism cpus networkInterfaces userInfo constants"),
    ("node:perf_hooks", "performance constants monitorEventLoopDelay createHistogram"),
    ("node:dns", "lookup promises ADDRCONFIG V4MAPPED ALL"),
    ("node:dns/promises", "lookup"),
    ("node:fs", "existsSync exists constants promises createReadStream createWriteStream readFile writeFile appendFile stat lstat access open readdir mkdir unlink rm rmdir rename realpath readlink copyFile chmod readFileSync writeFileSync appendFileSync statSync lstatSync accessSync openSync readdirSync mkdirSync unlinkSync rmSync rmdirSync renameSync realpathSync readlinkSync copyFileSync chmodSync"),
    ("node:fs/promises", "readFile writeFile appendFile stat lstat access open readdir mkdir unlink rm rmdir rename realpath readlink copyFile chmod"),
    ("node:diagnostics_channel", "channel Channel hasSubscribers subscribe unsubscribe tracingChannel"),
];

/// The wrapper sources, made once per process.
fn wrapped() -> &'static std::collections::HashMap<&'static str, String> {
    static SOURCES: std::sync::OnceLock<std::collections::HashMap<&'static str, String>> =
        std::sync::OnceLock::new();
    SOURCES.get_or_init(|| {
        WRAPPED
            .iter()
            .map(|(name, exports)| {
                let getter = if name.starts_with("node:") { "nodeModule" } else { "module" };
                let names: Vec<&str> = exports.split_whitespace().collect();
                let source = format!(
                    "const m = globalThis[Symbol.for(\"corral.internal.workers\")].{getter}({name:?});\n\
                     export default (\"default\" in m ? m.default : m);\n\
                     export const {{ {} }} = m;\n",
                    names.join(", ")
                );
                (*name, source)
            })
            .collect()
    })
}

/// The canonical name of a built-in module (`buffer` → `node:buffer`), or `None` when `name` is not one.
pub fn canonical(name: &str) -> Option<String> {
    if source(name).is_some() {
        return Some(name.to_string());
    }
    let prefixed = format!("node:{name}");
    source(&prefixed).is_some().then_some(prefixed)
}

pub fn source(name: &str) -> Option<&'static str> {
    match name {
        "cloudflare:workers" => Some(CLOUDFLARE_WORKERS),
        _ => wrapped().get(name).map(String::as_str),
    }
}
