//! Unit tests of the error-text parser (the corpus tests live in tests/error_texts.rs).
use super::*;

const S1: &str = "denied: User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-0f1e is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo because no resource-based policy allows the ecr:BatchGetImage action";

#[test]
fn modern_form_with_docker_prefix() {
    let p = parse(S1).unwrap();
    assert_eq!(
        p.principal_arn.as_deref(),
        Some("arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-0f1e")
    );
    assert_eq!(p.action.as_deref(), Some("ecr:BatchGetImage"));
    assert_eq!(
        p.resource_arn.as_deref(),
        Some("arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo")
    );
    assert_eq!(p.reason_kind, ReasonKind::NoResourcePolicy);
    assert_eq!(p.wrapper, Wrapper::Docker);
    assert_eq!(p.question, Question::Pull);
    assert_eq!(p.symptom, Symptom::NotAuthorized);
    assert!(!p.account_redacted);
    let repo = p.repository.unwrap();
    assert_eq!(repo.name.as_deref(), Some("source-repo"));
    assert_eq!(repo.registry_account.as_deref(), Some("222222222222"));
    assert!(!repo.arn_derived);
}

#[test]
fn wrapped_at_80_columns_with_indentation() {
    let wrapped: String = S1
        .as_bytes()
        .chunks(78)
        .map(|c| format!("  {}", String::from_utf8_lossy(c)))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(parse(&wrapped).unwrap(), parse(S1).unwrap());
}

#[test]
fn missing_spaces_and_lower_case_user() {
    let p = parse("user: arn:aws:iam::111111111111:user/ci-botis not authorized to perform:ecr:PutImage on resource:arn:aws:ecr:us-east-1:222222222222:repository/app").unwrap();
    assert_eq!(
        p.principal_arn.as_deref(),
        Some("arn:aws:iam::111111111111:user/ci-bot")
    );
    assert_eq!(p.action.as_deref(), Some("ecr:PutImage"));
    assert_eq!(p.reason_kind, ReasonKind::Unspecified);
    assert_eq!(p.question, Question::Push);
}

#[test]
fn scp_with_2025_policy_arn() {
    let p = parse("An error occurred (AccessDenied) when calling the ListRoles operation: User: arn:aws:iam::123456789012:user/Matt is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/* with an explicit deny in a service control policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd").unwrap();
    assert_eq!(p.reason_kind, ReasonKind::ExplicitDenyScp);
    assert_eq!(
        p.policy_arn.as_deref(),
        Some("arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd")
    );
    assert_eq!(p.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(p.operation.as_deref(), Some("ListRoles"));
    assert_eq!(p.wrapper, Wrapper::AwsCli);
}

#[test]
fn soft_wrapped_at_words_with_policy_arn_on_its_own_line() {
    let p = parse("User: arn:aws:iam::123456789012:user/deploy-bot is not authorized\nto perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/*\nwith an explicit deny in a service control policy:\narn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd\n\nThanks for any help").unwrap();
    assert_eq!(
        p.principal_arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/deploy-bot")
    );
    assert_eq!(
        p.resource_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/*")
    );
    assert_eq!(p.reason_kind, ReasonKind::ExplicitDenyScp);
    assert_eq!(
        p.policy_arn.as_deref(),
        Some("arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd")
    );
}

#[test]
fn keyword_cut_mid_word_by_a_terminal() {
    let text = format!("{}\n{}", &S1[..79], &S1[79..]);
    assert_eq!(
        parse(&text).unwrap().reason_kind,
        ReasonKind::NoResourcePolicy
    );
}

#[test]
fn rejects_with_a_hint() {
    let e = parse("Traceback (most recent call last):\n  File \"x.py\", line 1\nKeyError: 'a'")
        .unwrap_err();
    assert_eq!(e.kind, RejectKind::NoDenial);
    assert!(e.to_string().contains("not a failure message I recognise"));
    assert!(e.to_string().contains("is not authorized to perform"));
    assert_eq!(parse("  \n ").unwrap_err().kind, RejectKind::Empty);
    assert_eq!(
        parse("Access Denied").unwrap_err().kind,
        RejectKind::NoDetail
    );
}

#[test]
fn json_output_uses_kebab_case() {
    let json = serde_json::to_value(parse(S1).unwrap()).unwrap();
    assert_eq!(json["reason_kind"], "no-resource-policy");
    assert_eq!(json["question"], "pull");
    assert_eq!(json["wrapper"], "docker");
    assert_eq!(json["symptom"], "not-authorized");
}

#[test]
fn as_str_matches_serde() {
    for kind in [
        ReasonKind::ExplicitDenyPermissionsBoundary,
        ReasonKind::NoScp,
        ReasonKind::KmsCiphertext,
    ] {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
    for q in [
        Question::AuthToken,
        Question::Pull,
        Question::Access,
        Question::NetworkPath,
        Question::Configuration,
    ] {
        assert_eq!(serde_json::to_value(q).unwrap(), q.as_str());
    }
}

#[test]
fn a_rejection_quotes_the_text_with_control_characters_escaped() {
    let e = parse("\u{7}bell\u{8} and nothing else").unwrap_err();
    let message = e.to_string();
    assert!(!message.chars().any(|c| c.is_control()), "{message:?}");
    assert!(message.contains("bell"), "{message}");
    assert!(message.contains("docs/errors.md"), "{message}");
}

#[test]
fn log_prefixes_are_stripped_before_the_sentence_is_read() {
    for prefix in [
        "[Container] 2024/05/01 10:00:02.234567 ",
        "2024-05-01T10:00:00.1234567Z ##[error]",
        "May  1 12:00:00 ip-10-0-0-1 dockerd[812]: ",
        "  Warning  Failed     12s (x2 over 27s)  kubelet            ",
        "2024-05-01 10:00:00,123 [ERROR] ",
    ] {
        let p = parse(&format!("{prefix}{S1}")).unwrap();
        assert_eq!(p, parse(S1).unwrap(), "{prefix}");
    }
}

#[test]
fn a_timestamp_split_across_a_wrapped_sentence_does_not_break_it() {
    let (head, tail) = S1.split_at(S1.find(" on resource").unwrap());
    let text = format!(
        "[Container] 2024/05/01 10:00:02.234567 {head}\n[Container] 2024/05/01 10:00:02.234568 {tail}"
    );
    let p = parse(&text).unwrap();
    assert_eq!(p.resource_arn, parse(S1).unwrap().resource_arn);
    assert_eq!(p.reason_kind, ReasonKind::NoResourcePolicy);
}

#[test]
fn a_placeholder_principal_is_kept_as_written_and_marked_redacted() {
    let p = parse("User: *** is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/deploy").unwrap();
    assert_eq!(p.principal_text.as_deref(), Some("***"));
    assert_eq!(p.principal_arn, None);
    assert_eq!(p.redacted, vec![Redacted::Principal]);
    assert_eq!(p.question, Question::Assume);
}

#[test]
fn a_non_policy_family_keeps_its_question_whatever_the_operation() {
    // GetAuthorizationToken would raise the token question; bad credentials are not one.
    let p = parse("An error occurred (UnrecognizedClientException) when calling the GetAuthorizationToken operation: The security token included in the request is invalid.").unwrap();
    assert_eq!(p.family, Family::CredentialsInvalid);
    assert_eq!(p.question, Question::Configuration);
    assert_eq!(p.operation.as_deref(), Some("GetAuthorizationToken"));
}

#[test]
fn service_and_accounts_say_where_the_failure_happened() {
    let p = parse(S1).unwrap();
    assert_eq!(p.service.as_deref(), Some("ecr"));
    assert_eq!(p.accounts, ["111111111111", "222222222222"]);
    // The Java SDK names the service with a space; S3 answered even though KMS refused.
    let p = parse("The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 7E9B5C0D1A2B3C4D)").unwrap();
    assert_eq!(p.service.as_deref(), Some("s3"));
    assert!(p.accounts.is_empty());
    // docker's own denial is not ECR's unless the text says so.
    let p = parse("Error response from daemon: pull access denied for myimage, repository does not exist or may require 'docker login'").unwrap();
    assert_eq!(p.service, None);
}

#[test]
fn a_reason_on_the_line_after_its_sentence_stays_with_it() {
    let (head, tail) = S1.split_at(S1.find(" because").unwrap());
    // Multi-byte text before the sentence must not move the look-back window off a boundary.
    let text = format!("ビルド失敗 ✗ {}\n{head}\n{tail}\n", "é".repeat(300));
    let all = parse_all(&text).unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].reason_kind, ReasonKind::NoResourcePolicy);
    assert_eq!(all[0].family, Family::NotAuthorized);
}

#[test]
fn a_reason_clause_after_a_blank_line_is_a_failure_of_its_own() {
    let text = format!("{S1}\n\nfailed to pull 111111111111.dkr.ecr.us-east-1.amazonaws.com/cache/nginx:1: no resource-based policy allows the ecr:BatchGetImage action");
    let all = parse_all(&text).unwrap();
    let families: Vec<Family> = all.iter().map(|p| p.family).collect();
    assert_eq!(
        families,
        [Family::NotAuthorized, Family::PolicyReasonWithoutPrincipal]
    );
    assert_eq!(all[1].action.as_deref(), Some("ecr:BatchGetImage"));
}

#[test]
fn explicit_says_whether_a_policy_denied_or_none_allowed() {
    assert_eq!(parse(S1).unwrap().explicit, Some(false));
    let deny = S1.replace(
        "because no resource-based policy allows the ecr:BatchGetImage action",
        "with an explicit deny in a resource control policy",
    );
    let p = parse(&deny).unwrap();
    assert_eq!((p.reason_kind, p.explicit), (ReasonKind::Rcp, Some(true)));
    let legacy = &S1[..S1.find(" because").unwrap()];
    assert_eq!(parse(legacy).unwrap().explicit, None);
}
