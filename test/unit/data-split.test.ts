import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitClass, splitCounts, chooseAtMost } from '../../src/core/data/split';

test('split counts: rounding, at least one per non-zero split, train keeps one', () => {
  assert.deepEqual(splitCounts(200, { validation: 0.15, test: 0.15 }), { train: 140, validation: 30, test: 30 });
  assert.deepEqual(splitCounts(3, { validation: 0.05, test: 0.05 }), { train: 1, validation: 1, test: 1 });
  assert.deepEqual(splitCounts(10, { validation: 0, test: 0.2 }), { train: 8, validation: 0, test: 2 });
  assert.deepEqual(splitCounts(2, { validation: 0.15, test: 0.15 }), { train: 2, validation: 0, test: 0 });
  assert.deepEqual(splitCounts(4, { validation: 0.5, test: 0.5 }), { train: 1, validation: 2, test: 1 });
  assert.throws(() => splitCounts(10, { validation: 1.5, test: 0 }), /split.validation/);
});

test('splitClass is a function of the seed and the names, not their order', () => {
  const names = Array.from({ length: 40 }, (_, i) => `img${String(i).padStart(2, '0')}.png`);
  const a = splitClass(names, { validation: 0.25, test: 0.25 }, 42, 'rock');
  const b = splitClass([...names].reverse(), { validation: 0.25, test: 0.25 }, 42, 'rock');
  assert.deepEqual(a, b);
  assert.deepEqual([a.train.length, a.validation.length, a.test.length], [20, 10, 10]);
  assert.deepEqual([...a.train, ...a.validation, ...a.test].sort(), names);
  assert.notDeepEqual(splitClass(names, { validation: 0.25, test: 0.25 }, 43, 'rock').validation, a.validation);
  assert.notDeepEqual(splitClass(names, { validation: 0.25, test: 0.25 }, 42, 'paper').validation, a.validation);
  assert.throws(() => splitClass(['a', 'a', 'b'], { validation: 0.3, test: 0 }, 1, 'x'), /duplicate item "a"/);
});

test('chooseAtMost picks a seeded subset independent of order', () => {
  const names = Array.from({ length: 30 }, (_, i) => `f${i}`);
  const a = chooseAtMost(names, 5, 9, 'c');
  assert.equal(a.length, 5);
  assert.deepEqual(chooseAtMost([...names].reverse(), 5, 9, 'c'), a);
  assert.notDeepEqual(chooseAtMost(names, 5, 10, 'c'), a);
  assert.deepEqual(chooseAtMost(names, undefined, 9, 'c'), [...names].sort());
});
