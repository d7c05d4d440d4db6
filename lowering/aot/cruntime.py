"""The C support code every ahead-of-time library carries (static, so nothing clashes).

The wrapper defines `SK_DEVICE` (1 for cuda: data pointers are device pointers, which are
never read here, and non-contiguous tensors are refused instead of staged) before this text.
It holds the thread-local last error and the strided-tensor staging (`sk_prepare` copies a
non-contiguous tensor into a C-contiguous buffer, `sk_release` writes it back and frees it);
`lowering.aot.cprint` holds the print hooks' formatting (after this text in the wrapper).
"""

from __future__ import annotations

__all__ = ["RUNTIME_C", "STATUS_CODES"]

# Status codes of every entry point (the header documents them). A kernel's failing site
# maps to the code of its exception class.
STATUS_CODES: tuple[tuple[str, int, str], ...] = (
    ("SHAPEKIT_OK", 0, "success"),
    ("SHAPEKIT_ERR_NULL", 1, "a required pointer is NULL"),
    ("SHAPEKIT_ERR_SHAPE", 2, "sizes do not match the annotation (ShapeError)"),
    ("SHAPEKIT_ERR_STRIDE", 3, "strides a written tensor cannot have (zero on a dim > 1)"),
    ("SHAPEKIT_ERR_NOMEM", 4, "no memory for a contiguous copy"),
    ("SHAPEKIT_ERR_ASSERT", 5, "an assert in the kernel failed (KernelAssertionError)"),
    ("SHAPEKIT_ERR_INDEX", 6, "an index or slice out of bounds (IndexError)"),
    ("SHAPEKIT_ERR_ZERO_DIVISION", 7, "integer division by zero (ZeroDivisionError)"),
    ("SHAPEKIT_ERR_OTHER", 8, "any other failure"),
    ("SHAPEKIT_ERR_NO_DEVICE", 9, "no GPU driver or device (cuda targets)"),
    ("SHAPEKIT_ERR_DEVICE", 10, "a CUDA driver call failed during the call (cuda targets)"),
)

EXCEPTION_CODES: dict[str, str] = {
    "ShapeError": "SHAPEKIT_ERR_SHAPE", "KernelAssertionError": "SHAPEKIT_ERR_ASSERT",
    "IndexError": "SHAPEKIT_ERR_INDEX", "ZeroDivisionError": "SHAPEKIT_ERR_ZERO_DIVISION",
}

RUNTIME_C = r"""
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SK_ERRLEN 1024
#define SK_MAX_RANK 32
static _Thread_local char sk_err[SK_ERRLEN];
static _Thread_local int64_t sk_report[3] = {-1, 0, 0};

static int sk_fail(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sk_err, SK_ERRLEN, fmt, ap);
    va_end(ap);
    return code;
}

static void sk_error_hook(int64_t site, int64_t a, int64_t b) {
    sk_report[0] = site; sk_report[1] = a; sk_report[2] = b;
}

/* Python's floor division (dims are sizes, so the divisor is never zero in practice). */
static int64_t sk_floordiv(int64_t a, int64_t b) {
    if (b == 0) return 0;
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* ---- strided tensors ------------------------------------------------------------------ */
enum { SK_READ = 0, SK_INOUT = 1, SK_WRITE = 2 };

typedef struct {
    const char *who;
    char *user;            /* the caller's data pointer */
    char *buf;             /* what the kernel gets: user, or a contiguous copy */
    const int64_t *sizes;
    const int64_t *strides;
    int rank, mode, copied;
    size_t esize;
    int64_t count;
} sk_tensor;

/* Copy the rows of the last dim between the staged buffer and the caller's strided
   elements; the element size is a constant in each case so the copies are plain moves. */
#define SK_ROW(T) for (int64_t k = 0; k < n; k++) { \
        T *u = (T *)(at + k * step), *f = (T *)flat + k; if (to_user) *u = *f; else *f = *u; }

static void sk_copy(sk_tensor *t, int to_user) {
    int r = t->rank;
    int64_t n = r ? t->sizes[r - 1] : 1, step = (r ? t->strides[r - 1] : 0) * (int64_t)t->esize;
    int64_t idx[SK_MAX_RANK] = {0};
    char *flat = t->buf;
    for (int64_t row = 0; row < t->count / (n ? n : 1); row++) {
        int64_t off = 0;
        for (int d = 0; d < r - 1; d++) off += idx[d] * t->strides[d];
        char *at = t->user + off * (int64_t)t->esize;
        switch (t->esize) {
        case 1: SK_ROW(uint8_t) break;
        case 2: SK_ROW(uint16_t) break;
        case 4: SK_ROW(uint32_t) break;
        default: SK_ROW(uint64_t) break;
        }
        flat += n * (int64_t)t->esize;
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < t->sizes[d]) break;
            idx[d] = 0;
        }
    }
}
#undef SK_ROW

/* Check the data pointer and strides of a tensor whose sizes were checked; stage a copy
   when its elements are not C-contiguous (any strides for a tensor the kernel only reads;
   no zero strides on a dim longer than 1 for one it writes). */
static int sk_prepare(sk_tensor *t, const char *who, const void *data, const int64_t *sizes,
                      const int64_t *strides, int rank, size_t esize, int mode) {
    memset(t, 0, sizeof *t);
    t->who = who; t->user = t->buf = (char *)data; t->sizes = sizes; t->strides = strides;
    t->rank = rank; t->mode = mode; t->esize = esize;
    if (rank > SK_MAX_RANK)
        return sk_fail(2, "ShapeError: %s: rank %d is more than %d", who, rank, SK_MAX_RANK);
    int64_t count = 1;
    for (int d = 0; d < rank; d++)
        if (sizes[d] < 0)
            return sk_fail(2, "ShapeError: %s: dim %d is %lld, but a size cannot be negative",
                           who, d, (long long)sizes[d]);
    for (int d = 0; d < rank; d++)
        if (__builtin_mul_overflow(count, sizes[d], &count) ||
            __builtin_mul_overflow(count, (int64_t)esize, &(int64_t){0}))
            return sk_fail(2, "ShapeError: %s: %d dims of this size do not fit in memory",
                           who, rank);
    t->count = count;
    if (data == NULL && count > 0) return sk_fail(1, "%s: the data pointer is NULL", who);
    if (strides == NULL || count == 0) return 0;
    int contiguous = 1;
    int64_t want = 1;
    for (int d = rank - 1; d >= 0; d--) {
        if (sizes[d] > 1 && strides[d] == 0 && mode != SK_READ)
            return sk_fail(3, "%s: stride 0 on dim %d of size %lld, but the kernel writes "
                           "into it", who, d, (long long)sizes[d]);
        if (sizes[d] > 1 && strides[d] != want) contiguous = 0;
        want *= sizes[d];
    }
    if (contiguous) return 0;
#if SK_DEVICE
    /* device memory cannot be staged on the host: the caller copies on the device */
    return sk_fail(3, "%s: its strides are not C-contiguous, but a cuda library takes device "
                   "tensors C-contiguous (strides NULL or row-major): copy it on the device "
                   "first", who);
#endif
    t->buf = malloc((size_t)count * esize);
    if (t->buf == NULL)
        return sk_fail(4, "%s: no memory for a contiguous copy of %lld elements", who,
                       (long long)count);
    t->copied = 1;
    if (mode != SK_WRITE) sk_copy(t, 0);
    return 0;
}

/* Write a staged copy back (written tensors, when `ok` or for in-place updates) and free it. */
static void sk_release(sk_tensor *t, int ok) {
    if (!t->copied) return;
    if (t->mode == SK_INOUT || (t->mode == SK_WRITE && ok)) sk_copy(t, 1);
    free(t->buf);
    t->copied = 0;
}
"""
