// Turns errno into JS errors that carry `code` (the errno name), `errno`, `syscall` and a message
// that says what to do. Every function here only sets a pending exception (no C++ exceptions).
#pragma once
#include <napi.h>

#include <string>

namespace netkit {

// The symbolic name of an errno value ("EPERM"); "E<number>" when unknown.
const char* ErrnoName(int err);

// Throws an Error for `err` from `syscall`; `what` says what was being done (e.g. "opening a
// packet socket on eth0") and `hint` (may be empty) what to do about it.
void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& what,
                const std::string& hint = "");

// Builds the same Error without throwing it (for errors delivered to a callback).
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& what,
                       const std::string& hint = "");

// Throws a TypeError with code ERR_INVALID_ARG_TYPE.
void ThrowType(Napi::Env env, const std::string& message);

// Throws a RangeError with code ERR_OUT_OF_RANGE.
void ThrowRange(Napi::Env env, const std::string& message);

// The hint for EPERM/EACCES on raw sockets.
std::string CapNetRawHint();

}  // namespace netkit
