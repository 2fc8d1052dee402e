import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationMetrics, confusionMatrix } from '../../src/core/train/evaluate';
import { EarlyStopping } from '../../src/core/train/earlyStopping';

test('confusion matrix counts actual x predicted', () => {
  assert.deepEqual(confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3), [
    [1, 1, 0],
    [0, 1, 0],
    [1, 0, 2],
  ]);
});

test('per-class precision and recall, accuracy', () => {
  const m = classificationMetrics(['a', 'b', 'c'], [0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 0.5);
  assert.equal(m.accuracy, 4 / 6);
  assert.deepEqual(m.perClass.map((c) => [c.label, c.precision, c.recall, c.support]), [
    ['a', 0.5, 0.5, 2],
    ['b', 0.5, 1, 1],
    ['c', 1, 2 / 3, 3],
  ]);
  assert.equal(m.loss, 0.5);
});

test('a class never predicted has precision 0, not NaN', () => {
  const m = classificationMetrics(['a', 'b'], [0, 1], [0, 0], 1);
  assert.equal(m.perClass[1]!.precision, 0);
  assert.equal(m.perClass[1]!.recall, 0);
});

test('early stopping waits `patience` epochs without improvement', () => {
  const s = new EarlyStopping('val_loss', 2);
  assert.equal(s.update(1.0), false);
  assert.equal(s.update(0.8), false);
  assert.equal(s.update(0.9), false);
  assert.equal(s.update(0.85), true);
  assert.equal(s.bestValue, 0.8);
  const acc = new EarlyStopping('val_accuracy', 1, 0.01);
  assert.equal(acc.update(0.5), false);
  assert.equal(acc.update(0.505), true, 'an improvement below minDelta does not count');
});

test('a NaN validation value counts as no improvement', () => {
  const s = new EarlyStopping('val_loss', 2);
  assert.equal(s.update(1.0), false);
  assert.equal(s.update(Number.NaN), false);
  assert.equal(s.update(Number.NaN), true);
  assert.equal(s.bestValue, 1.0);
  assert.equal(new EarlyStopping('val_loss', 1).update(undefined), false, 'no validation split: nothing to monitor');
});
