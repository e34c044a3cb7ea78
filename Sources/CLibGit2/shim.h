#include <git2.h>
#include <git2/sys/alloc.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

/* Reads the folder open as `fd` into `buffer` as the kernel's linux_dirent64 records; the
 * bytes filled, 0 at the end, -1 with errno on failure. Called directly rather than through
 * readdir, which needs a stat of the folder and an allocation for every folder opened. */
static inline long klab_getdents64(int fd, void *buffer, size_t length) {
    return syscall(SYS_getdents64, fd, buffer, length);
}

/* Makes libgit2 read no configuration but a repository's own: no global, XDG, system or
 * program-data file is searched for again in this process. 0 on success. */
static inline int klab_git_read_only_repository_config(void) {
    int levels[] = { GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_PROGRAMDATA };
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        int error = git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, levels[i], "");
        if (error < 0) return error;
    }
    return 0;
}
/* The folders libgit2 searches for configuration of `level` ("" when none), into `out`. */
static inline int klab_git_config_search_path(git_config_level_t level, git_buf *out) {
    return git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH, level, out);
}

/* libgit2's allocator with a ceiling on any one allocation. A pack read from a hand-in
 * announces each object's size before its data, and libgit2 allocates what is announced: a
 * 300-byte bundle claiming a 22 GB object would otherwise have it ask for 22 GB. Over the
 * ceiling an allocation fails, which libgit2 reports as an ordinary error (out of memory).
 * No ceiling until klab_git_lower_ceiling sets one; read and lowered atomically, as any
 * thread may allocate while another opens a hand-in. */
static size_t klab_git_allocation_ceiling = (size_t)-1;
/* The size of the last allocation refused on this thread (0: none), for the error message. */
static _Thread_local size_t klab_git_refused_size = 0;

static inline size_t klab_git_ceiling(void) {
    return __atomic_load_n(&klab_git_allocation_ceiling, __ATOMIC_RELAXED);
}
/* Lowers the ceiling to `ceiling` (never raises it). */
static inline void klab_git_lower_ceiling(size_t ceiling) {
    size_t current = klab_git_ceiling();
    while (ceiling < current
           && !__atomic_compare_exchange_n(&klab_git_allocation_ceiling, &current, ceiling, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}
static inline int klab_git_over_ceiling(size_t n) {
    if (n <= klab_git_ceiling()) return 0;
    klab_git_refused_size = n;
    return 1;
}
static inline int klab_git_array_over_ceiling(size_t nelem, size_t elsize) {
    if (elsize == 0 || nelem <= klab_git_ceiling() / elsize) return 0;
    klab_git_refused_size = (size_t)-1;
    return 1;
}
static inline size_t klab_git_take_refused_size(void) {
    size_t n = klab_git_refused_size;
    klab_git_refused_size = 0;
    return n;
}

static void *klab_git_malloc(size_t n, const char *file, int line) {
    (void)file; (void)line;
    return klab_git_over_ceiling(n) ? NULL : malloc(n);
}
static void *klab_git_calloc(size_t nelem, size_t elsize, const char *file, int line) {
    (void)file; (void)line;
    if (klab_git_array_over_ceiling(nelem, elsize)) return NULL;
    return calloc(nelem, elsize);
}
static char *klab_git_strdup(const char *str, const char *file, int line) {
    (void)file; (void)line;
    return strdup(str);
}
static char *klab_git_strndup(const char *str, size_t n, const char *file, int line) {
    (void)file; (void)line;
    return klab_git_over_ceiling(n) ? NULL : strndup(str, n);
}
static char *klab_git_substrdup(const char *str, size_t n, const char *file, int line) {
    (void)file; (void)line;
    if (klab_git_over_ceiling(n + 1)) return NULL;
    char *copy = malloc(n + 1);
    if (copy) { memcpy(copy, str, n); copy[n] = '\0'; }
    return copy;
}
static void *klab_git_realloc(void *ptr, size_t size, const char *file, int line) {
    (void)file; (void)line;
    return klab_git_over_ceiling(size) ? NULL : realloc(ptr, size);
}
static void *klab_git_reallocarray(void *ptr, size_t nelem, size_t elsize, const char *file, int line) {
    (void)file; (void)line;
    if (klab_git_array_over_ceiling(nelem, elsize)) return NULL;
    return realloc(ptr, nelem * elsize);
}
static void *klab_git_mallocarray(size_t nelem, size_t elsize, const char *file, int line) {
    (void)file; (void)line;
    if (klab_git_array_over_ceiling(nelem, elsize)) return NULL;
    return malloc(nelem * elsize);
}
static void klab_git_free(void *ptr) { free(ptr); }

/* Installs the capped allocator (call before git_libgit2_init); 0 on success. */
static inline int klab_git_install_allocator(void) {
    static git_allocator allocator = {
        klab_git_malloc, klab_git_calloc, klab_git_strdup, klab_git_strndup, klab_git_substrdup,
        klab_git_realloc, klab_git_reallocarray, klab_git_mallocarray, klab_git_free,
    };
    return git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &allocator);
}
