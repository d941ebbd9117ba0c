// Activation checkpointing (torch.utils.checkpoint): a custom autograd Function whose forward runs a
// JavaScript function without recording a graph (so its activations are freed), saving only its
// inputs; whose backward runs the same function again with grad enabled — the CPU generator's state
// and the autocast state of the forward put back, so dropout masks and casts agree — and
// back-propagates through that re-run with torch::autograd::grad.
//
// Re-entering JavaScript from backward works because libtorch's engine runs CPU work on the thread
// that called backward (and a nested backward on the same thread): the JS thread, inside a
// native.backward / native.autogradGrad call. CUDA nodes run on the engine's device threads, where JS
// cannot be called: backward throws a clear error there (the thread is checked), never crashes.
//
// Parameters are inputs of the Function too, so their gradients reach the outer backward (or
// autograd.grad, which gradient surgery uses) rather than being accumulated by a nested backward.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <ATen/core/ivalue.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/functions/accumulate_grad.h>

#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "autocast_state.h"
#include "guard.h"
#include "ops.h"
#include "tensor_table.h"

namespace mtl {

namespace {

// Set by a cleanup hook when this thread's environment ends (a worker exiting, the process ending):
// graphs freed from then on must not release their JS function references (V8 frees them itself).
thread_local bool envClosing = false;
thread_local bool hookAdded = false;

void watchEnvEnd(Napi::Env env) {
  if (hookAdded) return;
  hookAdded = true;
  napi_add_env_cleanup_hook(env, [](void*) { envClosing = true; }, nullptr);
}

// What the backward needs besides the saved tensors: the function, where to call it, and the state
// of the forward. Lives in the autograd context (a capsule), so it goes with the graph.
struct Recompute : torch::CustomClassHolder {
  Napi::Env env;
  Napi::FunctionReference fn;
  std::thread::id thread = std::this_thread::get_id();
  size_t numInputs = 0;
  at::Tensor rngState;  // the CPU generator's state before the forward
  bool autocastEnabled = false;
  at::ScalarType autocastDtype = at::kBFloat16;

  explicit Recompute(Napi::Env e) : env(e) {}
  ~Recompute() override {
    // A graph freed with the environment (worker exit) or off the JS thread must not touch V8.
    if (envClosing || std::this_thread::get_id() != thread) fn.SuppressDestruct();
  }
};

// Calls fn(ids) with new table slots for `inputs` (the function frees them), and takes the tensors
// whose ids it returns (freeing those slots here).
std::vector<at::Tensor> callJs(Recompute& r, const std::vector<at::Tensor>& inputs) {
  TensorTable& tensors = table(r.env);
  Napi::Array ids = Napi::Array::New(r.env, inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) ids.Set(i, Napi::Number::New(r.env, tensors.put(inputs[i])));
  const Napi::Value result = r.fn.Call({ids});
  if (!result.IsArray()) throw BindingError("the checkpointed function must return an array of tensor ids");
  const auto a = result.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const int64_t id = a.Get(i).As<Napi::Number>().Int64Value();
    out.push_back(tensors.get(id));
    tensors.free(id);
  }
  return out;
}

// Turns autocast's cache of cast weights off for its lifetime: a cast cached while the forward runs
// without grad would carry no graph to the weight, and be reused by the ops after it.
class AutocastCacheOff {
 public:
  AutocastCacheOff() : previous_(at::autocast::is_autocast_cache_enabled()) { at::autocast::set_autocast_cache_enabled(false); }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(previous_); }
  AutocastCacheOff(const AutocastCacheOff&) = delete;
  AutocastCacheOff& operator=(const AutocastCacheOff&) = delete;

 private:
  bool previous_;
};

// Puts the generator and autocast state of the forward in place for its lifetime, restores after.
class ForwardStateGuard {
 public:
  explicit ForwardStateGuard(const Recompute& r)
      : generator_(at::detail::getDefaultCPUGenerator()),
        autocastEnabled_(autocastEnabled(false)),
        autocastDtype_(autocastDtype(false)) {
    {
      std::lock_guard<std::mutex> lock(generator_.mutex());
      rngState_ = generator_.get_state();
      generator_.set_state(r.rngState);
    }
    setAutocastState(false, r.autocastEnabled, r.autocastDtype);
  }
  ~ForwardStateGuard() {
    setAutocastState(false, autocastEnabled_, autocastDtype_);
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(rngState_);
  }
  ForwardStateGuard(const ForwardStateGuard&) = delete;
  ForwardStateGuard& operator=(const ForwardStateGuard&) = delete;

 private:
  at::Generator generator_;
  at::Tensor rngState_;
  bool autocastEnabled_;
  at::ScalarType autocastDtype_;
};

// Throws when the re-run's graph reaches a leaf that requires grad but is neither an input nor a
// parameter of the checkpoint: its gradient would be lost silently (torch's checkpoint has the same
// limit, unchecked). Walks the graph from the outputs once; a layer's graph has a few hundred nodes.
void checkLeaves(const std::vector<at::Tensor>& outputs, const std::vector<at::Tensor>& targets) {
  std::unordered_set<const void*> known;
  for (const at::Tensor& t : targets) known.insert(t.unsafeGetTensorImpl());
  std::unordered_set<const torch::autograd::Node*> seen;
  std::vector<torch::autograd::Node*> stack;
  for (const at::Tensor& o : outputs)
    if (o.grad_fn()) stack.push_back(o.grad_fn().get());
  while (!stack.empty()) {
    torch::autograd::Node* node = stack.back();
    stack.pop_back();
    if (!seen.insert(node).second) continue;
    if (const auto* leaf = dynamic_cast<const torch::autograd::AccumulateGrad*>(node)) {
      if (known.count(leaf->variable.unsafeGetTensorImpl()) == 0) {
        std::ostringstream out;
        out << "the checkpointed function reads a tensor that requires grad (" << c10::toString(leaf->variable.scalar_type())
            << leaf->variable.sizes() << ") but is neither one of its inputs nor of its parameters; its gradient would be lost: "
            << "pass it in `inputs` or `params`";
        throw BindingError(out.str());
      }
      continue;
    }
    for (const auto& edge : node->next_edges())
      if (edge.function) stack.push_back(edge.function.get());
  }
}

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction> {
  // Arguments: the state, then the function's inputs and the parameters, flattened into `tensors`.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, c10::intrusive_ptr<Recompute> r,
                                                at::TensorList tensors) {
    {
      at::Generator generator = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(generator.mutex());
      r->rngState = generator.get_state();
    }
    r->autocastEnabled = autocastEnabled(false);
    r->autocastDtype = autocastDtype(false);
    const std::vector<at::Tensor> inputs(tensors.begin(), tensors.begin() + static_cast<int64_t>(r->numInputs));
    std::vector<at::Tensor> outputs;
    {
      const AutocastCacheOff noCache;
      outputs = callJs(*r, inputs);  // grad mode is off here (Function::apply)
    }
    ctx->save_for_backward(tensors.vec());
    ctx->saved_data["recompute"] = c10::IValue::make_capsule(r);
    return outputs;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list gradOutputs) {
    auto r = c10::static_intrusive_pointer_cast<Recompute>(ctx->saved_data["recompute"].toCapsule());
    if (std::this_thread::get_id() != r->thread) {
      throw BindingError(
          "gradient checkpointing re-runs a JavaScript layer in backward, which libtorch ran off the JavaScript thread "
          "(CUDA tensors are back-propagated on the engine's device threads); use it on CPU, or turn "
          "training.gradient_checkpointing off");
    }
    const bool createGraph = at::GradMode::is_enabled();
    const torch::autograd::variable_list saved = ctx->get_saved_variables();
    std::vector<at::Tensor> inputs;
    std::vector<at::Tensor> targets;  // what gradients are asked for: inputs that require grad, then parameters
    std::vector<size_t> targetIndex;  // position of each target in `saved`
    for (size_t i = 0; i < r->numInputs; ++i) {
      at::Tensor x = saved[i].detach();
      if (saved[i].requires_grad()) {
        x.set_requires_grad(true);
        targets.push_back(x);
        targetIndex.push_back(i);
      }
      inputs.push_back(x);
    }
    for (size_t i = r->numInputs; i < saved.size(); ++i) {
      if (!saved[i].requires_grad()) continue;
      targets.push_back(saved[i]);
      targetIndex.push_back(i);
    }
    std::vector<at::Tensor> outputs;
    {
      const ForwardStateGuard state(*r);
      const AutocastCacheOff noCache;
      const at::AutoGradMode gradMode(true);
      outputs = callJs(*r, inputs);
    }
    if (outputs.size() != gradOutputs.size()) {
      throw BindingError("the checkpointed function returned " + std::to_string(outputs.size()) + " tensors in backward, " +
                         std::to_string(gradOutputs.size()) + " in forward; it must be deterministic");
    }
    checkLeaves(outputs, targets);
    std::vector<at::Tensor> roots;
    std::vector<at::Tensor> rootGrads;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (!outputs[i].requires_grad() || !gradOutputs[i].defined()) continue;
      roots.push_back(outputs[i]);
      rootGrads.push_back(gradOutputs[i]);
    }
    torch::autograd::variable_list result(1 + saved.size());  // undefined for the state and what needs none
    if (roots.empty() || targets.empty()) return result;
    const auto grads = torch::autograd::grad(roots, targets, rootGrads, /*retain_graph=*/createGraph, createGraph,
                                             /*allow_unused=*/true);
    for (size_t k = 0; k < grads.size(); ++k) result[1 + targetIndex[k]] = grads[k];
    return result;
  }
};

std::vector<at::Tensor> idList(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw BindingError(std::string("'") + what + "' expects an array of tensor ids");
  const auto a = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(table(v.Env()).get(a.Get(i).As<Napi::Number>().Int64Value()));
  return out;
}

}  // namespace

// checkpoint(fn, inputIds, paramIds) -> output ids. fn(ids) -> ids: takes ownership of the slots it
// is given and hands over the slots it returns.
Napi::Value Checkpoint(const Napi::CallbackInfo& info) {
  return guarded(info, "checkpoint", [&]() -> Napi::Value {
    if (!info[0].IsFunction()) throw BindingError("checkpoint expects a function");
    watchEnvEnd(info.Env());
    auto r = c10::make_intrusive<Recompute>(info.Env());
    r->fn = Napi::Persistent(info[0].As<Napi::Function>());
    std::vector<at::Tensor> tensors = idList(info[1], "inputs");
    r->numInputs = tensors.size();
    for (at::Tensor& p : idList(info[2], "params")) tensors.push_back(p);
    const auto outputs = CheckpointFunction::apply(r, at::TensorList(tensors));
    TensorTable& t = table(info.Env());
    Napi::Array out = Napi::Array::New(info.Env(), outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), t.put(outputs[i])));
    return out;
  });
}

}  // namespace mtl
