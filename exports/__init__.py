"""Exporters: the report as DOCX, PDF, HTML or a report file, chosen by the target's suffix."""
