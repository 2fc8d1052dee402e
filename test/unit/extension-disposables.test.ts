import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisposableStore } from '../../src/extension/disposables';

test('a store disposes in reverse order, survives a throwing item, and disposes late additions at once', () => {
  const order: string[] = [];
  const s = new DisposableStore();
  s.add({ dispose: () => order.push('a') });
  s.add({
    dispose: () => {
      order.push('b');
      throw new Error('boom');
    },
  });
  s.add({ dispose: () => order.push('c') });
  s.dispose();
  assert.deepEqual(order, ['c', 'b', 'a']);
  s.dispose();
  assert.deepEqual(order, ['c', 'b', 'a'], 'disposing twice does nothing more');
  s.add({ dispose: () => order.push('late') });
  assert.deepEqual(order, ['c', 'b', 'a', 'late']);
});
