/** Reading a Markdown document in tests: its fenced code blocks and its relative links. */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface CodeBlock {
  /** The info string after the opening fence (`ts`, `sh`, `yaml`, …). */
  readonly lang: string;
  readonly code: string;
  /** The heading the block stands under (`## Use it as a library`), '' before the first. */
  readonly heading: string;
}

/** The fenced (```) code blocks of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let heading = '';
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (open === undefined && /^#{1,6} /.test(line)) heading = line;
    else if (open === undefined && line.startsWith('```')) open = { lang: line.slice(3).trim(), lines: [] };
    else if (open !== undefined && line.startsWith('```')) {
      blocks.push({ lang: open.lang, code: `${open.lines.join('\n')}\n`, heading });
      open = undefined;
    } else open?.lines.push(line);
  }
  return blocks;
}

/** The relative link targets of `markdown` (`[text](docs/x.md#part)` → docs/x.md) that name no existing file, from `dir`. */
export function brokenLinks(markdown: string, dir: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!.split('#')[0]!);
  return targets.filter((t) => t !== '' && !/^[a-z]+:/.test(t) && !existsSync(path.resolve(dir, t)));
}
