/**
 * Autograd controls: grad-mode scopes and gradients without accumulation (torch.autograd.grad),
 * which multi-task gradient surgery uses to get one gradient per task.
 */
import { callNative } from './dispatch.js';
import { native } from './native.js';
import { Tensor } from './tensor.js';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = native.setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

/** Runs `fn` with gradient recording off (torch.no_grad); restores the previous mode in `finally`. */
export const noGrad = <T>(fn: () => T): T => withGradMode(false, fn);

/** Runs `fn` with gradient recording on (torch.enable_grad); restores the previous mode in `finally`. */
export const enableGrad = <T>(fn: () => T): T => withGradMode(true, fn);

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
  const result = callNative(() =>
    native.autogradGrad(
      outs.map((t) => t.id),
      inputs.map((t) => t.id),
      gradOutputs,
      options.retainGraph,
      options.createGraph ?? false,
      options.allowUnused ?? false,
    ),
  );
  return result.map((id) => (id === null ? undefined : new Tensor(id)));
}

/**
 * Back-propagates from several outputs at once (torch.autograd.backward), accumulating into `.grad`.
 */
export function backward(outputs: readonly Tensor[], gradOutputs?: readonly (Tensor | undefined)[], retainGraph?: boolean): void {
  callNative(() =>
    native.backward(
      outputs.map((t) => t.id),
      gradOutputs ? gradOutputs.map((g) => g?.id ?? null) : null,
      retainGraph,
      false,
    ),
  );
}
