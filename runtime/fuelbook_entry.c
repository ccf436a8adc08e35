/*
 * Fuelbook's Python runtime: CPython 3.11 as a WASI *reactor*.
 *
 * Linked instead of Programs/python.o. The host instantiates the module, calls `_initialize`
 * (wasi-libc's constructors), then `fb_init` once, then `fb_run` / `fb_call` any number of
 * times. Between calls the native stack is empty, so the whole interpreter state is the linear
 * memory plus `__stack_pointer`: a snapshot of both can be restored into a new instance.
 *
 * Exports:  memory, _initialize, __stack_pointer, fb_alloc, fb_free, fb_init, fb_run, fb_call,
 *           fb_exit_code.
 * Imports:  wasi_snapshot_preview1.*, fuelbook.emit(kind, ptr, len) for rich output and
 *           fuelbook.fuel_consumed() -> i64 for the fuel this run has used so far.
 *
 * The cell semantics live in the Python driver (runtime/fuelbook_driver.py, shipped as .pyc in
 * the stdlib zip); this file only boots the interpreter and marshals strings.
 */
#include "Python.h"

#include <stdint.h>
#include <stdlib.h>

#define FB_EXPORT(name) __attribute__((export_name(name), visibility("default")))

/* The one custom import. kind: 1 display_data, 2 execute_result, 3 error, 4 fb_call reply,
 * 5 clear_output; the payload is UTF-8 JSON. */
__attribute__((import_module("fuelbook"), import_name("emit"))) extern void fuelbook_host_emit(
    int32_t kind, const void *ptr, int32_t len);

/* The fuel this run has consumed so far, as the host's meter counts it. The instrumented module
 * stores its fuel balance to the exported global before every import call, so the host's answer
 * is exact at this call (and the same on every run of the same code). */
__attribute__((import_module("fuelbook"), import_name("fuel_consumed"))) extern int64_t
fuelbook_host_fuel_consumed(void);

/* ---- _fuelbook: the built-in module the driver talks through ------------------------------ */

static PyObject *fuelbook_fuel(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyLong_FromLongLong(fuelbook_host_fuel_consumed());
}

static PyObject *fuelbook_emit(PyObject *self, PyObject *args) {
  (void)self;
  int kind;
  Py_buffer payload;
  if (!PyArg_ParseTuple(args, "iy*:emit", &kind, &payload)) return NULL;
  if (payload.len > INT32_MAX) {
    PyBuffer_Release(&payload);
    PyErr_SetString(PyExc_OverflowError, "emit: payload larger than 2 GiB");
    return NULL;
  }
  fuelbook_host_emit(kind, payload.buf, (int32_t)payload.len);
  PyBuffer_Release(&payload);
  Py_RETURN_NONE;
}

static PyMethodDef fuelbook_methods[] = {
    {"emit", fuelbook_emit, METH_VARARGS,
     "emit(kind: int, payload: bytes) -> None\n\nSend one rich-output record (UTF-8 JSON) to the host."},
    {"fuel", fuelbook_fuel, METH_NOARGS,
     "fuel() -> int\n\nFuel (executed WebAssembly operators) this run has consumed so far, exact at the "
     "call and identical on every run of the same code."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef fuelbook_module = {
    PyModuleDef_HEAD_INIT, "_fuelbook", "Channel from the cell driver to the Fuelbook host.", -1,
    fuelbook_methods, NULL, NULL, NULL, NULL};

static PyObject *PyInit__fuelbook(void) { return PyModule_Create(&fuelbook_module); }

/* runtime/cxx/fuelbook_cxx.cpp: C++ exceptions inside the runtime (runtime/README.md). */
PyObject *PyInit__fuelbook_cxx(void);

/* ---- state ------------------------------------------------------------------------------- */

static int initialized = 0;
static int32_t last_exit_code = 0;
static PyObject *driver_run = NULL;  /* fuelbook_driver.run_cell(source) -> (status, exit_code) */
static PyObject *driver_call = NULL; /* fuelbook_driver.call(request_json) -> None */

/* Prints an exception that escaped the driver (a driver bug) without ever going through
 * PyErr_Print: for SystemExit that would call Py_Exit -> proc_exit and end the instance. */
static void report_internal_error(const char *where) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  fprintf(stderr, "fuelbook runtime: internal error in %s\n", where);
  if (type != NULL) PyErr_Display(type, value, tb);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  PyErr_Clear();
  fflush(stderr);
}

/* ---- exports ----------------------------------------------------------------------------- */

FB_EXPORT("fb_alloc") void *fb_alloc(int32_t size) { return malloc(size > 0 ? (size_t)size : 1); }

FB_EXPORT("fb_free") void fb_free(void *ptr) { free(ptr); }

FB_EXPORT("fb_init") int32_t fb_init(void) {
  if (initialized) return 0;

  PyStatus status;
  PyPreConfig preconfig;
  PyPreConfig_InitIsolatedConfig(&preconfig);
  preconfig.utf8_mode = 1;
  status = Py_PreInitialize(&preconfig);
  if (PyStatus_Exception(status)) return 1;

  if (PyImport_AppendInittab("_fuelbook", PyInit__fuelbook) != 0) return 2;
  if (PyImport_AppendInittab("_fuelbook_cxx", PyInit__fuelbook_cxx) != 0) return 2;

  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.parse_argv = 0;
  config.install_signal_handlers = 0;
  config.write_bytecode = 0;
  config.user_site_directory = 0;
  /* No site: it only adds site-packages folders (there are none) and the exit/quit/help
   * builtins, which the driver installs itself. Skipping it keeps fresh instances quick. */
  config.site_import = 0;
  config.pathconfig_warnings = 0;
  config.faulthandler = 0;
  config.buffered_stdio = 1;
  /* Fixed hash seed: the same snapshot + the same cell must cost the same fuel and print the
   * same set/dict orders. */
  config.use_hash_seed = 1;
  config.hash_seed = 0;
  status = PyConfig_SetString(&config, &config.home, L"/usr/local");
  if (!PyStatus_Exception(status)) status = PyConfig_SetString(&config, &config.program_name, L"python3.11");
  if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status)) {
    if (status.err_msg != NULL) fprintf(stderr, "fuelbook runtime: %s\n", status.err_msg);
    fflush(stderr);
    return 3;
  }

  PyObject *driver = PyImport_ImportModule("fuelbook_driver");
  if (driver == NULL) {
    report_internal_error("fb_init (import fuelbook_driver)");
    return 4;
  }
  driver_run = PyObject_GetAttrString(driver, "run_cell");
  driver_call = PyObject_GetAttrString(driver, "call");
  PyObject *warmed = driver_run && driver_call ? PyObject_CallMethod(driver, "init", NULL) : NULL;
  Py_DECREF(driver);
  if (warmed == NULL) {
    report_internal_error("fb_init (fuelbook_driver.init)");
    return 5;
  }
  Py_DECREF(warmed);
  initialized = 1;
  return 0;
}

static PyObject *decode_utf8(const char *ptr, int32_t len) {
  return PyUnicode_DecodeUTF8(ptr, len > 0 ? len : 0, "replace");
}

FB_EXPORT("fb_run") int32_t fb_run(const char *ptr, int32_t len) {
  if (!initialized) return -1;
  last_exit_code = 0;
  PyObject *source = decode_utf8(ptr, len);
  if (source == NULL) {
    report_internal_error("fb_run (decode)");
    return -1;
  }
  PyObject *result = PyObject_CallOneArg(driver_run, source);
  Py_DECREF(source);
  int status = -1, code = 0;
  if (result == NULL || !PyArg_ParseTuple(result, "ii", &status, &code)) {
    Py_XDECREF(result);
    report_internal_error("fb_run");
    return -1;
  }
  Py_DECREF(result);
  last_exit_code = code;
  return status;
}

FB_EXPORT("fb_call") int32_t fb_call(const char *ptr, int32_t len) {
  if (!initialized) return -1;
  PyObject *request = decode_utf8(ptr, len);
  if (request == NULL) {
    report_internal_error("fb_call (decode)");
    return -1;
  }
  PyObject *result = PyObject_CallOneArg(driver_call, request);
  Py_DECREF(request);
  if (result == NULL) {
    report_internal_error("fb_call");
    return -1;
  }
  Py_DECREF(result);
  return 0;
}

FB_EXPORT("fb_exit_code") int32_t fb_exit_code(void) { return last_exit_code; }

#ifdef FUELBOOK_PGO_GENERATE
/* Only in the instrumented build that trains the profile-guided one (scripts/pgo-train.ts):
 * a reactor never exits, so nothing would run compiler-rt's atexit writer. Writes the counters
 * gathered so far to the file named by (ptr, len) in the instance's file system; 0 = ok. */
void __llvm_profile_set_filename(const char *name);
int __llvm_profile_write_file(void);

FB_EXPORT("fb_pgo_write") int32_t fb_pgo_write(const char *ptr, int32_t len) {
  char *name = malloc((size_t)len + 1);
  if (name == NULL) return -1;
  memcpy(name, ptr, (size_t)len);
  name[len] = 0;
  __llvm_profile_set_filename(name);
  int32_t status = __llvm_profile_write_file();
  free(name);
  return status;
}
#endif
