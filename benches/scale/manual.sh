#!/usr/bin/env bash
# The manual path for one "why can't PRINCIPAL pull REPOSITORY?" question: the `aws` CLI
# commands an SRE runs to gather the same evidence `crossdock explain pull` reads, in order,
# each command's arguments taken from the previous answers (what is attached, which key
# encrypts the repository), as a person copying IDs from one output into the next would.
#
#   manual.sh PROFILE_A PROFILE_B PRINCIPAL_ARN REPOSITORY_ARN
#
# Needs `aws` (v1) on PATH and AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE pointing at
# profiles whose endpoint_url is the emulator. Prints every command on stderr and, last on
# stdout, `aws-invocations N`. It gathers documents only: reading and evaluating them (the
# part crossdock automates) takes a person minutes and is not timed, so the measured ratio
# is a lower bound.
set -euo pipefail

if [[ $# -ne 4 ]]; then
  echo "usage: $0 PROFILE_A PROFILE_B PRINCIPAL_ARN REPOSITORY_ARN" >&2
  exit 2
fi
profile_a=$1 profile_b=$2 principal=$3 repository_arn=$4
# Most calls run inside $(…), a subshell, so the count lives in a file, not a variable.
calls=$(mktemp)
trap 'rm -f "$calls"' EXIT

# Every AWS read goes through here: counted and echoed.
aws_() {
  echo "$2" >>"$calls"
  echo "+ aws $*" >&2
  aws "$@"
}

# arn:aws:sts::111…:assumed-role/ROLE/SESSION or arn:aws:iam::111…:role/path/ROLE → ROLE.
resource=${principal#*:*:*:*:*:}
case $resource in
  assumed-role/*) role=${resource#assumed-role/}; role=${role%%/*} ;;
  *) role=${resource##*/} ;;
esac
repo_account=$(cut -d: -f5 <<<"$repository_arn")
repo_name=${repository_arn#*:repository/}

# 1. Which account is each profile? (Profiles are named by people; the IDs decide.)
aws_ sts get-caller-identity --profile "$profile_a" --output json >/dev/null
aws_ sts get-caller-identity --profile "$profile_b" --output json >/dev/null

# 2. The caller's side: the role, its trust policy and boundary, every policy on it.
boundary=$(aws_ iam get-role --profile "$profile_a" --role-name "$role" \
  --query 'Role.PermissionsBoundary.PermissionsBoundaryArn' --output text)
for name in $(aws_ iam list-role-policies --profile "$profile_a" --role-name "$role" \
  --query 'PolicyNames[]' --output text); do
  aws_ iam get-role-policy --profile "$profile_a" --role-name "$role" --policy-name "$name" \
    --output json >/dev/null
done
policies=$(aws_ iam list-attached-role-policies --profile "$profile_a" --role-name "$role" \
  --query 'AttachedPolicies[].PolicyArn' --output text)
if [[ $boundary != None ]]; then policies="$policies $boundary"; fi
for arn in $policies; do
  version=$(aws_ iam get-policy --profile "$profile_a" --policy-arn "$arn" \
    --query 'Policy.DefaultVersionId' --output text)
  aws_ iam get-policy-version --profile "$profile_a" --policy-arn "$arn" --version-id "$version" \
    --output json >/dev/null
done

# 3. The registry's side: the repository (encryption, tag mutability) and its policy.
key=$(aws_ ecr describe-repositories --profile "$profile_b" --registry-id "$repo_account" \
  --repository-names "$repo_name" \
  --query 'repositories[0].encryptionConfiguration.kmsKey' --output text)
aws_ ecr get-repository-policy --profile "$profile_b" --registry-id "$repo_account" \
  --repository-name "$repo_name" --output json >/dev/null || true # none is an answer too

# 4. A KMS-encrypted repository: the key's state and policy.
if [[ $key != None ]]; then
  aws_ kms describe-key --profile "$profile_b" --key-id "$key" --output json >/dev/null
  aws_ kms get-key-policy --profile "$profile_b" --key-id "$key" --policy-name default \
    --output json >/dev/null
fi

echo "aws-invocations $(wc -l <"$calls")"
