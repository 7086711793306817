//! Stable sorting through one compiled sort.
//!
//! `slice::sort_by` is generic: every element type and comparator compiles its own copy of
//! the standard library's driftsort and quicksort, about 3 KB of WebAssembly each, and the
//! core sorted some thirty kinds of things (70 KB of the browser's `.wasm`, whose budget is
//! 400 KiB gzipped). Here the sort itself runs once, over indices, with the comparison behind a
//! `dyn` call; the generic part left is applying the order, a short loop of swaps. The result
//! is the standard library's stable order. Sorting is never the hot path of a simulation (the
//! longest lists are one directory's entries), so the indirect call costs nothing measurable.
//!
//! `core/clippy.toml` bans the standard sorts in the core, so new code comes here.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, as `slice::sort_by`.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = order(v.len(), &|a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` stably by a key, as `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` stably, as `slice::sort`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, Ord::cmp);
}

/// Sorts and removes consecutive duplicates, the usual `sort(); dedup()` pair.
pub fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
    sort(v);
    v.dedup();
}

/// The positions `0..n` in sorted order: `order[i]` is where the element that belongs at `i`
/// is now. The one instantiation of the standard sort.
#[inline(never)]
#[allow(clippy::disallowed_methods)]
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Moves each element to its sorted place, cycle by cycle.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at];
            // Done: this place already holds its element.
            order[at] = at;
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::disallowed_methods)]
    fn agrees_with_the_standard_stable_sort() {
        // A small linear congruential generator: many orders, many equal keys.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for len in [0, 1, 2, 3, 5, 8, 17, 64, 100, 1000] {
            for _ in 0..20 {
                let v: Vec<(u8, usize)> = (0..len)
                    .map(|i| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        ((seed >> 59) as u8, i)
                    })
                    .collect();
                let mut ours = v.clone();
                sort_by_key(&mut ours, |e| e.0);
                let mut std_sorted = v.clone();
                std_sorted.sort_by_key(|e| e.0);
                assert_eq!(ours, std_sorted, "len {len}");
            }
        }
    }

    #[test]
    fn sorts_and_dedups_owned_values() {
        let mut names: Vec<String> = ["b", "a", "c", "a", "b"].iter().map(|s| (*s).to_string()).collect();
        sort_dedup(&mut names);
        assert_eq!(names, ["a", "b", "c"]);
        let mut rev = vec![3, 1, 2];
        sort_by(&mut rev, |a, b| b.cmp(a));
        assert_eq!(rev, [3, 2, 1]);
    }
}

/// A set of names kept as a sorted list: what `BTreeSet<String>` gave the core (membership,
/// sorted iteration), without one more copy of the B-tree's code in the browser's `.wasm`.
/// The sets are small (a word's variables, a build's check names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names(Vec<String>);

impl Names {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|n| n.as_str().cmp(name))
    }

    /// Adds `name`; `false` when it was there.
    pub fn insert(&mut self, name: String) -> bool {
        match self.find(&name) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, name);
                true
            }
        }
    }

    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Takes `name` out; `false` when it was not there.
    pub fn remove(&mut self, name: &str) -> bool {
        self.find(name).map(|i| self.0.remove(i)).is_ok()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names, sorted.
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }
}

impl Extend<String> for Names {
    fn extend<I: IntoIterator<Item = String>>(&mut self, names: I) {
        for n in names {
            self.insert(n);
        }
    }
}

impl IntoIterator for Names {
    type Item = String;
    type IntoIter = std::vec::IntoIter<String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Names {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
