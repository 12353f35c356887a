// SPDX-License-Identifier: Apache-2.0
import { LitElement, css, html, nothing, svg, type PropertyValues } from 'lit';
import type { XaiError } from '@webxai/shaders';
import { fire, formatValue, toXaiError, type XaiErrorDetail } from '../shared/events.js';
import { curveAuc, seriesX, type CurveSeries } from './auc.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/**
 * `<xai-curve>`: a small SVG line chart of deletion / insertion curves (model score as pixels are
 * removed or added in attribution order), with each curve's area under the curve in the legend.
 * Lower deletion AUC and higher insertion AUC mean a more faithful attribution.
 *
 * @example
 * ```html
 * <xai-curve x-label="fraction of pixels deleted" y-label="score"></xai-curve>
 * <script type="module">
 *   document.querySelector('xai-curve').curves = [{ label: 'deletion', y: [0.9, 0.4, 0.1, 0.05] }];
 * </script>
 * ```
 *
 * @fires xai-error - a curve is malformed (fewer than 2 points, NaN, x/y length mismatch); detail {@link XaiErrorDetail}
 * @csspart chart - the SVG
 * @csspart line - each curve's polyline
 * @csspart legend - the legend list (label and AUC per curve)
 * @csspart error - the error message
 * @cssprop [--xai-curve-width=240px] - chart width
 * @cssprop [--xai-curve-height=140px] - chart height
 * @cssprop [--xai-curve-axis-color=#555] - axis and tick colour
 */
export class XaiCurve extends LitElement {
  static override properties = {
    curves: { attribute: false },
    xLabel: { type: String, attribute: 'x-label' },
    yLabel: { type: String, attribute: 'y-label' },
    _error: { state: true },
  };

  static override styles = css`
    :host {
      display: inline-block;
      font:
        11px system-ui,
        sans-serif;
    }
    svg {
      width: var(--xai-curve-width, 240px);
      height: var(--xai-curve-height, 140px);
      overflow: visible;
      color: var(--xai-curve-axis-color, #555);
    }
    [part='legend'] {
      list-style: none;
      margin: 4px 0 0;
      padding: 0;
    }
    .swatch {
      display: inline-block;
      width: 10px;
      height: 3px;
      vertical-align: middle;
      margin-right: 4px;
    }
    [part='error'] {
      color: #b00020;
      border: 1px solid currentColor;
      padding: 8px;
    }
  `;

  /** The curves to draw. */
  declare curves: readonly CurveSeries[];
  declare xLabel: string;
  declare yLabel: string;
  declare _error: XaiError | undefined;

  #prepared: { label: string; points: string; auc: number; color: string }[] = [];
  #yRange: [number, number] = [0, 1];

  constructor() {
    super();
    this.curves = [];
    this.xLabel = 'fraction of pixels';
    this.yLabel = 'score';
    this._error = undefined;
  }

  /** AUC per curve, in order (empty while in the error state). */
  get aucs(): number[] {
    return this.#prepared.map((c) => c.auc);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('curves')) return;
    try {
      const curves: readonly CurveSeries[] = Array.isArray(this.curves) ? this.curves : [];
      const xs = curves.map(seriesX);
      const ys = curves.flatMap((c) => c.y);
      const xMax = Math.max(1, ...xs.flat());
      const lo = Math.min(0, ...ys);
      let hi = Math.max(1, ...ys);
      if (hi === lo) hi = lo + 1;
      this.#yRange = [lo, hi];
      this.#prepared = curves.map((c, k) => ({
        label: String(c.label),
        auc: curveAuc(c),
        color: PALETTE[k % PALETTE.length]!,
        points: c.y.map((y, i) => `${((xs[k]![i]! / xMax) * 100).toFixed(2)},${(100 - ((y - lo) / (hi - lo)) * 100).toFixed(2)}`).join(' '),
      }));
      this._error = undefined;
    } catch (e) {
      this.#prepared = [];
      const error = toXaiError(e);
      this._error = error;
      fire<XaiErrorDetail>(this, 'xai-error', { error });
    }
  }

  override render() {
    if (this._error) return html`<div part="error" role="alert">${this._error.message}</div>`;
    const [lo, hi] = this.#yRange;
    const summary = this.#prepared.map((c) => `${c.label}: AUC ${formatValue(c.auc)}`).join('; ');
    return html`
      <svg
        part="chart"
        viewBox="0 0 100 100"
        preserveAspectRatio="none"
        role="img"
        aria-label=${`${this.yLabel} against ${this.xLabel}. ${summary}`}
      >
        <line x1="0" y1="100" x2="100" y2="100" stroke="currentColor" stroke-width="1" vector-effect="non-scaling-stroke"></line>
        <line x1="0" y1="0" x2="0" y2="100" stroke="currentColor" stroke-width="1" vector-effect="non-scaling-stroke"></line>
        ${this.#prepared.map(
          (c) =>
            svg`<polyline part="line" points=${c.points} fill="none" stroke=${c.color} stroke-width="2" vector-effect="non-scaling-stroke"><title>${c.label}</title></polyline>`,
        )}
      </svg>
      <div aria-hidden="true">${this.yLabel} ${formatValue(lo)}–${formatValue(hi)} against ${this.xLabel}</div>
      ${
        this.#prepared.length
          ? html`<ul part="legend">
              ${this.#prepared.map((c) => html`<li><span class="swatch" style="background:${c.color}"></span>${c.label} (AUC ${formatValue(c.auc)})</li>`)}
            </ul>`
          : nothing
      }
    `;
  }
}

if (!customElements.get('xai-curve')) customElements.define('xai-curve', XaiCurve);

declare global {
  interface HTMLElementTagNameMap {
    'xai-curve': XaiCurve;
  }
}
