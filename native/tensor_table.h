// The table of live tensors. JavaScript holds a tensor as an integer id into this table; the
// garbage collector never frees a slot — only an explicit `free` does (see src/tensor/scope.ts).
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <cstdint>
#include <vector>

namespace mtl {

class TensorTable {
 public:
  // Stores `t` and returns its id. Reports the bytes of a non-view tensor's storage to V8.
  int32_t put(at::Tensor t);
  // The tensor at `id`; throws std::out_of_range for a freed or unknown id.
  const at::Tensor& get(int64_t id) const;
  // Releases the slot. Freeing an unknown id throws std::out_of_range.
  void free(int64_t id);
  // Number of live slots.
  size_t live() const { return live_; }
  // Sends the accumulated external-memory delta to V8 once it passes a threshold (or always
  // when `force`), so V8 sees native memory pressure without a call per tensor.
  void flushExternalMemory(napi_env env, bool force = false);

 private:
  std::vector<at::Tensor> slots_;
  std::vector<int64_t> reportedBytes_;
  std::vector<int32_t> freeIds_;
  size_t live_ = 0;
  int64_t pendingBytes_ = 0;
};

TensorTable& table();

}  // namespace mtl
