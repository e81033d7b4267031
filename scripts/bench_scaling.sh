#!/usr/bin/env bash
# Scaling figures for tariffsim (release build) on this machine, as a Markdown table.
#
#   scripts/bench_scaling.sh [TRIALS] [SCENARIO]
#
#   TRIALS    trials per run (default $BENCH_TRIALS or 2000000)
#   SCENARIO  scenario file (default scenarios/korea-jv.toml)
#   $BENCH_RUNS   repetitions of each configuration; the table gives medians (default 3)
#   $BENCH_SEED   seed (default 1)
#
# Measures, each BENCH_RUNS times:
#   - `tariffsim run` with --threads 1 and --threads 2;
#   - 1, 2 and 4 shards run one after the other, each with --threads 1, then
#     `tariffsim merge`: total wall (shards + merge), trials/s over that total, the
#     longest shard + merge (the wall on N idle nodes), and the merge alone;
#   - peak RSS ("Maximum resident set size" of /usr/bin/time -v) of the largest shard.
# Also checks that every merge equals the single run byte for byte. Builds first
# (cargo build --release); installs GNU time with apt-get if /usr/bin/time is missing.
# Other load on the machine inflates the times: run it when the machine is quiet.
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
trials=${1:-${BENCH_TRIALS:-2000000}}
scenario=${2:-$repo/scenarios/korea-jv.toml}
runs=${BENCH_RUNS:-3}
seed=${BENCH_SEED:-1}
trials=$(python3 -c "print(int(float('$trials')))" 2>/dev/null || echo "$trials")  # allow 2e6
[[ $trials =~ ^[1-9][0-9]*$ ]] || { echo "bench_scaling.sh: TRIALS must be a positive number" >&2; exit 2; }
[[ -f $scenario ]] || { echo "bench_scaling.sh: $scenario: no such file" >&2; exit 2; }
scenario=$(realpath "$scenario")

if ! /usr/bin/time -v true >/dev/null 2>&1; then
    echo "bench_scaling.sh: installing GNU time (apt-get install time)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
fi

echo "bench_scaling.sh: cargo build --release" >&2
(cd "$repo" && cargo build --release --quiet)
bin=$repo/target/release/tariffsim

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tariffsim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
t_wall='' t_rss='' s_wall='' s_rss='' m_wall='' m_rss=''   # set by timed
# timed OUT_VAR_PREFIX CMD...: runs CMD under /usr/bin/time -v; sets ${prefix}_wall
# (seconds, from the clock around it) and ${prefix}_rss (KiB).
timed() {
    local prefix=$1 t1 t2 rss
    shift
    t1=$(now)
    /usr/bin/time -v -o "$tmp/time.txt" "$@" >/dev/null 2>"$tmp/stderr.txt" \
        || { cat "$tmp/stderr.txt" >&2; echo "bench_scaling.sh: failed: $*" >&2; exit 1; }
    t2=$(now)
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
    printf -v "${prefix}_wall" '%s' "$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.4f", b - a}')"
    printf -v "${prefix}_rss" '%s' "$rss"
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
fmt_rate() { awk -v t="$trials" -v w="$1" 'BEGIN {printf "%\047.0f", t / w}'; }
f2() { awk -v x="$1" 'BEGIN {printf "%.2f", x}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench_scaling.sh: $trials trials, $runs runs each, load average $load_before" >&2

declare -A results   # row label -> "wall|rate|parallel|merge|rss|size"
# Reference outputs for the byte-identity check.
"$bin" run "$scenario" --trials "$trials" --seed "$seed" --threads 2 --out "$tmp/ref" --quiet

for threads in 1 2; do
    walls=() rsss=()
    for ((r = 1; r <= runs; r++)); do
        timed t "$bin" run "$scenario" --trials "$trials" --seed "$seed" --threads "$threads" --out "$tmp/t$threads" --quiet
        walls+=("$t_wall") rsss+=("$t_rss")
        echo "  run --threads $threads  #$r: ${t_wall}s, $(mib "$t_rss") MiB" >&2
    done
    w=$(median "${walls[@]}")
    results["threads $threads"]="$(f2 "$w")|$(fmt_rate "$w")|-|-|-|$(mib "$(median "${rsss[@]}")")|-|-"
done

for shards in 1 2 4; do
    totals=() pars=() merges=() rsss=() sizes=() mrsss=()
    for ((r = 1; r <= runs; r++)); do
        rm -rf "$tmp/s" "$tmp/m"
        sum=0 longest=0 maxrss=0 size=0
        for ((k = 1; k <= shards; k++)); do
            timed s "$bin" run "$scenario" --trials "$trials" --seed "$seed" --threads 1 \
                --shard "$k/$shards" --out "$tmp/s" --quiet
            sum=$(awk -v a="$sum" -v b="$s_wall" 'BEGIN {print a + b}')
            longest=$(awk -v a="$longest" -v b="$s_wall" 'BEGIN {print (b > a) ? b : a}')
            ((s_rss > maxrss)) && maxrss=$s_rss
            f=$(stat -c %s "$tmp/s/shard-$k-of-$shards.json")
            ((f > size)) && size=$f
        done
        timed m "$bin" merge "$tmp/s" --out "$tmp/m" --quiet
        for f in summary.csv compare.csv histogram.csv; do
            cmp -s "$tmp/ref/$f" "$tmp/m/$f" || { echo "bench_scaling.sh: $shards shards: merged $f differs from the single run" >&2; exit 1; }
        done
        total=$(awk -v a="$sum" -v b="$m_wall" 'BEGIN {print a + b}')
        par=$(awk -v a="$longest" -v b="$m_wall" 'BEGIN {print a + b}')
        totals+=("$total") pars+=("$par") merges+=("$m_wall") rsss+=("$maxrss") sizes+=("$size") mrsss+=("$m_rss")
        echo "  $shards shard(s) #$r: total ${total}s (longest shard + merge ${par}s, merge ${m_wall}s), peak shard RSS $(mib "$maxrss") MiB, merge RSS $(mib "$m_rss") MiB" >&2
    done
    w=$(median "${totals[@]}")
    p=$(median "${pars[@]}")
    results["shards $shards"]="$(f2 "$w")|$(fmt_rate "$w")|$(f2 "$p")|$(fmt_rate "$p")|$(f2 "$(median "${merges[@]}")")|$(mib "$(median "${rsss[@]}")")|$(mib "$(median "${mrsss[@]}")")|$(awk -v b="$(median "${sizes[@]}")" 'BEGIN {printf "%.2f MB", b / 1e6}')"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
cat <<MD

Scaling of \`tariffsim\` $(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -1) (release build, commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet 2>/dev/null || echo ', with local changes')), scenario \`$(basename "$scenario")\`, $trials trials, seed $seed.
Machine: $(nproc) CPUs ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release); $(date -u '+%Y-%m-%d %H:%M UTC').
Load average before / after: $load_before / $load_after. Median of $runs runs.

| configuration | wall (s) | trials/s | longest shard + merge (s) | trials/s, shards in parallel | merge (s) | peak RSS of a run / shard (MiB) | peak RSS of merge (MiB) | shard file |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
| \`run --threads 1\` | ${results["threads 1"]//|/ | } |
| \`run --threads 2\` | ${results["threads 2"]//|/ | } |
| 1 shard, sequential + merge | ${results["shards 1"]//|/ | } |
| 2 shards, sequential + merge | ${results["shards 2"]//|/ | } |
| 4 shards, sequential + merge | ${results["shards 4"]//|/ | } |

Shards run one after another with 1 thread each, so "wall" is their sum plus the merge
(the CPU cost of the split); "longest shard + merge" is the wall if every shard had its
own idle node. Every merge was checked byte-identical to the single run.
MD
