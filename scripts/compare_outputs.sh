#!/usr/bin/env bash
# Runs every shipped scenario with one build and byte-compares the outputs of two builds,
# so a refactor or speed-up that should not change results proves it.
#
#   scripts/compare_outputs.sh run BINARY DIR    # every scenarios/*.toml into DIR/<file>/
#   scripts/compare_outputs.sh diff DIR_A DIR_B  # every file compared; exit 1 on a difference
#
# Each scenario runs twice: plainly (all CSVs, manifest, report, charts) and with
# --sensitivity --trials-csv on fewer trials. manifest.json is compared without its wall
# time, trials per second, version and thread count (the only fields that may differ).
# TRIALS (default 20000) and SEED (default 7) set the plain run.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in
run)
    bin=$(realpath "$2")
    out=$3
    trials=${TRIALS:-20000}
    seed=${SEED:-7}
    rm -rf "$out"
    mkdir -p "$out"
    for f in scenarios/*.toml; do
        name=$(basename "$f" .toml)
        "$bin" run "$f" --trials "$trials" --seed "$seed" --threads 2 --quiet --out "$out/$name/plain"
        "$bin" run "$f" --trials 2000 --seed "$seed" --threads 2 --quiet --sensitivity --trials-csv \
            --out "$out/$name/detail"
    done
    echo "outputs of $(basename "$bin") in $out"
    ;;
diff)
    a=$2
    b=$3
    status=0
    strip() {
        python3 - "$1" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
for k in ("wall_seconds", "trials_per_second", "version", "threads"):
    m.pop(k, None)
print(json.dumps(m, indent=1, sort_keys=True))
EOF
    }
    files=$( (cd "$a" && find . -type f; cd "$b" && find . -type f) | sort -u)
    n=0
    for f in $files; do
        n=$((n + 1))
        if [[ ! -f "$a/$f" || ! -f "$b/$f" ]]; then
            echo "only in one: $f"
            status=1
        elif [[ "$f" == */manifest.json ]]; then
            if ! cmp -s <(strip "$a/$f") <(strip "$b/$f"); then
                echo "differs: $f"
                status=1
            fi
        elif ! cmp -s "$a/$f" "$b/$f"; then
            echo "differs: $f"
            status=1
        fi
    done
    if [[ $status == 0 ]]; then
        echo "identical: $n files"
    fi
    exit $status
    ;;
*)
    sed -n '2,11p' "$0"
    exit 2
    ;;
esac
