// Per-environment state (main thread and each worker get their own): the PacketSocket class and
// the sockets still open, so the environment's teardown can close them. No global mutable state.
#pragma once
#include <napi.h>

#include <unordered_set>

namespace netkit {

class PacketSocket;

// uv handle closes still to finish on this environment's loop. Their close callbacks are code in
// this addon, and Node unloads the addon once the environment's cleanup hooks are done: so the
// teardown (an async cleanup hook) ends only when the last of them ran. Outlives AddonData (which
// napi may free meanwhile); frees itself when the teardown ends.
struct PendingCloses {
  int count = 0;
  napi_async_cleanup_hook_handle hook = nullptr;  // set when the teardown started
  void Add() { count++; }
  void Done();
  void FinishIfIdle();
};

struct AddonData {
  Napi::FunctionReference packet_socket_class;
  std::unordered_set<PacketSocket*> open_sockets;
  PendingCloses* closes = nullptr;
  void CloseAll();  // closes every socket still open (environment teardown)
  ~AddonData() { CloseAll(); }
};

}  // namespace netkit
