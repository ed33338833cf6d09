//! The only code that calls AWS (read-only): profiles, clients, loaders, the trail poller.

pub mod trail_poller;
