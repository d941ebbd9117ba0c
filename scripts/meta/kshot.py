"""k examples per class of Banking77's train.csv (seeded), and a fixed dev set of 1,540 test rows (20 per class)."""
import csv, random, sys, pathlib
src = pathlib.Path('/work/shared/datasets/banking77')
out = pathlib.Path(sys.argv[1])
rows = list(csv.DictReader(open(src / 'train.csv', newline='')))
by = {}
for r in rows: by.setdefault(r['category'], []).append(r)
test = list(csv.DictReader(open(src / 'test.csv', newline='')))
tby = {}
for r in test: tby.setdefault(r['category'], []).append(r)
def write(path, rs):
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=['text', 'category']); w.writeheader(); w.writerows(rs)
write(out / 'dev.csv', [r for c in sorted(tby) for r in tby[c][:20]])
for k in (5, 10, 20):  # each (k, seed) draws from a fresh random.Random(seed): adding k = 20 left the k = 5, 10 files as they were
    for seed in (1, 2, 3):
        rng = random.Random(seed)
        write(out / f'train-k{k}-s{seed}.csv', [r for c in sorted(by) for r in rng.sample(by[c], k)])
print(len(by), 'classes')
