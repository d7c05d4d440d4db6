/* shapekit's CUDA shim: the `mgpu*` functions that MLIR's `gpu-to-llvm` lowering calls, on
 * top of the CUDA driver API, plus three control functions for the Python runtime.
 *
 * It is compiled into each kernel shared object:
 *     cc -c -O2 -fPIC -fvisibility=hidden -DSK_PREFIX=<symbol> cuda_shim.c
 * so the `mgpu*` functions are hidden (every kernel has its own copy and its own state) and
 * only `<symbol>_cuda_prepare`, `<symbol>_cuda_finish`, `<symbol>_cuda_error` and
 * `<symbol>_cuda_set_device` are exported.
 *
 * Rules: no CUDA headers (the few driver types and prototypes are declared here); the driver
 * (libcuda.so.1) is opened with dlopen at first use, so a kernel loads on a machine without
 * one; nothing aborts, exits or prints. A failure records an error code and a message in
 * thread-local state; later `mgpu*` calls of the same call do nothing (a copy into host
 * memory zero-fills the destination so host code never reads garbage) until
 * `<P>_cuda_finish` takes the error.
 *
 * Call protocol: `<P>_cuda_prepare(stream)` (driver, primary context of the device made
 * current, the call's stream), then the kernel entry, then `<P>_cuda_finish(sync)`.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SK_PREFIX
#error "compile with -DSK_PREFIX=<kernel symbol>"
#endif

/* glibc 2.34 moved dlopen & co. into libc under new symbol versions; binding the original
 * x86-64 versions (still exported) lets a kernel built here load on older systems too. */
#if defined(__x86_64__) && defined(__GLIBC__) && !defined(SK_NO_SYMVER)
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
__asm__(".symver pthread_once,pthread_once@GLIBC_2.2.5");
#endif

#define SK_CAT2(a, b) a##b
#define SK_CAT(a, b) SK_CAT2(a, b)
#define SK_NAME(suffix) SK_CAT(SK_PREFIX, suffix)
#define SK_EXPORT __attribute__((visibility("default")))

/* ---- the driver API subset (types and values as in cuda.h) ---------------------------- */
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef struct CUmemPoolHandle_st *CUmemoryPool;

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_NOT_SUPPORTED = 801,
  CU_EVENT_DISABLE_TIMING = 2,
  CU_POINTER_ATTRIBUTE_MEMORY_TYPE = 2,
  CU_MEMORYTYPE_DEVICE = 2,
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115,
  CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4,
};

/* shapekit's own error codes (driver errors keep their positive CUresult value) */
enum {
  SK_ERR_NO_DRIVER = -1,
  SK_ERR_NO_SYMBOL = -2,
  SK_ERR_NO_DEVICE = -3,
  SK_ERR_NOT_PREPARED = -4,
  SK_ERR_HOST_MEMORY = -5,
  SK_ERR_UNSUPPORTED = -6,
};

#define SK_DRIVER_FUNCTIONS(X)                                                               \
  X(cuInit, (unsigned))                                                                      \
  X(cuDeviceGetCount, (int *))                                                               \
  X(cuDeviceGet, (CUdevice *, int))                                                          \
  X(cuDeviceGetAttribute, (int *, int, CUdevice))                                            \
  X(cuDevicePrimaryCtxRetain, (CUcontext *, CUdevice))                                       \
  X(cuCtxGetCurrent, (CUcontext *))                                                          \
  X(cuCtxSetCurrent, (CUcontext))                                                            \
  X(cuModuleLoadData, (CUmodule *, const void *))                                            \
  X(cuModuleGetFunction, (CUfunction *, CUmodule, const char *))                             \
  X(cuFuncSetAttribute, (CUfunction, int, int))                                              \
  X(cuLaunchKernel, (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,           \
                     unsigned, unsigned, CUstream, void **, void **))                        \
  X(cuStreamSynchronize, (CUstream))                                                         \
  X(cuStreamWaitEvent, (CUstream, CUevent, unsigned))                                        \
  X(cuEventCreate, (CUevent *, unsigned))                                                    \
  X(cuEventDestroy_v2, (CUevent))                                                            \
  X(cuEventRecord, (CUevent, CUstream))                                                      \
  X(cuEventSynchronize, (CUevent))                                                           \
  X(cuMemAlloc_v2, (CUdeviceptr *, size_t))                                                  \
  X(cuMemFree_v2, (CUdeviceptr))                                                             \
  X(cuMemcpyAsync, (CUdeviceptr, CUdeviceptr, size_t, CUstream))                             \
  X(cuMemsetD32Async, (CUdeviceptr, unsigned, size_t, CUstream))                             \
  X(cuMemsetD16Async, (CUdeviceptr, unsigned short, size_t, CUstream))                       \
  X(cuPointerGetAttribute, (void *, int, CUdeviceptr))                                       \
  X(cuGetErrorName, (CUresult, const char **))                                               \
  X(cuGetErrorString, (CUresult, const char **))

/* optional: missing in old drivers (stream-ordered allocation, CUDA 11.2+) */
#define SK_OPTIONAL_FUNCTIONS(X)                                                             \
  X(cuMemAllocAsync, (CUdeviceptr *, size_t, CUstream))                                      \
  X(cuMemFreeAsync, (CUdeviceptr, CUstream))                                                 \
  X(cuDeviceGetDefaultMemPool, (CUmemoryPool *, CUdevice))                                   \
  X(cuMemPoolSetAttribute, (CUmemoryPool, int, void *))

#define SK_DECLARE(name, args) static CUresult(*p_##name) args;
SK_DRIVER_FUNCTIONS(SK_DECLARE)
SK_OPTIONAL_FUNCTIONS(SK_DECLARE)

/* ---- state ------------------------------------------------------------------------------ */
#define SK_MESSAGE_SIZE 512
#define SK_MAX_DEVICES 64

static pthread_once_t sk_driver_once = PTHREAD_ONCE_INIT;
static int sk_driver_status;                  /* 0, SK_ERR_NO_DRIVER/NO_SYMBOL or CUresult */
static char sk_driver_message[SK_MESSAGE_SIZE];
static pthread_mutex_t sk_lock = PTHREAD_MUTEX_INITIALIZER;
static CUcontext sk_contexts[SK_MAX_DEVICES]; /* retained primary contexts, under sk_lock */
static int sk_pools[SK_MAX_DEVICES];          /* 1: stream-ordered allocation, 2: not */

static __thread int sk_error;
static __thread char sk_message[SK_MESSAGE_SIZE];
static __thread int sk_device;
static __thread CUcontext sk_context;         /* NULL until prepare succeeded */
static __thread CUstream sk_stream;
static __thread int sk_async_alloc;

static void sk_fail(int code, const char *text) {
  if (sk_error != 0)
    return; /* the first error is the one reported */
  sk_error = code;
  snprintf(sk_message, sizeof sk_message, "%s", text);
}

static void sk_fail_driver(CUresult code, const char *what) {
  const char *name = NULL, *text = NULL;
  char buffer[SK_MESSAGE_SIZE];
  if (sk_error != 0)
    return;
  if (p_cuGetErrorName == NULL || p_cuGetErrorName(code, &name) != CUDA_SUCCESS)
    name = NULL;
  if (p_cuGetErrorString == NULL || p_cuGetErrorString(code, &text) != CUDA_SUCCESS)
    text = NULL;
  snprintf(buffer, sizeof buffer, "%s failed: %s (%d): %s", what,
           name ? name : "CUDA error", code, text ? text : "unknown error");
  sk_fail(code, buffer);
}

/* true when the call may go on: prepared and no error pending */
static int sk_ready(void) {
  if (sk_error != 0)
    return 0;
  if (sk_context == NULL) {
    sk_fail(SK_ERR_NOT_PREPARED, "the kernel was called without its CUDA prepare step "
                                 "(call <symbol>_cuda_prepare first)");
    return 0;
  }
  return 1;
}

static int sk_check(CUresult code, const char *what) {
  if (code == CUDA_SUCCESS)
    return 1;
  sk_fail_driver(code, what);
  return 0;
}

/* ---- loading the driver ---------------------------------------------------------------- */
static void *sk_symbol(void *library, const char *name, int required) {
  void *symbol = dlsym(library, name);
  if (symbol == NULL && required && sk_driver_status == 0) {
    sk_driver_status = SK_ERR_NO_SYMBOL;
    snprintf(sk_driver_message, sizeof sk_driver_message,
             "the CUDA driver library libcuda.so.1 lacks the function %s (driver too old?)",
             name);
  }
  return symbol;
}

static void sk_load_driver(void) {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *why = dlerror();
    sk_driver_status = SK_ERR_NO_DRIVER;
    snprintf(sk_driver_message, sizeof sk_driver_message,
             "cannot load the CUDA driver library libcuda.so.1 (%s): is an NVIDIA driver "
             "installed on this machine?", why ? why : "not found");
    return;
  }
  /* dlsym returns void*; the function pointer conversion is POSIX-sanctioned */
#define SK_RESOLVE(name, args) *(void **)(&p_##name) = sk_symbol(library, #name, 1);
#define SK_RESOLVE_OPTIONAL(name, args) *(void **)(&p_##name) = sk_symbol(library, #name, 0);
  SK_DRIVER_FUNCTIONS(SK_RESOLVE)
  SK_OPTIONAL_FUNCTIONS(SK_RESOLVE_OPTIONAL)
  if (sk_driver_status != 0)
    return;
  CUresult status = p_cuInit(0);
  if (status != CUDA_SUCCESS) {
    const char *name = NULL;
    if (p_cuGetErrorName(status, &name) != CUDA_SUCCESS)
      name = NULL;
    sk_driver_status = status;
    snprintf(sk_driver_message, sizeof sk_driver_message,
             "cuInit failed: %s (%d): the CUDA driver found no usable GPU",
             name ? name : "CUDA error", status);
  }
}

/* Temporaries come from the device's default memory pool; by default it returns freed
 * memory to the driver at every synchronisation, which makes each call pay for fresh
 * allocations. Keeping it (as torch's caching allocator does) is best effort. */
static void sk_keep_pool_memory(CUdevice device) {
  CUmemoryPool pool = NULL;
  uint64_t keep = UINT64_MAX;
  if (p_cuDeviceGetDefaultMemPool == NULL || p_cuMemPoolSetAttribute == NULL ||
      p_cuDeviceGetDefaultMemPool(&pool, device) != CUDA_SUCCESS)
    return;
  p_cuMemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &keep);
}

/* the retained primary context of `device` (made current by the caller) */
static CUcontext sk_primary_context(int ordinal) {
  CUcontext context = NULL;
  CUdevice device;
  int count = 0;
  char text[SK_MESSAGE_SIZE];
  if (!sk_check(p_cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return NULL;
  if (ordinal < 0 || ordinal >= count || ordinal >= SK_MAX_DEVICES) {
    snprintf(text, sizeof text, count == 0 ? "no CUDA device is visible (%d of %d)"
                                           : "there is no CUDA device %d (%d visible)",
             ordinal, count);
    sk_fail(SK_ERR_NO_DEVICE, text);
    return NULL;
  }
  pthread_mutex_lock(&sk_lock);
  context = sk_contexts[ordinal];
  if (context == NULL && sk_check(p_cuDeviceGet(&device, ordinal), "cuDeviceGet") &&
      sk_check(p_cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain")) {
    int pools = 0;
    if (p_cuDeviceGetAttribute(&pools, CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED, device) !=
        CUDA_SUCCESS)
      pools = 0;
    sk_pools[ordinal] = pools && p_cuMemAllocAsync && p_cuMemFreeAsync ? 1 : 2;
    if (sk_pools[ordinal] == 1)
      sk_keep_pool_memory(device);
    sk_contexts[ordinal] = context;
  }
  pthread_mutex_unlock(&sk_lock);
  return context;
}

/* ---- control functions ----------------------------------------------------------------- */
SK_EXPORT int32_t SK_NAME(_cuda_set_device)(int32_t ordinal) {
  sk_device = ordinal;
  return 0;
}

SK_EXPORT int32_t SK_NAME(_cuda_prepare)(void *stream) {
  CUcontext current = NULL, context;
  sk_error = 0;
  sk_message[0] = '\0';
  sk_context = NULL;
  pthread_once(&sk_driver_once, sk_load_driver);
  if (sk_driver_status != 0) {
    sk_fail(sk_driver_status, sk_driver_message);
    return sk_error;
  }
  context = sk_primary_context(sk_device);
  if (context == NULL)
    return sk_error;
  if (!sk_check(p_cuCtxGetCurrent(&current), "cuCtxGetCurrent"))
    return sk_error;
  if (current != context && !sk_check(p_cuCtxSetCurrent(context), "cuCtxSetCurrent"))
    return sk_error;
  sk_context = context;
  sk_stream = (CUstream)stream;
  sk_async_alloc = sk_pools[sk_device] == 1;
  return 0;
}

SK_EXPORT int32_t SK_NAME(_cuda_finish)(int32_t sync) {
  int32_t code;
  if (sync && sk_error == 0 && sk_context != NULL)
    sk_check(p_cuStreamSynchronize(sk_stream), "cuStreamSynchronize (after the kernel)");
  code = sk_error;
  sk_error = 0;
  sk_context = NULL;
  return code;
}

SK_EXPORT const char *SK_NAME(_cuda_error)(void) { return sk_message; }

/* ---- modules: loaded lazily, per context --------------------------------------------- */
typedef struct sk_function {
  const char *name; /* the constant name string of the generated code */
  CUfunction function;
  struct sk_function *next;
} sk_function;

typedef struct sk_loaded {
  CUcontext context;
  CUmodule module;
  sk_function *functions;
  struct sk_loaded *next;
} sk_loaded;

typedef struct sk_module {
  const void *blob; /* cubin/fatbin, or NUL-terminated PTX */
  size_t size;
  sk_loaded *loaded;
} sk_module;

static void *sk_module_record(void *data, size_t size) {
  sk_module *record = calloc(1, sizeof *record);
  if (record != NULL) {
    record->blob = data;
    record->size = size;
  }
  return record;
}

/* Called by the global constructor at dlopen, maybe without a driver: only remember it. */
void *mgpuModuleLoad(void *data, size_t size) { return sk_module_record(data, size); }

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel;
  return sk_module_record(data, 0);
}

/* Called by the global destructor. The CUmodules stay loaded: at process exit the driver
 * may already be finalised, and calling into it then can crash. */
void mgpuModuleUnload(void *module) {
  sk_module *record = module;
  if (record == NULL)
    return;
  while (record->loaded != NULL) {
    sk_loaded *loaded = record->loaded;
    record->loaded = loaded->next;
    while (loaded->functions != NULL) {
      sk_function *f = loaded->functions;
      loaded->functions = f->next;
      free(f);
    }
    free(loaded);
  }
  free(record);
}

static sk_loaded *sk_load_in_context(sk_module *record) {
  sk_loaded *loaded;
  for (loaded = record->loaded; loaded != NULL; loaded = loaded->next)
    if (loaded->context == sk_context)
      return loaded;
  loaded = calloc(1, sizeof *loaded);
  if (loaded == NULL) {
    sk_fail(SK_ERR_HOST_MEMORY, "out of host memory loading a GPU module");
    return NULL;
  }
  if (!sk_check(p_cuModuleLoadData(&loaded->module, record->blob),
                "cuModuleLoadData (loading the kernel's GPU code)")) {
    free(loaded);
    return NULL;
  }
  loaded->context = sk_context;
  loaded->next = record->loaded;
  record->loaded = loaded;
  return loaded;
}

static CUfunction sk_find_function(sk_module *record, const char *name) {
  sk_loaded *loaded = sk_load_in_context(record);
  sk_function *f;
  char what[SK_MESSAGE_SIZE];
  if (loaded == NULL)
    return NULL;
  for (f = loaded->functions; f != NULL; f = f->next)
    if (f->name == name || strcmp(f->name, name) == 0)
      return f->function;
  f = calloc(1, sizeof *f);
  if (f == NULL) {
    sk_fail(SK_ERR_HOST_MEMORY, "out of host memory looking up a GPU function");
    return NULL;
  }
  snprintf(what, sizeof what, "cuModuleGetFunction(%s)", name);
  if (!sk_check(p_cuModuleGetFunction(&f->function, loaded->module, name), what)) {
    free(f);
    return NULL;
  }
  f->name = name;
  f->next = loaded->functions;
  loaded->functions = f;
  return f->function;
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function;
  if (!sk_ready())
    return NULL;
  if (module == NULL) {
    sk_fail(SK_ERR_HOST_MEMORY, "the kernel's GPU module was not registered (out of memory "
                                "when the library was loaded)");
    return NULL;
  }
  pthread_mutex_lock(&sk_lock);
  function = sk_find_function(module, name);
  pthread_mutex_unlock(&sk_lock);
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t smem,
                      void *stream, void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  if (!sk_ready() || function == NULL)
    return;
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0 || blockX <= 0 || blockY <= 0 || blockZ <= 0)
    return; /* an empty launch: nothing to compute (the driver would reject it) */
  if (smem > 48 * 1024 &&
      !sk_check(p_cuFuncSetAttribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                     smem),
                "cuFuncSetAttribute (dynamic shared memory)"))
    return;
  sk_check(p_cuLaunchKernel(function, (unsigned)gridX, (unsigned)gridY, (unsigned)gridZ,
                            (unsigned)blockX, (unsigned)blockY, (unsigned)blockZ,
                            (unsigned)smem, stream, params, extra),
           "cuLaunchKernel");
}

/* ---- streams and events: the call's stream is the only stream ------------------------- */
void *mgpuStreamCreate(void) { return sk_stream; }

void mgpuStreamDestroy(void *stream) { (void)stream; }

/* The generated code waits for its stream at the end of the function. The call's stream is
 * ordered with the caller's work already, and every copy to or from host memory waits for
 * itself, so this wait is left to `<P>_cuda_finish(sync)`. */
void mgpuStreamSynchronize(void *stream) {
  if (sk_ready() && stream != sk_stream)
    sk_check(p_cuStreamSynchronize(stream), "cuStreamSynchronize");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (sk_ready())
    sk_check(p_cuStreamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  CUevent event = NULL;
  if (sk_ready())
    sk_check(p_cuEventCreate(&event, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  return event;
}

void mgpuEventDestroy(void *event) {
  if (event != NULL && p_cuEventDestroy_v2 != NULL)
    p_cuEventDestroy_v2(event); /* also after an error: events are host resources */
}

void mgpuEventSynchronize(void *event) {
  if (sk_ready() && event != NULL)
    sk_check(p_cuEventSynchronize(event), "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  if (sk_ready() && event != NULL)
    sk_check(p_cuEventRecord(event, stream), "cuEventRecord");
}

void mgpuSetDefaultDevice(int32_t device) { sk_device = device; }

/* ---- memory ------------------------------------------------------------------------------ */
void *mgpuMemAlloc(uint64_t size, void *stream, _Bool isHostShared) {
  CUdeviceptr pointer = 0;
  if (!sk_ready() || size == 0)
    return NULL;
  if (isHostShared) {
    sk_fail(SK_ERR_UNSUPPORTED, "host-shared GPU allocations are not supported");
    return NULL;
  }
  if (sk_async_alloc)
    sk_check(p_cuMemAllocAsync(&pointer, size, stream), "cuMemAllocAsync (device memory)");
  else
    sk_check(p_cuMemAlloc_v2(&pointer, size), "cuMemAlloc (device memory)");
  return (void *)(uintptr_t)pointer;
}

/* Frees also after an error (the memory would leak otherwise), as long as a context is
 * current: stream-ordered frees need no wait. */
void mgpuMemFree(void *pointer, void *stream) {
  CUdeviceptr p = (CUdeviceptr)(uintptr_t)pointer;
  if (pointer == NULL || sk_context == NULL)
    return;
  if (sk_async_alloc)
    p_cuMemFreeAsync(p, stream);
  else
    p_cuMemFree_v2(p);
}

static int sk_is_host(void *pointer) {
  unsigned int type = 0;
  if (p_cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                              (CUdeviceptr)(uintptr_t)pointer) != CUDA_SUCCESS)
    return 1; /* memory the driver does not know: plain (pageable) host memory */
  return type != CU_MEMORYTYPE_DEVICE;
}

void mgpuMemcpy(void *dst, void *src, size_t size, void *stream) {
  int host;
  if (size == 0)
    return;
  if (!sk_ready()) {
    /* host code will read the destination: give it zeros rather than garbage */
    if (sk_context != NULL && sk_is_host(dst))
      memset(dst, 0, size);
    return;
  }
  host = sk_is_host(dst) || sk_is_host(src);
  if (sk_check(p_cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src,
                               size, stream),
               "cuMemcpyAsync") &&
      host)
    sk_check(p_cuStreamSynchronize(stream), "cuStreamSynchronize (after a copy)");
  if (sk_error != 0 && sk_is_host(dst))
    memset(dst, 0, size);
}

void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream) {
  if (sk_ready() && count != 0)
    sk_check(p_cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count, stream),
             "cuMemsetD32Async");
}

void mgpuMemset16(void *dst, uint16_t value, size_t count, void *stream) {
  if (sk_ready() && count != 0)
    sk_check(p_cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst, value, count, stream),
             "cuMemsetD16Async");
}
