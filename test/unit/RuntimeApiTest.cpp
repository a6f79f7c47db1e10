//===- RuntimeApiTest.cpp - The C API of include/llmo/runtime.h -----------===//
//
// Error paths use artifacts written by hand (ArtifactFormat.h) and need no
// compiler. The success paths and the concurrency test compile
// test/e2e/models/mlp.onnx (input x: f32 [2, 16], output y: f32 [2, 8]) once
// with the llmo-compile built next to this test (LLMO_COMPILE_PATH).
//
//===----------------------------------------------------------------------===//

#include "llmo/Runtime/ArtifactFormat.h"
#include "llmo/Runtime/KernelAbi.h"
#include "llmo/runtime.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CRC.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef LLMO_COMPILE_PATH
#error "LLMO_COMPILE_PATH must name the llmo-compile executable"
#endif
#ifndef LLMO_TEST_MODELS_DIR
#error "LLMO_TEST_MODELS_DIR must name test/e2e/models"
#endif

namespace {

/// Owns a status and exposes its code and message.
class Status {
public:
  Status(llmo_status *status) : status(status) {}
  ~Status() { llmo_status_release(status); }
  Status(const Status &) = delete;
  Status &operator=(const Status &) = delete;
  llmo_status_code code() const { return llmo_status_code_of(status); }
  std::string message() const { return llmo_status_message(status); }
  bool ok() const { return status == nullptr; }

private:
  llmo_status *status;
};

std::string makeTempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base && *base ? base : "/tmp") + "/llmo-runtime-test-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data()))
    return "";
  return buffer.data();
}

void removeTree(const std::string &dir) {
  if (dir.empty())
    return;
  std::string command = "rm -rf '" + dir + "'";
  if (std::system(command.c_str()) != 0)
    std::fprintf(stderr, "cannot remove %s\n", dir.c_str());
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), (std::streamsize)bytes.size());
}

const char *const kValidManifest =
    R"({"arena_bytes":64,"format":"llmo-artifact","format_version":1,)"
    R"("inputs":[{"dtype":"f32","io":0,"name":"x","shape":[2,16]}],)"
    R"("kernel_abi":1,)"
    R"("outputs":[{"dtype":"f32","io":1,"name":"y","shape":[2,8]}],)"
    R"("target":{"kind":"cpu"}})";

uint32_t crcOf(const void *data, size_t size) {
  return llvm::crc32(llvm::ArrayRef<uint8_t>((const uint8_t *)data, size));
}

/// A hand-made artifact: header, manifest, a code section and a weights
/// section laid out as ArtifactFormat.h describes, with valid checksums.
struct ArtifactBuilder {
  std::string manifest = kValidManifest;
  std::string code = "this is not an ELF shared object";
  std::string weights = std::string(64, '\0');
  LlmoArtifactHeader header{};

  ArtifactBuilder() {
    std::memcpy(header.magic, LLMO_ARTIFACT_MAGIC, 8);
    header.formatVersion = kLlmoArtifactFormatVersion;
    header.kernelAbiVersion = kLlmoKernelAbiVersion;
  }

  /// Lays the sections out (each 4096-aligned) and returns the file.
  std::string build() {
    auto align = [](uint64_t v) {
      return (v + kLlmoArtifactSectionAlign - 1) / kLlmoArtifactSectionAlign *
             kLlmoArtifactSectionAlign;
    };
    header.manifestOffset = sizeof(LlmoArtifactHeader);
    header.manifestSize = manifest.size();
    header.codeOffset = align(header.manifestOffset + manifest.size());
    header.codeSize = code.size();
    header.weightsOffset = align(header.codeOffset + code.size());
    header.weightsSize = weights.size();
    header.manifestCrc32 = crcOf(manifest.data(), manifest.size());
    header.codeCrc32 = crcOf(code.data(), code.size());
    std::string file(sizeof(header), '\0');
    reseal(file);
    file += manifest;
    file.resize(header.codeOffset, '\0');
    file += code;
    file.resize(header.weightsOffset, '\0');
    file += weights;
    return file;
  }

  /// Writes `header` (its checksum recomputed) over the file's header.
  void reseal(std::string &file) {
    header.headerCrc32 = crcOf(&header, kLlmoArtifactHeaderCrcBytes);
    std::memcpy(&file[0], &header, sizeof(header));
  }
};

class RuntimeApiTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    tempDir = new std::string(makeTempDir());
    artifact = new std::string();
    compileLog = new std::string();
    if (tempDir->empty()) {
      *compileLog = "cannot create a temporary directory";
      return;
    }
    std::string out = *tempDir + "/mlp.llmo", log = *tempDir + "/compile.log";
    std::string command =
        std::string("'") + LLMO_COMPILE_PATH + "' '" + LLMO_TEST_MODELS_DIR +
        "/mlp.onnx' --input-shape x=2x16 -o '" + out + "' > '" + log + "' 2>&1";
    int rc = std::system(command.c_str());
    std::ifstream logFile(log);
    compileLog->assign(std::istreambuf_iterator<char>(logFile),
                       std::istreambuf_iterator<char>());
    if (rc == 0)
      *artifact = out;
    else
      *compileLog = "`" + command + "` failed (" + std::to_string(rc) + "):\n" +
                    *compileLog;
  }

  static void TearDownTestSuite() {
    removeTree(*tempDir);
    delete tempDir;
    delete artifact;
    delete compileLog;
    tempDir = artifact = compileLog = nullptr;
  }

  /// Opens the compiled MLP (fails the test when it is not available).
  llmo_model *openMlp() {
    if (artifact->empty()) {
      ADD_FAILURE() << "the test model was not compiled: " << *compileLog;
      return nullptr;
    }
    llmo_model *model = nullptr;
    Status status(llmo_model_open(artifact->c_str(), &model));
    EXPECT_TRUE(status.ok()) << status.message();
    return model;
  }

  /// Writes `bytes` to a fresh file and opens it; returns the status.
  llmo_status *openBytes(const std::string &name, const std::string &bytes) {
    std::string path = *tempDir + "/" + name;
    writeFile(path, bytes);
    llmo_model *model = reinterpret_cast<llmo_model *>(0x1);
    llmo_status *status = llmo_model_open(path.c_str(), &model);
    // On failure the out-parameter is cleared; release is safe either way.
    EXPECT_EQ(model == nullptr, status != nullptr) << name;
    if (!status)
      llmo_model_release(model);
    return status;
  }

  static std::string *tempDir, *artifact, *compileLog;
};

std::string *RuntimeApiTest::tempDir = nullptr;
std::string *RuntimeApiTest::artifact = nullptr;
std::string *RuntimeApiTest::compileLog = nullptr;

const int64_t kInputDims[] = {2, 16};
constexpr size_t kInputCount = 32, kOutputCount = 16;

std::vector<float> inputFor(int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> x(kInputCount);
  for (float &v : x)
    v = dist(rng);
  return x;
}

/// set_input + run + get_output; empty on failure (reported).
std::vector<float> runOnce(llmo_session *session, const std::vector<float> &x,
                           std::string *error = nullptr) {
  auto fail = [&](llmo_status *status, const char *what) {
    std::string message =
        std::string(what) + ": " + llmo_status_message(status);
    llmo_status_release(status);
    if (error)
      *error = message;
    else
      ADD_FAILURE() << message;
    return std::vector<float>();
  };
  if (llmo_status *s =
          llmo_session_set_input(session, "x", LLMO_DTYPE_F32, kInputDims, 2,
                                 x.data(), x.size() * sizeof(float)))
    return fail(s, "set_input");
  if (llmo_status *s = llmo_session_run(session))
    return fail(s, "run");
  const void *data = nullptr;
  if (llmo_status *s = llmo_session_get_output(session, "y", &data, nullptr))
    return fail(s, "get_output");
  const float *y = static_cast<const float *>(data);
  return std::vector<float>(y, y + kOutputCount);
}

bool bitEqual(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

//===----------------------------------------------------------------------===//
// Status, dtype and version helpers
//===----------------------------------------------------------------------===//

TEST_F(RuntimeApiTest, StatusHelpers) {
  EXPECT_EQ(llmo_status_code_of(nullptr), LLMO_OK);
  EXPECT_STREQ(llmo_status_message(nullptr), "");
  llmo_status_release(nullptr);
  const char *version = llmo_runtime_version();
  ASSERT_NE(version, nullptr);
  EXPECT_GT(std::strlen(version), 0u);
}

TEST_F(RuntimeApiTest, DTypeSizeAndName) {
  struct Case {
    llmo_dtype dtype;
    size_t size;
    const char *name;
  };
  for (Case c :
       {Case{LLMO_DTYPE_F32, 4, "f32"}, Case{LLMO_DTYPE_I64, 8, "i64"},
        Case{LLMO_DTYPE_I32, 4, "i32"}, Case{LLMO_DTYPE_BOOL, 1, "bool"},
        Case{LLMO_DTYPE_I8, 1, "i8"}, Case{LLMO_DTYPE_U8, 1, "u8"}}) {
    EXPECT_EQ(llmo_dtype_size(c.dtype), c.size) << c.name;
    EXPECT_STREQ(llmo_dtype_name(c.dtype), c.name);
  }
  // An out-of-range value: size 0 and a placeholder name, no crash.
  EXPECT_EQ(llmo_dtype_size((llmo_dtype)42), 0u);
  ASSERT_NE(llmo_dtype_name((llmo_dtype)42), nullptr);
}

//===----------------------------------------------------------------------===//
// Opening invalid artifacts
//===----------------------------------------------------------------------===//

TEST_F(RuntimeApiTest, OpenMissingFile) {
  llmo_model *model = reinterpret_cast<llmo_model *>(0x1);
  std::string path = *tempDir + "/does-not-exist.llmo";
  Status status(llmo_model_open(path.c_str(), &model));
  EXPECT_EQ(status.code(), LLMO_ERROR_IO);
  EXPECT_NE(status.message().find("does-not-exist.llmo"), std::string::npos)
      << status.message();
  EXPECT_EQ(model, nullptr);
}

TEST_F(RuntimeApiTest, OpenDirectory) {
  llmo_model *model = nullptr;
  Status status(llmo_model_open(tempDir->c_str(), &model));
  EXPECT_EQ(status.code(), LLMO_ERROR_IO) << status.message();
  EXPECT_EQ(model, nullptr);
}

TEST_F(RuntimeApiTest, OpenEmptyAndShortFiles) {
  for (size_t size : {0, 1, 10, 63}) {
    Status status(
        openBytes("short" + std::to_string(size), std::string(size, 'L')));
    EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT) << size;
    EXPECT_NE(status.message().find("not an llmo artifact"), std::string::npos)
        << status.message();
  }
  // A valid header alone (64 bytes, all sections empty) is short of a
  // manifest: the empty manifest is not JSON.
  ArtifactBuilder builder;
  builder.manifest.clear();
  builder.code.clear();
  builder.weights.clear();
  Status status(openBytes("header-only", builder.build()));
  EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT) << status.message();
}

TEST_F(RuntimeApiTest, OpenBadMagic) {
  ArtifactBuilder builder;
  std::memcpy(builder.header.magic, "ONNXART\0", 8);
  Status status(openBytes("bad-magic", builder.build()));
  EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT);
  EXPECT_NE(status.message().find("magic"), std::string::npos)
      << status.message();
}

TEST_F(RuntimeApiTest, OpenWrongFormatVersion) {
  ArtifactBuilder builder;
  builder.header.formatVersion = kLlmoArtifactFormatVersion + 1;
  Status status(openBytes("format-version", builder.build()));
  EXPECT_EQ(status.code(), LLMO_ERROR_UNSUPPORTED);
  EXPECT_NE(status.message().find("format version"), std::string::npos)
      << status.message();
}

TEST_F(RuntimeApiTest, OpenWrongKernelAbiVersion) {
  ArtifactBuilder builder;
  builder.header.kernelAbiVersion = kLlmoKernelAbiVersion + 7;
  Status status(openBytes("abi-version", builder.build()));
  EXPECT_EQ(status.code(), LLMO_ERROR_UNSUPPORTED);
  EXPECT_NE(status.message().find("kernel ABI"), std::string::npos)
      << status.message();
}

TEST_F(RuntimeApiTest, OpenTruncatedSections) {
  // Every section in turn ends past the end of the file, including offsets
  // that overflow offset + size.
  for (int section = 0; section < 3; ++section)
    for (int variant = 0; variant < 3; ++variant) {
      ArtifactBuilder builder;
      std::string file = builder.build();
      uint64_t *offset = section == 0   ? &builder.header.manifestOffset
                         : section == 1 ? &builder.header.codeOffset
                                        : &builder.header.weightsOffset;
      uint64_t *size = offset + 1;
      if (variant == 0)
        *size = file.size(); // ends past the end
      else if (variant == 1)
        *offset = file.size() + 1; // starts past the end
      else
        *size = ~0ull - *offset + 16; // offset + size overflows
      builder.reseal(file);
      Status status(openBytes("truncated", file));
      EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT)
          << "section " << section << " variant " << variant;
      EXPECT_NE(status.message().find("truncated"), std::string::npos)
          << status.message();
    }
  // A file cut short after the header was written for a longer one.
  ArtifactBuilder builder;
  std::string file = builder.build();
  file.resize(file.size() - 10);
  Status status(openBytes("cut", file));
  EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT);
  EXPECT_NE(status.message().find("truncated"), std::string::npos)
      << status.message();
}

/// One flipped bit anywhere in the header, the manifest or the code section
/// is refused by its checksum before anything is parsed or loaded (a
/// corrupted code section would otherwise run).
TEST_F(RuntimeApiTest, OpenChecksumMismatch) {
  ArtifactBuilder builder;
  const std::string file = builder.build();
  struct Case {
    uint64_t offset;
    const char *what;
  };
  std::vector<Case> cases;
  for (uint64_t at : {8ull, 16ull, 40ull, 56ull, 64ull, 68ull, 71ull})
    cases.push_back({at, "header"}); // version .. the two section checksums
  for (uint64_t at = 0; at < builder.header.manifestSize; at += 37)
    cases.push_back({builder.header.manifestOffset + at, "manifest"});
  for (uint64_t at = 0; at < builder.header.codeSize; at += 5)
    cases.push_back({builder.header.codeOffset + at, "code section"});
  for (const Case &c : cases) {
    std::string corrupt = file;
    corrupt[c.offset] ^= 0x10;
    Status status(openBytes("flipped", corrupt));
    EXPECT_EQ(status.code(),
              c.offset == 8 ? LLMO_ERROR_UNSUPPORTED : LLMO_ERROR_FORMAT)
        << "byte " << c.offset;
    // Byte 8 is the format version, checked (and named) first.
    std::string expected =
        c.offset == 8 ? "format version" : std::string("the ") + c.what;
    EXPECT_NE(status.message().find(expected), std::string::npos)
        << "byte " << c.offset << ": " << status.message();
  }
  // The weights are not checked: a flipped weight byte opens.
  std::string weightFlip = file;
  weightFlip[builder.header.weightsOffset] ^= 0x10;
  Status status(openBytes("weights", weightFlip));
  EXPECT_EQ(status.message().find("checksum"), std::string::npos)
      << status.message();
}

/// A manifest edited consistently (valid JSON, checksums recomputed) but
/// disagreeing with the code it describes: the arena, a tensor's size or
/// the io slots. The code indexes buffers the manifest sizes, so each is
/// refused at open (llmo_layout), not found out by an overflow at run time.
TEST_F(RuntimeApiTest, OpenManifestDisagreesWithCode) {
  if (artifact->empty())
    GTEST_SKIP() << "the test model was not compiled: " << *compileLog;
  std::ifstream in(*artifact, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  LlmoArtifactHeader header;
  std::memcpy(&header, file.data(), sizeof(header));
  std::string manifest =
      file.substr(header.manifestOffset, header.manifestSize);
  // Same-length edits keep every offset valid.
  struct Edit {
    const char *from, *to, *expected;
  };
  for (const Edit &edit :
       {Edit{"\"shape\":[2,8]", "\"shape\":[2,4]", "'y' has 32 bytes"},
        Edit{"\"shape\":[2,16]", "\"shape\":[4,16]", "'x' has 256 bytes"},
        Edit{"\"io\":1", "\"io\":0", "two manifest entries use io slot 0"},
        Edit{"\"arena_bytes\":", "\"arena_bytes\":9", "arena_bytes"}}) {
    std::string edited = manifest;
    size_t at = edited.find(edit.from);
    ASSERT_NE(at, std::string::npos) << edit.from << " in " << manifest;
    edited.replace(at, std::strlen(edit.from), edit.to);
    std::string corrupt = file;
    LlmoArtifactHeader h = header;
    if (edited.size() != manifest.size()) {
      // arena_bytes grew by a digit: the manifest ends before the code's
      // page, so it can grow in place.
      ASSERT_LT(h.manifestOffset + edited.size(), h.codeOffset);
      h.manifestSize = edited.size();
    }
    corrupt.replace(h.manifestOffset, edited.size(), edited);
    h.manifestCrc32 = crcOf(edited.data(), edited.size());
    h.headerCrc32 = crcOf(&h, kLlmoArtifactHeaderCrcBytes);
    std::memcpy(&corrupt[0], &h, sizeof(h));
    Status status(openBytes("disagrees", corrupt));
    EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT) << edit.to;
    EXPECT_NE(status.message().find(edit.expected), std::string::npos)
        << edit.to << ": " << status.message();
  }
}

TEST_F(RuntimeApiTest, OpenCorruptManifest) {
  for (const char *manifest :
       {"{", "not json", "[1, 2, 3]", "{\"inputs\": [}", "\"string\"",
        "{\"arena_bytes\": 64, \"inputs\": [], \"outputs\": []"}) {
    ArtifactBuilder builder;
    builder.manifest = manifest;
    Status status(openBytes("corrupt", builder.build()));
    EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT) << manifest;
    EXPECT_NE(status.message().find("corrupt manifest"), std::string::npos)
        << manifest << ": " << status.message();
  }
}

TEST_F(RuntimeApiTest, OpenManifestMissingOrMalformedEntries) {
  struct Case {
    std::string manifest, expect;
  };
  const Case cases[] = {
      {R"({"arena_bytes":64,"outputs":[]})", "'inputs'"},
      {R"({"arena_bytes":64,"inputs":{},"outputs":[]})", "'inputs'"},
      {R"({"arena_bytes":64,"inputs":[]})", "'outputs'"},
      {R"({"arena_bytes":64,"inputs":[{"name":"x"}],"outputs":[]})",
       "malformed"},
      {R"({"arena_bytes":64,"inputs":[{"name":"x","dtype":"f16","io":0,)"
       R"("shape":[2]}],"outputs":[]})",
       "malformed"},
      {R"({"arena_bytes":64,"inputs":[{"name":"x","dtype":"f32","io":0,)"
       R"("shape":[-2]}],"outputs":[]})",
       "bad dim"},
      {R"({"arena_bytes":64,"inputs":[{"name":"x","dtype":"f32","io":5,)"
       R"("shape":[2]}],"outputs":[]})",
       "io slot"},
      {R"({"inputs":[],"outputs":[]})", "arena_bytes"},
  };
  for (const Case &c : cases) {
    ArtifactBuilder builder;
    builder.manifest = c.manifest;
    Status status(openBytes("manifest", builder.build()));
    EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT) << c.manifest;
    EXPECT_NE(status.message().find(c.expect), std::string::npos)
        << c.manifest << ": " << status.message();
  }
}

TEST_F(RuntimeApiTest, OpenOtherTarget) {
  ArtifactBuilder builder;
  builder.manifest =
      R"({"arena_bytes":0,"inputs":[],"outputs":[],"target":{"kind":"cuda"}})";
  Status status(openBytes("target", builder.build()));
  EXPECT_EQ(status.code(), LLMO_ERROR_UNSUPPORTED);
  EXPECT_NE(status.message().find("cuda"), std::string::npos)
      << status.message();
}

// An artifact compiled for CPU features this machine lacks is refused at
// open (rather than dying on an illegal instruction when run); so is one
// naming a feature the runtime cannot check, or a malformed list.
TEST_F(RuntimeApiTest, OpenRequiresCpuFeatures) {
  struct Case {
    std::string required, expect;
    llmo_status_code code;
  };
  const Case cases[] = {
      {R"(["avx2","no-such-feature"])",
       "'no-such-feature', which this runtime "
       "cannot check",
       LLMO_ERROR_UNSUPPORTED},
      {R"("avx2")", "target.requires is not an array", LLMO_ERROR_FORMAT},
      {R"([2])", "non-string", LLMO_ERROR_FORMAT},
  };
  for (const Case &c : cases) {
    ArtifactBuilder builder;
    builder.manifest = R"({"arena_bytes":0,"inputs":[],"outputs":[],)"
                       R"("target":{"kind":"cpu","cpu":"future","requires":)" +
                       c.required + "}}";
    Status status(openBytes("requires", builder.build()));
    EXPECT_EQ(status.code(), c.code) << c.required;
    EXPECT_NE(status.message().find(c.expect), std::string::npos)
        << c.required << ": " << status.message();
  }
  // A feature this CPU lacks (where it lacks AVX-512).
  if (!__builtin_cpu_supports("avx512f")) {
    ArtifactBuilder builder;
    builder.manifest =
        R"({"arena_bytes":0,"inputs":[],"outputs":[],"target":{"kind":"cpu",)"
        R"("cpu":"skylake-avx512","requires":["avx2","avx512f"]}})";
    Status status(openBytes("requires", builder.build()));
    EXPECT_EQ(status.code(), LLMO_ERROR_UNSUPPORTED);
    EXPECT_NE(status.message().find("compiled for cpu 'skylake-avx512', "
                                    "whose feature 'avx512f' this CPU lacks"),
              std::string::npos)
        << status.message();
  }
  // Every feature present: the open goes past the check (to the code
  // section, which is not an ELF object here).
  ArtifactBuilder builder;
  builder.manifest = R"({"arena_bytes":0,"inputs":[],"outputs":[],)"
                     R"("target":{"kind":"cpu","requires":["avx2","fma"]}})";
  Status status(openBytes("requires", builder.build()));
  EXPECT_NE(status.message().find("cannot load the code section"),
            std::string::npos)
      << status.message();
}

TEST_F(RuntimeApiTest, OpenCodeSectionNotElf) {
  for (const std::string &code :
       {std::string("this is not an ELF shared object"), std::string(),
        std::string("\x7f"
                    "ELF garbage after a valid magic")}) {
    ArtifactBuilder builder;
    builder.code = code;
    Status status(openBytes("not-elf", builder.build()));
    EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT);
    EXPECT_NE(status.message().find("cannot load the code section"),
              std::string::npos)
        << status.message();
  }
}

/// A real code section cut short (with the checksums recomputed, as a
/// deliberate edit would): refused by its ELF outline, where dlopen would
/// fault mapping segments past the end.
TEST_F(RuntimeApiTest, OpenCodeSectionCutShort) {
  if (artifact->empty())
    GTEST_SKIP() << "the test model was not compiled: " << *compileLog;
  std::ifstream in(*artifact, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  LlmoArtifactHeader header;
  std::memcpy(&header, file.data(), sizeof(header));
  for (uint64_t cut : {header.codeSize / 2, (uint64_t)100}) {
    LlmoArtifactHeader h = header;
    h.codeSize = cut;
    h.codeCrc32 = crcOf(file.data() + h.codeOffset, cut);
    h.headerCrc32 = crcOf(&h, kLlmoArtifactHeaderCrcBytes);
    std::string corrupt = file;
    std::memcpy(&corrupt[0], &h, sizeof(h));
    Status status(openBytes("cut-code", corrupt));
    EXPECT_EQ(status.code(), LLMO_ERROR_FORMAT) << cut;
    EXPECT_NE(status.message().find("outside the section"), std::string::npos)
        << cut << ": " << status.message();
  }
}

//===----------------------------------------------------------------------===//
// Null arguments
//===----------------------------------------------------------------------===//

TEST_F(RuntimeApiTest, NullArgumentsAreRejected) {
  auto expectInvalid = [](llmo_status *raw, const char *what) {
    Status status(raw);
    EXPECT_EQ(status.code(), LLMO_ERROR_INVALID_ARGUMENT) << what;
    EXPECT_FALSE(status.message().empty()) << what;
  };
  llmo_model *model = nullptr;
  expectInvalid(llmo_model_open(nullptr, &model), "open(null path)");
  expectInvalid(llmo_model_open("x.llmo", nullptr), "open(null out)");
  llmo_model_release(nullptr);
  EXPECT_EQ(llmo_model_num_inputs(nullptr), 0u);
  EXPECT_EQ(llmo_model_num_outputs(nullptr), 0u);
  llmo_tensor_info info;
  expectInvalid(llmo_model_input_info(nullptr, 0, &info), "input_info(null)");
  expectInvalid(llmo_model_output_info(nullptr, 0, &info), "output_info(null)");
  ASSERT_NE(llmo_model_manifest(nullptr), nullptr);
  EXPECT_STREQ(llmo_model_manifest(nullptr), "");
  EXPECT_EQ(llmo_model_arena_bytes(nullptr), 0u);
  llmo_session *session = nullptr;
  expectInvalid(llmo_session_create(nullptr, nullptr, &session),
                "session_create(null model)");
  EXPECT_EQ(session, nullptr);
  llmo_session_release(nullptr);
  float x[kInputCount] = {};
  expectInvalid(llmo_session_set_input(nullptr, "x", LLMO_DTYPE_F32, kInputDims,
                                       2, x, sizeof(x)),
                "set_input(null session)");
  expectInvalid(llmo_session_run(nullptr), "run(null)");
  const void *data = nullptr;
  expectInvalid(llmo_session_get_output(nullptr, "y", &data, nullptr),
                "get_output(null session)");

  // With a real model and session: every other pointer argument.
  model = openMlp();
  if (!model)
    return;
  expectInvalid(llmo_model_input_info(model, 0, nullptr),
                "input_info(null out)");
  expectInvalid(llmo_model_output_info(model, 0, nullptr),
                "output_info(null out)");
  expectInvalid(llmo_model_input_info(model, 1, &info),
                "input_info(out of range)");
  expectInvalid(llmo_model_output_info(model, 99, &info),
                "output_info(out of range)");
  expectInvalid(llmo_session_create(model, nullptr, nullptr),
                "session_create(null out)");
  llmo_session_options bad = {-1};
  expectInvalid(llmo_session_create(model, &bad, &session),
                "session_create(num_threads -1)");
  EXPECT_EQ(session, nullptr);
  llmo_session_options one = {1};
  Status created(llmo_session_create(model, &one, &session));
  ASSERT_TRUE(created.ok()) << created.message();
  expectInvalid(llmo_session_set_input(session, nullptr, LLMO_DTYPE_F32,
                                       kInputDims, 2, x, sizeof(x)),
                "set_input(null name)");
  expectInvalid(llmo_session_set_input(session, "x", LLMO_DTYPE_F32, nullptr, 2,
                                       x, sizeof(x)),
                "set_input(null dims)");
  expectInvalid(llmo_session_set_input(session, "x", LLMO_DTYPE_F32, kInputDims,
                                       2, nullptr, sizeof(x)),
                "set_input(null data)");
  expectInvalid(llmo_session_get_output(session, nullptr, &data, nullptr),
                "get_output(null name)");
  expectInvalid(llmo_session_get_output(session, "y", nullptr, nullptr),
                "get_output(null out)");
  llmo_session_release(session);
  llmo_model_release(model);
}

//===----------------------------------------------------------------------===//
// A compiled model
//===----------------------------------------------------------------------===//

TEST_F(RuntimeApiTest, ModelInfoAndManifest) {
  llmo_model *model = openMlp();
  if (!model)
    return;
  ASSERT_EQ(llmo_model_num_inputs(model), 1u);
  ASSERT_EQ(llmo_model_num_outputs(model), 1u);
  llmo_tensor_info info;
  {
    Status status(llmo_model_input_info(model, 0, &info));
    ASSERT_TRUE(status.ok()) << status.message();
  }
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, LLMO_DTYPE_F32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.dims[0], 2);
  EXPECT_EQ(info.dims[1], 16);
  {
    Status status(llmo_model_output_info(model, 0, &info));
    ASSERT_TRUE(status.ok()) << status.message();
  }
  EXPECT_STREQ(info.name, "y");
  EXPECT_EQ(info.dtype, LLMO_DTYPE_F32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.dims[0], 2);
  EXPECT_EQ(info.dims[1], 8);
  std::string manifest = llmo_model_manifest(model);
  EXPECT_NE(manifest.find("\"inputs\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"outputs\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"arena_bytes\""), std::string::npos) << manifest;
  EXPECT_NE(
      manifest.find("\"kernel_abi\":" + std::to_string(kLlmoKernelAbiVersion)),
      std::string::npos)
      << manifest;
  EXPECT_GT(llmo_model_arena_bytes(model), 0u);
  llmo_model_release(model);
}

TEST_F(RuntimeApiTest, SessionErrorsThenRun) {
  llmo_model *model = openMlp();
  if (!model)
    return;
  llmo_session *session = nullptr;
  {
    // Default options (NULL): as many threads as CPUs.
    Status status(llmo_session_create(model, nullptr, &session));
    ASSERT_TRUE(status.ok()) << status.message();
  }
  ASSERT_NE(session, nullptr);
  const void *data = nullptr;
  {
    Status status(llmo_session_get_output(session, "y", &data, nullptr));
    EXPECT_EQ(status.code(), LLMO_ERROR_FAILED_PRECONDITION)
        << status.message();
  }
  {
    Status status(llmo_session_run(session));
    EXPECT_EQ(status.code(), LLMO_ERROR_FAILED_PRECONDITION);
    EXPECT_NE(status.message().find("'x'"), std::string::npos)
        << status.message();
  }
  std::vector<float> x = inputFor(1);
  size_t bytes = x.size() * sizeof(float);
  {
    Status status(llmo_session_set_input(session, "nope", LLMO_DTYPE_F32,
                                         kInputDims, 2, x.data(), bytes));
    EXPECT_EQ(status.code(), LLMO_ERROR_INVALID_ARGUMENT);
    // The message lists the model's inputs.
    EXPECT_NE(status.message().find("'nope'"), std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find("'x'"), std::string::npos)
        << status.message();
  }
  {
    Status status(llmo_session_set_input(session, "x", LLMO_DTYPE_I32,
                                         kInputDims, 2, x.data(), bytes));
    EXPECT_EQ(status.code(), LLMO_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(status.message().find("dtype"), std::string::npos)
        << status.message();
  }
  {
    const int64_t flat[] = {32};
    Status status(llmo_session_set_input(session, "x", LLMO_DTYPE_F32, flat, 1,
                                         x.data(), bytes));
    EXPECT_EQ(status.code(), LLMO_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(status.message().find("shape"), std::string::npos)
        << status.message();
  }
  {
    const int64_t swapped[] = {16, 2};
    Status status(llmo_session_set_input(session, "x", LLMO_DTYPE_F32, swapped,
                                         2, x.data(), bytes));
    EXPECT_EQ(status.code(), LLMO_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(status.message().find("[2x16]"), std::string::npos)
        << status.message();
  }
  {
    Status status(llmo_session_set_input(session, "x", LLMO_DTYPE_F32,
                                         kInputDims, 2, x.data(), bytes - 4));
    EXPECT_EQ(status.code(), LLMO_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(status.message().find("bytes"), std::string::npos)
        << status.message();
  }
  {
    // None of the failed calls marked the input as set.
    Status status(llmo_session_run(session));
    EXPECT_EQ(status.code(), LLMO_ERROR_FAILED_PRECONDITION)
        << status.message();
  }
  {
    Status status(llmo_session_set_input(session, "x", LLMO_DTYPE_F32,
                                         kInputDims, 2, x.data(), bytes));
    ASSERT_TRUE(status.ok()) << status.message();
  }
  {
    Status status(llmo_session_run(session));
    ASSERT_TRUE(status.ok()) << status.message();
  }
  {
    Status status(llmo_session_get_output(session, "x", &data, nullptr));
    EXPECT_EQ(status.code(), LLMO_ERROR_INVALID_ARGUMENT) << "an input name";
  }
  llmo_tensor_info info;
  {
    Status status(llmo_session_get_output(session, "y", &data, &info));
    ASSERT_TRUE(status.ok()) << status.message();
  }
  ASSERT_NE(data, nullptr);
  EXPECT_STREQ(info.name, "y");
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.dims[0], 2);
  EXPECT_EQ(info.dims[1], 8);
  const float *y = static_cast<const float *>(data);
  bool anyNonZero = false;
  for (size_t i = 0; i < kOutputCount; ++i) {
    EXPECT_TRUE(std::isfinite(y[i])) << i;
    anyNonZero |= y[i] != 0.0f;
  }
  EXPECT_TRUE(anyNonZero);
  llmo_session_release(session);
  llmo_model_release(model);
}

TEST_F(RuntimeApiTest, RunTwiceGivesIdenticalOutputs) {
  llmo_model *model = openMlp();
  if (!model)
    return;
  llmo_session_options options = {2};
  llmo_session *session = nullptr;
  Status created(llmo_session_create(model, &options, &session));
  ASSERT_TRUE(created.ok()) << created.message();
  std::vector<float> a = inputFor(11), b = inputFor(12);
  std::vector<float> first = runOnce(session, a);
  ASSERT_EQ(first.size(), kOutputCount);
  // The same inputs again (without setting them again) ...
  {
    Status status(llmo_session_run(session));
    ASSERT_TRUE(status.ok()) << status.message();
    const void *data = nullptr;
    Status got(llmo_session_get_output(session, "y", &data, nullptr));
    ASSERT_TRUE(got.ok()) << got.message();
    const float *y = static_cast<const float *>(data);
    EXPECT_TRUE(bitEqual(first, std::vector<float>(y, y + kOutputCount)));
  }
  // ... and after a run on different inputs.
  std::vector<float> other = runOnce(session, b);
  EXPECT_FALSE(bitEqual(first, other));
  EXPECT_TRUE(bitEqual(first, runOnce(session, a)));
  // A second session on the same model agrees.
  llmo_session *second = nullptr;
  Status created2(llmo_session_create(model, &options, &second));
  ASSERT_TRUE(created2.ok()) << created2.message();
  EXPECT_TRUE(bitEqual(first, runOnce(second, a)));
  llmo_session_release(second);
  llmo_session_release(session);
  llmo_model_release(model);
}

TEST_F(RuntimeApiTest, ConcurrentSessionsMatchSingleThreadedReference) {
  llmo_model *model = openMlp();
  if (!model)
    return;
  constexpr int kThreads = 4, kRuns = 50;
  // References: one single-threaded session, run sequentially.
  std::vector<std::vector<float>> inputs, expected;
  {
    llmo_session_options one = {1};
    llmo_session *reference = nullptr;
    Status created(llmo_session_create(model, &one, &reference));
    ASSERT_TRUE(created.ok()) << created.message();
    for (int i = 0; i < kThreads * kRuns; ++i) {
      inputs.push_back(inputFor(1000 + i));
      expected.push_back(runOnce(reference, inputs.back()));
      ASSERT_EQ(expected.back().size(), kOutputCount);
    }
    llmo_session_release(reference);
  }
  std::vector<std::string> errors(kThreads);
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      llmo_session_options options = {1 + t % 2};
      llmo_session *session = nullptr;
      if (llmo_status *s = llmo_session_create(model, &options, &session)) {
        errors[t] = llmo_status_message(s);
        llmo_status_release(s);
        return;
      }
      for (int run = 0; run < kRuns && errors[t].empty(); ++run) {
        // Interleave the threads over the inputs.
        int index = run * kThreads + t;
        std::vector<float> y = runOnce(session, inputs[index], &errors[t]);
        if (!bitEqual(y, expected[index]))
          ++mismatches[t];
      }
      llmo_session_release(session);
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "") << "thread " << t;
    EXPECT_EQ(mismatches[t], 0)
        << "thread " << t << " (num_threads " << 1 + t % 2 << ")";
  }
  llmo_model_release(model);
}

} // namespace
