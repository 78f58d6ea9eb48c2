/* curl_dl.c -- libcurl for kubectl-feast, loaded only when a command talks to a cluster.
 *
 * Why: Debian's libcurl brings 33 shared libraries (OpenSSL, GnuTLS through LDAP, Kerberos,
 * ...). Linked directly, every `kubectl feast render` in a GitOps pipeline paid for loading them
 * on start: about 2.5 ms of a 5 ms run and 6 MiB of its peak RSS, though render never opens a
 * connection. So kubectl-feast is linked without -lcurl and with this file instead. It defines the
 * libcurl functions the kube client calls, with libcurl's own prototypes from <curl/curl.h>; the
 * first call opens libcurl.so.4 with dlopen() and every call forwards to the real function.
 *
 * Contract:
 * - Only kubectl-feast links this file. feast-sidecar, the unit tests and kubectl-lite link
 *   -lcurl as before (it lives outside libfeast.a so the archive never hides the real library).
 * - The kube client calls curl_global_init() before anything else. When libcurl cannot be
 *   loaded it returns CURLE_FAILED_INIT, and curl_easy_strerror() of that code then names the
 *   loader's error and the Debian package to install, so the caller's message says what to do.
 * - The library stays loaded until exit; nothing here allocates.
 */
#define CURL_DISABLE_TYPECHECK /* the GCC type-checking macros would rename our definitions */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#define LIBCURL_SONAME "libcurl.so.4"

/* X(return type, value when libcurl is missing, name, parameters, arguments) */
#define CURL_CALLS(X)                                                                                 \
	X(CURLcode, CURLE_FAILED_INIT, curl_global_init, (long flags), (flags))                        \
	X(CURL *, NULL, curl_easy_init, (void), ())                                                    \
	X(CURLcode, CURLE_FAILED_INIT, curl_easy_perform, (CURL * h), (h))                             \
	X(struct curl_slist *, NULL, curl_slist_append, (struct curl_slist * l, const char *s), (l, s)) \
	X(CURLU *, NULL, curl_url, (void), ())                                                         \
	X(CURLUcode, CURLUE_OUT_OF_MEMORY, curl_url_get,                                               \
	  (CURLU * u, CURLUPart what, char **part, unsigned int flags), (u, what, part, flags))    \
	X(CURLUcode, CURLUE_OUT_OF_MEMORY, curl_url_set,                                               \
	  (CURLU * u, CURLUPart what, const char *part, unsigned int flags), (u, what, part, flags))   \
	X(CURLM *, NULL, curl_multi_init, (void), ())                                                  \
	X(CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_add_handle, (CURLM * m, CURL * h), (m, h))       \
	X(CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_remove_handle, (CURLM * m, CURL * h), (m, h))    \
	X(CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_perform, (CURLM * m, int *running), (m, running)) \
	X(CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_poll,                                            \
	  (CURLM * m, struct curl_waitfd extra[], unsigned int n, int ms, int *numfds),                \
	  (m, extra, n, ms, numfds))                                                                   \
	X(CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_wakeup, (CURLM * m), (m))                        \
	X(CURLMsg *, NULL, curl_multi_info_read, (CURLM * m, int *left), (m, left))                    \
	X(CURLMcode, CURLM_INTERNAL_ERROR, curl_multi_cleanup, (CURLM * m), (m))

/* X(name, parameters, arguments) for the functions that return nothing */
#define CURL_VOID_CALLS(X)                                              \
	X(curl_global_cleanup, (void), ())                              \
	X(curl_easy_cleanup, (CURL * h), (h))                           \
	X(curl_easy_reset, (CURL * h), (h))                             \
	X(curl_slist_free_all, (struct curl_slist * l), (l))            \
	X(curl_url_cleanup, (CURLU * u), (u))                           \
	X(curl_free, (void *p), (p))

/* The variadic ones, forwarded by hand below. */
#define CURL_VARIADIC_CALLS(X) X(curl_easy_setopt) X(curl_easy_getinfo) X(curl_multi_setopt) X(curl_easy_strerror)

#define INDEX(ret, fail, name, ...) I_##name,
#define INDEX_VOID(name, ...) I_##name,
#define INDEX_OTHER(name) I_##name,
enum { CURL_CALLS(INDEX) CURL_VOID_CALLS(INDEX_VOID) CURL_VARIADIC_CALLS(INDEX_OTHER) N_CALLS };

#define NAME(ret, fail, name, ...) #name,
#define NAME_VOID(name, ...) #name,
#define NAME_OTHER(name) #name,
static const char *const call_name[N_CALLS] = { CURL_CALLS(NAME) CURL_VOID_CALLS(NAME_VOID)
							CURL_VARIADIC_CALLS(NAME_OTHER) };

static void *call[N_CALLS];
static char load_error[512];
static int load_ok;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *lib = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(load_error, sizeof(load_error), "%s (cluster commands need libcurl: apt-get install libcurl4)",
			 dlerror());
		return;
	}
	for (int i = 0; i < N_CALLS; i++) {
		call[i] = dlsym(lib, call_name[i]);
		if (!call[i]) {
			snprintf(load_error, sizeof(load_error), "%s has no %s: libcurl 7.68 or later is needed",
				 LIBCURL_SONAME, call_name[i]);
			return;
		}
	}
	load_ok = 1;
}

static int loaded(void)
{
	pthread_once(&load_once, load);
	return load_ok;
}

#define FORWARD(ret, fail, name, params, args) \
	ret name params { return loaded() ? ((ret(*) params)call[I_##name]) args : fail; }
#define FORWARD_VOID(name, params, args)                   \
	void name params                                   \
	{                                                  \
		if (loaded())                              \
			((void(*) params)call[I_##name]) args; \
	}
CURL_CALLS(FORWARD)
CURL_VOID_CALLS(FORWARD_VOID)

const char *curl_easy_strerror(CURLcode code)
{
	if (!loaded())
		return load_error;
	return ((const char *(*)(CURLcode))call[I_curl_easy_strerror])(code);
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	if (!loaded())
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, info);
	void *out = va_arg(ap, void *); /* every CURLINFO_* answer is written through a pointer */
	va_end(ap);
	return ((CURLcode(*)(CURL *, CURLINFO, ...))call[I_curl_easy_getinfo])(h, info, out);
}

/* A setopt argument's C type follows from the option's number range (CURLOPTTYPE_*), the same
 * for easy and multi options, so one va_arg of the right type carries it across. */
typedef void (*any_function)(void);
#define PASS_OPTION(rc, f, h, option, ap)                                     \
	do {                                                                  \
		if ((option) < CURLOPTTYPE_OBJECTPOINT)                       \
			rc = f(h, option, va_arg(ap, long));                  \
		else if ((option) < CURLOPTTYPE_FUNCTIONPOINT)                \
			rc = f(h, option, va_arg(ap, void *));                \
		else if ((option) < CURLOPTTYPE_OFF_T)                        \
			rc = f(h, option, va_arg(ap, any_function));          \
		else if ((option) < CURLOPTTYPE_BLOB)                         \
			rc = f(h, option, va_arg(ap, curl_off_t));            \
		else                                                          \
			rc = f(h, option, va_arg(ap, void *)); /* a blob */   \
	} while (0)

CURLcode curl_easy_setopt(CURL *h, CURLoption option, ...)
{
	if (!loaded())
		return CURLE_FAILED_INIT;
	CURLcode (*f)(CURL *, CURLoption, ...) = (CURLcode(*)(CURL *, CURLoption, ...))call[I_curl_easy_setopt];
	CURLcode rc;
	va_list ap;
	va_start(ap, option);
	PASS_OPTION(rc, f, h, option, ap);
	va_end(ap);
	return rc;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption option, ...)
{
	if (!loaded())
		return CURLM_INTERNAL_ERROR;
	CURLMcode (*f)(CURLM *, CURLMoption, ...) = (CURLMcode(*)(CURLM *, CURLMoption, ...))call[I_curl_multi_setopt];
	CURLMcode rc;
	va_list ap;
	va_start(ap, option);
	PASS_OPTION(rc, f, m, option, ap);
	va_end(ap);
	return rc;
}
