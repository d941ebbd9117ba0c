// Exported functions of the binding, grouped by the file that defines them.
#pragma once

#include <napi.h>

namespace mtl {

// ops.cc — operators through the dispatcher
Napi::Value OpHandle(const Napi::CallbackInfo& info);  // (name, overload) -> handle
Napi::Value OpSchema(const Napi::CallbackInfo& info);  // (handle) -> schema string
Napi::Value Call(const Napi::CallbackInfo& info);      // (handle, ...args) -> result

// tensors.cc — creation, data transfer, metadata, lifetime
Napi::Value FromBuffer(const Napi::CallbackInfo& info);  // (typedArray, dtype, shape) -> id
Napi::Value ToBuffer(const Napi::CallbackInfo& info);    // (id) -> ArrayBuffer (contiguous, cpu)
Napi::Value Shape(const Napi::CallbackInfo& info);       // (id) -> number[]
Napi::Value Dtype(const Napi::CallbackInfo& info);       // (id) -> c10::ScalarType code
Napi::Value DeviceOf(const Napi::CallbackInfo& info);    // (id) -> "cpu" | "cuda:0" ...
Napi::Value Free(const Napi::CallbackInfo& info);        // (id) -> undefined
Napi::Value LiveCount(const Napi::CallbackInfo& info);   // () -> number
Napi::Value MemoryInfo(const Napi::CallbackInfo& info);  // () -> { tensorBytes, v8ExternalBytes }

// autograd.cc
Napi::Value RequiresGrad(const Napi::CallbackInfo& info);     // (id) -> boolean
Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);  // (id, flag)
Napi::Value IsLeaf(const Napi::CallbackInfo& info);           // (id) -> boolean
Napi::Value Grad(const Napi::CallbackInfo& info);             // (id) -> id | null
Napi::Value SetGrad(const Napi::CallbackInfo& info);          // (id, id | null)
Napi::Value Backward(const Napi::CallbackInfo& info);         // (ids, gradIds | null, retain, create)
Napi::Value AutogradGrad(const Napi::CallbackInfo& info);     // (outs, ins, gradOuts | null, retain, create, allowUnused)
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info);   // (flag) -> previous flag
Napi::Value IsGradEnabled(const Napi::CallbackInfo& info);    // () -> boolean
Napi::Value InferenceMode(const Napi::CallbackInfo& info);    // (fn) -> fn() under c10::InferenceMode
Napi::Value IsInferenceMode(const Napi::CallbackInfo& info);  // () -> boolean

// runtime.cc
void KeepFreedMemory();  // malloc keeps freed blocks for reuse (glibc: no mmap per block, no trimming); once, at load
Napi::Value ManualSeed(const Napi::CallbackInfo& info);     // (seed)
Napi::Value SetNumThreads(const Napi::CallbackInfo& info);  // (n)
Napi::Value GetNumThreads(const Napi::CallbackInfo& info);  // () -> n
Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info);  // () -> n
Napi::Value Version(const Napi::CallbackInfo& info);        // () -> libtorch version string
Napi::Value SetErrorFactory(const Napi::CallbackInfo& info);  // ((message, op, inputs, torchMessage) => Error)
Napi::Value AdamwStepFused(const Napi::CallbackInfo& info);  // (param, grad, expAvg, expAvgSq, maxExpAvgSq|null, lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2, maximize) -> applied
Napi::Value BlasInfo(const Napi::CallbackInfo& info);        // () -> { core, config } of OpenBLAS, nulls for another BLAS

// autocast.cc — autocast regions (torch.autocast)
Napi::Value AutocastEnter(const Napi::CallbackInfo& info);  // (device, enabled, dtypeCode) -> [previousEnabled, previousDtypeCode]
Napi::Value AutocastExit(const Napi::CallbackInfo& info);   // (device, previousEnabled, previousDtypeCode)
Napi::Value IsAutocast(const Napi::CallbackInfo& info);     // (device) -> boolean

// checkpoint.cc — activation checkpointing (torch.utils.checkpoint) around a JS function
Napi::Value Checkpoint(const Napi::CallbackInfo& info);  // (fn: ids => ids, inputIds, paramIds) -> output ids

// distributed.cc — c10d process groups (Gloo); every blocking call returns a Promise
Napi::Value PgAvailable(const Napi::CallbackInfo& info);  // () -> whether this build has Gloo
Napi::Value PgCreate(const Napi::CallbackInfo& info);     // ({ rank, worldSize, timeoutMs, store, host, port, path, hostname }) -> Promise<group>
Napi::Value PgDestroy(const Napi::CallbackInfo& info);    // (group)
Napi::Value PgAllReduce(const Napi::CallbackInfo& info);  // (group, ids, 'sum' | 'avg') -> Promise<void>, in place
Napi::Value PgBroadcast(const Napi::CallbackInfo& info);  // (group, ids, root) -> Promise<void>, in place
Napi::Value PgAllGather(const Napi::CallbackInfo& info);  // (group, id) -> Promise<ids> (one per rank)
Napi::Value PgBarrier(const Napi::CallbackInfo& info);    // (group) -> Promise<void>

// reducer.cc — gradients all-reduced in buckets during the backward pass (DDP's Reducer)
Napi::Value ReducerAvailable(const Napi::CallbackInfo& info);  // () -> whether this build has it
Napi::Value ReducerCreate(const Napi::CallbackInfo& info);     // (group, bucketIds[][], foldFlags) -> reducer (hooks registered, disarmed)
Napi::Value ReducerPrepare(const Napi::CallbackInfo& info);    // (reducer, rootIds): arm the hooks for the next backward pass from rootIds
Napi::Value ReducerFinish(const Napi::CallbackInfo& info);     // (reducer) -> Promise<{launched, buckets, readyOrder, ...}>: each .grad its mean over the ranks
Napi::Value ReducerDestroy(const Napi::CallbackInfo& info);    // (reducer): remove the hooks

}  // namespace mtl
