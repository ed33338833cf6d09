//! A throttling emulator for CloudTrail: the [`FaultProxy`] with one rule answering
//! `ThrottlingException` (or an invalid-token error) according to a [`Policy`].
//!
//! Kept as its own small API because the poller's rate tests think in policies and
//! arrivals; every fault beyond "slow down" lives in `fault_proxy.rs`.

#![allow(dead_code)]

#[path = "fault_proxy.rs"]
mod fault_proxy;

use std::time::{Duration, Instant};

use fault_proxy::{Fault, FaultProxy, Rule};

/// When the proxy answers "slow down" instead of forwarding.
#[derive(Debug, Clone)]
pub enum Policy {
    /// Throttle a request when `max` requests were already forwarded in the last `per`.
    Window { max: usize, per: Duration },
    /// Throttle the first `n` requests, forward the rest.
    FirstN(usize),
    /// Answer every request as AWS answers a request signed with unknown keys.
    InvalidCredentials,
}

/// One request the proxy saw.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    /// When its head was read.
    pub at: Instant,
    /// True when it was answered with `ThrottlingException`.
    pub throttled: bool,
}

/// A running proxy; it lives until the test process ends.
pub struct ThrottleProxy {
    proxy: FaultProxy,
}

impl ThrottleProxy {
    /// Starts a proxy forwarding to `127.0.0.1:upstream` under `policy`.
    pub fn start(upstream: u16, policy: Policy) -> ThrottleProxy {
        let rule = match policy {
            Policy::Window { max, per } => Rule::new("*", Fault::Throttle).beyond_rate(max, per),
            Policy::FirstN(n) => Rule::new("*", Fault::Throttle).first(n),
            Policy::InvalidCredentials => Rule::new("*", Fault::InvalidCredentials),
        };
        ThrottleProxy {
            proxy: FaultProxy::with_rules(upstream, vec![rule]),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.proxy.endpoint()
    }

    /// Every request seen so far, in arrival order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.proxy
            .arrivals()
            .into_iter()
            .map(|a| Arrival {
                at: a.at,
                throttled: a.fault == Some(Fault::Throttle),
            })
            .collect()
    }

    /// Requests answered with `ThrottlingException`.
    pub fn throttled(&self) -> usize {
        self.arrivals().iter().filter(|a| a.throttled).count()
    }

    /// The most requests (throttled ones included) that arrived within any closed
    /// window of `window` length.
    pub fn max_in_window(&self, window: Duration) -> usize {
        self.proxy.max_in_window(window)
    }
}
