/* backend.c -- choose where the Lease lives: the API server, or a local file. */
#include "backend.h"
#include "config.h"
#include "lease_io.h"
#include "sccli.h"

#include <stdio.h>

struct lease_io *backend_open(struct sc_config *cfg, int *code, char *err, size_t n)
{
	*code = SC_CONFIG;
	if (cfg->lease_file) {
		if (!cfg->namespace)
			cfg->namespace = "local";
		return lease_file_open(cfg->lease_file, cfg->lease, err, n);
	}
	snprintf(err, n, "no API server backend in this build; use --lease-file");
	return NULL;
}
