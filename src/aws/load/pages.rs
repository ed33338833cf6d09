//! Reading every page of a listing. Each service pages with its own token field, so each
//! caller says how to fetch one page; the loop, the token hand-over and what happens on a
//! failure mid-way live here once.

use std::future::Future;

use super::{decode_policy, join_all};
use crate::inventory::{Field, InlinePolicy, Unreadable};

/// Every page of a listing: `fetch` takes the previous page's token and gives that page's
/// items and the next token (`None` on the last page). The items read before a failure are
/// kept, so a listing that breaks off still shows what it found.
pub(super) async fn all_pages<T, F, Fut>(mut fetch: F) -> (Vec<T>, Result<(), Unreadable>)
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), Unreadable>>,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        match fetch(token.take()).await {
            Ok((page, next)) => {
                items.extend(page);
                match next {
                    Some(next) => token = Some(next),
                    None => return (items, Ok(())),
                }
            }
            Err(reason) => return (items, Err(reason)),
        }
    }
}

/// Every page, or the failure: for details that are only worth having whole.
pub(super) async fn whole_listing<T, F, Fut>(fetch: F) -> Result<Vec<T>, Unreadable>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), Unreadable>>,
{
    let (items, outcome) = all_pages(fetch).await;
    outcome.map(|()| items)
}

/// The token of the next IAM page: IAM sends a marker only with `IsTruncated`.
pub(super) fn iam_next(marker: Option<&str>, truncated: bool) -> Option<String> {
    marker.filter(|_| truncated).map(str::to_string)
}

/// The token of the next page of a service that pages with `NextToken` (an empty token,
/// which EC2 sends on its last page, ends the listing too).
pub(super) fn next_token(token: Option<&str>) -> Option<String> {
    token.filter(|t| !t.is_empty()).map(str::to_string)
}

/// Inline policies: the names one listing gives, then each document fetched concurrently
/// (`get` returns the URL-encoded document; `api` names the call in a decoding error).
pub(super) async fn inline_policies<G, GFut>(
    names: Result<Vec<String>, Unreadable>,
    api: &'static str,
    get: G,
) -> Field<Vec<InlinePolicy>>
where
    G: Fn(String) -> GFut,
    GFut: Future<Output = Result<String, Unreadable>>,
{
    let names = match names {
        Ok(names) => names,
        Err(reason) => return Field::Unreadable(reason),
    };
    let policies = join_all(
        names
            .into_iter()
            .map(|name| {
                let fetched = get(name.clone());
                async move {
                    let document = match fetched.await {
                        Ok(encoded) => decode_policy(api, &encoded),
                        Err(reason) => Field::Unreadable(reason),
                    };
                    InlinePolicy { name, document }
                }
            })
            .collect(),
    )
    .await;
    Field::Loaded(policies)
}

/// Every page of one of IAM's policy listings, for roles, users and groups alike: the SDK
/// gives each its own output type with no common trait, so the shared part is a macro.
/// `names`: the inline policies' names; `attached`: the attached managed policies.
macro_rules! iam_policy_listing {
    (names, $gw:expr, $list:ident, $name:expr) => {
        $crate::aws::load::pages::iam_policy_listing!(@pages $gw, $list, $name, |page| page
            .policy_names()
            .to_vec())
    };
    (attached, $gw:expr, $list:ident, $name:expr) => {
        $crate::aws::load::pages::iam_policy_listing!(@pages $gw, $list, $name, |page| page
            .attached_policies()
            .iter()
            .filter_map($crate::aws::load::iam::attached_policy)
            .collect())
    };
    (@pages $gw:expr, $list:ident, $name:expr, |$page:ident| $items:expr) => {
        $crate::aws::load::pages::whole_listing(|marker| async move {
            let $page = $gw.$list($name, marker).await?;
            let next = $crate::aws::load::pages::iam_next($page.marker(), $page.is_truncated());
            Ok(($items, next))
        })
    };
}
pub(super) use iam_policy_listing;
