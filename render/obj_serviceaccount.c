/* obj_serviceaccount.c -- the ServiceAccount feast-<name> the pod runs as. */
#include "doc.h"
#include "render_int.h"

void build_serviceaccount(struct render_ctx *r, struct store *st)
{
	obj_emit(r, st, obj_new(r, st, T_SERVICEACCOUNT, st->fs.feast_name, true, NULL, "feature-server"));
}
