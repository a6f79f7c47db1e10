//===- Npy.h - NumPy .npy reader and writer ----------------------*- C++
//-*-===//
//
// Reads and writes the NumPy .npy format (versions 1.0-3.0, little-endian,
// C order). No LLVM dependency: the runtime uses it too.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_SUPPORT_NPY_H
#define LLMO_SUPPORT_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace llmo {

/// One array: numpy dtype code without byte order ("f4", "f2", "i8", "i4",
/// "i1", "u1", "b1"), C-order shape and raw little-endian bytes.
struct NpyArray {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  /// Bytes per element of `dtype`, 0 for an unsupported dtype.
  static int elementSize(const std::string &dtype);
};

/// Reads a whole file; false when it cannot be opened.
bool readFileBytes(const std::string &path, std::vector<char> &bytes);

/// Parses a .npy file. On failure returns false and sets `error` to a reason
/// (without the file name).
bool readNpy(const std::string &path, NpyArray &array, std::string &error);
/// Parses .npy bytes already in memory.
bool parseNpy(const char *bytes, size_t size, NpyArray &array,
              std::string &error);
/// Writes `array` as a version 1.0 .npy file (atomically: a temporary file
/// renamed into place, so a failure leaves no partial output).
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

/// Reads an uncompressed .npz archive (np.savez): one array per member,
/// named without the ".npy" suffix, in archive order. Compressed archives
/// (np.savez_compressed) are rejected with a clear error.
bool readNpz(const std::string &path,
             std::vector<std::pair<std::string, NpyArray>> &arrays,
             std::string &error);

} // namespace llmo

#endif // LLMO_SUPPORT_NPY_H
