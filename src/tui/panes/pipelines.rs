//! The Pipelines tab: CodeBuild projects, CodePipeline pipelines and EventBridge rules in
//! one list (tagged by kind), and each one's detail.

use serde_json::Value;

use crate::inventory::{Account, Field, Pipeline, Project, Rule};
use crate::tui::source::ItemRef;
use crate::tui::widgets::list::Row;

use super::section::{describe, Section};

/// Rows: projects, then pipelines, then rules.
pub fn rows(account: &Account) -> Vec<Row> {
    let projects = account.projects.iter().map(|p| Row {
        item: ItemRef::Project(p.arn.clone()),
        tag: "project",
        name: p.name.clone(),
        extra: String::new(),
    });
    let pipelines = account.pipelines.iter().map(|p| Row {
        item: ItemRef::Pipeline(p.arn.clone()),
        tag: "pipeline",
        name: p.name.clone(),
        extra: String::new(),
    });
    let rules = account.rules.iter().map(|r| Row {
        item: ItemRef::Rule(r.arn.clone()),
        tag: "rule",
        name: r.name.clone(),
        extra: describe(&r.state, |s| format!("{s:?}").to_lowercase()),
    });
    projects.chain(pipelines).chain(rules).collect()
}

/// Whether a live loader still has to fetch the project's details.
pub fn project_needs_detail(project: &Project) -> bool {
    project.environment.is_not_loaded()
}

/// Whether a live loader still has to fetch the pipeline's structure.
pub fn pipeline_needs_detail(pipeline: &Pipeline) -> bool {
    pipeline.stages.is_not_loaded()
}

/// Whether a live loader still has to fetch the rule's pattern or targets.
pub fn rule_needs_detail(rule: &Rule) -> bool {
    rule.event_pattern.is_not_loaded() || rule.targets.is_not_loaded()
}

/// A project's sections.
pub fn project_sections(project: &Project) -> Vec<Section> {
    let env = &project.environment;
    vec![Section::fields(
        "CodeBuild project",
        vec![
            ("ARN", project.arn.clone()),
            (
                "Service role",
                describe(&project.service_role, Clone::clone),
            ),
            ("Image", describe(env, |e| e.image.clone())),
            (
                "Image pull",
                describe(env, |e| format!("{:?}", e.image_pull_credentials_type)),
            ),
            (
                "Privileged",
                describe(env, |e| e.privileged_mode.to_string()),
            ),
            ("Compute", describe(env, |e| e.compute_type.clone())),
            (
                "Artifact key",
                describe(&project.encryption_key, Clone::clone),
            ),
        ],
    )]
}

/// A pipeline's sections: settings and stages as JSON.
pub fn pipeline_sections(pipeline: &Pipeline) -> Vec<Section> {
    let store = describe(&pipeline.artifact_store, |s| {
        format!(
            "s3://{} key {}",
            s.location,
            s.encryption_key
                .as_ref()
                .map(|k| k.id.as_str())
                .unwrap_or("(aws/s3)")
        )
    });
    let stages = pipeline
        .stages
        .as_ref()
        .map(|stages| serde_json::to_value(stages).unwrap_or(Value::Null));
    vec![
        Section::fields(
            "Pipeline",
            vec![
                ("ARN", pipeline.arn.clone()),
                ("Role", describe(&pipeline.role_arn, Clone::clone)),
                ("Artifacts", store),
            ],
        ),
        Section::json("Stages", None, field_ref(&stages)),
    ]
}

/// A rule's sections: state, pattern and targets.
pub fn rule_sections(rule: &Rule) -> Vec<Section> {
    let targets = rule
        .targets
        .as_ref()
        .map(|t| serde_json::to_value(t).unwrap_or(Value::Null));
    vec![
        Section::fields(
            "EventBridge rule",
            vec![
                ("ARN", rule.arn.clone()),
                ("Bus", rule.event_bus_name.clone()),
                ("State", describe(&rule.state, |s| format!("{s:?}"))),
                (
                    "Schedule",
                    rule.schedule_expression.clone().unwrap_or_default(),
                ),
            ],
        ),
        Section::json("Event pattern", None, rule.event_pattern.as_ref()),
        Section::json("Targets", None, field_ref(&targets)),
    ]
}

fn field_ref(field: &Field<Value>) -> Field<&Value> {
    field.as_ref()
}
