//! What a tail shows: the messages a poller sends, and the state they fold into.
//!
//! The TUI owns a [`TailState`] and applies each [`TailMessage`] from the poller's channel;
//! drawing then only reads it. The headless command and tests use the same fold.

use std::time::{Duration, SystemTime};

use crate::trail::{ClassifiedEvent, Ring};

use super::error::TailError;

pub use crate::trail::DELAY_HINT;

/// How many unparsable-record messages a state keeps (all are counted).
const UNPARSED_KEPT: usize = 20;

/// A failure of one request stream (one event name, or the unfiltered stream).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {error}", event_name.as_deref().unwrap_or("all events"))]
pub struct StreamError {
    /// The event name of the stream (`None`: unfiltered).
    pub event_name: Option<String>,
    /// What went wrong.
    pub error: TailError,
}

/// Counts of one poll (every stream once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollStats {
    /// When the poll ended (the poller's clock).
    pub at: SystemTime,
    /// `LookupEvents` requests sent, throttled ones included.
    pub requests: u32,
    /// Requests answered with a throttling error.
    pub throttled: u32,
    /// Events not seen before.
    pub new_events: usize,
    /// Events seen before (the overlap between windows), dropped as repeats.
    pub duplicates: usize,
    /// Records that could not be parsed, one message each (event ID and reason).
    pub unparsed: Vec<String>,
    /// True when every stream finished its window.
    pub complete: bool,
}

/// One update from a poller, in the order things happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailMessage {
    /// New events of one stream's window, oldest first, de-duplicated and classified.
    Events(Vec<ClassifiedEvent>),
    /// Throttled: no request for `delay` (every stream of the account and region waits).
    Backoff {
        /// The stream that was throttled.
        event_name: Option<String>,
        /// How long polling pauses.
        delay: Duration,
        /// Consecutive throttled answers so far.
        attempt: u32,
    },
    /// A stream failed; its window is read again on the next poll.
    Error(StreamError),
    /// A poll finished.
    Polled(PollStats),
}

/// The tail as a pane shows it: newest events, last poll, last error, counters.
#[derive(Debug, Clone)]
pub struct TailState {
    /// Events, oldest first; the oldest go when full (counted in `events.dropped()`).
    pub events: Ring<ClassifiedEvent>,
    /// End of the last finished poll.
    pub last_poll: Option<SystemTime>,
    /// The most recent failure, cleared by the next complete poll.
    pub last_error: Option<StreamError>,
    /// Set while a throttling backoff is in progress; cleared when a poll ends.
    pub backoff: Option<Duration>,
    /// Events received since the start.
    pub received: u64,
    /// Finished polls.
    pub polls: u64,
    /// Requests sent.
    pub requests: u64,
    /// Throttled requests.
    pub throttled: u64,
    /// Repeats dropped by de-duplication.
    pub duplicates: u64,
    /// Failures reported.
    pub errors: u64,
    /// Records that could not be parsed.
    pub unparsed: u64,
    /// The latest unparsable-record messages (up to 20).
    pub unparsed_messages: Ring<String>,
}

impl TailState {
    /// An empty state keeping up to `capacity` events.
    pub fn new(capacity: usize) -> Self {
        TailState {
            events: Ring::new(capacity),
            last_poll: None,
            last_error: None,
            backoff: None,
            received: 0,
            polls: 0,
            requests: 0,
            throttled: 0,
            duplicates: 0,
            errors: 0,
            unparsed: 0,
            unparsed_messages: Ring::new(UNPARSED_KEPT),
        }
    }

    /// Folds one message in.
    pub fn apply(&mut self, message: TailMessage) {
        match message {
            TailMessage::Events(events) => {
                self.received += events.len() as u64;
                self.events.extend(events);
            }
            TailMessage::Backoff { delay, .. } => self.backoff = Some(delay),
            TailMessage::Error(error) => {
                self.errors += 1;
                self.last_error = Some(error);
            }
            TailMessage::Polled(stats) => {
                self.polls += 1;
                self.last_poll = Some(stats.at);
                self.backoff = None;
                self.requests += u64::from(stats.requests);
                self.throttled += u64::from(stats.throttled);
                self.duplicates += stats.duplicates as u64;
                self.unparsed += stats.unparsed.len() as u64;
                self.unparsed_messages.extend(stats.unparsed);
                if stats.complete {
                    self.last_error = None;
                }
            }
        }
    }

    /// The delay hint, while nothing has arrived and nothing is wrong.
    pub fn hint(&self) -> Option<&'static str> {
        (self.received == 0 && self.last_error.is_none()).then_some(DELAY_HINT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trail::{classify, SourceFormat, TrailEvent};

    fn event(id: &str) -> ClassifiedEvent {
        let mut event = TrailEvent::empty(SourceFormat::LookupEvents);
        event.event_id = Some(id.to_owned());
        ClassifiedEvent {
            class: classify(&event),
            event,
        }
    }

    fn polled(complete: bool) -> TailMessage {
        TailMessage::Polled(PollStats {
            at: SystemTime::UNIX_EPOCH,
            requests: 2,
            throttled: 1,
            new_events: 0,
            duplicates: 3,
            unparsed: vec!["bad".into()],
            complete,
        })
    }

    #[test]
    fn hint_until_events_and_errors_until_a_complete_poll() {
        let mut s = TailState::new(2);
        assert_eq!(s.hint(), Some(DELAY_HINT));
        s.apply(polled(true));
        assert_eq!(s.hint(), Some(DELAY_HINT));
        s.apply(TailMessage::Error(StreamError {
            event_name: Some("PutImage".into()),
            error: TailError::Network("refused".into()),
        }));
        assert_eq!(s.hint(), None, "the error is the news, not the delay");
        s.apply(polled(false));
        assert!(s.last_error.is_some());
        s.apply(polled(true));
        assert!(s.last_error.is_none());
        s.apply(TailMessage::Events(vec![
            event("a"),
            event("b"),
            event("c"),
        ]));
        assert_eq!(s.hint(), None);
        assert_eq!((s.events.len(), s.events.dropped(), s.received), (2, 1, 3));
        assert_eq!((s.polls, s.requests, s.throttled), (3, 6, 3));
        assert_eq!((s.duplicates, s.unparsed, s.errors), (9, 3, 1));
    }

    #[test]
    fn stream_errors_name_their_stream() {
        let e = StreamError {
            event_name: None,
            error: TailError::Throttled { attempts: 3 },
        };
        assert_eq!(
            e.to_string(),
            "all events: LookupEvents throttled 3 times in a row; backing off"
        );
    }
}
