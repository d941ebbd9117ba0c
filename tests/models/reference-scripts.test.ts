/**
 * Tests load the PyTorch reference models of scripts/fixtures/t5.py and bart.py as modules
 * (tests/export/hf-seq2seq.test.ts); importing one must not regenerate the committed fixtures
 * (tests/fixtures/bart.json was rewritten by every run of that test). Writing is `python3 script.py`'s job.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('reference scripts imported as modules', () => {
  for (const [script, fixtures] of [
    ['t5.py', ['t5.json']],
    ['bart.py', ['bart.json', 'bart-tiny.safetensors']],
  ] as const) {
    it(`${script} writes no fixture when imported`, () => {
      const files = fixtures.map((f) => path.join(ROOT, 'tests', 'fixtures', f));
      const before = files.map((f) => statSync(f).mtimeMs);
      const load = `import importlib.util, sys
spec = importlib.util.spec_from_file_location("ref", sys.argv[1])
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
print(sorted(n for n in dir(ref) if not n.startswith("_"))[:3])`;
      execFileSync('/usr/bin/python3', ['-c', load, path.join(ROOT, 'scripts', 'fixtures', script)], { encoding: 'utf8' });
      assert.deepEqual(
        files.map((f) => statSync(f).mtimeMs),
        before,
        `importing ${script} rewrote ${fixtures.join(' or ')}`,
      );
    });
  }
});
