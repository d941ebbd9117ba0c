// Every exported function runs inside `guarded`, so no C++ exception ever crosses into JavaScript:
// libtorch's c10::Error (without its C++ backtrace), std::exception and node-addon-api's own
// argument errors become one JS error, built by the factory that src/tensor/native.ts registers
// with `setErrorFactory` (a TorchError), or a plain Error with `code = "ERR_TORCH"` before that.
#pragma once

#include <c10/util/Exception.h>
#include <napi.h>

#include "env_state.h"
#include "warnings.h"

#include <exception>
#include <string>
#include <utility>

namespace mtl {

// Thrown by our own checks; carries the message as is.
struct BindingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline Napi::Error torchError(Napi::Env env, const std::string& op, const std::string& message,
                              const std::string& inputs) {
  std::string text = op.empty() ? message : op + ": " + message;
  if (!inputs.empty()) text += " (inputs: " + inputs + ")";
  const Napi::Value opValue = op.empty() ? env.Undefined() : Napi::String::New(env, op);
  const Napi::Value inputsValue = inputs.empty() ? env.Undefined() : Napi::String::New(env, inputs);
  auto* s = env.GetInstanceData<EnvState>();
  if (s != nullptr && !s->errorFactory.IsEmpty()) {
    const Napi::Value made = s->errorFactory.Call({Napi::String::New(env, text), opValue, inputsValue, Napi::String::New(env, message)});
    if (made.IsObject()) return Napi::Error(env, made);
  }
  Napi::Error error = Napi::Error::New(env, text);
  error.Set("code", Napi::String::New(env, "ERR_TORCH"));
  error.Set("op", opValue);
  error.Set("torchMessage", Napi::String::New(env, message));
  error.Set("inputs", inputsValue);
  return error;
}

// Strips libtorch's "Exception raised from ..." location lines (and anything after) from a message.
inline std::string withoutBacktrace(const char* what) {
  std::string text(what);
  const auto at = text.find("Exception raised from");
  if (at != std::string::npos) text.erase(at);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Runs `body`, then emits the libtorch warnings it raised (./warnings.h); on any C++ exception throws
// a JS error built from `op`, the exception's message and `describeInputs()` (called only on failure).
template <typename Body, typename Describe>
Napi::Value guarded(const Napi::CallbackInfo& info, const std::string& op, Body&& body,
                    Describe&& describeInputs) {
  Napi::Env env = info.Env();
  try {
    Napi::Value result = body();
    emitPendingWarnings(env);
    return result;
  } catch (const Napi::Error& e) {  // a JS value of the wrong type, seen by node-addon-api
    throw torchError(env, op, e.Message(), describeInputs());
  } catch (const c10::Error& e) {
    throw torchError(env, op, withoutBacktrace(e.what_without_backtrace()), describeInputs());
  } catch (const std::exception& e) {
    throw torchError(env, op, withoutBacktrace(e.what()), describeInputs());
  } catch (...) {
    throw torchError(env, op, "unknown C++ exception", describeInputs());
  }
}

template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, const std::string& op, Body&& body) {
  return guarded(info, op, std::forward<Body>(body), [] { return std::string(); });
}

}  // namespace mtl
