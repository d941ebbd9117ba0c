/**
 * Undoing a corpus's word tokenization: text released with spaces around punctuation (DailyDialog's
 * `Good morning , sir .`, `I ’ m`), or decoded from a WordPiece vocabulary, which splits punctuation off
 * and cannot know where spaces were (`I ' m fine , thanks .`), becomes the text a person writes. The
 * rules are those of the Moses detokenizer for English (Koehn et al., ACL 2007 demo; sacremoses'
 * `MosesDetokenizer`): contractions rejoined, closing punctuation attached to the word before, opening
 * brackets, currency signs and opening quotes to the word after, straight double quotes alternately
 * opening and closing. Text without such spaces passes unchanged (`far.Can`, `that's`).
 *
 * Why it matters for metrics: sacreBLEU's 13a tokenization splits `,` `.` `(` `$` but not apostrophes,
 * so `I'm` and `I ' m` are different tokens; a model and its references must both be detokenized for
 * BLEU to be what sacreBLEU reports on normal text.
 */

/**
 * English contraction endings that follow an apostrophe (`'s`, `n't` as `n` + `'t`, `'m`, `'re`, `'ve`, `'ll`, `'d`),
 * before a space, the end, or closing punctuation already attached (a WordPiece decoder's `it ' s.`).
 */
const CONTRACTION = /(\w) (['’]) (s|m|t|re|ve|ll|d)(?=[ .,!?;:]|$)/gi;
/** Punctuation that closes: attached to the word before it. */
const CLOSING = / ([.,!?;:%)\]}”»。、]|’(?= |$))/g;
/** Brackets, currency signs and quotes that open: attached to the word after them. */
const OPENING = /(^| )([([{$£¥€‘“«]) (?=\S)/g;

/**
 * `text` with the spaces a word tokenizer put around punctuation removed (rules above).
 * @param text words separated by single spaces (runs of spaces are squeezed first).
 * @example detokenize("Good morning , sir . I ’ m here ( at last ) , it ' s $ 5 .") // "Good morning, sir. I’m here (at last), it's $5."
 */
export function detokenize(text: string): string {
  return detokenizeFrom(text, false).text;
}

/**
 * `detokenize` of a text that continues another: `quoteOpen` says whether a straight double quote is
 * open where `text` starts (the earlier text's state); returns the text and whether one is open at its
 * end. `detokenize(a + ' ' + b)` is `detokenize(a) + ' ' + detokenizeFrom(b, open).text` where `open`
 * is `detokenizeFrom(a, false).quoteOpen`, when no rule reaches across the space: `a` ends in a character
 * that joins nothing after it (not an opening bracket, currency sign, quote or apostrophe) and `b` starts
 * with one that joins nothing before it (not closing punctuation, a quote or an apostrophe).
 * @example detokenizeFrom('he said " yes', false) // { text: 'he said "yes', quoteOpen: true }
 */
export function detokenizeFrom(text: string, quoteOpen: boolean): { text: string; quoteOpen: boolean } {
  let s = text.replace(/\s+/g, ' ').trim();
  s = s.replace(CONTRACTION, '$1$2$3');
  s = s.replace(CLOSING, '$1');
  s = s.replace(OPENING, '$1$2');
  return straightQuotes(s, quoteOpen);
}

/** Straight double quotes standing alone, alternately opening (joined to the next word) and closing (to the previous). */
function straightQuotes(s: string, quoteOpen: boolean): { text: string; quoteOpen: boolean } {
  if (!s.includes('"')) return { text: s, quoteOpen };
  const words = s.split(' ');
  const out: string[] = [];
  let open = quoteOpen;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w !== '"') out.push(w);
    else if (!open && i + 1 < words.length) {
      words[i + 1] = `"${words[i + 1]!}`;
      open = true;
    } else if (out.length > 0) {
      out[out.length - 1] += '"';
      open = false;
    } else out.push(w);
  }
  return { text: out.join(' '), quoteOpen: open };
}
