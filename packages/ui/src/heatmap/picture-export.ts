// SPDX-License-Identifier: Apache-2.0
import { InvalidOptionError } from '@webxai/shaders';

/** Encodes pixels as an image file (PNG unless `type` names another format the browser encodes). */
export function imageDataToBlob(data: ImageData, type: string): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = data.width;
  canvas.height = data.height;
  canvas.getContext('2d')!.putImageData(data, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) =>
        blob ? resolve(blob) : reject(new InvalidOptionError(`the browser could not encode the picture as ${type}; use image/png`)),
      type,
    ),
  );
}

/** Saves a blob as a file through a temporary download link. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
