//===- ArtifactFormat.h - Layout of a .llmo file --------------------------===//
//
//   [0, 64)            ArtifactHeader (little-endian)
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
enum { kLlmoArtifactFormatVersion = 1, kLlmoArtifactSectionAlign = 4096 };

typedef struct LlmoArtifactHeader {
  char magic[8];
  uint32_t formatVersion;
  uint32_t kernelAbiVersion;
  uint64_t manifestOffset, manifestSize;
  uint64_t codeOffset, codeSize;
  uint64_t weightsOffset, weightsSize;
} LlmoArtifactHeader;

#ifdef __cplusplus
static_assert(sizeof(LlmoArtifactHeader) == 64, "header is 64 bytes");
} // extern "C"
#endif

#endif
