#!/usr/bin/env node
// The `mtl` command. An installed package runs its compiled JavaScript (dist/, built by `npm pack`);
// a checkout of the repository (which has src/ and tsx) runs the TypeScript sources through tsx's
// loader, so no build step stands between an edit and the command.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/src/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
