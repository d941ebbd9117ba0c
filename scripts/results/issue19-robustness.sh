#!/usr/bin/env bash
# Issue 19's robustness measurement (docs/results/issue19-robustness.md): SNIPS intent + slots with
# 300 training utterances (examples/issue19/snips-low.yaml), each arm trained with seeds 1, 2, 3, one
# run at a time, same 80 steps: baseline, FGM (ε 0.3, then 0.03), SMART, EDA. Writes runs/issue19/<arm>-<seed>/ and
# appends "<arm> <seed> <wall seconds>" to runs/issue19/wall.txt; then
# `node --import tsx scripts/results/issue19-table.ts` prints the table.
# Usage: scripts/results/issue19-robustness.sh [ARM ...]   (default: all four)
set -euo pipefail
cd "$(dirname "$0")/../.."
declare -A SET=(
  [baseline]=''
  [fgm]='  adversarial: { method: fgm, epsilon: 0.3 }'
  [smart]='  adversarial: { method: smart, norm: l2, epsilon: 0.03, step_size: 0.03, init: 0.0001, weight: 1 }'
  [fgm-small]='  adversarial: { method: fgm, epsilon: 0.03 }'
  [eda]='augment'
)
mkdir -p runs/issue19
arms=("$@")
[ ${#arms[@]} -gt 0 ] || arms=(baseline fgm eda smart fgm-small)
for arm in "${arms[@]}"; do
  for seed in 1 2 3; do
    out="runs/issue19/$arm-$seed"
    [ -f "$out/test_metrics.json" ] && continue # done already (a rerun of the script continues)
    config="runs/issue19/$arm-$seed.yaml"
    sed -e "s#^seed: .*#seed: $seed#" -e "s#^output_dir: .*#output_dir: $arm-$seed#" \
      -e "s#../../../shared/datasets#$(cd ../shared/datasets && pwd)#" examples/issue19/snips-low.yaml > "$config"
    if [ "$arm" = eda ]; then
      sed -i 's#^      train_subset: 300#      train_subset: 300\n      augment: { method: eda, copies: 8 }#' "$config"
    elif [ -n "${SET[$arm]}" ]; then
      printf '%s\n' "${SET[$arm]}" >> "$config"
    fi
    start=$(date +%s.%N)
    nice -n 10 node bin/mtl.js train "$config" --overwrite > "runs/issue19/$arm-$seed.log" 2>&1
    end=$(date +%s.%N)
    echo "$arm $seed $(echo "$end - $start" | bc)" >> runs/issue19/wall.txt
    tail -3 "runs/issue19/$arm-$seed.log" | head -1
  done
done
