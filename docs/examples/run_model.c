/* run_model.c - run a compiled llmo artifact from C (docs/Runtime.md).
 *
 *   cc -std=c11 -I include docs/examples/run_model.c \
 *      -L build/lib -lllmo_runtime -Wl,-rpath,build/lib -o run_model
 *   ./run_model model.llmo 2
 *
 * Fills every input with a deterministic pattern (floats i/7, integers i%4),
 * runs the model on N threads and prints each output's first values and
 * checksum. Every error path prints the runtime's message and exits 1.
 */
#include "llmo/runtime.h"

#include <stdio.h>
#include <stdlib.h>

static int check(llmo_status *status, const char *what) {
  if (!status)
    return 0;
  fprintf(stderr, "error: %s: %s (code %d)\n", what,
          llmo_status_message(status), (int)llmo_status_code_of(status));
  llmo_status_release(status);
  return 1;
}

static size_t element_count(const llmo_tensor_info *info) {
  size_t n = 1;
  for (size_t d = 0; d < info->rank; ++d)
    n *= (size_t)info->dims[d];
  return n;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL.llmo [THREADS]\n", argv[0]);
    return 1;
  }
  llmo_model *model = NULL;
  if (check(llmo_model_open(argv[1], &model), "open"))
    return 1;

  llmo_session_options options = {argc > 2 ? atoi(argv[2]) : 1};
  llmo_session *session = NULL;
  int failed = check(llmo_session_create(model, &options, &session), "session");

  for (size_t i = 0; !failed && i < llmo_model_num_inputs(model); ++i) {
    llmo_tensor_info info;
    failed = check(llmo_model_input_info(model, i, &info), "input info");
    if (failed)
      break;
    size_t count = element_count(&info);
    size_t bytes = count * llmo_dtype_size(info.dtype);
    unsigned char *data = malloc(bytes ? bytes : 1);
    for (size_t e = 0; e < count; ++e) {
      switch (info.dtype) {
      case LLMO_DTYPE_F32:
        ((float *)data)[e] = (float)e / 7.0f;
        break;
      case LLMO_DTYPE_I64:
        ((long long *)data)[e] = (long long)(e % 4);
        break;
      case LLMO_DTYPE_I32:
        ((int *)data)[e] = (int)(e % 4);
        break;
      default:
        data[e] = (unsigned char)(e % 2);
        break;
      }
    }
    failed = check(llmo_session_set_input(session, info.name, info.dtype,
                                          info.dims, info.rank, data, bytes),
                   info.name);
    free(data);
  }

  if (!failed)
    failed = check(llmo_session_run(session), "run");

  for (size_t i = 0; !failed && i < llmo_model_num_outputs(model); ++i) {
    llmo_tensor_info info;
    const void *data = NULL;
    failed = check(llmo_model_output_info(model, i, &info), "output info") ||
             check(llmo_session_get_output(session, info.name, &data, NULL),
                   info.name);
    if (failed || info.dtype != LLMO_DTYPE_F32)
      continue;
    const float *values = data;
    double sum = 0;
    for (size_t e = 0; e < element_count(&info); ++e)
      sum += values[e];
    printf("%s: %s[", info.name, llmo_dtype_name(info.dtype));
    for (size_t d = 0; d < info.rank; ++d)
      printf("%s%lld", d ? "x" : "", (long long)info.dims[d]);
    printf("] first %.6f sum %.6f\n", values[0], sum);
  }

  llmo_session_release(session);
  llmo_model_release(model);
  return failed;
}
