// Interface facts (index, MAC, MTU, flags, addresses) from ioctls and getifaddrs, no shelling out.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

namespace netkit {

struct InterfaceFacts {
  int index = 0;
  uint8_t mac[6] = {0};
  int mtu = 0;
  unsigned flags = 0;
};

// Fills `facts` with ioctls on `fd` (any socket of the right namespace). On failure returns false
// with errno-style `*err` and `*syscall` set.
bool ReadInterfaceFacts(int fd, const std::string& name, InterfaceFacts* facts, int* err,
                        const char** syscall);

// Throws the error for a failed lookup of interface `name`, with ENODEV naming it.
void ThrowInterfaceError(Napi::Env env, int err, const char* syscall, const std::string& name,
                         const std::string& netns);

// True when `name` fits IFNAMSIZ and has no '/' or NUL; throws a TypeError otherwise.
bool CheckInterfaceName(Napi::Env env, const std::string& name);

// Reads an optional netns string argument (undefined -> ""), validating it.
bool GetNetns(Napi::Env env, const Napi::Value& value, std::string* out);

// JS: interfaceInfo(name: string, netns?: string) -> plain object (see src/interfaces.ts)
Napi::Value JsInterfaceInfo(const Napi::CallbackInfo& info);

}  // namespace netkit
