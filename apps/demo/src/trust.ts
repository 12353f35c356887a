// SPDX-License-Identifier: Apache-2.0
// The trust view. webxai's faithfulness metrics (trustReport: each method scored by each metric;
// deletion / insertion curves for <xai-curve>) are not in @webxai/core yet, so this panel says so
// instead of showing made-up scores. Wire trustReport() here once core exports it.

/** Fills the trust panel with what is missing and why (data-state="unavailable" for the e2e test). */
export function renderTrustUnavailable(panel: HTMLElement): void {
  panel.dataset.state = 'unavailable';
  const p = document.createElement('p');
  p.className = 'warning';
  p.textContent =
    'Not available yet: this build of webxai has no faithfulness metrics. The trust table (each method scored by deletion, insertion and ' +
    'other metrics, from trustReport) and the deletion / insertion curves will appear here once @webxai/core provides them. ' +
    'Until then, no scores are shown rather than made-up ones; the brush above is a hands-on check of what the model relies on.';
  panel.replaceChildren(p);
}
