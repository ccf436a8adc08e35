"""IPython's display functions, on the Fuelbook cell driver's output channel.

The driver (runtime/fuelbook_driver.py) is the one home of the rules: how an object becomes a
mime bundle, how outputs reach the host. This module only gives them IPython's names.
"""
import os

from fuelbook_driver import clear_output, display, publish_display_data as _publish

__all__ = ["display", "clear_output", "update_display", "publish_display_data", "DisplayHandle"]


def publish_display_data(data, metadata=None, source=None, *, transient=None, **kwargs):
    """Publish a mime bundle as-is (IPython's signature; `source` is ignored, as in IPython 8)."""
    _publish(dict(data), metadata, transient, update=bool(kwargs.get("update")))


def update_display(obj, *, display_id, **kwargs):
    """Replace the outputs shown earlier in this run with `display_id` by obj."""
    kwargs["update"] = True
    display(obj, display_id=display_id, **kwargs)


def _new_id():
    return os.urandom(16).hex()


class DisplayHandle:
    """A handle on an updatable display: .update(obj) replaces it, .display(obj) adds another."""

    def __init__(self, display_id=None):
        self.display_id = _new_id() if display_id is None else display_id

    def __repr__(self):
        return "<%s display_id=%s>" % (self.__class__.__name__, self.display_id)

    def display(self, obj, **kwargs):
        display(obj, display_id=self.display_id, **kwargs)

    def update(self, obj, **kwargs):
        update_display(obj, display_id=self.display_id, **kwargs)
