/**
 * Headless Chromium for tests that check what a page renders: `dumpDom` loads a file, lets its
 * scripts run, and returns the DOM as serialized after them. Where no Chromium is installed the
 * tests skip, naming what to install (`needsChromium`).
 */
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

/** The Chromium binary on PATH, or undefined. */
export function chromiumBinary(): string | undefined {
  for (const name of CANDIDATES) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Skips a test or suite where no Chromium is found, naming what to install. */
export function needsChromium(): { skip?: string } {
  return chromiumBinary() === undefined
    ? { skip: 'no headless Chromium on PATH: apt-get install -y --no-install-recommends chromium (Debian), as .ci/run does' }
    : {};
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--virtual-time-budget=20000'];

/** The DOM of `file` after its scripts ran. */
export function dumpDom(file: string): string {
  return execFileSync(chromiumBinary()!, [...FLAGS, '--dump-dom', pathToFileURL(file).href], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 120_000,
  });
}

/** A PNG screenshot of `file` at `width` × `height` CSS pixels. */
export function screenshot(file: string, png: string, width: number, height: number): void {
  execFileSync(chromiumBinary()!, [...FLAGS, `--window-size=${width},${height}`, `--screenshot=${png}`, pathToFileURL(file).href], {
    stdio: 'ignore',
    timeout: 120_000,
  });
}

/** The attributes of every `<tag …>` in `html` whose attributes match `where` (name → value). */
export function elements(html: string, tag: string, where: Readonly<Record<string, string>> = {}): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>`, 'g'))) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    if (Object.entries(where).every(([k, v]) => attrs[k] === v)) out.push(attrs);
  }
  return out;
}

/** The text of the `<td>` cells whose attributes match `where`. */
export function cells(html: string, where: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<td(\s[^>]*)?>([^<]*)<\/td>/g)) {
    const attrs = Object.fromEntries([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    if (Object.entries(where).every(([k, v]) => attrs[k] === v)) out.push(m[2]!);
  }
  return out;
}

/** The inner HTML of the first `<tag …>` whose attributes match `where` (up to its first closing tag: no nesting of the same tag). */
export function inner(html: string, tag: string, where: Readonly<Record<string, string>>): string {
  const attrs = Object.entries(where)
    .map(([k, v]) => `(?=[^>]*\\s${k}="${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}")`)
    .join('');
  const m = new RegExp(`<${tag}${attrs}[^>]*>([\\s\\S]*?)</${tag}>`).exec(html);
  if (m === null) throw new Error(`no <${tag}> with ${JSON.stringify(where)} in the page`);
  return m[1]!;
}
