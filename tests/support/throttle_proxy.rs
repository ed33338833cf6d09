//! A throttling emulator for CloudTrail: an HTTP proxy on 127.0.0.1 in front of moto.
//!
//! moto never throttles, so rate-limit tests put this proxy between the SDK and moto. It
//! records the arrival time of every request, answers `ThrottlingException` (HTTP 400, the
//! JSON protocol's error shape) according to its [`Policy`], and forwards the rest. One
//! thread per client connection; each forwarded request is one HTTP/1.0 exchange with
//! moto, so moto's answer is never chunked and ends at EOF.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

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
    port: u16,
    log: Arc<Mutex<Vec<Arrival>>>,
}

struct Shared {
    upstream: u16,
    policy: Policy,
    log: Arc<Mutex<Vec<Arrival>>>,
}

impl ThrottleProxy {
    /// Starts a proxy forwarding to `127.0.0.1:upstream` under `policy`.
    pub fn start(upstream: u16, policy: Policy) -> ThrottleProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Shared {
            upstream,
            policy,
            log: Arc::clone(&log),
        });
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Arc::clone(&shared);
                thread::spawn(move || serve(stream, &shared));
            }
        });
        ThrottleProxy { port, log }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request seen so far, in arrival order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.log.lock().unwrap().clone()
    }

    /// Requests answered with `ThrottlingException`.
    pub fn throttled(&self) -> usize {
        self.arrivals().iter().filter(|a| a.throttled).count()
    }

    /// The most requests (throttled ones included) that arrived within any closed
    /// window of `window` length.
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
}

fn serve(stream: TcpStream, shared: &Shared) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    while let Some((head, body)) = read_request(&mut reader) {
        let throttled = decide(shared);
        let reply = if throttled {
            error_reply("ThrottlingException", "Rate exceeded")
        } else if matches!(shared.policy, Policy::InvalidCredentials) {
            error_reply(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        } else {
            match forward(shared.upstream, &head, &body) {
                Some(reply) => reply,
                None => return,
            }
        };
        if writer.write_all(&reply).is_err() {
            return;
        }
    }
}

/// Records the arrival and applies the policy.
fn decide(shared: &Shared) -> bool {
    let mut log = shared.log.lock().unwrap();
    let now = Instant::now();
    let throttled = match &shared.policy {
        Policy::Window { max, per } => {
            let recent = log
                .iter()
                .filter(|a| !a.throttled && now - a.at < *per)
                .count();
            recent >= *max
        }
        Policy::FirstN(n) => log.len() < *n,
        Policy::InvalidCredentials => false,
    };
    log.push(Arrival { at: now, throttled });
    throttled
}

/// An AWS JSON-protocol error: HTTP 400 with `__type` naming the code.
fn error_reply(code: &str, message: &str) -> Vec<u8> {
    let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
    format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: \
         00000000-0000-0000-0000-000000000000\r\nContent-Length: {}\r\n\r\n{body}",
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
    let length = head
        .iter()
        .find_map(|h| {
            let (name, value) = h.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
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
