//! Fuzzes the policy-document reader and the evaluator: any JSON must be accepted or rejected
//! with a path, never panic, and an accepted document must evaluate for a few callers.
#![no_main]

use crossdock::policy::{evaluate, Caller, LabeledPolicy, PolicyDocument, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let document = match PolicyDocument::parse_str(text) {
        Ok(document) => document,
        Err(e) => {
            assert!(!e.message.is_empty());
            return;
        }
    };
    let callers = [
        "arn:aws:sts::111111111111:assumed-role/builder/s",
        "arn:aws:iam::222222222222:user/alice",
        "arn:aws:iam::111111111111:root",
        "codebuild.amazonaws.com",
    ];
    for principal in callers {
        let caller = Caller::parse(principal, None).expect("fixed callers parse");
        for (action, resource) in [
            ("ecr:BatchGetImage", "arn:aws:ecr:ap-northeast-1:222222222222:repository/r"),
            ("kms:Decrypt", "arn:aws:kms:ap-northeast-1:222222222222:key/k"),
            ("sts:AssumeRole", "arn:aws:iam::222222222222:role/r"),
            ("ecr:GetAuthorizationToken", "*"),
        ] {
            let mut request = Request::new(caller.clone(), action, resource);
            request.identity_policies = vec![LabeledPolicy::new("identity", &document)];
            request.resource_policy = Some(LabeledPolicy::new("resource", &document));
            let evaluation = evaluate(&request);
            assert!(!evaluation.reason.is_empty());
        }
    }
});
