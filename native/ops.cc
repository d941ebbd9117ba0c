// Generic operator calls through libtorch's dispatcher, by schema name: adding an ATen operator
// to the TypeScript API needs no C++. `opHandle(name, overload)` looks an operator up once and
// precomputes how each argument converts; `call(handle, ...args)` builds the boxed stack, calls
// the operator (autograd included) and converts what it returns.
#include "ops.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/function_schema.h>
#include <ATen/core/jit_type.h>
#include <c10/util/SmallVector.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "guard.h"
#include "tensor_table.h"

namespace mtl {

enum class Kind {
  Tensor, TensorList, OptTensorList, Int, IntList, Float, FloatList, Bool, BoolList,
  Scalar, Str, Device, Generator, Unsupported
};

struct ArgSpec {
  Kind kind = Kind::Unsupported;
  bool optional = false;
  c10::optional<c10::IValue> defaultValue;
  std::string name;
  std::string typeName;
};

struct ReturnSpec {
  int aliasedArg = -1;  // index of the argument this return writes into, or -1 for a new value
};

struct OpSpec {
  c10::OperatorHandle handle;
  std::string name;
  std::vector<ArgSpec> args;
  std::vector<ReturnSpec> returns;
};

namespace {

bool isIntLike(c10::TypeKind k) {
  return k == c10::TypeKind::IntType || k == c10::TypeKind::SymIntType ||
         k == c10::TypeKind::ScalarTypeType || k == c10::TypeKind::LayoutType ||
         k == c10::TypeKind::MemoryFormatType;
}

Kind classify(const c10::TypePtr& type) {
  const auto k = type->kind();
  if (k == c10::TypeKind::TensorType) return Kind::Tensor;
  if (isIntLike(k)) return Kind::Int;
  if (k == c10::TypeKind::FloatType || k == c10::TypeKind::SymFloatType) return Kind::Float;
  if (k == c10::TypeKind::BoolType) return Kind::Bool;
  if (k == c10::TypeKind::NumberType) return Kind::Scalar;
  if (k == c10::TypeKind::StringType) return Kind::Str;
  if (k == c10::TypeKind::DeviceObjType) return Kind::Device;
  if (k == c10::TypeKind::GeneratorType) return Kind::Generator;
  if (k == c10::TypeKind::ListType) {
    const auto& elem = type->expectRef<c10::ListType>().getElementType();
    const auto ek = elem->kind();
    if (ek == c10::TypeKind::TensorType) return Kind::TensorList;
    if (ek == c10::TypeKind::OptionalType &&
        elem->expectRef<c10::OptionalType>().getElementType()->kind() == c10::TypeKind::TensorType) {
      return Kind::OptTensorList;
    }
    if (isIntLike(ek)) return Kind::IntList;
    if (ek == c10::TypeKind::FloatType) return Kind::FloatList;
    if (ek == c10::TypeKind::BoolType) return Kind::BoolList;
  }
  return Kind::Unsupported;
}

ArgSpec specOf(const c10::Argument& arg) {
  ArgSpec spec;
  spec.name = arg.name();
  spec.typeName = arg.type()->str();
  spec.defaultValue = arg.default_value();
  c10::TypePtr type = arg.type();
  if (type->kind() == c10::TypeKind::OptionalType) {
    spec.optional = true;
    type = type->expectRef<c10::OptionalType>().getElementType();
  }
  spec.kind = classify(type);
  return spec;
}

int64_t toInt(const Napi::Value& v, const ArgSpec& spec) {
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    // Range-check before casting: converting an out-of-range double to int64 is undefined.
    if (std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18) return static_cast<int64_t>(d);
  } else if (v.IsBigInt()) {
    bool lossless = false;
    const int64_t i = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (lossless) return i;
  }
  throw BindingError("argument '" + spec.name + "' expects an integer (" + spec.typeName + ")");
}

double toDouble(const Napi::Value& v, const ArgSpec& spec) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  throw BindingError("argument '" + spec.name + "' expects a number (" + spec.typeName + ")");
}

bool toBool(const Napi::Value& v, const ArgSpec& spec) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  throw BindingError("argument '" + spec.name + "' expects a boolean (" + spec.typeName + ")");
}

Napi::Array toArray(const Napi::Value& v, const ArgSpec& spec) {
  if (v.IsArray()) return v.As<Napi::Array>();
  throw BindingError("argument '" + spec.name + "' expects an array (" + spec.typeName + ")");
}

const at::Tensor& toTensor(const Napi::Value& v, const ArgSpec& spec) {
  if (!v.IsNumber()) {
    throw BindingError("argument '" + spec.name + "' expects a tensor (" + spec.typeName + ")");
  }
  return table(v.Env()).get(v.As<Napi::Number>().Int64Value());
}

c10::IValue toScalar(const Napi::Value& v, const ArgSpec& spec) {
  if (v.IsBoolean()) return c10::IValue(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    // Integer-valued numbers are integer Scalars so integer tensors keep their dtype; others
    // (fractions, ±Infinity, NaN, and -0, whose sign an integer would lose) are double Scalars.
    // Range-checked before the cast (out-of-range double → int64 is undefined behaviour).
    const bool negativeZero = d == 0 && std::signbit(d);
    if (std::trunc(d) == d && !negativeZero && d >= -9.2e18 && d <= 9.2e18) return c10::IValue(static_cast<int64_t>(d));
    return c10::IValue(d);
  }
  throw BindingError("argument '" + spec.name + "' expects a number or boolean (Scalar)");
}

c10::IValue toIValue(const Napi::Value& v, const ArgSpec& spec) {
  switch (spec.kind) {
    case Kind::Tensor: return c10::IValue(toTensor(v, spec));
    case Kind::Int: return c10::IValue(toInt(v, spec));
    case Kind::Float: return c10::IValue(toDouble(v, spec));
    case Kind::Bool: return c10::IValue(toBool(v, spec));
    case Kind::Scalar: return toScalar(v, spec);
    case Kind::Str:
      if (!v.IsString()) throw BindingError("argument '" + spec.name + "' expects a string");
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case Kind::Device:
      if (!v.IsString()) throw BindingError("argument '" + spec.name + "' expects a device string");
      return c10::IValue(c10::Device(v.As<Napi::String>().Utf8Value()));
    case Kind::Generator:
      throw BindingError("argument '" + spec.name + "': explicit generators are not supported; use manualSeed");
    case Kind::TensorList: {
      const auto a = toArray(v, spec);
      c10::List<at::Tensor> out;
      out.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(toTensor(a.Get(i), spec));
      return c10::IValue(out);
    }
    case Kind::OptTensorList: {
      const auto a = toArray(v, spec);
      c10::List<c10::optional<at::Tensor>> out;
      out.reserve(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) {
        const Napi::Value e = a.Get(i);
        if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
        else out.push_back(toTensor(e, spec));
      }
      return c10::IValue(out);
    }
    case Kind::IntList: {
      if (v.IsNumber()) return c10::IValue(std::vector<int64_t>{toInt(v, spec)});
      const auto a = toArray(v, spec);
      std::vector<int64_t> out(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) out[i] = toInt(a.Get(i), spec);
      return c10::IValue(out);
    }
    case Kind::FloatList: {
      const auto a = toArray(v, spec);
      std::vector<double> out(a.Length());
      for (uint32_t i = 0; i < a.Length(); ++i) out[i] = toDouble(a.Get(i), spec);
      return c10::IValue(out);
    }
    case Kind::BoolList: {
      const auto a = toArray(v, spec);
      c10::List<bool> out;
      for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(toBool(a.Get(i), spec));
      return c10::IValue(out);
    }
    case Kind::Unsupported: break;
  }
  throw BindingError("argument '" + spec.name + "' has a type the binding cannot convert: " + spec.typeName);
}

// Converts an operator's result to JS. Every tensor id it creates is appended to `made`, so a
// caller can free them when a later element fails to convert (no slot leaks on error).
class ResultConverter {
 public:
  explicit ResultConverter(Napi::Env env) : env_(env), table_(table(env)) {}
  ~ResultConverter() {
    for (const int32_t id : made_) {  // only non-empty when conversion failed
      try {
        table_.free(id);
      } catch (const std::exception&) {
      }
    }
  }
  // Conversion succeeded: the ids now belong to JavaScript.
  void commit() { made_.clear(); }

  Napi::Value tensor(const at::Tensor& t) {
    if (!t.defined()) return env_.Null();
    const int32_t id = table_.put(t);
    made_.push_back(id);
    return Napi::Number::New(env_, id);
  }

  Napi::Value value(const c10::IValue& v) {
    if (v.isTensor()) return tensor(v.toTensor());
    if (v.isNone()) return env_.Undefined();
    if (v.isDouble()) return Napi::Number::New(env_, v.toDouble());
    if (v.isInt()) return Napi::Number::New(env_, static_cast<double>(v.toInt()));
    if (v.isBool()) return Napi::Boolean::New(env_, v.toBool());
    if (v.isTensorList()) {
      const auto list = v.toTensorList();
      Napi::Array out = Napi::Array::New(env_, list.size());
      for (size_t i = 0; i < list.size(); ++i) out.Set(i, tensor(list.get(i)));
      return out;
    }
    if (v.isTuple()) {
      const auto& elems = v.toTupleRef().elements();
      Napi::Array out = Napi::Array::New(env_, elems.size());
      for (size_t i = 0; i < elems.size(); ++i) out.Set(i, value(elems[i]));
      return out;
    }
    if (v.isIntList()) {
      const auto list = v.toIntList();
      Napi::Array out = Napi::Array::New(env_, list.size());
      for (size_t i = 0; i < list.size(); ++i) out.Set(i, Napi::Number::New(env_, static_cast<double>(list.get(i))));
      return out;
    }
    if (v.isString()) return Napi::String::New(env_, v.toStringRef());
    throw BindingError("the binding cannot convert a return value of type " + v.tagKind());
  }

 private:
  Napi::Env env_;
  TensorTable& table_;
  c10::SmallVector<int32_t, 4> made_;
};

void describeTensor(std::ostream& out, const Napi::Value& v) {
  try {
    const at::Tensor& t = table(v.Env()).get(v.As<Napi::Number>().Int64Value());
    out << c10::toString(t.scalar_type()) << t.sizes();
  } catch (const std::exception&) {
    out << "<disposed>";
  }
}

// "self=Float[2, 3], other=Double[3]" for the tensor (and tensor-list) arguments of a call.
std::string describe(const Napi::CallbackInfo& info, const OpSpec& op) {
  std::ostringstream out;
  bool first = true;
  for (size_t i = 0; i < op.args.size() && i + 1 < info.Length(); ++i) {
    const Napi::Value v = info[i + 1];
    const Kind kind = op.args[i].kind;
    const bool list = (kind == Kind::TensorList || kind == Kind::OptTensorList) && v.IsArray();
    if (!(kind == Kind::Tensor && v.IsNumber()) && !list) continue;
    if (!first) out << ", ";
    first = false;
    out << op.args[i].name << "=";
    if (!list) {
      describeTensor(out, v);
      continue;
    }
    const auto a = v.As<Napi::Array>();
    out << "[";
    for (uint32_t j = 0; j < a.Length(); ++j) {
      const Napi::Value e = a.Get(j);
      if (j > 0) out << ", ";
      if (e.IsNumber()) describeTensor(out, e);
      else out << "None";
    }
    out << "]";
  }
  return out.str();
}

}  // namespace

Napi::Value OpHandle(const Napi::CallbackInfo& info) {
  const std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "opHandle";
  const std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  return guarded(info, overload.empty() ? name : name + "." + overload, [&]() -> Napi::Value {
    if (!info[0].IsString()) throw BindingError("expected an operator name such as 'aten::add'");
    const auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name.c_str(), overload.c_str());
    const auto& schema = handle.schema();
    OpSpec spec{handle, overload.empty() ? name : name + "." + overload, {}, {}};
    for (const auto& arg : schema.arguments()) spec.args.push_back(specOf(arg));
    for (const auto& ret : schema.returns()) {
      ReturnSpec r;
      const auto* alias = ret.alias_info();
      if (alias != nullptr && alias->isWrite()) {
        for (size_t i = 0; i < schema.arguments().size(); ++i) {
          const auto* a = schema.arguments()[i].alias_info();
          if (a != nullptr && a->isWrite() && a->beforeSets() == alias->beforeSets()) r.aliasedArg = static_cast<int>(i);
        }
      }
      spec.returns.push_back(r);
    }
    auto& ops = state(info.Env()).ops;
    ops.push_back(std::make_shared<const OpSpec>(std::move(spec)));
    return Napi::Number::New(info.Env(), static_cast<double>(ops.size() - 1));
  });
}

namespace {
const OpSpec& opAt(const Napi::Value& v) {
  const double index = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  const auto& ops = state(v.Env()).ops;
  if (!(index >= 0 && index < static_cast<double>(ops.size()))) throw BindingError("unknown operator handle");
  return *ops[static_cast<size_t>(index)];
}
}  // namespace

Napi::Value OpSchema(const Napi::CallbackInfo& info) {
  return guarded(info, "opSchema", [&]() -> Napi::Value {
    std::ostringstream out;
    out << opAt(info[0]).handle.schema();
    return Napi::String::New(info.Env(), out.str());
  });
}

namespace {
// Builds the boxed argument stack for `op` from info[1..].
torch::jit::Stack argumentStack(const Napi::CallbackInfo& info, const OpSpec& op) {
  const size_t given = info.Length() - 1;
  if (given > op.args.size()) {
    throw BindingError("expects at most " + std::to_string(op.args.size()) + " arguments, got " + std::to_string(given));
  }
  torch::jit::Stack stack;
  stack.reserve(op.args.size());
  for (size_t i = 0; i < op.args.size(); ++i) {
    const ArgSpec& spec = op.args[i];
    // One napi_typeof per argument: this loop runs for every operator call.
    const napi_valuetype type = i < given ? info[i + 1].Type() : napi_undefined;
    if (type == napi_undefined && spec.defaultValue.has_value()) {
      stack.push_back(*spec.defaultValue);
    } else if (type == napi_undefined || type == napi_null) {
      if (!spec.optional) throw BindingError("argument '" + spec.name + "' (" + spec.typeName + ") is required");
      stack.emplace_back();
    } else if (type == napi_number && spec.kind == Kind::Tensor) {
      stack.emplace_back(table(info.Env()).get(info[i + 1].As<Napi::Number>().Int64Value()));
    } else {
      stack.push_back(toIValue(info[i + 1], spec));
    }
  }
  return stack;
}
}  // namespace

Napi::Value Call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const OpSpec* op = nullptr;
  static const std::string kCall = "call";  // built once: guarded() takes the name by reference
  guarded(info, kCall, [&]() -> Napi::Value {
    op = &opAt(info[0]);
    return env.Undefined();
  });
  const Napi::Value result = guarded(
      info, op->name,
      [&]() -> Napi::Value {
        torch::jit::Stack stack = argumentStack(info, *op);
        op->handle.callBoxed(&stack);
        ResultConverter convert(env);
        // An in-place/out= return is the argument it wrote into: hand back the caller's id.
        const auto returned = [&](size_t i) -> Napi::Value {
          const int aliased = i < op->returns.size() ? op->returns[i].aliasedArg : -1;
          return aliased >= 0 ? info[aliased + 1] : convert.value(stack[i]);
        };
        Napi::Value out = env.Undefined();
        if (stack.size() == 1) {
          out = returned(0);
        } else if (!stack.empty()) {
          Napi::Array arr = Napi::Array::New(env, stack.size());
          for (size_t i = 0; i < stack.size(); ++i) arr.Set(i, returned(i));
          out = arr;
        }
        convert.commit();
        return out;
      },
      [&] { return describe(info, *op); });
  table(env).flushExternalMemory(env);
  return result;
}

}  // namespace mtl
