"""The stdlib zip does not depend on where the build tree is: _sysconfigdata, the one file that
names it, comes out the same byte for byte from a short and a long build path."""
import ast
import io
import pprint

from make_stdlib_zip import SYSCONFIG_BUILD_ROOT, sysconfigdata_without_build_root


def build_time_vars(root):
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
        "abs_builddir": f"{root}/Python-3.11.2",
    }


def written_by_sysconfig(variables):
    """The file as Lib/sysconfig.py's _generate_posix_vars writes it."""
    out = io.StringIO()
    out.write("# system configuration generated and used by the sysconfig module\n")
    out.write("build_time_vars = ")
    pprint.pprint(variables, stream=out)
    return out.getvalue()


def test_the_same_file_whatever_the_build_path():
    # Roots that occur nowhere else in the values (the replacement is textual within each value).
    short, long = "/srv/fb", "/work/a-much-longer-build-folder-name-than-the-other-one/build-python-rt"
    from_short = sysconfigdata_without_build_root(written_by_sysconfig(build_time_vars(short)), short)
    from_long = sysconfigdata_without_build_root(written_by_sysconfig(build_time_vars(long)), long)
    assert from_short == from_long
    assert from_short.decode() == written_by_sysconfig(build_time_vars(SYSCONFIG_BUILD_ROOT))


def test_values_other_than_the_build_path_are_kept():
    root = "/work/build-python-rt"
    text = sysconfigdata_without_build_root(written_by_sysconfig(build_time_vars(root)), root).decode()
    values = ast.literal_eval(text.split("build_time_vars = ", 1)[1])
    assert values == build_time_vars(SYSCONFIG_BUILD_ROOT)
    assert values["ALIGNOF_LONG"] == 4
    assert root not in text
