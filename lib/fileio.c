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
	if (stat(target, &st) == 0)
		mode = st.st_mode & 07777;
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
