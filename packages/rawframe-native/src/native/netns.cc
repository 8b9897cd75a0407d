#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace netkit {

bool ValidNetnsName(const std::string& name) {
  return !name.empty() && name.size() <= 200 && name != "." && name != ".." &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

NetnsGuard::NetnsGuard(const std::string& name) {
  if (name.empty()) return;
  // thread-self: setns changes only this thread, so remember this thread's namespace.
  original_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_ < 0) {
    err_ = errno;
    syscall_ = "open";
    self_failed_ = true;
    return;
  }
  std::string path = "/var/run/netns/" + name;
  int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    err_ = errno;
    syscall_ = "open";
    close(original_);
    original_ = -1;
    return;
  }
  if (setns(target, CLONE_NEWNET) != 0) {
    err_ = errno;
    syscall_ = "setns";
    close(original_);
    original_ = -1;
  }
  close(target);
}

std::string NetnsGuard::Hint(const std::string& name) const {
  if (self_failed_) {
    return "cannot open this thread's own network namespace (/proc/thread-self/ns/net) to come "
           "back to it: is /proc mounted?";
  }
  if (err_ == ENOENT) {
    return "no network namespace named \"" + name + "\" (create it with `ip netns add " + name +
           "`)";
  }
  if (err_ == EPERM) return "entering a network namespace needs CAP_SYS_ADMIN (run as root)";
  return "";
}

NetnsGuard::~NetnsGuard() {
  if (original_ < 0) return;
  // Staying in the wrong namespace would silently misdirect every later socket of this thread.
  if (setns(original_, CLONE_NEWNET) != 0) std::abort();
  close(original_);
}

}  // namespace netkit
