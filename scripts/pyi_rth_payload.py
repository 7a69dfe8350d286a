"""PyInstaller run-time hook (build.spec, Linux): unpack the executable's packed libraries (wizard/payload.py)
into its temporary folder before anything imports Qt. PyInstaller runs the hooks a spec names before its own
(the PySide6 hook imports QtCore) and before the program."""

from wizard.payload import unpack_at_start

unpack_at_start()
