#!/usr/bin/env bash
# Issue 19's robustness measurement (docs/results/issue19-robustness.md): SNIPS intent + slots with
# 300 training utterances (examples/issue19/snips-low.yaml), each arm trained with seeds 1, 2, 3, one
# run at a time, same 80 steps: baseline, FGM (ε 0.3, then 0.03), SMART, EDA; PGD and FreeLB at ε 0.03 (the
# radius FGM trained well with) and 0.1. Writes $RUNS/<arm>-<seed>/ (RUNS default runs/issue19) and appends
# "<arm> <seed> <wall s> <user+sys CPU s> <1-minute load before> <after>" to $RUNS/wall.txt; then
# `node --import tsx scripts/results/issue19-table.ts $RUNS` prints the table.
# Usage: [RUNS=DIR] scripts/results/issue19-robustness.sh [ARM ...]   (default: the first five)
set -euo pipefail
cd "$(dirname "$0")/../.."
declare -A SET=(
  [baseline]=''
  [fgm]='  adversarial: { method: fgm, epsilon: 0.3 }'
  [smart]='  adversarial: { method: smart, norm: l2, epsilon: 0.03, step_size: 0.03, init: 0.0001, weight: 1 }'
  [smart-paper]='  adversarial: { method: smart }'
  [fgm-small]='  adversarial: { method: fgm, epsilon: 0.03 }'
  [pgd]='  adversarial: { method: pgd, norm: l2, epsilon: 0.03, step_size: 0.01, steps: 3 }'
  [freelb]='  adversarial: { method: freelb, norm: l2, epsilon: 0.03, step_size: 0.01, steps: 3, init: 0.01 }'
  [pgd-0.1]='  adversarial: { method: pgd, norm: l2, epsilon: 0.1, step_size: 0.03, steps: 3 }'
  [freelb-0.1]='  adversarial: { method: freelb, norm: l2, epsilon: 0.1, step_size: 0.03, steps: 3, init: 0.03 }'
  [eda]='augment'
)
RUNS=${RUNS:-runs/issue19}
mkdir -p "$RUNS"
arms=("$@")
[ ${#arms[@]} -gt 0 ] || arms=(baseline fgm eda smart fgm-small)
for arm in "${arms[@]}"; do
  for seed in 1 2 3; do
    out="$RUNS/$arm-$seed"
    [ -f "$out/test_metrics.json" ] && continue # done already (a rerun of the script continues)
    config="$RUNS/$arm-$seed.yaml"
    sed -e "s#^seed: .*#seed: $seed#" -e "s#^output_dir: .*#output_dir: $arm-$seed#" \
      -e "s#../../../shared/datasets#$(cd ../shared/datasets && pwd)#" examples/issue19/snips-low.yaml > "$config"
    if [ "$arm" = eda ]; then
      sed -i 's#^      train_subset: 300#      train_subset: 300\n      augment: { method: eda, copies: 8 }#' "$config"
    elif [ -n "${SET[$arm]}" ]; then
      printf '%s\n' "${SET[$arm]}" >> "$config"
    fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -o "$RUNS/$arm-$seed.time" -f '%e %U %S' nice -n 10 node bin/mtl.js train "$config" --overwrite > "$RUNS/$arm-$seed.log" 2>&1
    read -r wall user sys < "$RUNS/$arm-$seed.time"
    echo "$arm $seed $wall $(echo "$user + $sys" | bc) $load $(cut -d' ' -f1 /proc/loadavg)" >> "$RUNS/wall.txt"
    tail -3 "$RUNS/$arm-$seed.log" | head -1
  done
done
