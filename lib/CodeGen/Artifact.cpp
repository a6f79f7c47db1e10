//===- Artifact.cpp - Writing .llmo files ---------------------------------===//

#include "llmo/CodeGen/CpuCodeGen.h"
#include "llmo/Runtime/ArtifactFormat.h"
#include "llmo/Runtime/KernelAbi.h"

#include "llvm/Support/CRC.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;

namespace llmo {
namespace {

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

llvm::json::Array tensorList(const std::vector<IoTensor> &tensors) {
  llvm::json::Array list;
  for (const IoTensor &t : tensors) {
    llvm::json::Array shape;
    for (int64_t d : t.shape)
      shape.push_back(d);
    list.push_back(llvm::json::Object{{"name", t.name},
                                      {"dtype", t.dtype},
                                      {"shape", std::move(shape)},
                                      {"io", t.ioIndex}});
  }
  return list;
}

} // namespace

LogicalResult writeArtifact(llvm::StringRef path, const CpuLowering &lowering,
                            const std::vector<uint8_t> &sharedObject,
                            const std::string &extraManifest,
                            std::string &error) {
  llvm::json::Object manifest{
      {"format", "llmo-artifact"},
      {"format_version", (int64_t)kLlmoArtifactFormatVersion},
      {"kernel_abi", (int64_t)kLlmoKernelAbiVersion},
      {"entry", "llmo_entry"},
      {"arena_bytes", lowering.arenaBytes},
      {"arena_bytes_without_reuse", lowering.unplannedBytes},
      {"weights_bytes", (int64_t)lowering.weights.size()},
      {"kernel_calls", lowering.kernelCalls},
      {"inputs", tensorList(lowering.inputs)},
      {"outputs", tensorList(lowering.outputs)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(manifest));
  if (!extraManifest.empty()) {
    text.pop_back(); // the closing brace
    text += "," + extraManifest + "}";
  }
  // Reject our own malformed extras before writing anything.
  if (auto parsed = llvm::json::parse(text); !parsed) {
    error = "internal error: malformed manifest: " +
            llvm::toString(parsed.takeError());
    return failure();
  }

  LlmoArtifactHeader header;
  std::memset(&header, 0, sizeof(header));
  std::memcpy(header.magic, LLMO_ARTIFACT_MAGIC, 8);
  header.formatVersion = kLlmoArtifactFormatVersion;
  header.kernelAbiVersion = kLlmoKernelAbiVersion;
  header.manifestOffset = sizeof(header);
  header.manifestSize = text.size();
  header.codeOffset = alignUp(header.manifestOffset + header.manifestSize,
                              kLlmoArtifactSectionAlign);
  header.codeSize = sharedObject.size();
  header.weightsOffset =
      alignUp(header.codeOffset + header.codeSize, kLlmoArtifactSectionAlign);
  header.weightsSize = lowering.weights.size();
  header.manifestCrc32 = llvm::crc32(
      llvm::ArrayRef<uint8_t>((const uint8_t *)text.data(), text.size()));
  header.codeCrc32 = llvm::crc32(llvm::ArrayRef<uint8_t>(
      (const uint8_t *)sharedObject.data(), sharedObject.size()));
  header.headerCrc32 = llvm::crc32(llvm::ArrayRef<uint8_t>(
      (const uint8_t *)&header, kLlmoArtifactHeaderCrcBytes));

  llvm::SmallString<128> temp;
  int fd;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp)) {
    error = "cannot create '" + path.str() + "': " + ec.message();
    return failure();
  }
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    auto pad = [&](uint64_t to) {
      uint64_t at = out.tell();
      if (to > at)
        out.write_zeros(to - at);
    };
    out.write((const char *)&header, sizeof(header));
    out << text;
    pad(header.codeOffset);
    out.write((const char *)sharedObject.data(), sharedObject.size());
    pad(header.weightsOffset);
    out.write((const char *)lowering.weights.data(), lowering.weights.size());
    out.close();
    if (out.has_error()) {
      error = "cannot write '" + path.str() + "': " + out.error().message();
      out.clear_error();
      llvm::sys::fs::remove(temp);
      return failure();
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    error = "cannot write '" + path.str() + "': " + ec.message();
    return failure();
  }
  return success();
}

} // namespace llmo
