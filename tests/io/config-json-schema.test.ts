/**
 * The JSON Schema of a training config (src/io/config/json-schema.ts): the shipped file is the one the
 * zod schema generates, it describes what the loader accepts (the example configs use only keys it
 * names, at the level it names them; enums are the loader's lists), and `defineConfig` configs validate.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { HIDDEN_ACTS, SCHEDULES, defineConfig, trainingConfigJsonSchema } from '../../src/io/config/index.js';
import { validateTrainingConfig } from '../../src/config.js';
import { configReferenceMarkdown } from '../../scripts/config-reference.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILE = path.join(ROOT, 'schema', 'training-config.schema.json');
type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] };

/** The keys of `value` (recursively) that `schema` does not name where additionalProperties is false: a path per key. */
function unknownKeys(value: unknown, schema: Schema, at: string): string[] {
  if (schema.anyOf !== undefined) {
    const tries = schema.anyOf.map((s) => unknownKeys(value, s, at));
    return tries.find((t) => t.length === 0) ?? tries[0] ?? [];
  }
  if (Array.isArray(value) && schema.items !== undefined) return value.flatMap((v, i) => unknownKeys(v, schema.items!, `${at}[${i}]`));
  if (value === null || typeof value !== 'object' || schema.properties === undefined) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const sub = schema.properties![k];
    if (sub === undefined) return schema.additionalProperties === false ? [`${at}.${k}`] : [];
    return unknownKeys(v, sub, `${at}.${k}`);
  });
}

describe('the training config as a JSON Schema', () => {
  const schema = trainingConfigJsonSchema() as Schema;

  it('schema/training-config.schema.json is what the zod schema generates (else run: npm run schema)', () => {
    assert.deepEqual(JSON.parse(readFileSync(FILE, 'utf8')), schema, 'the shipped schema is stale: run npm run schema');
  });

  it('docs/configuration.md is the reference written from it (else run: npm run schema)', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
    assert.equal(doc, configReferenceMarkdown(schema), 'the config reference is stale: run npm run schema');
    assert.match(doc, /\| `training\.layer_lr_decay` \| number > 0 and ≤ 1 \| {2}\| Layer-wise learning-rate decay/);
    assert.match(doc, /\| `tasks\[\]\.name` \(required\) \| string \|/);
  });

  it('describes every key (a key added without .describe() fails here)', () => {
    const bare: string[] = [];
    const walk = (node: Schema, at: string): void => {
      for (const [key, sub] of Object.entries(node.properties ?? {})) {
        if (typeof sub.description !== 'string' || sub.description === '') bare.push(`${at}${key}`);
        for (const part of [sub, ...(sub.anyOf ?? []), ...((sub.oneOf as Schema[] | undefined) ?? [])]) walk(part, `${at}${key}.`);
        if (sub.items !== undefined) walk(sub.items, `${at}${key}[].`);
      }
    };
    walk(schema, '');
    assert.deepEqual(bare, []);
  });

  it('is a draft 2020-12 object schema whose top level requires what the loader requires and refuses unknown keys', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual([...(schema.required as string[])].sort(), ['output_dir', 'tasks', 'training']);
    assert.equal(schema.additionalProperties, false);
    assert.throws(() => validateTrainingConfig({ output_dir: 'x', training: {} }), /tasks/);
  });

  it('enums are the loader’s own lists', () => {
    const encoder = schema.properties!.encoder!;
    assert.deepEqual(encoder.properties!.hidden_act!.enum, [...HIDDEN_ACTS]);
    assert.deepEqual(schema.properties!.training!.properties!.schedule!.enum, [...SCHEDULES]);
  });

  for (const name of [
    'atis',
    'cluener',
    'multi30k-bart',
    'scitldr-t5',
    'semeval2010',
    'semeval2010-medium',
    'snips',
    'stsb',
    'support-bot',
    'support-bot-tiny',
    'wn18rr-free',
    'wnut17',
    'wordnet-pretrain',
    'xquad',
  ]) {
    it(`examples/${name}.yaml uses only keys the schema names`, () => {
      const config = parse(readFileSync(path.join(ROOT, 'examples', `${name}.yaml`), 'utf8')) as unknown;
      assert.deepEqual(unknownKeys(config, schema, '$'), []);
    });
  }

  it('finds a mistyped key where the loader would (the check above can fail)', () => {
    assert.deepEqual(unknownKeys({ output_dir: 'x', training: { max_step: 3 } }, schema, '$'), ['$.training.max_step']);
  });

  it('defineConfig: a config written in TypeScript validates as the same YAML does', () => {
    const config = defineConfig({
      output_dir: 'runs/ts',
      encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64 },
      tokenizer: { train: { vocab_size: 100 } },
      tasks: [
        {
          name: 'topic',
          type: 'sequence-classification',
          data: { format: 'csv', path: 'x.csv' },
          input: { text: 'text' },
          label: { field: 'category' },
        },
      ],
      training: { max_steps: 3, schedule: 'linear' },
    });
    const resolved = validateTrainingConfig(config, { checkFiles: false });
    assert.equal(resolved.training.maxSteps, 3);
    assert.equal(resolved.tasks[0]!.name, 'topic');
  });
});
