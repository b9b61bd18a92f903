//! The native builds' global allocator: mimalloc, called the way its own `malloc` is called.
//!
//! The `mimalloc` crate sends every request through `mi_malloc_aligned`, whose fast path only
//! covers blocks under 1 KB; a larger block (a boxed EndpointSlice, a slice's 100 endpoints)
//! took the generic aligned path and was over-allocated to find an aligned address. That was a
//! tenth of a full endpoints reconcile's instructions (callgrind). Every mimalloc block is
//! aligned to at least a machine word (its size classes are whole words), so a request that
//! needs no more than that goes to `mi_malloc`; only larger alignments take the aligned calls.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use libmimalloc_sys as mi;

/// What every block from `mi_malloc` is aligned to.
const WORD: usize = core::mem::size_of::<usize>();

pub struct MiMalloc;

// SAFETY: each call hands mimalloc's own functions a layout they honour: blocks from the plain
// calls are word-aligned, and any larger alignment goes through the aligned calls.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            mi::mi_realloc(ptr.cast(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
        }
    }
}

// mimalloc's option calls (exported by its C library; the sys crate declares them only with its
// `extended` feature, which would pull in another crate for two declarations)
extern "C" {
    fn mi_option_set(option: core::ffi::c_int, value: core::ffi::c_long);
    fn mi_option_get(option: core::ffi::c_int) -> core::ffi::c_long;
}

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (15 in mimalloc 2 and 3 alike).
const PURGE_DELAY: core::ffi::c_int = 15;

/// Keeps memory that was freed for reuse instead of returning it to the OS after mimalloc's
/// purge delay, as a browser's wasm memory does (it never shrinks): the benches measure the
/// lab's work, and a run that found its memory returned re-faulted it (~450 faults in a
/// 10,000-Service reconcile; mimalloc asks for transparent huge pages, so a fault can zero
/// 2 MB). Answers whether the setting holds.
pub fn keep_freed_memory() -> bool {
    // SAFETY: plain calls into mimalloc's option table with a valid option number
    unsafe {
        mi_option_set(PURGE_DELAY, -1);
        mi_option_get(PURGE_DELAY) == -1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_memory_can_be_kept() {
        assert!(keep_freed_memory());
    }

    /// Every size class up to a few pages, at every alignment up to 4 KB, comes back aligned,
    /// writable, and survives growing and shrinking.
    #[test]
    fn blocks_are_aligned_for_every_size_and_alignment() {
        let a = MiMalloc;
        for shift in 0..13 {
            let align = 1usize << shift;
            for size in (1..5000).step_by(7).chain([align, 2 * align]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    for zeroed in [false, true] {
                        let p = if zeroed {
                            a.alloc_zeroed(layout)
                        } else {
                            a.alloc(layout)
                        };
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size} align {align}");
                        if zeroed {
                            assert!((0..size).all(|i| *p.add(i) == 0));
                        }
                        p.write_bytes(0xa5, size);
                        let q = a.realloc(p, layout, size * 3);
                        assert_eq!(q as usize % align, 0, "realloc {size} align {align}");
                        assert!((0..size).all(|i| *q.add(i) == 0xa5));
                        let grown = Layout::from_size_align(size * 3, align).unwrap();
                        let r = a.realloc(q, grown, size.div_ceil(2));
                        assert_eq!(r as usize % align, 0);
                        assert!((0..size.div_ceil(2)).all(|i| *r.add(i) == 0xa5));
                        a.dealloc(r, Layout::from_size_align(size.div_ceil(2), align).unwrap());
                    }
                }
            }
        }
    }
}
