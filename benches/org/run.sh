#!/usr/bin/env bash
# The "Organisations" figures of BENCHMARKS.md, against the emulator (moto 5.2.5 +
# tests/moto/moto_ext.py, the integration tests' own, quiet, on 127.0.0.1):
#
#   1. `crossdock accounts --org-profile … --org-role … --list`: discovery + every member's
#      listing, wall time, calls per account, peak memory (RSS, /usr/bin/time);
#   2. `crossdock trail --org-trail s3://… --since 24h --events any`: records/s end to end.
#
#   benches/org/run.sh                                   # 50 accounts × 200 roles × 50 repositories
#   ACCOUNTS=10 ROLES=50 REPOSITORIES=10 benches/org/run.sh   # a quick one
#
# The venv must exist (any moto integration test builds it: `cargo test --test org_moto`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/org-bench
mkdir -p "$work"
ACCOUNTS=${ACCOUNTS:-50} ROLES=${ROLES:-200} REPOSITORIES=${REPOSITORIES:-50}
TRAIL_ACCOUNTS=${TRAIL_ACCOUNTS:-50} HOURS=${HOURS:-24} RECORDS=${RECORDS:-300}
PARTS=${PARTS:-org,trail}            # PARTS=trail measures the trail read alone
python=$target/moto-venv/bin/python
[[ -x $python ]] || { echo "no $python: run 'cargo test --test org_moto' once first" >&2; exit 2; }
# CROSSDOCK_BIN=target/debug/crossdock measures another build (say which in BENCHMARKS.md).
if [[ -n ${CROSSDOCK_BIN:-} ]]; then
  bin=$CROSSDOCK_BIN
else
  cargo build --release --quiet
  bin=$target/release/crossdock
fi

port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$python" tests/moto/moto_ext.py -H 127.0.0.1 -p "$port" --quiet --parent-pid $$ >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
endpoint=http://127.0.0.1:$port
until curl -sf "$endpoint/moto-api/data.json" >/dev/null; do sleep 0.2; done

seconds() { date +%s.%N; }
printf '[profile base]\nregion = ap-northeast-1\nendpoint_url = %s\n' "$endpoint" >"$work/config"
printf '[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n' >"$work/credentials"
export AWS_CONFIG_FILE=$work/config AWS_SHARED_CREDENTIALS_FILE=$work/credentials
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_ENDPOINT_URL

if [[ $PARTS == *org* ]]; then
start=$(seconds)
management=$("$python" benches/org/seed.py "$endpoint" org "$ACCOUNTS" "$ROLES" "$REPOSITORIES")
echo "seeded $ACCOUNTS accounts × $ROLES roles × $REPOSITORIES repositories in $(echo "$(seconds) - $start" | bc) s" >&2

cat >>"$work/config" <<CONF
[profile mgmt]
role_arn = arn:aws:iam::$management:role/OrganizationAccountAccessRole
source_profile = base
region = ap-northeast-1
endpoint_url = $endpoint
CONF
/usr/bin/time -v "$bin" accounts --org-profile mgmt --org-role CrossdockRead --list --format json \
  >"$work/accounts.json" 2>"$work/accounts.err"
"$python" - "$work/accounts.json" "$work/accounts.err" <<'PY'
import json, re, sys
data = json.load(open(sys.argv[1])); err = open(sys.argv[2]).read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", err).group(1)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
members = [a for a in data["accounts"] if not a["management"]]
calls = sorted(a.get("calls", 0) for a in members)
ok = sum(a["identity_ok"] for a in data["accounts"])
print(f"accounts: {len(data['accounts'])} ({ok} readable), wall {wall}, peak RSS {rss/1024:.0f} MiB, "
      f"calls per member min {calls[0]} median {calls[len(calls)//2]} max {calls[-1]}, "
      f"roles listed per member {members[0]['listed']['roles']}, repositories {members[0]['listed']['repositories']}")
PY
fi

if [[ $PARTS == *trail* ]]; then
start=$(seconds)
bucket=$("$python" benches/org/seed.py "$endpoint" trail "$TRAIL_ACCOUNTS" "$HOURS" "$RECORDS")
echo "seeded $TRAIL_ACCOUNTS accounts × $HOURS hourly files × $RECORDS records in $(echo "$(seconds) - $start" | bc) s" >&2
cat >>"$work/config" <<CONF
[profile archive]
role_arn = arn:aws:iam::530000000009:role/OrganizationAccountAccessRole
source_profile = base
region = ap-northeast-1
endpoint_url = $endpoint
CONF
/usr/bin/time -v "$bin" trail --org-trail "s3://$bucket" --profile archive --since 24h --events any \
  --format json >"$work/trail.jsonl" 2>"$work/trail.err" || true
grep 'records/s' "$work/trail.err"
echo "events out: $(($(wc -l <"$work/trail.jsonl") - 1)); peak RSS $(grep 'Maximum resident' "$work/trail.err" | awk '{print int($NF/1024)}') MiB; wall $(grep 'Elapsed (wall' "$work/trail.err" | awk '{print $NF}')"
fi
