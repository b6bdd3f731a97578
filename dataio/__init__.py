"""Files in and out: formats, limits, the resource base and widgets, the import run, upload storage, the
admin's import pages, seeds, the data dictionary and their commands. May import core only."""
