//===- Npz.cpp - NumPy .npz (zip of .npy) reader --------------------------===//
//
// np.savez writes a zip archive of stored (uncompressed) .npy members. This
// reads the central directory and each member's local header; zip64 and
// compressed members are rejected.
//
//===----------------------------------------------------------------------===//

#include "llmo/Support/Npy.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace llmo {
namespace {

uint32_t read32(const std::vector<char> &b, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | (uint8_t)b[at + i];
  return v;
}

uint16_t read16(const std::vector<char> &b, size_t at) {
  return (uint16_t)((uint8_t)b[at] | ((uint8_t)b[at + 1] << 8));
}

} // namespace

bool readNpz(const std::string &path,
             std::vector<std::pair<std::string, NpyArray>> &arrays,
             std::string &error) {
  std::vector<char> bytes;
  if (!readFileBytes(path, bytes)) {
    error = "cannot open file";
    return false;
  }
  // The end-of-central-directory record is in the last 22 + 65535 bytes.
  size_t eocd = std::string::npos;
  for (size_t i = bytes.size() >= 22 ? bytes.size() - 22 : 0;
       bytes.size() >= 22; --i) {
    if (read32(bytes, i) == 0x06054b50) {
      eocd = i;
      break;
    }
    if (i == 0 || bytes.size() - i > 22 + 65535)
      break;
  }
  if (eocd == std::string::npos) {
    error = "not a .npz (zip) archive";
    return false;
  }
  uint16_t count = read16(bytes, eocd + 10);
  size_t dir = read32(bytes, eocd + 16);
  arrays.clear();
  for (uint16_t e = 0; e < count; ++e) {
    if (dir + 46 > bytes.size() || read32(bytes, dir) != 0x02014b50) {
      error = "corrupt zip central directory";
      return false;
    }
    uint16_t method = read16(bytes, dir + 10);
    uint32_t compressed = read32(bytes, dir + 20);
    uint16_t nameLen = read16(bytes, dir + 28),
             extraLen = read16(bytes, dir + 30),
             commentLen = read16(bytes, dir + 32);
    size_t local = read32(bytes, dir + 42);
    if (dir + 46 + nameLen > bytes.size()) {
      error = "corrupt zip central directory";
      return false;
    }
    std::string name(bytes.data() + dir + 46, nameLen);
    dir += 46 + nameLen + extraLen + commentLen;
    if (method != 0) {
      error = "member '" + name +
              "' is compressed (np.savez_compressed); write the calibration "
              "data with np.savez";
      return false;
    }
    if (compressed == 0xffffffff || local == 0xffffffff) {
      error = "zip64 archives are not supported";
      return false;
    }
    if (local + 30 > bytes.size() || read32(bytes, local) != 0x04034b50) {
      error = "corrupt zip local header of '" + name + "'";
      return false;
    }
    size_t data =
        local + 30 + read16(bytes, local + 26) + read16(bytes, local + 28);
    if (data + compressed > bytes.size()) {
      error = "member '" + name + "' is truncated";
      return false;
    }
    NpyArray array;
    std::string memberError;
    if (!parseNpy(bytes.data() + data, compressed, array, memberError)) {
      error = "member '" + name + "': " + memberError;
      return false;
    }
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    arrays.emplace_back(name, std::move(array));
  }
  return true;
}

} // namespace llmo
