/**
 * The package as a user gets it: `npm pack` (its prepack step compiles src/ to dist/), the tarball
 * installed into a fresh project with no registry (`npm ci --offline`, the project's lockfile taken
 * from ours, so every dependency comes from the npm cache `npm ci` filled here), then used from
 * plain JavaScript, from a TypeScript consumer checked by `tsc`, and through the installed `mtl`.
 * Takes about a minute, most of it the compile (`npm run build`).
 *
 * The install skips install scripts: building the addon takes minutes, so the test copies this
 * checkout's build in (the build itself is what `npm run setup` does here). Without it, the first
 * tensor operation must say what to run in the consumer's project.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Predictor } from '../../src/predict/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; import: string }>;
};
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; link?: boolean; version?: string }>;
};

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let work: string; // holds the tarball and the consumer project (app/)
let app: string;
let packed: PackResult;

/** Runs a command; its output, or an assertion error with both streams when it fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const how = r.error ? `failed (${r.error.message})` : r.signal ? `was killed by ${r.signal}` : `exited with ${r.status}`;
  assert.equal(r.status, 0, `${command} ${args.join(' ')} ${how}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs a JavaScript file in the consumer project with node; its stdout. */
const node = (file: string, env?: NodeJS.ProcessEnv) => run(process.execPath, [file], app, env);

/**
 * The consumer's package-lock.json: the tarball, and each dependency at the version and integrity our
 * own lockfile pins (all of them in the cache after `npm ci`), so `npm ci --offline` needs no registry.
 */
function consumerLock(tarball: string): object {
  const packages: Record<string, object> = {
    '': {
      name: 'consumer',
      dependencies: { 'multitask-lm': `file:${tarball}` },
      devDependencies: { '@types/node': lockVersion('@types/node') },
    },
    'node_modules/multitask-lm': {
      version: manifest.version,
      resolved: `file:${tarball}`,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      hasInstallScript: true,
    },
  };
  const typesNode = new Set(['node_modules/@types/node', 'node_modules/undici-types']);
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '' || entry.link) continue;
    if (typesNode.has(key)) packages[key] = { ...entry, dev: true };
    else if (!entry.dev) packages[key] = entry;
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages };
}

function lockVersion(name: string): string {
  const version = lock.packages[`node_modules/${name}`]?.version;
  assert.ok(version, `package-lock.json pins no ${name}`);
  return version;
}

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'mtl-pack-'));
  // npm prints the prepack build's output on stderr and the JSON on stdout.
  packed = (JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as [PackResult])[0];
  app = path.join(work, 'app');
  mkdirSync(app);
  const tarball = `../${packed.filename}`;
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { 'multitask-lm': `file:${tarball}` },
      devDependencies: { '@types/node': lockVersion('@types/node') },
    }),
  );
  writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(consumerLock(tarball)));
  run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], app);
  copyAddon();
});

after(() => rmSync(work, { recursive: true, force: true }));

function installed(): string {
  return path.join(app, 'node_modules', 'multitask-lm');
}

/** Puts this checkout's built addon where the installed package's install script would build it. */
function copyAddon(): void {
  const to = path.join(installed(), 'build', 'Release', 'mtl_native.node');
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(path.join(ROOT, 'build', 'Release', 'mtl_native.node'), to);
}

test('the tarball holds compiled JavaScript, declarations and the addon sources, no tests, TypeScript sources, bench or Python', () => {
  const files = packed.files.map((f) => f.path);
  for (const must of [
    'package.json',
    'bin/mtl.js',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    'native/addon.cc',
    'native/build.mjs',
    'binding.gyp',
  ]) {
    assert.ok(files.includes(must), `${must} is not in the tarball`);
  }
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const targets = typeof target === 'string' ? [target] : [target.types, target.import];
    for (const t of targets)
      assert.ok(files.includes(t.replace(/^\.\//, '')), `exports['${subpath}'] names ${t}, which is not in the tarball`);
  }
  const unwanted = files.filter((f) => /^(tests|bench|scripts|src|dist\/bench)\/|\.py$|(?<!\.d)\.ts$/.test(f));
  assert.deepEqual(unwanted, []);
});

test('plain JavaScript imports the entry and each subpath; only a tensor operation loads libtorch', () => {
  writeFileSync(
    path.join(app, 'imports.mjs'),
    `import { readFileSync } from 'node:fs';
const libtorch = () => readFileSync('/proc/self/maps', 'utf8').includes('libtorch');
const out = {};
const exportsMap = JSON.parse(readFileSync('node_modules/multitask-lm/package.json', 'utf8')).exports;
for (const subpath of Object.keys(exportsMap).filter((s) => !s.endsWith('.json'))) {
  const m = await import(subpath === '.' ? 'multitask-lm' : 'multitask-lm' + subpath.slice(1));
  out[subpath] = Object.keys(m).length;
}
out.libtorchAfterImports = libtorch();
out.schemaTitle = JSON.parse(readFileSync(new URL(import.meta.resolve('multitask-lm/schema/training-config.schema.json')), 'utf8')).title;
const { accuracy } = await import('multitask-lm/metrics');
out.accuracy = accuracy([1, 0, 1, 1], [1, 1, 1, 0]);
const { tensor } = await import('multitask-lm');
out.sum = tensor([1, 2, 3.5]).sum().item();
out.libtorchAfterTensor = libtorch();
console.log(JSON.stringify(out));
`,
  );
  const out = JSON.parse(node('imports.mjs')) as Record<string, number | boolean>;
  for (const subpath of Object.keys(manifest.exports).filter((s) => !s.endsWith('.json'))) {
    assert.ok((out[subpath] as number) > 0, `${subpath} exports nothing`);
  }
  assert.equal(out.libtorchAfterImports, false, 'importing every entry loaded libtorch');
  assert.equal(out.schemaTitle, 'multitask-lm training config', 'the config JSON Schema is shipped and resolvable');
  assert.equal(out.accuracy, 0.5);
  assert.equal(out.sum, 6.5);
  assert.equal(out.libtorchAfterTensor, true);
});

test('without a built addon, the first tensor operation says what to run in the consumer project', () => {
  rmSync(path.join(installed(), 'build'), { recursive: true, force: true });
  writeFileSync(
    path.join(app, 'no-addon.mjs'),
    `import { tensor } from 'multitask-lm';
try { tensor([1]); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
`,
  );
  const error = JSON.parse(node('no-addon.mjs')) as { name: string; code: string; message: string };
  copyAddon();
  assert.equal(error.code, 'ERR_NATIVE');
  assert.match(error.message, /node_modules\/multitask-lm\/build\/Release\/mtl_native\.node is not built/);
  assert.match(error.message, /in your project, install libtorch .*npm rebuild multitask-lm/);
});

test('the installed package trains a tiny model from plain JavaScript, predicts as the sources do, and writes its report', async () => {
  // Sixteen hand-written sentences; two labels.
  const sentences = [
    ['a wonderful , warm film', 'pos'],
    ['i loved every minute', 'pos'],
    ['a great and moving story', 'pos'],
    ['the best film this year', 'pos'],
    ['funny , smart and kind', 'pos'],
    ['a joy to watch', 'pos'],
    ['beautifully made', 'pos'],
    ['great acting , great music', 'pos'],
    ['a dull , empty film', 'neg'],
    ['i hated every minute', 'neg'],
    ['a boring and lazy story', 'neg'],
    ['the worst film this year', 'neg'],
    ['flat , slow and cold', 'neg'],
    ['a chore to watch', 'neg'],
    ['badly made', 'neg'],
    ['bad acting , bad music', 'neg'],
  ];
  writeFileSync(path.join(app, 'reviews.tsv'), ['sentence\tlabel', ...sentences.map((s) => s.join('\t'))].join('\n') + '\n');
  writeFileSync(
    path.join(app, 'config.yaml'),
    `seed: 3
output_dir: run
encoder: { hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 32 }
tokenizer: { train: { vocab_size: 120, min_frequency: 1 } }
max_length: 16
tasks:
  - name: sentiment
    type: sequence-classification
    data: { format: tsv, train: reviews.tsv, dev: reviews.tsv }
    input: { text: sentence }
    label: { field: label }
training: { max_steps: 6, batch_size: 8, learning_rate: 1.0e-3, eval_every: 6, log_every: 6 }
`,
  );
  writeFileSync(
    path.join(app, 'train.mjs'),
    `import { readFileSync } from 'node:fs';
import { loadTrainingConfig, train, Predictor } from 'multitask-lm';
import { writeRunReport } from 'multitask-lm/report';
const result = await train(loadTrainingConfig('config.yaml'), { logger: { info: () => {} } });
const predictor = Predictor.load(result.outputDir + '/best');
const records = await predictor.predict(['a warm and funny film', 'a slow , boring chore']);
predictor.dispose();
const page = readFileSync(await writeRunReport(result.outputDir), 'utf8');
const report = { canvases: page.split('<canvas').length - 1, confusion: page.includes('Confusion matrix') };
console.log(JSON.stringify({ status: result.status, step: result.step, records, report }));
`,
  );
  const out = JSON.parse(node('train.mjs')) as {
    status: string;
    step: number;
    records: unknown[];
    report: { canvases: number; confusion: boolean };
  };
  assert.equal(out.status, 'completed');
  assert.equal(out.step, 6);
  assert.ok(out.report.canvases > 0 && out.report.confusion, `writeRunReport drew the run: ${JSON.stringify(out.report)}`);
  using predictor = Predictor.load(path.join(app, 'run', 'best'));
  const ours = JSON.parse(JSON.stringify(await predictor.predict(['a warm and funny film', 'a slow , boring chore']))) as unknown[];
  assert.deepEqual(out.records, ours);
});

test('tsc type-checks a strict TypeScript consumer against the declarations alone', () => {
  writeFileSync(
    path.join(app, 'consumer.ts'),
    `import { Predictor, loadTrainingConfig, writeRunReport, type RunReportOptions, type TrainingConfig } from 'multitask-lm';
import { accuracy } from 'multitask-lm/metrics';
import { loadTrainingConfig as fromConfig } from 'multitask-lm/config';
import { DataError } from 'multitask-lm/errors';
import { Tokenizer, type NativeTokenizer } from 'multitask-lm/tokenization';

const config: TrainingConfig = loadTrainingConfig('config.yaml');
const same: typeof loadTrainingConfig = fromConfig;
const score: number = accuracy([1, 0], [1, 1]);
export async function labels(dir: string): Promise<string[]> {
  const predictor = Predictor.load(dir);
  try {
    const records = await predictor.predict(['a text']);
    return records.map((r) => JSON.stringify(r));
  } finally {
    predictor.dispose();
  }
}
export async function report(dir: string): Promise<string> {
  const options: RunReportOptions = { split: 'dev', evaluate: true };
  return await writeRunReport(dir, options);
}
export function clsId(file: string): number | null {
  const native: NativeTokenizer = Tokenizer.fromFile(file).hf;
  return native.tokenToId('[CLS]');
}
export const checks = [config.tasks.length, same, score, new DataError('x') instanceof Error];
`,
  );
  // tsc --init's settings that matter here: strict, NodeNext (skipLibCheck: both ways below).
  const tsconfig = (skipLibCheck: boolean) =>
    JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck },
      files: ['consumer.ts'],
    });
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // With skipLibCheck off, every declaration file the program reaches is checked: ours have no error,
  // and they never import the `tokenizers` package's own index.d.ts, which has some (undeclared names,
  // initializers in declarations): Tokenizer.hf / fromHf are typed by src/tokenization/native.ts.
  writeFileSync(path.join(app, 'tsconfig.json'), tsconfig(false));
  const r = spawnSync(process.execPath, [tsc, '-p', '.', '--pretty', 'false', '--listFiles'], { cwd: app, encoding: 'utf8' });
  const lines = r.stdout.split('\n');
  const ours = lines.filter((f) => f.startsWith('/') && f.includes('/node_modules/multitask-lm/'));
  assert.ok(ours.length > 0, `tsc read nothing of the package:\n${r.stdout}`);
  assert.deepEqual(
    ours.filter((f) => !f.endsWith('.d.ts')),
    [],
    'tsc read files of the package that are not declarations',
  );
  assert.deepEqual(
    lines.filter((f) => f.includes('/node_modules/tokenizers/')),
    [],
    "tsc read the tokenizers package's declarations: one of ours imports them",
  );
  assert.deepEqual(
    lines.filter((l) => /error TS\d+/.test(l)),
    [],
    'a consumer without skipLibCheck compiles',
  );
  assert.equal(r.status, 0, r.stdout);
  // tsc --init's setting (skipLibCheck on): no error at all.
  writeFileSync(path.join(app, 'tsconfig.json'), tsconfig(true));
  run(process.execPath, [tsc, '-p', '.'], app);
});

test('the installed mtl command runs the compiled JavaScript without tsx', () => {
  assert.throws(
    () => execFileSync(process.execPath, ['-e', "import('tsx')"], { cwd: app, stdio: 'pipe' }),
    'tsx is not installed in the consumer',
  );
  const help = run(path.join(app, 'node_modules', '.bin', 'mtl'), ['--help'], app);
  assert.match(help, /^Usage: mtl \[options\] \[command\]/);
  assert.match(help, /\n {2}train +train a multi-task model/, 'the commands, each with its summary');
});
