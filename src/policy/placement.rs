//! Policy elements AWS rejects in a given policy type (a `Principal` in an identity-based
//! policy, `NotPrincipal` with `Allow`, …). The evaluator reads such documents leniently, as
//! written; these warnings say, with the element's JSON path, that AWS would not have
//! accepted them, so an answer built on one is not taken at face value.

use serde::Serialize;

use super::document::{Effect, PolicyDocument};
use super::evaluate::PolicySide;
use super::principal::PrincipalEntry;
use super::request::{Request, ResourceKind};

/// One element AWS rejects where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementWarning {
    /// The JSON path of the element, e.g. `request.identity_policies[0].Statement[1].Principal`.
    pub path: String,
    /// What AWS does with it and what to write instead.
    pub message: String,
}

/// The warnings for every policy of `request`; `prefix` starts each path (`request.` for a
/// request file).
pub fn warnings(request: &Request<'_>, prefix: &str) -> Vec<PlacementWarning> {
    let mut found = Vec::new();
    let mut check = |side, label: &str, document: &PolicyDocument| {
        for (i, message, element) in document_warnings(request, side, document) {
            found.push(PlacementWarning {
                path: format!("{prefix}{label}.Statement[{i}].{element}"),
                message,
            });
        }
    };
    let sides = [
        (PolicySide::Identity, &request.identity_policies),
        (PolicySide::Scp, &request.scps),
        (PolicySide::Rcp, &request.rcps),
    ];
    for (side, policies) in sides {
        for p in policies {
            check(side, &p.label, p.document);
        }
    }
    let single = [
        (PolicySide::Resource, &request.resource_policy),
        (PolicySide::Boundary, &request.permissions_boundary),
        (PolicySide::Session, &request.session_policy),
        (PolicySide::VpcEndpoint, &request.vpc_endpoint_policy),
    ];
    for (side, policy) in single {
        if let Some(p) = policy {
            check(side, &p.label, p.document);
        }
    }
    found
}

/// (statement index, message, element) for each rejected element of one document.
fn document_warnings(
    request: &Request<'_>,
    side: PolicySide,
    document: &PolicyDocument,
) -> Vec<(usize, String, &'static str)> {
    let mut found = Vec::new();
    for statement in &document.statements {
        let i = statement.index;
        let element = match &statement.principal {
            Some(spec) if spec.negated => "NotPrincipal",
            _ => "Principal",
        };
        match (side, &statement.principal) {
            (PolicySide::Identity | PolicySide::Boundary | PolicySide::Session, Some(_)) => {
                found.push((i, format!("AWS rejects `{element}` in {}: the caller is the identity the policy is attached to; remove it (name callers in a resource-based policy instead)", side_name(side)), element));
            }
            (PolicySide::Scp, Some(_)) => found.push((
                i,
                format!("AWS rejects `{element}` in a service control policy: an SCP applies to every principal of the accounts it is attached to; use a condition such as aws:PrincipalArn to single one out"),
                element,
            )),
            (PolicySide::Rcp, Some(spec)) if spec.negated || spec.entries != [PrincipalEntry::Anyone] => found.push((
                i,
                format!("AWS rejects `{element}` in a resource control policy unless it is `\"Principal\": \"*\"`; single principals out with conditions such as aws:PrincipalOrgID"),
                element,
            )),
            (PolicySide::Resource, None) => found.push((
                i,
                "AWS rejects a resource-based policy statement without `Principal`; name who the statement is for".to_string(),
                "Principal",
            )),
            (PolicySide::Rcp | PolicySide::VpcEndpoint, None) => found.push((
                i,
                format!("AWS rejects a {} statement without `Principal`; write `\"Principal\": \"*\"` and narrow with conditions", side_name(side)),
                "Principal",
            )),
            (PolicySide::Resource, Some(spec))
                if spec.negated && request.resource_kind() == ResourceKind::RoleTrust =>
            {
                found.push((i, "AWS rejects `NotPrincipal` in a role trust policy; name the trusted principals with `Principal`".to_string(), element));
            }
            (PolicySide::Resource | PolicySide::VpcEndpoint, Some(spec))
                if spec.negated && statement.effect == Effect::Allow =>
            {
                found.push((i, "AWS rejects `NotPrincipal` with `\"Effect\": \"Allow\"` (it would grant everyone not listed, including anonymous callers); use `Principal` with the callers to allow".to_string(), element));
            }
            _ => {}
        }
    }
    found
}

fn side_name(side: PolicySide) -> &'static str {
    match side {
        PolicySide::Identity => "an identity-based policy",
        PolicySide::Boundary => "a permissions boundary",
        PolicySide::Session => "a session policy",
        PolicySide::Scp => "a service control policy",
        PolicySide::Rcp => "a resource control policy",
        PolicySide::VpcEndpoint => "a VPC endpoint policy",
        PolicySide::Resource => "a resource-based policy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::arn::Caller;
    use crate::policy::request::LabeledPolicy;

    fn doc(text: &str) -> PolicyDocument {
        PolicyDocument::parse_str(text).expect("valid policy")
    }

    fn request() -> Request<'static> {
        let caller = Caller::parse("arn:aws:iam::111111111111:role/build", None).unwrap();
        Request::new(
            caller,
            "ecr:BatchGetImage",
            "arn:aws:ecr:ap-northeast-1:222222222222:repository/r",
        )
    }

    const WITH_PRINCIPAL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"ecr:*","Resource":"*"}]}"#;

    #[test]
    fn principal_in_identity_policy_is_named_with_its_path() {
        let identity = doc(WITH_PRINCIPAL);
        let mut r = request();
        r.identity_policies = vec![LabeledPolicy::new("identity_policies[0]", &identity)];
        let found = warnings(&r, "request.");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].path,
            "request.identity_policies[0].Statement[0].Principal"
        );
        assert!(found[0].message.contains("identity-based policy"));
    }

    #[test]
    fn principal_in_scp_boundary_and_session_policy_is_rejected() {
        let p = doc(WITH_PRINCIPAL);
        let mut r = request();
        r.scps = vec![LabeledPolicy::new("scps[0]", &p)];
        r.permissions_boundary = Some(LabeledPolicy::new("permissions_boundary", &p));
        r.session_policy = Some(LabeledPolicy::new("session_policy", &p));
        let paths: Vec<String> = warnings(&r, "").into_iter().map(|w| w.path).collect();
        assert_eq!(
            paths,
            [
                "scps[0].Statement[0].Principal",
                "permissions_boundary.Statement[0].Principal",
                "session_policy.Statement[0].Principal"
            ]
        );
    }

    #[test]
    fn notprincipal_with_allow_is_rejected_but_with_deny_is_not() {
        let allow = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"ecr:*"}]}"#,
        );
        let deny = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"ecr:*"}]}"#,
        );
        let mut r = request();
        r.resource_policy = Some(LabeledPolicy::new("resource_policy", &allow));
        let found = warnings(&r, "request.");
        assert_eq!(
            found[0].path,
            "request.resource_policy.Statement[0].NotPrincipal"
        );
        r.resource_policy = Some(LabeledPolicy::new("resource_policy", &deny));
        assert!(warnings(&r, "request.").is_empty());
    }

    #[test]
    fn resource_statement_without_principal_and_rcp_naming_one_are_rejected() {
        let no_principal =
            doc(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*"}]}"#);
        let mut r = request();
        r.resource_policy = Some(LabeledPolicy::new("resource_policy", &no_principal));
        let rcp = doc(WITH_PRINCIPAL);
        r.rcps = vec![LabeledPolicy::new("rcps[0]", &rcp)];
        let paths: Vec<String> = warnings(&r, "").into_iter().map(|w| w.path).collect();
        assert_eq!(
            paths,
            [
                "rcps[0].Statement[0].Principal",
                "resource_policy.Statement[0].Principal"
            ]
        );
    }

    #[test]
    fn well_placed_elements_give_no_warning() {
        let identity = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}"#,
        );
        let rcp = doc(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
        );
        let mut r = request();
        r.identity_policies = vec![LabeledPolicy::new("identity_policies[0]", &identity)];
        r.scps = vec![LabeledPolicy::new("scps[0]", &identity)];
        r.rcps = vec![LabeledPolicy::new("rcps[0]", &rcp)];
        r.vpc_endpoint_policy = Some(LabeledPolicy::new("vpc_endpoint_policy", &rcp));
        assert!(warnings(&r, "").is_empty());
    }
}
