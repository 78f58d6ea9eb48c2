/* cmd_scale.c -- `kubectl feast scale`: -f edits spec.replicas in a file, NAME scales the live store. */
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "cli.h"
#include "diag.h"
#include "doc.h"
#include "fileio.h"
#include "keda.h"
#include "scale.h"
#include "scale_rules.h"
#include "udiff.h"
#include "yamledit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { OPT_FILENAME = 1, OPT_REPLICAS, OPT_NAME, OPT_DRY_RUN, OPT_FORCE };

static const struct opt scale_opts_table[] = {
	{ "filename", 'f', OPT_VALUE, OPT_FILENAME, "FILE", NULL, NULL,
	  "A YAML file holding the FeatureStore: its spec.replicas is edited in place (for Git); "
	  "no cluster is contacted.", OPT_FILE },
	{ "replicas", 0, OPT_VALUE, OPT_REPLICAS, "N", NULL, NULL,
	  "The new number of replicas (required; at least 1).", 0 },
	{ "name", 0, OPT_VALUE, OPT_NAME, "NAME", NULL, NULL,
	  "With -f: the FeatureStore to scale when FILE holds several.", 0 },
	DRY_RUN_OPT(OPT_DRY_RUN, "With -f, client prints the change as a unified diff instead of writing the "
				 "file.  Without -f, the cluster's own dry run modes."),
	{ "force", 0, OPT_BOOL, OPT_FORCE, NULL, NULL, "false",
	  "With -f: replace FILE even when it is read-only or has other hard links (which keep "
	  "the old content).", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { scale_opts_table, kube_flag_opts, help_opts, NULL };

struct parse_state {
	struct scale_args a;
	bool replicas_set;
	bool file_twice;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct parse_state *p = ctx;
	char *end;
	if (kube_flag_is(o)) {
		if (o->id != KUBE_OPT_NAMESPACE && !p->a.conn_flag)
			p->a.conn_flag = o->name;
		return kube_flags_set(&p->a.kube, o, value, err, errlen);
	}
	switch (o->id) {
	case OPT_FILENAME:
		p->file_twice |= p->a.file != NULL;
		p->a.file = value;
		return 0;
	case OPT_REPLICAS:
		errno = 0;
		p->a.replicas = strtoll(value, &end, 10);
		if (!*value || *end || errno) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"--replicas\" flag: not an integer", value);
			return -1;
		}
		p->replicas_set = true;
		return 0;
	case OPT_NAME:
		p->a.name = value;
		return 0;
	case OPT_FORCE:
		p->a.force = !value || strcmp(value, "true") == 0;
		return 0;
	case OPT_DRY_RUN: {
		int mode = dry_run_mode(value, err, errlen);
		p->a.dry_run = mode == DRY_RUN_CLIENT	? SCALE_DRY_RUN_CLIENT
			       : mode == DRY_RUN_SERVER ? SCALE_DRY_RUN_SERVER
							: SCALE_DRY_RUN_NONE;
		return mode < 0 ? -1 : 0;
	}
	}
	return 0;
}

/* ---- -f: the file in Git ---- */

/* The FeatureStore to edit: by --name and -n; several without --name is a usage error. */
static const struct document *pick_store(const struct scale_args *a, const struct doclist *docs)
{
	const struct document *found = NULL;
	size_t n = 0, matches = 0;
	struct buf names = BUF_INIT;
	for (size_t i = 0; i < docs->n; i++) {
		if (!doc_is_featurestore(docs->v[i].root))
			continue;
		const char *name = node_str_or(node_at(docs->v[i].root, "metadata.name"), "");
		const char *ns = node_str_or(node_at(docs->v[i].root, "metadata.namespace"), NULL);
		buf_addf(&names, "%s%s", n++ ? ", " : "", name);
		if ((a->name && strcmp(a->name, name)) || (a->kube.namespace && ns && strcmp(a->kube.namespace, ns)))
			continue;
		matches++;
		found = &docs->v[i];
	}
	if (!n)
		usage_error(a->cmd, "%s holds no FeatureStore", a->file);
	else if (!matches && a->name)
		usage_error(a->cmd, "%s holds no FeatureStore named \"%s\"%s%s (FeatureStores: %s)", a->file, a->name,
			    a->kube.namespace ? " in namespace " : "", a->kube.namespace ? a->kube.namespace : "",
			    names.data);
	else if (!matches)
		usage_error(a->cmd, "%s holds no FeatureStore in namespace %s (FeatureStores: %s)", a->file,
			    a->kube.namespace, names.data);
	else if (matches > 1)
		usage_error(a->cmd, "%s holds %zu FeatureStores (%s): pick one with --name", a->file, matches,
			    names.data);
	buf_release(&names);
	return matches == 1 ? found : NULL;
}

/* A KEDA ScaledObject of the same file that scales the store, described for messages. */
static const char *scaled_by(struct arena *ar, const struct doclist *docs, const struct document *fs)
{
	struct keda_list l;
	struct diags scratch; /* check_documents() has reported any pairing problem */
	diags_init(&scratch, ar);
	keda_resolve(ar, docs, &l, &scratch);
	const struct keda_so *so = keda_for_store(&l, fs);
	if (!so)
		return NULL;
	return arena_printf(ar, "ScaledObject \"%s\" (%s:%u)", so->name ? so->name : "(unnamed)",
			    so->doc->root->pos.file, so->doc->root->pos.line);
}

/* Parse the edited text again: it must hold spec.replicas = N and pass every check. */
static int verify_edit(struct arena *ar, const struct scale_args *a, const struct buf *text, size_t index,
		       struct diags *d)
{
	struct doclist docs = { 0 };
	const char *name = arena_printf(ar, "%s (edited)", a->file);
	struct diags v; /* its warnings were given for the file as it is */
	diags_init(&v, ar);
	if (yaml_parse(ar, name, text->data, text->len, NULL, &docs, &v) < 0 || check_documents(ar, &docs, &v)) {
		for (size_t i = 0; i < v.n; i++)
			if (v.v[i].level == DIAG_ERROR)
				diag_error(d, &v.v[i].pos, v.v[i].path, "%s", v.v[i].msg)->rule = v.v[i].rule;
		return -1;
	}
	int64_t got = 0;
	const struct document *fs = NULL;
	for (size_t i = 0; i < docs.n; i++)
		if (docs.v[i].index == index)
			fs = &docs.v[i];
	if (!fs || !node_get_int(node_at(fs->root, "spec.replicas"), &got) || got != a->replicas) {
		struct pos pos = { a->file, 0, 0 };
		diag_error(d, &pos, "spec.replicas", "the edit did not come out as intended; the file is left as it was");
		return -1;
	}
	return 0;
}

/* Show or write the new text; stdout gets the diff or one line like kubectl's. */
static int finish(const struct scale_args *a, const struct document *fs, const struct buf *text, struct diags *d)
{
	const char *name = node_str_or(node_at(fs->root, "metadata.name"), "");
	bool same = text->len == fs->src_len && !memcmp(text->data, fs->src, text->len);
	if (a->dry_run == SCALE_DRY_RUN_CLIENT) {
		struct buf diff = BUF_INIT;
		udiff(&diff, a->file, fs->src, fs->src_len, a->file, text->data, text->len, 3);
		fwrite(diff.data ? diff.data : "", 1, diff.len, stdout);
		buf_release(&diff);
		return EXIT_OK;
	}
	if (same) {
		printf("featurestore.feast.dev/%s unchanged\n", name);
		return EXIT_OK;
	}
	if (file_check_replaceable(a->file, a->force, d) < 0 ||
	    write_file_atomic(a->file, text->data, text->len, d) < 0)
		return EXIT_INVALID;
	printf("featurestore.feast.dev/%s scaled\n", name);
	return EXIT_OK;
}

static int edit_file(struct arena *ar, const struct scale_args *a, struct diags *d)
{
	struct file_args files = { { a->file }, 1, false };
	struct inputs in;
	memset(&in, 0, sizeof(in));
	if (load_inputs(ar, &files, &in, d) < 0 || check_documents(ar, &in.docs, d))
		return EXIT_INVALID;
	const struct document *fs = pick_store(a, &in.docs);
	if (!fs)
		return EXIT_USAGE;
	if (scale_check_rules(fs->root, a->replicas, scaled_by(ar, &in.docs, fs), d))
		return EXIT_INVALID;
	struct buf text = BUF_INIT;
	const char *value = arena_printf(ar, "%" PRId64, a->replicas);
	int rc = EXIT_INVALID;
	/* Only the value's bytes change; a new key goes right after feastProject. */
	if (yamledit_set_scalar(fs, "spec", "replicas", value, "feastProject", &text, d) == 0 &&
	    verify_edit(ar, a, &text, fs->index, d) == 0)
		rc = finish(a, fs, &text, d);
	buf_release(&text);
	return rc;
}

static int scale_file(const struct scale_args *a)
{
	struct stat st;
	if (a->conn_flag)
		return usage_error(a->cmd, "--%s: -f edits the file and does not talk to a cluster", a->conn_flag);
	if (a->dry_run == SCALE_DRY_RUN_SERVER)
		return usage_error(a->cmd, "--dry-run=server needs a cluster; with -f, --dry-run=client shows the diff");
	if (!strcmp(a->file, "-"))
		return usage_error(a->cmd, "-f - cannot be edited in place: name the file");
	if (stat(a->file, &st) == 0 && !S_ISREG(st.st_mode))
		return usage_error(a->cmd, "-f %s: not a regular file (scale edits one file in place)", a->file);
	struct arena ar = ARENA_INIT;
	struct diags d;
	diags_init(&d, &ar);
	int rc = edit_file(&ar, a, &d);
	diags_print(stderr, &d);
	if (rc == EXIT_INVALID && d.errors)
		fprintf(stderr, "%s was not changed\n", a->file);
	arena_free(&ar);
	return rc;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct parse_state p;
	memset(&p, 0, sizeof(p));
	p.a.cmd = cmd;
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &p, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (p.file_twice)
		return usage_error(cmd, "-f takes one file");
	if (args.n > 1)
		return usage_error(cmd, "unexpected argument \"%s\"", args.v[1]);
	if (!p.replicas_set)
		return usage_error(cmd, "required flag \"replicas\" not set");
	if (p.a.file && args.n)
		return usage_error(cmd, "give either -f FILE (edit the file) or NAME (scale the live store), not both");
	if (p.a.file)
		return scale_file(&p.a);
	if (!args.n)
		return usage_error(cmd, "must specify -f FILE (edit the file in Git) or NAME (scale the live store)");
	if (p.a.name)
		return usage_error(cmd, "--name picks a store in the -f file; give the live store's name as NAME");
	if (p.a.force)
		return usage_error(cmd, "--force is for -f FILE (replace a read-only or hard-linked file)");
	p.a.name = args.v[0];
	return scale_live(&p.a);
}

const struct command cmd_scale = {
	"scale",
	"Set the replica count of a FeatureStore: in its file (-f), or in the cluster (NAME).",
	"kubectl feast scale -f FILE --replicas=N [--name NAME] [-n NAMESPACE] [--dry-run=client]\n"
	"  kubectl feast scale NAME --replicas=N [-n NAMESPACE] [--dry-run=none|client|server]",
	"Two modes.  Unlike kubectl scale, whose -f names the live object to scale, here\n"
	"-f FILE changes the file: spec.replicas of the FeatureStore in FILE is edited in place for\n"
	"Git (only those bytes change: comments, key order, quoting and other documents stay as\n"
	"they are; the field is added after feastProject when absent; the file is replaced\n"
	"atomically, keeping its mode, owner and group) and no cluster is contacted; a read-only\n"
	"file, or one with other hard links, is refused unless --force.\n"
	"scale NAME changes the live cluster instead.\n"
	"\n"
	"Both modes refuse, with exit code 1 and nothing changed, a count below 1, a store whose\n"
	"count an HPA (services.scaling.autoscaling) or a KEDA ScaledObject owns, and a count above\n"
	"1 for a store with file-based persistence (the Feast operator's rules and messages).\n"
	"\n"
	"Exit codes: 0 ok, 1 invalid or refused, 2 usage error, 3 cluster or API failure.",
	groups, run,
};
