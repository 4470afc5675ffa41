//! One QuickJS isolate running one worker version on one thread: creation from a bundle, entering JS with the
//! CPU deadline armed, the microtask loop, limit enforcement, and dispatch of `fetch` events.
//!
//! Everything here is single-threaded: an isolate lives on the thread (and tokio `LocalSet`) that created it.
//! Host operations (timers, body reads, outbound fetch) run as local tasks that hold only a `Weak` reference, so
//! dropping the isolate cancels nothing by force but makes every late completion a no-op.

use crate::bundle::{BuildError, BundleLoader, ModuleResolver, WorkerBundle};
use crate::errors::{describe_error, describe_value, exception_parts};
use crate::heap::{HeapAccount, IsolateAllocator};
use crate::host;
use bytes::Bytes;
use rquickjs::{Context, Ctx, Function, Module, Object, Persistent, Promise, Runtime, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

/// A Rust-side source of body bytes (an incoming request body, an outbound fetch's response body).
pub type ByteStream = Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, String>>>>;

/// An HTTP request handed to a worker's `fetch` handler.
pub struct HttpRequest {
    pub method: String,
    /// Absolute URL (`http://host/path?query`).
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// `None` for requests without a body.
    pub body: Option<ByteStream>,
}

/// The response a worker produced.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// The worker's `statusText`, when it set one (an empty one means the canonical reason phrase).
    pub status_text: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}

#[derive(Debug)]
pub enum ResponseBody {
    Empty,
    Full(Bytes),
    /// Chunks as the worker writes them; an `Err` aborts the response.
    Stream(mpsc::Receiver<Result<Bytes, String>>),
    /// A 101 response carrying the worker's end of a WebSocket (`new Response(null, { status: 101, webSocket })`).
    WebSocket(crate::websocket::WebSocketConnection),
}

/// Why a worker did not produce a response.
#[derive(Debug, Clone, PartialEq)]
pub enum DispatchError {
    /// The handler threw or its promise rejected: `Name: message` and the stack.
    Exception { message: String, stack: String },
    /// The invocation ran past `limits.cpu_ms`.
    CpuLimit,
    /// The isolate ran out of its heap (`limits.memory_mb`).
    MemoryLimit,
    /// The isolate was discarded (after a limit was hit by another request) before this one finished.
    Discarded,
}

impl std::fmt::Display for DispatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DispatchError::Exception { message, stack } => {
                if stack.is_empty() {
                    write!(f, "{message}")
                } else {
                    write!(f, "{message}\n{stack}")
                }
            }
            DispatchError::CpuLimit => write!(f, "Worker exceeded CPU time limit."),
            DispatchError::MemoryLimit => write!(f, "Worker exceeded memory limit."),
            DispatchError::Discarded => write!(
                f,
                "Worker was restarted after another request exceeded a resource limit."
            ),
        }
    }
}

/// Which limit made an isolate unusable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Poison {
    Cpu,
    Memory,
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_nanos() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// The resolve and reject functions of a promise a host operation will settle, and the operation's task.
pub(crate) type PendingPromise = (
    Persistent<Function<'static>>,
    Persistent<Function<'static>>,
    Option<AbortHandle>,
);

/// Mutable per-isolate bookkeeping for host operations in flight.
#[derive(Default)]
pub(crate) struct IsolateState {
    next_id: u64,
    pub timers: HashMap<u64, (Persistent<Function<'static>>, AbortHandle)>,
    pub resolvers: HashMap<u64, PendingPromise>,
    /// Body sources by handle; `None` while a read is in flight.
    pub bodies: HashMap<u64, Option<ByteStream>>,
    pub pending_responses: HashMap<u64, oneshot::Sender<Result<HttpResponse, DispatchError>>>,
    pub sinks: HashMap<u64, mpsc::Sender<Result<Bytes, String>>>,
    /// WebSockets terminated in this isolate, by id (see `websocket.rs`).
    pub websockets: HashMap<u64, crate::websocket::SocketEntry>,
    /// WebSockets that came back from a Durable Object stub's `fetch`, until the caller returns them.
    pub forwarded: HashMap<u64, crate::websocket::WebSocketConnection>,
    /// Durable Objects' automatic WebSocket responses, by `(class, id)`.
    pub auto_responses: HashMap<(String, String), crate::websocket::AutoResponse>,
    /// Tasks waiting for the client of a streamed response to go away, by sink (`respondStream` with `watch`).
    pub sink_watchers: HashMap<u64, AbortHandle>,
}

impl IsolateState {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

pub(crate) struct IsolateInner {
    pub state: RefCell<IsolateState>,
    /// The prelude's shared `internal` object (holds `dispatchFetch` and friends).
    internal: RefCell<Option<Persistent<Object<'static>>>>,
    pub started: Instant,
    /// CPU deadline for the current entry into JS, in `now_nanos` units; 0 when not in JS.
    deadline: Arc<AtomicU64>,
    /// Set by the interrupt handler when it stopped JS for running past the deadline.
    interrupted: Arc<AtomicBool>,
    /// Set by the rejection tracker when a promise was rejected with no handler; checked after each turn.
    maybe_unhandled: Arc<AtomicBool>,
    poisoned: Cell<Option<Poison>>,
    /// Invocations started and not yet finished (response sent and `waitUntil` settled).
    inflight: Cell<usize>,
    /// The `enable_request_signal` compatibility flag: an incoming request's `signal` aborts when its client
    /// disconnects before the response is out.
    request_signal: bool,
    /// Durable Objects living in this isolate: their storage and pending calls.
    pub(crate) objects: RefCell<crate::objects::ObjectsState>,
    /// Depth of `enter` calls, to catch accidental nesting.
    entered: Cell<bool>,
    /// The invocation the running turn is charged to (0: none), and the CPU time (nanoseconds) each fetch
    /// invocation in flight has used so far, so that `cpu_ms` bounds an invocation's turns together.
    turn_owner: Cell<u64>,
    cpu_spent: RefCell<HashMap<u64, u64, crate::int_hash::BuildIntHasher>>,
    /// What the QuickJS heap holds, and whether it ever hit the memory limit (kept by `heap::IsolateAllocator`).
    heap: Rc<HeapAccount>,
    // Field order matters: the context must be dropped before the runtime.
    context: Context,
    runtime: Runtime,
    /// Holds the bytecode QuickJS reads in place (read-only data), so it is dropped after the runtime.
    pub bundle: Arc<WorkerBundle>,
}

impl Drop for IsolateInner {
    fn drop(&mut self) {
        // Persistent values must be released while the runtime is still alive.
        let state = std::mem::take(&mut *self.state.borrow_mut());
        for (_, (_, handle)) in state.timers {
            handle.abort();
        }
        for (_, (_, _, handle)) in state.resolvers {
            if let Some(h) = handle {
                h.abort();
            }
        }
        for (_, tx) in state.pending_responses {
            let _ = tx.send(Err(DispatchError::Discarded));
        }
        for (_, handle) in state.sink_watchers {
            handle.abort();
        }
        self.internal.borrow_mut().take();
        self.runtime.run_gc();
    }
}

/// A worker isolate. Cheap to clone (shared handle); not `Send`.
#[derive(Clone)]
pub struct Isolate {
    inner: Rc<IsolateInner>,
}

impl Isolate {
    /// Creates an isolate for `bundle`: sets limits, loads the Web API prelude and evaluates the worker's entry
    /// module under the start-up time limit. Must run inside a tokio `LocalSet`.
    pub fn new(bundle: Arc<WorkerBundle>) -> Result<Isolate, BuildError> {
        let fail = |m: String| BuildError { message: m };
        let heap = HeapAccount::with_limit((bundle.limits.memory_mb as usize) << 20);
        let runtime = Runtime::new_with_alloc(IsolateAllocator::new(heap.clone()))
            .map_err(|e| fail(format!("cannot start QuickJS: {e}")))?;
        runtime.set_max_stack_size(1 << 20);
        runtime.set_gc_threshold(4 << 20);
        let deadline = Arc::new(AtomicU64::new(0));
        let interrupted = Arc::new(AtomicBool::new(false));
        {
            let deadline = deadline.clone();
            let interrupted = interrupted.clone();
            runtime.set_interrupt_handler(Some(Box::new(move || {
                let d = deadline.load(Ordering::Relaxed);
                if d != 0 && now_nanos() > d {
                    interrupted.store(true, Ordering::Relaxed);
                    true
                } else {
                    false
                }
            })));
        }
        let maybe_unhandled = Arc::new(AtomicBool::new(false));
        {
            let flag = maybe_unhandled.clone();
            runtime.set_host_promise_rejection_tracker(Some(Box::new(
                move |ctx, promise, reason, is_handled| {
                    if track_rejection(&ctx, promise, reason, is_handled) {
                        flag.store(true, Ordering::Relaxed);
                    }
                },
            )));
        }
        runtime.set_loader(
            ModuleResolver {
                names: bundle.module_names.clone(),
            },
            BundleLoader {
                bundle: bundle.clone(),
            },
        );
        let context = Context::custom::<WorkerIntrinsics>(&runtime)
            .map_err(|e| fail(format!("cannot start QuickJS: {e}")))?;
        let inner = Rc::new(IsolateInner {
            heap,
            state: RefCell::default(),
            internal: RefCell::new(None),
            started: Instant::now(),
            deadline,
            interrupted,
            maybe_unhandled,
            poisoned: Cell::new(None),
            inflight: Cell::new(0),
            request_signal: bundle
                .compatibility_flags
                .iter()
                .any(|f| f == "enable_request_signal")
                && !bundle
                    .compatibility_flags
                    .iter()
                    .any(|f| f == "disable_request_signal"),
            objects: RefCell::default(),
            entered: Cell::new(false),
            turn_owner: Cell::new(0),
            cpu_spent: RefCell::default(),
            context,
            runtime,
            bundle: bundle.clone(),
        });
        let isolate = Isolate { inner };
        isolate.boot()?;
        Ok(isolate)
    }

    fn boot(&self) -> Result<(), BuildError> {
        let inner = &self.inner;
        let weak = Rc::downgrade(inner);
        let startup = Duration::from_millis(inner.bundle.limits.startup_ms);
        // 1. The Web API prelude and the glue (no user code yet: not under the start-up limit).
        let namespace_promise =
            inner.enter_with_budget(Duration::from_secs(10), |ctx| -> Result<(), String> {
                let host = Object::new(ctx.clone()).map_err(|e| e.to_string())?;
                host::register(&ctx, &host, weak.clone()).map_err(|e| describe_error(&ctx, e))?;
                let host_group = crate::host_groups::trap(&ctx, weak.clone())
                    .map_err(|e| describe_error(&ctx, e))?;
                let internal = crate::prelude::install(&ctx, host, host_group)
                    .map_err(|e| describe_error(&ctx, e))?;
                // Run once, then dropped so its function does not stay in every isolate.
                let configure: Function = internal
                    .get("configure")
                    .map_err(|e| describe_error(&ctx, e))?;
                internal
                    .remove("configure")
                    .map_err(|e| describe_error(&ctx, e))?;
                configure
                    .call::<_, ()>((
                        inner.bundle.env_json.as_str(),
                        inner.bundle.bindings_json.as_str(),
                        inner.bundle.compatibility_flags.clone(),
                        inner.bundle.compatibility_date.clone().unwrap_or_default(),
                    ))
                    .map_err(|e| describe_error(&ctx, e))?;
                *inner.internal.borrow_mut() = Some(Persistent::save(&ctx, internal));
                Ok(())
            });
        namespace_promise.map_err(|m| BuildError {
            message: format!("runtime prelude failed: {m}"),
        })?;

        // 2. The worker's entry module, under the start-up CPU limit.
        let main = format!("./{}", inner.bundle.main);
        let result = inner.enter_with_budget(
            startup,
            |ctx| -> Result<Persistent<Promise<'static>>, String> {
                let promise =
                    Module::import(&ctx, main.as_str()).map_err(|e| describe_error(&ctx, e))?;
                Ok(Persistent::save(&ctx, promise))
            },
        );
        let promise = match result {
            Ok(p) => p,
            Err(message) => return Err(self.startup_error(message)),
        };
        let init = inner.enter_with_budget(startup, |ctx| -> Result<(), String> {
            let promise = promise.restore(&ctx).map_err(|e| e.to_string())?;
            let namespace: Object = match promise.result::<Object>() {
                None => {
                    return Err(
                        "the entry module's top-level await did not settle during start-up".into(),
                    )
                }
                Some(Err(e)) => return Err(describe_error(&ctx, e)),
                Some(Ok(ns)) => ns,
            };
            let internal = inner.internal_object(&ctx)?;
            let init: Function = internal.get("init").map_err(|e| describe_error(&ctx, e))?;
            init.call::<_, ()>((namespace,))
                .map_err(|e| describe_error(&ctx, e))
        });
        init.map_err(|m| self.startup_error(m))
    }

    fn startup_error(&self, message: String) -> BuildError {
        let message = match self.inner.take_poison() {
            Some(Poison::Cpu) => "Script startup exceeded CPU time limit.".to_string(),
            Some(Poison::Memory) => "Script startup exceeded memory limits.".to_string(),
            None => message,
        };
        BuildError {
            message: format!("{}: {message}", self.inner.bundle.name),
        }
    }

    pub fn bundle(&self) -> &Arc<WorkerBundle> {
        &self.inner.bundle
    }

    /// Set once a request hit the CPU or memory limit; the isolate must then be replaced.
    pub fn poisoned(&self) -> Option<Poison> {
        self.inner.poisoned.get()
    }

    /// Invocations that have not finished yet (including `waitUntil` work after the response).
    pub fn inflight(&self) -> usize {
        self.inner.inflight.get()
    }

    /// WebSockets terminated in this isolate that are still open (they die with the isolate).
    pub fn open_websockets(&self) -> usize {
        self.inner.state.borrow().websockets.len()
    }

    /// Heap bytes in use by this isolate.
    pub fn heap_bytes(&self) -> u64 {
        self.inner.runtime.memory_usage().memory_used_size as u64
    }

    /// Runs the worker's `fetch` handler for `request` and waits for its response.
    pub async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, DispatchError> {
        self.dispatch_http(request, None).await
    }

    /// Delivers a request to the `fetch` handler of a Durable Object living in this isolate:
    /// `target` is `(class, id, name)`.
    pub(crate) async fn fetch_object(
        &self,
        request: HttpRequest,
        target: (String, String, Option<String>),
    ) -> Result<HttpResponse, DispatchError> {
        self.dispatch_http(request, Some(target)).await
    }

    pub(crate) fn inner(&self) -> &Rc<IsolateInner> {
        &self.inner
    }

    async fn dispatch_http(
        &self,
        request: HttpRequest,
        target: Option<(String, String, Option<String>)>,
    ) -> Result<HttpResponse, DispatchError> {
        if let Some(p) = self.inner.poisoned.get() {
            return Err(p.into());
        }
        let inner = &self.inner;
        let incoming = target.is_none();
        let (tx, rx) = oneshot::channel();
        let (id, body_handle) = {
            let mut state = inner.state.borrow_mut();
            let id = state.next_id();
            state.pending_responses.insert(id, tx);
            let body_handle = request.body.map(|b| {
                let h = state.next_id();
                state.bodies.insert(h, Some(b));
                h
            });
            (id, body_handle)
        };
        inner.inflight.set(inner.inflight.get() + 1);
        inner.cpu_spent.borrow_mut().insert(id, 0);
        let headers: Vec<String> = request
            .headers
            .into_iter()
            .flat_map(|(k, v)| [k, v])
            .collect();
        let called = inner.enter_as(id, |ctx| -> rquickjs::Result<()> {
            let internal = inner
                .internal_object(&ctx)
                .map_err(|m| rquickjs::Exception::throw_internal(&ctx, &m))?;
            match target {
                None => {
                    let dispatch: Function = internal.get("dispatchFetch")?;
                    dispatch.call((
                        id as f64,
                        request.method,
                        request.url,
                        headers,
                        body_handle.map(|h| h as f64),
                    ))
                }
                Some((class, object_id, name)) => {
                    let dispatch: Function = internal.get("dispatchObjectFetch")?;
                    dispatch.call((
                        id as f64,
                        request.method,
                        request.url,
                        headers,
                        body_handle.map(|h| h as f64),
                        (class, object_id, name).into_js_array(&ctx)?,
                    ))
                }
            }
        });
        if let Err(message) = called {
            inner.finish_response(
                id,
                Err(DispatchError::Exception {
                    message,
                    stack: String::new(),
                }),
            );
            inner.invocation_done(id);
        }
        // Hyper drops this future when the client disconnects while the response is pending.
        let mut disconnect = DisconnectGuard {
            inner,
            id,
            armed: incoming && inner.request_signal,
        };
        let result = rx.await.unwrap_or(Err(DispatchError::Discarded));
        disconnect.armed = false;
        result
    }
}

/// Dropped before its request's response arrived (the client went away): aborts the request's `signal`.
struct DisconnectGuard<'a> {
    inner: &'a Rc<IsolateInner>,
    id: u64,
    armed: bool,
}

impl Drop for DisconnectGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        // Not from inside this drop: it may run anywhere hyper's connection task is dropped.
        let weak = Rc::downgrade(self.inner);
        let id = self.id;
        tokio::task::spawn_local(async move {
            let Some(inner) = weak.upgrade() else { return };
            // Not if the response came out in the meantime: the request then completed.
            if inner.state.borrow().pending_responses.contains_key(&id) {
                inner.abort_incoming_signal(id);
            }
        });
    }
}

impl From<Poison> for DispatchError {
    fn from(p: Poison) -> Self {
        match p {
            Poison::Cpu => DispatchError::CpuLimit,
            Poison::Memory => DispatchError::MemoryLimit,
        }
    }
}

impl IsolateInner {
    pub(crate) fn internal_object<'js>(&self, ctx: &Ctx<'js>) -> Result<Object<'js>, String> {
        let internal = self.internal.borrow();
        let p = internal.as_ref().ok_or("the isolate is not booted")?;
        p.clone().restore(ctx).map_err(|e| e.to_string())
    }

    /// Enters JS with the CPU limit armed, runs `f`, then drains the microtask queue; the turn is charged to no
    /// invocation. A JS exception escaping `f` is returned as text. Never call from inside another `enter`.
    pub(crate) fn enter<R>(
        &self,
        f: impl FnOnce(Ctx<'_>) -> rquickjs::Result<R>,
    ) -> Result<R, String> {
        self.enter_as(0, f)
    }

    /// `enter` for a turn charged to invocation `owner` (0: none). A fetch invocation's turns share one `cpu_ms`
    /// budget, as on Cloudflare: the first, the turns that settle the promises and timers it started, and the
    /// microtasks they run. (Microtasks of other invocations that run in the same turn are charged to it too.)
    /// Turns charged to no invocation, or to one that has finished, get the whole budget.
    pub(crate) fn enter_as<R>(
        &self,
        owner: u64,
        f: impl FnOnce(Ctx<'_>) -> rquickjs::Result<R>,
    ) -> Result<R, String> {
        let limit = Duration::from_millis(self.bundle.limits.cpu_ms);
        let spent = match owner {
            0 => None,
            _ => self.cpu_spent.borrow().get(&owner).copied(),
        };
        let budget = limit.saturating_sub(Duration::from_nanos(spent.unwrap_or(0)));
        let owner = if spent.is_some() { owner } else { 0 };
        self.turn_owner.set(owner);
        let started = now_nanos();
        let result = self.enter_with_budget(budget, |ctx| {
            f(ctx.clone()).map_err(|e| describe_error(&ctx, e))
        });
        self.turn_owner.set(0);
        if owner != 0 {
            if let Some(spent) = self.cpu_spent.borrow_mut().get_mut(&owner) {
                *spent += now_nanos().saturating_sub(started);
            }
        }
        result
    }

    /// The invocation the running turn is charged to, for the host operations it starts (0: none).
    pub(crate) fn turn_owner(&self) -> u64 {
        self.turn_owner.get()
    }

    pub(crate) fn enter_with_budget<R>(
        &self,
        budget: Duration,
        f: impl FnOnce(Ctx<'_>) -> Result<R, String>,
    ) -> Result<R, String> {
        if self.poisoned.get().is_some() {
            return Err("the isolate was discarded".into());
        }
        assert!(!self.entered.replace(true), "nested entry into an isolate");
        self.deadline
            .store(now_nanos() + budget.as_nanos() as u64, Ordering::Relaxed);
        let result = self.context.with(f);
        self.run_microtasks();
        if self.maybe_unhandled.swap(false, Ordering::Relaxed) {
            self.log_unhandled_rejections();
        }
        // Writes made during this turn without an await in between commit together.
        if self.objects.borrow().has_pending_writes() {
            self.objects.borrow_mut().commit_all(&self.bundle.name);
        }
        self.deadline.store(0, Ordering::Relaxed);
        self.entered.set(false);
        if result.is_err() {
            self.note_limit();
        }
        if let Some(p) = self.poisoned.get() {
            self.fail_all(p);
        }
        result
    }

    fn run_microtasks(&self) {
        loop {
            match self.runtime.execute_pending_job() {
                Ok(true) => {}
                Ok(false) => break,
                Err(job) => {
                    let text = job.0.with(|ctx| describe_value(&ctx.catch()));
                    self.note_limit();
                    if self.poisoned.get().is_some() {
                        break;
                    }
                    tracing::error!(worker = %self.bundle.name, "uncaught exception in a promise job: {text}");
                }
            }
        }
    }

    /// Logs the promises rejected during this turn that still have no handler once the microtasks ran
    /// ("Uncaught (in promise)", as browsers and workerd print them).
    fn log_unhandled_rejections(&self) {
        let reasons: Vec<String> = self.context.with(|ctx| {
            let Ok(Some(pending)) = ctx
                .globals()
                .get::<_, Option<rquickjs::Object>>(UNHANDLED_KEY)
            else {
                return Vec::new();
            };
            let _ = ctx.globals().remove(UNHANDLED_KEY);
            let reasons = ctx
                .eval::<Function, _>("(pending) => Array.from(pending.values())")
                .and_then(|values| values.call::<_, Vec<Value>>((pending,)));
            reasons
                .unwrap_or_default()
                .iter()
                .map(describe_value)
                .collect()
        });
        for reason in reasons {
            if self.poisoned.get().is_none() {
                self.log("error", &format!("Uncaught (in promise) {reason}"));
            }
        }
    }

    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned.get().is_some()
    }

    /// After an exception: marks the isolate poisoned when the CPU or memory limit was hit (what was thrown does
    /// not matter; out of memory, QuickJS may throw `null`).
    pub(crate) fn note_limit(&self) {
        if self.interrupted.swap(false, Ordering::Relaxed) {
            self.poisoned.set(Some(Poison::Cpu));
            tracing::error!(worker = %self.bundle.name, limit = "cpu_ms", cpu_ms = self.bundle.limits.cpu_ms,
                "worker exceeded its CPU time limit; isolate discarded");
        } else if self.heap.exhausted() {
            self.poisoned.set(Some(Poison::Memory));
            tracing::error!(worker = %self.bundle.name, limit = "memory_mb", memory_mb = self.bundle.limits.memory_mb,
                "worker exceeded its memory limit; isolate discarded");
        }
    }

    fn take_poison(&self) -> Option<Poison> {
        self.poisoned.get()
    }

    /// Fails every response still pending in a poisoned isolate.
    fn fail_all(&self, p: Poison) {
        let pending: Vec<_> = self.state.borrow_mut().pending_responses.drain().collect();
        for (_, tx) in pending {
            let _ = tx.send(Err(p.into()));
        }
        let sinks: Vec<_> = self.state.borrow_mut().sinks.drain().collect();
        for (_, tx) in sinks {
            let _ = tx.try_send(Err(DispatchError::from(p).to_string()));
        }
    }

    pub(crate) fn finish_response(&self, id: u64, outcome: Result<HttpResponse, DispatchError>) {
        let tx = self.state.borrow_mut().pending_responses.remove(&id);
        if let Some(tx) = tx {
            // The output gate: Durable Object writes made before a response are durable before it leaves.
            crate::objects::commit_before_output(self);
            let _ = tx.send(outcome);
        }
    }

    /// The client of incoming request `id` went away before its response was out: its `request.signal` aborts
    /// (`internal.abortIncomingSignal`). Call from a task, never from inside JS.
    pub(crate) fn abort_incoming_signal(&self, id: u64) {
        let called = self.enter(|ctx| {
            let internal = self
                .internal_object(&ctx)
                .map_err(|m| rquickjs::Exception::throw_internal(&ctx, &m))?;
            let abort: Function = internal.get("abortIncomingSignal")?;
            abort.call::<_, ()>((id as f64,))
        });
        if let Err(message) = called {
            tracing::debug!(worker = %self.bundle.name, "aborting request.signal failed: {message}");
        }
    }

    pub(crate) fn begin_invocation(&self) {
        self.inflight.set(self.inflight.get() + 1);
    }

    /// One invocation finished (`id`: the fetch invocation whose CPU time was counted, or 0).
    pub(crate) fn invocation_done(&self, id: u64) {
        self.cpu_spent.borrow_mut().remove(&id);
        self.inflight.set(self.inflight.get().saturating_sub(1));
        if self.inflight.get() == 0 {
            // WebSockets from Durable Object stubs that no invocation returned: nobody can return them now, so
            // close them (the object sees 1006).
            let forwarded = std::mem::take(&mut self.state.borrow_mut().forwarded);
            drop(forwarded);
        }
    }

    pub(crate) fn log(&self, level: &str, message: &str) {
        let worker = self.bundle.name.as_str();
        match level {
            "error" => tracing::error!(target: "worker", worker, "{message}"),
            "warn" => tracing::warn!(target: "worker", worker, "{message}"),
            "debug" => tracing::debug!(target: "worker", worker, "{message}"),
            _ => tracing::info!(target: "worker", worker, "{message}"),
        }
    }

    /// Describes an exception value passed from JS for the log and the error page.
    pub(crate) fn exception_from_js(value: &Value<'_>) -> DispatchError {
        let (message, stack) = exception_parts(value);
        DispatchError::Exception { message, stack }
    }
}

/// A weak handle host operations keep while they wait.
/// Packs a target triple into a JS array (calls take at most 7 arguments).
pub(crate) trait IntoJsArray {
    fn into_js_array<'js>(self, ctx: &Ctx<'js>) -> rquickjs::Result<rquickjs::Array<'js>>;
}

impl IntoJsArray for (String, String, Option<String>) {
    fn into_js_array<'js>(self, ctx: &Ctx<'js>) -> rquickjs::Result<rquickjs::Array<'js>> {
        let a = rquickjs::Array::new(ctx.clone())?;
        a.set(0, self.0)?;
        a.set(1, self.1)?;
        a.set(2, self.2)?;
        Ok(a)
    }
}

pub(crate) type WeakIsolate = Weak<IsolateInner>;

/// QuickJS's built-ins for a worker's context: all of `Context::full` but `atob`/`btoa` and `performance`, which
/// the prelude defines itself (as Web IDL says; `encoding.js`, `misc.js`), so QuickJS's copies were dead weight in
/// every isolate.
type WorkerIntrinsics = (
    rquickjs::context::intrinsic::Date,
    rquickjs::context::intrinsic::Eval,
    rquickjs::context::intrinsic::RegExpCompiler,
    rquickjs::context::intrinsic::RegExp,
    rquickjs::context::intrinsic::Json,
    rquickjs::context::intrinsic::Proxy,
    rquickjs::context::intrinsic::MapSet,
    rquickjs::context::intrinsic::TypedArrays,
    rquickjs::context::intrinsic::Promise,
    rquickjs::context::intrinsic::WeakRef,
);

/// Hidden global holding the rejected promises without a handler (a `Map` promise → reason) until the turn ends.
const UNHANDLED_KEY: &str = "__corralUnhandledRejections";

/// The rejection tracker's body: records a rejection without a handler, forgets it once a handler is attached.
/// Returns true when something was recorded.
fn track_rejection<'js>(
    ctx: &Ctx<'js>,
    promise: Value<'js>,
    reason: Value<'js>,
    is_handled: bool,
) -> bool {
    let globals = ctx.globals();
    let existing = globals
        .get::<_, Option<Object>>(UNHANDLED_KEY)
        .ok()
        .flatten();
    if is_handled {
        if let Some(map) = existing {
            if let Ok(delete) = map.get::<_, Function>("delete") {
                let _ = delete.call::<_, ()>((rquickjs::function::This(map.clone()), promise));
            }
        }
        return false;
    }
    let map = match existing {
        Some(map) => map,
        None => {
            let Ok(map) = ctx.eval::<Object, _>("new Map()") else {
                return false;
            };
            let _ = globals.prop(
                UNHANDLED_KEY,
                rquickjs::object::Property::from(map.clone()).configurable(),
            );
            map
        }
    };
    if let Ok(set) = map.get::<_, Function>("set") {
        let _ = set.call::<_, ()>((rquickjs::function::This(map.clone()), promise, reason));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use corral_config::Limits;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        tokio::task::LocalSet::new().block_on(&rt, f)
    }

    fn bundle(source: &str, limits: Limits) -> Arc<WorkerBundle> {
        WorkerBundle::from_sources(
            "t",
            "index.js",
            &[("index.js", source)],
            "{\"NAME\":\"v\"}",
            limits,
        )
        .unwrap()
    }

    fn get() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            url: "http://x/".into(),
            headers: vec![],
            body: None,
        }
    }

    #[test]
    fn handler_exception_carries_message_and_stack() {
        run(async {
            let src =
                "export default { fetch() { throw new RangeError('nope ' + globalThis.x); } }";
            let iso = Isolate::new(bundle(src, Limits::default())).unwrap();
            match iso.fetch(get()).await {
                Err(DispatchError::Exception { message, stack }) => {
                    assert_eq!(message, "RangeError: nope undefined");
                    assert!(stack.contains("index.js:1"), "{stack}");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(iso.inflight(), 0);
        });
    }

    #[test]
    fn infinite_loop_hits_cpu_limit_and_poisons() {
        run(async {
            let src = "export default { fetch() { for (;;) {} } }";
            let limits = Limits {
                cpu_ms: 50,
                ..Limits::default()
            };
            let iso = Isolate::new(bundle(src, limits)).unwrap();
            let started = Instant::now();
            assert_eq!(iso.fetch(get()).await.unwrap_err(), DispatchError::CpuLimit);
            assert!(started.elapsed() < Duration::from_secs(2));
            assert_eq!(iso.poisoned(), Some(Poison::Cpu));
        });
    }

    #[test]
    fn async_loop_after_await_hits_cpu_limit() {
        run(async {
            let src = "export default { async fetch() { await null; for (;;) {} } }";
            let limits = Limits {
                cpu_ms: 50,
                ..Limits::default()
            };
            let iso = Isolate::new(bundle(src, limits)).unwrap();
            assert_eq!(iso.fetch(get()).await.unwrap_err(), DispatchError::CpuLimit);
        });
    }

    #[test]
    fn cpu_limit_counts_an_invocations_turns_together() {
        run(async {
            // Each turn spins 30 ms, then waits for a timer: two turns fit in 100 ms, five do not.
            let src = r#"
                const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} };
                export default { async fetch(request) {
                    const turns = Number(request.url.split("turns=")[1]);
                    for (let i = 0; i < turns; i++) {
                        spin(30);
                        await new Promise((resolve) => setTimeout(resolve, 1));
                    }
                    return new Response(`${turns} turns`);
                } }"#;
            let limits = Limits {
                cpu_ms: 100,
                ..Limits::default()
            };
            let iso = Isolate::new(bundle(src, limits)).unwrap();
            let with_turns = |n: u32| HttpRequest {
                url: format!("http://x/?turns={n}"),
                ..get()
            };
            // Two invocations interleaved: 120 ms between them, but each within its own 100 ms.
            let (a, b) = tokio::join!(iso.fetch(with_turns(2)), iso.fetch(with_turns(2)));
            assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
            assert_eq!(iso.inflight(), 0);
            assert!(iso.inner.cpu_spent.borrow().is_empty());
            // Five turns of 30 ms: no single turn reaches the limit, their sum does.
            assert_eq!(
                iso.fetch(with_turns(5)).await.unwrap_err(),
                DispatchError::CpuLimit
            );
            assert_eq!(iso.poisoned(), Some(Poison::Cpu));
        });
    }

    #[test]
    fn memory_bomb_hits_memory_limit() {
        run(async {
            let src = "export default { fetch() { const a = []; for (;;) a.push(new Array(100000).fill(1)); } }";
            let limits = Limits {
                memory_mb: 16,
                ..Limits::default()
            };
            let iso = Isolate::new(bundle(src, limits)).unwrap();
            assert_eq!(
                iso.fetch(get()).await.unwrap_err(),
                DispatchError::MemoryLimit
            );
        });
    }

    /// QuickJS throws null when it cannot even allocate its "out of memory" error: whatever is thrown once the heap
    /// ran out is the memory limit (503, isolate discarded); a plain `throw null` is an exception (500, isolate kept).
    #[test]
    fn a_throw_after_the_heap_ran_out_is_the_memory_limit() {
        run(async {
            let src = r#"
                const keep = [];
                export default { fetch(request) {
                  if (request.url.endsWith("/plain")) throw null;
                  // Fill the heap to within a few bytes of the limit, then fail as QuickJS does when its own
                  // error cannot be allocated.
                  for (let size = 1 << 20; size >= 1; ) {
                    try { keep.push(new ArrayBuffer(size)); } catch { size >>= 1; }
                  }
                  throw null;
                } }"#;
            let limits = Limits {
                memory_mb: 16,
                ..Limits::default()
            };
            let iso = Isolate::new(bundle(src, limits)).unwrap();
            let mut plain = get();
            plain.url = "http://localhost/plain".into();
            assert!(matches!(
                iso.fetch(plain).await.unwrap_err(),
                DispatchError::Exception { .. }
            ));
            assert!(iso.poisoned().is_none());
            assert_eq!(
                iso.fetch(get()).await.unwrap_err(),
                DispatchError::MemoryLimit
            );
            assert!(iso.poisoned().is_some());
        });
    }

    #[test]
    fn slow_top_level_fails_startup() {
        run(async {
            let src =
                "const end = Date.now() + 5000; while (Date.now() < end) {} export default {}";
            let limits = Limits {
                startup_ms: 100,
                ..Limits::default()
            };
            let err = Isolate::new(bundle(src, limits)).err().unwrap();
            assert!(
                err.message
                    .contains("Script startup exceeded CPU time limit."),
                "{}",
                err.message
            );
        });
    }

    #[test]
    fn top_level_throw_names_file_and_line() {
        run(async {
            let src = "\n\nthrow new Error('boom at top');\nexport default {}";
            let err = Isolate::new(bundle(src, Limits::default())).err().unwrap();
            assert!(err.message.contains("boom at top"), "{}", err.message);
            assert!(err.message.contains("index.js:3"), "{}", err.message);
        });
    }

    #[test]
    fn missing_import_is_reported_at_build() {
        let src = "import x from './nope.js'; export default {}";
        let err = WorkerBundle::from_sources(
            "t",
            "index.js",
            &[("index.js", src)],
            "{}",
            Limits::default(),
        )
        .unwrap_err();
        assert!(
            err.message
                .contains("index.js: cannot resolve import \"./nope.js\""),
            "{}",
            err.message
        );
    }
}
