/**
 * Why a head is not exported to Transformers, said so that the advice fits the family: a mean-pooled
 * intent head on T5 has no class at all (T5ForSequenceClassification reads the decoder), so the
 * message must not send the user to `pooling: cls`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hfExportOf } from '../../src/export/hf-parts.js';
import { BERT_FAMILY } from '../../src/models/bert/index.js';
import { T5_FAMILY } from '../../src/models/t5/index.js';

const intent = (pooling: 'mean' | 'cls') => ({ name: 'intent', type: 'sequence-classification', labels: ['a', 'b'], options: { pooling } });

describe('hfExportOf: refused heads', () => {
  it('a mean-pooled head on T5: what is unsupported and why, that pooling: cls would not help, and what to export instead', () => {
    assert.throws(
      () => hfExportOf(intent('mean'), T5_FAMILY.hfNames),
      (e: Error) => {
        assert.match(e.message, /^task 'intent' cannot be exported with its head: it reads the mean of the token states \(pooling: mean\)/);
        assert.match(
          e.message,
          /nor would pooling: cls help with this T5 encoder: T5ForSequenceClassification reads the decoder's state at the last EOS/,
        );
        assert.match(
          e.message,
          /No Transformers class computes this head: export the encoder alone without --task \(T5Model\); the head's weights stay in the checkpoint \(heads\.intent\.\* in model\.safetensors\)$/,
        );
        return true;
      },
    );
  });

  it('a mean-pooled head on BERT: pooling: cls is the way (BertForSequenceClassification reads the first token), so no family note', () => {
    assert.throws(
      () => hfExportOf(intent('mean'), BERT_FAMILY.hfNames),
      (e: Error) => {
        assert.equal(
          e.message,
          "task 'intent' cannot be exported with its head: it reads the mean of the token states (pooling: mean); …ForSequenceClassification reads the first token; export the encoder alone without --task",
        );
        return true;
      },
    );
    assert.equal(hfExportOf(intent('cls'), BERT_FAMILY.hfNames).head, 'SequenceClassification');
  });
});
