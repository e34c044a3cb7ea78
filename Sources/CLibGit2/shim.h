#include <git2.h>
#include <git2/sys/alloc.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* libgit2's allocator with a ceiling on any one allocation. A pack read from a hand-in
 * announces each object's size before its data, and libgit2 allocates what is announced: a
 * 300-byte bundle claiming a 22 GB object would otherwise have it ask for 22 GB. Over the
 * ceiling an allocation fails, which libgit2 reports as an ordinary error (out of memory). */
static size_t klab_git_allocation_ceiling = (size_t)-1;

static void *klab_git_malloc(size_t n, const char *file, int line) {
    (void)file; (void)line;
    return n > klab_git_allocation_ceiling ? NULL : malloc(n);
}
static void *klab_git_calloc(size_t nelem, size_t elsize, const char *file, int line) {
    (void)file; (void)line;
    if (elsize && nelem > klab_git_allocation_ceiling / elsize) return NULL;
    return calloc(nelem, elsize);
}
static char *klab_git_strdup(const char *str, const char *file, int line) {
    (void)file; (void)line;
    return strdup(str);
}
static char *klab_git_strndup(const char *str, size_t n, const char *file, int line) {
    (void)file; (void)line;
    return n > klab_git_allocation_ceiling ? NULL : strndup(str, n);
}
static char *klab_git_substrdup(const char *str, size_t n, const char *file, int line) {
    (void)file; (void)line;
    if (n >= klab_git_allocation_ceiling) return NULL;
    char *copy = malloc(n + 1);
    if (copy) { memcpy(copy, str, n); copy[n] = '\0'; }
    return copy;
}
static void *klab_git_realloc(void *ptr, size_t size, const char *file, int line) {
    (void)file; (void)line;
    return size > klab_git_allocation_ceiling ? NULL : realloc(ptr, size);
}
static void *klab_git_reallocarray(void *ptr, size_t nelem, size_t elsize, const char *file, int line) {
    (void)file; (void)line;
    if (elsize && nelem > klab_git_allocation_ceiling / elsize) return NULL;
    return realloc(ptr, nelem * elsize);
}
static void *klab_git_mallocarray(size_t nelem, size_t elsize, const char *file, int line) {
    (void)file; (void)line;
    if (elsize && nelem > klab_git_allocation_ceiling / elsize) return NULL;
    return malloc(nelem * elsize);
}
static void klab_git_free(void *ptr) { free(ptr); }

/* Installs the capped allocator (call before git_libgit2_init); 0 on success. */
static inline int klab_git_limit_allocations(size_t ceiling) {
    static git_allocator allocator = {
        klab_git_malloc, klab_git_calloc, klab_git_strdup, klab_git_strndup, klab_git_substrdup,
        klab_git_realloc, klab_git_reallocarray, klab_git_mallocarray, klab_git_free,
    };
    klab_git_allocation_ceiling = ceiling;
    return git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &allocator);
}
