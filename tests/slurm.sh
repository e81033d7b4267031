#!/usr/bin/env bash
# End-to-end test of the Slurm scripts on a real one-node Slurm cluster on localhost.
#
#   tests/slurm.sh [TARIFFSIM_BINARY]      (default: target/release/tariffsim; build it first)
#
# Needs root and Debian 12 (installs slurm-wlm and munge with apt-get unless slurmctld and
# munged are already installed). Starts munged (unless one already answers), slurmctld
# and slurmd with a private slurm.conf (SLURM_CONF) and private ports in a temporary
# folder; touches no Slurm system file. Submits a 4-task array plus the merge job through
# scripts/slurm/submit.sh and checks the merged CSVs are byte-identical to a single local
# run, and that merging 3 of the 4 shards fails with exit 2 naming the missing one.
# On exit it stops the daemons it started, by pid, and removes the temporary folder.
# Prints PASS or FAIL last; exit 0 only on PASS. Takes about 10 s once Slurm is installed
# (plus a minute or two for the install on a fresh machine).
set -euo pipefail
export LC_ALL=C

TRIALS=${SLURM_TEST_TRIALS:-300000}
SEED=${SLURM_TEST_SEED:-4242}
SHARDS=4
JOB_TIMEOUT=${SLURM_TEST_JOB_TIMEOUT:-300}
NODE_TIMEOUT=${SLURM_TEST_NODE_TIMEOUT:-60}

t0=$(date +%s)
log() { printf '[slurm-test %3ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

bin=${1:-target/release/tariffsim}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# A relative binary path is taken from the current folder, else from the repository root.
if [[ $bin != /* && ! -e $bin && -e $repo/$bin ]]; then bin=$repo/$bin; fi
[[ -x $bin ]] || { echo "slurm-test: FAIL: $bin is not an executable (cargo build --release first)" >&2; exit 1; }
bin=$(realpath "$bin")
scenario=$repo/scenarios/korea-jv.toml
submit=$repo/scripts/slurm/submit.sh
[[ -f $scenario && -x $submit ]] || { echo "slurm-test: FAIL: missing $scenario or $submit" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "slurm-test: FAIL: must run as root (starts slurmctld/slurmd)" >&2; exit 1; }

# Nothing from a surrounding Slurm job or the user's sbatch defaults leaks in.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(SLURM_|SBATCH_|SQUEUE_|SINFO_|SCONTROL_)' || true)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

tmp=''
started_pids=()   # pid:name of every daemon this script (or its apt-get) started
passed=0

cleanup() {
    local rc=$? entry pid name i
    set +e
    trap - EXIT INT TERM ERR
    if ((${#started_pids[@]})); then
        if [[ -n $tmp && -f $tmp/slurm.conf ]]; then
            SLURM_CONF=$tmp/slurm.conf timeout 10 scontrol shutdown >/dev/null 2>&1
        fi
        # Slurm daemons first (they need munge to shut down cleanly), munged last.
        for want in slurm munged; do
            for entry in "${started_pids[@]}"; do
                pid=${entry%%:*} name=${entry#*:}
                [[ $want == slurm && $name == munged ]] && continue
                [[ $want == munged && $name != munged ]] && continue
                if [[ $want == slurm ]]; then   # give scontrol shutdown 5 s
                    for ((i = 0; i < 50; i++)); do
                        kill -0 "$pid" 2>/dev/null || break
                        sleep 0.1
                    done
                fi
                if ! kill -0 "$pid" 2>/dev/null; then
                    wait "$pid" 2>/dev/null
                    log "$name (pid $pid) has stopped"
                    continue
                fi
                kill -TERM "$pid" 2>/dev/null
                for ((i = 0; i < 50; i++)); do
                    kill -0 "$pid" 2>/dev/null || break
                    sleep 0.1
                done
                if kill -0 "$pid" 2>/dev/null; then
                    log "$name (pid $pid) ignored SIGTERM; SIGKILL"
                    kill -KILL "$pid" 2>/dev/null
                fi
                wait "$pid" 2>/dev/null
                log "stopped $name (pid $pid)"
            done
        done
    fi
    if ((rc != 0)) && [[ -n $tmp && -d $tmp ]]; then
        for f in "$tmp"/log/*.log "$tmp"/run/logs/*.out; do
            [[ -s $f ]] || continue
            echo "----- tail of $f"
            tail -n 25 "$f"
        done
    fi
    [[ -n $tmp ]] && rm -rf "$tmp"
    if ((passed && rc == 0)); then
        log "PASS: $SHARDS-task Slurm array + merge == single run (byte-identical), missing shard rejected"
    else
        ((rc)) || rc=1
        log "FAIL (exit $rc)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
trap 'log "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

# ---------------------------------------------------------------- install
have_all() {
    local c
    for c in slurmctld slurmd sbatch squeue sinfo scontrol munged munge unmunge; do
        command -v "$c" >/dev/null || return 1
    done
}
daemon_pids() { { pgrep -x munged; pgrep -x slurmctld; pgrep -x slurmd; } | sort || true; }
if have_all; then
    log "slurm and munge already installed: $(slurmctld -V 2>&1), munge $(munged -V 2>&1 | awk '{print $1}')"
else
    command -v apt-get >/dev/null || fail "slurm/munge missing and no apt-get to install them"
    before=$(daemon_pids)
    log "installing slurm-wlm munge with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o Acquire::Retries=3 update -qq >"${TMPDIR:-/tmp}/slurm-test-apt.$$.log" 2>&1 \
        || { tail -20 "${TMPDIR:-/tmp}/slurm-test-apt.$$.log"; fail "apt-get update failed"; }
    apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends slurm-wlm munge \
        >>"${TMPDIR:-/tmp}/slurm-test-apt.$$.log" 2>&1 \
        || { tail -20 "${TMPDIR:-/tmp}/slurm-test-apt.$$.log"; fail "apt-get install slurm-wlm munge failed"; }
    rm -f "${TMPDIR:-/tmp}/slurm-test-apt.$$.log"
    have_all || fail "slurm/munge commands still missing after apt-get install"
    # A package script may have started a daemon: it is ours to stop.
    for pid in $(daemon_pids); do
        grep -qx "$pid" <<<"$before" && continue
        started_pids+=("$pid:$(cat /proc/"$pid"/comm 2>/dev/null || echo daemon)")
        log "apt-get started $(cat /proc/"$pid"/comm 2>/dev/null) (pid $pid); will stop it"
    done
    log "installed $(slurmctld -V 2>&1)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tariffsim-slurm-test.XXXXXX")
chmod 755 "$tmp"
mkdir -p "$tmp"/{state,spool,log,pid}

# ---------------------------------------------------------------- munge
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running; using it (will not stop it)"
else
    [[ -r /etc/munge/munge.key ]] || fail "/etc/munge/munge.key missing (the munge package creates it)"
    mkdir -p /run/munge
    chown munge:munge /run/munge
    chmod 755 /run/munge
    # setpriv execs munged, so $! is munged's own pid.
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground \
        >"$tmp/log/munged.log" 2>&1 &
    started_pids+=("$!:munged")
    log "started munged (pid $!)"
    for ((i = 0; i < 50; i++)); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        kill -0 "$!" 2>/dev/null || fail "munged exited: $(cat "$tmp/log/munged.log")"
        sleep 0.2
    done
    munge -n | unmunge >/dev/null || fail "munge does not answer after 10 s"
fi

# ---------------------------------------------------------------- slurm
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ctl_port=''
for ((try = 0; try < 50; try++)); do
    p=$((20000 + (RANDOM % 20000) * 2))
    if port_free "$p" && port_free $((p + 1)); then ctl_port=$p; break; fi
done
[[ -n $ctl_port ]] || fail "no free pair of TCP ports found"
node=$(hostname -s)
cpus=$(nproc)
export SLURM_CONF=$tmp/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=tariffsimtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$((ctl_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/pid/slurmctld.pid
SlurmdPidFile=$tmp/pid/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# -D: stay in the foreground, so $! is the daemon's pid.
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
started_pids+=("$!:slurmctld")
log "started slurmctld (pid $!, port $ctl_port)"
slurmd -D -f "$SLURM_CONF" >"$tmp/log/slurmd.out" 2>&1 &
started_pids+=("$!:slurmd")
log "started slurmd (pid $!, node $node, CPUs=$cpus)"

deadline=$(($(date +%s) + NODE_TIMEOUT))
state=''
while :; do
    state=$(sinfo -h -N -n "$node" -o '%T' 2>/dev/null | head -1 || true)
    [[ $state == idle ]] && break
    for entry in "${started_pids[@]}"; do
        [[ $entry == *:slurm* ]] && { kill -0 "${entry%%:*}" 2>/dev/null || fail "${entry#*:} exited during start-up"; }
    done
    (($(date +%s) < deadline)) || fail "node $node not idle after ${NODE_TIMEOUT}s (sinfo state: '${state:-no answer}')"
    sleep 0.5
done
log "node $node idle"

# ---------------------------------------------------------------- submit
run=$tmp/run
cd "$tmp"   # submit from elsewhere: the scripts must not depend on the caller's folder
sub_out=$("$submit" "$scenario" --shards "$SHARDS" --trials "$TRIALS" --seed "$SEED" \
    --out "$run" --bin "$bin" 2>&1) || fail "submit.sh failed: $sub_out"
while IFS= read -r line; do echo "  submit.sh: $line"; done <<<"$sub_out"
array_id=$(awk '/^array job:/ {print $3}' <<<"$sub_out")
merge_id=$(awk '/^merge job:/ {print $3}' <<<"$sub_out")
[[ $array_id =~ ^[0-9]+$ && $merge_id =~ ^[0-9]+$ ]] || fail "no job ids in submit.sh output"

# Meanwhile, the reference: one local run, all threads.
"$bin" run "$scenario" --trials "$TRIALS" --seed "$SEED" --out "$tmp/single" --quiet \
    || fail "local reference run failed"

deadline=$(($(date +%s) + JOB_TIMEOUT))
while :; do
    left=$(squeue -h -j "$array_id,$merge_id" -o '%i %T' 2>/dev/null || true)
    [[ -z $left ]] && break
    (($(date +%s) < deadline)) || fail "jobs not done after ${JOB_TIMEOUT}s: $(tr '\n' ';' <<<"$left")"
    sleep 1
done
for id in "$array_id" "$merge_id"; do
    states=$(scontrol -o show job "$id" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' \n' ' ')
    [[ $states =~ JobState=COMPLETED && ! $states =~ JobState=(FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) ]] \
        || fail "job $id did not complete: $states"
    log "job $id:$states"
done
ntasks=$(scontrol -o show job "$array_id" | grep -c 'JobState=COMPLETED')
((ntasks == SHARDS)) || fail "$ntasks of $SHARDS array tasks completed"

# ---------------------------------------------------------------- check
for k in $(seq 1 "$SHARDS"); do
    [[ -s $run/shards/shard-$k-of-$SHARDS.json ]] || fail "missing $run/shards/shard-$k-of-$SHARDS.json"
done
for f in summary.csv compare.csv histogram.csv; do
    [[ -s $run/results/$f ]] || fail "merge job wrote no $run/results/$f"
    cmp "$tmp/single/$f" "$run/results/$f" || fail "$f: merged shards differ from the single run"
    log "$f: merged == single run ($(wc -l <"$run/results/$f") lines, $(wc -c <"$run/results/$f") bytes)"
done
[[ -s $run/results/manifest.json ]] || fail "merge job wrote no manifest.json"

# Each task used its own shard and the threads from --cpus-per-task (1).
for k in $(seq 1 "$SHARDS"); do
    grep -q -- "--shard $k/$SHARDS --threads 1 " "$run"/logs/shard-"${array_id}"_$((k - 1)).out \
        || fail "log of array task $((k - 1)) does not show --shard $k/$SHARDS --threads 1"
done

# Merge of 3 of the 4 shards: exit 2, naming the missing one.
rc=0
msg=$("$bin" merge "$run/shards/shard-1-of-4.json" "$run/shards/shard-2-of-4.json" \
    "$run/shards/shard-4-of-4.json" --out "$tmp/partial" 2>&1) || rc=$?
((rc == 2)) || fail "merge of 3 of 4 shards: exit $rc, expected 2 ($msg)"
grep -Eq 'missing shard.*\b3\b|shard-3-of-4' <<<"$msg" || fail "merge of 3 of 4 shards does not name shard 3: $msg"
[[ ! -e $tmp/partial/summary.csv ]] || fail "merge of 3 of 4 shards still wrote summary.csv"
log "merge of shards 1,2,4: exit 2: $msg"

# The same through merge.sh (what the merge job runs): names the missing file.
mkdir "$tmp/three"
cp "$run"/shards/shard-{1,2,4}-of-4.json "$tmp/three/"
rc=0
msg=$("$repo/scripts/slurm/merge.sh" --bin "$bin" --shards 4 "$tmp/three" "$tmp/partial" 2>&1) || rc=$?
if ((rc != 2)) || ! grep -q 'shard-3-of-4.json' <<<"$msg"; then
    fail "merge.sh --shards 4 with shard 3 missing: exit $rc, expected 2 naming shard-3-of-4.json ($msg)"
fi
log "merge.sh without shard 3: exit 2, names shard-3-of-4.json"

passed=1
log "total $(($(date +%s) - t0))s"
