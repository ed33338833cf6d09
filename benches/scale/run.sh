#!/usr/bin/env bash
# Figures 1 and 2 of BENCHMARKS.md ("Scale: live explain on large accounts"):
#
#   1. AWS calls and wall time of one live `crossdock explain pull` (S1 broken) against the
#      emulator, for a small pair of accounts (the S1 resources + 10 roles each) and a big
#      pair (the same + 5,000 roles with inline and attached managed policies, 2,000
#      repositories with policies and 500 keys each);
#   2. the same evidence gathered the manual way, with the `aws` CLI (v1), timed end to end
#      against the same emulator, and the ratio.
#
#   benches/scale/run.sh            # the full run (about 5 minutes on 2 cores, build excluded)
#   RUNS=3 BIG_ROLES=500 BIG_REPOSITORIES=200 BIG_KEYS=50 benches/scale/run.sh   # a quick one
#   CROSSDOCK_COMPARE=path/to/older/crossdock benches/scale/run.sh   # also time another build
#
# Everything runs on 127.0.0.1: one emulator (moto 5.2.5 + tests/moto/moto_ext.py, the
# integration tests' own), with a watchdog tied to this script's pid and a trap to stop it.
# The only other network use is pip installing from the package index on the first run.
# Results: a Markdown table on stdout, raw numbers in target/scale-bench/results.json.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/scale-bench
mkdir -p "$work"

RUNS=${RUNS:-7}                       # timed runs per figure; the median is reported
SMALL_ROLES=${SMALL_ROLES:-10}
BIG_ROLES=${BIG_ROLES:-5000}
BIG_REPOSITORIES=${BIG_REPOSITORIES:-2000}
BIG_KEYS=${BIG_KEYS:-500}
SEED_THREADS=${SEED_THREADS:-8}       # per account; moto, not the client, is the bottleneck
# Distinct IDs for the two pairs, so both live in one server (any 12 digits work in moto).
SMALL_A=510000000001 SMALL_B=510000000002
BIG_A=520000000001 BIG_B=520000000002

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# --- The emulator venv: exactly what tests/support/moto.rs builds (same requirements file,
# --- same marker, same lock), so tests and this script share target/moto-venv.
moto_venv=$target/moto-venv
requirements=$root/tests/moto/requirements.txt
marker=crossdock-requirements.txt
venv_ready() { [[ -f $moto_venv/$marker ]] && cmp -s "$moto_venv/$marker" "$requirements"; }
if ! venv_ready; then
  lock=$target/moto-venv.lock
  # The harness's lock: a directory naming its holder's pid. Wait for a live holder.
  until mkdir "$lock" 2>/dev/null; do
    holder=$(cat "$lock/pid" 2>/dev/null || true)
    if [[ -n $holder && ! -d /proc/$holder ]]; then rm -rf "$lock"; continue; fi
    sleep 1
  done
  echo $$ >"$lock/pid"
  if ! venv_ready; then
    log "building $moto_venv (moto 5.2.5, pinned by tests/moto/requirements.txt)"
    scratch=$target/moto-venv.tmp-$$
    rm -rf "$scratch"
    "${CROSSDOCK_PYTHON:-python3}" -m venv "$scratch"
    "$scratch/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    "$scratch/bin/python" -c "import moto, boto3; assert moto.__version__ == '5.2.5'"
    cp "$requirements" "$scratch/$marker"
    rm -rf "$moto_venv"
    mv "$scratch" "$moto_venv"
  fi
  rm -rf "$lock"
fi
python=$moto_venv/bin/python

# --- awscli v1 in its own venv (its botocore must not meet moto's pinned one).
aws_venv=$target/awscli-venv
aws_requirements=$root/benches/scale/awscli-requirements.txt
if ! { [[ -f $aws_venv/$marker ]] && cmp -s "$aws_venv/$marker" "$aws_requirements"; }; then
  log "building $aws_venv (awscli v1 from benches/scale/awscli-requirements.txt)"
  rm -rf "$aws_venv"
  "${CROSSDOCK_PYTHON:-python3}" -m venv "$aws_venv"
  "$aws_venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$aws_requirements"
  cp "$aws_requirements" "$aws_venv/$marker"
fi

# --- crossdock, release. Incremental: a no-op when target/release is up to date.
log "cargo build --release"
build_started=$(date +%s)
cargo build --release --quiet --bin crossdock
build_seconds=$(($(date +%s) - build_started))
crossdock=$target/release/crossdock

# --- The emulator on a free loopback port. --parent-pid makes the shim exit once this
# --- script is gone (even on kill -9); the trap stops it on any normal exit.
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap stop_server EXIT
for attempt in 1 2 3 4 5; do
  port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  MOTO_IAM_LOAD_MANAGED_POLICIES=true env -u MOTO_ACCOUNT_ID -u MOTO_PORT \
    "$python" tests/moto/moto_ext.py -H 127.0.0.1 -p "$port" --parent-pid $$ --quiet >"$work/moto.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    if "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/data.json', timeout=1)" 2>/dev/null; then
      break 2
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi # exited: port taken, try another
    sleep 0.1
  done
  stop_server
  server_pid=
  log "emulator did not start on port $port (attempt $attempt):"; tail -5 "$work/moto.log" >&2
done
[[ -n $server_pid ]] || { log "giving up: see $work/moto.log"; exit 1; }
endpoint=http://127.0.0.1:$port
log "emulator on $endpoint (log: $work/moto.log)"

# --- Seeding, timed by seed.py itself (write calls, seconds, calls/s, counted contents).
log "seeding the small pair ($SMALL_ROLES filler roles per account)"
"$python" benches/scale/seed.py --endpoint "$endpoint" --demo assets/demo \
  --account-a $SMALL_A --account-b $SMALL_B --roles "$SMALL_ROLES" --threads "$SEED_THREADS" \
  >"$work/seed-small.json"
log "seeding the big pair ($BIG_ROLES roles, $BIG_REPOSITORIES repositories, $BIG_KEYS keys per account)"
"$python" benches/scale/seed.py --endpoint "$endpoint" --demo assets/demo \
  --account-a $BIG_A --account-b $BIG_B --roles "$BIG_ROLES" --repositories "$BIG_REPOSITORIES" \
  --keys "$BIG_KEYS" --threads "$SEED_THREADS" >"$work/seed-big.json"

# --- Profiles in the harness's format (tests/support/moto.rs: write_profiles): a base
# --- profile with the dummy keys, one role_arn + source_profile profile per account.
profiles=$work/profiles
mkdir -p "$profiles"
{
  printf '# Written by benches/scale/run.sh for the emulator at %s.\n' "$endpoint"
  printf '[profile moto-base]\nregion = ap-northeast-1\nendpoint_url = %s\n' "$endpoint"
  for p in small-a:$SMALL_A small-b:$SMALL_B big-a:$BIG_A big-b:$BIG_B; do
    printf '\n[profile %s]\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\n' "${p%%:*}" "${p#*:}"
    printf 'source_profile = moto-base\nrole_session_name = crossdock-%s\nregion = ap-northeast-1\nendpoint_url = %s\n' \
      "${p%%:*}" "$endpoint"
  done
} >"$profiles/config"
printf '[moto-base]\naws_access_key_id = testing\naws_secret_access_key = testing\n' >"$profiles/credentials"

# --- Measure: crossdock and the aws CLI, small and big, RUNS times each (plus a warm-up).
log "measuring ($RUNS runs per figure)"
PATH=$aws_venv/bin:$PATH "$python" benches/scale/measure.py \
  --crossdock "$crossdock" --manual benches/scale/manual.sh --profiles "$profiles" \
  --seed-small "$work/seed-small.json" --seed-big "$work/seed-big.json" \
  --runs "$RUNS" --build-seconds "$build_seconds" --out "$work/results.json" \
  ${CROSSDOCK_COMPARE:+--compare "$CROSSDOCK_COMPARE"}
