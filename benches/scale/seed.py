#!/usr/bin/env python3
"""Seeds one pair of accounts into the emulator for the scale benchmark (benches/scale/run.sh).

What goes in, per pair (accounts A and B):

* the resources the given demo scenarios touch (default: S1 broken and fixed), copied from
  ``assets/demo/`` with the demo account IDs 111111111111 / 222222222222 rewritten to this
  pair's IDs, so a small and a big pair can live in one server side by side;
* in *each* account, filler that a large organisation has and a question never touches:
  ``--roles`` roles (each with a trust policy, one inline policy and two attached customer
  managed policies out of ``--managed-policies`` shared ones), ``--repositories``
  repositories each with a repository policy (every fifth KMS-encrypted with a filler key),
  and ``--keys`` customer managed keys, each with a key policy and an alias.

Runs with the boto3 of the emulator venv (moto depends on it), through the real API over
HTTP, with a thread pool: the server, not this client, is the bottleneck. Prints one JSON
object: what was created (counted back with list calls afterwards, not assumed), the
number of write calls, the seconds taken, and the question to ask (principal and
repository ARNs in this pair's accounts).

Test/benchmark code only: crossdock itself never writes to AWS.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import boto3
from botocore.config import Config

REGION = "ap-northeast-1"
# The role every harness profile assumes (tests/support/moto.rs: ROLE_NAME); moto lets the
# base keys assume it in any account without creating it.
ROLE_NAME = "OrganizationAccountAccessRole"
DEMO_A = "111111111111"
DEMO_B = "222222222222"
PULL = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


class Counter:
    """Write calls made, across threads."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def add(self, k: int = 1) -> None:
        with self._lock:
            self.n += k


def clients(endpoint: str, account: str, threads: int) -> dict[str, Any]:
    """IAM/ECR/KMS clients acting in ``account`` via a real sts:AssumeRole, like the harness."""
    base = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    creds = base.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE_NAME}", RoleSessionName="crossdock-seed"
    )["Credentials"]
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )
    # One pooled connection per worker thread; botocore clients are thread-safe.
    config = Config(max_pool_connections=threads, retries={"max_attempts": 5, "mode": "standard"})
    return {
        name: session.client(name, endpoint_url=endpoint, config=config)
        for name in ("iam", "ecr", "kms")
    }


def rewrite(value: Any, ids: dict[str, str]) -> Any:
    """The demo documents with the demo account IDs replaced by this pair's."""
    text = json.dumps(value)
    for old, new in ids.items():
        text = text.replace(old, new)
    return json.loads(text)


def loaded(field: Any) -> Any:
    """The value of a snapshot field (``{"loaded": v}``), else None."""
    return field.get("loaded") if isinstance(field, dict) else None


def demo_account(demo: Path, name: str, ids: dict[str, str]) -> dict[str, Any]:
    data = json.loads((demo / name).read_text())
    return rewrite(data["accounts"][0], ids)


def role_name(principal: str) -> str:
    """codebuild-service-role in a role or assumed-role (session) ARN."""
    resource = principal.split(":", 5)[5]
    if resource.startswith("assumed-role/"):
        return resource.split("/")[1]
    return resource.rsplit("/", 1)[1]


def seed_demo(
    cl: dict[str, dict[str, Any]], accounts: dict[str, dict[str, Any]], questions: list[dict[str, Any]], calls: Counter
) -> None:
    """The roles and repositories (with their managed policies and KMS keys) the questions name."""
    for q in questions:
        if q["kind"] not in ("pull", "push"):
            sys.exit(f"seed.py seeds pull/push scenarios only, not {q['kind']}")
        owner = q["principal"].split(":")[4]
        seed_demo_role(cl[owner], accounts[owner], role_name(q["principal"]), calls)
        repo_owner = q["repository"].split(":")[4]
        seed_demo_repository(cl[repo_owner], accounts[repo_owner], q["repository"].rsplit("repository/", 1)[1], calls)


def seed_demo_role(c: dict[str, Any], account: dict[str, Any], name: str, calls: Counter) -> None:
    iam = c["iam"]
    try:
        iam.get_role(RoleName=name)
        return  # another question of the same pair seeded it already
    except iam.exceptions.NoSuchEntityException:
        pass
    role = next(r for r in account["roles"]["items"] if r["name"] == name)
    managed = [p["arn"] for p in loaded(role["attached_policies"]) or []]
    boundary = loaded(role.get("permissions_boundary"))
    if boundary:
        managed.append(boundary["arn"])
    for arn in managed:
        if ":iam::aws:policy/" in arn:
            continue
        policy = next(p for p in account["managed_policies"]["items"] if p["arn"] == arn)
        resource = arn.split(":policy", 1)[1]
        try:
            iam.create_policy(
                PolicyName=policy["name"],
                Path=resource[: resource.rfind("/") + 1] or "/",
                PolicyDocument=json.dumps(loaded(policy["document"])),
            )
            calls.add()
        except iam.exceptions.EntityAlreadyExistsException:
            pass
    create: dict[str, Any] = {
        "RoleName": name,
        "Path": role["path"],
        "AssumeRolePolicyDocument": json.dumps(loaded(role["trust_policy"])),
        "Tags": [{"Key": k, "Value": v} for k, v in (loaded(role["tags"]) or {}).items()],
    }
    if loaded(role.get("max_session_duration")):
        create["MaxSessionDuration"] = loaded(role["max_session_duration"])
    if boundary:
        create["PermissionsBoundary"] = boundary["arn"]
    iam.create_role(**create)
    calls.add()
    for inline in loaded(role["inline_policies"]) or []:
        iam.put_role_policy(
            RoleName=name, PolicyName=inline["name"], PolicyDocument=json.dumps(loaded(inline["document"]))
        )
        calls.add()
    for arn in managed[: len(loaded(role["attached_policies"]) or [])]:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        calls.add()


def seed_demo_repository(c: dict[str, Any], account: dict[str, Any], name: str, calls: Counter) -> None:
    ecr, kms = c["ecr"], c["kms"]
    repo = next(r for r in account["repositories"]["items"] if r["name"] == name)
    encryption = {"encryptionType": repo["encryption"]["encryption_type"]}
    demo_key = repo["encryption"].get("kms_key")
    if demo_key:
        # moto picks key ids, so the repository is pointed at a new key with the demo's policy.
        key = next((k for k in account["keys"]["items"] if demo_key in (k["arn"], k["key_id"])), None)
        created = kms.create_key(Policy=json.dumps(loaded(key["policy"])) if key else "")["KeyMetadata"]
        calls.add()
        encryption["kmsKey"] = created["Arn"]
    try:
        ecr.create_repository(
            repositoryName=name,
            imageTagMutability=repo["tag_mutability"],
            encryptionConfiguration=encryption,
        )
        calls.add()
    except ecr.exceptions.RepositoryAlreadyExistsException:
        return
    if loaded(repo["policy"]):
        ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(loaded(repo["policy"])))
        calls.add()


def run_all(pool: ThreadPoolExecutor, fn: Callable[[int], Any], n: int) -> list[Any]:
    # list() re-raises the first worker exception instead of dropping it.
    return list(pool.map(fn, range(n)))


def seed_filler(c: dict[str, Any], account: str, other: str, args: argparse.Namespace, calls: Counter) -> None:
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        fill(c, account, other, args, pool, calls)


def fill(
    c: dict[str, Any], account: str, other: str, args: argparse.Namespace, pool: ThreadPoolExecutor, calls: Counter
) -> None:
    iam, ecr, kms = c["iam"], c["ecr"], c["kms"]

    def key(i: int) -> str:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "PartnerDecrypt", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{other}:role/filler-role-{i:05d}"},
                 "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
            ],
        }
        arn = kms.create_key(Policy=json.dumps(policy), Description=f"filler key {i}")["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName=f"alias/filler-{i:04d}", TargetKeyId=arn)
        calls.add(2)
        return arn

    key_arns = run_all(pool, key, args.keys)

    def managed(i: int) -> str:
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "ReadTeamBuckets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [f"arn:aws:s3:::team-{i:03d}-{account}", f"arn:aws:s3:::team-{i:03d}-{account}/*"]},
                {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                 "Resource": f"arn:aws:logs:{REGION}:{account}:log-group:/team-{i:03d}/*"},
            ],
        }
        calls.add()
        return iam.create_policy(PolicyName=f"team-policy-{i:03d}", PolicyDocument=json.dumps(document))["Policy"]["Arn"]

    # As many shared policies as roles at most: a 10-role account does not have 50 teams.
    policy_arns = run_all(pool, managed, min(args.managed_policies, args.roles))
    services = ["ec2.amazonaws.com", "lambda.amazonaws.com", "codebuild.amazonaws.com", "ecs-tasks.amazonaws.com"]

    def role(i: int) -> None:
        name = f"filler-role-{i:05d}"
        principal = (
            {"AWS": f"arn:aws:iam::{other}:root"} if i % 5 == 4 else {"Service": services[i % len(services)]}
        )
        trust = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                        Tags=[{"Key": "team", "Value": f"team-{i % 97:02d}"}])
        inline = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "ECRToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {"Sid": "Pull", "Effect": "Allow", "Action": PULL,
                 "Resource": f"arn:aws:ecr:{REGION}:{other}:repository/svc-{i % max(args.repositories, 1):04d}/app"},
            ],
        }
        iam.put_role_policy(RoleName=name, PolicyName="service", PolicyDocument=json.dumps(inline))
        calls.add(2)
        for arn in {policy_arns[i % len(policy_arns)], policy_arns[(i * 7 + 3) % len(policy_arns)]}:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
            calls.add()

    run_all(pool, role, args.roles)

    def repository(i: int) -> None:
        name = f"svc-{i:04d}/app"
        encryption = {"encryptionType": "AES256"}
        if key_arns and i % 5 == 0:
            encryption = {"encryptionType": "KMS", "kmsKey": key_arns[i % len(key_arns)]}
        ecr.create_repository(repositoryName=name, encryptionConfiguration=encryption,
                              imageTagMutability="IMMUTABLE" if i % 3 == 0 else "MUTABLE")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "PartnerPull", "Effect": "Allow",
                           "Principal": {"AWS": f"arn:aws:iam::{other}:role/filler-role-{i:05d}"},
                           "Action": PULL}],
        }
        ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(policy))
        calls.add(2)

    run_all(pool, repository, args.repositories)


def count(c: dict[str, Any]) -> dict[str, int]:
    """What the account holds, counted with list calls (paged) rather than assumed."""
    roles = sum(len(p["Roles"]) for p in c["iam"].get_paginator("list_roles").paginate())
    repositories = sum(
        len(p["repositories"]) for p in c["ecr"].get_paginator("describe_repositories").paginate()
    )
    keys = sum(len(p["Keys"]) for p in c["kms"].get_paginator("list_keys").paginate())
    policies = sum(
        len(p["Policies"]) for p in c["iam"].get_paginator("list_policies").paginate(Scope="Local")
    )
    return {"roles": roles, "customer_managed_policies": policies, "repositories": repositories, "keys": keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account-a", required=True)
    parser.add_argument("--account-b", required=True)
    parser.add_argument("--roles", type=int, default=10, help="filler roles per account")
    parser.add_argument("--managed-policies", type=int, default=50, help="shared customer managed policies per account")
    parser.add_argument("--repositories", type=int, default=0, help="filler repositories per account")
    parser.add_argument("--keys", type=int, default=0, help="filler keys per account")
    parser.add_argument("--threads", type=int, default=8, help="worker threads per account")
    parser.add_argument("--demo", type=Path, required=True, help="assets/demo")
    parser.add_argument("--scenario", action="append", default=[], help="demo scenario id (repeatable)")
    parser.add_argument("--ask", default=None, help="scenario whose question is printed (default: the first)")
    args = parser.parse_args()
    scenarios = args.scenario or ["s1-broken", "s1-fixed"]
    a, b = args.account_a, args.account_b
    ids = {DEMO_A: a, DEMO_B: b}

    started = time.perf_counter()
    calls = Counter()
    cl = {a: clients(args.endpoint, a, args.threads), b: clients(args.endpoint, b, args.threads)}
    accounts = {a: demo_account(args.demo, "account-a.json", ids), b: demo_account(args.demo, "account-b.json", ids)}
    catalogue = {s["id"]: s for s in json.loads((args.demo / "scenarios.json").read_text())}
    questions = [rewrite(catalogue[s]["question"], ids) for s in scenarios]
    seed_demo(cl, accounts, questions, calls)
    with ThreadPoolExecutor(max_workers=2) as accounts_pool:
        # Both accounts at once (each with its own --threads workers): they are independent.
        halves = [accounts_pool.submit(seed_filler, cl[x], x, y, args, calls) for x, y in ((a, b), (b, a))]
        for half in halves:
            half.result()
    seconds = time.perf_counter() - started
    ask = rewrite(catalogue[args.ask or scenarios[0]], ids)
    print(json.dumps({
        "accounts": {a: count(cl[a]), b: count(cl[b])},
        "write_calls": calls.n,
        "seconds": round(seconds, 2),
        "calls_per_second": round(calls.n / seconds),
        "question": {"id": ask["id"], **ask["question"], "expected": ask["expected"]},
    }))


if __name__ == "__main__":
    main()
