/**
 * The package entry's own @example (src/index.ts, the first thing TypeDoc's API page shows) stays true:
 * the options it gives `train` are TrainOptions' (it gave `{ log: console.log }`, which TypeScript refuses
 * and JavaScript ignores, so nothing was logged), and it declares nothing with `using`, which Node 20 cannot
 * parse when tsc keeps it (the README's example has the same rule, tests/docs/readme.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe("src/index.ts's @example", () => {
  const header = read('src/index.ts').split('*/')[0]!;
  const example = header.slice(header.indexOf('@example')).replace(/^\s*\* ?/gm, '');

  it("gives train() only TrainOptions' keys", () => {
    const options = /train\([^,]+\),\s*\{([^}]*)\}/.exec(example);
    assert.ok(options !== null, `a train(config, { … }) call in:\n${example}`);
    const keys = [...options[1]!.matchAll(/(\w+)\s*:/g)].map((m) => m[1]!);
    const valid = [...read('src/train/trainer-options.ts').matchAll(/^ {2}readonly (\w+)\?:/gm)].map((m) => m[1]!);
    assert.ok(valid.includes('logger'), valid.join(', '));
    for (const key of keys) assert.ok(valid.includes(key), `train() takes no option '${key}' (TrainOptions: ${valid.join(', ')})`);
  });

  it('declares nothing with using (Node 20 cannot run it as tsc keeps it)', () => {
    assert.doesNotMatch(example, /^\s*using /m);
  });
});
