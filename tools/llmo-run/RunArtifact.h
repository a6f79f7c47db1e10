//===- RunArtifact.h - llmo-run's .llmo path ------------------------------===//

#ifndef LLMO_TOOLS_LLMO_RUN_RUNARTIFACT_H
#define LLMO_TOOLS_LLMO_RUN_RUNARTIFACT_H

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace llmo {

struct RunArtifactOptions {
  std::string path;
  std::map<std::string, std::string> inputs; // name -> .npy path
  std::string outputDir;
  unsigned repeat = 1, threads = 1;
  /// Untimed runs before the `repeat` timed ones.
  unsigned warmup = 0;
  bool quiet = false;
  std::function<std::string(std::string)> fileNameFor;
};

/// Runs a compiled artifact with the runtime; returns the exit status.
int runArtifact(const RunArtifactOptions &options);

/// Prints "latency: repeat=N median_ms=X min_ms=Y runs_ms=T1,T2,..." (the
/// runs in the order they ran).
void printLatency(const std::vector<double> &times);

} // namespace llmo

#endif
