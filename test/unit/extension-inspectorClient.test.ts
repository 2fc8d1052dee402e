import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InspectorClient } from '../../src/extension/runs/inspectorClient';
import type { ModelInspection } from '../../src/shared/model';
import { TRAINER_PROTOCOL_VERSION } from '../../src/shared/trainerProtocol';
import { FakeTrainer, tick } from './helpers/fakeTrainer';

const inspection = (ref: string): ModelInspection => ({
  ref, source: `/m/${ref}/model.json`, inputShape: [null, 224, 224, 3], outputShape: [null, 1000], totalParams: 10,
  layers: [{ name: 'input_1', className: 'InputLayer', outputShape: [null, 224, 224, 3], params: 0, nonTrainableParams: 0, isBatchNorm: false, inbound: [] }],
});

function setup(answer: (c: FakeTrainer, req: { type: string; id?: number; ref?: string }) => void) {
  const children: FakeTrainer[] = [];
  const client = new InspectorClient({
    spawn: () => {
      const c = new FakeTrainer();
      children.push(c);
      c.onRequest = (req) => setImmediate(() => answer(c, req as never));
      setImmediate(() => c.emit({ type: 'ready', protocol: TRAINER_PROTOCOL_VERSION, pid: c.pid }));
      return c;
    },
    idleMs: 40,
    modelCacheDir: () => '/cache',
  });
  return { client, children };
}

test('inspections come from one helper process, are cached, and failures are not cached', async () => {
  let fail = true;
  const { client, children } = setup((c, req) => {
    if (req.type !== 'inspect') return;
    if (req.ref === 'bad' && fail) return c.emit({ type: 'failed', id: req.id, error: 'bad: no such model' });
    c.emit({ type: 'inspection', id: req.id, inspection: inspection(req.ref!) });
  });
  const [a, b] = await Promise.all([client.inspect('m1', '/ws'), client.inspect('m2', '/ws')]);
  assert.equal(a.ref, 'm1');
  assert.equal(b.ref, 'm2');
  assert.equal(await client.inspect('m1', '/ws'), a, 'cached');
  assert.equal(children.length, 1);
  assert.deepEqual(children[0]!.sent.map((r) => r.type === 'inspect' && [r.ref, r.baseDir, r.modelCacheDir]), [['m1', '/ws', '/cache'], ['m2', '/ws', '/cache']]);
  await assert.rejects(client.inspect('bad', '/ws'), /bad: no such model/);
  fail = false;
  assert.equal((await client.inspect('bad', '/ws')).ref, 'bad', 'retried after a failure');
  client.invalidate('m1');
  await client.inspect('m1', '/ws');
  assert.equal(children[0]!.sent.filter((r) => r.type === 'inspect' && r.ref === 'm1').length, 2);
  client.dispose();
});

test('the helper exits when idle and a later request starts a new one', async () => {
  const { client, children } = setup((c, req) => c.emit({ type: 'backend-info', id: req.id, report: { chosen: 'wasm', candidates: [] } }));
  assert.equal((await client.backendInfo()).chosen, 'wasm');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(children[0]!.signals, ['SIGTERM']);
  assert.equal(children[0]!.exited, true);
  await client.inspect('x', '/ws').catch(() => undefined);
  assert.equal(children.length, 2);
  client.dispose();
});

test('a helper crash rejects the pending requests with the reason, and the next request respawns', async () => {
  let crash = true;
  const { client, children } = setup((c, req) => {
    if (crash) return c.doExit(null, 'SIGKILL');
    c.emit({ type: 'inspection', id: req.id, inspection: inspection(req.ref!) });
  });
  await assert.rejects(client.inspect('m', '/ws'), /killed \(SIGKILL; out of memory\?\)/);
  crash = false;
  await tick();
  assert.equal((await client.inspect('m', '/ws')).ref, 'm');
  assert.equal(children.length, 2);
  client.dispose();
});

test('an idle helper that exits late does not reject the requests of the helper started after it', async () => {
  let hold: (() => void) | undefined;
  const { client, children } = setup((c, req) => {
    const reply = () => c.emit({ type: 'inspection', id: req.id, inspection: inspection(req.ref ?? 'x') });
    if (c === children[0]) return c.emit({ type: 'backend-info', id: req.id, report: { chosen: 'wasm', candidates: [] } });
    hold = reply;
  });
  await client.backendInfo();
  children[0]!.obeysSigterm = false; // still finishing something when the idle SIGTERM comes
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(children[0]!.signals, ['SIGTERM']);
  const p = client.inspect('m', '/ws');
  while (!hold) await tick();
  children[0]!.doExit(0, null); // the old helper goes only now
  hold();
  assert.equal((await p).ref, 'm');
  assert.equal(children.length, 2);
  client.dispose();
});

test('a helper that never says ready is killed and its requests fail; the next request starts a new one', async () => {
  const children: FakeTrainer[] = [];
  const client = new InspectorClient({
    spawn: () => {
      const c = new FakeTrainer();
      children.push(c);
      // The second helper starts normally and answers.
      if (children.length > 1) {
        c.onRequest = (req) => setImmediate(() => c.emit({ type: 'inspection', id: (req as { id: number }).id, inspection: inspection('m') }));
        setImmediate(() => c.emit({ type: 'ready', protocol: TRAINER_PROTOCOL_VERSION, pid: c.pid }));
      }
      return c;
    },
    readyTimeoutMs: 30,
  });
  await assert.rejects(client.inspect('m', '/ws'), /the trainer did not start within 0 s/);
  assert.deepEqual(children[0]!.signals, ['SIGKILL']);
  await tick();
  assert.equal((await client.inspect('m', '/ws')).ref, 'm');
  assert.equal(children.length, 2);
  client.dispose();
});
