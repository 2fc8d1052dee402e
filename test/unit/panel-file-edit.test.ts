import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import { applyChanges, detectFormatting, experimentEdit, minimalEdit } from '../../src/extension/panel/model/fileEdit';
import { parseExperiment } from '../../src/core/experiment/load';

const FILE = `{
  // The rock-paper-scissors transfer experiment.
  "name": "rps",
  "model": {
    "base": "mobilenet_v1_0.25_224",
    "cutAt": "conv_pw_13_relu",
    "freeze": "all" // keep the ImageNet features
  },
  "data": { "type": "imageFolder", "path": "data" },
  "training": {
    "phases": [
      { "name": "head", "epochs": 2, "learningRate": 0.001 },
      { "name": "fine-tune", "epochs": 1, "learningRate": 0.0001, "unfreezeFrom": "conv_dw_13" }
    ]
  }
}
`;

const apply = (text: string, e: { offset: number; length: number; text: string } | null) =>
  e ? jsonc.applyEdits(text, [{ offset: e.offset, length: e.length, content: e.text }]) : text;

test('a freeze toggle replaces only the freeze value and keeps comments and layout', () => {
  const edit = experimentEdit(FILE, [{ path: ['model', 'freeze'], value: { upTo: 'conv_pw_5_relu' } }]);
  assert.ok(edit);
  assert.equal(FILE.slice(edit.offset, edit.offset + edit.length), '"all"');
  const after = apply(FILE, edit);
  assert.equal(after, FILE.replace('"freeze": "all"', '"freeze": {\n      "upTo": "conv_pw_5_relu"\n    }'));
  assert.match(after, /\/\/ keep the ImageNet features/);
  assert.deepEqual(parseExperiment(after, 'rps.experiment.json').model.freeze, { upTo: 'conv_pw_5_relu' });
});

test('phase edits set and remove properties; removing an absent one changes nothing', () => {
  const after = applyChanges(FILE, [
    { path: ['training', 'phases', 1, 'freeze'], value: undefined },
    { path: ['training', 'phases', 1, 'unfreezeFrom'], value: 'conv_pw_12' },
  ]);
  assert.equal(after, FILE.replace('"unfreezeFrom": "conv_dw_13"', '"unfreezeFrom": "conv_pw_12"'));
  const removed = applyChanges(FILE, [{ path: ['training', 'phases', 1, 'unfreezeFrom'], value: undefined }]);
  assert.equal(parseExperiment(removed, 'x').training.phases[1]!.unfreezeFrom, undefined);
  assert.equal(experimentEdit(FILE, [{ path: ['training', 'phases', 0, 'freeze'], value: undefined }]), null);
});

test('tab-indented files get tab-indented insertions', () => {
  const text = '{\n\t"name": "x",\n\t"model": {\n\t\t"cutAt": "a"\n\t}\n}\n';
  assert.deepEqual(detectFormatting(text), { insertSpaces: false, tabSize: 1, eol: '\n' });
  const after = applyChanges(text, [{ path: ['model', 'freeze'], value: { layers: ['a'] } }]);
  assert.match(after, /\n\t\t"freeze": \{\n\t\t\t"layers": \[\n\t\t\t\t"a"\n\t\t\t\]\n\t\t\}/);
});

test('a file with a syntax error is refused with a clear message', () => {
  assert.throws(() => applyChanges('{ "name": ', [{ path: ['model', 'cutAt'], value: 'x' }]), /JSON syntax error \(ValueExpected\); fix it before editing from the panel/);
});

test('minimalEdit keeps the common prefix and suffix', () => {
  assert.deepEqual(minimalEdit('abcXYZdef', 'abcQdef'), { offset: 3, length: 3, text: 'Q' });
  assert.deepEqual(minimalEdit('aaa', 'aaaa'), { offset: 3, length: 0, text: 'a' });
  assert.equal(minimalEdit('same', 'same'), null);
});
