// SPDX-License-Identifier: Apache-2.0
import { Task } from '@lit/task';
import { LitElement, css, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import {
  DEFAULT_HISTOGRAM_BINS,
  magnitudeStatsRef,
  percentileFromHistogram,
  type BlendMode,
  type ColormapName,
  type SignMode,
  type XaiError,
} from '@webxai/shaders';
import {
  toAttributionMap,
  type AttributionInput,
  type AttributionMap,
  type ChannelReduce,
  type ImageInput,
  type ShapedArray,
} from '../shared/inputs.js';
import { fire, formatValue, toXaiError, type XaiErrorDetail } from '../shared/events.js';
import '../heatmap/xai-heatmap.js';

/** One cell of `<xai-compare>`: a label (plain text, never HTML) and an attribution. */
export interface CompareItem {
  readonly label: string;
  readonly attribution: AttributionInput;
}

/** What the cells are prepared from: items, reduce, sharedScale, signed, clip. */
type PrepareArgs = readonly [readonly CompareItem[], ChannelReduce, boolean, SignMode, number];

/**
 * `<xai-compare>`: a grid of `<xai-heatmap>`s for one image, one cell per method (or class).
 * With `shared-scale`, every cell uses one colour scale: the largest of the cells' percentile clips,
 * so equal colours mean equal values across cells.
 *
 * @example
 * ```html
 * <xai-compare shared-scale colormap="inferno"></xai-compare>
 * <script type="module">
 *   const grid = document.querySelector('xai-compare');
 *   grid.image = 'cat.png';
 *   grid.items = [{ label: 'Saliency', attribution: a1 }, { label: 'Integrated gradients', attribution: a2 }];
 * </script>
 * ```
 *
 * @fires xai-error - an item could not be read; detail {@link XaiErrorDetail}
 * @fires xai-rendered - bubbles from every cell's `<xai-heatmap>`
 * @csspart grid - the grid of cells
 * @csspart cell - one cell (figure)
 * @csspart caption - a cell's label
 * @csspart heatmap - a cell's `<xai-heatmap>`
 * @csspart scale - the shared-scale note
 * @csspart error - the error message
 * @cssprop [--xai-compare-columns=auto-fill] - number of grid columns (default: as many as fit)
 * @cssprop [--xai-compare-cell-width=160px] - minimum width of a cell
 * @cssprop [--xai-compare-gap=12px] - gap between cells
 */
export class XaiCompare extends LitElement {
  static override properties = {
    image: { attribute: false },
    items: { attribute: false },
    sharedScale: { type: Boolean, attribute: 'shared-scale', reflect: true },
    colormap: { type: String },
    mode: { type: String },
    signed: { type: String },
    clip: { type: Number },
    opacity: { type: Number },
    topK: { type: Number, attribute: 'top-k' },
    reduce: { type: String },
    renderer: { type: String },
    device: { attribute: false },
    _maps: { state: true },
    _range: { state: true },
    _error: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      font:
        12px system-ui,
        sans-serif;
    }
    [part='grid'] {
      display: grid;
      grid-template-columns: repeat(var(--xai-compare-columns, auto-fill), minmax(var(--xai-compare-cell-width, 160px), 1fr));
      gap: var(--xai-compare-gap, 12px);
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-weight: 600;
      margin-bottom: 4px;
      overflow-wrap: anywhere;
    }
    [part='error'] {
      color: #b00020;
      border: 1px solid currentColor;
      padding: 8px;
    }
  `;

  /** The image every cell shows (see `<xai-heatmap>`'s `image`). */
  declare image: ImageInput | undefined;
  /** The cells: label + attribution each. */
  declare items: readonly CompareItem[];
  /** Use one colour scale for every cell. */
  declare sharedScale: boolean;
  declare colormap: ColormapName;
  declare mode: BlendMode;
  declare signed: SignMode;
  declare clip: number;
  declare opacity: number;
  declare topK: number;
  declare reduce: ChannelReduce;
  declare renderer: 'auto' | 'webgpu' | 'canvas2d';
  declare device: GPUDevice | undefined;
  declare _maps: readonly { map: AttributionMap; input: ShapedArray }[] | undefined;
  declare _range: number | undefined;
  declare _error: XaiError | undefined;

  /**
   * Reads the items' maps (and the shared scale) whenever an input they depend on changes. A new
   * run aborts the signal of the one before it, so a superseded run never shows its cells.
   */
  #prepare = new Task(this, {
    args: () => [this.items, this.reduce, this.sharedScale, this.signed, this.clip] as const,
    task: (args: PrepareArgs, { signal }: { signal: AbortSignal }) => this.#prepareCells(args, signal),
  });

  constructor() {
    super();
    this.image = undefined;
    this.items = [];
    this.sharedScale = false;
    this.colormap = 'turbo';
    this.mode = 'overlay';
    this.signed = 'absolute';
    this.clip = 99;
    this.opacity = 0.5;
    this.topK = 10;
    this.reduce = 'sum';
    this.renderer = 'auto';
    this.device = undefined;
    this._maps = undefined;
    this._range = undefined;
    this._error = undefined;
  }

  /** The shared colour-scale value (undefined unless `shared-scale`). */
  get sharedRange(): number | undefined {
    return this._range;
  }

  /** Resolves when the cells have been prepared and every cell has rendered. */
  get renderComplete(): Promise<void> {
    return this.updateComplete
      .then(() => this.#prepare.taskComplete)
      .then(() => this.updateComplete)
      .then(() => Promise.all([...this.renderRoot.querySelectorAll('xai-heatmap')].map((h) => h.renderComplete)))
      .then(() => undefined);
  }

  /** Shows the maps of `items` (and their shared scale), or the error reading them; never throws. */
  async #prepareCells([items, reduce, sharedScale, signed, clip]: PrepareArgs, signal: AbortSignal): Promise<void> {
    try {
      const list: readonly CompareItem[] = Array.isArray(items) ? items : [];
      const maps = await Promise.all(list.map((item) => toAttributionMap(item.attribution, reduce)));
      if (signal.aborted) return;
      // Each cell's own percentile clip (same histogram as <xai-heatmap>'s CPU path), then the largest.
      const range =
        sharedScale && maps.length
          ? Math.max(...maps.map((m) => percentileFromHistogram(magnitudeStatsRef(m.values, signed, DEFAULT_HISTOGRAM_BINS), clip).value))
          : undefined;
      this._error = undefined;
      this._maps = maps.map((map) => ({ map, input: { data: map.values, shape: [map.height, map.width] } }));
      this._range = range;
    } catch (e) {
      if (signal.aborted) return;
      const error = toXaiError(e);
      this._maps = undefined;
      this._error = error;
      fire<XaiErrorDetail>(this, 'xai-error', { error });
    }
  }

  override render() {
    if (this._error) return html`<div part="error" role="alert">${this._error.message}</div>`;
    const maps = this._maps;
    if (!maps) return nothing;
    const cells = maps.map((m, i) => ({ input: m.input, label: String(this.items[i]?.label ?? `#${i + 1}`), key: i }));
    return html`
      ${this._range !== undefined ? html`<div part="scale">Shared colour scale: saturates at ${formatValue(this._range)}</div>` : nothing}
      <div part="grid" role="list">
        ${repeat(
          cells,
          (c) => c.key,
          (c) =>
            html`<figure part="cell" role="listitem">
              <figcaption part="caption">${c.label}</figcaption>
              <xai-heatmap
                part="heatmap"
                .image=${this.image}
                .attribution=${c.input}
                .colormap=${this.colormap}
                .mode=${this.mode}
                .signed=${this.signed}
                .clip=${this.clip}
                .range=${this._range}
                .opacity=${this.opacity}
                .topK=${this.topK}
                .renderer=${this.renderer}
                .device=${this.device}
                .label=${c.label}
              ></xai-heatmap>
            </figure>`,
        )}
      </div>
    `;
  }
}

if (!customElements.get('xai-compare')) customElements.define('xai-compare', XaiCompare);

declare global {
  interface HTMLElementTagNameMap {
    'xai-compare': XaiCompare;
  }
}
