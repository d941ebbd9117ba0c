/**
 * Prints, as JSON, the logits multitask-lm computes for a decoder fixture case of
 * tests/fixtures/decoders.json (scripts/fixtures/decoders.py): on the real tokens of its right- and
 * left-padded batches, the same numbers tests/models/llama.test.ts compares with the reference, with
 * the libtorch version that computed them. scripts/decoder_rounding.py compares them with a float64
 * run of the reference model.
 *
 * Usage: node --import tsx scripts/decoder-logits.ts [TYPE] > FILE.json   (TYPE: gpt2, llama, qwen2, mistral; default mistral)
 * Output: {"libtorch", "type", "right": rows × (n, V), "left": rows × (n, V)}, n the row's real tokens.
 */
import { lmHeadOf } from '../src/models/causal-lm.js';
import { libtorchVersion, noGrad, tidy } from '../src/tensor/index.js';
import { decoderCases, paddedRowLogits, referenceDecoder, type DecoderCase } from '../tests/models/decoder-fixture.js';

const type = process.argv[2] ?? 'mistral';
const c = decoderCases[type] as DecoderCase | undefined;
if (c === undefined) throw new Error(`no decoder case '${type}' in tests/fixtures/decoders.json (${Object.keys(decoderCases).join(', ')})`);
const { model } = referenceDecoder(type);
try {
  const rows = noGrad(() =>
    tidy(() => {
      const { right, left } = paddedRowLogits(c, model, lmHeadOf(model));
      return { right: right.map((t) => t.toArray()), left: left.map((t) => t.toArray()) };
    }),
  );
  process.stdout.write(JSON.stringify({ libtorch: libtorchVersion(), type, ...rows }) + '\n');
} finally {
  model.dispose();
}
