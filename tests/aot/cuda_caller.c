/* A C program calling two cuda libraries (cu_softmax, cu_layernorm) built by shapekit.
 *
 *   cuda_caller checks   the checks before any driver call (sizes, NULL, strides), then one
 *                        call with device pointers that are host memory: without a driver
 *                        it must give SHAPEKIT_ERR_NO_DEVICE (with the fake driver, 0)
 *   cuda_caller gpu      device buffers through the driver (dlopen libcuda.so.1), softmax
 *                        and layernorm of a 2x3 input on a stream, results printed
 *
 * Each line printed is "<what> <status> <message or values>". */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "cu_layernorm.h"
#include "cu_softmax.h"

static const float X[6] = {1, 2, 3, 4, 5, 7};

static void report(const char *what, int rc, const char *message) {
    printf("%s %d %s\n", what, rc, rc ? message : "");
}

static int checks(void) {
    float x[6], out[6] = {0};
    int64_t bad[2] = {2, 4}, strides[2] = {1, 2};
    memcpy(x, X, sizeof x);
    report("sizes", cu_softmax_softmax(2, 3, x, bad, NULL, out, NULL, NULL, NULL),
           cu_softmax_last_error());
    report("null", cu_softmax_softmax(2, 3, NULL, NULL, NULL, out, NULL, NULL, NULL),
           cu_softmax_last_error());
    report("strides", cu_softmax_softmax(3, 2, x, NULL, strides, out, NULL, NULL, NULL),
           cu_softmax_last_error());
    report("call", cu_softmax_softmax(2, 3, x, NULL, NULL, out, NULL, NULL, (void *)0x5eed),
           cu_softmax_last_error());
    report("call2", cu_layernorm_layernorm(2, 3, x, NULL, NULL, x, NULL, NULL, x, NULL, NULL,
                                           out, NULL, NULL, NULL),
           cu_layernorm_last_error());
    return 0;
}

typedef int (*fn_int)(unsigned);
typedef int (*fn_dev)(int *, int);
typedef int (*fn_ctx_retain)(void **, int);
typedef int (*fn_ctx_set)(void *);
typedef int (*fn_alloc)(unsigned long long *, size_t);
typedef int (*fn_htod)(unsigned long long, const void *, size_t);
typedef int (*fn_dtoh)(void *, unsigned long long, size_t);
typedef int (*fn_stream)(void **, unsigned);

#define LOAD(type, var, name) type var = (type)dlsym(cuda, name); if (!var) return 3;

static int gpu(void) {
    void *cuda = dlopen("libcuda.so.1", RTLD_NOW);
    if (cuda == NULL) { printf("nodriver\n"); return 2; }
    LOAD(fn_int, init, "cuInit") LOAD(fn_dev, device_get, "cuDeviceGet")
    LOAD(fn_ctx_retain, retain, "cuDevicePrimaryCtxRetain")
    LOAD(fn_ctx_set, set_current, "cuCtxSetCurrent") LOAD(fn_alloc, alloc, "cuMemAlloc_v2")
    LOAD(fn_htod, htod, "cuMemcpyHtoD_v2") LOAD(fn_dtoh, dtoh, "cuMemcpyDtoH_v2")
    fn_stream stream_create = (fn_stream)dlsym(cuda, "cuStreamCreate");
    int device;
    void *context, *stream = NULL;
    unsigned long long x, gamma, beta, out;
    float ones[3] = {1, 1, 1}, zeros[3] = {0, 0, 0}, host[6];
    if (init(0) || device_get(&device, 0) || retain(&context, device) || set_current(context))
        return 4;
    if (stream_create != NULL && stream_create(&stream, 0)) return 5;
    if (alloc(&x, sizeof X) || alloc(&out, sizeof X) || alloc(&gamma, 12) || alloc(&beta, 12))
        return 6;
    if (htod(x, X, sizeof X) || htod(gamma, ones, 12) || htod(beta, zeros, 12)) return 7;
    const char *names[2] = {"softmax", "layernorm"};
    for (int k = 0; k < 2; k++) {
        int rc = k == 0
            ? cu_softmax_softmax(2, 3, (float *)x, NULL, NULL, (float *)out, NULL, NULL, stream)
            : cu_layernorm_layernorm(2, 3, (float *)x, NULL, NULL, (float *)gamma, NULL, NULL,
                                     (float *)beta, NULL, NULL, (float *)out, NULL, NULL,
                                     stream);
        if (rc) { report(names[k], rc, k ? cu_layernorm_last_error() : cu_softmax_last_error());
                  continue; }
        if (dtoh(host, out, sizeof host)) return 8;
        printf("%s 0", names[k]);
        for (int i = 0; i < 6; i++) printf(" %.6f", host[i]);
        printf("\n");
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "checks") == 0) return checks();
    if (argc == 2 && strcmp(argv[1], "gpu") == 0) return gpu();
    fprintf(stderr, "usage: cuda_caller checks|gpu\n");
    return 1;
}
