"""moto 5.2.5 server plus the pieces crossdock's tests need and moto lacks.

Run it exactly like ``moto_server``::

    python tests/moto/moto_ext.py -H 127.0.0.1 -p 45123 [--parent-pid PID]

What it adds (all test-only; nothing here ships with crossdock):

* CloudTrail ``LookupEvents`` (moto answers it with an HTML 500), stored per
  account and region, with one lookup attribute, a time window, paging and
  newest-first order, in the real response shape.
* Every ECR ``PutImage`` the server serves, successful or failed, is recorded
  as a CloudTrail event in the repository owner's account; a cross-account
  push also leaves the caller's copy in the caller's account, both carrying
  one ``sharedEventID``, as real CloudTrail does.
* Cross-account ECR: a request whose ``registryId`` names another account
  acts on that account's registry (moto would act on the caller's).
* ``SeedEvents``, a made-up action on the CloudTrail JSON protocol
  (``X-Amz-Target: ...CloudTrail_20131101.SeedEvents``) that stores
  arbitrary CloudTrail records in the caller's account and region.
* Role lookups by name and ARN through an index (see below): safe while
  other threads create roles, and constant-time in accounts of thousands.
* AssumeRole into a member account of an organisation (``create_account``)
  checks that the role exists, as AWS does (moto assumes any ARN): the
  organisation tests need a member whose read-only role is missing.
  OrganizationAccountAccessRole counts as existing there (CreateAccount makes
  it); accounts outside an organisation keep moto's behaviour, which the
  harness relies on.
* ECR pull-through cache rules (``CreatePullThroughCacheRule``,
  ``DescribePullThroughCacheRules``) and repository creation templates
  (``CreateRepositoryCreationTemplate``, ``DescribeRepositoryCreationTemplates``),
  which moto lacks: stored per registry (account and region) on moto's ECR
  backend, with ``registryId`` naming the registry as for the other ECR calls.
  The tests seed them with the SDK; crossdock only describes them.
* A parent-death watchdog (``--parent-pid PID`` or ``MOTO_EXT_PARENT_PID``):
  the server exits once that process is gone, so a test process that dies
  never leaves a server behind.
* Lambda's ``VpcConfig.VpcId``: moto answers the constant ``vpc-123abc``
  for every function in a VPC; the shim answers the VPC of the function's
  first subnet from moto's EC2 backend, as AWS does, so the network tests can
  follow a function into its real VPC.
* ``--quiet``: no line per request in the log (werkzeug's access log costs
  about a fifth of the server's time; benches/scale/run.sh seeds ~50,000
  resources). Errors are still logged.

moto internals this relies on, which is why requirements.txt pins
``moto==5.2.5`` exactly (any of them may change in a minor release):

* ``BaseResponse.call_action`` dispatches an action to the response-class
  method named after it, so adding ``lookup_events`` / ``seed_events`` to
  ``CloudTrailResponse`` adds the actions;
* ``BaseResponse.setup_class`` fills ``current_account``, ``access_key``,
  ``region`` and ``normalized_request`` before any action runs;
* ``ECRResponse.ecr_backend`` is the single place ECR handlers get their
  backend from, so overriding that property redirects every handler;
* ``sts_backends[..].get_assumed_role_from_access_key`` and
  ``iam_backends[..].get_user_from_access_key_id`` map an access key to the
  assumed role or IAM user that owns it;
* ``IAMBackend._init_aws_policies`` builds the ~1,600 AWS-managed policies
  (``MOTO_IAM_LOAD_MANAGED_POLICIES=true``) from ``aws_managed_policies_data``
  with ``AWSManagedPolicy``'s constructor; moto re-parses and re-serialises
  all of them for every account *and* each of its 6 partitions (any request
  touches them all), ~0.4 s of CPU per new account. Parsing once cuts that
  tenfold, which matters with a dozen accounts per test run;
* ``IAMBackend.roles`` is a dict of roles by role id, and ``get_role``,
  ``get_role_by_arn`` and ``get_roles`` are how handlers (and
  ``mark_account_as_visited``, on every request made with assumed-role keys)
  find roles; ``create_role``/``delete_role`` are the only writers. The shim
  indexes those lookups: moto scans every role under no lock, which fails
  with HTTP 500 while another thread creates a role and costs each request
  a loop over all roles of the account;
* ``BaseBackend.reset`` rebuilds a backend's ``__dict__``, so events stored
  on the CloudTrail backend vanish with ``POST /moto-api/reset`` like
  everything else.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import functools
import hashlib
import json
import logging
import os
import re
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import moto
from moto.cloudtrail.models import cloudtrail_backends
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.exceptions import JsonRESTError, ServiceException
from moto.core.responses import ActionResult
from moto.ecr.exceptions import (
    ImageAlreadyExistsException,
    InvalidParameterException,
    RepositoryNotFoundException,
)
from moto.awslambda.models import LambdaFunction
from moto.ec2 import ec2_backends
from moto.ecr.models import ecr_backends
from moto.ecr.responses import ECRResponse
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.exceptions import NotFoundException
from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends
from moto.organizations.models import organizations_backends
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend
from moto.settings import load_iam_aws_managed_policies
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

PINNED_MOTO = "5.2.5"
if moto.__version__ != PINNED_MOTO:
    sys.exit(f"moto_ext.py needs moto=={PINNED_MOTO}, found {moto.__version__}")

# CloudTrail's LookupEvents: at most 50 per page, and the last 90 days when no
# StartTime is given.
MAX_RESULTS = 50
DEFAULT_WINDOW_SECONDS = 90 * 24 * 3600
LOOKUP_KEYS = (
    "EventName",
    "EventSource",
    "Username",
    "ResourceName",
    "ResourceType",
    "EventId",
    "AccessKeyId",
    "ReadOnly",
)
# Manifests are usually a few KiB, but an index of many platforms can grow
# large; CloudTrail records are capped in size, so keep a readable prefix.
MANIFEST_CAP = 8192
ACCOUNT_RE = re.compile(r"^\d{12}$")

# The werkzeug server is threaded; one lock keeps the event lists and the
# insertion counter consistent.
_LOCK = threading.Lock()
_SEQ = [0]


class CloudTrailError(JsonRESTError):
    code = 400


class ImageTagAlreadyExistsException(ServiceException):
    # Real ECR's answer to re-pushing a tag with another image into an
    # IMMUTABLE repository; moto answers ImageAlreadyExistsException, which
    # real ECR keeps for pushing the very same image again.
    code = "ImageTagAlreadyExistsException"


# --------------------------------------------------------------------------
# Event storage
# --------------------------------------------------------------------------


def _events(account_id: str, region: str) -> list[dict[str, Any]]:
    # Stored on moto's own backend object so /moto-api/reset clears it too.
    backend = cloudtrail_backends[account_id][region]
    return backend.__dict__.setdefault("_crossdock_events", [])


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: Any) -> float:
    """Epoch seconds from a number or an ISO-8601 text (as seeded records use)."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


def _username(record: dict[str, Any]) -> str | None:
    """The ``Username`` LookupEvents shows: session name, user name or root."""
    ident = record.get("userIdentity") or {}
    kind = ident.get("type")
    if kind == "AssumedRole":
        return str(ident.get("arn", "")).rsplit("/", 1)[-1] or None
    if kind == "IAMUser":
        return ident.get("userName")
    if kind == "Root":
        return "root"
    return ident.get("userName")


def _resources(record: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for res in record.get("resources") or []:
        entry = {}
        if res.get("type"):
            entry["ResourceType"] = res["type"]
        if res.get("ARN"):
            entry["ResourceName"] = res["ARN"]
        if entry:
            out.append(entry)
    return out


def _store(account_id: str, region: str, record: dict[str, Any]) -> dict[str, Any]:
    """Fill what every CloudTrail record has, then keep it with its sort key."""
    record.setdefault("eventVersion", "1.08")
    record.setdefault("eventID", str(uuid.uuid4()))
    record.setdefault("eventTime", _iso(time.time()))
    record.setdefault("awsRegion", region)
    record.setdefault("eventType", "AwsApiCall")
    record.setdefault("managementEvent", True)
    record.setdefault("eventCategory", "Management")
    record.setdefault("recipientAccountId", account_id)
    if "readOnly" not in record:
        name = str(record.get("eventName", ""))
        record["readOnly"] = name.startswith(
            ("Get", "List", "Describe", "Lookup", "BatchGet", "BatchCheck")
        )
    when = _parse_time(record["eventTime"])
    with _LOCK:
        _SEQ[0] += 1
        _events(account_id, region).append(
            {"time": when, "seq": _SEQ[0], "record": record}
        )
    return record


# --------------------------------------------------------------------------
# Caller identity, as CloudTrail's userIdentity block
# --------------------------------------------------------------------------


def _stable_id(prefix: str, seed: str) -> str:
    # moto invents a random role id per call for roles that do not exist;
    # events of one session should agree on their principalId.
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode()
    return prefix + digest[:17]


def _user_identity(account_id: str, access_key: str, region: str) -> dict[str, Any]:
    partition = get_partition(region)
    role = sts_backends[account_id][partition].get_assumed_role_from_access_key(
        access_key
    )
    if role is not None:
        role_name = role.role_arn.split("/")[-1]
        try:
            role_id = (
                iam_backends[account_id][partition].get_role_by_arn(role.role_arn).id
            )
        except NotFoundException:  # the role need not exist in moto
            role_id = _stable_id("AROA", role.role_arn)
        created = role.access_key.create_date.replace(tzinfo=timezone.utc)
        return {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{role.session_name}",
            "arn": role.arn,
            "accountId": account_id,
            "accessKeyId": access_key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": role.role_arn,
                    "accountId": account_id,
                    "userName": role_name,
                },
                "attributes": {
                    "creationDate": _iso(created.timestamp()),
                    "mfaAuthenticated": "false",
                },
            },
        }
    user = iam_backends[account_id][partition].get_user_from_access_key_id(access_key)
    if user is not None:
        return {
            "type": "IAMUser",
            "principalId": user.id,
            "arn": user.arn,
            "accountId": account_id,
            "accessKeyId": access_key,
            "userName": user.name,
        }
    # Keys moto does not know (the base `testing` keys) act as the account root.
    return {
        "type": "Root",
        "principalId": account_id,
        "arn": f"arn:{partition}:iam::{account_id}:root",
        "accountId": account_id,
        "accessKeyId": access_key,
    }


# --------------------------------------------------------------------------
# IAM: AWS-managed policies parsed once, not once per account and partition
# --------------------------------------------------------------------------


@functools.cache
def _managed_policy_templates() -> list[tuple[Any, ...]]:
    parsed = json.loads(aws_managed_policies_data)
    return [
        (
            name,
            data.get("DefaultVersionId"),
            data.get("Path"),
            json.dumps(data.get("Document")),
            datetime.fromisoformat(data["CreateDate"]),
            datetime.fromisoformat(data["UpdateDate"]),
        )
        for name, data in parsed.items()
    ]


def _init_aws_policies(self: IAMBackend) -> list[AWSManagedPolicy]:
    # Same objects as moto's version (each account keeps its own, so
    # attachment counts stay per account); only the parsing is shared.
    if not load_iam_aws_managed_policies():
        return []
    return [
        AWSManagedPolicy(
            name,
            account_id=self.account_id,
            region=self.region_name,
            default_version_id=version,
            path=path,
            document=document,
            create_date=created,
            update_date=updated,
        )
        for name, version, path, document, created, updated in _managed_policy_templates()
    ]


IAMBackend._init_aws_policies = _init_aws_policies  # type: ignore[method-assign]


# --------------------------------------------------------------------------
# IAM: role lookups that are safe under concurrency and do not scan every role
# --------------------------------------------------------------------------
#
# moto finds a role by name or ARN by iterating the live ``roles`` dict, and
# does so on *every* request made with assumed-role keys (setup_class ->
# mark_account_as_visited -> get_role_by_arn). A CreateRole on another server
# thread then makes the iteration raise "dictionary changed size during
# iteration" (HTTP 500), and an account of 5,000 roles costs every request a
# 5,000-step Python loop. Lookups go through an index instead, built from a
# snapshot of the dict (``list`` copies it atomically) and dropped by
# CreateRole/DeleteRole; a hit is checked against the dict, and a miss only
# counts once the index holds as many roles as the dict (the harness's
# assumed OrganizationAccountAccessRole never exists, so misses are the
# common case). BaseBackend.reset drops the index with the rest of __dict__.

_INDEX = "_crossdock_role_index"


def _roles_snapshot(self: IAMBackend) -> list[Any]:
    return list(self.roles.values())


def _indexed_role(self: IAMBackend, attribute: str, value: str) -> Any:
    index = self.__dict__.get(_INDEX)
    role = index[attribute].get(value) if index else None
    fresh = role is not None and self.roles.get(role.id) is role and getattr(role, attribute) == value
    if not fresh and (index is None or role is not None or index["size"] != len(self.roles)):
        snapshot = _roles_snapshot(self)
        index = {
            "size": len(snapshot),
            "name": {r.name: r for r in snapshot},
            "arn": {r.arn: r for r in snapshot},
        }
        self.__dict__[_INDEX] = index
        role = index[attribute].get(value)
    if role is None:
        raise NotFoundException(f"Role {value} not found")
    return role


def _dropping_role_index(method: Any) -> Any:
    @functools.wraps(method)
    def wrapper(self: IAMBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            self.__dict__.pop(_INDEX, None)

    return wrapper


IAMBackend.create_role = _dropping_role_index(IAMBackend.create_role)  # type: ignore[method-assign]
IAMBackend.delete_role = _dropping_role_index(IAMBackend.delete_role)  # type: ignore[method-assign]
IAMBackend.get_roles = _roles_snapshot  # type: ignore[method-assign,assignment]
IAMBackend.get_role = lambda self, role_name: _indexed_role(self, "name", role_name)  # type: ignore[method-assign]
IAMBackend.get_role_by_arn = lambda self, arn: _indexed_role(self, "arn", arn)  # type: ignore[method-assign]


# --------------------------------------------------------------------------
# STS: AssumeRole into an organisation member needs the role to exist
# --------------------------------------------------------------------------

_moto_assume_role = STSBackend.assume_role


def _assume_role_checked(self: STSBackend, *args: Any, **kwargs: Any) -> Any:
    role_arn = kwargs.get("role_arn") or ""
    parts = role_arn.split(":", 5)
    # CreateAccount makes OrganizationAccountAccessRole in every new account, so it counts
    # as existing (the harness enters accounts through it).
    created = parts[-1] == "role/OrganizationAccountAccessRole"
    if len(parts) == 6 and not created and parts[4] in organizations_backends.master_accounts:
        partition, account = parts[1], parts[4]
        try:
            iam_backends[account][partition].get_role_by_arn(role_arn)
        except NotFoundException:
            raise STSClientError(
                "AccessDenied",
                f"User: {self.account_id} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            ) from None
    return _moto_assume_role(self, *args, **kwargs)


STSBackend.assume_role = _assume_role_checked  # type: ignore[method-assign]


# --------------------------------------------------------------------------
# ECR: cross-account registryId and PutImage recording
# --------------------------------------------------------------------------


def _owner_account(resp: ECRResponse) -> str:
    registry_id = resp._get_param("registryId")
    if isinstance(registry_id, str) and ACCOUNT_RE.match(registry_id):
        return registry_id
    return resp.current_account


def _ecr_backend(resp: ECRResponse) -> Any:
    # moto keys the backend by the caller's account only; real ECR acts on the
    # registry named by registryId (authorization is not emulated either way).
    return ecr_backends[_owner_account(resp)][resp.region]


ECRResponse.ecr_backend = property(_ecr_backend)  # type: ignore[assignment]
_ORIGINAL_PUT_IMAGE = ECRResponse.put_image


def _put_image(self: ECRResponse) -> Any:
    owner = _owner_account(self)
    name = self._get_param("repositoryName")
    started = time.time()
    result = None
    error: Exception | None = None
    try:
        # moto raises a bare Exception (HTTP 500) for a missing repository
        # too; real ECR answers RepositoryNotFoundException.
        if name not in self.ecr_backend.repositories:
            raise RepositoryNotFoundException(name, owner)
        try:
            result = _ORIGINAL_PUT_IMAGE(self)
        except ImageAlreadyExistsException:
            tag = self._get_param("imageTag")
            manifest = self._get_param("imageManifest")
            repo = self.ecr_backend.repositories[name]
            if any(
                tag in image.image_tags and image.image_manifest != manifest
                for image in repo.images
            ):
                raise ImageTagAlreadyExistsException(
                    f"The image tag '{tag}' already exists in the '{name}' "
                    "repository and cannot be overwritten because the "
                    "repository is immutable."
                ) from None
            raise
        except (ServiceException, JsonRESTError):
            raise
        except Exception as exc:  # noqa: BLE001 - moto raises bare Exception
            # moto raises a bare Exception (HTTP 500) for a manifest that is
            # not JSON; real ECR answers InvalidParameterException.
            raise InvalidParameterException(str(exc)) from None
        return result
    except Exception as exc:
        error = exc
        raise
    finally:
        _record_put_image(self, owner, name, started, result, error)


ECRResponse.put_image = _put_image  # type: ignore[method-assign]


def _error_code(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ServiceException):
        return str(exc.code), str(exc.message)
    if isinstance(exc, JsonRESTError):
        return str(exc.error_type), str(exc.message)
    return "InternalFailure", str(exc)


def _record_put_image(
    resp: ECRResponse,
    owner: str,
    name: str,
    started: float,
    result: Any,
    error: Exception | None,
) -> None:
    caller = resp.current_account
    region = resp.region
    partition = get_partition(region)
    identity = _user_identity(caller, resp.access_key, region)

    params: dict[str, Any] = {"repositoryName": name}
    for key in ("registryId", "imageTag", "imageDigest", "imageManifestMediaType"):
        value = resp._get_param(key)
        if value is not None:
            params[key] = value
    manifest = resp._get_param("imageManifest")
    if isinstance(manifest, str):
        if len(manifest) > MANIFEST_CAP:
            manifest = (
                manifest[:MANIFEST_CAP] + f"...[truncated: {len(manifest)} characters]"
            )
        params["imageManifest"] = manifest

    base: dict[str, Any] = {
        "eventTime": _iso(started),
        "eventSource": "ecr.amazonaws.com",
        "eventName": "PutImage",
        "awsRegion": region,
        "sourceIPAddress": resp.normalized_request.remote_addr or "127.0.0.1",
        "userAgent": resp.headers.get("User-Agent", ""),
        "requestParameters": params,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "readOnly": False,
        "resources": [
            {
                "accountId": owner,
                "type": "AWS::ECR::Repository",
                "ARN": f"arn:{partition}:ecr:{region}:{owner}:repository/{name}",
            }
        ],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "eventCategory": "Management",
    }
    if error is not None:
        base["errorCode"], base["errorMessage"] = _error_code(error)
    elif result is not None:
        image = result.result["image"]  # ActionResult wraps {"image": Image}
        base["responseElements"] = {
            "image": {
                "registryId": image.registry_id,
                "repositoryName": image.repository_name,
                "imageId": image.image_id,
                "imageManifestMediaType": image.image_manifest_media_type,
            }
        }

    if owner == caller:
        _store(owner, region, {**base, "userIdentity": identity})
        return
    # Cross-account: the owner sees the caller only as an account; the caller
    # keeps the full identity. One sharedEventID ties the two copies.
    shared = str(uuid.uuid4())
    _store(
        owner,
        region,
        {
            **base,
            "userIdentity": {
                "type": "AWSAccount",
                "accountId": caller,
                "principalId": identity["principalId"],
            },
            "recipientAccountId": owner,
            "sharedEventID": shared,
        },
    )
    _store(
        caller,
        region,
        {
            **base,
            "userIdentity": identity,
            "recipientAccountId": caller,
            "sharedEventID": shared,
        },
    )


# --------------------------------------------------------------------------
# Policy writes: recorded as CloudTrail records them
# --------------------------------------------------------------------------
#
# Every write that changes a document crossdock's history follows is stored in
# the caller's trail like AWS does: requestParameters in camelCase with the
# documents as the JSON text sent, the caller's identity, errorCode on failure,
# `resources` for ECR repositories and KMS keys only (IAM, EventBridge records
# carry none), IAM events in us-east-1 whatever the caller's region.

from moto.events.responses import EventsHandler  # noqa: E402
from moto.iam.responses import IamResponse  # noqa: E402
from moto.kms.models import kms_backends  # noqa: E402
from moto.kms.responses import KmsResponse  # noqa: E402

_POLICY_WRITES: list[tuple[Any, str, str, str, tuple[str, ...]]] = [
    (ECRResponse, "set_repository_policy", "ecr", "SetRepositoryPolicy",
     ("repositoryName", "registryId", "policyText", "force")),
    (ECRResponse, "delete_repository_policy", "ecr", "DeleteRepositoryPolicy",
     ("repositoryName", "registryId")),
    (ECRResponse, "put_image_tag_mutability", "ecr", "PutImageTagMutability",
     ("repositoryName", "registryId", "imageTagMutability")),
    (IamResponse, "put_role_policy", "iam", "PutRolePolicy",
     ("RoleName", "PolicyName", "PolicyDocument")),
    (IamResponse, "delete_role_policy", "iam", "DeleteRolePolicy",
     ("RoleName", "PolicyName")),
    (IamResponse, "update_assume_role_policy", "iam", "UpdateAssumeRolePolicy",
     ("RoleName", "PolicyDocument")),
    (IamResponse, "attach_role_policy", "iam", "AttachRolePolicy",
     ("RoleName", "PolicyArn")),
    (IamResponse, "detach_role_policy", "iam", "DetachRolePolicy",
     ("RoleName", "PolicyArn")),
    (IamResponse, "put_role_permissions_boundary", "iam", "PutRolePermissionsBoundary",
     ("RoleName", "PermissionsBoundary")),
    (IamResponse, "delete_role_permissions_boundary", "iam",
     "DeleteRolePermissionsBoundary", ("RoleName",)),
    (IamResponse, "set_default_policy_version", "iam", "SetDefaultPolicyVersion",
     ("PolicyArn", "VersionId")),
    (KmsResponse, "put_key_policy", "kms", "PutKeyPolicy",
     ("KeyId", "PolicyName", "Policy", "BypassPolicyLockoutSafetyCheck")),
    (KmsResponse, "disable_key", "kms", "DisableKey", ("KeyId",)),
    (KmsResponse, "enable_key", "kms", "EnableKey", ("KeyId",)),
    (KmsResponse, "schedule_key_deletion", "kms", "ScheduleKeyDeletion",
     ("KeyId", "PendingWindowInDays")),
    (KmsResponse, "cancel_key_deletion", "kms", "CancelKeyDeletion", ("KeyId",)),
    (KmsResponse, "create_grant", "kms", "CreateGrant",
     ("KeyId", "GranteePrincipal", "Operations", "Name", "Constraints",
      "RetiringPrincipal")),
    (KmsResponse, "revoke_grant", "kms", "RevokeGrant", ("KeyId", "GrantId")),
    (EventsHandler, "put_rule", "events", "PutRule",
     ("Name", "EventPattern", "State", "Description", "EventBusName")),
    (EventsHandler, "disable_rule", "events", "DisableRule", ("Name", "EventBusName")),
    (EventsHandler, "enable_rule", "events", "EnableRule", ("Name", "EventBusName")),
    (EventsHandler, "put_targets", "events", "PutTargets",
     ("Rule", "Targets", "EventBusName")),
    (EventsHandler, "remove_targets", "events", "RemoveTargets",
     ("Rule", "Ids", "EventBusName")),
]


def _camel(value: Any) -> Any:
    """CloudTrail's spelling of request parameters: lowerCamelCase keys, nested too."""
    if isinstance(value, dict):
        return {
            (k[:1].lower() + k[1:]): _camel(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _kms_key_arn(account: str, region: str, key_id: Any) -> str | None:
    try:
        return kms_backends[account][region].describe_key(str(key_id)).arn
    except Exception:  # noqa: BLE001 - an unknown key simply has no resource
        return None


def _record_write(
    resp: Any, service: str, name: str, keys: tuple[str, ...], result: Any,
    error: Exception | None, started: float,
) -> None:
    caller = resp.current_account
    region = "us-east-1" if service == "iam" else resp.region
    owner = _owner_account(resp) if service == "ecr" else caller
    partition = get_partition(region)
    params: dict[str, Any] = {}
    for key in keys:
        value = resp._get_param(key)
        if value is not None:
            params[key[:1].lower() + key[1:]] = _camel(value)
    resources: list[dict[str, str]] = []
    if service == "ecr":
        repo = params.get("repositoryName")
        resources.append({
            "accountId": owner, "type": "AWS::ECR::Repository",
            "ARN": f"arn:{partition}:ecr:{region}:{owner}:repository/{repo}",
        })
    elif service == "kms":
        arn = _kms_key_arn(owner, region, params.get("keyId"))
        if arn:
            resources.append({"accountId": owner, "type": "AWS::KMS::Key", "ARN": arn})
    response: Any = None
    if error is None and name == "CreateGrant" and isinstance(result, str):
        try:
            response = {"grantId": json.loads(result).get("GrantId")}
        except ValueError:
            response = None
    record: dict[str, Any] = {
        "eventTime": _iso(started),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": resp.normalized_request.remote_addr or "127.0.0.1",
        "userAgent": resp.headers.get("User-Agent", ""),
        "requestParameters": params,
        "responseElements": response,
        "requestID": str(uuid.uuid4()),
        "readOnly": False,
        "userIdentity": _user_identity(caller, resp.access_key, resp.region),
        "recipientAccountId": owner,
    }
    if resources:
        record["resources"] = resources
    if error is not None:
        record["errorCode"], record["errorMessage"] = _error_code(error)
    _store(owner, region, record)


def _recording(
    original: Any, service: str, name: str, keys: tuple[str, ...]
) -> Any:
    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.time()
        try:
            result = original(self, *args, **kwargs)
        except Exception as exc:
            _record_write(self, service, name, keys, None, exc, started)
            raise
        _record_write(self, service, name, keys, result, None, started)
        return result

    return wrapper


for _cls, _method, _service, _name, _keys in _POLICY_WRITES:
    setattr(_cls, _method, _recording(getattr(_cls, _method), _service, _name, _keys))
# ECR: pull-through cache rules and repository creation templates
# --------------------------------------------------------------------------


class EcrValidationError(ServiceException):
    code = "InvalidParameterException"


class PullThroughCacheRuleAlreadyExistsException(ServiceException):
    code = "PullThroughCacheRuleAlreadyExistsException"


class TemplateAlreadyExistsException(ServiceException):
    code = "TemplateAlreadyExistsException"


def _registry_store(resp: ECRResponse, name: str) -> dict[str, dict[str, Any]]:
    # Kept on moto's own backend object so /moto-api/reset clears it too.
    return resp.ecr_backend.__dict__.setdefault(name, {})


def _create_pull_through_cache_rule(self: ECRResponse) -> ActionResult:
    prefix = self._get_param("ecrRepositoryPrefix")
    url = self._get_param("upstreamRegistryUrl")
    if not prefix or not url:
        raise EcrValidationError("ecrRepositoryPrefix and upstreamRegistryUrl are required")
    owner = _owner_account(self)
    rule: dict[str, Any] = {
        "ecrRepositoryPrefix": prefix,
        "upstreamRegistryUrl": url,
        "createdAt": datetime.now(timezone.utc),
        "registryId": owner,
    }
    for key in ("credentialArn", "customRoleArn", "upstreamRegistry", "upstreamRepositoryPrefix"):
        value = self._get_param(key)
        if value is not None:
            rule[key] = value
    with _LOCK:
        rules = _registry_store(self, "_crossdock_ptc_rules")
        if prefix in rules:
            raise PullThroughCacheRuleAlreadyExistsException(
                f"A pull through cache rule with the prefix '{prefix}' already exists in the registry with id '{owner}'"
            )
        rules[prefix] = rule
    return ActionResult(dict(rule))


def _describe_pull_through_cache_rules(self: ECRResponse) -> ActionResult:
    wanted = self._get_param("ecrRepositoryPrefixes") or []
    with _LOCK:
        rules = list(_registry_store(self, "_crossdock_ptc_rules").values())
    if wanted:
        rules = [r for r in rules if r["ecrRepositoryPrefix"] in wanted]
    return ActionResult({"pullThroughCacheRules": rules})


def _create_repository_creation_template(self: ECRResponse) -> ActionResult:
    prefix = self._get_param("prefix")
    applied = self._get_param("appliedFor") or []
    if not prefix or not applied:
        raise EcrValidationError("prefix and appliedFor are required")
    owner = _owner_account(self)
    now = datetime.now(timezone.utc)
    template: dict[str, Any] = {
        "prefix": prefix,
        "appliedFor": applied,
        "createdAt": now,
        "updatedAt": now,
    }
    for key in (
        "description",
        "encryptionConfiguration",
        "resourceTags",
        "imageTagMutability",
        "repositoryPolicy",
        "lifecyclePolicy",
        "customRoleArn",
    ):
        value = self._get_param(key)
        if value is not None:
            template[key] = value
    with _LOCK:
        templates = _registry_store(self, "_crossdock_creation_templates")
        if prefix in templates:
            raise TemplateAlreadyExistsException(
                f"A repository creation template with the prefix '{prefix}' already exists"
            )
        templates[prefix] = template
    return ActionResult({"registryId": owner, "repositoryCreationTemplate": dict(template)})


def _describe_repository_creation_templates(self: ECRResponse) -> ActionResult:
    wanted = self._get_param("prefixes") or []
    with _LOCK:
        templates = list(_registry_store(self, "_crossdock_creation_templates").values())
    if wanted:
        templates = [t for t in templates if t["prefix"] in wanted]
    return ActionResult(
        {"registryId": _owner_account(self), "repositoryCreationTemplates": templates}
    )


ECRResponse.create_pull_through_cache_rule = _create_pull_through_cache_rule  # type: ignore[attr-defined]
ECRResponse.describe_pull_through_cache_rules = _describe_pull_through_cache_rules  # type: ignore[attr-defined]
ECRResponse.create_repository_creation_template = _create_repository_creation_template  # type: ignore[attr-defined]
ECRResponse.describe_repository_creation_templates = _describe_repository_creation_templates  # type: ignore[attr-defined]


# --------------------------------------------------------------------------
# CloudTrail: LookupEvents and SeedEvents
# --------------------------------------------------------------------------


def _attribute_matches(key: str, value: str, record: dict[str, Any]) -> bool:
    if key == "EventName":
        return record.get("eventName") == value
    if key == "EventSource":
        return record.get("eventSource") == value
    if key == "EventId":
        return record.get("eventID") == value
    if key == "Username":
        return _username(record) == value
    if key == "AccessKeyId":
        return (record.get("userIdentity") or {}).get("accessKeyId") == value
    if key == "ReadOnly":
        return str(bool(record.get("readOnly"))).lower() == value.lower()
    if key == "ResourceName":
        return any(r.get("ResourceName") == value for r in _resources(record))
    if key == "ResourceType":
        return any(r.get("ResourceType") == value for r in _resources(record))
    return False


def _lookup_view(record: dict[str, Any], when: float) -> dict[str, Any]:
    ident = record.get("userIdentity") or {}
    view: dict[str, Any] = {
        "EventId": record.get("eventID"),
        "EventName": record.get("eventName"),
        "ReadOnly": str(bool(record.get("readOnly"))).lower(),
        "EventTime": when,
        "EventSource": record.get("eventSource"),
        "Resources": _resources(record),
        "CloudTrailEvent": json.dumps(record),
    }
    if ident.get("accessKeyId"):
        view["AccessKeyId"] = ident["accessKeyId"]
    username = _username(record)
    if username:
        view["Username"] = username
    return view


def _encode_token(fingerprint: str, when: float, seq: int) -> str:
    raw = json.dumps({"f": fingerprint, "t": when, "s": seq}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str, fingerprint: str) -> tuple[float, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["f"] != fingerprint:
            raise ValueError("token belongs to another query")
        return float(data["t"]), int(data["s"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise CloudTrailError(
            "InvalidNextTokenException", "Invalid NextToken provided."
        ) from exc


def _lookup_events(self: CloudTrailResponse) -> str:
    attributes = self._get_param("LookupAttributes") or []
    if len(attributes) > 1:
        raise CloudTrailError(
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        )
    attribute = None
    if attributes:
        key = attributes[0].get("AttributeKey")
        value = attributes[0].get("AttributeValue")
        if key not in LOOKUP_KEYS or not isinstance(value, str):
            raise CloudTrailError(
                "InvalidLookupAttributesException",
                f"Invalid lookup attribute key: {key}.",
            )
        attribute = (key, value)

    now = time.time()
    start_raw = self._get_param("StartTime")
    end_raw = self._get_param("EndTime")
    start = (
        _parse_time(start_raw)
        if start_raw is not None
        else now - DEFAULT_WINDOW_SECONDS
    )
    end = _parse_time(end_raw) if end_raw is not None else now
    if start > end:
        raise CloudTrailError(
            "InvalidTimeRangeException",
            "Start time must be before or equal to end time.",
        )

    max_results = self._get_param("MaxResults")
    limit = MAX_RESULTS if max_results is None else int(max_results)
    if not 1 <= limit <= MAX_RESULTS:
        raise CloudTrailError(
            "InvalidMaxResultsException",
            f"MaxResults must be between 1 and {MAX_RESULTS}.",
        )
    if self._get_param("EventCategory") == "insight":
        return json.dumps({"Events": []})

    # The token remembers the query and the last (time, seq) returned, so a
    # page boundary stays put while new events arrive (they sort before it).
    fingerprint = json.dumps([attribute, start_raw, end_raw])
    token = self._get_param("NextToken")
    after = _decode_token(token, fingerprint) if token else None

    with _LOCK:
        entries = list(_events(self.current_account, self.region))
    entries.sort(key=lambda e: (e["time"], e["seq"]), reverse=True)
    selected = []
    for entry in entries:
        if not start <= entry["time"] <= end:
            continue
        if after is not None and (entry["time"], entry["seq"]) >= after:
            continue
        if attribute and not _attribute_matches(*attribute, entry["record"]):
            continue
        selected.append(entry)
        if len(selected) > limit:
            break

    body: dict[str, Any] = {
        "Events": [_lookup_view(e["record"], e["time"]) for e in selected[:limit]]
    }
    if len(selected) > limit:
        last = selected[limit - 1]
        body["NextToken"] = _encode_token(fingerprint, last["time"], last["seq"])
    return json.dumps(body)


def _seed_events(self: CloudTrailResponse) -> str:
    """Store the given CloudTrail records (objects or JSON strings)."""
    records = self._get_param("Events")
    if not isinstance(records, list):
        raise CloudTrailError(
            "InvalidParameterException", "Events must be a list of records."
        )
    ids = []
    for item in records:
        record = json.loads(item) if isinstance(item, str) else dict(item)
        if not isinstance(record, dict) or not record.get("eventName"):
            raise CloudTrailError(
                "InvalidParameterException", "Every record needs an eventName."
            )
        ids.append(_store(self.current_account, self.region, record)["eventID"])
    return json.dumps({"EventIds": ids})


CloudTrailResponse.lookup_events = _lookup_events  # type: ignore[attr-defined]
CloudTrailResponse.seed_events = _seed_events  # type: ignore[attr-defined]


# --------------------------------------------------------------------------
# Lambda: VpcConfig.VpcId from the function's subnets
# --------------------------------------------------------------------------


def _lambda_vpc_config(self: LambdaFunction) -> dict[str, Any] | None:
    """The function's VpcConfig with the VpcId of its first subnet (moto 5.2.5
    answers ``vpc-123abc`` whatever the subnets); unknown subnets keep moto's."""
    config = _moto_lambda_vpc_config.fget(self)  # type: ignore[union-attr]
    if not config or not config.get("SubnetIds"):
        return config
    try:
        ec2 = ec2_backends[self.account_id][self.region]
        subnet = ec2.get_subnet(config["SubnetIds"][0])
        config["VpcId"] = subnet.vpc_id
    except Exception:  # noqa: BLE001 - an unknown subnet keeps moto's answer
        pass
    return config


_moto_lambda_vpc_config = LambdaFunction.vpc_config
LambdaFunction.vpc_config = property(_lambda_vpc_config)  # type: ignore[assignment]


# --------------------------------------------------------------------------
# Parent-death watchdog and entry point
# --------------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """The kernel's start time of `pid`, so a recycled pid is not mistaken for
    the parent; None when the process is gone or is a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is the state (field 3), fields[19] the start time (field 22).
    return None if fields[0] in ("Z", "X") else fields[19]


def _parent_alive(pid: int, started: str | None) -> bool:
    if started is not None:
        return _process_start(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(pid: int) -> None:
    # Polling, not PR_SET_PDEATHSIG: that signal follows the *thread* that
    # spawned us, and a Rust test thread ends long before its process does.
    started = _process_start(pid) if os.path.isdir("/proc") else None
    if started is None and os.path.isdir("/proc"):
        os._exit(0)  # the parent was gone before we even looked
    while _parent_alive(pid, started):
        time.sleep(0.5)
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument(
        "--parent-pid", type=int, default=os.environ.get("MOTO_EXT_PARENT_PID")
    )
    pre.add_argument("--quiet", action="store_true")
    ours, rest = pre.parse_known_args(argv)
    if ours.quiet:
        # werkzeug only sets INFO on its logger when the level is still NOTSET.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if ours.parent_pid:
        threading.Thread(
            target=_watch_parent, args=(int(ours.parent_pid),), daemon=True
        ).start()

    from moto.server import main as moto_main

    # moto's main() falls back to sys.argv when given an empty list, which
    # would still hold --parent-pid; hand it exactly moto_server's arguments.
    sys.argv = [sys.argv[0], *rest]
    moto_main(rest)


if __name__ == "__main__":
    main()
