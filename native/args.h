// Reading positional arguments of the binding's own (non-dispatcher) functions.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include "env_state.h"
#include "guard.h"

namespace mtl {

// The tensor whose id is argument `i`; BindingError when it is not a number, out_of_range when not live.
inline const at::Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw BindingError("expected a tensor id");
  return table(info.Env()).get(info[i].As<Napi::Number>().Int64Value());
}

}  // namespace mtl
