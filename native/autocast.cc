// Autocast regions, as torch.autocast's __enter__ / __exit__: inside one, the operators on the
// autocast lists run in the lower precision (matmuls, linear, convolutions) or in float32 (softmax,
// losses, norms) whatever their inputs' dtype, through libtorch's Autocast dispatch keys; parameters
// stay float32. CPU autocast takes bfloat16 (libtorch 1.13: bfloat16 only); CUDA autocast float16 or
// bfloat16 where the linked libtorch has CUDA.
#include <ATen/ATen.h>

#include <string>

#include "autocast_state.h"
#include "guard.h"
#include "ops.h"

namespace mtl {

namespace {

bool isCuda(const Napi::Value& device) {
  const std::string name = device.As<Napi::String>().Utf8Value();
  if (name != "cpu" && name != "cuda") throw BindingError("autocast device must be 'cpu' or 'cuda', got '" + name + "'");
  return name == "cuda";
}

}  // namespace

// autocastEnter(device, enabled, dtypeCode) -> [previousEnabled, previousDtypeCode]
Napi::Value AutocastEnter(const Napi::CallbackInfo& info) {
  return guarded(info, "autocastEnter", [&]() -> Napi::Value {
    const bool cuda = isCuda(info[0]);
    const bool enabled = info[1].As<Napi::Boolean>().Value();
    const auto dtype = static_cast<at::ScalarType>(info[2].As<Napi::Number>().Int32Value());
    if (cuda && enabled && !at::hasCUDA()) throw BindingError("CUDA autocast was asked for, but the linked libtorch has no CUDA");
    if (!cuda && enabled && dtype != at::kBFloat16)
      throw BindingError(std::string("CPU autocast runs in bfloat16 only, got ") + c10::toString(dtype));
    const bool previous = autocastEnabled(cuda);
    const at::ScalarType previousDtype = autocastDtype(cuda);
    setAutocastState(cuda, enabled, dtype);
    at::autocast::increment_nesting();
    Napi::Array out = Napi::Array::New(info.Env(), 2);
    out.Set(0u, Napi::Boolean::New(info.Env(), previous));
    out.Set(1u, Napi::Number::New(info.Env(), static_cast<int>(previousDtype)));
    return out;
  });
}

// autocastExit(device, previousEnabled, previousDtypeCode): restores; leaving the outermost region
// frees the cache of casted weights.
Napi::Value AutocastExit(const Napi::CallbackInfo& info) {
  return guarded(info, "autocastExit", [&]() -> Napi::Value {
    const bool cuda = isCuda(info[0]);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    setAutocastState(cuda, info[1].As<Napi::Boolean>().Value(), static_cast<at::ScalarType>(info[2].As<Napi::Number>().Int32Value()));
    return info.Env().Undefined();
  });
}

// isAutocast(device) -> whether an autocast region of that device is open.
Napi::Value IsAutocast(const Napi::CallbackInfo& info) {
  return guarded(info, "isAutocast", [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), autocastEnabled(isCuda(info[0])));
  });
}

}  // namespace mtl
