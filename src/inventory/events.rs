//! EventBridge rules and their targets (how a push starts a pipeline).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{IndexKey, KeyKind, Keyed};
use super::field::Field;
use super::wire::wire_enum;

/// An EventBridge rule (`events:ListRules`/`events:DescribeRule` + `events:ListTargetsByRule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule ARN, `arn:aws:events:REGION:A:rule/[BUS/]NAME`.
    pub arn: String,
    /// The rule name (unique per event bus, not per account).
    pub name: String,
    /// The event bus name, `default` for the account's default bus.
    #[serde(default = "default_bus")]
    pub event_bus_name: String,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    #[serde(default)]
    pub state: Field<RuleState>,
    /// The event pattern, decoded JSON; `Absent` for scheduled rules.
    #[serde(default)]
    pub event_pattern: Field<Value>,
    /// The schedule expression of scheduled rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// The targets.
    #[serde(default)]
    pub targets: Field<Vec<Target>>,
}

fn default_bus() -> String {
    "default".to_string()
}

impl Rule {
    /// Whether the rule targets this ARN (false while targets are not loaded).
    pub fn targets_arn(&self, arn: &str) -> bool {
        self.targets
            .loaded()
            .is_some_and(|targets| targets.iter().any(|t| t.arn == arn))
    }
}

impl Keyed for Rule {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        let mut keys = vec![
            IndexKey::new(KeyKind::Arn, &self.arn),
            IndexKey::new(KeyKind::Name, &self.name),
        ];
        if let Some(targets) = self.targets.loaded() {
            keys.extend(
                targets
                    .iter()
                    .map(|target| IndexKey::new(KeyKind::Target, &target.arn)),
            );
        }
        keys
    }
}

/// One target of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The target id within the rule.
    pub id: String,
    /// The target ARN (a pipeline, an event bus in another account, …).
    pub arn: String,
    /// The role EventBridge assumes to invoke the target (needs `codepipeline:StartPipelineExecution`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}

wire_enum! {
    /// A rule's `State`.
    pub enum RuleState {
        /// Matching events invoke the targets.
        Enabled => "ENABLED",
        /// The rule matches nothing.
        Disabled => "DISABLED",
        /// Enabled, and also receives read-only CloudTrail management events.
        EnabledWithAllCloudtrailManagementEvents => "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
    }
}

impl RuleState {
    /// Whether the rule invokes its targets.
    pub fn is_enabled(&self) -> bool {
        matches!(
            self,
            RuleState::Enabled | RuleState::EnabledWithAllCloudtrailManagementEvents
        )
    }
}
