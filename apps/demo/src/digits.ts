// SPDX-License-Identifier: Apache-2.0
// Digits as the page handles them: 28x28 grey values in [0, 1], shown as ImageData.
import { greyImage } from './picture.js';

/** One digit: 784 grey values in [0, 1], row-major. */
export interface Digit {
  readonly pixels: Float32Array;
  /** The true class for the embedded digits; undefined for drawn ones. */
  readonly label?: number;
  readonly name: string;
}

export const SIZE = 28;

/** A digit as opaque grey RGBA pixels (what `<xai-explainer>` and `<xai-compare>` take as the image). */
export const toImageData = (pixels: Float32Array): ImageData => greyImage(pixels, SIZE, SIZE);

/** Fills `list` with one thumbnail button per digit; `onPick` gets the index. */
export function renderPicker(list: HTMLElement, digits: readonly Digit[], onPick: (index: number) => void): void {
  list.replaceChildren(
    ...digits.map((digit, index) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'digit';
      button.setAttribute('aria-label', digit.name);
      button.title = digit.name;
      const canvas = document.createElement('canvas');
      canvas.width = SIZE;
      canvas.height = SIZE;
      canvas.getContext('2d')!.putImageData(toImageData(digit.pixels), 0, 0);
      button.append(canvas);
      button.addEventListener('click', () => onPick(index));
      return button;
    }),
  );
}

/** Marks the picked thumbnail (aria-pressed); -1 clears every mark. */
export function markPicked(list: HTMLElement, index: number): void {
  list.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-pressed', String(i === index)));
}
