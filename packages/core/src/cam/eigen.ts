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
  UnsupportedModelError,
} from '@webxai/shaders';
import type { ExecutionPath } from '../api/types.js';
import { tfjsDevice } from '../interop/tfjs-webgpu.js';
import { streamToNewTensors } from '../interop/webgpu-kernel-backend.js';
import { activeAdapterInfo, isSwiftShaderAdapter } from '../interop/tfjs-setup.js';
import { camMaps, type CamMaps } from './cam-map.js';
import type { CamWeights } from './gradient-weights.js';
import type { EigenSignConvention } from './types.js';

/** An image batch's first principal components and whether each image's eigenproblem was finite. */
interface Component {
  /** `[n, h, w, 1]`. */
  readonly projection: tf.Tensor4D;
  /**
   * `[n, 1]`: exactly 1 where the image's Gram matrix is finite, NaN where it holds a NaN or Inf
   * (from the activations or weights). cam-map's weight: it turns the power iteration's output
   * (which may hide a NaN: a norm guard, a ReLU) into a NaN peak, and multiplies finite maps by 1.
   */
  readonly unit: tf.Tensor2D;
}

/**
 * Projection of each image's `[h*w, k]` activations onto their first principal component:
 * `[n, h, w, 1]`. With X the centred activations and M = X X^T (h*w <= k) the projection is
 * sqrt(lambda) u; otherwise M = X^T X and the projection is X v. One eigen-component dispatch,
 * recorded into tfjs's stream, or its f64 reference on the CPU path.
 * @throws {UnsupportedModelError} min(h*w, k) > 1024 (the kernel's limit).
 */
export async function firstComponent(values: tf.Tensor4D, path: ExecutionPath): Promise<Component> {
  const [n, h, w, k] = values.shape;
  const positions = h * w;
  const size = Math.min(positions, k);
  if (size > EIGEN_COMPONENT_MAX_SIZE) {
    throw new UnsupportedModelError(
      `Eigen-CAM / eigenSmooth at a layer with ${positions} positions and ${k} channels needs a ${size} x ${size} eigenproblem; the limit is ${EIGEN_COMPONENT_MAX_SIZE} (pick a later layer)`,
    );
  }
  const shape = { images: n, positions, channels: k };
  if (path === 'cpu') {
    const { projection, unit } = eigenComponentRef(await values.data(), shape);
    return { projection: tf.tensor4d(projection, [n, h, w, 1]), unit: tf.tensor2d(unit, [n, 1]) };
  }
  const spec = eigenComponentFor(isSwiftShaderAdapter(activeAdapterInfo()), size);
  const shapes = [
    [n, eigenComponentWorkSize(positions, k)],
    [n, h, w, 1],
    [n, 1],
  ];
  const [work, projection, unit] = await streamToNewTensors(shapes, [values], ([work, projection, unit], buffer, sink) =>
    runKernelSync(
      tfjsDevice(),
      spec,
      { params: { ...shape, ...EIGEN_COMPONENT_STOPPING }, act: buffer(values), work: work!, projection: projection!, unit: unit! },
      sink,
    ),
  );
  // The means and Gram matrix are the kernel's scratch; tfjs keeps the buffer until its pass is done.
  work!.dispose();
  return { projection: projection as tf.Tensor4D, unit: unit as tf.Tensor2D };
}

/**
 * Applies `convention` to projections `[n, h, w, 1]` that follow 'channel-sum' (firstComponent's
 * sign): 'negative-channel-sum' negates them; 'max-abs' makes each image's largest-|value| entry
 * positive (the first such position in row-major order on ties).
 */
export function applySignConvention(projection: tf.Tensor4D, convention: EigenSignConvention): tf.Tensor4D {
  if (convention === 'channel-sum') return projection.clone();
  if (convention === 'negative-channel-sum') return tf.neg(projection);
  return tf.tidy(() => {
    const [n, h, w] = projection.shape;
    const flat = tf.reshape(projection, [n, h * w]);
    const at = tf.argMax(tf.abs(flat), 1);
    const peak = tf.sum(tf.mul(flat, tf.oneHot(at, h * w)), 1);
    const sign = tf.where(tf.less(peak, 0), tf.fill([n], -1), tf.ones([n]));
    return tf.mul<tf.Tensor4D>(projection, tf.reshape(sign, [n, 1, 1, 1]));
  });
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
 * Eigen-CAM (weights undefined) or a method's eigen_smooth: the principal component through cam-map.
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
  let component: Component | undefined;
  let projection: tf.Tensor4D | undefined;
  try {
    component = await firstComponent(weighted, path);
    projection = applySignConvention(component.projection, convention);
    // Weight 1 (NaN for a non-finite image: its peak comes out NaN, the pipeline's ModelError).
    return await camMaps(projection, component.unit, 'channel', out, finalNormalise, path);
  } finally {
    tf.dispose([component?.projection, component?.unit, projection]);
    if (weighted !== activation) weighted.dispose();
  }
}
