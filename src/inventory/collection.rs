//! `Collection<T>`: the resources of one kind in one account, with how complete the list is
//! and hash indexes built once, so lookups stay O(1) in accounts with thousands of roles.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::field::{Field, Unreadable};

/// How complete a collection's item list is.
///
/// The live loader lists names first and fills details lazily; it may also fetch single
/// resources by name when the list call itself is denied. So "no item named X" only means
/// "X does not exist" when the listing is `Complete`, or when a direct read of X said so
/// ([`Collection::mark_absent`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Listing {
    /// The list call has not run; the items are only those fetched one by one.
    #[default]
    NotLoaded,
    /// The list call succeeded and every resource of this kind is among the items.
    Complete,
    /// The list call failed; the items are only those fetched one by one.
    Unreadable(Unreadable),
}

/// What a lookup key means, so a role named like an ARN can never be confused with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The resource ARN (roles: with their path).
    Arn,
    /// The short name (role name, repository name, project name, …).
    Name,
    /// An ECR repository URI without tag or digest.
    Uri,
    /// A KMS key id (the UUID).
    KeyId,
    /// A KMS alias name such as `alias/codepipeline-artifacts`.
    Alias,
    /// A KMS alias ARN.
    AliasArn,
    /// The ARN of a target an EventBridge rule invokes (many rules can share one).
    Target,
}

/// One entry of a collection's index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndexKey {
    /// What the value means.
    pub kind: KeyKind,
    /// The key text, matched exactly (ARNs are case-sensitive).
    pub value: String,
}

impl IndexKey {
    /// Builds a key.
    pub fn new(kind: KeyKind, value: impl Into<String>) -> Self {
        Self {
            kind,
            value: value.into(),
        }
    }
}

/// A resource that can live in a [`Collection`].
pub trait Keyed {
    /// The unique identity used to replace an item on upsert (its ARN).
    fn id(&self) -> &str;
    /// Every key the item can be found by; the id should be among them as [`KeyKind::Arn`].
    fn index_keys(&self) -> Vec<IndexKey>;
}

/// Implements [`Keyed`] for resources found by their `arn` (their identity) and their `name`:
/// roles, users, groups and projects are named uniquely within an account.
macro_rules! keyed_by_arn_and_name {
    ($($kind:ty),+ $(,)?) => {$(
        impl $crate::inventory::Keyed for $kind {
            fn id(&self) -> &str {
                &self.arn
            }

            fn index_keys(&self) -> Vec<$crate::inventory::IndexKey> {
                use $crate::inventory::{IndexKey, KeyKind};
                vec![
                    IndexKey::new(KeyKind::Arn, &self.arn),
                    IndexKey::new(KeyKind::Name, &self.name),
                ]
            }
        }
    )+};
}
pub(crate) use keyed_by_arn_and_name;

/// The items of one resource kind plus their listing state and lookup index.
///
/// Items are private so the index can never drift from them: add or replace with
/// [`Collection::upsert`], change in place with [`Collection::update`].
#[derive(Debug, Clone)]
pub struct Collection<T> {
    listing: Listing,
    items: Vec<T>,
    index: HashMap<IndexKey, Vec<usize>>,
    /// Keys a direct read proved absent (`GetRole` said `NoSuchEntity`, …), so that a
    /// lookup can say `Absent` without listing every resource of the account: explaining
    /// one request costs the same calls with 10 roles or 5,000. Per session only: never
    /// stored in snapshots (a snapshot holds complete listings), and not part of equality.
    absent: HashSet<IndexKey>,
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Self {
            listing: Listing::NotLoaded,
            items: Vec::new(),
            index: HashMap::new(),
            absent: HashSet::new(),
        }
    }
}

impl<T: PartialEq> PartialEq for Collection<T> {
    fn eq(&self, other: &Self) -> bool {
        // The index is derived from the items, and the absent keys are session knowledge
        // that a complete listing implies, so neither takes part in equality.
        self.listing == other.listing && self.items == other.items
    }
}

impl<T: Keyed> Collection<T> {
    /// A collection from a list; a later item with the same id replaces an earlier one.
    pub fn from_items(listing: Listing, items: impl IntoIterator<Item = T>) -> Self {
        let mut collection = Self {
            listing,
            ..Self::default()
        };
        for item in items {
            collection.upsert(item);
        }
        collection
    }

    /// A complete list (the list call succeeded).
    pub fn complete(items: impl IntoIterator<Item = T>) -> Self {
        Self::from_items(Listing::Complete, items)
    }

    /// The listing state.
    pub fn listing(&self) -> &Listing {
        &self.listing
    }

    /// Records the outcome of the list call.
    pub fn set_listing(&mut self, listing: Listing) {
        self.listing = listing;
    }

    /// The items in load order.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Iterates the items in load order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The number of items known.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no item is known.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Neither listed nor holding any item: nothing to store (a snapshot leaves it out, so
    /// files written before the kind existed and files without it read the same).
    pub fn is_unlisted(&self) -> bool {
        self.items.is_empty() && self.listing == Listing::NotLoaded
    }

    /// Adds an item, or replaces the one with the same id; returns its position.
    pub fn upsert(&mut self, item: T) -> usize {
        let existing = self
            .index
            .get(&IndexKey::new(KeyKind::Arn, item.id()))
            .and_then(|positions| {
                positions
                    .iter()
                    .copied()
                    .find(|&p| self.items[p].id() == item.id())
            });
        match existing {
            Some(position) => {
                self.unindex(position);
                self.items[position] = item;
                self.reindex(position);
                position
            }
            None => {
                self.items.push(item);
                let position = self.items.len() - 1;
                self.reindex(position);
                position
            }
        }
    }

    /// Changes the item with this id in place (e.g. to fill a lazily loaded detail) and
    /// re-indexes it; `None` if there is no such item.
    pub fn update<R>(&mut self, id: &str, change: impl FnOnce(&mut T) -> R) -> Option<R> {
        let position = self.position(KeyKind::Arn, id)?;
        self.unindex(position);
        let result = change(&mut self.items[position]);
        self.reindex(position);
        Some(result)
    }

    /// Changes every item, then rebuilds the whole index (O(n); for bulk rewrites such as redaction).
    pub fn update_all(&mut self, mut change: impl FnMut(&mut T)) {
        self.items.iter_mut().for_each(&mut change);
        self.index.clear();
        for position in 0..self.items.len() {
            self.reindex(position);
        }
    }

    /// The first item with this key.
    pub fn get(&self, kind: KeyKind, value: &str) -> Option<&T> {
        self.position(kind, value).map(|p| &self.items[p])
    }

    /// Every item with this key, in load order (e.g. all rules targeting one pipeline).
    pub fn get_all(&self, kind: KeyKind, value: &str) -> Vec<&T> {
        self.index
            .get(&IndexKey::new(kind, value))
            .map(|positions| positions.iter().map(|&p| &self.items[p]).collect())
            .unwrap_or_default()
    }

    /// Records that a direct read proved there is no item with this key (unless one is
    /// known: an item always wins). Adding an item with the key later clears the mark.
    pub fn mark_absent(&mut self, kind: KeyKind, value: &str) {
        if self.get(kind, value).is_none() {
            self.absent.insert(IndexKey::new(kind, value));
        }
    }

    /// Whether a direct read proved that no item has this key ([`Collection::mark_absent`]).
    pub fn is_marked_absent(&self, kind: KeyKind, value: &str) -> bool {
        !self.absent.is_empty() && self.absent.contains(&IndexKey::new(kind, value))
    }

    /// A lookup with three outcomes: found, certainly absent (the listing is complete, or
    /// a direct read said so), or unknown (not listed yet, or the list call failed).
    pub fn lookup(&self, kind: KeyKind, value: &str) -> Field<&T> {
        match self.get(kind, value) {
            Some(item) => Field::Loaded(item),
            None if self.is_marked_absent(kind, value) => Field::Absent,
            None => match &self.listing {
                Listing::Complete => Field::Absent,
                Listing::NotLoaded => Field::NotLoaded,
                Listing::Unreadable(reason) => Field::Unreadable(reason.clone()),
            },
        }
    }

    fn position(&self, kind: KeyKind, value: &str) -> Option<usize> {
        self.index
            .get(&IndexKey::new(kind, value))
            .and_then(|positions| positions.first().copied())
    }

    fn unindex(&mut self, position: usize) {
        for key in self.items[position].index_keys() {
            if let Some(positions) = self.index.get_mut(&key) {
                positions.retain(|&p| p != position);
                if positions.is_empty() {
                    self.index.remove(&key);
                }
            }
        }
    }

    fn reindex(&mut self, position: usize) {
        for key in self.items[position].index_keys() {
            if !self.absent.is_empty() {
                self.absent.remove(&key);
            }
            let positions = self.index.entry(key).or_default();
            // Keep load order so `get` returns the earliest item for shared keys.
            let at = positions.partition_point(|&p| p < position);
            if positions.get(at) != Some(&position) {
                positions.insert(at, position);
            }
        }
    }
}

impl<'a, T> IntoIterator for &'a Collection<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// The on-disk shape of a collection: the index is rebuilt on load, never stored.
#[derive(Serialize, Deserialize)]
struct Stored<T> {
    #[serde(default)]
    listing: Listing,
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

impl<T: Serialize> Serialize for Collection<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct StoredRef<'a, T> {
            listing: &'a Listing,
            items: &'a [T],
        }
        StoredRef {
            listing: &self.listing,
            items: &self.items,
        }
        .serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de> + Keyed> Deserialize<'de> for Collection<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = Stored::<T>::deserialize(deserializer)?;
        Ok(Collection::from_items(stored.listing, stored.items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Thing {
        arn: String,
        name: String,
        targets: Vec<String>,
    }

    impl Keyed for Thing {
        fn id(&self) -> &str {
            &self.arn
        }
        fn index_keys(&self) -> Vec<IndexKey> {
            let mut keys = vec![
                IndexKey::new(KeyKind::Arn, &self.arn),
                IndexKey::new(KeyKind::Name, &self.name),
            ];
            keys.extend(
                self.targets
                    .iter()
                    .map(|t| IndexKey::new(KeyKind::Target, t)),
            );
            keys
        }
    }

    fn thing(n: usize, target: &str) -> Thing {
        Thing {
            arn: format!("arn:x:{n}"),
            name: format!("thing-{n}"),
            targets: vec![target.to_string()],
        }
    }

    #[test]
    fn upsert_replaces_by_id_and_reindexes() {
        let mut c = Collection::complete((0..5).map(|n| thing(n, "t")));
        assert_eq!(c.len(), 5);
        let mut renamed = thing(2, "u");
        renamed.name = "renamed".into();
        assert_eq!(c.upsert(renamed), 2);
        assert_eq!(c.len(), 5);
        assert!(c.get(KeyKind::Name, "thing-2").is_none());
        assert_eq!(
            c.get(KeyKind::Name, "renamed").map(|t| t.arn.as_str()),
            Some("arn:x:2")
        );
        assert_eq!(c.get_all(KeyKind::Target, "t").len(), 4);
        assert_eq!(c.get_all(KeyKind::Target, "u").len(), 1);
    }

    #[test]
    fn update_in_place_keeps_index_in_sync() {
        let mut c = Collection::complete((0..3).map(|n| thing(n, "t")));
        let result = c.update("arn:x:1", |t| {
            t.name = "one".into();
            7
        });
        assert_eq!(result, Some(7));
        assert!(c.get(KeyKind::Name, "one").is_some());
        assert!(c.get(KeyKind::Name, "thing-1").is_none());
        assert_eq!(c.update("arn:x:9", |_| ()), None);
    }

    #[test]
    fn lookup_has_three_outcomes() {
        let complete = Collection::complete([thing(1, "t")]);
        assert!(complete.lookup(KeyKind::Name, "thing-1").is_loaded());
        assert!(complete.lookup(KeyKind::Name, "nope").is_absent());
        let partial = Collection::from_items(Listing::NotLoaded, [thing(1, "t")]);
        assert!(partial.lookup(KeyKind::Name, "nope").is_not_loaded());
        let denied = Collection::<Thing>::from_items(
            Listing::Unreadable(Unreadable::new("iam:ListRoles", "AccessDenied", "no")),
            [],
        );
        assert_eq!(
            denied
                .lookup(KeyKind::Name, "nope")
                .unreadable()
                .map(|u| u.operation.as_str()),
            Some("iam:ListRoles")
        );
    }

    #[test]
    fn a_direct_read_proves_absence_without_a_listing() {
        let mut partial = Collection::from_items(Listing::NotLoaded, [thing(1, "t")]);
        partial.mark_absent(KeyKind::Name, "ghost");
        assert!(partial.lookup(KeyKind::Name, "ghost").is_absent());
        assert!(partial.lookup(KeyKind::Name, "other").is_not_loaded());
        // Only the exact key: the same text as another kind is still unknown.
        assert!(partial.lookup(KeyKind::Arn, "ghost").is_not_loaded());
        // A known item always wins, and adding one clears the mark.
        partial.mark_absent(KeyKind::Name, "thing-1");
        assert!(partial.lookup(KeyKind::Name, "thing-1").is_loaded());
        let mut ghost = thing(2, "t");
        ghost.name = "ghost".into();
        partial.upsert(ghost);
        assert!(partial.lookup(KeyKind::Name, "ghost").is_loaded());
        // Session knowledge: not stored, not compared.
        let mut marked = Collection::from_items(Listing::NotLoaded, [thing(1, "t")]);
        marked.mark_absent(KeyKind::Name, "ghost");
        assert_eq!(
            marked,
            Collection::from_items(Listing::NotLoaded, [thing(1, "t")])
        );
        let text = serde_json::to_string(&marked).unwrap();
        assert!(!text.contains("ghost"), "{text}");
    }

    #[test]
    fn serde_round_trip_rebuilds_index() {
        let c = Collection::complete((0..3).map(|n| thing(n, "t")));
        let text = serde_json::to_string(&c).expect("serialize");
        assert!(!text.contains("index"));
        let back: Collection<Thing> = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, c);
        assert!(back.get(KeyKind::Arn, "arn:x:2").is_some());
        let empty: Collection<Thing> = serde_json::from_str("{}").expect("parse");
        assert_eq!(empty.listing(), &Listing::NotLoaded);
    }

    #[test]
    fn ten_thousand_items_index_fast() {
        let c = Collection::complete((0..10_000).map(|n| thing(n, "t")));
        assert_eq!(
            c.get(KeyKind::Name, "thing-9999").map(|t| t.arn.as_str()),
            Some("arn:x:9999")
        );
    }
}
