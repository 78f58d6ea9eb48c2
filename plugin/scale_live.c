/* scale_live.c -- `kubectl feast scale NAME`: the live mode, not built yet (see scale.h). */
#include "cli.h"
#include "scale.h"

int scale_live(const struct scale_args *a)
{
	(void)a;
	return usage_error(a->cmd, "scale NAME talks to a cluster: not available in this build "
				   "(scale -f FILE changes the FeatureStore in its file)");
}
