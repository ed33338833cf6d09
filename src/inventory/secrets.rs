//! Recognising what must never be shown when presenting: access key ids and unique principal
//! ids (an `ASIA…`/`AKIA…`/`AROA…` id resolves to its account with one STS call) and session
//! tokens. Pure text scanning; the [`super::Redactor`] decides what replaces them.

/// The prefixes of AWS unique ids (access keys, roles, users, groups, policies, …).
const ID_PREFIXES: [&str; 12] = [
    "AKIA", "ASIA", "AROA", "AIDA", "AGPA", "ANPA", "ANVA", "AIPA", "APKA", "ASCA", "ACCA", "ABIA",
];

/// How session tokens begin (base64 of their binary header), old and new formats.
const TOKEN_PREFIXES: [&str; 4] = ["IQoJb3JpZ2lu", "FwoGZXIvYXdz", "FQoGZXIvYXdz", "AQoDYXdz"];

/// JSON keys whose values are credentials, dropped whatever they hold.
pub const SECRET_KEYS: [&str; 6] = [
    "sessionToken",
    "SessionToken",
    "secretAccessKey",
    "SecretAccessKey",
    "aws_session_token",
    "aws_secret_access_key",
];

/// What replaces a session token or a secret.
pub const REMOVED: &str = "<removed>";

/// A piece of text to replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A unique id (`prefix` + body), at `start..end`.
    UniqueId {
        /// Byte offset of the first character.
        start: usize,
        /// Byte offset after the last character.
        end: usize,
    },
    /// A session token at `start..end`.
    Token {
        /// Byte offset of the first character.
        start: usize,
        /// Byte offset after the last character.
        end: usize,
    },
}

fn is_id_char(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Every unique id and session token in `text`, in order, not overlapping.
pub fn find(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let glued = i > 0 && bytes[i - 1].is_ascii_alphanumeric();
        if !glued {
            if let Some(end) = token_at(bytes, i) {
                found.push(Found::Token { start: i, end });
                i = end;
                continue;
            }
            if let Some(end) = unique_id_at(bytes, i) {
                found.push(Found::UniqueId { start: i, end });
                i = end;
                continue;
            }
        }
        i += 1;
    }
    found
}

fn token_at(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = &bytes[start..];
    if !TOKEN_PREFIXES
        .iter()
        .any(|p| rest.starts_with(p.as_bytes()))
    {
        return None;
    }
    let len = rest.iter().take_while(|b| is_token_char(**b)).count();
    Some(start + len)
}

fn unique_id_at(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = &bytes[start..];
    if !ID_PREFIXES.iter().any(|p| rest.starts_with(p.as_bytes())) {
        return None;
    }
    let len = rest.iter().take_while(|b| is_id_char(**b)).count();
    // Real ids are 16–128 characters; shorter all-caps words (e.g. "AROA" alone) are not ids.
    let glued_after = rest.get(len).is_some_and(|b| b.is_ascii_lowercase());
    (len >= 16 && !glued_after).then_some(start + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        find(text)
            .into_iter()
            .map(|f| match f {
                Found::UniqueId { start, end } | Found::Token { start, end } => &text[start..end],
            })
            .collect()
    }

    #[test]
    fn finds_key_ids_principal_ids_and_tokens() {
        assert_eq!(
            spans("key ASIAS1EXAMPLE0000001 by AROA729577E9DB7FF1CFE:AWSCodeBuild-7f3a token IQoJb3JpZ2luX2VjEXAMPLETOKEN."),
            vec!["ASIAS1EXAMPLE0000001", "AROA729577E9DB7FF1CFE", "IQoJb3JpZ2luX2VjEXAMPLETOKEN"]
        );
        assert!(spans("AROA is a prefix, xASIAS1EXAMPLE0000001 is glued, AKIAshort").is_empty());
    }
}
