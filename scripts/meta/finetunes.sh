#!/bin/bash
# usage: [EXP=DIR] [KS="5 10 20"] finetunes.sh NAME CKPT — the k-shot fine-tunes (each k of KS; seeds 1-3) of one
# encoder, one at a time, from the files kshot.py wrote to EXP (default /tmp/meta/exp) and EXP/finetune.yaml
name=$1; ckpt=$2
EXP=${EXP:-/tmp/meta/exp}
KS=${KS:-5 10 20}
cd "$(dirname "$0")/../.."
for k in $KS; do for s in 1 2 3; do
  sed "s|TRAIN|$EXP/train-k$k-s$s.csv|" $EXP/finetune.yaml > $EXP/ft-$name-k$k-s$s.yaml
  /usr/bin/time -f "%e s wall %U s user %S s sys" nice -n 10 node bin/mtl.js finetune $ckpt $EXP/ft-$name-k$k-s$s.yaml --seed $s --output $EXP/runs/ft-$name-k$k-s$s > $EXP/ft-$name-k$k-s$s.log 2>&1
  echo "$name k=$k seed=$s: $(grep -o 'accuracy [0-9.]*' $EXP/ft-$name-k$k-s$s.log | tail -1) $(tail -1 $EXP/ft-$name-k$k-s$s.log) load $(cut -d' ' -f1 /proc/loadavg)"
done; done
