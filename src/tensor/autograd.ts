/**
 * Autograd controls: grad-mode and inference-mode scopes and gradients without accumulation (torch.autograd.grad),
 * which multi-task gradient surgery uses to get one gradient per task. Binding failures arrive as
 * TorchError (see native.ts).
 */
import { ConfigError } from '../errors.js';
import { native } from './native.js';
import { Tensor } from './tensor.js';

/**
 * The grad mode is libtorch's thread-local flag, so it cannot follow an async function across an
 * await: its code after the first await would run in whatever mode is current then. Refused.
 */
function synchronously<T>(name: string, fn: () => T, run: (fn: () => T) => T): T {
  if (fn.constructor.name === 'AsyncFunction') {
    throw new ConfigError(
      `${name}() takes a synchronous function; the grad mode cannot span an await, so call ${name}() inside the async code`,
    );
  }
  const result = run(fn);
  if (result instanceof Promise) {
    throw new ConfigError(`${name}() got a promise back; the grad mode cannot span an await, so call ${name}() inside the async code`);
  }
  return result;
}

function withGradMode<T>(name: string, enabled: boolean, fn: () => T): T {
  return synchronously(name, fn, (f) => {
    const previous = native.setGradEnabled(enabled);
    try {
      return f();
    } finally {
      native.setGradEnabled(previous);
    }
  });
}

/** Runs `fn` with gradient recording off (torch.no_grad); restores the previous mode in `finally`. Synchronous only. */
export const noGrad = <T>(fn: () => T): T => withGradMode('noGrad', false, fn);

/** Runs `fn` with gradient recording on (torch.enable_grad); restores the previous mode in `finally`. Synchronous only. */
export const enableGrad = <T>(fn: () => T): T => withGradMode('enableGrad', true, fn);

/**
 * Runs `fn` under libtorch's inference mode (torch.inference_mode): no gradient recording, and the
 * tensors made inside carry no version counter and no view tracking, which makes each operation
 * cheaper than under `noGrad`. For forward passes whose results are only read: a tensor made inside
 * ("inference tensor") cannot later be saved for backward, nor modified in place outside inference
 * mode (libtorch then raises a TorchError). Parameters and other tensors made outside may be read
 * inside. The previous mode returns when `fn` returns or throws. Synchronous only.
 * @example
 *   const ids = inferenceMode(() => tidy(() => model.forward(inputs).argmax(-1).toArray()));
 */
export const inferenceMode = <T>(fn: () => T): T => synchronously('inferenceMode', fn, (f) => native.inferenceMode(f));

/** Whether libtorch's inference mode is on now (inside `inferenceMode`). */
export const isInferenceMode = (): boolean => native.isInferenceMode();

/** Whether operations are being recorded for autograd now. */
export const isGradEnabled = (): boolean => native.isGradEnabled();

export interface GradOptions {
  /** d(loss)/d(output) per output, same shapes; may be omitted for scalar outputs. */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Keep the graph for further backward/grad calls (default: createGraph). */
  retainGraph?: boolean;
  /** Record the gradient computation (for higher-order derivatives). */
  createGraph?: boolean;
  /** Return undefined for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned and not accumulated into `.grad`
 * (torch.autograd.grad). Entry i has the shape of inputs[i]; undefined for unused inputs when allowed.
 * @throws TorchError when an input was not used and `allowUnused` is false, or the graph was freed.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: GradOptions = {}): (Tensor | undefined)[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const gradOutputs = options.gradOutputs ? options.gradOutputs.map((g) => g?.id ?? null) : null;
  const result = native.autogradGrad(
    outs.map((t) => t.id),
    inputs.map((t) => t.id),
    gradOutputs,
    options.retainGraph,
    options.createGraph ?? false,
    options.allowUnused ?? false,
  );
  return result.map((id) => (id === null ? undefined : new Tensor(id)));
}

/**
 * Back-propagates from several outputs at once (torch.autograd.backward), accumulating into the
 * `.grad` of every leaf that requires grad; the sum of the outputs' gradients flows, in one pass.
 * @param gradOutputs d(loss)/d(output) per output, same shapes; undefined entries for scalar outputs.
 * @param retainGraph keep the graph for another backward (default: createGraph).
 * @param createGraph record the backward pass for higher-order gradients.
 * @throws TorchError when an output does not require grad, is not scalar and has no gradient, or the graph was freed.
 */
export function backward(
  outputs: readonly Tensor[],
  gradOutputs?: readonly (Tensor | undefined)[],
  retainGraph?: boolean,
  createGraph = false,
): void {
  native.backward(
    outputs.map((t) => t.id),
    gradOutputs ? gradOutputs.map((g) => g?.id ?? null) : null,
    retainGraph,
    createGraph,
  );
}
