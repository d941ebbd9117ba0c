#include "warnings.h"

#include "env_state.h"
#include "guard.h"

#include <c10/util/Exception.h>
#include <torch/version.h>

#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

namespace mtl {
namespace {

std::mutex queueMutex;
std::vector<std::string> queue;
std::atomic<bool> pending{false};

void enqueue(std::string message) {
  const std::lock_guard<std::mutex> lock(queueMutex);
  queue.push_back(std::move(message));
  pending.store(true, std::memory_order_release);
}

// The handler's signature changed in libtorch 2.0 (one c10::Warning argument).
class QueueingHandler : public c10::WarningHandler {
 public:
#if TORCH_VERSION_MAJOR >= 2
  void process(const c10::Warning& warning) override { enqueue(warning.msg()); }
#else
  void process(const c10::SourceLocation&, const std::string& msg, const bool) override { enqueue(msg); }
#endif
};

}  // namespace

void installWarningHandler() {
  static QueueingHandler handler;  // lives as long as the process: libtorch keeps a raw pointer
  static std::once_flag once;
  // libtorch 2.0 moved the setter from c10::Warning to the c10::WarningUtils namespace.
#if TORCH_VERSION_MAJOR >= 2
  std::call_once(once, [] { c10::WarningUtils::set_warning_handler(&handler); });
#else
  std::call_once(once, [] { c10::Warning::set_warning_handler(&handler); });
#endif
}

void emitWarning(Napi::Env env, const std::string& message) {
  auto* s = env.GetInstanceData<EnvState>();
  if (s != nullptr && !s->warningHandler.IsEmpty()) {
    s->warningHandler.Call({Napi::String::New(env, message)});
    return;
  }
  const Napi::Value process = env.Global().Get("process");
  if (!process.IsObject()) return;
  const Napi::Value emit = process.As<Napi::Object>().Get("emitWarning");
  if (!emit.IsFunction()) return;
  emit.As<Napi::Function>().Call(process, {Napi::String::New(env, message), Napi::String::New(env, "TorchWarning")});
}

void emitPendingWarnings(Napi::Env env) {
  if (!pending.load(std::memory_order_acquire)) return;
  std::vector<std::string> messages;
  {
    const std::lock_guard<std::mutex> lock(queueMutex);
    messages.swap(queue);
    pending.store(false, std::memory_order_relaxed);
  }
  for (const std::string& m : messages) emitWarning(env, m);
}

Napi::Value SetWarningHandler(const Napi::CallbackInfo& info) {
  return guarded(info, "setWarningHandler", [&]() -> Napi::Value {
    if (!info[0].IsFunction()) throw BindingError("expected a function (message) => void");
    state(info.Env()).warningHandler = Napi::Persistent(info[0].As<Napi::Function>());
    return info.Env().Undefined();
  });
}

}  // namespace mtl
