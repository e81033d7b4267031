#!/usr/bin/env bash
# Submit a tariffsim run to Slurm: N shard tasks as one job array, then a merge job that
# starts only if every shard succeeded (--dependency=afterok).
#
#   scripts/slurm/submit.sh SCENARIO --shards N [--trials T] [--seed S]
#       [--cpus-per-task C] [--out DIR] [--partition P] [--bin PATH]
#       [-- EXTRA TARIFFSIM RUN ARGS...]
#
#   SCENARIO            scenario file (made absolute; must be readable on the compute nodes)
#   --shards N          number of array tasks = shards (required)
#   --trials T, --seed S    whole-run trials and seed (default: the scenario's)
#   --cpus-per-task C   CPUs per shard task, used as --threads (default 1)
#   --out DIR           run folder (default ./tariffsim-<scenario stem>), which gets
#                         DIR/shards/shard-K-of-N.json   one per array task
#                         DIR/results/                   summary.csv, compare.csv,
#                                                        histogram.csv, manifest.json
#                         DIR/logs/                      Slurm stdout/stderr of every job
#   --partition P       Slurm partition for both jobs (default: the cluster's default)
#   --bin PATH          tariffsim binary, visible on the compute nodes (default: this
#                       checkout's target/release/tariffsim, else `tariffsim` on PATH)
#   -- ARGS...          passed to every shard's `tariffsim run` (e.g. --set, --sweep);
#                       not --shard, --threads, --out, --trials-csv or --target-*
#
# Other sbatch settings (account, time limit, QOS, ...) come from the usual SBATCH_*
# environment variables, e.g. SBATCH_ACCOUNT=proj SBATCH_TIMELIMIT=1:00:00.
# Prints the two job ids and the folders. Exit 2 on bad usage, 1 if sbatch fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}
die() { echo "submit.sh: error: $*" >&2; exit 2; }

scenario='' shards='' trials='' seed='' cpus=1 out='' partition='' bin=''
extra=()
while (($#)); do
    case $1 in
        --shards) shards=${2:-}; shift 2 || usage ;;
        --trials) trials=${2:-}; shift 2 || usage ;;
        --seed) seed=${2:-}; shift 2 || usage ;;
        --cpus-per-task) cpus=${2:-}; shift 2 || usage ;;
        --out) out=${2:-}; shift 2 || usage ;;
        --partition) partition=${2:-}; shift 2 || usage ;;
        --bin) bin=${2:-}; shift 2 || usage ;;
        -h | --help) usage ;;
        --) shift; extra=("$@"); break ;;
        -*) die "unknown option $1 (tariffsim run options go after --)" ;;
        *) [[ -z $scenario ]] || die "one scenario per submission (got $scenario and $1)"
           scenario=$1; shift ;;
    esac
done

[[ -n $scenario ]] || usage
[[ -f $scenario ]] || die "$scenario: no such scenario file"
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "--shards N is required (a positive integer)"
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die "--cpus-per-task must be a positive integer"
[[ -z $trials || $trials =~ ^[1-9][0-9]*$ ]] || die "--trials must be a positive integer"
[[ -z $seed || $seed =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer"
for a in "${extra[@]}"; do
    case $a in
        --shard* | --threads* | --out* | --trials-csv | --target-se* | --target-rse* | --trials | --trials=* | --seed | --seed=*)
            die "$a after -- is set by submit.sh or not allowed with shards" ;;
    esac
done
command -v sbatch >/dev/null || die "sbatch not found: is this a Slurm login node?"

if [[ -z $bin ]]; then
    if [[ -x $repo/target/release/tariffsim ]]; then
        bin=$repo/target/release/tariffsim
    else
        bin=$(command -v tariffsim) || die "no tariffsim binary: build it (cargo build --release) or pass --bin"
    fi
fi
[[ -x $bin ]] || die "$bin: not an executable"
bin=$(realpath "$bin")
scenario=$(realpath "$scenario")
# Fail now, not in the queue: the scenario must load with these --set overrides.
check_args=()
for ((i = 0; i < ${#extra[@]}; i++)); do
    case ${extra[i]} in
        --set) check_args+=(--set "${extra[i + 1]:-}"); i=$((i + 1)) ;;
        --set=*) check_args+=("${extra[i]}") ;;
    esac
done
"$bin" check "$scenario" "${check_args[@]}" >/dev/null || die "$scenario does not check (tariffsim check)"

if [[ -z $out ]]; then
    stem=$(basename "$scenario")
    out=$PWD/tariffsim-${stem%.toml}
fi
mkdir -p "$out/shards" "$out/results" "$out/logs"
out=$(realpath "$out")
if compgen -G "$out/shards/shard-*.json" >/dev/null; then
    echo "submit.sh: note: $out/shards already holds shard files; those of this run will" \
        "replace shard-K-of-$shards.json, and the merge reads only those $shards" >&2
fi
common=(--parsable --chdir="$out")
[[ -n $partition ]] && common+=(--partition="$partition")

run_args=(--out "$out/shards" --bin "$bin" --shards "$shards")
[[ -n $trials ]] && run_args+=(--trials "$trials")
[[ -n $seed ]] && run_args+=(--seed "$seed")

array_id=$(sbatch "${common[@]}" \
    --job-name=tariffsim-shard \
    --array="0-$((shards - 1))" \
    --cpus-per-task="$cpus" \
    --output="$out/logs/shard-%A_%a.out" \
    "$here/array.sh" "${run_args[@]}" "$scenario" -- "${extra[@]}")
array_id=${array_id%%;*}
[[ $array_id =~ ^[0-9]+$ ]] || { echo "submit.sh: sbatch gave no job id: $array_id" >&2; exit 1; }

merge_id=$(sbatch "${common[@]}" \
    --job-name=tariffsim-merge \
    --dependency="afterok:$array_id" \
    --kill-on-invalid-dep=yes \
    --cpus-per-task=1 \
    --output="$out/logs/merge-%j.out" \
    "$here/merge.sh" --bin "$bin" --shards "$shards" "$out/shards" "$out/results") || {
    echo "submit.sh: array job $array_id is queued but the merge job was refused; when it is" \
        "done run: $here/merge.sh --bin $bin --shards $shards $out/shards $out/results" \
        "(or scancel $array_id)" >&2
    exit 1
}
merge_id=${merge_id%%;*}
[[ $merge_id =~ ^[0-9]+$ ]] || { echo "submit.sh: sbatch gave no job id: $merge_id" >&2; exit 1; }

cat <<MSG
array job: $array_id ($shards tasks, $cpus CPU(s) each)
merge job: $merge_id (after all of $array_id succeed)
shards:    $out/shards/shard-K-of-$shards.json
results:   $out/results/ (summary.csv compare.csv histogram.csv manifest.json)
logs:      $out/logs/
watch:     squeue -j $array_id,$merge_id
MSG
