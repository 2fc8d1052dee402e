// What a run reports while it trains, and what it leaves in summary.json. The engine emits
// these; the trainer forwards them over IPC; the extension and the panel draw them.

/** Which network an event is about: the transfer model or the from-scratch baseline. */
export type RunModel = 'transfer' | 'baseline';
export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed';

export interface PhaseInfo {
  index: number;
  name: string;
  epochs: number;
  learningRate: number;
  /** Base layers whose weights train in this phase (the head always trains). */
  trainableLayers: string[];
  trainableParams: number;
  frozenParams: number;
  /** The layer whose output is computed once and reused (feature cache), if any. */
  cacheBoundary: string | null;
}

export interface EpochMetrics {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  support: number;
}

export interface TestMetrics {
  loss: number;
  accuracy: number;
  labels: string[];
  perClass: ClassMetrics[];
  /** confusion[actual][predicted] counts. */
  confusion: number[][];
}

export type RunEvent =
  | {
      kind: 'run-start';
      runId: string;
      experiment: string;
      runDir: string;
      backend: string;
      classes: string[];
      counts: { train: number; validation: number; test: number };
      phases: PhaseInfo[];
      baseline: boolean;
    }
  | { kind: 'phase-start'; model: RunModel; phase: PhaseInfo }
  | {
      kind: 'batch';
      model: RunModel;
      phase: number;
      /** 1-based, counted over all phases. */
      epoch: number;
      batch: number;
      batches: number;
      /** Optimizer steps so far for this model, over all phases. */
      step: number;
      loss: number;
      accuracy: number;
      imagesPerSecond: number;
    }
  | ({
      kind: 'epoch';
      model: RunModel;
      phase: number;
      /** 1-based, counted over all phases. */
      epoch: number;
      /** Total epochs planned over all phases. */
      epochs: number;
      step: number;
      learningRate: number;
      imagesPerSecond: number;
      seconds: number;
      etaSeconds: number;
    } & EpochMetrics)
  | { kind: 'early-stop'; model: RunModel; phase: number; epoch: number; monitor: string; best: number }
  | { kind: 'warning'; message: string }
  | { kind: 'progress'; task: string; done: number; total: number }
  | { kind: 'evaluation'; model: RunModel; metrics: TestMetrics }
  | { kind: 'run-end'; summary: RunSummary };

export interface ModelResult {
  final: EpochMetrics | null;
  best: { epoch: number; val_accuracy: number | null; val_loss: number | null } | null;
  test: TestMetrics | null;
  epochsRun: number;
  seconds: number;
}

export interface RunSummary {
  schemaVersion: 1;
  runId: string;
  experiment: string;
  status: RunStatus;
  /** One line, for failed runs. */
  error?: string;
  backend: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number;
  classes: string[];
  counts: { train: number; validation: number; test: number };
  skippedImages: string[];
  phases: { name: string; epochsRun: number; seconds: number }[];
  transfer: ModelResult;
  baseline?: ModelResult;
  /** transfer test accuracy minus baseline test accuracy. */
  transferGain?: number;
  negativeTransfer?: boolean;
  featureCache?: { boundary: string; hits: number; misses: number } | null;
}
