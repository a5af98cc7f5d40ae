"""The one lock around PDFium (pypdfium2), which must never be called from two threads at once.

PDFium keeps global state: two threads calling it at the same time, even on different documents, can
crash the process (pypdfium2's documentation, "Incompatibility with Threading"). The app calls it from
the thread pool (reading PDFs for a batch check or an import preview) and from the window's thread
(drawing the print preview), so every use of pypdfium2 holds this lock: the PDF reader for the whole
of one file, the print preview for each page it draws.
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.RLock()
