//! "It works, but…": when every check crossdock can make passes, what it could not see that
//! could still deny — the organisation's guardrails it did not read, the network path, a
//! session policy or session tags. Other layers add their own items through
//! [`Diagnosis::add_unseen`] (e.g. the network checks once they read the path).

use super::guardrails::guarded_requests_in;
use super::model::{CheckId, Diagnosis, Status, Unseen, Verdict};
use super::question::Question;
use crate::inventory::Accounts;
use crate::policy::arn::{account_of, Caller};
use crate::policy::guardrail::{rcp_exemption, scp_exemption};

/// Lists what could still deny a `works` answer to `question`.
pub fn add(accounts: &Accounts, question: &Question, diagnosis: &mut Diagnosis) {
    if diagnosis.verdict != Verdict::Works {
        return;
    }
    let requests = guarded_requests_in(accounts, question);
    let Some(first) = requests.first() else {
        return;
    };
    let Ok(caller) = Caller::parse(&first.principal, None) else {
        return;
    };
    let on_resource = requests.iter().find(|r| r.resource != "*").unwrap_or(first);
    guardrails(diagnosis, &caller, on_resource);
    let pull_or_push = matches!(question, Question::Pull { .. } | Question::Push { .. });
    // The network checks are `n/a` when no VPC is known: the path is then still unseen.
    let network_checked = diagnosis
        .checks
        .iter()
        .any(|c| c.id.as_str().starts_with("vpc-") && c.status != Status::NotApplicable);
    if pull_or_push && !network_checked && !caller.is_service() {
        diagnosis.add_unseen(Unseen::new(
            "network-path",
            "the network path: VPC endpoint policies (ecr.api, ecr.dkr, and the S3 gateway for image layers) and the route to the layer bucket",
            "not read; if the caller runs in a VPC, name where (--project, --ecs-service, --lambda-function or --vpc-endpoint) or check its endpoints' policies (ec2:DescribeVpcEndpoints) — a pull also needs s3:GetObject on the prod-REGION-starport-layer-bucket through the S3 gateway endpoint",
        ));
    }
    if let Caller::Session { .. } | Caller::Role { .. } = caller {
        diagnosis.add_unseen(Unseen::new(
            "session-policy",
            "a session policy passed at AssumeRole (it can only narrow the role's permissions)",
            "not visible in the role; the AssumeRole record in CloudTrail shows it (requestParameters.policy / policyArns)",
        ));
        diagnosis.add_unseen(Unseen::new(
            "session-tags",
            "session tags passed at AssumeRole (aws:PrincipalTag conditions see them instead of the role's tags)",
            "crossdock used the role's tags; the AssumeRole record in CloudTrail shows the session tags (requestParameters.tags)",
        ));
    }
}

/// The organisation's SCPs and RCPs when no guardrail check could be made (the accounts'
/// organisation was not read: an offline source without it, an account not loaded).
fn guardrails(diagnosis: &mut Diagnosis, caller: &Caller, first: &super::guardrails::Guarded) {
    let has_scp = diagnosis.check(CheckId::OrgScpAllows).is_some();
    let has_rcp = diagnosis.check(CheckId::OrgRcpAllows).is_some();
    let how = "not read: ask live with --org-profile PROFILE (the management account or a delegated administrator), or look at the SCPs/RCPs attached to the account, its OUs and the root";
    if !has_scp && scp_exemption(caller).is_none() {
        let account = caller.account().unwrap_or("the caller's account");
        diagnosis.add_unseen(Unseen::new(
            "org-scps",
            format!("the organisation's SCPs over account {account}"),
            how,
        ));
    }
    if !has_rcp && rcp_exemption(caller, &first.action).is_none() {
        let account = account_of(&first.resource)
            .or(caller.account())
            .unwrap_or("the resource's account");
        diagnosis.add_unseen(Unseen::new(
            "org-rcps",
            format!("the organisation's RCPs over account {account}"),
            how,
        ));
    }
}
