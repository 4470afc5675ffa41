//! The corral runtime: QuickJS isolates that run Workers code, with the Web platform APIs.
//!
//! A [`WorkerBundle`] is a worker version compiled once to bytecode; an [`Isolate`] instantiates it on one thread
//! and dispatches events to it. The JS halves of the Web APIs live in `js/` (see `js/README.md`).

mod builtin_modules;
pub mod bundle;
pub mod errors;
mod fetch;
mod heap;
mod host;
mod host_groups;
mod int_hash;
pub mod isolate;
mod kv;
mod node;
mod objects;
pub mod prelude;
mod prelude_build;
pub mod queues;
mod scheduled;
pub mod services;
mod sockets;
pub mod web;
pub mod websocket;

pub use bundle::{BuildError, WorkerBundle};
pub use isolate::{
    ByteStream, DispatchError, HttpRequest, HttpResponse, Isolate, Poison, ResponseBody,
};
pub use services::{
    HyperdriveEndpoint, ObjectAddress, ObjectCall, ObjectReply, ObjectRequest, ObjectRouter,
    Services,
};
