import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as data from '../../src/data/index.js';
import { dataset, needs } from './helpers.js';

test('src/data/index.ts re-exports every reader and helper', () => {
  const names = [
    'readJointFolder',
    'splitIntents',
    'readConll',
    'readDelimited',
    'readDelimitedText',
    'readDelimitedTextPairs',
    'readJsonl',
    'readJsonlText',
    'mapJsonl',
    'readCluener',
    'spansToBio',
    'readTextFile',
    'splitLines',
    'splitWhitespace',
    'BadLines',
    'describeSkipped',
    'formatPosition',
  ];
  for (const name of names) assert.equal(typeof (data as Record<string, unknown>)[name], 'function', name);
});

test('the @example lines of the readers hold', needs('snips', 'wnut17', 'banking77', 'sst2', 'cluener'), () => {
  assert.equal(data.readJointFolder(dataset('snips', 'train')).examples[0]!.intent, 'PlayMusic');
  assert.equal(data.readConll(dataset('wnut17', 'wnut17train.conll')).examples[0]!.tokens[0], '@paulwalk');
  assert.deepEqual(data.readDelimited(dataset('banking77', 'train.csv')).columns, ['text', 'category']);
  assert.equal(data.readDelimitedText(dataset('sst2', 'train.tsv'), { text: 'sentence', label: 'label' }).examples[0]!.label, '0');
  assert.deepEqual(data.readCluener(dataset('cluener', 'dev.json')).examples[0]!.tags.slice(0, 3), ['B-name', 'I-name', 'I-name']);
  assert.deepEqual(data.spansToBio(4, [{ type: 'name', start: 0, end: 2 }]).tags, ['B-name', 'I-name', 'O', 'O']);
  assert.equal(data.formatPosition({ file: 'a.tsv', line: 3 }), 'a.tsv:3');
});
