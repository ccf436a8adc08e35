/*
 * Force-included (-include) when compiling SQLite's amalgamation for wasm32-wasi.
 *
 * SQLite's unix VFS uses POSIX advisory locks and a few ownership calls that wasi-libc does not
 * have. A Fuelbook kernel is a single process with no other process sharing its files, so
 * cross-process locks have nothing to protect: lock requests succeed and lock queries answer
 * "unlocked". Locking between connections of the same process is done by SQLite itself
 * (its inode/lock bookkeeping), so a second writer still gets "database is locked".
 */
#ifndef FUELBOOK_SQLITE_WASI_COMPAT_H
#define FUELBOOK_SQLITE_WASI_COMPAT_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif

static int fuelbook_sqlite_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  if (cmd == F_GETLK) {
    struct flock *lock = va_arg(ap, struct flock *);
    va_end(ap);
    lock->l_type = F_UNLCK;
    return 0;
  }
  if (cmd == F_SETLK || cmd == F_SETLKW) {
    va_end(ap);
    return 0;
  }
  int arg = va_arg(ap, int);
  va_end(ap);
  return fcntl(fd, cmd, arg);
}
#define fcntl fuelbook_sqlite_fcntl

static int fuelbook_sqlite_fchmod(int fd, mode_t mode) { (void)fd; (void)mode; return 0; }
static int fuelbook_sqlite_fchown(int fd, uid_t uid, gid_t gid) { (void)fd; (void)uid; (void)gid; return 0; }
static uid_t fuelbook_sqlite_geteuid(void) { return 0; }
#define fchmod fuelbook_sqlite_fchmod
#define fchown fuelbook_sqlite_fchown
#define geteuid fuelbook_sqlite_geteuid

#endif
