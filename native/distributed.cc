// Process groups over PyTorch's c10d: a rendezvous store (TCPStore or FileStore) and a Gloo group,
// with the collectives data-parallel training needs. Every call that can block on a peer (the
// rendezvous, each collective) runs on libuv's thread pool in an AsyncWorker and returns a Promise,
// so a slow or dead peer never freezes the event loop; each waits at most the group's timeout, and
// Gloo reports a peer whose connection closed at once. Failures reject with the binding's TorchError.
//
// A list of tensors is reduced or broadcast as one flat buffer (one collective per call): c10d's own
// list argument means one tensor per device, not a bucket. Gloo has no ReduceOp.AVG, so "avg" sums
// and divides by the world size. Built only where Gloo's headers are found (Debian: libgloo-dev);
// without them every function here throws a TorchError saying so.
#include <ATen/ATen.h>
#include <napi.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "guard.h"
#include "ops.h"

#include "process_group.h"

namespace mtl {

#ifdef MTL_HAVE_GLOO

namespace {

std::vector<at::Tensor> tensorsArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw BindingError("expected an array of tensor ids");
  const Napi::Array ids = info[i].As<Napi::Array>();
  std::vector<at::Tensor> tensors;
  for (uint32_t k = 0; k < ids.Length(); ++k) {
    if (!ids.Get(k).IsNumber()) throw BindingError("expected an array of tensor ids");
    tensors.push_back(table(info.Env()).get(ids.Get(k).As<Napi::Number>().Int64Value()));
  }
  if (tensors.empty()) throw BindingError("expected at least one tensor");
  for (const at::Tensor& t : tensors) {
    if (t.scalar_type() != tensors[0].scalar_type() || t.device() != tensors[0].device()) {
      throw BindingError("all tensors of one call must share a dtype and device; got " + std::string(c10::toString(t.scalar_type())) +
                         " on " + t.device().str() + " beside " + c10::toString(tensors[0].scalar_type()) + " on " +
                         tensors[0].device().str());
    }
  }
  return tensors;
}

// Waits for a collective; a failure (peer gone, timeout) throws with Gloo's message.
void finish(const GroupRef& group, const c10::intrusive_ptr<c10d::Work>& work) {
  work->wait(group->timeout);
}

// One contiguous buffer holding `tensors` end to end (the tensor itself when there is one contiguous).
at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
  if (tensors.size() == 1 && tensors[0].is_contiguous()) return tensors[0].view({-1});
  std::vector<at::Tensor> parts;
  for (const at::Tensor& t : tensors) parts.push_back(t.reshape({-1}));
  return at::cat(parts);
}

// Copies the slices of `flat` back into `tensors` (no-op when `flat` is their own storage).
void unflatten(const at::Tensor& flat, const std::vector<at::Tensor>& tensors) {
  if (tensors.size() == 1 && tensors[0].is_contiguous()) return;
  int64_t offset = 0;
  for (const at::Tensor& t : tensors) {
    t.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

// TCPStore's classic backend, as in libtorch 1.13: 2.4 added a libuv backend and made it the default
// (TCPStoreOptions::useLibUV = true), and a libtorch built without libuv (Debian's 2.6) then refuses every
// TCP store ("use_libuv was requested but PyTorch was build without libuv support"). Set where the field exists.
template <typename Options>
auto useClassicStore(Options& opts, int) -> decltype(opts.useLibUV = false, void()) {
  opts.useLibUV = false;
}
template <typename Options>
void useClassicStore(Options&, long) {}  // libtorch before the field: the classic backend is the only one

std::string stringOption(const Napi::Object& o, const char* key, const std::string& fallback) {
  const Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : fallback;
}

int64_t intOption(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw BindingError(std::string("option '") + key + "' must be a number");
  return v.As<Napi::Number>().Int64Value();
}

}  // namespace

// pgCreate({ rank, worldSize, timeoutMs, rendezvousTimeoutMs, store: 'tcp' | 'file', host, port, path, hostname? })
// -> Promise<group>. Rank 0 serves the TCP store; the promise settles when every rank has joined.
// rendezvousTimeoutMs bounds the joining (store connection and Gloo's full mesh); timeoutMs each collective.
Napi::Value PgCreate(const Napi::CallbackInfo& info) {
  return guarded(info, "pgCreate", [&]() -> Napi::Value {
    if (!info[0].IsObject()) throw BindingError("expected an options object");
    const Napi::Object o = info[0].As<Napi::Object>();
    auto group = std::make_shared<Group>();
    group->rank = static_cast<int>(intOption(o, "rank"));
    group->size = static_cast<int>(intOption(o, "worldSize"));
    group->timeout = Millis(intOption(o, "timeoutMs"));
    const Millis rendezvousTimeout(intOption(o, "rendezvousTimeoutMs"));
    const std::string kind = stringOption(o, "store", "tcp");
    const std::string host = stringOption(o, "host", "127.0.0.1");
    const std::string path = stringOption(o, "path", "");
    const std::string hostname = stringOption(o, "hostname", "");
    const int64_t port = kind == "tcp" ? intOption(o, "port") : 0;
    if (kind != "tcp" && kind != "file") throw BindingError("store must be 'tcp' or 'file', got '" + kind + "'");
    auto work = [group, rendezvousTimeout, kind, host, path, hostname, port]() {
      if (kind == "tcp") {
        c10d::TCPStoreOptions opts;
        opts.port = static_cast<std::uint16_t>(port);
        opts.isServer = group->rank == 0;
        opts.numWorkers = group->size;
        opts.waitWorkers = false;  // the Gloo rendezvous below waits for every rank
        opts.timeout = rendezvousTimeout;
        useClassicStore(opts, 0);
        group->store = c10::make_intrusive<c10d::TCPStore>(host, opts);
      } else {
        group->store = c10::make_intrusive<c10d::FileStore>(path, group->size);
      }
      group->store->setTimeout(rendezvousTimeout);
      auto options = c10d::ProcessGroupGloo::Options::create(rendezvousTimeout);
      options->devices.push_back(hostname.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                                                  : c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
      options->threads = 2;
      group->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group->store, group->rank, group->size, options);
      group->store->setTimeout(group->timeout);
    };
    auto result = [group](Napi::Env env) -> Napi::Value {
      return Napi::External<GroupRef>::New(env, new GroupRef(group), [](Napi::Env, GroupRef* ref) { delete ref; });
    };
    return queue(info.Env(), "pgCreate", work, result);
  });
}

// pgDestroy(group): drops this handle's reference (calls under way keep the group until they end).
Napi::Value PgDestroy(const Napi::CallbackInfo& info) {
  return guarded(info, "pgDestroy", [&]() -> Napi::Value {
    if (!info[0].IsExternal()) throw BindingError("expected a process group (from pgCreate)");
    info[0].As<Napi::External<GroupRef>>().Data()->reset();
    return info.Env().Undefined();
  });
}

// pgAllReduce(group, ids, 'sum' | 'avg') -> Promise<void>: each tensor replaced in place by the
// element-wise sum (or mean) over ranks. Until it settles the tensors must not be touched.
Napi::Value PgAllReduce(const Napi::CallbackInfo& info) {
  return guarded(info, "pgAllReduce", [&]() -> Napi::Value {
    GroupRef group = groupArg(info, 0);
    std::vector<at::Tensor> tensors = tensorsArg(info, 1);
    const std::string op = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
    if (op != "sum" && op != "avg") throw BindingError("reduce op must be 'sum' or 'avg', got '" + op + "'");
    auto work = [group, tensors, op]() {
      std::vector<at::Tensor> flat{flatten(tensors)};
      c10d::AllreduceOptions opts;
      opts.reduceOp = c10d::ReduceOp::SUM;
      opts.timeout = group->timeout;
      finish(group, group->gloo->allreduce(flat, opts));
      if (op == "avg") flat[0].div_(group->size);
      unflatten(flat[0], tensors);
    };
    return queue(info.Env(), "pgAllReduce", work, [](Napi::Env env) { return env.Undefined(); });
  });
}

// pgBroadcast(group, ids, root) -> Promise<void>: every rank's tensors take root's values in place.
Napi::Value PgBroadcast(const Napi::CallbackInfo& info) {
  return guarded(info, "pgBroadcast", [&]() -> Napi::Value {
    GroupRef group = groupArg(info, 0);
    std::vector<at::Tensor> tensors = tensorsArg(info, 1);
    const int64_t root = info[2].As<Napi::Number>().Int64Value();
    if (root < 0 || root >= group->size) throw BindingError("root rank " + std::to_string(root) + " is outside 0.." + std::to_string(group->size - 1));
    auto work = [group, tensors, root]() {
      std::vector<at::Tensor> flat{flatten(tensors)};
      c10d::BroadcastOptions opts;
      opts.rootRank = root;
      opts.timeout = group->timeout;
      finish(group, group->gloo->broadcast(flat, opts));
      unflatten(flat[0], tensors);
    };
    return queue(info.Env(), "pgBroadcast", work, [](Napi::Env env) { return env.Undefined(); });
  });
}

// pgAllGather(group, id) -> Promise<ids>: worldSize new tensors, rank r's input at index r.
Napi::Value PgAllGather(const Napi::CallbackInfo& info) {
  return guarded(info, "pgAllGather", [&]() -> Napi::Value {
    GroupRef group = groupArg(info, 0);
    const at::Tensor input = tensorArg(info, 1).contiguous();
    auto outputs = std::make_shared<std::vector<std::vector<at::Tensor>>>(1);
    for (int r = 0; r < group->size; ++r) (*outputs)[0].push_back(at::empty_like(input));
    auto work = [group, input, outputs]() {
      std::vector<at::Tensor> inputs{input};
      c10d::AllgatherOptions opts;
      opts.timeout = group->timeout;
      finish(group, group->gloo->allgather(*outputs, inputs, opts));
    };
    auto result = [outputs](Napi::Env env) -> Napi::Value {
      Napi::Array ids = Napi::Array::New(env, (*outputs)[0].size());
      for (uint32_t r = 0; r < (*outputs)[0].size(); ++r) ids.Set(r, Napi::Number::New(env, table(env).put((*outputs)[0][r])));
      return ids;
    };
    return queue(info.Env(), "pgAllGather", work, result);
  });
}

// pgBarrier(group) -> Promise<void>: settles when every rank has reached it.
Napi::Value PgBarrier(const Napi::CallbackInfo& info) {
  return guarded(info, "pgBarrier", [&]() -> Napi::Value {
    GroupRef group = groupArg(info, 0);
    auto work = [group]() {
      c10d::BarrierOptions opts;
      opts.timeout = group->timeout;
      finish(group, group->gloo->barrier(opts));
    };
    return queue(info.Env(), "pgBarrier", work, [](Napi::Env env) { return env.Undefined(); });
  });
}

// pgAvailable() -> true: this build has c10d's Gloo group.
Napi::Value PgAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), true); }

#else  // no Gloo headers at build time

Napi::Value PgCreate(const Napi::CallbackInfo& info) { return glooUnavailable(info, "pgCreate"); }
Napi::Value PgDestroy(const Napi::CallbackInfo& info) { return glooUnavailable(info, "pgDestroy"); }
Napi::Value PgAllReduce(const Napi::CallbackInfo& info) { return glooUnavailable(info, "pgAllReduce"); }
Napi::Value PgBroadcast(const Napi::CallbackInfo& info) { return glooUnavailable(info, "pgBroadcast"); }
Napi::Value PgAllGather(const Napi::CallbackInfo& info) { return glooUnavailable(info, "pgAllGather"); }
Napi::Value PgBarrier(const Napi::CallbackInfo& info) { return glooUnavailable(info, "pgBarrier"); }
Napi::Value PgAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), false); }

#endif  // MTL_HAVE_GLOO

}  // namespace mtl
