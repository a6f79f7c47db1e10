//===- Runtime.cpp - The C API of include/llmo/runtime.h ------------------===//
//
// A model maps its artifact read-only (weights are used in place), loads the
// code from an anonymous memory file with dlopen, and keeps the manifest. A
// session owns everything a run writes: the activation arena (size planned
// at compile time), input/output buffers, per-worker scratch and a thread
// pool, so independent sessions never share mutable state.
//
//===----------------------------------------------------------------------===//

#include "llmo/runtime.h"

#include "Json.h"
#include "cpu/Kernels.h"
#include "llmo/Runtime/ArtifactFormat.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <memory>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>
#include <zlib.h>

#ifndef LLMO_VERSION_STRING
#define LLMO_VERSION_STRING "0.2.0"
#endif

struct llmo_status {
  llmo_status_code code;
  std::string message;
};

namespace {

using llmo::rt::JsonValue;

llmo_status *makeStatus(llmo_status_code code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

llmo_status *makeStatus(llmo_status_code code, const char *format, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  return new (std::nothrow) llmo_status{code, buffer};
}

struct TensorSpec {
  std::string name;
  llmo_dtype dtype;
  std::vector<int64_t> shape;
  int64_t ioIndex;
  size_t bytes() const {
    size_t n = llmo_dtype_size(dtype);
    for (int64_t d : shape)
      n *= (size_t)d;
    return n;
  }
  void fill(llmo_tensor_info *info) const {
    info->name = name.c_str();
    info->dtype = dtype;
    info->rank = shape.size();
    for (size_t i = 0; i < shape.size(); ++i)
      info->dims[i] = shape[i];
  }
};

using EntryFn = void (*)(void *, const llmo_kernel_fn *, const uint8_t *,
                         uint8_t *, void **);

bool parseDType(const std::string &name, llmo_dtype &out) {
  static const std::pair<const char *, llmo_dtype> names[] = {
      {"f32", LLMO_DTYPE_F32}, {"i64", LLMO_DTYPE_I64},
      {"i32", LLMO_DTYPE_I32}, {"bool", LLMO_DTYPE_BOOL},
      {"i8", LLMO_DTYPE_I8},   {"u8", LLMO_DTYPE_U8}};
  for (auto &[text, dtype] : names)
    if (name == text) {
      out = dtype;
      return true;
    }
  return false;
}

struct AlignedBuffer {
  uint8_t *data = nullptr;
  size_t size = 0;
  bool allocate(size_t bytes) {
    size = bytes;
    data = (uint8_t *)std::aligned_alloc(64, (std::max<size_t>(bytes, 1) + 63) /
                                                 64 * 64);
    if (data)
      std::memset(data, 0, std::max<size_t>(bytes, 1));
    return data != nullptr;
  }
  ~AlignedBuffer() { std::free(data); }
};

} // namespace

struct llmo_model {
  std::string path;
  void *mapping = MAP_FAILED;
  size_t mappingSize = 0;
  void *library = nullptr;
  EntryFn entry = nullptr;
  std::string manifestText;
  std::vector<TensorSpec> inputs, outputs;
  size_t arenaBytes = 0;
  const uint8_t *weights = nullptr;
  uint64_t weightsSize = 0;

  ~llmo_model() {
    if (library)
      dlclose(library);
    if (mapping != MAP_FAILED)
      munmap(mapping, mappingSize);
  }
};

namespace {
const char *const kKernelNames[] = {"copy",
                                    "strided_copy",
                                    "binary",
                                    "unary",
                                    "where",
                                    "cast",
                                    "gather",
                                    "layer_norm",
                                    "rms_norm",
                                    "softmax",
                                    "reduce",
                                    "linear_f32",
                                    "matmul",
                                    "qlinear",
                                    "dynamic_qlinear",
                                    "weight_quant_linear",
                                    "quantize",
                                    "dequantize",
                                    "dynamic_quantize",
                                    "attention",
                                    "norm_quantize",
                                    "generated_loop",
                                    "w4a8_linear"};
static_assert(sizeof(kKernelNames) / sizeof(kKernelNames[0]) == kLlmoNumKernels,
              "every kernel needs a name for LLMO_PROFILE");

/// With LLMO_PROFILE=1 in the environment, sessions run through this table,
/// which times every kernel call; the totals per kernel are printed to
/// stderr when the session is released.
struct Profile {
  double seconds[kLlmoNumKernels] = {};
  int64_t calls[kLlmoNumKernels] = {};
};
struct ProfilingContext {
  llmo::rt::ExecContext exec; // first: kernels see an ExecContext
  Profile *profile;
};
template <int Id>
void profiledKernel(void *ctx, const int64_t *desc, void *const *ops) {
  auto start = std::chrono::steady_clock::now();
  llmo::rt::kernelTable()[Id](ctx, desc, ops);
  Profile *profile = static_cast<ProfilingContext *>(ctx)->profile;
  profile->seconds[Id] +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ++profile->calls[Id];
}
template <size_t... Ids>
const llmo_kernel_fn *profilingTable(std::index_sequence<Ids...>) {
  static const llmo_kernel_fn table[] = {profiledKernel<Ids>...};
  return table;
}
} // namespace

struct llmo_session {
  const llmo_model *model;
  std::unique_ptr<Profile> profile; // set when LLMO_PROFILE=1
  ~llmo_session() {
    if (!profile)
      return;
    double total = 0;
    for (double s : profile->seconds)
      total += s;
    std::fprintf(stderr, "llmo profile (all runs): kernel, calls, ms, %%\n");
    for (int i = 0; i < kLlmoNumKernels; ++i)
      if (profile->calls[i])
        std::fprintf(stderr, "  %-20s %8lld %10.3f %5.1f%%\n", kKernelNames[i],
                     (long long)profile->calls[i], profile->seconds[i] * 1e3,
                     100.0 * profile->seconds[i] / (total > 0 ? total : 1));
  }
  std::unique_ptr<llmo::rt::ThreadPool> pool;
  AlignedBuffer arena, scratch;
  std::vector<std::unique_ptr<AlignedBuffer>> inputBuffers, outputBuffers;
  std::vector<bool> inputSet;
  std::vector<void *> io;
  bool ran = false;
};

extern "C" {

llmo_status_code llmo_status_code_of(const llmo_status *status) {
  return status ? status->code : LLMO_OK;
}
const char *llmo_status_message(const llmo_status *status) {
  return status ? status->message.c_str() : "";
}
void llmo_status_release(llmo_status *status) { delete status; }

const char *llmo_runtime_version(void) { return LLMO_VERSION_STRING; }

size_t llmo_dtype_size(llmo_dtype dtype) {
  switch (dtype) {
  case LLMO_DTYPE_F32:
    return 4;
  case LLMO_DTYPE_I64:
    return 8;
  case LLMO_DTYPE_I32:
    return 4;
  case LLMO_DTYPE_BOOL:
  case LLMO_DTYPE_I8:
  case LLMO_DTYPE_U8:
    return 1;
  }
  return 0;
}

const char *llmo_dtype_name(llmo_dtype dtype) {
  switch (dtype) {
  case LLMO_DTYPE_F32:
    return "f32";
  case LLMO_DTYPE_I64:
    return "i64";
  case LLMO_DTYPE_I32:
    return "i32";
  case LLMO_DTYPE_BOOL:
    return "bool";
  case LLMO_DTYPE_I8:
    return "i8";
  case LLMO_DTYPE_U8:
    return "u8";
  }
  return "?";
}

} // extern "C"

namespace {

llmo_status *parseTensorList(const JsonValue *list, const char *what,
                             const char *path, std::vector<TensorSpec> &out) {
  if (!list || list->kind != JsonValue::Array)
    return makeStatus(LLMO_ERROR_FORMAT, "%s: manifest has no '%s' list", path,
                      what);
  for (const JsonValue &item : list->array) {
    const JsonValue *name = item.get("name"), *dtype = item.get("dtype"),
                    *shape = item.get("shape"), *io = item.get("io");
    TensorSpec spec;
    if (!name || name->kind != JsonValue::String || !dtype ||
        dtype->kind != JsonValue::String ||
        !parseDType(dtype->string, spec.dtype) || !shape ||
        shape->kind != JsonValue::Array ||
        shape->array.size() > LLMO_MAX_RANK || !io ||
        io->kind != JsonValue::Number)
      return makeStatus(LLMO_ERROR_FORMAT,
                        "%s: manifest entry of '%s' is malformed", path, what);
    spec.name = name->string;
    // Written so that NaN fails too; integers only.
    if (!(io->number >= 0 && io->number < 4096) ||
        io->number != std::floor(io->number))
      return makeStatus(LLMO_ERROR_FORMAT, "%s: bad io slot of '%s'", path,
                        spec.name.c_str());
    spec.ioIndex = (int64_t)io->number;
    for (const JsonValue &d : shape->array) {
      if (d.kind != JsonValue::Number || !(d.number >= 0 && d.number <= 1e12) ||
          d.number != std::floor(d.number))
        return makeStatus(LLMO_ERROR_FORMAT, "%s: bad dim in '%s' of '%s'",
                          path, spec.name.c_str(), what);
      spec.shape.push_back((int64_t)d.number);
    }
    out.push_back(std::move(spec));
  }
  return nullptr;
}

/// Whether this CPU has `feature` (an LLVM/GCC feature name of
/// LLMO_X86_CPU_FEATURES); `known` is false for any other name.
bool cpuHasFeature(const std::string &feature, bool &known) {
  known = true;
#define LLMO_CHECK_FEATURE(name)                                               \
  if (feature == name)                                                         \
    return __builtin_cpu_supports(name);
  LLMO_X86_CPU_FEATURES(LLMO_CHECK_FEATURE)
#undef LLMO_CHECK_FEATURE
  known = false;
  return false;
}

bool sectionInFile(uint64_t offset, uint64_t size, uint64_t fileSize) {
  return offset <= fileSize && size <= fileSize - offset;
}

/// The manifest sizes the buffers the code indexes: it must describe what
/// the code was compiled for (llmo_layout, KernelAbi.h), slot by slot.
llmo_status *checkLayout(const llmo_model &model) {
  const char *path = model.path.c_str();
  const auto *layout = (const int64_t *)dlsym(model.library, "llmo_layout");
  if (!layout)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: code section has no llmo_layout symbol", path);
  size_t slots = model.inputs.size() + model.outputs.size();
  if (layout[0] != (int64_t)model.arenaBytes)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: the manifest's arena_bytes (%zu) is not the "
                      "code's (%lld)",
                      path, model.arenaBytes, (long long)layout[0]);
  if (layout[1] < 0 || (uint64_t)layout[1] > model.weightsSize)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: the weights section (%llu bytes) is smaller than "
                      "the code's weights (%lld bytes)",
                      path, (unsigned long long)model.weightsSize,
                      (long long)layout[1]);
  if (layout[2] != (int64_t)slots)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: the manifest has %zu inputs and outputs, the code "
                      "%lld",
                      path, slots, (long long)layout[2]);
  std::vector<bool> seen(slots, false);
  for (const auto *list : {&model.inputs, &model.outputs})
    for (const TensorSpec &spec : *list) {
      if (seen[spec.ioIndex])
        return makeStatus(LLMO_ERROR_FORMAT,
                          "%s: two manifest entries use io slot %lld", path,
                          (long long)spec.ioIndex);
      seen[spec.ioIndex] = true;
      if (layout[3 + spec.ioIndex] != (int64_t)spec.bytes())
        return makeStatus(LLMO_ERROR_FORMAT,
                          "%s: the manifest's '%s' has %zu bytes, the code "
                          "expects %lld",
                          path, spec.name.c_str(), spec.bytes(),
                          (long long)layout[3 + spec.ioIndex]);
    }
  return nullptr;
}

/// Why `code` is not an ELF64 object whose program headers and segments
/// lie inside its `size` bytes (empty if it is): ld.so maps segments past
/// the end of a cut object and faults while doing so.
std::string elfOutline(const uint8_t *code, size_t size) {
  Elf64_Ehdr header;
  if (size < sizeof(header) || std::memcmp(code, ELFMAG, SELFMAG) != 0 ||
      code[EI_CLASS] != ELFCLASS64)
    return "not an ELF64 object";
  std::memcpy(&header, code, sizeof(header));
  if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phoff > size ||
      header.e_phnum > (size - header.e_phoff) / sizeof(Elf64_Phdr))
    return "its program headers lie outside the section";
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    std::memcpy(&segment, code + header.e_phoff + i * sizeof(Elf64_Phdr),
                sizeof(segment));
    if (segment.p_offset > size || segment.p_filesz > size - segment.p_offset)
      return "segment " + std::to_string(i) + " lies outside the section";
  }
  return "";
}

llmo_status *loadCode(llmo_model &model, const uint8_t *code, size_t size) {
  std::string outline = elfOutline(code, size);
  if (!outline.empty())
    return makeStatus(LLMO_ERROR_FORMAT, "%s: cannot load the code section: %s",
                      model.path.c_str(), outline.c_str());
  int fd = memfd_create("llmo-code", MFD_CLOEXEC);
  if (fd < 0)
    return makeStatus(LLMO_ERROR_IO, "%s: memfd_create failed: %s",
                      model.path.c_str(), std::strerror(errno));
  size_t written = 0;
  while (written < size) {
    ssize_t n = write(fd, code + written, size - written);
    if (n <= 0) {
      close(fd);
      return makeStatus(LLMO_ERROR_IO, "%s: cannot stage the code section",
                        model.path.c_str());
    }
    written += (size_t)n;
  }
  std::string procPath = "/proc/self/fd/" + std::to_string(fd);
  model.library = dlopen(procPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  close(fd);
  if (!model.library) {
    const char *why = dlerror();
    return makeStatus(LLMO_ERROR_FORMAT, "%s: cannot load the code section: %s",
                      model.path.c_str(), why ? why : "unknown");
  }
  model.entry = (EntryFn)dlsym(model.library, "llmo_entry");
  if (!model.entry)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: code section has no llmo_entry symbol",
                      model.path.c_str());
  return checkLayout(model);
}

/// zlib's CRC-32 of `size` bytes (in chunks: crc32 takes a 32-bit length).
uint32_t crc32Of(const uint8_t *data, uint64_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    uInt chunk = (uInt)std::min<uint64_t>(size, 1u << 30);
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return (uint32_t)crc;
}

llmo_status *openModel(const char *path, llmo_model &model) {
  model.path = path;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeStatus(LLMO_ERROR_IO, "%s: cannot open: %s", path,
                      std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return makeStatus(LLMO_ERROR_IO, "%s: not a regular file", path);
  }
  size_t fileSize = (size_t)st.st_size;
  if (fileSize < sizeof(LlmoArtifactHeader)) {
    close(fd);
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: not an llmo artifact (%zu bytes, shorter than the "
                      "header)",
                      path, fileSize);
  }
  model.mapping = mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (model.mapping == MAP_FAILED)
    return makeStatus(LLMO_ERROR_IO, "%s: mmap failed: %s", path,
                      std::strerror(errno));
  model.mappingSize = fileSize;
  const uint8_t *base = (const uint8_t *)model.mapping;
  LlmoArtifactHeader header;
  std::memcpy(&header, base, sizeof(header));
  if (std::memcmp(header.magic, LLMO_ARTIFACT_MAGIC, 8) != 0)
    return makeStatus(LLMO_ERROR_FORMAT, "%s: not an llmo artifact (bad magic)",
                      path);
  if (header.formatVersion != kLlmoArtifactFormatVersion)
    return makeStatus(LLMO_ERROR_UNSUPPORTED,
                      "%s: artifact format version %u, this runtime reads %d "
                      "(recompile the model)",
                      path, header.formatVersion, kLlmoArtifactFormatVersion);
  if (crc32Of(base, kLlmoArtifactHeaderCrcBytes) != header.headerCrc32)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: corrupt artifact (the header's checksum does not "
                      "match)",
                      path);
  if (header.kernelAbiVersion != kLlmoKernelAbiVersion)
    return makeStatus(LLMO_ERROR_UNSUPPORTED,
                      "%s: kernel ABI version %u, this runtime provides %d "
                      "(recompile the model)",
                      path, header.kernelAbiVersion, kLlmoKernelAbiVersion);
  if (!sectionInFile(header.manifestOffset, header.manifestSize, fileSize) ||
      !sectionInFile(header.codeOffset, header.codeSize, fileSize) ||
      !sectionInFile(header.weightsOffset, header.weightsSize, fileSize))
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: truncated artifact (a section ends past the %zu "
                      "bytes of the file)",
                      path, fileSize);
  if (crc32Of(base + header.manifestOffset, header.manifestSize) !=
      header.manifestCrc32)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: corrupt artifact (the manifest's checksum does not "
                      "match)",
                      path);
  if (crc32Of(base + header.codeOffset, header.codeSize) != header.codeCrc32)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: corrupt artifact (the code section's checksum does "
                      "not match)",
                      path);
  model.manifestText.assign((const char *)base + header.manifestOffset,
                            header.manifestSize);
  JsonValue manifest;
  std::string error;
  if (!llmo::rt::parseJson(model.manifestText, manifest, error) ||
      manifest.kind != JsonValue::Object)
    return makeStatus(LLMO_ERROR_FORMAT, "%s: corrupt manifest: %s", path,
                      error.empty() ? "not an object" : error.c_str());
  if (llmo_status *s =
          parseTensorList(manifest.get("inputs"), "inputs", path, model.inputs))
    return s;
  if (llmo_status *s = parseTensorList(manifest.get("outputs"), "outputs", path,
                                       model.outputs))
    return s;
  size_t ioCount = model.inputs.size() + model.outputs.size();
  for (const auto *list : {&model.inputs, &model.outputs})
    for (const TensorSpec &spec : *list)
      if (spec.ioIndex < 0 || (size_t)spec.ioIndex >= ioCount)
        return makeStatus(LLMO_ERROR_FORMAT, "%s: bad io slot of '%s'", path,
                          spec.name.c_str());
  const JsonValue *arena = manifest.get("arena_bytes");
  if (!arena || arena->kind != JsonValue::Number ||
      !(arena->number >= 0 && arena->number <= 1e15) ||
      arena->number != std::floor(arena->number))
    return makeStatus(LLMO_ERROR_FORMAT, "%s: manifest has no arena_bytes",
                      path);
  model.arenaBytes = (size_t)arena->number;
  if (const JsonValue *target = manifest.get("target")) {
    const JsonValue *kind = target->get("kind");
    if (kind && kind->string != "cpu")
      return makeStatus(LLMO_ERROR_UNSUPPORTED,
                        "%s: compiled for target '%s'; this runtime runs cpu",
                        path, kind->string.c_str());
    if (const JsonValue *required = target->get("requires")) {
      if (required->kind != JsonValue::Array)
        return makeStatus(LLMO_ERROR_FORMAT,
                          "%s: manifest target.requires is not an array", path);
      for (const JsonValue &feature : required->array) {
        if (feature.kind != JsonValue::String)
          return makeStatus(LLMO_ERROR_FORMAT,
                            "%s: manifest target.requires holds a non-string",
                            path);
        bool known = false;
        if (!cpuHasFeature(feature.string, known)) {
          const char *cpu = "?";
          if (const JsonValue *name = target->get("cpu"))
            cpu = name->string.c_str();
          return makeStatus(
              LLMO_ERROR_UNSUPPORTED,
              known ? "%s: compiled for cpu '%s', whose feature '%s' this "
                      "CPU lacks (recompile with --target-cpu for this "
                      "machine)"
                    : "%s: compiled for cpu '%s' with feature '%s', which "
                      "this runtime cannot check",
              path, cpu, feature.string.c_str());
        }
      }
    }
  }
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    return makeStatus(LLMO_ERROR_UNSUPPORTED,
                      "%s: this CPU lacks AVX2/FMA, which the CPU kernels "
                      "need",
                      path);
  // Weight pieces are 64-byte aligned relative to a page-aligned section.
  if (header.weightsOffset % kLlmoArtifactSectionAlign != 0 ||
      header.codeOffset % kLlmoArtifactSectionAlign != 0)
    return makeStatus(LLMO_ERROR_FORMAT,
                      "%s: the code or weights section is not %d-byte "
                      "aligned",
                      path, kLlmoArtifactSectionAlign);
  model.weights = base + header.weightsOffset;
  model.weightsSize = header.weightsSize;
  return loadCode(model, base + header.codeOffset, header.codeSize);
}

const TensorSpec *findSpec(const std::vector<TensorSpec> &specs,
                           const char *name, size_t *index = nullptr) {
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].name == name) {
      if (index)
        *index = i;
      return &specs[i];
    }
  return nullptr;
}

std::string shapeString(const int64_t *dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i)
    s += (i ? "x" : "") + std::to_string(dims[i]);
  return s + "]";
}

} // namespace

extern "C" {

llmo_status *llmo_model_open(const char *path, llmo_model **out_model) {
  if (!path || !out_model)
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_model_open: null argument");
  *out_model = nullptr;
  auto model = std::make_unique<llmo_model>();
  if (llmo_status *status = openModel(path, *model))
    return status;
  *out_model = model.release();
  return nullptr;
}

void llmo_model_release(llmo_model *model) { delete model; }

size_t llmo_model_num_inputs(const llmo_model *model) {
  return model ? model->inputs.size() : 0;
}
size_t llmo_model_num_outputs(const llmo_model *model) {
  return model ? model->outputs.size() : 0;
}

llmo_status *llmo_model_input_info(const llmo_model *model, size_t index,
                                   llmo_tensor_info *out_info) {
  if (!model || !out_info || index >= model->inputs.size())
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_model_input_info: no input %zu", index);
  model->inputs[index].fill(out_info);
  return nullptr;
}

llmo_status *llmo_model_output_info(const llmo_model *model, size_t index,
                                    llmo_tensor_info *out_info) {
  if (!model || !out_info || index >= model->outputs.size())
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_model_output_info: no output %zu", index);
  model->outputs[index].fill(out_info);
  return nullptr;
}

const char *llmo_model_manifest(const llmo_model *model) {
  return model ? model->manifestText.c_str() : "";
}

size_t llmo_model_arena_bytes(const llmo_model *model) {
  return model ? model->arenaBytes : 0;
}

llmo_status *llmo_session_create(const llmo_model *model,
                                 const llmo_session_options *options,
                                 llmo_session **out_session) {
  if (!model || !out_session)
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_session_create: null argument");
  *out_session = nullptr;
  int threads = options ? options->num_threads : 0;
  if (threads < 0 || threads > 1024)
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_session_create: num_threads %d is out of range "
                      "[0, 1024]",
                      threads);
  if (threads == 0)
    threads = std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN));
  auto session = std::make_unique<llmo_session>();
  session->model = model;
  bool ok =
      session->arena.allocate(model->arenaBytes) &&
      session->scratch.allocate(threads * llmo::rt::kScratchBytesPerWorker);
  session->io.assign(model->inputs.size() + model->outputs.size(), nullptr);
  for (const TensorSpec &spec : model->inputs) {
    session->inputBuffers.push_back(std::make_unique<AlignedBuffer>());
    ok = ok && session->inputBuffers.back()->allocate(spec.bytes());
    session->io[spec.ioIndex] = session->inputBuffers.back()->data;
  }
  for (const TensorSpec &spec : model->outputs) {
    session->outputBuffers.push_back(std::make_unique<AlignedBuffer>());
    ok = ok && session->outputBuffers.back()->allocate(spec.bytes());
    session->io[spec.ioIndex] = session->outputBuffers.back()->data;
  }
  if (!ok)
    return makeStatus(LLMO_ERROR_OUT_OF_MEMORY,
                      "llmo_session_create: cannot allocate %zu arena bytes "
                      "and buffers",
                      model->arenaBytes);
  session->inputSet.assign(model->inputs.size(), false);
  session->pool = std::make_unique<llmo::rt::ThreadPool>(threads);
  if (const char *env = std::getenv("LLMO_PROFILE"); env && env[0] == '1')
    session->profile = std::make_unique<Profile>();
  *out_session = session.release();
  return nullptr;
}

void llmo_session_release(llmo_session *session) { delete session; }

llmo_status *llmo_session_set_input(llmo_session *session, const char *name,
                                    llmo_dtype dtype, const int64_t *dims,
                                    size_t rank, const void *data,
                                    size_t bytes) {
  if (!session || !name || (!dims && rank) || (!data && bytes))
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_session_set_input: null argument");
  size_t index = 0;
  const TensorSpec *spec = findSpec(session->model->inputs, name, &index);
  if (!spec) {
    std::string names;
    for (const TensorSpec &s : session->model->inputs)
      names += (names.empty() ? "'" : ", '") + s.name + "'";
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "no input named '%s' (inputs: %s)", name, names.c_str());
  }
  if (dtype != spec->dtype)
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "input '%s' has dtype %s, got %s", name,
                      llmo_dtype_name(spec->dtype), llmo_dtype_name(dtype));
  if (rank != spec->shape.size() ||
      !std::equal(spec->shape.begin(), spec->shape.end(), dims))
    return makeStatus(
        LLMO_ERROR_INVALID_ARGUMENT, "input '%s' has shape %s, got %s", name,
        shapeString(spec->shape.data(), spec->shape.size()).c_str(),
        shapeString(dims, rank).c_str());
  if (bytes != spec->bytes())
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "input '%s' needs %zu bytes, got %zu", name,
                      spec->bytes(), bytes);
  if (bytes)
    std::memcpy(session->inputBuffers[index]->data, data, bytes);
  session->inputSet[index] = true;
  return nullptr;
}

llmo_status *llmo_session_run(llmo_session *session) {
  if (!session)
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_session_run: null session");
  for (size_t i = 0; i < session->inputSet.size(); ++i)
    if (!session->inputSet[i])
      return makeStatus(LLMO_ERROR_FAILED_PRECONDITION,
                        "input '%s' was not set",
                        session->model->inputs[i].name.c_str());
  ProfilingContext ctx{{session->pool.get(), session->scratch.data},
                       session->profile.get()};
  const llmo_kernel_fn *table =
      session->profile
          ? profilingTable(std::make_index_sequence<kLlmoNumKernels>())
          : llmo::rt::kernelTable();
  session->model->entry(&ctx, table, session->model->weights,
                        session->arena.data, session->io.data());
  session->ran = true;
  return nullptr;
}

llmo_status *llmo_session_get_output(llmo_session *session, const char *name,
                                     const void **out_data,
                                     llmo_tensor_info *out_info) {
  if (!session || !name || !out_data)
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT,
                      "llmo_session_get_output: null argument");
  size_t index = 0;
  const TensorSpec *spec = findSpec(session->model->outputs, name, &index);
  if (!spec)
    return makeStatus(LLMO_ERROR_INVALID_ARGUMENT, "no output named '%s'",
                      name);
  if (!session->ran)
    return makeStatus(LLMO_ERROR_FAILED_PRECONDITION,
                      "output '%s' read before llmo_session_run", name);
  *out_data = session->outputBuffers[index]->data;
  if (out_info)
    spec->fill(out_info);
  return nullptr;
}

} // extern "C"
