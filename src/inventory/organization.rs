//! An AWS Organization as discovered: its id, management account, and every account with
//! its name, status and place in the OU tree — plain data, assembled from listings here so
//! the tree walk's bookkeeping is testable without AWS.

use std::collections::BTreeMap;

use serde::Serialize;

/// One account of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgAccount {
    /// The 12-digit account id.
    pub id: String,
    /// The account's name in Organizations.
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, …
    pub status: String,
    /// Where it sits: `Root/Workloads/Prod` (`?` when the tree walk did not reach it).
    pub ou_path: String,
    /// Whether it is the organisation's management account.
    pub management: bool,
}

/// The organisation: its id, management account, and accounts sorted by name then id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    /// The management account's id.
    pub management_account_id: String,
    /// Every account, the management account included.
    pub accounts: Vec<OrgAccount>,
}

/// The OU tree as the walk found it: roots, OUs with their parents, and where each account sits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OuTree {
    /// OU id → (parent id, OU name); roots map to themselves with their name (`Root`).
    nodes: BTreeMap<String, (Option<String>, String)>,
    /// Account id → the id of the root or OU that holds it.
    placement: BTreeMap<String, String>,
}

impl OuTree {
    /// Records a root (`r-…`), the top of every path.
    pub fn add_root(&mut self, id: &str, name: &str) {
        self.nodes.insert(id.to_string(), (None, name.to_string()));
    }

    /// Records an OU and its parent (a root or another OU).
    pub fn add_ou(&mut self, id: &str, parent: &str, name: &str) {
        self.nodes
            .insert(id.to_string(), (Some(parent.to_string()), name.to_string()));
    }

    /// Records that `account` sits directly under `parent`.
    pub fn place(&mut self, account: &str, parent: &str) {
        self.placement
            .insert(account.to_string(), parent.to_string());
    }

    /// `Root/Workloads/Prod` for an account, `?` when it was not placed. A cycle (which
    /// Organizations cannot produce) ends the path rather than looping.
    pub fn path_of(&self, account: &str) -> String {
        let Some(mut at) = self.placement.get(account).cloned() else {
            return "?".to_string();
        };
        let mut names = Vec::new();
        for _ in 0..=self.nodes.len() {
            let Some((parent, name)) = self.nodes.get(&at) else {
                break;
            };
            names.push(name.clone());
            match parent {
                Some(parent) => at = parent.clone(),
                None => break,
            }
        }
        names.reverse();
        if names.is_empty() {
            "?".to_string()
        } else {
            names.join("/")
        }
    }
}

impl Organization {
    /// Builds the organisation from `ListAccounts` rows `(id, name, status)` and the tree.
    pub fn assemble(
        id: &str,
        management_account_id: &str,
        listed: Vec<(String, String, String)>,
        tree: &OuTree,
    ) -> Self {
        let mut accounts: Vec<OrgAccount> = listed
            .into_iter()
            .map(|(account, name, status)| OrgAccount {
                ou_path: tree.path_of(&account),
                management: account == management_account_id,
                id: account,
                name,
                status,
            })
            .collect();
        accounts.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        accounts.dedup_by(|a, b| a.id == b.id);
        Organization {
            id: id.to_string(),
            management_account_id: management_account_id.to_string(),
            accounts,
        }
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&OrgAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Accounts whose name, id or OU path contains every whitespace-separated word of
    /// `query` (case-insensitive), in organisation order: the picker's filter.
    pub fn matching<'a>(&'a self, query: &str) -> Vec<&'a OrgAccount> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        self.accounts
            .iter()
            .filter(|a| {
                let hay = format!("{} {} {}", a.name, a.id, a.ou_path).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> OuTree {
        let mut tree = OuTree::default();
        tree.add_root("r-1", "Root");
        tree.add_ou("ou-w", "r-1", "Workloads");
        tree.add_ou("ou-p", "ou-w", "Prod");
        tree.place("111111111111", "r-1");
        tree.place("222222222222", "ou-p");
        tree
    }

    #[test]
    fn paths_follow_the_tree_up_to_the_root() {
        let tree = tree();
        assert_eq!(tree.path_of("111111111111"), "Root");
        assert_eq!(tree.path_of("222222222222"), "Root/Workloads/Prod");
        assert_eq!(tree.path_of("999999999999"), "?");
    }

    #[test]
    fn a_cycle_ends_the_path() {
        let mut tree = OuTree::default();
        tree.add_ou("ou-a", "ou-b", "A");
        tree.add_ou("ou-b", "ou-a", "B");
        tree.place("1", "ou-a");
        assert!(tree.path_of("1").split('/').count() <= 3);
    }

    #[test]
    fn the_management_account_is_marked_and_accounts_sorted() {
        let org = Organization::assemble(
            "o-abc",
            "111111111111",
            vec![
                ("222222222222".into(), "prod".into(), "ACTIVE".into()),
                ("111111111111".into(), "mgmt".into(), "ACTIVE".into()),
            ],
            &tree(),
        );
        assert_eq!(org.accounts[0].name, "mgmt");
        assert!(org.accounts[0].management);
        assert!(!org.accounts[1].management);
        assert_eq!(org.accounts[1].ou_path, "Root/Workloads/Prod");
        assert_eq!(org.matching("prod").len(), 1);
        assert_eq!(org.matching("ROOT 1111").len(), 1);
        assert_eq!(org.matching("").len(), 2);
    }
}
