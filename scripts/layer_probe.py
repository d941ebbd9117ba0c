"""Layer-wise linear probe of an encoder on Banking77, 10 utterances per class (Alain & Bengio 2017,
"Understanding intermediate layers using linear classifier probes").

Reads the JSON that examples/layer-probe.ts writes (the mean token state of every Banking77 train and test
utterance after the embeddings and after each transformer layer) and, for each layer and each draw
(seeds 1, 2, 3: 10 training utterances per class), fits scikit-learn's LogisticRegression (L2, C = 1) on
standardised features and scores it on the whole test set. Prints one Markdown row per file: test accuracy
(%) per layer, mean +- sample std over the draws.

    /usr/bin/python3 scripts/layer_probe.py FEATURES.json...
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def probe(features):
    y_train = np.array(features['train']['labels'])
    y_test = np.array(features['test']['labels'])
    cells = []
    for layer in range(len(features['train']['layers'])):
        x_train = np.array(features['train']['layers'][layer])
        x_test = np.array(features['test']['layers'][layer])
        accuracies = []
        for seed in (1, 2, 3):
            rng = np.random.RandomState(seed)
            rows = np.concatenate([rng.choice(np.where(y_train == c)[0], 10, replace=False) for c in sorted(set(y_train))])
            scaler = StandardScaler().fit(x_train[rows])
            classifier = LogisticRegression(max_iter=2000, C=1.0).fit(scaler.transform(x_train[rows]), y_train[rows])
            accuracies.append(100 * (classifier.predict(scaler.transform(x_test)) == y_test).mean())
        cells.append(f'{np.mean(accuracies):.1f} ± {np.std(accuracies, ddof=1):.1f}')
    return cells


for file in sys.argv[1:]:
    with open(file) as f:
        print(f'| {file} | ' + ' | '.join(probe(json.load(f))) + ' |')
