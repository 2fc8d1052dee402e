import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendReport, inspectionReport } from '../../src/extension/commands/reports';
import type { ModelInspection } from '../../src/shared/model';

test('the layer report is an aligned table with the model totals', () => {
  const i: ModelInspection = {
    ref: 'mobilenet_v1_0.25_224', source: '/cache/m/model.json', inputShape: [null, 224, 224, 3], outputShape: [null, 1000], totalParams: 475544,
    layers: [
      { name: 'input_1', className: 'InputLayer', outputShape: [null, 224, 224, 3], params: 0, nonTrainableParams: 0, isBatchNorm: false, inbound: [] },
      { name: 'conv1', className: 'Conv2D', outputShape: [null, 112, 112, 8], params: 216, nonTrainableParams: 0, isBatchNorm: false, inbound: ['input_1'] },
    ],
  };
  assert.equal(
    inspectionReport(i),
    [
      'Model: mobilenet_v1_0.25_224',
      'Source: /cache/m/model.json',
      'Input: [?,224,224,3]   Output: [?,1000]',
      'Layers: 2   Params: 475,544',
      '',
      '#  layer    type        output shape   params',
      '-  -------  ----------  -------------  ------',
      '1  input_1  InputLayer  [?,224,224,3]       0',
      '2  conv1    Conv2D      [?,112,112,8]     216',
      '',
    ].join('\n'),
  );
});

test('the backend report names the choice, each candidate, and how to enable the missing ones', () => {
  const text = backendReport({
    chosen: 'wasm',
    candidates: [
      { name: 'tensorflow', available: false, reason: 'not installed' },
      { name: 'wasm', available: true, reason: 'WebAssembly, SIMD, 1 thread' },
      { name: 'cpu', available: true, reason: 'plain JavaScript' },
    ],
  });
  assert.match(text, /^Transfer Lab runs would use: wasm\n/);
  assert.match(text, /\[unavailable\] tensorflow: not installed/);
  assert.match(text, /\[available\] {3}wasm: WebAssembly, SIMD, 1 thread/);
  assert.match(text, /tensorflow: run `npm install @tensorflow\/tfjs-node-gpu@4\.22\.0`/);
  assert.doesNotMatch(text, /\n {2}wasm: WebAssembly ships/, 'no hint for available backends');
});
