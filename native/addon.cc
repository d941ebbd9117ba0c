// Entry point: registers the binding's functions and nothing else.
#include <napi.h>

#include "env_state.h"
#include "ops.h"
#include "warnings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> functions[] = {
      {"opHandle", mtl::OpHandle},         {"opSchema", mtl::OpSchema},
      {"call", mtl::Call},                 {"fromBuffer", mtl::FromBuffer},
      {"toBuffer", mtl::ToBuffer},         {"shape", mtl::Shape},
      {"dtype", mtl::Dtype},               {"device", mtl::DeviceOf},
      {"free", mtl::Free},                 {"liveCount", mtl::LiveCount},
      {"requiresGrad", mtl::RequiresGrad}, {"setRequiresGrad", mtl::SetRequiresGrad},
      {"isLeaf", mtl::IsLeaf},             {"grad", mtl::Grad},
      {"setGrad", mtl::SetGrad},           {"backward", mtl::Backward},
      {"autogradGrad", mtl::AutogradGrad}, {"setGradEnabled", mtl::SetGradEnabled},
      {"isGradEnabled", mtl::IsGradEnabled}, {"inferenceMode", mtl::InferenceMode},
      {"isInferenceMode", mtl::IsInferenceMode}, {"manualSeed", mtl::ManualSeed},
      {"setNumThreads", mtl::SetNumThreads}, {"getNumThreads", mtl::GetNumThreads},
      {"cudaDeviceCount", mtl::CudaDeviceCount}, {"version", mtl::Version},
      {"memoryInfo", mtl::MemoryInfo},     {"setErrorFactory", mtl::SetErrorFactory},
      {"blasInfo", mtl::BlasInfo},         {"adamwStepFused", mtl::AdamwStepFused},
      {"setWarningHandler", mtl::SetWarningHandler},
      {"pgAvailable", mtl::PgAvailable},   {"pgCreate", mtl::PgCreate},
      {"pgDestroy", mtl::PgDestroy},       {"pgAllReduce", mtl::PgAllReduce},
      {"pgBroadcast", mtl::PgBroadcast},   {"pgAllGather", mtl::PgAllGather},
      {"pgBarrier", mtl::PgBarrier},
      {"reducerAvailable", mtl::ReducerAvailable}, {"reducerCreate", mtl::ReducerCreate},
      {"reducerPrepare", mtl::ReducerPrepare}, {"reducerFinish", mtl::ReducerFinish},
      {"reducerDestroy", mtl::ReducerDestroy},
      {"autocastEnter", mtl::AutocastEnter}, {"autocastExit", mtl::AutocastExit},
      {"isAutocast", mtl::IsAutocast},     {"checkpoint", mtl::Checkpoint},
  };
  mtl::installWarningHandler();
  mtl::KeepFreedMemory();
  env.SetInstanceData(new mtl::EnvState());  // deleted, with its tensors, when the environment ends
  for (const auto& [name, fn] : functions) exports.Set(name, Napi::Function::New(env, fn, name));
  return exports;
}

}  // namespace

NODE_API_MODULE(mtl_native, Init)
