// An AF_PACKET SOCK_RAW socket bound to one interface. Reading is driven by a uv_poll on the loop
// of the environment that opened it, so frames reach JS on the JS thread without a threadsafe
// function; reading runs only between resume() and pause(), so an unread socket costs nothing and
// the kernel counts what it drops.
#pragma once
#include <linux/if_packet.h>
#include <napi.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "addon.h"

namespace netkit {

class PacketSocket : public Napi::ObjectWrap<PacketSocket> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit PacketSocket(const Napi::CallbackInfo& info);
  ~PacketSocket() override;

  // Closes without touching JS (environment teardown); forgets the registry.
  void CloseForTeardown();

 private:
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value SendBatch(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  Napi::Value InterfaceIndex(const Napi::CallbackInfo& info);

  bool Open(const Napi::CallbackInfo& info);
  bool CheckOpen(Napi::Env env, const char* what);
  void CloseFd();
  void StopReading();
  int StartPoll();
  void OnReadable(int status, int events);
  void ThrowSendError(Napi::Env env, int err, const char* syscall, size_t size);
  int CurrentMtu();

  AddonData* data_ = nullptr;
  PendingCloses* closes_ = nullptr;  // the environment's; outlives every socket that can close
  int fd_ = -1;
  int ifindex_ = 0;
  int mtu_ = 0;
  std::string name_;
  std::string netns_;
  uv_poll_t* poll_ = nullptr;
  bool reading_ = false;
  uint64_t sent_ = 0;
  uint64_t kernel_packets_ = 0;
  uint64_t kernel_drops_ = 0;
  uint64_t control_truncated_ = 0;  // recvmsg MSG_CTRUNC: a frame lost its timestamp or VLAN tag
  std::vector<uint8_t> buffer_;  // snapLength plus room to re-insert a VLAN tag
  Napi::FunctionReference on_frames_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
};

}  // namespace netkit
