//! De-duplication by `eventID` for the live poller's overlapping lookup windows.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use super::model::TrailEvent;

/// Remembers the most recent `capacity` event IDs and rejects repeats.
///
/// Bounded so a poller that runs for days keeps constant memory; the capacity must
/// exceed the number of events one overlap window can return twice. Events without an
/// `eventID` cannot be recognised again, so they are always admitted (and counted).
#[derive(Debug, Clone)]
pub struct EventDeduper {
    seen: HashSet<Arc<str>>,
    order: VecDeque<Arc<str>>,
    capacity: usize,
    duplicates: u64,
    unkeyed: u64,
}

impl EventDeduper {
    /// A deduper remembering up to `capacity` IDs (at least one).
    pub fn new(capacity: usize) -> Self {
        EventDeduper {
            seen: HashSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            duplicates: 0,
            unkeyed: 0,
        }
    }

    /// True if `event` has not been seen (and remembers it); false for a repeat.
    pub fn admit(&mut self, event: &TrailEvent) -> bool {
        self.admit_id(event.event_id.as_deref())
    }

    /// Like `admit`, given only the ID.
    pub fn admit_id(&mut self, event_id: Option<&str>) -> bool {
        let Some(id) = event_id else {
            self.unkeyed += 1;
            return true;
        };
        if self.seen.contains(id) {
            self.duplicates += 1;
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.seen.remove(&oldest);
            }
        }
        let id: Arc<str> = Arc::from(id);
        self.seen.insert(Arc::clone(&id));
        self.order.push_back(id);
        true
    }

    /// Keeps the events not seen before, in order.
    pub fn filter(&mut self, events: Vec<TrailEvent>) -> Vec<TrailEvent> {
        events.into_iter().filter(|e| self.admit(e)).collect()
    }

    /// Repeats rejected so far.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Events admitted without an `eventID`.
    pub fn unkeyed(&self) -> u64 {
        self.unkeyed
    }

    /// IDs currently remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when no ID is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// Removes repeated `eventID`s from one batch (first occurrence wins); returns the count removed.
pub fn dedup_by_event_id(events: Vec<TrailEvent>) -> (Vec<TrailEvent>, usize) {
    let before = events.len();
    let mut deduper = EventDeduper::new(before);
    let kept = deduper.filter(events);
    let removed = before - kept.len();
    (kept, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::model::SourceFormat;

    fn event(id: Option<&str>) -> TrailEvent {
        let mut e = TrailEvent::empty(SourceFormat::Record);
        e.event_id = id.map(str::to_owned);
        e
    }

    #[test]
    fn overlapping_windows_yield_each_event_once() {
        let mut d = EventDeduper::new(10);
        let first = d.filter(vec![event(Some("a")), event(Some("b"))]);
        let second = d.filter(vec![event(Some("b")), event(Some("c")), event(None)]);
        assert_eq!(first.len() + second.len(), 4);
        assert_eq!((d.duplicates(), d.unkeyed(), d.len()), (1, 1, 3));
    }

    #[test]
    fn forgets_the_oldest_beyond_capacity() {
        let mut d = EventDeduper::new(2);
        assert!(d.admit_id(Some("a")));
        assert!(d.admit_id(Some("b")));
        assert!(d.admit_id(Some("c")));
        assert!(d.admit_id(Some("a")), "a was forgotten");
        assert!(!d.admit_id(Some("c")));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn batch_helper_counts_removed() {
        let (kept, removed) = dedup_by_event_id(vec![
            event(Some("a")),
            event(Some("a")),
            event(None),
            event(None),
        ]);
        assert_eq!((kept.len(), removed), (3, 1));
    }
}
