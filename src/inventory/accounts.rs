//! `Accounts`: every loaded account, keyed by account id, and name resolution across them.
//! A question may span any number of accounts (build, registry, deploy, management); which
//! two the console shows side by side is a view choice, not a limit of this type.

use super::account::Account;
use super::arn;
use super::build::Project;
use super::ecr::Repository;
use super::field::{Field, Unreadable};
use super::iam::Role;
use super::iam_users::User;
use super::kms::Key;
use super::pipeline::Pipeline;
use super::policy_store::PolicyStore;

/// The loaded accounts, in the order they were given (unique ids).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Accounts {
    list: Vec<Account>,
    /// The parsed documents of these accounts (emptied by every change).
    policies: PolicyStore,
}

/// Why a set of accounts cannot be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountsError {
    /// The same account was given twice.
    #[error(
        "account {0} is given twice; choose a different profile or snapshot for the other account"
    )]
    SameAccount(String),
}

/// Why a name or ARN did not resolve to exactly one resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Nothing of that kind has that name in the loaded accounts.
    #[error("no {kind} `{name}` in account {searched}; check the spelling, or pass the full ARN")]
    NotFound {
        /// `role`, `repository`, `key`, `project` or `pipeline`.
        kind: &'static str,
        /// What was looked up.
        name: String,
        /// The account ids searched, comma-separated.
        searched: String,
    },
    /// A short name exists in several accounts.
    #[error("{kind} `{name}` exists in {} accounts ({}); pass the full ARN to choose one", .candidates.len(), .candidates.join(", "))]
    Ambiguous {
        /// `role`, `repository`, …
        kind: &'static str,
        /// The short name.
        name: String,
        /// The ARN of every match.
        candidates: Vec<String>,
    },
    /// A short name that could not be read in any account, so where it lives is unknown.
    #[error("{kind} `{name}` could not be read in account {} ({reason}), so which account holds it is unknown; pass the full ARN, or let the reading role call it", .accounts.join(", "))]
    Unreadable {
        /// `role`, …
        kind: &'static str,
        /// The short name.
        name: String,
        /// The accounts where the read was refused.
        accounts: Vec<String>,
        /// The refused operation and its code, e.g. `iam:GetRole: AccessDenied`.
        reason: String,
    },
    /// The ARN names an account that is not loaded.
    #[error("`{arn}` belongs to account {account}, which is not loaded; open a profile or snapshot for it")]
    AccountNotLoaded {
        /// The ARN looked up.
        arn: String,
        /// Its account.
        account: String,
    },
}

impl Accounts {
    /// A single account.
    pub fn single(account: Account) -> Self {
        Self {
            list: vec![account],
            policies: PolicyStore::default(),
        }
    }

    /// Several different accounts, in this order.
    pub fn new(accounts: impl IntoIterator<Item = Account>) -> Result<Self, AccountsError> {
        let mut all = Self::default();
        for account in accounts {
            if all.account(account.id()).is_some() {
                return Err(AccountsError::SameAccount(account.id().to_string()));
            }
            all.list.push(account);
        }
        Ok(all)
    }

    /// Adds an account, or replaces the loaded account with the same id (a reload).
    pub fn insert(&mut self, account: Account) {
        self.policies.invalidate();
        match self.list.iter_mut().find(|a| a.id() == account.id()) {
            Some(slot) => *slot = account,
            None => self.list.push(account),
        }
    }

    /// How many accounts are loaded.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// No account is loaded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The account ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.list.iter().map(Account::id)
    }

    /// Mutable access to the loaded account with this ID.
    pub fn account_mut(&mut self, account_id: &str) -> Option<&mut Account> {
        self.policies.invalidate();
        self.list.iter_mut().find(|a| a.id() == account_id)
    }

    /// The parsed policy store of these accounts.
    pub fn policies(&self) -> &PolicyStore {
        &self.policies
    }

    /// Mutable access to every account at once (for loading them concurrently).
    pub fn accounts_mut(&mut self) -> impl Iterator<Item = &mut Account> {
        self.policies.invalidate();
        self.list.iter_mut()
    }

    /// The accounts, in order.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.list.iter()
    }

    /// The accounts by value, in order.
    pub fn into_accounts(self) -> Vec<Account> {
        self.list
    }

    /// The loaded account with this id.
    pub fn account(&self, account_id: &str) -> Option<&Account> {
        self.accounts().find(|a| a.id() == account_id)
    }

    /// The loaded account that owns this ARN.
    pub fn account_of(&self, arn: &str) -> Option<&Account> {
        self.account(arn::account_of(arn)?)
    }

    /// A role by name, role ARN or session ARN, across the loaded accounts.
    pub fn resolve_role(&self, name_or_arn: &str) -> Result<(&Account, &Role), ResolveError> {
        let result = self.resolve("role", name_or_arn, Account::role, |r| r.arn.clone());
        // A role whose GetRole was refused is kept under the name asked for, unseen: when
        // every match is such a stand-in, nobody knows where (or whether) the role exists,
        // and "exists in 2 accounts" would be made up.
        if let Err(ResolveError::Ambiguous { name, .. }) = &result {
            let matches: Vec<(&Account, &Role)> = self
                .accounts()
                .filter_map(|account| account.role(name).map(|role| (account, role)))
                .collect();
            let unseen: Vec<&Unreadable> = matches
                .iter()
                .filter_map(|(_, role)| match &role.trust_policy {
                    Field::Unreadable(reason) => Some(reason),
                    _ => None,
                })
                .collect();
            if !unseen.is_empty() && unseen.len() == matches.len() {
                return Err(ResolveError::Unreadable {
                    kind: "role",
                    name: name.clone(),
                    accounts: matches.iter().map(|(a, _)| a.id().to_string()).collect(),
                    reason: format!("{}: {}", unseen[0].operation, unseen[0].code),
                });
            }
        }
        result
    }

    /// A user by name or ARN, across the loaded accounts.
    pub fn resolve_user(&self, name_or_arn: &str) -> Result<(&Account, &User), ResolveError> {
        self.resolve("user", name_or_arn, Account::user, |u| u.arn.clone())
    }

    /// A repository by name, ARN or URI, across the loaded accounts.
    pub fn resolve_repository(
        &self,
        reference: &str,
    ) -> Result<(&Account, &Repository), ResolveError> {
        let owner = arn::ImageRef::parse(reference).map(|image| image.account.to_string());
        match owner {
            Some(account) => {
                self.in_account("repository", reference, &account, Account::repository)
            }
            None => self.resolve("repository", reference, Account::repository, |r| {
                r.arn.clone()
            }),
        }
    }

    /// A KMS key by ARN, key id, alias name or alias ARN, across the loaded accounts.
    pub fn resolve_key(&self, reference: &str) -> Result<(&Account, &Key), ResolveError> {
        self.resolve("key", reference, Account::key, |k| k.arn.clone())
    }

    /// A CodeBuild project by name or ARN, across the loaded accounts.
    pub fn resolve_project(&self, name_or_arn: &str) -> Result<(&Account, &Project), ResolveError> {
        self.resolve("project", name_or_arn, Account::project, |p| p.arn.clone())
    }

    /// A pipeline by name or ARN, across the loaded accounts.
    pub fn resolve_pipeline(
        &self,
        name_or_arn: &str,
    ) -> Result<(&Account, &Pipeline), ResolveError> {
        self.resolve("pipeline", name_or_arn, Account::pipeline, |p| {
            p.arn.clone()
        })
    }

    /// ARNs go to the account they name; short names are searched in every account and
    /// must match exactly one resource.
    fn resolve<'a, T>(
        &'a self,
        kind: &'static str,
        reference: &str,
        find: impl Fn(&'a Account, &str) -> Option<&'a T>,
        arn_of: impl Fn(&T) -> String,
    ) -> Result<(&'a Account, &'a T), ResolveError> {
        if let Some(account) = arn::account_of(reference) {
            return self.in_account(kind, reference, account, find);
        }
        let found: Vec<(&Account, &T)> = self
            .accounts()
            .filter_map(|account| find(account, reference).map(|item| (account, item)))
            .collect();
        match found.as_slice() {
            [] => Err(self.not_found(kind, reference)),
            [one] => Ok(*one),
            many => Err(ResolveError::Ambiguous {
                kind,
                name: reference.to_string(),
                candidates: many.iter().map(|(_, item)| arn_of(item)).collect(),
            }),
        }
    }

    fn in_account<'a, T>(
        &'a self,
        kind: &'static str,
        reference: &str,
        account_id: &str,
        find: impl Fn(&'a Account, &str) -> Option<&'a T>,
    ) -> Result<(&'a Account, &'a T), ResolveError> {
        let account = self
            .account(account_id)
            .ok_or_else(|| ResolveError::AccountNotLoaded {
                arn: reference.to_string(),
                account: account_id.to_string(),
            })?;
        find(account, reference)
            .map(|item| (account, item))
            .ok_or_else(|| ResolveError::NotFound {
                kind,
                name: reference.to_string(),
                searched: account.id().to_string(),
            })
    }

    fn not_found(&self, kind: &'static str, name: &str) -> ResolveError {
        ResolveError::NotFound {
            kind,
            name: name.to_string(),
            searched: self
                .accounts()
                .map(Account::id)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::account::Identity;
    use crate::inventory::collection::Collection;

    fn account(id: &str, roles: &[&str]) -> Account {
        let mut account = Account::new(Identity {
            account_id: id.into(),
            caller_arn: format!("arn:aws:iam::{id}:user/reader"),
            profile: Some(format!("p{id}")),
            region: "ap-northeast-1".into(),
            partition: "aws".into(),
        });
        account.roles = Collection::complete(
            roles
                .iter()
                .map(|name| Role::listed(format!("arn:aws:iam::{id}:role/{name}"), *name, "/")),
        );
        account
    }

    fn pair() -> Accounts {
        Accounts::new([
            account("111111111111", &["deployer", "only-in-a"]),
            account("222222222222", &["deployer"]),
        ])
        .expect("pair")
    }

    #[test]
    fn short_names_resolve_when_unique() {
        let pair = pair();
        let (owner, role) = pair.resolve_role("only-in-a").expect("resolves");
        assert_eq!(owner.id(), "111111111111");
        assert_eq!(role.name, "only-in-a");
    }

    #[test]
    fn roles_nobody_could_read_are_not_said_to_exist_in_both_accounts() {
        let refused = Unreadable::new("iam:GetRole", "AccessDenied", "not authorized");
        let stand_in = |id: &str| {
            let mut account = account(id, &[]);
            let mut role = Role::listed(format!("arn:aws:iam::{id}:role/ghost"), "ghost", "/");
            role.trust_policy = Field::Unreadable(refused.clone());
            account.roles.upsert(role);
            account
        };
        let pair =
            Accounts::new([stand_in("111111111111"), stand_in("222222222222")]).expect("pair");
        let err = pair.resolve_role("ghost").expect_err("unknown");
        let text = err.to_string();
        assert!(matches!(err, ResolveError::Unreadable { .. }), "{text}");
        assert!(!text.contains("exists in"), "{text}");
        assert!(text.contains("iam:GetRole: AccessDenied"), "{text}");
    }

    #[test]
    fn ambiguous_names_list_candidates() {
        let err = pair().resolve_role("deployer").expect_err("ambiguous");
        assert_eq!(
            err,
            ResolveError::Ambiguous {
                kind: "role",
                name: "deployer".into(),
                candidates: vec![
                    "arn:aws:iam::111111111111:role/deployer".into(),
                    "arn:aws:iam::222222222222:role/deployer".into(),
                ],
            }
        );
        assert!(err.to_string().contains("pass the full ARN"));
    }

    #[test]
    fn arns_pick_their_account() {
        let pair = pair();
        let (owner, _) = pair
            .resolve_role("arn:aws:sts::222222222222:assumed-role/deployer/s")
            .expect("resolves");
        assert_eq!(owner.id(), "222222222222");
        assert!(matches!(
            pair.resolve_role("arn:aws:iam::333333333333:role/deployer"),
            Err(ResolveError::AccountNotLoaded { .. })
        ));
        assert!(matches!(
            pair.resolve_role("nobody"),
            Err(ResolveError::NotFound { .. })
        ));
        assert!(pair.account_of("arn:aws:iam::222222222222:root").is_some());
    }

    #[test]
    fn three_accounts_resolve_and_reload_in_place() {
        let mut all = Accounts::new([
            account("111111111111", &["build"]),
            account("222222222222", &["registry"]),
            account("333333333333", &["deploy"]),
        ])
        .expect("three");
        let (owner, _) = all.resolve_role("deploy").expect("third account");
        assert_eq!(owner.id(), "333333333333");
        all.insert(account("333333333333", &["deploy", "other"]));
        assert_eq!(all.len(), 3);
        assert!(all.resolve_role("other").is_ok());
        assert_eq!(
            all.ids().collect::<Vec<_>>(),
            ["111111111111", "222222222222", "333333333333"]
        );
    }

    #[test]
    fn same_account_twice_is_an_error() {
        let err = Accounts::new([account("111111111111", &[]), account("111111111111", &[])])
            .expect_err("same");
        assert_eq!(err, AccountsError::SameAccount("111111111111".into()));
    }
}
