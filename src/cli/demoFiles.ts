// The demo's two experiment files (bundled from examples/, so the installed command needs no
// checkout) and the folder the demo works in.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import sourceExperiment from '../../examples/mnist-transfer/mnist-source.experiment.json';
import targetExperiment from '../../examples/mnist-transfer/mnist-transfer.experiment.json';

export const DEMO_FILES = {
  source: { file: 'mnist-source.experiment.json', content: sourceExperiment },
  target: { file: 'mnist-transfer.experiment.json', content: targetExperiment },
} as const;

/**
 * Inside this project's checkout the demo runs the committed examples in place (runs/ is
 * git-ignored); anywhere else it works in a fresh ./transfer-lab-demo folder.
 */
export function demoDir(cwd: string, dir?: string): string {
  if (dir) return path.resolve(cwd, dir);
  const inRepo = path.join(cwd, 'examples', 'mnist-transfer');
  if (existsSync(path.join(inRepo, DEMO_FILES.source.file)) && existsSync(path.join(inRepo, DEMO_FILES.target.file))) return inRepo;
  return path.join(cwd, 'transfer-lab-demo');
}

