// Sample events and summaries for the CLI's formatting tests.
import type { RunEvent, RunSummary } from '../../src/shared/events';

type EpochEvent = Extract<RunEvent, { kind: 'epoch' }>;

export const epoch = (over: Partial<EpochEvent> = {}): EpochEvent => ({
  kind: 'epoch',
  model: 'transfer',
  phase: 0,
  epoch: 3,
  epochs: 10,
  step: 30,
  learningRate: 0.001,
  imagesPerSecond: 1234.4,
  seconds: 2.345,
  etaSeconds: 75,
  loss: 0.123456,
  accuracy: 0.96,
  val_loss: 0.2,
  val_accuracy: 0.9412,
  ...over,
});

export function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    schemaVersion: 1,
    runId: '20250101-120000-000',
    experiment: 'mnist-transfer',
    status: 'completed',
    backend: 'wasm',
    startedAt: '2025-01-01T12:00:00.000Z',
    endedAt: '2025-01-01T12:01:05.000Z',
    durationSeconds: 65,
    classes: ['5', '6', '7', '8', '9'],
    counts: { train: 250, validation: 500, test: 2500 },
    skippedImages: [],
    phases: [{ name: 'head', epochsRun: 10, seconds: 20 }],
    transfer: {
      final: { loss: 0.1, accuracy: 0.99, val_loss: 0.2, val_accuracy: 0.95 },
      best: { epoch: 9, val_accuracy: 0.955, val_loss: 0.19 },
      test: { loss: 0.21, accuracy: 0.948, labels: ['5', '6', '7', '8', '9'], perClass: [], confusion: [] },
      epochsRun: 10,
      seconds: 20,
    },
    ...over,
  };
}

export const baselineResult = {
  final: { loss: 0.5, accuracy: 0.9, val_loss: 0.7, val_accuracy: 0.8 },
  best: null,
  test: { loss: 0.72, accuracy: 0.79, labels: [], perClass: [], confusion: [] },
  epochsRun: 10,
  seconds: 30,
};
