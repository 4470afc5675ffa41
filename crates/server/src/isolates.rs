//! The isolates of one listener thread: one per worker, for that worker's current version. A new version or a
//! poisoned isolate (limit hit) gets a fresh isolate on the next request; the old one lives on until the requests
//! it is serving finish (each holds a handle) and its `waitUntil` work settles.

use crate::registry::WorkerSlot;
use corral_runtime::{BuildError, Isolate};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Instant;

#[derive(Default)]
pub struct ThreadIsolates {
    current: RefCell<HashMap<String, Isolate>>,
    /// Replaced isolates with invocations still running.
    draining: RefCell<Vec<Isolate>>,
}

impl ThreadIsolates {
    /// The isolate for `worker`'s current version on this thread, created if needed.
    pub fn get(&self, worker: &WorkerSlot) -> Result<Isolate, BuildError> {
        let bundle = worker.bundle();
        if let Some(iso) = self.current.borrow().get(&worker.name) {
            if iso.bundle().version == bundle.version && iso.poisoned().is_none() {
                return Ok(iso.clone());
            }
        }
        self.draining
            .borrow_mut()
            .retain(|iso| iso.inflight() > 0 || iso.open_websockets() > 0);
        let started = Instant::now();
        let isolate = Isolate::new(bundle)?;
        tracing::debug!(worker = %worker.name, micros = started.elapsed().as_micros() as u64, "isolate created");
        if let Some(old) = self
            .current
            .borrow_mut()
            .insert(worker.name.clone(), isolate.clone())
        {
            if (old.inflight() > 0 || old.open_websockets() > 0) && old.poisoned().is_none() {
                self.draining.borrow_mut().push(old);
            }
        }
        Ok(isolate)
    }
}
