//! Stable sorting through one instantiation of the standard library's sort. Every `sort_by` with
//! its own element type and closure is another copy of driftsort in the browser build (30 copies
//! were 100 KB of wasm); here every caller sorts positions with one comparator type, then moves
//! its elements into place. The resulting order is exactly the stable sort's.

use std::cmp::Ordering;

/// `slice::sort_by`, stable.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    // already in order (the common case for lists kept sorted as they are built): nothing to
    // move, and no positions to allocate
    if v.windows(2).all(|w| cmp(&w[0], &w[1]) != Ordering::Greater) {
        return;
    }
    let mut at: Vec<usize> = (0..v.len()).collect();
    sort_positions(&mut at, &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, &mut at);
}

/// `slice::sort_by_key`, stable.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)))
}

/// `slice::sort`, stable.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, |a, b| a.cmp(b))
}

#[inline(never)]
fn sort_positions(at: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    at.sort_by(|a, b| cmp(*a, *b));
}

/// Rearranges `v` so that its element `i` is the old element `at[i]`, following each cycle of
/// the permutation once (`at` is used up as the record of what is in place).
fn permute<T>(v: &mut [T], at: &mut [usize]) {
    for start in 0..v.len() {
        let mut cur = start;
        while at[cur] != cur {
            let next = at[cur];
            at[cur] = cur;
            if next == start {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every order the standard stable sort gives, including ties kept in their first order.
    #[test]
    fn orders_as_the_stable_sort_does() {
        let mut seed = 7u64;
        for len in 0..60 {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (((seed >> 33) % 5) as u8, i)
                })
                .collect();
            let mut ours = v.clone();
            let mut std = v.clone();
            sort_by_key(&mut ours, |e| e.0);
            std.sort_by_key(|e| e.0);
            assert_eq!(ours, std, "{v:?}");
            let mut ours = v.clone();
            let mut std = v;
            sort_by(&mut ours, |a, b| b.cmp(a));
            std.sort_by(|a, b| b.cmp(a));
            assert_eq!(ours, std);
        }
    }
}
