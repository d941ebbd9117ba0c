// Every exported function runs inside `guarded`, so no C++ exception ever crosses into JavaScript:
// libtorch's c10::Error (without its C++ backtrace) and std::exception become a JS Error with
// `code = "ERR_TORCH"` and, when known, the operator and a description of its inputs.
#pragma once

#include <c10/util/Exception.h>
#include <napi.h>

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
  Napi::Error error = Napi::Error::New(env, text);
  error.Set("code", Napi::String::New(env, "ERR_TORCH"));
  if (!op.empty()) error.Set("op", Napi::String::New(env, op));
  error.Set("torchMessage", Napi::String::New(env, message));
  if (!inputs.empty()) error.Set("inputs", Napi::String::New(env, inputs));
  return error;
}

// Strips libtorch's trailing "Exception raised from ..." location lines from a message.
inline std::string firstLines(const char* what) {
  std::string text(what);
  const auto at = text.find("\nException raised from");
  if (at != std::string::npos) text.erase(at);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Runs `body`; on a C++ exception throws a JS error built from `op` and `describeInputs()`.
template <typename Body, typename Describe>
Napi::Value guarded(const Napi::CallbackInfo& info, const std::string& op, Body&& body,
                    Describe&& describeInputs) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw torchError(env, op, firstLines(e.what_without_backtrace()), describeInputs());
  } catch (const std::exception& e) {
    throw torchError(env, op, firstLines(e.what()), describeInputs());
  } catch (...) {
    throw torchError(env, op, "unknown C++ exception", describeInputs());
  }
}

template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, const std::string& op, Body&& body) {
  return guarded(info, op, std::forward<Body>(body), [] { return std::string(); });
}

}  // namespace mtl
