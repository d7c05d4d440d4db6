/* Links two libraries built from different files (softmax.py, layernorm.py) into one
   program, calls both and prints the results; then exercises the error paths. */
#include <math.h>
#include <stdio.h>
#include "softmax.h"
#include "layernorm.h"

#define B 3
#define N 5

static void show(const char *name, const float *v, int n) {
    printf("%s", name);
    for (int i = 0; i < n; i++) printf(" %.9g", v[i]);
    printf("\n");
}

int main(void) {
    float x[B * N], gamma[N], beta[N], out[B * N], out2[B * N];
    for (int i = 0; i < B * N; i++) x[i] = sinf((float)i);
    for (int i = 0; i < N; i++) { gamma[i] = 1.0f + 0.5f * (float)i; beta[i] = 0.25f * (float)i; }

    int st = softmax_softmax(B, N, x, NULL, NULL, out, NULL, NULL);
    printf("softmax status %d\n", st);
    show("softmax", out, B * N);

    st = layernorm_layernorm(B, N, x, NULL, NULL, gamma, NULL, NULL, beta, NULL, NULL,
                             out2, NULL, NULL);
    printf("layernorm status %d\n", st);
    show("layernorm", out2, B * N);

    /* x read transposed: sizes (N, B), strides (1, N) over the same buffer */
    int64_t tsizes[2] = {N, B}, tstrides[2] = {1, N};
    st = softmax_softmax(N, B, x, tsizes, tstrides, out, NULL, NULL);
    printf("transposed status %d\n", st);
    show("transposed", out, B * N);

    /* error paths */
    int64_t bad[2] = {B, N + 1};
    st = softmax_softmax(B, N, x, bad, NULL, out, NULL, NULL);
    printf("wrong size status %d: %s\n", st, softmax_last_error());
    st = softmax_softmax(B, N, NULL, NULL, NULL, out, NULL, NULL);
    printf("null data status %d: %s\n", st, softmax_last_error());
    st = softmax_softmax(B, N, x, NULL, NULL, NULL, NULL, NULL);
    printf("null out status %d: %s\n", st, softmax_last_error());
    st = softmax_softmax(-1, N, x, NULL, NULL, out, NULL, NULL);
    printf("negative status %d: %s\n", st, softmax_last_error());
    int64_t zero[2] = {0, 1};
    st = softmax_softmax(B, N, x, NULL, NULL, out, NULL, zero);
    printf("zero stride out status %d: %s\n", st, softmax_last_error());
    st = layernorm_layernorm(B, N, x, NULL, NULL, gamma, bad + 1, NULL, beta, NULL, NULL,
                             out2, NULL, NULL);
    printf("gamma size status %d: %s\n", st, layernorm_last_error());
    st = softmax_softmax(B, N, x, NULL, NULL, out, NULL, NULL);
    printf("after errors status %d, last error '%s'\n", st, softmax_last_error());
    return 0;
}
