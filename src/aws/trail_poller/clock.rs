//! Wall-clock time for lookup windows, settable in tests.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The system clock, or a manual one that tests set and advance (shared by clones).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<SystemTime>>>,
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Self {
        Clock { manual: None }
    }

    /// A clock that reads `at` until set or advanced.
    pub fn manual(at: SystemTime) -> Self {
        Clock {
            manual: Some(Arc::new(Mutex::new(at))),
        }
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        match &self.manual {
            Some(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
            None => SystemTime::now(),
        }
    }

    /// Sets a manual clock; the system clock cannot be set and ignores it.
    pub fn set(&self, to: SystemTime) {
        if let Some(at) = &self.manual {
            *at.lock().unwrap_or_else(|e| e.into_inner()) = to;
        }
    }

    /// Moves a manual clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clocks_are_shared_by_clones() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let a = Clock::manual(t);
        let b = a.clone();
        a.advance(Duration::from_secs(5));
        assert_eq!(b.now(), t + Duration::from_secs(5));
        let system = Clock::system();
        system.set(t);
        assert!(system.now() > t);
    }
}
