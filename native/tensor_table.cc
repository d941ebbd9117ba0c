#include "tensor_table.h"

#include <stdexcept>
#include <string>

namespace mtl {

namespace {
constexpr int64_t kFlushBytes = 1 << 20;  // report to V8 in steps of at least 1 MiB

int64_t ownedBytes(const at::Tensor& t) {
  if (!t.defined() || t.is_view() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.storage().nbytes());
}
}  // namespace

TensorTable& table() {
  static TensorTable instance;
  return instance;
}

int32_t TensorTable::put(at::Tensor t) {
  const int64_t bytes = ownedBytes(t);
  pendingBytes_ += bytes;
  ++live_;
  if (!freeIds_.empty()) {
    const int32_t id = freeIds_.back();
    freeIds_.pop_back();
    slots_[id] = std::move(t);
    reportedBytes_[id] = bytes;
    return id;
  }
  slots_.push_back(std::move(t));
  reportedBytes_.push_back(bytes);
  return static_cast<int32_t>(slots_.size() - 1);
}

const at::Tensor& TensorTable::get(int64_t id) const {
  if (id < 0 || id >= static_cast<int64_t>(slots_.size()) || !slots_[id].defined()) {
    throw std::out_of_range("tensor id " + std::to_string(id) + " is not live (disposed or never created)");
  }
  return slots_[id];
}

void TensorTable::free(int64_t id) {
  get(id);  // validates
  slots_[id].reset();
  pendingBytes_ -= reportedBytes_[id];
  reportedBytes_[id] = 0;
  freeIds_.push_back(static_cast<int32_t>(id));
  --live_;
}

void TensorTable::flushExternalMemory(napi_env env, bool force) {
  if (pendingBytes_ == 0) return;
  if (!force && pendingBytes_ < kFlushBytes && pendingBytes_ > -kFlushBytes) return;
  int64_t total = 0;
  napi_adjust_external_memory(env, pendingBytes_, &total);
  pendingBytes_ = 0;
}

}  // namespace mtl
