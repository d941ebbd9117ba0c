// Run from the repository root: TREE=$PWD node --import tsx bench/issue13/llama-lm-head-parity.mts (the untied llama and tied qwen2 fixtures through modelFromPretrained + a causal-lm head, max |logits − PyTorch reference|)
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
const R = process.env.TREE!;
const { modelFromPretrained } = await import(`${R}/src/run/load-model.ts`);
const { CAUSAL_LM_LABELS } = await import(`${R}/src/tasks/causal-lm.ts`);
const { taskSpec } = await import(`${R}/src/tasks/index.ts`);
const { writeHfFolder } = await import(`${R}/tests/helpers/hf-folder.ts`);
const { decoderCases, paddedLogitsDiff } = await import(`${R}/tests/models/decoder-fixture.ts`);
const spec = taskSpec({ name: 'lm', kind: 'causal-lm', labels: [...CAUSAL_LM_LABELS] });
for (const family of ['llama', 'qwen2']) {
  const folder = writeHfFolder(path.join(mkdtempSync(path.join(tmpdir(), 'avg16-')), family), family, 'tokenizer.json');
  const model = modelFromPretrained(folder, [spec]).eval();
  const d = paddedLogitsDiff(decoderCases[family], model.backbone, (h: unknown) => model.heads.get('lm').forward({ lastHiddenState: h }));
  console.log(`${R} ${family}: max |logits - reference| = ${d}`);
  model.dispose();
}
