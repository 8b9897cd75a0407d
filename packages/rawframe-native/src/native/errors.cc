#include "errors.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace netkit {

const char* ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  if (name != nullptr) return name;
  static thread_local char buf[24];
  std::snprintf(buf, sizeof buf, "E%d", err);
  return buf;
}

std::string CapNetRawHint() {
  return "raw packet sockets need CAP_NET_RAW: run as root, or grant it to node with "
         "`sudo setcap cap_net_raw+ep $(command -v node)`";
}

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& what,
                       const std::string& hint) {
  std::string message = what + ": " + syscall + " failed with " + ErrnoName(err) + " (" +
                        std::strerror(err) + ")";
  if (!hint.empty()) message += "; " + hint;
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("code", Napi::String::New(env, ErrnoName(err)));
  obj.Set("errno", Napi::Number::New(env, err));
  obj.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& what,
                const std::string& hint) {
  ErrnoError(env, err, syscall, what, hint).ThrowAsJavaScriptException();
}

void ThrowType(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Value().Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  error.ThrowAsJavaScriptException();
}

void ThrowRange(Napi::Env env, const std::string& message) {
  Napi::RangeError error = Napi::RangeError::New(env, message);
  error.Value().Set("code", Napi::String::New(env, "ERR_OUT_OF_RANGE"));
  error.ThrowAsJavaScriptException();
}

}  // namespace netkit
