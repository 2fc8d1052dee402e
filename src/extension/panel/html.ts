// The panel's HTML shell: a strict CSP with a fresh nonce per render, and the bundled script
// from dist/webview only. All data arrives later by postMessage (never pasted into the page).
import { randomBytes } from 'node:crypto';

export interface HtmlInput {
  /** webview.cspSource */
  cspSource: string;
  /** webview.asWebviewUri(dist/webview/main.js), as a string. */
  scriptUri: string;
  title: string;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * No 'unsafe-inline' anywhere: the stylesheet is adopted from the script as a constructable
 * stylesheet (as the vscode-elements components do), and Chart.js sets canvas sizes through
 * the CSSOM (element.style), which CSP does not restrict.
 */
export function panelHtml(input: HtmlInput, nonce = newNonce()): string {
  const csp = [
    "default-src 'none'",
    `img-src ${input.cspSource} data:`,
    `style-src ${input.cspSource}`,
    `font-src ${input.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(input.title)}</title>
</head>
<body>
<main id="app" aria-live="polite">Loading…</main>
<script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}
