// libtorch's warnings (TORCH_WARN) reach JavaScript instead of glog lines on stderr: a handler
// installed once queues them, and every binding call (`guarded`) hands what is queued, when it
// returns, to the function registered with setWarningHandler (before that: process.emitWarning with
// type TorchWarning). Warnings raised on libtorch's own threads wait for the next call.
#pragma once

#include <napi.h>

#include <string>

namespace mtl {

// Installs the queueing handler as libtorch's global warning handler (idempotent).
void installWarningHandler();

// Hands `message` to the registered warning handler, or process.emitWarning(message, 'TorchWarning').
void emitWarning(Napi::Env env, const std::string& message);

// setWarningHandler(fn): fn(message) receives every libtorch warning from now on.
Napi::Value SetWarningHandler(const Napi::CallbackInfo& info);

// Emits the queued warnings, if any (one relaxed atomic load when there are none).
void emitPendingWarnings(Napi::Env env);

}  // namespace mtl
