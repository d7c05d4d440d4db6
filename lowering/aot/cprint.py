"""The C print hooks' formatting, part of every ahead-of-time library (after `RUNTIME_C`).

Scalars print like Python's `print`: ints in decimal, bools as True/False, floats as
`repr(float)` (the shortest text that reads back to the same value at the value's precision);
tensors like numpy's `str` where numpy prints positionally (finite float32/float64 of moderate
range, ints, bools; up to 1000 elements, rows within 75 columns), otherwise as nested brackets
of Python-formatted elements (numpy's scientific notation, line wrapping and `...` summaries
are not reproduced). A print statement is assembled per thread (`sk_print_value` adds the
literal parts before each run-time value) and written to stdout with one `fwrite` at its end.
"""

from __future__ import annotations

__all__ = ["PRINT_C"]

PRINT_C = r"""
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

/* float32 -> float16 bits, rounding to nearest even. */
static uint16_t sk_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, a = x & 0x7fffffff;
    if (a >= 0x7f800000) return (uint16_t)(sign | 0x7c00 | (a > 0x7f800000 ? 0x200 : 0));
    if (a >= 0x477ff000) return (uint16_t)(sign | 0x7c00);      /* rounds to infinity */
    if (a < 0x38800000) {                                       /* a subnormal half */
        float v;
        memcpy(&v, &a, 4);
        return (uint16_t)(sign | (uint32_t)rintf(v * 16777216.0f));
    }
    uint32_t h = ((((a >> 23) - 112) << 10) | ((a & 0x7fffff) >> 13)), rest = a & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

/* float32 -> bfloat16 bits, rounding to nearest even (NaN stays NaN). */
static uint16_t sk_to_bfloat(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000) return (uint16_t)((x >> 16) | 0x40);
    return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

/* Whether the decimal text reads back to v at precision `kind` (0 double, 1 float, 2 half,
   3 bfloat16). */
static int sk_reads_back(const char *text, double v, int kind) {
    if (kind == 0) return strtod(text, NULL) == v;
    if (kind == 1) return strtof(text, NULL) == (float)v;
    if (kind == 2) return sk_to_half(strtof(text, NULL)) == sk_to_half((float)v);
    return sk_to_bfloat(strtof(text, NULL)) == sk_to_bfloat((float)v);
}

/* repr(float): the shortest digits that read back to the value at precision `single` (0
   double, 1 float32, 2 float16, 3 bfloat16); fixed notation for decimal exponents -4..15, else
   d.ddde+XX. */
static void sk_fmt_real(char *out, size_t n, double v, int single) {
    if (isnan(v)) { snprintf(out, n, "nan"); return; }
    if (isinf(v)) { snprintf(out, n, v < 0 ? "-inf" : "inf"); return; }
    char buf[48];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        if (sk_reads_back(buf, v, single)) break;
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
    case 0: memcpy(&h, p, 2); sk_fmt_real(b, sizeof b, sk_half(h), 2); break;
    case 1: memcpy(&h, p, 2); sk_fmt_real(b, sizeof b, sk_bfloat(h), 3); break;
    case 2: memcpy(&f, p, 4); sk_fmt_real(b, sizeof b, f, 1); break;
    case 3: memcpy(&d, p, 8); sk_fmt_real(b, sizeof b, d, 0); break;
    case 4: snprintf(b, sizeof b, "%d", (int)*(const int8_t *)p); break;
    case 5: { int32_t v; memcpy(&v, p, 4); snprintf(b, sizeof b, "%ld", (long)v); break; }
    case 6: { int64_t v; memcpy(&v, p, 8); snprintf(b, sizeof b, "%lld", (long long)v); break; }
    default: snprintf(b, sizeof b, "%s", *p ? "True" : "False"); break;
    }
    sk_puts(b);
}

/* numpy's `str` of an array, for what it prints positionally: floats (not bfloat16) whose
   non-zero magnitudes lie in [1e-4, 1e8) within a ratio of 1000, all finite; ints; bools;
   at most 1000 elements and rows within 75 columns. Anything else prints each element as
   its scalar (sk_put_elem) without numpy's padding. */
typedef struct { int mode; int left, right; } sk_layout;   /* mode 0: plain, 1: padded */

static double sk_elem_real(int64_t code, const char *p) {
    uint16_t h; float f; double d;
    switch (code) {
    case 0: memcpy(&h, p, 2); return sk_half(h);
    case 2: memcpy(&f, p, 4); return f;
    default: memcpy(&d, p, 8); return d;
    }
}

static int64_t sk_elem_int(int64_t code, const char *p) {
    int32_t i32; int64_t i64;
    if (code == 4) return *(const int8_t *)p;
    if (code == 5) { memcpy(&i32, p, 4); return i32; }
    memcpy(&i64, p, 8);
    return i64;
}

/* numpy's positional text of a float: unique digits, at most 8 after the point, trimmed
   to "1." for integral values. */
static void sk_positional(char *out, size_t n, double v, int single) {
    char buf[64];
    sk_fmt_real(buf, sizeof buf, v, single);       /* shortest repr, fixed for 1e-4..1e16 */
    const char *dot = strchr(buf, '.');
    if (dot == NULL || strchr(buf, 'e') != NULL || strlen(dot + 1) > 8) {
        snprintf(buf, sizeof buf, "%.8f", v);
        dot = strchr(buf, '.');
    }
    size_t len = strlen(buf);
    while (len > (size_t)(dot - buf) + 1 && buf[len - 1] == '0') len--;
    buf[len] = 0;
    snprintf(out, n, "%s", buf);
}

static void sk_elem_text(char *b, size_t n, int64_t code, const char *p) {
    if (code == 7) snprintf(b, n, "%s", *p ? "True" : "False");
    else if (code == 4 || code == 5 || code == 6)
        snprintf(b, n, "%lld", (long long)sk_elem_int(code, p));
    else sk_positional(b, n, sk_elem_real(code, p), code != 3);
}

static sk_layout sk_plan(int64_t code, int rank, const char *data, const int64_t *sizes) {
    sk_layout lay = {0, 0, 0};
    int64_t count = 1;
    for (int d = 0; d < rank; d++) count *= sizes[d];
    if (code <= 1 || count == 0 || count > 1000) return lay;   /* numpy's float16 rules differ */
    double lo = INFINITY, hi = 0;
    char b[64];
    for (int64_t k = 0; k < count; k++) {
        const char *p = data + k * (int64_t)sk_esize[code & 7];
        if (code == 0 || code == 2 || code == 3) {
            double v = fabs(sk_elem_real(code, p));
            if (!isfinite(v)) return lay;
            if (v != 0) { lo = v < lo ? v : lo; hi = v > hi ? v : hi; }
        }
        sk_elem_text(b, sizeof b, code, p);
        const char *dot = strchr(b, '.');
        int len = (int)strlen(b), left = dot ? (int)(dot - b) : len;
        if (code == 7) left = 5;
        if (left > lay.left) lay.left = left;
        if (dot && len - left - 1 > lay.right) lay.right = len - left - 1;
    }
    if (hi > 0 && (hi >= 1e8 || lo < 1e-4 || hi / lo > 1000.)) return lay;
    int width = lay.left + ((code == 0 || code == 2 || code == 3) ? 1 + lay.right : 0);
    if (rank > 0 && 2 * rank + sizes[rank - 1] * (width + 1) > 75) return lay;
    lay.mode = 1;
    return lay;
}

static void sk_put_padded(const sk_layout *lay, int64_t code, const char *p) {
    char b[64];
    sk_elem_text(b, sizeof b, code, p);
    const char *dot = strchr(b, '.');
    int len = (int)strlen(b), left = dot ? (int)(dot - b) : len;
    for (int k = left; k < lay->left; k++) sk_puts(" ");
    sk_puts(b);
    if (dot) for (int k = len - left - 1; k < lay->right; k++) sk_puts(" ");
}

static const char *sk_put_array(const sk_layout *lay, int64_t code, int rank, int d,
                                const char *p, const int64_t *sizes) {
    if (d == rank) {
        if (lay->mode) sk_put_padded(lay, code, p); else sk_put_elem(code, p);
        return p + sk_esize[code & 7];
    }
    sk_puts("[");
    for (int64_t k = 0; k < sizes[d]; k++) {
        if (k && d == rank - 1) sk_puts(" ");
        if (k && d < rank - 1) {
            for (int j = 0; j < rank - 1 - d; j++) sk_puts("\n");
            for (int j = 0; j <= d; j++) sk_puts(" ");
        }
        p = sk_put_array(lay, code, rank, d + 1, p, sizes);
    }
    sk_puts("]");
    return p;
}

static void sk_put_tensor(int64_t code, int rank, const char *data, const int64_t *sizes) {
    int64_t count = 1;
    for (int d = 0; d < rank; d++) count *= sizes[d];
    if (count == 0) { sk_puts("[]"); return; }
    if (rank == 0) { sk_put_elem(code, data); return; }   /* a 0-d array: as its scalar */
    sk_layout lay = sk_plan(code, rank, data, sizes);
    sk_put_array(&lay, code, rank, 0, data, sizes);
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
    sk_put_tensor(code, (int)rank, (const char *)(intptr_t)data, sizes);
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
