// `transfer-lab backends`: which TensorFlow.js backends load here and which a run would use.
import { probeBackends } from '../../core/backend/select';
import { formatBackendReport } from '../format';
import { EXIT, type CliIo } from '../io';

export async function backendsCommand(args: { json: boolean }, io: CliIo): Promise<number> {
  const report = await probeBackends();
  io.stdout.write((args.json ? JSON.stringify(report, null, 2) : formatBackendReport(report)) + '\n');
  return EXIT.ok;
}
