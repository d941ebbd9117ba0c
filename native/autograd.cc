// Autograd: requires-grad flags, .grad, backward, torch::autograd::grad, the grad mode and inference mode.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>  // at::GradMode (ATen.h stopped including it in libtorch 2.x)
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <sstream>
#include <string>
#include <vector>

#include "args.h"
#include "guard.h"
#include "ops.h"
#include "tensor_table.h"

namespace mtl {

namespace {
bool boolArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsBoolean()) throw BindingError(std::string("'") + name + "' expects a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

// A JS array of ids (null allowed when `allowNull`, giving an undefined tensor).
std::vector<at::Tensor> tensorList(const Napi::Value& v, bool allowNull, const char* what) {
  std::vector<at::Tensor> out;
  if (v.IsNull() || v.IsUndefined()) return out;
  if (!v.IsArray()) throw BindingError(std::string("'") + what + "' expects an array of tensor ids");
  const auto a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const Napi::Value e = a.Get(i);
    if (allowNull && (e.IsNull() || e.IsUndefined())) out.emplace_back();
    else if (e.IsNumber()) out.push_back(table(v.Env()).get(e.As<Napi::Number>().Int64Value()));
    else throw BindingError(std::string("'") + what + "' expects tensor ids");
  }
  return out;
}

c10::optional<bool> optionalBool(const Napi::Value& v) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  return c10::nullopt;
}

// "Float[3, 4]", "Float[3] (requires_grad=false)", or "<disposed>" for an id.
void describeId(std::ostream& out, const Napi::Value& v) {
  try {
    const at::Tensor& t = table(v.Env()).get(v.As<Napi::Number>().Int64Value());
    out << c10::toString(t.scalar_type()) << t.sizes();
    if (!t.requires_grad()) out << " (requires_grad=false)";
  } catch (const std::exception&) {
    out << "<disposed>";
  }
}

// "outputs=[Float[3]], inputs=[Float[2]]" for the id lists at info[index] named in `names`.
std::string describeLists(const Napi::CallbackInfo& info, std::initializer_list<std::pair<size_t, const char*>> lists) {
  std::ostringstream out;
  bool first = true;
  for (const auto& [index, name] : lists) {
    if (!info[index].IsArray()) continue;
    if (!first) out << ", ";
    first = false;
    out << name << "=[";
    const auto a = info[index].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      if (i > 0) out << ", ";
      const Napi::Value e = a.Get(i);
      if (e.IsNumber()) describeId(out, e);
      else out << "None";
    }
    out << "]";
  }
  return out.str();
}
}  // namespace

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "requiresGrad", [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), tensorArg(info, 0).requires_grad());
  });
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "setRequiresGrad", [&]() -> Napi::Value {
    const at::Tensor& t = tensorArg(info, 0);
    const bool flag = boolArg(info, 1, "flag");
    // As PyTorch's requires_grad_(): a computed (non-leaf) tensor always requires grad, so true is a
    // no-op and false an error (libtorch's C++ setter would silently leave it requiring grad).
    if (!t.is_leaf()) {
      if (flag) return info.Env().Undefined();
      throw BindingError("you can only change requires_grad flags of leaf tensors; to use a computed tensor without gradient, use detach()");
    }
    t.set_requires_grad(flag);
    return info.Env().Undefined();
  });
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return guarded(info, "isLeaf", [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), tensorArg(info, 0).is_leaf());
  });
}

// Reading .grad of a computed tensor that does not retain it is almost always a mistake; libtorch
// warns through glog on stderr, so warn through Node instead (process.emitWarning) and give null.
Napi::Value Grad(const Napi::CallbackInfo& info) {
  return guarded(info, "grad", [&]() -> Napi::Value {
    const at::Tensor& t = tensorArg(info, 0);
    if (!t.is_leaf() && !t.retains_grad()) {
      Napi::Env env = info.Env();
      emitWarning(env,
                  "the .grad of a computed (non-leaf) tensor is read; backward() fills .grad only for leaves, so it is undefined. "
                  "Read the leaf's .grad, or use grad(outputs, [tensor]) for a computed tensor.");
      return env.Null();
    }
    const at::Tensor& g = t.grad();
    if (!g.defined()) return info.Env().Null();
    return Napi::Number::New(info.Env(), table(info.Env()).put(g));
  });
}

// As PyTorch's `x.grad = g`: g must match x in dtype, device and shape.
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "setGrad", [&]() -> Napi::Value {
    const at::Tensor& self = tensorArg(info, 0);
    if (info[1].IsNull() || info[1].IsUndefined()) {
      self.mutable_grad().reset();
      return info.Env().Undefined();
    }
    const at::Tensor& g = tensorArg(info, 1);
    if (g.scalar_type() != self.scalar_type()) {
      throw BindingError(std::string("assigned grad has dtype ") + c10::toString(g.scalar_type()) + ", the tensor has " +
                         c10::toString(self.scalar_type()));
    }
    if (g.device() != self.device()) {
      throw BindingError("assigned grad is on " + g.device().str() + ", the tensor on " + self.device().str());
    }
    if (!g.sizes().equals(self.sizes())) {
      std::ostringstream out;
      out << "assigned grad has shape " << g.sizes() << ", the tensor has " << self.sizes();
      throw BindingError(out.str());
    }
    self.mutable_grad() = g;
    return info.Env().Undefined();
  });
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  return guarded(
      info, "backward",
      [&]() -> Napi::Value {
        torch::autograd::backward(tensorList(info[0], false, "outputs"), tensorList(info[1], true, "gradOutputs"),
                                  optionalBool(info[2]), info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value());
        table(info.Env()).flushExternalMemory(info.Env());
        return info.Env().Undefined();
      },
      [&] { return describeLists(info, {{0, "outputs"}, {1, "gradOutputs"}}); });
}

Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  return guarded(
      info, "grad",
      [&]() -> Napi::Value {
        const auto grads = torch::autograd::grad(
            tensorList(info[0], false, "outputs"), tensorList(info[1], false, "inputs"),
            tensorList(info[2], true, "gradOutputs"), optionalBool(info[3]),
            info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value(),
            info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value());
        TensorTable& tensors = table(info.Env());
        Napi::Array out = Napi::Array::New(info.Env(), grads.size());
        for (size_t i = 0; i < grads.size(); ++i) {
          out.Set(i, grads[i].defined() ? Napi::Number::New(info.Env(), tensors.put(grads[i])) : info.Env().Null());
        }
        tensors.flushExternalMemory(info.Env());
        return out;
      },
      [&] { return describeLists(info, {{0, "outputs"}, {1, "inputs"}, {2, "gradOutputs"}}); });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  return guarded(info, "setGradEnabled", [&]() -> Napi::Value {
    const bool enabled = boolArg(info, 0, "flag");
    const bool previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled);
    return Napi::Boolean::New(info.Env(), previous);
  });
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

// Calls `fn()` under c10::InferenceMode (no autograd recording, and no version counters or view
// tracking on the tensors made inside) and returns its result. The guard lives on this C++ frame,
// so it ends when `fn` returns or throws; an error thrown by `fn` passes through unchanged.
Napi::Value InferenceMode(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) {
    return guarded(info, "inferenceMode", [&]() -> Napi::Value { throw BindingError("expected a function"); });
  }
  const c10::InferenceMode guard;
  return info[0].As<Napi::Function>().Call({});
}

Napi::Value IsInferenceMode(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::InferenceMode::is_enabled());
}

}  // namespace mtl
