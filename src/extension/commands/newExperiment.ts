// "Transfer Lab: New Experiment": pick a template, name it, pick the data folder, and get a valid
// experiment file opened in the editor.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderTemplate, TEMPLATES } from '../../core/templates/index';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const IMAGE_GLOB = '**/*.{jpg,jpeg,png,webp,JPG,JPEG,PNG}';

/** Folders whose sub-folders hold images: the layout an image-folder experiment reads. */
async function imageFolders(): Promise<string[]> {
  const images = await vscode.workspace.findFiles(IMAGE_GLOB, '{**/node_modules/**,**/.git/**}', 5000);
  const counts = new Map<string, Set<string>>();
  for (const uri of images) {
    const classDir = path.dirname(uri.fsPath);
    const root = path.dirname(classDir);
    counts.set(root, (counts.get(root) ?? new Set()).add(classDir));
  }
  return [...counts.entries()].filter(([, classes]) => classes.size >= 2).map(([root]) => root).sort();
}

export async function newExperiment(): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Transfer Lab: open a folder first; experiments are files in the workspace.');
    return undefined;
  }
  const template = await vscode.window.showQuickPick(
    TEMPLATES.map((t) => ({ label: t.label, detail: t.description, id: t.id })),
    { title: 'New Transfer Lab Experiment (1/3)', placeHolder: 'Choose a template', matchOnDetail: true },
  );
  if (!template) return undefined;
  const name = await vscode.window.showInputBox({
    title: 'New Transfer Lab Experiment (2/3)',
    prompt: 'Experiment name (names the file and its runs folder)',
    value: template.id === 'mnist-transfer' ? 'mnist-5-9' : 'my-experiment',
    validateInput: (v) => {
      if (!NAME.test(v)) return 'Use letters, digits, ".", "_" and "-", starting with a letter or digit.';
      return undefined;
    },
  });
  if (!name) return undefined;
  const file = path.join(folder.uri.fsPath, `${name}.experiment.json`);
  let dataPath: string | undefined;
  if (template.id !== 'mnist-transfer') {
    const found = await imageFolders();
    const browse = { label: '$(folder-opened) Browse...', description: '', folder: '' };
    const pick = await vscode.window.showQuickPick(
      [...found.map((f) => ({ label: vscode.workspace.asRelativePath(f), description: 'image folder', folder: f })), browse],
      { title: 'New Transfer Lab Experiment (3/3)', placeHolder: 'Data folder: one sub-folder of images per class' },
    );
    if (!pick) return undefined;
    let dir = pick.folder;
    if (!dir) {
      const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, defaultUri: folder.uri, openLabel: 'Use as data folder' });
      if (!chosen?.[0]) return undefined;
      dir = chosen[0].fsPath;
    }
    dataPath = path.relative(path.dirname(file), dir).split(path.sep).join('/') || '.';
  }
  const uri = vscode.Uri.file(file);
  try {
    await vscode.workspace.fs.stat(uri);
    const overwrite = 'Overwrite';
    if ((await vscode.window.showWarningMessage(`${path.basename(file)} already exists.`, { modal: true }, overwrite)) !== overwrite) return undefined;
  } catch {
    // Does not exist: the usual case.
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(renderTemplate(template.id, { name, dataPath }), 'utf8'));
  await vscode.window.showTextDocument(uri);
  return uri;
}
