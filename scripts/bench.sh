#!/usr/bin/env bash
# Speed and memory figures of tariffsim for issues 7 and 16, as Markdown ready to paste
# into BENCHMARKS.md (stdout); progress and per-run details go to stderr.
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
#   4. the NumPy baseline (benches/numpy_baseline.py) against tariffsim on each file of
#      $BENCH_NUMPY_SCENARIOS (explicit scenarios: the NumPy model does not read
#      `schedule` regimes; benches/scenarios/korea-jv-explicit.toml is korea-jv written
#      out, korea-jv-timed.toml adds sanctions, enforcement and timing) at
#      $BENCH_NUMPY_TRIALS trials: tariffsim --threads 1, --threads 2 (whatever
#      $BENCH_THREADS says) and NumPy, runs interleaved, median of $BENCH_RUNS; NumPy's wall by its own timer (simulation only)
#      and for its whole process; its means (and timing.csv shares) checked against
#      tariffsim's summary.csv of the same run with --compare;
#   5. the cost of `--sensitivity` on korea-jv: plain and --sensitivity runs at
#      $BENCH_SENS_TRIALS trials with the last of $BENCH_THREADS, interleaved, median;
#   6. the targets of issues 7 and 16, each marked met or not: issue 16 asks, on both
#      NumPy scenarios in the same run, tariffsim --threads 1 >= 5x and --threads 2 >= 10x
#      the NumPy model on one core (ratio of NumPy's simulation-only wall to tariffsim's
#      whole-process wall: the comparison least favourable to tariffsim), a 1 -> 2 thread
#      speed-up >= 1.9x, peak RSS at the largest memory count <= 1.2x that at the
#      smallest, and --sensitivity <= 1.5x a plain run.
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
#   BENCH_NUMPY_SCENARIOS  explicit scenarios of the NumPy comparison
#                        [benches/scenarios/korea-jv-explicit.toml benches/scenarios/korea-jv-timed.toml]
#   BENCH_SENS_TRIALS    trials of the --sensitivity cost check        [1e6]
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
np_scenarios=${BENCH_NUMPY_SCENARIOS:-benches/scenarios/korea-jv-explicit.toml benches/scenarios/korea-jv-timed.toml}
sens_trials=$(num "${BENCH_SENS_TRIALS:-1e6}")
quiet_load=${BENCH_QUIET_LOAD:-0.3}
wait_budget=${BENCH_MAX_WAIT:-600}
retries=${BENCH_RETRIES:-2}
seed_args=()
[[ -n ${BENCH_SEED:-} ]] && seed_args=(--seed "$BENCH_SEED")
jv=scenarios/korea-jv.toml
first_thr=$(echo "$threads_list" | awk '{print $1}')
last_thr=$(echo "$threads_list" | awk '{print $NF}')
cmdline="scripts/bench.sh"
for v in BENCH_SCENARIOS BENCH_TRIALS BENCH_BIG_SCENARIOS BENCH_BIG_TRIALS BENCH_THREADS BENCH_RUNS \
    BENCH_MEM_TRIALS BENCH_CSV_ROWS BENCH_NUMPY_TRIALS BENCH_NUMPY_SCENARIOS BENCH_SENS_TRIALS \
    BENCH_SEED; do
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

# timed CMD...: runs CMD under GNU time; sets r_wall (s), r_rss (KiB), r_cpu (s, user+sys),
# r_other (cores used by other processes meanwhile) and r_rc (exit code: anything but 0
# and the codes in $timed_allow_rc stops the script).
r_wall='' r_rss='' r_cpu='' r_other='' r_rc=0 timed_allow_rc=''
timed() {
    local t1 t2 j1 j2
    j1=$(busy_jiffies); t1=$(now)
    r_rc=0
    /usr/bin/time -v -o "$tmp/time.txt" "$@" >"$tmp/stdout.txt" 2>"$tmp/stderr.txt" || r_rc=$?
    if ((r_rc != 0)) && [[ " $timed_allow_rc " != *" $r_rc "* ]]; then
        cat "$tmp/stdout.txt" "$tmp/stderr.txt" >&2; log "failed (exit $r_rc): $*"; exit 1
    fi
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

# ---- 4. NumPy baseline against tariffsim -------------------------------------------------
# Per scenario and run: tariffsim --threads 1, --threads 2, then NumPy with --compare
# against the summary.csv (and timing.csv) tariffsim just wrote at the same trials.
np_threads="1 2"
np_seed=()
[[ -n ${BENCH_SEED:-} ]] && np_seed=(--seed "$BENCH_SEED")
declare -A npr
for s in $np_scenarios; do
    name=$(basename "$s" .toml)
    scenario_shape "$s"
    npr["$s|bad"]=0 npr["$s|cells"]='' npr["$s|tbad"]=0 npr["$s|trows"]=''
    for ((r = 1; r <= runs; r++)); do
        for t in $np_threads; do
            rm -rf "$tmp/np-out-$t"
            timed_quiet "$bin" run "$s" --trials "$np_trials" --threads "$t" "${seed_args[@]}" --quiet --no-charts --out "$tmp/np-out-$t"
            npr["$s|$t"]+="$r_wall " npr["$s|$t|rss"]+="$r_rss " npr["$s|$t|other"]+="$r_other "
            others+=("$r_other")
            log "$name $(sci "$np_trials") trials, --threads $t, run $r: $(printf %.3f "$r_wall") s, $(mb "$r_rss") MB, other load $(printf %.2f "$r_other")"
        done
        timed_allow_rc=1   # numpy_baseline.py exits 1 when a |z| > 4: reported, not fatal
        timed_quiet python3 benches/numpy_baseline.py "$s" --trials "$np_trials" "${np_seed[@]}" --compare "$tmp/np-out-2/summary.csv"
        timed_allow_rc=''
        cp "$tmp/stdout.txt" "$tmp/np.txt"
        grep -q '^wall seconds' "$tmp/np.txt" || { cat "$tmp/np.txt" "$tmp/stderr.txt" >&2; log "numpy baseline failed on $s"; exit 1; }
        w=$(awk '/^wall seconds/ {print $3}' "$tmp/np.txt")
        npr["$s|np"]+="$w " npr["$s|np-proc"]+="$r_wall " npr["$s|np|other"]+="$r_other "
        others+=("$r_other")
        read -r bad cells < <(awk '/cells with \|z\| > 4/ {print $1, $3}' "$tmp/np.txt")
        npr["$s|cells"]=$cells
        if ((bad > ${npr["$s|bad"]})); then npr["$s|bad"]=$bad; fi
        if grep -q 'timing.csv rows with' "$tmp/np.txt"; then
            read -r tbad trows < <(awk '/timing.csv rows with/ {print $1, $3}' "$tmp/np.txt")
            npr["$s|trows"]=$trows
            if ((tbad > ${npr["$s|tbad"]})); then npr["$s|tbad"]=$tbad; fi
        fi
        ((r_rc == 0)) || log "WARNING: $name: numpy and tariffsim disagree (|z| > 4): $(grep -E 'with \|z\| > 4' "$tmp/np.txt" | tr '\n' ' ')"
        log "numpy $name $(sci "$np_trials") trials, run $r: simulate $w s, process $(printf %.3f "$r_wall") s, $(mb "$r_rss") MB, other load $(printf %.2f "$r_other")"
    done
    for k in 1 2 np np-proc; do
        # shellcheck disable=SC2086
        npr["$s|$k|med"]=$(median ${npr["$s|$k"]})
    done
    for k in 1 2 np; do
        # shellcheck disable=SC2086
        npr["$s|$k|other-med"]=$(median ${npr["$s|$k|other"]})
    done
    rm -rf "$tmp/np-out-1" "$tmp/np-out-2"
done
np_ver=$(awk '/^numpy/ {print $2}' "$tmp/np.txt" | tr -d ,)
py_ver=$(awk '/^numpy/ {print $4}' "$tmp/np.txt")

# ---- 5. --sensitivity cost -----------------------------------------------------------------
sens_plain=() sens_on=() sens_other=()
for ((r = 1; r <= runs; r++)); do
    for mode in plain sensitivity; do
        extra=()
        [[ $mode == sensitivity ]] && extra=(--sensitivity)
        rm -rf "$tmp/sens"
        timed_quiet "$bin" run "$jv" --trials "$sens_trials" --threads "$last_thr" "${seed_args[@]}" "${extra[@]}" --quiet --no-charts --out "$tmp/sens"
        if [[ $mode == plain ]]; then sens_plain+=("$r_wall"); else sens_on+=("$r_wall"); fi
        sens_other+=("$r_other") others+=("$r_other")
        log "korea-jv $(sci "$sens_trials") trials, --threads $last_thr, $mode, run $r: $(printf %.3f "$r_wall") s, other load $(printf %.2f "$r_other")"
    done
done
[[ -f $tmp/sens/sensitivity.csv ]] || { log "--sensitivity wrote no sensitivity.csv"; exit 1; }
rm -rf "$tmp/sens"
sens_plain_w=$(median "${sens_plain[@]}")
sens_on_w=$(median "${sens_on[@]}")
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
echo "#### NumPy baseline against tariffsim (benches/numpy_baseline.py, $(sci "$np_trials") trials, median of $runs, runs interleaved)"
echo
echo "| scenario | cells | implementation | wall (s) | trials/s | NumPy simulation / this | NumPy process / this | other load (cores) |"
echo "|---|---:|---|---:|---:|---:|---:|---:|"
for s in $np_scenarios; do
    name=$(basename "$s" .toml)
    cells=${shape[$s]% *}
    sim=${npr["$s|np|med"]} proc=${npr["$s|np-proc|med"]}
    printf '| %s | %s | NumPy %s, simulation only (its own timer; no start-up, import or parsing) | %.3f | %s | | | %.2f |\n' \
        "$name" "$cells" "$np_ver" "$sim" "$(grp "$(rate "$np_trials" "$sim")")" "${npr["$s|np|other-med"]}"
    printf '| %s | %s | NumPy %s, whole process | %.3f | %s | | | |\n' \
        "$name" "$cells" "$np_ver" "$proc" "$(grp "$(rate "$np_trials" "$proc")")"
    for t in $np_threads; do
        w=${npr["$s|$t|med"]}
        printf '| %s | %s | tariffsim --threads %s, whole process | %.3f | %s | %.2fx | %.2fx | %.2f |\n' \
            "$name" "$cells" "$t" "$w" "$(grp "$(rate "$np_trials" "$w")")" "$(calc "$sim / $w")" "$(calc "$proc / $w")" "${npr["$s|$t|other-med"]}"
    done
done
echo
agree=()
for s in $np_scenarios; do
    x="$(basename "$s" .toml): ${npr["$s|bad"]} of ${npr["$s|cells"]} cells"
    [[ -n ${npr["$s|trows"]} ]] && x="$x, ${npr["$s|tbad"]} of ${npr["$s|trows"]} timing.csv rows"
    agree+=("$x")
done
agree_txt=$(printf '%s; ' "${agree[@]}")
echo "NumPy / this is the ratio of walls at the same trials (throughput of this over NumPy's on one core). Means agree within Monte Carlo error: |z| > 4 in ${agree_txt%; } (the worst of the $runs runs of numpy_baseline.py --compare against the summary.csv tariffsim wrote in the same run)."
echo
echo "#### --sensitivity (korea-jv, $(sci "$sens_trials") trials, --threads $last_thr, median of $runs, interleaved)"
echo
echo "| run | wall (s) | vs plain |"
echo "|---|---:|---:|"
printf '| plain | %.3f | 1.00x |\n' "$sens_plain_w"
printf '| --sensitivity | %.3f | %.2fx |\n' "$sens_on_w" "$(calc "$sens_on_w / $sens_plain_w")"
echo
echo "#### Targets"
echo
big_n=$(echo "$big_trials" | awk '{print $NF}')
[[ -n ${res["$jv|$big_n|$last_thr|wall"]:-} ]] || big_n=$np_trials
tw=${res["$jv|$big_n|$last_thr|wall"]:-}
ok() { awk "BEGIN {exit !($1)}" && echo "**met**" || echo "**not met**"; }
echo "| issue | target | measured | |"
echo "|---|---|---:|---|"
if [[ -n $tw ]]; then
    tps=$(rate "$big_n" "$tw")
    printf '| 7 | korea-jv: >= 4,000,000 trials/s with %s threads | %s (%s trials) | %s |\n' "$last_thr" "$(grp "$tps")" "$(sci "$big_n")" "$(ok "$tps >= 4e6")"
    t1w=${res["$jv|$big_n|$first_thr|wall"]}
    su=$(calc "$t1w / $tw")
    printf '| 7 | korea-jv: >= 1.8x speed-up from %s to %s threads | %.2fx (%s trials) | %s |\n' "$first_thr" "$last_thr" "$su" "$(sci "$big_n")" "$(ok "$su >= 1.8")"
    printf '| 16 | korea-jv: >= 1.9x speed-up from %s to %s threads | %.2fx (%s trials) | %s |\n' "$first_thr" "$last_thr" "$su" "$(sci "$big_n")" "$(ok "$su >= 1.9")"
fi
for s in $np_scenarios; do
    name=$(basename "$s" .toml)
    sim=${npr["$s|np|med"]}
    r1=$(calc "$sim / ${npr["$s|1|med"]}")
    r2=$(calc "$sim / ${npr["$s|2|med"]}")
    su=$(calc "${npr["$s|1|med"]} / ${npr["$s|2|med"]}")
    printf '| 16 | %s: tariffsim --threads 1 >= 5x NumPy on one core | %.2fx (%s trials) | %s |\n' "$name" "$r1" "$(sci "$np_trials")" "$(ok "$r1 >= 5")"
    printf '| 16 | %s: tariffsim --threads 2 >= 10x NumPy on one core | %.2fx (%s trials) | %s |\n' "$name" "$r2" "$(sci "$np_trials")" "$(ok "$r2 >= 10")"
    printf '| 16 | %s: >= 1.9x speed-up from 1 to 2 threads | %.2fx (%s trials) | %s |\n' "$name" "$su" "$(sci "$np_trials")" "$(ok "$su >= 1.9")"
done
sr=$(calc "$sens_on_w / $sens_plain_w")
printf '| 16 | korea-jv: --sensitivity <= 1.5x a plain run | %.2fx (%s trials) | %s |\n' "$sr" "$(sci "$sens_trials")" "$(ok "$sr <= 1.5")"
mlast=$(echo "$mem_trials" | awk '{print $NF}')
mr=$(calc "${mem[$mlast]} / ${mem[$m0]}")
printf '| 7, 16 | korea-jv: peak RSS at %s <= 1.2x that at %s | %.2fx | %s |\n' "$(sci "$mlast")" "$(sci "$m0")" "$mr" "$(ok "$mr <= 1.2")"
printf '| 7 | korea-jv: peak RSS at %s < 64 MB | %s MB | %s |\n' "$(sci "$mlast")" "$(mb "${mem[$mlast]}")" "$(ok "${mem[$mlast]} * 1024 < 64e6")"
cr=$(calc "${csv_rss[$csv_rows]} / ${csv_rss[$((csv_rows / 10))]}")
printf '| 7 | korea-jv: --trials-csv streams (RSS at %s rows <= 1.2x that at a tenth) | %.2fx (%s MB) | %s |\n' "$(grp $((csv_trials[$csv_rows] * jv_cells)))" "$cr" "$(mb "${csv_rss[$csv_rows]}")" "$(ok "$cr <= 1.2")"
