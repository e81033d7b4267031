#!/usr/bin/env bash
#SBATCH --job-name=tariffsim-merge
#SBATCH --cpus-per-task=1
#
# The merge job: combines the shard files of a run into the outputs of a single run.
# Submitted by submit.sh with --dependency=afterok:<array job>, so it starts only when
# every shard task succeeded. Usable by hand too (no Slurm needed):
#
#   merge.sh [--bin PATH] [--shards N] SHARD_DIR OUT_DIR
#
#   SHARD_DIR  / $TARIFFSIM_SHARDS_DIR   folder holding shard-K-of-N.json
#   OUT_DIR    / $TARIFFSIM_RESULTS      where summary.csv, compare.csv, histogram.csv and
#                                        manifest.json go
#   --bin PATH / $TARIFFSIM_BIN          tariffsim binary (default: `tariffsim` on PATH)
#   --shards N / $TARIFFSIM_SHARDS       merge exactly shard-1-of-N.json .. shard-N-of-N.json
#                                        (default: every shard-*.json in SHARD_DIR)
#
# Exit status is tariffsim merge's: 2 for a missing, repeated or foreign shard (the
# message names it), so the job shows FAILED in sacct/squeue.
set -euo pipefail

die() { echo "merge.sh: error: $*" >&2; exit 2; }

bin=${TARIFFSIM_BIN:-tariffsim}
shards_dir=${TARIFFSIM_SHARDS_DIR:-}
results=${TARIFFSIM_RESULTS:-}
nshards=${TARIFFSIM_SHARDS:-}
pos=()
while (($#)); do
    case $1 in
        --bin) bin=${2:?--bin needs a value}; shift 2 ;;
        --shards) nshards=${2:?--shards needs a value}; shift 2 ;;
        -*) die "unknown option $1" ;;
        *) pos+=("$1"); shift ;;
    esac
done
((${#pos[@]} <= 2)) || die "usage: merge.sh [--bin PATH] [--shards N] SHARD_DIR OUT_DIR"
((${#pos[@]} >= 1)) && shards_dir=${pos[0]}
((${#pos[@]} >= 2)) && results=${pos[1]}
[[ -n $shards_dir ]] || die "no shard folder (argument or \$TARIFFSIM_SHARDS_DIR)"
[[ -n $results ]] || die "no output folder (argument or \$TARIFFSIM_RESULTS)"

inputs=()
if [[ -n $nshards ]]; then
    # Name every expected file, so a missing one is reported by name and a stale shard
    # of another split lying in the same folder is ignored.
    for ((k = 1; k <= nshards; k++)); do
        inputs+=("$shards_dir/shard-$k-of-$nshards.json")
    done
else
    inputs=("$shards_dir")
fi

echo "merge.sh: job ${SLURM_JOB_ID:-(no slurm)} on $(hostname -s): merging ${nshards:-all} shard(s) of $shards_dir -> $results" >&2
exec "$bin" merge "${inputs[@]}" --out "$results"
