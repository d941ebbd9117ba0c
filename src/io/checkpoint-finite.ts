/**
 * NaN and ±Inf in a checkpoint's tensors. A run that diverged (or a file edited by hand) can save
 * non-finite weights; a model built from them predicts NaN probabilities for every input, which
 * JSON writes as `null`. Loading refuses such a checkpoint and names the tensors instead.
 */
import { CheckpointError } from '../errors.js';
import { all, isfinite, tidy, type Tensor } from '../tensor/index.js';

const FLOATING = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** The names of the floating-point tensors in `tensors` that hold a NaN or an ±Inf, in order. */
export function nonFiniteTensors(tensors: Iterable<[string, Tensor]>): string[] {
  const bad: string[] = [];
  for (const [name, t] of tensors) {
    if (FLOATING.has(t.dtype) && !tidy(() => all(isfinite(t)).item())) bad.push(name);
  }
  return bad;
}

/**
 * Checks that every floating-point tensor of `file` is finite.
 * @throws CheckpointError naming `file`, how many tensors hold NaN or Inf and the first few of them.
 */
export function checkFinite(tensors: Iterable<[string, Tensor]>, file: string): void {
  const bad = nonFiniteTensors(tensors);
  if (bad.length === 0) return;
  const shown = bad.slice(0, 5).join(', ') + (bad.length > 5 ? `, … (${bad.length - 5} more)` : '');
  throw new CheckpointError(
    `${file}: ${bad.length === 1 ? '1 tensor holds' : `${bad.length} tensors hold`} NaN or Inf values (${shown}); ` +
      'the run that saved it diverged or the file was changed. Use an earlier checkpoint (best/ or last/ of another run), ' +
      'or resume from one saved before the loss became NaN with a lower learning rate',
  );
}
