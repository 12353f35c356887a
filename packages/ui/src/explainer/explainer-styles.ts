// SPDX-License-Identifier: Apache-2.0
import { css } from 'lit';

/** `<xai-explainer>`'s shadow-root styles; the custom properties are documented on the element. */
export const explainerStyles = css`
  :host {
    display: block;
    font:
      13px system-ui,
      sans-serif;
  }
  [part='toolbar'] {
    display: flex;
    gap: 8px;
    align-items: center;
    flex-wrap: wrap;
    margin-bottom: 8px;
  }
  [part='predictions'] {
    display: flex;
    flex-direction: column;
    gap: 2px;
    margin-bottom: 8px;
  }
  [part~='prediction'] {
    text-align: left;
    font: inherit;
    border: 1px solid #ccc;
    background: none;
    padding: 2px 6px;
    cursor: pointer;
  }
  [part~='prediction'][aria-pressed='true'] {
    border-color: var(--xai-explainer-accent, #1a73e8);
    box-shadow: inset 3px 0 0 var(--xai-explainer-accent, #1a73e8);
  }
  progress {
    width: 100%;
  }
  [part='error'] {
    color: var(--xai-explainer-error-color, #b00020);
    border: 1px solid currentColor;
    padding: 8px;
    margin: 8px 0;
  }
  [hidden] {
    display: none !important;
  }
`;
