/* cmd_completion.c -- shell completion: `kubectl feast completion bash|zsh` and the hidden `__complete`.
 *
 * `kubectl-feast __complete WORD... CUR` answers one completion request the
 * way a cobra program does, which is what kubectl 1.26+ expects from
 * kubectl_complete-feast: the words after `kubectl feast` (the last one being
 * completed, "" for a new word), one candidate per line (`value<TAB>help` for
 * commands and flags), then `:<directive>`.  Candidates come from commands[]
 * and the option tables: command names, flag names, choices lists (`-o yaml|json`),
 * true/false for booleans written `--flag=`, file names for OPT_FILE flags.
 * The bash and zsh scripts call the same entry point for kubectl-feast run
 * directly.
 */
#include "buf.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* cobra's ShellCompDirective bits. */
enum {
	COMP_ERROR = 1,
	COMP_NOSPACE = 2,
	COMP_NOFILE = 4,
	COMP_FILTER_EXT = 8,
	COMP_FILTER_DIRS = 16,
};

static const char *const shells[] = { "bash", "zsh", NULL };

extern const struct command cmd_completion;

/* ---- the request ---- */

static bool prefixed(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One candidate line; descriptions stop at the first line break. */
static void cand(struct buf *out, const char *value, const char *help, const char *cur)
{
	if (!prefixed(value, cur))
		return;
	buf_adds(out, value);
	if (help && *help) {
		buf_addc(out, '\t');
		buf_add(out, help, strcspn(help, "\n"));
	}
	buf_addc(out, '\n');
}

static void complete_commands(struct buf *out, const char *cur)
{
	for (const struct command *const *c = commands; *c; c++)
		cand(out, (*c)->name, (*c)->summary, cur);
}

/* What the words before the one being completed say. */
struct scan {
	const struct opt *pending;   /* the last word is a flag still waiting for its value */
	const struct opt *seen[128]; /* flags given */
	size_t nseen;
	int npos;                    /* positional arguments */
	bool dashdash;
};

static void seen_add(struct scan *s, const struct opt *o)
{
	if (s->nseen < sizeof(s->seen) / sizeof(s->seen[0]))
		s->seen[s->nseen++] = o;
}

static bool seen_has(const struct scan *s, const struct opt *o)
{
	for (size_t i = 0; i < s->nseen; i++)
		if (s->seen[i] == o)
			return true;
	return false;
}

/* Follows opts_parse(): --name=value, --name value, -abc, -nvalue, -n value. */
static void scan_words(const struct opt *const *tables, int n, char **w, struct scan *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		const char *a = w[i];
		s->pending = NULL;
		if (s->dashdash || a[0] != '-' || !a[1]) {
			s->npos++;
		} else if (!strcmp(a, "--")) {
			s->dashdash = true;
		} else if (a[1] == '-') {
			size_t len = strcspn(a + 2, "=");
			const struct opt *o = opts_find_long(tables, a + 2, len);
			if (!o)
				continue;
			seen_add(s, o);
			if (o->arg == OPT_VALUE && !a[2 + len])
				s->pending = o;
		} else {
			for (const char *p = a + 1; *p; p++) {
				const struct opt *o = opts_find_short(tables, *p);
				if (!o)
					break;
				seen_add(s, o);
				if (o->arg == OPT_BOOL)
					continue;
				if (o->arg == OPT_VALUE && !p[1])
					s->pending = o;
				break;
			}
		}
	}
}

static int complete_value(struct buf *out, const struct opt *o, const char *cur)
{
	if (o->arg == OPT_BOOL) {
		cand(out, "true", NULL, cur);
		cand(out, "false", NULL, cur);
		return COMP_NOFILE;
	}
	if (o->choices) {
		for (const char *p = o->choices; *p;) {
			size_t len = strcspn(p, "|");
			char v[128];
			snprintf(v, sizeof(v), "%.*s", (int)len, p);
			cand(out, v, NULL, cur);
			p += len + (p[len] == '|');
		}
		return COMP_NOFILE;
	}
	if (o->flags & OPT_FILE) {
		/* kubectl's -f: manifests by extension (directories are always offered). */
		if (!strcmp(o->name, "filename")) {
			buf_adds(out, "yaml\nyml\njson\n");
			return COMP_FILTER_EXT;
		}
		return 0;  /* any file: the shell's own completion */
	}
	return COMP_NOFILE;
}

static int complete_flags(struct buf *out, const struct opt *const *tables, const struct scan *s,
			  const char *cur)
{
	for (const struct opt *const *t = tables; *t; t++) {
		for (const struct opt *o = *t; o->name; o++) {
			if ((o->flags & OPT_HIDDEN) || (seen_has(s, o) && !(o->flags & OPT_REPEAT)))
				continue;
			char name[128];
			snprintf(name, sizeof(name), "--%s", o->name);
			cand(out, name, o->help, cur);
			if (o->shortname) {
				snprintf(name, sizeof(name), "-%c", o->shortname);
				cand(out, name, o->help, cur);
			}
		}
	}
	return COMP_NOFILE;
}

static int complete_command(struct buf *out, const struct command *cmd, int n, char **w, const char *cur)
{
	struct scan s;
	scan_words(cmd->opts, n, w, &s);
	if (!s.dashdash && cur[0] == '-' && cur[1] == '-' && strchr(cur, '=')) {
		const char *eq = strchr(cur, '=');
		const struct opt *o = opts_find_long(cmd->opts, cur + 2, (size_t)(eq - cur - 2));
		return o ? complete_value(out, o, eq + 1) : COMP_NOFILE;
	}
	if (!s.dashdash && cur[0] == '-' && cur[1] && cur[1] != '-' && cur[2] == '=') {
		const struct opt *o = opts_find_short(cmd->opts, cur[1]);
		return o ? complete_value(out, o, cur + 3) : COMP_NOFILE;
	}
	if (!s.dashdash && cur[0] == '-')
		return complete_flags(out, cmd->opts, &s, cur);
	if (s.pending)
		return complete_value(out, s.pending, cur);
	if (cmd == &cmd_completion && s.npos == 0)
		for (const char *const *sh = shells; *sh; sh++)
			cand(out, *sh, NULL, cur);
	return COMP_NOFILE;
}

int complete_main(int argc, char **argv)
{
	struct buf out = BUF_INIT;
	int directive = COMP_NOFILE;
	const char *cur = argc > 0 ? argv[argc - 1] : "";
	int n = argc > 0 ? argc - 1 : 0;
	if (n == 0) {
		if (cur[0] == '-') {
			cand(&out, "--help", "Show the commands.", cur);
			cand(&out, "-h", "Show the commands.", cur);
			cand(&out, "--version", "Print the version of kubectl-feast.", cur);
		} else {
			complete_commands(&out, cur);
			cand(&out, "help", "Show help for a command.", cur);
		}
	} else if (!strcmp(argv[0], "help")) {
		if (n == 1)
			complete_commands(&out, cur);
	} else {
		const struct command *cmd = command_find(argv[0]);
		if (cmd)
			directive = complete_command(&out, cmd, n - 1, argv + 1, cur);
	}
	buf_addf(&out, ":%d\n", directive);
	fputs(out.data, stdout);
	buf_release(&out);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INVALID;
}

/* ---- the scripts ---- */

/* Both scripts ask the program for candidates and act on the directive the
 * same way kubectl's cobra-made scripts do. */
static const char bash_script[] =
	"# bash completion for kubectl-feast, from `kubectl feast completion bash`.\n"
	"#\n"
	"# Load it with:  source <(kubectl feast completion bash)\n"
	"# or save it as /etc/bash_completion.d/kubectl-feast.  It completes kubectl-feast\n"
	"# run directly; `kubectl feast <TAB>` is completed by kubectl (1.26 and later)\n"
	"# through the kubectl_complete-feast executable shipped next to kubectl-feast.\n"
	"\n"
	"_kubectl_feast() {\n"
	"\tlocal line=${COMP_LINE:0:COMP_POINT} cur= prefix= out directive comp f ext\n"
	"\tlocal -a words exts\n"
	"\tread -ra words <<<\"$line\"\n"
	"\tif [[ $line != *[[:space:]] && ${#words[@]} -gt 1 ]]; then\n"
	"\t\tcur=${words[${#words[@]}-1]}\n"
	"\t\tunset 'words[${#words[@]}-1]'\n"
	"\tfi\n"
	"\tout=$(\"${words[0]}\" __complete \"${words[@]:1}\" \"$cur\" 2>/dev/null) || return 0\n"
	"\tdirective=${out##*:}\n"
	"\tout=${out%:*}\n"
	"\t[[ $directive =~ ^[0-9]+$ ]] || directive=0\n"
	"\t(( directive & 1 )) && return 0\n"
	"\t# --flag=value: bash replaces only the value when = breaks words.\n"
	"\tif [[ $cur == -*=* ]]; then\n"
	"\t\t[[ $COMP_WORDBREAKS == *=* ]] || prefix=${cur%%=*}=\n"
	"\t\tcur=${cur#*=}\n"
	"\tfi\n"
	"\tCOMPREPLY=()\n"
	"\tif (( directive & 24 )); then\n"
	"\t\twhile IFS= read -r ext; do [[ -n $ext ]] && exts+=(\"$ext\"); done <<<\"$out\"\n"
	"\t\tcompopt -o filenames\n"
	"\t\twhile IFS= read -r f; do\n"
	"\t\t\tif [[ -d $f ]]; then COMPREPLY+=(\"$prefix$f\"); continue; fi\n"
	"\t\t\t(( directive & 16 )) && continue\n"
	"\t\t\tfor ext in \"${exts[@]}\"; do\n"
	"\t\t\t\t[[ $f == *.\"$ext\" ]] && COMPREPLY+=(\"$prefix$f\") && break\n"
	"\t\t\tdone\n"
	"\t\tdone < <(compgen -f -- \"$cur\")\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\twhile IFS= read -r comp; do\n"
	"\t\tcomp=${comp%%$'\\t'*}\n"
	"\t\t[[ -n $comp && $comp == \"$cur\"* ]] && COMPREPLY+=(\"$prefix$comp\")\n"
	"\tdone <<<\"$out\"\n"
	"\t(( directive & 2 )) && compopt -o nospace\n"
	"\tif (( ${#COMPREPLY[@]} == 0 && !(directive & 4) )); then\n"
	"\t\tcompopt -o filenames\n"
	"\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"complete -F _kubectl_feast kubectl-feast\n";

static const char zsh_script[] =
	"#compdef kubectl-feast\n"
	"# zsh completion for kubectl-feast, from `kubectl feast completion zsh`.\n"
	"#\n"
	"# Load it (after compinit) with:  source <(kubectl feast completion zsh)\n"
	"# or save it as _kubectl-feast in a directory of $fpath.  It completes\n"
	"# kubectl-feast run directly; `kubectl feast <TAB>` is completed by kubectl\n"
	"# (1.26 and later) through the kubectl_complete-feast executable.\n"
	"\n"
	"_kubectl-feast() {\n"
	"\tlocal cur=${words[CURRENT]} out directive line name\n"
	"\tlocal -a lines cands exts nospace\n"
	"\tout=$(\"${words[1]}\" __complete \"${(@)words[2,CURRENT-1]}\" \"$cur\" 2>/dev/null) || return 1\n"
	"\tlines=(\"${(@f)out}\")\n"
	"\tdirective=${lines[-1]#:}\n"
	"\tlines=(\"${(@)lines[1,-2]}\")\n"
	"\t[[ $directive == <-> ]] || directive=0\n"
	"\t(( directive & 1 )) && return 1\n"
	"\t# --flag=value: complete the value only.\n"
	"\t[[ $cur == -*=* ]] && compset -P '*='\n"
	"\tif (( directive & 16 )); then\n"
	"\t\t_files -/\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif (( directive & 8 )); then\n"
	"\t\tfor line in \"${lines[@]}\"; do [[ -n $line ]] && exts+=(\"$line\"); done\n"
	"\t\t_files -g \"*.(${(j:|:)exts})\"\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tfor line in \"${lines[@]}\"; do\n"
	"\t\t[[ -z $line ]] && continue\n"
	"\t\tname=${line%%$'\\t'*}\n"
	"\t\tname=${name//:/\\\\:}\n"
	"\t\tif [[ $line == *$'\\t'* ]]; then\n"
	"\t\t\tcands+=(\"$name:${line#*$'\\t'}\")\n"
	"\t\telse\n"
	"\t\t\tcands+=(\"$name\")\n"
	"\t\tfi\n"
	"\tdone\n"
	"\t(( directive & 2 )) && nospace=(-S '')\n"
	"\tif (( ${#cands} )); then\n"
	"\t\t_describe -t values completion cands \"${nospace[@]}\"\n"
	"\telif (( !(directive & 4) )); then\n"
	"\t\t_files\n"
	"\tfi\n"
	"}\n"
	"\n"
	"if [[ ${funcstack[1]} == _kubectl-feast ]]; then\n"
	"\t_kubectl-feast \"$@\"\n"
	"else\n"
	"\tcompdef _kubectl-feast kubectl-feast\n"
	"fi\n";

static const struct opt *const groups[] = { help_opts, NULL };

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	(void)ctx, (void)o, (void)value, (void)err, (void)errlen;
	return 0;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, NULL, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (args.n != 1)
		return usage_error(cmd, "%s", args.n ? "too many arguments" : "must name a shell: bash or zsh");
	if (!strcmp(args.v[0], "bash"))
		fputs(bash_script, stdout);
	else if (!strcmp(args.v[0], "zsh"))
		fputs(zsh_script, stdout);
	else
		return usage_error(cmd, "unsupported shell \"%s\": bash or zsh", args.v[0]);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_INVALID;
}

const struct command cmd_completion = {
	"completion",
	"Print a shell completion script (bash or zsh) for kubectl-feast.",
	"kubectl feast completion bash|zsh",
	"Prints a script that completes commands, flags, flag values and file names of\n"
	"kubectl-feast when it is run directly:\n"
	"\n"
	"  source <(kubectl feast completion bash)\n"
	"  source <(kubectl feast completion zsh)     # after compinit\n"
	"\n"
	"`kubectl feast <TAB>` is completed by kubectl itself (1.26 and later): it runs the\n"
	"kubectl_complete-feast executable shipped next to kubectl-feast, so both must be on\n"
	"PATH, and kubectl's own completion must be loaded (`source <(kubectl completion bash)`).",
	groups, run,
};
