// SPDX-License-Identifier: Apache-2.0
// A tiny reader of NumPy .npy files (v1.0, '<f4', C order), independent of the writer, to check it.

export interface NpyArray {
  readonly shape: number[];
  readonly data: Float32Array;
}

export function parseNpy(bytes: Uint8Array): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error(`not .npy (magic ${JSON.stringify(magic)})`);
  if (bytes[6] !== 1 || bytes[7] !== 0) throw new Error(`version ${bytes[6]}.${bytes[7]}`);
  const headerLength = bytes[8]! | (bytes[9]! << 8);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + headerLength));
  if ((10 + headerLength) % 64 !== 0 || !header.endsWith('\n')) throw new Error('header not padded to 64 bytes with a final newline');
  if (!/'descr': '<f4'/.test(header) || !/'fortran_order': False/.test(header)) throw new Error(`unsupported header ${header}`);
  const shapeText = /'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const offset = 10 + headerLength;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, bytes.byteLength - offset);
  const data = new Float32Array(view.byteLength / 4);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`shape (${shape}) does not match ${data.length} values`);
  return { shape, data };
}
