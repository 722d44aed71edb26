/* The cost of waking a thread every period on this machine, in C: the floor under any sampler. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long period_ms = argc > 1 ? atol(argv[1]) : 10;
    int seconds = argc > 2 ? atoi(argv[2]) : 10;
    long n = seconds * 1000 / period_ms;
    struct timespec next, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &next);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    for (long i = 0; i < n; i++) {
        next.tv_nsec += period_ms * 1000000L;
        while (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    double cpu_us = (c1.tv_sec - c0.tv_sec) * 1e6 + (c1.tv_nsec - c0.tv_nsec) / 1e3;
    printf("| clock_nanosleep loop in C (floor) | %ld ms | %ld | %.3f%% | %.1f us |\n", period_ms, n,
           100.0 * cpu_us / (seconds * 1e6), cpu_us / n);
    return 0;
}
