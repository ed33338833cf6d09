//! Appending entries to a filtered list without rebuilding it: a live CloudTrail tail adds a
//! few records to a list of 100,000, and re-filtering (or re-sorting) all of them on every
//! poll cost more than a frame.

use std::cmp::Ordering;

use super::FilterList;

impl<T> FilterList<T> {
    /// Appends `added`, each placed where `order` (the order the list's entries are sorted
    /// in) puts it among the unfiltered entries; the filter, the toggles and the selected
    /// entry stay. Costs a merge of the index vectors, not a re-filter: existing entries keep
    /// their indices, scores and places.
    pub fn extend_ordered(
        &mut self,
        added: Vec<T>,
        haystack: impl Fn(&T) -> String,
        order: impl Fn(&T, &T) -> Ordering,
        height: usize,
    ) {
        if added.is_empty() {
            return;
        }
        let kept = self.visible.get(self.selected).copied();
        let before = self.selected;
        let first = self.entries.len();
        self.haystacks.extend(added.iter().map(&haystack));
        self.entries.extend(added);
        let mut new: Vec<usize> = (first..self.entries.len()).collect();
        new.sort_by(|&a, &b| order(&self.entries[a], &self.entries[b]));
        let entries = &self.entries;
        self.order = merge(&self.order, &new, |&a, &b| {
            order(&entries[a], &entries[b]) != Ordering::Greater
        });
        self.rank.resize(self.entries.len(), 0);
        for (place, &i) in self.order.iter().enumerate() {
            self.rank[i] = place;
        }
        self.merge_into_visible(&new);
        self.keep_selection(kept, before, height);
    }

    /// Adds the new entries that pass the filter to `visible`, in the filter's order.
    fn merge_into_visible(&mut self, new: &[usize]) {
        let query = self.query.trim().to_string();
        let mut scored: Vec<(i64, usize)> = if query.is_empty() {
            new.iter().map(|&i| (0, i)).collect()
        } else {
            self.score(new.iter().copied(), &query)
        };
        scored.retain(|&(_, i)| self.passes_required(i));
        self.sort_best_first(&mut scored);
        let old: Vec<(i64, usize)> = if query.is_empty() {
            self.visible.iter().map(|&i| (0, i)).collect()
        } else {
            self.scores
                .iter()
                .copied()
                .zip(self.visible.iter().copied())
                .collect()
        };
        let rank = &self.rank;
        let merged = merge(&old, &scored, |a, b| {
            a.0 > b.0 || (a.0 == b.0 && rank[a.1] <= rank[b.1])
        });
        // Cached results of shorter queries lack the new entries: only the current one is
        // complete.
        self.narrowing.clear();
        if !query.is_empty() {
            self.narrowing.push((query.clone(), merged.clone()));
        }
        let (scores, visible): (Vec<i64>, Vec<usize>) = merged.into_iter().unzip();
        self.scores = if query.is_empty() { Vec::new() } else { scores };
        self.visible = visible;
    }

    /// Keeps the same entry selected; the viewport follows it unless it showed the top, where
    /// new entries appear.
    fn keep_selection(&mut self, kept: Option<usize>, before: usize, height: usize) {
        let Some(entry) = kept else {
            return;
        };
        let Some(now) = self.visible.iter().position(|&i| i == entry) else {
            return;
        };
        self.selected = now;
        if self.offset > 0 {
            self.offset += now.saturating_sub(before);
        }
        self.scroll_into_view(height);
    }
}

/// Merges two sorted slices; `first_goes_first(a, b)` says whether `a` (from `left`) comes
/// before `b` (from `right`).
fn merge<I: Copy>(left: &[I], right: &[I], first_goes_first: impl Fn(&I, &I) -> bool) -> Vec<I> {
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (0, 0);
    while l < left.len() && r < right.len() {
        if first_goes_first(&left[l], &right[r]) {
            merged.push(left[l]);
            l += 1;
        } else {
            merged.push(right[r]);
            r += 1;
        }
    }
    merged.extend_from_slice(&left[l..]);
    merged.extend_from_slice(&right[r..]);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descending(a: &u32, b: &u32) -> Ordering {
        b.cmp(a)
    }

    fn sorted_list(values: &[u32]) -> FilterList<u32> {
        let mut values = values.to_vec();
        values.sort_by(descending);
        FilterList::new(values, u32::to_string)
    }

    /// Extending gives exactly what building the whole list afresh gives, for every filter.
    #[test]
    fn extending_equals_a_fresh_list() {
        let old: Vec<u32> = (0..400).map(|i| (i * 7919) % 1000).collect();
        let added: Vec<u32> = (0..60).map(|i| (i * 104_729) % 1200).collect();
        for query in ["", "1", "12", "9", "99", "zz"] {
            for required in [vec![], vec!["3".to_string()]] {
                let mut extended = sorted_list(&old);
                extended.set_required(required.clone());
                extended.set_query(query);
                let mut sorted_added = added.clone();
                sorted_added.sort_by(descending);
                extended.extend_ordered(sorted_added, u32::to_string, descending, 10);
                let mut fresh = sorted_list(&[old.clone(), added.clone()].concat());
                fresh.set_required(required.clone());
                fresh.set_query(query);
                let shown = |l: &FilterList<u32>| l.visible().copied().collect::<Vec<_>>();
                assert_eq!(
                    shown(&extended),
                    shown(&fresh),
                    "query {query:?} {required:?}"
                );
                // Typing on and erasing after an extension see the new entries too.
                extended.push_char('0');
                fresh.push_char('0');
                assert_eq!(shown(&extended), shown(&fresh), "typed on {query:?}");
                extended.pop_char();
                extended.pop_char();
                fresh.pop_char();
                fresh.pop_char();
                assert_eq!(shown(&extended), shown(&fresh), "erased {query:?}");
            }
        }
    }

    #[test]
    fn the_selected_entry_stays_selected_and_in_view() {
        let mut list = sorted_list(&(0..100).collect::<Vec<_>>());
        list.move_by(30, 10);
        let chosen = *list.selected().expect("selected");
        list.extend_ordered((100..120).rev().collect(), u32::to_string, descending, 10);
        assert_eq!(list.selected(), Some(&chosen));
        assert!(list.selected_index() >= list.offset());
        assert!(list.selected_index() < list.offset() + 10);
        // At the top, new entries appear above and the viewport stays at the top.
        let mut list = sorted_list(&(0..100).collect::<Vec<_>>());
        list.extend_ordered(vec![105, 104], u32::to_string, descending, 50);
        assert_eq!(list.offset(), 0);
        assert_eq!(
            list.visible().take(3).copied().collect::<Vec<_>>(),
            [105, 104, 99]
        );
        assert_eq!(list.selected(), Some(&99));
    }
}
