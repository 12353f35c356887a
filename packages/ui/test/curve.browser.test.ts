// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import '../src/index.js';
import { curveAuc, type XaiCurve, type XaiErrorDetail } from '../src/index.js';
import { nextEvent } from './helpers.js';

async function mount(props: Partial<XaiCurve>): Promise<XaiCurve> {
  const el = document.createElement('xai-curve');
  Object.assign(el, props);
  document.body.append(el);
  await el.updateComplete;
  return el;
}

afterEach(() => document.querySelectorAll('xai-curve').forEach((el) => el.remove()));

describe('curveAuc', () => {
  it('is the trapezoidal area over [0, 1] (hand-computed cases)', () => {
    expect(curveAuc({ label: 'line', y: [1, 0] })).toBeCloseTo(0.5, 12);
    expect(curveAuc({ label: 'flat', y: [0.3, 0.3, 0.3, 0.3] })).toBeCloseTo(0.3, 12);
    expect(curveAuc({ label: 'steps', y: [1, 0.5, 0] })).toBeCloseTo(0.5, 12);
    expect(curveAuc({ label: 'explicit x', x: [0, 0.1, 1], y: [1, 0, 0] })).toBeCloseTo(0.05, 12);
  });
});

describe('<xai-curve>', () => {
  it('draws one polyline per curve and puts the AUC in the legend', async () => {
    const el = await mount({
      curves: [
        { label: 'deletion', y: [1, 0.4, 0.1, 0] },
        { label: 'insertion', y: [0, 0.6, 0.9, 1] },
      ],
    });
    const lines = el.shadowRoot!.querySelectorAll('polyline');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.getAttribute('points')).toBe('0.00,0.00 33.33,60.00 66.67,90.00 100.00,100.00');
    const legend = [...el.shadowRoot!.querySelectorAll('[part=legend] li')].map((li) => li.textContent.trim());
    // Hand-computed trapezoids with dx = 1/3: deletion (1.4 + 0.5 + 0.1) / 6, insertion (0.6 + 1.5 + 1.9) / 6.
    expect(legend).toEqual(['deletion (AUC 0.333)', 'insertion (AUC 0.667)']);
    expect(el.aucs[0]).toBeCloseTo(2 / 6, 12);
    expect(el.aucs[1]).toBeCloseTo(4 / 6, 12);
    expect(el.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).toContain('insertion: AUC 0.667');
  });

  it('re-renders when curves change', async () => {
    const el = await mount({ curves: [{ label: 'a', y: [1, 0] }] });
    el.curves = [{ label: 'b', y: [0, 1, 1] }];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=legend] li')!.textContent.trim()).toBe('b (AUC 0.75)');
  });

  it('bad curves: readable error and xai-error; labels stay text', async () => {
    const el = document.createElement('xai-curve');
    const error = nextEvent<XaiErrorDetail>(el, 'xai-error');
    el.curves = [{ label: 'nan', y: [1, NaN, 0] }];
    document.body.append(el);
    expect((await error).detail.error.message).toMatch(/curve "nan" has a NaN/);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).toMatch(/NaN or infinite value at point 1/);
    expect(el.shadowRoot!.querySelector('polyline')).toBeNull();
    el.curves = [{ label: '<img src=x onerror=alert(1)>', y: [1, 0] }];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('img')).toBeNull();
    expect(el.shadowRoot!.querySelector('[part=legend] li')!.textContent).toContain('<img src=x onerror=alert(1)>');
    el.curves = [{ label: 'short', y: [1] }];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=error]')!.textContent).toMatch(/at least 2 points/);
  });
});
