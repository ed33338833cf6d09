//! A filterable, scrollable list: the state behind every resource list and picker.
//! Filtering is fuzzy (skim's algorithm from `fuzzy-matcher`), best match first.

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

use crate::tui::source::ItemRef;

mod extend;

/// One row of a resource list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The resource the row stands for.
    pub item: ItemRef,
    /// A short kind tag (`project`, `rule`…), empty when the list has one kind.
    pub tag: &'static str,
    /// The main text (name).
    pub name: String,
    /// Secondary text (path, state, error code…).
    pub extra: String,
}

impl Row {
    /// The text the filter matches against.
    pub fn haystack(&self) -> String {
        if self.tag.is_empty() {
            format!("{} {}", self.name, self.extra)
        } else {
            format!("{} {} {}", self.tag, self.name, self.extra)
        }
    }
}

/// Selection, scroll and fuzzy filter over a list of entries.
#[derive(Debug, Clone, Default)]
pub struct FilterList<T> {
    entries: Vec<T>,
    haystacks: Vec<String>,
    /// The filter text.
    pub query: String,
    /// Whether the filter is being typed.
    pub editing: bool,
    visible: Vec<usize>,
    /// The fuzzy score of each visible entry (empty without a query).
    scores: Vec<i64>,
    /// The unfiltered order (entry indices); entries appended by `extend_ordered` take their
    /// place in it without moving the others.
    order: Vec<usize>,
    /// Each entry's position in `order`: equal fuzzy scores keep the unfiltered order.
    rank: Vec<usize>,
    /// Results of the queries typed so far, each a prefix of the next: typing narrows the
    /// last one (a fuzzy match of "abc" is also a match of "ab"), backspace reuses one.
    narrowing: Vec<(String, Vec<(i64, usize)>)>,
    /// Words every shown entry must contain exactly (toggles such as "cross-account"), on
    /// top of the fuzzy filter.
    required: Vec<String>,
    selected: usize,
    offset: usize,
}

impl<T> FilterList<T> {
    /// A list over `entries`, with `haystack` giving each entry's filter text.
    pub fn new(entries: Vec<T>, haystack: impl Fn(&T) -> String) -> Self {
        let haystacks = entries.iter().map(haystack).collect();
        let order: Vec<usize> = (0..entries.len()).collect();
        Self {
            entries,
            haystacks,
            query: String::new(),
            editing: false,
            visible: order.clone(),
            scores: Vec::new(),
            rank: order.clone(),
            order,
            narrowing: Vec::new(),
            required: Vec::new(),
            selected: 0,
            offset: 0,
        }
    }

    /// The exact words every shown entry must contain.
    pub fn required(&self) -> &[String] {
        &self.required
    }

    /// Adds the word to the required ones, or removes it; re-filters.
    pub fn toggle_required(&mut self, word: &str) {
        match self.required.iter().position(|w| w == word) {
            Some(at) => {
                self.required.remove(at);
            }
            None => self.required.push(word.to_string()),
        }
        self.set_required(self.required.clone());
    }

    /// Sets the required words (kept across rebuilds of the list); re-filters.
    pub fn set_required(&mut self, words: Vec<String>) {
        self.required = words;
        self.narrowing.clear();
        let query = self.query.clone();
        self.set_query(&query);
    }

    /// Every entry, unfiltered.
    pub fn entries(&self) -> &[T] {
        &self.entries
    }

    /// The number of entries.
    pub fn total(&self) -> usize {
        self.entries.len()
    }

    /// The entries passing the filter, best match first.
    pub fn visible(&self) -> impl ExactSizeIterator<Item = &T> + '_ {
        self.visible.iter().map(|&i| &self.entries[i])
    }

    /// How many entries pass the filter.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The selected entry.
    pub fn selected(&self) -> Option<&T> {
        self.visible.get(self.selected).map(|&i| &self.entries[i])
    }

    /// The selected position among the visible entries.
    pub fn selected_index(&self) -> usize {
        self.selected
    }

    /// The first visible row on screen.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Changes the filter text and re-filters.
    pub fn set_query(&mut self, query: &str) {
        // Keep the same entry selected when it still matches.
        let keep = self.visible.get(self.selected).copied();
        self.query = query.to_string();
        self.refilter();
        self.selected = keep
            .and_then(|k| self.visible.iter().position(|&i| i == k))
            .filter(|_| self.query.is_empty())
            .unwrap_or(0);
        self.offset = 0;
    }

    /// Appends a character to the filter.
    pub fn push_char(&mut self, c: char) {
        let mut query = self.query.clone();
        query.push(c);
        self.set_query(&query);
    }

    /// Removes the last character of the filter.
    pub fn pop_char(&mut self) {
        let mut query = self.query.clone();
        query.pop();
        self.set_query(&query);
    }

    fn refilter(&mut self) {
        let scored = self.refilter_fuzzy();
        let (scores, visible) = scored
            .into_iter()
            .filter(|&(_, i)| self.passes_required(i))
            .unzip();
        self.scores = scores;
        self.visible = visible;
        if self.query.trim().is_empty() {
            self.scores.clear();
        }
    }

    /// Whether entry `i` contains every required word.
    fn passes_required(&self, i: usize) -> bool {
        let haystack = &self.haystacks[i];
        self.required.iter().all(|w| haystack.contains(w.as_str()))
    }

    /// The entries matching the query with their scores, best first (without a query:
    /// every entry in the unfiltered order, score 0).
    fn refilter_fuzzy(&mut self) -> Vec<(i64, usize)> {
        let query = self.query.trim().to_string();
        if query.is_empty() {
            self.narrowing.clear();
            return self.order.iter().map(|&i| (0, i)).collect();
        }
        // Keep only cached results for prefixes of the new query.
        self.narrowing
            .retain(|(cached, _)| query.starts_with(cached.as_str()));
        if let Some((_, scored)) = self.narrowing.iter().find(|(cached, _)| *cached == query) {
            return scored.clone();
        }
        let candidates: Box<dyn Iterator<Item = usize>> = match self.narrowing.last() {
            Some((_, matches)) => Box::new(
                matches
                    .iter()
                    .map(|&(_, i)| i)
                    .collect::<Vec<_>>()
                    .into_iter(),
            ),
            None => Box::new(0..self.haystacks.len()),
        };
        let mut scored = self.score(candidates, &query);
        self.sort_best_first(&mut scored);
        self.narrowing.push((query, scored.clone()));
        scored
    }

    /// The fuzzy scores of `candidates` that match `query`.
    fn score(&self, candidates: impl Iterator<Item = usize>, query: &str) -> Vec<(i64, usize)> {
        let matcher = SkimMatcherV2::default().smart_case();
        candidates
            .filter_map(|i| {
                matcher
                    .fuzzy_match(&self.haystacks[i], query)
                    .map(|s| (s, i))
            })
            .collect()
    }

    /// Best score first; equal scores in the unfiltered order.
    fn sort_best_first(&self, scored: &mut [(i64, usize)]) {
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(self.rank[a.1].cmp(&self.rank[b.1])));
    }

    /// Moves the selection by `delta` rows, clamped, keeping it inside a viewport of `height`.
    pub fn move_by(&mut self, delta: isize, height: usize) {
        if self.visible.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.visible.len() - 1;
        let next = (self.selected as isize + delta).clamp(0, last as isize);
        self.selected = next as usize;
        self.scroll_into_view(height);
    }

    /// Selects a visible position (e.g. a mouse click), clamped.
    pub fn select(&mut self, position: usize, height: usize) {
        if self.visible.is_empty() {
            return;
        }
        self.selected = position.min(self.visible.len() - 1);
        self.scroll_into_view(height);
    }

    /// Selects the first entry for which `pred` holds; returns whether one did.
    pub fn select_where(&mut self, pred: impl Fn(&T) -> bool, height: usize) -> bool {
        match self.visible.iter().position(|&i| pred(&self.entries[i])) {
            Some(position) => {
                self.select(position, height);
                true
            }
            None => false,
        }
    }

    /// Scrolls the viewport (mouse wheel) without moving past the ends.
    pub fn scroll(&mut self, delta: isize, height: usize) {
        let max = self.visible.len().saturating_sub(height.max(1));
        self.offset = (self.offset as isize + delta).clamp(0, max as isize) as usize;
        if self.selected < self.offset {
            self.selected = self.offset;
        } else if height > 0 && self.selected >= self.offset + height {
            self.selected = self.offset + height - 1;
        }
    }

    fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn typing_and_erasing_give_the_same_results_as_a_fresh_filter() {
        let names: Vec<String> = (0..500)
            .map(|i| {
                format!(
                    "{}-{}-service-{i}",
                    ["team", "Build", "deploy", "etl"][i % 4],
                    ["prod", "stg", "Dev"][i % 3]
                )
            })
            .collect();
        for query in ["dep", "Dev", "bsv", "team-prod-service-1", "zzz", "t-p-s"] {
            let mut typed = FilterList::new(names.clone(), String::clone);
            let mut prefix = String::new();
            for c in query.chars() {
                prefix.push(c);
                typed.push_char(c);
                let mut fresh = FilterList::new(names.clone(), String::clone);
                fresh.set_query(&prefix);
                assert_eq!(typed.visible, fresh.visible, "typing {prefix:?}");
            }
            while !prefix.is_empty() {
                prefix.pop();
                typed.pop_char();
                let mut fresh = FilterList::new(names.clone(), String::clone);
                fresh.set_query(&prefix);
                assert_eq!(typed.visible, fresh.visible, "erasing to {prefix:?}");
            }
        }
    }

    use super::*;

    fn list() -> FilterList<String> {
        FilterList::new(
            [
                "codebuild-service-role",
                "ecs-task-execution",
                "deployer",
                "code-reader",
            ]
            .map(String::from)
            .to_vec(),
            |s| s.clone(),
        )
    }

    #[test]
    fn fuzzy_filter_ranks_and_keeps_selection_in_range() {
        let mut list = list();
        list.move_by(3, 10);
        assert_eq!(list.selected().map(String::as_str), Some("code-reader"));
        list.set_query("cbsr");
        assert_eq!(list.visible_len(), 1);
        assert_eq!(
            list.selected().map(String::as_str),
            Some("codebuild-service-role")
        );
        list.set_query("zzz");
        assert_eq!(list.visible_len(), 0);
        assert_eq!(list.selected(), None);
        list.move_by(1, 10);
        list.set_query("");
        assert_eq!(list.visible_len(), 4);
    }

    #[test]
    fn scrolling_keeps_selection_visible() {
        let mut list = FilterList::new((0..100).collect::<Vec<u32>>(), |n| n.to_string());
        list.move_by(50, 10);
        assert_eq!(list.offset(), 41);
        list.move_by(-100, 10);
        assert_eq!((list.selected_index(), list.offset()), (0, 0));
        list.scroll(5, 10);
        assert_eq!((list.selected_index(), list.offset()), (5, 5));
        list.scroll(1000, 10);
        assert_eq!(list.offset(), 90);
    }
}
