//! Exponential backoff with jitter for throttled requests.

use std::time::Duration;

/// Delays that double per attempt up to a cap, each drawn from the upper half of its range.
///
/// "Equal jitter": half the delay is fixed, so a throttled poller always slows down, and
/// half is random, so pollers throttled together do not retry together.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    rng: fastrand::Rng,
}

impl Backoff {
    /// Delays from about `base` up to `cap`, with a random seed.
    pub fn new(base: Duration, cap: Duration) -> Self {
        Backoff::with_rng(base, cap, fastrand::Rng::new())
    }

    /// Like `new`, with a seeded generator: the same seed gives the same delays.
    pub fn seeded(base: Duration, cap: Duration, seed: u64) -> Self {
        Backoff::with_rng(base, cap, fastrand::Rng::with_seed(seed))
    }

    fn with_rng(base: Duration, cap: Duration, rng: fastrand::Rng) -> Self {
        Backoff {
            base,
            cap: cap.max(base),
            attempt: 0,
            rng,
        }
    }

    /// The delay before the next retry; each call counts one attempt.
    pub fn next_delay(&mut self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        let ceiling = self.base.saturating_mul(factor).min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(self.rng.u64(0..=jitter_ms))
    }

    /// Consecutive throttled attempts so far.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// Back to the first delay, after a request succeeded.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_within_jitter_and_caps() {
        let (base, cap) = (Duration::from_millis(500), Duration::from_secs(8));
        let mut b = Backoff::seeded(base, cap, 7);
        for attempt in 0..10u32 {
            let ceiling = (base * 2u32.pow(attempt)).min(cap);
            let d = b.next_delay();
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
        assert_eq!(b.attempts(), 10);
        b.reset();
        assert!(b.next_delay() <= base);
    }

    #[test]
    fn same_seed_same_delays_and_no_overflow() {
        let mut a = Backoff::seeded(Duration::from_secs(1), Duration::from_secs(60), 1);
        let mut b = Backoff::seeded(Duration::from_secs(1), Duration::from_secs(60), 1);
        for _ in 0..100 {
            let (x, y) = (a.next_delay(), b.next_delay());
            assert_eq!(x, y);
            assert!(x <= Duration::from_secs(60));
        }
    }
}
