#!/usr/bin/env bash
#SBATCH --job-name=tariffsim-shard
#SBATCH --cpus-per-task=1
#
# One Slurm array task = one shard of a tariffsim run. Submitted by submit.sh as
#
#   sbatch --array=0-$((N-1)) array.sh [OPTIONS] SCENARIO [-- EXTRA RUN ARGS...]
#
# Array task ID (0-based) K0 of COUNT runs `tariffsim run SCENARIO --shard $((K0+1))/COUNT`
# and writes OUT/shard-$((K0+1))-of-COUNT.json. The array must be 0..COUNT-1 (any
# `%limit` is fine); `tariffsim merge OUT` afterwards checks none is missing.
#
# Settings: an argument wins over the environment variable, which wins over the default.
#   SCENARIO          / $TARIFFSIM_SCENARIO   scenario file (required; use an absolute path)
#   --out DIR         / $TARIFFSIM_OUT        folder for the shard files (required)
#   --trials T        / $TARIFFSIM_TRIALS     whole-run trials (default: the scenario's)
#   --seed S          / $TARIFFSIM_SEED       seed (default: the scenario's)
#   --bin PATH        / $TARIFFSIM_BIN        tariffsim binary (default: `tariffsim` on PATH)
#   --shards N        / $TARIFFSIM_SHARDS     number of shards (default: SLURM_ARRAY_TASK_COUNT);
#                                             set it to rerun some tasks: sbatch --array=2,5
#                                             array.sh --shards 16 ... runs shards 3 and 6 of 16
#   -- ARGS...        / $TARIFFSIM_EXTRA      more `tariffsim run` args, e.g. --set/--sweep
#                                             ($TARIFFSIM_EXTRA is split on whitespace)
# From Slurm:
#   SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT   which shard (required), of how many
#   SLURM_CPUS_PER_TASK                           --threads (default 1)
#
# Every shard must get the same scenario, trials, seed and extra args, or merge refuses
# them (exit 2, naming the file). Threads never change results.
set -euo pipefail

die() { echo "array.sh: error: $*" >&2; exit 2; }

scenario=${TARIFFSIM_SCENARIO:-}
out=${TARIFFSIM_OUT:-}
trials=${TARIFFSIM_TRIALS:-}
seed=${TARIFFSIM_SEED:-}
bin=${TARIFFSIM_BIN:-tariffsim}
shards=${TARIFFSIM_SHARDS:-}
extra=()
if [[ -n ${TARIFFSIM_EXTRA:-} ]]; then
    read -r -a extra <<<"$TARIFFSIM_EXTRA"
fi

got_scenario=0
while (($#)); do
    case $1 in
        --out) out=${2:?--out needs a value}; shift 2 ;;
        --trials) trials=${2:?--trials needs a value}; shift 2 ;;
        --seed) seed=${2:?--seed needs a value}; shift 2 ;;
        --bin) bin=${2:?--bin needs a value}; shift 2 ;;
        --shards) shards=${2:?--shards needs a value}; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        -*) die "unknown option $1" ;;
        *) ((got_scenario == 0)) || die "one scenario only (got $scenario and $1)"
           scenario=$1; got_scenario=1; shift ;;
    esac
done

[[ -n $scenario ]] || die "no scenario (argument or \$TARIFFSIM_SCENARIO)"
[[ -n $out ]] || die "no output folder (--out or \$TARIFFSIM_OUT)"
id=${SLURM_ARRAY_TASK_ID:?array.sh must run as a Slurm array task (sbatch --array=0-N)}
count=${shards:-${SLURM_ARRAY_TASK_COUNT:-}}
if [[ -z $count ]]; then
    # Older Slurm: derive from the array bounds (array must start at 0).
    [[ ${SLURM_ARRAY_TASK_MIN:-} == 0 && -n ${SLURM_ARRAY_TASK_MAX:-} ]] \
        || die "SLURM_ARRAY_TASK_COUNT not set and array bounds unknown"
    count=$((SLURM_ARRAY_TASK_MAX + 1))
fi
[[ $id =~ ^[0-9]+$ && $count =~ ^[0-9]+$ ]] || die "bad array ids: task $id of $count"
((id < count)) || die "array task $id is outside 0..$((count - 1)); submit with --array=0-$((count - 1)) (or pass --shards N)"
threads=${SLURM_CPUS_PER_TASK:-1}
shard="$((id + 1))/$count"

args=(run "$scenario" --shard "$shard" --threads "$threads" --out "$out")
[[ -n $trials ]] && args+=(--trials "$trials")
[[ -n $seed ]] && args+=(--seed "$seed")
args+=("${extra[@]}")

echo "array.sh: job ${SLURM_ARRAY_JOB_ID:-?}_${id} on $(hostname -s): shard $shard, $threads thread(s)" >&2
echo "array.sh: $bin ${args[*]}" >&2
exec "$bin" "${args[@]}"
