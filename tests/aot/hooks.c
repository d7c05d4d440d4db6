/* print, assert, scalar and tuple results, arithmetic dims and a --sig kernel from C. */
#include <stdio.h>
#include "aot_kernels.h"

int main(void) {
    float x[4] = {1.5f, -2.0f, 0.1f, 3.0f}, y[4];
    int st = aot_kernels_report(4, x, NULL, NULL, 7, 0.1, true);
    printf("report status %d\n", st);
    double f = 0;
    st = aot_kernels_pick(4, x, NULL, NULL, 2, &f);
    printf("pick status %d %.9g\n", st, f);
    st = aot_kernels_pick(4, x, NULL, NULL, -1, &f);
    printf("assert status %d: %s\n", st, aot_kernels_last_error());
    st = aot_kernels_pick(4, x, NULL, NULL, 9, &f);
    printf("index status %d: %s\n", st, aot_kernels_last_error());
    double total = 0; int64_t n = 0; bool big = false;
    st = aot_kernels_stats(4, x, NULL, NULL, 2.5, y, NULL, NULL, &total, &n, &big);
    printf("stats status %d %.9g %.9g %.9g %lld %d\n", st, y[0], y[3], total, (long long)n, big);
    float a[2 * 8], w[8 * 2], p[2 * 2];
    for (int i = 0; i < 16; i++) { a[i] = (float)i; w[i] = 0.5f * (float)(i % 3); }
    st = aot_kernels_project(2, 2, a, NULL, NULL, w, NULL, NULL, p, NULL, NULL);
    printf("project status %d %.9g %.9g %.9g %.9g\n", st, p[0], p[1], p[2], p[3]);
    int64_t wrong[2] = {2, 7};
    st = aot_kernels_project(2, 2, a, wrong, NULL, w, NULL, NULL, p, NULL, NULL);
    printf("project size status %d: %s\n", st, aot_kernels_last_error());
    double dx[6] = {1, 2, 3, 4, 5, 6}, dy[6];
    st = aot_kernels_double(2, 3, dx, NULL, NULL, dy, NULL, NULL);
    printf("double status %d %.9g %.9g\n", st, dy[0], dy[5]);
    st = aot_kernels_pick(4, x, NULL, NULL, 2, NULL);
    printf("null result status %d: %s\n", st, aot_kernels_last_error());
    float m[2 * 3] = {1, 2, 3, 4, 5, 6}, col[2];
    int64_t msizes[2] = {2, 3};
    st = aot_kernels_first_col(2, m, msizes, NULL, col, NULL, NULL);
    printf("first_col status %d %.9g %.9g\n", st, col[0], col[1]);
    st = aot_kernels_first_col(2, m, NULL, NULL, col, NULL, NULL);
    printf("unnamed dims status %d: %s\n", st, aot_kernels_last_error());
    float filled[3] = {0};
    st = aot_kernels_fill(4, x, NULL, NULL, 3, filled, NULL, NULL);
    printf("fill status %d %.9g %.9g\n", st, filled[0], filled[2]);
    st = aot_kernels_fill(4, x, NULL, NULL, -2, filled, NULL, NULL);
    printf("negative fill status %d: %s\n", st, aot_kernels_last_error());
    return 0;
}
