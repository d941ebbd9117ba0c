#!/usr/bin/env bash
# Issue 19's back-translation measurement (docs/results/issue19-back-translation.md): SST-2 with 500
# training sentences (examples/issue19/sst2-low.yaml), seeds 1, 2, 3, one run at a time, same 150 steps:
# baseline, and back-translation through the Multi30k en<->de T5 (runs/issue19-multi30k-bt/last, trained
# by examples/issue19/multi30k-bt.yaml). Writes runs/issue19-bt/<arm>-<seed>/ and appends
# "<arm> <seed> <wall seconds> <load average>" to runs/issue19-bt/wall.txt; then
# `node --import tsx scripts/results/issue19-back-translation-table.ts` prints the table.
# Usage: scripts/results/issue19-back-translation.sh [ARM ...]   (default: baseline bt)
set -euo pipefail
cd "$(dirname "$0")/../.."
BT='      augment: { method: back-translation, checkpoint: ../issue19-multi30k-bt/last, forward_task: en_de, backward_task: de_en, copies: 1, max_new_tokens: 40 }'
mkdir -p runs/issue19-bt
arms=("$@")
[ ${#arms[@]} -gt 0 ] || arms=(baseline bt)
for arm in "${arms[@]}"; do
  for seed in 1 2 3; do
    out="runs/issue19-bt/$arm-$seed"
    [ -f "$out/test_metrics.json" ] && continue # done already (a rerun of the script continues)
    config="runs/issue19-bt/$arm-$seed.yaml"
    sed -e "s#^seed: .*#seed: $seed#" -e "s#^output_dir: .*#output_dir: $arm-$seed#" \
      -e "s#../../../shared/datasets#$(cd ../shared/datasets && pwd)#" examples/issue19/sst2-low.yaml > "$config"
    [ "$arm" = bt ] && sed -i "s#^      train_subset: 500#      train_subset: 500\n$BT#" "$config"
    start=$(date +%s.%N)
    nice -n 10 node bin/mtl.js train "$config" --overwrite > "runs/issue19-bt/$arm-$seed.log" 2>&1
    end=$(date +%s.%N)
    echo "$arm $seed $(echo "$end - $start" | bc) $(cut -d' ' -f1 /proc/loadavg)" >> runs/issue19-bt/wall.txt
    grep -h 'data.augment' "runs/issue19-bt/$arm-$seed.log" || true
  done
done
