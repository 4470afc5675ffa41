//! A hasher for the runtime's small integer keys (its own sequential ids, QuickJS atoms, hashes already mixed):
//! one multiply spreads them well enough, where SipHash would cost more than the rest of a lookup.

/// See the module documentation.
#[derive(Default)]
pub(crate) struct IntHasher(u64);

const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

impl std::hash::Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(SPREAD);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(SPREAD);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(SPREAD);
    }
}

pub(crate) type BuildIntHasher = std::hash::BuildHasherDefault<IntHasher>;
