// SPDX-License-Identifier: Apache-2.0
// Writes the ONNX test models (the tiny CNN, default spec, same seeded weights as tinyCnnWeights())
// to packages/testing/fixtures/. Reproducible: run
//   pnpm --filter @webxai/testing build && node packages/testing/scripts/make-tiny-cnn-onnx.mjs
// and git shows no change. tiny-cnn-onnx.test.ts checks the committed files against the builder.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tinyCnnOnnx } from '../dist/models/tiny-cnn-onnx.js';

for (const layout of ['nchw', 'nhwc']) {
  const path = fileURLToPath(new URL(`../fixtures/tiny-cnn-${layout}.onnx`, import.meta.url));
  const bytes = tinyCnnOnnx({}, layout);
  writeFileSync(path, bytes);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}
