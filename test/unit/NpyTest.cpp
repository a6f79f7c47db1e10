//===- NpyTest.cpp - .npy reader/writer tests -----------------------------===//

#include "llmo/Support/Npy.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace llmo;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "/llmo_npy_" + std::to_string(getpid()) + "_" +
         name;
}

std::string header(const std::string &dict) {
  std::string h = dict;
  size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += (char)(h.size() & 0xff);
  out += (char)(h.size() >> 8);
  return out + h;
}

TEST(Npy, RoundTripFloat) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = {2, 3};
  float values[6] = {1, -2, 3.5f, 0, 1e-7f, -1e30f};
  a.data.assign((char *)values, (char *)values + sizeof(values));
  std::string path = tempPath("f4.npy"), error;
  ASSERT_TRUE(writeNpy(path, a, error)) << error;
  NpyArray b;
  ASSERT_TRUE(readNpy(path, b, error)) << error;
  EXPECT_EQ(b.dtype, "f4");
  EXPECT_EQ(b.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(b.data, a.data);
  std::remove(path.c_str());
}

TEST(Npy, RoundTripScalarAndOneDim) {
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, std::vector<int64_t>{5},
        std::vector<int64_t>{0, 4}}) {
    NpyArray a;
    a.dtype = "i8";
    a.shape = shape;
    a.data.assign(a.numElements() * 8, '\x01');
    std::string path = tempPath("i8.npy"), error;
    ASSERT_TRUE(writeNpy(path, a, error)) << error;
    NpyArray b;
    ASSERT_TRUE(readNpy(path, b, error)) << error;
    EXPECT_EQ(b.shape, shape);
    EXPECT_EQ(b.data, a.data);
    std::remove(path.c_str());
  }
}

TEST(Npy, ParsesNumpyHeaderVariants) {
  std::string bytes =
      header("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }") +
      std::string("\x01\x02\x03", 3);
  NpyArray a;
  std::string error;
  ASSERT_TRUE(parseNpy(bytes.data(), bytes.size(), a, error)) << error;
  EXPECT_EQ(a.dtype, "u1");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
}

struct BadCase {
  const char *name;
  std::string bytes;
  const char *expected;
};

TEST(Npy, RejectsMalformedInput) {
  std::vector<BadCase> cases = {
      {"empty", "", "bad magic"},
      {"magic", "NOTNUMPY0123456789", "bad magic"},
      {"version", std::string("\x93NUMPY\x07\x00\x00\x00", 10),
       "unsupported .npy version"},
      {"truncated header", std::string("\x93NUMPY\x01\x00\xff\x00{", 11),
       "truncated header"},
      {"fortran",
       header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }") +
           std::string(4, '\0'),
       "Fortran-order"},
      {"dtype",
       header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }") +
           std::string(8, '\0'),
       "unsupported dtype"},
      {"big endian",
       header("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }") +
           std::string(4, '\0'),
       "big-endian"},
      {"short data",
       header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }") +
           std::string(12, '\0'),
       "does not match"},
      {"bad shape",
       header("{'descr': '<f4', 'fortran_order': False, 'shape': (a,), }"),
       "malformed 'shape'"},
      {"huge shape",
       header("{'descr': '<f4', 'fortran_order': False, 'shape': "
              "(99999999999999999999,), }"),
       "too large"},
  };
  for (const BadCase &c : cases) {
    NpyArray a;
    std::string error;
    EXPECT_FALSE(parseNpy(c.bytes.data(), c.bytes.size(), a, error)) << c.name;
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << c.name << ": " << error;
  }
}

TEST(Npy, MissingFile) {
  NpyArray a;
  std::string error;
  EXPECT_FALSE(readNpy(tempPath("does-not-exist.npy"), a, error));
  EXPECT_EQ(error, "cannot open file");
}

TEST(Npy, WriteFailureLeavesNoFile) {
  NpyArray a;
  a.dtype = "f4";
  a.shape = {1};
  a.data.assign(4, '\0');
  std::string error;
  std::string path = "/nonexistent-dir/out.npy";
  EXPECT_FALSE(writeNpy(path, a, error));
  EXPECT_EQ(error, "cannot create file");
  std::ifstream file(path);
  EXPECT_FALSE(file.good());
}

} // namespace
