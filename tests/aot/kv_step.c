/* One decode step of examples/kv_cache.py from C: the caches are updated in place. */
#include <math.h>
#include <stdio.h>
#include "kv_cache.h"

#define S 6
#define H 2
#define D 4

int main(void) {
    float q[H * D], k[H * D], v[H * D], ck[S * H * D] = {0}, cv[S * H * D] = {0}, out[H * D];
    for (int i = 0; i < H * D; i++) {
        q[i] = sinf((float)i); k[i] = cosf((float)i); v[i] = 0.1f * (float)i;
    }
    for (int i = 0; i < 2 * H * D; i++) { ck[i] = 0.01f * (float)i; cv[i] = -0.02f * (float)i; }
    int st = kv_cache_decode_step(H, D, S, q, NULL, NULL, k, NULL, NULL, v, NULL, NULL,
                                  ck, NULL, NULL, cv, NULL, NULL, 2, out, NULL, NULL);
    printf("status %d\n", st);
    printf("out");
    for (int i = 0; i < H * D; i++) printf(" %.9g", out[i]);
    printf("\ncache_k");
    for (int i = 0; i < S * H * D; i++) printf(" %.9g", ck[i]);
    printf("\n");
    st = kv_cache_decode_step(H, D, S, q, NULL, NULL, k, NULL, NULL, v, NULL, NULL,
                              ck, NULL, NULL, cv, NULL, NULL, S, out, NULL, NULL);
    printf("pos out of bounds status %d: %s\n", st, kv_cache_last_error());
    return 0;
}
