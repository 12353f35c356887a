// SPDX-License-Identifier: Apache-2.0

/** Sliding-window geometry (Captum `Occlusion` semantics, over height and width). */
export interface OcclusionGeometry {
  readonly height: number;
  readonly width: number;
  readonly windowH: number;
  readonly windowW: number;
  readonly strideY: number;
  readonly strideX: number;
}

/** Window positions down and across: Captum's `(size - window) // stride + 1` per axis. */
export function occlusionWindowCounts(g: OcclusionGeometry): { rows: number; cols: number; total: number } {
  const rows = Math.floor((g.height - g.windowH) / g.strideY) + 1;
  const cols = Math.floor((g.width - g.windowW) / g.strideX) + 1;
  return { rows, cols, total: rows * cols };
}

/** CPU reference for occlusion-masks.wgsl and the explicit CPU path: `count` keep-masks [count, H, W]. */
export function occlusionMasksRef(g: OcclusionGeometry, firstWindow: number, count: number, out?: Float32Array): Float32Array {
  const { height, width, windowH, windowW, strideY, strideX } = g;
  const { cols } = occlusionWindowCounts(g);
  const pixels = height * width;
  const masks = out ?? new Float32Array(count * pixels);
  masks.fill(1, 0, count * pixels);
  for (let b = 0; b < count; b++) {
    const k = firstWindow + b;
    const top = Math.floor(k / cols) * strideY;
    const left = (k % cols) * strideX;
    for (let y = top; y < Math.min(height, top + windowH); y++) {
      masks.fill(0, b * pixels + y * width + left, b * pixels + y * width + Math.min(width, left + windowW));
    }
  }
  return masks;
}
