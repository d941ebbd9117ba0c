// A c10d process group as the binding holds it (native/distributed.cc makes it, native/reducer.cc
// reduces gradients over it), and the Promise-returning worker that every blocking call runs in.
// Defines MTL_HAVE_GLOO where Gloo's headers are found at build time.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "guard.h"

// -DMTL_NO_GLOO builds without them where they are found (to check that build).
#if !defined(MTL_NO_GLOO) && __has_include(<gloo/config.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>)
#define MTL_HAVE_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace mtl {

// What each process-group function does in a build without Gloo's headers: throw, saying how to get them.
inline Napi::Value glooUnavailable(const Napi::CallbackInfo& info, const char* op) {
  return guarded(info, op, [&]() -> Napi::Value {
    throw BindingError(
        "this build of the addon has no process groups: Gloo's headers were not found when it was built "
        "(Debian: apt-get install libgloo-dev, then node native/build.mjs --force)");
  });
}

#ifdef MTL_HAVE_GLOO

using Millis = std::chrono::milliseconds;

// What a JS process-group object owns; workers hold a shared_ptr so destroy() during a call is safe.
struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
  int rank = 0;
  int size = 1;
  Millis timeout{0};
};
using GroupRef = std::shared_ptr<Group>;

inline std::string errorText(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const c10::Error& e) {
    return withoutBacktrace(e.what_without_backtrace());
  } catch (const std::exception& e) {
    return withoutBacktrace(e.what());
  } catch (...) {
    return "unknown C++ exception";
  }
}

// Runs `work` on the thread pool; resolves with `result()` (main thread) or rejects with a TorchError
// naming `op`. Nothing in `work` touches a JS value.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env)>;
  PromiseWorker(Napi::Env env, std::string op, Work work, Result result)
      : Napi::AsyncWorker(env, op.c_str()), op_(std::move(op)), deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)), result_(std::move(result)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      at::NoGradGuard noGrad;
      work_();
    } catch (...) {
      SetError(errorText(std::current_exception()));
    }
  }
  void OnOK() override {
    try {
      deferred_.Resolve(result_(Env()));
    } catch (...) {
      deferred_.Reject(torchError(Env(), op_, errorText(std::current_exception()), "").Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(torchError(Env(), op_, e.Message(), "").Value()); }

 private:
  std::string op_;
  Napi::Promise::Deferred deferred_;
  Work work_;
  Result result_;
};

inline Napi::Value queue(Napi::Env env, const std::string& op, PromiseWorker::Work work, PromiseWorker::Result result) {
  auto* worker = new PromiseWorker(env, op, std::move(work), std::move(result));  // deletes itself when done
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

inline GroupRef& groupArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsExternal()) throw BindingError("expected a process group (from pgCreate)");
  GroupRef& group = *info[i].As<Napi::External<GroupRef>>().Data();
  if (!group) throw BindingError("the process group was destroyed");
  return group;
}

#endif  // MTL_HAVE_GLOO

}  // namespace mtl
