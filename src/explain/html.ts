/**
 * A self-contained HTML page of explained predictions (`mtl predict --explain --html FILE`): for each
 * input, each task and each explained output, the text with its words highlighted twice — by their
 * integrated-gradients attribution (green for positive, red for negative, opacity ∝ |a| / max |a| of
 * that output) and by their attention-rollout share (blue, opacity ∝ share / max share) — with the
 * logit, F(x′) and the completeness gap. No script, no outside resource; the text is HTML-escaped.
 */
import { escapeHtml } from '../html-escape.js';

/** What the page reads of an explanation (`presentExplanation`'s JSON). */
interface ExplanationJson {
  readonly integrated_gradients: { readonly baseline: string; readonly steps: number; readonly rule: string };
  readonly words: readonly { readonly word: string; readonly start: number; readonly end: number; readonly text?: string }[];
  readonly targets: readonly {
    readonly label: string;
    readonly word?: number;
    readonly logit: number;
    readonly integrated_gradients: {
      readonly baseline_logit: number;
      readonly completeness_gap: number;
      readonly words: readonly number[];
    };
    readonly attention_rollout: { readonly words: readonly number[] } | null;
  }[];
}

/** One record as `predictionToJson` makes it. */
export interface ExplainedRecordJson {
  readonly text: string;
  readonly text_pair?: string;
  readonly predictions: Readonly<Record<string, unknown>>;
}

/** `text` with the words of `words` (offsets into it) wrapped in spans coloured by `color(value)`. */
function highlighted(
  text: string,
  words: ExplanationJson['words'],
  values: readonly number[],
  color: (v: number) => string,
  selected?: number,
): string {
  let html = '';
  let at = 0;
  words.forEach((w, i) => {
    if (w.start < at) return;
    const v = values[i] ?? 0;
    const mark = i === selected ? ' class="target"' : '';
    html += `${escapeHtml(text.slice(at, w.start))}<span${mark} style="background:${color(v)}" title="${v}">${escapeHtml(text.slice(w.start, w.end))}</span>`;
    at = w.end;
  });
  return html + escapeHtml(text.slice(at));
}

/** The highlighted text (and text_pair) of one explained output under one method. */
function row(
  record: ExplainedRecordJson,
  e: ExplanationJson,
  values: readonly number[],
  color: (v: number) => string,
  selected?: number,
): string {
  const parts = [
    { name: 'text', text: record.text },
    ...(record.text_pair === undefined ? [] : [{ name: 'text_pair', text: record.text_pair }]),
  ];
  return parts
    .map(({ name, text }) => {
      const own = e.words.map((w, i) => ({ w, i })).filter(({ w }) => (w.text ?? 'text') === name);
      return highlighted(
        text,
        own.map(({ w }) => w),
        own.map(({ i }) => values[i] ?? 0),
        color,
        own.findIndex(({ i }) => i === selected),
      );
    })
    .join(' <span class="sep">‖</span> ');
}

const maxAbs = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0) || 1;

function targetHtml(record: ExplainedRecordJson, e: ExplanationJson, t: ExplanationJson['targets'][number]): string {
  const ig = t.integrated_gradients;
  const scale = maxAbs(ig.words);
  const igColor = (v: number) => (v >= 0 ? `rgba(0,150,0,${(v / scale).toFixed(3)})` : `rgba(210,0,0,${(-v / scale).toFixed(3)})`);
  const on = t.word === undefined ? '' : ` at “${escapeHtml(e.words[t.word]?.word ?? '?')}”`;
  const head = `<div class="target-head"><b>${escapeHtml(t.label)}</b>${on}: logit ${t.logit}, baseline ${ig.baseline_logit}, completeness gap ${ig.completeness_gap}</div>`;
  const igRow = `<div class="line"><span class="method">IG</span>${row(record, e, ig.words, igColor, t.word)}</div>`;
  if (t.attention_rollout === null) return head + igRow;
  const rollout = t.attention_rollout.words;
  const top = maxAbs(rollout);
  const rolloutRow = `<div class="line"><span class="method">rollout</span>${row(record, e, rollout, (v) => `rgba(0,90,255,${(v / top).toFixed(3)})`, t.word)}</div>`;
  return head + igRow + rolloutRow;
}

const STYLE = `body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.6}
.input{border-top:1px solid #ccc;padding:.5em 0}.task{margin:.5em 0 .5em 1em}.target-head{font-size:.9em;color:#333}
.line span[style]{padding:0 .1em;border-radius:.2em}.method{display:inline-block;width:5em;color:#666;font-size:.8em}
.target{outline:2px solid #000}.sep{color:#999}.legend{font-size:.9em;color:#444}.unsupported{color:#999;font-size:.9em}.error{color:#b00;font-size:.9em}`;

/**
 * The page for `records` (predict's JSON records; a task whose explanation is unsupported or failed is listed
 * by name with the reason).
 * @param title the page's title (the checkpoint, say).
 */
export function explanationsHtml(records: readonly ExplainedRecordJson[], title: string): string {
  const body = records
    .map((record) => {
      const tasks = Object.entries(record.predictions).map(([name, p]) => {
        const e = (p as { explanation?: ExplanationJson | { unsupported: string } | { error: string } }).explanation;
        if (e === undefined) return '';
        // Not explained: the task's type has no explanation (unsupported), or this one failed (error: its message).
        if ('unsupported' in e || 'error' in e) {
          const [kind, message] = 'error' in e ? ['error', e.error] : ['unsupported', e.unsupported];
          return `<div class="task"><b>${escapeHtml(name)}</b> <span class="${kind}">${escapeHtml(message)}</span></div>`;
        }
        const s = e.integrated_gradients;
        const about = `integrated gradients from the ${escapeHtml(s.baseline)} baseline, ${s.steps} steps (${escapeHtml(s.rule)})`;
        return `<div class="task"><b>${escapeHtml(name)}</b> <span class="legend">${about}</span>${e.targets.map((t) => targetHtml(record, e, t)).join('')}</div>`;
      });
      return `<div class="input"><div>${escapeHtml(record.text)}${record.text_pair === undefined ? '' : ` ‖ ${escapeHtml(record.text_pair)}`}</div>${tasks.join('')}</div>`;
    })
    .join('\n');
  const legend =
    '<p class="legend">IG: green words raise the explained logit, red ones lower it (opacity: |attribution| / the largest of that output). ' +
    'Rollout: blue, opacity ∝ the word’s share of attention flow into the tokens the output is read from. A boxed word is the word whose tag is explained.</p>';
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body><h1>${escapeHtml(title)}</h1>${legend}\n${body}\n</body></html>\n`;
}
