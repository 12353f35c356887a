// SPDX-License-Identifier: Apache-2.0
// Eigen-CAM and eigen_smooth: the first principal component of the (weighted) activations, as
// pytorch-grad-cam's utils/svd_on_activations.get_2d_projection (centre each channel over the
// positions, project onto the first right singular vector), computed by power iteration on the
// smaller Gram matrix instead of an SVD. Sign: SVD's is arbitrary (pytorch-grad-cam keeps whatever
// numpy's LAPACK returns, so its map can be the complement of ours after the ReLU); by default ours
// makes the projection correlate positively with the (centred) channel sum, i.e. sum_k v_k >= 0.
// The `signConvention` option picks 'max-abs' (scikit-learn's svd_flip) or the opposite sign.
import * as tf from '@tensorflow/tfjs';
import {
  EIGEN_COMPONENT_MAX_SIZE,
  EIGEN_COMPONENT_STOPPING,
  eigenComponentFor,
  eigenComponentRef,
  eigenComponentWorkSize,
  runKernelSync,
  signConventionRef,
  UnsupportedModelError,
} from '@webxai/shaders';
import type { ExecutionPath } from '../api/types.js';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';
import { streamToNewTensors } from '../interop/webgpu-kernel-backend.js';
import { activeAdapterInfo, isSwiftShaderAdapter } from '../interop/tfjs-setup.js';
import { camMaps, type CamMaps } from './cam-map.js';
import type { CamWeights } from './gradient-weights.js';
import type { EigenSignConvention } from './types.js';

/** Where the maps go and how they are normalised and signed. */
interface MapRequest {
  readonly out: readonly [number, number];
  readonly finalNormalise: boolean;
  readonly convention: EigenSignConvention;
}

/**
 * Each image's `[h*w, k]` activations projected onto their first principal component (with X the
 * centred activations and M = X X^T (h*w <= k) the projection is sqrt(lambda) u; otherwise M = X^T X
 * and the projection is X v), signed by `convention`, through cam-map's epilogue (channel weight 1,
 * NaN for an image whose Gram matrix is not finite: its peak comes out NaN, the pipeline's
 * ModelError). One eigen-component dispatch recorded into tfjs's stream, or on the CPU path the f64
 * references (eigenComponentRef, signConventionRef, camMapRef).
 * @throws {UnsupportedModelError} min(h*w, k) > 1024 (the kernel's limit).
 */
async function principalComponentMaps(values: tf.Tensor4D, request: MapRequest, path: ExecutionPath): Promise<CamMaps> {
  const [n, h, w, k] = values.shape;
  const positions = h * w;
  const size = Math.min(positions, k);
  if (size > EIGEN_COMPONENT_MAX_SIZE) {
    throw new UnsupportedModelError(
      `Eigen-CAM / eigenSmooth at a layer with ${positions} positions and ${k} channels needs a ${size} x ${size} eigenproblem; the limit is ${EIGEN_COMPONENT_MAX_SIZE} (pick a later layer)`,
    );
  }
  const { out, finalNormalise, convention } = request;
  if (path === 'cpu') {
    const { projection, unit } = eigenComponentRef(await values.data(), { images: n, positions, channels: k });
    const signed = tf.tensor4d(signConventionRef(projection, positions, convention), [n, h, w, 1]);
    const weights = tf.tensor2d(unit, [n, 1]);
    try {
      return await camMaps(signed, weights, 'channel', out, finalNormalise, path);
    } finally {
      tf.dispose([signed, weights]);
    }
  }
  const spec = eigenComponentFor(isSwiftShaderAdapter(activeAdapterInfo()), size, { sign: convention, finalNormalise });
  const params = { images: n, height: h, width: w, channels: k, outHeight: out[0], outWidth: out[1], ...EIGEN_COMPONENT_STOPPING };
  const shapes = [[n, eigenComponentWorkSize(positions, k)], [n, h, w], [n, out[0], out[1]], [n]];
  const [work, map, attribution, peaks] = await streamToNewTensors(shapes, [values], ([work, map, output, peaks], buffer, sink) =>
    runKernelSync(tfjsDevice(), spec, { params, act: buffer(values), work: work!, map: map!, output: output!, peaks: peaks! }, sink),
  );
  // The kernel's scratch (unit, projection, means, Gram matrix); tfjs keeps the buffer until its pass is done.
  work!.dispose();
  return { map: map as tf.Tensor3D, attribution: attribution as tf.Tensor3D, mapPeaks: peaks as tf.Tensor1D };
}

/** The activations as weighted by a CAM method (pytorch-grad-cam's weighted_activations). */
function weightedActivations(activation: tf.Tensor4D, weights: CamWeights | undefined): tf.Tensor4D {
  if (!weights) return activation;
  return tf.tidy(() => {
    const [n, , , k] = activation.shape;
    const w =
      weights.weighting === 'channel'
        ? tf.reshape(weights.weights, [n, 1, 1, k])
        : weights.weighting === 'elementwise-relu'
          ? tf.relu(weights.weights)
          : weights.weights;
    return tf.mul<tf.Tensor4D>(activation, w);
  });
}

/**
 * Eigen-CAM (weights undefined) or a method's eigen_smooth: the principal component's CAM maps.
 * An image whose activations (or weighted activations) are NaN or Inf gets a NaN peak.
 */
export async function eigenCamMaps(
  activation: tf.Tensor4D,
  weights: CamWeights | undefined,
  out: readonly [number, number],
  finalNormalise: boolean,
  path: ExecutionPath,
  convention: EigenSignConvention = 'channel-sum',
): Promise<CamMaps> {
  const weighted = weightedActivations(activation, weights);
  try {
    return await principalComponentMaps(weighted, { out, finalNormalise, convention }, path);
  } finally {
    if (weighted !== activation) weighted.dispose();
  }
}
