/*
 * What compiler-rt's profile runtime (lib/profile) takes from its C++ file and its platform
 * files on other targets, for the instrumented wasm32-wasi build that trains the runtime's
 * profile (scripts/build-python-wasi.sh, "profile-guided optimisation").
 */

/* InstrProfilingRuntime.cpp defines it (a C++ static initialiser that registers an atexit
 * writer); a reactor never exits, so the training host calls fb_pgo_write instead. */
int __llvm_profile_runtime;

/* The host name for a "%h" in the profile's file name: WASI has none, and the name is given. */
int lprofGetHostName(char *name, int len) {
  (void)name;
  (void)len;
  return -1;
}

/* File locks for profiles merged by concurrent processes: one instance writes each file. */
int flock(int fd, int operation) {
  (void)fd;
  (void)operation;
  return 0;
}
