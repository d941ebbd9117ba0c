// Tensor creation from JavaScript memory, copies back, metadata and lifetime.
#include <ATen/ATen.h>

#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "guard.h"
#include "ops.h"
#include "tensor_table.h"

namespace mtl {

Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  return guarded(info, "fromBuffer", [&]() -> Napi::Value {
    if (!info[0].IsTypedArray()) throw BindingError("expected a TypedArray of element data");
    const auto data = info[0].As<Napi::TypedArray>();
    const int32_t code = info[1].As<Napi::Number>().Int32Value();
    if (code < 0 || code >= static_cast<int32_t>(at::ScalarType::NumOptions)) {
      throw BindingError("unknown dtype code " + std::to_string(code));
    }
    const auto dtype = static_cast<at::ScalarType>(code);
    const auto dims = info[2].As<Napi::Array>();
    std::vector<int64_t> shape(dims.Length());
    for (uint32_t i = 0; i < dims.Length(); ++i) shape[i] = dims.Get(i).As<Napi::Number>().Int64Value();
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    const size_t bytes = t.numel() * t.element_size();
    if (bytes != data.ByteLength()) {
      throw BindingError("buffer holds " + std::to_string(data.ByteLength()) + " bytes, shape needs " + std::to_string(bytes));
    }
    const auto* src = static_cast<const uint8_t*>(data.ArrayBuffer().Data()) + data.ByteOffset();
    if (bytes > 0) std::memcpy(t.data_ptr(), src, bytes);
    const Napi::Value id = Napi::Number::New(info.Env(), table(info.Env()).put(std::move(t)));
    table(info.Env()).flushExternalMemory(info.Env());
    return id;
  });
}

Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  return guarded(info, "toBuffer", [&]() -> Napi::Value {
    at::Tensor t = tensorArg(info, 0).detach().to(at::kCPU).contiguous();
    const size_t bytes = t.numel() * t.element_size();
    Napi::ArrayBuffer out = Napi::ArrayBuffer::New(info.Env(), bytes);
    if (bytes > 0) std::memcpy(out.Data(), t.data_ptr(), bytes);
    return out;
  });
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  return guarded(info, "shape", [&]() -> Napi::Value {
    const auto sizes = tensorArg(info, 0).sizes();
    Napi::Array out = Napi::Array::New(info.Env(), sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
    return out;
  });
}

Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return guarded(info, "dtype", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<int>(tensorArg(info, 0).scalar_type()));
  });
}

Napi::Value DeviceOf(const Napi::CallbackInfo& info) {
  return guarded(info, "device", [&]() -> Napi::Value {
    return Napi::String::New(info.Env(), tensorArg(info, 0).device().str());
  });
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  return guarded(info, "dispose", [&]() -> Napi::Value {
    if (!info[0].IsNumber()) throw BindingError("expected a tensor id");
    TensorTable& tensors = table(info.Env());
    tensors.free(info[0].As<Napi::Number>().Int64Value());
    tensors.flushExternalMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value LiveCount(const Napi::CallbackInfo& info) {
  return guarded(info, "liveCount", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(table(info.Env()).live()));
  });
}

Napi::Value MemoryInfo(const Napi::CallbackInfo& info) {
  return guarded(info, "memoryInfo", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    TensorTable& tensors = table(env);
    const int64_t external = tensors.flushExternalMemory(env, /*force=*/true);
    Napi::Object out = Napi::Object::New(env);
    out.Set("tensorBytes", Napi::Number::New(env, static_cast<double>(tensors.storageBytes())));
    out.Set("v8ExternalBytes", Napi::Number::New(env, static_cast<double>(external)));
    return out;
  });
}

}  // namespace mtl
