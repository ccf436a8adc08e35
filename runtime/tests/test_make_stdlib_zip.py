"""The stdlib zip does not depend on where the build tree and the checkout are: _sysconfigdata, the
one file that names them, comes out the same byte for byte from short and long paths."""
import ast
import io
import pprint

from make_stdlib_zip import SYSCONFIG_BUILD_ROOT, SYSCONFIG_CHECKOUT_ROOT, sysconfigdata_without_local_paths


def build_time_vars(root, checkout=SYSCONFIG_CHECKOUT_ROOT):
    # Shaped like configure's values: long strings that pprint wraps at spaces, paths inside them.
    return {
        "ABIFLAGS": "",
        "ALIGNOF_LONG": 4,
        "CC": f"clang-16 --target=wasm32-wasi --sysroot={root}/sysroot",
        "CONFIG_ARGS": (
            "'--host=wasm32-unknown-wasi' '--build=x86_64-pc-linux-gnu' "
            "'--with-build-python=/usr/bin/python3.11' '--with-pymalloc' "
            f"'CC=clang-16 --target=wasm32-wasi --sysroot={root}/sysroot' "
            f"'CPP=clang-cpp-16 --target=wasm32-wasi --sysroot={root}/sysroot' "
            f"'PKG_CONFIG_LIBDIR={root}/sysroot/lib/pkgconfig'"
        ),
        "LIBZ_CFLAGS": f"-I{root}/sysroot/include",
        "PY_CFLAGS_NODIST": f"-std=c11 -fprofile-instr-use={checkout}/runtime/pgo/python.profdata -I./Include",
        "abs_builddir": f"{root}/Python-3.11.2",
    }


def written_by_sysconfig(variables):
    """The file as Lib/sysconfig.py's _generate_posix_vars writes it."""
    out = io.StringIO()
    out.write("# system configuration generated and used by the sysconfig module\n")
    out.write("build_time_vars = ")
    pprint.pprint(variables, stream=out)
    return out.getvalue()


def test_the_same_file_whatever_the_build_path_and_checkout():
    # Roots that occur nowhere else in the values (the replacement is textual within each value).
    short, long = "/srv/fb", "/work/a-much-longer-build-folder-name-than-the-other-one/build-python-rt"
    short_checkout, long_checkout = "/c", "/home/someone/projects/a-long-checkout-folder/fuelbook"
    from_short = sysconfigdata_without_local_paths(
        written_by_sysconfig(build_time_vars(short, short_checkout)), short, short_checkout
    )
    from_long = sysconfigdata_without_local_paths(
        written_by_sysconfig(build_time_vars(long, long_checkout)), long, long_checkout
    )
    assert from_short == from_long
    assert from_short.decode() == written_by_sysconfig(build_time_vars(SYSCONFIG_BUILD_ROOT))


def test_values_other_than_the_build_path_are_kept():
    root = "/work/build-python-rt"
    checkout = "/work/main"
    text = sysconfigdata_without_local_paths(
        written_by_sysconfig(build_time_vars(root, checkout)), root, checkout
    ).decode()
    values = ast.literal_eval(text.split("build_time_vars = ", 1)[1])
    assert values == build_time_vars(SYSCONFIG_BUILD_ROOT)
    assert values["ALIGNOF_LONG"] == 4
    assert root not in text and checkout not in text


def test_a_build_folder_inside_the_checkout_is_named_as_the_build_folder():
    checkout = "/work/main"
    root = checkout + "/.build"
    text = sysconfigdata_without_local_paths(
        written_by_sysconfig(build_time_vars(root, checkout)), root, checkout
    ).decode()
    assert ast.literal_eval(text.split("build_time_vars = ", 1)[1]) == build_time_vars(SYSCONFIG_BUILD_ROOT)
