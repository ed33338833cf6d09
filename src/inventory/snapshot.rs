//! Snapshot files: one or more accounts, as versioned JSON, for offline use and sharing.
//!
//! Shape (fields abbreviated; see `assets/demo/account-a.json` for a full file):
//!
//! ```json
//! { "format_version": 1,
//!   "accounts": [
//!     { "identity": { "account_id": "111111111111", "caller_arn": "arn:aws:sts::…",
//!                     "profile": "prod", "region": "ap-northeast-1", "partition": "aws" },
//!       "roles": { "listing": "complete", "items": [
//!         { "arn": "arn:aws:iam::111111111111:role/ci/deploy", "name": "deploy", "path": "/ci/",
//!           "trust_policy": { "loaded": { "Version": "2012-10-17", "Statement": [] } },
//!           "inline_policies": { "unreadable": { "operation": "iam:ListRolePolicies",
//!                                "code": "AccessDenied", "message": "…" } },
//!           "permissions_boundary": "absent", "tags": "not_loaded" } ] },
//!       "repositories": { "listing": { "unreadable": { … } }, "items": [] },
//!       "registry_policy": "absent",
//!       "trail": { "loaded": [ { "eventName": "PutImage", … } ] } } ] }
//! ```
//!
//! Any number of accounts per file; a missing field or collection reads as not loaded.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::account::Account;
use super::accounts::{Accounts, AccountsError};

/// Largest snapshot file read.
pub const MAX_SNAPSHOT_BYTES: u64 = 1024 * 1024 * 1024;

/// The snapshot format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Why a snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be opened, read or written.
    #[error("{}: {source}; check the path and its permissions", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid JSON, or not a snapshot's shape.
    #[error("{}:{line}:{column}: {message}; the file is not a valid crossdock snapshot (was it edited by hand or truncated?)", .path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// The file has no `format_version`, or one this build does not know.
    #[error("{}: snapshot format_version {found} is not supported (this build reads version {FORMAT_VERSION}); re-save it with a matching crossdock version", .path.display())]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found (`missing` when absent).
        found: String,
    },
    /// The file holds no account.
    #[error("{}: a snapshot holds at least one account, this one holds {count}; save it again with `crossdock snapshot`", .path.display())]
    AccountCount {
        /// The file.
        path: PathBuf,
        /// How many it holds.
        count: usize,
    },
    /// An account of the file contradicts itself: an id that is not 12 digits, or a
    /// resource whose ARN names another account (ids swapped or edited by hand).
    #[error("{}: {message}; the snapshot is inconsistent, so no answer from it could be trusted (save it again with `crossdock snapshot`)", .path.display())]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// The first mismatch found.
        message: String,
    },
    /// The same account is in the file twice.
    #[error("{}: {source}", .path.display())]
    Pair {
        /// The file.
        path: PathBuf,
        /// Why the accounts do not pair.
        source: AccountsError,
    },
}

/// The on-disk document.
#[derive(Serialize, Deserialize)]
struct Document {
    format_version: u32,
    /// When `crossdock snapshot` wrote it (RFC 3339, UTC); older files have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    taken_at: Option<String>,
    accounts: Vec<Account>,
}

/// When the snapshot at `path` was taken: its `taken_at` field, or else the file's
/// modification time (marked so). `None` when neither can be read.
pub fn taken_at(path: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Probe {
        taken_at: Option<String>,
    }
    let file = std::fs::File::open(path).ok()?;
    let probe: Option<Probe> = serde_json::from_reader(std::io::BufReader::new(file)).ok();
    if let Some(at) = probe.and_then(|p| p.taken_at) {
        return Some(at);
    }
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(format!("{} (file modified)", rfc3339(modified)))
}

fn rfc3339(time: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Only the version, read before the body so an old or future file fails clearly.
#[derive(Deserialize)]
struct VersionProbe {
    format_version: Option<serde_json::Value>,
}

/// Reads a snapshot file.
pub fn load(path: &Path) -> Result<Accounts, SnapshotError> {
    let file = std::fs::File::open(path).map_err(|source| io_error(path, source))?;
    from_reader(file, path)
}

/// Reads a snapshot from any reader; `origin` names it in errors.
pub fn from_reader(reader: impl Read, origin: &Path) -> Result<Accounts, SnapshotError> {
    let mut text = String::new();
    // `--snapshot /dev/zero` must end with a message, not an allocation failure.
    let read = reader
        .take(MAX_SNAPSHOT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|source| io_error(origin, source))?;
    if read as u64 > MAX_SNAPSHOT_BYTES {
        return Err(io_error(
            origin,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "larger than {} MiB, the most crossdock reads from one snapshot",
                    MAX_SNAPSHOT_BYTES / (1024 * 1024)
                ),
            ),
        ));
    }
    from_str(&text, origin)
}

/// Parses snapshot text; `origin` names it in errors.
pub fn from_str(text: &str, origin: &Path) -> Result<Accounts, SnapshotError> {
    // Editors on Windows save a byte-order mark; `trail` and `eval` accept it too.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let probe: VersionProbe = serde_json::from_str(text).map_err(|e| json_error(origin, &e))?;
    match probe.format_version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        other => {
            return Err(SnapshotError::UnsupportedVersion {
                path: origin.to_path_buf(),
                found: other.map_or_else(|| "missing".to_string(), |v| v.to_string()),
            })
        }
    }
    // A policy in the file naming a key twice must not be read as last-wins.
    if let Some(duplicate) = crate::policy::strict_json::find_duplicate_key(text) {
        return Err(SnapshotError::Inconsistent {
            path: origin.to_path_buf(),
            message: duplicate.to_string(),
        });
    }
    let document: Document = serde_json::from_str(text).map_err(|e| json_error(origin, &e))?;
    if document.accounts.is_empty() {
        return Err(SnapshotError::AccountCount {
            path: origin.to_path_buf(),
            count: 0,
        });
    }
    for (index, account) in document.accounts.iter().enumerate() {
        check_consistent(account).map_err(|message| SnapshotError::Inconsistent {
            path: origin.to_path_buf(),
            message: format!("account {} of the file: {message}", index + 1),
        })?;
    }
    Accounts::new(document.accounts).map_err(|source| SnapshotError::Pair {
        path: origin.to_path_buf(),
        source,
    })
}

/// A contradiction inside one account of a snapshot file.
#[derive(Debug, thiserror::Error)]
enum Mismatch {
    /// The account id is not an account id.
    #[error("account id `{0}` is not 12 digits")]
    AccountId(String),
    /// A resource or the caller names another account.
    #[error("{kind} {arn} names account {owner}, not the file's account {account}")]
    Foreign {
        /// What it is (role, repository, the caller…).
        kind: &'static str,
        /// Its ARN.
        arn: String,
        /// The account its ARN names.
        owner: String,
        /// The file's account.
        account: String,
    },
}

/// The first contradiction inside one account: its id must be 12 digits (redacted files
/// keep that form), and the caller and every resource it lists must be of that account
/// (AWS managed policies, `arn:aws:iam::aws:policy/…`, belong to `aws`).
fn check_consistent(account: &Account) -> Result<(), Mismatch> {
    let id = account.id();
    if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Mismatch::AccountId(id.escape_debug().to_string()));
    }
    let foreign = |kind: &'static str, arn: &str| -> Result<(), Mismatch> {
        match crate::policy::arn::account_field(arn) {
            Some(owner) if owner != id => Err(Mismatch::Foreign {
                kind,
                arn: arn.to_string(),
                owner: owner.to_string(),
                account: id.to_string(),
            }),
            _ => Ok(()),
        }
    };
    if !account.identity.caller_arn.is_empty() {
        foreign("the caller", &account.identity.caller_arn)?;
    }
    let resources = [
        (
            "role",
            account
                .roles
                .iter()
                .map(|r| r.arn.as_str())
                .collect::<Vec<_>>(),
        ),
        (
            "user",
            account.users.iter().map(|u| u.arn.as_str()).collect(),
        ),
        (
            "group",
            account.groups.iter().map(|g| g.arn.as_str()).collect(),
        ),
        (
            "repository",
            account
                .repositories
                .iter()
                .map(|r| r.arn.as_str())
                .collect(),
        ),
        ("key", account.keys.iter().map(|k| k.arn.as_str()).collect()),
        (
            "project",
            account.projects.iter().map(|p| p.arn.as_str()).collect(),
        ),
        (
            "pipeline",
            account.pipelines.iter().map(|p| p.arn.as_str()).collect(),
        ),
        (
            "rule",
            account.rules.iter().map(|r| r.arn.as_str()).collect(),
        ),
    ];
    for (kind, arns) in resources {
        for arn in arns {
            foreign(kind, arn)?;
        }
    }
    for policy in account.managed_policies.iter() {
        if crate::policy::arn::account_field(&policy.arn) != Some("aws") {
            foreign("managed policy", &policy.arn)?;
        }
    }
    Ok(())
}

/// Writes a snapshot file (pretty-printed, so diffs of two snapshots are readable).
/// Atomically: a failure leaves whatever was at `path` before, never a partial file.
pub fn save(path: &Path, pair: &Accounts) -> Result<(), SnapshotError> {
    let taken_at = Some(rfc3339(std::time::SystemTime::now()));
    write_atomically(path, |writer| write_document(writer, pair, path, taken_at))
}

/// Writes a snapshot of accounts as `next` hands them over, one at a time: each is written
/// and dropped before the next is asked for, so a file of hundreds of accounts never holds
/// them all in memory (`crossdock snapshot --org-profile`). Atomic like [`save`]; returns
/// how many accounts were written. None at all is refused (a snapshot holds at least one).
pub fn save_streamed(
    path: &Path,
    mut next: impl FnMut() -> Option<Account>,
) -> Result<usize, SnapshotError> {
    let taken_at = rfc3339(std::time::SystemTime::now());
    let mut written = 0;
    write_atomically(path, |writer| {
        let head = format!(
            "{{\n  \"format_version\": {FORMAT_VERSION},\n  \"taken_at\": \"{taken_at}\",\n  \"accounts\": [\n"
        );
        writer
            .write_all(head.as_bytes())
            .map_err(|e| io_error(path, e))?;
        while let Some(account) = next() {
            if written > 0 {
                writer.write_all(b",\n").map_err(|e| io_error(path, e))?;
            }
            serde_json::to_writer_pretty(&mut *writer, &account).map_err(|e| {
                if e.is_io() {
                    io_error(path, std::io::Error::other(e))
                } else {
                    json_error(path, &e)
                }
            })?;
            written += 1;
        }
        if written == 0 {
            return Err(io_error(
                path,
                std::io::Error::other("no account could be read, so nothing was written"),
            ));
        }
        writer
            .write_all(b"\n  ]\n}\n")
            .map_err(|e| io_error(path, e))
    })?;
    Ok(written)
}

/// Writes `path` through a temporary file in the same directory, renamed over `path` only
/// once `write` succeeded and the data is on disk; on failure the temporary file is removed.
///
/// The temporary file is created exclusively (`O_EXCL`) under a random name and owner-only,
/// so nothing planted in a shared directory (a symlink at a guessable name) can redirect the
/// write; the rename replaces a symlink at `path` itself, never the file it points to.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), SnapshotError>,
) -> Result<(), SnapshotError> {
    let name = path.file_name().ok_or_else(|| {
        io_error(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        )
    })?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = format!(".{}.", name.to_string_lossy());
    // Dropping `temp` on any failure below removes the temporary file.
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| io_error(path, source))?;
    {
        let mut writer = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut writer)?;
        writer.flush().map_err(|source| io_error(path, source))?;
    }
    temp.as_file()
        .sync_all()
        .map_err(|source| io_error(path, source))?;
    temp.persist(path).map_err(|e| io_error(path, e.error))?;
    // The rename itself is durable once the directory is synced (best effort: not every
    // platform can open a directory).
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Writes `contents` to `path` through [`write_atomically`].
pub fn write_file_atomically(path: &Path, contents: &[u8]) -> Result<(), SnapshotError> {
    write_atomically(path, |writer| {
        writer
            .write_all(contents)
            .map_err(|source| io_error(path, source))
    })
}

/// Writes a snapshot to any writer; `origin` names it in errors.
pub fn to_writer(writer: impl Write, pair: &Accounts, origin: &Path) -> Result<(), SnapshotError> {
    write_document(writer, pair, origin, None)
}

fn write_document(
    writer: impl Write,
    pair: &Accounts,
    origin: &Path,
    taken_at: Option<String>,
) -> Result<(), SnapshotError> {
    #[derive(Serialize)]
    struct DocumentRef<'a> {
        format_version: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        taken_at: Option<String>,
        accounts: Vec<&'a Account>,
    }
    let document = DocumentRef {
        format_version: FORMAT_VERSION,
        taken_at,
        accounts: pair.accounts().collect(),
    };
    serde_json::to_writer_pretty(writer, &document).map_err(|e| {
        if e.is_io() {
            io_error(origin, std::io::Error::other(e))
        } else {
            json_error(origin, &e)
        }
    })
}

/// The snapshot as a JSON string.
pub fn to_string(pair: &Accounts) -> Result<String, SnapshotError> {
    let mut buffer = Vec::new();
    to_writer(&mut buffer, pair, Path::new("<memory>"))?;
    String::from_utf8(buffer).map_err(|e| SnapshotError::Io {
        path: PathBuf::from("<memory>"),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

fn io_error(path: &Path, source: std::io::Error) -> SnapshotError {
    SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn json_error(path: &Path, error: &serde_json::Error) -> SnapshotError {
    // serde_json appends " at line L column C" to its Display; the fields carry it already.
    let full = error.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    SnapshotError::Json {
        path: path.to_path_buf(),
        line: error.line(),
        column: error.column(),
        message,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_streamed_snapshot_reads_back_and_an_empty_one_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("org.json");
        let demo = crate::inventory::demo::load().expect("demo");
        let mut accounts: Vec<Account> = demo.accounts().cloned().collect();
        let written = save_streamed(&path, || accounts.pop()).expect("save");
        assert_eq!(written, 2);
        let loaded = load(&path).expect("load");
        assert_eq!(loaded.accounts().count(), 2);
        assert!(taken_at(&path).is_some());
        let empty = dir.path().join("empty.json");
        assert!(save_streamed(&empty, || None).is_err());
        assert!(!empty.exists());
    }

    use super::*;
    use crate::inventory::account::Identity;
    use crate::inventory::collection::Collection;
    use crate::inventory::field::{Field, Unreadable};
    use crate::inventory::iam::Role;
    use serde_json::json;

    fn account(id: &str) -> Account {
        let mut account = Account::new(Identity {
            account_id: id.into(),
            caller_arn: format!("arn:aws:iam::{id}:user/reader"),
            profile: None,
            region: "ap-northeast-1".into(),
            partition: "aws".into(),
        });
        let mut role = Role::listed(format!("arn:aws:iam::{id}:role/r"), "r", "/");
        role.trust_policy = Field::Loaded(json!({"Version": "2012-10-17", "Statement": []}));
        role.inline_policies = Field::Unreadable(Unreadable::new(
            "iam:ListRolePolicies",
            "AccessDenied",
            "denied",
        ));
        account.roles = Collection::complete([role]);
        account.registry_policy = Field::Absent;
        account.trail = Field::Loaded(vec![json!({"eventName": "PutImage"})].into());
        account
    }

    fn path() -> &'static Path {
        Path::new("snap.json")
    }

    #[test]
    fn round_trips_a_pair() {
        let pair = Accounts::new([account("111111111111"), account("222222222222")]).expect("pair");
        let text = to_string(&pair).expect("serialize");
        assert!(text.starts_with("{\n  \"format_version\": 1,"));
        let back = from_str(&text, path()).expect("parse");
        assert_eq!(back, pair);
        assert!(
            back.account("111111111111").expect("a").role("r").is_some(),
            "index rebuilt on load"
        );
    }

    #[test]
    fn round_trips_a_single_account_through_a_file() {
        let dir = std::env::temp_dir().join(format!("crossdock-snap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("one.json");
        let pair = Accounts::single(account("111111111111"));
        save(&file, &pair).expect("save");
        assert_eq!(load(&file).expect("load"), pair);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn malformed_json_names_file_line_and_column() {
        let err = from_str(
            "{\n  \"format_version\": 1,\n  \"accounts\": [,]\n}",
            path(),
        )
        .expect_err("malformed");
        match &err {
            SnapshotError::Json { line, column, .. } => assert_eq!((*line, *column), (3, 16)),
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().starts_with("snap.json:3:16: "), "{err}");
    }

    #[test]
    fn wrong_shape_reports_position() {
        let err = from_str(
            r#"{"format_version": 1, "accounts": [{"identity": 3}]}"#,
            path(),
        )
        .expect_err("shape");
        assert!(matches!(err, SnapshotError::Json { line: 1, .. }), "{err}");
    }

    #[test]
    fn unknown_or_missing_version_is_clear() {
        let err = from_str(r#"{"format_version": 7, "accounts": []}"#, path()).expect_err("v7");
        assert!(
            err.to_string()
                .contains("format_version 7 is not supported"),
            "{err}"
        );
        let err = from_str(r#"{"accounts": []}"#, path()).expect_err("missing");
        assert!(err.to_string().contains("format_version missing"), "{err}");
    }

    #[test]
    fn account_count_and_duplicates_are_checked() {
        let err = from_str(r#"{"format_version": 1, "accounts": []}"#, path()).expect_err("empty");
        assert!(matches!(err, SnapshotError::AccountCount { count: 0, .. }));
        let a = serde_json::to_value(account("111111111111")).expect("value");
        let text = json!({"format_version": 1, "accounts": [a.clone(), a]}).to_string();
        assert!(matches!(
            from_str(&text, path()),
            Err(SnapshotError::Pair { .. })
        ));
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = load(Path::new("/nonexistent/crossdock.json")).expect_err("missing");
        assert!(
            err.to_string().starts_with("/nonexistent/crossdock.json: "),
            "{err}"
        );
    }
}

#[cfg(test)]
mod atomic_tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("crossdock-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = scratch("fail");
        let path = dir.join("snap.json");
        std::fs::write(&path, "old").expect("old file");
        let failed = write_atomically(&path, |w| {
            w.write_all(b"{\"format_version\": 1, \"acc")
                .map_err(|e| io_error(Path::new("x"), e))?;
            Err(io_error(Path::new("x"), std::io::Error::other("disk full")))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("still there"), "old");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("snap.json")]);

        let fresh = dir.join("new.json");
        assert!(write_atomically(&fresh, |_| Err(io_error(
            Path::new("x"),
            std::io::Error::other("boom")
        )))
        .is_err());
        assert!(!fresh.exists(), "no empty file either");

        write_atomically(&path, |w| {
            w.write_all(b"new").map_err(|e| io_error(Path::new("x"), e))
        })
        .expect("write");
        assert_eq!(std::fs::read_to_string(&path).expect("replaced"), "new");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_old_temporary_name_is_never_followed() {
        let dir = scratch("symlink");
        let victim = dir.join("victim.txt");
        std::fs::write(&victim, "precious").expect("victim");
        let path = dir.join("snap.json");
        // The name earlier versions used, planted by another user of the directory.
        let planted = dir.join(format!(".snap.json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).expect("symlink");
        // And a symlink at the destination itself: replaced, its target untouched.
        std::os::unix::fs::symlink(&victim, &path).expect("symlink");
        write_file_atomically(&path, b"snapshot").expect("write");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
        assert!(!std::fs::symlink_metadata(&path).expect("path").is_symlink());
        assert_eq!(std::fs::read_to_string(&path).expect("written"), "snapshot");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
