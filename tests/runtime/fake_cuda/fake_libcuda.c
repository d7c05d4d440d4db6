/* A stand-in for libcuda.so.1 for tests on machines without a GPU: "device memory" is host
 * memory (copies really copy), launches only log. Every call appends a line to the file named
 * by $FAKE_CUDA_LOG. $FAKE_CUDA_DEVICES sets the device count (default 1); a launch with
 * gridX == 13 fails with CUDA_ERROR_LAUNCH_FAILED; loading the blob "bad" fails. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALLOCS 256
static struct { uintptr_t base; size_t size; } allocs[MAX_ALLOCS];
static void *current;

static void say(const char *format, ...) {
  const char *path = getenv("FAKE_CUDA_LOG");
  FILE *f = path ? fopen(path, "a") : NULL;
  va_list args;
  if (f == NULL)
    return;
  va_start(args, format);
  vfprintf(f, format, args);
  va_end(args);
  fputc('\n', f);
  fclose(f);
}

static int is_device(uintptr_t p) {
  for (int i = 0; i < MAX_ALLOCS; i++)
    if (allocs[i].base && p >= allocs[i].base && p < allocs[i].base + allocs[i].size)
      return 1;
  return 0;
}

static int alloc(unsigned long long *p, size_t size) {
  for (int i = 0; i < MAX_ALLOCS; i++)
    if (!allocs[i].base) {
      allocs[i].base = (uintptr_t)calloc(1, size);
      allocs[i].size = size;
      *p = allocs[i].base;
      return 0;
    }
  return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
}

static void release(unsigned long long p) {
  for (int i = 0; i < MAX_ALLOCS; i++)
    if (allocs[i].base == p) {
      free((void *)allocs[i].base);
      allocs[i].base = 0;
    }
}

int cuInit(unsigned flags) { say("cuInit %u", flags); return 0; }
int cuDeviceGetCount(int *n) {
  const char *env = getenv("FAKE_CUDA_DEVICES");
  *n = env ? atoi(env) : 1;
  return 0;
}
int cuDeviceGet(int *d, int ordinal) { *d = ordinal; return 0; }
int cuDeviceGetAttribute(int *v, int attr, int dev) {
  (void)dev;
  *v = attr == 75 ? 9 : attr == 76 ? 0 : 1;
  return 0;
}
int cuDevicePrimaryCtxRetain(void **c, int d) {
  *c = (void *)(uintptr_t)(0x100 + d);
  say("retain %d", d);
  return 0;
}
int cuCtxGetCurrent(void **c) { *c = current; return 0; }
int cuCtxSetCurrent(void *c) { current = c; say("setcurrent %p", c); return 0; }
int cuModuleLoadData(void **m, const void *blob) {
  if (strcmp(blob, "bad") == 0)
    return 200; /* CUDA_ERROR_INVALID_IMAGE */
  *m = (void *)0x200;
  const unsigned char *b = blob;
  say("load %02x%02x%02x%02x ctx=%p", b[0], b[1], b[2], b[3], current);
  return 0;
}
int cuModuleGetFunction(void **f, void *m, const char *name) {
  (void)m;
  *f = (void *)0x300;
  say("getfunction %s", name);
  return 0;
}
int cuFuncSetAttribute(void *f, int attr, int v) { (void)f; say("funcattr %d %d", attr, v); return 0; }
int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                   unsigned bz, unsigned smem, void *stream, void **params, void **extra) {
  (void)f; (void)gy; (void)gz; (void)by; (void)bz; (void)params; (void)extra;
  say("launch grid=%u block=%u smem=%u stream=%p", gx, bx, smem, stream);
  return gx == 13 ? 719 : 0;
}
int cuStreamSynchronize(void *s) { say("sync %p", s); return 0; }
int cuStreamWaitEvent(void *s, void *e, unsigned f) { (void)s; (void)e; (void)f; return 0; }
int cuEventCreate(void **e, unsigned f) { (void)f; *e = (void *)0x400; return 0; }
int cuEventDestroy_v2(void *e) { (void)e; return 0; }
int cuEventRecord(void *e, void *s) { (void)e; (void)s; return 0; }
int cuEventSynchronize(void *e) { (void)e; return 0; }
int cuMemAlloc_v2(unsigned long long *p, size_t n) { say("alloc %zu", n); return alloc(p, n); }
int cuMemFree_v2(unsigned long long p) { say("free"); release(p); return 0; }
int cuMemAllocAsync(unsigned long long *p, size_t n, void *s) {
  say("allocasync %zu stream=%p", n, s);
  return alloc(p, n);
}
int cuMemFreeAsync(unsigned long long p, void *s) { say("freeasync stream=%p", s); release(p); return 0; }
int cuMemcpyAsync(unsigned long long d, unsigned long long s, size_t n, void *stream) {
  say("memcpy %s<-%s %zu stream=%p", is_device(d) ? "dev" : "host", is_device(s) ? "dev" : "host",
      n, stream);
  memcpy((void *)(uintptr_t)d, (const void *)(uintptr_t)s, n);
  return 0;
}
int cuMemcpyHtoD_v2(unsigned long long d, const void *s, size_t n) {
  say("htod %zu", n);
  memcpy((void *)(uintptr_t)d, s, n);
  return 0;
}
int cuMemcpyDtoH_v2(void *d, unsigned long long s, size_t n) {
  say("dtoh %zu", n);
  memcpy(d, (const void *)(uintptr_t)s, n);
  return 0;
}
int cuMemsetD32Async(unsigned long long d, unsigned v, size_t n, void *s) {
  (void)s;
  for (size_t i = 0; i < n; i++)
    ((unsigned *)(uintptr_t)d)[i] = v;
  return 0;
}
int cuMemsetD16Async(unsigned long long d, unsigned short v, size_t n, void *s) {
  (void)s;
  for (size_t i = 0; i < n; i++)
    ((unsigned short *)(uintptr_t)d)[i] = v;
  return 0;
}
int cuPointerGetAttribute(void *data, int attr, unsigned long long p) {
  if (attr != 2 || !is_device(p))
    return 1; /* CUDA_ERROR_INVALID_VALUE: not memory the driver knows */
  *(unsigned *)data = 2;
  return 0;
}
int cuGetErrorName(int e, const char **s) {
  *s = e == 719 ? "CUDA_ERROR_LAUNCH_FAILED" : e == 200 ? "CUDA_ERROR_INVALID_IMAGE" : "CUDA_ERROR_FAKE";
  return 0;
}
int cuGetErrorString(int e, const char **s) { (void)e; *s = "fake driver error"; return 0; }
int cuDeviceGetDefaultMemPool(void **pool, int d) { (void)d; *pool = (void *)0x500; return 0; }
int cuMemPoolSetAttribute(void *pool, int attr, void *v) {
  (void)pool;
  say("poolattr %d %s", attr, *(uint64_t *)v == UINT64_MAX ? "max" : "other");
  return 0;
}
