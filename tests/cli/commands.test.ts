import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runCli as cli } from '../helpers/cli.js';
import { loadCheckpoint, readMetrics } from '../../src/io/checkpoint.js';
import { needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from '../train/trainer-fixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let run: RunFolder;
let trained: { code: number; stdout: string };
const out = (...rest: string[]) => path.join(run.dir, 'cli-out', ...rest);

/** The tiny run's SNIPS and SST-2 samples; every test of the run is skipped without them. */
const data = needsTinyRunData();
before(async () => {
  if (data.skip) return;
  run = tinyRun();
  trained = await cli('train', run.configFile, '--output', out(), '--max-steps', '16');
});

after(() => {
  if (data.skip) return;
  run.remove();
});

describe('mtl train', data, () => {
  it('trains with --output and --max-steps overriding the config, logging plain lines when stdout is not a terminal', () => {
    assert.equal(trained.code, 0, trained.stdout);
    assert.match(trained.stdout, /step 4\/16 \(25%\) \| epoch [\d.]+ \| loss [\d.]+ \(intent [\d.]+, slots [\d.]+, sentiment [\d.]+\)/);
    assert.match(trained.stdout, /ex\/s, \d+ tok\/s .* ETA/);
    assert.match(trained.stdout, /completed after 16 of 16 steps/);
    using ckpt = loadCheckpoint(out('last'));
    assert.equal(ckpt.trainerState?.step, 16);
    assert.match(ckpt.trainingConfig ?? '', /max_steps: 16/);
  });

  it('reports config errors with the key and line, and trains nothing', async () => {
    const bad = path.join(run.dir, 'bad.yaml');
    writeFileSync(bad, run.yaml.replace('learning_rate:', 'learnig_rate:'));
    const r = await cli('train', bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml:\d+: training\.learnig_rate: unknown key 'learnig_rate'; did you mean 'learning_rate'\?/);
    assert.match(r.stderr, /nothing was trained/);
  });

  it('usage errors exit with 2: a missing config argument, an unknown option (with the nearest one), a bad flag value', async () => {
    assert.equal((await cli('train')).code, 2);
    const r = await cli('train', run.configFile, '--max-step', '3');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--max-step'\n\(Did you mean --max-steps\?\)\n\(mtl train --help lists its options\)/);
    const bad = await cli('train', run.configFile, '--max-steps', '0');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-steps must be a positive integer, got '0'/);
  });

  it('--version, help COMMAND, and an unknown command with the nearest one', async () => {
    const v = await cli('--version');
    assert.equal(v.code, 0);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(v.stdout.trim(), manifest.version);
    const help = await cli('help', 'train');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: mtl train \[options\] <config>/);
    assert.match(help.stdout, /--resume/);
    assert.doesNotMatch(help.stdout, /--port/, 'only the train command');
    const typo = await cli('trian');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command 'trian'\n\(Did you mean train\?\)/);
    const nothing = await cli('help', 'nothing');
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /unknown command 'nothing'/);
  });
});

describe('mtl --help', () => {
  it("each command's --help (or -h) prints that command's usage and exits 0, before any check of its arguments", async () => {
    const listed = await cli('--help');
    const commands = [...listed.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    assert.ok(commands.length >= 13 && commands.includes('average'), `mtl --help lists every command: ${commands.join(', ')}`);
    for (const command of commands) {
      for (const flag of ['--help', '-h']) {
        const r = await cli(command, flag);
        assert.equal(r.code, 0, `mtl ${command} ${flag} exits 0, got ${r.code}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^Usage: mtl ${command} `), `mtl ${command} ${flag} prints its usage`);
        assert.ok(!r.stdout.includes('\n  help '), `mtl ${command} ${flag} prints only its own section`);
      }
    }
    const r = await cli('finetune', 'ckpt', 'config.yaml', '--help');
    assert.equal(r.code, 0, `--help after positionals also prints the usage: ${r.stderr}`);
    assert.match(r.stdout, /--freeze-encoder/);
  });
});

describe('mtl … | head', () => {
  it('a reader that closes the pipe early ends the command quietly: exit 0, no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mtl.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.destroy(); // the reader is gone before the first write, as `head` is after its lines
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.doesNotMatch(stderr, /EPIPE|Error/);
    assert.equal(code, 0);
  });
});

describe('mtl eval --report FILE over an existing file', () => {
  it('is refused before anything is read or evaluated (exit 1, the file untouched), unless --overwrite; --overwrite alone is a usage error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-eval-report-'));
    try {
      const file = path.join(dir, 'report.json');
      writeFileSync(file, 'kept\n');
      const r = await cli('eval', path.join(dir, 'no-checkpoint'), '--report', file);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /--report .*report\.json: the file exists; pass --overwrite to replace it, or name another file \(nothing was evaluated\)/,
      );
      assert.equal(readFileSync(file, 'utf8'), 'kept\n');
      const folder = await cli('eval', path.join(dir, 'no-checkpoint'), '--report', dir, '--overwrite');
      assert.match(folder.stderr, /--report .* is a folder; name a file/);
      const alone = await cli('eval', path.join(dir, 'no-checkpoint'), '--overwrite');
      assert.equal(alone.code, 2);
      assert.match(alone.stderr, /--overwrite goes with --report FILE/);
      // With --overwrite the check passes and the command goes on to the (missing) checkpoint.
      const on = await cli('eval', path.join(dir, 'no-checkpoint'), '--report', file, '--overwrite');
      assert.match(on.stderr, /no-checkpoint/);
      assert.doesNotMatch(on.stderr, /the file exists/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mtl eval', data, () => {
  it('--split test reproduces test_metrics.json exactly', async () => {
    const r = await cli('eval', out('best'), '--split', 'test');
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    const saved = JSON.parse(readFileSync(out('test_metrics.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(printed.split, 'test');
    assert.deepEqual(printed.metrics, saved.metrics);
    assert.deepEqual(printed.joint, saved.joint);
    assert.deepEqual(printed.losses, saved.losses);
  });

  it('on last/ (dev by default) reproduces the last dev record of metrics.jsonl exactly', async () => {
    const r = await cli('eval', out('last'));
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    const last = readMetrics(out('metrics.jsonl'))
      .filter((m) => m.type === 'eval' && m.split === 'dev')
      .at(-1)!;
    assert.equal(printed.step, last.step);
    assert.deepEqual(printed.metrics, last.metrics);
  });

  it("--report FILE writes each task's report (per-label scores, confusion matrix, curves) and prints its tables", async () => {
    const file = path.join(run.dir, 'report.json');
    const r = await cli('eval', out('best'), '--split', 'test', '--report', file);
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { metrics: Record<string, Record<string, number>>; examples: number };
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { reports: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(saved.reports).sort(), ['intent', 'sentiment', 'slots']);
    for (const task of ['intent', 'sentiment']) {
      const rep = saved.reports[task] as {
        report: { accuracy?: number; microAvg?: { f1: number } };
        confusion: { matrix: number[][] };
        curves: { roc: { fpr: number[]; tpr: number[]; auc: number } }[];
        topK: Record<string, number>;
      };
      const n = rep.confusion.matrix.flat().reduce((a, b) => a + b, 0);
      const correct = rep.confusion.matrix.reduce((a, row, i) => a + row[i]!, 0);
      assert.ok(
        Math.abs(correct / n - printed.metrics[task]!.accuracy!) < 1e-12,
        `${task}: the confusion matrix's diagonal gives the accuracy`,
      );
      assert.ok(
        rep.curves.length > 0 &&
          rep.curves.every((c) => c.roc.fpr.at(-1) === 1 && c.roc.tpr.at(-1) === 1 && c.roc.auc >= 0 && c.roc.auc <= 1),
      );
    }
    type Counts = { overall: { f1: number; gold: number; predicted: number; correct: number } };
    const slots = saved.reports.slots as { entities: Counts; surfaceForms: Counts };
    assert.ok(Math.abs(slots.entities.overall.f1 - printed.metrics.slots!.f1!) < 1e-12, 'the slot report gives the slot F1');
    // Distinct entity strings: never more than the chunks they come from.
    for (const k of ['gold', 'predicted', 'correct'] as const) assert.ok(slots.surfaceForms.overall[k] <= slots.entities.overall[k], k);
    assert.ok(slots.surfaceForms.overall.gold > 0);
    assert.match(r.stderr, /== slots\n[\s\S]*surface forms \(each distinct entity string once/);
    assert.match(r.stderr, /== intent\n[\s\S]*precision +recall +f1-score +support[\s\S]*gold \\ predicted/);
    assert.match((await cli('eval', out('best'), '--report', '')).stderr, /--report needs a file name/);
    // The file is there now: a second run refuses it (exit 1, file unchanged); --overwrite replaces it.
    writeFileSync(file, 'earlier\n');
    const again = await cli('eval', out('best'), '--split', 'test', '--report', file);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /--report .*report\.json: the file exists; pass --overwrite to replace it/);
    assert.equal(readFileSync(file, 'utf8'), 'earlier\n');
    const replaced = await cli('eval', out('best'), '--split', 'test', '--report', file, '--overwrite');
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.deepEqual(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { reports: object }).reports).sort(), [
      'intent',
      'sentiment',
      'slots',
    ]);
  });

  it('names a missing checkpoint and a bad split', async () => {
    assert.match((await cli('eval', path.join(run.dir, 'nope'))).stderr, /nope/);
    assert.match((await cli('eval', out('best'), '--split', 'train')).stderr, /--split must be dev or test, got 'train'/);
  });
});

interface Printed {
  text: string;
  predictions: Record<string, Record<string, unknown>>;
}

describe('mtl predict', data, () => {
  const texts = ['play some jazz by miles davis on spotify.', '  rate  this  book five stars ', 'a gorgeous , witty film'];

  it('prints one JSON object per text with every task: label + score, tags and typed spans with char offsets', async () => {
    const r = await cli('predict', out('best'), ...texts);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').map((l) => JSON.parse(l) as Printed);
    assert.equal(lines.length, texts.length);
    lines.forEach((p, i) => {
      assert.equal(p.text, texts[i]);
      assert.deepEqual(Object.keys(p.predictions), ['intent', 'slots', 'sentiment']);
      const intent = p.predictions.intent as { label: string; score: number };
      assert.equal(typeof intent.label, 'string');
      assert.ok(intent.score > 0 && intent.score <= 1);
      assert.ok(['0', '1'].includes((p.predictions.sentiment as { label: string }).label));
      const slots = p.predictions.slots as {
        tags: string[];
        words: string[];
        spans: { entity_group: string; score: number; word: string; start: number; end: number }[];
      };
      assert.equal(slots.tags.length, slots.words.length);
      for (const s of slots.spans) {
        assert.equal(p.text.slice(s.start, s.end), s.word, 'the offsets slice the input to the span');
        assert.ok(s.entity_group.length > 0 && s.score > 0 && s.score <= 1);
      }
    });
    const words = (lines[0]!.predictions.slots as { words: string[] }).words;
    assert.deepEqual(words.slice(-2), ['spotify', '.'], 'end punctuation is a word of its own');
    assert.equal((lines[0]!.predictions.slots as { tags: string[] }).tags.at(-1), 'O', 'and never part of an entity');
  });

  it('reads --input JSON lines (strings or {"text": …}) and names file:line of a bad line', async () => {
    const file = path.join(run.dir, 'inputs.jsonl');
    writeFileSync(file, `"play jazz"\n{"text": "book a table for two"}\n`);
    const r = await cli('predict', out('best'), '--input', file);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').map((l) => (JSON.parse(l) as Printed).text),
      ['play jazz', 'book a table for two'],
    );
    writeFileSync(file, `"play jazz"\n{"txt": "oops"}\n`);
    const bad = await cli('predict', out('best'), '--input', file);
    assert.equal(bad.code, 1);
    assert.ok(bad.stderr.includes(`${file}:2: no "text" (nor "words" or "messages") in the object; its keys: "txt"`), bad.stderr);
    assert.match(bad.stderr, /expected JSON Lines of inputs to predict, one per line: a JSON string .* or an object \{"text": "…"\}/);
    assert.ok(!/skip_bad_lines|onBadLine/.test(bad.stderr), `no hint of training-data settings: ${bad.stderr}`);
  });

  it('--top-k N lists the N most probable labels with their scores; --input - reads standard input', async () => {
    const r = await cli('predict', out('best'), '--top-k', '3', 'play jazz');
    assert.equal(r.code, 0, r.stderr);
    const intent = (JSON.parse(r.stdout) as Printed).predictions.intent as {
      label: string;
      score: number;
      top_k: { label: string; score: number }[];
    };
    assert.equal(intent.top_k.length, 3);
    assert.deepEqual(intent.top_k[0], { label: intent.label, score: intent.score }, 'the first is the prediction');
    for (let i = 1; i < 3; i++) assert.ok(intent.top_k[i]!.score <= intent.top_k[i - 1]!.score, 'most probable first');
    const sum = intent.top_k.reduce((a, t) => a + t.score, 0);
    assert.ok(sum <= 1 + 1e-6, `softmax probabilities of distinct labels sum to at most 1, got ${sum}`);
    const bad = await cli('predict', out('best'), '--top-k', '0', 'play jazz');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--top-k must be an integer ≥ 1, got '0'/);

    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mtl.js'), 'predict', out('best'), '--input', '-'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.stdin.end('"play jazz"\n{"text": "book a table for two"}\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Printed).text),
      ['play jazz', 'book a table for two'],
    );
  });

  it('--input of plain text lines: the first bad line, how many there are, and the hint for predict', async () => {
    const file = path.join(run.dir, 'plain.txt');
    writeFileSync(file, 'play jazz\n"fine"\nbook a table\n');
    const r = await cli('predict', out('best'), '--input', file);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`${file}:1: not valid JSON`), r.stderr);
    assert.match(r.stderr, /\(2 bad lines: 1, 3\)/);
    assert.match(r.stderr, /or give the texts on the command line instead of --input/);
    assert.ok(!r.stderr.includes('skip_bad_lines'), r.stderr);
  });

  it('needs texts', async () => {
    assert.match((await cli('predict', out('best'))).stderr, /no texts/);
  });
});

describe('mtl train: interruption', data, () => {
  it('SIGINT saves a loadable last/ checkpoint and exits with 130; --resume continues it', async () => {
    const config = path.join(run.dir, 'long.yaml');
    writeFileSync(config, tinyYaml('sigint', { training: '  max_steps: 100000\n  batch_size: 8\n  eval_every: 100000\n  log_every: 2' }));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'mtl.js'), 'train', config], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && /step 4\/100000/.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stdout);
    assert.match(stdout, /SIGINT: stopped at step \d+; saved .*last \(continue with --resume\)/);
    using ckpt = loadCheckpoint(path.join(run.dir, 'sigint', 'last'));
    const step = ckpt.trainerState?.step ?? 0;
    assert.ok(step >= 4);
    const resumed = await cli('train', config, '--resume', '--max-steps', String(step + 2));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`resumed from .* at step ${step} of ${step + 2}`));
  });
});
