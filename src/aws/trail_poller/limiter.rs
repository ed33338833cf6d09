//! A sliding-window rate limiter shared by every request stream of one account and region.
//!
//! CloudTrail allows `LookupEvents` 2 requests per second per account and region, counted
//! by AWS, not by us: a limiter per poller would let two pollers of one account exceed it,
//! so limiters are shared through [`LimiterRegistry`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::time::Instant;

/// The documented `LookupEvents` limit: requests per window.
pub const LOOKUP_EVENTS_PER_SECOND: usize = 2;

/// Added to the one-second window: the server counts arrivals, which jitter by a few
/// milliseconds against our send times, so a window of exactly 1 s could look like 3 requests.
pub const WINDOW_MARGIN: Duration = Duration::from_millis(100);

/// Grants at most `max` permits in any window of `window` length; cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug)]
struct Inner {
    max: usize,
    window: Duration,
    grants: VecDeque<Instant>,
    hold_until: Option<Instant>,
    granted: u64,
}

impl RateLimiter {
    /// A limiter granting `max` permits (at least one) per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        RateLimiter {
            inner: Arc::new(Mutex::new(Inner {
                max: max.max(1),
                window,
                grants: VecDeque::new(),
                hold_until: None,
                granted: 0,
            })),
        }
    }

    /// The `LookupEvents` limit: 2 per second, plus [`WINDOW_MARGIN`].
    pub fn lookup_events() -> Self {
        RateLimiter::new(
            LOOKUP_EVENTS_PER_SECOND,
            Duration::from_secs(1) + WINDOW_MARGIN,
        )
    }

    /// Waits until a request may start, and counts it.
    pub async fn acquire(&self) -> Instant {
        loop {
            let ready_at = {
                let mut inner = self.lock();
                let now = Instant::now();
                match inner.next_free(now) {
                    at if at <= now => {
                        inner.grants.push_back(now);
                        inner.granted += 1;
                        return now;
                    }
                    at => at,
                }
            };
            // Another stream may take the slot first; the loop then waits again.
            tokio::time::sleep_until(ready_at).await;
        }
    }

    /// No permit before `now + delay` (after a throttling answer, every stream pauses).
    pub fn hold_for(&self, delay: Duration) {
        let until = Instant::now() + delay;
        let mut inner = self.lock();
        inner.hold_until = Some(inner.hold_until.map_or(until, |h| h.max(until)));
    }

    /// Permits granted since creation.
    pub fn granted(&self) -> u64 {
        self.lock().granted
    }

    /// True when `other` is the same shared limiter.
    pub fn same_as(&self, other: &RateLimiter) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The critical sections cannot panic, but a poisoned lock must not stop polling.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// The earliest instant at which one more permit keeps every window within `max`.
    fn next_free(&mut self, now: Instant) -> Instant {
        while self.grants.front().is_some_and(|&g| g + self.window <= now) {
            self.grants.pop_front();
        }
        let mut at = now;
        if self.grants.len() >= self.max {
            at = at.max(self.grants[self.grants.len() - self.max] + self.window);
        }
        if let Some(hold) = self.hold_until {
            if hold > now {
                at = at.max(hold);
            } else {
                self.hold_until = None;
            }
        }
        at
    }
}

/// Limiters by (account, region), so every poller of one account and region shares one.
#[derive(Debug, Default)]
pub struct LimiterRegistry {
    limiters: Mutex<HashMap<(String, String), RateLimiter>>,
}

impl LimiterRegistry {
    /// The process-wide registry.
    pub fn global() -> &'static LimiterRegistry {
        static GLOBAL: OnceLock<LimiterRegistry> = OnceLock::new();
        GLOBAL.get_or_init(LimiterRegistry::default)
    }

    /// The `LookupEvents` limiter of `account` (an ID, or a profile name) in `region`.
    pub fn lookup_events(&self, account: &str, region: &str) -> RateLimiter {
        let mut map = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        map.entry((account.to_owned(), region.to_owned()))
            .or_insert_with(RateLimiter::lookup_events)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Most permits in any window of `window` length, given sorted grant times.
    fn max_in_window(times: &[Instant], window: Duration) -> usize {
        times
            .iter()
            .enumerate()
            .map(|(i, &t)| times[i..].iter().take_while(|&&u| u - t <= window).count())
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_two_in_any_second() {
        let limiter = RateLimiter::lookup_events();
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..20 {
            times.push(limiter.acquire().await);
        }
        // Closed one-second windows: the margin keeps even those at two.
        assert_eq!(max_in_window(&times, Duration::from_secs(1)), 2);
        // 20 permits, 2 per 1.1 s: the last one at 9 × 1.1 s.
        assert_eq!(times[19] - start, Duration::from_millis(9_900));
        assert_eq!(limiter.granted(), 20);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_streams_share_the_budget() {
        let limiter = RateLimiter::lookup_events();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let l = limiter.clone();
            tasks.push(tokio::spawn(async move {
                let mut t = Vec::new();
                for _ in 0..5 {
                    t.push(l.acquire().await);
                }
                t
            }));
        }
        let mut times = Vec::new();
        for task in tasks {
            times.extend(task.await.unwrap());
        }
        times.sort();
        assert_eq!(times.len(), 20);
        assert_eq!(max_in_window(&times, Duration::from_secs(1)), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_pauses_everyone() {
        let limiter = RateLimiter::lookup_events();
        let start = limiter.acquire().await;
        limiter.hold_for(Duration::from_secs(5));
        let next = limiter.acquire().await;
        assert_eq!(next - start, Duration::from_secs(5));
        // The hold is over: the window rule alone applies again.
        let after = limiter.acquire().await;
        assert_eq!(after, next);
    }

    #[test]
    fn registry_shares_per_account_and_region() {
        let registry = LimiterRegistry::default();
        let a = registry.lookup_events("111111111111", "eu-west-1");
        assert!(a.same_as(&registry.lookup_events("111111111111", "eu-west-1")));
        assert!(!a.same_as(&registry.lookup_events("111111111111", "us-east-1")));
        assert!(!a.same_as(&registry.lookup_events("222222222222", "eu-west-1")));
    }
}
