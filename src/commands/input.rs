//! Reading what the operator names — files, stdin — with a size cap, so `--file /dev/zero`
//! or a runaway pipe ends with a message instead of an allocation failure, and directory
//! scans that skip what is not a regular file (a FIFO would block forever).

use std::io::Read;
use std::path::Path;

/// Most bytes read from one text input: a pasted error, `--file`, stdin, a request file.
pub const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The OS refused.
    #[error("cannot read {name}: {source}")]
    Io {
        /// The file, or `stdin`.
        name: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// More bytes than the cap.
    #[error("{name} holds more than {} MiB; crossdock reads at most that much from one input (pass the relevant part)", .limit / (1024 * 1024))]
    TooLarge {
        /// The file, or `stdin`.
        name: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// Not UTF-8 text.
    #[error("{name} is not UTF-8 text (byte {at}); convert it, e.g. with iconv")]
    NotUtf8 {
        /// The file, or `stdin`.
        name: String,
        /// Offset of the first invalid byte.
        at: usize,
    },
}

/// At most `limit` bytes of `reader`; more is an error, never a truncation.
pub fn read_capped(reader: impl Read, name: &str, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Io {
            name: name.to_string(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            name: name.to_string(),
            limit,
        });
    }
    Ok(bytes)
}

/// At most `limit` bytes of the file at `path`.
pub fn read_file_capped(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| InputError::Io {
        name: name.clone(),
        source,
    })?;
    read_capped(file, &name, limit)
}

/// UTF-8 text of at most [`MAX_TEXT_BYTES`], without a leading byte-order mark.
pub fn text(bytes: Vec<u8>, name: &str) -> Result<String, InputError> {
    let mut text = String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        name: name.to_string(),
        at: e.utf8_error().valid_up_to(),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Whether `path` is a regular file (following symlinks); FIFOs, sockets and devices in a
/// scanned directory are skipped, since reading one may block forever.
pub fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_refuse_rather_than_truncate() {
        let ok = read_capped(&b"12345"[..], "x", 5).expect("within");
        assert_eq!(ok, b"12345");
        let err = read_capped(std::io::repeat(0), "/dev/zero", 1024 * 1024).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/dev/zero holds more than 1 MiB"),
            "{err}"
        );
    }

    #[test]
    fn text_is_utf8_without_bom() {
        assert_eq!(text(b"\xef\xbb\xbfhi".to_vec(), "f").expect("text"), "hi");
        let err = text(b"ok\xff".to_vec(), "f").unwrap_err();
        assert!(err.to_string().contains("byte 2"), "{err}");
    }
}
