/*===- llmo/runtime.h - C API of the llmo runtime ------------------------===*\
|*                                                                            *|
|* Loads a `.llmo` artifact produced by `llmo-compile -o X.llmo` and runs it. *|
|* No LLVM or MLIR dependency; no global state. Ownership is explicit: every  *|
|* object returned through an out-parameter is released by its `_release`.    *|
|*                                                                            *|
|* Every fallible call returns an `llmo_status *`: NULL on success, otherwise *|
|* a status the caller reads with llmo_status_code()/llmo_status_message()    *|
|* and frees with llmo_status_release().                                      *|
|*                                                                            *|
|* Thread safety: an llmo_model is immutable once opened and may be shared by *|
|* any number of sessions on any threads. A session is used by one thread at  *|
|* a time; different sessions run concurrently.                               *|
\*===----------------------------------------------------------------------===*/

#ifndef LLMO_RUNTIME_H
#define LLMO_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LLMO_API __attribute__((visibility("default")))
#else
#define LLMO_API
#endif

typedef enum llmo_status_code {
  LLMO_OK = 0,
  LLMO_ERROR_INVALID_ARGUMENT = 1, /* bad name, dtype, shape, size, null */
  LLMO_ERROR_IO = 2,               /* file missing or unreadable */
  LLMO_ERROR_FORMAT = 3,           /* not an artifact, truncated, corrupt */
  LLMO_ERROR_UNSUPPORTED = 4,      /* version, ABI or CPU features */
  LLMO_ERROR_OUT_OF_MEMORY = 5,
  LLMO_ERROR_FAILED_PRECONDITION = 6 /* e.g. run before all inputs are set */
} llmo_status_code;

typedef enum llmo_dtype {
  LLMO_DTYPE_F32 = 0,
  LLMO_DTYPE_I64 = 1,
  LLMO_DTYPE_I32 = 2,
  LLMO_DTYPE_BOOL = 3, /* one byte per element, 0 or 1 */
  LLMO_DTYPE_I8 = 4,
  LLMO_DTYPE_U8 = 5
} llmo_dtype;

#define LLMO_MAX_RANK 8

typedef struct llmo_status llmo_status;
typedef struct llmo_model llmo_model;
typedef struct llmo_session llmo_session;

/* A tensor's name, dtype and static shape as recorded in the manifest. The
 * name points into the model and lives as long as it. */
typedef struct llmo_tensor_info {
  const char *name;
  llmo_dtype dtype;
  size_t rank;
  int64_t dims[LLMO_MAX_RANK];
} llmo_tensor_info;

typedef struct llmo_session_options {
  /* Worker threads for the kernels, including the calling thread; 0 means
   * the number of online CPUs. */
  int num_threads;
} llmo_session_options;

/* Status objects. A NULL status reads as LLMO_OK with an empty message. */
LLMO_API llmo_status_code llmo_status_code_of(const llmo_status *status);
LLMO_API const char *llmo_status_message(const llmo_status *status);
LLMO_API void llmo_status_release(llmo_status *status);

/* Version of the runtime library, e.g. "0.2.0". */
LLMO_API const char *llmo_runtime_version(void);
/* Size of a dtype's element in bytes, and its name ("f32", "i64", ...). */
LLMO_API size_t llmo_dtype_size(llmo_dtype dtype);
LLMO_API const char *llmo_dtype_name(llmo_dtype dtype);

/* Opens an artifact: memory-maps it (weights are used in place, never
 * copied), checks the header, manifest, ABI and the CPU's features, and loads
 * the code. */
LLMO_API llmo_status *llmo_model_open(const char *path, llmo_model **out_model);
LLMO_API void llmo_model_release(llmo_model *model);

LLMO_API size_t llmo_model_num_inputs(const llmo_model *model);
LLMO_API size_t llmo_model_num_outputs(const llmo_model *model);
LLMO_API llmo_status *llmo_model_input_info(const llmo_model *model,
                                            size_t index,
                                            llmo_tensor_info *out_info);
LLMO_API llmo_status *llmo_model_output_info(const llmo_model *model,
                                             size_t index,
                                             llmo_tensor_info *out_info);
/* The manifest as JSON text (owned by the model). */
LLMO_API const char *llmo_model_manifest(const llmo_model *model);
/* Activation arena bytes a session allocates (planned at compile time). */
LLMO_API size_t llmo_model_arena_bytes(const llmo_model *model);

/* Creates a session with its own activation arena and thread pool. The model
 * must outlive the session. `options` may be NULL. */
LLMO_API llmo_status *llmo_session_create(const llmo_model *model,
                                          const llmo_session_options *options,
                                          llmo_session **out_session);
LLMO_API void llmo_session_release(llmo_session *session);

/* Copies `bytes` of input data for the input `name`. dtype, rank and dims
 * must equal the manifest's, and bytes the product of dims times the element
 * size. */
LLMO_API llmo_status *llmo_session_set_input(llmo_session *session,
                                             const char *name, llmo_dtype dtype,
                                             const int64_t *dims, size_t rank,
                                             const void *data, size_t bytes);

/* Runs the model on the inputs set so far (all of them must be set). */
LLMO_API llmo_status *llmo_session_run(llmo_session *session);

/* Points `*out_data` at the output `name` of the last run; the data stays
 * valid until the next run or the session's release. `out_info` may be NULL.
 */
LLMO_API llmo_status *llmo_session_get_output(llmo_session *session,
                                              const char *name,
                                              const void **out_data,
                                              llmo_tensor_info *out_info);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LLMO_RUNTIME_H */
