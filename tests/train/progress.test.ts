import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ProgressReporter, type ProgressInfo } from '../../src/train/progress.js';

const info: ProgressInfo = {
  step: 10,
  totalSteps: 10,
  epoch: 1,
  lr: 1e-3,
  elapsedSeconds: 3,
  etaSeconds: 0,
  loss: 0.5,
  taskLosses: {},
  examplesPerSecond: 100,
  tokensPerSecond: 1000,
};

/** A terminal-like stream that keeps what is written to it. */
function terminal(): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 160 });
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

describe('ProgressReporter with a bar', () => {
  it('a line logged just before stop() reaches the terminal (the final dev line of a run whose last evaluation is at its end)', () => {
    const { stream, text } = terminal();
    const reporter = new ProgressReporter({ bar: true, logger: { info: () => assert.fail('lines go above the bar') }, stream });
    reporter.update(info, true);
    reporter.info('dev @ step 10: intent accuracy 91.00');
    reporter.stop();
    assert.match(text(), /dev @ step 10: intent accuracy 91\.00/);
  });

  it('without a bar, lines and progress lines go to the logger', () => {
    const lines: string[] = [];
    const reporter = new ProgressReporter({ bar: false, logger: { info: (l) => lines.push(l) } });
    reporter.update(info, true);
    reporter.info('hello');
    reporter.stop();
    assert.equal(lines.length, 2);
    assert.equal(lines[1], 'hello');
  });
});
