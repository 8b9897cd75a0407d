// @netkit/rawframe-native addon entry: registers the exports per environment (context-aware).
#include <napi.h>

#include "addon.h"
#include "checksum.h"
#include "interfaces.h"
#include "packet_socket.h"

namespace netkit {

#ifdef NETKIT_TEST_HOOKS
// Test builds only (the AddressSanitizer check): reads one byte past a heap block, so the test
// can prove an error in the addon is reported.
static Napi::Value TestOutOfBounds(const Napi::CallbackInfo& info) {
  volatile uint8_t* block = new uint8_t[16];
  uint8_t value = block[16];
  delete[] block;
  return Napi::Number::New(info.Env(), value);
}
#endif

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->closes = new PendingCloses();
  env.SetInstanceData<AddonData>(data);
  // Runs before the environment drains its handles: no frame is read for a dying environment.
  // (Registered after napi's own teardown hook, so it runs first and `data` is still alive.)
  // Async: the environment waits (running its loop) until every poll handle's close callback ran,
  // since Node unloads this addon, close callbacks included, right after the cleanup hooks.
  napi_async_cleanup_hook_handle ignored;
  napi_status status = napi_add_async_cleanup_hook(
      env,
      [](napi_async_cleanup_hook_handle hook, void* arg) {
        auto* data = static_cast<AddonData*>(arg);
        PendingCloses* closes = data->closes;
        closes->hook = hook;
        data->CloseAll();
        data->closes = nullptr;
        closes->FinishIfIdle();
      },
      data, &ignored);
  if (status != napi_ok) {
    Napi::Error::New(env, "cannot register the addon's cleanup hook").ThrowAsJavaScriptException();
    return exports;
  }
  Napi::Function cls = PacketSocket::Define(env);
  data->packet_socket_class = Napi::Persistent(cls);
  exports.Set("PacketSocket", cls);
  exports.Set("onesComplementSum", Napi::Function::New<JsOnesComplementSum>(env, "onesComplementSum"));
  exports.Set("crc32", Napi::Function::New<JsCrc32>(env, "crc32"));
  exports.Set("interfaceInfo", Napi::Function::New<JsInterfaceInfo>(env, "interfaceInfo"));
#ifdef NETKIT_TEST_HOOKS
  exports.Set("testOutOfBounds", Napi::Function::New<TestOutOfBounds>(env, "testOutOfBounds"));
#endif
  return exports;
}

}  // namespace netkit

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  return netkit::Init(env, exports);
}

NODE_API_MODULE(rawframe, InitAddon)
