// The contracts between the extension's features, so each folder (runs, explorer, codelens,
// panel) depends on an interface rather than on another feature's implementation.
import type * as vscode from 'vscode';
import type { RunEvent, RunSummary } from '../shared/events';
import type { ModelInspection } from '../shared/model';
import type { BackendReport } from '../shared/trainerProtocol';

export interface RunEventPayload {
  /** Absolute path of the experiment file the run belongs to. */
  experimentFile: string;
  runDir?: string;
  event: RunEvent;
}

/** Starts and stops runs in trainer processes and tells who listens what happens. */
export interface RunService {
  readonly onDidRunEvent: vscode.Event<RunEventPayload>;
  /** Fires when a run starts or ends (for views that show running state). */
  readonly onDidChangeRunning: vscode.Event<string>;
  isRunning(experimentFile: string): boolean;
  /** Experiment files with a run in progress. */
  activeFiles(): string[];
  /** Starts a run; resolves with the summary when it ends (completed, stopped or failed). */
  start(experimentFile: string): Promise<RunSummary | undefined>;
  stop(experimentFile: string): Promise<void>;
  /** The latest events of the active run of a file, for a panel that opens mid-run. */
  activeEvents(experimentFile: string): readonly RunEvent[];
}

/** Model layer information, computed in a trainer process (the host never loads TensorFlow.js). */
export interface ModelInspector {
  inspect(ref: string, baseDir: string): Promise<ModelInspection>;
  backendInfo(): Promise<BackendReport>;
}
