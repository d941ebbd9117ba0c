/**
 * Chainable methods on Tensor (`x.matmul(w).add(b).relu()`), each delegating to the function of the
 * same name in ./ops/ (see there for shapes and semantics). Importing this module installs them.
 */
import { Tensor } from './tensor.js';
import * as math from './ops/math.js';
import * as inplace from './ops/inplace.js';
import * as shape from './ops/shape.js';
import * as reduce from './ops/reduce.js';
import * as linalg from './ops/linalg.js';
import * as nn from './ops/nn.js';
import { cast, toDevice } from './ops/cast.js';

type Rest<F> = F extends (self: Tensor, ...rest: infer R) => infer O ? (...rest: R) => O : never;

const methods: Record<string, (self: Tensor, ...rest: never[]) => unknown> = {
  add: math.add,
  sub: math.sub,
  mul: math.mul,
  div: math.div,
  pow: math.pow,
  maximum: math.maximum,
  minimum: math.minimum,
  clamp: math.clamp,
  eq: math.eq,
  ne: math.ne,
  lt: math.lt,
  le: math.le,
  gt: math.gt,
  ge: math.ge,
  logicalAnd: math.logicalAnd,
  logicalOr: math.logicalOr,
  logicalNot: math.logicalNot,
  neg: math.neg,
  abs: math.abs,
  sqrt: math.sqrt,
  rsqrt: math.rsqrt,
  exp: math.exp,
  log: math.log,
  log1p: math.log1p,
  sin: math.sin,
  cos: math.cos,
  floor: math.floor,
  ceil: math.ceil,
  round: math.round,
  reciprocal: math.reciprocal,
  sign: math.sign,
  detach: math.detach,
  add_: inplace.add_,
  mul_: inplace.mul_,
  div_: inplace.div_,
  addcmul_: inplace.addcmul_,
  addcdiv_: inplace.addcdiv_,
  lerp_: inplace.lerp_,
  sqrt_: inplace.sqrt_,
  zero_: inplace.zero_,
  fill_: inplace.fill_,
  copy_: inplace.copy_,
  clamp_: inplace.clamp_,
  uniform_: inplace.uniform_,
  normal_: inplace.normal_,
  reshape: shape.reshape,
  view: shape.view,
  permute: shape.permute,
  transpose: shape.transpose,
  squeeze: shape.squeeze,
  unsqueeze: shape.unsqueeze,
  expand: shape.expand,
  flatten: shape.flatten,
  contiguous: shape.contiguous,
  clone: shape.clone,
  split: shape.split,
  chunk: shape.chunk,
  narrow: shape.narrow,
  slice: shape.slice,
  select: shape.select,
  indexSelect: shape.indexSelect,
  index: shape.index,
  gather: shape.gather,
  scatter: shape.scatter,
  scatterAdd: shape.scatterAdd,
  maskedFill: shape.maskedFill,
  repeat: shape.repeat,
  triu: shape.triu,
  tril: shape.tril,
  sum: reduce.sum,
  mean: reduce.mean,
  max: reduce.max,
  min: reduce.min,
  maxDim: reduce.maxDim,
  minDim: reduce.minDim,
  argmax: reduce.argmax,
  argmin: reduce.argmin,
  logsumexp: reduce.logsumexp,
  norm: reduce.norm,
  variance: reduce.variance,
  std: reduce.std,
  all: reduce.all,
  any: reduce.any,
  cumsum: reduce.cumsum,
  matmul: linalg.matmul,
  mm: linalg.mm,
  bmm: linalg.bmm,
  softmax: nn.softmax,
  logSoftmax: nn.logSoftmax,
  gelu: nn.gelu,
  relu: nn.relu,
  tanh: nn.tanh,
  sigmoid: nn.sigmoid,
  /** This tensor as `dtype`. */
  to: cast,
  /** A copy on `device`. */
  toDevice: toDevice,
};

declare module './tensor.js' {
  interface Tensor {
    add: Rest<typeof math.add>;
    sub: Rest<typeof math.sub>;
    mul: Rest<typeof math.mul>;
    div: Rest<typeof math.div>;
    pow: Rest<typeof math.pow>;
    maximum: Rest<typeof math.maximum>;
    minimum: Rest<typeof math.minimum>;
    clamp: Rest<typeof math.clamp>;
    eq: Rest<typeof math.eq>;
    ne: Rest<typeof math.ne>;
    lt: Rest<typeof math.lt>;
    le: Rest<typeof math.le>;
    gt: Rest<typeof math.gt>;
    ge: Rest<typeof math.ge>;
    logicalAnd: Rest<typeof math.logicalAnd>;
    logicalOr: Rest<typeof math.logicalOr>;
    logicalNot: Rest<typeof math.logicalNot>;
    neg: Rest<typeof math.neg>;
    abs: Rest<typeof math.abs>;
    sqrt: Rest<typeof math.sqrt>;
    rsqrt: Rest<typeof math.rsqrt>;
    exp: Rest<typeof math.exp>;
    log: Rest<typeof math.log>;
    log1p: Rest<typeof math.log1p>;
    sin: Rest<typeof math.sin>;
    cos: Rest<typeof math.cos>;
    floor: Rest<typeof math.floor>;
    ceil: Rest<typeof math.ceil>;
    round: Rest<typeof math.round>;
    reciprocal: Rest<typeof math.reciprocal>;
    sign: Rest<typeof math.sign>;
    detach: Rest<typeof math.detach>;
    add_: Rest<typeof inplace.add_>;
    mul_: Rest<typeof inplace.mul_>;
    div_: Rest<typeof inplace.div_>;
    addcmul_: Rest<typeof inplace.addcmul_>;
    addcdiv_: Rest<typeof inplace.addcdiv_>;
    lerp_: Rest<typeof inplace.lerp_>;
    sqrt_: Rest<typeof inplace.sqrt_>;
    zero_: Rest<typeof inplace.zero_>;
    fill_: Rest<typeof inplace.fill_>;
    copy_: Rest<typeof inplace.copy_>;
    clamp_: Rest<typeof inplace.clamp_>;
    uniform_: Rest<typeof inplace.uniform_>;
    normal_: Rest<typeof inplace.normal_>;
    reshape: Rest<typeof shape.reshape>;
    view: Rest<typeof shape.view>;
    permute: Rest<typeof shape.permute>;
    transpose: Rest<typeof shape.transpose>;
    squeeze: Rest<typeof shape.squeeze>;
    unsqueeze: Rest<typeof shape.unsqueeze>;
    expand: Rest<typeof shape.expand>;
    flatten: Rest<typeof shape.flatten>;
    contiguous: Rest<typeof shape.contiguous>;
    clone: Rest<typeof shape.clone>;
    split: Rest<typeof shape.split>;
    chunk: Rest<typeof shape.chunk>;
    narrow: Rest<typeof shape.narrow>;
    slice: Rest<typeof shape.slice>;
    select: Rest<typeof shape.select>;
    indexSelect: Rest<typeof shape.indexSelect>;
    index: Rest<typeof shape.index>;
    gather: Rest<typeof shape.gather>;
    scatter: Rest<typeof shape.scatter>;
    scatterAdd: Rest<typeof shape.scatterAdd>;
    maskedFill: Rest<typeof shape.maskedFill>;
    repeat: Rest<typeof shape.repeat>;
    triu: Rest<typeof shape.triu>;
    tril: Rest<typeof shape.tril>;
    sum: Rest<typeof reduce.sum>;
    mean: Rest<typeof reduce.mean>;
    max: Rest<typeof reduce.max>;
    min: Rest<typeof reduce.min>;
    maxDim: Rest<typeof reduce.maxDim>;
    minDim: Rest<typeof reduce.minDim>;
    argmax: Rest<typeof reduce.argmax>;
    argmin: Rest<typeof reduce.argmin>;
    logsumexp: Rest<typeof reduce.logsumexp>;
    norm: Rest<typeof reduce.norm>;
    variance: Rest<typeof reduce.variance>;
    std: Rest<typeof reduce.std>;
    all: Rest<typeof reduce.all>;
    any: Rest<typeof reduce.any>;
    cumsum: Rest<typeof reduce.cumsum>;
    matmul: Rest<typeof linalg.matmul>;
    mm: Rest<typeof linalg.mm>;
    bmm: Rest<typeof linalg.bmm>;
    softmax: Rest<typeof nn.softmax>;
    logSoftmax: Rest<typeof nn.logSoftmax>;
    gelu: Rest<typeof nn.gelu>;
    relu: Rest<typeof nn.relu>;
    tanh: Rest<typeof nn.tanh>;
    sigmoid: Rest<typeof nn.sigmoid>;
    to: Rest<typeof cast>;
    toDevice: Rest<typeof toDevice>;
  }
}

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, {
    // Fixed arity instead of rest/spread: no argument array per call. Missing arguments arrive
    // as undefined, which the functions treat exactly as omitted (defaults apply).
    value: function (this: Tensor, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown) {
      return (fn as (self: Tensor, ...rest: unknown[]) => unknown)(this, a, b, c, d, e);
    },
    writable: true,
    configurable: true,
  });
}
