//! The one hash whose values are written down: the output manifest records
//! it, and the next build compares its own with it.

/// A stable 64-bit hash of bytes (XXH3, unseeded): the same on every run
/// and machine, so it can be written down (the output manifest) and
/// compared with a later build's. Tens of times faster than the standard
/// library's SipHash on whole pages, which matters when a build hashes
/// every page it writes.
pub(crate) fn stable(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}
