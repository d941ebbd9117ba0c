/**
 * Writes schema/training-config.schema.json, the JSON Schema of a training config (src/io/config/json-schema.ts).
 * Usage: npm run schema   (tests/io/config-json-schema.test.ts fails when the committed file differs)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainingConfigJsonSchema } from '../src/io/config/json-schema.js';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'training-config.schema.json');
writeFileSync(file, `${JSON.stringify(trainingConfigJsonSchema(), null, 2)}\n`);
console.log(`written: ${file}`);
