// SPDX-License-Identifier: Apache-2.0
// The CAM pipeline's one readback per layer (or per call): the map peaks, with whatever rides along
// (the pending input check, the scores' finiteness, the predicted classes, a small result's host
// copy, another pass's values), then the blank-map warnings drawn from those peaks.
import * as tf from '@tensorflow/tfjs';
import type { CallContext, MethodOutput } from '../api/types.js';
import { readChecked, readCheckedWithScores, type CheckedRead, type InputCheck, type ReadParts } from '../api/input-check.js';
import { keepHostCopy, takesHostCopy } from '../interop/tfjs-webgpu.js';
import { readFinite } from '../interop/finite-readout.js';
import { throwIfModelFault } from './model-fault.js';
import { blankMapWarning, type SignedRange } from './signed-map.js';
import type { CamMethodName } from './types.js';

/** What the blank-map warnings read of one layer's maps (see the pipeline's LayerMaps). */
export interface LayerPeaks {
  /** The ReLU'd map's per-image maximum, already read back. */
  readonly peaks?: Float32Array;
  /** Images whose ReLU'd map is all zero, with the range of their signed map. */
  readonly blank?: ReadonlyMap<number, SignedRange>;
  /** Eigen maps' and augSmooth's peaks, still on the GPU: resultPeaks reads them (NaN: a model fault). */
  readonly devicePeaks?: tf.Tensor1D;
  /** With devicePeaks: the pass's scores, whose finiteness resultPeaks reads with the peaks. */
  readonly scores?: tf.Tensor2D;
  /** With devicePeaks: the classes the pass chose (int32, one per row), read back as the targets. */
  readonly predicted?: tf.Tensor1D;
}

/**
 * Another pass's readback riding in a one-layer CAM's map peaks' readback instead of a round trip of
 * its own (guided Grad-CAM's guided backprop pass): recorded before it, checked right after it.
 */
export interface PeakRide {
  /** The other pass's scores: their finiteness is read with the CAM pass's. */
  readonly scores: tf.Tensor2D;
  /** The tensors to read (built from the layer's maps; recorded before the readback, owned by the ride). */
  parts(maps: { readonly map: tf.Tensor3D; readonly attribution: tf.Tensor3D }): (tf.Tensor | undefined)[];
  /**
   * Gets the parts' values (in order, flattened), whether the ride's scores were finite and the CAM's
   * predicted classes (when it chose them), right after the readback and before the CAM's own checks,
   * so it throws the other pass's errors first, as its own readback would have.
   */
  check(values: Float32Array, scoresFinite: boolean, classes: readonly number[] | undefined): void;
}

/** A CAM call with a {@link PeakRide} (one layer, no augSmooth: the ride needs the one peaks' readback). */
export interface RidingCall extends CallContext {
  readonly ride?: PeakRide;
}

/** What rides in the map peaks' readback besides them (each optional). */
interface PeakExtras {
  /** Each row's predicted class (int32), read back as the targets. */
  readonly predicted: tf.Tensor1D | undefined;
  /** A small result whose values are kept as its host copy. */
  readonly hostCopy: tf.Tensor | undefined;
  /** The pass's scores: only their finiteness is read. */
  readonly scores: tf.Tensor2D | undefined;
  /** Another pass's readback riding in this one, and the layer's maps it reads from. */
  readonly ride?: PeakRide | undefined;
  readonly maps?: { readonly map: tf.Tensor3D; readonly attribution: tf.Tensor3D };
}

/** `parts`, and the finiteness of `scores` when given, in one readback with the pending `check`. */
async function readWithScores(check: InputCheck | undefined, parts: ReadParts, scores: tf.Tensor | undefined): Promise<CheckedRead> {
  if (scores) return readCheckedWithScores(check, parts, scores);
  return { values: await readChecked(check, parts), scoresFinite: true };
}

/**
 * {@link readWithScores} with a ride's scores: both scores' finiteness from one flag (their concat:
 * one small dispatch); only when it is 0 does each get a readback of its own, to say whose it was.
 */
async function readRiding(
  check: InputCheck | undefined,
  parts: ReadParts,
  scores: tf.Tensor2D | undefined,
  rideScores: tf.Tensor2D | undefined,
): Promise<CheckedRead & { rideFinite: boolean }> {
  if (!rideScores) return { ...(await readWithScores(check, parts, scores)), rideFinite: true };
  const both = scores ? tf.concat2d([scores, rideScores], 0) : rideScores;
  const read = await readWithScores(check, parts, both).finally(() => both !== rideScores && both.dispose());
  if (read.scoresFinite) return { ...read, rideFinite: true };
  const finite = async (t: tf.Tensor | undefined) => !t || (await readFinite(t))[0] === 1;
  return { values: read.values, scoresFinite: await finite(scores), rideFinite: await finite(rideScores) };
}

/**
 * The `[n]` peaks of a ReLU'd map (cam-map's; read with the call's pending input check and the
 * `extras`: one readback; `checkPeaks` throws on a model fault: a NaN peak or NaN scores) and the
 * rows that are all zero, with the range of their signed map (a second readback, only then).
 */
export async function blankRanges(
  mapPeaks: tf.Tensor1D,
  call: CallContext,
  signed: () => tf.Tensor3D,
  checkPeaks: (peaks: Float32Array, scoresFinite: boolean) => void,
  { predicted, hostCopy, scores, ride, maps }: PeakExtras,
): Promise<{ peaks: Float32Array; blank: Map<number, SignedRange>; classes?: number[] }> {
  const blank = new Map<number, SignedRange>();
  const rows = mapPeaks.shape[0];
  const ridingParts = ride ? ride.parts(maps!) : [];
  const read = await readRiding(call.inputCheck, [mapPeaks, predicted, hostCopy, ...ridingParts], scores, ride?.scores);
  const { values } = read;
  const peak = values.slice(0, rows);
  const classCount = predicted ? rows : 0;
  const classes = predicted ? Array.from(values.subarray(rows, rows + classCount)) : undefined;
  const hostCount = hostCopy?.size ?? 0;
  ride?.check(values.subarray(rows + classCount + hostCount), read.rideFinite, classes);
  checkPeaks(peak, read.scoresFinite); // before anything uses the values
  if (hostCopy) keepHostCopy(hostCopy, values.subarray(rows + classCount, rows + classCount + hostCount));
  if (peak.every((v) => v > 0)) return { peaks: peak, blank, ...(classes && { classes }) };
  const raw = signed();
  const extremes = tf.tidy(() => tf.stack([tf.min(raw, [1, 2]), tf.max(raw, [1, 2])], 1));
  raw.dispose();
  const ranges = await extremes.data().finally(() => extremes.dispose());
  peak.forEach((v, row) => {
    if (!(v > 0)) blank.set(row, { min: ranges[2 * row]!, max: ranges[2 * row + 1]! });
  });
  return { peaks: peak, blank, ...(classes && { classes }) };
}

/**
 * One warning per image and layer whose final ReLU'd map is all zero (a blank picture is reported,
 * never drawn silently). With augSmooth the rows are augmented copies, so no signed range is given.
 * `classes`: the classes a layer's pass chose, when they rode in this readback (devicePeaks' layers).
 */
export async function blankMapWarnings(
  method: string,
  result: Pick<MethodOutput<CamMethodName>, 'map' | 'layer' | 'attribution'>,
  perLayer: readonly LayerPeaks[],
  augSmooth: boolean,
  call: CallContext,
): Promise<{ warnings: string[]; classes?: number[] }> {
  const maps = Array.isArray(result.map) ? result.map : [result.map];
  const names = Array.isArray(result.layer) ? result.layer : [result.layer];
  const images = maps[0]!.shape[0];
  const check = (peaks: Float32Array, layer: number, scoresFinite: boolean) =>
    throwIfModelFault(method, names[layer]!, peaks, images, scoresFinite);
  // One layer's small attribution rides in the peaks' readback as its host copy, as the gradient
  // CAMs' does in theirs: Eigen-CAM's result.attribution.data() then needs no round trip of its own.
  const oneLayer = perLayer.length === 1 && !augSmooth;
  const hostCopy = oneLayer && call.path === 'gpu' && takesHostCopy(result.attribution.size) ? result.attribution : undefined;
  const { peak, classes } = await resultPeaks(maps, perLayer, augSmooth, call, check, hostCopy);
  const warnings: string[] = [];
  maps.forEach((_, layer) => {
    for (let image = 0; image < images; image++) {
      if (peak[layer * images + image]! > 0) continue;
      const range = augSmooth ? undefined : perLayer[layer]?.blank?.get(image);
      warnings.push(blankMapWarning(method, image, names[layer]!, range));
    }
  });
  return { warnings, ...(classes && { classes }) };
}

/**
 * The peak of each result map `[layer][image]`: the layers' own peaks when the result maps are the
 * layer maps (no augSmooth, whose maps are means over the augmented copies), read back here for
 * Eigen maps (their layers' peaks, checked with `checkLayer` for a model fault), else the maxima of
 * the result maps, read with the layers' device peaks when there are any: one readback, which also
 * brings the first layer's chosen classes and `hostCopy` (the result's attribution, when small; as
 * its host copy) to the host.
 */
async function resultPeaks(
  maps: readonly tf.Tensor3D[],
  perLayer: readonly LayerPeaks[],
  augSmooth: boolean,
  call: CallContext,
  checkLayer: (peaks: Float32Array, layer: number, scoresFinite: boolean) => void,
  hostCopy?: tf.Tensor,
): Promise<{ peak: Float32Array; classes?: number[] }> {
  const own = perLayer.map((m) => m.peaks);
  if (!augSmooth && own.every((p) => p !== undefined)) return { peak: concatenated(own) };
  const device = perLayer.flatMap((m) => (m.devicePeaks ? [m.devicePeaks] : []));
  const peaks = augSmooth || device.length === 0 ? tf.tidy(() => tf.stack(maps.map((m) => tf.max(m, [1, 2])))) : undefined;
  // Every layer's pass scored the same batch: the first one's scores stand for all.
  const scores = perLayer.find((m) => m.scores)?.scores;
  const predicted = perLayer.find((m) => m.predicted)?.predicted;
  const parts = [peaks, ...device, hostCopy, predicted];
  const read = await readWithScores(call.inputCheck, parts, scores).finally(() => peaks?.dispose());
  const { values } = read;
  const resultCount = peaks ? peaks.size : 0;
  let at = resultCount;
  device.forEach((p, layer) => {
    checkLayer(values.slice(at, at + p.size), layer, read.scoresFinite);
    at += p.size;
  });
  const peak = peaks ? values.slice(0, resultCount) : values.slice(0, at);
  if (hostCopy) keepHostCopy(hostCopy, values.subarray(at, (at += hostCopy.size)));
  return { peak, ...(predicted && { classes: Array.from(values.subarray(at, at + predicted.size)) }) };
}

function concatenated(parts: readonly Float32Array[]): Float32Array {
  const all = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return all;
}
