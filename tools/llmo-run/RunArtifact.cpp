//===- RunArtifact.cpp - llmo-run on compiled .llmo artifacts -------------===//
//
// Uses only the public runtime API (include/llmo/runtime.h), as a
// deployment would.
//
//===----------------------------------------------------------------------===//

#include "RunArtifact.h"

#include "llmo/Support/Npy.h"
#include "llmo/runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <set>

namespace llmo {
namespace {

struct StatusDeleter {
  void operator()(llmo_status *s) const { llmo_status_release(s); }
};
struct ModuleDeleter {
  void operator()(llmo_model *m) const { llmo_model_release(m); }
};
struct SessionDeleter {
  void operator()(llmo_session *s) const { llmo_session_release(s); }
};
using StatusPtr = std::unique_ptr<llmo_status, StatusDeleter>;

/// numpy dtype code of a runtime dtype.
const char *npyDType(llmo_dtype dtype) {
  switch (dtype) {
  case LLMO_DTYPE_F32:
    return "f4";
  case LLMO_DTYPE_I64:
    return "i8";
  case LLMO_DTYPE_I32:
    return "i4";
  case LLMO_DTYPE_BOOL:
    return "b1";
  case LLMO_DTYPE_I8:
    return "i1";
  case LLMO_DTYPE_U8:
    return "u1";
  }
  return "?";
}

std::string shapeString(const int64_t *dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

} // namespace

int runArtifact(const RunArtifactOptions &options) {
  auto fail = [](const std::string &message) {
    llvm::errs() << "error: " << message << "\n";
    return 1;
  };
  llmo_model *rawModel = nullptr;
  StatusPtr status(llmo_model_open(options.path.c_str(), &rawModel));
  if (status)
    return fail(llmo_status_message(status.get()));
  std::unique_ptr<llmo_model, ModuleDeleter> model(rawModel);

  llmo_session_options sessionOptions{(int)options.threads};
  llmo_session *rawSession = nullptr;
  status.reset(llmo_session_create(model.get(), &sessionOptions, &rawSession));
  if (status)
    return fail(options.path + ": " + llmo_status_message(status.get()));
  std::unique_ptr<llmo_session, SessionDeleter> session(rawSession);

  std::map<std::string, std::string> given = options.inputs;
  for (size_t i = 0; i < llmo_model_num_inputs(model.get()); ++i) {
    llmo_tensor_info info;
    status.reset(llmo_model_input_info(model.get(), i, &info));
    auto it = given.find(info.name);
    if (it == given.end())
      return fail(std::string("missing --input ") + info.name + "=FILE.npy");
    NpyArray array;
    std::string error;
    if (!readNpy(it->second, array, error))
      return fail(it->second + ": " + error);
    if (array.dtype != npyDType(info.dtype))
      return fail(it->second + ": input '" + info.name + "' must be " +
                  llmo_dtype_name(info.dtype) + " (numpy '" +
                  npyDType(info.dtype) + "'), the file holds '" + array.dtype +
                  "'");
    status.reset(llmo_session_set_input(session.get(), info.name, info.dtype,
                                        array.shape.data(), array.shape.size(),
                                        array.data.data(), array.data.size()));
    if (status)
      return fail(it->second + ": " + llmo_status_message(status.get()));
    given.erase(it);
  }
  if (!given.empty())
    return fail("--input " + given.begin()->first +
                " is not an input of the model");

  // Untimed warm-up runs first (llmo-run's default: one when timing, which
  // faults in the mapped weights and the arena).
  std::vector<double> times;
  for (unsigned r = 0; r < options.warmup + options.repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    status.reset(llmo_session_run(session.get()));
    if (status)
      return fail(options.path + ": " + llmo_status_message(status.get()));
    if (r >= options.warmup)
      times.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count());
  }

  if (std::error_code ec = llvm::sys::fs::create_directories(options.outputDir))
    return fail(options.outputDir +
                ": cannot create directory: " + ec.message());
  std::set<std::string> fileNames;
  for (size_t i = 0; i < llmo_model_num_outputs(model.get()); ++i) {
    llmo_tensor_info info;
    status.reset(llmo_model_output_info(model.get(), i, &info));
    std::string file = options.fileNameFor(info.name);
    if (!fileNames.insert(file).second)
      return fail(options.path + ": two outputs would be written to " + file +
                  ".npy");
  }
  for (size_t i = 0; i < llmo_model_num_outputs(model.get()); ++i) {
    llmo_tensor_info info;
    status.reset(llmo_model_output_info(model.get(), i, &info));
    const void *data = nullptr;
    status.reset(
        llmo_session_get_output(session.get(), info.name, &data, nullptr));
    if (status)
      return fail(llmo_status_message(status.get()));
    NpyArray array;
    array.dtype = npyDType(info.dtype);
    array.shape.assign(info.dims, info.dims + info.rank);
    size_t bytes = llmo_dtype_size(info.dtype) * array.numElements();
    array.data.assign((const char *)data, (const char *)data + bytes);
    llvm::SmallString<256> path(options.outputDir);
    llvm::sys::path::append(path, options.fileNameFor(info.name) + ".npy");
    std::string error;
    if (!writeNpy(std::string(path), array, error))
      return fail(std::string(path) + ": " + error);
    if (!options.quiet) {
      llvm::outs() << info.name << ": " << llmo_dtype_name(info.dtype)
                   << shapeString(info.dims, info.rank) << " = [";
      int64_t count = std::min<int64_t>(array.numElements(), 6);
      for (int64_t j = 0; j < count; ++j) {
        llvm::outs() << (j ? ", " : "");
        switch (info.dtype) {
        case LLMO_DTYPE_F32:
          llvm::outs() << ((const float *)data)[j];
          break;
        case LLMO_DTYPE_I64:
          llvm::outs() << ((const int64_t *)data)[j];
          break;
        case LLMO_DTYPE_I32:
          llvm::outs() << ((const int32_t *)data)[j];
          break;
        case LLMO_DTYPE_I8:
          llvm::outs() << (int)((const int8_t *)data)[j];
          break;
        default:
          llvm::outs() << (int)((const uint8_t *)data)[j];
          break;
        }
      }
      llvm::outs() << (array.numElements() > 6 ? ", ...]" : "]") << "  -> "
                   << path << "\n";
    }
  }
  if (options.repeat > 1)
    printLatency(times);
  return 0;
}

void printLatency(const std::vector<double> &times) {
  std::vector<double> sorted(times);
  std::sort(sorted.begin(), sorted.end());
  size_t mid = sorted.size() / 2;
  double median =
      sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  llvm::outs() << "latency: repeat=" << sorted.size()
               << " median_ms=" << llvm::format("%.3f", median)
               << " min_ms=" << llvm::format("%.3f", sorted.front())
               << " runs_ms=";
  // Every run in order, so that a benchmark can see when slow runs happen.
  for (size_t i = 0; i < times.size(); ++i)
    llvm::outs() << (i ? "," : "") << llvm::format("%.3f", times[i]);
  llvm::outs() << "\n";
}

} // namespace llmo
