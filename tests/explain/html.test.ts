/**
 * The explanations page (`mtl predict --explain --html FILE`) over records as `mtl predict` prints
 * them, including tasks whose explanation is an error (an encoder-decoder's classification heads, a
 * label the task lacks) or unsupported (a seq2seq task).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explanationsHtml } from '../../src/explain/html.js';

describe('explanationsHtml', () => {
  it('lists a task whose explanation failed with its message, beside unsupported ones', () => {
    // The records `mtl predict runs/bot/best "thanks a lot" --explain` printed for a t5 checkpoint with
    // intent (sequence classification) and answer (seq2seq) tasks.
    const html = explanationsHtml(
      [
        {
          text: 'thanks <a> lot',
          predictions: {
            intent: {
              label: 'thanks',
              score: 0.8,
              explanation: { error: 'explanations need an encoder or a decoder; this t5 backbone is an encoder-decoder' },
            },
            answer: { text: 'you are welcome', explanation: { unsupported: 'seq2seq predictions are not explained' } },
          },
        },
      ],
      'runs/bot/best',
    );
    assert.match(
      html,
      /<b>intent<\/b> <span class="error">explanations need an encoder or a decoder; this t5 backbone is an encoder-decoder<\/span>/,
    );
    assert.match(html, /<b>answer<\/b> <span class="unsupported">seq2seq predictions are not explained<\/span>/);
    assert.match(html, /thanks &#60;a&#62; lot/); // the text escaped
  });
});
