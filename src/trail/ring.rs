//! A bounded buffer that keeps the newest items and counts what it had to drop.

use std::collections::VecDeque;

use super::model::TrailEvent;

/// Largest up-front allocation; the buffer grows on demand beyond it.
const PREALLOCATE_MAX: usize = 1024;

/// Fixed-capacity FIFO: pushing into a full ring drops the oldest item.
#[derive(Debug, Clone)]
pub struct Ring<T> {
    items: VecDeque<T>,
    capacity: usize,
    dropped: u64,
}

/// The ring the poller and the TUI keep events in.
pub type EventRing = Ring<TrailEvent>;

impl<T> Ring<T> {
    /// An empty ring holding at most `capacity` items (0 keeps nothing).
    pub fn new(capacity: usize) -> Self {
        Ring {
            items: VecDeque::with_capacity(capacity.min(PREALLOCATE_MAX)),
            capacity,
            dropped: 0,
        }
    }

    /// Adds `item`; returns the item that had to go (the oldest, or `item` at capacity 0).
    pub fn push(&mut self, item: T) -> Option<T> {
        if self.capacity == 0 {
            self.dropped += 1;
            return Some(item);
        }
        let evicted = if self.items.len() >= self.capacity {
            self.dropped += 1;
            self.items.pop_front()
        } else {
            None
        };
        self.items.push_back(item);
        evicted
    }

    /// Pushes every item in order.
    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        for item in items {
            self.push(item);
        }
    }

    /// Items from oldest to newest.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter()
    }

    /// The newest item.
    pub fn newest(&self) -> Option<&T> {
        self.items.back()
    }

    /// Items held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Maximum items held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items dropped since creation.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_oldest_and_counts() {
        let mut r = Ring::new(3);
        r.extend(1..=5);
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!((r.len(), r.dropped(), r.newest()), (3, 2, Some(&5)));
        assert_eq!(r.push(6), Some(3));
    }

    #[test]
    fn zero_capacity_keeps_nothing() {
        let mut r = Ring::new(0);
        assert_eq!(r.push("a"), Some("a"));
        assert!(r.is_empty());
        assert_eq!(r.dropped(), 1);
    }

    #[test]
    fn huge_capacity_does_not_preallocate() {
        let r: Ring<u8> = Ring::new(usize::MAX);
        assert_eq!(r.capacity(), usize::MAX);
    }
}
