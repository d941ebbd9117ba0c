// The table of live tensors (one per JS environment, see env_state.h). JavaScript holds a tensor as
// an integer id into this table; the garbage collector never frees a slot — only an explicit `free`
// does (see src/tensor/scope.ts), or the end of the environment (a worker thread exiting).
//
// The table also tells V8 how much native memory its tensors hold (napi_adjust_external_memory),
// counting each storage once however many handles (views, `.grad` reads, aliases) point into it.
// Memory held only by an autograd graph (saved tensors) is not counted.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <cstdint>
#include <c10/util/flat_hash_map.h>
#include <vector>

namespace mtl {

class TensorTable {
 public:
  // Stores `t` and returns its id.
  int32_t put(at::Tensor t);
  // The tensor at `id`; throws std::out_of_range for a freed or unknown id.
  const at::Tensor& get(int64_t id) const;
  // Releases the slot. Freeing an unknown id throws std::out_of_range.
  void free(int64_t id);
  // Number of live slots.
  size_t live() const { return live_; }
  // Bytes of the distinct storages that live slots point into.
  int64_t storageBytes() const { return storageBytes_; }
  // Sends the change in storageBytes() since the last report to V8 once it passes a threshold (or
  // always when `force`), so V8 sees native memory pressure without a call per tensor. Returns
  // V8's total of external memory after the report.
  int64_t flushExternalMemory(napi_env env, bool force = false);

 private:
  struct Slot {
    at::Tensor tensor;
    const void* storage = nullptr;  // key into storages_ when the tensor has storage bytes
  };
  struct StorageUse {
    int64_t handles = 0;  // live slots pointing into this storage
    int64_t bytes = 0;    // its size when first seen (what was reported)
  };
  std::vector<Slot> slots_;
  std::vector<int32_t> freeIds_;
  // Open addressing: no allocation per insert on the hot path (one per op result).
  ska::flat_hash_map<const void*, StorageUse> storages_;
  size_t live_ = 0;
  int64_t storageBytes_ = 0;
  int64_t reportedBytes_ = 0;
};

}  // namespace mtl
