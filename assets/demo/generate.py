#!/usr/bin/env python3
"""Generates the embedded crossdock demo: account-a.json, account-b.json, scenarios.json.

Run from anywhere: `python3 assets/demo/generate.py`. Deterministic (no clock, no
randomness), so re-running produces identical files. Edit this script, not the JSON.

Accounts: A = 111111111111 (builds: CodeBuild, CI roles), B = 222222222222 (registry and
pipelines), region ap-northeast-1. Every scenario of SCENARIOS.md exists in a broken and a
fixed variant, each with its own resource names; see scenarios.json for the questions and
the checks the diagnosis engine must report.
"""

import hashlib
import json
import os
import uuid

A = "111111111111"
B = "222222222222"
R = "ap-northeast-1"
V = "2012-10-17"
HERE = os.path.dirname(os.path.abspath(__file__))

PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
PUSH = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
]
KMS_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
KMS_GRANT = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]


# ---------------------------------------------------------------- small builders

def loaded(value):
    return {"loaded": value}


def doc(*statements):
    return {"Version": V, "Statement": list(statements)}


def allow(actions, resources="*", sid=None, condition=None):
    s = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = "Allow"
    s["Action"] = actions
    s["Resource"] = resources
    if condition:
        s["Condition"] = condition
    return s


def grant(principal, actions, sid=None, condition=None, resource=None, effect="Allow"):
    """A resource-policy statement (has a Principal)."""
    s = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = effect
    s["Principal"] = principal
    s["Action"] = actions
    if resource is not None:
        s["Resource"] = resource
    if condition:
        s["Condition"] = condition
    return s


def trust_service(service):
    return doc(grant({"Service": service}, "sts:AssumeRole"))


def trust_aws(principal, condition=None):
    return doc(grant({"AWS": principal}, "sts:AssumeRole", condition=condition))


def root(account):
    return f"arn:aws:iam::{account}:root"


def role_arn(account, name, path="/"):
    return f"arn:aws:iam::{account}:role{path}{name}"


def session(account, role, name):
    return f"arn:aws:sts::{account}:assumed-role/{role}/{name}"


def repo_arn(account, name):
    return f"arn:aws:ecr:{R}:{account}:repository/{name}"


def repo_uri(account, name):
    return f"{account}.dkr.ecr.{R}.amazonaws.com/{name}"


def project_arn(account, name):
    return f"arn:aws:codebuild:{R}:{account}:project/{name}"


def pipeline_arn(account, name):
    return f"arn:aws:codepipeline:{R}:{account}:{name}"


def key_id(seed):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "crossdock-demo/" + seed))


def key_arn(account, kid):
    return f"arn:aws:kms:{R}:{account}:key/{kid}"


def digest(seed):
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def event_id(seed):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "crossdock-demo-event/" + seed))


# ---------------------------------------------------------------- AWS managed policies

AWS_MANAGED = {
    "AmazonEC2ContainerRegistryReadOnly": ("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "v3", doc(allow([
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
        "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories", "ecr:ListImages", "ecr:DescribeImages",
        "ecr:BatchGetImage", "ecr:GetLifecyclePolicy", "ecr:GetLifecyclePolicyPreview",
        "ecr:ListTagsForResource", "ecr:DescribeImageScanFindings"]))),
    "AmazonEC2ContainerRegistryPowerUser": ("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser", "v3", doc(allow([
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
        "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories", "ecr:ListImages", "ecr:DescribeImages",
        "ecr:BatchGetImage", "ecr:GetLifecyclePolicy", "ecr:GetLifecyclePolicyPreview",
        "ecr:ListTagsForResource", "ecr:DescribeImageScanFindings", "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]))),
    "AmazonEC2ContainerRegistryFullAccess": ("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess", "v2", doc(
        allow(["ecr:*", "cloudtrail:LookupEvents"]),
        allow(["iam:CreateServiceLinkedRole"], condition={
            "StringEquals": {"iam:AWSServiceName": ["replication.ecr.amazonaws.com"]}}))),
    "AmazonECSTaskExecutionRolePolicy": ("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", "v1", doc(allow([
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AWSLambdaBasicExecutionRole": ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "v1", doc(allow([
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AmazonSSMManagedInstanceCore": ("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "v2", doc(
        allow(["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
               "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters",
               "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory",
               "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus",
               "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"]),
        allow(["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
               "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]),
        allow(["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
               "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"]))),
    "AmazonEC2ContainerServiceforEC2Role": ("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role", "v6", doc(allow([
        "ec2:DescribeTags", "ecs:CreateCluster", "ecs:DeregisterContainerInstance", "ecs:DiscoverPollEndpoint",
        "ecs:Poll", "ecs:RegisterContainerInstance", "ecs:StartTelemetrySession",
        "ecs:UpdateContainerInstancesState", "ecs:Submit*", "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
        "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AdministratorAccess": ("arn:aws:iam::aws:policy/AdministratorAccess", "v1", doc(allow("*"))),
    # Service-linked role policies are long and AWS-owned; the demo leaves their documents
    # not loaded, the way the live loader does until someone opens them.
    "AmazonECSServiceRolePolicy": ("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy", None, None),
    "AutoScalingServiceRolePolicy": ("arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy", None, None),
    "AWSSupportServiceRolePolicy": ("arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy", None, None),
    "AmazonRDSEnhancedMonitoringRole": ("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", "v1", doc(
        allow(["logs:CreateLogGroup", "logs:PutRetentionPolicy"], "arn:aws:logs:*:*:log-group:RDS*",
              sid="EnableCreationAndManagementOfRDSCloudwatchLogGroups"),
        allow(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
              "arn:aws:logs:*:*:log-group:RDS*:log-stream:*",
              sid="EnableCreationAndManagementOfRDSCloudwatchLogStreams"))),
}


def crossdock_readonly(account):
    """The read-only policy crossdock itself needs; B's copy denies policy reads on security/*."""
    statements = [allow([
        "sts:GetCallerIdentity", "iam:ListRoles", "iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies", "iam:GetPolicy", "iam:GetPolicyVersion", "ecr:DescribeRepositories",
        "ecr:GetRepositoryPolicy", "ecr:DescribeImages", "ecr:GetRegistryPolicy", "kms:ListKeys",
        "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyPolicy", "codebuild:ListProjects",
        "codebuild:BatchGetProjects", "codepipeline:ListPipelines", "codepipeline:GetPipeline",
        "events:ListRules", "events:DescribeRule", "events:ListTargetsByRule", "events:ListRuleNamesByTarget",
        "s3:GetBucketPolicy", "s3:GetEncryptionConfiguration", "cloudtrail:LookupEvents"], sid="CrossdockRead")]
    if account == B:
        statements.append({"Sid": "SecurityTeamReposArePrivate", "Effect": "Deny",
                           "Action": "ecr:GetRepositoryPolicy",
                           "Resource": repo_arn(B, "security/*")})
    return doc(*statements)


# ---------------------------------------------------------------- account builder

class Account:
    def __init__(self, account_id, profile):
        self.id = account_id
        self.profile = profile
        self.roles = []
        self.managed = {}
        self.repos = []
        self.keys = []
        self.projects = []
        self.pipelines = []
        self.rules = []
        self.buckets = []
        self.trail = []
        self.registry_policy = "absent"
        self.replication = "absent"
        self.pull_through_rules = "absent"
        self.creation_templates = "absent"
        self.vpcs = []
        self.vpc_endpoints = []
        self.ecs_services = []
        self.org = None
        self.users = []
        self.groups = []

    # IAM --------------------------------------------------------------
    def managed_policy(self, arn, name, version, document):
        entry = {"arn": arn, "name": name}
        if document is None:
            entry["default_version_id"] = "not_loaded"
            entry["document"] = "not_loaded"
        else:
            entry["default_version_id"] = loaded(version)
            entry["document"] = loaded(document)
        self.managed.setdefault(arn, entry)
        return {"arn": arn, "name": name}

    def aws_policy(self, name):
        arn, version, document = AWS_MANAGED[name]
        return self.managed_policy(arn, name, version, document)

    def customer_policy(self, name, document, path="/"):
        arn = f"arn:aws:iam::{self.id}:policy{path}{name}"
        return self.managed_policy(arn, name, "v1", document)

    def role(self, name, trust, inline=None, attached=(), path="/", boundary=None,
             max_session=3600, tags=None, inline_field=None, attached_field=None):
        arn = role_arn(self.id, name, path)
        if inline_field is None:
            inline_field = loaded([{"name": n, "document": loaded(d)} for n, d in (inline or {}).items()])
        self.roles.append({
            "arn": arn,
            "name": name,
            "path": path,
            "trust_policy": loaded(trust),
            "inline_policies": inline_field,
            "attached_policies": attached_field or loaded(list(attached)),
            "permissions_boundary": loaded(boundary) if boundary else "absent",
            "max_session_duration": loaded(max_session),
            "tags": loaded(tags or {}),
        })
        return arn

    def user(self, name, path="/", groups=(), inline=None, tags=None):
        arn = f"arn:aws:iam::{self.id}:user{path}{name}"
        self.users.append({
            "arn": arn,
            "name": name,
            "path": path,
            "inline_policies": loaded([{"name": n, "document": loaded(d)} for n, d in (inline or {}).items()]),
            "attached_policies": loaded([]),
            "permissions_boundary": "absent",
            "tags": loaded(tags or {}),
            "groups": loaded(list(groups)),
        })
        return arn

    def group(self, name, attached=()):
        self.groups.append({
            "arn": f"arn:aws:iam::{self.id}:group/{name}",
            "name": name,
            "inline_policies": loaded([]),
            "attached_policies": loaded(list(attached)),
        })

    # ECR --------------------------------------------------------------
    def repo(self, name, policy=None, kms_key=None, immutable=False, tags=None, images=None,
             policy_field=None):
        if images is None:
            images = [(["latest"], "2026-11-18T09:12:44Z")]
        encryption = {"encryption_type": "AES256"}
        if kms_key:
            encryption = {"encryption_type": "KMS", "kms_key": kms_key}
        if policy_field is None:
            policy_field = loaded(policy) if policy else "absent"
        self.repos.append({
            "arn": repo_arn(self.id, name),
            "name": name,
            "uri": repo_uri(self.id, name),
            "registry_id": self.id,
            "encryption": encryption,
            "tag_mutability": "IMMUTABLE" if immutable else "MUTABLE",
            "policy": policy_field,
            "images": loaded([
                {"digest": digest(f"{self.id}/{name}/{i}"), "tags": t, "pushed_at": at}
                for i, (t, at) in enumerate(images)
            ]),
            "tags": loaded(tags or {}),
        })
        return repo_arn(self.id, name)

    # KMS --------------------------------------------------------------
    def key(self, seed, aliases, policy, manager="CUSTOMER", state="Enabled", description=None,
            deletion_date=None, policy_field=None, grants=()):
        kid = key_id(f"{self.id}/{seed}")
        entry = {
            "arn": key_arn(self.id, kid),
            "key_id": kid,
            "aliases": loaded(aliases),
            "manager": loaded(manager),
            "state": loaded(state),
        }
        if deletion_date:
            entry["deletion_date"] = deletion_date
        if description:
            entry["description"] = description
        entry["policy"] = policy_field if policy_field is not None else loaded(policy)
        entry["tags"] = loaded({} if manager == "AWS" else {"owner": "platform"})
        entry["grants"] = loaded([
            {"grant_id": hashlib.sha256(f"{kid}/{grantee}".encode()).hexdigest(), "name": name,
             "grantee_principal": grantee, "operations": operations, "constrained": False}
            for name, grantee, operations in grants])
        self.keys.append(entry)
        return entry["arn"]

    def default_key_policy(self):
        return {"Version": V, "Id": "key-default-1", "Statement": [
            grant({"AWS": root(self.id)}, "kms:*", sid="Enable IAM User Permissions", resource="*")]}

    def aws_managed_key(self, service, description):
        """An AWS managed key (`alias/aws/<service>`): usable only through that service, in this account."""
        policy = {"Version": V, "Id": f"auto-{service}-2", "Statement": [
            grant({"AWS": "*"}, KMS_USE[:-1] + ["kms:CreateGrant", "kms:DescribeKey"],
                  sid=f"Allow access through {service.upper()} for all principals in the account that are authorized to use {service.upper()}",
                  resource="*",
                  condition={"StringEquals": {"kms:ViaService": f"{service}.{R}.amazonaws.com",
                                              "kms:CallerAccount": self.id}}),
            grant({"AWS": root(self.id)}, ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                  sid="Allow direct access to key metadata to the account", resource="*"),
        ]}
        return self.key(f"aws/{service}", [f"alias/aws/{service}"], policy, manager="AWS",
                        description=description)

    # CodeBuild ----------------------------------------------------------
    def project(self, name, service_role, image="aws/codebuild/standard:7.0", creds="CODEBUILD",
                privileged=False, compute="BUILD_GENERAL1_SMALL", tags=None, vpc=None):
        vpc_config = "absent"
        if vpc:
            vpc_id, subnets = vpc
            vpc_config = loaded({"vpc_id": vpc_id, "subnets": subnets,
                                 "security_groups": [f"sg-{vpc_id[4:]}"]})
        self.projects.append({
            "arn": project_arn(self.id, name),
            "name": name,
            "service_role": loaded(service_role),
            "environment": loaded({
                "type": "LINUX_CONTAINER",
                "image": image,
                "compute_type": compute,
                "image_pull_credentials_type": creds,
                "privileged_mode": privileged,
            }),
            "encryption_key": loaded(f"arn:aws:kms:{R}:{self.id}:alias/aws/s3"),
            "tags": loaded(tags or {}),
            "vpc_config": vpc_config,
        })
        return project_arn(self.id, name)

    # EC2 (the network path of builds in a VPC) ----------------------------
    def vpc(self, vpc_id, route_tables, endpoints):
        """A VPC read for a network path: route tables (id, main, subnets, default route) and
        endpoints (id, service, type, policy or None for the default, route table ids)."""
        ids = []
        for eid, service, kind, policy, tables in endpoints:
            ids.append(eid)
            self.vpc_endpoints.append({
                "id": eid,
                "vpc_id": vpc_id,
                "service_name": f"com.amazonaws.{R}.{service}",
                "endpoint_type": kind,
                "state": "available",
                "private_dns": kind == "Interface",
                "policy": loaded(policy) if policy else "absent",
                "route_table_ids": list(tables),
            })
        self.vpcs.append({
            "id": vpc_id,
            "endpoints": loaded(ids),
            "route_tables": loaded([
                {k: v for k, v in (("id", rid), ("main", main), ("subnets", list(subnets)),
                                   ("default_route", out)) if v is not None}
                for rid, main, subnets, out in route_tables]),
        })
        return vpc_id

    # ECS (where a task's roles run: the service's awsvpc subnets) ------------
    def ecs_service(self, cluster, name, execution_role, task_role=None, vpc=None):
        """A Fargate service; `vpc` is (vpc id, subnets) for awsvpc networking."""
        network = "absent"
        if vpc:
            vpc_id, subnets = vpc
            network = loaded({"vpc_id": vpc_id, "subnets": subnets,
                              "security_groups": [f"sg-{vpc_id[4:]}"]})
        roles = {"execution_role": execution_role}
        if task_role:
            roles["task_role"] = task_role
        self.ecs_services.append({
            "arn": f"arn:aws:ecs:{R}:{self.id}:service/{cluster}/{name}",
            "name": name,
            "cluster": cluster,
            "launch_type": "FARGATE",
            "task_definition": f"arn:aws:ecs:{R}:{self.id}:task-definition/{name}:7",
            "roles": loaded(roles),
            "network": network,
        })

    # CodePipeline -------------------------------------------------------
    def pipeline(self, name, role, bucket, stages, key=None, tags=None):
        store = {"type": "S3", "location": bucket}
        if key:
            store["encryption_key"] = {"id": key, "type": "KMS"}
        self.pipelines.append({
            "arn": pipeline_arn(self.id, name),
            "name": name,
            "role_arn": loaded(role),
            "artifact_store": loaded(store),
            "stages": loaded(stages),
            "tags": loaded(tags or {}),
        })
        return pipeline_arn(self.id, name)

    # EventBridge ----------------------------------------------------------
    def rule(self, name, pattern=None, targets=(), state="ENABLED", schedule=None, description=None):
        entry = {
            "arn": f"arn:aws:events:{R}:{self.id}:rule/{name}",
            "name": name,
            "event_bus_name": "default",
            "state": loaded(state),
            "event_pattern": loaded(pattern) if pattern else "absent",
        }
        if schedule:
            entry["schedule_expression"] = schedule
        entry["targets"] = loaded([
            {k: v for k, v in (("id", tid), ("arn", arn), ("role_arn", role)) if v}
            for tid, arn, role in targets
        ])
        self.rules.append(entry)
        return entry["arn"]

    # S3 ---------------------------------------------------------------
    def bucket(self, name, policy=None, kms_key=None, tags=None):
        encryption = {"sse_algorithm": "aws:kms"}
        if kms_key:
            encryption["kms_key_id"] = kms_key
        self.buckets.append({
            "arn": f"arn:aws:s3:::{name}",
            "name": name,
            "policy": loaded(policy) if policy else "absent",
            "encryption": loaded(encryption),
            "tags": loaded(tags or {}),
        })
        return name

    # output -----------------------------------------------------------
    def snapshot(self):
        def complete(items):
            return {"listing": "complete", "items": items}

        account = {
            "identity": {
                "account_id": self.id,
                "caller_arn": session(self.id, "crossdock-readonly", "crossdock"),
                "profile": self.profile,
                "region": R,
                "partition": "aws",
            },
            "roles": complete(self.roles),
            # Only the policies attached to some role were fetched: the list is not complete.
            "managed_policies": {"listing": "not_loaded", "items": list(self.managed.values())},
            "repositories": complete(self.repos),
            "registry_policy": self.registry_policy,
            "replication": self.replication,
            "pull_through_rules": self.pull_through_rules,
            "creation_templates": self.creation_templates,
            "keys": complete(self.keys),
            "projects": complete(self.projects),
            "pipelines": complete(self.pipelines),
            "rules": complete(self.rules),
            "buckets": complete(self.buckets),
            "trail": loaded(self.trail),
        }
        if self.vpcs:
            # Only the VPCs of builds were read: neither list is complete.
            account["vpcs"] = {"listing": "not_loaded", "items": self.vpcs}
            account["vpc_endpoints"] = {"listing": "not_loaded", "items": self.vpc_endpoints}
        if self.ecs_services:
            account["ecs_services"] = complete(self.ecs_services)
        if self.org is not None:
            account["org"] = self.org
        if self.users:
            account["users"] = complete(self.users)
            account["groups"] = complete(self.groups)
        return {"format_version": 1, "accounts": [account]}


def action(name, category, provider, configuration, role=None, inputs=(), outputs=(), run_order=1,
           owner="AWS"):
    entry = {"name": name, "category": category, "owner": owner, "provider": provider, "version": "1"}
    if role:
        entry["role_arn"] = role
    entry["run_order"] = run_order
    entry["configuration"] = configuration
    entry["input_artifacts"] = list(inputs)
    entry["output_artifacts"] = list(outputs)
    return entry


def stage(name, *actions):
    return {"name": name, "actions": list(actions)}


def native_ecr_pattern(repository, tag):
    """The pattern CodePipeline and CDK create today for an ECR source action."""
    return {
        "source": ["aws.ecr"],
        "detail-type": ["ECR Image Action"],
        "detail": {
            "action-type": ["PUSH"],
            "image-tag": [tag],
            "repository-name": [repository],
            "result": ["SUCCESS"],
        },
    }


def legacy_ecr_pattern(repository, tag):
    """The pre-2019 console / pre-2022 CDK pattern on CloudTrail-delivered PutImage."""
    return {
        "source": ["aws.ecr"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["ecr.amazonaws.com"],
            "eventName": ["PutImage"],
            "requestParameters": {"repositoryName": [repository], "imageTag": [tag]},
        },
    }


def manifest(seed):
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": digest(seed + "/config")},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                    "digest": digest(seed + "/layer0")}],
    }, separators=(",", ":"))


def assumed_identity(account, role, session_name, principal_suffix):
    role_id = "AROA" + hashlib.sha1(f"{account}/{role}".encode()).hexdigest()[:17].upper()
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session_name}",
        "arn": session(account, role, session_name),
        "accountId": account,
        "accessKeyId": "ASIA" + principal_suffix,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": role_id, "arn": role_arn(account, role),
                              "accountId": account, "userName": role},
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-20T01:58:10Z", "mfaAuthenticated": "false"},
        },
    }


def put_image_record(seed, owner, repository, tag, identity, recipient, time, shared=None, error=None):
    record = {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": "ecr.amazonaws.com",
        "eventName": "PutImage",
        "awsRegion": R,
        "sourceIPAddress": "AWS Internal",
        "userAgent": "AWS Internal",
        "requestParameters": {
            "repositoryName": repository,
            "imageTag": tag,
            "registryId": owner,
            "imageManifest": manifest(seed),
        },
        "responseElements": {
            "image": {
                "repositoryName": repository,
                "imageManifest": manifest(seed),
                "registryId": owner,
                "imageId": {"imageDigest": digest(seed), "imageTag": tag},
            }
        },
        "requestID": event_id(seed + "/request"),
        "eventID": event_id(seed + f"/{recipient}"),
        "readOnly": False,
        "resources": [{"accountId": owner, "ARN": repo_arn(owner, repository)}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": recipient,
    }
    if shared:
        record["sharedEventID"] = event_id(shared)
    if error:
        record["errorCode"], record["errorMessage"] = error
        record["responseElements"] = None
    record["eventCategory"] = "Management"
    return record


# ================================================================== the two accounts

a = Account(A, "demo-a")
b = Account(B, "demo-b")
scenarios = []


def scenario(sid, group, title, story, question, verdict, failing=()):
    scenarios.append({
        "id": sid,
        "group": group,
        "title": title,
        "story": story,
        "question": question,
        "expected": {"verdict": verdict, "failing_checks": list(failing)},
    })


def codebuild_logs(account, project):
    return allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                 [f"arn:aws:logs:{R}:{account}:log-group:/aws/codebuild/{project}",
                  f"arn:aws:logs:{R}:{account}:log-group:/aws/codebuild/{project}:*"],
                 sid="CloudWatchLogs")


for acct in (a, b):
    acct.role("crossdock-readonly", trust_aws(root(acct.id)),
              attached=[acct.customer_policy("crossdock-readonly", crossdock_readonly(acct.id))],
              max_session=14400, tags={"purpose": "crossdock"})

# ------------------------------------------------------------------ S1: CodeBuild in A pulls FROM B
S1_ROLE = "codebuild-service-role"
S1_PROJECT = "cross-account-ecr-codebuild-prj"
S1_SESSION = session(A, S1_ROLE, "AWSCodeBuild-7f3a2c1e-0b5d-4e8a-9c61-2f4d8e1a7b90")
a.role(S1_ROLE, trust_service("codebuild.amazonaws.com"), inline={
    "cross-account-ecr-codebuild-policy": doc(
        allow(["ecr:GetAuthorizationToken"], ["*"], sid="ECRGetAuthorizationToken"),
        allow(PUSH, [repo_arn(A, "delivery-repo")], sid="ECRPushImagesToDeliveryRepo"),
        allow(PULL, [repo_arn(B, "source-repo"), repo_arn(B, "base-image-repo")],
              sid="ECRPullImagesFromSourceRepo"),
        allow(["s3:GetObject", "s3:GetObjectVersion"], ["arn:aws:s3:::cb-source-bucket/*"], sid="ReadSource"),
        codebuild_logs(A, S1_PROJECT),
    )}, tags={"app": "cross-account-ecr-codebuild"})
a.project(S1_PROJECT, role_arn(A, S1_ROLE), privileged=True, compute="BUILD_GENERAL1_MEDIUM")
a.repo("delivery-repo", images=[(["latest", "build-412"], "2026-11-19T23:40:02Z")])
b.repo("source-repo", policy=doc(grant(
    {"Service": "codebuild.amazonaws.com"}, PULL, sid="CodeBuildAccessPrincipal",
    condition={"ArnEquals": {"aws:SourceArn": project_arn(A, S1_PROJECT)}})),
    images=[(["latest", "3.12-slim"], "2026-11-02T04:10:00Z")])
b.repo("base-image-repo", policy=doc(grant(
    {"AWS": role_arn(A, S1_ROLE)}, PULL, sid="AllowPullFromAccountACodeBuildRole")),
    images=[(["latest", "3.12-slim"], "2026-11-02T04:12:00Z")])
a.trail.append({
    "eventVersion": "1.08",
    "userIdentity": assumed_identity(A, S1_ROLE, "AWSCodeBuild-7f3a2c1e-0b5d-4e8a-9c61-2f4d8e1a7b90", "S1EXAMPLE0000001"),
    "eventTime": "2026-11-20T02:03:41Z",
    "eventSource": "ecr.amazonaws.com",
    "eventName": "BatchGetImage",
    "awsRegion": R,
    "sourceIPAddress": "codebuild.amazonaws.com",
    "userAgent": "docker/24.0.5 go/go1.20.6 git-commit/a61e2b4 kernel/5.10.227 os/linux arch/amd64",
    "errorCode": "AccessDenied",
    "errorMessage": f"User: {S1_SESSION} is not authorized to perform: ecr:BatchGetImage on resource: "
                    f"{repo_arn(B, 'source-repo')} because no resource-based policy allows the ecr:BatchGetImage action",
    "requestParameters": {"imageIds": [{"imageTag": "latest"}], "registryId": B,
                          "repositoryName": "source-repo",
                          "acceptedMediaTypes": ["application/vnd.docker.distribution.manifest.v2+json"]},
    "responseElements": None,
    "requestID": event_id("s1/request"),
    "eventID": event_id("s1/a"),
    "readOnly": True,
    "resources": [{"accountId": B, "ARN": repo_arn(B, "source-repo")}],
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "recipientAccountId": A,
    "sharedEventID": event_id("s1/shared"),
    "eventCategory": "Management",
})
S1_STORY = (
    "Account A's CodeBuild project cross-account-ecr-codebuild-prj (privileged, docker-in-docker) builds an image "
    "FROM a base image in account B's ECR. The service role codebuild-service-role allows "
    "ecr:GetAuthorizationToken on * and the three pull actions on B's repository. ")
scenario("s1-broken", "S1", "CodeBuild in A cannot pull its base image from B's source-repo",
         S1_STORY + "B's source-repo policy grants the pull actions to the service principal codebuild.amazonaws.com "
         "with ArnEquals aws:SourceArn = the project ARN. docker pull inside the build is signed by the role session, "
         "not by the service, so no resource-based policy allows it: the build fails with 'denied: User: "
         "…assumed-role/codebuild-service-role/AWSCodeBuild-… is not authorized to perform: ecr:BatchGetImage'.",
         {"kind": "pull", "principal": S1_SESSION, "repository": repo_arn(B, "source-repo"), "tag": "latest"},
         "fails", ["resource-policy-allows", "service-principal-only"])
scenario("s1-fixed", "S1", "CodeBuild in A pulls its base image from B's base-image-repo",
         S1_STORY + "B's base-image-repo policy grants the pull actions to the role ARN "
         "arn:aws:iam::111111111111:role/codebuild-service-role, so both sides allow the cross-account pull.",
         {"kind": "pull", "principal": S1_SESSION, "repository": repo_arn(B, "base-image-repo"), "tag": "latest"},
         "works")

# S1 related rule: the build environment image itself lives in B.
ENV_ROLE = "codebuild-env-image-role"
a.role(ENV_ROLE, trust_service("codebuild.amazonaws.com"), inline={
    "pull-build-images-from-b": doc(
        allow(["ecr:GetAuthorizationToken"], "*", sid="GetAuthorizationToken"),
        allow(PULL, repo_arn(B, "build-images/node20"), sid="PullBuildImage"),
        codebuild_logs(A, "node-build"),
        codebuild_logs(A, "legacy-node-build"),
    )})
ENV_IMAGE = repo_uri(B, "build-images/node20") + ":latest"
a.project("legacy-node-build", role_arn(A, ENV_ROLE), image=ENV_IMAGE, creds="CODEBUILD")
a.project("node-build", role_arn(A, ENV_ROLE), image=ENV_IMAGE, creds="SERVICE_ROLE")
b.repo("build-images/node20", policy=doc(
    grant({"AWS": role_arn(A, ENV_ROLE)}, PULL, sid="AllowAccountABuildRole"),
    grant({"Service": "codebuild.amazonaws.com"}, PULL, sid="CodeBuildAccessPrincipal",
          condition={"ArnLike": {"aws:SourceArn": f"arn:aws:codebuild:{R}:{A}:project/*"}}),
), images=[(["latest", "20.18"], "2026-10-28T06:00:00Z")])
ENV_STORY = (
    "Account A's Node.js projects use a custom build image from B's ECR "
    f"({ENV_IMAGE}). B's repository policy grants pull to A's build role and to the CodeBuild service principal; "
    "the role allows the pull actions and the token. ")
scenario("s1-env-image-broken", "S1", "Project legacy-node-build cannot pull its build image from B",
         ENV_STORY + "legacy-node-build uses imagePullCredentialsType CODEBUILD: CodeBuild's own credentials only "
         "work for same-account images, so the build stops in PROVISIONING with BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE.",
         {"kind": "pull", "principal": role_arn(A, ENV_ROLE), "repository": repo_arn(B, "build-images/node20"),
          "tag": "latest", "project": project_arn(A, "legacy-node-build")},
         "fails", ["codebuild-image-pull-credentials"])
scenario("s1-env-image-fixed", "S1", "Project node-build pulls its build image from B with its service role",
         ENV_STORY + "node-build uses imagePullCredentialsType SERVICE_ROLE, so the pull is signed by the role that "
         "B's repository policy and the role's own policy both allow.",
         {"kind": "pull", "principal": role_arn(A, ENV_ROLE), "repository": repo_arn(B, "build-images/node20"),
          "tag": "latest", "project": project_arn(A, "node-build")},
         "works")

# S1 related rule: builds in a private VPC reach ECR and S3 only through VPC endpoints
# (FAILURE-CATALOG §2.1 "CodeBuild in a VPC"); every endpoint policy is a gate of its own.
LAYERS = f"arn:aws:s3:::prod-{R}-starport-layer-bucket/*"
ECR_PULL_ANYWHERE = doc(grant("*", ["ecr:GetAuthorizationToken"] + PULL, sid="EcrPull", resource="*"))
LAYERS_ONLY = doc(grant("*", "s3:GetObject", sid="EcrLayers", resource=LAYERS))


BUILD_VPC_DKR = {}


def build_vpc(name, dkr_policy, s3_policy):
    """A private build VPC (no NAT): ecr.api, ecr.dkr and an S3 gateway on the subnet's table."""
    seed = hashlib.sha256(name.encode()).hexdigest()
    vpc_id, subnet, table = f"vpc-{seed[:17]}", f"subnet-{seed[17:34]}", f"rtb-{seed[34:51]}"
    a.vpc(vpc_id, [(table, True, [subnet], None)], [
        (f"vpce-{seed[:8]}a{seed[9:17]}", "ecr.api", "Interface", None, []),
        (f"vpce-{seed[:8]}d{seed[9:17]}", "ecr.dkr", "Interface", dkr_policy, []),
        (f"vpce-{seed[:8]}5{seed[9:17]}", "s3", "Gateway", s3_policy, [table]),
    ])
    BUILD_VPC_DKR[name] = f"vpce-{seed[:8]}d{seed[9:17]}"
    return vpc_id, [subnet]


PRIVATE_VPC = build_vpc("private-builds", ECR_PULL_ANYWHERE, LAYERS_ONLY)
OWN_ACCOUNT_VPC = build_vpc("own-account-builds", doc(grant(
    "*", PULL, sid="OnlyOurRepositories", resource=f"arn:aws:ecr:{R}:{A}:repository/*"),
    grant("*", "ecr:GetAuthorizationToken", sid="Token", resource="*")), LAYERS_ONLY)
ARTIFACTS_ONLY_VPC = build_vpc("artifacts-only-builds", ECR_PULL_ANYWHERE, doc(grant(
    "*", ["s3:GetObject", "s3:PutObject"], sid="OnlyOurBuckets", resource="arn:aws:s3:::crossdock-artifacts-*/*")))
a.project("private-node-build", role_arn(A, ENV_ROLE), image=ENV_IMAGE, creds="SERVICE_ROLE", vpc=PRIVATE_VPC)
a.project("isolated-node-build", role_arn(A, ENV_ROLE), image=ENV_IMAGE, creds="SERVICE_ROLE", vpc=OWN_ACCOUNT_VPC)
a.project("locked-node-build", role_arn(A, ENV_ROLE), image=ENV_IMAGE, creds="SERVICE_ROLE", vpc=ARTIFACTS_ONLY_VPC)
VPC_STORY = ENV_STORY + ("These projects run in a private VPC without NAT: ECR's API and registry are reached "
                         "through interface endpoints, image layers through the S3 gateway endpoint. ")
ISOLATED_DKR = BUILD_VPC_DKR["own-account-builds"]
scenario("ext-vpc-endpoint-broken", "S1", "Project isolated-node-build's ecr.dkr endpoint refuses B's repository",
         VPC_STORY + "The ecr.dkr endpoint policy allows pulls from A's own repositories only, so the pull of B's "
         "image fails with '… because no VPC endpoint policy allows the ecr:BatchGetImage action' although both "
         "accounts' policies allow it.",
         {"kind": "pull", "principal": role_arn(A, ENV_ROLE), "repository": repo_arn(B, "build-images/node20"),
          "tag": "latest", "project": project_arn(A, "isolated-node-build")},
         "fails", ["vpc-endpoint-policy-allows"])
scenario("ext-vpc-s3-broken", "S1", "Project locked-node-build cannot download image layers",
         VPC_STORY + "The S3 gateway endpoint's policy allows only the company's artifact buckets, not "
         f"{LAYERS}: the manifest arrives, the layer downloads are refused.",
         {"kind": "pull", "principal": role_arn(A, ENV_ROLE), "repository": repo_arn(B, "build-images/node20"),
          "tag": "latest", "project": project_arn(A, "locked-node-build")},
         "fails", ["vpc-s3-layer-access"])
scenario("ext-vpc-fixed", "S1", "Project private-node-build pulls B's build image through its VPC endpoints",
         VPC_STORY + "The ecr.api endpoint keeps the default policy, the ecr.dkr endpoint allows pulls from any "
         "repository, and the S3 gateway endpoint on the subnet's route table allows the layer bucket.",
         {"kind": "pull", "principal": role_arn(A, ENV_ROLE), "repository": repo_arn(B, "build-images/node20"),
          "tag": "latest", "project": project_arn(A, "private-node-build")},
         "works")
scenario("ext-vpc-endpoint-direct-broken", "S1", "The pull through endpoint " + ISOLATED_DKR + " is refused",
         "Asked with --vpc-endpoint (or from a CloudTrail record's vpcEndpointId): the endpoint's own policy "
         "decides, with the VPC it lives in. " + VPC_STORY,
         {"kind": "pull", "principal": role_arn(A, ENV_ROLE), "repository": repo_arn(B, "build-images/node20"),
          "tag": "latest", "vpc_endpoint": ISOLATED_DKR},
         "fails", ["vpc-endpoint-policy-allows"])

# ------------------------------------------------------------------ S2: CodeBuild in A assumes a role in B
DEPLOY_ROLE = "codebuild-deploy-role"
DEPLOY_SESSION = session(A, DEPLOY_ROLE, "AWSCodeBuild-66809dcf-7dc1-4c9f-baab-1d028e4a91c3")
a.role(DEPLOY_ROLE, trust_service("codebuild.amazonaws.com"), inline={
    "assume-deploy-roles-in-b": doc(
        allow("sts:AssumeRole", [role_arn(B, "assume-role-from-codebuild"), role_arn(B, "deploy-from-codebuild")],
              sid="AssumeDeployRoles"),
        codebuild_logs(A, "cross-account-deploy"),
    )})
a.project("cross-account-deploy", role_arn(A, DEPLOY_ROLE), image="aws/codebuild/amazonlinux2-x86_64-standard:5.0")
DEPLOY_PERMISSIONS = doc(
    allow(["ecs:DescribeServices", "ecs:UpdateService", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"],
          "*", sid="EcsDeploy"),
    allow("iam:PassRole", role_arn(B, "ecsTaskExecutionRole"), sid="PassTaskExecutionRole",
          condition={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
)
b.role("assume-role-from-codebuild", trust_aws(role_arn(A, S1_ROLE)), inline={"deploy": DEPLOY_PERMISSIONS})
b.role("deploy-from-codebuild", trust_aws(root(A)), inline={"deploy": DEPLOY_PERMISSIONS})
S2_STORY = (
    "A build in account A (project cross-account-deploy, role codebuild-deploy-role) switches to a deploy role in "
    "account B with a profile (role_arn + credential_source = EcsContainer). The build role allows sts:AssumeRole on "
    "the target. ")
scenario("s2-broken", "S2", "codebuild-deploy-role cannot assume B's assume-role-from-codebuild",
         S2_STORY + "The target's trust policy names arn:aws:iam::111111111111:role/codebuild-service-role — another "
         "build role — so AssumeRole fails with 'is not authorized to perform: sts:AssumeRole'.",
         {"kind": "assume", "principal": DEPLOY_SESSION, "role": role_arn(B, "assume-role-from-codebuild")},
         "fails", ["trust-policy-allows"])
scenario("s2-fixed", "S2", "codebuild-deploy-role assumes B's deploy-from-codebuild",
         S2_STORY + "deploy-from-codebuild trusts account A (arn:aws:iam::111111111111:root), which delegates to A's "
         "identity policies, and the build role allows sts:AssumeRole on it.",
         {"kind": "assume", "principal": DEPLOY_SESSION, "role": role_arn(B, "deploy-from-codebuild")},
         "works")
REPORT_ROLE = "codebuild-report-role"
a.role(REPORT_ROLE, trust_service("codebuild.amazonaws.com"), inline={
    "report-build": doc(codebuild_logs(A, "report-sync"),
                        allow(["s3:PutObject"], "arn:aws:s3:::reports-staging-111111111111/*", sid="WriteReports"))})
a.project("report-sync", role_arn(A, REPORT_ROLE))
b.role("report-reader-from-codebuild", trust_aws(role_arn(A, REPORT_ROLE)), inline={
    "read-reports": doc(allow(["s3:GetObject", "s3:ListBucket"],
                              ["arn:aws:s3:::reports-222222222222", "arn:aws:s3:::reports-222222222222/*"]))})
scenario("s2-caller-broken", "S2", "codebuild-report-role lacks sts:AssumeRole",
         "Account B's role report-reader-from-codebuild trusts A's codebuild-report-role by ARN, but the build role's "
         "own policies never allow sts:AssumeRole: a cross-account AssumeRole needs both sides.",
         {"kind": "assume", "principal": session(A, REPORT_ROLE, "AWSCodeBuild-0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5"),
          "role": role_arn(B, "report-reader-from-codebuild")},
         "fails", ["caller-allows-assume"])

# ExternalId (extra)
a.role("partner-sync-role", trust_service("lambda.amazonaws.com"),
       attached=[a.aws_policy("AWSLambdaBasicExecutionRole")],
       inline={"assume-partner-deploy": doc(allow("sts:AssumeRole", role_arn(B, "partner-deploy-role")))})
b.role("partner-deploy-role", trust_aws(root(A), {"StringEquals": {"sts:ExternalId": "cd-7781-partner"}}),
       inline={"deploy": DEPLOY_PERMISSIONS})
PARTNER_SESSION = session(A, "partner-sync-role", "partner-sync")
EXT_STORY = ("A's Lambda role partner-sync-role assumes B's partner-deploy-role, whose trust policy requires "
             "StringEquals sts:ExternalId = cd-7781-partner (confused-deputy protection). ")
scenario("ext-external-id-broken", "extra", "AssumeRole without the required ExternalId",
         EXT_STORY + "The function calls AssumeRole without an external id, so the trust condition is not met.",
         {"kind": "assume", "principal": PARTNER_SESSION, "role": role_arn(B, "partner-deploy-role")},
         "fails", ["trust-condition"])
scenario("ext-external-id-fixed", "extra", "AssumeRole with the right ExternalId",
         EXT_STORY + "The function passes ExternalId cd-7781-partner.",
         {"kind": "assume", "principal": PARTNER_SESSION, "role": role_arn(B, "partner-deploy-role"),
          "external_id": "cd-7781-partner"},
         "works")

# A role assuming itself (extra)
a.role("batch-runner-role", trust_service("ec2.amazonaws.com"),
       attached=[a.aws_policy("AmazonSSMManagedInstanceCore")],
       inline={"self-assume": doc(allow("sts:AssumeRole", role_arn(A, "batch-runner-role")))})
a.role("etl-runner-role", doc(
    grant({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole"),
    grant({"AWS": role_arn(A, "etl-runner-role")}, "sts:AssumeRole", sid="ExplicitSelfAssume")),
    attached=[a.aws_policy("AmazonSSMManagedInstanceCore")],
    inline={"self-assume": doc(allow("sts:AssumeRole", role_arn(A, "etl-runner-role")))})
scenario("ext-self-assume-broken", "extra", "batch-runner-role cannot assume itself",
         "A batch job on EC2 re-assumes its own instance role to get a scoped-down session. Since September 2022 a "
         "role is no longer implicitly trusted to assume itself; batch-runner-role's trust policy names only "
         "ec2.amazonaws.com.",
         {"kind": "assume", "principal": session(A, "batch-runner-role", "i-0f1e2d3c4b5a69788"),
          "role": role_arn(A, "batch-runner-role")},
         "fails", ["trust-policy-allows"])
scenario("ext-self-assume-fixed", "extra", "etl-runner-role assumes itself with explicit trust",
         "The same pattern on etl-runner-role, whose trust policy names its own ARN explicitly and whose "
         "identity policy allows sts:AssumeRole on itself.",
         {"kind": "assume", "principal": session(A, "etl-runner-role", "i-0a9b8c7d6e5f43210"),
          "role": role_arn(A, "etl-runner-role")},
         "works")

# ------------------------------------------------------------------ B's pipeline plumbing (same-account pipelines)
PLATFORM_PIPELINE_ROLE = role_arn(B, "AWSCodePipelineServiceRole-ap-northeast-1-platform", "/service-role/")
PLATFORM_BUCKET = "codepipeline-ap-northeast-1-222222222222"
b.bucket(PLATFORM_BUCKET, policy=doc(
    grant("*", "s3:PutObject", sid="DenyUnEncryptedObjectUploads", effect="Deny",
          resource=f"arn:aws:s3:::{PLATFORM_BUCKET}/*",
          condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}),
    grant("*", "s3:*", sid="DenyInsecureConnections", effect="Deny", resource=f"arn:aws:s3:::{PLATFORM_BUCKET}/*",
          condition={"Bool": {"aws:SecureTransport": "false"}}),
))
b.role("codebuild-imagedefinitions-role", trust_service("codebuild.amazonaws.com"), path="/service-role/", inline={
    "imagedefinitions": doc(
        codebuild_logs(B, "ecs-imagedefinitions"),
        allow(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], f"arn:aws:s3:::{PLATFORM_BUCKET}/*"),
    )})
b.project("ecs-imagedefinitions", role_arn(B, "codebuild-imagedefinitions-role", "/service-role/"),
          image="aws/codebuild/amazonlinux2-x86_64-standard:5.0")
b.role("ecsTaskExecutionRole", trust_service("ecs-tasks.amazonaws.com"),
       attached=[b.aws_policy("AmazonECSTaskExecutionRolePolicy")])
TRIGGER_PIPELINES = []


def same_account_pipeline(name, repository, tag):
    TRIGGER_PIPELINES.append(name)
    return b.pipeline(name, PLATFORM_PIPELINE_ROLE, PLATFORM_BUCKET, [
        stage("Source", action("Image", "Source", "ECR", {"RepositoryName": repository, "ImageTag": tag},
                               outputs=["SourceArtifact"])),
        stage("Build", action("ImageDefinitions", "Build", "CodeBuild", {"ProjectName": "ecs-imagedefinitions"},
                              inputs=["SourceArtifact"], outputs=["BuildArtifact"])),
        stage("Deploy", action("Deploy", "Deploy", "ECS", {
            "ClusterName": "prod-apps", "ServiceName": repository, "FileName": "imagedefinitions.json"},
            inputs=["BuildArtifact"])),
    ])


def start_pipeline_role(name, pipelines):
    """The role the console creates for a rule target: trusts events, may start the pipeline."""
    return b.role(name, trust_service("events.amazonaws.com"), path="/service-role/", inline={
        f"start-pipeline-execution-{R}-{name[-24:]}": doc(
            allow(["codepipeline:StartPipelineExecution"], [pipeline_arn(B, p) for p in pipelines]))})


b.role("platform-ci-push-role", trust_service("codebuild.amazonaws.com"),
       attached=[b.customer_policy("platform-ci-ecr-push", doc(
           allow(["ecr:GetAuthorizationToken"], "*", sid="GetAuthorizationToken"),
           allow(PUSH + ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"],
                 f"arn:aws:ecr:{R}:{B}:repository/*", sid="PushServiceImages")), path="/ci/")])
PLATFORM_PUSHER = session(B, "platform-ci-push-role", "AWSCodeBuild-5b2e0c4d-7a61-4f0e-9d3b-8c1f2a3e4d5b")

# ------------------------------------------------------------------ S3: push from A does not start B's pipeline
ORDER_ROLE = "order-service-build-role"
ORDER_SESSION_NAME = "AWSCodeBuild-cad340c8-820f-4de9-a5bb-f75fe1a2b3c4"
a.role(ORDER_ROLE, trust_service("codebuild.amazonaws.com"), inline={
    "push-order-service-to-b": doc(
        allow(["ecr:GetAuthorizationToken"], "*", sid="GetAuthorizationToken"),
        allow(PUSH, repo_arn(B, "order-service"), sid="PushToAccountB"),
        codebuild_logs(A, "order-service-build"))})
a.project("order-service-build", role_arn(A, ORDER_ROLE), privileged=True)
b.repo("order-service", policy=doc(grant({"AWS": role_arn(A, ORDER_ROLE)}, PUSH + ["ecr:GetDownloadUrlForLayer",
                                                                                   "ecr:BatchGetImage"],
                                         sid="AllowPushFromAccountABuild")),
       images=[(["latest"], "2026-11-20T03:21:07Z"), (["release-2026-11-12"], "2026-11-12T08:00:00Z")])
same_account_pipeline("order-service-deploy", "order-service", "latest")
start_pipeline_role("cwe-role-ap-northeast-1-order-service-deploy", ["order-service-deploy"])
b.rule("order-service-ecr-push", legacy_ecr_pattern("order-service", "latest"),
       [("codepipeline-order-service-deploy", pipeline_arn(B, "order-service-deploy"),
         role_arn(B, "cwe-role-ap-northeast-1-order-service-deploy", "/service-role/"))])
b.trail.append(put_image_record(
    "s3-broken", B, "order-service", "latest",
    {"type": "AWSAccount", "principalId": "AROA2B3C4D5E6F7G8H9IJ:" + ORDER_SESSION_NAME, "accountId": A},
    B, "2026-11-20T03:21:07Z", shared="s3-broken/shared"))
a.trail.append(put_image_record(
    "s3-broken", B, "order-service", "latest", assumed_identity(A, ORDER_ROLE, ORDER_SESSION_NAME, "S3EXAMPLE0000001"),
    A, "2026-11-20T03:21:07Z", shared="s3-broken/shared"))
scenario("s3-broken", "S3", "A push from account A does not start B's order-service-deploy",
         "A's CodeBuild (order-service-build, role order-service-build-role) pushes order-service:latest straight "
         "into B's repository; B's repository policy allows it and the push succeeds. B's pipeline "
         "order-service-deploy is started by the rule order-service-ecr-push, a legacy CloudTrail-based pattern "
         "(detail-type 'AWS API Call via CloudTrail', eventName PutImage). B's CloudTrail shows the PutImage with "
         "userIdentity.type AWSAccount, accountId 111111111111, recipientAccountId 222222222222 and a sharedEventID: "
         "a cross-account call, which that rule never receives. The pipeline never starts.",
         {"kind": "trigger", "pipeline": pipeline_arn(B, "order-service-deploy"),
          "repository": repo_arn(B, "order-service"), "tag": "latest",
          "pusher": session(A, ORDER_ROLE, ORDER_SESSION_NAME)},
         "fails", ["trigger-cross-account-push"])

PAY_ROLE = "payment-service-build-role"
PAY_PUSH_ROLE = "ecr-push-from-codebuild"
PAY_SESSION_NAME = "RoleSessionFromCodeBuild"
a.role(PAY_ROLE, trust_service("codebuild.amazonaws.com"), inline={
    "assume-push-role-in-b": doc(
        allow("sts:AssumeRole", role_arn(B, PAY_PUSH_ROLE), sid="AssumePushRole"),
        codebuild_logs(A, "payment-service-build"))})
a.project("payment-service-build", role_arn(A, PAY_ROLE), privileged=True)
b.role(PAY_PUSH_ROLE, trust_aws(role_arn(A, PAY_ROLE)), inline={
    "push-payment-service": doc(
        allow(["ecr:GetAuthorizationToken"], "*", sid="GetAuthorizationToken"),
        allow(PUSH + ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], repo_arn(B, "payment-service"),
              sid="PushPaymentService"))})
b.repo("payment-service", images=[(["latest"], "2026-11-20T04:02:51Z")])
same_account_pipeline("payment-service-deploy", "payment-service", "latest")
start_pipeline_role("cwe-role-ap-northeast-1-payment-service-deploy", ["payment-service-deploy"])
b.rule("payment-service-ecr-image-action", native_ecr_pattern("payment-service", "latest"),
       [("codepipeline-payment-service-deploy", pipeline_arn(B, "payment-service-deploy"),
         role_arn(B, "cwe-role-ap-northeast-1-payment-service-deploy", "/service-role/"))])
assume_request = {"roleArn": role_arn(B, PAY_PUSH_ROLE), "roleSessionName": PAY_SESSION_NAME, "durationSeconds": 3600}
assume_common = {
    "eventVersion": "1.08", "eventTime": "2026-11-20T04:01:12Z", "eventSource": "sts.amazonaws.com",
    "eventName": "AssumeRole", "awsRegion": R, "sourceIPAddress": "codebuild.amazonaws.com",
    "userAgent": "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#5.10.227 md/arch#x86_64",
    "requestParameters": assume_request,
    "responseElements": {"credentials": {"accessKeyId": "ASIAS3FIXEDEXAMPLE01", "expiration": "Nov 20, 2026, 5:01:12 AM",
                                         "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLETOKEN"},
                         "assumedRoleUser": {"assumedRoleId": "AROAPAYMENTPUSHEXAMPL:" + PAY_SESSION_NAME,
                                             "arn": session(B, PAY_PUSH_ROLE, PAY_SESSION_NAME)}},
    "requestID": event_id("s3-fixed/assume/request"), "readOnly": True,
    "resources": [{"accountId": B, "type": "AWS::IAM::Role", "ARN": role_arn(B, PAY_PUSH_ROLE)}],
    "eventType": "AwsApiCall", "managementEvent": True, "sharedEventID": event_id("s3-fixed/assume/shared"),
    "eventCategory": "Management",
}
pay_build_session = "AWSCodeBuild-9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
a.trail.append({**assume_common, "userIdentity": assumed_identity(A, PAY_ROLE, pay_build_session, "S3FIXEDCALLER01"),
                "eventID": event_id("s3-fixed/assume/a"), "recipientAccountId": A})
b.trail.append({**assume_common, "userIdentity": {"type": "AWSAccount", "principalId": "AROAPAYBUILDEXAMPLE:" +
                                                  pay_build_session, "accountId": A},
                "eventID": event_id("s3-fixed/assume/b"), "recipientAccountId": B})
b.trail.append(put_image_record(
    "s3-fixed", B, "payment-service", "latest",
    assumed_identity(B, PAY_PUSH_ROLE, PAY_SESSION_NAME, "S3FIXEDEXAMPLE01"), B, "2026-11-20T04:02:51Z"))
scenario("s3-fixed", "S3", "A's build assumes a role in B, pushes, and B's payment-service-deploy starts",
         "A's CodeBuild (payment-service-build) first assumes B's ecr-push-from-codebuild (trusted by the build "
         "role, which may assume it), then pushes payment-service:latest as that B session: CloudTrail in B shows a "
         "same-account PutImage by an AssumedRole. B's rule payment-service-ecr-image-action uses the native "
         "'ECR Image Action' pattern for that repository and tag, is enabled, and its target role may start the "
         "pipeline.",
         {"kind": "trigger", "pipeline": pipeline_arn(B, "payment-service-deploy"),
          "repository": repo_arn(B, "payment-service"), "tag": "latest",
          "pusher": session(B, PAY_PUSH_ROLE, PAY_SESSION_NAME)},
         "works")

# Trigger extras (all same-account pushes in B by platform-ci-push-role)
b.repo("inventory-service", images=[(["latest"], "2026-11-20T05:10:30Z"), (["release"], "2026-11-01T02:00:00Z")])
same_account_pipeline("inventory-service-deploy", "inventory-service", "release")
start_pipeline_role("cwe-role-ap-northeast-1-inventory-service-deploy", ["inventory-service-deploy"])
b.rule("inventory-service-ecr-image-action", native_ecr_pattern("inventory-service", "release"),
       [("codepipeline-inventory-service-deploy", pipeline_arn(B, "inventory-service-deploy"),
         role_arn(B, "cwe-role-ap-northeast-1-inventory-service-deploy", "/service-role/"))])
b.trail.append(put_image_record(
    "ext-trigger-tag", B, "inventory-service", "latest",
    assumed_identity(B, "platform-ci-push-role", PLATFORM_PUSHER.rsplit("/", 1)[1], "TAGEXAMPLE000001"),
    B, "2026-11-20T05:10:30Z"))
scenario("ext-trigger-tag-broken", "extra", "Pushing :latest does not start a pipeline that watches :release",
         "inventory-service-deploy's ECR source watches ImageTag release, and its native rule filters image-tag "
         "release. CI pushed inventory-service:latest, so nothing matched.",
         {"kind": "trigger", "pipeline": pipeline_arn(B, "inventory-service-deploy"),
          "repository": repo_arn(B, "inventory-service"), "tag": "latest", "pusher": PLATFORM_PUSHER},
         "fails", ["trigger-tag-match"])

b.repo("notification-service")
same_account_pipeline("notification-service-deploy", "notification-service", "latest")
start_pipeline_role("cwe-role-ap-northeast-1-notification-service-deploy", ["notification-service-deploy"])
b.rule("notification-service-ecr-image-action", native_ecr_pattern("notification-service", "latest"),
       [("codepipeline-notification-service-deploy", pipeline_arn(B, "notification-service-deploy"),
         role_arn(B, "cwe-role-ap-northeast-1-notification-service-deploy", "/service-role/"))], state="DISABLED")
scenario("ext-trigger-disabled-broken", "extra", "The trigger rule of notification-service-deploy is disabled",
         "Someone disabled notification-service-ecr-image-action during an incident and never re-enabled it; "
         "pushes of notification-service:latest no longer start the pipeline.",
         {"kind": "trigger", "pipeline": pipeline_arn(B, "notification-service-deploy"),
          "repository": repo_arn(B, "notification-service"), "tag": "latest", "pusher": PLATFORM_PUSHER},
         "fails", ["trigger-rule-enabled"])

b.repo("search-service")
same_account_pipeline("search-service-deploy", "search-service", "latest")
# The target role still names the pipeline's old name.
start_pipeline_role("cwe-role-ap-northeast-1-search-service-deploy", ["search-service-deploy-v1"])
b.rule("search-service-ecr-image-action", native_ecr_pattern("search-service", "latest"),
       [("codepipeline-search-service-deploy", pipeline_arn(B, "search-service-deploy"),
         role_arn(B, "cwe-role-ap-northeast-1-search-service-deploy", "/service-role/"))])
scenario("ext-trigger-target-role-broken", "extra", "The rule matches but its role cannot start search-service-deploy",
         "The pipeline was recreated as search-service-deploy; the rule targets it, but the target role's policy "
         "still allows codepipeline:StartPipelineExecution only on search-service-deploy-v1, so every invocation "
         "fails (FailedInvocations > 0).",
         {"kind": "trigger", "pipeline": pipeline_arn(B, "search-service-deploy"),
          "repository": repo_arn(B, "search-service"), "tag": "latest", "pusher": PLATFORM_PUSHER},
         "fails", ["trigger-rule-target-role"])

b.repo("audit-log-shipper")
same_account_pipeline("audit-log-shipper-deploy", "audit-log-shipper", "latest")
scenario("ext-trigger-no-rule-broken", "extra", "No rule targets audit-log-shipper-deploy",
         "audit-log-shipper-deploy was created with the CLI, which does not create the EventBridge rule the "
         "console creates; nothing starts it on push.",
         {"kind": "trigger", "pipeline": pipeline_arn(B, "audit-log-shipper-deploy"),
          "repository": repo_arn(B, "audit-log-shipper"), "tag": "latest", "pusher": PLATFORM_PUSHER},
         "fails", ["trigger-rule-exists"])

b.repo("reports-api")
same_account_pipeline("reports-api-deploy", "reports-api", "latest")
start_pipeline_role("cwe-role-ap-northeast-1-reports-api-deploy", ["reports-api-deploy"])
b.rule("reports-api-ecr-image-action", native_ecr_pattern("reporting-api", "latest"),
       [("codepipeline-reports-api-deploy", pipeline_arn(B, "reports-api-deploy"),
         role_arn(B, "cwe-role-ap-northeast-1-reports-api-deploy", "/service-role/"))])
scenario("ext-trigger-pattern-broken", "extra", "The rule for reports-api-deploy watches the wrong repository",
         "The rule's pattern filters repository-name reporting-api (the repository's old name); pushes to "
         "reports-api never match it.",
         {"kind": "trigger", "pipeline": pipeline_arn(B, "reports-api-deploy"),
          "repository": repo_arn(B, "reports-api"), "tag": "latest", "pusher": PLATFORM_PUSHER},
         "fails", ["trigger-rule-pattern"])

# ------------------------------------------------------------------ S4: pipeline in B, ECR source in A
XACCT_ROLE = "cross-account-codepipeline-access"
LEGACY_XACCT_ROLE = "codepipeline-ecr-source-legacy"
S4_PIPELINE_ROLE_NAME = "codepipeline-cross-account-service-role"
S4_PIPELINE_ROLE = role_arn(B, S4_PIPELINE_ROLE_NAME, "/service-role/")
S4 = [
    # repository in A, pipeline suffix, key mode, bucket grants A?, action role
    ("api-server", "fixed"),
    ("report-generator", "aws-managed-key"),
    ("admin-console", "key-policy-missing-a"),
    ("mobile-bff", "key-policy-missing-grant"),
    ("search-indexer", "key-alias"),
    ("pdf-renderer", "bucket-policy-missing-a"),
    ("order-worker", "action-role-untrusted"),
]
aws_s3_key_b = b.aws_managed_key("s3", "Default key that protects my S3 objects when no other key is defined")
b.aws_managed_key("ecr", "Default key that protects my ECR data when no other key is defined")
s4_buckets = []
s4_keys = []
for repository, mode in S4:
    name = f"{repository}-release"
    bucket = f"{repository}-release-artifacts-{B}"
    s4_buckets.append(bucket)
    use_principals = [root(A), S4_PIPELINE_ROLE]
    admin = grant({"AWS": root(B)}, [
        "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
        "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
        "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"], sid="RootUserKeyManagement", resource="*")
    use = grant({"AWS": use_principals}, KMS_USE, sid="EnableUseOfArtifactStoreEncryptionKey", resource="*")
    grants = grant({"AWS": use_principals}, KMS_GRANT, sid="EnableGrantOfArtifactStoreEncryptionKey", resource="*",
                   condition={"Bool": {"kms:GrantIsForAWSResource": "true"}})
    if mode == "key-policy-missing-a":
        use = grant({"AWS": [S4_PIPELINE_ROLE]}, KMS_USE, sid="EnableUseOfArtifactStoreEncryptionKey", resource="*")
        grants = grant({"AWS": [S4_PIPELINE_ROLE]}, KMS_GRANT, sid="EnableGrantOfArtifactStoreEncryptionKey",
                       resource="*", condition={"Bool": {"kms:GrantIsForAWSResource": "true"}})
        statements = [admin, use, grants]
    elif mode == "key-policy-missing-grant":
        statements = [admin, use]
    else:
        statements = [admin, use, grants]
    alias = f"alias/{repository}-artifacts"
    cmk = b.key(f"s4/{repository}", [alias], {"Version": V, "Statement": statements},
                description=f"CodePipeline artifact store key for {name}")
    s4_keys.append(cmk)
    store_key = cmk
    if mode == "aws-managed-key":
        store_key = aws_s3_key_b
    elif mode == "key-alias":
        store_key = alias
    bucket_principal = [root(A), S4_PIPELINE_ROLE]
    if mode == "bucket-policy-missing-a":
        bucket_principal = [S4_PIPELINE_ROLE]
    b.bucket(bucket, kms_key=store_key if mode != "key-alias" else cmk, policy=doc(
        grant({"AWS": bucket_principal}, ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl"],
              sid="AllowArtifactReadWrite", resource=f"arn:aws:s3:::{bucket}/*"),
        grant({"AWS": bucket_principal}, ["s3:ListBucket", "s3:GetBucketVersioning", "s3:GetBucketLocation"],
              sid="AllowArtifactBucketList", resource=f"arn:aws:s3:::{bucket}"),
    ))
    action_role = role_arn(A, LEGACY_XACCT_ROLE if mode == "action-role-untrusted" else XACCT_ROLE)
    a.repo(repository, policy=doc(grant({"AWS": root(B)}, PULL, sid="AllowPullFromDeliveryAccount")),
           images=[(["latest"], "2026-11-19T10:00:00Z")])
    b.pipeline(name, S4_PIPELINE_ROLE, bucket, [
        stage("Source", action("ContainerImageDefinition", "Source", "ECR",
                               {"RepositoryName": repository, "ImageTag": "latest"},
                               role=action_role, outputs=["ImageArtifact"], run_order=2)),
        stage("Deploy", action("DeployToEcs", "Deploy", "ECS", {
            "ClusterName": "prod-apps", "ServiceName": repository, "FileName": "imagedefinitions.json"},
            inputs=["ImageArtifact"])),
    ], key=store_key)

b.role(S4_PIPELINE_ROLE_NAME, trust_service("codepipeline.amazonaws.com"), path="/service-role/", inline={
    "cross-account-pipeline": doc(
        allow("sts:AssumeRole", [role_arn(A, XACCT_ROLE), role_arn(A, LEGACY_XACCT_ROLE)], sid="AssumeSourceRoles"),
        allow(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning", "s3:ListBucket"],
              [f"arn:aws:s3:::{bk}" for bk in s4_buckets] + [f"arn:aws:s3:::{bk}/*" for bk in s4_buckets],
              sid="ArtifactStore"),
        allow(KMS_USE, s4_keys + [aws_s3_key_b], sid="ArtifactKeys"),
        allow(["ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:DescribeTasks", "ecs:ListTasks",
               "ecs:RegisterTaskDefinition", "ecs:UpdateService"], "*", sid="EcsDeploy"),
        allow("iam:PassRole", "*", sid="PassRolesToEcs",
              condition={"StringEqualsIfExists": {"iam:PassedToService": ["ecs-tasks.amazonaws.com"]}}),
    )})
s4_action_policy = doc(
    allow(["ecr:DescribeImages"] + PULL, [repo_arn(A, r) for r, _ in S4], sid="ReadSourceImages"),
    allow(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:GetBucketVersioning",
           "s3:ListBucket"],
          [f"arn:aws:s3:::{bk}" for bk in s4_buckets] + [f"arn:aws:s3:::{bk}/*" for bk in s4_buckets],
          sid="ArtifactStoreInAccountB"),
    allow(KMS_USE + KMS_GRANT, f"arn:aws:kms:{R}:{B}:key/*", sid="ArtifactKeysInAccountB"),
)
a.role(XACCT_ROLE, trust_aws(root(B)), inline={"artifact-store-access": s4_action_policy})
a.role(LEGACY_XACCT_ROLE, trust_service("codepipeline.amazonaws.com"),
       inline={"artifact-store-access": s4_action_policy})
S4_STORY = (
    "Account B's pipeline {name} (service role codepipeline-cross-account-service-role) reads its ECR source "
    "{repo} from account A: the source action ContainerImageDefinition sets role_arn to an A role, which must "
    "trust B, pull from A's repository, read and write B's artifact bucket {bucket}, and use B's artifact key. ")


def s4(sid, repository, title, tail, verdict, failing=()):
    name = f"{repository}-release"
    story = S4_STORY.format(name=name, repo=repository, bucket=f"{repository}-release-artifacts-{B}") + tail
    scenario(sid, "S4", title, story,
             {"kind": "artifact", "pipeline": pipeline_arn(B, name), "action": "ContainerImageDefinition"},
             verdict, failing)


s4("s4-fixed", "api-server", "api-server-release reads A's image and writes B's artifacts",
   "Everything is in place: cross-account-codepipeline-access trusts B, the customer managed key "
   "alias/api-server-artifacts (referenced by ARN) allows account A to use it and to create grants for AWS "
   "resources, and the bucket policy allows account A.", "works")
s4("s4-broken", "report-generator", "report-generator-release uses the AWS managed aws/s3 key",
   "The artifact store is encrypted with B's AWS managed key alias/aws/s3. Its key policy only serves callers in "
   "account B through S3 and cannot be changed, so the action role in A cannot use it: 'The ciphertext refers to a "
   "customer master key that does not exist, does not exist in this region, or you are not allowed to access'.",
   "fails", ["artifact-key-customer-managed", "artifact-key-policy-allows"])
s4("s4-key-policy-broken", "admin-console", "admin-console-release's key policy does not name account A",
   "The customer managed key alias/admin-console-artifacts allows only the pipeline's service role; account A "
   "appears in neither the use statement nor the grant statement.", "fails", ["artifact-key-policy-allows"])
s4("s4-key-grant-broken", "mobile-bff", "mobile-bff-release's key policy lacks the grant statement",
   "The key alias/mobile-bff-artifacts allows account A kms:Encrypt/Decrypt/ReEncrypt*/GenerateDataKey*/"
   "DescribeKey, but has no kms:CreateGrant/ListGrants/RevokeGrant statement under Bool "
   "kms:GrantIsForAWSResource = true.", "fails", ["artifact-key-policy-allows"])
s4("s4-alias-broken", "search-indexer", "search-indexer-release names its artifact key by alias",
   "The key and its policy are correct, but artifactStore.encryptionKey.id is alias/search-indexer-artifacts: "
   "aliases resolve only in the key's own account, so the action in account A cannot find the key.",
   "fails", ["artifact-key-alias"])
s4("s4-bucket-policy-broken", "pdf-renderer", "pdf-renderer-release's bucket policy does not allow account A",
   "The key is fine, but the artifact bucket's policy allows only the pipeline's service role; the action role "
   "in A gets 'Amazon S3:AccessDenied' writing the source artifact.", "fails", ["artifact-bucket-policy-allows"])
s4("s4-action-role-broken", "order-worker", "order-worker-release's action role does not trust B",
   "The source action's role_arn is A's codepipeline-ecr-source-legacy, whose trust policy allows only the "
   "service principal codepipeline.amazonaws.com, not account B, so the pipeline cannot assume it.",
   "fails", ["action-role-assumable"])

# ------------------------------------------------------------------ S5: deny-only repository policy (account A)
P = "lockdown"
CB5 = role_arn(A, f"{P}-codebuild-role")
TASK5 = role_arn(A, f"{P}-fargate-task-execution-role")
FN5 = role_arn(A, f"{P}-ecr-cleanup-function-role")
EC25 = role_arn(A, f"{P}-ec2-instance-role")
a.role(f"{P}-codebuild-role", trust_service("codebuild.amazonaws.com"),
       attached=[a.aws_policy("AmazonEC2ContainerRegistryPowerUser")], inline={
        "PipelineExecutionPolicy": doc(
            allow("ssm:GetParameters", [f"arn:aws:ssm:{R}:{A}:parameter/{P}-dockerhub-password",
                                        f"arn:aws:ssm:{R}:{A}:parameter/{P}-dockerhub-username"]),
            allow(["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketAcl", "s3:GetBucketLocation"],
                  [f"arn:aws:s3:::{P}-artifacts-{A}", f"arn:aws:s3:::{P}-artifacts-{A}/*"]))})
a.role(f"{P}-fargate-task-execution-role", trust_service("ecs-tasks.amazonaws.com"),
       attached=[a.aws_policy("AmazonECSTaskExecutionRolePolicy")])
a.role(f"{P}-ecr-cleanup-function-role", trust_service("lambda.amazonaws.com"),
       attached=[a.aws_policy("AWSLambdaBasicExecutionRole")], inline={
        "DeleteImagesPolicy": doc(allow(["ecr:ListImages", "ecr:BatchDeleteImage"], repo_arn(A, f"{P}-app")))})
a.role(f"{P}-ec2-instance-role", trust_service("ec2.amazonaws.com"),
       attached=[a.aws_policy("AmazonSSMManagedInstanceCore"), a.aws_policy("AmazonEC2ContainerRegistryFullAccess")])
a.project(f"{P}-app-build", CB5, privileged=True)
# The seed's template: statements 1 and 2 test aws:SourceArn, which a role's own call never carries.
a.repo(f"{P}-app", policy=doc(
    grant("*", PUSH, effect="Deny", condition={"ArnLike": {"aws:SourceArn": CB5}}),
    grant("*", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], effect="Deny",
          condition={"ArnLike": {"aws:SourceArn": TASK5}}),
    {"Effect": "Deny", "Principal": "*", "NotAction": ["ecr:BatchDeleteImage", "ecr:ListImages"],
     "Condition": {"ArnEquals": {"aws:PrincipalArn": FN5}}},
    grant("*", "*", effect="Deny", condition={"ArnNotEquals": {"aws:PrincipalArn": [CB5, TASK5, FN5]}}),
))
a.repo(f"{P}-app-v2", policy=doc(
    grant("*", PUSH, sid="OnlyCodeBuildPushes", effect="Deny",
          condition={"ArnNotEquals": {"aws:PrincipalArn": CB5}}),
    grant("*", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], sid="OnlyRuntimesPull", effect="Deny",
          condition={"ArnNotEquals": {"aws:PrincipalArn": [TASK5, EC25]}}),
    {"Sid": "CleanupOnlyDeletes", "Effect": "Deny", "Principal": "*",
     "NotAction": ["ecr:BatchDeleteImage", "ecr:ListImages"],
     "Condition": {"ArnEquals": {"aws:PrincipalArn": FN5}}},
    grant("*", "*", sid="EveryoneElseOut", effect="Deny",
          condition={"ArnNotEquals": {"aws:PrincipalArn": [CB5, TASK5, FN5, EC25]}}),
))
EC2_SESSION = session(A, f"{P}-ec2-instance-role", "i-0a1b2c3d4e5f67890")
S5_STORY = ("Account A's repository {repo} has a policy of Deny statements only, with Principal '*': push only "
            "for the CodeBuild role, pull only for the Fargate task execution role, delete/list only for a cleanup "
            "Lambda role, and Deny '*' for every other aws:PrincipalArn. An EC2 instance role with "
            "AmazonEC2ContainerRegistryFullAccess pulls an image. ")
scenario("s5-broken", "S5", "The EC2 instance role is explicitly denied by lockdown-app's policy",
         S5_STORY.format(repo=f"{P}-app") + "The last statement (ArnNotEquals aws:PrincipalArn) matches the instance "
         "role: '… is not authorized to perform: ecr:BatchGetImage … with an explicit deny in a resource-based "
         "policy'. (The first two statements test aws:SourceArn, which a role's own call never carries, so they "
         "never match.)",
         {"kind": "pull", "principal": EC2_SESSION, "repository": repo_arn(A, f"{P}-app"), "tag": "latest"},
         "fails", ["explicit-deny"])
scenario("s5-fixed", "S5", "lockdown-app-v2 exempts the EC2 instance role",
         S5_STORY.format(repo=f"{P}-app-v2") + "In v2 every condition uses aws:PrincipalArn and the instance role is "
         "among the principals exempted from the pull and catch-all denies.",
         {"kind": "pull", "principal": EC2_SESSION, "repository": repo_arn(A, f"{P}-app-v2"), "tag": "latest"},
         "works")
scenario("s5-task-role-works", "S5", "The Fargate task execution role still pulls from lockdown-app",
         S5_STORY.format(repo=f"{P}-app") + "The task execution role is one of the exempted principal ARNs, and the "
         "aws:SourceArn statement meant for it never matches, so its pull works.",
         {"kind": "pull", "principal": session(A, f"{P}-fargate-task-execution-role", "6f1c0e2b9a8d4c7e"),
          "repository": repo_arn(A, f"{P}-app"), "tag": "latest"},
         "works")

# ------------------------------------------------------------------ S6: least-privilege push from CI (account A)


def ci_push_role(name, repository, token_resource="*", actions=PUSH):
    a.role(name, trust_service("codebuild.amazonaws.com"), path="/", inline={
        f"ecr-push-{repository}": doc(
            allow(["ecr:GetAuthorizationToken"], token_resource, sid="GetAuthorizationToken"),
            allow(actions, repo_arn(A, repository), sid="PushImageOnly"))})
    a.project(f"{repository}-build", role_arn(A, name), privileged=True)
    a.repo(repository, images=[(["latest"], "2026-11-17T12:00:00Z")])
    return session(A, name, "AWSCodeBuild-" + key_id("s6/" + name))


s6_fixed = ci_push_role("ci-push-web-frontend", "web-frontend")
# An IAM user with long-lived keys, the way release jobs pushed before roles: its group's
# managed policy lets it pull and push web-frontend (What can? / Who can push? on a user).
a.group("release-publishers", attached=[a.managed_policy(
    f"arn:aws:iam::{A}:policy/release-publish-web-frontend", "release-publish-web-frontend", "v1",
    doc(allow(["ecr:GetAuthorizationToken"], ["*"], sid="RegistryLogin"),
        allow(PULL + [x for x in PUSH if x not in PULL], [repo_arn(A, "web-frontend")], sid="PublishWebFrontend")))])
a.user("release-bot", path="/ci/", groups=["release-publishers"], tags={"team": "release"})
s6_broken = ci_push_role("ci-push-admin-portal", "admin-portal",
                         actions=[x for x in PUSH if x != "ecr:CompleteLayerUpload"])
s6_token = ci_push_role("ci-push-batch-worker", "batch-worker", token_resource=repo_arn(A, "batch-worker"))
S6_STORY = ("CI in account A pushes with the classic least-privilege policy: ecr:GetAuthorizationToken on '*' "
            "plus BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload and "
            "PutImage on the repository ARN. ")
scenario("s6-fixed", "S6", "ci-push-web-frontend pushes web-frontend", S6_STORY + "The policy is complete.",
         {"kind": "push", "principal": s6_fixed, "repository": repo_arn(A, "web-frontend"), "tag": "latest"}, "works")
scenario("s6-broken", "S6", "ci-push-admin-portal lacks ecr:CompleteLayerUpload",
         S6_STORY + "admin-portal's policy lost ecr:CompleteLayerUpload in a refactor; docker push retries every "
         "layer and fails.",
         {"kind": "push", "principal": s6_broken, "repository": repo_arn(A, "admin-portal"), "tag": "latest"},
         "fails", ["push-actions"])
scenario("s6-token-broken", "S6", "ci-push-batch-worker scopes GetAuthorizationToken to the repository",
         S6_STORY + "batch-worker's policy puts ecr:GetAuthorizationToken on the repository ARN; the token is "
         "registry-wide and only matches Resource '*', so docker login fails.",
         {"kind": "push", "principal": s6_token, "repository": repo_arn(A, "batch-worker"), "tag": "latest"},
         "fails", ["auth-token"])

# ------------------------------------------------------------------ extras: KMS-encrypted repositories (account A)
for repository, role, seed, state, deletion, sid, title, verdict, failing in [
    ("legacy-reports", "reports-task-execution-role", "ecr/legacy-reports", "Disabled", None,
     "ext-kms-disabled-broken", "legacy-reports is encrypted with a disabled KMS key", "fails", ["kms-key-state"]),
    ("analytics-etl", "analytics-task-execution-role", "ecr/analytics-etl", "PendingDeletion", "2026-11-27T00:00:00Z",
     "ext-kms-pending-deletion-broken", "analytics-etl's KMS key is pending deletion", "fails", ["kms-key-state"]),
    ("billing-api", "billing-task-execution-role", "ecr/billing-api", "Enabled", None,
     "ext-kms-fixed", "billing-api's KMS key is enabled", "works", []),
]:
    cmk = a.key(seed, [f"alias/ecr/{repository}"], a.default_key_policy(), state=state, deletion_date=deletion,
                description=f"ECR encryption key for {repository}")
    a.repo(repository, kms_key=cmk)
    a.role(role, trust_service("ecs-tasks.amazonaws.com"), attached=[a.aws_policy("AmazonECSTaskExecutionRolePolicy")])
    scenario(sid, "extra", title,
             f"ECS tasks in account A run as {role} (AmazonECSTaskExecutionRolePolicy) and pull {repository}, a "
             f"KMS-encrypted repository whose key alias/ecr/{repository} is {state}. "
             + ("ECR cannot decrypt the layers, so the pull fails." if verdict == "fails" else "The pull works."),
             {"kind": "pull", "principal": session(A, role, key_id(role)[:16].replace("-", "")),
              "repository": repo_arn(A, repository), "tag": "latest"},
             verdict, failing)

# ------------------------------------------------------------------ extras: KMS access on its own (explain access)
SECRETS_ROLE = "secrets-reader-task-role"
a.role(SECRETS_ROLE, trust_service("ecs-tasks.amazonaws.com"), inline={
    "read-shared-secrets": doc(allow(["kms:Decrypt", "kms:DescribeKey"], f"arn:aws:kms:{R}:{B}:key/*",
                                     sid="DecryptSharedSecrets"))})
SECRETS_STORY = (f"ECS tasks in account A run as {SECRETS_ROLE}, whose policy allows kms:Decrypt on B's keys; "
                 "they decrypt configuration B encrypts for them. ")
for seed, state, grants, sid, title, verdict, failing, tail in [
    ("secrets/granted", "Enabled", [("shared-secrets-reader", role_arn(A, SECRETS_ROLE), ["Decrypt", "DescribeKey"])],
     "ext-kms-access-fixed", "A's task role decrypts with B's key through a grant", "works", [],
     "B's key policy names only B, but a grant gives the task role Decrypt: grants need neither the key policy nor IAM."),
    ("secrets/ungranted", "Enabled", [],
     "ext-kms-access-broken", "A's task role cannot decrypt with B's key", "fails", ["resource-policy-allows"],
     "B's key policy names only B and no grant names the role: KMS refuses with '… because no resource-based "
     "policy allows the kms:Decrypt action'."),
    ("secrets/disabled", "Disabled", [("shared-secrets-reader", role_arn(A, SECRETS_ROLE), ["Decrypt"])],
     "ext-kms-access-disabled-broken", "A's task role cannot decrypt: B's key is disabled", "fails", ["kms-key-state"],
     "A grant gives the role Decrypt, but the key is Disabled: KMS refuses every cryptographic call."),
]:
    secrets_key = b.key(seed, [f"alias/{seed}"], b.default_key_policy(), state=state, grants=grants,
                        description=f"Shared configuration key ({seed})")
    scenario(sid, "extra", title, SECRETS_STORY + tail,
             {"kind": "access", "principal": session(A, SECRETS_ROLE, "ecs-task-5a1f"), "action": "kms:Decrypt",
              "resource": secrets_key},
             verdict, failing)

# ------------------------------------------------------------------ extras: cross-account replication (A's registry into B's)
a.replication = loaded([{"destinations": [{"region": R, "registry_id": B}],
                         "repository_filters": ["release/", "mirror/", "secure/"]}])
b.registry_policy = loaded(doc(
    grant({"AWS": root(A)}, ["ecr:ReplicateImage", "ecr:CreateRepository"], sid="ReplicationFromBuilds",
          resource=[f"arn:aws:ecr:{R}:{B}:repository/release/*", f"arn:aws:ecr:{R}:{B}:repository/hotfix/*",
                    f"arn:aws:ecr:{R}:{B}:repository/secure/*"]),
    grant({"AWS": root(A)}, "ecr:ReplicateImage", sid="MirrorIntoExistingRepositories",
          resource=f"arn:aws:ecr:{R}:{B}:repository/mirror/*"),
))
REPLICATION_STORY = ("Account A's registry replicates repositories starting with release/, mirror/ and secure/ to B's "
                     "registry in the same region. B's registry policy lets A replicate into release/*, hotfix/* and "
                     "secure/* (creating repositories as needed) and into existing mirror/* repositories only. B's "
                     "creation templates for replication encrypt new release/ repositories with the KMS key "
                     "release-images and new secure/ repositories with secure-images. ")
# B's creation templates: the replication role may use release-images (the default key policy hands KMS
# decisions to IAM), but secure-images' policy names only its admins and the payments role.
RELEASE_KEY = b.key("release-images", ["alias/release-images"], b.default_key_policy(),
                    description="Images replicated into release/")
SECURE_KEY = b.key("secure-images", ["alias/secure-images"], doc(
    grant({"AWS": role_arn(B, "security-key-admin")}, "kms:*", sid="KeyAdministrators", resource="*"),
    grant({"AWS": role_arn(B, "payments-task-role")}, ["kms:Decrypt", "kms:DescribeKey"], sid="PaymentsUse",
          resource="*")), description="Images replicated into secure/")
b.creation_templates = loaded([
    {"prefix": "release", "applied_for": ["REPLICATION"], "encryption_type": "KMS", "kms_key": RELEASE_KEY},
    {"prefix": "secure", "applied_for": ["REPLICATION"], "encryption_type": "KMS", "kms_key": SECURE_KEY},
    {"prefix": "hotfix", "applied_for": ["CREATE_ON_PUSH"]},
])
for sid, repository, title, verdict, failing, tail in [
    ("ext-replicate-fixed", "release/api", "A's release/api replicates into B", "works", [],
     "A's rule covers release/api, B's policy allows ecr:ReplicateImage and ecr:CreateRepository for it, and the "
     "release template's key lets ECR's replication role make its grants."),
    ("ext-template-key-broken", "secure/payments", "A's secure/payments cannot be created in B", "fails",
     ["destination-key-usable"],
     "A's rule covers secure/payments and B's policy lets A create it, but the secure template encrypts it with "
     "secure-images, whose key policy does not let ECR's replication role (AWSServiceRoleForECRReplication) create "
     "grants: the repository cannot be created, so nothing replicates."),
    ("ext-replicate-policy-broken", "mirror/tools", "A's mirror/tools cannot replicate into B", "fails",
     ["registry-policy-allows"],
     "mirror/tools does not exist in B yet, and B's policy grants only ecr:ReplicateImage there: the first "
     "replication fails on ecr:CreateRepository (ECR Replication Action result FAILURE)."),
    ("ext-replicate-filter-broken", "hotfix/api", "A's hotfix/api never replicates", "fails",
     ["replication-rule-matches"],
     "B would accept hotfix/api, but A's replication rule filters on release/, mirror/ and secure/ only: nothing "
     "is sent."),
]:
    scenario(sid, "extra", title, REPLICATION_STORY + tail,
             {"kind": "replicate", "source": A, "destination": B, "repository": repository},
             verdict, failing)

# ------------------------------------------------------------------ extras: pull-through cache (B caches A's ECR and Docker Hub)
PTC = "pullthroughcache.ecr.amazonaws.com"
b.role("ecr-ptc-upstream-role", trust_service(PTC), inline={
    "read-upstream": doc(allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                               "*", sid="ReadUpstreamImages"))})
# The legacy rule's role was copied from a replication setup: it trusts ecr.amazonaws.com, not the cache.
b.role("ecr-ptc-legacy-role", trust_service("ecr.amazonaws.com"), inline={
    "read-upstream": doc(allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "*"))})
b.role("ptc-puller-role", trust_service("ecs-tasks.amazonaws.com"), inline={
    "pull-through": doc(
        allow(["ecr:GetAuthorizationToken"], "*", sid="Login"),
        allow(PULL + ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
              [f"arn:aws:ecr:{R}:{B}:repository/upstream-a/*", f"arn:aws:ecr:{R}:{B}:repository/legacy-a/*",
               f"arn:aws:ecr:{R}:{B}:repository/docker-hub/*"], sid="PullThroughCache"))})
b.role("ptc-reader-role", trust_service("ecs-tasks.amazonaws.com"), inline={
    "pull-only": doc(allow(["ecr:GetAuthorizationToken"], "*", sid="Login"),
                     allow(PULL, f"arn:aws:ecr:{R}:{B}:repository/upstream-a/*", sid="PullCachedImages"))})
b.pull_through_rules = loaded([
    {"prefix": "upstream-a", "upstream_url": f"{A}.dkr.ecr.{R}.amazonaws.com", "upstream_kind": "ecr",
     "custom_role_arn": role_arn(B, "ecr-ptc-upstream-role")},
    {"prefix": "legacy-a", "upstream_url": f"{A}.dkr.ecr.{R}.amazonaws.com", "upstream_kind": "ecr",
     "custom_role_arn": role_arn(B, "ecr-ptc-legacy-role")},
    {"prefix": "docker-hub", "upstream_url": "registry-1.docker.io", "upstream_kind": "docker-hub",
     "credential_arn": f"arn:aws:secretsmanager:{R}:{B}:secret:dockerhub-credentials-Ab12Cd"},
])
a.registry_policy = loaded(doc(
    grant({"AWS": root(B)}, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], sid="PullThroughCacheFromB",
          resource=f"arn:aws:ecr:{R}:{A}:repository/base/*")))
a.repo("base/python", images=[(["3.12-slim"], "2026-11-20T03:00:00Z")])
a.repo("tools/jq", images=[(["1.7"], "2026-11-02T03:00:00Z")])
PTC_STORY = ("B's registry has pull-through cache rules: upstream-a/ and legacy-a/ cache A's registry (ECR to ECR, "
             "each through its own custom role), docker-hub/ caches Docker Hub. A's registry policy lets B's "
             "account read base/* only. ECS tasks in B pull through the cache; the first pull creates the cache "
             "repository. ")
for sid, principal, repository, title, verdict, failing, tail in [
    ("ext-ptc-fixed", "ptc-puller-role", "upstream-a/base/python", "B's cache fills upstream-a/base/python from A",
     "works", [],
     "The rule matches, its role trusts pullthroughcache.ecr.amazonaws.com and may read A's images, A's registry "
     "policy lets B read base/python, and ptc-puller-role may import it and create the cache repository."),
    ("ext-ptc-puller-broken", "ptc-reader-role", "upstream-a/base/python", "ptc-reader-role cannot fill the cache",
     "fails", ["pull-through-puller-allows"],
     "ptc-reader-role may pull cached images, but not ecr:BatchImportUpstreamImage or ecr:CreateRepository: its "
     "first pull of an image not cached yet fails."),
    ("ext-ptc-upstream-broken", "ptc-puller-role", "upstream-a/tools/jq", "A's registry refuses B's cache for tools/jq",
     "fails", ["registry-policy-allows"],
     "A's registry policy grants B's account base/* only: ECR cannot read tools/jq upstream."),
    ("ext-ptc-trust-broken", "ptc-puller-role", "legacy-a/base/python", "The legacy rule's role does not trust the cache",
     "fails", ["pull-through-role-trusts"],
     "ecr-ptc-legacy-role trusts ecr.amazonaws.com, not pullthroughcache.ecr.amazonaws.com: ECR cannot assume it "
     "to read A's registry."),
    ("ext-ptc-secret-broken", "ptc-puller-role", "docker-hub/library/nginx", "The Docker Hub rule's secret is misnamed",
     "fails", ["pull-through-rule-matches"],
     "The docker-hub rule's credentials are in dockerhub-credentials; ECR reads only secrets named "
     "ecr-pullthroughcache/…, so every pull of an uncached image fails."),
]:
    scenario(sid, "extra", title, PTC_STORY + tail,
             {"kind": "pull_through", "principal": role_arn(B, principal), "repository": repo_arn(B, repository)},
             verdict, failing)

# ------------------------------------------------------------------ extras: tag immutability (account A)
a.role("ci-push-payments", trust_service("codebuild.amazonaws.com"), attached=[a.customer_policy(
    "ecr-push-payments", doc(allow(["ecr:GetAuthorizationToken"], "*", sid="GetAuthorizationToken"),
                             allow(PUSH, [repo_arn(A, "payments-ledger"), repo_arn(A, "payments-gateway")],
                                   sid="PushPayments")), path="/ci/")])
a.project("payments-build", role_arn(A, "ci-push-payments"), privileged=True)
a.repo("payments-ledger", immutable=True, images=[(["v1.4.0"], "2026-11-10T07:30:00Z"),
                                                  (["v1.3.2"], "2026-10-22T07:30:00Z")])
a.repo("payments-gateway", immutable=True, images=[(["v2.0.0"], "2026-11-11T07:30:00Z")])
PAYMENTS_SESSION = session(A, "ci-push-payments", "AWSCodeBuild-2d4f6a8c-0e1f-4a3b-9c5d-7e9f1a3b5c7d")
scenario("ext-tag-immutable-broken", "extra", "Re-pushing v1.4.0 to the immutable payments-ledger",
         "payments-ledger has tag immutability on and already holds v1.4.0; a rebuild pushes the same tag and ECR "
         "refuses it with ImageTagAlreadyExistsException. Permissions are fine.",
         {"kind": "push", "principal": PAYMENTS_SESSION, "repository": repo_arn(A, "payments-ledger"),
          "tag": "v1.4.0"}, "fails", ["tag-immutability"])
scenario("ext-tag-immutable-fixed", "extra", "Pushing the new tag v2.0.1 to the immutable payments-gateway",
         "payments-gateway is immutable too, but the release pushes a new tag.",
         {"kind": "push", "principal": PAYMENTS_SESSION, "repository": repo_arn(A, "payments-gateway"),
          "tag": "v2.0.1"}, "works")

# ------------------------------------------------------------------ extras: Lambda pulls a container image from B
LAMBDA_SOURCE = f"arn:aws:lambda:{R}:{A}:function:"
a.role("thumbnail-generator-role", trust_service("lambda.amazonaws.com"),
       attached=[a.aws_policy("AWSLambdaBasicExecutionRole")])
a.role("image-resize-role", trust_service("lambda.amazonaws.com"),
       attached=[a.aws_policy("AWSLambdaBasicExecutionRole")])
lambda_account_grant = grant({"AWS": root(A)}, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                             sid="CrossAccountPermission")
b.repo("lambda-images/thumbnail", policy=doc(lambda_account_grant))
b.repo("lambda-images/resize", policy=doc(
    lambda_account_grant,
    grant({"Service": "lambda.amazonaws.com"}, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          sid="LambdaECRImageCrossAccountRetrievalPolicy",
          condition={"StringLike": {"aws:sourceARN": LAMBDA_SOURCE + "*"}}),
))
scenario("ext-lambda-pull-broken", "extra", "Lambda in A cannot use B's lambda-images/thumbnail",
         "A's function thumbnail-generator uses a container image from B. B's repository policy allows account A "
         "(which lets the function be created) but has no statement for the service principal "
         "lambda.amazonaws.com with aws:sourceARN, which Lambda uses to fetch the image.",
         {"kind": "pull", "principal": "lambda.amazonaws.com", "repository": repo_arn(B, "lambda-images/thumbnail"),
          "tag": "latest", "source_arn": LAMBDA_SOURCE + "thumbnail-generator"},
         "fails", ["resource-policy-allows"])
scenario("ext-lambda-pull-fixed", "extra", "Lambda in A uses B's lambda-images/resize",
         "B's lambda-images/resize allows account A and lambda.amazonaws.com with StringLike aws:sourceARN "
         f"{LAMBDA_SOURCE}*.",
         {"kind": "pull", "principal": "lambda.amazonaws.com", "repository": repo_arn(B, "lambda-images/resize"),
          "tag": "latest", "source_arn": LAMBDA_SOURCE + "image-resize"},
         "works")

# ------------------------------------------------------------------ extras: ECS task execution role in B pulls from A
a.repo("shared/fluent-bit", images=[(["latest", "3.1"], "2026-10-01T00:00:00Z")])
a.repo("shared/nginx-base", policy=doc(grant({"AWS": role_arn(B, "ecsTaskExecutionRole")}, PULL,
                                             sid="AllowAccountBTaskExecution")),
       images=[(["latest", "1.27"], "2026-10-05T00:00:00Z")])
ECS_B_SESSION = session(B, "ecsTaskExecutionRole", "8d2c4e6f0a1b4c3d9e8f7a6b5c4d3e2f")
scenario("ext-ecs-pull-broken", "extra", "B's ECS tasks cannot pull A's shared/fluent-bit",
         "B's task execution role (AmazonECSTaskExecutionRolePolicy: pull actions on '*') pulls a sidecar from A's "
         "shared/fluent-bit, which has no repository policy: cross-account, nothing on the resource side allows it. "
         "Tasks stop with CannotPullContainerError.",
         {"kind": "pull", "principal": ECS_B_SESSION, "repository": repo_arn(A, "shared/fluent-bit"), "tag": "latest"},
         "fails", ["resource-policy-allows"])
scenario("ext-ecs-pull-fixed", "extra", "B's ECS tasks pull A's shared/nginx-base",
         "A's shared/nginx-base grants the pull actions to B's ecsTaskExecutionRole.",
         {"kind": "pull", "principal": ECS_B_SESSION, "repository": repo_arn(A, "shared/nginx-base"), "tag": "latest"},
         "works")

# ------------------------------------------------------------------ extras: identity side and missing repository
a.role("data-pipeline-role", trust_service("ecs-tasks.amazonaws.com"), inline={
    "pull-own-images": doc(allow(["ecr:GetAuthorizationToken"], "*"),
                           allow(PULL, f"arn:aws:ecr:{R}:{A}:repository/*"))})
b.repo("shared-libs/python-base", policy=doc(grant({"AWS": root(A)}, PULL, sid="AllowAccountA")))
scenario("ext-identity-broken", "extra", "data-pipeline-role may only pull from its own account",
         "B's shared-libs/python-base allows account A, which delegates to A's identity policies; "
         "data-pipeline-role's policy allows pulls only from repositories in A.",
         {"kind": "pull", "principal": session(A, "data-pipeline-role", "4b1f9e0c2d3a4e5f"),
          "repository": repo_arn(B, "shared-libs/python-base"), "tag": "latest"},
         "fails", ["identity-allows"])
a.role("ml-training-role", trust_service("sagemaker.amazonaws.com"), inline={
    "pull-training-images": doc(allow(["ecr:GetAuthorizationToken"], "*"),
                                allow(PULL, f"arn:aws:ecr:{R}:{B}:repository/ml/*"))})
b.repo("ml/trainer-cpu", policy=doc(grant({"AWS": role_arn(A, "ml-training-role")}, PULL, sid="AllowTraining")))
scenario("ext-repo-missing-broken", "extra", "ml/trainer-gpu does not exist in B",
         "A training job asks for ml/trainer-gpu in account B; only ml/trainer-cpu exists. ECR answers "
         "RepositoryNotFoundException, which docker reports as 'repository does not exist or may require docker "
         "login'.",
         {"kind": "pull", "principal": session(A, "ml-training-role", "SageMaker"),
          "repository": repo_arn(B, "ml/trainer-gpu"), "tag": "latest"},
         "fails", ["repository-exists"])

# ------------------------------------------------------------------ pasted error texts
scenario("err-s1-denied", "S1", "Pasted: the S1 docker pull denial",
         "The user pastes the build log line of s1-broken.",
         {"kind": "error", "text": f"denied: User: {S1_SESSION} is not authorized to perform: ecr:BatchGetImage on "
                                   f"resource: {repo_arn(B, 'source-repo')} because no resource-based policy allows "
                                   "the ecr:BatchGetImage action"},
         "fails", ["resource-policy-allows", "service-principal-only"])
scenario("err-s5-explicit-deny", "S5", "Pasted: the S5 explicit deny",
         "The user pastes the docker error of s5-broken.",
         {"kind": "error", "text": "Error response from daemon: pull access denied for "
                                   f"{repo_uri(A, P + '-app')}, repository does not exist or may require 'docker "
                                   f"login': denied: User: {EC2_SESSION} is not authorized to perform: "
                                   f"ecr:BatchGetImage on resource: {repo_arn(A, P + '-app')} with an explicit deny "
                                   "in a resource-based policy"},
         "fails", ["explicit-deny"])
scenario("err-s6-token", "S6", "Pasted: GetAuthorizationToken denied",
         "The user pastes the CLI error of s6-token-broken.",
         {"kind": "error", "text": "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken "
                                   f"operation: User: {s6_token} is not authorized to perform: "
                                   "ecr:GetAuthorizationToken on resource: * because no identity-based policy allows "
                                   "the ecr:GetAuthorizationToken action"},
         "fails", ["auth-token"])
scenario("err-s2-assume", "S2", "Pasted: AssumeRole denied",
         "The user pastes the CLI error of s2-broken (AssumeRole denials still use the legacy form).",
         {"kind": "error", "text": "An error occurred (AccessDenied) when calling the AssumeRole operation: User: "
                                   f"{DEPLOY_SESSION} is not authorized to perform: sts:AssumeRole on resource: "
                                   f"{role_arn(B, 'assume-role-from-codebuild')}"},
         "fails", ["trust-policy-allows"])

# ------------------------------------------------------------------ ordinary resources (not part of any scenario)
ORG_MANAGEMENT = "999999999999"
for acct in (a, b):
    acct.role("OrganizationAccountAccessRole", trust_aws(root(ORG_MANAGEMENT)),
              attached=[acct.aws_policy("AdministratorAccess")])
    acct.role("AWSServiceRoleForECS", trust_service("ecs.amazonaws.com"), path="/aws-service-role/ecs.amazonaws.com/",
              attached=[acct.aws_policy("AmazonECSServiceRolePolicy")])
    acct.role("AWSServiceRoleForAutoScaling", trust_service("autoscaling.amazonaws.com"),
              path="/aws-service-role/autoscaling.amazonaws.com/",
              attached=[acct.aws_policy("AutoScalingServiceRolePolicy")])
    acct.role("AWSServiceRoleForSupport", trust_service("support.amazonaws.com"),
              path="/aws-service-role/support.amazonaws.com/", attached=[acct.aws_policy("AWSSupportServiceRolePolicy")])
    suffix = hashlib.sha1(acct.id.encode()).hexdigest()[:16]
    sso_trust = doc({"Effect": "Allow",
                     "Principal": {"Federated": f"arn:aws:iam::{acct.id}:saml-provider/AWSSSO_{suffix}_DO_NOT_DELETE"},
                     "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                     "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}})
    acct.role(f"AWSReservedSSO_AdministratorAccess_{suffix}", sso_trust,
              path=f"/aws-reserved/sso.amazonaws.com/{R}/", attached=[acct.aws_policy("AdministratorAccess")],
              max_session=43200)
    acct.role(f"AWSReservedSSO_ECRReadOnly_{suffix[::-1]}", sso_trust,
              path=f"/aws-reserved/sso.amazonaws.com/{R}/",
              attached=[acct.aws_policy("AmazonEC2ContainerRegistryReadOnly")], max_session=28800)
    acct.role("rds-monitoring-role", trust_service("monitoring.rds.amazonaws.com"),
              attached=[acct.aws_policy("AmazonRDSEnhancedMonitoringRole")])
    acct.role("ecsInstanceRole", trust_service("ec2.amazonaws.com"),
              attached=[acct.aws_policy("AmazonEC2ContainerServiceforEC2Role"),
                        acct.aws_policy("AmazonSSMManagedInstanceCore")])
    acct.role("datadog-integration-role", trust_aws("arn:aws:iam::464622532012:root",
                                                    {"StringEquals": {"sts:ExternalId": "5f0c2d6e8a9b4c1d"}}),
              inline={"datadog-read": doc(allow(["cloudwatch:Get*", "cloudwatch:List*", "ec2:Describe*",
                                                 "ecs:Describe*", "ecs:List*", "tag:GetResources"]))},
              tags={"vendor": "datadog"})
    acct.role("slack-notifier-lambda-role", trust_service("lambda.amazonaws.com"),
              attached=[acct.aws_policy("AWSLambdaBasicExecutionRole")],
              inline={"read-webhook-secret": doc(allow("secretsmanager:GetSecretValue",
                                                       f"arn:aws:secretsmanager:{R}:{acct.id}:secret:slack/webhook-*"))})

boundary = a.customer_policy("ci-boundary", doc(
    allow(["ecr:*", "s3:*", "logs:*", "sts:AssumeRole", "ssm:GetParameter*"], "*", sid="CiCeiling"),
    {"Sid": "NoIamChanges", "Effect": "Deny", "Action": ["iam:*", "organizations:*"], "Resource": "*"},
), path="/boundaries/")
a.role("github-actions-terraform-plan", doc({
    "Effect": "Allow",
    "Principal": {"Federated": f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                  "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example-corp/infrastructure:*"}}}),
    path="/ci/", boundary=boundary, attached=[a.aws_policy("AmazonEC2ContainerRegistryReadOnly")],
    inline={"terraform-state": doc(allow(["s3:GetObject", "s3:ListBucket"],
                                         [f"arn:aws:s3:::tfstate-{A}", f"arn:aws:s3:::tfstate-{A}/*"]))})
a.role("cost-report-lambda-role", trust_service("lambda.amazonaws.com"),
       attached=[a.aws_policy("AWSLambdaBasicExecutionRole")],
       inline={"cost-explorer": doc(allow(["ce:GetCostAndUsage", "ce:GetCostForecast"]))})
a.role("legacy-jenkins-role", trust_service("ec2.amazonaws.com"), inline_field={"unreadable": {
    "operation": "iam:ListRolePolicies", "code": "AccessDenied",
    "message": f"User: {session(A, 'crossdock-readonly', 'crossdock')} is not authorized to perform: "
               "iam:ListRolePolicies on resource: role legacy-jenkins-role with an explicit deny in a service "
               "control policy",
    "hint": "an SCP protects roles tagged legacy=true; ask the organization admins for read access"}},
    attached_field={"unreadable": {
        "operation": "iam:ListAttachedRolePolicies", "code": "AccessDenied",
        "message": f"User: {session(A, 'crossdock-readonly', 'crossdock')} is not authorized to perform: "
                   "iam:ListAttachedRolePolicies on resource: role legacy-jenkins-role with an explicit deny in a "
                   "service control policy",
        "hint": "an SCP protects roles tagged legacy=true; ask the organization admins for read access"}},
    tags={"legacy": "true"})
for name in ["platform/otel-collector", "platform/envoy", "tools/db-migrate", "tools/k6-loadtest"]:
    a.repo(name, tags={"team": "platform"})
a.repo("sandbox/experiments", policy_field="not_loaded")
a.aws_managed_key("ecr", "Default key that protects my ECR data when no other key is defined")
a.aws_managed_key("s3", "Default key that protects my S3 objects when no other key is defined")
a.key("rds/prod", ["alias/rds-prod"], None, description="RDS storage encryption (prod)", policy_field={"unreadable": {
    "operation": "kms:GetKeyPolicy", "code": "AccessDeniedException",
    "message": f"User: {session(A, 'crossdock-readonly', 'crossdock')} is not authorized to perform: "
               "kms:GetKeyPolicy on this resource because the resource does not exist in this Region, no "
               "resource-based policies allow access, or a resource-based policy explicitly denies access",
    "hint": "the key policy of alias/rds-prod does not let account principals read it; crossdock needs kms:GetKeyPolicy"}})
a.project("terraform-plan", role_arn(A, "github-actions-terraform-plan", "/ci/"),
          image="hashicorp/terraform:1.9", creds="SERVICE_ROLE")
a.project("unit-tests", role_arn(A, S1_ROLE))
a.rule("ecr-scan-findings-to-slack", {"source": ["aws.inspector2"], "detail-type": ["Inspector2 Finding"],
                                      "detail": {"severity": ["HIGH", "CRITICAL"]}},
       [("slack", f"arn:aws:lambda:{R}:{A}:function:slack-notifier", None)])
a.rule("nightly-cost-report", targets=[("cost", f"arn:aws:lambda:{R}:{A}:function:cost-report", None)],
       schedule="cron(0 0 * * ? *)")
a.role("codepipeline-infrastructure-role", trust_service("codepipeline.amazonaws.com"), path="/service-role/",
       inline={"infrastructure": doc(
           allow(["codestar-connections:UseConnection"],
                 f"arn:aws:codestar-connections:{R}:{A}:connection/5d1e7a2c-3b4f-4e6a-9c8d-0f1e2d3c4b5a"),
           allow(["codebuild:StartBuild", "codebuild:BatchGetBuilds"], project_arn(A, "terraform-plan")),
           allow(["s3:GetObject", "s3:PutObject", "s3:GetBucketVersioning"],
                 [f"arn:aws:s3:::codepipeline-{R}-{A}", f"arn:aws:s3:::codepipeline-{R}-{A}/*"]))})
a.bucket(f"codepipeline-{R}-{A}")
a.pipeline("infrastructure", role_arn(A, "codepipeline-infrastructure-role", "/service-role/"), f"codepipeline-{R}-{A}", [
    stage("Source", action("GitHub", "Source", "CodeStarSourceConnection", {
        "ConnectionArn": f"arn:aws:codestar-connections:{R}:{A}:connection/5d1e7a2c-3b4f-4e6a-9c8d-0f1e2d3c4b5a",
        "FullRepositoryId": "example-corp/infrastructure", "BranchName": "main", "OutputArtifactFormat": "CODE_ZIP"},
        outputs=["SourceArtifact"])),
    stage("Plan", action("TerraformPlan", "Build", "CodeBuild", {"ProjectName": "terraform-plan"},
                         inputs=["SourceArtifact"], outputs=["PlanArtifact"])),
    stage("Approve", action("Approval", "Approval", "Manual", {"CustomData": "Review the terraform plan"})),
])
a.bucket(f"tfstate-{A}", kms_key=None)
a.bucket("cb-source-bucket", kms_key=None)

for name in ["build-images/python312", "build-images/golang122", "frontend/storefront", "frontend/backoffice",
             "data/airflow-worker", "data/spark-runner"]:
    b.repo(name, tags={"team": name.split("/")[0]})
b.repo("security/trivy-scanner", policy_field={"unreadable": {
    "operation": "ecr:GetRepositoryPolicy", "code": "AccessDeniedException",
    "message": f"User: {session(B, 'crossdock-readonly', 'crossdock')} is not authorized to perform: "
               f"ecr:GetRepositoryPolicy on resource: {repo_arn(B, 'security/trivy-scanner')} with an explicit deny "
               "in an identity-based policy",
    "hint": "crossdock-readonly denies ecr:GetRepositoryPolicy on security/*; ask the security team"}})
# B's registry policy is set with the replication scenarios above.
b.role("storefront-task-role", trust_service("ecs-tasks.amazonaws.com"), inline={
    "storefront": doc(allow(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
                            f"arn:aws:dynamodb:{R}:{B}:table/storefront-*"))})
b.role("airflow-worker-role", trust_service("ecs-tasks.amazonaws.com"), inline={
    "airflow": doc(allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::data-lake-{B}/*"))})
b.role("trivy-scan-role", trust_service("codebuild.amazonaws.com"),
       attached=[b.aws_policy("AmazonEC2ContainerRegistryReadOnly")])
b.project("storefront-build", role_arn(B, "platform-ci-push-role"), privileged=True)
b.project("trivy-scan", role_arn(B, "trivy-scan-role"),
          image=repo_uri(B, "security/trivy-scanner") + ":0.56", creds="SERVICE_ROLE")
b.rule("guardduty-high-findings", {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                                   "detail": {"severity": [{"numeric": [">=", 7]}]}},
       [("sns", f"arn:aws:sns:{R}:{B}:security-alerts", None)])
b.rule("ecr-lifecycle-report", targets=[("lambda", f"arn:aws:lambda:{R}:{B}:function:ecr-lifecycle-report", None)],
       schedule="rate(7 days)", state="DISABLED")
b.role("spark-runner-role", trust_service("ecs-tasks.amazonaws.com"), inline={
    "spark": doc(allow(["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                       [f"arn:aws:s3:::data-lake-{B}", f"arn:aws:s3:::data-lake-{B}/*"]),
                 allow(["kms:Decrypt", "kms:GenerateDataKey"], f"arn:aws:kms:{R}:{B}:key/*",
                       condition={"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/data-lake"}}))})
b.role("backoffice-task-role", trust_service("ecs-tasks.amazonaws.com"), inline={
    "backoffice": doc(allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                            f"arn:aws:sqs:{R}:{B}:backoffice-*"))})
b.role("github-actions-ecr-push", doc({
    "Effect": "Allow",
    "Principal": {"Federated": f"arn:aws:iam::{B}:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                   "token.actions.githubusercontent.com:sub":
                                       "repo:example-corp/storefront:ref:refs/heads/main"}}}),
    path="/ci/", attached=[b.customer_policy("platform-ci-ecr-push", None, path="/ci/")])
b.role("cloudwatch-agent-role", trust_service("ec2.amazonaws.com"),
       attached=[b.aws_policy("AmazonSSMManagedInstanceCore")],
       inline={"put-metrics": doc(allow(["cloudwatch:PutMetricData", "ec2:DescribeTags",
                                         "logs:PutLogEvents", "logs:CreateLogStream", "logs:DescribeLogStreams"]))})
b.key("data-lake", ["alias/data-lake"], b.default_key_policy(), description="Data lake bucket key")
b.bucket(f"data-lake-{B}", kms_key=f"arn:aws:kms:{R}:{B}:alias/data-lake")


# ------------------------------------------------------------------ G1: an organisation guardrail (SCP) in A's OU
# Both accounts are members of one organisation (management account 999999999999): the SCP and
# RCP chains are part of the demo, as `--org-profile` would read them. The workloads OU above A
# carries an SCP that refuses pulls from B's mirror/* repositories unless the role is tagged
# mirror-access=approved.
ORG_ID = "o-demo7f3a2c1e"
MANAGEMENT = "999999999999"
FULL_ACCESS = doc({"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"})
RCP_FULL_ACCESS = doc({"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*",
                       "Resource": "*"})
MIRROR_SCP = doc({"Sid": "DenyUnapprovedMirrorPulls", "Effect": "Deny",
                  "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                  "Resource": f"arn:aws:ecr:*:{B}:repository/mirror/*",
                  "Condition": {"StringNotEquals": {"aws:PrincipalTag/mirror-access": "approved"}}})


def org_policy(kind, pid, name, document):
    return {"arn": f"arn:aws:organizations::{MANAGEMENT}:policy/{ORG_ID}/{kind}/{pid}", "name": name,
            "content": json.dumps(document)}


def org_chain(account, ou, ou_scps):
    full = org_policy("service_control_policy", "p-FullAWSAccess", "FullAWSAccess", FULL_ACCESS)
    rcp = org_policy("resource_control_policy", "p-RCPFullAWSAccess", "RCPFullAWSAccess", RCP_FULL_ACCESS)

    def levels(first, middle):
        return [{"kind": "root", "target": "r-demo", "policies": [first]},
                {"kind": "ou", "target": ou, "policies": middle},
                {"kind": "account", "target": account, "policies": [first]}]
    organization = {"id": ORG_ID, "management_account": MANAGEMENT}
    return {"membership": loaded(organization),
            "guardrails": loaded({"organization": organization,
                                  "scps": loaded(levels(full, [full] + ou_scps)),
                                  "rcps": loaded(levels(rcp, [rcp]))})}


a.org = org_chain(A, "ou-demo-workloads",
                  [org_policy("service_control_policy", "p-mirrorpulls", "DenyUnapprovedMirrorPulls", MIRROR_SCP)])
b.org = org_chain(B, "ou-demo-registry", [])
for name, tags in [("mirror-build-role", {"team": "platform"}),
                   ("release-build-role", {"team": "platform", "mirror-access": "approved"})]:
    a.role(name, trust_service("codebuild.amazonaws.com"), inline={"mirror-pulls": doc(
        allow(["ecr:GetAuthorizationToken"], ["*"], sid="RegistryLogin"),
        allow(PULL, [repo_arn(B, "mirror/node")], sid="PullMirroredImages"))}, tags=tags)
b.repo("mirror/node", policy=doc(grant({"AWS": [role_arn(A, "mirror-build-role"), role_arn(A, "release-build-role")]},
                                       PULL, sid="AllowMirrorPullsFromA")),
       images=[(["22-slim", "latest"], "2026-11-15T08:00:00Z")])
G1_STORY = (
    "Account A's build roles pull the node base image from B's mirror/node, whose policy grants both roles and "
    "whose identity policies allow the pull. Both accounts are in organisation " + ORG_ID + ": the workloads OU "
    "above A carries the SCP DenyUnapprovedMirrorPulls, which refuses pulls from B's mirror/* repositories unless "
    "the caller is tagged mirror-access=approved. ")
scenario("g1-broken", "G1", "An SCP in A's OU refuses mirror-build-role's pull of B's mirror/node",
         G1_STORY + "mirror-build-role has no such tag: every policy crossdock reads in A and B allows, the SCP "
         "denies ('… with an explicit deny in a service control policy').",
         {"kind": "pull", "principal": session(A, "mirror-build-role", "AWSCodeBuild-1c2d"),
          "repository": repo_arn(B, "mirror/node"), "tag": "22-slim"},
         "fails", ["org-scp-allows"])
scenario("g1-fixed", "G1", "release-build-role, tagged mirror-access=approved, pulls B's mirror/node",
         G1_STORY + "release-build-role carries the tag, so the SCP's condition does not hold and every level allows.",
         {"kind": "pull", "principal": session(A, "release-build-role", "AWSCodeBuild-5e6f"),
          "repository": repo_arn(B, "mirror/node"), "tag": "22-slim"},
         "works")


# ------------------------------------------------------------------ extras: ECS services in a VPC pull from B
# An ECS service's tasks pull through the VPC endpoints of the service's awsvpc
# subnets (FAILURE-CATALOG §2.3 "Private subnet"); the execution role places the pull there.
SERVICE_VPC = build_vpc("payments-services", doc(grant(
    "*", PULL, sid="OnlyOurRepositories", resource=f"arn:aws:ecr:{R}:{A}:repository/*"),
    grant("*", "ecr:GetAuthorizationToken", sid="Token", resource="*")), LAYERS_ONLY)
OPEN_SERVICE_VPC = build_vpc("billing-services", ECR_PULL_ANYWHERE, LAYERS_ONLY)
for service in ("orders-api", "billing-api"):
    a.role(f"{service}-execution", trust_service("ecs-tasks.amazonaws.com"), inline={
        "pull-service-image-from-b": doc(
            allow(["ecr:GetAuthorizationToken"], "*", sid="GetAuthorizationToken"),
            allow(PULL, repo_arn(B, f"services/{service}"), sid="PullServiceImage"),
        )})
    b.repo(f"services/{service}", policy=doc(
        grant({"AWS": role_arn(A, f"{service}-execution")}, PULL, sid="AllowServiceExecutionRole"),
    ), images=[(["latest", "2026.11.30"], "2026-11-30T09:12:00Z")])
a.ecs_service("payments", "orders-api", role_arn(A, "orders-api-execution"), vpc=SERVICE_VPC)
a.ecs_service("payments", "billing-api", role_arn(A, "billing-api-execution"), vpc=OPEN_SERVICE_VPC)
SERVICE_STORY = ("Account A's Fargate services run in private subnets without NAT (awsvpc networking) and "
                 "pull their images from B's ECR with their task execution role, through the VPC's ecr.api "
                 "and ecr.dkr interface endpoints and the S3 gateway endpoint. crossdock finds the service "
                 "from the execution role (or --ecs-service CLUSTER/SERVICE). ")
scenario("ext-ecs-endpoint-broken", "S1", "ECS service payments/orders-api cannot pull its image from B",
         SERVICE_STORY + "The service's ecr.dkr endpoint policy allows A's own repositories only, so the task "
         "stops with CannotPullContainerError '… because no VPC endpoint policy allows the ecr:BatchGetImage "
         "action' although the role and B's repository policy both allow the pull.",
         {"kind": "pull", "principal": role_arn(A, "orders-api-execution"),
          "repository": repo_arn(B, "services/orders-api"), "tag": "latest"},
         "fails", ["vpc-endpoint-policy-allows"])
scenario("ext-ecs-fixed", "S1", "ECS service payments/billing-api pulls its image from B through its VPC endpoints",
         SERVICE_STORY + "billing-api's VPC has an ecr.dkr endpoint that allows pulls from any repository and an "
         "S3 gateway endpoint that allows the layer bucket.",
         {"kind": "pull", "principal": role_arn(A, "billing-api-execution"),
          "repository": repo_arn(B, "services/billing-api"), "tag": "latest"},
         "works")

# ================================================================== write


def write(name, value):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


write("account-a.json", a.snapshot())
write("account-b.json", b.snapshot())
write("scenarios.json", scenarios)
print(f"A: {len(a.roles)} roles, {len(a.repos)} repositories, {len(a.keys)} keys, {len(a.projects)} projects, "
      f"{len(a.pipelines)} pipelines, {len(a.rules)} rules")
print(f"B: {len(b.roles)} roles, {len(b.repos)} repositories, {len(b.keys)} keys, {len(b.projects)} projects, "
      f"{len(b.pipelines)} pipelines, {len(b.rules)} rules")
print(f"{len(scenarios)} scenarios")
