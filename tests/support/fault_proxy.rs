//! A fault-injecting HTTP proxy on 127.0.0.1 in front of moto, for tests of what crossdock
//! does when AWS misbehaves.
//!
//! moto never throttles, fails or times out, so fault tests point the SDK at this proxy
//! (`endpoint_url`) instead. Every request is identified by its AWS operation: the
//! `X-Amz-Target` header for JSON protocols (ECR, KMS, CodeBuild, CodePipeline,
//! EventBridge, CloudTrail), the `Action=` form field for query protocols (IAM, STS), the
//! method and query for S3 (`GET /bucket?policy` is `GetBucketPolicy`). [`Rule`]s map an
//! operation (or `*`) to a [`Fault`] for all, the first N, or all but the first N matching
//! requests; the first rule that fires answers, otherwise the request goes to moto.
//! Errors have the shape each protocol really uses, so the SDK parses their codes.
//!
//! One thread per client connection; each forwarded request is one HTTP/1.0 exchange with
//! moto, so moto's answer is never chunked and ends at EOF.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What the proxy answers instead of forwarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// "Slow down": `ThrottlingException` (JSON), `Throttling` (query), `SlowDown` (S3).
    Throttle,
    /// An HTTP 5xx with the protocol's internal-error shape (500 or 503 are typical).
    Status(u16),
    /// Wait this long, then forward: longer than the client's timeout, it never answers in time.
    Delay(Duration),
    /// The session token expired: `ExpiredTokenException` (JSON) or `ExpiredToken`.
    ExpiredToken,
    /// Permission missing: `AccessDeniedException` (JSON) or `AccessDenied`.
    AccessDenied,
    /// Keys AWS does not know: `UnrecognizedClientException` (JSON) or `InvalidClientTokenId`.
    InvalidCredentials,
    /// Read the request, then close the connection without an answer.
    Drop,
}

/// Which of the matching requests a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Every matching request.
    Always,
    /// The first `n` matching requests; later ones go through.
    FirstN(usize),
    /// Every matching request after the first `n`, which go through.
    AfterN(usize),
    /// A request when `max` matching requests were already forwarded in the last `per`.
    Window { max: usize, per: Duration },
}

/// One fault rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The operation name (`GetRepositoryPolicy`, `GetCallerIdentity`) or `*` for any.
    pub operation: String,
    /// The answer.
    pub fault: Fault,
    /// Which matching requests.
    pub when: When,
}

impl Rule {
    /// `fault` for every request of `operation` (`*`: any operation).
    pub fn new(operation: &str, fault: Fault) -> Rule {
        Rule {
            operation: operation.to_string(),
            fault,
            when: When::Always,
        }
    }

    /// Only the first `n` matching requests.
    pub fn first(mut self, n: usize) -> Rule {
        self.when = When::FirstN(n);
        self
    }

    /// Only after `n` matching requests went through.
    pub fn after(mut self, n: usize) -> Rule {
        self.when = When::AfterN(n);
        self
    }

    /// Only beyond `max` forwarded requests per `per` (a rate limit).
    pub fn beyond_rate(mut self, max: usize, per: Duration) -> Rule {
        self.when = When::Window { max, per };
        self
    }

    fn matches(&self, operation: &str) -> bool {
        self.operation == "*" || self.operation == operation
    }
}

/// One request the proxy saw.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// When its head was read.
    pub at: Instant,
    /// Its operation (`GetRepositoryPolicy`), or `METHOD /path` when unknown.
    pub operation: String,
    /// The fault it got, `None` when forwarded.
    pub fault: Option<Fault>,
}

/// A running proxy; it lives until the test process ends.
pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
}

struct Shared {
    upstream: u16,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Rules with how many matching requests each has seen.
    rules: Vec<(Rule, usize)>,
    log: Vec<Arrival>,
}

impl FaultProxy {
    /// Starts a proxy forwarding to `127.0.0.1:upstream`, with no rules yet.
    pub fn start(upstream: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared {
            upstream,
            state: Mutex::new(State::default()),
        });
        let accepting = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Arc::clone(&accepting);
                thread::spawn(move || serve(stream, &shared));
            }
        });
        FaultProxy { port, shared }
    }

    /// Starts a proxy with `rules`.
    pub fn with_rules(upstream: u16, rules: Vec<Rule>) -> FaultProxy {
        let proxy = FaultProxy::start(upstream);
        for rule in rules {
            proxy.add(rule);
        }
        proxy
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Adds a rule after the existing ones.
    pub fn add(&self, rule: Rule) {
        self.state().rules.push((rule, 0));
    }

    /// Removes every rule: from now on everything is forwarded (the fault "cleared").
    pub fn clear(&self) {
        self.state().rules.clear();
    }

    /// Every request seen so far, in arrival order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.state().log.clone()
    }

    /// Requests of `operation` seen so far (`*`: all).
    pub fn count(&self, operation: &str) -> usize {
        self.state()
            .log
            .iter()
            .filter(|a| operation == "*" || a.operation == operation)
            .count()
    }

    /// Requests that got a fault.
    pub fn faulted(&self) -> usize {
        self.state()
            .log
            .iter()
            .filter(|a| a.fault.is_some())
            .count()
    }

    /// The most requests that arrived within any closed window of `window` length.
    pub fn max_in_window(&self, window: Duration) -> usize {
        let times: Vec<Instant> = self.arrivals().iter().map(|a| a.at).collect();
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|&&t| t - times[i] <= window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A test thread that panicked while holding the lock must not hide the real failure.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The wire protocol of a request, which decides the error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Json,
    Query,
    RestXml,
}

fn serve(stream: TcpStream, shared: &Shared) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    while let Some((head, body)) = read_request(&mut reader) {
        let (protocol, operation) = identify(&head, &body);
        let fault = decide(shared, &operation);
        let reply = match fault {
            None => forward(shared.upstream, &head, &body),
            Some(Fault::Drop) => return,
            Some(Fault::Delay(delay)) => {
                thread::sleep(delay);
                forward(shared.upstream, &head, &body)
            }
            Some(fault) => Some(error_reply(protocol, fault)),
        };
        match reply {
            Some(reply) if writer.write_all(&reply).is_ok() => {}
            _ => return,
        }
    }
}

/// Records the arrival and picks the first rule that fires.
fn decide(shared: &Shared, operation: &str) -> Option<Fault> {
    let mut state = shared
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let now = Instant::now();
    let mut chosen = None;
    let State { rules, log } = &mut *state;
    for (rule, seen) in rules.iter_mut() {
        if !rule.matches(operation) {
            continue;
        }
        let fires = match rule.when {
            When::Always => true,
            When::FirstN(n) => *seen < n,
            When::AfterN(n) => *seen >= n,
            When::Window { max, per } => {
                let recent = log
                    .iter()
                    .filter(|a| a.fault.is_none() && rule.matches(&a.operation))
                    .filter(|a| now - a.at < per)
                    .count();
                recent >= max
            }
        };
        *seen += 1;
        if fires && chosen.is_none() {
            chosen = Some(rule.fault);
        }
    }
    log.push(Arrival {
        at: now,
        operation: operation.to_string(),
        fault: chosen,
    });
    chosen
}

/// The protocol and operation of a request.
fn identify(head: &[String], body: &[u8]) -> (Protocol, String) {
    if let Some(target) = header(head, "x-amz-target") {
        let operation = target.rsplit('.').next().unwrap_or(target);
        return (Protocol::Json, operation.to_string());
    }
    let form = String::from_utf8_lossy(body);
    if let Some(action) = form
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
    {
        return (Protocol::Query, action.to_string());
    }
    let request_line = head.first().map(String::as_str).unwrap_or("");
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let has = |key: &str| {
        query
            .split('&')
            .any(|p| p == key || p.starts_with(&format!("{key}=")))
    };
    let operation = match method {
        "GET" if has("policy") => "GetBucketPolicy".to_string(),
        "GET" if has("location") => "GetBucketLocation".to_string(),
        _ => format!("{method} {}", target.split('?').next().unwrap_or(target)),
    };
    (Protocol::RestXml, operation)
}

fn header<'h>(head: &'h [String], name: &str) -> Option<&'h str> {
    head.iter().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then_some(value.trim())
    })
}

/// The error AWS would send for `fault` in `protocol`: (HTTP status, code, message).
fn error_parts(protocol: Protocol, fault: Fault) -> (u16, &'static str, &'static str) {
    use Protocol::*;
    match (fault, protocol) {
        (Fault::Throttle, Json) => (400, "ThrottlingException", "Rate exceeded"),
        (Fault::Throttle, Query) => (400, "Throttling", "Rate exceeded"),
        (Fault::Throttle, RestXml) => (503, "SlowDown", "Please reduce your request rate."),
        (Fault::Status(503), Json) => (503, "ServiceUnavailableException", "Service unavailable"),
        (Fault::Status(503), _) => (503, "ServiceUnavailable", "Service unavailable"),
        (Fault::Status(status), Json) => (status, "InternalFailure", "Internal failure"),
        (Fault::Status(status), _) => (status, "InternalError", "Internal error"),
        (Fault::ExpiredToken, Json) => (
            400,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        ),
        (Fault::ExpiredToken, _) => (
            400,
            "ExpiredToken",
            "The security token included in the request is expired",
        ),
        (Fault::AccessDenied, Json) => (
            400,
            "AccessDeniedException",
            "User: arn:aws:sts::000000000000:assumed-role/operator/s is not authorized to perform this operation",
        ),
        (Fault::AccessDenied, _) => (403, "AccessDenied", "Access Denied"),
        (Fault::InvalidCredentials, Json) => (
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
        (Fault::InvalidCredentials, _) => (
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        (Fault::Delay(_) | Fault::Drop, _) => (500, "InternalError", "unreachable"),
    }
}

fn error_reply(protocol: Protocol, fault: Fault) -> Vec<u8> {
    let (status, code, message) = error_parts(protocol, fault);
    let request_id = "00000000-0000-0000-0000-000000000000";
    let (content_type, body) = match protocol {
        Protocol::Json => (
            "application/x-amz-json-1.1",
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        ),
        Protocol::Query => (
            "text/xml",
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
                 <Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            ),
        ),
        Protocol::RestXml => (
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
                 <Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
            ),
        ),
    };
    let reason = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nx-amzn-RequestId: {request_id}\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads one request: the head lines (without the blank line) and the body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(Vec<String>, Vec<u8>)> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let length = header(&head, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// One HTTP/1.0 exchange with moto; the answer re-framed for the keep-alive client.
fn forward(upstream: u16, head: &[String], body: &[u8]) -> Option<Vec<u8>> {
    let mut request = String::new();
    let request_line = head.first()?.replace("HTTP/1.1", "HTTP/1.0");
    request.push_str(&request_line);
    request.push_str("\r\n");
    for line in &head[1..] {
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        if name != "connection" && name != "keep-alive" {
            request.push_str(line);
            request.push_str("\r\n");
        }
    }
    request.push_str("Connection: close\r\n\r\n");
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    upstream.write_all(request.as_bytes()).ok()?;
    upstream.write_all(body).ok()?;
    let mut reply = Vec::new();
    upstream.read_to_end(&mut reply).ok()?;
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n")?;
    let reply_head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let reply_body = &reply[split + 4..];
    let mut lines = reply_head.split("\r\n");
    let status = lines.next()?.replacen("HTTP/1.0", "HTTP/1.1", 1);
    let mut out = format!("{status}\r\n");
    for line in lines {
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection" | "keep-alive"
        ) {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", reply_body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(reply_body);
    Some(bytes)
}
