/*
 * _fuelbook_cxx: proof that C++ exceptions work inside the runtime (WebAssembly exception
 * handling, libc++abi built for it; runtime/README.md, "C++ exceptions"). Small on purpose.
 *
 *   unwind(depth)       throws at the bottom of `depth` C++ frames, each holding an object whose
 *                       destructor counts; catches at the top by base class; returns
 *                       (payload, destructors run)
 *   convert(kind, msg)  throws a standard exception of that kind in C++ and turns it into the
 *                       matching Python exception at the module's edge (ValueError, OverflowError,
 *                       MemoryError, RuntimeError), the way pybind11 and Cython translate
 *   spin(n)             counts to n inside a try with catch (...): out of fuel there must still
 *                       end the run
 */
#include <Python.h>

#include <new>
#include <stdexcept>
#include <string>

namespace {

struct Unwound : std::runtime_error {
  long payload;
  explicit Unwound(long p) : std::runtime_error("unwound"), payload(p) {}
};

struct Counted {
  long *count;
  ~Counted() { ++*count; }
};

long descend(long depth, long *destroyed) {
  Counted guard{destroyed};
  if (depth <= 1) throw Unwound(depth * 1000 + 7);
  return descend(depth - 1, destroyed) + 1;  // not a tail call: each frame stays
}

/* Runs f, turning a C++ exception into a Python exception; nullptr means one is set. */
template <typename F> PyObject *translated(F f) {
  try {
    return f();
  } catch (const std::invalid_argument &e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::overflow_error &e) {
    PyErr_SetString(PyExc_OverflowError, e.what());
  } catch (const std::bad_alloc &) {
    PyErr_NoMemory();
  } catch (const std::exception &e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
  }
  return nullptr;
}

PyObject *unwind(PyObject *, PyObject *arg) {
  long depth = PyLong_AsLong(arg);
  if (depth == -1 && PyErr_Occurred()) return nullptr;
  long destroyed = 0;
  try {
    descend(depth, &destroyed);
  } catch (const std::runtime_error &e) {
    const Unwound *u = dynamic_cast<const Unwound *>(&e);
    return Py_BuildValue("(ll)", u != nullptr ? u->payload : -1L, destroyed);
  }
  PyErr_SetString(PyExc_AssertionError, "nothing was thrown");
  return nullptr;
}

[[noreturn]] void throw_kind(const std::string &kind, const std::string &message) {
  if (kind == "invalid_argument") throw std::invalid_argument(message);
  if (kind == "overflow_error") throw std::overflow_error(message);
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "int") throw 42;
  throw std::logic_error(message);
}

PyObject *convert(PyObject *, PyObject *args) {
  const char *kind;
  const char *message;
  if (!PyArg_ParseTuple(args, "ss", &kind, &message)) return nullptr;
  return translated([&]() -> PyObject * { throw_kind(kind, message); });
}

PyObject *spin(PyObject *, PyObject *arg) {
  long long n = PyLong_AsLongLong(arg);
  if (n == -1 && PyErr_Occurred()) return nullptr;
  volatile long long i = 0;
  try {
    while (i < n) i = i + 1;
  } catch (...) {
    return PyLong_FromLong(-1);
  }
  return PyLong_FromLongLong(i);
}

PyMethodDef methods[] = {
    {"unwind", unwind, METH_O, "throw through `depth` C++ frames, catch at the top"},
    {"convert", convert, METH_VARARGS, "a C++ exception of `kind` as a Python exception"},
    {"spin", spin, METH_O, "count to n inside a C++ try"},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fuelbook_cxx", "C++ exceptions inside the runtime", -1,
                      methods};

}  // namespace

extern "C" PyObject *PyInit__fuelbook_cxx(void) { return PyModule_Create(&module); }
