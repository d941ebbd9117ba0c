/**
 * ROUGE-1/2/L (F1, percent) on SciTLDR-A's test split (../shared/datasets/scitldr/test.jsonl, 618 papers
 * with 2–4 reference TL;DRs each) of extractive baselines and of generated TL;DRs, all scored alike, for
 * docs/results/issue13-scitldr.md. Rows: the abstract's first sentence (lead-1), first two and three
 * sentences (lead-2, lead-3), the oracle sentence the dataset marks (`source_labels`, an extractive
 * ceiling), and each FILE given (one generated TL;DR per line, in test.jsonl's order). Columns, each
 * without and with Porter stemming:
 * - max: per example and type the best F1 over the references (rouge-score's `score_multi`; what the
 *   seq2seq task reports), averaged over papers;
 * - R1-pick: per example the reference with the best ROUGE-1 F1, its ROUGE-2 and ROUGE-L taken with it
 *   (SciTLDR's scripts/cal-rouge.py "multi-max", which scored with files2rouge / ROUGE-1.5.5);
 * - first: the first reference only (SciTLDR lists the author-written TL;DR first).
 *
 *   node --import tsx scripts/results/issue13-scitldr-rouge.ts ../shared/datasets/scitldr/test.jsonl [NAME=FILE …]
 */
import { readFileSync } from 'node:fs';
import { readJsonl } from '../../src/data/readers/jsonl.js';
import { rougeScores, type RougeScore } from '../../src/metrics/rouge.js';

interface Paper {
  readonly source: string[];
  readonly source_labels: number[];
  readonly target: string[];
}

const [testFile = '../shared/datasets/scitldr/test.jsonl', ...given] = process.argv.slice(2);
const papers = readJsonl(testFile).examples.map((l) => l.value as Paper);
const TYPES = ['rouge1', 'rouge2', 'rougeL'] as const;

/** Mean F1 (percent) per type over papers, with `pick` choosing each paper's scores from those per reference. */
function score(hyps: readonly string[], stem: boolean, pick: (perRef: Record<string, RougeScore>[]) => number[]): number[] {
  const sum = [0, 0, 0];
  hyps.forEach((h, i) => {
    const perRef = papers[i]!.target.map((r) => rougeScores(r, h, { types: TYPES, useStemmer: stem }));
    pick(perRef).forEach((f, k) => (sum[k]! += f));
  });
  return sum.map((s) => (100 * s) / hyps.length);
}

const f = (s: Record<string, RougeScore>) => TYPES.map((t) => s[t]!.fmeasure);
const picks = {
  max: (rs: Record<string, RougeScore>[]) => TYPES.map((t) => Math.max(...rs.map((s) => s[t]!.fmeasure))),
  'R1-pick': (rs: Record<string, RougeScore>[]) => f(rs.reduce((a, b) => (b.rouge1!.fmeasure > a.rouge1!.fmeasure ? b : a))),
  first: (rs: Record<string, RougeScore>[]) => f(rs[0]!),
};

const rows: [string, string[]][] = [
  ['lead-1 (first sentence)', papers.map((p) => p.source.slice(0, 1).join(' '))],
  ['lead-2', papers.map((p) => p.source.slice(0, 2).join(' '))],
  ['lead-3', papers.map((p) => p.source.slice(0, 3).join(' '))],
  ['oracle sentence (source_labels)', papers.map((p) => p.source.filter((_, i) => p.source_labels[i] === 1).join(' '))],
];
for (const arg of given) {
  const [name, file] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, arg];
  const hyps = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  if (hyps.length !== papers.length) throw new Error(`${file}: ${hyps.length} lines, but ${testFile} has ${papers.length} papers`);
  rows.push([name, hyps]);
}

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
console.log(`SciTLDR-A test, ${papers.length} papers; ROUGE-1 / 2 / L F1 (%)`);
console.log('| hypotheses | max | max, stemmed | R1-pick | R1-pick, stemmed | first ref | first ref, stemmed |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, hyps] of rows) {
  const cells = Object.values(picks).flatMap((pick) => [fmt(score(hyps, false, pick)), fmt(score(hyps, true, pick))]);
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
