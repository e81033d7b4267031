#!/usr/bin/env bash
# Speed and memory figures of tariffsim for issue 7, as Markdown ready to paste into
# BENCHMARKS.md (stdout); progress and per-run details go to stderr.
#
#   scripts/bench.sh | tee /tmp/bench.md
#
# What it measures (release build, `tariffsim run --quiet --no-charts --out /tmp/...`,
# so the runs measure simulation, not chart drawing):
#   1. every scenario of $BENCH_SCENARIOS at each count of $BENCH_TRIALS, and those of
#      $BENCH_BIG_SCENARIOS also at $BENCH_BIG_TRIALS, with --threads 1 and 2 (runs
#      interleaved 1,2,1,2,...; median of $BENCH_RUNS): wall, trials/s,
#      ns per (trial x regime x route), peak RSS, the 1 -> 2 thread speed-up, and that
#      the results are byte-identical across thread counts;
#   2. peak RSS of korea-jv with 2 threads at each count of $BENCH_MEM_TRIALS;
#   3. `--trials-csv` at about $BENCH_CSV_ROWS / 10 and $BENCH_CSV_ROWS rows (trials x
#      regimes x routes), to show the RSS stays flat while the file grows;
#   4. the NumPy baseline (benches/numpy_baseline.py) on korea-jv at $BENCH_NUMPY_TRIALS
#      trials, median of $BENCH_RUNS, checked against tariffsim's means, and the ratio;
#   5. the issue-7 targets, each marked met or not.
#
# Environment (defaults in brackets):
#   BENCH_SCENARIOS      scenario files run at BENCH_TRIALS            [scenarios/*.toml]
#   BENCH_TRIALS         trial counts for those (1e6 style allowed)    [1e6]
#   BENCH_BIG_SCENARIOS  scenarios also run at BENCH_BIG_TRIALS (empty: none) [scenarios/korea-jv.toml]
#                        ("all" = every scenario of BENCH_SCENARIOS)
#   BENCH_BIG_TRIALS     the long trial counts                         [1e7]
#   BENCH_THREADS        thread counts                                 [1 2]
#   BENCH_RUNS           repetitions per configuration (median)        [3]
#   BENCH_MEM_TRIALS     memory-scaling trial counts, korea-jv, 2 thr. [1e5 1e7 1e8]
#   BENCH_CSV_ROWS       trials.csv rows of the streaming check        [1e7]
#   BENCH_NUMPY_TRIALS   trials of the NumPy comparison                [1e6]
#   BENCH_QUIET_LOAD     before each timed run, wait until the CPU time of other
#                        processes (sampled over 1 s) is below this many cores, and
#                        repeat a run during which they used more (up to BENCH_RETRIES
#                        times) ...                                    [0.3]
#   BENCH_MAX_WAIT       ... waiting at most this many seconds over the whole script [600]
#   BENCH_RETRIES        repeats of a disturbed run                    [2]
#   BENCH_SEED           seed for every run                            [each scenario's own]
#   BENCH_COMMIT         label of the code measured, for a tree that is not a git
#                        checkout (e.g. `git archive` of a commit)    [git rev-parse --short HEAD]
# A sweep scenario runs every grid point at the given trials; its rows count
# trials x points as trials. Tables report the CPU used by OTHER processes during the
# measurements ("other load", cores, from /proc/stat minus this run's own user+sys): a
# value well above 0 means the figure was measured on a busy machine and is pessimistic.
# Needs: cargo, python3, GNU time (installed with apt-get if missing), numpy (installed
# with pip if missing).
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
num() { python3 -c "import sys; print(int(float(sys.argv[1])))" "$1"; }   # 1e6 -> 1000000
nums() { local x out=(); for x in $1; do out+=("$(num "$x")"); done; echo "${out[*]}"; }

scenarios=${BENCH_SCENARIOS:-$(ls scenarios/*.toml)}
trials_list=$(nums "${BENCH_TRIALS:-1e6}")
big_scenarios=${BENCH_BIG_SCENARIOS-scenarios/korea-jv.toml}
[[ $big_scenarios == all ]] && big_scenarios=$scenarios
big_trials=$(nums "${BENCH_BIG_TRIALS-1e7}")
threads_list=${BENCH_THREADS:-1 2}
runs=${BENCH_RUNS:-3}
mem_trials=$(nums "${BENCH_MEM_TRIALS:-1e5 1e7 1e8}")
csv_rows=$(num "${BENCH_CSV_ROWS:-1e7}")
np_trials=$(num "${BENCH_NUMPY_TRIALS:-1e6}")
quiet_load=${BENCH_QUIET_LOAD:-0.3}
wait_budget=${BENCH_MAX_WAIT:-600}
retries=${BENCH_RETRIES:-2}
seed_args=()
[[ -n ${BENCH_SEED:-} ]] && seed_args=(--seed "$BENCH_SEED")
jv=scenarios/korea-jv.toml
cmdline="scripts/bench.sh"
for v in BENCH_SCENARIOS BENCH_TRIALS BENCH_BIG_SCENARIOS BENCH_BIG_TRIALS BENCH_THREADS BENCH_RUNS \
    BENCH_MEM_TRIALS BENCH_CSV_ROWS BENCH_NUMPY_TRIALS BENCH_SEED; do
    [[ -n ${!v+set} ]] && cmdline="$v='${!v}' $cmdline"
done

log() { echo "bench.sh: $*" >&2; }

# ---- tools -------------------------------------------------------------------------
if ! /usr/bin/time -v true >/dev/null 2>&1; then
    log "installing GNU time (apt-get install time)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
fi
if ! python3 -c 'import numpy' 2>/dev/null; then
    log "installing numpy (pip install numpy)"
    python3 -m pip install --quiet numpy >&2
fi
log "cargo build --release"
cargo build --release --quiet
bin=$repo/target/release/tariffsim

tmp=$(mktemp -d /tmp/tariffsim-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
started=$(date +%s)

# ---- measuring -----------------------------------------------------------------------
hz=$(getconf CLK_TCK)
busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
now() { date +%s.%N; }
calc() { awk "BEGIN {print $1}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# CPU cores used by everything on the machine over the next second.
machine_load() { local a b; a=$(busy_jiffies); sleep 1; b=$(busy_jiffies); calc "($b - $a) / $hz"; }
waited=0
wait_quiet() {
    local l
    while :; do
        l=$(machine_load)
        if awk -v l="$l" -v q="$quiet_load" 'BEGIN {exit !(l < q)}'; then return; fi
        if ((waited >= wait_budget)); then
            log "machine busy (other processes use $l cores); wait budget of ${wait_budget}s spent, measuring anyway"
            return
        fi
        log "machine busy (other processes use $l cores); waiting 15 s"
        sleep 15
        waited=$((waited + 16))
    done
}

# timed CMD...: runs CMD under GNU time; sets r_wall (s), r_rss (KiB), r_cpu (s, user+sys)
# and r_other (cores used by other processes meanwhile).
r_wall='' r_rss='' r_cpu='' r_other=''
timed() {
    local t1 t2 j1 j2
    j1=$(busy_jiffies); t1=$(now)
    /usr/bin/time -v -o "$tmp/time.txt" "$@" >"$tmp/stdout.txt" 2>"$tmp/stderr.txt" \
        || { cat "$tmp/stderr.txt" >&2; log "failed: $*"; exit 1; }
    t2=$(now); j2=$(busy_jiffies)
    r_wall=$(calc "$t2 - $t1")
    r_rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
    r_cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$tmp/time.txt")
    r_other=$(calc "(($j2 - $j1) / $hz - $r_cpu) / $r_wall")
    r_other=$(awk -v x="$r_other" 'BEGIN {print (x < 0) ? 0 : x}')
}

# timed_quiet CMD...: `timed` on a quiet machine: waits for quiet first, and repeats a
# run that other processes disturbed (while the wait budget lasts).
timed_quiet() {
    local k
    for ((k = 0; k <= retries; k++)); do
        wait_quiet
        timed "$@"
        awk -v l="$r_other" -v q="$quiet_load" 'BEGIN {exit !(l >= q)}' || return 0
        ((waited < wait_budget)) || return 0
        ((k < retries)) && log "run disturbed (other processes used $(printf %.2f "$r_other") cores); repeating it"
    done
}

mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k * 1024 / 1e6}'; }     # KiB -> MB (10^6 bytes)
grp() { awk -v x="$1" 'BEGIN {s = sprintf("%.0f", x); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); print s}'; }  # 1234567 -> 1,234,567
sci() { awk -v x="$1" 'BEGIN {e = int(log(x) / log(10) + 1e-9); m = x / 10^e; if (m == int(m)) printf "%de%d", m, e; else printf "%d", x}'; }

# Shape of a scenario: "cells points" (regimes x routes per trial; sweep grid points).
declare -A shape
scenario_shape() {
    local s=$1
    [[ -n ${shape[$s]:-} ]] && return
    "$bin" run "$s" --trials 1024 --seed 1 --threads 1 --quiet --no-charts --out "$tmp/shape" >/dev/null
    local rows points
    rows=$(($(wc -l <"$tmp/shape/summary.csv") - 1))
    points=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['trials_used']))" "$tmp/shape/manifest.json")
    shape[$s]="$((rows / points)) $points"
    rm -rf "$tmp/shape"
}

# measure SCENARIO TRIALS: runs every thread count $runs times, interleaved; stores
# medians in res[...] keyed "scenario|trials|threads|field".
declare -A res
others=()
measure() {
    local s=$1 n=$2 t r name
    name=$(basename "$s" .toml)
    scenario_shape "$s"
    declare -A walls rsss oth
    for ((r = 1; r <= runs; r++)); do
        for t in $threads_list; do
            rm -rf "$tmp/out-$t"
            timed_quiet "$bin" run "$s" --trials "$n" --threads "$t" "${seed_args[@]}" --quiet --no-charts --out "$tmp/out-$t"
            walls[$t]+="$r_wall " rsss[$t]+="$r_rss " oth[$t]+="$r_other "
            others+=("$r_other")
            log "$name $(sci "$n") trials, --threads $t, run $r: $(printf %.3f "$r_wall") s, $(mb "$r_rss") MB, other load $(printf %.2f "$r_other")"
        done
    done
    local same=yes first=''
    for t in $threads_list; do
        # shellcheck disable=SC2086
        res["$s|$n|$t|wall"]=$(median ${walls[$t]})
        # shellcheck disable=SC2086
        res["$s|$n|$t|rss"]=$(median ${rsss[$t]})
        # shellcheck disable=SC2086
        res["$s|$n|$t|other"]=$(median ${oth[$t]})
        if [[ -z $first ]]; then first=$t; else
            for f in summary.csv compare.csv histogram.csv; do
                cmp -s "$tmp/out-$first/$f" "$tmp/out-$t/$f" || same=no
            done
        fi
    done
    res["$s|$n|same"]=$same
    [[ $same == yes ]] || log "WARNING: $name $(sci "$n"): results differ between thread counts"
    if [[ $s == "$jv" && $n == "$np_trials" ]]; then
        t=$(echo "$threads_list" | awk '{print $NF}')
        cp "$tmp/out-$t/summary.csv" "$tmp/jv-summary.csv"
    fi
    for t in $threads_list; do rm -rf "$tmp/out-$t"; done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average $load_before; $runs runs per configuration"

# ---- 1. speed table ------------------------------------------------------------------
configs=()
for s in $scenarios; do for n in $trials_list; do configs+=("$s|$n"); done; done
for s in $big_scenarios; do for n in $big_trials; do configs+=("$s|$n"); done; done
for c in "${configs[@]}"; do measure "${c%|*}" "${c#*|}"; done

# ---- 1b. what two cores give two independent processes ---------------------------------
# Two `--threads 1` runs of korea-jv started together: their combined speed over one
# alone is the most any 2-thread speed-up can reach on this machine (shared caches,
# memory bandwidth, SMT siblings on the host, turbo).
pair_walls=()
if [[ -n ${res["$jv|$np_trials|1|wall"]:-} ]]; then
    for ((r = 1; r <= runs; r++)); do
        wait_quiet
        t1=$(now)
        "$bin" run "$jv" --trials "$np_trials" --threads 1 "${seed_args[@]}" --quiet --no-charts --out "$tmp/pair1" &
        p1=$!
        "$bin" run "$jv" --trials "$np_trials" --threads 1 "${seed_args[@]}" --quiet --no-charts --out "$tmp/pair2" &
        p2=$!
        wait "$p1" "$p2"
        t2=$(now)
        w=$(calc "$t2 - $t1")
        pair_walls+=("$w")
        log "two --threads 1 processes at once, korea-jv $(sci "$np_trials") each, run $r: $(printf %.3f "$w") s"
    done
    rm -rf "$tmp/pair1" "$tmp/pair2"
fi

# ---- 2. memory scaling -----------------------------------------------------------------
mem_thr=2
declare -A mem mem_wall mem_other
for n in $mem_trials; do
    if [[ -n ${res["$jv|$n|$mem_thr|rss"]:-} ]]; then
        mem[$n]=${res["$jv|$n|$mem_thr|rss"]} mem_wall[$n]=${res["$jv|$n|$mem_thr|wall"]} mem_other[$n]=${res["$jv|$n|$mem_thr|other"]}
        continue
    fi
    rm -rf "$tmp/mem"
    timed_quiet "$bin" run "$jv" --trials "$n" --threads "$mem_thr" "${seed_args[@]}" --quiet --no-charts --out "$tmp/mem"
    mem[$n]=$r_rss mem_wall[$n]=$r_wall mem_other[$n]=$r_other
    others+=("$r_other")
    log "korea-jv $(sci "$n") trials, --threads $mem_thr: $(printf %.3f "$r_wall") s, $(mb "$r_rss") MB, other load $(printf %.2f "$r_other")"
done
rm -rf "$tmp/mem"

# ---- 3. trials.csv streaming -----------------------------------------------------------
scenario_shape "$jv"
jv_cells=${shape[$jv]% *}
declare -A csv_rss csv_size csv_wall csv_trials
for rows in $((csv_rows / 10)) "$csv_rows"; do
    n=$(((rows + jv_cells - 1) / jv_cells))
    rm -rf "$tmp/csv"
    timed_quiet "$bin" run "$jv" --trials "$n" --threads 2 "${seed_args[@]}" --quiet --no-charts --trials-csv --out "$tmp/csv"
    csv_trials[$rows]=$n csv_rss[$rows]=$r_rss csv_wall[$rows]=$r_wall
    csv_size[$rows]=$(stat -c %s "$tmp/csv/trials.csv")
    log "trials.csv: $n trials = $((n * jv_cells)) rows, $(printf %.3f "$r_wall") s, $(mb "$r_rss") MB RSS, file $(awk -v b="${csv_size[$rows]}" 'BEGIN {printf "%.0f", b / 1e6}') MB, other load $(printf %.2f "$r_other")"
    rm -rf "$tmp/csv"
done

# ---- 4. NumPy baseline -------------------------------------------------------------------
np_walls=() np_ext=()
np_seed=()
[[ -n ${BENCH_SEED:-} ]] && np_seed=(--seed "$BENCH_SEED")
cmp_args=()
[[ -f $tmp/jv-summary.csv ]] && cmp_args=(--compare "$tmp/jv-summary.csv")
np_bad='not checked'
for ((r = 1; r <= runs; r++)); do
    wait_quiet
    set +e
    j1=$(busy_jiffies); t1=$(now)
    /usr/bin/time -v -o "$tmp/time.txt" python3 benches/numpy_baseline.py "$jv" --trials "$np_trials" "${np_seed[@]}" "${cmp_args[@]}" >"$tmp/np.txt" 2>&1
    np_rc=$?
    t2=$(now)
    set -e
    grep -q '^wall seconds' "$tmp/np.txt" || { cat "$tmp/np.txt" >&2; log "numpy baseline failed"; exit 1; }
    w=$(awk '/^wall seconds/ {print $3}' "$tmp/np.txt")
    np_walls+=("$w") np_ext+=("$(calc "$t2 - $t1")")
    np_rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
    if ((${#cmp_args[@]})); then
        np_bad=$(awk '/cells with \|z\| > 4/ {print $1 " of " $3}' "$tmp/np.txt")
        ((np_rc == 0)) || log "WARNING: numpy and tariffsim means disagree: $np_bad cells with |z| > 4"
    fi
    log "numpy $(sci "$np_trials") trials, run $r: simulate $w s, process $(printf %.3f "$(calc "$t2 - $t1")") s, $(mb "$np_rss") MB"
done
np_ver=$(awk '/^numpy/ {print $2}' "$tmp/np.txt" | tr -d ,)
py_ver=$(awk '/^numpy/ {print $4}' "$tmp/np.txt")
np_wall=$(median "${np_walls[@]}")
np_wall_ext=$(median "${np_ext[@]}")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started))

# ---- report ---------------------------------------------------------------------------------
if [[ -n ${BENCH_COMMIT:-} ]]; then
    commit=$BENCH_COMMIT
else
    commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
    git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || commit="$commit + uncommitted changes in src/"
fi
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
first_thr=$(echo "$threads_list" | awk '{print $1}')
last_thr=$(echo "$threads_list" | awk '{print $NF}')
rate() { calc "$1 / $2"; }   # trials, wall -> trials/s

echo "### Measured $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- Command: \`$cmdline\` (took ${elapsed} s)"
echo "- Commit: \`$commit\`, release build (\`cargo build --release\`: codegen-units 1, thin LTO)"
echo "- Machine: $(nproc) CPUs, $cpu, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release), Linux $(uname -r)"
echo "- $(rustc -V); Python $py_ver, NumPy $np_ver"
echo "- Load average before / after: $load_before / $load_after; CPU used by other processes during the measurements: median $(printf %.2f "$(median "${others[@]}")"), max $(printf %.2f "$(printf '%s\n' "${others[@]}" | sort -g | tail -1)") cores (per-row medians below)"
echo "- Each figure is the median of $runs runs of \`tariffsim run SCENARIO --trials N --threads T --quiet --no-charts --out /tmp/...\` (process wall clock, including start-up, scenario parsing and writing the CSVs); the thread counts are interleaved."
echo
echo "#### Speed"
echo
echo "| scenario | cells | trials | threads | wall (s) | trials/s | ns per trial x cell | peak RSS (MB) | speed-up vs $first_thr thread | other load (cores) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in "${configs[@]}"; do
    s=${c%|*} n=${c#*|}
    read -r cells points <<<"${shape[$s]}"
    evals=$((n * points))
    label=$(sci "$n")
    ((points > 1)) && label="$label x $points points"
    for t in $threads_list; do
        w=${res["$s|$n|$t|wall"]}
        su='-'
        [[ $t != "$first_thr" ]] && su=$(printf '%.2fx' "$(calc "${res["$s|$n|$first_thr|wall"]} / $w")")
        printf '| %s | %s | %s | %s | %.3f | %s | %.1f | %s | %s | %.2f |\n' \
            "$(basename "$s" .toml)" "$cells" "$label" "$t" "$w" "$(grp "$(rate "$evals" "$w")")" \
            "$(calc "$w * 1e9 / ($evals * $cells)")" "$(mb "${res["$s|$n|$t|rss"]}")" "$su" "${res["$s|$n|$t|other"]}"
    done
done
echo
diffs=()
for c in "${configs[@]}"; do [[ ${res["$c|same"]} == yes ]] || diffs+=("$(basename "${c%|*}" .toml) $(sci "${c#*|}")"); done
if ((${#diffs[@]} == 0)); then
    echo "summary.csv, compare.csv and histogram.csv were byte-identical across thread counts in every row."
else
    echo "**Results differed between thread counts in:** ${diffs[*]}."
fi
if ((${#pair_walls[@]})); then
    pw=$(median "${pair_walls[@]}")
    w1=${res["$jv|$np_trials|1|wall"]}
    printf '\nCeiling of the thread speed-up on this machine: two independent `--threads 1` runs of korea-jv (%s trials each) started together took %.3f s (median of %s) against %.3f s for one alone, i.e. %.2fx the throughput of one.\n' \
        "$(sci "$np_trials")" "$pw" "$runs" "$w1" "$(calc "2 * $w1 / $pw")"
fi
echo
echo "#### Memory (korea-jv, --threads $mem_thr, no trials.csv; one run each)"
echo
echo "| trials | peak RSS (MB) | vs $(sci "$(echo "$mem_trials" | awk '{print $1}')") | wall (s) | trials/s |"
echo "|---:|---:|---:|---:|---:|"
m0=$(echo "$mem_trials" | awk '{print $1}')
for n in $mem_trials; do
    printf '| %s | %s | %.2fx | %.2f | %s |\n' "$(sci "$n")" "$(mb "${mem[$n]}")" "$(calc "${mem[$n]} / ${mem[$m0]}")" "${mem_wall[$n]}" "$(grp "$(rate "$n" "${mem_wall[$n]}")")"
done
echo
echo "#### trials.csv streaming (korea-jv, --threads 2, --trials-csv)"
echo
echo "| rows | trials | trials.csv (MB) | peak RSS (MB) | wall (s) | rows/s |"
echo "|---:|---:|---:|---:|---:|---:|"
for rows in $((csv_rows / 10)) "$csv_rows"; do
    printf '| %s | %s | %s | %s | %.2f | %s |\n' "$(grp $((csv_trials[$rows] * jv_cells)))" "$(grp "${csv_trials[$rows]}")" \
        "$(grp "$(calc "${csv_size[$rows]} / 1e6")")" "$(mb "${csv_rss[$rows]}")" "${csv_wall[$rows]}" \
        "$(grp "$(rate $((csv_trials[$rows] * jv_cells)) "${csv_wall[$rows]}")")"
done
echo
echo "#### NumPy baseline (benches/numpy_baseline.py, korea-jv, $(sci "$np_trials") trials, median of $runs)"
echo
jv_np_wall=${res["$jv|$np_trials|$last_thr|wall"]:-}
echo "| implementation | wall (s) | trials/s | tariffsim / NumPy |"
echo "|---|---:|---:|---:|"
printf '| NumPy %s, simulation only (its own timer; excludes start-up and import) | %.3f | %s | |\n' "$np_ver" "$np_wall" "$(grp "$(rate "$np_trials" "$np_wall")")"
printf '| NumPy %s, whole process | %.3f | %s | |\n' "$np_ver" "$np_wall_ext" "$(grp "$(rate "$np_trials" "$np_wall_ext")")"
if [[ -n $jv_np_wall ]]; then
    for t in $threads_list; do
        w=${res["$jv|$np_trials|$t|wall"]}
        printf '| tariffsim, --threads %s, whole process | %.3f | %s | %.1fx |\n' "$t" "$w" "$(grp "$(rate "$np_trials" "$w")")" "$(calc "$np_wall / $w")"
    done
fi
echo
echo "The ratio divides NumPy's simulation-only time by tariffsim's whole-process time (the comparison least favourable to tariffsim). Means agree within Monte Carlo error (|z| > 4 in $np_bad cells of numpy_baseline.py --compare against tariffsim's summary.csv at the same trials)."
echo
echo "#### Issue 7 targets (korea-jv)"
echo
big_n=$(echo "$big_trials" | awk '{print $NF}')
[[ -n ${res["$jv|$big_n|$last_thr|wall"]:-} ]] || big_n=$np_trials
tw=${res["$jv|$big_n|$last_thr|wall"]:-}
ok() { awk "BEGIN {exit !($1)}" && echo "**met**" || echo "**not met**"; }
echo "| target | measured | |"
echo "|---|---:|---|"
if [[ -n $tw ]]; then
    tps=$(rate "$big_n" "$tw")
    printf '| >= 4,000,000 trials/s with 2 threads | %s (%s trials) | %s |\n' "$(grp "$tps")" "$(sci "$big_n")" "$(ok "$tps >= 4e6")"
    t1w=${res["$jv|$big_n|$first_thr|wall"]}
    su=$(calc "$t1w / $tw")
    printf '| >= 1.8x speed-up from 1 to 2 threads | %.2fx (%s trials) | %s |\n' "$su" "$(sci "$big_n")" "$(ok "$su >= 1.8")"
fi
if [[ -n $jv_np_wall ]]; then
    ratio=$(calc "$np_wall / $jv_np_wall")
    printf '| >= 10x NumPy throughput on 2 threads | %.1fx (%s trials) | %s |\n' "$ratio" "$(sci "$np_trials")" "$(ok "$ratio >= 10")"
fi
mlast=$(echo "$mem_trials" | awk '{print $NF}')
mr=$(calc "${mem[$mlast]} / ${mem[$m0]}")
printf '| peak RSS at %s <= 1.2x that at %s | %.2fx | %s |\n' "$(sci "$mlast")" "$(sci "$m0")" "$mr" "$(ok "$mr <= 1.2")"
printf '| peak RSS at %s < 64 MB | %s MB | %s |\n' "$(sci "$mlast")" "$(mb "${mem[$mlast]}")" "$(ok "${mem[$mlast]} * 1024 < 64e6")"
cr=$(calc "${csv_rss[$csv_rows]} / ${csv_rss[$((csv_rows / 10))]}")
printf '| --trials-csv streams (RSS at %s rows <= 1.2x that at a tenth) | %.2fx (%s MB) | %s |\n' "$(grp $((csv_trials[$csv_rows] * jv_cells)))" "$cr" "$(mb "${csv_rss[$csv_rows]}")" "$(ok "$cr <= 1.2")"
