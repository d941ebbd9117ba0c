// Autocast's per-device state (enabled flag and lower-precision dtype) across libtorch versions:
// libtorch 2.4 replaced the per-device functions (is_cpu_enabled, set_autocast_gpu_dtype, …), deprecated
// since, by ones taking an at::DeviceType. The addon builds against 1.13 and 2.x with the same sources
// (scripts/check-libtorch2.sh compiles it against 2.6).
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define MTL_AUTOCAST_DEVICE_API 1
#endif

namespace mtl {

inline bool autocastEnabled(bool cuda) {
#ifdef MTL_AUTOCAST_DEVICE_API
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

inline at::ScalarType autocastDtype(bool cuda) {
#ifdef MTL_AUTOCAST_DEVICE_API
  return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

// Sets the dtype, then the flag (the order torch.autocast's __enter__ uses).
inline void setAutocastState(bool cuda, bool enabled, at::ScalarType dtype) {
#ifdef MTL_AUTOCAST_DEVICE_API
  const at::DeviceType device = cuda ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_dtype(device, dtype);
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

}  // namespace mtl
