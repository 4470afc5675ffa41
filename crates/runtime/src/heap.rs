//! The allocator under each isolate's QuickJS heap.
//!
//! It enforces the isolate's memory limit itself, so that running out of memory is known for certain: QuickJS,
//! refused an allocation while it builds its own "out of memory" error, throws `null`, which looks like any other
//! throw. And it keeps a small per-thread cache of the 4 KiB blocks that QuickJS carves its small-object arenas
//! from: QuickJS hands an arena back as soon as its last object dies, so without the cache every request takes the
//! same few blocks from malloc and returns them (glibc serves blocks that size from its slow bins).

use rquickjs::allocator::Allocator;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What one isolate's heap holds and may hold, shared by its allocator and the isolate.
#[derive(Debug)]
pub(crate) struct HeapAccount {
    /// Bytes allocated (malloc's usable sizes).
    used: Cell<usize>,
    /// Most bytes the heap may hold; 0 for no limit.
    limit: usize,
    /// Set when an allocation was refused for the limit; stays set.
    exhausted: Cell<bool>,
}

impl HeapAccount {
    pub(crate) fn with_limit(limit: usize) -> Rc<HeapAccount> {
        Rc::new(HeapAccount {
            used: Cell::new(0),
            limit,
            exhausted: Cell::new(false),
        })
    }

    /// Whether an allocation was ever refused because the heap was at its limit.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    /// Room for `more` bytes; records the refusal otherwise.
    fn admit(&self, more: usize) -> bool {
        if self.limit != 0 && self.used.get().saturating_add(more) > self.limit {
            self.exhausted.set(true);
            return false;
        }
        true
    }
}

/// Requests QuickJS makes for one arena: `sizeof(JSArena)` plus a whole number of blocks of one size class (at
/// most 512 bytes), never more than 4096 bytes in all.
const ARENA_MIN: usize = 4096 - 512;
const ARENA_BLOCK: usize = 4096;
/// Arena blocks kept per thread for reuse (shared by all isolates on the thread): 256 KiB at most.
const CACHED_BLOCKS: usize = 64;

struct BlockCache(Vec<*mut u8>);

impl Drop for BlockCache {
    fn drop(&mut self) {
        for &block in &self.0 {
            // SAFETY: each cached block came from malloc and is owned by the cache.
            unsafe { libc::free(block.cast()) };
        }
    }
}

thread_local! {
    static BLOCKS: RefCell<BlockCache> = const { RefCell::new(BlockCache(Vec::new())) };
}

/// Usable size of an arena block as malloc rounds it (found once per process).
fn arena_block_usable() -> usize {
    static USABLE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *USABLE.get_or_init(|| {
        // SAFETY: a probe allocation, measured and freed at once.
        unsafe {
            let p = libc::malloc(ARENA_BLOCK);
            let n = libc::malloc_usable_size(p);
            libc::free(p);
            n
        }
    })
}

/// The allocator of one isolate's QuickJS runtime. Used from the isolate's thread only.
pub(crate) struct IsolateAllocator {
    account: Rc<HeapAccount>,
}

impl IsolateAllocator {
    pub(crate) fn new(account: Rc<HeapAccount>) -> IsolateAllocator {
        IsolateAllocator { account }
    }

    fn take(&self, size: usize, zeroed: bool) -> *mut u8 {
        let arena_block = (ARENA_MIN..=ARENA_BLOCK).contains(&size);
        let expected = if arena_block {
            arena_block_usable()
        } else {
            size
        };
        if !self.account.admit(expected) {
            return std::ptr::null_mut();
        }
        let ptr = if arena_block {
            // `try_with`: during thread exit the cache may already be gone; then malloc serves.
            let cached = BLOCKS.try_with(|b| b.borrow_mut().0.pop()).ok().flatten();
            match cached {
                Some(block) => {
                    if zeroed {
                        // SAFETY: the block holds at least ARENA_BLOCK bytes.
                        unsafe { std::ptr::write_bytes(block, 0, size) };
                    }
                    block
                }
                // SAFETY: plain allocations of a valid size.
                None if zeroed => unsafe { libc::calloc(1, ARENA_BLOCK).cast() },
                None => unsafe { libc::malloc(ARENA_BLOCK).cast() },
            }
        } else if zeroed {
            // SAFETY: as above.
            unsafe { libc::calloc(1, size).cast() }
        } else {
            // SAFETY: as above.
            unsafe { libc::malloc(size).cast() }
        };
        if !ptr.is_null() {
            // SAFETY: `ptr` came from malloc.
            let usable = unsafe { libc::malloc_usable_size(ptr.cast()) };
            self.account.used.set(self.account.used.get() + usable);
        }
        ptr
    }
}

// SAFETY: every pointer handed out comes from libc's malloc, calloc or realloc (16-byte aligned) and is
// released only through `dealloc`/`realloc` here; `usable_size` is malloc's own.
unsafe impl Allocator for IsolateAllocator {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        self.take(size, false)
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        match count.checked_mul(size) {
            Some(total) => self.take(total, true),
            None => std::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8) {
        let usable = libc::malloc_usable_size(ptr.cast());
        self.account
            .used
            .set(self.account.used.get().saturating_sub(usable));
        if usable == arena_block_usable() {
            let kept = BLOCKS
                .try_with(|b| {
                    let mut cache = b.borrow_mut();
                    if cache.0.len() < CACHED_BLOCKS {
                        cache.0.push(ptr);
                        true
                    } else {
                        false
                    }
                })
                .unwrap_or(false);
            if kept {
                return;
            }
        }
        libc::free(ptr.cast());
    }

    unsafe fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        let old = libc::malloc_usable_size(ptr.cast());
        if new_size > old && !self.account.admit(new_size - old) {
            return std::ptr::null_mut();
        }
        let moved: *mut u8 = libc::realloc(ptr.cast(), new_size).cast();
        if !moved.is_null() {
            let usable = libc::malloc_usable_size(moved.cast());
            self.account
                .used
                .set(self.account.used.get() - old + usable);
        }
        moved
    }

    unsafe fn usable_size(ptr: *mut u8) -> usize {
        libc::malloc_usable_size(ptr.cast())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_refuses_and_is_remembered() {
        let account = HeapAccount::with_limit(64 << 10);
        let mut heap = IsolateAllocator::new(account.clone());
        let a = heap.alloc(40 << 10);
        assert!(!a.is_null());
        assert!(!account.exhausted());
        assert!(heap.alloc(40 << 10).is_null(), "over the limit");
        assert!(account.exhausted());
        // SAFETY: `a` came from this allocator.
        unsafe { heap.dealloc(a) };
        assert_eq!(account.used.get(), 0);
        assert!(account.exhausted(), "stays set");
    }

    #[test]
    fn arena_blocks_are_reused_and_zeroed_on_request() {
        let account = HeapAccount::with_limit(0);
        let mut heap = IsolateAllocator::new(account.clone());
        let a = heap.alloc(4088);
        // SAFETY: `a` holds 4088 bytes.
        unsafe { std::ptr::write_bytes(a, 0xAB, 4088) };
        // SAFETY: `a` came from this allocator.
        unsafe { heap.dealloc(a) };
        let b = heap.calloc(1, 4000);
        assert_eq!(a, b, "the cached block is handed out again");
        // SAFETY: `b` holds 4000 zeroed bytes.
        assert!(unsafe { std::slice::from_raw_parts(b, 4000) }
            .iter()
            .all(|&x| x == 0));
        let grown = unsafe { heap.realloc(b, 100_000) };
        assert!(!grown.is_null());
        assert!(account.used.get() >= 100_000);
        // SAFETY: `grown` came from this allocator.
        unsafe { heap.dealloc(grown) };
        assert_eq!(account.used.get(), 0);
    }
}
