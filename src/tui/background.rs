//! Is the terminal light or dark? `theme = "auto"` (the default) asks the terminal for its
//! background colour (OSC 11, answered within 150 ms by most terminals and by tmux), and falls
//! back to `COLORFGBG` (set by rxvt, Konsole and others), then to dark.

/// The terminal's background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// Light background: dark text needed.
    Light,
    /// Dark background.
    Dark,
}

impl Background {
    /// The built-in theme for this background.
    pub fn theme_name(self) -> &'static str {
        match self {
            Background::Light => "light",
            Background::Dark => "dark",
        }
    }
}

/// Parses an OSC 11 reply (`ESC ] 11 ; rgb:RRRR/GGGG/BBBB BEL` or `ESC \`).
pub fn parse_osc11(reply: &[u8]) -> Option<Background> {
    let text = std::str::from_utf8(reply).ok()?;
    let rgb = text.split("rgb:").nth(1)?;
    let channels: Vec<f64> = rgb
        .split('/')
        .take(3)
        .map(|part| {
            let hex: String = part.chars().take_while(char::is_ascii_hexdigit).collect();
            let max = 16f64.powi(hex.len() as i32) - 1.0;
            u32::from_str_radix(&hex, 16)
                .ok()
                .filter(|_| !hex.is_empty())
                .map(|v| f64::from(v) / max)
        })
        .collect::<Option<Vec<f64>>>()?;
    let [r, g, b] = channels[..] else {
        return None;
    };
    // Relative luminance (sRGB weights, no gamma: enough to tell light from dark).
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    Some(if luminance > 0.5 {
        Background::Light
    } else {
        Background::Dark
    })
}

/// Parses `COLORFGBG` (`"15;0"`: foreground 15, background 0): backgrounds 7 and 9–15 are light.
pub fn parse_colorfgbg(value: &str) -> Option<Background> {
    let background: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
    Some(match background {
        7 | 9..=15 => Background::Light,
        _ => Background::Dark,
    })
}

/// The background of the terminal on stdin/stdout, when it can be told; `None` when not a
/// terminal, or when it does not answer and `COLORFGBG` is unset.
pub fn detect() -> Option<Background> {
    query_osc11().or_else(|| {
        std::env::var("COLORFGBG")
            .ok()
            .and_then(|v| parse_colorfgbg(&v))
    })
}

#[cfg(unix)]
fn query_osc11() -> Option<Background> {
    use std::io::Write;
    // SAFETY: isatty only inspects the descriptors.
    let ttys = unsafe { libc::isatty(0) == 1 && libc::isatty(1) == 1 };
    if !ttys {
        return None;
    }
    crossterm::terminal::enable_raw_mode().ok()?;
    let mut stdout = std::io::stdout();
    let asked = stdout
        .write_all(b"\x1b]11;?\x07")
        .and_then(|()| stdout.flush())
        .is_ok();
    let reply = if asked { read_reply() } else { Vec::new() };
    let _ = crossterm::terminal::disable_raw_mode();
    parse_osc11(&reply)
}

#[cfg(not(unix))]
fn query_osc11() -> Option<Background> {
    None
}

/// Reads what the terminal answers within 150 ms, up to the reply's terminator.
#[cfg(unix)]
fn read_reply() -> Vec<u8> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(150);
    let mut reply = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        let mut poll = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, a bounded timeout.
        let ready = unsafe { libc::poll(&mut poll, 1, left.as_millis() as libc::c_int) };
        if ready <= 0 {
            break;
        }
        let mut buf = [0u8; 64];
        // SAFETY: reads into a local buffer of the given length.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n as usize]);
        if reply.ends_with(b"\x07") || reply.ends_with(b"\x1b\\") {
            break;
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc11_replies_tell_light_from_dark() {
        assert_eq!(
            parse_osc11(b"\x1b]11;rgb:ffff/ffff/ffff\x07"),
            Some(Background::Light)
        );
        assert_eq!(
            parse_osc11(b"\x1b]11;rgb:1e1e/1e1e/2e2e\x1b\\"),
            Some(Background::Dark)
        );
        assert_eq!(
            parse_osc11(b"\x1b]11;rgb:fd/f6/e3\x07"),
            Some(Background::Light)
        );
        assert_eq!(parse_osc11(b"garbage"), None);
    }

    #[test]
    fn colorfgbg_background_decides() {
        assert_eq!(parse_colorfgbg("15;0"), Some(Background::Dark));
        assert_eq!(parse_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(parse_colorfgbg("0;default;15"), Some(Background::Light));
        assert_eq!(parse_colorfgbg("x"), None);
    }
}
