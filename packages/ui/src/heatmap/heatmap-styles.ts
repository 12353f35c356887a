// SPDX-License-Identifier: Apache-2.0
import { css } from 'lit';

/** `<xai-heatmap>`'s shadow-root styles; the custom properties are documented on the element. */
export const heatmapStyles = css`
  :host {
    display: inline-block;
    font: var(--xai-heatmap-font, 12px system-ui, sans-serif);
    outline: none;
  }
  :host(:focus-visible) [part='figure'] {
    outline: 2px solid var(--xai-heatmap-focus-color, #1a73e8);
    outline-offset: 2px;
  }
  [part='figure'] {
    position: relative;
    line-height: 0;
  }
  canvas {
    display: block;
    width: var(--xai-heatmap-width, auto);
    image-rendering: pixelated;
  }
  [hidden] {
    display: none !important;
  }
  [part='legend'] {
    margin-top: 4px;
    line-height: 1.2;
  }
  [part='legend-bar'] {
    height: 10px;
    min-width: 48px;
  }
  .ticks {
    display: flex;
    justify-content: space-between;
  }
  [part='readout'] {
    min-height: 1.2em;
    line-height: 1.2;
    font-variant-numeric: tabular-nums;
  }
  [part='error'] {
    color: var(--xai-heatmap-error-color, #b00020);
    border: 1px solid currentColor;
    padding: 8px;
    line-height: 1.3;
    max-width: 40ch;
  }
  [part='description'] {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
