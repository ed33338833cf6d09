//! `AccountPair`: the one or two accounts a question spans, and name resolution across them.

use super::account::Account;
use super::arn;
use super::build::Project;
use super::ecr::Repository;
use super::iam::Role;
use super::kms::Key;
use super::pipeline::Pipeline;

/// Account A, and account B when the question spans two accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountPair {
    a: Account,
    b: Option<Account>,
}

/// Why two accounts cannot form a pair.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    /// Both sides hold the same account.
    #[error(
        "both accounts are {0}; choose a different profile or snapshot for the second account"
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
    /// A short name exists in both accounts.
    #[error("{kind} `{name}` exists in both accounts ({}); pass the full ARN to choose one", .candidates.join(", "))]
    Ambiguous {
        /// `role`, `repository`, …
        kind: &'static str,
        /// The short name.
        name: String,
        /// The ARN of every match.
        candidates: Vec<String>,
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

impl AccountPair {
    /// A single account.
    pub fn single(a: Account) -> Self {
        Self { a, b: None }
    }

    /// Two different accounts.
    pub fn pair(a: Account, b: Account) -> Result<Self, PairError> {
        if a.id() == b.id() {
            return Err(PairError::SameAccount(a.id().to_string()));
        }
        Ok(Self { a, b: Some(b) })
    }

    /// Account A.
    pub fn a(&self) -> &Account {
        &self.a
    }

    /// Account B, if loaded.
    pub fn b(&self) -> Option<&Account> {
        self.b.as_ref()
    }

    /// Mutable access to account A (for the loader filling details).
    pub fn a_mut(&mut self) -> &mut Account {
        &mut self.a
    }

    /// Mutable access to account B.
    pub fn b_mut(&mut self) -> Option<&mut Account> {
        self.b.as_mut()
    }

    /// Mutable access to the loaded account with this ID.
    pub fn account_mut(&mut self, account_id: &str) -> Option<&mut Account> {
        if self.a.id() == account_id {
            return Some(&mut self.a);
        }
        self.b.as_mut().filter(|b| b.id() == account_id)
    }

    /// Mutable access to both accounts at once, A first (for loading them concurrently).
    pub fn accounts_mut(&mut self) -> impl Iterator<Item = &mut Account> {
        std::iter::once(&mut self.a).chain(self.b.as_mut())
    }

    /// The accounts, A first.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        std::iter::once(&self.a).chain(self.b.as_ref())
    }

    /// The accounts by value, A first.
    pub fn into_accounts(self) -> Vec<Account> {
        std::iter::once(self.a).chain(self.b).collect()
    }

    /// The loaded account with this id.
    pub fn account(&self, account_id: &str) -> Option<&Account> {
        self.accounts().find(|a| a.id() == account_id)
    }

    /// The loaded account that owns this ARN.
    pub fn account_of(&self, arn: &str) -> Option<&Account> {
        self.account(arn::account_of(arn)?)
    }

    /// A role by name, role ARN or session ARN, across both accounts.
    pub fn resolve_role(&self, name_or_arn: &str) -> Result<(&Account, &Role), ResolveError> {
        self.resolve("role", name_or_arn, Account::role, |r| r.arn.clone())
    }

    /// A repository by name, ARN or URI, across both accounts.
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

    /// A KMS key by ARN, key id, alias name or alias ARN, across both accounts.
    pub fn resolve_key(&self, reference: &str) -> Result<(&Account, &Key), ResolveError> {
        self.resolve("key", reference, Account::key, |k| k.arn.clone())
    }

    /// A CodeBuild project by name or ARN, across both accounts.
    pub fn resolve_project(&self, name_or_arn: &str) -> Result<(&Account, &Project), ResolveError> {
        self.resolve("project", name_or_arn, Account::project, |p| p.arn.clone())
    }

    /// A pipeline by name or ARN, across both accounts.
    pub fn resolve_pipeline(
        &self,
        name_or_arn: &str,
    ) -> Result<(&Account, &Pipeline), ResolveError> {
        self.resolve("pipeline", name_or_arn, Account::pipeline, |p| {
            p.arn.clone()
        })
    }

    /// ARNs go to the account they name; short names are searched in both accounts and
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

    fn pair() -> AccountPair {
        AccountPair::pair(
            account("111111111111", &["deployer", "only-in-a"]),
            account("222222222222", &["deployer"]),
        )
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
    fn same_account_twice_is_an_error() {
        let err = AccountPair::pair(account("111111111111", &[]), account("111111111111", &[]))
            .expect_err("same");
        assert_eq!(err, PairError::SameAccount("111111111111".into()));
    }
}
