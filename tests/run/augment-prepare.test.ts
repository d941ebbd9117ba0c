/**
 * `data.augment` in a run (src/run/prepare.ts): the EDA copies join the training split of both tasks
 * that read the utterances (one stream), dev and test stay as they are, the log counts them, and a
 * second run reads them back from the cache in the output folder.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { prepareRun } from '../../src/run/prepare.js';
import { taskTypes } from '../../src/tasks/index.js';
import { needsTinyRunData, tinyRun, tinyYaml, type RunFolder } from '../train/trainer-fixture.js';

const data = needsTinyRunData();
let run: RunFolder;
before(() => {
  if (!data.skip) run = tinyRun();
});
after(() => {
  if (!data.skip) run.remove();
});

describe('data.augment in a run', data, () => {
  it('adds EDA copies to the training split of the stream, counts them in the log, and caches them', async () => {
    const yaml = tinyYaml('out').replace('train: snips/train,', 'train: snips/train, augment: { method: eda, copies: 2 },');
    const config = parseTrainingConfig(yaml, { taskTypes, source: path.join(run.dir, 'config.yaml') });
    const lines: string[] = [];
    const prepared = await prepareRun(config, { logger: { info: (l) => lines.push(l) } });
    const [intent, slots, sentiment] = prepared.data;
    assert.equal(intent!.augmented, slots!.augmented, 'intent and slots share one augmented split');
    assert.equal(sentiment!.augmented, undefined);
    const a = intent!.augmented!;
    assert.equal(a.original, 200);
    assert.ok(a.added > 200 && a.added <= 400, `${a.added} copies of 200 utterances at 2 each`);
    assert.equal(intent!.splits.train!.length, 200 + a.added);
    assert.equal(intent!.splits.dev!.length, 49, 'dev is not augmented');
    assert.ok(
      lines.includes(
        `data: intent: ${200 + a.added} train, 49 dev, 49 test; slots: ${200 + a.added} train, 49 dev, 49 test; sentiment: 80 train, 30 dev, 30 test`,
      ),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(`data.augment (intent, slots): EDA added ${a.added} training examples to 200, ${200 + a.added} in all (cached in `),
      ),
      lines.join('\n'),
    );
    const again = await prepareRun(config);
    assert.equal(again.data[0]!.augmented!.fromCache, true);
    assert.deepEqual(again.data[0]!.splits.train, intent!.splits.train);
  });
});
