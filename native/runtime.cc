// Process-wide settings: seeds, intra-op threads, devices, version.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <torch/version.h>

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cstdlib>
#include <cstring>
#include <string>

#include "guard.h"
#include "ops.h"

namespace mtl {

// glibc's malloc serves every block above its mmap threshold (at most 32 MiB) with a fresh mmap and
// unmaps it on free, and returns the heap's free top to the kernel once it exceeds the trim threshold.
// libtorch allocates a new storage for every tensor, so a (1000, 40943) float score matrix (164 MB)
// costs 40,000 page faults, each a kernel-zeroed 4 KiB page, every time it is made: on this project's
// 2-core VM, 1 s of CPU for a 40 ms addition, 3.6x the CPU of a whole link-prediction training
// step (docs/results/issue15-wn18rr.md). Serving every block from the heap (M_MMAP_MAX 0) and never
// trimming it (M_TRIM_THRESHOLD -1) lets freed blocks be reused as they are, as a caching allocator
// does: the process keeps its peak heap. A GLIBC_TUNABLES that sets any glibc.malloc tunable is the
// user's choice and is left alone.
void KeepFreedMemory() {
#if defined(__GLIBC__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "glibc.malloc.") != nullptr) return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
#endif
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return guarded(info, "manualSeed", [&]() -> Napi::Value {
    bool lossless = true;
    const uint64_t seed = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless)
                                             : static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
    at::manual_seed(seed);
    return info.Env().Undefined();
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guarded(info, "setNumThreads", [&]() -> Napi::Value {
    at::set_num_threads(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return guarded(info, "cudaDeviceCount", [&]() -> Napi::Value {
    const bool has = at::hasCUDA();
    return Napi::Number::New(info.Env(), has ? static_cast<double>(at::getNumGPUs()) : 0.0);
  });
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                                            "." + std::to_string(TORCH_VERSION_PATCH));
}

// OpenBLAS's kernel set ("SkylakeX", "Prescott", …) and build line, looked up by symbol so the addon
// links against no BLAS itself; null fields when the loaded libtorch uses another BLAS.
Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  return guarded(info, "blasInfo", [&]() -> Napi::Value {
    using NameFn = char* (*)();
    Napi::Object out = Napi::Object::New(info.Env());
    const std::pair<const char*, const char*> fields[] = {{"core", "openblas_get_corename"},
                                                          {"config", "openblas_get_config"}};
    for (const auto& [field, symbol] : fields) {
      const auto fn = reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, symbol));
      const char* value = fn == nullptr ? nullptr : fn();
      out.Set(field, value == nullptr ? info.Env().Null() : Napi::String::New(info.Env(), value));
    }
    return out;
  });
}

Napi::Value SetErrorFactory(const Napi::CallbackInfo& info) {
  return guarded(info, "setErrorFactory", [&]() -> Napi::Value {
    if (!info[0].IsFunction()) throw BindingError("expected a function (message, op, inputs, torchMessage) => Error");
    state(info.Env()).errorFactory = Napi::Persistent(info[0].As<Napi::Function>());
    return info.Env().Undefined();
  });
}

}  // namespace mtl
