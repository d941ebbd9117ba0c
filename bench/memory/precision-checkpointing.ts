/**
 * fp32 vs bf16 autocast vs gradient checkpointing: time and peak memory of a training step
 * (forward, backward, AdamW update) of a BERT encoder on random token ids. Each setting runs in a
 * fresh process (so its peak resident memory is its own), one intra-op thread, settings alternating
 * over the repeats; reported: the median step time and the median peak resident memory above the
 * process's resident memory once the model and optimizer are built (what the step adds: activations
 * kept for backward, gradients, optimizer state, allocator slack).
 *
 * Usage: node --import tsx bench/memory/precision-checkpointing.ts [--layers 8] [--hidden 256]
 *          [--batch 16] [--tokens 256] [--steps 4] [--repeats 3]
 * (`--worker SETTING …` is the child process.)
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BertModel, bertConfig } from '../../src/models/bert/index.js';
import { AdamW } from '../../src/optim/adamw.js';
import { autocast, manualSeed, randint, setNumThreads, tidy } from '../../src/tensor/index.js';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '8' },
    hidden: { type: 'string', default: '256' },
    batch: { type: 'string', default: '16' },
    tokens: { type: 'string', default: '256' },
    steps: { type: 'string', default: '4' },
    repeats: { type: 'string', default: '3' },
    worker: { type: 'string' },
  },
});
const SETTINGS = ['fp32', 'bf16', 'fp32+checkpointing', 'bf16+checkpointing'] as const;
type Setting = (typeof SETTINGS)[number];
const num = (k: keyof typeof values): number => Number(values[k]);

/** One process: builds the model, takes `steps` steps (the first a warm-up), prints JSON. */
function worker(setting: Setting): void {
  setNumThreads(1);
  manualSeed(0);
  const H = num('hidden');
  const model = new BertModel(
    bertConfig({
      vocabSize: 8000,
      hiddenSize: H,
      numHiddenLayers: num('layers'),
      numAttentionHeads: H / 64,
      intermediateSize: 4 * H,
      maxPositionEmbeddings: 512,
    }),
  );
  model.setGradientCheckpointing(setting.endsWith('checkpointing'));
  const optimizer = new AdamW(model.parameters(), { lr: 1e-4 });
  const baseline = process.memoryUsage().rss;
  const seconds: number[] = [];
  for (let s = 0; s < num('steps'); s++) {
    const started = performance.now();
    tidy(() => {
      const inputIds = randint(0, 8000, [num('batch'), num('tokens')]);
      const forward = () => model.forward({ inputIds }).lastHiddenState.pow(2).mean();
      const loss = setting.startsWith('bf16') ? autocast('bfloat16', forward) : forward();
      loss.backward();
    });
    optimizer.step();
    optimizer.zeroGrad();
    if (s > 0) seconds.push((performance.now() - started) / 1000);
  }
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ setting, seconds, peakAboveBuiltBytes: peak - baseline, peakBytes: peak }));
  model.dispose();
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (values.worker !== undefined) {
  worker(values.worker as Setting);
} else {
  const results = new Map<Setting, { seconds: number[]; peaks: number[] }>(SETTINGS.map((s) => [s, { seconds: [], peaks: [] }]));
  const args = ['layers', 'hidden', 'batch', 'tokens', 'steps'].flatMap((k) => [`--${k}`, String(values[k as keyof typeof values])]);
  for (let r = 0; r < num('repeats'); r++) {
    for (const setting of SETTINGS) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', process.argv[1]!, '--worker', setting, ...args], {
        env: { ...process.env, OMP_NUM_THREADS: '1' },
        encoding: 'utf8',
      });
      const got = JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number[]; peakAboveBuiltBytes: number };
      results.get(setting)!.seconds.push(median(got.seconds));
      results.get(setting)!.peaks.push(got.peakAboveBuiltBytes);
    }
  }
  const fp32 = results.get('fp32')!;
  console.log(
    `BERT ${values.layers} × ${values.hidden}, batch ${values.batch} × ${values.tokens} tokens, ${values.steps} steps (first a warm-up), ${values.repeats} processes per setting, 1 thread`,
  );
  console.log('| setting | s/step | tokens/s | peak memory above the built model (MiB) | vs fp32: time | vs fp32: memory |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [setting, r] of results) {
    const s = median(r.seconds);
    const m = median(r.peaks);
    const tokens = num('batch') * num('tokens');
    console.log(
      `| ${setting} | ${s.toFixed(3)} | ${(tokens / s).toFixed(0)} | ${(m / 2 ** 20).toFixed(0)} | ${(s / median(fp32.seconds)).toFixed(2)}× | ${(m / median(fp32.peaks)).toFixed(2)}× |`,
    );
  }
}
