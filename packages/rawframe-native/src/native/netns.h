// Enters a named network namespace (/var/run/netns/NAME, as `ip netns` makes them) on the calling
// thread for the lifetime of the guard, and always returns to the original one. Sockets keep the
// namespace they were created in, so only socket creation (and lookups) happen inside.
#pragma once
#include <string>

namespace netkit {

class NetnsGuard {
 public:
  // An empty name enters nothing. Check ok(); on failure err()/syscall() say why.
  explicit NetnsGuard(const std::string& name);
  ~NetnsGuard();
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;

  bool ok() const { return err_ == 0; }
  int err() const { return err_; }
  const char* syscall() const { return syscall_; }
  // What to do about the failure, for the error message (`name` is the namespace asked for).
  std::string Hint(const std::string& name) const;

 private:
  int original_ = -1;
  int err_ = 0;
  const char* syscall_ = "";
  bool self_failed_ = false;  // this thread's own namespace could not be opened
};

// True when `name` can be a namespace name (no slash, not "." or "..", not too long).
bool ValidNetnsName(const std::string& name);

}  // namespace netkit
