// Internet checksum (RFC 1071) and CRC-32 (IEEE 802.3) over raw bytes.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace netkit {

// One's complement sum of `data` as big-endian 16-bit words (odd tail padded with zero), folded to
// 16 bits, not complemented. Any alignment of `data`.
uint16_t OnesComplementSum(const uint8_t* data, size_t length);

// CRC-32 (IEEE, reflected, as zlib.crc32) continuing from `crc`.
uint32_t Crc32(const uint8_t* data, size_t length, uint32_t crc);

// JS: onesComplementSum(bytes: Uint8Array, initial: number) -> number (folded, not complemented)
Napi::Value JsOnesComplementSum(const Napi::CallbackInfo& info);
// JS: crc32(bytes: Uint8Array, initial: number) -> number
Napi::Value JsCrc32(const Napi::CallbackInfo& info);

// Reads a Uint8Array (or Buffer) argument; throws a TypeError naming `what` otherwise.
bool GetBytes(const Napi::CallbackInfo& info, size_t index, const char* what, const uint8_t** data,
              size_t* length);

}  // namespace netkit
