//! Reading an organisation trail's log files straight from S3, for narrow windows (minutes
//! to hours): list the folders of the accounts, regions and days asked, keep the files
//! written in the window, fetch them concurrently and parse them in parallel with the
//! trail parser. Purely read-only: `s3:ListBucket` and `s3:GetObject`.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::org_clients::TrailBucket;
use crate::inventory::Unreadable;
use crate::trail::org_trail::{last_segment, region_folder, written_at, Window};
use crate::trail::{parse_bytes, ClassifiedEvent, TrailReport};

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgTrailQuery {
    /// The key prefix before `AWSLogs/` (empty, or ending in `/`).
    pub prefix: String,
    /// Account ids to read (empty: every account folder found).
    pub accounts: Vec<String>,
    /// Regions to read (empty: every region folder found per account).
    pub regions: Vec<String>,
    /// The event times wanted.
    pub window: Window,
    /// Objects fetched at once.
    pub fetches_at_once: usize,
}

/// What the read found (the events themselves went to the caller, file by file).
#[derive(Debug, Default)]
pub struct OrgTrailRead {
    /// Records parsed.
    pub records: usize,
    /// Objects that could not be fetched or hold records that could not be parsed: key and
    /// reason.
    pub damaged: Vec<(String, String)>,
    /// Folders that could not be listed: prefix and reason.
    pub unlisted: Vec<(String, Unreadable)>,
    /// Log files read.
    pub objects: usize,
    /// Their size as stored (compressed).
    pub bytes: u64,
}

/// Lists and reads the window's log files from `bucket`, handing each file's classified
/// events to `on_events` as soon as it is parsed (so nothing holds the whole trail).
pub async fn read(
    bucket: &TrailBucket,
    query: &OrgTrailQuery,
    on_events: &mut dyn FnMut(Vec<ClassifiedEvent>),
) -> Result<OrgTrailRead, Unreadable> {
    let mut read = OrgTrailRead::default();
    let mut keys = window_keys(bucket, query, &mut read.unlisted).await?;
    // Oldest first, across accounts: the two copies of a call are written at about the same
    // time, so a copy waits for its pair minutes of files, not the whole window.
    keys.sort_by_key(|(key, _)| (written_at(key), key.clone()));
    read.objects = keys.len();
    read.bytes = keys.iter().map(|(_, size)| size).sum();
    // At most `fetches_at_once` files are fetched or parsed at a time, and a file's events
    // are handed over before another file is started: memory holds a few files, not the
    // trail, however slowly the caller prints.
    let limit = query.fetches_at_once.max(1);
    let mut tasks = JoinSet::new();
    for (key, _) in keys {
        if tasks.len() >= limit {
            if let Some(done) = tasks.join_next().await {
                take(done, &mut read, on_events);
            }
        }
        let bucket = bucket.clone();
        tasks.spawn(async move {
            match bucket.get(&key).await {
                Ok(bytes) => {
                    let name = format!("s3://{}/{key}", bucket.bucket());
                    let parsed = tokio::task::spawn_blocking(move || {
                        TrailReport::from_outcome(parse_bytes(&name, &bytes))
                    })
                    .await;
                    (key, parsed.map_err(|e| ObjectFailure(e.to_string())))
                }
                Err(reason) => (
                    key,
                    Err(ObjectFailure(format!(
                        "{}: {}",
                        reason.code, reason.message
                    ))),
                ),
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        take(done, &mut read, on_events);
    }
    read.damaged.sort();
    Ok(read)
}

/// One file's outcome: its events to the caller, or its key among the damaged.
fn take(
    done: Result<(String, Result<TrailReport, ObjectFailure>), tokio::task::JoinError>,
    read: &mut OrgTrailRead,
    on_events: &mut dyn FnMut(Vec<ClassifiedEvent>),
) {
    let Ok((key, report)) = done else { return };
    match report {
        Ok(report) => {
            if let Some(first) = report.errors.first() {
                read.damaged.push((key, first.to_string()));
            }
            read.records += report.events.len();
            on_events(report.events);
        }
        Err(reason) => read.damaged.push((key, reason.to_string())),
    }
}

/// Why one log file gave no events: it could not be fetched (S3's code and message) or its
/// parse was lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}; the other files were read, run again to retry this one")]
pub struct ObjectFailure(String);

/// `(key, size)` of every log file of the window, over the folders asked for; the accounts'
/// folders are listed concurrently (at most `fetches_at_once` listings at a time).
async fn window_keys(
    bucket: &TrailBucket,
    query: &OrgTrailQuery,
    unlisted: &mut Vec<(String, Unreadable)>,
) -> Result<Vec<(String, u64)>, Unreadable> {
    let permits = Arc::new(Semaphore::new(query.fetches_at_once.max(1)));
    let mut tasks = JoinSet::new();
    for base in bases(bucket, &query.prefix).await? {
        let accounts = if query.accounts.is_empty() {
            folders(bucket, &base).await?
        } else {
            query.accounts.clone()
        };
        for account in accounts {
            let (bucket, query, permits) = (bucket.clone(), query.clone(), Arc::clone(&permits));
            let base = base.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire().await.ok();
                account_keys(&bucket, &query, &base, &account).await
            });
        }
    }
    let mut keys = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let Ok((found, failed)) = done else { continue };
        keys.extend(found);
        unlisted.extend(failed);
    }
    Ok(keys)
}

/// One account's log files of the window, and the folders that could not be listed.
async fn account_keys(
    bucket: &TrailBucket,
    query: &OrgTrailQuery,
    base: &str,
    account: &str,
) -> (Vec<(String, u64)>, Vec<(String, Unreadable)>) {
    let (mut keys, mut unlisted) = (Vec::new(), Vec::new());
    let regions = if query.regions.is_empty() {
        let folder = format!("{base}{account}/CloudTrail/");
        match folders(bucket, &folder).await {
            Ok(regions) => regions,
            Err(reason) => return (keys, vec![(folder, reason)]),
        }
    } else {
        query.regions.clone()
    };
    for region in regions {
        for day in query.window.days() {
            let folder = format!("{}{day}", region_folder(base, account, &region));
            match objects(bucket, &folder).await {
                Ok(found) => keys.extend(found.into_iter().filter(|(key, _)| {
                    written_at(key).is_some_and(|at| query.window.may_hold(at))
                })),
                Err(reason) => unlisted.push((folder, reason)),
            }
        }
    }
    (keys, unlisted)
}

/// `PREFIX/AWSLogs/o-ORG/` for each organisation folder, or `PREFIX/AWSLogs/` itself when
/// it holds account folders (a trail of one account).
async fn bases(bucket: &TrailBucket, prefix: &str) -> Result<Vec<String>, Unreadable> {
    let logs = format!("{prefix}AWSLogs/");
    let children = folders(bucket, &logs).await?;
    let orgs: Vec<String> = children
        .iter()
        .filter(|c| c.starts_with("o-"))
        .map(|c| format!("{logs}{c}/"))
        .collect();
    Ok(if orgs.is_empty() { vec![logs] } else { orgs })
}

/// The names of the folders directly under `prefix`.
async fn folders(bucket: &TrailBucket, prefix: &str) -> Result<Vec<String>, Unreadable> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = bucket.list(prefix, Some("/"), token).await?;
        names.extend(page.prefixes.iter().map(|p| last_segment(p).to_string()));
        token = page.next;
        if token.is_none() {
            return Ok(names);
        }
    }
}

/// Every object under `prefix`, every page.
async fn objects(bucket: &TrailBucket, prefix: &str) -> Result<Vec<(String, u64)>, Unreadable> {
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = bucket.list(prefix, None, token).await?;
        found.extend(page.objects);
        token = page.next;
        if token.is_none() {
            return Ok(found);
        }
    }
}

/// Lists the window's log files like [`read`] and hands each one, decompressed, to
/// `on_file` with its `s3://` name — for readers that need whole records (the history
/// reads `requestParameters`), not classified events. At most `fetches_at_once` files are
/// fetched at a time.
pub async fn read_files(
    bucket: &TrailBucket,
    query: &OrgTrailQuery,
    on_file: &mut dyn FnMut(String, Vec<u8>),
) -> Result<OrgTrailRead, Unreadable> {
    let mut read = OrgTrailRead::default();
    let keys = window_keys(bucket, query, &mut read.unlisted).await?;
    read.objects = keys.len();
    read.bytes = keys.iter().map(|(_, size)| size).sum();
    let limit = query.fetches_at_once.max(1);
    let mut tasks = JoinSet::new();
    let mut take_file = |done: Result<(String, Result<Vec<u8>, ObjectFailure>), _>,
                         read: &mut OrgTrailRead| {
        let Ok((key, fetched)) = done else { return };
        match fetched {
            Ok(bytes) => {
                let (plain, _, problem) = crate::trail::input::decompress_within(
                    &bytes,
                    crate::trail::input::MAX_DECOMPRESSED,
                );
                if let Some(problem) = problem {
                    read.damaged.push((key.clone(), problem));
                }
                on_file(
                    format!("s3://{}/{key}", bucket.bucket()),
                    plain.into_owned(),
                );
            }
            Err(reason) => read.damaged.push((key, reason.to_string())),
        }
    };
    for (key, _) in keys {
        if tasks.len() >= limit {
            if let Some(done) = tasks.join_next().await {
                take_file(done, &mut read);
            }
        }
        let bucket = bucket.clone();
        tasks.spawn(async move {
            let fetched = bucket
                .get(&key)
                .await
                .map_err(|reason| ObjectFailure(format!("{}: {}", reason.code, reason.message)));
            (key, fetched)
        });
    }
    while let Some(done) = tasks.join_next().await {
        take_file(done, &mut read);
    }
    read.damaged.sort();
    Ok(read)
}

/// One step of [`stream_files`], in the order they happen.
#[derive(Debug)]
pub enum FileStep {
    /// The window's log files were listed: how many there are, their size as stored, and
    /// the folders that could not be listed.
    Listed {
        /// Log files to read.
        files: usize,
        /// Their size as stored (compressed).
        bytes: u64,
        /// Folders that could not be listed: prefix and reason.
        unlisted: Vec<(String, Unreadable)>,
    },
    /// One log file, decompressed; `problem` says why only part of it could be.
    File {
        /// Its key in the bucket.
        key: String,
        /// The decompressed text.
        text: Vec<u8>,
        /// Why the text stops early (a damaged or oversized gzip stream), if it does.
        problem: Option<String>,
    },
    /// One log file that could not be fetched.
    Failed {
        /// Its key in the bucket.
        key: String,
        /// Why (S3's code and message).
        reason: ObjectFailure,
    },
}

/// Lists the window's log files like [`read`] and hands each over, decompressed, **newest
/// first** — a view that shows the newest events first fills its first screen at once —
/// with a [`FileStep::Listed`] first (for a progress count). At most `fetches_at_once`
/// files are fetched or decompressed at a time, and a file is handed over before another
/// is started, so memory holds a few files, not the trail.
pub async fn stream_files(
    bucket: &TrailBucket,
    query: &OrgTrailQuery,
    on_step: &mut (dyn FnMut(FileStep) + Send),
) -> Result<(), Unreadable> {
    let mut unlisted = Vec::new();
    let mut keys = window_keys(bucket, query, &mut unlisted).await?;
    keys.sort_by_key(|(key, _)| std::cmp::Reverse((written_at(key), key.clone())));
    on_step(FileStep::Listed {
        files: keys.len(),
        bytes: keys.iter().map(|(_, size)| size).sum(),
        unlisted,
    });
    let limit = query.fetches_at_once.max(1);
    let mut tasks = JoinSet::new();
    for (key, _) in keys {
        if tasks.len() >= limit {
            if let Some(Ok(step)) = tasks.join_next().await {
                on_step(step);
            }
        }
        let bucket = bucket.clone();
        tasks.spawn(async move { fetch_step(&bucket, key).await });
    }
    while let Some(done) = tasks.join_next().await {
        if let Ok(step) = done {
            on_step(step);
        }
    }
    Ok(())
}

/// Fetches and decompresses one log file (off the async workers).
async fn fetch_step(bucket: &TrailBucket, key: String) -> FileStep {
    let bytes = match bucket.get(&key).await {
        Ok(bytes) => bytes,
        Err(reason) => {
            let reason = ObjectFailure(format!("{}: {}", reason.code, reason.message));
            return FileStep::Failed { key, reason };
        }
    };
    let decompressed = tokio::task::spawn_blocking(move || {
        let (text, _, problem) =
            crate::trail::input::decompress_within(&bytes, crate::trail::input::MAX_DECOMPRESSED);
        (text.into_owned(), problem)
    })
    .await;
    match decompressed {
        Ok((text, problem)) => FileStep::File { key, text, problem },
        Err(lost) => FileStep::Failed {
            key,
            reason: ObjectFailure(lost.to_string()),
        },
    }
}
