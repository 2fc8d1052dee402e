// A small static file server on 127.0.0.1 for tests that download models: serves a folder
// (by default ../shared/assets/models), records every request, and can answer chosen paths
// with an HTTP error to simulate a broken host.
import * as http from 'node:http';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

export const repoRoot = path.resolve(__dirname, '../..');
export const sharedModelsDir = path.resolve(repoRoot, '../shared/assets/models');

export interface ModelServer {
  /** e.g. http://127.0.0.1:40123 (no trailing slash); a catalog id maps to `${baseUrl}/<id>/model.json`. */
  baseUrl: string;
  /** Paths requested so far, e.g. "/mobilenet_v1_0.25_224/model.json". */
  requests: string[];
  /** Answers these URL paths with `status` from now on. */
  fail(urlPath: string, status?: number): void;
  close(): Promise<void>;
}

export async function startModelServer(root = sharedModelsDir): Promise<ModelServer> {
  const failures = new Map<string, number>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      requests.push(urlPath);
      const status = failures.get(urlPath);
      if (status) {
        res.writeHead(status).end();
        return;
      }
      const file = path.resolve(root, '.' + urlPath);
      if (!file.startsWith(root + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const data = await fs.readFile(file);
        res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'content-length': data.byteLength });
        res.end(data);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    fail: (urlPath, status = 404) => void failures.set(urlPath, status),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
