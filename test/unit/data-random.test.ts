import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/util/random';

test('same seed and salt give the same stream; another seed or salt a different one', () => {
  const draw = (seed: number, salt?: string) => {
    const r = createRng(seed, salt);
    return Array.from({ length: 8 }, () => r.next());
  };
  assert.deepEqual(draw(42, 'split'), draw(42, 'split'));
  assert.notDeepEqual(draw(42, 'split'), draw(43, 'split'));
  assert.notDeepEqual(draw(42, 'split'), draw(42, 'shuffle'));
  for (const v of draw(7)) assert.ok(v >= 0 && v < 1, `${v} outside [0, 1)`);
});

test('int(n) is uniform over [0, n)', () => {
  const r = createRng(1, 'int');
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[r.int(6)]!++;
  // Expected 10000 each; 4 sigma is about 365.
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts}`);
  assert.throws(() => r.int(0), /positive integer/);
});

test('shuffle permutes in place, deterministically, for arrays and typed arrays', () => {
  const a = Array.from({ length: 50 }, (_, i) => i);
  const b = [...a];
  const out = createRng(5, 's').shuffle(a);
  assert.equal(out, a);
  assert.deepEqual([...a].sort((x, y) => x - y), b);
  assert.notDeepEqual(a, b);
  const t = createRng(5, 's').shuffle(Int32Array.from(b));
  assert.deepEqual(Array.from(t), a);
});
