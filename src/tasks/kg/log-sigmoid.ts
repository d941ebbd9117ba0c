/**
 * log σ(x) (torch.nn.functional.logsigmoid), computed stably by ATen as −softplus(−x): the tensor
 * engine has no such op yet, so it is defined here by its schema name.
 */
import { defineOp } from '../../tensor/dispatch.js';
import { run } from '../../tensor/ops/run.js';
import type { Tensor } from '../../tensor/index.js';

const LOG_SIGMOID = defineOp('aten::log_sigmoid');

/** log σ(x), elementwise; any shape. Differentiable. */
export const logSigmoid = (x: Tensor): Tensor => run(LOG_SIGMOID, x.id);
