// SPDX-License-Identifier: Apache-2.0
// The model panel: pick a model (shipped, URL, Teachable Machine files, ONNX file), see what loaded,
// and edit its input size, labels and preprocessing. Failures show the URL or files and the reason.
import { PREPROCESS_DESCRIPTIONS, PREPROCESS_PRESETS, isPreprocessPreset } from '@webxai/core/io';
import { tfjsOnlyMethods } from './methods.js';
import { modelFromOnnxFile, modelFromTeachableMachine, modelFromUrl, shippedMnist, shippedShapes, type DemoModel } from './models.js';

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

/** What the panel calls when a model is loaded or its settings change. */
export type ModelListener = (model: DemoModel) => Promise<void>;

/** Shows `model`'s settings in the form. */
function showSettings(model: DemoModel): void {
  $('#model-name').textContent = model.name;
  $('#model-origin').textContent = model.origin;
  $('#model-info').textContent = model.detail;
  $<HTMLInputElement>('#input-height').value = String(model.height);
  $<HTMLInputElement>('#input-width').value = String(model.width);
  $<HTMLSelectElement>('#input-channels').value = String(model.channels);
  $<HTMLSelectElement>('#preprocess').value = model.preprocess;
  $<HTMLTextAreaElement>('#labels').value = model.labels.join('\n');
  // tfjs models declare their input size; editing it only makes sense for ONNX models with symbolic dims.
  for (const id of ['#input-height', '#input-width', '#input-channels']) $<HTMLInputElement>(id).disabled = model.format !== 'onnx';
  const note = $<HTMLElement>('#no-gradients');
  note.hidden = model.differentiable;
  note.textContent = model.differentiable
    ? ''
    : `ONNX Runtime only predicts: it computes no gradients and exposes no layer activations, so only perturbation methods (occlusion, RISE, LIME, KernelSHAP, partition SHAP, anchors, XRAI) can explain this model. ` +
      `Gradient and CAM methods (${tfjsOnlyMethods().join(', ')}) need a TensorFlow.js model; live mode uses occlusion.`;
}

/** Reads the edited settings into `model`; returns an error message or undefined. */
function readSettings(model: DemoModel): string | undefined {
  const height = Number($<HTMLInputElement>('#input-height').value);
  const width = Number($<HTMLInputElement>('#input-width').value);
  const channels = Number($<HTMLSelectElement>('#input-channels').value);
  const preprocess = $<HTMLSelectElement>('#preprocess').value;
  if (![height, width].every((v) => Number.isInteger(v) && v >= 8 && v <= 1024))
    return 'input height and width must be whole numbers from 8 to 1024';
  if (!isPreprocessPreset(preprocess)) return `unknown preprocessing '${preprocess}'`;
  if (preprocess === 'imagenet' && channels !== 3) return 'ImageNet preprocessing needs 3 channels (RGB)';
  const labels = $<HTMLTextAreaElement>('#labels')
    .value.split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  Object.assign(model, { height, width, channels, preprocess, labels });
  return undefined;
}

/** Wires the panel. `onModel` runs for every loaded model and every applied settings change. */
export function attachModelPanel(onModel: ModelListener): {
  load(load: () => Promise<DemoModel>, what: string): Promise<void>;
  current(): DemoModel | undefined;
} {
  let current: DemoModel | undefined;
  const status = $<HTMLElement>('#model-status');
  const error = $<HTMLElement>('#model-error');
  const preprocess = $<HTMLSelectElement>('#preprocess');
  preprocess.replaceChildren(
    ...PREPROCESS_PRESETS.map((p) =>
      Object.assign(document.createElement('option'), { value: p, textContent: `${p}: ${PREPROCESS_DESCRIPTIONS[p]}` }),
    ),
  );

  const load = async (make: () => Promise<DemoModel>, what: string): Promise<void> => {
    error.hidden = true;
    status.textContent = `Loading ${what}…`;
    document.body.dataset.model = 'loading';
    let model: DemoModel;
    try {
      model = await make();
    } catch (e) {
      status.textContent = '';
      error.hidden = false;
      error.textContent = `The model did not load. ${e instanceof Error ? e.message : String(e)}`;
      document.body.dataset.model = 'error';
      return; // the previous model stays in use
    }
    const previous = current;
    current = model;
    showSettings(model);
    status.textContent = `Loaded ${model.name}.`;
    await onModel(model);
    if (previous && previous !== model) previous.dispose(); // after the page has moved on to the new one
    document.body.dataset.model = model.format;
  };

  $('#use-mnist').addEventListener('click', () => void load(shippedMnist, 'the shipped MNIST CNN'));
  $('#use-shapes').addEventListener('click', () => void load(shippedShapes, 'the shipped shapes CNN'));
  $<HTMLFormElement>('#url-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $<HTMLInputElement>('#model-url').value.trim();
    if (url) void load(() => modelFromUrl(url), url);
  });
  const tmFiles = (files: FileList | null) => {
    if (files?.length) void load(() => modelFromTeachableMachine([...files]), 'the Teachable Machine export');
  };
  $<HTMLInputElement>('#tm-files').addEventListener('change', (e) => tmFiles((e.target as HTMLInputElement).files));
  $<HTMLInputElement>('#onnx-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void load(() => modelFromOnnxFile(file), file.name);
  });
  // Dropping files on the panel: one .onnx file, or a Teachable Machine export's three files.
  const panel = $<HTMLElement>('#model-panel');
  panel.addEventListener('dragover', (e) => e.preventDefault());
  panel.addEventListener('drop', (e) => {
    e.preventDefault();
    const files = [...(e.dataTransfer?.files ?? [])];
    const onnx = files.find((f) => f.name.endsWith('.onnx'));
    if (onnx) void load(() => modelFromOnnxFile(onnx), onnx.name);
    else if (files.length) void load(() => modelFromTeachableMachine(files), 'the dropped files');
  });
  $<HTMLFormElement>('#settings-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (!current) return;
    const problem = readSettings(current);
    error.hidden = !problem;
    error.textContent = problem ? `Settings not applied: ${problem}.` : '';
    if (!problem) void onModel(current);
  });
  return { load, current: () => current };
}
