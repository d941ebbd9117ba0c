// A fused AdamW update of one float32 parameter: one pass over (param, grad, exp_avg, exp_avg_sq)
// instead of the nine tensor operations of torch 1.13's _single_tensor_adamw, each of which reads
// and writes whole tensors (about 25 passes over memory, plus two temporaries). Per element it makes
// exactly the float operations those kernels make, in their order, so the result is the same bits:
//   p ← p·(1 − lr·λ)                          mul_ (Scalar)
//   m ← fma(g, 1 − β₁, m·β₁)                  mul_, then add_(g, alpha) = Vectorized fmadd
//   v ← fma((1 − β₂)·g, g, v·β₂)              mul_, then addcmul_ (self + s·t1·t2, contracted)
//   d ← sqrt(v) / √(1 − β₂ᵗ) + ε               sqrt, div (Scalar), add_ (Scalar)
//   p ← p + (−lr/(1 − β₁ᵗ))·m / d             addcdiv_ (self + s·t1 / t2)
// with every scalar rounded to float first, as at::Scalar::to<float>() does. tests/train/adamw-fused
// checks the bits against the op-by-op path over sizes that exercise vector bodies and tails.
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>  // at::NoGradGuard (ATen.h stopped including it in libtorch 2.x)

#if defined(__x86_64__) || defined(__i386__)
#define MTL_ADAMW_AVX2 1
#include <immintrin.h>
#endif

#include <cmath>
#include <cstdint>

#include "args.h"
#include "guard.h"
#include "ops.h"

namespace mtl {

namespace {

struct AdamwScalars {
  float decay;       // 1 − lr·λ
  float beta1;       // β₁
  float oneMinusB1;  // 1 − β₁
  float beta2;       // β₂
  float oneMinusB2;  // 1 − β₂
  float bc2Sqrt;     // √(1 − β₂ᵗ)
  float eps;         // ε
  float negStep;     // −lr / (1 − β₁ᵗ)
};

struct AdamwTensors {
  float* param;
  const float* grad;
  float* expAvg;
  float* expAvgSq;
  float* maxExpAvgSq;  // null without AMSGrad
};

// Elements [from, n) one at a time (the tail of the vector loop, or everything without AVX2).
void updateScalar(const AdamwTensors& t, int64_t from, int64_t n, const AdamwScalars& s, bool maximize) {
  for (int64_t i = from; i < n; ++i) {
    const float g = maximize ? -t.grad[i] : t.grad[i];
    const float p = t.param[i] * s.decay;
    const float m = std::fma(g, s.oneMinusB1, t.expAvg[i] * s.beta1);
    const float v = std::fma(s.oneMinusB2 * g, g, t.expAvgSq[i] * s.beta2);
    float second = v;
    if (t.maxExpAvgSq != nullptr) {  // torch.maximum: NaN when either is
      const float mx = t.maxExpAvgSq[i];
      second = (std::isnan(mx) || std::isnan(v)) ? mx + v : (v > mx ? v : mx);  // as _mm256_max_ps(v, mx)
      t.maxExpAvgSq[i] = second;
    }
    const float d = std::sqrt(second) / s.bc2Sqrt + s.eps;
    t.expAvg[i] = m;
    t.expAvgSq[i] = v;
    t.param[i] = p + s.negStep * m / d;
  }
}

#ifdef MTL_ADAMW_AVX2
// Eight elements at a time with AVX2 + FMA (the kernels ATen runs on this CPU are AVX2 too); returns
// how many elements it did. Compiled for AVX2 whatever the addon's flags; called only where the CPU has it.
__attribute__((target("avx2,fma"))) int64_t updateAvx2(const AdamwTensors& t, int64_t n, const AdamwScalars& s, bool maximize) {
  const __m256 decay = _mm256_set1_ps(s.decay), beta1 = _mm256_set1_ps(s.beta1), oneMinusB1 = _mm256_set1_ps(s.oneMinusB1);
  const __m256 beta2 = _mm256_set1_ps(s.beta2), oneMinusB2 = _mm256_set1_ps(s.oneMinusB2), bc2Sqrt = _mm256_set1_ps(s.bc2Sqrt);
  const __m256 eps = _mm256_set1_ps(s.eps), negStep = _mm256_set1_ps(s.negStep);
  const __m256 sign = _mm256_set1_ps(maximize ? -0.0f : 0.0f);  // xor with it negates when maximizing
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_xor_ps(_mm256_loadu_ps(t.grad + i), sign);
    const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(t.param + i), decay);
    const __m256 m = _mm256_fmadd_ps(g, oneMinusB1, _mm256_mul_ps(_mm256_loadu_ps(t.expAvg + i), beta1));
    const __m256 v = _mm256_fmadd_ps(_mm256_mul_ps(oneMinusB2, g), g, _mm256_mul_ps(_mm256_loadu_ps(t.expAvgSq + i), beta2));
    __m256 second = v;
    if (t.maxExpAvgSq != nullptr) {
      const __m256 mx = _mm256_loadu_ps(t.maxExpAvgSq + i);
      const __m256 unordered = _mm256_cmp_ps(mx, v, _CMP_UNORD_Q);
      second = _mm256_blendv_ps(_mm256_max_ps(v, mx), _mm256_add_ps(mx, v), unordered);
      _mm256_storeu_ps(t.maxExpAvgSq + i, second);
    }
    const __m256 d = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(second), bc2Sqrt), eps);
    _mm256_storeu_ps(t.expAvg + i, m);
    _mm256_storeu_ps(t.expAvgSq + i, v);
    _mm256_storeu_ps(t.param + i, _mm256_add_ps(p, _mm256_div_ps(_mm256_mul_ps(negStep, m), d)));
  }
  return i;
}
#endif  // MTL_ADAMW_AVX2

bool sameLayout(const at::Tensor& a, const at::Tensor& b) {
  return a.scalar_type() == at::kFloat && a.device().is_cpu() && a.is_contiguous() && a.sizes() == b.sizes();
}

}  // namespace

// Returns false, touching nothing, unless every tensor is contiguous float32 on the CPU with the
// parameter's shape.
Napi::Value AdamwStepFused(const Napi::CallbackInfo& info) {
  return guarded(info, "adamwStepFused", [&]() -> Napi::Value {
    const at::Tensor& param = tensorArg(info, 0);
    const at::Tensor& grad = tensorArg(info, 1);
    const at::Tensor& expAvg = tensorArg(info, 2);
    const at::Tensor& expAvgSq = tensorArg(info, 3);
    const bool amsgrad = !info[4].IsNull() && !info[4].IsUndefined();
    const at::Tensor* maxExpAvgSq = amsgrad ? &tensorArg(info, 4) : nullptr;
    for (const at::Tensor* t : {&param, &grad, &expAvg, &expAvgSq, maxExpAvgSq}) {
      if (t != nullptr && !sameLayout(*t, param)) return Napi::Boolean::New(info.Env(), false);  // the caller takes the op-by-op path
    }
    const auto num = [&](size_t i) { return info[i].As<Napi::Number>().DoubleValue(); };
    const double lr = num(5), beta1 = num(6), beta2 = num(7), eps = num(8), weightDecay = num(9);
    const double biasCorrection1 = num(10), biasCorrection2 = num(11);
    const bool maximize = info[12].As<Napi::Boolean>().Value();
    // Each scalar as the op-by-op path computes it in double, then rounded to float as at::Scalar is.
    const AdamwScalars s{static_cast<float>(1 - lr * weightDecay), static_cast<float>(beta1), static_cast<float>(1 - beta1),
                         static_cast<float>(beta2), static_cast<float>(1 - beta2), static_cast<float>(std::sqrt(biasCorrection2)),
                         static_cast<float>(eps), static_cast<float>(-(lr / biasCorrection1))};
    at::NoGradGuard noGrad;
    const AdamwTensors t{param.data_ptr<float>(), grad.data_ptr<float>(), expAvg.data_ptr<float>(), expAvgSq.data_ptr<float>(),
                         amsgrad ? maxExpAvgSq->data_ptr<float>() : nullptr};
    const int64_t n = param.numel();
#ifdef MTL_ADAMW_AVX2
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const int64_t vectorized = avx2 ? updateAvx2(t, n, s, maximize) : 0;
#else
    const int64_t vectorized = 0;  // not x86: the scalar loop (same float operations, same bits)
#endif
    updateScalar(t, vectorized, n, s, maximize);
    return Napi::Boolean::New(info.Env(), true);
  });
}

}  // namespace mtl
