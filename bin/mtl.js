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
// A reader that stops early (`mtl predict … | head`) closes the pipe: stop quietly, as Unix tools do,
// instead of a stack trace for the EPIPE of the next write.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
