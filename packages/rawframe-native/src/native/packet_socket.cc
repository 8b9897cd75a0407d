#include "packet_socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "checksum.h"
#include "errors.h"
#include "interfaces.h"
#include "netns.h"

namespace netkit {

namespace {

// Frames handed to JS per poll callback: a flood cannot keep the loop in one callback forever.
constexpr int kMaxFramesPerWakeup = 64;
// sendmmsg takes at most UIO_MAXIOV messages per call.
constexpr size_t kMaxBatch = 1024;
constexpr uint32_t kMaxSnapLength = 262144;
constexpr size_t kVlanRoom = 4;
// Values per frame in the flat array passed to JS: data, timestamp, originalLength, packetType,
// vlanTci (-1 when none), vlanTpid, interfaceIndex, checksumNotReady.
constexpr uint32_t kFrameStride = 8;

bool GetBool(Napi::Env env, Napi::Object options, const char* key, bool* out) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined()) return *out = false, true;
  if (!v.IsBoolean()) {
    ThrowType(env, std::string(key) + " must be a boolean");
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool GetUint(Napi::Env env, Napi::Object options, const char* key, uint32_t min, uint32_t max,
             uint32_t fallback, uint32_t* out) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined()) return *out = fallback, true;
  if (!v.IsNumber()) {
    ThrowType(env, std::string(key) + " must be a number");
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) {
    ThrowRange(env, std::string(key) + " must be an integer from " + std::to_string(min) +
                        " to " + std::to_string(max));
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

// The filter arrives as a Uint32Array of [code, jt, jf, k] quadruples.
bool GetFilter(Napi::Env env, Napi::Object options, std::vector<sock_filter>* out) {
  Napi::Value v = options.Get("filter");
  if (v.IsUndefined()) return true;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    ThrowType(env, "filter must be a Uint32Array of [code, jt, jf, k] quadruples");
    return false;
  }
  Napi::Uint32Array words = v.As<Napi::Uint32Array>();
  size_t n = words.ElementLength();
  if (n == 0 || n % 4 != 0 || n / 4 > BPF_MAXINSNS || words.Data() == nullptr) {
    ThrowRange(env, "filter must hold 1 to 4096 instructions");
    return false;
  }
  const uint32_t* w = words.Data();
  for (size_t i = 0; i < n; i += 4) {
    if (w[i] > 0xffff || w[i + 1] > 0xff || w[i + 2] > 0xff) {
      ThrowRange(env, "filter instruction " + std::to_string(i / 4) +
                          ": code must fit 16 bits and jt/jf 8 bits");
      return false;
    }
    out->push_back(sock_filter{static_cast<uint16_t>(w[i]), static_cast<uint8_t>(w[i + 1]),
                               static_cast<uint8_t>(w[i + 2]), w[i + 3]});
  }
  return true;
}

// A frame argument: a Uint8Array (or Buffer) still attached to its memory. Runs no JS (no getters),
// so sendBatch can call it again right before sending to take pointers nothing can free meanwhile.
// `index` names the element of a batch (-1 for a lone frame); the name is built only for an error,
// since a string per frame was a measurable part of a 1024-frame sendBatch.
bool GetFrame(Napi::Env env, napi_value value, int64_t index, uint8_t** data, size_t* length) {
  auto name = [index]() {
    return index < 0 ? std::string("frame") : "frames[" + std::to_string(index) + "]";
  };
  bool is_typed = false;
  napi_typedarray_type type;
  void* bytes = nullptr;
  size_t count = 0;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, &count, &bytes, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array) {
    ThrowType(env, name() + " must be a Uint8Array or Buffer");
    return false;
  }
  bool detached = false;
  if (bytes == nullptr && count == 0) {
    napi_value buffer;
    if (napi_get_typedarray_info(env, value, &type, &count, &bytes, &buffer, nullptr) == napi_ok) {
      napi_is_detached_arraybuffer(env, buffer, &detached);
    }
  }
  if (detached) {
    ThrowType(env, name() + " is detached (its ArrayBuffer was transferred)");
    return false;
  }
  if (count < 14) {
    ThrowRange(env, name() + " must be at least 14 bytes (an Ethernet header), got " +
                        std::to_string(count));
    return false;
  }
  *data = static_cast<uint8_t*>(bytes);
  *length = count;
  return true;
}

void OnPollClosed(uv_handle_t* handle) {
  auto* closes = static_cast<PendingCloses*>(handle->data);
  delete reinterpret_cast<uv_poll_t*>(handle);
  if (closes != nullptr) closes->Done();
}

const char* PacketTypeName(unsigned char type) {
  switch (type) {
    case PACKET_HOST: return "host";
    case PACKET_BROADCAST: return "broadcast";
    case PACKET_MULTICAST: return "multicast";
    case PACKET_OTHERHOST: return "otherhost";
    case PACKET_OUTGOING: return "outgoing";
    default: return "other";
  }
}

}  // namespace

Napi::Function PacketSocket::Define(Napi::Env env) {
  return DefineClass(env, "PacketSocket",
                     {InstanceMethod<&PacketSocket::Send>("send"),
                      InstanceMethod<&PacketSocket::SendBatch>("sendBatch"),
                      InstanceMethod<&PacketSocket::Resume>("resume"),
                      InstanceMethod<&PacketSocket::Pause>("pause"),
                      InstanceMethod<&PacketSocket::Stats>("stats"),
                      InstanceMethod<&PacketSocket::Close>("close"),
                      InstanceAccessor<&PacketSocket::IsClosed>("closed"),
                      InstanceAccessor<&PacketSocket::InterfaceIndex>("interfaceIndex")});
}

// new PacketSocket(options, onFrames(frames: unknown[] | null, error?: Error))
PacketSocket::PacketSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PacketSocket>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) {
    ThrowType(env, "options must be an object");
    return;
  }
  if (!info[1].IsFunction()) {
    ThrowType(env, "onFrames must be a function");
    return;
  }
  if (!Open(info)) return;
  on_frames_ = Napi::Persistent(info[1].As<Napi::Function>());
  async_context_ = std::make_unique<Napi::AsyncContext>(env, "netkit:PacketSocket", Value());
  data_ = env.GetInstanceData<AddonData>();
  closes_ = data_->closes;
  data_->open_sockets.insert(this);
}

bool PacketSocket::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object options = info[0].As<Napi::Object>();
  Napi::Value iface = options.Get("interface");
  if (!iface.IsString()) return ThrowType(env, "interface must be a string"), false;
  name_ = iface.As<Napi::String>().Utf8Value();
  if (!CheckInterfaceName(env, name_) || !GetNetns(env, options.Get("netns"), &netns_)) return false;
  uint32_t protocol, snap;
  bool promiscuous, ignore_outgoing, qdisc_bypass;
  std::vector<sock_filter> filter;
  if (!GetUint(env, options, "protocol", 1, 0xffff, ETH_P_ALL, &protocol) ||
      !GetUint(env, options, "snapLength", 14, kMaxSnapLength, 65535, &snap) ||
      !GetBool(env, options, "promiscuous", &promiscuous) ||
      !GetBool(env, options, "ignoreOutgoing", &ignore_outgoing) ||
      !GetBool(env, options, "qdiscBypass", &qdisc_bypass) || !GetFilter(env, options, &filter)) {
    return false;
  }
  std::string where = name_ + (netns_.empty() ? "" : " in network namespace " + netns_);
  std::string what = "opening a packet socket on " + where;

  {
    NetnsGuard guard(netns_);
    if (!guard.ok()) {
      ThrowErrno(env, guard.err(), guard.syscall(), what, guard.Hint(netns_));
      return false;
    }
    // Protocol 0: the socket queues nothing until bind(), so no frame slips past the filter.
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      int err = errno;
      ThrowErrno(env, err, "socket", what, (err == EPERM || err == EACCES) ? CapNetRawHint() : "");
      return false;
    }
  }

  InterfaceFacts facts;
  int err = 0;
  const char* syscall = "";
  if (!ReadInterfaceFacts(fd_, name_, &facts, &err, &syscall)) {
    CloseFd();
    ThrowInterfaceError(env, err, syscall, name_, netns_);
    return false;
  }
  ifindex_ = facts.index;
  mtu_ = facts.mtu;

  auto fail = [&](const char* call, const std::string& hint) {
    int e = errno;
    CloseFd();
    ThrowErrno(env, e, call, what, hint);
    return false;
  };
  int one = 1;
  if (!filter.empty()) {
    sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
    if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) != 0) {
      return fail("setsockopt", "the kernel refused the BPF filter (SO_ATTACH_FILTER)");
    }
  }
  if (setsockopt(fd_, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) != 0) {
    return fail("setsockopt", "PACKET_AUXDATA");
  }
  if (setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) {
    return fail("setsockopt", "SO_TIMESTAMPNS");
  }
  if (ignore_outgoing &&
      setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0) {
    return fail("setsockopt", "PACKET_IGNORE_OUTGOING needs Linux 4.20 or later");
  }
  if (qdisc_bypass && setsockopt(fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) != 0) {
    return fail("setsockopt", "PACKET_QDISC_BYPASS");
  }
  sockaddr_ll addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(static_cast<uint16_t>(protocol));
  addr.sll_ifindex = ifindex_;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return fail("bind", errno == ENETDOWN ? "interface " + name_ + " is down" : "");
  }
  if (promiscuous) {
    packet_mreq mreq;
    std::memset(&mreq, 0, sizeof mreq);
    mreq.mr_ifindex = ifindex_;
    mreq.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(fd_, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
      return fail("setsockopt", "PACKET_ADD_MEMBERSHIP (promiscuous)");
    }
  }
  buffer_.resize(snap + kVlanRoom);
  return true;
}

PacketSocket::~PacketSocket() {
  reading_ = false;  // the reference is going away with the object
  CloseFd();
}

void PacketSocket::CloseForTeardown() {
  data_ = nullptr;
  reading_ = false;
  CloseFd();
}

void PacketSocket::CloseFd() {
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    poll_->data = closes_;
    if (closes_ != nullptr) closes_->Add();
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnPollClosed);
    poll_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (data_ != nullptr) {
    data_->open_sockets.erase(this);
    data_ = nullptr;
  }
}

bool PacketSocket::CheckOpen(Napi::Env env, const char* what) {
  if (fd_ >= 0) return true;
  Napi::Error error = Napi::Error::New(env, std::string(what) + ": the packet socket is closed");
  error.Value().Set("code", Napi::String::New(env, "ERR_SOCKET_CLOSED"));
  error.ThrowAsJavaScriptException();
  return false;
}

int PacketSocket::CurrentMtu() {
  ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, name_.data(), name_.size());
  if (fd_ >= 0 && ioctl(fd_, SIOCGIFMTU, &ifr) == 0) mtu_ = ifr.ifr_mtu;
  return mtu_;
}

void PacketSocket::ThrowSendError(Napi::Env env, int err, const char* syscall, size_t size) {
  std::string hint;
  switch (err) {
    case EMSGSIZE: {
      int mtu = CurrentMtu();
      hint = "the frame is " + std::to_string(size) + " bytes but the MTU of " + name_ + " is " +
             std::to_string(mtu) + " (at most " + std::to_string(mtu + 14) +
             " bytes with the Ethernet header): send a smaller frame or raise the MTU";
      break;
    }
    case ENETDOWN: hint = "interface " + name_ + " is down (`ip link set " + name_ + " up`)"; break;
    case ENXIO:
    case ENODEV: hint = "interface " + name_ + " is gone"; break;
    case EAGAIN:
    case ENOBUFS:
      hint = "the socket's send buffer is full: frames are queued faster than " + name_ +
             " sends them; retry after a moment";
      break;
    default: break;
  }
  Napi::Error error = ErrnoError(env, err, syscall, "sending a frame on " + name_, hint);
  if (err == EMSGSIZE) {
    error.Value().Set("mtu", Napi::Number::New(env, mtu_));
    error.Value().Set("size", Napi::Number::New(env, static_cast<double>(size)));
  }
  error.ThrowAsJavaScriptException();
}

Napi::Value PacketSocket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint8_t* data;
  size_t length;
  if (!GetFrame(env, info[0], -1, &data, &length)) return env.Undefined();
  if (!CheckOpen(env, "send")) return env.Undefined();
  ssize_t n = send(fd_, data, length, 0);
  if (n < 0) {
    ThrowSendError(env, errno, "send", length);
    return env.Undefined();
  }
  sent_++;
  return env.Undefined();
}

// sendBatch(frames: Uint8Array[]) -> number sent. Fewer than given only when the send buffer is
// full; any other error throws (with `framesSent` saying how many went out before it).
Napi::Value PacketSocket::SendBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    ThrowType(env, "frames must be an array of Uint8Array");
    return env.Undefined();
  }
  if (!CheckOpen(env, "sendBatch")) return env.Undefined();
  Napi::Array frames = info[0].As<Napi::Array>();
  uint32_t count = frames.Length();
  // Pass 1 reads every element: getters and proxies run here, and may detach or free the bytes of
  // frames read before them, or call sendBatch again. So no byte pointer is taken yet, and the
  // elements stay in this call's handle scope.
  std::vector<napi_value> values;
  values.reserve(std::min<size_t>(count, kMaxBatch));
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value v = frames.Get(i);
    if (env.IsExceptionPending()) return env.Undefined();  // a throwing getter
    uint8_t* data;
    size_t len;
    if (!GetFrame(env, v, i, &data, &len)) return env.Undefined();
    values.push_back(v);
  }
  if (!CheckOpen(env, "sendBatch")) return env.Undefined();  // a getter may have closed it
  // Pass 2 runs no JS until sendmmsg returns: the pointers stay valid. Local vectors: a nested
  // sendBatch (from a getter above) has its own.
  std::vector<iovec> iovs(values.size());
  std::vector<mmsghdr> msgs(values.size());
  for (size_t i = 0; i < values.size(); i++) {
    uint8_t* data;
    size_t len;
    if (!GetFrame(env, values[i], static_cast<int64_t>(i), &data, &len)) {
      return env.Undefined();
    }
    iovs[i].iov_base = data;
    iovs[i].iov_len = len;
    std::memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  size_t total = 0;
  while (total < msgs.size()) {
    size_t chunk = std::min<size_t>(kMaxBatch, msgs.size() - total);
    int n = sendmmsg(fd_, msgs.data() + total, static_cast<unsigned>(chunk), 0);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      sent_ += total;
      if (err == EAGAIN || err == ENOBUFS) return Napi::Number::New(env, static_cast<double>(total));
      ThrowSendError(env, err, "sendmmsg", iovs[total].iov_len);
      if (env.IsExceptionPending()) {
        Napi::Error e = env.GetAndClearPendingException();
        e.Value().Set("framesSent", Napi::Number::New(env, static_cast<double>(total)));
        e.ThrowAsJavaScriptException();
      }
      return env.Undefined();
    }
    total += static_cast<size_t>(n);
  }
  sent_ += total;
  return Napi::Number::New(env, static_cast<double>(total));
}

Napi::Value PacketSocket::Resume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env, "resume")) return env.Undefined();
  if (reading_) return env.Undefined();
  if (poll_ == nullptr) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "no event loop for this environment").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    poll_ = new uv_poll_t;
    int r = uv_poll_init(loop, poll_, fd_);
    if (r != 0) {
      delete poll_;
      poll_ = nullptr;
      ThrowErrno(env, -r, "uv_poll_init", "watching packet socket on " + name_);
      return env.Undefined();
    }
    poll_->data = this;
  }
  int r = StartPoll();
  if (r != 0) {
    ThrowErrno(env, -r, "uv_poll_start", "watching packet socket on " + name_);
    return env.Undefined();
  }
  reading_ = true;
  Ref();  // a socket being read stays alive (and keeps the loop alive) until pause() or close()
  return env.Undefined();
}

int PacketSocket::StartPoll() {
  return uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* handle, int status, int events) {
    auto* self = static_cast<PacketSocket*>(handle->data);
    if (self != nullptr) self->OnReadable(status, events);
  });
}

void PacketSocket::StopReading() {
  if (!reading_) return;
  reading_ = false;
  if (poll_ != nullptr) uv_poll_stop(poll_);
  Unref();
}

Napi::Value PacketSocket::Pause(const Napi::CallbackInfo& info) {
  StopReading();
  return info.Env().Undefined();
}

void PacketSocket::OnReadable(int status, int events) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Array batch = Napi::Array::New(env);
  if (env.IsExceptionPending() || batch.IsEmpty()) return;  // the environment is exiting
  uint32_t slot = 0;
  int error = status < 0 ? -status : 0;
  const char* failed_call = "uv_poll";
  bool restart_poll = false;
  if (status < 0 && fd_ >= 0) {
    // POLLERR: libuv stopped the handle and says EBADF. The real error waits in sk_err (ENETDOWN
    // when the interface went down); reading SO_ERROR reports it and clears it, so a later
    // resume() is not failed by the same stale error again.
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0) {
      error = so_error;
      failed_call = "recvmsg";
      // Already cleared (by a recvmsg): nothing is wrong any more; read on.
      restart_poll = so_error == 0;
    }
  }
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(tpacket_auxdata)) +
                                   CMSG_SPACE(sizeof(timespec)) + 64];
  for (int i = 0; error == 0 && i < kMaxFramesPerWakeup && fd_ >= 0; i++) {
    sockaddr_ll from;
    iovec iov{buffer_.data() + kVlanRoom, buffer_.size() - kVlanRoom};
    msghdr msg;
    std::memset(&msg, 0, sizeof msg);
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(fd_, &msg, MSG_TRUNC);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        error = errno;
        failed_call = "recvmsg";
      }
      break;
    }
    // Never silent: a frame whose timestamp or VLAN tag did not fit is counted (stats).
    if (msg.msg_flags & MSG_CTRUNC) control_truncated_++;
    size_t snap = iov.iov_len;
    size_t captured = std::min<size_t>(static_cast<size_t>(n), snap);
    size_t original = static_cast<size_t>(n);
    int64_t ts = -1;
    bool has_vlan = false;
    bool csum_not_ready = false;
    uint16_t tci = 0, tpid = ETH_P_8021Q;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec t;
        std::memcpy(&t, CMSG_DATA(c), sizeof t);
        ts = static_cast<int64_t>(t.tv_sec) * 1000000000LL + t.tv_nsec;
      } else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
        tpacket_auxdata aux;
        std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
        original = aux.tp_len;
        // CHECKSUM_PARTIAL: the L4 checksum is left for the NIC (offload), so it is not final here.
        csum_not_ready = (aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
        if ((aux.tp_status & TP_STATUS_VLAN_VALID) || aux.tp_vlan_tci != 0) {
          has_vlan = true;
          tci = aux.tp_vlan_tci;
          if (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) tpid = aux.tp_vlan_tpid;
        }
      }
    }
    if (ts < 0) {
      timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      ts = static_cast<int64_t>(now.tv_sec) * 1000000000LL + now.tv_nsec;
    }
    uint8_t* start = buffer_.data() + kVlanRoom;
    // The kernel strips an offloaded 802.1Q tag into the aux data; put it back where it was on
    // the wire (after the MAC addresses) so the frame parses as sent, like libpcap does.
    if (has_vlan && captured >= 12) {
      std::memmove(start - kVlanRoom, start, 12);
      start -= kVlanRoom;
      start[12] = static_cast<uint8_t>(tpid >> 8);
      start[13] = static_cast<uint8_t>(tpid);
      start[14] = static_cast<uint8_t>(tci >> 8);
      start[15] = static_cast<uint8_t>(tci);
      captured = std::min(captured + kVlanRoom, snap);  // snapLength still caps it, like libpcap
      original += kVlanRoom;
    }
    Napi::Buffer<uint8_t> bytes = Napi::Buffer<uint8_t>::Copy(env, start, captured);
    if (env.IsExceptionPending() || bytes.IsEmpty()) return;  // the environment is exiting
    batch.Set(slot++, bytes);
    batch.Set(slot++, Napi::BigInt::New(env, ts));
    batch.Set(slot++, Napi::Number::New(env, static_cast<double>(original)));
    batch.Set(slot++, Napi::String::New(env, PacketTypeName(from.sll_pkttype)));
    batch.Set(slot++, Napi::Number::New(env, has_vlan ? tci : -1));
    batch.Set(slot++, Napi::Number::New(env, tpid));
    batch.Set(slot++, Napi::Number::New(env, from.sll_ifindex));
    batch.Set(slot++, Napi::Boolean::New(env, csum_not_ready));
  }
  if (restart_poll && error == 0 && reading_ && poll_ != nullptr && StartPoll() != 0) {
    error = EBADF;
    failed_call = "uv_poll_start";
  }
  if (slot == 0 && error == 0) return;
  std::vector<napi_value> args{batch};
  if (error != 0) {
    args.push_back(ErrnoError(env, error, failed_call, "receiving on " + name_,
                              error == ENETDOWN ? "interface " + name_ + " went down" : "")
                       .Value());
    StopReading();  // no busy loop on a persistent error; JS decides what happens next
  }
  // Keep `this` alive across the call even if JS drops its last reference meanwhile.
  Napi::Object self = Value();
  on_frames_.MakeCallback(self, args, *async_context_);
  if (env.IsExceptionPending()) {
    Napi::Error e = env.GetAndClearPendingException();
    napi_fatal_exception(env, e.Value());
  }
}

Napi::Value PacketSocket::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ >= 0) {
    tpacket_stats st;
    socklen_t len = sizeof st;
    // The kernel resets its counters on each read: accumulate.
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
      kernel_packets_ += st.tp_packets;
      kernel_drops_ += st.tp_drops;
    }
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("kernelPackets", Napi::Number::New(env, static_cast<double>(kernel_packets_)));
  out.Set("kernelDrops", Napi::Number::New(env, static_cast<double>(kernel_drops_)));
  out.Set("sent", Napi::Number::New(env, static_cast<double>(sent_)));
  out.Set("controlTruncated", Napi::Number::New(env, static_cast<double>(control_truncated_)));
  return out;
}

Napi::Value PacketSocket::Close(const Napi::CallbackInfo& info) {
  if (fd_ >= 0) {
    tpacket_stats st;
    socklen_t len = sizeof st;
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
      kernel_packets_ += st.tp_packets;
      kernel_drops_ += st.tp_drops;
    }
  }
  StopReading();
  CloseFd();
  return info.Env().Undefined();
}

Napi::Value PacketSocket::IsClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), fd_ < 0);
}

Napi::Value PacketSocket::InterfaceIndex(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ifindex_);
}

void PendingCloses::Done() {
  count--;
  FinishIfIdle();
}

void PendingCloses::FinishIfIdle() {
  if (hook == nullptr || count > 0) return;
  napi_remove_async_cleanup_hook(hook);  // lets the environment's teardown go on
  delete this;
}

void AddonData::CloseAll() {
  // Forget them all first: a closed socket no longer refers to this registry, and no pointer to
  // a socket stays here after it is closed (its object may be finalized any time later).
  std::vector<PacketSocket*> sockets(open_sockets.begin(), open_sockets.end());
  open_sockets.clear();
  for (PacketSocket* s : sockets) s->CloseForTeardown();
}

}  // namespace netkit
