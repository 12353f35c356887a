// SPDX-License-Identifier: Apache-2.0

/**
 * A float32 array as a NumPy `.npy` file (format version 1.0, little-endian '<f4', C order), which
 * `numpy.load` reads as is.
 */
export function encodeNpy(values: Float32Array, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new Error(`encodeNpy: shape [${shape}] holds ${count} values, got ${values.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in '\n'.
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const out = Buffer.alloc(10 + header.length + values.length * 4);
  out.write('\x93NUMPY', 0, 'latin1');
  out.writeUInt8(1, 6);
  out.writeUInt8(0, 7);
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, 10 + header.length + i * 4);
  return out;
}
