// Gradients all-reduced in buckets while the backward pass runs, as PyTorch's DDP Reducer
// (torch/csrc/distributed/c10d/reducer.cpp) does it, over a process group of ./process_group.h.
//
// The caller (src/distributed/) assigns the parameters to buckets; here each parameter's gradient
// accumulator (its AccumulateGrad node) gets a post hook, as DDP's: it runs after the gradient was
// added to .grad, so with gradient accumulation over micro-batches it sees their sum, and it does not
// run for torch::autograd::grad (gradient surgery, gradient checkpointing's nested pass), which
// accumulates nothing. The reducer keeps the accumulators alive (a leaf holds its own weakly), so the
// hooks stay with the parameters. Node::add_post_hook, impl::grad_accumulator and FunctionPostHook are
// what DDP uses in libtorch 1.13 and 2.x alike.
//
// Between reducerPrepare and reducerFinish the hooks are armed: a parameter's .grad, once accumulated,
// is copied into its slot of the bucket's flat buffer; when every slot of a bucket is filled, and every
// bucket before it has been launched, its all-reduce (c10d allreduce, a Work run by Gloo's threads) is
// launched while the backward continues. Buckets are launched in index order on every rank, so every
// rank issues the same collectives in the same order whatever order its gradients come in.
//
// Parameters that get no gradient in this pass (DDP's find_unused_parameters: a task head not trained
// on this rank in this step) take their .grad from earlier micro-batches, or zeros: at reducerPrepare
// those the backward from its roots cannot reach (a walk of the autograd graph, as DDP's after its
// forward), so their buckets do not hold back the buckets behind them; at reducerFinish any others.
// reducerFinish, after the backward: the remaining buckets are launched in order; on libuv's pool it
// waits for them all (each at most the group's timeout: a dead peer rejects the Promise, never hangs),
// divides by the world size and writes each parameter's .grad. A parameter that got no gradient on any
// rank keeps no .grad (as one process on the union of the ranks' batches: the optimizer skips it).
// Which parameters had a gradient on some rank travels as P flags (0/1, summed over the ranks) in the
// tail of the last bucket's buffer, in its floating dtype, when the flags' sum (at most the world size)
// is an exact integer there (float32 up to 2^24 ranks, bfloat16 up to 2^8): by the time the last bucket
// launches every slot is filled, so the flags are final, and no separate all-reduce follows the
// backward. Otherwise (or with foldFlags false) they go in a separate int32 all-reduce, as before.
// Disarmed, the hooks do nothing (micro-batches before the last, evaluation).
//
// Each armed pass records the order in which the hooks filled slots with a gradient (DDP's
// rebuilt_param_indices_): src/distributed/ rebuilds the buckets in that order after the first step.
// It also counts, for the bench, the elements of the buckets launched before the last slot was
// filled (those whose all-reduce can hide behind the backward) and the collectives launched after.
//
// A parameter whose gradient is accumulated twice in one armed pass (two backward calls) makes the
// reduction fail at reducerFinish, as DDP's "Expected to mark a variable ready only once".
#include <ATen/ATen.h>
#include <napi.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "args.h"
#include "guard.h"
#include "ops.h"
#include "process_group.h"

namespace mtl {

#ifdef MTL_HAVE_GLOO

namespace {

// A strong reference to an autograd node, as impl::grad_accumulator returns it: std::shared_ptr up to
// libtorch 2.x's move of autograd nodes to c10::intrusive_ptr (2.14 has it, 2.6 not).
using NodeRef = decltype(torch::autograd::impl::grad_accumulator(std::declval<const at::Tensor&>()));

struct Bucket {
  std::vector<at::Tensor> params;
  std::vector<size_t> indices;  // each parameter's index in the reducer (order of the caller's buckets)
  std::vector<int64_t> offsets;  // each parameter's first element in `flat`
  at::Tensor flat;               // the bucket's buffer, allocated once
  std::vector<char> ready;       // per parameter: its slot is filled in this pass
  std::vector<NodeRef> accumulators;  // each parameter's AccumulateGrad (kept alive)
  std::vector<uintptr_t> hookKeys;                                   // its post hook's key
  size_t pending = 0;            // parameters whose slot is not filled yet
  c10::intrusive_ptr<c10d::Work> work;

  at::Tensor slot(size_t s) const { return flat.narrow(0, offsets[s], params[s].numel()).view(params[s].sizes()); }
};

struct Reducer {
  GroupRef group;
  std::vector<Bucket> buckets;
  at::Tensor used;                                     // (P,) int32: the parameter got a gradient in this step
  c10::intrusive_ptr<c10d::Work> usedWork;             // the flags' own all-reduce (when not folded)
  int64_t flagsOffset = -1;  // where the flags sit in the last bucket's buffer; -1: not folded
  std::vector<size_t> readyOrder;  // reducer indices in the order their gradients came in this pass
  size_t slots = 0, filled = 0;    // parameters, and slots filled in this pass
  int64_t earlyElements = 0;       // elements of the buckets launched while slots were still empty
  size_t exposed = 0;              // collectives launched once every slot was filled
  std::mutex mutex;   // the hooks run on the thread of the backward (a device thread on CUDA)
  bool armed = false;
  bool busy = false;  // a reducerFinish in flight (main thread only)
  size_t nextBucket = 0;
  std::string error;  // the first failure of an armed pass (hooks never throw into the backward)

  // Fills slot `s` of bucket `b` from its parameter's accumulated .grad; launches what is ready.
  void markReady(size_t b, size_t s) {
    Bucket& bucket = buckets[b];
    const at::Tensor& param = bucket.params[s];
    if (bucket.ready[s]) {
      std::ostringstream out;
      out << "parameter " << bucket.indices[s] << " " << param.sizes()
          << " got a gradient twice in one reduced backward pass; the overlapped reduction expects one backward call per step "
             "after reducerPrepare (reduce after the backward instead)";
      throw BindingError(out.str());
    }
    const at::Tensor& grad = param.grad();
    if (!grad.defined()) return;  // AccumulateGrad had nothing to add: left to reducerFinish
    bucket.slot(s).copy_(grad);
    readyOrder.push_back(bucket.indices[s]);
    fill(b, s, true);
  }

  // Fills slot `s` of bucket `b` for a parameter this pass gives no gradient: its .grad from earlier
  // micro-batches, or zeros (and not marked used).
  void fillWithoutGradient(size_t b, size_t s) {
    Bucket& bucket = buckets[b];
    const at::Tensor& accumulated = bucket.params[s].grad();
    if (accumulated.defined()) bucket.slot(s).copy_(accumulated);
    else bucket.slot(s).zero_();
    fill(b, s, accumulated.defined());
  }

  void fill(size_t b, size_t s, bool hasGradient) {
    Bucket& bucket = buckets[b];
    bucket.ready[s] = 1;
    if (hasGradient) used.data_ptr<int32_t>()[bucket.indices[s]] = 1;
    --bucket.pending;
    ++filled;
    while (nextBucket < buckets.size() && buckets[nextBucket].pending == 0) launch(nextBucket++);
  }

  // DDP's find_unused_parameters: the parameters whose gradient accumulator the backward pass from
  // `roots` cannot reach are filled now, so the buckets holding them (task heads this step does not
  // train) do not hold back the buckets behind them until reducerFinish.
  void fillUnreachable(const std::vector<at::Tensor>& roots) {
    std::unordered_set<const torch::autograd::Node*> seen;
    std::vector<torch::autograd::Node*> stack;
    for (const at::Tensor& root : roots) {
      if (root.grad_fn() && seen.insert(root.grad_fn().get()).second) stack.push_back(root.grad_fn().get());
    }
    while (!stack.empty()) {
      torch::autograd::Node* node = stack.back();
      stack.pop_back();
      for (const torch::autograd::Edge& edge : node->next_edges()) {
        if (edge.function && seen.insert(edge.function.get()).second) stack.push_back(edge.function.get());
      }
    }
    for (size_t b = 0; b < buckets.size(); ++b) {
      for (size_t s = 0; s < buckets[b].params.size(); ++s) {
        if (seen.count(buckets[b].accumulators[s].get()) == 0) fillWithoutGradient(b, s);
      }
    }
  }

  // Starts bucket `b`'s all-reduce; the last one carries the flags when they are folded (every slot is
  // filled by then: buckets launch in index order, each once all its slots are).
  void launch(size_t b) {
    Bucket& bucket = buckets[b];
    if (flagsOffset >= 0 && b + 1 == buckets.size()) bucket.flat.narrow(0, flagsOffset, used.numel()).copy_(used);
    if (filled < slots) earlyElements += bucket.flat.numel() - (flagsOffset >= 0 && b + 1 == buckets.size() ? used.numel() : 0);
    else ++exposed;
    std::vector<at::Tensor> tensors{bucket.flat};
    c10d::AllreduceOptions opts;
    opts.reduceOp = c10d::ReduceOp::SUM;
    opts.timeout = group->timeout;
    bucket.work = group->gloo->allreduce(tensors, opts);
  }

  void removeHooks() {
    for (Bucket& bucket : buckets) {
      for (size_t s = 0; s < bucket.accumulators.size(); ++s) bucket.accumulators[s]->del_post_hook(bucket.hookKeys[s]);
      bucket.accumulators.clear();
      bucket.hookKeys.clear();
    }
  }
};
using ReducerRef = std::shared_ptr<Reducer>;

// Runs after a parameter's AccumulateGrad: marks its slot ready when the reducer is armed. Never
// throws into the backward pass: a failure is kept for reducerFinish, which every rank reaches.
class ReadyHook : public torch::autograd::FunctionPostHook {
 public:
  ReadyHook(std::weak_ptr<Reducer> reducer, size_t bucket, size_t slot) : reducer_(std::move(reducer)), bucket_(bucket), slot_(slot) {}

  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& /*inputs*/) override {
    const ReducerRef r = reducer_.lock();  // weak: the hooks must not keep the reducer (and its parameters) alive
    if (!r) return outputs;
    std::lock_guard<std::mutex> lock(r->mutex);
    if (!r->armed || !r->error.empty()) return outputs;
    try {
      at::NoGradGuard noGrad;
      r->markReady(bucket_, slot_);
    } catch (...) {
      r->error = errorText(std::current_exception());
    }
    return outputs;
  }

 private:
  std::weak_ptr<Reducer> reducer_;
  size_t bucket_;
  size_t slot_;
};

ReducerRef& reducerArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsExternal()) throw BindingError("expected a gradient reducer (from reducerCreate)");
  ReducerRef& reducer = *info[i].As<Napi::External<ReducerRef>>().Data();
  if (!reducer) throw BindingError("the gradient reducer was destroyed");
  return reducer;
}

// The buckets of ids at info[i]: an array of non-empty arrays, each of leaves that require grad, of one
// dtype and device, no parameter twice.
std::vector<Bucket> bucketsArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw BindingError("expected an array of buckets (arrays of parameter ids)");
  const Napi::Array list = info[i].As<Napi::Array>();
  std::vector<Bucket> buckets(list.Length());
  std::unordered_set<const void*> seen;
  size_t index = 0;
  for (uint32_t b = 0; b < list.Length(); ++b) {
    const Napi::Value ids = list.Get(b);
    if (!ids.IsArray() || ids.As<Napi::Array>().Length() == 0) throw BindingError("bucket " + std::to_string(b) + " is not a non-empty array of parameter ids");
    Bucket& bucket = buckets[b];
    int64_t numel = 0;
    for (uint32_t k = 0; k < ids.As<Napi::Array>().Length(); ++k) {
      const Napi::Value id = ids.As<Napi::Array>().Get(k);
      if (!id.IsNumber()) throw BindingError("bucket " + std::to_string(b) + " holds something other than a tensor id");
      const at::Tensor& p = table(info.Env()).get(id.As<Napi::Number>().Int64Value());
      const std::string where = "parameter " + std::to_string(index) + " (bucket " + std::to_string(b) + ")";
      if (!p.is_leaf() || !p.requires_grad()) throw BindingError(where + " is not a leaf that requires grad");
      if (p.layout() != at::kStrided) throw BindingError(where + " is not a dense tensor");
      if (!seen.insert(p.unsafeGetTensorImpl()).second) throw BindingError(where + " is given twice");
      if (!bucket.params.empty() && (p.scalar_type() != bucket.params[0].scalar_type() || p.device() != bucket.params[0].device()))
        throw BindingError(where + " has dtype " + c10::toString(p.scalar_type()) + " on " + p.device().str() + ", its bucket " +
                           c10::toString(bucket.params[0].scalar_type()) + " on " + bucket.params[0].device().str());
      bucket.params.push_back(p);
      bucket.indices.push_back(index++);
      bucket.offsets.push_back(numel);
      numel += p.numel();
    }
    bucket.flat = at::zeros({numel}, bucket.params[0].options());
    bucket.ready.assign(bucket.params.size(), 0);
  }
  return buckets;
}

}  // namespace

// Whether every integer from 0 to `n` is exact in floating dtype `t` (what summing 0/1 flags over n ranks needs).
static bool exactUpTo(c10::ScalarType t, int64_t n) {
  switch (t) {
    case at::kDouble: return n <= (int64_t{1} << 53);
    case at::kFloat: return n <= (int64_t{1} << 24);
    case at::kHalf: return n <= (int64_t{1} << 11);
    case at::kBFloat16: return n <= (int64_t{1} << 8);
    default: return false;
  }
}

// reducerCreate(group, buckets: ids[][], foldFlags: boolean) -> reducer: a post hook on every
// parameter's gradient accumulator, disarmed. With foldFlags, the "had a gradient" flags ride in the
// last bucket's buffer where its dtype holds their sum exactly.
Napi::Value ReducerCreate(const Napi::CallbackInfo& info) {
  return guarded(info, "reducerCreate", [&]() -> Napi::Value {
    auto reducer = std::make_shared<Reducer>();
    reducer->group = groupArg(info, 0);
    reducer->buckets = bucketsArg(info, 1);
    if (reducer->buckets.empty()) throw BindingError("expected at least one bucket");
    if (!info[2].IsBoolean()) throw BindingError("expected foldFlags (a boolean) after the buckets");
    size_t count = 0;
    for (const Bucket& bucket : reducer->buckets) count += bucket.params.size();
    reducer->slots = count;
    reducer->used = at::zeros({static_cast<int64_t>(count)}, at::kInt);
    Bucket& last = reducer->buckets.back();
    if (info[2].As<Napi::Boolean>().Value() && exactUpTo(last.flat.scalar_type(), reducer->group->size)) {
      reducer->flagsOffset = last.flat.numel();
      last.flat = at::zeros({last.flat.numel() + static_cast<int64_t>(count)}, last.flat.options());
    }
    for (size_t b = 0; b < reducer->buckets.size(); ++b) {
      for (size_t s = 0; s < reducer->buckets[b].params.size(); ++s) {
        Bucket& bucket = reducer->buckets[b];
        bucket.accumulators.push_back(torch::autograd::impl::grad_accumulator(bucket.params[s]));
        bucket.hookKeys.push_back(bucket.accumulators.back()->add_post_hook(std::make_unique<ReadyHook>(reducer, b, s)));
      }
    }
    return Napi::External<ReducerRef>::New(info.Env(), new ReducerRef(reducer), [](Napi::Env, ReducerRef* ref) { delete ref; });
  });
}

// reducerPrepare(reducer, rootIds): arms the hooks for the next backward pass (the step's last), from
// `rootIds` (what it back-propagates); parameters it cannot reach are filled at once.
Napi::Value ReducerPrepare(const Napi::CallbackInfo& info) {
  return guarded(info, "reducerPrepare", [&]() -> Napi::Value {
    Reducer& r = *reducerArg(info, 0);
    if (!info[1].IsArray()) throw BindingError("expected the ids of the tensors the backward pass starts from");
    std::vector<at::Tensor> roots;
    const Napi::Array ids = info[1].As<Napi::Array>();
    for (uint32_t k = 0; k < ids.Length(); ++k) {
      if (!ids.Get(k).IsNumber()) throw BindingError("expected the ids of the tensors the backward pass starts from");
      roots.push_back(table(info.Env()).get(ids.Get(k).As<Napi::Number>().Int64Value()));
    }
    std::lock_guard<std::mutex> lock(r.mutex);
    if (r.busy) throw BindingError("the previous reduction has not finished (await reducerFinish first)");
    if (r.armed) throw BindingError("the reducer is already prepared for a backward pass");
    if (!r.error.empty()) throw BindingError("an earlier reduction failed: " + r.error);
    for (Bucket& bucket : r.buckets) {
      bucket.ready.assign(bucket.params.size(), 0);
      bucket.pending = bucket.params.size();
      bucket.work.reset();
    }
    r.used.zero_();
    r.usedWork.reset();
    r.nextBucket = 0;
    r.readyOrder.clear();
    r.filled = 0;
    r.earlyElements = 0;
    r.exposed = 0;
    at::NoGradGuard noGrad;
    r.fillUnreachable(roots);
    r.armed = true;
    return info.Env().Undefined();
  });
}

// reducerFinish(reducer) -> Promise<{ launched, buckets, readyOrder, earlyElements, elements, exposed }>:
// after the backward pass, every parameter's .grad is its mean over the ranks (none where no rank had
// one). `launched` buckets of `buckets` had started before this call (during the backward pass, or at
// reducerPrepare); `readyOrder`: the reducer indices (positions in the buckets given to reducerCreate,
// flattened) of the parameters whose gradient came in this pass, in the order it came; `earlyElements`
// of the buckets' `elements` were launched before the last slot was filled; `exposed` collectives were
// launched after it (the flags' own all-reduce included). Until it settles, no .grad may be touched.
Napi::Value ReducerFinish(const Napi::CallbackInfo& info) {
  return guarded(info, "reducerFinish", [&]() -> Napi::Value {
    ReducerRef reducer = reducerArg(info, 0);
    Reducer& r = *reducer;
    size_t launched = 0;
    {
      std::lock_guard<std::mutex> lock(r.mutex);
      if (!r.armed) throw BindingError("the reducer was not prepared (call reducerPrepare before the backward pass)");
      r.armed = false;
      if (!r.error.empty()) throw BindingError(r.error);
      launched = r.nextBucket;
      at::NoGradGuard noGrad;
      for (size_t b = 0; b < r.buckets.size(); ++b) {
        Bucket& bucket = r.buckets[b];
        for (size_t s = 0; s < bucket.params.size(); ++s) {
          if (!bucket.ready[s]) r.fillWithoutGradient(b, s);
        }
      }
      while (r.nextBucket < r.buckets.size()) r.launch(r.nextBucket++);
      if (r.flagsOffset < 0) {
        std::vector<at::Tensor> used{r.used};
        c10d::AllreduceOptions opts;
        opts.reduceOp = c10d::ReduceOp::SUM;
        opts.timeout = r.group->timeout;
        r.usedWork = r.group->gloo->allreduce(used, opts);
        ++r.exposed;
      }
      r.busy = true;
    }
    auto work = [reducer]() {
      Reducer& r = *reducer;
      for (Bucket& bucket : r.buckets) bucket.work->wait(r.group->timeout);
      if (r.usedWork) r.usedWork->wait(r.group->timeout);
      // had a gradient on some rank: the flags' sum over the ranks is positive
      const at::Tensor sums = r.flagsOffset >= 0 ? r.buckets.back().flat.narrow(0, r.flagsOffset, r.used.numel()) : r.used;
      const at::Tensor anyRank = sums.gt(0).to(at::kCPU).contiguous();
      const bool* used = anyRank.data_ptr<bool>();
      for (Bucket& bucket : r.buckets) {
        bucket.flat.div_(r.group->size);
        for (size_t s = 0; s < bucket.params.size(); ++s) {
          if (!used[bucket.indices[s]]) continue;  // no rank had a gradient: .grad stays undefined
          at::Tensor& grad = bucket.params[s].mutable_grad();
          if (grad.defined()) grad.copy_(bucket.slot(s));
          else grad = bucket.slot(s).clone();
        }
      }
    };
    auto done = [reducer, launched](Napi::Env env) -> Napi::Value {
      Reducer& r = *reducer;
      r.busy = false;
      Napi::Object result = Napi::Object::New(env);
      result.Set("launched", Napi::Number::New(env, static_cast<double>(launched)));
      result.Set("buckets", Napi::Number::New(env, static_cast<double>(r.buckets.size())));
      Napi::Array order = Napi::Array::New(env, r.readyOrder.size());
      for (size_t k = 0; k < r.readyOrder.size(); ++k) order.Set(static_cast<uint32_t>(k), Napi::Number::New(env, static_cast<double>(r.readyOrder[k])));
      result.Set("readyOrder", order);
      int64_t elements = 0;
      for (const Bucket& bucket : r.buckets) elements += bucket.flat.numel();
      if (r.flagsOffset >= 0) elements -= r.used.numel();
      result.Set("earlyElements", Napi::Number::New(env, static_cast<double>(r.earlyElements)));
      result.Set("elements", Napi::Number::New(env, static_cast<double>(elements)));
      result.Set("exposed", Napi::Number::New(env, static_cast<double>(r.exposed)));
      result.Set("flagsFolded", Napi::Boolean::New(env, r.flagsOffset >= 0));
      return result;
    };
    // On failure `busy` stays set: the works may still use the buffers, and the run cannot go on.
    return queue(info.Env(), "reducerFinish", work, done);
  });
}

// reducerDestroy(reducer): removes the hooks and drops this handle (a finish under way completes).
Napi::Value ReducerDestroy(const Napi::CallbackInfo& info) {
  return guarded(info, "reducerDestroy", [&]() -> Napi::Value {
    if (!info[0].IsExternal()) throw BindingError("expected a gradient reducer (from reducerCreate)");
    ReducerRef& ref = *info[0].As<Napi::External<ReducerRef>>().Data();
    if (ref) {
      std::lock_guard<std::mutex> lock(ref->mutex);
      ref->armed = false;
      ref->removeHooks();
    }
    ref.reset();
    return info.Env().Undefined();
  });
}

// reducerAvailable() -> true: this build can overlap the reduction with the backward pass.
Napi::Value ReducerAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), true); }

#else  // no Gloo headers at build time

Napi::Value ReducerCreate(const Napi::CallbackInfo& info) { return glooUnavailable(info, "reducerCreate"); }
Napi::Value ReducerPrepare(const Napi::CallbackInfo& info) { return glooUnavailable(info, "reducerPrepare"); }
Napi::Value ReducerFinish(const Napi::CallbackInfo& info) { return glooUnavailable(info, "reducerFinish"); }
Napi::Value ReducerDestroy(const Napi::CallbackInfo& info) { return glooUnavailable(info, "reducerDestroy"); }
Napi::Value ReducerAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), false); }

#endif  // MTL_HAVE_GLOO

}  // namespace mtl
