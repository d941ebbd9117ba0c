/**
 * generation_config.json's `eos_token_id` as the ids generation stops at: one id or a list, none when
 * the file or the field is absent (or null), and a CheckpointError naming the file for anything else.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import { generationEosTokenIds } from '../../src/io/hf-generation-config.js';

describe('generationEosTokenIds', () => {
  it('reads one id or a list; none without the file or the field; refuses other values naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtl-generation-config-'));
    const write = (text: string) => writeFileSync(path.join(dir, 'generation_config.json'), text);
    try {
      assert.equal(generationEosTokenIds(dir), undefined);
      write(JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128009] })); // Llama 3 Instruct's
      assert.deepEqual(generationEosTokenIds(dir), [128001, 128009]);
      write(JSON.stringify({ eos_token_id: 2 }));
      assert.deepEqual(generationEosTokenIds(dir), [2]);
      write(JSON.stringify({ eos_token_id: null }));
      assert.equal(generationEosTokenIds(dir), undefined);
      write(JSON.stringify({ max_new_tokens: 8 }));
      assert.equal(generationEosTokenIds(dir), undefined);
      for (const [text, message] of [
        [
          JSON.stringify({ eos_token_id: [2, -1] }),
          /generation_config\.json: eos_token_id must be a token id \(an integer >= 0\) or a list of them, got \[2,-1\]/,
        ],
        [JSON.stringify({ eos_token_id: '</s>' }), /eos_token_id must be a token id/],
        ['[1, 2]', /generation_config\.json: expected a JSON object/],
        ['{', /generation_config\.json: not readable JSON/],
      ] as const) {
        write(text);
        assert.throws(
          () => generationEosTokenIds(dir),
          (e: unknown) => e instanceof CheckpointError && message.test(e.message),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
