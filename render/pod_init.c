/* pod_init.c -- the init containers: feast-init (create the repo, write and complete
 * feature_store.yaml), feast-apply, or feast-config when init containers are disabled. */
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "render_int.h"

#include <string.h>

static struct node *init_container(struct render_ctx *r, const struct store *st, const char *name)
{
	struct node *c = tmpl_clone(r, T_CONTAINER);
	map_set(r->a, c, "name", str_node(r, name));
	map_set(r->a, c, "image", str_node(r, st->fs.init_image));
	return c;
}

/* A value pasted into the init script as one shell word: as it is when every character is
 * inert (so the usual paths and names read as before), else in single quotes, each ' as
 * '\''.  Spec fields such as secretKeyName and mountPath may hold anything. */
static const char *sh_word(struct render_ctx *r, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") ==
			  strlen(s))
		return s;
	struct buf b = BUF_INIT;
	buf_addc(&b, '\'');
	for (const char *p = s; *p; p++)
		buf_adds(&b, *p == '\'' ? "'\\''" : (char[]){ *p, 0 });
	buf_addc(&b, '\'');
	const char *q = arena_strndup(r->a, b.data, b.len);
	buf_release(&b);
	return q;
}

/* `python3 SCRIPT FILE OPS`: the values mounted from Secrets and ConfigMaps go into
 * feature_store.yaml here, at pod start, and nowhere else.  The script comes from the
 * namespace's ConfigMap (mount_extras in obj_deployment.c). */
static void merge_step(struct render_ctx *r, const struct store *st, struct buf *b, const char *target)
{
	if (!st->nops)
		return;
	buf_addf(b, "python3 %s/%s %s", MERGE_SCRIPT_DIR, MERGE_SCRIPT_KEY, target);
	for (int i = 0; i < st->nops; i++) {
		const struct merge_op *op = &st->ops[i];
		buf_addf(b, " \\\n  %s %s %s %s", sh_word(r, op->op), sh_word(r, op->section), sh_word(r, op->arg),
			 sh_word(r, op->file));
	}
	buf_adds(b, "\n");
}

/* The operator's `feast init` / `git clone` command.  The git settings (configs, url, ref)
 * are pasted unquoted, as the operator does, so `${TOKEN}` from the container's envFrom
 * expands there: they are the operator's shell text, trusted like CronJob commands.  The
 * paths and names render builds are quoted. */
static void create_command(struct render_ctx *r, const struct store *st, struct buf *b)
{
	const struct fs *fs = &st->fs;
	const struct node *cfg = fs->projdir_cfg;
	if (fs->projdir == PROJDIR_GIT) {
		const char *project_path = sh_word(r, arena_printf(r->a, "%s/%s", fs->mount, fs->project));
		buf_adds(b, "git");
		const struct node *configs = map_get(cfg, "configs");
		/* Sorted, where the operator iterates a Go map in random order. */
		size_t n = configs && configs->kind == NODE_MAP ? configs->u.map.n : 0;
		const struct pair *sorted[n ? n : 1];
		for (size_t i = 0; i < n; i++) {
			size_t j = i;
			for (; j > 0 && strcmp(sorted[j - 1]->key, configs->u.map.v[i].key) > 0; j--)
				sorted[j] = sorted[j - 1];
			sorted[j] = &configs->u.map.v[i];
		}
		for (size_t i = 0; i < n; i++)
			buf_addf(b, " -c %s=%s", sorted[i]->key, node_str_or(sorted[i]->val, ""));
		buf_addf(b, " clone %s %s", node_str_or(map_get(cfg, "url"), ""), project_path);
		const char *ref = node_str_or(map_get(cfg, "ref"), NULL);
		if (ref && *ref)
			buf_addf(b, " && cd %s && git checkout %s", project_path, ref);
		return;
	}
	buf_adds(b, "feast init");
	if (node_is_true(map_get(cfg, "minimal")))
		buf_adds(b, " -m");
	const char *tpl = node_str_or(map_get(cfg, "template"), NULL);
	if (tpl && *tpl)
		buf_addf(b, " -t %s", sh_word(r, tpl));
	buf_addf(b, " %s", sh_word(r, fs->project));
}

static const char *init_script(struct render_ctx *r, const struct store *st)
{
	struct buf b = BUF_INIT;
	const char *repo = sh_word(r, st->fs.repo_dir);
	const char *fs_yaml = sh_word(r, arena_printf(r->a, "%s/feature_store.yaml", st->fs.repo_dir));
	if (st->fs.projdir == PROJDIR_PACKAGED) {
		buf_adds(&b, "set -euo pipefail\n"
			     "echo \"Staging packaged feast repository...\"\n"
			     "if [[ ! -d \"${FEAST_PACKAGED_FEATURE_REPO_PATH}\" ]]; then echo \"Packaged feature "
			     "repository not found: ${FEAST_PACKAGED_FEATURE_REPO_PATH}\" >&2; exit 1; fi\n"
			     "rm -rf -- \"${FEAST_STAGED_FEATURE_REPO_PATH}\"\n"
			     "mkdir -p -- \"${FEAST_STAGED_FEATURE_REPO_PATH}\"\n"
			     "cp -a -- \"${FEAST_PACKAGED_FEATURE_REPO_PATH}/.\" \"${FEAST_STAGED_FEATURE_REPO_PATH}/\"\n"
			     "printf '%s' \"${TMP_FEATURE_STORE_YAML_BASE64}\" | base64 -d > "
			     "\"${FEAST_STAGED_FEATURE_REPO_PATH}/feature_store.yaml\"\n");
		merge_step(r, st, &b, "\"${FEAST_STAGED_FEATURE_REPO_PATH}/feature_store.yaml\"");
		buf_adds(&b, "echo \"Packaged feast repository staging complete\"\n");
	} else {
		buf_adds(&b, "set -e\necho \"Creating feast repository...\"\n");
		buf_addf(&b, "if [[ ! -d %s ]]; then ", repo);
		create_command(r, st, &b);
		buf_addf(&b, "; fi\necho \"$TMP_FEATURE_STORE_YAML_BASE64\" | base64 -d > %s\n", fs_yaml);
		merge_step(r, st, &b, fs_yaml);
		buf_adds(&b, "echo \"Feast repo creation complete\"\n");
	}
	const char *s = arena_strndup(r->a, b.data, b.len);
	buf_release(&b);
	return s;
}

static struct node *bash(struct render_ctx *r)
{
	static const char *const cmd[] = { "bash", "-c" };
	return strs_node(r, cmd, 2);
}

static struct node *feast_init(struct render_ctx *r, const struct store *st)
{
	const struct fs *fs = &st->fs;
	struct node *c = init_container(r, st, "feast-init");
	map_set(r->a, c, "command", bash(r));
	const char *script = init_script(r, st);
	struct node *args = node_seq(r->a, NULL);
	seq_push(r->a, args, node_scalar(r->a, NULL, script, strlen(script), SCALAR_STR, STYLE_LITERAL));
	map_set(r->a, c, "args", args);
	map_set(r->a, c, "workingDir", str_node(r, fs->mount));
	struct node *env = node_seq(r->a, NULL);
	seq_push(r->a, env, env_var(r, "TMP_FEATURE_STORE_YAML_BASE64", st->fs_yaml_b64));
	if (fs->projdir == PROJDIR_GIT) {
		env_override(r, env, map_get(fs->projdir_cfg, "env"));
		set_user(r, c, "envFrom", map_get(fs->projdir_cfg, "envFrom"));
	} else if (fs->projdir == PROJDIR_PACKAGED) {
		seq_push(r->a, env, env_var(r, "FEAST_PACKAGED_FEATURE_REPO_PATH",
					    node_str_or(map_get(fs->projdir_cfg, "featureRepoPath"), "")));
		seq_push(r->a, env, env_var(r, "FEAST_STAGED_FEATURE_REPO_PATH", fs->repo_dir));
	}
	map_set(r->a, c, "env", env);
	return c;
}

/* feast apply needs the stores, so it inherits env, envFrom and mounts of every server. */
static struct node *feast_apply(struct render_ctx *r, const struct store *st)
{
	static const enum srv order[] = { SRV_REGISTRY, SRV_ONLINE, SRV_OFFLINE };
	static const char *const cmd[] = { "feast", "apply" };
	struct node *c = init_container(r, st, "feast-apply");
	map_set(r->a, c, "command", strs_node(r, cmd, 2));
	map_set(r->a, c, "workingDir", str_node(r, st->fs.repo_dir));
	struct node *env = node_seq(r->a, NULL), *env_from = node_seq(r->a, NULL);
	struct node *mounts = node_seq(r->a, NULL);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct server *sv = &st->fs.srv[order[i]];
		if (!sv->on)
			continue;
		env_override(r, env, map_get(sv->cfg, "env"));
		const struct node *from = map_get(sv->cfg, "envFrom");
		node_seq_each(from, e)
			seq_push(r->a, env_from, user_copy(r, e));
		const struct node *vm = map_get(sv->cfg, "volumeMounts");
		node_seq_each(vm, m) {
			const char *path = node_text(map_get(m, "mountPath"));
			if (path && !seq_find_by(mounts, "mountPath", path))
				seq_push(r->a, mounts, user_copy(r, m));
		}
	}
	set_user(r, c, "envFrom", env_from);
	set_user(r, c, "env", env);
	set_user(r, c, "volumeMounts", mounts);
	return c;
}

/* With init containers disabled, only the merge runs, into a file of its own that the
 * servers find through FEAST_FS_YAML_FILE_PATH. */
static struct node *feast_config(struct render_ctx *r, const struct store *st)
{
	struct node *c = init_container(r, st, "feast-config");
	map_set(r->a, c, "command", bash(r));
	struct buf b = BUF_INIT;
	buf_addf(&b, "set -e\necho \"$TMP_FEATURE_STORE_YAML_BASE64\" | base64 -d > %s/feature_store.yaml\n",
		 FEAST_CONFIG_DIR);
	merge_step(r, st, &b, FEAST_CONFIG_DIR "/feature_store.yaml");
	struct node *args = node_seq(r->a, NULL);
	seq_push(r->a, args, node_scalar(r->a, NULL, b.data, b.len, SCALAR_STR, STYLE_LITERAL));
	buf_release(&b);
	map_set(r->a, c, "args", args);
	struct node *env = node_seq(r->a, NULL);
	seq_push(r->a, env, env_var(r, "TMP_FEATURE_STORE_YAML_BASE64", st->fs_yaml_b64));
	map_set(r->a, c, "env", env);
	return c;
}

void add_init_containers(struct render_ctx *r, const struct store *st, struct node *pod)
{
	struct node *inits = node_seq(r->a, NULL);
	if (st->fs.init_containers) {
		seq_push(r->a, inits, feast_init(r, st));
		if (st->fs.run_apply)
			seq_push(r->a, inits, feast_apply(r, st));
	} else if (st->nops) {
		seq_push(r->a, inits, feast_config(r, st));
	}
	if (inits->u.seq.n)
		map_set(r->a, pod, "initContainers", inits);
}
