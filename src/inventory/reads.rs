//! What can be read from an account: the unit a question's read plan is made of, and the
//! key the workspace's cache of reads is kept by.

/// One thing to read in one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    /// A role by name or ARN, with its policies.
    Role(String),
    /// A repository by name, ARN or URI, with its policy (and images, for pushes to
    /// immutable repositories).
    Repository {
        /// Name, ARN or URI.
        reference: String,
        /// Also list the images.
        images: bool,
    },
    /// A KMS key by ARN, id or alias, with its policy.
    Key(String),
    /// A KMS key's grants (`kms:ListGrants`), with the key.
    KeyGrants(String),
    /// A CodeBuild project by name or ARN.
    Project(String),
    /// A pipeline by name or ARN.
    Pipeline(String),
    /// Every EventBridge rule targeting this ARN.
    RulesTargeting(String),
    /// An S3 bucket with its policy.
    Bucket(String),
    /// The ECR registry's replication rules and registry policy.
    Registry,
    /// A VPC's endpoints (with their policies) and route tables.
    Vpc(String),
    /// One VPC endpoint by id (`vpce-…`), with its policy.
    VpcEndpoint(String),
    /// The recent `PutImage` records of the account (who pushed).
    RecentPushes,
    /// Whether the account belongs to an organisation (`DescribeOrganization`, through the
    /// account's own profile).
    Organization,
    /// The SCP and RCP chains above the account, through the organisation profile.
    Guardrails,
    /// An IAM user by name or ARN, with its policies, groups (and theirs), boundary and tags.
    User(String),
    /// Everything: the listing and every detail (what a reverse question needs: every
    /// role and policy of the account).
    Everything,
    /// The ECR registry's pull-through cache rules and registry policy.
    PullThrough,
    /// The ECR registry's repository creation templates.
    CreationTemplates,
    /// One ECS service (ARN, or `CLUSTER/NAME`) with its task definition's roles and its
    /// awsvpc subnets' VPC.
    EcsService(String),
    /// The ECS services of the account, within a call budget: which one runs a role.
    EcsServices,
    /// One Lambda function (name or ARN) with its execution role and `VpcConfig`.
    Function(String),
    /// The Lambda functions of the account, within a call budget: which one runs as a role.
    Functions,
}

/// A need in a given account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Read {
    /// The account id.
    pub account: String,
    /// What to read there.
    pub need: Need,
}
