// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedSource, watFiles } from '../../../../scripts/compile-wat.mjs';

describe('core WebAssembly modules', () => {
  it('each committed .generated.ts holds its .wat compiled by wabt (rerun scripts/compile-wat.mjs after editing a .wat)', async () => {
    const files = watFiles(fileURLToPath(new URL('../../..', import.meta.url)));
    expect(files.map((f) => f.split('/').pop())).toContain('rise-row.wat');
    for (const wat of files) expect(readFileSync(wat.replace(/\.wat$/, '.generated.ts'), 'utf8')).toBe(await generatedSource(wat));
  });
});
