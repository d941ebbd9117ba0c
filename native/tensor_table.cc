#include "tensor_table.h"

#include <stdexcept>
#include <string>

namespace mtl {

namespace {
constexpr int64_t kFlushBytes = 1 << 20;  // report to V8 in steps of at least 1 MiB
}  // namespace

int32_t TensorTable::put(at::Tensor t) {
  Slot slot;
  if (t.defined() && t.has_storage() && t.storage().nbytes() > 0) {
    slot.storage = t.storage().unsafeGetStorageImpl();
    StorageUse& use = storages_[slot.storage];
    if (use.handles++ == 0) {
      use.bytes = static_cast<int64_t>(t.storage().nbytes());
      storageBytes_ += use.bytes;
    }
  }
  slot.tensor = std::move(t);
  ++live_;
  if (!freeIds_.empty()) {
    const int32_t id = freeIds_.back();
    freeIds_.pop_back();
    slots_[id] = std::move(slot);
    return id;
  }
  slots_.push_back(std::move(slot));
  return static_cast<int32_t>(slots_.size() - 1);
}

const at::Tensor& TensorTable::get(int64_t id) const {
  if (id < 0 || id >= static_cast<int64_t>(slots_.size()) || !slots_[id].tensor.defined()) {
    throw std::out_of_range("tensor id " + std::to_string(id) + " is not live (disposed or never created)");
  }
  return slots_[id].tensor;
}

void TensorTable::free(int64_t id) {
  get(id);  // validates
  Slot& slot = slots_[id];
  if (slot.storage != nullptr) {
    const auto it = storages_.find(slot.storage);
    if (it != storages_.end() && --it->second.handles == 0) {
      storageBytes_ -= it->second.bytes;
      storages_.erase(it);
    }
    slot.storage = nullptr;
  }
  slot.tensor.reset();
  freeIds_.push_back(static_cast<int32_t>(id));
  --live_;
}

int64_t TensorTable::flushExternalMemory(napi_env env, bool force) {
  const int64_t change = storageBytes_ - reportedBytes_;
  if (!force && change < kFlushBytes && change > -kFlushBytes) return -1;
  int64_t total = 0;
  if (napi_adjust_external_memory(env, change, &total) == napi_ok) reportedBytes_ = storageBytes_;
  return total;
}

}  // namespace mtl
