"""get_ipython(): the notebook's shell (IPython.core.getipython)."""


def get_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()
