//===- ArtifactFormat.h - Layout of a .llmo file --------------------------===//
//
//   [0, 128)           ArtifactHeader (little-endian)
//   manifest           UTF-8 JSON (docs/Runtime.md lists its keys)
//   code               ELF shared object exporting `llmo_entry`, 4096-aligned
//   weights            packed weights, 4096-aligned, each piece 64-aligned;
//                      the runtime maps the file and uses them in place
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_RUNTIME_ARTIFACTFORMAT_H
#define LLMO_RUNTIME_ARTIFACTFORMAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LLMO_ARTIFACT_MAGIC "LLMOART\0"
enum { kLlmoArtifactFormatVersion = 2, kLlmoArtifactSectionAlign = 4096 };

typedef struct LlmoArtifactHeader {
  char magic[8];
  uint32_t formatVersion;
  uint32_t kernelAbiVersion;
  uint64_t manifestOffset, manifestSize;
  uint64_t codeOffset, codeSize;
  uint64_t weightsOffset, weightsSize;
  /// CRC-32 (zlib's crc32) of the manifest and of the code section, then of
  /// the header's first 72 bytes (these two included). The runtime refuses
  /// an artifact that fails them before it parses or loads anything: a
  /// corrupted code section would otherwise run. The weights are not
  /// checked (they are mapped, not read, at open; damage there changes
  /// numbers, not control flow).
  uint32_t manifestCrc32, codeCrc32, headerCrc32;
  uint8_t reserved[52];
} LlmoArtifactHeader;

/// The header bytes that headerCrc32 covers.
enum { kLlmoArtifactHeaderCrcBytes = 72 };

#ifdef __cplusplus
static_assert(sizeof(LlmoArtifactHeader) == 128, "header is 128 bytes");
} // extern "C"
#endif

#endif
