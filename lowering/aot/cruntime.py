"""The C support code every ahead-of-time library carries (static, so nothing clashes).

It holds the thread-local last error, the strided-tensor staging (`sk_prepare` copies a
non-contiguous tensor into a C-contiguous buffer, `sk_release` writes it back and frees it),
and the print hooks' formatting. Scalars print like Python's `print`: ints in decimal, bools
as True/False, floats as `repr(float)` (the shortest text that reads back to the same double);
tensors print as nested brackets like numpy's `str`, each element formatted as its scalar
(numpy's column alignment and `...` summarisation are not reproduced).
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

static void sk_copy(sk_tensor *t, int to_user) {
    int64_t idx[SK_MAX_RANK] = {0};
    char *flat = t->buf;
    for (int64_t k = 0; k < t->count; k++) {
        int64_t off = 0;
        for (int d = 0; d < t->rank; d++) off += idx[d] * t->strides[d];
        char *at = t->user + off * (int64_t)t->esize;
        if (to_user) memcpy(at, flat, t->esize); else memcpy(flat, at, t->esize);
        flat += t->esize;
        for (int d = t->rank - 1; d >= 0; d--) {
            if (++idx[d] < t->sizes[d]) break;
            idx[d] = 0;
        }
    }
}

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

/* ---- print ---------------------------------------------------------------------------- */
typedef struct { int nparts; const char *const *parts; const char *sep; const char *end; }
    sk_print_site;
static _Thread_local char *sk_out;
static _Thread_local size_t sk_out_len, sk_out_cap;
static _Thread_local int64_t sk_psite = -1;
static _Thread_local int sk_ppart, sk_pitems;

static void sk_put(const char *s, size_t n) {
    if (sk_out_len + n + 1 > sk_out_cap) {
        size_t cap = (sk_out_cap ? sk_out_cap * 2 : 256) + n;
        char *grown = realloc(sk_out, cap);
        if (grown == NULL) return;
        sk_out = grown; sk_out_cap = cap;
    }
    memcpy(sk_out + sk_out_len, s, n);
    sk_out_len += n;
}
static void sk_puts(const char *s) { sk_put(s, strlen(s)); }

/* repr(float): the shortest digits that read back to the value; fixed notation for
   decimal exponents -4..15, else d.ddde+XX. `single` reads back as float32. */
static void sk_fmt_real(char *out, size_t n, double v, int single) {
    if (isnan(v)) { snprintf(out, n, "nan"); return; }
    if (isinf(v)) { snprintf(out, n, v < 0 ? "-inf" : "inf"); return; }
    char buf[48];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        if (single ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v) break;
    }
    char digits[24];
    int nd = 0, neg = buf[0] == '-';
    const char *s = buf + neg;
    for (; *s && *s != 'e'; s++) if (*s != '.') digits[nd++] = *s;
    int e = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = 0;
    char *o = out;
    size_t left = n;
#define SK_EMIT(...) do { int w = snprintf(o, left, __VA_ARGS__); \
        if (w < 0 || (size_t)w >= left) return; o += w; left -= (size_t)w; } while (0)
    if (neg) SK_EMIT("-");
    if (e < -4 || e > 15) {
        SK_EMIT("%c", digits[0]);
        if (nd > 1) SK_EMIT(".%s", digits + 1);
        SK_EMIT("e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (e < 0) {
        SK_EMIT("0.");
        for (int k = 0; k < -e - 1; k++) SK_EMIT("0");
        SK_EMIT("%s", digits);
    } else {
        for (int k = 0; k <= e; k++) SK_EMIT("%c", k < nd ? digits[k] : '0');
        SK_EMIT(".%s", nd > e + 1 ? digits + e + 1 : "0");
    }
#undef SK_EMIT
}

static float sk_half(uint16_t h) {
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    float v = e == 0 ? ldexpf((float)m, -24)
            : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}
static float sk_bfloat(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static const size_t sk_esize[8] = {2, 2, 4, 8, 1, 4, 8, 1};

static void sk_put_elem(int64_t code, const char *p) {
    char b[64];
    uint16_t h;
    float f;
    double d;
    switch (code) {
    case 0: memcpy(&h, p, 2); sk_fmt_real(b, sizeof b, sk_half(h), 1); break;
    case 1: memcpy(&h, p, 2); sk_fmt_real(b, sizeof b, sk_bfloat(h), 1); break;
    case 2: memcpy(&f, p, 4); sk_fmt_real(b, sizeof b, f, 1); break;
    case 3: memcpy(&d, p, 8); sk_fmt_real(b, sizeof b, d, 0); break;
    case 4: snprintf(b, sizeof b, "%d", (int)*(const int8_t *)p); break;
    case 5: { int32_t v; memcpy(&v, p, 4); snprintf(b, sizeof b, "%ld", (long)v); break; }
    case 6: { int64_t v; memcpy(&v, p, 8); snprintf(b, sizeof b, "%lld", (long long)v); break; }
    default: snprintf(b, sizeof b, "%s", *p ? "True" : "False"); break;
    }
    sk_puts(b);
}

static const char *sk_put_array(int64_t code, int rank, int d, const char *p,
                                const int64_t *sizes) {
    if (d == rank) { sk_put_elem(code, p); return p + sk_esize[code & 7]; }
    sk_puts("[");
    for (int64_t k = 0; k < sizes[d]; k++) {
        if (k && d == rank - 1) sk_puts(" ");
        if (k && d < rank - 1) {
            for (int j = 0; j < rank - 1 - d; j++) sk_puts("\n");
            for (int j = 0; j <= d; j++) sk_puts(" ");
        }
        p = sk_put_array(code, rank, d + 1, p, sizes);
    }
    sk_puts("]");
    return p;
}

static void sk_print_item(const sk_print_site *ps) { if (sk_pitems++) sk_puts(ps->sep); }

/* Before the next run-time value of print site `site`: the literal parts up to it. */
static void sk_print_value(const sk_print_site *ps, int64_t site) {
    if (sk_psite != site) { sk_out_len = 0; sk_psite = site; sk_ppart = 0; sk_pitems = 0; }
    while (sk_ppart < ps->nparts && ps->parts[sk_ppart]) {
        sk_print_item(ps);
        sk_puts(ps->parts[sk_ppart++]);
    }
    if (sk_ppart < ps->nparts) sk_ppart++;
    sk_print_item(ps);
}

static void sk_print_scalar(const sk_print_site *ps, int64_t site, int64_t kind, int64_t bits) {
    char b[64];
    sk_print_value(ps, site);
    if (kind == 1) { double v; memcpy(&v, &bits, 8); sk_fmt_real(b, sizeof b, v, 0); }
    else if (kind == 2) snprintf(b, sizeof b, "%s", bits ? "True" : "False");
    else snprintf(b, sizeof b, "%lld", (long long)bits);
    sk_puts(b);
}

static void sk_print_tensor(const sk_print_site *ps, int64_t site, int64_t code, int64_t rank,
                            int64_t data, const int64_t *sizes) {
    sk_print_value(ps, site);
    sk_put_array(code, (int)rank, 0, (const char *)(intptr_t)data, sizes);
}

static void sk_print_end(const sk_print_site *ps, int64_t site) {
    if (sk_psite != site) { sk_out_len = 0; sk_ppart = 0; sk_pitems = 0; }
    for (; sk_ppart < ps->nparts; sk_ppart++) {
        sk_print_item(ps);
        sk_puts(ps->parts[sk_ppart] ? ps->parts[sk_ppart] : "<missing value>");
    }
    sk_puts(ps->end);
    fwrite(sk_out, 1, sk_out_len, stdout);
    fflush(stdout);
    sk_out_len = 0;
    sk_psite = -1;
}
"""
