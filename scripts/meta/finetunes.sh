#!/bin/bash
# usage: finetunes.sh NAME CKPT — the six k-shot fine-tunes (k = 5, 10; seeds 1-3) of one encoder, one at a time
name=$1; ckpt=$2
cd /tmp/meta/tree
for k in 5 10; do for s in 1 2 3; do
  sed "s|TRAIN|/tmp/meta/exp/train-k$k-s$s.csv|" /tmp/meta/exp/finetune.yaml > /tmp/meta/exp/ft-$name-k$k-s$s.yaml
  /usr/bin/time -f "%e s wall" nice -n 10 node bin/mtl.js finetune $ckpt /tmp/meta/exp/ft-$name-k$k-s$s.yaml --seed $s --output /tmp/meta/exp/runs/ft-$name-k$k-s$s > /tmp/meta/exp/ft-$name-k$k-s$s.log 2>&1
  echo "$name k=$k seed=$s: $(grep -o 'accuracy [0-9.]*' /tmp/meta/exp/ft-$name-k$k-s$s.log | tail -1) $(tail -1 /tmp/meta/exp/ft-$name-k$k-s$s.log)"
done; done
