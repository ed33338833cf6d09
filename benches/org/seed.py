"""Seeds the emulator for benches/org/run.sh: an organisation of ACCOUNTS members, each with a
read-only role, ROLES roles and REPOSITORIES repositories; and an organisation trail bucket
with HOURS hourly log files of RECORDS calls per member (a third of them cross-account
pushes into the next member, whose folder holds the owner's copy, as CloudTrail does).

    python seed.py ENDPOINT org ACCOUNTS ROLES REPOSITORIES   -> prints the management account
    python seed.py ENDPOINT trail ACCOUNTS HOURS RECORDS       -> prints the bucket
"""

from __future__ import annotations

import gzip
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3

REGION = "ap-northeast-1"
MANAGEMENT = "530000000001"
ARCHIVE = "530000000009"
ORG_ROLE = "CrossdockRead"


def session(endpoint: str, account: str) -> boto3.Session:
    sts = boto3.client(
        "sts", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="seed",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "sts:AssumeRole"}]})


def seed_member(endpoint: str, account: str, roles: int, repositories: int) -> None:
    s = session(endpoint, account)
    iam = s.client("iam", endpoint_url=endpoint)
    ecr = s.client("ecr", endpoint_url=endpoint)
    iam.create_role(RoleName=ORG_ROLE, AssumeRolePolicyDocument=TRUST)
    for i in range(roles):
        iam.create_role(RoleName=f"svc-{i:04d}", AssumeRolePolicyDocument=TRUST)
    for i in range(repositories):
        ecr.create_repository(repositoryName=f"repo-{i:04d}")


def org(endpoint: str, accounts: int, roles: int, repositories: int) -> None:
    orgs = session(endpoint, MANAGEMENT).client("organizations", endpoint_url=endpoint)
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    ids = []
    for i in range(accounts):
        status = orgs.create_account(AccountName=f"member-{i:03d}", Email=f"m{i}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        if i % 2:
            orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
        ids.append(account)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda a: seed_member(endpoint, a, roles, repositories), ids))
    print(MANAGEMENT)


def push(event_id: str, shared: str, recipient: str, caller: str, owner: str, at: float) -> dict:
    record = {
        "eventVersion": "1.08", "eventID": event_id, "eventName": "PutImage",
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
        "eventSource": "ecr.amazonaws.com", "awsRegion": REGION,
        "recipientAccountId": recipient, "sharedEventID": shared, "eventType": "AwsApiCall",
        "userIdentity": {"type": "AssumedRole", "accountId": caller,
                         "arn": f"arn:aws:sts::{caller}:assumed-role/ci/build"},
        "requestParameters": {"repositoryName": "app", "registryId": owner, "imageTag": event_id},
        "resources": [{"ARN": f"arn:aws:ecr:{REGION}:{owner}:repository/app", "accountId": owner}],
    }
    if caller == owner:
        # CloudTrail sets sharedEventID on cross-account calls only.
        del record["sharedEventID"]
    return record


def trail(endpoint: str, accounts: int, hours: int, records: int) -> None:
    s3 = session(endpoint, ARCHIVE).client("s3", endpoint_url=endpoint)
    bucket = "org-trail-bench"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    members = [f"5400000{i:05d}" for i in range(accounts)]
    now = time.time()

    def files_of(index: int) -> None:
        account = members[index]
        owner = members[(index + 1) % accounts]
        for hour in range(hours):
            at = now - hour * 3600 - 600
            rows = []
            # This account's calls (its copies); every third pushes into the next account,
            # whose folder holds the owner's copy (written below, by the previous account's
            # loop turned around: this account owns the previous one's cross-account pushes).
            previous = members[(index - 1) % accounts]
            for n in range(records):
                shared = f"{account}-{hour}-{n}"
                into = owner if n % 3 == 0 else account
                rows.append(push(f"{shared}-caller", shared, account, account, into, at))
                if n % 3 == 0:
                    theirs = f"{previous}-{hour}-{n}"
                    rows.append(push(f"{theirs}-owner", theirs, account, previous, account, at))
            stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(at + 300))
            day = time.strftime("%Y/%m/%d", time.gmtime(at + 300))
            key = (f"AWSLogs/o-bench00001/{account}/CloudTrail/{REGION}/{day}/"
                   f"{account}_CloudTrail_{REGION}_{stamp}_{uuid.uuid4().hex[:16]}.json.gz")
            body = gzip.compress(json.dumps({"Records": rows}).encode(), 1)
            s3.put_object(Bucket=bucket, Key=key, Body=body)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(files_of, range(accounts)))
    print(bucket)


if __name__ == "__main__":
    endpoint, what, *numbers = sys.argv[1:]
    {"org": org, "trail": trail}[what](endpoint, *map(int, numbers))
