// A run that is stopped keeps a valid partial run; bad input fails with a message naming the
// file and the problem; unreadable images are skipped and counted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runExperiment, RunStoppedError } from '../../src/core/run/runExperiment';
import { listRuns, readRunEvents } from '../../src/core/run/store';
import { ExperimentFileError } from '../../src/core/experiment/load';
import { UnknownLayerError } from '../../src/shared/freezePlan';
import type { RunEvent } from '../../src/shared/events';
import { rpsExperiment, smallRps as smallRpsIn, tempWorkspace } from '../helpers/experiments';

const ws = tempWorkspace();
after(() => ws.dispose());

const smallRps = (perClass: number) => smallRpsIn(ws.dir, perClass);

test('stop mid-run keeps a valid partial run', async () => {
  const file = ws.write('stop', rpsExperiment({ name: 'stop', data: smallRps(40), epochs: 5 }));
  const ctl = new AbortController();
  const events: RunEvent[] = [];
  const summary = await runExperiment(file, {
    signal: ctl.signal,
    onEvent: (e) => {
      events.push(e);
      if (e.kind === 'batch' && e.epoch === 2 && e.batch === 1) ctl.abort();
    },
  });
  assert.equal(summary.status, 'stopped');
  assert.equal(summary.transfer.epochsRun, 1);
  assert.ok(summary.transfer.final && Number.isFinite(summary.transfer.final.val_accuracy));
  const runs = await listRuns(path.join(ws.dir, 'runs'), 'stop');
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.summary?.status, 'stopped');
  const recorded = await readRunEvents(runs[0]!.runDir);
  assert.equal(recorded.filter((e) => e.kind === 'epoch').length, 1);
  assert.ok(readdirSync(path.join(runs[0]!.runDir, 'model')).includes('model.json'));
  assert.equal(events.at(-1)?.kind, 'run-end');
  assert.equal(events.filter((e) => e.kind === 'batch' && e.epoch === 2).length, 1, 'stops after the current batch');
});

test('corrupt images are skipped, counted and named', async () => {
  const data = smallRps(12);
  writeFileSync(path.join(data, 'rock', 'broken.png'), Buffer.from('not a png at all'));
  const file = ws.write('corrupt', rpsExperiment({ name: 'corrupt', data, epochs: 1 }));
  const warnings: string[] = [];
  const summary = await runExperiment(file, { onEvent: (e) => e.kind === 'warning' && warnings.push(e.message) });
  assert.equal(summary.status, 'completed', summary.error);
  assert.equal(summary.skippedImages.length, 1);
  assert.match(summary.skippedImages[0]!, /broken\.png$/);
  assert.equal(summary.counts.train + summary.counts.validation + summary.counts.test, 36);
  assert.ok(warnings.some((w) => /skipped 1 unreadable image.*broken\.png/.test(w)), warnings.join('\n'));
});

test('a missing dataset folder fails naming the folder', async () => {
  const file = ws.write('nodata', rpsExperiment({ name: 'nodata', data: 'no/such/folder' }));
  await assert.rejects(runExperiment(file), (err: Error) => err.message.includes(path.join(ws.dir, 'no/such/folder')));
});

test('an unknown cut layer fails with close names suggested, before any run folder exists', async () => {
  const e = rpsExperiment({ name: 'badcut', data: smallRps(12), imageSize: [64, 64] });
  e.model.cutAt = 'conv_pw_13_rel';
  const file = ws.write('badcut', e);
  await assert.rejects(runExperiment(file), (err: Error) => err instanceof UnknownLayerError && /model\.cutAt.*conv_pw_13_rel.*did you mean "conv_pw_13_relu"/.test(err.message));
  assert.deepEqual(await listRuns(path.join(ws.dir, 'runs'), 'badcut'), []);
});

test('a broken experiment file fails naming the file, line and path', async () => {
  const file = path.join(ws.dir, 'broken.experiment.json');
  writeFileSync(file, JSON.stringify({ ...rpsExperiment({ name: 'broken' }), seed: 'seven' }, null, 2));
  await assert.rejects(runExperiment(file), (err: Error) => {
    assert.ok(err instanceof ExperimentFileError);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('"seed"')) + 1;
    assert.ok(err.message.startsWith(`${file}:${line}:`), err.message);
    assert.match(err.message, /seed: /);
    return true;
  });
});

test('a stop while the data loads ends the run before any run folder exists', async () => {
  const file = ws.write('early-stop', rpsExperiment({ name: 'early-stop', data: smallRps(12) }));
  const ctl = new AbortController();
  const promise = runExperiment(file, { signal: ctl.signal, onEvent: (e) => e.kind === 'progress' && e.task === 'loading images' && ctl.abort() });
  await assert.rejects(promise, (err: Error) => err instanceof RunStoppedError && /stopped before training started/.test(err.message));
  assert.deepEqual(await listRuns(path.join(ws.dir, 'runs'), 'early-stop'), []);
});

test('early stopping with no validation split is reported as off', async () => {
  const e = rpsExperiment({ name: 'no-val', data: smallRps(12), epochs: 1 });
  const spec = { ...e, data: { ...e.data, split: { validation: 0, test: 0.2 } }, training: { ...e.training, earlyStopping: { monitor: 'val_loss', patience: 1 } } };
  const warnings: string[] = [];
  const s = await runExperiment(ws.write('no-val', spec), { onEvent: (ev) => ev.kind === 'warning' && warnings.push(ev.message) });
  assert.equal(s.status, 'completed', s.error);
  assert.equal(s.counts.validation, 0);
  assert.ok(warnings.some((w) => /early stopping is off/.test(w)), warnings.join('\n'));
});
