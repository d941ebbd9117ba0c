import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShapeError } from '../../src/errors.js';
import { jointScores, semanticFrameAccuracy, type JointFrame } from '../../src/metrics/index.js';

const frame = (intent: JointFrame['intent'], slots: string): JointFrame => ({ intent, slots: slots.split(' ') });

describe('semantic frame (sentence) accuracy', () => {
  const gold = [
    frame('PlayMusic', 'O B-artist I-artist'),
    frame('GetWeather', 'O O B-city'),
    frame(['atis_airfare', 'atis_flight'], 'O B-fromloc'),
    frame('BookRestaurant', 'B-party O'),
  ];
  const pred = [
    frame('PlayMusic', 'O B-artist I-artist'), // right
    frame('GetWeather', 'O O O'), // intent right, one slot tag wrong → wrong frame
    frame(['atis_flight', 'atis_airfare'], 'O B-fromloc'), // intent set equal (order-free) → right
    frame('PlayMusic', 'B-party O'), // slots right, intent wrong → wrong frame
  ];

  it('an utterance is right only when the intent and every slot tag are', () => {
    assert.equal(semanticFrameAccuracy(gold, pred), 2 / 4);
  });

  it('jointScores: intent accuracy 3/4, slot F1 over chunks, sentence accuracy 2/4', () => {
    // gold chunks: artist, city, fromloc, party (4); predicted: artist, fromloc, party (3), all right.
    const s = jointScores(gold, pred);
    assert.equal(s.intentAccuracy, 3 / 4);
    assert.deepEqual(s.slots, { precision: 1, recall: 3 / 4, f1: 6 / 7, predicted: 3, gold: 4, correct: 3 });
    assert.equal(s.sentenceAccuracy, 2 / 4);
  });

  it('slot tags compare as tags: I-x for B-x is wrong (repairBio first to compare chunks)', () => {
    assert.equal(semanticFrameAccuracy([frame('a', 'O B-x')], [frame('a', 'O I-x')]), 0);
  });

  it('mismatched lengths throw', () => {
    assert.throws(() => semanticFrameAccuracy(gold, pred.slice(1)), ShapeError);
    assert.throws(() => semanticFrameAccuracy([frame('a', 'O O')], [frame('a', 'O')]), /utterance 0/);
  });
});
