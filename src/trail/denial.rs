//! Reads principal, action and resource out of a CloudTrail `errorMessage`.
//!
//! Deliberately small: CloudTrail writes the AWS text unwrapped, so the one sentence
//! form suffices here. Pasted, wrapped texts are the diagnose module's parser's job.

/// The parts of `User: P is not authorized to perform: A on resource: R …`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DenialText<'a> {
    /// The principal ARN, when the text names one.
    pub principal: Option<&'a str>,
    /// The action (`ecr:BatchGetImage`).
    pub action: Option<&'a str>,
    /// The resource ARN (or `*`).
    pub resource: Option<&'a str>,
}

/// Splits an authorization error message; unknown shapes give all `None`.
pub fn parse_denial(message: &str) -> DenialText<'_> {
    let mut out = DenialText::default();
    let Some(not_auth) = message.find("is not authorized to perform") else {
        return out;
    };
    if let Some(user) = message[..not_auth].rfind("User: ") {
        let principal = message[user + 6..not_auth].trim();
        out.principal = principal.starts_with("arn:").then_some(principal);
    }
    let rest = &message[not_auth + "is not authorized to perform".len()..];
    let rest = rest.trim_start_matches(':').trim_start();
    let action_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let action = rest[..action_end].trim_end_matches(['.', ',']);
    out.action = (!action.is_empty()).then_some(action);
    if let Some(on) = rest.find("on resource:") {
        let resource = rest[on + "on resource:".len()..].trim_start();
        let end = resource.find(char::is_whitespace).unwrap_or(resource.len());
        let resource = resource[..end]
            .trim_matches(['"', '\''])
            .trim_end_matches(['.', ',']);
        out.resource = (!resource.is_empty()).then_some(resource);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_modern_form() {
        let d = parse_denial(
            "User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo because no resource-based policy allows the ecr:BatchGetImage action",
        );
        assert_eq!(
            d.principal,
            Some("arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1")
        );
        assert_eq!(d.action, Some("ecr:BatchGetImage"));
        assert_eq!(
            d.resource,
            Some("arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo")
        );
    }

    #[test]
    fn reads_legacy_and_partial_forms() {
        let d = parse_denial("User: arn:aws:iam::1:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::2:role/x");
        assert_eq!(d.resource, Some("arn:aws:iam::2:role/x"));
        let d = parse_denial("User: anonymous is not authorized to perform:ecr:PutImage");
        assert_eq!(
            (d.principal, d.action, d.resource),
            (None, Some("ecr:PutImage"), None)
        );
        assert_eq!(parse_denial("Access Denied"), DenialText::default());
    }
}
