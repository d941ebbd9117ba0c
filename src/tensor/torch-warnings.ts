/**
 * Where libtorch's warnings (TORCH_WARN) go: the binding hands each one to `onTorchWarning`, which
 * emits it as a Node process warning of type `TorchWarning` (printed once to stderr unless Node runs
 * with --no-warnings; `process.on('warning', …)` sees it), except the notes listed in
 * `EXPECTED_NOTES` that libtorch prints about an API this package uses on purpose.
 */

/**
 * Messages (prefixes) dropped: libtorch 1.13 notes on first use that nested tensors are a prototype
 * API; the BERT encoder's inference path uses them deliberately to skip padded positions
 * (src/models/bert/fused-layer.ts), so the note says nothing a user can act on.
 */
const EXPECTED_NOTES: readonly string[] = ['The PyTorch API of nested tensors is in prototype stage'];

/** Emits `message` from libtorch as a `TorchWarning`, unless it is one of the expected notes. */
export function onTorchWarning(message: string): void {
  if (EXPECTED_NOTES.some((note) => message.startsWith(note))) return;
  process.emitWarning(message, 'TorchWarning');
}
