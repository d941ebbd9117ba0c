// Autograd: requires-grad flags, .grad, backward, torch::autograd::grad and the grad mode.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <vector>

#include "guard.h"
#include "ops.h"
#include "tensor_table.h"

namespace mtl {

namespace {
const at::Tensor& tensorArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw BindingError("expected a tensor id");
  return table().get(info[i].As<Napi::Number>().Int64Value());
}

// A JS array of ids (null allowed when `allowNull`, giving an undefined tensor).
std::vector<at::Tensor> tensorList(const Napi::Value& v, bool allowNull) {
  std::vector<at::Tensor> out;
  if (v.IsNull() || v.IsUndefined()) return out;
  const auto a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const Napi::Value e = a.Get(i);
    if (allowNull && (e.IsNull() || e.IsUndefined())) out.emplace_back();
    else out.push_back(table().get(e.As<Napi::Number>().Int64Value()));
  }
  return out;
}

c10::optional<bool> optionalBool(const Napi::Value& v) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  return c10::nullopt;
}
}  // namespace

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "requiresGrad", [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), tensorArg(info, 0).requires_grad());
  });
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "setRequiresGrad", [&]() -> Napi::Value {
    tensorArg(info, 0).set_requires_grad(info[1].As<Napi::Boolean>().Value());
    return info.Env().Undefined();
  });
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return guarded(info, "isLeaf", [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), tensorArg(info, 0).is_leaf());
  });
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  return guarded(info, "grad", [&]() -> Napi::Value {
    const at::Tensor& g = tensorArg(info, 0).grad();
    if (!g.defined()) return info.Env().Null();
    return Napi::Number::New(info.Env(), table().put(g));
  });
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "setGrad", [&]() -> Napi::Value {
    at::Tensor& g = tensorArg(info, 0).mutable_grad();
    if (info[1].IsNull() || info[1].IsUndefined()) g.reset();
    else g = tensorArg(info, 1);
    return info.Env().Undefined();
  });
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  return guarded(info, "backward", [&]() -> Napi::Value {
    torch::autograd::backward(tensorList(info[0], false), tensorList(info[1], true), optionalBool(info[2]),
                              info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value());
    table().flushExternalMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "grad", [&]() -> Napi::Value {
    const auto grads = torch::autograd::grad(tensorList(info[0], false), tensorList(info[1], false),
                                             tensorList(info[2], true), optionalBool(info[3]),
                                             info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value(),
                                             info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value());
    Napi::Array out = Napi::Array::New(info.Env(), grads.size());
    for (size_t i = 0; i < grads.size(); ++i) {
      out.Set(i, grads[i].defined() ? Napi::Number::New(info.Env(), table().put(grads[i])) : info.Env().Null());
    }
    table().flushExternalMemory(info.Env());
    return out;
  });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  const bool previous = at::GradMode::is_enabled();
  at::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return Napi::Boolean::New(info.Env(), previous);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

}  // namespace mtl
