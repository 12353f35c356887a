// SPDX-License-Identifier: Apache-2.0
/**
 * WGSL shared by several kernels, pulled in with `includes: [...]` on defineKernel (ADR 0006):
 * one copy of each helper, pasted between the prelude and the kernel's own source. Snippets used
 * by one algorithm family live in its folder; this module names them all.
 */
import type { WgslSnippet } from '../runtime/kernel.js';
import f32Source from './f32.wgsl';
import minMaxTreeSource from './min-max-tree.wgsl';
import bilinearSource from './bilinear.wgsl';
import pathBatchSource from './path-batch.wgsl';
import pixelGridSource from './pixel-grid.wgsl';
import signSource from '../colormap/sign.wgsl';
import slicCellSource from '../superpixels/slic-cell.wgsl';
import quickshiftFeaturesSource from '../superpixels/quickshift-features.wgsl';
import affineMapSource from '../features/affine-map.wgsl';
import affineSampleParamsSource from '../features/affine-sample-params.wgsl';
import affineFootprintSource from '../features/affine-footprint.wgsl';
import adamUpdateSource from '../features/adam-update.wgsl';
import affineFourierPixelSource from '../features/affine-fourier-pixel.wgsl';
import convBlockSource from '../direct-conv/conv-block.wgsl';
import convBlock8Source from '../direct-conv/conv-block8.wgsl';
import convGeometrySource from '../direct-conv/conv-geometry.wgsl';
import convWindow8Source from '../direct-conv/conv-window8.wgsl';
import convOutput8Source from '../direct-conv/conv-output8.wgsl';
import fourierParamsSource from '../fft/fourier-params.wgsl';
import fftButterflySource from '../fft/fft-butterfly.wgsl';
import fftIoSource from '../fft/fft-io.wgsl';
import fftPairStagesSource from '../fft/fft-pair-stages.wgsl';
import fftSrcPlanarSource from '../fft/fft-src-planar.wgsl';
import fftSrcInterleavedSource from '../fft/fft-src-interleaved.wgsl';
import fftDstPlanarSource from '../fft/fft-dst-planar.wgsl';
import fftDstInterleavedSource from '../fft/fft-dst-interleaved.wgsl';
import activationSource from './activation.wgsl';
import guidedIgKeysSource from '../guided-ig/guided-ig-keys.wgsl';
import camEpilogueSource from './cam-epilogue.wgsl';

/** F32_MAX and isNan (bit-pattern test). */
export const f32Snippet: WgslSnippet = { name: 'f32.wgsl', source: f32Source };

/** workgroupMinMax(lid, low, high): shared-memory min/max tree over the workgroup (needs `override WORKGROUP_SIZE`). */
export const minMaxTreeSnippet: WgslSnippet = { name: 'min-max-tree.wgsl', source: minMaxTreeSource, includes: [f32Snippet] };

/** halfPixelCoord, alignCornersCoord, bilinearTaps, bilinearMix. */
export const bilinearSnippet: WgslSnippet = { name: 'bilinear.wgsl', source: bilinearSource };

/** PathPoint (the packed path plan) and batchImages / batchPointsOf for the gradient-path kernels. */
export const pathBatchSnippet: WgslSnippet = { name: 'path-batch.wgsl', source: pathBatchSource };

/** pixelYX and maskPixel: coordinates of a 1-D dispatch over pixels or masks. */
export const pixelGridSnippet: WgslSnippet = { name: 'pixel-grid.wgsl', source: pixelGridSource };

/** SIGN_* constants and signedMagnitude() for the colormap kernels (colormap/sign.wgsl). */
export const signSnippet: WgslSnippet = { name: 'sign.wgsl', source: signSource };

/** cellStart: first pixel row/column of a SLIC grid cell (superpixels/slic-cell.wgsl). */
export const slicCellSnippet: WgslSnippet = { name: 'slic-cell.wgsl', source: slicCellSource };

/** featureAt(q): Quick Shift's colour features of pixel q (superpixels/quickshift-features.wgsl). */
export const quickshiftFeaturesSnippet: WgslSnippet = { name: 'quickshift-features.wgsl', source: quickshiftFeaturesSource };

/**
 * affineSource(n, x, y): image n's source coordinates of output pixel (x, y); bilinearFooting: the
 * corner tap and weights it samples (features/affine-map.wgsl).
 */
export const affineMapSnippet: WgslSnippet = { name: 'affine-map.wgsl', source: affineMapSource };

/** Params: the uniform of affine-sample and affine-sample-padded (features/affine-sample-params.wgsl). */
export const affineSampleParamsSnippet: WgslSnippet = { name: 'affine-sample-params.wgsl', source: affineSampleParamsSource };

/**
 * sourceBlock (a 1-D dispatch over 2 x 2 blocks of source pixels) and footprintBlockSums(n, px, py,
 * ...): affine-sample's transpose at such a block, gathered over its joint footprint
 * (features/affine-footprint.wgsl; reads `grad` and `transforms`).
 */
export const affineFootprintSnippet: WgslSnippet = {
  name: 'affine-footprint.wgsl',
  source: affineFootprintSource,
  includes: [affineMapSnippet],
};

/**
 * View, the bindings but `pairs`, gridBlock(wid, lid) (an invocation's block on the kernels' grid),
 * gatherBlock(corner) (calls the kernel's storeBlock) and pixelRows(n, y, x, g): a pixel's
 * plane-row gradients, for affine-fourier-adjoint and its interleaved twin
 * (features/affine-fourier-pixel.wgsl; needs fourierParamsSnippet's Params).
 */
export const affineFourierPixelSnippet: WgslSnippet = {
  name: 'affine-fourier-pixel.wgsl',
  source: affineFourierPixelSource,
  includes: [affineFootprintSnippet],
};

/** Params and adamUpdate(x, g, m, v): the Adam step of adam-ascend and adam-ascend-quads (features/adam-update.wgsl). */
export const adamUpdateSnippet: WgslSnippet = { name: 'adam-update.wgsl', source: adamUpdateSource };

/**
 * ConvBlock, convBlock, storeBlock, storeCell: the 4 columns x 4 channels block each direct-depthwise
 * invocation computes and its masked store (direct-conv/conv-block.wgsl; the kernel defines `writeOutput`).
 */
export const convBlockSnippet: WgslSnippet = { name: 'conv-block.wgsl', source: convBlockSource };

/** ConvBlock8, convBlock8, outer and storeBlock8: the 8 x 8 work split of the direct-conv kernels (conv-block8.wgsl). */
export const convBlock8Snippet: WgslSnippet = { name: 'conv-block8.wgsl', source: convBlock8Source, includes: [convBlockSnippet] };

/**
 * FILTER_WIDTH, windowCells, windowAddresses, loadWindow, addWindowTaps: the sliding window of the
 * -slide direct-conv kernels over conv-block8's 8 x 8 blocks (direct-conv/conv-window8.wgsl; the
 * kernel defines `windowSource` and binds `weights`).
 */
export const convWindow8Snippet: WgslSnippet = { name: 'conv-window8.wgsl', source: convWindow8Source, includes: [convBlock8Snippet] };

/** struct ConvGeometry: the uniform of the direct conv kernels whose params are exactly CONV_GEOMETRY_UNIFORM (direct-conv/conv-geometry.wgsl). */
export const convGeometrySnippet: WgslSnippet = { name: 'conv-geometry.wgsl', source: convGeometrySource };

/** Params: sizes, plane factor and 3 x 3 colour mix of fourier-image and its adjoints, and mixRow(i) (fft/fourier-params.wgsl). */
export const fourierParamsSnippet: WgslSnippet = { name: 'fourier-params.wgsl', source: fourierParamsSource };

/** smallDft(v, radix), divmod, cmul and MAX_RADIX: the FFT kernels' butterflies (fft/fft-butterfly.wgsl; reads `params.sign`). */
export const fftButterflySnippet: WgslSnippet = { name: 'fft-butterfly.wgsl', source: fftButterflySource };

/**
 * Params, twiddle(k), load() and the image stores (imageRowStart + storeImage) of the FFT kernels
 * (fft/fft-io.wgsl; reads `params`, `twiddles`, `scale`, and `src` / `dst` through one of the
 * fftSrc* / fftDst* snippets, which the kernel lists; needs fftButterflySnippet's divmod).
 */
export const fftIoSnippet: WgslSnippet = { name: 'fft-io.wgsl', source: fftIoSource, includes: [fftButterflySnippet] };

/** `src` as planar complex values (f32, re and im imOffset apart): srcComplex, SRC_ROW_UNITS (fft/fft-src-planar.wgsl). */
export const fftSrcPlanarSnippet: WgslSnippet = { name: 'fft-src-planar.wgsl', source: fftSrcPlanarSource };

/** `src` as interleaved complex values (one vec2 each): srcComplex, SRC_ROW_UNITS (fft/fft-src-interleaved.wgsl). */
export const fftSrcInterleavedSnippet: WgslSnippet = { name: 'fft-src-interleaved.wgsl', source: fftSrcInterleavedSource };

/** `dst` as f32s (planar complex, or the image): outputBase, storeFloat, storeSequence (fft/fft-dst-planar.wgsl). */
export const fftDstPlanarSnippet: WgslSnippet = { name: 'fft-dst-planar.wgsl', source: fftDstPlanarSource };

/** `dst` as interleaved complex values (one vec2 each): outputBase, storeFloat, storeSequence (fft/fft-dst-interleaved.wgsl). */
export const fftDstInterleavedSnippet: WgslSnippet = { name: 'fft-dst-interleaved.wgsl', source: fftDstInterleavedSource };

/**
 * firstStage, secondStage: the two stages of fft-pair and fft-whole through the kernel's `mid`
 * (fft/fft-pair-stages.wgsl; reads RADIX1, RADIX2, `params`, `mid` and fftIoSnippet's load, twiddle and stores).
 */
export const fftPairStagesSnippet: WgslSnippet = { name: 'fft-pair-stages.wgsl', source: fftPairStagesSource, includes: [fftIoSnippet] };

/** activate(v, code, alpha): the fused activations of the direct conv and matmul kernels, by code. */
export const activationSnippet: WgslSnippet = { name: 'activation.wgsl', source: activationSource };

/**
 * ACTIVATION, HAS_BIAS, activated and storeOutput8: the fused bias + activation the forward
 * direct-conv kernels store their 8 x 8 blocks with (direct-conv/conv-output8.wgsl; reads `bias`).
 */
export const convOutput8Snippet: WgslSnippet = {
  name: 'conv-output8.wgsl',
  source: convOutput8Source,
  includes: [convBlock8Snippet, activationSnippet],
};

/**
 * keyCell, keyOf, countHighKey, countLowKey, rankedKeyOfHighCounts and nextCountsAfterSelection:
 * Guided IG's quantised |gradient| keys and the rank-th smallest key of a row by a two-level radix
 * select, and the next iteration's counts after an all-the-way move (guided-ig/guided-ig-keys.wgsl;
 * reads `gradient`, the kernel defines `isDone` and `rankKey`).
 */
export const guidedIgKeysSnippet: WgslSnippet = { name: 'guided-ig-keys.wgsl', source: guidedIgKeysSource, includes: [f32Snippet] };

/**
 * isNonFinite, MapFold, foldMapValue, camEpilogue: the CAM epilogue after the weighted sum (ReLU,
 * peaks, upsample, min-max normalisation) of cam-map and eigen-component (cam-epilogue.wgsl; the
 * kernel declares `map`, `output`, `peaks` and FINAL_NORMALISE).
 */
export const camEpilogueSnippet: WgslSnippet = {
  name: 'cam-epilogue.wgsl',
  source: camEpilogueSource,
  includes: [minMaxTreeSnippet, bilinearSnippet],
};
