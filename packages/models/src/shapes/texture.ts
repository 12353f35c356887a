// SPDX-License-Identifier: Apache-2.0
/** Largest amount the texture adds to or takes from the background's base colour, per channel. */
export const TEXTURE_AMPLITUDE = 0.1;

/** Value-noise lattice: (CELLS + 1)^2 random heights, one cell per 8 pixels of a 64-pixel image. */
const CELLS = 8;
/** Random values the texture reads: the lattice, then the stripes' angle, wavelength and phase. */
export const TEXTURE_VALUES = (CELLS + 1) ** 2 + 3;

/** Smoothstep, so the noise has no visible lattice creases. */
function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** A triangle wave of period 1 in [-1, 1]: stripes without Math.sin, whose last bit varies between engines. */
function triangleWave(p: number): number {
  return 4 * Math.abs(p - Math.floor(p) - 0.5) - 1;
}

/**
 * Fills the [size, size, 3] `image` with `base` plus a grey texture in [-TEXTURE_AMPLITUDE,
 * TEXTURE_AMPLITUDE]: 60% smooth value noise (random heights on a lattice, interpolated) and 40%
 * straight stripes (a triangle wave) of random direction, wavelength (6 to 16 pixels) and phase.
 * Blobs and stripes are cues a classifier must learn to ignore; neither looks like one of the shapes.
 * Only +, -, *, / and floor: the same bytes on every JavaScript engine.
 *
 * @param uniforms returns `count` uniforms in [0, 1) of the image's stream from `offset` on.
 */
export function paintBackground(
  image: Float32Array,
  size: number,
  base: Float32Array,
  uniforms: (offset: number, count: number) => Float32Array,
): void {
  const values = uniforms(0, TEXTURE_VALUES);
  const lattice = values.subarray(0, (CELLS + 1) ** 2);
  const [directionU, wavelengthU, phaseU] = values.subarray((CELLS + 1) ** 2);
  // The stripes' unit normal from t = tan(angle / 2) in [-1, 1] (rational, so exact everywhere).
  const t = 2 * directionU! - 1;
  const [dx, dy] = [(1 - t * t) / (1 + t * t), (2 * t) / (1 + t * t)];
  const wavelength = 6 + 10 * wavelengthU!;
  const cell = size / CELLS;
  const height = (i: number, j: number) => 2 * lattice[j * (CELLS + 1) + i]! - 1;
  for (let y = 0; y < size; y++) {
    const fy = (y + 0.5) / cell;
    const j = Math.min(CELLS - 1, Math.floor(fy));
    const ty = smooth(fy - j);
    for (let x = 0; x < size; x++) {
      const fx = (x + 0.5) / cell;
      const i = Math.min(CELLS - 1, Math.floor(fx));
      const tx = smooth(fx - i);
      const top = height(i, j) + (height(i + 1, j) - height(i, j)) * tx;
      const bottom = height(i, j + 1) + (height(i + 1, j + 1) - height(i, j + 1)) * tx;
      const noise = top + (bottom - top) * ty;
      const stripes = triangleWave((x * dx + y * dy) / wavelength + phaseU!);
      const value = TEXTURE_AMPLITUDE * (0.6 * noise + 0.4 * stripes);
      for (let c = 0; c < 3; c++) image[(y * size + x) * 3 + c] = base[c]! + value;
    }
  }
}
