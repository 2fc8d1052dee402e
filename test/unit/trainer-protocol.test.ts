import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrainerMessage, isTrainerRequest, TRAINER_PROTOCOL_VERSION } from '../../src/shared/trainerProtocol';

test('host -> trainer requests are validated', () => {
  assert.equal(isTrainerRequest({ type: 'run', id: 1, experimentFile: '/a.experiment.json' }), true);
  assert.equal(isTrainerRequest({ type: 'run', id: 1, experimentFile: '/a', runsDir: '/r', backend: 'wasm', modelCacheDir: '/c' }), true);
  assert.equal(isTrainerRequest({ type: 'run', id: 1, experimentFile: '/a', backend: 'webgl' }), false, 'unknown backend');
  assert.equal(isTrainerRequest({ type: 'run', id: 1, experimentFile: '/a', runsDir: 3 }), false);
  assert.equal(isTrainerRequest({ type: 'run', id: '1', experimentFile: '/a' }), false);
  assert.equal(isTrainerRequest({ type: 'run', id: 1 }), false);
  assert.equal(isTrainerRequest({ type: 'inspect', id: 2, ref: 'mobilenet_v1_0.25_224', baseDir: '/ws' }), true);
  assert.equal(isTrainerRequest({ type: 'inspect', id: 2, ref: 'm', baseDir: null }), false);
  assert.equal(isTrainerRequest({ type: 'inspect', id: 2 }), false);
  assert.equal(isTrainerRequest({ type: 'backend-info', id: 3 }), true);
  assert.equal(isTrainerRequest({ type: 'backend-info' }), false);
  assert.equal(isTrainerRequest({ type: 'stop' }), true);
  assert.equal(isTrainerRequest({ type: 'exit' }), false);
  for (const bad of [null, undefined, 'run', 42, [], {}]) assert.equal(isTrainerRequest(bad), false);
});

test('trainer -> host messages are validated', () => {
  assert.equal(isTrainerMessage({ type: 'ready', protocol: TRAINER_PROTOCOL_VERSION, pid: 12 }), true);
  assert.equal(isTrainerMessage({ type: 'ready', protocol: '1', pid: 12 }), false);
  assert.equal(isTrainerMessage({ type: 'event', id: 1, event: { kind: 'batch' } }), true);
  assert.equal(isTrainerMessage({ type: 'event', id: 1, event: {} }), false);
  assert.equal(isTrainerMessage({ type: 'log', level: 'warn', message: 'x' }), true);
  assert.equal(isTrainerMessage({ type: 'log', level: 'debug', message: 'x' }), false);
  assert.equal(isTrainerMessage({ type: 'inspection', id: 1, inspection: { layers: [] } }), true);
  assert.equal(isTrainerMessage({ type: 'inspection', id: 1, inspection: {} }), false);
  assert.equal(isTrainerMessage({ type: 'backend-info', id: 1, report: { chosen: 'wasm', candidates: [] } }), true);
  assert.equal(isTrainerMessage({ type: 'backend-info', id: 1, report: {} }), false);
  assert.equal(isTrainerMessage({ type: 'done', id: 1 }), true);
  assert.equal(isTrainerMessage({ type: 'failed', id: 1, error: 'boom', runDir: '/r' }), true);
  assert.equal(isTrainerMessage({ type: 'failed', id: 1 }), false);
  assert.equal(isTrainerMessage({ type: 'hello' }), false);
  for (const bad of [null, 'ready', 1, []]) assert.equal(isTrainerMessage(bad), false);
});
