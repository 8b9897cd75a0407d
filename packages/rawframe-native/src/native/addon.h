// Per-environment state (main thread and each worker get their own): the PacketSocket class and
// the sockets still open, so the environment's teardown can close them. No global mutable state.
#pragma once
#include <napi.h>

#include <unordered_set>

namespace netkit {

class PacketSocket;

struct AddonData {
  Napi::FunctionReference packet_socket_class;
  std::unordered_set<PacketSocket*> open_sockets;
  void CloseAll();  // closes every socket still open (environment teardown)
  ~AddonData() { CloseAll(); }
};

}  // namespace netkit
