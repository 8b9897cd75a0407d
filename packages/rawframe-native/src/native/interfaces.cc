#include "interfaces.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "errors.h"
#include "netns.h"

namespace netkit {

namespace {

int PrefixLength(const sockaddr* mask, int family) {
  if (mask == nullptr) return family == AF_INET ? 32 : 128;
  const uint8_t* bytes;
  size_t n;
  if (family == AF_INET) {
    bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    n = 4;
  } else {
    bytes =
        reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
    n = 16;
  }
  int bits = 0;
  for (size_t i = 0; i < n; i++) bits += __builtin_popcount(bytes[i]);
  return bits;
}

}  // namespace

bool CheckInterfaceName(Napi::Env env, const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    ThrowType(env, "interface must be an interface name of 1 to 15 characters without '/' (got \"" +
                       name + "\")");
    return false;
  }
  return true;
}

bool GetNetns(Napi::Env env, const Napi::Value& value, std::string* out) {
  out->clear();
  if (value.IsUndefined() || value.IsNull()) return true;
  if (!value.IsString()) {
    ThrowType(env, "netns must be a string (a name under /var/run/netns)");
    return false;
  }
  *out = value.As<Napi::String>().Utf8Value();
  if (!ValidNetnsName(*out)) {
    ThrowType(env, "netns must be a namespace name under /var/run/netns, without '/' (got \"" +
                       *out + "\")");
    return false;
  }
  return true;
}

bool ReadInterfaceFacts(int fd, const std::string& name, InterfaceFacts* facts, int* err,
                        const char** syscall) {
  ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  *syscall = "ioctl";
  if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) return *err = errno, false;
  facts->index = ifr.ifr_ifindex;
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) return *err = errno, false;
  std::memcpy(facts->mac, ifr.ifr_hwaddr.sa_data, 6);
  if (ioctl(fd, SIOCGIFMTU, &ifr) != 0) return *err = errno, false;
  facts->mtu = ifr.ifr_mtu;
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) return *err = errno, false;
  facts->flags = static_cast<unsigned short>(ifr.ifr_flags);
  return true;
}

void ThrowInterfaceError(Napi::Env env, int err, const char* syscall, const std::string& name,
                         const std::string& netns) {
  std::string where = netns.empty() ? "" : " in network namespace " + netns;
  std::string hint;
  if (err == ENODEV) {
    hint = "there is no interface named \"" + name + "\"" + where + " (list them with `ip link`" +
           (netns.empty() ? "" : " inside the namespace: `ip -n " + netns + " link`") + ")";
  }
  ThrowErrno(env, err, syscall, "looking up interface " + name + where, hint);
}

Napi::Value JsInterfaceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) {
    ThrowType(env, "interface must be a string");
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string netns;
  if (!CheckInterfaceName(env, name) || !GetNetns(env, info[1], &netns)) return env.Undefined();

  InterfaceFacts facts;
  int err = 0;
  const char* syscall = "";
  ifaddrs* list = nullptr;
  {
    NetnsGuard guard(netns);
    if (!guard.ok()) {
      ThrowErrno(env, guard.err(), guard.syscall(), "entering network namespace " + netns,
                 guard.Hint(netns));
      return env.Undefined();
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = errno;
      syscall = "socket";
    } else {
      if (!ReadInterfaceFacts(fd, name, &facts, &err, &syscall)) {
        // err set
      } else if (getifaddrs(&list) != 0) {
        err = errno;
        syscall = "getifaddrs";
      }
      close(fd);
    }
  }
  if (err != 0) {
    ThrowInterfaceError(env, err, syscall, name, netns);
    return env.Undefined();
  }

  Napi::Object out = Napi::Object::New(env);
  out.Set("name", name);
  out.Set("index", facts.index);
  char mac[18];
  std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", facts.mac[0], facts.mac[1],
                facts.mac[2], facts.mac[3], facts.mac[4], facts.mac[5]);
  out.Set("mac", mac);
  out.Set("mtu", facts.mtu);
  out.Set("up", Napi::Boolean::New(env, (facts.flags & IFF_UP) != 0));
  out.Set("running", Napi::Boolean::New(env, (facts.flags & IFF_RUNNING) != 0));
  out.Set("multicast", Napi::Boolean::New(env, (facts.flags & IFF_MULTICAST) != 0));
  out.Set("broadcast", Napi::Boolean::New(env, (facts.flags & IFF_BROADCAST) != 0));
  out.Set("loopback", Napi::Boolean::New(env, (facts.flags & IFF_LOOPBACK) != 0));
  out.Set("promiscuous", Napi::Boolean::New(env, (facts.flags & IFF_PROMISC) != 0));
  Napi::Array addresses = Napi::Array::New(env);
  uint32_t count = 0;
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_name == nullptr) continue;
    int family = it->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    // A labelled IPv4 address (`ip addr add ... label eth0:1`) is listed under its label.
    bool labelled = family == AF_INET && std::strncmp(it->ifa_name, name.c_str(), name.size()) == 0 &&
                    it->ifa_name[name.size()] == ':';
    if (name != it->ifa_name && !labelled) continue;
    char text[INET6_ADDRSTRLEN] = {0};
    const void* addr =
        family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(it->ifa_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(it->ifa_addr)->sin6_addr);
    if (inet_ntop(family, addr, text, sizeof text) == nullptr) continue;
    Napi::Object a = Napi::Object::New(env);
    a.Set("family", family == AF_INET ? 4 : 6);
    a.Set("address", text);
    a.Set("prefixLength", PrefixLength(it->ifa_netmask, family));
    addresses.Set(count++, a);
  }
  if (list != nullptr) freeifaddrs(list);
  out.Set("addresses", addresses);
  return out;
}

}  // namespace netkit
