/* fileio.c -- atomic file replacement: temp file, fsync, rename, fsync dir. */
#include "fileio.h"
#include "arena.h"
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd); /* best effort: some filesystems refuse fsync on directories */
		close(fd);
	}
}

int file_check_replaceable(const char *path, bool force, struct diags *d)
{
	struct pos pos = { path, 0, 0 };
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	/* Root may write anything, so the mode says what the owner meant. */
	bool readonly = !(st.st_mode & 0222) || access(path, W_OK) < 0;
	if (readonly && !force) {
		diag_error(d, &pos, "", "the file is read-only (mode %04o); use --force to replace it anyway",
			   (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if (st.st_nlink > 1) {
		unsigned long others = (unsigned long)st.st_nlink - 1;
		const char *what = others == 1 ? "other hard link, which keeps" : "other hard links, which keep";
		if (!force) {
			diag_error(d, &pos, "", "the file has %lu %s the old content when it is replaced; "
				   "use --force to replace this name anyway", others, what);
			return -1;
		}
		diag_warn(d, &pos, "", "replacing this name only: its %lu %s the old content", others, what);
	}
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, struct diags *d)
{
	struct pos pos = { path, 0, 0 };
	/* Replace the file a symlink points to, not the symlink. */
	char *real = realpath(path, NULL);
	const char *target = real ? real : path;
	char *dcopy = xstrdup(target), *bcopy = xstrdup(target);
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	size_t tlen = strlen(dir) + strlen(base) + 16;
	char *tmp = xmalloc(tlen);
	snprintf(tmp, tlen, "%s/.%s.XXXXXX", dir, base);
	int rc = -1;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		diag_error(d, &pos, "", "cannot create a temporary file next to it: %s", strerror(errno));
		goto out;
	}
	struct stat st;
	mode_t mode = 0644;
	if (stat(target, &st) == 0) {
		mode = st.st_mode & 07777;
		/* Before fchmod: a change of owner clears the set-id bits.  The owner
		 * only when allowed (root), else at least the group. */
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) < 0 &&
		    fchown(fd, (uid_t)-1, st.st_gid) < 0)
			errno = 0;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		diag_error(d, &pos, "", "cannot write: %s", strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, target) < 0) {
		diag_error(d, &pos, "", "cannot replace the file: %s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	fsync_dir(dir);
	rc = 0;
out:
	free(tmp);
	free(real);
	free(dcopy);
	free(bcopy);
	return rc;
}
