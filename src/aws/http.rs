//! The one HTTPS client every AWS SDK client of crossdock uses.
//!
//! The SDK's `default-https-client` feature pins rustls to the `aws-lc-rs` crypto provider,
//! whose C library build was the longest single step of a fresh `cargo run --release`
//! (BENCHMARKS.md, "Time to the first screen"). crossdock turns that feature off and builds
//! the same hyper + rustls client with the `ring` provider instead; certificates still come
//! from the platform's trust store.
//!
//! Built per `SdkConfig`, like the SDK's own default: a connection pool belongs to the Tokio
//! runtime that opened its connections, and tests run many runtimes in one process.

use aws_sdk_sts::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::Builder;

/// A new HTTPS client (hyper + rustls with the ring provider) for one `SdkConfig`.
pub fn client() -> SharedHttpClient {
    Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}
