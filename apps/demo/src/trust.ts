// SPDX-License-Identifier: Apache-2.0
// The trust view. @webxai/core has evaluate() (deletion, insertion, ROAD, ...) but no trustReport()
// (each method scored by each metric) on main yet, and this page does not run the metrics yet, so the
// panel says what is missing instead of showing made-up scores. Wire trustReport() and <xai-curve> here.

/** Fills the trust panel with what is missing and why (data-state="unavailable" for the e2e test). */
export function renderTrustUnavailable(panel: HTMLElement): void {
  panel.dataset.state = 'unavailable';
  const p = document.createElement('p');
  p.className = 'warning';
  p.textContent =
    'Not available yet: this page does not score the maps. The trust table (each method scored by deletion, insertion and other ' +
    "metrics, from webxai's trustReport) and the deletion / insertion curves will appear here once they are wired in; " +
    'until then, no scores are shown rather than made-up ones. The brush above is a hands-on check of what the model relies on.';
  panel.replaceChildren(p);
}
