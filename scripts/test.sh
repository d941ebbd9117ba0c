#!/usr/bin/env bash
# The test suite: set-up (including the reference tools), type check, then every tests/**/*.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
npx tsc --noEmit
# Where the public datasets are (MTL_DATASETS, default ../shared/datasets), or that the tests reading them are skipped.
node --import tsx -e "import('./tests/helpers/datasets.ts').then((d) => console.log(d.summary()))"
mapfile -t files < <(find tests -name '*.test.ts' | sort)
node --import tsx --test --test-reporter=spec "${files[@]}"
