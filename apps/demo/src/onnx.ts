// SPDX-License-Identifier: Apache-2.0
// An uploaded .onnx file, run by onnxruntime-web (WASM, loaded only when needed). ONNX Runtime only
// predicts, so the page offers perturbation methods for it (core's fromOnnx black box).
import { fromOnnx, ModelError } from '@webxai/core';
import type { DemoModel } from './models.js';

/** [height, width, channels] and layout from the session's input dims; symbolic dims fall back to 224 x 224 x 3 NCHW. */
function inputGeometry(dims: readonly (number | string)[] | undefined): {
  height: number;
  width: number;
  channels: number;
  layout: 'nchw' | 'nhwc';
} {
  const size = (v: number | string | undefined, fallback: number) => (typeof v === 'number' && v > 0 ? v : fallback);
  if (dims?.length === 4) {
    const [, a, b, c] = dims;
    // NHWC when the last axis looks like channels and the second does not.
    if ((c === 1 || c === 3) && a !== 1 && a !== 3) return { height: size(a, 224), width: size(b, 224), channels: c, layout: 'nhwc' };
    return { height: size(b, 224), width: size(c, 224), channels: size(a, 3), layout: 'nchw' };
  }
  return { height: 224, width: 224, channels: 3, layout: 'nchw' };
}

/**
 * Loads an .onnx file with onnxruntime-web's WASM backend (one thread: the page is not cross-origin
 * isolated).
 * @throws {ModelError} naming the file and ONNX Runtime's reason.
 */
export async function modelFromOnnxFile(file: File): Promise<DemoModel> {
  try {
    const [ort, { default: wasm }] = await Promise.all([
      import('onnxruntime-web/wasm'),
      import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url'),
    ]);
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = { wasm };
    const session = await ort.InferenceSession.create(new Uint8Array(await file.arrayBuffer()), { executionProviders: ['wasm'] });
    const meta = session.inputMetadata[0];
    const geometry = inputGeometry(meta && meta.isTensor ? meta.shape : undefined);
    const outMeta = session.outputMetadata[0];
    const classes = outMeta && outMeta.isTensor ? outMeta.shape[outMeta.shape.length - 1] : undefined;
    const model = fromOnnx(session, { layout: geometry.layout, Tensor: ort.Tensor });
    return {
      name: `ONNX model “${file.name}”`,
      origin: file.name,
      format: 'onnx',
      model,
      differentiable: false,
      detail: `onnxruntime-web ${ort.env.versions.web ?? ''} (wasm), input ${session.inputNames[0]} ${geometry.layout.toUpperCase()}`,
      height: geometry.height,
      width: geometry.width,
      channels: geometry.channels,
      labels: Array.from({ length: typeof classes === 'number' && classes > 0 ? classes : 0 }, (_, i) => `class ${i}`),
      preprocess: 'unit',
      dispose: () => void session.release(),
    };
  } catch (cause) {
    throw new ModelError(`could not load ${file.name} with onnxruntime-web: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}
