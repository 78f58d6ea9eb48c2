/* intorstr.c -- IntOrString fields as the PDB and Deployment APIs validate them. */
#include "intorstr.h"
#include "arena.h"
#include "diag.h"
#include "doc.h"

#include <inttypes.h>
#include <string.h>

/* k8s.io/apimachinery validation.IsValidPercent, through RegexError. */
#define PERCENT_MSG                                                                                 \
	"a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or " \
	"'93%', regex used for validation is '[0-9]+%')"

struct intorstr_rule {
	const char *path;       /* under spec */
	bool max_100_percent;   /* IsNotMoreThan100Percent */
};

/* Every IntOrString field of the CRD (quantities carry their own schema pattern). */
static const struct intorstr_rule rules[] = {
	{ "services.podDisruptionBudgets.minAvailable", true },
	{ "services.podDisruptionBudgets.maxUnavailable", true },
	{ "services.deploymentStrategy.rollingUpdate.maxUnavailable", true },
	{ "services.deploymentStrategy.rollingUpdate.maxSurge", false },
};

/* "[0-9]+%" -> its number; -1 when s is not a percentage. */
static int64_t percent(const char *s)
{
	size_t n = strspn(s, "0123456789");
	if (!n || strcmp(s + n, "%") != 0 || n > 15)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static void invalid(struct diags *d, const struct node *n, const char *path, const char *msg)
{
	struct diag *x;
	if (n->u.sc.type == SCALAR_INT)
		x = diag_error(d, &n->pos, path, "Invalid value: %s: %s", n->u.sc.s, msg);
	else
		x = diag_error(d, &n->pos, path, "Invalid value: \"%s\": %s", n->u.sc.s, msg);
	x->rule = "int-or-string";
}

/* ValidatePositiveIntOrPercent, then IsNotMoreThan100Percent; the value (int or percent) into *v. */
static size_t check_one(const struct node *n, const struct intorstr_rule *r, struct diags *d, int64_t *v)
{
	const char *path = arena_printf(d->arena, "spec.%s", r->path);
	size_t errors = d->errors;
	if (n->u.sc.type == SCALAR_INT) {
		node_get_int(n, v);
		if (*v < 0)
			invalid(d, n, path, "must be greater than or equal to 0");
	} else if ((*v = percent(n->u.sc.s)) < 0) {
		invalid(d, n, path, PERCENT_MSG);
	} else if (r->max_100_percent && *v > 100) {
		invalid(d, n, path, "must not be greater than 100%");
	}
	return d->errors - errors;
}

size_t intorstr_check(const struct node *spec, struct diags *d)
{
	size_t errors = 0;
	int64_t vals[sizeof(rules) / sizeof(rules[0])];
	const struct node *nodes[sizeof(rules) / sizeof(rules[0])];
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		vals[i] = 25; /* the Deployment's default for both, 25% */
		nodes[i] = node_at(spec, rules[i].path);
		const struct node *n = nodes[i];
		/* other types are the schema's to report */
		if (n && n->kind == NODE_SCALAR && (n->u.sc.type == SCALAR_INT || n->u.sc.type == SCALAR_STR))
			errors += check_one(n, &rules[i], d, &vals[i]);
		else
			nodes[i] = NULL;
	}
	/* ValidateRollingUpdateDeployment: both may not be 0 (maxUnavailable is rules[2], maxSurge rules[3]). */
	if (nodes[2] && !vals[2] && !vals[3]) {
		invalid(d, nodes[2], "spec.services.deploymentStrategy.rollingUpdate.maxUnavailable",
			"may not be 0 when `maxSurge` is 0");
		errors++;
	}
	return errors;
}
