/*
 * The unwinder interface libc++abi needs, for WebAssembly exception handling (clang
 * -fwasm-exceptions). LLVM 16's libunwind has no WebAssembly port (its Unwind-wasm.c came later),
 * and wasm needs almost none of an unwinder: the engine unwinds, this file only throws and lets
 * the compiler's landing pads ask the C++ personality which handler matches.
 *
 * How the pieces meet (llvm/lib/CodeGen/WasmEHPrepare.cpp in LLVM 16): a landing pad that may
 * catch a C++ exception stores its index and the function's LSDA into `__wasm_lpad_context`, calls
 * `_Unwind_CallPersonality(exception)` and reads `selector` back (0: no handler here, rethrow).
 * The LSDA's call-site table is the SJLJ one (one entry per landing pad, 1-based), so libc++abi's
 * personality is built in its SJLJ flavour (runtime/README.md, "C++ exceptions").
 */
#include <stdint.h>
#include <stdlib.h>
#include <unwind.h>

/* The layout WasmEHPrepare writes: { i32 lpad_index, ptr lsda, i32 selector }. */
struct _Unwind_LandingPadContext {
  uintptr_t lpad_index;
  uintptr_t lsda;
  uintptr_t selector;
};

_Thread_local struct _Unwind_LandingPadContext __wasm_lpad_context;

/* libc++abi's personality, built with __USING_SJLJ_EXCEPTIONS__ (its LSDA parser). */
_Unwind_Reason_Code __gxx_personality_sj0(int version, _Unwind_Action actions, uint64_t exception_class,
                                          struct _Unwind_Exception *exception_object,
                                          struct _Unwind_Context *context);

/*
 * Wasm has one phase: a pad runs this, and either handles the exception or rethrows. Phase 1
 * finds (and caches in the exception) the handler; the handler-frame phase 2 call then sets the
 * selector through _Unwind_SetGR, exactly as a two-phase unwinder would at the handler frame.
 */
_Unwind_Reason_Code _Unwind_CallPersonality(void *exception_ptr) {
  struct _Unwind_Exception *exception_object = (struct _Unwind_Exception *)exception_ptr;
  struct _Unwind_Context *context = (struct _Unwind_Context *)&__wasm_lpad_context;
  __wasm_lpad_context.selector = 0;
  _Unwind_Reason_Code found = __gxx_personality_sj0(1, _UA_SEARCH_PHASE, exception_object->exception_class,
                                                    exception_object, context);
  if (found != _URC_HANDLER_FOUND) return found;
  return __gxx_personality_sj0(1, _UA_CLEANUP_PHASE | _UA_HANDLER_FRAME, exception_object->exception_class,
                               exception_object, context);
}

/* The personality clang names for wasm; calls never reach it (pads call the function above). */
_Unwind_Reason_Code __gxx_personality_wasm0(int version, _Unwind_Action actions, uint64_t exception_class,
                                            struct _Unwind_Exception *exception_object,
                                            struct _Unwind_Context *context) {
  return __gxx_personality_sj0(version, actions, exception_class, exception_object, context);
}

/* Tag 0 is the C++ exception tag (__cpp_exception); the engine unwinds to the nearest pad. */
_Unwind_Reason_Code _Unwind_RaiseException(struct _Unwind_Exception *exception_object) {
  __builtin_wasm_throw(0, exception_object);
}

void _Unwind_Resume(struct _Unwind_Exception *exception_object) {
  __builtin_wasm_throw(0, exception_object);
}

void _Unwind_DeleteException(struct _Unwind_Exception *exception_object) {
  if (exception_object->exception_cleanup != NULL)
    exception_object->exception_cleanup(_URC_FOREIGN_EXCEPTION_CAUGHT, exception_object);
}

/* Register 1 is the selector (the personality's set_registers, SJLJ numbering); 0 needs no home. */
void _Unwind_SetGR(struct _Unwind_Context *context, int index, uintptr_t value) {
  if (index == 1) ((struct _Unwind_LandingPadContext *)context)->selector = value;
}

uintptr_t _Unwind_GetGR(struct _Unwind_Context *context, int index) {
  return index == 1 ? ((struct _Unwind_LandingPadContext *)context)->selector : 0;
}

/* The personality subtracts 1 and reads a 1-based call-site index. */
uintptr_t _Unwind_GetIP(struct _Unwind_Context *context) {
  return ((struct _Unwind_LandingPadContext *)context)->lpad_index + 2;
}

uintptr_t _Unwind_GetIPInfo(struct _Unwind_Context *context, int *ip_before_insn) {
  *ip_before_insn = 0;
  return _Unwind_GetIP(context);
}

void _Unwind_SetIP(struct _Unwind_Context *context, uintptr_t value) {
  (void)context;
  (void)value; /* the pad is already running */
}

uintptr_t _Unwind_GetLanguageSpecificData(struct _Unwind_Context *context) {
  return ((struct _Unwind_LandingPadContext *)context)->lsda;
}

uintptr_t _Unwind_GetRegionStart(struct _Unwind_Context *context) {
  (void)context;
  return 0;
}
