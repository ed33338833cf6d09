//! The IAM sentence: `User: <principal> is not authorized to perform: <action> [on resource:
//! <resource>] [because no <type> policy allows … | with an explicit deny in a <type> policy
//! [: <policy ARN>]]`, and the bare reason clause that a pull through cache prints without
//! the sentence.

use super::text::{self, Text};
use super::{ParsedError, ReasonKind};

/// Phrases that may follow the action (the grammar's next clause).
const AFTER_ACTION: [&str; 6] = [
    "on resource",
    "on the resource",
    "because no",
    "because the resource",
    "with an explicit deny",
    "due to an explicit deny",
];

/// Phrases that may follow the resource.
const AFTER_RESOURCE: [&str; 4] = [
    "because no",
    "because the resource",
    "with an explicit deny",
    "due to an explicit deny",
];

/// Finds and parses the IAM sentence; fills principal, action, resource, reason, policy ARN.
/// Returns the byte offset where the principal (or the anchor) starts.
pub(super) fn parse_sentence(t: &Text, p: &mut ParsedError) -> Option<usize> {
    // The first sentence that names a principal or an action wins; earlier prose such as
    // `You are not authorized to perform this operation.` is skipped.
    let mut from = 0;
    let mut first = None;
    for _ in 0..16 {
        let (anchor, anchor_end) = t.find(from, t.len(), "not authorized to perform")?;
        let mut candidate = blank_like(p);
        let start = parse_anchor(t, anchor, anchor_end, &mut candidate);
        first.get_or_insert(start);
        if candidate.principal_arn.is_some()
            || candidate.principal_text.is_some()
            || candidate.action.is_some()
        {
            adopt(p, candidate);
            return Some(start);
        }
        from = anchor_end;
    }
    first
}

/// A copy of `p` with the sentence fields cleared.
fn blank_like(p: &ParsedError) -> ParsedError {
    ParsedError {
        repository: None,
        wrappers: Vec::new(),
        ..p.clone()
    }
}

/// Moves the sentence fields of `from` into `p`.
fn adopt(p: &mut ParsedError, from: ParsedError) {
    p.principal_arn = from.principal_arn;
    p.principal_text = from.principal_text;
    p.action = from.action;
    p.resource_arn = from.resource_arn;
    p.resource_text = from.resource_text;
    p.reason_kind = from.reason_kind;
    p.reason_text = from.reason_text;
    p.policy_arn = from.policy_arn;
}

/// Parses the sentence around one anchor; returns where it starts.
fn parse_anchor(t: &Text, anchor: usize, anchor_end: usize, p: &mut ParsedError) -> usize {
    // `is` before the anchor, possibly glued to the principal (`…abcd1234is not`).
    let mut principal_end = anchor;
    let before = skip_ws_back(t, anchor);
    if before >= 2 && t.lc.get(before - 2..before) == Some(b"is") {
        principal_end = before - 2;
    }
    let sentence_start = parse_principal(t, principal_end, p).unwrap_or(anchor);

    // The action: `perform: ecr:X`, `perform:ecr:X`, `perform ecr:X`.
    let mut pos = t.skip_ws(anchor_end);
    pos = t.skip_bytes(pos, b":");
    pos = t.skip_ws(pos);
    let limit = t.find_first_of(pos, &AFTER_ACTION).unwrap_or(t.len());
    let (token, end) = t.read_token(pos, limit, &AFTER_ACTION);
    let action = token.trim_end_matches(['.', ',', ':']);
    if is_action(action) {
        p.action = Some(action.to_string());
    }
    // Step over placeholders (`<AWS_SERVICES:ACTION>`) too, so the resource is still read.
    if !token.is_empty() {
        pos = end;
    }

    // The resource.
    pos = t.skip_ws(pos);
    if let Some(end) = t.match_at(pos, "on the resource associated with this ciphertext") {
        pos = end;
    } else if let Some(end) = t
        .match_at(pos, "on resources")
        .or_else(|| t.match_at(pos, "on resource"))
    {
        pos = t.skip_ws(t.skip_bytes(t.skip_ws(end), b":"));
        pos = parse_resource(t, pos, p);
    }

    parse_reason(t, pos, p);
    sentence_start
}

fn skip_ws_back(t: &Text, mut pos: usize) -> usize {
    while pos > 0 && matches!(t.lc[pos - 1], b' ' | b'\n') {
        pos -= 1;
    }
    pos
}

/// Reads the principal that ends at `end`: after the nearest `User:` before it, or else the
/// ARN token right before it. Returns where the sentence starts.
fn parse_principal(t: &Text, end: usize, p: &mut ParsedError) -> Option<usize> {
    let window = end.saturating_sub(2048);
    let user = t.lc.get(window..end).and_then(|w| {
        w.windows(5)
            .rposition(|x| x == b"user:")
            .map(|i| window + i)
    });
    let (start, raw) = match user {
        Some(u) if !t.slice(u, end).contains("\n\n") => (u, t.joined(u + 5, end)),
        _ => {
            // `User arn:aws:…` or a bare ARN: the token right before the anchor.
            let stop = skip_ws_back(t, end);
            let mut a = stop;
            while a > 0 && !text::is_token_end(t.lc[a - 1]) {
                a -= 1;
            }
            let token = t.slice(a, stop);
            if !token.to_ascii_lowercase().starts_with("arn:") {
                return None;
            }
            (a, token.to_string())
        }
    };
    let cleaned = raw.trim().trim_matches(['`', '"', '\'']).trim();
    if cleaned.is_empty() {
        return None;
    }
    // Same-line words: a placeholder (`<USER>`) is kept; a long run means we grabbed noise
    // and only its last token can be the principal.
    let principal = if cleaned.contains(' ') && cleaned.len() > 80 {
        cleaned.rsplit(' ').next().unwrap_or(cleaned)
    } else {
        cleaned
    };
    if principal.to_ascii_lowercase().starts_with("arn:") {
        p.principal_arn = Some(principal.to_string());
    } else {
        p.principal_text = Some(principal.to_string());
    }
    Some(start)
}

/// True for `service:Action` (wildcards allowed), not for placeholders or prose.
fn is_action(s: &str) -> bool {
    let Some((service, name)) = s.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && !name.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'_' || b == b'-')
}

/// Reads the resource at `pos`; returns the position after it.
fn parse_resource(t: &Text, mut pos: usize, p: &mut ParsedError) -> usize {
    let quoted = matches!(t.lc.get(pos), Some(b'"' | b'\'' | b'`'));
    if quoted {
        pos += 1;
    }
    let reason = t.find_first_of(pos, &AFTER_RESOURCE);
    let limit = reason.unwrap_or(t.len());
    let (token, mut end) = t.read_token(pos, limit, &AFTER_RESOURCE);
    let mut resource = token.trim_end_matches(['.', ',']).to_string();
    let is_arn = resource.to_ascii_lowercase().starts_with("arn:");
    if !is_arn && resource != "*" {
        // A resource in words (`role XPTO`): take the rest of the line up to the reason.
        let line_end =
            t.s.get(pos..)
                .and_then(|r| r.find('\n'))
                .map_or(t.len(), |i| pos + i);
        // With no reason clause after it, the words run to the end of their line.
        let stop = if reason.is_none() { line_end } else { limit };
        if stop <= line_end && stop - pos <= 80 {
            let words = t.slice(pos, stop).trim();
            if !words.is_empty() && !words.contains(['"', '(', ')', ';']) {
                resource = words.to_string();
                end = stop;
            }
        }
    }
    if resource.is_empty() {
        return pos;
    }
    if is_arn || resource == "*" {
        p.resource_arn = Some(resource);
    } else {
        p.resource_text = Some(resource);
    }
    t.skip_bytes(end, b"\"'`")
}

/// Reads the reason clause at `pos`, if there is one.
pub(super) fn parse_reason(t: &Text, pos: usize, p: &mut ParsedError) {
    let start = t.skip_ws(t.skip_bytes(t.skip_ws(pos), b"\"'`."));
    let explicit = || {
        t.match_at(start, "with an explicit deny")
            .or_else(|| t.match_at(start, "due to an explicit deny"))
    };
    let clause_end = if let Some(end) = t.match_at(start, "because the resource does not exist") {
        Some(reason_kms(t, end, p))
    } else if let Some(end) = t.match_at(start, "because no ") {
        reason_no_policy(t, end, p)
    } else {
        explicit().map(|end| reason_explicit_deny(t, end, p))
    };
    let Some(clause_end) = clause_end else {
        return;
    };
    let clause = t.unwrapped(start, clause_end.min(t.len()));
    let collapsed: Vec<&str> = clause.split_whitespace().collect();
    p.reason_text =
        Some(collapsed.join(" ").trim_end_matches('.').to_string()).filter(|s| !s.is_empty());
}

/// `because the resource does not exist in this Region, … explicitly denies access`.
fn reason_kms(t: &Text, end: usize, p: &mut ParsedError) -> usize {
    p.reason_kind = ReasonKind::KmsCiphertext;
    t.find(end, (end + 200).min(t.len()), "explicitly denies access")
        .map_or(end, |(_, e)| e)
}

/// `because no <type> policy allows the <action> action[: <policy ARN>]`; returns the clause
/// end, or `None` when the clause is not complete.
fn reason_no_policy(t: &Text, end: usize, p: &mut ParsedError) -> Option<usize> {
    let (allow, allow_end) = t.find(end, (end + 80).min(t.len()), " allow")?;
    p.reason_kind = match policy_type(&t.lc[end..allow]) {
        PolicyType::Identity => ReasonKind::NoIdentityPolicy,
        PolicyType::Resource => ReasonKind::NoResourcePolicy,
        PolicyType::Boundary => ReasonKind::NoPermissionsBoundary,
        PolicyType::Session => ReasonKind::NoSessionPolicy,
        PolicyType::Scp => ReasonKind::NoScp,
        PolicyType::Rcp => ReasonKind::Rcp,
        PolicyType::VpcEndpoint => ReasonKind::VpcEndpoint,
        PolicyType::RoleTrust => ReasonKind::RoleTrust,
        PolicyType::Unknown => ReasonKind::Unspecified,
    };
    // `allows the ecr:X action[: arn:…]`
    let mut e = t.skip_bytes(allow_end, b"s");
    if let Some(the) = t.match_at(e, " the ") {
        let (action, after_action) = t.read_token(the, t.len(), &["action"]);
        let action = action.trim_end_matches(['.', ',']).to_string();
        // Truncated pastes drop the closing `action` word; the token still names it.
        let closed = t.match_at(after_action, " action");
        if closed.is_some() || is_action(&action) {
            e = closed.unwrap_or(after_action);
            if p.action.is_none() && is_action(&action) {
                p.action = Some(action);
            }
        }
    }
    Some(policy_suffix(t, e, p))
}

/// `with an explicit deny [in a <type> policy[: <policy ARN>]]`; returns the clause end.
fn reason_explicit_deny(t: &Text, end: usize, p: &mut ParsedError) -> usize {
    let mut e = end;
    let mut kind = PolicyType::Unknown;
    if let Some(in_end) = t.match_at(end, " in ") {
        let window = (in_end + 80).min(t.len());
        let policy = t.find(in_end, window, "polic");
        // `permissions boundary` has no "policy" word; the next one may be in the ARN.
        let boundary = t.find(in_end, window, "boundary");
        match (policy, boundary) {
            (_, Some((b, b_end))) if policy.is_none_or(|(pa, _)| b < pa) => {
                kind = PolicyType::Boundary;
                e = b_end;
            }
            (Some((_, policy_end)), _) => {
                kind = policy_type(&t.lc[in_end..policy_end]);
                e = t.skip_bytes(policy_end, b"yies");
                if let Some(tr) = t.match_at(e, " transitively through a service control policy") {
                    e = tr;
                }
            }
            _ => {}
        }
    }
    p.reason_kind = match kind {
        PolicyType::Identity => ReasonKind::ExplicitDenyIdentity,
        PolicyType::Resource => ReasonKind::ExplicitDenyResource,
        PolicyType::Boundary => ReasonKind::ExplicitDenyPermissionsBoundary,
        PolicyType::Session => ReasonKind::ExplicitDenySessionPolicy,
        PolicyType::Scp => ReasonKind::ExplicitDenyScp,
        PolicyType::Rcp => ReasonKind::Rcp,
        PolicyType::VpcEndpoint => ReasonKind::ExplicitDenyVpcEndpoint,
        PolicyType::RoleTrust => ReasonKind::RoleTrust,
        PolicyType::Unknown => ReasonKind::ExplicitDenyUnspecified,
    };
    policy_suffix(t, e, p)
}

/// A reason clause with no sentence before it (`… [because] no resource-based policy allows
/// the ecr:BatchGetImage action`, as a pull through cache's first pull prints it): reads the
/// reason and the action it names. Returns where the clause starts.
pub(super) fn parse_bare_reason(t: &Text, p: &mut ParsedError) -> Option<usize> {
    const CLAUSES: [&str; 7] = [
        "because no ",
        "no resource-based policy allows",
        "no identity-based policy allows",
        "no permissions boundary allows",
        "no session policy allows",
        "no service control policy allows",
        "no vpc endpoint policy allows",
    ];
    let start = t.find_first_of(0, &CLAUSES)?;
    let words = t
        .match_at(start, "because no ")
        .or_else(|| t.match_at(start, "no "))?;
    let mut probe = p.clone();
    let end = reason_no_policy(t, words, &mut probe)?;
    if probe.reason_kind == ReasonKind::Unspecified {
        return None;
    }
    let clause = t.unwrapped(start, end.min(t.len()));
    let collapsed: Vec<&str> = clause.split_whitespace().collect();
    probe.reason_text =
        Some(collapsed.join(" ").trim_end_matches('.').to_string()).filter(|s| !s.is_empty());
    *p = probe;
    Some(start)
}

/// Reads the 2025 `: arn:…` suffix naming the denying policy; returns the clause end.
fn policy_suffix(t: &Text, pos: usize, p: &mut ParsedError) -> usize {
    let colon = t.skip_bytes(pos, b" ");
    if t.lc.get(colon) != Some(&b':') {
        return pos;
    }
    let start = t.skip_ws(colon + 1);
    if t.match_at(start, "arn:").is_none() {
        return pos;
    }
    let (token, end) = t.read_token(start, t.len(), &[]);
    let arn = token.trim_end_matches(['.', ',']);
    if arn.is_empty() {
        return pos;
    }
    p.policy_arn = Some(arn.to_string());
    end
}

enum PolicyType {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
    Rcp,
    VpcEndpoint,
    RoleTrust,
    Unknown,
}

/// Classifies the words between `because no`/`explicit deny in a` and `policy`.
fn policy_type(words: &[u8]) -> PolicyType {
    // Compare without whitespace: a wrap may have cut the words anywhere.
    let words: Vec<u8> = words
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\n'))
        .collect();
    let has = |needle: &str| text::find_bytes(&words, needle.as_bytes(), 0).is_some();
    if has("identity") {
        PolicyType::Identity
    } else if has("resourcecontrol") {
        PolicyType::Rcp
    } else if has("resource") {
        PolicyType::Resource
    } else if has("boundar") {
        PolicyType::Boundary
    } else if has("session") {
        PolicyType::Session
    } else if has("servicecontrol") {
        PolicyType::Scp
    } else if has("vpc") || has("endpoint") {
        PolicyType::VpcEndpoint
    } else if has("trust") {
        PolicyType::RoleTrust
    } else {
        PolicyType::Unknown
    }
}
