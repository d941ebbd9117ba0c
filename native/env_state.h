// Per-environment state of the binding. The main thread and every worker thread that loads the
// addon get their own table of tensors, operator handles and error factory, so ids never cross
// threads and nothing here needs a lock. When a worker ends, its state (and its tensors) is freed.
#pragma once

#include <napi.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "tensor_table.h"

namespace mtl {

struct OpSpec;  // a looked-up operator, defined in ops.cc

struct EnvState {
  TensorTable table;
  std::vector<std::shared_ptr<const OpSpec>> ops;  // index = handle given to JavaScript
  Napi::FunctionReference errorFactory;            // set by setErrorFactory; empty before
  Napi::FunctionReference warningHandler;          // set by setWarningHandler; empty before
};

// The state of `env`, created by the module's Init.
inline EnvState& state(Napi::Env env) {
  auto* s = env.GetInstanceData<EnvState>();
  if (s == nullptr) throw std::logic_error("the binding's state is missing (module not initialised)");
  return *s;
}

inline TensorTable& table(Napi::Env env) { return state(env).table; }

}  // namespace mtl
