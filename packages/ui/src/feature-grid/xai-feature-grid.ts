// SPDX-License-Identifier: Apache-2.0
import { Task } from '@lit/task';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { XaiError } from '@webxai/shaders';
import type { ShapedArray, TensorLike } from '../shared/inputs.js';
import { fire, formatValue, toXaiError, type XaiErrorDetail } from '../shared/events.js';
import { activationTiles, imageTiles, type FeatureTile } from './tiles.js';

/** Detail of `xai-select`: the tile opened. */
export interface FeatureSelectDetail {
  readonly index: number;
  readonly channel: number;
  readonly value: number | undefined;
}

/** What the tiles are read from: images, activations, channels, values, order. */
type TileArgs = readonly [
  TensorLike | ShapedArray | undefined,
  TensorLike | ShapedArray | undefined,
  readonly number[] | undefined,
  readonly number[] | undefined,
  readonly number[] | undefined,
];

/**
 * `<xai-feature-grid>`: what a layer's units learned, one tile per channel. Either feature
 * visualisations (`images`, e.g. `visualizeFeature(...).images` [k, h, w, 3] in [0, 1]) or a layer's
 * activations for one image (`activations` [h, w, k] or [1, h, w, k], each channel min-max
 * normalised to grey). Hover or focus shows the channel and its value; click, Enter or Space
 * enlarges a tile (Escape closes); arrow keys move between tiles.
 *
 * @example
 * ```html
 * <xai-feature-grid label="conv2"></xai-feature-grid>
 * <script type="module">
 *   const v = await visualizeFeature(model, { layer: 'conv2', channels: [0, 1, 2, 3] });
 *   const grid = document.querySelector('xai-feature-grid');
 *   grid.channels = v.units;
 *   grid.values = v.finalObjective;
 *   grid.images = v.images; // read once; the grid keeps its own copy
 * </script>
 * ```
 *
 * @fires xai-select - a tile was enlarged; detail {@link FeatureSelectDetail}
 * @fires xai-error - the input could not be read; detail {@link XaiErrorDetail}
 * @fires xai-rendered - the tiles have been drawn
 * @csspart grid - the grid of tiles
 * @csspart tile - one tile (a button)
 * @csspart caption - a tile's channel number
 * @csspart readout - the hovered / focused tile's channel and value
 * @csspart enlarged - the enlarged view (role dialog)
 * @csspart close - the enlarged view's close button
 * @csspart error - the error message
 * @cssprop [--xai-feature-grid-tile=64px] - tile size
 * @cssprop [--xai-feature-grid-gap=6px] - gap between tiles
 * @cssprop [--xai-feature-grid-enlarged=320px] - size of the enlarged view
 */
export class XaiFeatureGrid extends LitElement {
  static override properties = {
    images: { attribute: false },
    activations: { attribute: false },
    channels: { attribute: false },
    values: { attribute: false },
    order: { attribute: false },
    label: { type: String },
    valueLabel: { type: String, attribute: 'value-label' },
    _tiles: { state: true },
    _active: { state: true },
    _open: { state: true },
    _error: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      font:
        12px system-ui,
        sans-serif;
      position: relative;
    }
    [part='grid'] {
      display: grid;
      grid-template-columns: repeat(auto-fill, var(--xai-feature-grid-tile, 64px));
      gap: var(--xai-feature-grid-gap, 6px);
    }
    button {
      padding: 0;
      border: 2px solid transparent;
      background: none;
      cursor: zoom-in;
      font: inherit;
    }
    button:focus-visible,
    button:hover {
      border-color: #1a73e8;
      outline: none;
    }
    canvas {
      display: block;
      width: 100%;
      image-rendering: pixelated;
    }
    [part='caption'] {
      display: block;
      text-align: center;
    }
    [part='readout'] {
      min-height: 1.4em;
      margin: 4px 0;
    }
    [part='enlarged'] {
      position: absolute;
      inset: 0 auto auto 0;
      background: #fff;
      border: 1px solid #888;
      padding: 8px;
      z-index: 1;
    }
    [part='enlarged'] canvas {
      width: var(--xai-feature-grid-enlarged, 320px);
    }
    [part='error'] {
      color: #b00020;
      border: 1px solid currentColor;
      padding: 8px;
    }
  `;

  /** Feature visualisations [k, h, w, 1 | 3] in [0, 1]. */
  declare images: TensorLike | ShapedArray | undefined;
  /** A layer's activations for one image, [h, w, k] or [1, h, w, k] (used when `images` is not set). */
  declare activations: TensorLike | ShapedArray | undefined;
  /** Channel (or class) index of each image tile (default 0, 1, ...). */
  declare channels: readonly number[] | undefined;
  /** A value per tile, in tile order, shown on hover (activations default to each channel's mean). */
  declare values: readonly number[] | undefined;
  /** Which channels of `activations` to show, in this order (e.g. layerActivations' `order[0]`). */
  declare order: readonly number[] | undefined;
  /** Accessible name of the grid, e.g. the layer. */
  declare label: string;
  /** What the value is called in the read-out (default 'activation'). */
  declare valueLabel: string;
  declare _tiles: readonly FeatureTile[] | undefined;
  declare _active: number | undefined;
  declare _open: number | undefined;
  declare _error: XaiError | undefined;

  /**
   * Reads the tiles whenever an input changes. A new run aborts the signal of the one before it,
   * so a superseded run never shows (or announces) its tiles.
   */
  #prepare = new Task(this, {
    args: () => [this.images, this.activations, this.channels, this.values, this.order] as const,
    task: (args: TileArgs, { signal }: { signal: AbortSignal }) => this.#prepareTiles(args, signal),
  });
  /** The tile each tile canvas shows, so a re-render redraws only canvases whose tile changed. */
  #drawn = new WeakMap<HTMLCanvasElement, FeatureTile>();
  #opener: HTMLElement | undefined;

  constructor() {
    super();
    this.images = undefined;
    this.activations = undefined;
    this.channels = undefined;
    this.values = undefined;
    this.order = undefined;
    this.label = 'Features';
    this.valueLabel = 'activation';
    this._tiles = undefined;
    this._active = undefined;
    this._open = undefined;
    this._error = undefined;
  }

  /** Resolves when the tiles have been read and drawn. */
  get renderComplete(): Promise<void> {
    return this.updateComplete
      .then(() => this.#prepare.taskComplete)
      .then(() => this.updateComplete)
      .then(() => undefined);
  }

  /** The tiles shown (channel and value each). */
  get tiles(): readonly Pick<FeatureTile, 'channel' | 'value'>[] {
    return (this._tiles ?? []).map(({ channel, value }) => ({ channel, value }));
  }

  /** Enlarges tile `index` (as a click does). */
  open(index: number): void {
    const tile = this._tiles?.[index];
    if (!tile) return;
    this.#opener = this.renderRoot.querySelector<HTMLElement>(`button[data-index="${index}"]`) ?? undefined;
    this._open = index;
    fire<FeatureSelectDetail>(this, 'xai-select', { index, channel: tile.channel, value: tile.value });
  }

  /** Closes the enlarged view and returns focus to its tile. */
  close(): void {
    if (this._open === undefined) return;
    this._open = undefined;
    void this.updateComplete.then(() => this.#opener?.focus());
  }

  /** Shows the tiles of the inputs (or the error reading them); never throws. */
  async #prepareTiles([images, activations, channels, values, order]: TileArgs, signal: AbortSignal): Promise<void> {
    try {
      let tiles: FeatureTile[] = [];
      if (images) tiles = await imageTiles(images, channels, values);
      else if (activations) tiles = await activationTiles(activations, order, values);
      if (signal.aborted) return;
      this._error = undefined;
      this._tiles = tiles;
      this._open = undefined;
      this._active = undefined;
      await this.updateComplete;
      if (signal.aborted) return; // newer tiles are on their way: announce those instead
      this.#draw();
      fire(this, 'xai-rendered', { tiles: tiles.length });
    } catch (e) {
      if (signal.aborted) return;
      const error = toXaiError(e);
      this._tiles = undefined;
      this._error = error;
      fire<XaiErrorDetail>(this, 'xai-error', { error });
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.#draw();
    if (changed.has('_open') && this._open !== undefined) {
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas[data-enlarged]');
      const tile = this._tiles?.[this._open];
      if (canvas && tile) {
        canvas.width = tile.image.width;
        canvas.height = tile.image.height;
        canvas.getContext('2d')!.putImageData(tile.image, 0, 0);
      }
      this.renderRoot.querySelector<HTMLButtonElement>('[part="close"]')?.focus();
    }
  }

  #draw(): void {
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-index]')) {
      const tile = this._tiles?.[Number(canvas.dataset['index'])];
      if (!tile || this.#drawn.get(canvas) === tile) continue;
      canvas.width = tile.image.width;
      canvas.height = tile.image.height;
      canvas.getContext('2d')!.putImageData(tile.image, 0, 0);
      this.#drawn.set(canvas, tile);
    }
  }

  #describe(tile: FeatureTile): string {
    return `Channel ${tile.channel}${tile.value === undefined ? '' : `, ${this.valueLabel} ${formatValue(tile.value)}`}`;
  }

  #onKey(event: KeyboardEvent, index: number): void {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault(); // handled here, so the button's own click does not open it twice
      this.open(index);
      return;
    }
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('button[data-index]')];
    const columns = Math.max(
      1,
      Math.round((this.renderRoot.querySelector('[part="grid"]') as HTMLElement).clientWidth / (buttons[0]?.offsetWidth || 1)),
    );
    const step: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns,
      ArrowUp: -columns,
      Home: -index,
      End: buttons.length - 1 - index,
    };
    if (!(event.key in step)) return;
    event.preventDefault();
    const next = Math.min(Math.max(index + step[event.key]!, 0), buttons.length - 1);
    buttons[next]?.focus();
  }

  override render() {
    if (this._error) return html`<div part="error" role="alert">${this._error.message}</div>`;
    const tiles = this._tiles;
    if (!tiles) return nothing;
    const active = this._active === undefined ? undefined : tiles[this._active];
    const open = this._open === undefined ? undefined : tiles[this._open];
    return html`
      <div part="readout" aria-live="polite">${active ? this.#describe(active) : ''}</div>
      <div part="grid" role="group" aria-label=${this.label}>
        ${repeat(
          tiles,
          (_, i) => i,
          (tile, i) =>
            html`<button
              part="tile"
              data-index=${i}
              aria-label=${this.#describe(tile)}
              title=${this.#describe(tile)}
              @pointerenter=${() => (this._active = i)}
              @focus=${() => (this._active = i)}
              @click=${() => this.open(i)}
              @keydown=${(e: KeyboardEvent) => this.#onKey(e, i)}
            >
              <canvas data-index=${i} aria-hidden="true"></canvas>
              <span part="caption">${tile.channel}</span>
            </button>`,
        )}
      </div>
      ${
        open
          ? html`<div part="enlarged" role="dialog" aria-modal="false" aria-label=${this.#describe(open)}>
              <div>${this.#describe(open)}</div>
              <canvas data-enlarged aria-hidden="true"></canvas>
              <button part="close" @click=${() => this.close()}>Close</button>
            </div>`
          : nothing
      }
    `;
  }

  protected override firstUpdated(): void {
    this.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
  }
}

if (!customElements.get('xai-feature-grid')) customElements.define('xai-feature-grid', XaiFeatureGrid);

declare global {
  interface HTMLElementTagNameMap {
    'xai-feature-grid': XaiFeatureGrid;
  }
}
