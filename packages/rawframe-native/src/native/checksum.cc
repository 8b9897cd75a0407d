#include "checksum.h"

#include <cstring>
#include <string>

#include "errors.h"

namespace netkit {

namespace {

// The sum is byte-order independent (RFC 1071 section 2(B)): add native little-endian words and
// swap the folded result. Each 64-bit load is split into two 32-bit halves added to 64-bit
// accumulators, so no carry is lost for 2^32 loads and the loop vectorises.
inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint32_t Fold64To16(uint64_t sum) {
  sum = (sum & 0xffffffffULL) + (sum >> 32);
  sum = (sum & 0xffffffffULL) + (sum >> 32);
  uint32_t s = static_cast<uint32_t>(sum);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return s;
}

uint32_t crc_table[8][256];
bool crc_ready = [] {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320U ^ (c >> 1) : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++) {
    for (int t = 1; t < 8; t++) {
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
    }
  }
  return true;
}();

uint32_t ToUint32(const Napi::Value& v) {
  double d = v.As<Napi::Number>().DoubleValue();
  return static_cast<uint32_t>(d);
}

}  // namespace

uint16_t OnesComplementSum(const uint8_t* data, size_t length) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  size_t i = 0;
  for (; i + 32 <= length; i += 32) {
    uint64_t w0 = Load64(data + i), w1 = Load64(data + i + 8);
    uint64_t w2 = Load64(data + i + 16), w3 = Load64(data + i + 24);
    a += (w0 & 0xffffffffULL) + (w0 >> 32);
    b += (w1 & 0xffffffffULL) + (w1 >> 32);
    c += (w2 & 0xffffffffULL) + (w2 >> 32);
    d += (w3 & 0xffffffffULL) + (w3 >> 32);
  }
  for (; i + 8 <= length; i += 8) {
    uint64_t w = Load64(data + i);
    a += (w & 0xffffffffULL) + (w >> 32);
  }
  for (; i + 2 <= length; i += 2) {
    uint16_t w;
    std::memcpy(&w, data + i, 2);
    b += w;
  }
  // The odd last byte is the high byte of a big-endian word: the low byte of a little-endian one.
  if (i < length) c += data[i];
  // Four 2^33-bounded accumulators: their total cannot overflow 64 bits before folding.
  uint64_t total = Fold64To16(a) + Fold64To16(b) + Fold64To16(c) + Fold64To16(d);
  uint32_t folded = Fold64To16(total);
  return static_cast<uint16_t>(((folded & 0xff) << 8) | (folded >> 8));
}

uint32_t Crc32(const uint8_t* p, size_t length, uint32_t crc) {
  (void)crc_ready;
  crc = ~crc;
  while (length >= 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= crc;
    crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
          crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^
          crc_table[2][(hi >> 8) & 0xff] ^ crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
    p += 8;
    length -= 8;
  }
  while (length--) crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

bool GetBytes(const Napi::CallbackInfo& info, size_t index, const char* what, const uint8_t** data,
              size_t* length) {
  Napi::Value v = info[index];
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    napi_typedarray_type t = ta.TypedArrayType();
    if (t == napi_uint8_array || t == napi_uint8_clamped_array) {
      Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
      *data = bytes.Data();
      *length = bytes.ElementLength();
      if (*data == nullptr) *length = 0;  // detached
      return true;
    }
  }
  ThrowType(info.Env(), std::string(what) + " must be a Uint8Array or Buffer");
  return false;
}

static bool GetInitial(const Napi::CallbackInfo& info, size_t index, uint32_t* out) {
  if (info.Length() <= index || info[index].IsUndefined()) {
    *out = 0;
    return true;
  }
  if (!info[index].IsNumber()) {
    ThrowType(info.Env(), "initial must be a number");
    return false;
  }
  double d = info[index].As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d))) {
    ThrowRange(info.Env(), "initial must be an integer from 0 to 4294967295");
    return false;
  }
  *out = ToUint32(info[index]);
  return true;
}

Napi::Value JsOnesComplementSum(const Napi::CallbackInfo& info) {
  const uint8_t* data;
  size_t length;
  uint32_t initial;
  if (!GetBytes(info, 0, "bytes", &data, &length) || !GetInitial(info, 1, &initial)) {
    return info.Env().Undefined();
  }
  uint64_t sum = static_cast<uint64_t>(OnesComplementSum(data, length)) + initial;
  return Napi::Number::New(info.Env(), Fold64To16(sum));
}

Napi::Value JsCrc32(const Napi::CallbackInfo& info) {
  const uint8_t* data;
  size_t length;
  uint32_t initial;
  if (!GetBytes(info, 0, "bytes", &data, &length) || !GetInitial(info, 1, &initial)) {
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), Crc32(data, length, initial));
}

}  // namespace netkit
