/**
 * The error catalogue. Every error multitask-lm throws is one of these classes, each with a stable
 * `code`, and a message that says what failed, what was expected, what came and how to fix it.
 */

/** Base class of all multitask-lm errors. */
export class MtlError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A libtorch operator failed: carries the operator, a description of its inputs and libtorch's message. */
export class TorchError extends MtlError {
  readonly op: string | undefined;
  readonly inputs: string | undefined;
  readonly torchMessage: string;
  constructor(message: string, details: { op?: string; inputs?: string; torchMessage: string }, cause?: unknown) {
    super('ERR_TORCH', message, { cause });
    this.op = details.op;
    this.inputs = details.inputs;
    this.torchMessage = details.torchMessage;
  }
}

/** A tensor was used after `dispose()` (directly or by an enclosing `tidy`). */
export class DisposedError extends MtlError {
  constructor(what: string) {
    super(
      'ERR_DISPOSED',
      `${what}: the tensor was already disposed (by dispose() or by the tidy() that created it); keep() it or return it from tidy() to use it later`,
    );
  }
}

/** Shapes or dtypes do not fit what a function expects (checked in TypeScript, before libtorch). */
export class ShapeError extends MtlError {
  constructor(message: string) {
    super('ERR_SHAPE', message);
  }
}

/** An invalid argument or configuration value. */
export class ConfigError extends MtlError {
  constructor(message: string) {
    super('ERR_CONFIG', message);
  }
}

/** A file or record could not be read as the format it claims; the message names file and position. */
export class DataError extends MtlError {
  constructor(message: string) {
    super('ERR_DATA', message);
  }
}

/** A checkpoint or tensor file is missing, truncated or inconsistent. */
export class CheckpointError extends MtlError {
  /** @param cause the underlying error (e.g. the file-system error), kept as `error.cause`. */
  constructor(message: string, cause?: unknown) {
    super('ERR_CHECKPOINT', message, cause === undefined ? undefined : { cause });
  }
}

/** Analytical gradients disagree with finite differences (see src/tensor/gradcheck.ts). */
export class GradcheckError extends MtlError {
  constructor(message: string) {
    super('ERR_GRADCHECK', message);
  }
}

/** The native addon (libtorch binding) could not be loaded. */
export class NativeLoadError extends MtlError {
  constructor(message: string, cause?: unknown) {
    super('ERR_NATIVE', message, { cause });
  }
}
