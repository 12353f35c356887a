// SPDX-License-Identifier: Apache-2.0

/** A pixel of the attribution map under the read-out cursor. */
export interface Cursor {
  readonly x: number;
  readonly y: number;
}

interface MapSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The map pixel under a pointer over `canvas`, or undefined outside the map. The canvas may be wider
 * than the map (side-by-side mode shows it beside the image), so x wraps around the map's width.
 */
export function cursorAtPointer(
  pointer: { clientX: number; clientY: number },
  canvas: HTMLCanvasElement,
  map: MapSize,
): Cursor | undefined {
  const rect = canvas.getBoundingClientRect();
  if (rect.width === 0 || rect.height === 0) return undefined;
  const px = Math.floor(((pointer.clientX - rect.left) / rect.width) * canvas.width);
  const py = Math.floor(((pointer.clientY - rect.top) / rect.height) * canvas.height);
  if (px < 0 || py < 0 || px >= canvas.width || py >= map.height) return undefined;
  return { x: px % map.width, y: py };
}

/** What a key press does to the cursor: arrows move it (the first press shows it at the centre), Escape hides it. */
export type CursorKeyAction = { readonly kind: 'ignored' } | { readonly kind: 'hide' } | { readonly kind: 'move'; readonly cursor: Cursor };

const ARROWS: Readonly<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** The cursor after `key` (Shift moves 10 pixels), kept inside the map. */
export function cursorAfterKey(key: { key: string; shiftKey: boolean }, cursor: Cursor | undefined, map: MapSize): CursorKeyAction {
  if (key.key === 'Escape') return { kind: 'hide' };
  const arrow = ARROWS[key.key];
  if (!arrow) return { kind: 'ignored' };
  if (!cursor) return { kind: 'move', cursor: { x: Math.floor(map.width / 2), y: Math.floor(map.height / 2) } };
  const step = key.shiftKey ? 10 : 1;
  const clampTo = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  return {
    kind: 'move',
    cursor: { x: clampTo(cursor.x + arrow[0] * step, map.width), y: clampTo(cursor.y + arrow[1] * step, map.height) },
  };
}
