// Workspace Trust: an untrusted workspace may look at experiments but not run them or download
// models (both execute or fetch things the workspace names).
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE =
  'Transfer Lab: running experiments and downloading models are disabled in Restricted Mode, because an experiment file can point at any model URL and data folder. Trust this workspace to enable them.';

/** True when trusted; otherwise explains and offers to manage trust. */
export async function requireTrust(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  if ((await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, manage)) === manage) {
    await vscode.commands.executeCommand('workbench.trust.manage');
  }
  return false;
}
