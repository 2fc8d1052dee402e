// The trainer process: forked by the extension host (or a test) with an IPC channel, it runs
// experiments and inspects models so TensorFlow.js never loads in the host. It speaks the
// versioned protocol of src/shared/trainerProtocol.ts: `ready` first, then one answer per request.
import { handleRequest, type Send } from './handlers';
import { isTrainerRequest, TRAINER_PROTOCOL_VERSION, type TrainerMessage } from '../shared/trainerProtocol';

if (!process.send) {
  console.error('transfer-lab trainer: start me with an IPC channel (child_process.fork); use the CLI to run experiments from a shell');
  process.exit(2);
}

const send: Send = (msg: TrainerMessage) => {
  if (process.connected) process.send!(msg);
};

const state = { controllers: new Set<AbortController>() };

process.on('message', (raw: unknown) => {
  if (!isTrainerRequest(raw)) {
    send({ type: 'log', level: 'warn', message: `ignored an invalid request: ${JSON.stringify(raw)?.slice(0, 200)}` });
    return;
  }
  void handleRequest(raw, send, state);
});

// The host went away (closed window, crashed host): nothing would read the results, so stop.
process.on('disconnect', () => {
  for (const c of state.controllers) c.abort();
  setTimeout(() => process.exit(0), 5_000).unref();
});

process.on('uncaughtException', (err) => {
  send({ type: 'log', level: 'error', message: `trainer crashed: ${err.stack ?? err.message}` });
  process.exit(70);
});
process.on('unhandledRejection', (err) => {
  send({ type: 'log', level: 'error', message: `trainer crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
  process.exit(70);
});

send({ type: 'ready', protocol: TRAINER_PROTOCOL_VERSION, pid: process.pid });
