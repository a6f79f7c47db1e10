//===- Npy.cpp - NumPy .npy reader and writer -----------------------------===//

#include "llmo/Support/Npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace llmo {

int64_t NpyArray::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

int NpyArray::elementSize(const std::string &dtype) {
  if (dtype == "f8" || dtype == "i8" || dtype == "u8")
    return 8;
  if (dtype == "f4" || dtype == "i4" || dtype == "u4")
    return 4;
  if (dtype == "f2" || dtype == "i2" || dtype == "u2")
    return 2;
  if (dtype == "i1" || dtype == "u1" || dtype == "b1")
    return 1;
  return 0;
}

namespace {

/// Finds `'key':` in the header dict and returns the position after it.
size_t findKey(const std::string &header, const std::string &key) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos)
    return pos;
  pos = header.find(':', pos);
  return pos == std::string::npos ? pos : pos + 1;
}

size_t skipSpaces(const std::string &s, size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t'))
    ++pos;
  return pos;
}

bool parseHeader(const std::string &header, NpyArray &array,
                 std::string &error) {
  size_t pos = findKey(header, "descr");
  if (pos == std::string::npos) {
    error = "header has no 'descr'";
    return false;
  }
  pos = skipSpaces(header, pos);
  if (pos >= header.size() || header[pos] != '\'') {
    error = "malformed 'descr'";
    return false;
  }
  size_t end = header.find('\'', pos + 1);
  if (end == std::string::npos) {
    error = "malformed 'descr'";
    return false;
  }
  std::string descr = header.substr(pos + 1, end - pos - 1);
  if (descr.size() < 2) {
    error = "malformed 'descr'";
    return false;
  }
  char order = descr[0];
  std::string dtype = descr.substr(1);
  if (order == '>' && NpyArray::elementSize(dtype) > 1) {
    error = "big-endian arrays are not supported";
    return false;
  }
  if (order != '<' && order != '|' && order != '=' && order != '>') {
    error = "malformed 'descr' '" + descr + "'";
    return false;
  }
  if (NpyArray::elementSize(dtype) == 0) {
    error = "unsupported dtype '" + descr + "'";
    return false;
  }
  array.dtype = dtype;

  pos = findKey(header, "fortran_order");
  if (pos == std::string::npos) {
    error = "header has no 'fortran_order'";
    return false;
  }
  pos = skipSpaces(header, pos);
  if (header.compare(pos, 4, "True") == 0) {
    error = "Fortran-order arrays are not supported";
    return false;
  }
  if (header.compare(pos, 5, "False") != 0) {
    error = "malformed 'fortran_order'";
    return false;
  }

  pos = findKey(header, "shape");
  if (pos == std::string::npos) {
    error = "header has no 'shape'";
    return false;
  }
  pos = skipSpaces(header, pos);
  if (pos >= header.size() || header[pos] != '(') {
    error = "malformed 'shape'";
    return false;
  }
  end = header.find(')', pos);
  if (end == std::string::npos) {
    error = "malformed 'shape'";
    return false;
  }
  array.shape.clear();
  std::string dims = header.substr(pos + 1, end - pos - 1);
  size_t i = 0;
  while (i < dims.size()) {
    i = skipSpaces(dims, i);
    if (i >= dims.size())
      break;
    if (dims[i] < '0' || dims[i] > '9') {
      error = "malformed 'shape'";
      return false;
    }
    int64_t value = 0;
    while (i < dims.size() && dims[i] >= '0' && dims[i] <= '9') {
      value = value * 10 + (dims[i] - '0');
      if (value > (int64_t(1) << 40)) {
        error = "shape dimension too large";
        return false;
      }
      ++i;
    }
    array.shape.push_back(value);
    i = skipSpaces(dims, i);
    if (i < dims.size() && dims[i] == ',')
      ++i;
    else if (i < dims.size()) {
      error = "malformed 'shape'";
      return false;
    }
  }
  return true;
}

} // namespace

bool parseNpy(const char *bytes, size_t size, NpyArray &array,
              std::string &error) {
  static const char magic[] = "\x93NUMPY";
  if (size < 10 || std::memcmp(bytes, magic, 6) != 0) {
    error = "not a .npy file (bad magic)";
    return false;
  }
  unsigned major = (unsigned char)bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = (unsigned char)bytes[8] | ((unsigned char)bytes[9] << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) {
      error = "truncated header";
      return false;
    }
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | (unsigned char)bytes[8 + i];
    offset = 12;
  } else {
    error = "unsupported .npy version " + std::to_string(major);
    return false;
  }
  if (headerLen > size - offset) {
    error = "truncated header";
    return false;
  }
  std::string header(bytes + offset, headerLen);
  if (!parseHeader(header, array, error))
    return false;
  offset += headerLen;
  // Overflow-safe: every dim is below 2^40 and the product is checked.
  unsigned __int128 expected = NpyArray::elementSize(array.dtype);
  for (int64_t dim : array.shape) {
    expected *= (uint64_t)dim;
    if (expected > ((unsigned __int128)1 << 62)) {
      error = "array too large";
      return false;
    }
  }
  if ((unsigned __int128)(size - offset) != expected) {
    error = "data size " + std::to_string(size - offset) +
            " bytes does not match shape and dtype (expected " +
            std::to_string((uint64_t)expected) + ")";
    return false;
  }
  array.data.assign(bytes + offset, bytes + size);
  return true;
}

bool readFileBytes(const std::string &path, std::vector<char> &bytes) {
  // A directory opens as a stream but throws on the first read.
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return false;
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return false;
  bytes.assign(std::istreambuf_iterator<char>(file),
               std::istreambuf_iterator<char>());
  return true;
}

bool readNpy(const std::string &path, NpyArray &array, std::string &error) {
  std::vector<char> bytes;
  if (!readFileBytes(path, bytes)) {
    error = "cannot open file";
    return false;
  }
  return parseNpy(bytes.data(), bytes.size(), array, error);
}

bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error) {
  if (NpyArray::elementSize(array.dtype) == 0) {
    error = "unsupported dtype '" + array.dtype + "'";
    return false;
  }
  char order = NpyArray::elementSize(array.dtype) == 1 ? '|' : '<';
  std::string header = "{'descr': '";
  header += order;
  header += array.dtype + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < array.shape.size(); ++i) {
    header += std::to_string(array.shape[i]);
    if (array.shape.size() == 1 || i + 1 < array.shape.size())
      header += ",";
    if (i + 1 < array.shape.size())
      header += " ";
  }
  header += "), }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) {
    error = "header too long";
    return false;
  }
  std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) {
      error = "cannot create file";
      return false;
    }
    file.write("\x93NUMPY\x01\x00", 8);
    char len[2] = {(char)(header.size() & 0xff), (char)(header.size() >> 8)};
    file.write(len, 2);
    file.write(header.data(), header.size());
    file.write(array.data.data(), array.data.size());
    if (!file) {
      error = "write failed";
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot rename temporary file into place";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

} // namespace llmo
