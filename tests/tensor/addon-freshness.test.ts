/**
 * The stale-addon check (src/tensor/addon-freshness.ts): sources newer than the built addon are
 * named; an addon at least as new as every source, a missing addon or a missing native/ folder give none.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { staleAddonSources } from '../../src/tensor/addon-freshness.js';

test('staleAddonSources names the sources changed after the build', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'addon-'));
  try {
    const addon = path.join(root, 'build', 'Release', 'mtl_native.node');
    assert.deepEqual(staleAddonSources(root, addon), [], 'no native/ folder: nothing to compare');
    mkdirSync(path.join(root, 'native'));
    mkdirSync(path.dirname(addon), { recursive: true });
    const at = (file: string, seconds: number) => {
      writeFileSync(file, '');
      utimesSync(file, seconds, seconds);
    };
    at(path.join(root, 'native', 'ops.cc'), 1000);
    at(path.join(root, 'binding.gyp'), 1000);
    assert.deepEqual(staleAddonSources(root, addon), [], 'no addon built yet: nothing to compare');
    at(addon, 2000);
    assert.deepEqual(staleAddonSources(root, addon), [], 'built after every source');
    at(path.join(root, 'native', 'adamw.cc'), 3000);
    at(path.join(root, 'binding.gyp'), 3000);
    at(path.join(root, 'native', 'guard.h'), 3000);
    at(path.join(root, 'native', 'build.mjs'), 3000);
    assert.deepEqual(
      staleAddonSources(root, addon).sort(),
      ['binding.gyp', path.join('native', 'adamw.cc'), path.join('native', 'guard.h')],
      'the three newer sources; a newer build script is not one',
    );
  } finally {
    rmSync(root, { recursive: true });
  }
});
