/**
 * Writes schema/training-config.schema.json, the JSON Schema of a training config
 * (src/io/config/json-schema.ts), and docs/configuration.md, the reference written from it
 * (./config-reference.ts).
 * Usage: npm run schema   (tests/io/config-json-schema.test.ts fails when a committed file differs)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainingConfigJsonSchema } from '../src/io/config/json-schema.js';
import { configReferenceMarkdown } from './config-reference.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = trainingConfigJsonSchema();
for (const [file, text] of [
  [path.join(root, 'schema', 'training-config.schema.json'), `${JSON.stringify(schema, null, 2)}\n`],
  [path.join(root, 'docs', 'configuration.md'), configReferenceMarkdown(schema)],
] as const) {
  writeFileSync(file, text);
  console.log(`written: ${file}`);
}
